//! Real fax data from the shared corpus decodes to its ground truth: raw G4
//! streams to their PBMs, raw G3 and the fax TIFFs' strips to what libtiff
//! decodes them to, and the ITU-T T.24 charts round-trip through every mode
//! with our decoder and the `fax` crate's.

#![allow(clippy::unwrap_used)] // test code: a panic is a failure report
mod ccitt_common;

use std::path::Path;

use ccitt_common::{
    assert_same, charts, corpus, fax_decode_g3, fax_decode_g4, have_libtiff, libtiff_decode,
    read_pbm, scratch, tiff_info, tiff_strips,
};
use faxprep_codec::ccitt::{
    Compression, DecodeOptions, EncodeOptions, Error, decode, decode_lenient, encode,
};
use faxprep_page::{BitPage, Resolution};

fn read(corpus: &Path, name: &str) -> Vec<u8> {
    std::fs::read(corpus.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn raw_g4_streams_decode_to_their_pbm() {
    let Some(corpus) = corpus() else { return };
    for name in ["faxrs-33", "faxrs-44"] {
        let truth = read_pbm(&read(&corpus, &format!("{name}.pbm")), Resolution::Fine);
        let data = read(&corpus, &format!("{name}.fax"));
        let opts = DecodeOptions::new(Compression::G4, truth.width());
        // Told the height, as from a TIFF: faxrs-33's encoder left out the
        // last white rows before EOFB, and they are padded back.
        assert_same(
            name,
            &decode(&data, &opts.with_rows(truth.height())).unwrap(),
            &truth,
        );
        // Not told: the rows up to EOFB.
        let page = decode(&data, &opts).unwrap();
        let n = page.data().len();
        assert!(page.data() == &truth.data()[..n], "{name}");
        assert!(truth.data()[n..].iter().all(|&b| b == 0), "{name}");
    }
}

#[test]
fn raw_g3_decodes_like_fax2tiff() {
    let Some(corpus) = corpus() else { return };
    if !have_libtiff() {
        return;
    }
    let dir = scratch();
    // libtiffpic-g3test.tif is fax2tiff's (libtiff's) decode of the .g3.
    let (truth, stderr) = libtiff_decode(&corpus.join("libtiffpic-g3test.tif"), dir.path());
    assert!(stderr.trim().is_empty(), "libtiff: {stderr}");
    let data = read(&corpus, "libtiffpic-g3test.g3");
    // The stream pads rows with junk codes before EOLs, has an EOL inside
    // row 19 and ends with RTC and junk bytes. Strictly that is an error;
    // leniently (like libtiff) row 19 is white after the EOL, decoding goes
    // on, and RTC ends the page.
    let opts = DecodeOptions::new(Compression::G3OneD, 1728);
    assert!(matches!(
        decode(&data, &opts),
        Err(Error::PrematureEol { row: 19, .. })
    ));
    let lenient = decode_lenient(&data, &opts).unwrap();
    assert!(matches!(
        lenient.error,
        Some(Error::PrematureEol { row: 19, .. })
    ));
    // fax2tiff also made white rows of the RTC's EOLs and the junk after
    // them: 1092 rows of picture, then 11 white ones.
    let page = lenient.page;
    assert_eq!((page.height(), truth.height()), (1092, 1103));
    let n = page.data().len();
    assert!(
        page.data() == &truth.data()[..n],
        "g3test: rows differ from libtiff's"
    );
    assert!(truth.data()[n..].iter().all(|&b| b == 0));
}

#[test]
fn error_105_decodes_like_libtiff() {
    let Some(corpus) = corpus() else { return };
    if !have_libtiff() {
        return;
    }
    let dir = scratch();
    let (truth, _) = libtiff_decode(&corpus.join("faxrs-err105.tif"), dir.path());
    // The raw file is the TIFF's strip, bits in MSB-first order.
    let data = read(&corpus, "faxrs-err105_0-w1824.raw");
    let opts = DecodeOptions::new(Compression::G4, 1824).with_rows(truth.height());
    assert_same("err105", &decode(&data, &opts).unwrap(), &truth);
}

/// Decode the first directory of a CCITT TIFF strip by strip, with our
/// decoder, the way a TIFF reader would.
fn decode_tiff_strips(file: &[u8]) -> BitPage {
    let info = tiff_info(file);
    let compression = match (info.compression, info.t4_options & 1) {
        (3, 0) => Compression::G3OneD,
        (3, _) => Compression::G3TwoD,
        (4, _) => Compression::G4,
        (c, _) => panic!("compression {c}"),
    };
    let mut data = Vec::new();
    let mut left = info.height;
    for mut strip in tiff_strips(file) {
        if info.fill_order == 2 {
            strip.iter_mut().for_each(|b| *b = b.reverse_bits());
        }
        let rows = left.min(info.rows_per_strip);
        let opts = DecodeOptions::new(compression, info.width).with_rows(rows);
        data.extend_from_slice(decode(&strip, &opts).unwrap().data());
        left -= rows;
    }
    let mut page = BitPage::from_packed(info.width, info.height, Resolution::Fine, data).unwrap();
    if info.photometric == 1 {
        let inverted: Vec<u8> = page.data().iter().map(|b| !b).collect();
        page = BitPage::from_packed(info.width, info.height, Resolution::Fine, inverted).unwrap();
    }
    page
}

#[test]
fn corpus_fax_tiff_strips_decode_like_libtiff() {
    let Some(corpus) = corpus() else { return };
    if !have_libtiff() {
        return;
    }
    let dir = scratch();
    let mut checked = 0;
    for entry in faxprep_testkit::corpus_index() {
        let is_tiff = entry.file.ends_with(".tif") || entry.file.ends_with(".tiff");
        if !is_tiff || !entry.kind.starts_with("fax-") {
            continue;
        }
        let path = entry.path(&corpus);
        let file = std::fs::read(&path).unwrap();
        let ours = decode_tiff_strips(&file);
        let (truth, _) = libtiff_decode(&path, dir.path());
        assert_same(&entry.file, &ours, &truth);
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} fax TIFFs in the corpus");
}

#[test]
fn chart_tiffs_match_the_chart_pbms() {
    let Some(corpus) = corpus() else { return };
    for (name, chart) in charts(&corpus) {
        for suffix in ["_g3.tif", "_g4.tif"] {
            let tif = name.replace(".pbm", suffix);
            let page = decode_tiff_strips(&read(&corpus, &tif));
            // fax2tiff kept 6 white rows from the RTC below the 2376 rows.
            assert_eq!(page.height(), chart.height() + 6, "{tif}");
            let top = BitPage::from_packed(
                chart.width(),
                chart.height(),
                chart.resolution(),
                page.data()[..chart.data().len()].to_vec(),
            )
            .unwrap();
            assert_same(&tif, &top, &chart);
            assert!(
                page.data()[chart.data().len()..].iter().all(|&b| b == 0),
                "{tif}"
            );
        }
    }
}

#[test]
fn charts_round_trip_in_every_mode_with_both_decoders() {
    let Some(corpus) = corpus() else { return };
    for (name, chart) in charts(&corpus) {
        for c in Compression::ALL {
            for (align, raw) in [(false, false), (true, false), (false, true), (true, true)] {
                let opts = EncodeOptions {
                    compression: c,
                    k: 0,
                    align_eol: align,
                    raw_stream: raw,
                };
                let coded = encode(&chart, &opts);
                let dec = DecodeOptions::new(c, chart.width());
                let what = format!("{name} {opts:?}");
                assert_same(&what, &decode(&coded, &dec).unwrap(), &chart);
                assert_same(
                    &what,
                    &decode(&coded, &dec.with_rows(chart.height())).unwrap(),
                    &chart,
                );
                let lenient = decode_lenient(&coded, &dec).unwrap();
                assert_eq!(lenient.error, None, "{what}");
            }
        }
        let g4 = encode(&chart, &EncodeOptions::g4().with_raw_stream(true));
        let theirs = fax_decode_g4(&g4, chart.width(), chart.height()).expect("fax decodes G4");
        assert!(
            theirs == chart.data(),
            "{name}: the fax crate decodes our G4 differently"
        );
        for align in [false, true] {
            let mh = encode(
                &chart,
                &EncodeOptions::g3_1d()
                    .with_raw_stream(true)
                    .with_align_eol(align),
            );
            let theirs = fax_decode_g3(&mh, chart.width()).expect("fax decodes MH");
            assert!(
                theirs == chart.data(),
                "{name}: the fax crate decodes our MH differently"
            );
        }
    }
}

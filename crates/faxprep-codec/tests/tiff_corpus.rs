//! The fax TIFFs of the shared corpus, written by libtiff's fax2tiff and
//! tiffcp, ImageMagick, Pillow and others, decode to their ground truth:
//! the ITU chart PBMs where they exist, libtiff's own decode otherwise.
#![allow(clippy::unwrap_used)]

mod tiff_common;

use faxprep_codec::ccitt;
use faxprep_codec::tiff::{
    FillOrder, ReadLimits, Severity, TiffCompression, decode_tiff, read_tiff, validate_class_f,
};
use faxprep_page::Resolution;
use tiff_common::*;

/// Every fax TIFF of the corpus (INDEX.tsv kinds fax-chart and fax-g3g4).
fn fax_tiffs() -> Vec<String> {
    faxprep_testkit::corpus_index()
        .into_iter()
        .filter(|e| {
            e.kind.starts_with("fax-") && (e.file.ends_with(".tif") || e.file.ends_with(".tiff"))
        })
        .map(|e| e.file)
        .collect()
}

#[test]
fn corpus_fax_tiffs_decode_like_libtiff() {
    let Some(corpus) = faxprep_testkit::corpus_dir() else {
        return;
    };
    let files = fax_tiffs();
    assert!(
        files.len() >= 20,
        "expected the corpus's fax TIFFs, found {files:?}"
    );
    for file in files {
        let data = std::fs::read(corpus.join(&file)).unwrap();
        let ours = decode_tiff(&data, &ReadLimits::default())
            .unwrap_or_else(|e| panic!("{file}: {e} ({e:?})"));
        let Some(theirs) = libtiff_decode(&data, Resolution::Fine) else {
            return;
        };
        assert_eq!(ours.len(), theirs.len(), "{file}: page count");
        for (i, (a, b)) in ours.iter().zip(&theirs).enumerate() {
            assert!(
                same_pixels(a, b),
                "{file} page {i}: first differing row {:?}",
                first_diff_row(a, b)
            );
        }
    }
}

#[test]
fn itu_chart_tiffs_match_their_pbm() {
    let Some(corpus) = faxprep_testkit::corpus_dir() else {
        return;
    };
    for n in [1, 2, 3, 5, 7] {
        let truth = chart(&corpus, n);
        for kind in ["g3", "g4"] {
            let file = format!("spandsp-itu{n}_{kind}.tif");
            let data = std::fs::read(corpus.join(&file)).unwrap();
            let info = read_tiff(&data, &ReadLimits::default()).unwrap();
            assert_eq!(info.len(), 1);
            assert_eq!((info[0].width, info[0].height), (1728, 2382), "{file}");
            assert_eq!(info[0].fill_order, FillOrder::LsbFirst, "{file}");
            assert_eq!(info[0].resolution, Resolution::Fine, "{file}");
            let pages = decode_tiff(&data, &ReadLimits::default()).unwrap();
            // fax2tiff keeps 6 blank rows from the RTC (corpus README).
            let top = top_rows(&pages[0], 2376);
            assert!(
                same_pixels(&top, &truth),
                "{file}: row {:?}",
                first_diff_row(&top, &truth)
            );
        }
    }
}

#[test]
fn err105_decodes_like_its_raw_stream() {
    let Some(corpus) = faxprep_testkit::corpus_dir() else {
        return;
    };
    let data = std::fs::read(corpus.join("faxrs-err105.tif")).unwrap();
    let raw = std::fs::read(corpus.join("faxrs-err105_0-w1824.raw")).unwrap();
    let info = read_tiff(&data, &ReadLimits::default()).unwrap();
    assert_eq!((info[0].width, info[0].height), (1824, 682));
    assert_eq!(info[0].compression, TiffCompression::G4);
    assert_eq!(info[0].fill_order, FillOrder::LsbFirst);
    // The TIFF holds the same G4 rows with FillOrder 2. The raw stream is
    // the case that gave the file its name: its encoder stopped after 680
    // rows and put EOFB there, leaving the last (white) rows to the
    // receiver. Decoded to 682 rows it gives the TIFF's page.
    let page = &decode_tiff(&data, &ReadLimits::default()).unwrap()[0];
    let options = ccitt::DecodeOptions {
        compression: ccitt::Compression::G4,
        width: 1824,
        max_rows: 682,
        rows: Some(682),
        align_eol: false,
        resolution: Resolution::Fine,
    };
    let partial = ccitt::decode_lenient(&raw, &options).unwrap();
    let from_raw = partial.page;
    assert!(
        same_pixels(page, &from_raw),
        "row {:?}",
        first_diff_row(page, &from_raw)
    );
}

#[test]
fn corpus_metadata_is_read() {
    let Some(corpus) = faxprep_testkit::corpus_dir() else {
        return;
    };
    let read = |f: &str| {
        read_tiff(
            &std::fs::read(corpus.join(f)).unwrap(),
            &ReadLimits::default(),
        )
    };
    let g3 = &read("libtiffpic-g3test.tif").unwrap()[0];
    assert_eq!(
        (g3.width, g3.height, g3.resolution),
        (1728, 1103, Resolution::Standard)
    );
    assert!(matches!(
        g3.compression,
        TiffCompression::G3 { two_d: false, .. }
    ));
    let fill = &read("imagetiff-seq-1c-1b-fax3-fillbits.tiff").unwrap()[0];
    assert_eq!(
        fill.compression,
        TiffCompression::G3 {
            two_d: false,
            fill_bits: true
        }
    );
    for o in 1..=8u16 {
        let p = &read(&format!("pillow-g4_orientation_{o}.tif")).unwrap()[0];
        assert_eq!(p.orientation, o);
    }
    // The corpus files are fax TIFFs but not clean Class F (no
    // NewSubfileType, other widths): validation says so without panicking,
    // and every page still decodes.
    for file in fax_tiffs() {
        let issues = validate_class_f(&std::fs::read(corpus.join(&file)).unwrap());
        assert!(
            !issues
                .iter()
                .any(|i| matches!(i.kind, faxprep_codec::tiff::ClassFIssueKind::Unreadable(_))),
            "{file}: {}",
            issues
                .iter()
                .map(|i| i.to_string())
                .collect::<Vec<_>>()
                .join("; ")
        );
        if file.starts_with("pillow") {
            assert!(
                issues.iter().any(|i| i.severity == Severity::Error),
                "{file}"
            );
        }
    }
}

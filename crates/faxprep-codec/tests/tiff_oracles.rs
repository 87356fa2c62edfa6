//! Our TIFF Class F files, in every mode, checked by independent decoders:
//! libtiff (`tiffinfo -D` clean, `tifftopnm` pixels), Ghostscript's
//! CCITTFaxDecode on each strip, and libtiff's own G4 encoder for the bytes.
#![allow(clippy::unwrap_used)]

mod tiff_common;

use faxprep_codec::ccitt::Compression;
use faxprep_codec::tiff::{
    FillOrder, ReadLimits, TiffOptions, decode_tiff, read_tiff, validate_class_f, write_tiff_f,
};
use faxprep_page::{BitPage, Resolution};
use tiff_common::*;

const MODES: [Compression; 3] = [Compression::G3OneD, Compression::G3TwoD, Compression::G4];

/// The test pages: the ITU charts (when the corpus is there) and generated
/// text pages at every resolution and Class F width.
fn pages() -> Vec<BitPage> {
    let mut pages = Vec::new();
    if let Some(corpus) = faxprep_testkit::corpus_dir() {
        for n in [1, 2, 3, 5, 7] {
            pages.push(chart(&corpus, n));
        }
    }
    pages.push(text_page(1728, 2200, Resolution::Fine, 1));
    pages.push(text_page(1728, 1100, Resolution::Standard, 2));
    pages.push(text_page(2048, 900, Resolution::Superfine, 3));
    pages.push(text_page(2432, 300, Resolution::Fine, 4));
    pages.push(BitPage::new(1728, 50, Resolution::Fine).unwrap());
    pages
}

fn options(compression: Compression, fill_order: FillOrder) -> TiffOptions {
    TiffOptions {
        compression,
        fill_order,
        date_time: Some("2024:01:02 03:04:05".into()),
        ..TiffOptions::default()
    }
}

#[test]
fn every_mode_decodes_bit_exact_with_libtiff() {
    let pages = pages();
    for compression in MODES {
        for fill_order in [FillOrder::MsbFirst, FillOrder::LsbFirst] {
            let what = format!("{compression:?} {fill_order:?}");
            let file = write_tiff_f(&pages, &options(compression, fill_order)).unwrap();
            let issues = validate_class_f(&file);
            assert!(issues.is_empty(), "{what}: {issues:?}");
            let ours = decode_tiff(&file, &ReadLimits::default()).unwrap();
            assert_eq!(ours, pages, "{what}: our own decode");
            let Some(theirs) = libtiff_decode(&file, Resolution::Fine) else {
                return;
            };
            assert_eq!(theirs.len(), pages.len(), "{what}: libtiff page count");
            for (i, (a, b)) in theirs.iter().zip(&pages).enumerate() {
                assert!(
                    same_pixels(a, b),
                    "{what} page {i}: row {:?}",
                    first_diff_row(a, b)
                );
            }
        }
    }
}

#[test]
fn every_mode_decodes_bit_exact_with_ghostscript() {
    let pages = pages();
    for compression in MODES {
        let file = write_tiff_f(&pages, &options(compression, FillOrder::MsbFirst)).unwrap();
        let info = read_tiff(&file, &ReadLimits::default()).unwrap();
        for (page, info) in pages.iter().zip(&info) {
            let strip = info.strip_data(&file).next().unwrap();
            let k = match compression {
                Compression::G3OneD => 0,
                Compression::G3TwoD => page.resolution().k_factor() as i32,
                _ => -1,
            };
            let Some(gs) = gs_decode(strip, k, page.width(), page.height()) else {
                return;
            };
            assert!(
                same_pixels(&gs, page),
                "{compression:?} {}x{} page: row {:?}",
                page.width(),
                page.height(),
                first_diff_row(&gs, page)
            );
        }
    }
}

#[test]
fn g4_strips_are_libtiffs_bytes() {
    let pages = pages();
    // libtiff re-encodes our G3 file as G4; its strips must be ours.
    let g3 = write_tiff_f(&pages, &options(Compression::G3TwoD, FillOrder::MsbFirst)).unwrap();
    let g4 = write_tiff_f(&pages, &options(Compression::G4, FillOrder::MsbFirst)).unwrap();
    let Some(libtiff) = tiffcp(&g3, &["-c", "g4", "-f", "msb2lsb"]) else {
        return;
    };
    let theirs = read_tiff(&libtiff, &ReadLimits::default()).unwrap();
    let ours = read_tiff(&g4, &ReadLimits::default()).unwrap();
    assert_eq!(theirs.len(), ours.len());
    for (i, (t, o)) in theirs.iter().zip(&ours).enumerate() {
        let t: Vec<u8> = t.strip_data(&libtiff).flatten().copied().collect();
        let o: Vec<u8> = o.strip_data(&g4).flatten().copied().collect();
        assert!(
            t == o,
            "page {i}: libtiff {} bytes, ours {} bytes",
            t.len(),
            o.len()
        );
    }
}

#[test]
fn libtiff_reads_our_tags() {
    if !faxprep_testkit::require_tool("tiffdump") {
        return;
    }
    let pages = vec![
        text_page(1728, 400, Resolution::Standard, 5),
        text_page(1728, 400, Resolution::Superfine, 6),
    ];
    let file = write_tiff_f(&pages, &options(Compression::G3TwoD, FillOrder::LsbFirst)).unwrap();
    let dir = tempdir();
    let path = dir.path().join("f.tif");
    std::fs::write(&path, &file).unwrap();
    let out = std::process::Command::new("tiffdump")
        .arg(&path)
        .output()
        .unwrap();
    let dump = String::from_utf8_lossy(&out.stdout);
    for expected in [
        "SubFileType (254) LONG (4) 1<2>",
        "Compression (259) SHORT (3) 1<3>",
        "Photometric (262) SHORT (3) 1<0>",
        "FillOrder (266) SHORT (3) 1<2>",
        "XResolution (282) RATIONAL (5) 1<204>",
        "YResolution (283) RATIONAL (5) 1<98>",
        "YResolution (283) RATIONAL (5) 1<391>",
        "Group3Options (292) LONG (4) 1<5>",
        "ResolutionUnit (296) SHORT (3) 1<2>",
        "PageNumber (297) SHORT (3) 2<0 2>",
        "PageNumber (297) SHORT (3) 2<1 2>",
        "DateTime (306) ASCII (2) 20<2024:01:02 03:04:05\\0>",
        "CleanFaxData (327) SHORT (3) 1<0>",
    ] {
        assert!(dump.contains(expected), "missing {expected:?} in\n{dump}");
    }
}

#[test]
fn reads_libtiff_layouts() {
    // libtiff rewrites our file big-endian, with several strips per page,
    // uncompressed, or with its own G3/G4 options; we read them all back.
    let pages = vec![
        text_page(1728, 300, Resolution::Fine, 21),
        text_page(1728, 200, Resolution::Standard, 22),
    ];
    let ours = write_tiff_f(&pages, &TiffOptions::default()).unwrap();
    let layouts: [&[&str]; 6] = [
        &["-B", "-r", "16"],
        &["-L", "-c", "none"],
        &["-B", "-c", "none", "-f", "lsb2msb", "-r", "33"],
        &["-c", "g3:2d:fill", "-r", "7"],
        &["-B", "-c", "g3:1d", "-f", "lsb2msb"],
        &["-c", "g4", "-r", "50"],
    ];
    for args in layouts {
        let Some(file) = tiffcp(&ours, args) else {
            return;
        };
        let got = decode_tiff(&file, &ReadLimits::default())
            .unwrap_or_else(|e| panic!("tiffcp {args:?}: {e}"));
        assert_eq!(got, pages, "tiffcp {args:?}");
    }
}

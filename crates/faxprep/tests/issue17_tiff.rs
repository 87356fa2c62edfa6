//! Issue 17, part 2: TIFF uploads with [`Limits::accept_tiff`] on.
//!
//! - Every fax TIFF of the corpus (kinds `fax-chart` and `fax-g3g4`) is
//!   prepared; its page count is libtiff's (`tiffinfo`), and every page
//!   that is already a fax page of the job (1728 wide at its resolution)
//!   comes out with libtiff's pixels (`tiffcp -c none` of the upload and
//!   of the fax, both read back uncompressed).
//! - A three-page G3 2-D TIFF with fill order 2 comes out with libtiff's
//!   pages, three of them.
//! - A 1728-wide fine G4 page comes out bit-identical under the threshold
//!   and auto halftones.
//! - Hostile TIFFs (JBIG, CCITT RLE and old-style JPEG compression, huge declared sizes, a strip
//!   past the end, a directory loop, more pages than the cap) are typed
//!   4xx rejections with a hint.
#![allow(clippy::unwrap_used)] // test code: a panic is a failure report

mod common;
use common::fields;
use std::path::Path;
use std::process::Command;

use faxprep::codec::tiff::{ReadLimits, TiffOptions, decode_tiff, read_tiff, write_tiff_f};
use faxprep::halftone::Method;
use faxprep::intake::{Error as IntakeError, LimitKind};
use faxprep::page::{BitPage, DocumentFormat, FAX_WIDTH, Resolution};
use faxprep::{Error, Isolation, Options, prepare};
use faxprep_testkit::{
    AT_DATA, corpus_dir, corpus_index, hand_made_tiff as hand_made, require_tool,
};

fn options(method: Method, resolution: Resolution) -> Options {
    let mut o = Options::default();
    o.isolation = Isolation::InProcess;
    o.limits.accept_tiff = true;
    o.halftone = method;
    o.resolution = resolution;
    o
}

/// libtiff's pages of `tiff`: `tiffcp -c none`, then the uncompressed
/// strips unpacked (1 = black, as our pages).
fn libtiff_pages(tiff: &[u8], dir: &Path, name: &str) -> Vec<BitPage> {
    let src = dir.join(format!("{name}.tif"));
    let out = dir.join(format!("{name}-none.tif"));
    std::fs::write(&src, tiff).unwrap();
    let status = Command::new("tiffcp")
        .args(["-c", "none"])
        .arg(&src)
        .arg(&out)
        .status()
        .unwrap();
    assert!(status.success(), "tiffcp -c none {name}");
    decode_tiff(&std::fs::read(&out).unwrap(), &ReadLimits::unlimited()).unwrap()
}

/// Directories `tiffinfo` lists.
fn tiffinfo_pages(path: &Path) -> usize {
    let out = Command::new("tiffinfo").arg(path).output().unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.starts_with("TIFF Directory at offset"))
        .count()
}

#[test]
fn corpus_fax_tiffs_round_trip_against_libtiff() {
    let Some(corpus) = corpus_dir() else {
        return;
    };
    if !require_tool("tiffcp") || !require_tool("tiffinfo") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let (mut files, mut passed_through) = (0, 0);
    for entry in corpus_index() {
        let tiff = entry.file.ends_with(".tif") || entry.file.ends_with(".tiff");
        if !tiff || !matches!(entry.kind.as_str(), "fax-chart" | "fax-g3g4") {
            continue;
        }
        let path = corpus.join(&entry.file);
        let bytes = std::fs::read(&path).unwrap();
        let infos = read_tiff(&bytes, &ReadLimits::default()).unwrap();
        // The job at the first page's resolution, so that fax pages can
        // pass through.
        let resolution = infos[0].resolution;
        let fax = prepare(
            &bytes,
            &fields(),
            &options(Method::Threshold(128), resolution),
        )
        .unwrap_or_else(|e| panic!("{}: {e}", entry.file));
        assert_eq!(fax.format, DocumentFormat::Tiff);
        let pages = tiffinfo_pages(&path);
        assert!(pages >= 1, "{}", entry.file);
        assert_eq!(fax.document_pages as usize, pages, "{}", entry.file);
        assert_eq!(fax.total_pages as usize, pages, "{}", entry.file);
        let ours = libtiff_pages(&fax.tiff, tmp.path(), "out");
        assert_eq!(ours.len(), pages, "{}", entry.file);
        let theirs = libtiff_pages(&bytes, tmp.path(), "in");
        for (i, (info, page)) in infos.iter().zip(&ours).enumerate() {
            assert_eq!(page.width(), FAX_WIDTH, "{} page {i}", entry.file);
            assert_eq!(page.resolution(), resolution, "{} page {i}", entry.file);
            let fax_page = info.width == FAX_WIDTH
                && info
                    .x_dpi
                    .is_some_and(|x| (x - 204.0).abs() <= 204.0 * 0.03)
                && info.y_dpi.is_some_and(|y| {
                    let target = f64::from(resolution.y_dpi());
                    (y - target).abs() <= target * 0.03
                });
            if fax_page {
                assert_eq!(page.height(), theirs[i].height(), "{} page {i}", entry.file);
                assert!(
                    page.data() == theirs[i].data(),
                    "{} page {i}: pixels differ from libtiff's",
                    entry.file
                );
                passed_through += 1;
            } else {
                // Placed like a picture: ink survives.
                assert!(
                    theirs[i].count_black() == 0 || page.count_black() > 0,
                    "{} page {i} lost its ink",
                    entry.file
                );
            }
        }
        files += 1;
    }
    assert!(files >= 20, "{files} fax TIFFs in the corpus");
    assert!(
        passed_through >= 10,
        "{passed_through} pages passed through"
    );
}

/// A page with rules, blocks, single pixels and a checkerboard patch: the
/// kinds of detail a resample or a dither would change.
fn test_page(resolution: Resolution) -> BitPage {
    let rows = faxprep::page::Paper::Letter.rows(resolution);
    let mut page = BitPage::new(FAX_WIDTH, rows, resolution).unwrap();
    page.fill_rect(100, 100, 1600, 104);
    page.fill_rect(200, 300, 260, 900);
    for i in 0..200u32 {
        page.set(300 + i * 7, 1000 + (i * 13) % 500, true);
    }
    for y in 1600..1700u32 {
        for x in 400..600u32 {
            if (x + y) % 2 == 0 {
                page.set(x, y, true);
            }
        }
    }
    page.fill_rect(0, 0, 1, rows);
    page.fill_rect(FAX_WIDTH - 1, 0, FAX_WIDTH, rows);
    page
}

#[test]
fn a_1728_wide_g4_page_comes_out_bit_identical() {
    for resolution in [Resolution::Fine, Resolution::Standard] {
        let page = test_page(resolution);
        let upload = write_tiff_f(std::slice::from_ref(&page), &TiffOptions::default()).unwrap();
        for method in [Method::Threshold(128), Method::Auto] {
            let fax = prepare(&upload, &fields(), &options(method, resolution)).unwrap();
            assert_eq!(fax.total_pages, 1);
            let out = decode_tiff(&fax.tiff, &ReadLimits::default()).unwrap();
            assert_eq!(out.len(), 1);
            assert!(
                out[0] == page,
                "{resolution:?} {method}: the page changed on its way through"
            );
            // And by an independent decoder: the `fax` crate's G4.
            let strip = g4_strip(&fax.tiff);
            let mut rows = 0u32;
            fax::decoder::decode_g4(strip.iter().copied(), FAX_WIDTH, Some(page.height()), |t| {
                for (x, c) in fax::decoder::pels(t, FAX_WIDTH).enumerate() {
                    assert_eq!(
                        c == fax::Color::Black,
                        page.get(x as u32, rows),
                        "{resolution:?} {method} ({x}, {rows})"
                    );
                }
                rows += 1;
            })
            .unwrap();
            assert_eq!(rows, page.height());
        }
    }
}

/// The one strip of a one-page G4 TIFF.
fn g4_strip(tiff: &[u8]) -> Vec<u8> {
    let info = read_tiff(tiff, &ReadLimits::default()).unwrap().remove(0);
    info.strip_data(tiff).flatten().copied().collect()
}

/// One bilevel 16 x 16 page with `compression`, its strip at the data.
fn dir(
    width: u32,
    height: u32,
    bits: u32,
    compression: u32,
    strip_at: u32,
) -> Vec<(u16, u16, u32, u32)> {
    vec![
        (256, 4, 1, width),
        (257, 4, 1, height),
        (258, 3, 1, bits),
        (259, 3, 1, compression),
        (262, 3, 1, 0),
        (273, 4, 1, strip_at),
        (277, 3, 1, 1),
        (278, 4, 1, height),
        (279, 4, 1, 32),
    ]
}

fn refused(bytes: &[u8]) -> Error {
    prepare(bytes, &fields(), &options(Method::Auto, Resolution::Fine)).unwrap_err()
}

#[test]
fn unsupported_compressions_are_typed_with_a_hint() {
    for (compression, bits, named) in [
        (34661, 1, "jbig"),
        (9, 1, "jbig"),
        (2, 1, "ccitt rle"),
        (6, 8, "old-style jpeg"),
        (34712, 8, "compression 34712"),
    ] {
        let bytes = hand_made(&[dir(16, 16, bits, compression, AT_DATA)], None, &[0u8; 32]);
        let err = refused(&bytes);
        match &err {
            Error::Intake(IntakeError::Unsupported {
                format: DocumentFormat::Tiff,
                feature,
            }) => assert!(feature.contains(named), "{compression}: {feature}"),
            other => panic!("compression {compression}: {other:?}"),
        }
        let body = err.api_error();
        assert_eq!(body.error_type, "bad_request", "{compression}");
        assert_eq!(err.http_status(), 400);
        assert!(body.hint.contains("G4"), "{}", body.hint);
    }
}

#[test]
fn hostile_tiffs_are_typed_rejections() {
    // Declared sizes far beyond the caps, with a 32-byte strip.
    let huge = hand_made(&[dir(60_000, 60_000, 1, 4, AT_DATA)], None, &[0u8; 32]);
    match refused(&huge) {
        Error::Intake(IntakeError::Limits { which, .. }) => {
            assert_eq!(which, LimitKind::ImagePixels)
        }
        other => panic!("{other:?}"),
    }
    // A sliver: few pixels, but a page far longer than wide.
    let sliver = hand_made(&[dir(1, 60_000, 1, 4, AT_DATA)], None, &[0u8; 32]);
    match refused(&sliver) {
        Error::Intake(IntakeError::Limits { which, .. }) => {
            assert_eq!(which, LimitKind::PagePixels)
        }
        other => panic!("{other:?}"),
    }
    // The strip lies past the end of the file.
    let past = hand_made(&[dir(16, 16, 1, 4, 100_000)], None, &[0u8; 32]);
    // A directory that names itself as the next one.
    let looped = hand_made(&[dir(16, 16, 1, 4, AT_DATA)], Some(8), &[0u8; 32]);
    // CCITT data that is not CCITT.
    let junk = hand_made(&[dir(16, 16, 1, 4, AT_DATA)], None, &[0u8; 32]);
    for (name, bytes) in [("past", past), ("loop", looped), ("junk", junk)] {
        let err = refused(&bytes);
        assert!(
            matches!(
                err,
                Error::Intake(IntakeError::Damaged {
                    format: DocumentFormat::Tiff,
                    ..
                })
            ),
            "{name}: {err:?}"
        );
        let body = err.api_error();
        assert_eq!(body.error_type, "bad_request", "{name}");
        assert!(!body.hint.is_empty(), "{name}");
    }
    // More pages than the cap (200): 201 directories sharing one strip.
    let pages: Vec<_> = (0..201).map(|_| dir(16, 16, 1, 1, AT_DATA)).collect();
    match refused(&hand_made(&pages, None, &[0u8; 32])) {
        Error::Intake(IntakeError::Limits { which, .. }) => assert_eq!(which, LimitKind::Pages),
        other => panic!("{other:?}"),
    }
}

#[test]
fn uncompressed_small_pages_are_placed_like_pictures() {
    // 16 x 16, uncompressed, left half black: fitted to the page, the ink
    // is on the left.
    let mut strip = Vec::new();
    for _ in 0..16 {
        strip.extend_from_slice(&[0xff, 0x00]);
    }
    let mut d = dir(16, 16, 1, 1, AT_DATA);
    d[4] = (262, 3, 1, 0);
    let bytes = hand_made(&[d], None, &strip);
    let fax = prepare(
        &bytes,
        &fields(),
        &options(Method::Threshold(128), Resolution::Fine),
    )
    .unwrap();
    let out = decode_tiff(&fax.tiff, &ReadLimits::default()).unwrap();
    let page = &out[0];
    assert_eq!(page.width(), FAX_WIDTH);
    let mid = page.height() / 2;
    assert!(page.get(FAX_WIDTH / 4, mid));
    assert!(!page.get(FAX_WIDTH * 3 / 4, mid));
}

/// Pixels that differ between two pages of the same size.
fn differing(a: &BitPage, b: &BitPage) -> u64 {
    a.data()
        .iter()
        .zip(b.data())
        .map(|(x, y)| u64::from((x ^ y).count_ones()))
        .sum()
}

#[test]
fn orientation_tags_are_applied() {
    // The corpus' Pillow files store one 96 dpi picture in each of the
    // eight orientations: turned upright, all eight are the same fax page
    // but for the resampler's rounding at the edges of strokes (a mirrored
    // picture is sampled at mirrored phases), a few percent of the ink; a
    // picture left mirrored differs in far more.
    let Some(corpus) = corpus_dir() else {
        return;
    };
    let fax_page = |o: u32| {
        let bytes = std::fs::read(corpus.join(format!("pillow-g4_orientation_{o}.tif"))).unwrap();
        let fax = prepare(
            &bytes,
            &fields(),
            &options(Method::Threshold(128), Resolution::Fine),
        )
        .unwrap();
        decode_tiff(&fax.tiff, &ReadLimits::default())
            .unwrap()
            .remove(0)
    };
    let first = fax_page(1);
    let ink = first.count_black();
    assert!(ink > 1000);
    let mut mirrored = first.clone();
    for y in 0..first.height() {
        for x in 0..first.width() {
            mirrored.set(first.width() - 1 - x, y, first.get(x, y));
        }
    }
    assert!(
        differing(&first, &mirrored) > ink / 2,
        "the test picture is symmetric"
    );
    for o in 2..=8 {
        let page = fax_page(o);
        let diff = differing(&first, &page);
        assert!(
            diff * 100 < ink * 3,
            "orientation {o} differs from 1 in {diff} of {ink} black pixels"
        );
    }
}

#[test]
fn multi_page_g3_tiff_round_trips_against_libtiff() {
    if !require_tool("tiffcp") || !require_tool("tiffinfo") {
        return;
    }
    // Three fine pages, G3 2-D with LSB-first fill order, as fax modems
    // write them.
    let pages: Vec<BitPage> = (0..3u32)
        .map(|i| {
            let mut p = test_page(Resolution::Fine);
            p.fill_rect(100 + 300 * i, 1900, 300 + 300 * i, 2000);
            p
        })
        .collect();
    let topts = TiffOptions {
        compression: faxprep::codec::Compression::G3TwoD,
        fill_order: faxprep::codec::tiff::FillOrder::LsbFirst,
        ..TiffOptions::default()
    };
    let upload = write_tiff_f(&pages, &topts).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("multi.tif");
    std::fs::write(&path, &upload).unwrap();
    assert_eq!(tiffinfo_pages(&path), 3);
    let fax = prepare(&upload, &fields(), &options(Method::Auto, Resolution::Fine)).unwrap();
    assert_eq!((fax.document_pages, fax.total_pages), (3, 3));
    let theirs = libtiff_pages(&upload, tmp.path(), "in");
    let ours = libtiff_pages(&fax.tiff, tmp.path(), "out");
    assert_eq!(ours.len(), 3);
    for (i, (a, b)) in theirs.iter().zip(&ours).enumerate() {
        assert!(a == b, "page {i}");
        assert!(*b == pages[i], "page {i}");
    }
}

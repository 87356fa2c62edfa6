//! Issue 17, part 2: colour and gray TIFF uploads with
//! [`Limits::accept_tiff`] on.
//!
//! The oracle is libtiff: ImageMagick (which reads TIFF through libtiff)
//! writes each TIFF page out again as a PNG, and faxprep's gray page of
//! the TIFF page must equal its gray page of that PNG, which goes through
//! a different decoder (`png`) and the same gray and placement rules.
//! Lossless pages must be equal pixel for pixel; JPEG pages (libjpeg
//! against zune-jpeg) and CMYK pages (two CMYK-to-RGB roundings) within a
//! stated mean.
//!
//! - Every colour model and layout the raster stage documents: RGB LZW,
//!   RGB planar, RGB tiled Deflate, RGBA, gray 8-bit PackBits, gray
//!   16-bit Deflate, bilevel LZW, CMYK, JPEG as YCbCr and as RGB.
//! - A multi-page file mixing a G4 fax page, an LZW colour page and a JPEG
//!   page: `tiffinfo`'s page count, the fax page bit for bit, the others
//!   as the oracle's.
//! - What is not read (palette, 4-bit gray, planar YCbCr JPEG, JBIG, Lab) is a typed 400
//!   with a hint naming what is read; declared sizes beyond the caps are
//!   typed limits; colour strips that do not decode are a typed 400, not a
//!   panic.
#![allow(clippy::unwrap_used)] // test code: a panic is a failure report

mod common;
use common::fields;
use std::path::Path;
use std::process::Command;

use faxprep::codec::tiff::{ReadLimits, TiffOptions, decode_tiff, write_tiff_f};
use faxprep::halftone::Method;
use faxprep::intake::{Error as IntakeError, LimitKind};
use faxprep::page::{BitPage, DocumentFormat, GrayPage, Resolution};
use faxprep::raster::{RasterOptions, render_all};
use faxprep::{Error, ErrorType, Isolation, Options, prepare};
use faxprep_testkit::{AT_DATA, hand_made_tiff, require_tool};

fn options() -> Options {
    let mut o = Options::default();
    o.isolation = Isolation::InProcess;
    o.limits.accept_tiff = true;
    o.halftone = Method::Auto;
    o.resolution = Resolution::Fine;
    o
}

fn run(program: &str, args: &[&str], dir: &Path) {
    let out = Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn tools() -> bool {
    ["convert", "tiffcp", "tiffinfo"]
        .iter()
        .all(|t| require_tool(t))
}

/// A 640 x 420 8-bit RGB picture at 150 dpi with what a scan holds: a colour
/// gradient, saturated patches, black text, fine lines and a gray ramp.
fn source(dir: &Path) {
    run(
        "convert",
        &[
            "-size",
            "640x420",
            "gradient:#f4e8c8-#3050a0",
            "-fill",
            "#d02020",
            "-draw",
            "rectangle 20,20 200,140",
            "-fill",
            "#20a040",
            "-draw",
            "circle 420,110 480,170",
            "-fill",
            "black",
            "-pointsize",
            "28",
            "-draw",
            "text 30,250 'Rx 0.5 mg twice daily'",
            "-stroke",
            "black",
            "-draw",
            "line 20,300 620,302",
            "-density",
            "150",
            "-units",
            "PixelsPerInch",
            "-alpha",
            "off",
            "-depth",
            "8",
            "PNG24:src.png",
        ],
        dir,
    );
}

/// The gray pages faxprep's raster stage makes of `bytes`.
fn gray(bytes: &[u8], format: DocumentFormat) -> Vec<GrayPage> {
    render_all(bytes, format, &RasterOptions::default())
        .unwrap()
        .into_iter()
        .map(|p| p.page)
        .collect()
}

/// libtiff's reading of page `index` of `tif`, written as a PNG by
/// ImageMagick (8-bit unless the page has 16).
fn oracle(dir: &Path, tif: &str, index: usize, depth: &str) -> GrayPage {
    let png = format!("{tif}-{index}.png");
    run(
        "convert",
        &[&format!("{tif}[{index}]"), "-depth", depth, &png],
        dir,
    );
    let bytes = std::fs::read(dir.join(&png)).unwrap();
    gray(&bytes, DocumentFormat::Png).remove(0)
}

/// Mean and largest absolute difference of two pages of one size.
fn difference(a: &GrayPage, b: &GrayPage) -> (f64, u8) {
    assert_eq!((a.width(), a.height()), (b.width(), b.height()));
    let (mut sum, mut max) = (0u64, 0u8);
    for (x, y) in a.data().iter().zip(b.data()) {
        let d = x.abs_diff(*y);
        sum += u64::from(d);
        max = max.max(d);
    }
    (sum as f64 / a.data().len() as f64, max)
}

/// Pixels darker than the white paper: the picture was placed, not lost.
fn ink(page: &GrayPage) -> usize {
    page.data().iter().filter(|&&v| v < 200).count()
}

#[test]
fn colour_and_gray_pages_equal_libtiffs_reading() {
    if !tools() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    source(dir);
    // (file, how it is made, depth of the oracle's PNG, largest mean
    // difference allowed: 0 for lossless data).
    let variants: [(&str, &[&str], &str, f64); 10] = [
        (
            "rgb-lzw.tif",
            &["convert", "src.png", "-compress", "LZW", "rgb-lzw.tif"],
            "8",
            0.0,
        ),
        (
            "rgb-planar.tif",
            &[
                "tiffcp",
                "-p",
                "separate",
                "-c",
                "lzw",
                "rgb-lzw.tif",
                "rgb-planar.tif",
            ],
            "8",
            0.0,
        ),
        (
            "rgb-tiled.tif",
            &[
                "tiffcp",
                "-t",
                "-w",
                "64",
                "-l",
                "64",
                "-c",
                "zip",
                "rgb-lzw.tif",
                "rgb-tiled.tif",
            ],
            "8",
            0.0,
        ),
        (
            "rgba.tif",
            &[
                "convert",
                "src.png",
                "-alpha",
                "set",
                "-channel",
                "A",
                "-evaluate",
                "set",
                "60%",
                "+channel",
                "-compress",
                "LZW",
                "rgba.tif",
            ],
            "8",
            0.0,
        ),
        (
            "gray8-packbits.tif",
            &[
                "convert",
                "src.png",
                "-colorspace",
                "Gray",
                "-depth",
                "8",
                "-compress",
                "RLE",
                "gray8-packbits.tif",
            ],
            "8",
            0.0,
        ),
        (
            "gray16-zip.tif",
            &[
                "convert",
                "src.png",
                "-colorspace",
                "Gray",
                "-depth",
                "16",
                "-compress",
                "Zip",
                "gray16-zip.tif",
            ],
            "16",
            0.0,
        ),
        (
            "bilevel-lzw.tif",
            &[
                "convert",
                "src.png",
                "-colorspace",
                "Gray",
                "-threshold",
                "50%",
                "-type",
                "Bilevel",
                "-compress",
                "LZW",
                "bilevel-lzw.tif",
            ],
            "8",
            0.0,
        ),
        (
            "cmyk.tif",
            &[
                "convert",
                "src.png",
                "-colorspace",
                "CMYK",
                "-compress",
                "LZW",
                "cmyk.tif",
            ],
            "8",
            1.0,
        ),
        (
            "jpeg-ycbcr.tif",
            &["tiffcp", "-c", "jpeg:90", "rgb-lzw.tif", "jpeg-ycbcr.tif"],
            "8",
            1.0,
        ),
        (
            "jpeg-rgb.tif",
            &["tiffcp", "-c", "jpeg:r:90", "rgb-lzw.tif", "jpeg-rgb.tif"],
            "8",
            1.0,
        ),
    ];
    for (file, make, depth, allowed) in variants {
        run(make[0], &make[1..], dir);
        let info = Command::new("tiffinfo")
            .arg(dir.join(file))
            .output()
            .unwrap();
        let info = String::from_utf8_lossy(&info.stdout).to_string();
        let bytes = std::fs::read(dir.join(file)).unwrap();
        let ours = gray(&bytes, DocumentFormat::Tiff);
        assert_eq!(ours.len(), 1, "{file}");
        let theirs = oracle(dir, file, 0, depth);
        assert!(ink(&theirs) > 10_000, "{file}: the oracle page is blank");
        let (mean, max) = difference(&ours[0], &theirs);
        assert!(
            mean <= allowed,
            "{file}: mean difference {mean:.3} (largest {max}) from libtiff's reading\n{info}"
        );
        if allowed == 0.0 {
            assert_eq!(max, 0, "{file}\n{info}");
        }
        // The whole pipeline takes it too, in the isolated worker's code
        // path as in process.
        let fax = prepare(&bytes, &fields(), &options()).unwrap();
        assert_eq!(fax.document_pages, 1, "{file}");
    }
    // The JPEG variants really are what their names say.
    let info = Command::new("tiffinfo")
        .arg(dir.join("jpeg-ycbcr.tif"))
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&info.stdout).contains("YCbCr"));
}

/// A 1728-wide fine fax page with a bar, as fax software writes it.
fn fax_page() -> BitPage {
    let mut p = BitPage::new(1728, 2200, Resolution::Fine).unwrap();
    p.fill_rect(200, 300, 1500, 360);
    p
}

#[test]
fn a_file_mixing_fax_and_colour_pages_is_read_page_by_page() {
    if !tools() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    source(dir);
    let fax = fax_page();
    let g4 = write_tiff_f(std::slice::from_ref(&fax), &TiffOptions::default()).unwrap();
    std::fs::write(dir.join("fax.tif"), &g4).unwrap();
    run(
        "convert",
        &["src.png", "-compress", "LZW", "rgb-lzw.tif"],
        dir,
    );
    run("tiffcp", &["-c", "jpeg:90", "rgb-lzw.tif", "jpeg.tif"], dir);
    // tiffcp keeps each input's compression when no -c is given.
    run(
        "tiffcp",
        &["fax.tif", "rgb-lzw.tif", "jpeg.tif", "mixed.tif"],
        dir,
    );
    let info = Command::new("tiffinfo")
        .arg(dir.join("mixed.tif"))
        .output()
        .unwrap();
    let info = String::from_utf8_lossy(&info.stdout);
    let directories = info
        .lines()
        .filter(|l| l.starts_with("TIFF Directory at offset"))
        .count();
    assert_eq!(directories, 3);
    for scheme in ["CCITT Group 4", "LZW", "JPEG"] {
        assert!(info.contains(scheme), "{scheme} missing:\n{info}");
    }
    let bytes = std::fs::read(dir.join("mixed.tif")).unwrap();
    let ours = gray(&bytes, DocumentFormat::Tiff);
    assert_eq!(ours.len(), 3);
    assert_eq!(difference(&ours[1], &oracle(dir, "mixed.tif", 1, "8")).1, 0);
    assert!(difference(&ours[2], &oracle(dir, "mixed.tif", 2, "8")).0 <= 1.0);

    let prepared = prepare(&bytes, &fields(), &options()).unwrap();
    assert_eq!((prepared.document_pages, prepared.total_pages), (3, 3));
    let pages = decode_tiff(&prepared.tiff, &ReadLimits::default()).unwrap();
    assert_eq!(pages.len(), 3);
    // The fax page passes through, bit for bit.
    assert!(pages[0] == fax);
    // The colour pages are halftoned pictures with ink where the
    // picture has it.
    for p in &pages[1..] {
        assert!(p.count_black() > 10_000);
    }
}

fn refused(bytes: &[u8]) -> Error {
    prepare(bytes, &fields(), &options()).unwrap_err()
}

fn limit_hit(err: &Error) -> LimitKind {
    match err {
        Error::Intake(IntakeError::Limits { which, .. }) => *which,
        other => panic!("{other:?}"),
    }
}

fn unsupported_feature(err: &Error) -> String {
    match err {
        Error::Intake(IntakeError::Unsupported {
            format: DocumentFormat::Tiff,
            feature,
        }) => feature.clone(),
        other => panic!("{other:?}"),
    }
}

#[test]
fn what_is_not_read_is_named_with_a_hint() {
    if !tools() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    source(dir);
    run(
        "convert",
        &["src.png", "-compress", "LZW", "rgb-lzw.tif"],
        dir,
    );
    for (file, make, named) in [
        (
            "palette.tif",
            &[
                "convert",
                "src.png",
                "-colors",
                "16",
                "-type",
                "Palette",
                "-compress",
                "LZW",
                "palette.tif",
            ][..],
            "palette colour on page 1",
        ),
        (
            "gray4.tif",
            &[
                "convert",
                "src.png",
                "-colorspace",
                "Gray",
                "-depth",
                "4",
                "gray4.tif",
            ][..],
            "4 bits per sample on page 1",
        ),
        (
            "planar-jpeg.tif",
            &[
                "tiffcp",
                "-p",
                "separate",
                "-c",
                "jpeg",
                "rgb-lzw.tif",
                "planar-jpeg.tif",
            ][..],
            "ycbcr jpeg in separate planes on page 1",
        ),
        (
            "lab.tif",
            &[
                "convert",
                "src.png",
                "-colorspace",
                "Lab",
                "-compress",
                "LZW",
                "lab.tif",
            ][..],
            "lab colour on page 1",
        ),
    ] {
        run(make[0], &make[1..], dir);
        let err = refused(&std::fs::read(dir.join(file)).unwrap());
        assert_eq!(unsupported_feature(&err), named, "{file}");
        let body = err.api_error();
        assert_eq!(body.error_type, ErrorType::BadRequest);
        assert_eq!(err.http_status(), 400);
        assert!(body.hint.contains("LZW"), "{}", body.hint);
    }
}

/// A gray or RGB page (`samples` 1 or 3, 8 or 16 bits) with one strip of
/// `data`, declared `width` x `height`.
fn colour_page(
    width: u32,
    height: u32,
    samples: u32,
    bits: u32,
    compression: u32,
    data: &[u8],
) -> Vec<u8> {
    let photometric = if samples == 3 { 2 } else { 1 };
    // BitsPerSample with three values does not fit the entry: every
    // sample's value is the first one's here, as one SHORT (readers take
    // a single value for all samples).
    hand_made_tiff(
        &[vec![
            (256, 4, 1, width),
            (257, 4, 1, height),
            (258, 3, 1, bits),
            (259, 3, 1, compression),
            (262, 3, 1, photometric),
            (273, 4, 1, AT_DATA),
            (277, 3, 1, samples),
            (278, 4, 1, height),
            (279, 4, 1, data.len() as u32),
        ]],
        None,
        data,
    )
}

#[test]
fn hostile_colour_pages_are_typed_rejections() {
    // 10 000 x 10 000 RGB at 16 bits: 600 MB of samples, past the
    // decompressed-bytes cap, declared in a file of 100 bytes.
    let huge = colour_page(10_000, 10_000, 3, 16, 5, &[0u8; 32]);
    assert_eq!(limit_hit(&refused(&huge)), LimitKind::DecompressedBytes);
    // 7000 x 7000 RGB at 8 bits, 147 MB, under that cap but more than 400
    // times a file of 100 bytes and past the 64 MiB any file may decode
    // to: a decompression bomb.
    let bomb = colour_page(7_000, 7_000, 3, 8, 5, &[0u8; 32]);
    assert_eq!(limit_hit(&refused(&bomb)), LimitKind::DecompressionRatio);
    // Pixels past the cap.
    let wide = colour_page(60_000, 60_000, 1, 8, 1, &[0u8; 32]);
    assert_eq!(limit_hit(&refused(&wide)), LimitKind::ImagePixels);
    // JBIG is never read.
    let jbig = colour_page(64, 64, 1, 8, 34661, &[0u8; 32]);
    assert!(unsupported_feature(&refused(&jbig)).contains("jbig"));
    // Strips that do not decode as their compression says, and a strip
    // too short for the page: a 400 for the sender, never a panic.
    let mut junk = vec![0xffu8; 2048];
    junk[..4].copy_from_slice(&[0xff, 0xd8, 0x00, 0x01]);
    for (name, bytes) in [
        ("lzw", colour_page(64, 64, 3, 8, 5, &junk)),
        ("deflate", colour_page(64, 64, 1, 8, 8, &junk)),
        ("jpeg", colour_page(64, 64, 3, 8, 7, &junk)),
        ("short", colour_page(64, 64, 3, 8, 1, &[0u8; 100])),
        ("packbits", colour_page(64, 64, 1, 8, 32773, &[0x81, 0x00])),
    ] {
        let err = refused(&bytes);
        assert_eq!(err.http_status(), 400, "{name}: {err:?}");
        let body = err.api_error();
        assert!(!body.error.contains("Error {"), "{name}: {}", body.error);
        assert!(!body.hint.is_empty(), "{name}");
    }
}

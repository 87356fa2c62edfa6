//! Issue 16, item 4: legal JPEGs that the renderer's decoder cannot read
//! (arithmetic coding, 12-bit samples) are refused at intake with a typed
//! error whose hint says what to do, instead of failing at rendering with
//! a decoder's message.
#![allow(clippy::unwrap_used)] // test code: a panic is a failure report

use faxprep_intake::{DocumentFormat, Error, IntakeOptions, check_document};
use faxprep_testkit::require_tool;
use std::process::Command;

/// A 16 x 16 gray ramp through libjpeg's `cjpeg` with `args`, and whether
/// libjpeg's `djpeg` decodes the result (it is a legal JPEG).
fn cjpeg(args: &[&str]) -> Vec<u8> {
    let dir = std::env::temp_dir().join(format!("faxprep-cjpeg-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (pgm, jpg) = (dir.join("in.pgm"), dir.join("out.jpg"));
    let mut image = b"P5 16 16 255\n".to_vec();
    image.extend((0..256u32).map(|i| i as u8));
    std::fs::write(&pgm, image).unwrap();
    let ok = Command::new("cjpeg")
        .args(args)
        .arg("-outfile")
        .arg(&jpg)
        .arg(&pgm)
        .status()
        .unwrap()
        .success();
    assert!(ok, "cjpeg {args:?}");
    let decoded = Command::new("djpeg").arg(&jpg).output().unwrap();
    assert!(decoded.status.success() && decoded.stdout.starts_with(b"P5"));
    let out = std::fs::read(&jpg).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    out
}

#[test]
fn arithmetic_coded_jpeg_is_a_typed_rejection_with_a_hint() {
    if !require_tool("cjpeg") || !require_tool("djpeg") {
        return;
    }
    let baseline = cjpeg(&[]);
    assert_eq!(
        check_document(&baseline, &IntakeOptions::default())
            .unwrap()
            .pages,
        1
    );
    for args in [&["-arithmetic"][..], &["-arithmetic", "-progressive"][..]] {
        let jpeg = cjpeg(args);
        let err = check_document(&jpeg, &IntakeOptions::default()).unwrap_err();
        assert_eq!(
            err,
            Error::Unsupported {
                format: DocumentFormat::Jpeg,
                feature: "arithmetic-coded images".into(),
            },
            "{args:?}"
        );
        let body = err.api_error();
        assert_eq!(body.error, "Unsupported JPEG: arithmetic-coded images.");
        assert!(body.hint.contains("save the image as PNG"), "{}", body.hint);
        assert_eq!(err.http_status(), 400);
    }
}

#[test]
fn twelve_bit_jpeg_is_a_typed_rejection() {
    // SOI, SOF1 (extended sequential, Huffman) with 12-bit samples, 8 x 8,
    // one component; a scan header; EOI.
    let mut jpeg = vec![0xff, 0xd8, 0xff, 0xc1, 0, 11, 12, 0, 8, 0, 8, 1, 1, 0x11, 0];
    jpeg.extend_from_slice(&[0xff, 0xda, 0, 8, 1, 1, 0, 0, 63, 0, 0x12, 0x34, 0xff, 0xd9]);
    assert_eq!(
        check_document(&jpeg, &IntakeOptions::default()).unwrap_err(),
        Error::Unsupported {
            format: DocumentFormat::Jpeg,
            feature: "images with 12 bits per sample".into(),
        }
    );
    // The same at 8 bits is accepted.
    jpeg[6] = 8;
    assert_eq!(
        check_document(&jpeg, &IntakeOptions::default())
            .unwrap()
            .pages,
        1
    );
}

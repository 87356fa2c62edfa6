//! Oversized PDF images are averaged down before rendering, and nothing
//! else in the file changes.
#![allow(clippy::unwrap_used)] // helpers of tests: a failed unwrap fails the test

use std::io::{Read, Write};

use faxprep_intake::{
    IntakeOptions, Limits, SHRINK_IMAGES_ABOVE, SHRINK_IMAGES_TO, check_document, shrink_images,
    shrink_images_with,
};
use flate2::{Compression, read::ZlibDecoder, write::ZlibEncoder};
use lopdf::{Document, Object, Stream, dictionary};

/// A gradient that differs in every channel, so averaging is visible.
fn pixel(x: usize, y: usize, c: usize) -> u8 {
    ((x / 3 + y / 5 + c * 40) % 256) as u8
}

/// A one-page PDF drawing a `w` x `h` RGB image with the given extra
/// image dictionary entries; PNG "Up" prediction when `png`.
fn pdf_with_image(w: usize, h: usize, png: bool, extra: &[(&str, Object)]) -> Vec<u8> {
    let mut raw = Vec::with_capacity((w * 3 + 1) * h);
    let mut prev = vec![0u8; w * 3];
    for y in 0..h {
        let row: Vec<u8> = (0..w * 3).map(|i| pixel(i / 3, y, i % 3)).collect();
        if png {
            raw.push(2);
            raw.extend(row.iter().zip(&prev).map(|(v, p)| v.wrapping_sub(*p)));
        } else {
            raw.extend_from_slice(&row);
        }
        prev = row;
    }
    let mut z = ZlibEncoder::new(Vec::new(), Compression::fast());
    z.write_all(&raw).unwrap();
    let data = z.finish().unwrap();

    let mut doc = Document::with_version("1.7");
    let mut image = dictionary! {
        "Type" => "XObject",
        "Subtype" => "Image",
        "Width" => w as i64,
        "Height" => h as i64,
        "ColorSpace" => "DeviceRGB",
        "BitsPerComponent" => 8,
        "Filter" => "FlateDecode",
    };
    if png {
        image.set(
            "DecodeParms",
            dictionary! { "Predictor" => 12, "Colors" => 3, "Columns" => w as i64 },
        );
    }
    for (k, v) in extra {
        image.set(*k, v.clone());
    }
    let image_id = doc.add_object(Stream::new(image, data));
    let content = doc.add_object(Stream::new(
        dictionary! {},
        b"q 612 0 0 792 0 0 cm /Im0 Do Q".to_vec(),
    ));
    let pages_id = doc.new_object_id();
    let page_id = doc.add_object(dictionary! {
        "Type" => "Page",
        "Parent" => pages_id,
        "MediaBox" => vec![0.into(), 0.into(), 612.into(), 792.into()],
        "Contents" => content,
        "Resources" => dictionary! { "XObject" => dictionary! { "Im0" => image_id } },
    });
    faxprep_testkit::finish_pdf(doc, pages_id, vec![page_id.into()])
}

fn opts() -> IntakeOptions {
    // The gradient compresses far better than a photo would: lift the
    // ratio and size caps, which are intake's business, not this test's.
    IntakeOptions {
        limits: Limits::unlimited(),
        ..IntakeOptions::default()
    }
}

/// The first image of a PDF: (width, height, decoded samples).
fn image_of(pdf: &[u8]) -> (usize, usize, Vec<u8>) {
    let doc = Document::load_mem(pdf).unwrap();
    let s = doc
        .objects
        .values()
        .find_map(|o| match o {
            Object::Stream(s)
                if s.dict.get(b"Subtype").and_then(Object::as_name).ok() == Some(b"Image") =>
            {
                Some(s.clone())
            }
            _ => None,
        })
        .unwrap();
    let int = |k: &[u8]| s.dict.get(k).unwrap().as_i64().unwrap() as usize;
    let mut data = Vec::new();
    ZlibDecoder::new(&s.content[..])
        .read_to_end(&mut data)
        .unwrap();
    (int(b"Width"), int(b"Height"), data)
}

#[test]
fn a_huge_image_is_averaged_down_and_the_page_kept() {
    // 5000 x 5000 RGB: 75 MB decoded, over the 64 MiB trigger.
    let (w, h) = (5000, 5000);
    assert!((w * h * 3) as u64 > SHRINK_IMAGES_ABOVE);
    let pdf = pdf_with_image(w, h, true, &[]);
    let doc = check_document(&pdf, &opts()).unwrap();
    assert_eq!(doc.largest_image_bytes, (w * h * 3) as u64);
    let small = shrink_images(&pdf, &opts()).unwrap().expect("shrunk");
    let (sw, sh, data) = image_of(&small);
    // 2 x 2 boxes: 18.75 MB, under the 32 MiB target.
    assert_eq!((sw, sh), (2500, 2500));
    assert!((sw * sh * 3) as u64 <= SHRINK_IMAGES_TO);
    assert_eq!(data.len(), sw * sh * 3);
    for (x, y) in [(0, 0), (17, 1203), (2499, 2499), (1250, 7)] {
        for c in 0..3 {
            let sum: u32 = [(0, 0), (1, 0), (0, 1), (1, 1)]
                .iter()
                .map(|(dx, dy)| u32::from(pixel(2 * x + dx, 2 * y + dy, c)))
                .sum();
            assert_eq!(data[(y * sw + x) * 3 + c], ((sum + 2) / 4) as u8, "{x},{y}");
        }
    }
    // Still a valid one-page PDF for intake.
    let again = check_document(&small, &opts()).unwrap();
    assert_eq!(again.pages, 1);
    assert!(again.largest_image_bytes <= SHRINK_IMAGES_TO);
}

#[test]
fn images_it_cannot_average_are_left_alone() {
    let (w, h) = (5000, 5000);
    // Under the trigger.
    let small = pdf_with_image(1000, 1000, false, &[]);
    assert_eq!(shrink_images(&small, &opts()).unwrap(), None);
    // A soft mask (it would have to shrink too), a /Decode array.
    for extra in [
        ("SMask", Object::Reference((999, 0))),
        (
            "Decode",
            Object::Array(vec![
                1.into(),
                0.into(),
                1.into(),
                0.into(),
                1.into(),
                0.into(),
            ]),
        ),
    ] {
        let pdf = pdf_with_image(w, h, false, &[extra]);
        assert_eq!(shrink_images(&pdf, &opts()).unwrap(), None);
    }
    // Not a PDF.
    assert_eq!(shrink_images(b"\x89PNG\r\n\x1a\n", &opts()).unwrap(), None);
}

#[test]
fn encrypted_files_are_shrunk_and_come_back_decrypted() {
    if !faxprep_testkit::require_tool("qpdf") {
        return;
    }
    // Shrinking everything (thresholds 0 and 4 KiB): the file encrypted with
    // a user password is opened with it, its image averaged down like the
    // plain file's, and written decrypted, for the renderer beside it.
    let plain = pdf_with_image(300, 200, true, &[]);
    let shrunk_plain = shrink_images_with(&plain, &opts(), 0, 4096)
        .unwrap()
        .unwrap();
    let encrypted = faxprep_testkit::qpdf_encrypt(&plain, "user", "owner");
    let with_password = IntakeOptions {
        password: Some("user".into()),
        ..opts()
    };
    assert!(
        check_document(&encrypted, &with_password)
            .unwrap()
            .encrypted
    );
    let shrunk = shrink_images_with(&encrypted, &with_password, 0, 4096)
        .unwrap()
        .unwrap();
    let doc = check_document(&shrunk, &opts()).unwrap();
    assert!(!doc.encrypted);
    assert_eq!(
        doc.largest_image_bytes,
        check_document(&shrunk_plain, &opts())
            .unwrap()
            .largest_image_bytes
    );
    assert!(doc.largest_image_bytes < 300 * 200 * 3);
}

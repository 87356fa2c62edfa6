//! Fixtures the tests build themselves: PDFs written with lopdf, JPEGs
//! with `image`'s encoder plus a hand-made EXIF segment.
#![allow(dead_code)]

use lopdf::{Document, Object, Stream, dictionary};

/// The 14 standard fonts (ISO 32000-1 §9.6.2.2).
pub const BASE14: [&str; 14] = [
    "Helvetica",
    "Helvetica-Bold",
    "Helvetica-Oblique",
    "Helvetica-BoldOblique",
    "Times-Roman",
    "Times-Bold",
    "Times-Italic",
    "Times-BoldItalic",
    "Courier",
    "Courier-Bold",
    "Courier-Oblique",
    "Courier-BoldOblique",
    "Symbol",
    "ZapfDingbats",
];

/// One page: media box, optional /Rotate and crop box, content stream.
pub struct PageSpec {
    pub media: [f32; 4],
    pub rotate: Option<i64>,
    pub crop: Option<[f32; 4]>,
    pub content: String,
}

impl PageSpec {
    pub fn new(w: f32, h: f32, content: String) -> Self {
        PageSpec {
            media: [0.0, 0.0, w, h],
            rotate: None,
            crop: None,
            content,
        }
    }
}

/// A frame 18 pt inside the page, a filled marker square in the top-left
/// corner (so orientation is visible) and a caption.
pub fn framed(w: f32, h: f32, caption: &str) -> String {
    format!(
        "2 w 18 18 {fw} {fh} re S\n\
         0 0 0 rg 30 {my} 60 60 re f\n\
         0.5 g 30 30 {gw} 40 re f\n\
         BT /F1 36 Tf 110 {ty} Td ({caption}) Tj ET\n",
        fw = w - 36.0,
        fh = h - 36.0,
        my = h - 90.0,
        gw = w - 60.0,
        ty = h - 80.0,
    )
}

/// A PDF of `pages`; every page's /F1 is Helvetica and /F<n+2> is the
/// n-th base-14 font.
pub fn pdf(pages: &[PageSpec]) -> Vec<u8> {
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let mut fonts = lopdf::Dictionary::new();
    fonts.set(
        "F1",
        dictionary! { "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica" },
    );
    for (i, name) in BASE14.iter().enumerate() {
        let font = doc.add_object(dictionary! {
            "Type" => "Font", "Subtype" => "Type1", "BaseFont" => *name,
        });
        fonts.set(format!("F{}", i + 2), font);
    }
    let resources = doc.add_object(dictionary! { "Font" => fonts });
    let mut kids = Vec::new();
    for spec in pages {
        let content = doc.add_object(Stream::new(
            dictionary! {},
            spec.content.clone().into_bytes(),
        ));
        let rect = |r: [f32; 4]| Object::Array(r.iter().map(|&v| Object::Real(v)).collect());
        let mut page = dictionary! {
            "Type" => "Page",
            "Parent" => pages_id,
            "MediaBox" => rect(spec.media),
            "Contents" => content,
            "Resources" => resources,
        };
        if let Some(r) = spec.rotate {
            page.set("Rotate", r);
        }
        if let Some(c) = spec.crop {
            page.set("CropBox", rect(c));
        }
        kids.push(Object::Reference(doc.add_object(page)));
    }
    faxprep_testkit::finish_pdf(doc, pages_id, kids)
}

/// A Letter page with one line in each base-14 font.
pub fn base14_page() -> PageSpec {
    let mut content = String::from("BT\n");
    for (i, name) in BASE14.iter().enumerate() {
        let y = 740 - 50 * i as i32;
        let text = match *name {
            "Symbol" => "abgdepq ABGD 123 +-=",
            "ZapfDingbats" => "3456789 nopq ABCD",
            _ => "The quick brown fox 0123",
        };
        content.push_str(&format!(
            "/F{} 20 Tf 1 0 0 1 40 {y} Tm ({text}) Tj /F1 10 Tf 1 0 0 1 420 {y} Tm ({name}) Tj\n",
            i + 2
        ));
    }
    content.push_str("ET\n");
    PageSpec::new(612.0, 792.0, content)
}

/// An upright test picture, `w x h` gray: white with a black block in the
/// top-left corner, a dark bar along the top and a gray bar down the left,
/// so each of the 8 orientations looks different.
pub fn upright_picture(w: u32, h: u32) -> image::GrayImage {
    image::GrayImage::from_fn(w, h, |x, y| {
        let v = if x < w / 4 && y < h / 4 {
            0
        } else if y < h / 10 {
            60
        } else if x < w / 12 {
            160
        } else if (x / 8 + y / 8) % 2 == 0 && x > w / 2 && y > h / 2 {
            100
        } else {
            255
        };
        image::Luma([v])
    })
}

/// The stored pixels that, with EXIF orientation `o` (1..=8) applied,
/// display as `upright` (the inverse of the EXIF transform).
pub fn stored_for_orientation(upright: &image::GrayImage, o: u16) -> image::GrayImage {
    use image::imageops::{flip_horizontal, flip_vertical, rotate90, rotate180, rotate270};
    match o {
        1 => upright.clone(),
        2 => flip_horizontal(upright),
        3 => rotate180(upright),
        4 => flip_vertical(upright),
        // 5: transpose (self-inverse).
        5 => flip_horizontal(&rotate90(upright)),
        // 6: viewer rotates 90 cw, so store it turned 90 ccw.
        6 => rotate270(upright),
        // 7: transverse (self-inverse).
        7 => rotate90(&flip_horizontal(upright)),
        8 => rotate90(upright),
        _ => panic!("orientation {o}"),
    }
}

/// Encode a gray JPEG and insert an APP1 EXIF segment with `orientation`
/// (TIFF 6.0 tag 274, big-endian IFD with one SHORT entry).
pub fn jpeg_with_orientation(img: &image::GrayImage, orientation: u16) -> Vec<u8> {
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 95)
        .encode_image(img)
        .expect("encode jpeg");
    let mut tiff = b"MM\x00\x2a\x00\x00\x00\x08".to_vec();
    tiff.extend_from_slice(&1u16.to_be_bytes());
    tiff.extend_from_slice(&0x0112u16.to_be_bytes());
    tiff.extend_from_slice(&3u16.to_be_bytes());
    tiff.extend_from_slice(&1u32.to_be_bytes());
    tiff.extend_from_slice(&orientation.to_be_bytes());
    tiff.extend_from_slice(&[0, 0]);
    tiff.extend_from_slice(&0u32.to_be_bytes());
    let mut app1 = vec![0xff, 0xe1];
    let len = (2 + 6 + tiff.len()) as u16;
    app1.extend_from_slice(&len.to_be_bytes());
    app1.extend_from_slice(b"Exif\0\0");
    app1.extend_from_slice(&tiff);
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&app1);
    out.extend_from_slice(&jpeg[2..]);
    out
}

/// Mean absolute difference of two equally sized buffers.
pub fn mean_abs_diff(a: &[u8], b: &[u8]) -> f64 {
    assert_eq!(a.len(), b.len());
    let sum: u64 = a
        .iter()
        .zip(b)
        .map(|(x, y)| u64::from(x.abs_diff(*y)))
        .sum();
    sum as f64 / a.len() as f64
}

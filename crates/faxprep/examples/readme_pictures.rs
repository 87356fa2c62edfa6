//! Writes `fixtures/docs/pictures.png`, the README's before and after of
//! pictures, and prints the G4 bytes and seconds on a 14.4 kbit/s line of
//! each page:
//!
//!   cargo run --release -p faxprep --example readme_pictures
//!
//! Row 1: a letter photographed on a table (made by
//! `faxprep_testkit::pictures`: Ghostscript sets the letter, so gs must be
//! installed), Floyd-Steinberg's dither of it, and `auto`. Row 2: the
//! synthetic photo `fixtures/docs/photo.jpg`, Floyd-Steinberg, and `auto`.
//! Each panel is the fax page averaged down to a quarter.

use faxprep::codec::{EncodeOptions, encode};
use faxprep::halftone::{HalftoneOptions, Method, halftone_with_report};
use faxprep::page::{BitPage, DocumentFormat, GrayPage};
use faxprep::raster::{RasterOptions, render};
use faxprep_testkit::pictures::{letter_page, photograph};
use image::GrayImage;

const SCALE: u32 = 4;

fn quarter(width: u32, height: u32, value: impl Fn(u32, u32) -> u8) -> GrayImage {
    let (w, h) = (width / SCALE, height / SCALE);
    GrayImage::from_fn(w, h, |x, y| {
        let mut sum = 0u32;
        for dy in 0..SCALE {
            for dx in 0..SCALE {
                sum += u32::from(value(x * SCALE + dx, y * SCALE + dy));
            }
        }
        image::Luma([(sum / (SCALE * SCALE)) as u8])
    })
}

fn gray_panel(page: &GrayPage) -> GrayImage {
    quarter(page.width(), page.height(), |x, y| page.get(x, y))
}

fn bit_panel(bits: &BitPage) -> GrayImage {
    quarter(bits.width(), bits.height(), |x, y| {
        if bits.get(x, y) { 0 } else { 255 }
    })
}

/// Halftone `page` with `method`; the panel, G4 bytes and the content.
fn fax(page: &GrayPage, method: Method) -> (GrayImage, usize, String) {
    let (bits, report) = halftone_with_report(page, method, &HalftoneOptions::default());
    let g4 = encode(&bits, &EncodeOptions::g4()).len();
    (bit_panel(&bits), g4, report.content.name().to_owned())
}

fn main() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/docs");
    let letter = letter_page().expect("Ghostscript sets the letter");
    let paper = photograph(&letter);
    let photo_bytes = std::fs::read(format!("{root}/photo.jpg")).expect("photo.jpg");
    let mut photo = None;
    render(
        &photo_bytes,
        DocumentFormat::Jpeg,
        &RasterOptions::default(),
        |p| {
            photo = Some(p.page);
            Ok::<(), ()>(())
        },
    )
    .expect("photo renders");
    let photo = photo.expect("one page");

    let mut rows = Vec::new();
    for (name, page) in [("phone photo of a letter", &paper), ("photo", &photo)] {
        let before = fax(page, Method::FloydSteinberg);
        let after = fax(page, Method::Auto);
        for (label, (_, bytes, content)) in [("floyd-steinberg", &before), ("auto", &after)] {
            println!(
                "{name}: {label}: {bytes} bytes of G4, {:.0} s at 14.4 kbit/s ({content})",
                *bytes as f64 / 1800.0
            );
        }
        rows.push([gray_panel(page), before.0, after.0]);
    }
    let (pw, ph) = (rows[0][0].width(), rows[0][0].height());
    let gap = 8;
    let mut out = GrayImage::from_pixel(3 * pw + 2 * gap, 2 * ph + gap, image::Luma([160]));
    for (r, row) in rows.iter().enumerate() {
        for (c, panel) in row.iter().enumerate() {
            image::imageops::replace(
                &mut out,
                panel,
                i64::from(c as u32 * (pw + gap)),
                i64::from(r as u32 * (ph + gap)),
            );
        }
    }
    out.save(format!("{root}/pictures.png"))
        .expect("pictures.png written");
}

//! Writes the documents the README and the end-to-end tests use, so that
//! every fixture in the repository is one the project made itself:
//!
//!   cargo run -p faxprep --example gen_fixtures
//!
//! - `fixtures/docs/letter.pdf`: a one-page Letter prescription-style
//!   letter in base-14 fonts, with rules, a gray table and small print;
//! - `fixtures/docs/ten-pages.pdf`: ten pages of numbered text (the bench
//!   and the billing tests);
//! - `fixtures/docs/photo.jpg` and `fixtures/docs/chart.png`: a synthetic
//!   photo-like gradient scene and a line chart.

use lopdf::{Document, Object, Stream, dictionary};

fn text_page(
    lines: &[(f32, f32, &str, f32, &str)],
    rules: &[(f32, f32, f32, f32)],
    gray: &[(f32, f32, f32, f32, f32)],
) -> Vec<u8> {
    let mut ops = String::new();
    for &(x, y, w, h, g) in gray {
        ops.push_str(&format!("{g} g {x} {y} {w} {h} re f\n"));
    }
    ops.push_str("0 g\n");
    for &(x0, y0, x1, y1) in rules {
        ops.push_str(&format!("0.75 w {x0} {y0} m {x1} {y1} l S\n"));
    }
    for &(x, y, font, size, text) in lines {
        let text = text
            .replace('\\', "\\\\")
            .replace('(', "\\(")
            .replace(')', "\\)");
        ops.push_str(&format!("BT /{font} {size} Tf {x} {y} Td ({text}) Tj ET\n"));
    }
    ops.into_bytes()
}

fn fonts() -> lopdf::Dictionary {
    let mut d = lopdf::Dictionary::new();
    for (name, base) in [
        ("F1", "Helvetica"),
        ("F2", "Helvetica-Bold"),
        ("F3", "Times-Roman"),
        ("F4", "Courier"),
    ] {
        d.set(name, dictionary! { "Type" => "Font", "Subtype" => "Type1", "BaseFont" => base, "Encoding" => "WinAnsiEncoding" });
    }
    d
}

fn write_pdf(path: &str, pages: Vec<Vec<u8>>) {
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let font_id = doc.add_object(fonts());
    let mut kids = Vec::new();
    for content in pages {
        let content_id = doc.add_object(Stream::new(dictionary! {}, content));
        let page = doc.add_object(dictionary! {
            "Type" => "Page", "Parent" => pages_id,
            "MediaBox" => vec![0.into(), 0.into(), 612.into(), 792.into()],
            "Resources" => dictionary! { "Font" => font_id },
            "Contents" => content_id,
        });
        kids.push(Object::Reference(page));
    }
    let count = kids.len() as i64;
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => count }),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    doc.compress();
    doc.save(path).expect("write pdf");
}

fn letter() -> Vec<u8> {
    let mut lines: Vec<(f32, f32, &str, f32, &str)> = vec![
        (72.0, 720.0, "F2", 20.0, "Riverside Family Clinic"),
        (
            72.0,
            700.0,
            "F1",
            10.0,
            "1200 Harbor Avenue, Suite 4  -  Springfield, IL 62701  -  Tel (217) 555-0147",
        ),
        (72.0, 650.0, "F2", 14.0, "Prescription"),
        (
            72.0,
            625.0,
            "F1",
            11.0,
            "Patient: Jane Q. Example        Date of birth: 03/14/1961        Date: 11/28/2026",
        ),
        (
            90.0,
            578.0,
            "F4",
            11.0,
            "Medication                 Strength   Dose          Qty",
        ),
        (
            90.0,
            556.0,
            "F4",
            11.0,
            "Amoxicillin                500 mg     1 cap tid     30",
        ),
        (
            90.0,
            536.0,
            "F4",
            11.0,
            "Lisinopril                 10 mg      1 tab daily   90",
        ),
        (
            90.0,
            516.0,
            "F4",
            11.0,
            "Metformin ER               750 mg     2 tabs qpm    180",
        ),
        (
            72.0,
            470.0,
            "F3",
            12.0,
            "Dear pharmacist, please dispense the medications above. The patient reports",
        ),
        (
            72.0,
            455.0,
            "F3",
            12.0,
            "no known drug allergies. Substitution with a generic equivalent is permitted.",
        ),
        (
            72.0,
            440.0,
            "F3",
            12.0,
            "Please call the clinic with any questions about this prescription.",
        ),
        (
            72.0,
            360.0,
            "F1",
            11.0,
            "Prescriber: Dr. Maria Gonzalez, MD      NPI 1234567893      DEA AB1234563",
        ),
        (
            72.0,
            120.0,
            "F1",
            6.0,
            "CONFIDENTIAL: this fax contains protected health information. If you received it in error, notify the sender and destroy it.",
        ),
    ];
    lines.push((
        72.0,
        300.0,
        "F1",
        9.0,
        "Signature: ______________________________",
    ));
    let rules = [
        (72.0, 690.0, 540.0, 690.0),
        (84.0, 570.0, 528.0, 570.0),
        (84.0, 508.0, 528.0, 508.0),
        (72.0, 130.0, 540.0, 130.0),
    ];
    let gray = [
        (84.0, 550.0, 444.0, 18.0, 0.9),
        (84.0, 510.0, 444.0, 18.0, 0.9),
    ];
    text_page(&lines, &rules, &gray)
}

fn numbered_page(n: usize) -> Vec<u8> {
    let heading = format!("Page {n} of 10: quarterly report");
    let body: Vec<String> = (0..40)
        .map(|i| {
            format!(
                "{:02}. The quick brown fox jumps over the lazy dog; line {} of page {n}.",
                i + 1,
                i + 1
            )
        })
        .collect();
    let mut lines: Vec<(f32, f32, &str, f32, &str)> =
        vec![(72.0, 720.0, "F2", 16.0, heading.as_str())];
    for (i, l) in body.iter().enumerate() {
        lines.push((72.0, 690.0 - 15.0 * i as f32, "F3", 11.0, l.as_str()));
    }
    text_page(&lines, &[(72.0, 710.0, 540.0, 710.0)], &[])
}

/// A triangle wave in [-1, 1] with period 4 (deterministic everywhere,
/// unlike `sin`).
fn wave(t: f32) -> f32 {
    let p = t.rem_euclid(4.0);
    if p < 2.0 { p - 1.0 } else { 3.0 - p }
}

fn photo() -> image::RgbImage {
    image::RgbImage::from_fn(900, 600, |x, y| {
        let (fx, fy) = (x as f32 / 900.0, y as f32 / 600.0);
        let sky = (200.0 - 120.0 * fy) as u8;
        let hill = fy > 0.55 + 0.1 * wave(fx * 6.0);
        let sun = (fx - 0.75).powi(2) + (fy - 0.25).powi(2) < 0.01;
        if sun {
            image::Rgb([250, 230, 120])
        } else if hill {
            let shade = (60.0 + 100.0 * fx * (1.0 - fy)) as u8;
            image::Rgb([shade / 2, shade, shade / 3])
        } else {
            image::Rgb([sky / 2, sky / 2 + 30, sky])
        }
    })
}

fn chart() -> image::GrayImage {
    let mut img = image::GrayImage::from_pixel(800, 500, image::Luma([255]));
    for x in 40..780 {
        img.put_pixel(x, 460, image::Luma([0]));
        let y = 460.0 - 300.0 * (x as f32 / 760.0) - 60.0 * wave(x as f32 / 60.0);
        for t in 0..3 {
            img.put_pixel(x, (y as u32).saturating_add(t).min(499), image::Luma([40]));
        }
    }
    for y in 40..461 {
        img.put_pixel(40, y, image::Luma([0]));
    }
    img
}

fn main() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/docs");
    std::fs::create_dir_all(root).expect("mkdir");
    write_pdf(&format!("{root}/letter.pdf"), vec![letter()]);
    write_pdf(
        &format!("{root}/ten-pages.pdf"),
        (1..=10).map(numbered_page).collect(),
    );
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 85)
        .encode_image(&photo())
        .expect("encode jpeg");
    std::fs::write(format!("{root}/photo.jpg"), jpeg).expect("write jpeg");
    chart()
        .save(format!("{root}/chart.png"))
        .expect("write png");
}

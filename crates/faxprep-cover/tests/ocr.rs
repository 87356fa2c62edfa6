//! OCR oracle: tesseract reads every field of a generated cover back.
//! Runs when tesseract is installed; with FAXPREP_REQUIRE_ORACLES=1 a
//! missing tesseract fails the test.

mod common;

use common::*;
use faxprep_cover::{CoverFields, render_cover};
use faxprep_page::{BitPage, Resolution};
use std::process::Command;

/// Write `page` as a PNG with near-square pixels (standard-resolution rows
/// are doubled) and return what tesseract reads, whitespace removed.
fn ocr(page: &BitPage, dir: &std::path::Path) -> String {
    let repeat = if page.resolution() == Resolution::Standard {
        2
    } else {
        1
    };
    let (w, h) = (page.width(), page.height());
    let gray = page.to_gray_bytes();
    let img = image::GrayImage::from_fn(w, h * repeat, |x, y| {
        image::Luma([gray[((y / repeat) * w + x) as usize]])
    });
    let path = dir.join("cover.png");
    img.save(&path).expect("write the png");
    let out = Command::new("tesseract")
        .arg(&path)
        .arg("-")
        .args(["--psm", "4", "-l", "eng"])
        .output()
        .expect("run tesseract");
    assert!(
        out.status.success(),
        "tesseract failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    squash(&String::from_utf8_lossy(&out.stdout))
}

/// Whitespace removed: OCR does not reliably see narrow spaces ("+1 555").
fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

fn values(f: &CoverFields) -> Vec<String> {
    let mut v: Vec<String> = [
        f.recipient_name.clone(),
        Some(f.recipient_number.clone()),
        Some(f.sender_name.clone()),
        f.sender_company.clone(),
        Some(f.sender_email.clone()),
        f.sender_phone.clone(),
        f.subject.clone(),
        f.note.clone(),
        Some(f.date.to_string()),
        Some(format!("{} pages including this cover", f.total_pages)),
    ]
    .into_iter()
    .flatten()
    .collect();
    v.push("FAX".into());
    v
}

fn check(fields: &CoverFields, resolution: Resolution) {
    if !faxprep_testkit::require_tool("tesseract") {
        return;
    }
    let (page, _) = render_cover(fields, &opts(resolution)).expect("cover renders");
    let dir = tempfile::tempdir().expect("temp dir");
    let text = ocr(&page, dir.path());
    let missing: Vec<String> = values(fields)
        .into_iter()
        .filter(|v| !text.contains(&squash(v)))
        .collect();
    assert!(
        missing.is_empty(),
        "OCR did not find {missing:?} in:\n{text}"
    );
}

#[test]
fn tesseract_reads_every_field_at_fine() {
    check(&all_fields(), Resolution::Fine);
}

#[test]
fn tesseract_reads_every_field_at_standard() {
    check(&all_fields(), Resolution::Standard);
}

#[test]
fn tesseract_reads_a_long_note_and_subject() {
    let fields = CoverFields {
        subject: Some(subject_200()),
        note: Some(note_500()),
        ..all_fields()
    };
    check(&fields, Resolution::Fine);
}

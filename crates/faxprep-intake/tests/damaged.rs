//! Issue 16, item 4: damaged PDFs that other readers open are opened
//! too, with the page counts poppler finds.
#![allow(clippy::unwrap_used)] // test code: a panic is a failure report

use faxprep_intake::{IntakeOptions, Warning, check_document};
use faxprep_testkit::require_tool;
use std::process::Command;

/// Pages as poppler's `pdfinfo` counts them, or `None` when it fails.
fn pdfinfo_pages(pdf: &[u8]) -> Option<u32> {
    let dir = std::env::temp_dir().join(format!("faxprep-damaged-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("in.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = Command::new("pdfinfo").arg(&path).output().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    if !out.status.success() {
        return None;
    }
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
}

/// A 4-page PDF as a reader sees it (object 1 the page tree, 2 a font
/// shared by the pages, 3 + 2i and 4 + 2i the content and page object of
/// page i + 1, 11 the catalog), written with a classic cross-reference
/// table whose entries `offset` may change.
fn four_pages(offset: impl Fn(u32, usize) -> usize, free: &[u32]) -> Vec<u8> {
    let mut objects: Vec<Vec<u8>> = vec![
        b"<< /Type /Pages /Kids [4 0 R 6 0 R 8 0 R 10 0 R] /Count 4 >>".to_vec(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_vec(),
    ];
    for i in 0..4u32 {
        let text = format!("BT /F1 48 Tf 72 600 Td (Page {}) Tj ET", i + 1);
        objects
            .push(format!("<< /Length {} >>\nstream\n{text}\nendstream", text.len()).into_bytes());
        objects.push(
            format!(
                "<< /Type /Page /Parent 1 0 R /MediaBox [0 0 612 792] /Contents {} 0 R \
                 /Resources << /Font << /F1 2 0 R >> >> >>",
                3 + 2 * i
            )
            .into_bytes(),
        );
    }
    objects.push(b"<< /Type /Catalog /Pages 1 0 R >>".to_vec());
    let mut out = b"%PDF-1.7\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for (i, o) in offsets.iter().enumerate() {
        let id = i as u32 + 1;
        if free.contains(&id) {
            out.extend_from_slice(b"0000000000 65535 f \n");
        } else {
            out.extend_from_slice(format!("{:010} 00000 n \n", offset(id, *o)).as_bytes());
        }
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 11 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

#[test]
fn pages_at_wrong_offsets_are_found_by_a_scan() {
    let is_page = |id: u32| [4, 6, 8, 10].contains(&id);
    let cases: Vec<(&str, Vec<u8>)> = vec![
        // The page objects' offsets are 5 bytes early, the font's entry
        // is missing.
        (
            "offsets early",
            four_pages(|id, o| if is_page(id) { o - 5 } else { o }, &[2]),
        ),
        // The page objects' offsets are 0.
        (
            "offsets zero",
            four_pages(|id, o| if is_page(id) { 0 } else { o }, &[2]),
        ),
        // A page object's entry is missing.
        ("page entry free", four_pages(|_, o| o, &[6])),
    ];
    for (name, pdf) in cases {
        let doc = check_document(&pdf, &IntakeOptions::default())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(doc.pages, 4, "{name}");
        assert!(
            doc.warnings.contains(&Warning::Repaired),
            "{name}: {:?}",
            doc.warnings
        );
        if require_tool("pdfinfo") {
            assert_eq!(pdfinfo_pages(&pdf), Some(4), "{name}: poppler");
        }
    }
    let intact = four_pages(|_, o| o, &[]);
    let doc = check_document(&intact, &IntakeOptions::default()).unwrap();
    assert_eq!((doc.pages, doc.repaired), (4, false));
}

//! Issue 16, item 4: damaged PDFs that other readers open are opened
//! too, with the page counts poppler finds.
#![allow(clippy::unwrap_used)] // test code: a panic is a failure report

use faxprep_intake::{IntakeOptions, Warning, check_document};
use faxprep_testkit::{four_pages, require_tool};
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

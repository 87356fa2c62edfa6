//! Issue 16, item 4: damaged PDFs that other readers open are opened
//! too, with the page counts poppler finds.
#![allow(clippy::unwrap_used)] // test code: a panic is a failure report

use faxprep_intake::{IntakeOptions, Warning, check_document, fit_for_renderer};
use faxprep_testkit::{four_pages, require_tool};
use std::process::Command;

/// Pages as poppler's `pdfinfo` counts them, or `None` when it fails.
fn pdfinfo_pages(pdf: &[u8]) -> Option<u32> {
    static CALLS: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let call = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("faxprep-damaged-{}-{call}", std::process::id()));
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

#[test]
fn a_file_cut_short_keeps_its_complete_pages() {
    let whole = four_pages(|_, o| o, &[]);
    // Cut 30 bytes into object 7 (page 3's content): pages 1 and 2 are
    // complete; pages 3 and 4, the catalog, the table and the trailer are
    // lost. poppler and MuPDF find no catalog and show nothing.
    let at = whole.windows(8).position(|w| w == b"\n7 0 obj").unwrap() + 31;
    let cut = &whole[..at];
    let doc = check_document(cut, &IntakeOptions::default()).unwrap();
    assert_eq!(doc.pages, 2);
    assert!(doc.repaired);
    assert!(
        doc.warnings.contains(&Warning::MissingPages {
            found: 2,
            expected: 4
        }),
        "{:?}",
        doc.warnings
    );
    // What the renderer gets holds just those pages, and poppler reads it.
    let fixed = fit_for_renderer(cut, &doc, &IntakeOptions::default())
        .unwrap()
        .expect("rewritten");
    assert_eq!(
        check_document(&fixed, &IntakeOptions::default())
            .unwrap()
            .pages,
        2
    );
    if require_tool("pdfinfo") {
        assert_eq!(pdfinfo_pages(cut), None, "poppler opens the cut file");
        assert_eq!(pdfinfo_pages(&fixed), Some(2));
    }
    // Cut inside the first page's content, nothing complete is left.
    let at = whole.windows(8).position(|w| w == b"\n3 0 obj").unwrap() + 20;
    assert!(check_document(&whole[..at], &IntakeOptions::default()).is_err());
}

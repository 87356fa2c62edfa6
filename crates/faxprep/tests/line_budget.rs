//! The line budget: every page's seconds on the line in its facts, pages
//! over the budget halftoned coarser (photos) or flagged (text), pages
//! within it untouched.
#![allow(clippy::unwrap_used)] // helpers of tests: a failed unwrap fails the test

mod common;
use common::fields;
use faxprep::codec::tiff::{ReadLimits, read_tiff};
use faxprep::halftone::Method;
use faxprep::{Isolation, Options, PreparedFax, Warning, prepare};
use faxprep_testkit::workspace_root;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(workspace_root().join("fixtures/docs").join(name)).expect("fixture exists")
}

fn run(name: &str, method: Method, budget: Option<u32>) -> PreparedFax {
    let mut o = Options::default();
    // In-process: the worker's side of the budget is tested through the
    // binary in faxprep-cli's tests.
    o.isolation = Isolation::InProcess;
    o.halftone = method;
    o.line_budget = budget;
    o.threads = Some(2);
    prepare(&fixture(name), &fields(), &o).unwrap()
}

fn over_budget(fax: &PreparedFax) -> Vec<&Warning> {
    fax.warnings
        .iter()
        .filter(|w| matches!(w, Warning::OverLineBudget { .. }))
        .collect()
}

#[test]
fn the_facts_seconds_agree_with_the_coded_bytes() {
    for (name, method) in [
        ("photo.jpg", Method::Auto),
        ("letter.pdf", Method::Auto),
        ("photo.jpg", Method::FloydSteinberg),
    ] {
        let fax = run(name, method, None);
        // The strips as the TIFF holds them, read back from the file.
        let strips = read_tiff(&fax.tiff, &ReadLimits::default()).unwrap();
        assert_eq!(strips.len(), fax.pages.len());
        let mut total = 15.0;
        for (facts, info) in fax.pages.iter().zip(&strips) {
            let bytes: usize = info.strips.iter().map(|r| r.len()).sum();
            assert_eq!(facts.coded_bytes, bytes as u64, "{name}");
            // 14,400 bit/s is 1,800 bytes a second.
            let expected = bytes as f64 / 1800.0;
            assert!(
                (facts.line_seconds - expected).abs() < 1e-9,
                "{name}: {} s for {bytes} bytes",
                facts.line_seconds
            );
            total += expected + 1.5;
        }
        assert!((fax.transmission_seconds - total).abs() < 1e-6, "{name}");
    }
}

#[test]
fn a_page_within_the_budget_is_unchanged() {
    // The drawn photo takes about 110 s under the line screen, the letter
    // a few seconds: both well within the default 180 s.
    for name in ["photo.jpg", "letter.pdf"] {
        let free = run(name, Method::Auto, None);
        let budgeted = run(name, Method::Auto, Options::default().line_budget);
        assert!(free.pages[0].line_seconds < 180.0, "{name}");
        assert_eq!(free.tiff, budgeted.tiff, "{name}");
        assert_eq!(free.pages, budgeted.pages, "{name}");
        assert!(over_budget(&budgeted).is_empty(), "{name}");
    }
}

#[test]
fn a_photo_over_the_budget_comes_back_coarser_and_within_it() {
    let free = run("photo.jpg", Method::Auto, None);
    let seconds = free.pages[0].line_seconds;
    assert_eq!(free.pages[0].screen_period, Some(Method::LINE_PERIOD));
    // A budget 10% under what the page takes: one step coarser fits.
    let budget = (seconds * 0.9) as u32;
    let fax = run("photo.jpg", Method::Auto, Some(budget));
    let page = &fax.pages[0];
    assert!(page.coded_bytes < free.pages[0].coded_bytes);
    assert!(page.line_seconds <= f64::from(budget), "{page:?}");
    assert!(page.screen_period > Some(Method::LINE_PERIOD), "{page:?}");
    assert_eq!(page.halftone, "auto", "auto keeps its text rules");
    assert!(over_budget(&fax).is_empty());

    // Floyd-Steinberg's page (over 600 s) is screened instead.
    let fs = run("photo.jpg", Method::FloydSteinberg, None);
    let fax = run("photo.jpg", Method::FloydSteinberg, Some(budget));
    assert!(fax.pages[0].coded_bytes * 3 < fs.pages[0].coded_bytes);
    assert!(fax.pages[0].line_seconds <= f64::from(budget));
    assert!(fax.pages[0].halftone.starts_with("line"));
}

#[test]
fn a_page_still_over_the_budget_is_coarsest_and_warned() {
    let free = run("photo.jpg", Method::Auto, None);
    let fax = run("photo.jpg", Method::Auto, Some(1));
    let page = &fax.pages[0];
    assert_eq!(page.screen_period, Some(8), "the coarsest screen was tried");
    assert!(page.coded_bytes < free.pages[0].coded_bytes);
    let seconds = page.coded_bytes.div_ceil(1800) as u32;
    assert_eq!(
        over_budget(&fax),
        [&Warning::OverLineBudget {
            page: 0,
            seconds,
            budget_seconds: 1
        }]
    );
    let text = fax.warnings.last().unwrap().to_string();
    assert_eq!(
        text,
        format!(
            "page 1 takes about {seconds} s on the line at 14.4 kbit/s, over the budget of 1 s"
        )
    );
}

#[test]
fn a_text_page_over_the_budget_keeps_its_rules_and_is_warned() {
    let free = run("letter.pdf", Method::Auto, None);
    let fax = run("letter.pdf", Method::Auto, Some(1));
    assert_eq!(free.pages[0].photo_fraction, 0.0);
    // No continuous tone to coarsen: the same page, and the warning.
    assert_eq!(free.tiff, fax.tiff);
    assert_eq!(fax.pages[0].screen_period, None);
    assert_eq!(over_budget(&fax).len(), 1);
}

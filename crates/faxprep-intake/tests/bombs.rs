//! Issue 16, item 1: files that intake must stop in-process because the
//! renderer's work grows with how often a stream is *used*, not with how
//! big it is. Each bomb is built here (faxprep-testkit's `bombs`), and each
//! test also renders a harmless variant of it accepted, so that the limit
//! is shown to be what stops the bomb.
#![allow(clippy::unwrap_used)] // test code: a panic is a failure report

use faxprep_intake::{Error, IntakeOptions, LimitKind, Limits, check_document};
use faxprep_testkit::bombs;
use std::time::{Duration, Instant};

/// Preflight of every bomb must end well within this (it takes well under
/// a second; the margin is for a loaded 2-core CI machine).
const BOUND: Duration = Duration::from_secs(10);

fn check(bytes: &[u8]) -> Result<faxprep_intake::Document, Error> {
    let start = Instant::now();
    let r = check_document(bytes, &IntakeOptions::default());
    assert!(
        start.elapsed() < BOUND,
        "preflight took {:?}",
        start.elapsed()
    );
    r
}

fn limit_of(r: Result<faxprep_intake::Document, Error>) -> LimitKind {
    match r {
        Err(Error::Limits { which, .. }) => which,
        other => panic!("expected a limit, got {other:?}"),
    }
}

#[test]
fn shared_content_stream_is_counted_per_page() {
    // 200 pages x one 100 MiB content stream in a ~500 KB upload: 20 GiB
    // of content to decode and run, though the stream decodes to 100 MiB
    // once (within the ratio of 400 for this upload size).
    let bomb = bombs::shared_content(200, 100, 400);
    assert!(bomb.len() < 700 * 1024, "{} bytes", bomb.len());
    let which = limit_of(check(&bomb));
    assert!(
        matches!(
            which,
            LimitKind::DecompressionRatio | LimitKind::TotalDecompressedBytes
        ),
        "{which:?}"
    );
    // Without the ratio, the total is what stops it.
    let mut limits = Limits::default();
    limits.max_decompression_ratio = u64::MAX;
    let opts = IntakeOptions {
        limits,
        ..IntakeOptions::default()
    };
    match check_document(&bomb, &opts) {
        Err(Error::Limits {
            which: LimitKind::TotalDecompressedBytes,
            actual,
            ..
        }) => assert!(actual > 1 << 30, "{actual}"),
        other => panic!("{other:?}"),
    }
    // The same stream on one page is accepted: it is the uses that count.
    let one = bombs::shared_content(1, 100, 400);
    assert_eq!(check(&one).unwrap().pages, 1);
}

#[test]
fn form_xobject_fan_out_is_bounded() {
    // 4^16 = 4.3 billion lines from 17 forms (about 3 KB).
    let bomb = bombs::xobject_fan_out(4, 16);
    assert!(bomb.len() < 8 * 1024, "{} bytes", bomb.len());
    match check(&bomb) {
        Err(Error::Limits {
            which: LimitKind::XObjectUses,
            limit,
            actual,
        }) => {
            assert_eq!(limit, Limits::default().max_xobject_uses);
            // 4 + 4^2 + ... + 4^16 forms, plus the page's one use.
            let expected: u64 = (0..=16).map(|k| 4u64.pow(k)).sum();
            assert_eq!(actual, expected);
        }
        other => panic!("{other:?}"),
    }
    // 4^8 = 65,536 lines is accepted.
    assert_eq!(check(&bombs::xobject_fan_out(4, 8)).unwrap().pages, 1);
}

#[test]
fn form_xobject_nesting_is_bounded() {
    let deep = bombs::xobject_fan_out(1, 40);
    match check(&deep) {
        Err(Error::Limits {
            which: LimitKind::XObjectDepth,
            limit: 32,
            actual: 33,
        }) => {}
        other => panic!("{other:?}"),
    }
    assert_eq!(check(&bombs::xobject_fan_out(1, 31)).unwrap().pages, 1);
    // A form that paints itself nests until the renderer's own stop.
    assert_eq!(
        limit_of(check(&bombs::xobject_self_reference())),
        LimitKind::XObjectDepth
    );
}

#[test]
fn calculator_function_size_is_bounded() {
    // About 200,000 operators per pixel (800 KB of plain text here; a few
    // KB deflated): the renderer was still running after 20 s.
    let bomb = bombs::calculator_shading(200_000, 1);
    // `pop pop 0.5`, then `dup pop` pairs.
    let ops = 3 + 2 * ((200_000 - 3) / 2);
    match check(&bomb) {
        Err(Error::Limits {
            which: LimitKind::CalculatorOps,
            limit: 1000,
            actual,
        }) => assert_eq!(actual, ops),
        other => panic!("{other:?}"),
    }
}

#[test]
fn calculator_work_per_page_is_bounded() {
    // 101 operators over a Letter page (1728 x 2149 pixels at fine
    // resolution) once is accepted; painted twice it is 2 x 101 x
    // 3,713,472 operations, over the 500 million allowed.
    assert_eq!(check(&bombs::calculator_shading(101, 1)).unwrap().pages, 1);
    match check(&bombs::calculator_shading(101, 2)) {
        Err(Error::Limits {
            which: LimitKind::CalculatorWork,
            limit: 500_000_000,
            actual,
        }) => assert_eq!(actual, 2 * 101 * 1728 * 2149),
        other => panic!("{other:?}"),
    }
}

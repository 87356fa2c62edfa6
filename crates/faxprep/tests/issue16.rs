//! Issue 16 through the library, in-process (the default a caller that
//! links faxprep gets unless it asks for the worker): the three bombs stop
//! at intake with a typed limit, quickly; a PDF whose cross-reference table
//! lost a page object is rendered with all its pages.
#![allow(clippy::unwrap_used)] // test code: a panic is a failure report

use faxprep::intake::LimitKind;
use faxprep::{Error, FormFields, Isolation, Options, prepare};
use faxprep_testkit::{bombs, four_pages};
use std::time::{Duration, Instant};

fn fields() -> FormFields {
    FormFields {
        recipient_number: Some("(212) 555-0123".into()),
        sender_name: Some("Dr. Maria Gonzalez".into()),
        sender_email: Some("maria@example.com".into()),
        include_cover: Some("false".into()),
        ..FormFields::default()
    }
}

fn in_process() -> Options {
    let mut o = Options::default();
    o.isolation = Isolation::InProcess;
    o.threads = Some(2);
    o
}

fn limit_in_process(pdf: &[u8]) -> LimitKind {
    let start = Instant::now();
    let r = prepare(pdf, &fields(), &in_process());
    assert!(
        start.elapsed() < Duration::from_secs(10),
        "{:?}",
        start.elapsed()
    );
    match r {
        Err(Error::Intake(faxprep::intake::Error::Limits { which, .. })) => which,
        Err(e) => panic!("expected a limit, got {e}"),
        Ok(fax) => panic!("accepted, {} pages", fax.total_pages),
    }
}

#[test]
fn the_three_bombs_stop_at_intake_in_process() {
    assert!(matches!(
        limit_in_process(&bombs::shared_content(200, 100, 400)),
        LimitKind::DecompressionRatio | LimitKind::TotalDecompressedBytes
    ));
    assert_eq!(
        limit_in_process(&bombs::xobject_fan_out(4, 16)),
        LimitKind::XObjectUses
    );
    assert_eq!(
        limit_in_process(&bombs::calculator_shading(200_000, 1)),
        LimitKind::CalculatorOps
    );
}

#[test]
fn a_page_missing_from_the_xref_table_is_rendered() {
    // The entry of page 2's object (6) is marked free: the renderer's own
    // repair does not find it, preflight's rebuilt table does, and the
    // renderer gets the file written with that table.
    let pdf = four_pages(|_, o| o, &[6]);
    let fax = prepare(&pdf, &fields(), &in_process()).unwrap();
    assert_eq!(fax.total_pages, 4);
    assert!(
        fax.warnings
            .iter()
            .any(|w| w.to_string().contains("repaired")),
        "{:?}",
        fax.warnings
    );
}

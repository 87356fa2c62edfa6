//! Issue 16 through the library, in-process (the default a caller that
//! links faxprep gets unless it asks for the worker): the three bombs stop
//! at intake with a typed limit, quickly; a PDF whose cross-reference table
//! lost a page object is rendered with all its pages.
#![allow(clippy::unwrap_used)] // test code: a panic is a failure report

mod common;
use common::fields;
use faxprep::intake::LimitKind;
use faxprep::{Error, Isolation, Options, prepare};
use faxprep_testkit::{bombs, four_pages};
use std::time::{Duration, Instant};

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

#[test]
fn aes256_passwords_are_saslprepped() {
    use faxprep_testkit::{qpdf_encrypt, require_tool};
    if !require_tool("qpdf") {
        return;
    }
    let plain = four_pages(|_, o| o, &[]);
    // qpdf stores the password's UTF-8 bytes as given (NFC here).
    let umlauts = qpdf_encrypt(&plain, "pässwörd", "owner-secret");
    let spaced = qpdf_encrypt(&plain, "pass word", "owner-secret");
    // What a user may type instead: decomposed umlauts (as some keyboards
    // and file names give them) and a no-break space; SASLprep (RFC 4013:
    // NFKC, non-ASCII spaces to U+0020) makes them the stored password.
    let cases = [
        (&umlauts, "pa\u{308}sswo\u{308}rd"),
        (&umlauts, "pässwörd"),
        (&spaced, "pass\u{a0}word"),
    ];
    for (pdf, typed) in cases {
        let mut o = in_process();
        o.password = Some(typed.to_owned());
        let fax = prepare(pdf, &fields(), &o).unwrap_or_else(|e| panic!("{typed:?}: {e}"));
        assert_eq!(fax.total_pages, 4, "{typed:?}");
    }
    // A wrong password is still wrong.
    let mut o = in_process();
    o.password = Some("passwörd".to_owned());
    assert!(matches!(
        prepare(&umlauts, &fields(), &o),
        Err(Error::Intake(faxprep::intake::Error::WrongPassword))
    ));
}

#[test]
fn a_file_cut_short_is_faxed_with_its_complete_pages_and_a_warning() {
    let whole = four_pages(|_, o| o, &[]);
    // Cut inside page 3's content: pages 1 and 2 are complete.
    let at = whole.windows(8).position(|w| w == b"\n7 0 obj").unwrap() + 31;
    let fax = prepare(&whole[..at], &fields(), &in_process()).unwrap();
    assert_eq!(fax.total_pages, 2);
    assert!(
        fax.warnings
            .iter()
            .any(|w| w.to_string().contains("only 2 of its 4 pages")),
        "{:?}",
        fax.warnings
    );
}

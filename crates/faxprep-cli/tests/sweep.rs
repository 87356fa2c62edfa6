//! Issue 8's corpus sweep: every file of `../shared/corpus` goes through
//! `prepare` in an isolated worker, and the outcome must be what its
//! `INDEX.tsv` kind implies. Prints a table (file, kind, outcome, seconds,
//! worker peak memory) and fails on any unexpected outcome. Nothing may
//! panic, hang or pass 1 GiB (the worker's address-space limit), and no
//! accepted file may take the worker past 150 MB (issue 4's memory goal;
//! the largest is about 100 MB).
#![allow(clippy::unwrap_used)] // helpers of tests: a failed unwrap fails the test

use faxprep::codec::tiff::{ReadLimits, Severity, read_tiff, validate_class_f};
use faxprep::cover::CoverDate;
use faxprep::{FormFields, Isolation, Options, Worker, prepare_with_progress};
use faxprep_testkit::{CorpusEntry, corpus_dir, corpus_index, corpus_password};
use std::time::Instant;

/// Most memory (VmHWM) the worker may reach on an accepted corpus file.
const MAX_PEAK_KIB: u64 = 150 * 1024;

const BIN: &str = env!("CARGO_BIN_EXE_faxprep");

#[derive(Debug, PartialEq)]
enum Expect {
    /// A valid TIFF Class F with this many pages.
    Pages(u32),
    /// A typed rejection of the upload (4xx, not an internal error).
    Rejected,
    /// Either, but nothing else (robustness files that a reader may salvage).
    Either,
}

fn expect(e: &CorpusEntry) -> Expect {
    match e.kind.as_str() {
        // Valid files that must be refused for what they are.
        "bad-oversize" | "bad-empty" | "img-bomb" | "bad-bomb" | "bad-image" => Expect::Rejected,
        "bad-wrongext" if e.file.ends_with(".pdf") => Expect::Rejected,
        // A PNG named .jpg is simply a PNG.
        "bad-wrongext" => Expect::Pages(1),
        k if k.starts_with("bad-") => Expect::Either,
        // Fax files are not uploads.
        k if k.starts_with("fax-") => Expect::Rejected,
        // 12-bit JPEG: the decoder may not support it; then a typed refusal.
        _ if e.file == "libjpegturbo-monkey12.jpg" => Expect::Either,
        _ => Expect::Pages(e.pages.unwrap_or(1)),
    }
}

#[test]
fn every_corpus_file_gets_the_outcome_its_kind_implies() {
    let Some(dir) = corpus_dir() else { return };
    let fields = FormFields {
        recipient_number: Some("+12125550123".into()),
        sender_name: Some("Corpus Sweep".into()),
        sender_email: Some("sweep@example.com".into()),
        ..FormFields::default()
    };
    let mut failures = Vec::new();
    println!(
        "{:<48} {:<18} {:<34} {:>7} {:>7}",
        "file", "kind", "outcome", "seconds", "peak_MB"
    );
    for entry in corpus_index() {
        let upload = std::fs::read(entry.path(&dir)).unwrap();
        let mut opts = Options::default();
        opts.date = CoverDate {
            year: 2026,
            month: 11,
            day: 28,
            hour: 12,
            minute: 0,
            utc_offset_minutes: 0,
            zone: None,
        };
        opts.password = corpus_password(&entry.file).map(Into::into);
        opts.isolation = Isolation::Process(Worker::with_program(BIN));
        let start = Instant::now();
        let result = prepare_with_progress(&upload, &fields, &opts, &mut |_| {});
        let seconds = start.elapsed().as_secs_f64();
        let (outcome, peak, ok) = match (&result, expect(&entry)) {
            (Ok((fax, stats)), expected) => {
                let pages = read_tiff(&fax.tiff, &ReadLimits::default()).map_or(0, |p| p.len());
                let valid = !validate_class_f(&fax.tiff)
                    .iter()
                    .any(|i| i.severity == Severity::Error);
                let ok = valid
                    && stats.peak_rss_kib <= MAX_PEAK_KIB
                    && pages as u32 == fax.total_pages
                    && match expected {
                        Expect::Pages(n) => fax.document_pages == n,
                        Expect::Either => true,
                        Expect::Rejected => false,
                    };
                (
                    format!(
                        "ok {} pages{}{}",
                        fax.total_pages,
                        if valid { "" } else { " INVALID" },
                        if stats.peak_rss_kib <= MAX_PEAK_KIB {
                            ""
                        } else {
                            " OVER 150 MB"
                        }
                    ),
                    stats.peak_rss_kib,
                    ok,
                )
            }
            (Err(e), expected) => {
                let body = e.api_error();
                let typed = e.http_status() < 500;
                let ok =
                    typed && expected != Expect::Pages(0) && !matches!(expected, Expect::Pages(_));
                (format!("{} {}", e.http_status(), body.error_type), 0, ok)
            }
        };
        println!(
            "{:<48} {:<18} {:<34} {:>7.2} {:>7.1}{}",
            entry.file,
            entry.kind,
            outcome,
            seconds,
            peak as f64 / 1024.0,
            if ok { "" } else { "  <-- UNEXPECTED" }
        );
        if !ok {
            let detail = match &result {
                Err(e) => format!("{e}"),
                Ok(_) => String::new(),
            };
            failures.push(format!(
                "{} ({}): {outcome} {detail}",
                entry.file, entry.kind
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "unexpected outcomes:\n{}",
        failures.join("\n")
    );
}

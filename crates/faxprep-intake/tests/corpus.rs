//! Intake over every file of the shared corpus (`/work/shared/corpus`,
//! `INDEX.tsv`): the outcome each kind implies, never a panic, each file
//! in bounded time, and the whole run in bounded memory.
//!
//! Run with `-- --nocapture` to see the table of outcomes and times.
#![allow(clippy::unwrap_used)] // test code: a panic is a failure report

use faxprep_intake::{DocumentFormat, Error, IntakeOptions, LimitKind, Warning, check_document};
use faxprep_testkit::{CORPUS_PASSWORDS, CorpusEntry, corpus_dir, corpus_index};
use std::time::{Duration, Instant};

/// What a file must produce.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Expect {
    /// Accepted with the INDEX page count (when it states one).
    Accept,
    /// Accepted with this page count (the INDEX has none, or counts
    /// differently and the reason is given in the table).
    AcceptPages(u32),
    /// Accepted, and the xref was repaired (warning).
    AcceptRepaired,
    Empty,
    TooLarge,
    Unsupported,
    /// The format is right, a feature of it is not handled.
    UnsupportedFeature,
    Damaged,
    PasswordRequired,
    Limit(LimitKind),
}

/// Files whose expectation is not implied by their kind alone: what a fax
/// user should see for each, and why.
const SPECIAL: &[(&str, Expect, &str)] = &[
    // bad-wrongext: content decides, not the name.
    (
        "jpegdec-jpg-size-6x6.jpg",
        Expect::Accept,
        "a PNG named .jpg is a PNG",
    ),
    (
        "qpdf-bad1.pdf",
        Expect::Unsupported,
        "'oops' is no PDF, whatever its name",
    ),
    // bad-bomb / img-bomb: each by the limit it hits first.
    (
        "ocrmypdf-enormous.pdf",
        Expect::Limit(LimitKind::DecompressionRatio),
        "243 MB from 310 KB (784x); the same page inside the 1.1 MB ocrmypdf-multipage.pdf is fine",
    ),
    (
        "pdfjs-bomb_giant.pdf",
        Expect::Limit(LimitKind::ImagePixels),
        "JBIG2 page info 100000 x 100000",
    ),
    (
        "jpegdec-max_size.jpg",
        Expect::Limit(LimitKind::ImagePixels),
        "SOF claims 65535 x 65535",
    ),
    (
        "pillow-png_decompression_dos.png",
        Expect::Limit(LimitKind::MetadataBytes),
        "zTXt inflating to 2 MiB each",
    ),
    // img-jpeg: a legal JPEG the decoder cannot read is refused up front
    // with what to do, not at rendering with a decoder's message.
    (
        "libjpegturbo-monkey12.jpg",
        Expect::UnsupportedFeature,
        "12-bit samples: the renderer's decoder reads 8-bit only",
    ),
    // bad-fuzz: open what renderers open, reject what they cannot.
    (
        "pdfjs-PDFBOX-3148-2-fuzzed.pdf",
        Expect::Accept,
        "poppler and gs render it",
    ),
    (
        "pdfjs-poppler-90-0-fuzzed.pdf",
        Expect::Accept,
        "16 pages, mostly renders",
    ),
    (
        "pdfjs-xref_command_missing.pdf",
        Expect::AcceptRepaired,
        "no 'xref' keyword: rebuilt by scanning",
    ),
    (
        "pdfjs-REDHAT-1531897-0.pdf",
        Expect::Damaged,
        "poppler cannot open it; no usable page tree",
    ),
    (
        "qpdf-fuzz-16214.pdf",
        Expect::Unsupported,
        "no %PDF- header at all: not sniffed as PDF",
    ),
    // bad-loop: loops are cut, the document is what is left.
    (
        "pdfjs-ContentStreamCycleType3insideType3.pdf",
        Expect::Accept,
        "the cycle is in glyph procedures (renderer's job)",
    ),
    (
        "pdfjs-Pages-tree-refs.pdf",
        Expect::AcceptPages(1),
        "INDEX's 2 is the root /Count; the second branch loops with no page in it",
    ),
    (
        "qpdf-object-stream-self-ref.pdf",
        Expect::Accept,
        "the self-reference is skipped; gs renders its page",
    ),
    (
        "qpdf-outlines-with-loop.pdf",
        Expect::Accept,
        "the loop is in the outlines, not used",
    ),
    (
        "qpdf-pages-loop.pdf",
        Expect::Accept,
        "/Kids loop cut; 1 page remains",
    ),
    // bad-nesting: the byte scan rejects it before the parser runs.
    (
        "qpdf-issue-146.pdf",
        Expect::Limit(LimitKind::NestingDepth),
        "~20,000 nested '['",
    ),
    // bad-truncated: half a PDF has no catalog left to rebuild from, and a
    // fax of half a document is worse than a clear error.
    (
        "derived-R-FAQ-truncated50.pdf",
        Expect::Damaged,
        "first half of 52 pages: no trailer, no catalog",
    ),
    ("pdfjs-bug1020226.pdf", Expect::Damaged, "184 broken bytes"),
];

/// Generous per-file bound: the slowest file takes ~0.15 s here.
const MAX_TIME: Duration = Duration::from_secs(10);

fn expectation(e: &CorpusEntry) -> Expect {
    if let Some((_, x, _)) = SPECIAL.iter().find(|(f, _, _)| *f == e.file) {
        return *x;
    }
    if CORPUS_PASSWORDS.iter().any(|(f, _)| *f == e.file) {
        return Expect::PasswordRequired;
    }
    match e.kind.as_str() {
        "bad-empty" => Expect::Empty,
        "bad-oversize" => Expect::TooLarge,
        "bad-image" => Expect::Damaged,
        k if k.starts_with("fax-") => Expect::Unsupported,
        k if k.starts_with("pdf-") || k.starts_with("img-") => Expect::Accept,
        k => panic!("{}: kind {k} needs an entry in SPECIAL", e.file),
    }
}

fn outcome_name(r: &Result<faxprep_intake::Document, Error>) -> String {
    match r {
        Ok(d) => format!(
            "ok {} {}p{}{}",
            d.format.name(),
            d.pages,
            if d.encrypted { " enc" } else { "" },
            if d.warnings.is_empty() {
                String::new()
            } else {
                format!(" w{}", d.warnings.len())
            }
        ),
        Err(Error::Limits {
            which,
            limit,
            actual,
        }) => format!("limit {which:?} {actual}>{limit}"),
        Err(e) => format!("err {e}"),
    }
}

fn check(
    e: &CorpusEntry,
    expect: Expect,
    r: &Result<faxprep_intake::Document, Error>,
) -> Result<(), String> {
    let ok = match (expect, r) {
        (Expect::Accept, Ok(d)) => e.pages.is_none_or(|p| p == d.pages),
        (Expect::AcceptPages(n), Ok(d)) => d.pages == n,
        (Expect::AcceptRepaired, Ok(d)) => d.repaired && d.warnings.contains(&Warning::Repaired),
        (Expect::Empty, Err(Error::Empty { .. })) => true,
        (Expect::TooLarge, Err(Error::TooLarge { .. })) => true,
        (Expect::Unsupported, Err(Error::UnsupportedFormat { .. })) => true,
        (Expect::UnsupportedFeature, Err(Error::Unsupported { .. })) => true,
        (Expect::Damaged, Err(Error::Damaged { .. })) => true,
        (Expect::PasswordRequired, Err(Error::PasswordRequired)) => true,
        (Expect::Limit(k), Err(Error::Limits { which, .. })) => k == *which,
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{}: expected {expect:?}, got {}",
            e.file,
            outcome_name(r)
        ))
    }
}

/// Peak resident memory of this process in KiB (Linux), if known.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[test]
fn corpus_outcomes_match_kinds() {
    let Some(dir) = corpus_dir() else { return };
    let entries = corpus_index();
    assert!(
        entries.len() > 100,
        "the corpus index lists {} files",
        entries.len()
    );
    let opts = IntakeOptions::default();
    let mut failures = Vec::new();
    let mut times = Vec::new();
    println!("{:<52} {:<16} {:>9}  outcome", "file", "kind", "ms");
    for e in &entries {
        let bytes = std::fs::read(e.path(&dir)).expect("read corpus file");
        let expect = expectation(e);
        let start = Instant::now();
        let r = check_document(&bytes, &opts);
        let took = start.elapsed();
        times.push((took, e.file.clone()));
        println!(
            "{:<52} {:<16} {:>9.2}  {}",
            e.file,
            e.kind,
            took.as_secs_f64() * 1000.0,
            outcome_name(&r)
        );
        if took > MAX_TIME {
            failures.push(format!("{}: took {took:?}", e.file));
        }
        if let Err(msg) = check(e, expect, &r) {
            failures.push(msg);
        }
    }
    times.sort();
    let median = times[times.len() / 2].0;
    let (worst, worst_file) = times.last().cloned().unwrap_or_default();
    println!(
        "files: {}, median {:.2} ms, worst {:.2} ms ({worst_file})",
        times.len(),
        median.as_secs_f64() * 1e3,
        worst.as_secs_f64() * 1e3
    );
    if let Some(kib) = peak_rss_kib() {
        println!("peak RSS: {} MiB", kib / 1024);
        // Test inflation works in 64 KiB buffers and lopdf holds at most
        // a few copies of a 4 MiB file.
        assert!(kib < 1024 * 1024, "peak RSS {kib} KiB");
    }
    assert!(
        failures.is_empty(),
        "corpus failures:\n{}",
        failures.join("\n")
    );
}

#[test]
fn password_files_open_with_their_password_only() {
    let Some(dir) = corpus_dir() else { return };
    let index = corpus_index();
    for (file, password) in CORPUS_PASSWORDS {
        let entry = index
            .iter()
            .find(|e| e.file == *file)
            .expect("password file listed in INDEX");
        let bytes = std::fs::read(entry.path(&dir)).expect("read");
        let none = check_document(&bytes, &IntakeOptions::default());
        assert!(
            matches!(none, Err(Error::PasswordRequired)),
            "{file}: {none:?}"
        );
        let hint = none.unwrap_err().api_error().hint;
        assert!(hint.contains("Remove the password"), "{hint}");

        let wrong = IntakeOptions {
            password: Some("wrong".into()),
            ..IntakeOptions::default()
        };
        let r = check_document(&bytes, &wrong);
        assert!(matches!(r, Err(Error::WrongPassword)), "{file}: {r:?}");

        let right = IntakeOptions {
            password: Some((*password).into()),
            ..IntakeOptions::default()
        };
        let doc = check_document(&bytes, &right).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert!(doc.encrypted && doc.password_used, "{file}");
        assert_eq!(Some(doc.pages), entry.pages, "{file}");
        assert_eq!(doc.format, DocumentFormat::Pdf);
    }
    // Empty user passwords open without one, and a supplied password is
    // then not "used".
    for file in [
        "qpdf-enc-R3_V2_O-master.pdf",
        "qpdf-enc-XI-R6_V5_O-master.pdf",
    ] {
        let bytes = std::fs::read(dir.join(file)).expect("read");
        let opts = IntakeOptions {
            password: Some("anything".into()),
            ..IntakeOptions::default()
        };
        let doc = check_document(&bytes, &opts).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert!(doc.encrypted && !doc.password_used, "{file}");
        assert_eq!(doc.pages, 30);
    }
}

#[test]
fn exif_orientations_are_read() {
    let Some(dir) = corpus_dir() else { return };
    for o in 1..=8u8 {
        let bytes = std::fs::read(dir.join(format!("exif-Landscape_{o}.jpg"))).expect("read");
        let doc = check_document(&bytes, &IntakeOptions::default()).expect("accepted");
        let info = doc.image.expect("image info");
        assert_eq!(info.orientation, o);
        // Every file displays as 1800 x 1200 landscape.
        assert_eq!(info.display_size(), (1800, 1200), "orientation {o}");
    }
    let png = std::fs::read(dir.join("pillow-exif_imagemagick_orientation.png")).expect("read");
    let doc = check_document(&png, &IntakeOptions::default()).expect("accepted");
    assert_eq!(doc.image.expect("image").orientation, 3);
}

#[test]
fn unlimited_accepts_the_bombs_headers() {
    // Trusted callers may lift the limits: the bombs then pass preflight
    // (they are structurally fine), which shows the limits are what stops
    // them. The PNG bomb is only 6 KiB; the giant JBIG2 PDF only declares.
    let Some(dir) = corpus_dir() else { return };
    let opts = IntakeOptions {
        limits: faxprep_intake::Limits::unlimited(),
        ..IntakeOptions::default()
    };
    for file in [
        "jpegdec-max_size.jpg",
        "pillow-png_decompression_dos.png",
        "pdfjs-bomb_giant.pdf",
    ] {
        let bytes = std::fs::read(dir.join(file)).expect("read");
        let r = check_document(&bytes, &opts);
        assert!(r.is_ok(), "{file}: {r:?}");
    }
}

/// Where a damaged file's page count differs from poppler's on purpose.
const POPPLER_DIFFERS: &[(&str, &str)] = &[
    (
        "pdfjs-Pages-tree-refs.pdf",
        "poppler repeats the page its looping branch leads back to (2 pages); MuPDF, like us, shows 1",
    ),
    (
        "qpdf-fuzz-16214.pdf",
        "no %PDF- header at all: uploads are recognised by their bytes (README); Ghostscript fails on it too",
    ),
];

/// Damaged corpus PDFs (kinds `pdf-damaged` and `bad-*`, issue 16 item 4):
/// every one that poppler's `pdfinfo` opens and intake accepts has
/// poppler's page count; every one poppler opens is accepted, unless it
/// is refused for a limit or its size (bombs, oversize).
#[test]
fn damaged_files_have_popplers_page_counts() {
    let Some(dir) = corpus_dir() else { return };
    if !faxprep_testkit::require_tool("pdfinfo") {
        return;
    }
    let mut failures = Vec::new();
    let mut compared = 0;
    for e in corpus_index() {
        let damaged = e.kind == "pdf-damaged" || e.kind.starts_with("bad-");
        if !damaged || !e.file.ends_with(".pdf") {
            continue;
        }
        let path = e.path(&dir);
        let out = std::process::Command::new("pdfinfo")
            .arg(&path)
            .output()
            .expect("run pdfinfo");
        let poppler: Option<u32> = out
            .status
            .success()
            .then(|| {
                String::from_utf8_lossy(&out.stdout)
                    .lines()
                    .find_map(|l| l.strip_prefix("Pages:"))
                    .and_then(|n| n.trim().parse().ok())
            })
            .flatten();
        let bytes = std::fs::read(&path).expect("read corpus file");
        let ours = check_document(&bytes, &IntakeOptions::default());
        println!(
            "{:<48} poppler {poppler:?}, ours {}",
            e.file,
            outcome_name(&ours)
        );
        let differs = POPPLER_DIFFERS.iter().any(|(f, _)| *f == e.file);
        match (poppler, &ours) {
            (Some(p), Ok(d)) => {
                compared += 1;
                if d.pages != p && !differs {
                    failures.push(format!("{}: {} pages, poppler {p}", e.file, d.pages));
                }
            }
            (Some(_), Err(Error::Limits { .. } | Error::TooLarge { .. })) => {}
            (Some(p), Err(err)) if !differs => {
                failures.push(format!("{}: poppler shows {p} pages, we say {err}", e.file))
            }
            (Some(_), Err(_)) => {}
            (None, _) => {}
        }
    }
    assert!(compared >= 10, "only {compared} damaged files compared");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

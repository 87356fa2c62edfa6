//! Every PDF and image of the shared corpus that intake accepts (kinds
//! `pdf-*` and `img-*` except `img-bomb`) renders without error or panic,
//! and the page count matches poppler's `pdfinfo` (issue 4).
#![allow(clippy::unwrap_used)] // helpers outside #[test] fns unwrap too

use std::process::Command;

use faxprep_raster::{DocumentFormat, Error, RasterOptions, RenderError, render};

fn sniff(bytes: &[u8]) -> DocumentFormat {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        DocumentFormat::Png
    } else if bytes.starts_with(&[0xff, 0xd8]) {
        DocumentFormat::Jpeg
    } else {
        DocumentFormat::Pdf
    }
}

fn pdfinfo_pages(path: &std::path::Path, pw: Option<&str>) -> u32 {
    let mut cmd = Command::new("pdfinfo");
    if let Some(pw) = pw {
        cmd.args(["-upw", pw]);
    }
    let out = cmd.arg(path).output().expect("run pdfinfo");
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("pdfinfo gave no page count for {}", path.display()))
}

#[test]
fn corpus_renders_and_page_counts_match_pdfinfo() {
    let Some(dir) = faxprep_testkit::corpus_dir() else {
        return;
    };
    if !faxprep_testkit::require_tool("pdfinfo") {
        return;
    }
    let mut failures = Vec::new();
    let mut checked = 0;
    for entry in faxprep_testkit::corpus_index() {
        let wanted = (entry.kind.starts_with("pdf-") || entry.kind.starts_with("img-"))
            && entry.kind != "img-bomb";
        if !wanted {
            continue;
        }
        let path = entry.path(&dir);
        let bytes = std::fs::read(&path).expect("read corpus file");
        let format = sniff(&bytes);
        let pw = faxprep_testkit::corpus_password(&entry.file);
        let opts = RasterOptions {
            password: pw.map(str::to_string),
            threads: Some(2),
            ..RasterOptions::default()
        };
        let expected = match format {
            DocumentFormat::Pdf => pdfinfo_pages(&path, pw),
            _ => 1,
        };
        let mut pages = 0u32;
        let mut warnings = std::collections::BTreeSet::new();
        let result = render(&bytes, format, &opts, |p| {
            assert_eq!(p.index, pages, "pages arrive in order");
            assert_eq!(p.page.width(), 1728);
            warnings.extend(p.warnings.iter().map(|w| format!("{w:?}")));
            pages += 1;
            Ok::<(), std::convert::Infallible>(())
        });
        match result {
            Ok(()) if pages == expected => {
                println!("ok   {:<50} {pages:>3} pages {warnings:?}", entry.file);
            }
            Ok(()) => failures.push(format!(
                "{}: {pages} pages, pdfinfo says {expected}",
                entry.file
            )),
            // image's JPEG decoder has no 12-bit support: a clear error.
            Err(RenderError::Raster(Error::Unsupported { what })) if entry.file.contains("12") => {
                println!("unsupported {:<43} {what}", entry.file);
            }
            Err(e) => failures.push(format!("{}: {e}", entry.file)),
        }
        checked += 1;
    }
    assert!(checked > 50, "only {checked} corpus files checked");
    assert!(
        failures.is_empty(),
        "corpus failures:\n{}",
        failures.join("\n")
    );
}

#[test]
fn wrong_and_missing_passwords_are_typed_errors() {
    let Some(dir) = faxprep_testkit::corpus_dir() else {
        return;
    };
    let bytes = std::fs::read(dir.join("qpdf-enc-R3_V2_U-view_O-master.pdf")).expect("read");
    let none = faxprep_raster::page_count(&bytes, DocumentFormat::Pdf, None);
    assert_eq!(none, Err(Error::Password { supplied: false }));
    let wrong = faxprep_raster::page_count(&bytes, DocumentFormat::Pdf, Some("nope"));
    assert_eq!(wrong, Err(Error::Password { supplied: true }));
    assert_eq!(
        faxprep_raster::page_count(&bytes, DocumentFormat::Pdf, Some("view")),
        Ok(30)
    );
}

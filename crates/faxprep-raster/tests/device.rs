//! The gray device against hayro + vello_cpu (the full renderer, its
//! oracle): every page of the corpus's `pdf-text`, `pdf-std14`,
//! `pdf-fonts` and `pdf-form` PDFs is rendered both ways
//! ([`PdfRenderer::Auto`] and [`PdfRenderer::Full`]). On each page the
//! device draws, the gray pages differ by at most 0.05 gray levels on
//! average, and after the default halftone (`auto`) at most 0.01 % of the
//! 1-bit pixels differ. Pages the device hands to the full renderer are
//! listed with their reasons (and are equal by construction). Every page
//! is checked, none sampled. Skips with a message when the corpus is
//! absent.
#![allow(clippy::unwrap_used)]

use faxprep_halftone::{Method, halftone};
use faxprep_raster::{
    DocumentFormat, FallbackReason, PageRenderer, PdfRenderer, RasterOptions, RenderedPage,
    render_all,
};

const KINDS: &[&str] = &["pdf-text", "pdf-std14", "pdf-fonts", "pdf-form"];

fn pages(bytes: &[u8], renderer: PdfRenderer) -> Vec<RenderedPage> {
    let opts = RasterOptions {
        threads: Some(2),
        pdf_renderer: renderer,
        ..RasterOptions::default()
    };
    render_all(bytes, DocumentFormat::Pdf, &opts).unwrap()
}

#[test]
fn device_pages_equal_hayro_and_vello() {
    let Some(dir) = faxprep_testkit::corpus_dir() else {
        return;
    };
    let mut files = 0;
    let (mut drawn, mut fell_back) = (0usize, Vec::new());
    let mut failures = Vec::new();
    let (mut worst_mean, mut worst_share) = (0.0f64, 0.0f64);
    for entry in faxprep_testkit::corpus_index() {
        if !KINDS.contains(&entry.kind.as_str()) {
            continue;
        }
        files += 1;
        let bytes = std::fs::read(entry.path(&dir)).unwrap();
        let device = pages(&bytes, PdfRenderer::Auto);
        let full = pages(&bytes, PdfRenderer::Full);
        assert_eq!(device.len(), full.len(), "{}: page count", entry.file);
        for (d, f) in device.iter().zip(&full) {
            assert_eq!(
                f.renderer,
                PageRenderer::Full(FallbackReason::Requested),
                "the oracle is the full renderer"
            );
            let page = format!("{} page {}", entry.file, d.index + 1);
            match d.renderer {
                PageRenderer::Device => drawn += 1,
                PageRenderer::Full(reason) => {
                    fell_back.push(format!("{page}: {}", reason.as_str()));
                }
                PageRenderer::Picture => panic!("{page}: a PDF page drawn as a picture"),
                _ => panic!("{page}: unknown renderer"),
            }
            let (a, b) = (d.page.data(), f.page.data());
            assert_eq!(a.len(), b.len(), "{page}: size");
            let sum: u64 = a
                .iter()
                .zip(b)
                .map(|(x, y)| u64::from(x.abs_diff(*y)))
                .sum();
            let mean = sum as f64 / a.len() as f64;
            let (hd, hf) = (
                halftone(&d.page, Method::Auto),
                halftone(&f.page, Method::Auto),
            );
            let differing: u64 = hd
                .data()
                .iter()
                .zip(hf.data())
                .map(|(x, y)| u64::from((x ^ y).count_ones()))
                .sum();
            let share = differing as f64 / (f64::from(hd.width()) * f64::from(hd.height()));
            if d.renderer == PageRenderer::Device {
                worst_mean = worst_mean.max(mean);
                worst_share = worst_share.max(share);
            }
            if mean > 0.05 || share > 0.0001 {
                failures.push(format!(
                    "{page}: mean diff {mean:.4} levels, {:.4} % of 1-bit pixels differ",
                    share * 100.0
                ));
            }
        }
    }
    if files == 0 {
        eprintln!("no pdf-text/std14/fonts/form PDFs in the corpus index: skipped");
        return;
    }
    println!(
        "{drawn} pages drawn by the device, {} by hayro + vello:",
        fell_back.len()
    );
    println!(
        "worst device page: mean diff {worst_mean:.4} levels, {:.5} % of 1-bit pixels differ",
        worst_share * 100.0
    );
    for p in &fell_back {
        println!("  fallback {p}");
    }
    assert!(
        failures.is_empty(),
        "pages differ:\n{}",
        failures.join("\n")
    );
    assert!(drawn > 0, "the device drew no page of {files} files");
}

//! Render a PDF, JPEG or PNG to fax-resolution PGM pages, for eyeballing
//! and for timing against Ghostscript (see the crate docs):
//!
//! ```text
//! cargo run --release -p faxprep-raster --example rasterize -- FILE... \
//!     [--out DIR] [--threads N] [--password PW] [--paper auto|letter|a4|legal] [--full]
//! ```
//!
//! `--full` draws every PDF page with hayro + vello_cpu instead of the gray
//! device (the renderer the device is measured against); each file's line
//! says how many pages the device drew, alone or with a patch.
//!
//! Without `--out` the pages are rendered and dropped (what the benchmark
//! measures: the raster stage alone, no disk writes).

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use faxprep_raster::{
    DocumentFormat, PageRenderer, Paper, PaperChoice, PdfRenderer, RasterOptions, render,
};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut files = Vec::new();
    let mut out: Option<PathBuf> = None;
    let mut opts = RasterOptions::default();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--out" => out = args.next().map(PathBuf::from),
            "--threads" => opts.threads = args.next().and_then(|v| v.parse().ok()),
            "--password" => opts.password = args.next(),
            "--full" => opts.pdf_renderer = PdfRenderer::Full,
            "--paper" => {
                opts.paper = match args.next().as_deref() {
                    Some("auto") => PaperChoice::Auto,
                    Some("a4") => PaperChoice::Fixed(Paper::A4),
                    Some("legal") => PaperChoice::Fixed(Paper::Legal),
                    _ => PaperChoice::Fixed(Paper::Letter),
                }
            }
            _ => files.push(PathBuf::from(a)),
        }
    }
    if let Some(dir) = &out {
        std::fs::create_dir_all(dir)?;
    }
    for file in files {
        let bytes = std::fs::read(&file)?;
        let format = if bytes.starts_with(b"\x89PNG") {
            DocumentFormat::Png
        } else if bytes.starts_with(&[0xff, 0xd8]) {
            DocumentFormat::Jpeg
        } else {
            DocumentFormat::Pdf
        };
        let stem = file
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let start = Instant::now();
        let mut pages = 0u32;
        let (mut device, mut patched) = (0u32, 0u32);
        let result = render(&bytes, format, &opts, |p| {
            pages += 1;
            device += u32::from(p.renderer == PageRenderer::Device);
            patched += u32::from(matches!(p.renderer, PageRenderer::Patched(_)));
            if let Some(dir) = &out {
                let path = dir.join(format!("{stem}-{:03}.pgm", p.index + 1));
                let mut f = std::io::BufWriter::new(std::fs::File::create(path)?);
                write!(f, "P5\n{} {}\n255\n", p.page.width(), p.page.height())?;
                f.write_all(p.page.data())?;
                if !p.warnings.is_empty() {
                    eprintln!("{stem} page {}: {:?}", p.index + 1, p.warnings);
                }
            }
            Ok::<(), std::io::Error>(())
        });
        let ms = start.elapsed().as_secs_f64() * 1e3;
        match result {
            Ok(()) => println!(
                "{stem}: {pages} pages ({device} by the device, {patched} by the device with a patch) in {ms:.0} ms"
            ),
            Err(e) => println!("{stem}: error after {pages} pages: {e}"),
        }
    }
    Ok(())
}

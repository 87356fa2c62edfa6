//! CPU time of each stage of the pipeline on one thread, per file: the
//! raster stage, the `auto` halftone and G4 coding, as the pipeline runs
//! them (no intake, no worker, no disk writes):
//!
//! ```text
//! cargo run --release -p faxprep --example stages -- [--runs N] FILE.pdf...
//! ```
//!
//! Each stage's time is the least over N runs (default 3), which is the
//! least disturbed by whatever else the machine does.

use std::time::{Duration, Instant};

use faxprep_codec::{Compression, EncodeOptions, encode};
use faxprep_halftone::{HalftoneOptions, Method, halftone_with_report};
use faxprep_raster::{DocumentFormat, RasterOptions, render};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let opts = RasterOptions {
        threads: Some(1),
        ..RasterOptions::default()
    };
    let ht = HalftoneOptions::with_threads(1);
    let g4 = EncodeOptions::tiff(Compression::G4);
    let mut total = [Duration::ZERO; 3];
    println!(
        "{:<44} {:>5} {:>9} {:>9} {:>9}",
        "file", "pages", "raster_ms", "ht_ms", "g4_ms"
    );
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut runs = 3;
    if args.first().is_some_and(|a| a == "--runs") && args.len() >= 2 {
        runs = args[1].parse()?;
        args.drain(..2);
    }
    for file in args {
        let bytes = std::fs::read(&file)?;
        let (mut raster, mut ht_time, mut g4_time) = (Duration::MAX, Duration::MAX, Duration::MAX);
        let mut pages = Vec::new();
        for _ in 0..runs {
            pages.clear();
            let start = Instant::now();
            render(&bytes, DocumentFormat::Pdf, &opts, |p| {
                pages.push(p.page);
                Ok::<(), std::io::Error>(())
            })
            .map_err(|e| format!("{file}: {e}"))?;
            raster = raster.min(start.elapsed());
            let (mut ht_run, mut g4_run) = (Duration::ZERO, Duration::ZERO);
            for page in &pages {
                let t = Instant::now();
                let (bits, _) = halftone_with_report(page, Method::Auto, &ht);
                ht_run += t.elapsed();
                let t = Instant::now();
                std::hint::black_box(encode(&bits, &g4));
                g4_run += t.elapsed();
            }
            ht_time = ht_time.min(ht_run);
            g4_time = g4_time.min(g4_run);
        }
        let name = std::path::Path::new(&file)
            .file_name()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        println!(
            "{name:<44} {:>5} {:>9.1} {:>9.1} {:>9.1}",
            pages.len(),
            ms(raster),
            ms(ht_time),
            ms(g4_time)
        );
        for (t, d) in total.iter_mut().zip([raster, ht_time, g4_time]) {
            *t += d;
        }
    }
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "{:<44} {:>5} {:>9.1} {:>9.1} {:>9.1}",
        "TOTAL",
        "",
        ms(total[0]),
        ms(total[1]),
        ms(total[2])
    );
    Ok(())
}

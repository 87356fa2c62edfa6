use std::time::Instant;
use faxprep_raster::{DocumentFormat, RasterOptions, render};
fn main() {
    let file = std::env::args().nth(1).unwrap();
    let bytes = std::fs::read(&file).unwrap();
    let opts = RasterOptions { threads: Some(1), ..RasterOptions::default() };
    let mut last = Instant::now();
    let mut by: std::collections::BTreeMap<String, (u32, f64)> = Default::default();
    render(&bytes, DocumentFormat::Pdf, &opts, |p| {
        let ms = last.elapsed().as_secs_f64() * 1e3;
        let k = format!("{:?}", p.renderer); if k.starts_with("Full") { eprint!("{}:{k} ", p.index); }
        let e = by.entry(k).or_default();
        e.0 += 1; e.1 += ms;
        faxprep_raster::recycle(p.page);
        last = Instant::now();
        Ok::<(), std::io::Error>(())
    }).unwrap();
    for (k, (n, ms)) in by { println!("{k:40} {n:4} {ms:8.1} ms {:6.2} ms/page", ms / n as f64); }
}

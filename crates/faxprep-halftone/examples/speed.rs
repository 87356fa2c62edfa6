//! Time each method on one PGM page, single-threaded, as CPU time (a
//! loaded machine inflates wall-clock benches; run this under
//! `/usr/bin/time` or read the per-call figure it prints).
//!
//! `cargo run --release -p faxprep-halftone --example speed -- PAGE.pgm [ITERATIONS [METHOD...]]`

#[path = "common/pnm.rs"]
mod pnm;

use faxprep_halftone::{HalftoneOptions, Method, halftone_with_report};
use faxprep_page::Resolution;

fn cpu_seconds() -> f64 {
    // utime + stime of this process, in clock ticks (100 Hz on Linux).
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit_once(')').map_or("", |(_, s)| s);
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let page = pnm::read_pgm(&args[1], Resolution::Fine).expect("page");
    let n: u32 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(50);
    let one = HalftoneOptions::with_threads(1);
    let only: Vec<Method> = args.iter().skip(3).filter_map(|m| m.parse().ok()).collect();
    for method in Method::ALL {
        if !only.is_empty() && !only.iter().any(|m| m.name() == method.name()) {
            continue;
        }
        let t = cpu_seconds();
        for _ in 0..n {
            std::hint::black_box(halftone_with_report(&page, method, &one));
        }
        let per = (cpu_seconds() - t) / f64::from(n) * 1000.0;
        println!("{:16} {per:7.2} ms CPU per page", method.name());
    }
}

//! Print the paper analysis of PGM pages and write each flattened page.
//!
//! ```text
//! cargo run --release -p faxprep-halftone --example paper_probe -- PAGE.pgm... [--out DIR]
//! ```

#[path = "common/pnm.rs"]
mod pnm;

use faxprep_halftone::{flatten_paper, paper_facts};
use faxprep_page::Resolution;

fn main() {
    let mut out = None;
    let mut files = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if a == "--out" {
            out = args.next();
        } else {
            files.push(a);
        }
    }
    for f in files {
        let page = match pnm::read_pgm(&f, Resolution::Fine) {
            Ok(p) => p,
            Err(e) => {
                eprintln!("{f}: {e}");
                continue;
            }
        };
        let t = std::time::Instant::now();
        let facts = paper_facts(&page);
        let took = t.elapsed();
        println!(
            "{f}: sheet {:.2} corners {} white {:.3} ink {:.3} mid {:.3} paper {} ({:.1} ms)",
            facts.sheet,
            facts.corners,
            facts.white,
            facts.ink,
            facts.mid,
            facts.is_paper,
            took.as_secs_f64() * 1000.0
        );
        if let Some(dir) = &out {
            let flat = flatten_paper(&page);
            let name = std::path::Path::new(&f)
                .file_stem()
                .map_or_else(|| "page".into(), |s| s.to_string_lossy());
            let path = format!("{dir}/{name}.flat.pgm");
            if let Err(e) = pnm::write_pgm(&path, flat.width(), flat.height(), flat.data()) {
                eprintln!("{path}: {e}");
            }
        }
    }
}

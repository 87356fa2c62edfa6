//! Halftone PGM pages into PBM pages (for the evaluation in `eval/`).
//!
//! ```text
//! cargo run --release -p faxprep-halftone --example halftone_pgm -- \
//!     [--method auto] [--resolution fine] [--threads 0] [--mask MASK.pgm] [--flatten] IN.pgm OUT.pbm
//! ```
//!
//! `--flatten` first makes the page into a document page as for a picture
//! of paper (`flatten_paper`), so that any method can be measured on the
//! corrected page. Prints the report on stderr. `--mask` writes a PGM that is white where
//! `auto` dithers (its photo tiles) and black elsewhere.

#[path = "common/pnm.rs"]
mod pnm;

use faxprep_halftone::{HalftoneOptions, Method, classify, halftone_with_report};
use faxprep_page::Resolution;

fn main() {
    if let Err(e) = run() {
        eprintln!("halftone_pgm: {e}");
        std::process::exit(2);
    }
}

fn run() -> Result<(), String> {
    let mut method = Method::Auto;
    let mut resolution = Resolution::Fine;
    let mut threads = 0;
    let mut mask = None;
    let mut flatten = false;
    let mut files = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().ok_or(format!("{a} needs a value"));
        match a.as_str() {
            "--method" => method = value()?.parse().map_err(|e| format!("{e}"))?,
            "--resolution" => {
                resolution = match value()?.as_str() {
                    "standard" => Resolution::Standard,
                    "fine" => Resolution::Fine,
                    "superfine" => Resolution::Superfine,
                    r => return Err(format!("unknown resolution {r}")),
                }
            }
            "--threads" => threads = value()?.parse().map_err(|_| "bad --threads")?,
            "--mask" => mask = Some(value()?),
            "--flatten" => flatten = true,
            _ => files.push(a),
        }
    }
    let [input, output] = files.as_slice() else {
        return Err("usage: halftone_pgm [options] IN.pgm OUT.pbm".into());
    };
    let mut page = pnm::read_pgm(input, resolution)?;
    if flatten {
        page = faxprep_halftone::flatten_paper(&page);
    }
    let opts = HalftoneOptions::with_threads(threads);
    let (bits, report) = halftone_with_report(&page, method, &opts);
    eprintln!("{input}: {report:?}");
    pnm::write_pbm(output, &bits)?;
    if let Some(mask) = mask {
        let map = classify(&page, &opts);
        let w = page.width();
        let data: Vec<u8> = (0..page.data().len() as u32)
            .map(|i| {
                if map.is_photo_pixel(i % w, i / w) {
                    255
                } else {
                    0
                }
            })
            .collect();
        pnm::write_pgm(&mask, page.width(), page.height(), &data)?;
    }
    Ok(())
}

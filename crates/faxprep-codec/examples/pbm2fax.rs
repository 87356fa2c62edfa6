//! PBM in, TIFF Class F out: the codec stage on its own.
//!
//! ```sh
//! cargo run --release -p faxprep-codec --example pbm2fax -- \
//!     ../shared/corpus/spandsp-itu1.pbm fax.tif --g4
//! ```
//!
//! Usage: `pbm2fax IN.pbm [IN2.pbm ...] OUT.tif [--g3-1d | --g3-2d | --g4]
//! [--lsb] [--standard | --fine | --superfine]`. Every raw PBM (P4) image
//! of every input becomes a page (a PBM file may hold several). Pages of
//! other widths than Class F's (1728, 2048, 2432) are padded with white on
//! the right to the next one; wider than 2432 is refused.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::process::ExitCode;

use faxprep_codec::ccitt::Compression;
use faxprep_codec::tiff::{CLASS_F_WIDTHS, FillOrder, TiffOptions, TiffWriter};
use faxprep_page::{BitPage, Resolution};

fn main() -> ExitCode {
    match run(std::env::args().skip(1).collect()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("pbm2fax: {e}");
            ExitCode::from(2)
        }
    }
}

fn run(args: Vec<String>) -> Result<(), Box<dyn std::error::Error>> {
    let mut options = TiffOptions::default();
    let mut resolution = Resolution::Fine;
    let mut files = Vec::new();
    for arg in args {
        match arg.as_str() {
            "--g3-1d" => options.compression = Compression::G3OneD,
            "--g3-2d" => options.compression = Compression::G3TwoD,
            "--g4" => options.compression = Compression::G4,
            "--lsb" => options.fill_order = FillOrder::LsbFirst,
            "--standard" => resolution = Resolution::Standard,
            "--fine" => resolution = Resolution::Fine,
            "--superfine" => resolution = Resolution::Superfine,
            "-h" | "--help" => {
                println!(
                    "usage: pbm2fax IN.pbm [IN2.pbm ...] OUT.tif [--g3-1d|--g3-2d|--g4] [--lsb] \
                     [--standard|--fine|--superfine]"
                );
                return Ok(());
            }
            flag if flag.starts_with("--") => return Err(format!("unknown option {flag}").into()),
            _ => files.push(arg),
        }
    }
    let Some(output) = files.pop().filter(|_| !files.is_empty()) else {
        return Err("need at least one input PBM and an output TIFF (see --help)".into());
    };

    // Pages are coded one at a time as they are read: only the coded bytes
    // stay in memory.
    let mut writer = TiffWriter::new(options.clone())?;
    for file in &files {
        let data = std::fs::read(file).map_err(|e| format!("{file}: {e}"))?;
        let mut rest = &data[..];
        while rest.iter().any(|b| !b.is_ascii_whitespace()) {
            let (page, tail) = read_pbm(rest, resolution).map_err(|e| format!("{file}: {e}"))?;
            let page = pad_to_class_f(page).map_err(|e| format!("{file}: {e}"))?;
            let info = writer.add_page(&page)?;
            println!(
                "page {}: {} x {} at {}, {} bytes of {}",
                info.index + 1,
                info.width,
                info.height,
                info.resolution,
                info.strip_bytes,
                options.compression
            );
            rest = tail;
        }
    }
    let tiff = writer.finish()?;
    std::fs::write(&output, &tiff).map_err(|e| format!("{output}: {e}"))?;
    println!("wrote {output}: {} bytes", tiff.len());
    Ok(())
}

/// One raw PBM (P4) image from the front of `data`, and what follows it.
fn read_pbm(data: &[u8], resolution: Resolution) -> Result<(BitPage, &[u8]), String> {
    let mut fields = Vec::new();
    let mut i = 0;
    while fields.len() < 3 {
        match data.get(i) {
            None => return Err("truncated pbm header".into()),
            Some(b) if b.is_ascii_whitespace() => i += 1,
            Some(b'#') => {
                while data.get(i).is_some_and(|&b| b != b'\n') {
                    i += 1;
                }
            }
            Some(_) => {
                let start = i;
                while data.get(i).is_some_and(|b| !b.is_ascii_whitespace()) {
                    i += 1;
                }
                fields.push(String::from_utf8_lossy(&data[start..i]).into_owned());
            }
        }
    }
    if fields[0] != "P4" {
        return Err(format!("{} is not a raw pbm (P4)", fields[0]));
    }
    let parse = |s: &str| s.parse::<u32>().map_err(|_| format!("bad pbm size {s}"));
    let (width, height) = (parse(&fields[1])?, parse(&fields[2])?);
    // One whitespace byte ends the header.
    let start = i + 1;
    let len = BitPage::stride_for(width)
        .checked_mul(height as usize)
        .ok_or("pbm too large")?;
    let end = start
        .checked_add(len)
        .filter(|&e| e <= data.len())
        .ok_or("truncated pbm data")?;
    let page = BitPage::from_packed(width, height, resolution, data[start..end].to_vec())
        .map_err(|e| e.to_string())?;
    Ok((page, &data[end..]))
}

/// Pad a page with white on the right to the next Class F width.
fn pad_to_class_f(page: BitPage) -> Result<BitPage, String> {
    if CLASS_F_WIDTHS.contains(&page.width()) {
        return Ok(page);
    }
    let Some(&width) = CLASS_F_WIDTHS.iter().find(|&&w| w > page.width()) else {
        return Err(format!(
            "{} pixels wide: fax pages are at most 2432 wide",
            page.width()
        ));
    };
    let mut out =
        BitPage::new(width, page.height(), page.resolution()).map_err(|e| e.to_string())?;
    for y in 0..page.height() {
        let src = page.row(y);
        out.row_mut(y)[..src.len()].copy_from_slice(src);
    }
    Ok(out)
}

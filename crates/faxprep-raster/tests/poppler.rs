//! Pixel agreement with poppler on the corpus text PDFs (issue 4): the
//! first pages of each `pdf-text` file, rendered by `pdftoppm -gray` at
//! 204 x 196 dpi scaled into the same rectangle our geometry puts the page
//! in, compared by mean absolute difference. Missing text, wrong fonts and
//! misplaced pages show up as a difference close to the page's ink.
#![allow(clippy::unwrap_used)] // helpers outside #[test] fns unwrap too

use std::process::Command;

use faxprep_raster::{DocumentFormat, Paper, RasterOptions, Resolution, render};

const PAGES_PER_FILE: u32 = 3;

/// Page sizes (points) and rotation from pdfinfo.
fn page_geometry(path: &std::path::Path, page: u32) -> Option<(f64, f64, i32)> {
    let out = Command::new("pdfinfo")
        .args(["-f", &page.to_string(), "-l", &page.to_string()])
        .arg(path)
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let size = text
        .lines()
        .find(|l| l.starts_with("Page") && l.contains(" size:"))?;
    let nums: Vec<f64> = size
        .split(':')
        .nth(1)?
        .split_whitespace()
        .filter_map(|t| t.parse().ok())
        .collect();
    let rot = text
        .lines()
        .find(|l| l.starts_with("Page") && l.contains(" rot:"))
        .and_then(|l| l.split(':').nth(1)?.trim().parse().ok())
        .unwrap_or(0);
    Some((*nums.first()?, *nums.get(1)?, rot))
}

fn read_pgm(bytes: &[u8]) -> (usize, usize, Vec<u8>) {
    // P5 header: magic, width, height, maxval, one whitespace byte.
    let mut fields = Vec::new();
    let mut pos = 0;
    while fields.len() < 4 {
        while bytes[pos].is_ascii_whitespace() {
            pos += 1;
        }
        let start = pos;
        while !bytes[pos].is_ascii_whitespace() {
            pos += 1;
        }
        fields.push(String::from_utf8_lossy(&bytes[start..pos]).into_owned());
    }
    let (w, h): (usize, usize) = (fields[1].parse().unwrap(), fields[2].parse().unwrap());
    (w, h, bytes[pos + 1..pos + 1 + w * h].to_vec())
}

/// Mean absolute difference of the 8 x 8 block means of two 1728-wide
/// pages.
fn block_mad(a: &[u8], b: &[u8], rows: usize) -> f64 {
    let (bw, bh) = (1728 / 8, rows / 8);
    let mut total = 0.0;
    for by in 0..bh {
        for bx in 0..bw {
            let (mut sa, mut sb) = (0u32, 0u32);
            for y in by * 8..by * 8 + 8 {
                for x in bx * 8..bx * 8 + 8 {
                    sa += u32::from(a[y * 1728 + x]);
                    sb += u32::from(b[y * 1728 + x]);
                }
            }
            total += f64::from(sa.abs_diff(sb)) / 64.0;
        }
    }
    total / (bw * bh) as f64
}

#[test]
fn text_pdfs_agree_with_poppler() {
    let Some(dir) = faxprep_testkit::corpus_dir() else {
        return;
    };
    if !faxprep_testkit::require_tool("pdftoppm") || !faxprep_testkit::require_tool("pdfinfo") {
        return;
    }
    let tmp = std::env::temp_dir().join(format!("faxprep-raster-poppler-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    let rows = Paper::Letter.rows(Resolution::Fine) as usize;
    let mut compared = 0;
    let mut worst = 0.0f64;
    for entry in faxprep_testkit::corpus_index()
        .into_iter()
        .filter(|e| e.kind == "pdf-text")
    {
        let path = entry.path(&dir);
        let bytes = std::fs::read(&path).unwrap();
        let opts = RasterOptions {
            max_pages: 1000,
            threads: Some(2),
            ..RasterOptions::default()
        };
        let mut ours = Vec::new();
        let _ = render(&bytes, DocumentFormat::Pdf, &opts, |p| {
            if p.index >= PAGES_PER_FILE {
                return Err(());
            }
            ours.push(p);
            Ok(())
        });
        for p in &ours {
            let n = p.index + 1;
            let Some((w, h, rot)) = page_geometry(&path, n) else {
                continue;
            };
            if rot % 180 != 0 || w > h {
                continue;
            }
            // The same fit as geometry.rs: 1728 px = 609.88 pt wide.
            let (aw, ah) = (1728.0 * 72.0 / 204.0, rows as f64 * 72.0 / 196.0);
            let s = (aw / w).min(ah / h);
            let (tw, th) = (
                (w * s * 204.0 / 72.0).round() as usize,
                (h * s * 196.0 / 72.0).round() as usize,
            );
            let (ox, oy) = ((1728 - tw) / 2, (rows - th) / 2);
            let out = tmp.join(format!("p{n}"));
            let status = Command::new("pdftoppm")
                .args([
                    "-gray",
                    "-f",
                    &n.to_string(),
                    "-l",
                    &n.to_string(),
                    "-singlefile",
                ])
                .args([
                    "-scale-to-x",
                    &tw.to_string(),
                    "-scale-to-y",
                    &th.to_string(),
                ])
                .arg(&path)
                .arg(&out)
                .status()
                .unwrap();
            assert!(status.success());
            let (pw, ph, pix) = read_pgm(&std::fs::read(out.with_extension("pgm")).unwrap());
            let mut theirs = vec![255u8; 1728 * rows];
            for y in 0..ph.min(rows - oy) {
                let row = &pix[y * pw..y * pw + pw.min(1728 - ox)];
                theirs[(oy + y) * 1728 + ox..(oy + y) * 1728 + ox + row.len()].copy_from_slice(row);
            }
            let mine = p.page.data();
            let mad = mine
                .iter()
                .zip(&theirs)
                .map(|(a, b)| f64::from(a.abs_diff(*b)))
                .sum::<f64>()
                / mine.len() as f64;
            let ink = theirs.iter().map(|&v| f64::from(255 - v)).sum::<f64>() / theirs.len() as f64;
            let blocked = block_mad(mine, &theirs, rows);
            println!(
                "{:<45} page {n}: mean abs diff {mad:.2} (8x8 blocks {blocked:.2}), poppler ink {ink:.2}",
                entry.file
            );
            // Generous: hinting, antialiasing and font substitutes differ
            // pixel by pixel (the raw difference is printed), so the check
            // is on 8 x 8 block means: missing or misplaced text leaves a
            // block difference close to the ink, matching text well under.
            assert!(
                blocked < 0.5 + 0.4 * ink,
                "{} page {n}: block mad {blocked:.2} vs ink {ink:.2}",
                entry.file
            );
            worst = worst.max(mad);
            compared += 1;
        }
    }
    let _ = std::fs::remove_dir_all(&tmp);
    println!("{compared} pages compared, worst mean abs diff {worst:.2}");
    assert!(compared >= 10, "only {compared} pages compared");
}

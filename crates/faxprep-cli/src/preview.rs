//! `faxprep preview INPUT -o DIR`: every page as the receiving machine
//! prints it (decoded back from the coded fax), and a contact sheet.

use crate::Outcome;
use crate::args::{FaxArgs, FieldArgs};
use anyhow::Context;
use faxprep::codec::tiff::{ReadLimits, decode_tiff};
use faxprep::page::BitPage;
use image::{GrayImage, Luma};
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
pub struct Args {
    /// The upload: a PDF, JPEG or PNG.
    pub input: PathBuf,
    /// Directory for page-001.png, ... and contact.png (created if needed).
    #[arg(short, long)]
    pub output: PathBuf,
    #[command(flatten)]
    pub fields: FieldArgs,
    #[command(flatten)]
    pub fax: FaxArgs,
}

/// Pages per row of the contact sheet, and how much each is shrunk.
const SHEET_COLUMNS: u32 = 4;
const SHEET_SHRINK: u32 = 4;

pub fn run(args: Args) -> anyhow::Result<Outcome> {
    let (fax, _, _) =
        match crate::prepare::prepare_fax(&args.input, &args.fields, &args.fax, false, false)? {
            Ok(done) => done,
            Err(outcome) => return Ok(outcome),
        };
    // Decode what will be sent, not the bitmaps before coding.
    let pages = decode_tiff(&fax.tiff, &ReadLimits::default()).context("decoding the fax")?;
    std::fs::create_dir_all(&args.output)
        .with_context(|| format!("creating {}", args.output.display()))?;
    let mut written = Vec::new();
    for (i, page) in pages.iter().enumerate() {
        let path = args.output.join(format!("page-{:03}.png", i + 1));
        to_image(page)
            .save(&path)
            .with_context(|| format!("writing {}", path.display()))?;
        written.push(path);
    }
    let sheet = args.output.join("contact.png");
    contact_sheet(&pages)?
        .save(&sheet)
        .with_context(|| format!("writing {}", sheet.display()))?;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{} pages in {}; contact sheet {}",
        pages.len(),
        dir(&args.output),
        dir(&sheet)
    )?;
    Ok(Outcome::Done)
}

fn dir(p: &Path) -> String {
    p.display().to_string()
}

/// A 1-bit page as an 8-bit gray image (black 0, white 255).
pub fn to_image(page: &BitPage) -> GrayImage {
    GrayImage::from_raw(page.width(), page.height(), page.to_gray_bytes())
        .unwrap_or_else(|| GrayImage::new(1, 1))
}

/// All pages shrunk by [`SHEET_SHRINK`] (each cell the mean of its
/// pixels), [`SHEET_COLUMNS`] to a row, with a gray gutter.
fn contact_sheet(pages: &[BitPage]) -> anyhow::Result<GrayImage> {
    const GUTTER: u32 = 8;
    let cell_w = pages
        .iter()
        .map(|p| p.width() / SHEET_SHRINK)
        .max()
        .unwrap_or(1);
    let cell_h = pages
        .iter()
        .map(|p| p.height() / SHEET_SHRINK)
        .max()
        .unwrap_or(1);
    let cols = SHEET_COLUMNS.min(pages.len().max(1) as u32);
    let rows = (pages.len() as u32).div_ceil(cols).max(1);
    let mut sheet = GrayImage::from_pixel(
        cols * (cell_w + GUTTER) + GUTTER,
        rows * (cell_h + GUTTER) + GUTTER,
        Luma([160]),
    );
    let area = SHEET_SHRINK * SHEET_SHRINK;
    for (i, page) in pages.iter().enumerate() {
        let (ox, oy) = (
            GUTTER + (i as u32 % cols) * (cell_w + GUTTER),
            GUTTER + (i as u32 / cols) * (cell_h + GUTTER),
        );
        for y in 0..page.height() / SHEET_SHRINK {
            for x in 0..page.width() / SHEET_SHRINK {
                let mut black = 0;
                for dy in 0..SHEET_SHRINK {
                    for dx in 0..SHEET_SHRINK {
                        black += u32::from(page.get(x * SHEET_SHRINK + dx, y * SHEET_SHRINK + dy));
                    }
                }
                let value = 255 - (black * 255 / area) as u8;
                sheet.put_pixel(ox + x, oy + y, Luma([value]));
            }
        }
    }
    Ok(sheet)
}

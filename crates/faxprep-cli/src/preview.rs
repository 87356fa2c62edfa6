//! `faxprep preview INPUT -o DIR`: every page as the receiving machine
//! prints it (decoded back from the coded fax), and a contact sheet. The
//! input is an upload, prepared first, or a fax TIFF, shown as it is.

use crate::Outcome;
use crate::args::{FaxArgs, FieldArgs};
use anyhow::Context;
use faxprep::page::BitPage;
use faxprep::preview::{contact_sheet, decode_fax, page_image};
use image::GrayImage;
use std::io::Write;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// The upload (a PDF, JPEG or PNG), or a fax TIFF.
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
    let head = read_head(&args.input)?;
    let tiff = if faxprep::is_tiff(&head) {
        std::fs::read(&args.input).with_context(|| format!("reading {}", args.input.display()))?
    } else {
        match crate::prepare::prepare_fax(&args.input, &args.fields, &args.fax, false, false)? {
            Ok((fax, _, _)) => fax.tiff,
            Err(outcome) => return Ok(outcome),
        }
    };
    // Decode what will be sent, not the bitmaps before coding.
    let pages = decode_fax(&tiff).context("decoding the fax")?;
    std::fs::create_dir_all(&args.output)
        .with_context(|| format!("creating {}", args.output.display()))?;
    for (i, page) in pages.iter().enumerate() {
        let path = args.output.join(format!("page-{:03}.png", i + 1));
        to_image(page)
            .save(&path)
            .with_context(|| format!("writing {}", path.display()))?;
    }
    let sheet = args.output.join("contact.png");
    contact_sheet(&pages, SHEET_COLUMNS, SHEET_SHRINK)
        .save(&sheet)
        .with_context(|| format!("writing {}", sheet.display()))?;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{} pages in {}; contact sheet {}",
        pages.len(),
        args.output.display(),
        sheet.display()
    )?;
    Ok(Outcome::Done)
}

/// The first bytes of a file, enough to tell a TIFF.
fn read_head(path: &PathBuf) -> anyhow::Result<Vec<u8>> {
    use std::io::Read;
    let mut head = Vec::with_capacity(4);
    std::fs::File::open(path)
        .and_then(|f| f.take(4).read_to_end(&mut head))
        .with_context(|| format!("reading {}", path.display()))?;
    Ok(head)
}

/// A 1-bit page as an 8-bit gray image (black 0, white 255).
pub fn to_image(page: &BitPage) -> GrayImage {
    page_image(page, 1)
}

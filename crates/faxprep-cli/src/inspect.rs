//! `faxprep inspect FILE`: what intake sees in an upload, or whether a fax
//! TIFF is valid TIFF Class F (the library's `inspect`, shaped for a
//! terminal or as JSON).

use crate::Outcome;
use crate::args::FaxArgs;
use anyhow::Context;
use faxprep::{Inspection, TiffFacts, UploadFacts};
use std::io::Write;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// An upload (PDF, JPEG, PNG) or a fax TIFF.
    pub file: PathBuf,
    #[command(flatten)]
    pub fax: FaxArgs,
    /// Print one JSON object (or the API error body on stderr).
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: Args) -> anyhow::Result<Outcome> {
    let bytes =
        std::fs::read(&args.file).with_context(|| format!("reading {}", args.file.display()))?;
    let options = args.fax.options()?;
    let inspection = match faxprep::inspect(&bytes, &options) {
        Ok(i) => i,
        Err(e) if e.is_callers() => {
            crate::prepare::report_rejection(&e, args.json)?;
            return Ok(Outcome::Rejected);
        }
        Err(e) => return Err(e.into()),
    };
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer(&mut out, &inspection)?;
        writeln!(out)?;
    } else {
        match &inspection {
            Inspection::Upload(u) => print_upload(&mut out, u)?,
            Inspection::FaxTiff(t) => print_tiff(&mut out, t)?,
            _ => writeln!(out, "{}", serde_json::to_string(&inspection)?)?,
        }
    }
    Ok(match inspection {
        Inspection::FaxTiff(t) if !t.valid_class_f => Outcome::Rejected,
        _ => Outcome::Done,
    })
}

fn dpi(v: Option<f64>) -> String {
    v.map_or_else(|| "unstated".into(), |d| format!("{d:.0}"))
}

fn print_tiff(out: &mut impl Write, t: &TiffFacts) -> std::io::Result<()> {
    writeln!(
        out,
        "fax TIFF, {} page(s), {}",
        t.pages.len(),
        if t.valid_class_f {
            "valid TIFF Class F"
        } else {
            "NOT valid TIFF Class F"
        }
    )?;
    for (i, p) in t.pages.iter().enumerate() {
        writeln!(
            out,
            "  page {}: {} x {}, {}, {} ({} x {} dpi), {} bytes",
            i + 1,
            p.width,
            p.height,
            p.compression,
            p.resolution,
            dpi(p.x_dpi),
            dpi(p.y_dpi),
            p.bytes
        )?;
    }
    for issue in &t.issues {
        writeln!(out, "  {issue}")?;
    }
    Ok(())
}

fn print_upload(out: &mut impl Write, u: &UploadFacts) -> std::io::Result<()> {
    writeln!(
        out,
        "{}, {} page(s)",
        u.format.name().to_uppercase(),
        u.pages
    )?;
    if u.encrypted {
        writeln!(
            out,
            "  encrypted (opened{})",
            if u.password_used {
                " with the password"
            } else {
                " with the empty password"
            }
        )?;
    }
    if u.repaired {
        writeln!(out, "  damaged cross-references, rebuilt")?;
    }
    if let Some(img) = &u.image {
        writeln!(
            out,
            "  image {} x {} px, orientation {}",
            img.width, img.height, img.orientation
        )?;
    }
    if u.form_fields_to_draw > 0 {
        writeln!(
            out,
            "  {} filled form field(s) drawn in from their values",
            u.form_fields_to_draw
        )?;
    }
    for w in &u.warnings {
        writeln!(out, "  warning: {w}")?;
    }
    let q = &u.quotes;
    writeln!(
        out,
        "  credits: {} ({} with a cover)",
        q.paid.credits, q.paid_with_cover.credits
    )?;
    match q.free {
        Some(free) => writeln!(
            out,
            "  free plan: allowed ({} pages with its cover)",
            free.total_pages
        ),
        None => writeln!(
            out,
            "  free plan: too long (at most {} pages with the cover)",
            faxprep::billing::FREE_PLAN_MAX_PAGES
        ),
    }
}

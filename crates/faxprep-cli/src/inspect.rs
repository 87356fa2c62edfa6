//! `faxprep inspect FILE`: what intake sees in an upload, or whether a fax
//! TIFF is valid TIFF Class F.

use crate::Outcome;
use anyhow::Context;
use faxprep::codec::tiff::{ReadLimits, Severity, read_tiff, validate_class_f};
use faxprep::intake::{IntakeOptions, check_document};
use faxprep::{Plan, quote};
use serde_json::json;
use std::io::Write;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// An upload (PDF, JPEG, PNG) or a fax TIFF.
    pub file: PathBuf,
    /// Password of an encrypted PDF.
    #[arg(long)]
    pub password: Option<String>,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: Args) -> anyhow::Result<Outcome> {
    let bytes =
        std::fs::read(&args.file).with_context(|| format!("reading {}", args.file.display()))?;
    if bytes.starts_with(b"II*\0") || bytes.starts_with(b"MM\0*") {
        inspect_tiff(&bytes, args.json)
    } else {
        inspect_upload(&bytes, args.password, args.json)
    }
}

fn inspect_tiff(bytes: &[u8], json: bool) -> anyhow::Result<Outcome> {
    let issues = validate_class_f(bytes);
    let valid = !issues.iter().any(|i| i.severity == Severity::Error);
    let pages = read_tiff(bytes, &ReadLimits::default()).unwrap_or_default();
    let mut out = std::io::stdout().lock();
    if json {
        let pages: Vec<_> = pages
            .iter()
            .map(|p| {
                json!({
                    "width": p.width, "height": p.height,
                    "compression": format!("{:?}", p.compression),
                    "resolution": p.resolution.name(),
                    "x_dpi": p.x_dpi, "y_dpi": p.y_dpi,
                    "bytes": p.compressed_len(),
                })
            })
            .collect();
        let issues: Vec<String> = issues.iter().map(ToString::to_string).collect();
        let value =
            json!({"kind": "tiff", "valid_class_f": valid, "pages": pages, "issues": issues});
        serde_json::to_writer(&mut out, &value)?;
        writeln!(out)?;
    } else {
        writeln!(
            out,
            "fax TIFF, {} page(s), {}",
            pages.len(),
            if valid {
                "valid TIFF Class F"
            } else {
                "NOT valid TIFF Class F"
            }
        )?;
        for (i, p) in pages.iter().enumerate() {
            writeln!(
                out,
                "  page {}: {} x {}, {:?}, {} ({:?} x {:?} dpi), {} bytes",
                i + 1,
                p.width,
                p.height,
                p.compression,
                p.resolution,
                p.x_dpi,
                p.y_dpi,
                p.compressed_len()
            )?;
        }
        for issue in &issues {
            writeln!(out, "  {issue}")?;
        }
    }
    Ok(if valid {
        Outcome::Done
    } else {
        Outcome::Rejected
    })
}

fn inspect_upload(bytes: &[u8], password: Option<String>, json: bool) -> anyhow::Result<Outcome> {
    let opts = IntakeOptions {
        password,
        ..IntakeOptions::default()
    };
    let doc = match check_document(bytes, &opts) {
        Ok(doc) => doc,
        Err(e) => {
            crate::prepare::report_rejection(&faxprep::Error::Intake(e), json)?;
            return Ok(Outcome::Rejected);
        }
    };
    let paid = quote(doc.pages, false, Plan::Paid).ok();
    let paid_cover = quote(doc.pages, true, Plan::Paid).ok();
    let free = quote(doc.pages, true, Plan::Free).ok();
    let warnings: Vec<String> = doc.warnings.iter().map(ToString::to_string).collect();
    let mut out = std::io::stdout().lock();
    if json {
        let value = json!({
            "kind": doc.format.name(),
            "pages": doc.pages,
            "encrypted": doc.encrypted,
            "repaired": doc.repaired,
            "warnings": warnings,
            "credits": paid.map(|q| q.credits),
            "credits_with_cover": paid_cover.map(|q| q.credits),
            "free_plan_allowed": free.is_some(),
        });
        serde_json::to_writer(&mut out, &value)?;
        writeln!(out)?;
    } else {
        writeln!(
            out,
            "{}, {} page(s)",
            doc.format.name().to_uppercase(),
            doc.pages
        )?;
        if doc.encrypted {
            writeln!(
                out,
                "  encrypted (opened{})",
                if doc.password_used {
                    " with the password"
                } else {
                    " with the empty password"
                }
            )?;
        }
        if let Some(img) = &doc.image {
            let (w, h) = img.display_size();
            writeln!(out, "  image {w} x {h} px, orientation {}", img.orientation)?;
        }
        for w in &warnings {
            writeln!(out, "  warning: {w}")?;
        }
        if let (Some(p), Some(c)) = (paid, paid_cover) {
            writeln!(out, "  credits: {} ({} with a cover)", p.credits, c.credits)?;
        }
        writeln!(
            out,
            "  free plan: {}",
            if free.is_some() {
                "allowed"
            } else {
                "too long (at most 5 pages with the cover)"
            }
        )?;
    }
    Ok(Outcome::Done)
}

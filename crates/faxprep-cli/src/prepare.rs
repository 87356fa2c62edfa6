//! `faxprep prepare INPUT -o fax.tif [--pdf fax.pdf]`.

use crate::Outcome;
use crate::args::{FaxArgs, FieldArgs};
use anyhow::Context;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::time::Instant;

#[derive(clap::Args)]
pub struct Args {
    /// The upload: a PDF, JPEG or PNG (recognised by content, not name).
    pub input: PathBuf,
    /// Where to write the fax (TIFF Class F).
    #[arg(short, long)]
    pub output: PathBuf,
    /// Also write the fax as a PDF of the same G4 pages.
    #[arg(long)]
    pub pdf: Option<PathBuf>,
    #[command(flatten)]
    pub fields: FieldArgs,
    #[command(flatten)]
    pub fax: FaxArgs,
    /// Print the summary, or the API error body on stderr, as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Prepare the fax of `input` with the flags; `Err(Outcome::Rejected)` when
/// the input is rejected (already reported on stderr).
pub fn prepare_fax(
    input: &PathBuf,
    fields: &FieldArgs,
    fax: &FaxArgs,
    want_pdf: bool,
    json: bool,
) -> anyhow::Result<Result<(faxprep::PreparedFax, faxprep::WorkerStats, f64), Outcome>> {
    let upload = std::fs::read(input).with_context(|| format!("reading {}", input.display()))?;
    let form = fields.form_fields(json)?;
    let mut options = fax.options()?;
    options.want_pdf = want_pdf;
    let bar = (std::io::stdout().is_terminal() && !json).then(|| {
        let bar = indicatif::ProgressBar::new(0);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} pages")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    });
    let start = Instant::now();
    let result = faxprep::prepare_with_progress(&upload, &form, &options, &mut |p| {
        if let Some(bar) = &bar {
            bar.set_length(u64::from(p.total));
            bar.set_position(u64::from(p.done));
        }
    });
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    drop(upload);
    let seconds = start.elapsed().as_secs_f64();
    match result {
        Ok((fax, stats)) => Ok(Ok((fax, stats, seconds))),
        Err(e) if e.http_status() >= 500 => Err(anyhow::Error::new(e)),
        Err(e) => {
            report_rejection(&e, json)?;
            Ok(Err(Outcome::Rejected))
        }
    }
}

/// Say why the input was rejected, on stderr.
pub fn report_rejection(e: &faxprep::Error, json: bool) -> anyhow::Result<()> {
    let body = e.api_error();
    let mut err = std::io::stderr().lock();
    if json {
        serde_json::to_writer(&mut err, &body)?;
        writeln!(err)?;
    } else {
        writeln!(
            err,
            "rejected ({}, HTTP {}): {}",
            body.error_type,
            e.http_status(),
            body.error
        )?;
        writeln!(err, "hint: {}", body.hint)?;
    }
    Ok(())
}

pub fn run(args: Args) -> anyhow::Result<Outcome> {
    let (fax, stats, seconds) = match prepare_fax(
        &args.input,
        &args.fields,
        &args.fax,
        args.pdf.is_some(),
        args.json,
    )? {
        Ok(done) => done,
        Err(outcome) => return Ok(outcome),
    };
    std::fs::write(&args.output, &fax.tiff)
        .with_context(|| format!("writing {}", args.output.display()))?;
    if let (Some(path), Some(pdf)) = (&args.pdf, &fax.pdf) {
        std::fs::write(path, pdf).with_context(|| format!("writing {}", path.display()))?;
    }
    let mut out = std::io::stdout().lock();
    if args.json {
        let mut value = serde_json::to_value(&fax)?;
        if let serde_json::Value::Object(map) = &mut value {
            map.insert("output".into(), args.output.display().to_string().into());
            if let Some(pdf) = &args.pdf {
                map.insert("pdf".into(), pdf.display().to_string().into());
            }
            map.insert("seconds".into(), seconds.into());
            map.insert("worker_peak_rss_kib".into(), stats.peak_rss_kib.into());
            map.insert(
                "worker_sandbox".into(),
                serde_json::to_value(&stats.sandbox)?,
            );
        }
        serde_json::to_writer(&mut out, &value)?;
        writeln!(out)?;
    } else {
        writeln!(
            out,
            "{}: {} page{} ({} from the {}{}), {} credit{}, {} bytes, ~{:.0} s to send, \
             prepared in {:.2} s",
            args.output.display(),
            fax.total_pages,
            plural(fax.total_pages),
            fax.document_pages,
            fax.format.name(),
            if fax.cover { " + cover" } else { "" },
            fax.credits,
            plural(fax.credits),
            fax.tiff.len(),
            fax.transmission_seconds,
            seconds,
        )?;
        for w in &fax.warnings {
            writeln!(out, "warning: {w}")?;
        }
    }
    // An operator's concern, not the fax's: on stderr, in both modes.
    if let Some(sandbox) = &stats.sandbox {
        for missing in sandbox.degraded() {
            eprintln!("faxprep: warning: worker sandbox degraded: {missing}");
        }
    }
    Ok(Outcome::Done)
}

fn plural(n: u32) -> &'static str {
    if n == 1 { "" } else { "s" }
}

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
    /// Where to write the fax (TIFF Class F). Written while the pages are
    /// made; left as it was when the upload is rejected before a page is
    /// made, removed when the fax fails after.
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
    prepare_fax_to(input, fields, fax, want_pdf, json, None)
}

/// [`prepare_fax`], writing the TIFF into `output` while the pages are made
/// ([`faxprep::prepare_streaming`]).
fn prepare_fax_to(
    input: &PathBuf,
    fields: &FieldArgs,
    fax: &FaxArgs,
    want_pdf: bool,
    json: bool,
    output: Option<&mut Streamed>,
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
    let mut progress = |p: faxprep::Progress| {
        if let Some(bar) = &bar {
            bar.set_length(u64::from(p.total));
            bar.set_position(u64::from(p.done));
        }
    };
    let result = match output {
        Some(streamed) => {
            faxprep::prepare_streaming(&upload, &form, &options, &mut progress, &mut |at, bytes| {
                streamed.write_at(at, bytes)
            })
        }
        None => faxprep::prepare_with_progress(&upload, &form, &options, &mut progress),
    };
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
    let writing = || format!("writing {}", args.output.display());
    let mut streamed = Streamed::start(&args.output).with_context(writing)?;
    let (fax, stats, seconds) = match prepare_fax_to(
        &args.input,
        &args.fields,
        &args.fax,
        args.pdf.is_some(),
        args.json,
        streamed.as_mut(),
    )? {
        Ok(done) => done,
        Err(outcome) => return Ok(outcome),
    };
    match streamed {
        Some(streamed) => streamed.finish().with_context(writing)?,
        None => std::fs::write(&args.output, &fax.tiff).with_context(writing)?,
    }
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

/// The fax file written while the pages are made. It is opened (and
/// emptied) at the first bytes of the fax, so an upload rejected before a
/// page is made leaves the output as it was; a fax that fails after that
/// removes what it wrote rather than leave part of a fax.
struct Streamed {
    path: PathBuf,
    file: Option<std::fs::File>,
    /// The first write that failed; the rest are skipped.
    error: Option<std::io::Error>,
    finished: bool,
}

impl Streamed {
    /// A streamed output at `path`, or `None` when it is not a regular file
    /// or a new name (a device, a pipe: written at the end, as given).
    fn start(path: &std::path::Path) -> std::io::Result<Option<Streamed>> {
        match std::fs::metadata(path) {
            Ok(meta) if !meta.is_file() => return Ok(None),
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
        Ok(Some(Streamed {
            path: path.to_owned(),
            file: None,
            error: None,
            finished: false,
        }))
    }

    fn write_at(&mut self, at: u64, bytes: &[u8]) {
        if self.error.is_none()
            && let Err(e) = self.try_write_at(at, bytes)
        {
            self.error = Some(e);
        }
    }

    /// Write `bytes` at `at`, creating (or emptying) the file first.
    fn try_write_at(&mut self, at: u64, bytes: &[u8]) -> std::io::Result<()> {
        use std::os::unix::fs::FileExt;
        let file = match self.file.take() {
            Some(file) => file,
            None => std::fs::File::create(&self.path)?,
        };
        self.file.insert(file).write_all_at(bytes, at)
    }

    /// The fax is whole: the first write error, if any.
    fn finish(mut self) -> std::io::Result<()> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        self.finished = true;
        Ok(())
    }
}

impl Drop for Streamed {
    fn drop(&mut self) {
        if !self.finished && self.file.take().is_some() {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

fn plural(n: u32) -> &'static str {
    if n == 1 { "" } else { "s" }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The output is touched at the first bytes only, kept when the fax is
    /// finished, removed when it is not, and a write that fails is the
    /// error `finish` gives.
    #[test]
    fn the_output_is_the_finished_fax_or_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("fax.tif");
        std::fs::write(&path, b"old").unwrap();
        // Nothing written (a rejected upload): as it was.
        drop(Streamed::start(&path).unwrap().unwrap());
        assert_eq!(std::fs::read(&path).unwrap(), b"old");
        // Written and finished: the bytes at their offsets, nothing else.
        let mut out = Streamed::start(&path).unwrap().unwrap();
        out.write_at(2, b"cd");
        out.write_at(0, b"ab");
        out.finish().unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"abcd");
        // Written, not finished: no part of a fax is left.
        let mut out = Streamed::start(&path).unwrap().unwrap();
        out.write_at(0, b"ab");
        drop(out);
        assert!(!path.exists());
        // A write that fails: its error, and nothing left.
        let gone = dir.path().join("no-such-dir").join("fax.tif");
        let mut out = Streamed::start(&gone).unwrap().unwrap();
        out.write_at(0, b"ab");
        assert!(out.finish().is_err());
        // Not a regular file: written at the end instead.
        assert!(
            Streamed::start(std::path::Path::new("/dev/null"))
                .unwrap()
                .is_none()
        );
    }
}

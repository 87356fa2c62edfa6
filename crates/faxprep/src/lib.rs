//! faxprep: what a user uploads to a fax API, turned into the exact pages a
//! fax machine prints (the umbrella crate; all six stages in one call).
//!
//! [`prepare`] takes the upload's bytes and the form fields of
//! `POST /api/send-fax` and returns a [`PreparedFax`]: a TIFF Class F file
//! (and, on request, a PDF of the same G4 pages), the page count, per-page
//! facts, warnings, the credits and a transmission estimate;
//! [`prepare_streaming`] also hands the TIFF out while its pages are coded,
//! for a frontend that writes it to a file. The steps, each its own crate:
//!
//! 1. **Intake** ([`intake::check_document`], [`intake::validate_fields`]):
//!    sniff the bytes, enforce the limits, preflight the PDF or image,
//!    validate every form field.
//! 2. **Raster** ([`raster::render`]): every page to 8-bit gray at the fax
//!    resolution, 1728 pixels wide, upright, in parallel.
//! 3. **Halftone** ([`halftone::halftone_with_report`]): gray to 1 bit,
//!    text thresholded and photos line-screened.
//! 4. **Codec** ([`codec::encode`], [`codec::tiff::TiffWriter`]): T.4/T.6
//!    coding into TIFF Class F. A page whose coded bytes take longer on the
//!    line than [`Options::line_budget`] (180 s at 14.4 kbit/s by default)
//!    goes back to stage 3 for a coarser screen of its photos, at most four
//!    times, and is flagged with [`Warning::OverLineBudget`] if it is still
//!    over it.
//! 5. **Cover** ([`cover::render_cover`]): the cover sheet, drawn straight
//!    into a fax bitmap.
//! 6. **Billing** ([`billing::quote`]): one credit per started block of ten
//!    pages, cover included; the free plan at most five pages.
//!
//! With [`Options::header`], every page also carries the identification
//! line ([`cover::header`]): the renderer keeps the band's rows white and
//! places the page in the rows beside them, and this crate, which has the
//! validated fields and the page count, draws each page's band on the
//! decoded page and codes it again (the worker never sees the sender).
//!
//! Stages 1 and 2 parse what strangers send. By default
//! ([`Isolation::Process`]) they run in a `faxprep worker` child process
//! that closes every inherited descriptor, sets `no_new_privs`, a
//! parent-death signal and hard limits (address space, CPU, wall clock, no
//! file writes, empty environment), and locks itself down with Landlock
//! and a seccomp allow-list before it reads a byte ([`sandbox`]); the
//! worker program is the `faxprep` binary, found through
//! `FAXPREP_WORKER` or beside the running executable
//! ([`find_worker_program`]), or named in [`Worker::program`]. In-process
//! ([`Isolation::InProcess`]) is an explicit choice, for trusted input only.
//! The upload is never written to disk, and every buffer made from it is
//! dropped when `prepare` returns.
//!
//! Each page is rendered, halftoned and coded by one thread of the render
//! pool, pages in parallel, and assembled in order on the calling thread.
//! The form fields are validated on a thread of their own meanwhile
//! (libphonenumber loads its metadata once per process, on the first
//! fax), and the cover page, the first thing that needs the fields, waits
//! for them.
//!
//! # What frontends share
//! The CLI, the HTTP service and the MCP server are thin: they collect
//! names and values and shape answers. What they have in common lives
//! here, typed: [`request`] sorts named values into the API's form fields
//! and the engine's options and checks them; [`date`] reads dates and IANA
//! zones; [`inspect()`] tells what an upload or a fax TIFF is and what it
//! costs ([`Quotes`]); [`PreparedFax`] serialises as the facts every
//! frontend answers with; [`preview`] makes PNGs of the pages as they are
//! printed; [`ErrorType`] and [`ApiError`] are the API's error body.
//!
//! The modules behind [`prepare`]: `pipeline` runs the untrusted stages
//! (preflight, render, halftone, code) on one upload; [`spawn`] starts
//! the worker process and reads its answer within bounds; `protocol` is
//! the worker's side and the frames between the two; [`sandbox`] locks
//! the worker down.
//!
//! ```no_run
//! use faxprep::{FormFields, Options, prepare};
//!
//! let pdf = std::fs::read("letter.pdf")?;
//! let fields = FormFields {
//!     recipient_number: Some("(212) 555-1234".into()),
//!     sender_name: Some("Dr. Ada Lovelace".into()),
//!     sender_email: Some("ada@example.com".into()),
//!     include_cover: Some("true".into()),
//!     ..FormFields::default()
//! };
//! let fax = prepare(&pdf, &fields, &Options::default())?;
//! println!("{} pages, {} credits", fax.total_pages, fax.credits);
//! std::fs::write("fax.tif", &fax.tiff)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Errors map to the API's body with [`Error::api_error`] and
//! [`Error::http_status`]: `{"error": ..., "error_type": "bad_request",
//! "hint": ...}` and 400, `payment_required` and 402 for the free plan's
//! page limit, `document_too_complex` and 422 for a document that hits a
//! resource limit or crashes the renderer.
//!
//! # Dependencies
//! - the stage crates (`faxprep-*`), re-exported as modules;
//! - `lopdf`: writes the PDF output with the G4 bytes untouched (see
//!   [`pdf`]);
//! - `serde`/`serde_json`: the API error body, the facts frontends answer
//!   with and the worker protocol;
//! - `jiff`: calendar and IANA zones for [`date`], with its own copy of
//!   the zone database;
//! - `image` (PNG only): [`preview`] pictures;
//! - `rlimit`: safe `setrlimit` for the worker (no unsafe code here);
//! - `landlock`, `seccompiler`, `nix`, `libc` (constants only): the
//!   worker's sandbox and the parent's process-group, `poll` and `killpg`
//!   handling, through safe APIs.
//!
//! # Safety
//! Unsafe code is forbidden.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod billing;
pub mod date;
mod error;
mod fax;
mod inspect;
mod options;
pub mod pdf;
mod pipeline;
pub mod preview;
mod protocol;
pub mod request;
pub mod sandbox;
mod slots;
pub mod spawn;

pub use billing::{Quote, quote};
pub use error::{ApiError, Error, ErrorType};
pub use fax::{
    DEFAULT_LINE_BUDGET_SECONDS, HeaderFacts, LINE_BYTES_PER_SECOND, PageFacts, PreparedFax,
    Warning, line_seconds, transmission_seconds,
};
pub use faxprep_codec as codec;
pub use faxprep_cover as cover;
pub use faxprep_cover::{HeaderLine, HeaderPosition, HeaderTemplate};
pub use faxprep_halftone as halftone;
pub use faxprep_intake as intake;
pub use faxprep_intake::{FormFields, Limits, Plan};
pub use faxprep_page as page;
pub use faxprep_raster as raster;
pub use inspect::{
    ImageFacts, Inspection, Quotes, TiffFacts, TiffPageFacts, UploadFacts, inspect, is_tiff,
};
pub use options::{Options, default_brand};
pub use protocol::{WorkerStats, max_coded_page, worker_main, worker_process};
pub use sandbox::{SandboxOptions, SandboxReport};
pub use slots::{max_workers, set_max_workers};
pub use spawn::{Isolation, Worker, WorkerLimits, apply_worker_limits, find_worker_program};

use faxprep_codec::tiff::{TiffOptions, TiffWriter};
use faxprep_codec::{Compression, DecodeOptions, EncodeOptions, decode, encode};
use faxprep_cover::{CoverFields, CoverOptions, HeaderValues};
use faxprep_intake::{IntakeOptions, ValidFields};
use faxprep_page::{BitPage, Paper};
use faxprep_raster::PaperChoice;
use pipeline::{CodedPage, DocJob, Event};

/// Result with this crate's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;

/// Pages done so far of the total, cover included (for progress bars):
/// first `0` of the total once the document is counted, then one more for
/// the cover and for each page as it is coded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Pages coded so far.
    pub done: u32,
    /// Pages in the fax.
    pub total: u32,
}

/// Prepare a fax from an upload and its form fields.
pub fn prepare(upload: &[u8], fields: &FormFields, opts: &Options) -> Result<PreparedFax> {
    prepare_with_progress(upload, fields, opts, &mut |_| {}).map(|(fax, _)| fax)
}

/// [`prepare`] with a progress callback; also returns the isolated worker's
/// statistics: its peak memory and what its sandbox holds (empty
/// in-process).
pub fn prepare_with_progress(
    upload: &[u8],
    fields: &FormFields,
    opts: &Options,
    progress: &mut dyn FnMut(Progress),
) -> Result<(PreparedFax, WorkerStats)> {
    prepare_inner(upload, fields, opts, progress, None)
}

/// [`prepare_with_progress`], also handing the TIFF file to `sink` while
/// it is made, as (offset, bytes) to write there: each page's bytes as
/// the page is coded, and the few bytes already handed out that change
/// later (a page directory's link to the next, the page totals at the
/// end). Writing each at its offset, as `std::os::unix::fs::FileExt::write_all_at`
/// does, gives [`PreparedFax::tiff`] once this returns `Ok`; on `Err` what
/// was written is a part of a fax that will not be finished. A frontend
/// that saves the fax to a file writes it while the pages are made
/// instead of all at the end.
pub fn prepare_streaming(
    upload: &[u8],
    fields: &FormFields,
    opts: &Options,
    progress: &mut dyn FnMut(Progress),
    sink: &mut dyn FnMut(u64, &[u8]),
) -> Result<(PreparedFax, WorkerStats)> {
    prepare_inner(upload, fields, opts, progress, Some(sink))
}

/// Where [`prepare_streaming`] hands the TIFF: (file offset, bytes).
type TiffSink<'a> = dyn FnMut(u64, &[u8]) + 'a;

fn prepare_inner<'a>(
    upload: &[u8],
    fields: &FormFields,
    opts: &'a Options,
    progress: &mut dyn FnMut(Progress),
    sink: Option<&'a mut TiffSink<'a>>,
) -> Result<(PreparedFax, WorkerStats)> {
    let intake_opts = IntakeOptions {
        plan: opts.plan,
        limits: opts.limits.clone(),
        password: opts.password.clone(),
    };
    // A bad includeCover fails validation below; nothing else is needed
    // to start on the document.
    let Some(cover) = faxprep_intake::wants_cover(fields, opts.plan) else {
        return Err(match faxprep_intake::validate_fields(fields, opts.plan) {
            Err(e) => fields_error(e, upload, fields, &intake_opts, opts),
            Ok(_) => Error::Internal {
                message: "includeCover reported invalid but validates".into(),
            },
        });
    };
    // Size checks need no parsing: answer them here rather than start a
    // worker for an empty or oversized upload (a bad field still comes
    // first, as always).
    let size = upload.len() as u64;
    if (size == 0 || size > opts.limits.max_upload_bytes)
        && let Err(e) = faxprep_intake::check_document(upload, &intake_opts)
    {
        return Err(match faxprep_intake::validate_fields(fields, opts.plan) {
            Ok(_) => Error::Intake(e),
            Err(fe) => fields_error(fe, upload, fields, &intake_opts, opts),
        });
    }
    let job = DocJob::new(opts, cover);
    let mut assembly = Assembly::new(opts, cover, sink)?;
    // The fields are checked on a thread of their own while the document
    // is preflighted and rendered (loading libphonenumber's metadata is
    // the slowest check in a fresh process); the cover, the first thing
    // that needs them, waits for them.
    let (outcome, checked) = std::thread::scope(|scope| {
        let mut check = FieldCheck::start(scope, fields, opts.plan);
        let mut sink = |event: Event| {
            match event {
                Event::Summary(summary) => assembly.start(summary)?,
                Event::Page(page) => {
                    // The cover goes first, once the fields are known;
                    // until this first page the document ran beside them.
                    if !assembly.has_fields() {
                        match check.result() {
                            Ok(valid) => assembly.fields(valid)?,
                            // Stops the document; the fields' error is
                            // returned.
                            Err(e) => return Err(Error::Intake(e.clone())),
                        }
                        if assembly.pages_done() > 0 {
                            progress(assembly.progress());
                        }
                    }
                    assembly.add(page)?;
                }
            }
            progress(assembly.progress());
            Ok(())
        };
        let outcome = match &opts.isolation {
            Isolation::InProcess => {
                pipeline::process_document(upload, &job, &mut sink).map(|()| WorkerStats::default())
            }
            Isolation::Process(worker) => {
                protocol::process_isolated(worker, upload, &job, &mut sink)
            }
        };
        (outcome, check.result().clone())
    });
    let valid = match checked {
        Ok(valid) => valid,
        Err(e) => return Err(fields_error(e, upload, fields, &intake_opts, opts)),
    };
    let stats = outcome?;
    if !assembly.has_fields() {
        assembly.fields(&valid)?;
    }
    Ok((assembly.finish()?, stats))
}

/// The error for invalid fields (`e`, what validation said). In-process, a
/// bad document is reported together with the bad fields, so the user
/// fixes everything in one round trip; isolated, the document is not
/// parsed here.
fn fields_error(
    e: faxprep_intake::Error,
    upload: &[u8],
    fields: &FormFields,
    intake_opts: &IntakeOptions,
    opts: &Options,
) -> Error {
    if opts.isolation == Isolation::InProcess {
        return Error::Intake(
            faxprep_intake::intake(upload, fields, intake_opts)
                .err()
                .unwrap_or(e),
        );
    }
    Error::Intake(e)
}

/// Field validation running beside the document, then its result.
struct FieldCheck<'scope> {
    thread: Option<std::thread::ScopedJoinHandle<'scope, faxprep_intake::Result<ValidFields>>>,
    result: Option<faxprep_intake::Result<ValidFields>>,
}

impl<'scope> FieldCheck<'scope> {
    fn start(
        scope: &'scope std::thread::Scope<'scope, '_>,
        fields: &'scope FormFields,
        plan: Plan,
    ) -> Self {
        FieldCheck {
            thread: Some(scope.spawn(move || faxprep_intake::validate_fields(fields, plan))),
            result: None,
        }
    }

    /// The result, waiting for it the first time.
    fn result(&mut self) -> &faxprep_intake::Result<ValidFields> {
        let thread = &mut self.thread;
        self.result.get_or_insert_with(|| match thread.take() {
            // Validation does not panic; if it ever did, the panic goes on
            // as it would have on this thread.
            Some(t) => t.join().unwrap_or_else(|p| std::panic::resume_unwind(p)),
            None => unreachable!("`start` made the thread and only this takes it"),
        })
    }
}

/// The cover page alone, for a fax of `total_pages` pages (cover
/// included): what `prepare` puts first, for previews and tests.
pub fn cover_page(
    fields: &FormFields,
    opts: &Options,
    total_pages: u32,
) -> Result<(BitPage, Vec<Warning>)> {
    let fields = faxprep_intake::validate_fields(fields, opts.plan).map_err(Error::Intake)?;
    render_cover(&fields, opts, total_pages)
}

/// What the identification line prints, from the valid fields and the
/// caller's date (the recipient as the cover shows it).
fn header_values(f: &ValidFields, opts: &Options) -> HeaderValues {
    HeaderValues {
        date: opts.date.clone(),
        sender_name: f.sender_name.clone(),
        sender_company: f.sender_company.clone(),
        sender_phone: f.sender_phone.clone(),
        sender_email: f.sender_email.clone(),
        recipient_name: f.recipient_name.clone(),
        recipient_number: format!("+1 {}", f.recipient_number_national),
        subject: f.subject.clone(),
    }
}

/// The identification line of page `page` (from 1) of `pages`, drawn at
/// `opts.resolution`, with the sections as printed and its warnings.
fn header_band(
    line: &HeaderLine,
    values: &HeaderValues,
    opts: &Options,
    page: u32,
    pages: u32,
) -> (BitPage, String, Vec<faxprep_cover::Warning>) {
    let band = faxprep_cover::header_layout(line, values, page, pages);
    let drawn = faxprep_cover::draw_header(&band, opts.resolution);
    (drawn, band.sections.join(" | "), band.warnings)
}

fn render_cover(
    f: &ValidFields,
    opts: &Options,
    total_pages: u32,
) -> Result<(BitPage, Vec<Warning>)> {
    let fields = CoverFields {
        recipient_name: f.recipient_name.clone(),
        recipient_number: format!("+1 {}", f.recipient_number_national),
        sender_name: f.sender_name.clone(),
        sender_company: f.sender_company.clone(),
        sender_email: f.sender_email.clone(),
        sender_phone: f.sender_phone.clone(),
        subject: f.subject.clone(),
        note: f.cover_note.clone(),
        date: opts.date.clone(),
        total_pages,
    };
    let options = CoverOptions {
        resolution: opts.resolution,
        paper: cover_paper(opts),
        brand: (opts.plan == Plan::Free).then(|| opts.brand.clone()),
    };
    let (page, warnings) = faxprep_cover::render_cover(&fields, &options).map_err(Error::Cover)?;
    Ok((
        page,
        warnings
            .iter()
            .map(|w| Warning::Cover {
                message: w.to_string(),
            })
            .collect(),
    ))
}

/// The cover's paper: the fixed paper, or Letter when it is chosen per page.
fn cover_paper(opts: &Options) -> Paper {
    match opts.paper {
        PaperChoice::Fixed(p) => p,
        _ => Paper::Letter,
    }
}

/// Builds the fax as pages arrive: the cover first (once the page count is
/// known), then the document's pages, each coded once.
struct Assembly<'a> {
    opts: &'a Options,
    cover: bool,
    /// The recipient in E.164, once [`Assembly::fields`] ran.
    recipient_number: Option<String>,
    /// The identification line and its values, once the fields are known.
    header: Option<(HeaderLine, HeaderValues)>,
    writer: Option<TiffWriter>,
    /// Where the TIFF goes as it is written ([`prepare_streaming`]).
    sink: Option<&'a mut TiffSink<'a>>,
    pdf_pages: Vec<(u32, u32, Vec<u8>)>,
    summary: Option<pipeline::DocSummary>,
    facts: Vec<PageFacts>,
    warnings: Vec<Warning>,
    credits: u32,
    total: u32,
}

impl<'a> Assembly<'a> {
    fn new(opts: &'a Options, cover: bool, sink: Option<&'a mut TiffSink<'a>>) -> Result<Self> {
        let writer = TiffWriter::new(TiffOptions {
            compression: opts.compression,
            software: opts.software.clone(),
            date_time: Some(opts.tiff_date_time()),
            ..TiffOptions::default()
        })
        .map_err(Error::Tiff)?;
        Ok(Assembly {
            opts,
            cover,
            recipient_number: None,
            header: None,
            writer: Some(writer),
            sink,
            pdf_pages: Vec::new(),
            summary: None,
            facts: Vec::new(),
            warnings: Vec::new(),
            credits: 0,
            total: 0,
        })
    }

    fn pages_done(&self) -> u32 {
        self.facts.len() as u32
    }

    fn progress(&self) -> Progress {
        Progress {
            done: self.pages_done(),
            total: self.total,
        }
    }

    fn writer(&mut self) -> Result<&mut TiffWriter> {
        self.writer.as_mut().ok_or_else(|| Error::Internal {
            message: "fax already finished".into(),
        })
    }

    /// Hand the sink what the TIFF writer wrote since the last time.
    fn drain(&mut self) {
        if let (Some(writer), Some(sink)) = (self.writer.as_mut(), self.sink.as_mut()) {
            writer.drain(&mut **sink);
        }
    }

    fn start(&mut self, summary: pipeline::DocSummary) -> Result<()> {
        let quote =
            billing::quote(summary.pages, self.cover, self.opts.plan).map_err(Error::Billing)?;
        self.credits = quote.credits;
        self.total = quote.total_pages;
        self.warnings.extend(summary.warnings.iter().cloned());
        self.summary = Some(summary);
        Ok(())
    }

    fn has_fields(&self) -> bool {
        self.recipient_number.is_some()
    }

    /// Take the valid fields: the recipient, and the cover page when the
    /// fax has one (before any page of the document).
    fn fields(&mut self, fields: &ValidFields) -> Result<()> {
        if self.summary.is_none() || self.has_fields() {
            return Err(Error::Internal {
                message: "fields out of order".into(),
            });
        }
        self.recipient_number = Some(fields.recipient_number.clone());
        if let Some(line) = &self.opts.header {
            let values = header_values(fields, self.opts);
            let missing = line.missing_for_rule(&values);
            if !missing.is_empty() {
                self.warnings.push(Warning::Header {
                    message: format!(
                        "the identification line does not print the {} that 47 CFR \
                         68.318(d) asks a fax sent from a computer to carry",
                        missing.join(", ")
                    ),
                });
            }
            self.header = Some((line.clone(), values));
        }
        if self.cover {
            let mut page = self.render_cover(fields)?;
            // The cover's margins (50 points at the top, 36 at the bottom)
            // are wider than the band: it goes on the cover as it is.
            let header = self.stamp(&mut page);
            let info = self.writer()?.add_page(&page).map_err(Error::Tiff)?;
            self.drain();
            let g4 = encode(&page, &EncodeOptions::tiff(Compression::G4));
            self.facts.push(PageFacts {
                index: 0,
                source_page: None,
                width: page.width(),
                height: page.height(),
                resolution: page.resolution(),
                paper: cover_paper(self.opts),
                rotated: false,
                coded_bytes: info.strip_bytes,
                g4_bytes: g4.len() as u64,
                blank: page.is_blank(),
                halftone: "cover".into(),
                photo_fraction: 0.0,
                content: "cover".into(),
                line_seconds: fax::line_seconds(info.strip_bytes),
                screen_period: None,
                header,
                renderer: None,
            });
            if self.opts.want_pdf {
                self.pdf_pages.push((page.width(), page.height(), g4));
            }
        }
        Ok(())
    }

    fn render_cover(&mut self, fields: &ValidFields) -> Result<BitPage> {
        let (page, warnings) = render_cover(fields, self.opts, self.total)?;
        self.warnings.extend(warnings);
        Ok(page)
    }

    /// Draw the identification line of the next page on `page`; its text,
    /// or `None` without a line.
    fn stamp(&mut self, page: &mut BitPage) -> Option<String> {
        let (line, values) = self.header.as_ref()?;
        let number = self.pages_done() + 1;
        let (band, text, warnings) = header_band(line, values, self.opts, number, self.total);
        faxprep_cover::stamp_header(page, &band, line.position);
        for w in warnings {
            let w = Warning::Header {
                message: w.to_string(),
            };
            if !self.warnings.contains(&w) {
                self.warnings.push(w);
            }
        }
        Some(text)
    }

    /// A document page with its identification line: decoded, the band
    /// drawn in the rows the renderer kept white for it, and coded again.
    fn stamp_coded(&mut self, mut page: CodedPage) -> Result<CodedPage> {
        // The line's text is this side's to say, whatever a worker sent.
        page.facts.header = None;
        if self.header.is_none() {
            return Ok(page);
        }
        let CodedPage {
            mut facts,
            strip,
            g4,
            warnings,
        } = page;
        let compression = self.opts.compression;
        let decoding = DecodeOptions {
            resolution: facts.resolution,
            align_eol: compression != Compression::G4,
            ..DecodeOptions::new(compression, facts.width).with_rows(facts.height)
        };
        let mut bits = decode(&strip, &decoding).map_err(|e| Error::Internal {
            message: format!("a coded page does not decode: {e}"),
        })?;
        facts.header = self.stamp(&mut bits);
        let strip = encode(&bits, &EncodeOptions::tiff(compression));
        let g4 = match (g4, compression) {
            (_, Compression::G4) => None,
            (Some(_), _) => Some(encode(&bits, &EncodeOptions::tiff(Compression::G4))),
            (None, _) => None,
        };
        facts.g4_bytes = match (&g4, compression) {
            (Some(g4), _) => g4.len() as u64,
            (None, Compression::G4) => strip.len() as u64,
            (None, _) => encode(&bits, &EncodeOptions::tiff(Compression::G4)).len() as u64,
        };
        facts.coded_bytes = strip.len() as u64;
        facts.line_seconds = fax::line_seconds(facts.coded_bytes);
        facts.blank = bits.is_blank();
        Ok(CodedPage {
            facts,
            strip,
            g4,
            warnings,
        })
    }

    fn add(&mut self, page: CodedPage) -> Result<()> {
        if self.summary.is_none() {
            return Err(Error::Internal {
                message: "page before summary".into(),
            });
        }
        let CodedPage {
            mut facts,
            strip,
            g4,
            warnings,
        } = self.stamp_coded(page)?;
        facts.index = self.facts.len() as u32;
        let (w, h, res) = (facts.width, facts.height, facts.resolution);
        self.writer()?
            .add_encoded(w, h, res, &strip)
            .map_err(Error::Tiff)?;
        self.drain();
        if self.opts.want_pdf {
            let g4 = match g4 {
                Some(g4) => g4,
                None if self.opts.compression == Compression::G4 => strip,
                None => {
                    return Err(Error::Internal {
                        message: "no g4 data for the pdf".into(),
                    });
                }
            };
            self.pdf_pages.push((w, h, g4));
        }
        self.warnings.extend(warnings);
        self.facts.push(facts);
        Ok(())
    }

    fn finish(mut self) -> Result<PreparedFax> {
        let summary = self.summary.take().ok_or_else(|| Error::Internal {
            message: "no document".into(),
        })?;
        let recipient_number = self
            .recipient_number
            .take()
            .ok_or_else(|| Error::Internal {
                message: "no fields".into(),
            })?;
        if self.facts.len() as u32 != self.total {
            return Err(Error::Internal {
                message: format!("{} pages coded, {} expected", self.facts.len(), self.total),
            });
        }
        self.writer()?.complete().map_err(Error::Tiff)?;
        self.drain();
        let writer = self.writer.take().ok_or_else(|| Error::Internal {
            message: "finished".into(),
        })?;
        let tiff = writer.finish().map_err(Error::Tiff)?;
        let (x_dpi, y_dpi) = (self.opts.resolution.x_dpi(), self.opts.resolution.y_dpi());
        let pdf = if self.opts.want_pdf {
            let pages: Vec<pdf::PdfPage<'_>> = self
                .pdf_pages
                .iter()
                .map(|(width, height, g4)| pdf::PdfPage {
                    width: *width,
                    height: *height,
                    x_dpi,
                    y_dpi,
                    g4,
                })
                .collect();
            Some(pdf::write_pdf(&pages).map_err(|e| Error::Pdf {
                message: e.to_string(),
            })?)
        } else {
            None
        };
        Ok(PreparedFax {
            tiff_bytes: tiff.len() as u64,
            pdf_bytes: pdf.as_ref().map(|p| p.len() as u64),
            tiff,
            pdf,
            recipient_number,
            format: summary.format,
            document_pages: summary.pages,
            total_pages: self.total,
            cover: self.cover,
            credits: self.credits,
            transmission_seconds: transmission_seconds(self.facts.iter().map(|f| f.coded_bytes)),
            pages: self.facts,
            warnings: self.warnings,
            header: self.opts.header.as_ref().map(|h| {
                let rows = faxprep_cover::band_rows(self.opts.resolution);
                HeaderFacts {
                    template: h.template.as_str().to_owned(),
                    position: h.position.name().into(),
                    band_rows: rows,
                    band_inches: f64::from(rows) / f64::from(self.opts.resolution.y_dpi()),
                    missing_for_rule: self
                        .header
                        .as_ref()
                        .map(|(l, v)| l.missing_for_rule(v))
                        .unwrap_or_default()
                        .into_iter()
                        .map(String::from)
                        .collect(),
                }
            }),
        })
    }
}

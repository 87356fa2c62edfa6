//! What a file is before anything is prepared: an upload preflighted (in
//! the isolated worker when the options say so, as [`crate::prepare`]
//! does) with its price on every plan, or a fax TIFF checked against TIFF
//! Class F by our own codec.

use crate::billing::{Quote, quote};
use crate::fax::Warning;
use crate::pipeline::{DocJob, Event, process_document};
use crate::{Error, Isolation, Options, Plan, protocol};
use faxprep_codec::tiff::{ReadLimits, Severity, TiffCompression, read_tiff, validate_class_f};
use faxprep_page::DocumentFormat;
use serde::{Deserialize, Serialize};

/// What [`inspect`] found.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Inspection {
    /// An upload the API accepts (PDF, JPEG, PNG).
    Upload(UploadFacts),
    /// A fax TIFF (what `prepare` writes, or a fax machine's file).
    FaxTiff(TiffFacts),
}

/// An upload as preflight sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct UploadFacts {
    /// What the bytes are.
    pub format: DocumentFormat,
    /// Pages of the document (1 for a picture).
    pub pages: u32,
    /// Whether the PDF is encrypted (an empty user password included).
    pub encrypted: bool,
    /// Whether the given password was needed to open it.
    pub password_used: bool,
    /// Whether damaged cross-references were rebuilt.
    pub repaired: bool,
    /// A picture's size and orientation.
    pub image: Option<ImageFacts>,
    /// Filled form fields whose values the file leaves to the viewer to
    /// draw; `prepare` draws them in.
    pub form_fields_to_draw: u32,
    /// What preflight noticed without refusing the file.
    pub warnings: Vec<String>,
    /// Its price on each plan.
    pub quotes: Quotes,
}

/// A picture upload's size as shown (after its EXIF orientation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageFacts {
    /// Width in pixels, as displayed.
    pub width: u32,
    /// Height in pixels, as displayed.
    pub height: u32,
    /// EXIF orientation, 1 to 8.
    pub orientation: u8,
}

/// What the document costs as a fax on each plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quotes {
    /// Paid plan, no cover.
    pub paid: Quote,
    /// Paid plan with a cover page.
    pub paid_with_cover: Quote,
    /// Free plan (always with the branded cover); `None` when the fax is
    /// longer than the free plan allows.
    pub free: Option<Quote>,
}

impl Quotes {
    /// The quotes for a document of `pages` pages.
    pub fn for_pages(pages: u32) -> Result<Quotes, Error> {
        Ok(Quotes {
            paid: quote(pages, false, Plan::Paid).map_err(Error::Billing)?,
            paid_with_cover: quote(pages, true, Plan::Paid).map_err(Error::Billing)?,
            free: quote(pages, true, Plan::Free).ok(),
        })
    }
}

/// A fax TIFF as our reader and the Class F rules see it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct TiffFacts {
    /// Whether no rule of TIFF Class F is broken (warnings aside).
    pub valid_class_f: bool,
    /// The pages the reader found.
    pub pages: Vec<TiffPageFacts>,
    /// Every broken rule and warning, as sentences.
    pub issues: Vec<String>,
}

/// One page of a fax TIFF.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct TiffPageFacts {
    /// Pixels per row.
    pub width: u32,
    /// Rows.
    pub height: u32,
    /// `g4`, `g3-1d`, `g3-2d` (with `+fill` when EOLs are byte-aligned) or
    /// `none`.
    pub compression: String,
    /// The fax resolution nearest its vertical dpi (`standard`, `fine`,
    /// `superfine`).
    pub resolution: String,
    /// Horizontal dpi, when the file states it.
    pub x_dpi: Option<f64>,
    /// Vertical dpi, when the file states it.
    pub y_dpi: Option<f64>,
    /// Coded bytes of the page.
    pub bytes: u64,
}

/// Whether `bytes` start as a TIFF file does (either byte order).
pub fn is_tiff(bytes: &[u8]) -> bool {
    bytes.starts_with(b"II*\0") || bytes.starts_with(b"MM\0*")
}

/// What `bytes` are: an upload (preflighted with `opts`' limits and
/// password, where `opts.isolation` says) or a fax TIFF. A TIFF is an
/// upload when `opts.limits.accept_tiff` is on, otherwise a fax TIFF to
/// check. An upload that intake refuses is the same error `prepare`
/// gives.
pub fn inspect(bytes: &[u8], opts: &Options) -> Result<Inspection, Error> {
    if is_tiff(bytes) && !opts.limits.accept_tiff {
        return Ok(Inspection::FaxTiff(inspect_tiff(bytes)));
    }
    let mut job = DocJob::new(opts, false);
    job.inspect_only = true;
    let mut facts = None;
    let mut sink = |event: Event| {
        if let Event::Summary(summary) = event {
            facts = Some(summary);
        }
        Ok(())
    };
    match &opts.isolation {
        Isolation::InProcess => process_document(bytes, &job, &mut sink)?,
        Isolation::Process(w) => {
            protocol::process_isolated(w, bytes, &job, &mut sink)?;
        }
    }
    let summary = facts.ok_or_else(|| Error::Internal {
        message: "preflight gave no summary".into(),
    })?;
    Ok(Inspection::Upload(UploadFacts {
        format: summary.format,
        pages: summary.pages,
        encrypted: summary.encrypted,
        password_used: summary.password_used,
        repaired: summary.repaired,
        image: summary.image,
        form_fields_to_draw: summary.form_fields_to_draw,
        warnings: summary
            .warnings
            .iter()
            .map(|w| match w {
                Warning::Document { message } => message.clone(),
                other => other.to_string(),
            })
            .collect(),
        quotes: Quotes::for_pages(summary.pages)?,
    }))
}

fn inspect_tiff(bytes: &[u8]) -> TiffFacts {
    let issues = validate_class_f(bytes);
    let valid_class_f = !issues.iter().any(|i| i.severity == Severity::Error);
    let pages = read_tiff(bytes, &ReadLimits::default()).unwrap_or_default();
    TiffFacts {
        valid_class_f,
        pages: pages
            .iter()
            .map(|p| TiffPageFacts {
                width: p.width,
                height: p.height,
                compression: compression_name(p.compression).into(),
                resolution: p.resolution.name().into(),
                x_dpi: p.x_dpi,
                y_dpi: p.y_dpi,
                bytes: p.compressed_len(),
            })
            .collect(),
        issues: issues.iter().map(ToString::to_string).collect(),
    }
}

fn compression_name(c: TiffCompression) -> &'static str {
    match c {
        TiffCompression::None => "none",
        TiffCompression::G4 => "g4",
        TiffCompression::G3 {
            two_d: false,
            fill_bits: false,
        } => "g3-1d",
        TiffCompression::G3 {
            two_d: true,
            fill_bits: false,
        } => "g3-2d",
        TiffCompression::G3 {
            two_d: false,
            fill_bits: true,
        } => "g3-1d+fill",
        TiffCompression::G3 {
            two_d: true,
            fill_bits: true,
        } => "g3-2d+fill",
        _ => "other",
    }
}

//! The untrusted part of the pipeline: preflight, render, halftone and
//! code every page of the upload. It runs in this process or, isolated, in
//! the `faxprep worker` child; both give the same pages.

use crate::billing;
use crate::error::Error;
use crate::fax::{LINE_BYTES_PER_SECOND, PageFacts, Warning, line_seconds};
use faxprep_codec::{Compression, EncodeOptions, encode};
use faxprep_halftone::{HalftoneOptions, Method, halftone_coarser, halftone_with_report};
use faxprep_intake::{IntakeOptions, Limits, Plan};
use faxprep_page::{DocumentFormat, Resolution};
use faxprep_raster::{PaperChoice, RasterOptions, RenderError};
use serde::{Deserialize, Serialize};

/// What the document part of a job needs: everything in [`crate::Options`]
/// that concerns the upload, and nothing about the sender.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct DocJob {
    pub plan: Plan,
    pub cover: bool,
    pub resolution: Resolution,
    pub compression: String,
    pub paper: String,
    pub halftone: String,
    pub line_budget: Option<u32>,
    pub threads: Option<usize>,
    pub password: Option<String>,
    pub want_g4: bool,
    pub limits: Limits,
    /// Rows kept white at the top and bottom of every page for the
    /// identification line (drawn by the parent, which has the fields).
    pub reserved_rows: (u32, u32),
    /// Stop after the summary: preflight only, no pricing, no pages.
    #[serde(default)]
    pub inspect_only: bool,
}

impl DocJob {
    pub fn new(opts: &crate::Options, cover: bool) -> DocJob {
        DocJob {
            plan: opts.plan,
            cover,
            resolution: opts.resolution,
            compression: opts.compression.name().into(),
            paper: match opts.paper {
                PaperChoice::Fixed(p) => p.name().into(),
                _ => "auto".into(),
            },
            halftone: opts.halftone.to_string(),
            line_budget: opts.line_budget,
            threads: opts.threads,
            password: opts.password.clone(),
            want_g4: opts.want_pdf && opts.compression != Compression::G4,
            limits: opts.limits.clone(),
            reserved_rows: opts.reserved_rows(),
            inspect_only: false,
        }
    }

    fn plan(&self) -> Plan {
        self.plan
    }

    fn compression(&self) -> Result<Compression, Error> {
        Compression::from_name(&self.compression).ok_or_else(|| Error::Internal {
            message: format!("unknown compression {}", self.compression),
        })
    }

    fn paper(&self) -> Result<PaperChoice, Error> {
        match self.paper.as_str() {
            "auto" => Ok(PaperChoice::Auto),
            name => faxprep_page::Paper::ALL
                .into_iter()
                .find(|p| p.name() == name)
                .map(PaperChoice::Fixed)
                .ok_or_else(|| Error::Internal {
                    message: format!("unknown paper {name}"),
                }),
        }
    }

    fn halftone(&self) -> Result<Method, Error> {
        self.halftone
            .parse()
            .map_err(|e: faxprep_halftone::Error| Error::Internal {
                message: e.to_string(),
            })
    }
}

/// What preflight found, sent before the pages.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct DocSummary {
    pub format: DocumentFormat,
    pub pages: u32,
    pub warnings: Vec<Warning>,
    // Preflight's other facts, for `inspect`; a worker that leaves them
    // out says nothing about them.
    #[serde(default)]
    pub encrypted: bool,
    #[serde(default)]
    pub password_used: bool,
    #[serde(default)]
    pub repaired: bool,
    #[serde(default)]
    pub image: Option<crate::inspect::ImageFacts>,
    #[serde(default)]
    pub form_fields_to_draw: u32,
}

/// One coded page of the upload.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct CodedPage {
    pub facts: PageFacts,
    /// The page in the TIFF's compression, as a TIFF-F strip holds it.
    #[serde(skip)]
    pub strip: Vec<u8>,
    /// The page as G4, when the PDF wants it and the TIFF is G3.
    #[serde(skip)]
    pub g4: Option<Vec<u8>>,
    /// Warnings of this page.
    pub warnings: Vec<Warning>,
}

/// What [`process_document`] hands on, in this order: one summary, then
/// the pages in page order.
pub(crate) enum Event {
    /// The preflight result, before any page is rendered.
    Summary(DocSummary),
    /// The next page.
    Page(CodedPage),
}

/// Preflight, render, halftone and code the upload, handing each result to
/// `sink`; a sink error stops the work and is returned.
pub(crate) fn process_document(
    bytes: &[u8],
    job: &DocJob,
    sink: &mut dyn FnMut(Event) -> Result<(), Error>,
) -> Result<(), Error> {
    let compression = job.compression()?;
    let paper = job.paper()?;
    let method = job.halftone()?;
    let intake_opts = IntakeOptions {
        plan: job.plan(),
        limits: job.limits.clone(),
        password: job.password.clone(),
    };
    let document = faxprep_intake::check_document(bytes, &intake_opts).map_err(Error::Intake)?;
    // Price before any rendering: a free-plan fax that is too long stops here.
    if !job.inspect_only {
        billing::quote(document.pages, job.cover, job.plan()).map_err(Error::Billing)?;
    }
    let summary = DocSummary {
        format: document.format,
        pages: document.pages,
        warnings: document
            .warnings
            .iter()
            .map(|w| Warning::Document {
                message: w.to_string(),
            })
            .collect(),
        encrypted: document.encrypted,
        password_used: document.password_used,
        repaired: document.repaired,
        image: document.image.as_ref().map(|img| {
            let (width, height) = img.display_size();
            crate::inspect::ImageFacts {
                width,
                height,
                orientation: img.orientation,
            }
        }),
        form_fields_to_draw: document.form_values_to_draw,
    };
    sink(Event::Summary(summary))?;
    if job.inspect_only {
        return Ok(());
    }
    // Made fit for the renderer in one load and one write: a rebuilt
    // cross-reference table written out (so the renderer sees the pages
    // preflight counted), huge images averaged down, streaming (a renderer
    // decodes an image whole before scaling it), and the form values a
    // form filler left to the viewer drawn in (hayro draws appearance
    // streams only).
    let fit =
        faxprep_intake::fit_for_renderer(bytes, &document, &intake_opts).map_err(Error::Intake)?;
    let bytes = fit.as_deref().unwrap_or(bytes);

    let raster = RasterOptions {
        resolution: job.resolution,
        paper,
        threads: job.threads,
        max_pages: intake_opts.limits.max_pages,
        password: job.password.clone(),
        reserved_rows: job.reserved_rows,
        ..RasterOptions::default()
    };
    let tiff_coding = EncodeOptions::tiff(compression);
    let g4_coding = EncodeOptions::tiff(Compression::G4);
    // Halftone and coding run on the render thread that made the page, in
    // parallel with the other pages (each call on one thread: the render
    // pool is already as wide as the machine); only the coded page waits
    // for its turn.
    let halftone_opts = HalftoneOptions::with_threads(1);
    let code = |rendered: faxprep_raster::RenderedPage| {
        let index = rendered.index;
        let (mut bits, mut report) = halftone_with_report(&rendered.page, method, &halftone_opts);
        let mut strip = encode(&bits, &tiff_coding);
        let budget = job.line_budget;
        let over = |strip: &[u8]| {
            budget.is_some_and(|s| strip.len() as u64 > u64::from(s) * LINE_BYTES_PER_SECOND)
        };
        // Over budget: only continuous tone is made coarser (text keeps
        // its rules), each period at most once, starting with the line
        // screen's own for a page another method dithered.
        if over(&strip) && report.photo_fraction > 0.0 {
            let from = report.screen_period.unwrap_or(0);
            for period in COARSER_PERIODS.into_iter().filter(|&p| p > from) {
                (bits, report) = halftone_coarser(&rendered.page, method, period, &halftone_opts);
                strip = encode(&bits, &tiff_coding);
                if !over(&strip) {
                    break;
                }
            }
        }
        faxprep_raster::recycle(rendered.page);
        let g4 = job.want_g4.then(|| encode(&bits, &g4_coding));
        let g4_bytes = match (&g4, compression) {
            (Some(g4), _) => g4.len() as u64,
            (None, Compression::G4) => strip.len() as u64,
            // Not asked for: code it once more only to report its size.
            (None, _) => encode(&bits, &g4_coding).len() as u64,
        };
        let mut warnings: Vec<Warning> = rendered
            .warnings
            .iter()
            .map(|w| Warning::Page {
                page: index,
                message: raster_warning(*w).into(),
            })
            .collect();
        if report.nearly_blank {
            warnings.push(Warning::NearlyBlank { page: index });
        }
        let seconds = line_seconds(strip.len() as u64);
        if let (Some(budget_seconds), true) = (budget, over(&strip)) {
            warnings.push(Warning::OverLineBudget {
                page: index,
                seconds: strip.len().div_ceil(LINE_BYTES_PER_SECOND as usize) as u32,
                budget_seconds,
            });
        }
        let facts = PageFacts {
            index,
            source_page: Some(index),
            width: bits.width(),
            height: bits.height(),
            resolution: bits.resolution(),
            paper: rendered.paper,
            rotated: rendered.rotated,
            coded_bytes: strip.len() as u64,
            g4_bytes,
            blank: report.black_fraction == 0.0,
            halftone: report.method.to_string(),
            photo_fraction: report.photo_fraction,
            content: report.content.name().into(),
            line_seconds: seconds,
            screen_period: report.screen_period,
            header: None,
            renderer: Some(rendered.renderer.name()),
        };
        faxprep_halftone::recycle(bits);
        CodedPage {
            facts,
            strip,
            g4,
            warnings,
        }
    };
    let result = faxprep_raster::render_then(bytes, document.format, &raster, code, |page| {
        sink(Event::Page(page))
    });
    match result {
        Ok(()) => Ok(()),
        Err(RenderError::Raster(e)) => Err(Error::from_raster(e)),
        Err(RenderError::Sink(e)) => Err(e),
        Err(e) => Err(Error::Internal {
            message: e.to_string(),
        }),
    }
}

/// The line screen's periods tried, in order, on a page over its line
/// budget (those wider than the page's own): each step about 15% fewer
/// bytes for a photo; past 8 pixels (25 lines per inch) the lines show
/// more than the picture.
const COARSER_PERIODS: [u8; 4] = [5, 6, 7, 8];

fn raster_warning(w: faxprep_raster::Warning) -> &'static str {
    use faxprep_raster::Warning as W;
    match w {
        W::UnsupportedFont => "a font could not be loaded; some text may be missing",
        W::ImageDecodeFailure => "an image could not be decoded and is missing",
        W::AnnotationAppearance => "a form field or annotation could not be drawn",
        W::NoCjkFont => "no font for Chinese, Japanese or Korean text; that text is missing",
        _ => "the renderer reported a problem; check the page",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_cross_the_wire_even_unlimited() {
        for limits in [Limits::default(), Limits::unlimited()] {
            let wire = serde_json::to_vec(&limits).unwrap();
            let back: Limits = serde_json::from_slice(&wire).unwrap();
            let mut expected = limits.clone();
            // JSON has no infinity: unlimited's page side arrives as f64::MAX.
            expected.max_page_side_pt = expected.max_page_side_pt.min(f64::MAX);
            assert_eq!(back, expected);
        }
        for plan in [Plan::Free, Plan::Paid] {
            let wire = serde_json::to_string(&plan).unwrap();
            assert_eq!(serde_json::from_str::<Plan>(&wire).unwrap(), plan);
        }
    }
}

//! Every page of a PDF, JPEG, PNG or TIFF to an upright gray fax page (faxprep
//! stage 2 of 6).
//!
//! Takes the document bytes with the [`DocumentFormat`] that
//! `faxprep-intake` sniffed (and an optional PDF password) and produces
//! [`GrayPage`]s of [`FAX_WIDTH`] (1728) columns at 204 dpi and
//! [`Paper::rows`] rows at the vertical fax resolution, for
//! `faxprep-halftone` to turn into 1-bit pages. It does not sniff formats,
//! enforce upload sizes or detect decompression bombs (intake's job), and
//! does no halftoning, coding or I/O other than reading one system CJK font
//! (see below).
//!
//! ```no_run
//! use faxprep_page::DocumentFormat;
//! use faxprep_raster::{RasterOptions, render};
//!
//! let bytes = std::fs::read("letter.pdf")?;
//! render(&bytes, DocumentFormat::Pdf, &RasterOptions::default(), |page| {
//!     assert_eq!(page.page.width(), 1728);
//!     Ok::<(), std::io::Error>(())
//! })?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Rendering
//! - **PDF**: [`hayro`] (pinned `=0.9.0`) straight at the fax resolution,
//!   in one transform that composes fitting, centring, the landscape turn
//!   and the non-square pixels with the page's own. Most pages are drawn
//!   by this crate's gray device (`device.rs`: hayro's interpreter painting
//!   fills, strokes, glyphs and clips straight into the gray page with
//!   hayro's own rules, so the pixels are hayro + vello_cpu's). Images,
//!   and fills and strokes with a shading, pattern, soft mask or blend
//!   mode, paint only inside their bounds: the device leaves them out and
//!   hayro + vello_cpu draw the rectangles around them again (a patch); a
//!   page with a partly transparent group, a pattern on text, or a patch
//!   over more than half of it is drawn whole by hayro + vello_cpu.
//!   [`RenderedPage::renderer`] says which ([`PageRenderer`]);
//!   [`RasterOptions::pdf_renderer`] forces the full renderer. A page drawing more than 10
//!   million path elements and glyphs is [`LimitKind::PageContent`].
//!   Non-embedded CJK fonts use a system font ([`CjkFont`]), or come out
//!   blank with [`Warning::NoCjkFont`]; annotations are drawn from their
//!   appearance streams.
//! - **JPEG, PNG and colour or gray TIFF pages**: decoded by `image` under
//!   [`image::Limits`] set from [`Limits`] (JPEG-compressed YCbCr TIFF
//!   pages by the `tiff` crate beneath it), turned to gray, upright, and
//!   placed at their true size when their density is believable, else
//!   fitted.
//! - **Bilevel fax TIFF pages**: decoded by `faxprep-codec`; a page that
//!   already is a fax page of the job passes through pixel for pixel.
//! - **Gray**: Rec. 601 luma weights (`gray.rs`), the PDF specification's
//!   DeviceRGB-to-DeviceGray rule.
//! - **Geometry**: 1728 columns; the length follows the paper
//!   ([`PaperChoice`]); pages keep their aspect ratio, are centred and
//!   never cropped, and a landscape page is turned a quarter turn when
//!   that prints it larger ([`RasterOptions::auto_rotate`]).
//!
//! Format by format, and the page geometry in full: `docs/raster.md`.
//!
//! # Parallel, bounded
//! [`render`] renders PDF pages on a local rayon pool of
//! [`RasterOptions::threads`] threads, each with its own hayro caches, and
//! calls the sink on the calling thread in page order. At most
//! 2 x threads rendered pages exist at once, however long the document.
//! [`render_then`] also runs the caller's per-page work (the fax pipeline
//! halftones and codes each page there) on the thread that rendered the
//! page, so that work is spread over the pool too and only its result
//! waits for its turn.
//! A page the device draws knows which of its 16-pixel tiles no paint
//! reached ([`GrayPage::is_white_tile`]), so the halftone need not read
//! them; [`recycle`] hands a done page back to its render thread, whose
//! next page reuses the buffer and whitens only the tiles drawn into (one
//! spare buffer per render thread, dropped before [`render_then`]
//! returns).
//! The pixels are the same for any thread count. Each page render runs
//! under `catch_unwind`: a panic in hayro or `image` becomes
//! [`Error::RendererPanicked`] for that document. Page boxes are checked
//! (finite, 1 to 14 400 pt) before rendering.
//!
//! # Performance
//! What this stage costs and how well it does, measured, with the commands
//! that give the numbers: [`docs/raster.md`](https://example.invalid/faxprep/docs/raster.md) in the repository.
//!
//! # Dependencies
//! - `hayro`: the PDF renderer (pure Rust, Apache-2.0/MIT).
//! - `hayro-interpret`, `vello_common`, `ab_glyph_rasterizer`: hayro's own
//!   interpreter, path rasteriser and glyph rasteriser, used directly by
//!   the gray device. Pinned with `=` to the versions hayro 0.9.0 uses:
//!   the device reproduces their pixels, so a bump is deliberate and
//!   re-run against `tests/device.rs`.
//! - `image` (features `jpeg`, `png`, `tiff`): JPEG, PNG and colour TIFF
//!   decoding with limits.
//! - `tiff` (the version `image` uses, pinned): JPEG YCbCr TIFF pages.
//! - `rayon`: the local thread pool.
//! - `foldhash`: the hasher of the device's glyph caches, looked up once
//!   per glyph drawn (the standard SipHash is measurably slower there,
//!   see `docs/raster.md`); seeded per process, so hostile glyph keys
//!   cannot aim at collisions.
//! - `faxprep-codec`: the TIFF reader and CCITT decoders for bilevel fax
//!   TIFF uploads (read under the page and pixel caps).
//!
//! # Cargo features
//! None.
//!
//! # Safety
//! Unsafe code is forbidden.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod density;
mod device;
mod error;
mod geometry;
mod gray;
mod pdf;
mod picture;
mod pipeline;
mod resample;
mod spare;
mod tiff;

use std::sync::Arc;

pub use error::{Error, LimitKind, PageErrorKind, RenderError, Result};
pub use faxprep_page::{DocumentFormat, FAX_WIDTH, GrayPage, Paper, Resolution};

/// Which paper the pages are laid out on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaperChoice {
    /// Every page on this paper.
    Fixed(Paper),
    /// Per page, the paper whose shape fits the page best (a Legal page
    /// stays Legal, an A4 page A4); ties go to Letter, then A4.
    Auto,
}

impl Default for PaperChoice {
    fn default() -> Self {
        PaperChoice::Fixed(Paper::Letter)
    }
}

/// How PDF pages are scaled (images follow their own density, see the
/// crate docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Fit {
    /// As large as fits the printable area, up or down (default).
    #[default]
    Fit,
    /// 100 % when the page fits, otherwise down to fit.
    ActualSize,
}

/// A CJK font for non-embedded Chinese, Japanese and Korean fonts.
#[derive(Clone, Default)]
#[non_exhaustive]
pub enum CjkFont {
    /// Look for one of the well-known system fonts (see the crate docs).
    #[default]
    System,
    /// This TrueType/OpenType font (face `index` of a collection).
    Data {
        /// The font file.
        data: Arc<Vec<u8>>,
        /// Face index in a TTC, 0 otherwise.
        index: u32,
    },
    /// None: CJK text of non-embedded fonts comes out blank.
    None,
}

impl std::fmt::Debug for CjkFont {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CjkFont::System => f.write_str("System"),
            CjkFont::Data { data, index } => {
                write!(f, "Data {{ {} bytes, index {index} }}", data.len())
            }
            CjkFont::None => f.write_str("None"),
        }
    }
}

/// Resource caps for decoding images (PDF bombs are intake's to catch).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Largest image, in pixels (default 64 million: a 300 dpi Legal scan
    /// is 12.6 million).
    pub max_image_pixels: u64,
    /// Largest image width or height (default 20 000).
    pub max_image_side: u32,
    /// Most memory the image decoder may allocate (default 256 MiB).
    pub max_decode_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_image_pixels: 64_000_000,
            max_image_side: 20_000,
            max_decode_bytes: 256 << 20,
        }
    }
}

impl Limits {
    /// No caps beyond `image`'s own and the page types'.
    pub fn unlimited() -> Self {
        Limits {
            max_image_pixels: u64::MAX,
            max_image_side: u32::MAX,
            max_decode_bytes: u64::MAX,
        }
    }
}

/// How to render.
#[derive(Debug, Clone)]
pub struct RasterOptions {
    /// Fax resolution (default fine, 204 x 196 dpi).
    pub resolution: Resolution,
    /// Paper (default Letter).
    pub paper: PaperChoice,
    /// White margin on every side, in points (default 0, see the crate
    /// docs). Must leave at least one inch each way.
    pub margins_pt: f32,
    /// Scaling of PDF pages (default [`Fit::Fit`]).
    pub fit: Fit,
    /// Turn landscape pages upright when that prints them larger (default
    /// on).
    pub auto_rotate: bool,
    /// Render threads; `None` (default) uses the available parallelism.
    pub threads: Option<usize>,
    /// Most pages a document may have (default 500).
    pub max_pages: u32,
    /// User password for encrypted PDFs (default none: the empty password
    /// is tried).
    pub password: Option<String>,
    /// Font for non-embedded CJK fonts (default: a system font).
    pub cjk_font: CjkFont,
    /// Image decoding caps.
    pub limits: Limits,
    /// Rows at the top and at the bottom of every page kept white (default
    /// none): the page is placed in the rows between them by the same
    /// rules as on a whole page (scaled with its aspect ratio kept to fit,
    /// centred, never cropped), so a band drawn there later (the
    /// identification line) covers nothing of it. At most
    /// [`MAX_RESERVED_INCHES`] in all.
    pub reserved_rows: (u32, u32),
    /// Which renderer PDF pages may use (default [`PdfRenderer::Auto`]).
    pub pdf_renderer: PdfRenderer,
}

/// The most [`RasterOptions::reserved_rows`] may take of a page's length,
/// in inches.
pub const MAX_RESERVED_INCHES: f64 = 2.0;

impl Default for RasterOptions {
    fn default() -> Self {
        RasterOptions {
            resolution: Resolution::Fine,
            paper: PaperChoice::default(),
            margins_pt: 0.0,
            fit: Fit::Fit,
            auto_rotate: true,
            threads: None,
            max_pages: 500,
            password: None,
            cjk_font: CjkFont::System,
            limits: Limits::default(),
            reserved_rows: (0, 0),
            pdf_renderer: PdfRenderer::Auto,
        }
    }
}

impl RasterOptions {
    /// Check the options a caller set.
    pub fn validate(&self) -> Result<()> {
        let m = f64::from(self.margins_pt);
        // The narrowest area is the fax width, 609.9 pt; keep an inch.
        if !m.is_finite() || m < 0.0 || 1728.0 * 72.0 / 204.0 - 2.0 * m < 72.0 {
            return Err(Error::Usage {
                message: "margins must be finite, >= 0 and leave an inch",
            });
        }
        let reserved = u64::from(self.reserved_rows.0) + u64::from(self.reserved_rows.1);
        if reserved as f64 > MAX_RESERVED_INCHES * f64::from(self.resolution.y_dpi()) {
            return Err(Error::Usage {
                message: "reserved rows must leave all but two inches of the page",
            });
        }
        if self.threads == Some(0) {
            return Err(Error::Usage {
                message: "threads must be at least 1",
            });
        }
        Ok(())
    }

    fn thread_count(&self) -> usize {
        self.threads
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
    }
}

/// Something that did not stop the page from rendering but may have
/// changed what it shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Warning {
    /// A font could not be loaded; its text is missing.
    UnsupportedFont,
    /// An image inside the PDF failed to decode and is missing.
    ImageDecodeFailure,
    /// An annotation's appearance stream could not be used.
    AnnotationAppearance,
    /// A non-embedded CJK font was needed and no CJK font is available.
    NoCjkFont,
    /// Another renderer warning.
    Other,
}

/// Which renderer drew a PDF page.
///
/// The gray device (see the crate docs) draws solid fills, strokes,
/// glyphs and clips straight into the gray page. An image, or a fill or
/// stroke with a pattern, a soft mask or a blend mode, paints only inside
/// its own bounds: the device leaves it out, and hayro with vello_cpu
/// draw the rectangles around such operations again (at most four a
/// page, merged where they overlap), the whole content there (a patch).
/// A page that needs anything else (a transparency group, a pattern on
/// text), or whose patch would cover more than half of it, is drawn whole
/// by hayro with vello_cpu and converted to gray. Which one draws a page
/// depends on the page's content only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PageRenderer {
    /// Not a PDF page (JPEG, PNG, TIFF).
    Picture,
    /// The gray device drew the whole page.
    Device,
    /// The gray device drew the page, and hayro with vello_cpu drew
    /// rectangles of it again, for this reason (the first such operation).
    Patched(FallbackReason),
    /// hayro with vello_cpu drew the page, for this reason.
    Full(FallbackReason),
}

impl PageRenderer {
    /// A short name for facts and logs: `picture`, `device`, or
    /// `patched:` or `full:` and the [`FallbackReason`] (`full:image`).
    pub fn name(self) -> String {
        match self {
            PageRenderer::Picture => "picture".into(),
            PageRenderer::Device => "device".into(),
            PageRenderer::Patched(reason) => format!("patched:{}", reason.as_str()),
            PageRenderer::Full(reason) => format!("full:{}", reason.as_str()),
        }
    }
}

/// Why a PDF page, or a rectangle of it, is drawn by hayro with vello_cpu
/// instead of the gray device (the first such content met on the page).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FallbackReason {
    /// The options ask for the full renderer ([`PdfRenderer::Full`]).
    Requested,
    /// An image (or an image mask, or an inline image).
    Image,
    /// A shading or pattern paint.
    Pattern,
    /// A soft mask.
    SoftMask,
    /// A blend mode other than normal.
    BlendMode,
    /// A transparency group drawn with an opacity below one.
    TransparencyGroup,
}

impl FallbackReason {
    /// A short lower-case name for facts and logs.
    pub fn as_str(self) -> &'static str {
        match self {
            FallbackReason::Requested => "requested",
            FallbackReason::Image => "image",
            FallbackReason::Pattern => "pattern",
            FallbackReason::SoftMask => "soft-mask",
            FallbackReason::BlendMode => "blend-mode",
            FallbackReason::TransparencyGroup => "transparency-group",
        }
    }
}

/// Which renderer PDF pages may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PdfRenderer {
    /// The gray device where it draws the whole page, hayro with
    /// vello_cpu otherwise (default).
    #[default]
    Auto,
    /// hayro with vello_cpu for every page (the reference the device is
    /// tested against).
    Full,
}

/// One rendered page.
///
/// Warnings come from hayro's caches, which are per thread: a problem with
/// a font shared by many pages is reported on the first page of each
/// thread that loads it, so which pages carry it can vary with the thread
/// count (the pixels never do).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RenderedPage {
    /// Zero-based page index.
    pub index: u32,
    /// The gray page, [`FAX_WIDTH`] wide, [`Paper::rows`] tall.
    pub page: GrayPage,
    /// The paper it is laid out for.
    pub paper: Paper,
    /// Whether it was turned a quarter turn counter-clockwise.
    pub rotated: bool,
    /// Problems met while rendering it.
    pub warnings: Vec<Warning>,
    /// Which renderer drew it.
    pub renderer: PageRenderer,
}

/// Number of pages of the document (1 for images, after checking that the
/// header decodes).
pub fn page_count(bytes: &[u8], format: DocumentFormat, password: Option<&str>) -> Result<u32> {
    match format {
        DocumentFormat::Pdf => pdf::count(&pdf::open(Arc::new(bytes.to_vec()), password)?),
        DocumentFormat::Jpeg | DocumentFormat::Png => {
            picture::check_header(bytes, format, &RasterOptions::default())?;
            Ok(1)
        }
        DocumentFormat::Tiff => {
            let pages = tiff::pages(bytes, &RasterOptions::default())?;
            Ok(u32::try_from(pages.len()).unwrap_or(u32::MAX))
        }
    }
}

/// Hand back a page the caller is done with, from inside `then` of
/// [`render_then`] (on the thread that rendered it): the next page drawn
/// on that thread reuses its buffer, whitening only the tiles it drew
/// into. Pages that do not know their white tiles are dropped.
pub fn recycle(page: GrayPage) {
    spare::keep(page);
}

/// Render every page and hand each to `sink`, in page order, on the
/// calling thread.
///
/// Pages already passed to the sink stay valid when a later page fails;
/// the first failing page (in page order) is the error. A sink error stops
/// rendering and is returned as [`RenderError::Sink`]. At most two
/// rendered pages a thread exist at once.
pub fn render<E>(
    bytes: &[u8],
    format: DocumentFormat,
    opts: &RasterOptions,
    sink: impl FnMut(RenderedPage) -> std::result::Result<(), E>,
) -> std::result::Result<(), RenderError<E>> {
    render_windowed(bytes, format, opts, PAGES_AHEAD, |page| page, sink)
}

/// Rendered pages a thread may have waiting for their turn in [`render`]:
/// a gray page is 3.8 MB at fine resolution.
const PAGES_AHEAD: usize = 2;

/// Results a thread may have waiting for their turn in [`render_then`]:
/// a thread that meets a slow page (a picture, a mesh shading) leaves the
/// other threads this many pages to go on with before they wait for it.
const RESULTS_AHEAD: usize = 8;

/// Render every page, pass it through `then` on the thread that rendered
/// it, and hand the results to `sink` in page order on the calling thread.
///
/// `then` is the caller's per-page work (the fax pipeline halftones and
/// codes the page there), so it runs in parallel with the rendering of
/// other pages and only its result waits for its turn: at most eight
/// results a thread exist at once, so they should be small (a coded page,
/// not the gray page). Errors and sink errors behave as in [`render`].
pub fn render_then<T: Send, E>(
    bytes: &[u8],
    format: DocumentFormat,
    opts: &RasterOptions,
    then: impl Fn(RenderedPage) -> T + Sync,
    sink: impl FnMut(T) -> std::result::Result<(), E>,
) -> std::result::Result<(), RenderError<E>> {
    render_windowed(bytes, format, opts, RESULTS_AHEAD, then, sink)
}

/// [`render_then`] with at most `ahead` results a thread alive at once.
fn render_windowed<T: Send, E>(
    bytes: &[u8],
    format: DocumentFormat,
    opts: &RasterOptions,
    ahead: usize,
    then: impl Fn(RenderedPage) -> T + Sync,
    mut sink: impl FnMut(T) -> std::result::Result<(), E>,
) -> std::result::Result<(), RenderError<E>> {
    opts.validate()?;
    match format {
        DocumentFormat::Pdf => {
            let bytes = Arc::new(bytes.to_vec());
            let parsed = pdf::open(bytes.clone(), opts.password.as_deref())?;
            let pages = pdf::count(&parsed)?;
            if pages > opts.max_pages {
                return Err(Error::Limits(LimitKind::Pages {
                    pages,
                    max: opts.max_pages,
                })
                .into());
            }
            let threads = opts.thread_count().min(pages as usize);
            let worker = pipeline::PdfWorker {
                bytes: &bytes,
                opts,
                parsed: std::sync::Mutex::new(Some(parsed)),
            };
            let result = pipeline::run(
                &pipeline::Then {
                    worker: &worker,
                    then,
                },
                pages,
                threads,
                ahead,
                &mut sink,
            );
            // One thread renders on the caller's: its spare buffer goes
            // with the document (the pool's threads let go of theirs).
            spare::forget();
            result
        }
        DocumentFormat::Jpeg | DocumentFormat::Png => {
            let page = picture::render(bytes, format, opts)?;
            sink(then(page)).map_err(RenderError::Sink)
        }
        DocumentFormat::Tiff => {
            // One page at a time on the calling thread: a fax page decodes
            // in a millisecond or two, and only one is held at once.
            for info in tiff::pages(bytes, opts)? {
                let page = tiff::render_page(bytes, &info, opts)?;
                sink(then(page)).map_err(RenderError::Sink)?;
            }
            Ok(())
        }
    }
}

/// Render every page into a vector: for small documents and tests (a long
/// document holds all its pages; use [`render`] to stream).
pub fn render_all(
    bytes: &[u8],
    format: DocumentFormat,
    opts: &RasterOptions,
) -> Result<Vec<RenderedPage>> {
    let mut pages = Vec::new();
    render(bytes, format, opts, |p| {
        pages.push(p);
        Ok::<(), std::convert::Infallible>(())
    })
    .map_err(|e| match e {
        RenderError::Raster(e) => e,
        RenderError::Sink(never) => match never {},
    })?;
    Ok(pages)
}

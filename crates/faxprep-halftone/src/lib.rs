//! 1-bit conversion for faxprep (stage 3 of 6): gray pages in, fax pages
//! out.
//!
//! Takes the [`GrayPage`]s that `faxprep-raster` renders (0 = black,
//! 255 = white, at fax resolution) and returns [`BitPage`]s (packed,
//! most significant bit first, 1 = black) for `faxprep-codec` to encode.
//! How gray becomes black or white decides whether a prescription can be
//! read at the other end, so the default, [`Method::Auto`], looks at the
//! page: text, rules and flat tints are thresholded against their local
//! background (gray text solid, light tints white, hairlines continuous),
//! and only continuous-tone regions (photos, gradients, scanned pictures)
//! are screened, with a line screen made for the fax line (rows that
//! repeat code in one bit per edge). The classic methods are there on
//! their own as well: a fixed threshold, Sauvola's adaptive threshold,
//! three error-diffusion kernels and a clustered-dot screen.
//!
//! Out of scope: any I/O, fitting pages to the paper or turning them
//! (the raster stage delivers the page at fax size and upright; the one
//! geometric change made here is straightening a picture of paper, below),
//! and coding. The functions cannot fail: every
//! [`GrayPage`] has valid dimensions and every method is defined for every
//! pixel value.
//!
//! ```
//! use faxprep_halftone::{Method, halftone};
//! use faxprep_page::{GrayPage, Resolution};
//!
//! let mut page = GrayPage::new(64, 32, Resolution::Fine)?;
//! for x in 8..56 {
//!     page.set(x, 16, 100); // a gray rule
//! }
//! let bits = halftone(&page, Method::Auto);
//! assert!((8..56).all(|x| bits.get(x, 16)));
//! assert_eq!(bits.count_black(), 48);
//! # Ok::<(), faxprep_page::Error>(())
//! ```
//!
//! # Methods
//! | name | what | use |
//! |---|---|---|
//! | `auto` | [`classify`] into text and photo tiles, contrast rule + line screen | the default |
//! | `threshold` | black below a fixed cut (`threshold=N`, default 128) | clean vector pages |
//! | `adaptive` | Sauvola per 8 x 8 block, 40 px window, k = 0.3 | scans with shadows |
//! | `floyd-steinberg` (`diffuse`) | serpentine error diffusion | photos |
//! | `atkinson` | error diffusion losing 1/4 of the error | photos, smaller G4 |
//! | `stucki` | 12-tap error diffusion | photos, smoothest tone |
//! | `ordered` | 48-lpi clustered-dot screen at 45 degrees | like Ghostscript's fax devices |
//! | `line` (`line=N`) | vertical line screen, period 5 (3 to 16) px, line widths error-diffused down each line with hysteresis | photos on the line: rows repeat, few G4 bytes |
//! | `document` | the page made a document page as a picture of paper, then `auto` | when `auto` misjudges a picture of paper |
//!
//! # Pictures of paper
//! On pages that [`classify`] finds at least a fifth continuous tone,
//! `auto` asks whether the page is a phone photo of paper
//! ([`paper_facts`]) and if so makes it a document page first
//! ([`flatten_paper`]: lighting divided out, ink made solid, perspective
//! corrected); [`Report::content`] says [`Content::PaperPhoto`]. Text pages
//! never pay for the analysis. The line screen grows one line per column
//! of `N` pixels, its width error-diffused down the line with hysteresis,
//! so that rows repeat and G4 codes about one bit per edge per row;
//! [`halftone_coarser`] screens coarser for a page over its line budget.
//! How both work: `docs/halftone.md`.
//!
//! All methods except the error diffusions and the line screen (which
//! carry an error from row to row) work on row bands in parallel; the
//! output is the same for any number of threads
//! ([`HalftoneOptions::threads`]). Each thread keeps the packed buffer of
//! the last page handed back with [`recycle`] (half a megabyte at fine
//! Letter) for its next page.
//!
//! # Measurements
//! What this stage costs and how well it does, measured, with the commands
//! that give the numbers: [`docs/halftone.md`](https://example.invalid/faxprep/docs/halftone.md) in the repository.
//!
//! # Dependencies
//! - `rayon`: the row bands in parallel.
//! - `fearless_simd` (the version vello already brings, pinned): the
//!   `auto` method's per-pixel passes are compiled for the vector
//!   instructions the CPU has (SSE2 to AVX-512, NEON), chosen at run time
//!   without unsafe code; the output is the same on every level.
//!
//! # Safety
//! Unsafe code is forbidden.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod adaptive;
mod auto;
mod diffuse;
mod ordered;
mod paper;
mod par;
mod screen;
mod spare;
mod threshold;

use std::fmt;
use std::str::FromStr;

pub use auto::{RegionMap, classify};
use faxprep_page::{BitPage, GrayPage};
pub use paper::PaperFacts;

/// How gray becomes black and white.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Method {
    /// Content-aware: text and line art thresholded against their local
    /// background, continuous tone error-diffused (see [`classify`]).
    #[default]
    Auto,
    /// Black where the gray value is below the given cut (128 is the naive
    /// 50%).
    Threshold(u8),
    /// Sauvola's adaptive threshold, for uneven backgrounds.
    Adaptive,
    /// Floyd-Steinberg error diffusion, serpentine.
    FloydSteinberg,
    /// Atkinson error diffusion (3/4 of the error kept), serpentine.
    Atkinson,
    /// Stucki error diffusion (12 taps), serpentine.
    Stucki,
    /// A clustered-dot screen, 48 lines per inch at 45 degrees.
    Ordered,
    /// The page taken for a picture of paper whatever it looks like: even
    /// lighting, white surround, perspective and skew corrected, then
    /// `auto` (for the pictures `auto`'s own judgement gets wrong).
    Document,
    /// A vertical line screen of the given period in pixels (3 to 16),
    /// line widths error-diffused down each line: the photo halftone made
    /// for T.4/T.6 coding (`auto`'s photo tiles use it with
    /// [`Method::LINE_PERIOD`]).
    Line(u8),
}

impl Method {
    /// Every method by its name, for help texts (`threshold` with its
    /// default cut).
    pub const ALL: [Method; 9] = [
        Method::Auto,
        Method::Threshold(128),
        Method::Adaptive,
        Method::FloydSteinberg,
        Method::Atkinson,
        Method::Stucki,
        Method::Ordered,
        Method::Document,
        Method::Line(Method::LINE_PERIOD),
    ];

    /// The line screen's default period, 5 pixels (41 lines per inch at
    /// 204 dpi).
    pub const LINE_PERIOD: u8 = screen::PERIOD;
    /// The line screen's smallest period.
    pub const LINE_PERIOD_MIN: u8 = screen::MIN_PERIOD;
    /// The line screen's largest period.
    pub const LINE_PERIOD_MAX: u8 = screen::MAX_PERIOD;

    /// The name on the command line (without a threshold's cut).
    pub const fn name(self) -> &'static str {
        match self {
            Method::Auto => "auto",
            Method::Threshold(_) => "threshold",
            Method::Adaptive => "adaptive",
            Method::FloydSteinberg => "floyd-steinberg",
            Method::Atkinson => "atkinson",
            Method::Stucki => "stucki",
            Method::Ordered => "ordered",
            Method::Document => "document",
            Method::Line(_) => "line",
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Method::Threshold(cut) => write!(f, "threshold={cut}"),
            Method::Line(Method::LINE_PERIOD) => f.write_str("line"),
            Method::Line(period) => write!(f, "line={period}"),
            m => f.write_str(m.name()),
        }
    }
}

impl FromStr for Method {
    type Err = Error;

    /// `auto`, `threshold` (cut 128) or `threshold=N` (N in 0..=255),
    /// `adaptive`, `floyd-steinberg` or `diffuse`, `atkinson`, `stucki`,
    /// `ordered`, `document`; case-insensitive.
    /// `ordered`, `line` (period 5) or `line=N` (N in 3..=16);
    /// case-insensitive.
    fn from_str(s: &str) -> Result<Method> {
        let lower = s.trim().to_ascii_lowercase();
        if let Some(cut) = lower.strip_prefix("threshold=") {
            return cut
                .parse::<u8>()
                .map(Method::Threshold)
                .map_err(|_| Error::InvalidThreshold {
                    value: cut.to_owned(),
                });
        }
        if let Some(period) = lower.strip_prefix("line=") {
            return match period.parse::<u8>() {
                Ok(p) if (Method::LINE_PERIOD_MIN..=Method::LINE_PERIOD_MAX).contains(&p) => {
                    Ok(Method::Line(p))
                }
                _ => Err(Error::InvalidPeriod {
                    value: period.to_owned(),
                }),
            };
        }
        Ok(match lower.as_str() {
            "auto" => Method::Auto,
            "threshold" => Method::Threshold(128),
            "adaptive" => Method::Adaptive,
            "floyd-steinberg" | "diffuse" => Method::FloydSteinberg,
            "atkinson" => Method::Atkinson,
            "stucki" => Method::Stucki,
            "ordered" => Method::Ordered,
            "document" => Method::Document,
            "line" => Method::Line(Method::LINE_PERIOD),
            _ => return Err(Error::UnknownMethod { name: s.to_owned() }),
        })
    }
}

/// Errors of this crate: only parsing a [`Method`] can fail (a caller's or
/// user's mistake).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The name is none of the methods.
    UnknownMethod {
        /// What was given.
        name: String,
    },
    /// `threshold=N` with N not in 0..=255.
    InvalidThreshold {
        /// What was given after `=`.
        value: String,
    },
    /// `line=N` with N not in 3..=16.
    InvalidPeriod {
        /// What was given after `=`.
        value: String,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::UnknownMethod { name } => write!(
                f,
                "unknown halftone method {name:?} (expected auto, threshold, threshold=N, \
                 adaptive, diffuse, floyd-steinberg, atkinson, stucki, ordered, line, line=N \
                 or document)"
            ),
            Error::InvalidThreshold { value } => {
                write!(f, "threshold {value:?} is not a number from 0 to 255")
            }
            Error::InvalidPeriod { value } => {
                write!(f, "line period {value:?} is not a number from 3 to 16")
            }
        }
    }
}

impl std::error::Error for Error {}

/// The result type of this crate.
pub type Result<T> = std::result::Result<T, Error>;

/// Options that change how the work is done, never its result.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct HalftoneOptions {
    /// Threads for the row bands: 0 uses the current rayon pool (the
    /// default), 1 runs on the calling thread only, n > 1 on a pool of n.
    /// The output is identical for every value.
    pub threads: usize,
}

impl HalftoneOptions {
    /// Options with `threads` threads (see [`HalftoneOptions::threads`]).
    pub fn with_threads(threads: usize) -> HalftoneOptions {
        HalftoneOptions { threads }
    }
}

/// What [`halftone_with_report`] did, for logs and for warning the sender.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Report {
    /// The method that ran.
    pub method: Method,
    /// Share of the page's pixels dithered as continuous tone (0 to 1):
    /// all of them for the error diffusions and the screen, none for the
    /// thresholds, what [`classify`] found for `auto`.
    pub photo_fraction: f32,
    /// The paper level `auto` found (255 for the other methods).
    pub paper_level: u8,
    /// Share of black pixels in the output (0 to 1).
    pub black_fraction: f32,
    /// Fewer than one pixel in 10 000 is black: the page is blank or
    /// nearly so (worth a warning: a wrong page, or a scan too faint).
    pub nearly_blank: bool,
    /// What the page holds, as the method treated it.
    pub content: Content,
    /// The period in pixels of the line screen that made the dithered
    /// pixels (`line`, and `auto` on a page with photo tiles); `None` when
    /// no pixel came from it.
    pub screen_period: Option<u8>,
}

/// What a page holds, as the halftone treated it (the page facts'
/// `content`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Content {
    /// Text and line art only: thresholded.
    Text,
    /// Text with pictures: both rules, each in its regions.
    Mixed,
    /// Mostly continuous tone (half the page or more): screened or
    /// dithered.
    Photo,
    /// A picture of paper (a phone photo of a letter, a receipt), made
    /// into a document page first: lighting evened, surround white,
    /// perspective or skew corrected.
    PaperPhoto,
}

impl Content {
    /// The name in the page facts: `text`, `mixed`, `photo`,
    /// `paper-photo`.
    pub const fn name(self) -> &'static str {
        match self {
            Content::Text => "text",
            Content::Mixed => "mixed",
            Content::Photo => "photo",
            Content::PaperPhoto => "paper-photo",
        }
    }

    /// From the share of the page dithered as continuous tone.
    fn of_photo_fraction(f: f32) -> Content {
        if f <= 0.0 {
            Content::Text
        } else if f < 0.5 {
            Content::Mixed
        } else {
            Content::Photo
        }
    }
}

impl fmt::Display for Content {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// `auto` looks for a picture of paper only on pages at least this much
/// continuous tone (the analysis costs 5 to 15 ms; text pages skip it).
const PAPER_CHECK_FRACTION: f32 = 0.2;

/// Convert `page` to 1 bit with `method`, using the current rayon pool.
pub fn halftone(page: &GrayPage, method: Method) -> BitPage {
    halftone_with_report(page, method, &HalftoneOptions::default()).0
}

/// Convert `page` to 1 bit with `method`, and say what was done.
pub fn halftone_with_report(
    page: &GrayPage,
    method: Method,
    opts: &HalftoneOptions,
) -> (BitPage, Report) {
    run(page, method, Method::LINE_PERIOD, opts)
}

/// Convert `page` to 1 bit as [`halftone_with_report`] does, with every
/// dithered pixel taken from the line screen of `period` pixels
/// (clamped to [`Method::LINE_PERIOD_MIN`]..=[`Method::LINE_PERIOD_MAX`]):
/// `auto`'s photo tiles, and the whole page for the methods that dither
/// everything (the error diffusions, `ordered`, `line`). The thresholds
/// are unchanged, and so are `auto`'s text tiles. A wider period costs
/// fewer bytes on the line and shows less detail: this is how a page over
/// its line budget is made smaller.
pub fn halftone_coarser(
    page: &GrayPage,
    method: Method,
    period: u8,
    opts: &HalftoneOptions,
) -> (BitPage, Report) {
    let period = period.clamp(Method::LINE_PERIOD_MIN, Method::LINE_PERIOD_MAX);
    let method = match method {
        Method::FloydSteinberg
        | Method::Atkinson
        | Method::Stucki
        | Method::Ordered
        | Method::Line(_) => Method::Line(period),
        m => m,
    };
    run(page, method, period, opts)
}

/// Hand a coded page back, so that the next page halftoned on this thread
/// reuses its buffer instead of taking a new one from the allocator (the
/// output is the same either way).
pub fn recycle(page: BitPage) {
    spare::keep(page);
}

/// Halftone with `period` for `auto`'s photo tiles.
fn run(page: &GrayPage, method: Method, period: u8, opts: &HalftoneOptions) -> (BitPage, Report) {
    let mut paper_photo = false;
    let (bits, photo_fraction, paper_level) = par::install(opts, || match method {
        Method::Auto => {
            let (map, text) = auto::analyse(page, opts, true);
            if map.photo_fraction() >= PAPER_CHECK_FRACTION {
                let analysis = paper::analyse(page);
                if analysis.facts.is_paper {
                    paper_photo = true;
                    return as_document(page, &analysis, period, opts);
                }
            }
            let bits = match text {
                Some(rows) => finish(page, rows),
                None => auto::auto_with(page, &map, period, opts),
            };
            (bits, map.photo_fraction(), map.paper_level())
        }
        Method::Document => {
            paper_photo = true;
            as_document(page, &paper::analyse(page), period, opts)
        }
        Method::Threshold(cut) => (threshold::threshold(page, cut, opts), 0.0, 255),
        Method::Adaptive => (adaptive::adaptive(page, opts), 0.0, 255),
        Method::FloydSteinberg => (diffused::<diffuse::FloydSteinberg>(page), 1.0, 255),
        Method::Atkinson => (diffused::<diffuse::Atkinson>(page), 1.0, 255),
        Method::Stucki => (diffused::<diffuse::Stucki>(page), 1.0, 255),
        Method::Ordered => (ordered::ordered(page, opts), 1.0, 255),
        Method::Line(p) => (screened(page, p), 1.0, 255),
    });
    let screen_period = match method {
        Method::Auto | Method::Document if photo_fraction > 0.0 => Some(period),
        Method::Line(p) => Some(p.clamp(Method::LINE_PERIOD_MIN, Method::LINE_PERIOD_MAX)),
        _ => None,
    };
    let pixels = u64::from(page.width()) * u64::from(page.height());
    let black = count_black(&bits);
    let report = Report {
        method,
        photo_fraction,
        paper_level,
        black_fraction: black as f32 / pixels as f32,
        nearly_blank: black.saturating_mul(10_000) < pixels,
        content: if paper_photo {
            Content::PaperPhoto
        } else {
            Content::of_photo_fraction(photo_fraction)
        },
        screen_period,
    };
    (bits, report)
}

/// [`BitPage::count_black`], compiled for the CPU's vector level, which
/// counts a word's bits in one instruction where the baseline target
/// needs a dozen.
fn count_black(bits: &BitPage) -> u64 {
    par::vectorized(
        #[inline(always)]
        || {
            let (words, rest) = bits.data().as_chunks::<8>();
            let whole: u64 = words
                .iter()
                .map(|w| u64::from(u64::from_ne_bytes(*w).count_ones()))
                .sum();
            whole + rest.iter().map(|b| u64::from(b.count_ones())).sum::<u64>()
        },
    )
}

/// A picture of paper flattened, then `auto` on the flat page.
fn as_document(
    page: &GrayPage,
    analysis: &paper::Analysis,
    period: u8,
    opts: &HalftoneOptions,
) -> (BitPage, f32, u8) {
    let flat = paper::flatten(page, analysis);
    let (bits, map) = auto::auto(&flat, period, opts);
    (bits, map.photo_fraction(), map.paper_level())
}

/// Whole-page error diffusion.
fn diffused<K: diffuse::Kernel>(page: &GrayPage) -> BitPage {
    let stride = BitPage::stride_for(page.width());
    let mut data = crate::spare::zeroed(stride * page.height() as usize);
    diffuse::diffuse_page::<K>(page, &mut data, stride);
    finish(page, data)
}

/// Whole-page line screen.
fn screened(page: &GrayPage, period: u8) -> BitPage {
    let stride = BitPage::stride_for(page.width());
    let mut data = crate::spare::zeroed(stride * page.height() as usize);
    screen::screen_page(page, period, &mut data, stride);
    finish(page, data)
}

/// Wrap packed rows made for `page` into a [`BitPage`].
fn finish(page: &GrayPage, data: Vec<u8>) -> BitPage {
    // Cannot fail: the dimensions come from a valid GrayPage and every
    // method allocates `stride_for(width) * height` bytes.
    BitPage::from_packed(page.width(), page.height(), page.resolution(), data)
        .expect("packed rows sized from a valid page")
}

/// Measure whether `page` is a picture of paper (see [`PaperFacts`]).
pub fn paper_facts(page: &GrayPage) -> PaperFacts {
    paper::analyse(page).facts
}

/// `page` made into a document page as if it were a picture of paper:
/// even lighting, the surround white, the sheet's perspective or the text's
/// skew corrected.
pub fn flatten_paper(page: &GrayPage) -> GrayPage {
    let a = paper::analyse(page);
    paper::flatten(page, &a)
}

#[cfg(test)]
mod tests {
    use super::*;
    use faxprep_page::Resolution;

    /// The vector-level count is the page's own, pixel for pixel, on rows
    /// of every length around the 8-byte words.
    #[test]
    fn black_counted_at_the_vector_level_is_the_pages_count() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for (width, height) in [(1, 1), (7, 3), (64, 2), (65, 5), (1728, 9), (1731, 4)] {
            let mut bits = BitPage::new(width, height, Resolution::Fine).unwrap();
            let mut want = 0u64;
            for y in 0..height {
                for x in 0..width {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    if seed.is_multiple_of(3) {
                        bits.set(x, y, true);
                        want += 1;
                    }
                }
            }
            assert_eq!(count_black(&bits), want, "{width} x {height}");
            assert_eq!(count_black(&bits), bits.count_black());
        }
    }
}

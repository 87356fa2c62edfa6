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
//! are dithered. The classic methods are there on their own as well:
//! a fixed threshold, Sauvola's adaptive threshold, three error-diffusion
//! kernels and a clustered-dot screen.
//!
//! Out of scope: any I/O, scaling or rotation (the raster stage delivers
//! the page at fax size), and coding. The functions cannot fail: every
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
//! | `auto` | [`classify`] into text and photo tiles, contrast rule + Floyd-Steinberg | the default |
//! | `threshold` | black below a fixed cut (`threshold=N`, default 128) | clean vector pages |
//! | `adaptive` | Sauvola, 33 px window, k = 0.3 | scans with shadows |
//! | `floyd-steinberg` (`diffuse`) | serpentine error diffusion | photos |
//! | `atkinson` | error diffusion losing 1/4 of the error | photos, smaller G4 |
//! | `stucki` | 12-tap error diffusion | photos, smoothest tone |
//! | `ordered` | 48-lpi clustered-dot screen at 45 degrees | like Ghostscript's fax devices |
//!
//! All methods except the error diffusions (which are sequential by nature)
//! work on row bands in parallel; the output is the same for any number of
//! threads ([`HalftoneOptions::threads`]).
//!
//! # Measurements
//! ![gray | auto | 48-lpi screen (as gs) | threshold 128](https://example.invalid/faxprep/fixtures/docs/halftone.png)
//!
//! `fixtures/docs/halftone.png` (made by `cargo run -p faxprep-halftone
//! --example docs_picture` from a page the example draws): the gray page,
//! `auto`, a 48-lpi clustered-dot screen like Ghostscript's, a 50% cut.
//!
//! OCR word recall (tesseract vs pdftotext, `shared/eval/faxeval.py`, first
//! 3 pages; faxprep = `eval/engine.sh`: poppler at 204 x 196 dpi gray, then
//! `auto` through the `halftone_pgm` example, G4 TIFF):
//!
//! ```text
//! cargo build --release -p faxprep-halftone --example halftone_pgm
//! faxeval.py --runs 1 --engine gs --engine gray204 --engine mutool \
//!   --engine 'faxprep=crates/faxprep-halftone/eval/engine.sh {in} {out}' FILES
//! ```
//!
//! | corpus (pages) | gs | mutool 50% | gray204 | faxprep auto |
//! |---|---|---|---|---|
//! | pdf-form: f1040nr, libreoffice-form, form-filled-by-acrobat (7) | 0.732 | 0.940 | 0.928 | 0.939 |
//! | pdf-text + pdf-std14: libtasn1, shared-mime-info, naacl06, amc sample, standard_fonts (10) | 0.927 | 0.981 | 0.984 | 0.983 |
//!
//! No page reads worse than `gs` (by more than 0.02). Per page on the IRS
//! 1040-NR: gs 0.70 / 0.59 / 0.72, faxprep 0.92 / 0.94 / 0.98.
//!
//! G4 bytes per page (`eval/measure.py sizes`): f1040nr gs 56-82 KB, auto
//! 29-55 KB, i.e. 1.12-1.14 x a plain 128 threshold; the three smaller
//! forms 1.04-1.11 x; standard_fonts 1.25-1.30 x (auto's cut at 60% of
//! the background makes strokes bolder than a 50% cut; this misses the
//! issue's 1.10 goal).
//!
//! Tone (`eval/measure.py tone`, Gaussian blur sigma 1.5, MAE in gray
//! levels over the tiles `auto` dithers, auto / Floyd-Steinberg):
//! kodim23 2.42 / 2.41, Landscape_1 2.77 / 2.60, hopper 3.45 / 3.42,
//! progressive3 3.02 / 2.85 (84-99% of these photos found as photo; the
//! rest is thresholded). Scanned text pages (pdfminer-175, ocrmypdf-jbig2)
//! are 0-2% photo. The drawn-photo test `tests/photo_tone.rs` holds auto
//! to Floyd-Steinberg's MAE within 0.05.
//!
//! Speed, fine Letter page, one thread (`benches/halftone.rs`, or CPU time
//! with `--example speed` on a loaded 2-core box): threshold 1.8 ms,
//! ordered 1.8 ms, adaptive 14 ms, Floyd-Steinberg 15 ms, Atkinson 25 ms,
//! Stucki 35 ms, auto 16 ms. The 4 ms / 12 ms goals are not met yet for
//! adaptive and the diffusions.
//!
//! # Dependencies
//! - `rayon`: the row bands in parallel.
//!
//! # Safety
//! Unsafe code is forbidden.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod adaptive;
mod auto;
mod diffuse;
mod ordered;
mod par;
mod threshold;

use std::fmt;
use std::str::FromStr;

pub use auto::{RegionMap, classify};
use faxprep_page::{BitPage, GrayPage};

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
}

impl Method {
    /// Every method by its name, for help texts (`threshold` with its
    /// default cut).
    pub const ALL: [Method; 7] = [
        Method::Auto,
        Method::Threshold(128),
        Method::Adaptive,
        Method::FloydSteinberg,
        Method::Atkinson,
        Method::Stucki,
        Method::Ordered,
    ];

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
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Method::Threshold(cut) => write!(f, "threshold={cut}"),
            m => f.write_str(m.name()),
        }
    }
}

impl FromStr for Method {
    type Err = Error;

    /// `auto`, `threshold` (cut 128) or `threshold=N` (N in 0..=255),
    /// `adaptive`, `floyd-steinberg` or `diffuse`, `atkinson`, `stucki`,
    /// `ordered`; case-insensitive.
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
        Ok(match lower.as_str() {
            "auto" => Method::Auto,
            "threshold" => Method::Threshold(128),
            "adaptive" => Method::Adaptive,
            "floyd-steinberg" | "diffuse" => Method::FloydSteinberg,
            "atkinson" => Method::Atkinson,
            "stucki" => Method::Stucki,
            "ordered" => Method::Ordered,
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
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::UnknownMethod { name } => write!(
                f,
                "unknown halftone method {name:?} (expected auto, threshold, threshold=N, \
                 adaptive, diffuse, floyd-steinberg, atkinson, stucki or ordered)"
            ),
            Error::InvalidThreshold { value } => {
                write!(f, "threshold {value:?} is not a number from 0 to 255")
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
}

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
    let (bits, photo_fraction, paper_level) = par::install(opts, || match method {
        Method::Auto => {
            let (bits, map) = auto::auto(page, opts);
            let fraction = map.photo_fraction();
            (bits, fraction, map.paper_level())
        }
        Method::Threshold(cut) => (threshold::threshold(page, cut, opts), 0.0, 255),
        Method::Adaptive => (adaptive::adaptive(page, opts), 0.0, 255),
        Method::FloydSteinberg => (diffused::<diffuse::FloydSteinberg>(page), 1.0, 255),
        Method::Atkinson => (diffused::<diffuse::Atkinson>(page), 1.0, 255),
        Method::Stucki => (diffused::<diffuse::Stucki>(page), 1.0, 255),
        Method::Ordered => (ordered::ordered(page, opts), 1.0, 255),
    });
    let pixels = u64::from(page.width()) * u64::from(page.height());
    let black = bits.count_black();
    let report = Report {
        method,
        photo_fraction,
        paper_level,
        black_fraction: black as f32 / pixels as f32,
        nearly_blank: black.saturating_mul(10_000) < pixels,
    };
    (bits, report)
}

/// Whole-page error diffusion.
fn diffused<K: diffuse::Kernel>(page: &GrayPage) -> BitPage {
    let stride = BitPage::stride_for(page.width());
    let mut data = vec![0u8; stride * page.height() as usize];
    diffuse::diffuse_page::<K>(page, &mut data, stride);
    finish(page, data)
}

/// Wrap packed rows made for `page` into a [`BitPage`].
fn finish(page: &GrayPage, data: Vec<u8>) -> BitPage {
    // Cannot fail: the dimensions come from a valid GrayPage and every
    // method allocates `stride_for(width) * height` bytes.
    BitPage::from_packed(page.width(), page.height(), page.resolution(), data)
        .expect("packed rows sized from a valid page")
}

//! Page types shared by every faxprep stage (stage 0: the vocabulary).
//!
//! faxprep turns an upload into fax pages in six stages: intake
//! (`faxprep-intake`), raster (`faxprep-raster`), halftone
//! (`faxprep-halftone`), codec (`faxprep-codec`), cover (`faxprep-cover`) and
//! the umbrella `faxprep` that ties them together and bills. This crate holds
//! only what they pass between them:
//!
//! - [`Resolution`]: the three fax vertical resolutions (204 x 98, 204 x 196,
//!   204 x 391 dpi) and their 2-D coding parameter K;
//! - [`Paper`]: Letter, A4 and Legal, and how many rows each has at a
//!   resolution ([`Paper::rows`]);
//! - [`GrayPage`]: 8-bit gray, 0 = black, 255 = white, one byte a pixel;
//! - [`DocumentFormat`]: PDF, JPEG, PNG or TIFF, as intake sniffed it;
//! - [`BitPage`]: packed 1-bit rows, most significant bit first, 1 = black,
//!   padding bits at the end of each row always zero.
//!
//! Out of scope: any I/O, rendering or coding. Every constructor checks its
//! sizes, so a page built from hostile dimensions is an [`Error`], never a
//! panic or an unbounded allocation.
//!
//! ```
//! use faxprep_page::{BitPage, Paper, Resolution, FAX_WIDTH};
//!
//! let rows = Paper::Letter.rows(Resolution::Fine);
//! assert_eq!(rows, 2156);
//! let mut page = BitPage::new(FAX_WIDTH, rows, Resolution::Fine)?;
//! page.set(0, 0, true);
//! assert!(page.get(0, 0));
//! assert_eq!(page.row(0)[0], 0b1000_0000);
//! # Ok::<(), faxprep_page::Error>(())
//! ```
//!
//! # Cargo features
//! - `serde`: derive `Serialize`/`Deserialize` for [`Resolution`] and
//!   [`Paper`] (used by the CLI's JSON and the isolated worker).
//!
//! # Safety
//! Unsafe code is forbidden.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod bitpage;
mod geometry;
mod graypage;

pub use bitpage::BitPage;
pub use geometry::{FAX_WIDTH, Paper, Resolution};

/// What an upload is, decided by intake from its bytes (never its name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
pub enum DocumentFormat {
    /// A PDF document (`%PDF-` within the first 1024 bytes).
    Pdf,
    /// A JPEG image (SOI marker).
    Jpeg,
    /// A PNG image (the 8-byte signature).
    Png,
    /// A TIFF image (`II*\0` or `MM\0*`), accepted only when the caller
    /// turns TIFF uploads on.
    Tiff,
}

impl DocumentFormat {
    /// Lower-case name for messages and JSON.
    pub const fn name(self) -> &'static str {
        match self {
            DocumentFormat::Pdf => "pdf",
            DocumentFormat::Jpeg => "jpeg",
            DocumentFormat::Png => "png",
            DocumentFormat::Tiff => "tiff",
        }
    }
}
pub use graypage::{GrayPage, WHITE_TILE};

/// The largest width or height, in pixels, any page may have.
///
/// Fax pages are 1728 (A4/Letter), 2048 (B4) or 2432 (A3) wide and at most a
/// few thousand rows long; 1 << 16 leaves room for other people's TIFFs and
/// for intermediate images while keeping every size computation far from
/// overflow. Stages set tighter limits of their own.
pub const MAX_DIMENSION: u32 = 1 << 16;

/// The largest number of pixels any page may have (about 268 million, 256 MiB
/// as gray). Stages set tighter limits of their own.
pub const MAX_PIXELS: u64 = 1 << 28;

/// Errors of the page constructors: a caller asked for an impossible page.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// Width or height is zero or above [`MAX_DIMENSION`], or the pixel count
    /// is above [`MAX_PIXELS`].
    InvalidDimensions {
        /// Requested width in pixels.
        width: u32,
        /// Requested height in pixels.
        height: u32,
    },
    /// A buffer given to a `from_*` constructor has the wrong length.
    BufferLength {
        /// The length the dimensions require.
        expected: usize,
        /// The length that was given.
        actual: usize,
    },
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::InvalidDimensions { width, height } => {
                write!(f, "invalid page dimensions {width} x {height}")
            }
            Error::BufferLength { expected, actual } => {
                write!(
                    f,
                    "page buffer has {actual} bytes, dimensions need {expected}"
                )
            }
        }
    }
}

impl std::error::Error for Error {}

/// Result with this crate's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;

/// Check dimensions against the global caps; returns the pixel count.
pub(crate) fn check_dimensions(width: u32, height: u32) -> Result<usize> {
    let pixels = u64::from(width) * u64::from(height);
    if width == 0
        || height == 0
        || width > MAX_DIMENSION
        || height > MAX_DIMENSION
        || pixels > MAX_PIXELS
    {
        return Err(Error::InvalidDimensions { width, height });
    }
    // MAX_PIXELS fits in usize on every 32- and 64-bit target.
    usize::try_from(pixels).map_err(|_| Error::InvalidDimensions { width, height })
}

//! TIFF Class F (RFC 2306): the container fax servers and fax modems
//! exchange, written from coded pages and read back to [`BitPage`]s.
//!
//! # Writing
//! [`TiffWriter`] takes pages one at a time ([`TiffWriter::add_page`] codes
//! a [`BitPage`] with [`crate::ccitt`]; [`TiffWriter::add_encoded`] takes a
//! strip already coded) and keeps only their bytes, so memory grows with the
//! compressed fax, not with its bitmaps. [`write_tiff_f`] does it for a
//! slice of pages. Every page gets:
//!
//! | tag | value |
//! |---|---|
//! | NewSubfileType | 2 (page of a multi-page document) |
//! | ImageWidth / ImageLength | 1728, 2048 or 2432 / the page's rows |
//! | BitsPerSample, SamplesPerPixel | 1, 1 |
//! | Compression | 3 (T.4) or 4 (T.6) |
//! | PhotometricInterpretation | 0 (white is zero) |
//! | FillOrder | 1, or 2 on request (the strip bytes bit-reversed) |
//! | StripOffsets, RowsPerStrip, StripByteCounts | one strip per page |
//! | XResolution / YResolution | 204 / 98, 196 or 391, RATIONAL |
//! | ResolutionUnit | 2 (inch) |
//! | T4Options / T6Options | bit 2 (EOL fill bits) plus bit 0 for 2-D / 0 |
//! | PageNumber | (index, total) |
//! | Software, DateTime | from [`TiffOptions`]; DateTime never from the clock |
//! | CleanFaxData | 0 |
//!
//! The file is little-endian, each directory and out-of-line value starts
//! on a word boundary and tags are in ascending order. A G3 strip has an EOL
//! before every row, fill bits so each EOL ends on a byte boundary, and no
//! RTC (RFC 2306 §3); a G4 strip ends with EOFB, as libtiff writes it, so
//! the strip is byte for byte what libtiff makes of the same bitmap.
//!
//! The directory builder is written by hand instead of using the `tiff`
//! crate's encoder: the strips are already-coded CCITT bytes, the tags carry
//! fax-specific values, and PageNumber totals are patched in place when the
//! page count is known only at the end. That is a hundred lines with exact
//! control over every byte, which the tests compare with libtiff's.
//!
//! # Reading
//! [`read_tiff`] lists pages (dimensions, compression, fill order,
//! resolution, PageNumber, strip locations) and [`decode_page`] /
//! [`decode_tiff`] decode them, strictly; [`decode_page_lenient`] salvages
//! damaged strips for a preview and says which. Accepted beyond Class F: both byte orders,
//! any width, several strips per page, PhotometricInterpretation 1, and
//! uncompressed strips. Every offset and count is checked against the file
//! length, the directory chain against loops, and dimensions and sizes
//! against [`ReadLimits`] before anything is allocated.
//! [`validate_class_f`] lists what keeps a file from being clean Class F.
//!
//! ```
//! use faxprep_codec::ccitt::Compression;
//! use faxprep_codec::tiff::{ReadLimits, TiffOptions, decode_tiff, write_tiff_f};
//! use faxprep_page::{BitPage, Resolution};
//!
//! let mut page = BitPage::new(1728, 100, Resolution::Fine)?;
//! page.fill_rect(100, 10, 900, 60);
//! let options = TiffOptions { compression: Compression::G3TwoD, ..TiffOptions::default() };
//! let file = write_tiff_f(&[page.clone()], &options)?;
//! assert_eq!(decode_tiff(&file, &ReadLimits::default())?, vec![page]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod decode;
mod error;
mod ifd;
mod ifd_write;
mod reader;
pub mod tags;
mod validate;
mod writer;

pub use decode::{SalvagedPage, StripDamage, decode_page, decode_page_lenient, decode_tiff};
pub use error::{Error, FormatError, Limit, ParameterError, Result, Unsupported};
pub use reader::{
    OtherPage, ReadLimits, TiffCompression, TiffPage, TiffPageInfo, read_tiff, read_tiff_pages,
};
pub use validate::{ClassFIssue, ClassFIssueKind, Severity, validate_class_f};
pub use writer::{CLASS_F_WIDTHS, PageInfo, TiffOptions, TiffWriter, write_tiff_f};

#[cfg(doc)]
use faxprep_page::BitPage;

/// The bit order of strip bytes (TIFF 6.0 §8, FillOrder).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum FillOrder {
    /// 1: the first pixel or code bit is the most significant bit of a byte.
    #[default]
    MsbFirst,
    /// 2: the first is the least significant bit (what fax modems emit).
    LsbFirst,
}

impl FillOrder {
    /// The FillOrder tag value, 1 or 2.
    pub const fn tag_value(self) -> u16 {
        match self {
            FillOrder::MsbFirst => 1,
            FillOrder::LsbFirst => 2,
        }
    }
}

/// What a 0 bit means (TIFF 6.0 §8, PhotometricInterpretation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Photometric {
    /// 0: white is zero, as in every fax file.
    WhiteIsZero,
    /// 1: black is zero; the reader inverts such pages.
    BlackIsZero,
}

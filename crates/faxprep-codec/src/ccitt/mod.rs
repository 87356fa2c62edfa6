//! CCITT fax coding: T.4 1-D Modified Huffman (G3 MH), T.4 2-D Modified
//! READ (G3 MR) and T.6 Modified Modified READ (G4 MMR), from and to
//! [`BitPage`]s.
//!
//! # Stream conventions
//! The bytes are what goes into a TIFF strip with FillOrder 1 (first bit in
//! the most significant bit) or, with [`EncodeOptions::raw_stream`], what a
//! carrier that takes raw fax streams wants. They follow libtiff, the
//! reference every fax TIFF reader is tested against:
//!
//! | | TIFF strip (`raw_stream: false`) | raw stream (`raw_stream: true`) |
//! |---|---|---|
//! | G3 MH | EOL before every row (T.4 §4.1.2) | the same, then RTC: 6 EOLs (§4.1.4) |
//! | G3 MR | EOL + tag bit (1: 1-D row) before every row (§4.2.1.3.1) | the same, then RTC: 6 x (EOL + 1) |
//! | G4 | rows only | rows, then EOFB: 2 EOLs (T.6 §2.4) |
//!
//! libtiff (`tiffcp -c g4`) ends G4 TIFF strips with EOFB, so a TIFF writer
//! that wants libtiff's bytes sets `raw_stream` for G4 (faxprep's does;
//! [`EncodeOptions::tiff`] gives the TIFF Class F choice). With
//! [`EncodeOptions::align_eol`] (TIFF T4Options bit 2) zero fill bits go
//! before each EOL so that the EOL ends on a byte boundary; the MR tag bit
//! follows it. The last byte is padded with zero bits. T.6 and T.4 coding
//! are canonical, so for the same bitmap our bytes equal libtiff's for every
//! mode (the tests check G4 and G3 against `tiffcp`).
//!
//! The decoders accept all of these and more: leading fill bits, EOLs
//! aligned or not, RTC/EOFB present or not, MH rows without EOLs, trailing
//! zero padding. See [`decode`] and [`decode_lenient`] for what counts as an
//! error and what a damaged page decodes to.
//!
//! Uncompressed mode (T.4 §4.2.1.3.4 extensions) is neither written nor
//! read: no fax machine needs it and libtiff rejects it too.

mod bits;
mod changes;
mod decode;
mod encode;
mod tables;

use faxprep_page::{BitPage, Resolution};

pub use decode::{decode, decode_lenient};
pub use encode::{encode, encode_into};

/// The three fax codings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Compression {
    /// T.4 one-dimensional coding, Modified Huffman (G3 MH; TIFF
    /// Compression 3 without T4Options bit 0).
    G3OneD,
    /// T.4 two-dimensional coding, Modified READ (G3 MR; TIFF Compression 3
    /// with T4Options bit 0).
    G3TwoD,
    /// T.6 coding, Modified Modified READ (G4 MMR; TIFF Compression 4).
    G4,
}

impl Compression {
    /// All codings, in the order of the T-series.
    pub const ALL: [Compression; 3] = [Compression::G3OneD, Compression::G3TwoD, Compression::G4];

    /// The name used on the command line and in JSON: "g3-1d", "g3-2d",
    /// "g4".
    pub const fn name(self) -> &'static str {
        match self {
            Compression::G3OneD => "g3-1d",
            Compression::G3TwoD => "g3-2d",
            Compression::G4 => "g4",
        }
    }

    /// The coding named `name` (as [`Compression::name`] spells it).
    pub fn from_name(name: &str) -> Option<Compression> {
        Compression::ALL.into_iter().find(|c| c.name() == name)
    }

    /// The TIFF Compression tag value: 3 (T.4) or 4 (T.6).
    pub const fn tiff_compression(self) -> u16 {
        match self {
            Compression::G3OneD | Compression::G3TwoD => 3,
            Compression::G4 => 4,
        }
    }
}

impl std::fmt::Display for Compression {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// How to encode a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EncodeOptions {
    /// Which coding.
    pub compression: Compression,
    /// MR only: code one row 1-D, then up to `k - 1` rows 2-D (T.4
    /// §4.2.1). 0 takes it from the page's resolution: 2 standard, 4 fine, 8
    /// superfine ([`Resolution::k_factor`]). 1 makes every row 1-D.
    pub k: u32,
    /// G3 only: zero fill bits before each EOL so that it ends on a byte
    /// boundary (TIFF T4Options bit 2; T.4 §4.1.2 "fill").
    pub align_eol: bool,
    /// End the stream with RTC (G3) or EOFB (G4); see the module docs.
    pub raw_stream: bool,
}

impl Default for EncodeOptions {
    /// G4, K from the resolution, no fill, no end marker.
    fn default() -> Self {
        EncodeOptions::new(Compression::G4)
    }
}

impl EncodeOptions {
    /// `compression` with K from the resolution, no fill bits, no end
    /// marker.
    pub const fn new(compression: Compression) -> Self {
        EncodeOptions {
            compression,
            k: 0,
            align_eol: false,
            raw_stream: false,
        }
    }

    /// G4 (T.6), no EOFB.
    pub const fn g4() -> Self {
        EncodeOptions::new(Compression::G4)
    }

    /// G3 1-D (T.4 MH), no RTC.
    pub const fn g3_1d() -> Self {
        EncodeOptions::new(Compression::G3OneD)
    }

    /// G3 2-D (T.4 MR) with K = `k` (0: from the resolution), no RTC.
    pub const fn g3_2d(k: u32) -> Self {
        EncodeOptions {
            k,
            ..EncodeOptions::new(Compression::G3TwoD)
        }
    }

    /// What a TIFF Class F strip holds (RFC 2306): for G3 byte-aligned EOLs
    /// and no RTC, for G4 an EOFB as libtiff writes it.
    pub const fn tiff(compression: Compression) -> Self {
        EncodeOptions {
            compression,
            k: 0,
            align_eol: !matches!(compression, Compression::G4),
            raw_stream: matches!(compression, Compression::G4),
        }
    }

    /// These options with `align_eol` set to `align`.
    pub const fn with_align_eol(self, align: bool) -> Self {
        EncodeOptions {
            align_eol: align,
            ..self
        }
    }

    /// These options with `raw_stream` set to `raw`.
    pub const fn with_raw_stream(self, raw: bool) -> Self {
        EncodeOptions {
            raw_stream: raw,
            ..self
        }
    }

    /// The K used for a page at `resolution`.
    pub const fn k_for(&self, resolution: Resolution) -> u32 {
        if self.k == 0 {
            resolution.k_factor()
        } else {
            self.k
        }
    }
}

/// How to decode a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DecodeOptions {
    /// Which coding the data is in.
    pub compression: Compression,
    /// Pixels per row, 1 to [`faxprep_page::MAX_DIMENSION`].
    pub width: u32,
    /// The most rows to decode; more is [`Error::TooManyRows`]. The page
    /// buffer never grows beyond `width * max_rows` bits (nor beyond the
    /// page type's own caps, [`faxprep_page::MAX_PIXELS`]).
    pub max_rows: u32,
    /// The rows expected (TIFF ImageLength): decoding stops there, and
    /// fewer is [`Error::Truncated`]. `None`: up to RTC/EOFB or the end of
    /// the data.
    pub rows: Option<u32>,
    /// Whether EOLs were written byte-aligned (T4Options bit 2). Only a
    /// hint: fill bits are accepted whether or not it is set.
    pub align_eol: bool,
    /// The resolution to give the decoded page.
    pub resolution: Resolution,
}

impl DecodeOptions {
    /// The default row limit: 16384 rows, three times a Legal page at
    /// superfine (4 MiB of bitmap at 2048 pixels a row).
    pub const DEFAULT_MAX_ROWS: u32 = 16_384;

    /// Decode `compression` at `width`, any number of rows up to
    /// [`DecodeOptions::DEFAULT_MAX_ROWS`], at fine resolution.
    pub const fn new(compression: Compression, width: u32) -> Self {
        DecodeOptions {
            compression,
            width,
            max_rows: Self::DEFAULT_MAX_ROWS,
            rows: None,
            align_eol: false,
            resolution: Resolution::Fine,
        }
    }

    /// Expect exactly `rows` rows (raising `max_rows` to it if needed).
    pub const fn with_rows(self, rows: u32) -> Self {
        let max_rows = if rows > self.max_rows {
            rows
        } else {
            self.max_rows
        };
        DecodeOptions {
            rows: Some(rows),
            max_rows,
            ..self
        }
    }

    /// Allow at most `max_rows` rows.
    pub const fn with_max_rows(self, max_rows: u32) -> Self {
        DecodeOptions { max_rows, ..self }
    }

    /// Give the page `resolution`.
    pub const fn with_resolution(self, resolution: Resolution) -> Self {
        DecodeOptions { resolution, ..self }
    }
}

/// What [`decode_lenient`] salvaged from damaged data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartialPage {
    /// The rows decoded, the damaged row as far as it went, and white rows
    /// up to [`DecodeOptions::rows`] when that is set.
    pub page: BitPage,
    /// The first error met, `None` when the data was clean.
    pub error: Option<Error>,
}

/// Why coded data could not be decoded.
///
/// Split by whose fault it is: [`Error::InvalidWidth`] is the caller's;
/// [`Error::InvalidCode`], [`Error::PrematureEol`], [`Error::RowOverrun`]
/// and [`Error::Truncated`] are the data's; [`Error::Unsupported`] is valid
/// data we do not handle; [`Error::TooManyRows`] is a limit.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The width is 0 or above [`faxprep_page::MAX_DIMENSION`].
    InvalidWidth {
        /// The width asked for.
        width: u32,
    },
    /// No code word matches the bits at `bit_offset`, or a vertical mode
    /// code points left of a0 (T.6 §2.2.3.2).
    InvalidCode {
        /// The row (0-based) being decoded.
        row: u32,
        /// Bits from the start of the data.
        bit_offset: u64,
    },
    /// An EOL in the middle of a row (T.4 §4.1.2 puts EOLs only between
    /// rows).
    PrematureEol {
        /// The row (0-based) being decoded.
        row: u32,
        /// Bits from the start of the data.
        bit_offset: u64,
    },
    /// The runs of a row add up to more than the width.
    RowOverrun {
        /// The row (0-based) being decoded.
        row: u32,
    },
    /// The data ended (or an end-of-page marker came) before the rows
    /// expected, or in the middle of a row.
    Truncated {
        /// Complete rows decoded before the end.
        rows_decoded: u32,
    },
    /// Uncompressed mode (the T.4 §4.2.1.3.4 extension codes).
    Unsupported {
        /// The row (0-based) being decoded.
        row: u32,
        /// Bits from the start of the data.
        bit_offset: u64,
    },
    /// The data holds more rows than [`DecodeOptions::max_rows`] (or the
    /// page type's caps) allow.
    TooManyRows {
        /// The limit that was hit.
        limit: u32,
    },
    /// The decoded rows did not make a valid page (cannot happen with the
    /// checks above; kept so no path needs a panic).
    Page(faxprep_page::Error),
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::InvalidWidth { width } => write!(f, "invalid fax row width {width}"),
            Error::InvalidCode { row, bit_offset } => {
                write!(f, "invalid code in row {row} at bit {bit_offset}")
            }
            Error::PrematureEol { row, bit_offset } => {
                write!(f, "end-of-line code inside row {row} at bit {bit_offset}")
            }
            Error::RowOverrun { row } => write!(f, "row {row} is longer than the page width"),
            Error::Truncated { rows_decoded } => {
                write!(f, "coded data ends after {rows_decoded} complete rows")
            }
            Error::Unsupported { row, bit_offset } => {
                write!(
                    f,
                    "uncompressed mode in row {row} at bit {bit_offset} is not supported"
                )
            }
            Error::TooManyRows { limit } => write!(f, "page has more than {limit} rows"),
            Error::Page(_) => f.write_str("decoded rows do not form a valid page"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Page(e) => Some(e),
            _ => None,
        }
    }
}

/// Result with this module's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;

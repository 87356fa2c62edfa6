//! The error type of the TIFF module, split by whose fault a failure is.

use std::fmt;

use super::tags::tag_name;

/// Errors of the TIFF Class F writer and reader.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The bytes are not a well-formed TIFF (a bad upload).
    Format(FormatError),
    /// A well-formed TIFF that uses something this reader does not handle
    /// (tiles, colour, LZW, BigTIFF, ...).
    Unsupported(Unsupported),
    /// A [`ReadLimits`](super::ReadLimits) cap was hit.
    Limits {
        /// Which cap.
        limit: Limit,
        /// The value the file asked for.
        value: u64,
        /// The cap.
        max: u64,
    },
    /// The CCITT data of a page failed to decode.
    Codec {
        /// Page index, from 0.
        page: u32,
        /// What the decoder reported.
        source: crate::ccitt::Error,
    },
    /// The caller asked the writer for something TIFF Class F cannot hold.
    Parameter(ParameterError),
}

/// Why the bytes are not a well-formed TIFF.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FormatError {
    /// The file does not start with `II*\0` or `MM\0*`.
    NotTiff,
    /// A header, directory or field value runs past the end of the file.
    Truncated {
        /// Where the structure starts.
        offset: u64,
        /// Bytes it needs.
        needed: u64,
        /// Bytes in the file.
        file_len: u64,
    },
    /// The chain of directories points back to one already read.
    IfdLoop {
        /// The directory offset seen twice.
        offset: u64,
    },
    /// The header points to no directory at all.
    NoPages,
    /// A tag every page needs is absent.
    MissingTag {
        /// Page index, from 0.
        page: u32,
        /// Tag number.
        tag: u16,
    },
    /// A tag has a field type or count that cannot hold its value.
    BadField {
        /// Page index, from 0.
        page: u32,
        /// Tag number.
        tag: u16,
        /// Field type found.
        field_type: u16,
        /// Value count found.
        count: u64,
    },
    /// A tag has a value outside its domain (a zero width, a zero
    /// RowsPerStrip).
    BadValue {
        /// Page index, from 0.
        page: u32,
        /// Tag number.
        tag: u16,
        /// The value found.
        value: u64,
    },
    /// Fewer strips than ImageLength / RowsPerStrip needs, or
    /// StripOffsets and StripByteCounts of different lengths.
    StripCount {
        /// Page index, from 0.
        page: u32,
        /// Strips needed.
        needed: u64,
        /// StripOffsets values.
        offsets: u64,
        /// StripByteCounts values.
        byte_counts: u64,
    },
    /// A strip lies (partly) past the end of the file.
    StripOutOfBounds {
        /// Page index, from 0.
        page: u32,
        /// Strip index, from 0.
        strip: u32,
        /// Strip offset.
        offset: u64,
        /// Strip byte count.
        len: u64,
        /// Bytes in the file.
        file_len: u64,
    },
    /// An uncompressed strip holds fewer bytes than its rows need.
    ShortStrip {
        /// Page index, from 0.
        page: u32,
        /// Strip index, from 0.
        strip: u32,
        /// Bytes needed.
        needed: u64,
        /// Bytes present.
        actual: u64,
    },
}

/// A TIFF feature outside what this reader handles.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Unsupported {
    /// BigTIFF (version 43): fax files never need 64-bit offsets.
    BigTiff,
    /// A tag value this reader does not decode, e.g. Compression 5 (LZW),
    /// BitsPerSample 8 or a TileWidth tag.
    Field {
        /// Page index, from 0.
        page: u32,
        /// Tag number.
        tag: u16,
        /// The value found.
        value: u64,
    },
}

/// Which [`ReadLimits`](super::ReadLimits) cap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Limit {
    /// `max_pages`.
    Pages,
    /// `max_width`.
    Width,
    /// `max_height`.
    Height,
    /// `max_bytes_per_page`.
    BytesPerPage,
    /// Width times height above `faxprep_page::MAX_PIXELS`.
    Pixels,
}

/// A writer call TIFF Class F cannot honour (the caller's fault).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ParameterError {
    /// Class F pages are 1728, 2048 or 2432 pixels wide (RFC 2306 §3).
    Width {
        /// The width given.
        width: u32,
    },
    /// `TiffOptions::date_time` is not `"YYYY:MM:DD HH:MM:SS"`.
    DateTime {
        /// The value given.
        value: String,
    },
    /// `TiffOptions::software` holds a NUL byte, which ends a TIFF ASCII
    /// value early.
    Software,
    /// More or fewer pages were added than `TiffOptions::total_pages` says.
    PageCount {
        /// `total_pages`.
        declared: u32,
        /// Pages added.
        added: u32,
    },
    /// `finish` with no page: a TIFF needs at least one directory.
    NoPages,
    /// The file would pass 4 GiB, beyond 32-bit TIFF offsets.
    TooLarge,
    /// `add_encoded` with a zero width or height.
    EmptyPage,
}

/// Result with the TIFF module's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;

impl From<FormatError> for Error {
    fn from(e: FormatError) -> Self {
        Error::Format(e)
    }
}

impl From<Unsupported> for Error {
    fn from(e: Unsupported) -> Self {
        Error::Unsupported(e)
    }
}

impl From<ParameterError> for Error {
    fn from(e: ParameterError) -> Self {
        Error::Parameter(e)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Format(e) => write!(f, "malformed tiff: {e}"),
            Error::Unsupported(e) => write!(f, "unsupported tiff: {e}"),
            Error::Limits { limit, value, max } => {
                write!(f, "tiff {limit} {value} exceeds the limit of {max}")
            }
            Error::Codec { page, .. } => write!(f, "page {} does not decode", page + 1),
            Error::Parameter(e) => write!(f, "cannot write tiff: {e}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Codec { source, .. } => Some(source),
            _ => None,
        }
    }
}

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FormatError::NotTiff => f.write_str("no tiff header"),
            FormatError::Truncated {
                offset,
                needed,
                file_len,
            } => write!(
                f,
                "{needed} bytes at offset {offset} run past the end of the {file_len}-byte file"
            ),
            FormatError::IfdLoop { offset } => {
                write!(f, "directory chain loops back to offset {offset}")
            }
            FormatError::NoPages => f.write_str("no image directory"),
            FormatError::MissingTag { page, tag } => {
                write!(f, "page {} has no {} tag ({tag})", page + 1, tag_name(*tag))
            }
            FormatError::BadField {
                page,
                tag,
                field_type,
                count,
            } => write!(
                f,
                "page {} has {} ({tag}) with field type {field_type} and count {count}",
                page + 1,
                tag_name(*tag)
            ),
            FormatError::BadValue { page, tag, value } => write!(
                f,
                "page {} has invalid {} ({tag}) value {value}",
                page + 1,
                tag_name(*tag)
            ),
            FormatError::StripCount {
                page,
                needed,
                offsets,
                byte_counts,
            } => write!(
                f,
                "page {} needs {needed} strips but has {offsets} offsets and {byte_counts} byte counts",
                page + 1
            ),
            FormatError::StripOutOfBounds {
                page,
                strip,
                offset,
                len,
                file_len,
            } => write!(
                f,
                "page {} strip {strip} ({len} bytes at offset {offset}) runs past the end of the {file_len}-byte file",
                page + 1
            ),
            FormatError::ShortStrip {
                page,
                strip,
                needed,
                actual,
            } => write!(
                f,
                "page {} uncompressed strip {strip} has {actual} bytes, its rows need {needed}",
                page + 1
            ),
        }
    }
}

impl fmt::Display for Unsupported {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unsupported::BigTiff => f.write_str("bigtiff"),
            Unsupported::Field { page, tag, value } => {
                write!(
                    f,
                    "page {} has {} ({tag}) = {value}",
                    page + 1,
                    tag_name(*tag)
                )
            }
        }
    }
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Limit::Pages => "page count",
            Limit::Width => "page width",
            Limit::Height => "page height",
            Limit::BytesPerPage => "compressed bytes per page",
            Limit::Pixels => "pixels per page",
        })
    }
}

impl fmt::Display for ParameterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParameterError::Width { width } => {
                write!(f, "width {width} is not a fax width (1728, 2048 or 2432)")
            }
            ParameterError::DateTime { value } => {
                write!(f, "date/time {value:?} is not \"YYYY:MM:DD HH:MM:SS\"")
            }
            ParameterError::Software => f.write_str("software name contains a nul byte"),
            ParameterError::PageCount { declared, added } => {
                write!(f, "{added} pages added but total_pages is {declared}")
            }
            ParameterError::NoPages => f.write_str("no page added"),
            ParameterError::TooLarge => f.write_str("file would exceed 4 GiB"),
            ParameterError::EmptyPage => f.write_str("page has zero width or height"),
        }
    }
}

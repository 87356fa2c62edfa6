//! CCITT fax coding and TIFF Class F for faxprep (stage 4 of 6).
//!
//! # TIFF Class F
//! [`tiff`] wraps the coded pages in TIFF Class F (RFC 2306), the file fax
//! servers and fax modems exchange, and reads such files back.
//! [`tiff::TiffWriter`] takes pages one at a time (a 300-page fax never
//! holds 300 bitmaps) and writes one strip per page, NewSubfileType 2,
//! Photometric 0, 204 x 98/196/391 dpi, T4Options/T6Options, PageNumber,
//! Software and (only when given) DateTime, little-endian with
//! word-aligned, sorted directories; [`tiff::write_tiff_f`] does it for a
//! slice. G4 strips are byte for byte libtiff's. [`tiff::read_tiff`] and
//! [`tiff::decode_tiff`] read Class F and most other bilevel fax TIFFs (both
//! byte orders, FillOrder 1 and 2, G3 1-D/2-D, G4, uncompressed, several
//! strips a page) under [`tiff::ReadLimits`], checking every offset and
//! count first; [`tiff::validate_class_f`] lists what keeps a file from
//! being Class F. The directory code is written by hand (about 150 lines)
//! rather than with the `tiff` crate, for exact control of the bytes and
//! PageNumber totals patched at the end; see the module docs.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod ccitt;
pub mod tiff;

pub use ccitt::{Compression, DecodeOptions, EncodeOptions, decode, decode_lenient, encode};
pub use tiff::{
    ReadLimits, TiffOptions, TiffWriter, decode_tiff, read_tiff, validate_class_f, write_tiff_f,
};

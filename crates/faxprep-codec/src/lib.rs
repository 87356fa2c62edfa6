//! CCITT fax coding and TIFF Class F for faxprep (stage 4 of 6).
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod ccitt;
pub mod tiff;

pub use ccitt::{Compression, DecodeOptions, EncodeOptions, decode, decode_lenient, encode};

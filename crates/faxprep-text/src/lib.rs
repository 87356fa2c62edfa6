//! Text for the pages faxprep draws itself (shared by stages 1 and 5):
//! the bundled fonts, shaping to glyphs, Unicode line breaking, fitting
//! and ellipsis truncation, and glyph outlines to 1-bit spans at a fax
//! resolution.
//!
//! Three places set text, and they all set it here, so that a value looks
//! and breaks the same wherever it is printed:
//! - `faxprep-cover` lays out the cover sheet and the identification line
//!   (the header band on every page) with [`text::Text`] and
//!   [`text::fit`], and draws them with [`raster::rasterize_glyph`];
//! - `faxprep-intake` writes the appearance streams of form values a PDF
//!   leaves to the viewer, breaking multi-line values with the same
//!   [`text::Text::wrap`] (the PDF renderer then draws those glyphs).
//!
//! Widths are in em: the caller multiplies by the size in points. Text is
//! NFC-normalised, mapped to DejaVu Sans glyphs (regular and bold) with a
//! visible replacement glyph for characters the font lacks, kerned with
//! the font's `kern` table, broken at UAX #14 opportunities (a word wider
//! than the line by character, preferably after its punctuation), and
//! right-to-left runs are mirrored ([`bidi`]). Full bidirectional
//! reordering, Arabic joining and CJK glyphs are out of scope.
//!
//! ```
//! use faxprep_text::{FontStyle, text::Text};
//!
//! let t = Text::new("Dr. Ana Müller, 2nd floor", FontStyle::Regular, false);
//! let lines = t.wrap(8.0, 4).expect("fits in four lines");
//! assert!(lines.len() > 1);
//! assert!(lines.iter().all(|l| t.line_width(*l) <= 8.0));
//! ```
//!
//! Every size is bounded: a glyph bitmap is at most 1024 pixels a side,
//! wrapping stops after the caller's line limit, and reported missing
//! characters are capped.
//!
//! # Dependencies
//! - `faxprep-page`: the fax resolutions glyphs are rasterized at.
//! - `dejavu`: the DejaVu Sans fonts (free licence) compiled in, so pages
//!   look the same everywhere without system fonts.
//! - `ttf-parser`: glyph outlines, metrics and the `kern` table; safe, no
//!   allocation while parsing.
//! - `unicode-linebreak`: UAX #14 line-break opportunities.
//! - `unicode-normalization`: NFC, so that a letter with a combining accent
//!   uses the font's precomposed glyph.
//!
//! # Cargo features
//! None.
//!
//! # Safety
//! Unsafe code is forbidden.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod bidi;
pub mod font;
pub mod raster;
pub mod text;

pub use font::FontStyle;

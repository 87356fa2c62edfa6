//! Generated fax cover sheets for faxprep (stage 5: form fields to a cover
//! page).
//!
//! Takes the request's form fields ([`CoverFields`]: recipient, sender,
//! subject, note, the caller's date and the page count) and
//! [`CoverOptions`] (resolution, paper, and on the free plan a [`Brand`])
//! and makes a [`BitPage`] (from `faxprep-page`) that the umbrella crate
//! `faxprep` puts in front of the document pages before `faxprep-codec`
//! encodes them. It works in two steps so that the design can be tested
//! without pixels:
//!
//! 1. [`layout`] is a pure function to a [`Layout`]: positioned glyphs,
//!    rules and the logo in points, plus [`Warning`]s for text it could not
//!    show as given (characters the font lacks, text cut with an ellipsis).
//! 2. [`draw`] rasterizes the layout at a fax resolution: glyph outlines
//!    are scaled to the non-square fax pixels (204 dpi across, 98, 196 or
//!    391 down), rendered with exact area coverage and thresholded so that
//!    stems stay solid, without gray anywhere.
//!
//! [`render_cover`] does both after checking the fields.
//!
//! The same crate sets the identification line that can go across every
//! page of a fax ([`header`]: a template of fields, laid out in a band
//! 5.2 mm high and drawn at the fax's resolution).
//!
//! Text is set in DejaVu Sans (regular and bold) with the font's kerning,
//! wrapped at Unicode line-break opportunities (UAX #14); a word wider than
//! its column (an email address, a URL) is broken by character, preferably
//! after its punctuation. The note
//! steps down from 12 pt to 9 pt to fit its box; subject and names are cut
//! with an ellipsis only when they do not fit at their smallest size.
//!
//! Out of scope: reading the clock (the date is the caller's), validating
//! the fields (intake does; blank optional fields are simply left out), and
//! full bidirectional reordering or shaping: right-to-left runs (Hebrew,
//! Arabic) are mirrored but Arabic letters are not joined, and scripts
//! without glyphs in DejaVu (CJK) are drawn as U+FFFD with a warning,
//! without disturbing the rest of the page.
//!
//! ```
//! use faxprep_cover::{CoverDate, CoverFields, CoverOptions, render_cover};
//!
//! let fields = CoverFields {
//!     recipient_name: Some("Dr. Ana Müller".into()),
//!     recipient_number: "+1 555 0100".into(),
//!     sender_name: "Sam Sender".into(),
//!     sender_company: None,
//!     sender_email: "sam@example.com".into(),
//!     sender_phone: None,
//!     subject: Some("Lab results".into()),
//!     note: None,
//!     date: CoverDate { year: 2026, month: 11, day: 28, hour: 14, minute: 5,
//!                       utc_offset_minutes: -300, zone: None },
//!     total_pages: 3,
//! };
//! let (page, warnings) = render_cover(&fields, &CoverOptions::default())?;
//! assert_eq!((page.width(), page.height()), (1728, 2156));
//! assert!(warnings.is_empty());
//! # Ok::<(), faxprep_cover::Error>(())
//! ```
//!
//! # Dependencies
//! - `faxprep-text`: the fonts, shaping, line breaking, fitting and glyph
//!   rasterizing shared with intake's drawing of form values, so text
//!   breaks and looks the same wherever faxprep sets it.
//! - `ttf-parser`: glyph ids and ink bounds of the placed glyphs.
//! - `image` (png only): decodes the brand logo, with size limits.
//!
//! # Cargo features
//! None.
//!
//! # Safety
//! Unsafe code is forbidden.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod design;
mod draw;
mod fields;
pub mod header;
mod layout;
mod logo;

pub use design::layout;
pub use draw::draw;
pub use faxprep_text::FontStyle;
pub use fields::{Brand, CoverDate, CoverFields, CoverOptions, Field, LogoProblem, Warning};
pub use header::{
    HeaderBand, HeaderField, HeaderLine, HeaderPosition, HeaderTemplate, HeaderValues,
    TemplateError, band_rows, draw_header, header_layout, stamp_header,
};
pub use layout::{Item, Layout, PAGE_WIDTH_PT, PlacedGlyph, PlacedLogo, Rect};
pub use logo::{LogoImage, MAX_LOGO_BYTES, MAX_LOGO_SIDE};

use faxprep_page::BitPage;

/// The smallest margins the layout keeps, in points: (sides, top,
/// bottom). The top leaves room for the header line the sending machine
/// prints.
pub const MARGINS_PT: (f32, f32, f32) =
    (design::MARGIN_X, design::MARGIN_TOP, design::MARGIN_BOTTOM);

/// Why a cover could not be made. Every variant is a caller bug: intake
/// validates the fields before they get here.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// A required field (recipient number, sender name, sender email) is
    /// blank.
    MissingField {
        /// Which one.
        field: Field,
    },
    /// The date is not a real date and time, or its offset is beyond ±18 h.
    InvalidDate {
        /// The date as given.
        date: CoverDate,
    },
    /// `total_pages` is 0 (it counts the cover itself).
    InvalidPageCount {
        /// The count given.
        total_pages: u32,
    },
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::MissingField { field } => write!(f, "cover field {field} is blank"),
            Error::InvalidDate { date } => write!(f, "invalid cover date {date}"),
            Error::InvalidPageCount { total_pages } => {
                write!(
                    f,
                    "invalid page count {total_pages} (the cover counts as one)"
                )
            }
        }
    }
}

impl std::error::Error for Error {}

/// Result with this crate's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;

/// Check the fields, lay out the cover and draw it at `opts.resolution`.
/// The warnings say what could not be shown exactly as given.
pub fn render_cover(fields: &CoverFields, opts: &CoverOptions) -> Result<(BitPage, Vec<Warning>)> {
    for (field, value) in [
        (Field::RecipientNumber, &fields.recipient_number),
        (Field::SenderName, &fields.sender_name),
        (Field::SenderEmail, &fields.sender_email),
    ] {
        if value.trim().is_empty() {
            return Err(Error::MissingField { field });
        }
    }
    if !fields.date.is_valid() {
        return Err(Error::InvalidDate {
            date: fields.date.clone(),
        });
    }
    if fields.total_pages == 0 {
        return Err(Error::InvalidPageCount { total_pages: 0 });
    }
    let layout = layout(fields, opts);
    let page = draw(&layout, opts.resolution);
    Ok((page, layout.warnings))
}

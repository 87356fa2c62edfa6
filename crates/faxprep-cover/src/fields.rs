//! What the caller gives: form fields, the date, the brand and page options,
//! and what the layout reports back (warnings).

use faxprep_page::{Paper, Resolution};

/// The form fields printed on the cover, as intake validated them (control
/// characters removed, lengths within the API limits). Optional fields that
/// are `None` or blank leave no label behind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoverFields {
    /// Who the fax is for.
    pub recipient_name: Option<String>,
    /// The recipient's fax number as the sender typed it.
    pub recipient_number: String,
    /// Who sends it.
    pub sender_name: String,
    /// The sender's company (API limit 100 characters).
    pub sender_company: Option<String>,
    /// The sender's email address.
    pub sender_email: String,
    /// The sender's phone number.
    pub sender_phone: Option<String>,
    /// Printed as "RE: ..." (API limit 200 characters).
    pub subject: Option<String>,
    /// The cover note (API limit 500 characters); `\n` starts a new line.
    pub note: Option<String>,
    /// When the fax was sent, in the sender's time zone.
    pub date: CoverDate,
    /// Pages of the whole fax, this cover included (at least 1).
    pub total_pages: u32,
}

/// A local date and time with its UTC offset, given by the caller (the
/// library never reads the clock). Displays as
/// `28 November 2026, 14:05 (UTC-05:00)`, or with the zone name as
/// `28 November 2026, 14:05 (EST, UTC-05:00)`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CoverDate {
    /// Year, e.g. 2026.
    pub year: i32,
    /// Month, 1 to 12.
    pub month: u8,
    /// Day of the month, 1 to 31.
    pub day: u8,
    /// Hour, 0 to 23.
    pub hour: u8,
    /// Minute, 0 to 59.
    pub minute: u8,
    /// Offset of the local time from UTC in minutes (-05:00 is -300).
    pub utc_offset_minutes: i32,
    /// A zone name to show beside the offset ("EST", "Europe/Paris").
    pub zone: Option<String>,
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

impl CoverDate {
    /// Whether every component is in range: a real calendar day (leap years
    /// included), a time of day, and an offset within ±18 hours (the range
    /// ISO 8601 and every zone database allow).
    pub fn is_valid(&self) -> bool {
        let leap = self.year % 4 == 0 && (self.year % 100 != 0 || self.year % 400 == 0);
        let days = match self.month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return false,
        };
        (1..=days).contains(&self.day)
            && self.hour < 24
            && self.minute < 60
            && self.utc_offset_minutes.unsigned_abs() <= 18 * 60
            && (0..=9999).contains(&self.year)
    }
}

impl std::fmt::Display for CoverDate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let month = usize::from(self.month)
            .checked_sub(1)
            .and_then(|m| MONTHS.get(m))
            .copied()
            .unwrap_or("?");
        write!(
            f,
            "{} {month} {}, {:02}:{:02} (",
            self.day, self.year, self.hour, self.minute
        )?;
        if let Some(zone) = self
            .zone
            .as_deref()
            .map(str::trim)
            .filter(|z| !z.is_empty())
        {
            write!(f, "{zone}, ")?;
        }
        let sign = if self.utc_offset_minutes < 0 {
            '-'
        } else {
            '+'
        };
        let abs = self.utc_offset_minutes.unsigned_abs();
        write!(f, "UTC{sign}{:02}:{:02})", abs / 60, abs % 60)
    }
}

/// The service's brand printed on free-plan covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Brand {
    /// The service's name, printed large at the top right.
    pub name: String,
    /// A short line under the name ("Sent free with ...").
    pub line: String,
    /// An optional logo as PNG bytes (at most [`crate::MAX_LOGO_BYTES`] and
    /// [`crate::MAX_LOGO_SIDE`] pixels a side; otherwise it is left out with
    /// [`Warning::LogoIgnored`]).
    pub logo_png: Option<Vec<u8>>,
}

/// How to lay out and draw the cover.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CoverOptions {
    /// The fax resolution the page is drawn at ([`crate::render_cover`]).
    pub resolution: Resolution,
    /// The paper the page is sized for.
    pub paper: Paper,
    /// `Some` on the free plan (the umbrella passes it; the cover cannot be
    /// unbranded then), `None` on paid plans.
    pub brand: Option<Brand>,
}

/// Which piece of text a glyph or warning belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Field {
    /// [`CoverFields::recipient_name`].
    RecipientName,
    /// [`CoverFields::recipient_number`].
    RecipientNumber,
    /// [`CoverFields::sender_name`].
    SenderName,
    /// [`CoverFields::sender_company`].
    SenderCompany,
    /// [`CoverFields::sender_email`].
    SenderEmail,
    /// [`CoverFields::sender_phone`].
    SenderPhone,
    /// [`CoverFields::subject`].
    Subject,
    /// [`CoverFields::note`].
    Note,
    /// [`CoverFields::date`], as displayed.
    Date,
    /// The "N pages including this cover" line.
    PageCount,
    /// [`Brand::name`].
    BrandName,
    /// [`Brand::line`].
    BrandLine,
    /// The identification line on every page ([`crate::HeaderLine`]).
    HeaderLine,
}

impl Field {
    /// Lower-case name for messages.
    pub const fn name(self) -> &'static str {
        match self {
            Field::RecipientName => "recipient name",
            Field::RecipientNumber => "recipient number",
            Field::SenderName => "sender name",
            Field::SenderCompany => "sender company",
            Field::SenderEmail => "sender email",
            Field::SenderPhone => "sender phone",
            Field::Subject => "subject",
            Field::Note => "note",
            Field::Date => "date",
            Field::PageCount => "page count",
            Field::BrandName => "brand name",
            Field::BrandLine => "brand line",
            Field::HeaderLine => "header line",
        }
    }
}

impl std::fmt::Display for Field {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Something the cover could not show exactly as given. The cover is still
/// made; the umbrella passes these on to the API caller.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Warning {
    /// The font lacks these characters (distinct, in order of first use, at
    /// most 32 listed); each was drawn as a visible replacement (U+FFFD).
    CharactersReplaced {
        /// The field they are in.
        field: Field,
        /// The characters.
        chars: Vec<char>,
    },
    /// The text did not fit even at the smallest size and was cut, ending
    /// with an ellipsis.
    Truncated {
        /// The field that was cut.
        field: Field,
    },
    /// The note's line breaks were replaced by spaces so that it fits.
    LineBreaksJoined {
        /// The field (the note).
        field: Field,
    },
    /// The brand logo was left out.
    LogoIgnored {
        /// Why.
        reason: LogoProblem,
    },
}

/// Why a brand logo was left out.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum LogoProblem {
    /// The bytes are not a PNG (no PNG signature).
    NotPng,
    /// More than [`crate::MAX_LOGO_BYTES`] bytes.
    TooManyBytes {
        /// Length of the PNG.
        bytes: usize,
    },
    /// Wider or taller than [`crate::MAX_LOGO_SIDE`], or empty.
    BadDimensions {
        /// Width in pixels.
        width: u32,
        /// Height in pixels.
        height: u32,
    },
    /// The PNG decoder failed.
    Decode {
        /// The decoder's message.
        message: String,
    },
    /// The logo has no dark pixel after thresholding: it would print blank.
    Blank,
    /// The brand name and line leave no room beside them for the logo.
    NoRoom,
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Warning::CharactersReplaced { field, chars } => {
                write!(f, "{field}: the font lacks {} character(s) ", chars.len())?;
                for c in chars {
                    write!(f, "U+{:04X} ", u32::from(*c))?;
                }
                f.write_str("(drawn as \u{FFFD})")
            }
            Warning::Truncated { field } => write!(f, "{field}: too long, cut with an ellipsis"),
            Warning::LineBreaksJoined { field } => {
                write!(f, "{field}: line breaks replaced by spaces to fit")
            }
            Warning::LogoIgnored { reason } => write!(f, "brand logo left out: {reason}"),
        }
    }
}

impl std::fmt::Display for LogoProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LogoProblem::NotPng => f.write_str("not a png"),
            LogoProblem::TooManyBytes { bytes } => write!(f, "{bytes} bytes is too large"),
            LogoProblem::BadDimensions { width, height } => {
                write!(f, "{width} x {height} pixels is empty or too large")
            }
            LogoProblem::Decode { message } => write!(f, "png decoding failed: {message}"),
            LogoProblem::Blank => f.write_str("no dark pixel"),
            LogoProblem::NoRoom => f.write_str("no room beside the brand name"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(zone: Option<&str>, offset: i32) -> CoverDate {
        CoverDate {
            year: 2026,
            month: 11,
            day: 28,
            hour: 14,
            minute: 5,
            utc_offset_minutes: offset,
            zone: zone.map(str::to_string),
        }
    }

    #[test]
    fn date_formats() {
        assert_eq!(
            date(None, -300).to_string(),
            "28 November 2026, 14:05 (UTC-05:00)"
        );
        assert_eq!(
            date(Some("EST"), -300).to_string(),
            "28 November 2026, 14:05 (EST, UTC-05:00)"
        );
        assert_eq!(
            date(Some(" "), 330).to_string(),
            "28 November 2026, 14:05 (UTC+05:30)"
        );
        let bad = CoverDate {
            month: 13,
            utc_offset_minutes: i32::MIN,
            ..date(None, 0)
        };
        assert!(!bad.is_valid());
        assert!(bad.to_string().contains('?'));
    }

    #[test]
    fn date_validity() {
        assert!(date(None, 0).is_valid());
        assert!(
            CoverDate {
                month: 2,
                day: 29,
                year: 2024,
                ..date(None, 0)
            }
            .is_valid()
        );
        assert!(
            !CoverDate {
                month: 2,
                day: 29,
                year: 2026,
                ..date(None, 0)
            }
            .is_valid()
        );
        assert!(
            !CoverDate {
                month: 2,
                day: 29,
                year: 1900,
                ..date(None, 0)
            }
            .is_valid()
        );
        assert!(
            !CoverDate {
                hour: 24,
                ..date(None, 0)
            }
            .is_valid()
        );
        assert!(!date(None, 19 * 60).is_valid());
    }
}

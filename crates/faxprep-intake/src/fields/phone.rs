//! The fax number: NANP destinations in the 50 US states and Canada only.
//!
//! Input shapes are normalised by hand (digits, an optional leading `+`,
//! and the separators people type), so that what is accepted is exactly
//! documented; libphonenumber's metadata (the `phonenumber` crate) then
//! says whether the number is valid, which region its area code belongs
//! to (US and CA share +1 with 23 other countries and territories) and
//! whether it is premium rate. Only the +1 regions are loaded, their
//! patterns without layout and with `[0-9]` for `\d`, and of the regions
//! other than US and CA only what names the region (see `build.rs`):
//! the full database costs about 60 ms of CPU on first use, which every
//! CLI run and each worker would pay, and these regions about 2.5 ms, loading
//! and first validation together. What reaches `phonenumber` is `+1` and
//! ten ASCII digits.

use crate::error::FieldError;
use phonenumber::country::Id;
use phonenumber::metadata::{Database, loader};
use phonenumber::{PhoneNumber, Type};
use std::sync::LazyLock;

/// libphonenumber's metadata for the regions of country code 1, written
/// by `build.rs` from the `phonenumber` crate's database.
static NANP: LazyLock<Database> = LazyLock::new(|| {
    let json = include_str!(concat!(env!("OUT_DIR"), "/nanp-metadata.json"));
    serde_json::from_str::<Vec<loader::Metadata>>(json)
        .ok()
        .and_then(|regions| Database::from(regions).ok())
        // Not reached (the file is written from a database that loads);
        // the full database answers the same.
        .unwrap_or_else(|| phonenumber::metadata::DATABASE.clone())
});

/// The number's region in `db`.
fn region(number: &PhoneNumber, db: &Database) -> Option<Id> {
    number.metadata(db).and_then(|m| m.id().parse().ok())
}

/// The form field name.
pub(crate) const FIELD: &str = "recipientNumber";

/// Longest input accepted before any parsing, in characters.
pub(crate) const MAX_INPUT_CHARS: usize = 32;

/// The message the API uses for every destination outside the US and
/// Canada (fixed by the product).
pub const OTHER_DESTINATIONS: &str = "Other destination countries are not currently available.";

const HINT_SHAPE: &str = "Enter a 10-digit US or Canadian fax number with area code, e.g. (212) 555-1234 or +1 212 555 1234.";
const HINT_DESTINATION: &str =
    "Faxes can be sent to the United States (50 states) and Canada only.";

/// A normalised recipient number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Recipient {
    /// E.164, `+12125551234`.
    pub e164: String,
    /// National format, `(212) 555-1234`.
    pub national: String,
}

fn shape_error(message: &str) -> FieldError {
    FieldError::new(FIELD, message, HINT_SHAPE)
}

fn destination_error(hint: &str) -> FieldError {
    FieldError::new(FIELD, OTHER_DESTINATIONS, hint)
}

/// Validate and normalise a recipient fax number.
pub(crate) fn validate(raw: &str) -> Result<Recipient, FieldError> {
    validate_in(raw, &NANP)
}

/// [`validate`] against the metadata in `db`.
fn validate_in(raw: &str, db: &Database) -> Result<Recipient, FieldError> {
    let input = raw.trim();
    if input.is_empty() {
        return Err(shape_error("Enter the recipient's fax number."));
    }
    if input.chars().count() > MAX_INPUT_CHARS {
        return Err(shape_error("The fax number is too long."));
    }
    // Accepted characters: digits, one leading '+', and separators.
    let mut digits = String::with_capacity(16);
    let mut plus = false;
    for (i, c) in input.chars().enumerate() {
        match c {
            '0'..='9' => digits.push(c),
            '+' if i == 0 => plus = true,
            ' ' | '-' | '.' | '(' | ')' | '/' | '\u{a0}' => {}
            _ if c.is_alphabetic() => {
                return Err(shape_error(
                    "Use digits only for the fax number (no letters or extensions).",
                ));
            }
            _ => {
                return Err(shape_error(
                    "The fax number contains characters that are not allowed.",
                ));
            }
        }
    }
    // "011" is the NANP international call prefix: the number is abroad.
    let national = if plus {
        match digits.strip_prefix('1') {
            Some(rest) => rest.to_owned(),
            None if digits.is_empty() => {
                return Err(shape_error("Enter the recipient's fax number."));
            }
            None => return Err(destination_error(HINT_DESTINATION)),
        }
    } else if digits.starts_with("011") {
        return Err(destination_error(HINT_DESTINATION));
    } else if digits.len() == 11 && digits.starts_with('1') {
        digits[1..].to_owned()
    } else {
        digits
    };
    if national.len() != 10 {
        return Err(shape_error(if national.len() < 10 {
            "The fax number is too short: include the area code."
        } else {
            "The fax number has too many digits."
        }));
    }
    let number: PhoneNumber = phonenumber::parse_with(db, None, format!("+1{national}"))
        .map_err(|_| shape_error("This is not a valid US or Canadian fax number."))?;
    // The region first: a Bahamas or Guam number is "elsewhere" even when
    // its exchange is unassigned (the area code alone says where it is).
    match region(&number, db) {
        Some(Id::US | Id::CA) | None => {}
        Some(_) => return Err(destination_error(HINT_DESTINATION)),
    }
    if !number.is_valid_with(db) {
        return Err(shape_error(
            "This is not a valid US or Canadian fax number.",
        ));
    }
    match number.number_type(db) {
        Type::PremiumRate => {
            return Err(destination_error(
                "Premium-rate (900) numbers cannot receive faxes through this service.",
            ));
        }
        Type::FixedLine | Type::Mobile | Type::FixedLineOrMobile | Type::TollFree | Type::Voip => {}
        _ => return Err(destination_error(HINT_DESTINATION)),
    }
    // Valid numbers always have a region; toll-free numbers, shared by the
    // whole NANP, are filed under US by libphonenumber.
    if !matches!(region(&number, db), Some(Id::US | Id::CA)) {
        return Err(destination_error(HINT_DESTINATION));
    }
    Ok(Recipient {
        // E.164 is "+", the country code and the national number, as
        // phonenumber's formatter writes it; its `Display` is not used
        // because it loads the full database whatever database it is given.
        e164: format!("+{}{}", number.country().code(), number.national()),
        national: format!(
            "({}) {}-{}",
            &national[..3],
            &national[3..6],
            &national[6..]
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_table() {
        // Numbers chosen to be valid in libphonenumber's metadata.
        let cases: &[(&str, Result<&str, &str>)] = &[
            ("(212) 555-1234", Ok("+12125551234")),
            ("+1 416 555 0123", Ok("+14165550123")),
            ("+1 876 555 1234", Err(OTHER_DESTINATIONS)),
        ];
        for (input, want) in cases {
            let got = validate(input).map(|r| r.e164).map_err(|e| e.message);
            match want {
                Ok(e) => assert_eq!(got.as_deref(), Ok(*e), "{input}"),
                Err(m) => assert_eq!(got.unwrap_err(), *m, "{input}"),
            }
        }
    }

    /// The +1 regions alone answer as libphonenumber's full database does
    /// (the crate's own, loaded from its XML): the same accepted numbers,
    /// E.164 forms and errors, over every area code 200-999 with exchanges
    /// and lines that are valid, unassigned, premium and toll-free (and
    /// exchanges beginning with 1, where a region's leading digits run
    /// past the area code: the Dominican Republic's 8001).
    #[test]
    fn the_nanp_regions_answer_as_the_full_database() {
        let full = &*phonenumber::metadata::DATABASE;
        let (mut same, mut accepted) = (0, 0);
        for npa in 200..1000 {
            for rest in [
                "5551234", "2345678", "9876543", "0123456", "4561111", "3013113", "1234567",
            ] {
                let raw = format!("{npa}{rest}");
                let ours = validate_in(&raw, &NANP);
                let theirs = validate_in(&raw, full);
                assert_eq!(ours, theirs, "{raw}");
                same += 1;
                accepted += usize::from(ours.is_ok());
            }
        }
        // Both answers occur in numbers, not only refusals.
        assert_eq!(same, 5600);
        assert!(accepted > 1000 && accepted < 4000, "{accepted} accepted");
    }
}

//! The fax number: NANP destinations in the 50 US states and Canada only.
//!
//! Input shapes are normalised by hand (digits, an optional leading `+`,
//! and the separators people type), so that what is accepted is exactly
//! documented; libphonenumber's metadata (the `phonenumber` crate) then
//! says whether the number is valid, which region its area code belongs
//! to (US and CA share +1 with 23 other countries and territories) and
//! whether it is premium rate.

use crate::error::FieldError;
use phonenumber::country::Id;
use phonenumber::{Mode, PhoneNumber, Type};

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
    let number: PhoneNumber = phonenumber::parse(None, format!("+1{national}"))
        .map_err(|_| shape_error("This is not a valid US or Canadian fax number."))?;
    // The region first: a Bahamas or Guam number is "elsewhere" even when
    // its exchange is unassigned (the area code alone says where it is).
    match number.country().id() {
        Some(Id::US | Id::CA) | None => {}
        Some(_) => return Err(destination_error(HINT_DESTINATION)),
    }
    if !number.is_valid() {
        return Err(shape_error(
            "This is not a valid US or Canadian fax number.",
        ));
    }
    match number.number_type(&phonenumber::metadata::DATABASE) {
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
    if !matches!(number.country().id(), Some(Id::US | Id::CA)) {
        return Err(destination_error(HINT_DESTINATION));
    }
    Ok(Recipient {
        e164: number.format().mode(Mode::E164).to_string(),
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
}

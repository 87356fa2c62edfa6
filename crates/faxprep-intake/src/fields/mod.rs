//! The form fields of a fax request: raw strings in, typed values out,
//! every rejection reported at once.

mod phone;
mod text;

use crate::Result;
use crate::error::{Error, FieldError};
use crate::limits::Plan;
use serde::Deserialize;
use text::{Lines, clean};

pub use phone::OTHER_DESTINATIONS;

/// Most characters (Unicode scalar values, after NFC) of each text field.
pub mod max_chars {
    /// `senderName`: room for a full name with titles.
    pub const SENDER_NAME: usize = 100;
    /// `recipientName`.
    pub const RECIPIENT_NAME: usize = 100;
    /// `senderEmail`: the longest forward path SMTP allows (RFC 5321
    /// §4.5.3.1.3, 256 octets including the angle brackets).
    pub const SENDER_EMAIL: usize = 254;
    /// `subject` (fixed by the API).
    pub const SUBJECT: usize = 200;
    /// `coverNote` (fixed by the API).
    pub const COVER_NOTE: usize = 500;
    /// `senderCompany` (fixed by the API).
    pub const SENDER_COMPANY: usize = 100;
    /// `senderPhone`: a formatted international number with extension.
    pub const SENDER_PHONE: usize = 32;
    /// `recipientNumber` as typed, before normalisation.
    pub const RECIPIENT_NUMBER: usize = super::phone::MAX_INPUT_CHARS;
}

/// The form fields exactly as they arrive in the multipart form (every
/// value a string, every one optional at this point). Deserializes from
/// the API's camelCase names.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct FormFields {
    /// Fax number to send to (required).
    pub recipient_number: Option<String>,
    /// Sender's name (required).
    pub sender_name: Option<String>,
    /// Sender's email for the delivery receipt (required).
    pub sender_email: Option<String>,
    /// "true"/"false": email the sender a receipt (default true).
    pub send_email: Option<String>,
    /// "true"/"false": add a cover page (default false; always true on the
    /// free plan).
    pub include_cover: Option<String>,
    /// Cover page note, up to 500 characters, may span lines.
    pub cover_note: Option<String>,
    /// Recipient's name for the cover page.
    pub recipient_name: Option<String>,
    /// Subject for the cover page, up to 200 characters.
    pub subject: Option<String>,
    /// Sender's company for the cover page, up to 100 characters.
    pub sender_company: Option<String>,
    /// Sender's phone for the cover page (any country, free format).
    pub sender_phone: Option<String>,
}

/// Validated, normalised fields (all text NFC, trimmed; blank optional
/// fields are `None`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ValidFields {
    /// E.164, e.g. "+12125551234": echo this back to the user.
    pub recipient_number: String,
    /// National format, e.g. "(212) 555-1234", for the cover page.
    pub recipient_number_national: String,
    /// Sender's name.
    pub sender_name: String,
    /// Sender's email address, as typed (trimmed).
    pub sender_email: String,
    /// Whether to email the sender a receipt.
    pub send_email: bool,
    /// Whether to add a cover page (always true on the free plan).
    pub include_cover: bool,
    /// Cover note; lines separated by "\n".
    pub cover_note: Option<String>,
    /// Recipient's name.
    pub recipient_name: Option<String>,
    /// Subject.
    pub subject: Option<String>,
    /// Sender's company.
    pub sender_company: Option<String>,
    /// Sender's phone, as typed (trimmed, NFC).
    pub sender_phone: Option<String>,
}

/// Whether the fax carries a cover page, as [`validate_fields`] decides
/// it (`includeCover=true`, or the free plan), from that one field: known
/// at once, while the other checks (the phone number's metadata takes
/// tens of milliseconds to load in a new process) may still run. `None`
/// when `includeCover` is not a boolean, which [`validate_fields`]
/// rejects.
pub fn wants_cover(fields: &FormFields, plan: Plan) -> Option<bool> {
    let asked = boolean("includeCover", fields.include_cover.as_deref()).ok()?;
    Some(plan == Plan::Free || asked.unwrap_or(false))
}

/// Validate every field; on failure the error lists all bad fields, in
/// form order.
pub fn validate_fields(fields: &FormFields, plan: Plan) -> Result<ValidFields> {
    let mut errors = Errors(Vec::new());
    let text = |field, label, raw: &Option<String>, max, lines| {
        clean(field, label, raw.as_deref(), max, lines)
    };

    let recipient = errors.take(
        fields
            .recipient_number
            .as_deref()
            .ok_or_else(|| required("recipientNumber", "recipient's fax number"))
            .and_then(phone::validate),
    );
    let sender_name = errors.take(
        text(
            "senderName",
            "sender name",
            &fields.sender_name,
            max_chars::SENDER_NAME,
            Lines::Single,
        )
        .and_then(|n| n.ok_or_else(|| required("senderName", "sender name"))),
    );
    let sender_email = errors.take(email(fields.sender_email.as_deref()));
    let send_email = errors.take(boolean("sendEmail", fields.send_email.as_deref()));
    let include_cover = errors.take(boolean("includeCover", fields.include_cover.as_deref()));
    let cover_note = errors.take(text(
        "coverNote",
        "cover note",
        &fields.cover_note,
        max_chars::COVER_NOTE,
        Lines::Multi,
    ));
    let recipient_name = errors.take(text(
        "recipientName",
        "recipient name",
        &fields.recipient_name,
        max_chars::RECIPIENT_NAME,
        Lines::Single,
    ));
    let subject = errors.take(text(
        "subject",
        "subject",
        &fields.subject,
        max_chars::SUBJECT,
        Lines::Single,
    ));
    let sender_company = errors.take(text(
        "senderCompany",
        "company name",
        &fields.sender_company,
        max_chars::SENDER_COMPANY,
        Lines::Single,
    ));
    let sender_phone = errors.take(sender_phone_field(fields.sender_phone.as_deref()));

    if !errors.0.is_empty() {
        return Err(Error::Fields(errors.0));
    }
    match (recipient, sender_name, sender_email) {
        (Some(recipient), Some(sender_name), Some(sender_email)) => Ok(ValidFields {
            recipient_number: recipient.e164,
            recipient_number_national: recipient.national,
            sender_name,
            sender_email,
            send_email: send_email.flatten().unwrap_or(true),
            include_cover: plan == Plan::Free || include_cover.flatten().unwrap_or(false),
            cover_note: cover_note.flatten(),
            recipient_name: recipient_name.flatten(),
            subject: subject.flatten(),
            sender_company: sender_company.flatten(),
            sender_phone: sender_phone.flatten(),
        }),
        // Unreachable: a missing required value always records an error.
        _ => Err(Error::Fields(errors.0)),
    }
}

/// Collects field errors while validation goes on.
struct Errors(Vec<FieldError>);

impl Errors {
    fn take<T>(&mut self, r: std::result::Result<T, FieldError>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.0.push(e);
                None
            }
        }
    }
}

fn required(field: &'static str, label: &str) -> FieldError {
    FieldError::new(
        field,
        format!("The {label} is required."),
        format!("Fill in the {label}."),
    )
}

/// "true" / "false", any case, surrounding spaces ignored; blank means
/// the default.
fn boolean(
    field: &'static str,
    raw: Option<&str>,
) -> std::result::Result<Option<bool>, FieldError> {
    let Some(raw) = raw.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    if raw.eq_ignore_ascii_case("true") {
        Ok(Some(true))
    } else if raw.eq_ignore_ascii_case("false") {
        Ok(Some(false))
    } else {
        Err(FieldError::new(
            field,
            format!("{field} must be true or false."),
            format!("Send {field}=true or {field}=false."),
        ))
    }
}

fn email(raw: Option<&str>) -> std::result::Result<String, FieldError> {
    const FIELD: &str = "senderEmail";
    let text = clean(
        FIELD,
        "email address",
        raw,
        max_chars::SENDER_EMAIL,
        Lines::Single,
    )?;
    let Some(text) = text else {
        return Err(required(FIELD, "sender email address"));
    };
    let options = email_address::Options {
        // Require a dot in the domain: "name@localhost" is not deliverable.
        minimum_sub_domains: 2,
        allow_domain_literal: false,
        allow_display_text: false,
        ..email_address::Options::default()
    };
    match email_address::EmailAddress::parse_with_options(&text, options) {
        Ok(_) => Ok(text),
        Err(_) => Err(FieldError::new(
            FIELD,
            "The email address is not valid.",
            "Enter an address like name@example.com.",
        )),
    }
}

/// The sender's phone for the cover page: any country, so only its shape
/// is checked: digits with the usual separators, 7 to 15 digits (E.164
/// allows at most 15), optionally followed by an extension ("x 123",
/// "ext. 123", at most 6 digits).
fn sender_phone_field(raw: Option<&str>) -> std::result::Result<Option<String>, FieldError> {
    const FIELD: &str = "senderPhone";
    let Some(text) = clean(
        FIELD,
        "sender phone",
        raw,
        max_chars::SENDER_PHONE,
        Lines::Single,
    )?
    else {
        return Ok(None);
    };
    let bad = || {
        FieldError::new(
            FIELD,
            "The sender phone number is not valid.",
            "Enter a phone number like +1 212 555 1234 x 12.",
        )
    };
    let lower = text.to_ascii_lowercase();
    let (main, ext) = match lower.find("ext").or_else(|| lower.find('x')) {
        Some(at) => (
            &lower[..at],
            Some(
                lower[at..]
                    .trim_start_matches("ext")
                    .trim_start_matches(['x', '.']),
            ),
        ),
        None => (lower.as_str(), None),
    };
    let main_ok = main.chars().enumerate().all(|(i, c)| {
        c.is_ascii_digit() || matches!(c, ' ' | '-' | '.' | '(' | ')' | '/') || (c == '+' && i == 0)
    });
    let digits = main.chars().filter(char::is_ascii_digit).count();
    let ext_ok = ext.is_none_or(|e| {
        let e = e.trim();
        !e.is_empty() && e.len() <= 6 && e.chars().all(|c| c.is_ascii_digit())
    });
    if main_ok && (7..=15).contains(&digits) && ext_ok {
        Ok(Some(text))
    } else {
        Err(bad())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sender_phone_shapes() {
        for ok in [
            "+1 212 555 1234",
            "(212) 555-1234 x12",
            "+44 20 7946 0958",
            "212.555.1234 ext. 5",
        ] {
            assert!(sender_phone_field(Some(ok)).is_ok(), "{ok}");
        }
        for bad in [
            "12345",
            "call me",
            "+1 212 555 1234 x",
            "212 555 1234 x1234567",
            "1+2125551234",
        ] {
            assert!(sender_phone_field(Some(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn cover_wish_agrees_with_validation() {
        for raw in [None, Some("true"), Some(" FALSE "), Some(""), Some("yes")] {
            for plan in [Plan::Free, Plan::Paid] {
                let fields = FormFields {
                    recipient_number: Some("(212) 555-1234".into()),
                    sender_name: Some("Ada".into()),
                    sender_email: Some("ada@example.com".into()),
                    include_cover: raw.map(Into::into),
                    ..FormFields::default()
                };
                let full = validate_fields(&fields, plan).ok().map(|v| v.include_cover);
                assert_eq!(wants_cover(&fields, plan), full, "{raw:?} {plan:?}");
            }
        }
    }

    #[test]
    fn booleans() {
        assert_eq!(boolean("f", Some(" TRUE ")).unwrap(), Some(true));
        assert_eq!(boolean("f", Some("False")).unwrap(), Some(false));
        assert_eq!(boolean("f", Some("")).unwrap(), None);
        assert!(boolean("f", Some("yes")).is_err());
        assert!(boolean("f", Some("1")).is_err());
    }
}

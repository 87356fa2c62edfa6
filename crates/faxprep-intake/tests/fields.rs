//! Form field rules through the public API (issue 3: "Form fields").
#![allow(clippy::unwrap_used)] // test code: a panic is a failure report

use faxprep_intake::{
    Error, FieldError, FormFields, OTHER_DESTINATIONS, Plan, ValidFields, validate_fields,
};
use proptest::prelude::*;

fn base() -> FormFields {
    FormFields {
        recipient_number: Some("(212) 555-1234".into()),
        sender_name: Some("Ana Díaz".into()),
        sender_email: Some("ana@example.com".into()),
        ..FormFields::default()
    }
}

fn with_number(n: &str) -> Result<ValidFields, Error> {
    validate_fields(
        &FormFields {
            recipient_number: Some(n.into()),
            ..base()
        },
        Plan::Paid,
    )
}

fn field_errors(r: Result<ValidFields, Error>) -> Vec<FieldError> {
    match r {
        Err(Error::Fields(f)) => f,
        other => panic!("expected field errors, got {other:?}"),
    }
}

#[derive(Debug, Clone, Copy)]
enum Want {
    /// Accepted, normalised to this E.164 number.
    Ok(&'static str),
    /// Rejected as another destination.
    Elsewhere,
    /// Rejected as malformed.
    Malformed,
}

/// The phone table: US, Canada, toll-free, Caribbean, territories,
/// premium, malformed.
const PHONE_TABLE: &[(&str, Want)] = &[
    // US, in every common shape.
    ("(212) 555-1234", Want::Ok("+12125551234")),
    ("212-555-1234", Want::Ok("+12125551234")),
    ("212.555.1234", Want::Ok("+12125551234")),
    ("2125551234", Want::Ok("+12125551234")),
    ("12125551234", Want::Ok("+12125551234")),
    ("1 (212) 555-1234", Want::Ok("+12125551234")),
    ("+1 212 555 1234", Want::Ok("+12125551234")),
    ("+12125551234", Want::Ok("+12125551234")),
    ("  +1 (212) 555-1234  ", Want::Ok("+12125551234")),
    ("+1 907 555 0123", Want::Ok("+19075550123")), // Alaska
    ("+1 808 555 0123", Want::Ok("+18085550123")), // Hawaii
    ("(415) 555-0100", Want::Ok("+14155550100")),
    // Canada.
    ("+1 416 555 0123", Want::Ok("+14165550123")), // Toronto
    ("(604) 555-0199", Want::Ok("+16045550199")),  // Vancouver
    ("514-555-0142", Want::Ok("+15145550142")),    // Montreal
    ("+1 867 555 0123", Want::Ok("+18675550123")), // Yukon/NWT/Nunavut
    // Toll-free.
    ("1-800-555-0199", Want::Ok("+18005550199")),
    ("(888) 555-0123", Want::Ok("+18885550123")),
    ("+1 877 555 0123", Want::Ok("+18775550123")),
    ("833-555-0123", Want::Ok("+18335550123")),
    // Caribbean NANP countries.
    ("+1 876 555 1234", Want::Elsewhere), // Jamaica
    ("+1 242 555 1234", Want::Elsewhere), // Bahamas
    ("+1 246 555 1234", Want::Elsewhere), // Barbados
    ("+1 809 555 1234", Want::Elsewhere), // Dominican Republic
    ("+1 868 555 1234", Want::Elsewhere), // Trinidad and Tobago
    ("+1 441 555 1234", Want::Elsewhere), // Bermuda
    // US territories.
    ("+1 787 555 1234", Want::Elsewhere), // Puerto Rico
    ("+1 939 555 1234", Want::Elsewhere), // Puerto Rico
    ("+1 671 555 1234", Want::Elsewhere), // Guam
    ("+1 340 555 1234", Want::Elsewhere), // US Virgin Islands
    ("+1 684 555 1234", Want::Elsewhere), // American Samoa
    ("+1 670 555 1234", Want::Elsewhere), // Northern Mariana Islands
    // Premium rate.
    ("+1 900 555 1234", Want::Elsewhere),
    ("1-900-555-0123", Want::Elsewhere),
    // Other countries.
    ("+44 20 7946 0958", Want::Elsewhere),
    ("011 44 20 7946 0958", Want::Elsewhere),
    ("+52 55 5555 5555", Want::Elsewhere),
    // Malformed.
    ("", Want::Malformed),
    ("555-1234", Want::Malformed),
    ("212-555-123", Want::Malformed),
    ("212-555-12345", Want::Malformed),
    ("+1 212 555 12345", Want::Malformed),
    ("1-800-FLOWERS", Want::Malformed),
    ("212 555 1234 x12", Want::Malformed),
    ("212#555#1234", Want::Malformed),
    ("++12125551234", Want::Malformed),
    ("(012) 555-1234", Want::Malformed), // area codes never start with 0
    ("(112) 555-1234", Want::Malformed), // ... or 1
    ("(212) 055-1234", Want::Malformed), // nor exchanges
    ("+", Want::Malformed),
    ("２１２５５５１２３４", Want::Malformed), // full-width digits
];

#[test]
fn phone_table() {
    let mut failures = Vec::new();
    for (input, want) in PHONE_TABLE {
        let got = with_number(input);
        let ok = match (want, &got) {
            (Want::Ok(e164), Ok(v)) => v.recipient_number == *e164,
            (Want::Elsewhere, Err(Error::Fields(f))) => {
                f.len() == 1
                    && f[0].field == "recipientNumber"
                    && f[0].message == OTHER_DESTINATIONS
            }
            (Want::Malformed, Err(Error::Fields(f))) => {
                f.len() == 1
                    && f[0].field == "recipientNumber"
                    && f[0].message != OTHER_DESTINATIONS
            }
            _ => false,
        };
        if !ok {
            failures.push(format!("{input:?}: want {want:?}, got {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn national_format_is_echoed() {
    let v = with_number("+1 416 555 0123").unwrap();
    assert_eq!(v.recipient_number_national, "(416) 555-0123");
}

#[test]
fn premium_hint_explains() {
    let f = field_errors(with_number("+1 900 555 1234"));
    assert!(f[0].hint.contains("Premium"), "{}", f[0].hint);
}

#[test]
fn every_field_error_is_reported_at_once() {
    let fields = FormFields {
        recipient_number: Some("+44 20 7946 0958".into()),
        sender_name: Some("   ".into()),
        sender_email: Some("not-an-email".into()),
        send_email: Some("maybe".into()),
        include_cover: Some("yes".into()),
        cover_note: Some("x".repeat(501)),
        recipient_name: Some("bad\u{7}name".into()),
        subject: Some("s".repeat(201)),
        sender_company: Some("c".repeat(101)),
        sender_phone: Some("call me".into()),
    };
    let errors = field_errors(validate_fields(&fields, Plan::Paid));
    let names: Vec<&str> = errors.iter().map(|e| e.field).collect();
    assert_eq!(
        names,
        [
            "recipientNumber",
            "senderName",
            "senderEmail",
            "sendEmail",
            "includeCover",
            "coverNote",
            "recipientName",
            "subject",
            "senderCompany",
            "senderPhone"
        ]
    );
    for e in &errors {
        assert!(!e.message.is_empty() && !e.hint.is_empty(), "{e:?}");
    }
}

#[test]
fn missing_required_fields() {
    let errors = field_errors(validate_fields(&FormFields::default(), Plan::Paid));
    let names: Vec<&str> = errors.iter().map(|e| e.field).collect();
    assert_eq!(names, ["recipientNumber", "senderName", "senderEmail"]);
    assert!(
        errors.iter().all(|e| e.message.contains("required")),
        "{errors:?}"
    );
}

#[test]
fn booleans_and_plans() {
    let paid = validate_fields(&base(), Plan::Paid).unwrap();
    assert!(paid.send_email && !paid.include_cover);
    let free = validate_fields(&base(), Plan::Free).unwrap();
    assert!(free.include_cover);
    let no_cover = FormFields {
        include_cover: Some("FALSE".into()),
        send_email: Some("False".into()),
        ..base()
    };
    let free = validate_fields(&no_cover, Plan::Free).unwrap();
    assert!(free.include_cover, "free plans always get the cover");
    assert!(!free.send_email);
    let paid = validate_fields(
        &FormFields {
            include_cover: Some("True".into()),
            ..base()
        },
        Plan::Paid,
    )
    .unwrap();
    assert!(paid.include_cover);
}

#[test]
fn length_limits_count_characters() {
    // 200 two-byte characters is within "subject: 200 characters".
    let ok = FormFields {
        subject: Some("é".repeat(200)),
        cover_note: Some("ü\n".repeat(250)),
        ..base()
    };
    let v = validate_fields(&ok, Plan::Paid).unwrap();
    assert_eq!(v.subject.unwrap().chars().count(), 200);
    let long = FormFields {
        subject: Some("é".repeat(201)),
        ..base()
    };
    assert_eq!(
        field_errors(validate_fields(&long, Plan::Paid))[0].field,
        "subject"
    );
    let company = FormFields {
        sender_company: Some("🏥".repeat(100)),
        ..base()
    };
    assert!(validate_fields(&company, Plan::Paid).is_ok());
}

#[test]
fn text_is_nfc_and_blank_optionals_are_none() {
    let f = FormFields {
        sender_name: Some("Jose\u{301}".into()),
        subject: Some("   ".into()),
        cover_note: Some("line 1\r\nline 2".into()),
        ..base()
    };
    let v = validate_fields(&f, Plan::Paid).unwrap();
    assert_eq!(v.sender_name, "José");
    assert_eq!(v.subject, None);
    assert_eq!(v.cover_note.as_deref(), Some("line 1\nline 2"));
}

#[test]
fn emails() {
    for ok in [
        "a@example.com",
        "first.last+tag@sub.example.co.uk",
        "  pad@example.org  ",
    ] {
        let v = validate_fields(
            &FormFields {
                sender_email: Some(ok.into()),
                ..base()
            },
            Plan::Paid,
        );
        assert!(v.is_ok(), "{ok}: {v:?}");
    }
    for bad in [
        "",
        "plain",
        "a@",
        "@example.com",
        "a@localhost",
        "A <a@example.com>",
        "a@[127.0.0.1]",
        "a b@example.com",
    ] {
        let r = validate_fields(
            &FormFields {
                sender_email: Some(bad.into()),
                ..base()
            },
            Plan::Paid,
        );
        assert_eq!(field_errors(r)[0].field, "senderEmail", "{bad}");
    }
}

#[test]
fn deserializes_camel_case_form() {
    let json = r#"{"recipientNumber":"212-555-1234","senderName":"A","senderEmail":"a@example.com",
        "sendEmail":"false","includeCover":"true","coverNote":"hi","recipientName":"B","subject":"S",
        "senderCompany":"C","senderPhone":"+1 212 555 0000"}"#;
    let f: FormFields = serde_json::from_str(json).unwrap();
    assert_eq!(f.sender_phone.as_deref(), Some("+1 212 555 0000"));
    let v = validate_fields(&f, Plan::Paid).unwrap();
    assert!(!v.send_email && v.include_cover);
    let partial: FormFields = serde_json::from_str(r#"{"senderName":"A"}"#).unwrap();
    assert_eq!(partial.recipient_number, None);
}

proptest! {
    /// Any 10-digit US number typed in any of the common shapes
    /// normalises to the same E.164 string.
    #[test]
    fn shapes_normalise_alike(exchange in 200u32..1000, line in 0u32..10000, shape in 0usize..6) {
        let (a, e, l) = ("212", exchange, format!("{line:04}"));
        let typed = match shape {
            0 => format!("({a}) {e}-{l}"),
            1 => format!("{a}-{e}-{l}"),
            2 => format!("{a}{e}{l}"),
            3 => format!("1{a}{e}{l}"),
            4 => format!("+1 {a} {e} {l}"),
            _ => format!("{a}.{e}.{l}"),
        };
        let canonical = with_number(&format!("+1{a}{e}{l}")).map(|v| v.recipient_number);
        let got = with_number(&typed).map(|v| v.recipient_number);
        match (canonical, got) {
            (Ok(c), Ok(g)) => prop_assert_eq!(c, g),
            (Err(_), Err(_)) => {}
            (c, g) => prop_assert!(false, "{typed}: {c:?} vs {g:?}"),
        }
    }

    /// Arbitrary text never panics and, when accepted, is E.164 +1.
    #[test]
    fn arbitrary_numbers_never_panic(s in "\\PC{0,40}") {
        if let Ok(v) = with_number(&s) {
            prop_assert!(v.recipient_number.starts_with("+1") && v.recipient_number.len() == 12);
        }
    }

    /// Every field's accepted value stays within its maximum.
    #[test]
    fn accepted_values_fit(subject in "\\PC{0,260}", note in "(\\PC|\n){0,600}", company in "\\PC{0,130}") {
        let f = FormFields { subject: Some(subject), cover_note: Some(note), sender_company: Some(company), ..base() };
        if let Ok(v) = validate_fields(&f, Plan::Paid) {
            prop_assert!(v.subject.is_none_or(|s| s.chars().count() <= 200));
            prop_assert!(v.cover_note.is_none_or(|s| s.chars().count() <= 500));
            prop_assert!(v.sender_company.is_none_or(|s| s.chars().count() <= 100));
        }
    }
}

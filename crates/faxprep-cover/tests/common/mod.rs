//! Fields shared by the cover's integration tests.
#![allow(dead_code)]

use faxprep_cover::{Brand, CoverDate, CoverFields, CoverOptions};
use faxprep_page::{Paper, Resolution};

pub fn date() -> CoverDate {
    CoverDate {
        year: 2026,
        month: 11,
        day: 28,
        hour: 14,
        minute: 5,
        utc_offset_minutes: -300,
        zone: Some("EST".into()),
    }
}

/// Every field filled, with realistic values.
pub fn all_fields() -> CoverFields {
    CoverFields {
        recipient_name: Some("Dr. Elena Ramirez".into()),
        recipient_number: "+1 (555) 010-4477".into(),
        sender_name: "Jonathan Avery".into(),
        sender_company: Some("Avery & Cole LLP".into()),
        sender_email: "j.avery@averycole.example".into(),
        sender_phone: Some("+1 555 014 2290".into()),
        subject: Some("Signed release of medical records".into()),
        note: Some(
            "Please find attached the signed authorization for the release of records. \
             Kindly send the requested documents to our office by Friday.\n\nThank you."
                .into(),
        ),
        date: date(),
        total_pages: 4,
    }
}

/// Only what the API requires.
pub fn required_only() -> CoverFields {
    CoverFields {
        recipient_name: None,
        recipient_number: "+44 20 7946 0018".into(),
        sender_name: "Maria Lopez".into(),
        sender_company: Some("   ".into()),
        sender_email: "maria@example.com".into(),
        sender_phone: None,
        subject: None,
        note: Some(String::new()),
        date: CoverDate {
            zone: None,
            ..date()
        },
        total_pages: 1,
    }
}

/// The brand a free-plan cover carries in the tests.
pub fn brand(logo_png: Option<Vec<u8>>) -> Brand {
    Brand {
        name: "FaxPrep".into(),
        line: "Sent free with faxprep.example".into(),
        logo_png,
    }
}

/// A logo the test draws itself: a black ring with a bar through it.
pub fn logo_png() -> Vec<u8> {
    let (w, h) = (240u32, 120u32);
    let img = image::GrayAlphaImage::from_fn(w, h, |x, y| {
        let (dx, dy) = (x as i64 - 60, y as i64 - 60);
        let r2 = dx * dx + dy * dy;
        let ring = (40 * 40..=56 * 56).contains(&r2);
        let bar = (120..232).contains(&x) && (50..70).contains(&y);
        if ring || bar {
            image::LumaA([0, 255])
        } else {
            image::LumaA([255, 0])
        }
    });
    let mut out = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .expect("encode the logo");
    out
}

pub fn opts(resolution: Resolution) -> CoverOptions {
    CoverOptions {
        resolution,
        paper: Paper::Letter,
        brand: None,
    }
}

/// A 500-character note (exactly).
pub fn note_500() -> String {
    let base = "The enclosed records cover the period from January to October. \
                Pages two and three contain the lab results requested in your letter of \
                12 November; page four is the signed consent form. If any page is \
                unreadable, please call our office and we will resend it at once. \
                Note that the originals remain on file with us and that copies may be \
                requested by the patient at any time under the applicable regulations. \
                Thank you for your prompt attention to this matter, and kind regards.";
    let s: String = base.chars().cycle().take(500).collect();
    assert_eq!(s.chars().count(), 500);
    s
}

/// A 200-character subject (exactly).
pub fn subject_200() -> String {
    let s = "Request for complete medical records, imaging reports and billing statements \
             for the period January 2025 to October 2026, including all correspondence \
             with the insurer regarding claim 4471-22 (urgent)";
    assert_eq!(s.chars().count(), 200);
    s.to_string()
}

//! Properties of the layout for any field values within the API limits:
//! it never panics, never leaves the page's margins, and every field's text
//! is in the positioned glyphs (as its characters, replaced ones flagged
//! with a warning, or cut with an ellipsis and a warning).

mod common;

use faxprep_cover::{
    Brand, CoverDate, CoverFields, CoverOptions, Field, Item, Layout, MARGINS_PT, Warning, draw,
    layout,
};
use faxprep_page::{Paper, Resolution};
use proptest::prelude::*;
use unicode_normalization::UnicodeNormalization;

/// Characters intake lets through, weighted towards the interesting ones.
fn any_char() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => prop::char::range('a', 'z'),
        2 => Just(' '),
        1 => prop::char::range('!', '~'),
        1 => prop::char::range('\u{C0}', '\u{24F}'),   // Latin accents
        1 => prop::char::range('\u{370}', '\u{3FF}'),   // Greek
        1 => prop::char::range('\u{400}', '\u{4FF}'),   // Cyrillic
        1 => prop::char::range('\u{590}', '\u{6FF}'),   // Hebrew, Arabic
        1 => prop::char::range('\u{300}', '\u{36F}'),   // combining marks
        1 => prop::char::range('\u{4E00}', '\u{9FFF}'), // CJK
        1 => prop::char::range('\u{1F300}', '\u{1FAFF}'), // emoji
        1 => prop::sample::select(vec!['\u{200B}', '\u{200D}', '\u{FE0F}', '\u{A0}', '\u{3000}', '\u{AD}', '\u{2028}']),
        1 => any::<char>().prop_filter("no controls", |c| !c.is_control()),
    ]
}

fn text(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(any_char(), 0..=max).prop_map(String::from_iter)
}

fn note() -> impl Strategy<Value = String> {
    prop::collection::vec(prop_oneof![9 => any_char(), 1 => Just('\n')], 0..=500)
        .prop_map(String::from_iter)
}

fn required(max: usize) -> impl Strategy<Value = String> {
    text(max).prop_map(|s| {
        if s.trim().is_empty() {
            "x".to_string()
        } else {
            s
        }
    })
}

fn date() -> impl Strategy<Value = CoverDate> {
    (
        0i32..=9999,
        1u8..=12,
        1u8..=28,
        0u8..24,
        0u8..60,
        -1080i32..=1080,
        prop::option::of(text(40)),
    )
        .prop_map(
            |(year, month, day, hour, minute, utc_offset_minutes, zone)| CoverDate {
                year,
                month,
                day,
                hour,
                minute,
                utc_offset_minutes,
                zone,
            },
        )
}

prop_compose! {
    fn fields()(
        recipient_name in prop::option::of(text(100)),
        recipient_number in required(40),
        sender_name in required(100),
        sender_company in prop::option::of(text(100)),
        sender_email in required(254),
        sender_phone in prop::option::of(text(40)),
        subject in prop::option::of(text(200)),
        note in prop::option::of(note()),
        date in date(),
        total_pages in 1u32..100_000,
    ) -> CoverFields {
        CoverFields {
            recipient_name, recipient_number, sender_name, sender_company, sender_email,
            sender_phone, subject, note, date, total_pages,
        }
    }
}

fn options() -> impl Strategy<Value = CoverOptions> {
    (
        prop::sample::select(Paper::ALL.to_vec()),
        prop::option::of((required(40), text(80))),
        any::<bool>(),
    )
        .prop_map(|(paper, brand, logo)| CoverOptions {
            resolution: Resolution::Fine,
            paper,
            brand: brand.map(|(name, line)| Brand {
                name,
                line,
                logo_png: logo.then(common::logo_png),
            }),
        })
}

/// What the layout should show of `value`: NFC, without characters that
/// draw nothing (spaces, controls, default-ignorable format characters).
fn visible(value: &str) -> String {
    value.trim().nfc().filter(|&c| !invisible(c)).collect()
}

fn invisible(c: char) -> bool {
    c.is_whitespace()
        || c.is_control()
        || matches!(u32::from(c),
            0x00AD | 0x034F | 0x061C | 0x115F..=0x1160 | 0x17B4..=0x17B5 | 0x180B..=0x180F
            | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x206F | 0x3164 | 0xFE00..=0xFE0F
            | 0xFEFF | 0xFFA0 | 0xFFF0..=0xFFF8 | 0x1BCA0..=0x1BCA3 | 0x1D173..=0x1D17A
            | 0xE0000..=0xE0FFF)
}

fn check_field(l: &Layout, field: Field, value: &str) -> Result<(), TestCaseError> {
    let expected = visible(value);
    let shown = l.text_of(field);
    let truncated = l.warnings.contains(&Warning::Truncated { field });
    if truncated {
        let kept = shown.strip_suffix('\u{2026}').unwrap_or(&shown);
        prop_assert!(
            expected.starts_with(kept),
            "{field}: {kept:?} is not a prefix of {expected:?}"
        );
    } else {
        prop_assert_eq!(&shown, &expected, "{}", field);
    }
    for g in l.glyphs().filter(|g| g.field == Some(field) && g.replaced) {
        let warned = l.warnings.iter().any(|w| match w {
            Warning::CharactersReplaced { field: f, chars } => {
                *f == field && (chars.contains(&g.ch) || chars.len() == 32)
            }
            _ => false,
        });
        prop_assert!(warned, "{field}: {:?} replaced without a warning", g.ch);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 192, ..ProptestConfig::default() })]

    #[test]
    fn layout_stays_on_the_page_and_shows_every_field(f in fields(), o in options()) {
        let l = layout(&f, &o);
        let (side, top, bottom) = MARGINS_PT;
        let eps = 0.01;
        for item in &l.items {
            match item {
                Item::Glyph(g) => {
                    // The pen box (advance x line) is inside the margins...
                    prop_assert!(g.x >= side - eps && g.x + g.advance <= l.width - side + eps,
                        "{g:?} outside the side margins");
                    prop_assert!(g.y + 0.24 * g.size <= l.height - bottom + eps, "{g:?} below the bottom margin");
                    // ...and ink that overhangs it stays 0.25 in from the sides
                    // and bottom, and out of the top 0.5 in (the fax header).
                    if let Some(r) = g.ink_bounds() {
                        prop_assert!(r.x >= 18.0 && r.right() <= l.width - 18.0
                            && r.y >= 36.0 && r.bottom() <= l.height - 18.0, "{g:?} ink {r:?}");
                    }
                }
                Item::Rule(r) => prop_assert!(r.x >= side - eps && r.right() <= l.width - side + eps
                    && r.y >= top - eps && r.bottom() <= l.height - bottom + eps, "{r:?}"),
                Item::Logo(p) => prop_assert!(p.rect.x >= side && p.rect.right() <= l.width - side
                    && p.rect.y >= top - eps, "{:?}", p.rect),
                _ => {}
            }
        }
        let opt = |s: &Option<String>| s.clone().unwrap_or_default();
        check_field(&l, Field::RecipientName, &opt(&f.recipient_name))?;
        check_field(&l, Field::RecipientNumber, &f.recipient_number)?;
        check_field(&l, Field::SenderName, &f.sender_name)?;
        check_field(&l, Field::SenderCompany, &opt(&f.sender_company))?;
        check_field(&l, Field::SenderEmail, &f.sender_email)?;
        check_field(&l, Field::SenderPhone, &opt(&f.sender_phone))?;
        check_field(&l, Field::Subject, &opt(&f.subject))?;
        check_field(&l, Field::Note, &opt(&f.note))?;
        check_field(&l, Field::Date, &f.date.to_string())?;
        if let Some(b) = &o.brand {
            check_field(&l, Field::BrandName, &b.name)?;
            check_field(&l, Field::BrandLine, &b.line)?;
        }
        // Drawing never panics either, at every resolution.
        for res in Resolution::ALL {
            let page = draw(&l, res);
            prop_assert_eq!(page.height(), o.paper.rows(res));
        }
    }
}

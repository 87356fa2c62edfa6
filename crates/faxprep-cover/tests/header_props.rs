//! Issue 17: whatever the template and the field values, the
//! identification line's text stays inside its band: every glyph's ink
//! lies within the band's height and inside the side margins, the
//! sections keep the template's order, and drawing the band on a page
//! changes the band's rows and nothing else.

use faxprep_cover::header::{SIDE_MARGIN_PT, band_height_pt};
use faxprep_cover::{
    CoverDate, HeaderField, HeaderLine, HeaderPosition, HeaderTemplate, HeaderValues, band_rows,
    draw_header, header_layout, stamp_header,
};
use faxprep_page::{BitPage, FAX_WIDTH, Resolution};
use proptest::prelude::*;

/// Characters of every kind the fields may carry.
fn any_char() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => prop::char::range('a', 'z'),
        2 => Just(' '),
        1 => prop::char::range('!', '~'),
        1 => prop::char::range('\u{C0}', '\u{24F}'),   // Latin accents
        1 => prop::char::range('\u{370}', '\u{4FF}'),   // Greek, Cyrillic
        1 => prop::char::range('\u{590}', '\u{6FF}'),   // Hebrew, Arabic
        1 => prop::char::range('\u{300}', '\u{36F}'),   // combining marks
        1 => prop::char::range('\u{1E00}', '\u{1EFF}'), // Vietnamese stacks
        1 => prop::char::range('\u{2190}', '\u{2BFF}'), // arrows, symbols, blocks
        1 => prop::char::range('\u{4E00}', '\u{9FFF}'), // CJK
        1 => prop::sample::select(vec!['\u{200B}', '\u{200D}', '\u{FE0F}', '\u{A0}', '\n', '\t', '\u{2028}', '|', '{', '}']),
        1 => any::<char>(),
    ]
}

fn text(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(any_char(), 0..=max).prop_map(String::from_iter)
}

/// A template: literal text (braces doubled), fields and bars.
fn template() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        3 => text(12).prop_map(|t| t.replace('{', "{{").replace('}', "}}").replace('|', "")),
        3 => prop::sample::select(HeaderField::ALL.to_vec()).prop_map(|f| format!("{{{}}}", f.name())),
        1 => Just("|".to_string()),
        1 => Just("{bar}".to_string()),
    ];
    prop::collection::vec(piece, 0..14).prop_map(|p| {
        // At most MAX_SECTIONS sections: extra bars become spaces.
        let mut bars = 0;
        p.concat()
            .chars()
            .map(|c| {
                if c == '|' {
                    bars += 1;
                    if bars >= faxprep_cover::header::MAX_SECTIONS {
                        return ' ';
                    }
                }
                c
            })
            .take(faxprep_cover::header::MAX_TEMPLATE_CHARS)
            .collect()
    })
}

fn values() -> impl Strategy<Value = HeaderValues> {
    (
        (
            text(120),
            prop::option::of(text(120)),
            prop::option::of(text(40)),
        ),
        (text(80), prop::option::of(text(120)), text(30)),
        (prop::option::of(text(200)), prop::option::of(text(40))),
        (
            0i32..=9999,
            1u8..=12,
            1u8..=28,
            0u8..24,
            0u8..60,
            -1080i32..=1080,
        ),
    )
        .prop_map(
            |(
                (sender_name, sender_company, sender_phone),
                (sender_email, recipient_name, recipient_number),
                (subject, zone),
                (year, month, day, hour, minute, utc_offset_minutes),
            )| HeaderValues {
                date: CoverDate {
                    year,
                    month,
                    day,
                    hour,
                    minute,
                    utc_offset_minutes,
                    zone,
                },
                sender_name,
                sender_company,
                sender_phone,
                sender_email,
                recipient_name,
                recipient_number,
                subject,
            },
        )
}

/// Rows of `page` with any ink, and the first and last inked columns.
fn ink(page: &BitPage) -> (Vec<u32>, Option<(u32, u32)>) {
    let mut rows = Vec::new();
    let mut cols: Option<(u32, u32)> = None;
    for y in 0..page.height() {
        let row = page.row(y);
        for x in 0..page.width() {
            if row[(x / 8) as usize] & (0x80 >> (x % 8)) != 0 {
                if rows.last() != Some(&y) {
                    rows.push(y);
                }
                cols = Some(cols.map_or((x, x), |(a, b)| (a.min(x), b.max(x))));
            }
        }
    }
    (rows, cols)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn the_text_never_leaves_its_band(
        source in template(),
        v in values(),
        page in 1u32..=300,
        extra in 0u32..=300,
        bottom in any::<bool>(),
    ) {
        let template = HeaderTemplate::parse(&source).expect("the strategy writes valid templates");
        let position = if bottom { HeaderPosition::Bottom } else { HeaderPosition::Top };
        let line = HeaderLine { template: template.clone(), position };
        let band = header_layout(&line, &v, page, page + extra);
        let height = band_height_pt();
        let right = band.width - SIDE_MARGIN_PT;

        // Ink of every glyph inside the band's height, and its advance
        // inside the margins (a combining mark or an overhang may reach a
        // few points past its advance, never past half the margin).
        for g in &band.glyphs {
            prop_assert!(g.x >= SIDE_MARGIN_PT - 1e-3 && g.x + g.advance <= right + 1e-3,
                "{:?} outside {}..{}", g, SIDE_MARGIN_PT, right);
            if let Some(r) = g.ink_bounds() {
                prop_assert!(r.y >= -1e-3 && r.bottom() <= height + 1e-3,
                    "{:?} ink {:?} outside the band's {height} pt", g.ch, r);
                prop_assert!(r.x >= SIDE_MARGIN_PT / 2.0 && r.right() <= band.width - SIDE_MARGIN_PT / 2.0,
                    "{:?} ink {:?}", g.ch, r);
            }
        }
        // Sections in the template's order, each cut only at its end.
        let expanded = template.expand(&v, page, page + extra);
        prop_assert_eq!(band.sections.len(), expanded.len());
        for (shown, full) in band.sections.iter().zip(&expanded) {
            let kept = shown.strip_suffix('\u{2026}').unwrap_or(shown);
            prop_assert!(full.nfc_starts_with(kept), "{shown:?} is not a start of {full:?}");
        }

        // Drawn and put on a page: the band's rows change, nothing else.
        for res in Resolution::ALL {
            let drawn = draw_header(&band, res);
            prop_assert_eq!((drawn.width(), drawn.height()), (FAX_WIDTH, band_rows(res)));
            let (_, cols) = ink(&drawn);
            if let Some((x0, x1)) = cols {
                let margin_px = (SIDE_MARGIN_PT / 2.0 * 204.0 / 72.0) as u32;
                prop_assert!(x0 >= margin_px && x1 < FAX_WIDTH - margin_px, "{x0}..{x1}");
            }
            let rows = 300 + band_rows(res);
            let mut page_bits = BitPage::new(FAX_WIDTH, rows, res).unwrap();
            prop_assert!(stamp_header(&mut page_bits, &drawn, position));
            let (inked, _) = ink(&page_bits);
            let band_range = match position {
                HeaderPosition::Top => 0..band_rows(res),
                HeaderPosition::Bottom => rows - band_rows(res)..rows,
            };
            prop_assert!(inked.iter().all(|y| band_range.contains(y)), "ink on rows {inked:?}");
        }
    }
}

/// Whether `full`, NFC-normalised, starts with `kept` (the layout shapes
/// NFC text).
trait NfcStart {
    fn nfc_starts_with(&self, kept: &str) -> bool;
}

impl NfcStart for String {
    fn nfc_starts_with(&self, kept: &str) -> bool {
        use unicode_normalization::UnicodeNormalization;
        let full: String = self
            .nfc()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        full.starts_with(kept)
    }
}

//! The cover sheet's design: where each field goes.
//!
//! ```text
//!  FAX                                   [logo] Brand name   (free plan)
//!                                               brand line
//!  ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━
//!  Date  28 November 2026, 14:05 (UTC-05:00)
//!  TO                              FROM
//!  ───────────────────────────     ───────────────────────────
//!  Recipient name                  Sender name
//!  Fax  +1 555 0100                Company
//!                                  Email  sender@example.com
//!                                  Phone  +1 555 0199
//!  RE: Subject
//!  3 pages including this cover
//!  ┌────────────────────────────────────────────────────────────┐
//!  │ Note                                                       │
//!  │ ...                                                        │
//!  └────────────────────────────────────────────────────────────┘
//! ```
//!
//! Margins: 40 pt (0.56 in) at the sides, 50 pt at the top (the receiving
//! machine prints its header line in the top 0.5 in) and 36 pt at the
//! bottom. Every block has a line budget and a size range; only a text
//! that does not fit at its smallest size is cut (with a warning), so the
//! worst case of every field at its API limit still fits on Letter, the
//! shortest paper.

use crate::fields::{CoverFields, CoverOptions, Field, LogoProblem, Warning};
use crate::layout::{
    Align, Block, Builder, Item, Layout, PAGE_WIDTH_PT, PlacedLogo, Rect, measure,
};
use crate::logo::LogoImage;
use faxprep_text::font::{CAP_HEIGHT, FontStyle};

/// Side margins in points.
pub(crate) const MARGIN_X: f32 = 40.0;
/// Top margin in points (room for the fax header line).
pub(crate) const MARGIN_TOP: f32 = 50.0;
/// Bottom margin in points.
pub(crate) const MARGIN_BOTTOM: f32 = 36.0;

/// Text longer than this many characters is cut before layout: nothing
/// longer fits on a page, and it bounds the work hostile input causes.
const MAX_CHARS: usize = 4000;

const HEADING: f32 = 44.0;
const LABEL: f32 = 11.0;
const BODY: (f32, f32) = (12.0, 11.0);
const NAME: (f32, f32) = (14.0, 11.0);
const SUBJECT: (f32, f32) = (16.0, 12.0);
const NOTE: (f32, f32) = (12.0, 9.0);
const GUTTER: f32 = 24.0;
const RULE: f32 = 1.5;

/// Lay out the cover: a pure function of the fields and options (the date
/// is the caller's; the resolution in `opts` is not used here).
pub fn layout(fields: &CoverFields, opts: &CoverOptions) -> Layout {
    let width = PAGE_WIDTH_PT;
    let height = opts.paper.size_pt().1 as f32;
    let mut b = Builder {
        items: Vec::new(),
        warnings: Vec::new(),
    };
    let (x0, x1) = (MARGIN_X, width - MARGIN_X);
    let content = x1 - x0;

    // Heading and brand.
    let heading_baseline = MARGIN_TOP + CAP_HEIGHT * HEADING;
    let heading = block(
        "FAX",
        None,
        FontStyle::Bold,
        (HEADING, HEADING),
        x0,
        content,
    );
    b.block(&Block {
        top: heading_baseline - HEADING * faxprep_text::font::ASCENT,
        ..heading
    });
    if let Some(brand) = &opts.brand {
        let left = x0 + measure("FAX", FontStyle::Bold, HEADING) + 2.0 * GUTTER;
        place_brand(&mut b, brand, left, x1, heading_baseline);
    }
    let rule_y = heading_baseline + 12.0;
    b.rule(x0, rule_y, content, 3.0);

    // Date.
    let date = fields.date.to_string();
    let mut top = rule_y + 3.0 + 10.0;
    top = labelled(&mut b, "Date", &date, Field::Date, x0, content, top, 1) + 14.0;

    // To / From.
    let col = (content - GUTTER) / 2.0;
    let xf = x0 + col + GUTTER;
    for (label, x) in [("TO", x0), ("FROM", xf)] {
        b.block(&Block {
            top,
            ..block(label, None, FontStyle::Bold, (12.0, 12.0), x, col)
        });
    }
    let rule_y = top + 12.0 * crate::layout::LEADING + 1.0;
    b.rule(x0, rule_y, col, RULE);
    b.rule(xf, rule_y, col, RULE);
    let col_top = rule_y + RULE + 8.0;

    let mut y = col_top;
    if let Some(name) = present(&fields.recipient_name) {
        y = named(&mut b, name, Field::RecipientName, x0, col, y);
    }
    let to_bottom = labelled(
        &mut b,
        "Fax",
        &fields.recipient_number,
        Field::RecipientNumber,
        x0,
        col,
        y,
        2,
    );

    let mut y = named(
        &mut b,
        &fields.sender_name,
        Field::SenderName,
        xf,
        col,
        col_top,
    );
    if let Some(company) = present(&fields.sender_company) {
        let c = Block {
            top: y,
            max_lines: Some(3),
            ..block(
                company,
                Some(Field::SenderCompany),
                FontStyle::Regular,
                BODY,
                xf,
                col,
            )
        };
        y = b.block(&c).next_top + 2.0;
    }
    // Addresses are contact details: they get room rather than an ellipsis.
    y = labelled(
        &mut b,
        "Email",
        &fields.sender_email,
        Field::SenderEmail,
        xf,
        col,
        y,
        4,
    );
    if let Some(phone) = present(&fields.sender_phone) {
        y = labelled(&mut b, "Phone", phone, Field::SenderPhone, xf, col, y, 2);
    }
    let mut top = to_bottom.max(y) + 10.0;
    b.rule(x0, top, content, RULE);
    top += RULE + 10.0;

    // Subject and page count.
    if let Some(subject) = present(&fields.subject) {
        top = place_subject(&mut b, subject, x0, content, top);
    }
    let count = match fields.total_pages {
        1 => "1 page including this cover".to_string(),
        n => format!("{n} pages including this cover"),
    };
    let c = block(
        &count,
        Some(Field::PageCount),
        FontStyle::Bold,
        (14.0, 11.0),
        x0,
        content,
    );
    top = b.block(&Block { top, ..c }).next_top + 12.0;

    // The note, in a box down to the bottom margin.
    if let Some(note) = present(&fields.note) {
        place_note(&mut b, note, x0, content, top, height - MARGIN_BOTTOM);
    }

    Layout {
        paper: opts.paper,
        width,
        height,
        items: b.items,
        warnings: b.warnings,
    }
}

/// `Some(trimmed)` when the optional field has something in it.
fn present(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// `s` cut to [`MAX_CHARS`] characters.
fn capped(s: &str) -> &str {
    s.char_indices().nth(MAX_CHARS).map_or(s, |(i, _)| &s[..i])
}

/// A one-line block at `x` with defaults filled in.
fn block<'a>(
    text: &'a str,
    field: Option<Field>,
    style: FontStyle,
    sizes: (f32, f32),
    x: f32,
    width: f32,
) -> Block<'a> {
    Block {
        text: capped(text.trim()),
        field,
        style,
        sizes,
        x,
        width,
        align: Align::Left,
        top: 0.0,
        max_lines: Some(1),
        bottom: f32::INFINITY,
        hard_breaks: false,
    }
}

/// A name in bold, up to three lines; returns the top of what follows.
fn named(b: &mut Builder, name: &str, field: Field, x: f32, width: f32, top: f32) -> f32 {
    let n = Block {
        top,
        max_lines: Some(3),
        ..block(name, Some(field), FontStyle::Bold, NAME, x, width)
    };
    b.block(&n).next_top + 2.0
}

/// A bold label with its value beside it (up to `lines` lines, aligned on
/// the first baseline); returns the top of what follows.
#[allow(clippy::too_many_arguments)]
fn labelled(
    b: &mut Builder,
    label: &str,
    value: &str,
    field: Field,
    x: f32,
    width: f32,
    top: f32,
    lines: usize,
) -> f32 {
    // One label column for all labels, so values line up.
    let label_width = measure("Phone", FontStyle::Bold, LABEL) + 8.0;
    let v = Block {
        top,
        max_lines: Some(lines),
        ..block(
            value,
            Some(field),
            FontStyle::Regular,
            BODY,
            x + label_width,
            width - label_width,
        )
    };
    let placed = b.block(&v);
    let l = block(label, None, FontStyle::Bold, (LABEL, LABEL), x, label_width);
    b.block(&Block {
        top: placed.first_baseline - LABEL * faxprep_text::font::ASCENT,
        ..l
    });
    placed.next_top + 2.0
}

/// "RE: subject" in bold with a hanging indent, up to four lines.
fn place_subject(b: &mut Builder, subject: &str, x: f32, width: f32, top: f32) -> f32 {
    let indent = measure("RE:", FontStyle::Bold, SUBJECT.0) + 6.0;
    let s = Block {
        top,
        max_lines: Some(4),
        ..block(
            subject,
            Some(Field::Subject),
            FontStyle::Bold,
            SUBJECT,
            x + indent,
            width - indent,
        )
    };
    let placed = b.block(&s);
    let size = placed.size;
    let re = block("RE:", None, FontStyle::Bold, (size, size), x, indent);
    b.block(&Block {
        top: placed.first_baseline - size * faxprep_text::font::ASCENT,
        ..re
    });
    placed.next_top + 4.0
}

/// The note in a ruled box from `top` to `bottom`, stepping the size down
/// to fit; when even the smallest size is too small, line breaks become
/// spaces, and only then is the text cut.
fn place_note(b: &mut Builder, note: &str, x: f32, width: f32, top: f32, bottom: f32) {
    let pad = 10.0;
    b.rule(x, top, width, RULE);
    b.rule(x, bottom - RULE, width, RULE);
    b.rule(x, top, RULE, bottom - top);
    b.rule(x + width - RULE, top, RULE, bottom - top);
    let (ix, iw) = (x + RULE + pad, width - 2.0 * (RULE + pad));
    let label = block("Note", None, FontStyle::Bold, (LABEL, LABEL), ix, iw);
    let text_top = b
        .block(&Block {
            top: top + RULE + 6.0,
            ..label
        })
        .next_top
        + 4.0;
    let spec = Block {
        top: text_top,
        max_lines: None,
        bottom: bottom - RULE - pad,
        hard_breaks: true,
        ..block(note, Some(Field::Note), FontStyle::Regular, NOTE, ix, iw)
    };
    let mut trial = Builder {
        items: Vec::new(),
        warnings: Vec::new(),
    };
    let first = trial.block(&spec);
    let (items, mut warnings) = if first.truncated && note.contains(is_break) {
        let mut joined = Builder {
            items: Vec::new(),
            warnings: Vec::new(),
        };
        joined.block(&Block {
            hard_breaks: false,
            ..spec
        });
        joined
            .warnings
            .insert(0, Warning::LineBreaksJoined { field: Field::Note });
        (joined.items, joined.warnings)
    } else {
        (trial.items, trial.warnings)
    };
    b.items.extend(items);
    b.warnings.append(&mut warnings);
}

fn is_break(c: char) -> bool {
    matches!(
        c,
        '\n' | '\r' | '\u{0B}' | '\u{0C}' | '\u{85}' | '\u{2028}' | '\u{2029}'
    )
}

/// The brand at the top right: name over line, right-aligned, with the
/// logo to their left when one is given and decodes.
fn place_brand(b: &mut Builder, brand: &crate::Brand, left: f32, right: f32, baseline: f32) {
    let width = right - left;
    let name = block(
        &brand.name,
        Some(Field::BrandName),
        FontStyle::Bold,
        (18.0, 12.0),
        right,
        width,
    );
    let name_top = baseline - 16.0 - 18.0 * faxprep_text::font::ASCENT;
    let n = b.block(&Block {
        top: name_top,
        align: Align::Right,
        ..name
    });
    let line = block(
        &brand.line,
        Some(Field::BrandLine),
        FontStyle::Regular,
        (LABEL, LABEL),
        right,
        width,
    );
    b.block(&Block {
        top: baseline - LABEL * faxprep_text::font::ASCENT,
        align: Align::Right,
        ..line
    });
    let Some(png) = &brand.logo_png else { return };
    let image = match LogoImage::decode_cached(png) {
        Ok(image) => image,
        Err(reason) => {
            b.warnings.push(Warning::LogoIgnored { reason });
            return;
        }
    };
    // The logo spans from the top of the brand name to the baseline, and
    // sits left of the wider of the two text lines.
    let text_left = b
        .items
        .iter()
        .filter_map(|i| match i {
            Item::Glyph(g) if matches!(g.field, Some(Field::BrandName | Field::BrandLine)) => {
                Some(g.x)
            }
            _ => None,
        })
        .fold(right, f32::min);
    let top = n.first_baseline - n.size * CAP_HEIGHT;
    let box_h = baseline + 2.0 - top;
    let box_w = (text_left - 10.0 - left).min(2.0 * box_h);
    let aspect = image.width() as f32 / image.height() as f32;
    let (w, h) = if box_w / box_h > aspect {
        (box_h * aspect, box_h)
    } else {
        (box_w, box_w / aspect)
    };
    if w < 4.0 || h < 4.0 {
        // The name and line are what must show; the logo gives way.
        b.warnings.push(Warning::LogoIgnored {
            reason: LogoProblem::NoRoom,
        });
        return;
    }
    let rect = Rect {
        x: text_left - 10.0 - w,
        y: top + (box_h - h) / 2.0,
        width: w,
        height: h,
    };
    b.items.push(Item::Logo(PlacedLogo { rect, image }));
}

//! The identification line: a band of text across the top (or bottom) of
//! every page of a fax, the "tag line" fax software prints.
//!
//! US law asks a fax sent from a computer to carry, in a margin at the top
//! or bottom of each page or on the first page, the date and time it is
//! sent, an identification of the sender and the sender's telephone number
//! (47 U.S.C. 227(d)(1)(B); 47 CFR 68.318(d)). [`HeaderTemplate::STANDARD`]
//! prints exactly those, with the page number and the page count:
//!
//! ```text
//! 2026-11-28 14:05 America/New_York | From: Sam Sender, Acme | Tel. +1 212 555 0100 | Page 2 of 3
//! ```
//!
//! A template is text with fields in braces (see [`HeaderField`]); `|`
//! splits it into sections, set side by side across the page, each centred
//! in its own column and in the order written; `{{`, `}}` and `{bar}` stand
//! for `{`, `}` and `|`. A section whose fields are all blank (a sender
//! without a company) is left out.
//!
//! The band is [`band_rows`] rows high: 20 at standard, 40 at fine and 80
//! at superfine resolution, the same 5.2 mm on paper at each (T.4's 3.85,
//! 7.7 and 15.4 lines per mm). The text is set by `faxprep-text` as the
//! cover is (DejaVu Sans, kerning, replacement glyphs, right-to-left runs)
//! at 9 points, stepping down to 7 when the sections are too wide; at 7
//! points the widest sections are cut with an ellipsis, each keeping at
//! least an equal share of the width. Glyphs are drawn at the fax's own
//! resolution and clipped to the band, so whatever the template and the
//! values, no ink lands outside it.

use crate::fields::{CoverDate, Field, Warning};
use crate::layout::{PAGE_WIDTH_PT, PlacedGlyph};
use faxprep_page::{BitPage, FAX_WIDTH, Resolution};
use faxprep_text::FontStyle;
use faxprep_text::font::{ASCENT, DESCENT, face};
use faxprep_text::text::{Line, Text};

/// Longest template accepted, in characters.
pub const MAX_TEMPLATE_CHARS: usize = 256;
/// Most `|`-separated sections in a template (each keeps at least a
/// seventh of the line, room for a few characters and an ellipsis).
pub const MAX_SECTIONS: usize = 6;
/// Band height in rows at standard resolution; fine has twice and
/// superfine four times as many.
pub const BAND_ROWS_STANDARD: u32 = 20;
/// The size the text is set at, in points, when it fits.
pub const TEXT_SIZE: f32 = 9.0;
/// The smallest size, in points, before sections are cut.
pub const MIN_TEXT_SIZE: f32 = 7.0;
/// White on the left and right of the band, in points (a quarter inch:
/// what fax machines leave unprinted).
pub const SIDE_MARGIN_PT: f32 = 18.0;
/// Space between two sections, in points.
pub const SECTION_GAP_PT: f32 = 12.0;

/// Rows of the band at `res`: the same height on paper at every resolution.
pub const fn band_rows(res: Resolution) -> u32 {
    match res {
        Resolution::Standard => BAND_ROWS_STANDARD,
        Resolution::Fine => 2 * BAND_ROWS_STANDARD,
        Resolution::Superfine => 4 * BAND_ROWS_STANDARD,
    }
}

/// The band's height in points that the layout uses: the shortest of the
/// three resolutions' (superfine's 391 lines per inch make its band a
/// quarter of a percent taller).
pub fn band_height_pt() -> f32 {
    BAND_ROWS_STANDARD as f32 * 72.0 / Resolution::Standard.y_dpi() as f32
}

/// Where the band goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum HeaderPosition {
    /// Across the top of the page (the default, as fax machines print it).
    #[default]
    Top,
    /// Across the bottom.
    Bottom,
}

impl HeaderPosition {
    /// `top` or `bottom`.
    pub const fn name(self) -> &'static str {
        match self {
            HeaderPosition::Top => "top",
            HeaderPosition::Bottom => "bottom",
        }
    }
}

/// A value a template can print.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HeaderField {
    /// `{date}`: the date the fax is sent in the caller's zone,
    /// `2026-11-28`.
    Date,
    /// `{time}`: the time, 24-hour, `14:05`.
    Time,
    /// `{zone}`: the zone's name when given, else the offset `UTC-05:00`.
    Zone,
    /// `{sender}`: the sender's name, and the company after a comma when
    /// there is one.
    Sender,
    /// `{sender_name}`.
    SenderName,
    /// `{sender_company}`.
    SenderCompany,
    /// `{sender_phone}`: the sender's telephone number as entered.
    SenderPhone,
    /// `{sender_email}`.
    SenderEmail,
    /// `{recipient_name}`.
    RecipientName,
    /// `{recipient_number}`: the number dialled.
    RecipientNumber,
    /// `{subject}`.
    Subject,
    /// `{page}`: this page's number, the cover being page 1.
    Page,
    /// `{pages}`: the pages of the fax, the cover included.
    Pages,
}

impl HeaderField {
    /// Every field.
    pub const ALL: [HeaderField; 13] = [
        HeaderField::Date,
        HeaderField::Time,
        HeaderField::Zone,
        HeaderField::Sender,
        HeaderField::SenderName,
        HeaderField::SenderCompany,
        HeaderField::SenderPhone,
        HeaderField::SenderEmail,
        HeaderField::RecipientName,
        HeaderField::RecipientNumber,
        HeaderField::Subject,
        HeaderField::Page,
        HeaderField::Pages,
    ];

    /// The name written between braces.
    pub const fn name(self) -> &'static str {
        match self {
            HeaderField::Date => "date",
            HeaderField::Time => "time",
            HeaderField::Zone => "zone",
            HeaderField::Sender => "sender",
            HeaderField::SenderName => "sender_name",
            HeaderField::SenderCompany => "sender_company",
            HeaderField::SenderPhone => "sender_phone",
            HeaderField::SenderEmail => "sender_email",
            HeaderField::RecipientName => "recipient_name",
            HeaderField::RecipientNumber => "recipient_number",
            HeaderField::Subject => "subject",
            HeaderField::Page => "page",
            HeaderField::Pages => "pages",
        }
    }
}

/// Why a template was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TemplateError {
    /// Longer than [`MAX_TEMPLATE_CHARS`] characters.
    TooLong {
        /// Characters in the template.
        chars: usize,
    },
    /// More than [`MAX_SECTIONS`] `|`-separated sections.
    TooManySections {
        /// Sections in the template.
        sections: usize,
    },
    /// A name in braces that is not a [`HeaderField`].
    UnknownField {
        /// The name as written.
        name: String,
    },
    /// A `{` without its `}`, or a `}` alone (write `{{` and `}}` for
    /// braces).
    UnmatchedBrace,
}

impl std::fmt::Display for TemplateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TemplateError::TooLong { chars } => write!(
                f,
                "header template has {chars} characters, at most {MAX_TEMPLATE_CHARS} are allowed"
            ),
            TemplateError::TooManySections { sections } => write!(
                f,
                "header template has {sections} sections, at most {MAX_SECTIONS} are allowed"
            ),
            TemplateError::UnknownField { name } => {
                let names: Vec<&str> = HeaderField::ALL.iter().map(|h| h.name()).collect();
                write!(
                    f,
                    "unknown header field {{{name}}}; the fields are {}",
                    names.join(", ")
                )
            }
            TemplateError::UnmatchedBrace => {
                f.write_str("unmatched brace in header template (write {{ and }} for braces)")
            }
        }
    }
}

impl std::error::Error for TemplateError {}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Text(String),
    Field(HeaderField),
}

/// A parsed identification-line template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderTemplate {
    source: String,
    sections: Vec<Vec<Piece>>,
}

impl HeaderTemplate {
    /// The default template: date, time and zone; the sender; the
    /// sender's telephone number; the page number of the count (what
    /// 47 CFR 68.318(d) asks for, and the page count fax software adds).
    pub const STANDARD: &'static str =
        "{date} {time} {zone}|From: {sender}|Tel. {sender_phone}|Page {page} of {pages}";

    /// The default template, parsed.
    pub fn standard() -> HeaderTemplate {
        // The constant is a valid template (tested).
        Self::parse(Self::STANDARD).unwrap_or(HeaderTemplate {
            source: String::new(),
            sections: Vec::new(),
        })
    }

    /// Parse `template`.
    pub fn parse(template: &str) -> Result<HeaderTemplate, TemplateError> {
        let chars = template.chars().count();
        if chars > MAX_TEMPLATE_CHARS {
            return Err(TemplateError::TooLong { chars });
        }
        let mut sections = vec![Vec::new()];
        let mut text = String::new();
        let mut it = template.chars().peekable();
        let flush = |text: &mut String, sections: &mut Vec<Vec<Piece>>| {
            if !text.is_empty()
                && let Some(s) = sections.last_mut()
            {
                s.push(Piece::Text(std::mem::take(text)));
            }
        };
        while let Some(c) = it.next() {
            match c {
                '{' if it.peek() == Some(&'{') => {
                    it.next();
                    text.push('{');
                }
                '}' if it.peek() == Some(&'}') => {
                    it.next();
                    text.push('}');
                }
                '}' => return Err(TemplateError::UnmatchedBrace),
                '{' => {
                    let mut name = String::new();
                    loop {
                        match it.next() {
                            Some('}') => break,
                            Some('{') | None => return Err(TemplateError::UnmatchedBrace),
                            Some(c) => name.push(c),
                        }
                    }
                    if name == "bar" {
                        text.push('|');
                        continue;
                    }
                    let field = HeaderField::ALL
                        .into_iter()
                        .find(|f| f.name() == name)
                        .ok_or(TemplateError::UnknownField { name })?;
                    flush(&mut text, &mut sections);
                    if let Some(s) = sections.last_mut() {
                        s.push(Piece::Field(field));
                    }
                }
                '|' => {
                    flush(&mut text, &mut sections);
                    sections.push(Vec::new());
                }
                c => text.push(c),
            }
        }
        flush(&mut text, &mut sections);
        if sections.len() > MAX_SECTIONS {
            return Err(TemplateError::TooManySections {
                sections: sections.len(),
            });
        }
        Ok(HeaderTemplate {
            source: template.to_owned(),
            sections,
        })
    }

    /// The template as written.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// Whether the template prints `field`.
    pub fn uses(&self, field: HeaderField) -> bool {
        self.sections
            .iter()
            .flatten()
            .any(|p| *p == Piece::Field(field))
    }

    /// The sections' texts for `values` on page `page` of `pages`, blank
    /// ones left out. Line breaks and other control characters in values
    /// become spaces.
    pub fn expand(&self, values: &HeaderValues, page: u32, pages: u32) -> Vec<String> {
        let mut out = Vec::new();
        for section in &self.sections {
            let mut s = String::new();
            let mut fields = 0;
            let mut blank = 0;
            for piece in section {
                match piece {
                    Piece::Text(t) => s.push_str(t),
                    Piece::Field(f) => {
                        let v = values.value(*f, page, pages);
                        fields += 1;
                        if v.trim().is_empty() {
                            blank += 1;
                        }
                        s.extend(v.chars().map(|c| if c.is_control() { ' ' } else { c }));
                    }
                }
            }
            let all_blank = fields > 0 && blank == fields;
            if !all_blank && !s.trim().is_empty() {
                out.push(s.trim().to_owned());
            }
        }
        out
    }
}

impl std::str::FromStr for HeaderTemplate {
    type Err = TemplateError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        HeaderTemplate::parse(s)
    }
}

impl Default for HeaderTemplate {
    fn default() -> Self {
        HeaderTemplate::standard()
    }
}

/// The identification line of a fax: what it says and where it goes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HeaderLine {
    /// What it prints (default [`HeaderTemplate::STANDARD`]).
    pub template: HeaderTemplate,
    /// Top (default) or bottom of the page.
    pub position: HeaderPosition,
}

impl HeaderLine {
    /// What 47 CFR 68.318(d) asks of the line that this one, with
    /// `values`, does not print: any of "date", "time", "sender" and
    /// "sender's telephone number" (empty when all are there).
    pub fn missing_for_rule(&self, values: &HeaderValues) -> Vec<&'static str> {
        let t = &self.template;
        let shown = |f: HeaderField| t.uses(f) && !values.value(f, 1, 1).trim().is_empty();
        let mut missing = Vec::new();
        if !shown(HeaderField::Date) {
            missing.push("date");
        }
        if !shown(HeaderField::Time) {
            missing.push("time");
        }
        if ![
            HeaderField::Sender,
            HeaderField::SenderName,
            HeaderField::SenderCompany,
        ]
        .into_iter()
        .any(shown)
        {
            missing.push("sender");
        }
        if !shown(HeaderField::SenderPhone) {
            missing.push("sender's telephone number");
        }
        missing
    }
}

/// The values a template prints, from the validated form fields and the
/// caller's date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderValues {
    /// When the fax is sent, in the caller's zone.
    pub date: CoverDate,
    /// The sender's name.
    pub sender_name: String,
    /// The sender's company.
    pub sender_company: Option<String>,
    /// The sender's telephone number.
    pub sender_phone: Option<String>,
    /// The sender's email address.
    pub sender_email: String,
    /// The recipient's name.
    pub recipient_name: Option<String>,
    /// The number dialled.
    pub recipient_number: String,
    /// The subject.
    pub subject: Option<String>,
}

impl HeaderValues {
    /// The text of `field` on page `page` of `pages`.
    pub fn value(&self, field: HeaderField, page: u32, pages: u32) -> String {
        let opt = |o: &Option<String>| o.as_deref().map(str::trim).unwrap_or("").to_owned();
        let d = &self.date;
        match field {
            HeaderField::Date => format!("{:04}-{:02}-{:02}", d.year, d.month, d.day),
            HeaderField::Time => format!("{:02}:{:02}", d.hour, d.minute),
            HeaderField::Zone => match d.zone.as_deref().map(str::trim) {
                Some(z) if !z.is_empty() => z.to_owned(),
                _ => {
                    let sign = if d.utc_offset_minutes < 0 { '-' } else { '+' };
                    let abs = d.utc_offset_minutes.unsigned_abs();
                    format!("UTC{sign}{:02}:{:02}", abs / 60, abs % 60)
                }
            },
            HeaderField::Sender => {
                let name = self.sender_name.trim();
                match self.sender_company.as_deref().map(str::trim) {
                    Some(c) if !c.is_empty() && !name.is_empty() => format!("{name}, {c}"),
                    Some(c) if !c.is_empty() => c.to_owned(),
                    _ => name.to_owned(),
                }
            }
            HeaderField::SenderName => self.sender_name.trim().to_owned(),
            HeaderField::SenderCompany => opt(&self.sender_company),
            HeaderField::SenderPhone => opt(&self.sender_phone),
            HeaderField::SenderEmail => self.sender_email.trim().to_owned(),
            HeaderField::RecipientName => opt(&self.recipient_name),
            HeaderField::RecipientNumber => self.recipient_number.trim().to_owned(),
            HeaderField::Subject => opt(&self.subject),
            HeaderField::Page => page.to_string(),
            HeaderField::Pages => pages.to_string(),
        }
    }
}

/// One page's identification line, laid out in points from the band's
/// top-left corner (y down), independent of the resolution.
#[derive(Debug, Clone, PartialEq)]
pub struct HeaderBand {
    /// Band width in points ([`PAGE_WIDTH_PT`]).
    pub width: f32,
    /// Band height in points ([`band_height_pt`]).
    pub height: f32,
    /// The size the text is set at, in points.
    pub size: f32,
    /// The sections as printed (an ellipsis ends a cut one).
    pub sections: Vec<String>,
    /// Each section's column: left edge and width in points.
    pub columns: Vec<(f32, f32)>,
    /// The glyphs.
    pub glyphs: Vec<PlacedGlyph>,
    /// Text not shown exactly as given (cut, or characters the font
    /// lacks), as [`Field::HeaderLine`].
    pub warnings: Vec<Warning>,
}

/// Lay out page `page` of `pages` of `line` with `values`.
pub fn header_layout(
    line: &HeaderLine,
    values: &HeaderValues,
    page: u32,
    pages: u32,
) -> HeaderBand {
    let texts: Vec<Text> = line
        .template
        .expand(values, page, pages)
        .iter()
        .map(|s| Text::new(s, FontStyle::Regular, false))
        .collect();
    let n = texts.len();
    let height = band_height_pt();
    let avail = PAGE_WIDTH_PT - 2.0 * SIDE_MARGIN_PT - n.saturating_sub(1) as f32 * SECTION_GAP_PT;
    let natural: Vec<f32> = texts.iter().map(|t| t.width(0, t.chars.len())).collect();
    // The largest size from 9 down to 7 points in half points at which the
    // sections fit side by side; at 7, cut.
    let mut size = TEXT_SIZE;
    while size > MIN_TEXT_SIZE && natural.iter().sum::<f32>() * size > avail {
        size -= 0.5;
    }
    let widths: Vec<f32> = natural.iter().map(|w| w * size).collect();
    let columns = columns(&widths, avail);
    let mut band = HeaderBand {
        width: PAGE_WIDTH_PT,
        height,
        size,
        sections: Vec::new(),
        columns: Vec::new(),
        glyphs: Vec::new(),
        warnings: Vec::new(),
    };
    let baseline = (height - (ASCENT + DESCENT) * size) / 2.0 + ASCENT * size;
    let mut x = SIDE_MARGIN_PT;
    let mut missing: Vec<char> = Vec::new();
    let mut truncated = false;
    for (t, &cell) in texts.iter().zip(&columns) {
        let max = cell / size;
        let full = Line {
            start: 0,
            end: t.chars.len(),
            ellipsis: false,
        };
        let line = if t.line_width(full) <= max {
            full
        } else {
            truncated = true;
            cut(t, max)
        };
        let w = t.line_width(line) * size;
        place_line(&mut band, t, line, x + (cell - w) / 2.0, baseline, size);
        let mut shown: String = t.chars[line.start..line.end].iter().map(|c| c.ch).collect();
        if line.ellipsis {
            shown.push('\u{2026}');
        }
        band.sections.push(shown);
        band.columns.push((x, cell));
        for &c in &t.missing {
            if !missing.contains(&c) && missing.len() < 32 {
                missing.push(c);
            }
        }
        x += cell + SECTION_GAP_PT;
    }
    if truncated {
        band.warnings.push(Warning::Truncated {
            field: Field::HeaderLine,
        });
    }
    if !missing.is_empty() {
        band.warnings.push(Warning::CharactersReplaced {
            field: Field::HeaderLine,
            chars: missing,
        });
    }
    band
}

/// Column widths for sections of natural `widths` in `avail` points: equal
/// columns when every section fits one; else each its width and an equal
/// part of what is left; else (too wide in all) the narrow ones keep their
/// width and the others share the rest equally (and are cut).
fn columns(widths: &[f32], avail: f32) -> Vec<f32> {
    let n = widths.len();
    if n == 0 {
        return Vec::new();
    }
    let equal = avail / n as f32;
    if widths.iter().all(|&w| w <= equal) {
        return vec![equal; n];
    }
    let total: f32 = widths.iter().sum();
    if total <= avail {
        let spare = (avail - total) / n as f32;
        return widths.iter().map(|w| w + spare).collect();
    }
    // Water-filling: at most n rounds, each fixing at least one section.
    let mut fixed: Vec<Option<f32>> = vec![None; n];
    loop {
        let left = avail - fixed.iter().flatten().sum::<f32>();
        let open = fixed.iter().filter(|f| f.is_none()).count();
        let share = left / open.max(1) as f32;
        let mut changed = false;
        for (f, &w) in fixed.iter_mut().zip(widths) {
            if f.is_none() && w <= share {
                *f = Some(w);
                changed = true;
            }
        }
        if !changed {
            return fixed.iter().map(|f| f.unwrap_or(share)).collect();
        }
    }
}

/// The longest start of `t` that fits `max` em with an ellipsis.
fn cut(t: &Text, max: f32) -> Line {
    let room = max - t.ellipsis_advance();
    let mut k = 0;
    while k < t.chars.len() && t.width(0, k + 1) <= room {
        k += 1;
    }
    // Never separate a combining mark from its base.
    while k > 0 && k < t.chars.len() && t.chars[k].mark {
        k -= 1;
    }
    while k > 0 && t.chars[k - 1].space {
        k -= 1;
    }
    Line {
        start: 0,
        end: k,
        ellipsis: true,
    }
}

fn place_line(band: &mut HeaderBand, t: &Text, line: Line, x: f32, y: f32, size: f32) {
    let visual = t.visual_offsets(line);
    for k in line.start..line.end {
        let c = t.chars[k];
        if c.ink {
            band.glyphs.push(PlacedGlyph {
                ch: c.ch,
                glyph: c.glyph.0,
                font: t.style,
                size,
                x: x + visual[k - line.start] * size,
                y,
                advance: (c.advance - c.kern) * size,
                field: Some(Field::HeaderLine),
                replaced: c.replaced,
            });
        }
    }
    if line.ellipsis {
        band.glyphs.push(PlacedGlyph {
            ch: '\u{2026}',
            glyph: face(t.style).ellipsis.0,
            font: t.style,
            size,
            x: x + t.width(line.start, line.end) * size,
            y,
            advance: t.ellipsis_advance() * size,
            field: Some(Field::HeaderLine),
            replaced: false,
        });
    }
}

/// Draw `band` at `res`: a bitmap [`FAX_WIDTH`] wide and [`band_rows`]
/// high; ink that a glyph would put outside it is clipped.
pub fn draw_header(band: &HeaderBand, res: Resolution) -> BitPage {
    crate::draw::draw_glyphs(band.glyphs.iter(), FAX_WIDTH, band_rows(res), res)
}

/// Put a drawn band on `page` (its ink added, nothing of the page
/// cleared) at `position`. The band must be as wide as the page and no
/// taller; otherwise the page is left as it is and `false` returned.
pub fn stamp_header(page: &mut BitPage, band: &BitPage, position: HeaderPosition) -> bool {
    if band.width() != page.width() || band.height() > page.height() {
        return false;
    }
    let first = match position {
        HeaderPosition::Top => 0,
        HeaderPosition::Bottom => page.height() - band.height(),
    };
    for y in 0..band.height() {
        let src = band.row(y);
        for (d, s) in page.row_mut(first + y).iter_mut().zip(src) {
            *d |= *s;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values() -> HeaderValues {
        HeaderValues {
            date: CoverDate {
                year: 2026,
                month: 11,
                day: 28,
                hour: 14,
                minute: 5,
                utc_offset_minutes: -300,
                zone: None,
            },
            sender_name: "Sam Sender".into(),
            sender_company: None,
            sender_phone: Some("+1 212 555 0100".into()),
            sender_email: "sam@example.com".into(),
            recipient_name: None,
            recipient_number: "+1 415 555 0199".into(),
            subject: None,
        }
    }

    #[test]
    fn templates_parse_and_refuse() {
        let t = HeaderTemplate::standard();
        assert_eq!(t.as_str(), HeaderTemplate::STANDARD);
        for f in [
            HeaderField::Date,
            HeaderField::Time,
            HeaderField::Sender,
            HeaderField::SenderPhone,
            HeaderField::Page,
            HeaderField::Pages,
        ] {
            assert!(t.uses(f), "{}", f.name());
        }
        let t = HeaderTemplate::parse("{{x}} {bar} {page}/{pages}").unwrap();
        assert_eq!(t.expand(&values(), 2, 3), ["{x} | 2/3"]);
        assert_eq!(
            HeaderTemplate::parse("{nope}"),
            Err(TemplateError::UnknownField {
                name: "nope".into()
            })
        );
        for bad in ["{page", "page}", "{pa{ge}"] {
            assert_eq!(
                HeaderTemplate::parse(bad),
                Err(TemplateError::UnmatchedBrace),
                "{bad}"
            );
        }
        assert!(matches!(
            HeaderTemplate::parse(&"|".repeat(MAX_SECTIONS)),
            Err(TemplateError::TooManySections { .. })
        ));
        assert!(matches!(
            HeaderTemplate::parse(&"x".repeat(MAX_TEMPLATE_CHARS + 1)),
            Err(TemplateError::TooLong { .. })
        ));
    }

    #[test]
    fn standard_expands_to_what_the_rule_asks() {
        let s = HeaderTemplate::standard().expand(&values(), 2, 3);
        assert_eq!(
            s,
            [
                "2026-11-28 14:05 UTC-05:00",
                "From: Sam Sender",
                "Tel. +1 212 555 0100",
                "Page 2 of 3"
            ]
        );
        // A blank phone leaves its section out rather than print "Tel.".
        let mut v = values();
        v.sender_phone = None;
        v.sender_company = Some("Acme".into());
        v.date.zone = Some("America/New_York".into());
        let s = HeaderTemplate::standard().expand(&v, 1, 1);
        assert_eq!(
            s,
            [
                "2026-11-28 14:05 America/New_York",
                "From: Sam Sender, Acme",
                "Page 1 of 1"
            ]
        );
    }

    #[test]
    fn the_rule_is_checked_against_template_and_values() {
        let standard = HeaderLine::default();
        assert!(standard.missing_for_rule(&values()).is_empty());
        let mut v = values();
        v.sender_phone = Some("  ".into());
        assert_eq!(standard.missing_for_rule(&v), ["sender's telephone number"]);
        let pages_only = HeaderLine {
            template: HeaderTemplate::parse("Page {page}").unwrap(),
            ..HeaderLine::default()
        };
        assert_eq!(
            pages_only.missing_for_rule(&values()),
            ["date", "time", "sender", "sender's telephone number"]
        );
    }

    #[test]
    fn short_sections_get_equal_centred_columns() {
        let band = header_layout(&HeaderLine::default(), &values(), 2, 3);
        assert_eq!(band.size, TEXT_SIZE);
        assert!(band.warnings.is_empty());
        let w = band.columns[0].1;
        assert!(band.columns.iter().all(|c| (c.1 - w).abs() < 1e-3));
        assert_eq!(band.sections[3], "Page 2 of 3");
    }

    #[test]
    fn long_values_shrink_then_cut_in_order() {
        let mut v = values();
        v.sender_name = "Bartholomew Maximilian Fitzgerald-Worthington III".repeat(4);
        let band = header_layout(&HeaderLine::default(), &v, 12, 200);
        assert_eq!(band.size, MIN_TEXT_SIZE);
        assert!(band.sections[1].starts_with("From: Bartholomew"));
        assert!(band.sections[1].ends_with('\u{2026}'));
        assert_eq!(
            band.sections[3], "Page 12 of 200",
            "short sections stay whole"
        );
        assert_eq!(
            band.warnings,
            [Warning::Truncated {
                field: Field::HeaderLine
            }]
        );
        let right = band
            .glyphs
            .iter()
            .map(|g| g.x + g.advance)
            .fold(0.0, f32::max);
        assert!(right <= PAGE_WIDTH_PT - SIDE_MARGIN_PT + 1e-3);
    }

    #[test]
    fn bands_are_as_tall_on_paper_at_every_resolution() {
        for res in Resolution::ALL {
            let inches = band_rows(res) as f32 / res.y_dpi() as f32;
            assert!((inches - 0.2041).abs() < 0.001, "{res}: {inches}");
        }
    }

    #[test]
    fn stamping_adds_ink_in_the_band_rows_only() {
        let band = header_layout(&HeaderLine::default(), &values(), 1, 2);
        let drawn = draw_header(&band, Resolution::Fine);
        assert!(!drawn.is_blank());
        for position in [HeaderPosition::Top, HeaderPosition::Bottom] {
            let mut page = BitPage::new(FAX_WIDTH, 2156, Resolution::Fine).unwrap();
            assert!(stamp_header(&mut page, &drawn, position));
            let rows = band_rows(Resolution::Fine);
            let band_range = match position {
                HeaderPosition::Top => 0..rows,
                HeaderPosition::Bottom => 2156 - rows..2156,
            };
            for y in 0..2156 {
                let ink = page.row(y).iter().any(|&b| b != 0);
                assert!(!ink || band_range.contains(&y), "row {y}");
            }
        }
    }
}

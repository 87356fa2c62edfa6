//! Text to glyphs: character mapping with a visible replacement, kerning,
//! Unicode line breaking (UAX #14 via `unicode-linebreak`), breaking by
//! character when a word is wider than the line, truncation with an
//! ellipsis, and fitting by stepping the size down.
//!
//! Widths here are in em; the caller multiplies by the size in points.

use crate::font::{FontStyle, LoadedFace, face};
use ttf_parser::GlyphId;
use unicode_linebreak::{BreakClass, BreakOpportunity, break_property, linebreaks};
use unicode_normalization::UnicodeNormalization;

/// At most this many distinct missing characters are listed in a warning.
const MAX_REPORTED_CHARS: usize = 32;

/// One character, mapped to a glyph of one face.
#[derive(Debug, Clone, Copy)]
pub struct Shaped {
    /// The character it stands for.
    pub ch: char,
    /// The glyph drawn for it.
    pub glyph: GlyphId,
    /// Advance in em, kerning with the next character included.
    pub advance: f32,
    /// Kerning with the next character in em (already in `advance`).
    pub kern: f32,
    /// The font lacks `ch`; `glyph` is the replacement.
    pub replaced: bool,
    /// Leaves ink on the page (not a space, control or invisible format
    /// character).
    pub ink: bool,
    /// White space: trimmed at line ends.
    pub space: bool,
    /// A combining mark or joiner: never separated from the character before.
    pub mark: bool,
    /// A line may (or must) end before this character.
    brk: Option<BreakOpportunity>,
}

/// A run of text in one face, ready to be broken into lines.
pub struct Text {
    /// The face it is set in.
    pub style: FontStyle,
    /// The characters, shaped, in logical order.
    pub chars: Vec<Shaped>,
    /// `prefix[i]` is the pen position before character `i`, in em.
    prefix: Vec<f32>,
    /// Distinct characters the face lacks, in order of first use.
    pub missing: Vec<char>,
}

/// One line: characters `start..end` (trailing spaces already trimmed),
/// followed by an ellipsis when `ellipsis` is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Line {
    /// First character of the line.
    pub start: usize,
    /// One past the last character drawn.
    pub end: usize,
    /// An ellipsis follows the characters.
    pub ellipsis: bool,
}

/// Characters that draw nothing and that no font needs to have: Unicode's
/// Default_Ignorable_Code_Point set (soft hyphen, zero-width and bidi
/// controls, variation selectors, tags). They are kept in the text but get
/// no glyph and no "replaced" warning.
pub fn is_default_ignorable(c: char) -> bool {
    matches!(u32::from(c),
        0x00AD | 0x034F | 0x061C | 0x115F..=0x1160 | 0x17B4..=0x17B5 | 0x180B..=0x180F
        | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x206F | 0x3164 | 0xFE00..=0xFE0F
        | 0xFEFF | 0xFFA0 | 0xFFF0..=0xFFF8 | 0x1BCA0..=0x1BCA3 | 0x1D173..=0x1D17A
        | 0xE0000..=0xE0FFF)
}

/// Whether `c` ends a line by itself (UAX #14 classes BK, CR, LF, NL).
fn is_hard_break(c: char) -> bool {
    matches!(
        c,
        '\n' | '\r' | '\u{0B}' | '\u{0C}' | '\u{85}' | '\u{2028}' | '\u{2029}'
    )
}

impl Text {
    /// Shape `text` in `style`. With `hard_breaks`, line-break characters
    /// end lines; otherwise they (like every control character) count as
    /// spaces. The text is NFC-normalised first so that a letter and its
    /// combining accent use the font's precomposed glyph when there is one.
    pub fn new(text: &str, style: FontStyle, hard_breaks: bool) -> Text {
        let f = face(style);
        let clean: String = text
            .nfc()
            .map(|c| {
                if c.is_control() && !(hard_breaks && is_hard_break(c)) {
                    ' '
                } else {
                    c
                }
            })
            .collect();
        let mut chars: Vec<Shaped> = Vec::with_capacity(clean.len());
        let mut missing = Vec::new();
        let mut breaks = linebreaks(&clean).peekable();
        for (byte, c) in clean.char_indices() {
            let brk = if byte == 0 {
                None
            } else {
                while breaks.next_if(|&(b, _)| b < byte).is_some() {}
                breaks.next_if(|&(b, _)| b == byte).map(|(_, o)| o)
            };
            chars.push(shape_char(f, c, brk, &mut missing));
        }
        // Kerning between neighbours that both have ink.
        for i in 1..chars.len() {
            let (l, r) = (chars[i - 1], chars[i]);
            if l.ink && r.ink {
                let k = f.kerning(l.glyph, r.glyph);
                chars[i - 1].kern = k;
                chars[i - 1].advance += k;
            }
        }
        let mut prefix = Vec::with_capacity(chars.len() + 1);
        let mut x = 0.0f32;
        prefix.push(x);
        for c in &chars {
            x += c.advance;
            prefix.push(x);
        }
        Text {
            style,
            chars,
            prefix,
            missing,
        }
    }

    /// Width in em of characters `a..b` as set on one line.
    pub fn width(&self, a: usize, b: usize) -> f32 {
        if b <= a {
            return 0.0;
        }
        // The last character's kerning is with a character on the next line.
        self.prefix[b] - self.prefix[a] - self.chars[b - 1].kern
    }

    /// Pen position of character `i` relative to character `start`, in em.
    pub fn offset(&self, start: usize, i: usize) -> f32 {
        self.prefix[i] - self.prefix[start]
    }

    /// Width in em of a line, its ellipsis included.
    pub fn line_width(&self, line: Line) -> f32 {
        let w = self.width(line.start, line.end);
        if line.ellipsis {
            w + self.ellipsis_advance()
        } else {
            w
        }
    }

    /// Advance of the ellipsis glyph in em.
    pub fn ellipsis_advance(&self) -> f32 {
        let f = face(self.style);
        f.advance(f.ellipsis)
    }

    /// End of `start..end` without trailing white space.
    fn trim_end(&self, start: usize, mut end: usize) -> usize {
        while end > start && self.chars[end - 1].space {
            end -= 1;
        }
        end
    }

    /// Break into lines at most `max` em wide. Returns `Err` with the first
    /// `max_lines + 1` lines when more than `max_lines` are needed (the work
    /// stops there, so hostile text costs no more than what fits).
    pub fn wrap(&self, max: f32, max_lines: usize) -> Result<Vec<Line>, Vec<Line>> {
        let n = self.chars.len();
        let mut lines = Vec::new();
        let mut start = 0;
        let mut committed = 0;
        let push = |lines: &mut Vec<Line>, start: usize, end: usize| {
            lines.push(Line {
                start,
                end: self.trim_end(start, end),
                ellipsis: false,
            });
            lines.len() <= max_lines
        };
        let stops = self
            .chars
            .iter()
            .enumerate()
            .filter_map(|(i, c)| c.brk.map(|b| (i, b)))
            .chain(std::iter::once((n, BreakOpportunity::Mandatory)));
        for (b, kind) in stops {
            loop {
                let end = self.trim_end(start, b);
                if self.width(start, end) <= max {
                    committed = b;
                    break;
                }
                if committed > start {
                    // The segment goes to the next line.
                    if !push(&mut lines, start, committed) {
                        return Err(lines);
                    }
                    start = committed;
                    continue;
                }
                // One word wider than the line: break it by character.
                let k = self.fit_chars(start, end, max);
                if !push(&mut lines, start, k) {
                    return Err(lines);
                }
                start = k;
                committed = k;
            }
            if kind == BreakOpportunity::Mandatory && (b < n || start < n || lines.is_empty()) {
                if !push(&mut lines, start, b) {
                    return Err(lines);
                }
                start = b;
                committed = b;
            }
        }
        Ok(lines)
    }

    /// The largest `k` in `start + 1..=end` with `start..k` at most `max` em
    /// wide, not separating a combining mark from its base (one character
    /// at least, so that the caller always progresses).
    fn fit_chars(&self, start: usize, end: usize, max: f32) -> usize {
        let mut k = start + 1;
        while k < end && self.width(start, k + 1) <= max {
            k += 1;
        }
        // Prefer to break an address or URL after its punctuation, when
        // that keeps at least half the line.
        if k < end {
            let half = start + (k - start).div_ceil(2);
            if let Some(p) = (half..k).rev().find(|&p| {
                p > start
                    && matches!(
                        self.chars[p - 1].ch,
                        '.' | '@' | '-' | '_' | '/' | '?' | '&' | '='
                    )
            }) {
                k = p;
            }
        }
        let mut j = k;
        while j > start + 1 && self.chars.get(j).is_some_and(|c| c.mark) {
            j -= 1;
        }
        // A base followed by more marks than fit: split the marks rather
        // than place nothing.
        if self.chars.get(j).is_some_and(|c| c.mark) {
            k
        } else {
            j
        }
    }

    /// `max_lines` lines at most `max` em wide, the last one cut to make
    /// room for an ellipsis. `wrapped` is what [`Text::wrap`] returned in
    /// `Err` for the same `max` and `max_lines`.
    pub fn truncate(&self, mut wrapped: Vec<Line>, max: f32, max_lines: usize) -> Vec<Line> {
        if max_lines == 0 {
            return Vec::new();
        }
        wrapped.truncate(max_lines);
        let Some(last) = wrapped.pop() else {
            return wrapped;
        };
        let start = last.start;
        let room = max - self.ellipsis_advance();
        let mut k = start;
        while k < self.chars.len() && self.width(start, k + 1) <= room {
            k += 1;
        }
        while k > start && k < self.chars.len() && self.chars[k].mark {
            k -= 1;
        }
        wrapped.push(Line {
            start,
            end: self.trim_end(start, k),
            ellipsis: true,
        });
        wrapped
    }
}

fn shape_char(
    f: &LoadedFace,
    c: char,
    brk: Option<BreakOpportunity>,
    missing: &mut Vec<char>,
) -> Shaped {
    let class = break_property(u32::from(c));
    let mark = matches!(
        class,
        BreakClass::CombiningMark | BreakClass::ZeroWidthJoiner
    );
    let base = Shaped {
        ch: c,
        glyph: GlyphId(0),
        advance: 0.0,
        kern: 0.0,
        replaced: false,
        ink: false,
        space: false,
        mark,
        brk,
    };
    if c.is_whitespace() || c.is_control() {
        return Shaped {
            advance: f.space_advance,
            space: true,
            ..base
        };
    }
    if is_default_ignorable(c) {
        return base;
    }
    match f.glyph(c) {
        Some(glyph) => Shaped {
            glyph,
            advance: f.advance(glyph),
            ink: true,
            ..base
        },
        None => {
            if missing.len() < MAX_REPORTED_CHARS && !missing.contains(&c) {
                missing.push(c);
            }
            let glyph = f.replacement;
            // A replaced mark would stack invisibly on its base: give it
            // its own room so the replacement shows.
            Shaped {
                glyph,
                advance: f.advance(glyph),
                ink: true,
                replaced: true,
                mark: false,
                ..base
            }
        }
    }
}

/// The result of [`fit`]: the size chosen and the lines at that size.
pub struct Fitted {
    /// Size in points.
    pub size: f32,
    /// The lines at that size.
    pub lines: Vec<Line>,
    /// The text was cut with an ellipsis at the smallest size.
    pub truncated: bool,
}

/// Set `text` in `width` points, trying sizes from `normal` down to
/// `minimum` in half-point steps and taking the first at which it needs at
/// most `max_lines(size)` lines; at the minimum, truncate.
pub fn fit(
    text: &Text,
    normal: f32,
    minimum: f32,
    width: f32,
    max_lines: impl Fn(f32) -> usize,
) -> Fitted {
    let mut size = normal;
    loop {
        let ml = max_lines(size);
        let max = width / size;
        let last = size - 0.5 < minimum;
        match text.wrap(max, ml) {
            Ok(lines) => {
                return Fitted {
                    size,
                    lines,
                    truncated: false,
                };
            }
            Err(lines) if last => {
                let lines = text.truncate(lines, max, ml);
                return Fitted {
                    size,
                    lines,
                    truncated: true,
                };
            }
            Err(_) => size -= 0.5,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines_text(t: &Text, lines: &[Line]) -> Vec<String> {
        lines
            .iter()
            .map(|l| {
                let mut s: String = t.chars[l.start..l.end].iter().map(|c| c.ch).collect();
                if l.ellipsis {
                    s.push('…');
                }
                s
            })
            .collect()
    }

    #[test]
    fn wraps_at_spaces_and_breaks_long_words() {
        let t = Text::new("hello world foo", FontStyle::Regular, false);
        let w = t.width(0, 11);
        let lines = t.wrap(w + 0.01, 5).unwrap();
        assert_eq!(lines_text(&t, &lines), ["hello world", "foo"]);
        let t = Text::new(
            "averyveryverylongaddress@example.com",
            FontStyle::Regular,
            false,
        );
        let lines = t.wrap(5.0, 10).unwrap();
        assert!(lines.len() > 1);
        for l in &lines {
            assert!(t.line_width(*l) <= 5.0);
        }
        let joined: String = lines_text(&t, &lines).concat();
        assert_eq!(joined, "averyveryverylongaddress@example.com");
    }

    #[test]
    fn hard_breaks_only_when_asked() {
        let t = Text::new("a\nb\n\nc", FontStyle::Regular, true);
        assert_eq!(
            lines_text(&t, &t.wrap(20.0, 10).unwrap()),
            ["a", "b", "", "c"]
        );
        let t = Text::new("a\nb", FontStyle::Regular, false);
        assert_eq!(lines_text(&t, &t.wrap(20.0, 10).unwrap()), ["a b"]);
    }

    #[test]
    fn truncates_with_ellipsis() {
        let t = Text::new("one two three four five six", FontStyle::Bold, false);
        let err = t.wrap(4.0, 2).unwrap_err();
        let lines = t.truncate(err, 4.0, 2);
        assert_eq!(lines.len(), 2);
        assert!(lines[1].ellipsis);
        for l in &lines {
            assert!(t.line_width(*l) <= 4.0);
        }
    }

    #[test]
    fn missing_characters_are_replaced_and_listed() {
        let t = Text::new("a中文中\u{200B}b", FontStyle::Regular, false);
        assert_eq!(t.missing, ['中', '文']);
        assert_eq!(t.chars.iter().filter(|c| c.replaced).count(), 3);
        assert!(
            !t.chars[4].ink && !t.chars[4].replaced,
            "zero-width space draws nothing"
        );
    }

    #[test]
    fn combining_marks_compose_and_stay_with_their_base() {
        let t = Text::new("e\u{301}", FontStyle::Regular, false);
        assert_eq!(t.chars.len(), 1);
        assert_eq!(t.chars[0].ch, 'é');
        // q has no precomposed form with U+0301: the mark stays separate.
        let t = Text::new("qqq\u{301}qq", FontStyle::Regular, false);
        let w = t.width(0, 3);
        let lines = t.wrap(w + 0.01, 10).unwrap();
        assert_eq!(lines[0].end, 4, "the zero-width mark stays with its q");
    }

    #[test]
    fn long_addresses_break_after_punctuation() {
        let t = Text::new(
            "someone.with.a.long.name@example.org",
            FontStyle::Regular,
            false,
        );
        let lines = t.wrap(t.width(0, 27), 5).unwrap();
        assert_eq!(t.chars[lines[0].end - 1].ch, '@');
    }

    #[test]
    fn fit_steps_down_then_truncates() {
        let t = Text::new(&"word ".repeat(40), FontStyle::Regular, false);
        let f = fit(&t, 12.0, 9.0, 300.0, |_| 4);
        assert!(!f.truncated && f.size < 12.0 && f.size >= 9.0);
        let f = fit(&t, 12.0, 9.0, 100.0, |_| 2);
        assert!(f.truncated && f.size == 9.0 && f.lines.len() == 2);
    }
}

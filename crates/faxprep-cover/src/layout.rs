//! The layout's output (positioned glyphs, rules and the logo, in points)
//! and the helpers the design uses to place text.

use crate::fields::{Field, Warning};
use crate::logo::LogoImage;
use faxprep_page::{FAX_WIDTH, Paper};
use faxprep_text::font::{ASCENT, DESCENT, FontStyle, face};
use faxprep_text::text::{Fitted, Text, fit};
use std::sync::Arc;

/// Width of every fax page in points: 1728 pixels at 204 dpi (8.47 in).
pub const PAGE_WIDTH_PT: f32 = FAX_WIDTH as f32 * 72.0 / 204.0;

/// A laid-out cover: everything to draw, in points from the top-left corner
/// of the page (y down), independent of the fax resolution.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    /// The paper the page is sized for (its length sets the rows drawn).
    pub paper: Paper,
    /// Page width in points ([`PAGE_WIDTH_PT`]).
    pub width: f32,
    /// Page height in points (the paper's length).
    pub height: f32,
    /// What to draw, in drawing order.
    pub items: Vec<Item>,
    /// What could not be shown exactly as given.
    pub warnings: Vec<Warning>,
}

/// One thing to draw.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Item {
    /// A glyph of one of the bundled fonts.
    Glyph(PlacedGlyph),
    /// A solid black rectangle (rules and box edges; drawn at least 2
    /// pixels thick at every resolution).
    Rule(Rect),
    /// The brand logo, scaled into its rectangle.
    Logo(PlacedLogo),
}

/// A glyph at a position.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlacedGlyph {
    /// The character this glyph stands for (the original character even
    /// when the font lacks it and `replaced` is set).
    pub ch: char,
    /// Glyph id in the font.
    pub glyph: u16,
    /// Which bundled face.
    pub font: FontStyle,
    /// Size in points (the em).
    pub size: f32,
    /// Pen position: left end of the glyph's advance, in points.
    pub x: f32,
    /// Baseline, in points from the top of the page.
    pub y: f32,
    /// Advance width in points (the font's, before kerning).
    pub advance: f32,
    /// The field the glyph shows, `None` for labels and headings.
    pub field: Option<Field>,
    /// The font lacks `ch`; the glyph is the visible replacement U+FFFD.
    pub replaced: bool,
}

impl PlacedGlyph {
    /// The glyph's ink bounds in points (`None` for glyphs without ink).
    pub fn ink_bounds(&self) -> Option<Rect> {
        let (x0, y0, x1, y1) = face(self.font).ink_bounds(ttf_parser::GlyphId(self.glyph))?;
        Some(Rect {
            x: self.x + x0 * self.size,
            y: self.y - y1 * self.size,
            width: (x1 - x0) * self.size,
            height: (y1 - y0) * self.size,
        })
    }
}

/// An axis-aligned rectangle in points, y down.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    /// Left edge.
    pub x: f32,
    /// Top edge.
    pub y: f32,
    /// Width.
    pub width: f32,
    /// Height.
    pub height: f32,
}

impl Rect {
    /// Right edge.
    pub fn right(&self) -> f32 {
        self.x + self.width
    }

    /// Bottom edge.
    pub fn bottom(&self) -> f32 {
        self.y + self.height
    }
}

/// The logo and where it goes.
#[derive(Debug, Clone, PartialEq)]
pub struct PlacedLogo {
    /// The box it fills (its aspect ratio is the image's).
    pub rect: Rect,
    /// The decoded image.
    pub image: Arc<LogoImage>,
}

impl Layout {
    /// The characters placed for `field`, in order (spaces are not placed;
    /// a truncated field ends with `…`).
    pub fn text_of(&self, field: Field) -> String {
        self.glyphs()
            .filter(|g| g.field == Some(field))
            .map(|g| g.ch)
            .collect()
    }

    /// Every placed glyph.
    pub fn glyphs(&self) -> impl Iterator<Item = &PlacedGlyph> {
        self.items.iter().filter_map(|i| match i {
            Item::Glyph(g) => Some(g),
            _ => None,
        })
    }

    /// The union of all ink: glyph ink bounds, rules and the logo (`None`
    /// for an empty layout).
    pub fn ink_bounds(&self) -> Option<Rect> {
        let rects = self.items.iter().filter_map(|i| match i {
            Item::Glyph(g) => g.ink_bounds(),
            Item::Rule(r) => Some(*r),
            Item::Logo(l) => Some(l.rect),
        });
        rects.reduce(|a, b| {
            let (x, y) = (a.x.min(b.x), a.y.min(b.y));
            Rect {
                x,
                y,
                width: a.right().max(b.right()) - x,
                height: a.bottom().max(b.bottom()) - y,
            }
        })
    }
}

/// Line spacing as a multiple of the size.
pub(crate) const LEADING: f32 = 1.22;

/// Horizontal alignment of a text block.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Align {
    Left,
    /// `x` is the right edge.
    Right,
}

/// A piece of text to fit and place.
pub(crate) struct Block<'a> {
    pub(crate) text: &'a str,
    pub(crate) field: Option<Field>,
    pub(crate) style: FontStyle,
    /// Normal and smallest size in points.
    pub(crate) sizes: (f32, f32),
    pub(crate) x: f32,
    pub(crate) width: f32,
    pub(crate) align: Align,
    /// Top of the first line box.
    pub(crate) top: f32,
    /// Most lines, or `None` to fill down to `bottom`.
    pub(crate) max_lines: Option<usize>,
    /// With `max_lines: None`, the lowest the last line's descenders go.
    pub(crate) bottom: f32,
    /// Line-break characters end lines (the note).
    pub(crate) hard_breaks: bool,
}

/// Where a placed block ended up.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Placed {
    pub(crate) size: f32,
    pub(crate) first_baseline: f32,
    /// Top of the line box after the last line.
    pub(crate) next_top: f32,
    pub(crate) truncated: bool,
}

/// Collects items and warnings while the design places things.
pub(crate) struct Builder {
    pub(crate) items: Vec<Item>,
    pub(crate) warnings: Vec<Warning>,
}

impl Builder {
    pub(crate) fn rule(&mut self, x: f32, y: f32, width: f32, height: f32) {
        self.items.push(Item::Rule(Rect {
            x,
            y,
            width,
            height,
        }));
    }

    /// Fit and place `b`; warns about missing characters and truncation.
    pub(crate) fn block(&mut self, b: &Block<'_>) -> Placed {
        let text = Text::new(b.text, b.style, b.hard_breaks);
        let placed = self.place_text(&text, b);
        if let Some(field) = b.field {
            if placed.truncated {
                self.warnings.push(Warning::Truncated { field });
            }
            if !text.missing.is_empty() {
                self.warnings.push(Warning::CharactersReplaced {
                    field,
                    chars: text.missing,
                });
            }
        }
        placed
    }

    /// Fit and place an already shaped text (no warnings).
    pub(crate) fn place_text(&mut self, text: &Text, b: &Block<'_>) -> Placed {
        let max_lines = |size: f32| match b.max_lines {
            Some(n) => n,
            None => {
                let first_bottom = b.top + (ASCENT + DESCENT) * size;
                if first_bottom > b.bottom {
                    0
                } else {
                    1 + ((b.bottom - first_bottom) / (LEADING * size)) as usize
                }
            }
        };
        let Fitted {
            size,
            lines,
            truncated,
        } = fit(text, b.sizes.0, b.sizes.1, b.width, max_lines);
        let first_baseline = b.top + ASCENT * size;
        let f = face(text.style);
        for (i, line) in lines.iter().enumerate() {
            let y = first_baseline + i as f32 * LEADING * size;
            let x = match b.align {
                Align::Left => b.x,
                Align::Right => b.x - text.line_width(*line) * size,
            };
            let visual = text.visual_offsets(*line);
            for k in line.start..line.end {
                let c = text.chars[k];
                if c.ink {
                    self.items.push(Item::Glyph(PlacedGlyph {
                        ch: c.ch,
                        glyph: c.glyph.0,
                        font: text.style,
                        size,
                        x: x + visual[k - line.start] * size,
                        y,
                        advance: (c.advance - c.kern) * size,
                        field: b.field,
                        replaced: c.replaced,
                    }));
                }
            }
            if line.ellipsis {
                self.items.push(Item::Glyph(PlacedGlyph {
                    ch: '\u{2026}',
                    glyph: f.ellipsis.0,
                    font: text.style,
                    size,
                    x: x + text.width(line.start, line.end) * size,
                    y,
                    advance: text.ellipsis_advance() * size,
                    field: b.field,
                    replaced: false,
                }));
            }
        }
        Placed {
            size,
            first_baseline,
            next_top: b.top + lines.len() as f32 * LEADING * size,
            truncated,
        }
    }
}

/// Width in points of `s` set on one line in `style` at `size`.
pub(crate) fn measure(s: &str, style: FontStyle, size: f32) -> f32 {
    let t = Text::new(s, style, false);
    t.width(0, t.chars.len()) * size
}

//! The bundled fonts: DejaVu Sans regular and bold, parsed once.
//!
//! DejaVu covers Latin with accents, Greek, Cyrillic, Hebrew, Arabic
//! (isolated forms) and many symbols; it has no CJK. Its `kern` table holds
//! the pair kerning we apply (the GPOS table has the same pairs plus
//! mark positioning we do not need for the scripts we lay out).

use std::sync::OnceLock;
use ttf_parser::{Face, GlyphId};

/// Which of the two bundled faces a glyph is set in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FontStyle {
    /// DejaVu Sans.
    Regular,
    /// DejaVu Sans Bold.
    Bold,
}

/// One parsed face with the lookups the layout needs precomputed.
pub struct LoadedFace {
    /// The parsed font.
    pub face: Face<'static>,
    /// Scale from font units to em (1 / units per em).
    pub per_unit: f32,
    /// The glyph drawn for characters the font lacks (U+FFFD, else a box,
    /// else `.notdef`).
    pub replacement: GlyphId,
    /// The glyph of U+2026 HORIZONTAL ELLIPSIS for truncation.
    pub ellipsis: GlyphId,
    /// Advance of U+0020, used for every kind of space.
    pub space_advance: f32,
}

impl LoadedFace {
    fn load(data: &'static [u8]) -> LoadedFace {
        // The bytes are the fonts compiled into the binary by the `dejavu`
        // crate: parsing them cannot fail unless that crate is broken, which
        // the tests below would catch at once.
        #[allow(clippy::expect_used)]
        let face = Face::parse(data, 0).expect("bundled DejaVu font parses");
        let per_unit = 1.0 / f32::from(face.units_per_em());
        let replacement = face
            .glyph_index('\u{FFFD}')
            .or_else(|| face.glyph_index('\u{25A1}'))
            .unwrap_or(GlyphId(0));
        let ellipsis = face.glyph_index('\u{2026}').unwrap_or(replacement);
        let space_advance = face
            .glyph_index(' ')
            .and_then(|g| face.glyph_hor_advance(g))
            .map_or(0.3, |a| f32::from(a) * per_unit);
        LoadedFace {
            face,
            per_unit,
            replacement,
            ellipsis,
            space_advance,
        }
    }

    /// The glyph for `ch`, or `None` when the font lacks it.
    pub fn glyph(&self, ch: char) -> Option<GlyphId> {
        self.face.glyph_index(ch).filter(|g| g.0 != 0)
    }

    /// Advance width of `glyph` in em.
    pub fn advance(&self, glyph: GlyphId) -> f32 {
        self.face
            .glyph_hor_advance(glyph)
            .map_or(0.0, |a| f32::from(a) * self.per_unit)
    }

    /// Pair kerning between `left` and `right` in em (negative = closer).
    pub fn kerning(&self, left: GlyphId, right: GlyphId) -> f32 {
        let Some(kern) = self.face.tables().kern else {
            return 0.0;
        };
        kern.subtables
            .into_iter()
            .filter(|s| s.horizontal && !s.variable && !s.has_cross_stream)
            .find_map(|s| s.glyphs_kerning(left, right))
            .map_or(0.0, |k| f32::from(k) * self.per_unit)
    }

    /// Ink bounds of `glyph` in em, y up: (x_min, y_min, x_max, y_max).
    pub fn ink_bounds(&self, glyph: GlyphId) -> Option<(f32, f32, f32, f32)> {
        self.face.glyph_bounding_box(glyph).map(|r| {
            let u = self.per_unit;
            (
                f32::from(r.x_min) * u,
                f32::from(r.y_min) * u,
                f32::from(r.x_max) * u,
                f32::from(r.y_max) * u,
            )
        })
    }
}

struct Fonts {
    regular: LoadedFace,
    bold: LoadedFace,
}

static FONTS: OnceLock<Fonts> = OnceLock::new();

/// The parsed face for `style` (parsed on first use, then shared).
pub fn face(style: FontStyle) -> &'static LoadedFace {
    let fonts = FONTS.get_or_init(|| Fonts {
        regular: LoadedFace::load(dejavu::sans::regular()),
        bold: LoadedFace::load(dejavu::sans::bold()),
    });
    match style {
        FontStyle::Regular => &fonts.regular,
        FontStyle::Bold => &fonts.bold,
    }
}

/// DejaVu's ascender (top of accented capitals) in em.
pub const ASCENT: f32 = 1901.0 / 2048.0;
/// DejaVu's descender (bottom of g, p, y) in em, positive.
pub const DESCENT: f32 = 483.0 / 2048.0;
/// Height of capitals in em (DejaVu: 1493 units).
pub const CAP_HEIGHT: f32 = 1493.0 / 2048.0;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_faces_have_what_the_layout_needs() {
        for style in [FontStyle::Regular, FontStyle::Bold] {
            let f = face(style);
            assert_eq!(f.face.units_per_em(), 2048);
            assert_eq!(f.face.ascender(), 1901);
            assert_eq!(f.face.descender(), -483);
            assert_ne!(f.replacement.0, 0, "U+FFFD present");
            assert_ne!(f.ellipsis, f.replacement);
            for ch in ['é', 'Ж', 'Ω', 'א', '€', '@'] {
                assert!(f.glyph(ch).is_some(), "{ch}");
            }
            assert!(f.glyph('中').is_none());
            let (a, v) = (f.glyph('A').unwrap(), f.glyph('V').unwrap());
            assert!(f.kerning(a, v) < 0.0, "kern table applied");
            let h = f.ink_bounds(f.glyph('H').unwrap()).unwrap();
            assert!((h.3 - CAP_HEIGHT).abs() < 0.01);
        }
    }
}

//! Drawing a [`Layout`] into a 1-bit fax page.
//!
//! Glyph bitmaps are cached process-wide by (face, glyph, size,
//! resolution): a cover uses a few dozen distinct glyphs many times, and
//! consecutive covers share almost all of them.

use crate::FontStyle;
use crate::layout::{Item, Layout, PlacedGlyph, Rect};
use faxprep_page::{BitPage, FAX_WIDTH, Resolution};
use faxprep_text::raster::{Span, pixels_per_point, rasterize_glyph};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// Thinnest rule drawn, in pixels, at every resolution.
pub(crate) const MIN_RULE_PIXELS: i32 = 2;

/// Cached glyphs beyond this count are dropped (all at once: simple, and a
/// cover needs only a few hundred).
const CACHE_LIMIT: usize = 16_384;

type Key = (FontStyle, u16, u32, Resolution);
type Cache = Mutex<HashMap<Key, Arc<[Span]>>>;

static GLYPHS: OnceLock<Cache> = OnceLock::new();

fn glyph_spans(key: Key) -> Arc<[Span]> {
    let cache = GLYPHS.get_or_init(|| Mutex::new(HashMap::new()));
    // A panic elsewhere while holding the lock leaves the map consistent
    // (inserts are atomic), so a poisoned lock is still usable.
    if let Some(s) = cache.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
        return Arc::clone(s);
    }
    let (style, glyph, size, res) = key;
    let spans: Arc<[Span]> =
        rasterize_glyph(style, ttf_parser::GlyphId(glyph), f32::from_bits(size), res).into();
    let mut map = cache.lock().unwrap_or_else(|e| e.into_inner());
    if map.len() >= CACHE_LIMIT {
        map.clear();
    }
    map.insert(key, Arc::clone(&spans));
    spans
}

/// Draw `layout` at `resolution`: a page [`FAX_WIDTH`] pixels wide and as
/// many rows as the layout's paper has at that resolution. Anything outside
/// the page is clipped (the layout keeps everything inside its margins).
pub fn draw(layout: &Layout, resolution: Resolution) -> BitPage {
    let rows = layout.paper.rows(resolution);
    // FAX_WIDTH and the rows of every paper are far inside the page limits.
    #[allow(clippy::expect_used)]
    let mut page = BitPage::new(FAX_WIDTH, rows, resolution).expect("fax page dimensions");
    let (ppx, ppy) = pixels_per_point(resolution);
    let mut local: HashMap<Key, Arc<[Span]>> = HashMap::new();
    for item in &layout.items {
        match item {
            Item::Glyph(g) => draw_glyph(&mut page, g, &mut local),
            Item::Rule(r) => {
                let (x0, x1, y0, y1) = device_rect(r, ppx, ppy);
                for y in y0..y1 {
                    fill_span(&mut page, y, x0, x1);
                }
            }
            Item::Logo(l) => {
                let (x0, x1, y0, y1) = device_rect(&l.rect, ppx, ppy);
                let (w, h) = ((x1 - x0) as u32, (y1 - y0) as u32);
                for dy in 0..h {
                    for dx in 0..w {
                        if l.image.black_at(dx, dy, w, h) {
                            fill_span(
                                &mut page,
                                y0 + dy as i32,
                                x0 + dx as i32,
                                x0 + dx as i32 + 1,
                            );
                        }
                    }
                }
            }
        }
    }
    page
}

/// Draw `glyphs` (positions in points from the top-left corner) on a white
/// page of `width` x `rows` pixels at `resolution`; ink outside it is
/// clipped. A page of at most [`faxprep_page::MAX_DIMENSION`] a side.
pub(crate) fn draw_glyphs<'a>(
    glyphs: impl Iterator<Item = &'a PlacedGlyph>,
    width: u32,
    rows: u32,
    resolution: Resolution,
) -> BitPage {
    // The callers pass the fax width and a band's rows.
    #[allow(clippy::expect_used)]
    let mut page = BitPage::new(width, rows, resolution).expect("band dimensions");
    let mut local: HashMap<Key, Arc<[Span]>> = HashMap::new();
    for g in glyphs {
        draw_glyph(&mut page, g, &mut local);
    }
    page
}

/// Draw one glyph, its spans from `local` (or the process-wide cache).
fn draw_glyph(page: &mut BitPage, g: &PlacedGlyph, local: &mut HashMap<Key, Arc<[Span]>>) {
    let resolution = page.resolution();
    let (ppx, ppy) = pixels_per_point(resolution);
    let key = (g.font, g.glyph, g.size.to_bits(), resolution);
    let spans = local.entry(key).or_insert_with(|| glyph_spans(key));
    let (px, py) = ((g.x * ppx).round() as i32, (g.y * ppy).round() as i32);
    for s in spans.iter() {
        fill_span(page, py + s.dy, px + s.x0, px + s.x1);
    }
}

/// Pixel edges of `r`, at least [`MIN_RULE_PIXELS`] in each direction.
fn device_rect(r: &Rect, ppx: f32, ppy: f32) -> (i32, i32, i32, i32) {
    let edge = |v: f32, scale: f32| (v * scale).round().clamp(-1e6, 1e6) as i32;
    let (x0, y0) = (edge(r.x, ppx), edge(r.y, ppy));
    let x1 = edge(r.right(), ppx).max(x0 + MIN_RULE_PIXELS);
    let y1 = edge(r.bottom(), ppy).max(y0 + MIN_RULE_PIXELS);
    (x0, x1, y0, y1)
}

/// Set pixels `x0..x1` of row `y` black, clipped to the page.
fn fill_span(page: &mut BitPage, y: i32, x0: i32, x1: i32) {
    let width = page.width() as i32;
    let (x0, x1) = (x0.max(0), x1.min(width));
    if y < 0 || y >= page.height() as i32 || x0 >= x1 {
        return;
    }
    let row = page.row_mut(y as u32);
    let (x0, x1) = (x0 as usize, x1 as usize);
    let (b0, b1) = (x0 / 8, (x1 - 1) / 8);
    let first = 0xffu8 >> (x0 % 8);
    let last = 0xffu8 << (7 - (x1 - 1) % 8);
    if b0 == b1 {
        row[b0] |= first & last;
    } else {
        row[b0] |= first;
        row[b0 + 1..b1].fill(0xff);
        row[b1] |= last;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_fill_exactly() {
        let mut page = BitPage::new(20, 2, Resolution::Fine).unwrap();
        fill_span(&mut page, 0, 3, 5);
        fill_span(&mut page, 1, 6, 19);
        fill_span(&mut page, 1, -4, 1);
        fill_span(&mut page, 5, 0, 20);
        fill_span(&mut page, 0, 18, 99);
        assert_eq!(page.row(0), &[0b0001_1000, 0, 0b0011_0000]);
        assert_eq!(page.row(1), &[0b1000_0011, 0xff, 0b1110_0000]);
    }

    #[test]
    fn thin_rules_are_two_pixels() {
        let r = Rect {
            x: 10.0,
            y: 10.0,
            width: 100.0,
            height: 0.1,
        };
        for res in Resolution::ALL {
            let (ppx, ppy) = pixels_per_point(res);
            let (_, _, y0, y1) = device_rect(&r, ppx, ppy);
            assert_eq!(y1 - y0, MIN_RULE_PIXELS);
        }
    }
}

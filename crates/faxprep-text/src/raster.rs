//! Glyph outlines to 1-bit spans at a fax resolution.
//!
//! The outline is scaled separately in x (204 dpi) and y (98, 196 or 391
//! dpi), its curves flattened to lines, and each line's signed area is
//! accumulated per pixel (the exact-area "accumulation" scanline method:
//! a line piece inside one pixel adds the part of its height that lies to
//! the right of it to that pixel and the rest to the next pixel, so a
//! running sum along the row gives the covered fraction of every pixel).
//! Coverage at or above [`THRESHOLD`] is black: low enough that a stroke
//! one pixel thick, wherever it falls between two rows, still leaves one
//! black row (its larger share is at least half), high enough that counters
//! of e, a and s stay open at 11 pt on a standard-resolution fax.

use crate::font::{FontStyle, face};
use faxprep_page::Resolution;
use ttf_parser::{GlyphId, OutlineBuilder};

/// Coverage from which a pixel is black.
pub const THRESHOLD: f32 = 0.45;

/// Flattening tolerance in pixels: the largest distance between a curve and
/// the lines that replace it.
const TOLERANCE: f32 = 0.1;

/// Largest glyph bitmap side in pixels (a 48 pt glyph at superfine is under
/// 300; this only bounds a broken outline).
const MAX_SIDE: f32 = 1024.0;

/// A horizontal run of black pixels `x0..x1` on row `dy`, relative to the
/// pen position on the baseline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    /// Row, relative to the baseline (negative above it).
    pub dy: i32,
    /// First black column, relative to the pen.
    pub x0: i32,
    /// Column after the last black one, relative to the pen.
    pub x1: i32,
}

/// Pixels per point horizontally and vertically at `res`.
pub fn pixels_per_point(res: Resolution) -> (f32, f32) {
    (res.x_dpi() as f32 / 72.0, res.y_dpi() as f32 / 72.0)
}

/// The black spans of `glyph` of `style` at `size` points and `res`.
pub fn rasterize_glyph(style: FontStyle, glyph: GlyphId, size: f32, res: Resolution) -> Vec<Span> {
    let f = face(style);
    let Some((x_min, y_min, x_max, y_max)) = f.ink_bounds(glyph) else {
        return Vec::new(); // no outline (a space)
    };
    let (ppx, ppy) = pixels_per_point(res);
    let (sx, sy) = (size * ppx, size * ppy); // pixels per em
    let left = (x_min * sx).floor();
    let top = (y_max * sy).ceil();
    let width = (x_max * sx).ceil() - left + 1.0;
    let height = top - (y_min * sy).floor() + 1.0;
    if !(width > 0.0 && height > 0.0 && width <= MAX_SIDE && height <= MAX_SIDE) {
        return Vec::new();
    }
    let mut acc = Accumulator::new(width as usize, height as usize);
    let mut builder = Flattener {
        acc: &mut acc,
        // Font units to bitmap pixels, y down.
        scale: (sx * f.per_unit, -sy * f.per_unit),
        shift: (-left, top),
        start: (0.0, 0.0),
        current: (0.0, 0.0),
    };
    if f.face.outline_glyph(glyph, &mut builder).is_none() {
        return Vec::new();
    }
    builder.close();
    acc.spans(left as i32, -(top as i32))
}

/// Signed-area accumulation buffer, one extra column for the area that
/// spills right of the last pixel.
struct Accumulator {
    width: usize,
    height: usize,
    cells: Vec<f32>,
}

impl Accumulator {
    fn new(width: usize, height: usize) -> Accumulator {
        Accumulator {
            width,
            height,
            cells: vec![0.0; (width + 1) * height],
        }
    }

    /// Add the line from `a` to `b` (pixels, y down).
    fn line(&mut self, a: (f32, f32), b: (f32, f32)) {
        if a.1 == b.1 || !(a.0.is_finite() && a.1.is_finite() && b.0.is_finite() && b.1.is_finite())
        {
            return;
        }
        // Downward lines add coverage, upward ones remove it (nonzero
        // winding of TrueType contours, taken as an absolute value).
        let (dir, top, bottom) = if a.1 < b.1 { (1.0, a, b) } else { (-1.0, b, a) };
        let dxdy = (bottom.0 - top.0) / (bottom.1 - top.1);
        let y_end = bottom.1.min(self.height as f32);
        let mut y = top.1.max(0.0);
        while y < y_end {
            let row = y as usize; // y >= 0 and < height
            let y_next = (row as f32 + 1.0).min(y_end);
            let xa = top.0 + (y - top.1) * dxdy;
            let xb = top.0 + (y_next - top.1) * dxdy;
            self.row_piece(row, xa, xb, (y_next - y) * dir);
            y = y_next;
        }
    }

    /// A line piece inside row `row` going from `xa` to `xb` with signed
    /// height `d`: split it at pixel boundaries; each part of height `dd`
    /// whose midpoint is `m` into its pixel adds `dd * (1 - m)` there and
    /// `dd * m` to the next pixel.
    fn row_piece(&mut self, row: usize, xa: f32, xb: f32, d: f32) {
        let max_x = self.width as f32;
        let (l, r) = if xa < xb { (xa, xb) } else { (xb, xa) };
        let (l, r) = (l.clamp(0.0, max_x), r.clamp(0.0, max_x));
        let base = row * (self.width + 1);
        if r - l < 1e-6 || l.floor() == r.floor() || r <= l.floor() + 1.0 {
            let cell = (l.floor() as usize).min(self.width - 1);
            let m = ((l + r) * 0.5 - cell as f32).clamp(0.0, 1.0);
            self.cells[base + cell] += d * (1.0 - m);
            self.cells[base + cell + 1] += d * m;
            return;
        }
        let per_x = d / (r - l);
        let mut x = l;
        while x < r {
            let cell = x.floor();
            let x_next = (cell + 1.0).min(r);
            let dd = (x_next - x) * per_x;
            let m = (x + x_next) * 0.5 - cell;
            let c = (cell as usize).min(self.width - 1);
            self.cells[base + c] += dd * (1.0 - m);
            self.cells[base + c + 1] += dd * m;
            x = x_next;
        }
    }

    /// Threshold the running sums into spans, offset by `(dx, dy)`.
    fn spans(&self, dx: i32, dy: i32) -> Vec<Span> {
        let mut out = Vec::new();
        for (row, cells) in self.cells.chunks_exact(self.width + 1).enumerate() {
            let mut sum = 0.0f32;
            let mut run_start: Option<usize> = None;
            for (x, &c) in cells[..self.width].iter().enumerate() {
                sum += c;
                let black = sum.abs() >= THRESHOLD;
                match (black, run_start) {
                    (true, None) => run_start = Some(x),
                    (false, Some(s)) => {
                        out.push(span(row, s, x, dx, dy));
                        run_start = None;
                    }
                    _ => {}
                }
            }
            if let Some(s) = run_start {
                out.push(span(row, s, self.width, dx, dy));
            }
        }
        out
    }
}

fn span(row: usize, x0: usize, x1: usize, dx: i32, dy: i32) -> Span {
    // Sizes are bounded by MAX_SIDE, so these fit in i32.
    Span {
        dy: row as i32 + dy,
        x0: x0 as i32 + dx,
        x1: x1 as i32 + dx,
    }
}

/// Receives the outline from ttf-parser, scales it and flattens curves.
struct Flattener<'a> {
    acc: &'a mut Accumulator,
    scale: (f32, f32),
    shift: (f32, f32),
    start: (f32, f32),
    current: (f32, f32),
}

impl Flattener<'_> {
    fn map(&self, x: f32, y: f32) -> (f32, f32) {
        (
            x * self.scale.0 + self.shift.0,
            y * self.scale.1 + self.shift.1,
        )
    }

    fn to(&mut self, p: (f32, f32)) {
        self.acc.line(self.current, p);
        self.current = p;
    }
}

/// The length of (x, y). Not `f32::hypot`: that comes from the platform's
/// libm and may round differently, and the segment count, hence the
/// reference images, must be the same everywhere (`sqrt` is exact IEEE).
fn length(x: f32, y: f32) -> f32 {
    (x * x + y * y).sqrt()
}

/// Segments needed so that a curve whose control polygon bends by `dev`
/// pixels (|p0 - 2 p1 + p2|) stays within [`TOLERANCE`]: a parabola's
/// distance from its chord is a quarter of that deviation over n squared.
fn segments(dev: f32) -> u32 {
    let n = (dev / (4.0 * TOLERANCE)).sqrt().ceil();
    if n.is_finite() {
        (n as u32).clamp(1, 64)
    } else {
        1
    }
}

impl OutlineBuilder for Flattener<'_> {
    fn move_to(&mut self, x: f32, y: f32) {
        self.close();
        let p = self.map(x, y);
        self.start = p;
        self.current = p;
    }

    fn line_to(&mut self, x: f32, y: f32) {
        let p = self.map(x, y);
        self.to(p);
    }

    fn quad_to(&mut self, x1: f32, y1: f32, x: f32, y: f32) {
        let (p0, p1, p2) = (self.current, self.map(x1, y1), self.map(x, y));
        let dev = length(p0.0 - 2.0 * p1.0 + p2.0, p0.1 - 2.0 * p1.1 + p2.1);
        let n = segments(dev);
        for i in 1..=n {
            let t = i as f32 / n as f32;
            let u = 1.0 - t;
            let q = (
                u * u * p0.0 + 2.0 * u * t * p1.0 + t * t * p2.0,
                u * u * p0.1 + 2.0 * u * t * p1.1 + t * t * p2.1,
            );
            self.to(q);
        }
    }

    fn curve_to(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, x: f32, y: f32) {
        let (p0, p1, p2, p3) = (
            self.current,
            self.map(x1, y1),
            self.map(x2, y2),
            self.map(x, y),
        );
        let dev = length(p0.0 - 2.0 * p1.0 + p2.0, p0.1 - 2.0 * p1.1 + p2.1)
            .max(length(p1.0 - 2.0 * p2.0 + p3.0, p1.1 - 2.0 * p2.1 + p3.1));
        // A cubic bends up to 3/2 as much as a parabola with the same
        // second differences.
        let n = segments(dev * 1.5);
        for i in 1..=n {
            let t = i as f32 / n as f32;
            let u = 1.0 - t;
            let (a, b, c, d) = (u * u * u, 3.0 * u * u * t, 3.0 * u * t * t, t * t * t);
            let q = (
                a * p0.0 + b * p1.0 + c * p2.0 + d * p3.0,
                a * p0.1 + b * p1.1 + c * p2.1 + d * p3.1,
            );
            self.to(q);
        }
    }

    fn close(&mut self) {
        if self.current != self.start {
            let s = self.start;
            self.to(s);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn area(spans: &[Span]) -> i32 {
        spans.iter().map(|s| s.x1 - s.x0).sum()
    }

    #[test]
    fn a_square_covers_its_area() {
        let mut acc = Accumulator::new(10, 10);
        // A 4 x 3 rectangle at (2.5, 3), clockwise in y-down coordinates.
        let pts = [(2.5, 3.0), (6.5, 3.0), (6.5, 6.0), (2.5, 6.0), (2.5, 3.0)];
        for w in pts.windows(2) {
            acc.line(w[0], w[1]);
        }
        let spans = acc.spans(0, 0);
        // Half-covered edge pixels (0.5) are black at threshold 0.45.
        assert_eq!(spans.len(), 3);
        for s in &spans {
            assert_eq!((s.x0, s.x1), (2, 7));
        }
    }

    #[test]
    fn stems_are_solid_at_every_resolution() {
        // The vertical stem of 'l' at 11 pt: every row it spans is black
        // across at least 2 pixels (DejaVu's stem is ~0.09 em = 2.8 px).
        for res in Resolution::ALL {
            let f = face(FontStyle::Regular);
            let spans = rasterize_glyph(FontStyle::Regular, f.glyph('l').unwrap(), 11.0, res);
            let rows: std::collections::BTreeSet<i32> = spans.iter().map(|s| s.dy).collect();
            let (first, last) = (*rows.first().unwrap(), *rows.last().unwrap());
            assert_eq!(rows.len() as i32, last - first + 1, "{res}: no gaps");
            assert!(spans.iter().all(|s| s.x1 - s.x0 >= 2), "{res}");
            assert_eq!(last, -1, "{res}: the stem sits on the baseline");
        }
    }

    #[test]
    fn bold_is_darker_and_size_scales() {
        let g = |style| face(style).glyph('H').unwrap();
        let r = area(&rasterize_glyph(
            FontStyle::Regular,
            g(FontStyle::Regular),
            12.0,
            Resolution::Fine,
        ));
        let b = area(&rasterize_glyph(
            FontStyle::Bold,
            g(FontStyle::Bold),
            12.0,
            Resolution::Fine,
        ));
        let r2 = area(&rasterize_glyph(
            FontStyle::Regular,
            g(FontStyle::Regular),
            24.0,
            Resolution::Fine,
        ));
        assert!(b > r);
        assert!(r2 > 3 * r && r2 < 5 * r);
        let space = face(FontStyle::Regular).glyph(' ').unwrap();
        assert!(rasterize_glyph(FontStyle::Regular, space, 12.0, Resolution::Fine).is_empty());
    }
}

//! Geometry of the flattened page: the perspective map from the fax page
//! back into the picture, the skew of text lines, and the resampling.

use faxprep_page::GrayPage;

use super::grid::{CELL, Grid};
use super::sheet::Pt;

/// A plane projective map `(u, v) -> (x, y)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Homography([f64; 8]);

impl Homography {
    /// The map that takes each `from[k]` to `to[k]`; `None` when the points
    /// are degenerate (three on a line).
    pub(crate) fn between(from: &[Pt; 4], to: &[Pt; 4]) -> Option<Homography> {
        let mut a = [[0.0f64; 9]; 8];
        for k in 0..4 {
            let ((u, v), (x, y)) = (from[k], to[k]);
            a[2 * k] = [u, v, 1.0, 0.0, 0.0, 0.0, -u * x, -v * x, x];
            a[2 * k + 1] = [0.0, 0.0, 0.0, u, v, 1.0, -u * y, -v * y, y];
        }
        // Gaussian elimination with partial pivoting.
        for col in 0..8 {
            let pivot = (col..8).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
            if a[pivot][col].abs() < 1e-12 {
                return None;
            }
            a.swap(col, pivot);
            for row in 0..8 {
                if row != col {
                    let f = a[row][col] / a[col][col];
                    let pivot_row = a[col];
                    for (x, p) in a[row].iter_mut().zip(pivot_row).skip(col) {
                        *x -= f * p;
                    }
                }
            }
        }
        let mut h = [0.0; 8];
        for (k, hk) in h.iter_mut().enumerate() {
            *hk = a[k][8] / a[k][k];
        }
        h.iter().all(|v| v.is_finite()).then_some(Homography(h))
    }

    /// A turn by the angle whose tangent is `t` about `(cx, cy)`: a row of
    /// the result samples a line of slope `t` through the source.
    pub(crate) fn turn(t: f64, cx: f64, cy: f64) -> Homography {
        let c = 1.0 / (1.0 + t * t).sqrt();
        let s = t * c;
        // x = cx + (u - cx) c - (v - cy) s, y = cy + (u - cx) s + (v - cy) c
        Homography([
            c,
            -s,
            cx - cx * c + cy * s,
            s,
            c,
            cy - cx * s - cy * c,
            0.0,
            0.0,
        ])
    }

    /// This map after moving the result by (`dx`, `dy`): `(u, v)` maps
    /// where `(u + dx, v + dy)` used to.
    pub(crate) fn then_shift(self, dx: f64, dy: f64) -> Homography {
        let mut h = self.0;
        // x = (h0 (u+dx) + h1 (v+dy) + h2) / (h6 (u+dx) + h7 (v+dy) + 1)
        let d = h[6] * dx + h[7] * dy + 1.0;
        h[2] += h[0] * dx + h[1] * dy;
        h[5] += h[3] * dx + h[4] * dy;
        for v in h.iter_mut() {
            *v /= d;
        }
        Homography(h)
    }

    pub(crate) fn apply(&self, u: f64, v: f64) -> Pt {
        let h = &self.0;
        let d = h[6] * u + h[7] * v + 1.0;
        (
            (h[0] * u + h[1] * v + h[2]) / d,
            (h[3] * u + h[4] * v + h[5]) / d,
        )
    }
}

/// The source pixel value at (`x`, `y`) (pixel centres at whole numbers),
/// bilinear, with white outside the page.
fn sample(page: &GrayPage, x: f64, y: f64) -> f64 {
    let (w, h) = (page.width() as usize, page.height() as usize);
    if !(x > -1.0 && y > -1.0 && x < w as f64 && y < h as f64) {
        return 255.0;
    }
    let (fx, fy) = (x.clamp(0.0, (w - 1) as f64), y.clamp(0.0, (h - 1) as f64));
    let (x0, y0) = (fx as usize, fy as usize);
    let (x1, y1) = ((x0 + 1).min(w - 1), (y0 + 1).min(h - 1));
    let (tx, ty) = (fx - x0 as f64, fy - y0 as f64);
    let d = page.data();
    let p = |x: usize, y: usize| f64::from(d[y * w + x]);
    let top = p(x0, y0) * (1.0 - tx) + p(x1, y0) * tx;
    let bot = p(x0, y1) * (1.0 - tx) + p(x1, y1) * tx;
    top * (1.0 - ty) + bot * ty
}

/// The page made even: every pixel divided by the paper level around it,
/// so paper is 255, then stretched so that the page's typical ink (`ink`,
/// on that scale) is 40 and 90% of the paper level is white: the faint
/// pencil and grey print of a photo come out as solid as printed ink.
pub(crate) fn even(page: &GrayPage, paper: &Grid, ink: u8) -> GrayPage {
    let (w, h) = (page.width() as usize, page.height() as usize);
    let mut out = page.clone();
    // 255 / level in 16.16 fixed point, per paper level.
    let recip: Vec<u32> = (0..256u32).map(|l| (255 << 16) / l.max(16)).collect();
    // The tone curve, per evened level.
    let white = 215i32;
    // Grey print stays grey print: the ink level taken is at most 45%.
    let ink = i32::from(ink).min(115);
    let curve: Vec<u8> = (0..256i32)
        .map(|n| (40 + (n - ink) * (255 - 40) / (white - ink)).clamp(0, 255) as u8)
        .collect();
    let mut row_level = vec![0u8; w];
    for y in 0..h {
        let gy = (y as f64 + 0.5) / CELL as f64;
        for (x, l) in row_level.iter_mut().enumerate() {
            *l = paper.sample((x as f64 + 0.5) / CELL as f64, gy).round() as u8;
        }
        let src = page.row(y as u32).to_vec();
        for ((o, &v), &l) in out.row_mut(y as u32).iter_mut().zip(&src).zip(&row_level) {
            let n = ((u32::from(v) * recip[usize::from(l)]) >> 16).min(255);
            *o = curve[n as usize];
        }
    }
    out
}

/// Resample `src` into a page the size of `like` through `map` (from
/// result pixel to source pixel), white where `keep` (of the result pixel)
/// says no or the map leaves the source.
pub(crate) fn resample(
    src: &GrayPage,
    like: &GrayPage,
    map: &Homography,
    keep: &dyn Fn(f64, f64) -> bool,
) -> GrayPage {
    let mut out = like.clone();
    for y in 0..like.height() {
        let row = out.row_mut(y);
        for (x, o) in row.iter_mut().enumerate() {
            let (fx, fy) = (x as f64, f64::from(y));
            let (sx, sy) = map.apply(fx, fy);
            *o = if keep(fx, fy) {
                sample(src, sx, sy).round() as u8
            } else {
                255
            };
        }
    }
    out
}

/// A binomial blur of radius 2 (`[1 4 6 4 1] / 16` each way, sigma 1
/// pixel): a phone's picture is softer than that already, and what it
/// removes is sensor and JPEG noise on the edges of strokes, which the
/// threshold would turn into ragged edges that cost bytes on the line.
pub(crate) fn soften(page: &mut GrayPage) {
    const K: [u32; 5] = [1, 4, 6, 4, 1];
    let (w, h) = (page.width() as usize, page.height() as usize);
    let data = page.data_mut();
    let mut line = vec![0u8; w.max(h)];
    for y in 0..h {
        let row = &mut data[y * w..(y + 1) * w];
        line[..w].copy_from_slice(row);
        for (x, o) in row.iter_mut().enumerate() {
            let mut acc = 0u32;
            for (k, &c) in K.iter().enumerate() {
                let xx = (x + k).saturating_sub(2).min(w - 1);
                acc += c * u32::from(line[xx]);
            }
            *o = ((acc + 8) / 16) as u8;
        }
    }
    for x in 0..w {
        for y in 0..h {
            line[y] = data[y * w + x];
        }
        for y in 0..h {
            let mut acc = 0u32;
            for (k, &c) in K.iter().enumerate() {
                let yy = (y + k).saturating_sub(2).min(h - 1);
                acc += c * u32::from(line[yy]);
            }
            data[y * w + x] = ((acc + 8) / 16) as u8;
        }
    }
}

/// Tangent of the skew of the text lines on an even page, within about
/// 15 degrees; 0 when the lines are level or no lines are found.
pub(crate) fn skew(page: &GrayPage) -> f64 {
    const B: usize = 4;
    let (w, h) = (page.width() as usize, page.height() as usize);
    // Ink blocks: 4 x 4 blocks with a pixel darker than half the paper.
    let mut ink: Vec<(f64, f64)> = Vec::new();
    for by in 0..h / B {
        for bx in 0..w / B {
            let dark = (0..B).any(|dy| {
                page.row((by * B + dy) as u32)[bx * B..bx * B + B]
                    .iter()
                    .any(|&v| v < 110)
            });
            if dark {
                ink.push((bx as f64, by as f64));
            }
        }
    }
    if ink.len() < 200 || ink.len() * 3 > (w / B) * (h / B) {
        return 0.0;
    }
    let bins = (h / B) * 2 + w / B;
    let score = |t: f64| -> u64 {
        let mut hist = vec![0u32; bins];
        let off = (w / B) as f64 * 0.3;
        for &(x, y) in &ink {
            let b = (y - t * x + off).round();
            if b >= 0.0 && (b as usize) < bins {
                hist[b as usize] += 1;
            }
        }
        hist.iter().map(|&n| u64::from(n) * u64::from(n)).sum()
    };
    let coarse = (-54..=54).map(|i| f64::from(i) * 0.005);
    let (mut best_t, mut best) = (0.0, score(0.0));
    let level = best;
    for t in coarse {
        let s = score(t);
        if s > best {
            (best_t, best) = (t, s);
        }
    }
    let centre = best_t;
    for i in -10..=10 {
        let t = centre + f64::from(i) * 0.0005;
        let s = score(t);
        if s > best {
            (best_t, best) = (t, s);
        }
    }
    // Only a clear peak away from level is a skew.
    if best_t.abs() < 0.004 || (best as f64) < 1.05 * level as f64 {
        0.0
    } else {
        best_t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn homography_maps_the_corners() {
        let from = [(0.0, 0.0), (100.0, 0.0), (100.0, 200.0), (0.0, 200.0)];
        let to = [(10.0, 5.0), (90.0, 12.0), (95.0, 190.0), (3.0, 180.0)];
        let h = Homography::between(&from, &to).unwrap();
        for (f, t) in from.iter().zip(&to) {
            let p = h.apply(f.0, f.1);
            assert!((p.0 - t.0).abs() < 1e-6 && (p.1 - t.1).abs() < 1e-6);
        }
        let line = [(0.0, 0.0), (1.0, 1.0), (2.0, 2.0), (0.0, 5.0)];
        assert!(Homography::between(&line, &to).is_none());
    }

    #[test]
    fn a_turn_samples_along_the_slope() {
        let h = Homography::turn(0.1, 50.0, 50.0);
        let (a, b) = (h.apply(10.0, 50.0), h.apply(90.0, 50.0));
        assert!(((b.1 - a.1) / (b.0 - a.0) - 0.1).abs() < 1e-9);
    }
}

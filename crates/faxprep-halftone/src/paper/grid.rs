//! A reduced copy of the page, one cell per 8 x 8 pixels, and the
//! morphology and smoothing the paper analysis runs on it.

use faxprep_page::GrayPage;

/// Cell size in pixels (1 mm at fine resolution).
pub(crate) const CELL: usize = 8;

/// A grid of cells with one `u8` each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Grid {
    pub(crate) w: usize,
    pub(crate) h: usize,
    pub(crate) v: Vec<u8>,
}

impl Grid {
    pub(crate) fn at(&self, x: usize, y: usize) -> u8 {
        self.v[y * self.w + x]
    }

    /// Bilinear value at cell coordinates (`gx`, `gy`) in cell units, the
    /// centre of cell 0 at 0.5; clamped at the borders.
    pub(crate) fn sample(&self, gx: f64, gy: f64) -> f64 {
        let fx = (gx - 0.5).clamp(0.0, (self.w - 1) as f64);
        let fy = (gy - 0.5).clamp(0.0, (self.h - 1) as f64);
        let (x0, y0) = (fx as usize, fy as usize);
        let (x1, y1) = ((x0 + 1).min(self.w - 1), (y0 + 1).min(self.h - 1));
        let (tx, ty) = (fx - x0 as f64, fy - y0 as f64);
        let top = f64::from(self.at(x0, y0)) * (1.0 - tx) + f64::from(self.at(x1, y0)) * tx;
        let bot = f64::from(self.at(x0, y1)) * (1.0 - tx) + f64::from(self.at(x1, y1)) * tx;
        top * (1.0 - ty) + bot * ty
    }
}

/// Brightest and darkest pixel of every cell.
#[derive(Clone)]
pub(crate) struct Cells {
    pub(crate) max: Grid,
    pub(crate) min: Grid,
}

/// Reduce `page` to cells.
pub(crate) fn cells(page: &GrayPage) -> Cells {
    let width = page.width() as usize;
    let height = page.height() as usize;
    let (w, h) = (width.div_ceil(CELL), height.div_ceil(CELL));
    let mut max = vec![0u8; w * h];
    let mut min = vec![255u8; w * h];
    let mut col_max = vec![0u8; width];
    let mut col_min = vec![255u8; width];
    for gy in 0..h {
        col_max.fill(0);
        col_min.fill(255);
        for y in gy * CELL..((gy + 1) * CELL).min(height) {
            let row = page.row(y as u32);
            for ((hi, lo), &v) in col_max.iter_mut().zip(col_min.iter_mut()).zip(row) {
                *hi = (*hi).max(v);
                *lo = (*lo).min(v);
            }
        }
        for (gx, (hi, lo)) in col_max.chunks(CELL).zip(col_min.chunks(CELL)).enumerate() {
            let i = gy * w + gx;
            max[i] = hi.iter().fold(0, |a, &v| a.max(v));
            min[i] = lo.iter().fold(255, |a, &v| a.min(v));
        }
    }
    Cells {
        max: Grid { w, h, v: max },
        min: Grid { w, h, v: min },
    }
}

/// Running extreme over `2 r + 1` cells along rows, then along columns
/// (the maximum when `MAX`, else the minimum).
fn extreme<const MAX: bool>(g: &Grid, r: usize) -> Grid {
    let pick = |a: u8, b: u8| if MAX { a.max(b) } else { a.min(b) };
    let start = if MAX { 0 } else { 255 };
    let (w, h) = (g.w, g.h);
    let mut tmp = vec![start; g.v.len()];
    for (src, dst) in g.v.chunks_exact(w).zip(tmp.chunks_exact_mut(w)) {
        for (x, d) in dst.iter_mut().enumerate() {
            let (a, b) = (x.saturating_sub(r), (x + r).min(w - 1));
            *d = src[a..=b].iter().fold(start, |m, &v| pick(m, v));
        }
    }
    // Along columns a row at a time, so the inner loop runs over a whole
    // row of cells.
    let mut out = vec![start; g.v.len()];
    for (y, dst) in out.chunks_exact_mut(w).enumerate() {
        let (a, b) = (y.saturating_sub(r), (y + r).min(h - 1));
        for src in tmp[a * w..(b + 1) * w].chunks_exact(w) {
            for (d, &v) in dst.iter_mut().zip(src) {
                *d = pick(*d, v);
            }
        }
    }
    Grid { w, h, v: out }
}

/// Grey-level closing (bright wins): removes dark marks narrower than
/// `2 r + 1` cells and keeps the edges of larger bright areas in place.
pub(crate) fn close(g: &Grid, r: usize) -> Grid {
    extreme::<false>(&extreme::<true>(g, r), r)
}

/// Grey-level opening (dark wins): removes bright marks narrower than
/// `2 r + 1` cells.
pub(crate) fn open(g: &Grid, r: usize) -> Grid {
    extreme::<true>(&extreme::<false>(g, r), r)
}

/// Box mean over `2 r + 1` cells each way, of the cells where `weight` is
/// non-zero (normalised convolution); `None` where no cell in the box has
/// weight.
pub(crate) fn masked_mean(g: &Grid, weight: &[bool], r: usize) -> Vec<Option<f64>> {
    let (w, h) = (g.w, g.h);
    // Summed-area tables of value and weight.
    let mut sv = vec![0u64; (w + 1) * (h + 1)];
    let mut sw = vec![0u32; (w + 1) * (h + 1)];
    for y in 0..h {
        let (mut rv, mut rw) = (0u64, 0u32);
        for x in 0..w {
            if weight[y * w + x] {
                rv += u64::from(g.v[y * w + x]);
                rw += 1;
            }
            sv[(y + 1) * (w + 1) + x + 1] = sv[y * (w + 1) + x + 1] + rv;
            sw[(y + 1) * (w + 1) + x + 1] = sw[y * (w + 1) + x + 1] + rw;
        }
    }
    let mut out = Vec::with_capacity(w * h);
    for y in 0..h {
        let (y0, y1) = (y.saturating_sub(r), (y + r + 1).min(h));
        for x in 0..w {
            let (x0, x1) = (x.saturating_sub(r), (x + r + 1).min(w));
            let at = |yy: usize, xx: usize| yy * (w + 1) + xx;
            let n = sw[at(y1, x1)] + sw[at(y0, x0)] - sw[at(y0, x1)] - sw[at(y1, x0)];
            let s = sv[at(y1, x1)] + sv[at(y0, x0)] - sv[at(y0, x1)] - sv[at(y1, x0)];
            out.push((n > 0).then(|| s as f64 / f64::from(n)));
        }
    }
    out
}

/// Box blur of `2 r + 1` cells each way (all cells weighted).
pub(crate) fn blur(g: &Grid, r: usize) -> Grid {
    let all = vec![true; g.v.len()];
    let v = masked_mean(g, &all, r)
        .into_iter()
        .map(|m| m.unwrap_or(0.0).round() as u8)
        .collect();
    Grid { w: g.w, h: g.h, v }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closing_removes_thin_dark_marks_and_keeps_large_ones() {
        // 20 x 20 bright cells, a dark column 2 wide and a dark block 8 wide.
        let mut v = vec![200u8; 400];
        for y in 0..20 {
            for x in 3..5 {
                v[y * 20 + x] = 20;
            }
            for x in 10..18 {
                v[y * 20 + x] = 30;
            }
        }
        let g = Grid { w: 20, h: 20, v };
        let c = close(&g, 2);
        assert!((0..20).all(|y| c.at(3, y) == 200 && c.at(4, y) == 200));
        assert!((0..20).all(|y| (11..17).all(|x| c.at(x, y) == 30)));
    }

    #[test]
    fn masked_mean_ignores_unweighted_cells() {
        let g = Grid {
            w: 3,
            h: 1,
            v: vec![100, 0, 200],
        };
        let m = masked_mean(&g, &[true, false, true], 1);
        assert_eq!(m, vec![Some(100.0), Some(150.0), Some(200.0)]);
        assert_eq!(masked_mean(&g, &[false; 3], 1), vec![None; 3]);
    }
}

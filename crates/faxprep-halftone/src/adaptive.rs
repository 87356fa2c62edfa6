//! Adaptive threshold (Sauvola) for pages with uneven backgrounds.
//!
//! J. Sauvola and M. Pietikäinen, "Adaptive document image binarization",
//! Pattern Recognition 33 (2000): a pixel is black when it is darker than
//! `T = m * (1 + k * (s / R - 1))`, where `m` and `s` are the mean and the
//! standard deviation of a window around it and `R = 128` is the largest
//! deviation of 8-bit data. A bright, flat window gives `T = (1 - k) m`
//! (faint background noise stays white); a window with ink in it raises
//! `T` towards `m`.
//!
//! `T` is computed once per 8 x 8 block rather than once per pixel, from a
//! window of whole blocks centred on the block (5 x 5 blocks, 40 px, at
//! fine resolution), like the grid variant in Sauvola's paper (which
//! interpolates `T` between grid points): `m` and `s` of a 40 px window
//! change little when it moves by the 4 px that separate a pixel from its
//! block's centre, while the arithmetic per pixel drops to one comparison.
//! That is what makes it as fast as a fixed threshold plus a pass of sums
//! (3.7 ms per fine page instead of 14 ms per pixel-centred window). The
//! steps:
//! 1. the sum and the sum of squares of every block (one pass over the
//!    pixels, summing columns, which vectorizes);
//! 2. prefix sums of those down every column of blocks (216 x 270 blocks
//!    at fine resolution), in wrapping `u32` whose differences are exact:
//!    a window's sum of squares is at most 40 * 72 * 65025 = 1.9e8 < 2^31
//!    whatever the page size; then per block row, running sums along the
//!    row give every window's totals;
//! 3. the cut of every block, `ceil(T)` (for an integer `v`, `v < T` is
//!    `v < ceil(T)`), in `f32` with one square root, exact IEEE operations
//!    only, so the same bits on every platform;
//! 4. a pass over the pixels comparing each with its block's cut, eight at
//!    a time into a byte.

use faxprep_page::{BitPage, GrayPage};

use crate::{HalftoneOptions, par};

/// Block size in pixels, both ways.
const BLOCK: usize = 8;
/// Horizontal window radius in blocks: 5 blocks are 40 px, 5 mm at
/// 204 dpi, about two text lines of 10 pt, wide enough to see both ink and
/// background.
const RBX: usize = 2;
/// The largest vertical radius in blocks (superfine).
const RBY_MAX: usize = 4;
/// Sauvola's k: 0.3 keeps gray text (value 100 on white has `T` about
/// 160) while flat paper gets `T = 0.7 m`.
const K: f32 = 0.3;
/// Sauvola's R: the largest standard deviation of 8-bit data.
const R: f32 = 128.0;
/// Pixels darker than this are black whatever the window says: Sauvola
/// alone turns the inside of large black areas white (there `m = v`).
const DARK: u8 = 96;
/// Block rows per parallel band (64 pixel rows).
const BAND_BLOCKS: usize = 8;

/// Vertical radius in blocks for the page's resolution, so that the window
/// covers the same height on paper.
fn rby_for(page: &GrayPage) -> usize {
    let rby = RBX * page.resolution().y_dpi() as usize / 196;
    rby.clamp(1, RBY_MAX)
}

/// Sauvola binarization.
pub(crate) fn adaptive(page: &GrayPage, opts: &HalftoneOptions) -> BitPage {
    let width = page.width() as usize;
    let height = page.height() as usize;
    let bh = height.div_ceil(BLOCK);
    let sums = par::map_indices(opts, bh, |by| block_sums(page, by));
    let prefix = Prefix::new(&sums);
    let rby = rby_for(page);
    let cuts = par::map_indices(opts, bh, |by| prefix.cut_row(by, rby, width, height));

    let stride = BitPage::stride_for(page.width());
    let mut data = crate::spare::zeroed(stride * height);
    par::for_each_band(opts, &mut data, stride, BAND_BLOCKS * BLOCK, |y0, band| {
        // Each block's cut repeated over its columns, for one block row.
        let mut cut_row = vec![0u8; width];
        for (i, dst) in band.chunks_exact_mut(stride).enumerate() {
            let y = y0 + i;
            if i == 0 || y % BLOCK == 0 {
                for (c, &cut) in cut_row.chunks_mut(BLOCK).zip(&cuts[y / BLOCK]) {
                    c.fill(cut);
                }
            }
            pack_below_each(page.row(y as u32), &cut_row, dst);
        }
    });
    crate::finish(page, data)
}

/// Sum and sum of squares of every block in block row `by`.
fn block_sums(page: &GrayPage, by: usize) -> Vec<[u32; 2]> {
    let width = page.width() as usize;
    let height = page.height() as usize;
    // Column sums over the block's rows (loops that vectorize), then
    // [`BLOCK`] columns to a block.
    let mut col_sum = vec![0u32; width];
    let mut col_sq = vec![0u32; width];
    for y in by * BLOCK..((by + 1) * BLOCK).min(height) {
        let row = page.row(y as u32);
        for (s, &v) in col_sum.iter_mut().zip(row) {
            *s += u32::from(v);
        }
        for (q, &v) in col_sq.iter_mut().zip(row) {
            *q += u32::from(v) * u32::from(v);
        }
    }
    col_sum
        .chunks(BLOCK)
        .zip(col_sq.chunks(BLOCK))
        .map(|(s, q)| [s.iter().sum(), q.iter().sum()])
        .collect()
}

/// Column prefix sums over the block grid: row `by` holds, for every block
/// column, the totals of the blocks above block row `by`. They wrap
/// (`u32`): a difference of two of them is exact whenever the true total
/// is below 2^32, and a window's is below 2^31 (see the module docs).
struct Prefix {
    bw: usize,
    rows: Vec<Vec<[u32; 2]>>,
}

impl Prefix {
    fn new(sums: &[Vec<[u32; 2]>]) -> Prefix {
        let bw = sums.first().map_or(0, Vec::len);
        let mut rows = Vec::with_capacity(sums.len() + 1);
        let mut acc = vec![[0u32; 2]; bw];
        rows.push(acc.clone());
        for row in sums {
            for (a, b) in acc.iter_mut().zip(row) {
                a[0] = a[0].wrapping_add(b[0]);
                a[1] = a[1].wrapping_add(b[1]);
            }
            rows.push(acc.clone());
        }
        Prefix { bw, rows }
    }

    /// The cuts of the blocks of block row `by`: pixels below them are
    /// black.
    fn cut_row(&self, by: usize, rby: usize, width: usize, height: usize) -> Vec<u8> {
        let bw = self.bw;
        let bh = self.rows.len() - 1;
        let (y0, y1) = (by.saturating_sub(rby), (by + rby + 1).min(bh));
        let rows_px = ((y1 * BLOCK).min(height) - y0 * BLOCK) as f32;
        // Running totals along the row of the window's column totals; a
        // window holds at most 40 x 72 pixels, so its totals fit in `i32`
        // (which converts to `f32` in vector registers).
        let mut run = Vec::with_capacity(bw + 1);
        let mut acc = [0u32; 2];
        run.push(acc);
        for (a, b) in self.rows[y1].iter().zip(&self.rows[y0]) {
            acc[0] = acc[0].wrapping_add(a[0].wrapping_sub(b[0]));
            acc[1] = acc[1].wrapping_add(a[1].wrapping_sub(b[1]));
            run.push(acc);
        }
        let mut s = Vec::with_capacity(bw);
        let mut q = Vec::with_capacity(bw);
        let mut n = Vec::with_capacity(bw);
        for bx in 0..bw {
            let (x0, x1) = (bx.saturating_sub(RBX), (bx + RBX + 1).min(bw));
            s.push(run[x1][0].wrapping_sub(run[x0][0]) as i32);
            q.push(run[x1][1].wrapping_sub(run[x0][1]) as i32);
            // Pixels in the window: blocks on the right and bottom edges
            // of the page may be partial.
            n.push(((x1 * BLOCK).min(width) - x0 * BLOCK) as f32 * rows_px);
        }
        // The arithmetic in a loop of its own, which vectorizes.
        s.iter()
            .zip(&q)
            .zip(&n)
            .map(|((&s, &q), &n)| sauvola_cut(s, q, n))
            .collect()
    }
}

/// `ceil(T)` for a window of `n` pixels with sum `s` and sum of squares
/// `q`, never below [`DARK`]. Plain `f32` operations (no fused
/// multiply-add in Rust, a correctly rounded square root), so the same
/// bits on every platform; the sums are exact below 2^24 except the sum of
/// squares, whose rounding moves the variance by less than 0.01.
#[inline]
fn sauvola_cut(s: i32, q: i32, n: f32) -> u8 {
    // n >= 1: a window holds at least its own block.
    let inv = 1.0 / n;
    let m = s as f32 * inv;
    // Rounding can make this slightly negative on a flat window.
    let var = (q as f32 * inv - m * m).max(0.0);
    let t = m * (1.0 - K) + m * (K / R) * var.sqrt();
    // ceil(T) without a library call (T >= 0, so `as` truncates down);
    // T <= m <= 255, as s <= R. Integer steps only, so the loop
    // vectorizes.
    let c = t as i32;
    let c = c + i32::from((c as f32) < t);
    c.clamp(i32::from(DARK), 255) as u8
}

/// Pack one row: bit set (black) where `row[x] < cut[x]`, eight pixels
/// into a byte (the compiler keeps the comparisons in vector registers).
fn pack_below_each(row: &[u8], cut: &[u8], out: &mut [u8]) {
    let full = row.len() / 8;
    for ((byte, px), c) in out
        .iter_mut()
        .zip(row.chunks_exact(8))
        .zip(cut.chunks_exact(8))
    {
        let mut b = 0u8;
        for i in 0..8 {
            b |= u8::from(px[i] < c[i]) << (7 - i);
        }
        *byte = b;
    }
    let tail = full * 8;
    if tail < row.len() {
        let mut b = 0u8;
        for (i, (&v, &c)) in row[tail..].iter().zip(&cut[tail..]).enumerate() {
            b |= u8::from(v < c) << (7 - i);
        }
        if let Some(last) = out.get_mut(full) {
            *last = b;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flat_windows() {
        // Flat paper: T = 0.7 m, so 250 stays white and 150 is black.
        let n = 40 * 40;
        let cut = sauvola_cut(250 * n, 250 * 250 * n, n as f32);
        assert_eq!(cut, 175);
        // Inside a black area: the dark floor.
        assert_eq!(sauvola_cut(0, 0, n as f32), DARK);
    }

    #[test]
    fn gray_text_in_a_window_with_ink() {
        // A window with 20% ink at 100 on white: m = 224, s = 62.
        let (s, q) = (20 * 100 + 80 * 255, 20 * 100 * 100 + 80 * 255 * 255);
        let cut = sauvola_cut(s, q, 100.0);
        assert!(150 < cut && cut <= 200, "{cut}");
    }

    #[test]
    fn packing_against_a_cut_per_pixel() {
        let row = [10u8, 200, 10, 200, 10, 200, 10, 200, 10, 90];
        let cut = [100u8; 10];
        let mut out = [0u8; 2];
        pack_below_each(&row, &cut, &mut out);
        assert_eq!(out, [0b1010_1010, 0b1100_0000]);
    }
}

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
//! The window sums come from summed columns: each band keeps, for every
//! column, the sum and the sum of squares of the rows inside the window,
//! updated by one row added and one removed per output row, and a prefix
//! sum along the row turns them into window sums. That is a summed-area
//! table restricted to the window's rows: the same box sums in O(1) per
//! pixel, with O(width) memory instead of two page-sized tables.
//!
//! Overflow bounds (every sum is unsigned): a column sum of squares is at
//! most `255^2 * (2 * RY_MAX + 1) = 65025 * 65` (4.2e6). The prefix sums
//! along a row can exceed `u32` on very wide pages (a 65536-pixel row of
//! column sums of squares reaches 2.8e11), so they wrap, and a window sum
//! is the wrapping difference of two prefixes: exact, because the true
//! window sum is below 2^32 (at most `65025 * 33 * 65` = 1.4e8). For a
//! 1728 x 5500 page nothing comes near wrapping (row prefix at most
//! 65025 * 33 * 1728 = 3.7e9 < 2^32, for the fine window). The final test
//! is done in exact integers (u128), so the output does not depend on
//! floating-point rounding.

use faxprep_page::{BitPage, GrayPage};

use crate::{HalftoneOptions, par};

/// Horizontal window radius: 33 px is 4.1 mm at 204 dpi, about two text
/// lines of 10 pt, wide enough to see both ink and background.
const RX: usize = 16;
/// The largest vertical radius (superfine).
const RY_MAX: usize = 32;
/// Sauvola's k as a fraction `K_NUM / K_DEN`: 0.3 keeps gray text (value
/// 100 on white has `T` about 160) while flat paper gets `T = 0.7 m`.
const K_NUM: u64 = 3;
const K_DEN: u64 = 10;
/// Sauvola's R: the largest standard deviation of 8-bit data.
const R: u64 = 128;
/// Pixels darker than this are black whatever the window says: Sauvola
/// alone turns the inside of large black areas white (there `m = v`).
const DARK: u8 = 96;
/// Rows per parallel band.
const BAND_ROWS: usize = 64;

/// Vertical radius for the page's resolution, so that the window covers
/// the same height on paper.
fn ry_for(page: &GrayPage) -> usize {
    let ry = RX * page.resolution().y_dpi() as usize / 196;
    ry.clamp(1, RY_MAX)
}

/// Sauvola binarization.
pub(crate) fn adaptive(page: &GrayPage, opts: &HalftoneOptions) -> BitPage {
    let stride = BitPage::stride_for(page.width());
    let mut data = vec![0u8; stride * page.height() as usize];
    let ry = ry_for(page);
    par::for_each_band(opts, &mut data, stride, BAND_ROWS, |y0, band| {
        Band::new(page, y0, ry).run(band, stride);
    });
    crate::finish(page, data)
}

/// The running column sums of one band.
struct Band<'a> {
    page: &'a GrayPage,
    width: usize,
    height: usize,
    ry: usize,
    y0: usize,
    /// Per column: sum of the rows in the window.
    col_sum: Vec<u32>,
    /// Per column: sum of squares of the rows in the window.
    col_sq: Vec<u32>,
    /// Prefix sums of `col_sum` / `col_sq` along the row (wrapping).
    pre_sum: Vec<u32>,
    pre_sq: Vec<u32>,
}

impl<'a> Band<'a> {
    fn new(page: &'a GrayPage, y0: usize, ry: usize) -> Band<'a> {
        let width = page.width() as usize;
        let height = page.height() as usize;
        let mut band = Band {
            page,
            width,
            height,
            ry,
            y0,
            col_sum: vec![0; width],
            col_sq: vec![0; width],
            pre_sum: vec![0; width + 1],
            pre_sq: vec![0; width + 1],
        };
        // The window of row y0 holds rows y0 - ry ..= y0 + ry (clipped).
        let lo = y0.saturating_sub(ry);
        let hi = (y0 + ry + 1).min(height);
        for y in lo..hi {
            band.add_row(y);
        }
        band
    }

    fn add_row(&mut self, y: usize) {
        let row = &self.page.data()[y * self.width..(y + 1) * self.width];
        for ((s, q), &v) in self.col_sum.iter_mut().zip(self.col_sq.iter_mut()).zip(row) {
            let v = u32::from(v);
            *s += v;
            *q += v * v;
        }
    }

    fn remove_row(&mut self, y: usize) {
        let row = &self.page.data()[y * self.width..(y + 1) * self.width];
        for ((s, q), &v) in self.col_sum.iter_mut().zip(self.col_sq.iter_mut()).zip(row) {
            let v = u32::from(v);
            *s -= v;
            *q -= v * v;
        }
    }

    fn run(mut self, out: &mut [u8], stride: usize) {
        for (i, dst) in out.chunks_exact_mut(stride).enumerate() {
            let y = self.y0 + i;
            if i > 0 {
                // Slide the window from y - 1 to y.
                if let Some(old) = (y - 1).checked_sub(self.ry) {
                    self.remove_row(old);
                }
                if y + self.ry < self.height {
                    self.add_row(y + self.ry);
                }
            }
            let rows = (y + self.ry + 1).min(self.height) - y.saturating_sub(self.ry);
            self.prefix();
            self.binarize_row(y, rows as u64, dst);
        }
    }

    fn prefix(&mut self) {
        let (mut s, mut q) = (0u32, 0u32);
        for x in 0..self.width {
            self.pre_sum[x] = s;
            self.pre_sq[x] = q;
            s = s.wrapping_add(self.col_sum[x]);
            q = q.wrapping_add(self.col_sq[x]);
        }
        self.pre_sum[self.width] = s;
        self.pre_sq[self.width] = q;
    }

    fn binarize_row(&self, y: usize, rows: u64, dst: &mut [u8]) {
        let row = &self.page.data()[y * self.width..(y + 1) * self.width];
        dst.fill(0);
        for (x, &v) in row.iter().enumerate() {
            let x0 = x.saturating_sub(RX);
            let x1 = (x + RX + 1).min(self.width);
            let n = rows * (x1 - x0) as u64;
            let sum = u64::from(self.pre_sum[x1].wrapping_sub(self.pre_sum[x0]));
            let sq = u64::from(self.pre_sq[x1].wrapping_sub(self.pre_sq[x0]));
            if sauvola_black(v, n, sum, sq) {
                dst[x / 8] |= 0x80 >> (x % 8);
            }
        }
    }
}

/// Whether `v` is below Sauvola's threshold for a window of `n` pixels with
/// sum `sum` and sum of squares `sq`, decided in exact integers.
#[inline]
fn sauvola_black(v: u8, n: u64, sum: u64, sq: u64) -> bool {
    if v < DARK {
        return true;
    }
    let vn = u64::from(v) * n;
    // s <= 127.5 < R, so T < m: nothing at or above the mean is black.
    if vn >= sum {
        return false;
    }
    // T >= (1 - k) m: anything below that is black.
    let lhs = K_DEN * vn;
    let base = (K_DEN - K_NUM) * sum;
    if lhs < base {
        return true;
    }
    // v < m (1 - k) + k m s / R, times n * K_DEN and squared (both sides
    // are non-negative here):
    //   (K_DEN v n - (K_DEN - K_NUM) S)^2 R^2 n^2 < K_NUM^2 S^2 (n Q - S^2).
    let d = u128::from(lhs - base);
    let var_n2 = u128::from(n * sq).saturating_sub(u128::from(sum) * u128::from(sum));
    let left = d * d * u128::from(R * R) * u128::from(n) * u128::from(n);
    let right = u128::from(K_NUM * K_NUM) * u128::from(sum) * u128::from(sum) * var_n2;
    left < right
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flat_windows() {
        // Flat paper: T = 0.7 m, so 250 stays white and 150 is black.
        let n = 33 * 33;
        assert!(!sauvola_black(250, n, 250 * n, 250 * 250 * n));
        assert!(sauvola_black(150, n, 250 * n, 250 * 250 * n));
        // Inside a black area.
        assert!(sauvola_black(0, n, 0, 0));
    }

    #[test]
    fn gray_text_in_a_window_with_ink() {
        // A window with 20% ink at 100 on white: m = 224, s = 62.
        let n = 100u64;
        let sum = 20 * 100 + 80 * 255;
        let sq = 20 * 100 * 100 + 80 * 255 * 255;
        assert!(sauvola_black(100, n, sum, sq));
        assert!(sauvola_black(150, n, sum, sq));
        assert!(!sauvola_black(200, n, sum, sq));
    }
}

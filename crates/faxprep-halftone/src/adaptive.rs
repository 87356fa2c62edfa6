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
//! updated by one row added and one removed per output row, and a running
//! sum along the row turns them into window sums. That is a summed-area
//! table restricted to the window: the same box sums in O(1) per pixel,
//! with O(width) memory instead of two page-sized tables (a full table of
//! squares would need u64, or wrapping u32, on a 1728 x 5500 page:
//! 65025 * 9.5e6 = 6.2e11).
//!
//! Overflow bounds (all sums are u32): a column sum of squares is at most
//! `65025 * (2 * RY_MAX + 1)` = 4.2e6, a window sum of squares at most
//! `65025 * 33 * 65` = 1.4e8, far below 2^32 whatever the page size.

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
        let mut win_sum = vec![0u32; self.width];
        let mut win_sq = vec![0u32; self.width];
        let mut black = vec![0u8; self.width];
        // Three passes a row, each a simple loop the compiler vectorizes
        // (except the running sums): slide, decide, pack.
        // 1 / columns in each pixel's window (clipped at the page edges).
        let inv_cols: Vec<f32> = (0..self.width)
            .map(|x| 1.0 / ((x + RX + 1).min(self.width) - x.saturating_sub(RX)) as f32)
            .collect();
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
            let inv_rows = 1.0 / rows as f32;
            slide(&self.col_sum, &mut win_sum);
            slide(&self.col_sq, &mut win_sq);
            let row = &self.page.data()[y * self.width..(y + 1) * self.width];
            for ((((b, &v), &s), &q), &c) in black
                .iter_mut()
                .zip(row)
                .zip(&win_sum)
                .zip(&win_sq)
                .zip(&inv_cols)
            {
                // 0 for black, so that packing "below 1" sets the bit.
                *b = u8::from(!sauvola_black(v, c * inv_rows, s, q));
            }
            crate::threshold::pack_below(&black, 1, dst);
        }
    }
}

/// Window sums along a row: `out[x]` is the sum of `col[x - RX ..= x + RX]`
/// (clipped), by adding the column entering and removing the one leaving.
fn slide(col: &[u32], out: &mut [u32]) {
    let w = col.len().min(out.len());
    let span = 2 * RX + 1;
    if w <= span {
        // Narrow page: every window is clipped on some side.
        for (x, o) in out.iter_mut().enumerate().take(w) {
            *o = col[x.saturating_sub(RX)..(x + RX + 1).min(w)].iter().sum();
        }
        return;
    }
    let mut acc: u32 = col[..=RX].iter().sum();
    out[0] = acc;
    // Left edge: columns enter, none leave.
    for (o, &c) in out[1..=RX].iter_mut().zip(&col[RX + 1..span]) {
        acc += c;
        *o = acc;
    }
    // Middle: column x + RX enters, x - RX - 1 leaves (no bounds tests).
    for ((o, &enter), &leave) in out[RX + 1..w - RX]
        .iter_mut()
        .zip(&col[span..w])
        .zip(&col[..w - span])
    {
        acc = acc + enter - leave;
        *o = acc;
    }
    // Right edge: columns leave, none enter.
    for (o, &leave) in out[w - RX..w].iter_mut().zip(&col[w - span..w - RX - 1]) {
        acc -= leave;
        *o = acc;
    }
}

/// Sauvola's k and the squares the test needs, as `f32`.
const K: f32 = K_NUM as f32 / K_DEN as f32;
const K2_OVER_R2: f32 = K * K / (R * R) as f32;

/// Whether `v` is below Sauvola's threshold for a window of `1 / inv_n`
/// pixels with sum `sum` and sum of squares `sq`. No square root and no
/// branch (the compiler vectorizes the row): with
/// `d = v - (1 - k) m`, `v < T` is `d < k m s / R`, which for `d >= 0` is
/// `d^2 < (k / R)^2 m^2 s^2`. Plain `f32` arithmetic (no fused multiply-add
/// in Rust, no library functions) gives the same bits on every platform;
/// the sums are exact integers below 2^24 except the sum of squares, whose
/// rounding moves the variance by less than 0.01.
#[inline(always)]
fn sauvola_black(v: u8, inv_n: f32, sum: u32, sq: u32) -> bool {
    let v = f32::from(v);
    let m = sum as f32 * inv_n;
    // Rounding can make this slightly negative on a flat window; then the
    // last test is simply false, as it should be.
    let var = sq as f32 * inv_n - m * m;
    let d = v - (1.0 - K) * m;
    (v < f32::from(DARK)) | (d < 0.0) | ((v < m) & (d * d < K2_OVER_R2 * m * m * var))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flat_windows() {
        // Flat paper: T = 0.7 m, so 250 stays white and 150 is black.
        let n = 33 * 33;
        let inv = 1.0 / n as f32;
        assert!(!sauvola_black(250, inv, 250 * n, 250 * 250 * n));
        assert!(sauvola_black(150, inv, 250 * n, 250 * 250 * n));
        // Inside a black area.
        assert!(sauvola_black(0, inv, 0, 0));
    }

    #[test]
    fn gray_text_in_a_window_with_ink() {
        // A window with 20% ink at 100 on white: m = 224, s = 62.
        let n = 0.01;
        let sum = 20 * 100 + 80 * 255;
        let sq = 20 * 100 * 100 + 80 * 255 * 255;
        assert!(sauvola_black(100, n, sum, sq));
        assert!(sauvola_black(150, n, sum, sq));
        assert!(!sauvola_black(200, n, sum, sq));
    }
}

//! A vertical line screen whose line widths are error-diffused down each
//! line: a photo halftone made for T.4/T.6 coding.
//!
//! The page is cut into columns of `period` pixels (*cells*); each cell
//! holds one black line, grown from the cell's centre outwards, one pixel
//! to the right, then one to the left, and so on. On every row, a cell's
//! line is as wide as the cell's darkness on that row asks (the sum of
//! `255 - v` over its pixels, in units of one black pixel), plus what the
//! rows above it could not show: the difference between what each row
//! asked and the whole number of pixels it got is carried down to the next
//! row of the same cell (a one-dimensional error diffusion down each line),
//! so over a few rows the line's mean width is exactly the tone.
//!
//! A line keeps the width it had on the row above until the carried
//! darkness is more than [`DEAD_ZONE`] away from it (hysteresis). In a flat
//! tone, the rows are then identical for several rows at a time: T.6 codes
//! each edge of such a row with one bit (V0, the change sits right under
//! the reference row's), and a width change moves one edge by one pixel
//! (VR1 or VL1, three bits). Floyd-Steinberg's blue noise instead changes
//! colour at almost every pixel and costs 2.3 times Ghostscript's 46-lpi
//! screen; this screen is below half of it (see the crate docs).
//!
//! Everything is integer arithmetic on the pixels of the row and the
//! carried error of each cell, so the output is the same on every platform
//! and for any number of threads (cells are independent; the rows of a
//! cell are walked in order).

use faxprep_page::GrayPage;

/// The default period in pixels (41 lines per inch at 204 dpi).
pub(crate) const PERIOD: u8 = 5;
/// Smallest and largest period a caller may ask for.
pub(crate) const MIN_PERIOD: u8 = 3;
/// See [`MIN_PERIOD`].
pub(crate) const MAX_PERIOD: u8 = 16;
/// Hysteresis, in 1/255 of a pixel: a line keeps its width while the
/// darkness it should show is within half a pixel plus this of it.
const DEAD_ZONE: i32 = 96;
/// More hysteresis where a line (or the gap between two lines) would
/// appear or vanish.
const EDGE_DEAD_ZONE: i32 = 200;

/// Screen `page` into packed rows `out` (`stride` bytes a row, zeroed).
pub(crate) fn screen_page(page: &GrayPage, period: u8, out: &mut [u8], stride: usize) {
    screen_columns(page, period, out, stride, 0..page.width() as usize);
}

/// [`screen_page`] for the cells that meet pixel columns `columns` only:
/// those pixels come out as [`screen_page`] makes them (cells are
/// independent), and the bytes of `out` that hold no pixel of those
/// cells stay as they are.
pub(crate) fn screen_columns(
    page: &GrayPage,
    period: u8,
    out: &mut [u8],
    stride: usize,
    columns: std::ops::Range<usize>,
) {
    let width = page.width() as usize;
    let p = usize::from(period.clamp(MIN_PERIOD, MAX_PERIOD));
    let cells = columns.start / p..columns.end.min(width).div_ceil(p);
    if cells.is_empty() {
        return;
    }
    // The cells' pixels, and the whole bytes that hold them.
    let (x0, x1) = (cells.start * p, (cells.end * p).min(width));
    let (b0, b1) = (x0 / 8, x1.div_ceil(8));
    // Per cell: the darkness carried down (1/255 pixel) and the width.
    let mut err = vec![0i32; cells.len()];
    let mut wid = vec![0u8; cells.len()];
    // The bytes' pixels being made, 1 for white; only the cells whose
    // width changed are rewritten, and a row with no change is the packed
    // row above. Pixels of the bytes outside the cells stay white.
    let mut white = vec![1u8; (b1 * 8).min(width) - b0 * 8];
    let mut above: Option<&mut [u8]> = None;
    // Running sums of the cells' pixels (a cell's sum is the difference
    // of two).
    let mut sums = vec![0u32; x1 - x0 + 1];
    for (y, (src, dst)) in page.rows().zip(out.chunks_exact_mut(stride)).enumerate() {
        let dst = &mut dst[b0..b1];
        let mut acc = 0u32;
        for (s, &v) in sums[1..].iter_mut().zip(&src[x0..x1]) {
            acc += u32::from(v);
            *s = acc;
        }
        let mut changed = y == 0;
        let in_cells = &mut white[x0 - b0 * 8..x1 - b0 * 8];
        for (c, wh) in in_cells.chunks_mut(p).enumerate() {
            let n = wh.len() as i32;
            let from = c * p;
            // At most 16 x 255: fits an i32.
            let dark = 255 * n - (sums[from + wh.len()] - sums[from]) as i32;
            let want = dark + err[c];
            let w = next_width((y > 0).then_some(i32::from(wid[c])), want, n);
            // Bounded: a cell's whole darkness either way.
            err[c] = (want - w * 255).clamp(-255 * n, 255 * n);
            if w == i32::from(wid[c]) && y > 0 {
                continue;
            }
            wid[c] = w as u8;
            changed = true;
            let (n, w) = (wh.len(), w as usize);
            let start = (n - 1) / 2 - w.saturating_sub(1) / 2;
            wh.fill(1);
            wh[start..start + w].fill(0);
        }
        match above {
            Some(prev) if !changed => dst.copy_from_slice(prev),
            _ => crate::threshold::pack_below(&white, 1, dst),
        }
        above = Some(dst);
    }
}

/// The width of a line on this row, given its width `cur` on the row
/// above (`None` on the first row), the darkness `want` it should show
/// (1/255 pixel) and the cell's width `n`: the same while `want` is within
/// the dead zone, one pixel narrower or wider when it is within another
/// pixel of that, else (and on the first row) the nearest width.
fn next_width(cur: Option<i32>, want: i32, n: i32) -> i32 {
    let nearest = || (want + 127).div_euclid(255).clamp(0, n);
    let Some(cur) = cur else {
        return nearest();
    };
    let diff = want - cur * 255;
    // A line appearing or vanishing, or a gap between lines doing so,
    // costs a horizontal-mode code instead of a 3-bit vertical one.
    let edge = cur == 0 || cur == n || (cur == 1 && diff < 0) || (cur == n - 1 && diff > 0);
    let dz = if edge {
        DEAD_ZONE + EDGE_DEAD_ZONE
    } else {
        DEAD_ZONE
    };
    if diff.abs() <= 127 + dz {
        cur
    } else if diff.abs() <= 382 + dz {
        (cur + diff.signum()).clamp(0, n)
    } else {
        nearest()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use faxprep_page::{BitPage, Resolution};

    /// A page of every gray from a linear congruential stream.
    fn noise_page(width: u32, height: u32, seed: &mut u32) -> GrayPage {
        let data = (0..width * height)
            .map(|_| {
                *seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                (*seed >> 16) as u8
            })
            .collect();
        GrayPage::from_raw(width, height, Resolution::Fine, data).unwrap()
    }

    /// Every period on pages narrower and wider than a cell, with partial
    /// cells at the right edge and values from black to white: no panic,
    /// and black exactly where a line runs.
    #[test]
    fn any_page_size_and_period() {
        let mut seed = 7u32;
        for period in MIN_PERIOD..=MAX_PERIOD {
            for width in 1..=40u32 {
                let height = 1 + width % 4;
                let page = noise_page(width, height, &mut seed);
                let stride = BitPage::stride_for(width);
                let mut out = vec![0u8; stride * height as usize];
                screen_page(&page, period, &mut out, stride);
                let bits = BitPage::from_packed(width, height, Resolution::Fine, out).unwrap();
                // Each cell of each row holds one run of black (or none).
                for y in 0..height {
                    for x0 in (0..width).step_by(usize::from(period)) {
                        let x1 = (x0 + u32::from(period)).min(width);
                        let row: Vec<bool> = (x0..x1).map(|x| bits.get(x, y)).collect();
                        let runs =
                            row.windows(2).filter(|w| !w[0] && w[1]).count() + usize::from(row[0]);
                        assert!(runs <= 1, "period {period}, width {width}: {row:?}");
                    }
                }
            }
        }
    }

    /// A column range screens the cells that meet it exactly as the whole
    /// page does (cells are independent), and writes no byte that holds
    /// none of their pixels.
    #[test]
    fn columns_screen_their_cells_as_the_page_does() {
        let mut seed = 11u32;
        let (width, height) = (203u32, 9u32);
        let page = noise_page(width, height, &mut seed);
        let stride = BitPage::stride_for(width);
        for period in MIN_PERIOD..=MAX_PERIOD {
            let mut whole = vec![0u8; stride * height as usize];
            screen_page(&page, period, &mut whole, stride);
            let p = usize::from(period);
            for columns in [0..1, 5..6, 17..80, 100..203, 150..400, 203..210, 30..30] {
                let mut part = vec![0xA5u8; whole.len()];
                screen_columns(&page, period, &mut part, stride, columns.clone());
                let cells = columns.start / p..columns.end.min(203).div_ceil(p);
                let pixels = cells.start * p..(cells.end * p).min(203);
                for y in 0..height as usize {
                    for byte in 0..stride {
                        let (got, want) = (part[y * stride + byte], whole[y * stride + byte]);
                        let bits = byte * 8..byte * 8 + 8;
                        if pixels.is_empty() || bits.end <= pixels.start || bits.start >= pixels.end
                        {
                            assert_eq!(got, 0xA5, "byte {byte} outside {columns:?} written");
                            continue;
                        }
                        for bit in 0..8 {
                            let x = byte * 8 + bit;
                            if pixels.contains(&x) {
                                let mask = 0x80u8 >> bit;
                                assert_eq!(
                                    got & mask,
                                    want & mask,
                                    "pixel {x}, row {y}, period {period}, {columns:?}"
                                );
                            }
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn widths_follow_the_dead_zone() {
        // The first row takes the nearest width.
        assert_eq!(next_width(None, 2 * 255 + 128, 5), 3);
        assert_eq!(next_width(None, -400, 5), 0);
        assert_eq!(next_width(None, 9 * 255, 5), 5);
        // Within half a pixel plus the dead zone: unchanged.
        assert_eq!(next_width(Some(2), 2 * 255 + 127 + DEAD_ZONE, 5), 2);
        assert_eq!(next_width(Some(2), 2 * 255 - 127 - DEAD_ZONE, 5), 2);
        // Past it: one pixel, then the nearest.
        assert_eq!(next_width(Some(2), 2 * 255 + 128 + DEAD_ZONE, 5), 3);
        assert_eq!(next_width(Some(2), 2 * 255 - 383 - DEAD_ZONE, 5), 0);
        // A line appearing waits for the wider dead zone.
        let edge = 127 + DEAD_ZONE + EDGE_DEAD_ZONE;
        assert_eq!(next_width(Some(0), edge, 5), 0);
        assert_eq!(next_width(Some(0), edge + 1, 5), 1);
        assert_eq!(next_width(Some(5), 5 * 255 - edge, 5), 5);
        assert_eq!(next_width(Some(5), 5 * 255 - edge - 1, 5), 4);
    }
}

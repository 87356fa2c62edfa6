//! Ordered dither with a clustered-dot screen, as offset printing and
//! Ghostscript's fax devices do.
//!
//! The screen is a 6 x 6 cell holding two dots on a 45-degree lattice
//! (lattice vectors (3, 3) and (3, -3) pixels), i.e. a screen of
//! 204 / (3 * sqrt 2) = 48 lines per inch at fine resolution, close to the
//! 46 lpi of Ghostscript's default fax screen. Pixels join a dot in order of
//! their distance from its centre, so dots grow as compact clusters (which
//! survive a fax printer's dot gain and code cheaply in G4) and, past 50%,
//! the white holes shrink the same way. 36 cells give 37 tone levels.

use faxprep_page::{BitPage, GrayPage};

use crate::{HalftoneOptions, par};

/// Screen cell size in pixels.
const N: usize = 6;
/// Dot centres in the cell, in pixels.
const CENTRES: [(i32, i32); 2] = [(1, 1), (4, 4)];
/// Rows per parallel band (a multiple of N, though any number works).
const BAND_ROWS: usize = 60;

/// The threshold matrix: pixel (x, y) is black where `v < m[y % N][x % N]`.
pub(crate) fn matrix() -> [[u8; N]; N] {
    // Rank every cell by (squared distance to the nearest dot centre on the
    // periodic lattice, offset from it, which dot), so that both dots grow
    // ring by ring, alternately.
    let mut cells: Vec<(i32, i32, i32, usize, usize, usize)> = Vec::with_capacity(N * N);
    for y in 0..N {
        for x in 0..N {
            let mut best = (i32::MAX, 0, 0, 0);
            for (d, &(cx, cy)) in CENTRES.iter().enumerate() {
                for oy in [-1i32, 0, 1] {
                    for ox in [-1i32, 0, 1] {
                        let dx = x as i32 - cx + ox * N as i32;
                        let dy = y as i32 - cy + oy * N as i32;
                        let d2 = dx * dx + dy * dy;
                        if (d2, dy, dx, d) < best {
                            best = (d2, dy, dx, d);
                        }
                    }
                }
            }
            cells.push((best.0, best.1, best.2, best.3, x, y));
        }
    }
    cells.sort_unstable();
    let mut m = [[0u8; N]; N];
    let levels = (N * N) as u32;
    for (rank, &(_, _, _, _, x, y)) in cells.iter().enumerate() {
        // Rank 0 (a dot centre) turns black first, i.e. has the highest
        // threshold. Centre of the tone interval: 255 is never black, 0
        // always.
        let level = levels - 1 - rank as u32;
        let t = ((2 * level + 1) * 255 + levels) / (2 * levels);
        m[y][x] = t as u8;
    }
    m
}

/// Clustered-dot screening.
pub(crate) fn ordered(page: &GrayPage, opts: &HalftoneOptions) -> BitPage {
    let width = page.width() as usize;
    let stride = BitPage::stride_for(page.width());
    let mut data = crate::spare::zeroed(stride * page.height() as usize);
    let m = matrix();
    // One full-width threshold row per screen phase, so the inner loop is
    // a plain compare of two rows.
    let phases: Vec<Vec<u8>> = m
        .iter()
        .map(|r| (0..width).map(|x| r[x % N]).collect())
        .collect();
    par::for_each_band(opts, &mut data, stride, BAND_ROWS, |y0, band| {
        for (i, dst) in band.chunks_exact_mut(stride).enumerate() {
            let y = y0 + i;
            let src = &page.data()[y * width..(y + 1) * width];
            pack_below_row(src, &phases[y % N], dst);
        }
    });
    crate::finish(page, data)
}

/// Pack one row: black where `src[x] < thr[x]`.
fn pack_below_row(src: &[u8], thr: &[u8], out: &mut [u8]) {
    for ((byte, px), th) in out.iter_mut().zip(src.chunks(8)).zip(thr.chunks(8)) {
        let mut b = 0u8;
        for (i, (&v, &t)) in px.iter().zip(th).enumerate() {
            b |= u8::from(v < t) << (7 - i);
        }
        *byte = b;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matrix_is_a_permutation_of_levels() {
        let m = matrix();
        let mut all: Vec<u8> = m.iter().flatten().copied().collect();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), N * N, "every cell has its own level");
        assert!(all[0] > 0 && all[N * N - 1] < 255);
        // The dot centres are the first cells to turn black.
        let mut centres = [m[1][1], m[4][4]];
        centres.sort_unstable();
        assert_eq!(centres, [all[N * N - 2], all[N * N - 1]]);
    }
}

//! Flat tints are not pictures: a dark button, a logo plate or a shaded
//! table header with a bevel or a soft shadow has smooth mid-tones over
//! many levels (the bevel's ramp), so the tile analysis takes it for a
//! photo, yet almost all of its smooth pixels sit on one level. Dithering
//! it would cost G4 several kilobytes of dot noise (a 6 x 16-tile logo on
//! the PDF.js standard-fonts pages: 4.8 KB, a third of the page) and gain
//! no tone worth having, so such regions are thresholded like any tint.
//!
//! Each 8-connected region of photo tiles is tested on its own, from the
//! smooth mid-tones of its *candidate* tiles (the ones the statistics
//! picked before cleaning and growing): a photograph spreads them over
//! dozens of levels (at most 11% within 5 levels on the corpus photos),
//! a flat tint puts most of them on one (80% on the logo). Looking only
//! at candidates keeps a picture on a plain backdrop a picture: the
//! backdrop is taken in by growing, not by the statistics.

use faxprep_page::GrayPage;

use super::{MID_LO, RegionMap, TILE, is_smooth};

/// A region whose smooth mid-tones are at least this share (percent)
/// within [`FLAT_SPAN`] levels is a flat tint.
const FLAT_PERCENT: u64 = 50;
/// Width of the level window, in levels (the mode +- 2: anti-aliasing and
/// JPEG noise on a flat fill).
const FLAT_SPAN: usize = 5;

/// Rows of a tile sampled for its histogram (one in this many).
const SAMPLE_EVERY: usize = 4;

/// Clear every photo region of `map` that is a flat tint.
pub(super) fn drop_flat_regions(page: &GrayPage, map: &mut RegionMap, cand: &[bool], hi: u8) {
    let (cols, rows) = (map.cols, map.rows);
    let mut seen = vec![false; cols * rows];
    let mut region = Vec::new();
    let mut stack = Vec::new();
    for start in 0..cols * rows {
        if !map.photo[start] || seen[start] {
            continue;
        }
        // Flood the region (each tile is visited once over the page).
        region.clear();
        seen[start] = true;
        stack.push(start);
        while let Some(i) = stack.pop() {
            region.push(i);
            let (tx, ty) = (i % cols, i / cols);
            for ny in ty.saturating_sub(1)..(ty + 2).min(rows) {
                for nx in tx.saturating_sub(1)..(tx + 2).min(cols) {
                    let j = ny * cols + nx;
                    if map.photo[j] && !seen[j] {
                        seen[j] = true;
                        stack.push(j);
                    }
                }
            }
        }
        let mut hist = [0u64; 256];
        for &i in region.iter().filter(|&&i| cand[i]) {
            tile_histogram(page, i % cols, i / cols, hi, &mut hist);
        }
        if is_flat(&hist) {
            for &i in &region {
                map.photo[i] = false;
            }
        }
    }
}

/// Add the smooth mid-tones of tile (`tx`, `ty`) to `hist`.
fn tile_histogram(page: &GrayPage, tx: usize, ty: usize, hi: u8, hist: &mut [u64; 256]) {
    let width = page.width() as usize;
    let height = page.height() as usize;
    let x0 = tx * TILE;
    let x1 = (x0 + TILE).min(width);
    // Every fourth row: a share needs no more, and a photo page has
    // thousands of candidate tiles.
    for y in (ty * TILE..((ty + 1) * TILE).min(height)).step_by(SAMPLE_EVERY) {
        let row = page.row(y as u32);
        let below = page.row((y + 1).min(height - 1) as u32);
        for x in x0..x1 {
            let v = row[x];
            if (MID_LO..=hi).contains(&v) && is_smooth(v, row[(x + 1).min(width - 1)], below[x]) {
                hist[usize::from(v)] += 1;
            }
        }
    }
}

/// Whether most of the histogram lies in one window of [`FLAT_SPAN`]
/// levels.
fn is_flat(hist: &[u64; 256]) -> bool {
    let total: u64 = hist.iter().sum();
    let best = hist
        .windows(FLAT_SPAN)
        .map(|w| w.iter().sum::<u64>())
        .max()
        .unwrap_or(0);
    total > 0 && best * 100 >= FLAT_PERCENT * total
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_level_with_a_ramp_is_flat_and_a_spread_is_not() {
        let mut hist = [0u64; 256];
        hist[64] = 800;
        hist[65..110].fill(5);
        assert!(is_flat(&hist));
        let spread: [u64; 256] = std::array::from_fn(|v| u64::from((40..200).contains(&v)) * 10);
        assert!(!is_flat(&spread));
        assert!(!is_flat(&[0; 256]));
    }
}

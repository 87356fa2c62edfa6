//! The contrast rule of `auto` for everything that is not a photo (see
//! the parent module's docs): black below a cut relative to the local
//! background, with ridges (hairlines) kept black and peaks (counters of
//! small text) kept white.

use faxprep_page::GrayPage;

use super::{RegionMap, TILE};

/// The cut as a fraction of the local background, in 1/256 (60%): gray
/// text is solid black, light tints are white.
const CUT: u32 = 154;
/// ... and 50% where the neighbourhood has black ink ([`BLACK_INK`]): the
/// rim of black text is where a plain 50% cut puts it, rather than a
/// pixel bolder (which costs G4 bytes, 9% on a page of Times text, and
/// gains nothing: the thin parts of black letters are kept as ridges).
const CUT_BLACK: u32 = 128;
/// Ink darker than this in the 3 x 3 tiles around is black ink.
const BLACK_INK: u8 = 64;
/// A ridge is at least this much darker than the local background.
const RIDGE_DEPTH: u8 = 48;
/// ... and this much darker than a pixel within two on each side.
const RIDGE_CONTRAST: u8 = 32;
/// Beside a stroke's tip, a pixel this close to the background is paper.
const TIP_PAPER: u8 = 16;
/// Peaks (open counters) are this much lighter than both sides.
const PEAK_CONTRAST: u8 = 32;

/// The contrast rule over the text tiles of tile row `ty`.
pub(super) fn text_band(
    page: &GrayPage,
    map: &RegionMap,
    ty: usize,
    band: &mut [u8],
    stride: usize,
) {
    let width = map.width;
    let height = map.height;
    let paper = u32::from(map.paper);
    // Per tile: local background (after the dark-fill rule), or None for
    // photo tiles.
    let bg: Vec<Option<(u8, u32)>> = (0..map.cols)
        .map(|tx| {
            if map.photo[ty * map.cols + tx] {
                return None;
            }
            let (mut b, mut ink) = (0u8, 255u8);
            for ny in ty.saturating_sub(1)..(ty + 2).min(map.rows) {
                for nx in tx.saturating_sub(1)..(tx + 2).min(map.cols) {
                    b = b.max(map.max[ny * map.cols + nx]);
                    ink = ink.min(map.min[ny * map.cols + nx]);
                }
            }
            let b = if u32::from(b) * 256 < CUT * paper {
                map.paper
            } else {
                b
            };
            Some((b, if ink < BLACK_INK { CUT_BLACK } else { CUT }))
        })
        .collect();
    for (i, dst) in band.chunks_exact_mut(stride).enumerate() {
        let y = ty * TILE + i;
        let rows = [
            page.row(y.saturating_sub(2) as u32),
            page.row(y.saturating_sub(1) as u32),
            page.row(y as u32),
            page.row((y + 1).min(height - 1) as u32),
            page.row((y + 2).min(height - 1) as u32),
        ];
        let cur = rows[2];
        for (tx, b) in bg.iter().enumerate() {
            let Some((b, fraction)) = *b else { continue };
            let cut = ((u32::from(b) * fraction) >> 8) as u8;
            let deep = b.saturating_sub(RIDGE_DEPTH);
            // Nothing in the tile is dark enough to be black, even as a
            // ridge: the output is already white (most tiles of a page).
            if map.min[ty * map.cols + tx] >= cut.max(deep) {
                continue;
            }
            let tip_paper = b.saturating_sub(TIP_PAPER);
            // Pure dark pixels never need the peak test.
            let peak_lo = b / 3;
            let x0 = tx * TILE;
            let x1 = (x0 + TILE).min(width);
            // The same for this row of the tile.
            if cur[x0..x1].iter().copied().min().unwrap_or(255) >= cut.max(deep) {
                continue;
            }
            for x in x0..x1 {
                let v = cur[x];
                let black = if v < cut {
                    v < peak_lo || !peak(&rows, x, width)
                } else {
                    v < deep && ridge(&rows, x, width, cut, tip_paper)
                };
                if black {
                    dst[x / 8] |= 0x80 >> (x % 8);
                }
            }
        }
    }
}

/// The five pixels around `x` along the row (clamped at the edges).
#[inline]
fn row5(row: &[u8], x: usize, width: usize) -> [u8; 5] {
    let at = |d: isize| row[x.saturating_add_signed(d).min(width - 1)];
    [at(-2), at(-1), row[x], at(1), at(2)]
}

/// The five pixels around `x` down the column.
#[inline]
fn col5(rows: &[&[u8]; 5], x: usize) -> [u8; 5] {
    [rows[0][x], rows[1][x], rows[2][x], rows[3][x], rows[4][x]]
}

/// A local minimum with lighter pixels on both sides.
#[inline]
fn is_ridge(p: [u8; 5]) -> bool {
    let v = p[2];
    let m = v.saturating_add(RIDGE_CONTRAST);
    v <= p[1] && v <= p[3] && p[0].max(p[1]) >= m && p[3].max(p[4]) >= m && v < 255 - RIDGE_CONTRAST
}

/// A local maximum with darker pixels on both sides.
#[inline]
fn is_peak(p: [u8; 5]) -> bool {
    let v = p[2];
    let Some(m) = v.checked_sub(PEAK_CONTRAST) else {
        return false;
    };
    v >= p[1] && v >= p[3] && p[0].min(p[1]) <= m && p[3].min(p[4]) <= m
}

/// A ridge pixel that does not end a stroke: a stroke's anti-aliased tip
/// or rim is a ridge across but has, along the ridge, ink (below the cut)
/// on one side and paper (within [`TIP_PAPER`] of the background) on the
/// other; blackening it only roughens the edge, and each such pixel costs
/// G4 a pair of changes. A hairline continues on both sides, or crosses
/// another line.
fn ridge(rows: &[&[u8]; 5], x: usize, width: usize, cut: u8, paper: u8) -> bool {
    let (r, c) = (row5(rows[2], x, width), col5(rows, x));
    // `along` are the neighbours along the line the ridge would be part of.
    let continues =
        |along: [u8; 5]| !(along[1].min(along[3]) < cut && along[1].max(along[3]) >= paper);
    (is_ridge(r) && continues(c)) || (is_ridge(c) && continues(r))
}

/// A peak pixel that is also the lightest of its four neighbours: an open
/// counter is lighter than everything around it, while a lighter pixel on
/// a stroke's edge has paper beside it (whitening it notches the edge).
fn peak(rows: &[&[u8]; 5], x: usize, width: usize) -> bool {
    let (r, c) = (row5(rows[2], x, width), col5(rows, x));
    r[2] >= r[1].max(r[3]).max(c[1]).max(c[3]) && (is_peak(r) || is_peak(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ridges_and_peaks() {
        assert!(is_ridge([255, 255, 160, 255, 255]));
        assert!(
            is_ridge([255, 200, 200, 255, 255]),
            "a line split over two pixels"
        );
        assert!(!is_ridge([255, 200, 200, 200, 200]), "the edge of a tint");
        assert!(!is_ridge([0, 0, 160, 255, 255]), "the edge of a stroke");
        assert!(is_peak([0, 0, 140, 0, 0]));
        assert!(is_peak([0, 140, 140, 0, 0]));
        assert!(!is_peak([0, 0, 140, 255, 255]));
    }
}

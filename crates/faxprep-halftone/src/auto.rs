//! `auto`: content-aware binarization.
//!
//! The page is cut into 16 x 16 tiles (2 mm at fine resolution). For every
//! tile the analysis ([`classify`]) records its brightest and darkest
//! pixel and how many of its pixels are *smooth mid-tones*: neither paper
//! nor ink, and within a few levels of their right and lower neighbours.
//! Text, rules and line art have mid-tones only on their anti-aliased or
//! blurred edges, which are steep; flat tints have smooth mid-tones of a
//! single level; photographs, gradients and scanned pictures have many
//! smooth pixels spread over many levels. A tile whose 3 x 3 neighbourhood
//! is at least 35% smooth mid-tones over at least 12 distinct levels (or 6
//! of them and 14 in the 5 x 5 neighbourhood, for gentle gradients; levels
//! are taken only from tiles that are smooth themselves, so a tint beside
//! a picture does not borrow its levels) is a photo tile; photo areas are
//! then cleaned of isolated tiles, their holes filled, and grown into
//! neighbouring tiles that have no paper-white pixel (deep shadows and
//! highlights of the picture, which are not mid-tones). A region whose
//! smooth mid-tones sit mostly on one level is a flat tint with a bevel or
//! a shadow, not a picture, and is thresholded after all ([`flat`]).
//! Last, a picture takes in the tiles inside it that are part of it but
//! were not found: light patches (a sky, a lit wall) with at least two
//! photo neighbours, mostly not paper-white, without ink and not flat
//! (`close_seams`); and text tiles inside a picture (photo tiles on both
//! sides within 8 tiles: a sign, a label burnt in, a web page on a
//! screen) are screened too, paper-white kept white
//! (`RegionMap::screen_inside_picture`). Neither leaves a white or black
//! block with stair-step edges in a picture; captions and tints beside a
//! picture keep the text rules.
//!
//! *Paper* is the 80th percentile of the tiles' brightest pixels, but only
//! when many pixels are near it; a photograph uploaded on its own has no
//! paper (its brightest tiles are clouds and highlights), and then white
//! stands in, so that its light parts count as mid-tones and are dithered
//! with the rest instead of being cut to white (Landscape_1 of the corpus:
//! 84% of it was found as photo, now 99%).
//!
//! Photo tiles take their pixels from the line screen of the whole page
//! (`crate::screen`, period [`Method::LINE_PERIOD`](crate::Method::LINE_PERIOD)
//! or the wider one [`crate::halftone_coarser`] asks for): a screen made
//! for T.4/T.6 coding, whose rows repeat in flat tone, at about a fifth
//! of Floyd-Steinberg's G4 bytes on a photo (`docs/line-screen.md`). The
//! screen is run over the
//! whole page so that its lines and the error carried down them run on
//! through a picture's rim unbroken; text tiles keep their own pixels, so
//! the screen never breaks the text next to a picture into lines. The
//! page is screened only when it has a photo tile. Every other pixel is
//! decided by its contrast with the
//! *local background* `B`, the brightest pixel within the 3 x 3 tiles
//! around it ([`contrast`]):
//! - it is black when darker than `0.6 B`, so gray text (values 80 to 140
//!   on white) is solid black and a light tint (anything above `0.6 B`,
//!   such as the 30% gray of IRS "do not fill" boxes) turns white under
//!   the text it carries, and off-white scan backgrounds are white; where
//!   the 3 x 3 tiles hold black ink (below 64) the cut is `0.5 B`, so the
//!   rims of black letters fall where a plain 50% cut puts them (a bolder
//!   rim costs G4 bytes and reads no better);
//! - where `B` is itself darker than `0.6` times the paper (inside a dark
//!   fill wider than the neighbourhood), the paper stands in for `B`, so a
//!   dark fill stays black all over rather than only along its edges;
//! - a pixel lighter than that cut is still black when it is a *ridge*:
//!   at least 48 levels darker than `B`, no lighter than its two
//!   neighbours along a row or a column, with a pixel at least 32 levels
//!   lighter within two pixels on both sides, and not the tip of a stroke
//!   (ink on one side along the line, paper on the other). That keeps
//!   1-pixel anti-aliased hairlines (gray 150 to 200), 0.25 pt rules and
//!   the hairline serifs and crossbars of small type continuous where a
//!   global cut would break them into dashes;
//! - a pixel darker than the cut is still white when it is a *peak*, the
//!   mirror image of a ridge (lighter than both sides by 32 levels within
//!   two pixels) and the lightest of its four neighbours: the half-covered
//!   counters of 6 pt text stay open, while the edges of strokes stay
//!   smooth.
//!
//! The ridge and peak tests used to fire all along the anti-aliased edges
//! of text (a notch here, a burr there), which made G4 pages 12-14% larger
//! than a plain threshold on the IRS forms for nothing; with the tip and
//! lightest-neighbour conditions they are within 1%.
//!
//! Tiles with nothing dark enough to be black (most of a text page) are
//! skipped by the mid-tone count and the contrast rule.

use faxprep_page::{BitPage, GrayPage};

use crate::screen::screen_columns;
use crate::{HalftoneOptions, par};

mod contrast;
mod flat;

/// Tile size in pixels.
const TILE: usize = 16;
// The tiles a page knows to be white are these tiles.
const _: () = assert!(TILE == faxprep_page::WHITE_TILE as usize);
/// Rows sampled for the paper test (every eighth).
const HIST_EVERY: usize = 8;
/// Share of the pixels, in percent, that must lie near the paper level
/// for it to be paper.
const PAPER_PERCENT: u64 = 30;
/// Mid-tones start here (darker is ink or shadow).
const MID_LO: u8 = 24;
/// Mid-tones end this far below the paper level (lighter is paper).
const MID_MARGIN: u8 = 20;
/// A pixel is smooth when `|v - right| + |v - below|` is at most this.
const SMOOTH: u8 = 12;
/// Share of smooth mid-tones, in percent of the 3 x 3 neighbourhood, that
/// makes a photo.
const PHOTO_PERCENT: u32 = 35;
/// Share of smooth mid-tones in the tile itself below which it is never a
/// photo (paper beside a picture).
const PHOTO_OWN_PERCENT: u32 = 10;
/// Text tiles with photo tiles this many tiles or fewer away on both sides
/// are screened ([`RegionMap::screen_inside_picture`]).
const NEAR_PHOTO: usize = 8;
/// Rounds of growing photo regions into their shadows and highlights.
const GROW_ROUNDS: usize = 64;
/// Distinct levels among them, in the 3 x 3 neighbourhood, that make a
/// photo ...
const PHOTO_LEVELS: u32 = 12;
/// ... or in the 5 x 5 neighbourhood (a gentle gradient: a full-width
/// sweep from black to white changes by one level every 7 pixels).
const PHOTO_LEVELS_WIDE: u32 = 14;
/// ... provided the 3 x 3 neighbourhood has at least this many itself.
const PHOTO_LEVELS_NEAR: u32 = 6;
/// Which tiles of a page `auto` dithers as continuous tone, as decided by
/// [`classify`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionMap {
    cols: usize,
    rows: usize,
    width: usize,
    height: usize,
    paper: u8,
    photo: Vec<bool>,
    /// Brightest pixel of each tile.
    max: Vec<u8>,
    /// Darkest pixel of each tile (blank tiles are skipped).
    min: Vec<u8>,
}

impl RegionMap {
    /// Tile size in pixels (tiles on the right and bottom edges may be
    /// smaller).
    pub const TILE: u32 = TILE as u32;

    /// Tiles across.
    pub fn cols(&self) -> u32 {
        self.cols as u32
    }

    /// Tiles down.
    pub fn rows(&self) -> u32 {
        self.rows as u32
    }

    /// The paper level found: the 80th percentile of the tiles' brightest
    /// pixels, or 255 when few pixels are near that level (a photograph
    /// has no paper).
    pub fn paper_level(&self) -> u8 {
        self.paper
    }

    /// Whether tile (`tx`, `ty`) is continuous tone. Out-of-range tiles are
    /// not.
    pub fn is_photo_tile(&self, tx: u32, ty: u32) -> bool {
        let (tx, ty) = (tx as usize, ty as usize);
        tx < self.cols && ty < self.rows && self.photo[ty * self.cols + tx]
    }

    /// Whether pixel (`x`, `y`) lies in a continuous-tone tile.
    pub fn is_photo_pixel(&self, x: u32, y: u32) -> bool {
        self.is_photo_tile(x / Self::TILE, y / Self::TILE)
    }

    /// The share of the page's pixels in continuous-tone tiles, 0 to 1.
    pub fn photo_fraction(&self) -> f32 {
        let mut photo = 0u64;
        for ty in 0..self.rows {
            for tx in 0..self.cols {
                if self.photo[ty * self.cols + tx] {
                    photo += (self.tile_w(tx) * self.tile_h(ty)) as u64;
                }
            }
        }
        photo as f32 / (self.width as f32 * self.height as f32)
    }

    fn tile_w(&self, tx: usize) -> usize {
        (self.width - tx * TILE).min(TILE)
    }

    fn tile_h(&self, ty: usize) -> usize {
        (self.height - ty * TILE).min(TILE)
    }

    /// Copy the photo tiles' pixels of the packed page `from` into `to`
    /// (both `stride` bytes a row). Tiles start on whole bytes (16 pixels);
    /// a run ends on a whole byte or at the page's right edge.
    fn copy_photo(&self, from: &[u8], to: &mut [u8], stride: usize) {
        let mut runs = Vec::new();
        for ty in 0..self.rows {
            runs.clear();
            self.spans(ty, &mut runs);
            let rows = ty * TILE..ty * TILE + self.tile_h(ty);
            for (src, dst) in from
                .chunks_exact(stride)
                .zip(to.chunks_exact_mut(stride))
                .take(rows.end)
                .skip(rows.start)
            {
                for &(x0, x1) in &runs {
                    let (b0, b1) = (x0 / 8, x1 / 8);
                    dst[b0..b1].copy_from_slice(&src[b0..b1]);
                    if x1 % 8 != 0 {
                        let keep = 0xffu8 << (8 - x1 % 8);
                        dst[b1] = (dst[b1] & !keep) | (src[b1] & keep);
                    }
                }
            }
        }
    }

    /// Text tiles inside a picture (photo tiles within [`NEAR_PHOTO`]
    /// tiles on both sides, across or down) take the screen's pixels, with
    /// the pixels lighter than the mid-tones white: text in a picture (a
    /// sign, a screen, a label burnt in) is drawn in the picture's tone,
    /// white letters stay white, and no white or black block with
    /// stair-step edges is cut into the picture. A tint or a caption beside
    /// a picture (a picture on one side only) keeps the text rules.
    fn screen_inside_picture(
        &self,
        page: &GrayPage,
        screened: &[u8],
        to: &mut [u8],
        stride: usize,
    ) {
        let hi = if self.paper >= 192 { self.paper } else { 255 }.saturating_sub(MID_MARGIN);
        let (cols, rows) = (self.cols, self.rows);
        for ty in 0..rows {
            for tx in 0..cols {
                if self.photo[ty * cols + tx] {
                    continue;
                }
                let at = |x: usize, y: usize| self.photo[y * cols + x];
                let left = (tx.saturating_sub(NEAR_PHOTO)..tx).any(|x| at(x, ty));
                let right = (tx + 1..(tx + NEAR_PHOTO + 1).min(cols)).any(|x| at(x, ty));
                let above = (ty.saturating_sub(NEAR_PHOTO)..ty).any(|y| at(tx, y));
                let below = (ty + 1..(ty + NEAR_PHOTO + 1).min(rows)).any(|y| at(tx, y));
                if !(left && right || above && below) {
                    continue;
                }
                let (x0, y0) = (tx * TILE, ty * TILE);
                for y in y0..y0 + self.tile_h(ty) {
                    let row = &page.row(y as u32)[x0..x0 + self.tile_w(tx)];
                    for (x, &v) in (x0..).zip(row) {
                        let (byte, bit) = (y * stride + x / 8, 0x80u8 >> (x % 8));
                        let ink = if v <= hi { screened[byte] & bit } else { 0 };
                        to[byte] = (to[byte] & !bit) | ink;
                    }
                }
            }
        }
    }

    /// The pixel columns from the leftmost photo tile to the rightmost
    /// one, if the page has any.
    fn photo_columns(&self) -> Option<std::ops::Range<usize>> {
        let mut cols = self.photo.chunks(self.cols).flat_map(|row| {
            let first = row.iter().position(|&p| p)?;
            let last = row.iter().rposition(|&p| p)?;
            Some((first, last))
        });
        let first = cols.next()?;
        let (left, right) = cols.fold(first, |(l, r), (a, b)| (l.min(a), r.max(b)));
        Some(left * TILE..((right + 1) * TILE).min(self.width))
    }

    /// Runs of photo tiles in tile row `ty`, as pixel column ranges.
    fn spans(&self, ty: usize, out: &mut Vec<(usize, usize)>) {
        let row = &self.photo[ty * self.cols..(ty + 1) * self.cols];
        let mut tx = 0;
        while tx < self.cols {
            if row[tx] {
                let start = tx;
                while tx < self.cols && row[tx] {
                    tx += 1;
                }
                out.push((start * TILE, (tx * TILE).min(self.width)));
            } else {
                tx += 1;
            }
        }
    }
}

/// Find the continuous-tone regions of `page` (the analysis `auto` runs).
pub fn classify(page: &GrayPage, opts: &HalftoneOptions) -> RegionMap {
    par::install(opts, || classify_in_pool(page, opts))
}

pub(crate) fn classify_in_pool(page: &GrayPage, opts: &HalftoneOptions) -> RegionMap {
    analyse(page, opts, false).0
}

/// [`classify_in_pool`], and with `text`, on one thread, when the page's
/// known-white tiles settle the paper: the contrast rule's packed rows for
/// every tile as if none were a photo, each tile row drawn right after the
/// row below it is measured, while its pixels are in cache. They are
/// returned only when the map indeed has no photo tile: they are then
/// exactly what [`auto_with`] makes of the page.
pub(crate) fn analyse(
    page: &GrayPage,
    opts: &HalftoneOptions,
    text: bool,
) -> (RegionMap, Option<Vec<u8>>) {
    let width = page.width() as usize;
    let height = page.height() as usize;
    let cols = width.div_ceil(TILE);
    let rows = height.div_ceil(TILE);

    // Pass 1: brightest and darkest pixel of every tile. Tiles the page
    // knows to be white are not read.
    let spans: Vec<Vec<(usize, usize)>> = (0..rows).map(|ty| drawn_spans(page, ty, cols)).collect();
    // Pass 2 (smooth mid-tones per tile, and which levels they have) needs
    // the paper level. When the tiles the page knows to be white settle it
    // before a pixel is read, both passes run over each tile row while its
    // pixels are in cache; otherwise the paper is measured in between.
    let known_paper = paper_of_white_tiles(page, &spans);
    if let (Some(paper), true, 1) = (known_paper, text, opts.threads) {
        return analyse_with_text(page, &spans, paper);
    }
    let ((max, min), paper, per_row) = match known_paper {
        Some(paper) => {
            let hi = mid_tones_below(paper);
            let (pass1, per_row): (Vec<_>, Vec<_>) = par::map_indices(opts, rows, |ty| {
                par::vectorized(
                    #[inline(always)]
                    || measure_row(page, &spans[ty], ty, hi),
                )
            })
            .into_iter()
            .unzip();
            (tile_order(&pass1), paper, per_row)
        }
        None => {
            let pass1: Vec<Vec<[u8; 2]>> = par::map_indices(opts, rows, |ty| {
                par::vectorized(
                    #[inline(always)]
                    || tile_extremes(page, &spans[ty], ty),
                )
            });
            let (max, min) = tile_order(&pass1);
            let paper = measured_paper(page, &spans, &max);
            let hi = mid_tones_below(paper);
            let per_row = par::map_indices(opts, rows, |ty| {
                par::vectorized(
                    #[inline(always)]
                    || {
                        // The extremes are pass 1's: only the counts.
                        let columns = column_pass(page, &spans[ty], ty, false, Some(hi));
                        tile_stats(page, &columns, &pass1[ty], ty, hi)
                    },
                )
            });
            ((max, min), paper, per_row)
        }
    };
    let hi = mid_tones_below(paper);
    let mut stats = TileStats {
        smooth: Vec::with_capacity(cols * rows),
        levels: Vec::new(),
    };
    for (smooth, levels) in per_row {
        stats.smooth.extend(smooth);
        stats.levels.extend(levels);
    }

    let mut map = RegionMap::measured(page, paper, max, min);
    finish_map(page, &mut map, &stats, hi);
    (map, None)
}

impl RegionMap {
    /// The map of `page` with its paper level and the tiles' extremes (a
    /// row of tiles after another), no tile a photo yet.
    fn measured(page: &GrayPage, paper: u8, max: Vec<u8>, min: Vec<u8>) -> RegionMap {
        let (width, height) = (page.width() as usize, page.height() as usize);
        let (cols, rows) = (width.div_ceil(TILE), height.div_ceil(TILE));
        RegionMap {
            cols,
            rows,
            width,
            height,
            paper,
            photo: vec![false; cols * rows],
            max,
            min,
        }
    }
}

/// The extremes of the tiles of tile row `ty` (drawn pixels `spans`), and
/// their smooth mid-tones below `hi`, in one pass over the row's pixels.
#[inline(always)]
fn measure_row(
    page: &GrayPage,
    spans: &[(usize, usize)],
    ty: usize,
    hi: u8,
) -> (Vec<[u8; 2]>, RowStats) {
    let columns = column_pass(page, spans, ty, true, Some(hi));
    let extremes = columns.tile_extremes();
    let stats = tile_stats(page, &columns, &extremes, ty, hi);
    (extremes, stats)
}

/// The photo tiles of `map`, whose extremes and paper are measured, from
/// the tile statistics.
fn finish_map(page: &GrayPage, map: &mut RegionMap, stats: &TileStats, hi: u8) {
    let cand = decide(map, stats, hi);
    flat::drop_flat_regions(page, map, &cand, hi);
    close_seams(page, map, hi);
}

/// [`analyse`] with the contrast rule's rows, on this thread, for a page
/// whose paper is known (`spans`: its drawn pixels per tile row).
fn analyse_with_text(
    page: &GrayPage,
    spans: &[Vec<(usize, usize)>],
    paper: u8,
) -> (RegionMap, Option<Vec<u8>>) {
    let (width, height) = (page.width() as usize, page.height() as usize);
    let (cols, rows) = (width.div_ceil(TILE), height.div_ceil(TILE));
    let hi = mid_tones_below(paper);
    let mut map = RegionMap::measured(page, paper, vec![0; cols * rows], vec![255; cols * rows]);
    let mut stats = TileStats {
        smooth: Vec::with_capacity(cols * rows),
        levels: Vec::new(),
    };
    let stride = BitPage::stride_for(page.width());
    let mut data = crate::spare::zeroed(stride * height);
    let band = TILE * stride;
    for ty in 0..rows + 1 {
        if let Some(spans) = spans.get(ty) {
            let (extremes, (smooth, levels)) = par::vectorized(
                #[inline(always)]
                || measure_row(page, spans, ty, hi),
            );
            for (tx, [max, min]) in extremes.into_iter().enumerate() {
                map.max[ty * cols + tx] = max;
                map.min[ty * cols + tx] = min;
            }
            stats.smooth.extend(smooth);
            stats.levels.extend(levels);
        }
        // The tile row above has all its neighbours measured now.
        if let Some(done) = ty.checked_sub(1) {
            let rows = &mut data[done * band..((done + 1) * band).min(stride * height)];
            contrast::text_band(page, &map, done, rows, stride);
        }
    }
    finish_map(page, &mut map, &stats, hi);
    if map.photo.contains(&true) {
        // Photo tiles take the screen's pixels: auto_with draws the page
        // again, in this buffer.
        crate::spare::keep_buffer(data);
        return (map, None);
    }
    (map, Some(data))
}

/// The tiles' brightest and darkest pixels in tile order, from their
/// extremes a tile row each.
fn tile_order(rows: &[Vec<[u8; 2]>]) -> (Vec<u8>, Vec<u8>) {
    let tiles = rows.iter().flatten();
    (
        tiles.clone().map(|t| t[0]).collect(),
        tiles.map(|t| t[1]).collect(),
    )
}

/// The top of the mid-tones: 20 levels below the paper, or below white on
/// a page whose "paper" is darker than 75% gray (mostly picture).
fn mid_tones_below(paper: u8) -> u8 {
    if paper >= 192 { paper } else { 255 }.saturating_sub(MID_MARGIN)
}

/// The paper level from the tiles' brightest pixels (`max`, in tile
/// order) and the share of pixels near it in every eighth row.
fn measured_paper(page: &GrayPage, spans: &[Vec<(usize, usize)>], max: &[u8]) -> u8 {
    let width = page.width() as usize;
    paper_level(max, |lo, hi| {
        let sampled = (0..page.height() as usize).step_by(HIST_EVERY);
        let white_near = usize::from(hi == 255);
        let near: usize = sampled
            .clone()
            .map(|y| {
                let (row, spans) = (page.row(y as u32), &spans[y / TILE]);
                let drawn: usize = spans.iter().map(|&(x0, x1)| x1 - x0).sum();
                let counted: usize = spans
                    .iter()
                    .map(|&(x0, x1)| count_between(&row[x0..x1], lo, hi))
                    .sum();
                counted + white_near * (width - drawn)
            })
            .sum();
        (near as u64, (sampled.len() * width) as u64)
    })
}

/// The paper level when the tiles the page knows to be white (outside
/// `spans`) settle it alone: [`paper_level`] finds white (255) when at
/// most four in five tiles are below 255, which holds when at most that
/// many are drawn, and keeps it when 30% of the sampled pixels are near
/// it, which holds when 30% of them are in white tiles.
fn paper_of_white_tiles(page: &GrayPage, spans: &[Vec<(usize, usize)>]) -> Option<u8> {
    let width = page.width() as usize;
    let cols = width.div_ceil(TILE);
    let drawn_pixels =
        |spans: &[(usize, usize)]| spans.iter().map(|&(x0, x1)| x1 - x0).sum::<usize>();
    let drawn_tiles: usize = spans
        .iter()
        .map(|row| {
            row.iter()
                .map(|&(x0, x1)| x1.div_ceil(TILE) - x0 / TILE)
                .sum::<usize>()
        })
        .sum();
    if drawn_tiles > spans.len() * cols * 4 / 5 {
        return None;
    }
    let sampled = (0..page.height() as usize).step_by(HIST_EVERY);
    let white: usize = sampled
        .clone()
        .map(|y| width - drawn_pixels(&spans[y / TILE]))
        .sum();
    (white as u64 * 100 >= PAPER_PERCENT * (sampled.len() * width) as u64).then_some(255)
}

/// The brightest and darkest pixel of each tile of tile row `ty`, whose
/// drawn pixels are `spans`.
#[inline(always)]
fn tile_extremes(page: &GrayPage, spans: &[(usize, usize)], ty: usize) -> Vec<[u8; 2]> {
    column_pass(page, spans, ty, true, None).tile_extremes()
}

/// Each pixel column of a tile row, over the row's pixels: the brightest
/// and darkest pixel, and how many smooth mid-tones it has.
struct Columns {
    /// Empty when not taken.
    max: Vec<u8>,
    /// Empty when not taken.
    min: Vec<u8>,
    /// At most [`TILE`] each; empty when not counted.
    smooth: Vec<u8>,
}

impl Columns {
    /// The brightest and darkest pixel of each tile.
    #[inline(always)]
    fn tile_extremes(&self) -> Vec<[u8; 2]> {
        let mut extremes = Vec::with_capacity(self.max.len().div_ceil(TILE));
        for (hi, lo) in self.max.chunks(TILE).zip(self.min.chunks(TILE)) {
            let (mut max, mut min) = (0u8, 255u8);
            for (&h, &l) in hi.iter().zip(lo) {
                max = max.max(h);
                min = min.min(l);
            }
            extremes.push([max, min]);
        }
        extremes
    }
}

/// The [`Columns`] of tile row `ty`, whose drawn pixels are `spans` (the
/// others are white: 255, no smooth mid-tone): with `extremes` the
/// brightest and darkest pixels, with `smooth_below` the smooth mid-tones
/// below it, both in the same pass. Column-wise first (element-wise
/// maxima, minima and sums vectorize over the whole row; a reduction per
/// tile and row would not), then once per tile.
#[inline(always)]
fn column_pass(
    page: &GrayPage,
    spans: &[(usize, usize)],
    ty: usize,
    extremes: bool,
    smooth_below: Option<u8>,
) -> Columns {
    let (width, height) = (page.width() as usize, page.height() as usize);
    let taken = |yes: bool, fill: u8| if yes { vec![fill; width] } else { Vec::new() };
    let mut col_max = taken(extremes, 255);
    let mut col_min = taken(extremes, 255);
    let mut col_smooth = taken(smooth_below.is_some(), 0);
    if extremes {
        for &(x0, x1) in spans {
            col_max[x0..x1].fill(0);
        }
    }
    for y in ty * TILE..((ty + 1) * TILE).min(height) {
        let row = page.row(y as u32);
        if extremes {
            for &(x0, x1) in spans {
                let cols = col_max[x0..x1].iter_mut().zip(&mut col_min[x0..x1]);
                for ((hi, lo), &v) in cols.zip(&row[x0..x1]) {
                    *hi = (*hi).max(v);
                    *lo = (*lo).min(v);
                }
            }
        }
        let Some(hi) = smooth_below else {
            continue;
        };
        // The row below (the last row is its own lower neighbour) and the
        // right neighbour (the last column is its own).
        let below = page.row((y + 1).min(height - 1) as u32);
        for &(x0, x1) in spans {
            let end = x1.min(width - 1);
            let counts = col_smooth[x0..end].iter_mut();
            let pixels = row[x0..end]
                .iter()
                .zip(&row[x0 + 1..end + 1])
                .zip(&below[x0..end]);
            for (n, ((&v, &r), &d)) in counts.zip(pixels) {
                *n += u8::from(smooth_mid(v, r, d, hi));
            }
            if end < x1 {
                let v = row[end];
                col_smooth[end] += u8::from(smooth_mid(v, v, below[end], hi));
            }
        }
    }
    Columns {
        max: col_max,
        min: col_min,
        smooth: col_smooth,
    }
}

/// The smooth mid-tones of each tile of a tile row, and their levels
/// where the tile is smooth enough to be a photo (by index in the page).
type RowStats = (Vec<u32>, Vec<(usize, Levels)>);

/// The smooth mid-tones of each tile of tile row `ty` (below `hi`, counted
/// per column in `columns`), and their levels where the tile is smooth
/// enough to be a photo.
#[inline(always)]
fn tile_stats(
    page: &GrayPage,
    columns: &Columns,
    extremes: &[[u8; 2]],
    ty: usize,
    hi: u8,
) -> RowStats {
    let (width, height) = (page.width() as usize, page.height() as usize);
    let cols = width.div_ceil(TILE);
    // A plain loop: a closure would not be compiled for the vector level.
    let (mut counts, mut levels) = (Vec::with_capacity(cols), Vec::new());
    for (tx, (&[max, min], per_column)) in
        extremes.iter().zip(columns.smooth.chunks(TILE)).enumerate()
    {
        // All paper or all ink: no mid-tones (the columns count none).
        if min > hi || max < MID_LO {
            counts.push(0);
            continue;
        }
        let smooth: u32 = per_column.iter().map(|&n| u32::from(n)).sum();
        let tile = TileRect::new(tx, ty, width, height);
        // Levels are only ever looked at for tiles that are smooth
        // themselves (see `decide`): text tiles skip the slower
        // per-level pass, and keep no levels.
        if smooth * 100 >= PHOTO_PERCENT * tile.area() {
            levels.push((ty * cols + tx, smooth_levels(page, &tile, hi)));
        }
        counts.push(smooth);
    }
    (counts, levels)
}

/// The smooth mid-tones of every tile, and the levels they have for the
/// tiles smooth enough to be looked at (in tile order: a text page has
/// few or none).
struct TileStats {
    smooth: Vec<u32>,
    levels: Vec<(usize, Levels)>,
}

impl TileStats {
    /// The levels of tile `t`, kept for smooth tiles only.
    fn levels(&self, t: usize) -> Levels {
        match self.levels.binary_search_by_key(&t, |&(i, _)| i) {
            Ok(i) => self.levels[i].1,
            Err(_) => [0; 4],
        }
    }
}

/// Take into a picture the tiles inside it that the rules above left out
/// although they are part of it: a light patch (a sky, a lit wall) that is
/// not smooth enough to be found on its own, and would be cut to white in
/// the middle of the picture. Such a tile has at least two photo tiles
/// among its eight neighbours, is mostly not paper-white (less than half
/// its pixels above the mid-tones), has no ink in it (its darkest pixel at
/// least 60% of its brightest: text on a tint beside a picture stays
/// text) and is not flat (a tint varies by less than 8 levels). Repeated
/// while tiles join, at most [`GROW_ROUNDS`] times.
fn close_seams(page: &GrayPage, map: &mut RegionMap, hi: u8) {
    // Tiles join next to photo tiles only.
    if !map.photo.contains(&true) {
        return;
    }
    let (cols, rows) = (map.cols, map.rows);
    let mut candidate = vec![false; cols * rows];
    for ty in 0..rows {
        for tx in 0..cols {
            let i = ty * cols + tx;
            let (lo, top) = (u32::from(map.min[i]), u32::from(map.max[i]));
            if map.photo[i] || lo * 10 < top * 6 || top - lo < 8 {
                continue;
            }
            let (x0, y0) = (tx * TILE, ty * TILE);
            let (x1, y1) = (x0 + map.tile_w(tx), y0 + map.tile_h(ty));
            let white: usize = (y0..y1)
                .map(|y| {
                    page.row(y as u32)[x0..x1]
                        .iter()
                        .filter(|&&v| v > hi)
                        .count()
                })
                .sum();
            candidate[i] = white * 2 < (x1 - x0) * (y1 - y0);
        }
    }
    for _ in 0..GROW_ROUNDS {
        let prev = map.photo.clone();
        let mut changed = false;
        for ty in 0..rows {
            for tx in 0..cols {
                let i = ty * cols + tx;
                if !candidate[i] || prev[i] {
                    continue;
                }
                let mut n = 0;
                for ny in ty.saturating_sub(1)..(ty + 2).min(rows) {
                    for nx in tx.saturating_sub(1)..(tx + 2).min(cols) {
                        n += usize::from(prev[ny * cols + nx]);
                    }
                }
                if n >= 2 {
                    map.photo[i] = true;
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
    }
}

/// The pixel columns of tile row `ty` that are not known to be white
/// (the whole row when the page does not know), as runs of tiles.
fn drawn_spans(page: &GrayPage, ty: usize, cols: usize) -> Vec<(usize, usize)> {
    let width = page.width() as usize;
    let mut spans: Vec<(usize, usize)> = Vec::new();
    for tx in (0..cols).filter(|&tx| !page.is_white_tile(tx, ty)) {
        let (x0, x1) = (tx * TILE, ((tx + 1) * TILE).min(width));
        match spans.last_mut() {
            Some(last) if last.1 == x0 => last.1 = x1,
            _ => spans.push((x0, x1)),
        }
    }
    spans
}

/// The number of pixels of `row` in `lo..=hi`.
fn count_between(row: &[u8], lo: u8, hi: u8) -> usize {
    let span = hi.wrapping_sub(lo);
    // Per 64 pixels a byte-wide sum (at most 64) in vector lanes, then
    // one widening; `v - lo <= hi - lo` (wrapping) is the range test.
    let (chunks, rest) = row.as_chunks::<64>();
    let near: usize = chunks
        .iter()
        .map(|c| {
            let mut n = 0u8;
            for &v in c {
                n += u8::from(v.wrapping_sub(lo) <= span);
            }
            usize::from(n)
        })
        .sum();
    near + rest.iter().filter(|&&v| v.wrapping_sub(lo) <= span).count()
}

/// The pixels of one tile.
struct TileRect {
    x0: usize,
    x1: usize,
    y0: usize,
    y1: usize,
    width: usize,
    height: usize,
}

impl TileRect {
    fn new(tx: usize, ty: usize, width: usize, height: usize) -> TileRect {
        let (x0, y0) = (tx * TILE, ty * TILE);
        TileRect {
            x0,
            x1: (x0 + TILE).min(width),
            y0,
            y1: (y0 + TILE).min(height),
            width,
            height,
        }
    }

    fn area(&self) -> u32 {
        ((self.x1 - self.x0) * (self.y1 - self.y0)) as u32
    }

    /// Row `y` of the page and the row below it (the last row is its own
    /// lower neighbour).
    fn rows<'p>(&self, page: &'p GrayPage, y: usize) -> (&'p [u8], &'p [u8]) {
        (
            page.row(y as u32),
            page.row((y + 1).min(self.height - 1) as u32),
        )
    }
}

/// Whether `v` is a smooth mid-tone, given its right and lower neighbours.
#[inline(always)]
fn smooth_mid(v: u8, r: u8, d: u8, hi: u8) -> bool {
    // A saturating sum in u8 decides the same as the exact one against a
    // bound below 255, and keeps sixteen lanes to a vector.
    (MID_LO..=hi).contains(&v) & (v.abs_diff(r).saturating_add(v.abs_diff(d)) <= SMOOTH)
}

/// The levels of the smooth mid-tones in `tile`.
#[inline(always)]
fn smooth_levels(page: &GrayPage, tile: &TileRect, hi: u8) -> Levels {
    let mut levels = [0u64; 4];
    for y in tile.y0..tile.y1 {
        let (row, below) = tile.rows(page, y);
        for x in tile.x0..tile.x1 {
            let v = row[x];
            let mid = smooth_mid(v, row[(x + 1).min(tile.width - 1)], below[x], hi);
            levels[usize::from(v >> 6)] |= u64::from(mid) << (v & 63);
        }
    }
    levels
}

/// Whether a pixel `v` with right neighbour `r` and lower neighbour `d`
/// is smooth (the caller checks that it is a mid-tone).
#[inline]
fn is_smooth(v: u8, r: u8, d: u8) -> bool {
    u16::from(v.abs_diff(r)) + u16::from(v.abs_diff(d)) <= u16::from(SMOOTH)
}

/// The paper level: the 80th percentile of the tiles' brightest pixels
/// (most tiles of a document touch the background, and a picture covering
/// half the page does not drag it down), never below mid-gray, provided
/// that it is paper: at least [`PAPER_PERCENT`] of the pixels (in the
/// rows sampled, counted by `near_and_total(lo, hi)`) lie within `-16..=+8` levels of it. A text page
/// has 85% or more there, a scanned book page with a noisy gray
/// background 63%; a photograph has no paper, only its brightest parts
/// (4 to 12% of the corpus photos), and treating those as paper would
/// threshold its clouds and highlights to white. Without paper the level
/// is white.
fn paper_level(max: &[u8], near_and_total: impl FnOnce(u8, u8) -> (u64, u64)) -> u8 {
    let mut tiles = [0usize; 256];
    for &m in max {
        tiles[usize::from(m)] += 1;
    }
    let below = max.len() * 4 / 5;
    let mut seen = 0;
    let mut level = 255u8;
    for (v, &n) in tiles.iter().enumerate() {
        seen += n;
        if seen > below {
            level = (v as u8).max(128);
            break;
        }
    }
    let (near, total) = near_and_total(level.saturating_sub(16), level.saturating_add(8));
    if near * 100 >= PAPER_PERCENT * total {
        level
    } else {
        255
    }
}

/// A set of gray levels, one bit each.
type Levels = [u64; 4];

/// Photo tiles from the neighbourhood statistics, then cleaned up.
/// Returns the candidate tiles (before cleaning and growing), which
/// [`flat::drop_flat_regions`] looks at again.
fn decide(map: &mut RegionMap, stats: &TileStats, hi: u8) -> Vec<bool> {
    let (cols, rows) = (map.cols, map.rows);
    let mut cand = vec![false; cols * rows];
    let count = |l: &Levels| l.iter().map(|w| w.count_ones()).sum::<u32>();
    let area = |tx: usize, ty: usize| (map.tile_w(tx) * map.tile_h(ty)) as u32;
    // Levels count only from tiles that are smooth themselves, so that a
    // flat tint does not borrow the levels of a picture next to it.
    let smooth_tile =
        |tx: usize, ty: usize| stats.smooth[ty * cols + tx] * 100 >= PHOTO_PERCENT * area(tx, ty);
    let levels_around = |tx: usize, ty: usize, r: usize| {
        let mut levels = [0u64; 4];
        for ny in ty.saturating_sub(r)..(ty + r + 1).min(rows) {
            for nx in tx.saturating_sub(r)..(tx + r + 1).min(cols) {
                if smooth_tile(nx, ny) {
                    let l = &stats.levels(ny * cols + nx);
                    levels.iter_mut().zip(l).for_each(|(a, b)| *a |= b);
                }
            }
        }
        count(&levels)
    };
    for ty in 0..rows {
        for tx in 0..cols {
            // The tile's own share first: most tiles of a text page stop
            // here without the neighbourhood sums (most have none at all).
            let own = stats.smooth[ty * cols + tx];
            if own == 0 || own * 100 < PHOTO_OWN_PERCENT * area(tx, ty) {
                continue;
            }
            let (mut smooth, mut pixels) = (0u32, 0u32);
            for ny in ty.saturating_sub(1)..(ty + 2).min(rows) {
                for nx in tx.saturating_sub(1)..(tx + 2).min(cols) {
                    smooth += stats.smooth[ny * cols + nx];
                    pixels += area(nx, ny);
                }
            }
            if smooth * 100 < PHOTO_PERCENT * pixels {
                continue;
            }
            let near = levels_around(tx, ty, 1);
            // A gentle gradient still has a few levels close by; a flat
            // tint (with or without text on it) has one or two.
            if near < PHOTO_LEVELS
                && (near < PHOTO_LEVELS_NEAR || levels_around(tx, ty, 2) < PHOTO_LEVELS_WIDE)
            {
                continue;
            }
            cand[ty * cols + tx] = true;
        }
    }
    // Drop specks (a lone tile is more likely a blot than a picture), then
    // fill holes (the dark or bright flat parts of a photo).
    let mut photo = cand.clone();
    for ty in 0..rows {
        for tx in 0..cols {
            if cand[ty * cols + tx] && photo_neighbours(&cand, tx, ty, cols, rows) < 2 {
                photo[ty * cols + tx] = false;
            }
        }
    }
    grow_into_shadows(&mut photo, &map.max, hi, cols, rows);
    map.photo = photo;
    cand
}

/// Grow the photo tiles `photo` (`cols` x `rows`) into the deep shadows and
/// highlights of their pictures: tiles next to them with no paper-white
/// pixel at all (their brightest pixel, `max`, at most `hi`). Text beside a
/// picture always has paper around its strokes, so it is never taken in.
/// A bounded number of rounds keeps this linear; without photo tiles
/// nothing grows. A round looks only at the neighbours of the photo tiles
/// the round before took in (the first, of all photo tiles): no other
/// tile's count of photo neighbours changed, so none would be taken now.
fn grow_into_shadows(photo: &mut [bool], max: &[u8], hi: u8, cols: usize, rows: usize) {
    let mut queued = vec![false; cols * rows];
    // The tiles next to `tiles` not yet photo tiles, each once.
    let mut next_to = |tiles: &[usize], photo: &[bool]| {
        let mut around = Vec::new();
        for &i in tiles {
            let (tx, ty) = (i % cols, i / cols);
            for ny in ty.saturating_sub(1)..(ty + 2).min(rows) {
                for nx in tx.saturating_sub(1)..(tx + 2).min(cols) {
                    let j = ny * cols + nx;
                    if !photo[j] && !queued[j] {
                        queued[j] = true;
                        around.push(j);
                    }
                }
            }
        }
        for &j in &around {
            queued[j] = false;
        }
        around
    };
    let seeds: Vec<usize> = (0..cols * rows).filter(|&i| photo[i]).collect();
    let mut check = next_to(&seeds, photo);
    for _ in 0..GROW_ROUNDS {
        if check.is_empty() {
            break;
        }
        let prev = photo.to_vec();
        let mut taken = Vec::new();
        for &i in &check {
            let n = photo_neighbours(&prev, i % cols, i / cols, cols, rows);
            if n >= 5 || (n >= 2 && max[i] <= hi) {
                photo[i] = true;
                taken.push(i);
            }
        }
        check = next_to(&taken, photo);
    }
}

/// How many of the eight neighbours of tile (`tx`, `ty`) are set in `m`.
fn photo_neighbours(m: &[bool], tx: usize, ty: usize, cols: usize, rows: usize) -> usize {
    let mut n = 0;
    for ny in ty.saturating_sub(1)..(ty + 2).min(rows) {
        for nx in tx.saturating_sub(1)..(tx + 2).min(cols) {
            n += usize::from((nx, ny) != (tx, ty) && m[ny * cols + nx]);
        }
    }
    n
}

/// `auto` itself: analysis, contrast rule outside photos, Floyd-Steinberg's
/// pixels inside.
pub(crate) fn auto(page: &GrayPage, period: u8, opts: &HalftoneOptions) -> (BitPage, RegionMap) {
    let map = classify_in_pool(page, opts);
    let bits = auto_with(page, &map, period, opts);
    (bits, map)
}

/// `auto` with the page's regions already classified.
pub(crate) fn auto_with(
    page: &GrayPage,
    map: &RegionMap,
    period: u8,
    opts: &HalftoneOptions,
) -> BitPage {
    let stride = BitPage::stride_for(page.width());
    let mut data = crate::spare::zeroed(stride * page.height() as usize);
    par::for_each_band(opts, &mut data, stride, TILE, |y0, band| {
        contrast::text_band(page, map, y0 / TILE, band, stride);
    });
    if let Some(columns) = map.photo_columns() {
        // Only the pixels of photo tiles and of the text tiles between
        // them (across or down) are taken from the screen.
        let mut screened = vec![0u8; data.len()];
        screen_columns(page, period, &mut screened, stride, columns);
        map.copy_photo(&screened, &mut data, stride);
        map.screen_inside_picture(page, &screened, &mut data, stride);
    }
    crate::finish(page, data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn growing_from_the_tiles_taken_last_is_growing_from_every_tile() {
        // Every round over every tile (the rule as stated) against the
        // rounds over the neighbours of the last round's tiles, on maps of
        // photo seeds and dark or light tiles, some growing for many rounds
        // (long dark corridors) and past the round limit.
        let reference = |photo: &mut [bool], max: &[u8], hi: u8, cols: usize, rows: usize| {
            if !photo.contains(&true) {
                return;
            }
            for _ in 0..GROW_ROUNDS {
                let prev = photo.to_vec();
                let mut changed = false;
                for i in 0..cols * rows {
                    let n = photo_neighbours(&prev, i % cols, i / cols, cols, rows);
                    if !prev[i] && (n >= 5 || (n >= 2 && max[i] <= hi)) {
                        photo[i] = true;
                        changed = true;
                    }
                }
                if !changed {
                    break;
                }
            }
        };
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let mut grew_long = false;
        for case in 0..300 {
            let (cols, rows) = (1 + (next() % 40) as usize, 1 + (next() % 40) as usize);
            let dark_share = next() % 100;
            let max: Vec<u8> = (0..cols * rows)
                .map(|_| if next() % 100 < dark_share { 100 } else { 250 })
                .collect();
            let seeds = next() % 6;
            let mut photo = vec![false; cols * rows];
            for _ in 0..seeds {
                let at = (next() as usize) % (cols * rows);
                photo[at] = true;
                if at + 1 < cols * rows {
                    photo[at + 1] = true;
                }
            }
            let mut expected = photo.clone();
            reference(&mut expected, &max, 200, cols, rows);
            let before = photo.iter().filter(|&&p| p).count();
            grow_into_shadows(&mut photo, &max, 200, cols, rows);
            assert_eq!(photo, expected, "case {case}: {cols} x {rows}");
            grew_long |= photo.iter().filter(|&&p| p).count() > before + 20;
        }
        assert!(grew_long, "some maps grow for many rounds");
        // A corridor one tile wide and longer than the round limit.
        let (cols, rows) = (GROW_ROUNDS + 20, 3);
        let mut max = vec![250u8; cols * rows];
        max[cols..2 * cols].fill(100);
        let mut photo = vec![false; cols * rows];
        photo[0] = true;
        photo[cols] = true;
        photo[2 * cols] = true;
        let mut expected = photo.clone();
        reference(&mut expected, &max, 200, cols, rows);
        grow_into_shadows(&mut photo, &max, 200, cols, rows);
        assert_eq!(photo, expected);
        assert!(
            !photo[2 * cols - 1],
            "the corridor's far end is past the limit"
        );
    }

    #[test]
    fn copy_photo_takes_exactly_the_photo_tiles() {
        // 45 x 20 pixels: 3 x 2 tiles, the last column 13 pixels wide (its
        // run ends inside a byte, before the row's padding bits).
        let (width, height) = (45, 20);
        let map = RegionMap {
            cols: 3,
            rows: 2,
            width,
            height,
            paper: 255,
            photo: vec![false, true, true, false, false, true],
            max: vec![255; 6],
            min: vec![0; 6],
        };
        let stride = width.div_ceil(8);
        let mut to = vec![0u8; stride * height];
        map.copy_photo(&vec![0xff; to.len()], &mut to, stride);
        for y in 0..height {
            for x in 0..stride * 8 {
                let set = to[y * stride + x / 8] & (0x80 >> (x % 8)) != 0;
                let photo = x < width && map.is_photo_pixel(x as u32, y as u32);
                assert_eq!(set, photo, "({x}, {y})");
            }
        }
        // What was there outside the photo tiles stays.
        let mut to = vec![0xffu8; stride * height];
        map.copy_photo(&vec![0; to.len()], &mut to, stride);
        assert_eq!(to[0], 0xff);
        assert_eq!(to[2], 0);
        assert_eq!(to[5], 0b0000_0111);
    }

    /// The pixels of `hist` between two levels, and all of them.
    fn near_in(hist: &[u64; 256]) -> impl FnOnce(u8, u8) -> (u64, u64) + '_ {
        |lo, hi| {
            let near = hist[usize::from(lo)..=usize::from(hi)].iter().sum();
            (near, hist.iter().sum())
        }
    }

    #[test]
    fn counting_between_two_levels_counts_every_pixel_once() {
        // Rows of every length around the 64-pixel blocks, all levels.
        let row: Vec<u8> = (0..300u32).map(|i| (i * 37 % 256) as u8).collect();
        for len in [0, 1, 63, 64, 65, 128, 200, 300] {
            for (lo, hi) in [(0, 255), (239, 255), (100, 124), (7, 7), (255, 255)] {
                let want = row[..len].iter().filter(|&&v| lo <= v && v <= hi).count();
                assert_eq!(
                    count_between(&row[..len], lo, hi),
                    want,
                    "{len} {lo}..={hi}"
                );
            }
        }
        // A white row of a full page width: 1728 in one byte-lane sum each
        // 64 pixels, no overflow.
        assert_eq!(count_between(&[255; 1728], 239, 255), 1728);
    }

    /// `page` with its white tiles marked, as the renderer marks them.
    fn hinted(page: &GrayPage) -> GrayPage {
        let (w, h) = (page.width() as usize, page.height() as usize);
        let white = (0..h.div_ceil(TILE))
            .flat_map(|ty| (0..w.div_ceil(TILE)).map(move |tx| (tx, ty)))
            .map(|(tx, ty)| {
                let (x0, y0) = (tx * TILE, ty * TILE);
                (y0..(y0 + TILE).min(h)).all(|y| {
                    page.row(y as u32)[x0..(x0 + TILE).min(w)]
                        .iter()
                        .all(|&v| v == 255)
                })
            })
            .collect();
        let mut hinted = page.clone();
        assert!(hinted.set_white_tiles(white));
        hinted
    }

    fn spans_of(page: &GrayPage) -> Vec<Vec<(usize, usize)>> {
        let (cols, rows) = (
            (page.width() as usize).div_ceil(TILE),
            (page.height() as usize).div_ceil(TILE),
        );
        (0..rows).map(|ty| drawn_spans(page, ty, cols)).collect()
    }

    /// The tile statistics from one pass over each row's columns are the
    /// rule applied tile by tile, pixel by pixel: every tile's brightest
    /// and darkest pixel and its smooth mid-tones (right and lower
    /// neighbours clamped at the page's edges), on pages whose sizes are
    /// not whole tiles, with white tiles the page knows, tints, gradients,
    /// noise and text-like strokes, at several `hi`.
    #[test]
    fn column_pass_counts_what_each_tile_holds() {
        let reference = |page: &GrayPage, tx: usize, ty: usize, hi: u8| {
            let (w, h) = (page.width() as usize, page.height() as usize);
            let (mut max, mut min, mut smooth) = (0u8, 255u8, 0u32);
            for y in ty * TILE..((ty + 1) * TILE).min(h) {
                let (row, below) = (page.row(y as u32), page.row((y + 1).min(h - 1) as u32));
                for x in tx * TILE..((tx + 1) * TILE).min(w) {
                    let v = row[x];
                    (max, min) = (max.max(v), min.min(v));
                    smooth += u32::from(smooth_mid(v, row[(x + 1).min(w - 1)], below[x], hi));
                }
            }
            ([max, min], smooth)
        };
        let mut seed = 99u32;
        let mut next = move || {
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            seed >> 8
        };
        let (mut smooth_tiles, mut checked) = (0, 0);
        for (w, h) in [(1728u32, 70u32), (203, 97), (16, 16), (37, 5), (64, 33)] {
            for kind in 0..4 {
                let mut page = GrayPage::new(w, h, faxprep_page::Resolution::Fine).unwrap();
                for y in 0..h {
                    for x in 0..w {
                        let r = next();
                        let v = match (kind, (x / 16 + y / 16) % 3) {
                            // White tiles among the others.
                            (_, 0) if kind != 3 => 255,
                            // A gradient with a little noise: smooth.
                            (0, _) => (40 + (x + y) % 150 + r % 4) as u8,
                            // A tint and text-like strokes.
                            (1, _) if y % 7 < 2 && x % 5 < 3 => (r % 30) as u8,
                            (1, _) => 200,
                            // Noise over every level.
                            (2, _) => r as u8,
                            // Clamped neighbours matter: smooth columns and
                            // rows against the page's last ones.
                            _ => (120 + (x % 3) + (y % 2)) as u8,
                        };
                        page.set(x, y, v);
                    }
                }
                let page = hinted(&page);
                let spans = spans_of(&page);
                for hi in [235u8, 180, 60] {
                    for (ty, spans) in spans.iter().enumerate() {
                        let (extremes, (counts, _)) = measure_row(&page, spans, ty, hi);
                        assert_eq!(extremes, tile_extremes(&page, spans, ty));
                        for (tx, (&got, &count)) in extremes.iter().zip(&counts).enumerate() {
                            let (want, smooth) = reference(&page, tx, ty, hi);
                            assert_eq!(
                                (got, count),
                                (want, smooth),
                                "{w}x{h} kind {kind} hi {hi} tile {tx},{ty}"
                            );
                            smooth_tiles += usize::from(smooth > 0);
                            checked += 1;
                        }
                    }
                }
            }
        }
        // The pages have smooth mid-tones to count, not only zeros.
        assert!(smooth_tiles * 4 > checked, "{smooth_tiles} of {checked}");
    }

    /// The paper settled by the white tiles alone is the paper measured,
    /// and the analysis that skips measuring it finds the same regions:
    /// on pages just over both bounds (a fifth of the tiles, 30% of the
    /// sampled pixels white), with text, a tint and a picture; below
    /// either bound the paper is measured.
    #[test]
    fn paper_known_from_white_tiles_is_the_paper_measured() {
        let opts = HalftoneOptions::with_threads(1);
        // (white rows at the top, the rest's background): a light gray
        // background is no paper of its own, so white wins only by count.
        for (white_rows, ground, known) in [
            (192, 200, true),
            (176, 200, false),
            (192, 250, true),
            (64, 250, false),
        ] {
            let mut page = GrayPage::new(400, 640, faxprep_page::Resolution::Fine).unwrap();
            let mut seed = 7u32;
            for y in white_rows..640 {
                for x in 0..400 {
                    seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                    let v = match (x, y) {
                        // A picture: smooth noise over many levels.
                        (0..160, 300..460) => (60 + (x + y) / 4 + (seed >> 28)) as u8,
                        // Text-like strokes.
                        (200..380, _) if y % 20 < 4 && x % 9 < 6 => 0,
                        _ => ground,
                    };
                    page.set(x, y, v);
                }
            }
            let hint = hinted(&page);
            let spans = spans_of(&hint);
            let pass1: Vec<Vec<[u8; 2]>> = (0..spans.len())
                .map(|ty| tile_extremes(&hint, &spans[ty], ty))
                .collect();
            let measured = measured_paper(&hint, &spans, &tile_order(&pass1).0);
            let settled = paper_of_white_tiles(&hint, &spans);
            assert_eq!(
                settled.is_some(),
                known,
                "{white_rows} white rows on {ground}"
            );
            if let Some(paper) = settled {
                assert_eq!(paper, measured, "{white_rows} white rows on {ground}");
            }
            let plain = classify_in_pool(&page, &opts);
            assert_eq!(classify_in_pool(&hint, &opts), plain);
            // The rows in parallel as well.
            let three = HalftoneOptions::with_threads(3);
            assert_eq!(classify(&hint, &three), plain, "on three threads");
            assert!(plain.photo_fraction() > 0.0, "the picture is found");
        }
    }

    /// The contrast rule drawn tile row by tile row during the analysis
    /// is what `auto_with` draws from the finished map; a page with a
    /// picture gets no such rows (the photo tiles take the screen).
    #[test]
    fn text_rows_drawn_during_the_analysis_are_auto_with_s() {
        let opts = HalftoneOptions::with_threads(1);
        for picture in [false, true] {
            let mut page = GrayPage::new(403, 517, faxprep_page::Resolution::Fine).unwrap();
            let mut seed = 3u32;
            for y in 200..517 {
                for x in 0..403 {
                    seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                    let v = match (x, y) {
                        (0..160, 300..460) if picture => (60 + (x + y) / 4 + (seed >> 28)) as u8,
                        // Strokes of every gray, hairlines and rims.
                        (170..400, _) if y % 13 < 3 && x % 7 < 4 => ((x * 37 + y) % 200) as u8,
                        (170..400, _) if y % 13 == 5 => 160 + (seed >> 29) as u8,
                        _ => 255,
                    };
                    page.set(x, y, v);
                }
            }
            let hint = hinted(&page);
            let (map, rows) = analyse(&hint, &opts, true);
            assert_eq!(map, classify_in_pool(&page, &opts));
            assert_eq!(map.photo_fraction() > 0.0, picture);
            let whole = auto_with(&hint, &map, crate::Method::LINE_PERIOD, &opts);
            match rows {
                Some(rows) => {
                    assert!(!picture);
                    assert!(rows.iter().any(|&b| b != 0), "strokes are drawn");
                    assert_eq!(crate::finish(&hint, rows), whole);
                }
                None => assert!(picture),
            }
        }
    }

    #[test]
    fn paper_is_a_high_percentile_of_tile_maxima() {
        let paper = |max: &[u8]| {
            let mut hist = [0u64; 256];
            max.iter().for_each(|&m| hist[usize::from(m)] += 1);
            paper_level(max, near_in(&hist))
        };
        assert_eq!(
            paper(&[255, 240, 240, 240, 240, 240, 240, 240, 240, 10]),
            240
        );
        assert_eq!(
            paper(&[255, 255, 200, 200, 200, 200, 200, 200, 10, 10]),
            255
        );
        assert_eq!(paper(&[0, 0, 0]), 255, "no pixel near 128: not paper");
        let mut hist = [0u64; 256];
        hist[120] = 10;
        hist[135] = 10;
        assert_eq!(paper_level(&[0, 0, 0], near_in(&hist)), 128);
    }

    #[test]
    fn a_photograph_has_no_paper() {
        // Tile maxima put the "paper" at 205, but only 5% of the pixels
        // are near it: the bright end of a photo.
        let max = [205u8; 10];
        let mut hist = [0u64; 256];
        (20..250).for_each(|v| hist[v] = 10);
        assert_eq!(paper_level(&max, near_in(&hist)), 255);
        hist[200] = 2000;
        assert_eq!(paper_level(&max, near_in(&hist)), 205, "an off-white scan");
    }
}

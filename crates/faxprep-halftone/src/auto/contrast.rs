//! The contrast rule of `auto` for everything that is not a photo (see
//! the parent module's docs): black below a cut relative to the local
//! background, with ridges (hairlines) kept black and peaks (counters of
//! small text) kept white.

use faxprep_page::GrayPage;
use fearless_simd::{Simd, SimdBase, SimdFrom, SimdInt, SimdMask, u8x16, u8x64};

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

// The output bytes of a tile row are its own (see `text_band`).
const _: () = assert!(TILE == 16);

/// Pixels in a [`Block`]: four tiles.
const BLOCK: usize = 64;

/// A pixel at least this light is never black: the cut is at most
/// [`CUT`] of the background and a ridge is at least [`RIDGE_DEPTH`]
/// below it, both below this whatever the background.
const NEVER_BLACK: u8 = u8::MAX - RIDGE_DEPTH;
const _: () = assert!((255 * CUT) >> 8 <= NEVER_BLACK as u32);
const _: () = assert!((255 * CUT_BLACK) >> 8 <= NEVER_BLACK as u32);

/// The contrast rule over the text tiles of tile row `ty`.
pub(super) fn text_band(
    page: &GrayPage,
    map: &RegionMap,
    ty: usize,
    band: &mut [u8],
    stride: usize,
) {
    fearless_simd::dispatch!(
        fearless_simd::Level::new(),
        simd => text_band_in(simd, page, map, ty, band, stride)
    );
}

#[inline(always)]
fn text_band_in<S: Simd>(
    simd: S,
    page: &GrayPage,
    map: &RegionMap,
    ty: usize,
    band: &mut [u8],
    stride: usize,
) {
    let width = map.width;
    let height = map.height;
    let paper = u32::from(map.paper);
    let cols = map.cols;
    // The brightest and darkest pixel of the 3 x 3 tiles around each tile
    // of this row: down the three tile rows, then across.
    let (mut down_max, mut down_min) = (vec![0u8; cols], vec![255u8; cols]);
    for ny in ty.saturating_sub(1)..(ty + 2).min(map.rows) {
        let (hi, lo) = (&map.max[ny * cols..][..cols], &map.min[ny * cols..][..cols]);
        for (((m, n), &h), &l) in down_max.iter_mut().zip(&mut down_min).zip(hi).zip(lo) {
            *m = (*m).max(h);
            *n = (*n).min(l);
        }
    }
    let across = |v: &[u8], tx: usize, f: fn(u8, u8) -> u8| {
        let left = v[tx.saturating_sub(1)];
        let right = v[(tx + 1).min(cols - 1)];
        f(f(left, v[tx]), right)
    };
    // The tiles of this row that can have black pixels, with their cuts.
    let tiles: Vec<Cuts> = (0..cols)
        .filter_map(|tx| {
            // Nothing as light as this is ever black (see NEVER_BLACK):
            // the blank tiles of a page stop here.
            if map.photo[ty * cols + tx] || map.min[ty * cols + tx] >= NEVER_BLACK {
                return None;
            }
            let b = across(&down_max, tx, u8::max);
            let ink = across(&down_min, tx, u8::min);
            // The local background, after the dark-fill rule.
            let b = if u32::from(b) * 256 < CUT * paper {
                map.paper
            } else {
                b
            };
            let fraction = if ink < BLACK_INK { CUT_BLACK } else { CUT };
            let cut = ((u32::from(b) * fraction) >> 8) as u8;
            let deep = b.saturating_sub(RIDGE_DEPTH);
            // Nothing in the tile is dark enough to be black, even as a
            // ridge: the output stays white (most tiles of a page).
            if map.min[ty * map.cols + tx] >= cut.max(deep) {
                return None;
            }
            Some(Cuts {
                x0: tx * TILE,
                x1: (tx * TILE + TILE).min(width),
                cut,
                deep,
                tip_paper: b.saturating_sub(TIP_PAPER),
                // Pure dark pixels never need the peak test.
                peak_lo: b / 3,
            })
        })
        .collect();
    if tiles.is_empty() {
        return;
    }
    // Four tiles side by side, two or more of them with black pixels to
    // find, away from the page's edges: one 64-lane vector for the four.
    // The other tiles one by one.
    let (mut blocks, mut single) = (Vec::new(), Vec::new());
    let mut rest = tiles.as_slice();
    while let Some(first) = rest.first() {
        let x0 = first.x0 / BLOCK * BLOCK;
        let n = rest.iter().take_while(|t| t.x0 < x0 + BLOCK).count();
        let (group, after) = rest.split_at(n);
        if n >= 2 && x0 >= 2 && x0 + BLOCK + 2 <= width {
            blocks.push(Block::new(simd, x0, group));
        } else {
            single.extend(group);
        }
        rest = after;
    }
    for (i, dst) in band.chunks_exact_mut(stride).enumerate() {
        let y = ty * TILE + i;
        let rows = [
            page.row(y.saturating_sub(2) as u32),
            page.row(y.saturating_sub(1) as u32),
            page.row(y as u32),
            page.row((y + 1).min(height - 1) as u32),
            page.row((y + 2).min(height - 1) as u32),
        ];
        for block in &blocks {
            let black = block.black(simd, &rows);
            if black != [0; 8] {
                for (d, b) in dst[block.x0 / 8..][..8].iter_mut().zip(black) {
                    *d |= b;
                }
            }
        }
        let cur = rows[2];
        for t in single.iter().copied() {
            // Away from the page's left and right edges, in vectors.
            if let Some(black) = tile_in_lanes(simd, &rows, t) {
                if black != 0 {
                    for (d, b) in dst[t.x0 / 8..t.x0 / 8 + 2]
                        .iter_mut()
                        .zip(black.to_be_bytes())
                    {
                        *d |= b;
                    }
                }
                continue;
            }
            // Only the pixels between the sure black (below `peak_lo`) and
            // the sure white (from `white` up) need the ridge or peak test:
            // the anti-aliased rims, a small share of a text tile.
            let seg = &cur[t.x0..t.x1];
            // Paper-white pixels are never black (`white` is at most 255):
            // the blank rows of a text tile cost one comparison.
            if all_white(seg) {
                continue;
            }
            let white = t.cut.max(t.deep);
            let (sure_black, unsure) = sort_pixels(seg, t.peak_lo, white);
            if sure_black | unsure == 0 {
                continue;
            }
            // Tiles start on a byte boundary (TILE is a multiple of 8).
            for (d, b) in dst[t.x0 / 8..t.x1.div_ceil(8)]
                .iter_mut()
                .zip(sure_black.to_be_bytes())
            {
                *d |= b;
            }
            // At the page's edges, pixel by pixel (clamped).
            let mut rest = unsure;
            while rest != 0 {
                let i = rest.leading_zeros();
                rest &= !(0x8000 >> i);
                let x = t.x0 + i as usize;
                if rim_black(row5(cur, x, width), col5(&rows, x), t) {
                    dst[x / 8] |= 0x80 >> (x % 8);
                }
            }
        }
    }
}

/// The black pixels of the sixteen pixels of tile `t` in the middle row
/// of `rows` (bit `15 - i` for pixel `i`, as [`sort_pixels`]): the whole
/// rule (sure black, sure white, and the rim tests of [`rim_black`] for
/// the rest) in vectors of the CPU's level. `None` for tiles that are not
/// sixteen pixels wide with two more on each side (the page's edges),
/// which take the pixel-by-pixel path.
#[inline(always)]
fn tile_in_lanes<S: Simd>(simd: S, rows: &[&[u8]; 5], t: &Cuts) -> Option<u16> {
    if t.x1 - t.x0 != 16 || t.x0 < 2 {
        return None;
    }
    let cuts = LaneCuts {
        cut: u8x16::splat(simd, t.cut),
        deep: u8x16::splat(simd, t.deep),
        tip_paper: u8x16::splat(simd, t.tip_paper),
        peak_lo: u8x16::splat(simd, t.peak_lo),
        white: u8x16::splat(simd, t.cut.max(t.deep)),
    };
    black_lanes(simd, rows, t.x0, &cuts).map(msb_first_bits)
}

/// The cuts of [`Cuts`] lane by lane: the same in every lane for one tile
/// ([`tile_in_lanes`]), each tile's in its sixteen lanes for a block of
/// tiles ([`Block`]).
#[derive(Clone, Copy)]
struct LaneCuts<V> {
    cut: V,
    deep: V,
    tip_paper: V,
    peak_lo: V,
    /// Sure white from here up: the larger of `cut` and `deep`.
    white: V,
}

/// Four tiles side by side, [`BLOCK`] pixels from `x0` (a multiple of it, with
/// two pixels more on each side in the row), decided in one vector: the
/// tiles among them that can have no black pixel get cuts of 0, which
/// make none.
struct Block<S: Simd> {
    x0: usize,
    cuts: LaneCuts<u8x64<S>>,
}

impl<S: Simd> Block<S> {
    /// The block from `x0` holding the tiles `tiles` (those of its four
    /// that can have black pixels).
    #[inline(always)]
    fn new(simd: S, x0: usize, tiles: &[Cuts]) -> Block<S> {
        let mut lanes = [[0u8; 64]; 5];
        for t in tiles {
            let at = t.x0 - x0;
            let values = [t.cut, t.deep, t.tip_paper, t.peak_lo, t.cut.max(t.deep)];
            for (lane, value) in lanes.iter_mut().zip(values) {
                lane[at..at + TILE].fill(value);
            }
        }
        let [cut, deep, tip_paper, peak_lo, white] = lanes;
        let from = |l: [u8; 64]| u8x64::simd_from(simd, l);
        Block {
            x0,
            cuts: LaneCuts {
                cut: from(cut),
                deep: from(deep),
                tip_paper: from(tip_paper),
                peak_lo: from(peak_lo),
                white: from(white),
            },
        }
    }

    /// The packed bytes of the block's 64 pixels in the middle row of
    /// `rows`.
    #[inline(always)]
    fn black(&self, simd: S, rows: &[&[u8]; 5]) -> [u8; 8] {
        // The block was chosen with two pixels on each side in its row.
        let mask = black_lanes(simd, rows, self.x0, &self.cuts).unwrap_or(0);
        mask.reverse_bits().to_be_bytes()
    }
}

/// The contrast rule in vector lanes: lane `i` is pixel `x + i` of the
/// middle row of `rows` (`None` when the lanes with two pixels on each
/// side do not fit in the row). The black pixels, bit `i` for lane `i`:
/// sure black (below `peak_lo`), none of the sure white (from `white`
/// up), and the rim tests of [`rim_black`] for the rest. A lane whose
/// cuts are all 0 is never black.
#[inline(always)]
fn black_lanes<S: Simd, V: SimdInt<S, Element = u8>>(
    simd: S,
    rows: &[&[u8]; 5],
    x: usize,
    c: &LaneCuts<V>,
) -> Option<u64> {
    // A macro rather than a closure (see below).
    macro_rules! at {
        ($row:expr, $dx:expr) => {
            lanes_at::<S, V>(simd, rows[$row], x, $dx)
        };
    }
    // The right neighbours first: they bound the row's length.
    let r2 = at!(2, 2)?;
    let v = at!(2, 0)?;
    // Paper-white rows of a text tile cost one comparison.
    if v.simd_eq(255).all_true() {
        return Some(0);
    }
    let sure = v.simd_lt(c.peak_lo);
    let unsure = !sure & v.simd_lt(c.white);
    if !unsure.any_true() {
        return Some(sure.to_bitmask());
    }
    let (l2, l1, r1) = (at!(2, -2)?, at!(2, -1)?, at!(2, 1)?);
    let (u2, u1, d1, d2) = (at!(0, 0)?, at!(1, 0)?, at!(3, 0)?, at!(4, 0)?);
    // As `rim_black`, lane by lane.
    let ridge = (ridge_lanes(v, [l2, l1, r1, r2]) & continues_lanes(u1, d1, c))
        | (ridge_lanes(v, [u2, u1, d1, d2]) & continues_lanes(l1, r1, c));
    let lightest = v.simd_ge(l1.max(r1).max(u1.max(d1)));
    let peak = lightest & (peak_lanes(v, [l2, l1, r1, r2]) | peak_lanes(v, [u2, u1, d1, d2]));
    let dark = v.simd_lt(c.cut);
    let rim = (dark & !peak) | (!dark & v.simd_lt(c.deep) & ridge);
    Some((sure | (unsure & rim)).to_bitmask())
}

/// The lanes from pixel `x + dx` of `row`, if they are all in it.
#[inline(always)]
fn lanes_at<S: Simd, V: SimdBase<S, Element = u8>>(
    simd: S,
    row: &[u8],
    x: usize,
    dx: isize,
) -> Option<V> {
    let from = x.checked_add_signed(dx)?;
    Some(V::from_slice(
        simd,
        row.get(from..from.checked_add(V::LEN)?)?,
    ))
}

// The lane versions of `rim_black`'s tests are functions, not closures:
// only what is inlined into the caller is compiled for its vector level
// (a closure left out of line calls a function per vector operation).

/// [`rim_black`]'s test that a ridge does not end a stroke, with `a1` and
/// `a3` the neighbours along it.
#[inline(always)]
fn continues_lanes<S: Simd, V: SimdInt<S, Element = u8>>(a1: V, a3: V, c: &LaneCuts<V>) -> V::Mask {
    !(a1.min(a3).simd_lt(c.cut) & a1.max(a3).simd_ge(c.tip_paper))
}

/// [`is_ridge`] in lanes: `v` with the two pixels on each side, `[p0, p1,
/// p3, p4]`.
#[inline(always)]
fn ridge_lanes<S: Simd, V: SimdInt<S, Element = u8>>(v: V, [p0, p1, p3, p4]: [V; 4]) -> V::Mask {
    let m = v.saturating_add(RIDGE_CONTRAST);
    p1.simd_ge(v)
        & p3.simd_ge(v)
        & p0.max(p1).simd_ge(m)
        & p3.max(p4).simd_ge(m)
        & v.simd_lt(255 - RIDGE_CONTRAST)
}

/// [`is_peak`] in lanes.
#[inline(always)]
fn peak_lanes<S: Simd, V: SimdInt<S, Element = u8>>(v: V, [p0, p1, p3, p4]: [V; 4]) -> V::Mask {
    let m = v - PEAK_CONTRAST;
    v.simd_ge(PEAK_CONTRAST)
        & v.simd_ge(p1)
        & v.simd_ge(p3)
        & m.simd_ge(p0.min(p1))
        & m.simd_ge(p3.min(p4))
}

/// A lane mask (bit `i` for lane `i`) in the packed order (bit `15 - i`).
#[inline(always)]
fn msb_first_bits(mask: u64) -> u16 {
    (mask as u16).reverse_bits()
}

/// Whether a rim pixel (neither sure black nor sure white), with the five
/// pixels around it along its `row` and down its `col`, is black:
/// - darker than the cut, it is black unless it is a *peak* that is also
///   the lightest of its four neighbours: an open counter is lighter than
///   everything around it, while a lighter pixel on a stroke's edge has
///   paper beside it (whitening it notches the edge);
/// - lighter, it is black when darker than `deep` and a *ridge* that does
///   not end a stroke: a stroke's anti-aliased tip or rim is a ridge
///   across but has, along the ridge, ink (below the cut) on one side and
///   paper (within [`TIP_PAPER`] of the background) on the other;
///   blackening it only roughens the edge, and each such pixel costs G4 a
///   pair of changes. A hairline continues on both sides, or crosses
///   another line.
///
/// Without branches; the edge tiles call it pixel by pixel, and the
/// tests compare it, lane by lane, with [`tile_in_lanes`].
#[inline(always)]
fn rim_black(row: [u8; 5], col: [u8; 5], t: &Cuts) -> bool {
    let v = row[2];
    // `along` are the neighbours along the line the ridge would be part of.
    let continues = |along: [u8; 5]| {
        !((along[1].min(along[3]) < t.cut) & (along[1].max(along[3]) >= t.tip_paper))
    };
    let ridge = (is_ridge(row) & continues(col)) | (is_ridge(col) & continues(row));
    let lightest = v >= row[1].max(row[3]).max(col[1]).max(col[3]);
    let peak = lightest & (is_peak(row) | is_peak(col));
    let dark = v < t.cut;
    (dark & !peak) | (!dark & (v < t.deep) & ridge)
}

/// The cuts of one tile that may hold black pixels.
struct Cuts {
    x0: usize,
    x1: usize,
    /// Black below this, unless a peak.
    cut: u8,
    /// A ridge is darker than this.
    deep: u8,
    /// Paper beside a stroke's tip is lighter than this.
    tip_paper: u8,
    /// Black below this without the peak test.
    peak_lo: u8,
}

/// Masks of the pixels of `seg` (at most 16; bit `15 - i` is `seg[i]`,
/// the order of the packed output) that are below `black`, and of those
/// between `black` and `white`.
#[inline(always)]
fn sort_pixels(seg: &[u8], black: u8, white: u8) -> (u16, u16) {
    if let Some(v) = seg.first_chunk::<16>() {
        // Fixed size: the comparisons become vector code, and each half
        // is packed to a byte with one multiplication.
        let mut sure = [0u8; 16];
        let mut unsure = [0u8; 16];
        for i in 0..16 {
            sure[i] = u8::from(v[i] < black);
            unsure[i] = u8::from(v[i] >= black && v[i] < white);
        }
        (msb_first(sure), msb_first(unsure))
    } else {
        let (mut sure, mut unsure) = (0u16, 0u16);
        for (i, &p) in seg.iter().enumerate() {
            sure |= u16::from(p < black) << (15 - i);
            unsure |= u16::from(p >= black && p < white) << (15 - i);
        }
        (sure, unsure)
    }
}

/// Whether every pixel of `seg` (at most 16) is 255.
#[inline(always)]
pub(super) fn all_white(seg: &[u8]) -> bool {
    match seg.first_chunk::<16>() {
        Some(v) => u128::from_ne_bytes(*v) == u128::MAX,
        None => seg.iter().all(|&v| v == 255),
    }
}

/// Sixteen 0-or-1 bytes to sixteen bits, the first byte in the top bit.
#[inline(always)]
fn msb_first(lanes: [u8; 16]) -> u16 {
    // Multiplying eight 0/1 bytes by this constant gathers them, the
    // lowest-addressed first, into the top byte of the product.
    const GATHER: u64 = 0x8040_2010_0804_0201;
    let all = u128::from_le_bytes(lanes);
    let byte = |half: u64| half.wrapping_mul(GATHER) >> 56;
    ((byte(all as u64) << 8) | byte((all >> 64) as u64)) as u16
}

/// The five pixels around `x` along the row (clamped at the edges).
#[inline(always)]
fn row5(row: &[u8], x: usize, width: usize) -> [u8; 5] {
    if x >= 2
        && x + 2 < width
        && let Some(p) = row[x - 2..].first_chunk::<5>()
    {
        return *p;
    }
    let at = |d: isize| row[x.saturating_add_signed(d).min(width - 1)];
    [at(-2), at(-1), row[x], at(1), at(2)]
}

/// The five pixels around `x` down the column.
#[inline(always)]
fn col5(rows: &[&[u8]; 5], x: usize) -> [u8; 5] {
    [rows[0][x], rows[1][x], rows[2][x], rows[3][x], rows[4][x]]
}

/// A local minimum with lighter pixels on both sides.
#[inline(always)]
fn is_ridge(p: [u8; 5]) -> bool {
    let v = p[2];
    let m = v.saturating_add(RIDGE_CONTRAST);
    (v <= p[1])
        & (v <= p[3])
        & (p[0].max(p[1]) >= m)
        & (p[3].max(p[4]) >= m)
        & (v < 255 - RIDGE_CONTRAST)
}

/// A local maximum with darker pixels on both sides.
#[inline(always)]
fn is_peak(p: [u8; 5]) -> bool {
    let v = p[2];
    let m = v.wrapping_sub(PEAK_CONTRAST);
    (v >= PEAK_CONTRAST) & (v >= p[1]) & (v >= p[3]) & (p[0].min(p[1]) <= m) & (p[3].min(p[4]) <= m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_put_the_first_pixel_in_the_top_bit() {
        let mut seg = [255u8; 16];
        seg[0] = 0;
        seg[9] = 100;
        seg[15] = 10;
        assert_eq!(sort_pixels(&seg, 50, 200), (0x8001, 0x0040));
        assert_eq!(sort_pixels(&seg[..10], 50, 200), (0x8000, 0x0040));
    }

    /// A fixed xorshift stream.
    fn xorshift(seed: u32) -> impl FnMut() -> u32 {
        let mut state = seed;
        move || {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            state
        }
    }

    /// Five rows `width` pixels wide of strokes and hairlines in many
    /// grays, all paper in every seventh round.
    fn random_rows(next: &mut impl FnMut() -> u32, round: usize, width: usize) -> Vec<Vec<u8>> {
        (0..5)
            .map(|_| {
                (0..width)
                    .map(|_| match (next() % 5, round % 7) {
                        (_, 0) | (0 | 1, _) => 255,
                        (2, _) => 0,
                        _ => (next() % 256) as u8,
                    })
                    .collect()
            })
            .collect()
    }

    /// A tile from `x0` with any cuts the contrast rule can choose.
    fn random_cuts(next: &mut impl FnMut() -> u32, x0: usize) -> Cuts {
        let b = 128 + (next() % 128) as u8;
        let fraction = if next().is_multiple_of(2) {
            CUT
        } else {
            CUT_BLACK
        };
        Cuts {
            x0,
            x1: x0 + 16,
            cut: ((u32::from(b) * fraction) >> 8) as u8,
            deep: b.saturating_sub(RIDGE_DEPTH),
            tip_paper: b.saturating_sub(TIP_PAPER),
            peak_lo: b / 3,
        }
    }

    /// `n` middle tiles (16 pixels from x = 16 or 32 in rows 64 wide) of
    /// [`random_rows`] with [`random_cuts`]: `check(rows, cuts)` for each.
    fn random_tiles(seed: u32, n: usize, mut check: impl FnMut(&[&[u8]; 5], &Cuts)) {
        let mut next = xorshift(seed);
        for round in 0..n {
            let rows_owned = random_rows(&mut next, round, 64);
            let rows: [&[u8]; 5] = std::array::from_fn(|i| rows_owned[i].as_slice());
            let x0 = 16 * (1 + (next() % 2) as usize);
            let t = random_cuts(&mut next, x0);
            check(&rows, &t);
        }
    }

    /// The rim decisions (black or not, for a pixel that is neither sure
    /// black nor sure white) of the sixteen pixels of tile `t` in the
    /// middle row of `rows`, as a mask like [`sort_pixels`]'s: [`rim_black`]
    /// lane by lane, the step between the pixel-by-pixel rules and
    /// [`tile_in_lanes`]. `None` where [`tile_in_lanes`] is `None`.
    fn rims16(rows: &[&[u8]; 5], t: &Cuts) -> Option<u16> {
        if t.x1 - t.x0 != 16 || t.x0 < 2 {
            return None;
        }
        let at = |row: &[u8], from: usize| row.get(from..)?.first_chunk::<16>().copied();
        let cur = rows[2];
        let (l2, l1, v, r1, r2) = (
            at(cur, t.x0 - 2)?,
            at(cur, t.x0 - 1)?,
            at(cur, t.x0)?,
            at(cur, t.x0 + 1)?,
            at(cur, t.x0 + 2)?,
        );
        let (u2, u1, d1, d2) = (
            at(rows[0], t.x0)?,
            at(rows[1], t.x0)?,
            at(rows[3], t.x0)?,
            at(rows[4], t.x0)?,
        );
        let mut black = [0u8; 16];
        for i in 0..16 {
            let row = [l2[i], l1[i], v[i], r1[i], r2[i]];
            let col = [u2[i], u1[i], v[i], d1[i], d2[i]];
            black[i] = u8::from(rim_black(row, col, t));
        }
        Some(msb_first(black))
    }

    /// The rim rules as first written, pixel by pixel with short-circuit
    /// tests: the oracle for the branch-free [`rim_black`].
    fn rim_black_reference(rows: &[&[u8]; 5], x: usize, width: usize, t: &Cuts) -> bool {
        let (r, c) = (row5(rows[2], x, width), col5(rows, x));
        let ridge = |p: [u8; 5]| {
            let (v, m) = (p[2], p[2].saturating_add(RIDGE_CONTRAST));
            v <= p[1]
                && v <= p[3]
                && p[0].max(p[1]) >= m
                && p[3].max(p[4]) >= m
                && v < 255 - RIDGE_CONTRAST
        };
        let peak = |p: [u8; 5]| {
            let v = p[2];
            v.checked_sub(PEAK_CONTRAST).is_some_and(|m| {
                v >= p[1] && v >= p[3] && p[0].min(p[1]) <= m && p[3].min(p[4]) <= m
            })
        };
        let continues = |a: [u8; 5]| !(a[1].min(a[3]) < t.cut && a[1].max(a[3]) >= t.tip_paper);
        if r[2] < t.cut {
            !(r[2] >= r[1].max(r[3]).max(c[1]).max(c[3]) && (peak(r) || peak(c)))
        } else {
            r[2] < t.deep && ((ridge(r) && continues(c)) || (ridge(c) && continues(r)))
        }
    }

    #[test]
    fn lane_rims_match_the_pixel_by_pixel_rules() {
        random_tiles(0x9e37_79b9, 2000, |rows, t| {
            let lanes = rims16(rows, t).unwrap();
            for i in 0..16 {
                let x = t.x0 + i;
                let v = rows[2][x];
                let scalar = rim_black_reference(rows, x, 64, t);
                let lane = lanes & (0x8000 >> i) != 0;
                if v >= t.peak_lo && v < t.cut.max(t.deep) {
                    assert_eq!(lane, scalar, "pixel {i} of {rows:?}");
                }
            }
        });
        let rows: [&[u8]; 5] = [&[255; 32]; 5];
        let [left, right] = edge_tiles();
        assert_eq!(rims16(&rows, &left), None, "the left edge clamps");
        assert_eq!(rims16(&rows, &right), None, "the right edge clamps");
    }

    /// The first and the last tile of a page 32 pixels wide: no two
    /// pixels beyond them on one side.
    fn edge_tiles() -> [Cuts; 2] {
        let left = Cuts {
            x0: 0,
            x1: 16,
            cut: 100,
            deep: 200,
            tip_paper: 240,
            peak_lo: 80,
        };
        let right = Cuts {
            x0: 16,
            x1: 32,
            ..left
        };
        [left, right]
    }

    /// The scalar rule for a middle tile: sure black, and the rim tests
    /// on the unsure pixels.
    fn tile_scalar(rows: &[&[u8]; 5], t: &Cuts) -> u16 {
        let seg = &rows[2][t.x0..t.x1];
        if all_white(seg) {
            return 0;
        }
        let (sure, unsure) = sort_pixels(seg, t.peak_lo, t.cut.max(t.deep));
        sure | (rims16(rows, t).unwrap() & unsure)
    }

    fn tile_lanes_match<S: Simd>(simd: S) {
        random_tiles(0x2545_f491, 4000, |rows, t| {
            assert_eq!(
                tile_in_lanes(simd, rows, t),
                Some(tile_scalar(rows, t)),
                "{rows:?}"
            );
        });
        // The edges are left to the scalar path.
        let rows: [&[u8]; 5] = [&[255; 32]; 5];
        let [left, right] = edge_tiles();
        assert_eq!(tile_in_lanes(simd, &rows, &left), None);
        assert_eq!(tile_in_lanes(simd, &rows, &right), None);
    }

    /// A block of four tiles (64 pixels from x = 64 in rows 192 wide), any
    /// of them with cuts and the others without, gives each tile's pixels
    /// of the scalar rule and none in the others.
    fn block_lanes_match<S: Simd>(simd: S) {
        let mut next = xorshift(0x6c07_8965);
        let mut black_tiles = 0;
        for round in 0..3000 {
            let rows_owned = random_rows(&mut next, round, 192);
            let rows: [&[u8]; 5] = std::array::from_fn(|i| rows_owned[i].as_slice());
            let chosen = 1 + next() % 15;
            let tiles: Vec<Cuts> = (0..4)
                .filter(|i| chosen & (1 << i) != 0)
                .map(|i| random_cuts(&mut next, 64 + 16 * i))
                .collect();
            let mut want = [0u8; 8];
            for t in &tiles {
                let bits = tile_scalar(&rows, t);
                black_tiles += usize::from(bits != 0);
                want[(t.x0 - 64) / 8..][..2].copy_from_slice(&bits.to_be_bytes());
            }
            let block = Block::new(simd, 64, &tiles);
            assert_eq!(
                block.black(simd, &rows),
                want,
                "tiles {chosen:04b} of {rows:?}"
            );
        }
        assert!(black_tiles > 1000, "{black_tiles} tiles with black pixels");
    }

    /// The vector rule gives the scalar rule's pixels at every vector
    /// level this CPU has, one tile at a time and in blocks of four.
    #[test]
    fn vector_tiles_match_the_scalar_rule_at_every_level() {
        #[cfg(target_arch = "x86_64")]
        {
            let level = fearless_simd::Level::new();
            if let Some(t) = level.as_sse2() {
                tile_lanes_match(t);
                block_lanes_match(t);
            }
            if let Some(t) = level.as_sse4_2() {
                tile_lanes_match(t);
                block_lanes_match(t);
            }
            if let Some(t) = level.as_avx2() {
                tile_lanes_match(t);
                block_lanes_match(t);
            }
            if let Some(t) = level.as_avx512() {
                tile_lanes_match(t);
                block_lanes_match(t);
            }
        }
        #[cfg(target_arch = "aarch64")]
        {
            if let Some(t) = fearless_simd::Level::new().as_neon() {
                tile_lanes_match(t);
                block_lanes_match(t);
            }
        }
    }

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

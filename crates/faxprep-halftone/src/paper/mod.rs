//! Pictures of paper: a phone photo of a letter, a receipt on a table, a
//! scan with a dark band, made into a document page before the text rules
//! run.
//!
//! The analysis works on 8 x 8 cells (1 mm at fine resolution):
//! - the *paper level* is a grey-level closing of the cells' brightest
//!   pixels (dark marks up to 5 cells, 5 mm, wide are bridged; the sheet's
//!   edges stay where they are), then a 3 x 3 box mean;
//! - the *sheet* is the largest bright region of the paper level above
//!   Otsu's cut, with its holes filled, or the whole page when nothing
//!   clearly darker surrounds it;
//! - its *corners* come from four lines fitted to the sides of its outline
//!   between the extremes of `x + y` and `x - y`, accepted only when the
//!   quadrilateral and the sheet overlap by 93% or more;
//! - the *lighting* is a wide (25-cell) mean of the paper level over the
//!   sheet, twice, the second time without the cells under 80% of the
//!   first;
//! - a *printed picture* is a region of cells with neither paper-white nor
//!   solid ink, enclosed by the sheet (see `printed_picture`); there the
//!   lighting of the sheet's paper stands in for the paper level, so the
//!   picture keeps its tones.
//!
//! It is paper when the sheet has a surround on at least two sides (a
//! page made on a computer with a picture at one side is "paper" along
//! the other three), or else fills the picture
//! but is lit unevenly (the 5th percentile of the lighting of its paper
//! under 90% of the 95th) and is not white already (half of it at 250 or more): a page
//! made on a computer or a scanner's page has nothing to correct, and its
//! pictures are pictures. The sheet also covers at least a fifth of the
//! page, is
//! either the whole page or a quadrilateral, and, divided by the
//! lighting, is mostly paper-white with some ink and few mid-tones (a
//! photograph has mid-tones everywhere; a sky is not a sheet with ink on
//! it). See [`PaperFacts`] for the numbers.
//!
//! The page is then made even (each pixel divided by the paper level
//! around it, then stretched so that the typical ink is solid and 84% of
//! the paper level is white), the sheet's quadrilateral is mapped onto the largest
//! rectangle of its shape that fits the page (perspective corrected), or,
//! without corners, the surround is made white and the text lines are
//! levelled (the skew, up to 15 degrees, is the angle whose projection of
//! the ink has the sharpest peaks). A binomial blur of sigma 1 pixel ends
//! it: sensor and JPEG noise on the edges of strokes would otherwise be
//! thresholded into ragged edges that cost bytes on the line.
//!
//! Limits: the analysis reads the page a few times at 1/8 scale (5 to 15
//! ms); the corners are found to about a cell, so the sheet is cut 1.5
//! cells inside them; a sheet that is curled, folded or held in a hand
//! has no four straight sides and is only evened, whitened around and
//! levelled; a hard shadow darker than 75% of the lighting is taken for
//! print and stays grey.

mod grid;
mod sheet;
mod warp;

use faxprep_page::GrayPage;

use grid::{CELL, Grid};
use sheet::Pt;
use warp::Homography;

/// Cells of closing radius for the paper level.
const CLOSE_RADIUS: usize = 2;
/// Cells of box radius for the lighting.
const LIGHT_RADIUS: usize = 12;
/// The sheet covers at least this share of the page.
const MIN_SHEET: f64 = 0.2;
/// Paper-white (at least 85% of the lighting) at least this share of the
/// sheet.
const MIN_WHITE: f64 = 0.55;
/// Ink (under 55% of the lighting) at least this share ...
const MIN_INK: f64 = 0.0005;
/// ... and mid-tones at most this share of the sheet.
const MAX_MID: f64 = 0.25;

/// What the paper analysis measured on a page.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct PaperFacts {
    /// Share of the page the sheet covers, 0 to 1.
    pub sheet: f64,
    /// Whether the sheet's four corners were found.
    pub corners: bool,
    /// Shares of the sheet's pixels that are paper-white (at least 85% of
    /// the lighting), ink (under 55%) and in between.
    pub white: f64,
    /// See [`PaperFacts::white`].
    pub ink: f64,
    /// See [`PaperFacts::white`].
    pub mid: f64,
    /// Whether the page is taken for a picture of paper.
    pub is_paper: bool,
}

/// The analysis of one page.
pub(crate) struct Analysis {
    /// The picture without the white margins the raster stage put around
    /// it (`None`: the page itself), and where it sits on the page.
    picture: Option<GrayPage>,
    origin: (usize, usize),
    paper: Grid,
    mask: sheet::Mask,
    corners: Option<[Pt; 4]>,
    /// The typical ink level, 255 being the lighting.
    ink: u8,
    pub(crate) facts: PaperFacts,
}

/// The median of a histogram (0 when it is empty).
fn median(hist: &[u64; 256]) -> u8 {
    let total: u64 = hist.iter().sum();
    let mut seen = 0;
    for (level, &n) in hist.iter().enumerate() {
        seen += n;
        if seen * 2 > total {
            return level as u8;
        }
    }
    0
}

/// Measure `page` (see the module docs).
pub(crate) fn analyse(page: &GrayPage) -> Analysis {
    let full = grid::cells(page);
    let picture = picture(page, &full);
    let (page, origin, cells) = match &picture {
        Some((cut, origin, cells)) => (cut, *origin, cells.clone()),
        None => (page, (0, 0), full),
    };
    // The sheet from a light closing (a dark strip of table at the edge
    // stays out of it), the paper level from a wider one.
    let mask = sheet::find(&grid::close(&cells.max, 1));
    let closed = grid::close(&cells.max, CLOSE_RADIUS);
    let whole = mask.count() == mask.on.len();
    let corners = if whole { None } else { sheet::quad(&mask) };
    let blurred = grid::blur(&closed, 1);
    let light = lighting(&blurred, &mask);
    // What the page is divided by: the closing, except on a picture
    // printed on the sheet, where the lighting stands in so the picture
    // keeps its tones.
    let paper_light = sheet_lighting(&blurred, &mask);
    let printed = printed_picture(&cells, &paper_light, &mask);
    let level: Vec<u8> = closed
        .v
        .iter()
        .zip(&printed)
        .map(|(&c, &p)| p.unwrap_or(c))
        .collect();
    let paper = grid::blur(&Grid { v: level, ..closed }, 1);

    // Pixel shares over the sheet, every other pixel of every other row.
    let (mut white, mut ink, mut all, mut pure) = (0u64, 0u64, 0u64, 0u64);
    // Levels of the darker pixels (under 75% of the lighting), on the
    // lighting's scale, for the typical ink.
    let mut dark = [0u64; 256];
    for y in (0..page.height() as usize).step_by(2) {
        let gy = y / CELL;
        let row = page.row(y as u32);
        for x in (0..row.len()).step_by(2) {
            let g = gy * paper.w + x / CELL;
            if !mask.on[g] {
                continue;
            }
            let l = u32::from(light[g].max(1));
            let v = u32::from(row[x]) * 100;
            all += 1;
            pure += u64::from(row[x] >= 250);
            white += u64::from(v >= 85 * l);
            ink += u64::from(v < 55 * l);
            if v < 75 * l {
                dark[(v * 255 / (100 * l)).min(255) as usize] += 1;
            }
        }
    }
    let typical_ink = median(&dark);
    let all_f = all.max(1) as f64;
    let (white, ink) = (white as f64 / all_f, ink as f64 / all_f);
    let mid = 1.0 - white - ink;
    let sheet = mask.fraction();
    // A page that fills the picture needs correcting only when its light
    // is uneven and its paper not white already: a page made on a
    // computer or a scanner's page has nothing to even out, and its
    // pictures are pictures.
    let already_white = pure * 2 >= all;
    let mut lit: Vec<u8> = paper_light
        .iter()
        .zip(&mask.on)
        .filter(|&(_, &on)| on)
        .map(|(&l, _)| l)
        .collect();
    lit.sort_unstable();
    let uneven = !lit.is_empty()
        && u32::from(lit[lit.len() / 20]) * 10 < u32::from(lit[lit.len() * 19 / 20]) * 9;
    // A sheet with a surround has it on at least two sides: a page made on
    // a computer with a picture at one side is paper on the other three.
    let reached = sides_reached(&mask);
    let is_paper = (if whole {
        uneven && !already_white
    } else {
        reached <= 2
    }) && sheet >= MIN_SHEET
        && (whole || corners.is_some())
        && white >= MIN_WHITE
        && ink >= MIN_INK
        && mid <= MAX_MID;
    Analysis {
        origin,
        picture: picture.map(|(cut, _, _)| cut),
        paper,
        mask,
        corners,
        ink: typical_ink,
        facts: PaperFacts {
            sheet,
            corners: corners.is_some(),
            white,
            ink,
            mid,
            is_paper,
        },
    }
}

/// How many sides of the page the sheet runs along (covers more than
/// half of that edge's cells).
fn sides_reached(mask: &sheet::Mask) -> usize {
    let (w, h) = (mask.w, mask.h);
    let share = |cells: &mut dyn Iterator<Item = usize>, n: usize| {
        cells.filter(|&i| mask.on[i]).count() * 2 > n
    };
    [
        share(&mut (0..w), w),
        share(&mut ((h - 1) * w..h * w), w),
        share(&mut (0..h).map(|y| y * w), h),
        share(&mut (0..h).map(|y| y * w + w - 1), h),
    ]
    .iter()
    .filter(|&&b| b)
    .count()
}

/// The picture on `page` when white margins surround it: the box of the
/// 8 x 8 cells that are not all white (a picture fitted to the page sits
/// between white margins), cut out, with its top-left pixel and its cells
/// (the page's cells inside the box: the box starts on whole cells).
fn picture(
    page: &GrayPage,
    cells: &grid::Cells,
) -> Option<(GrayPage, (usize, usize), grid::Cells)> {
    let min = &cells.min;
    let (mut x0, mut y0, mut x1, mut y1) = (min.w, min.h, 0, 0);
    for y in 0..min.h {
        for x in 0..min.w {
            if min.at(x, y) < 254 {
                (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x + 1), y1.max(y + 1));
            }
        }
    }
    let (width, height) = (page.width() as usize, page.height() as usize);
    let (px0, py0) = (x0 * CELL, y0 * CELL);
    let (px1, py1) = ((x1 * CELL).min(width), (y1 * CELL).min(height));
    // Nothing to cut, or nothing but white.
    if x0 >= x1 || (px0, py0, px1, py1) == (0, 0, width, height) {
        return None;
    }
    let mut data = Vec::with_capacity((px1 - px0) * (py1 - py0));
    for y in py0..py1 {
        data.extend_from_slice(&page.row(y as u32)[px0..px1]);
    }
    let cut = GrayPage::from_raw(
        (px1 - px0) as u32,
        (py1 - py0) as u32,
        page.resolution(),
        data,
    )
    .ok()?;
    let sub = |g: &Grid| Grid {
        w: x1 - x0,
        h: y1 - y0,
        v: (y0..y1)
            .flat_map(|y| g.v[y * g.w + x0..y * g.w + x1].iter().copied())
            .collect(),
    };
    let cut_cells = grid::Cells {
        max: sub(&cells.max),
        min: sub(&cells.min),
    };
    Some((cut, (px0, py0), cut_cells))
}

/// Cells of a picture printed on the sheet, with the paper level to use
/// there (the sheet's lighting, `light`): cells with no paper-white (the
/// brightest pixel under 92% of the lighting) and no solid ink (the
/// darkest over 25%), where print on paper always has paper between its
/// strokes; closed with a radius of 2 cells, so the picture's dark parts
/// join it, and opened with a radius of 1, so grey print a cell or two
/// wide does not count; and only regions with sheet all around them
/// (a side of the sheet in a shadow touches its edge).
fn printed_picture(cells: &grid::Cells, light: &[u8], mask: &sheet::Mask) -> Vec<Option<u8>> {
    let v: Vec<u8> = cells
        .max
        .v
        .iter()
        .zip(&cells.min.v)
        .zip(light)
        .zip(&mask.on)
        .map(|(((&hi, &lo), &l), &on)| {
            let (hi, lo, l) = (u32::from(hi), u32::from(lo), u32::from(l));
            let picture = on && hi * 100 < 92 * l && lo * 100 > 25 * l;
            if picture { 255 } else { 0 }
        })
        .collect();
    let g = Grid {
        v,
        ..cells.max.clone()
    };
    let on: Vec<bool> = grid::open(&grid::close(&g, 2), 1)
        .v
        .iter()
        .map(|&c| c == 255)
        .collect();
    let (w, h) = (g.w, g.h);
    let mut out = vec![None; w * h];
    let mut seen = vec![false; w * h];
    let mut queue = Vec::new();
    let mut region = Vec::new();
    for start in 0..w * h {
        if !on[start] || seen[start] {
            continue;
        }
        seen[start] = true;
        queue.push(start);
        region.clear();
        let mut enclosed = true;
        while let Some(i) = queue.pop() {
            region.push(i);
            let (x, y) = (i % w, i / w);
            if x == 0 || y == 0 || x + 1 == w || y + 1 == h {
                enclosed = false;
            }
            for j in sheet::neighbours(i, w, h) {
                if !mask.on[j] {
                    enclosed = false;
                }
                if on[j] && !seen[j] {
                    seen[j] = true;
                    queue.push(j);
                }
            }
        }
        if enclosed {
            for &i in &region {
                out[i] = Some(light[i]);
            }
        }
    }
    out
}

/// The lighting over the sheet, per cell, following even strong
/// gradients: a 25-cell mean of the paper level, twice, the second time
/// without the cells under 80% of the first (the paper level where the
/// sheet is not).
fn lighting(paper: &Grid, mask: &sheet::Mask) -> Vec<u8> {
    let first = grid::masked_mean(paper, &mask.on, LIGHT_RADIUS);
    let keep: Vec<bool> = mask
        .on
        .iter()
        .zip(&paper.v)
        .zip(&first)
        .map(|((&on, &p), f)| on && f.is_some_and(|f| f64::from(p) >= 0.8 * f))
        .collect();
    let second = grid::masked_mean(paper, &keep, LIGHT_RADIUS);
    second
        .iter()
        .zip(&first)
        .zip(&paper.v)
        .map(|((s, f), &p)| s.or(*f).map_or(p, |v| v.round() as u8))
        .collect()
}

/// The sheet's lighting as seen from its paper only, per cell: a 25-cell
/// mean of the cells at 75% or more of the sheet's 90th percentile, then
/// of those at 90% or more of that first mean, with a window four times
/// wider where none is near (the middle of a large picture).
fn sheet_lighting(paper: &Grid, mask: &sheet::Mask) -> Vec<u8> {
    // The sheet's paper: the 90th percentile of its paper level.
    let mut levels: Vec<u8> = paper
        .v
        .iter()
        .zip(&mask.on)
        .filter(|&(_, &on)| on)
        .map(|(&p, _)| p)
        .collect();
    if levels.is_empty() {
        return paper.v.clone();
    }
    let at = levels.len() * 9 / 10;
    let sheet = f64::from(*levels.select_nth_unstable(at).1);
    // A mean over the cells kept, with a wider window where none is near
    // (the middle of a large picture) and the sheet's paper where none is
    // at all.
    let mean = |keep: &[bool]| -> Vec<f64> {
        let near = grid::masked_mean(paper, keep, LIGHT_RADIUS);
        if near.iter().all(Option::is_some) {
            return near.iter().map(|n| n.unwrap_or(sheet)).collect();
        }
        let far = grid::masked_mean(paper, keep, 4 * LIGHT_RADIUS);
        near.iter()
            .zip(&far)
            .map(|(n, f)| n.or(*f).unwrap_or(sheet))
            .collect()
    };
    // First the cells that are paper by the sheet's measure (shadows down
    // to 75% of it), then those that are paper against that first lighting.
    let keep: Vec<bool> = mask
        .on
        .iter()
        .zip(&paper.v)
        .map(|(&on, &p)| on && f64::from(p) >= 0.75 * sheet)
        .collect();
    let first = mean(&keep);
    let keep: Vec<bool> = mask
        .on
        .iter()
        .zip(&paper.v)
        .zip(&first)
        .map(|((&on, &p), &f)| on && f64::from(p) >= 0.9 * f)
        .collect();
    mean(&keep).iter().map(|&v| v.round() as u8).collect()
}

/// The page made into a document page: even lighting, white surround,
/// perspective or skew corrected.
pub(crate) fn flatten(page: &GrayPage, a: &Analysis) -> GrayPage {
    let mut flat = flatten_sharp(page, a);
    warp::soften(&mut flat);
    flat
}

fn flatten_sharp(page: &GrayPage, a: &Analysis) -> GrayPage {
    let even = warp::even(a.picture.as_ref().unwrap_or(page), &a.paper, a.ink);
    let (w, h) = (f64::from(page.width()), f64::from(page.height()));
    let (ox, oy) = (a.origin.0 as f64, a.origin.1 as f64);
    let res = page.resolution();
    let (xdpi, ydpi) = (f64::from(res.x_dpi()), f64::from(res.y_dpi()));
    if let Some(q) = a.corners {
        // Corners in pixels of the picture, moved 1.5 cells towards the
        // middle (the outline is found to a cell: what lies beyond it may
        // be table); the sheet's shape in inches.
        let (mx, my) = q
            .iter()
            .fold((0.0, 0.0), |s, p| (s.0 + p.0 / 4.0, s.1 + p.1 / 4.0));
        let c: Vec<Pt> = q
            .iter()
            .map(|p| {
                let (dx, dy) = (mx - p.0, my - p.1);
                let len = (dx * dx + dy * dy).sqrt().max(1.0);
                let k = 1.5 * std::f64::consts::SQRT_2 / len;
                ((p.0 + dx * k) * CELL as f64, (p.1 + dy * k) * CELL as f64)
            })
            .collect();
        let inches = |a: Pt, b: Pt| {
            let (dx, dy) = ((b.0 - a.0) / xdpi, (b.1 - a.1) / ydpi);
            (dx * dx + dy * dy).sqrt()
        };
        let across = (inches(c[0], c[1]) + inches(c[3], c[2])) / 2.0;
        let down = (inches(c[0], c[3]) + inches(c[1], c[2])) / 2.0;
        let (page_w, page_h) = (w / xdpi, h / ydpi);
        let scale = (page_w / across).min(page_h / down);
        let (rw, rh) = (across * scale * xdpi, down * scale * ydpi);
        let (x0, y0) = ((w - rw) / 2.0, (h - rh) / 2.0);
        let rect = [(x0, y0), (x0 + rw, y0), (x0 + rw, y0 + rh), (x0, y0 + rh)];
        let to = [c[0], c[1], c[2], c[3]];
        if let Some(map) = Homography::between(&rect, &to) {
            let inside = |x: f64, y: f64| {
                x >= x0 - 0.5 && x <= x0 + rw + 0.5 && y >= y0 - 0.5 && y <= y0 + rh + 0.5
            };
            return warp::resample(&even, page, &map, &inside);
        }
    }
    // No corners: the surround made white, then the text levelled.
    let mut flat = even;
    let mw = a.mask.w;
    for y in 0..flat.height() {
        let gy = y as usize / CELL;
        let row = flat.row_mut(y);
        for (x, v) in row.iter_mut().enumerate() {
            if !a.mask.on[gy * mw + x / CELL] {
                *v = 255;
            }
        }
    }
    let t = warp::skew(&flat);
    let map = Homography::turn(t, w / 2.0 - ox, h / 2.0 - oy).then_shift(-ox, -oy);
    warp::resample(&flat, page, &map, &|_, _| true)
}

//! Where the sheet is: the bright region of the paper level, and its four
//! corners when its outline is a quadrilateral.

use super::grid::Grid;

/// Cells of the sheet, row by row.
#[derive(Debug, Clone)]
pub(crate) struct Mask {
    pub(crate) w: usize,
    pub(crate) h: usize,
    pub(crate) on: Vec<bool>,
}

impl Mask {
    pub(crate) fn count(&self) -> usize {
        self.on.iter().filter(|&&b| b).count()
    }

    pub(crate) fn fraction(&self) -> f64 {
        self.count() as f64 / self.on.len() as f64
    }

    fn at(&self, x: usize, y: usize) -> bool {
        self.on[y * self.w + x]
    }
}

/// Otsu's cut of the grid's values: (cut, share of cells below it, mean
/// below, mean at or above).
fn otsu(g: &Grid) -> (u8, f64, f64, f64) {
    let mut hist = [0u64; 256];
    for &v in &g.v {
        hist[usize::from(v)] += 1;
    }
    let total = g.v.len() as f64;
    let sum_all: f64 = hist
        .iter()
        .enumerate()
        .map(|(i, &n)| i as f64 * n as f64)
        .sum();
    let (mut best, mut best_t) = (-1.0, 0usize);
    let (mut n0, mut s0) = (0.0, 0.0);
    for t in 1..256 {
        n0 += hist[t - 1] as f64;
        s0 += (t - 1) as f64 * hist[t - 1] as f64;
        let n1 = total - n0;
        if n0 == 0.0 || n1 == 0.0 {
            continue;
        }
        let (m0, m1) = (s0 / n0, (sum_all - s0) / n1);
        let between = n0 * n1 * (m0 - m1) * (m0 - m1);
        if between > best {
            best = between;
            best_t = t;
        }
    }
    let (mut n0, mut s0) = (0.0, 0.0);
    for (i, &n) in hist.iter().enumerate().take(best_t) {
        n0 += n as f64;
        s0 += i as f64 * n as f64;
    }
    let n1 = total - n0;
    let m0 = if n0 > 0.0 { s0 / n0 } else { 0.0 };
    let m1 = if n1 > 0.0 { (sum_all - s0) / n1 } else { 0.0 };
    (best_t as u8, n0 / total, m0, m1)
}

/// Neighbouring cells of one sheet differ by at most this much in paper
/// level: lighting changes slowly across paper, and the sheet's edge is a
/// step.
const STEP: u8 = 10;

/// The sheet: the largest region of the paper level that starts at or
/// above Otsu's cut and whose neighbouring cells differ by at most
/// [`STEP`], with its holes filled. The whole page
/// when nothing clearly darker surrounds a bright region (a scan, or paper
/// that fills the picture).
pub(crate) fn find(paper: &Grid) -> Mask {
    let (w, h) = (paper.w, paper.h);
    let whole = Mask {
        w,
        h,
        on: vec![true; w * h],
    };
    let (cut, dark_share, m0, m1) = otsu(paper);
    // No surround worth the name: little that is darker, or not much
    // darker than the paper.
    if dark_share < 0.03 || m1 - m0 < 40.0 {
        return whole;
    }
    let v = &paper.v;
    // The brightest region above the cut, then grown in small steps down to
    // 60% of its median: a sheet lit unevenly is one sheet, and the step
    // at its edge keeps the table out.
    let core = grow(paper, &|j| v[j] >= cut, None);
    let mut levels: Vec<u8> = (0..w * h).filter(|&i| core[i]).map(|i| v[i]).collect();
    if levels.is_empty() {
        return whole;
    }
    let mid = levels.len() / 2;
    let median = *levels.select_nth_unstable(mid).1;
    let floor = (u32::from(median) * 6 / 10) as u8;
    let on = grow(paper, &|j| v[j] >= floor, Some(&core));
    let grown = fill_holes(Mask { w, h, on });
    // The bright core alone when it is a clean quadrilateral: a white
    // sheet on a light table is the core, and growing would take the
    // table too.
    let core = fill_holes(Mask { w, h, on: core });
    if core.fraction() >= 0.2 && quad(&core).is_some() {
        return core;
    }
    grown
}

/// The largest region of cells that `allowed` admits and whose neighbours
/// differ by at most [`STEP`]; with `seed`, the region that holds the seed
/// cells instead.
fn grow(paper: &Grid, allowed: &dyn Fn(usize) -> bool, seed: Option<&[bool]>) -> Vec<bool> {
    let (w, h, v) = (paper.w, paper.h, &paper.v);
    let mut label = vec![0u32; w * h];
    let mut best = (0usize, 0u32);
    let mut next = 0u32;
    let mut queue = Vec::new();
    for start in 0..w * h {
        if !allowed(start) || label[start] != 0 || seed.is_some_and(|s| !s[start]) {
            continue;
        }
        next += 1;
        label[start] = next;
        queue.clear();
        queue.push(start);
        let mut size = 0usize;
        while let Some(i) = queue.pop() {
            size += 1;
            for j in neighbours(i, w, h) {
                if label[j] == 0 && allowed(j) && v[j].abs_diff(v[i]) <= STEP {
                    label[j] = next;
                    queue.push(j);
                }
            }
        }
        if size > best.0 {
            best = (size, next);
        }
    }
    label.iter().map(|&l| l == best.1 && l != 0).collect()
}

/// The 4-neighbours of cell `i` of a `w` x `h` grid.
pub(crate) fn neighbours(i: usize, w: usize, h: usize) -> impl Iterator<Item = usize> {
    let (x, y) = (i % w, i / w);
    [
        (x > 0).then(|| i - 1),
        (x + 1 < w).then(|| i + 1),
        (y > 0).then(|| i - w),
        (y + 1 < h).then(|| i + w),
    ]
    .into_iter()
    .flatten()
}

/// Cells not reachable from the border through cells outside the mask
/// join the mask.
fn fill_holes(mut m: Mask) -> Mask {
    let (w, h) = (m.w, m.h);
    let mut outside = vec![false; w * h];
    let mut queue = Vec::new();
    for y in 0..h {
        for x in 0..w {
            let border = x == 0 || y == 0 || x + 1 == w || y + 1 == h;
            if border && !m.on[y * w + x] {
                outside[y * w + x] = true;
                queue.push(y * w + x);
            }
        }
    }
    while let Some(i) = queue.pop() {
        for j in neighbours(i, w, h) {
            if !m.on[j] && !outside[j] {
                outside[j] = true;
                queue.push(j);
            }
        }
    }
    for (on, out) in m.on.iter_mut().zip(&outside) {
        *on = !out;
    }
    m
}

/// A point in cell units.
pub(crate) type Pt = (f64, f64);

/// Corners of the sheet in cell units, top-left, top-right, bottom-right,
/// bottom-left, when the mask is a convex quadrilateral that the four
/// lines fitted to its sides describe closely; `None` otherwise.
pub(crate) fn quad(m: &Mask) -> Option<[Pt; 4]> {
    let (w, h) = (m.w, m.h);
    // Outline cells: on, with a 4-neighbour off or on the border.
    let mut outline = Vec::new();
    for y in 0..h {
        for x in 0..w {
            if !m.at(x, y) {
                continue;
            }
            let edge = x == 0
                || y == 0
                || x + 1 == w
                || y + 1 == h
                || !m.at(x - 1, y)
                || !m.at(x + 1, y)
                || !m.at(x, y - 1)
                || !m.at(x, y + 1);
            if edge {
                outline.push((x as f64 + 0.5, y as f64 + 0.5));
            }
        }
    }
    if outline.len() < 16 {
        return None;
    }
    // Rough corners: the extremes of x + y and x - y.
    let pick = |f: &dyn Fn(&Pt) -> f64| {
        outline
            .iter()
            .copied()
            .max_by(|a, b| f(a).total_cmp(&f(b)))
            .unwrap_or((0.0, 0.0))
    };
    let tl = pick(&|p| -(p.0 + p.1));
    let tr = pick(&|p| p.0 - p.1);
    let br = pick(&|p| p.0 + p.1);
    let bl = pick(&|p| p.1 - p.0);
    let rough = [tl, tr, br, bl];
    // Each side: the outline cells nearest to the segment between its two
    // rough corners, away from the corners, and a least-squares line.
    let mut lines = [(0.0, 0.0, 0.0); 4];
    for (k, line) in lines.iter_mut().enumerate() {
        let (a, b) = (rough[k], rough[(k + 1) % 4]);
        let (dx, dy) = (b.0 - a.0, b.1 - a.1);
        let len = (dx * dx + dy * dy).sqrt();
        if len < 8.0 {
            return None;
        }
        let pts: Vec<Pt> = outline
            .iter()
            .copied()
            .filter(|p| {
                let t = ((p.0 - a.0) * dx + (p.1 - a.1) * dy) / (len * len);
                let d = ((p.0 - a.0) * dy - (p.1 - a.1) * dx).abs() / len;
                (0.1..=0.9).contains(&t) && d <= 3.0 + 0.03 * len
            })
            .collect();
        if pts.len() < 6 {
            return None;
        }
        *line = fit_line(&pts)?;
    }
    let mut corners = [(0.0, 0.0); 4];
    for k in 0..4 {
        corners[k] = intersect(lines[(k + 3) % 4], lines[k])?;
    }
    // Sane: inside the page (a little slack), convex, and the mask fills
    // the quadrilateral and little else.
    let slack = 0.05 * w.max(h) as f64;
    if corners
        .iter()
        .any(|c| c.0 < -slack || c.1 < -slack || c.0 > w as f64 + slack || c.1 > h as f64 + slack)
    {
        return None;
    }
    if !convex(&corners) {
        return None;
    }
    let (mut both, mut either) = (0usize, 0usize);
    for y in 0..h {
        for x in 0..w {
            let inside = contains(&corners, (x as f64 + 0.5, y as f64 + 0.5));
            let on = m.at(x, y);
            both += usize::from(inside && on);
            either += usize::from(inside || on);
        }
    }
    (either > 0 && both as f64 >= 0.93 * either as f64).then_some(corners)
}

/// Line `a x + b y = c` with `a^2 + b^2 = 1`, by total least squares.
fn fit_line(pts: &[Pt]) -> Option<(f64, f64, f64)> {
    let n = pts.len() as f64;
    let (mx, my) = pts
        .iter()
        .fold((0.0, 0.0), |s, p| (s.0 + p.0 / n, s.1 + p.1 / n));
    let (mut sxx, mut syy, mut sxy) = (0.0, 0.0, 0.0);
    for p in pts {
        let (dx, dy) = (p.0 - mx, p.1 - my);
        sxx += dx * dx;
        syy += dy * dy;
        sxy += dx * dy;
    }
    // The normal is the eigenvector of the smaller eigenvalue of the
    // scatter matrix.
    let tr = sxx + syy;
    let det = sxx * syy - sxy * sxy;
    let disc = (tr * tr / 4.0 - det).max(0.0).sqrt();
    let small = tr / 2.0 - disc;
    let (a, b) = if sxy.abs() > 1e-9 {
        (sxy, small - sxx)
    } else if sxx < syy {
        (1.0, 0.0)
    } else {
        (0.0, 1.0)
    };
    let norm = (a * a + b * b).sqrt();
    if norm < 1e-12 {
        return None;
    }
    let (a, b) = (a / norm, b / norm);
    Some((a, b, a * mx + b * my))
}

fn intersect(l1: (f64, f64, f64), l2: (f64, f64, f64)) -> Option<Pt> {
    let det = l1.0 * l2.1 - l1.1 * l2.0;
    // Sides less than about 20 degrees apart are not a corner.
    if det.abs() < 0.34 {
        return None;
    }
    Some((
        (l1.2 * l2.1 - l1.1 * l2.2) / det,
        (l1.0 * l2.2 - l1.2 * l2.0) / det,
    ))
}

fn cross(o: Pt, a: Pt, b: Pt) -> f64 {
    (a.0 - o.0) * (b.1 - o.1) - (a.1 - o.1) * (b.0 - o.0)
}

fn convex(q: &[Pt; 4]) -> bool {
    (0..4).all(|k| cross(q[k], q[(k + 1) % 4], q[(k + 2) % 4]) > 0.0)
}

/// Whether `p` lies inside the convex quadrilateral `q` (clockwise on
/// screen, i.e. positive cross products with y down).
pub(crate) fn contains(q: &[Pt; 4], p: Pt) -> bool {
    (0..4).all(|k| cross(q[k], q[(k + 1) % 4], p) >= 0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid_with_quad(q: &[Pt; 4], w: usize, h: usize) -> Grid {
        let mut v = vec![40u8; w * h];
        for y in 0..h {
            for x in 0..w {
                if contains(q, (x as f64 + 0.5, y as f64 + 0.5)) {
                    v[y * w + x] = 220;
                }
            }
        }
        Grid { w, h, v }
    }

    #[test]
    fn a_tilted_sheet_on_a_dark_table_is_found_with_its_corners() {
        let q = [(30.0, 20.0), (150.0, 35.0), (140.0, 230.0), (18.0, 210.0)];
        let g = grid_with_quad(&q, 200, 260);
        let m = find(&g);
        let area = m.fraction();
        assert!((0.4..0.5).contains(&area), "{area}");
        let found = quad(&m).expect("a quadrilateral");
        for (a, b) in found.iter().zip(&q) {
            assert!(
                (a.0 - b.0).abs() < 2.0 && (a.1 - b.1).abs() < 2.0,
                "{a:?} vs {b:?}"
            );
        }
    }

    #[test]
    fn a_round_bright_region_is_no_quadrilateral() {
        let (w, h) = (200, 200);
        let mut v = vec![40u8; w * h];
        for y in 0..h {
            for x in 0..w {
                let (dx, dy) = (x as f64 - 100.0, y as f64 - 100.0);
                if dx * dx + dy * dy < 70.0 * 70.0 {
                    v[y * w + x] = 220;
                }
            }
        }
        let m = find(&Grid { w, h, v });
        assert!(m.count() > 10_000);
        assert!(quad(&m).is_none());
    }

    #[test]
    fn an_even_page_is_all_sheet() {
        let g = Grid {
            w: 50,
            h: 60,
            v: vec![230; 3000],
        };
        assert_eq!(find(&g).count(), 3000);
    }
}

//! Error diffusion: each pixel is cut at 50% and what the cut got wrong is
//! handed on to pixels not yet visited, so that every neighbourhood keeps
//! its average tone.
//!
//! Rows are walked serpentine (left to right, then right to left, with the
//! kernel mirrored), which removes the diagonal "worms" a one-way walk
//! draws in flat areas (Ulichney, *Digital Halftoning*, 1987, ch. 8).
//! Errors are integers in units of `1 / DIV`, so the output is exact on
//! every platform.
//!
//! Diffusion is sequential by nature (each pixel waits for its upper and
//! left neighbours), so it runs on one thread. That thread is mostly
//! waiting on the chain of dependent steps from pixel to pixel, so a whole
//! page is walked as two halves side by side, one step of each in turn
//! (two independent chains for the CPU to overlap): Floyd-Steinberg 15 to
//! 8.5 ms per fine page. The halves do not share error; the bottom one
//! starts fresh, which does not show.

use faxprep_page::GrayPage;

/// One error-diffusion kernel: where the error goes and in which share.
pub(crate) trait Kernel {
    /// Sum of the weights (the error is divided by this).
    const DIV: i32;
    /// Rows the kernel reaches, the current one included.
    const ROWS: usize;
    /// `(dx, dy, weight)` for a left-to-right walk; mirrored for the
    /// right-to-left rows.
    const TAPS: &'static [(isize, usize, i32)];
}

/// Floyd and Steinberg, "An adaptive algorithm for spatial greyscale",
/// Proc. SID 17/2 (1976): 7/16 right, 3/16, 5/16, 1/16 below.
pub(crate) struct FloydSteinberg;
impl Kernel for FloydSteinberg {
    const DIV: i32 = 16;
    const ROWS: usize = 2;
    const TAPS: &'static [(isize, usize, i32)] = &[(1, 0, 7), (-1, 1, 3), (0, 1, 5), (1, 1, 1)];
}

/// Bill Atkinson's kernel (Apple MacPaint): six neighbours get 1/8 each and
/// a quarter of the error is dropped, which keeps highlights and shadows
/// clean (fewer isolated dots, smaller G4 files) at some cost in tone.
pub(crate) struct Atkinson;
impl Kernel for Atkinson {
    const DIV: i32 = 8;
    const ROWS: usize = 3;
    const TAPS: &'static [(isize, usize, i32)] = &[
        (1, 0, 1),
        (2, 0, 1),
        (-1, 1, 1),
        (0, 1, 1),
        (1, 1, 1),
        (0, 2, 1),
    ];
}

/// P. Stucki, "MECCA: a multiple-error correcting computation algorithm
/// for bilevel image hardcopy reproduction", IBM Research RZ1060 (1981):
/// twelve neighbours over three rows, weights out of 42; smoother than
/// Floyd-Steinberg and sharper than Jarvis-Judice-Ninke.
pub(crate) struct Stucki;
impl Kernel for Stucki {
    const DIV: i32 = 42;
    const ROWS: usize = 3;
    const TAPS: &'static [(isize, usize, i32)] = &[
        (1, 0, 8),
        (2, 0, 4),
        (-2, 1, 2),
        (-1, 1, 4),
        (0, 1, 8),
        (1, 1, 4),
        (2, 1, 2),
        (-2, 2, 1),
        (-1, 2, 2),
        (0, 2, 4),
        (1, 2, 2),
        (2, 2, 1),
    ];
}

/// Left padding of the error rows, so that taps at x - 2 need no test.
const PAD: usize = 2;

/// Floyd-Steinberg written out: the row below is written once per pixel
/// from the last three errors held in registers (`next[x - 1]` gets
/// `1 e[x - 2] + 5 e[x - 1] + 3 e[x]` in a left-to-right walk) instead of
/// three read-modify-writes, and each pixel's outcome goes to a byte of
/// its own, packed after the row (setting bits in the output directly
/// would chain eight read-modify-writes of one byte). Slices zipped to the
/// row's length leave no bounds to test.
///
/// The page is walked as two halves side by side (see the module docs):
/// a row of the top half and the row `h1` below it, step by step in one
/// loop.
fn floyd_steinberg(page: &GrayPage, out: &mut [u8], stride: usize) {
    let width = page.width() as usize;
    let height = page.height() as usize;
    // An even row, so that both halves walk the same way.
    let h1 = (height / 2) & !1;
    let (top, bottom) = out.split_at_mut(h1 * stride);
    let (mut a, mut b) = (Walker::new(width), Walker::new(width));
    let mut rows_b = page.rows().skip(h1).zip(bottom.chunks_exact_mut(stride));
    let rows_a = page.rows().zip(top.chunks_exact_mut(stride));
    for (y, ((src_a, dst_a), (src_b, dst_b))) in rows_a.zip(rows_b.by_ref()).enumerate() {
        pair_row(&mut a, &mut b, &src_a[..width], &src_b[..width], y % 2 == 0);
        a.end_row(dst_a);
        b.end_row(dst_b);
    }
    // The bottom half is one row longer when the height is odd (or all
    // of a page of fewer than 4 rows).
    for (y, (src, dst)) in (h1 + h1..height).zip(rows_b) {
        b.row(&src[..width], y % 2 == 0, dst);
    }
}

/// One row of each walker, one step of each in turn.
fn pair_row(a: &mut Walker, b: &mut Walker, src_a: &[u8], src_b: &[u8], forward: bool) {
    let n = src_a.len();
    let (mut sa, mut sb) = (FsState::default(), FsState::default());
    let (ca, cb) = (&a.cur[PAD..n + PAD], &b.cur[PAD..n + PAD]);
    let (wa, wb) = (&mut a.white[..n], &mut b.white[..n]);
    // Pixel x completes next[x - 1] walking right, next[x + 1] walking
    // left.
    let off = if forward { PAD - 1 } else { PAD + 1 };
    let (na, nb) = (&mut a.next[off..off + n], &mut b.next[off..off + n]);
    if forward {
        for x in 0..n {
            sa.step(src_a[x], ca[x], &mut wa[x], &mut na[x]);
            sb.step(src_b[x], cb[x], &mut wb[x], &mut nb[x]);
        }
    } else {
        for x in (0..n).rev() {
            sa.step(src_a[x], ca[x], &mut wa[x], &mut na[x]);
            sb.step(src_b[x], cb[x], &mut wb[x], &mut nb[x]);
        }
    }
    a.row_end(&sa, forward);
    b.row_end(&sb, forward);
}

/// The rows one Floyd-Steinberg walk keeps.
struct Walker {
    /// Error sums for this row, in 1/16 plus [`ROUND`], PAD columns either
    /// side.
    cur: Vec<i32>,
    /// The same for the next row, being filled.
    next: Vec<i32>,
    /// 1 where the pixel came out white.
    white: Vec<u8>,
}

impl Walker {
    fn new(width: usize) -> Walker {
        Walker {
            cur: vec![ROUND; width + 2 * PAD],
            next: vec![ROUND; width + 2 * PAD],
            white: vec![0; width],
        }
    }

    /// The last errors of a row go to the two cells past its end (the
    /// padding), where nothing reads them.
    fn row_end(&mut self, st: &FsState, forward: bool) {
        let n = self.white.len();
        if forward {
            self.next[n + PAD - 1] += st.e2 + 5 * st.e1;
            self.next[n + PAD] += st.e1;
        } else {
            self.next[PAD] += st.e2 + 5 * st.e1;
            self.next[PAD - 1] += st.e1;
        }
    }

    /// Pack the row into `dst` and move on to the next row.
    fn end_row(&mut self, dst: &mut [u8]) {
        pack_span(&self.white, 0, dst);
        std::mem::swap(&mut self.cur, &mut self.next);
        self.next.fill(ROUND);
    }

    /// One row on its own.
    fn row(&mut self, src: &[u8], forward: bool, dst: &mut [u8]) {
        let mut st = FsState::default();
        let n = src.len();
        let px = src.iter().zip(&self.cur[PAD..n + PAD]).zip(&mut self.white);
        if forward {
            let next = &mut self.next[PAD - 1..n + PAD - 1];
            for (((&v, &c), w), n) in px.zip(next) {
                st.step(v, c, w, n);
            }
        } else {
            let next = &mut self.next[PAD + 1..n + PAD + 1];
            for (((&v, &c), w), n) in px.zip(next).rev() {
                st.step(v, c, w, n);
            }
        }
        self.row_end(&st, forward);
        self.end_row(dst);
    }
}

/// Rounding of the error sums, kept in the cells (see `floyd_steinberg`).
const ROUND: i32 = 8;

/// The errors a Floyd-Steinberg walk carries along a row, in 1/16.
#[derive(Default)]
struct FsState {
    /// 7/16 of the previous pixel's error, for this pixel.
    right: i32,
    /// The error of the previous pixel.
    e1: i32,
    /// The error of the one before.
    e2: i32,
}

impl FsState {
    /// Quantize pixel `v` with error sum `c` from the row above; `w`
    /// gets 1 for white; `n` is the cell of the next row this pixel
    /// completes.
    #[inline(always)]
    fn step(&mut self, v: u8, c: i32, w: &mut u8, n: &mut i32) {
        // `c` carries the rounding (ROUND).
        let val = i32::from(v) + ((c + self.right) >> 4);
        let is_white = val >= 128;
        *w = u8::from(is_white);
        // A select, not a branch (in mid-tones the outcome is a coin toss
        // that a branch predictor would lose half the time) and not a
        // multiplication (one cycle on the path from pixel to pixel).
        let e = if is_white { val - 255 } else { val };
        *n += self.e2 + 5 * self.e1 + 3 * e;
        self.right = 7 * e;
        (self.e2, self.e1) = (self.e1, e);
    }
}

/// Set the bits of the black pixels of a span starting at column `x0`
/// (`white` holds 1 for white) in the packed row `dst`, leaving the
/// other columns alone: whole bytes at once, single bits at unaligned
/// ends.
fn pack_span(white: &[u8], x0: usize, dst: &mut [u8]) {
    let x1 = x0 + white.len();
    let head_end = x0.next_multiple_of(8).min(x1);
    let body_end = head_end + (x1 - head_end) / 8 * 8;
    let set_bits = |dst: &mut [u8], from: usize, to: usize| {
        for x in from..to {
            dst[x / 8] |= u8::from(white[x - x0] == 0) << (7 - x % 8);
        }
    };
    set_bits(dst, x0, head_end);
    crate::threshold::pack_below(
        &white[head_end - x0..body_end - x0],
        1,
        &mut dst[head_end / 8..body_end / 8],
    );
    set_bits(dst, body_end, x1);
}

/// Diffuse a whole page with kernel `K`.
pub(crate) fn diffuse_page<K: Kernel>(page: &GrayPage, out: &mut [u8], stride: usize) {
    if K::ROWS == 2 && K::TAPS == FloydSteinberg::TAPS {
        floyd_steinberg(page, out, stride);
    } else {
        kernel_page::<K>(page, out, stride);
    }
}

/// Any kernel over a whole page, as two halves walked side by side (see
/// the module docs for why).
fn kernel_page<K: Kernel>(page: &GrayPage, out: &mut [u8], stride: usize) {
    let width = page.width() as usize;
    let height = page.height() as usize;
    let h1 = (height / 2) & !1;
    let (top, bottom) = out.split_at_mut(h1 * stride);
    let new = || -> (Vec<Vec<i32>>, Vec<u8>) {
        let err = (0..K::ROWS).map(|_| vec![0i32; width + 2 * PAD]).collect();
        (err, vec![0u8; width])
    };
    let ((mut ea, mut wa), (mut eb, mut wb)) = (new(), new());
    let mut rows_b = page.rows().skip(h1).zip(bottom.chunks_exact_mut(stride));
    let rows_a = page.rows().zip(top.chunks_exact_mut(stride));
    for (y, ((src_a, dst_a), (src_b, dst_b))) in rows_a.zip(rows_b.by_ref()).enumerate() {
        let (src_a, src_b) = (&src_a[..width], &src_b[..width]);
        if y % 2 == 0 {
            for x in 0..width {
                wa[x] = step_white::<K>(&mut ea, src_a[x], x, 1);
                wb[x] = step_white::<K>(&mut eb, src_b[x], x, 1);
            }
        } else {
            for x in (0..width).rev() {
                wa[x] = step_white::<K>(&mut ea, src_a[x], x, -1);
                wb[x] = step_white::<K>(&mut eb, src_b[x], x, -1);
            }
        }
        for (err, white, dst) in [(&mut ea, &wa, dst_a), (&mut eb, &wb, dst_b)] {
            pack_span(white, 0, dst);
            next_row(err);
        }
    }
    // What is left of the bottom half (all of a page of 1 to 3 rows, or
    // the one row more of an odd height).
    for (i, (src, dst)) in rows_b.enumerate() {
        let src = &src[..width];
        if (h1 + i).is_multiple_of(2) {
            for x in 0..width {
                wb[x] = step_white::<K>(&mut eb, src[x], x, 1);
            }
        } else {
            for x in (0..width).rev() {
                wb[x] = step_white::<K>(&mut eb, src[x], x, -1);
            }
        }
        pack_span(&wb, 0, dst);
        next_row(&mut eb);
    }
}

/// The current row's errors are spent: recycle it as the last row.
fn next_row(err: &mut [Vec<i32>]) {
    err.rotate_left(1);
    if let Some(last) = err.last_mut() {
        last.fill(0);
    }
}

/// Quantize pixel `x` (value `v`) and spread its error; `dir` is +1 or
/// -1. Returns 1 for white.
#[inline(always)]
fn step_white<K: Kernel>(err: &mut [Vec<i32>], v: u8, x: usize, dir: isize) -> u8 {
    let i = x + PAD;
    let acc = err[0][i] + K::DIV / 2;
    // Round to nearest: the stored error is in units of 1 / DIV (a shift
    // when DIV is a power of two, as for Atkinson's 8).
    let q = if K::DIV.count_ones() == 1 {
        acc >> K::DIV.trailing_zeros()
    } else {
        acc.div_euclid(K::DIV)
    };
    let val = i32::from(v) + q;
    let white = val >= 128;
    let e = if white { val - 255 } else { val };
    for &(dx, dy, w) in K::TAPS {
        // In range: |dx| <= PAD and the rows have PAD columns either side.
        let j = i.wrapping_add_signed(dx * dir);
        err[dy][j] += e * w;
    }
    u8::from(white)
}

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
//! left neighbours), so it runs on one thread.

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

/// Diffuse `page` into the packed rows `out` (`stride` bytes a row).
///
/// `spans(y, &mut v)` fills `v` with the `[x0, x1)` column ranges of row `y`
/// to diffuse, left to right and disjoint; pixels outside them are left as
/// they are in `out`, and error pushed onto them is dropped, so diffused
/// regions do not bleed into thresholded ones.
pub(crate) fn diffuse<K: Kernel>(
    page: &GrayPage,
    out: &mut [u8],
    stride: usize,
    mut spans: impl FnMut(usize, &mut Vec<(usize, usize)>),
) {
    let width = page.width() as usize;
    if K::ROWS == 2 && K::TAPS == FloydSteinberg::TAPS {
        return floyd_steinberg(page, out, stride, spans);
    }
    let mut err: Vec<Vec<i32>> = (0..K::ROWS).map(|_| vec![0i32; width + 2 * PAD]).collect();
    let mut row_spans = Vec::new();
    for (y, (src, dst)) in page.rows().zip(out.chunks_exact_mut(stride)).enumerate() {
        row_spans.clear();
        spans(y, &mut row_spans);
        let forward = y % 2 == 0;
        if forward {
            for &(x0, x1) in &row_spans {
                for x in x0..x1.min(width) {
                    step::<K>(&mut err, src, dst, x, 1);
                }
            }
        } else {
            for &(x0, x1) in row_spans.iter().rev() {
                for x in (x0..x1.min(width)).rev() {
                    step::<K>(&mut err, src, dst, x, -1);
                }
            }
        }
        // The current row's errors are spent: recycle it as the last row.
        err.rotate_left(1);
        if let Some(last) = err.last_mut() {
            last.fill(0);
        }
    }
}

/// Quantize pixel `x` and spread its error; `dir` is +1 or -1.
#[inline(always)]
fn step<K: Kernel>(err: &mut [Vec<i32>], src: &[u8], dst: &mut [u8], x: usize, dir: isize) {
    let i = x + PAD;
    let acc = err[0][i];
    // Round to nearest: the stored error is in units of 1 / DIV.
    let val = i32::from(src[x]) + (acc + K::DIV / 2).div_euclid(K::DIV);
    let black = val < 128;
    dst[x / 8] |= u8::from(black) << (7 - x % 8);
    let e = val - 255 * i32::from(!black);
    for &(dx, dy, w) in K::TAPS {
        // In range: |dx| <= PAD and the rows have PAD columns either side.
        let j = i.wrapping_add_signed(dx * dir);
        err[dy][j] += e * w;
    }
}

/// Floyd-Steinberg written out: the row below is written once per pixel
/// from the last three errors held in registers (`next[x - 1]` gets
/// `1 e[x - 2] + 5 e[x - 1] + 3 e[x]` in a left-to-right walk) instead of
/// three read-modify-writes. Same output as the generic walk.
fn floyd_steinberg(
    page: &GrayPage,
    out: &mut [u8],
    stride: usize,
    mut spans: impl FnMut(usize, &mut Vec<(usize, usize)>),
) {
    let width = page.width() as usize;
    // Error sums in 1/16, PAD columns either side of the row.
    let mut cur = vec![0i32; width + 2 * PAD];
    let mut next = vec![0i32; width + 2 * PAD];
    let mut row_spans = Vec::new();
    for (y, (src, dst)) in page.rows().zip(out.chunks_exact_mut(stride)).enumerate() {
        row_spans.clear();
        spans(y, &mut row_spans);
        next.fill(0);
        let forward = y % 2 == 0;
        for k in 0..row_spans.len() {
            let (x0, x1) = if forward {
                row_spans[k]
            } else {
                row_spans[row_spans.len() - 1 - k]
            };
            let x1 = x1.min(width);
            if x0 >= x1 {
                continue;
            }
            let (mut e1, mut e2) = (0i32, 0i32); // e[x - 1], e[x - 2] along the walk
            let mut right = 0i32; // 7/16 of the previous pixel's error
            let mut quantize = |x: usize, right: i32| -> i32 {
                let val = i32::from(src[x]) + ((cur[x + PAD] + right + 8) >> 4);
                // Branch-free: in mid-tones the outcome is a coin toss that
                // a branch predictor would lose half the time.
                let black = val < 128;
                dst[x / 8] |= u8::from(black) << (7 - x % 8);
                val - 255 * i32::from(!black)
            };
            if forward {
                for x in x0..x1 {
                    let e = quantize(x, right);
                    next[x + PAD - 1] += e2 + 5 * e1 + 3 * e;
                    right = 7 * e;
                    (e2, e1) = (e1, e);
                }
                next[x1 + PAD - 1] += e2 + 5 * e1;
                next[x1 + PAD] += e1;
            } else {
                for x in (x0..x1).rev() {
                    let e = quantize(x, right);
                    next[x + PAD + 1] += e2 + 5 * e1 + 3 * e;
                    right = 7 * e;
                    (e2, e1) = (e1, e);
                }
                next[x0 + PAD] += e2 + 5 * e1;
                next[x0 + PAD - 1] += e1;
            }
        }
        std::mem::swap(&mut cur, &mut next);
    }
}

/// The whole row as one span (plain, unmasked diffusion).
pub(crate) fn full_width(width: usize) -> impl FnMut(usize, &mut Vec<(usize, usize)>) {
    move |_, v| v.push((0, width))
}

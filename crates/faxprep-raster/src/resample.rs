//! Separable gray resampling for images (PDFs never go through here).
//!
//! Downscaling averages the source area each output pixel covers (a box
//! filter with exact fractional overlaps), which keeps thin strokes of a
//! scan from vanishing and does not alias. Upscaling interpolates linearly
//! between source pixel centres. Weights are 14-bit fixed point and sum to
//! exactly 1 << 14 per output pixel, so flat areas stay exactly flat.

/// Fixed-point one.
const ONE: i32 = 1 << 14;

/// The taps of one output pixel: first source index and weights.
struct Taps {
    start: usize,
    weights: Vec<i32>,
}

/// Taps mapping `src` pixels onto `dst` pixels along one axis.
fn taps(src: usize, dst: usize) -> Vec<Taps> {
    let scale = dst as f64 / src as f64;
    (0..dst)
        .map(|j| {
            let (start, raw): (usize, Vec<f64>) = if scale < 1.0 {
                // Area: output pixel j covers [j / scale, (j + 1) / scale).
                let a = j as f64 / scale;
                let b = ((j + 1) as f64 / scale).min(src as f64);
                let first = a.floor() as usize;
                let last = (b.ceil() as usize).clamp(first + 1, src);
                let w = (first..last)
                    .map(|i| (b.min(i as f64 + 1.0) - a.max(i as f64)).max(0.0))
                    .collect();
                (first, w)
            } else {
                // Linear between the two nearest source centres.
                let c = ((j as f64 + 0.5) / scale - 0.5).clamp(0.0, (src - 1) as f64);
                let i0 = c.floor() as usize;
                let t = c - i0 as f64;
                if i0 + 1 < src {
                    (i0, vec![1.0 - t, t])
                } else {
                    (i0, vec![1.0])
                }
            };
            let total: f64 = raw.iter().sum();
            let mut weights: Vec<i32> = raw
                .iter()
                .map(|w| {
                    if total > 0.0 {
                        (w / total * f64::from(ONE)).round() as i32
                    } else {
                        0
                    }
                })
                .collect();
            // Put the rounding remainder on the heaviest tap.
            let sum: i32 = weights.iter().sum();
            if let Some(max) = weights.iter_mut().max_by_key(|w| **w) {
                *max += ONE - sum;
            }
            Taps { start, weights }
        })
        .collect()
}

#[inline]
fn apply(taps: &Taps, sample: impl Fn(usize) -> u8) -> u8 {
    let mut acc: i32 = ONE / 2;
    for (k, w) in taps.weights.iter().enumerate() {
        acc += w * i32::from(sample(taps.start + k));
    }
    (acc >> 14).clamp(0, 255) as u8
}

/// Resample a `sw x sh` gray image to `dw x dh`. All sizes are at least 1
/// (the caller's geometry guarantees it).
pub(crate) fn resize(src: &[u8], sw: usize, sh: usize, dw: usize, dh: usize) -> Vec<u8> {
    debug_assert_eq!(src.len(), sw * sh);
    if (sw, sh) == (dw, dh) {
        return src.to_vec();
    }
    let xt = taps(sw, dw);
    let yt = taps(sh, dh);
    // Horizontal first: the intermediate is dw x sh, smaller than the
    // source when shrinking, which is the common case for scans.
    let mut mid = vec![0u8; dw * sh];
    for (srow, mrow) in src.chunks_exact(sw).zip(mid.chunks_exact_mut(dw)) {
        for (t, out) in xt.iter().zip(mrow.iter_mut()) {
            *out = apply(t, |i| srow[i]);
        }
    }
    let mut out = vec![0u8; dw * dh];
    for (t, orow) in yt.iter().zip(out.chunks_exact_mut(dw)) {
        for (x, o) in orow.iter_mut().enumerate() {
            *o = apply(t, |i| mid[i * dw + x]);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flat_stays_flat() {
        let src = vec![77u8; 37 * 23];
        for (dw, dh) in [(5, 3), (37, 23), (100, 80), (1, 1)] {
            assert!(resize(&src, 37, 23, dw, dh).iter().all(|&v| v == 77));
        }
    }

    #[test]
    fn halving_averages_pairs() {
        let src = vec![0, 255, 0, 255, 100, 200, 100, 200];
        assert_eq!(resize(&src, 4, 2, 2, 1), vec![139, 139]);
    }

    #[test]
    fn doubling_interpolates() {
        let out = resize(&[0, 255], 2, 1, 4, 1);
        assert_eq!(out[0], 0);
        assert_eq!(out[3], 255);
        assert!(out[1] > 0 && out[1] < out[2] && out[2] < 255);
    }
}

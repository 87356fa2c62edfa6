//! How well a 1-bit page keeps the tone of its gray original: the mean
//! absolute error after a Gaussian blur of sigma 1.5 px (about what the
//! eye averages at reading distance), measured over a rectangle.

use faxprep_page::{BitPage, GrayPage};

/// exp(-d^2 / (2 * 1.5^2)) for d = 0..=4, written out because `exp` is
/// banned in this workspace (not bit-reproducible across platforms).
const KERNEL: [f64; 5] = [1.0, 0.800_737_4, 0.411_112_3, 0.135_335_3, 0.028_565_5];

fn blur(values: &[f64], width: usize, height: usize) -> Vec<f64> {
    let norm: f64 = KERNEL[0] + 2.0 * KERNEL[1..].iter().sum::<f64>();
    let pass = |src: &[f64], horizontal: bool| -> Vec<f64> {
        let mut out = vec![0.0; src.len()];
        for y in 0..height {
            for x in 0..width {
                let mut acc = 0.0;
                for (d, &w) in (-4i64..=4).zip(KERNEL.iter().rev().chain(KERNEL[1..].iter())) {
                    let (sx, sy) = if horizontal {
                        ((x as i64 + d).clamp(0, width as i64 - 1) as usize, y)
                    } else {
                        (x, (y as i64 + d).clamp(0, height as i64 - 1) as usize)
                    };
                    acc += w * src[sy * width + sx];
                }
                out[y * width + x] = acc / norm;
            }
        }
        out
    };
    pass(&pass(values, true), false)
}

/// Blurred mean absolute error of `bits` against `gray` over
/// `[x0, x1) x [y0, y1)`, in gray levels.
pub fn blurred_mae(gray: &GrayPage, bits: &BitPage, x0: u32, y0: u32, x1: u32, y1: u32) -> f64 {
    let (w, h) = (gray.width() as usize, gray.height() as usize);
    let g: Vec<f64> = gray.data().iter().map(|&v| f64::from(v)).collect();
    let b: Vec<f64> = bits.to_gray_bytes().iter().map(|&v| f64::from(v)).collect();
    let (g, b) = (blur(&g, w, h), blur(&b, w, h));
    let mut sum = 0.0;
    for y in y0 as usize..y1 as usize {
        for x in x0 as usize..x1 as usize {
            sum += (g[y * w + x] - b[y * w + x]).abs();
        }
    }
    sum / f64::from((x1 - x0) * (y1 - y0))
}

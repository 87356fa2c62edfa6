//! Colour to gray, in the hot path of every page.
//!
//! Weights are Rec. 601 luma (0.299 R + 0.587 G + 0.114 B) in 8-bit fixed
//! point, 77 + 150 + 29 = 256, so the sum is exact, gray stays gray and
//! white stays 255; the rounding error (under half a level) is far below
//! what the 1-bit halftone can show, and 16-bit lanes let the loop run
//! eight pixels per SSE2 instruction.
//! Rec. 601 rather than Rec. 709 because it is what the PDF specification
//! uses to turn DeviceRGB into DeviceGray (ISO 32000-1 §10.3.2:
//! 0.30 R + 0.59 G + 0.11 B), what JPEG's Y channel is, and what poppler
//! and Ghostscript print with, so a colour document faxes like its gray
//! print-out. The weights apply to the sRGB-encoded values as stored,
//! without linearising: gray text stays the gray the document asked for,
//! and the halftone stage gets values that look like the screen image.

/// Rec. 601 weights scaled to 2^8.
const WR: u16 = 77;
const WG: u16 = 150;
const WB: u16 = 29;

/// Luma of one sRGB pixel.
#[inline]
pub(crate) fn luma(r: u8, g: u8, b: u8) -> u8 {
    ((WR * u16::from(r) + WG * u16::from(g) + WB * u16::from(b) + 128) >> 8) as u8
}

/// Premultiplied RGBA (as vello_cpu renders) to gray over white.
///
/// A premultiplied pixel composited over white is `c + (255 - a)` per
/// channel; the luma of the grey `(255 - a)` is `255 - a` itself, so the
/// composite's luma is `luma(c) + 255 - a`, never above 255 because
/// premultiplied channels are at most `a`.
pub(crate) fn premul_rgba_to_gray(src: &[u8], dst: &mut [u8]) {
    // Sixteen pixels at a time: text pages are mostly white, so skip white
    // runs with four 128-bit compares; otherwise eight pixels at a time in
    // plain u16 arithmetic on fixed-size arrays, which the compiler turns
    // into SIMD.
    let (blocks, rest) = src.as_chunks::<64>();
    let (outs, out_rest) = dst.as_chunks_mut::<16>();
    for (b, out) in blocks.iter().zip(outs.iter_mut()) {
        let white = |q: usize| {
            u128::from_ne_bytes(b[16 * q..16 * q + 16].try_into().unwrap_or([0; 16])) == u128::MAX
        };
        if white(0) && white(1) && white(2) && white(3) {
            *out = [255; 16];
            continue;
        }
        let (halves, _) = b.as_chunks::<32>();
        let (outs8, _) = out.as_chunks_mut::<8>();
        for (half, o) in halves.iter().zip(outs8.iter_mut()) {
            eight(half, o);
        }
    }
    let (blocks8, tail) = rest.as_chunks::<32>();
    let (outs8, out_tail) = out_rest.as_chunks_mut::<8>();
    for (b, o) in blocks8.iter().zip(outs8.iter_mut()) {
        eight(b, o);
    }
    for (p, o) in tail.chunks_exact(4).zip(out_tail.iter_mut()) {
        *o = luma(p[0], p[1], p[2]).saturating_add(255 - p[3]);
    }
}

/// Eight premultiplied RGBA pixels to gray over white.
#[inline(always)]
fn eight(b: &[u8; 32], out: &mut [u8; 8]) {
    for (k, o) in out.iter_mut().enumerate() {
        let p = &b[4 * k..4 * k + 4];
        let y = (WR * u16::from(p[0]) + WG * u16::from(p[1]) + WB * u16::from(p[2]) + 128) >> 8;
        *o = (y + 255 - u16::from(p[3])).min(255) as u8;
    }
}

/// Straight (not premultiplied) alpha over white: `c * a / 255 + 255 - a`,
/// rounded, applied to an already gray value.
#[inline]
pub(crate) fn over_white(gray: u8, alpha: u8) -> u8 {
    let a = u32::from(alpha);
    let v = u32::from(gray) * a + 255 * (255 - a);
    // Divide by 255 with rounding, exact for 0..=65025.
    ((v + 128 + ((v + 128) >> 8)) >> 8) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn white_black_and_primaries() {
        assert_eq!(luma(255, 255, 255), 255);
        assert_eq!(luma(0, 0, 0), 0);
        assert_eq!(luma(255, 0, 0), 77);
        assert_eq!(luma(0, 255, 0), 149);
        assert_eq!(luma(0, 0, 255), 29);
        for v in 0..=255u8 {
            assert_eq!(luma(v, v, v), v, "gray stays gray");
        }
    }

    #[test]
    fn premultiplied_over_white() {
        let src = [0, 0, 0, 255, 0, 0, 0, 0, 0, 0, 0, 128, 255, 255, 255, 255];
        let mut dst = [0; 4];
        premul_rgba_to_gray(&src, &mut dst);
        assert_eq!(dst, [0, 255, 127, 255]);
    }

    #[test]
    fn block_and_tail_paths_agree() {
        // 16-pixel blocks (white and not), 8-pixel blocks and a tail,
        // against the scalar rule.
        let mut src = Vec::new();
        for i in 0..61u32 {
            let a = if i % 5 == 0 { 255 } else { (i * 7 % 256) as u8 };
            let c = |k: u32| ((i * k) % 256) as u8 % a.max(1);
            src.extend_from_slice(&[c(3), c(11), c(29), a]);
        }
        src[..64].fill(255);
        let mut dst = vec![0; 61];
        premul_rgba_to_gray(&src, &mut dst);
        for (p, &d) in src.chunks_exact(4).zip(&dst) {
            assert_eq!(d, luma(p[0], p[1], p[2]).saturating_add(255 - p[3]));
        }
    }

    #[test]
    fn straight_alpha_over_white() {
        assert_eq!(over_white(0, 255), 0);
        assert_eq!(over_white(0, 0), 255);
        assert_eq!(over_white(0, 128), 127);
        for g in 0..=255u8 {
            for a in [0u8, 1, 64, 200, 255] {
                let exact = (f64::from(g) * f64::from(a) + 255.0 * f64::from(255 - a)) / 255.0;
                assert!((f64::from(over_white(g, a)) - exact).abs() <= 0.5 + 1e-9);
            }
        }
    }
}

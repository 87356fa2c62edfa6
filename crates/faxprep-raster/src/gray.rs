//! Colour to gray, in the hot path of every page.
//!
//! Weights are Rec. 601 luma (0.299 R + 0.587 G + 0.114 B), in 16-bit fixed
//! point so the sum of the weights is exactly 65536 and white stays 255.
//! Rec. 601 rather than Rec. 709 because it is what the PDF specification
//! uses to turn DeviceRGB into DeviceGray (ISO 32000-1 §10.3.2:
//! 0.30 R + 0.59 G + 0.11 B), what JPEG's Y channel is, and what poppler
//! and Ghostscript print with, so a colour document faxes like its gray
//! print-out. The weights apply to the sRGB-encoded values as stored,
//! without linearising: gray text stays the gray the document asked for,
//! and the halftone stage gets values that look like the screen image.

/// Rec. 601 weights scaled to 2^16 (19595 + 38470 + 7471 = 65536).
const WR: u32 = 19_595;
const WG: u32 = 38_470;
const WB: u32 = 7_471;

/// Luma of one sRGB pixel.
#[inline]
pub(crate) fn luma(r: u8, g: u8, b: u8) -> u8 {
    ((WR * u32::from(r) + WG * u32::from(g) + WB * u32::from(b) + 32_768) >> 16) as u8
}

/// Premultiplied RGBA (as vello_cpu renders) to gray over white.
///
/// A premultiplied pixel composited over white is `c + (255 - a)` per
/// channel; the luma of the grey `(255 - a)` is `255 - a` itself, so the
/// composite's luma is `luma(c) + 255 - a`, never above 255 because
/// premultiplied channels are at most `a`.
pub(crate) fn premul_rgba_to_gray(src: &[u8], dst: &mut [u8]) {
    for (px, out) in src.chunks_exact(4).zip(dst.iter_mut()) {
        let y = luma(px[0], px[1], px[2]);
        *out = y.saturating_add(255 - px[3]);
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
        assert_eq!(luma(255, 0, 0), 76);
        assert_eq!(luma(0, 255, 0), 150);
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

//! The brand logo: a bounded PNG decode to gray, reduced once, and drawn by
//! area averaging and thresholding at the fax resolution.

use crate::fields::LogoProblem;
use std::io::Cursor;
use std::sync::{Arc, Mutex};

/// Largest logo PNG accepted, in bytes.
pub const MAX_LOGO_BYTES: usize = 1 << 20;

/// Largest logo width or height accepted, in pixels.
pub const MAX_LOGO_SIDE: u32 = 2048;

/// The decoded logo is reduced to at most this many pixels a side: more
/// than the 1.7 in x 0.6 in box holds at superfine (347 x 235 pixels).
const KEEP_SIDE: u32 = 512;

/// Gray pixels darker than this are black.
const BLACK_BELOW: u32 = 128;

/// A decoded logo: 8-bit gray, 0 = black, alpha already composited on white.
#[derive(Clone, PartialEq, Eq)]
pub struct LogoImage {
    width: u32,
    height: u32,
    gray: Vec<u8>,
}

impl std::fmt::Debug for LogoImage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LogoImage")
            .field("width", &self.width)
            .field("height", &self.height)
            .finish_non_exhaustive()
    }
}

impl LogoImage {
    /// Width in pixels of the reduced image.
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Height in pixels of the reduced image.
    pub fn height(&self) -> u32 {
        self.height
    }

    /// Decode `png`, or return the previous result when the bytes are the
    /// same as last time: a free-plan service sends the same logo on every
    /// cover, and decoding a large PNG costs far more than the cover.
    pub(crate) fn decode_cached(png: &[u8]) -> Result<Arc<LogoImage>, LogoProblem> {
        type Last = Option<(Vec<u8>, Result<Arc<LogoImage>, LogoProblem>)>;
        static LAST: Mutex<Last> = Mutex::new(None);
        // A panic while holding the lock cannot leave a half-written entry
        // (it is replaced whole), so a poisoned lock is still usable.
        if let Some((bytes, result)) = &*LAST.lock().unwrap_or_else(|e| e.into_inner())
            && bytes.as_slice() == png
        {
            return result.clone();
        }
        let result = LogoImage::decode(png).map(Arc::new);
        *LAST.lock().unwrap_or_else(|e| e.into_inner()) = Some((png.to_vec(), result.clone()));
        result
    }

    /// Decode `png`, within the limits above.
    pub(crate) fn decode(png: &[u8]) -> Result<LogoImage, LogoProblem> {
        if png.len() > MAX_LOGO_BYTES {
            return Err(LogoProblem::TooManyBytes { bytes: png.len() });
        }
        if !png.starts_with(b"\x89PNG\r\n\x1a\n") {
            return Err(LogoProblem::NotPng);
        }
        let decode_err = |e: image::ImageError| LogoProblem::Decode {
            message: e.to_string(),
        };
        let reader = || image::ImageReader::with_format(Cursor::new(png), image::ImageFormat::Png);
        let (width, height) = reader().into_dimensions().map_err(decode_err)?;
        if width == 0 || height == 0 || width > MAX_LOGO_SIDE || height > MAX_LOGO_SIDE {
            return Err(LogoProblem::BadDimensions { width, height });
        }
        let mut limits = image::Limits::default();
        limits.max_image_width = Some(MAX_LOGO_SIDE);
        limits.max_image_height = Some(MAX_LOGO_SIDE);
        limits.max_alloc = Some(64 << 20);
        let mut r = reader();
        r.limits(limits);
        let img = r.decode().map_err(decode_err)?.into_luma_alpha8();
        let gray: Vec<u8> = img
            .pixels()
            .map(|p| {
                let [l, a] = p.0;
                // Over white: l * a + 255 * (1 - a), in integers.
                ((u32::from(l) * u32::from(a) + 255 * (255 - u32::from(a)) + 127) / 255) as u8
            })
            .collect();
        let logo = LogoImage {
            width,
            height,
            gray,
        }
        .reduced();
        if logo.gray.iter().all(|&g| u32::from(g) >= BLACK_BELOW) {
            return Err(LogoProblem::Blank);
        }
        Ok(logo)
    }

    /// Shrink by an integer factor (box filter) so no side exceeds
    /// [`KEEP_SIDE`].
    fn reduced(self) -> LogoImage {
        let f = self.width.max(self.height).div_ceil(KEEP_SIDE);
        if f <= 1 {
            return self;
        }
        let (w, h) = (self.width.div_ceil(f), self.height.div_ceil(f));
        let mut gray = Vec::with_capacity((w * h) as usize);
        for y in 0..h {
            for x in 0..w {
                let (mut sum, mut n) = (0u32, 0u32);
                for sy in y * f..((y + 1) * f).min(self.height) {
                    for sx in x * f..((x + 1) * f).min(self.width) {
                        sum += u32::from(self.gray[(sy * self.width + sx) as usize]);
                        n += 1;
                    }
                }
                gray.push((sum / n.max(1)) as u8);
            }
        }
        LogoImage {
            width: w,
            height: h,
            gray,
        }
    }

    /// Whether device pixel (`x`, `y`) of a `dw` x `dh` rendering is black:
    /// the average of the source pixels it covers is dark.
    pub(crate) fn black_at(&self, x: u32, y: u32, dw: u32, dh: u32) -> bool {
        let span = |d: u32, dn: u32, sn: u32| {
            let (d, dn, sn) = (u64::from(d), u64::from(dn), u64::from(sn));
            let a = d * sn / dn;
            let b = ((d + 1) * sn).div_ceil(dn).max(a + 1).min(sn);
            (a as u32, b as u32)
        };
        let (x0, x1) = span(x, dw, self.width);
        let (y0, y1) = span(y, dh, self.height);
        let (mut sum, mut n) = (0u32, 0u32);
        for sy in y0..y1 {
            let row = (sy * self.width) as usize;
            for &g in &self.gray[row + x0 as usize..row + x1 as usize] {
                sum += u32::from(g);
                n += 1;
            }
        }
        n > 0 && sum < BLACK_BELOW * n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(w: u32, h: u32, f: impl Fn(u32, u32) -> [u8; 2]) -> Vec<u8> {
        let img = image::GrayAlphaImage::from_fn(w, h, |x, y| image::LumaA(f(x, y)));
        let mut out = Vec::new();
        img.write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png)
            .unwrap();
        out
    }

    #[test]
    fn decodes_composites_and_reduces() {
        // Left half black, right half transparent black (= white).
        let logo =
            LogoImage::decode(&png(1200, 10, |x, _| [0, if x < 600 { 255 } else { 0 }])).unwrap();
        assert_eq!((logo.width(), logo.height()), (400, 4));
        assert!(logo.black_at(0, 0, 100, 4));
        assert!(!logo.black_at(99, 3, 100, 4));
    }

    #[test]
    fn rejects_what_it_should() {
        assert_eq!(LogoImage::decode(b"GIF89a"), Err(LogoProblem::NotPng));
        assert_eq!(
            LogoImage::decode(&png(4, 4, |_, _| [255, 255])),
            Err(LogoProblem::Blank)
        );
        let big = png(MAX_LOGO_SIDE + 1, 1, |_, _| [0, 255]);
        assert!(matches!(
            LogoImage::decode(&big),
            Err(LogoProblem::BadDimensions { .. })
        ));
        let mut cut = png(20, 20, |_, _| [0, 255]);
        cut.truncate(40);
        assert!(matches!(
            LogoImage::decode(&cut),
            Err(LogoProblem::Decode { .. })
        ));
        let huge = vec![0u8; MAX_LOGO_BYTES + 1];
        assert!(matches!(
            LogoImage::decode(&huge),
            Err(LogoProblem::TooManyBytes { .. })
        ));
    }
}

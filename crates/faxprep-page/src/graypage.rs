//! 8-bit gray pages.

use crate::{Error, Resolution, Result, check_dimensions};

/// An 8-bit gray page: one byte a pixel, row after row, 0 = black,
/// 255 = white. Values are coverage-like (linear in ink), not gamma-encoded
/// luminance; the raster stage documents how it converts colour.
#[derive(Clone, PartialEq, Eq)]
pub struct GrayPage {
    width: u32,
    height: u32,
    resolution: Resolution,
    data: Vec<u8>,
}

impl std::fmt::Debug for GrayPage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GrayPage")
            .field("width", &self.width)
            .field("height", &self.height)
            .field("resolution", &self.resolution)
            .finish_non_exhaustive()
    }
}

impl GrayPage {
    /// An all-white page.
    pub fn new(width: u32, height: u32, resolution: Resolution) -> Result<GrayPage> {
        let n = check_dimensions(width, height)?;
        Ok(GrayPage {
            width,
            height,
            resolution,
            data: vec![255; n],
        })
    }

    /// A page from `width * height` bytes.
    pub fn from_raw(
        width: u32,
        height: u32,
        resolution: Resolution,
        data: Vec<u8>,
    ) -> Result<GrayPage> {
        let n = check_dimensions(width, height)?;
        if data.len() != n {
            return Err(Error::BufferLength {
                expected: n,
                actual: data.len(),
            });
        }
        Ok(GrayPage {
            width,
            height,
            resolution,
            data,
        })
    }

    /// Width in pixels.
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Height in pixels.
    pub fn height(&self) -> u32 {
        self.height
    }

    /// The resolution the page was rendered at.
    pub fn resolution(&self) -> Resolution {
        self.resolution
    }

    /// All pixels, row after row.
    pub fn data(&self) -> &[u8] {
        &self.data
    }

    /// All pixels, writable.
    pub fn data_mut(&mut self) -> &mut [u8] {
        &mut self.data
    }

    /// Consume the page, returning its pixels.
    pub fn into_data(self) -> Vec<u8> {
        self.data
    }

    /// Row `y`. Panics if `y >= height()`, like slice indexing.
    pub fn row(&self, y: u32) -> &[u8] {
        let w = self.width as usize;
        &self.data[y as usize * w..(y as usize + 1) * w]
    }

    /// Row `y`, writable.
    pub fn row_mut(&mut self, y: u32) -> &mut [u8] {
        let w = self.width as usize;
        &mut self.data[y as usize * w..(y as usize + 1) * w]
    }

    /// Iterator over rows.
    pub fn rows(&self) -> std::slice::ChunksExact<'_, u8> {
        self.data.chunks_exact(self.width as usize)
    }

    /// Pixel (x, y); out-of-range pixels are white (255).
    pub fn get(&self, x: u32, y: u32) -> u8 {
        if x >= self.width || y >= self.height {
            return 255;
        }
        self.data[y as usize * self.width as usize + x as usize]
    }

    /// Set pixel (x, y); out-of-range writes are ignored.
    pub fn set(&mut self, x: u32, y: u32, value: u8) {
        if x < self.width && y < self.height {
            self.data[y as usize * self.width as usize + x as usize] = value;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_is_white_and_checked() {
        let page = GrayPage::new(4, 3, Resolution::Fine).unwrap();
        assert!(page.data().iter().all(|&v| v == 255));
        assert_eq!(page.row(2).len(), 4);
        assert!(GrayPage::from_raw(4, 3, Resolution::Fine, vec![0; 11]).is_err());
        assert!(GrayPage::new(1 << 17, 1, Resolution::Fine).is_err());
    }
}

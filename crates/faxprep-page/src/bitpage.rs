//! Packed 1-bit pages.

use crate::{Error, Resolution, Result, check_dimensions};

/// A 1-bit page: rows of `stride()` bytes, most significant bit first,
/// 1 = black. The padding bits after `width` in each row are always zero
/// (every method that writes keeps that invariant), so two pages with the
/// same pixels have the same bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct BitPage {
    width: u32,
    height: u32,
    resolution: Resolution,
    stride: usize,
    data: Vec<u8>,
}

impl std::fmt::Debug for BitPage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BitPage")
            .field("width", &self.width)
            .field("height", &self.height)
            .field("resolution", &self.resolution)
            .finish_non_exhaustive()
    }
}

impl BitPage {
    /// An all-white page.
    pub fn new(width: u32, height: u32, resolution: Resolution) -> Result<BitPage> {
        check_dimensions(width, height)?;
        let stride = Self::stride_for(width);
        Ok(BitPage {
            width,
            height,
            resolution,
            stride,
            data: vec![0; stride * height as usize],
        })
    }

    /// A page from packed rows of `ceil(width / 8)` bytes each. Padding bits
    /// are cleared, so any buffer of the right length is accepted.
    pub fn from_packed(
        width: u32,
        height: u32,
        resolution: Resolution,
        mut data: Vec<u8>,
    ) -> Result<BitPage> {
        check_dimensions(width, height)?;
        let stride = Self::stride_for(width);
        let expected = stride * height as usize;
        if data.len() != expected {
            return Err(Error::BufferLength {
                expected,
                actual: data.len(),
            });
        }
        let mask = Self::last_byte_mask(width);
        if mask != 0xff {
            for row in data.chunks_exact_mut(stride) {
                row[stride - 1] &= mask;
            }
        }
        Ok(BitPage {
            width,
            height,
            resolution,
            stride,
            data,
        })
    }

    /// Bytes in one packed row of `width` pixels.
    pub const fn stride_for(width: u32) -> usize {
        (width as usize).div_ceil(8)
    }

    /// The bits of the last byte of a row that hold pixels.
    const fn last_byte_mask(width: u32) -> u8 {
        match width % 8 {
            0 => 0xff,
            r => 0xffu8 << (8 - r),
        }
    }

    /// Width in pixels.
    #[inline]
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Height in pixels (rows).
    #[inline]
    pub fn height(&self) -> u32 {
        self.height
    }

    /// The resolution the page is meant to print at.
    pub fn resolution(&self) -> Resolution {
        self.resolution
    }

    /// Bytes per row.
    pub fn stride(&self) -> usize {
        self.stride
    }

    /// All rows, packed, `stride()` bytes each.
    #[inline]
    pub fn data(&self) -> &[u8] {
        &self.data
    }

    /// Consume the page, returning its packed rows.
    pub fn into_data(self) -> Vec<u8> {
        self.data
    }

    /// Row `y`, packed. Panics if `y >= height()`, like slice indexing.
    #[inline]
    pub fn row(&self, y: u32) -> &[u8] {
        let start = y as usize * self.stride;
        &self.data[start..start + self.stride]
    }

    /// Row `y`, packed and writable. The caller must leave the padding bits
    /// zero; [`BitPage::clear_padding`] restores them.
    #[inline]
    pub fn row_mut(&mut self, y: u32) -> &mut [u8] {
        let start = y as usize * self.stride;
        &mut self.data[start..start + self.stride]
    }

    /// Iterator over the packed rows.
    #[inline]
    pub fn rows(&self) -> std::slice::ChunksExact<'_, u8> {
        self.data.chunks_exact(self.stride)
    }

    /// Writable iterator over the packed rows (for parallel producers).
    pub fn rows_mut(&mut self) -> std::slice::ChunksExactMut<'_, u8> {
        self.data.chunks_exact_mut(self.stride)
    }

    /// Zero the padding bits of every row (after raw writes through
    /// [`BitPage::row_mut`] or [`BitPage::rows_mut`]).
    pub fn clear_padding(&mut self) {
        let mask = Self::last_byte_mask(self.width);
        if mask != 0xff {
            let stride = self.stride;
            for row in self.data.chunks_exact_mut(stride) {
                row[stride - 1] &= mask;
            }
        }
    }

    /// Whether pixel (x, y) is black. Out-of-range pixels are white.
    #[inline]
    pub fn get(&self, x: u32, y: u32) -> bool {
        if x >= self.width || y >= self.height {
            return false;
        }
        let byte = self.data[y as usize * self.stride + (x / 8) as usize];
        byte & (0x80 >> (x % 8)) != 0
    }

    /// Set pixel (x, y) black (`true`) or white. Out-of-range writes are
    /// ignored, so drawing code can clip by construction.
    pub fn set(&mut self, x: u32, y: u32, black: bool) {
        if x >= self.width || y >= self.height {
            return;
        }
        let byte = &mut self.data[y as usize * self.stride + (x / 8) as usize];
        let bit = 0x80 >> (x % 8);
        if black {
            *byte |= bit;
        } else {
            *byte &= !bit;
        }
    }

    /// Fill the rectangle `[x0, x1) x [y0, y1)` (clipped to the page) black.
    pub fn fill_rect(&mut self, x0: u32, y0: u32, x1: u32, y1: u32) {
        let (x1, y1) = (x1.min(self.width), y1.min(self.height));
        for y in y0..y1 {
            for x in x0..x1 {
                self.set(x, y, true);
            }
        }
    }

    /// Number of black pixels.
    pub fn count_black(&self) -> u64 {
        // Eight bytes per popcount: the baseline x86-64 target has no
        // POPCNT instruction, so each call is a dozen bit operations.
        let (words, rest) = self.data.as_chunks::<8>();
        let whole: u64 = words
            .iter()
            .map(|w| u64::from(u64::from_ne_bytes(*w).count_ones()))
            .sum();
        whole + rest.iter().map(|b| u64::from(b.count_ones())).sum::<u64>()
    }

    /// Whether the page has no black pixel at all.
    pub fn is_blank(&self) -> bool {
        self.data.iter().all(|&b| b == 0)
    }

    /// Unpack to one byte a pixel: 0 for black, 255 for white (as a gray
    /// image viewer expects).
    pub fn to_gray_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.width as usize * self.height as usize);
        for row in self.rows() {
            for x in 0..self.width as usize {
                let black = row[x / 8] & (0x80 >> (x % 8)) != 0;
                out.push(if black { 0 } else { 255 });
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padding_is_cleared() {
        let page = BitPage::from_packed(3, 2, Resolution::Fine, vec![0xff, 0xff]).unwrap();
        assert_eq!(page.data(), &[0xe0, 0xe0]);
        assert_eq!(page.count_black(), 6);
    }

    #[test]
    fn black_is_counted_in_whole_words_and_in_the_tail() {
        // 20 x 5: 3 bytes a row, 15 in all: one 8-byte word and a 7-byte tail.
        let mut page = BitPage::new(20, 5, Resolution::Fine).unwrap();
        page.fill_rect(0, 0, 20, 5);
        assert_eq!(page.count_black(), 100);
        page.set(0, 0, false);
        page.set(19, 4, false);
        assert_eq!(page.count_black(), 98);
    }

    #[test]
    fn hostile_dimensions_are_errors() {
        assert!(BitPage::new(0, 10, Resolution::Fine).is_err());
        assert!(BitPage::new(u32::MAX, u32::MAX, Resolution::Fine).is_err());
        assert!(BitPage::from_packed(8, 2, Resolution::Fine, vec![0]).is_err());
    }

    #[test]
    fn set_get_clip() {
        let mut page = BitPage::new(10, 10, Resolution::Standard).unwrap();
        page.set(9, 9, true);
        page.set(10, 9, true);
        assert!(page.get(9, 9));
        assert!(!page.get(10, 9));
        assert_eq!(page.count_black(), 1);
        page.fill_rect(8, 8, 100, 100);
        assert_eq!(page.count_black(), 4);
    }
}

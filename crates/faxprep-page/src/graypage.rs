//! 8-bit gray pages.

use crate::{Error, Resolution, Result, check_dimensions};

/// An 8-bit gray page: one byte a pixel, row after row, 0 = black,
/// 255 = white. Values are coverage-like (linear in ink), not gamma-encoded
/// luminance; the raster stage documents how it converts colour.
///
/// A page may know which of its [`WHITE_TILE`]-pixel tiles are paper white
/// (every pixel 255) without reading them: the raster stage's drawing
/// device records which tiles it drew into, and the halftone skips the
/// rest. Any write access forgets it.
#[derive(Clone)]
pub struct GrayPage {
    width: u32,
    height: u32,
    resolution: Resolution,
    data: Vec<u8>,
    /// Per tile, row after row: known to be all 255.
    white_tiles: Option<Vec<bool>>,
}

/// The side of the square tiles [`GrayPage::is_white_tile`] speaks of.
pub const WHITE_TILE: u32 = 16;

/// Pages are equal when their pixels are (what is known of them aside).
impl PartialEq for GrayPage {
    fn eq(&self, other: &GrayPage) -> bool {
        (self.width, self.height, self.resolution) == (other.width, other.height, other.resolution)
            && self.data == other.data
    }
}

impl Eq for GrayPage {}

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
            white_tiles: None,
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
            white_tiles: None,
        })
    }

    /// Know that the tiles flagged in `white` (one flag per
    /// [`WHITE_TILE`] x [`WHITE_TILE`] tile, row after row, the last
    /// column and row of tiles possibly cut short) are all 255; false,
    /// and nothing known, if `white` has the wrong length. Debug builds
    /// check every flagged tile.
    pub fn set_white_tiles(&mut self, white: Vec<bool>) -> bool {
        let (cols, rows) = self.tiles();
        if white.len() != cols * rows {
            self.white_tiles = None;
            return false;
        }
        self.white_tiles = Some(white);
        debug_assert!(
            (0..rows).all(|ty| (0..cols).all(|tx| !self.is_white_tile(tx, ty)
                || self.tile_rows(tx, ty).all(|r| r.iter().all(|&v| v == 255)))),
            "a tile said to be white is not"
        );
        true
    }

    /// Columns and rows of [`WHITE_TILE`]-pixel tiles.
    pub fn tiles(&self) -> (usize, usize) {
        (
            self.width.div_ceil(WHITE_TILE) as usize,
            self.height.div_ceil(WHITE_TILE) as usize,
        )
    }

    /// Whether tile (`tx`, `ty`) is known to be all 255 (false when not
    /// known).
    #[inline]
    pub fn is_white_tile(&self, tx: usize, ty: usize) -> bool {
        let (cols, rows) = self.tiles();
        tx < cols && ty < rows && self.white_tiles.as_ref().is_some_and(|w| w[ty * cols + tx])
    }

    /// Whether the page knows its white tiles.
    pub fn knows_white_tiles(&self) -> bool {
        self.white_tiles.is_some()
    }

    /// The rows of tile (`tx`, `ty`), each cut to the tile's columns.
    fn tile_rows(&self, tx: usize, ty: usize) -> impl Iterator<Item = &[u8]> {
        let t = WHITE_TILE as usize;
        let (w, h) = (self.width as usize, self.height as usize);
        let (x0, y0) = (tx * t, ty * t);
        let (x1, y1) = ((x0 + t).min(w), (y0 + t).min(h));
        (y0..y1).map(move |y| &self.data[y * w + x0..y * w + x1])
    }

    /// Width in pixels.
    #[inline]
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Height in pixels.
    #[inline]
    pub fn height(&self) -> u32 {
        self.height
    }

    /// The resolution the page was rendered at.
    pub fn resolution(&self) -> Resolution {
        self.resolution
    }

    /// All pixels, row after row.
    #[inline]
    pub fn data(&self) -> &[u8] {
        &self.data
    }

    /// All pixels, writable.
    pub fn data_mut(&mut self) -> &mut [u8] {
        self.white_tiles = None;
        &mut self.data
    }

    /// Consume the page, returning its pixels and, if known, which tiles
    /// are white (as given to [`GrayPage::set_white_tiles`]).
    pub fn into_parts(self) -> (Vec<u8>, Option<Vec<bool>>) {
        (self.data, self.white_tiles)
    }

    /// Consume the page, returning its pixels.
    pub fn into_data(self) -> Vec<u8> {
        self.data
    }

    /// Row `y`. Panics if `y >= height()`, like slice indexing.
    #[inline]
    pub fn row(&self, y: u32) -> &[u8] {
        let w = self.width as usize;
        &self.data[y as usize * w..(y as usize + 1) * w]
    }

    /// Row `y`, writable.
    #[inline]
    pub fn row_mut(&mut self, y: u32) -> &mut [u8] {
        self.white_tiles = None;
        let w = self.width as usize;
        &mut self.data[y as usize * w..(y as usize + 1) * w]
    }

    /// Iterator over rows.
    #[inline]
    pub fn rows(&self) -> std::slice::ChunksExact<'_, u8> {
        self.data.chunks_exact(self.width as usize)
    }

    /// Pixel (x, y); out-of-range pixels are white (255).
    #[inline]
    pub fn get(&self, x: u32, y: u32) -> u8 {
        if x >= self.width || y >= self.height {
            return 255;
        }
        self.data[y as usize * self.width as usize + x as usize]
    }

    /// Set pixel (x, y); out-of-range writes are ignored.
    pub fn set(&mut self, x: u32, y: u32, value: u8) {
        if x < self.width && y < self.height {
            self.white_tiles = None;
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

    #[test]
    fn white_tiles_are_known_until_a_write() {
        // 40 x 20: 3 x 2 tiles, the last column 8 wide, the last row 4 high.
        let mut page = GrayPage::new(40, 20, Resolution::Fine).unwrap();
        page.set(20, 3, 0);
        assert_eq!(page.tiles(), (3, 2));
        assert!(!page.set_white_tiles(vec![true; 5]));
        assert!(!page.knows_white_tiles());
        assert!(page.set_white_tiles(vec![true, false, true, true, true, true]));
        assert!(page.knows_white_tiles());
        assert!(page.is_white_tile(0, 0) && page.is_white_tile(2, 1));
        assert!(!page.is_white_tile(1, 0));
        assert!(!page.is_white_tile(3, 0), "outside the page is not known");
        let copy = page.clone();
        page.row_mut(0)[0] = 7;
        assert!(!page.knows_white_tiles() && !page.is_white_tile(0, 0));
        assert_ne!(page, copy);
    }

    #[test]
    #[cfg(debug_assertions)]
    #[should_panic(expected = "a tile said to be white is not")]
    fn a_tile_said_white_that_is_not_is_caught_in_debug_builds() {
        let mut page = GrayPage::new(32, 16, Resolution::Fine).unwrap();
        page.set(31, 15, 254);
        page.set_white_tiles(vec![true, true]);
    }
}

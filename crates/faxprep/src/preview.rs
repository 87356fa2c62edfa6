//! Pictures of a fax as the receiving machine prints it, for people and
//! vision models: the coded TIFF decoded back (so a preview shows what is
//! sent, not the bitmaps before coding), pages as gray PNGs shrunk by
//! whole boxes, and contact sheets.

use crate::Error;
use faxprep_codec::tiff::{ReadLimits, decode_tiff};
use faxprep_page::{BitPage, Resolution};
use image::{GrayImage, ImageEncoder, Luma};

/// The largest shrink factor (a 1728-pixel row becomes 27 pixels).
pub const MAX_SHRINK: u32 = 64;

/// The pages of a fax TIFF (ours or any fax TIFF our reader takes).
pub fn decode_fax(tiff: &[u8]) -> Result<Vec<BitPage>, Error> {
    decode_tiff(tiff, &ReadLimits::default()).map_err(Error::Tiff)
}

/// `page` shrunk by `shrink` (1 to [`MAX_SHRINK`]) and drawn with square
/// pixels: each pixel is the mean of a box `shrink` fax pixels wide and as
/// tall as `shrink` fine rows (a standard page's rows count twice, a
/// superfine page's half), black 0, white 255, so every resolution shows
/// the page's true proportions.
pub fn page_image(page: &BitPage, shrink: u32) -> GrayImage {
    let shrink = shrink.clamp(1, MAX_SHRINK);
    let resolution = page.resolution();
    // Fine rows of the page, and the page rows that make up fine row `r`.
    let fine_rows = match resolution {
        Resolution::Standard => page.height() * 2,
        Resolution::Fine => page.height(),
        Resolution::Superfine => page.height() / 2,
    };
    let rows_of = |r: u32| match resolution {
        Resolution::Standard => (r / 2, r / 2 + 1),
        Resolution::Fine => (r, r + 1),
        Resolution::Superfine => (2 * r, 2 * r + 2),
    };
    let (w, h) = ((page.width() / shrink).max(1), (fine_rows / shrink).max(1));
    GrayImage::from_fn(w, h, |x, y| {
        let (mut black, mut total) = (0u32, 0u32);
        for fine_row in y * shrink..(y + 1) * shrink {
            let (from, to) = rows_of(fine_row);
            for py in from..to.min(page.height()) {
                for px in x * shrink..((x + 1) * shrink).min(page.width()) {
                    black += u32::from(page.get(px, py));
                    total += 1;
                }
            }
        }
        Luma([255 - (black * 255 / total.max(1)) as u8])
    })
}

/// `page` as a PNG ([`page_image`]).
pub fn page_png(page: &BitPage, shrink: u32) -> Result<Vec<u8>, Error> {
    png(&page_image(page, shrink))
}

/// All `pages` shrunk by `shrink`, `columns` to a row, on a gray ground
/// with a gutter, as one image.
pub fn contact_sheet(pages: &[BitPage], columns: u32, shrink: u32) -> GrayImage {
    const GUTTER: u32 = 8;
    let shrink = shrink.clamp(1, MAX_SHRINK);
    let cells: Vec<GrayImage> = pages.iter().map(|p| page_image(p, shrink)).collect();
    let cell_w = cells.iter().map(GrayImage::width).max().unwrap_or(1);
    let cell_h = cells.iter().map(GrayImage::height).max().unwrap_or(1);
    let cols = columns.clamp(1, cells.len().max(1) as u32);
    let rows = (cells.len() as u32).div_ceil(cols).max(1);
    let mut sheet = GrayImage::from_pixel(
        cols * (cell_w + GUTTER) + GUTTER,
        rows * (cell_h + GUTTER) + GUTTER,
        Luma([160]),
    );
    for (i, cell) in cells.iter().enumerate() {
        let (ox, oy) = (
            GUTTER + (i as u32 % cols) * (cell_w + GUTTER),
            GUTTER + (i as u32 / cols) * (cell_h + GUTTER),
        );
        for (x, y, p) in cell.enumerate_pixels() {
            sheet.put_pixel(ox + x, oy + y, *p);
        }
    }
    sheet
}

/// [`contact_sheet`] as a PNG.
pub fn contact_sheet_png(pages: &[BitPage], columns: u32, shrink: u32) -> Result<Vec<u8>, Error> {
    png(&contact_sheet(pages, columns, shrink))
}

fn png(img: &GrayImage) -> Result<Vec<u8>, Error> {
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out)
        .write_image(
            img.as_raw(),
            img.width(),
            img.height(),
            image::ExtendedColorType::L8,
        )
        .map_err(|e| Error::Internal {
            message: format!("png: {e}"),
        })?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_resolution_keeps_the_pages_proportions() {
        // A black square 8 fax pixels wide is 8 fine rows tall: 4 standard
        // rows, 16 superfine rows.
        for (res, rows) in [
            (Resolution::Standard, 4),
            (Resolution::Fine, 8),
            (Resolution::Superfine, 16),
        ] {
            let mut page = BitPage::new(16, rows * 2, res).unwrap();
            for y in 0..rows {
                for x in 0..8 {
                    page.set(x, y, true);
                }
            }
            let img = page_image(&page, 2);
            assert_eq!((img.width(), img.height()), (8, 8), "{res:?}");
            let black: Vec<(u32, u32)> = img
                .enumerate_pixels()
                .filter(|(_, _, p)| p.0[0] == 0)
                .map(|(x, y, _)| (x, y))
                .collect();
            assert_eq!(black.len(), 16, "{res:?}: a 4 x 4 square");
            assert!(black.iter().all(|&(x, y)| x < 4 && y < 4), "{res:?}");
        }
    }

    #[test]
    fn boxes_are_averaged() {
        let mut page = BitPage::new(8, 4, Resolution::Fine).unwrap();
        // Left 4x4 box: 4 of 16 black; right box: all black.
        for y in 0..4 {
            page.set(0, y, true);
            for x in 4..8 {
                page.set(x, y, true);
            }
        }
        let img = page_image(&page, 4);
        assert_eq!((img.width(), img.height()), (2, 1));
        // 255 x 4 / 16 = 63 (rounded down).
        assert_eq!(img.get_pixel(0, 0).0[0], 255 - 63);
        assert_eq!(img.get_pixel(1, 0).0[0], 0);
        let decoded = image::load_from_memory(&page_png(&page, 1).unwrap())
            .unwrap()
            .to_luma8();
        assert_eq!(decoded.get_pixel(0, 0).0[0], 0);
        assert_eq!(decoded.get_pixel(1, 0).0[0], 255);
        let sheet = contact_sheet(&[page.clone(), page.clone(), page], 2, 4);
        assert_eq!(
            (sheet.width(), sheet.height()),
            (2 * (2 + 8) + 8, 2 * (1 + 8) + 8)
        );
    }
}

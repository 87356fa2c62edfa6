//! The pages as a vision model sees them: PNGs decoded back from the coded
//! fax, shrunk by averaging, and a contact sheet for long faxes.

use faxprep::page::{BitPage, Resolution};
use image::{GrayImage, ImageEncoder, Luma};

/// Fax pixels averaged into one PNG pixel across: a fine page (1728 x
/// ~2200) becomes 864 x ~1100, about 100 dpi, where 9-point text stays
/// legible and a page is 50-250 KB.
pub const PAGE_SHRINK: u32 = 2;
/// Pages shown one by one when the fax has no more than this many; a
/// longer fax gets a contact sheet and the pages asked for.
pub const MAX_PAGE_IMAGES: usize = 4;
/// Pages on the contact sheet at most (the first ones).
pub const MAX_SHEET_PAGES: usize = 40;
/// Widest contact sheet in pixels.
const SHEET_WIDTH: u32 = 1600;
const GUTTER: u32 = 8;

/// Rows to average per output pixel for `shrink` columns: half as many at
/// standard resolution (98 dpi rows), twice as many at superfine, so the
/// picture keeps the page's proportions.
fn row_shrink(resolution: Resolution, shrink: u32) -> u32 {
    match resolution {
        Resolution::Standard => shrink.div_ceil(2).max(1),
        Resolution::Fine => shrink,
        Resolution::Superfine => shrink * 2,
    }
}

/// `page` averaged over `shrink` columns (and the rows that keep its
/// proportions) into 8-bit gray, black 0.
pub fn shrink_page(page: &BitPage, shrink: u32) -> GrayImage {
    let sx = shrink.max(1);
    let sy = row_shrink(page.resolution(), sx);
    let (w, h) = ((page.width() / sx).max(1), (page.height() / sy).max(1));
    let area = sx * sy;
    GrayImage::from_fn(w, h, |x, y| {
        let mut black = 0;
        for dy in 0..sy {
            for dx in 0..sx {
                black += u32::from(page.get(x * sx + dx, y * sy + dy));
            }
        }
        Luma([255 - (black * 255 / area) as u8])
    })
}

/// One page as PNG.
pub fn page_png(page: &BitPage) -> Result<Vec<u8>, image::ImageError> {
    png(&shrink_page(page, PAGE_SHRINK))
}

/// The first [`MAX_SHEET_PAGES`] pages side by side, as many columns as
/// rows or one more, at most [`SHEET_WIDTH`] wide, on gray.
pub fn contact_sheet_png(pages: &[BitPage]) -> Result<Vec<u8>, image::ImageError> {
    let pages = &pages[..pages.len().min(MAX_SHEET_PAGES)];
    let n = pages.len().max(1) as u32;
    let cols = (f64::from(n).sqrt().ceil() as u32).clamp(1, n);
    let widest = pages.iter().map(BitPage::width).max().unwrap_or(1);
    let shrink = (cols * widest).div_ceil(SHEET_WIDTH).max(4);
    let cells: Vec<GrayImage> = pages.iter().map(|p| shrink_page(p, shrink)).collect();
    let cell_w = cells.iter().map(GrayImage::width).max().unwrap_or(1);
    let cell_h = cells.iter().map(GrayImage::height).max().unwrap_or(1);
    let rows = n.div_ceil(cols);
    let mut sheet = GrayImage::from_pixel(
        cols * (cell_w + GUTTER) + GUTTER,
        rows * (cell_h + GUTTER) + GUTTER,
        Luma([128]),
    );
    for (i, cell) in cells.iter().enumerate() {
        let (ox, oy) = (
            GUTTER + (i as u32 % cols) * (cell_w + GUTTER),
            GUTTER + (i as u32 / cols) * (cell_h + GUTTER),
        );
        image::imageops::replace(&mut sheet, cell, i64::from(ox), i64::from(oy));
    }
    png(&sheet)
}

fn png(img: &GrayImage) -> Result<Vec<u8>, image::ImageError> {
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new_with_quality(
        &mut out,
        image::codecs::png::CompressionType::Best,
        image::codecs::png::FilterType::Adaptive,
    )
    .write_image(
        img.as_raw(),
        img.width(),
        img.height(),
        image::ExtendedColorType::L8,
    )?;
    Ok(out)
}

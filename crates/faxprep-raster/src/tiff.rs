//! Bilevel fax TIFF uploads: each page decoded by faxprep-codec, then
//! passed through when it already is a fax page of the job's resolution,
//! or turned upright (Orientation tag) and placed like a picture
//! otherwise.

use faxprep_codec::tiff::{self as codec, ReadLimits, TiffPageInfo, decode_page, read_tiff};
use faxprep_page::{FAX_WIDTH, GrayPage, MAX_DIMENSION};

use crate::geometry::{Scaling, place};
use crate::{Error, LimitKind, RasterOptions, RenderedPage, Result, picture};

/// How far (as a fraction) a file's stated density may be from the fax
/// grid's (204 dpi across, the resolution's lines down) for a 1728-wide
/// page to count as already laid out for the fax: 200 x 200 dpi files,
/// which fax software writes for "fine", are within it.
const DPI_TOLERANCE: f64 = 0.03;

fn read_limits(opts: &RasterOptions) -> ReadLimits {
    let mut read = ReadLimits::unlimited();
    read.max_pages = opts.max_pages;
    let side = opts.limits.max_image_side.min(MAX_DIMENSION);
    read.max_width = side;
    read.max_height = side;
    read
}

fn map_error(e: codec::Error, opts: &RasterOptions) -> Error {
    match e {
        codec::Error::Limits {
            limit: codec::Limit::Pages,
            value,
            ..
        } => Error::Limits(LimitKind::Pages {
            pages: u32::try_from(value).unwrap_or(u32::MAX),
            max: opts.max_pages,
        }),
        codec::Error::Limits { .. } => Error::Limits(LimitKind::ImagePixels {
            width: 0,
            height: 0,
        }),
        codec::Error::Unsupported(u) => Error::Unsupported {
            what: format!("tiff: {u}"),
        },
        other => Error::Image {
            message: other.to_string(),
        },
    }
}

/// Read the pages' directories (no pixel is decoded).
pub(crate) fn pages(bytes: &[u8], opts: &RasterOptions) -> Result<Vec<TiffPageInfo>> {
    let pages = read_tiff(bytes, &read_limits(opts)).map_err(|e| map_error(e, opts))?;
    for info in &pages {
        if u64::from(info.width) * u64::from(info.height) > opts.limits.max_image_pixels {
            return Err(Error::Limits(LimitKind::ImagePixels {
                width: info.width,
                height: info.height,
            }));
        }
    }
    Ok(pages)
}

/// Whether the page already is a fax page for this job: 1728 wide, its
/// stated density the job's grid, and no band to make room for.
fn passes_through(info: &TiffPageInfo, opts: &RasterOptions) -> bool {
    let near = |v: f64, target: f64| (v - target).abs() <= target * DPI_TOLERANCE;
    info.width == FAX_WIDTH
        && info.orientation <= 1
        && opts.reserved_rows == (0, 0)
        && info.x_dpi.is_some_and(|x| near(x, 204.0))
        && info
            .y_dpi
            .is_some_and(|y| near(y, f64::from(opts.resolution.y_dpi())))
}

/// Decode and lay out page `info` of the file.
pub(crate) fn render_page(
    bytes: &[u8],
    info: &TiffPageInfo,
    opts: &RasterOptions,
) -> Result<RenderedPage> {
    let bits = decode_page(bytes, info).map_err(|e| map_error(e, opts))?;
    let gray = bits.to_gray_bytes();
    drop(bits);
    if passes_through(info, opts) {
        // The paper is the one the page would be placed on; the rows are
        // the page's own, pixel for pixel.
        let dpi_y = f64::from(opts.resolution.y_dpi());
        let paper = place(
            f64::from(info.width) * 72.0 / 204.0,
            f64::from(info.height) * 72.0 / dpi_y,
            opts,
            Scaling::NaturalIfFits,
        )
        .paper;
        let page =
            GrayPage::from_raw(FAX_WIDTH, info.height, opts.resolution, gray).map_err(|_| {
                Error::Limits(LimitKind::ImagePixels {
                    width: info.width,
                    height: info.height,
                })
            })?;
        return Ok(RenderedPage {
            index: info.index,
            page,
            paper,
            rotated: false,
            warnings: Vec::new(),
            renderer: crate::PageRenderer::Picture,
        });
    }
    let (w, h) = (info.width as usize, info.height as usize);
    let (gray, w, h) = upright(&gray, w, h, info.orientation);
    let dpi = match (info.x_dpi, info.y_dpi) {
        // Believable densities only, as for JPEG and PNG.
        (Some(x), Some(y)) if (50.0..=2400.0).contains(&x) && (50.0..=2400.0).contains(&y) => {
            Some(if info.orientation >= 5 {
                (y, x)
            } else {
                (x, y)
            })
        }
        _ => None,
    };
    picture::place_pixels(gray, w, h, dpi, opts, info.index)
}

/// The stored `w` x `h` pixels turned upright by the TIFF Orientation
/// tag (TIFF 6.0 §8: where row 0 and column 0 of the stored image lie on
/// the displayed one); values outside 2-8 leave them as stored.
fn upright(src: &[u8], w: usize, h: usize, orientation: u16) -> (Vec<u8>, usize, usize) {
    if !(2..=8).contains(&orientation) {
        return (src.to_vec(), w, h);
    }
    let (dw, dh) = if orientation >= 5 { (h, w) } else { (w, h) };
    let mut out = Vec::with_capacity(dw * dh);
    for y_out in 0..dh {
        for x_out in 0..dw {
            // The stored pixel shown at (x_out, y_out).
            let (x, y) = match orientation {
                2 => (w - 1 - x_out, y_out),
                3 => (w - 1 - x_out, h - 1 - y_out),
                4 => (x_out, h - 1 - y_out),
                5 => (y_out, x_out),
                6 => (y_out, dw - 1 - x_out),
                7 => (dh - 1 - y_out, dw - 1 - x_out),
                _ => (dh - 1 - y_out, x_out),
            };
            out.push(src[y * w + x]);
        }
    }
    (out, dw, dh)
}

#[cfg(test)]
mod tests {
    use super::upright;

    #[test]
    fn orientations_turn_the_stored_image_upright() {
        // Displayed upright, 3 x 2:  1 2 3 / 4 5 6.
        let shown = vec![1, 2, 3, 4, 5, 6];
        // How each orientation stores it (TIFF 6.0 §8).
        let stored: [(u16, Vec<u8>, usize, usize); 8] = [
            (1, vec![1, 2, 3, 4, 5, 6], 3, 2),
            (2, vec![3, 2, 1, 6, 5, 4], 3, 2),
            (3, vec![6, 5, 4, 3, 2, 1], 3, 2),
            (4, vec![4, 5, 6, 1, 2, 3], 3, 2),
            // Row 0 is the left side, column 0 the top: the transpose.
            (5, vec![1, 4, 2, 5, 3, 6], 2, 3),
            // Row 0 is the right side, column 0 the top.
            (6, vec![3, 6, 2, 5, 1, 4], 2, 3),
            // Row 0 is the right side, column 0 the bottom.
            (7, vec![6, 3, 5, 2, 4, 1], 2, 3),
            // Row 0 is the left side, column 0 the bottom.
            (8, vec![4, 1, 5, 2, 6, 3], 2, 3),
        ];
        for (o, pixels, w, h) in stored {
            assert_eq!(
                upright(&pixels, w, h, o),
                (shown.clone(), 3, 2),
                "orientation {o}"
            );
        }
    }
}

//! JPEG and PNG uploads: decode, orient, gray, place, resample.

use std::io::Cursor;
use std::panic::{AssertUnwindSafe, catch_unwind};

use faxprep_page::{DocumentFormat, FAX_WIDTH, GrayPage};
use image::error::{ImageError, LimitErrorKind};
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, metadata::Orientation};

use crate::geometry::{Scaling, place};
use crate::{Error, LimitKind, RasterOptions, RenderedPage, Result, gray, resample};

fn format_of(format: DocumentFormat) -> ImageFormat {
    match format {
        DocumentFormat::Png => ImageFormat::Png,
        // `Pdf` never reaches this module.
        _ => ImageFormat::Jpeg,
    }
}

pub(crate) fn map_image_error(e: ImageError) -> Error {
    match e {
        ImageError::Limits(l) => match l.kind() {
            LimitErrorKind::DimensionError => Error::Limits(LimitKind::ImagePixels {
                width: 0,
                height: 0,
            }),
            _ => Error::Limits(LimitKind::DecodeMemory),
        },
        ImageError::Unsupported(u) => Error::Unsupported {
            what: u.to_string().trim().to_lowercase(),
        },
        other => Error::Image {
            message: other.to_string().trim().to_lowercase(),
        },
    }
}

fn reader<'a>(
    bytes: &'a [u8],
    format: DocumentFormat,
    opts: &RasterOptions,
) -> ImageReader<Cursor<&'a [u8]>> {
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format_of(format));
    reader.limits(image_limits(opts));
    reader
}

/// What `image` may decode: the sides and the memory of the raster limits.
pub(crate) fn image_limits(opts: &RasterOptions) -> image::Limits {
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(opts.limits.max_image_side);
    limits.max_image_height = Some(opts.limits.max_image_side);
    limits.max_alloc = Some(opts.limits.max_decode_bytes);
    limits
}

/// Check that the header decodes and the size is within limits.
pub(crate) fn check_header(
    bytes: &[u8],
    format: DocumentFormat,
    opts: &RasterOptions,
) -> Result<()> {
    let decoder = reader(bytes, format, opts)
        .into_decoder()
        .map_err(map_image_error)?;
    check_size(decoder.dimensions(), opts)
}

fn check_size((width, height): (u32, u32), opts: &RasterOptions) -> Result<()> {
    if width == 0
        || height == 0
        || u64::from(width) * u64::from(height) > opts.limits.max_image_pixels
    {
        return Err(Error::Limits(LimitKind::ImagePixels { width, height }));
    }
    Ok(())
}

/// Decode and render the single page of an image upload.
pub(crate) fn render(
    bytes: &[u8],
    format: DocumentFormat,
    opts: &RasterOptions,
) -> Result<RenderedPage> {
    let decoded = catch_unwind(AssertUnwindSafe(|| decode(bytes, format, opts)))
        .map_err(|_| Error::RendererPanicked { page: 0 })??;
    let (pixels, w, h, dpi) = decoded;
    place_pixels(pixels, w, h, dpi, opts, 0)
}

/// Place upright gray pixels (`w` x `h`, row-major) on a fax page: at
/// their true size when `dpi` is given and that fits, else fitted, turned
/// for landscape as the placement policy says, resampled into place.
pub(crate) fn place_pixels(
    mut pixels: Vec<u8>,
    mut w: usize,
    mut h: usize,
    dpi: Option<(f64, f64)>,
    opts: &RasterOptions,
    index: u32,
) -> Result<RenderedPage> {
    // True size when the file states a believable density, else fit.
    let (page_w, page_h, scaling) = match dpi {
        Some((dx, dy)) => (
            w as f64 * 72.0 / dx,
            h as f64 * 72.0 / dy,
            Scaling::NaturalIfFits,
        ),
        None => (w as f64, h as f64, Scaling::Fit),
    };
    let placement = place(page_w, page_h, opts, scaling);
    if placement.rotated {
        pixels = rotate_ccw(&pixels, w, h);
        std::mem::swap(&mut w, &mut h);
    }
    let [x0, y0, x1, y1] = placement.content_px;
    let rows = placement.rows;
    let clamp_x = |v: f64| (v.round().max(0.0) as usize).min(FAX_WIDTH as usize);
    let clamp_y = |v: f64| (v.round().max(0.0) as usize).min(rows as usize);
    let (px0, px1) = (
        clamp_x(x0),
        clamp_x(x1).max(clamp_x(x0) + 1).min(FAX_WIDTH as usize),
    );
    let (py0, py1) = (
        clamp_y(y0),
        clamp_y(y1).max(clamp_y(y0) + 1).min(rows as usize),
    );
    let (dw, dh) = (
        px1.saturating_sub(px0).max(1),
        py1.saturating_sub(py0).max(1),
    );
    let scaled = resample::resize(&pixels, w, h, dw, dh);
    drop(pixels);
    let mut page = GrayPage::new(FAX_WIDTH, rows, opts.resolution).map_err(|_| {
        Error::Limits(LimitKind::ImagePixels {
            width: FAX_WIDTH,
            height: rows,
        })
    })?;
    for (dy, src_row) in scaled.chunks_exact(dw).enumerate() {
        let y = (py0 + dy) as u32;
        if y >= rows {
            break;
        }
        let row = page.row_mut(y);
        let end = (px0 + dw).min(row.len());
        row[px0..end].copy_from_slice(&src_row[..end - px0]);
    }
    Ok(RenderedPage {
        index,
        page,
        paper: placement.paper,
        rotated: placement.rotated,
        warnings: Vec::new(),
        renderer: crate::PageRenderer::Picture,
    })
}

type Decoded = (Vec<u8>, usize, usize, Option<(f64, f64)>);

/// Decode to upright gray pixels, with the density if believable.
fn decode(bytes: &[u8], format: DocumentFormat, opts: &RasterOptions) -> Result<Decoded> {
    if format == DocumentFormat::Jpeg
        && let Some(bits) = crate::density::jpeg_precision(bytes)
        && bits != 8
    {
        return Err(Error::Unsupported {
            what: format!("{bits}-bit jpeg"),
        });
    }
    let mut decoder = reader(bytes, format, opts)
        .into_decoder()
        .map_err(map_image_error)?;
    check_size(decoder.dimensions(), opts)?;
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let mut img = DynamicImage::from_decoder(decoder).map_err(map_image_error)?;
    img.apply_orientation(orientation);
    let mut dpi = match format {
        DocumentFormat::Png => crate::density::png(bytes),
        _ => crate::density::jpeg(bytes),
    };
    if matches!(
        orientation,
        Orientation::Rotate90
            | Orientation::Rotate270
            | Orientation::Rotate90FlipH
            | Orientation::Rotate270FlipH
    ) {
        dpi = dpi.map(|(x, y)| (y, x));
    }
    let (w, h) = (img.width() as usize, img.height() as usize);
    let pixels = to_gray(img);
    Ok((pixels, w, h, dpi))
}

/// Gray over white with the crate's luma weights.
pub(crate) fn to_gray(img: DynamicImage) -> Vec<u8> {
    match img {
        DynamicImage::ImageLuma8(b) => b.into_raw(),
        DynamicImage::ImageLumaA8(b) => b
            .as_raw()
            .chunks_exact(2)
            .map(|p| gray::over_white(p[0], p[1]))
            .collect(),
        DynamicImage::ImageRgb8(b) => b
            .as_raw()
            .chunks_exact(3)
            .map(|p| gray::luma(p[0], p[1], p[2]))
            .collect(),
        DynamicImage::ImageLuma16(b) => b
            .as_raw()
            .iter()
            .map(|&v| ((u32::from(v) * 255 + 32_767) / 65_535) as u8)
            .collect(),
        other => {
            let rgba = other.into_rgba8();
            rgba.as_raw()
                .chunks_exact(4)
                .map(|p| gray::over_white(gray::luma(p[0], p[1], p[2]), p[3]))
                .collect()
        }
    }
}

/// Quarter turn counter-clockwise (the landscape convention of
/// [`crate::geometry`]): source (x, y) goes to (y, w - 1 - x).
fn rotate_ccw(src: &[u8], w: usize, h: usize) -> Vec<u8> {
    let mut out = vec![0u8; w * h];
    // Output is h wide and w tall.
    for (y, row) in src.chunks_exact(w).enumerate() {
        for (x, &v) in row.iter().enumerate() {
            out[(w - 1 - x) * h + y] = v;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ccw_turn_puts_the_top_on_the_left() {
        // 3 x 2: top row a b c, bottom row d e f.
        let src = [1, 2, 3, 4, 5, 6];
        // Turned: 2 x 3: c f / b e / a d.
        assert_eq!(rotate_ccw(&src, 3, 2), vec![3, 6, 2, 5, 1, 4]);
    }
}

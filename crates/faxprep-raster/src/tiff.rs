//! TIFF uploads, page by page. Bilevel fax pages are decoded by
//! faxprep-codec, then passed through when they already are fax pages of
//! the job's resolution, or turned upright (Orientation tag) and placed
//! like a picture otherwise. Colour and gray pages (LZW, Deflate, JPEG,
//! PackBits or uncompressed; strips or tiles) are decoded by the `image`
//! crate's TIFF decoder under the same limits as a PNG, turned to gray
//! with the same weights, and placed like a picture.
//!
//! `image`'s TIFF decoder reads the first directory of a file. Each other
//! page is shown to it through [`PageView`], the upload with its header's
//! first-directory offset pointing at that page, so no byte is copied and
//! every page is decoded alone.

use std::io::{self, BufRead, Cursor, Read, Seek, SeekFrom};
use std::panic::{AssertUnwindSafe, catch_unwind};

use faxprep_codec::tiff::{
    self as codec, OtherPage, ReadLimits, TiffPage, TiffPageInfo, decode_page, read_tiff_pages,
};
use faxprep_page::{FAX_WIDTH, GrayPage, MAX_DIMENSION};
use image::codecs::tiff::TiffDecoder;
use image::{DynamicImage, ImageDecoder};

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
            message: other.to_string().trim().to_owned(),
        },
    }
}

/// Read the pages' directories (no pixel is decoded).
pub(crate) fn pages(bytes: &[u8], opts: &RasterOptions) -> Result<Vec<TiffPage>> {
    let pages = read_tiff_pages(bytes, &read_limits(opts)).map_err(|e| map_error(e, opts))?;
    for page in &pages {
        let (width, height) = match page {
            TiffPage::Bilevel(p) => (p.width, p.height),
            TiffPage::Other(p) => (p.width, p.height),
            _ => (0, 0),
        };
        if u64::from(width) * u64::from(height) > opts.limits.max_image_pixels {
            return Err(Error::Limits(LimitKind::ImagePixels { width, height }));
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

/// Decode and lay out one page of the file.
pub(crate) fn render_page(
    bytes: &[u8],
    page: &TiffPage,
    opts: &RasterOptions,
) -> Result<RenderedPage> {
    match page {
        TiffPage::Bilevel(info) => render_bilevel(bytes, info, opts),
        TiffPage::Other(other) => render_other(bytes, other, opts),
        _ => Err(Error::Unsupported {
            what: format!("tiff page {}", page.index() + 1),
        }),
    }
}

fn render_bilevel(bytes: &[u8], info: &TiffPageInfo, opts: &RasterOptions) -> Result<RenderedPage> {
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
    let dpi = believable_dpi(info.x_dpi, info.y_dpi, info.orientation);
    picture::place_pixels(gray, w, h, dpi, opts, info.index)
}

/// The stated density as (across, down) of the upright page, when both
/// are believable (as for JPEG and PNG).
fn believable_dpi(x: Option<f64>, y: Option<f64>, orientation: u16) -> Option<(f64, f64)> {
    match (x, y) {
        (Some(x), Some(y)) if (50.0..=2400.0).contains(&x) && (50.0..=2400.0).contains(&y) => {
            Some(if orientation >= 5 { (y, x) } else { (x, y) })
        }
        _ => None,
    }
}

/// A colour or gray page: decoded by `image`'s TIFF decoder (a panic in
/// it is this page's error), to gray, upright, placed like a picture.
fn render_other(bytes: &[u8], page: &OtherPage, opts: &RasterOptions) -> Result<RenderedPage> {
    let decoded = catch_unwind(AssertUnwindSafe(|| decode_other(bytes, page, opts)))
        .map_err(|_| Error::RendererPanicked { page: page.index })??;
    let (w, h) = (page.width as usize, page.height as usize);
    let (gray, w, h) = upright(&decoded, w, h, page.orientation);
    drop(decoded);
    let dpi = believable_dpi(page.x_dpi, page.y_dpi, page.orientation);
    picture::place_pixels(gray, w, h, dpi, opts, page.index)
}

/// The page's pixels in stored order, as gray.
fn decode_other(bytes: &[u8], page: &OtherPage, opts: &RasterOptions) -> Result<Vec<u8>> {
    let view = || {
        PageView::new(bytes, page.ifd_offset).ok_or_else(|| Error::Image {
            message: "the tiff header is damaged".to_owned(),
        })
    };
    if page.photometric == Some(YCBCR) {
        return decode_ycbcr(view()?, page, opts);
    }
    let unsupported = |e: image::ImageError| match e {
        // Named as intake names it ("jpeg compression on page 2").
        image::ImageError::Unsupported(_) => Error::Unsupported {
            what: format!("tiff: {}", page.reason),
        },
        other => picture::map_image_error(other),
    };
    let mut decoder = TiffDecoder::new(view()?).map_err(unsupported)?;
    decoder
        .set_limits(picture::image_limits(opts))
        .map_err(picture::map_image_error)?;
    same_size(decoder.dimensions(), page)?;
    let img = DynamicImage::from_decoder(decoder).map_err(unsupported)?;
    Ok(picture::to_gray(img))
}

/// PhotometricInterpretation YCbCr.
const YCBCR: u16 = 6;

/// A JPEG-compressed YCbCr page (what scanners and `tiffcp -c jpeg`
/// write), which `image` does not convert: the `tiff` crate beneath it
/// decodes the JPEG data to Y, Cb and Cr, and Y is the page's gray (JPEG's
/// Y has the Rec. 601 weights this crate's gray uses).
fn decode_ycbcr(view: PageView<'_>, page: &OtherPage, opts: &RasterOptions) -> Result<Vec<u8>> {
    let damaged = |e: tiff::TiffError| match e {
        tiff::TiffError::LimitsExceeded => Error::Limits(LimitKind::DecodeMemory),
        tiff::TiffError::UnsupportedError(_) => Error::Unsupported {
            what: format!("tiff: {}", page.reason),
        },
        other => Error::Image {
            message: other.to_string().trim().to_lowercase(),
        },
    };
    let budget = usize::try_from(opts.limits.max_decode_bytes).unwrap_or(usize::MAX);
    let mut limits = tiff::decoder::Limits::default();
    limits.decoding_buffer_size = budget;
    limits.intermediate_buffer_size = budget;
    let mut decoder = tiff::decoder::Decoder::new(view)
        .map_err(damaged)?
        .with_limits(limits);
    same_size(decoder.dimensions().map_err(damaged)?, page)?;
    // Intake reads only chunky YCbCr JPEG pages (Y, Cb, Cr interleaved).
    if decoder.colortype().map_err(damaged)? != tiff::ColorType::YCbCr(8) || page.planar != 1 {
        return Err(Error::Unsupported {
            what: format!("tiff: {}", page.reason),
        });
    }
    let pixels = page.width as usize * page.height as usize;
    match decoder.read_image().map_err(damaged)? {
        tiff::decoder::DecodingResult::U8(ycc) if ycc.len() >= 3 * pixels => {
            Ok(ycc.chunks_exact(3).take(pixels).map(|p| p[0]).collect())
        }
        _ => Err(Error::Image {
            message: format!(
                "page {} decodes to fewer pixels than it has",
                page.index + 1
            ),
        }),
    }
}

fn same_size(decoded: (u32, u32), page: &OtherPage) -> Result<()> {
    if decoded == (page.width, page.height) {
        Ok(())
    } else {
        Err(Error::Image {
            message: format!("page {} changes size while it is read", page.index + 1),
        })
    }
}

/// The upload as `image`'s TIFF decoder should see it to read one page:
/// the same bytes, but the header's first-directory offset (bytes 4-7, in
/// the file's byte order) is the page's directory.
struct PageView<'a> {
    head: [u8; 8],
    bytes: &'a [u8],
    pos: u64,
}

impl<'a> PageView<'a> {
    /// `None` when the file is shorter than a header, is not a classic
    /// TIFF or the offset does not fit one.
    fn new(bytes: &'a [u8], ifd_offset: u64) -> Option<PageView<'a>> {
        let mut head: [u8; 8] = bytes.get(..8)?.try_into().ok()?;
        let offset = u32::try_from(ifd_offset).ok()?;
        let first = match &head[..2] {
            b"II" => offset.to_le_bytes(),
            b"MM" => offset.to_be_bytes(),
            _ => return None,
        };
        head[4..].copy_from_slice(&first);
        Some(PageView {
            head,
            bytes,
            pos: 0,
        })
    }
}

impl BufRead for PageView<'_> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        Ok(match usize::try_from(self.pos) {
            Ok(p) if p < 8 => &self.head[p..],
            Ok(p) => self.bytes.get(p..).unwrap_or_default(),
            Err(_) => &[],
        })
    }

    fn consume(&mut self, amount: usize) {
        self.pos = self.pos.saturating_add(amount as u64);
    }
}

impl Read for PageView<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let src = self.fill_buf()?;
        let n = src.len().min(buf.len());
        buf[..n].copy_from_slice(&src[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl Seek for PageView<'_> {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        // The same arithmetic and errors as a cursor over the bytes.
        let mut cursor = Cursor::new(self.bytes);
        cursor.set_position(self.pos);
        self.pos = cursor.seek(to)?;
        Ok(self.pos)
    }
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

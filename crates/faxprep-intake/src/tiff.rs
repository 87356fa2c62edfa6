//! TIFF uploads, when [`Limits::accept_tiff`] turns them on. Bilevel fax
//! pages are read and test-decoded by faxprep-codec under the upload's
//! caps. Colour and gray pages are checked by their directories only (as
//! JPEG and PNG are by their headers): sides, pixels, the bytes their
//! samples decode to, and a compression the raster stage's decoder
//! reads.

use faxprep_codec::tiff::{
    self as codec, Limit, OtherPage, ReadLimits, TiffPage, Unsupported, decode_page,
    read_tiff_pages, tags,
};
use faxprep_page::{BitPage, DocumentFormat, MAX_DIMENSION};

use crate::limits::{check_ratio, fax_page_pixels};
use crate::{Document, Error, LimitKind, Limits, Result};

/// What the codec may read of an upload under `limits`: pages as the
/// document cap, sides as the page types allow (pixels are checked here,
/// against [`Limits::max_image_pixels`]); compressed bytes are bounded by
/// the upload size already.
pub(crate) fn read_limits(limits: &Limits) -> ReadLimits {
    let mut read = ReadLimits::unlimited();
    read.max_pages = limits.max_pages;
    read.max_width = MAX_DIMENSION;
    read.max_height = MAX_DIMENSION;
    read
}

/// Preflight a TIFF upload: every directory read, every page's declared
/// size checked against `limits`, then every page decoded once (one at a
/// time) so a damaged file is rejected here rather than half-rendered.
pub(crate) fn preflight(bytes: &[u8], limits: &Limits) -> Result<Document> {
    let pages = read_tiff_pages(bytes, &read_limits(limits)).map_err(|e| map_error(e, limits))?;
    let mut total: u64 = 0;
    for page in &pages {
        let decoded = match page {
            TiffPage::Bilevel(info) => {
                check_page(info.width, info.height, info.x_dpi, info.y_dpi, limits)?;
                BitPage::stride_for(info.width) as u64 * u64::from(info.height)
            }
            TiffPage::Other(other) => {
                check_page(other.width, other.height, other.x_dpi, other.y_dpi, limits)?;
                check_other(other)?;
                other_bytes(other)
            }
            _ => 0,
        };
        if decoded > limits.max_decompressed_bytes {
            return Err(Error::Limits {
                which: LimitKind::DecompressedBytes,
                limit: limits.max_decompressed_bytes,
                actual: decoded,
            });
        }
        total = total.saturating_add(decoded);
        if total > limits.max_total_decompressed_bytes {
            return Err(Error::Limits {
                which: LimitKind::TotalDecompressedBytes,
                limit: limits.max_total_decompressed_bytes,
                actual: total,
            });
        }
    }
    check_ratio(total, bytes.len() as u64, limits)?;
    for page in &pages {
        if let TiffPage::Bilevel(info) = page {
            decode_page(bytes, info).map_err(|e| map_error(e, limits))?;
        }
    }
    let mut doc = Document::new(DocumentFormat::Tiff);
    doc.pages = u32::try_from(pages.len()).unwrap_or(u32::MAX);
    Ok(doc)
}

/// Compressions the raster stage's decoders (the `image` crate's TIFF
/// decoder and the `tiff` crate beneath it) read on colour and gray
/// pages: none, LZW, JPEG, Deflate (both codes) and PackBits.
const OTHER_COMPRESSIONS: [u16; 6] = [1, 5, 7, 8, 32946, 32773];

/// Refuse, by name, a colour or gray page whose compression, colour model
/// or samples the raster stage cannot read. What it reads: gray (1, 8 or
/// 16 bits, with or without alpha), RGB and RGBA (8 or 16 bits), CMYK (8
/// or 16 bits) and JPEG-compressed YCbCr (8 bits).
fn check_other(page: &OtherPage) -> Result<()> {
    let refuse = |tag: u16, value: u16| {
        Err(Error::Unsupported {
            format: DocumentFormat::Tiff,
            feature: unsupported_feature(&Unsupported::Field {
                page: page.index,
                tag,
                value: u64::from(value),
            }),
        })
    };
    if matches!(page.compression, 2..=4) {
        // CCITT data the codec refused (more bits, uncompressed mode).
        return Err(Error::Unsupported {
            format: DocumentFormat::Tiff,
            feature: unsupported_feature(&page.reason),
        });
    }
    if !OTHER_COMPRESSIONS.contains(&page.compression) {
        return refuse(tags::COMPRESSION, page.compression);
    }
    let Some(photometric) = page.photometric else {
        return Err(Error::Damaged {
            format: DocumentFormat::Tiff,
            reason: format!(
                "page {} of colour or gray samples does not say how to read them",
                page.index + 1
            ),
        });
    };
    let (spp, bps) = (page.samples_per_pixel, page.bits_per_sample);
    let samples_ok = match photometric {
        0 | 1 => matches!((spp, bps), (1, 1 | 8 | 16) | (2, 8 | 16)),
        2 => matches!((spp, bps), (3 | 4, 8 | 16)),
        5 => matches!((spp, bps), (4, 8 | 16)),
        // Planar YCbCr JPEG, which libtiff's own RGBA reader refuses too,
        // is not read.
        6 => page.compression == 7 && (spp, bps) == (3, 8) && page.planar == 1,
        _ => return refuse(tags::PHOTOMETRIC, photometric),
    };
    if !samples_ok {
        return if bps != 8 {
            refuse(tags::BITS_PER_SAMPLE, bps)
        } else if photometric == 6 && page.planar != 1 {
            refuse(tags::PLANAR_CONFIGURATION, page.planar)
        } else if photometric == 6 {
            refuse(tags::PHOTOMETRIC, photometric)
        } else {
            refuse(tags::SAMPLES_PER_PIXEL, spp)
        };
    }
    Ok(())
}

/// Bytes a colour or gray page's samples decode to, before any
/// conversion.
fn other_bytes(page: &OtherPage) -> u64 {
    let bits_per_row =
        u64::from(page.width) * u64::from(page.samples_per_pixel) * u64::from(page.bits_per_sample);
    bits_per_row.div_ceil(8) * u64::from(page.height)
}

fn check_page(
    width: u32,
    height: u32,
    x_dpi: Option<f64>,
    y_dpi: Option<f64>,
    limits: &Limits,
) -> Result<()> {
    let pixels = u64::from(width) * u64::from(height);
    if pixels > limits.max_image_pixels {
        return Err(Error::Limits {
            which: LimitKind::ImagePixels,
            limit: limits.max_image_pixels,
            actual: pixels,
        });
    }
    // The page as shown: pixels divided by their density on each axis
    // (square pixels when the file does not say).
    let (w, h) = match (x_dpi, y_dpi) {
        (Some(x), Some(y)) if x > 0.0 && y > 0.0 => (f64::from(width) / x, f64::from(height) / y),
        _ => (f64::from(width), f64::from(height)),
    };
    let page_pixels = fax_page_pixels(w, h);
    if page_pixels > limits.max_page_pixels {
        return Err(Error::Limits {
            which: LimitKind::PagePixels,
            limit: limits.max_page_pixels,
            actual: page_pixels,
        });
    }
    Ok(())
}

/// The codec's error as intake's: a malformed file or one that does not
/// decode is damaged, a feature the codec does not read is unsupported
/// (named for the user), a cap is the matching limit.
fn map_error(e: codec::Error, limits: &Limits) -> Error {
    match e {
        codec::Error::Format(f) => Error::Damaged {
            format: DocumentFormat::Tiff,
            reason: f.to_string(),
        },
        codec::Error::Codec { page, source } => Error::Damaged {
            format: DocumentFormat::Tiff,
            reason: format!("page {} does not decode: {source}", page + 1),
        },
        codec::Error::Unsupported(u) => Error::Unsupported {
            format: DocumentFormat::Tiff,
            feature: unsupported_feature(&u),
        },
        codec::Error::Limits { limit, value, max } => match limit {
            Limit::Pages => Error::Limits {
                which: LimitKind::Pages,
                limit: u64::from(limits.max_pages),
                actual: value,
            },
            _ => Error::Limits {
                which: LimitKind::ImagePixels,
                limit: max,
                actual: value,
            },
        },
        other => Error::Damaged {
            format: DocumentFormat::Tiff,
            reason: other.to_string(),
        },
    }
}

/// A user's name for what the codec does not read.
pub(crate) fn unsupported_feature(u: &Unsupported) -> String {
    match u {
        Unsupported::BigTiff => "bigtiff".to_owned(),
        Unsupported::Field { page, tag, value } => {
            let what = match (*tag, *value) {
                (tags::COMPRESSION, 2) => "ccitt rle (compression 2)".to_owned(),
                (tags::COMPRESSION, 5) => "lzw compression".to_owned(),
                (tags::COMPRESSION, 6) => "old-style jpeg compression (6)".to_owned(),
                (tags::COMPRESSION, 7) => "jpeg compression".to_owned(),
                (tags::COMPRESSION, 8 | 32946) => "deflate compression".to_owned(),
                (tags::COMPRESSION, 9 | 10 | 34661) => "jbig compression".to_owned(),
                (tags::COMPRESSION, 32773) => "packbits compression".to_owned(),
                (tags::COMPRESSION, v) => format!("compression {v}"),
                (tags::BITS_PER_SAMPLE, v) => format!("{v} bits per sample"),
                (tags::SAMPLES_PER_PIXEL, v) => format!("{v} samples per pixel"),
                (tags::PHOTOMETRIC, 3) => "palette colour".to_owned(),
                (tags::PHOTOMETRIC, 4) => "transparency masks".to_owned(),
                (tags::PHOTOMETRIC, 6) => "ycbcr colour without jpeg compression".to_owned(),
                (tags::PHOTOMETRIC, 8..=10) => "lab colour".to_owned(),
                (tags::PHOTOMETRIC, v) => format!("photometric interpretation {v}"),
                (tags::TILE_WIDTH, _) => "tiled pages".to_owned(),
                (tags::PLANAR_CONFIGURATION, _) => "ycbcr jpeg in separate planes".to_owned(),
                (t, v) => format!("{} {v}", tags::tag_name(t).to_lowercase()),
            };
            format!("{what} on page {}", page + 1)
        }
        other => other.to_string(),
    }
}

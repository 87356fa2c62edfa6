//! TIFF uploads, when [`Limits::accept_tiff`] turns them on: bilevel fax
//! TIFFs, read and test-decoded by faxprep-codec under the upload's caps.

use faxprep_codec::tiff::{
    self as codec, Limit, ReadLimits, TiffPageInfo, Unsupported, decode_page, read_tiff, tags,
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
    let pages = read_tiff(bytes, &read_limits(limits)).map_err(|e| map_error(e, limits))?;
    let mut total: u64 = 0;
    for info in &pages {
        check_page(info, limits)?;
        let decoded = BitPage::stride_for(info.width) as u64 * u64::from(info.height);
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
    for info in &pages {
        decode_page(bytes, info).map_err(|e| map_error(e, limits))?;
    }
    let mut doc = Document::new(DocumentFormat::Tiff);
    doc.pages = u32::try_from(pages.len()).unwrap_or(u32::MAX);
    Ok(doc)
}

fn check_page(info: &TiffPageInfo, limits: &Limits) -> Result<()> {
    let pixels = u64::from(info.width) * u64::from(info.height);
    if pixels > limits.max_image_pixels {
        return Err(Error::Limits {
            which: LimitKind::ImagePixels,
            limit: limits.max_image_pixels,
            actual: pixels,
        });
    }
    // The page as shown: pixels divided by their density on each axis
    // (square pixels when the file does not say).
    let (w, h) = match (info.x_dpi, info.y_dpi) {
        (Some(x), Some(y)) if x > 0.0 && y > 0.0 => {
            (f64::from(info.width) / x, f64::from(info.height) / y)
        }
        _ => (f64::from(info.width), f64::from(info.height)),
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
                (tags::COMPRESSION, 6 | 7) => "jpeg compression".to_owned(),
                (tags::COMPRESSION, 8 | 32946) => "deflate compression".to_owned(),
                (tags::COMPRESSION, 9 | 10 | 34661) => "jbig compression".to_owned(),
                (tags::COMPRESSION, 32773) => "packbits compression".to_owned(),
                (tags::COMPRESSION, v) => format!("compression {v}"),
                (tags::BITS_PER_SAMPLE | tags::SAMPLES_PER_PIXEL, _) => {
                    "colour or gray pages (only black-and-white fax tiffs are read)".to_owned()
                }
                (tags::PHOTOMETRIC, _) => {
                    "colour pages (only black-and-white fax tiffs are read)".to_owned()
                }
                (tags::TILE_WIDTH, _) => "tiled pages".to_owned(),
                (t, v) => format!("{} {v}", tags::tag_name(t).to_lowercase()),
            };
            format!("{what} on page {}", page + 1)
        }
        other => other.to_string(),
    }
}

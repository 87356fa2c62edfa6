//! Decoding a page's strips into a [`BitPage`].

use faxprep_page::BitPage;

use super::error::{Error, FormatError, Result};
use super::reader::{ReadLimits, TiffCompression, TiffPageInfo, read_tiff};
use super::{FillOrder, Photometric};
use crate::ccitt;

/// Decode every page of a TIFF (see [`read_tiff`] for what is accepted).
///
/// All pages are held at once; to decode one page at a time (a long fax
/// into a preview), call [`read_tiff`] and then [`decode_page`] per page.
pub fn decode_tiff(data: &[u8], limits: &ReadLimits) -> Result<Vec<BitPage>> {
    read_tiff(data, limits)?
        .iter()
        .map(|info| decode_page(data, info))
        .collect()
}

/// Decode one page that [`read_tiff`] returned for the same `data`.
///
/// Pixels come out in stored order (the Orientation tag is reported in
/// [`TiffPageInfo::orientation`], not applied) with 1 = black whatever the
/// file's PhotometricInterpretation. Each strip is decoded on its own, as
/// TIFF 6.0 §11 asks: a G3 2-D or G4 strip starts from a white reference
/// row. On error nothing is returned: a fax page with a hole is not a page
/// we would send on.
///
/// Panics if `info` was not read from `data` (its strip ranges would lie
/// outside).
pub fn decode_page(data: &[u8], info: &TiffPageInfo) -> Result<BitPage> {
    let stride = BitPage::stride_for(info.width);
    // Grown strip by strip as rows are actually decoded, not reserved from
    // the declared size: a hostile header with a tiny strip costs nothing.
    // read_tiff checked width * height against the caps, which bound it.
    let mut pixels = Vec::new();
    let mut y = 0u32;
    for (i, strip) in info.strip_data(data).enumerate() {
        if y >= info.height {
            // Extra strips past ImageLength are ignored, as libtiff does.
            break;
        }
        let rows = info.rows_per_strip.min(info.height - y);
        let reversed;
        let strip = match info.fill_order {
            FillOrder::MsbFirst => strip,
            // FillOrder 2: the first pixel (or code bit) is the least
            // significant bit of each byte (TIFF 6.0 §8).
            FillOrder::LsbFirst => {
                reversed = strip.iter().map(|b| b.reverse_bits()).collect::<Vec<u8>>();
                &reversed[..]
            }
        };
        let needed = rows as usize * stride;
        match info.compression {
            TiffCompression::None => {
                if strip.len() < needed {
                    return Err(FormatError::ShortStrip {
                        page: info.index,
                        strip: i as u32,
                        needed: needed as u64,
                        actual: strip.len() as u64,
                    }
                    .into());
                }
                pixels.extend_from_slice(&strip[..needed]);
            }
            TiffCompression::G3 { .. } | TiffCompression::G4 => {
                let decoded = decode_strip(strip, info, rows)?;
                pixels.extend_from_slice(decoded.data());
            }
        }
        y += rows;
    }
    if info.photometric == Photometric::BlackIsZero {
        pixels.iter_mut().for_each(|b| *b = !*b);
    }
    // from_packed clears the padding bits the inversion set.
    BitPage::from_packed(info.width, info.height, info.resolution, pixels).map_err(|_| {
        // Unreachable after read_tiff's checks; reported, not panicked.
        FormatError::BadValue {
            page: info.index,
            tag: super::tags::IMAGE_LENGTH,
            value: u64::from(info.height),
        }
        .into()
    })
}

/// Decode one CCITT strip of exactly `rows` rows.
fn decode_strip(strip: &[u8], info: &TiffPageInfo, rows: u32) -> Result<BitPage> {
    let (compression, align_eol) = match info.compression {
        TiffCompression::G3 {
            two_d: false,
            fill_bits,
        } => (ccitt::Compression::G3OneD, fill_bits),
        TiffCompression::G3 {
            two_d: true,
            fill_bits,
        } => (ccitt::Compression::G3TwoD, fill_bits),
        _ => (ccitt::Compression::G4, false),
    };
    let options = ccitt::DecodeOptions {
        compression,
        width: info.width,
        max_rows: rows,
        rows: Some(rows),
        align_eol,
        resolution: info.resolution,
    };
    ccitt::decode(strip, &options).map_err(|source| Error::Codec {
        page: info.index,
        source,
    })
}

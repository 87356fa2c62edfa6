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
/// row. Strict: any damage is an error and nothing is returned, since a fax
/// page with a hole is not a page to send on; [`decode_page_lenient`]
/// salvages what it can for a preview.
pub fn decode_page(data: &[u8], info: &TiffPageInfo) -> Result<BitPage> {
    decode(data, info, false).map(|(page, _)| page)
}

/// What [`decode_page_lenient`] salvaged.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SalvagedPage {
    /// The page at its declared size: rows decoded before damage exact, the
    /// rest as the CCITT decoder's partial-result policy leaves them
    /// ([`ccitt::decode_lenient`]), missing rows white.
    pub page: BitPage,
    /// One entry per damaged strip, in order.
    pub damage: Vec<StripDamage>,
}

/// A strip whose CCITT data did not decode cleanly.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct StripDamage {
    /// Strip index, from 0.
    pub strip: u32,
    /// The page row the strip starts at.
    pub first_row: u32,
    /// The first error the decoder met in it.
    pub error: ccitt::Error,
}

/// Like [`decode_page`], but a damaged CCITT strip (bad code words, a
/// premature end, rows too long) is salvaged instead of failing the page:
/// fax files from the line often end in junk. Errors in the container
/// (strips outside the file, an uncompressed strip too short) still fail.
pub fn decode_page_lenient(data: &[u8], info: &TiffPageInfo) -> Result<SalvagedPage> {
    decode(data, info, true).map(|(page, damage)| SalvagedPage { page, damage })
}

fn decode(data: &[u8], info: &TiffPageInfo, lenient: bool) -> Result<(BitPage, Vec<StripDamage>)> {
    let stride = BitPage::stride_for(info.width);
    // Grown strip by strip as rows are actually decoded, not reserved from
    // the declared size: a hostile header with a tiny strip costs nothing.
    // read_tiff checked width * height against the caps, which bound it.
    let mut pixels = Vec::new();
    let mut damage = Vec::new();
    let mut y = 0u32;
    for (i, range) in info.strips.iter().enumerate() {
        if y >= info.height {
            // Extra strips past ImageLength are ignored, as libtiff does.
            break;
        }
        let i = i as u32;
        // `info` may come from another file: check instead of panicking.
        let strip = data
            .get(range.clone())
            .ok_or(FormatError::StripOutOfBounds {
                page: info.index,
                strip: i,
                offset: range.start as u64,
                len: range.len() as u64,
                file_len: data.len() as u64,
            })?;
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
                let Some(rows_data) = strip.get(..needed) else {
                    return Err(FormatError::ShortStrip {
                        page: info.index,
                        strip: i,
                        needed: needed as u64,
                        actual: strip.len() as u64,
                    }
                    .into());
                };
                pixels.extend_from_slice(rows_data);
            }
            TiffCompression::G3 { .. } | TiffCompression::G4 => {
                let options = ccitt_options(info, rows);
                let codec_err = |source| Error::Codec {
                    page: info.index,
                    source,
                };
                let decoded = if lenient {
                    let partial = ccitt::decode_lenient(strip, &options).map_err(codec_err)?;
                    if let Some(error) = partial.error {
                        damage.push(StripDamage {
                            strip: i,
                            first_row: y,
                            error,
                        });
                    }
                    partial.page
                } else {
                    ccitt::decode(strip, &options).map_err(codec_err)?
                };
                pixels.extend_from_slice(decoded.data());
            }
        }
        y += rows;
    }
    if info.photometric == Photometric::BlackIsZero {
        pixels.iter_mut().for_each(|b| *b = !*b);
    }
    // from_packed clears the padding bits the inversion set.
    let page =
        BitPage::from_packed(info.width, info.height, info.resolution, pixels).map_err(|_| {
            // Only if `info` was built by hand with a bad size; read_tiff
            // checked the caps and the strip count.
            Error::from(FormatError::BadValue {
                page: info.index,
                tag: super::tags::IMAGE_LENGTH,
                value: u64::from(info.height),
            })
        })?;
    Ok((page, damage))
}

/// Decoder options for one CCITT strip of exactly `rows` rows.
fn ccitt_options(info: &TiffPageInfo, rows: u32) -> ccitt::DecodeOptions {
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
    ccitt::DecodeOptions {
        compression,
        width: info.width,
        max_rows: rows,
        rows: Some(rows),
        align_eol,
        resolution: info.resolution,
    }
}

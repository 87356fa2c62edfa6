//! PNG preflight: chunk structure, CRCs, IHDR limits, and a bounded test
//! inflation of the image data (PNG spec, ISO/IEC 15948 / W3C PNG 3rd ed.).
//!
//! Checking chunk CRCs and inflating IDAT into a small scratch buffer is
//! what rejects a corrupt or cut-short PNG cheaply: the inflater never
//! holds more than 64 KiB and stops once the expected number of filtered
//! bytes has come out, so the work is bounded by the IHDR size the pixel
//! limit already allowed.

use crate::document::{ColorType, Document, ImageInfo, Warning};
use crate::error::{Error, LimitKind};
use crate::limits::{Limits, check_ratio};
use crate::{Result, exif};
use faxprep_page::DocumentFormat;
use flate2::{Decompress, FlushDecompress, Status};

fn damaged(reason: impl Into<String>) -> Error {
    Error::Damaged {
        format: DocumentFormat::Png,
        reason: reason.into(),
    }
}

struct Ihdr {
    width: u32,
    height: u32,
    bit_depth: u8,
    color_type: u8,
    interlaced: bool,
}

impl Ihdr {
    fn parse(data: &[u8]) -> Result<Ihdr> {
        if data.len() != 13 {
            return Err(damaged("the IHDR chunk has the wrong length"));
        }
        let width = u32::from_be_bytes([data[0], data[1], data[2], data[3]]);
        let height = u32::from_be_bytes([data[4], data[5], data[6], data[7]]);
        let (bit_depth, color_type) = (data[8], data[9]);
        // §11.2.1: dimensions 1..=2^31-1; allowed depth per colour type.
        if width == 0 || height == 0 || width > i32::MAX as u32 || height > i32::MAX as u32 {
            return Err(damaged(format!("invalid dimensions {width} x {height}")));
        }
        let depth_ok = match color_type {
            0 => matches!(bit_depth, 1 | 2 | 4 | 8 | 16),
            3 => matches!(bit_depth, 1 | 2 | 4 | 8),
            2 | 4 | 6 => matches!(bit_depth, 8 | 16),
            _ => false,
        };
        if !depth_ok {
            return Err(damaged(format!(
                "invalid colour type {color_type} with bit depth {bit_depth}"
            )));
        }
        if data[10] != 0 || data[11] != 0 || data[12] > 1 {
            return Err(damaged("unknown compression, filter or interlace method"));
        }
        Ok(Ihdr {
            width,
            height,
            bit_depth,
            color_type,
            interlaced: data[12] == 1,
        })
    }

    fn channels(&self) -> u64 {
        match self.color_type {
            2 => 3,
            4 => 2,
            6 => 4,
            _ => 1,
        }
    }

    /// Bytes of filtered scanlines the IDAT stream must inflate to
    /// (§7.2 / §8.2: one filter byte per row, per Adam7 pass).
    fn raw_size(&self) -> u64 {
        let bits = self.channels() * u64::from(self.bit_depth);
        let (w, h) = (u64::from(self.width), u64::from(self.height));
        let rows = |pw: u64, ph: u64| {
            if pw == 0 || ph == 0 {
                0
            } else {
                ph * (1 + (pw * bits).div_ceil(8))
            }
        };
        if !self.interlaced {
            return rows(w, h);
        }
        // Adam7 passes: (x0, y0, dx, dy).
        const PASSES: [(u64, u64, u64, u64); 7] = [
            (0, 0, 8, 8),
            (4, 0, 8, 8),
            (0, 4, 4, 8),
            (2, 0, 4, 4),
            (0, 2, 2, 4),
            (1, 0, 2, 2),
            (0, 1, 1, 2),
        ];
        PASSES
            .iter()
            .map(|&(x0, y0, dx, dy)| {
                rows(
                    w.saturating_sub(x0).div_ceil(dx),
                    h.saturating_sub(y0).div_ceil(dy),
                )
            })
            .sum()
    }
}

/// Preflight a PNG whose signature was checked.
pub(crate) fn preflight(bytes: &[u8], limits: &Limits) -> Result<Document> {
    let mut ihdr: Option<Ihdr> = None;
    let mut info_orientation: Option<u32> = None;
    let mut dpi = None;
    let mut has_trns = false;
    let mut has_plte = false;
    let mut idat_state = IdatState::NotSeen;
    let mut inflater: Option<IdatInflater> = None;
    let mut pos = 8usize;
    let mut seen_iend = false;

    while pos < bytes.len() {
        let header = bytes
            .get(pos..pos + 8)
            .ok_or_else(|| damaged("the file is cut short"))?;
        let len = u32::from_be_bytes([header[0], header[1], header[2], header[3]]);
        let kind: [u8; 4] = [header[4], header[5], header[6], header[7]];
        if len > i32::MAX as u32 || !kind.iter().all(u8::is_ascii_alphabetic) {
            return Err(damaged("a chunk header is corrupt"));
        }
        let data_start = pos + 8;
        let data_end = data_start
            .checked_add(len as usize)
            .ok_or_else(|| damaged("a chunk is too long"))?;
        let crc_bytes = bytes
            .get(data_end..data_end + 4)
            .ok_or_else(|| damaged("the file is cut short"))?;
        let data = &bytes[data_start..data_end];
        let mut crc = flate2::Crc::new();
        crc.update(&kind);
        crc.update(data);
        if crc.sum() != u32::from_be_bytes([crc_bytes[0], crc_bytes[1], crc_bytes[2], crc_bytes[3]])
        {
            return Err(damaged(format!(
                "the {} chunk is corrupt (CRC mismatch)",
                String::from_utf8_lossy(&kind)
            )));
        }
        pos = data_end + 4;

        if ihdr.is_none() && &kind != b"IHDR" {
            return Err(damaged("the first chunk is not IHDR"));
        }
        if idat_state == IdatState::Inside && &kind != b"IDAT" {
            idat_state = IdatState::Done;
        }
        match &kind {
            b"IHDR" => {
                if ihdr.is_some() {
                    return Err(damaged("more than one IHDR chunk"));
                }
                let h = Ihdr::parse(data)?;
                check_pixels(&h, limits)?;
                let raw = h.raw_size();
                if raw > limits.max_decompressed_bytes {
                    return Err(Error::Limits {
                        which: LimitKind::DecompressedBytes,
                        limit: limits.max_decompressed_bytes,
                        actual: raw,
                    });
                }
                check_ratio(raw, bytes.len() as u64, limits)?;
                inflater = Some(IdatInflater::new(raw));
                ihdr = Some(h);
            }
            b"PLTE" => has_plte = true,
            b"tRNS" => has_trns = true,
            b"IDAT" => {
                if idat_state == IdatState::Done {
                    return Err(damaged("IDAT chunks are not consecutive"));
                }
                idat_state = IdatState::Inside;
                if let Some(inf) = inflater.as_mut() {
                    inf.feed(data)?;
                }
            }
            b"IEND" => {
                seen_iend = true;
                break;
            }
            b"pHYs" if data.len() == 9 && data[8] == 1 => {
                let ppm_x = u32::from_be_bytes([data[0], data[1], data[2], data[3]]);
                let ppm_y = u32::from_be_bytes([data[4], data[5], data[6], data[7]]);
                dpi = Some((f64::from(ppm_x) * 0.0254, f64::from(ppm_y) * 0.0254));
            }
            b"eXIf" => info_orientation = info_orientation.or_else(|| exif::orientation(data)),
            b"tEXt" => {
                if let Some(text) = raw_exif_profile(data) {
                    let decoded = exif::decode_raw_profile(text, 64 * 1024);
                    info_orientation =
                        info_orientation.or_else(|| decoded.and_then(|d| exif::orientation(&d)));
                }
            }
            b"zTXt" | b"iCCP" | b"iTXt" => {
                let inflated = inflate_metadata(&kind, data, limits.max_metadata_bytes)?;
                if let Some(text) = inflated.as_deref().and_then(raw_exif_profile_body(data)) {
                    let decoded = exif::decode_raw_profile(text, 64 * 1024);
                    info_orientation =
                        info_orientation.or_else(|| decoded.and_then(|d| exif::orientation(&d)));
                }
            }
            _ => {}
        }
    }

    let ihdr = ihdr.ok_or_else(|| damaged("no IHDR chunk"))?;
    if idat_state == IdatState::NotSeen {
        return Err(damaged(if seen_iend {
            "no image data (IDAT)"
        } else {
            "the file is cut short"
        }));
    }
    if ihdr.color_type == 3 && !has_plte {
        return Err(damaged("a palette image without a palette"));
    }
    if let Some(inf) = inflater {
        inf.finish()?;
    }
    // A missing IEND after complete image data (the inflater checked) is
    // accepted, as decoders accept it.

    let mut doc = Document::new(DocumentFormat::Png);
    let orientation = match info_orientation {
        Some(v @ 1..=8) => v as u8,
        Some(v) => {
            doc.warnings.push(Warning::InvalidOrientation { value: v });
            1
        }
        None => 1,
    };
    let color = match ihdr.color_type {
        0 => ColorType::Gray,
        2 => ColorType::Rgb,
        3 => ColorType::Palette,
        4 => ColorType::GrayAlpha,
        _ => ColorType::Rgba,
    };
    let info = ImageInfo {
        width: ihdr.width,
        height: ihdr.height,
        orientation,
        color,
        bit_depth: ihdr.bit_depth,
        has_alpha: matches!(ihdr.color_type, 4 | 6) || has_trns,
        interlaced: ihdr.interlaced,
        dpi,
    };
    crate::check_image_page(&info, limits)?;
    doc.pages = 1;
    doc.image = Some(info);
    Ok(doc)
}

fn check_pixels(h: &Ihdr, limits: &Limits) -> Result<()> {
    let pixels = u64::from(h.width) * u64::from(h.height);
    if pixels > limits.max_image_pixels {
        return Err(Error::Limits {
            which: LimitKind::ImagePixels,
            limit: limits.max_image_pixels,
            actual: pixels,
        });
    }
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum IdatState {
    NotSeen,
    Inside,
    Done,
}

/// The keyword ImageMagick uses for EXIF in text chunks.
fn is_exif_keyword(keyword: &[u8]) -> bool {
    keyword.eq_ignore_ascii_case(b"Raw profile type exif")
        || keyword.eq_ignore_ascii_case(b"Raw profile type APP1")
}

/// The text of a tEXt chunk holding a raw EXIF profile.
fn raw_exif_profile(data: &[u8]) -> Option<&[u8]> {
    let nul = data.iter().position(|&b| b == 0)?;
    is_exif_keyword(&data[..nul]).then(|| &data[nul + 1..])
}

/// For zTXt / iTXt: a filter that keeps the inflated text when the
/// chunk's keyword names a raw EXIF profile.
fn raw_exif_profile_body(data: &[u8]) -> impl Fn(&[u8]) -> Option<&[u8]> + '_ {
    move |inflated| {
        let nul = data.iter().position(|&b| b == 0)?;
        is_exif_keyword(&data[..nul]).then_some(inflated)
    }
}

/// Inflate a compressed metadata chunk, failing with
/// [`LimitKind::MetadataBytes`] past `cap` bytes. Returns the text for
/// zTXt and compressed iTXt (`None` for iCCP and uncompressed iTXt).
/// Corrupt compressed data is ignored, as decoders ignore bad ancillary
/// chunks.
fn inflate_metadata(kind: &[u8; 4], data: &[u8], cap: u64) -> Result<Option<Vec<u8>>> {
    let Some(nul) = data.iter().position(|&b| b == 0) else {
        return Ok(None);
    };
    let rest = &data[nul + 1..];
    let compressed = match kind {
        // keyword \0 method compressed
        b"zTXt" | b"iCCP" => rest.get(1..),
        // keyword \0 flag method language \0 translated \0 text
        _ => {
            if rest.first() != Some(&1) {
                return Ok(None);
            }
            let after = rest.get(2..).unwrap_or_default();
            let lang_end = after.iter().position(|&b| b == 0).map(|p| p + 1);
            let after = lang_end.and_then(|p| after.get(p..)).unwrap_or_default();
            let trans_end = after.iter().position(|&b| b == 0).map(|p| p + 1);
            trans_end.and_then(|p| after.get(p..))
        }
    };
    let Some(compressed) = compressed else {
        return Ok(None);
    };
    // Keep what we may need (EXIF text is small); count the rest.
    let keep = kind != b"iCCP";
    let mut out = Vec::new();
    let mut z = Decompress::new(true);
    let mut scratch = vec![0u8; 64 * 1024];
    let mut input = compressed;
    loop {
        let before_in = z.total_in();
        let before_out = z.total_out();
        let status = match z.decompress(input, &mut scratch, FlushDecompress::None) {
            Ok(s) => s,
            Err(_) => return Ok(None),
        };
        let consumed = (z.total_in() - before_in) as usize;
        let produced = (z.total_out() - before_out) as usize;
        input = &input[consumed..];
        if z.total_out() > cap {
            return Err(Error::Limits {
                which: LimitKind::MetadataBytes,
                limit: cap,
                actual: z.total_out(),
            });
        }
        if keep && out.len() < 64 * 1024 {
            out.extend_from_slice(&scratch[..produced.min(64 * 1024 - out.len())]);
        }
        if status == Status::StreamEnd || (consumed == 0 && produced == 0) {
            break;
        }
    }
    Ok(keep.then_some(out))
}

/// Test inflation of the IDAT stream into a scratch buffer.
struct IdatInflater {
    z: Decompress,
    expected: u64,
    scratch: Vec<u8>,
    ended: bool,
}

impl IdatInflater {
    fn new(expected: u64) -> Self {
        IdatInflater {
            z: Decompress::new(true),
            expected,
            scratch: vec![0; 64 * 1024],
            ended: false,
        }
    }

    fn feed(&mut self, mut input: &[u8]) -> Result<()> {
        while !self.ended && !input.is_empty() {
            let before_in = self.z.total_in();
            let before_out = self.z.total_out();
            let status = self
                .z
                .decompress(input, &mut self.scratch, FlushDecompress::None)
                .map_err(|_| damaged("the image data is corrupt"))?;
            input = &input[(self.z.total_in() - before_in) as usize..];
            if status == Status::StreamEnd {
                self.ended = true;
            }
            // Enough rows for the whole image: later bytes cannot matter to
            // a decoder, so stop working (bounds time by the IHDR size).
            if self.z.total_out() >= self.expected {
                self.ended = true;
            }
            if self.z.total_in() == before_in && self.z.total_out() == before_out {
                break;
            }
        }
        Ok(())
    }

    fn finish(self) -> Result<()> {
        if self.z.total_out() < self.expected {
            return Err(damaged("the image data is cut short"));
        }
        Ok(())
    }
}

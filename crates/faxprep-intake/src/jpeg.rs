//! JPEG preflight: a bounded walk over the marker segments (ITU T.81
//! Annex B) that finds the frame header, the scans and the metadata
//! without decoding any entropy-coded data.

use crate::document::{ColorType, Document, ImageInfo, Warning};
use crate::error::{Error, LimitKind};
use crate::limits::{Limits, check_ratio};
use crate::{Result, exif};
use faxprep_page::DocumentFormat;

fn damaged(reason: impl Into<String>) -> Error {
    Error::Damaged {
        format: DocumentFormat::Jpeg,
        reason: reason.into(),
    }
}

/// The frame header (T.81 B.2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Sof {
    pub marker: u8,
    pub precision: u8,
    pub height: u16,
    pub width: u16,
    pub components: u8,
}

/// What the marker walk found.
#[derive(Debug, Default)]
struct Walk {
    sof: Option<Sof>,
    scans: u32,
    saw_eoi: bool,
    orientation: Option<u32>,
    adobe_transform: Option<u8>,
    jfif_dpi: Option<(f64, f64)>,
}

/// SOFn markers: C0-CF except DHT (C4), JPG (C8) and DAC (CC).
fn is_sof(marker: u8) -> bool {
    (0xc0..=0xcf).contains(&marker) && !matches!(marker, 0xc4 | 0xc8 | 0xcc)
}

/// Walk the markers of `bytes` (which start with SOI). With `header_only`
/// the walk stops at the first SOS (for JPEG streams inside PDFs, whose
/// dimensions are all we need).
fn walk(bytes: &[u8], header_only: bool) -> Result<Walk> {
    let mut w = Walk::default();
    let mut pos = 2usize;
    loop {
        // Find the next marker: 0xFF, optional fill 0xFFs, then the code.
        if pos >= bytes.len() {
            return Ok(w);
        }
        if bytes[pos] != 0xff {
            // libjpeg skips "extraneous bytes before marker" with a warning.
            match bytes[pos..].iter().position(|&b| b == 0xff) {
                Some(p) => pos += p,
                None => return Ok(w),
            }
        }
        while pos < bytes.len() && bytes[pos] == 0xff {
            pos += 1;
        }
        let Some(&marker) = bytes.get(pos) else {
            return Ok(w);
        };
        pos += 1;
        match marker {
            0xd9 => {
                w.saw_eoi = true;
                return Ok(w);
            }
            // Standalone markers without a length (T.81 B.1.1.3).
            0x01 | 0xd0..=0xd7 => continue,
            0xd8 | 0x00 => return Err(damaged("a marker is corrupt")),
            _ => {}
        }
        let len_bytes = bytes
            .get(pos..pos + 2)
            .ok_or_else(|| damaged("the file is cut short"))?;
        let len = usize::from(u16::from_be_bytes([len_bytes[0], len_bytes[1]]));
        if len < 2 {
            return Err(damaged("a segment length is invalid"));
        }
        let seg = bytes
            .get(pos + 2..pos + len)
            .ok_or_else(|| damaged("the file is cut short"))?;
        pos += len;
        match marker {
            m if is_sof(m) => {
                if seg.len() < 6 {
                    return Err(damaged("the frame header is too short"));
                }
                if w.sof.is_none() {
                    w.sof = Some(Sof {
                        marker: m,
                        precision: seg[0],
                        height: u16::from_be_bytes([seg[1], seg[2]]),
                        width: u16::from_be_bytes([seg[3], seg[4]]),
                        components: seg[5],
                    });
                }
            }
            0xda => {
                if w.sof.is_none() {
                    return Err(damaged("image data comes before the frame header (no SOF)"));
                }
                w.scans += 1;
                if header_only {
                    return Ok(w);
                }
                pos = skip_entropy_coded(bytes, pos);
            }
            0xe0 if seg.starts_with(b"JFIF\0") && seg.len() >= 12 => {
                let (units, x, y) = (
                    seg[7],
                    u16::from_be_bytes([seg[8], seg[9]]),
                    u16::from_be_bytes([seg[10], seg[11]]),
                );
                let scale = match units {
                    1 => Some(1.0),
                    2 => Some(2.54),
                    _ => None,
                };
                if let Some(s) = scale
                    && x > 0
                    && y > 0
                {
                    w.jfif_dpi = Some((f64::from(x) * s, f64::from(y) * s));
                }
            }
            0xe1 if w.orientation.is_none() && seg.starts_with(b"Exif\0\0") => {
                w.orientation = exif::orientation(seg)
            }
            0xee if seg.starts_with(b"Adobe") && seg.len() >= 12 => {
                w.adobe_transform = Some(seg[11])
            }
            _ => {}
        }
    }
}

/// Skip entropy-coded data after an SOS header: up to the next marker
/// that is not a stuffed zero or a restart marker (T.81 B.1.1.5, F.1.2.3).
fn skip_entropy_coded(bytes: &[u8], mut pos: usize) -> usize {
    while pos < bytes.len() {
        match bytes[pos..].iter().position(|&b| b == 0xff) {
            None => return bytes.len(),
            Some(p) => pos += p,
        }
        match bytes.get(pos + 1) {
            None => return bytes.len(),
            Some(0x00 | 0xd0..=0xd7 | 0xff) => pos += 1,
            Some(_) => return pos,
        }
    }
    bytes.len()
}

/// The frame header of a JPEG stream (inside a PDF), reading no further
/// than the first scan. `None` when there is none.
pub(crate) fn sof(bytes: &[u8]) -> Option<Sof> {
    if !bytes.starts_with(&[0xff, 0xd8]) {
        return None;
    }
    walk(bytes, true).ok()?.sof
}

/// What the renderer's JPEG decoder (zune-jpeg, through `image`) cannot
/// decode: it reads Huffman-coded 8-bit baseline, extended and progressive
/// images only (ITU T.81 Table B.1 lists the frame types).
fn undecodable(sof: &Sof) -> Option<String> {
    match sof.marker {
        0xc9 | 0xca | 0xcb | 0xcd | 0xce | 0xcf => {
            return Some("arithmetic-coded images".to_owned());
        }
        0xc3 | 0xc7 => return Some("lossless images".to_owned()),
        0xc5 | 0xc6 => return Some("hierarchical images".to_owned()),
        _ => {}
    }
    (sof.precision != 8).then(|| format!("images with {} bits per sample", sof.precision))
}

/// Preflight a JPEG upload (starts with SOI).
pub(crate) fn preflight(bytes: &[u8], limits: &Limits) -> Result<Document> {
    let w = walk(bytes, false)?;
    let sof = w.sof.ok_or_else(|| damaged("no frame header (SOF)"))?;
    let pixels = u64::from(sof.width) * u64::from(sof.height);
    if sof.height == 0 {
        return Err(Error::Unsupported {
            format: DocumentFormat::Jpeg,
            feature: "the image height is given after the image data (DNL marker)".to_owned(),
        });
    }
    if sof.width == 0 {
        return Err(damaged("the image width is zero"));
    }
    if pixels > limits.max_image_pixels {
        return Err(Error::Limits {
            which: LimitKind::ImagePixels,
            limit: limits.max_image_pixels,
            actual: pixels,
        });
    }
    // What a decoder allocates: one sample per component per pixel (two
    // bytes at 12 or 16 bits).
    let sample_bytes = if sof.precision > 8 { 2 } else { 1 };
    let decoded = pixels
        .saturating_mul(u64::from(sof.components))
        .saturating_mul(sample_bytes);
    if decoded > limits.max_decompressed_bytes {
        return Err(Error::Limits {
            which: LimitKind::DecompressedBytes,
            limit: limits.max_decompressed_bytes,
            actual: decoded,
        });
    }
    check_ratio(decoded, bytes.len() as u64, limits)?;
    if w.scans == 0 {
        return Err(damaged("no image data (SOS)"));
    }
    if let Some(feature) = undecodable(&sof) {
        return Err(Error::Unsupported {
            format: DocumentFormat::Jpeg,
            feature,
        });
    }
    let color = match (sof.components, w.adobe_transform) {
        (1, _) => ColorType::Gray,
        (3, Some(0)) => ColorType::Rgb,
        (3, _) => ColorType::YCbCr,
        (4, Some(2)) => ColorType::Ycck,
        (4, _) => ColorType::Cmyk,
        (n, _) => {
            return Err(Error::Unsupported {
                format: DocumentFormat::Jpeg,
                feature: format!("images with {n} colour components"),
            });
        }
    };
    let mut doc = Document::new(DocumentFormat::Jpeg);
    if !w.saw_eoi {
        doc.warnings.push(Warning::TruncatedJpeg);
    }
    let orientation = match w.orientation {
        Some(v @ 1..=8) => v as u8,
        Some(v) => {
            doc.warnings.push(Warning::InvalidOrientation { value: v });
            1
        }
        None => 1,
    };
    let info = ImageInfo {
        width: u32::from(sof.width),
        height: u32::from(sof.height),
        orientation,
        color,
        bit_depth: sof.precision,
        has_alpha: false,
        // SOF2, SOF6, SOF10, SOF14: progressive DCT.
        interlaced: matches!(sof.marker, 0xc2 | 0xc6 | 0xca | 0xce),
        dpi: w.jfif_dpi,
    };
    crate::check_image_page(&info, limits)?;
    doc.pages = 1;
    doc.image = Some(info);
    Ok(doc)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A minimal JPEG skeleton: SOI, SOF0, SOS with two bytes of data, EOI.
    pub(crate) fn skeleton(width: u16, height: u16, comps: u8, eoi: bool) -> Vec<u8> {
        let mut v = vec![0xff, 0xd8];
        let mut sof = vec![0xff, 0xc0, 0, 8 + 3 * comps, 8];
        sof.extend_from_slice(&height.to_be_bytes());
        sof.extend_from_slice(&width.to_be_bytes());
        sof.push(comps);
        for c in 0..comps {
            sof.extend_from_slice(&[c + 1, 0x11, 0]);
        }
        v.extend(sof);
        v.extend_from_slice(&[0xff, 0xda, 0, 8, 1, 1, 0, 0, 63, 0, 0x12, 0xff, 0x00, 0x34]);
        if eoi {
            v.extend_from_slice(&[0xff, 0xd9]);
        }
        v
    }

    #[test]
    fn skeleton_passes() {
        let doc = preflight(&skeleton(640, 480, 3, true), &Limits::default()).unwrap();
        let info = doc.image.unwrap();
        assert_eq!(
            (info.width, info.height, info.color),
            (640, 480, ColorType::YCbCr)
        );
        assert!(doc.warnings.is_empty());
    }

    #[test]
    fn missing_eoi_is_a_warning() {
        let doc = preflight(&skeleton(64, 48, 1, false), &Limits::default()).unwrap();
        assert_eq!(doc.warnings, vec![Warning::TruncatedJpeg]);
    }

    #[test]
    fn huge_header_is_a_limit() {
        let err = preflight(&skeleton(65535, 65535, 3, true), &Limits::default()).unwrap_err();
        assert!(matches!(
            err,
            Error::Limits {
                which: LimitKind::ImagePixels,
                actual: 4_294_836_225,
                ..
            }
        ));
    }

    #[test]
    fn sos_without_sof_is_damaged() {
        let v = [0xff, 0xd8, 0xff, 0xda, 0, 8, 1, 1, 0, 0, 63, 0, 0xff, 0xd9];
        assert!(matches!(
            preflight(&v, &Limits::default()),
            Err(Error::Damaged { .. })
        ));
    }

    #[test]
    fn every_truncation_is_typed() {
        let full = skeleton(64, 48, 3, true);
        for cut in 2..full.len() {
            let _ = preflight(&full[..cut], &Limits::default());
        }
    }
}

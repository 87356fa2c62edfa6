//! The pixel density an image states, if believable.
//!
//! `image` 0.25 does not expose JFIF or pHYs densities, so the headers are
//! read here. Both walks are bounded by the input length and stop at the
//! image data.

/// Densities outside this range (dots per inch, each axis) are treated as
/// absent: 72 and 96 are screen defaults and photos say 72 or 300; below 50
/// or above 2400 the number is a placeholder or a mistake.
const SENSIBLE_DPI: std::ops::RangeInclusive<f64> = 50.0..=2400.0;

fn sensible(x: f64, y: f64) -> Option<(f64, f64)> {
    (SENSIBLE_DPI.contains(&x) && SENSIBLE_DPI.contains(&y)).then_some((x, y))
}

/// JFIF APP0 density (JFIF 1.02 §"JFIF APP0 marker"): units 1 = dots per
/// inch, 2 = dots per cm; 0 states an aspect ratio only.
pub(crate) fn jpeg(bytes: &[u8]) -> Option<(f64, f64)> {
    if bytes.get(..2)? != [0xff, 0xd8] {
        return None;
    }
    let mut pos = 2usize;
    // A JFIF APP0 comes right after SOI; look at a few segments at most.
    for _ in 0..16 {
        if *bytes.get(pos)? != 0xff {
            return None;
        }
        let marker = *bytes.get(pos + 1)?;
        if marker == 0xda || marker == 0xd9 {
            return None;
        }
        let len = usize::from(u16::from_be_bytes([
            *bytes.get(pos + 2)?,
            *bytes.get(pos + 3)?,
        ]));
        let data = bytes.get(pos + 4..pos + 2 + len)?;
        if marker == 0xe0 && data.len() >= 12 && &data[..5] == b"JFIF\0" {
            let x = f64::from(u16::from_be_bytes([data[8], data[9]]));
            let y = f64::from(u16::from_be_bytes([data[10], data[11]]));
            return match data[7] {
                1 => sensible(x, y),
                2 => sensible(x * 2.54, y * 2.54),
                _ => None,
            };
        }
        pos += 2 + len;
    }
    None
}

/// The sample precision of a JPEG's frame header (ITU T.81 §B.2.2: the
/// byte after the SOFn length), found by walking the segments up to the
/// first SOFn. `image`'s decoder handles only 8 bits.
pub(crate) fn jpeg_precision(bytes: &[u8]) -> Option<u8> {
    if bytes.get(..2)? != [0xff, 0xd8] {
        return None;
    }
    let mut pos = 2usize;
    for _ in 0..64 {
        if *bytes.get(pos)? != 0xff {
            return None;
        }
        let marker = *bytes.get(pos + 1)?;
        if marker == 0xff {
            pos += 1;
            continue;
        }
        // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC).
        if (0xc0..=0xcf).contains(&marker) && !matches!(marker, 0xc4 | 0xc8 | 0xcc) {
            return bytes.get(pos + 4).copied();
        }
        if marker == 0xda || marker == 0xd9 {
            return None;
        }
        let len = usize::from(u16::from_be_bytes([
            *bytes.get(pos + 2)?,
            *bytes.get(pos + 3)?,
        ]));
        pos = pos.checked_add(2 + len)?;
    }
    None
}

/// PNG pHYs (PNG spec §11.3.5.3): pixels per metre when the unit is 1.
pub(crate) fn png(bytes: &[u8]) -> Option<(f64, f64)> {
    let mut pos = 8usize;
    loop {
        let len = u32::from_be_bytes(bytes.get(pos..pos + 4)?.try_into().ok()?) as usize;
        let kind = bytes.get(pos + 4..pos + 8)?;
        if kind == b"IDAT" || kind == b"IEND" {
            return None;
        }
        if kind == b"pHYs" && len == 9 {
            let d = bytes.get(pos + 8..pos + 17)?;
            if d[8] != 1 {
                return None;
            }
            let x = f64::from(u32::from_be_bytes([d[0], d[1], d[2], d[3]])) * 0.0254;
            let y = f64::from(u32::from_be_bytes([d[4], d[5], d[6], d[7]])) * 0.0254;
            return sensible(x, y);
        }
        pos = pos.checked_add(12)?.checked_add(len)?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jfif_dpi_and_dpcm() {
        let mut j = vec![0xff, 0xd8, 0xff, 0xe0, 0, 16];
        j.extend_from_slice(b"JFIF\0\x01\x02\x01\x01\x2c\x00\xc8\0\0");
        assert_eq!(jpeg(&j), Some((300.0, 200.0)));
        j[13] = 0;
        assert_eq!(jpeg(&j), None, "aspect ratio only");
        assert_eq!(jpeg(&j[..9]), None, "truncated");
    }

    #[test]
    fn png_phys() {
        let mut p = b"\x89PNG\r\n\x1a\n".to_vec();
        p.extend_from_slice(&[0, 0, 0, 9]);
        p.extend_from_slice(b"pHYs");
        p.extend_from_slice(&11811u32.to_be_bytes());
        p.extend_from_slice(&11811u32.to_be_bytes());
        p.extend_from_slice(&[1, 0, 0, 0, 0]);
        let (x, y) = png(&p).unwrap();
        assert!((x - 300.0).abs() < 0.1 && (y - 300.0).abs() < 0.1);
        assert_eq!(png(&p[..20]), None);
    }
}

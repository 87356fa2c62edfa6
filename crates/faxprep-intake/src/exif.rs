//! The one EXIF fact a fax needs: the orientation tag.
//!
//! Written here rather than with kamadak-exif: we need one SHORT from IFD0
//! (TIFF 6.0 §8, tag 274), which is a dozen bounds-checked reads, while a
//! general EXIF reader parses every IFD and allocates per field on input
//! we must treat as hostile.

/// The raw orientation value in an EXIF block: `data` is either a TIFF
/// structure ("II*\0" / "MM\0*") or one prefixed by "Exif\0\0" (JPEG APP1
/// payload). `None` when there is no readable orientation tag.
pub(crate) fn orientation(data: &[u8]) -> Option<u32> {
    let tiff = data.strip_prefix(b"Exif\0\0").unwrap_or(data);
    let big_endian = match tiff.get(..4)? {
        b"II*\0" => false,
        b"MM\0*" => true,
        _ => return None,
    };
    let u16_at = |at: usize| -> Option<u16> {
        let b = tiff.get(at..at.checked_add(2)?)?;
        Some(if big_endian {
            u16::from_be_bytes([b[0], b[1]])
        } else {
            u16::from_le_bytes([b[0], b[1]])
        })
    };
    let u32_at = |at: usize| -> Option<u32> {
        let b = tiff.get(at..at.checked_add(4)?)?;
        let b = [b[0], b[1], b[2], b[3]];
        Some(if big_endian {
            u32::from_be_bytes(b)
        } else {
            u32::from_le_bytes(b)
        })
    };
    let ifd0 = usize::try_from(u32_at(4)?).ok()?;
    let count = usize::from(u16_at(ifd0)?);
    for i in 0..count {
        // Each entry: tag u16, type u16, count u32, value or offset u32.
        let entry = ifd0.checked_add(2)?.checked_add(i.checked_mul(12)?)?;
        let tag = u16_at(entry)?;
        if tag != 0x0112 {
            continue;
        }
        let kind = u16_at(entry + 2)?;
        return match kind {
            // SHORT, the type the standard prescribes.
            3 => u16_at(entry + 8).map(u32::from),
            // LONG, written by a few tools.
            4 => u32_at(entry + 8),
            _ => None,
        };
    }
    None
}

/// ImageMagick stores EXIF in PNG text chunks as a "Raw profile": a line
/// with the name, a line with the byte count, then hex digits over many
/// lines. Returns the decoded bytes, at most `max` of them.
pub(crate) fn decode_raw_profile(text: &[u8], max: usize) -> Option<Vec<u8>> {
    // Skip "\nexif\n", then the decimal length.
    let mut lines = text
        .split(|&b| b == b'\n')
        .filter(|l| !l.iter().all(u8::is_ascii_whitespace));
    let _name = lines.next()?;
    let len_line = lines.next()?;
    let len: usize = std::str::from_utf8(len_line).ok()?.trim().parse().ok()?;
    let len = len.min(max);
    let mut out = Vec::with_capacity(len);
    let mut high: Option<u8> = None;
    for line in lines {
        for &b in line {
            let nibble = match b {
                b'0'..=b'9' => b - b'0',
                b'a'..=b'f' => b - b'a' + 10,
                b'A'..=b'F' => b - b'A' + 10,
                _ => continue,
            };
            match high.take() {
                None => high = Some(nibble),
                Some(h) => {
                    out.push(h << 4 | nibble);
                    if out.len() == len {
                        return Some(out);
                    }
                }
            }
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    type U16Bytes = fn(u16) -> [u8; 2];
    type U32Bytes = fn(u32) -> [u8; 4];

    fn ifd(big_endian: bool, kind: u16, value: u32) -> Vec<u8> {
        let mut v = Vec::new();
        let (u16b, u32b): (U16Bytes, U32Bytes) = if big_endian {
            (u16::to_be_bytes, u32::to_be_bytes)
        } else {
            (u16::to_le_bytes, u32::to_le_bytes)
        };
        v.extend_from_slice(if big_endian { b"MM\0*" } else { b"II*\0" });
        v.extend_from_slice(&u32b(8));
        v.extend_from_slice(&u16b(2));
        // An unrelated tag first.
        v.extend_from_slice(&u16b(0x010f));
        v.extend_from_slice(&u16b(2));
        v.extend_from_slice(&u32b(4));
        v.extend_from_slice(&u32b(0));
        v.extend_from_slice(&u16b(0x0112));
        v.extend_from_slice(&u16b(kind));
        v.extend_from_slice(&u32b(1));
        if kind == 3 {
            v.extend_from_slice(&u16b(value as u16));
            v.extend_from_slice(&[0, 0]);
        } else {
            v.extend_from_slice(&u32b(value));
        }
        v
    }

    #[test]
    fn reads_both_byte_orders() {
        for be in [false, true] {
            for o in 1..=8 {
                assert_eq!(orientation(&ifd(be, 3, o)), Some(o));
            }
            assert_eq!(orientation(&ifd(be, 4, 6)), Some(6));
        }
        let mut app1 = b"Exif\0\0".to_vec();
        app1.extend(ifd(true, 3, 8));
        assert_eq!(orientation(&app1), Some(8));
    }

    #[test]
    fn hostile_ifds_are_none() {
        assert_eq!(orientation(b""), None);
        assert_eq!(orientation(b"II*\0\xff\xff\xff\xff"), None);
        let mut v = ifd(false, 3, 6);
        v.truncate(20);
        assert_eq!(orientation(&v), None);
        // An entry count far beyond the data.
        let mut v = b"II*\0\x08\0\0\0\xff\xff".to_vec();
        v.extend_from_slice(&[0; 12]);
        assert_eq!(orientation(&v), None);
    }

    #[test]
    fn raw_profile_decodes() {
        let text = b"\nexif\n      8\n457869660000\n4d4d\n";
        assert_eq!(decode_raw_profile(text, 100).unwrap(), b"Exif\0\0MM");
        assert_eq!(decode_raw_profile(text, 2).unwrap(), b"Ex");
    }
}

//! Image sizes that image codecs inside a PDF declare in their own
//! headers. A renderer allocates what the codec says, whatever the image
//! dictionary claims (pdf.js' `bomb_giant.pdf` puts a JBIG2 page of
//! 100000 x 100000 in a *content* stream), so preflight reads them too.

/// The largest width x height any JBIG2 page-information or region
/// segment declares in an embedded stream (ITU T.88 §7.2 segment header,
/// §7.4.1 region segment information, §7.4.8 page information). Parsing
/// stops at the first malformed header; at most `max_segments` are read.
pub(crate) fn jbig2_max_pixels(data: &[u8], max_segments: usize) -> u64 {
    let mut max = 0u64;
    let mut pos = 0usize;
    for _ in 0..max_segments {
        let Some(h) = jbig2_segment_header(data, pos) else {
            break;
        };
        let body = &data[h.data_start..data.len().min(h.data_start.saturating_add(h.data_len))];
        let dims = match h.kind {
            // Page information: width, height (height 0xffffffff = striped,
            // unknown; then only the width is known, and the stripe size
            // bounds each stripe).
            48 => read_u32_pair(body).map(|(w, h)| if h == u32::MAX { (w, 0) } else { (w, h) }),
            // Region segments start with the region segment information
            // field: width, height, x, y, flags.
            4 | 6 | 7 | 20 | 22 | 23 | 36 | 38 | 39 | 40 | 42 | 43 => read_u32_pair(body),
            _ => None,
        };
        if let Some((w, hh)) = dims {
            max = max.max(u64::from(w) * u64::from(hh));
        }
        if h.data_len == u32::MAX as usize {
            // Unknown length (T.88 §7.2.7, immediate generic region):
            // nothing after it can be located without decoding.
            break;
        }
        match h.data_start.checked_add(h.data_len) {
            Some(next) if next <= data.len() => pos = next,
            _ => break,
        }
    }
    max
}

struct SegmentHeader {
    kind: u8,
    data_start: usize,
    data_len: usize,
}

fn jbig2_segment_header(data: &[u8], pos: usize) -> Option<SegmentHeader> {
    let number = u32::from_be_bytes(data.get(pos..pos + 4)?.try_into().ok()?);
    let flags = *data.get(pos + 4)?;
    let mut p = pos + 5;
    let first = *data.get(p)?;
    let mut referred = usize::from(first >> 5);
    if referred == 7 {
        // Long form: 29-bit count, then one retention bit per segment + 1.
        let word = u32::from_be_bytes(data.get(p..p + 4)?.try_into().ok()?);
        referred = (word & 0x1fff_ffff) as usize;
        if referred > data.len() {
            return None;
        }
        p += 4 + (referred + 1).div_ceil(8);
    } else {
        p += 1;
    }
    let ref_size = if number <= 256 {
        1
    } else if number <= 65536 {
        2
    } else {
        4
    };
    p = p.checked_add(referred.checked_mul(ref_size)?)?;
    p += if flags & 0x40 != 0 { 4 } else { 1 };
    let len = u32::from_be_bytes(data.get(p..p + 4)?.try_into().ok()?);
    p += 4;
    if p > data.len() {
        return None;
    }
    Some(SegmentHeader {
        kind: flags & 0x3f,
        data_start: p,
        data_len: len as usize,
    })
}

fn read_u32_pair(b: &[u8]) -> Option<(u32, u32)> {
    let w = u32::from_be_bytes(b.get(0..4)?.try_into().ok()?);
    let h = u32::from_be_bytes(b.get(4..8)?.try_into().ok()?);
    Some((w, h))
}

/// Width x height of a JPEG 2000 image from its codestream's SIZ marker
/// segment (ITU T.800 §A.5.1): (Xsiz - XOsiz) x (Ysiz - YOsiz). Looks in
/// the first 64 KiB (the SIZ directly follows SOC, and a JP2 file's
/// header boxes come before the codestream box).
pub(crate) fn jpx_pixels(data: &[u8]) -> Option<u64> {
    let head = &data[..data.len().min(64 * 1024)];
    let at = crate::sniff::find(head, &[0xff, 0x4f, 0xff, 0x51])?;
    let siz = data.get(at + 4..at + 4 + 2 + 2 + 16)?;
    let u = |i: usize| u32::from_be_bytes([siz[i], siz[i + 1], siz[i + 2], siz[i + 3]]);
    let (x, y, xo, yo) = (u(4), u(8), u(12), u(16));
    Some(u64::from(x.saturating_sub(xo)) * u64::from(y.saturating_sub(yo)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn giant_page_info() {
        // The first segment of pdf.js' bomb_giant.pdf stream.
        let seg = hex("0000000030000100000013000186a0000186a000000000000000000100000000");
        assert_eq!(jbig2_max_pixels(&seg, 100), 10_000_000_000);
    }

    #[test]
    fn siz_dims() {
        let mut v = vec![0xff, 0x4f, 0xff, 0x51, 0, 41, 0, 0];
        for x in [1000u32, 2000, 10, 20] {
            v.extend_from_slice(&x.to_be_bytes());
        }
        v.extend_from_slice(&[0; 20]);
        assert_eq!(jpx_pixels(&v), Some(990 * 1980));
    }

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    proptest! {
        #[test]
        fn jbig2_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
            let _ = jbig2_max_pixels(&bytes, 1000);
            let _ = jpx_pixels(&bytes);
        }
    }
}

//! Hand-made TIFF files, for tests that need directories no writer makes
//! (hostile sizes, loops, strips past the end, unsupported compressions).

/// In an entry's value: the offset of the data that follows the
/// directories.
pub const AT_DATA: u32 = u32::MAX;

/// A little-endian TIFF: `dirs` directories of (tag, type, count, value)
/// entries, chained in order (the last one's next offset is `last_next`,
/// 0 when `None`), followed by `tail`. A value [`AT_DATA`] is replaced by
/// the tail's offset; a SHORT with count 1 is stored left-justified, as
/// TIFF 6.0 §2 says.
pub fn hand_made_tiff(
    dirs: &[Vec<(u16, u16, u32, u32)>],
    last_next: Option<u32>,
    tail: &[u8],
) -> Vec<u8> {
    let ifd_len = |n: usize| 2 + 12 * n + 4;
    let mut offsets = Vec::new();
    let mut at = 8usize;
    for d in dirs {
        offsets.push(at as u32);
        at += ifd_len(d.len());
    }
    let data_at = at as u32;
    let mut out = b"II*\0".to_vec();
    out.extend_from_slice(&8u32.to_le_bytes());
    for (i, d) in dirs.iter().enumerate() {
        out.extend_from_slice(&(d.len() as u16).to_le_bytes());
        for &(tag, ty, count, value) in d {
            out.extend_from_slice(&tag.to_le_bytes());
            out.extend_from_slice(&ty.to_le_bytes());
            out.extend_from_slice(&count.to_le_bytes());
            let value = if value == AT_DATA { data_at } else { value };
            if ty == 3 && count == 1 {
                out.extend_from_slice(&(value as u16).to_le_bytes());
                out.extend_from_slice(&[0, 0]);
            } else {
                out.extend_from_slice(&value.to_le_bytes());
            }
        }
        let next = match offsets.get(i + 1) {
            Some(&o) => o,
            None => last_next.unwrap_or(0),
        };
        out.extend_from_slice(&next.to_le_bytes());
    }
    out.extend_from_slice(tail);
    out
}

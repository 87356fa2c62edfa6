//! A small builder for one little-endian image file directory.
//!
//! Written by hand rather than with the `tiff` crate's encoder because
//! TIFF Class F needs exact control the encoder does not give: the strip
//! must be already-coded CCITT bytes written once, tags such as
//! T4Options/CleanFaxData must carry fax-specific values, and PageNumber's
//! total may only be known when the last page arrives, so its bytes are
//! patched in place. Forty lines here are simpler than bending a general
//! encoder to that.

use super::tags::{TYPE_ASCII, TYPE_LONG, TYPE_RATIONAL, TYPE_SHORT};

/// One field: tag, type, count and the little-endian value bytes.
struct Field {
    tag: u16,
    field_type: u16,
    count: u32,
    value: Vec<u8>,
}

/// The fields of one directory, serialised in ascending tag order (TIFF 6.0
/// §2: "the entries in an IFD must be sorted in ascending order by Tag").
#[derive(Default)]
pub(crate) struct IfdBuilder {
    fields: Vec<Field>,
}

/// Where, in the serialised bytes, the caller may patch things later.
pub(crate) struct Written {
    /// Offset of the 4-byte next-IFD pointer.
    pub next_ifd_at: usize,
    /// Offset of the value bytes of each field, by tag.
    pub value_at: Vec<(u16, usize)>,
}

impl IfdBuilder {
    pub fn short(&mut self, tag: u16, values: &[u16]) {
        let value = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        self.push(tag, TYPE_SHORT, values.len(), value);
    }

    pub fn long(&mut self, tag: u16, value: u32) {
        self.push(tag, TYPE_LONG, 1, value.to_le_bytes().to_vec());
    }

    pub fn rational(&mut self, tag: u16, num: u32, den: u32) {
        let mut value = num.to_le_bytes().to_vec();
        value.extend_from_slice(&den.to_le_bytes());
        self.push(tag, TYPE_RATIONAL, 1, value);
    }

    /// An ASCII field; the terminating NUL is added here.
    pub fn ascii(&mut self, tag: u16, text: &str) {
        let mut value = text.as_bytes().to_vec();
        value.push(0);
        self.push(tag, TYPE_ASCII, value.len(), value);
    }

    fn push(&mut self, tag: u16, field_type: u16, count: usize, value: Vec<u8>) {
        // Counts are tiny here: a few values or a short string checked by
        // the writer.
        let count = u32::try_from(count).unwrap_or(u32::MAX);
        self.fields.push(Field {
            tag,
            field_type,
            count,
            value,
        });
    }

    /// Append the directory to `out` at an even offset (TIFF 6.0 §2: "the
    /// IFD must begin on a word boundary"), values longer than 4 bytes after
    /// it, each word-aligned too. Returns the directory's offset and the
    /// places to patch. The next-IFD pointer is written as 0.
    pub fn write(mut self, out: &mut Vec<u8>) -> (usize, Written) {
        pad_to_word(out);
        self.fields.sort_by_key(|f| f.tag);
        let start = out.len();
        let n = self.fields.len();
        let mut extra_at = start + 2 + 12 * n + 4;
        out.extend_from_slice(&(n as u16).to_le_bytes());
        let mut value_at = Vec::with_capacity(n);
        let mut extra = Vec::new();
        for f in &self.fields {
            out.extend_from_slice(&f.tag.to_le_bytes());
            out.extend_from_slice(&f.field_type.to_le_bytes());
            out.extend_from_slice(&f.count.to_le_bytes());
            if f.value.len() <= 4 {
                value_at.push((f.tag, out.len()));
                let mut inline = [0u8; 4];
                inline[..f.value.len()].copy_from_slice(&f.value);
                out.extend_from_slice(&inline);
            } else {
                value_at.push((f.tag, extra_at));
                out.extend_from_slice(&(extra_at as u32).to_le_bytes());
                extra.extend_from_slice(&f.value);
                if extra.len() % 2 == 1 {
                    extra.push(0);
                }
                extra_at = start + 2 + 12 * n + 4 + extra.len();
            }
        }
        let next_ifd_at = out.len();
        out.extend_from_slice(&[0; 4]);
        out.extend_from_slice(&extra);
        (
            start,
            Written {
                next_ifd_at,
                value_at,
            },
        )
    }
}

/// Pad `out` with a zero byte to an even length.
pub(crate) fn pad_to_word(out: &mut Vec<u8>) {
    if out.len() % 2 == 1 {
        out.push(0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorted_aligned_with_out_of_line_values() {
        let mut out = vec![0u8; 9];
        let mut ifd = IfdBuilder::default();
        ifd.ascii(305, "abcde");
        ifd.short(259, &[4]);
        ifd.rational(282, 204, 1);
        let (start, w) = ifd.write(&mut out);
        assert_eq!(start, 10);
        assert_eq!(&out[10..12], &[3, 0]);
        // Ascending tags.
        assert_eq!(&out[12..14], &259u16.to_le_bytes());
        assert_eq!(&out[24..26], &282u16.to_le_bytes());
        assert_eq!(&out[36..38], &305u16.to_le_bytes());
        let (_, rational_at) = w.value_at[1];
        assert_eq!(rational_at % 2, 0);
        assert_eq!(
            &out[rational_at..rational_at + 8],
            &[204, 0, 0, 0, 1, 0, 0, 0]
        );
        let (_, ascii_at) = w.value_at[2];
        assert_eq!(ascii_at % 2, 0);
        assert_eq!(&out[ascii_at..ascii_at + 6], b"abcde\0");
        assert_eq!(w.next_ifd_at, 10 + 2 + 36);
    }
}

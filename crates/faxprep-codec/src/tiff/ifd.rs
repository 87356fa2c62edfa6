//! Low-level TIFF parsing: byte order, the header and the chain of image
//! file directories (IFDs), with every offset and count checked against the
//! file length before it is used (TIFF 6.0 §2).

use std::collections::{BTreeMap, HashSet};

use super::error::{Error, FormatError, Limit, Result, Unsupported};
use super::tags::{TYPE_ASCII, TYPE_BYTE, TYPE_LONG, TYPE_RATIONAL, TYPE_SHORT, type_size};

/// The file's bytes with its byte order.
#[derive(Clone, Copy)]
pub(crate) struct Bytes<'a> {
    pub data: &'a [u8],
    pub big_endian: bool,
}

impl<'a> Bytes<'a> {
    /// `len` bytes at `offset`, or a `Truncated` error.
    pub fn slice(&self, offset: u64, len: u64) -> Result<&'a [u8]> {
        let file_len = self.data.len() as u64;
        let truncated = || FormatError::Truncated {
            offset,
            needed: len,
            file_len,
        };
        let end = offset.checked_add(len).ok_or_else(truncated)?;
        if end > file_len {
            return Err(truncated().into());
        }
        // Both fit in usize: they are at most the slice length.
        Ok(&self.data[offset as usize..end as usize])
    }

    pub fn u16_at(&self, offset: u64) -> Result<u16> {
        let b = self.slice(offset, 2)?;
        let b = [b[0], b[1]];
        Ok(if self.big_endian {
            u16::from_be_bytes(b)
        } else {
            u16::from_le_bytes(b)
        })
    }

    pub fn u32_at(&self, offset: u64) -> Result<u32> {
        let b = self.slice(offset, 4)?;
        let b = [b[0], b[1], b[2], b[3]];
        Ok(if self.big_endian {
            u32::from_be_bytes(b)
        } else {
            u32::from_le_bytes(b)
        })
    }
}

/// One directory entry: where its values are, not the values themselves, so
/// a tag nobody asks for costs nothing.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Entry {
    pub field_type: u16,
    pub count: u64,
    /// Offset of the first value: inside the entry when the values fit in
    /// 4 bytes, else the offset the entry holds. Already checked to lie,
    /// with all `count` values, inside the file.
    pub value_offset: u64,
}

/// One parsed directory.
pub(crate) struct Ifd {
    pub offset: u64,
    pub entries: BTreeMap<u16, Entry>,
    /// Whether the tags appeared in strictly ascending order (TIFF 6.0 §2
    /// requires it; readers tolerate it, `validate_class_f` reports it).
    pub sorted: bool,
}

/// Parse the header; returns the byte order and the first IFD offset.
pub(crate) fn header(data: &[u8]) -> Result<(Bytes<'_>, u64)> {
    let big_endian = match data.get(..2) {
        Some(b"II") => false,
        Some(b"MM") => true,
        _ => return Err(FormatError::NotTiff.into()),
    };
    let bytes = Bytes { data, big_endian };
    match bytes.u16_at(2) {
        Ok(42) => {}
        Ok(43) => return Err(Unsupported::BigTiff.into()),
        _ => return Err(FormatError::NotTiff.into()),
    }
    let first = bytes.u32_at(4)?;
    Ok((bytes, u64::from(first)))
}

/// Every directory of the file, in chain order, at most `max_pages` of them
/// (more is a `Limits` error), refusing loops.
pub(crate) fn directories(data: &[u8], max_pages: u32) -> Result<(Bytes<'_>, Vec<Ifd>)> {
    let (bytes, mut next) = header(data)?;
    if next == 0 {
        return Err(FormatError::NoPages.into());
    }
    let mut seen = HashSet::new();
    let mut ifds = Vec::new();
    while next != 0 {
        if !seen.insert(next) {
            return Err(FormatError::IfdLoop { offset: next }.into());
        }
        if ifds.len() as u64 >= u64::from(max_pages) {
            return Err(Error::Limits {
                limit: Limit::Pages,
                value: ifds.len() as u64 + 1,
                max: u64::from(max_pages),
            });
        }
        let (ifd, following) = directory(bytes, next)?;
        ifds.push(ifd);
        next = following;
    }
    Ok((bytes, ifds))
}

/// Parse the directory at `offset`; returns it and the next one's offset.
fn directory(bytes: Bytes<'_>, offset: u64) -> Result<(Ifd, u64)> {
    let n = u64::from(bytes.u16_at(offset)?);
    // The entries and the next-IFD offset must all be inside the file.
    bytes.slice(offset, 2 + 12 * n + 4)?;
    let mut entries = BTreeMap::new();
    let mut sorted = true;
    let mut last_tag = None;
    for i in 0..n {
        let at = offset + 2 + 12 * i;
        let tag = bytes.u16_at(at)?;
        let field_type = bytes.u16_at(at + 2)?;
        let count = u64::from(bytes.u32_at(at + 4)?);
        if last_tag.is_some_and(|t| t >= tag) {
            sorted = false;
        }
        last_tag = Some(tag);
        // Unknown field types are skipped, as TIFF 6.0 §2 asks of readers.
        let Some(size) = type_size(field_type) else {
            continue;
        };
        // count < 2^32 and size <= 8, so this cannot overflow u64.
        let total = count * size;
        let value_offset = if total <= 4 {
            at + 8
        } else {
            u64::from(bytes.u32_at(at + 8)?)
        };
        bytes.slice(value_offset, total)?;
        // The first occurrence of a duplicated tag wins, as in libtiff.
        entries.entry(tag).or_insert(Entry {
            field_type,
            count,
            value_offset,
        });
    }
    let next = u64::from(bytes.u32_at(offset + 2 + 12 * n)?);
    Ok((
        Ifd {
            offset,
            entries,
            sorted,
        },
        next,
    ))
}

impl Ifd {
    /// Value `i` of an integer field (BYTE, SHORT or LONG).
    fn int_at(&self, bytes: Bytes<'_>, e: &Entry, i: u64) -> Result<u64> {
        Ok(match e.field_type {
            TYPE_BYTE => u64::from(bytes.slice(e.value_offset + i, 1)?[0]),
            TYPE_SHORT => u64::from(bytes.u16_at(e.value_offset + 2 * i)?),
            _ => u64::from(bytes.u32_at(e.value_offset + 4 * i)?),
        })
    }

    fn bad_field(page: u32, tag: u16, e: &Entry) -> Error {
        FormatError::BadField {
            page,
            tag,
            field_type: e.field_type,
            count: e.count,
        }
        .into()
    }

    /// The first value of an integer tag, `None` when absent.
    pub fn int(&self, bytes: Bytes<'_>, page: u32, tag: u16) -> Result<Option<u64>> {
        let Some(e) = self.entries.get(&tag) else {
            return Ok(None);
        };
        if !matches!(e.field_type, TYPE_BYTE | TYPE_SHORT | TYPE_LONG) || e.count == 0 {
            return Err(Self::bad_field(page, tag, e));
        }
        self.int_at(bytes, e, 0).map(Some)
    }

    /// The first `max` values of an integer tag and its full count; empty
    /// when absent. Reading at most `max` keeps a hostile count from costing
    /// memory beyond what the caller needs.
    pub fn ints(&self, bytes: Bytes<'_>, page: u32, tag: u16, max: u64) -> Result<(Vec<u64>, u64)> {
        let Some(e) = self.entries.get(&tag) else {
            return Ok((Vec::new(), 0));
        };
        if !matches!(e.field_type, TYPE_BYTE | TYPE_SHORT | TYPE_LONG) {
            return Err(Self::bad_field(page, tag, e));
        }
        let n = e.count.min(max);
        let values = (0..n)
            .map(|i| self.int_at(bytes, e, i))
            .collect::<Result<Vec<_>>>()?;
        Ok((values, e.count))
    }

    /// A RATIONAL tag as (numerator, denominator); integer types are read as
    /// n / 1, which some writers use. `None` when absent.
    pub fn rational(&self, bytes: Bytes<'_>, page: u32, tag: u16) -> Result<Option<(u32, u32)>> {
        let Some(e) = self.entries.get(&tag) else {
            return Ok(None);
        };
        if e.count == 0 {
            return Err(Self::bad_field(page, tag, e));
        }
        match e.field_type {
            TYPE_RATIONAL => Ok(Some((
                bytes.u32_at(e.value_offset)?,
                bytes.u32_at(e.value_offset + 4)?,
            ))),
            TYPE_BYTE | TYPE_SHORT | TYPE_LONG => {
                // Fits: int_at reads at most 32 bits.
                Ok(Some((self.int_at(bytes, e, 0)? as u32, 1)))
            }
            _ => Err(Self::bad_field(page, tag, e)),
        }
    }

    /// An ASCII tag up to its first NUL, at most `max_len` bytes, invalid
    /// UTF-8 replaced. `None` when absent or not ASCII.
    pub fn ascii(&self, bytes: Bytes<'_>, tag: u16, max_len: u64) -> Option<String> {
        let e = self.entries.get(&tag)?;
        if e.field_type != TYPE_ASCII {
            return None;
        }
        let raw = bytes.slice(e.value_offset, e.count.min(max_len)).ok()?;
        let end = raw.iter().position(|&b| b == 0).unwrap_or(raw.len());
        Some(String::from_utf8_lossy(&raw[..end]).into_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_rejects_garbage_and_bigtiff() {
        assert!(matches!(
            header(b"II"),
            Err(Error::Format(FormatError::NotTiff))
        ));
        assert!(matches!(
            header(b"XX*\0\0\0\0\0"),
            Err(Error::Format(FormatError::NotTiff))
        ));
        assert!(matches!(
            header(b"II+\0\x08\0\0\0"),
            Err(Error::Unsupported(Unsupported::BigTiff))
        ));
        assert!(matches!(
            header(b"II*\0\x08\0"),
            Err(Error::Format(FormatError::Truncated { .. }))
        ));
        assert_eq!(
            header(b"MM\0*\0\0\0\x08")
                .map(|(b, o)| (b.big_endian, o))
                .ok(),
            Some((true, 8))
        );
    }

    #[test]
    fn loops_and_huge_counts_are_errors() {
        // One empty directory at 8 whose next pointer is itself.
        let looped = b"II*\0\x08\0\0\0\0\0\x08\0\0\0";
        assert!(matches!(
            directories(looped, 100),
            Err(Error::Format(FormatError::IfdLoop { offset: 8 }))
        ));
        // A directory claiming 65535 entries in a 14-byte file.
        let huge = b"II*\0\x08\0\0\0\xff\xff\0\0\0\0";
        assert!(matches!(
            directories(huge, 100),
            Err(Error::Format(FormatError::Truncated { .. }))
        ));
        // An entry with 2^32 - 1 LONGs at offset 0.
        let mut file = b"II*\0\x08\0\0\0\x01\0".to_vec();
        file.extend_from_slice(&[
            0x11, 0x01, 4, 0, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0,
        ]);
        assert!(matches!(
            directories(&file, 100),
            Err(Error::Format(FormatError::Truncated { .. }))
        ));
    }
}

//! Decide what an upload is from its first bytes, never its name.

use faxprep_page::DocumentFormat;

/// How far into the file `%PDF-` may start: readers tolerate leading junk
/// (ISO 32000-1 Annex H.3 note 1 says 1024 bytes, as Acrobat does).
pub(crate) const PDF_HEADER_WINDOW: usize = 1024;

pub(crate) const PNG_SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n'];

/// What the sniffer found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sniffed {
    /// An accepted format; for PDF, the offset of `%PDF-`.
    Accepted(DocumentFormat, usize),
    /// A PNG whose signature is damaged but whose first chunk is IHDR.
    DamagedPng,
    /// Something else, named when recognised.
    Other(Option<&'static str>),
}

/// Sniff `bytes` (non-empty).
pub(crate) fn sniff(bytes: &[u8]) -> Sniffed {
    if bytes.starts_with(&PNG_SIGNATURE) {
        return Sniffed::Accepted(DocumentFormat::Png, 0);
    }
    // JPEG: SOI followed by the first marker's 0xFF (ITU T.81 B.1.1.2).
    if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
        return Sniffed::Accepted(DocumentFormat::Jpeg, 0);
    }
    let window = &bytes[..bytes.len().min(PDF_HEADER_WINDOW + 5)];
    if let Some(offset) = find(window, b"%PDF-")
        && offset <= PDF_HEADER_WINDOW
    {
        return Sniffed::Accepted(DocumentFormat::Pdf, offset);
    }
    // One flipped bit in the signature (PngSuite xs*n0g01) is still a PNG
    // to the user: say it is damaged rather than of an unknown type.
    if bytes.len() >= 16 && bytes[1..8] == PNG_SIGNATURE[1..]
        || bytes.len() >= 16 && &bytes[12..16] == b"IHDR"
    {
        return Sniffed::DamagedPng;
    }
    Sniffed::Other(name_other(bytes))
}

/// Name common formats users upload by mistake, for a better message.
fn name_other(bytes: &[u8]) -> Option<&'static str> {
    let starts = |sig: &[u8]| bytes.starts_with(sig);
    if starts(b"II*\0") || starts(b"MM\0*") || starts(b"II+\0") || starts(b"MM\0+") {
        Some("TIFF")
    } else if starts(b"GIF87a") || starts(b"GIF89a") {
        Some("GIF")
    } else if starts(b"BM") && bytes.len() >= 14 {
        Some("BMP")
    } else if starts(b"RIFF") && bytes.get(8..12) == Some(b"WEBP") {
        Some("WebP")
    } else if bytes.get(4..8) == Some(b"ftyp") {
        match bytes.get(8..12) {
            Some(b"heic" | b"heix" | b"mif1" | b"msf1" | b"hevc") => Some("HEIC"),
            Some(b"avif") => Some("AVIF"),
            _ => Some("video"),
        }
    } else if starts(b"PK\x03\x04") {
        let head = &bytes[..bytes.len().min(64 * 1024)];
        if find(head, b"word/").is_some() {
            Some("Word")
        } else if find(head, b"xl/").is_some() {
            Some("Excel")
        } else if find(head, b"ppt/").is_some() {
            Some("PowerPoint")
        } else {
            Some("ZIP")
        }
    } else if starts(&[0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]) {
        Some("Word")
    } else if starts(b"{\\rtf") {
        Some("RTF")
    } else if bytes.len() >= 3
        && bytes[0] == b'P'
        && (b'1'..=b'7').contains(&bytes[1])
        && bytes[2].is_ascii_whitespace()
    {
        Some("PBM/PGM/PPM")
    } else if starts(&[0xff, 0x4f, 0xff, 0x51]) || starts(b"\0\0\0\x0cjP  ") {
        Some("JPEG 2000")
    } else {
        None
    }
}

/// First index of `needle` in `hay` (naive; both are short or the scan is
/// linear in practice because the first byte rarely repeats).
pub(crate) fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    let first = needle[0];
    let last_start = hay.len() - needle.len();
    let mut i = 0;
    while i <= last_start {
        match hay[i..=last_start].iter().position(|&b| b == first) {
            None => return None,
            Some(p) => {
                i += p;
                if &hay[i..i + needle.len()] == needle {
                    return Some(i);
                }
                i += 1;
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_by_content() {
        assert_eq!(
            sniff(b"%PDF-1.7\n"),
            Sniffed::Accepted(DocumentFormat::Pdf, 0)
        );
        assert_eq!(
            sniff(b"junk\n%PDF-1.4"),
            Sniffed::Accepted(DocumentFormat::Pdf, 5)
        );
        assert_eq!(
            sniff(&[0xff, 0xd8, 0xff, 0xe0]),
            Sniffed::Accepted(DocumentFormat::Jpeg, 0)
        );
        assert_eq!(
            sniff(&PNG_SIGNATURE),
            Sniffed::Accepted(DocumentFormat::Png, 0)
        );
        assert_eq!(sniff(b"II*\0abcd"), Sniffed::Other(Some("TIFF")));
        assert_eq!(sniff(b"oops\n"), Sniffed::Other(None));
    }

    #[test]
    fn pdf_header_window_is_1024() {
        let mut late = vec![b' '; 1024];
        late.extend_from_slice(b"%PDF-1.4");
        assert_eq!(sniff(&late), Sniffed::Accepted(DocumentFormat::Pdf, 1024));
        let mut too_late = vec![b' '; 1025];
        too_late.extend_from_slice(b"%PDF-1.4");
        assert_eq!(sniff(&too_late), Sniffed::Other(None));
    }

    #[test]
    fn find_works() {
        assert_eq!(find(b"abcabd", b"abd"), Some(3));
        assert_eq!(find(b"ab", b"abc"), None);
        assert_eq!(find(b"aaaa", b"aa"), Some(0));
    }
}

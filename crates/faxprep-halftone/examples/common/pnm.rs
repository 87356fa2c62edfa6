//! Minimal binary PGM (P5, 8-bit) reader and PBM (P4) / PGM writers for
//! the examples. Not part of the library: faxprep never reads PNM.
#![allow(dead_code)] // each example uses part of it

use std::io::Write;

use faxprep_page::{BitPage, GrayPage, Resolution};

/// Read a binary 8-bit PGM.
pub fn read_pgm(path: &str, resolution: Resolution) -> Result<GrayPage, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{path}: {e}"))?;
    let mut pos = 0;
    let mut fields = Vec::new();
    while fields.len() < 4 {
        while pos < bytes.len() && bytes[pos].is_ascii_whitespace() {
            pos += 1;
        }
        if pos < bytes.len() && bytes[pos] == b'#' {
            while pos < bytes.len() && bytes[pos] != b'\n' {
                pos += 1;
            }
            continue;
        }
        let start = pos;
        while pos < bytes.len() && !bytes[pos].is_ascii_whitespace() {
            pos += 1;
        }
        if start == pos {
            return Err(format!("{path}: truncated header"));
        }
        fields.push(String::from_utf8_lossy(&bytes[start..pos]).into_owned());
    }
    pos += 1; // the single whitespace after maxval
    if fields[0] != "P5" || fields[3] != "255" {
        return Err(format!("{path}: not an 8-bit binary PGM"));
    }
    let w: u32 = fields[1]
        .parse()
        .map_err(|_| format!("{path}: bad width"))?;
    let h: u32 = fields[2]
        .parse()
        .map_err(|_| format!("{path}: bad height"))?;
    let n = w as usize * h as usize;
    let data = bytes
        .get(pos..pos + n)
        .ok_or(format!("{path}: truncated pixels"))?
        .to_vec();
    GrayPage::from_raw(w, h, resolution, data).map_err(|e| format!("{path}: {e}"))
}

/// Write a binary PBM (1 = black, as in `BitPage`).
pub fn write_pbm(path: &str, page: &BitPage) -> Result<(), String> {
    let mut out = format!("P4\n{} {}\n", page.width(), page.height()).into_bytes();
    out.extend_from_slice(page.data());
    std::fs::File::create(path)
        .and_then(|mut f| f.write_all(&out))
        .map_err(|e| format!("{path}: {e}"))
}

/// Write a binary PGM.
pub fn write_pgm(path: &str, width: u32, height: u32, data: &[u8]) -> Result<(), String> {
    let mut out = format!("P5\n{width} {height}\n255\n").into_bytes();
    out.extend_from_slice(data);
    std::fs::File::create(path)
        .and_then(|mut f| f.write_all(&out))
        .map_err(|e| format!("{path}: {e}"))
}

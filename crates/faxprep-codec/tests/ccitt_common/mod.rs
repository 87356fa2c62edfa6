//! Helpers shared by the `ccitt_*` integration tests: PBM files, the
//! corpus, independent decoders (the `fax` crate) and libtiff as an oracle
//! (through its command-line tools, with faxprep-testkit's skip policy).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

pub mod fuzz_harness;
pub mod textpage;

use std::path::{Path, PathBuf};
use std::process::Command;

use faxprep_codec::ccitt::Compression;
use faxprep_page::{BitPage, Resolution};

pub use faxprep_testkit::read_pbm;

/// A raw PBM of `page`.
pub fn write_pbm(page: &BitPage) -> Vec<u8> {
    let mut out = format!("P4\n{} {}\n", page.width(), page.height()).into_bytes();
    out.extend_from_slice(page.data());
    out
}

/// The corpus directory, or `None` (skip policy of faxprep-testkit).
pub fn corpus() -> Option<PathBuf> {
    faxprep_testkit::corpus_dir()
}

/// The ITU-T T.24 charts in the corpus, by name.
pub fn charts(corpus: &Path) -> Vec<(String, BitPage)> {
    let mut names: Vec<_> = std::fs::read_dir(corpus)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("spandsp-itu") && n.ends_with(".pbm"))
        .collect();
    names.sort();
    assert!(!names.is_empty(), "no spandsp-itu*.pbm in the corpus");
    names
        .into_iter()
        .map(|n| {
            let page = read_pbm(&std::fs::read(corpus.join(&n)).unwrap(), Resolution::Fine);
            (n, page)
        })
        .collect()
}

/// The generated 1728 x 2200 text page of the benches.
pub fn text_page() -> BitPage {
    textpage::text_page(1728, 2200, Resolution::Fine, 0x5eed)
}

/// Decode G4 with the `fax` crate into packed rows.
pub fn fax_decode_g4(data: &[u8], width: u32, rows: u32) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    fax::decoder::decode_g4(data.iter().copied(), width, Some(rows), |line| {
        pack_line(line, width, &mut out);
    })?;
    Some(out)
}

/// Decode G3 (MH, with RTC) with the `fax` crate into packed rows.
pub fn fax_decode_g3(data: &[u8], width: u32) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    fax::decoder::decode_g3(data.iter().copied(), |line| {
        pack_line(line, width, &mut out)
    })?;
    Some(out)
}

fn pack_line(changes: &[u32], width: u32, out: &mut Vec<u8>) {
    let start = out.len();
    out.resize(start + BitPage::stride_for(width), 0);
    for (x, colour) in fax::decoder::pels(changes, width).enumerate() {
        if colour == fax::Color::Black {
            out[start + x / 8] |= 0x80 >> (x % 8);
        }
    }
}

/// Run a command, panicking with its stderr on failure.
pub fn run(cmd: &mut Command) -> Vec<u8> {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Whether the libtiff and netpbm tools the oracles use are installed
/// (testkit policy: skip with a notice, or fail when oracles are required).
pub fn have_libtiff() -> bool {
    ["tiffcp", "pnmtotiff", "tiffinfo"]
        .iter()
        .all(|t| faxprep_testkit::require_tool(t))
}

/// A scratch directory for oracle files, removed when dropped.
pub fn scratch() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

/// The `tiffcp -c` argument for a mode.
pub fn tiffcp_mode(c: Compression, fill: bool) -> String {
    let base = match c {
        Compression::G3OneD => "g3:1d",
        Compression::G3TwoD => "g3:2d",
        Compression::G4 => "g4",
    };
    if fill && c != Compression::G4 {
        format!("{base}:fill")
    } else {
        base.to_string()
    }
}

/// What libtiff's encoder makes of `page`: PBM -> uncompressed TIFF with
/// WhiteIsZero (`pnmtotiff -miniswhite`) -> `tiffcp -c <mode>` with one
/// strip, and that strip's bytes. The resolution is written so libtiff picks
/// K = 4 for MR (it uses 4 above 150 dpi, 2 below).
pub fn libtiff_encode(page: &BitPage, c: Compression, fill: bool, dir: &Path) -> Vec<u8> {
    let pbm = dir.join("in.pbm");
    std::fs::write(&pbm, write_pbm(page)).unwrap();
    let plain = run(Command::new("pnmtotiff")
        .args(["-none", "-miniswhite", "-yresolution", "196"])
        .arg(&pbm));
    let plain_tif = dir.join("plain.tif");
    std::fs::write(&plain_tif, plain).unwrap();
    let coded = dir.join("coded.tif");
    let rows = page.height().to_string();
    run(Command::new("tiffcp")
        .args(["-r", &rows, "-c", &tiffcp_mode(c, fill)])
        .arg(&plain_tif)
        .arg(&coded));
    let file = std::fs::read(&coded).unwrap();
    let strips = tiff_strips(&file);
    assert_eq!(strips.len(), 1, "tiffcp wrote {} strips", strips.len());
    strips.into_iter().next().unwrap()
}

/// What libtiff decodes a TIFF file to: `tiffcp -c none` into one strip of
/// WhiteIsZero rows, read back with the small parser below. Also returns
/// libtiff's stderr (it exits 0 on corrupt data but complains there).
pub fn libtiff_decode(tif: &Path, dir: &Path) -> (BitPage, String) {
    let plain = dir.join("plain-out.tif");
    let out = Command::new("tiffcp")
        .args(["-c", "none", "-f", "msb2lsb", "-r", "1000000"])
        .arg(tif)
        .arg(&plain)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let file = std::fs::read(&plain).unwrap();
    let info = tiff_info(&file);
    let mut data = tiff_strips(&file).concat();
    if info.fill_order == 2 {
        data.iter_mut().for_each(|b| *b = b.reverse_bits());
    }
    if info.photometric == 1 {
        data.iter_mut().for_each(|b| *b = !*b);
    }
    let page = BitPage::from_packed(info.width, info.height, Resolution::Fine, data).unwrap();
    (page, stderr)
}

/// The few tags the oracles need from a TIFF's first directory.
pub struct TiffInfo {
    pub width: u32,
    pub height: u32,
    pub photometric: u32,
    pub fill_order: u32,
    pub compression: u32,
    pub t4_options: u32,
    pub rows_per_strip: u32,
    pub offsets: Vec<u32>,
    pub counts: Vec<u32>,
}

/// A minimal TIFF directory parser, independent of faxprep's TIFF reader
/// so the oracle does not lean on the code under test.
pub fn tiff_info(file: &[u8]) -> TiffInfo {
    let le = &file[..2] == b"II";
    let u16_at = |o: usize| {
        let b = [file[o], file[o + 1]];
        u32::from(if le {
            u16::from_le_bytes(b)
        } else {
            u16::from_be_bytes(b)
        })
    };
    let u32_at = |o: usize| {
        let b = [file[o], file[o + 1], file[o + 2], file[o + 3]];
        if le {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        }
    };
    let ifd = u32_at(4) as usize;
    let mut info = TiffInfo {
        width: 0,
        height: 0,
        photometric: 0,
        fill_order: 1,
        compression: 1,
        t4_options: 0,
        rows_per_strip: u32::MAX,
        offsets: vec![],
        counts: vec![],
    };
    for i in 0..u16_at(ifd) as usize {
        let e = ifd + 2 + 12 * i;
        let (tag, typ, count) = (u16_at(e), u16_at(e + 2), u32_at(e + 4) as usize);
        if ![256, 257, 259, 262, 266, 273, 278, 279, 292].contains(&tag) {
            continue;
        }
        // SHORT or LONG, inline when they fit in four bytes.
        let size = if typ == 3 { 2 } else { 4 };
        let base = if size * count <= 4 {
            e + 8
        } else {
            u32_at(e + 8) as usize
        };
        let values: Vec<u32> = (0..count)
            .map(|k| {
                if size == 2 {
                    u16_at(base + 2 * k)
                } else {
                    u32_at(base + 4 * k)
                }
            })
            .collect();
        match tag {
            256 => info.width = values[0],
            257 => info.height = values[0],
            259 => info.compression = values[0],
            262 => info.photometric = values[0],
            278 => info.rows_per_strip = values[0],
            292 => info.t4_options = values[0],
            266 => info.fill_order = values[0],
            273 => info.offsets = values,
            279 => info.counts = values,
            _ => {}
        }
    }
    info
}

/// The strips of a TIFF's first directory, in order.
pub fn tiff_strips(file: &[u8]) -> Vec<Vec<u8>> {
    let info = tiff_info(file);
    info.offsets
        .iter()
        .zip(&info.counts)
        .map(|(&o, &n)| file[o as usize..(o + n) as usize].to_vec())
        .collect()
}

/// First differing row of two pages, for readable failures.
pub fn first_diff(a: &BitPage, b: &BitPage) -> Option<u32> {
    (0..a.height().min(b.height())).find(|&y| a.row(y) != b.row(y))
}

/// Assert two pages are identical, naming the first differing row.
#[track_caller]
pub fn assert_same(what: &str, got: &BitPage, want: &BitPage) {
    assert_eq!(
        (got.width(), got.height()),
        (want.width(), want.height()),
        "{what}: size"
    );
    if let Some(y) = first_diff(got, want) {
        panic!("{what}: row {y} differs");
    }
}

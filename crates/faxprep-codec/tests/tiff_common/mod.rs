//! Helpers shared by the `tiff_*` integration tests: PBM files, a generated
//! text-like page, and the external oracles (libtiff's `tifftopnm` and
//! `tiffinfo`, Ghostscript's CCITTFaxDecode).
#![allow(dead_code, clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

use faxprep_page::{BitPage, Resolution};

pub use faxprep_testkit::read_pbm_pages as read_pbm;

/// An ITU-T T.24 chart from the corpus (1728 x 2376), `None` when the corpus
/// is absent.
pub fn chart(corpus: &Path, n: u32) -> BitPage {
    let data = std::fs::read(corpus.join(format!("spandsp-itu{n}.pbm"))).unwrap();
    read_pbm(&data, Resolution::Fine).remove(0)
}

/// A deterministic text-like page: lines of "words" made of glyph cells with
/// strokes, like a typed letter at fine resolution.
pub fn text_page(width: u32, height: u32, resolution: Resolution, seed: u64) -> BitPage {
    let mut page = BitPage::new(width, height, resolution).unwrap();
    let mut state = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let mut rand = move |n: u32| {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((state >> 33) % u64::from(n)) as u32
    };
    let mut y = 120;
    while y + 30 < height.saturating_sub(100) {
        let mut x = 100;
        let line_end = width.saturating_sub(100 + rand(300));
        while x + 14 < line_end {
            let word = 2 + rand(8);
            for _ in 0..word {
                // A glyph: a few vertical and horizontal strokes in a 12 x 20 cell.
                for _ in 0..1 + rand(3) {
                    let gx = x + rand(10);
                    let top = y + rand(8);
                    page.fill_rect(gx, top, gx + 2, y + 20);
                }
                for _ in 0..rand(3) {
                    let gy = y + rand(20);
                    page.fill_rect(x, gy, x + 12, gy + 2);
                }
                x += 14;
            }
            x += 14;
        }
        y += 40;
    }
    page
}

/// A temporary directory for oracle files.
pub fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

/// libtiff's decode of every page of `tiff` (via `tifftopnm -orientraw
/// -respectfillorder`), after checking `tiffinfo -D` reports nothing on
/// stderr (libtiff exits 0 even on corrupt data, so stderr is what tells).
/// `None` when libtiff-tools or netpbm are missing and oracles are not
/// required.
pub fn libtiff_decode(tiff: &[u8], resolution: Resolution) -> Option<Vec<BitPage>> {
    if !faxprep_testkit::require_tool("tiffinfo") || !faxprep_testkit::require_tool("tifftopnm") {
        return None;
    }
    let dir = tempdir();
    let path = dir.path().join("in.tif");
    std::fs::write(&path, tiff).unwrap();
    assert_tiffinfo_clean(&path);
    let out = Command::new("tifftopnm")
        .args(["-orientraw", "-respectfillorder"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "tifftopnm failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(read_pbm(&out.stdout, resolution))
}

/// `tiffinfo -D` must print nothing on stderr for `path`.
pub fn assert_tiffinfo_clean(path: &Path) {
    let out = Command::new("tiffinfo")
        .arg("-D")
        .arg(path)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stderr.trim().is_empty(),
        "tiffinfo -D: {stderr}"
    );
}

/// Run a libtiff tool on `input` (written to a temp file) and return the
/// file it wrote: `tiffcp <args> in.tif out.tif`.
pub fn tiffcp(input: &[u8], args: &[&str]) -> Option<Vec<u8>> {
    if !faxprep_testkit::require_tool("tiffcp") {
        return None;
    }
    let dir = tempdir();
    let (src, dst) = (dir.path().join("in.tif"), dir.path().join("out.tif"));
    std::fs::write(&src, input).unwrap();
    let out = Command::new("tiffcp")
        .args(args)
        .arg(&src)
        .arg(&dst)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stderr.trim().is_empty(),
        "tiffcp: {stderr}"
    );
    Some(std::fs::read(dst).unwrap())
}

/// Ghostscript's CCITTFaxDecode of one strip (most significant bit first):
/// `k` < 0 for G4, 0 for G3 1-D, > 0 for G3 2-D. The strip is wrapped in a
/// PostScript `image` with the filter and rendered one sample per device
/// pixel with `pbmraw`. `None` when gs is missing.
pub fn gs_decode(strip: &[u8], k: i32, width: u32, height: u32) -> Option<BitPage> {
    if !faxprep_testkit::require_tool("gs") {
        return None;
    }
    let dir = tempdir();
    let data: PathBuf = dir.path().join("strip.bin");
    std::fs::write(&data, strip).unwrap();
    let ps = format!(
        "/infile ({}) (r) file def\n/DeviceGray setcolorspace\n{width} {height} scale\n\
         << /ImageType 1 /Width {width} /Height {height} /BitsPerComponent 1 /Decode [0 1]\n\
         /ImageMatrix [{width} 0 0 -{height} 0 {height}]\n\
         /DataSource infile << /K {k} /Columns {width} /Rows {height} /BlackIs1 false \
         /EncodedByteAlign false >> /CCITTFaxDecode filter >> image\nshowpage\n",
        data.display()
    );
    let ps_path = dir.path().join("page.ps");
    std::fs::write(&ps_path, ps).unwrap();
    let out_path = dir.path().join("out.pbm");
    let out = Command::new("gs")
        .args([
            "-q",
            "-dSAFER",
            "-dBATCH",
            "-dNOPAUSE",
            "-sDEVICE=pbmraw",
            "-r72",
        ])
        .arg(format!("-dDEVICEWIDTHPOINTS={width}"))
        .arg(format!("-dDEVICEHEIGHTPOINTS={height}"))
        .arg(format!("--permit-file-read={}/", dir.path().display()))
        .arg(format!("-sOutputFile={}", out_path.display()))
        .arg(&ps_path)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stderr.trim().is_empty(),
        "gs: {stderr}"
    );
    let pbm = std::fs::read(out_path).unwrap();
    Some(read_pbm(&pbm, Resolution::Fine).remove(0))
}

/// The first `rows` rows of `page`.
pub fn top_rows(page: &BitPage, rows: u32) -> BitPage {
    let n = page.stride() * rows as usize;
    BitPage::from_packed(
        page.width(),
        rows,
        page.resolution(),
        page.data()[..n].to_vec(),
    )
    .unwrap()
}

/// Same pixels, whatever the resolution.
pub fn same_pixels(a: &BitPage, b: &BitPage) -> bool {
    a.width() == b.width() && a.height() == b.height() && a.data() == b.data()
}

/// Index of the first differing row, for messages.
pub fn first_diff_row(a: &BitPage, b: &BitPage) -> Option<usize> {
    a.rows().zip(b.rows()).position(|(x, y)| x != y)
}

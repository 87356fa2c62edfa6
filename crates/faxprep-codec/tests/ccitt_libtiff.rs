//! Codec-level oracle: for the same bitmap our coded bytes equal libtiff's
//! (`tiffcp -c g4`, `-c g3`, `-c g3:2d`, with and without `:fill`), byte for
//! byte. T.4/T.6 coding is canonical, so any difference is a bug on one
//! side. (Issue 2: "Our G4 bytes equal libtiff's G4 bytes for the same
//! bitmap".) The TIFF-level oracles live in `tiff_oracles.rs`.

mod ccitt_common;

use ccitt_common::{charts, corpus, have_libtiff, libtiff_encode, scratch, text_page};
use faxprep_codec::ccitt::{Compression, EncodeOptions, encode};
use faxprep_page::{BitPage, Resolution};

/// libtiff's conventions inside a TIFF strip: EOFB after G4, no RTC after
/// G3, K = 4 for MR at 196 dpi.
fn ours(page: &BitPage, c: Compression, fill: bool) -> Vec<u8> {
    let opts = EncodeOptions {
        compression: c,
        k: 4,
        align_eol: fill,
        raw_stream: c == Compression::G4,
    };
    encode(page, &opts)
}

fn assert_bytes_equal(what: &str, ours: &[u8], theirs: &[u8]) {
    if ours != theirs {
        let at = ours.iter().zip(theirs).position(|(a, b)| a != b).unwrap_or(ours.len().min(theirs.len()));
        panic!(
            "{what}: {} bytes vs libtiff's {}, first difference at byte {at}",
            ours.len(),
            theirs.len()
        );
    }
}

fn check(name: &str, page: &BitPage, modes: &[(Compression, bool)]) {
    let dir = scratch();
    for &(c, fill) in modes {
        let theirs = libtiff_encode(page, c, fill, dir.path());
        assert_bytes_equal(&format!("{name} {c} fill={fill}"), &ours(page, c, fill), &theirs);
    }
}

const ALL_MODES: [(Compression, bool); 5] = [
    (Compression::G4, false),
    (Compression::G3OneD, false),
    (Compression::G3OneD, true),
    (Compression::G3TwoD, false),
    (Compression::G3TwoD, true),
];

#[test]
fn itu_charts_code_like_libtiff() {
    let Some(corpus) = corpus() else { return };
    if !have_libtiff() {
        return;
    }
    for (name, page) in charts(&corpus) {
        check(&name, &page, &ALL_MODES);
    }
}

#[test]
fn text_page_codes_like_libtiff() {
    if !have_libtiff() {
        return;
    }
    check("text page", &text_page(), &ALL_MODES);
}

#[test]
fn odd_widths_and_edge_patterns_code_like_libtiff() {
    if !have_libtiff() {
        return;
    }
    // Widths that are not whole bytes or words, runs longer than 2560, and
    // rows that start and end black.
    for width in [1u32, 13, 64, 65, 1728, 2623, 2624, 5200] {
        let mut page = BitPage::new(width, 24, Resolution::Fine).unwrap();
        for y in 0..24u32 {
            match y % 6 {
                0 => {}
                1 => page.fill_rect(0, y, width, y + 1),
                2 => (0..width).step_by(2).for_each(|x| page.set(x, y, true)),
                3 => page.fill_rect(0, y, width / 3 + 1, y + 1),
                4 => page.fill_rect(width / 2, y, width, y + 1),
                _ => (0..width).filter(|x| (x * 7 + y) % 11 < 3).for_each(|x| page.set(x, y, true)),
            }
        }
        check(&format!("width {width}"), &page, &ALL_MODES);
    }
}

//! The line screen (`Method::Line`, and `auto`'s photo tiles): the tone of
//! a flat gray is kept, flat tone repeats rows (what T.6 codes in one bit
//! per edge), a photo-like page costs far fewer G4 bytes than
//! Floyd-Steinberg (coded by our codec, read back by the `fax` crate), and
//! the output is the same for any thread count.

mod common;

use common::draw;
use faxprep_codec::{EncodeOptions, encode};
use faxprep_halftone::{HalftoneOptions, Method, halftone, halftone_coarser, halftone_with_report};
use faxprep_page::{BitPage, GrayPage};

fn flat(width: u32, height: u32, v: u8) -> GrayPage {
    let mut page = draw::page(width, height);
    page.data_mut().fill(v);
    page
}

/// The page's mean gray level as the 1-bit page shows it (255 = white).
fn mean_level(bits: &BitPage) -> f64 {
    let pixels = f64::from(bits.width()) * f64::from(bits.height());
    255.0 * (1.0 - bits.count_black() as f64 / pixels)
}

/// Rows equal to the row above.
fn repeats(bits: &BitPage) -> u32 {
    (1..bits.height())
        .map(|y| u32::from(bits.row(y) == bits.row(y - 1)))
        .sum()
}

/// Black pixels in each `period`-wide cell of row `y`.
fn widths(bits: &BitPage, y: u32, period: u32) -> Vec<u32> {
    (0..bits.width() / period)
        .map(|c| {
            (c * period..(c + 1) * period)
                .filter(|&x| bits.get(x, y))
                .count() as u32
        })
        .collect()
}

/// A photo-like page the width of a fax: soft blobs over a shade, with a
/// little noise (the drawn photo), three of them down the page.
fn photo_page() -> GrayPage {
    let mut page = draw::page(1728, 960);
    for (i, seed) in [5u32, 9, 13].into_iter().enumerate() {
        draw::photo(&mut page, 0, i as u32 * 320, 1728, 320, seed);
    }
    page
}

#[test]
fn flat_gray_keeps_its_tone_at_every_level() {
    // 240 pixels: whole cells of periods 5, 6 and 8 (48, 40 and 30 lines).
    for period in [5u8, 6, 8] {
        for v in 0..=255u8 {
            let bits = halftone(&flat(240, 300, v), Method::Line(period));
            let mean = mean_level(&bits);
            assert!(
                (mean - f64::from(v)).abs() <= 1.0,
                "period {period}, level {v}: the page shows {mean:.2}"
            );
        }
    }
}

#[test]
fn flat_tone_repeats_rows_and_moves_one_edge_at_a_time() {
    let (width, height) = (240u32, 300u32);
    let cells = width / u32::from(Method::LINE_PERIOD);
    for v in 0..=255u8 {
        let page = flat(width, height, v);
        let bits = halftone(&page, Method::Line(Method::LINE_PERIOD));
        let same = repeats(&bits);
        // Most rows are the row above again (V0 codes only) ...
        assert!(
            same * 2 >= height - 1,
            "level {v}: only {same} of {} rows repeat",
            height - 1
        );
        // ... and where a row differs, each line grew or shrank by one
        // pixel (one edge moved: VR1 or VL1).
        let full = u32::from(Method::LINE_PERIOD);
        for y in 1..height {
            let (above, here) = (widths(&bits, y - 1, full), widths(&bits, y, full));
            for (c, (&a, &b)) in above.iter().zip(&here).enumerate() {
                assert!(
                    a.abs_diff(b) <= 1,
                    "level {v}, row {y}, cell {c}: width {a} -> {b}"
                );
            }
        }
        assert_eq!(widths(&bits, 0, full).len() as u32, cells);
    }
    // Blue noise, for contrast: almost no row of a mid-gray repeats.
    let same = repeats(&halftone(&flat(width, height, 128), Method::FloydSteinberg));
    assert!(same * 10 < height, "floyd-steinberg repeats {same} rows");
}

#[test]
fn a_photo_costs_far_fewer_g4_bytes_than_floyd_steinberg() {
    let page = photo_page();
    let g4 = |bits: &BitPage| {
        let coded = encode(bits, &EncodeOptions::g4().with_raw_stream(true));
        // Read back by an independent decoder: the bytes are a valid G4
        // stream of exactly these pixels.
        let mut rows = Vec::new();
        let done = fax::decoder::decode_g4(
            coded.iter().copied(),
            bits.width(),
            Some(bits.height()),
            |line| {
                let start = rows.len();
                rows.resize(start + BitPage::stride_for(bits.width()), 0u8);
                for (x, colour) in fax::decoder::pels(line, bits.width()).enumerate() {
                    if colour == fax::Color::Black {
                        rows[start + x / 8] |= 0x80 >> (x % 8);
                    }
                }
            },
        );
        assert!(done.is_some(), "the fax crate decodes the page");
        assert_eq!(rows, bits.data(), "the fax crate reads the same pixels");
        coded.len()
    };
    let fs = g4(&halftone(&page, Method::FloydSteinberg));
    let line = g4(&halftone(&page, Method::Line(Method::LINE_PERIOD)));
    let auto = g4(&halftone(&page, Method::Auto));
    eprintln!("G4 bytes: floyd-steinberg {fs}, line {line}, auto {auto}");
    assert!(line * 3 < fs, "line {line} vs floyd-steinberg {fs}");
    assert!(auto * 3 < fs, "auto {auto} vs floyd-steinberg {fs}");
    // Coarser screens cost fewer bytes still.
    let one = HalftoneOptions::with_threads(1);
    let mut last = line;
    for period in [6u8, 7, 8] {
        let (bits, report) = halftone_coarser(&page, Method::Auto, period, &one);
        assert_eq!(report.screen_period, Some(period));
        let bytes = g4(&bits);
        assert!(bytes < last, "period {period}: {bytes} >= {last}");
        last = bytes;
    }
}

#[test]
fn the_screen_keeps_the_photo_tone() {
    // The blurred error (sigma 1.5 px, where the screen's lines still show)
    // stays far below a threshold's, which loses the tone.
    let page = photo_page();
    let (w, h) = (page.width(), page.height());
    let mae = |m: Method| common::tone::blurred_mae(&page, &halftone(&page, m), 0, 0, w, h);
    let (line, fs, cut) = (
        mae(Method::Line(Method::LINE_PERIOD)),
        mae(Method::FloydSteinberg),
        mae(Method::Threshold(128)),
    );
    eprintln!("blurred MAE: line {line:.2}, floyd-steinberg {fs:.2}, threshold {cut:.2}");
    assert!(line * 3.0 < cut, "line {line:.2}, threshold {cut:.2}");
}

#[test]
fn the_same_for_any_thread_count() {
    let mut page = photo_page();
    draw::text(&mut page, 40, 20, 24, 0, 0, "CAPTION 12");
    for method in [Method::Line(5), Method::Line(7), Method::Auto] {
        let base = halftone_with_report(&page, method, &HalftoneOptions::with_threads(1)).0;
        for threads in [2, 3, 0] {
            let other =
                halftone_with_report(&page, method, &HalftoneOptions::with_threads(threads)).0;
            assert_eq!(base, other, "{method}: {threads} threads");
        }
    }
}

#[test]
fn line_parses_with_its_period() {
    assert_eq!("line".parse::<Method>(), Ok(Method::Line(5)));
    assert_eq!(" LINE=8 ".parse::<Method>(), Ok(Method::Line(8)));
    assert_eq!(Method::Line(5).to_string(), "line");
    assert_eq!(Method::Line(8).to_string(), "line=8");
    for bad in ["line=2", "line=17", "line=", "line=x"] {
        let e = bad.parse::<Method>().unwrap_err().to_string();
        assert!(e.starts_with("line period "), "{bad}: {e}");
    }
    // Whatever was asked of halftone_coarser, the period stays in range.
    let page = flat(40, 8, 100);
    let one = HalftoneOptions::with_threads(1);
    let (_, r) = halftone_coarser(&page, Method::FloydSteinberg, 200, &one);
    assert_eq!(r.method, Method::Line(Method::LINE_PERIOD_MAX));
    let (_, r) = halftone_coarser(&page, Method::Threshold(128), 8, &one);
    assert_eq!((r.method, r.screen_period), (Method::Threshold(128), None));
}

//! Pictures of paper (issue 13): a text page photographed at an angle, in
//! a shadow, on yellowed paper, lying on a dark textured table, comes back
//! upright, white and readable; a photo stays a photo; a photo beside text
//! keeps both without seams.
//!
//! The text page is Times-Roman set by Ghostscript (an independent
//! renderer) when it is installed, and the tests' own block font
//! otherwise; the picture of it is made by `faxprep_testkit::pictures`,
//! with a projective map and a shading of its own.

mod common;

use std::process::Command;

use common::draw;
use faxprep_halftone::{Content, HalftoneOptions, Method, halftone_with_report, paper_facts};
use faxprep_page::{BitPage, GrayPage};
use faxprep_testkit::pictures::{LETTER, flat_blocks, letter_page, photograph};
use faxprep_testkit::{require_tool, write_pbm};

const W: u32 = 1728;
const H: u32 = 2156;

/// The flat letter: Ghostscript's Times-Roman when gs is installed (and
/// `true`), else the tests' block font.
fn flat_page() -> (GrayPage, bool) {
    if let Some(page) = letter_page() {
        return (page, true);
    }
    let mut page = draw::page(W, H);
    for (i, line) in LETTER.iter().enumerate() {
        let upper = line.to_uppercase();
        draw::text(&mut page, 200, 300 + 70 * i as u32, 40, 0, 20, &upper);
    }
    (page, false)
}

/// Share of the rows from the first to the last with black that have none
/// (the gaps between level text lines).
fn empty_row_share(bits: &BitPage) -> f64 {
    let inked: Vec<bool> = (0..bits.height())
        .map(|y| bits.row(y).iter().any(|&b| b != 0))
        .collect();
    let first = inked.iter().position(|&b| b).unwrap_or(0);
    let last = inked.iter().rposition(|&b| b).unwrap_or(0);
    let span = &inked[first..=last];
    span.iter().filter(|&&b| !b).count() as f64 / span.len() as f64
}

/// Black pixels within `margin` of the page's edges.
fn black_near_edges(bits: &BitPage, margin: u32) -> u64 {
    let mut n = 0;
    for y in 0..bits.height() {
        for x in 0..bits.width() {
            let edge = x < margin
                || y < margin
                || x >= bits.width() - margin
                || y >= bits.height() - margin;
            n += u64::from(edge && bits.get(x, y));
        }
    }
    n
}

/// Tesseract's words (lower case, 3 letters or more) on `bits`.
fn ocr_words(bits: &BitPage) -> Vec<String> {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("page.pbm");
    std::fs::write(&path, write_pbm(bits)).expect("written");
    let out = Command::new("tesseract")
        .arg(&path)
        .args(["-", "--dpi", "204", "-l", "eng"])
        .output()
        .expect("tesseract runs");
    words(&String::from_utf8_lossy(&out.stdout))
}

fn words(text: &str) -> Vec<String> {
    text.to_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| w.len() >= 3)
        .map(str::to_owned)
        .collect()
}

/// Share of the letter's words found in `got`, with repeats counted.
fn recall(got: &[String]) -> f64 {
    let want = words(&LETTER.join(" "));
    let mut pool = got.to_vec();
    let mut found = 0;
    for w in &want {
        if let Some(i) = pool.iter().position(|g| g == w) {
            pool.swap_remove(i);
            found += 1;
        }
    }
    f64::from(found) / want.len() as f64
}

#[test]
fn a_photographed_letter_comes_back_upright_white_and_readable() {
    let (flat, real_font) = flat_page();
    let picture = photograph(&flat);
    let opts = HalftoneOptions::default();
    let facts = paper_facts(&picture);
    assert!(facts.is_paper && facts.corners, "{facts:?}");

    let (bits, report) = halftone_with_report(&picture, Method::Auto, &opts);
    assert_eq!(report.content, Content::PaperPhoto);
    let (flat_bits, _) = halftone_with_report(&flat, Method::Auto, &opts);

    // The table, the shadow and the yellow are gone: nothing black along
    // the edges, and about as much ink as the flat page has.
    assert_eq!(black_near_edges(&bits, 40), 0);
    let ratio = bits.count_black() as f64 / flat_bits.count_black() as f64;
    assert!((0.6..1.6).contains(&ratio), "ink ratio {ratio}");
    // Level lines: the gaps between them run across the page, as on the
    // flat page (a 6 degree turn over a 1,000-pixel line fills them).
    let (got, want) = (empty_row_share(&bits), empty_row_share(&flat_bits));
    assert!(got >= 0.75 * want, "empty rows {got:.3} vs flat {want:.3}");

    if real_font && require_tool("tesseract") {
        let (r_flat, r_photo) = (recall(&ocr_words(&flat_bits)), recall(&ocr_words(&bits)));
        assert!(r_flat >= 0.9, "the flat page reads {r_flat}");
        assert!(r_photo >= r_flat - 0.05, "photo {r_photo} vs flat {r_flat}");
    }
}

#[test]
fn without_the_paper_analysis_the_photographed_letter_is_dithered() {
    // What the flattening saves: the same picture through the text and
    // photo rules alone (`auto` without the paper step is no method of
    // its own; Floyd-Steinberg is what its photo tiles were).
    let (flat, _) = flat_page();
    let picture = photograph(&flat);
    let (paper, _) = halftone_with_report(&picture, Method::Auto, &HalftoneOptions::default());
    let dithered = halftone_with_report(
        &picture,
        Method::FloydSteinberg,
        &HalftoneOptions::default(),
    )
    .0;
    assert!(paper.count_black() * 4 < dithered.count_black());
}

#[test]
fn document_forces_the_flattening_and_keeps_a_flat_page_whole() {
    let (flat, _) = flat_page();
    let (forced, report) =
        halftone_with_report(&flat, Method::Document, &HalftoneOptions::default());
    assert_eq!(report.content, Content::PaperPhoto);
    let (plain, _) = halftone_with_report(&flat, Method::Auto, &HalftoneOptions::default());
    // Nothing to correct on a flat page: the same text, at most its edges
    // softened.
    let ratio = forced.count_black() as f64 / plain.count_black() as f64;
    assert!((0.8..1.25).contains(&ratio), "{ratio}");
    assert!(empty_row_share(&forced) >= 0.9 * empty_row_share(&plain));
}

#[test]
fn a_photo_stays_a_photo() {
    for seed in [2, 5, 9] {
        let mut page = draw::page(W, H);
        draw::photo(&mut page, 0, 0, W, H, seed);
        let facts = paper_facts(&page);
        assert!(!facts.is_paper, "seed {seed}: {facts:?}");
        let (_, report) = halftone_with_report(&page, Method::Auto, &HalftoneOptions::default());
        assert_eq!(report.content, Content::Photo, "seed {seed}");
    }
}

#[test]
fn a_photo_beside_text_has_no_seams() {
    let mut page = draw::page(W, H);
    for i in 0..8 {
        draw::text(
            &mut page,
            120,
            100 + 50 * i,
            32,
            0,
            0,
            "INSURANCE CARD FRONT AND BACK",
        );
    }
    let (x0, y0, w, h) = (160, 600, 1400, 1300);
    draw::photo(&mut page, x0, y0, w, h, 4);
    let (bits, report) = halftone_with_report(&page, Method::Auto, &HalftoneOptions::default());
    assert_eq!(report.content, Content::Mixed);
    // Inside the photo, no 16 x 16 block is cut to all white or all black
    // where the picture itself is a mid-tone.
    let seams = flat_blocks(&page, &bits, x0, y0, x0 + w, y0 + h);
    assert!(
        seams.is_empty(),
        "{} seam blocks, first {:?}",
        seams.len(),
        seams.first()
    );
    // The text above stays crisp text.
    assert!(!bits.get(100, 90) && (100..140).any(|y| (120..600).any(|x| bits.get(x, y))));
}

#[test]
fn a_photo_printed_on_the_photographed_sheet_stays_a_photo() {
    let (mut flat, _) = flat_page();
    // A picture below the letter's text.
    let (x0, y0, w, h) = (300, 1550, 1100, 500);
    draw::photo(&mut flat, x0, y0, w, h, 6);
    let picture = photograph(&flat);
    let (bits, report) = halftone_with_report(&picture, Method::Auto, &HalftoneOptions::default());
    if std::env::var_os("PAPER_TEST_DUMP").is_some() {
        let mut f = format!("P5\n{W} {H}\n255\n").into_bytes();
        f.extend_from_slice(picture.data());
        std::fs::write("/tmp/printed.pgm", f).unwrap();
        std::fs::write("/tmp/printed.pbm", write_pbm(&bits)).unwrap();
    }
    assert_eq!(report.content, Content::PaperPhoto);
    assert!(report.photo_fraction > 0.05, "{report:?}");
    // The flattened page maps the sheet back onto the page at about the
    // size it had: the middle of the printed photo (a third of it) is
    // halftoned in tone, not cut to white or black.
    let (cx0, cy0) = (x0 + w / 3, y0 + h / 3);
    let (mut black, mut all) = (0u32, 0u32);
    for y in cy0..cy0 + h / 3 {
        for x in cx0..cx0 + w / 3 {
            black += u32::from(bits.get(x, y));
            all += 1;
        }
    }
    let share = f64::from(black) / f64::from(all);
    assert!((0.1..0.9).contains(&share), "black share {share}");
}

#[test]
fn any_page_size_and_content_is_analysed_without_panic() {
    // Pages of every awkward shape: one pixel, one row, one column, sizes
    // that are no multiple of a cell or a tile, all white, all black,
    // noise, a bright square on black.
    let mut seed = 7u64;
    let mut next = || {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        (seed >> 56) as u8
    };
    for (w, h) in [
        (1, 1),
        (1, 900),
        (900, 1),
        (7, 9),
        (17, 33),
        (333, 41),
        (1728, 24),
    ] {
        for fill in 0..4 {
            let mut page = draw::page(w, h);
            for y in 0..h {
                for x in 0..w {
                    let v = match fill {
                        0 => 255,
                        1 => 0,
                        2 => next(),
                        _ => {
                            let inside = x > w / 4 && x < 3 * w / 4 && y > h / 4 && y < 3 * h / 4;
                            if inside { 230 } else { 20 }
                        }
                    };
                    page.set(x, y, v);
                }
            }
            let _ = paper_facts(&page);
            for method in [Method::Auto, Method::Document] {
                let (bits, _) = halftone_with_report(&page, method, &HalftoneOptions::default());
                assert_eq!((bits.width(), bits.height()), (w, h));
            }
        }
    }
}

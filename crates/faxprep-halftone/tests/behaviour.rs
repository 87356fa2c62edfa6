//! What every method must do on pages the tests draw themselves
//! (issue 5: legibility safeguards).

mod common;

use common::draw::{self, Lcg};
use faxprep_halftone::{HalftoneOptions, Method, classify, halftone, halftone_with_report};
use faxprep_page::{BitPage, GrayPage};

const ALL: [Method; 9] = Method::ALL;
/// The methods that never dither text or tints.
const THRESHOLDS: [Method; 3] = [Method::Auto, Method::Threshold(128), Method::Adaptive];

fn black_in(bits: &BitPage, x0: u32, y0: u32, x1: u32, y1: u32) -> u64 {
    let mut n = 0;
    for y in y0..y1 {
        for x in x0..x1 {
            n += u64::from(bits.get(x, y));
        }
    }
    n
}

#[test]
fn solid_strokes_stay_solid_black_and_gray() {
    // Strokes 3 px wide of black and of the dark grays forms use.
    let mut page = draw::page(400, 200);
    for (i, ink) in [0u8, 80, 100, 120, 140].into_iter().enumerate() {
        let x = 20 + 60 * i as u32;
        draw::fill(&mut page, x, 20, x + 3, 180, ink); // vertical stem
        draw::fill(&mut page, x, 100, x + 40, 103, ink); // horizontal bar
        // A wide block of the same gray (a bold glyph or a filled box).
        draw::fill(&mut page, x + 10, 30, x + 50, 90, ink);
    }
    for method in [Method::Auto, Method::Adaptive] {
        let bits = halftone(&page, method);
        for (i, ink) in [0u8, 80, 100, 120, 140].into_iter().enumerate() {
            let x = 20 + 60 * i as u32;
            assert_eq!(
                black_in(&bits, x, 20, x + 3, 180),
                3 * 160,
                "{method}: stem of gray {ink}"
            );
            assert_eq!(
                black_in(&bits, x, 100, x + 40, 103),
                3 * 40,
                "{method}: bar of gray {ink}"
            );
            if method == Method::Auto {
                assert_eq!(
                    black_in(&bits, x + 10, 30, x + 50, 90),
                    40 * 60,
                    "block of gray {ink}"
                );
            }
        }
    }
}

#[test]
fn gray_text_is_solid_not_dotted() {
    // Anti-aliased block letters in gray 100 (as in IRS forms): the core of
    // every stroke is black, and nothing is dotted (no isolated pixels).
    let mut page = draw::page(300, 60);
    draw::text(&mut page, 10, 10, 40, 5, 100, "FORM 1040");
    let bits = halftone(&page, Method::Auto);
    for y in 0..60 {
        for x in 0..300 {
            if page.get(x, y) == 100 {
                assert!(bits.get(x, y), "core pixel ({x}, {y}) is white");
            }
            if bits.get(x, y) {
                let n = (0..9)
                    .filter(|i| (i % 3, i / 3) != (1, 1))
                    .filter(|i| bits.get((x + i % 3).wrapping_sub(1), (y + i / 3).wrapping_sub(1)))
                    .count();
                assert!(n > 0, "isolated black pixel at ({x}, {y})");
            }
        }
    }
}

#[test]
fn a_light_tint_never_swallows_a_stroke() {
    // A 10% tint (230) box with a black and a gray-100 stroke across it.
    let mut page = draw::page(200, 100);
    draw::fill(&mut page, 10, 10, 190, 90, 230);
    draw::fill(&mut page, 20, 48, 180, 51, 0);
    draw::fill(&mut page, 20, 70, 180, 72, 100);
    for method in ALL {
        let bits = halftone(&page, method);
        // The strokes are there (the gray one at least as a dense dither) ...
        let black = black_in(&bits, 20, 48, 180, 51);
        assert!(
            black >= 3 * 160 * 95 / 100,
            "{method}: black stroke lost ({black})"
        );
        let gray = black_in(&bits, 20, 70, 180, 72);
        assert!(gray >= 2 * 160 / 2, "{method}: gray stroke lost ({gray})");
        // ... and the tint around them is white or a light dither.
        let tint = black_in(&bits, 10, 10, 190, 45);
        assert!(
            tint * 100 <= 20 * 180 * 35,
            "{method}: tint is {tint} black"
        );
        if THRESHOLDS.contains(&method) {
            assert_eq!(tint, 0, "{method}: a light tint is white");
            assert_eq!(black + gray, 5 * 160, "{method}: strokes are solid");
        }
    }
}

#[test]
fn a_gradient_has_monotone_density() {
    let mut page = draw::page(1024, 256);
    draw::hgradient(&mut page, 0, 0, 1024, 256, 0, 255);
    // `document` takes a page for paper under uneven light: a gradient is
    // the light it divides out (tests/paper.rs).
    for method in ALL.into_iter().filter(|&m| m != Method::Document) {
        let bits = halftone(&page, method);
        // Bands of 40 pixels: whole cells of the 5- and 8-pixel screens.
        let band = 40;
        let density: Vec<u64> = (0..1024 / band)
            .map(|b| black_in(&bits, b * band, 0, (b + 1) * band, 256))
            .collect();
        for w in density.windows(2) {
            assert!(
                w[0] >= w[1],
                "{method}: black density rises with lighter gray: {density:?}"
            );
        }
        assert!(
            density[0] > density[density.len() - 1],
            "{method}: {density:?}"
        );
    }
    // auto dithers a gradient as continuous tone: the mid bands are neither
    // black nor white.
    let bits = halftone(&page, Method::Auto);
    let mid = black_in(&bits, 480, 0, 544, 256);
    assert!(
        (64 * 256 * 3 / 10..64 * 256 * 7 / 10).contains(&mid),
        "auto: mid band {mid}"
    );
}

#[test]
fn a_hairline_stays_connected() {
    let mut page = draw::page(300, 120);
    // 1 px at gray 160 (an anti-aliased hairline), across and down.
    draw::hline(&mut page, 10, 290, 30 * 16 + 8, 16, 160);
    draw::vline(&mut page, 150 * 16 + 8, 40, 110, 16, 160);
    // A 0.25 pt rule (0.7 px) that falls between two rows: two rows of
    // about 170.
    draw::hline(&mut page, 10, 290, 60 * 16, 11, 0);
    // A faint diagonal: one pixel a column, gray 170, stepping down every
    // fourth column (right of the vertical one, which it would cross).
    for x in 160..290u32 {
        page.set(x, 80 + (x - 160) / 5, 170);
    }
    for method in [Method::Auto, Method::Adaptive] {
        let bits = halftone(&page, method);
        assert!(
            (10..290).all(|x| bits.get(x, 30)),
            "{method}: hairline broken"
        );
        assert!(
            (40..110).all(|y| bits.get(150, y)),
            "{method}: vertical hairline broken"
        );
        assert!(
            (10..290).all(|x| bits.get(x, 59) || bits.get(x, 60)),
            "{method}: rule broken"
        );
        assert!(
            (160..290).all(|x| bits.get(x, 80 + (x - 160) / 5)),
            "{method}: diagonal broken"
        );
    }
}

#[test]
fn small_text_keeps_its_counters_open() {
    // Two 1.5 px strokes 2 px apart (the counter of a 6 pt "o"): the gap,
    // half covered by anti-aliasing, stays white.
    let mut page = draw::page(60, 40);
    draw::ink_rect16(&mut page, 10 * 16, 8 * 16, 10 * 16 + 24, 30 * 16, 0);
    draw::ink_rect16(
        &mut page,
        10 * 16 + 24 + 32,
        8 * 16,
        10 * 16 + 48 + 32,
        30 * 16,
        0,
    );
    let bits = halftone(&page, Method::Auto);
    let gap_x = 12; // fully inside the 2 px gap
    for y in 10..28 {
        assert!(!bits.get(gap_x, y), "counter closed at row {y}");
        assert!(bits.get(10, y) && bits.get(14, y), "strokes at row {y}");
    }
}

#[test]
fn blank_pages_are_blank() {
    let white = draw::page(500, 300);
    for method in ALL {
        let (bits, report) = halftone_with_report(&white, method, &HalftoneOptions::default());
        assert!(bits.is_blank(), "{method}");
        assert!(report.nearly_blank);
    }
    // A scan's off-white background, 230 to 250, is paper.
    let mut noisy = draw::page(500, 300);
    draw::paper_noise(&mut noisy, 230, 250, 5);
    for method in THRESHOLDS {
        let (bits, report) = halftone_with_report(&noisy, method, &HalftoneOptions::default());
        assert!(bits.is_blank(), "{method}: {} black", bits.count_black());
        assert!(report.nearly_blank);
    }
    // ... also with darker text on it.
    draw::text(&mut noisy, 20, 20, 32, 0, 40, "SCAN");
    let (bits, report) = halftone_with_report(&noisy, Method::Auto, &HalftoneOptions::default());
    assert!(!report.nearly_blank);
    assert_eq!(report.photo_fraction, 0.0, "a scanned page of text is text");
    assert_eq!(black_in(&bits, 0, 0, 500, 15), 0);
}

#[test]
fn output_is_identical_for_any_thread_count() {
    let mut page = draw::form(400, 200);
    draw::photo(&mut page, 0, 120, 400, 80, 3);
    let mut rng = Lcg(9);
    for _ in 0..500 {
        let (x, y) = (rng.below(400), rng.below(200));
        page.set(x, y, rng.below(256) as u8);
    }
    // Taller than one band of every method, and not a multiple of any.
    let mut tall = GrayPage::new(333, 517, page.resolution()).expect("page");
    for y in 0..517 {
        for x in 0..333 {
            tall.set(x, y, page.get(x % 400, y % 200));
        }
    }
    for method in ALL {
        let one = halftone_with_report(&tall, method, &HalftoneOptions::with_threads(1)).0;
        for threads in [0, 2, 3, 7] {
            let many =
                halftone_with_report(&tall, method, &HalftoneOptions::with_threads(threads)).0;
            assert_eq!(one, many, "{method} with {threads} threads");
        }
    }
}

/// A page handed back with `recycle` lends its buffer to the next page on
/// the thread: whatever the last page left in it, and whatever its size,
/// the next page comes out as it does on a fresh buffer.
#[test]
fn a_recycled_page_changes_nothing_on_the_next() {
    let mut next = draw::form(300, 180);
    draw::photo(&mut next, 0, 100, 300, 80, 5);
    let one = HalftoneOptions::with_threads(1);
    for method in ALL {
        let fresh = halftone_with_report(&next, method, &one).0;
        // All black, larger and smaller than the next page.
        for (w, h) in [(400, 300), (300, 180), (120, 50)] {
            let mut black = GrayPage::new(w, h, next.resolution()).expect("page");
            draw::fill(&mut black, 0, 0, w, h, 0);
            let last = halftone_with_report(&black, method, &one).0;
            assert_eq!(last.count_black(), u64::from(w * h), "{method}");
            faxprep_halftone::recycle(last);
            let again = halftone_with_report(&next, method, &one).0;
            assert_eq!(fresh, again, "{method} after a {w} x {h} black page");
        }
    }
}

#[test]
fn photos_are_dithered_and_text_is_not() {
    let mut page = draw::page(800, 600);
    draw::text(&mut page, 20, 20, 32, 3, 0, "PRESCRIPTION 250 MG");
    draw::photo(&mut page, 200, 150, 400, 300, 11);
    let map = classify(&page, &HalftoneOptions::default());
    for ty in 0..map.rows() {
        let line: String = (0..map.cols())
            .map(|tx| if map.is_photo_tile(tx, ty) { '#' } else { '.' })
            .collect();
        eprintln!("{line}");
    }
    assert!(!map.is_photo_pixel(40, 30), "text is not a photo");
    assert!(map.is_photo_pixel(400, 300), "the middle of the photo is");
    let inside = (150..450)
        .step_by(16)
        .flat_map(|y| (200..600).step_by(16).map(move |x| (x, y)));
    let hits = inside
        .clone()
        .filter(|&(x, y)| map.is_photo_pixel(x, y))
        .count();
    assert!(
        hits * 100 >= inside.count() * 85,
        "most of the photo is found"
    );
    let (_, report) = halftone_with_report(&page, Method::Auto, &HalftoneOptions::default());
    assert!((0.2..0.4).contains(&report.photo_fraction), "{report:?}");
}

#[test]
fn method_names_round_trip() {
    for method in ALL {
        assert_eq!(method.name().parse::<Method>(), Ok(method));
        assert_eq!(method.to_string().parse::<Method>(), Ok(method));
    }
    assert_eq!("diffuse".parse::<Method>(), Ok(Method::FloydSteinberg));
    assert_eq!(
        "Threshold=140".parse::<Method>(),
        Ok(Method::Threshold(140))
    );
    assert!("threshold=300".parse::<Method>().is_err());
    assert!(
        "sharpie"
            .parse::<Method>()
            .unwrap_err()
            .to_string()
            .contains("unknown halftone method")
    );
}

#[test]
fn known_white_tiles_change_nothing() {
    // Text, a photo, a mid-gray tint (kept white only because its tiles'
    // brightest pixel, read or known, is its own gray) and an off-white
    // patch (254: not paper white, so never in a known-white tile), with
    // wide white margins, on a page that is not a whole number of tiles.
    let mut page = draw::page(803, 611);
    draw::text(&mut page, 40, 30, 32, 3, 0, "PRESCRIPTION 250 MG");
    draw::photo(&mut page, 300, 200, 300, 200, 5);
    for y in 500..560 {
        for x in 100..700 {
            page.set(x, y, if x < 400 { 140 } else { 254 });
        }
    }
    let (cols, rows) = page.tiles();
    let white: Vec<bool> = (0..rows)
        .flat_map(|ty| (0..cols).map(move |tx| (tx, ty)))
        .map(|(tx, ty)| {
            let (x0, y0) = (tx as u32 * 16, ty as u32 * 16);
            (y0..(y0 + 16).min(611))
                .all(|y| (x0..(x0 + 16).min(803)).all(|x| page.get(x, y) == 255))
        })
        .collect();
    let known = white.iter().filter(|&&w| w).count();
    assert!(known * 3 > white.len(), "only {known} white tiles");
    let mut hinted = page.clone();
    assert!(hinted.set_white_tiles(white));
    let opts = HalftoneOptions::with_threads(1);
    let plain = halftone_with_report(&page, Method::Auto, &opts);
    let with_hint = halftone_with_report(&hinted, Method::Auto, &opts);
    assert_eq!(plain.0, with_hint.0);
    assert_eq!(plain.1.photo_fraction, with_hint.1.photo_fraction);
    assert_eq!(plain.1.paper_level, with_hint.1.paper_level);
    assert!(plain.1.photo_fraction > 0.0, "the photo is found");
}

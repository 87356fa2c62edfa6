//! Photos keep their tone under `auto` as well as under the line screen
//! on its own (blurred MAE on photo regions no worse).
//!
//! `auto` takes its photo tiles from the line screen of the whole page, so
//! inside a photo region the two are the same pixels; only where the blur
//! reaches past the region's rim into thresholded text or paper can they
//! differ.

mod common;

use common::{draw, tone::blurred_mae};
use faxprep_halftone::{HalftoneOptions, Method, classify, halftone};
use faxprep_page::GrayPage;

/// A picture with a caption, the way a photo sits on a page; the photo's
/// rectangle.
fn captioned_photo(seed: u32) -> (GrayPage, (u32, u32, u32, u32)) {
    let mut page = draw::page(640, 480);
    draw::text(&mut page, 20, 16, 24, 0, 0, "FIG 1 CHEST X RAY");
    let (x0, y0, w, h) = (96, 64, 448, 352);
    draw::photo(&mut page, x0, y0, w, h, seed);
    (page, (x0, y0, w, h))
}

#[test]
fn auto_screens_photo_tiles_exactly_as_the_line_screen() {
    for seed in [3, 7, 11] {
        let (page, _) = captioned_photo(seed);
        let map = classify(&page, &HalftoneOptions::default());
        let auto = halftone(&page, Method::Auto);
        let fs = halftone(&page, Method::Line(Method::LINE_PERIOD));
        let mut photo = 0;
        for y in 0..page.height() {
            for x in 0..page.width() {
                if map.is_photo_pixel(x, y) {
                    photo += 1;
                    assert_eq!(auto.get(x, y), fs.get(x, y), "seed {seed}: ({x}, {y})");
                }
            }
        }
        // The picture was found (most of its 448 x 352 pixels).
        assert!(
            photo > 448 * 352 * 9 / 10,
            "seed {seed}: {photo} photo pixels"
        );
        // The caption is not part of it: its strokes stay those of the
        // contrast rule, solid where the screen breaks them into lines.
        let caption = (16..40).flat_map(|y| (20..420).map(move |x| (x, y)));
        assert!(caption.clone().all(|(x, y)| !map.is_photo_pixel(x, y)));
        assert!(caption.clone().any(|(x, y)| auto.get(x, y) != fs.get(x, y)));
    }
}

#[test]
fn auto_keeps_photo_tone_like_the_line_screen() {
    for seed in [3, 7, 11] {
        let (page, (x0, y0, w, h)) = captioned_photo(seed);
        let auto = halftone(&page, Method::Auto);
        let fs = halftone(&page, Method::Line(Method::LINE_PERIOD));
        // Inside the photo, past the blur's reach (3 sigma) from its rim:
        // the same.
        let (i0, j0, i1, j1) = (x0 + 16, y0 + 16, x0 + w - 16, y0 + h - 16);
        let inner_auto = blurred_mae(&page, &auto, i0, j0, i1, j1);
        let inner_fs = blurred_mae(&page, &fs, i0, j0, i1, j1);
        assert!(
            inner_auto <= inner_fs,
            "seed {seed}: {inner_auto:.3} > {inner_fs:.3}"
        );
        // The whole photo, rim included.
        let mae_auto = blurred_mae(&page, &auto, x0, y0, x0 + w, y0 + h);
        let mae_fs = blurred_mae(&page, &fs, x0, y0, x0 + w, y0 + h);
        eprintln!("seed {seed}: blurred MAE auto {mae_auto:.3}, line {mae_fs:.3}");
        assert!(
            mae_auto <= mae_fs + 0.01,
            "seed {seed}: auto {mae_auto:.2} > line {mae_fs:.2}"
        );
        // Against a threshold, which loses the tone, both are far better.
        let cut = halftone(&page, Method::Threshold(128));
        let mae_cut = blurred_mae(&page, &cut, x0, y0, x0 + w, y0 + h);
        assert!(
            mae_auto * 3.0 < mae_cut,
            "seed {seed}: threshold {mae_cut:.2}"
        );
    }
}

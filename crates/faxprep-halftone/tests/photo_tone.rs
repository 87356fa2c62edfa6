//! Photos keep their tone under `auto` as well as under plain
//! Floyd-Steinberg (issue 5: blurred MAE on photo regions no worse).

mod common;

use common::{draw, tone::blurred_mae};
use faxprep_halftone::{Method, halftone};

#[test]
fn auto_keeps_photo_tone_like_floyd_steinberg() {
    for seed in [3, 7, 11] {
        // A picture with a caption, the way a photo sits on a page.
        let mut page = draw::page(640, 480);
        draw::text(&mut page, 20, 16, 24, 0, 0, "FIG 1 CHEST X RAY");
        let (x0, y0, w, h) = (96, 64, 448, 352);
        draw::photo(&mut page, x0, y0, w, h, seed);
        let auto = halftone(&page, Method::Auto);
        let fs = halftone(&page, Method::FloydSteinberg);
        let mae_auto = blurred_mae(&page, &auto, x0, y0, x0 + w, y0 + h);
        let mae_fs = blurred_mae(&page, &fs, x0, y0, x0 + w, y0 + h);
        eprintln!("seed {seed}: blurred MAE auto {mae_auto:.2}, floyd-steinberg {mae_fs:.2}");
        assert!(
            mae_auto <= mae_fs + 0.05,
            "seed {seed}: auto {mae_auto:.2} > fs {mae_fs:.2}"
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

//! Page placement: one policy for PDF pages and images.
//!
//! A page of `w x h` points (y down, already turned by its PDF `/Rotate`)
//! is placed on a fax page of 1728 columns at 204 dpi and `Paper::rows`
//! rows at the vertical resolution. Everything ends in one affine
//! transform from page points to device pixels, with a non-uniform scale
//! because fax pixels are not square (204 x 98, 204 x 196 or 204 x 391
//! dpi): PDFs are rendered straight through it, images are resampled into
//! the rectangle it maps the page to.

use faxprep_page::{FAX_WIDTH, Paper, Resolution};
use hayro::kurbo::Affine;

use crate::{PaperChoice, RasterOptions};

/// How a page is scaled onto the printable area.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scaling {
    /// As large as fits, up or down.
    Fit,
    /// At 100 % when that fits, otherwise down to fit.
    NaturalIfFits,
}

/// Where one page goes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Placement {
    /// The paper chosen.
    pub paper: Paper,
    /// Rows of the output page.
    pub rows: u32,
    /// Whether the page was turned 90 degrees counter-clockwise to print
    /// larger.
    pub rotated: bool,
    /// Page points (y down, origin top left of the page) to device pixels.
    pub transform: Affine,
    /// The rectangle the page covers in device pixels: x0, y0, x1, y1.
    pub content_px: [f64; 4],
}

/// The fax page width in points: 1728 columns at 204 dpi.
fn area_width_pt() -> f64 {
    f64::from(FAX_WIDTH) * 72.0 / 204.0
}

/// The fax page length in points for `paper`: the whole number of rows
/// at `resolution`, so the placement is exact in pixels.
fn area_height_pt(paper: Paper, resolution: Resolution) -> f64 {
    f64::from(paper.rows(resolution)) * 72.0 / f64::from(resolution.y_dpi())
}

/// The scale that puts a `pw x ph` page on a `aw x ah` area.
fn scale_for(pw: f64, ph: f64, aw: f64, ah: f64, scaling: Scaling) -> f64 {
    let fit = (aw / pw).min(ah / ph);
    match scaling {
        Scaling::Fit => fit,
        Scaling::NaturalIfFits => fit.min(1.0),
    }
}

/// One candidate: (rotated, scale, aspect badness).
fn orient(w: f64, h: f64, aw: f64, ah: f64, auto_rotate: bool, scaling: Scaling) -> (bool, f64) {
    let upright = scale_for(w, h, aw, ah, scaling);
    if auto_rotate && w > h {
        let turned = scale_for(h, w, aw, ah, scaling);
        // Turn only when it prints noticeably larger (not for rounding noise).
        if turned > upright * (1.0 + 1e-9) {
            return (true, turned);
        }
    }
    (false, upright)
}

/// Place a `w x h` point page according to `opts`. The caller has checked
/// that `w` and `h` are finite and positive and that the margins leave an
/// area (see [`RasterOptions::validate`]).
pub(crate) fn place(w: f64, h: f64, opts: &RasterOptions, scaling: Scaling) -> Placement {
    let res = opts.resolution;
    let margin = f64::from(opts.margins_pt);
    let papers: &[Paper] = match opts.paper {
        PaperChoice::Fixed(p) => match p {
            Paper::Letter => &[Paper::Letter],
            Paper::A4 => &[Paper::A4],
            Paper::Legal => &[Paper::Legal],
        },
        PaperChoice::Auto => &Paper::ALL,
    };
    let aw = area_width_pt() - 2.0 * margin;
    // Rows kept white for a band: the page goes in the rows between.
    let row_pt = 72.0 / f64::from(res.y_dpi());
    let (top_pt, bottom_pt) = (
        f64::from(opts.reserved_rows.0) * row_pt,
        f64::from(opts.reserved_rows.1) * row_pt,
    );
    let mut best: Option<(f64, Paper, bool, f64)> = None;
    for &paper in papers {
        let ah = area_height_pt(paper, res) - 2.0 * margin - top_pt - bottom_pt;
        let (rotated, scale) = orient(w, h, aw, ah, opts.auto_rotate, scaling);
        let (pw, ph) = if rotated { (h, w) } else { (w, h) };
        // How far the page's shape is from the area's: 1 is a perfect fit.
        let r = (ph / pw) / (ah / aw);
        let badness = r.max(1.0 / r);
        if best.is_none_or(|(b, ..)| badness < b - 1e-9) {
            best = Some((badness, paper, rotated, scale));
        }
    }
    // `papers` is never empty.
    let (_, paper, rotated, s) = best.unwrap_or((1.0, Paper::Letter, false, 1.0));
    let rows = paper.rows(res);
    let area_h = area_height_pt(paper, res) - top_pt - bottom_pt;
    let (pw, ph) = if rotated { (h, w) } else { (w, h) };
    let ox = (area_width_pt() - pw * s) / 2.0;
    let oy = top_pt + (area_h - ph * s) / 2.0;
    // Counter-clockwise quarter turn in y-down coordinates: the top edge of
    // the landscape page goes to the left edge of the paper, the way print
    // drivers lay out "landscape" (the reader turns the sheet clockwise).
    let turn = if rotated {
        Affine::new([0.0, -1.0, 1.0, 0.0, 0.0, w])
    } else {
        Affine::IDENTITY
    };
    let device = Affine::scale_non_uniform(204.0 / 72.0, f64::from(res.y_dpi()) / 72.0);
    let transform = device * Affine::translate((ox, oy)) * Affine::scale(s) * turn;
    let sx = 204.0 / 72.0;
    let sy = f64::from(res.y_dpi()) / 72.0;
    let content_px = [ox * sx, oy * sy, (ox + pw * s) * sx, (oy + ph * s) * sy];
    Placement {
        paper,
        rows,
        rotated,
        transform,
        content_px,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hayro::kurbo::Point;

    fn opts(paper: PaperChoice) -> RasterOptions {
        RasterOptions {
            paper,
            ..RasterOptions::default()
        }
    }

    #[test]
    fn letter_portrait_fills_the_width_and_is_centred() {
        let p = place(612.0, 792.0, &opts(PaperChoice::default()), Scaling::Fit);
        assert_eq!((p.paper, p.rows, p.rotated), (Paper::Letter, 2156, false));
        let [x0, y0, x1, y1] = p.content_px;
        assert!(x0.abs() < 1e-6 && (x1 - 1728.0).abs() < 1e-6);
        assert!((y0 - (2156.0 - y1)).abs() < 1e-6, "centred vertically");
        let tl = p.transform * Point::new(0.0, 0.0);
        assert!(tl.x.abs() < 1e-6 && (tl.y - y0).abs() < 1e-6);
    }

    #[test]
    fn reserved_rows_stay_white_and_the_page_fits_between() {
        for res in Resolution::ALL {
            let band = 20 * (res.y_dpi() / 98).max(1);
            for reserved in [(band, 0), (0, band)] {
                let o = RasterOptions {
                    resolution: res,
                    reserved_rows: reserved,
                    ..RasterOptions::default()
                };
                let p = place(612.0, 792.0, &o, Scaling::Fit);
                let rows = f64::from(p.rows);
                let [x0, y0, x1, y1] = p.content_px;
                // Height-limited now: the page fills the rows between the
                // band and the far edge exactly, and is centred across.
                assert!((y0 - f64::from(reserved.0)).abs() < 1e-6, "{res} {y0}");
                assert!(
                    (y1 - (rows - f64::from(reserved.1))).abs() < 1e-6,
                    "{res} {y1}"
                );
                assert!((x0 - (1728.0 - x1)).abs() < 1e-6 && x1 - x0 < 1728.0);
                let whole = place(612.0, 792.0, &opts(PaperChoice::default()), Scaling::Fit);
                let s = (y1 - y0) / (rows - f64::from(band));
                assert!((s - 1.0).abs() < 1e-9);
                assert!(x1 - x0 < whole.content_px[2] - whole.content_px[0]);
            }
        }
    }

    #[test]
    fn landscape_turns_counter_clockwise() {
        let p = place(792.0, 612.0, &opts(PaperChoice::default()), Scaling::Fit);
        assert!(p.rotated);
        // Top-left of the page lands bottom-left, top-right lands top-left.
        let tl = p.transform * Point::new(0.0, 0.0);
        let tr = p.transform * Point::new(792.0, 0.0);
        assert!(tl.x < 1.0 && tl.y > 2000.0, "{tl:?}");
        assert!(tr.x < 1.0 && tr.y < 100.0, "{tr:?}");
        let no_turn = RasterOptions {
            auto_rotate: false,
            ..RasterOptions::default()
        };
        assert!(!place(792.0, 612.0, &no_turn, Scaling::Fit).rotated);
    }

    #[test]
    fn auto_paper_keeps_the_shape() {
        let auto = opts(PaperChoice::Auto);
        assert_eq!(
            place(612.0, 792.0, &auto, Scaling::Fit).paper,
            Paper::Letter
        );
        assert_eq!(place(595.28, 841.89, &auto, Scaling::Fit).paper, Paper::A4);
        assert_eq!(
            place(612.0, 1008.0, &auto, Scaling::Fit).paper,
            Paper::Legal
        );
        assert_eq!(
            place(1008.0, 612.0, &auto, Scaling::Fit).paper,
            Paper::Legal
        );
        assert_eq!(
            Paper::Legal.rows(Resolution::Fine),
            place(612.0, 1008.0, &auto, Scaling::Fit).rows
        );
    }

    #[test]
    fn natural_size_when_it_fits() {
        let p = place(
            144.0,
            72.0,
            &opts(PaperChoice::default()),
            Scaling::NaturalIfFits,
        );
        assert!(!p.rotated, "fits unturned at 100 %, so stays");
        let [x0, _, x1, _] = p.content_px;
        assert!((x1 - x0 - 408.0).abs() < 1e-6, "2 in at 204 dpi");
        let big = place(
            2000.0,
            3000.0,
            &opts(PaperChoice::default()),
            Scaling::NaturalIfFits,
        );
        let [_, y0, _, y1] = big.content_px;
        assert!(y1 - y0 <= 2156.0 + 1e-6 && y0 >= -1e-6, "never cropped");
    }

    #[test]
    fn margins_shrink_the_area() {
        let m = RasterOptions {
            margins_pt: 36.0,
            ..RasterOptions::default()
        };
        let [x0, ..] = place(612.0, 792.0, &m, Scaling::Fit).content_px;
        assert!(x0 >= 102.0 - 1e-6, "half an inch at 204 dpi");
    }

    #[test]
    fn resolutions_scale_rows_only() {
        for res in Resolution::ALL {
            let o = RasterOptions {
                resolution: res,
                ..RasterOptions::default()
            };
            let p = place(612.0, 792.0, &o, Scaling::Fit);
            assert_eq!(p.rows, Paper::Letter.rows(res));
            assert!((p.content_px[2] - 1728.0).abs() < 1e-6);
        }
    }
}

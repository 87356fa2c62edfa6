//! Reference images of generated fixtures (issue 4): base-14 text, a
//! landscape page, /Rotate 90, A4 and Legal, a crop box, and a JPEG in each
//! EXIF orientation. `FAXPREP_BLESS=1 cargo test -p faxprep-raster` writes
//! `fixtures/ref/raster/*.png` and still fails that run.
#![allow(clippy::unwrap_used)] // helpers outside #[test] fns unwrap too

mod common;

use common::*;
use faxprep_raster::{
    DocumentFormat, Paper, PaperChoice, RasterOptions, RenderedPage, Resolution, render_all,
};

/// Antialiased edges may move by a level between platforms' float
/// rounding; allow 2 levels and a few hundred such pixels per page.
const TOLERANCE: u8 = 2;
const BUDGET: u64 = 400;

fn one(bytes: &[u8], format: DocumentFormat, opts: &RasterOptions) -> RenderedPage {
    let mut pages = render_all(bytes, format, opts).expect("render");
    assert_eq!(pages.len(), 1);
    pages.remove(0)
}

fn pdf_page(spec: PageSpec, opts: &RasterOptions) -> RenderedPage {
    one(&pdf(&[spec]), DocumentFormat::Pdf, opts)
}

#[test]
fn base14_fonts() {
    let page = pdf_page(base14_page(), &RasterOptions::default());
    assert_eq!((page.page.width(), page.page.height()), (1728, 2156));
    assert!(page.warnings.is_empty(), "{:?}", page.warnings);
    faxprep_testkit::assert_gray_matches("raster/base14", &page.page, TOLERANCE, BUDGET);
}

#[test]
fn landscape_is_turned_upright() {
    let page = pdf_page(
        PageSpec::new(792.0, 612.0, framed(792.0, 612.0, "Landscape")),
        &RasterOptions::default(),
    );
    assert!(page.rotated);
    faxprep_testkit::assert_gray_matches("raster/landscape", &page.page, TOLERANCE, BUDGET);
    let opts = RasterOptions {
        auto_rotate: false,
        ..RasterOptions::default()
    };
    let flat = pdf_page(
        PageSpec::new(792.0, 612.0, framed(792.0, 612.0, "Landscape")),
        &opts,
    );
    assert!(!flat.rotated);
    faxprep_testkit::assert_gray_matches(
        "raster/landscape_no_rotate",
        &flat.page,
        TOLERANCE,
        BUDGET,
    );
}

#[test]
fn rotate_90_is_honoured() {
    let mut spec = PageSpec::new(612.0, 792.0, framed(612.0, 792.0, "Rotate 90"));
    spec.rotate = Some(90);
    let opts = RasterOptions {
        auto_rotate: false,
        ..RasterOptions::default()
    };
    let page = pdf_page(spec, &opts);
    faxprep_testkit::assert_gray_matches("raster/rotate90", &page.page, TOLERANCE, BUDGET);
}

#[test]
fn a4_and_legal_keep_their_paper() {
    let auto = RasterOptions {
        paper: PaperChoice::Auto,
        ..RasterOptions::default()
    };
    let a4 = pdf_page(
        PageSpec::new(595.28, 841.89, framed(595.28, 841.89, "A4")),
        &auto,
    );
    assert_eq!((a4.paper, a4.page.height()), (Paper::A4, 2292));
    faxprep_testkit::assert_gray_matches("raster/a4_auto", &a4.page, TOLERANCE, BUDGET);
    let legal = pdf_page(
        PageSpec::new(612.0, 1008.0, framed(612.0, 1008.0, "Legal")),
        &auto,
    );
    assert_eq!((legal.paper, legal.page.height()), (Paper::Legal, 2744));
    faxprep_testkit::assert_gray_matches("raster/legal_auto", &legal.page, TOLERANCE, BUDGET);
    // Legal on Letter paper: shrunk to fit, centred.
    let on_letter = pdf_page(
        PageSpec::new(612.0, 1008.0, framed(612.0, 1008.0, "Legal")),
        &RasterOptions::default(),
    );
    assert_eq!(on_letter.page.height(), 2156);
    faxprep_testkit::assert_gray_matches(
        "raster/legal_on_letter",
        &on_letter.page,
        TOLERANCE,
        BUDGET,
    );
}

#[test]
fn crop_box_is_honoured() {
    let mut spec = PageSpec::new(612.0, 792.0, framed(612.0, 792.0, "Cropped"));
    spec.crop = Some([0.0, 396.0, 612.0, 792.0]);
    let page = pdf_page(spec, &RasterOptions::default());
    faxprep_testkit::assert_gray_matches("raster/cropbox", &page.page, TOLERANCE, BUDGET);
}

#[test]
fn standard_and_superfine() {
    for (res, rows) in [(Resolution::Standard, 1078), (Resolution::Superfine, 4301)] {
        let opts = RasterOptions {
            resolution: res,
            ..RasterOptions::default()
        };
        let page = pdf_page(
            PageSpec::new(612.0, 792.0, framed(612.0, 792.0, "Resolution")),
            &opts,
        );
        assert_eq!(page.page.height(), rows);
        faxprep_testkit::assert_gray_matches(
            &format!("raster/framed_{res}"),
            &page.page,
            TOLERANCE,
            BUDGET,
        );
    }
}

#[test]
fn exif_orientations() {
    let upright = upright_picture(320, 192);
    let opts = RasterOptions::default();
    let first = one(
        &jpeg_with_orientation(&upright, 1),
        DocumentFormat::Jpeg,
        &opts,
    );
    for o in 1..=8u16 {
        let page = one(
            &jpeg_with_orientation(&stored_for_orientation(&upright, o), o),
            DocumentFormat::Jpeg,
            &opts,
        );
        faxprep_testkit::assert_gray_matches(
            &format!("raster/exif_{o}"),
            &page.page,
            TOLERANCE,
            BUDGET,
        );
        // Every orientation displays the same picture (up to JPEG noise).
        let mad = mean_abs_diff(page.page.data(), first.page.data());
        assert!(mad < 0.5, "orientation {o}: mean abs diff {mad}");
    }
}

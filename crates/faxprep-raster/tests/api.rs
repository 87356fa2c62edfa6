//! Public API behaviour: ordering, determinism across thread counts,
//! typed errors for hostile input, image details.
#![allow(clippy::unwrap_used)] // helpers outside #[test] fns unwrap too

mod common;

use common::*;
use faxprep_raster::{
    DocumentFormat, Error, LimitKind, PageErrorKind, RasterOptions, RenderError, page_count,
    render, render_all, render_then,
};

fn doc(pages: usize) -> Vec<u8> {
    let specs: Vec<PageSpec> = (0..pages)
        .map(|i| match i % 3 {
            0 => base14_page(),
            1 => PageSpec::new(792.0, 612.0, framed(792.0, 612.0, &format!("Page {i}"))),
            _ => PageSpec::new(595.28, 841.89, framed(595.28, 841.89, &format!("Page {i}"))),
        })
        .collect();
    pdf(&specs)
}

#[test]
fn same_pixels_for_any_thread_count() {
    let bytes = doc(7);
    assert_eq!(page_count(&bytes, DocumentFormat::Pdf, None), Ok(7));
    let one = render_all(
        &bytes,
        DocumentFormat::Pdf,
        &RasterOptions {
            threads: Some(1),
            ..Default::default()
        },
    )
    .unwrap();
    for threads in [2, 3, 8] {
        let many = render_all(
            &bytes,
            DocumentFormat::Pdf,
            &RasterOptions {
                threads: Some(threads),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(many.len(), 7);
        for (a, b) in one.iter().zip(&many) {
            assert_eq!(a.index, b.index);
            assert!(
                a.page == b.page,
                "page {} differs with {threads} threads",
                a.index
            );
        }
    }
    assert!(one[1].rotated && !one[0].rotated);
}

#[test]
fn then_runs_on_the_workers_and_results_arrive_in_order() {
    let bytes = doc(8);
    let opts = |threads| RasterOptions {
        threads: Some(threads),
        ..Default::default()
    };
    let expected: Vec<(u32, u64)> = render_all(&bytes, DocumentFormat::Pdf, &opts(1))
        .unwrap()
        .iter()
        .map(|p| (p.index, ink(&p.page)))
        .collect();
    for threads in [1, 2, 3] {
        let caller = std::thread::current().id();
        let off_caller = std::sync::atomic::AtomicUsize::new(0);
        let mut got = Vec::new();
        render_then(
            &bytes,
            DocumentFormat::Pdf,
            &opts(threads),
            |p| {
                if std::thread::current().id() != caller {
                    off_caller.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
                (p.index, ink(&p.page))
            },
            |r| {
                got.push(r);
                Ok::<(), ()>(())
            },
        )
        .unwrap();
        assert_eq!(got, expected, "{threads} threads");
        let off = off_caller.into_inner();
        assert_eq!(off, if threads == 1 { 0 } else { 8 }, "{threads} threads");
    }
}

/// Total darkness of a page (a checksum that any pixel change moves).
fn ink(page: &faxprep_raster::GrayPage) -> u64 {
    page.data().iter().map(|&v| u64::from(255 - v)).sum()
}

#[test]
fn sink_errors_stop_rendering() {
    let bytes = doc(9);
    let mut seen = 0;
    let r = render(
        &bytes,
        DocumentFormat::Pdf,
        &RasterOptions {
            threads: Some(2),
            ..Default::default()
        },
        |_| {
            seen += 1;
            if seen == 2 { Err("disk full") } else { Ok(()) }
        },
    );
    assert!(matches!(r, Err(RenderError::Sink("disk full"))));
    assert_eq!(seen, 2);
}

#[test]
fn hostile_pdfs_are_typed_errors() {
    assert_eq!(
        page_count(b"%PDF-1.4 garbage", DocumentFormat::Pdf, None),
        Err(Error::Pdf)
    );
    assert_eq!(page_count(b"", DocumentFormat::Pdf, None), Err(Error::Pdf));
    let many = doc(4);
    let opts = RasterOptions {
        max_pages: 3,
        ..Default::default()
    };
    assert_eq!(
        render_all(&many, DocumentFormat::Pdf, &opts).unwrap_err(),
        Error::Limits(LimitKind::Pages { pages: 4, max: 3 })
    );
    // A page of a billion points is refused before rendering.
    let huge = pdf(&[PageSpec::new(1e9, 1e9, String::new())]);
    assert_eq!(
        render_all(&huge, DocumentFormat::Pdf, &RasterOptions::default()).unwrap_err(),
        Error::Page {
            index: 0,
            kind: PageErrorKind::BadPageBox
        }
    );
    // Truncations never panic.
    for cut in (0..many.len()).step_by(97) {
        let _ = render_all(&many[..cut], DocumentFormat::Pdf, &RasterOptions::default());
    }
}

#[test]
fn bad_options_are_usage_errors() {
    let bytes = doc(1);
    for opts in [
        RasterOptions {
            threads: Some(0),
            ..Default::default()
        },
        RasterOptions {
            margins_pt: -1.0,
            ..Default::default()
        },
        RasterOptions {
            margins_pt: f32::NAN,
            ..Default::default()
        },
        RasterOptions {
            margins_pt: 300.0,
            ..Default::default()
        },
    ] {
        assert!(matches!(
            render_all(&bytes, DocumentFormat::Pdf, &opts),
            Err(Error::Usage { .. })
        ));
    }
}

fn png(img: &image::DynamicImage) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

#[test]
fn alpha_is_composited_over_white() {
    let clear = image::DynamicImage::ImageRgba8(image::RgbaImage::from_pixel(
        50,
        40,
        image::Rgba([0, 0, 0, 0]),
    ));
    let page =
        &render_all(&png(&clear), DocumentFormat::Png, &RasterOptions::default()).unwrap()[0];
    assert!(
        page.page.data().iter().all(|&v| v == 255),
        "transparent black is white paper"
    );
    let half = image::DynamicImage::ImageRgba8(image::RgbaImage::from_pixel(
        50,
        40,
        image::Rgba([0, 0, 0, 128]),
    ));
    let page = &render_all(&png(&half), DocumentFormat::Png, &RasterOptions::default()).unwrap()[0];
    let darkest = page.page.data().iter().min().copied().unwrap();
    assert!(
        (126..=128).contains(&darkest),
        "half-transparent black is mid gray, got {darkest}"
    );
}

#[test]
fn sixteen_bit_and_palette_decode() {
    let g16 = image::DynamicImage::ImageLuma16(image::ImageBuffer::from_pixel(
        30,
        30,
        image::Luma([0x8080u16]),
    ));
    let page = &render_all(&png(&g16), DocumentFormat::Png, &RasterOptions::default()).unwrap()[0];
    assert_eq!(page.page.data().iter().min().copied(), Some(128));
}

#[test]
fn small_image_with_dpi_prints_at_true_size() {
    // 204 x 196 pixels at 204 x 196 dpi... JFIF density is one number per
    // axis, so use 200 dpi square: a 200 px square is one inch.
    let img = image::GrayImage::from_pixel(200, 200, image::Luma([0]));
    let mut jpeg = Vec::new();
    let mut enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 90);
    enc.set_pixel_density(image::codecs::jpeg::PixelDensity::dpi(200));
    enc.encode_image(&img).unwrap();
    let page = &render_all(&jpeg, DocumentFormat::Jpeg, &RasterOptions::default()).unwrap()[0];
    let dark_cols = (0..1728).filter(|&x| page.page.get(x, 1078) < 128).count();
    let dark_rows = (0..2156).filter(|&y| page.page.get(864, y) < 128).count();
    assert!((203..=205).contains(&dark_cols), "{dark_cols} columns");
    assert!((195..=197).contains(&dark_rows), "{dark_rows} rows");
    // Without a density it is scaled to fit the width.
    let bare = jpeg_with_orientation(&img, 1);
    let page = &render_all(&bare, DocumentFormat::Jpeg, &RasterOptions::default()).unwrap()[0];
    let dark_cols = (0..1728).filter(|&x| page.page.get(x, 1078) < 128).count();
    assert!(dark_cols > 1700, "{dark_cols} columns");
}

#[test]
fn broken_images_are_typed_errors() {
    let img =
        image::DynamicImage::ImageLuma8(image::GrayImage::from_pixel(64, 64, image::Luma([9])));
    let bytes = png(&img);
    for cut in [0, 8, 20, 40, bytes.len() - 20] {
        let r = render_all(
            &bytes[..cut],
            DocumentFormat::Png,
            &RasterOptions::default(),
        );
        assert!(matches!(r, Err(Error::Image { .. })), "cut {cut}: {r:?}");
    }
    let opts = RasterOptions {
        limits: {
            let mut l = faxprep_raster::Limits::default();
            l.max_image_pixels = 100;
            l
        },
        ..Default::default()
    };
    assert!(matches!(
        render_all(&bytes, DocumentFormat::Png, &opts),
        Err(Error::Limits(LimitKind::ImagePixels {
            width: 64,
            height: 64
        }))
    ));
}

#[test]
fn unticked_boxes_are_no_warning_and_broken_appearances_are() {
    use lopdf::{Object, Stream, dictionary};
    let warnings = |widget: lopdf::Dictionary| {
        let pdf = faxprep_testkit::form_pdf(vec![widget], dictionary! {});
        let mut pages = Vec::new();
        render(&pdf, DocumentFormat::Pdf, &RasterOptions::default(), |p| {
            pages.push(p);
            Ok::<(), ()>(())
        })
        .unwrap();
        pages.remove(0).warnings
    };
    let tick = || {
        Stream::new(
            dictionary! { "BBox" => vec![0.into(), 0.into(), 10.into(), 10.into()] },
            b"0 g 0 0 10 10 re f".to_vec(),
        )
    };
    let rect = || vec![100.into(), 700.into(), 110.into(), 710.into()];
    // An unticked box whose appearances hold only the ticked state (as on
    // every IRS form): nothing to draw, as the file says.
    let off = dictionary! {
        "FT" => "Btn", "AS" => "Off", "Rect" => rect(),
        "AP" => dictionary! { "N" => dictionary! { "Yes" => tick() } },
    };
    assert_eq!(warnings(off), vec![]);
    // A ticked one is drawn.
    let on = dictionary! {
        "FT" => "Btn", "AS" => "Yes", "Rect" => rect(),
        "AP" => dictionary! { "N" => dictionary! { "Yes" => tick() } },
    };
    assert_eq!(warnings(on), vec![]);
    // An appearance that is not one, or states without /AS to choose:
    // the sender should know.
    let broken =
        dictionary! { "Rect" => rect(), "AP" => dictionary! { "N" => Object::Integer(5) } };
    assert_eq!(
        warnings(broken),
        vec![faxprep_raster::Warning::AnnotationAppearance]
    );
    let unchosen = dictionary! {
        "FT" => "Btn", "Rect" => rect(),
        "AP" => dictionary! { "N" => dictionary! { "Yes" => tick() } },
    };
    assert_eq!(
        warnings(unchosen),
        vec![faxprep_raster::Warning::AnnotationAppearance]
    );
}

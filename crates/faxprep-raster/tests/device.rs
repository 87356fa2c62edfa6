//! The gray device against hayro + vello_cpu (the full renderer, its
//! oracle): every page of the corpus's `pdf-text`, `pdf-std14`,
//! `pdf-fonts` and `pdf-form` PDFs is rendered both ways
//! ([`PdfRenderer::Auto`] and [`PdfRenderer::Full`]). On each page the
//! device draws (patched or not), the gray pages differ by at most 0.05
//! gray levels on average, and after the default halftone (`auto`) at
//! most 0.01 % of the 1-bit pixels differ. Pages the device patches or
//! hands to the full renderer are listed with their reasons (the latter
//! are equal by construction). Every page
//! is checked, none sampled. Skips with a message when the corpus is
//! absent.
#![allow(clippy::unwrap_used)]

use faxprep_halftone::{Method, halftone};
use faxprep_raster::{
    DocumentFormat, Error, FallbackReason, LimitKind, PageRenderer, PdfRenderer, RasterOptions,
    RenderedPage, render_all,
};

const KINDS: &[&str] = &["pdf-text", "pdf-std14", "pdf-fonts", "pdf-form"];

fn pages(bytes: &[u8], renderer: PdfRenderer) -> Vec<RenderedPage> {
    let opts = RasterOptions {
        threads: Some(2),
        pdf_renderer: renderer,
        ..RasterOptions::default()
    };
    render_all(bytes, DocumentFormat::Pdf, &opts).unwrap()
}

#[test]
fn device_pages_equal_hayro_and_vello() {
    let Some(dir) = faxprep_testkit::corpus_dir() else {
        return;
    };
    let mut files = 0;
    let (mut drawn, mut fell_back, mut patched) = (0usize, Vec::new(), Vec::new());
    let mut failures = Vec::new();
    let (mut worst_mean, mut worst_share) = ((0.0f64, String::new()), (0.0f64, String::new()));
    for entry in faxprep_testkit::corpus_index() {
        if !KINDS.contains(&entry.kind.as_str()) {
            continue;
        }
        files += 1;
        let bytes = std::fs::read(entry.path(&dir)).unwrap();
        let device = pages(&bytes, PdfRenderer::Auto);
        let full = pages(&bytes, PdfRenderer::Full);
        assert_eq!(device.len(), full.len(), "{}: page count", entry.file);
        for (d, f) in device.iter().zip(&full) {
            assert_eq!(
                f.renderer,
                PageRenderer::Full(FallbackReason::Requested),
                "the oracle is the full renderer"
            );
            let page = format!("{} page {}", entry.file, d.index + 1);
            match d.renderer {
                PageRenderer::Device => drawn += 1,
                PageRenderer::Patched(reason) => {
                    drawn += 1;
                    patched.push(format!("{page}: {}", reason.as_str()));
                }
                PageRenderer::Full(reason) => {
                    fell_back.push(format!("{page}: {}", reason.as_str()));
                }
                PageRenderer::Picture => panic!("{page}: a PDF page drawn as a picture"),
                _ => panic!("{page}: unknown renderer"),
            }
            let (a, b) = (d.page.data(), f.page.data());
            assert_eq!(a.len(), b.len(), "{page}: size");
            let sum: u64 = a
                .iter()
                .zip(b)
                .map(|(x, y)| u64::from(x.abs_diff(*y)))
                .sum();
            let mean = sum as f64 / a.len() as f64;
            let (hd, hf) = (
                halftone(&d.page, Method::Auto),
                halftone(&f.page, Method::Auto),
            );
            let differing: u64 = hd
                .data()
                .iter()
                .zip(hf.data())
                .map(|(x, y)| u64::from((x ^ y).count_ones()))
                .sum();
            let share = differing as f64 / (f64::from(hd.width()) * f64::from(hd.height()));
            if matches!(d.renderer, PageRenderer::Device | PageRenderer::Patched(_)) {
                if mean > worst_mean.0 {
                    worst_mean = (mean, page.clone());
                }
                if share > worst_share.0 {
                    worst_share = (share, page.clone());
                }
            }
            if mean > 0.05 || share > 0.0001 {
                failures.push(format!(
                    "{page}: mean diff {mean:.4} levels, {:.4} % of 1-bit pixels differ",
                    share * 100.0
                ));
            }
        }
    }
    if files == 0 {
        eprintln!("no pdf-text/std14/fonts/form PDFs in the corpus index: skipped");
        return;
    }
    println!(
        "{drawn} pages drawn by the device ({} of them patched by hayro + vello), {} by hayro + vello:",
        patched.len(),
        fell_back.len()
    );
    println!(
        "largest mean diff {:.4} levels ({}); most 1-bit pixels differing {:.5} % ({})",
        worst_mean.0,
        worst_mean.1,
        worst_share.0 * 100.0,
        worst_share.1
    );
    for p in &patched {
        println!("  patched {p}");
    }
    for p in &fell_back {
        println!("  fallback {p}");
    }
    assert!(
        failures.is_empty(),
        "pages differ:\n{}",
        failures.join("\n")
    );
    assert!(drawn > 0, "the device drew no page of {files} files");
}

/// A one-page Letter PDF: `content` on the page, `forms[i]` as form
/// XObject `/Xi`, each form seeing the forms before it (and Helvetica as
/// `/F0`).
fn pdf_with_forms(content: &str, forms: &[String]) -> Vec<u8> {
    use lopdf::{Document, Stream, dictionary};
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let font = doc.add_object(
        dictionary! { "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica" },
    );
    let mut xobjects = lopdf::Dictionary::new();
    for (i, body) in forms.iter().enumerate() {
        let resources = dictionary! {
            "XObject" => xobjects.clone(), "Font" => dictionary! { "F0" => font },
        };
        let bbox = vec![0.into(), 0.into(), 612.into(), 792.into()];
        let form = doc.add_object(Stream::new(
            dictionary! {
                "Type" => "XObject", "Subtype" => "Form", "BBox" => bbox,
                "Resources" => resources,
            },
            body.clone().into_bytes(),
        ));
        xobjects.set(format!("X{i}"), form);
    }
    let resources = dictionary! {
        "XObject" => xobjects, "Font" => dictionary! { "F0" => font },
    };
    letter_page(doc, pages_id, content, resources)
}

/// `doc` finished as one Letter page of `content` with `resources`.
fn letter_page(
    mut doc: lopdf::Document,
    pages_id: lopdf::ObjectId,
    content: &str,
    resources: lopdf::Dictionary,
) -> Vec<u8> {
    use lopdf::{Object, Stream, dictionary};
    let resources = doc.add_object(resources);
    let content = doc.add_object(Stream::new(dictionary! {}, content.as_bytes().to_vec()));
    let media = vec![0.into(), 0.into(), 612.into(), 792.into()];
    let page = doc.add_object(dictionary! {
        "Type" => "Page", "Parent" => pages_id, "MediaBox" => media,
        "Contents" => content, "Resources" => resources,
    });
    faxprep_testkit::finish_pdf(doc, pages_id, vec![Object::Reference(page)])
}

#[test]
fn forms_repeated_into_millions_of_drawings_are_refused_typed() {
    // 40 000 draws of a 1 000-segment path (above the page, so each draw
    // is cheap): 40 million path elements from a few kilobytes of content
    // streams.
    let mut leaf = String::from("0 800 m ");
    for i in 0..500 {
        leaf.push_str(&format!("{} 810 l {} 800 l ", i, i + 1));
    }
    leaf.push_str("f\n");
    let repeat = |name: &str, n: usize| format!("{name} Do\n").repeat(n);
    let bytes = pdf_with_forms(&repeat("/X1", 200), &[leaf, repeat("/X0", 200)]);
    let opts = RasterOptions {
        threads: Some(1),
        ..RasterOptions::default()
    };
    let started = std::time::Instant::now();
    let result = render_all(&bytes, DocumentFormat::Pdf, &opts);
    match result {
        Err(Error::Limits(LimitKind::PageContent { page: 0 })) => {}
        other => panic!("expected the page content limit, got {other:?}"),
    }
    // Not a speed assertion: a bound that only an unbounded walk misses.
    assert!(started.elapsed().as_secs() < 60, "the refusal came late");
}

#[test]
fn degenerate_and_overflowing_transforms_draw_like_hayro() {
    // A singular matrix, one that overflows to infinity (and NaN once
    // multiplied by 0), a glyph run in each, and a sane rectangle after
    // them that must still appear.
    let content = "q 1 0 0 0 0 0 cm 0 0 100 100 re f BT /F0 12 Tf (singular) Tj ET Q\n\
        q 1e30 0 0 1e30 0 0 cm 1e30 0 0 1e30 0 0 cm 0 0 1 1 re f 0 0 m 1 1 l S \
        BT /F0 12 Tf (overflow) Tj ET Q\n\
        q 0 0 0 0 5 5 cm BT /F0 12 Tf (zero) Tj ET 0 0 10 10 re S Q\n\
        100 100 200 50 re f BT /F0 30 Tf 100 300 Td (after) Tj ET\n";
    let bytes = pdf_with_forms(content, &[]);
    let device = pages(&bytes, PdfRenderer::Auto);
    let full = pages(&bytes, PdfRenderer::Full);
    assert_eq!(device[0].renderer, PageRenderer::Device);
    let (a, b) = (device[0].page.data(), full[0].page.data());
    let differing = a.iter().zip(b).filter(|(x, y)| x.abs_diff(**y) > 2).count();
    assert_eq!(differing, 0, "pixels differing by more than 2 levels");
    let black = a.iter().filter(|&&v| v < 128).count();
    assert!(
        black > 10_000,
        "the rectangle and text after them are drawn"
    );
}

#[test]
fn glyphs_at_the_page_edges_and_in_gray_draw_like_hayro() {
    // Text running off the page's left and right edges (a glyph there is
    // blended piece by piece, its padded row not inside the page), gray
    // text and black text in the middle (whole padded rows).
    let content = "BT /F0 30 Tf -12 700 Td (Wwwwwwwwww) Tj ET\n\
        BT /F0 30 Tf 540 650 Td (IIIIIIIIIIII) Tj ET\n\
        0.55 g BT /F0 14 Tf 100 500 Td (gray text, quick brown fox) Tj ET\n\
        0 g BT /F0 11 Tf 100 450 Td (black text, jumps over the dog) Tj ET\n";
    let bytes = pdf_with_forms(content, &[]);
    let device = pages(&bytes, PdfRenderer::Auto);
    let full = pages(&bytes, PdfRenderer::Full);
    assert_eq!(device[0].renderer, PageRenderer::Device);
    let page = &device[0].page;
    let (a, b) = (page.data(), full[0].page.data());
    let (worst, _) = worst_and_mean(a, b);
    assert_eq!(worst, 0, "a glyph pixel differs from hayro + vello");
    // Ink where each case is: both edge columns and some gray level.
    let width = page.width() as usize;
    let ink_in = |x: std::ops::Range<usize>| {
        a.chunks(width)
            .any(|row| row[x.clone()].iter().any(|&v| v < 128))
    };
    assert!(ink_in(0..8), "no text at the left edge");
    assert!(ink_in(width - 8..width), "no text at the right edge");
    assert!(a.iter().any(|&v| (100..160).contains(&v)), "no gray text");
}

#[test]
fn colour_over_colour_and_gray_over_colour_draw_like_hayro() {
    // Coloured fills, strokes and text overlapping each other and gray
    // paint, on anti-aliased edges (partial coverage composites per
    // channel over colour) and across the device's 64-pixel colour pieces.
    let content = "1 0 0 rg 100 500 300 120 re f\n\
        0 0 1 rg BT /F0 40 Tf 90 540 Td (Blue over red 0123) Tj ET\n\
        0 g BT /F0 33 Tf 60 590 Td (black across red and paper) Tj ET\n\
        0 0.6 0 RG 3.3 w 50 480 m 560 650 l S\n\
        0.5 g BT /F0 25 Tf 70 600 Td (gray over the green line) Tj ET\n\
        0.2 0.4 0.9 rg 301.7 300.2 m 420.3 410.9 l 180.1 390.4 l f\n\
        1 0.5 0 rg BT /F0 19 Tf 170 360 Td (orange on blue on paper) Tj ET\n\
        0.7 g 1 0 0 RG 1.7 w 150 300 m 470 420 l S\n";
    let bytes = pdf_with_forms(content, &[]);
    let device = pages(&bytes, PdfRenderer::Auto);
    let full = pages(&bytes, PdfRenderer::Full);
    assert_eq!(device[0].renderer, PageRenderer::Device);
    let (a, b) = (device[0].page.data(), full[0].page.data());
    // Composited per channel where colour is, the device stays within one
    // level of hayro + vello on a few hundred pixels (as on the corpus
    // pages); compositing the gray of the colours instead puts pixels two
    // levels off on 0.2% of the page.
    let differing = a.iter().zip(b).filter(|(x, y)| x != y).count();
    let (worst, _) = worst_and_mean(a, b);
    assert!(worst <= 1, "a pixel {worst} levels from hayro + vello");
    assert!(
        differing * 1000 < a.len(),
        "{differing} pixels differ from hayro + vello"
    );
    // Coloured paint reached the page in several grays.
    let mut levels = [false; 256];
    a.iter().for_each(|&v| levels[usize::from(v)] = true);
    assert!(
        levels.iter().filter(|&&l| l).count() > 100,
        "few grays drawn"
    );
}

/// A one-page Letter PDF whose `content` sees a 16 x 16 gray gradient
/// image as `/Im0`, an axial shading from black to white as `/Sh0` and
/// Helvetica as `/F0`.
fn pdf_with_image_and_shading(content: &str) -> Vec<u8> {
    use lopdf::{Document, Stream, dictionary};
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let font = doc.add_object(
        dictionary! { "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica" },
    );
    let pixels: Vec<u8> = (0..16u8)
        .flat_map(|y| (0..16u8).map(move |x| x * 8 + y * 7))
        .collect();
    let image = doc.add_object(Stream::new(
        dictionary! {
            "Type" => "XObject", "Subtype" => "Image", "Width" => 16, "Height" => 16,
            "ColorSpace" => "DeviceGray", "BitsPerComponent" => 8,
        },
        pixels,
    ));
    let shading = doc.add_object(dictionary! {
        "ShadingType" => 2, "ColorSpace" => "DeviceGray",
        "Coords" => vec![0.into(), 0.into(), 100.into(), 0.into()],
        "Function" => dictionary! {
            "FunctionType" => 2, "Domain" => vec![0.into(), 1.into()],
            "C0" => vec![0.into()], "C1" => vec![1.into()], "N" => 1,
        },
    });
    let resources = dictionary! {
        "XObject" => dictionary! { "Im0" => image },
        "Shading" => dictionary! { "Sh0" => shading },
        "Font" => dictionary! { "F0" => font },
    };
    letter_page(doc, pages_id, content, resources)
}

/// The largest and the mean difference between two gray pages.
fn worst_and_mean(a: &[u8], b: &[u8]) -> (u8, f64) {
    let worst = a
        .iter()
        .zip(b)
        .map(|(x, y)| x.abs_diff(*y))
        .max()
        .unwrap_or(0);
    let sum: u64 = a
        .iter()
        .zip(b)
        .map(|(x, y)| u64::from(x.abs_diff(*y)))
        .sum();
    (worst, sum as f64 / a.len() as f64)
}

/// `content`'s page drawn by the device with a patch for `reason`,
/// checked against hayro + vello's: at most 2 levels apart and 0.01 on
/// average (`what` names the case in a failure). Returns the device's page.
fn patched_like_hayro(content: &str, reason: FallbackReason, what: &str) -> RenderedPage {
    let bytes = pdf_with_image_and_shading(content);
    let device = pages(&bytes, PdfRenderer::Auto).remove(0);
    let full = pages(&bytes, PdfRenderer::Full).remove(0);
    assert_eq!(device.renderer, PageRenderer::Patched(reason), "{what}");
    let (worst, mean) = worst_and_mean(device.page.data(), full.page.data());
    assert!(
        worst <= 2 && mean < 0.01,
        "{what}: {worst} levels at worst, {mean:.4} on average from hayro + vello"
    );
    device
}

#[test]
fn images_and_shadings_are_patched_by_hayro_and_vello() {
    // Text, then an image and a clipped shading, then text over both and
    // a stroke across their edges: inside the patch hayro + vello draw
    // everything (the later text too), outside it the device does.
    let content = "BT /F0 24 Tf 72 700 Td (Text before the image) Tj ET\n\
        q 150 0 0 120 100 450 cm /Im0 Do Q\n\
        q 300 300 200 80 re W n /Sh0 sh Q\n\
        0 g BT /F0 30 Tf 90 500 Td (over the image and beyond) Tj ET\n\
        1 0 0 RG 2.5 w 60 430 m 540 390 l S\n\
        BT /F0 12 Tf 72 100 Td (a footer far from both) Tj ET\n";
    // The image comes first.
    let device = patched_like_hayro(content, FallbackReason::Image, "image and shading");
    assert_eq!(device.renderer.name(), "patched:image");
    let a = device.page.data();
    // The image's gradient and the shading are on the page: many grays
    // that no black text on white has this many pixels of.
    let mid = a.iter().filter(|&&v| (40..=215).contains(&v)).count();
    assert!(
        mid > 20_000,
        "only {mid} mid-gray pixels: the patch is missing"
    );
}

#[test]
fn a_logo_and_a_signature_far_apart_are_two_patches() {
    // A letterhead picture at the top left and a signature picture at the
    // foot right: one rectangle around both would cover most of the page
    // (and send it whole to hayro + vello); two small ones do not.
    let content = "q 120 0 0 60 40 700 cm /Im0 Do Q\n\
        BT /F0 14 Tf 72 640 Td (Dear Sir or Madam, the letter's text.) Tj ET\n\
        q 150 0 0 50 420 60 cm /Im0 Do Q\n\
        BT /F0 10 Tf 430 50 Td (signed) Tj ET\n";
    patched_like_hayro(content, FallbackReason::Image, "logo and signature");
}

#[test]
fn pictures_side_by_side_are_patched_in_one_pass() {
    // Two pictures with a gap between them and a caption across both:
    // their rectangles share one pass of hayro + vello (the gap adds far
    // fewer pixels than a pass costs), and only the two are copied from
    // it, each to its own place.
    let content = "q 120 0 0 90 100 500 cm /Im0 Do Q\n\
        q 0 1 -1 0 380 500 cm 90 0 0 120 0 0 cm /Im0 Do Q\n\
        BT /F0 18 Tf 90 540 Td (a caption across both pictures) Tj ET\n";
    let device = patched_like_hayro(content, FallbackReason::Image, "side by side");
    let mid = device
        .page
        .data()
        .iter()
        .filter(|&&v| (40..=215).contains(&v))
        .count();
    assert!(
        mid > 40_000,
        "only {mid} mid-gray pixels: a picture is missing"
    );
}

#[test]
fn a_patch_over_most_of_the_page_draws_the_page_whole() {
    let content = "q 560 0 0 740 26 26 cm /Im0 Do Q\n\
        BT /F0 24 Tf 72 700 Td (Text over a full-page image) Tj ET\n";
    let bytes = pdf_with_image_and_shading(content);
    let device = pages(&bytes, PdfRenderer::Auto);
    assert_eq!(
        device[0].renderer,
        PageRenderer::Full(FallbackReason::Image)
    );
    let full = pages(&bytes, PdfRenderer::Full);
    assert_eq!(device[0].page.data(), full[0].page.data());
}

#[test]
fn a_clipped_shading_is_patched() {
    // hayro paints `sh` as a fill of the clip with a shading pattern.
    let shaded = "q 100 100 300 200 re W n /Sh0 sh Q BT /F0 20 Tf 72 700 Td (x) Tj ET\n";
    patched_like_hayro(shaded, FallbackReason::Pattern, "clipped shading");
}

#[test]
fn images_under_degenerate_transforms_patch_like_hayro_draws() {
    // An image under a singular matrix (a line), a zero matrix (a point),
    // one that overflows to infinity, and one that turns to NaN once the
    // infinity is multiplied by 0: each is left to a patch, a rectangle
    // after it is still drawn, and the page is hayro + vello's.
    let after = "100 100 200 50 re f\n";
    for image in [
        "q 150 0 0 0 100 450 cm /Im0 Do Q",
        "q 0 0 0 0 300 300 cm /Im0 Do Q",
        "q 1e30 0 0 1e30 0 0 cm 1e30 0 0 1e30 0 0 cm /Im0 Do Q",
        "q 1e30 0 0 1e30 0 0 cm 1e30 0 0 1e30 0 0 cm 0 0 0 0 0 0 cm /Im0 Do Q",
    ] {
        let content = format!("{image}\n{after}");
        let device = patched_like_hayro(&content, FallbackReason::Image, image);
        assert!(
            device.page.data().iter().filter(|&&v| v < 128).count() > 10_000,
            "{image}: the rectangle after it is drawn"
        );
    }
}

//! faxprep-raster: PDF pages straight to fine Letter gray pages
//! (1728 x 2156) on 1 and 2 threads, one page drawn by the gray device
//! and by hayro + vello_cpu (`PdfRenderer::Full`), and a JPEG scan. The document is
//! generated here with lopdf (base-14 text, landscape and A4 pages, so the
//! fit, turn and paper logic all run), so the bench needs no corpus.
//! The side-by-side comparison with Ghostscript on the corpus is in the
//! faxprep-raster crate docs (it needs the corpus and `gs`).
//!
//! `CARGO_TARGET_DIR=... cargo bench -p faxprep-benches --bench raster`

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use faxprep_raster::{DocumentFormat, PdfRenderer, RasterOptions, render};
use lopdf::{Document, Object, Stream, dictionary};

const FONTS: [&str; 4] = ["Helvetica", "Times-Roman", "Courier", "Times-Bold"];

/// A page of running text: 60 lines of 11 pt, cycling through fonts.
fn text_content(w: f32, h: f32) -> String {
    let mut s = String::from("BT\n");
    let mut y = h - 60.0;
    let mut i = 0;
    while y > 50.0 {
        s.push_str(&format!(
            "/F{} 11 Tf 1 0 0 1 50 {y} Tm (Line {i}: the quick brown fox jumps over the lazy dog, 0123456789 times.) Tj\n",
            i % FONTS.len()
        ));
        y -= 13.0;
        i += 1;
    }
    s.push_str(&format!("ET 1 w 36 36 {} {} re S\n", w - 72.0, h - 72.0));
    s
}

fn document() -> Vec<u8> {
    document_of(8)
}

fn one_page() -> Vec<u8> {
    document_of(1)
}

fn document_of(pages: usize) -> Vec<u8> {
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let mut fonts = lopdf::Dictionary::new();
    for (i, name) in FONTS.iter().enumerate() {
        fonts.set(
            format!("F{i}"),
            dictionary! { "Type" => "Font", "Subtype" => "Type1", "BaseFont" => *name },
        );
    }
    let resources = doc.add_object(dictionary! { "Font" => fonts });
    let sizes = [
        (612.0, 792.0),
        (612.0, 792.0),
        (792.0, 612.0),
        (595.28, 841.89),
    ];
    let mut kids = Vec::new();
    for &(w, h) in sizes.iter().cycle().take(pages) {
        let content = doc.add_object(Stream::new(dictionary! {}, text_content(w, h).into_bytes()));
        let media = vec![0.into(), 0.into(), Object::Real(w), Object::Real(h)];
        kids.push(Object::Reference(doc.add_object(dictionary! {
            "Type" => "Page", "Parent" => pages_id, "MediaBox" => media,
            "Contents" => content, "Resources" => resources,
        })));
    }
    faxprep_testkit::finish_pdf(doc, pages_id, kids)
}

/// A 200 dpi Letter "scan" (1700 x 2200 gray JPEG) of stripes and noise.
fn scan() -> Vec<u8> {
    let img = image::GrayImage::from_fn(1700, 2200, |x, y| {
        image::Luma([if (y / 20) % 3 == 0 && x % 17 < 9 {
            20
        } else {
            240 - ((x * 7 + y * 13) % 23) as u8
        }])
    });
    let mut out = Vec::new();
    let mut enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85);
    enc.set_pixel_density(image::codecs::jpeg::PixelDensity::dpi(200));
    enc.encode_image(&img).expect("encode");
    out
}

fn bench(c: &mut Criterion) {
    let pdf = document();
    let mut group = c.benchmark_group("raster");
    group.sample_size(10);
    group.throughput(Throughput::Elements(8));
    for threads in [1, 2] {
        let opts = RasterOptions {
            threads: Some(threads),
            ..RasterOptions::default()
        };
        group.bench_function(format!("pdf_8_pages_{threads}_threads"), |b| {
            b.iter(|| {
                render(black_box(&pdf), DocumentFormat::Pdf, &opts, |p| {
                    black_box(p.page.data()[0]);
                    Ok::<(), ()>(())
                })
                .expect("render")
            })
        });
    }
    // One page of the document (its first, Letter portrait), each way.
    let page = one_page();
    group.throughput(Throughput::Elements(1));
    for (name, renderer) in [("device", PdfRenderer::Auto), ("full", PdfRenderer::Full)] {
        let opts = RasterOptions {
            threads: Some(1),
            pdf_renderer: renderer,
            ..RasterOptions::default()
        };
        group.bench_function(format!("pdf_1_page_{name}"), |b| {
            b.iter(|| {
                render(black_box(&page), DocumentFormat::Pdf, &opts, |p| {
                    black_box(p.page.data()[0]);
                    Ok::<(), ()>(())
                })
                .expect("render")
            })
        });
    }
    let jpeg = scan();
    group.throughput(Throughput::Elements(1));
    group.bench_function("jpeg_scan_200dpi", |b| {
        b.iter(|| {
            render(
                black_box(&jpeg),
                DocumentFormat::Jpeg,
                &RasterOptions::default(),
                |p| {
                    black_box(p.page.data()[0]);
                    Ok::<(), ()>(())
                },
            )
            .expect("render")
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

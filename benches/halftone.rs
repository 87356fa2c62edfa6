//! faxprep-halftone: every method on a fine Letter page (1728 x 2156) on one
//! thread. Goals (issue 5): threshold and adaptive under 4 ms, error
//! diffusion under 12 ms. `paper_facts/*`: the analysis that tells a
//! picture of paper (issue 13: at most 15 ms of CPU for a picture page), on
//! that page and on a sheet of it photographed on a dark table.
//!
//! `CARGO_TARGET_DIR=... cargo bench -p faxprep-benches --bench halftone`

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use faxprep_halftone::{HalftoneOptions, Method, halftone_with_report, paper_facts};
use faxprep_page::{GrayPage, Resolution};

/// A page like a form with a picture: anti-aliased text-like strokes of
/// several grays, tints and rules over the top two thirds, a smooth
/// photo-like patch below (so `auto` has both kinds of work).
fn page() -> GrayPage {
    let (w, h) = (1728u32, 2156u32);
    let mut data = vec![255u8; (w * h) as usize];
    let mut seed = 12345u64;
    let mut rnd = |n: u64| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) % n
    };
    for y in 0..h as usize {
        for x in 0..w as usize {
            let v = if y < 1400 {
                let line = y % 24;
                let col = x % 14;
                if (4..16).contains(&line) && (col < 2 || (line == 4 || line == 15) && col < 9) {
                    [0u8, 100, 60][(x / 300) % 3]
                } else if (line == 16 || col == 2) && (4..17).contains(&line) {
                    180 // anti-aliased edge
                } else if (600..900).contains(&x) && (200..400).contains(&y) {
                    230 // a tinted field
                } else {
                    255
                }
            } else {
                let (fx, fy) = (x as i64 - 864, y as i64 - 1800);
                (128 + (fx * 100 / 900) - (fy * 80 / 400) + rnd(5) as i64).clamp(0, 255) as u8
            };
            data[y * w as usize + x] = v;
        }
    }
    GrayPage::from_raw(w, h, Resolution::Fine, data).expect("page")
}

fn bench(c: &mut Criterion) {
    let page = page();
    let one = HalftoneOptions::with_threads(1);
    let mut g = c.benchmark_group("halftone");
    g.throughput(Throughput::Elements(
        u64::from(page.width()) * u64::from(page.height()),
    ));
    g.sample_size(20);
    for method in Method::ALL {
        g.bench_function(method.name(), |b| {
            b.iter(|| halftone_with_report(black_box(&page), method, &one))
        });
    }
    g.finish();

    let mut g = c.benchmark_group("paper_facts");
    g.throughput(Throughput::Elements(
        u64::from(page.width()) * u64::from(page.height()),
    ));
    g.sample_size(20);
    let photographed = on_a_table(&page);
    g.bench_function("form_with_picture", |b| {
        b.iter(|| paper_facts(black_box(&page)))
    });
    g.bench_function("sheet_on_a_table", |b| {
        b.iter(|| paper_facts(black_box(&photographed)))
    });
    g.finish();
}

/// `page` shrunk to 70% and turned a little (a shear of 1 in 10) on a dark
/// table, darker toward the bottom.
fn on_a_table(page: &GrayPage) -> GrayPage {
    let (w, h) = (page.width(), page.height());
    let mut data = Vec::with_capacity((w * h) as usize);
    for y in 0..h {
        for x in 0..w {
            let (u, v) = (
                i64::from(x) - i64::from(w) / 2,
                i64::from(y) - i64::from(h) / 2,
            );
            let sx = (u + v / 10) * 10 / 7 + i64::from(w) / 2;
            let sy = (v - u / 10) * 10 / 7 + i64::from(h) / 2;
            let shade = 255 - 90 * i64::from(y) / i64::from(h);
            let value = if (0..i64::from(w)).contains(&sx) && (0..i64::from(h)).contains(&sy) {
                i64::from(page.get(sx as u32, sy as u32)) * shade / 255
            } else {
                50 + (x / 6 + y / 40) as i64 % 3 * 8
            };
            data.push(value.clamp(0, 255) as u8);
        }
    }
    GrayPage::from_raw(w, h, Resolution::Fine, data).expect("page")
}

criterion_group!(benches, bench);
criterion_main!(benches);

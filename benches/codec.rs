//! CCITT coding speed (faxprep-codec, stage 4): G4, MH and MR encode and
//! decode of the ITU-T T.24 charts (from `../shared/corpus` when present), a
//! generated 1728 x 2200 text page and a blank page, one page per element.
//!
//! Run: `cargo bench -p faxprep-benches --bench codec`. libtiff's side of
//! the comparison is timed by the ignored test `libtiff_timing` in
//! `crates/faxprep-codec/tests/ccitt_libtiff.rs` (see the crate docs).

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use faxprep_codec::ccitt::{Compression, DecodeOptions, EncodeOptions, decode, encode_into};
use faxprep_page::{BitPage, Resolution};

#[path = "../crates/faxprep-codec/tests/ccitt_common/textpage.rs"]
mod textpage;

/// One raw PBM (P4) without comments, as the corpus charts are.
fn read_pbm(data: &[u8]) -> Option<BitPage> {
    let mut fields = data.splitn(4, |b| b.is_ascii_whitespace());
    let (magic, w, h, rest) = (
        fields.next()?,
        fields.next()?,
        fields.next()?,
        fields.next()?,
    );
    if magic != b"P4" {
        return None;
    }
    let w: u32 = std::str::from_utf8(w).ok()?.parse().ok()?;
    let h: u32 = std::str::from_utf8(h).ok()?.parse().ok()?;
    let n = BitPage::stride_for(w) * h as usize;
    BitPage::from_packed(w, h, Resolution::Fine, rest.get(..n)?.to_vec()).ok()
}

fn pages() -> Vec<(String, BitPage)> {
    let mut pages = vec![
        (
            "text".to_string(),
            textpage::text_page(1728, 2200, Resolution::Fine, 0x5eed),
        ),
        (
            "blank".to_string(),
            BitPage::new(1728, 2200, Resolution::Fine).expect("page"),
        ),
    ];
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus");
    for n in [1, 2, 3, 5, 7] {
        let path = corpus.join(format!("spandsp-itu{n}.pbm"));
        match std::fs::read(&path).ok().and_then(|d| read_pbm(&d)) {
            Some(page) => pages.push((format!("itu{n}"), page)),
            None => eprintln!("note: {} not found, benching without it", path.display()),
        }
    }
    pages
}

fn codec(c: &mut Criterion) {
    let pages = pages();
    let modes = [
        (Compression::G4, EncodeOptions::tiff(Compression::G4)),
        (
            Compression::G3OneD,
            EncodeOptions::tiff(Compression::G3OneD),
        ),
        (
            Compression::G3TwoD,
            EncodeOptions::tiff(Compression::G3TwoD),
        ),
    ];

    let mut group = c.benchmark_group("codec/encode");
    group.throughput(Throughput::Elements(1));
    group.sample_size(50);
    let mut out = Vec::with_capacity(1 << 20);
    for (name, page) in &pages {
        for (mode, opts) in &modes {
            group.bench_function(format!("{mode}/{name}"), |b| {
                b.iter(|| {
                    out.clear();
                    encode_into(black_box(page), opts, &mut out);
                    black_box(out.len())
                })
            });
        }
    }
    group.finish();

    let mut group = c.benchmark_group("codec/decode");
    group.throughput(Throughput::Elements(1));
    group.sample_size(30);
    for (name, page) in &pages {
        for (mode, opts) in &modes {
            let mut coded = Vec::new();
            encode_into(page, opts, &mut coded);
            let dec = DecodeOptions::new(*mode, page.width()).with_rows(page.height());
            group.bench_function(format!("{mode}/{name}"), |b| {
                b.iter(|| decode(black_box(&coded), &dec).expect("decodes"))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, codec);
criterion_main!(benches);

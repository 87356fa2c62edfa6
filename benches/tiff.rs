//! TIFF Class F container speed (faxprep-codec, stage 4): writing a 10-page
//! fax of generated 1728 x 2200 text pages (G4 and G3 2-D) with the
//! streaming `TiffWriter`, and reading + decoding it back. The CCITT coding
//! dominates; the container itself should add next to nothing.
//!
//! Run: `cargo bench -p faxprep-benches --bench tiff`.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use faxprep_codec::ccitt::Compression;
use faxprep_codec::tiff::{ReadLimits, TiffOptions, TiffWriter, decode_tiff, read_tiff};
use faxprep_page::Resolution;

#[path = "../crates/faxprep-codec/tests/ccitt_common/textpage.rs"]
mod textpage;

fn tiff(c: &mut Criterion) {
    let pages: Vec<_> = (0..10)
        .map(|i| textpage::text_page(1728, 2200, Resolution::Fine, 0x5eed + i))
        .collect();
    for compression in [Compression::G4, Compression::G3TwoD] {
        let options = TiffOptions {
            compression,
            ..TiffOptions::default()
        };
        let write = || {
            let mut writer = TiffWriter::new(options.clone()).expect("options");
            for page in &pages {
                writer.add_page(black_box(page)).expect("page");
            }
            writer.finish().expect("file")
        };
        let file = write();

        let mut group = c.benchmark_group(format!("tiff/{compression}"));
        group.throughput(Throughput::Elements(pages.len() as u64));
        group.sample_size(20);
        group.bench_function("write_10_pages", |b| b.iter(write));
        group.bench_function("read_tiff_10_pages", |b| {
            b.iter(|| read_tiff(black_box(&file), &ReadLimits::default()).expect("read"))
        });
        group.bench_function("decode_tiff_10_pages", |b| {
            b.iter(|| decode_tiff(black_box(&file), &ReadLimits::default()).expect("decode"))
        });
        group.finish();
    }
}

criterion_group!(benches, tiff);
criterion_main!(benches);

//! The whole pipeline, `faxprep::prepare`, on the documents in
//! `fixtures/docs`: a generated 10-page text PDF and a photo JPEG,
//! in-process (the isolated worker adds a process start, measured by
//! `scripts/compare-gs.sh`). Throughput is in pages.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use faxprep::{FormFields, Options, prepare};
use std::hint::black_box;

fn fixture(name: &str) -> Vec<u8> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/docs/");
    std::fs::read(format!("{path}{name}")).expect("run gen_fixtures first")
}

fn bench(c: &mut Criterion) {
    let fields = FormFields {
        recipient_number: Some("+12125550123".into()),
        sender_name: Some("Bench".into()),
        sender_email: Some("bench@example.com".into()),
        ..FormFields::default()
    };
    let mut group = c.benchmark_group("prepare");
    group.sample_size(10);
    for (name, pages) in [("ten-pages.pdf", 10), ("photo.jpg", 1)] {
        let upload = fixture(name);
        group.throughput(Throughput::Elements(pages));
        for threads in [1, 2] {
            let mut opts = Options::default();
            // In-process on purpose: this bench measures the pipeline, and
            // its inputs are our fixtures.
            opts.isolation = faxprep::Isolation::InProcess;
            opts.threads = Some(threads);
            group.bench_function(format!("{name}/{threads}-threads"), |b| {
                b.iter(|| prepare(black_box(&upload), &fields, &opts).expect("prepares"))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

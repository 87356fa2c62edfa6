//! Cover page speed: layout + draw of a full cover at each resolution
//! (goal: under 5 ms at fine), and the two steps apart.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use faxprep_cover::{CoverDate, CoverFields, CoverOptions, draw, layout, render_cover};
use faxprep_page::{Paper, Resolution};
use std::hint::black_box;

fn fields() -> CoverFields {
    let note: String = "The enclosed records cover the period from January to October. Pages \
        two and three contain the lab results requested in your letter of 12 November; page \
        four is the signed consent form. If any page is unreadable, please call our office and \
        we will resend it at once. Note that the originals remain on file with us and that \
        copies may be requested by the patient at any time under the applicable regulations. \
        Thank you for your prompt attention to this matter."
        .chars()
        .take(500)
        .collect();
    CoverFields {
        recipient_name: Some("Dr. Elena Ramírez".into()),
        recipient_number: "+1 (555) 010-4477".into(),
        sender_name: "Jonathan Avery".into(),
        sender_company: Some("Avery & Cole LLP".into()),
        sender_email: "j.avery@averycole.example".into(),
        sender_phone: Some("+1 555 014 2290".into()),
        subject: Some("Signed release of medical records for patient 48213".into()),
        note: Some(note),
        date: CoverDate {
            year: 2026,
            month: 11,
            day: 28,
            hour: 14,
            minute: 5,
            utc_offset_minutes: -300,
            zone: Some("EST".into()),
        },
        total_pages: 4,
    }
}

fn cover(c: &mut Criterion) {
    let fields = fields();
    let mut g = c.benchmark_group("cover");
    g.sample_size(50);
    g.throughput(Throughput::Elements(1));
    for res in Resolution::ALL {
        let opts = CoverOptions {
            resolution: res,
            paper: Paper::Letter,
            brand: None,
        };
        g.bench_function(format!("render_{res}"), |b| {
            b.iter(|| render_cover(black_box(&fields), black_box(&opts)))
        });
    }
    let opts = CoverOptions::default();
    g.bench_function("layout", |b| {
        b.iter(|| layout(black_box(&fields), black_box(&opts)))
    });
    let l = layout(&fields, &opts);
    g.bench_function("draw_fine", |b| {
        b.iter(|| draw(black_box(&l), Resolution::Fine))
    });
    g.finish();
}

criterion_group!(benches, cover);
criterion_main!(benches);

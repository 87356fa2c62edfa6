//! The whole pipeline in-process on raw upload bytes, with small limits:
//! intake, render, halftone, coding and the cover must never panic, and
//! whatever is accepted must come out as a TIFF our reader reads back.
#![no_main]

use faxprep::codec::tiff::{ReadLimits, read_tiff};
use faxprep::{FormFields, Limits, Options, prepare};
use libfuzzer_sys::fuzz_target;

static QUIET_PANICS: std::sync::Once = std::sync::Once::new();

fuzz_target!(|data: &[u8]| {
    // libfuzzer-sys's panic hook aborts even on panics that faxprep catches
    // on purpose (hayro's and lopdf's, which become typed errors). Only a
    // panic that escapes `prepare` is a bug: that one still reaches
    // libfuzzer-sys's own catch_unwind, which aborts.
    QUIET_PANICS.call_once(|| std::panic::set_hook(Box::new(|_| {})));
    let fields = FormFields {
        recipient_number: Some("+12125550123".into()),
        sender_name: Some("Fuzz".into()),
        sender_email: Some("fuzz@example.com".into()),
        include_cover: Some((data.len() % 2 == 0).to_string()),
        ..FormFields::default()
    };
    let mut opts = Options::default();
    // In-process on purpose: the fuzzer looks for panics and runaway work
    // in the pipeline itself.
    opts.isolation = faxprep::Isolation::InProcess;
    let mut limits = Limits::default();
    limits.max_pages = 3;
    limits.max_image_pixels = 4_000_000;
    limits.max_decompressed_bytes = 16 << 20;
    limits.max_total_decompressed_bytes = 32 << 20;
    opts.limits = limits;
    opts.threads = Some(1);
    if let Ok(fax) = prepare(data, &fields, &opts) {
        let pages = read_tiff(&fax.tiff, &ReadLimits::default()).expect("our tiff reads back");
        assert_eq!(pages.len() as u32, fax.total_pages);
    }
});

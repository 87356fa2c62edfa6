//! TIFF uploads through the whole pipeline in-process, with TIFF accepted
//! and small limits: intake's preflight, the raster stage's decoding and
//! placement, halftone and coding must never panic, and whatever is
//! accepted must come out as a TIFF our reader reads back with the pages
//! intake counted.
#![no_main]

use faxprep::codec::tiff::{ReadLimits, read_tiff};
use faxprep::{FormFields, Limits, Options, prepare};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let fields = FormFields {
        recipient_number: Some("+12125550123".into()),
        sender_name: Some("Fuzz".into()),
        sender_email: Some("fuzz@example.com".into()),
        include_cover: Some("false".into()),
        ..FormFields::default()
    };
    let mut opts = Options::default();
    // In-process on purpose: the fuzzer looks for panics and runaway work
    // in the pipeline itself.
    opts.isolation = faxprep::Isolation::InProcess;
    let mut limits = Limits::default();
    limits.accept_tiff = true;
    limits.max_pages = 3;
    limits.max_image_pixels = 4_000_000;
    limits.max_decompressed_bytes = 16 << 20;
    limits.max_total_decompressed_bytes = 32 << 20;
    opts.limits = limits;
    opts.threads = Some(1);
    if let Ok(fax) = prepare(data, &fields, &opts) {
        let pages = read_tiff(&fax.tiff, &ReadLimits::default()).expect("our tiff reads back");
        assert_eq!(pages.len() as u32, fax.total_pages);
        assert_eq!(fax.document_pages, fax.total_pages);
    }
});

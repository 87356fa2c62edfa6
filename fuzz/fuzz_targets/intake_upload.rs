//! Fuzz intake with raw uploads: sniffing and the PDF, JPEG and PNG
//! preflights, with small limits so every input runs fast; accepted PDFs
//! then go through the image shrink with every image in reach (above 0
//! bytes, to at most 4 KiB), so its row decoder sees hostile streams, and
//! through the form-value drawing (widgets, parents, values, rectangles
//! and /DA strings as the input has them), and through the one rewrite
//! for the renderer (a rebuilt or salvaged file written out, the lost
//! pages of a file cut short pruned). Any panic in
//! our code, hang or runaway allocation is a bug (lopdf panics are caught
//! and become `Error::Damaged`, so they do not show up here either).
#![no_main]

use faxprep_intake::{
    Error, IntakeOptions, Limits, check_document, draw_form_values, fit_for_renderer,
    shrink_images_with,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut limits = Limits::default();
    limits.max_upload_bytes = 1 << 20;
    limits.max_pages = 50;
    limits.max_image_pixels = 4_000_000;
    limits.max_decompressed_bytes = 8 << 20;
    limits.max_total_decompressed_bytes = 32 << 20;
    limits.max_metadata_bytes = 64 << 10;
    let opts = IntakeOptions {
        limits,
        password: Some("view".into()),
        ..IntakeOptions::default()
    };
    match check_document(data, &opts) {
        Ok(doc) => {
            assert!(doc.pages >= 1 && doc.pages <= 50);
            if let Some(info) = doc.image {
                assert!(u64::from(info.width) * u64::from(info.height) <= 4_000_000);
                assert!((1..=8).contains(&info.orientation));
            }
            for w in &doc.warnings {
                let _ = w.to_string();
            }
            if let Ok(Some(pdf)) = shrink_images_with(data, &opts, 0, 4096) {
                assert!(pdf.starts_with(b"%PDF-"));
            }
            if let Ok(Some(pdf)) = draw_form_values(data, &opts) {
                assert!(doc.form_values_to_draw > 0);
                assert!(pdf.starts_with(b"%PDF-"));
            }
            if let Ok(Some(pdf)) = fit_for_renderer(data, &doc, &opts) {
                assert!(pdf.starts_with(b"%PDF-"));
            }
        }
        Err(e) => {
            // Every error renders to an API body without panicking.
            let body = e.api_error();
            assert!(!body.hint.is_empty());
            assert!(!matches!(e, Error::Fields(_) | Error::Combined { .. }));
        }
    }
});

//! Replays every input the `intake_upload` fuzz target ever crashed or
//! hung on (`fixtures/fuzz-regressions/intake_upload/` at the workspace
//! root): each must now finish with a document or a typed error.

use faxprep_intake::{IntakeOptions, Limits, check_document, draw_form_values, shrink_images_with};
use std::path::Path;
use std::time::{Duration, Instant};

#[test]
fn fuzz_regressions_replay() {
    let dir =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/fuzz-regressions/intake_upload");
    let entries = std::fs::read_dir(&dir).expect("the regression directory exists");
    let mut small = Limits::default();
    small.max_upload_bytes = 1 << 20;
    small.max_pages = 50;
    small.max_image_pixels = 4_000_000;
    small.max_decompressed_bytes = 8 << 20;
    small.max_total_decompressed_bytes = 32 << 20;
    small.max_metadata_bytes = 64 << 10;
    let mut count = 0;
    for entry in entries {
        let path = entry.expect("dir entry").path();
        if !path.is_file() || path.extension().is_some_and(|e| e == "md") {
            continue;
        }
        let bytes = std::fs::read(&path).expect("read regression");
        for limits in [small.clone(), Limits::default()] {
            let opts = IntakeOptions {
                limits,
                password: Some("view".into()),
                ..IntakeOptions::default()
            };
            let start = Instant::now();
            let r = check_document(&bytes, &opts);
            if let Err(e) = &r {
                let _ = e.api_error();
            }
            // What the fuzz target does next with an accepted file.
            if r.is_ok() {
                let _ = shrink_images_with(&bytes, &opts, 0, 4096);
                let _ = draw_form_values(&bytes, &opts);
            }
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "{}: took {:?}",
                path.display(),
                start.elapsed()
            );
        }
        count += 1;
    }
    println!("replayed {count} regressions");
}

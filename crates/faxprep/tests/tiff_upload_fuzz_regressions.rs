//! Replays every input kept for the `tiff_upload` fuzz target
//! (`fixtures/fuzz-regressions/tiff_upload/` at the workspace root: the
//! colour and gray seeds it starts from, and whatever it ever crashed or
//! hung on) through `prepare` as the target runs it: each must finish with
//! a fax whose pages our reader reads back, or a typed error.
#![allow(clippy::unwrap_used)] // test code: a panic is a failure report

use std::path::Path;

use faxprep::codec::tiff::{ReadLimits, read_tiff};
use faxprep::{FormFields, Isolation, Limits, Options, prepare};

#[test]
fn tiff_upload_regressions_replay() {
    let dir =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/fuzz-regressions/tiff_upload");
    let fields = FormFields {
        recipient_number: Some("+12125550123".into()),
        sender_name: Some("Fuzz".into()),
        sender_email: Some("fuzz@example.com".into()),
        include_cover: Some("false".into()),
        ..FormFields::default()
    };
    // The fuzz target's options.
    let mut opts = Options::default();
    opts.isolation = Isolation::InProcess;
    let mut limits = Limits::default();
    limits.accept_tiff = true;
    limits.max_pages = 3;
    limits.max_image_pixels = 4_000_000;
    limits.max_decompressed_bytes = 16 << 20;
    limits.max_total_decompressed_bytes = 32 << 20;
    opts.limits = limits;
    opts.threads = Some(1);
    let mut seeds = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if !path.is_file() || path.extension().is_some_and(|e| e == "md") {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        // The seeds are valid files of every colour model the raster stage
        // reads: they must be accepted.
        let seed = path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("seed-"));
        match prepare(&bytes, &fields, &opts) {
            Ok(fax) => {
                let pages = read_tiff(&fax.tiff, &ReadLimits::default()).unwrap();
                assert_eq!(pages.len() as u32, fax.total_pages, "{}", path.display());
                seeds += u32::from(seed);
            }
            Err(e) => {
                assert!(!seed, "seed {} refused: {e}", path.display());
                let body = e.api_error();
                assert!(!body.error.is_empty() && !body.hint.is_empty());
                assert!(e.is_callers(), "{}: {e}", path.display());
            }
        }
    }
    assert!(seeds >= 7, "the seeds are there");
}

//! Replays every input in `fixtures/fuzz-regressions/tiff_read/` (the
//! minimised crashers of the `tiff_read` fuzz target, and hand-made hostile
//! files) through what the fuzz target does. Each must finish without a
//! panic; the limits are the fuzz target's.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use faxprep_codec::tiff::{ReadLimits, decode_page, read_tiff, validate_class_f};

#[test]
fn tiff_read_regressions_replay() {
    let dir =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/fuzz-regressions/tiff_read");
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    assert!(
        !entries.is_empty(),
        "no regression inputs in {}",
        dir.display()
    );
    let limits = ReadLimits {
        max_pages: 8,
        max_width: 2600,
        max_height: 4000,
        max_bytes_per_page: 1 << 20,
    };
    for path in entries {
        let data = std::fs::read(&path).unwrap();
        if let Ok(pages) = read_tiff(&data, &limits) {
            for info in &pages {
                if let Ok(page) = decode_page(&data, info) {
                    assert_eq!((page.width(), page.height()), (info.width, info.height));
                }
            }
        }
        for issue in validate_class_f(&data) {
            let _ = issue.to_string();
        }
        eprintln!("replayed {}", path.display());
    }
}

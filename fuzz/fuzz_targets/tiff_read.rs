//! Fuzz the TIFF reader: directory parsing, strip location, CCITT decoding
//! and Class F validation, with small limits so every input runs fast.
//! Any panic, hang or runaway allocation is a bug.
#![no_main]

use faxprep_codec::tiff::{ReadLimits, decode_page, read_tiff, validate_class_f};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = ReadLimits {
        max_pages: 8,
        max_width: 2600,
        max_height: 4000,
        max_bytes_per_page: 1 << 20,
    };
    if let Ok(pages) = read_tiff(data, &limits) {
        for info in &pages {
            if let Ok(page) = decode_page(data, info) {
                assert_eq!((page.width(), page.height()), (info.width, info.height));
            }
        }
    }
    for issue in validate_class_f(data) {
        let _ = issue.to_string();
    }
});

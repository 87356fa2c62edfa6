//! Encode an arbitrary bitmap in an arbitrary mode and decode it back: the
//! first bytes choose width, K and options (see the shared harness), the
//! rest is the bitmap; decode(encode(x)) must be x.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../../crates/faxprep-codec/tests/ccitt_common/fuzz_harness.rs"]
mod harness;

fuzz_target!(|data: &[u8]| harness::roundtrip_one(data));

//! Decode arbitrary bytes as G3/G4: the first bytes choose the coding,
//! width and limits (see the shared harness); decoding must not panic or
//! break its limits, and what decodes must round-trip.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../../crates/faxprep-codec/tests/ccitt_common/fuzz_harness.rs"]
mod harness;

fuzz_target!(|data: &[u8]| harness::decode_one(data));

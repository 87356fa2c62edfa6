//! CCITT fax coding and TIFF Class F for faxprep (stage 4 of 6).
//!
//! Takes the [`BitPage`]s that faxprep-halftone (the document's pages) and
//! faxprep-cover (the cover page) produce and turns them into the bytes fax
//! carriers take: T.4/T.6 coded strips in a TIFF Class F file ([`tiff`]),
//! or raw G3/G4 streams ([`ccitt`]). It also decodes both back to
//! [`BitPage`]s, for the preview, the CLI's `inspect` and the tests. The
//! umbrella crate `faxprep` calls it last in `prepare()`.
//!
//! - [`ccitt`]: T.4 1-D Modified Huffman (G3 MH, T.4 §4.1), T.4 2-D
//!   Modified READ (G3 MR, T.4 §4.2) with K = 2/4/8 by resolution, and T.6
//!   (G4 MMR, T.6 §2.2); [`encode`] / [`decode`] / [`decode_lenient`].
//! - [`tiff`]: the multi-page TIFF Class F writer and reader (RFC 2306).
//!
//! Out of scope: rendering, halftoning, page geometry (other stages), fax
//! transmission (T.30), JBIG, colour fax, and T.4 uncompressed mode.
//!
//! ```
//! use faxprep_codec::ccitt::{Compression, DecodeOptions, EncodeOptions, decode, encode};
//! use faxprep_page::{BitPage, Resolution, FAX_WIDTH};
//!
//! let mut page = BitPage::new(FAX_WIDTH, 200, Resolution::Fine)?;
//! page.fill_rect(100, 20, 900, 60);
//! for compression in Compression::ALL {
//!     let coded = encode(&page, &EncodeOptions::tiff(compression));
//!     let opts = DecodeOptions::new(compression, FAX_WIDTH).with_rows(page.height());
//!     assert_eq!(decode(&coded, &opts)?, page);
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Conformance
//! For the same bitmap our G4, MH and MR bytes equal libtiff's (`tiffcp -c
//! g4`, `-c g3[:2d][:fill]`) byte for byte: `tests/ccitt_libtiff.rs` checks
//! it on the ITU-T T.24 charts, a text page and edge patterns. Decoding is
//! checked against libtiff on every fax TIFF of the corpus and against the
//! `fax` crate on our own output, and is fuzzed (`fuzz/fuzz_targets/
//! ccitt_*.rs`, regressions replayed by `tests/ccitt_fuzz_regressions.rs`).
//!
//! # Performance
//! The encoder finds colour changes 64 pixels at a time (`w ^ (w >> 1)` and
//! `leading_zeros`), keeps the reference row as a change list, codes a row
//! equal to the one above as a run of V0 bits without looking at it again,
//! and writes through a 64-bit accumulator with `const` code tables. The
//! decoders look codes up in `const` tables (13 bits for runs, 7 for
//! modes).
//!
//! ## BENCH
//! CPU milliseconds per page (the 2-core build machine was shared with a
//! dozen other jobs, so CPU time, not wall time, is what compares fairly).
//! Ours: mean of 200 in-process encodes (`encode_into`, TIFF-F options);
//! libtiff: `tiffcp -r 100000 -c g4 plain.tif out.tif` under `hyperfine -N
//! --warmup 5 --runs 60`, user + system, with `tiffcp -c none` on the same
//! uncompressed TIFF as the cost of its I/O alone.
//!
//! | page | ours G4 | ours MH | ours MR | tiffcp -c g4 | tiffcp -c none | G4 speed-up |
//! |---|---|---|---|---|---|---|
//! | text 1728x2200 | 0.531 | 0.565 | 0.484 | 7.59 | 3.14 | 14x |
//! | blank 1728x2200 | 0.017 | 0.020 | 0.020 | 2.76 | 3.10 | 163x |
//! | ITU chart 1 | 0.581 | 0.387 | 0.569 | 5.38 | 3.24 | 9x |
//! | ITU chart 2 | 0.432 | 0.322 | 0.455 | 4.58 | 3.12 | 11x |
//! | ITU chart 3 | 0.971 | 0.723 | 0.941 | 6.99 | 3.18 | 7x |
//! | ITU chart 5 | 1.128 | 0.785 | 1.087 | 7.56 | 3.29 | 7x |
//! | ITU chart 7 | 2.287 | 1.416 | 2.086 | 11.78 | 3.10 | 5x |
//!
//! criterion (`cargo bench -p faxprep-benches --bench codec`, wall time,
//! median, load average 4.5), ms per page:
//!
//! | page | encode G4 / MH / MR | decode G4 / MH / MR |
//! |---|---|---|
//! | text 1728x2200 | 0.551 / 0.581 / 0.513 | 1.415 / 1.193 / 1.330 |
//! | blank 1728x2200 | 0.017 / 0.024 / 0.027 | 0.056 / 0.060 / 0.059 |
//! | ITU chart 1 | 0.656 / 0.411 / 0.585 | 0.857 / 0.696 / 0.808 |
//!
//! Even against tiffcp's coding alone (its time minus the `-c none` run,
//! about 4.5 ms for the text page) G4 is over 8x faster there.
//! Reproduce with `cargo test --release -p faxprep-codec --test
//! ccitt_libtiff -- --ignored --nocapture libtiff_timing` (prints this
//! table).
//!
//! # TIFF Class F
//! [`tiff::TiffWriter`] takes pages one at a time (a 300-page fax never
//! holds 300 bitmaps: each page is coded straight into the file buffer)
//! and writes one strip per page, NewSubfileType 2, Photometric 0, 204 x
//! 98/196/391 dpi RATIONALs, T4Options (2-D bit, fill bits) or T6Options,
//! PageNumber (patched at the end when the total is not given), Software,
//! DateTime only when given (never the clock) and CleanFaxData 0,
//! little-endian with word-aligned, sorted directories;
//! [`tiff::write_tiff_f`] does it for a slice. G4 strips end with EOFB as
//! libtiff's do, so they are libtiff's bytes. [`tiff::read_tiff`],
//! [`tiff::decode_tiff`] and [`tiff::decode_page_lenient`] read Class F and
//! most other bilevel fax TIFFs (II and MM, FillOrder 1 and 2, G3 1-D/2-D,
//! G4, uncompressed, several strips a page, PhotometricInterpretation 1)
//! under [`tiff::ReadLimits`], checking every offset and count before use
//! and refusing directory loops; [`tiff::validate_class_f`] lists what
//! keeps a file from being Class F (for `inspect`). The directory code is
//! written by hand, not with the `tiff` crate's encoder: the strips are
//! already-coded bytes, the tags carry fax-specific values and PageNumber
//! totals are patched in place, which is simpler to control exactly by
//! hand. Tests: every mode against libtiff (`tifftopnm`, `tiffinfo -D`),
//! Ghostscript's CCITTFaxDecode and `tiffcp -c g4` bytes; the corpus fax
//! TIFFs; truncation and corruption sweeps; the `tiff_read` fuzz target.
//!
//! # Cargo features
//! None.
//!
//! # Dependencies
//! - `faxprep-page`: the [`BitPage`] and [`Resolution`] types every stage
//!   shares.
//!
//! Dev-dependencies: `fax` (an independent G4 and MH decoder for the
//! round-trip tests), `proptest` (random bitmaps), `faxprep-testkit` (the
//! corpus and the oracle-tool skip policy), `tempfile` (scratch files for
//! libtiff and Ghostscript).
//!
//! # Safety
//! Unsafe code is forbidden. Decoding hostile data cannot panic, allocate
//! more than the page the caller allowed, or take time beyond linear in the
//! input plus the output.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod ccitt;
pub mod tiff;

pub use ccitt::{Compression, DecodeOptions, EncodeOptions, decode, decode_lenient, encode};
pub use tiff::{
    ReadLimits, TiffOptions, TiffWriter, decode_tiff, read_tiff, validate_class_f, write_tiff_f,
};

#[cfg(doc)]
use faxprep_page::{BitPage, Resolution};

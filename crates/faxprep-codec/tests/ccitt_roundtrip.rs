//! Round trips through independent code paths: random bitmaps (widths 1 to
//! 2600; random densities, all white, all black, alternating pixels, mixed
//! rows, long runs) encode and decode back bit-exact in every mode and
//! option, with our decoder and with the `fax` crate's G4 and MH decoders.

#![allow(clippy::unwrap_used)] // test code: a panic is a failure report
mod ccitt_common;

use ccitt_common::{fax_decode_g3, fax_decode_g4};
use faxprep_codec::ccitt::{
    Compression, DecodeOptions, EncodeOptions, decode, decode_lenient, encode,
};
use faxprep_page::{BitPage, Resolution};
use proptest::prelude::*;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// Fill row `y` of `page` with one of several patterns chosen by `kind`.
fn fill_row(page: &mut BitPage, y: u32, kind: u64, rng: &mut Rng) {
    let w = page.width();
    match kind {
        // Random pixels at a random density.
        0 => {
            let density = rng.below(65);
            for x in 0..w {
                if rng.below(64) < density {
                    page.set(x, y, true);
                }
            }
        }
        1 => {}
        2 => page.fill_rect(0, y, w, y + 1),
        // Alternating pixels, shifted every other row (a checkerboard).
        3 => (0..w)
            .filter(|x| (x + y).is_multiple_of(2))
            .for_each(|x| page.set(x, y, true)),
        // The row above, shifted by -3..=3 (vertical mode territory).
        4 if y > 0 => {
            let shift = rng.below(7) as i64 - 3;
            for x in 0..w {
                let src = i64::from(x) - shift;
                if src >= 0 && page.get(src as u32, y - 1) {
                    page.set(x, y, true);
                }
            }
        }
        // Runs of geometric lengths, short or very long.
        _ => {
            let mean = [2u64, 8, 64, 900, 3000][rng.below(5) as usize];
            let mut x = 0u64;
            let mut black = rng.below(2) == 1;
            while x < u64::from(w) {
                let run = 1 + rng.below(2 * mean);
                if black {
                    page.fill_rect(x as u32, y, (x + run).min(u64::from(w)) as u32, y + 1);
                }
                black = !black;
                x += run;
            }
        }
    }
}

fn make_page(width: u32, height: u32, seed: u64, kind: u8, res: Resolution) -> BitPage {
    let mut rng = Rng(seed | 1);
    let mut page = BitPage::new(width, height, res).unwrap();
    for y in 0..height {
        // Kind 6: every row its own pattern; otherwise one pattern a page.
        let row_kind = if kind == 6 {
            rng.below(6)
        } else {
            u64::from(kind)
        };
        fill_row(&mut page, y, row_kind, &mut rng);
    }
    page
}

fn page_strategy() -> impl Strategy<Value = BitPage> {
    (
        prop_oneof![
            1u32..=80,
            1u32..=2600,
            Just(1728u32),
            Just(2048),
            Just(2432)
        ],
        1u32..=24,
        any::<u64>(),
        0u8..=6,
        prop_oneof![
            Just(Resolution::Standard),
            Just(Resolution::Fine),
            Just(Resolution::Superfine)
        ],
    )
        .prop_map(|(w, h, seed, kind, res)| make_page(w, h, seed, kind, res))
}

fn options_strategy() -> impl Strategy<Value = EncodeOptions> {
    (
        prop_oneof![
            Just(Compression::G3OneD),
            Just(Compression::G3TwoD),
            Just(Compression::G4)
        ],
        0u32..=9,
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(compression, k, align_eol, raw_stream)| EncodeOptions {
            compression,
            k,
            align_eol,
            raw_stream,
        })
}

fn decode_opts(page: &BitPage, c: Compression) -> DecodeOptions {
    DecodeOptions::new(c, page.width()).with_resolution(page.resolution())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn every_mode_round_trips(page in page_strategy(), opts in options_strategy()) {
        let coded = encode(&page, &opts);
        let base = decode_opts(&page, opts.compression);
        // Told the height (as a TIFF reader is) and not (raw streams).
        let told = decode(&coded, &base.with_rows(page.height()));
        prop_assert_eq!(told.as_ref(), Ok(&page));
        let untold = decode(&coded, &base);
        prop_assert_eq!(untold.as_ref(), Ok(&page));
        let lenient = decode_lenient(&coded, &base).unwrap();
        prop_assert_eq!(lenient.error, None);
        prop_assert_eq!(lenient.page, page);
    }

    #[test]
    fn fax_crate_decodes_our_g4(page in page_strategy()) {
        // With EOFB, as in our TIFF strips: the fax crate's G4 decoder fails
        // on a last row that ends within a few bits of the end of the data
        // (it needs to peek past it).
        let coded = encode(&page, &EncodeOptions::g4().with_raw_stream(true));
        let theirs = fax_decode_g4(&coded, page.width(), page.height());
        prop_assert_eq!(theirs.as_deref(), Some(page.data()));
    }

    #[test]
    fn fax_crate_decodes_our_mh(page in page_strategy(), align in any::<bool>()) {
        // The fax crate's G3 decoder reads MH with RTC (it stops at RTC).
        let opts = EncodeOptions::g3_1d().with_raw_stream(true).with_align_eol(align);
        let coded = encode(&page, &opts);
        let theirs = fax_decode_g3(&coded, page.width());
        prop_assert_eq!(theirs.as_deref(), Some(page.data()));
    }
}

#[test]
fn fixed_patterns_round_trip_in_every_mode() {
    for width in [1u32, 2, 7, 8, 9, 63, 64, 65, 1728, 2560, 2561, 2600] {
        for kind in 0..=6u8 {
            let page = make_page(width, 9, 0xfeed + u64::from(width), kind, Resolution::Fine);
            for c in Compression::ALL {
                for (align, raw) in [(false, false), (true, false), (false, true), (true, true)] {
                    let opts = EncodeOptions {
                        compression: c,
                        k: 0,
                        align_eol: align,
                        raw_stream: raw,
                    };
                    let coded = encode(&page, &opts);
                    let back = decode(&coded, &decode_opts(&page, c).with_rows(page.height()));
                    assert_eq!(
                        back.as_ref(),
                        Ok(&page),
                        "width {width} kind {kind} {opts:?}"
                    );
                }
            }
        }
    }
}

//! Hostile input: truncated streams, random bytes, hand-made bad codes and
//! absurd sizes give errors or documented partial pages, never a panic, an
//! allocation past the limits, or unbounded time.

#![allow(clippy::unwrap_used)] // test code: a panic is a failure report
mod ccitt_common;

use ccitt_common::{charts, corpus, text_page};
use faxprep_codec::ccitt::{
    Compression, DecodeOptions, EncodeOptions, Error, decode, decode_lenient, encode,
};
use faxprep_page::{BitPage, Resolution};

/// A page to cut up: ITU chart 1 when the corpus is there, else the text
/// page.
fn victim() -> BitPage {
    corpus()
        .map(|c| charts(&c).remove(0).1)
        .unwrap_or_else(text_page)
}

#[test]
fn truncation_sweeps_never_panic_and_keep_the_rows_before_the_cut() {
    let page = victim();
    for c in Compression::ALL {
        for (align, raw) in [(false, false), (true, true)] {
            let opts = EncodeOptions {
                compression: c,
                k: 0,
                align_eol: align,
                raw_stream: raw,
            };
            let coded = encode(&page, &opts);
            let told = DecodeOptions::new(c, page.width()).with_rows(page.height());
            let untold = DecodeOptions::new(c, page.width());
            let cuts = (0..64).chain((0..coded.len()).step_by(coded.len() / 150 + 1));
            for cut in cuts.filter(|&n| n < coded.len()) {
                let data = &coded[..cut];
                // Strict: an error, or (untold, cut in the last bytes) the
                // rows that were complete.
                assert!(
                    decode(data, &told).is_err() || cut + 2 >= coded.len(),
                    "{c} cut {cut}"
                );
                if let Ok(p) = decode(data, &untold) {
                    assert!(p.height() <= page.height());
                }
                // Lenient and told the height: a full-size page whose rows
                // before the damage are the original's.
                let partial = decode_lenient(data, &told).unwrap();
                assert_eq!(partial.page.height(), page.height());
                if let Some(Error::Truncated { rows_decoded }) = partial.error {
                    let n = rows_decoded as usize * page.stride();
                    assert_eq!(
                        &partial.page.data()[..n],
                        &page.data()[..n],
                        "{c} cut {cut}"
                    );
                }
            }
        }
    }
}

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn random_bytes_never_panic() {
    let mut rng = Rng(0xdead_beef_cafe_f00d);
    for i in 0..3000 {
        let len = (rng.next() % 3000) as usize;
        // Raw noise, or noise biased towards zeros (EOL-like) or ones (V0).
        let bias = i % 3;
        let data: Vec<u8> = (0..len)
            .map(|_| match bias {
                0 => rng.next() as u8,
                1 => (rng.next() as u8) & (rng.next() as u8) & (rng.next() as u8),
                _ => (rng.next() as u8) | (rng.next() as u8),
            })
            .collect();
        let c = Compression::ALL[i % 3];
        let width = [1u32, 8, 100, 1728, 2432, 65536][(rng.next() % 6) as usize];
        let opts = DecodeOptions::new(c, width).with_max_rows(500);
        for opts in [opts, opts.with_rows(300)] {
            if let Ok(page) = decode(&data, &opts) {
                assert!(page.height() <= 500);
            }
            if let Ok(partial) = decode_lenient(&data, &opts) {
                assert!(partial.page.height() <= 500);
            }
        }
    }
}

/// Bits written as a string of '0'/'1' (spaces ignored), zero-padded.
fn bits(s: &str) -> Vec<u8> {
    let bits: Vec<u8> = s
        .bytes()
        .filter(|b| !b.is_ascii_whitespace())
        .map(|b| b - b'0')
        .collect();
    bits.chunks(8)
        .map(|c| {
            c.iter()
                .enumerate()
                .fold(0u8, |acc, (i, &b)| acc | (b << (7 - i)))
        })
        .collect()
}

#[test]
fn bad_codes_are_typed_errors() {
    let g4 = DecodeOptions::new(Compression::G4, 16);
    // Row 0 is black at 0 and 1 (horizontal: white 0, black 2; then V0 at
    // the row end); in row 1, VL3 puts a1 three pixels left of b1 = 0.
    let vl3 = bits("001 00110101 11 1   0000010");
    assert!(matches!(
        decode(&vl3, &g4),
        Err(Error::InvalidCode { row: 1, .. })
    ));
    // VR3 against a white reference points past the end.
    assert!(matches!(
        decode(&bits("0000011"), &g4),
        Err(Error::RowOverrun { row: 0 })
    ));
    // Horizontal: white 15, black 2 is 17 pixels in a 16-pixel row.
    assert!(matches!(
        decode(&bits("001 110101 11"), &g4),
        Err(Error::RowOverrun { row: 0 })
    ));
    // The uncompressed-mode extension.
    assert!(matches!(
        decode(&bits("1 0000001111"), &g4),
        Err(Error::Unsupported { row: 1, .. })
    ));
    // Seven zeros and a one is no code at all.
    assert!(matches!(
        decode(&bits("1 00000001 1"), &g4),
        Err(Error::InvalidCode { row: 1, .. })
    ));
    // A horizontal code cut short.
    assert!(matches!(
        decode(&bits("1 001 1"), &g4),
        Err(Error::Truncated { rows_decoded: 1 })
    ));

    let mh = DecodeOptions::new(Compression::G3OneD, 16);
    // EOL, white 4, then an EOL inside the row.
    let premature = bits("000000000001 1011 000000000001 110101 000000000001");
    assert!(matches!(
        decode(&premature, &mh),
        Err(Error::PrematureEol { row: 0, .. })
    ));
    let partial = decode_lenient(&premature, &mh).unwrap();
    assert!(matches!(
        partial.error,
        Some(Error::PrematureEol { row: 0, .. })
    ));
    // The damaged row is white after what was decoded (4 white pixels);
    // the next row, white 15 and nothing, is damaged too.
    assert_eq!(partial.page.height(), 2);
    assert!(partial.page.is_blank());

    // MR needs the EOL + tag bit in front of a row.
    let mr = DecodeOptions::new(Compression::G3TwoD, 16);
    assert!(matches!(
        decode(&bits("1 1 1"), &mr),
        Err(Error::InvalidCode { row: 0, .. })
    ));
}

#[test]
fn sizes_from_the_caller_are_checked() {
    for width in [0, faxprep_page::MAX_DIMENSION + 1, u32::MAX] {
        let opts = DecodeOptions::new(Compression::G4, width);
        assert_eq!(decode(&[0xff], &opts), Err(Error::InvalidWidth { width }));
        assert_eq!(
            decode_lenient(&[0xff], &opts),
            Err(Error::InvalidWidth { width })
        );
    }
    // Asking for more rows than the limit fails before anything is
    // allocated, and so does a width x rows over the page type's cap.
    let opts = DecodeOptions::new(Compression::G4, 1728).with_max_rows(10);
    assert_eq!(
        decode(
            &[0xff],
            &DecodeOptions {
                rows: Some(11),
                ..opts
            }
        ),
        Err(Error::TooManyRows { limit: 10 })
    );
    let huge = DecodeOptions::new(Compression::G4, 65536).with_rows(u32::MAX);
    assert!(matches!(
        decode(&[0xff], &huge),
        Err(Error::TooManyRows { .. })
    ));
    // A white row is one bit in G4: 8 bytes of ones are 64 rows, over 10.
    assert_eq!(
        decode(&[0xff; 8], &opts),
        Err(Error::TooManyRows { limit: 10 })
    );
    let partial = decode_lenient(&[0xff; 8], &opts).unwrap();
    assert_eq!(partial.page.height(), 10);
    assert_eq!(partial.error, Some(Error::TooManyRows { limit: 10 }));
}

#[test]
fn empty_and_marker_only_streams() {
    for c in Compression::ALL {
        let opts = DecodeOptions::new(c, 1728);
        assert_eq!(
            decode(&[], &opts),
            Err(Error::Truncated { rows_decoded: 0 })
        );
        assert_eq!(
            decode(&[0; 100], &opts),
            Err(Error::Truncated { rows_decoded: 0 })
        );
        // Told the height, an end marker straight away is a white page: EOFB,
        // RTC, and RTC without MR's tag bits.
        let mut markers = vec!["000000000001 000000000001"];
        if c == Compression::G3TwoD {
            markers.push("000000000001 1 000000000001 1");
        }
        for marker in markers {
            let page = decode(&bits(marker), &opts.with_rows(3)).unwrap();
            assert!(page.is_blank() && page.height() == 3, "{c} {marker}");
        }
    }
}

#[test]
fn wide_pages_of_long_runs_decode() {
    // The widest page allowed, alternating long runs, through every mode.
    let width = faxprep_page::MAX_DIMENSION;
    let mut page = BitPage::new(width, 3, Resolution::Superfine).unwrap();
    page.fill_rect(1, 0, 30_000, 1);
    page.fill_rect(0, 1, width, 2);
    page.fill_rect(40_000, 2, width - 1, 3);
    for c in Compression::ALL {
        let coded = encode(&page, &EncodeOptions::new(c));
        let opts = DecodeOptions::new(c, width).with_resolution(Resolution::Superfine);
        assert_eq!(decode(&coded, &opts).as_ref(), Ok(&page));
    }
}

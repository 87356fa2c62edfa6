//! What the `ccitt_decode` and `ccitt_roundtrip` fuzz targets do with their
//! input, shared (through `#[path]`) by the targets in `fuzz/fuzz_targets/`
//! and by `tests/ccitt_fuzz_regressions.rs`, which replays the crashers kept
//! in `fixtures/fuzz-regressions/<target>/`. Each target uses one of the
//! two functions, hence the `allow`.
#![allow(dead_code)]

use faxprep_codec::ccitt::{
    Compression, DecodeOptions, EncodeOptions, Error, decode, decode_lenient, encode,
};
use faxprep_page::{BitPage, Resolution};

/// `ccitt_decode`: the first four bytes choose the coding, the width, the
/// row limit and whether the height is given; the rest is coded data.
/// Decoding must not panic, must respect the limits, and what decodes must
/// survive a round trip through our encoder.
pub fn decode_one(data: &[u8]) {
    let [b0, b1, b2, b3, rest @ ..] = data else {
        return;
    };
    let compression = Compression::ALL[usize::from(*b0 % 3)];
    let raw_width = u32::from(u16::from_le_bytes([*b1, *b2]));
    // Mostly fax-like widths; with bit 7 any width up to 65536 and beyond.
    let width = if b0 & 0x80 != 0 {
        raw_width * 2
    } else {
        raw_width % 2600 + 1
    };
    let max_rows = u32::from(*b3) + 1;
    let mut opts = DecodeOptions::new(compression, width).with_max_rows(max_rows);
    if b0 & 0x40 != 0 {
        opts = opts.with_rows(u32::from(*b3 / 2) + 1);
    }
    opts.align_eol = b0 & 0x20 != 0;

    let strict = decode(rest, &opts);
    let lenient = decode_lenient(rest, &opts);
    if width == 0 || width > faxprep_page::MAX_DIMENSION {
        assert!(matches!(strict, Err(Error::InvalidWidth { .. })));
        return;
    }
    if let Ok(page) = &strict {
        check_page(page, &opts);
        // Strict success means no damage: the lenient decoder agrees.
        let lenient = lenient
            .as_ref()
            .expect("lenient decodes what strict decodes");
        assert_eq!(&lenient.page, page);
        assert_eq!(lenient.error, None);
        // And whatever decodes, re-encodes to the same picture.
        let again = encode(page, &EncodeOptions::new(compression).with_raw_stream(true));
        let back = decode(
            &again,
            &DecodeOptions {
                rows: Some(page.height()),
                ..opts
            },
        );
        assert_eq!(back.as_ref(), Ok(page));
    }
    if let Ok(partial) = &lenient {
        check_page(&partial.page, &opts);
        if let Some(rows) = opts.rows {
            assert_eq!(partial.page.height(), rows);
        }
    }
}

fn check_page(page: &BitPage, opts: &DecodeOptions) {
    assert_eq!(page.width(), opts.width);
    assert!(page.height() <= opts.max_rows);
    if let Some(rows) = opts.rows {
        assert_eq!(page.height(), rows);
    }
}

/// `ccitt_roundtrip`: the first four bytes choose the coding, K, the
/// options and the width; the rest is the bitmap (cycled to fill whole
/// rows, at most 64 of them). decode(encode(x)) must be x.
pub fn roundtrip_one(data: &[u8]) {
    let [b0, b1, b2, b3, rest @ ..] = data else {
        return;
    };
    let compression = Compression::ALL[usize::from(*b0 % 3)];
    let opts = EncodeOptions {
        compression,
        k: u32::from(*b1 % 10),
        align_eol: b0 & 0x10 != 0,
        raw_stream: b0 & 0x20 != 0,
    };
    let width = u32::from(u16::from_le_bytes([*b2, *b3])) % 2600 + 1;
    let stride = BitPage::stride_for(width);
    let rows = (rest.len() / stride).clamp(1, 64);
    let bytes: Vec<u8> = if rest.is_empty() {
        vec![0; stride * rows]
    } else {
        rest.iter().copied().cycle().take(stride * rows).collect()
    };
    let resolution = Resolution::ALL[usize::from(*b1 / 10 % 3)];
    let page = BitPage::from_packed(width, rows as u32, resolution, bytes).expect("valid size");
    let coded = encode(&page, &opts);
    let dec = DecodeOptions::new(compression, width).with_resolution(resolution);
    assert_eq!(
        decode(&coded, &dec.with_rows(page.height())).as_ref(),
        Ok(&page)
    );
    assert_eq!(decode(&coded, &dec).as_ref(), Ok(&page));
}

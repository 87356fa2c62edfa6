//! The public API of the TIFF module: what the writer puts in, what the
//! reader gets out, and how misuse is reported.
#![allow(clippy::unwrap_used)]

mod tiff_common;

use faxprep_codec::ccitt::Compression;
use faxprep_codec::tiff::{
    Error, FillOrder, ParameterError, Photometric, ReadLimits, TiffCompression, TiffOptions,
    TiffWriter, decode_page, decode_tiff, read_tiff, validate_class_f, write_tiff_f,
};
use faxprep_page::{BitPage, Resolution};
use tiff_common::text_page;

fn three_pages() -> Vec<BitPage> {
    vec![
        text_page(1728, 300, Resolution::Standard, 11),
        text_page(2048, 200, Resolution::Fine, 12),
        text_page(2432, 100, Resolution::Superfine, 13),
    ]
}

#[test]
fn metadata_round_trips() {
    let pages = three_pages();
    for compression in [Compression::G3OneD, Compression::G3TwoD, Compression::G4] {
        for fill_order in [FillOrder::MsbFirst, FillOrder::LsbFirst] {
            let options = TiffOptions {
                compression,
                fill_order,
                software: "test suite".into(),
                date_time: Some("1999:12:31 23:59:59".into()),
                total_pages: None,
            };
            let file = write_tiff_f(&pages, &options).unwrap();
            let info = read_tiff(&file, &ReadLimits::default()).unwrap();
            assert_eq!(info.len(), 3);
            for (i, (p, page)) in info.iter().zip(&pages).enumerate() {
                assert_eq!((p.width, p.height), (page.width(), page.height()));
                assert_eq!(p.resolution, page.resolution());
                assert_eq!(p.y_dpi, Some(f64::from(page.resolution().y_dpi())));
                assert_eq!(p.x_dpi, Some(204.0));
                assert_eq!(p.page_number, Some((i as u16, 3)));
                assert_eq!(p.subfile_type, Some(2));
                assert_eq!(p.fill_order, fill_order);
                assert_eq!(p.photometric, Photometric::WhiteIsZero);
                assert_eq!(p.software.as_deref(), Some("test suite"));
                assert_eq!(p.date_time.as_deref(), Some("1999:12:31 23:59:59"));
                assert_eq!(p.clean_fax_data, Some(0));
                assert_eq!(p.strips.len(), 1);
                assert_eq!(p.rows_per_strip, page.height());
                let expected = match compression {
                    Compression::G3OneD => TiffCompression::G3 {
                        two_d: false,
                        fill_bits: true,
                    },
                    Compression::G3TwoD => TiffCompression::G3 {
                        two_d: true,
                        fill_bits: true,
                    },
                    _ => TiffCompression::G4,
                };
                assert_eq!(p.compression, expected);
                assert_eq!(&decode_page(&file, p).unwrap(), page);
            }
            assert!(validate_class_f(&file).is_empty());
        }
    }
}

#[test]
fn streaming_writer_equals_batch_and_is_deterministic() {
    let pages = three_pages();
    let options = TiffOptions::default();
    let mut writer = TiffWriter::new(options.clone()).unwrap();
    for (i, page) in pages.iter().enumerate() {
        let info = writer.add_page(page).unwrap();
        assert_eq!(info.index, i as u32);
        assert!(info.strip_bytes > 0);
    }
    assert_eq!(writer.pages(), 3);
    let streamed = writer.finish().unwrap();
    assert_eq!(streamed, write_tiff_f(&pages, &options).unwrap());
    // Declaring the total up front gives the same bytes.
    let declared = TiffOptions {
        total_pages: Some(3),
        ..options
    };
    assert_eq!(streamed, write_tiff_f(&pages, &declared).unwrap());
}

#[test]
fn words_are_aligned_and_tags_sorted() {
    let file = write_tiff_f(&three_pages(), &TiffOptions::default()).unwrap();
    let mut next = u32::from_le_bytes(file[4..8].try_into().unwrap()) as usize;
    while next != 0 {
        assert_eq!(next % 2, 0);
        let n = u16::from_le_bytes([file[next], file[next + 1]]) as usize;
        let tags: Vec<u16> = (0..n)
            .map(|i| u16::from_le_bytes([file[next + 2 + 12 * i], file[next + 3 + 12 * i]]))
            .collect();
        assert!(tags.windows(2).all(|w| w[0] < w[1]), "{tags:?}");
        for i in 0..n {
            let at = next + 2 + 12 * i;
            let count = u32::from_le_bytes(file[at + 4..at + 8].try_into().unwrap());
            let typ = u16::from_le_bytes([file[at + 2], file[at + 3]]);
            let size = [0, 1, 1, 2, 4, 8][typ as usize] * count;
            if size > 4 {
                assert_eq!(
                    u32::from_le_bytes(file[at + 8..at + 12].try_into().unwrap()) % 2,
                    0
                );
            }
        }
        next = u32::from_le_bytes(
            file[next + 2 + 12 * n..next + 6 + 12 * n]
                .try_into()
                .unwrap(),
        ) as usize;
    }
}

#[test]
fn misuse_is_a_parameter_error() {
    let narrow = BitPage::new(1000, 10, Resolution::Fine).unwrap();
    assert!(matches!(
        write_tiff_f(&[narrow], &TiffOptions::default()),
        Err(Error::Parameter(ParameterError::Width { width: 1000 }))
    ));
    for bad in ["2024-01-01 00:00:00", "yesterday", ""] {
        let options = TiffOptions {
            date_time: Some(bad.into()),
            ..TiffOptions::default()
        };
        assert!(matches!(
            TiffWriter::new(options),
            Err(Error::Parameter(ParameterError::DateTime { .. }))
        ));
    }
    let options = TiffOptions {
        software: "a\0b".into(),
        ..TiffOptions::default()
    };
    assert!(TiffWriter::new(options).is_err());
    assert!(matches!(
        write_tiff_f(&[], &TiffOptions::default()),
        Err(Error::Parameter(ParameterError::NoPages))
    ));
    let options = TiffOptions {
        total_pages: Some(2),
        ..TiffOptions::default()
    };
    assert!(matches!(
        write_tiff_f(&three_pages(), &options),
        Err(Error::Parameter(ParameterError::PageCount {
            declared: 2,
            added: 3
        }))
    ));
    // Messages are lower-case, without a trailing period.
    let e = write_tiff_f(&[], &TiffOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with(char::is_lowercase) && !e.ends_with('.'),
        "{e}"
    );
}

#[test]
fn empty_software_and_no_date_are_omitted() {
    let options = TiffOptions {
        software: String::new(),
        ..TiffOptions::default()
    };
    let file = write_tiff_f(&three_pages()[..1], &options).unwrap();
    let info = &read_tiff(&file, &ReadLimits::default()).unwrap()[0];
    assert_eq!(info.software, None);
    assert_eq!(info.date_time, None);
}

#[test]
fn validate_reports_non_class_f() {
    // Not a TIFF at all.
    let issues = validate_class_f(b"hello");
    assert_eq!(issues.len(), 1);
    assert!(issues[0].to_string().starts_with("error: "));
    // A clean file, then with Photometric patched to 1 and PageNumber wrong.
    let file = write_tiff_f(&three_pages()[..1], &TiffOptions::default()).unwrap();
    assert!(validate_class_f(&file).is_empty());
    let mut bad = file.clone();
    let ifd = u32::from_le_bytes(bad[4..8].try_into().unwrap()) as usize;
    let n = u16::from_le_bytes([bad[ifd], bad[ifd + 1]]) as usize;
    for i in 0..n {
        let at = ifd + 2 + 12 * i;
        match u16::from_le_bytes([bad[at], bad[at + 1]]) {
            262 => bad[at + 8] = 1,
            297 => bad[at + 8] = 5,
            _ => {}
        }
    }
    let text: Vec<String> = validate_class_f(&bad)
        .iter()
        .map(|i| i.to_string())
        .collect();
    assert!(
        text.iter().any(|t| t.contains("PhotometricInterpretation")),
        "{text:?}"
    );
    assert!(text.iter().any(|t| t.contains("PageNumber")), "{text:?}");
    // Photometric 1 is still read, as inverted.
    let page = &decode_tiff(&bad, &ReadLimits::default()).unwrap()[0];
    assert_eq!(
        page.count_black(),
        u64::from(page.width()) * 300 - three_pages()[0].count_black()
    );
}

#[test]
fn lenient_decode_salvages_damaged_strips() {
    use faxprep_codec::tiff::decode_page_lenient;
    let page = text_page(1728, 400, Resolution::Fine, 31);
    for compression in [Compression::G3OneD, Compression::G3TwoD, Compression::G4] {
        let options = TiffOptions {
            compression,
            ..TiffOptions::default()
        };
        let mut file = write_tiff_f(std::slice::from_ref(&page), &options).unwrap();
        let info = read_tiff(&file, &ReadLimits::default()).unwrap().remove(0);
        // Garble the bytes three quarters of the way into the strip.
        let strip = info.strips[0].clone();
        let at = strip.start + strip.len() * 3 / 4;
        file[at..at + 16].fill(0);
        let strict = decode_page(&file, &info);
        assert!(
            matches!(strict, Err(Error::Codec { page: 0, .. })),
            "{compression:?}: {strict:?}"
        );
        let salvaged = decode_page_lenient(&file, &info).unwrap();
        assert_eq!(salvaged.damage.len(), 1, "{compression:?}");
        assert_eq!(salvaged.damage[0].strip, 0);
        let got = &salvaged.page;
        assert_eq!((got.width(), got.height()), (1728, 400));
        // The rows well before the damage are intact.
        let intact = got
            .rows()
            .zip(page.rows())
            .take_while(|(a, b)| a == b)
            .count();
        assert!(intact >= 200, "{compression:?}: only {intact} rows intact");
    }
}

//! Hostile TIFFs: truncated at every offset, bytes flipped, directory loops,
//! offsets past the end, absurd sizes and counts. The reader must return an
//! error (or a page), never panic or allocate without bound.
#![allow(clippy::unwrap_used)]

mod tiff_common;

use faxprep_codec::ccitt::Compression;
use faxprep_codec::tiff::{
    Error, FillOrder, FormatError, Limit, ReadLimits, TiffOptions, decode_tiff, read_tiff,
    validate_class_f, write_tiff_f,
};
use faxprep_page::Resolution;
use tiff_common::text_page;

fn sample(compression: Compression) -> Vec<u8> {
    let pages = [
        text_page(1728, 120, Resolution::Fine, 7),
        text_page(1728, 60, Resolution::Standard, 8),
    ];
    let options = TiffOptions {
        compression,
        fill_order: FillOrder::LsbFirst,
        ..TiffOptions::default()
    };
    write_tiff_f(&pages, &options).unwrap()
}

/// Everything a caller might do with untrusted bytes.
fn poke(data: &[u8]) {
    let limits = ReadLimits {
        max_pages: 8,
        max_width: 4096,
        max_height: 4096,
        max_bytes_per_page: 1 << 20,
    };
    let _ = read_tiff(data, &limits);
    let _ = decode_tiff(data, &limits);
    let _ = validate_class_f(data);
}

/// Offset of the value field of `tag` in the first directory of our
/// (little-endian) file.
fn entry(data: &[u8], tag: u16) -> usize {
    let ifd = u32::from_le_bytes(data[4..8].try_into().unwrap()) as usize;
    let n = u16::from_le_bytes([data[ifd], data[ifd + 1]]) as usize;
    (0..n)
        .map(|i| ifd + 2 + 12 * i)
        .find(|&at| u16::from_le_bytes([data[at], data[at + 1]]) == tag)
        .unwrap()
}

fn set_u32(data: &mut [u8], at: usize, v: u32) {
    data[at..at + 4].copy_from_slice(&v.to_le_bytes());
}

#[test]
fn truncation_sweep() {
    for compression in [Compression::G3OneD, Compression::G3TwoD, Compression::G4] {
        let file = sample(compression);
        let step = (file.len() / 400).max(1);
        for cut in (0..file.len())
            .step_by(step)
            .chain(file.len().saturating_sub(300)..file.len())
        {
            let data = &file[..cut];
            poke(data);
            // A cut file is never silently read as the whole file.
            if let Ok(pages) = decode_tiff(data, &ReadLimits::default()) {
                assert!(
                    pages.len() < 2,
                    "cut at {cut} of {} still gave 2 pages",
                    file.len()
                );
            }
        }
    }
}

#[test]
fn byte_flip_sweep() {
    let file = sample(Compression::G4);
    let ifd = u32::from_le_bytes(file[4..8].try_into().unwrap()) as usize;
    // Every byte of the header and the first directory, then a stride
    // through the rest, each set to a few hostile values.
    let targets = (0..8)
        .chain(ifd..(ifd + 250).min(file.len()))
        .chain((0..file.len()).step_by(97));
    for at in targets {
        for v in [0x00, 0xff, 0x7f, 0x80, 0x01] {
            let mut data = file.clone();
            data[at] = v;
            poke(&data);
        }
    }
}

#[test]
fn directory_loop_is_an_error() {
    let mut file = sample(Compression::G4);
    // Point the first directory's next pointer back at itself.
    let ifd = u32::from_le_bytes(file[4..8].try_into().unwrap());
    let n = u16::from_le_bytes([file[ifd as usize], file[ifd as usize + 1]]) as usize;
    set_u32(&mut file, ifd as usize + 2 + 12 * n, ifd);
    let err = read_tiff(&file, &ReadLimits::default()).unwrap_err();
    assert!(
        matches!(err, Error::Format(FormatError::IfdLoop { .. })),
        "{err:?}"
    );
    assert!(!validate_class_f(&file).is_empty());
}

#[test]
fn offsets_past_the_end_are_errors() {
    let file = sample(Compression::G3TwoD);
    let mut data = file.clone();
    let at = entry(&data, 273) + 8;
    set_u32(&mut data, at, 0xffff_fff0);
    let err = read_tiff(&data, &ReadLimits::default()).unwrap_err();
    assert!(
        matches!(err, Error::Format(FormatError::StripOutOfBounds { .. })),
        "{err:?}"
    );

    let mut data = file.clone();
    set_u32(&mut data, 4, u32::MAX - 3);
    let err = read_tiff(&data, &ReadLimits::default()).unwrap_err();
    assert!(
        matches!(err, Error::Format(FormatError::Truncated { .. })),
        "{err:?}"
    );

    // Software's out-of-line string moved past the end.
    let mut data = file;
    let at = entry(&data, 305) + 8;
    set_u32(&mut data, at, 0x7fff_ffff);
    assert!(read_tiff(&data, &ReadLimits::default()).is_err());
}

#[test]
fn absurd_sizes_hit_limits() {
    let file = sample(Compression::G4);
    for (tag, limit) in [(256u16, Limit::Width), (257, Limit::Height)] {
        let mut data = file.clone();
        let at = entry(&data, tag) + 8;
        set_u32(&mut data, at, u32::MAX);
        for limits in [ReadLimits::default(), ReadLimits::unlimited()] {
            match read_tiff(&data, &limits) {
                Err(Error::Limits { limit: l, .. }) => assert_eq!(l, limit),
                other => panic!("tag {tag}: {other:?}"),
            }
        }
    }
    // 60000 x 60000 is within each dimension's cap but not the pixel cap.
    let mut data = file.clone();
    for tag in [256, 257] {
        let at = entry(&data, tag) + 8;
        set_u32(&mut data, at, 60_000);
    }
    assert!(matches!(
        read_tiff(&data, &ReadLimits::unlimited()),
        Err(Error::Limits {
            limit: Limit::Pixels,
            ..
        })
    ));

    let limits = ReadLimits {
        max_pages: 1,
        ..ReadLimits::default()
    };
    assert!(matches!(
        read_tiff(&file, &limits),
        Err(Error::Limits {
            limit: Limit::Pages,
            value: 2,
            max: 1
        })
    ));
    let limits = ReadLimits {
        max_bytes_per_page: 10,
        ..ReadLimits::default()
    };
    assert!(matches!(
        read_tiff(&file, &limits),
        Err(Error::Limits {
            limit: Limit::BytesPerPage,
            ..
        })
    ));
}

#[test]
fn huge_counts_are_errors() {
    let file = sample(Compression::G4);
    // StripOffsets claiming 2^31 values: far past the end of the file.
    let mut data = file.clone();
    let at = entry(&data, 273) + 4;
    set_u32(&mut data, at, 0x8000_0000);
    assert!(read_tiff(&data, &ReadLimits::unlimited()).is_err());
    // RowsPerStrip 1 needs one strip per row, the file has one.
    let mut data = file;
    let at = entry(&data, 278) + 8;
    set_u32(&mut data, at, 1);
    let err = read_tiff(&data, &ReadLimits::unlimited()).unwrap_err();
    assert!(
        matches!(err, Error::Format(FormatError::StripCount { .. })),
        "{err:?}"
    );
}

#[test]
fn garbage_is_not_tiff() {
    for data in [
        &b""[..],
        b"II",
        b"II*\0",
        b"MM\0*\0\0\0\0",
        b"%PDF-1.4",
        &[0u8; 64],
    ] {
        assert!(read_tiff(data, &ReadLimits::default()).is_err());
        poke(data);
    }
}

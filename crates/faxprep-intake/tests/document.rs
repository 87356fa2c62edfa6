//! Document rules through the public API (issue 3: "Documents"), on
//! files made here so that each rule has its own small case.
#![allow(clippy::unwrap_used)] // test code: a panic is a failure report

use faxprep_intake::{
    ColorType, DocumentFormat, Error, FormFields, IntakeOptions, LimitKind, Limits, Plan, Warning,
    check_document, intake,
};
use flate2::{Compression, write::ZlibEncoder};
use proptest::prelude::*;
use std::io::Write;

fn opts() -> IntakeOptions {
    IntakeOptions::default()
}

fn zlib(data: &[u8]) -> Vec<u8> {
    let mut e = ZlibEncoder::new(Vec::new(), Compression::best());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// A PDF from object bodies (object i + 1 is `objects[i]`), with a correct
/// xref table; object 1 must be the catalog.
fn pdf(objects: &[Vec<u8>]) -> Vec<u8> {
    let mut out = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

fn stream(dict: &str, data: &[u8]) -> Vec<u8> {
    let mut v = format!("<< {dict} /Length {} >>\nstream\n", data.len()).into_bytes();
    v.extend_from_slice(data);
    v.extend_from_slice(b"\nendstream");
    v
}

/// Catalog, page tree with `n` pages of `media_box`, one shared content
/// stream (object 3).
fn pages_pdf(n: usize, media_box: &str, extra_page_keys: &str) -> Vec<u8> {
    let kids: Vec<String> = (0..n).map(|i| format!("{} 0 R", i + 4)).collect();
    let mut objects = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        format!("<< /Type /Pages /Kids [{}] /Count {n} >>", kids.join(" ")).into_bytes(),
        stream("", b"0 0 m 10 10 l S"),
    ];
    for _ in 0..n {
        objects.push(
            format!("<< /Type /Page /Parent 2 0 R /MediaBox {media_box} /Contents 3 0 R {extra_page_keys} >>")
                .into_bytes(),
        );
    }
    pdf(&objects)
}

/// One page whose resources hold `xobject` as /Im0 (object 4).
fn image_pdf(xobject: Vec<u8>) -> Vec<u8> {
    pdf(&[
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /XObject << /Im0 4 0 R >> >> /Contents 5 0 R >>"
            .to_vec(),
        xobject,
        stream("", b"q 612 0 0 792 0 0 cm /Im0 Do Q"),
    ])
}

fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut v = (data.len() as u32).to_be_bytes().to_vec();
    v.extend_from_slice(kind);
    v.extend_from_slice(data);
    let mut crc = flate2::Crc::new();
    crc.update(kind);
    crc.update(data);
    v.extend_from_slice(&crc.sum().to_be_bytes());
    v
}

/// A gray 8-bit PNG of `w` x `h`, all white, plus extra chunks before IDAT.
fn png(w: u32, h: u32, extra: &[Vec<u8>]) -> Vec<u8> {
    let mut v = vec![0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n'];
    let mut ihdr = w.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 0, 0, 0, 0]);
    v.extend(png_chunk(b"IHDR", &ihdr));
    for e in extra {
        v.extend_from_slice(e);
    }
    let raw: Vec<u8> = (0..h)
        .flat_map(|_| std::iter::once(0u8).chain(std::iter::repeat_n(255, w as usize)))
        .collect();
    v.extend(png_chunk(b"IDAT", &zlib(&raw)));
    v.extend(png_chunk(b"IEND", &[]));
    v
}

fn limit_of(r: Result<faxprep_intake::Document, Error>) -> LimitKind {
    match r {
        Err(Error::Limits { which, .. }) => which,
        other => panic!("expected a limit, got {other:?}"),
    }
}

#[test]
fn empty_and_oversize_name_the_formats() {
    let e = check_document(b"", &opts()).unwrap_err();
    assert!(matches!(e, Error::Empty { .. }));
    assert_eq!(
        e.api_error().hint,
        "Supported formats: PDF, JPG, PNG. Export Word documents as PDF first. Max 4 MB."
    );
    let big = vec![b'%'; 4 * 1024 * 1024 + 1];
    let e = check_document(&big, &opts()).unwrap_err();
    assert!(matches!(
        e,
        Error::TooLarge {
            limit: 4194304,
            actual: 4194305
        }
    ));
    assert!(e.api_error().hint.ends_with("Max 4 MB."));
    // The limit is a setting, and the hint follows it.
    let mut o = opts();
    o.limits.max_upload_bytes = 10 * 1024 * 1024;
    let e = check_document(b"GIF89a....", &o).unwrap_err();
    assert_eq!(
        e.api_error().hint,
        "Supported formats: PDF, JPG, PNG. Export Word documents as PDF first. Max 10 MB."
    );
}

#[test]
fn exactly_the_limit_is_allowed() {
    let mut p = pages_pdf(1, "[0 0 612 792]", "");
    p.resize(4 * 1024 * 1024, b' ');
    assert!(check_document(&p, &opts()).is_ok());
}

#[test]
fn unsupported_formats_are_named() {
    for (bytes, name) in [
        (&b"II*\0\x08\0\0\0"[..], Some("TIFF")),
        (b"GIF89a", Some("GIF")),
        (b"PK\x03\x04....word/document.xml", Some("Word")),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", Some("Word")),
        (b"P4\n1728 2376\n", Some("PBM/PGM/PPM")),
        (b"hello world", None),
    ] {
        match check_document(bytes, &opts()) {
            Err(Error::UnsupportedFormat { detected, .. }) => assert_eq!(detected, name),
            other => panic!("{name:?}: {other:?}"),
        }
    }
    let e = check_document(b"II*\0\x08\0\0\0", &opts()).unwrap_err();
    assert_eq!(e.api_error().error, "TIFF files are not supported.");
}

#[test]
fn api_body_shape() {
    let e = check_document(b"oops", &opts()).unwrap_err();
    assert_eq!(e.http_status(), 400);
    let json = serde_json::to_value(e.api_error()).unwrap();
    let obj = json.as_object().unwrap();
    assert_eq!(obj.len(), 3);
    assert_eq!(obj["error_type"], "bad_request");
    assert!(obj["error"].as_str().unwrap().len() > 5);
    assert!(
        obj["hint"]
            .as_str()
            .unwrap()
            .starts_with("Supported formats")
    );
}

#[test]
fn pdf_pages_and_boxes() {
    let doc = check_document(&pages_pdf(3, "[0 0 612 792]", "/Rotate 90"), &opts()).unwrap();
    assert_eq!(doc.format, DocumentFormat::Pdf);
    assert_eq!(doc.pages, 3);
    assert_eq!(doc.page_info[0].rotate, 90);
    assert_eq!(
        (doc.page_info[0].width_pt, doc.page_info[0].height_pt),
        (792.0, 612.0)
    );
    assert!(!doc.encrypted && !doc.repaired);
}

#[test]
fn pdf_leading_junk_is_a_warning() {
    let mut p = b"Content-Type: application/pdf\r\n\r\n".to_vec();
    p.extend(pages_pdf(1, "[0 0 612 792]", ""));
    let doc = check_document(&p, &opts()).unwrap();
    assert_eq!(doc.warnings[0], Warning::LeadingJunk { offset: 33 });
}

#[test]
fn pdf_page_limits() {
    assert_eq!(
        limit_of(check_document(
            &pages_pdf(201, "[0 0 612 792]", ""),
            &opts()
        )),
        LimitKind::Pages
    );
    assert_eq!(
        limit_of(check_document(
            &pages_pdf(1, "[0 0 20000 792]", ""),
            &opts()
        )),
        LimitKind::PageSideMax
    );
    assert_eq!(
        limit_of(check_document(&pages_pdf(1, "[0 0 0.5 792]", ""), &opts())),
        LimitKind::PageSideMin
    );
    // A sliver within the side limits is still too many fax pixels.
    assert_eq!(
        limit_of(check_document(&pages_pdf(1, "[0 0 10 14000]", ""), &opts())),
        LimitKind::PagePixels
    );
    // /UserUnit scales the box.
    assert_eq!(
        limit_of(check_document(
            &pages_pdf(1, "[0 0 612 792]", "/UserUnit 30"),
            &opts()
        )),
        LimitKind::PageSideMax
    );
    let unlimited = IntakeOptions {
        limits: Limits::unlimited(),
        ..opts()
    };
    assert_eq!(
        check_document(&pages_pdf(201, "[0 0 20000 792]", ""), &unlimited)
            .unwrap()
            .pages,
        201
    );
}

#[test]
fn pdf_flate_bomb_is_stopped() {
    // 64 MiB of zeros in ~64 KiB: over the 400x ratio once the floor is
    // passed, and over a lowered per-stream cap.
    let bomb = zlib(&vec![0; 80 << 20]);
    let p = image_pdf(stream("/Filter /FlateDecode", &bomb));
    assert_eq!(
        limit_of(check_document(&p, &opts())),
        LimitKind::DecompressionRatio
    );
    let mut o = opts();
    o.limits.max_decompressed_bytes = 1 << 20;
    assert_eq!(
        limit_of(check_document(&p, &o)),
        LimitKind::DecompressedBytes
    );
}

#[test]
fn pdf_declared_image_size_is_checked() {
    let huge = stream(
        "/Type /XObject /Subtype /Image /Width 35000 /Height 35000 /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /FlateDecode",
        &zlib(&[0; 1000]),
    );
    assert_eq!(
        limit_of(check_document(&image_pdf(huge), &opts())),
        LimitKind::ImagePixels
    );
    // Within pixels, but 16-bit CMYK makes it too many bytes.
    let deep = stream(
        "/Type /XObject /Subtype /Image /Width 9000 /Height 9000 /ColorSpace /DeviceCMYK /BitsPerComponent 16 /Filter /FlateDecode",
        &zlib(&[0; 1000]),
    );
    assert_eq!(
        limit_of(check_document(&image_pdf(deep), &opts())),
        LimitKind::DecompressedBytes
    );
}

#[test]
fn pdf_dct_header_is_read_even_when_the_dict_lies() {
    // The image dictionary says 10 x 10; the JPEG inside says 60000 x 60000.
    let mut jpeg = vec![0xff, 0xd8, 0xff, 0xc0, 0, 11, 8];
    jpeg.extend_from_slice(&60000u16.to_be_bytes());
    jpeg.extend_from_slice(&60000u16.to_be_bytes());
    jpeg.extend_from_slice(&[
        1, 1, 0x11, 0, 0xff, 0xda, 0, 8, 1, 1, 0, 0, 63, 0, 0xff, 0xd9,
    ]);
    let x = stream(
        "/Type /XObject /Subtype /Image /Width 10 /Height 10 /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /DCTDecode",
        &jpeg,
    );
    assert_eq!(
        limit_of(check_document(&image_pdf(x), &opts())),
        LimitKind::ImagePixels
    );
}

#[test]
fn pdf_deep_nesting_is_a_limit_not_a_crash() {
    let mut body = b"<< /Type /Catalog /Pages 2 0 R /Junk ".to_vec();
    body.extend(std::iter::repeat_n(b'[', 50_000));
    body.extend(std::iter::repeat_n(b']', 50_000));
    body.extend_from_slice(b" >>");
    let p = pdf(&[body, b"<< /Type /Pages /Kids [] /Count 0 >>".to_vec()]);
    assert_eq!(
        limit_of(check_document(&p, &opts())),
        LimitKind::NestingDepth
    );
    // Without the limit, lopdf's own guard and the big stack hold.
    let unlimited = IntakeOptions {
        limits: Limits::unlimited(),
        ..opts()
    };
    assert!(check_document(&p, &unlimited).is_err());
}

#[test]
fn pdf_page_tree_loops_and_empty_trees() {
    // Root's kid is the root itself.
    let p = pdf(&[
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>".to_vec(),
    ]);
    assert_eq!(check_document(&p, &opts()).unwrap().pages, 1);
    let empty = pdf(&[
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [] /Count 0 >>".to_vec(),
    ]);
    assert!(matches!(
        check_document(&empty, &opts()),
        Err(Error::NoPages)
    ));
}

#[test]
fn pdf_broken_xref_is_repaired_with_a_warning() {
    let mut p = pages_pdf(2, "[0 0 612 792]", "");
    // Point startxref at nonsense.
    let at = p.windows(9).rposition(|w| w == b"startxref").unwrap();
    p.truncate(at);
    p.extend_from_slice(b"startxref\n999999\n%%EOF\n");
    let doc = check_document(&p, &opts()).unwrap();
    assert_eq!(doc.pages, 2);
    assert!(doc.repaired && doc.warnings.contains(&Warning::Repaired));
}

#[test]
fn png_header_facts_and_exif() {
    let mut exif = b"MM\0*\0\0\0\x08\0\x01\x01\x12\0\x03\0\0\0\x01\0\x06\0\0".to_vec();
    exif.extend_from_slice(&[0; 4]);
    let mut phys = 11811u32.to_be_bytes().to_vec(); // 300 dpi in pixels per metre
    phys.extend_from_slice(&11811u32.to_be_bytes());
    phys.push(1);
    let p = png(
        40,
        30,
        &[png_chunk(b"eXIf", &exif), png_chunk(b"pHYs", &phys)],
    );
    let doc = check_document(&p, &opts()).unwrap();
    let info = doc.image.unwrap();
    assert_eq!(
        (info.width, info.height, info.orientation, info.color),
        (40, 30, 6, ColorType::Gray)
    );
    assert_eq!(info.display_size(), (30, 40));
    let (dx, _) = info.dpi.unwrap();
    assert!((dx - 300.0).abs() < 0.1);
}

#[test]
fn png_corruption_is_damaged() {
    let good = png(16, 16, &[]);
    assert!(check_document(&good, &opts()).is_ok());
    // A flipped bit in the IDAT payload fails its CRC.
    let mut bad = good.clone();
    let idat = bad.windows(4).position(|w| w == b"IDAT").unwrap();
    bad[idat + 6] ^= 0x10;
    assert!(matches!(
        check_document(&bad, &opts()),
        Err(Error::Damaged {
            format: DocumentFormat::Png,
            ..
        })
    ));
    // Cut anywhere: typed errors only, never a panic; the complete image
    // data is needed.
    let iend = good.len() - 12;
    for cut in 1..good.len() {
        let r = check_document(&good[..cut], &opts());
        if cut < iend {
            assert!(r.is_err(), "cut at {cut} accepted");
        }
    }
}

#[test]
fn png_text_bomb_is_a_limit() {
    let mut z = b"Comment\0\0".to_vec();
    z.extend(zlib(&vec![b'a'; 2 << 20]));
    let p = png(8, 8, &[png_chunk(b"zTXt", &z)]);
    assert_eq!(
        limit_of(check_document(&p, &opts())),
        LimitKind::MetadataBytes
    );
}

#[test]
fn png_huge_ihdr_is_a_limit_before_any_work() {
    let mut v = vec![0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n'];
    let mut ihdr = 100_000u32.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&100_000u32.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    v.extend(png_chunk(b"IHDR", &ihdr));
    assert_eq!(
        limit_of(check_document(&v, &opts())),
        LimitKind::ImagePixels
    );
}

#[test]
fn intake_reports_document_and_fields_together() {
    let fields = FormFields {
        sender_name: Some("A".into()),
        ..FormFields::default()
    };
    let e = intake(b"oops", &fields, &opts()).unwrap_err();
    let Error::Combined { document, fields } = &e else {
        panic!("{e:?}")
    };
    assert!(matches!(**document, Error::UnsupportedFormat { .. }));
    assert_eq!(fields.len(), 2);
    let body = e.api_error();
    assert!(body.hint.starts_with("Supported formats"), "{}", body.hint);
    assert!(body.error.contains("required"), "{}", body.error);
    assert_eq!(e.field_errors().len(), 2);

    let good = FormFields {
        recipient_number: Some("2125551234".into()),
        sender_name: Some("A".into()),
        sender_email: Some("a@example.com".into()),
        ..FormFields::default()
    };
    let ok = intake(
        &pages_pdf(2, "[0 0 612 792]", ""),
        &good,
        &IntakeOptions {
            plan: Plan::Free,
            ..opts()
        },
    )
    .unwrap();
    assert_eq!(ok.document.pages, 2);
    assert!(ok.fields.include_cover);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Random bytes behind each accepted signature never panic.
    #[test]
    fn arbitrary_bodies_never_panic(prefix in 0usize..3, body in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let head: &[u8] = match prefix {
            0 => b"%PDF-1.4\n",
            1 => &[0xff, 0xd8, 0xff],
            _ => &[0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n'],
        };
        let mut v = head.to_vec();
        v.extend(body);
        let _ = check_document(&v, &opts());
    }

    /// Any truncation of a valid PDF is typed (accepted with repair, or an
    /// error), never a panic.
    #[test]
    fn pdf_truncations_are_typed(cut in 0usize..2000) {
        let p = pages_pdf(2, "[0 0 612 792]", "");
        let _ = check_document(&p[..cut.min(p.len())], &opts());
    }
}

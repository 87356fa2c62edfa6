//! End to end through the library: uploads become valid TIFF Class F (and
//! PDF), checked with independent tools (libtiff, poppler, the `fax` crate).
#![allow(clippy::unwrap_used)] // helpers of tests: a failed unwrap fails the test

use faxprep::codec::Compression;
use faxprep::codec::tiff::{ReadLimits, decode_tiff, read_tiff};
use faxprep::cover::CoverDate;
use faxprep::{FormFields, Options, Plan, prepare};
use faxprep_testkit::{require_tool, workspace_root};
use std::process::Command;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(workspace_root().join("fixtures/docs").join(name)).expect("fixture exists")
}

fn fields(cover: bool) -> FormFields {
    FormFields {
        recipient_number: Some("(212) 555-0123".into()),
        sender_name: Some("Dr. Maria Gonzalez".into()),
        sender_email: Some("maria@example.com".into()),
        subject: Some("Prescription for Jane Q. Example".into()),
        include_cover: Some(cover.to_string()),
        ..FormFields::default()
    }
}

/// In-process on purpose: these files are ours (the worker is the CLI
/// crate's binary; its tests run the isolated path).
fn options() -> Options {
    let mut o = Options::default();
    o.isolation = faxprep::Isolation::InProcess;
    o.date = CoverDate {
        year: 2026,
        month: 11,
        day: 28,
        hour: 14,
        minute: 5,
        utc_offset_minutes: -300,
        zone: Some("America/New_York".into()),
    };
    o.threads = Some(2);
    o
}

/// libtiff reads the file without a complaint on stderr (it exits 0 even on
/// corrupt data) and `tiffcp` can decompress every page.
fn assert_libtiff_accepts(tiff: &[u8], pages: u32) {
    if !require_tool("tiffinfo") || !require_tool("tiffcp") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fax.tif");
    std::fs::write(&path, tiff).unwrap();
    let info = Command::new("tiffinfo")
        .arg("-D")
        .arg(&path)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&info.stderr);
    assert!(
        info.status.success() && stderr.trim().is_empty(),
        "tiffinfo -D: {stderr}"
    );
    let stdout = String::from_utf8_lossy(&info.stdout);
    assert_eq!(
        stdout.matches("TIFF Directory").count() as u32,
        pages,
        "{stdout}"
    );
    let out = dir.path().join("raw.tif");
    let cp = Command::new("tiffcp")
        .args(["-c", "none"])
        .arg(&path)
        .arg(&out)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&cp.stderr);
    assert!(
        cp.status.success() && stderr.trim().is_empty(),
        "tiffcp: {stderr}"
    );
}

#[test]
fn pdf_jpeg_png_become_valid_tiff_f_in_every_mode() {
    for (name, pages) in [("letter.pdf", 1), ("photo.jpg", 1), ("chart.png", 1)] {
        let upload = fixture(name);
        for compression in Compression::ALL {
            for cover in [false, true] {
                let mut opts = options();
                opts.compression = compression;
                let fax = prepare(&upload, &fields(cover), &opts)
                    .unwrap_or_else(|e| panic!("{name} {compression} cover={cover}: {e}"));
                let total = pages + u32::from(cover);
                assert_eq!(fax.total_pages, total);
                assert_eq!(fax.document_pages, pages);
                assert_eq!(fax.pages.len() as u32, total);
                assert_eq!(fax.credits, 1);
                assert_eq!(fax.cover, cover);
                assert_eq!(fax.recipient_number, "+12125550123");
                let decoded = decode_tiff(&fax.tiff, &ReadLimits::default()).unwrap();
                assert_eq!(decoded.len() as u32, total);
                for (page, facts) in decoded.iter().zip(&fax.pages) {
                    assert_eq!((page.width(), page.height()), (1728, 2156));
                    assert_eq!(facts.blank, page.is_blank());
                    assert!(!page.is_blank(), "{name}: page {} is blank", facts.index);
                }
                assert_libtiff_accepts(&fax.tiff, total);
            }
        }
    }
}

#[test]
fn free_plan_always_carries_the_branded_cover_and_stops_at_five_pages() {
    let mut opts = options();
    opts.plan = Plan::Free;
    let fax = prepare(&fixture("letter.pdf"), &fields(false), &opts).unwrap();
    assert!(fax.cover);
    assert_eq!(fax.total_pages, 2);
    assert_eq!(fax.pages[0].halftone, "cover");
    // The facts say which renderer drew each page: none for the cover, the
    // gray device for the letter's text page (no image, shading or mask).
    assert_eq!(fax.pages[0].renderer, None);
    assert_eq!(fax.pages[1].renderer.as_deref(), Some("device"));
    let err = prepare(&fixture("ten-pages.pdf"), &fields(false), &opts).unwrap_err();
    assert_eq!(err.http_status(), 402);
    let body = err.api_error();
    assert_eq!(body.error_type, "payment_required");
    assert!(body.hint.contains("paid plan"), "{}", body.hint);
}

#[test]
fn ten_pages_and_a_cover_cost_two_credits() {
    let fax = prepare(&fixture("ten-pages.pdf"), &fields(true), &options()).unwrap();
    assert_eq!(
        (fax.document_pages, fax.total_pages, fax.credits),
        (10, 11, 2)
    );
    let fax = prepare(&fixture("ten-pages.pdf"), &fields(false), &options()).unwrap();
    assert_eq!((fax.total_pages, fax.credits), (10, 1));
    let facts = &fax.pages[3];
    assert_eq!((facts.index, facts.source_page), (3, Some(3)));
    assert!(fax.transmission_seconds > 15.0);
}

/// What `prepare_streaming` hands out, written at its offsets into a file
/// as the CLI does, is byte for byte the TIFF it returns, and libtiff reads
/// it: eleven pages with the cover (the cover coded here, the document's
/// pages as they come), and the bytes arrive while the pages are made, not
/// all at the end.
#[test]
fn the_streamed_tiff_is_the_returned_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("streamed.tif");
    let file = std::fs::File::create(&path).unwrap();
    let (mut writes, mut progress_at_writes) = (0, Vec::new());
    let done = std::cell::Cell::new(0);
    let mut sink = |at: u64, bytes: &[u8]| {
        use std::os::unix::fs::FileExt;
        file.write_all_at(bytes, at).unwrap();
        writes += 1;
        progress_at_writes.push(done.get());
    };
    let (fax, _) = faxprep::prepare_streaming(
        &fixture("ten-pages.pdf"),
        &fields(true),
        &options(),
        &mut |p| done.set(p.done),
        &mut sink,
    )
    .unwrap();
    let written = std::fs::read(&path).unwrap();
    assert_eq!(written, fax.tiff);
    assert_eq!(fax.total_pages, 11);
    assert_libtiff_accepts(&written, 11);
    // A write per page at least, the first before the last page was done.
    assert!(writes >= 11, "{writes} writes");
    assert!(progress_at_writes[0] < 10, "{progress_at_writes:?}");
    // And the same file as `prepare` makes.
    assert_eq!(
        written,
        prepare(&fixture("ten-pages.pdf"), &fields(true), &options())
            .unwrap()
            .tiff
    );
}

#[test]
fn the_pdf_output_holds_the_same_g4_pages() {
    let mut opts = options();
    opts.want_pdf = true;
    opts.compression = Compression::G3TwoD;
    let fax = prepare(&fixture("letter.pdf"), &fields(true), &opts).unwrap();
    let pdf = fax.pdf.as_ref().expect("pdf asked for");
    let tiff_pages = decode_tiff(&fax.tiff, &ReadLimits::default()).unwrap();
    // Our own reading: every image stream is G4 that decodes to the page.
    let doc = lopdf::Document::load_mem(pdf).unwrap();
    assert_eq!(doc.get_pages().len(), 2);
    if !require_tool("pdfinfo") || !require_tool("pdftoppm") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fax.pdf");
    std::fs::write(&path, pdf).unwrap();
    let info = Command::new("pdfinfo").arg(&path).output().unwrap();
    let text = String::from_utf8_lossy(&info.stdout);
    assert!(
        info.status.success(),
        "{}",
        String::from_utf8_lossy(&info.stderr)
    );
    assert!(text.contains("Pages:           2"), "{text}");
    // poppler's own CCITT decoder reads back exactly the TIFF's pages.
    let prefix = dir.path().join("img");
    let status = Command::new("pdfimages")
        .arg(&path)
        .arg(&prefix)
        .status()
        .unwrap();
    assert!(status.success());
    for (i, page) in tiff_pages.iter().enumerate() {
        let pbm = std::fs::read(dir.path().join(format!("img-{i:03}.pbm"))).unwrap();
        let image = faxprep_testkit::read_pbm(&pbm, page.resolution());
        assert!(
            image == *page,
            "page {i}: the PDF's image is not the TIFF's page"
        );
    }
    // Rendered at the fax resolution, the PDF's pages show the TIFF's
    // pages: poppler's scaler may move an edge by a pixel, so every black
    // pixel of one must have a black pixel within one pixel in the other.
    let prefix = dir.path().join("page");
    let status = Command::new("pdftoppm")
        .args(["-mono", "-rx", "204", "-ry", "196"])
        .arg(&path)
        .arg(&prefix)
        .status()
        .unwrap();
    assert!(status.success());
    for (i, page) in tiff_pages.iter().enumerate() {
        let pbm = std::fs::read(dir.path().join(format!("page-{}.pbm", i + 1))).unwrap();
        let rendered = faxprep_testkit::read_pbm(&pbm, page.resolution());
        let (w, h) = (rendered.width(), rendered.height());
        assert_eq!((w, h), (page.width(), page.height()), "page {i}");
        for (a, b, what) in [(&rendered, page, "poppler"), (page, &rendered, "the TIFF")] {
            let mut stray = 0u64;
            for y in 0..h {
                for x in 0..w {
                    if a.get(x, y) {
                        let near = (y.saturating_sub(1)..=y + 1)
                            .any(|yy| (x.saturating_sub(1)..=x + 1).any(|xx| b.get(xx, yy)));
                        stray += u64::from(!near);
                    }
                }
            }
            assert!(
                stray * 200 <= a.count_black(),
                "page {i}: {stray} black pixels only in {what}"
            );
        }
    }
}

#[test]
fn output_is_identical_for_any_thread_count_and_run() {
    let upload = fixture("ten-pages.pdf");
    let mut one = options();
    one.threads = Some(1);
    one.want_pdf = true;
    let mut two = one.clone();
    two.threads = Some(2);
    let a = prepare(&upload, &fields(true), &one).unwrap();
    let b = prepare(&upload, &fields(true), &two).unwrap();
    let c = prepare(&upload, &fields(true), &two).unwrap();
    assert_eq!(a.tiff, b.tiff);
    assert_eq!(b.tiff, c.tiff);
    assert_eq!(a.pdf, b.pdf);
    let pages = read_tiff(&a.tiff, &ReadLimits::default()).unwrap();
    assert_eq!(pages[0].date_time.as_deref(), Some("2026:11:28 14:05:00"));
}

#[test]
fn rejections_map_to_the_api_body() {
    let mut bad = fields(false);
    bad.recipient_number = Some("+1 876 555 0123".into()); // Jamaica
    bad.sender_email = Some("not an address".into());
    let err = prepare(b"hello, world", &bad, &options()).unwrap_err();
    assert_eq!(err.http_status(), 400);
    let body = err.api_error();
    assert_eq!(body.error_type, "bad_request");
    // The document and both fields are reported together.
    assert!(
        body.error.contains("Other destination countries"),
        "{}",
        body.error
    );
    let json = serde_json::to_value(&body).unwrap();
    assert_eq!(json.as_object().unwrap().len(), 3);
    assert!(json["hint"].as_str().unwrap().len() > 10);
}

#[test]
fn bad_fields_come_first_before_and_beside_the_document() {
    let pdf = fixture("letter.pdf");
    // A bad includeCover is known before the document starts.
    let mut bad_cover = fields(false);
    bad_cover.include_cover = Some("yes".into());
    let body = prepare(&pdf, &bad_cover, &options())
        .unwrap_err()
        .api_error();
    assert!(body.error.contains("includeCover"), "{}", body.error);
    // A fine document does not hide bad fields checked beside it.
    let mut bad_email = fields(false);
    bad_email.sender_email = Some("not an address".into());
    let body = prepare(&pdf, &bad_email, &options())
        .unwrap_err()
        .api_error();
    assert!(body.error.contains("email address"), "{}", body.error);
    // An empty upload is answered without parsing, the bad fields with it.
    let err = prepare(b"", &bad_email, &options()).unwrap_err();
    let body = err.api_error();
    assert!(body.error.contains("email address"), "{}", body.error);
    assert!(
        body.error.to_lowercase().contains("empty"),
        "{}",
        body.error
    );
}

/// A one-field form whose value the file leaves to the viewer to draw.
fn form_with_value(value: &str) -> Vec<u8> {
    use lopdf::{Object, StringFormat, dictionary};
    let mut v = vec![0xfe, 0xff];
    v.extend(value.encode_utf16().flat_map(u16::to_be_bytes));
    let field = dictionary! {
        "FT" => "Tx",
        "T" => Object::string_literal("patient"),
        "V" => Object::String(v, StringFormat::Hexadecimal),
        "DA" => Object::string_literal("/Helv 12 Tf 0 g"),
        "Rect" => vec![100.into(), 700.into(), 300.into(), 720.into()],
    };
    faxprep_testkit::form_pdf(vec![field], dictionary! { "NeedAppearances" => true })
}

#[test]
fn filled_form_values_are_on_the_fax() {
    let page = |value: &str| {
        let fax = prepare(&form_with_value(value), &fields(false), &options()).unwrap();
        decode_tiff(&fax.tiff, &ReadLimits::default())
            .unwrap()
            .remove(0)
    };
    // The widget's inside (100-300 x 700-720 pt, scaled to the fax width),
    // within the frame the page draws around it.
    let ink = |p: &faxprep::page::BitPage| {
        (204..242)
            .flat_map(|y| (292..840).map(move |x| (x, y)))
            .filter(|&(x, y)| p.get(x, y))
            .count()
    };
    let filled = page("JANE Q. EXAMPLE");
    assert!(ink(&filled) > 500, "{}", ink(&filled));
    assert_eq!(ink(&page(" ")), 0);
    faxprep_testkit::assert_bits_match("prepare/form_value", &filled);
}

/// `inspect` counts pages as poppler does, prices every plan, and tells a
/// picture's displayed size; a fax TIFF is checked, not preflighted.
#[test]
fn inspect_tells_what_an_upload_is_and_costs() {
    let pdf = fixture("ten-pages.pdf");
    let faxprep::Inspection::Upload(facts) = faxprep::inspect(&pdf, &options()).unwrap() else {
        panic!("a PDF is an upload");
    };
    if require_tool("pdfinfo") {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("in.pdf");
        std::fs::write(&path, &pdf).unwrap();
        let out = Command::new("pdfinfo").arg(&path).output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        let pages: u32 = text
            .lines()
            .find_map(|l| l.strip_prefix("Pages:"))
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        assert_eq!(facts.pages, pages);
    }
    assert_eq!(facts.format.name(), "pdf");
    // Ten pages: one credit, two with a cover (11 pages), too long for the
    // free plan's five.
    assert_eq!(
        (
            facts.quotes.paid.credits,
            facts.quotes.paid_with_cover.credits
        ),
        (1, 2)
    );
    assert_eq!(facts.quotes.free, None);

    let jpg = fixture("photo.jpg");
    let decoded = image::load_from_memory(&jpg).unwrap();
    let faxprep::Inspection::Upload(facts) = faxprep::inspect(&jpg, &options()).unwrap() else {
        panic!("a JPEG is an upload");
    };
    let img = facts.image.unwrap();
    assert_eq!((img.width, img.height), (decoded.width(), decoded.height()));
    assert_eq!(facts.quotes.free.unwrap().total_pages, 2);

    let fax = prepare(&fixture("letter.pdf"), &fields(false), &options()).unwrap();
    let json = serde_json::to_value(&fax).unwrap();
    assert_eq!(json["tiff_bytes"], fax.tiff.len() as u64);
    match faxprep::inspect(&fax.tiff, &options()).unwrap() {
        faxprep::Inspection::FaxTiff(t) => {
            assert!(t.valid_class_f, "{:?}", t.issues);
            assert_eq!(t.pages.len() as u32, fax.total_pages);
            assert_eq!(t.pages[0].compression, "g4");
        }
        other => panic!("a fax TIFF: {other:?}"),
    }
    // A refused upload is the same error prepare gives.
    let e = faxprep::inspect(b"%PDF-1.4 nothing", &options()).unwrap_err();
    assert_eq!(e.api_error().error_type, "bad_request");
}

//! Issue 17, part 1: the identification line on every page, through
//! `prepare` (in-process: the inputs are ours; the CLI's tests run the
//! worker). Reference pages at the three resolutions, tesseract reading
//! the band back, the page count after the free plan's cover, and a
//! corpus page keeping all its ink below the band.
#![allow(clippy::unwrap_used)] // test code: a panic is a failure report

use faxprep::codec::tiff::{ReadLimits, decode_tiff};
use faxprep::cover::{CoverDate, band_rows};
use faxprep::halftone::Method;
use faxprep::page::{BitPage, Resolution};
use faxprep::{FormFields, HeaderLine, Isolation, Options, Plan, prepare};
use faxprep_testkit::{assert_bits_match, corpus_dir, require_tool};
use std::process::Command;

/// A PDF of Letter pages, each with a line of text at the very top and
/// one at the very bottom (so that a band laid over the page would hide
/// them).
fn pdf(pages: &[&str]) -> Vec<u8> {
    let n = pages.len();
    let kids: Vec<String> = (0..n).map(|i| format!("{} 0 R", 4 + 2 * i)).collect();
    let mut objects: Vec<Vec<u8>> = vec![
        format!("<< /Type /Pages /Kids [{}] /Count {n} >>", kids.join(" ")).into_bytes(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_vec(),
    ];
    for text in pages {
        let content = format!(
            "BT /F1 14 Tf 36 776 Td ({text}: the first line, at the top edge) Tj ET \
             BT /F1 14 Tf 36 6 Td ({text}: the last line, at the bottom edge) Tj ET \
             BT /F1 40 Tf 72 400 Td ({text}) Tj ET"
        );
        objects.push(
            format!(
                "<< /Length {} >>\nstream\n{content}\nendstream",
                content.len()
            )
            .into_bytes(),
        );
        let contents = objects.len();
        objects.push(
            format!(
                "<< /Type /Page /Parent 1 0 R /MediaBox [0 0 612 792] /Contents {contents} 0 R \
                 /Resources << /Font << /F1 2 0 R >> >> >>"
            )
            .into_bytes(),
        );
    }
    objects.push(b"<< /Type /Catalog /Pages 1 0 R >>".to_vec());
    let root = objects.len();
    let mut out = b"%PDF-1.7\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", root + 1).as_bytes());
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root {root} 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            root + 1
        )
        .as_bytes(),
    );
    out
}

fn fields() -> FormFields {
    FormFields {
        recipient_number: Some("(212) 555-0123".into()),
        sender_name: Some("Dr. Maria Gonzalez".into()),
        sender_email: Some("maria@example.com".into()),
        sender_phone: Some("+1 415 555 0188".into()),
        include_cover: Some("false".into()),
        ..FormFields::default()
    }
}

fn options(resolution: Resolution, header: bool) -> Options {
    let mut o = Options::default();
    o.isolation = Isolation::InProcess;
    o.resolution = resolution;
    o.threads = Some(2);
    o.date = CoverDate {
        year: 2026,
        month: 11,
        day: 28,
        hour: 14,
        minute: 5,
        utc_offset_minutes: -300,
        zone: Some("America/New_York".into()),
    };
    o.header = header.then(HeaderLine::default);
    o
}

fn pages_of(tiff: &[u8]) -> Vec<BitPage> {
    decode_tiff(tiff, &ReadLimits::default()).unwrap()
}

/// Free plan, two document pages: the plan's cover makes three, and every
/// page, the cover first, says so.
#[test]
fn every_page_carries_the_line_with_the_count_after_the_free_plan_cover() {
    let doc = pdf(&["Alpha", "Beta"]);
    let mut o = options(Resolution::Fine, true);
    o.plan = Plan::Free;
    let fax = prepare(&doc, &fields(), &o).unwrap();
    assert_eq!((fax.total_pages, fax.cover), (3, true));
    let expected = |n: u32| {
        format!(
            "2026-11-28 14:05 America/New_York | From: Dr. Maria Gonzalez | \
             Tel. +1 415 555 0188 | Page {n} of 3"
        )
    };
    for (i, facts) in fax.pages.iter().enumerate() {
        assert_eq!(
            facts.header.as_deref(),
            Some(expected(i as u32 + 1).as_str())
        );
    }
    let header = fax.header.as_ref().unwrap();
    assert_eq!((header.band_rows, header.position.as_str()), (40, "top"));
    assert!(header.missing_for_rule.is_empty(), "{header:?}");
    assert!(fax.warnings.is_empty(), "{:?}", fax.warnings);
    // The JSON facts say the same.
    let json = serde_json::to_value(&fax).unwrap();
    assert_eq!(json["pages"][1]["header"], expected(2).as_str());
    assert_eq!(json["header"]["band_rows"], 40);

    // Each page of the TIFF has ink in its band: the cover's too.
    for page in pages_of(&fax.tiff) {
        let rows = band_rows(Resolution::Fine);
        assert!((0..rows).any(|y| page.row(y).iter().any(|&b| b != 0)));
    }

    // Without a phone the line still prints, and says what it lacks.
    let mut f = fields();
    f.sender_phone = None;
    let fax = prepare(&doc, &f, &o).unwrap();
    assert_eq!(
        fax.header.unwrap().missing_for_rule,
        ["sender's telephone number"]
    );
    assert!(
        fax.warnings
            .iter()
            .any(|w| w.to_string().contains("sender's telephone number")),
        "{:?}",
        fax.warnings
    );
}

/// Page 2 of 3 at each resolution against its reference image (bless with
/// FAXPREP_BLESS=1; see faxprep-testkit).
#[test]
fn reference_pages_at_every_resolution() {
    let doc = pdf(&["Alpha", "Beta"]);
    for res in Resolution::ALL {
        let mut o = options(res, true);
        o.plan = Plan::Free;
        let fax = prepare(&doc, &fields(), &o).unwrap();
        let pages = pages_of(&fax.tiff);
        assert_bits_match(&format!("header/page2_{}", res.name()), &pages[1]);
    }
}

/// Tesseract reads the band of page 2 of 3: the date, the time, the
/// sender's number and "Page 2 of 3", at every resolution.
#[test]
fn ocr_reads_the_band() {
    if !require_tool("tesseract") {
        return;
    }
    let doc = pdf(&["Alpha", "Beta"]);
    let dir = tempfile::tempdir().unwrap();
    for res in Resolution::ALL {
        let mut o = options(res, true);
        o.plan = Plan::Free;
        let fax = prepare(&doc, &fields(), &o).unwrap();
        let page = &pages_of(&fax.tiff)[1];
        // The band alone, with near-square pixels (standard rows twice, a
        // superfine row every other one) and a white border for tesseract.
        let rows = band_rows(res);
        let (num, den) = match res {
            Resolution::Standard => (2, 1),
            Resolution::Fine => (1, 1),
            Resolution::Superfine => (1, 2),
        };
        let gray = page.to_gray_bytes();
        let w = page.width();
        let h = rows * num / den;
        let img = image::GrayImage::from_fn(w, h + 40, |x, y| {
            let src = y.checked_sub(20).map(|y| y * den / num);
            match src {
                Some(sy) if sy < rows => image::Luma([gray[(sy * w + x) as usize]]),
                _ => image::Luma([255]),
            }
        });
        let path = dir.path().join(format!("band-{}.png", res.name()));
        img.save(&path).unwrap();
        let out = Command::new("tesseract")
            .arg(&path)
            .arg("-")
            .args(["--psm", "7", "-l", "eng"])
            .output()
            .unwrap();
        assert!(out.status.success());
        let text: String = String::from_utf8_lossy(&out.stdout)
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        for wanted in ["2026-11-28", "14:05", "+14155550188", "Page2of3"] {
            assert!(text.contains(wanted), "{res}: {wanted} not in {text:?}");
        }
    }
}

/// Black pixels of `page`.
fn black(page: &BitPage, x: i64, y: i64) -> bool {
    x >= 0
        && y >= 0
        && (x as u32) < page.width()
        && (y as u32) < page.height()
        && page.row(y as u32)[(x / 8) as usize] & (0x80 >> (x % 8)) != 0
}

/// The rectangle, in pixels, where the renderer puts a `w x h` point page
/// on a Letter fax page of `rows` rows with `top` rows kept for the band:
/// as the raster crate documents it, the largest scale that fits the
/// 1728 x (rows - top) area with the aspect ratio kept, centred.
fn placed(w: f64, h: f64, res: Resolution, rows: u32, top: u32) -> (f64, f64, f64) {
    let (px, py) = (204.0 / 72.0, f64::from(res.y_dpi()) / 72.0);
    let area_h = f64::from(rows - top) / py;
    let s = (1728.0 / px / w).min(area_h / h);
    let x0 = (1728.0 - w * s * px) / 2.0;
    let y0 = f64::from(top) + (f64::from(rows - top) - h * s * py) / 2.0;
    (s, x0, y0)
}

/// Pages of our own PDF and of the corpus keep every inked pixel: each
/// black pixel of the page without the line is black (give or take a
/// pixel of rounding) at the place the documented scale and shift move it
/// to, below the band; and nothing the page had is cut.
#[test]
fn pages_keep_all_their_ink_below_the_band() {
    let mut cases: Vec<(String, Vec<u8>)> = vec![("edge lines".into(), pdf(&["Alpha"]))];
    if let Some(dir) = corpus_dir() {
        for file in ["ocrmypdf-ccitt.pdf", "pdfjs-mixedfonts.pdf"] {
            cases.push((file.into(), std::fs::read(dir.join(file)).unwrap()));
        }
    }
    for (name, doc) in cases {
        let sizes = page_size(&doc);
        for res in [Resolution::Standard, Resolution::Fine] {
            let run = |header| {
                let mut o = options(res, header);
                o.halftone = Method::Threshold(128);
                o.line_budget = None;
                let fax = prepare(&doc, &fields(), &o).unwrap();
                pages_of(&fax.tiff).remove(0)
            };
            let (plain, with) = (run(false), run(true));
            let rows = plain.height();
            let band = band_rows(res);
            let (w, h) = sizes;
            let (s0, x0, y0) = placed(w, h, res, rows, 0);
            let (s1, x1, y1) = placed(w, h, res, rows, band);
            let k = s1 / s0;
            assert!(k < 1.0 && k > 0.97, "{name}: scale {k}");
            let mapped = |x: i64, y: i64| {
                let mx = x1 + (x as f64 + 0.5 - x0) * k;
                let my = y1 + (y as f64 + 0.5 - y0) * k;
                assert!(
                    (f64::from(band)..f64::from(rows)).contains(&my) && (0.0..1728.0).contains(&mx),
                    "{name} {res}: ink at {x},{y} moves to {mx},{my}, off the page or into the band"
                );
                let (cx, cy) = (mx.floor() as i64, my.floor() as i64);
                (-1..=1).any(|dy| (-1..=1).any(|dx| black(&with, cx + dx, cy + dy)))
            };
            // Every mark of the page (8-connected black pixels) of more
            // than two pixels is there; single specks of a scan may fade
            // when the page is scaled by 98 %, so pixels are counted too.
            let (mut inked, mut kept, mut marks, mut lost_marks) = (0u64, 0u64, 0u64, Vec::new());
            for (size, hits, at) in components(&plain) {
                inked += size;
                kept += hits.iter().filter(|&&(x, y)| mapped(x, y)).count() as u64;
                if size > 2 {
                    marks += 1;
                    if !hits.iter().any(|&(x, y)| mapped(x, y)) {
                        lost_marks.push(at);
                    }
                }
            }
            assert!(inked > 1000, "{name}: the page has ink");
            let share = kept as f64 / inked as f64;
            eprintln!(
                "{name} {res}: {kept} of {inked} black pixels kept ({share:.5}), \
                 {} of {marks} marks",
                marks - lost_marks.len() as u64
            );
            assert!(
                lost_marks.is_empty(),
                "{name} {res}: marks lost at {lost_marks:?}"
            );
            assert!(share > 0.99, "{name} {res}: only {share} of the ink kept");
        }
    }
}

/// A pixel's column and row.
type Px = (i64, i64);

/// The 8-connected groups of black pixels of `page`: (pixels, the pixels,
/// the first pixel).
fn components(page: &BitPage) -> Vec<(u64, Vec<Px>, Px)> {
    let (w, h) = (page.width() as i64, page.height() as i64);
    let mut seen = vec![false; (w * h) as usize];
    let mut out = Vec::new();
    for y in 0..h {
        for x in 0..w {
            if seen[(y * w + x) as usize] || !black(page, x, y) {
                continue;
            }
            let mut pixels = Vec::new();
            let mut stack = vec![(x, y)];
            seen[(y * w + x) as usize] = true;
            while let Some((px, py)) = stack.pop() {
                pixels.push((px, py));
                for dy in -1..=1 {
                    for dx in -1..=1 {
                        let (nx, ny) = (px + dx, py + dy);
                        if nx >= 0 && ny >= 0 && nx < w && ny < h {
                            let i = (ny * w + nx) as usize;
                            if !seen[i] && black(page, nx, ny) {
                                seen[i] = true;
                                stack.push((nx, ny));
                            }
                        }
                    }
                }
            }
            out.push((pixels.len() as u64, pixels, (x, y)));
        }
    }
    out
}

/// The first page's size in points: its CropBox, else its (possibly
/// inherited) MediaBox; the files used here are not rotated.
fn page_size(pdf: &[u8]) -> (f64, f64) {
    let doc = lopdf::Document::load_mem(pdf).unwrap();
    let id = *doc.get_pages().values().next().unwrap();
    let page = doc.get_dictionary(id).unwrap();
    let rotate = page.get(b"Rotate").and_then(|r| r.as_i64()).unwrap_or(0);
    assert_eq!(rotate, 0);
    let bx = page
        .get(b"CropBox")
        .or_else(|_| page.get(b"MediaBox"))
        .or_else(|_| {
            let parent = page.get(b"Parent")?.as_reference()?;
            doc.get_dictionary(parent)?.get(b"MediaBox")
        })
        .unwrap();
    let v: Vec<f64> = doc
        .dereference(bx)
        .unwrap()
        .1
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o.as_float().map(f64::from).unwrap())
        .collect();
    ((v[2] - v[0]).abs(), (v[3] - v[1]).abs())
}

/// The stamped pages are the same bits whatever the TIFF's coding (the
/// parent decodes and codes again in the fax's own compression), and a
/// PDF is still written beside the TIFF (its G4 pages coded again too).
#[test]
fn the_line_is_the_same_in_every_coding_and_in_the_pdf() {
    use faxprep::codec::Compression;
    let doc = pdf(&["Alpha", "Beta"]);
    let mut reference: Option<Vec<BitPage>> = None;
    for compression in [Compression::G4, Compression::G3OneD, Compression::G3TwoD] {
        let mut o = options(Resolution::Standard, true);
        o.compression = compression;
        o.want_pdf = true;
        let fax = prepare(&doc, &fields(), &o).unwrap();
        let pages = pages_of(&fax.tiff);
        assert_eq!(pages.len(), 2);
        for (page, facts) in pages.iter().zip(&fax.pages) {
            assert!(facts.header.as_deref().unwrap().ends_with("of 2"));
            assert!(facts.g4_bytes > 0 && facts.coded_bytes > 0);
            let rows = band_rows(Resolution::Standard);
            assert!((0..rows).any(|y| page.row(y).iter().any(|&b| b != 0)));
        }
        match &reference {
            None => reference = Some(pages),
            Some(r) => assert!(r == &pages, "{compression:?} pages differ from G4's"),
        }
        assert!(fax.pdf.is_some_and(|p| p.starts_with(b"%PDF-")));
    }
}

//! Pictures through the whole pipeline (issue 13), on real files of the
//! shared corpus that nobody here made: phone photos of paper become
//! document pages of a few tens of KB, photos stay photos, and a photo has
//! no tiles cut to white or black that the picture does not have.
#![allow(clippy::unwrap_used)] // helpers of tests: a failed unwrap fails the test

use faxprep::codec::tiff::{ReadLimits, decode_tiff};
use faxprep::halftone::{Content, HalftoneOptions, Method, halftone_with_report};
use faxprep::page::{BitPage, DocumentFormat, GrayPage};
use faxprep::raster::{RasterOptions, render};
use faxprep::{FormFields, Isolation, Options, PreparedFax, prepare};
use faxprep_testkit::pictures::flat_blocks;
use faxprep_testkit::{assert_bits_match, corpus_dir};

/// Phone photos of paper (corpus kind `img-paper`).
const PAPER: [&str; 4] = [
    "docscan-cell_pic.jpg",
    "docscan-math_cheat_sheet.jpg",
    "docscan-notepad.jpg",
    "docscan-receipt.jpg",
];

/// Photos of things, not paper.
const PHOTOS: [&str; 4] = [
    "exif-Landscape_1.jpg",
    "imagepng-kodim23.png",
    "libjpegturbo-testorig.jpg",
    "jpegdec-progressive3.jpg",
];

fn fields() -> FormFields {
    FormFields {
        recipient_number: Some("(212) 555-0123".into()),
        sender_name: Some("Dr. Maria Gonzalez".into()),
        sender_email: Some("maria@example.com".into()),
        ..FormFields::default()
    }
}

fn prepared(file: &str) -> Option<(PreparedFax, BitPage)> {
    let bytes = std::fs::read(corpus_dir()?.join(file)).unwrap();
    let mut opts = Options::default();
    opts.isolation = Isolation::InProcess;
    let fax = prepare(&bytes, &fields(), &opts).unwrap();
    let page = decode_tiff(&fax.tiff, &ReadLimits::default())
        .unwrap()
        .remove(0);
    Some((fax, page))
}

#[test]
fn phone_photos_of_paper_become_small_document_pages() {
    for file in PAPER {
        let Some((fax, page)) = prepared(file) else {
            return;
        };
        let facts = &fax.pages[0];
        assert_eq!(facts.content, "paper-photo", "{file}");
        // A scanner app's page, not minutes of dither: under 60 KB of G4
        // (33 s at 14.4 kbit/s).
        assert!(facts.g4_bytes < 60_000, "{file}: {} bytes", facts.g4_bytes);
        // White paper: no corner of the page is a dark wedge of table
        // (at most a header line's worth of ink in each 100 x 100 corner).
        for (x0, y0) in [(0, 0), (1628, 0), (0, 2056), (1628, 2056)] {
            let ink = (y0..y0 + 100)
                .flat_map(|y| (x0..x0 + 100).map(move |x| (x, y)))
                .filter(|&(x, y)| page.get(x, y))
                .count();
            assert!(ink < 1500, "{file}: {ink} black pixels at ({x0}, {y0})");
        }
    }
}

#[test]
fn photos_stay_photos() {
    for file in PHOTOS {
        let Some((fax, _)) = prepared(file) else {
            return;
        };
        assert_eq!(fax.pages[0].content, "photo", "{file}");
    }
}

#[test]
fn document_halftone_forces_the_paper_path() {
    let Some(dir) = corpus_dir() else {
        return;
    };
    let bytes = std::fs::read(dir.join("ocrmypdf-linn.png")).unwrap();
    let mut opts = Options::default();
    opts.isolation = Isolation::InProcess;
    opts.halftone = Method::Document;
    let fax = prepare(&bytes, &fields(), &opts).unwrap();
    assert_eq!(fax.pages[0].content, "paper-photo");
    opts.halftone = Method::Auto;
    let fax = prepare(&bytes, &fields(), &opts).unwrap();
    // A clean scan is text to `auto`: no correction needed.
    assert_eq!(fax.pages[0].content, "text");
}

/// The gray page the raster stage makes of a corpus picture.
fn gray(file: &str) -> Option<GrayPage> {
    let bytes = std::fs::read(corpus_dir()?.join(file)).unwrap();
    let format = if file.ends_with(".png") {
        DocumentFormat::Png
    } else {
        DocumentFormat::Jpeg
    };
    let mut page = None;
    render(&bytes, format, &RasterOptions::default(), |p| {
        page = Some(p.page);
        Ok::<(), ()>(())
    })
    .unwrap();
    page
}

#[test]
fn photos_have_no_seams() {
    for file in PHOTOS {
        let Some(page) = gray(file) else {
            return;
        };
        let (bits, report) =
            halftone_with_report(&page, Method::Auto, &HalftoneOptions::with_threads(1));
        assert_eq!(report.content, Content::Photo, "{file}");
        // The picture's box: rows and columns with anything but the white
        // the raster stage puts around a fitted picture.
        let (w, h) = (page.width(), page.height());
        let rows: Vec<u32> = (0..h)
            .filter(|&y| page.row(y).iter().any(|&v| v < 255))
            .collect();
        let cols: Vec<u32> = (0..w)
            .filter(|&x| (0..h).step_by(7).any(|y| page.get(x, y) < 255))
            .collect();
        let (x0, x1) = (cols[0] + 16, cols[cols.len() - 1] - 16);
        let (y0, y1) = (rows[0] + 16, rows[rows.len() - 1] - 16);
        let seams = flat_blocks(&page, &bits, x0, y0, x1, y1);
        assert!(
            seams.is_empty(),
            "{file}: {} blocks cut flat, first {:?}",
            seams.len(),
            seams.first()
        );
    }
}

#[test]
fn pictures_match_their_references() {
    for file in [PAPER[0], PAPER[3], PHOTOS[1], PHOTOS[2]] {
        let Some((_, page)) = prepared(file) else {
            return;
        };
        let case = file.rsplit_once('.').unwrap().0;
        assert_bits_match(&format!("pictures/{case}"), &page);
    }
}

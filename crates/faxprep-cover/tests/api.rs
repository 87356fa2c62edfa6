//! The public API: errors, warnings, what the layout leaves out, and the
//! worst cases within the API limits.

mod common;

use common::*;
use faxprep_cover::{
    CoverDate, CoverFields, CoverOptions, Error, Field, FontStyle, Item, LogoProblem, Warning,
    draw, layout, render_cover,
};
use faxprep_page::{Paper, Resolution};

fn labels(l: &faxprep_cover::Layout) -> String {
    l.glyphs()
        .filter(|g| g.field.is_none())
        .map(|g| g.ch)
        .collect()
}

#[test]
fn required_fields_and_date_are_checked() {
    let o = opts(Resolution::Fine);
    let f = CoverFields {
        sender_email: " ".into(),
        ..all_fields()
    };
    assert_eq!(
        render_cover(&f, &o).unwrap_err(),
        Error::MissingField {
            field: Field::SenderEmail
        }
    );
    let f = CoverFields {
        total_pages: 0,
        ..all_fields()
    };
    assert_eq!(
        render_cover(&f, &o).unwrap_err(),
        Error::InvalidPageCount { total_pages: 0 }
    );
    let bad = CoverDate {
        day: 31,
        month: 4,
        ..date()
    };
    let f = CoverFields {
        date: bad.clone(),
        ..all_fields()
    };
    let err = render_cover(&f, &o).unwrap_err();
    assert_eq!(err, Error::InvalidDate { date: bad });
    assert_eq!(
        err.to_string(),
        "invalid cover date 31 April 2026, 14:05 (EST, UTC-05:00)"
    );
}

#[test]
fn empty_optional_fields_leave_no_labels() {
    let l = layout(&required_only(), &opts(Resolution::Fine));
    let labels = labels(&l);
    assert_eq!(labels, "FAXDateTOFROMFaxEmail");
    assert!(l.text_of(Field::RecipientName).is_empty());
    assert_eq!(l.text_of(Field::PageCount), "1pageincludingthiscover");
    assert!(!l.items.iter().any(|i| matches!(i, Item::Logo(_))));
    let full = layout(&all_fields(), &opts(Resolution::Fine));
    assert_eq!(labels_of(&full), "FAXDateTOFROMFaxEmailPhoneRE:Note");
}

fn labels_of(l: &faxprep_cover::Layout) -> String {
    labels(l)
}

#[test]
fn layout_is_pure_and_resolution_independent() {
    let a = layout(&all_fields(), &opts(Resolution::Fine));
    let b = layout(&all_fields(), &opts(Resolution::Standard));
    assert_eq!(a, b);
    assert_eq!(draw(&a, Resolution::Fine), draw(&b, Resolution::Fine));
    assert_eq!(draw(&a, Resolution::Superfine).height(), 4301);
}

#[test]
fn text_sizes_are_legible() {
    let f = CoverFields {
        note: Some(note_500()),
        subject: Some(subject_200()),
        ..all_fields()
    };
    let l = layout(&f, &opts(Resolution::Fine));
    for g in l.glyphs() {
        let min = if g.field == Some(Field::Note) {
            9.0
        } else {
            11.0
        };
        assert!(g.size >= min, "{g:?}");
    }
}

/// Realistic text at every API limit fits without an ellipsis.
#[test]
fn realistic_fields_at_their_limits_fit_uncut() {
    let words = |n: usize| -> String {
        let s = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod \
                 tempor incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam ";
        s.chars()
            .cycle()
            .take(n)
            .collect::<String>()
            .trim_end()
            .to_string()
            + "."
    };
    let f = CoverFields {
        recipient_name: Some(words(99)),
        sender_name: words(99),
        sender_company: Some(words(99)),
        sender_email: format!("{}@example.org", "x".repeat(64)),
        sender_phone: Some("+1 (555) 010-4477 ext. 12345".into()),
        subject: Some(subject_200()),
        note: Some(note_500()),
        ..all_fields()
    };
    for paper in Paper::ALL {
        let o = CoverOptions {
            paper,
            brand: Some(brand(Some(logo_png()))),
            ..opts(Resolution::Fine)
        };
        let l = layout(&f, &o);
        assert!(l.warnings.is_empty(), "{paper}: {:?}", l.warnings);
    }
}

/// The widest text at every limit still stays on the page; what does not
/// fit is cut with a warning.
#[test]
fn widest_fields_are_cut_with_warnings() {
    let f = CoverFields {
        recipient_name: Some("W".repeat(100)),
        recipient_number: "W".repeat(100),
        sender_name: "W".repeat(100),
        sender_company: Some("W".repeat(100)),
        sender_email: "W".repeat(254),
        sender_phone: Some("W".repeat(100)),
        subject: Some("W".repeat(200)),
        note: Some("W\n".repeat(150) + &"W".repeat(200)),
        ..all_fields()
    };
    let (page, warnings) = render_cover(&f, &opts(Resolution::Fine)).unwrap();
    assert!(!page.is_blank());
    assert!(warnings.contains(&Warning::Truncated {
        field: Field::Subject
    }));
    assert!(warnings.contains(&Warning::LineBreaksJoined { field: Field::Note }));
    assert!(
        !warnings.contains(&Warning::Truncated { field: Field::Note }),
        "{warnings:?}"
    );
}

#[test]
fn many_line_breaks_are_joined_with_a_warning() {
    let note: String = (0..100).map(|i| format!("L{i:02}\n")).collect();
    let f = CoverFields {
        note: Some(note),
        ..all_fields()
    };
    let l = layout(&f, &opts(Resolution::Fine));
    assert_eq!(
        l.warnings,
        [Warning::LineBreaksJoined { field: Field::Note }]
    );
    assert_eq!(l.text_of(Field::Note).len(), 300);
}

#[test]
fn free_plan_brand_is_printed_and_a_bad_logo_is_reported() {
    let o = CoverOptions {
        brand: Some(brand(Some(b"not a png".to_vec()))),
        ..opts(Resolution::Fine)
    };
    let l = layout(&all_fields(), &o);
    assert_eq!(l.text_of(Field::BrandName), "FaxPrep");
    assert_eq!(l.text_of(Field::BrandLine), "Sentfreewithfaxprep.example");
    assert_eq!(
        l.warnings,
        [Warning::LogoIgnored {
            reason: LogoProblem::NotPng
        }]
    );
    assert!(
        l.glyphs()
            .any(|g| g.field == Some(Field::BrandName) && g.font == FontStyle::Bold)
    );
}

#[test]
fn kerning_is_applied() {
    let f = CoverFields {
        subject: Some("AVAVAVAV".into()),
        ..all_fields()
    };
    let l = layout(&f, &opts(Resolution::Fine));
    let g: Vec<_> = l
        .glyphs()
        .filter(|g| g.field == Some(Field::Subject))
        .collect();
    assert!(
        g[1].x - g[0].x < g[0].advance - 0.5,
        "A-V pair is tighter than the advance"
    );
}

#[test]
fn warnings_display_lower_case() {
    let w = Warning::CharactersReplaced {
        field: Field::RecipientName,
        chars: vec!['王'],
    };
    assert_eq!(
        w.to_string(),
        "recipient name: the font lacks 1 character(s) U+738B (drawn as \u{FFFD})"
    );
}

/// Writes the worst case to target/ for a human to look at (not a
/// reference: it is ugly on purpose).
#[test]
fn widest_fields_preview() {
    let f = CoverFields {
        recipient_name: Some("W".repeat(100)),
        recipient_number: "W".repeat(100),
        sender_name: "W".repeat(100),
        sender_company: Some("W".repeat(100)),
        sender_email: "W".repeat(254),
        sender_phone: Some("W".repeat(100)),
        subject: Some("W".repeat(200)),
        note: Some("W\n".repeat(150) + &"W".repeat(200)),
        ..all_fields()
    };
    let o = CoverOptions {
        brand: Some(brand(Some(logo_png()))),
        ..opts(Resolution::Fine)
    };
    let (page, _) = render_cover(&f, &o).unwrap();
    if let Ok(dir) = std::env::var("COVER_PREVIEW_DIR") {
        let img =
            image::GrayImage::from_raw(page.width(), page.height(), page.to_gray_bytes()).unwrap();
        img.save(format!("{dir}/widest.png")).unwrap();
    }
}

/// Issue 17: the identification line goes on the cover as it is, so the
/// cover leaves the band's rows white at the top and at the bottom, at
/// every resolution, on every paper, with every field full and on the
/// free plan with a logo.
#[test]
fn covers_leave_the_identification_bands_white() {
    use faxprep_cover::band_rows;
    let mut full = all_fields();
    full.note = Some(note_500());
    full.subject = Some(subject_200());
    for res in Resolution::ALL {
        for paper in Paper::ALL {
            for brand in [None, Some(brand(Some(logo_png())))] {
                let o = CoverOptions {
                    resolution: res,
                    paper,
                    brand,
                };
                let (page, _) = render_cover(&full, &o).unwrap();
                let rows = band_rows(res);
                let h = page.height();
                for y in (0..rows).chain(h - rows..h) {
                    assert!(
                        page.row(y).iter().all(|&b| b == 0),
                        "{res} {paper:?}: ink on row {y} of {h}"
                    );
                }
            }
        }
    }
}

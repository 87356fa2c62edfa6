//! Reference images of generated covers (exact 1-bit match). Bless with
//! `FAXPREP_BLESS=1 cargo test -p faxprep-cover --test reference`, look at
//! the PNGs in fixtures/ref/cover/, and run again.

mod common;

use common::*;
use faxprep_cover::{CoverFields, CoverOptions, Field, Warning, render_cover};
use faxprep_page::Resolution;
use faxprep_testkit::assert_bits_match;

fn check(case: &str, fields: &CoverFields, opts: &CoverOptions) -> Vec<Warning> {
    let (page, warnings) = render_cover(fields, opts).expect("cover renders");
    assert_bits_match(&format!("cover/{case}"), &page);
    warnings
}

#[test]
fn cover_all_fields() {
    let warnings = check("all_fields", &all_fields(), &opts(Resolution::Fine));
    assert!(warnings.is_empty(), "{warnings:?}");
}

#[test]
fn all_fields_standard() {
    check(
        "all_fields_standard",
        &all_fields(),
        &opts(Resolution::Standard),
    );
}

#[test]
fn all_fields_superfine() {
    check(
        "all_fields_superfine",
        &all_fields(),
        &opts(Resolution::Superfine),
    );
}

#[test]
fn cover_required_only() {
    let warnings = check("required_only", &required_only(), &opts(Resolution::Fine));
    assert!(warnings.is_empty(), "{warnings:?}");
}

#[test]
fn note_500_chars() {
    let fields = CoverFields {
        note: Some(note_500()),
        ..all_fields()
    };
    let warnings = check("note_500", &fields, &opts(Resolution::Fine));
    assert!(warnings.is_empty(), "{warnings:?}");
}

#[test]
fn note_of_many_lines_steps_down() {
    // 28 short lines do not fit at 12 pt; the size steps down instead of
    // joining or cutting them.
    let note: String = (1..=28).map(|i| format!("Item {i}: enclosed\n")).collect();
    let fields = CoverFields {
        note: Some(note),
        ..all_fields()
    };
    let warnings = check("note_many_lines", &fields, &opts(Resolution::Fine));
    assert!(warnings.is_empty(), "{warnings:?}");
}

#[test]
fn subject_200_chars() {
    let fields = CoverFields {
        subject: Some(subject_200()),
        ..all_fields()
    };
    let warnings = check("subject_200", &fields, &opts(Resolution::Fine));
    assert!(warnings.is_empty(), "{warnings:?}");
}

#[test]
fn unbreakable_long_email() {
    let fields = CoverFields {
        sender_email:
            "records.department.longmailbox.without.breaks@subdomain.example-hospital-network.org"
                .into(),
        ..all_fields()
    };
    let warnings = check("long_email", &fields, &opts(Resolution::Fine));
    assert!(warnings.is_empty(), "{warnings:?}");
}

#[test]
fn accented_and_cyrillic_names() {
    let fields = CoverFields {
        recipient_name: Some("Åsa Ødegård-Çelik".into()),
        sender_name: "Анна Сергеевна Петрова".into(),
        sender_company: Some("Ελληνική Ιατρική Α.Ε.".into()),
        subject: Some("Résumé médical — Ärztlicher Befund".into()),
        ..all_fields()
    };
    let warnings = check("accented_cyrillic", &fields, &opts(Resolution::Fine));
    assert!(warnings.is_empty(), "{warnings:?}");
}

#[test]
fn free_plan_branding() {
    let opts = CoverOptions {
        brand: Some(brand(None)),
        ..opts(Resolution::Fine)
    };
    let warnings = check("free_plan", &all_fields(), &opts);
    assert!(warnings.is_empty(), "{warnings:?}");
}

#[test]
fn free_plan_branding_with_logo() {
    let opts = CoverOptions {
        brand: Some(brand(Some(logo_png()))),
        ..opts(Resolution::Fine)
    };
    let warnings = check("free_plan_logo", &all_fields(), &opts);
    assert!(warnings.is_empty(), "{warnings:?}");
}

#[test]
fn cjk_and_rtl_do_not_disturb_the_rest() {
    let fields = CoverFields {
        recipient_name: Some("王小明 (Wang)".into()),
        sender_company: Some("שלום Clinic".into()),
        ..all_fields()
    };
    let (page, warnings) = render_cover(&fields, &opts(Resolution::Fine)).unwrap();
    assert_bits_match("cover/cjk_rtl", &page);
    assert_eq!(
        warnings,
        [Warning::CharactersReplaced {
            field: Field::RecipientName,
            chars: vec!['王', '小', '明']
        }]
    );
}

/// fixtures/docs/cover.png, the README's picture, is the all-fields cover
/// of [`cover_all_fields`]; it is checked (and blessed) like a reference so
/// that it cannot drift from what the code draws.
#[test]
fn readme_picture() {
    let (page, _) = render_cover(&all_fields(), &opts(Resolution::Fine)).unwrap();
    let path = faxprep_testkit::workspace_root().join("fixtures/docs/cover.png");
    let actual =
        image::GrayImage::from_raw(page.width(), page.height(), page.to_gray_bytes()).unwrap();
    if image::open(&path).is_ok_and(|img| img.to_luma8() == actual) {
        return;
    }
    if std::env::var_os("FAXPREP_BLESS").is_some_and(|v| v == "1") {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        actual.save(&path).unwrap();
        panic!(
            "FAXPREP_BLESS=1: wrote {}; look at it, then run again",
            path.display()
        );
    }
    panic!(
        "{} is missing or out of date: run with FAXPREP_BLESS=1",
        path.display()
    );
}

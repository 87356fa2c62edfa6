//! Form field values that a file leaves to the viewer to draw are drawn
//! into it (the renderer draws appearance streams only), and nothing else.
#![allow(clippy::unwrap_used)] // helpers of tests: a failed unwrap fails the test

use faxprep_intake::{IntakeOptions, check_document, draw_form_values};
use faxprep_testkit::form_pdf;
use lopdf::{Dictionary, Document, Object, Stream, StringFormat, dictionary};

fn text(s: &str) -> Object {
    // UTF-16BE with its byte order mark, as form fillers write values.
    let mut b = vec![0xfe, 0xff];
    b.extend(s.encode_utf16().flat_map(u16::to_be_bytes));
    Object::String(b, StringFormat::Hexadecimal)
}

fn rect(x0: f32, y0: f32, x1: f32, y1: f32) -> Object {
    Object::Array(vec![x0.into(), y0.into(), x1.into(), y1.into()])
}

fn text_field(name: &str, value: &str, da: &str, r: Object) -> Dictionary {
    dictionary! {
        "FT" => "Tx",
        "T" => Object::string_literal(name),
        "V" => text(value),
        "DA" => Object::string_literal(da),
        "Rect" => r,
    }
}

fn need_appearances() -> Dictionary {
    dictionary! { "NeedAppearances" => true, "DA" => Object::string_literal("/Helv 0 Tf 0 g") }
}

fn count(pdf: &[u8]) -> u32 {
    check_document(pdf, &IntakeOptions::default())
        .unwrap()
        .form_values_to_draw
}

/// The document after drawing, and the content stream of each widget's
/// normal appearance, in /Annots order.
fn drawn(pdf: &[u8]) -> (Document, Vec<String>) {
    let out = draw_form_values(pdf, &IntakeOptions::default())
        .unwrap()
        .expect("values to draw");
    // Still a PDF that intake takes.
    check_document(&out, &IntakeOptions::default()).unwrap();
    drawn_in(&out)
}

/// The document `out` and its widgets' appearance contents.
fn drawn_in(out: &[u8]) -> (Document, Vec<String>) {
    let doc = Document::load_mem(out).unwrap();
    let page = *doc.get_pages().values().next().unwrap();
    let annots = doc
        .get_dictionary(page)
        .unwrap()
        .get(b"Annots")
        .unwrap()
        .as_array()
        .unwrap()
        .clone();
    let contents = annots
        .iter()
        .map(|a| {
            let w = doc.get_dictionary(a.as_reference().unwrap()).unwrap();
            let n = w
                .get(b"AP")
                .and_then(Object::as_dict)
                .and_then(|ap| ap.get(b"N"))
                .and_then(Object::as_reference)
                .and_then(|id| doc.get_object(id));
            match n {
                Ok(Object::Stream(s)) => String::from_utf8(s.content.clone()).unwrap(),
                _ => String::new(),
            }
        })
        .collect();
    (doc, contents)
}

/// Glyphs shown by the `Tj`s of a content stream (4 hex digits each).
/// Glyphs shown (spaces are `TJ` adjustments, not glyphs).
fn glyphs(content: &str) -> usize {
    content
        .split('<')
        .skip(1)
        .map(|s| s.split('>').next().unwrap().len() / 4)
        .sum()
}

fn lines(content: &str) -> Vec<(f64, f64)> {
    content
        .lines()
        .filter(|l| l.ends_with("Tj") || l.ends_with("TJ"))
        .map(|l| {
            let t: Vec<&str> = l.split(' ').collect();
            (t[4].parse().unwrap(), t[5].parse().unwrap())
        })
        .collect()
}

#[test]
fn a_value_left_to_the_viewer_is_drawn_in_an_embedded_font() {
    // What LibreOffice and pypdf write: an empty appearance, the value in
    // /V, NeedAppearances; 11-point text in a 7.75-point widget.
    let mut field = text_field(
        "First Name",
        "Alice",
        "0.3 g /F3 11 Tf",
        rect(120.0, 710.0, 204.0, 717.75),
    );
    field.set(
        "AP",
        dictionary! { "N" => Stream::new(dictionary! {}, b"/Tx BMC EMC".to_vec()) },
    );
    let pdf = form_pdf(vec![field], need_appearances());
    assert_eq!(count(&pdf), 1);
    let (doc, contents) = drawn(&pdf);
    let c = &contents[0];
    assert_eq!(glyphs(c), 5, "{c}");
    // The /DA size, black, clipped to the box.
    assert!(c.contains("/FaxprepSans 11 Tf\n0 g\n"), "{c}");
    assert!(c.contains(" re W n"), "{c}");
    // The widget grew about its middle to hold a line of 11 points.
    let page = *doc.get_pages().values().next().unwrap();
    let annots = doc.get_dictionary(page).unwrap().get(b"Annots").unwrap();
    let w = doc
        .get_dictionary(annots.as_array().unwrap()[0].as_reference().unwrap())
        .unwrap();
    let r: Vec<f32> = w
        .get(b"Rect")
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_float().unwrap())
        .collect();
    assert!(r[3] - r[1] > 14.0 && r[3] - r[1] <= 15.5, "{r:?}");
    assert!(((r[1] + r[3]) / 2.0 - 713.875).abs() < 0.01, "{r:?}");
    // One font for all widgets: DejaVu Sans, by glyph id, embedded.
    let fonts: Vec<&Dictionary> = doc
        .objects
        .values()
        .filter_map(|o| o.as_dict().ok())
        .filter(|d| d.get(b"Subtype").and_then(Object::as_name).ok() == Some(b"Type0"))
        .collect();
    assert_eq!(fonts.len(), 1);
    assert_eq!(
        fonts[0].get(b"Encoding").unwrap().as_name().unwrap(),
        b"Identity-H"
    );
    assert!(doc.objects.values().any(|o| matches!(o, Object::Stream(s)
        if s.dict.has(b"Length1") && s.content.len() > 100_000)));
}

#[test]
fn appearances_the_file_draws_itself_are_kept() {
    let mut field = text_field(
        "a",
        "Alice",
        "/Helv 10 Tf",
        rect(100.0, 700.0, 300.0, 720.0),
    );
    field.set(
        "AP",
        dictionary! { "N" => Stream::new(dictionary! {}, b"BT ET".to_vec()) },
    );
    let pdf = form_pdf(vec![field], dictionary! {});
    assert_eq!(count(&pdf), 0);
    assert!(
        draw_form_values(&pdf, &IntakeOptions::default())
            .unwrap()
            .is_none()
    );
    // Without an appearance at all, the value is drawn even without
    // NeedAppearances.
    let field = text_field(
        "a",
        "Alice",
        "/Helv 10 Tf",
        rect(100.0, 700.0, 300.0, 720.0),
    );
    let pdf = form_pdf(vec![field], dictionary! {});
    assert_eq!(count(&pdf), 1);
    assert_eq!(glyphs(&drawn(&pdf).1[0]), 5);
}

#[test]
fn passwords_buttons_and_empty_values_are_not_drawn() {
    let r = || rect(100.0, 700.0, 300.0, 720.0);
    let mut password = text_field("pw", "secret", "/Helv 10 Tf", r());
    password.set("Ff", 1 << 13);
    let blank = text_field("blank", "  ", "/Helv 10 Tf", r());
    let check = dictionary! { "FT" => "Btn", "V" => "Yes", "Rect" => r() };
    let mut no_value = text_field("nv", "", "/Helv 10 Tf", r());
    no_value.remove(b"V");
    let pdf = form_pdf(vec![password, blank, check, no_value], need_appearances());
    assert_eq!(count(&pdf), 0);
    assert!(
        draw_form_values(&pdf, &IntakeOptions::default())
            .unwrap()
            .is_none()
    );
}

#[test]
fn field_attributes_are_inherited_from_parents_and_parent_loops_end() {
    let mut doc_fields = Vec::new();
    // A widget whose field (its parent) holds the type, value and size.
    let parent = dictionary! {
        "FT" => "Tx",
        "V" => text("Bob"),
        "DA" => Object::string_literal("/Helv 9 Tf"),
        "T" => Object::string_literal("name"),
    };
    let mut kid = dictionary! { "Rect" => rect(100.0, 700.0, 300.0, 720.0) };
    kid.set("Parent", Object::Dictionary(parent));
    doc_fields.push(kid);
    let pdf = form_pdf(doc_fields, need_appearances());
    assert_eq!(count(&pdf), 1);
    let c = &drawn(&pdf).1[0];
    assert_eq!(glyphs(c), 3);
    assert!(c.contains("/FaxprepSans 9 Tf"), "{c}");

    // A widget that is its own parent (a loop) and has no type: nothing,
    // and no hang.
    let mut doc = Document::with_version("1.7");
    let id = doc.new_object_id();
    doc.objects.insert(
        id,
        Object::Dictionary(dictionary! {
            "Type" => "Annot", "Subtype" => "Widget", "Parent" => id,
            "V" => text("x"), "Rect" => rect(0.0, 0.0, 50.0, 20.0),
        }),
    );
    let pages = doc.new_object_id();
    let page = doc.add_object(dictionary! {
        "Type" => "Page", "Parent" => pages, "MediaBox" => vec![0.into(), 0.into(), 612.into(), 792.into()],
        "Annots" => vec![Object::Reference(id)],
    });
    let pdf = faxprep_testkit::finish_pdf(doc, pages, vec![page.into()]);
    assert_eq!(count(&pdf), 0);
}

#[test]
fn choices_show_their_display_text() {
    let field = dictionary! {
        "FT" => "Ch",
        "Ff" => 1 << 17,
        "V" => Object::string_literal("us"),
        "Opt" => vec![
            Object::Array(vec![Object::string_literal("ca"), Object::string_literal("Canada")]),
            Object::Array(vec![Object::string_literal("us"), Object::string_literal("United States")]),
        ],
        "DA" => Object::string_literal("/Helv 10 Tf"),
        "Rect" => rect(100.0, 700.0, 300.0, 720.0),
    };
    let pdf = form_pdf(vec![field], need_appearances());
    assert_eq!(glyphs(&drawn(&pdf).1[0]), "UnitedStates".len());
}

#[test]
fn combs_put_a_character_a_cell_and_long_values_wrap_or_shrink() {
    // A comb of 5 cells over 100 points: one character every 20 points.
    let mut comb = text_field(
        "zip",
        "12345",
        "/Helv 10 Tf",
        rect(100.0, 700.0, 200.0, 720.0),
    );
    comb.set("Ff", 1 << 24);
    comb.set("MaxLen", 5);
    // A multi-line field of 100 x 60 points with a sentence.
    let sentence = "Take one tablet by mouth twice a day with food for ten days";
    let mut multi = text_field(
        "sig",
        sentence,
        "/Helv 0 Tf",
        rect(100.0, 600.0, 200.0, 660.0),
    );
    multi.set("Ff", 1 << 12);
    // One line, automatic size, a value far wider than the box: smaller.
    let wide = text_field(
        "w",
        sentence,
        "/Helv 0 Tf",
        rect(100.0, 500.0, 200.0, 520.0),
    );
    let pdf = form_pdf(vec![comb, multi, wide], need_appearances());
    assert_eq!(count(&pdf), 3);
    let (_, c) = drawn(&pdf);

    let cells = lines(&c[0]);
    assert_eq!(cells.len(), 5);
    for (i, w) in cells.windows(2).enumerate() {
        assert!((w[1].0 - w[0].0 - 20.0).abs() < 1.5, "cell {i}: {cells:?}");
    }

    let rows = lines(&c[1]);
    assert!(rows.len() >= 3, "{rows:?}");
    // Every character but the spaces.
    assert_eq!(glyphs(&c[1]), sentence.replace(' ', "").len());
    assert!(
        rows.windows(2).all(|w| w[1].1 < w[0].1),
        "top to bottom: {rows:?}"
    );
    assert!(
        rows.iter().all(|&(x, y)| x == 2.0 && y > 0.0 && y < 60.0),
        "{rows:?}"
    );

    let size: f64 = c[2]
        .split(" Tf")
        .next()
        .unwrap()
        .rsplit(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!((4.0..6.0).contains(&size), "{size}");
}

#[test]
fn hostile_values_and_boxes_stay_bounded() {
    // 200,000 characters of value are cut; boxes of absurd size are not
    // drawn.
    let huge = "W".repeat(200_000);
    let long = text_field(
        "long",
        &huge,
        "/Helv 10 Tf",
        rect(100.0, 700.0, 300.0, 720.0),
    );
    let vast = text_field("vast", "x", "/Helv 10 Tf", rect(0.0, 0.0, 1e9, 20.0));
    let flat = text_field("flat", "x", "/Helv 10 Tf", rect(0.0, 0.0, 100.0, 0.0));
    let nan = text_field("nan", "x", "/Helv 1e30 Tf", rect(0.0, 0.0, 100.0, 20.0));
    let pdf = form_pdf(vec![long, vast, flat, nan], need_appearances());
    assert_eq!(count(&pdf), 2);
    let (_, c) = drawn(&pdf);
    assert!(glyphs(&c[0]) <= 4_000, "{}", glyphs(&c[0]));
    assert!(c[1].is_empty() && c[2].is_empty());
    assert!(c[3].contains("Tf"), "{}", c[3]);
}

#[test]
fn encrypted_forms_are_drawn() {
    if !faxprep_testkit::require_tool("qpdf") {
        return;
    }
    let field = text_field(
        "a",
        "Alice",
        "/Helv 10 Tf",
        rect(100.0, 700.0, 300.0, 720.0),
    );
    let plain = form_pdf(vec![field], need_appearances());
    let encrypted = faxprep_testkit::qpdf_encrypt(&plain, "user", "owner");
    let opts = IntakeOptions {
        password: Some("user".into()),
        ..IntakeOptions::default()
    };
    assert_eq!(
        check_document(&encrypted, &opts)
            .unwrap()
            .form_values_to_draw,
        1
    );
    let out = draw_form_values(&encrypted, &opts).unwrap().unwrap();
    // lopdf writes the opened file decrypted (it stays in memory, for the
    // renderer beside it); the value is drawn and nothing is left to draw.
    let doc = check_document(&out, &IntakeOptions::default()).unwrap();
    assert!(!doc.encrypted);
    assert_eq!(doc.form_values_to_draw, 0);
    let (_, contents) = drawn_in(&out);
    assert_eq!(glyphs(&contents[0]), 5);
}

#[test]
fn once_drawn_nothing_is_left_to_draw() {
    let field = text_field(
        "a",
        "Alice",
        "/Helv 10 Tf",
        rect(100.0, 700.0, 300.0, 720.0),
    );
    let pdf = form_pdf(vec![field], need_appearances());
    let out = draw_form_values(&pdf, &IntakeOptions::default())
        .unwrap()
        .unwrap();
    assert_eq!(count(&out), 0);
    assert!(
        draw_form_values(&out, &IntakeOptions::default())
            .unwrap()
            .is_none()
    );
}

#[test]
fn at_most_ten_thousand_widgets_are_drawn() {
    // 10,001 small filled fields: the first 10,000 (the objects' order)
    // are counted and drawn, the last is left as the file has it.
    let widgets = (0..10_001)
        .map(|i| {
            let (x, y) = ((i % 50) as f32 * 12.0, (i / 50) as f32 * 3.9);
            text_field("f", "7", "/Helv 3 Tf", rect(x, y, x + 11.0, y + 3.8))
        })
        .collect();
    let pdf = form_pdf(widgets, need_appearances());
    // 5 MB: past the upload limit, which is not what this is about.
    let opts = IntakeOptions {
        limits: faxprep_intake::Limits::unlimited(),
        ..IntakeOptions::default()
    };
    assert_eq!(
        check_document(&pdf, &opts).unwrap().form_values_to_draw,
        10_000
    );
    let out = draw_form_values(&pdf, &opts).unwrap().unwrap();
    let (_, contents) = drawn_in(&out);
    assert_eq!(contents.iter().filter(|c| glyphs(c) == 1).count(), 10_000);
    assert_eq!(contents.iter().filter(|c| c.is_empty()).count(), 1);
}

#[test]
fn the_form_gives_defaults_a_field_leaves_out() {
    // No /DA and no /Q on the field: the form's "/Helv 0 Tf" (automatic,
    // 12 points at most) and right alignment.
    let mut field = text_field("a", "Alice", "", rect(100.0, 700.0, 300.0, 720.0));
    field.remove(b"DA");
    let mut form = need_appearances();
    form.set("Q", 2);
    let c = &drawn(&form_pdf(vec![field], form)).1[0];
    assert!(c.contains("/FaxprepSans 12 Tf"), "{c}");
    let (x, _) = lines(c)[0];
    assert!(x > 100.0, "{c}");
}

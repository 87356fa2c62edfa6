//! Filled-in form fields drawn where the file leaves the drawing to the
//! viewer.
//!
//! What a user typed into a PDF form lives in the field's value (/V); what
//! a page shows is the widget's appearance stream (/AP /N). Form fillers
//! that are not viewers (pypdf, pdftk, web services that fill forms on a
//! server) often set the value and leave the appearance empty or absent,
//! with `/NeedAppearances true` in the form dictionary, which asks the
//! viewer to draw the values itself (ISO 32000-1, 12.7.2 and 12.7.3.3).
//! Viewers do; hayro draws appearance streams only, so without this the
//! fax of a filled form arrives blank where the patient's name was
//! (`pypdf-libreoffice-form.pdf` of the corpus: "Alice" and "Bob").
//!
//! So for every text or choice field widget with a value that the file
//! asks the viewer to draw (`NeedAppearances`, or no normal appearance at
//! all), an appearance stream is written the way the standard's variable
//! text describes: the value in the widget's rectangle, 2 points in,
//! vertically centred on one line (or from the top, broken at Unicode
//! line-break opportunities by `faxprep-text` as the cover is, for
//! multi-line fields), aligned by /Q, in the /DA font size (0 means: as
//! large as fits, at most 12 points), one character a cell for comb
//! fields. Two things differ from a viewer, on purpose, for a 1-bit fax:
//! the text is black whatever colour /DA names, and the font is DejaVu
//! Sans, embedded once as a CID font (glyph ids, so any character it has
//! prints, and its metrics place the text exactly), not the /DA font,
//! which is often a subset holding only the glyphs the form's labels use.
//!
//! The rewritten file (lopdf writes it) says `NeedAppearances false`; an
//! encrypted one is written decrypted, which is what the renderer beside
//! it, in the same process, reads (it never leaves memory).
//!
//! Not drawn: password fields, check boxes and radio buttons (their
//! appearances are states the file always carries), widgets given
//! directly inside an /Annots array rather than as objects, and rotated
//! widgets (/MK /R) are drawn unrotated. Every size is bounded: at most
//! [`MAX_WIDGETS`] widgets, [`MAX_VALUE_CHARS`] characters of a value,
//! rectangles up to 200 inches, [`MAX_PARENTS`] levels of field parents.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use faxprep_text::FontStyle;
use faxprep_text::font::face;
use faxprep_text::text::{Line, Text};
use lopdf::{Dictionary, Document, Object, ObjectId, Stream, StringFormat, dictionary};
use ttf_parser::{Face, GlyphId};

use super::pages::{number, resolve};

/// Widgets drawn at most (a 4 MB upload holds a few tens of thousands of
/// small objects at most; real forms have hundreds).
pub(crate) const MAX_WIDGETS: usize = 10_000;
/// Characters of one value drawn at most.
pub(crate) const MAX_VALUE_CHARS: usize = 4_000;
/// Levels of /Parent followed for inherited field attributes.
pub(crate) const MAX_PARENTS: usize = 32;
/// Largest widget side, in points (200 inches, the largest PDF page).
const MAX_SIDE: f64 = 14_400.0;
/// Distance of the text from the widget's edges, in points (a 1-point
/// border and 1 point of space, as viewers draw it).
const PADDING: f64 = 2.0;
/// Font size for /DA size 0 on one line, at most; and where multi-line
/// fields start looking for a size that fits.
const AUTO_SIZE_MAX: f64 = 12.0;
/// Smallest font size drawn (a fax still resolves 4 points).
const MIN_SIZE: f64 = 4.0;
/// Field flags (ISO 32000-1, tables 226 and 228).
const FF_MULTILINE: i64 = 1 << 12;
const FF_PASSWORD: i64 = 1 << 13;
const FF_COMB: i64 = 1 << 24;
/// The font resource name in the appearance streams.
const FONT_NAME: &[u8] = b"FaxprepSans";

/// A field value to draw and how.
struct Value {
    text: String,
    multiline: bool,
    /// /DA font size; 0 is automatic.
    size: f64,
    /// /Q: 0 left, 1 centred, 2 right.
    quadding: i64,
    /// /MaxLen of a comb field.
    comb: Option<usize>,
    /// The widget's /Rect, normalised (x0, y0, x1, y1).
    rect: [f64; 4],
    width: f64,
    height: f64,
}

/// How many widgets of `doc` have a value that only a viewer would draw.
pub(crate) fn count(doc: &Document) -> u32 {
    let form = Form::of(doc);
    let n = widgets(doc)
        .filter(|(_, w)| value(doc, w, &form).is_some())
        .count();
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Write an appearance stream for every widget [`count`] counts; `true`
/// when any was written.
pub(crate) fn draw(doc: &mut Document) -> bool {
    let Ok(face) = Face::parse(dejavu::sans::regular(), 0) else {
        return false;
    };
    let form = Form::of(doc);
    let todo: Vec<(ObjectId, Value)> = widgets(doc)
        .filter_map(|(id, w)| value(doc, w, &form).map(|v| (id, v)))
        .collect();
    if todo.is_empty() {
        return false;
    }
    let font_id = doc.new_object_id();
    let mut used = BTreeSet::new();
    for (id, mut v) in todo {
        let content = appearance(&face, &mut v, &mut used);
        let stream = Stream::new(
            dictionary! {
                "Type" => "XObject",
                "Subtype" => "Form",
                "BBox" => vec![0.into(), 0.into(), real(v.width), real(v.height)],
                "Resources" => dictionary! {
                    "Font" => Dictionary::from_iter([(FONT_NAME.to_vec(), Object::Reference(font_id))]),
                },
            },
            content,
        );
        let ap = doc.add_object(stream);
        if let Some(Object::Dictionary(w)) = doc.objects.get_mut(&id) {
            w.set("AP", dictionary! { "N" => ap });
            // Grown to hold one line at its font size (see `appearance`).
            let [x0, y0, x1, y1] = v.rect;
            let grow = (v.height - (y1 - y0)) / 2.0;
            if grow > 0.0 {
                w.set(
                    "Rect",
                    vec![real(x0), real(y0 - grow), real(x1), real(y1 + grow)],
                );
            }
        }
    }
    add_font(doc, font_id, &face, &used);
    // The appearances are built now (widgets beyond MAX_WIDGETS stay
    // without, as a viewer-less renderer would leave them anyway).
    if let Some(form) = acro_form_mut(doc) {
        form.set("NeedAppearances", false);
    }
    true
}

/// The interactive form dictionary, to change it: an object of its own or
/// inside the catalog.
fn acro_form_mut(doc: &mut Document) -> Option<&mut Dictionary> {
    let mut root = doc.trailer.get(b"Root").ok()?.as_reference().ok()?;
    let form = match doc
        .objects
        .get(&root)?
        .as_dict()
        .ok()?
        .get(b"AcroForm")
        .ok()?
    {
        Object::Reference(id) => Some(*id),
        _ => None,
    };
    if let Some(id) = form {
        root = id;
    }
    let dict = doc.objects.get_mut(&root)?.as_dict_mut().ok()?;
    if form.is_some() {
        Some(dict)
    } else {
        dict.get_mut(b"AcroForm").ok()?.as_dict_mut().ok()
    }
}

/// The widget annotations that are objects of their own.
fn widgets(doc: &Document) -> impl Iterator<Item = (ObjectId, &Dictionary)> {
    doc.objects
        .iter()
        .filter_map(|(id, o)| match o {
            Object::Dictionary(d)
                if d.get(b"Subtype").and_then(Object::as_name).ok() == Some(b"Widget") =>
            {
                Some((*id, d))
            }
            _ => None,
        })
        .take(MAX_WIDGETS)
}

/// The interactive form dictionary.
fn acro_form(doc: &Document) -> Option<&Dictionary> {
    let root = resolve(doc, doc.trailer.get(b"Root").ok()?)?
        .as_dict()
        .ok()?;
    resolve(doc, root.get(b"AcroForm").ok()?)?.as_dict().ok()
}

/// The interactive form dictionary, looked up once for all widgets, and
/// whether it asks the viewer to draw the values (/NeedAppearances).
struct Form<'a> {
    dict: Option<&'a Dictionary>,
    need: bool,
}

impl<'a> Form<'a> {
    fn of(doc: &'a Document) -> Form<'a> {
        let dict = acro_form(doc);
        let need = dict
            .and_then(|f| f.get(b"NeedAppearances").ok())
            .and_then(|o| resolve(doc, o))
            .and_then(|o| o.as_bool().ok())
            .unwrap_or(false);
        Form { dict, need }
    }

    /// A default the form dictionary gives its fields (/DA, /Q).
    fn default(&self, key: &[u8]) -> Option<&'a Object> {
        self.dict?.get(key).ok()
    }
}

/// A field attribute of `widget`, its own or inherited from its parents
/// (a widget is often the kid of the field that holds the value).
fn inherited<'a>(doc: &'a Document, widget: &'a Dictionary, key: &[u8]) -> Option<&'a Object> {
    let mut dict = widget;
    for _ in 0..MAX_PARENTS {
        if let Ok(v) = dict.get(key) {
            return resolve(doc, v);
        }
        dict = resolve(doc, dict.get(b"Parent").ok()?)?.as_dict().ok()?;
    }
    None
}

/// The value of `widget` to draw, if it is a text or choice field whose
/// value the viewer is asked to draw (/NeedAppearances) or has nothing to
/// show it with.
fn value(doc: &Document, widget: &Dictionary, form: &Form<'_>) -> Option<Value> {
    let has_appearance = widget
        .get(b"AP")
        .ok()
        .and_then(|o| resolve(doc, o))
        .and_then(|o| o.as_dict().ok())
        .is_some_and(|ap| ap.has(b"N"));
    if has_appearance && !form.need {
        return None;
    }
    let kind = inherited(doc, widget, b"FT")?.as_name().ok()?;
    let flags = inherited(doc, widget, b"Ff")
        .and_then(|o| o.as_i64().ok())
        .unwrap_or(0);
    if flags & FF_PASSWORD != 0 {
        return None;
    }
    let v = inherited(doc, widget, b"V")?;
    let text = match kind {
        b"Tx" => text_of(v.as_str().ok()?),
        b"Ch" => choice_text(doc, widget, v),
        _ => return None,
    };
    if text.trim().is_empty() {
        return None;
    }
    let rect: Vec<f64> = resolve(doc, widget.get(b"Rect").ok()?)?
        .as_array()
        .ok()?
        .iter()
        .filter_map(|o| number(doc, o))
        .collect();
    let [x0, y0, x1, y1] = rect[..] else {
        return None;
    };
    let (width, height) = ((x1 - x0).abs(), (y1 - y0).abs());
    if !(width > 2.0 * PADDING && height > 2.0 && width <= MAX_SIDE && height <= MAX_SIDE) {
        return None;
    }
    let da = inherited(doc, widget, b"DA")
        .or_else(|| form.default(b"DA"))
        .and_then(|o| resolve(doc, o)?.as_str().ok())
        .unwrap_or(b"");
    let quadding = inherited(doc, widget, b"Q")
        .or_else(|| form.default(b"Q"))
        .and_then(|o| resolve(doc, o)?.as_i64().ok())
        .unwrap_or(0);
    let multiline = kind == b"Tx" && flags & FF_MULTILINE != 0;
    let comb = inherited(doc, widget, b"MaxLen")
        .and_then(|o| o.as_i64().ok())
        .filter(|&n| kind == b"Tx" && flags & FF_COMB != 0 && !multiline && (1..=1000).contains(&n))
        .map(|n| n as usize);
    Some(Value {
        text,
        multiline,
        size: font_size(da),
        quadding,
        comb,
        rect: [x0.min(x1), y0.min(y1), x0.max(x1), y0.max(y1)],
        width,
        height,
    })
}

/// The text a choice field shows: its value, or the display text /Opt
/// pairs with it; several selected values one to a line.
fn choice_text(doc: &Document, widget: &Dictionary, v: &Object) -> String {
    let options = inherited(doc, widget, b"Opt").and_then(|o| o.as_array().ok());
    let display = |export: &[u8]| -> String {
        for opt in options.into_iter().flatten() {
            let pair = resolve(doc, opt).and_then(|o| o.as_array().ok());
            if let Some([e, d]) = pair.map(Vec::as_slice)
                && resolve(doc, e).and_then(|e| e.as_str().ok()) == Some(export)
                && let Some(d) = resolve(doc, d).and_then(|d| d.as_str().ok())
            {
                return text_of(d);
            }
        }
        text_of(export)
    };
    match v {
        Object::String(s, _) => display(s),
        Object::Array(items) => items
            .iter()
            .take(64)
            .filter_map(|o| resolve(doc, o)?.as_str().ok())
            .map(display)
            .collect::<Vec<_>>()
            .join("\n"),
        _ => String::new(),
    }
}

/// The font size of a default appearance string (`/Helv 10 Tf 0 g`): the
/// number before `Tf`, 0 (automatic) when there is none.
fn font_size(da: &[u8]) -> f64 {
    let text = String::from_utf8_lossy(da);
    let tokens: Vec<&str> = text.split_ascii_whitespace().collect();
    tokens
        .iter()
        .rposition(|t| *t == "Tf")
        .and_then(|i| tokens.get(i.checked_sub(1)?)?.parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map_or(0.0, |s| s.min(200.0))
}

/// A PDF text string as text (7.9.2.2): UTF-16BE or UTF-8 after their byte
/// order marks (damaged units replaced), PDFDocEncoding otherwise (lopdf's
/// table; Latin-1 for a byte it leaves undefined); at most
/// [`MAX_VALUE_CHARS`].
fn text_of(bytes: &[u8]) -> String {
    let text = if let Some(rest) = bytes.strip_prefix(&[0xfe, 0xff]) {
        let units = rest
            .chunks_exact(2)
            .map(|p| u16::from_be_bytes([p[0], p[1]]));
        char::decode_utf16(units)
            .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
            .take(MAX_VALUE_CHARS)
            .collect()
    } else if let Some(rest) = bytes.strip_prefix(&[0xef, 0xbb, 0xbf]) {
        String::from_utf8_lossy(rest).into_owned()
    } else {
        let bytes = &bytes[..bytes.len().min(MAX_VALUE_CHARS)];
        lopdf::decode_text_string(&Object::string_literal(bytes))
            .unwrap_or_else(|_| bytes.iter().map(|&b| char::from(b)).collect())
    };
    text.chars().take(MAX_VALUE_CHARS).collect()
}

/// The content stream that shows `v`; the glyphs it uses go to `used`.
///
/// The value is set by `faxprep-text`, as the cover is: NFC, DejaVu's
/// kerning, the replacement glyph for characters the font lacks, and
/// multi-line values broken at Unicode line-break opportunities (UAX #14).
/// The PDF shows each line with one `TJ` whose adjustments carry the
/// kerning and the spaces, so the renderer places every glyph where the
/// layout measured it.
fn appearance(face: &Face, v: &mut Value, used: &mut BTreeSet<u16>) -> Vec<u8> {
    let em = f64::from(face.units_per_em());
    let ascent = f64::from(face.ascender()) / em;
    let descent = f64::from(face.descender()) / em;
    let line_gap = ascent - descent + f64::from(face.line_gap()) / em;
    let avail_w = v.width - 2.0 * PADDING;
    // The /DA size (12 points for "automatic"), made smaller until the
    // value fits the widget. A viewer would clip a value that does not
    // fit; on paper all of it at a smaller size is what the sender meant.
    let start = if v.size > 0.0 { v.size } else { AUTO_SIZE_MAX };
    if v.size > 0.0 {
        // A field lower than one line of its font (LibreOffice writes 11
        // points into 7.75-point widgets): the widget grows about its
        // middle, up to twice its height, as viewers let such text spill
        // over the rectangle rather than print it at 6 points.
        let needed = if v.multiline {
            line_gap * v.size + 2.0 * PADDING
        } else {
            (ascent - descent) * v.size + 2.0
        };
        v.height = v.height.max(needed.min(2.0 * v.height));
    }
    let avail_h = v.height - 2.0 * PADDING;
    let by_height = (v.height - 2.0) / (ascent - descent);
    let text = Text::new(&v.text, FontStyle::Regular, v.multiline);
    let (lines, size) = if v.multiline {
        // At most 197 tries (200 points down to 4), each a pass over at
        // most MAX_VALUE_CHARS characters that stops at the lines that fit.
        let mut size = start.max(MIN_SIZE);
        loop {
            let fit = ((avail_h / (line_gap * size)).floor() as usize).max(1);
            let max = (avail_w / size) as f32;
            match text.wrap(max, fit) {
                Ok(lines) => break (lines, size),
                Err(lines) if size <= MIN_SIZE => break (text.truncate(lines, max, fit), size),
                Err(_) => size = (size - 1.0).max(MIN_SIZE),
            }
        }
    } else {
        let line = Line {
            start: 0,
            end: text.chars.len(),
            ellipsis: false,
        };
        let by_width = match v.comb {
            // One character a cell.
            Some(cells) => {
                let widest = text
                    .chars
                    .iter()
                    .map(|c| f64::from(c.advance - c.kern))
                    .fold(0.0, f64::max);
                v.width / cells as f64 / widest
            }
            None => avail_w / f64::from(text.line_width(line)),
        };
        // An empty line divides by 0: infinite, and then `min` keeps the
        // other bounds.
        let by_width = if by_width.is_nan() { start } else { by_width };
        (vec![line], start.min(by_height).min(by_width).max(MIN_SIZE))
    };

    let mut out = String::new();
    let _ = write!(
        out,
        "/Tx BMC\nq\n0 0 {} {} re W n\nBT\n/{} {} Tf\n0 g\n",
        num(v.width),
        num(v.height),
        String::from_utf8_lossy(FONT_NAME),
        num(size)
    );
    if let (Some(cells), false) = (v.comb, v.multiline) {
        let cell = v.width / cells as f64;
        let y = (v.height - (ascent - descent) * size) / 2.0 - descent * size;
        let shown = text.chars.iter().filter(|c| c.ink || c.space);
        for (i, c) in shown.take(cells).enumerate() {
            if c.ink {
                let w = f64::from(c.advance - c.kern) * size;
                let _ = writeln!(
                    out,
                    "1 0 0 1 {} {} Tm <{:04x}> Tj",
                    num(i as f64 * cell + (cell - w) / 2.0),
                    num(y),
                    c.glyph.0
                );
                used.insert(c.glyph.0);
            }
        }
    } else {
        let first = if v.multiline {
            v.height - PADDING - ascent * size
        } else {
            (v.height - (ascent - descent) * size) / 2.0 - descent * size
        };
        for (i, line) in lines.iter().enumerate() {
            let y = first - i as f64 * line_gap * size;
            if y + ascent * size < 0.0 {
                break;
            }
            let width = f64::from(text.line_width(*line)) * size;
            let x = match v.quadding {
                1 => (v.width - width) / 2.0,
                2 => v.width - PADDING - width,
                _ => PADDING,
            };
            let _ = write!(out, "1 0 0 1 {} {} Tm ", num(x), num(y));
            show_line(&mut out, &text, *line, used);
        }
    }
    out.push_str("ET\nQ\nEMC\n");
    out.into_bytes()
}

/// One line as a `TJ` array: runs of glyph ids, with the kerning and the
/// width of spaces and invisible characters as adjustments (thousandths
/// of an em, positive moves left), and the ellipsis when the line has one.
fn show_line(out: &mut String, text: &Text, line: Line, used: &mut BTreeSet<u16>) {
    out.push('[');
    let mut open = false;
    let mut adjust = 0.0f32;
    let mut glyph = |out: &mut String, g: u16, adjust: &mut f32, open: &mut bool| {
        if *adjust != 0.0 {
            if *open {
                out.push('>');
                *open = false;
            }
            let _ = write!(out, " {} ", num(f64::from(-*adjust * 1000.0)));
            *adjust = 0.0;
        }
        if !*open {
            out.push('<');
            *open = true;
        }
        let _ = write!(out, "{g:04x}");
        used.insert(g);
    };
    // The last character's kerning is with a character not on this line.
    let last = line.end.saturating_sub(1);
    for (k, c) in text.chars[line.start..line.end].iter().enumerate() {
        if c.ink {
            glyph(out, c.glyph.0, &mut adjust, &mut open);
            if line.start + k != last {
                adjust += c.kern;
            }
        } else {
            adjust += c.advance;
        }
    }
    if line.ellipsis {
        let f = face(FontStyle::Regular);
        glyph(out, f.ellipsis.0, &mut adjust, &mut open);
    }
    if open {
        out.push('>');
    }
    out.push_str("] TJ\n");
}

/// DejaVu Sans as a CID font addressed by glyph id (Identity-H with an
/// identity CID-to-glyph map), widths for the glyphs used.
fn add_font(doc: &mut Document, font_id: ObjectId, face: &Face, used: &BTreeSet<u16>) {
    let em = f64::from(face.units_per_em());
    let per_mille = |v: f64| real(v * 1000.0 / em);
    let program = dejavu::sans::regular();
    let file = doc.add_object(Stream::new(
        dictionary! { "Length1" => program.len() as i64 },
        program.to_vec(),
    ));
    let bbox = face.global_bounding_box();
    let descriptor = doc.add_object(dictionary! {
        "Type" => "FontDescriptor",
        "FontName" => "DejaVuSans",
        "Flags" => 32,
        "FontBBox" => vec![
            per_mille(f64::from(bbox.x_min)),
            per_mille(f64::from(bbox.y_min)),
            per_mille(f64::from(bbox.x_max)),
            per_mille(f64::from(bbox.y_max)),
        ],
        "ItalicAngle" => 0,
        "Ascent" => per_mille(f64::from(face.ascender())),
        "Descent" => per_mille(f64::from(face.descender())),
        "CapHeight" => per_mille(f64::from(face.capital_height().unwrap_or(face.ascender()))),
        "StemV" => 80,
        "FontFile2" => file,
    });
    let mut widths = Vec::with_capacity(used.len() * 2);
    for &g in used {
        let advance = f64::from(face.glyph_hor_advance(GlyphId(g)).unwrap_or(0));
        widths.push(Object::Integer(i64::from(g)));
        widths.push(Object::Array(vec![per_mille(advance)]));
    }
    let cid = doc.add_object(dictionary! {
        "Type" => "Font",
        "Subtype" => "CIDFontType2",
        "BaseFont" => "DejaVuSans",
        "CIDSystemInfo" => dictionary! {
            "Registry" => Object::String(b"Adobe".to_vec(), StringFormat::Literal),
            "Ordering" => Object::String(b"Identity".to_vec(), StringFormat::Literal),
            "Supplement" => 0,
        },
        "FontDescriptor" => descriptor,
        "CIDToGIDMap" => "Identity",
        "DW" => 1000,
        "W" => widths,
    });
    doc.objects.insert(
        font_id,
        Object::Dictionary(dictionary! {
            "Type" => "Font",
            "Subtype" => "Type0",
            "BaseFont" => "DejaVuSans",
            "Encoding" => "Identity-H",
            "DescendantFonts" => vec![Object::Reference(cid)],
        }),
    );
}

fn real(v: f64) -> Object {
    Object::Real(v as f32)
}

/// A number for a content stream: at most 3 decimals, no exponent.
fn num(v: f64) -> String {
    let s = format!("{v:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_owned()
    } else {
        s.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_strings_decode() {
        assert_eq!(text_of(b"\xfe\xff\x00A\x00l\x00i\x00c\x00e"), "Alice");
        assert_eq!(text_of("\u{feff}Zoë".as_bytes()), "Zoë");
        assert_eq!(text_of(b"Caf\xe9 \x80 \xa0"), "Café • €");
        assert_eq!(text_of(&[b'x'; 10_000]).len(), MAX_VALUE_CHARS);
    }

    #[test]
    fn font_size_is_the_number_before_tf() {
        assert_eq!(font_size(b"/Helv 10 Tf 0 g"), 10.0);
        assert_eq!(font_size(b"0.298 0.298 0.298 rg /F3 11 Tf"), 11.0);
        assert_eq!(font_size(b"/Helv 0 Tf"), 0.0);
        assert_eq!(font_size(b"Tf"), 0.0);
        assert_eq!(font_size(b"/F1 1e9 Tf"), 200.0);
        assert_eq!(font_size(b"/F1 -3 Tf"), 0.0);
        assert_eq!(font_size(b""), 0.0);
    }

    #[test]
    fn lines_are_shown_with_kerning_and_spaces_as_adjustments() {
        let text = Text::new("AV b", FontStyle::Regular, false);
        let mut out = String::new();
        let mut used = BTreeSet::new();
        let line = Line {
            start: 0,
            end: text.chars.len(),
            ellipsis: true,
        };
        show_line(&mut out, &text, line, &mut used);
        let f = face(FontStyle::Regular);
        let g = |c: char| f.glyph(c).unwrap().0;
        let kern = text.chars[0].kern;
        assert!(kern < 0.0, "DejaVu kerns A and V");
        let space = text.chars[2].advance;
        let expected = format!(
            "[<{:04x}> {} <{:04x}> {} <{:04x}{:04x}>] TJ\n",
            g('A'),
            num(f64::from(-kern * 1000.0)),
            g('V'),
            num(f64::from(-space * 1000.0)),
            g('b'),
            f.ellipsis.0,
        );
        assert_eq!(out, expected);
        assert_eq!(used.len(), 4);
    }

    #[test]
    fn numbers_are_plain() {
        assert_eq!(num(2.0), "2");
        assert_eq!(num(12.3456), "12.346");
        assert_eq!(num(-0.0001), "0");
        assert_eq!(num(1e7), "10000000");
    }
}

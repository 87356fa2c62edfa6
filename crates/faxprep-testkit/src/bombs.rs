//! PDFs that are small on disk and huge to render, built at test time
//! (issue 16): each is a few kilobytes to a few hundred, so none is
//! committed.

use flate2::{Compression, write::ZlibEncoder};
use lopdf::{Dictionary, Document, Object, ObjectId, Stream, dictionary};
use std::io::Write;

fn letter_page(
    doc: &mut Document,
    pages_id: ObjectId,
    contents: Object,
    res: Dictionary,
) -> Object {
    let page = dictionary! {
        "Type" => "Page",
        "Parent" => pages_id,
        "MediaBox" => vec![0.into(), 0.into(), 612.into(), 792.into()],
        "Contents" => contents,
        "Resources" => res,
    };
    Object::Reference(doc.add_object(page))
}

fn deflated(chunk: &[u8], times: usize) -> Vec<u8> {
    let mut e = ZlibEncoder::new(Vec::new(), Compression::best());
    for _ in 0..times {
        e.write_all(chunk).expect("deflate in memory");
    }
    e.finish().expect("deflate in memory")
}

/// `pages` Letter pages that all share one Flate content stream of
/// `content_mib` MiB (blank lines: it draws nothing), and an unused
/// uncompressed stream of `padding_kib` KiB, so that the upload is large
/// enough for the once-per-object decompression ratio to pass.
pub fn shared_content(pages: usize, content_mib: usize, padding_kib: usize) -> Vec<u8> {
    let mut doc = Document::with_version("1.7");
    let pages_id = doc.new_object_id();
    let line = [b'\n'; 1024];
    let mut content = Stream::new(dictionary! {}, deflated(&line, content_mib * 1024));
    content.dict.set("Filter", "FlateDecode");
    let content_id = doc.add_object(content);
    // Bytes that do not compress (a linear congruential sequence).
    let mut x: u32 = 1;
    let noise: Vec<u8> = (0..padding_kib * 1024)
        .map(|_| {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            (x >> 16) as u8
        })
        .collect();
    doc.add_object(Stream::new(dictionary! {}, noise));
    let kids = (0..pages)
        .map(|_| letter_page(&mut doc, pages_id, content_id.into(), dictionary! {}))
        .collect();
    crate::finish_pdf(doc, pages_id, kids)
}

/// A page that paints form 0 once; form `i` paints form `i + 1`
/// `fan_out` times, and form `levels` draws a line: the line is drawn
/// `fan_out ^ levels` times.
pub fn xobject_fan_out(fan_out: usize, levels: usize) -> Vec<u8> {
    let mut doc = Document::with_version("1.7");
    let pages_id = doc.new_object_id();
    let mut next: Option<ObjectId> = None;
    for _ in 0..=levels {
        let (content, res) = match next {
            None => (b"0 0 m 10 10 l S".to_vec(), dictionary! {}),
            Some(child) => (
                b"/X Do ".repeat(fan_out),
                dictionary! { "XObject" => dictionary! { "X" => child } },
            ),
        };
        let form = Stream::new(
            dictionary! {
                "Type" => "XObject", "Subtype" => "Form",
                "BBox" => vec![0.into(), 0.into(), 612.into(), 792.into()],
                "Resources" => res,
            },
            content,
        );
        next = Some(doc.add_object(form));
    }
    let top = next.expect("at least one form");
    let content = doc.add_object(Stream::new(dictionary! {}, b"/X Do".to_vec()));
    let res = dictionary! { "XObject" => dictionary! { "X" => top } };
    let kids = vec![letter_page(&mut doc, pages_id, content.into(), res)];
    crate::finish_pdf(doc, pages_id, kids)
}

/// A page whose one form paints itself (through its /Resources).
pub fn xobject_self_reference() -> Vec<u8> {
    let mut doc = Document::with_version("1.7");
    let pages_id = doc.new_object_id();
    let form_id = doc.new_object_id();
    let form = Stream::new(
        dictionary! {
            "Type" => "XObject", "Subtype" => "Form",
            "BBox" => vec![0.into(), 0.into(), 612.into(), 792.into()],
            "Resources" => dictionary! { "XObject" => dictionary! { "X" => form_id } },
        },
        b"0 0 m 10 10 l S /X Do".to_vec(),
    );
    doc.objects.insert(form_id, Object::Stream(form));
    let content = doc.add_object(Stream::new(dictionary! {}, b"/X Do".to_vec()));
    let res = dictionary! { "XObject" => dictionary! { "X" => form_id } };
    let kids = vec![letter_page(&mut doc, pages_id, content.into(), res)];
    crate::finish_pdf(doc, pages_id, kids)
}

/// A Letter page that paints `paints` times (`sh`) a function-based
/// shading (type 1) over the whole page whose PostScript calculator
/// function (type 4) runs `ops` operators per pixel (pairs of `dup pop`
/// after a gray value).
pub fn calculator_shading(ops: usize, paints: usize) -> Vec<u8> {
    let mut doc = Document::with_version("1.7");
    let pages_id = doc.new_object_id();
    // Inputs x y; output one gray value: `pop pop 0.5`, then no-op pairs.
    let mut program = b"{ pop pop 0.5".to_vec();
    for _ in 0..ops.saturating_sub(3) / 2 {
        program.extend_from_slice(b" dup pop");
    }
    program.extend_from_slice(b" }");
    let function = doc.add_object(Stream::new(
        dictionary! {
            "FunctionType" => 4,
            "Domain" => vec![0.into(), 612.into(), 0.into(), 792.into()],
            "Range" => vec![0.into(), 1.into()],
        },
        program,
    ));
    let shading = doc.add_object(dictionary! {
        "ShadingType" => 1,
        "ColorSpace" => "DeviceGray",
        "Domain" => vec![0.into(), 612.into(), 0.into(), 792.into()],
        "Function" => function,
    });
    let content = doc.add_object(Stream::new(dictionary! {}, b"/Sh0 sh ".repeat(paints)));
    let res = dictionary! { "Shading" => dictionary! { "Sh0" => shading } };
    let kids = vec![letter_page(&mut doc, pages_id, content.into(), res)];
    crate::finish_pdf(doc, pages_id, kids)
}

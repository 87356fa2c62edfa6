//! Oversized images scaled down before rendering.
//!
//! A renderer decodes an image XObject whole before it scales it to the
//! page: hayro 0.9 holds the 9000 x 9000 RGB image of the corpus'
//! `ocrmypdf-multipage.pdf` (243 MB decoded) in memory at once, and the
//! whole worker peaks at 325 MB for a picture that prints 1728 pixels
//! wide. Images that decode to more than the trigger are therefore
//! averaged down by a whole factor `k` (k x k boxes) until they decode to
//! at most the target, *streaming*: rows are inflated, un-predicted and
//! summed one at a time, so the full image never exists here either. The
//! rewritten PDF (lopdf writes it, as it writes faxprep's PDF output) is
//! what the renderer gets; the bytes of every other object are kept.
//!
//! Only the common case is rewritten, the one that needs no colour
//! knowledge: 8 bits per component, Flate alone, no predictor or a PNG
//! predictor, DeviceGray, DeviceRGB, DeviceCMYK or ICCBased colour, no
//! /Decode array, no masks (a soft mask has its own size and would have to
//! shrink with it). Anything else is left as it is, and so is an image
//! whose data turns out damaged: the renderer then does what it always
//! did. An encrypted document, opened with its password, is written
//! decrypted: it stays in memory, for the renderer beside it in the same
//! process (as `forms.rs` does).

use flate2::read::ZlibDecoder;
use flate2::write::ZlibEncoder;
use lopdf::{Dictionary, Document, Object, ObjectId, Stream};
use std::io::{Read, Write};

use super::pages::resolve;

/// Longest image row handled, in bytes (a 600 dpi RGB row of a 100 in
/// wide page is 180 000).
const MAX_ROW_BYTES: usize = 1 << 20;

/// How one image is rewritten.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Plan {
    width: usize,
    height: usize,
    /// Components per pixel (bytes, at 8 bits each).
    components: usize,
    /// Whether each row starts with a PNG filter-type byte.
    png: bool,
    /// The box side: `k` x `k` pixels become one.
    k: usize,
}

impl Plan {
    fn out_width(&self) -> usize {
        self.width.div_ceil(self.k)
    }

    fn out_height(&self) -> usize {
        self.height.div_ceil(self.k)
    }
}

/// Rewrite the images of `doc` that decode to more than `trigger` bytes so
/// that each decodes to at most `target`; `true` when any was rewritten.
pub(crate) fn shrink_images(doc: &mut Document, trigger: u64, target: u64) -> bool {
    if doc.is_encrypted() {
        // Not opened (load decrypts with the password or fails first).
        return false;
    }
    let plans: Vec<(ObjectId, Plan)> = doc
        .objects
        .iter()
        .filter_map(|(id, obj)| match obj {
            Object::Stream(s) => plan(doc, s, trigger, target).map(|p| (*id, p)),
            _ => None,
        })
        .collect();
    let mut changed = false;
    for (id, plan) in plans {
        let Some(Object::Stream(stream)) = doc.objects.get_mut(&id) else {
            continue;
        };
        let Some(pixels) = downscale(&stream.content, &plan) else {
            continue;
        };
        let mut encoder = ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
        if encoder.write_all(&pixels).is_err() {
            continue;
        }
        let Ok(content) = encoder.finish() else {
            continue;
        };
        let dict = &mut stream.dict;
        dict.set("Width", Object::Integer(plan.out_width() as i64));
        dict.set("Height", Object::Integer(plan.out_height() as i64));
        dict.set("Filter", Object::Name(b"FlateDecode".to_vec()));
        dict.remove(b"DecodeParms");
        stream.set_content(content);
        changed = true;
    }
    changed
}

/// The rewrite of stream `s`, when it is an image this module handles and
/// decodes to more than `trigger` bytes.
fn plan(doc: &Document, s: &Stream, trigger: u64, target: u64) -> Option<Plan> {
    let d = &s.dict;
    let name = |key: &[u8]| d.get(key).ok().and_then(|o| resolve(doc, o));
    let int = |key: &[u8]| match name(key) {
        Some(Object::Integer(i)) => usize::try_from(*i).ok(),
        _ => None,
    };
    if !matches!(name(b"Subtype"), Some(Object::Name(n)) if n == b"Image")
        || matches!(name(b"ImageMask"), Some(Object::Boolean(true)))
        || ["SMask", "Mask", "Decode", "SMaskInData"]
            .iter()
            .any(|k| d.has(k.as_bytes()))
        || int(b"BitsPerComponent") != Some(8)
    {
        return None;
    }
    let flate_only = match name(b"Filter") {
        Some(Object::Name(n)) => n == b"FlateDecode",
        Some(Object::Array(a)) => {
            a.len() == 1
                && matches!(resolve(doc, &a[0]), Some(Object::Name(n)) if n == b"FlateDecode")
        }
        _ => false,
    };
    let components = colour_components(doc, name(b"ColorSpace"))?;
    let (width, height) = (int(b"Width")?, int(b"Height")?);
    // Rows are held three at a time: a freak row length (a 1-pixel-tall
    // strip of 80 million pixels passes the image limits) is left alone.
    if !flate_only || width == 0 || height == 0 || width.checked_mul(components)? > MAX_ROW_BYTES {
        return None;
    }
    let png = match name(b"DecodeParms") {
        None | Some(Object::Null) => false,
        Some(Object::Dictionary(p)) => png_predictor(doc, p, width, components)?,
        Some(Object::Array(a)) if a.len() == 1 => match resolve(doc, &a[0]) {
            Some(Object::Dictionary(p)) => png_predictor(doc, p, width, components)?,
            Some(Object::Null) => false,
            _ => return None,
        },
        _ => return None,
    };
    let bytes = (width as u64)
        .checked_mul(height as u64)?
        .checked_mul(components as u64)?;
    if bytes <= trigger {
        return None;
    }
    // The smallest box that brings it under the target (a few steps: the
    // declared size passed intake's limits).
    let mut k = 2usize;
    while bytes / (k as u64 * k as u64) > target && k < width.max(height) {
        k += 1;
    }
    Some(Plan {
        width,
        height,
        components,
        png,
        k,
    })
}

/// Components of a colour space whose samples may be averaged: gray, RGB,
/// CMYK, ICC-based (whose /N says). Indexed, Separation, DeviceN, Lab and
/// patterns are not rewritten.
fn colour_components(doc: &Document, cs: Option<&Object>) -> Option<usize> {
    match cs? {
        Object::Name(n) => match n.as_slice() {
            b"DeviceGray" => Some(1),
            b"DeviceRGB" => Some(3),
            b"DeviceCMYK" => Some(4),
            _ => None,
        },
        Object::Array(a) => {
            let [family, profile] = a.as_slice() else {
                return None;
            };
            if !matches!(resolve(doc, family), Some(Object::Name(n)) if n == b"ICCBased") {
                return None;
            }
            let Some(Object::Stream(p)) = resolve(doc, profile) else {
                return None;
            };
            match p.dict.get(b"N").ok().and_then(|o| resolve(doc, o)) {
                Some(Object::Integer(n @ (1 | 3 | 4))) => Some(*n as usize),
                _ => None,
            }
        }
        _ => None,
    }
}

/// Whether the decode parameters ask for PNG prediction (`Some(true)`),
/// none (`Some(false)`), or something not handled (`None`: TIFF
/// prediction, or parameters that do not describe this image's rows).
fn png_predictor(doc: &Document, p: &Dictionary, width: usize, components: usize) -> Option<bool> {
    let int = |key: &[u8], default: i64| match p.get(key).ok().and_then(|o| resolve(doc, o)) {
        None => Some(default),
        Some(Object::Integer(i)) => Some(*i),
        Some(_) => None,
    };
    match int(b"Predictor", 1)? {
        1 => Some(false),
        10..=15 => {
            let rows_match = int(b"Colors", 1)? == components as i64
                && int(b"BitsPerComponent", 8)? == 8
                && int(b"Columns", 1)? == width as i64;
            rows_match.then_some(true)
        }
        _ => None,
    }
}

/// Inflate, un-predict and box-average the image data, a row at a time.
/// `None` when the data is damaged or short.
fn downscale(compressed: &[u8], plan: &Plan) -> Option<Vec<u8>> {
    let row_bytes = plan.width.checked_mul(plan.components)?;
    let out_row = plan.out_width() * plan.components;
    let mut out = Vec::with_capacity(out_row.checked_mul(plan.out_height())?);
    let mut sums = vec![0u32; out_row];
    let mut rows_in_box = 0usize;
    let mut raw = vec![0u8; row_bytes + usize::from(plan.png)];
    let mut prev = vec![0u8; row_bytes];
    let mut cur = vec![0u8; row_bytes];
    let mut reader = ZlibDecoder::new(compressed);
    for _ in 0..plan.height {
        reader.read_exact(&mut raw).ok()?;
        if plan.png {
            unfilter(raw[0], &raw[1..], &prev, plan.components, &mut cur)?;
        } else {
            cur.copy_from_slice(&raw);
        }
        for (x, px) in cur.chunks_exact(plan.components).enumerate() {
            let base = (x / plan.k) * plan.components;
            for (s, &v) in sums[base..base + plan.components].iter_mut().zip(px) {
                *s += u32::from(v);
            }
        }
        std::mem::swap(&mut prev, &mut cur);
        rows_in_box += 1;
        if rows_in_box == plan.k {
            flush(&mut sums, rows_in_box, plan, &mut out);
            rows_in_box = 0;
        }
    }
    if rows_in_box > 0 {
        flush(&mut sums, rows_in_box, plan, &mut out);
    }
    Some(out)
}

/// Append the averages of one row of boxes (`rows` image rows deep) and
/// clear the sums.
fn flush(sums: &mut [u32], rows: usize, plan: &Plan, out: &mut Vec<u8>) {
    for (i, s) in sums.iter_mut().enumerate() {
        let x0 = (i / plan.components) * plan.k;
        let cols = (plan.width - x0).min(plan.k);
        let n = (cols * rows) as u32;
        out.push(((*s + n / 2) / n) as u8);
        *s = 0;
    }
}

/// Undo one row's PNG filter (RFC 2083 §6): `bpp` bytes per pixel.
fn unfilter(kind: u8, row: &[u8], prev: &[u8], bpp: usize, out: &mut [u8]) -> Option<()> {
    for i in 0..row.len() {
        let a = if i >= bpp { out[i - bpp] } else { 0 };
        let b = prev[i];
        let c = if i >= bpp { prev[i - bpp] } else { 0 };
        let predicted = match kind {
            0 => 0,
            1 => a,
            2 => b,
            3 => ((u16::from(a) + u16::from(b)) / 2) as u8,
            4 => paeth(a, b, c),
            _ => return None,
        };
        out[i] = row[i].wrapping_add(predicted);
    }
    Some(())
}

fn paeth(a: u8, b: u8, c: u8) -> u8 {
    let p = i16::from(a) + i16::from(b) - i16::from(c);
    let (pa, pb, pc) = (
        (p - i16::from(a)).abs(),
        (p - i16::from(b)).abs(),
        (p - i16::from(c)).abs(),
    );
    if pa <= pb && pa <= pc {
        a
    } else if pb <= pc {
        b
    } else {
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lopdf::dictionary;

    fn png_filter(kind: u8, row: &[u8], prev: &[u8], bpp: usize) -> Vec<u8> {
        let mut out = vec![kind];
        for i in 0..row.len() {
            let a = if i >= bpp { row[i - bpp] } else { 0 };
            let b = prev[i];
            let c = if i >= bpp { prev[i - bpp] } else { 0 };
            let p = match kind {
                0 => 0,
                1 => a,
                2 => b,
                3 => ((u16::from(a) + u16::from(b)) / 2) as u8,
                _ => paeth(a, b, c),
            };
            out.push(row[i].wrapping_sub(p));
        }
        out
    }

    /// The plan for one image stream with these dictionary entries (Width,
    /// Height, BitsPerComponent 8 and FlateDecode unless given), in a
    /// document that also holds an ICC profile stream with N = 3 as
    /// object (1, 0).
    fn plan_for(entries: Vec<(&str, Object)>, trigger: u64, target: u64) -> Option<Plan> {
        let mut doc = Document::with_version("1.7");
        let icc = doc.add_object(Stream::new(dictionary! { "N" => 3 }, vec![0; 16]));
        assert_eq!(icc, (1, 0));
        let mut dict = dictionary! {
            "Subtype" => "Image",
            "Width" => 5000,
            "Height" => 5000,
            "BitsPerComponent" => 8,
            "Filter" => "FlateDecode",
            "ColorSpace" => "DeviceRGB",
        };
        for (k, v) in entries {
            dict.set(k, v);
        }
        plan(&doc, &Stream::new(dict, Vec::new()), trigger, target)
    }

    #[test]
    fn what_is_planned_and_what_is_left_alone() {
        const MIB: u64 = 1 << 20;
        let k = |p: Option<Plan>| p.map(|p| p.k);
        // 75 MB RGB: 2 x 2 boxes bring it under 32 MiB; 243 MB needs 3.
        assert_eq!(k(plan_for(vec![], 64 * MIB, 32 * MIB)), Some(2));
        let big = vec![
            ("Width", Object::Integer(9000)),
            ("Height", Object::Integer(9000)),
        ];
        assert_eq!(k(plan_for(big, 64 * MIB, 32 * MIB)), Some(3));
        assert_eq!(
            plan_for(vec![], 80 * MIB, 32 * MIB),
            None,
            "under the trigger"
        );
        // ICC colour takes its component count from the profile.
        let icc = Object::Array(vec![Object::Name(b"ICCBased".to_vec()), (1, 0).into()]);
        let p = plan_for(vec![("ColorSpace", icc)], 0, MIB).unwrap();
        assert_eq!((p.components, p.png), (3, false));
        // PNG prediction that describes the rows is undone.
        let png = |columns: i64, predictor: i64| {
            let parms = dictionary! {
                "Predictor" => predictor, "Colors" => 3, "Columns" => columns,
            };
            plan_for(vec![("DecodeParms", Object::Dictionary(parms))], 0, MIB)
        };
        assert!(png(5000, 12).unwrap().png);
        assert_eq!(png(4999, 12), None, "rows of another width");
        assert_eq!(png(5000, 2), None, "TIFF prediction");
        // Samples that cannot be averaged, or that are not 8-bit Flate.
        let indexed = Object::Array(vec![
            Object::Name(b"Indexed".to_vec()),
            Object::Name(b"DeviceRGB".to_vec()),
            Object::Integer(1),
            Object::String(vec![0; 6], lopdf::StringFormat::Hexadecimal),
        ]);
        for entries in [
            vec![("ColorSpace", indexed)],
            vec![("BitsPerComponent", Object::Integer(1))],
            vec![("Filter", Object::Name(b"DCTDecode".to_vec()))],
            vec![("ImageMask", Object::Boolean(true))],
        ] {
            assert_eq!(plan_for(entries, 0, MIB), None);
        }
        // A row longer than MAX_ROW_BYTES (a 1-pixel-tall strip).
        let strip = vec![
            ("Width", Object::Integer(MAX_ROW_BYTES as i64 / 3 + 1)),
            ("Height", Object::Integer(1)),
        ];
        assert_eq!(plan_for(strip, 0, 1), None);
    }

    #[test]
    fn every_png_filter_round_trips_and_boxes_average() {
        let (w, h, n) = (37usize, 23usize, 3usize);
        let pixel = |x: usize, y: usize, c: usize| ((x * 7 + y * 13 + c * 50) % 256) as u8;
        let mut filtered = Vec::new();
        let mut prev = vec![0u8; w * n];
        for y in 0..h {
            let row: Vec<u8> = (0..w * n).map(|i| pixel(i / n, y, i % n)).collect();
            filtered.extend(png_filter((y % 5) as u8, &row, &prev, n));
            prev = row;
        }
        let mut z = ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        z.write_all(&filtered).unwrap();
        let compressed = z.finish().unwrap();
        let plan = Plan {
            width: w,
            height: h,
            components: n,
            png: true,
            k: 4,
        };
        let out = downscale(&compressed, &plan).unwrap();
        assert_eq!(out.len(), 10 * 6 * n);
        for oy in 0..6 {
            for ox in 0..10 {
                for c in 0..n {
                    let (mut sum, mut count) = (0u32, 0u32);
                    for y in oy * 4..(oy * 4 + 4).min(h) {
                        for x in ox * 4..(ox * 4 + 4).min(w) {
                            sum += u32::from(pixel(x, y, c));
                            count += 1;
                        }
                    }
                    let want = ((sum + count / 2) / count) as u8;
                    assert_eq!(out[(oy * 10 + ox) * n + c], want, "box {ox},{oy} c{c}");
                }
            }
        }
        // Short data is damaged: the image is left alone.
        assert_eq!(downscale(&compressed[..compressed.len() / 2], &plan), None);
    }
}

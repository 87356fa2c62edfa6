//! The decompression budget: what every stream of the document will
//! decode to, from declared image sizes, codec headers and bounded test
//! inflation, checked before any renderer sees the file.
//!
//! All objects are checked, referenced or not (a renderer may reach an
//! object through a damaged xref that preflight cannot see). Not checked:
//! inline images (`BI ... ID ... EI` inside content streams), whose bytes
//! are part of the content stream already counted here.

use super::codecs;
use super::pages::{number, resolve};
use crate::Result;
use crate::document::Warning;
use crate::error::{Error, LimitKind};
use crate::jpeg;
use crate::limits::{Limits, RATIO_FREE_BYTES, check_ratio};
use flate2::{Decompress, FlushDecompress, Status};
use lopdf::{Document, Object, ObjectId, Stream};
use std::collections::HashMap;

/// At most this many corrupt-stream warnings are kept.
const MAX_STREAM_WARNINGS: usize = 16;

/// Canonical filter names (ISO 32000-1 Table 6, abbreviations from Table
/// 94 for inline images, which some writers use for streams too).
fn canonical(name: &[u8]) -> &[u8] {
    match name {
        b"Fl" => b"FlateDecode",
        b"LZW" => b"LZWDecode",
        b"AHx" => b"ASCIIHexDecode",
        b"A85" => b"ASCII85Decode",
        b"RL" => b"RunLengthDecode",
        b"DCT" => b"DCTDecode",
        b"CCF" => b"CCITTFaxDecode",
        other => other,
    }
}

fn filters<'a>(doc: &'a Document, s: &'a Stream) -> Vec<&'a [u8]> {
    match s.dict.get(b"Filter").ok().and_then(|f| resolve(doc, f)) {
        Some(Object::Name(n)) => vec![canonical(n)],
        Some(Object::Array(a)) => a
            .iter()
            .filter_map(|o| match resolve(doc, o) {
                Some(Object::Name(n)) => Some(canonical(n)),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// Filters whose output size is not bounded by a declared image size.
fn is_general_filter(name: &[u8]) -> bool {
    matches!(
        name,
        b"FlateDecode" | b"LZWDecode" | b"ASCIIHexDecode" | b"ASCII85Decode" | b"RunLengthDecode"
    )
}

/// Components of an image colour space (§8.6); 4 (the most of any
/// process colour space) when it cannot be told, so estimates err high.
fn components(doc: &Document, cs: Option<&Object>) -> u64 {
    let Some(cs) = cs.and_then(|c| resolve(doc, c)) else {
        return 4;
    };
    let name_components = |n: &[u8]| match n {
        b"DeviceGray" | b"CalGray" | b"G" | b"Indexed" | b"I" | b"Separation" | b"Pattern" => {
            Some(1)
        }
        b"DeviceRGB" | b"CalRGB" | b"RGB" | b"Lab" => Some(3),
        b"DeviceCMYK" | b"CMYK" => Some(4),
        _ => None,
    };
    match cs {
        Object::Name(n) => name_components(n).unwrap_or(4),
        Object::Array(a) => {
            let family = a
                .first()
                .and_then(|f| resolve(doc, f))
                .and_then(|f| f.as_name().ok())
                .unwrap_or_default();
            match family {
                b"ICCBased" => a
                    .get(1)
                    .and_then(|s| resolve(doc, s))
                    .and_then(|s| s.as_stream().ok())
                    .and_then(|s| s.dict.get(b"N").ok())
                    .and_then(|n| number(doc, n))
                    .filter(|n| (1.0..=32.0).contains(n))
                    .map_or(4, |n| n as u64),
                b"DeviceN" | b"NChannel" => a
                    .get(1)
                    .and_then(|s| resolve(doc, s))
                    .and_then(|s| s.as_array().ok())
                    .map_or(4, |names| (names.len() as u64).clamp(1, 32)),
                other => name_components(other).unwrap_or(4),
            }
        }
        _ => 4,
    }
}

/// Decoded bytes an image XObject declares, after checking its pixels.
fn image_declared_bytes(doc: &Document, s: &Stream, limits: &Limits) -> Result<u64> {
    let get = |k: &[u8]| s.dict.get(k).ok().and_then(|o| number(doc, o));
    let width = get(b"Width").unwrap_or(0.0).max(0.0) as u64;
    let height = get(b"Height").unwrap_or(0.0).max(0.0) as u64;
    check_pixels(width.saturating_mul(height), limits)?;
    let is_mask = matches!(
        s.dict.get(b"ImageMask").ok().and_then(|o| resolve(doc, o)),
        Some(Object::Boolean(true))
    );
    let (bpc, comps) = if is_mask {
        (1, 1)
    } else {
        let bpc = get(b"BitsPerComponent")
            .filter(|b| (1.0..=16.0).contains(b))
            .unwrap_or(8.0) as u64;
        (bpc, components(doc, s.dict.get(b"ColorSpace").ok()))
    };
    // Rows are padded to whole bytes (§8.9.3).
    let row = width.saturating_mul(comps).saturating_mul(bpc).div_ceil(8);
    Ok(row.saturating_mul(height))
}

fn check_pixels(pixels: u64, limits: &Limits) -> Result<()> {
    if pixels > limits.max_image_pixels {
        return Err(Error::Limits {
            which: LimitKind::ImagePixels,
            limit: limits.max_image_pixels,
            actual: pixels,
        });
    }
    Ok(())
}

/// What a bounded test decode found.
enum Measured {
    /// Decoded completely (or as far as the data is valid) to this many bytes.
    Bytes(u64),
    /// Corrupt after this many bytes; renderers salvage the part before.
    Corrupt(u64),
    /// More than the cap.
    Over(u64),
}

/// Count what a zlib (or, failing that, raw deflate) stream inflates to,
/// stopping past `cap`, in a 64 KiB scratch buffer.
fn count_flate(data: &[u8], cap: u64, scratch: &mut [u8]) -> Measured {
    inflate(data, cap, scratch, &mut |_| {})
}

/// [`count_flate`], handing each inflated chunk to `sink`.
fn inflate(data: &[u8], cap: u64, scratch: &mut [u8], sink: &mut dyn FnMut(&[u8])) -> Measured {
    let first = inflate_with(data, cap, scratch, true, sink);
    match first {
        // Some writers omit the zlib header; readers then try raw deflate.
        Measured::Corrupt(0) => match inflate_with(data, cap, scratch, false, sink) {
            Measured::Corrupt(_) => Measured::Corrupt(0),
            other => other,
        },
        other => other,
    }
}

fn inflate_with(
    data: &[u8],
    cap: u64,
    scratch: &mut [u8],
    zlib: bool,
    sink: &mut dyn FnMut(&[u8]),
) -> Measured {
    let mut z = Decompress::new(zlib);
    let mut input = data;
    loop {
        let (before_in, before_out) = (z.total_in(), z.total_out());
        let status = match z.decompress(input, scratch, FlushDecompress::None) {
            Ok(s) => s,
            Err(_) => return Measured::Corrupt(z.total_out()),
        };
        input = &input[(z.total_in() - before_in) as usize..];
        let produced = (z.total_out() - before_out) as usize;
        sink(&scratch[..produced.min(scratch.len())]);
        if z.total_out() > cap {
            return Measured::Over(z.total_out());
        }
        if status == Status::StreamEnd {
            return Measured::Bytes(z.total_out());
        }
        if z.total_in() == before_in && z.total_out() == before_out {
            // Input ended without the end-of-stream marker: a truncated
            // stream, which renderers accept up to the cut.
            return Measured::Bytes(z.total_out());
        }
    }
}

/// Hand the decoded bytes of `s` (at most about `cap` of them) to `sink`,
/// in chunks: Flate streams through `scratch`, other filter chains decoded
/// by lopdf under the cap, unfiltered streams as they are. Streams whose
/// first filter is an image codec give nothing.
pub(crate) fn decode_into(
    doc: &Document,
    s: &Stream,
    cap: u64,
    scratch: &mut [u8],
    sink: &mut dyn FnMut(&[u8]),
) {
    let chain = filters(doc, s);
    match chain.first() {
        None => sink(
            &s.content[..s
                .content
                .len()
                .min(usize::try_from(cap).unwrap_or(usize::MAX))],
        ),
        Some(f) if is_general_filter(f) => {
            let general = chain.iter().take_while(|f| is_general_filter(f)).count();
            if general == 1 && *f == b"FlateDecode" {
                inflate(&s.content, cap, scratch, sink);
            } else if let Ok(v) = general_only(s, &chain)
                .decompressed_content_with_limit(usize::try_from(cap).unwrap_or(usize::MAX))
            {
                sink(&v);
            }
        }
        Some(_) => {}
    }
}

/// `s` with only its leading general filters, for lopdf to decode.
fn general_only(s: &Stream, chain: &[&[u8]]) -> Stream {
    let mut only_general = s.clone();
    let names: Vec<Object> = chain
        .iter()
        .take_while(|f| is_general_filter(f))
        .map(|n| Object::Name(n.to_vec()))
        .collect();
    only_general.dict.set("Filter", Object::Array(names));
    only_general.dict.remove(b"DecodeParms");
    only_general
}

/// Measure a stream whose first filter is a general one.
fn measure(s: &Stream, chain: &[&[u8]], cap: u64, scratch: &mut [u8]) -> Measured {
    let general: Vec<&&[u8]> = chain.iter().take_while(|f| is_general_filter(f)).collect();
    if general.len() == 1 && general[0] == b"FlateDecode" {
        return count_flate(&s.content, cap, scratch);
    }
    // Other chains (ASCII85 then Flate, LZW, double Flate...) are rare:
    // let lopdf decode them, bounded by the cap (it allocates up to it).
    let cap_usize = usize::try_from(cap).unwrap_or(usize::MAX);
    match general_only(s, chain).decompressed_content_with_limit(cap_usize) {
        Ok(v) => Measured::Bytes(v.len() as u64),
        Err(lopdf::Error::Decompress(lopdf::DecompressError::MemoryLimitExceeded { .. })) => {
            Measured::Over(cap.saturating_add(1))
        }
        Err(_) => Measured::Corrupt(0),
    }
}

/// Check one stream's decoded size, and the document's total with it.
fn check_budget(bytes: u64, total: u64, upload_len: u64, limits: &Limits) -> Result<()> {
    if bytes > limits.max_decompressed_bytes {
        return Err(Error::Limits {
            which: LimitKind::DecompressedBytes,
            limit: limits.max_decompressed_bytes,
            actual: bytes,
        });
    }
    let total = total.saturating_add(bytes);
    check_ratio(total, upload_len, limits)?;
    if total > limits.max_total_decompressed_bytes {
        return Err(Error::Limits {
            which: LimitKind::TotalDecompressedBytes,
            limit: limits.max_total_decompressed_bytes,
            actual: total,
        });
    }
    Ok(())
}

/// What [`check`] found: sizes to count uses with.
pub(crate) struct Budget {
    /// The largest declared size of one image, in bytes.
    pub(crate) largest_image: u64,
    /// What all streams decode to, each counted once.
    pub(crate) total: u64,
    /// What each stream decodes to (as counted in `total`).
    pub(crate) sizes: HashMap<ObjectId, u64>,
    /// Operators of each PostScript calculator (Type 4) function.
    pub(crate) calculators: HashMap<ObjectId, u64>,
}

/// Check every stream against the image and decompression limits, and
/// every PostScript calculator function against
/// [`Limits::max_calculator_ops`].
pub(crate) fn check(
    doc: &Document,
    upload_len: u64,
    limits: &Limits,
    warnings: &mut Vec<Warning>,
) -> Result<Budget> {
    let mut sizes = HashMap::new();
    let mut calculators = HashMap::new();
    let mut total: u64 = 0;
    let mut largest_image = 0u64;
    // The ratio allowance, as bytes; past it the check stops at once.
    let ratio_allowance = limits
        .max_decompression_ratio
        .saturating_mul(upload_len.max(1))
        .max(RATIO_FREE_BYTES);
    let mut scratch = vec![0u8; 64 * 1024];
    let mut corrupt_warnings = 0;
    for (id, obj) in &doc.objects {
        let Object::Stream(s) = obj else { continue };
        let kind = s.dict.get(b"Type").and_then(Object::as_name).ok();
        if matches!(kind, Some(b"ObjStm" | b"XRef")) {
            // Already decoded by the loader, under its own cap.
            continue;
        }
        let chain = filters(doc, s);
        let is_image = matches!(
            s.dict.get(b"Subtype").and_then(Object::as_name),
            Ok(b"Image")
        );
        let declared = if is_image {
            image_declared_bytes(doc, s, limits)?
        } else {
            0
        };
        largest_image = largest_image.max(declared);

        // The codec's own header, when the codec reads the raw data.
        match chain.first().copied() {
            Some(b"DCTDecode") => {
                if let Some(sof) = jpeg::sof(&s.content) {
                    check_pixels(u64::from(sof.width) * u64::from(sof.height), limits)?;
                }
            }
            Some(b"JBIG2Decode") => {
                check_pixels(codecs::jbig2_max_pixels(&s.content, 4096), limits)?
            }
            Some(b"JPXDecode") => {
                check_pixels(codecs::jpx_pixels(&s.content).unwrap_or(0), limits)?
            }
            _ => {}
        }

        // Declared sizes first: a bomb by declaration is rejected before
        // any inflation work.
        check_budget(declared, total, upload_len, limits)?;
        let remaining = limits
            .max_total_decompressed_bytes
            .min(ratio_allowance)
            .saturating_sub(total);
        let cap = limits.max_decompressed_bytes.min(remaining);
        let measured = match chain.first() {
            Some(f) if is_general_filter(f) => match measure(s, &chain, cap, &mut scratch) {
                Measured::Bytes(n) => n,
                Measured::Corrupt(n) => {
                    if corrupt_warnings < MAX_STREAM_WARNINGS {
                        warnings.push(Warning::CorruptStream { object: id.0 });
                        corrupt_warnings += 1;
                    }
                    n
                }
                Measured::Over(n) => n,
            },
            Some(_) => 0,
            None => s.content.len() as u64,
        };
        let bytes = declared.max(measured);
        check_budget(bytes, total, upload_len, limits)?;
        total = total.saturating_add(bytes);
        sizes.insert(*id, bytes);

        if s.dict
            .get(b"FunctionType")
            .ok()
            .and_then(|t| number(doc, t))
            == Some(4.0)
        {
            let ops = calculator_ops(doc, s, bytes, &mut scratch);
            if ops > limits.max_calculator_ops {
                return Err(Error::Limits {
                    which: LimitKind::CalculatorOps,
                    limit: limits.max_calculator_ops,
                    actual: ops,
                });
            }
            calculators.insert(*id, ops);
        }
    }
    Ok(Budget {
        largest_image,
        total,
        sizes,
        calculators,
    })
}

/// Operators and operands of a PostScript calculator program (ISO
/// 32000-1 §7.10.5): every token but the braces, each of which the
/// function's evaluator executes at most once per evaluation (`if` and
/// `ifelse` only skip; there are no loops).
fn calculator_ops(doc: &Document, s: &Stream, decoded: u64, scratch: &mut [u8]) -> u64 {
    let mut ops = 0u64;
    let mut in_token = false;
    decode_into(doc, s, decoded, scratch, &mut |chunk| {
        for &b in chunk {
            let boundary = b.is_ascii_whitespace() || b == b'\0' || b == b'{' || b == b'}';
            if boundary {
                in_token = false;
            } else if !in_token {
                in_token = true;
                ops = ops.saturating_add(1);
            }
        }
    });
    ops
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::{Compression, write::ZlibEncoder};
    use std::io::Write;

    fn zlib(data: &[u8]) -> Vec<u8> {
        let mut e = ZlibEncoder::new(Vec::new(), Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn flate_counting_stops_at_cap() {
        let bomb = zlib(&vec![0u8; 4 << 20]);
        let mut scratch = vec![0; 64 * 1024];
        assert!(
            matches!(count_flate(&bomb, 1 << 20, &mut scratch), Measured::Over(n) if n > 1 << 20)
        );
        assert!(
            matches!(count_flate(&bomb, 8 << 20, &mut scratch), Measured::Bytes(n) if n == 4 << 20)
        );
        assert!(matches!(
            count_flate(&bomb[..bomb.len() / 2], 8 << 20, &mut scratch),
            Measured::Bytes(_)
        ));
        assert!(matches!(
            count_flate(b"garbage!", 8 << 20, &mut scratch),
            Measured::Corrupt(0)
        ));
    }

    #[test]
    fn double_flate_is_measured_through_both_layers() {
        let inner = zlib(&vec![0u8; 4 << 20]);
        let outer = zlib(&inner);
        let mut s = Stream::new(lopdf::Dictionary::new(), outer);
        s.dict.set(
            "Filter",
            Object::Array(vec!["FlateDecode".into(), "FlateDecode".into()]),
        );
        let chain: Vec<&[u8]> = vec![b"FlateDecode", b"FlateDecode"];
        let mut scratch = vec![0; 64 * 1024];
        assert!(matches!(
            measure(&s, &chain, 1 << 20, &mut scratch),
            Measured::Over(_)
        ));
        assert!(
            matches!(measure(&s, &chain, 8 << 20, &mut scratch), Measured::Bytes(n) if n == 4 << 20)
        );
    }
}

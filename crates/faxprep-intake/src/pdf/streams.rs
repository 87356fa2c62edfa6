//! The decompression budget: what every stream of the document will
//! decode to, from declared image sizes, codec headers and bounded test
//! inflation, checked before any renderer sees the file.
//!
//! All objects are checked, referenced or not (a renderer may reach an
//! object through a damaged xref that preflight cannot see). Not checked:
//! inline images (`BI ... ID ... EI` inside content streams), whose bytes
//! are part of the content stream already counted here.

use super::codecs;
use super::content::{Scan, Scanner};
use super::pages::{number, resolve};
use crate::Result;
use crate::document::Warning;
use crate::error::{Error, LimitKind};
use crate::jpeg;
use crate::limits::{Limits, RATIO_FREE_BYTES, check_ratio};
use flate2::{Decompress, FlushDecompress, Status};
use lopdf::{Document, Object, ObjectId, Stream};
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

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
            if flate_first(&chain) {
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

/// FlateDecode is the chain's only general filter (an image codec may
/// follow): [`measure`] and [`decode_into`] inflate such streams chunk by
/// chunk through the same [`inflate`].
fn flate_first(chain: &[&[u8]]) -> bool {
    chain.first() == Some(&b"FlateDecode".as_slice())
        && chain.get(1).is_none_or(|f| !is_general_filter(f))
}

/// Measure a stream whose first filter is a general one.
fn measure(s: &Stream, chain: &[&[u8]], cap: u64, scratch: &mut [u8]) -> Measured {
    if flate_first(chain) {
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
    /// Scans of content streams made while they were measured (the rest
    /// are scanned when `usage` first needs them).
    pub(crate) scans: HashMap<ObjectId, Scan>,
}

/// What a stream declares before it is decoded: an image's size from its
/// dictionary, and the pixels the codec's own header gives, both checked
/// against the image limits.
fn declared_bytes(doc: &Document, s: &Stream, chain: &[&[u8]], limits: &Limits) -> Result<u64> {
    let is_image = matches!(
        s.dict.get(b"Subtype").and_then(Object::as_name),
        Ok(b"Image")
    );
    let declared = if is_image {
        image_declared_bytes(doc, s, limits)?
    } else {
        0
    };
    // The codec's own header, when the codec reads the raw data.
    match chain.first().copied() {
        Some(b"DCTDecode") => {
            if let Some(sof) = jpeg::sof(&s.content) {
                check_pixels(u64::from(sof.width) * u64::from(sof.height), limits)?;
            }
        }
        Some(b"JBIG2Decode") => check_pixels(codecs::jbig2_max_pixels(&s.content, 4096), limits)?,
        Some(b"JPXDecode") => check_pixels(codecs::jpx_pixels(&s.content).unwrap_or(0), limits)?,
        _ => {}
    }
    Ok(declared)
}

/// What each of `streams` declares ([`declared_bytes`]), once for the
/// walk and for measuring ahead: headers only, no stream is decoded.
fn declared_by(doc: &Document, streams: &Streams<'_>, limits: &Limits) -> Vec<Result<u64>> {
    streams
        .iter()
        .map(|(_, s, chain)| declared_bytes(doc, s, chain, limits))
        .collect()
}

/// The streams [`check`] walks, in object order, with their filters.
type Streams<'a> = Vec<(ObjectId, &'a Stream, Vec<&'a [u8]>)>;

/// Every stream of `doc` but the object and xref streams, which the
/// loader decoded already under its own cap.
fn walked(doc: &Document) -> Streams<'_> {
    doc.objects
        .iter()
        .filter_map(|(id, obj)| {
            let Object::Stream(s) = obj else { return None };
            let kind = s.dict.get(b"Type").and_then(Object::as_name).ok();
            (!matches!(kind, Some(b"ObjStm" | b"XRef"))).then(|| (*id, s, filters(doc, s)))
        })
        .collect()
}

/// Check every stream against the image and decompression limits, and
/// every PostScript calculator function against
/// [`Limits::max_calculator_ops`]. The streams in `content` are scanned
/// for what they paint while they are inflated.
pub(crate) fn check(
    doc: &Document,
    content: &HashSet<ObjectId>,
    upload_len: u64,
    limits: &Limits,
    warnings: &mut Vec<Warning>,
) -> Result<Budget> {
    let threads = std::thread::available_parallelism()
        .map_or(1, std::num::NonZero::get)
        .min(AHEAD_THREADS);
    let ahead = Ahead {
        threads,
        min_bytes: AHEAD_MIN_BYTES,
    };
    check_on(doc, content, upload_len, limits, warnings, ahead)
}

/// [`check`], measuring ahead as `ahead` says.
fn check_on(
    doc: &Document,
    content: &HashSet<ObjectId>,
    upload_len: u64,
    limits: &Limits,
    warnings: &mut Vec<Warning>,
    ahead: Ahead,
) -> Result<Budget> {
    let streams = walked(doc);
    let mut sizes = HashMap::new();
    let mut calculators = HashMap::new();
    let mut scans = HashMap::new();
    let mut total: u64 = 0;
    let mut largest_image = 0u64;
    // The ratio allowance, as bytes; past it the check stops at once.
    let ratio_allowance = limits
        .max_decompression_ratio
        .saturating_mul(upload_len.max(1))
        .max(RATIO_FREE_BYTES);
    let allowance = limits.max_total_decompressed_bytes.min(ratio_allowance);
    let declared = declared_by(doc, &streams, limits);
    let mut ahead = measure_ahead(
        &streams, &declared, content, upload_len, limits, allowance, ahead,
    );
    let mut scratch = vec![0u8; SCRATCH_BYTES];
    let mut corrupt_warnings = 0;
    for ((id, s, chain), declared) in streams.iter().zip(&declared) {
        let declared = declared.clone()?;
        largest_image = largest_image.max(declared);
        // Declared sizes first: a bomb by declaration is rejected before
        // any inflation work.
        check_budget(declared, total, upload_len, limits)?;
        let cap = limits
            .max_decompressed_bytes
            .min(allowance.saturating_sub(total));
        // A stream measured ahead under a larger cap gives what measuring
        // it now would whenever it stayed within this cap.
        let early = ahead.remove(id).filter(|a| match a.measured {
            Measured::Bytes(n) | Measured::Corrupt(n) => n <= cap,
            Measured::Over(_) => false,
        });
        let early_measure = early.map(|a| {
            if let Some(scan) = a.scan {
                scans.insert(*id, scan);
            }
            a.measured
        });
        let measured = match chain.first() {
            Some(f) if is_general_filter(f) => {
                match early_measure.unwrap_or_else(|| measure(s, chain, cap, &mut scratch)) {
                    Measured::Bytes(n) => n,
                    Measured::Corrupt(n) => {
                        if corrupt_warnings < MAX_STREAM_WARNINGS {
                            warnings.push(Warning::CorruptStream { object: id.0 });
                            corrupt_warnings += 1;
                        }
                        n
                    }
                    Measured::Over(n) => n,
                }
            }
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
        scans,
    })
}

/// The scratch buffer streams are inflated through.
const SCRATCH_BYTES: usize = 64 * 1024;

/// Threads that measure streams ahead, at most (the calling one included).
const AHEAD_THREADS: usize = 4;

/// Compressed bytes of Flate streams below which measuring ahead costs
/// more in starting a thread than it saves.
const AHEAD_MIN_BYTES: u64 = 64 * 1024;

/// How [`check_on`] measures ahead: on this many threads (1: not at all),
/// when the Flate streams hold at least `min_bytes`.
#[derive(Clone, Copy)]
struct Ahead {
    threads: usize,
    min_bytes: u64,
}

/// One stream measured ahead: under the largest cap any stream gets, and
/// scanned if it is one of the content streams.
struct Early {
    measured: Measured,
    scan: Option<Scan>,
}

/// Inflate the Flate streams (and scan the content streams among them and
/// the unfiltered ones) on several threads before [`check`] walks them in
/// order, each under `min(max_decompressed_bytes, allowance)`, the largest
/// cap [`check`] gives any stream. The threads stop taking streams once
/// what they inflated passes `allowance`, so the work stays within about
/// twice the sequential walk's. Nothing is measured ahead when the
/// declared sizes alone break a limit: the walk then fails in order
/// without inflating what follows the stream that breaks it.
fn measure_ahead(
    streams: &Streams<'_>,
    declared: &[Result<u64>],
    content: &HashSet<ObjectId>,
    upload_len: u64,
    limits: &Limits,
    allowance: u64,
    ahead: Ahead,
) -> HashMap<ObjectId, Early> {
    let flate_bytes = streams
        .iter()
        .filter(|(_, _, chain)| flate_first(chain))
        .fold(0u64, |n, (_, s, _)| {
            n.saturating_add(s.content.len() as u64)
        });
    if ahead.threads < 2 || flate_bytes < ahead.min_bytes {
        return HashMap::new();
    }
    let mut declared_total = 0u64;
    for declared in declared {
        let &Ok(declared) = declared else {
            return HashMap::new();
        };
        if check_budget(declared, declared_total, upload_len, limits).is_err() {
            return HashMap::new();
        }
        declared_total = declared_total.saturating_add(declared);
    }
    let cap = limits.max_decompressed_bytes.min(allowance);
    let next = AtomicUsize::new(0);
    let spent = AtomicU64::new(0);
    let work = || {
        let mut scratch = vec![0u8; SCRATCH_BYTES];
        let mut out = Vec::new();
        while spent.load(Ordering::Relaxed) <= allowance {
            let Some((id, s, chain)) = streams.get(next.fetch_add(1, Ordering::Relaxed)) else {
                break;
            };
            let mut scanner = content.contains(id).then(Scanner::new);
            let measured = if flate_first(chain) {
                inflate(&s.content, cap, &mut scratch, &mut |chunk| {
                    if let Some(scanner) = &mut scanner {
                        scanner.feed(chunk);
                    }
                })
            } else if let (true, Some(scanner)) = (chain.is_empty(), &mut scanner) {
                scanner.feed(&s.content);
                Measured::Bytes(s.content.len() as u64)
            } else {
                continue;
            };
            let (Measured::Bytes(n) | Measured::Corrupt(n) | Measured::Over(n)) = measured;
            spent.fetch_add(n, Ordering::Relaxed);
            out.push((
                *id,
                Early {
                    measured,
                    scan: scanner.map(Scanner::finish),
                },
            ));
        }
        out
    };
    std::thread::scope(|scope| {
        // A thread that cannot be started leaves its share to the others.
        let helpers: Vec<_> = (1..ahead.threads)
            .filter_map(|_| {
                std::thread::Builder::new()
                    .name("faxprep-measure".into())
                    .spawn_scoped(scope, work)
                    .ok()
            })
            .collect();
        let mut all: HashMap<ObjectId, Early> = work().into_iter().collect();
        for helper in helpers {
            match helper.join() {
                Ok(part) => all.extend(part),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        all
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

    /// A content stream painting `names` (`/Name Do`), `n` times each,
    /// padded with text operators to about `len` bytes.
    fn content(names: &[&str], n: usize, len: usize) -> Vec<u8> {
        let mut c = Vec::new();
        for _ in 0..n {
            for name in names {
                c.extend_from_slice(format!("q /{name} Do Q\n").as_bytes());
            }
        }
        let mut i = 0u32;
        while c.len() < len {
            // Varied text, so the stream does not compress to nothing.
            i = i.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            c.extend_from_slice(format!("BT ({i:x}) Tj ET\n").as_bytes());
        }
        c
    }

    /// A document whose streams take every path of the walk: Flate content
    /// streams large and small, an unfiltered one, a form, an image with
    /// a declared size, a corrupt and a truncated Flate stream, a chain
    /// lopdf decodes and a calculator function. Returns it with the
    /// content streams (the ones `usage` would scan).
    fn mixed_document() -> (Document, HashSet<ObjectId>) {
        let mut doc = Document::with_version("1.7");
        let mut content_ids = HashSet::new();
        let flate = |dict: lopdf::Dictionary, data: &[u8]| {
            let mut s = Stream::new(dict, zlib(data));
            s.dict.set("Filter", "FlateDecode");
            s
        };
        for (i, len) in [200_000, 30_000, 1_000, 90_000, 5].into_iter().enumerate() {
            let data = content(&["Fm0", "Im0"], i + 1, len);
            content_ids.insert(doc.add_object(flate(lopdf::Dictionary::new(), &data)));
        }
        let raw = content(&["Fm0"], 4, 3_000);
        content_ids.insert(doc.add_object(Stream::new(lopdf::Dictionary::new(), raw)));
        let mut form = lopdf::Dictionary::new();
        form.set("Subtype", "Form");
        content_ids.insert(doc.add_object(flate(form, &content(&["Im0"], 7, 50_000))));
        let mut image = lopdf::Dictionary::new();
        image.set("Subtype", "Image");
        image.set("Width", 300);
        image.set("Height", 200);
        image.set("BitsPerComponent", 8);
        image.set("ColorSpace", "DeviceRGB");
        doc.add_object(flate(image, &vec![7u8; 300 * 200 * 3]));
        let mut corrupt = Stream::new(lopdf::Dictionary::new(), b"not zlib at all".to_vec());
        corrupt.dict.set("Filter", "FlateDecode");
        content_ids.insert(doc.add_object(corrupt));
        let whole = zlib(&content(&["Fm0"], 2, 40_000));
        let mut cut = Stream::new(lopdf::Dictionary::new(), whole[..whole.len() / 2].to_vec());
        cut.dict.set("Filter", "FlateDecode");
        content_ids.insert(doc.add_object(cut));
        let mut chained = Stream::new(
            lopdf::Dictionary::new(),
            zlib(&zlib(&content(&["Fm0"], 3, 20_000))),
        );
        chained.dict.set(
            "Filter",
            Object::Array(vec!["FlateDecode".into(), "FlateDecode".into()]),
        );
        content_ids.insert(doc.add_object(chained));
        let mut function = lopdf::Dictionary::new();
        function.set("FunctionType", 4);
        doc.add_object(flate(function, b"{ 2 copy add 3 1 roll mul }"));
        (doc, content_ids)
    }

    const ALONE: Ahead = Ahead {
        threads: 1,
        min_bytes: 0,
    };
    const THREE: Ahead = Ahead {
        threads: 3,
        min_bytes: 0,
    };

    #[test]
    fn measuring_ahead_changes_nothing_the_walk_finds() {
        let (doc, content_ids) = mixed_document();
        let limits = Limits::default();
        let upload_len = 1 << 20;
        let mut w1 = Vec::new();
        let alone = check_on(&doc, &content_ids, upload_len, &limits, &mut w1, ALONE).unwrap();
        let mut w3 = Vec::new();
        let three = check_on(&doc, &content_ids, upload_len, &limits, &mut w3, THREE).unwrap();
        assert_eq!(alone.total, three.total);
        assert_eq!(alone.sizes, three.sizes);
        assert_eq!(alone.largest_image, three.largest_image);
        assert_eq!(alone.calculators, three.calculators);
        assert_eq!(w1, w3);
        assert_eq!(w1.len(), 1, "the corrupt stream is reported: {w1:?}");
        assert!(alone.scans.is_empty());
        // Every content stream inflated by `inflate` or stored raw is
        // scanned ahead, and its scan is what `usage` gets by decoding it.
        let mut scratch = vec![0; SCRATCH_BYTES];
        for id in &content_ids {
            let Some(Object::Stream(s)) = doc.objects.get(id) else {
                unreachable!()
            };
            let chain = filters(&doc, s);
            let scan = three.scans.get(id);
            assert_eq!(
                scan.is_some(),
                chain.is_empty() || flate_first(&chain),
                "{id:?} {chain:?}"
            );
            let Some(scan) = scan else { continue };
            let mut scanner = Scanner::new();
            decode_into(&doc, s, three.sizes[id], &mut scratch, &mut |c| {
                scanner.feed(c)
            });
            let decoded = scanner.finish();
            assert_eq!(scan.sorted(), decoded.sorted(), "{id:?}");
            assert!(!decoded.uses.is_empty() || three.sizes[id] == 0, "{id:?}");
        }
    }

    #[test]
    fn limits_hit_after_measuring_ahead_are_the_walks() {
        let (doc, content_ids) = mixed_document();
        let walked = check_on(
            &doc,
            &content_ids,
            1 << 20,
            &Limits::default(),
            &mut Vec::new(),
            ALONE,
        )
        .unwrap();
        let mut cases = Vec::new();
        // The total, reached at several points of the walk.
        for t in [walked.total / 5, walked.total / 2, walked.total - 1] {
            let l = Limits {
                max_total_decompressed_bytes: t,
                ..Limits::default()
            };
            cases.push((l, 1 << 20));
        }
        // The total, reached 10 kB into each stream of more than one
        // inflation chunk that comes after others: measured ahead in full,
        // such a stream is over this cap and measured again.
        let mut before = 0;
        for size in doc.objects.keys().filter_map(|id| walked.sizes.get(id)) {
            if before > 0 && *size > SCRATCH_BYTES as u64 {
                let l = Limits {
                    max_total_decompressed_bytes: before + 10_000,
                    ..Limits::default()
                };
                cases.push((l, 1 << 20));
            }
            before += size;
        }
        assert!(cases.len() > 4);
        // One stream over the per-stream cap (the 200 kB content stream).
        let l = Limits {
            max_decompressed_bytes: 150_000,
            ..Limits::default()
        };
        cases.push((l, 1 << 20));
        // The calculator's size.
        let l = Limits {
            max_calculator_ops: 3,
            ..Limits::default()
        };
        cases.push((l, 1 << 20));
        for (limits, upload_len) in cases {
            let walk = |ahead| {
                check_on(
                    &doc,
                    &content_ids,
                    upload_len,
                    &limits,
                    &mut Vec::new(),
                    ahead,
                )
            };
            let (alone, three) = (walk(ALONE), walk(THREE));
            let (Err(a), Err(b)) = (&alone, &three) else {
                panic!("a limit was not hit: {:?}", alone.map(|b| b.total));
            };
            assert_eq!(a, b);
        }
    }

    #[test]
    fn measuring_ahead_stops_past_the_allowance() {
        // Forty streams of 50 kB each.
        let mut doc = Document::with_version("1.7");
        let mut content_ids = HashSet::new();
        for i in 0..40 {
            let mut s = Stream::new(lopdf::Dictionary::new(), zlib(&content(&[], i, 50_000)));
            s.dict.set("Filter", "FlateDecode");
            content_ids.insert(doc.add_object(s));
        }
        let streams = walked(&doc);
        let limits = Limits::default();
        let declared = declared_by(&doc, &streams, &limits);
        let measure = |allowance, ahead| {
            measure_ahead(
                &streams,
                &declared,
                &content_ids,
                1 << 20,
                &limits,
                allowance,
                ahead,
            )
        };
        assert_eq!(measure(u64::MAX, THREE).len(), 40);
        // Past 100 kB no thread takes another stream: the two or three
        // streams that pass it, and one more on each thread at most.
        let few = measure(100_000, THREE).len();
        assert!((2..=3 + THREE.threads).contains(&few), "{few}");
        // Not at all on one thread, or below the size worth a thread.
        assert!(measure(u64::MAX, ALONE).is_empty());
        let small = Ahead {
            threads: 3,
            min_bytes: u64::MAX,
        };
        assert!(measure(u64::MAX, small).is_empty());
    }

    #[test]
    fn declared_bombs_are_not_inflated_ahead() {
        let (mut doc, content_ids) = mixed_document();
        let mut image = lopdf::Dictionary::new();
        image.set("Subtype", "Image");
        image.set("Width", 20_000);
        image.set("Height", 20_000);
        image.set("ColorSpace", "DeviceCMYK");
        doc.add_object(Stream::new(image, vec![0; 10]));
        let streams = walked(&doc);
        let limits = Limits::default();
        let declared = declared_by(&doc, &streams, &limits);
        let ahead = measure_ahead(
            &streams,
            &declared,
            &content_ids,
            1 << 20,
            &limits,
            u64::MAX,
            THREE,
        );
        assert!(ahead.is_empty(), "{}", ahead.len());
        let alone = check_on(&doc, &content_ids, 1 << 20, &limits, &mut Vec::new(), ALONE);
        assert!(alone.is_err());
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

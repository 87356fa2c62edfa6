//! The work a renderer does per *use* of a stream, not per object: a
//! content stream shared by 200 pages is decoded and run 200 times, a form
//! XObject painted four times by a form that is itself painted four times
//! runs sixteen times, and a shading is filled in pixel by pixel each time
//! it is painted.
//!
//! For every page (its content streams and its annotations' normal
//! appearances) this follows what is painted by name ([`content`]'s scan
//! of `Do`, `sh` and `scn`) through the resource dictionaries, form by
//! form, and checks against [`Limits`]:
//! - the decoded bytes of every content stream counted once per use, added
//!   to the once-per-object total of `streams.rs`
//!   ([`LimitKind::TotalDecompressedBytes`],
//!   [`LimitKind::DecompressionRatio`]);
//! - the nesting of forms ([`LimitKind::XObjectDepth`]; a form that paints
//!   itself nests without end);
//! - the XObjects painted in the whole document
//!   ([`LimitKind::XObjectUses`]);
//! - the PostScript calculator operators each page's shadings run
//!   ([`LimitKind::CalculatorWork`]).
//!
//! Each distinct stream is scanned once, and each (form, resources) pair
//! is costed once and reused, so the walk is linear in the file however
//! large the counts it computes (they saturate).

use super::content::{Paint, Scan, Scanner};
use super::pages::{PageNode, resolve};
use super::streams::decode_into;
use crate::Result;
use crate::document::PageInfo;
use crate::error::{Error, LimitKind};
use crate::limits::{Limits, check_ratio, fax_page_pixels};
use lopdf::{Dictionary, Document, Object, ObjectId};
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

/// Forms nested deeper than this are not followed: the renderer (hayro
/// 0.9) stops at 50 and paints nothing below.
const RENDERER_DEPTH: u32 = 50;

/// Stitching (Type 3) functions followed this deep to their parts.
const FUNCTION_DEPTH: u32 = 8;

/// What one use of a content stream (a page's or a form's) costs,
/// everything it paints included.
#[derive(Debug, Clone, Copy, Default)]
struct Cost {
    /// Decoded bytes of content run.
    bytes: u64,
    /// XObjects painted.
    uses: u64,
    /// Levels of forms below.
    depth: u32,
    /// Calculator operators per pixel of the shadings painted.
    calculator: u64,
}

impl Cost {
    fn add(&mut self, times: u64, child: Cost) {
        self.bytes = self.bytes.saturating_add(times.saturating_mul(child.bytes));
        self.uses = self.uses.saturating_add(times.saturating_mul(child.uses));
        self.calculator = self
            .calculator
            .saturating_add(times.saturating_mul(child.calculator));
        self.depth = self.depth.max(child.depth.saturating_add(1));
    }
}

/// Which resource dictionary a form without its own /Resources sees: it
/// is costed once per dictionary it inherits.
type ResKey = Option<ObjectId>;

struct Walker<'a> {
    doc: &'a Document,
    limits: &'a Limits,
    sizes: &'a HashMap<ObjectId, u64>,
    calculators: &'a HashMap<ObjectId, u64>,
    scans: HashMap<ObjectId, Rc<Scan>>,
    forms: HashMap<(ObjectId, ResKey), Cost>,
    in_progress: HashSet<(ObjectId, ResKey)>,
    /// Content streams counted so far (the first use of each is in the
    /// once-per-object total already).
    distinct: HashSet<ObjectId>,
    distinct_bytes: u64,
    scratch: Vec<u8>,
}

/// The streams the walk scans, as far as they can be told without it:
/// the pages' content streams and annotation appearances, and every form
/// XObject and tiling pattern, referenced or not. `streams::check` scans
/// them while it measures them.
pub(crate) fn content_streams(
    doc: &Document,
    pages: &[(PageInfo, PageNode<'_>)],
) -> HashSet<ObjectId> {
    let mut ids: HashSet<ObjectId> = pages
        .iter()
        .flat_map(|(_, page)| {
            let mut ids = content_ids(doc, page.dict);
            ids.extend(appearances(doc, page.dict));
            ids
        })
        .collect();
    ids.extend(doc.objects.iter().filter_map(|(id, obj)| {
        let Object::Stream(s) = obj else { return None };
        let form = s.dict.get(b"Subtype").and_then(Object::as_name).ok() == Some(b"Form");
        let tiling = s.dict.get(b"PatternType").and_then(Object::as_i64).ok() == Some(1);
        (form || tiling).then_some(*id)
    }));
    ids
}

/// Check the document's pages against the per-use limits; `total` is what
/// its streams decode to, each counted once.
pub(crate) fn check(
    doc: &Document,
    pages: &[(PageInfo, PageNode<'_>)],
    budget: &mut super::streams::Budget,
    upload_len: u64,
    limits: &Limits,
) -> Result<()> {
    let mut w = Walker {
        doc,
        limits,
        sizes: &budget.sizes,
        calculators: &budget.calculators,
        scans: std::mem::take(&mut budget.scans)
            .into_iter()
            .map(|(id, scan)| (id, Rc::new(scan)))
            .collect(),
        forms: HashMap::new(),
        in_progress: HashSet::new(),
        distinct: HashSet::new(),
        distinct_bytes: 0,
        scratch: vec![0; 64 * 1024],
    };
    let mut all = Cost::default();
    // The content streams alone first: shared page content is found
    // before any of it is scanned.
    let mut content_bytes = 0u64;
    for (_, page) in pages {
        for id in content_ids(doc, page.dict) {
            content_bytes = content_bytes.saturating_add(w.size(id));
            if w.distinct.insert(id) {
                w.distinct_bytes = w.distinct_bytes.saturating_add(w.size(id));
            }
        }
    }
    w.check_bytes(content_bytes, budget.total, upload_len)?;

    for (info, page) in pages {
        let res = page.resources.map(|(r, owner)| (r, Some(owner)));
        let mut cost = Cost::default();
        for id in content_ids(doc, page.dict) {
            cost.add(1, w.content(id, res, 0)?);
        }
        for ap in appearances(doc, page.dict) {
            cost.add(1, w.form(ap, res, 1)?);
            cost.uses = cost.uses.saturating_add(1);
        }
        let pixels = fax_page_pixels(info.width_pt, info.height_pt);
        let work = cost.calculator.saturating_mul(pixels);
        if work > limits.max_calculator_work {
            return Err(Error::Limits {
                which: LimitKind::CalculatorWork,
                limit: limits.max_calculator_work,
                actual: work,
            });
        }
        all.add(1, cost);
        if all.uses > limits.max_xobject_uses {
            return Err(Error::Limits {
                which: LimitKind::XObjectUses,
                limit: limits.max_xobject_uses,
                actual: all.uses,
            });
        }
        w.check_bytes(all.bytes, budget.total, upload_len)?;
    }
    Ok(())
}

impl<'a> Walker<'a> {
    fn size(&self, id: ObjectId) -> u64 {
        self.sizes.get(&id).copied().unwrap_or(0)
    }

    /// The document's total with `per_use` bytes of content counted per
    /// use: each content stream's first use is in `once` already.
    fn check_bytes(&self, per_use: u64, once: u64, upload_len: u64) -> Result<()> {
        let distinct: u64 = self.distinct_bytes;
        let total = once.saturating_add(per_use.saturating_sub(distinct.min(per_use)));
        check_ratio(total, upload_len, self.limits)?;
        if total > self.limits.max_total_decompressed_bytes {
            return Err(Error::Limits {
                which: LimitKind::TotalDecompressedBytes,
                limit: self.limits.max_total_decompressed_bytes,
                actual: total,
            });
        }
        Ok(())
    }

    fn scan(&mut self, id: ObjectId) -> Rc<Scan> {
        if let Some(scan) = self.scans.get(&id) {
            return scan.clone();
        }
        let mut scanner = Scanner::new();
        let size = self.size(id);
        if let Some(Object::Stream(s)) = self.doc.objects.get(&id) {
            decode_into(self.doc, s, size, &mut self.scratch, &mut |chunk| {
                scanner.feed(chunk)
            });
        }
        let scan = Rc::new(scanner.finish());
        self.scans.insert(id, scan.clone());
        scan
    }

    /// One use of the content stream `id` run with the resources `res`
    /// (and the key of the dictionary holding them) at nesting `depth`.
    fn content(
        &mut self,
        id: ObjectId,
        res: Option<(&'a Object, ResKey)>,
        depth: u32,
    ) -> Result<Cost> {
        if self.distinct.insert(id) {
            self.distinct_bytes = self.distinct_bytes.saturating_add(self.size(id));
        }
        let mut cost = Cost {
            bytes: self.size(id),
            ..Cost::default()
        };
        let scan = self.scan(id);
        let resources = res.and_then(|(r, _)| resolve(self.doc, r)?.as_dict().ok());
        for (paint, name, times) in scan.sorted() {
            let Some(resources) = resources else { break };
            match paint {
                Paint::XObject => {
                    let Some((xid, xobject)) = named(self.doc, resources, b"XObject", name) else {
                        continue;
                    };
                    cost.uses = cost.uses.saturating_add(times);
                    let is_form = xobject
                        .as_stream()
                        .ok()
                        .and_then(|s| s.dict.get(b"Subtype").ok())
                        .and_then(|t| t.as_name().ok())
                        == Some(b"Form".as_slice());
                    if let (true, Some(xid)) = (is_form, xid) {
                        let child = self.form(xid, res, depth + 1)?;
                        cost.add(times, child);
                    }
                }
                Paint::Shading => {
                    if let Some((_, shading)) = named(self.doc, resources, b"Shading", name) {
                        let ops = self.shading_ops(shading);
                        cost.calculator = cost.calculator.saturating_add(times.saturating_mul(ops));
                    }
                }
                Paint::Pattern => {
                    let Some((pid, pattern)) = named(self.doc, resources, b"Pattern", name) else {
                        continue;
                    };
                    let dict = match pattern {
                        Object::Stream(s) => &s.dict,
                        Object::Dictionary(d) => d,
                        _ => continue,
                    };
                    match dict.get(b"PatternType").ok().and_then(|t| t.as_i64().ok()) {
                        // A tiling pattern's cell is a content stream.
                        Some(1) => {
                            if let Some(pid) = pid {
                                cost.uses = cost.uses.saturating_add(times);
                                let child = self.form(pid, res, depth + 1)?;
                                cost.add(times, child);
                            }
                        }
                        Some(2) => {
                            let ops = dict
                                .get(b"Shading")
                                .ok()
                                .and_then(|s| resolve(self.doc, s))
                                .map_or(0, |s| self.shading_ops(s));
                            cost.calculator =
                                cost.calculator.saturating_add(times.saturating_mul(ops));
                        }
                        _ => {}
                    }
                }
            }
        }
        Ok(cost)
    }

    /// One use of the form (or tiling pattern, or appearance stream) `id`
    /// painted from a content stream whose resources are `parent`.
    fn form(
        &mut self,
        id: ObjectId,
        parent: Option<(&'a Object, ResKey)>,
        depth: u32,
    ) -> Result<Cost> {
        if depth > self.limits.max_xobject_depth {
            return Err(Error::Limits {
                which: LimitKind::XObjectDepth,
                limit: u64::from(self.limits.max_xobject_depth),
                actual: u64::from(depth),
            });
        }
        if depth > RENDERER_DEPTH {
            return Ok(Cost::default());
        }
        let Some(Object::Stream(s)) = self.doc.objects.get(&id) else {
            return Ok(Cost::default());
        };
        // Its own resources, else (deprecated, §7.8.3) the caller's.
        let res = match s.dict.get(b"Resources") {
            Ok(r) => Some((r, Some(id))),
            Err(_) => parent,
        };
        let key = (id, res.and_then(|(_, k)| k));
        if let Some(cost) = self.forms.get(&key) {
            return Ok(*cost);
        }
        if !self.in_progress.insert(key) {
            // It paints itself: the renderer nests it until its own stop.
            return Err(Error::Limits {
                which: LimitKind::XObjectDepth,
                limit: u64::from(self.limits.max_xobject_depth),
                actual: u64::from(RENDERER_DEPTH),
            });
        }
        let cost = self.content(id, res, depth);
        self.in_progress.remove(&key);
        let cost = cost?;
        self.forms.insert(key, cost);
        Ok(cost)
    }

    /// Calculator operators one pixel of a shading runs.
    fn shading_ops(&self, shading: &Object) -> u64 {
        let dict = match shading {
            Object::Stream(s) => &s.dict,
            Object::Dictionary(d) => d,
            _ => return 0,
        };
        dict.get(b"Function")
            .map_or(0, |f| self.function_ops(f, FUNCTION_DEPTH))
    }

    fn function_ops(&self, f: &Object, depth: u32) -> u64 {
        if depth == 0 {
            return 0;
        }
        if let Object::Reference(id) = f
            && let Some(ops) = self.calculators.get(id)
        {
            return *ops;
        }
        match resolve(self.doc, f) {
            Some(Object::Array(parts)) => parts
                .iter()
                .map(|p| self.function_ops(p, depth - 1))
                .fold(0, u64::saturating_add),
            // A stitching function evaluates one of its parts per input:
            // the dearest bounds it.
            Some(Object::Dictionary(d)) => d
                .get(b"Functions")
                .ok()
                .and_then(|fs| resolve(self.doc, fs))
                .and_then(|fs| fs.as_array().ok())
                .map_or(0, |parts| {
                    parts
                        .iter()
                        .map(|p| self.function_ops(p, depth - 1))
                        .max()
                        .unwrap_or(0)
                }),
            _ => 0,
        }
    }
}

/// `/Resources /<category> /<name>`, resolved, with its object number.
fn named<'a>(
    doc: &'a Document,
    resources: &'a Dictionary,
    category: &[u8],
    name: &[u8],
) -> Option<(Option<ObjectId>, &'a Object)> {
    let dict = resolve(doc, resources.get(category).ok()?)?
        .as_dict()
        .ok()?;
    let entry = dict.get(name).ok()?;
    let id = match entry {
        Object::Reference(id) => Some(*id),
        _ => None,
    };
    Some((id, resolve(doc, entry)?))
}

/// The page's content streams (/Contents: one reference or an array).
fn content_ids(doc: &Document, page: &Dictionary) -> Vec<ObjectId> {
    match page.get(b"Contents") {
        Ok(Object::Reference(id)) => match doc.objects.get(id) {
            Some(Object::Array(a)) => a.iter().filter_map(|o| o.as_reference().ok()).collect(),
            _ => vec![*id],
        },
        Ok(Object::Array(a)) => a.iter().filter_map(|o| o.as_reference().ok()).collect(),
        _ => Vec::new(),
    }
}

/// The normal appearance streams of the page's annotations (every state
/// of a check box or radio button: the renderer draws one of them).
fn appearances(doc: &Document, page: &Dictionary) -> Vec<ObjectId> {
    let Some(annots) = page
        .get(b"Annots")
        .ok()
        .and_then(|a| resolve(doc, a))
        .and_then(|a| a.as_array().ok())
    else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for annot in annots {
        let Some(n) = resolve(doc, annot)
            .and_then(|a| a.as_dict().ok())
            .and_then(|a| a.get(b"AP").ok())
            .and_then(|ap| resolve(doc, ap))
            .and_then(|ap| ap.as_dict().ok())
            .and_then(|ap| ap.get(b"N").ok())
        else {
            continue;
        };
        match n {
            Object::Reference(id) => match doc.objects.get(id) {
                Some(Object::Stream(_)) => out.push(*id),
                Some(Object::Dictionary(states)) => {
                    out.extend(states.iter().filter_map(|(_, s)| s.as_reference().ok()));
                }
                _ => {}
            },
            Object::Dictionary(states) => {
                out.extend(states.iter().filter_map(|(_, s)| s.as_reference().ok()));
            }
            _ => {}
        }
    }
    out
}

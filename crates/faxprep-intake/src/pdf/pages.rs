//! The page tree walk: page count and each page's boxes, with inherited
//! attributes (ISO 32000-1 §7.7.3.3, Table 30), loop detection and no
//! recursion.

use crate::Result;
use crate::document::{PageInfo, Rect};
use crate::error::Error;
use faxprep_page::DocumentFormat;
use lopdf::{Dictionary, Document, Object, ObjectId};
use std::collections::HashSet;

/// Letter, the size pdf.js and Acrobat assume when /MediaBox is missing or
/// unusable.
const LETTER: Rect = Rect {
    x0: 0.0,
    y0: 0.0,
    x1: 612.0,
    y1: 792.0,
};

/// Follow a chain of references (at most 16 hops: a loop of references is
/// just unresolvable, not a hang).
pub(crate) fn resolve<'a>(doc: &'a Document, mut obj: &'a Object) -> Option<&'a Object> {
    for _ in 0..16 {
        match obj {
            Object::Reference(id) => obj = doc.objects.get(id)?,
            other => return Some(other),
        }
    }
    None
}

/// A number (integer or real), resolved, finite.
pub(crate) fn number(doc: &Document, obj: &Object) -> Option<f64> {
    match resolve(doc, obj)? {
        Object::Integer(i) => Some(*i as f64),
        Object::Real(r) if r.is_finite() => Some(f64::from(*r)),
        _ => None,
    }
}

fn rect(doc: &Document, obj: &Object) -> Option<Rect> {
    let Object::Array(a) = resolve(doc, obj)? else {
        return None;
    };
    if a.len() != 4 {
        return None;
    }
    let v: Vec<f64> = a.iter().map(|o| number(doc, o)).collect::<Option<_>>()?;
    let r = Rect {
        x0: v[0].min(v[2]),
        y0: v[1].min(v[3]),
        x1: v[0].max(v[2]),
        y1: v[1].max(v[3]),
    };
    (r.width() > 0.0 && r.height() > 0.0).then_some(r)
}

#[derive(Clone, Copy)]
struct Inherited<'a> {
    media: Option<Rect>,
    crop: Option<Rect>,
    rotate: Option<i64>,
    resources: Option<(&'a Object, ObjectId)>,
}

/// A page as the renderer will see it: its dictionary and its resources
/// (inherited from the page tree when the page has none, Table 30).
#[derive(Clone, Copy)]
pub(crate) struct PageNode<'a> {
    /// The page dictionary.
    pub(crate) dict: &'a Dictionary,
    /// The /Resources in force, and the object that holds it.
    pub(crate) resources: Option<(&'a Object, ObjectId)>,
}

impl<'a> Inherited<'a> {
    fn update(self, doc: &'a Document, node: &'a Dictionary, id: ObjectId) -> Inherited<'a> {
        Inherited {
            resources: node
                .get(b"Resources")
                .ok()
                .map(|r| (r, id))
                .or(self.resources),
            media: node
                .get(b"MediaBox")
                .ok()
                .and_then(|o| rect(doc, o))
                .or(self.media),
            crop: node
                .get(b"CropBox")
                .ok()
                .and_then(|o| rect(doc, o))
                .or(self.crop),
            rotate: node
                .get(b"Rotate")
                .ok()
                .and_then(|o| number(doc, o))
                .map(|r| r as i64)
                .or(self.rotate),
        }
    }
}

fn page_info(doc: &Document, inh: Inherited<'_>, page: &Dictionary) -> PageInfo {
    let media = inh.media.unwrap_or(LETTER);
    let crop = inh.crop.and_then(|c| c.intersect(&media)).unwrap_or(media);
    // §8.3.2.3 / Table 30: multiple of 90; pdf.js treats anything else as 0.
    let rotate = match inh.rotate.unwrap_or(0).rem_euclid(360) {
        r @ (0 | 90 | 180 | 270) => r as u16,
        _ => 0,
    };
    let user_unit = page
        .get(b"UserUnit")
        .ok()
        .and_then(|o| number(doc, o))
        .filter(|u| *u > 0.0 && u.is_finite())
        .unwrap_or(1.0);
    let (w, h) = (crop.width() * user_unit, crop.height() * user_unit);
    let (width_pt, height_pt) = if rotate % 180 == 90 { (h, w) } else { (w, h) };
    PageInfo {
        media_box: media,
        crop_box: crop,
        rotate,
        user_unit,
        width_pt,
        height_pt,
    }
}

fn damaged(reason: &str) -> Error {
    Error::Damaged {
        format: DocumentFormat::Pdf,
        reason: reason.to_owned(),
    }
}

/// The page count the root of the page tree declares (/Count), if any.
pub(crate) fn declared_count(doc: &Document) -> Option<u32> {
    let catalog = resolve(doc, doc.trailer.get(b"Root").ok()?)?
        .as_dict()
        .ok()?;
    let root = resolve(doc, catalog.get(b"Pages").ok()?)?.as_dict().ok()?;
    let count = number(doc, root.get(b"Count").ok()?)?;
    (0.0..=f64::from(u32::MAX))
        .contains(&count)
        .then_some(count as u32)
}

/// Walk the page tree from the catalog; every page, in order. A node seen
/// twice (a /Kids loop, or one page listed twice) is visited once.
#[cfg(test)]
pub(crate) fn walk(doc: &Document) -> Result<Vec<PageInfo>> {
    Ok(walk_nodes(doc)?
        .0
        .into_iter()
        .map(|(info, _)| info)
        .collect())
}

/// A page list with each page's [`PageNode`].
pub(crate) type Pages<'a> = Vec<(PageInfo, PageNode<'a>)>;

/// [`walk`], with each page's [`PageNode`], and how many nodes of the tree
/// could not be found (a reference to an object that is missing or is not
/// a dictionary: a sign of a damaged cross-reference table).
pub(crate) fn walk_nodes(doc: &Document) -> Result<(Pages<'_>, usize)> {
    let catalog = doc
        .trailer
        .get(b"Root")
        .ok()
        .and_then(|o| resolve(doc, o))
        .and_then(|o| o.as_dict().ok())
        .ok_or_else(|| damaged("there is no document catalog"))?;
    let root = catalog
        .get(b"Pages")
        .map_err(|_| damaged("there is no page tree"))?;

    let mut pages = Vec::new();
    let mut unresolved = 0usize;
    let mut visited: HashSet<ObjectId> = HashSet::new();
    let start = Inherited {
        media: None,
        crop: None,
        rotate: None,
        resources: None,
    };
    // Explicit stack, children pushed in reverse to keep document order.
    let mut stack: Vec<(&Object, Inherited<'_>)> = vec![(root, start)];
    while let Some((node_obj, inh)) = stack.pop() {
        let mut obj = node_obj;
        // Resolve references ourselves to record every id on the way.
        let mut hops = 0;
        let mut seen_before = false;
        let mut node_id = None;
        while let Object::Reference(id) = obj {
            node_id = Some(*id);
            if !visited.insert(*id) {
                seen_before = true;
                break;
            }
            hops += 1;
            match doc.objects.get(id) {
                Some(o) if hops < 16 => obj = o,
                _ => break,
            }
        }
        if seen_before {
            continue;
        }
        let Ok(dict) = obj.as_dict() else {
            unresolved += 1;
            continue;
        };
        let kind = dict.get(b"Type").and_then(Object::as_name).ok();
        let kids = dict
            .get(b"Kids")
            .ok()
            .and_then(|k| resolve(doc, k))
            .and_then(|k| k.as_array().ok());
        match (kind, kids) {
            (Some(b"Page"), _) | (_, None) => {
                // A leaf. Without /Type it is still a page if it is not a
                // tree node, as readers assume.
                if kind.is_none_or(|k| k == b"Page") {
                    let inh = inh.update(doc, dict, node_id.unwrap_or((0, 0)));
                    let node = PageNode {
                        dict,
                        resources: inh.resources,
                    };
                    pages.push((page_info(doc, inh, dict), node));
                }
            }
            (_, Some(kids)) => {
                let inh = inh.update(doc, dict, node_id.unwrap_or((0, 0)));
                for kid in kids.iter().rev() {
                    stack.push((kid, inh));
                }
            }
        }
    }
    Ok((pages, unresolved))
}

#[cfg(test)]
mod tests {
    use super::*;
    use lopdf::dictionary;

    fn doc_with_kids(kids_of_root: Vec<Object>, extra: Vec<(ObjectId, Object)>) -> Document {
        let mut doc = Document::with_version("1.7");
        let pages_id = (2, 0);
        doc.objects.insert(
            pages_id,
            Object::Dictionary(dictionary! {
                "Type" => "Pages", "Kids" => kids_of_root, "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
            }),
        );
        for (id, o) in extra {
            doc.objects.insert(id, o);
        }
        doc.objects.insert(
            (1, 0),
            Object::Dictionary(dictionary! { "Type" => "Catalog", "Pages" => pages_id }),
        );
        doc.trailer.set("Root", Object::Reference((1, 0)));
        doc
    }

    #[test]
    fn inherits_and_rotates() {
        let page = dictionary! { "Type" => "Page", "Rotate" => 90, "Parent" => (2, 0) };
        let doc = doc_with_kids(
            vec![Object::Reference((3, 0))],
            vec![((3, 0), Object::Dictionary(page))],
        );
        let pages = walk(&doc).unwrap();
        assert_eq!(pages.len(), 1);
        assert_eq!(
            (pages[0].width_pt, pages[0].height_pt, pages[0].rotate),
            (842.0, 595.0, 90)
        );
    }

    #[test]
    fn kids_loop_terminates() {
        // Root's kid is a node whose kid is the root again, plus a page
        // listed twice.
        let node = dictionary! { "Type" => "Pages", "Kids" => vec![Object::Reference((2, 0)), Object::Reference((4, 0)), Object::Reference((4, 0))] };
        let page = dictionary! { "Type" => "Page" };
        let doc = doc_with_kids(
            vec![Object::Reference((3, 0))],
            vec![
                ((3, 0), Object::Dictionary(node)),
                ((4, 0), Object::Dictionary(page)),
            ],
        );
        assert_eq!(walk(&doc).unwrap().len(), 1);
    }

    #[test]
    fn reference_cycle_resolves_to_none() {
        let mut doc = Document::with_version("1.7");
        doc.objects.insert((1, 0), Object::Reference((2, 0)));
        doc.objects.insert((2, 0), Object::Reference((1, 0)));
        assert!(resolve(&doc, &Object::Reference((1, 0))).is_none());
    }
}

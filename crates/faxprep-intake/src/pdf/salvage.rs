//! What is left of a PDF that is cut short: the catalog and the trailer
//! are written last, so a file cut anywhere before its end has neither,
//! and the cross-reference scan has no root to start from. The page tree
//! is usually written before the pages, so it survives: this finds its
//! root (an object with `/Type /Pages` and no `/Parent`) by a byte scan
//! and appends a catalog and a trailer that name it. The pages that are
//! complete then load; the tree's references to the lost ones stay
//! unresolved ([`prune`] removes them before the file is written for the
//! renderer).

use lopdf::{Document, Object, ObjectId};
use std::collections::HashSet;

/// `bytes` with a catalog and trailer appended that name the last page
/// tree root found, or `None` when there is none. One pass over the bytes.
pub(crate) fn with_catalog(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut root: Option<(u32, u16)> = None;
    let mut max_id = 0u32;
    let mut i = 0usize;
    while let Some(p) = super::super::sniff::find(&bytes[i..], b" obj") {
        let at = i + p;
        i = at + 4;
        let Some((id, generation)) = object_header(bytes, at) else {
            continue;
        };
        max_id = max_id.max(id);
        // The body: up to `endobj`, the next object, or 4 KiB (a page
        // tree node is a short dictionary).
        let rest = &bytes[i..bytes.len().min(i + 4096)];
        let end = super::super::sniff::find(rest, b"endobj").unwrap_or(rest.len());
        let body = &rest[..end];
        if is_pages_root(body) {
            root = Some((id, generation));
        }
    }
    let (id, generation) = root?;
    // A number above every object and every reference: the tree still
    // names the lost objects, and the catalog must not take their place.
    let catalog = max_id.max(max_reference(bytes)).checked_add(1)?;
    let mut out = bytes.to_vec();
    out.extend_from_slice(
        format!(
            "\n{catalog} 0 obj\n<< /Type /Catalog /Pages {id} {generation} R >>\nendobj\n\
             trailer\n<< /Root {catalog} 0 R /Size {} >>\n%%EOF\n",
            catalog.saturating_add(1)
        )
        .as_bytes(),
    );
    Some(out)
}

/// The largest object number that an `N G R` reference names. One pass.
fn max_reference(bytes: &[u8]) -> u32 {
    let mut max = 0u32;
    let mut i = 0usize;
    while let Some(p) = super::super::sniff::find(&bytes[i..], b" R") {
        let at = i + p;
        i = at + 2;
        let after_ok = bytes.get(at + 2).is_none_or(|b| !b.is_ascii_alphanumeric());
        if let (true, Some((id, _))) = (after_ok, object_header(bytes, at)) {
            max = max.max(id);
        }
    }
    max
}

/// `N G` before the keyword (` obj`, ` R`) at `at`.
fn object_header(bytes: &[u8], at: usize) -> Option<(u32, u16)> {
    let before = &bytes[at.saturating_sub(24)..at];
    let text = String::from_utf8_lossy(before);
    let mut words = text.split_ascii_whitespace().rev();
    let generation = words.next()?.parse().ok()?;
    let id = words.next()?;
    let id = id.trim_start_matches(|c: char| !c.is_ascii_digit());
    Some((id.parse().ok()?, generation))
}

/// Whether an object body is a page tree node without a parent.
fn is_pages_root(body: &[u8]) -> bool {
    let has = |needle: &[u8]| super::super::sniff::find(body, needle).is_some();
    let pages = [b"/Type/Pages".as_slice(), b"/Type /Pages"]
        .iter()
        .any(|n| match super::super::sniff::find(body, n) {
            Some(p) => body
                .get(p + n.len())
                .is_none_or(|b| !b.is_ascii_alphanumeric()),
            None => false,
        });
    pages && !has(b"/Parent")
}

/// Remove from the page tree every /Kids entry that does not resolve to
/// a dictionary, and set each node's /Count to the pages below it, so a
/// renderer sees only the pages that are there. Returns whether anything
/// changed. Each node is visited once.
pub(crate) fn prune(doc: &mut Document) -> bool {
    let Some(root) = doc
        .catalog()
        .ok()
        .and_then(|c| c.get(b"Pages").ok())
        .and_then(|p| p.as_reference().ok())
    else {
        return false;
    };
    let mut changed = false;
    let mut seen = HashSet::new();
    // Post-order over the nodes, with an explicit stack: (node, children
    // done).
    let mut stack: Vec<(ObjectId, bool)> = vec![(root, false)];
    let mut counts: std::collections::HashMap<ObjectId, i64> = std::collections::HashMap::new();
    while let Some((id, done)) = stack.pop() {
        let kids: Vec<Object> = match doc
            .get_dictionary(id)
            .ok()
            .and_then(|d| d.get(b"Kids").ok())
        {
            Some(Object::Array(k)) => k.clone(),
            _ => {
                counts.insert(id, 1);
                continue;
            }
        };
        if !done {
            if !seen.insert(id) {
                continue;
            }
            stack.push((id, true));
            for kid in &kids {
                if let Ok(kid) = kid.as_reference()
                    && doc.get_dictionary(kid).is_ok()
                    && !seen.contains(&kid)
                {
                    stack.push((kid, false));
                }
            }
            continue;
        }
        let kept: Vec<Object> = kids
            .iter()
            .filter(|k| {
                k.as_reference()
                    .is_ok_and(|k| doc.get_dictionary(k).is_ok())
            })
            .cloned()
            .collect();
        let count: i64 = kept
            .iter()
            .filter_map(|k| k.as_reference().ok())
            .map(|k| counts.get(&k).copied().unwrap_or(0))
            .sum();
        counts.insert(id, count);
        if let Ok(node) = doc.get_dictionary_mut(id) {
            if kept.len() != kids.len() {
                changed = true;
            }
            node.set("Kids", Object::Array(kept));
            node.set("Count", Object::Integer(count));
        }
    }
    changed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_root_of_the_page_tree() {
        let cut = b"%PDF-1.7\n1 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n\
                    3 0 obj\n<< /Type /Page /Parent 1 0 R >>\nendobj\n7 0 obj\n<< /Len";
        let fixed = with_catalog(cut).unwrap();
        let tail = String::from_utf8_lossy(&fixed[cut.len()..]).into_owned();
        assert!(
            tail.contains("8 0 obj\n<< /Type /Catalog /Pages 1 0 R >>"),
            "{tail}"
        );
        assert!(tail.contains("/Root 8 0 R"), "{tail}");
        // Above the lost objects the tree still names.
        let cut: &[u8] = b"%PDF-1.7\n1 0 obj\n<< /Type /Pages /Kids [3 0 R 12 0 R] >>\nendobj\n";
        let fixed = with_catalog(cut).unwrap();
        assert!(String::from_utf8_lossy(&fixed).contains("/Root 13 0 R"));
        // A page (with /Parent) and /Type /Page are not roots.
        assert!(with_catalog(b"%PDF-1.7\n3 0 obj\n<< /Type /Page >>\nendobj\n").is_none());
    }
}

//! Checking a file against TIFF Class F (RFC 2306 §3), for `inspect`.

use std::fmt;

use super::decode::decode_page;
use super::error::Error;
use super::ifd::{self, Bytes, Ifd};
use super::reader::{ReadLimits, page_info};
use super::tags::*;

/// How much a [`ClassFIssue`] matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Allowed, but fax software may choke on it (several strips, tags out
    /// of order, an odd Orientation).
    Warning,
    /// The file is not TIFF Class F.
    Error,
}

/// One reason a file is not (clean) TIFF Class F.
#[derive(Debug)]
#[non_exhaustive]
pub struct ClassFIssue {
    /// Page index from 0, `None` for the file as a whole.
    pub page: Option<u32>,
    /// Warning or error.
    pub severity: Severity,
    /// What is wrong.
    pub kind: ClassFIssueKind,
}

/// What is wrong, with the values found.
#[derive(Debug)]
#[non_exhaustive]
pub enum ClassFIssueKind {
    /// The reader refused the file or a page (not TIFF, truncated,
    /// unsupported, or a strip that does not decode).
    Unreadable(Error),
    /// A tag Class F requires is absent.
    MissingTag {
        /// Tag number.
        tag: u16,
    },
    /// A tag has a value Class F does not allow.
    BadValue {
        /// Tag number.
        tag: u16,
        /// The value found (rationals as numerator / denominator, rounded).
        found: f64,
        /// What Class F allows.
        expected: &'static str,
    },
    /// PageNumber does not say (index, total) for this page of this file.
    PageNumber {
        /// PageNumber found.
        found: (u16, u16),
        /// (index, page count) expected; a total of 0 ("unknown") is also
        /// accepted.
        expected: (u32, u32),
    },
    /// The page is split into several strips (Class F writers use one).
    Strips {
        /// Strip count.
        count: u32,
    },
    /// Directory entries are not in ascending tag order (TIFF 6.0 §2).
    UnsortedTags,
}

impl fmt::Display for ClassFIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.severity {
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        match self.page {
            Some(p) => write!(f, "{level}: page {}: ", p + 1)?,
            None => write!(f, "{level}: ")?,
        }
        match &self.kind {
            ClassFIssueKind::Unreadable(e) => write!(f, "{e}"),
            ClassFIssueKind::MissingTag { tag } => write!(f, "no {} tag ({tag})", tag_name(*tag)),
            ClassFIssueKind::BadValue {
                tag,
                found,
                expected,
            } => {
                write!(
                    f,
                    "{} ({tag}) is {found}, class f wants {expected}",
                    tag_name(*tag)
                )
            }
            ClassFIssueKind::PageNumber { found, expected } => write!(
                f,
                "PageNumber is ({}, {}), expected ({}, {})",
                found.0, found.1, expected.0, expected.1
            ),
            ClassFIssueKind::Strips { count } => write!(f, "{count} strips, class f uses one"),
            ClassFIssueKind::UnsortedTags => f.write_str("tags are not in ascending order"),
        }
    }
}

/// Check `data` against TIFF Class F (RFC 2306 §3) and decode every page;
/// an empty list means the file is valid Class F that this crate reads
/// bit for bit. Uses [`ReadLimits::default`].
pub fn validate_class_f(data: &[u8]) -> Vec<ClassFIssue> {
    let limits = ReadLimits::default();
    let mut issues = Vec::new();
    let (bytes, ifds) = match ifd::directories(data, limits.max_pages) {
        Ok(v) => v,
        Err(e) => {
            issues.push(ClassFIssue {
                page: None,
                severity: Severity::Error,
                kind: ClassFIssueKind::Unreadable(e),
            });
            return issues;
        }
    };
    let pages = ifds.len() as u32;
    for (i, ifd) in ifds.iter().enumerate() {
        let page = i as u32;
        let mut push = |severity, kind| {
            issues.push(ClassFIssue {
                page: Some(page),
                severity,
                kind,
            })
        };
        check_tags(bytes, ifd, page, pages, &mut push);
        match page_info(bytes, ifd, page, &limits).and_then(|info| {
            if info.strips.len() > 1 {
                push(
                    Severity::Warning,
                    ClassFIssueKind::Strips {
                        count: info.strips.len() as u32,
                    },
                );
            }
            decode_page(data, &info)
        }) {
            Ok(_) => {}
            Err(e) => push(Severity::Error, ClassFIssueKind::Unreadable(e)),
        }
    }
    issues
}

/// The tag-level rules of RFC 2306 §3 for one page.
fn check_tags(
    bytes: Bytes<'_>,
    ifd: &Ifd,
    page: u32,
    pages: u32,
    push: &mut impl FnMut(Severity, ClassFIssueKind),
) {
    use ClassFIssueKind::*;
    use Severity::*;
    if !ifd.sorted {
        push(Warning, UnsortedTags);
    }
    let int = |tag| ifd.int(bytes, page, tag).ok().flatten();
    let mut bad = |tag, found: u64, expected| {
        push(
            Error,
            BadValue {
                tag,
                found: found as f64,
                expected,
            },
        );
    };
    // (tag, whether required, allowed values, what to say)
    let rules: [(u16, bool, &[u64], &'static str); 8] = [
        (
            NEW_SUBFILE_TYPE,
            true,
            &[2],
            "2 (page of a multi-page document)",
        ),
        // The writer's CLASS_F_WIDTHS.
        (IMAGE_WIDTH, true, &[1728, 2048, 2432], "1728, 2048 or 2432"),
        (BITS_PER_SAMPLE, false, &[1], "1"),
        (SAMPLES_PER_PIXEL, false, &[1], "1"),
        (COMPRESSION, true, &[3, 4], "3 (T.4) or 4 (T.6)"),
        (PHOTOMETRIC, true, &[0], "0 (white is zero)"),
        (FILL_ORDER, false, &[1, 2], "1 or 2"),
        (RESOLUTION_UNIT, true, &[2, 3], "2 (inch) or 3 (cm)"),
    ];
    let mut missing = Vec::new();
    for (tag, required, allowed, expected) in rules {
        match int(tag) {
            Some(v) if !allowed.contains(&v) => bad(tag, v, expected),
            Some(_) => {}
            None if required => missing.push(tag),
            None => {}
        }
    }
    for tag in [
        IMAGE_LENGTH,
        STRIP_OFFSETS,
        STRIP_BYTE_COUNTS,
        ROWS_PER_STRIP,
        PAGE_NUMBER,
    ] {
        if !ifd.entries.contains_key(&tag) {
            missing.push(tag);
        }
    }
    match int(COMPRESSION) {
        Some(3) => {
            if let Some(v) = int(T4_OPTIONS).filter(|v| v & u64::from(T4_UNCOMPRESSED) != 0) {
                bad(T4_OPTIONS, v, "bit 1 (uncompressed mode) clear");
            }
        }
        Some(4) => {
            if let Some(v) = int(T6_OPTIONS).filter(|&v| v != 0) {
                bad(T6_OPTIONS, v, "0");
            }
        }
        _ => {}
    }
    if let Some(o) = int(ORIENTATION).filter(|&o| o != 1) {
        push(
            Warning,
            BadValue {
                tag: ORIENTATION,
                found: o as f64,
                expected: "1",
            },
        );
    }
    // Resolutions: 204 x 98/196/391 per inch, or the same per centimetre
    // (80 x 38.5/77/154), within 1 %.
    let per_cm = int(RESOLUTION_UNIT) == Some(3);
    let scale = if per_cm { 1.0 / 2.54 } else { 1.0 };
    let res = [
        (X_RESOLUTION, &[204.0][..], "204 per inch"),
        (
            Y_RESOLUTION,
            &[98.0, 196.0, 391.0][..],
            "98, 196 or 391 per inch",
        ),
    ];
    for (tag, allowed, expected) in res {
        match ifd.rational(bytes, page, tag).ok().flatten() {
            None => missing.push(tag),
            Some((num, den)) => {
                let v = if den == 0 {
                    0.0
                } else {
                    f64::from(num) / f64::from(den)
                };
                if !allowed
                    .iter()
                    .any(|a| (v - a * scale).abs() <= a * scale * 0.01)
                {
                    push(
                        Error,
                        BadValue {
                            tag,
                            found: v,
                            expected,
                        },
                    );
                }
            }
        }
    }
    for tag in missing {
        push(Error, MissingTag { tag });
    }
    if let Ok((pn, _)) = ifd.ints(bytes, page, PAGE_NUMBER, 2)
        && let [index, total] = pn[..]
        && (index != u64::from(page) || (total != 0 && total != u64::from(pages)))
    {
        let found = (index as u16, total as u16);
        push(
            Error,
            PageNumber {
                found,
                expected: (page, pages),
            },
        );
    }
}

//! PDF preflight: nesting pre-scan, loading with lopdf on a guarded
//! thread (the cross-reference table rebuilt when it loses pages, what is
//! left of a file cut short salvaged), encryption, the page tree, page
//! boxes, the decompression budget per object (`streams.rs`) and per use
//! (`usage.rs`), and the one rewrite for the renderer.
//!
//! lopdf is a general PDF library, not hardened for hostile input, so
//! it runs (with the rest of PDF preflight) on its own thread with a
//! 64 MiB stack, and a panic there becomes [`Error::Damaged`]. Our own
//! code on that thread is written not to panic; the guard is for lopdf.
//! Everything that could take long is done by us with explicit bounds:
//! the nesting scan is one pass over the bytes, the page tree walk visits
//! each object at most once, and stream test inflation stops at the
//! limits.

mod codecs;
mod content;
mod forms;
mod lex;
mod pages;
mod salvage;
mod shrink;
mod streams;
mod usage;

use crate::document::{Document, Warning};
use crate::error::{Error, LimitKind};
use crate::limits::{IntakeOptions, Limits, fax_page_pixels};
use crate::{Result, document::PageInfo};
use faxprep_page::DocumentFormat;
use lopdf::LoadOptions;

/// Stack for the preflight thread. lopdf's parser recurses per nesting
/// level (bounded by its own depth guard of 100, and ours of
/// [`Limits::max_nesting_depth`]); 64 MiB is far beyond what that needs
/// and costs only address space until touched.
const STACK_SIZE: usize = 64 * 1024 * 1024;

/// Cap on what one object stream or xref stream may inflate to while
/// lopdf loads the file: real ones are a few MiB at most.
const MAX_OBJECT_STREAM_BYTES: u64 = 64 * 1024 * 1024;

fn damaged(reason: impl Into<String>) -> Error {
    Error::Damaged {
        format: DocumentFormat::Pdf,
        reason: reason.into(),
    }
}

/// Preflight a PDF whose `%PDF-` header is at `header_offset`.
pub(crate) fn preflight(
    bytes: &[u8],
    header_offset: usize,
    opts: &IntakeOptions,
) -> Result<Document> {
    let limits = &opts.limits;
    let depth = lex::max_nesting(bytes, limits.max_nesting_depth);
    if depth > limits.max_nesting_depth {
        return Err(Error::Limits {
            which: LimitKind::NestingDepth,
            limit: u64::from(limits.max_nesting_depth),
            actual: u64::from(depth),
        });
    }
    let mut doc = guarded("faxprep-intake-pdf", || analyse(bytes, opts))?;
    if header_offset > 0 {
        doc.warnings.insert(
            0,
            Warning::LeadingJunk {
                offset: header_offset,
            },
        );
    }
    Ok(doc)
}

/// The PDF with its oversized images scaled down (see `shrink.rs`), or
/// `None` when it has none that can be. Loads the file once more, on a
/// guarded thread like preflight.
pub(crate) fn shrink_images(
    bytes: &[u8],
    opts: &IntakeOptions,
    trigger: u64,
    target: u64,
) -> Result<Option<Vec<u8>>> {
    rewrite(
        bytes,
        opts,
        "faxprep-intake-shrink",
        "with smaller images",
        |pdf| shrink::shrink_images(pdf, trigger, target),
    )
}

/// The PDF with the values of its form fields drawn where the file leaves
/// that to the viewer (see `forms.rs`), or `None` when it has none. Loads
/// the file once more, on a guarded thread like preflight.
pub(crate) fn draw_form_values(bytes: &[u8], opts: &IntakeOptions) -> Result<Option<Vec<u8>>> {
    rewrite(
        bytes,
        opts,
        "faxprep-intake-forms",
        "with its form values drawn",
        forms::draw,
    )
}

/// The PDF as the renderer should get it (see [`crate::fit_for_renderer`]):
/// loaded once (its cross-reference table rebuilt as preflight did),
/// oversized images shrunk, form values drawn, written once.
pub(crate) fn fit_for_renderer(
    bytes: &[u8],
    document: &Document,
    opts: &IntakeOptions,
) -> Result<Option<Vec<u8>>> {
    let shrink = document.largest_image_bytes > crate::SHRINK_IMAGES_ABOVE;
    let forms = document.form_values_to_draw > 0;
    // A file opened with the caller's password is written decrypted: the
    // password was prepared as the file's revision asks (SASLprep for
    // AES-256 revision 6, RFC 4013) when it opened here, and the renderer
    // then needs none.
    let rewrite_anyway = document.repaired || document.password_used;
    if !(rewrite_anyway || shrink || forms) {
        return Ok(None);
    }
    rewrite(
        bytes,
        opts,
        "faxprep-intake-fit",
        "fit for the renderer",
        |pdf| {
            // A rebuilt table is written as found: the renderer's own
            // repair may find other objects than preflight did.
            let mut changed = rewrite_anyway;
            if document.repaired {
                // Only the pages that are there: the renderer's page count
                // is preflight's.
                salvage::prune(pdf);
            }
            if shrink {
                changed |=
                    shrink::shrink_images(pdf, crate::SHRINK_IMAGES_ABOVE, crate::SHRINK_IMAGES_TO);
            }
            if forms {
                changed |= forms::draw(pdf);
            }
            changed
        },
    )
}

/// Load the PDF once more on a [`guarded`] thread, let `change` change it
/// and write it, or `None` when `change` says it changed nothing; `what`
/// ends the message of a write that fails.
fn rewrite(
    bytes: &[u8],
    opts: &IntakeOptions,
    thread: &str,
    what: &str,
    change: impl FnOnce(&mut lopdf::Document) -> bool + Send,
) -> Result<Option<Vec<u8>>> {
    guarded(thread, || {
        let (mut pdf, _, _) = open_repaired(bytes, opts)?;
        if !change(&mut pdf) {
            return Ok(None);
        }
        let mut out = Vec::new();
        pdf.save_to(&mut out).map_err(|e| Error::Internal {
            reason: format!("cannot write the pdf {what}: {e}"),
        })?;
        Ok(Some(out))
    })
}

/// Run `work` (everything that touches lopdf) on its own thread with a
/// [`STACK_SIZE`] stack, behind a panic guard.
fn guarded<T: Send>(name: &str, work: impl FnOnce() -> Result<T> + Send) -> Result<T> {
    std::thread::scope(|scope| {
        let handle = std::thread::Builder::new()
            .name(name.to_owned())
            .stack_size(STACK_SIZE)
            .spawn_scoped(scope, || {
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(work))
                    .unwrap_or_else(|_| Err(damaged("the pdf parser failed on this file")))
            })
            .map_err(|e| Error::Internal {
                reason: format!("cannot start the pdf thread: {e}"),
            })?;
        handle
            .join()
            .unwrap_or_else(|_| Err(damaged("the pdf parser failed on this file")))
    })
}

fn load(
    bytes: &[u8],
    password: Option<&str>,
    limits: &Limits,
    rebuild: bool,
) -> Result<lopdf::Document> {
    let options = LoadOptions {
        password: password.map(str::to_owned),
        force_reconstruct: rebuild,
        max_decompressed_size: Some(
            usize::try_from(limits.max_decompressed_bytes.min(MAX_OBJECT_STREAM_BYTES))
                .unwrap_or(usize::MAX),
        ),
        ..LoadOptions::default()
    };
    lopdf::Document::load_mem_with_options(bytes, options).map_err(|e| match e {
        lopdf::Error::InvalidPassword => Error::WrongPassword,
        lopdf::Error::Decompress(lopdf::DecompressError::MemoryLimitExceeded { .. }) => {
            Error::Limits {
                which: LimitKind::DecompressedBytes,
                limit: limits.max_decompressed_bytes.min(MAX_OBJECT_STREAM_BYTES),
                actual: limits
                    .max_decompressed_bytes
                    .min(MAX_OBJECT_STREAM_BYTES)
                    .saturating_add(1),
            }
        }
        lopdf::Error::Decryption(d) => Error::Unsupported {
            format: DocumentFormat::Pdf,
            feature: format!("this kind of encryption ({})", lower_first(&d.to_string())),
        },
        other => damaged(lower_first(&other.to_string())),
    })
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Load and decrypt: without a password first (files with an empty user
/// password open that way, and then the caller's password was not
/// needed), then with the caller's. Returns the document and whether the
/// password was used.
fn open(bytes: &[u8], opts: &IntakeOptions, rebuild: bool) -> Result<(lopdf::Document, bool)> {
    let limits = &opts.limits;
    let pdf = load(bytes, None, limits, rebuild)?;
    if !pdf.is_encrypted() {
        return Ok((pdf, false));
    }
    // Still encrypted: the empty user password did not open it.
    match opts.password.as_deref() {
        None | Some("") => Err(Error::PasswordRequired),
        Some(pw) => {
            let pdf = load(bytes, Some(pw), limits, rebuild)?;
            if pdf.is_encrypted() {
                return Err(Error::WrongPassword);
            }
            Ok((pdf, true))
        }
    }
}

/// Whether the page tree shows a damaged cross-reference table: the
/// catalog or the tree is missing, a node of it is, or it has no pages.
fn tree_damaged(pdf: &lopdf::Document) -> bool {
    match pages::walk_nodes(pdf) {
        Ok((pages, unresolved)) => pages.is_empty() || unresolved > 0,
        Err(_) => true,
    }
}

fn page_count(pdf: &lopdf::Document) -> usize {
    pages::walk_nodes(pdf).map_or(0, |(pages, _)| pages.len())
}

/// The document, its cross-reference table rebuilt by a scan for
/// `N G obj` (as poppler, MuPDF and Ghostscript do) when the table as
/// written does not load or loses pages that the scan finds. Returns
/// whether the password was used and whether the table was rebuilt.
fn open_repaired(bytes: &[u8], opts: &IntakeOptions) -> Result<(lopdf::Document, bool, bool)> {
    let (pdf, password_used) = match open(bytes, opts, false) {
        Ok(opened) => opened,
        Err(e @ Error::Damaged { .. }) => match open(bytes, opts, true) {
            Ok((pdf, used)) => return Ok((pdf, used, true)),
            // Cut short before its catalog: what is left of the page tree.
            Err(_) => match salvage::with_catalog(bytes) {
                Some(fixed) => match open(&fixed, opts, true) {
                    Ok((pdf, used)) if page_count(&pdf) > 0 => return Ok((pdf, used, true)),
                    _ => return Err(e),
                },
                None => return Err(e),
            },
        },
        Err(e) => return Err(e),
    };
    if tree_damaged(&pdf)
        && let Ok((rebuilt, used)) = open(bytes, opts, true)
        && page_count(&rebuilt) > page_count(&pdf)
    {
        return Ok((rebuilt, used, true));
    }
    let repaired = pdf.xref_recovery.is_some();
    Ok((pdf, password_used, repaired))
}

fn analyse(bytes: &[u8], opts: &IntakeOptions) -> Result<Document> {
    let limits = &opts.limits;
    let (pdf, password_used, repaired) = open_repaired(bytes, opts)?;

    let mut doc = Document::new(DocumentFormat::Pdf);
    doc.encrypted = pdf.was_encrypted();
    doc.password_used = password_used;
    if repaired {
        doc.repaired = true;
        doc.warnings.push(Warning::Repaired);
    }

    let (nodes, unresolved) = pages::walk_nodes(&pdf)?;
    let pages: Vec<PageInfo> = nodes.iter().map(|(info, _)| *info).collect();
    if pages.is_empty() {
        return Err(Error::NoPages);
    }
    if unresolved > 0 {
        let found = u32::try_from(pages.len()).unwrap_or(u32::MAX);
        let expected = pages::declared_count(&pdf)
            .unwrap_or(0)
            .max(found.saturating_add(u32::try_from(unresolved).unwrap_or(u32::MAX)));
        doc.warnings.push(Warning::MissingPages { found, expected });
    }
    let count = u64::try_from(pages.len()).unwrap_or(u64::MAX);
    if count > u64::from(limits.max_pages) {
        return Err(Error::Limits {
            which: LimitKind::Pages,
            limit: u64::from(limits.max_pages),
            actual: count,
        });
    }
    for page in &pages {
        check_page(page, limits)?;
    }
    let upload_len = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
    let content = usage::content_streams(&pdf, &nodes);
    let mut budget = streams::check(&pdf, &content, upload_len, limits, &mut doc.warnings)?;
    usage::check(&pdf, &nodes, &mut budget, upload_len, limits)?;
    doc.largest_image_bytes = budget.largest_image;
    doc.form_values_to_draw = forms::count(&pdf);

    doc.pages = u32::try_from(pages.len()).unwrap_or(u32::MAX);
    doc.page_info = pages;
    Ok(doc)
}

fn check_page(page: &PageInfo, limits: &Limits) -> Result<()> {
    let (w, h) = (page.width_pt, page.height_pt);
    let long = w.max(h);
    let short = w.min(h);
    if long > limits.max_page_side_pt {
        return Err(Error::Limits {
            which: LimitKind::PageSideMax,
            limit: limits.max_page_side_pt.ceil() as u64,
            actual: long.ceil() as u64,
        });
    }
    if short < limits.min_page_side_pt {
        return Err(Error::Limits {
            which: LimitKind::PageSideMin,
            limit: limits.min_page_side_pt.floor() as u64,
            actual: short.floor() as u64,
        });
    }
    let pixels = fax_page_pixels(w, h);
    if pixels > limits.max_page_pixels {
        return Err(Error::Limits {
            which: LimitKind::PagePixels,
            limit: limits.max_page_pixels,
            actual: pixels,
        });
    }
    Ok(())
}

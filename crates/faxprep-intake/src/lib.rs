//! Intake for faxprep (stage 1 of 6): sniff, limit and validate an
//! upload and its form fields before any work is done.
//!
//! Takes the raw bytes of the fax API's `file` part and its form values
//! ([`FormFields`]) and returns a [`ValidRequest`]: a [`Document`] (what the
//! file is, its pages and their boxes, image header facts, warnings) and
//! [`ValidFields`] (E.164 number, NFC text, booleans), or an [`Error`] that
//! a backend returns as is ([`Error::api_error`], [`Error::http_status`]).
//! Next in the pipeline, `faxprep-raster` renders the pages; the umbrella
//! `faxprep` calls [`intake`] first and re-exports this crate's types.
//!
//! The preparation of a PDF for the renderer lives here too, because it
//! needs lopdf: [`fit_for_renderer`] loads the accepted file once, changes
//! what the [`Document`] says needs changing and writes it once. It writes
//! a cross-reference table that preflight rebuilt (and drops the pages a
//! file cut short has lost), so the renderer sees the pages preflight
//! counted; writes a file opened with the caller's password decrypted;
//! averages oversized images down, streaming, before a renderer would
//! decode them whole ([`shrink_images`]); and draws the values of
//! filled-in form fields that the file leaves to the viewer to draw
//! (`/NeedAppearances`, [`draw_form_values`]), which the renderer does not
//! do: without it a form filled by pypdf or a web service is faxed with
//! its fields empty.
//!
//! Out of scope: decoding pixels for display or rendering (only headers,
//! bounded test inflation and the streaming image shrink happen here),
//! network look-ups (email is checked for syntax only), billing.
//!
//! ```
//! use faxprep_intake::{FormFields, IntakeOptions, Plan, check_document, validate_fields};
//!
//! let png = [
//!     0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n', // signature
//! ];
//! // A bare signature is a PNG that is cut short:
//! let err = check_document(&png, &IntakeOptions::default()).unwrap_err();
//! assert_eq!(err.http_status(), 400);
//!
//! let fields = FormFields {
//!     recipient_number: Some("(212) 555-1234".into()),
//!     sender_name: Some("Dr. Ana Díaz".into()),
//!     sender_email: Some("ana@example.com".into()),
//!     ..FormFields::default()
//! };
//! let valid = validate_fields(&fields, Plan::Free)?;
//! assert_eq!(valid.recipient_number, "+12125551234");
//! assert!(valid.include_cover && valid.send_email);
//! # Ok::<(), faxprep_intake::Error>(())
//! ```
//!
//! # What is checked
//! Sniffing by content only (PDF, JPEG, PNG; TIFF when
//! [`Limits::accept_tiff`] is on). Every declared size is checked against
//! [`Limits`] before anything of that size is allocated: pages, page
//! boxes, image pixels, decompressed bytes per stream and in total, the
//! decompression ratio, nesting depth, XObject depth and uses, calculator
//! operations and work. PDFs are parsed by lopdf on a thread with a
//! 64 MiB stack behind `catch_unwind`, repaired where the cross-reference
//! table is broken ([`Warning::Repaired`]), and followed per use, as the
//! renderer will run them, so the bounds hold in-process as well as in
//! the isolated worker. The test inflation of a PDF's Flate streams runs
//! on up to four threads (as many as the machine has) when they hold
//! 64 KiB or more; the verdict is the one-thread walk's. JPEG and PNG are checked by their markers and
//! chunks; TIFF pages by their directories (bilevel pages also decoded
//! once). What the renderer's decoders cannot read is
//! [`Error::Unsupported`], naming it. Fields: [`validate_fields`] and
//! [`max_chars`]. Format by format: `docs/intake.md`.
//!
//! # Time per file
//! What this stage costs and how well it does, measured, with the commands
//! that give the numbers: [`docs/intake.md`](https://example.invalid/faxprep/docs/intake.md) in the repository.
//!
//! # Dependencies
//! - `lopdf`: PDF object model, xref repair and decryption (RC4, AES-128,
//!   AES-256); default features off (no chrono, no rayon).
//! - `flate2`: streaming inflate with a fixed scratch buffer (test
//!   inflation without allocating the output), the row-by-row inflate and
//!   the deflate of [`shrink_images`], and CRC-32 for PNG chunks; lopdf
//!   already depends on it.
//! - `memchr`: the content scan's jump to the end of a string, a comment
//!   or a hex string (lopdf already depends on it).
//! - `faxprep-codec`: the TIFF directory reader and CCITT decoders that
//!   check a TIFF upload (the same code that writes the fax, so what
//!   intake accepts the raster stage reads).
//! - `phonenumber`: libphonenumber's metadata, to tell US and Canadian area
//!   codes from the other 23 NANP members and premium numbers; only the
//!   +1 regions are loaded (`build.rs` writes them from the crate's own
//!   database), a tenth of the cost of loading all of them.
//! - `email_address`: RFC 5321/5322 address syntax.
//! - `unicode-normalization`: NFC.
//! - `faxprep-text`: sets form values for [`draw_form_values`] (shaping,
//!   kerning, Unicode line breaking, ellipsis) as the cover and the
//!   identification line are set; `dejavu` and `ttf-parser`: the font it
//!   embeds (DejaVu Sans, free licence, the one `faxprep-text` measures)
//!   and its metrics for the PDF font dictionary.
//! - `serde`: [`FormFields`] in, [`ApiError`] out, [`Limits`] and [`Plan`]
//!   both ways (the isolated worker gets the caller's); `thiserror`: Display.
//!
//! # Cargo features
//! None.
//!
//! # Safety
//! Unsafe code is forbidden.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod document;
mod error;
mod exif;
mod fields;
mod jpeg;
mod limits;
mod pdf;
mod png;
mod sniff;
mod tiff;

pub use document::{ColorType, Document, ImageInfo, PageInfo, Rect, Warning};
pub use error::{ApiError, Error, ErrorType, FieldError, LimitKind, formats_hint};
pub use faxprep_page::DocumentFormat;
pub use fields::{
    FormFields, OTHER_DESTINATIONS, ValidFields, max_chars, validate_fields, wants_cover,
};
pub use limits::{IntakeOptions, Limits, Plan, RATIO_FREE_BYTES};

/// Result with this crate's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;

/// A request that passed intake.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ValidRequest {
    /// The uploaded document.
    pub document: Document,
    /// The form fields.
    pub fields: ValidFields,
}

/// Sniff and preflight an upload. Nothing is decoded or rendered; sizes
/// are checked against `opts.limits` before anything could allocate them.
pub fn check_document(bytes: &[u8], opts: &IntakeOptions) -> Result<Document> {
    let limits = &opts.limits;
    if bytes.is_empty() {
        return Err(Error::Empty {
            max_upload_bytes: limits.max_upload_bytes,
        });
    }
    let size = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
    if size > limits.max_upload_bytes {
        return Err(Error::TooLarge {
            limit: limits.max_upload_bytes,
            actual: size,
        });
    }
    match sniff::sniff(bytes) {
        sniff::Sniffed::Accepted(DocumentFormat::Pdf, offset) => {
            pdf::preflight(bytes, offset, opts)
        }
        sniff::Sniffed::Accepted(DocumentFormat::Jpeg, _) => jpeg::preflight(bytes, limits),
        sniff::Sniffed::Accepted(DocumentFormat::Png, _) => png::preflight(bytes, limits),
        sniff::Sniffed::DamagedPng => Err(Error::Damaged {
            format: DocumentFormat::Png,
            reason: "the png signature is corrupt".to_owned(),
        }),
        // The sniffer names TIFF among the other formats; it is read only
        // when the caller turned TIFF uploads on.
        sniff::Sniffed::Other(Some("TIFF")) if limits.accept_tiff => tiff::preflight(bytes, limits),
        sniff::Sniffed::Accepted(DocumentFormat::Tiff, _) => Err(Error::UnsupportedFormat {
            detected: Some("TIFF"),
            max_upload_bytes: limits.max_upload_bytes,
        }),
        sniff::Sniffed::Other(detected) => Err(Error::UnsupportedFormat {
            detected,
            max_upload_bytes: limits.max_upload_bytes,
        }),
    }
}

/// PDF images that decode to more than this many bytes (64 MiB) are
/// worth scaling down before rendering: a renderer decodes an image whole
/// before it scales it to the page. A 600 dpi RGB Letter scan is 101 MB,
/// a 300 dpi one 25 MB.
pub const SHRINK_IMAGES_ABOVE: u64 = 64 * 1024 * 1024;

/// What [`shrink_images`] brings each oversized image down to, at most
/// (32 MiB: the 600 dpi RGB Letter scan averaged 2 x 2, to 300 dpi, still
/// above the fax's 204 dpi).
pub const SHRINK_IMAGES_TO: u64 = 32 * 1024 * 1024;

/// A PDF that [`check_document`] accepted, with every image that decodes
/// to more than [`SHRINK_IMAGES_ABOVE`] averaged down by whole k x k
/// boxes to at most [`SHRINK_IMAGES_TO`], streaming (the image is never
/// decoded whole); `None` when there is nothing to shrink: images in
/// other forms than 8-bit Flate gray, RGB, CMYK or ICC colour without
/// masks or /Decode, damaged image data. An encrypted file comes back
/// decrypted (it is meant for the renderer beside, in memory). Call it when
/// [`Document::largest_image_bytes`] is above [`SHRINK_IMAGES_ABOVE`].
pub fn shrink_images(bytes: &[u8], opts: &IntakeOptions) -> Result<Option<Vec<u8>>> {
    shrink_images_with(bytes, opts, SHRINK_IMAGES_ABOVE, SHRINK_IMAGES_TO)
}

/// [`shrink_images`] with other thresholds, for the fuzz target (which
/// shrinks every image it can, to reach the row decoder with small
/// inputs).
#[doc(hidden)]
pub fn shrink_images_with(
    bytes: &[u8],
    opts: &IntakeOptions,
    above: u64,
    to: u64,
) -> Result<Option<Vec<u8>>> {
    match sniff::sniff(bytes) {
        sniff::Sniffed::Accepted(DocumentFormat::Pdf, _) => {
            pdf::shrink_images(bytes, opts, above, to)
        }
        _ => Ok(None),
    }
}

/// A PDF that [`check_document`] accepted, with the values of its form
/// fields drawn where the file leaves that to the viewer: text and choice
/// fields with a value and `/NeedAppearances true` or no appearance stream
/// (what form fillers other than viewers write) get one, in black DejaVu
/// Sans at the field's font size. `None` when there is nothing to draw.
/// Call it when [`Document::form_values_to_draw`] is above 0: hayro, the
/// renderer, draws appearance streams only.
pub fn draw_form_values(bytes: &[u8], opts: &IntakeOptions) -> Result<Option<Vec<u8>>> {
    match sniff::sniff(bytes) {
        sniff::Sniffed::Accepted(DocumentFormat::Pdf, _) => pdf::draw_form_values(bytes, opts),
        _ => Ok(None),
    }
}

/// An upload that [`check_document`] accepted as `document`, made fit
/// for the renderer in one load and one write: a PDF whose
/// cross-reference table preflight rebuilt is written with the rebuilt
/// table (so the renderer sees the pages preflight counted), images above
/// [`SHRINK_IMAGES_ABOVE`] are shrunk as [`shrink_images`] does, form
/// values are drawn as [`draw_form_values`] does; an encrypted file comes
/// back decrypted, and one that needed the caller's password always does
/// (the password is prepared as the file's revision asks, SASLprep for
/// AES-256 revision 6 (RFC 4013), which the renderer does not do). `None`
/// when nothing needs doing (and for images).
pub fn fit_for_renderer(
    bytes: &[u8],
    document: &Document,
    opts: &IntakeOptions,
) -> Result<Option<Vec<u8>>> {
    match sniff::sniff(bytes) {
        sniff::Sniffed::Accepted(DocumentFormat::Pdf, _) => {
            pdf::fit_for_renderer(bytes, document, opts)
        }
        _ => Ok(None),
    }
}

/// Check the document and the fields together. When both fail, the
/// error is [`Error::Combined`], so the user fixes everything in one
/// round trip.
pub fn intake(bytes: &[u8], fields: &FormFields, opts: &IntakeOptions) -> Result<ValidRequest> {
    let fields = validate_fields(fields, opts.plan);
    let document = check_document(bytes, opts);
    match (document, fields) {
        (Ok(document), Ok(fields)) => Ok(ValidRequest { document, fields }),
        (Err(doc_err), Err(Error::Fields(fields))) => Err(Error::Combined {
            document: Box::new(doc_err),
            fields,
        }),
        (Err(e), _) | (_, Err(e)) => Err(e),
    }
}

/// Page checks for an image upload: it becomes one page, fitted to the
/// fax width after its EXIF orientation.
pub(crate) fn check_image_page(info: &ImageInfo, limits: &Limits) -> Result<()> {
    let (w, h) = info.display_size();
    let pixels = limits::fax_page_pixels(f64::from(w), f64::from(h));
    if pixels > limits.max_page_pixels {
        return Err(Error::Limits {
            which: LimitKind::PagePixels,
            limit: limits.max_page_pixels,
            actual: pixels,
        });
    }
    Ok(())
}

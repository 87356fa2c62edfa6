//! Resource caps for one upload, the plan, and the options of a call.

use serde::{Deserialize, Serialize};

/// The caller's plan. Free requests always get the branded cover page.
/// Serialised as `"free"` or `"paid"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Plan {
    /// The free plan: the branded cover page is always included.
    Free,
    /// A paid plan: the cover page is included only when asked for.
    #[default]
    Paid,
}

/// Resource caps checked before any decoding or rendering. Each is checked
/// on sizes *declared* by the upload (or measured by a bounded test run), so
/// a small file cannot make a later stage allocate or loop without bound.
///
/// Hitting a cap is [`Error::Limits`](crate::Error::Limits), which names the
/// cap ([`LimitKind`](crate::LimitKind)), its value and the value found.
/// [`Limits::default`] is meant for anonymous uploads;
/// [`Limits::unlimited`] disables every cap for trusted callers (the
/// structural checks, loop detection and stack protection stay on).
///
/// Limits serialise with serde (the isolated worker gets the caller's):
/// JSON has no infinity, so an infinite page side travels as `f64::MAX`,
/// which no page reaches either.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Limits {
    /// Largest upload in bytes. Default 4 MiB (4 * 1024 * 1024), as the fax
    /// API documents. Exceeding it is [`Error::TooLarge`](crate::Error::TooLarge).
    pub max_upload_bytes: u64,
    /// Most pages in one document. Default 200 (the corpus' longest valid
    /// document has 117; a fax of more than 200 pages is almost surely a
    /// mistake and would tie up a line for hours).
    pub max_pages: u32,
    /// Most pixels of one page *at fax resolution after fitting to the fax
    /// width*: `1728 x ceil(1728 x (h / w) x 196 / 204)`, where `w` x `h` is
    /// the page after /Rotate (for images: after the EXIF orientation) and
    /// 196 / 204 is the fine-resolution aspect of a fax pixel. That is the
    /// gray buffer faxprep-raster has to fill for the page, so this caps
    /// pages that are extremely long for their width (a 1 pt x 14400 pt
    /// sliver). Default 1728 x 32768 (56.6 Mpx, pages up to about 19 times
    /// longer than wide: a Letter page is 1728 x 2149).
    pub max_page_pixels: u64,
    /// Most pixels (declared width x height) of one image: a JPEG or PNG
    /// upload, a PDF image XObject, or a JPEG / JBIG2 / JPEG 2000 stream
    /// inside a PDF (whose own headers are read too). Default 100 million
    /// (a 600 dpi Letter scan is 33.7 Mpx; the corpus' valid
    /// `ocrmypdf-multipage.pdf` has a 9000 x 9000 = 81 Mpx image on a
    /// 30 in page).
    pub max_image_pixels: u64,
    /// Most bytes one stream may decode to: an image at its declared size
    /// (width x height x components x bits / 8), any other Flate/LZW stream
    /// as measured by a test inflation that stops at this cap, a PDF object
    /// stream while it is loaded. Default 256 MiB.
    pub max_decompressed_bytes: u64,
    /// Most bytes all streams of one document may decode to together
    /// (counted as for [`Limits::max_decompressed_bytes`]). Also bounds the
    /// time preflight spends test-inflating. Default 1 GiB (a 100-page
    /// gray 300 dpi scan declares about 840 MB).
    pub max_total_decompressed_bytes: u64,
    /// Most bytes the whole document may decode to *per byte of upload*,
    /// once it decodes to more than [`RATIO_FREE_BYTES`] (64 MiB) in all:
    /// what makes a decompression bomb is a small file with a huge output.
    /// Default 400. Real documents decode to 3-30 times their size (text,
    /// JPEG scans) and rarely past 250 (the corpus' `ocrmypdf-multipage.pdf`,
    /// 1.1 MB with a 243 MB image among others: 218); the bomb
    /// `ocrmypdf-enormous.pdf` is its one 243 MB page in 310 KB: 784.
    pub max_decompression_ratio: u64,
    /// Largest side of a page box in PDF points (1/72 in), after
    /// /UserUnit. Default 14400 (200 in, the page size limit of ISO 32000-1
    /// Annex C.2).
    #[serde(with = "finite")]
    pub max_page_side_pt: f64,
    /// Smallest side of a page box in points. Default 1 (ISO 32000-1
    /// Annex C.2 minimum is 3 pt; 1 pt tolerates rounding).
    #[serde(with = "finite")]
    pub min_page_side_pt: f64,
    /// Deepest nesting of PDF arrays and dictionaries, found by a byte scan
    /// before the PDF parser runs. Default 64 (real files nest under 10;
    /// the parser's own guard is 100).
    pub max_nesting_depth: u32,
    /// Deepest nesting of form XObjects (and tiling patterns and
    /// annotation appearances, which are drawn the same way) below a page,
    /// as the page's content and each form's `Do` operators call them; a
    /// form that calls itself nests without end. Default 32 (real files
    /// nest a few levels; the renderer stops silently at 50).
    pub max_xobject_depth: u32,
    /// Most XObjects painted in the whole document: every `Do` of every
    /// page's content, each form's `Do`s counted once per time the form
    /// itself is painted (a form that paints another four times, sixteen
    /// levels deep, paints 4^16). Default 250,000 (real files paint from a
    /// few to a few thousand per page).
    pub max_xobject_uses: u64,
    /// Most operators in one PostScript calculator (Type 4) function
    /// (ISO 32000-1 §7.10.5), which the renderer runs once per pixel of a
    /// shading and once per colour of a tint transform. Default 1,000 (tint
    /// transforms and gradients need tens).
    pub max_calculator_ops: u64,
    /// Most calculator operators one page may run when its shadings are
    /// filled in, estimated as (operators of the Type 4 functions of each
    /// shading painted, once per `sh` or pattern use) x (pixels of the page
    /// at fine fax resolution), each shading assumed to cover the page.
    /// Default 500,000,000 (a 134-operator function over a whole Letter
    /// page; 501 operators over one page took 7 s to render on the loaded
    /// 2-core development machine).
    pub max_calculator_work: u64,
    /// Most bytes one compressed PNG metadata chunk (zTXt, iTXt, iCCP) may
    /// inflate to. Default 1 MiB (Pillow's `MAX_TEXT_CHUNK`); nothing a fax
    /// needs is that big, and decoders may inflate these chunks eagerly.
    pub max_metadata_bytes: u64,
    /// Whether TIFF uploads are accepted. Default false: the public fax
    /// API takes PDF, JPEG and PNG only, and a TIFF gets
    /// [`Error::UnsupportedFormat`](crate::Error::UnsupportedFormat). When
    /// true, bilevel fax TIFFs (CCITT G3 1-D/2-D, G4 or uncompressed, any
    /// fill order, width or resolution) are accepted under the same page,
    /// pixel and decompression caps as the other formats; other TIFFs
    /// (colour, gray, JBIG, LZW, tiles) are [`Error::Unsupported`](crate::Error::Unsupported).
    /// Not a cap, so [`Limits::unlimited`] leaves it off too. Absent from
    /// serialised limits means false.
    #[serde(default)]
    pub accept_tiff: bool,
}

/// Documents that decode to at most this many bytes in all (64 MiB,
/// about 17 gray Letter pages at fine resolution) are never rejected for
/// their [`Limits::max_decompression_ratio`]: a tiny file of a few blank
/// JBIG2 pages has a huge ratio but is harmless.
pub const RATIO_FREE_BYTES: u64 = 64 * 1024 * 1024;

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_upload_bytes: 4 * 1024 * 1024,
            max_pages: 200,
            max_page_pixels: 1728 * 32768,
            max_image_pixels: 100_000_000,
            max_decompressed_bytes: 256 * 1024 * 1024,
            max_total_decompressed_bytes: 1024 * 1024 * 1024,
            max_decompression_ratio: 400,
            max_page_side_pt: 14400.0,
            min_page_side_pt: 1.0,
            max_nesting_depth: 64,
            max_xobject_depth: 32,
            max_xobject_uses: 250_000,
            max_calculator_ops: 1_000,
            max_calculator_work: 500_000_000,
            max_metadata_bytes: 1024 * 1024,
            accept_tiff: false,
        }
    }
}

impl Limits {
    /// No caps at all, for trusted callers (e.g. files a clinic produced
    /// itself). Structural checks still run, and PDF parsing still happens
    /// on a thread with a large stack behind a panic guard.
    pub fn unlimited() -> Self {
        Limits {
            max_upload_bytes: u64::MAX,
            max_pages: u32::MAX,
            max_page_pixels: u64::MAX,
            max_image_pixels: u64::MAX,
            max_decompressed_bytes: u64::MAX,
            max_total_decompressed_bytes: u64::MAX,
            max_decompression_ratio: u64::MAX,
            max_page_side_pt: f64::INFINITY,
            min_page_side_pt: 0.0,
            max_nesting_depth: u32::MAX,
            max_xobject_depth: u32::MAX,
            max_xobject_uses: u64::MAX,
            max_calculator_ops: u64::MAX,
            max_calculator_work: u64::MAX,
            max_metadata_bytes: u64::MAX,
            accept_tiff: false,
        }
    }
}

/// A float that JSON can carry: infinities become the largest finite
/// value of their sign (NaN, which no limit is, becomes 0).
mod finite {
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(if v.is_nan() {
            0.0
        } else {
            v.clamp(f64::MIN, f64::MAX)
        })
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        f64::deserialize(d)
    }
}

/// Options of one [`check_document`](crate::check_document) or
/// [`intake`](crate::intake) call.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IntakeOptions {
    /// The caller's plan.
    pub plan: Plan,
    /// Resource caps.
    pub limits: Limits,
    /// The user password of an encrypted PDF, if the user supplied one.
    /// Files whose user password is empty open without it.
    pub password: Option<String>,
}

/// Check a document's decoded size against
/// [`Limits::max_decompression_ratio`] for an upload of `upload_len` bytes.
pub(crate) fn check_ratio(decoded: u64, upload_len: u64, limits: &Limits) -> crate::Result<()> {
    let allowance = limits
        .max_decompression_ratio
        .saturating_mul(upload_len.max(1))
        .max(RATIO_FREE_BYTES);
    if decoded > allowance {
        return Err(crate::Error::Limits {
            which: crate::LimitKind::DecompressionRatio,
            limit: limits.max_decompression_ratio,
            actual: decoded / upload_len.max(1),
        });
    }
    Ok(())
}

/// Pixels of a page of `width` x `height` (any unit, only the ratio
/// counts) at fine fax resolution once fitted to the fax width: see
/// [`Limits::max_page_pixels`]. Saturates instead of overflowing.
pub(crate) fn fax_page_pixels(width: f64, height: f64) -> u64 {
    use faxprep_page::{FAX_WIDTH, Resolution};
    let fine = Resolution::Fine;
    let rows =
        f64::from(FAX_WIDTH) * (height / width) * f64::from(fine.y_dpi()) / f64::from(fine.x_dpi());
    // Non-finite or huge ratios saturate; `as` saturates for f64 -> u64.
    let rows = if rows.is_nan() {
        u64::MAX
    } else {
        rows.ceil() as u64
    };
    rows.saturating_mul(u64::from(FAX_WIDTH))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letter_page_pixels() {
        assert_eq!(fax_page_pixels(612.0, 792.0), 1728 * 2149);
        assert_eq!(fax_page_pixels(0.0, 792.0), u64::MAX);
        assert_eq!(fax_page_pixels(0.0, 0.0), u64::MAX);
        assert!(fax_page_pixels(1.0, 14400.0) > Limits::default().max_page_pixels);
    }
}

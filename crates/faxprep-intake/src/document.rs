//! What preflight learned about an accepted document.

use faxprep_page::DocumentFormat;

/// An accepted upload, as far as preflight looked: nothing here was
/// decoded or rendered.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Document {
    /// What the bytes are.
    pub format: DocumentFormat,
    /// Number of pages (1 for an image).
    pub pages: u32,
    /// Per-page boxes and rotation, in page order (PDF only; empty for
    /// images).
    pub page_info: Vec<PageInfo>,
    /// Whether the PDF is encrypted (including with an empty user password).
    pub encrypted: bool,
    /// Whether the caller's password was needed to open it.
    pub password_used: bool,
    /// Whether the PDF's cross-reference data was damaged and rebuilt.
    pub repaired: bool,
    /// The image's header facts (JPEG and PNG only).
    pub image: Option<ImageInfo>,
    /// The largest declared decoded size of one image XObject, in bytes
    /// (PDF only): above [`SHRINK_IMAGES_ABOVE`](crate::SHRINK_IMAGES_ABOVE)
    /// [`shrink_images`](crate::shrink_images) is worth calling.
    pub largest_image_bytes: u64,
    /// Form field widgets (PDF only) whose value the file asks the viewer
    /// to draw (/NeedAppearances, or no appearance stream): when above 0,
    /// [`draw_form_values`](crate::draw_form_values) draws them, or the
    /// fax shows those fields empty.
    pub form_values_to_draw: u32,
    /// Things that did not stop intake but the user may want to know.
    pub warnings: Vec<Warning>,
}

impl Document {
    pub(crate) fn new(format: DocumentFormat) -> Self {
        Document {
            format,
            pages: 0,
            page_info: Vec::new(),
            encrypted: false,
            password_used: false,
            repaired: false,
            image: None,
            largest_image_bytes: 0,
            form_values_to_draw: 0,
            warnings: Vec::new(),
        }
    }
}

/// A rectangle in PDF user space units (points unless /UserUnit says
/// otherwise): lower-left and upper-right corners, normalised so that
/// `x0 <= x1` and `y0 <= y1`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    /// Left.
    pub x0: f64,
    /// Bottom.
    pub y0: f64,
    /// Right.
    pub x1: f64,
    /// Top.
    pub y1: f64,
}

impl Rect {
    /// Width (`x1 - x0`).
    pub fn width(&self) -> f64 {
        self.x1 - self.x0
    }

    /// Height (`y1 - y0`).
    pub fn height(&self) -> f64 {
        self.y1 - self.y0
    }

    /// The overlap of two rectangles; `None` when they do not overlap.
    pub fn intersect(&self, other: &Rect) -> Option<Rect> {
        let r = Rect {
            x0: self.x0.max(other.x0),
            y0: self.y0.max(other.y0),
            x1: self.x1.min(other.x1),
            y1: self.y1.min(other.y1),
        };
        (r.x0 < r.x1 && r.y0 < r.y1).then_some(r)
    }
}

/// One PDF page's geometry, with inherited attributes resolved.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PageInfo {
    /// The /MediaBox.
    pub media_box: Rect,
    /// The /CropBox clipped to the media box (the media box when absent,
    /// invalid or disjoint), which is what viewers show.
    pub crop_box: Rect,
    /// /Rotate normalised to 0, 90, 180 or 270 (clockwise).
    pub rotate: u16,
    /// /UserUnit (PDF 1.6), points per user space unit; 1 when absent.
    pub user_unit: f64,
    /// Shown width in points: crop box, scaled by the user unit, after
    /// rotation.
    pub width_pt: f64,
    /// Shown height in points, likewise.
    pub height_pt: f64,
}

/// Colour model of an image upload, from its header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ColorType {
    /// Gray (JPEG 1 component, PNG colour type 0).
    Gray,
    /// Gray with alpha (PNG 4).
    GrayAlpha,
    /// RGB (PNG 2, JPEG 3 components with Adobe transform 0).
    Rgb,
    /// RGB with alpha (PNG 6).
    Rgba,
    /// Palette (PNG 3).
    Palette,
    /// YCbCr (JPEG 3 components, the usual case).
    YCbCr,
    /// CMYK (JPEG 4 components, Adobe transform 0 or no APP14).
    Cmyk,
    /// YCCK (JPEG 4 components, Adobe transform 2).
    Ycck,
}

/// Header facts of a JPEG or PNG upload.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct ImageInfo {
    /// Stored width in pixels (before the EXIF orientation is applied).
    pub width: u32,
    /// Stored height in pixels.
    pub height: u32,
    /// EXIF orientation, 1-8 (TIFF 6.0 tag 274); 1 when absent or invalid.
    /// 5-8 swap width and height for display.
    pub orientation: u8,
    /// Colour model.
    pub color: ColorType,
    /// Bits per sample (JPEG 8 or 12; PNG 1, 2, 4, 8 or 16).
    pub bit_depth: u8,
    /// Whether an alpha channel or PNG tRNS transparency is present.
    pub has_alpha: bool,
    /// PNG Adam7 interlacing or progressive JPEG.
    pub interlaced: bool,
    /// Pixel density (horizontal, vertical) in dots per inch, when the
    /// header states one in absolute units (JFIF, PNG pHYs).
    pub dpi: Option<(f64, f64)>,
}

impl ImageInfo {
    /// Width and height as displayed, after the EXIF orientation.
    pub fn display_size(&self) -> (u32, u32) {
        if self.orientation >= 5 {
            (self.height, self.width)
        } else {
            (self.width, self.height)
        }
    }
}

/// Something odd that intake tolerated.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Warning {
    /// The PDF's cross-reference data was damaged and was rebuilt; some
    /// objects may be missing or come from an older revision.
    Repaired,
    /// The `%PDF-` header does not start the file (bytes before it are
    /// ignored, as readers do).
    LeadingJunk {
        /// Offset of `%PDF-`.
        offset: usize,
    },
    /// Pages of the PDF are missing (the file is cut short, or its page
    /// tree names objects that are not there); the pages found are faxed.
    MissingPages {
        /// Pages found.
        found: u32,
        /// Pages the page tree names (at least).
        expected: u32,
    },
    /// A compressed PDF stream is corrupt; renderers will show what they
    /// can salvage of it.
    CorruptStream {
        /// Object number of the stream.
        object: u32,
    },
    /// Some PDF objects could not be decrypted.
    PartlyDecrypted,
    /// The JPEG ends before its end-of-image marker: the bottom of the
    /// picture may be gray.
    TruncatedJpeg,
    /// The image's EXIF orientation tag holds a value outside 1-8; it was
    /// ignored.
    InvalidOrientation {
        /// The value found.
        value: u32,
    },
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Warning::Repaired => {
                f.write_str("the pdf was damaged and has been repaired; check the pages")
            }
            Warning::LeadingJunk { offset } => {
                write!(f, "{offset} bytes before the pdf header were ignored")
            }
            Warning::MissingPages { found, expected } => {
                write!(
                    f,
                    "the pdf is cut short or damaged: only {found} of its {expected} pages could be found"
                )
            }
            Warning::CorruptStream { object } => {
                write!(
                    f,
                    "pdf object {object} is corrupt; part of a page may be missing"
                )
            }
            Warning::PartlyDecrypted => f.write_str("some pdf objects could not be decrypted"),
            Warning::TruncatedJpeg => {
                f.write_str("the jpeg is cut short; the bottom may be missing")
            }
            Warning::InvalidOrientation { value } => {
                write!(f, "exif orientation {value} is invalid and was ignored")
            }
        }
    }
}

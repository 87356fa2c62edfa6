//! Errors of the raster stage, split by whose fault they are.

use std::fmt;

/// Why a document could not be rendered.
///
/// The variants are grouped like image-tiff's: the upload is bad
/// ([`Error::Pdf`], [`Error::Image`], [`Error::Page`]), the upload is valid
/// but not handled ([`Error::Unsupported`]), a resource cap was hit
/// ([`Error::Limits`]), a password is missing or wrong ([`Error::Password`]),
/// or a dependency panicked ([`Error::RendererPanicked`], reported so that
/// one bad document never takes the process down).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The PDF could not be parsed at all (no usable xref, trailer or page
    /// tree, even after hayro's reconstruction).
    Pdf,
    /// The PDF parsed but has no pages.
    NoPages,
    /// The PDF is encrypted and the password given (or the empty password
    /// when none was given) does not open it.
    Password {
        /// Whether the caller supplied a password (`false`: only the empty
        /// password was tried).
        supplied: bool,
    },
    /// The PDF uses an encryption scheme hayro cannot decrypt.
    Encryption,
    /// A single page cannot be rendered.
    Page {
        /// Zero-based page index.
        index: u32,
        /// What is wrong with it.
        kind: PageErrorKind,
    },
    /// The JPEG or PNG is corrupt or truncated.
    Image {
        /// The decoder's message (lower-case, for logs; match on the variant,
        /// not the text).
        message: String,
    },
    /// A valid input that this stage does not handle (12-bit JPEG, ...).
    Unsupported {
        /// What is not supported.
        what: String,
    },
    /// A resource cap in [`crate::Limits`] or [`crate::RasterOptions`] was hit.
    Limits(LimitKind),
    /// The renderer (hayro or the image decoder) panicked on this page; the
    /// panic was caught and the document rejected.
    RendererPanicked {
        /// Zero-based page index (0 for images and for document parsing).
        page: u32,
    },
    /// The caller passed impossible options (zero threads, negative
    /// margins, margins that leave no printable area).
    Usage {
        /// What is wrong.
        message: &'static str,
    },
}

/// What is wrong with one page of a PDF.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum PageErrorKind {
    /// The page tree has no page at this index.
    Missing,
    /// The crop box (intersected with the media box) is empty, not finite
    /// or larger than 14 400 pt (ISO 32000-1 Annex C.2).
    BadPageBox,
}

/// Which resource cap was hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum LimitKind {
    /// The document has more pages than allowed.
    Pages {
        /// Pages in the document.
        pages: u32,
        /// The cap.
        max: u32,
    },
    /// An image is larger than [`crate::Limits::max_image_pixels`].
    ImagePixels {
        /// Image width in pixels.
        width: u32,
        /// Image height in pixels.
        height: u32,
    },
    /// The image decoder needed more memory than
    /// [`crate::Limits::max_decode_bytes`].
    DecodeMemory,
    /// A PDF page draws more path elements and glyphs than one page may
    /// (10 million; a dense page of text draws about 100 000).
    PageContent {
        /// Zero-based page index.
        page: u32,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Pdf => f.write_str("pdf could not be parsed"),
            Error::NoPages => f.write_str("pdf has no pages"),
            Error::Password { supplied: true } => f.write_str("wrong password for encrypted pdf"),
            Error::Password { supplied: false } => {
                f.write_str("pdf is encrypted and needs a password")
            }
            Error::Encryption => f.write_str("pdf uses an unsupported encryption scheme"),
            Error::Page { index, kind } => write!(f, "page {}: {kind}", index + 1),
            Error::Image { message } => write!(f, "image could not be decoded: {message}"),
            Error::Unsupported { what } => write!(f, "unsupported input: {what}"),
            Error::Limits(kind) => write!(f, "limit exceeded: {kind}"),
            Error::RendererPanicked { page } => {
                write!(f, "renderer crashed on page {}", page + 1)
            }
            Error::Usage { message } => write!(f, "invalid raster options: {message}"),
        }
    }
}

impl fmt::Display for PageErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PageErrorKind::Missing => f.write_str("page missing from the page tree"),
            PageErrorKind::BadPageBox => f.write_str("page box is empty, not finite or too large"),
        }
    }
}

impl fmt::Display for LimitKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LimitKind::Pages { pages, max } => write!(f, "{pages} pages, at most {max} allowed"),
            LimitKind::ImagePixels { width, height } => {
                write!(f, "image of {width} x {height} pixels is too large")
            }
            LimitKind::DecodeMemory => f.write_str("image needs too much memory to decode"),
            LimitKind::PageContent { page } => {
                write!(f, "page {} draws too many paths and glyphs", page + 1)
            }
        }
    }
}

impl std::error::Error for Error {}

/// The error of [`crate::render`]: the document failed, or the caller's sink
/// did. Pages already delivered to the sink stay valid either way.
#[derive(Debug)]
#[non_exhaustive]
pub enum RenderError<E> {
    /// Rendering failed.
    Raster(Error),
    /// The sink returned an error; rendering was stopped.
    Sink(E),
}

impl<E: fmt::Display> fmt::Display for RenderError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RenderError::Raster(e) => e.fmt(f),
            RenderError::Sink(e) => write!(f, "page consumer failed: {e}"),
        }
    }
}

impl<E: std::error::Error + 'static> std::error::Error for RenderError<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            RenderError::Raster(e) => Some(e),
            RenderError::Sink(e) => Some(e),
        }
    }
}

impl<E> From<Error> for RenderError<E> {
    fn from(e: Error) -> Self {
        RenderError::Raster(e)
    }
}

/// Result with this crate's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;

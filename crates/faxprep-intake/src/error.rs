//! Errors of intake, and how each one becomes the API's error body.

use faxprep_page::DocumentFormat;
use serde::Serialize;

/// Which cap of [`Limits`](crate::Limits) an upload hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LimitKind {
    /// [`Limits::max_pages`](crate::Limits::max_pages).
    Pages,
    /// [`Limits::max_page_pixels`](crate::Limits::max_page_pixels).
    PagePixels,
    /// [`Limits::max_image_pixels`](crate::Limits::max_image_pixels).
    ImagePixels,
    /// [`Limits::max_decompressed_bytes`](crate::Limits::max_decompressed_bytes).
    DecompressedBytes,
    /// [`Limits::max_total_decompressed_bytes`](crate::Limits::max_total_decompressed_bytes).
    TotalDecompressedBytes,
    /// [`Limits::max_decompression_ratio`](crate::Limits::max_decompression_ratio):
    /// `actual` is the decoded size divided by the upload size (rounded
    /// down), at the point the check stopped.
    DecompressionRatio,
    /// [`Limits::max_page_side_pt`](crate::Limits::max_page_side_pt);
    /// `limit` and `actual` are in whole points (rounded up).
    PageSideMax,
    /// [`Limits::min_page_side_pt`](crate::Limits::min_page_side_pt);
    /// `limit` and `actual` are in whole points (rounded down).
    PageSideMin,
    /// [`Limits::max_nesting_depth`](crate::Limits::max_nesting_depth).
    NestingDepth,
    /// [`Limits::max_metadata_bytes`](crate::Limits::max_metadata_bytes).
    MetadataBytes,
    /// [`Limits::max_xobject_depth`](crate::Limits::max_xobject_depth).
    XObjectDepth,
    /// [`Limits::max_xobject_uses`](crate::Limits::max_xobject_uses).
    XObjectUses,
    /// [`Limits::max_calculator_ops`](crate::Limits::max_calculator_ops).
    CalculatorOps,
    /// [`Limits::max_calculator_work`](crate::Limits::max_calculator_work).
    CalculatorWork,
}

impl LimitKind {
    /// What is counted, for messages.
    pub const fn what(self) -> &'static str {
        match self {
            LimitKind::Pages => "pages",
            LimitKind::PagePixels => "pixels on one page at fax resolution",
            LimitKind::ImagePixels => "pixels in one image",
            LimitKind::DecompressedBytes => "bytes decompressed from one stream",
            LimitKind::TotalDecompressedBytes => "bytes decompressed from all streams",
            LimitKind::DecompressionRatio => "times the file size when decompressed",
            LimitKind::PageSideMax => "points on the longest page side",
            LimitKind::PageSideMin => "points on the shortest page side",
            LimitKind::NestingDepth => "levels of nested objects",
            LimitKind::MetadataBytes => "bytes in one metadata chunk",
            LimitKind::XObjectDepth => "levels of nested forms",
            LimitKind::XObjectUses => "images and forms painted",
            LimitKind::CalculatorOps => "operators in one calculator function",
            LimitKind::CalculatorWork => "calculator operations on one page",
        }
    }

    /// Whether `limit` is a minimum (the value found is below it).
    pub const fn is_minimum(self) -> bool {
        matches!(self, LimitKind::PageSideMin)
    }
}

/// One rejected form field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// The field's API name, camelCase (`recipientNumber`).
    pub field: &'static str,
    /// What is wrong, as a sentence for the user.
    pub message: String,
    /// How to fix it.
    pub hint: String,
}

impl FieldError {
    pub(crate) fn new(
        field: &'static str,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) -> Self {
        FieldError {
            field,
            message: message.into(),
            hint: hint.into(),
        }
    }
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

/// Why intake rejected a request.
///
/// Every variant except [`Error::Internal`] is the upload's or the form's
/// fault (HTTP 400, `error_type` "bad_request"); see [`Error::api_error`].
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    // ---- the upload's fault: what it is -------------------------------
    /// The upload has no bytes.
    #[error("the file is empty")]
    Empty {
        /// The upload size limit, for the hint.
        max_upload_bytes: u64,
    },
    /// The upload is bigger than [`Limits::max_upload_bytes`](crate::Limits::max_upload_bytes).
    #[error("the file is {actual} bytes, the limit is {limit} bytes")]
    TooLarge {
        /// The limit in bytes.
        limit: u64,
        /// The upload's size in bytes.
        actual: u64,
    },
    /// The bytes are not a PDF, JPEG or PNG.
    #[error("{}", match detected {
        Some(name) => format!("{name} files are not supported"),
        None => "the file type is not supported".to_owned(),
    })]
    UnsupportedFormat {
        /// What the bytes look like, when recognised ("TIFF", "Word").
        detected: Option<&'static str>,
        /// The upload size limit, for the hint.
        max_upload_bytes: u64,
    },
    /// The format is right, but the file uses a feature faxprep does not
    /// handle (e.g. certificate-based PDF encryption).
    #[error("unsupported {}: {feature}", format.name())]
    Unsupported {
        /// The sniffed format.
        format: DocumentFormat,
        /// What is not handled.
        feature: String,
    },

    // ---- the upload's fault: it cannot be opened ------------------------
    /// The PDF needs a password and none was given.
    #[error("the pdf is protected by a password")]
    PasswordRequired,
    /// The PDF needs a password and the one given is wrong.
    #[error("the password does not open the pdf")]
    WrongPassword,
    /// The file is damaged beyond repair.
    #[error("the {} file is damaged: {reason}", format.name())]
    Damaged {
        /// The sniffed format.
        format: DocumentFormat,
        /// What is wrong, lower-case.
        reason: String,
    },
    /// The PDF opens but has no pages.
    #[error("the pdf has no pages")]
    NoPages,

    // ---- the upload's fault: too big for its size -----------------------
    /// A cap of [`Limits`](crate::Limits) was hit.
    #[error("{}", limit_message(*which, *limit, *actual))]
    Limits {
        /// Which cap.
        which: LimitKind,
        /// The cap's value.
        limit: u64,
        /// The value found (for a cap that stops counting, at least this).
        actual: u64,
    },

    // ---- the form's fault ------------------------------------------------
    /// One or more form fields are invalid; all of them are listed.
    #[error("{}", join_fields(.0))]
    Fields(Vec<FieldError>),
    /// Both the document and some form fields were rejected
    /// (only [`intake`](crate::intake) returns this).
    #[error("{document}; {}", join_fields(fields))]
    Combined {
        /// The document's error (never `Fields` or `Combined`).
        document: Box<Error>,
        /// The rejected fields.
        fields: Vec<FieldError>,
    },

    // ---- our fault ---------------------------------------------------------
    /// Intake itself failed (e.g. the preflight thread could not start).
    #[error("internal error: {reason}")]
    Internal {
        /// What failed.
        reason: String,
    },
}

fn limit_message(which: LimitKind, limit: u64, actual: u64) -> String {
    if which.is_minimum() {
        format!("{actual} {} is below the minimum of {limit}", which.what())
    } else {
        format!("{actual} {} is over the limit of {limit}", which.what())
    }
}

fn join_fields(fields: &[FieldError]) -> String {
    let parts: Vec<String> = fields.iter().map(ToString::to_string).collect();
    parts.join("; ")
}

/// The body the fax API returns for a rejected request:
/// `{"error": "...", "error_type": "bad_request", "hint": "..."}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct ApiError {
    /// What went wrong, one or more sentences.
    pub error: String,
    /// The kind of error, which also gives the HTTP status.
    pub error_type: ErrorType,
    /// How to fix it.
    pub hint: String,
}

impl ApiError {
    /// A body of `error_type` with its message and hint.
    pub fn new(error_type: ErrorType, error: impl Into<String>, hint: impl Into<String>) -> Self {
        ApiError {
            error: error.into(),
            error_type,
            hint: hint.into(),
        }
    }
}

/// The `error_type` of an API error body, written in snake case
/// (`bad_request`); each has the HTTP status it is answered with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ErrorType {
    /// The caller sent something wrong: the file, a field or an option (400).
    BadRequest,
    /// No or a wrong API key or token (401).
    Unauthorized,
    /// The plan does not allow this fax (402).
    PaymentRequired,
    /// No such fax or route (404).
    NotFound,
    /// The request body is over the size limit (413).
    PayloadTooLarge,
    /// The document hits a resource limit or crashes the renderer (422).
    DocumentTooComplex,
    /// Too many requests for the key or the server (429).
    RateLimited,
    /// Our fault (500).
    InternalError,
    /// The service cannot take work now: shutting down, or no worker (503).
    ServiceUnavailable,
}

impl ErrorType {
    /// Every error type, in status order.
    pub const ALL: [ErrorType; 9] = [
        ErrorType::BadRequest,
        ErrorType::Unauthorized,
        ErrorType::PaymentRequired,
        ErrorType::NotFound,
        ErrorType::PayloadTooLarge,
        ErrorType::DocumentTooComplex,
        ErrorType::RateLimited,
        ErrorType::InternalError,
        ErrorType::ServiceUnavailable,
    ];

    /// The name in the API body (`bad_request`).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorType::BadRequest => "bad_request",
            ErrorType::Unauthorized => "unauthorized",
            ErrorType::PaymentRequired => "payment_required",
            ErrorType::NotFound => "not_found",
            ErrorType::PayloadTooLarge => "payload_too_large",
            ErrorType::DocumentTooComplex => "document_too_complex",
            ErrorType::RateLimited => "rate_limited",
            ErrorType::InternalError => "internal_error",
            ErrorType::ServiceUnavailable => "service_unavailable",
        }
    }

    /// The type named `name` in an API body, if there is one.
    pub fn from_name(name: &str) -> Option<ErrorType> {
        ErrorType::ALL.into_iter().find(|t| t.as_str() == name)
    }

    /// The HTTP status this type is answered with.
    pub fn http_status(self) -> u16 {
        match self {
            ErrorType::BadRequest => 400,
            ErrorType::Unauthorized => 401,
            ErrorType::PaymentRequired => 402,
            ErrorType::NotFound => 404,
            ErrorType::PayloadTooLarge => 413,
            ErrorType::DocumentTooComplex => 422,
            ErrorType::RateLimited => 429,
            ErrorType::InternalError => 500,
            ErrorType::ServiceUnavailable => 503,
        }
    }
}

impl std::fmt::Display for ErrorType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<&str> for ErrorType {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<str> for ErrorType {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

/// The hint for a file that is not one of the accepted kinds.
pub fn formats_hint(max_upload_bytes: u64) -> String {
    format!(
        "Supported formats: PDF, JPG, PNG. Export Word documents as PDF first. Max {}.",
        human_bytes(max_upload_bytes)
    )
}

/// `4194304` -> "4 MB", `1572864` -> "1.5 MB", `2048` -> "2 KB" (binary
/// units, written as people write them).
fn human_bytes(bytes: u64) -> String {
    const KIB: u64 = 1024;
    const MIB: u64 = 1024 * 1024;
    if bytes == u64::MAX {
        return "unlimited".to_owned();
    }
    let (unit, name) = if bytes >= MIB {
        (MIB, "MB")
    } else if bytes >= KIB {
        (KIB, "KB")
    } else {
        (1, "bytes")
    };
    if bytes.is_multiple_of(unit) {
        format!("{} {name}", bytes / unit)
    } else {
        // One decimal, rounded down so "Max 4.9 MB" never overstates.
        let tenths = bytes * 10 / unit;
        format!("{}.{} {name}", tenths / 10, tenths % 10)
    }
}

/// Display text as an API sentence: capitalised, format names in
/// capitals ("pdf" -> "PDF"), a final period.
fn sentence(s: &str) -> String {
    let words: Vec<String> = s
        .split(' ')
        .map(|w| {
            let core = w.trim_end_matches([',', ':', ';', '.', ')']);
            match core {
                "pdf" | "png" | "jpeg" | "jpg" | "exif" => {
                    format!("{}{}", core.to_uppercase(), &w[core.len()..])
                }
                _ => w.to_owned(),
            }
        })
        .collect();
    let joined = words.join(" ");
    let mut chars = joined.chars();
    match chars.next() {
        Some(first) => {
            let mut out: String = first.to_uppercase().collect();
            out.push_str(chars.as_str());
            if !out.ends_with('.') {
                out.push('.');
            }
            out
        }
        None => String::new(),
    }
}

impl Error {
    /// The HTTP status the API answers with: 400 for everything the
    /// client sent, 500 for [`Error::Internal`].
    pub fn http_status(&self) -> u16 {
        match self {
            Error::Internal { .. } => 500,
            _ => 400,
        }
    }

    /// The form fields this error rejects (empty for document errors).
    pub fn field_errors(&self) -> &[FieldError] {
        match self {
            Error::Fields(fields) | Error::Combined { fields, .. } => fields,
            _ => &[],
        }
    }

    /// The document error, if the document was rejected.
    pub fn document_error(&self) -> Option<&Error> {
        match self {
            Error::Fields(_) => None,
            Error::Combined { document, .. } => Some(document),
            other => Some(other),
        }
    }

    /// The API's error body for this error.
    pub fn api_error(&self) -> ApiError {
        let error_type = match self {
            Error::Internal { .. } => ErrorType::InternalError,
            _ => ErrorType::BadRequest,
        };
        ApiError {
            error: self.api_message(),
            error_type,
            hint: self.hint(),
        }
    }

    fn api_message(&self) -> String {
        match self {
            Error::Fields(fields) => fields
                .iter()
                .map(|f| f.message.clone())
                .collect::<Vec<_>>()
                .join(" "),
            Error::Combined { document, fields } => {
                let mut parts = vec![document.api_message()];
                parts.extend(fields.iter().map(|f| f.message.clone()));
                parts.join(" ")
            }
            Error::TooLarge { limit, actual } => {
                format!(
                    "The file is {}, larger than the {} limit.",
                    human_bytes(*actual),
                    human_bytes(*limit)
                )
            }
            other => sentence(&other.to_string()),
        }
    }

    /// How the user can fix it.
    pub fn hint(&self) -> String {
        match self {
            Error::Empty { max_upload_bytes } | Error::UnsupportedFormat { max_upload_bytes, .. } => {
                formats_hint(*max_upload_bytes)
            }
            Error::TooLarge { limit, .. } => formats_hint(*limit),
            Error::Unsupported { format: DocumentFormat::Tiff, .. } => {
                "TIFF pages are read in CCITT G3 or G4, LZW, Deflate, JPEG, PackBits or no compression, as black and white, gray, RGB or CMYK: save the pages as PDF or PNG, or as such a TIFF, and upload that.".to_owned()
            }
            Error::Unsupported { .. } => {
                "Print the document to a new PDF (or save the image as PNG) and upload that.".to_owned()
            }
            Error::PasswordRequired => {
                "Remove the password from the PDF (open it and save or print a copy without protection), or supply the password.".to_owned()
            }
            Error::WrongPassword => {
                "Check the password, or remove the password from the PDF and upload the unprotected copy.".to_owned()
            }
            Error::Damaged { format, .. } => match format {
                DocumentFormat::Pdf => "Open the file on your computer and print it to a new PDF, then upload that.".to_owned(),
                _ => "Open the image and save it again as PNG or JPG, then upload that.".to_owned(),
            },
            Error::NoPages => "Upload a PDF that has at least one page.".to_owned(),
            Error::Limits { which, .. } => match which {
                LimitKind::Pages => "Split the document and send it as several faxes.".to_owned(),
                LimitKind::PageSideMax | LimitKind::PageSideMin | LimitKind::PagePixels => {
                    "Print the document to a new PDF on Letter or A4 paper, then upload that.".to_owned()
                }
                LimitKind::ImagePixels => {
                    "Scale the image down (300 dpi is plenty for a fax) or print it to a PDF, then upload that.".to_owned()
                }
                _ => "Open the file on your computer and print it to a new PDF, then upload that.".to_owned(),
            },
            Error::Fields(fields) => fields.iter().map(|f| f.hint.clone()).collect::<Vec<_>>().join(" "),
            Error::Combined { document, fields } => {
                let mut parts = vec![document.hint()];
                parts.extend(fields.iter().map(|f| f.hint.clone()));
                parts.join(" ")
            }
            Error::Internal { .. } => "Try again in a minute; if it keeps failing, contact support.".to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_bytes_reads_naturally() {
        assert_eq!(human_bytes(4 * 1024 * 1024), "4 MB");
        assert_eq!(human_bytes(1024 * 1024 * 3 / 2), "1.5 MB");
        assert_eq!(human_bytes(2048), "2 KB");
        assert_eq!(human_bytes(10), "10 bytes");
        assert_eq!(human_bytes(u64::MAX), "unlimited");
    }

    #[test]
    fn format_hint_is_exact() {
        assert_eq!(
            formats_hint(4 * 1024 * 1024),
            "Supported formats: PDF, JPG, PNG. Export Word documents as PDF first. Max 4 MB."
        );
    }

    #[test]
    fn api_sentences_capitalise_format_names() {
        assert_eq!(
            Error::PasswordRequired.api_error().error,
            "The PDF is protected by a password."
        );
        let e = Error::Damaged {
            format: DocumentFormat::Png,
            reason: "the file is cut short".into(),
        };
        assert_eq!(
            e.to_string(),
            "the png file is damaged: the file is cut short"
        );
        assert_eq!(
            e.api_error().error,
            "The PNG file is damaged: the file is cut short."
        );
    }

    #[test]
    fn limit_display_is_lower_case() {
        let e = Error::Limits {
            which: LimitKind::Pages,
            limit: 200,
            actual: 300,
        };
        assert_eq!(e.to_string(), "300 pages is over the limit of 200");
        assert_eq!(e.api_error().error, "300 pages is over the limit of 200.");
    }
}

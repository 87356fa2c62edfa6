//! One error type for the whole pipeline, and its API body.

use crate::billing::BillingError;
use crate::isolate::IsolationError;
use serde::{Deserialize, Serialize};

pub use faxprep_intake::ApiError;

/// Why a fax could not be prepared. Each stage's error is wrapped with its
/// context; [`Error::api_error`] and [`Error::http_status`] give what the
/// fax API answers.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// Intake rejected the upload or the form fields (HTTP 400).
    Intake(faxprep_intake::Error),
    /// The plan does not allow this fax (HTTP 402).
    Billing(BillingError),
    /// A page could not be rendered.
    Raster {
        /// The page of the upload, from 0, when one page is to blame.
        page: Option<u32>,
        /// The renderer's error.
        source: faxprep_raster::Error,
    },
    /// The cover could not be made (a caller bug: intake checks the fields).
    Cover(faxprep_cover::Error),
    /// A page could not be written to the TIFF (a bug: pages are ours).
    Tiff(faxprep_codec::tiff::Error),
    /// The PDF could not be written.
    Pdf {
        /// lopdf's message.
        message: String,
    },
    /// The isolated worker died, timed out or answered nonsense.
    Isolation(IsolationError),
    /// The isolated worker rejected the upload; its answer, as the API body.
    Rejected {
        /// The API body the worker produced.
        body: ApiError,
        /// Its HTTP status.
        status: u16,
    },
    /// The options are inconsistent (a caller bug).
    Usage {
        /// What is wrong.
        message: String,
    },
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Intake(e) => write!(f, "upload rejected: {e}"),
            Error::Billing(e) => e.fmt(f),
            Error::Raster {
                page: Some(page),
                source,
            } => {
                write!(f, "rendering page {} failed: {source}", page + 1)
            }
            Error::Raster { page: None, source } => write!(f, "rendering failed: {source}"),
            Error::Cover(e) => write!(f, "cover page: {e}"),
            Error::Tiff(e) => write!(f, "writing the tiff: {e}"),
            Error::Pdf { message } => write!(f, "writing the pdf: {message}"),
            Error::Isolation(e) => e.fmt(f),
            Error::Rejected { body, .. } => f.write_str(&body.error),
            Error::Usage { message } => write!(f, "invalid options: {message}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Intake(e) => Some(e),
            Error::Billing(e) => Some(e),
            Error::Raster { source, .. } => Some(source),
            Error::Cover(e) => Some(e),
            Error::Tiff(e) => Some(e),
            // Its Display is this error's own: not repeated as a source.
            _ => None,
        }
    }
}

const TOO_COMPLEX_HINT: &str = "The document is too complex to fax as it is. Print it to a new \
    PDF (or export fewer pages, or save images as PNG) and upload that.";

fn body(error_type: &str, error: String, hint: &str) -> ApiError {
    ApiError {
        error,
        error_type: error_type.into(),
        hint: hint.into(),
    }
}

/// Upper-case the first letter and end with a period, as the API's
/// messages read.
fn sentence(s: String) -> String {
    let mut chars = s.chars();
    let mut out: String = chars
        .next()
        .map(|c| c.to_uppercase().collect())
        .unwrap_or_default();
    out.push_str(chars.as_str());
    if !out.ends_with('.') {
        out.push('.');
    }
    out
}

impl Error {
    pub(crate) fn from_raster(source: faxprep_raster::Error) -> Error {
        let page = match &source {
            faxprep_raster::Error::Page { index, .. } => Some(*index),
            faxprep_raster::Error::RendererPanicked { page } => Some(*page),
            _ => None,
        };
        Error::Raster { page, source }
    }

    /// The `error_type` of the API body: `bad_request`, `payment_required`,
    /// `document_too_complex` or `internal_error`.
    pub fn error_type(&self) -> &str {
        use faxprep_raster::Error as R;
        match self {
            Error::Intake(e) => match e.http_status() {
                500 => "internal_error",
                _ => "bad_request",
            },
            Error::Billing(BillingError::FreePlanPageLimit { .. }) => "payment_required",
            Error::Billing(_) => "bad_request",
            Error::Raster {
                source: R::Limits(_) | R::RendererPanicked { .. },
                ..
            } => "document_too_complex",
            Error::Raster {
                source: R::Usage { .. },
                ..
            } => "internal_error",
            Error::Raster { .. } => "bad_request",
            Error::Isolation(
                IsolationError::Spawn { .. }
                | IsolationError::NoWorker { .. }
                | IsolationError::Busy { .. }
                | IsolationError::BadResponse { .. },
            ) => "internal_error",
            Error::Isolation(_) => "document_too_complex",
            Error::Rejected { body, .. } => &body.error_type,
            Error::Cover(_) | Error::Tiff(_) | Error::Pdf { .. } | Error::Usage { .. } => {
                "internal_error"
            }
        }
    }

    /// The HTTP status the API answers with.
    pub fn http_status(&self) -> u16 {
        match self {
            Error::Intake(e) => e.http_status(),
            Error::Rejected { status, .. } => *status,
            Error::Isolation(IsolationError::Busy { .. }) => 503,
            _ => match self.error_type() {
                "payment_required" => 402,
                "document_too_complex" => 422,
                "internal_error" => 500,
                _ => 400,
            },
        }
    }

    /// The API's error body: `{"error": ..., "error_type": ..., "hint": ...}`.
    pub fn api_error(&self) -> ApiError {
        use faxprep_raster::Error as R;
        let error_type = self.error_type().to_owned();
        match self {
            Error::Intake(e) => e.api_error(),
            Error::Rejected { body, .. } => body.clone(),
            Error::Billing(e @ BillingError::FreePlanPageLimit { .. }) => body(
                &error_type,
                sentence(e.to_string()),
                "Upgrade to a paid plan to send longer faxes, or send fewer pages.",
            ),
            Error::Raster {
                source: R::Password { .. },
                ..
            } => body(
                &error_type,
                sentence(self.to_string()),
                "Remove the password from the PDF (print it to a new PDF) or supply the password.",
            ),
            Error::Raster {
                source: R::Limits(_) | R::RendererPanicked { .. },
                ..
            }
            | Error::Isolation(_) => {
                if matches!(self, Error::Isolation(IsolationError::Busy { .. })) {
                    body(
                        &error_type,
                        "The server is busy.".into(),
                        "Try again in a minute.",
                    )
                } else if error_type == "internal_error" {
                    // The worker's own words are not repeated to the user.
                    body(
                        &error_type,
                        "The document could not be prepared because of an internal error.".into(),
                        "Try again later.",
                    )
                } else {
                    body(&error_type, sentence(self.to_string()), TOO_COMPLEX_HINT)
                }
            }
            Error::Raster { .. } | Error::Billing(_) => body(
                &error_type,
                sentence(self.to_string()),
                "Print the document to a new PDF (or save the image as PNG) and upload that.",
            ),
            _ => body(
                &error_type,
                sentence(self.to_string()),
                "This is our fault; try again later.",
            ),
        }
    }
}

/// An error as the isolated worker sends it back.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct WireError {
    pub error: String,
    pub error_type: String,
    pub hint: String,
    pub status: u16,
}

impl From<&Error> for WireError {
    fn from(e: &Error) -> Self {
        let b = e.api_error();
        WireError {
            error: b.error,
            error_type: b.error_type,
            hint: b.hint,
            status: e.http_status(),
        }
    }
}

impl From<WireError> for Error {
    fn from(w: WireError) -> Self {
        Error::Rejected {
            body: ApiError {
                error: w.error,
                error_type: w.error_type,
                hint: w.hint,
            },
            status: w.status,
        }
    }
}

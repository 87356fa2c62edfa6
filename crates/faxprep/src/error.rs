//! One error type for the whole pipeline, and its API body.

use crate::billing::BillingError;
use crate::spawn::IsolationError;
use serde::{Deserialize, Serialize};

pub use faxprep_intake::{ApiError, ErrorType};

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
    /// An option given by name and value (a form field, a flag, a tool
    /// argument) has a value it cannot take: the caller's mistake (HTTP 400).
    InvalidOption {
        /// The option's name as the caller gave it (`resolution`).
        name: String,
        /// The value given.
        value: String,
        /// What it can be.
        expected: String,
    },
    /// Something that cannot happen did: our bug, not the caller's (HTTP
    /// 500). The message is for logs; the API body does not repeat it.
    Internal {
        /// What went wrong.
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
            Error::InvalidOption {
                name,
                value,
                expected,
            } => write!(f, "{name} cannot be {value:?}: expected {expected}"),
            Error::Internal { message } => write!(f, "internal error: {message}"),
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

fn body(error_type: ErrorType, error: String, hint: &str) -> ApiError {
    ApiError::new(error_type, error, hint)
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

    /// The `error_type` of the API body.
    pub fn error_type(&self) -> ErrorType {
        use faxprep_raster::Error as R;
        match self {
            Error::Intake(e) => e.api_error().error_type,
            Error::Billing(BillingError::FreePlanPageLimit { .. }) => ErrorType::PaymentRequired,
            Error::Billing(_) => ErrorType::BadRequest,
            Error::Raster {
                source: R::Limits(_) | R::RendererPanicked { .. },
                ..
            } => ErrorType::DocumentTooComplex,
            Error::Raster {
                source: R::Usage { .. },
                ..
            } => ErrorType::InternalError,
            Error::Raster { .. } => ErrorType::BadRequest,
            Error::Isolation(IsolationError::Busy { .. }) => ErrorType::ServiceUnavailable,
            Error::Isolation(
                IsolationError::Spawn { .. }
                | IsolationError::NoWorker { .. }
                | IsolationError::BadResponse { .. },
            ) => ErrorType::InternalError,
            Error::Isolation(_) => ErrorType::DocumentTooComplex,
            Error::Rejected { body, .. } => body.error_type,
            Error::InvalidOption { .. } => ErrorType::BadRequest,
            Error::Cover(_) | Error::Tiff(_) | Error::Pdf { .. } | Error::Internal { .. } => {
                ErrorType::InternalError
            }
        }
    }

    /// Whether the caller can fix this (a 4xx); otherwise it is ours or the
    /// server's (a 5xx).
    pub fn is_callers(&self) -> bool {
        self.http_status() < 500
    }

    /// The HTTP status the API answers with.
    pub fn http_status(&self) -> u16 {
        match self {
            Error::Intake(e) => e.http_status(),
            Error::Rejected { status, .. } => *status,
            _ => self.error_type().http_status(),
        }
    }

    /// The API's error body: `{"error": ..., "error_type": ..., "hint": ...}`.
    pub fn api_error(&self) -> ApiError {
        use faxprep_raster::Error as R;
        let error_type = self.error_type();
        match self {
            Error::Intake(e) => e.api_error(),
            Error::Rejected { body, .. } => body.clone(),
            Error::Billing(e @ BillingError::FreePlanPageLimit { .. }) => body(
                error_type,
                sentence(e.to_string()),
                "Upgrade to a paid plan to send longer faxes, or send fewer pages.",
            ),
            Error::Raster {
                source: R::Password { .. },
                ..
            } => body(
                error_type,
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
                        error_type,
                        "The server is busy.".into(),
                        "Try again in a minute.",
                    )
                } else if error_type == ErrorType::InternalError {
                    // The worker's own words are not repeated to the user.
                    body(
                        error_type,
                        "The document could not be prepared because of an internal error.".into(),
                        "Try again later.",
                    )
                } else {
                    body(error_type, sentence(self.to_string()), TOO_COMPLEX_HINT)
                }
            }
            Error::InvalidOption { expected, .. } => body(
                error_type,
                sentence(self.to_string()),
                &format!("Use one of: {expected}."),
            ),
            Error::Internal { .. } => body(
                error_type,
                "The document could not be prepared because of an internal error.".into(),
                "This is our fault; try again later.",
            ),
            Error::Raster { .. } | Error::Billing(_) => body(
                error_type,
                sentence(self.to_string()),
                "Print the document to a new PDF (or save the image as PNG) and upload that.",
            ),
            _ => body(
                error_type,
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
            error: one_line(&b.error),
            error_type: b.error_type.as_str().into(),
            hint: one_line(&b.hint),
            status: e.http_status(),
        }
    }
}

/// A message as the worker may send it: one line (a decoder's message may
/// hold line breaks or other control characters, which the parent
/// refuses), at most 1000 characters.
fn one_line(text: &str) -> String {
    const MAX: usize = 1000;
    let line = text
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    match line.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None => line,
    }
}

impl WireError {
    /// The rejection this is, when its type is one the API knows.
    pub(crate) fn into_error(self) -> Option<Error> {
        Some(Error::Rejected {
            body: ApiError::new(
                ErrorType::from_name(&self.error_type)?,
                self.error,
                self.hint,
            ),
            status: self.status,
        })
    }
}

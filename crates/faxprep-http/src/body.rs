//! The API's error body as an HTTP response, and the multipart form read
//! into memory under the caps.

use axum::extract::Multipart;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use faxprep::{ApiError, ErrorType};

/// What a handler tells the log about its request (never a document byte,
/// phone number or email address).
#[derive(Debug, Clone, Default)]
pub(crate) struct LogFacts {
    /// The `error_type` of a rejection.
    pub error_type: Option<String>,
    /// Pages of a prepared fax.
    pub pages: Option<u32>,
    /// Bytes of the upload.
    pub upload_bytes: Option<u64>,
    /// Seconds the job took, queue excluded.
    pub job_seconds: Option<f64>,
}

/// A rejection: the API's body `{"error","error_type","hint"}` (plus
/// `retry_after` for 402, 429 and 503) with its status and headers.
#[derive(Debug)]
pub(crate) struct ApiFailure {
    pub status: StatusCode,
    pub body: ApiError,
    pub retry_after: Option<u64>,
    pub headers: Box<HeaderMap>,
}

impl ApiFailure {
    pub fn new(error_type: ErrorType, error: impl Into<String>, hint: impl Into<String>) -> Self {
        ApiFailure {
            status: StatusCode::from_u16(error_type.http_status())
                .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            body: ApiError::new(error_type, error, hint),
            retry_after: None,
            headers: Box::default(),
        }
    }

    /// The library's error, as the API answers it.
    pub fn from_fax(e: &faxprep::Error) -> ApiFailure {
        let failure = ApiFailure {
            status: StatusCode::from_u16(e.http_status())
                .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            body: e.api_error(),
            retry_after: None,
            headers: Box::default(),
        };
        if failure.status == StatusCode::SERVICE_UNAVAILABLE {
            failure.retry_after(5)
        } else {
            failure
        }
    }

    /// Add `Retry-After` and the body's `retry_after` (whole seconds, at
    /// least 1).
    pub fn retry_after(mut self, seconds: u64) -> ApiFailure {
        let seconds = seconds.max(1);
        self.headers
            .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        self.retry_after = Some(seconds);
        self
    }

    pub fn error_type(&self) -> ErrorType {
        self.body.error_type
    }

    pub fn payload_too_large(max_upload: u64) -> ApiFailure {
        ApiFailure::new(
            ErrorType::PayloadTooLarge,
            format!(
                "The request is too large: the file may be at most {} MiB.",
                max_upload / (1024 * 1024)
            ),
            "Send a smaller file: print the document to a new PDF, export fewer pages, or save \
             images as JPEG.",
        )
    }

    pub fn queue_full(retry: u64) -> ApiFailure {
        ApiFailure::new(
            ErrorType::RateLimited,
            "The server is busy: every job slot and queue place is taken.",
            "Try again after the number of seconds in Retry-After.",
        )
        .retry_after(retry)
    }

    pub fn internal(error: &str) -> ApiFailure {
        ApiFailure::new(
            ErrorType::InternalError,
            error,
            "This is our fault; try again later.",
        )
    }
}

impl IntoResponse for ApiFailure {
    fn into_response(self) -> Response {
        let facts = LogFacts {
            error_type: Some(self.error_type().as_str().to_owned()),
            ..LogFacts::default()
        };
        let mut body = serde_json::to_value(&self.body).unwrap_or_else(|_| serde_json::json!({}));
        if let (Some(seconds), serde_json::Value::Object(map)) = (self.retry_after, &mut body) {
            map.insert("retry_after".into(), seconds.into());
        }
        let mut response = (self.status, axum::Json(body)).into_response();
        response.headers_mut().extend(*self.headers);
        response.extensions_mut().insert(facts);
        response
    }
}

/// The most bytes of one text field.
const MAX_FIELD_BYTES: usize = 16 * 1024;
/// The most fields of one form.
const MAX_FIELDS: usize = 64;

/// A multipart form in memory: the `file` and the text fields in order.
pub(crate) struct Form {
    pub file: Option<Vec<u8>>,
    pub fields: Vec<(String, String)>,
}

/// Read the form, the file at most `max_file` bytes (413 beyond, as the
/// body cap), text fields at most 16 KiB and 64 fields (400 beyond).
pub(crate) async fn read_form(mut multipart: Multipart, max_file: u64) -> Result<Form, ApiFailure> {
    let mut form = Form {
        file: None,
        fields: Vec::new(),
    };
    let mut count = 0;
    while let Some(mut field) = multipart
        .next_field()
        .await
        .map_err(|e| multipart_error(&e, max_file))?
    {
        count += 1;
        if count > MAX_FIELDS {
            return Err(bad_form(&format!(
                "The form has more than {MAX_FIELDS} fields."
            )));
        }
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            if form.file.is_some() {
                return Err(bad_form("The form has more than one file."));
            }
            let mut bytes = Vec::new();
            while let Some(chunk) = field
                .chunk()
                .await
                .map_err(|e| multipart_error(&e, max_file))?
            {
                if (bytes.len() + chunk.len()) as u64 > max_file {
                    return Err(ApiFailure::payload_too_large(max_file));
                }
                bytes.extend_from_slice(&chunk);
            }
            form.file = Some(bytes);
        } else {
            let mut bytes = Vec::new();
            while let Some(chunk) = field
                .chunk()
                .await
                .map_err(|e| multipart_error(&e, max_file))?
            {
                if bytes.len() + chunk.len() > MAX_FIELD_BYTES {
                    return Err(bad_form(&format!(
                        "The field {} is longer than {} KiB.",
                        printable(&name),
                        MAX_FIELD_BYTES / 1024
                    )));
                }
                bytes.extend_from_slice(&chunk);
            }
            let value = String::from_utf8(bytes).map_err(|_| {
                bad_form(&format!(
                    "The field {} is not UTF-8 text.",
                    printable(&name)
                ))
            })?;
            form.fields.push((name, value));
        }
    }
    Ok(form)
}

/// A field name as it may appear in a message: at most 40 plain
/// characters.
pub(crate) fn printable(name: &str) -> String {
    let clean: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        .take(40)
        .collect();
    format!("\"{clean}\"")
}

fn bad_form(error: &str) -> ApiFailure {
    ApiFailure::new(
        ErrorType::BadRequest,
        error,
        "Send multipart/form-data with the file in the field \"file\" and the other fields as \
         text.",
    )
}

fn multipart_error(e: &axum::extract::multipart::MultipartError, max_file: u64) -> ApiFailure {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiFailure::payload_too_large(max_file)
    } else {
        bad_form("The multipart form could not be read.")
    }
}

/// The request's form, or a 400 when it is not multipart.
pub(crate) fn multipart_rejection(
    rejection: &axum::extract::multipart::MultipartRejection,
) -> ApiFailure {
    let _ = rejection;
    bad_form("The request is not multipart/form-data.")
}

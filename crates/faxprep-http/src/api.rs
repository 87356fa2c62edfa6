//! The router and the `/v1` routes: prepare, inspect, quote, health and
//! metrics.

use crate::AppState;
use crate::body::{ApiFailure, LogFacts, multipart_rejection, read_form};
use crate::jobs::Admission;
use crate::log;
use axum::Router;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{DefaultBodyLimit, Multipart, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use faxprep::request::{FORM_FIELDS, Output, RequestValues};
use faxprep::{ErrorType, FormFields, Options, PreparedFax};
use std::sync::Arc;

/// The service's router over its shared state.
pub fn router_for(config: crate::Config) -> Result<Router, crate::ServeError> {
    Ok(router(crate::AppState::new(config)?))
}

pub(crate) fn router(state: Arc<AppState>) -> Router {
    let v1 = Router::new()
        .route("/v1/prepare", post(prepare))
        .route("/v1/inspect", post(inspect))
        .route("/v1/quote", post(quote))
        .route("/metrics", get(metrics))
        .route_layer(axum::middleware::from_fn_with_state(
            Arc::clone(&state),
            bearer,
        ));
    let mut app = Router::new().merge(v1).route("/healthz", get(healthz));
    if state.sandbox.is_some() {
        app = app.merge(crate::sandbox::routes());
    }
    app.fallback(not_found)
        .layer(DefaultBodyLimit::max(state.config.max_body_bytes))
        .layer(axum::middleware::from_fn_with_state(
            Arc::clone(&state),
            log::middleware,
        ))
        .with_state(state)
}

async fn not_found() -> ApiFailure {
    ApiFailure::new(
        ErrorType::NotFound,
        "There is no such route.",
        "See the README for the routes: POST /v1/prepare, /v1/inspect, /v1/quote; GET \
         /healthz, /metrics.",
    )
}

/// `Authorization: Bearer TOKEN` when the service has a token.
async fn bearer(State(state): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    if let Some(token) = &state.config.token {
        let given = request
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or("");
        if !same_secret(given.as_bytes(), token.as_bytes()) {
            let mut failure = ApiFailure::new(
                ErrorType::Unauthorized,
                "A valid bearer token is required.",
                "Send the header Authorization: Bearer <token> with the token the service was \
                 started with.",
            );
            failure
                .headers
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            return failure.into_response();
        }
    }
    next.run(request).await
}

/// Compare secrets in time independent of where they differ.
pub(crate) fn same_secret(a: &[u8], b: &[u8]) -> bool {
    let mut diff = a.len() ^ b.len();
    for (i, x) in a.iter().enumerate() {
        diff |= usize::from(x ^ b.get(i % b.len().max(1)).copied().unwrap_or(0));
    }
    diff == 0
}

/// What `/v1/prepare` answers with: the `output` field, else `Accept`
/// (`application/pdf`, `application/json`), else the TIFF.
fn output_from(asked: Option<Output>, headers: &HeaderMap) -> Output {
    if let Some(output) = asked {
        return output;
    }
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if accept.contains("application/pdf") {
        Output::Pdf
    } else if accept.contains("application/json") && !accept.contains("image/tiff") {
        Output::Json
    } else {
        Output::Tiff
    }
}

/// The form's fields and options, as the library takes them.
pub(crate) struct FaxRequest {
    pub upload: Vec<u8>,
    pub fields: FormFields,
    pub options: Options,
    pub output: Option<Output>,
}

/// Turn the form into the library's fields and options (unknown names are
/// a 400); `engine_options` allows the engine's options beside the
/// send-fax fields.
pub(crate) fn request_values(
    state: &AppState,
    form: crate::body::Form,
    engine_options: bool,
) -> Result<FaxRequest, ApiFailure> {
    let upload = form.file.ok_or_else(|| {
        ApiFailure::new(
            ErrorType::BadRequest,
            "The form has no file.",
            "Send the document in the multipart field \"file\" (PDF, JPEG or PNG).",
        )
    })?;
    let mut values = RequestValues::default();
    for (name, value) in form.fields {
        if !engine_options && !FORM_FIELDS.contains(&name.as_str()) {
            return Err(ApiFailure::new(
                ErrorType::BadRequest,
                format!("Unknown field {}.", crate::body::printable(&name)),
                format!("The fields are: file, {}.", FORM_FIELDS.join(", ")),
            ));
        }
        values
            .set(&name, value)
            .map_err(|e| ApiFailure::from_fax(&e))?;
    }
    let output = values
        .options
        .output()
        .map_err(|e| ApiFailure::from_fax(&e))?;
    let options = values
        .options
        .options(base_options(state)?)
        .map_err(|e| ApiFailure::from_fax(&e))?;
    Ok(FaxRequest {
        upload,
        fields: values.fields,
        options,
        output,
    })
}

/// The default options with the service's isolation, the worker's wall
/// clock the job's, the date now.
pub(crate) fn base_options(state: &AppState) -> Result<Options, ApiFailure> {
    let mut options = Options::default();
    // The cover's date: now, in UTC unless the request names a zone.
    options.date = faxprep::date::now(None).map_err(|e| ApiFailure::from_fax(&e))?;
    options.isolation = state.config.isolation.clone();
    if let faxprep::Isolation::Process(worker) = &mut options.isolation {
        worker.limits.wall = state.config.job_timeout;
    }
    if let Some(brand) = &state.config.brand {
        options.brand = brand.clone();
    }
    options.limits.accept_tiff = state.config.accept_tiff;
    Ok(options)
}

/// Prepare on a job slot; the error as the API answers it, counted.
pub(crate) async fn prepare_job(
    state: &Arc<AppState>,
    admission: Admission<'_>,
    upload: Vec<u8>,
    fields: FormFields,
    options: Options,
) -> Result<(PreparedFax, LogFacts), ApiFailure> {
    let upload_bytes = upload.len() as u64;
    let done = state
        .jobs
        .run(admission, state.config.job_timeout, move || {
            let result = faxprep::prepare(&upload, &fields, &options);
            drop(upload);
            result
        })
        .await?;
    let mut facts = LogFacts {
        upload_bytes: Some(upload_bytes),
        job_seconds: Some(done.seconds),
        ..LogFacts::default()
    };
    match done.result {
        Ok(fax) => {
            state.metrics.job("ok", done.seconds, upload_bytes);
            facts.pages = Some(fax.total_pages);
            Ok((fax, facts))
        }
        Err(e) => {
            let failure = ApiFailure::from_fax(&e);
            state
                .metrics
                .job(failure.error_type().as_str(), done.seconds, upload_bytes);
            if matches!(
                e,
                faxprep::Error::Isolation(
                    faxprep::spawn::IsolationError::TimedOut { .. }
                        | faxprep::spawn::IsolationError::Killed { .. }
                )
            ) {
                state.metrics.worker_killed();
            }
            Err(failure)
        }
    }
}

fn max_upload() -> u64 {
    faxprep::Limits::default().max_upload_bytes
}

async fn prepare(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, ApiFailure> {
    let multipart = multipart.map_err(|r| multipart_rejection(&r))?;
    let admission = state.jobs.admit(&state.metrics)?;
    let form = read_form(multipart, max_upload()).await?;
    let req = request_values(&state, form, true)?;
    let output = output_from(req.output, &headers);
    let mut options = req.options;
    options.want_pdf = output == Output::Pdf;
    let (fax, facts) = match prepare_job(&state, admission, req.upload, req.fields, options).await {
        Ok(done) => done,
        Err(failure) => return Err(failure),
    };
    let (content_type, body): (&str, Vec<u8>) = match output {
        Output::Tiff => (output.media_type(), fax.tiff.clone()),
        Output::Pdf => (output.media_type(), fax.pdf.clone().unwrap_or_default()),
        Output::Json => {
            let value = serde_json::to_vec(&fax)
                .map_err(|_| ApiFailure::internal("The facts could not be written."))?;
            (output.media_type(), value)
        }
    };
    state.metrics.prepared(
        fax.total_pages,
        if output == Output::Json {
            0
        } else {
            body.len() as u64
        },
    );
    let mut response = (StatusCode::OK, body).into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert("x-fax-pages", HeaderValue::from(fax.total_pages));
    h.insert("x-fax-credits", HeaderValue::from(fax.credits));
    if let Ok(v) = HeaderValue::from_str(&format!("{:.1}", fax.transmission_seconds)) {
        h.insert("x-fax-transmission-seconds", v);
    }
    response.extensions_mut().insert(facts);
    Ok(response)
}

/// Inspect on a job slot: an upload in the worker, a fax TIFF by the codec.
async fn inspection(
    state: &Arc<AppState>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<(faxprep::Inspection, LogFacts), ApiFailure> {
    let multipart = multipart.map_err(|r| multipart_rejection(&r))?;
    let admission = state.jobs.admit(&state.metrics)?;
    let form = read_form(multipart, max_upload()).await?;
    let mut password = None;
    for (name, value) in form.fields {
        match name.as_str() {
            "password" => password = Some(value),
            other => {
                return Err(ApiFailure::new(
                    ErrorType::BadRequest,
                    format!("Unknown field {}.", crate::body::printable(other)),
                    "The fields are: file, password.",
                ));
            }
        }
    }
    let upload = form.file.ok_or_else(|| {
        ApiFailure::new(
            ErrorType::BadRequest,
            "The form has no file.",
            "Send the document in the multipart field \"file\".",
        )
    })?;
    let mut options = base_options(state)?;
    options.password = password;
    let upload_bytes = upload.len() as u64;
    let done = state
        .jobs
        .run(admission, state.config.job_timeout, move || {
            faxprep::inspect(&upload, &options)
        })
        .await?;
    let facts = LogFacts {
        upload_bytes: Some(upload_bytes),
        job_seconds: Some(done.seconds),
        ..LogFacts::default()
    };
    match done.result {
        Ok(inspection) => {
            state.metrics.job("ok", done.seconds, upload_bytes);
            Ok((inspection, facts))
        }
        Err(e) => {
            let failure = ApiFailure::from_fax(&e);
            state
                .metrics
                .job(failure.error_type().as_str(), done.seconds, upload_bytes);
            Err(failure)
        }
    }
}

async fn inspect(
    State(state): State<Arc<AppState>>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, ApiFailure> {
    let (inspection, facts) = inspection(&state, multipart).await?;
    Ok(json_response(&inspection, facts))
}

async fn quote(
    State(state): State<Arc<AppState>>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, ApiFailure> {
    let (inspection, facts) = inspection(&state, multipart).await?;
    match inspection {
        faxprep::Inspection::Upload(upload) => Ok(json_response(
            &serde_json::json!({"pages": upload.pages, "quotes": upload.quotes}),
            facts,
        )),
        _ => Err(ApiFailure::new(
            ErrorType::BadRequest,
            "The file is a fax TIFF, not an upload to quote.",
            "Send the PDF, JPEG or PNG you mean to fax.",
        )),
    }
}

fn json_response(value: &impl serde::Serialize, facts: LogFacts) -> Response {
    let mut response = axum::Json(value).into_response();
    response.extensions_mut().insert(facts);
    response
}

/// A white 8 x 8 PNG: the health check's upload.
fn health_png() -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    let image = image::GrayImage::from_pixel(8, 8, image::Luma([255]));
    if image.write_to(&mut out, image::ImageFormat::Png).is_err() {
        return Vec::new();
    }
    out.into_inner()
}

async fn healthz(State(state): State<Arc<AppState>>) -> Response {
    let mut fields = FormFields::default();
    faxprep::request::fill_preview_placeholders(&mut fields);
    let mut options = match base_options(&state) {
        Ok(options) => options,
        Err(failure) => return failure.into_response(),
    };
    options.threads = Some(1);
    let admission = match state.jobs.admit(&state.metrics) {
        Ok(a) => a,
        Err(failure) => {
            let mut f = ApiFailure::new(
                ErrorType::ServiceUnavailable,
                "Every job slot and queue place is taken.",
                "Try again later.",
            );
            f.headers = failure.headers;
            return f.into_response();
        }
    };
    match prepare_job(&state, admission, health_png(), fields, options).await {
        Ok((fax, facts)) if fax.total_pages == 1 => json_response(
            &serde_json::json!({"status": "ok", "worker": "started"}),
            facts,
        ),
        Ok(_) => {
            ApiFailure::internal("The health check's fax has the wrong page count.").into_response()
        }
        Err(mut failure) => {
            failure.status = StatusCode::SERVICE_UNAVAILABLE;
            failure.into_response()
        }
    }
}

async fn metrics(State(state): State<Arc<AppState>>) -> Response {
    let text = state
        .metrics
        .render(state.jobs.waiting(), state.jobs.running());
    let mut response = text.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_compare() {
        assert!(same_secret(b"abc", b"abc"));
        assert!(!same_secret(b"abc", b"abd"));
        assert!(!same_secret(b"ab", b"abc"));
        assert!(!same_secret(b"", b"abc"));
        assert!(!same_secret(b"abcd", b"abc"));
    }

    #[test]
    fn output_choice() {
        let mut h = HeaderMap::new();
        assert_eq!(output_from(None, &h), Output::Tiff);
        h.insert(header::ACCEPT, HeaderValue::from_static("application/json"));
        assert_eq!(output_from(None, &h), Output::Json);
        assert_eq!(output_from(Some(Output::Pdf), &h), Output::Pdf);
        h.insert(header::ACCEPT, HeaderValue::from_static("application/pdf"));
        assert_eq!(output_from(None, &h), Output::Pdf);
    }
}

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
use faxprep::{FormFields, Options, PreparedFax};
use std::sync::Arc;

/// The service's router over its shared state.
pub fn router_for(config: crate::Config) -> Result<Router, crate::ServeError> {
    Ok(router(crate::AppState::new(config)?))
}

pub(crate) fn router(state: Arc<AppState>) -> Router {
    let v1 = Router::new()
        .route("/v1/prepare", post(prepare))
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
        404,
        "not_found",
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
                401,
                "unauthorized",
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

/// What `/v1/prepare` answers with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Output {
    Tiff,
    Pdf,
    Json,
}

fn output_from(field: Option<&str>, headers: &HeaderMap) -> Result<Output, ApiFailure> {
    match field.map(str::trim) {
        Some("tiff") => return Ok(Output::Tiff),
        Some("pdf") => return Ok(Output::Pdf),
        Some("json") => return Ok(Output::Json),
        Some(other) => {
            return Err(ApiFailure::new(
                400,
                "bad_request",
                &format!(
                    "The output {} is not one of tiff, pdf, json.",
                    crate::body::printable(other)
                ),
                "Set output to tiff, pdf or json, or leave it out and use Accept.",
            ));
        }
        None => {}
    }
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    Ok(if accept.contains("application/pdf") {
        Output::Pdf
    } else if accept.contains("application/json") && !accept.contains("image/tiff") {
        Output::Json
    } else {
        Output::Tiff
    })
}

/// The form's fields and options, as the library takes them.
pub(crate) struct Request_ {
    pub upload: Vec<u8>,
    pub fields: FormFields,
    pub options: Options,
    pub output: Option<String>,
}

/// Turn the form into the library's fields and options (unknown names are
/// a 400).
pub(crate) fn request_values(
    state: &AppState,
    form: crate::body::Form,
    engine_options: bool,
) -> Result<Request_, ApiFailure> {
    let upload = form.file.ok_or_else(|| {
        ApiFailure::new(
            400,
            "bad_request",
            "The form has no file.",
            "Send the document in the multipart field \"file\" (PDF, JPEG or PNG).",
        )
    })?;
    let mut values = crate::compat::request::RequestValues::default();
    let mut output = None;
    for (name, value) in form.fields {
        if name == "output" && engine_options {
            output = Some(value);
            continue;
        }
        if !engine_options && !crate::compat::request::FORM_FIELDS.contains(&name.as_str()) {
            return Err(ApiFailure::new(
                400,
                "bad_request",
                &format!("Unknown field {}.", crate::body::printable(&name)),
                &format!(
                    "The fields are: file, {}.",
                    crate::compat::request::FORM_FIELDS.join(", ")
                ),
            ));
        }
        values.set(&name, value)?;
    }
    let base = base_options(state);
    let zone_given = values.options.zone.clone();
    let mut options = values.options.options(base)?;
    if values.options.date.is_none() {
        options.date = crate::compat::date::now(zone_given.as_deref())?;
    }
    Ok(Request_ {
        upload,
        fields: values.fields,
        options,
        output,
    })
}

/// The default options with the service's isolation, the worker's wall
/// clock the job's.
pub(crate) fn base_options(state: &AppState) -> Options {
    let mut options = Options::default();
    options.isolation = state.config.isolation.clone();
    if let faxprep::Isolation::Process(worker) = &mut options.isolation {
        worker.limits.wall = state.config.job_timeout;
    }
    if let Some(brand) = &state.config.brand {
        options.brand = brand.clone();
    }
    options
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
                .job(&failure.error_type(), done.seconds, upload_bytes);
            if matches!(
                e,
                faxprep::Error::Isolation(
                    faxprep::isolate::IsolationError::TimedOut { .. }
                        | faxprep::isolate::IsolationError::Killed { .. }
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
    let output = output_from(req.output.as_deref(), &headers)?;
    let mut options = req.options;
    options.want_pdf = output == Output::Pdf;
    let (fax, facts) = match prepare_job(&state, admission, req.upload, req.fields, options).await {
        Ok(done) => done,
        Err(failure) => return Err(failure),
    };
    let (content_type, body): (&str, Vec<u8>) = match output {
        Output::Tiff => ("image/tiff", fax.tiff.clone()),
        Output::Pdf => ("application/pdf", fax.pdf.clone().unwrap_or_default()),
        Output::Json => {
            let value = serde_json::to_vec(&fax)
                .map_err(|_| ApiFailure::internal("The facts could not be written."))?;
            ("application/json", value)
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
    crate::compat::request::fill_preview_placeholders(&mut fields);
    let mut options = base_options(&state);
    options.threads = Some(1);
    let admission = match state.jobs.admit(&state.metrics) {
        Ok(a) => a,
        Err(failure) => {
            let mut f = ApiFailure::new(
                503,
                "service_unavailable",
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
        assert_eq!(output_from(None, &h).unwrap(), Output::Tiff);
        h.insert(header::ACCEPT, HeaderValue::from_static("application/json"));
        assert_eq!(output_from(None, &h).unwrap(), Output::Json);
        assert_eq!(output_from(Some("pdf"), &h).unwrap(), Output::Pdf);
        h.insert(header::ACCEPT, HeaderValue::from_static("application/pdf"));
        assert_eq!(output_from(None, &h).unwrap(), Output::Pdf);
        assert!(output_from(Some("png"), &h).is_err());
    }
}

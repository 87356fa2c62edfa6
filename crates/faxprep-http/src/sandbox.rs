//! The sandbox: the public send-fax API answered locally, so an
//! integration can be built and tested without sending a fax or spending a
//! credit (`faxprep serve --sandbox`).
//!
//! - `POST /api/send-fax` takes the API's multipart form with an
//!   `X-API-Key` of the documented shape (`fd_live_` and 32 hex digits;
//!   401 otherwise), prepares the fax exactly as the engine does (every
//!   rejection is the engine's), and answers `{"success": true, "faxId":
//!   "fax_...", "deliveryEmail": "enabled" | "suppressed"}`. Keys are on the
//!   paid plan unless [`crate::Config::free_keys`] names them: free keys
//!   get the branded cover, at most 5 pages and 2 faxes a calendar month
//!   (UTC; 402 `payment_required` with `retry_after` beyond).
//! - `GET /api/v1/fax/{faxId}`, for the key that sent it: `queued`, then
//!   `sending` for as long as the fax would take on the line (its computed
//!   transmission time, divided by [`crate::Config::speedup`]), then
//!   `completed` with `pages` and `completedAt`; the [`TEST_NUMBERS`] end
//!   `failed` or `partial` with `error`, `errorCode` and `errorType`.
//! - Per-key rate limits ([`SEND_WINDOWS`], [`STATUS_WINDOWS`]) with
//!   `X-RateLimit-Limit`, `-Remaining`, `-Reset` and `-Policy` on every
//!   answer and 429 with `Retry-After` beyond; a rejected request gives its
//!   place back.
//! - `/sandbox/faxes` lists the recent faxes and `/sandbox/faxes/{faxId}`
//!   shows every page as the recipient's machine prints it (decoded from
//!   the TIFF, cover included) with its status, credits and seconds.
//!
//! Faxes live in memory only, for [`crate::Config::retain`] at most (the
//! oldest go first beyond [`crate::Config::max_records`]), and are lost
//! when the process exits. The sandbox serves one machine's developer: its
//! pages need no key.

use crate::AppState;
use crate::api::{prepare_job, request_values};
use crate::body::{ApiFailure, read_form};
use crate::ratelimit::{Decision, Limiter, Policy, Standing, Window};
use axum::Router;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use faxprep::{ErrorType, Plan};
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// Send-fax requests a key may make: 10 a minute, 30 an hour, 500 a day.
pub const SEND_WINDOWS: [(usize, u64); 3] = [(10, 60), (30, 3600), (500, 86_400)];
/// Status requests a key may make: 60 a minute, 500 an hour, 2000 a day.
pub const STATUS_WINDOWS: [(usize, u64); 3] = [(60, 60), (500, 3600), (2000, 86_400)];
/// Faxes a free key may send in a calendar month.
pub const FREE_FAXES_PER_MONTH: usize = 2;

/// Seconds (on the line's clock) a fax waits as `queued`.
const QUEUED_SECONDS: f64 = 5.0;
/// Seconds a failing call rings before it is given up.
const RING_SECONDS: f64 = 30.0;

/// How a test number's fax ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestOutcome {
    /// Every page arrives.
    Completed,
    /// The call fails before a page is sent.
    Failed {
        /// `errorCode`.
        code: &'static str,
        /// `errorType`: `temporary` (worth retrying) or `permanent`.
        kind: &'static str,
        /// `error`.
        message: &'static str,
    },
    /// The call drops after half the pages (rounded down).
    Partial,
}

/// Recipient numbers (E.164) whose faxes end other than `completed`, in
/// the 555-01xx range that is reserved for fiction.
pub const TEST_NUMBERS: [(&str, TestOutcome); 4] = [
    (
        "+12125550190",
        TestOutcome::Failed {
            code: "line_busy",
            kind: "temporary",
            message: "The recipient's line was busy.",
        },
    ),
    (
        "+12125550191",
        TestOutcome::Failed {
            code: "no_answer",
            kind: "temporary",
            message: "The recipient's fax machine did not answer.",
        },
    ),
    (
        "+12125550192",
        TestOutcome::Failed {
            code: "not_a_fax_machine",
            kind: "permanent",
            message: "A voice line answered, not a fax machine.",
        },
    ),
    ("+12125550193", TestOutcome::Partial),
];

/// The estimate's call set-up, before the first page.
fn call_setup_seconds() -> f64 {
    faxprep::transmission_seconds(std::iter::empty())
}

/// The estimate's T.30 exchange after each page.
fn page_overhead_seconds() -> f64 {
    faxprep::transmission_seconds([0]) - call_setup_seconds()
}

fn outcome_for(number: &str) -> TestOutcome {
    TEST_NUMBERS
        .iter()
        .find(|(n, _)| *n == number)
        .map_or(TestOutcome::Completed, |(_, o)| *o)
}

/// RFC 3339 in UTC, rounded to `unit`.
fn timestamp(t: jiff::Timestamp, unit: jiff::Unit) -> String {
    t.round(unit).unwrap_or(t).to_string()
}

/// `fd_live_` followed by 32 hex digits.
pub fn key_is_well_formed(key: &str) -> bool {
    key.strip_prefix("fd_live_")
        .is_some_and(|hex| hex.len() == 32 && hex.chars().all(|c| c.is_ascii_hexdigit()))
}

/// One sent fax.
struct FaxRecord {
    id: String,
    key: String,
    created: Instant,
    created_at: jiff::Timestamp,
    plan: Plan,
    cover: bool,
    total_pages: u32,
    credits: u32,
    transmission_seconds: f64,
    /// Seconds on the line of each page, T.30 exchange included.
    page_seconds: Vec<f64>,
    outcome: TestOutcome,
    /// The last two digits only.
    recipient_tail: String,
    tiff: Vec<u8>,
    pngs: OnceLock<Result<Vec<Vec<u8>>, faxprep::Error>>,
}

/// A fax's state at one moment.
struct StatusView {
    status: &'static str,
    pages_sent: u32,
    completed_at: Option<jiff::Timestamp>,
}

impl FaxRecord {
    fn status_at(&self, now: Instant, speedup: f64) -> StatusView {
        let elapsed = now.duration_since(self.created).as_secs_f64() * speedup;
        let at = |fax_seconds: f64| {
            let real = Duration::from_secs_f64((fax_seconds / speedup).max(0.0));
            jiff::SignedDuration::try_from(real)
                .ok()
                .and_then(|d| self.created_at.checked_add(d).ok())
        };
        if elapsed < QUEUED_SECONDS {
            return StatusView {
                status: "queued",
                pages_sent: 0,
                completed_at: None,
            };
        }
        let (end, status, pages_sent) = match self.outcome {
            TestOutcome::Completed => (
                QUEUED_SECONDS + self.transmission_seconds,
                "completed",
                self.total_pages,
            ),
            TestOutcome::Failed { .. } => (QUEUED_SECONDS + RING_SECONDS, "failed", 0),
            TestOutcome::Partial => {
                let sent = self.total_pages / 2;
                let seconds: f64 = call_setup_seconds()
                    + self.page_seconds.iter().take(sent as usize).sum::<f64>();
                (QUEUED_SECONDS + seconds, "partial", sent)
            }
        };
        if elapsed < end {
            return StatusView {
                status: "sending",
                pages_sent: 0,
                completed_at: None,
            };
        }
        StatusView {
            status,
            pages_sent,
            completed_at: at(end),
        }
    }

    fn status_json(&self, now: Instant, speedup: f64) -> serde_json::Value {
        let view = self.status_at(now, speedup);
        let mut value = serde_json::json!({
            "success": true,
            "faxId": self.id,
            "status": view.status,
            "pages": self.total_pages,
            "createdAt": timestamp(self.created_at, jiff::Unit::Millisecond),
            "completedAt": view.completed_at.map(|t| timestamp(t, jiff::Unit::Millisecond)),
        });
        if let serde_json::Value::Object(map) = &mut value {
            match (view.status, self.outcome) {
                (
                    "failed",
                    TestOutcome::Failed {
                        code,
                        kind,
                        message,
                    },
                ) => {
                    map.insert("pagesSent".into(), 0.into());
                    map.insert("error".into(), message.into());
                    map.insert("errorCode".into(), code.into());
                    map.insert("errorType".into(), kind.into());
                }
                ("partial", _) => {
                    map.insert("pagesSent".into(), view.pages_sent.into());
                    map.insert(
                        "error".into(),
                        format!(
                            "The call dropped after {} of {} pages.",
                            view.pages_sent, self.total_pages
                        )
                        .into(),
                    );
                    map.insert("errorCode".into(), "call_dropped".into());
                    map.insert("errorType".into(), "temporary".into());
                }
                _ => {}
            }
        }
        value
    }
}

/// The sandbox's state: rate limiters, free-plan counts and faxes.
pub(crate) struct Sandbox {
    send: Limiter,
    status: Limiter,
    free_keys: HashSet<String>,
    /// Faxes sent by each free key, by time.
    free_sent: Mutex<HashMap<String, Vec<jiff::Timestamp>>>,
    records: Mutex<VecDeque<Arc<FaxRecord>>>,
    speedup: f64,
    retain: Duration,
    max_records: usize,
}

fn policy(windows: &[(usize, u64)]) -> Policy {
    Policy {
        windows: windows
            .iter()
            .map(|&(limit, seconds)| Window { limit, seconds })
            .collect(),
    }
}

impl Sandbox {
    pub(crate) fn new(config: &crate::Config) -> Sandbox {
        Sandbox {
            send: Limiter::new(policy(&SEND_WINDOWS)),
            status: Limiter::new(policy(&STATUS_WINDOWS)),
            free_keys: config.free_keys.iter().cloned().collect(),
            free_sent: Mutex::new(HashMap::new()),
            records: Mutex::new(VecDeque::new()),
            speedup: config.speedup,
            retain: config.retain,
            max_records: config.max_records.max(1),
        }
    }

    fn records(&self) -> std::sync::MutexGuard<'_, VecDeque<Arc<FaxRecord>>> {
        let mut records = self.records.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        while records
            .front()
            .is_some_and(|r| now.duration_since(r.created) >= self.retain)
        {
            records.pop_front();
        }
        records
    }

    fn find(&self, id: &str) -> Option<Arc<FaxRecord>> {
        self.records().iter().find(|r| r.id == id).cloned()
    }

    fn add(&self, record: FaxRecord) {
        let mut records = self.records();
        while records.len() >= self.max_records {
            records.pop_front();
        }
        records.push_back(Arc::new(record));
    }

    /// Seconds until a free key may send again, if it has used its month.
    fn free_quota_used(&self, key: &str, now: jiff::Timestamp) -> Option<u64> {
        let utc = now.to_zoned_datetime(jiff::tz::TimeZone::UTC);
        let month_start = utc.first_of_month().ok()?.start_of_day().ok()?;
        let next_month = month_start.checked_add(jiff::Span::new().months(1)).ok()?;
        let sent = self.free_sent.lock().unwrap_or_else(|e| e.into_inner());
        let this_month = sent.get(key).map_or(0, |v| {
            v.iter().filter(|t| **t >= month_start.timestamp()).count()
        });
        (this_month >= FREE_FAXES_PER_MONTH).then(|| {
            let secs = next_month.timestamp().as_second() - now.as_second();
            secs.max(1) as u64
        })
    }

    fn free_sent_now(&self, key: &str, now: jiff::Timestamp) {
        let mut sent = self.free_sent.lock().unwrap_or_else(|e| e.into_inner());
        let list = sent.entry(key.to_owned()).or_default();
        // Only this month's matter; two are enough to remember.
        list.push(now);
        if list.len() > FREE_FAXES_PER_MONTH {
            list.remove(0);
        }
    }
}

pub(crate) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/api/send-fax", post(send_fax))
        .route("/api/v1/fax/{fax_id}", get(fax_status))
        .route("/sandbox/faxes", get(list_page))
        .route("/sandbox/faxes/{fax_id}", get(fax_page))
        .route("/sandbox/faxes/{fax_id}/pages/{page}", get(page_png))
}

fn sandbox(state: &AppState) -> Result<&Sandbox, ApiFailure> {
    state
        .sandbox
        .as_ref()
        .ok_or_else(|| ApiFailure::internal("The sandbox is not enabled."))
}

fn api_key(headers: &HeaderMap) -> Result<String, ApiFailure> {
    let key = headers
        .get("x-api-key")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .unwrap_or("");
    if key_is_well_formed(key) {
        return Ok(key.to_owned());
    }
    Err(ApiFailure::new(
        ErrorType::Unauthorized,
        if key.is_empty() {
            "An API key is required."
        } else {
            "The API key is not valid."
        },
        "Send your key in the X-API-Key header: fd_live_ followed by 32 hex characters.",
    ))
}

fn rate_headers(headers: &mut HeaderMap, standing: &Standing) {
    headers.insert("x-ratelimit-limit", HeaderValue::from(standing.limit));
    headers.insert(
        "x-ratelimit-remaining",
        HeaderValue::from(standing.remaining),
    );
    headers.insert("x-ratelimit-reset", HeaderValue::from(standing.reset));
    if let Ok(v) = HeaderValue::from_str(&standing.policy) {
        headers.insert("x-ratelimit-policy", v);
    }
}

/// A rejection with the rate headers, its place given back.
fn rejected(
    limiter: &Limiter,
    key: &str,
    taken: Instant,
    standing: &Standing,
    mut failure: ApiFailure,
) -> Response {
    limiter.give_back(key, taken);
    let mut back = standing.clone();
    back.remaining = (back.remaining + 1).min(back.limit);
    rate_headers(&mut failure.headers, &back);
    failure.into_response()
}

fn limited(standing: &Standing, retry_after: u64, what: &str) -> Response {
    let mut failure = ApiFailure::new(
        ErrorType::RateLimited,
        format!("Too many {what} requests for this API key."),
        "Wait for the number of seconds in Retry-After, then try again.",
    )
    .retry_after(retry_after);
    rate_headers(&mut failure.headers, standing);
    failure.into_response()
}

async fn send_fax(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let sb = match sandbox(&state) {
        Ok(sb) => sb,
        Err(f) => return f.into_response(),
    };
    let key = match api_key(&headers) {
        Ok(key) => key,
        Err(f) => return f.into_response(),
    };
    let (standing, taken) = match sb.send.take(&key, Instant::now()) {
        Decision::Allowed { standing, taken } => (standing, taken),
        Decision::Limited {
            standing,
            retry_after,
        } => return limited(&standing, retry_after, "send"),
    };
    let reject = |failure: ApiFailure| rejected(&sb.send, &key, taken, &standing, failure);
    let free = sb.free_keys.contains(&key);
    let now = jiff::Timestamp::now();
    if free && let Some(wait) = sb.free_quota_used(&key, now) {
        return reject(
            ApiFailure::new(
                ErrorType::PaymentRequired,
                format!(
                    "The free plan sends {FREE_FAXES_PER_MONTH} faxes a month; this key has sent \
                     them."
                ),
                "Upgrade to a paid plan, or wait for next month.",
            )
            .retry_after(wait),
        );
    }
    let admission = match state.jobs.admit(&state.metrics) {
        Ok(a) => a,
        Err(f) => return reject(f),
    };
    let form = match multipart.map_err(|r| crate::body::multipart_rejection(&r)) {
        Ok(m) => match read_form(m, faxprep::Limits::default().max_upload_bytes).await {
            Ok(form) => form,
            Err(f) => return reject(f),
        },
        Err(f) => return reject(f),
    };
    let mut req = match request_values(&state, form, false) {
        Ok(req) => req,
        Err(f) => return reject(f),
    };
    if free {
        req.options.plan = Plan::Free;
    }
    let suppressed = req
        .fields
        .send_email
        .as_deref()
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("false"));
    let plan = req.options.plan;
    let (fax, facts) =
        match prepare_job(&state, admission, req.upload, req.fields, req.options).await {
            Ok(done) => done,
            Err(f) => return reject(f),
        };
    state
        .metrics
        .prepared(fax.total_pages, fax.tiff.len() as u64);
    if free {
        sb.free_sent_now(&key, now);
    }
    let id = format!("fax_{}", crate::log::random_hex(12));
    let tail: String = fax
        .recipient_number
        .chars()
        .rev()
        .take(2)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    sb.add(FaxRecord {
        id: id.clone(),
        key,
        created: Instant::now(),
        created_at: now,
        plan,
        cover: fax.cover,
        total_pages: fax.total_pages,
        credits: fax.credits,
        transmission_seconds: fax.transmission_seconds,
        page_seconds: fax
            .pages
            .iter()
            .map(|p| p.line_seconds + page_overhead_seconds())
            .collect(),
        outcome: outcome_for(&fax.recipient_number),
        recipient_tail: tail,
        tiff: fax.tiff,
        pngs: OnceLock::new(),
    });
    let mut response = axum::Json(serde_json::json!({
        "success": true,
        "faxId": id,
        "deliveryEmail": if suppressed { "suppressed" } else { "enabled" },
    }))
    .into_response();
    rate_headers(response.headers_mut(), &standing);
    response.extensions_mut().insert(facts);
    response
}

async fn fax_status(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(fax_id): Path<String>,
) -> Response {
    let sb = match sandbox(&state) {
        Ok(sb) => sb,
        Err(f) => return f.into_response(),
    };
    let key = match api_key(&headers) {
        Ok(key) => key,
        Err(f) => return f.into_response(),
    };
    let (standing, taken) = match sb.status.take(&key, Instant::now()) {
        Decision::Allowed { standing, taken } => (standing, taken),
        Decision::Limited {
            standing,
            retry_after,
        } => return limited(&standing, retry_after, "status"),
    };
    // Another key's fax is as unknown as a fax that never was.
    let Some(record) = sb.find(&fax_id).filter(|r| r.key == key) else {
        return rejected(
            &sb.status,
            &key,
            taken,
            &standing,
            ApiFailure::new(
                ErrorType::NotFound,
                "No fax with this ID was sent with this API key.",
                "Use the faxId that POST /api/send-fax answered, with the same key; faxes are \
                 kept for a limited time.",
            ),
        );
    };
    let mut response = axum::Json(record.status_json(Instant::now(), sb.speedup)).into_response();
    rate_headers(response.headers_mut(), &standing);
    response
}

/// Each page's PNG, each pixel the mean of 2 x 2 fax pixels (864 pixels
/// wide), decoded from the TIFF that would be sent.
fn render_pngs(tiff: &[u8]) -> Result<Vec<Vec<u8>>, faxprep::Error> {
    faxprep::preview::decode_fax(tiff)?
        .iter()
        .map(|page| faxprep::preview::page_png(page, 2))
        .collect()
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{font-family:sans-serif;margin:2em;background:#eee;color:#222}\
    table{border-collapse:collapse}td,th{padding:.3em .8em;text-align:left}\
    .pages{display:flex;flex-wrap:wrap;gap:1em}\
    figure{margin:0;background:#fff;padding:.5em;box-shadow:0 1px 4px #999}\
    img.page{width:432px;image-rendering:auto;display:block}";

fn not_found_page() -> Response {
    (
        StatusCode::NOT_FOUND,
        Html(format!(
            "<!doctype html><html><head><meta charset=\"utf-8\"><title>Fax not found</title>\
             <style>{STYLE}</style></head><body><h1>Fax not found</h1><p>No fax with this ID \
             is kept; faxes expire. <a href=\"/sandbox/faxes\">Recent faxes</a></p></body></html>"
        )),
    )
        .into_response()
}

async fn fax_page(State(state): State<Arc<AppState>>, Path(fax_id): Path<String>) -> Response {
    let Ok(sb) = sandbox(&state) else {
        return not_found_page();
    };
    let Some(r) = sb.find(&fax_id) else {
        return not_found_page();
    };
    let view = r.status_at(Instant::now(), sb.speedup);
    let id = escape(&r.id);
    let mut images = String::new();
    for n in 1..=r.total_pages {
        let label = if r.cover && n == 1 {
            "cover".to_owned()
        } else {
            format!("page {n}")
        };
        images.push_str(&format!(
            "<figure><img class=\"page\" src=\"/sandbox/faxes/{id}/pages/{n}\" alt=\"{label} of \
             {total}\"><figcaption>{label}</figcaption></figure>",
            total = r.total_pages
        ));
    }
    // Once loaded, the page draws each image on a canvas and records how
    // many the browser decoded, their widths and their dark pixels, for
    // whoever reads its DOM (the browser test does).
    let script = "window.addEventListener('load',function(){var imgs=[].slice.call(\
        document.querySelectorAll('img.page'));var widths=[],ink=[];\
        imgs.forEach(function(i){var w=i.naturalWidth,h=i.naturalHeight,dark=0;\
        if(i.complete&&w>0){var c=document.createElement('canvas');c.width=w;c.height=h;\
        var x=c.getContext('2d');x.drawImage(i,0,0);var d=x.getImageData(0,0,w,h).data;\
        for(var p=0;p<d.length;p+=4){if(d[p+3]==255&&d[p]<128)dark++}}\
        widths.push(w);ink.push(dark)});var b=document.body.dataset;\
        b.decoded=widths.filter(function(w){return w>0}).length;\
        b.widths=widths.join(',');b.ink=ink.join(',')});";
    let html = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>Fax {id}</title>\
         <style>{STYLE}</style></head><body data-pages=\"{pages}\"><h1>Fax {id}</h1>\
         <table><tr><th>Status</th><td id=\"status\">{status}</td></tr>\
         <tr><th>To</th><td>number ending {tail}</td></tr>\
         <tr><th>Pages</th><td id=\"pages\">{pages}{cover}</td></tr>\
         <tr><th>Credits</th><td>{credits}</td></tr>\
         <tr><th>On the line</th><td>about {seconds:.0} s at 14.4 kbit/s</td></tr>\
         <tr><th>Plan</th><td>{plan}</td></tr>\
         <tr><th>Sent</th><td>{created}</td></tr></table>\
         <p>Every page as the recipient's machine prints it, decoded from the fax TIFF \
         (shown at half its resolution). <a href=\"/sandbox/faxes\">Recent faxes</a></p>\
         <div class=\"pages\">{images}</div><script>{script}</script></body></html>",
        pages = r.total_pages,
        status = view.status,
        tail = escape(&r.recipient_tail),
        cover = if r.cover { " (cover included)" } else { "" },
        credits = r.credits,
        seconds = r.transmission_seconds,
        plan = if r.plan == Plan::Free { "free" } else { "paid" },
        created = timestamp(r.created_at, jiff::Unit::Second),
    );
    Html(html).into_response()
}

async fn page_png(
    State(state): State<Arc<AppState>>,
    Path((fax_id, page)): Path<(String, String)>,
) -> Response {
    let (Ok(sb), Ok(page)) = (sandbox(&state), page.parse::<u32>()) else {
        return not_found_page();
    };
    let Some(record) = sb.find(&fax_id) else {
        return not_found_page();
    };
    if page == 0 || page > record.total_pages {
        return not_found_page();
    }
    let r = Arc::clone(&record);
    let pngs = tokio::task::spawn_blocking(move || {
        let _ = r.pngs.get_or_init(|| render_pngs(&r.tiff));
    })
    .await;
    let png = match (pngs, record.pngs.get()) {
        (Ok(()), Some(Ok(pngs))) => pngs.get(page as usize - 1).cloned(),
        _ => None,
    };
    match png {
        Some(png) => {
            let mut response = png.into_response();
            response
                .headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static("image/png"));
            response
        }
        None => ApiFailure::internal("The page could not be drawn.").into_response(),
    }
}

async fn list_page(State(state): State<Arc<AppState>>) -> Response {
    let Ok(sb) = sandbox(&state) else {
        return not_found_page();
    };
    let now = Instant::now();
    let mut rows = String::new();
    for r in sb.records().iter().rev() {
        let view = r.status_at(now, sb.speedup);
        let id = escape(&r.id);
        rows.push_str(&format!(
            "<tr><td><a href=\"/sandbox/faxes/{id}\">{id}</a></td><td>{}</td><td>{}</td>\
             <td>{}</td><td>{}</td></tr>",
            view.status,
            r.total_pages,
            r.credits,
            timestamp(r.created_at, jiff::Unit::Second)
        ));
    }
    if rows.is_empty() {
        rows.push_str("<tr><td colspan=\"5\">No faxes yet.</td></tr>");
    }
    Html(format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>Sandbox faxes</title>\
         <style>{STYLE}</style></head><body><h1>Recent sandbox faxes</h1>\
         <p>Kept in memory for {minutes} minutes at most, never on disk.</p>\
         <table><tr><th>Fax</th><th>Status</th><th>Pages</th><th>Credits</th><th>Sent</th></tr>\
         {rows}</table></body></html>",
        minutes = sb.retain.as_secs() / 60
    ))
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_shape() {
        assert!(key_is_well_formed(
            "fd_live_0123456789abcdef0123456789ABCDEF"
        ));
        assert!(!key_is_well_formed(
            "fd_live_0123456789abcdef0123456789abcde"
        ));
        assert!(!key_is_well_formed(
            "fd_test_0123456789abcdef0123456789abcdef"
        ));
        assert!(!key_is_well_formed(
            "fd_live_0123456789abcdef0123456789abcdeg"
        ));
        assert!(!key_is_well_formed(""));
    }

    fn record(outcome: TestOutcome, pages: u32) -> FaxRecord {
        FaxRecord {
            id: "fax_x".into(),
            key: "k".into(),
            created: Instant::now(),
            created_at: jiff::Timestamp::UNIX_EPOCH,
            plan: Plan::Paid,
            cover: true,
            total_pages: pages,
            credits: 1,
            transmission_seconds: 15.0 + 20.0 * f64::from(pages),
            page_seconds: vec![20.0; pages as usize],
            outcome,
            recipient_tail: "34".into(),
            tiff: Vec::new(),
            pngs: OnceLock::new(),
        }
    }

    #[test]
    fn states_follow_the_line_clock() {
        let r = record(TestOutcome::Completed, 2);
        let at = |s: f64| r.status_at(r.created + Duration::from_secs_f64(s), 1.0);
        assert_eq!(at(0.0).status, "queued");
        assert_eq!(at(5.0).status, "sending");
        assert_eq!(at(59.9).status, "sending");
        let done = at(60.0);
        assert_eq!((done.status, done.pages_sent), ("completed", 2));
        assert_eq!(done.completed_at.map(|t| t.as_second()), Some(60));
        // Ten times faster: completed after 6 s of real time.
        let fast = r.status_at(r.created + Duration::from_secs(6), 10.0);
        assert_eq!(fast.status, "completed");
    }

    #[test]
    fn test_numbers_fail_and_drop() {
        let failed = record(outcome_for("+12125550190"), 3);
        let view = failed.status_at(failed.created + Duration::from_secs(36), 1.0);
        assert_eq!((view.status, view.pages_sent), ("failed", 0));
        let json = failed.status_json(failed.created + Duration::from_secs(36), 1.0);
        assert_eq!(json["errorCode"], "line_busy");
        assert_eq!(json["errorType"], "temporary");
        let partial = record(outcome_for("+12125550193"), 4);
        // Set-up, then two pages of 20 s.
        let end = 5.0 + call_setup_seconds() + 40.0;
        let view = partial.status_at(partial.created + Duration::from_secs_f64(end), 1.0);
        assert_eq!((view.status, view.pages_sent), ("partial", 2));
        assert_eq!(outcome_for("+12125551234"), TestOutcome::Completed);
    }

    #[test]
    fn html_is_escaped() {
        assert_eq!(
            escape("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}

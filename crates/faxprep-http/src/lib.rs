//! faxprep-http: the engine behind HTTP (`faxprep serve`), and a local
//! sandbox of the public send-fax API (`faxprep serve --sandbox`).
//!
//! The frontend for backends that are not written in Rust: a thin layer of
//! HTTP over [`faxprep::prepare`]. Every job's untrusted stages run in the
//! isolated `faxprep worker` process that [`Config::isolation`] names
//! (the CLI passes its own binary); nothing here parses a document.
//!
//! Routes:
//! - `POST /v1/prepare`: multipart with the send-fax fields (`file`,
//!   `recipientNumber`, `senderName`, ...) and the engine's options; answers
//!   the TIFF, the PDF or the facts as JSON (the `output` field or
//!   `Accept`), with the page count, credits and transmission seconds also
//!   in `X-Fax-*` headers.
//! - `POST /v1/inspect`, `POST /v1/quote`: what intake sees in an upload,
//!   and its price on every plan.
//! - `GET /healthz`: prepares a blank 8 x 8 image in a worker (so it fails
//!   when workers cannot start); `GET /metrics`: Prometheus text.
//! - With [`Config::sandbox`]: `POST /api/send-fax`,
//!   `GET /api/v1/fax/{faxId}` and the browser pages under `/sandbox/`
//!   ([`sandbox`]).
//!
//! Limits: a request body cap ([`Config::max_body_bytes`], 413), at most
//! [`Config::jobs`] prepares at once on tokio's blocking pool and at most
//! [`Config::queue`] waiting (429 with `Retry-After` beyond), a wall clock
//! per job (the worker is killed after it), an optional bearer token for
//! `/v1/*` and `/metrics`. Every request gets an `X-Request-Id` (the
//! caller's when it is sane) and one JSON log line on stderr that holds no
//! document bytes, phone number or email address. A request takes its
//! place among the `jobs + queue` before its body is read, so at most that
//! many uploads (each within the body cap) are in memory; they never touch
//! the disk and are dropped when the answer is sent. The service keeps no
//! state beyond counters, so instances scale behind any load balancer (the
//! sandbox keeps its fax records in memory, for a while, by design).
//! SIGTERM or SIGINT stops accepting connections, lets in-flight jobs
//! finish and exits.
//!
//! # Dependencies
//! - `axum` (router, multipart) on `tokio` (runtime, blocking pool,
//!   semaphore, signals): the common, well-kept Rust HTTP stack;
//! - `serde`/`serde_json`: the API's JSON bodies and the log lines;
//! - `image` (PNG only): the health check's blank upload (the sandbox's
//!   page images come from [`faxprep::preview`]);
//! - `jiff`: the sandbox's timestamps and calendar months.
//!
//! # Safety
//! Unsafe code is forbidden.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod api;
mod body;
mod jobs;
mod log;
mod metrics;
mod ratelimit;
pub mod sandbox;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

pub use api::router_for;

/// How the service runs.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Config {
    /// Where the untrusted stages run: the isolated worker (what a service
    /// must use), or in-process for tests with trusted input.
    pub isolation: faxprep::Isolation,
    /// Prepares at once (default: the available cores).
    pub jobs: usize,
    /// Requests that may wait for a free job slot before the service
    /// answers 429 (default: 4 per job slot).
    pub queue: usize,
    /// Wall clock of one job; its worker is killed after it (default 60 s).
    pub job_timeout: Duration,
    /// The largest request body (default: the 4 MiB upload plus 256 KiB
    /// of fields and multipart framing).
    pub max_body_bytes: usize,
    /// A token that `/v1/*` and `/metrics` require as
    /// `Authorization: Bearer TOKEN` (default: none, for loopback).
    pub token: Option<String>,
    /// Also answer the public API's routes and the sandbox's pages.
    pub sandbox: bool,
    /// Sandbox API keys on the free plan (every other well-formed key is
    /// on the paid plan).
    pub free_keys: Vec<String>,
    /// How much faster than real time sandbox faxes go through their
    /// states (default 1: as long as the line would take).
    pub speedup: f64,
    /// How long sandbox faxes are kept (default 1 hour).
    pub retain: Duration,
    /// The most sandbox faxes kept; the oldest go first (default 100).
    pub max_records: usize,
    /// The brand on the free plan's cover (default: the library's).
    pub brand: Option<faxprep::cover::Brand>,
    /// Take TIFF uploads (`faxprep::Limits::accept_tiff`) on every route
    /// (default off, as the public API).
    pub accept_tiff: bool,
}

impl Default for Config {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, usize::from);
        Config {
            isolation: faxprep::Isolation::default(),
            jobs: cores,
            queue: cores * 4,
            job_timeout: Duration::from_secs(60),
            max_body_bytes: faxprep::Limits::default().max_upload_bytes as usize + 256 * 1024,
            token: None,
            sandbox: false,
            free_keys: Vec::new(),
            speedup: 1.0,
            retain: Duration::from_secs(3600),
            max_records: 100,
            brand: None,
            accept_tiff: false,
        }
    }
}

/// Why the service could not run.
#[derive(Debug)]
#[non_exhaustive]
pub enum ServeError {
    /// The listen address could not be bound.
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// The runtime or the server failed.
    Io(std::io::Error),
    /// The configuration is inconsistent.
    Config(String),
}

impl std::fmt::Display for ServeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ServeError::Bind { addr, source } => write!(f, "cannot listen on {addr}: {source}"),
            ServeError::Io(e) => write!(f, "server error: {e}"),
            ServeError::Config(message) => write!(f, "invalid configuration: {message}"),
        }
    }
}

impl std::error::Error for ServeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ServeError::Bind { source, .. } | ServeError::Io(source) => Some(source),
            ServeError::Config(_) => None,
        }
    }
}

/// Shared state of every handler.
pub(crate) struct AppState {
    pub config: Config,
    pub jobs: jobs::Jobs,
    pub metrics: metrics::Metrics,
    pub sandbox: Option<sandbox::Sandbox>,
}

impl AppState {
    fn new(config: Config) -> Result<Arc<AppState>, ServeError> {
        if config.jobs == 0 {
            return Err(ServeError::Config("jobs must be at least 1".into()));
        }
        if !(config.speedup.is_finite() && config.speedup > 0.0) {
            return Err(ServeError::Config("speedup must be above 0".into()));
        }
        for key in &config.free_keys {
            if !sandbox::key_is_well_formed(key) {
                return Err(ServeError::Config(format!(
                    "free key {:?} is not fd_live_ followed by 32 hex digits",
                    log::redact_key(key)
                )));
            }
        }
        let sandbox = config.sandbox.then(|| sandbox::Sandbox::new(&config));
        Ok(Arc::new(AppState {
            jobs: jobs::Jobs::new(config.jobs, config.queue),
            metrics: metrics::Metrics::default(),
            sandbox,
            config,
        }))
    }
}

/// Serve on `listener` until `shutdown` completes, then finish the
/// requests in flight and return.
pub async fn serve(
    listener: tokio::net::TcpListener,
    config: Config,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    serve_state(listener, AppState::new(config)?, shutdown).await
}

async fn serve_state(
    listener: tokio::net::TcpListener,
    state: Arc<AppState>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    axum::serve(listener, api::router(state))
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(ServeError::Io)
}

/// Run the service on `addr` in a new runtime until SIGTERM or SIGINT;
/// `on_listening` is told the bound address (port 0 picks a free one).
pub fn run(
    addr: SocketAddr,
    config: Config,
    on_listening: impl FnOnce(SocketAddr),
) -> Result<(), ServeError> {
    let jobs = config.jobs;
    let state = AppState::new(config)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("faxprep-serve")
        // prepare's own threads do the work; these wait for workers.
        .max_blocking_threads(jobs * 2 + 4)
        .build()
        .map_err(ServeError::Io)?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|source| ServeError::Bind { addr, source })?;
        let local = listener.local_addr().map_err(ServeError::Io)?;
        on_listening(local);
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .map_err(ServeError::Io)?;
        let shutdown = async move {
            tokio::select! {
                _ = term.recv() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
            log::event("shutdown", "draining in-flight requests");
        };
        serve_state(listener, state, shutdown).await
    })?;
    log::event("stopped", "all requests answered");
    Ok(())
}

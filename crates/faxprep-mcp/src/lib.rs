//! faxprep-mcp: the `faxprep` library as a Model Context Protocol server,
//! so that an AI agent sees the fax before it sends it (a frontend, like
//! the CLI: arguments in, the library's answers shaped out).
//!
//! [`run_stdio`] serves these tools over stdio:
//! - `prepare_fax`: an upload (a path inside the jail, or base64) and the
//!   send-fax fields (through [`faxprep::request::RequestValues`], the
//!   names and checks every frontend shares) to [`faxprep::prepare`]; the
//!   facts as JSON and the pages as PNG image content
//!   ([`faxprep::preview`]: decoded back from the coded fax, half size; a
//!   contact sheet for faxes over four pages), or the API's error body as
//!   an `isError` result. The upload is kept under a handle.
//! - `inspect_document`, `quote`, `preview_cover`: [`faxprep::inspect`],
//!   [`faxprep::quote`], [`faxprep::cover_page`].
//! - `send_fax`, `get_fax_status`: the fax API over HTTP (the upload kept
//!   under the handle, byte for byte, with its fields); a dry run unless
//!   the configuration enables sending.
//!
//! # Safeguards
//! - A path jail ([`jail`]): one root directory, paths canonicalised,
//!   symlinks leaving it refused, regular files only, size checked on the
//!   opened file and the read bounded, magic bytes checked.
//! - The recipient number gate of intake (E.164, US and Canada), applied by
//!   `prepare`; a preview with invented fields cannot be sent.
//! - No network but the configured API base URL (`https://`, or `http://`
//!   to a loopback host), no redirects, no proxy from the environment.
//! - An optional JSON-lines audit log ([`audit`]) with an allowlist of
//!   fields: no document content, numbers and emails masked.
//!
//! Limits: uploads of 4 MB ([`faxprep::Limits`]); 16 prepared faxes or
//! 64 MB of uploads kept ([`handles`]); 1 MB of an API answer read.
//!
//! # Configuration (environment)
//! `FAXPREP_MCP_ROOT` (the jail; the working directory when unset),
//! `FAXPREP_API_BASE` (default `https://www.faxdrop.com`),
//! `FAXPREP_API_KEY`, `FAXPREP_MCP_SEND=1` (really send),
//! `FAXPREP_MCP_AUDIT` (the audit log's path).
//!
//! # Dependencies
//! - `rmcp`: the official Rust MCP SDK (pinned exactly: its API changes
//!   between releases), with `tokio` as its runtime and `schemars` for the
//!   tools' JSON schemas;
//! - `ureq` (rustls): a small blocking HTTP client for the two API calls;
//! - `base64`: image content and inline uploads; `libc`: `O_NOFOLLOW` and
//!   `O_NONBLOCK` (constants only).
//!
//! # Safety
//! Unsafe code is forbidden.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod api;
pub mod audit;
pub mod handles;
pub mod jail;
mod server;

pub use server::FaxServer;

use std::path::PathBuf;

/// The API base used when `FAXPREP_API_BASE` is unset.
pub const DEFAULT_API_BASE: &str = "https://www.faxdrop.com";

/// The server's configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// The jail's root, canonical.
    pub root: PathBuf,
    /// The API's base URL (checked by [`api::check_base`]).
    pub api_base: String,
    /// The API key, sent as `X-API-Key`.
    pub api_key: Option<String>,
    /// Whether `send_fax` really sends (otherwise a dry run).
    pub send_enabled: bool,
    /// Where to append the audit log.
    pub audit: Option<PathBuf>,
    /// Where the untrusted stages run.
    pub isolation: faxprep::Isolation,
}

impl Config {
    /// The configuration from the environment (see the crate's docs), with
    /// the untrusted stages run as `isolation` says.
    pub fn from_env(isolation: faxprep::Isolation) -> Result<Config, String> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let root = match var("FAXPREP_MCP_ROOT") {
            Some(dir) => PathBuf::from(dir),
            None => std::env::current_dir().map_err(|e| format!("working directory: {e}"))?,
        };
        let root = jail::canonical_root(&root).map_err(|e| format!("FAXPREP_MCP_ROOT: {e}"))?;
        let api_base = api::check_base(&var("FAXPREP_API_BASE").unwrap_or(DEFAULT_API_BASE.into()))
            .map_err(|e| format!("FAXPREP_API_BASE: {e}"))?;
        let send_enabled = match var("FAXPREP_MCP_SEND").as_deref() {
            None | Some("0" | "false") => false,
            Some("1" | "true") => true,
            Some(other) => return Err(format!("FAXPREP_MCP_SEND={other:?}: expected 1 or 0")),
        };
        Ok(Config {
            root,
            api_base,
            api_key: var("FAXPREP_API_KEY"),
            send_enabled,
            audit: var("FAXPREP_MCP_AUDIT").map(PathBuf::from),
            isolation,
        })
    }
}

/// Serve the tools on stdin and stdout until the client closes them.
pub fn run_stdio(config: Config) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    use rmcp::ServiceExt;
    let audit = match &config.audit {
        Some(path) => {
            audit::AuditLog::open(path).map_err(|e| format!("audit log {}: {e}", path.display()))?
        }
        None => audit::AuditLog::default(),
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let service = FaxServer::new(config, audit)
            .serve(rmcp::transport::stdio())
            .await?;
        service.waiting().await?;
        Ok(())
    })
}

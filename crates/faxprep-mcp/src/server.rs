//! The tools: arguments parsed into the library's types, the library
//! called on tokio's blocking pool, and its answer shaped into MCP content.

use crate::audit::{AuditLog, Record, mask_email, mask_number};
use crate::handles::{Handles, Prepared};
use crate::{Config, api, jail};
use base64::Engine as _;
use faxprep::request::RequestValues;
use faxprep::{ErrorType, FormFields, Options, Plan};
use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{CallToolResult, ContentBlock, Implementation, ServerCapabilities, ServerConfig};
use rmcp::{ErrorData, ServerHandler, tool, tool_handler, tool_router};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::sync::Arc;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// Where the document comes from: a path in the jail, or its bytes.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Source {
    /// Path of the PDF, JPEG or PNG, relative to the server's root
    /// directory (or absolute, inside it).
    pub path: Option<String>,
    /// The file's bytes in base64, instead of a path (at most 4 MB decoded).
    pub content_base64: Option<String>,
    /// File name sent with the upload (default: the path's name, or
    /// "document" with the format's extension).
    pub filename: Option<String>,
}

/// The form fields of the fax API's send-fax request.
#[derive(Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SendFields {
    /// Recipient's fax number: E.164 (+12125551234) or US/Canada national
    /// ((212) 555-1234). Only US and Canada destinations are accepted.
    pub recipient_number: Option<String>,
    /// Sender's name (required to send).
    pub sender_name: Option<String>,
    /// Sender's email, for the delivery receipt (required to send).
    pub sender_email: Option<String>,
    /// Recipient's name, printed on the cover.
    pub recipient_name: Option<String>,
    /// Subject on the cover (at most 200 characters).
    pub subject: Option<String>,
    /// Sender's company on the cover (at most 100 characters).
    pub sender_company: Option<String>,
    /// Sender's phone on the cover.
    pub sender_phone: Option<String>,
    /// Note on the cover (at most 500 characters).
    pub cover_note: Option<String>,
    /// Add a cover page (always on in the free plan).
    pub include_cover: Option<bool>,
    /// Email the sender a receipt (default true).
    pub send_email: Option<bool>,
}

/// The account's plan.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum PlanArg {
    /// Free: a branded cover always, at most 5 pages with it.
    Free,
    /// Paid (the default).
    Paid,
}

/// Fax resolution.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ResolutionArg {
    /// 204 x 98 dpi.
    Standard,
    /// 204 x 196 dpi (the default).
    Fine,
    /// 204 x 391 dpi.
    Superfine,
}

/// Paper the pages are fitted to.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum PaperArg {
    /// US Letter (the default).
    Letter,
    /// ISO A4.
    A4,
    /// US Legal.
    Legal,
    /// Per page, the best fit.
    Auto,
}

/// How the fax is made.
#[derive(Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct FaxOptions {
    /// Plan: "free" or "paid" (default "paid").
    pub plan: Option<PlanArg>,
    /// Resolution (default "fine").
    pub resolution: Option<ResolutionArg>,
    /// Paper (default "letter").
    pub paper: Option<PaperArg>,
    /// Gray to black and white: auto (default), document, threshold,
    /// threshold=N, adaptive, diffuse, atkinson, stucki, ordered, line or
    /// line=N.
    pub halftone: Option<String>,
    /// Password of an encrypted PDF.
    pub password: Option<String>,
    /// Date and time on the cover, RFC 3339 or YYYY-MM-DDTHH:MM (default
    /// now).
    pub date: Option<String>,
    /// IANA time zone the cover's date is shown in (e.g.
    /// "America/New_York"; default UTC).
    pub zone: Option<String>,
    /// The identification line at the edge of every page (sender, date,
    /// page count), as a sending fax machine prints it (default off).
    pub header: Option<bool>,
    /// The identification line's template, fields in braces (e.g.
    /// "{date} {time}|{sender}|Page {page}/{pages}"); turns the line on.
    pub header_format: Option<String>,
    /// Where the identification line goes: "top" (default) or "bottom".
    pub header_position: Option<String>,
}

/// Arguments of `prepare_fax`.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PrepareArgs {
    #[serde(flatten)]
    #[allow(missing_docs)]
    pub source: Source,
    #[serde(flatten)]
    #[allow(missing_docs)]
    pub fields: SendFields,
    #[serde(flatten)]
    #[allow(missing_docs)]
    pub options: FaxOptions,
    /// Pages (1-based, the cover is page 1 when there is one) to return as
    /// legible images when the fax has more than 4 pages (at most 4; default
    /// the first).
    pub show_pages: Option<Vec<u32>>,
    /// Arguments of no known name (refused, so a misspelt field is not
    /// silently dropped).
    #[serde(flatten)]
    #[schemars(skip)]
    pub unknown: serde_json::Map<String, Value>,
}

/// Arguments of `inspect_document`.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct InspectArgs {
    #[serde(flatten)]
    #[allow(missing_docs)]
    pub source: Source,
    /// Password of an encrypted PDF.
    pub password: Option<String>,
}

/// Arguments of `quote`.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct QuoteArgs {
    /// Pages of the document, without the cover.
    pub document_pages: u32,
    /// Whether a cover page is added (always in the free plan).
    pub include_cover: Option<bool>,
    /// Plan: "free" or "paid" (default "paid").
    pub plan: Option<PlanArg>,
}

/// Arguments of `preview_cover`.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CoverArgs {
    #[serde(flatten)]
    #[allow(missing_docs)]
    pub fields: SendFields,
    #[serde(flatten)]
    #[allow(missing_docs)]
    pub options: FaxOptions,
    /// Pages of the whole fax, cover included, printed on the cover
    /// (default 1).
    pub total_pages: Option<u32>,
    /// Arguments of no known name (refused).
    #[serde(flatten)]
    #[schemars(skip)]
    pub unknown: serde_json::Map<String, Value>,
}

/// Arguments of `send_fax`.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SendArgs {
    /// The handle `prepare_fax` returned.
    pub handle: String,
}

/// Arguments of `get_fax_status`.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct StatusArgs {
    /// The faxId `send_fax` returned.
    pub fax_id: String,
}

/// A failed call as the agent sees it: the API's error body
/// (`error`, `error_type`, `hint`) and the HTTP status it maps to.
struct Failure {
    body: faxprep::ApiError,
    status: u16,
}

impl Failure {
    fn new(error_type: ErrorType, error: impl Into<String>, hint: impl Into<String>) -> Failure {
        Failure {
            body: faxprep::ApiError::new(error_type, error, hint),
            status: error_type.http_status(),
        }
    }

    fn bad_request(error: impl Into<String>, hint: impl Into<String>) -> Failure {
        Failure::new(ErrorType::BadRequest, error, hint)
    }

    fn from_lib(e: &faxprep::Error) -> Failure {
        Failure {
            body: e.api_error(),
            status: e.http_status(),
        }
    }

    fn from_jail(e: &jail::JailError) -> Failure {
        let error_type = match e {
            jail::JailError::TooLarge { .. } => ErrorType::PayloadTooLarge,
            _ => ErrorType::BadRequest,
        };
        Failure::new(error_type, sentence(e.to_string()), e.hint())
    }

    fn error_type(&self) -> String {
        self.body.error_type.as_str().to_owned()
    }

    fn result(&self) -> CallToolResult {
        CallToolResult::structured_error(json!({
            "error": self.body.error,
            "error_type": self.body.error_type.as_str(),
            "hint": self.body.hint,
            "status": self.status,
        }))
    }
}

fn sentence(s: String) -> String {
    let mut c = s.chars();
    let mut out: String = c
        .next()
        .map(|f| f.to_uppercase().collect())
        .unwrap_or_default();
    out.push_str(c.as_str());
    if !out.ends_with('.') {
        out.push('.');
    }
    out
}

/// The faxprep MCP server.
#[derive(Clone)]
pub struct FaxServer {
    config: Arc<Config>,
    handles: Arc<Handles>,
    audit: Arc<AuditLog>,
    tool_router: ToolRouter<FaxServer>,
}

/// A document loaded from a [`Source`].
struct Loaded {
    bytes: Vec<u8>,
    filename: String,
    from: &'static str,
}

fn content_type(bytes: &[u8]) -> (&'static str, &'static str) {
    if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
        ("image/jpeg", "jpg")
    } else if bytes.starts_with(&[0x89, b'P', b'N', b'G']) {
        ("image/png", "png")
    } else {
        ("application/pdf", "pdf")
    }
}

impl FaxServer {
    /// A server with `config`.
    pub fn new(config: Config, audit: AuditLog) -> FaxServer {
        FaxServer {
            config: Arc::new(config),
            handles: Arc::new(Handles::default()),
            audit: Arc::new(audit),
            tool_router: Self::tool_router(),
        }
    }

    fn limit(&self) -> u64 {
        faxprep::Limits::default().max_upload_bytes
    }

    fn load(&self, source: &Source) -> Result<Loaded, Failure> {
        let limit = self.limit();
        let (bytes, name, from) = match (&source.path, &source.content_base64) {
            (Some(path), None) => {
                let bytes = jail::read_in_jail(&self.config.root, path, limit)
                    .map_err(|e| Failure::from_jail(&e))?;
                let name = std::path::Path::new(path)
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned());
                (bytes, name, "path")
            }
            (None, Some(text)) => {
                // Base64 of the limit is 4/3 of it; refuse longer text
                // before decoding it.
                if text.len() as u64 > limit.div_ceil(3) * 4 + 4 {
                    return Err(Failure::from_jail(&jail::JailError::TooLarge { limit }));
                }
                let bytes = B64.decode(text.trim()).map_err(|e| {
                    Failure::bad_request(
                        format!("contentBase64 is not valid base64: {e}."),
                        "Send the file's bytes in standard base64 (RFC 4648, with padding).",
                    )
                })?;
                if bytes.len() as u64 > limit {
                    return Err(Failure::from_jail(&jail::JailError::TooLarge { limit }));
                }
                (bytes, None, "content")
            }
            _ => {
                return Err(Failure::bad_request(
                    "Give exactly one of path and contentBase64.",
                    "Pass the document's path inside the server's root directory, or its bytes \
                     in base64.",
                ));
            }
        };
        let (_, ext) = content_type(&bytes);
        let filename = source
            .filename
            .clone()
            .or(name)
            .unwrap_or_else(|| format!("document.{ext}"));
        Ok(Loaded {
            bytes,
            filename,
            from,
        })
    }

    /// The form fields and options through the library's request
    /// values (the API's names, each value checked), the missing required
    /// fields filled with preview placeholders (their names returned).
    fn request(
        &self,
        fields: &SendFields,
        options: &FaxOptions,
    ) -> Result<(FormFields, Options, Vec<&'static str>), Failure> {
        let mut object = serde_json::Map::new();
        for part in [json!(fields), json!(options)] {
            if let Value::Object(map) = part {
                object.extend(map.into_iter().filter(|(_, v)| !v.is_null()));
            }
        }
        let values =
            RequestValues::from_json(&Value::Object(object)).map_err(|e| Failure::from_lib(&e))?;
        let mut base = Options::default();
        base.isolation = self.config.isolation.clone();
        // The cover shows when the fax is prepared unless a date is given.
        base.date = faxprep::date::now(None).map_err(|e| Failure::from_lib(&e))?;
        let opts = values
            .options
            .options(base)
            .map_err(|e| Failure::from_lib(&e))?;
        let mut form = values.fields;
        let placeholders = faxprep::request::fill_preview_placeholders(&mut form);
        Ok((form, opts, placeholders))
    }

    fn audit_failure(&self, tool: &'static str, f: &Failure, mut r: Record) {
        r.tool = tool;
        r.outcome = "error";
        r.error_type = Some(f.error_type());
        self.audit.write(r);
    }
}

/// A refusal of arguments of no known name, if there are any.
fn unknown_arguments(unknown: &serde_json::Map<String, Value>) -> Option<Failure> {
    let names: Vec<String> = unknown.keys().take(10).map(|k| format!("{k:?}")).collect();
    (!names.is_empty()).then(|| {
        Failure::bad_request(
            format!("Unknown argument {}.", names.join(", ")),
            "Use the argument names of the tool's input schema (the API's camelCase names).",
        )
    })
}

/// Run `f` on tokio's blocking pool.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ErrorData> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ErrorData::internal_error(format!("worker thread: {e}"), None))
}

fn png_block(png: &[u8]) -> ContentBlock {
    ContentBlock::image(B64.encode(png), "image/png")
}

#[tool_router]
impl FaxServer {
    #[tool(
        description = "Prepare a fax exactly as the fax API will send it, and look at it before \
        sending. Give a PDF, JPEG or PNG (a path inside the server's root directory, or \
        contentBase64; at most 4 MB) and the send-fax fields. Returns the facts (pages with the \
        cover, credits, seconds on the line, warnings, what each page holds) and the pages as \
        PNG images as the recipient's machine prints them (4 pages or fewer one by one; longer \
        faxes as a contact sheet plus the pages in showPages). Returns a handle for send_fax. \
        Missing recipient or sender fields get placeholders for the preview (such a handle \
        cannot be sent). Rejections come back as isError with error_type and a hint: fix and \
        call again. The free plan allows 5 pages including its cover."
    )]
    async fn prepare_fax(
        &self,
        Parameters(args): Parameters<PrepareArgs>,
    ) -> Result<CallToolResult, ErrorData> {
        const TOOL: &str = "prepare_fax";
        let mut record = Record {
            recipient: args.fields.recipient_number.as_deref().map(mask_number),
            sender_email: args.fields.sender_email.as_deref().map(mask_email),
            ..Record::default()
        };
        if let Some(f) = unknown_arguments(&args.unknown) {
            self.audit_failure(TOOL, &f, record);
            return Ok(f.result());
        }
        let loaded = match self.load(&args.source) {
            Ok(l) => l,
            Err(f) => {
                self.audit_failure(TOOL, &f, record);
                return Ok(f.result());
            }
        };
        record.source = Some(loaded.from);
        record.bytes = Some(loaded.bytes.len() as u64);
        let (fields, opts, placeholders) = match self.request(&args.fields, &args.options) {
            Ok(r) => r,
            Err(f) => {
                self.audit_failure(TOOL, &f, record);
                return Ok(f.result());
            }
        };
        let show: Vec<u32> = args.show_pages.clone().unwrap_or_default();
        let Loaded {
            bytes, filename, ..
        } = loaded;
        let outcome = blocking(move || {
            let fax = faxprep::prepare(&bytes, &fields, &opts)?;
            let pages = faxprep::preview::decode_fax(&fax.tiff)?;
            let images = page_images(&pages, &show)?;
            Ok::<_, faxprep::Error>((fax, images, bytes, fields))
        })
        .await?;
        let (fax, images, bytes, fields) = match outcome {
            Ok(done) => done,
            Err(e) => {
                let f = Failure::from_lib(&e);
                self.audit_failure(TOOL, &f, record);
                return Ok(f.result());
            }
        };
        let (content_type, _) = content_type(&bytes);
        let handle = self.handles.insert(Prepared {
            upload: bytes,
            content_type,
            filename,
            fields,
            placeholders: placeholders.clone(),
            total_pages: fax.total_pages,
            credits: fax.credits,
            recipient_number: fax.recipient_number.clone(),
        });
        let mut facts = serde_json::to_value(&fax)
            .map_err(|e| ErrorData::internal_error(format!("facts: {e}"), None))?;
        if let Value::Object(map) = &mut facts {
            map.insert("tiff_bytes".into(), fax.tiff.len().into());
        }
        let shown: Vec<Value> = images
            .iter()
            .map(|(label, png)| json!({"image": label, "png_bytes": png.len()}))
            .collect();
        let next = if placeholders.is_empty() {
            "Look at the pages. If they are what the recipient should get, call send_fax with \
             this handle; otherwise change the document or fields and prepare again."
        } else {
            "Preview only: fields marked as placeholders were invented for it. Prepare again \
             with the real recipient and sender to get a handle that can be sent."
        };
        let summary = json!({
            "handle": handle,
            "fax": facts,
            "placeholders": placeholders,
            "images": shown,
            "next": next,
        });
        let mut content = vec![ContentBlock::text(summary.to_string())];
        for (label, png) in &images {
            content.push(ContentBlock::text(label.clone()));
            content.push(png_block(png));
        }
        record.tool = TOOL;
        record.outcome = "ok";
        record.handle = Some(handle);
        record.recipient = Some(mask_number(&fax.recipient_number));
        record.pages = Some(fax.total_pages);
        record.credits = Some(fax.credits);
        self.audit.write(record);
        let mut result = CallToolResult::success(content);
        result.structured_content = Some(summary);
        Ok(result)
    }

    #[tool(
        description = "Check a document before preparing it: its type (PDF, JPEG, PNG), pages, \
        encryption, form fields with values to draw, warnings, and what it costs on each plan \
        (credits; free is null when the free plan's 5-page limit is exceeded). Fast: nothing \
        is rendered. Give a path inside the server's root \
        directory or contentBase64 (at most 4 MB)."
    )]
    async fn inspect_document(
        &self,
        Parameters(args): Parameters<InspectArgs>,
    ) -> Result<CallToolResult, ErrorData> {
        const TOOL: &str = "inspect_document";
        let loaded = match self.load(&args.source) {
            Ok(l) => l,
            Err(f) => {
                self.audit_failure(TOOL, &f, Record::default());
                return Ok(f.result());
            }
        };
        let record = Record {
            source: Some(loaded.from),
            bytes: Some(loaded.bytes.len() as u64),
            ..Record::default()
        };
        let mut opts = Options::default();
        opts.isolation = self.config.isolation.clone();
        opts.password.clone_from(&args.password);
        let bytes = loaded.bytes;
        let outcome = blocking(move || faxprep::inspect(&bytes, &opts)).await?;
        let value = outcome.and_then(|facts| {
            serde_json::to_value(&facts).map_err(|e| faxprep::Error::Internal {
                message: format!("facts: {e}"),
            })
        });
        match value {
            Ok(value) => {
                self.audit.write(Record {
                    tool: TOOL,
                    outcome: "ok",
                    pages: value["pages"].as_u64().map(|p| p as u32),
                    ..record
                });
                Ok(CallToolResult::structured(value))
            }
            Err(e) => {
                let f = Failure::from_lib(&e);
                self.audit_failure(TOOL, &f, record);
                Ok(f.result())
            }
        }
    }

    #[tool(
        description = "What a fax of documentPages pages costs: total pages (the cover counts) \
        and credits (one per started block of 10 pages). The free plan always adds its cover \
        and allows at most 5 pages in all; over that it answers payment_required."
    )]
    async fn quote(
        &self,
        Parameters(args): Parameters<QuoteArgs>,
    ) -> Result<CallToolResult, ErrorData> {
        let plan = match args.plan {
            Some(PlanArg::Free) => Plan::Free,
            _ => Plan::Paid,
        };
        let result = match faxprep::quote(
            args.document_pages,
            args.include_cover.unwrap_or(false),
            plan,
        ) {
            Ok(q) => CallToolResult::structured(json!(q)),
            Err(e) => Failure::from_lib(&faxprep::Error::Billing(e)).result(),
        };
        Ok(result)
    }

    #[tool(
        description = "Draw the cover page alone, as the recipient gets it, from the send-fax \
        fields (recipient, sender, subject, note), as a PNG image. Use it to check the cover's \
        text before prepare_fax. Missing recipient or sender fields get placeholders."
    )]
    async fn preview_cover(
        &self,
        Parameters(args): Parameters<CoverArgs>,
    ) -> Result<CallToolResult, ErrorData> {
        const TOOL: &str = "preview_cover";
        if let Some(f) = unknown_arguments(&args.unknown) {
            self.audit_failure(TOOL, &f, Record::default());
            return Ok(f.result());
        }
        let (fields, mut opts, placeholders) = match self.request(&args.fields, &args.options) {
            Ok(r) => r,
            Err(f) => {
                self.audit_failure(TOOL, &f, Record::default());
                return Ok(f.result());
            }
        };
        // The cover is drawn from our own fonts and the validated fields:
        // nothing of a stranger's document is parsed.
        opts.isolation = faxprep::Isolation::InProcess;
        let total = args.total_pages.unwrap_or(1).max(1);
        let outcome = blocking(move || {
            let (page, warnings) = faxprep::cover_page(&fields, &opts, total)?;
            let png = faxprep::preview::page_png(&page, PAGE_SHRINK)?;
            Ok::<_, faxprep::Error>((png, warnings))
        })
        .await?;
        match outcome {
            Ok((png, warnings)) => {
                let value = json!({
                    "warnings": warnings.iter().map(ToString::to_string).collect::<Vec<_>>(),
                    "placeholders": placeholders,
                    "png_bytes": png.len(),
                });
                self.audit.write(Record {
                    tool: TOOL,
                    outcome: "ok",
                    ..Record::default()
                });
                let mut result = CallToolResult::success(vec![
                    ContentBlock::text(value.to_string()),
                    png_block(&png),
                ]);
                result.structured_content = Some(value);
                Ok(result)
            }
            Err(e) => {
                let f = Failure::from_lib(&e);
                self.audit_failure(TOOL, &f, Record::default());
                Ok(f.result())
            }
        }
    }

    #[tool(
        description = "Send a fax that prepare_fax prepared, by its handle: the very document \
        and fields that were previewed go to the fax API (POST /api/send-fax). Costs credits. \
        Only call it after looking at the pages. Unless the server is configured to send \
        (FAXPREP_MCP_SEND=1 with an API key), this is a dry run that shows what would be sent. \
        Returns the API's answer with the faxId for get_fax_status."
    )]
    async fn send_fax(
        &self,
        Parameters(args): Parameters<SendArgs>,
    ) -> Result<CallToolResult, ErrorData> {
        const TOOL: &str = "send_fax";
        let Some(fax) = self.handles.get(&args.handle) else {
            let f = Failure::new(
                ErrorType::NotFound,
                format!("No prepared fax has the handle {:?}.", args.handle),
                "Call prepare_fax first (handles last while the server runs, for the 16 most \
                 recent faxes) and pass the handle it returns.",
            );
            self.audit_failure(TOOL, &f, Record::default());
            return Ok(f.result());
        };
        let mut record = Record {
            handle: Some(args.handle.clone()),
            bytes: Some(fax.upload.len() as u64),
            pages: Some(fax.total_pages),
            credits: Some(fax.credits),
            recipient: Some(mask_number(&fax.recipient_number)),
            sender_email: fax.fields.sender_email.as_deref().map(mask_email),
            ..Record::default()
        };
        if !fax.placeholders.is_empty() {
            let f = Failure::bad_request(
                format!(
                    "This preview used placeholders for {}; it cannot be sent.",
                    fax.placeholders.join(", ")
                ),
                "Call prepare_fax again with the real recipient number, sender name and sender \
                 email, look at the pages, then send that handle.",
            );
            self.audit_failure(TOOL, &f, record);
            return Ok(f.result());
        }
        let url = format!("{}/api/send-fax", self.config.api_base);
        let key = match (&self.config.api_key, self.config.send_enabled) {
            (Some(key), true) => key.clone(),
            _ => {
                let fields: serde_json::Map<String, Value> = api::form_fields(&fax)
                    .into_iter()
                    .map(|(k, v)| (k.to_owned(), Value::String(v)))
                    .collect();
                let value = json!({
                    "dry_run": true,
                    "would_post": url,
                    "fields": fields,
                    "file": {
                        "filename": fax.filename,
                        "content_type": fax.content_type,
                        "bytes": fax.upload.len(),
                    },
                    "total_pages": fax.total_pages,
                    "credits": fax.credits,
                    "hint": "Nothing was sent. The server sends only when its configuration sets \
                             FAXPREP_MCP_SEND=1 and FAXPREP_API_KEY; ask the user to enable it.",
                });
                record.tool = TOOL;
                record.outcome = "ok";
                record.dry_run = Some(true);
                self.audit.write(record);
                return Ok(CallToolResult::structured(value));
            }
        };
        let base = self.config.api_base.clone();
        let sent = Arc::clone(&fax);
        let outcome = blocking(move || api::send_fax(&base, &key, &sent)).await?;
        record.dry_run = Some(false);
        self.api_result(TOOL, outcome, record)
    }

    #[tool(
        description = "Ask the fax API where a sent fax is (GET /api/v1/fax/{faxId}): queued, \
        sending, completed, failed or partial, with its pages and completion time. Needs the \
        server's API key. Poll sparingly: most faxes finish within a few minutes."
    )]
    async fn get_fax_status(
        &self,
        Parameters(args): Parameters<StatusArgs>,
    ) -> Result<CallToolResult, ErrorData> {
        const TOOL: &str = "get_fax_status";
        if !api::valid_fax_id(&args.fax_id) {
            let f = Failure::bad_request(
                format!("{:?} is not a fax id.", args.fax_id),
                "Pass the faxId send_fax returned (letters, digits, - and _).",
            );
            self.audit_failure(TOOL, &f, Record::default());
            return Ok(f.result());
        }
        let record = Record {
            fax_id: Some(args.fax_id.clone()),
            ..Record::default()
        };
        let Some(key) = self.config.api_key.clone() else {
            let f = Failure::new(
                ErrorType::Unauthorized,
                "The server has no API key.",
                "Ask the user to set FAXPREP_API_KEY in the server's configuration.",
            );
            self.audit_failure(TOOL, &f, record);
            return Ok(f.result());
        };
        let base = self.config.api_base.clone();
        let id = args.fax_id.clone();
        let outcome = blocking(move || api::fax_status(&base, &key, &id)).await?;
        self.api_result(TOOL, outcome, record)
    }
}

impl FaxServer {
    /// The API's answer as a tool result: its JSON as is, an error
    /// result when the status is not 2xx.
    fn api_result(
        &self,
        tool: &'static str,
        outcome: Result<api::Answer, api::NetError>,
        mut record: Record,
    ) -> Result<CallToolResult, ErrorData> {
        record.tool = tool;
        match outcome {
            Ok(answer) => {
                record.http_status = Some(answer.status);
                if let Some(id) = answer.body.get("faxId").and_then(Value::as_str) {
                    record.fax_id = Some(id.chars().take(128).collect());
                }
                if (200..300).contains(&answer.status) {
                    record.outcome = "ok";
                    self.audit.write(record);
                    let body = match answer.body {
                        Value::Object(map) => Value::Object(map),
                        other => json!({ "answer": other }),
                    };
                    return Ok(CallToolResult::structured(body));
                }
                let field = |name: &str| {
                    answer
                        .body
                        .get(name)
                        .and_then(Value::as_str)
                        .map(str::to_owned)
                };
                // The API's own body when it has one; a type from the
                // status otherwise.
                let error_type = field("error_type")
                    .and_then(|t| ErrorType::from_name(&t))
                    .or_else(|| {
                        ErrorType::ALL
                            .into_iter()
                            .find(|t| t.http_status() == answer.status)
                    })
                    .unwrap_or(if answer.status >= 500 {
                        ErrorType::InternalError
                    } else {
                        ErrorType::BadRequest
                    });
                let mut f = Failure::new(
                    error_type,
                    field("error")
                        .unwrap_or_else(|| format!("The fax API answered HTTP {}.", answer.status)),
                    field("hint").unwrap_or_else(|| "Read the error and try again.".into()),
                );
                f.status = answer.status;
                self.audit_failure(tool, &f, record);
                Ok(f.result())
            }
            Err(e) => {
                let f = Failure::new(
                    ErrorType::ServiceUnavailable,
                    sentence(e.to_string()),
                    "The fax API could not be reached; try again later.",
                );
                self.audit_failure(tool, &f, record);
                Ok(f.result())
            }
        }
    }
}

/// Fax pixels averaged into one PNG pixel each way: a fine page (1728 x
/// ~2200) becomes 864 x ~1100, about 100 dpi, where 9-point text stays
/// legible and a page of text is 10-60 KB.
const PAGE_SHRINK: u32 = 2;
/// Pages shown one by one when the fax has no more than this many; a
/// longer fax gets a contact sheet and the pages asked for.
const MAX_PAGE_IMAGES: usize = 4;
/// Pages on the contact sheet at most (the first ones).
const MAX_SHEET_PAGES: usize = 40;
/// Widest contact sheet, in pixels.
const SHEET_WIDTH: u32 = 1600;

/// The images of a prepared fax: every page when there are at most
/// [`MAX_PAGE_IMAGES`], else a contact sheet of the first
/// [`MAX_SHEET_PAGES`] (as many columns as rows or one more, at most
/// [`SHEET_WIDTH`] wide) and the pages in `show` (1-based; the first page
/// when `show` is empty).
fn page_images(
    pages: &[faxprep::page::BitPage],
    show: &[u32],
) -> Result<Vec<(String, Vec<u8>)>, faxprep::Error> {
    use faxprep::preview::{contact_sheet_png, page_png};
    let n = pages.len();
    let mut out = Vec::new();
    if n <= MAX_PAGE_IMAGES {
        for (i, page) in pages.iter().enumerate() {
            out.push((
                format!("Page {} of {n}:", i + 1),
                page_png(page, PAGE_SHRINK)?,
            ));
        }
        return Ok(out);
    }
    let sheet = &pages[..n.min(MAX_SHEET_PAGES)];
    let columns = (sheet.len() as f64).sqrt().ceil() as u32;
    let widest = sheet.iter().map(|p| p.width()).max().unwrap_or(1);
    let shrink = (columns * widest).div_ceil(SHEET_WIDTH).max(4);
    out.push((
        format!(
            "Contact sheet of pages 1-{} of {n}, left to right, top to bottom:",
            sheet.len()
        ),
        contact_sheet_png(sheet, columns, shrink)?,
    ));
    let mut wanted: Vec<usize> = show
        .iter()
        .filter(|&&p| p >= 1 && p as usize <= n)
        .map(|&p| p as usize)
        .collect();
    wanted.dedup();
    wanted.truncate(MAX_PAGE_IMAGES);
    if wanted.is_empty() {
        wanted.push(1);
    }
    for p in wanted {
        out.push((
            format!("Page {p} of {n}:"),
            page_png(&pages[p - 1], PAGE_SHRINK)?,
        ));
    }
    Ok(out)
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for FaxServer {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new("faxprep", env!("CARGO_PKG_VERSION")))
            .with_instructions(
                "faxprep shows an agent the fax the recipient will get before it is sent. \
                 Typical flow: inspect_document (type, pages, cost), prepare_fax (look at the \
                 page images and the facts; fix what the error or warnings say), then send_fax \
                 with the handle, and get_fax_status with the faxId. Uploads: PDF, JPEG or PNG, \
                 at most 4 MB; destinations in the US and Canada; the free plan sends at most 5 \
                 pages with its cover.",
            )
    }
}

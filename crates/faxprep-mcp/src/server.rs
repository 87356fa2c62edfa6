//! The tools: arguments parsed into the library's types, the library
//! called on tokio's blocking pool, and its answer shaped into MCP content.

use crate::audit::{AuditLog, Record, mask_email, mask_number};
use crate::handles::{Handles, Prepared};
use crate::{Config, api, jail, render};
use base64::Engine as _;
use faxprep::{FormFields, Options, Plan};
use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{CallToolResult, ContentBlock, Implementation, ServerCapabilities, ServerConfig};
use rmcp::{ErrorData, ServerHandler, tool, tool_handler, tool_router};
use schemars::JsonSchema;
use serde::Deserialize;
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
#[derive(Debug, Default, Deserialize, JsonSchema)]
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
#[derive(Debug, Clone, Copy, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum PlanArg {
    /// Free: a branded cover always, at most 5 pages with it.
    Free,
    /// Paid (the default).
    Paid,
}

/// Fax resolution.
#[derive(Debug, Clone, Copy, Deserialize, JsonSchema)]
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
#[derive(Debug, Clone, Copy, Deserialize, JsonSchema)]
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
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct FaxOptions {
    /// Plan: "free" or "paid" (default "paid").
    pub plan: Option<PlanArg>,
    /// Resolution (default "fine").
    pub resolution: Option<ResolutionArg>,
    /// Paper (default "letter").
    pub paper: Option<PaperArg>,
    /// Gray to black and white: auto (default), threshold, adaptive,
    /// diffuse, atkinson, stucki, ordered or line.
    pub halftone: Option<String>,
    /// Password of an encrypted PDF.
    pub password: Option<String>,
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
    error: String,
    error_type: String,
    hint: String,
    status: u16,
}

impl Failure {
    fn bad_request(error: impl Into<String>, hint: impl Into<String>) -> Failure {
        Failure {
            error: error.into(),
            error_type: "bad_request".into(),
            hint: hint.into(),
            status: 400,
        }
    }

    fn from_lib(e: &faxprep::Error) -> Failure {
        let body = e.api_error();
        Failure {
            error: body.error,
            error_type: body.error_type.to_string(),
            hint: body.hint,
            status: e.http_status(),
        }
    }

    fn from_jail(e: &jail::JailError) -> Failure {
        let (error_type, status) = match e {
            jail::JailError::TooLarge { .. } => ("payload_too_large", 413),
            _ => ("bad_request", 400),
        };
        Failure {
            error: sentence(e.to_string()),
            error_type: error_type.into(),
            hint: e.hint().into(),
            status,
        }
    }

    fn result(&self) -> CallToolResult {
        CallToolResult::structured_error(json!({
            "error": self.error,
            "error_type": self.error_type,
            "hint": self.hint,
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

    fn options(&self, o: &FaxOptions) -> Result<Options, Failure> {
        let mut opts = Options::default();
        opts.isolation = self.config.isolation.clone();
        if let Some(plan) = o.plan {
            opts.plan = match plan {
                PlanArg::Free => Plan::Free,
                PlanArg::Paid => Plan::Paid,
            };
        }
        if let Some(r) = o.resolution {
            opts.resolution = match r {
                ResolutionArg::Standard => faxprep::page::Resolution::Standard,
                ResolutionArg::Fine => faxprep::page::Resolution::Fine,
                ResolutionArg::Superfine => faxprep::page::Resolution::Superfine,
            };
        }
        if let Some(p) = o.paper {
            use faxprep::page::Paper;
            use faxprep::raster::PaperChoice;
            opts.paper = match p {
                PaperArg::Letter => PaperChoice::Fixed(Paper::Letter),
                PaperArg::A4 => PaperChoice::Fixed(Paper::A4),
                PaperArg::Legal => PaperChoice::Fixed(Paper::Legal),
                PaperArg::Auto => PaperChoice::Auto,
            };
        }
        if let Some(h) = &o.halftone {
            opts.halftone = h.parse().map_err(|e| {
                Failure::bad_request(
                    format!("halftone {h:?}: {e}."),
                    "Use auto, threshold, adaptive, diffuse, atkinson, stucki, ordered or line.",
                )
            })?;
        }
        opts.password.clone_from(&o.password);
        Ok(opts)
    }

    fn audit_failure(&self, tool: &'static str, f: &Failure, mut r: Record) {
        r.tool = tool;
        r.outcome = "error";
        r.error_type = Some(f.error_type.clone());
        self.audit.write(r);
    }
}

/// The form fields, and the names of required fields that were missing
/// and got preview placeholders (a fictional 555-01xx number, a reserved
/// example.com address).
fn form_fields(f: &SendFields) -> (FormFields, Vec<&'static str>) {
    let b = |v: Option<bool>| v.map(|b| b.to_string());
    let mut fields = FormFields {
        recipient_number: f.recipient_number.clone(),
        sender_name: f.sender_name.clone(),
        sender_email: f.sender_email.clone(),
        send_email: b(f.send_email),
        include_cover: b(f.include_cover),
        cover_note: f.cover_note.clone(),
        recipient_name: f.recipient_name.clone(),
        subject: f.subject.clone(),
        sender_company: f.sender_company.clone(),
        sender_phone: f.sender_phone.clone(),
    };
    let mut placeholders = Vec::new();
    for (slot, value, name) in [
        (
            &mut fields.recipient_number,
            "+12125550123",
            "recipientNumber",
        ),
        (&mut fields.sender_name, "faxprep preview", "senderName"),
        (
            &mut fields.sender_email,
            "preview@example.com",
            "senderEmail",
        ),
    ] {
        if slot.is_none() {
            *slot = Some(value.to_owned());
            placeholders.push(name);
        }
    }
    (fields, placeholders)
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
        let loaded = match self.load(&args.source) {
            Ok(l) => l,
            Err(f) => {
                self.audit_failure(TOOL, &f, record);
                return Ok(f.result());
            }
        };
        record.source = Some(loaded.from);
        record.bytes = Some(loaded.bytes.len() as u64);
        let opts = match self.options(&args.options) {
            Ok(o) => o,
            Err(f) => {
                self.audit_failure(TOOL, &f, record);
                return Ok(f.result());
            }
        };
        let (fields, placeholders) = form_fields(&args.fields);
        let show: Vec<u32> = args.show_pages.clone().unwrap_or_default();
        let Loaded {
            bytes, filename, ..
        } = loaded;
        let outcome = blocking(move || {
            let fax = faxprep::prepare(&bytes, &fields, &opts)?;
            let pages = faxprep::codec::tiff::decode_tiff(
                &fax.tiff,
                &faxprep::codec::tiff::ReadLimits::default(),
            )
            .map_err(|e| faxprep::Error::Usage {
                message: format!("decoding the prepared fax: {e}"),
            })?;
            let images = page_images(&pages, &show).map_err(|e| faxprep::Error::Usage {
                message: format!("encoding the preview: {e}"),
            })?;
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
        encryption, warnings, and what it costs on each plan (credits; whether the free plan's \
        5-page limit allows it). Fast: nothing is rendered. Give a path inside the server's root \
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
        let password = args.password.clone();
        let bytes = loaded.bytes;
        let outcome = blocking(move || {
            let opts = faxprep::intake::IntakeOptions {
                password,
                ..faxprep::intake::IntakeOptions::default()
            };
            faxprep::intake::check_document(&bytes, &opts)
        })
        .await?;
        match outcome {
            Ok(doc) => {
                let quote = |cover, plan| {
                    faxprep::quote(doc.pages, cover, plan)
                        .map(|q| json!(q))
                        .unwrap_or_else(|e| json!({"refused": e.to_string()}))
                };
                let value = json!({
                    "format": doc.format.name(),
                    "pages": doc.pages,
                    "encrypted": doc.encrypted,
                    "password_used": doc.password_used,
                    "repaired": doc.repaired,
                    "warnings": doc.warnings.iter().map(ToString::to_string).collect::<Vec<_>>(),
                    "quotes": {
                        "paid": quote(false, Plan::Paid),
                        "paid_with_cover": quote(true, Plan::Paid),
                        "free": quote(true, Plan::Free),
                    },
                });
                self.audit.write(Record {
                    tool: TOOL,
                    outcome: "ok",
                    pages: Some(doc.pages),
                    ..record
                });
                Ok(CallToolResult::structured(value))
            }
            Err(e) => {
                let f = Failure::from_lib(&faxprep::Error::Intake(e));
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
        let mut opts = match self.options(&args.options) {
            Ok(o) => o,
            Err(f) => {
                self.audit_failure(TOOL, &f, Record::default());
                return Ok(f.result());
            }
        };
        // The cover is drawn from our own fonts and the validated fields:
        // nothing of a stranger's document is parsed.
        opts.isolation = faxprep::Isolation::InProcess;
        let (fields, placeholders) = form_fields(&args.fields);
        let total = args.total_pages.unwrap_or(1).max(1);
        let outcome = blocking(move || {
            let (page, warnings) = faxprep::cover_page(&fields, &opts, total)?;
            let png = render::page_png(&page).map_err(|e| faxprep::Error::Usage {
                message: format!("encoding the preview: {e}"),
            })?;
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
            let f = Failure {
                error: format!("No prepared fax has the handle {:?}.", args.handle),
                error_type: "not_found".into(),
                hint: "Call prepare_fax first (handles last while the server runs, for the 16 \
                       most recent faxes) and pass the handle it returns."
                    .into(),
                status: 404,
            };
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
            let f = Failure {
                error: "The server has no API key.".into(),
                error_type: "unauthorized".into(),
                hint: "Ask the user to set FAXPREP_API_KEY in the server's configuration.".into(),
                status: 401,
            };
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
                let f = Failure {
                    error: field("error")
                        .unwrap_or_else(|| format!("The fax API answered HTTP {}.", answer.status)),
                    error_type: field("error_type").unwrap_or_else(|| {
                        match answer.status {
                            401 => "unauthorized",
                            402 => "payment_required",
                            404 => "not_found",
                            413 => "payload_too_large",
                            422 => "document_too_complex",
                            429 => "rate_limited",
                            503 => "service_unavailable",
                            s if s >= 500 => "internal_error",
                            _ => "bad_request",
                        }
                        .into()
                    }),
                    hint: field("hint").unwrap_or_else(|| "Read the error and try again.".into()),
                    status: answer.status,
                };
                self.audit_failure(tool, &f, record);
                Ok(f.result())
            }
            Err(e) => {
                let f = Failure {
                    error: sentence(e.to_string()),
                    error_type: "service_unavailable".into(),
                    hint: "The fax API could not be reached; try again later.".into(),
                    status: 503,
                };
                self.audit_failure(tool, &f, record);
                Ok(f.result())
            }
        }
    }
}

/// The images of a prepared fax: every page when there are at most
/// [`render::MAX_PAGE_IMAGES`], else a contact sheet and the pages in
/// `show` (1-based; the first page when `show` is empty).
fn page_images(
    pages: &[faxprep::page::BitPage],
    show: &[u32],
) -> Result<Vec<(String, Vec<u8>)>, image::ImageError> {
    let n = pages.len();
    let mut out = Vec::new();
    if n <= render::MAX_PAGE_IMAGES {
        for (i, page) in pages.iter().enumerate() {
            out.push((format!("Page {} of {n}:", i + 1), render::page_png(page)?));
        }
        return Ok(out);
    }
    let on_sheet = n.min(render::MAX_SHEET_PAGES);
    out.push((
        format!("Contact sheet of pages 1-{on_sheet} of {n}, left to right, top to bottom:"),
        render::contact_sheet_png(pages)?,
    ));
    let mut wanted: Vec<usize> = show
        .iter()
        .filter(|&&p| p >= 1 && p as usize <= n)
        .map(|&p| p as usize)
        .collect();
    wanted.dedup();
    wanted.truncate(render::MAX_PAGE_IMAGES);
    if wanted.is_empty() {
        wanted.push(1);
    }
    for p in wanted {
        out.push((
            format!("Page {p} of {n}:"),
            render::page_png(&pages[p - 1])?,
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

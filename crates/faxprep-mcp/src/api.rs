//! The fax API over HTTP: `POST {base}/api/send-fax` (multipart, the
//! document and the form fields) and `GET {base}/api/v1/fax/{faxId}`, with
//! the key in `X-API-Key`. Only URLs under the configured base are ever
//! requested: no redirects are followed and no proxy from the environment
//! is used.

use crate::handles::Prepared;
use std::time::Duration;

/// Most bytes of an API answer read.
const MAX_ANSWER_BYTES: u64 = 1 << 20;

/// What the API answered.
#[derive(Debug)]
pub struct Answer {
    /// The HTTP status.
    pub status: u16,
    /// The body as JSON (a string when it is not JSON).
    pub body: serde_json::Value,
}

/// Why the API could not be asked.
#[derive(Debug)]
pub struct NetError(pub String);

impl std::fmt::Display for NetError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Check an API base URL: `https://host[:port]`, or `http://` to a
/// loopback host (a local sandbox); no path, query or credentials.
pub fn check_base(base: &str) -> Result<String, String> {
    let base = base.trim_end_matches('/');
    let (scheme, rest) = base
        .split_once("://")
        .ok_or_else(|| format!("{base:?} is not an http(s) URL"))?;
    if rest.is_empty() || rest.contains(['/', '?', '#', '@']) {
        return Err(format!(
            "{base:?}: the base URL is a scheme and a host (and port) only"
        ));
    }
    let (host, port) = match rest.rsplit_once(':') {
        Some((h, p)) if !p.contains(']') => (h, Some(p)),
        _ => (rest, None),
    };
    if port.is_some_and(|p| p.parse::<u16>().is_err()) {
        return Err(format!("{base:?}: bad port"));
    }
    match scheme {
        "https" => Ok(base.to_owned()),
        "http" if matches!(host, "127.0.0.1" | "localhost" | "[::1]") => Ok(base.to_owned()),
        "http" => Err(format!(
            "{base:?}: plain http is allowed to a loopback host only; use https"
        )),
        _ => Err(format!("{base:?} is not an http(s) URL")),
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .max_redirects(0)
        .proxy(None)
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(120)))
        .build()
        .into()
}

fn answer(mut resp: ureq::http::Response<ureq::Body>) -> Result<Answer, NetError> {
    let status = resp.status().as_u16();
    let bytes = resp
        .body_mut()
        .with_config()
        .limit(MAX_ANSWER_BYTES)
        .read_to_vec()
        .map_err(|e| NetError(format!("reading the API's answer: {e}")))?;
    let body = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| serde_json::Value::String(String::from_utf8_lossy(&bytes).into()));
    Ok(Answer { status, body })
}

/// The multipart form fields of `fax`, in the API's names.
pub fn form_fields(fax: &Prepared) -> Vec<(&'static str, String)> {
    let f = &fax.fields;
    [
        ("recipientNumber", &f.recipient_number),
        ("senderName", &f.sender_name),
        ("senderEmail", &f.sender_email),
        ("recipientName", &f.recipient_name),
        ("subject", &f.subject),
        ("senderCompany", &f.sender_company),
        ("senderPhone", &f.sender_phone),
        ("coverNote", &f.cover_note),
        ("includeCover", &f.include_cover),
        ("sendEmail", &f.send_email),
    ]
    .into_iter()
    .filter_map(|(name, value)| value.clone().map(|v| (name, v)))
    .collect()
}

/// The multipart body and its boundary: a boundary that occurs nowhere in
/// the parts.
fn multipart(fax: &Prepared) -> (String, Vec<u8>) {
    let fields = form_fields(fax);
    let mut n: u64 = 0x5eed_fac0;
    let boundary = loop {
        let b = format!("faxprep-{n:016x}");
        let needle = b.as_bytes();
        let clash = fax.upload.windows(needle.len()).any(|w| w == needle)
            || fields.iter().any(|(_, v)| v.contains(&b));
        if !clash {
            break b;
        }
        n = n.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
    };
    let mut body = Vec::with_capacity(fax.upload.len() + 2048);
    for (name, value) in &fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    let filename: String = fax
        .filename
        .chars()
        .map(|c| if c == '"' || c.is_control() { '_' } else { c })
        .collect();
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; \
             filename=\"{filename}\"\r\nContent-Type: {}\r\n\r\n",
            fax.content_type
        )
        .as_bytes(),
    );
    body.extend_from_slice(&fax.upload);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (boundary, body)
}

/// `POST {base}/api/send-fax` with the previewed upload and fields.
pub fn send_fax(base: &str, key: &str, fax: &Prepared) -> Result<Answer, NetError> {
    let (boundary, body) = multipart(fax);
    let resp = agent()
        .post(format!("{base}/api/send-fax"))
        .header("X-API-Key", key)
        // The API may refuse (a bad key, a full quota) before it reads the
        // upload and close the connection: asking first means its answer
        // is read rather than lost to a broken pipe mid-body.
        .header("Expect", "100-continue")
        .header(
            "Content-Type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .send(&body[..])
        .map_err(|e| NetError(format!("sending to the fax API: {e}")))?;
    answer(resp)
}

/// Whether `id` may be put in a URL path as it is: 1 to 128 letters,
/// digits, `-` and `_`.
pub fn valid_fax_id(id: &str) -> bool {
    (1..=128).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// `GET {base}/api/v1/fax/{id}` (`id` checked with [`valid_fax_id`]).
pub fn fax_status(base: &str, key: &str, id: &str) -> Result<Answer, NetError> {
    let resp = agent()
        .get(format!("{base}/api/v1/fax/{id}"))
        .header("X-API-Key", key)
        .call()
        .map_err(|e| NetError(format!("asking the fax API: {e}")))?;
    answer(resp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bases() {
        assert!(check_base("https://www.faxdrop.com").is_ok());
        assert_eq!(
            check_base("http://127.0.0.1:8080/").as_deref(),
            Ok("http://127.0.0.1:8080")
        );
        assert!(check_base("http://example.com").is_err());
        assert!(check_base("https://example.com/api").is_err());
        assert!(check_base("https://user@example.com").is_err());
        assert!(check_base("ftp://example.com").is_err());
        assert!(check_base("http://127.0.0.1:x").is_err());
        assert!(check_base("http://127.0.0.1.evil.com").is_err());
    }

    #[test]
    fn fax_ids() {
        assert!(valid_fax_id("fax_123-abc"));
        assert!(!valid_fax_id("../admin"));
        assert!(!valid_fax_id(""));
        assert!(!valid_fax_id("a?b"));
    }
}

//! Request IDs and the structured log: one JSON line on stderr a request,
//! with the route, status, time and job facts; never document bytes, phone
//! numbers, email addresses or whole API keys.

use crate::AppState;
use crate::body::LogFacts;
use axum::extract::{MatchedPath, Request, State};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use std::io::Write;
use std::sync::Arc;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

pub(crate) const REQUEST_ID: &str = "x-request-id";

/// A caller's request ID is kept when it is 1 to 128 characters of
/// `[A-Za-z0-9._:-]`; any other is replaced.
fn sane_id(value: &HeaderValue) -> Option<String> {
    let text = value.to_str().ok()?;
    let ok = (1..=128).contains(&text.len())
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | ':' | '-'));
    ok.then(|| text.to_owned())
}

/// `n` random bytes as lowercase hex, from the kernel's generator.
pub(crate) fn random_hex(n: usize) -> String {
    use std::io::Read;
    let mut bytes = vec![0u8; n];
    let read = std::fs::File::open("/dev/urandom").and_then(|mut f| f.read_exact(&mut bytes));
    if read.is_err() {
        // The hasher's keys are random per process; mixed with the clock
        // and a counter they still give distinct IDs.
        use std::hash::{BuildHasher, Hasher};
        static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let state = std::collections::hash_map::RandomState::new();
        for (i, chunk) in bytes.chunks_mut(8).enumerate() {
            let mut h = state.build_hasher();
            h.write_u64(COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
            h.write_usize(i);
            h.write_u128(
                SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .map_or(0, |d| d.as_nanos()),
            );
            let v = h.finish().to_le_bytes();
            chunk.copy_from_slice(&v[..chunk.len()]);
        }
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// An API key as the log may show it: its first 12 characters.
pub(crate) fn redact_key(key: &str) -> String {
    let head: String = key.chars().take(12).collect();
    format!("{head}...")
}

fn now_ms() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis())
}

fn write_line(value: &serde_json::Value) {
    let mut err = std::io::stderr().lock();
    let _ = serde_json::to_writer(&mut err, value);
    let _ = writeln!(err);
}

/// A service event (start, shutdown).
pub(crate) fn event(event: &str, message: &str) {
    write_line(&serde_json::json!({"ts_ms": now_ms(), "event": event, "message": message}));
}

/// Give every request an ID, count it, and log it when it is answered.
pub(crate) async fn middleware(
    State(state): State<Arc<AppState>>,
    request: Request,
    next: Next,
) -> Response {
    let start = Instant::now();
    let id = request
        .headers()
        .get(REQUEST_ID)
        .and_then(sane_id)
        .unwrap_or_else(|| random_hex(12));
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", |p| p.as_str())
        .to_owned();
    let method = request.method().to_string();
    let mut response = next.run(request).await;
    let status = response.status().as_u16();
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID, value);
    }
    state.metrics.request(&route, status);
    let facts = response
        .extensions()
        .get::<LogFacts>()
        .cloned()
        .unwrap_or_default();
    let mut line = serde_json::json!({
        "ts_ms": now_ms(),
        "request_id": id,
        "method": method,
        "route": route,
        "status": status,
        "ms": (start.elapsed().as_secs_f64() * 1000.0).round(),
    });
    if let serde_json::Value::Object(map) = &mut line {
        if let Some(t) = facts.error_type {
            map.insert("error_type".into(), t.into());
        }
        if let Some(p) = facts.pages {
            map.insert("pages".into(), p.into());
        }
        if let Some(b) = facts.upload_bytes {
            map.insert("upload_bytes".into(), b.into());
        }
        if let Some(s) = facts.job_seconds {
            map.insert("job_ms".into(), (s * 1000.0).round().into());
        }
    }
    write_line(&line);
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids() {
        assert_eq!(
            sane_id(&HeaderValue::from_static("abc-123._:x")).as_deref(),
            Some("abc-123._:x")
        );
        assert_eq!(sane_id(&HeaderValue::from_static("a b")), None);
        assert_eq!(sane_id(&HeaderValue::from_static("")), None);
        let long = "a".repeat(129);
        assert_eq!(sane_id(&HeaderValue::from_str(&long).unwrap()), None);
        let a = random_hex(12);
        assert_eq!(a.len(), 24);
        assert_ne!(a, random_hex(12));
        assert_eq!(
            redact_key("fd_live_0123456789abcdef0123456789abcdef"),
            "fd_live_0123..."
        );
    }
}

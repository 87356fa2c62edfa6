//! The optional audit log: one JSON line per tool call, written only with
//! the fields of [`Record`] (an allowlist: no document content, no names,
//! notes or subjects; recipient numbers and emails masked).

use serde::Serialize;
use std::io::Write;
use std::path::Path;
use std::sync::Mutex;

/// One tool call, as the audit log keeps it.
#[derive(Debug, Default, Serialize)]
pub struct Record {
    /// Seconds since the Unix epoch.
    pub ts: u64,
    /// The tool's name.
    pub tool: &'static str,
    /// `ok` or `error`.
    pub outcome: &'static str,
    /// The error's type when the call failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_type: Option<String>,
    /// The prepared fax's handle.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub handle: Option<String>,
    /// Where the document came from: `path` or `content`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<&'static str>,
    /// The upload's size in bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bytes: Option<u64>,
    /// Pages of the fax, cover included.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pages: Option<u32>,
    /// Credits the fax costs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credits: Option<u32>,
    /// The recipient's number, masked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recipient: Option<String>,
    /// The sender's email, masked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sender_email: Option<String>,
    /// Whether a send was a dry run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dry_run: Option<bool>,
    /// The API's HTTP status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http_status: Option<u16>,
    /// The fax's id at the API.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fax_id: Option<String>,
}

/// The log: appends to a file, or does nothing.
#[derive(Debug, Default)]
pub struct AuditLog {
    file: Option<Mutex<std::fs::File>>,
}

impl AuditLog {
    /// Append to `path` (created when missing, mode 0600).
    pub fn open(path: &Path) -> std::io::Result<AuditLog> {
        use std::os::unix::fs::OpenOptionsExt;
        let file = std::fs::File::options()
            .append(true)
            .create(true)
            .mode(0o600)
            .open(path)?;
        Ok(AuditLog {
            file: Some(Mutex::new(file)),
        })
    }

    /// Write one record (the time is filled in). A failed write is
    /// reported on stderr and does not fail the call.
    pub fn write(&self, mut record: Record) {
        let Some(file) = &self.file else { return };
        record.ts = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let Ok(mut line) = serde_json::to_vec(&record) else {
            return;
        };
        line.push(b'\n');
        let mut file = file.lock().unwrap_or_else(|p| p.into_inner());
        if let Err(e) = file.write_all(&line) {
            eprintln!("faxprep mcp: audit log: {e}");
        }
    }
}

/// A phone number with the digits between the first four and the last two
/// replaced by `*` ("+12125551234" -> "+1212*****34"); a short one wholly.
pub fn mask_number(number: &str) -> String {
    let digits = number.chars().filter(char::is_ascii_digit).count();
    if digits < 8 {
        return number
            .chars()
            .map(|c| if c.is_ascii_digit() { '*' } else { c })
            .collect();
    }
    let mut seen = 0;
    number
        .chars()
        .map(|c| {
            if !c.is_ascii_digit() {
                return c;
            }
            seen += 1;
            if seen <= 4 || seen > digits - 2 {
                c
            } else {
                '*'
            }
        })
        .collect()
}

/// An email with the local part cut to its first character
/// ("ada@example.com" -> "a***@example.com").
pub fn mask_email(email: &str) -> String {
    match email.rsplit_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}***@{domain}")
        }
        None => "***".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks() {
        assert_eq!(mask_number("+12125551234"), "+1212*****34");
        assert_eq!(mask_number("(212) 555-1234"), "(212) 5**-**34");
        assert_eq!(mask_number("12345"), "*****");
        assert_eq!(mask_email("ada@example.com"), "a***@example.com");
        assert_eq!(mask_email("nobody"), "***");
    }
}

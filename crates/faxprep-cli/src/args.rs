//! Flags shared by the subcommands: the API's form fields and the fax
//! options, turned into the library's `FormFields` and `Options`.

use anyhow::{Context, bail};
use faxprep::cover::CoverDate;
use faxprep::{FormFields, Isolation, Options, Plan, Worker};
use std::path::PathBuf;

/// The API's form fields, as kebab-case flags.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct FieldArgs {
    /// Recipient's fax number (E.164 or US/Canada national format).
    #[arg(long)]
    pub recipient_number: Option<String>,
    /// Recipient's name for the cover.
    #[arg(long)]
    pub recipient_name: Option<String>,
    /// Sender's name.
    #[arg(long)]
    pub sender_name: Option<String>,
    /// Sender's email.
    #[arg(long)]
    pub sender_email: Option<String>,
    /// Sender's company for the cover.
    #[arg(long)]
    pub sender_company: Option<String>,
    /// Sender's phone for the cover.
    #[arg(long)]
    pub sender_phone: Option<String>,
    /// Subject (at most 200 characters).
    #[arg(long)]
    pub subject: Option<String>,
    /// Cover note (at most 500 characters).
    #[arg(long)]
    pub cover_note: Option<String>,
    /// "true" to add a cover page (always on the free plan).
    #[arg(long)]
    pub include_cover: Option<String>,
    /// "false" to skip the receipt email.
    #[arg(long)]
    pub send_email: Option<String>,
    /// The fields as a JSON object with the API's camelCase keys; flags
    /// override its values.
    #[arg(long = "cover", value_name = "FILE.json")]
    pub cover_json: Option<PathBuf>,
}

/// Placeholders for a local preview without a real recipient: a fictional
/// 555-01xx number and a reserved example.com address.
const PREVIEW_RECIPIENT: &str = "+12125550123";
const PREVIEW_SENDER: &str = "faxprep preview";
const PREVIEW_EMAIL: &str = "preview@example.com";

impl FieldArgs {
    /// The form fields: the JSON file's, overridden by the flags; missing
    /// required fields get preview placeholders (said on stderr).
    pub fn form_fields(&self, quiet: bool) -> anyhow::Result<FormFields> {
        let mut f = match &self.cover_json {
            Some(path) => read_fields_json(path)?,
            None => FormFields::default(),
        };
        let set = |slot: &mut Option<String>, v: &Option<String>| {
            if v.is_some() {
                slot.clone_from(v);
            }
        };
        set(&mut f.recipient_number, &self.recipient_number);
        set(&mut f.recipient_name, &self.recipient_name);
        set(&mut f.sender_name, &self.sender_name);
        set(&mut f.sender_email, &self.sender_email);
        set(&mut f.sender_company, &self.sender_company);
        set(&mut f.sender_phone, &self.sender_phone);
        set(&mut f.subject, &self.subject);
        set(&mut f.cover_note, &self.cover_note);
        set(&mut f.include_cover, &self.include_cover);
        set(&mut f.send_email, &self.send_email);
        let mut placeholders = Vec::new();
        for (slot, value, name) in [
            (
                &mut f.recipient_number,
                PREVIEW_RECIPIENT,
                "--recipient-number",
            ),
            (&mut f.sender_name, PREVIEW_SENDER, "--sender-name"),
            (&mut f.sender_email, PREVIEW_EMAIL, "--sender-email"),
        ] {
            if slot.is_none() {
                *slot = Some(value.to_owned());
                placeholders.push(name);
            }
        }
        if !placeholders.is_empty() && !quiet {
            eprintln!(
                "faxprep: no {} given; using preview placeholders",
                placeholders.join(", ")
            );
        }
        Ok(f)
    }
}

/// Read the API's fields from JSON; booleans and numbers are taken as the
/// strings a multipart form would carry.
fn read_fields_json(path: &PathBuf) -> anyhow::Result<FormFields> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let value: serde_json::Value =
        serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
    let serde_json::Value::Object(map) = value else {
        bail!("{} must hold a JSON object", path.display());
    };
    let map: serde_json::Map<String, serde_json::Value> = map
        .into_iter()
        .map(|(k, v)| {
            let v = match v {
                serde_json::Value::Bool(b) => serde_json::Value::String(b.to_string()),
                serde_json::Value::Number(n) => serde_json::Value::String(n.to_string()),
                other => other,
            };
            (k, v)
        })
        .collect();
    serde_json::from_value(serde_json::Value::Object(map))
        .with_context(|| format!("{}: fields must be strings", path.display()))
}

/// The fax options.
#[derive(clap::Args, Debug, Clone)]
pub struct FaxArgs {
    /// free (branded cover, at most 5 pages) or paid.
    #[arg(long, default_value = "paid", value_parser = ["free", "paid"])]
    pub plan: String,
    /// Password of an encrypted PDF.
    #[arg(long)]
    pub password: Option<String>,
    /// fine (204x196), standard (204x98) or superfine (204x391).
    #[arg(long, default_value = "fine", value_parser = ["fine", "standard", "superfine"])]
    pub resolution: String,
    /// g4 (T.6), g3-1d (T.4 MH) or g3-2d (T.4 MR).
    #[arg(long, default_value = "g4", value_parser = ["g4", "g3-1d", "g3-2d"])]
    pub compression: String,
    /// letter, a4, legal or auto (per page, the best fit).
    #[arg(long, default_value = "letter", value_parser = ["letter", "a4", "legal", "auto"])]
    pub paper: String,
    /// auto, threshold[=N], adaptive, diffuse (floyd-steinberg), atkinson,
    /// stucki, ordered or line[=PERIOD].
    #[arg(long, default_value = "auto")]
    pub halftone: String,
    /// Seconds a page may take on the line at 14.4 kbit/s before its
    /// photos are halftoned coarser (and a warning if it still does), or
    /// "none" (default 180).
    #[arg(long)]
    pub line_budget: Option<String>,
    /// Render threads (default: all cores). The output is the same for any.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Date and time on the cover and in the TIFF, as
    /// YYYY-MM-DDTHH:MM[+HH:MM|-HH:MM|Z] (default: now, UTC).
    #[arg(long)]
    pub date: Option<String>,
    /// Time zone name printed beside the date (e.g. "America/New_York").
    #[arg(long)]
    pub zone: Option<String>,
    /// Parse and render in this process instead of an isolated worker
    /// (only for files you trust).
    #[arg(long)]
    pub in_process: bool,
    /// The worker program (default: this binary).
    #[arg(long, value_name = "PROGRAM", conflicts_with = "in_process")]
    pub worker: Option<std::path::PathBuf>,
    /// Print the identification line on every page: date, time and zone,
    /// sender, sender's phone, "Page N of M" (47 CFR 68.318(d)).
    #[arg(long)]
    pub header: bool,
    /// Print the identification line from this template (implies
    /// --header): fields {date} {time} {zone} {sender} {sender_name}
    /// {sender_company} {sender_phone} {sender_email} {recipient_name}
    /// {recipient_number} {subject} {page} {pages}; `|` separates centred
    /// sections; {{ }} {bar} for braces and a bar.
    #[arg(long, value_name = "TEMPLATE")]
    pub header_format: Option<String>,
    /// Where the identification line goes.
    #[arg(long, default_value = "top", value_parser = ["top", "bottom"])]
    pub header_position: String,
}

impl FaxArgs {
    pub fn options(&self) -> anyhow::Result<Options> {
        let mut o = Options::default();
        o.plan = if self.plan == "free" {
            Plan::Free
        } else {
            Plan::Paid
        };
        o.password.clone_from(&self.password);
        o.resolution = faxprep::page::Resolution::ALL
            .into_iter()
            .find(|r| r.name() == self.resolution)
            .context("unknown resolution")?;
        o.compression = faxprep::codec::Compression::from_name(&self.compression)
            .context("unknown compression")?;
        o.paper = match self.paper.as_str() {
            "auto" => faxprep::raster::PaperChoice::Auto,
            name => faxprep::raster::PaperChoice::Fixed(
                faxprep::page::Paper::ALL
                    .into_iter()
                    .find(|p| p.name() == name)
                    .context("unknown paper")?,
            ),
        };
        o.halftone = self
            .halftone
            .parse()
            .map_err(|e| anyhow::anyhow!("--halftone: {e}"))?;
        o.line_budget = match self.line_budget.as_deref().map(str::trim) {
            None => o.line_budget,
            Some("none") => None,
            Some(text) => match text.parse::<u32>() {
                Ok(s) if s > 0 => Some(s),
                _ => bail!("--line-budget {text:?}: expected whole seconds above 0, or none"),
            },
        };
        if self.threads == Some(0) {
            bail!("--threads must be at least 1");
        }
        o.threads = self.threads;
        o.date = match &self.date {
            Some(text) => parse_date(text, self.zone.clone())?,
            None => now_utc(self.zone.clone()),
        };
        if self.header || self.header_format.is_some() {
            let template = match &self.header_format {
                Some(t) => t
                    .parse()
                    .map_err(|e| anyhow::anyhow!("--header-format: {e}"))?,
                None => faxprep::HeaderTemplate::standard(),
            };
            let position = if self.header_position == "bottom" {
                faxprep::HeaderPosition::Bottom
            } else {
                faxprep::HeaderPosition::Top
            };
            o.header = Some(faxprep::HeaderLine { template, position });
        }
        o.isolation = if self.in_process {
            Isolation::InProcess
        } else {
            let program = match &self.worker {
                Some(p) => p.clone(),
                None => std::env::current_exe().context("finding the faxprep binary")?,
            };
            Isolation::Process(Worker::with_program(program))
        };
        Ok(o)
    }
}

/// Parse `YYYY-MM-DDTHH:MM[:SS][Z|+HH:MM|-HH:MM]` (a space may replace T).
pub fn parse_date(text: &str, zone: Option<String>) -> anyhow::Result<CoverDate> {
    let bad = || anyhow::anyhow!("--date {text:?}: expected YYYY-MM-DDTHH:MM[+HH:MM]");
    let (date, rest) = text.split_once(['T', ' ']).ok_or_else(bad)?;
    let mut d = date.splitn(3, '-').map(str::parse::<i64>);
    let (year, month, day) = match (d.next(), d.next(), d.next()) {
        (Some(Ok(y)), Some(Ok(m)), Some(Ok(d))) => (y, m, d),
        _ => return Err(bad()),
    };
    let split = rest.find(['Z', '+', '-']).unwrap_or(rest.len());
    let (time, offset) = rest.split_at(split);
    let mut t = time.split(':').map(str::parse::<i64>);
    let (hour, minute) = match (t.next(), t.next()) {
        (Some(Ok(h)), Some(Ok(m))) => (h, m),
        _ => return Err(bad()),
    };
    let utc_offset_minutes = match offset {
        "" | "Z" => 0,
        o => {
            let sign = if o.starts_with('-') { -1 } else { 1 };
            let (h, m) = o[1..].split_once(':').ok_or_else(bad)?;
            sign * (h.parse::<i32>().map_err(|_| bad())? * 60
                + m.parse::<i32>().map_err(|_| bad())?)
        }
    };
    let date = CoverDate {
        year: i32::try_from(year).map_err(|_| bad())?,
        month: u8::try_from(month).map_err(|_| bad())?,
        day: u8::try_from(day).map_err(|_| bad())?,
        hour: u8::try_from(hour).map_err(|_| bad())?,
        minute: u8::try_from(minute).map_err(|_| bad())?,
        utc_offset_minutes,
        zone,
    };
    if !date.is_valid() {
        return Err(bad());
    }
    Ok(date)
}

/// The current time in UTC (the CLI is the caller, so it may read the
/// clock; the library never does).
fn now_utc(zone: Option<String>) -> CoverDate {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    CoverDate {
        year: year as i32,
        month: month as u8,
        day: day as u8,
        hour: (rem / 3600) as u8,
        minute: (rem % 3600 / 60) as u8,
        utc_offset_minutes: 0,
        zone: Some(zone.unwrap_or_else(|| "UTC".into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_parse() {
        let d = parse_date("2026-11-28T14:05-05:00", None).unwrap();
        assert_eq!(
            (d.year, d.month, d.day, d.hour, d.minute),
            (2026, 11, 28, 14, 5)
        );
        assert_eq!(d.utc_offset_minutes, -300);
        assert_eq!(
            parse_date("2026-02-03 04:05Z", None)
                .unwrap()
                .utc_offset_minutes,
            0
        );
        assert!(parse_date("2026-02-30T00:00", None).is_err());
        assert!(parse_date("yesterday", None).is_err());
        let now = now_utc(None);
        assert!(now.is_valid() && now.year >= 2024);
    }
}

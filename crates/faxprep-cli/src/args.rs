//! Flags shared by the subcommands: the API's form fields and the fax
//! options, turned into the library's `FormFields` and `Options`.

use anyhow::{Context, bail};
use faxprep::request::{OptionValues, RequestValues, fill_preview_placeholders};
use faxprep::{FormFields, Isolation, Options, Worker};
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
        let filled = fill_preview_placeholders(&mut f);
        if !filled.is_empty() && !quiet {
            let flags: Vec<String> = filled.iter().map(|name| flag_name(name)).collect();
            eprintln!(
                "faxprep: no {} given; using preview placeholders",
                flags.join(", ")
            );
        }
        Ok(f)
    }
}

/// `recipientNumber` -> `--recipient-number`.
fn flag_name(api_name: &str) -> String {
    let mut out = String::from("--");
    for c in api_name.chars() {
        if c.is_ascii_uppercase() {
            out.push('-');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// Read the API's fields from a JSON object (the library's coercion:
/// booleans and numbers as the text a form carries); options go in flags.
fn read_fields_json(path: &PathBuf) -> anyhow::Result<FormFields> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let value: serde_json::Value =
        serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
    let values = RequestValues::from_json(&value)
        .map_err(|e| anyhow::anyhow!("{}: {}", path.display(), e.api_error().error))?;
    if !values.options.is_empty() {
        bail!(
            "{}: holds engine options; give them as flags (--plan, --resolution, ...)",
            path.display()
        );
    }
    Ok(values.fields)
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
    /// YYYY-MM-DDTHH:MM[Z|+HH:MM|-HH:MM]; without an offset it is the wall
    /// clock in --zone, or UTC (default: now).
    #[arg(long)]
    pub date: Option<String>,
    /// IANA time zone the date is shown in (e.g. "America/New_York").
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
    /// Accept TIFF uploads (fax TIFFs in CCITT G3/G4, colour and gray TIFFs
    /// in LZW, Deflate, JPEG or PackBits); off, a TIFF is refused as the
    /// public API refuses it.
    #[arg(long)]
    pub accept_tiff: bool,
}

impl FaxArgs {
    pub fn options(&self) -> anyhow::Result<Options> {
        let values = OptionValues {
            plan: Some(self.plan.clone()),
            resolution: Some(self.resolution.clone()),
            compression: Some(self.compression.clone()),
            paper: Some(self.paper.clone()),
            halftone: Some(self.halftone.clone()),
            line_budget: self.line_budget.clone(),
            threads: self.threads.map(|n| n.to_string()),
            date: self.date.clone(),
            zone: self.zone.clone(),
            password: self.password.clone(),
            header: self.header.then(|| "true".into()),
            header_format: self.header_format.clone(),
            header_position: Some(self.header_position.clone()),
            ..OptionValues::default()
        };
        let mut base = Options::default();
        if self.date.is_none() {
            // The CLI is the caller, so it may read the clock (the library
            // never does on its own): the default date is now.
            base.date = faxprep::date::now(None).map_err(|e| anyhow::anyhow!("{e}"))?;
        }
        let mut o = values.options(base).map_err(|e| match &e {
            faxprep::Error::InvalidOption { name, .. } => {
                anyhow::anyhow!("--{}: {}", flag_name(name).trim_start_matches("--"), e)
            }
            _ => anyhow::anyhow!("{e}"),
        })?;
        o.isolation = if self.in_process {
            Isolation::InProcess
        } else {
            let program = match &self.worker {
                Some(p) => p.clone(),
                None => std::env::current_exe().context("finding the faxprep binary")?,
            };
            Isolation::Process(Worker::with_program(program))
        };
        o.limits.accept_tiff = self.accept_tiff;
        Ok(o)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_are_named_as_clap_names_them() {
        assert_eq!(flag_name("recipientNumber"), "--recipient-number");
        assert_eq!(flag_name("lineBudget"), "--line-budget");
        assert_eq!(flag_name("plan"), "--plan");
    }
}

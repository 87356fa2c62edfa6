//! A request as every frontend receives it: named text values (multipart
//! form fields, JSON members, tool arguments), sorted into the API's form
//! fields ([`FormFields`]) and the engine's options ([`OptionValues`]),
//! then checked into [`Options`]. Frontends only collect the names and
//! values; what a name means and which values it takes is decided here,
//! once, with the caller's mistakes as [`Error::InvalidOption`] (HTTP 400).

use crate::{Error, Options, Plan};
use faxprep_codec::Compression;
use faxprep_intake::FormFields;
use faxprep_page::{Paper, Resolution};
use faxprep_raster::PaperChoice;

/// The text fields of `POST /api/send-fax`, by their API names (the upload
/// itself is the `file` part).
pub const FORM_FIELDS: [&str; 10] = [
    "recipientNumber",
    "senderName",
    "senderEmail",
    "includeCover",
    "coverNote",
    "recipientName",
    "subject",
    "senderCompany",
    "senderPhone",
    "sendEmail",
];

/// The engine's options, by the names a request gives them.
pub const OPTION_NAMES: [&str; 14] = [
    "plan",
    "resolution",
    "compression",
    "paper",
    "halftone",
    "lineBudget",
    "threads",
    "date",
    "zone",
    "password",
    "output",
    "header",
    "headerFormat",
    "headerPosition",
];

/// The most render threads a request may ask for.
pub const MAX_THREADS: usize = 64;

/// The engine's options as text, before they are checked; `None` keeps
/// the base options' value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OptionValues {
    /// `free` or `paid`.
    pub plan: Option<String>,
    /// `standard`, `fine` or `superfine`.
    pub resolution: Option<String>,
    /// `g4`, `g3-1d` or `g3-2d`.
    pub compression: Option<String>,
    /// `letter`, `a4`, `legal` or `auto`.
    pub paper: Option<String>,
    /// A halftone method (`auto`, `threshold=N`, `line=N`, `document`...).
    pub halftone: Option<String>,
    /// Whole seconds above 0, or `none`.
    pub line_budget: Option<String>,
    /// Render threads, 1 to [`MAX_THREADS`].
    pub threads: Option<String>,
    /// The date and time ([`crate::date::parse_date`]).
    pub date: Option<String>,
    /// An IANA zone to show the date in.
    pub zone: Option<String>,
    /// The PDF's user password.
    pub password: Option<String>,
    /// What to answer with: `tiff`, `pdf` or `json`.
    pub output: Option<String>,
    /// `true` for the identification line on every page (the default
    /// template), `false` for none.
    pub header: Option<String>,
    /// The identification line's template ([`crate::HeaderTemplate`]);
    /// gives the line unless `header` is `false`.
    pub header_format: Option<String>,
    /// `top` or `bottom`: where the identification line goes.
    pub header_position: Option<String>,
}

/// What a frontend answers a prepared fax with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    /// The TIFF Class F file.
    Tiff,
    /// The PDF of the same G4 pages.
    Pdf,
    /// The facts alone, as JSON.
    Json,
}

impl Output {
    /// The name a request gives (`tiff`, `pdf`, `json`).
    pub fn name(self) -> &'static str {
        match self {
            Output::Tiff => "tiff",
            Output::Pdf => "pdf",
            Output::Json => "json",
        }
    }

    /// The media type of the answer.
    pub fn media_type(self) -> &'static str {
        match self {
            Output::Tiff => "image/tiff",
            Output::Pdf => "application/pdf",
            Output::Json => "application/json",
        }
    }
}

impl OptionValues {
    /// The slot of the option called `name`, if it is one.
    fn slot(&mut self, name: &str) -> Option<&mut Option<String>> {
        Some(match name {
            "plan" => &mut self.plan,
            "resolution" => &mut self.resolution,
            "compression" => &mut self.compression,
            "paper" => &mut self.paper,
            "halftone" => &mut self.halftone,
            "lineBudget" => &mut self.line_budget,
            "threads" => &mut self.threads,
            "date" => &mut self.date,
            "zone" => &mut self.zone,
            "password" => &mut self.password,
            "output" => &mut self.output,
            "header" => &mut self.header,
            "headerFormat" => &mut self.header_format,
            "headerPosition" => &mut self.header_position,
            _ => return None,
        })
    }

    /// Whether no option is given.
    pub fn is_empty(&self) -> bool {
        *self == OptionValues::default()
    }

    /// `base` with these values applied, each checked. A zone without a
    /// date shows `base.date`'s instant in that zone.
    pub fn options(&self, mut base: Options) -> Result<Options, Error> {
        if let Some(v) = &self.plan {
            base.plan = match v.trim() {
                "free" => Plan::Free,
                "paid" => Plan::Paid,
                _ => return Err(invalid("plan", v, "free or paid")),
            };
        }
        if let Some(v) = &self.resolution {
            base.resolution = Resolution::ALL
                .into_iter()
                .find(|r| r.name() == v.trim())
                .ok_or_else(|| invalid("resolution", v, "standard, fine or superfine"))?;
        }
        if let Some(v) = &self.compression {
            base.compression = Compression::from_name(v.trim())
                .ok_or_else(|| invalid("compression", v, "g4, g3-1d or g3-2d"))?;
        }
        if let Some(v) = &self.paper {
            base.paper = match v.trim() {
                "auto" => PaperChoice::Auto,
                name => PaperChoice::Fixed(
                    Paper::ALL
                        .into_iter()
                        .find(|p| p.name() == name)
                        .ok_or_else(|| invalid("paper", v, "letter, a4, legal or auto"))?,
                ),
            };
        }
        if let Some(v) = &self.halftone {
            base.halftone = v.parse().map_err(|_| {
                invalid(
                    "halftone",
                    v,
                    "auto, document, threshold, threshold=N (0-255), adaptive, diffuse, \
                     atkinson, stucki, ordered, line or line=N (3-16)",
                )
            })?;
        }
        if let Some(v) = &self.line_budget {
            base.line_budget = match v.trim() {
                "none" => None,
                text => match text.parse::<u32>() {
                    Ok(s) if s > 0 => Some(s),
                    _ => return Err(invalid("lineBudget", v, "whole seconds above 0, or none")),
                },
            };
        }
        if let Some(v) = &self.threads {
            base.threads = match v.trim().parse::<usize>() {
                Ok(n) if (1..=MAX_THREADS).contains(&n) => Some(n),
                _ => return Err(invalid("threads", v, "a whole number from 1 to 64")),
            };
        }
        match (&self.date, &self.zone) {
            (Some(date), zone) => {
                base.date = crate::date::parse_date(date, zone.as_deref())?;
            }
            (None, Some(zone)) => base.date = crate::date::in_zone(&base.date, zone)?,
            (None, None) => {}
        }
        if let Some(v) = &self.password {
            base.password = Some(v.clone());
        }
        self.apply_header(&mut base)?;
        self.output()?;
        Ok(base)
    }

    /// The identification line: `header`, `headerFormat` and
    /// `headerPosition` applied to `base.header`.
    fn apply_header(&self, base: &mut Options) -> Result<(), Error> {
        let on = match self.header.as_deref().map(str::trim) {
            None => None,
            Some("true") => Some(true),
            Some("false") => Some(false),
            Some(v) => return Err(invalid("header", v, "true or false")),
        };
        let template = match &self.header_format {
            Some(v) => Some(
                crate::HeaderTemplate::parse(v).map_err(|e| Error::InvalidOption {
                    name: "headerFormat".into(),
                    value: v.chars().take(100).collect(),
                    expected: format!("a header template ({e})"),
                })?,
            ),
            None => None,
        };
        let position = match self.header_position.as_deref().map(str::trim) {
            None => None,
            Some("top") => Some(crate::HeaderPosition::Top),
            Some("bottom") => Some(crate::HeaderPosition::Bottom),
            Some(v) => return Err(invalid("headerPosition", v, "top or bottom")),
        };
        match (on, template) {
            (Some(false), _) => base.header = None,
            (Some(true), t) | (None, t @ Some(_)) => {
                let mut line = base.header.take().unwrap_or_default();
                if let Some(t) = t {
                    line.template = t;
                }
                base.header = Some(line);
            }
            (None, None) => {}
        }
        if let (Some(p), Some(line)) = (position, base.header.as_mut()) {
            line.position = p;
        }
        Ok(())
    }

    /// The output asked for, if any.
    pub fn output(&self) -> Result<Option<Output>, Error> {
        self.output
            .as_deref()
            .map(|v| match v.trim() {
                "tiff" => Ok(Output::Tiff),
                "pdf" => Ok(Output::Pdf),
                "json" => Ok(Output::Json),
                _ => Err(invalid("output", v, "tiff, pdf or json")),
            })
            .transpose()
    }
}

/// The named values of one request, sorted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestValues {
    /// The API's form fields.
    pub fields: FormFields,
    /// The engine's options.
    pub options: OptionValues,
}

impl RequestValues {
    /// Take the value of the field or option called `name` (the API's
    /// camelCase names, [`FORM_FIELDS`] and [`OPTION_NAMES`]); an unknown
    /// name is the caller's mistake.
    pub fn set(&mut self, name: &str, value: impl Into<String>) -> Result<(), Error> {
        let value = value.into();
        if let Some(slot) = form_field(&mut self.fields, name) {
            *slot = Some(value);
            return Ok(());
        }
        if let Some(slot) = self.options.slot(name) {
            *slot = Some(value);
            return Ok(());
        }
        Err(Error::InvalidOption {
            name: name.chars().take(100).collect(),
            value: String::new(),
            expected: format!(
                "a known field name ({}, {})",
                FORM_FIELDS.join(", "),
                OPTION_NAMES.join(", ")
            ),
        })
    }

    /// The values of a JSON object with the API's names. Booleans and
    /// numbers are taken as the text a form would carry (`true`, `5`);
    /// `null` leaves a value unset; arrays and objects are refused.
    pub fn from_json(value: &serde_json::Value) -> Result<RequestValues, Error> {
        let serde_json::Value::Object(map) = value else {
            return Err(Error::InvalidOption {
                name: "request".into(),
                value: String::new(),
                expected: "a JSON object of field names and values".into(),
            });
        };
        let mut out = RequestValues::default();
        for (name, v) in map {
            let text = match v {
                serde_json::Value::Null => continue,
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Bool(b) => b.to_string(),
                serde_json::Value::Number(n) => n.to_string(),
                _ => {
                    return Err(Error::InvalidOption {
                        name: name.chars().take(100).collect(),
                        value: String::new(),
                        expected: "a string, number or boolean".into(),
                    });
                }
            };
            out.set(name, text)?;
        }
        Ok(out)
    }
}

/// The slot of the form field called `name` (API camelCase), if it is one.
pub fn form_field<'a>(fields: &'a mut FormFields, name: &str) -> Option<&'a mut Option<String>> {
    Some(match name {
        "recipientNumber" => &mut fields.recipient_number,
        "senderName" => &mut fields.sender_name,
        "senderEmail" => &mut fields.sender_email,
        "includeCover" => &mut fields.include_cover,
        "coverNote" => &mut fields.cover_note,
        "recipientName" => &mut fields.recipient_name,
        "subject" => &mut fields.subject,
        "senderCompany" => &mut fields.sender_company,
        "senderPhone" => &mut fields.sender_phone,
        "sendEmail" => &mut fields.send_email,
        _ => return None,
    })
}

/// A fictional number from the 555-01xx block that is reserved for
/// fiction, used when a preview has no recipient.
pub const PREVIEW_RECIPIENT: &str = "+12125550123";
/// The sender's name a preview without one shows.
pub const PREVIEW_SENDER: &str = "faxprep preview";
/// An address in the domain reserved for examples.
pub const PREVIEW_EMAIL: &str = "preview@example.com";

/// Fill the required fields that are missing with preview placeholders
/// ([`PREVIEW_RECIPIENT`], [`PREVIEW_SENDER`], [`PREVIEW_EMAIL`]), for a
/// look at the pages before the real values are known; returns the API
/// names of the fields it filled.
pub fn fill_preview_placeholders(fields: &mut FormFields) -> Vec<&'static str> {
    let mut filled = Vec::new();
    for (slot, value, name) in [
        (
            &mut fields.recipient_number,
            PREVIEW_RECIPIENT,
            "recipientNumber",
        ),
        (&mut fields.sender_name, PREVIEW_SENDER, "senderName"),
        (&mut fields.sender_email, PREVIEW_EMAIL, "senderEmail"),
    ] {
        if slot.is_none() {
            *slot = Some(value.to_owned());
            filled.push(name);
        }
    }
    filled
}

fn invalid(name: &str, value: &str, expected: &str) -> Error {
    Error::InvalidOption {
        name: name.into(),
        value: value.chars().take(100).collect(),
        expected: expected.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Isolation;

    #[test]
    fn every_name_lands_in_its_slot() {
        let mut r = RequestValues::default();
        for name in FORM_FIELDS.iter().chain(OPTION_NAMES.iter()) {
            r.set(name, format!("v-{name}")).unwrap();
        }
        let f = &r.fields;
        assert_eq!(f.recipient_number.as_deref(), Some("v-recipientNumber"));
        assert_eq!(f.sender_phone.as_deref(), Some("v-senderPhone"));
        assert_eq!(f.send_email.as_deref(), Some("v-sendEmail"));
        assert_eq!(r.options.line_budget.as_deref(), Some("v-lineBudget"));
        assert_eq!(r.options.output.as_deref(), Some("v-output"));
        // The form fields deserialise from the same names: the two lists
        // agree with intake's own.
        let json: serde_json::Map<String, serde_json::Value> = FORM_FIELDS
            .iter()
            .map(|n| (n.to_string(), format!("v-{n}").into()))
            .collect();
        let from_serde: FormFields = serde_json::from_value(json.into()).unwrap();
        assert_eq!(from_serde, r.fields);
        let e = r.set("recipient_number", "x").unwrap_err();
        assert_eq!(e.http_status(), 400);
    }

    #[test]
    fn json_values_are_taken_as_form_text() {
        let v = serde_json::json!({
            "recipientNumber": "+12125551234", "includeCover": true, "threads": 2,
            "subject": null, "plan": "free",
        });
        let r = RequestValues::from_json(&v).unwrap();
        assert_eq!(r.fields.include_cover.as_deref(), Some("true"));
        assert_eq!(r.fields.subject, None);
        assert_eq!(r.options.threads.as_deref(), Some("2"));
        let o = r.options.options(Options::default()).unwrap();
        assert_eq!((o.plan, o.threads), (Plan::Free, Some(2)));
        for bad in [
            serde_json::json!([1]),
            serde_json::json!({"subject": ["a"]}),
            serde_json::json!({"nope": "x"}),
        ] {
            assert_eq!(
                RequestValues::from_json(&bad).unwrap_err().http_status(),
                400
            );
        }
    }

    #[test]
    fn options_are_checked_and_applied() {
        let mut v = OptionValues {
            resolution: Some("superfine".into()),
            compression: Some("g3-2d".into()),
            paper: Some("a4".into()),
            halftone: Some("line=7".into()),
            line_budget: Some("none".into()),
            date: Some("2026-12-05T09:30".into()),
            zone: Some("America/Chicago".into()),
            output: Some("pdf".into()),
            ..OptionValues::default()
        };
        let o = v.options(Options::default()).unwrap();
        assert_eq!(o.resolution, Resolution::Superfine);
        assert_eq!(o.compression.name(), "g3-2d");
        assert_eq!(o.paper, PaperChoice::Fixed(Paper::A4));
        assert_eq!(o.halftone.to_string(), "line=7");
        assert_eq!(o.line_budget, None);
        assert_eq!((o.date.hour, o.date.utc_offset_minutes), (9, -360));
        assert_eq!(o.isolation, Isolation::default());
        assert_eq!(v.output().unwrap(), Some(Output::Pdf));
        for (name, value) in [
            ("plan", "gold"),
            ("resolution", "ultra"),
            ("compression", "jbig"),
            ("paper", "tabloid"),
            ("halftone", "line=99"),
            ("lineBudget", "0"),
            ("threads", "0"),
            ("threads", "1000"),
            ("date", "soon"),
            ("zone", "Moon/Base"),
            ("output", "docx"),
        ] {
            let mut bad = RequestValues::default();
            bad.set(name, value).unwrap();
            let e = bad.options.options(Options::default()).unwrap_err();
            assert!(
                matches!(&e, Error::InvalidOption { name: n, .. } if n == name),
                "{name}={value}: {e}"
            );
            assert_eq!(e.api_error().error_type, "bad_request");
        }
        v.zone = None;
        v.date = None;
        assert!(v.options(Options::default()).is_ok());
    }

    #[test]
    fn the_identification_line_is_asked_for_by_name() {
        let o = |pairs: &[(&str, &str)]| {
            let mut r = RequestValues::default();
            for (n, v) in pairs {
                r.set(n, *v).unwrap();
            }
            r.options.options(Options::default())
        };
        assert_eq!(o(&[]).unwrap().header, None);
        assert_eq!(
            o(&[("header", "true")]).unwrap().header,
            Some(crate::HeaderLine::default())
        );
        let line = o(&[
            ("headerFormat", "{page}/{pages}"),
            ("headerPosition", "bottom"),
        ])
        .unwrap()
        .header
        .unwrap();
        assert_eq!(line.template.as_str(), "{page}/{pages}");
        assert_eq!(line.position, crate::HeaderPosition::Bottom);
        assert_eq!(
            o(&[("header", "false"), ("headerFormat", "{page}")])
                .unwrap()
                .header,
            None
        );
        for (name, value) in [
            ("header", "yes"),
            ("headerFormat", "{nope}"),
            ("headerPosition", "left"),
        ] {
            let e = o(&[("header", "true"), (name, value)]).unwrap_err();
            assert!(
                matches!(&e, Error::InvalidOption { name: n, .. } if n == name),
                "{name}={value}: {e}"
            );
        }
    }

    #[test]
    fn placeholders_fill_only_what_is_missing() {
        let mut f = FormFields {
            sender_name: Some("Ada".into()),
            ..FormFields::default()
        };
        assert_eq!(
            fill_preview_placeholders(&mut f),
            ["recipientNumber", "senderEmail"]
        );
        assert_eq!(f.sender_name.as_deref(), Some("Ada"));
        // The placeholders pass the API's own validation.
        assert!(faxprep_intake::validate_fields(&f, Plan::Paid).is_ok());
    }
}

//! Stand-in for the `faxprep` library's request API until it lands (the
//! form values by their API names, the current date).

use crate::body::ApiFailure;

fn invalid(name: &str, value: &str, expected: &str) -> ApiFailure {
    ApiFailure::new(
        400,
        "bad_request",
        &format!(
            "The option {} has the value {}, not {expected}.",
            crate::body::printable(name),
            crate::body::printable(value)
        ),
        &format!("Set {name} to {expected}."),
    )
}

pub(crate) mod request {
    use super::invalid;
    use crate::body::ApiFailure;
    use faxprep::{FormFields, Options, Plan};

    pub(crate) const FORM_FIELDS: &[&str] = &[
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

    #[derive(Default)]
    pub(crate) struct OptionValues {
        pub plan: Option<String>,
        pub resolution: Option<String>,
        pub compression: Option<String>,
        pub paper: Option<String>,
        pub halftone: Option<String>,
        pub line_budget: Option<String>,
        pub date: Option<String>,
        pub zone: Option<String>,
        pub password: Option<String>,
    }

    #[derive(Default)]
    pub(crate) struct RequestValues {
        pub fields: FormFields,
        pub options: OptionValues,
    }

    impl RequestValues {
        pub fn set(&mut self, name: &str, value: String) -> Result<(), ApiFailure> {
            let f = &mut self.fields;
            let o = &mut self.options;
            let slot = match name {
                "recipientNumber" => &mut f.recipient_number,
                "senderName" => &mut f.sender_name,
                "senderEmail" => &mut f.sender_email,
                "includeCover" => &mut f.include_cover,
                "coverNote" => &mut f.cover_note,
                "recipientName" => &mut f.recipient_name,
                "subject" => &mut f.subject,
                "senderCompany" => &mut f.sender_company,
                "senderPhone" => &mut f.sender_phone,
                "sendEmail" => &mut f.send_email,
                "plan" => &mut o.plan,
                "resolution" => &mut o.resolution,
                "compression" => &mut o.compression,
                "paper" => &mut o.paper,
                "halftone" => &mut o.halftone,
                "lineBudget" => &mut o.line_budget,
                "date" => &mut o.date,
                "zone" => &mut o.zone,
                "password" => &mut o.password,
                other => {
                    return Err(ApiFailure::new(
                        400,
                        "bad_request",
                        &format!("Unknown field {}.", crate::body::printable(other)),
                        "Use the send-fax fields and the engine options named in the README.",
                    ));
                }
            };
            *slot = Some(value);
            Ok(())
        }
    }

    impl OptionValues {
        pub fn options(&self, mut o: Options) -> Result<Options, ApiFailure> {
            if let Some(v) = &self.plan {
                o.plan = match v.as_str() {
                    "free" => Plan::Free,
                    "paid" => Plan::Paid,
                    _ => return Err(invalid("plan", v, "free or paid")),
                };
            }
            if let Some(v) = &self.resolution {
                o.resolution = faxprep::page::Resolution::ALL
                    .into_iter()
                    .find(|r| r.name() == v)
                    .ok_or_else(|| invalid("resolution", v, "fine, standard or superfine"))?;
            }
            if let Some(v) = &self.compression {
                o.compression = faxprep::codec::Compression::from_name(v)
                    .ok_or_else(|| invalid("compression", v, "g4, g3-1d or g3-2d"))?;
            }
            if let Some(v) = &self.paper {
                o.paper = match v.as_str() {
                    "auto" => faxprep::raster::PaperChoice::Auto,
                    name => faxprep::raster::PaperChoice::Fixed(
                        faxprep::page::Paper::ALL
                            .into_iter()
                            .find(|p| p.name() == name)
                            .ok_or_else(|| invalid("paper", v, "letter, a4, legal or auto"))?,
                    ),
                };
            }
            if let Some(v) = &self.halftone {
                o.halftone = v
                    .parse()
                    .map_err(|_| invalid("halftone", v, "a halftone method"))?;
            }
            if let Some(v) = &self.line_budget {
                o.line_budget = match v.as_str() {
                    "none" => None,
                    t => Some(
                        t.parse::<u32>()
                            .ok()
                            .filter(|s| *s > 0)
                            .ok_or_else(|| invalid("lineBudget", v, "seconds or none"))?,
                    ),
                };
            }
            o.password.clone_from(&self.password);
            if self.date.is_some() {
                return Err(invalid(
                    "date",
                    "",
                    "left out (the service prints the current time)",
                ));
            }
            Ok(o)
        }
    }

    pub(crate) fn fill_preview_placeholders(f: &mut FormFields) {
        f.recipient_number
            .get_or_insert_with(|| "+12125550123".into());
        f.sender_name
            .get_or_insert_with(|| "faxprep preview".into());
        f.sender_email
            .get_or_insert_with(|| "preview@example.com".into());
    }
}

pub(crate) mod date {
    use crate::body::ApiFailure;
    use faxprep::cover::CoverDate;

    pub(crate) fn now(zone: Option<&str>) -> Result<CoverDate, ApiFailure> {
        let utc = jiff::Timestamp::now().to_zoned(jiff::tz::TimeZone::UTC);
        Ok(CoverDate {
            year: i32::from(utc.year()),
            month: utc.month() as u8,
            day: utc.day() as u8,
            hour: utc.hour() as u8,
            minute: utc.minute() as u8,
            utc_offset_minutes: 0,
            zone: Some(zone.unwrap_or("UTC").to_owned()),
        })
    }
}

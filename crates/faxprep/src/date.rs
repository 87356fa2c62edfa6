//! The fax's date and time as frontends receive it: text in ISO 8601 /
//! RFC 3339 and an IANA zone name, turned into the [`CoverDate`] that the
//! cover, the TIFF and [`crate::Options::date`] carry.
//!
//! Calendar and zone rules are jiff's, with its bundled copy of the IANA
//! database, so a zone means the same on every machine whatever its
//! `/usr/share/zoneinfo` holds.

use crate::Error;
use faxprep_cover::CoverDate;
use jiff::fmt::temporal::{Pieces, PiecesOffset};
use jiff::tz::{Offset, TimeZone};
use jiff::{Timestamp, ZonedDateTime as Zoned};

const DATE_EXPECTED: &str = "an ISO 8601 date and time such as 2026-12-05T14:05, \
    2026-12-05T14:05-05:00 or 2026-12-05T19:05Z";
const ZONE_EXPECTED: &str = "an IANA time zone name such as America/New_York or UTC";

/// The date of `text` (`YYYY-MM-DDTHH:MM[:SS]`, a space may replace the
/// `T`, then optionally `Z`, a `+HH:MM`/`-HH:MM` offset, or a `[Zone/Name]`
/// annotation), shown in `zone` when one is given:
/// - with an offset or `Z`, the text names an instant, which is shown in
///   `zone` (or at that offset when there is no zone);
/// - without one, the text is the wall-clock time in `zone` (UTC when
///   there is no zone).
pub fn parse_date(text: &str, zone: Option<&str>) -> Result<CoverDate, Error> {
    let bad = || invalid("date", text, DATE_EXPECTED);
    let pieces = Pieces::parse(text.trim()).map_err(|_| bad())?;
    let time = pieces.time().ok_or_else(bad)?;
    let civil = pieces.date().to_datetime(time);
    let named = match zone {
        Some(name) => Some(time_zone(name)?),
        None => match pieces.time_zone_annotation() {
            Some(annotation) => Some(annotation.to_time_zone().map_err(|_| bad())?),
            None => None,
        },
    };
    let zoned = match (pieces.offset(), named) {
        (Some(PiecesOffset::Numeric(n)), tz) => {
            let at = civil
                .to_zoned_datetime(TimeZone::fixed(n.offset()))
                .map_err(|_| bad())?;
            match tz {
                Some(tz) => at.timestamp().to_zoned_datetime(tz),
                None => at,
            }
        }
        (Some(PiecesOffset::Zulu), tz) => {
            let at = civil.to_zoned_datetime(TimeZone::UTC).map_err(|_| bad())?;
            at.timestamp()
                .to_zoned_datetime(tz.unwrap_or(TimeZone::UTC))
        }
        (_, Some(tz)) => civil.to_zoned_datetime(tz).map_err(|_| bad())?,
        (_, None) => civil.to_zoned_datetime(TimeZone::UTC).map_err(|_| bad())?,
    };
    cover_date(&zoned).ok_or_else(bad)
}

/// The current time, shown in `zone` (UTC when there is none). This is the
/// one function of the library that reads the clock; frontends call it for
/// their default date.
pub fn now(zone: Option<&str>) -> Result<CoverDate, Error> {
    let tz = match zone {
        Some(name) => time_zone(name)?,
        None => TimeZone::UTC,
    };
    cover_date(&Timestamp::now().to_zoned_datetime(tz)).ok_or_else(|| Error::Internal {
        message: "the clock is outside years 0 to 9999".into(),
    })
}

/// `date`'s instant shown in `zone`: the same moment, its wall-clock time
/// and offset in that zone.
pub fn in_zone(date: &CoverDate, zone: &str) -> Result<CoverDate, Error> {
    let tz = time_zone(zone)?;
    let bad = || Error::Internal {
        message: "the date is outside years 0 to 9999".into(),
    };
    let offset = Offset::from_seconds(date.utc_offset_minutes * 60).map_err(|_| bad())?;
    let civil = jiff::civil::date(
        i16::try_from(date.year).map_err(|_| bad())?,
        i8::try_from(date.month).map_err(|_| bad())?,
        i8::try_from(date.day).map_err(|_| bad())?,
    )
    .at(
        i8::try_from(date.hour).map_err(|_| bad())?,
        i8::try_from(date.minute).map_err(|_| bad())?,
        0,
        0,
    );
    let at = civil
        .to_zoned_datetime(TimeZone::fixed(offset))
        .map_err(|_| bad())?;
    cover_date(&at.timestamp().to_zoned_datetime(tz)).ok_or_else(bad)
}

fn time_zone(name: &str) -> Result<TimeZone, Error> {
    let name = name.trim();
    if name.is_empty() || name.len() > 64 {
        return Err(invalid("zone", name, ZONE_EXPECTED));
    }
    TimeZone::get(name).map_err(|_| invalid("zone", name, ZONE_EXPECTED))
}

fn cover_date(z: &Zoned) -> Option<CoverDate> {
    let zone = match z.time_zone().iana_name() {
        Some(name) => Some(name.to_owned()),
        None if z.offset().seconds() == 0 => Some("UTC".to_owned()),
        None => None,
    };
    let date = CoverDate {
        year: i32::from(z.year()),
        month: u8::try_from(z.month()).ok()?,
        day: u8::try_from(z.day()).ok()?,
        hour: u8::try_from(z.hour()).ok()?,
        minute: u8::try_from(z.minute()).ok()?,
        utc_offset_minutes: z.offset().seconds() / 60,
        zone,
    };
    date.is_valid().then_some(date)
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

    fn fields(d: &CoverDate) -> (i32, u8, u8, u8, u8, i32, Option<&str>) {
        (
            d.year,
            d.month,
            d.day,
            d.hour,
            d.minute,
            d.utc_offset_minutes,
            d.zone.as_deref(),
        )
    }

    #[test]
    fn offsets_name_instants_and_zones_show_them() {
        let d = parse_date("2026-11-28T14:05-05:00", None).unwrap();
        assert_eq!(fields(&d), (2026, 11, 28, 14, 5, -300, None));
        // 19:05 UTC on 28 November is 14:05 in New York (EST, -05:00).
        let d = parse_date("2026-11-28T19:05Z", Some("America/New_York")).unwrap();
        assert_eq!(
            fields(&d),
            (2026, 11, 28, 14, 5, -300, Some("America/New_York"))
        );
        // In July New York is on daylight time (-04:00).
        let d = parse_date("2026-07-04 12:00", Some("America/New_York")).unwrap();
        assert_eq!(
            fields(&d),
            (2026, 7, 4, 12, 0, -240, Some("America/New_York"))
        );
        let d = parse_date("2026-02-03T04:05Z", None).unwrap();
        assert_eq!(fields(&d), (2026, 2, 3, 4, 5, 0, Some("UTC")));
        let d = parse_date("2026-02-03T04:05[Europe/Paris]", None).unwrap();
        assert_eq!(fields(&d), (2026, 2, 3, 4, 5, 60, Some("Europe/Paris")));
    }

    #[test]
    fn nonsense_is_the_callers_error() {
        for text in ["2026-02-30T00:00", "yesterday", "2026-13-01T00:00", ""] {
            let e = parse_date(text, None).unwrap_err();
            assert_eq!(e.http_status(), 400, "{text}: {e}");
        }
        let e = parse_date("2026-02-03T04:05", Some("Mars/Olympus")).unwrap_err();
        assert!(matches!(&e, Error::InvalidOption { name, .. } if name == "zone"));
        assert!(now(Some("Nowhere/Else")).is_err());
    }

    #[test]
    fn now_is_shown_in_the_zone_asked_for() {
        let utc = now(None).unwrap();
        let tokyo = now(Some("Asia/Tokyo")).unwrap();
        assert_eq!(tokyo.utc_offset_minutes, 9 * 60);
        assert_eq!(tokyo.zone.as_deref(), Some("Asia/Tokyo"));
        assert!(utc.year >= 2026 && utc.zone.as_deref() == Some("UTC"));
        // The same instant: Tokyo's wall clock is UTC's plus nine hours
        // (unless a minute turned between the two calls).
        let back = in_zone(&tokyo, "UTC").unwrap();
        let minutes = |d: &CoverDate| i32::from(d.hour) * 60 + i32::from(d.minute);
        assert!((minutes(&back) - minutes(&utc)).rem_euclid(24 * 60) <= 1);
    }

    #[test]
    fn in_zone_keeps_the_instant() {
        let d = parse_date("2026-11-28T14:05-05:00", None).unwrap();
        let paris = in_zone(&d, "Europe/Paris").unwrap();
        assert_eq!(
            fields(&paris),
            (2026, 11, 28, 20, 5, 60, Some("Europe/Paris"))
        );
    }
}

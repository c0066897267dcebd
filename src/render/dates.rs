//! Times are stored in UTC and shown in the site's zone. How a date reads
//! (`05/04/2022 10:00` in Vietnamese) is the theme's: the catalogue's
//! `format_datetime` and `format_date`, applied by the templates' `datetime`
//! and `date` filters ([`format`]), so no date format is written in Rust.

use std::fmt::Write;

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone};
use chrono_tz::Tz;
use serde::Serialize;

/// One instant in the site's zone, ready for a template: printed as
/// `{{ t | datetime }}` or `{{ t | date }}`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ShownTime {
    /// RFC 3339 with the zone's offset (`2022-04-05T10:00:00+07:00`), for
    /// `<time datetime>`, feeds, and the filters.
    pub iso: String,
}

pub fn show(utc: NaiveDateTime, tz: Tz) -> ShownTime {
    let local = tz.from_utc_datetime(&utc);
    ShownTime {
        iso: local.to_rfc3339_opts(chrono::SecondsFormat::Secs, false),
    }
}

/// Why a date could not be printed.
#[derive(Debug, thiserror::Error)]
pub enum DateError {
    #[error("not a date: {0:?} (expected RFC 3339 or YYYY-MM-DD)")]
    NotADate(String),
    #[error("format {0:?} does not apply to {1:?}")]
    Format(String, String),
}

/// `value` (an RFC 3339 instant, printed in its own offset, or a
/// `YYYY-MM-DD` date) in the strftime `pattern`.
pub fn format(value: &str, pattern: &str) -> Result<String, DateError> {
    let mut out = String::new();
    let written = if let Ok(t) = DateTime::parse_from_rfc3339(value) {
        write!(out, "{}", t.format(pattern))
    } else if let Ok(d) = NaiveDate::parse_from_str(value, "%Y-%m-%d") {
        write!(out, "{}", d.format(pattern))
    } else {
        return Err(DateError::NotADate(value.to_owned()));
    };
    // chrono reports a pattern that asks for what the value lacks (an
    // hour of a date) as a formatting error.
    written.map_err(|_| DateError::Format(pattern.to_owned(), value.to_owned()))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DATETIME: &str = "%d/%m/%Y %H:%M";
    const DATE: &str = "%d/%m/%Y";

    #[test]
    fn shown_in_hanoi_time() {
        let utc = chrono::NaiveDate::from_ymd_opt(2022, 4, 5)
            .unwrap()
            .and_hms_opt(3, 0, 0)
            .unwrap();
        let t = show(utc, chrono_tz::Asia::Ho_Chi_Minh);
        assert_eq!(t.iso, "2022-04-05T10:00:00+07:00");
        assert_eq!(format(&t.iso, DATETIME).unwrap(), "05/04/2022 10:00");
        // Across midnight the local date is the next day.
        let late = show(
            utc + chrono::Duration::hours(18),
            chrono_tz::Asia::Ho_Chi_Minh,
        );
        assert_eq!(format(&late.iso, DATE).unwrap(), "06/04/2022");
    }

    #[test]
    fn dates_alone_and_other_patterns() {
        assert_eq!(format("2022-03-29", DATE).unwrap(), "29/03/2022");
        assert_eq!(format("2022-03-29", "%-d/%-m/%Y").unwrap(), "29/3/2022");
        assert_eq!(
            format("2022-03-29T08:05:00+07:00", "%B %-d, %Y, %H:%M").unwrap(),
            "March 29, 2022, 08:05"
        );
    }

    #[test]
    fn what_cannot_be_printed_is_an_error() {
        assert!(matches!(
            format("hôm qua", DATE),
            Err(DateError::NotADate(_))
        ));
        assert!(matches!(
            format("2022-03-29", DATETIME),
            Err(DateError::Format(..))
        ));
    }
}

//! Times are stored in UTC and shown in the site's zone as `dd/mm/yyyy HH:MM`.

use chrono::{NaiveDateTime, TimeZone};
use chrono_tz::Tz;
use serde::Serialize;

/// One instant, ready for a template.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ShownTime {
    /// `05/04/2022 10:00`
    pub display: String,
    /// `05/04/2022`
    pub date: String,
    /// RFC 3339 with the zone's offset, for `<time datetime>` and feeds.
    pub iso: String,
}

pub fn show(utc: NaiveDateTime, tz: Tz) -> ShownTime {
    let local = tz.from_utc_datetime(&utc);
    ShownTime {
        display: local.format("%d/%m/%Y %H:%M").to_string(),
        date: local.format("%d/%m/%Y").to_string(),
        iso: local.to_rfc3339_opts(chrono::SecondsFormat::Secs, false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shown_in_hanoi_time() {
        let utc = chrono::NaiveDate::from_ymd_opt(2022, 4, 5)
            .unwrap()
            .and_hms_opt(3, 0, 0)
            .unwrap();
        let t = show(utc, chrono_tz::Asia::Ho_Chi_Minh);
        assert_eq!(t.display, "05/04/2022 10:00");
        assert_eq!(t.iso, "2022-04-05T10:00:00+07:00");
        // Across midnight the local date is the next day.
        let late = utc + chrono::Duration::hours(18);
        assert_eq!(show(late, chrono_tz::Asia::Ho_Chi_Minh).date, "06/04/2022");
    }
}

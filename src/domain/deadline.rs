//! Comment deadlines and the on-time figure: when a comment is due (a
//! number of working days after it came, in the site's zone), whether it
//! is overdue, and the share of a period's comments handled within their
//! deadline. No I/O: the caller gives the rows and the clock.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, TimeZone};
use chrono_tz::Tz;
use serde::Serialize;

/// When a comment received at `at` (UTC) is due: `days` working days
/// (Monday–Friday, in the site's zone) later, at the same local time.
pub fn due(at: NaiveDateTime, days: u32, tz: Tz) -> NaiveDateTime {
    let mut local = tz.from_utc_datetime(&at).naive_local();
    let mut left = days;
    while left > 0 {
        local += Duration::days(1);
        if local.weekday().number_from_monday() <= 5 {
            left -= 1;
        }
    }
    tz.from_local_datetime(&local)
        .earliest()
        .map(|t| t.naive_utc())
        .unwrap_or(at)
}

/// Whether a comment received at `at` and still waiting is past its
/// deadline at `now`.
pub fn is_overdue(at: NaiveDateTime, days: u32, tz: Tz, now: NaiveDateTime) -> bool {
    now > due(at, days, tz)
}

/// The department's figure for a period: received, handled on time,
/// overdue, and the share handled on time.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct OnTime {
    pub received: usize,
    /// Handled by their deadline.
    pub on_time: usize,
    /// Handled after their deadline.
    pub late: usize,
    /// Not handled, and past their deadline.
    pub overdue: usize,
    /// Not handled, still within their deadline.
    pub waiting: usize,
    /// Per cent of received handled on time, rounded (100 when none were
    /// received).
    pub share: u32,
}

/// The figure for `rows` (when each comment came, and when it was first
/// handled), with `days` working days to handle each, at `now`.
pub fn on_time(
    rows: &[(NaiveDateTime, Option<NaiveDateTime>)],
    days: u32,
    tz: Tz,
    now: NaiveDateTime,
) -> OnTime {
    let due: Vec<(NaiveDateTime, Option<NaiveDateTime>)> = rows
        .iter()
        .map(|(at, handled)| (due(*at, days, tz), *handled))
        .collect();
    on_time_by(&due, now)
}

/// The figure for `rows` given as (deadline, when handled), at `now`: for
/// items whose deadline was fixed when they came (citizens' questions).
pub fn on_time_by(rows: &[(NaiveDateTime, Option<NaiveDateTime>)], now: NaiveDateTime) -> OnTime {
    let mut f = OnTime {
        received: rows.len(),
        on_time: 0,
        late: 0,
        overdue: 0,
        waiting: 0,
        share: 100,
    };
    for &(deadline, handled) in rows {
        match handled {
            Some(h) if h <= deadline => f.on_time += 1,
            Some(_) => f.late += 1,
            None if now > deadline => f.overdue += 1,
            None => f.waiting += 1,
        }
    }
    if let Some(permille) = (f.on_time * 1000).checked_div(f.received) {
        f.share = (permille + 5).min(1000) as u32 / 10;
    }
    f
}

/// Days in the period the figure covers when none is asked for.
pub const DEFAULT_PERIOD_DAYS: i64 = 30;

/// The period asked for (local dates, inclusive): `to` defaults to
/// `today`; `from` to [`DEFAULT_PERIOD_DAYS`] ending at `to`, and also
/// when it is after `to`.
pub fn period(
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    today: NaiveDate,
) -> (NaiveDate, NaiveDate) {
    let to = to.unwrap_or(today);
    let from = from
        .filter(|f| *f <= to)
        .unwrap_or(to - Duration::days(DEFAULT_PERIOD_DAYS - 1));
    (from, to)
}

/// The UTC instants a period of local dates covers: from the start of
/// `from` (inclusive) to the start of the day after `to` (exclusive).
pub fn period_bounds(from: NaiveDate, to: NaiveDate, tz: Tz) -> (NaiveDateTime, NaiveDateTime) {
    let start = |d: NaiveDate| {
        tz.from_local_datetime(&d.and_time(chrono::NaiveTime::MIN))
            .earliest()
            .map(|t| t.naive_utc())
            .unwrap_or_default()
    };
    (start(from), start(to + Duration::days(1)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const HANOI: Tz = chrono_tz::Asia::Ho_Chi_Minh;

    fn t(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn deadlines_count_working_days_only() {
        // Friday 10:00 in Hanoi (03:00 UTC) + 2 working days = Tuesday 10:00.
        assert_eq!(due(t("2026-11-27 03:00"), 2, HANOI), t("2026-12-01 03:00"));
        // Monday + 2 = Wednesday.
        assert_eq!(due(t("2026-11-23 03:00"), 2, HANOI), t("2026-11-25 03:00"));
        // Saturday + 1 = Monday.
        assert_eq!(due(t("2026-11-28 03:00"), 1, HANOI), t("2026-11-30 03:00"));
    }

    #[test]
    fn working_days_are_counted_in_the_site_zone() {
        // Friday 20:00 UTC is already Saturday 03:00 in Hanoi: one working
        // day later is Monday, not Saturday as in UTC.
        assert_eq!(due(t("2026-11-27 20:00"), 1, HANOI), t("2026-11-29 20:00"));
        assert_eq!(
            due(t("2026-11-27 20:00"), 1, chrono_tz::UTC),
            t("2026-11-30 20:00")
        );
    }

    #[test]
    fn overdue_only_after_the_deadline() {
        let at = t("2026-11-23 03:00");
        assert!(!is_overdue(at, 2, HANOI, t("2026-11-25 03:00")), "at it");
        assert!(is_overdue(at, 2, HANOI, t("2026-11-25 03:01")), "after it");
    }

    #[test]
    fn the_on_time_share() {
        let rows = vec![
            (t("2026-11-23 03:00"), Some(t("2026-11-24 03:00"))), // on time
            (t("2026-11-23 03:00"), Some(t("2026-11-26 03:00"))), // late
            (t("2026-11-23 03:00"), None),                        // overdue
            (t("2026-11-26 03:00"), None),                        // still within time
        ];
        let f = on_time(&rows, 2, HANOI, t("2026-11-26 04:00"));
        assert_eq!(
            (f.received, f.on_time, f.late, f.overdue, f.waiting, f.share),
            (4, 1, 1, 1, 1, 25)
        );
        assert_eq!(on_time(&[], 2, HANOI, t("2026-11-26 04:00")).share, 100);
    }

    #[test]
    fn handled_exactly_at_the_deadline_is_on_time() {
        let at = t("2026-11-27 03:00"); // Friday
        let rows = [(at, Some(t("2026-12-01 03:00")))]; // Tuesday, same hour
        assert_eq!(on_time(&rows, 2, HANOI, t("2026-12-10 00:00")).on_time, 1);
        let rows = [(at, Some(t("2026-12-01 03:01")))];
        assert_eq!(on_time(&rows, 2, HANOI, t("2026-12-10 00:00")).late, 1);
    }

    #[test]
    fn an_open_comment_moves_from_waiting_to_overdue_at_its_deadline() {
        let rows = [(t("2026-11-27 03:00"), None)]; // Friday
        // Monday: within two working days.
        let before = on_time(&rows, 2, HANOI, t("2026-11-30 03:00"));
        assert_eq!((before.waiting, before.overdue, before.share), (1, 0, 0));
        // Tuesday after 10:00 in Hanoi: overdue.
        let after = on_time(&rows, 2, HANOI, t("2026-12-01 03:01"));
        assert_eq!((after.waiting, after.overdue), (0, 1));
    }

    #[test]
    fn the_share_is_rounded() {
        let on = (t("2026-11-23 03:00"), Some(t("2026-11-23 04:00")));
        let late = (t("2026-11-23 03:00"), Some(t("2026-12-23 04:00")));
        // 2 of 3: 66.7 % shows as 67.
        let f = on_time(&[on, on, late], 2, HANOI, t("2027-01-01 00:00"));
        assert_eq!(f.share, 67);
    }

    #[test]
    fn the_period_defaults_to_the_last_thirty_days() {
        let today = d("2026-12-02");
        assert_eq!(period(None, None, today), (d("2026-11-03"), today));
        let to = d("2026-11-30");
        assert_eq!(
            period(Some(d("2026-11-01")), Some(to), today),
            (d("2026-11-01"), to)
        );
        // A start after the end is ignored.
        assert_eq!(
            period(Some(d("2026-12-01")), Some(to), today),
            (d("2026-11-01"), to)
        );
    }

    #[test]
    fn a_period_covers_whole_local_days() {
        // 1 December in Hanoi starts at 17:00 UTC the day before.
        let (a, b) = period_bounds(d("2026-12-01"), d("2026-12-01"), HANOI);
        assert_eq!((a, b), (t("2026-11-30 17:00"), t("2026-12-01 17:00")));
    }
}

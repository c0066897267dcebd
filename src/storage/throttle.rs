//! Failed sign-ins, counted per account and per address, in the database
//! so every server sees the same counts.

use super::Db;
use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use super::schema::login_failures as lf;

/// Failures within this window count together.
pub const WINDOW_MINUTES: i64 = 15;
/// After this many failures in the window, sign-in is refused…
pub const LOCK_AFTER: i32 = 5;
/// …for this long.
pub const LOCK_MINUTES: i64 = 15;

/// Until when `keys` are locked, if any is.
pub fn locked_until(
    conn: &mut Db,
    keys: &[String],
    now: NaiveDateTime,
) -> QueryResult<Option<NaiveDateTime>> {
    let until: Option<Option<NaiveDateTime>> = lf::table
        .filter(lf::key.eq_any(keys))
        .filter(lf::locked_until.gt(now))
        .select(diesel::dsl::max(lf::locked_until))
        .first(conn)
        .optional()?;
    Ok(until.flatten())
}

/// Counts a failure for each key; returns the highest count in the window.
pub fn record_failure(conn: &mut Db, keys: &[String], now: NaiveDateTime) -> QueryResult<i32> {
    super::write(conn, |conn| count_failure(conn, keys, now))
}

/// [`record_failure`] inside the caller's transaction.
fn count_failure(conn: &mut Db, keys: &[String], now: NaiveDateTime) -> QueryResult<i32> {
    {
        let mut worst = 0;
        for key in keys {
            let row: Option<(i32, NaiveDateTime)> = lf::table
                .find(key)
                .select((lf::failures, lf::first_at))
                .first(conn)
                .optional()?;
            let failures = match row {
                Some((n, first)) if now - first < Duration::minutes(WINDOW_MINUTES) => n + 1,
                _ => 1,
            };
            let first_at = match row {
                Some((_, first)) if failures > 1 => first,
                _ => now,
            };
            let locked = (failures >= LOCK_AFTER).then(|| now + Duration::minutes(LOCK_MINUTES));
            let row = (
                lf::key.eq(key),
                lf::failures.eq(failures),
                lf::first_at.eq(first_at),
                lf::locked_until.eq(locked),
            );
            each_backend!(conn, |c| diesel::insert_into(lf::table)
                .values(row)
                .on_conflict(lf::key)
                .do_update()
                .set(row)
                .execute(c))?;
            worst = worst.max(failures);
        }
        Ok(worst)
    }
}

/// Forgets the failures of `keys` (after a successful sign-in).
pub fn clear(conn: &mut Db, keys: &[String]) -> QueryResult<()> {
    diesel::delete(lf::table.filter(lf::key.eq_any(keys))).execute(conn)?;
    Ok(())
}

/// Checks the lock and counts this attempt as a failure in one
/// transaction, before the password is verified: parallel guesses cannot
/// slip past the lock. A successful sign-in then [`clear`]s the count.
/// Returns the lock's end if locked, else the attempt's number.
pub fn begin_attempt(
    conn: &mut Db,
    keys: &[String],
    now: NaiveDateTime,
) -> QueryResult<Result<i32, NaiveDateTime>> {
    super::write(conn, |conn| {
        if let Some(until) = locked_until(conn, keys, now)? {
            return Ok(Err(until));
        }
        count_failure(conn, keys, now).map(Ok)
    })
}

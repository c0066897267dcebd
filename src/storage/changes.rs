//! The change log that keeps every server's page cache honest.
//!
//! Rows are written by triggers (migration `000008_changes`) whenever
//! something a public page shows changes, whoever writes it. Readers only
//! poll: the rows after the last id they have seen, and when the next
//! scheduled entry goes public.

use super::Db;
use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{changes, entries};

/// What changed, as far as cached pages are concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// An entry that is, was or will be public: its page, every listing,
    /// and pages that show it (as related, or as a bulletin item).
    Entry(i32),
    /// The visible comments of an entry: its page only.
    Comments(i32),
    /// Something every page shows (navigation, settings): everything.
    Site,
}

/// Changes after `after`, oldest first, at most `limit`, with their ids.
pub fn since(conn: &mut Db, after: i32, limit: i64) -> QueryResult<Vec<(i32, Change)>> {
    let rows: Vec<(i32, String, Option<i32>)> = changes::table
        .filter(changes::id.gt(after))
        .order(changes::id)
        .limit(limit)
        .select((changes::id, changes::scope, changes::entry_id))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, scope, entry)| {
            let change = match (scope.as_str(), entry) {
                ("entry", Some(e)) => Change::Entry(e),
                ("comments", Some(e)) => Change::Comments(e),
                _ => Change::Site,
            };
            (id, change)
        })
        .collect())
}

/// The id of the newest change (0 when there is none).
pub fn last_id(conn: &mut Db) -> QueryResult<i32> {
    changes::table
        .select(diesel::dsl::max(changes::id))
        .first::<Option<i32>>(conn)
        .map(Option::unwrap_or_default)
}

/// The oldest change still kept (the log is pruned): a reader whose last
/// id is older than this has missed some.
pub fn first_id(conn: &mut Db) -> QueryResult<Option<i32>> {
    changes::table
        .select(diesel::dsl::min(changes::id))
        .first::<Option<i32>>(conn)
}

/// When the next scheduled entry becomes public (`public_at` after `now`).
pub fn next_publication(conn: &mut Db, now: NaiveDateTime) -> QueryResult<Option<NaiveDateTime>> {
    entries::table
        .filter(entries::public_at.gt(now))
        .select(diesel::dsl::min(entries::public_at))
        .first::<Option<NaiveDateTime>>(conn)
}

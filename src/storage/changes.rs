//! The change log that keeps every server's page cache honest.
//!
//! Rows are written by triggers (migration `000008_changes`) whenever
//! something a public page shows changes, whoever writes it. Readers
//! poll: the rows after the last id they have seen, and when the next
//! scheduled entry goes public. On PostgreSQL the logging trigger also
//! sends `NOTIFY loa_changes` (delivered at commit), which a [`Listener`]
//! hears, so other servers read the log at once instead of at their next
//! poll.

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

/// A connection of its own that `LISTEN`s to `loa_changes` (PostgreSQL).
pub struct Listener(diesel::PgConnection);

/// How often a [`Listener`] looks for notifications while waiting: libpq
/// reads them without blocking, and diesel does not expose the socket to
/// wait on.
const LISTEN_STEP: std::time::Duration = std::time::Duration::from_millis(50);

impl Listener {
    pub fn open(url: &str) -> Result<Self, diesel::ConnectionError> {
        let mut conn = diesel::PgConnection::establish(url)?;
        diesel::sql_query("LISTEN loa_changes")
            .execute(&mut conn)
            .map_err(|e| diesel::ConnectionError::BadConnection(e.to_string()))?;
        Ok(Self(conn))
    }

    /// Waits up to `timeout` for notifications; true when some came.
    pub fn wait(&mut self, timeout: std::time::Duration) -> QueryResult<bool> {
        let until = std::time::Instant::now() + timeout;
        loop {
            let mut heard = false;
            for note in self.0.notifications_iter() {
                note?;
                heard = true;
            }
            if heard {
                return Ok(true);
            }
            if std::time::Instant::now() >= until {
                // A query now and then notices a connection that died.
                diesel::sql_query("SELECT 1").execute(&mut self.0)?;
                return Ok(false);
            }
            std::thread::sleep(LISTEN_STEP);
        }
    }
}

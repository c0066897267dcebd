//! Everything that speaks SQL. Synchronous functions over
//! `&mut SqliteConnection` returning `QueryResult`; the web layer runs them
//! off the async executor. SQLite specifics stay in this module so another
//! backend can replace it.

pub mod audit;
pub mod cards;
pub mod categories;
pub mod changes;
pub mod comments;
pub mod documents;
pub mod entries;
pub mod media;
pub mod pool;
mod prepared;
pub mod redirects;
pub mod revisions;
pub mod schema;
pub mod search;
pub mod settings;
pub mod tags;
pub mod throttle;
mod types;
pub mod users;

pub use pool::{Conn, Pool, open_pool};

/// UTC now, as stored (whole seconds keep text comparisons simple).
pub fn utc_now() -> chrono::NaiveDateTime {
    use chrono::{SubsecRound, Utc};
    Utc::now().naive_utc().trunc_subsecs(0)
}

/// Runs `f` in a write transaction: `BEGIN IMMEDIATE` when none is open
/// (the write lock at once, so a read-then-write never fails half-way on
/// a busy database), else a savepoint inside the caller's transaction, so
/// that writes compose (an import registering an image and saving the
/// entry that shows it).
pub fn write<T, E, F>(conn: &mut diesel::SqliteConnection, f: F) -> Result<T, E>
where
    F: FnOnce(&mut diesel::SqliteConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    use diesel::Connection;
    use diesel::connection::{AnsiTransactionManager, TransactionManager};
    let open = AnsiTransactionManager::transaction_manager_status_mut(conn)
        .transaction_depth()
        .ok()
        .flatten()
        .is_some();
    if open {
        conn.transaction(f)
    } else {
        conn.immediate_transaction(f)
    }
}

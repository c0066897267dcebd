//! Everything that speaks SQL. Synchronous functions over
//! `&mut Db` returning `QueryResult`; the web layer runs them
//! off the async executor. SQLite specifics stay in this module so another
//! backend can replace it.

/// Runs the same diesel code on the connection inside [`Db`], compiled
/// once per backend: for the statements `MultiConnection` cannot build
/// (upserts, `ON CONFLICT DO NOTHING`, multi-row inserts).
macro_rules! each_backend {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::storage::Db::Sqlite($c) => $body,
            $crate::storage::Db::Pg($c) => $body,
        }
    };
}
pub(crate) use each_backend;

pub mod audit;
pub mod cards;
pub mod categories;
pub mod changes;
pub mod comments;
pub mod copy;
pub mod documents;
pub mod entries;
pub mod media;
pub mod menus;
pub mod pages;
pub mod pool;
mod prepared;
pub mod questions;
pub mod ratings;
pub mod redirects;
pub mod revisions;
pub mod schema;
pub mod search;
pub mod settings;
pub mod tags;
pub mod throttle;
pub mod translations;
mod types;
pub mod users;

pub use pool::{Conn, Db, MultiBackend as Backend, Pool, open_pool};

/// UTC now, as stored (whole seconds keep text comparisons simple).
pub fn utc_now() -> chrono::NaiveDateTime {
    use chrono::{SubsecRound, Utc};
    Utc::now().naive_utc().trunc_subsecs(0)
}

/// Runs `f` in a write transaction: one writer at a time, taken at the
/// start so a read-then-write never fails half-way on a busy database
/// (SQLite: `BEGIN IMMEDIATE`; PostgreSQL: a transaction that first takes
/// the write advisory lock, held to its end). Inside a caller's
/// transaction it is a savepoint, so that writes compose (an import
/// registering an image and saving the entry that shows it).
pub fn write<T, E, F>(conn: &mut Db, f: F) -> Result<T, E>
where
    F: FnOnce(&mut Db) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    use diesel::Connection;
    use diesel::connection::{AnsiTransactionManager, TransactionManager};
    let open = <Db as TransactionManager<Db>>::transaction_manager_status_mut(conn)
        .transaction_depth()
        .ok()
        .flatten()
        .is_some();
    if open {
        return conn.transaction(f);
    }
    match conn {
        Db::Sqlite(c) => AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?,
        Db::Pg(c) => {
            AnsiTransactionManager::begin_transaction(c)?;
            if let Err(e) = lock_writes(c) {
                let _ = AnsiTransactionManager::rollback_transaction(c);
                return Err(e.into());
            }
        }
    }
    match f(&mut *conn) {
        Ok(value) => {
            <Db as TransactionManager<Db>>::commit_transaction(conn)?;
            Ok(value)
        }
        Err(e) => match <Db as TransactionManager<Db>>::rollback_transaction(conn) {
            Ok(()) | Err(diesel::result::Error::BrokenTransactionManager) => Err(e),
            Err(rollback) => Err(rollback.into()),
        },
    }
}

/// Takes PostgreSQL's write lock until the open transaction ends.
fn lock_writes(conn: &mut diesel::PgConnection) -> diesel::QueryResult<()> {
    use diesel::RunQueryDsl;
    diesel::sql_query("SELECT pg_advisory_xact_lock($1)")
        .bind::<diesel::sql_types::BigInt, _>(pool::locks::WRITE)
        .execute(conn)
        .map(drop)
}

/// `text` as part of a LIKE pattern that matches it literally, between
/// `before` and `after` (`"%"`): `%`, `_` and `\` escaped with `\`
/// (queries say `.escape('\\')`; both databases read it so).
pub fn like_literal(text: &str, before: &str, after: &str) -> String {
    let escaped = text
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("{before}{escaped}{after}")
}

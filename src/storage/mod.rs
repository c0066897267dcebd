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

//! The audit log: who did what, when, from where.

use super::Db;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use super::schema::audit_log;

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = audit_log, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct Event {
    pub id: i32,
    pub at: NaiveDateTime,
    pub username: String,
    pub action: String,
    pub target: String,
    pub detail: String,
    pub ip: Option<String>,
}

pub fn record(
    conn: &mut Db,
    at: NaiveDateTime,
    username: &str,
    action: &str,
    target: &str,
    detail: &str,
    ip: Option<&str>,
) -> QueryResult<()> {
    diesel::insert_into(audit_log::table)
        .values((
            audit_log::at.eq(at),
            audit_log::username.eq(username),
            audit_log::action.eq(action),
            audit_log::target.eq(target),
            audit_log::detail.eq(detail),
            audit_log::ip.eq(ip),
        ))
        .execute(conn)?;
    Ok(())
}

/// Newest first, a page at a time, and how many there are.
pub fn page(conn: &mut Db, offset: i64, limit: i64) -> QueryResult<(Vec<Event>, i64)> {
    let total = audit_log::table.count().get_result(conn)?;
    let events = audit_log::table
        .order(audit_log::id.desc())
        .offset(offset)
        .limit(limit)
        .select(Event::as_select())
        .load(conn)?;
    Ok((events, total))
}

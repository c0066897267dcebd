//! Revisions: every save of an entry keeps a full snapshot (JSON written
//! and read by `service::entries`).

use super::Db;
use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::revisions;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = revisions, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct Revision {
    pub id: i32,
    pub entry_id: i32,
    pub snapshot: String,
    pub saved_by: String,
    pub note: String,
    pub created_at: NaiveDateTime,
    /// The entry's version this save produced.
    pub version: i32,
}

pub fn record(
    conn: &mut Db,
    entry_id: i32,
    snapshot_json: &str,
    saved_by: &str,
    now: NaiveDateTime,
    version: i32,
) -> QueryResult<i32> {
    diesel::insert_into(revisions::table)
        .values((
            revisions::entry_id.eq(entry_id),
            revisions::snapshot.eq(snapshot_json),
            revisions::saved_by.eq(saved_by),
            revisions::created_at.eq(now),
            revisions::version.eq(version),
        ))
        .returning(revisions::id)
        .get_result(conn)
}

/// An entry's revisions, newest first.
pub fn for_entry(conn: &mut Db, entry_id: i32) -> QueryResult<Vec<Revision>> {
    revisions::table
        .filter(revisions::entry_id.eq(entry_id))
        .order(revisions::id.desc())
        .select(Revision::as_select())
        .load(conn)
}

/// One revision of an entry.
pub fn find(conn: &mut Db, entry_id: i32, id: i32) -> QueryResult<Option<Revision>> {
    revisions::table
        .filter(revisions::entry_id.eq(entry_id))
        .filter(revisions::id.eq(id))
        .select(Revision::as_select())
        .first(conn)
        .optional()
}

/// The revision that produced `version` of an entry.
pub fn at_version(conn: &mut Db, entry_id: i32, version: i32) -> QueryResult<Option<Revision>> {
    revisions::table
        .filter(revisions::entry_id.eq(entry_id))
        .filter(revisions::version.eq(version))
        .order(revisions::id.desc())
        .select(Revision::as_select())
        .first(conn)
        .optional()
}

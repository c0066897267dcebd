//! Comments: stored as sent, shown only once approved.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use super::schema::comments;
use crate::domain::comment::{CommentStatus, Threaded};

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = comments, check_for_backend(diesel::sqlite::Sqlite))]
pub struct Comment {
    pub id: i32,
    pub entry_id: i32,
    pub parent_id: Option<i32>,
    pub author_name: String,
    pub author_email: String,
    pub author_url: Option<String>,
    pub content: String,
    pub content_html: String,
    #[diesel(deserialize_as = String)]
    pub status: CommentStatus,
    pub held_by: String,
    pub ip: Option<String>,
    pub user_agent: String,
    pub created_at: NaiveDateTime,
}

impl Threaded for Comment {
    fn id(&self) -> i32 {
        self.id
    }
    fn parent_id(&self) -> Option<i32> {
        self.parent_id
    }
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = comments)]
pub struct NewComment {
    pub entry_id: i32,
    pub parent_id: Option<i32>,
    pub author_name: String,
    pub author_email: String,
    pub author_url: Option<String>,
    pub content: String,
    pub content_html: String,
    #[diesel(serialize_as = String)]
    pub status: CommentStatus,
    pub held_by: String,
    pub ip: Option<String>,
    pub user_agent: String,
    pub created_at: NaiveDateTime,
}

pub fn insert(conn: &mut SqliteConnection, new: &NewComment) -> QueryResult<i32> {
    diesel::insert_into(comments::table)
        .values(new.clone())
        .returning(comments::id)
        .get_result(conn)
}

pub fn find(conn: &mut SqliteConnection, id: i32) -> QueryResult<Option<Comment>> {
    comments::table
        .find(id)
        .select(Comment::as_select())
        .first(conn)
        .optional()
}

/// An entry's approved comments, oldest first (the order threads read in).
pub fn approved_for_entry(conn: &mut SqliteConnection, entry_id: i32) -> QueryResult<Vec<Comment>> {
    comments::table
        .filter(comments::entry_id.eq(entry_id))
        .filter(comments::status.eq(CommentStatus::Approved.as_str()))
        .order((comments::created_at, comments::id))
        .select(Comment::as_select())
        .load(conn)
}

/// Those of `ids` that are still pending on `entry_id` (a commenter's own).
pub fn pending_among(
    conn: &mut SqliteConnection,
    entry_id: i32,
    ids: &[i32],
) -> QueryResult<Vec<Comment>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    comments::table
        .filter(comments::id.eq_any(ids))
        .filter(comments::entry_id.eq(entry_id))
        .filter(comments::status.eq(CommentStatus::Pending.as_str()))
        .order((comments::created_at, comments::id))
        .select(Comment::as_select())
        .load(conn)
}

/// Whether `id` is an approved comment on `entry_id` (a valid reply target).
pub fn is_approved_on(conn: &mut SqliteConnection, id: i32, entry_id: i32) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        comments::table
            .filter(comments::id.eq(id))
            .filter(comments::entry_id.eq(entry_id))
            .filter(comments::status.eq(CommentStatus::Approved.as_str())),
    ))
    .get_result(conn)
}

/// Moves a comment to `status`; returns whether it existed.
pub fn set_status(
    conn: &mut SqliteConnection,
    id: i32,
    status: CommentStatus,
) -> QueryResult<bool> {
    diesel::update(comments::table.find(id))
        .set(comments::status.eq(status.as_str()))
        .execute(conn)
        .map(|n| n == 1)
}

/// How many comments on an entry are in `status`.
pub fn count(
    conn: &mut SqliteConnection,
    entry_id: i32,
    status: CommentStatus,
) -> QueryResult<i64> {
    comments::table
        .filter(comments::entry_id.eq(entry_id))
        .filter(comments::status.eq(status.as_str()))
        .count()
        .get_result(conn)
}

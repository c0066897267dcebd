//! Comments: stored as sent, shown only once approved.

use super::Db;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use super::schema::comments;
use crate::domain::comment::{CommentStatus, Threaded};

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = comments, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
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
    pub official: bool,
    pub handled_at: Option<NaiveDateTime>,
    pub handled_by: String,
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
    pub official: bool,
    /// Set when a rule or a person decided at once (auto-approved, official).
    pub handled_at: Option<NaiveDateTime>,
    pub handled_by: String,
}

pub fn insert(conn: &mut Db, new: &NewComment) -> QueryResult<i32> {
    diesel::insert_into(comments::table)
        .values(new.clone())
        .returning(comments::id)
        .get_result(conn)
}

pub fn find(conn: &mut Db, id: i32) -> QueryResult<Option<Comment>> {
    comments::table
        .find(id)
        .select(Comment::as_select())
        .first(conn)
        .optional()
}

/// Where a comment sits: enough to thread and page an entry's comments
/// without reading their text.
#[derive(Debug, Clone, Copy, Queryable)]
pub struct CommentKey {
    pub id: i32,
    pub parent_id: Option<i32>,
    pub created_at: NaiveDateTime,
}

impl Threaded for CommentKey {
    fn id(&self) -> i32 {
        self.id
    }
    fn parent_id(&self) -> Option<i32> {
        self.parent_id
    }
}

impl CommentKey {
    pub fn of(c: &Comment) -> Self {
        Self {
            id: c.id,
            parent_id: c.parent_id,
            created_at: c.created_at,
        }
    }
}

/// The keys of the approved comments on `entry_id`, oldest first.
pub fn approved_keys(conn: &mut Db, entry_id: i32) -> QueryResult<Vec<CommentKey>> {
    each_backend!(conn, |c| comments::table
        .filter(comments::entry_id.eq(entry_id))
        .filter(comments::status.eq(CommentStatus::Approved.as_str()))
        .order((comments::created_at, comments::id))
        .select((comments::id, comments::parent_id, comments::created_at))
        .load(c))
}

/// Those of `ids` that are approved comments on `entry_id`, oldest first.
pub fn approved_among(conn: &mut Db, entry_id: i32, ids: &[i32]) -> QueryResult<Vec<Comment>> {
    each_backend!(conn, |c| comments::table
        .filter(super::prepared::in_list(comments::id, ids))
        .filter(comments::entry_id.eq(entry_id))
        .filter(comments::status.eq(CommentStatus::Approved.as_str()))
        .order((comments::created_at, comments::id))
        .select(Comment::as_select())
        .load(c))
}

/// Those of `ids` that are still pending on `entry_id` (a commenter's own).
pub fn pending_among(conn: &mut Db, entry_id: i32, ids: &[i32]) -> QueryResult<Vec<Comment>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    comments::table
        .filter(super::prepared::in_list(comments::id, ids))
        .filter(comments::entry_id.eq(entry_id))
        .filter(comments::status.eq(CommentStatus::Pending.as_str()))
        .order((comments::created_at, comments::id))
        .select(Comment::as_select())
        .load(conn)
}

/// Whether `id` is an approved comment on `entry_id` (a valid reply target).
pub fn is_approved_on(conn: &mut Db, id: i32, entry_id: i32) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        comments::table
            .filter(comments::id.eq(id))
            .filter(comments::entry_id.eq(entry_id))
            .filter(comments::status.eq(CommentStatus::Approved.as_str())),
    ))
    .get_result(conn)
}

/// Moves comments to `status`, recording the first time a person handled
/// each (for the on-time figure); returns how many moved.
pub fn set_status(
    conn: &mut Db,
    ids: &[i32],
    status: CommentStatus,
    by: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    super::write(conn, |conn| {
        let n = diesel::update(comments::table.filter(comments::id.eq_any(ids)))
            .set(comments::status.eq(status.as_str()))
            .execute(conn)?;
        if status == CommentStatus::Pending {
            // Back in the queue: waiting again, not handled.
            diesel::update(comments::table.filter(comments::id.eq_any(ids)))
                .set((
                    comments::handled_at.eq(None::<NaiveDateTime>),
                    comments::handled_by.eq(""),
                ))
                .execute(conn)?;
        } else {
            diesel::update(
                comments::table
                    .filter(comments::id.eq_any(ids))
                    .filter(comments::handled_at.is_null()),
            )
            .set((comments::handled_at.eq(now), comments::handled_by.eq(by)))
            .execute(conn)?;
        }
        Ok(n)
    })
}

/// Deletes comments for good (only those in spam or trash).
pub fn delete_for_good(conn: &mut Db, ids: &[i32]) -> QueryResult<usize> {
    diesel::delete(comments::table.filter(comments::id.eq_any(ids)).filter(
        comments::status.eq_any([CommentStatus::Spam.as_str(), CommentStatus::Trash.as_str()]),
    ))
    .execute(conn)
}

/// Every pending comment on an entry (moderators see them in place).
pub fn pending_for_entry(conn: &mut Db, entry_id: i32) -> QueryResult<Vec<Comment>> {
    comments::table
        .filter(comments::entry_id.eq(entry_id))
        .filter(comments::status.eq(CommentStatus::Pending.as_str()))
        .order((comments::created_at, comments::id))
        .select(Comment::as_select())
        .load(conn)
}

/// Whether this name and email have an approved comment already.
pub fn is_known(conn: &mut Db, name: &str, email: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        comments::table
            .filter(comments::author_email.eq(email))
            .filter(comments::author_name.eq(name))
            .filter(comments::status.eq(CommentStatus::Approved.as_str()))
            .filter(comments::official.eq(false)),
    ))
    .get_result(conn)
}

/// When this address or email last commented (any state).
pub fn last_from(
    conn: &mut Db,
    ip: Option<&str>,
    email: &str,
) -> QueryResult<Option<NaiveDateTime>> {
    let by_email: Option<NaiveDateTime> = comments::table
        .filter(comments::author_email.eq(email))
        .select(diesel::dsl::max(comments::created_at))
        .first(conn)?;
    let by_ip: Option<NaiveDateTime> = match ip {
        Some(ip) => comments::table
            .filter(comments::ip.eq(ip))
            .select(diesel::dsl::max(comments::created_at))
            .first(conn)?,
        None => None,
    };
    Ok(by_email.max(by_ip))
}

/// How many comments an address sent since `since`.
pub fn count_from_ip(conn: &mut Db, ip: &str, since: NaiveDateTime) -> QueryResult<i64> {
    comments::table
        .filter(comments::ip.eq(ip))
        .filter(comments::created_at.ge(since))
        .count()
        .get_result(conn)
}

/// Whether the same text was already sent on this entry (not trashed).
pub fn is_duplicate(conn: &mut Db, entry_id: i32, email: &str, content: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        comments::table
            .filter(comments::entry_id.eq(entry_id))
            .filter(comments::author_email.eq(email))
            .filter(comments::content.eq(content))
            .filter(comments::status.ne(CommentStatus::Trash.as_str())),
    ))
    .get_result(conn)
}

/// Forgets the addresses of comments older than `before`.
pub fn forget_addresses(conn: &mut Db, before: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(
        comments::table
            .filter(comments::created_at.lt(before))
            .filter(comments::ip.is_not_null()),
    )
    .set((comments::ip.eq(None::<String>), comments::user_agent.eq("")))
    .execute(conn)
}

/// How many comments are in each state.
pub fn count_by_status(conn: &mut Db) -> QueryResult<Vec<(String, i64)>> {
    comments::table
        .group_by(comments::status)
        .select((comments::status, diesel::dsl::count_star()))
        .load(conn)
}

/// Which comments the queue shows.
#[derive(Debug, Clone, Default)]
pub struct QueueFilter {
    pub status: Option<CommentStatus>,
    pub entry_id: Option<i32>,
    pub text: Option<String>,
    pub oldest_first: bool,
}

/// A comment in the queue, with its entry.
#[derive(Debug, Clone, Queryable)]
pub struct QueueRow {
    pub comment: Comment,
    pub entry_title: String,
    pub entry_kind: String,
    pub entry_slug: String,
}

fn queue_filtered(f: &QueueFilter) -> comments::BoxedQuery<'static, super::Backend> {
    let mut q = comments::table.into_boxed();
    if let Some(s) = f.status {
        q = q.filter(comments::status.eq(s.as_str()));
    }
    if let Some(e) = f.entry_id {
        q = q.filter(comments::entry_id.eq(e));
    }
    if let Some(t) = f.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        let p = format!(
            "%{}%",
            t.replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        );
        q = q.filter(
            super::prepared::ci_like(comments::content, p.clone())
                .or(super::prepared::ci_like(comments::author_name, p.clone()))
                .or(super::prepared::ci_like(comments::author_email, p)),
        );
    }
    q
}

/// A page of the moderation queue and how many match.
pub fn queue(
    conn: &mut Db,
    f: &QueueFilter,
    offset: i64,
    limit: i64,
) -> QueryResult<(Vec<QueueRow>, i64)> {
    use super::schema::entries;
    let total = queue_filtered(f).count().get_result(conn)?;
    let q = queue_filtered(f).inner_join(entries::table).select((
        Comment::as_select(),
        entries::title,
        entries::kind,
        entries::slug,
    ));
    let rows = if f.oldest_first {
        q.order((comments::created_at.asc(), comments::id.asc()))
            .offset(offset)
            .limit(limit)
            .load(conn)?
    } else {
        q.order((comments::created_at.desc(), comments::id.desc()))
            .offset(offset)
            .limit(limit)
            .load(conn)?
    };
    Ok((rows, total))
}

/// Received (not honeypot catches, not official replies) between `from` and `to`: when each
/// came and when a person (or a rule) first handled it.
pub fn received_between(
    conn: &mut Db,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> QueryResult<Vec<(NaiveDateTime, Option<NaiveDateTime>)>> {
    comments::table
        .filter(comments::created_at.ge(from))
        .filter(comments::created_at.lt(to))
        .filter(comments::official.eq(false))
        // Bots caught by the honeypot were never a citizen's comment;
        // spam marked by a person was handled, and counts.
        .filter(comments::held_by.ne("honeypot"))
        .select((comments::created_at, comments::handled_at))
        .load(conn)
}

/// How many comments on an entry are in `status`.
pub fn count(conn: &mut Db, entry_id: i32, status: CommentStatus) -> QueryResult<i64> {
    comments::table
        .filter(comments::entry_id.eq(entry_id))
        .filter(comments::status.eq(status.as_str()))
        .count()
        .get_result(conn)
}

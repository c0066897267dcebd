//! Citizens' questions and their official answers (see the migration
//! `questions`); the rules of the queue are `domain::question`'s.

use super::Db;
use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{questions, users};
use crate::domain::question::QuestionStatus;

/// A question as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = questions, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct Question {
    pub id: i32,
    pub topic: String,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub question: String,
    pub question_public: String,
    pub status: String,
    pub assignee_id: Option<i32>,
    pub due_at: NaiveDateTime,
    pub answer_md: String,
    pub answer_html: String,
    pub answered_by: String,
    pub answered_at: Option<NaiveDateTime>,
    pub approved_by: String,
    pub published_at: Option<NaiveDateTime>,
    pub refusal: String,
    pub closed_at: Option<NaiveDateTime>,
    pub follow_key: String,
    pub address: String,
    pub words: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl Question {
    pub fn status(&self) -> QuestionStatus {
        // The column's CHECK admits only known states.
        self.status.parse().unwrap_or(QuestionStatus::New)
    }
}

/// A new question.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = questions)]
pub struct NewQuestion {
    pub topic: String,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub question: String,
    pub question_public: String,
    pub due_at: NaiveDateTime,
    pub follow_key: String,
    pub address: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// What a step of the queue changes (`None`: left as it is).
#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = questions)]
pub struct Change {
    pub status: Option<String>,
    pub assignee_id: Option<Option<i32>>,
    pub answer_md: Option<String>,
    pub answer_html: Option<String>,
    pub answered_by: Option<String>,
    pub answered_at: Option<Option<NaiveDateTime>>,
    pub approved_by: Option<String>,
    pub published_at: Option<Option<NaiveDateTime>>,
    pub refusal: Option<String>,
    pub closed_at: Option<Option<NaiveDateTime>>,
    pub words: Option<String>,
    pub updated_at: Option<NaiveDateTime>,
}

pub fn insert(conn: &mut Db, q: &NewQuestion) -> QueryResult<i32> {
    super::write(conn, |conn| {
        diesel::insert_into(questions::table)
            .values(q)
            .returning(questions::id)
            .get_result(conn)
    })
}

/// Applies `change` to question `id`.
pub fn update(conn: &mut Db, id: i32, change: &Change) -> QueryResult<()> {
    super::write(conn, |conn| {
        diesel::update(questions::table.find(id))
            .set(change)
            .execute(conn)
            .map(|_| ())
    })
}

pub fn find(conn: &mut Db, id: i32) -> QueryResult<Option<Question>> {
    questions::table
        .find(id)
        .select(Question::as_select())
        .first(conn)
        .optional()
}

pub fn find_by_follow_key(conn: &mut Db, key: &str) -> QueryResult<Option<Question>> {
    questions::table
        .filter(questions::follow_key.eq(key))
        .select(Question::as_select())
        .first(conn)
        .optional()
}

/// How many questions `address` sent since `since`.
pub fn count_from(conn: &mut Db, address: &str, since: NaiveDateTime) -> QueryResult<i64> {
    questions::table
        .filter(questions::address.eq(address))
        .filter(questions::created_at.ge(since))
        .count()
        .get_result(conn)
}

/// Whether the same question came from the same email already (a double
/// submit).
pub fn is_duplicate(conn: &mut Db, email: &str, question: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        questions::table
            .filter(questions::email.eq(email))
            .filter(questions::question.eq(question)),
    ))
    .get_result(conn)
}

/// The staff's queue: questions in `status` (every one, without it),
/// open ones soonest due first, closed ones newest first; with the
/// assignee's name.
pub fn queue(
    conn: &mut Db,
    status: Option<QuestionStatus>,
    limit: i64,
) -> QueryResult<Vec<(Question, Option<String>)>> {
    let mut q = questions::table
        .left_join(users::table)
        .select((Question::as_select(), users::username.nullable()))
        .into_boxed();
    if let Some(s) = status {
        q = q.filter(questions::status.eq(s.as_str()));
    }
    match status {
        Some(s) if s.is_closed() => q.order(questions::updated_at.desc()),
        _ => q.order((questions::due_at.asc(), questions::id.asc())),
    }
    .limit(limit)
    .load(conn)
}

/// Questions per state.
pub fn count_by_status(conn: &mut Db) -> QueryResult<Vec<(String, i64)>> {
    questions::table
        .group_by(questions::status)
        .select((questions::status, diesel::dsl::count_star()))
        .load(conn)
}

macro_rules! published {
    ($topic:expr, $words:expr) => {{
        let mut q = questions::table
            .filter(questions::status.eq(QuestionStatus::Published.as_str()))
            .into_boxed();
        if let Some(t) = $topic {
            q = q.filter(questions::topic.eq(t.to_owned()));
        }
        for w in $words {
            q = q.filter(
                questions::words
                    .like(super::like_literal(w, "% ", "%"))
                    .escape('\\'),
            );
        }
        q
    }};
}

/// A page of published questions, newest answer first, in `topic` and
/// holding every word of `words` (folded) when given; and how many.
pub fn published(
    conn: &mut Db,
    topic: Option<&str>,
    words: &[String],
    offset: i64,
    limit: i64,
) -> QueryResult<(Vec<Question>, i64)> {
    let total: i64 = published!(topic, words).count().get_result(conn)?;
    let rows = published!(topic, words)
        .select(Question::as_select())
        .order((questions::published_at.desc(), questions::id.desc()))
        .offset(offset)
        .limit(limit)
        .load(conn)?;
    Ok((rows, total))
}

/// Published questions per topic.
pub fn published_topics(conn: &mut Db) -> QueryResult<Vec<(String, i64)>> {
    questions::table
        .filter(questions::status.eq(QuestionStatus::Published.as_str()))
        .group_by(questions::topic)
        .select((questions::topic, diesel::dsl::count_star()))
        .load(conn)
}

/// When each question received from `from` up to `to` was due and when it was
/// closed (published or refused): the on-time figure's rows.
pub fn timing(
    conn: &mut Db,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> QueryResult<Vec<(NaiveDateTime, Option<NaiveDateTime>)>> {
    questions::table
        .filter(questions::created_at.ge(from))
        .filter(questions::created_at.le(to))
        .select((questions::due_at, questions::closed_at))
        .load(conn)
}

//! Satisfaction ratings (see the migration `ratings`): one answer per
//! browser and entry or page, changed in place; the counts the admin's
//! figures are made of.

use super::Db;
use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{entries, pages, ratings};
use crate::domain::rating::ValidRating;

/// What an answer is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Entry(i32),
    Page(i32),
}

/// Which answers a figure counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    All,
    Target(Target),
    /// The answers about the entries of a category.
    Category(i32),
}

macro_rules! of_target {
    ($q:expr, $target:expr) => {
        match $target {
            Target::Entry(id) => $q.filter(ratings::entry_id.eq(id)),
            Target::Page(id) => $q.filter(ratings::page_id.eq(id)),
        }
    };
}

/// Keeps `browser`'s answer about `target`: a new one, or its earlier
/// answer changed. Returns whether it changed an earlier one.
pub fn save(
    conn: &mut Db,
    target: Target,
    browser: &str,
    address: &str,
    answer: &ValidRating,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    super::write(conn, |conn| {
        let earlier: Option<i32> = of_target!(ratings::table.into_boxed(), target)
            .filter(ratings::browser.eq(browser))
            .select(ratings::id)
            .first(conn)
            .optional()?;
        match earlier {
            Some(id) => {
                diesel::update(ratings::table.find(id))
                    .set((
                        ratings::score.eq(answer.score),
                        ratings::comment.eq(&answer.comment),
                        ratings::address.eq(address),
                        ratings::updated_at.eq(now),
                    ))
                    .execute(conn)?;
                Ok(true)
            }
            None => {
                let (entry, page) = match target {
                    Target::Entry(id) => (Some(id), None),
                    Target::Page(id) => (None, Some(id)),
                };
                diesel::insert_into(ratings::table)
                    .values((
                        ratings::entry_id.eq(entry),
                        ratings::page_id.eq(page),
                        ratings::browser.eq(browser),
                        ratings::address.eq(address),
                        ratings::score.eq(answer.score),
                        ratings::comment.eq(&answer.comment),
                        ratings::created_at.eq(now),
                        ratings::updated_at.eq(now),
                    ))
                    .execute(conn)?;
                Ok(false)
            }
        }
    })
}

/// How many answers `address` gave or changed since `since`.
pub fn count_from(conn: &mut Db, address: &str, since: NaiveDateTime) -> QueryResult<i64> {
    ratings::table
        .filter(ratings::address.eq(address))
        .filter(ratings::updated_at.ge(since))
        .count()
        .get_result(conn)
}

/// Answers per target and score: `(entry, page, score, n)`.
pub type Counts = Vec<(Option<i32>, Option<i32>, i32, i64)>;

/// The answers given or changed since `since` (all, without it), per
/// target and score.
pub fn counts(conn: &mut Db, since: Option<NaiveDateTime>) -> QueryResult<Counts> {
    let since = since.unwrap_or_default();
    ratings::table
        .filter(ratings::updated_at.ge(since))
        .group_by((ratings::entry_id, ratings::page_id, ratings::score))
        .select((
            ratings::entry_id,
            ratings::page_id,
            ratings::score,
            diesel::dsl::count_star(),
        ))
        .load(conn)
}

/// The category of each of the entries `ids` (those that exist).
pub fn categories_of(conn: &mut Db, ids: &[i32]) -> QueryResult<Vec<(i32, Option<i32>)>> {
    entries::table
        .filter(entries::id.eq_any(ids))
        .select((entries::id, entries::category_id))
        .load(conn)
}

/// When each answer in `scope` was last given, and its score, from
/// `since` on (the trend).
pub fn answers(
    conn: &mut Db,
    scope: Scope,
    since: NaiveDateTime,
) -> QueryResult<Vec<(NaiveDateTime, i32)>> {
    let q = ratings::table
        .filter(ratings::updated_at.ge(since))
        .select((ratings::updated_at, ratings::score))
        .into_boxed();
    match scope {
        Scope::All => q.load(conn),
        Scope::Target(t) => of_target!(q, t).load(conn),
        Scope::Category(cat) => q
            .filter(
                ratings::entry_id.eq_any(
                    entries::table
                        .filter(entries::category_id.eq(cat))
                        .select(entries::id.nullable()),
                ),
            )
            .load(conn),
    }
}

/// A rating as staff read it.
#[derive(Debug, Clone, Queryable)]
pub struct Answer {
    pub id: i32,
    pub entry_id: Option<i32>,
    pub page_id: Option<i32>,
    pub score: i32,
    pub comment: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// The entry's or the page's title.
    pub title: Option<String>,
    /// The entry's kind and slug, or the page's path.
    pub kind: Option<String>,
    pub slug: Option<String>,
    pub path: Option<String>,
}

macro_rules! answer_columns {
    () => {
        (
            ratings::id,
            ratings::entry_id,
            ratings::page_id,
            ratings::score,
            ratings::comment,
            ratings::created_at,
            ratings::updated_at,
            diesel::dsl::sql::<diesel::sql_types::Nullable<diesel::sql_types::Text>>(
                "COALESCE(entries.title, pages.title)",
            ),
            entries::kind.nullable(),
            entries::slug.nullable(),
            pages::path.nullable(),
        )
    };
}

/// The answers with a comment about `target` (every one, without it),
/// newest first, at most `limit`.
pub fn with_comments(
    conn: &mut Db,
    target: Option<Target>,
    limit: i64,
) -> QueryResult<Vec<Answer>> {
    let q = ratings::table
        .left_join(entries::table)
        .left_join(pages::table)
        .filter(ratings::comment.ne(""))
        .select(answer_columns!())
        .order((ratings::updated_at.desc(), ratings::id.desc()))
        .limit(limit)
        .into_boxed();
    match target {
        None => q.load(conn),
        Some(t) => of_target!(q, t).load(conn),
    }
}

/// Every answer, oldest first (the CSV export).
pub fn all(conn: &mut Db) -> QueryResult<Vec<Answer>> {
    ratings::table
        .left_join(entries::table)
        .left_join(pages::table)
        .select(answer_columns!())
        .order(ratings::id)
        .load(conn)
}

/// How many answers there are.
pub fn count_all(conn: &mut Db) -> QueryResult<i64> {
    ratings::table.count().get_result(conn)
}

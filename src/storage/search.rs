//! The full-text index: rows written by `service::search` (the save path
//! and the rebuild), read by `/search`.
//!
//! Only published entries are indexed; whether their time has come is
//! checked at query time against `entries`, so a scheduled entry becomes
//! findable the moment it becomes public. Text arrives folded
//! (`domain::slug::fold`): FTS5 only tokenizes.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Text, Timestamp};

use super::cards::EntryCard;
use crate::domain::entry::EntryKind;

/// Column weights for ranking: title, summary, body, category, tags, byline.
const WEIGHTS: &str = "10.0, 4.0, 1.0, 2.0, 3.0, 2.0";

/// One entry's indexed text, each field folded already.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Document {
    pub title: String,
    pub summary: String,
    pub body: String,
    pub category: String,
    pub tags: String,
    pub byline: String,
}

/// Drops entry `id` from the index (it is no longer published, or gone).
pub fn remove(conn: &mut SqliteConnection, id: i32) -> QueryResult<()> {
    diesel::sql_query("DELETE FROM search_index WHERE rowid = ?")
        .bind::<Integer, _>(id)
        .execute(conn)?;
    Ok(())
}

/// Indexes entry `id` as `doc`, in place of what it had.
pub fn put(conn: &mut SqliteConnection, id: i32, doc: &Document) -> QueryResult<()> {
    remove(conn, id)?;
    diesel::sql_query(
        "INSERT INTO search_index (rowid, title, summary, body, category, tags, byline) \
         VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind::<Integer, _>(id)
    .bind::<Text, _>(&doc.title)
    .bind::<Text, _>(&doc.summary)
    .bind::<Text, _>(&doc.body)
    .bind::<Text, _>(&doc.category)
    .bind::<Text, _>(&doc.tags)
    .bind::<Text, _>(&doc.byline)
    .execute(conn)?;
    Ok(())
}

/// Empties the index: FTS5's own clear for a contentless index drops its
/// pages at once, where `DELETE FROM` removed 100,000 rows one by one,
/// holding the write lock past another starting server's busy timeout.
pub fn clear(conn: &mut SqliteConnection) -> QueryResult<()> {
    diesel::sql_query("INSERT INTO search_index(search_index) VALUES('delete-all')")
        .execute(conn)?;
    Ok(())
}

/// A search result: the listing card plus what snippets are cut from.
#[derive(Debug, Clone, QueryableByName)]
pub struct Hit {
    #[diesel(embed)]
    pub card: EntryCard,
    #[diesel(sql_type = Text)]
    pub body_md: String,
    #[diesel(sql_type = Text)]
    pub image_caption: String,
}

/// Narrows a search.
#[derive(Debug, Clone, Copy, Default)]
pub struct SearchFilter {
    pub kind: Option<EntryKind>,
    pub category_id: Option<i32>,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// The joins are `CROSS JOIN`, which SQLite takes as "in this order": the
/// full-text match runs once and drives the lookups into `entries`. Left to
/// itself the planner may walk `entries` by its status index and re-run the
/// match for every row (minutes instead of milliseconds on 100,000 entries).
///
/// Public entries matching the FTS5 expression `fts` (built by
/// `domain::search::Query::fts`): entries whose title matches first, then
/// by weighted relevance, then newest first.
pub fn search(
    conn: &mut SqliteConnection,
    fts: &str,
    filter: SearchFilter,
    now: NaiveDateTime,
    offset: i64,
    limit: i64,
) -> QueryResult<(Vec<Hit>, i64)> {
    let mut conditions = String::from("search_index MATCH ? AND e.public_at <= ?");
    if filter.kind.is_some() {
        conditions.push_str(" AND e.kind = ?");
    }
    if filter.category_id.is_some() {
        conditions.push_str(" AND e.category_id = ?");
    }
    macro_rules! bind_filters {
        ($q:expr) => {{
            let mut q = $q.bind::<Text, _>(fts.to_owned()).bind::<Timestamp, _>(now);
            if let Some(kind) = filter.kind {
                q = q.bind::<Text, _>(kind.as_str());
            }
            if let Some(cat) = filter.category_id {
                q = q.bind::<Integer, _>(cat);
            }
            q
        }};
    }
    let count_sql = format!(
        "SELECT count(*) AS n FROM search_index s CROSS JOIN entries e ON e.id = s.rowid WHERE {conditions}"
    );
    let total = bind_filters!(diesel::sql_query(count_sql).into_boxed())
        .get_result::<Count>(conn)?
        .n;
    if total == 0 {
        return Ok((Vec::new(), 0));
    }
    let sql = format!(
        "SELECT e.id, e.kind AS kind_name, e.slug, e.title, e.summary, e.byline, e.publish_at, \
                e.image_path, e.image_alt, e.image_width, e.image_height, e.category_id, \
                c.slug AS category_slug, c.name AS category_name, e.body_md, e.image_caption \
         FROM search_index s \
         CROSS JOIN entries e ON e.id = s.rowid \
         LEFT JOIN categories c ON c.id = e.category_id \
         WHERE {conditions} \
         ORDER BY (s.rowid IN (SELECT rowid FROM search_index WHERE search_index MATCH ?)) DESC, \
                  bm25(search_index, {WEIGHTS}), e.public_at DESC, e.id DESC \
         LIMIT ? OFFSET ?"
    );
    let hits = bind_filters!(diesel::sql_query(sql).into_boxed())
        .bind::<Text, _>(format!("{{title}} : ({fts})"))
        .bind::<BigInt, _>(limit)
        .bind::<BigInt, _>(offset)
        .load::<Hit>(conn)?;
    Ok((hits, total))
}

//! The document registry: records, their search index, the public list's
//! filters, and the document numbers entries cite (kept by the entries'
//! write path).

use super::Db;
use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::expression::{AppearsOnTable, Expression, ValidGrouping};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::sql_types::{Bool, Integer, Text};
use diesel::sqlite::Sqlite;

use super::schema::{documents, entry_citations};
use crate::domain::document::{DocStatus, ValidDocument, slug_for};
use crate::domain::search::{Query, index_words};
use crate::domain::slug::fold;

/// A document's record.
#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = documents, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct Document {
    pub id: i32,
    pub slug: String,
    pub doc_type: String,
    pub number: String,
    pub issuer: String,
    pub issued_on: NaiveDate,
    pub effective_on: Option<NaiveDate>,
    #[diesel(deserialize_as = String)]
    pub status: DocStatus,
    pub abstract_text: String,
    pub file_path: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// The fields a save writes.
#[derive(Debug, Clone, Insertable, AsChangeset)]
#[diesel(table_name = documents, treat_none_as_null = true)]
struct DocumentData {
    slug: String,
    doc_type: String,
    number: String,
    issuer: String,
    issued_on: NaiveDate,
    effective_on: Option<NaiveDate>,
    #[diesel(serialize_as = String)]
    status: DocStatus,
    abstract_text: String,
    file_path: Option<String>,
}

impl From<&ValidDocument> for DocumentData {
    fn from(d: &ValidDocument) -> Self {
        DocumentData {
            slug: slug_for(&d.doc_type, &d.number, d.issued_on),
            doc_type: d.doc_type.clone(),
            number: d.number.clone(),
            issuer: d.issuer.clone(),
            issued_on: d.issued_on,
            effective_on: d.effective_on,
            status: d.status,
            abstract_text: d.abstract_text.clone(),
            file_path: d.file_path.clone(),
        }
    }
}

/// Another document already has this type, number and year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Duplicate;

pub use crate::domain::Saved;

/// Creates a document, or updates `id`; re-indexes it. Refuses a second
/// record with the same type, number and year.
pub fn save(
    conn: &mut Db,
    id: Option<i32>,
    doc: &ValidDocument,
    now: NaiveDateTime,
) -> QueryResult<Result<Saved, Duplicate>> {
    let data = DocumentData::from(doc);
    super::write(conn, |conn| {
        let clash = documents::table
            .filter(documents::slug.eq(&data.slug))
            .filter(documents::id.ne(id.unwrap_or(0)));
        if diesel::select(diesel::dsl::exists(clash)).get_result(conn)? {
            return Ok(Err(Duplicate));
        }
        let saved = match id {
            Some(id) => {
                let n = diesel::update(documents::table.find(id))
                    .set((data.clone(), documents::updated_at.eq(now)))
                    .execute(conn)?;
                if n == 0 {
                    return Err(diesel::result::Error::NotFound);
                }
                Saved::Updated(id)
            }
            None => Saved::Created(
                diesel::insert_into(documents::table)
                    .values((
                        data.clone(),
                        documents::created_at.eq(now),
                        documents::updated_at.eq(now),
                    ))
                    .returning(documents::id)
                    .get_result(conn)?,
            ),
        };
        index(conn, saved.id())?;
        Ok(Ok(saved))
    })
}

/// Creates or updates the document with this type, number and year
/// (import: the slug is its identity); a record that would not change is
/// left alone.
pub fn save_by_slug(conn: &mut Db, doc: &ValidDocument, now: NaiveDateTime) -> QueryResult<Saved> {
    let slug = slug_for(&doc.doc_type, &doc.number, doc.issued_on);
    let existing = find_by_slug(conn, &slug)?;
    if let Some(e) = &existing
        && e.doc_type == doc.doc_type
        && e.number == doc.number
        && e.issuer == doc.issuer
        && e.issued_on == doc.issued_on
        && e.effective_on == doc.effective_on
        && e.status == doc.status
        && e.abstract_text == doc.abstract_text
        && e.file_path == doc.file_path
    {
        return Ok(Saved::Unchanged(e.id));
    }
    // The slug is free or is this record's own: no duplicate possible.
    save(conn, existing.map(|e| e.id), doc, now)?
        .map_err(|Duplicate| diesel::result::Error::RollbackTransaction)
}

/// Deletes a document (its index row goes with it, by trigger).
pub fn delete(conn: &mut Db, id: i32) -> QueryResult<bool> {
    diesel::delete(documents::table.find(id))
        .execute(conn)
        .map(|n| n == 1)
}

pub fn find(conn: &mut Db, id: i32) -> QueryResult<Document> {
    documents::table
        .find(id)
        .select(Document::as_select())
        .first(conn)
}

pub fn find_by_slug(conn: &mut Db, slug: &str) -> QueryResult<Option<Document>> {
    documents::table
        .filter(documents::slug.eq(slug))
        .select(Document::as_select())
        .first(conn)
        .optional()
}

/// Every document, newest first (admin list, export).
pub fn all(conn: &mut Db) -> QueryResult<Vec<Document>> {
    documents::table
        .select(Document::as_select())
        .order((documents::issued_on.desc(), documents::id.desc()))
        .load(conn)
}

/// Every record's slug, oldest first (the sitemap).
pub fn slugs(conn: &mut Db) -> QueryResult<Vec<String>> {
    documents::table
        .order(documents::id)
        .select(documents::slug)
        .load(conn)
}

/// For the numbers given, the slug of the record each one names, in one
/// query. When a number was used in several years, the newest record wins.
pub fn slugs_for_numbers(
    conn: &mut Db,
    numbers: &[String],
) -> QueryResult<HashMap<String, String>> {
    if numbers.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(String, String)> = documents::table
        .filter(super::prepared::in_list(documents::number, numbers))
        .order((documents::issued_on.asc(), documents::id.asc()))
        .select((documents::number, documents::slug))
        .load(conn)?;
    // Later (newer) rows overwrite earlier ones.
    Ok(rows.into_iter().collect())
}

/// The records entry `entry_id` cites (number → slug), read from the
/// citations its write path stored, so a page served does not scan its
/// text. When a number was reused, the newest record wins.
pub fn cited_by(conn: &mut Db, entry_id: i32) -> QueryResult<HashMap<String, String>> {
    let rows: Vec<(String, String)> = each_backend!(conn, |c| entry_citations::table
        .inner_join(documents::table.on(documents::number.eq(entry_citations::number)))
        .filter(entry_citations::entry_id.eq(entry_id))
        .order((documents::issued_on.asc(), documents::id.asc()))
        .select((documents::number, documents::slug))
        .load(c))?;
    // Later (newer) rows overwrite earlier ones.
    Ok(rows.into_iter().collect())
}

/// Indexes every document again (a copied site); returns how many.
pub fn reindex_all(conn: &mut Db) -> QueryResult<usize> {
    let ids: Vec<i32> = documents::table.select(documents::id).load(conn)?;
    super::write(conn, |conn| {
        for &id in &ids {
            index(conn, id)?;
        }
        Ok(ids.len())
    })
}

/// Re-indexes one document: its folded number, type, issuer and abstract.
fn index(conn: &mut Db, id: i32) -> QueryResult<()> {
    let d = find(conn, id)?;
    if let Db::Pg(c) = conn {
        // Each field its own tsvector: a phrase never runs from one field
        // into the next.
        let words = |text: &str| index_words(&fold(text));
        diesel::sql_query(
            "INSERT INTO documents_index (id, doc) VALUES ($1, \
               to_tsvector('simple', $2) || to_tsvector('simple', $3) \
               || to_tsvector('simple', $4) || to_tsvector('simple', $5)) \
             ON CONFLICT (id) DO UPDATE SET doc = EXCLUDED.doc",
        )
        .bind::<Integer, _>(d.id)
        .bind::<Text, _>(words(&d.number))
        .bind::<Text, _>(words(&d.doc_type))
        .bind::<Text, _>(words(&d.issuer))
        .bind::<Text, _>(words(&d.abstract_text))
        .execute(c)?;
        return Ok(());
    }
    diesel::sql_query("DELETE FROM documents_index WHERE rowid = ?")
        .bind::<Integer, _>(id)
        .execute(conn)?;
    diesel::sql_query(
        "INSERT INTO documents_index (rowid, number, doc_type, issuer, abstract) \
         VALUES (?, ?, ?, ?, ?)",
    )
    .bind::<Integer, _>(d.id)
    .bind::<Text, _>(fold(&d.number))
    .bind::<Text, _>(fold(&d.doc_type))
    .bind::<Text, _>(fold(&d.issuer))
    .bind::<Text, _>(fold(&d.abstract_text))
    .execute(conn)?;
    Ok(())
}

/// What the public list is narrowed to.
#[derive(Debug, Clone, Default)]
pub struct DocFilter {
    /// Words, phrases and numbers the record must hold.
    pub query: Option<Query>,
    pub doc_type: Option<String>,
    pub issuer: Option<String>,
    pub year: Option<i32>,
    pub status: Option<DocStatus>,
}

fn filtered(filter: &DocFilter) -> documents::BoxedQuery<'static, super::Backend> {
    let mut q = documents::table.into_boxed();
    if let Some(query) = &filter.query {
        q = q.filter(IndexMatch {
            fts: query.fts(),
            tsquery: query.tsquery(),
        });
    }
    if let Some(t) = &filter.doc_type {
        q = q.filter(documents::doc_type.eq(t.clone()));
    }
    if let Some(i) = &filter.issuer {
        q = q.filter(documents::issuer.eq(i.clone()));
    }
    if let Some(y) = filter.year {
        // A date range keeps the issued_on index usable.
        let from = NaiveDate::from_ymd_opt(y, 1, 1);
        let to = NaiveDate::from_ymd_opt(y + 1, 1, 1);
        if let (Some(from), Some(to)) = (from, to) {
            q = q.filter(
                documents::issued_on
                    .ge(from)
                    .and(documents::issued_on.lt(to)),
            );
        }
    }
    if let Some(s) = filter.status {
        q = q.filter(documents::status.eq(s.as_str()));
    }
    q
}

/// A page of documents matching `filter`, newest first, and how many match.
pub fn search(
    conn: &mut Db,
    filter: &DocFilter,
    offset: i64,
    limit: i64,
) -> QueryResult<(Vec<Document>, i64)> {
    let total: i64 = filtered(filter).count().get_result(conn)?;
    if total == 0 {
        return Ok((Vec::new(), 0));
    }
    let rows = filtered(filter)
        .order((documents::issued_on.desc(), documents::id.desc()))
        .select(Document::as_select())
        .limit(limit)
        .offset(offset)
        .load(conn)?;
    Ok((rows, total))
}

/// The values the list's filters offer: types, issuers, years (newest
/// first), each as used by some document.
pub fn facets(conn: &mut Db) -> QueryResult<(Vec<String>, Vec<String>, Vec<i32>)> {
    let types = documents::table
        .select(documents::doc_type)
        .distinct()
        .order(documents::doc_type)
        .load(conn)?;
    let issuers = documents::table
        .select(documents::issuer)
        .distinct()
        .order(documents::issuer)
        .load(conn)?;
    let dates: Vec<NaiveDate> = documents::table
        .select(documents::issued_on)
        .order(documents::issued_on.desc())
        .load(conn)?;
    let mut years: Vec<i32> = dates.iter().map(chrono::Datelike::year).collect();
    years.dedup();
    Ok((types, issuers, years))
}

/// The entries (in any state) whose text cites any of `numbers`.
pub fn citing_entries(conn: &mut Db, numbers: &[&str]) -> QueryResult<Vec<i32>> {
    entry_citations::table
        .filter(entry_citations::number.eq_any(numbers))
        .select(entry_citations::entry_id)
        .distinct()
        .order(entry_citations::entry_id)
        .load(conn)
}

/// Replaces the document numbers entry `entry_id` cites (the entries'
/// write path calls this in its transaction).
pub fn set_citations(conn: &mut Db, entry_id: i32, numbers: &[String]) -> QueryResult<()> {
    diesel::delete(entry_citations::table.filter(entry_citations::entry_id.eq(entry_id)))
        .execute(conn)?;
    if numbers.is_empty() {
        return Ok(());
    }
    let rows: Vec<_> = numbers
        .iter()
        .map(|n| {
            (
                entry_citations::number.eq(n.as_str()),
                entry_citations::entry_id.eq(entry_id),
            )
        })
        .collect();
    each_backend!(conn, |c| diesel::insert_into(entry_citations::table)
        .values(&rows)
        .on_conflict_do_nothing()
        .execute(c))?;
    Ok(())
}

/// `documents.id` is among the index's matches: the match runs once in the
/// subquery, and rows are then read by id. FTS5's `MATCH` on SQLite, a
/// `tsquery` on PostgreSQL.
#[derive(Debug, Clone)]
struct IndexMatch {
    fts: String,
    tsquery: String,
}

impl Expression for IndexMatch {
    type SqlType = Bool;
}

impl<G> ValidGrouping<G> for IndexMatch {
    type IsAggregate = diesel::expression::is_aggregate::Never;
}

impl AppearsOnTable<documents::table> for IndexMatch {}

impl QueryId for IndexMatch {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl QueryFragment<Sqlite> for IndexMatch {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Sqlite>) -> QueryResult<()> {
        out.push_sql(
            "documents.id IN (SELECT rowid FROM documents_index WHERE documents_index MATCH ",
        );
        out.push_bind_param::<Text, _>(&self.fts)?;
        out.push_sql(")");
        Ok(())
    }
}

impl QueryFragment<Pg> for IndexMatch {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql(
            "documents.id IN (SELECT id FROM documents_index WHERE doc @@ to_tsquery('simple', ",
        );
        out.push_bind_param::<Text, _>(&self.tsquery)?;
        out.push_sql("))");
        Ok(())
    }
}

impl QueryFragment<super::Backend> for IndexMatch {
    fn walk_ast<'b>(&'b self, out: AstPass<'_, 'b, super::Backend>) -> QueryResult<()> {
        super::Backend::walk_variant_ast(self, out)
    }
}

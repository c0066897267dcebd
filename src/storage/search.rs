//! The full-text index: rows written by `service::search` (the save path
//! and the rebuild), read by `/search`.
//!
//! Only published entries are indexed; whether their time has come is
//! checked at query time (against `entries` on SQLite, against the row's
//! copy of `public_at` on PostgreSQL), so a scheduled entry becomes
//! findable the moment it becomes public. Text arrives folded
//! (`domain::slug::fold`): FTS5 only tokenizes. FTS5's last column,
//! `facets`, holds the entry's kind and category as words
//! (`domain::search::facets`): a filtered search requires them in its
//! MATCH, so FTS5 walks only that kind's or category's entries.
//!
//! On PostgreSQL the index is a `tsvector` per entry (`simple`
//! configuration, GIN index): the folded text is cut into tokens here, as
//! FTS5's tokenizer cuts it, so PostgreSQL's own parser (which would keep
//! `171/kh-svhtt` as a file path) sees plain words, plus one word for each
//! word joined by `/` or `-` (`domain::search::joined`), so a document
//! number is one lookup rather than a phrase. Fields carry weights
//! instead of FTS5's column weights: A title, B summary and tags, C
//! category and byline, D body.
//!
//! PostgreSQL's row also holds what a search tests besides the words, so
//! that a search reads `search_index` alone and reads an entry's `doc`
//! (a few kilobytes, stored out of line) only when the cheap tests pass:
//! the entry's kind, category and `public_at` (written with the row by
//! the save path, which writes every change of them), `title` (the
//! title's words alone, derived from `doc`, for the title test), and
//! `pairs`, each two adjacent words as one (`domain::search::pair`), which
//! phrase queries look up in a GIN index of their own. Kept out of `doc`,
//! they do not make every other search read twice as much.

use super::Db;
use std::collections::{HashMap, HashSet};

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Double, Integer, Nullable, Text, Timestamp};

use super::cards::EntryCard;
use crate::domain::entry::EntryKind;
use crate::domain::search::{Query, facet_filter, facets, index_pairs, index_words};

/// Column weights for ranking: title, summary, body, category, tags,
/// byline, and the facets (kind and category words, which never rank).
const WEIGHTS: &str = "10.0, 4.0, 1.0, 2.0, 3.0, 2.0, 0.0";

/// One entry's indexed text, each field folded already, and where it
/// lists (which PostgreSQL's row keeps for the filters; SQLite reads them
/// from `entries`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    pub title: String,
    pub summary: String,
    pub body: String,
    pub category: String,
    pub tags: String,
    pub byline: String,
    pub kind: EntryKind,
    pub category_id: Option<i32>,
    /// From when the entry is public (`entries.public_at`).
    pub public_at: NaiveDateTime,
}

/// Drops entry `id` from the index (it is no longer published, or gone).
pub fn remove(conn: &mut Db, id: i32) -> QueryResult<()> {
    let sql = match conn {
        Db::Sqlite(_) => "DELETE FROM search_index WHERE rowid = ?",
        Db::Pg(_) => "DELETE FROM search_index WHERE id = $1",
    };
    diesel::sql_query(sql)
        .bind::<Integer, _>(id)
        .execute(conn)?;
    Ok(())
}

/// Indexes entry `id` as `doc`, in place of what it had.
pub fn put(conn: &mut Db, id: i32, doc: &Document) -> QueryResult<()> {
    if let Db::Pg(c) = conn {
        let words = index_words;
        let fields = [
            &doc.title,
            &doc.summary,
            &doc.body,
            &doc.category,
            &doc.tags,
            &doc.byline,
        ];
        let pairs: Vec<String> = fields.iter().map(|f| index_pairs(f)).collect();
        diesel::sql_query(
            "INSERT INTO search_index (id, doc, pairs, kind, category_id, public_at) VALUES ($1, \
               setweight(to_tsvector('simple', $2), 'A') || setweight(to_tsvector('simple', $3), 'B') \
               || setweight(to_tsvector('simple', $4), 'D') || setweight(to_tsvector('simple', $5), 'C') \
               || setweight(to_tsvector('simple', $6), 'B') || setweight(to_tsvector('simple', $7), 'C'), \
               strip(to_tsvector('simple', $8)), $9, $10, $11) \
             ON CONFLICT (id) DO UPDATE SET doc = EXCLUDED.doc, pairs = EXCLUDED.pairs, \
               kind = EXCLUDED.kind, category_id = EXCLUDED.category_id, \
               public_at = EXCLUDED.public_at",
        )
        .bind::<Integer, _>(id)
        .bind::<Text, _>(words(&doc.title))
        .bind::<Text, _>(words(&doc.summary))
        .bind::<Text, _>(words(&doc.body))
        .bind::<Text, _>(words(&doc.category))
        .bind::<Text, _>(words(&doc.tags))
        .bind::<Text, _>(words(&doc.byline))
        .bind::<Text, _>(pairs.join(" "))
        .bind::<Text, _>(doc.kind.as_str())
        .bind::<Nullable<Integer>, _>(doc.category_id)
        .bind::<Timestamp, _>(doc.public_at)
        .execute(c)?;
        return Ok(());
    }
    remove(conn, id)?;
    diesel::sql_query(
        "INSERT INTO search_index (rowid, title, summary, body, category, tags, byline, facets) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind::<Integer, _>(id)
    .bind::<Text, _>(&doc.title)
    .bind::<Text, _>(&doc.summary)
    .bind::<Text, _>(&doc.body)
    .bind::<Text, _>(&doc.category)
    .bind::<Text, _>(&doc.tags)
    .bind::<Text, _>(&doc.byline)
    .bind::<Text, _>(facets(doc.kind.as_str(), doc.category_id))
    .execute(conn)?;
    Ok(())
}

/// Empties the index: FTS5's own clear for a contentless index drops its
/// pages at once, where `DELETE FROM` removed 100,000 rows one by one,
/// holding the write lock past another starting server's busy timeout.
pub fn clear(conn: &mut Db) -> QueryResult<()> {
    let sql = match conn {
        Db::Sqlite(_) => "INSERT INTO search_index(search_index) VALUES('delete-all')",
        Db::Pg(_) => "DELETE FROM search_index",
    };
    diesel::sql_query(sql).execute(conn)?;
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
    /// Entries carrying this tag (the API's filter).
    pub tag_id: Option<i32>,
    /// Entries public from this time on (the API's date range; its end
    /// is the `now` the search is made at).
    pub since: Option<NaiveDateTime>,
}

/// At most this many matches are ranked: the newest ones (by entry id, the
/// order the index is stored in). See [`search`].
pub const RANKED: i64 = 1000;

#[derive(QueryableByName)]
struct Candidate {
    #[diesel(sql_type = Integer)]
    id: i32,
    /// As stored (`YYYY-MM-DD HH:MM:SS`): compared, never shown, so not
    /// parsed (a thousand dates a search).
    #[diesel(sql_type = Text)]
    public_at: String,
}

#[derive(QueryableByName)]
struct Score {
    #[diesel(sql_type = Integer)]
    id: i32,
    #[diesel(sql_type = Double)]
    score: f64,
}

#[derive(QueryableByName)]
struct Id {
    #[diesel(sql_type = Integer)]
    id: i32,
}

/// Public entries matching the FTS5 expression `fts` (built by
/// `domain::search::Query::fts`): entries whose title matches first, then
/// by weighted relevance (bm25), then newest first. Returns one page of
/// them and how many matched, counted up to `RANKED + 1`: a total above
/// [`RANKED`] means "more than `RANKED`", and only the `RANKED` newest
/// matches are ranked and paginated, title matches first and then newest
/// first, without bm25.
///
/// Why: ranking every match made broad queries slow. `cai cach` matches
/// two thirds of a 100,000-entry site; bm25 over all 66,000 matches, the
/// title test over all of them and an exact count (each match looked up
/// in `entries` for its publication time) took about 240 ms a search.
/// Now, in three steps:
///
/// 1. FTS5 walks the matches newest first (`ORDER BY rowid DESC`, which it
///    serves from the index's own order and stops at the `LIMIT`) and
///    checks each in `entries` (public now, filters) until `RANKED + 1`
///    are found. A query with up to `RANKED` matches therefore sees all of
///    them, and they are scored with bm25 in a second statement: its
///    results and their order are exactly those of ranking everything.
///    A broader query is not scored: bm25 first counts, for each word,
///    every entry holding it (its whole list in the index, 66,000 entries
///    for `cai` at 100,000), which was half of a broad search's time, and
///    among the newest matches of words that common the newest is the
///    better order for a news site.
/// 2. Which of these match in the title: the same expression restricted
///    to the title column, and to rowids from the oldest candidate up
///    (FTS5 seeks to it instead of reading the whole index).
/// 3. The candidates are sorted (title first, bm25, newest, id) and only
///    the page's entries are read from `entries`.
///
/// The joins are `CROSS JOIN`, which SQLite takes as "in this order": the
/// full-text match runs once and drives the lookups into `entries`. Left to
/// itself the planner may walk `entries` by its status index and re-run the
/// match for every row (minutes instead of milliseconds on 100,000 entries).
pub fn search(
    conn: &mut Db,
    query: &Query,
    filter: SearchFilter,
    now: NaiveDateTime,
    offset: i64,
    limit: i64,
) -> QueryResult<(Vec<Hit>, i64)> {
    let (candidates, total, scores, in_title) = candidates(conn, query, filter, now)?;
    if candidates.is_empty() {
        return Ok((Vec::new(), total));
    }

    // Sort keys worked out once, not in every comparison.
    let mut ranked: Vec<(bool, f64, &str, i32)> = candidates
        .iter()
        .map(|c| {
            let score = scores.get(&c.id).copied().unwrap_or(0.0);
            (in_title.contains(&c.id), score, c.public_at.as_str(), c.id)
        })
        .collect();
    ranked.sort_unstable_by(|a, b| {
        b.0.cmp(&a.0)
            .then(a.1.total_cmp(&b.1))
            .then(b.2.cmp(a.2))
            .then(b.3.cmp(&a.3))
    });
    let page: Vec<i32> = ranked
        .iter()
        .skip(usize::try_from(offset).unwrap_or(usize::MAX))
        .take(usize::try_from(limit).unwrap_or(0))
        .map(|c| c.3)
        .collect();
    if page.is_empty() {
        return Ok((Vec::new(), total));
    }
    let marks: Vec<String> = (1..=page.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT e.id, e.kind AS kind_name, e.slug, e.title, e.summary, e.byline, e.publish_at, \
                e.image_path, e.image_alt, e.image_width, e.image_height, e.category_id, \
                c.slug AS category_slug, c.name AS category_name, e.body_md, e.image_caption \
         FROM entries e LEFT JOIN categories c ON c.id = e.category_id \
         WHERE e.id IN ({})",
        marks.join(", ")
    );
    let mut q = diesel::sql_query(sql).into_boxed();
    for id in &page {
        q = q.bind::<Integer, _>(*id);
    }
    let mut hits = q.load::<Hit>(conn)?;
    hits.sort_by_key(|h| page.iter().position(|&id| id == h.card.id));
    Ok((hits, total))
}

/// The newest `RANKED` matches (of `RANKED + 1` looked for), how many were
/// found, their scores (lower is better; empty when not every match is a
/// candidate) and which match in the title.
type Candidates = (Vec<Candidate>, i64, HashMap<i32, f64>, HashSet<i32>);

/// Weights of `ts_rank` for D, C, B and A text (body; category and byline;
/// summary and tags; title), in FTS5's proportions.
const PG_WEIGHTS: &str = "'{0.1, 0.2, 0.35, 1.0}'";

/// What [`candidates`] says differently to each backend. Placeholders are
/// `$1, $2…` in order of first appearance, which SQLite reads as numbered
/// named parameters.
struct Dialect {
    /// The index, joined to `entries` on SQLite (alias `s` and `e`).
    from: &'static str,
    /// The alias whose columns `public_at`, `kind` and `category_id` are
    /// filtered on.
    row: &'static str,
    /// An index row's entry id.
    id: &'static str,
    /// `$1` is the match expression.
    matches: &'static str,
    /// `public_at` as stored text (`YYYY-MM-DD HH:MM:SS`).
    public_at: &'static str,
    /// Relevance, lower is better.
    score: String,
    /// The match expression, and the same restricted to the title.
    expression: String,
    title_expression: String,
    /// PostgreSQL: what the column of pairs must hold (a phrase's pairs).
    pairs: Option<String>,
}

impl Dialect {
    fn of(conn: &Db, query: &Query, filter: SearchFilter) -> Self {
        match conn {
            // CROSS JOIN: SQLite takes the order as written (see
            // [`search`]); INDEXED BY: the small covering index. The
            // facets narrow FTS5's walk; `e.kind`/`e.category_id` still
            // decide.
            Db::Sqlite(_) => Self {
                from: "search_index s \
                       CROSS JOIN entries e INDEXED BY entries_lookup ON e.id = s.rowid",
                row: "e",
                id: "s.rowid",
                matches: "search_index MATCH $1",
                public_at: "e.public_at",
                score: format!("bm25(search_index, {WEIGHTS})"),
                expression: match facet_filter(filter.kind.map(|k| k.as_str()), filter.category_id)
                {
                    Some(facets) => format!("({}) AND {facets}", query.fts()),
                    None => query.fts(),
                },
                title_expression: format!("{{title}} : ({})", query.fts()),
                pairs: None,
            },
            // The row alone: no join, and `doc` is read only for rows of
            // the kind, category and time asked for.
            Db::Pg(_) => Self {
                from: "search_index s",
                row: "s",
                id: "s.id",
                matches: "s.doc @@ to_tsquery('simple', $1)",
                // The text form (ISO order, compared as text): a
                // quarter of the query's time went to `to_char`.
                public_at: "s.public_at::text",
                score: format!("-ts_rank({PG_WEIGHTS}, s.doc, to_tsquery('simple', $1))::float8"),
                // `title` holds only the title's words: the same query.
                title_expression: query.tsquery(),
                expression: query.tsquery(),
                pairs: query.pairs_tsquery(),
            },
        }
    }
}

/// [`search`]'s first two steps: the candidates (newest first, `RANKED +
/// 1` looked for), their scores when every match is a candidate, and
/// which of them match in the title.
fn candidates(
    conn: &mut Db,
    query: &Query,
    filter: SearchFilter,
    now: NaiveDateTime,
) -> QueryResult<Candidates> {
    let d = Dialect::of(conn, query, filter);
    let mut conditions = format!("{} AND {}.public_at <= $2", d.matches, d.row);
    let mut n = 2;
    if d.pairs.is_some() {
        n += 1;
        conditions.push_str(&format!(" AND s.pairs @@ to_tsquery('simple', ${n})"));
    }
    if filter.kind.is_some() {
        n += 1;
        conditions.push_str(&format!(" AND {}.kind = ${n}", d.row));
    }
    if filter.category_id.is_some() {
        n += 1;
        conditions.push_str(&format!(" AND {}.category_id = ${n}", d.row));
    }
    if filter.tag_id.is_some() {
        n += 1;
        conditions.push_str(&format!(
            " AND EXISTS (SELECT 1 FROM entry_tags t WHERE t.entry_id = {} AND t.tag_id = ${n})",
            d.id
        ));
    }
    if filter.since.is_some() {
        n += 1;
        conditions.push_str(&format!(" AND {}.public_at >= ${n}", d.row));
    }
    let matching = |select: &str, tail: &str| {
        let mut q = diesel::sql_query(format!(
            "SELECT {select} FROM {} WHERE {conditions} {tail}",
            d.from
        ))
        .into_boxed()
        .bind::<Text, _>(d.expression.clone())
        .bind::<Timestamp, _>(now);
        if let Some(pairs) = &d.pairs {
            q = q.bind::<Text, _>(pairs.clone());
        }
        if let Some(kind) = filter.kind {
            q = q.bind::<Text, _>(kind.as_str());
        }
        if let Some(cat) = filter.category_id {
            q = q.bind::<Integer, _>(cat);
        }
        if let Some(tag) = filter.tag_id {
            q = q.bind::<Integer, _>(tag);
        }
        if let Some(since) = filter.since {
            q = q.bind::<Timestamp, _>(since);
        }
        q
    };
    let mut candidates = matching(
        &format!("{} AS id, {} AS public_at", d.id, d.public_at),
        &format!("ORDER BY {} DESC LIMIT ${}", d.id, n + 1),
    )
    .bind::<BigInt, _>(RANKED + 1)
    .load::<Candidate>(conn)?;
    let total = candidates.len() as i64;
    candidates.truncate(RANKED as usize);
    let Some(oldest) = candidates.last().map(|c| c.id) else {
        return Ok((Vec::new(), 0, HashMap::new(), HashSet::new()));
    };
    // Every match is a candidate: rank by relevance. The matches all lie
    // between the oldest and the newest candidate: FTS5 seeks to that
    // range instead of walking them all again (a phrase of common words
    // walks every entry holding its words).
    let scores: HashMap<i32, f64> = if total <= RANKED {
        let newest = candidates.first().map_or(oldest, |c| c.id);
        matching(
            &format!("{} AS id, {} AS score", d.id, d.score),
            &format!("AND {} BETWEEN ${} AND ${}", d.id, n + 1, n + 2),
        )
        .bind::<Integer, _>(oldest)
        .bind::<Integer, _>(newest)
        .load::<Score>(conn)?
        .into_iter()
        .map(|r| (r.id, r.score))
        .collect()
    } else {
        HashMap::new()
    };
    // Which candidates match in the title. SQLite: from the oldest
    // candidate's id up, FTS5 seeking there. PostgreSQL: among the
    // candidates only, in their small `title` (not `doc`, read whole for
    // a weight).
    let in_title: Vec<Id> = match conn {
        Db::Sqlite(c) => diesel::sql_query(
            "SELECT rowid AS id FROM search_index WHERE search_index MATCH $1 AND rowid >= $2",
        )
        .bind::<Text, _>(d.title_expression)
        .bind::<Integer, _>(oldest)
        .load(c)?,
        Db::Pg(c) => diesel::sql_query(
            "SELECT id FROM search_index WHERE id = ANY($2) AND title @@ to_tsquery('simple', $1)",
        )
        .bind::<Text, _>(d.title_expression)
        .bind::<Array<Integer>, _>(candidates.iter().map(|c| c.id).collect::<Vec<_>>())
        .load(c)?,
    };
    let in_title: HashSet<i32> = in_title.into_iter().map(|r| r.id).collect();
    Ok((candidates, total, scores, in_title))
}

//! The full-text index: kept in step with every save, read by `/search`.
//!
//! Only published entries are indexed; whether their time has come is
//! checked at query time against `entries`, so a scheduled entry becomes
//! findable the moment it becomes public.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Text, Timestamp};

use super::entries::{self, EntryCard};
use super::{categories, settings, tags};
use crate::domain::entry::{EntryKind, Status};
use crate::domain::slug::fold;
use crate::render::markdown;

/// Bump when folding or indexed fields change: `serve` reindexes then.
///
/// Version 2: the rebuild also refreshes the document numbers each entry
/// cites (`entry_citations`), which entries saved before the registry
/// existed lack.
pub const INDEX_VERSION: &str = "2";
const VERSION_KEY: &str = "search_index_version";
/// Set while a rebuild runs: the Unix time of its latest batch.
pub const REBUILD_KEY: &str = "search_index_rebuild";
/// A rebuild whose latest batch is older than this is taken to have died
/// (a batch of 500 entries takes well under a second).
pub const REBUILD_STALE_SECS: i64 = 30;

/// Column weights for ranking: title, summary, body, category, tags, byline.
const WEIGHTS: &str = "10.0, 4.0, 1.0, 2.0, 3.0, 2.0";

/// Re-indexes one entry after a save (or removes it when not published).
pub fn index_entry(conn: &mut SqliteConnection, entry_id: i32) -> QueryResult<()> {
    diesel::sql_query("DELETE FROM search_index WHERE rowid = ?")
        .bind::<Integer, _>(entry_id)
        .execute(conn)?;
    let Some(e) = entries::find(conn, entry_id).optional()? else {
        return Ok(());
    };
    // Published and scheduled entries are indexed; whether their time has
    // come is checked when searching.
    if !matches!(e.status, Status::Published | Status::Scheduled) {
        return Ok(());
    }
    let category = match e.category_id {
        Some(id) => categories::find(conn, id)?.name,
        None => String::new(),
    };
    let tag_names = tags::names_for_entry(conn, e.id)?.join(" ");
    diesel::sql_query(
        "INSERT INTO search_index (rowid, title, summary, body, category, tags, byline) \
         VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind::<Integer, _>(e.id)
    .bind::<Text, _>(fold(&e.title))
    .bind::<Text, _>(fold(&e.summary))
    .bind::<Text, _>(fold(&searchable_body(
        &e.image_caption,
        &e.image_alt,
        &e.body_md,
    )))
    .bind::<Text, _>(fold(&category))
    .bind::<Text, _>(fold(&tag_names))
    .bind::<Text, _>(fold(&e.byline))
    .execute(conn)?;
    Ok(())
}

/// The text searched as an entry's body (and cut into snippets): the photo
/// caption and description, then the body as plain text.
pub fn searchable_body(caption: &str, alt: &str, body_md: &str) -> String {
    let mut text = String::new();
    for part in [caption, alt] {
        if !part.trim().is_empty() {
            text.push_str(part.trim());
            text.push_str("\n\n");
        }
    }
    text.push_str(&markdown::plain_text(body_md));
    text
}

/// What [`reindex_unless_running`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reindex {
    /// Rebuilt the index of this many entries.
    Done(usize),
    /// Nothing: the index is current (another process finished it).
    Current,
    /// Left it to another process, rebuilding it since this Unix time.
    Elsewhere(i64),
}

/// Rebuilds the whole index (unless it is current and not `force`d),
/// unless another process (a second server on the same database, or `loa
/// reindex`) is rebuilding it already: two rebuilds would take turns batch
/// by batch, and one's clearing of the index would empty what the other
/// had built. Whether the index is current and whether a rebuild runs are
/// read, and the rebuild claimed, in one write transaction.
pub fn reindex_unless_running(
    conn: &mut SqliteConnection,
    force: bool,
    progress: impl FnMut(usize, usize),
) -> QueryResult<Reindex> {
    let now = chrono::Utc::now().timestamp();
    let claimed = conn.immediate_transaction(|conn| {
        let since = settings::get(conn, REBUILD_KEY)?.and_then(|v| v.parse::<i64>().ok());
        if let Some(at) = since.filter(|at| now - at < REBUILD_STALE_SECS) {
            return QueryResult::Ok(Reindex::Elsewhere(at));
        }
        if !force && is_current(conn)? {
            return Ok(Reindex::Current);
        }
        settings::set(conn, REBUILD_KEY, &now.to_string())?;
        Ok(Reindex::Done(0))
    })?;
    if claimed != Reindex::Done(0) {
        return Ok(claimed);
    }
    match reindex_all(conn, progress) {
        Ok(n) => Ok(Reindex::Done(n)),
        Err(e) => {
            // Failed: not running any more, so the next try need not wait.
            let _ = settings::remove(conn, REBUILD_KEY);
            Err(e)
        }
    }
}

/// Rebuilds the whole index; `progress(done, total)` after each batch.
/// Each batch marks the rebuild as running (see [`reindex_unless_running`]).
pub fn reindex_all(
    conn: &mut SqliteConnection,
    mut progress: impl FnMut(usize, usize),
) -> QueryResult<usize> {
    use super::schema::entries::dsl as e;
    let ids: Vec<i32> = e::entries.select(e::id).order(e::id).load(conn)?;
    let total = ids.len();
    // Batches keep each write transaction short, so the site keeps serving.
    for (n, chunk) in ids.chunks(500).enumerate() {
        conn.immediate_transaction(|conn| {
            if n == 0 {
                // FTS5's own clear for a contentless index: it drops the
                // index's pages at once, where `DELETE FROM` removed
                // 100,000 rows one by one, holding the write lock past
                // another starting server's busy timeout.
                diesel::sql_query("INSERT INTO search_index(search_index) VALUES('delete-all')")
                    .execute(conn)?;
            }
            settings::set(
                conn,
                REBUILD_KEY,
                &chrono::Utc::now().timestamp().to_string(),
            )?;
            for id in chunk {
                index_entry(conn, *id)?;
                let data = entries::find(conn, *id)?.data();
                super::documents::set_citations(conn, *id, &entries::cited_numbers(&data))?;
            }
            QueryResult::Ok(())
        })?;
        progress(((n + 1) * 500).min(total), total);
    }
    conn.immediate_transaction(|conn| {
        settings::set(conn, VERSION_KEY, INDEX_VERSION)?;
        settings::remove(conn, REBUILD_KEY)
    })?;
    Ok(total)
}

/// Records that every entry was indexed by this version (after a bulk
/// load that indexed as it went).
pub fn mark_current(conn: &mut SqliteConnection) -> QueryResult<()> {
    settings::set(conn, VERSION_KEY, INDEX_VERSION)
}

/// Whether the index was built by this version of the folding rules.
pub fn is_current(conn: &mut SqliteConnection) -> QueryResult<bool> {
    Ok(settings::get(conn, VERSION_KEY)?.as_deref() == Some(INDEX_VERSION))
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

//! The search index's full rebuild, claimed so that two servers on one
//! database do not both run it; each entry's row is derived again through
//! the save path ([`entries::refresh`]).

use crate::storage::Db;
use diesel::prelude::*;

use super::entries;
use crate::storage::{self as store, settings};

/// Bump when folding or indexed fields change: `serve` reindexes then.
///
/// Version 2: the rebuild also refreshes the document numbers each entry
/// cites (`entry_citations`), which entries saved before the registry
/// existed lack. Version 3: bodies are stored with their document numbers
/// linked; the rebuild renders every body again.
///
/// Version 4: the index is made again with prefix indexes (migration
/// `search_prefix`), empty until rebuilt.
///
/// Version 5: on PostgreSQL, both indexes (entries and the document
/// registry) hold words joined by `/` or `-` as one word
/// (`domain::search::index_words`); the rebuild indexes the registry too.
///
/// Version 6: on PostgreSQL, both indexes also hold each two adjacent
/// words as one (`domain::search::pair`), which phrase queries look up.
///
/// Version 7: on PostgreSQL, the pairs move to a column of their own, and
/// each row holds its entry's kind, category and `public_at` (migration
/// `search_columns`, which empties the index).
pub const INDEX_VERSION: &str = "7";
const VERSION_KEY: &str = "search_index_version";
/// Set while a rebuild runs: the Unix time of its latest batch.
pub const REBUILD_KEY: &str = "search_index_rebuild";
/// A rebuild whose latest batch is older than this is taken to have died
/// (a batch of 500 entries takes well under a second).
pub const REBUILD_STALE_SECS: i64 = 30;

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
    conn: &mut Db,
    force: bool,
    progress: impl FnMut(usize, usize),
) -> QueryResult<Reindex> {
    let now = chrono::Utc::now().timestamp();
    let claimed = store::write(conn, |conn| {
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
/// Each batch marks the rebuild as running (see [`reindex_unless_running`])
/// and renders every entry again through the save path's
/// [`entries::rerender`] (body with its links, search row, cited numbers,
/// media uses). The document registry's index is made again first.
pub fn reindex_all(conn: &mut Db, mut progress: impl FnMut(usize, usize)) -> QueryResult<usize> {
    store::documents::reindex_all(conn)?;
    let ids = store::entries::all_ids(conn)?;
    let total = ids.len();
    // Batches keep each write transaction short, so the site keeps serving.
    for (n, chunk) in ids.chunks(500).enumerate() {
        store::write(conn, |conn| {
            if n == 0 {
                store::search::clear(conn)?;
            }
            settings::set(
                conn,
                REBUILD_KEY,
                &chrono::Utc::now().timestamp().to_string(),
            )?;
            for id in chunk {
                entries::rerender(conn, *id)?;
            }
            QueryResult::Ok(())
        })?;
        progress(((n + 1) * 500).min(total), total);
    }
    store::write(conn, |conn| {
        settings::set(conn, VERSION_KEY, INDEX_VERSION)?;
        settings::remove(conn, REBUILD_KEY)
    })?;
    Ok(total)
}

/// Records that every entry was indexed by this version (after a bulk
/// load that indexed as it went).
pub fn mark_current(conn: &mut Db) -> QueryResult<()> {
    settings::set(conn, VERSION_KEY, INDEX_VERSION)
}

/// Whether the index was built by this version of the folding rules.
pub fn is_current(conn: &mut Db) -> QueryResult<bool> {
    Ok(settings::get(conn, VERSION_KEY)?.as_deref() == Some(INDEX_VERSION))
}

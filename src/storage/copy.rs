//! `loa copy-database`: a whole SQLite site into an empty PostgreSQL
//! database, table by table, ids kept.
//!
//! Rows travel as JSON: SQLite writes each row with `json_object` (its
//! columns read from `pragma_table_info`), PostgreSQL reads a batch with
//! `json_populate_recordset`, which converts every value with the
//! column's own type (text times to `timestamp`, 0/1 to `boolean`). The
//! two schemas have the same tables and columns (`.ci/compare-schemas`),
//! so no table needs code of its own.
//!
//! The destination's own triggers (change log, listing counts, a tag's
//! publication time) are off while the rows arrive, and back on at
//! commit. With them on, every entry updated the same few
//! `listing_counts` rows inside one transaction; each update leaves a
//! version its own transaction cannot prune, and the next update walks
//! them all: about 30 entries a second into a 100,000-entry copy. What
//! those triggers would have written is copied instead: the listing
//! counts as the source's triggers kept them, `entry_tags.public_at` as
//! a column. Left out: the change log (a new site has no cached page to
//! drop) and the search indexes (rebuilt afterwards by the caller).

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use super::Db;

/// Every table copied, parents before children (foreign keys hold at
/// every insert; a comment's parent has a smaller id than its reply).
pub const TABLES: [&str; 25] = [
    "users",
    "categories",
    "tags",
    "entries",
    "revisions",
    "entry_tags",
    "bulletin_items",
    "attachments",
    "comments",
    "slug_redirects",
    "media",
    "media_uses",
    "documents",
    "entry_citations",
    // A page's parent may have a larger id (moved under a newer page):
    // PostgreSQL checks a foreign key at the end of each INSERT, and a
    // batch holds 500 pages.
    "pages",
    "page_revisions",
    "page_redirects",
    "translations",
    "ratings",
    "questions",
    // An item's parent is a top-level item: a smaller id unless moved.
    "menu_items",
    "settings",
    "audit_log",
    "login_failures",
    "listing_counts",
];

/// Tables a new destination already holds rows of: its migrations seed
/// them, and the copy replaces those rows.
const SEEDED: [&str; 1] = ["listing_counts"];

/// Tables the destination fills itself, and so not copied.
pub const DERIVED: [&str; 3] = ["changes", "search_index", "documents_index"];

/// Rows per batch.
const BATCH: i64 = 500;

/// How many rows a table held in the source and holds in the copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Counted {
    pub table: &'static str,
    pub source: i64,
    pub copy: i64,
}

/// Why a copy did not start or did not finish.
#[derive(Debug, thiserror::Error)]
pub enum CopyError {
    #[error("the source must be a SQLite database and the destination PostgreSQL")]
    Direction,
    #[error("the destination is not empty ({0} rows in {1}); copy into a new database")]
    NotEmpty(i64, &'static str),
    #[error(transparent)]
    Db(#[from] diesel::result::Error),
}

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = Text)]
    row: String,
}

#[derive(QueryableByName)]
struct Column {
    #[diesel(sql_type = Text)]
    name: String,
    /// Place in the primary key, from 1; 0 for other columns.
    #[diesel(sql_type = diesel::sql_types::Integer)]
    pk: i32,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Copies every table of `from` (SQLite) into `to` (PostgreSQL, migrated
/// and empty) in one transaction on `to`: all or nothing. `progress` gets
/// each table's name and rows copied so far.
pub fn copy_site(
    from: &mut Db,
    to: &mut Db,
    mut progress: impl FnMut(&str, i64),
) -> Result<(), CopyError> {
    if !matches!(from, Db::Sqlite(_)) || !matches!(to, Db::Pg(_)) {
        return Err(CopyError::Direction);
    }
    for table in TABLES.into_iter().filter(|t| !SEEDED.contains(t)) {
        let n = count(to, table)?;
        if n > 0 {
            return Err(CopyError::NotEmpty(n, table));
        }
    }
    // One reader's snapshot of the source: writers may carry on.
    from.transaction(|from| {
        super::write(to, |to| {
            // Transactional: a failed copy leaves the triggers on. The
            // lock it takes keeps every other writer out until commit.
            switch_triggers(to, "DISABLE")?;
            for table in SEEDED {
                diesel::sql_query(format!("DELETE FROM \"{table}\"")).execute(to)?;
            }
            for table in TABLES {
                copy_table(from, to, table, &mut progress)?;
            }
            switch_triggers(to, "ENABLE")?;
            restart_ids(to)
        })
    })?;
    // Statistics for the planner, which has none for the new rows until
    // autovacuum gets round to them.
    diesel::sql_query("ANALYZE").execute(to)?;
    Ok(())
}

/// Turns the copied tables' own triggers off or on (`USER`: foreign
/// keys are checked all the same).
fn switch_triggers(to: &mut Db, how: &str) -> Result<(), CopyError> {
    for table in TABLES {
        diesel::sql_query(format!("ALTER TABLE \"{table}\" {how} TRIGGER USER")).execute(to)?;
    }
    Ok(())
}

fn copy_table(
    from: &mut Db,
    to: &mut Db,
    table: &'static str,
    progress: &mut impl FnMut(&str, i64),
) -> Result<(), CopyError> {
    let table_info: Vec<Column> =
        diesel::sql_query("SELECT name, pk FROM pragma_table_info(?) ORDER BY cid")
            .bind::<Text, _>(table)
            .load(from)?;
    let columns: Vec<&str> = table_info.iter().map(|c| c.name.as_str()).collect();
    let mut key_columns: Vec<&Column> = table_info.iter().filter(|c| c.pk > 0).collect();
    key_columns.sort_by_key(|c| c.pk);
    let keys: Vec<&str> = key_columns.iter().map(|c| c.name.as_str()).collect();
    // Names come from the schema, not from input; quoted all the same.
    let object = columns
        .iter()
        .map(|c| format!("'{c}', \"{c}\""))
        .collect::<Vec<_>>()
        .join(", ");
    let order = keys
        .iter()
        .map(|k| format!("\"{k}\""))
        .collect::<Vec<_>>()
        .join(", ");
    let select = format!(
        "SELECT json_object({object}) AS row FROM \"{table}\" ORDER BY {order} LIMIT ? OFFSET ?"
    );
    let insert = format!(
        "INSERT INTO \"{table}\" SELECT * FROM json_populate_recordset(NULL::\"{table}\", $1::json)"
    );
    let mut done = 0;
    loop {
        let rows: Vec<Row> = diesel::sql_query(&select)
            .bind::<BigInt, _>(BATCH)
            .bind::<BigInt, _>(done)
            .load(from)?;
        if rows.is_empty() {
            break;
        }
        let batch = format!(
            "[{}]",
            rows.iter()
                .map(|r| r.row.as_str())
                .collect::<Vec<_>>()
                .join(",")
        );
        diesel::sql_query(&insert)
            .bind::<Text, _>(batch)
            .execute(to)?;
        done += rows.len() as i64;
        progress(table, done);
    }
    Ok(())
}

/// Moves each identity past the largest id copied, so new rows do not
/// collide with copied ones.
fn restart_ids(to: &mut Db) -> Result<(), CopyError> {
    #[derive(QueryableByName)]
    struct Table {
        #[diesel(sql_type = Text)]
        table_name: String,
    }
    let tables: Vec<Table> = diesel::sql_query(
        "SELECT table_name::text AS table_name FROM information_schema.columns \
         WHERE table_schema = current_schema() AND column_name = 'id' AND is_identity = 'YES'",
    )
    .load(to)?;
    for Table { table_name } in tables {
        diesel::sql_query(format!(
            "SELECT setval(pg_get_serial_sequence('\"{table_name}\"', 'id'), \
             COALESCE((SELECT max(id) FROM \"{table_name}\"), 0) + 1, false)"
        ))
        .execute(to)?;
    }
    Ok(())
}

/// Rows in `table`.
pub fn count(conn: &mut Db, table: &str) -> QueryResult<i64> {
    diesel::sql_query(format!("SELECT count(*) AS n FROM \"{table}\""))
        .get_result::<Count>(conn)
        .map(|c| c.n)
}

/// Every copied table's rows on both sides.
pub fn compare(from: &mut Db, to: &mut Db) -> QueryResult<Vec<Counted>> {
    TABLES
        .iter()
        .map(|&table| {
            Ok(Counted {
                table,
                source: count(from, table)?,
                copy: count(to, table)?,
            })
        })
        .collect()
}

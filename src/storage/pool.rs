//! The database: a connection that is SQLite or PostgreSQL, the pool,
//! and the migrations of each.
//!
//! `database` is a file path (SQLite, one machine) or a `postgres://` URL
//! (several servers sharing one database). Storage code is written once
//! against [`Db`], diesel's `MultiConnection` over both; the few
//! statements whose SQL differs match on the variant.
//!
//! SQLite: WAL set once on the file, then per-connection pragmas.
//! PostgreSQL: migrations run under an advisory lock, so servers started
//! together do not race to apply them.

use std::path::Path;
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::r2d2::{ManageConnection, Pool as R2Pool, PooledConnection, R2D2Connection};
use diesel::{Connection, PgConnection, RunQueryDsl, SqliteConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

/// A connection to either database. Storage functions take `&mut Db`.
#[derive(diesel::MultiConnection)]
pub enum Db {
    Sqlite(SqliteConnection),
    Pg(PgConnection),
}

pub type Pool = R2Pool<Manager>;
pub type Conn = PooledConnection<Manager>;

pub const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
pub const PG_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// PostgreSQL advisory lock keys (any constant; one per purpose).
pub mod locks {
    /// One writer at a time: `storage::write` and the change log.
    pub const WRITE: i64 = 7_135_001;
    /// Migrations, while several servers start together.
    pub const MIGRATE: i64 = 7_135_002;
    /// `serve`'s start: the seed import into an empty site.
    pub const START: i64 = 7_135_003;
}

/// Where the database is, read from the `database` setting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// A SQLite file, created with its folder when missing.
    File(std::path::PathBuf),
    /// A PostgreSQL server: `postgres://` or `postgresql://` URL.
    Postgres(String),
}

impl Location {
    pub fn parse(setting: &str) -> Self {
        if setting.starts_with("postgres://") || setting.starts_with("postgresql://") {
            Self::Postgres(setting.to_owned())
        } else {
            Self::File(setting.into())
        }
    }

    /// The setting without a password, for messages and logs.
    pub fn display(&self) -> String {
        match self {
            Self::File(p) => p.display().to_string(),
            Self::Postgres(url) => redact(url),
        }
    }
}

/// `postgres://user:secret@host/db` → `postgres://user:***@host/db`.
fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    match rest.split_once('@') {
        Some((auth, host)) if auth.contains(':') => {
            let user = auth.split(':').next().unwrap_or_default();
            format!("{scheme}://{user}:***@{host}")
        }
        _ => url.to_owned(),
    }
}

impl Db {
    /// Opens one connection with its per-connection settings.
    pub fn open(location: &Location) -> Result<Self, diesel::ConnectionError> {
        match location {
            Location::File(path) => {
                let mut conn = SqliteConnection::establish(&path.to_string_lossy())?;
                // busy_timeout first, so the other pragmas wait rather than fail.
                conn.batch_execute(
                    "PRAGMA busy_timeout = 5000; PRAGMA synchronous = NORMAL; \
                     PRAGMA foreign_keys = ON;",
                )
                .map_err(|e| diesel::ConnectionError::BadConnection(e.to_string()))?;
                Ok(Self::Sqlite(conn))
            }
            Location::Postgres(url) => {
                let mut conn = PgConnection::establish(url)?;
                // No parallel workers and no JIT: loa's queries are short
                // and many run at once, so starting workers or compiling a
                // plan costs more than it saves (a search within one kind
                // took 27 ms with two workers and 12 ms without, alone; a
                // JIT compile alone took 190 ms).
                conn.batch_execute("SET max_parallel_workers_per_gather = 0; SET jit = off")
                    .map_err(|e| diesel::ConnectionError::BadConnection(e.to_string()))?;
                Ok(Self::Pg(conn))
            }
        }
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self, Self::Pg(_))
    }
}

/// The pool's connection factory: the variant follows the location.
#[derive(Debug)]
pub struct Manager {
    location: Location,
}

impl ManageConnection for Manager {
    type Connection = Db;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<Db, Self::Error> {
        Db::open(&self.location).map_err(diesel::r2d2::Error::ConnectionError)
    }

    fn is_valid(&self, conn: &mut Db) -> Result<(), Self::Error> {
        conn.ping().map_err(diesel::r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut Db) -> bool {
        std::thread::panicking() || conn.is_broken()
    }
}

/// Why the database could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("cannot create folder {0}: {1}")]
    Folder(String, std::io::Error),
    #[error("cannot open database: {0}")]
    Connection(#[from] diesel::ConnectionError),
    #[error("database: {0}")]
    Query(#[from] diesel::result::Error),
    #[error("connection pool: {0}")]
    Pool(#[from] diesel::r2d2::PoolError),
    #[error("migration failed: {0}")]
    Migration(String),
    #[error("{0}")]
    Unsupported(&'static str),
}

/// Opens (creating when missing) the database, applies pending
/// migrations and returns a pool of `size` connections.
pub fn open_pool(database: &str, size: u32) -> Result<Pool, OpenError> {
    let location = Location::parse(database);
    if let Location::File(path) = &location {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| OpenError::Folder(dir.display().to_string(), e))?;
        }
        // WAL is a property of the file: set it once, before the pool opens
        // connections in parallel (doing it per connection races at start).
        let mut conn = SqliteConnection::establish(&path.to_string_lossy())?;
        conn.batch_execute("PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL;")?;
    }
    run_migrations(&mut Db::open(&location)?)?;
    let pool = R2Pool::builder()
        .max_size(size)
        .connection_timeout(Duration::from_secs(10))
        .build(Manager { location })?;
    Ok(pool)
}

/// Applies every embedded migration not yet applied; returns how many ran.
/// On PostgreSQL under an advisory lock: a second server starting at the
/// same moment waits, then finds nothing left to do.
pub fn run_migrations(conn: &mut Db) -> Result<usize, OpenError> {
    let run = |r: diesel::migration::Result<Vec<_>>| {
        r.map(|v| v.len())
            .map_err(|e| OpenError::Migration(e.to_string()))
    };
    match conn {
        Db::Sqlite(c) => {
            c.batch_execute("PRAGMA foreign_keys = ON;")?;
            run(c.run_pending_migrations(SQLITE_MIGRATIONS))
        }
        Db::Pg(c) => {
            diesel::sql_query("SELECT pg_advisory_lock($1)")
                .bind::<diesel::sql_types::BigInt, _>(locks::MIGRATE)
                .execute(c)?;
            let ran = run(c.run_pending_migrations(PG_MIGRATIONS));
            diesel::sql_query("SELECT pg_advisory_unlock($1)")
                .bind::<diesel::sql_types::BigInt, _>(locks::MIGRATE)
                .execute(c)?;
            ran
        }
    }
}

/// Runs `f` while holding PostgreSQL's advisory lock `key` (for its
/// session: `f` may commit many transactions), so that servers started
/// together do it one after the other. On SQLite, which one machine's one
/// server uses, `f` simply runs.
pub fn exclusive<T, E>(
    conn: &mut Db,
    key: i64,
    f: impl FnOnce(&mut Db) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<diesel::result::Error>,
{
    if !conn.is_postgres() {
        return f(conn);
    }
    diesel::sql_query("SELECT pg_advisory_lock($1)")
        .bind::<diesel::sql_types::BigInt, _>(key)
        .execute(conn)?;
    let result = f(conn);
    diesel::sql_query("SELECT pg_advisory_unlock($1)")
        .bind::<diesel::sql_types::BigInt, _>(key)
        .execute(conn)?;
    result
}

/// Whether every embedded migration has been applied (`/readyz`).
pub fn is_migrated(conn: &mut Db) -> bool {
    match conn {
        Db::Sqlite(c) => c.has_pending_migration(SQLITE_MIGRATIONS),
        Db::Pg(c) => c.has_pending_migration(PG_MIGRATIONS),
    }
    .is_ok_and(|pending| !pending)
}

/// Writes a consistent copy of the live SQLite database to `dest` with
/// `VACUUM INTO`: one read transaction, so writers carry on meanwhile and
/// the copy is a single moment's state. `dest` must not exist. A
/// PostgreSQL site is backed up with `pg_dump` (README, Several servers).
pub fn backup(conn: &mut Db, dest: &Path) -> Result<(), OpenError> {
    let Db::Sqlite(conn) = conn else {
        return Err(OpenError::Unsupported(
            "backup copies a SQLite database; back up PostgreSQL with pg_dump",
        ));
    };
    if let Some(dir) = dest.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| OpenError::Folder(dir.display().to_string(), e))?;
    }
    diesel::sql_query("VACUUM INTO ?")
        .bind::<diesel::sql_types::Text, _>(dest.to_string_lossy().into_owned())
        .execute(conn)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_setting_names_a_file_or_a_server() {
        assert_eq!(
            Location::parse("data/loa.db"),
            Location::File("data/loa.db".into())
        );
        assert!(matches!(
            Location::parse("postgres://loa@db/loa"),
            Location::Postgres(_)
        ));
        assert!(matches!(
            Location::parse("postgresql://loa@db/loa"),
            Location::Postgres(_)
        ));
    }

    #[test]
    fn passwords_stay_out_of_messages() {
        assert_eq!(
            Location::parse("postgres://loa:s3cret@db:5432/loa").display(),
            "postgres://loa:***@db:5432/loa"
        );
        assert_eq!(
            Location::parse("postgres://loa@db/loa").display(),
            "postgres://loa@db/loa"
        );
    }
}

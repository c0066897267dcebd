//! The connection pool: WAL set once on the file, then per-connection
//! pragmas, then embedded migrations.

use std::path::Path;
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::r2d2::{ConnectionManager, CustomizeConnection, Pool as R2Pool, PooledConnection};
use diesel::{Connection, SqliteConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

pub type Pool = R2Pool<ConnectionManager<SqliteConnection>>;
pub type Conn = PooledConnection<ConnectionManager<SqliteConnection>>;

pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");

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
}

#[derive(Debug)]
struct Pragmas;

impl CustomizeConnection<SqliteConnection, diesel::r2d2::Error> for Pragmas {
    fn on_acquire(&self, conn: &mut SqliteConnection) -> Result<(), diesel::r2d2::Error> {
        // busy_timeout first, so the other pragmas wait rather than fail.
        conn.batch_execute(
            "PRAGMA busy_timeout = 5000; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;",
        )
        .map_err(diesel::r2d2::Error::QueryError)
    }
}

/// Opens (creating when missing) the database at `path`, applies pending
/// migrations and returns a pool of `size` connections.
pub fn open_pool(path: &Path, size: u32) -> Result<Pool, OpenError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| OpenError::Folder(dir.display().to_string(), e))?;
    }
    let url = path.to_string_lossy().into_owned();
    {
        // WAL is a property of the file: set it once, before the pool opens
        // connections in parallel (doing it per connection races at start).
        let mut conn = SqliteConnection::establish(&url)?;
        conn.batch_execute("PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL;")?;
        run_migrations(&mut conn)?;
    }
    let pool = R2Pool::builder()
        .max_size(size)
        .connection_timeout(Duration::from_secs(10))
        .connection_customizer(Box::new(Pragmas))
        .build(ConnectionManager::<SqliteConnection>::new(url))?;
    Ok(pool)
}

/// Applies every embedded migration not yet applied; returns how many ran.
pub fn run_migrations(conn: &mut SqliteConnection) -> Result<usize, OpenError> {
    conn.batch_execute("PRAGMA foreign_keys = ON;")?;
    conn.run_pending_migrations(MIGRATIONS)
        .map(|v| v.len())
        .map_err(|e| OpenError::Migration(e.to_string()))
}

/// Writes a consistent copy of the live database to `dest` with
/// `VACUUM INTO`: one read transaction, so writers carry on meanwhile and
/// the copy is a single moment's state. `dest` must not exist.
pub fn backup(conn: &mut SqliteConnection, dest: &Path) -> Result<(), OpenError> {
    use diesel::RunQueryDsl;
    if let Some(dir) = dest.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| OpenError::Folder(dir.display().to_string(), e))?;
    }
    diesel::sql_query("VACUUM INTO ?")
        .bind::<diesel::sql_types::Text, _>(dest.to_string_lossy().into_owned())
        .execute(conn)?;
    Ok(())
}

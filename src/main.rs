//! The `loa` command: serve the site, migrate, import and export content.

use loa::storage::Db;
use std::path::{Path, PathBuf};

use actix_web::{HttpServer, web};
use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use tracing_subscriber::EnvFilter;

use loa::config::Config;
use loa::content::{export, import};
use loa::domain::user::{self, Role};
use loa::media::uploads::Uploads;
use loa::storage::{self, entries};
use loa::{AppState, build_app};

/// mimalloc (version 3, built without transparent huge pages): +20 % on
/// an uncached page against glibc's allocator at the same memory. With
/// huge pages allowed it held 60 MiB instead of 40 (README, "Load
/// benchmark").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// loa — a news CMS for a government department's reform communication.
///
/// Settings come from loa.toml (or --config), then LOA_* environment
/// variables, then these flags. With no command, loa serves the site.
#[derive(Parser)]
#[command(version, about, long_about)]
struct Cli {
    /// Configuration file (default: loa.toml in this folder, if present).
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    /// SQLite file or postgres:// URL (overrides `database` and
    /// LOA_DATABASE).
    #[arg(long, global = true, value_name = "PATH")]
    database: Option<String>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Migrate, import content/ if the database is empty, and serve.
    Serve {
        /// Address to listen on (overrides `bind` and LOA_BIND).
        #[arg(long, value_name = "ADDR")]
        bind: Option<String>,
    },
    /// Apply pending database migrations.
    Migrate,
    /// Import Markdown files with TOML front matter; idempotent by slug.
    Import {
        /// Folder to import (e.g. content).
        dir: PathBuf,
    },
    /// Rebuild the full-text search index.
    Reindex,
    /// Manage staff accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Write a consistent copy of the live database (safe while serving).
    Backup {
        /// The copy to write; must not exist yet.
        file: PathBuf,
    },
    /// Copy the whole site into an empty PostgreSQL database and check
    /// the counts (stop the site first, or new comments are left behind).
    CopyDatabase {
        /// postgres://user:password@host/database (migrated here first).
        #[arg(long, value_name = "URL")]
        to: String,
    },
    /// Export every entry as files that import back to the same entries.
    Export {
        /// Folder to write into (created if missing).
        dir: PathBuf,
    },
    /// The media library.
    #[command(subcommand)]
    Media(MediaCommand),
}

#[derive(Subcommand)]
enum MediaCommand {
    /// Make every image's derivatives again (after the sizes change), with
    /// a progress bar; re-render the bodies that show library images.
    Regenerate,
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create an account. The password comes from LOA_PASSWORD or a prompt.
    Add {
        name: String,
        /// author, moderator, editor or admin.
        #[arg(long)]
        role: Role,
        /// Name shown in the admin (default: the username).
        #[arg(long)]
        display_name: Option<String>,
    },
    /// List accounts.
    List,
    /// Change an account's role (ends its sessions).
    SetRole { name: String, role: Role },
    /// Change an account's password (LOA_PASSWORD or a prompt; ends its sessions).
    SetPassword { name: String },
    /// Disable an account: its sessions stop working at once.
    Disable { name: String },
    /// Enable a disabled account again.
    Enable { name: String },
}

/// The password for `user add` / `set-password`: LOA_PASSWORD, else asked
/// twice without echo.
fn read_password(username: &str) -> anyhow::Result<String> {
    let password = match std::env::var("LOA_PASSWORD") {
        Ok(p) => p,
        Err(_) => {
            let first = rpassword::prompt_password(format!("Password for {username}: "))?;
            let again = rpassword::prompt_password("Again: ")?;
            if first != again {
                bail!("the two passwords differ");
            }
            first
        }
    };
    if let Some(problem) = user::password_problem(&password, username) {
        match problem {
            "password_too_short" => bail!(
                "the password must have at least {} characters",
                user::PASSWORD_MIN
            ),
            _ => bail!("the password must not be the username"),
        }
    }
    Ok(password)
}

fn run_user(config: &Config, command: UserCommand) -> anyhow::Result<()> {
    let pool = open(config)?;
    let conn = &mut *pool.get()?;
    let now = storage::utc_now();
    let find = |conn: &mut Db, name: &str| -> anyhow::Result<storage::users::User> {
        storage::users::find_by_username(conn, name)?
            .with_context(|| format!("no account named {name:?}"))
    };
    match command {
        UserCommand::Add {
            name,
            role,
            display_name,
        } => {
            if !user::username_ok(&name) {
                bail!("usernames are 3-40 lower-case letters, digits, '.', '_' or '-'");
            }
            if storage::users::find_by_username(conn, &name)?.is_some() {
                bail!("an account named {name:?} exists already");
            }
            let password = read_password(&name)?;
            let hash = loa::auth::hash(&password).map_err(|e| anyhow::anyhow!("hashing: {e}"))?;
            storage::users::create(
                conn,
                &name,
                display_name.as_deref().unwrap_or(""),
                &hash,
                role,
                now,
            )?;
            storage::audit::record(conn, now, "cli", "user.add", &name, role.as_str(), None)?;
            println!("created {name} ({role})");
        }
        UserCommand::List => {
            for u in storage::users::all(conn)? {
                println!(
                    "{:<20} {:<10} {}{}",
                    u.username,
                    u.role.as_str(),
                    u.display_name,
                    if u.disabled { "  [disabled]" } else { "" }
                );
            }
        }
        UserCommand::SetRole { name, role } => {
            let u = find(conn, &name)?;
            storage::users::set_role(conn, u.id, role)?;
            storage::audit::record(
                conn,
                now,
                "cli",
                "user.role",
                &name,
                &format!("{} → {role}", u.role),
                None,
            )?;
            println!("{name} is now {role}");
        }
        UserCommand::SetPassword { name } => {
            let u = find(conn, &name)?;
            let password = read_password(&name)?;
            let hash = loa::auth::hash(&password).map_err(|e| anyhow::anyhow!("hashing: {e}"))?;
            storage::users::set_password(conn, u.id, &hash)?;
            storage::audit::record(conn, now, "cli", "user.password", &name, "", None)?;
            println!("password of {name} changed; its sessions have ended");
        }
        UserCommand::Disable { name } => {
            let u = find(conn, &name)?;
            storage::users::set_disabled(conn, u.id, true)?;
            storage::audit::record(conn, now, "cli", "user.disable", &name, "", None)?;
            println!("{name} is disabled; its sessions have ended");
        }
        UserCommand::Enable { name } => {
            let u = find(conn, &name)?;
            storage::users::set_disabled(conn, u.id, false)?;
            storage::audit::record(conn, now, "cli", "user.enable", &name, "", None)?;
            println!("{name} is enabled");
        }
    }
    Ok(())
}

fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let mut config = Config::load(cli.config.as_deref(), std::env::vars())?;
    if let Some(db) = cli.database {
        config.database = db;
    }
    match cli.command.unwrap_or(Command::Serve { bind: None }) {
        Command::Serve { bind } => {
            if let Some(bind) = bind {
                config.bind = bind;
            }
            serve(config)
        }
        Command::Migrate => {
            // Opening the pool applies pending migrations.
            open(&config)?;
            println!("database {} is up to date", database_name(&config));
            Ok(())
        }
        Command::Import { dir } => {
            let pool = open(&config)?;
            let report = run_import(&pool, &config, &uploads(&config)?, &dir, true)?;
            if !report.failed.is_empty() {
                bail!("{} file(s) could not be imported", report.failed.len());
            }
            Ok(())
        }
        Command::Reindex => {
            let pool = open(&config)?;
            let n = reindex(&pool)?;
            println!("indexed {n} entries");
            Ok(())
        }
        Command::User(command) => run_user(&config, command),
        Command::Backup { file } => {
            if file.exists() {
                bail!("{} exists; backup writes a new file", file.display());
            }
            let pool = open(&config)?;
            storage::pool::backup(&mut *pool.get()?, &file)?;
            println!("wrote {}", file.display());
            Ok(())
        }
        Command::CopyDatabase { to } => copy_database(&config, &to),
        Command::Media(MediaCommand::Regenerate) => {
            let pool = open(&config)?;
            let report = loa::service::media::regenerate_all(
                &mut *pool.get()?,
                &uploads(&config)?,
                storage::utc_now(),
                true,
            )?;
            println!(
                "regenerated {} image(s), registered {}, re-rendered {} bodies",
                report.images, report.registered, report.bodies
            );
            for (path, why) in &report.failed {
                eprintln!("{path}: {why}");
            }
            if !report.failed.is_empty() {
                bail!("{} image(s) failed", report.failed.len());
            }
            Ok(())
        }
        Command::Export { dir } => {
            let pool = open(&config)?;
            let n = export::export_dir(
                &mut *pool.get()?,
                &dir,
                &uploads(&config)?,
                config.tz(),
                true,
            )?;
            println!("exported {n} entries to {}", dir.display());
            Ok(())
        }
    }
}

/// Pooled database connections; one writer at a time is SQLite's rule,
/// readers scale with the pool.
const POOL_SIZE: u32 = 8;
/// Blocking threads per HTTP worker (see `serve`).
const BLOCKING_THREADS: usize = 4;

fn open(config: &Config) -> anyhow::Result<storage::Pool> {
    storage::open_pool(&config.database, POOL_SIZE)
        .with_context(|| format!("opening {}", database_name(config)))
}

/// Where uploaded files go (a folder is created when missing).
fn uploads(config: &Config) -> anyhow::Result<Uploads> {
    let uploads = Uploads::open(&config.uploads)?;
    if let Some(dir) = uploads.folder() {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    Ok(uploads)
}

/// The `database` setting as shown to people: no password.
fn database_name(config: &Config) -> String {
    storage::pool::Location::parse(&config.database).display()
}

fn run_import(
    pool: &storage::Pool,
    config: &Config,
    uploads: &Uploads,
    dir: &Path,
    progress: bool,
) -> anyhow::Result<import::Report> {
    let report = import::import_dir(
        &mut *pool.get()?,
        dir,
        &import::Target {
            uploads,
            tz: config.tz(),
            now: storage::utc_now(),
            progress,
        },
    )?;
    println!(
        "imported from {}: {} created, {} updated, {} unchanged, {} categories, {} documents, {} pages, {} translations",
        dir.display(),
        report.created,
        report.updated,
        report.unchanged,
        report.categories,
        report.documents,
        report.pages,
        report.translations
    );
    for (path, why) in &report.failed {
        eprintln!("  {}: {why}", path.display());
    }
    Ok(report)
}

/// `loa copy-database --to URL`: the site into an empty PostgreSQL
/// database, its search indexes rebuilt there, then every table counted
/// on both sides.
fn copy_database(config: &Config, to: &str) -> anyhow::Result<()> {
    let target = storage::pool::Location::parse(to);
    if !matches!(target, storage::pool::Location::Postgres(_)) {
        bail!("--to must be a postgres:// URL");
    }
    let source = open(config)?;
    let dest =
        storage::open_pool(to, 2).with_context(|| format!("opening {}", target.display()))?;
    let (mut from, mut into) = (source.get()?, dest.get()?);
    let bar = indicatif::ProgressBar::new_spinner();
    storage::copy::copy_site(&mut from, &mut into, |table, n| {
        bar.set_message(format!("{table}: {n} rows"));
        bar.tick();
    })?;
    bar.finish_and_clear();
    // Counted before the rebuild, which notes itself in settings.
    let counts = storage::copy::compare(&mut from, &mut into)?;
    let mut differ = Vec::new();
    for c in &counts {
        println!("{:<16} {:>9} {:>9}", c.table, c.source, c.copy);
        if c.source != c.copy {
            differ.push(c.table);
        }
    }
    if !differ.is_empty() {
        bail!(
            "counts differ in {} (was the site still taking writes?)",
            differ.join(", ")
        );
    }
    // The registry's index too.
    let entries = loa::service::search::reindex_all(&mut into, |_, _| {})?;
    println!("search indexes rebuilt: {entries} entries and the document registry");
    println!(
        "copied {} into {}; set database to that URL on every server",
        database_name(config),
        target.display()
    );
    Ok(())
}

/// `loa reindex`: rebuilds the index with a progress bar, unless a server
/// is rebuilding it right now.
fn reindex(pool: &storage::Pool) -> anyhow::Result<usize> {
    use loa::service::search::Reindex;
    let bar = indicatif::ProgressBar::new(0);
    let done =
        loa::service::search::reindex_unless_running(&mut *pool.get()?, true, |done, total| {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
        })?;
    bar.finish_and_clear();
    match done {
        Reindex::Done(n) => Ok(n),
        Reindex::Current => Ok(0),
        Reindex::Elsewhere(since) => bail!(
            "another process has been rebuilding the search index since {} (Unix time); \
             try again when it is done",
            since
        ),
    }
}

/// After leaving the search rebuild to another process: checks now and
/// then that it finishes, and takes it over if that process died (its
/// claim went stale), so that search is never left half-built.
fn watch_rebuild(pool: storage::Pool) {
    use loa::service::search::{self, Reindex};
    let every = std::time::Duration::from_secs(search::REBUILD_STALE_SECS as u64 / 2);
    std::thread::spawn(move || {
        loop {
            std::thread::sleep(every);
            let step = pool
                .get()
                .map_err(anyhow::Error::from)
                .and_then(|mut c| Ok(search::reindex_unless_running(&mut c, false, |_, _| {})?));
            match step {
                Ok(Reindex::Elsewhere(_)) => continue,
                Ok(Reindex::Done(n)) => {
                    tracing::info!("search index built for {n} entries (taken over)");
                    return;
                }
                Ok(Reindex::Current) => return,
                Err(e) => tracing::warn!("search index rebuild: {e:#}"),
            }
        }
    });
}

/// How often `serve` forgets commenters' old network addresses.
const FORGET_ADDRESSES_EVERY: std::time::Duration = std::time::Duration::from_secs(3600);

/// Forgets commenters' addresses past `keep_ip_days`, hourly. Comments
/// stored and moderation actions do it too (as writes); this keeps the
/// promise on a site where neither happens for a while. Pages that only
/// read never do it. Each server sharing the database runs it: the update
/// is idempotent and touches only rows that still hold an address.
fn forget_addresses_hourly(pool: storage::Pool) {
    std::thread::spawn(move || {
        loop {
            let step = pool.get().map_err(anyhow::Error::from).and_then(|mut c| {
                let rules = storage::settings::moderation_rules(&mut c)?;
                Ok(match rules.forget_addresses_before(storage::utc_now()) {
                    Some(before) => storage::comments::forget_addresses(&mut c, before)?,
                    None => 0,
                })
            });
            match step {
                Ok(0) => {}
                Ok(n) => tracing::info!("forgot the addresses of {n} old comments"),
                Err(e) => tracing::warn!("forgetting old comment addresses: {e:#}"),
            }
            std::thread::sleep(FORGET_ADDRESSES_EVERY);
        }
    });
}

fn serve(config: Config) -> anyhow::Result<()> {
    // Opened once here (a bucket is checked once) for the seed import.
    let uploads = uploads(&config)?;
    let pool = open(&config)?;
    // Servers started together on an empty site import it once: the
    // second waits for the first, then finds entries.
    storage::pool::exclusive(
        &mut *pool.get()?,
        storage::pool::locks::START,
        |conn| -> anyhow::Result<()> {
            if entries::count_all(conn)? == 0 && config.content.is_dir() {
                run_import(&pool, &config, &uploads, &config.content.clone(), false)?;
            }
            Ok(())
        },
    )?;
    if !loa::service::search::is_current(&mut *pool.get()?)? {
        use loa::service::search::Reindex;
        match loa::service::search::reindex_unless_running(&mut *pool.get()?, false, |_, _| {})? {
            Reindex::Done(n) => tracing::info!("search index built for {n} entries"),
            Reindex::Current => {}
            Reindex::Elsewhere(since) => {
                tracing::warn!(
                    since,
                    "another process is rebuilding the search index; serving meanwhile \
                     (search may miss entries until it finishes)"
                );
                watch_rebuild(pool.clone());
            }
        }
    }
    forget_addresses_hourly(pool.clone());
    if pool.get()?.is_postgres() && config.base_url.is_none() {
        tracing::warn!(
            "no base_url: with several servers behind a load balancer, links in feeds, \
             sitemaps and QR codes follow each request's Host header; set base_url to the \
             public address"
        );
    }
    let bind = config.bind.clone();
    let drain = std::time::Duration::from_secs(config.drain_seconds.into());
    let state = web::Data::new(AppState::new(config, pool)?);
    loa::web::cache::listen(&state);
    tracing::info!("serving on http://{bind}/");
    actix_web::rt::System::new().block_on(async move {
        let app_state = state.clone();
        let server = HttpServer::new(move || build_app(app_state.clone()))
            // Blocking work is database work: more threads than pooled
            // connections would only wait, each with its own stack and
            // allocator arena.
            .worker_max_blocking_threads(BLOCKING_THREADS)
            .disable_signals()
            .bind(&bind)
            .with_context(|| format!("cannot listen on {bind}"))?
            .run();
        let handle = server.handle();
        actix_web::rt::spawn(async move {
            if let Err(e) = stop_on_signal(&state, handle, drain).await {
                tracing::error!("cannot listen for signals: {e}");
            }
        });
        server.await.context("server stopped")
    })
}

/// SIGTERM (a deploy, the orchestrator): `/readyz` fails for `drain`
/// while pages are still served, then the server stops listening and
/// finishes the requests in flight. SIGINT (Ctrl-C) skips the drain.
async fn stop_on_signal(
    state: &web::Data<AppState>,
    server: actix_web::dev::ServerHandle,
    drain: std::time::Duration,
) -> std::io::Result<()> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate())?;
    let mut int = signal(SignalKind::interrupt())?;
    let drain = tokio::select! {
        _ = term.recv() => drain,
        _ = int.recv() => std::time::Duration::ZERO,
    };
    state
        .draining
        .store(true, std::sync::atomic::Ordering::Relaxed);
    tracing::info!(
        "stopping: /readyz fails from now; still serving for {} s, then finishing requests in flight",
        drain.as_secs()
    );
    actix_web::rt::time::sleep(drain).await;
    server.stop(true).await;
    Ok(())
}

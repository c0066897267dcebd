//! The `loa` command: serve the site, migrate, import and export content.

use std::path::{Path, PathBuf};

use actix_web::{HttpServer, web};
use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use tracing_subscriber::EnvFilter;

use loa::config::Config;
use loa::content::{export, import};
use loa::storage::{self, entries};
use loa::{AppState, build_app};

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
    /// SQLite database file (overrides `database` and LOA_DATABASE).
    #[arg(long, global = true, value_name = "PATH")]
    database: Option<PathBuf>,
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
    /// Export every entry as files that import back to the same entries.
    Export {
        /// Folder to write into (created if missing).
        dir: PathBuf,
    },
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
            println!("database {} is up to date", config.database.display());
            Ok(())
        }
        Command::Import { dir } => {
            let pool = open(&config)?;
            let report = run_import(&pool, &config, &dir, true)?;
            if !report.failed.is_empty() {
                bail!("{} file(s) could not be imported", report.failed.len());
            }
            Ok(())
        }
        Command::Reindex => {
            let pool = open(&config)?;
            let n = reindex(&pool, true)?;
            println!("indexed {n} entries");
            Ok(())
        }
        Command::Export { dir } => {
            let pool = open(&config)?;
            let n =
                export::export_dir(&mut *pool.get()?, &dir, &config.uploads, config.tz(), true)?;
            println!("exported {n} entries to {}", dir.display());
            Ok(())
        }
    }
}

fn open(config: &Config) -> anyhow::Result<storage::Pool> {
    // One writer at a time is SQLite's rule; readers scale with the pool.
    storage::open_pool(&config.database, 8)
        .with_context(|| format!("opening {}", config.database.display()))
}

fn run_import(
    pool: &storage::Pool,
    config: &Config,
    dir: &Path,
    progress: bool,
) -> anyhow::Result<import::Report> {
    let report = import::import_dir(
        &mut *pool.get()?,
        dir,
        &import::Target {
            uploads: &config.uploads,
            tz: config.tz(),
            now: storage::utc_now(),
            progress,
        },
    )?;
    println!(
        "imported from {}: {} created, {} updated, {} unchanged, {} categories",
        dir.display(),
        report.created,
        report.updated,
        report.unchanged,
        report.categories
    );
    for (path, why) in &report.failed {
        eprintln!("  {}: {why}", path.display());
    }
    Ok(report)
}

fn reindex(pool: &storage::Pool, progress: bool) -> anyhow::Result<usize> {
    let bar = if progress {
        indicatif::ProgressBar::new(0)
    } else {
        indicatif::ProgressBar::hidden()
    };
    let n = storage::search::reindex_all(&mut *pool.get()?, |done, total| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    })?;
    bar.finish_and_clear();
    Ok(n)
}

fn serve(config: Config) -> anyhow::Result<()> {
    std::fs::create_dir_all(&config.uploads)
        .with_context(|| format!("creating {}", config.uploads.display()))?;
    let pool = open(&config)?;
    if entries::count_all(&mut *pool.get()?)? == 0 && config.content.is_dir() {
        run_import(&pool, &config, &config.content.clone(), false)?;
    }
    if !storage::search::is_current(&mut *pool.get()?)? {
        let n = reindex(&pool, false)?;
        tracing::info!("search index built for {n} entries");
    }
    let bind = config.bind.clone();
    let state = web::Data::new(AppState::new(config, pool)?);
    tracing::info!("serving on http://{bind}/");
    actix_web::rt::System::new().block_on(async move {
        HttpServer::new(move || build_app(state.clone()))
            .bind(&bind)
            .with_context(|| format!("cannot listen on {bind}"))?
            .run()
            .await
            .context("server stopped")
    })
}

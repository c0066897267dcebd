//! Load benchmark: loa against nginx serving the same article's bytes, and
//! optionally against WordPress serving the same article.
//!
//!     cargo bench --bench load
//!     LOA_BENCH_ENTRIES=20000 LOA_LOAD_SECONDS=5 LOA_LOAD_ROUNDS=1 cargo bench --bench load
//!     LOA_LOAD_WORDPRESS=1 cargo bench --bench load  # plus WordPress (as root)
//!     LOA_LOAD_SOAK=600 cargo bench --bench load     # plus a 10-minute memory run
//!     LOA_LOAD_CONNS=16 cargo bench --bench load     # 16 connections only
//!     LOA_LOAD_POSTGRES=postgres://postgres@127.0.0.1:5432/loa_load cargo bench --bench load
//!                                                    # plus PostgreSQL and two servers
//!
//! 1. Generates a corpus (100,000 entries of Vietnamese text, categories,
//!    tags, comments; fixed seed) with a progress bar, kept under
//!    `target/loa-load/` and copied fresh for each run.
//! 2. Imports the seed content (`content/`: the reference article with its
//!    image, tags and document links, a bulletin, a leaflet, the document
//!    registry) into the copy with `loa::content::import::import_dir`, as
//!    `serve` does on an empty database, and gives the reference article
//!    three approved comments. Its related entries come from the corpus.
//! 3. Starts two release `loa serve` processes on the copy: one with the
//!    page cache, one with it off (`LOA_PAGE_CACHE_MIB=0`), and times the
//!    start to the first page served.
//! 4. Saves a generated article page (with three comments) and the
//!    reference article page as files and serves them with nginx (from
//!    Debian's packages), in the same run.
//! 5. With `LOA_LOAD_WORDPRESS=1`: the WordPress anchor
//!    (`benches/load/wordpress.rs`). Installs Debian's `wordpress`,
//!    `mariadb-server` and `php-fpm` with apt-get when missing, starts
//!    MariaDB (Unix socket only), php-fpm (Debian's default pool sizes) and
//!    an nginx vhost on 127.0.0.1:8094, each with its configuration, pid
//!    file and logs under `target/loa-load/wordpress/` and stopped by pid at
//!    the end; runs WordPress's install step on a fresh database and
//!    publishes the reference article (loa's stored HTML, category, tags)
//!    with the same three comments; checks that its page answers 200 with
//!    the title and the comments. WordPress has no page cache. It is timed
//!    at 16 connections right after loa's reference article in every
//!    round, and the ratio loa/WordPress is printed from this run. Needs
//!    root (apt-get, and the link `/etc/wordpress/config-loa-bench.php`
//!    to this run's settings, where Debian's WordPress reads them).
//! 6. Drives each target with wrk at 16 and 64 connections, interleaved,
//!    for several rounds: the generated article, the reference article,
//!    the bulletin, the leaflet, `/documents` and the JSON API's entry
//!    list and reference entry (page cache on and off),
//!    the home page, listings, deep pages and search. Before each timed run
//!    it waits until the servers it started are idle (php-fpm works
//!    through WordPress's queued requests after wrk stops; up to 60 s) and
//!    the machine is quiet (under 10 % busy; up to 10 s, then it runs and
//!    counts the run as started on a busy machine). Prints requests/s, p50
//!    and p99 (medians over rounds), the ratio to the static server, and
//!    loa's peak memory.
//! 7. Posts comments as fast as wrk can (each from its own address via a
//!    trusted proxy header) and counts what was stored.
//! 8. With `LOA_LOAD_POSTGRES` (a database URL; the bench drops and
//!    creates that database, so name one of its own): copies the prepared
//!    site into it with `loa copy-database` (timed), starts loa on it with
//!    the page cache and without, and a second server without, and
//!    haproxy (Debian's) on loopback in front of one and of both. Every
//!    loa target above gets its PostgreSQL twin, run right after it; the
//!    uncached reference article is also timed through haproxy with one
//!    server and with two; comments are posted to PostgreSQL too. Prints
//!    PostgreSQL against SQLite per page, search p99 on both, and two
//!    servers against one.
//!
//! wrk and nginx are installed with apt-get when missing. wrk runs on the
//! same machine, so every figure is pessimistic; compare the ratios.

use loa::storage::Db;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use indicatif::{ProgressBar, ProgressStyle};
use loa::content::corpus;
use loa::storage;

#[path = "load/wordpress.rs"]
mod wordpress;

const LOA_CACHED: u16 = 8091;
const LOA_UNCACHED: u16 = 8092;
const STATIC: u16 = 8093;
/// With `LOA_LOAD_POSTGRES`: loa on PostgreSQL with and without the page
/// cache, a second server without, and haproxy before one and before both.
const PG_CACHED: u16 = 8095;
const PG_UNCACHED: u16 = 8096;
const PG_SECOND: u16 = 8097;
const BALANCED_ONE: u16 = 8098;
const BALANCED_TWO: u16 = 8099;
/// A returning reader's browser id (the first visit only adds a cookie).
const BROWSER: &str = "lgbenchreader0000000000000";

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() -> anyhow::Result<()> {
    let entries: usize = env_or("LOA_BENCH_ENTRIES", 100_000);
    let seconds: u64 = env_or("LOA_LOAD_SECONDS", 8);
    let rounds: usize = env_or("LOA_LOAD_ROUNDS", 2);
    let soak: u64 = env_or("LOA_LOAD_SOAK", 0);
    let with_wordpress = env_or("LOA_LOAD_WORDPRESS", 0u8) == 1;
    // Only targets whose name contains this (`none`: just build the corpus).
    let only: String = env_or("LOA_LOAD_ONLY", String::new());
    // Connection counts to run (of 16 and 64), e.g. LOA_LOAD_CONNS=16.
    let levels: Vec<u32> = env_or("LOA_LOAD_CONNS", String::from("16,64"))
        .split(',')
        .filter_map(|c| c.trim().parse().ok())
        .collect();
    // A database the bench may drop and create again.
    let postgres: String = env_or("LOA_LOAD_POSTGRES", String::new());
    let postgres = (!postgres.is_empty()).then_some(postgres);
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    ensure_tools(postgres.is_some())?;

    let work = repo.join("target/loa-load");
    std::fs::create_dir_all(&work)?;
    let pristine = work.join(format!("corpus-{entries}-v{}.db", corpus::VERSION));
    if !pristine.exists() {
        generate(&pristine, entries)?;
    }
    if only == "none" {
        return Ok(());
    }
    let run = tempfile::tempdir_in(&work)?;
    let db = run.path().join("loa.db");
    std::fs::copy(&pristine, &db)?;
    let slug = article_with_comments(&db)?;
    // Page 2,000 of the articles (or the last page of a smaller corpus).
    let deep = (count_articles(&db)? / 10).clamp(1, 2000);
    // A category's last page: six categories share the corpus, so none
    // reaches page 2,000 (about 1,650 pages each at 100,000 entries).
    let deep_category = (count_in_category(&db, CATEGORY)? / 10).clamp(1, 2000);
    let article = format!("/articles/{slug}");
    let reference = format!("/articles/{REFERENCE}");

    let binary = env!("CARGO_BIN_EXE_loa");
    // Migrations first, so the timed start is an ordinary restart.
    let migrated = Command::new(binary)
        .arg("migrate")
        .env("LOA_DATABASE", &db)
        .current_dir(run.path())
        .status()?;
    if !migrated.success() {
        bail!("loa migrate failed");
    }
    // The seed content among the generated entries, as `serve` imports it
    // on an empty database, and the reference article's three comments.
    let seed = import_seed(&repo.join("content"), &db, &run.path().join("uploads"))?;
    // A first start does any one-off work (a search index rebuilt after
    // an upgrade); the timed one is an ordinary restart.
    let sqlite = db.to_string_lossy().into_owned();
    drop(Guard(
        start_loa(binary, &repo, run.path(), &sqlite, LOA_CACHED, true)?.0,
    ));
    let (cached, startup) = start_loa(binary, &repo, run.path(), &sqlite, LOA_CACHED, true)?;
    let (uncached, _) = start_loa(binary, &repo, run.path(), &sqlite, LOA_UNCACHED, false)?;
    let cached = Guard(cached);
    let _uncached = Guard(uncached);
    // The same site on PostgreSQL: copied as a department moving up would.
    let mut on_postgres = Vec::new();
    if let Some(url) = &postgres {
        let took = copy_to_postgres(binary, run.path(), &db, url)?;
        println!(
            "loa copy-database: the {entries}-entry site copied to PostgreSQL and its search \
             indexes rebuilt in {:.0} s",
            took.as_secs_f64()
        );
        for (port, cache) in [(PG_CACHED, true), (PG_UNCACHED, false), (PG_SECOND, false)] {
            on_postgres.push(Guard(
                start_loa(binary, &repo, run.path(), url, port, cache)?.0,
            ));
        }
        on_postgres.push(Guard(start_haproxy(run.path())?));
    }

    // The static copies: the articles' bytes exactly as loa sends them.
    // nginx's workers run as another user: let them read the pages.
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(run.path(), std::fs::Permissions::from_mode(0o755))?;
    let site = run.path().join("static");
    std::fs::create_dir_all(site.join("articles"))?;
    let mut sizes = Vec::new();
    for (name, path) in [(&slug, &article), (&REFERENCE.to_owned(), &reference)] {
        let (status, page) = http_get(LOA_CACHED, path)?;
        if status != 200 {
            bail!("{path}: HTTP {status}");
        }
        std::fs::write(site.join("articles").join(name), &page)?;
        sizes.push(page.len());
    }
    let _nginx = Guard(start_nginx(
        run.path(),
        &format!(
            "server {{ listen 127.0.0.1:{STATIC}; root {}; }}\n",
            site.display()
        ),
        STATIC,
    )?);
    let wordpress = if with_wordpress {
        eprintln!("starting WordPress (LOA_LOAD_WORDPRESS=1)");
        Some(wordpress::start(&work, &seed)?)
    } else {
        None
    };

    println!(
        "\nmachine: {} cores, {}; corpus {entries} entries and the seed content; \
         wrk -t2, {seconds} s per run, {rounds} round(s)",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        cpu_model()
    );
    println!(
        "generated article page: {} bytes of HTML; reference article page: {} bytes; \
         loa start to first page: {:.0} ms\n",
        sizes[0],
        sizes[1],
        startup.as_secs_f64() * 1e3
    );

    let target = |key, name: String, port, path: String| Target {
        key,
        name,
        port,
        path,
        conns: &CONNS,
        cookie: true,
    };
    let mut targets: Vec<Target> = vec![
        target(
            "static",
            "article, nginx static file".into(),
            STATIC,
            article.clone(),
        ),
        target(
            "cached",
            "article, loa cached".into(),
            LOA_CACHED,
            article.clone(),
        ),
        target(
            "off",
            "article, loa cache off".into(),
            LOA_UNCACHED,
            article.clone(),
        ),
        target(
            "ref-static",
            "reference, nginx static file".into(),
            STATIC,
            reference.clone(),
        ),
        target(
            "ref-cached",
            "reference, loa cached".into(),
            LOA_CACHED,
            reference.clone(),
        ),
        // A first visit (every crawler and monitor too): no `loa_fid`
        // cookie, so each answer makes one and sets it.
        Target {
            cookie: false,
            ..target(
                "ref-first",
                "reference, loa cached, no cookie".into(),
                LOA_CACHED,
                reference.clone(),
            )
        },
        target(
            "ref-off",
            "reference, loa cache off".into(),
            LOA_UNCACHED,
            reference.clone(),
        ),
    ];
    if let Some(wp) = &wordpress {
        // Beside loa's reference article, so the two alternate. At 16
        // connections only: at 64, most requests would outlast wrk's 2 s
        // timeout at WordPress's speed.
        targets.push(Target {
            key: "wordpress",
            name: "reference, WordPress".into(),
            port: wordpress::PORT,
            path: wp.path.clone(),
            conns: &CONNS[..1],
            cookie: true,
        });
    }
    for (what, path) in [
        ("bulletin", format!("/bulletins/{BULLETIN}")),
        ("leaflet", format!("/leaflets/{LEAFLET}")),
        ("documents", "/documents".to_owned()),
        // The JSON API: a list page and the reference article whole.
        ("api entries", "/api/v1/entries".to_owned()),
        ("api entry", format!("/api/v1/entries/{REFERENCE}")),
    ] {
        targets.push(target(
            "",
            format!("{what}, loa cached"),
            LOA_CACHED,
            path.clone(),
        ));
        targets.push(target(
            "",
            format!("{what}, loa cache off"),
            LOA_UNCACHED,
            path,
        ));
    }
    targets.extend([
        target("", "home, loa cached".into(), LOA_CACHED, "/".into()),
        target("", "home, loa cache off".into(), LOA_UNCACHED, "/".into()),
        target(
            "",
            "category p1, cache off".into(),
            LOA_UNCACHED,
            format!("/categories/{CATEGORY}"),
        ),
        target(
            "",
            format!("category p{deep_category}, cache off"),
            LOA_UNCACHED,
            format!("/categories/{CATEGORY}?page={deep_category}"),
        ),
        target(
            "",
            "articles p1, cache off".into(),
            LOA_UNCACHED,
            "/articles".into(),
        ),
        target(
            "",
            format!("articles p{deep}, cache off"),
            LOA_UNCACHED,
            format!("/articles?page={deep}"),
        ),
        target(
            "",
            "search, cache off".into(),
            LOA_UNCACHED,
            // A phrase, as readers type them ("một cửa liên thông").
            "/search?q=%22m%E1%BB%99t+c%E1%BB%ADa+li%C3%AAn+th%C3%B4ng%22".into(),
        ),
        // Two common words, without accents, as most readers type them:
        // they match two thirds and a third of the corpus.
        target(
            "",
            "search cai cach, cache off".into(),
            LOA_UNCACHED,
            "/search?q=cai+cach".into(),
        ),
        target(
            "",
            "search thu tuc, cache off".into(),
            LOA_UNCACHED,
            "/search?q=thu+tuc".into(),
        ),
        // A document number, as staff and journalists look them up.
        target(
            "",
            "search 171/KH-SVHTT, cache off".into(),
            LOA_UNCACHED,
            "/search?q=171%2FKH-SVHTT".into(),
        ),
        // Common words within one kind.
        target(
            "",
            "search cai cach leaflets, off".into(),
            LOA_UNCACHED,
            "/search?q=cai+cach&kind=leaflet".into(),
        ),
    ]);
    if postgres.is_some() {
        targets = with_postgres_twins(targets, &reference);
    }
    let targets: Vec<Target> = targets
        .into_iter()
        .enumerate()
        .filter(|(i, t)| *i == 0 || t.name.contains(&only))
        .map(|(_, t)| t)
        .collect();
    for t in &targets {
        let (status, _) = http_get(t.port, &t.path)?;
        if status != 200 {
            bail!("{} on {}: HTTP {status}", t.path, t.port);
        }
    }
    // results[target][conns] = runs
    let mut results = vec![vec![Vec::<Run>::new(); CONNS.len()]; targets.len()];
    for round in 0..rounds {
        for (ci, c) in CONNS.iter().enumerate() {
            for (ti, t) in targets.iter().enumerate() {
                if !t.conns.contains(c) || !levels.contains(c) {
                    continue;
                }
                eprint!(
                    "\rround {}/{rounds}: {} at {c} connections{:20}",
                    round + 1,
                    t.name,
                    ""
                );
                wait_quiet();
                results[ti][ci].push(wrk(t.port, &t.path, *c, seconds, t.cookie, None)?);
            }
        }
    }
    eprintln!("\r{:80}", "");

    println!(
        "{:<30} {:>5} {:>10} {:>9} {:>9} {:>9}",
        "target", "conns", "req/s", "p50 ms", "p99 ms", "vs nginx"
    );
    for (ti, t) in targets.iter().enumerate() {
        for (ci, c) in CONNS.iter().enumerate() {
            let Some(m) = Run::median(&results[ti][ci]) else {
                continue;
            };
            let base = Run::median(&results[0][ci]).unwrap_or_default();
            println!(
                "{:<30} {c:>5} {:>10.0} {:>9.2} {:>9.2} {:>8.2}x",
                t.name,
                m.rps,
                m.p50 * 1e3,
                m.p99 * 1e3,
                m.rps / base.rps
            );
        }
    }
    let median = |key: &str, ci: usize| {
        targets
            .iter()
            .position(|t| t.key == key)
            .and_then(|ti| Run::median(&results[ti][ci]))
    };
    if postgres.is_some() {
        compare_databases(&targets, &results);
    }
    for (ci, c) in CONNS.iter().enumerate() {
        if let (Some(base), Some(hit), Some(miss)) = (
            median("static", ci),
            median("cached", ci),
            median("off", ci),
        ) {
            println!(
                "\n{c} connections: cached article {:.2}x nginx's req/s, p99 {:.2}x nginx's; \
                 cache off {:.0} req/s",
                hit.rps / base.rps,
                hit.p99 / base.p99,
                miss.rps,
            );
        }
        if let (Some(base), Some(hit), Some(miss)) = (
            median("ref-static", ci),
            median("ref-cached", ci),
            median("ref-off", ci),
        ) {
            let anchor = match median("wordpress", ci) {
                Some(wp) => format!(
                    " = {:.0}x WordPress's {:.1} req/s in this run",
                    miss.rps / wp.rps,
                    wp.rps
                ),
                None if wordpress.is_none() => {
                    " (LOA_LOAD_WORDPRESS=1: the ratio to WordPress)".into()
                }
                None => String::new(),
            };
            println!(
                "{c} connections: cached reference article {:.2}x nginx's req/s, p99 {:.2}x nginx's; \
                 cache off {:.0} req/s{anchor}",
                hit.rps / base.rps,
                hit.p99 / base.p99,
                miss.rps,
            );
            if let Some(first) = median("ref-first", ci) {
                println!(
                    "{c} connections: cached reference article without the cookie (a first visit) \
                     {:.2}x with it, {:.2}x nginx's req/s",
                    first.rps / hit.rps,
                    first.rps / base.rps,
                );
            }
        }
    }
    let (busy, timed) = (
        BUSY_STARTS.load(Ordering::Relaxed),
        TIMED_RUNS.load(Ordering::Relaxed),
    );
    if busy > 0 {
        println!(
            "\n{busy} of {timed} timed runs started while other work kept the machine busy \
             (waited up to {} s each): their figures are lower than a quiet machine's",
            MACHINE_QUIET_WAIT.as_secs()
        );
    }
    drop(wordpress);

    if only.is_empty() || only == "comments" {
        post_comments(&run, &sqlite, LOA_CACHED, &article, seconds, "SQLite")?;
        if let Some(url) = &postgres {
            post_comments(&run, url, PG_CACHED, &article, seconds, "PostgreSQL")?;
        }
    }
    drop(on_postgres);
    if soak > 0 {
        soak_memory(cached.0.id(), &article, soak)?;
    }
    println!(
        "\nloa (cached) peak memory: {:.1} MiB RSS",
        peak_rss_kib(cached.0.id())? as f64 / 1024.0
    );
    Ok(())
}

/// Connection counts every target is driven at (WordPress: the first).
const CONNS: [u32; 2] = [16, 64];

struct Target {
    /// For the summary lines (`""`: none).
    key: &'static str,
    name: String,
    port: u16,
    path: String,
    conns: &'static [u32],
    /// Sends the `loa_fid` cookie of a returning reader.
    cookie: bool,
}

/// The seed content (`content/`): the reference article (image, tags,
/// document links, related entries), a bulletin, a leaflet, the document
/// registry.
const REFERENCE: &str = "so-vhtt-ha-noi-tang-cuong-thong-tin-tuyen-truyen-ve-cai-cach-hanh-chinh";
const BULLETIN: &str = "ban-tin-cai-cach-hanh-chinh-so-1-2022";
const LEAFLET: &str = "chi-tieu-cai-cach-hanh-chinh-2022-to-gap";

/// The reference article's three approved comments (loa's and WordPress's).
const SEED_COMMENTS: [(&str, &str, &str); 3] = [
    (
        "Nguyễn Văn An",
        "an.nguyen@example.vn",
        "Kế hoạch rất thiết thực. Mong Sở sớm công bố kết quả thực hiện các chỉ tiêu trên Cổng thông tin điện tử.",
    ),
    (
        "Trần Thị Bình",
        "binh.tran@example.vn",
        "Tôi đã nộp hồ sơ trực tuyến trên Cổng dịch vụ công và nhận kết quả trước hạn. Cảm ơn bộ phận một cửa của Sở.",
    ),
    (
        "Lê Minh",
        "le.minh@example.vn",
        "Đề nghị Sở hướng dẫn thêm cách thanh toán trực tuyến lệ phí trên Cổng DVCQG cho người cao tuổi.",
    ),
];

/// Imports `content` into `db` (media into `uploads`) with
/// `loa::content::import::import_dir`, as `serve` does on an empty
/// database, and gives the reference article three approved comments.
/// Returns the article as WordPress publishes it.
fn import_seed(content: &Path, db: &Path, uploads: &Path) -> anyhow::Result<wordpress::Article> {
    use loa::content::import;
    use loa::storage::comments::{self, NewComment};
    let pool = storage::open_pool(&db.to_string_lossy(), 1)?;
    let mut conn = pool.get()?;
    let conn = &mut *conn;
    let report = import::import_dir(
        conn,
        content,
        &import::Target {
            uploads: &loa::media::uploads::Uploads::Folder(uploads.to_owned()),
            tz: loa::config::Config::default().tz(),
            now: storage::utc_now(),
            progress: false,
        },
    )?;
    if let Some((path, why)) = report.failed.first() {
        bail!("importing {}: {}: {why}", content.display(), path.display());
    }
    let entry = storage::entries::find_by_slug(conn, REFERENCE)?
        .with_context(|| format!("{} has no entry {REFERENCE}", content.display()))?;
    let published = entry.publish_at.unwrap_or(entry.created_at);
    let mut seeded = Vec::new();
    for (k, (name, email, text)) in SEED_COMMENTS.into_iter().enumerate() {
        let at = published + chrono::Duration::hours(k as i64 + 2);
        comments::insert(
            conn,
            &NewComment {
                entry_id: entry.id,
                parent_id: None,
                author_name: name.into(),
                author_email: email.into(),
                author_url: None,
                content: text.into(),
                content_html: loa::render::comment_text::to_html(text).into_string(),
                status: loa::domain::comment::CommentStatus::Approved,
                held_by: String::new(),
                ip: None,
                user_agent: String::new(),
                created_at: at,
                official: false,
                handled_at: Some(at),
                handled_by: "bench".into(),
            },
        )?;
        seeded.push(wordpress::Comment {
            author: name.into(),
            email: email.into(),
            content: text.into(),
            date: at.format("%Y-%m-%d %H:%M:%S").to_string(),
        });
    }
    let category = match entry.category_id {
        Some(id) => loa::storage::categories::find(conn, id)?.name,
        None => "Tin ngành".into(),
    };
    Ok(wordpress::Article {
        site: loa::storage::settings::get(conn, "site.name")?.unwrap_or_default(),
        title: entry.title,
        summary: entry.summary,
        body_html: entry.body_html,
        date: published.format("%Y-%m-%d %H:%M:%S").to_string(),
        category,
        tags: loa::storage::tags::names_for_entry(conn, entry.id)?,
        comments: seeded,
    })
}

/// Timed runs started, and those that started on a busy machine.
static TIMED_RUNS: AtomicUsize = AtomicUsize::new(0);
static BUSY_STARTS: AtomicUsize = AtomicUsize::new(0);
/// How long to wait for the servers this run started to go idle (php-fpm
/// works through WordPress's queued requests after wrk stops), and then
/// for the rest of the machine.
const SERVERS_QUIET_WAIT: Duration = Duration::from_secs(60);
const MACHINE_QUIET_WAIT: Duration = Duration::from_secs(10);

/// Before a timed run: waits until the servers this process started use
/// under 5 % of a core, and the whole machine under 10 % of its cores,
/// each over 250 ms (bounded: other agents' work may never stop).
fn wait_quiet() {
    TIMED_RUNS.fetch_add(1, Ordering::Relaxed);
    let started = Instant::now();
    let mut before = cpu_ticks();
    loop {
        std::thread::sleep(Duration::from_millis(250));
        let after = cpu_ticks();
        // Clock ticks are 1/100 s on Linux: 250 ms is 25 ticks of a core.
        let ours = after.0.saturating_sub(before.0) as f64 / 25.0;
        let busy = after.1.saturating_sub(before.1) as f64
            / (after.2.saturating_sub(before.2)).max(1) as f64;
        before = after;
        let waited = started.elapsed();
        if ours < 0.05 && busy < 0.10 {
            return;
        }
        if (ours < 0.05 && waited > MACHINE_QUIET_WAIT) || waited > SERVERS_QUIET_WAIT {
            BUSY_STARTS.fetch_add(1, Ordering::Relaxed);
            return;
        }
    }
}

/// CPU clock ticks: of this process's descendants (the servers it
/// started, and their workers), and of the machine (busy, total).
fn cpu_ticks() -> (u64, u64, u64) {
    let me = std::process::id();
    let mut procs: Vec<(u32, u32, u64)> = Vec::new();
    if let Ok(dir) = std::fs::read_dir("/proc") {
        for e in dir.filter_map(Result::ok) {
            let Some(pid) = e.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else {
                continue;
            };
            let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
                continue;
            };
            // After the command's `)`: state, ppid, … utime (14th), stime.
            let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r) else {
                continue;
            };
            let f: Vec<&str> = rest.split_whitespace().collect();
            let num = |i: usize| f.get(i).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
            procs.push((pid, num(1) as u32, num(11) + num(12)));
        }
    }
    let mut tree = vec![me];
    let mut grew = true;
    while grew {
        grew = false;
        for (pid, ppid, _) in &procs {
            if tree.contains(ppid) && !tree.contains(pid) {
                tree.push(*pid);
                grew = true;
            }
        }
    }
    let ours = procs
        .iter()
        .filter(|(pid, _, _)| *pid != me && tree.contains(pid))
        .map(|(_, _, t)| t)
        .sum();
    let (busy, total) = std::fs::read_to_string("/proc/stat")
        .ok()
        .and_then(|s| {
            let line = s.lines().next()?.to_owned();
            let v: Vec<u64> = line
                .split_whitespace()
                .skip(1)
                .filter_map(|x| x.parse().ok())
                .collect();
            let total: u64 = v.iter().take(8).sum();
            // idle and iowait
            let idle = v.get(3).copied().unwrap_or(0) + v.get(4).copied().unwrap_or(0);
            Some((total - idle, total))
        })
        .unwrap_or((0, 0));
    (ours, busy, total)
}

/// Comments: as many as wrk can send, each from its own address.
fn post_comments(
    run: &tempfile::TempDir,
    database: &str,
    port: u16,
    article: &str,
    seconds: u64,
    label: &str,
) -> anyhow::Result<()> {
    let (status, form) = http_get(port, article)?;
    if status != 200 {
        bail!("article: HTTP {status}");
    }
    let token = String::from_utf8_lossy(&form)
        .split("name=\"csrf_token\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .context("no comment token on the article page")?
        .to_owned();
    let script = run.path().join("post.lua");
    std::fs::write(&script, POST_LUA)?;
    let before = count_bench_comments(database)?;
    let posted = wrk(
        port,
        &format!("{article}/comments"),
        16,
        seconds,
        true,
        Some((&script, &token)),
    )?;
    std::thread::sleep(Duration::from_millis(500));
    let stored = count_bench_comments(database)? - before;
    let answered = posted.requests - posted.errors;
    println!(
        "\ncomments on {label}: {} POSTs answered with a redirect in {seconds} s ({:.0}/s), {} stored, {} refused, {} lost",
        answered,
        answered as f64 / seconds as f64,
        stored,
        posted.errors,
        answered.saturating_sub(stored)
    );
    Ok(())
}

#[derive(Clone, Default)]
struct Run {
    rps: f64,
    p50: f64,
    p99: f64,
    requests: u64,
    errors: u64,
}

impl Run {
    fn median(runs: &[Run]) -> Option<Run> {
        if runs.is_empty() {
            return None;
        }
        let pick = |f: fn(&Run) -> f64| {
            let mut v: Vec<f64> = runs.iter().map(f).collect();
            v.sort_by(|a, b| a.total_cmp(b));
            v[v.len() / 2]
        };
        Some(Run {
            rps: pick(|r| r.rps),
            p50: pick(|r| r.p50),
            p99: pick(|r| r.p99),
            ..Run::default()
        })
    }
}

const POST_LUA: &str = r#"
local threads = 0
function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end
function init(args)
  token = args[1]
  fid = args[2]
  n = 0
end
function request()
  n = n + 1
  local ip = string.format("10.%d.%d.%d", tid + 1, math.floor(n / 250) % 250, n % 250 + 1)
  local body = "content=Y+kien+thu+tai+" .. tid .. "-" .. n ..
    "&author_name=Ban+doc&author_email=bandoc" .. tid .. "-" .. n .. "%40example.vn" ..
    "&author_url=&parent_id=&loa_website=&consent=1&csrf_token=" .. token
  return wrk.format("POST", nil, {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = "loa_fid=" .. fid,
    ["X-Forwarded-For"] = ip,
  }, body)
end
"#;

fn ensure_tools(haproxy: bool) -> anyhow::Result<()> {
    let mut tools = vec![("wrk", "wrk"), ("nginx", "nginx")];
    if haproxy {
        tools.push(("haproxy", "haproxy"));
    }
    let missing: Vec<&str> = tools
        .into_iter()
        .filter(|(bin, _)| {
            !Path::new("/usr/bin").join(bin).exists() && !Path::new("/usr/sbin").join(bin).exists()
        })
        .map(|(_, pkg)| pkg)
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    apt_install(&missing)?;
    // Debian starts the packaged nginx on port 80; this run needs only its
    // own.
    let _ = Command::new("nginx").args(["-s", "stop"]).status();
    Ok(())
}

/// `apt-get install` (a name ending in `-`: keep that package out), with
/// `apt-get update` and a second try when the first fails.
fn apt_install(packages: &[&str]) -> anyhow::Result<()> {
    eprintln!("installing {}", packages.join(" "));
    let ok = Command::new("apt-get")
        .args(["install", "-y", "-q", "-o", "DPkg::Lock::Timeout=600"])
        .args(packages)
        .env("DEBIAN_FRONTEND", "noninteractive")
        .status()?
        .success()
        || (Command::new("apt-get")
            .args(["update", "-q"])
            .status()?
            .success()
            && Command::new("apt-get")
                .args(["install", "-y", "-q"])
                .args(packages)
                .env("DEBIAN_FRONTEND", "noninteractive")
                .status()?
                .success());
    if !ok {
        bail!("could not install {}", packages.join(" "));
    }
    Ok(())
}

fn generate(path: &Path, n: usize) -> anyhow::Result<()> {
    let partial = path.with_extension("partial");
    let _ = std::fs::remove_file(&partial);
    let pool = storage::open_pool(&partial.to_string_lossy(), 1)?;
    let mut conn = pool.get()?;
    let conn = &mut *conn;
    let bar = ProgressBar::new(n as u64);
    bar.set_style(ProgressStyle::with_template(
        "generating {bar:40} {pos}/{len} entries ({eta})",
    )?);
    corpus::generate(conn, n, 42, |done| bar.set_position(done as u64))?;
    bar.finish_and_clear();
    diesel::sql_query("PRAGMA wal_checkpoint(TRUNCATE)").execute(conn)?;
    drop(pool);
    for ext in ["partial-wal", "partial-shm"] {
        let _ = std::fs::remove_file(path.with_extension(ext));
    }
    std::fs::rename(&partial, path)?;
    Ok(())
}

/// An article with exactly three approved comments (the reference page's
/// shape).
fn article_with_comments(db: &Path) -> anyhow::Result<String> {
    #[derive(QueryableByName)]
    struct Slug {
        #[diesel(sql_type = diesel::sql_types::Text)]
        slug: String,
    }
    let mut conn = Db::establish(&db.to_string_lossy())?;
    let found: Slug = diesel::sql_query(
        "SELECT e.slug FROM entries e JOIN comments c ON c.entry_id = e.id \
         WHERE e.kind = 'article' GROUP BY e.id HAVING count(*) = 3 ORDER BY e.id LIMIT 1",
    )
    .get_result(&mut conn)?;
    Ok(found.slug)
}

/// The category whose pages are measured.
const CATEGORY: &str = "tin-nganh";

fn count_in_category(db: &Path, slug: &str) -> anyhow::Result<u64> {
    let mut conn = Db::establish(&db.to_string_lossy())?;
    use loa::storage::schema::{categories, entries};
    let n: i64 = entries::table
        .inner_join(categories::table)
        .filter(categories::slug.eq(slug))
        .filter(entries::public_at.is_not_null())
        .count()
        .get_result(&mut conn)?;
    Ok(n as u64)
}

fn count_articles(db: &Path) -> anyhow::Result<u64> {
    let mut conn = Db::establish(&db.to_string_lossy())?;
    use loa::storage::schema::entries::dsl::*;
    let n: i64 = entries
        .filter(kind.eq("article"))
        .count()
        .get_result(&mut conn)?;
    Ok(n as u64)
}

fn count_bench_comments(database: &str) -> anyhow::Result<u64> {
    let pool = storage::open_pool(database, 1)?;
    let mut conn = pool.get()?;
    use loa::storage::schema::comments::dsl::*;
    let n: i64 = comments
        .filter(content.like("Y kien thu tai %"))
        .count()
        .get_result(&mut *conn)?;
    Ok(n as u64)
}

/// Drops and creates the database `url` names, and copies the SQLite
/// site `db` into it with `loa copy-database`; how long the copy took.
fn copy_to_postgres(binary: &str, dir: &Path, db: &Path, url: &str) -> anyhow::Result<Duration> {
    let (server, name) = url
        .rsplit_once('/')
        .filter(|(_, name)| !name.is_empty() && !name.contains(['?', '"']))
        .context("LOA_LOAD_POSTGRES: expected postgres://…/<database>")?;
    let mut admin = diesel::PgConnection::establish(&format!("{server}/postgres"))?;
    // One statement each: together they would be one transaction, which
    // DROP DATABASE refuses.
    admin.batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))?;
    admin.batch_execute(&format!("CREATE DATABASE \"{name}\""))?;
    let started = Instant::now();
    let status = Command::new(binary)
        .arg("--database")
        .arg(db)
        .args(["copy-database", "--to", url])
        .current_dir(dir)
        .env("RUST_LOG", "warn")
        .status()?;
    if !status.success() {
        bail!("loa copy-database failed");
    }
    Ok(started.elapsed())
}

/// Debian's haproxy: `BALANCED_ONE` before the first PostgreSQL server
/// (cache off), `BALANCED_TWO` before it and the second.
fn start_haproxy(dir: &Path) -> anyhow::Result<Child> {
    let conf = dir.join("haproxy.cfg");
    std::fs::write(
        &conf,
        format!(
            "global\n  maxconn 4096\n\
             defaults\n  mode http\n  timeout connect 1s\n  timeout client 30s\n  timeout server 30s\n  \
             option http-keep-alive\n\
             frontend one\n  bind 127.0.0.1:{BALANCED_ONE}\n  default_backend one\n\
             frontend two\n  bind 127.0.0.1:{BALANCED_TWO}\n  default_backend two\n\
             backend one\n  server a 127.0.0.1:{PG_UNCACHED}\n\
             backend two\n  balance roundrobin\n  server a 127.0.0.1:{PG_UNCACHED}\n  \
             server b 127.0.0.1:{PG_SECOND}\n"
        ),
    )?;
    let haproxy = ["/usr/sbin/haproxy", "/usr/bin/haproxy"]
        .into_iter()
        .find(|p| Path::new(p).exists())
        .context("haproxy not found")?;
    let child = Command::new(haproxy)
        .args(["-db", "-f"])
        .arg(&conf)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    let started = Instant::now();
    while http_get(BALANCED_TWO, "/healthz").map(|r| r.0).unwrap_or(0) != 200 {
        if started.elapsed() > Duration::from_secs(10) {
            bail!("haproxy did not start on port {BALANCED_TWO}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Ok(child)
}

/// Each loa target followed by its twin on PostgreSQL (same page, same
/// cache setting), and the uncached reference article through haproxy
/// before one server and before two.
fn with_postgres_twins(targets: Vec<Target>, reference: &str) -> Vec<Target> {
    let mut out = Vec::with_capacity(targets.len() * 2 + 2);
    for t in targets {
        let twin = match t.port {
            LOA_CACHED => Some(PG_CACHED),
            LOA_UNCACHED => Some(PG_UNCACHED),
            _ => None,
        };
        let twin = twin.map(|port| Target {
            key: "",
            name: format!("{} [pg]", t.name),
            port,
            path: t.path.clone(),
            conns: t.conns,
            cookie: t.cookie,
        });
        out.push(t);
        out.extend(twin);
    }
    for (port, name) in [
        (BALANCED_ONE, "reference off [pg], haproxy+1"),
        (BALANCED_TWO, "reference off [pg], haproxy+2"),
    ] {
        out.push(Target {
            key: "",
            name: name.into(),
            port,
            path: reference.to_owned(),
            conns: &CONNS,
            cookie: true,
        });
    }
    out
}

/// PostgreSQL against SQLite for every twin, and two servers against
/// one, from the medians of this run.
fn compare_databases(targets: &[Target], results: &[Vec<Vec<Run>>]) {
    let find = |name: &str| targets.iter().position(|t| t.name == name);
    println!("\nPostgreSQL against SQLite (req/s ratio; p99 ms SQLite / PostgreSQL):");
    for (ci, c) in CONNS.iter().enumerate() {
        for (ti, t) in targets.iter().enumerate() {
            let Some(pg) = find(&format!("{} [pg]", t.name)) else {
                continue;
            };
            let (Some(a), Some(b)) = (Run::median(&results[ti][ci]), Run::median(&results[pg][ci]))
            else {
                continue;
            };
            println!(
                "  {:<34} {c:>3} conns: {:>5.2}x   p99 {:>7.2} / {:>7.2}",
                t.name,
                b.rps / a.rps,
                a.p99 * 1e3,
                b.p99 * 1e3
            );
        }
    }
    for (ci, c) in CONNS.iter().enumerate() {
        let one = find("reference off [pg], haproxy+1").and_then(|i| Run::median(&results[i][ci]));
        let two = find("reference off [pg], haproxy+2").and_then(|i| Run::median(&results[i][ci]));
        if let (Some(one), Some(two)) = (one, two) {
            println!(
                "two servers behind haproxy against one, uncached reference article, {c} conns: \
                 {:.2}x ({:.0} against {:.0} req/s; both servers and wrk share this machine's cores)",
                two.rps / one.rps,
                two.rps,
                one.rps
            );
        }
    }
}

struct Guard(Child);

impl Drop for Guard {
    /// SIGTERM, so nginx's master stops its workers too.
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.0.id().to_string()])
            .status();
        let _ = self.0.wait();
    }
}

fn start_loa(
    binary: &str,
    repo: &Path,
    dir: &Path,
    database: &str,
    port: u16,
    cache: bool,
) -> anyhow::Result<(Child, Duration)> {
    let started = Instant::now();
    let child = Command::new(binary)
        .arg("serve")
        .current_dir(dir)
        .env("LOA_BIND", format!("127.0.0.1:{port}"))
        .env("LOA_DATABASE", database)
        .env("LOA_UPLOADS", dir.join("uploads"))
        .env("LOA_CONTENT", dir.join("no-content"))
        .env("LOA_THEMES", repo.join("themes"))
        .env("LOA_TRUSTED_PROXIES", "127.0.0.1")
        // As deployed: with base_url set, the address is not read from
        // each request's Host header (README, "Configuration").
        .env("LOA_BASE_URL", format!("http://127.0.0.1:{LOA_CACHED}"))
        .env("LOA_PAGE_CACHE_MIB", if cache { "16" } else { "0" })
        // wrk is one address: the API's per-address limit would refuse it.
        .env("LOA_API_PER_MINUTE", "0")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .context("starting loa")?;
    loop {
        if let Ok((200, _)) = http_get(port, "/") {
            return Ok((child, started.elapsed()));
        }
        if started.elapsed() > Duration::from_secs(120) {
            bail!("loa did not start on port {port}");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// nginx with `servers` (server blocks), its configuration, pid file and
/// temporary files in `dir`; answers on `port` when this returns.
fn start_nginx(dir: &Path, servers: &str, port: u16) -> anyhow::Result<Child> {
    let conf = dir.join("nginx.conf");
    std::fs::write(
        &conf,
        format!(
            "worker_processes auto;\npid {dir}/nginx.pid;\nerror_log {dir}/nginx-error.log;\n\
             events {{ worker_connections 1024; }}\n\
             http {{\n  access_log off;\n  sendfile on;\n  tcp_nopush on;\n  keepalive_requests 100000;\n\
             default_type text/html;\n  client_body_temp_path {dir}/tmp;\n  proxy_temp_path {dir}/tmp;\n\
             fastcgi_temp_path {dir}/tmp;\n  uwsgi_temp_path {dir}/tmp;\n  scgi_temp_path {dir}/tmp;\n\
             {servers}}}\n",
            dir = dir.display(),
        ),
    )?;
    std::fs::create_dir_all(dir.join("tmp"))?;
    let nginx = ["/usr/sbin/nginx", "/usr/bin/nginx"]
        .into_iter()
        .find(|p| Path::new(p).exists())
        .context("nginx not found")?;
    let child = Command::new(nginx)
        .args(["-c", &conf.to_string_lossy(), "-g", "daemon off;"])
        .stderr(Stdio::null())
        .spawn()?;
    let started = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if started.elapsed() > Duration::from_secs(10) {
            bail!("nginx did not start on port {port}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Ok(child)
}

/// A plain HTTP/1.0 GET as a returning reader (no compression asked).
fn http_get(port: u16, path: &str) -> anyhow::Result<(u16, Vec<u8>)> {
    let mut s = TcpStream::connect(("127.0.0.1", port))?;
    s.set_read_timeout(Some(Duration::from_secs(30)))?;
    write!(
        s,
        "GET {path} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\nCookie: loa_fid={BROWSER}\r\n\r\n"
    )?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw)?;
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .context("no header end")?;
    let head = String::from_utf8_lossy(&raw[..split]);
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .context("no status")?;
    Ok((status, raw[split + 4..].to_vec()))
}

fn wrk(
    port: u16,
    path: &str,
    conns: u32,
    seconds: u64,
    cookie: bool,
    post: Option<(&Path, &str)>,
) -> anyhow::Result<Run> {
    let mut cmd = Command::new("wrk");
    cmd.args([
        "-t2",
        &format!("-c{conns}"),
        &format!("-d{seconds}s"),
        "--latency",
    ]);
    if cookie {
        cmd.args(["-H", &format!("Cookie: loa_fid={BROWSER}")]);
    }
    if let Some((script, _)) = post {
        cmd.arg("-s").arg(script);
    }
    cmd.arg(format!("http://127.0.0.1:{port}{path}"));
    if let Some((_, token)) = post {
        cmd.args(["--", token, BROWSER]);
    }
    let out = cmd.output().context("running wrk")?;
    let text = String::from_utf8_lossy(&out.stdout);
    parse_wrk(&text).with_context(|| format!("wrk output: {text}"))
}

fn parse_wrk(text: &str) -> Option<Run> {
    let seconds = |v: &str| -> Option<f64> {
        let (num, unit) = v.split_at(v.find(|c: char| c.is_ascii_alphabetic())?);
        let n: f64 = num.parse().ok()?;
        Some(match unit {
            "us" => n / 1e6,
            "ms" => n / 1e3,
            "s" => n,
            "m" => n * 60.0,
            _ => return None,
        })
    };
    let mut run = Run::default();
    for line in text.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["Requests/sec:", v] => run.rps = v.parse().ok()?,
            ["50%", v] => run.p50 = seconds(v)?,
            ["99%", v] => run.p99 = seconds(v)?,
            [n, "requests", "in", ..] => run.requests = n.parse().ok()?,
            ["Non-2xx", "or", "3xx", "responses:", n] => run.errors = n.parse().ok()?,
            _ => {}
        }
    }
    if run.requests == 0 && text.contains(" requests in ") {
        // Every request outlasted wrk's 2 s timeout: a result, not a
        // broken run (the report goes on; the page shows 0 req/s).
        run.p50 = 2.0;
        run.p99 = 2.0;
        return Some(run);
    }
    (run.rps > 0.0).then_some(run)
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into())
}

fn status_kib(pid: u32, field: &str) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    status
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .with_context(|| format!("no {field} for {pid}"))
}

fn peak_rss_kib(pid: u32) -> anyhow::Result<u64> {
    status_kib(pid, "VmHWM:")
}

/// Mixed reading for `seconds`, sampling loa's memory every 30 s.
fn soak_memory(pid: u32, article: &str, seconds: u64) -> anyhow::Result<()> {
    println!("\nmemory over {seconds} s of reading (article, home, listings, deep pages):");
    let started = Instant::now();
    let mut page = 1;
    while started.elapsed().as_secs() < seconds {
        for path in [
            article.to_owned(),
            "/".into(),
            format!("/articles?page={page}"),
        ] {
            wrk(LOA_CACHED, &path, 64, 10, true, None)?;
        }
        page += 97;
        println!(
            "  {:>4} s: {:.1} MiB RSS",
            started.elapsed().as_secs(),
            status_kib(pid, "VmRSS:")? as f64 / 1024.0
        );
    }
    Ok(())
}

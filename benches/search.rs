//! Search latency on a generated corpus (default 100,000 entries).
//!
//!     cargo bench --bench search                 # 100,000 entries
//!     LOA_BENCH_ENTRIES=20000 cargo bench --bench search
//!     LOA_BENCH_BEFORE=0 cargo bench --bench search  # without the `(all)` lines
//!     LOA_BENCH_DATABASE=postgres://postgres@127.0.0.1:5432/bench cargo bench --bench search
//!
//! Builds the corpus in a temporary SQLite file, or in the empty database
//! `LOA_BENCH_DATABASE` names (PostgreSQL; reproducible: fixed seed),
//! then runs each query many times through the same code `/search` uses
//! (the newest `RANKED` matches ranked, one page of 10, snippets) and prints
//! p50, p95 and the slowest run. Beside it, on the same database in the
//! same run, the way search worked before (an exact count, then every
//! match ranked), as `(all)`. Also times a category listing at page 1 and
//! deep.

use loa::storage::Db;
use std::time::{Duration, Instant};

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Text, Timestamp};
use indicatif::{ProgressBar, ProgressStyle};
use loa::content::corpus;
use loa::domain::search::{Query, snippet};
use loa::storage::entries::{self, Filter};
use loa::storage::{self, search};

/// Runs per query: up to 50, fewer when a query is slow (3 s budget).
const RUNS: usize = 50;
const BUDGET: Duration = Duration::from_secs(3);

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn time(name: &str, mut f: impl FnMut() -> usize) {
    let mut runs: Vec<Duration> = Vec::with_capacity(RUNS);
    let mut found = 0;
    let started = Instant::now();
    while runs.len() < RUNS && (runs.len() < 5 || started.elapsed() < BUDGET) {
        let t = Instant::now();
        found = f();
        runs.push(t.elapsed());
    }
    runs.sort();
    println!(
        "{name:<34} {found:>7} {:>9.2} {:>9.2} {:>9.2}",
        percentile(&runs, 0.5).as_secs_f64() * 1e3,
        percentile(&runs, 0.95).as_secs_f64() * 1e3,
        runs[runs.len() - 1].as_secs_f64() * 1e3,
    );
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct Body {
    #[diesel(sql_type = Integer)]
    #[allow(dead_code)]
    id: i32,
    #[diesel(sql_type = Text)]
    body_md: String,
}

/// Search as it was before candidates (up to commit 00ad4fe): an exact
/// count, then every match ranked, title matches first.
fn rank_everything(conn: &mut Db, fts: &str, now: chrono::NaiveDateTime) -> (Vec<Body>, i64) {
    let total = diesel::sql_query(
        "SELECT count(*) AS n FROM search_index s CROSS JOIN entries e ON e.id = s.rowid \
         WHERE search_index MATCH ? AND e.public_at <= ?",
    )
    .bind::<Text, _>(fts)
    .bind::<Timestamp, _>(now)
    .get_result::<Count>(conn)
    .expect("count")
    .n;
    if total == 0 {
        return (Vec::new(), 0);
    }
    let hits = diesel::sql_query(
        "SELECT e.id, e.body_md FROM search_index s CROSS JOIN entries e ON e.id = s.rowid \
         LEFT JOIN categories c ON c.id = e.category_id \
         WHERE search_index MATCH ? AND e.public_at <= ? \
         ORDER BY (s.rowid IN (SELECT rowid FROM search_index WHERE search_index MATCH ?)) DESC, \
                  bm25(search_index, 10.0, 4.0, 1.0, 2.0, 3.0, 2.0), e.public_at DESC, e.id DESC \
         LIMIT 10",
    )
    .bind::<Text, _>(fts)
    .bind::<Timestamp, _>(now)
    .bind::<Text, _>(format!("{{title}} : ({fts})"))
    .load::<Body>(conn)
    .expect("search");
    (hits, total)
}

fn main() -> anyhow::Result<()> {
    let n: usize = std::env::var("LOA_BENCH_ENTRIES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::tempdir()?;
    let database = std::env::var("LOA_BENCH_DATABASE")
        .unwrap_or_else(|_| dir.path().join("bench.db").to_string_lossy().into_owned());
    let pool = storage::open_pool(&database, 2)?;
    let conn = &mut pool.get()?;

    let bar = ProgressBar::new(n as u64);
    bar.set_style(ProgressStyle::with_template(
        "generating {bar:40} {pos}/{len} entries ({eta})",
    )?);
    let t = Instant::now();
    corpus::generate(conn, n, 42, |done| bar.set_position(done as u64))?;
    bar.finish_and_clear();
    let size = if conn.is_postgres() {
        diesel::sql_query("SELECT pg_database_size(current_database()) AS n")
            .get_result::<Count>(conn)?
            .n as u64
    } else {
        std::fs::metadata(&database)?.len()
    };
    println!(
        "corpus: {n} entries generated and indexed in {:.1} s, database {:.0} MiB\n",
        t.elapsed().as_secs_f64(),
        size as f64 / 1048576.0
    );

    let now = storage::utc_now();
    println!(
        "{:<34} {:>7} {:>9} {:>9} {:>9}",
        "query", "matches", "p50 ms", "p95 ms", "max ms"
    );
    // The old way is FTS5 SQL: SQLite only.
    let all = !conn.is_postgres() && std::env::var("LOA_BENCH_BEFORE").map_or(true, |v| v != "0");
    for q in [
        "cai cach",
        "thu tuc",
        "cai cach hanh chinh",
        "cải cách hành chính",
        "Đăng tải",
        "dich vu cong truc tuyen",
        "\"một cửa liên thông\"",
        "171/KH-SVHTT",
        "chính quyền điện tử",
        "tuyên truy",
        "SIPAS",
        "khong co tu nay",
    ] {
        let query = Query::parse(q);
        let fts = query.fts();
        time(q, || {
            let (hits, total) =
                search::search(conn, &query, Default::default(), now, 0, 10).expect("search");
            for h in &hits {
                std::hint::black_box(snippet(&h.body_md, &query, 220));
            }
            total as usize
        });
        if all {
            time(&format!("{q} (all)"), || {
                let (hits, total) = rank_everything(conn, &fts, now);
                for h in &hits {
                    std::hint::black_box(snippet(&h.body_md, &query, 220));
                }
                total as usize
            });
        }
    }
    let leaflets = search::SearchFilter {
        kind: Some(loa::domain::entry::EntryKind::Leaflet),
        ..Default::default()
    };
    let query = Query::parse("cai cach");
    time("cai cach, leaflets only", || {
        search::search(conn, &query, leaflets, now, 0, 10)
            .expect("search")
            .1 as usize
    });
    let cat = loa::storage::categories::find_by_slug(conn, "van-hoa")?.map(|c| c.id);
    let filter = Filter {
        category_id: cat,
        ..Default::default()
    };
    time("listing: category page 1", || {
        entries::list_public(conn, filter, now, 0, 10)
            .expect("list")
            .0
            .len()
    });
    let deep = ((n / 6) as i64 / 10 - 1).max(0) * 10;
    time("listing: category last page", || {
        entries::list_public(conn, filter, now, deep, 10)
            .expect("list")
            .0
            .len()
    });
    Ok(())
}

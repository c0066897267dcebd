//! What a load balancer sees of loa: the probes `/healthz` and `/readyz`,
//! and a server that, on SIGTERM, fails its readiness first, keeps serving
//! for `drain_seconds`, then finishes and exits. The second test runs the
//! real binary (`loa serve`) on the test's database.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use actix_web::http::StatusCode;

use crate::common::{self, TestSite};

#[actix_web::test]
async fn probes_answer_in_plain_text_and_are_never_cached() {
    let site = TestSite::with_content();
    let mut c = site.client().await;
    let live = c.get("/healthz").await;
    assert_eq!(live.status, StatusCode::OK);
    assert_eq!(live.body, "ok\n");
    assert_eq!(live.header("cache-control").as_deref(), Some("no-store"));
    let ready = c.get("/readyz").await;
    assert_eq!(ready.status, StatusCode::OK);
    assert_eq!(ready.body, "ready\n");
    assert_eq!(ready.header("cache-control").as_deref(), Some("no-store"));
    // Draining (as after SIGTERM): the next probe says so at once, which a
    // cached answer would not.
    site.state.draining.store(true, Ordering::Relaxed);
    let draining = c.get("/readyz").await;
    assert_eq!(draining.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(draining.body, "shutting down\n");
    assert_eq!(c.get("/healthz").await.status, StatusCode::OK);
    assert_eq!(
        c.get("/").await.status,
        StatusCode::OK,
        "pages still served"
    );
}

/// A `loa serve` process on a free loopback port, killed when dropped.
pub struct Server {
    pub child: Child,
    pub addr: String,
}

impl Server {
    /// Starts `loa serve` on `database` and waits until it answers.
    pub fn start(database: &str, dir: &std::path::Path, env: &[(&str, &str)]) -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let addr = format!("127.0.0.1:{port}");
        let child = Command::new(env!("CARGO_BIN_EXE_loa"))
            .args(["--database", database, "serve", "--bind", &addr])
            .env("LOA_UPLOADS", dir.join("uploads"))
            .env("LOA_CONTENT", dir.join("no-content"))
            .env("RUST_LOG", "warn")
            .envs(env.iter().copied())
            .current_dir(common::repo())
            .stdout(Stdio::null())
            .spawn()
            .expect("start loa serve");
        let server = Self { child, addr };
        // A bound only so that a server that never starts fails the test
        // instead of hanging it.
        let deadline = Instant::now() + Duration::from_secs(120);
        let mut server = server;
        while get(&server.addr, "/healthz").is_none() {
            if let Ok(Some(status)) = server.child.try_wait() {
                panic!("loa serve stopped at start: {status}");
            }
            assert!(Instant::now() < deadline, "loa serve did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        server
    }

    pub fn get(&self, path: &str) -> Option<(u16, String)> {
        get(&self.addr, path)
    }

    pub fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .args([&format!("-{name}"), &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One HTTP/1.1 GET: the status and body, or None when nothing answers.
pub fn get(addr: &str, path: &str) -> Option<(u16, String)> {
    let mut stream = TcpStream::connect(addr).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer).ok()?;
    let status = answer.split(' ').nth(1)?.parse().ok()?;
    let body = answer.split_once("\r\n\r\n").map(|(_, b)| b.to_owned())?;
    Some((status, body))
}

#[test]
fn on_sigterm_readiness_fails_first_then_the_server_finishes_and_exits() {
    let site = TestSite::new();
    let mut server = Server::start(
        &site.state.config.database,
        site.dir.path(),
        &[("LOA_DRAIN_SECONDS", "2")],
    );
    assert_eq!(server.get("/readyz").map(|r| r.0), Some(200));
    server.signal("TERM");
    // Readiness fails (as soon as the signal lands) while the server
    // still answers everything else; a server that stopped listening
    // first would leave nothing to answer here.
    loop {
        match server.get("/readyz") {
            Some((503, body)) => {
                assert_eq!(body, "shutting down\n");
                break;
            }
            Some((200, _)) => std::thread::sleep(Duration::from_millis(10)),
            other => panic!("before readiness failed, /readyz gave {other:?}"),
        }
    }
    assert_eq!(server.get("/healthz").map(|r| r.0), Some(200));
    assert_eq!(
        server.get("/").map(|r| r.0),
        Some(200),
        "pages still served"
    );
    // Then it stops by itself, cleanly.
    let status = server.child.wait().unwrap();
    assert!(status.success(), "{status}");
    assert!(server.get("/healthz").is_none(), "nothing listens any more");
}

#[derive(diesel::QueryableByName)]
struct TableName {
    #[diesel(sql_type = diesel::sql_types::Text)]
    table_name: String,
}

#[derive(diesel::QueryableByName, Debug, PartialEq)]
struct ListingCount {
    #[diesel(sql_type = diesel::sql_types::Text)]
    scope: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    key: String,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// `loa copy-database`: a SQLite site moves into an empty PostgreSQL
/// database whole, and the copy serves the same pages and takes new
/// entries; a second copy into the now full database is refused.
#[actix_web::test]
async fn a_sqlite_site_moves_to_postgresql_whole() {
    use diesel::RunQueryDsl;
    use loa::domain::entry::EntryKind;
    let Some(pg) = common::PgDatabase::empty() else {
        eprintln!("PostgreSQL only (the destination): skipped on SQLite");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("loa.db");
    let source_url = source.to_string_lossy().into_owned();
    {
        let pool = loa::storage::open_pool(&source_url, 1).unwrap();
        let mut conn = pool.get().unwrap();
        let report = loa::content::import::import_dir(
            &mut conn,
            &common::site_dir(),
            &loa::content::import::Target {
                uploads: &loa::media::uploads::Uploads::Folder(dir.path().join("uploads")),
                tz: chrono_tz::Asia::Ho_Chi_Minh,
                now: common::utc("2026-01-01 00:00:00"),
                progress: false,
            },
        )
        .unwrap();
        assert!(report.failed.is_empty());
        // Staff, an official reply in a thread, the audit: every kind of
        // value (booleans, times, nulls) the copy has to carry.
        let now = common::utc("2026-01-02 03:04:05");
        let admin = loa::storage::users::create(
            &mut conn,
            "quantri",
            "Quản trị",
            "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g",
            loa::domain::user::Role::Admin,
            now,
        )
        .unwrap();
        let article = loa::storage::entries::find_by_slug(
            &mut conn,
            "so-vhtt-ha-noi-tang-cuong-thong-tin-tuyen-truyen-ve-cai-cach-hanh-chinh",
        )
        .unwrap()
        .unwrap();
        let mut comment = loa::storage::comments::NewComment {
            entry_id: article.id,
            parent_id: None,
            author_name: "Nguyễn Văn An".into(),
            author_email: "an@example.vn".into(),
            author_url: None,
            content: "Thủ tục này nộp ở đâu?".into(),
            content_html: "<p>Thủ tục này nộp ở đâu?</p>".into(),
            status: loa::domain::comment::CommentStatus::Approved,
            held_by: String::new(),
            ip: Some("203.0.113.7".into()),
            user_agent: "Mozilla/5.0".into(),
            created_at: now,
            official: false,
            handled_at: Some(now),
            handled_by: String::new(),
        };
        let question = loa::storage::comments::insert(&mut conn, &comment).unwrap();
        comment.parent_id = Some(question);
        comment.official = true;
        comment.author_name = admin.display_name.clone();
        comment.content = "Tại bộ phận một cửa của Sở.".into();
        comment.content_html = "<p>Tại bộ phận một cửa của Sở.</p>".into();
        loa::storage::comments::insert(&mut conn, &comment).unwrap();
        // A reader's rating of the article, with a comment.
        loa::storage::ratings::save(
            &mut conn,
            loa::storage::ratings::Target::Entry(article.id),
            "trinh-duyet",
            "dia-chi",
            &loa::domain::rating::ValidRating {
                score: 4,
                comment: "Hữu ích".into(),
            },
            now,
        )
        .unwrap();
        loa::storage::audit::record(
            &mut conn,
            now,
            "quantri",
            "user.create",
            "quantri",
            "",
            None,
        )
        .unwrap();
    }
    let copy = |to: &str| {
        Command::new(env!("CARGO_BIN_EXE_loa"))
            .args(["--database", &source_url, "copy-database", "--to", to])
            .env("RUST_LOG", "warn")
            .current_dir(common::repo())
            .output()
            .unwrap()
    };
    let out = copy(&pg.url());
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let source_pool = loa::storage::open_pool(&source_url, 1).unwrap();
    let copy_pool = loa::storage::open_pool(&pg.url(), 2).unwrap();
    let counts = loa::storage::copy::compare(
        &mut source_pool.get().unwrap(),
        &mut copy_pool.get().unwrap(),
    )
    .unwrap();
    for c in &counts {
        // settings: the copy's search rebuild notes itself there.
        if c.table != "settings" {
            assert_eq!(c.source, c.copy, "{}", c.table);
        }
        assert!(said.contains(c.table), "{said}");
    }
    for table in [
        "entries",
        "users",
        "comments",
        "audit_log",
        "documents",
        "media",
        "ratings",
    ] {
        assert!(
            counts.iter().any(|c| c.table == table && c.copy > 0),
            "{table} copied empty"
        );
    }
    // The copy serves the site: the same article, found by search.
    let site_on = |database: String| TestSite::with_config(move |c| c.database = database);
    let on_pg = site_on(pg.url());
    let mut c = on_pg.client().await;
    let article = c
        .get("/articles/so-vhtt-ha-noi-tang-cuong-thong-tin-tuyen-truyen-ve-cai-cach-hanh-chinh")
        .await;
    assert_eq!(article.status, StatusCode::OK);
    assert!(article.body.contains("Thủ tục này nộp ở đâu?"));
    assert!(article.body.contains("Tại bộ phận một cửa của Sở."));
    let found = c.get("/search?q=c%E1%BA%A3i+c%C3%A1ch+").await;
    assert_eq!(found.status, StatusCode::OK);
    let on_sqlite = site_on(source_url.clone());
    let mut s = on_sqlite.client().await;
    let expected = s.get("/search?q=c%E1%BA%A3i+c%C3%A1ch+").await;
    // The same entries (bm25 and ts_rank may order the body matches
    // differently).
    let sorted = |page: &common::Page| {
        let mut titles = page.texts(".search-results .card-title");
        titles.sort();
        titles
    };
    assert_eq!(sorted(&found), sorted(&expected));
    assert!(!sorted(&found).is_empty());
    // Every table is copied or rebuilt: a table added later and
    // forgotten by the copy fails here.
    let mut tables: Vec<String> = diesel::sql_query(
        "SELECT table_name::text AS table_name FROM information_schema.tables \
         WHERE table_schema = current_schema() AND table_name NOT LIKE '\\_\\_%'",
    )
    .load::<TableName>(&mut copy_pool.get().unwrap())
    .unwrap()
    .into_iter()
    .map(|t| t.table_name)
    .collect();
    tables.sort();
    let mut known: Vec<String> = loa::storage::copy::TABLES
        .iter()
        .chain(&loa::storage::copy::DERIVED)
        .map(|t| t.to_string())
        .collect();
    known.sort();
    assert_eq!(tables, known);
    // The listing counts arrive as the source kept them.
    let listing_counts = |conn: &mut loa::storage::Db| {
        diesel::sql_query("SELECT scope, key, n FROM listing_counts ORDER BY scope, key")
            .load::<ListingCount>(conn)
            .unwrap()
    };
    let counted = listing_counts(&mut copy_pool.get().unwrap());
    assert_eq!(counted, listing_counts(&mut source_pool.get().unwrap()));
    assert!(counted.iter().any(|c| c.scope == "tag" && c.n > 0));
    // New rows get new ids (the identities moved past the copied ones),
    // and the triggers the copy turned off are on again: the new entry
    // is counted in its listings and logged for the page caches.
    let logged = loa::storage::copy::count(&mut copy_pool.get().unwrap(), "changes").unwrap();
    common::entry(EntryKind::Article, "Bài đầu tiên sau khi chuyển")
        .save(&mut copy_pool.get().unwrap());
    assert!(loa::storage::copy::count(&mut copy_pool.get().unwrap(), "changes").unwrap() > logged);
    let all = |counts: &[ListingCount]| counts.iter().find(|c| c.scope == "all").unwrap().n;
    assert_eq!(
        all(&listing_counts(&mut copy_pool.get().unwrap())),
        all(&counted) + 1
    );
    // A second copy would mix two sites: refused, nothing written.
    let again = copy(&pg.url());
    assert!(!again.status.success());
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("not empty"),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
}

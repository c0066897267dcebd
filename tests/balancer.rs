//! Several servers for real, all on loopback: two `loa serve` processes on
//! one PostgreSQL database (the suite's throwaway cluster, a database of
//! the test's own) behind Debian's haproxy, each started here and stopped
//! by its pid. PostgreSQL only: SQLite serves one machine.
//!
//! What a department sees: a citizen comments through the balancer, a
//! moderator on the other server approves it, readers on both servers see
//! it; one server dies (SIGKILL) in the middle of a stream of comments and
//! no acknowledged comment is lost while the survivor takes the rest.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use diesel::prelude::*;
use scraper::{Html, Selector};

use super::servers::Server;
use crate::common::{self, PgDatabase};

const ARTICLE: &str =
    "/articles/so-vhtt-ha-noi-tang-cuong-thong-tin-tuyen-truyen-ve-cai-cach-hanh-chinh";

/// An answer, read whole.
pub(super) struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
    pub bytes: Vec<u8>,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn attr(&self, css: &str, attr: &str) -> Option<String> {
        let html = Html::parse_document(&self.body);
        let sel = Selector::parse(css).unwrap();
        html.select(&sel)
            .next()
            .and_then(|e| e.value().attr(attr))
            .map(str::to_owned)
    }
}

/// A browser over plain sockets: HTTP/1.0 (whole answers, no chunks),
/// cookies kept.
pub(super) struct Browser {
    addr: String,
    pub cookies: BTreeMap<String, String>,
    /// The address of the citizen behind a proxy of its own (sent as
    /// `X-Forwarded-For`; haproxy appends the hop it saw).
    forwarded_for: Option<String>,
}

impl Browser {
    pub fn new(addr: &str) -> Self {
        Self {
            addr: addr.to_owned(),
            cookies: BTreeMap::new(),
            forwarded_for: None,
        }
    }

    /// None when nothing answered (connection refused or cut).
    fn send(&mut self, method: &str, path: &str, form: Option<&[(&str, &str)]>) -> Option<Reply> {
        let body = form.map(|f| serde_urlencoded::to_string(f).unwrap());
        let content_type = form.map(|_| "application/x-www-form-urlencoded");
        self.exchange(
            method,
            path,
            content_type,
            body.unwrap_or_default().as_bytes(),
            &[],
        )
    }

    /// One request with `body` of `content_type` and `headers`; the answer
    /// read whole.
    pub fn exchange(
        &mut self,
        method: &str,
        path: &str,
        content_type: Option<&str>,
        body: &[u8],
        headers: &[(&str, &str)],
    ) -> Option<Reply> {
        let mut stream = TcpStream::connect(&self.addr).ok()?;
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .ok()?;
        let cookies = self
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        let mut head = format!("{method} {path} HTTP/1.0\r\nHost: {}\r\n", self.addr);
        if !cookies.is_empty() {
            head.push_str(&format!("Cookie: {cookies}\r\n"));
        }
        if let Some(ip) = &self.forwarded_for {
            head.push_str(&format!("X-Forwarded-For: {ip}\r\n"));
        }
        for (name, value) in headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        if let Some(ct) = content_type {
            head.push_str(&format!(
                "Content-Type: {ct}\r\nContent-Length: {}\r\n",
                body.len()
            ));
        }
        head.push_str("\r\n");
        stream.write_all(head.as_bytes()).ok()?;
        stream.write_all(body).ok()?;
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).ok()?;
        let split = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
        let head = String::from_utf8_lossy(&raw[..split]).into_owned();
        let bytes = raw[split + 4..].to_vec();
        let mut lines = head.lines();
        let status = lines.next()?.split(' ').nth(1)?.parse().ok()?;
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
            .collect();
        for (name, value) in &headers {
            if name.eq_ignore_ascii_case("set-cookie")
                && let Some((k, v)) = value.split(';').next().and_then(|c| c.split_once('='))
            {
                self.cookies.insert(k.to_owned(), v.to_owned());
            }
        }
        Some(Reply {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            bytes,
        })
    }

    pub fn get(&mut self, path: &str) -> Option<Reply> {
        self.send("GET", path, None)
    }

    pub fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Option<Reply> {
        self.send("POST", path, Some(form))
    }
}

/// Debian's haproxy in front of `servers`, checking `/readyz` every 200 ms
/// (down after two failures), retrying a refused connection on the other
/// server. Killed when dropped.
struct Balancer {
    child: Child,
    addr: String,
}

impl Balancer {
    fn start(dir: &Path, servers: &[(&str, &str)]) -> Self {
        let port = free_port();
        let addr = format!("127.0.0.1:{port}");
        let mut config = format!(
            "global\n  maxconn 256\n\
             defaults\n  mode http\n  timeout connect 1s\n  timeout client 30s\n  \
             timeout server 30s\n  retries 3\n  option redispatch\n  \
             retry-on conn-failure empty-response\n\
             frontend web\n  bind {addr}\n  option forwardfor\n  default_backend loa\n\
             backend loa\n  balance roundrobin\n  option httpchk GET /readyz\n  \
             http-response set-header X-Loa-Server %s\n  \
             default-server inter 200ms fall 2 rise 1\n"
        );
        for (name, server) in servers {
            config.push_str(&format!("  server {name} {server} check\n"));
        }
        let file = dir.join("haproxy.cfg");
        std::fs::write(&file, config).unwrap();
        let child = Command::new(system_program("haproxy"))
            .arg("-db")
            .arg("-f")
            .arg(&file)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start haproxy (Debian's haproxy; cargo xtask test installs it)");
        let balancer = Self { child, addr };
        let deadline = Instant::now() + Duration::from_secs(60);
        while super::servers::get(&balancer.addr, "/readyz").map(|r| r.0) != Some(200) {
            assert!(Instant::now() < deadline, "haproxy did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        balancer
    }
}

impl Drop for Balancer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(super) fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The site's database, migrated, with lenient comment limits (one
/// address, the balancer's, sends everything here) and a moderator.
pub(super) fn prepare(url: &str) {
    let pool = loa::storage::open_pool(url, 1).unwrap();
    let conn = &mut pool.get().unwrap();
    let mut rules = loa::storage::settings::moderation_rules(conn).unwrap();
    rules.min_seconds = 1;
    rules.per_hour = 10_000;
    loa::storage::settings::save_moderation_rules(conn, &rules).unwrap();
    add_staff(
        url,
        "kiemduyet",
        "mat-khau-kiem-duyet",
        loa::domain::user::Role::Moderator,
    );
}

/// A staff account on the site's database `url`.
pub(super) fn add_staff(url: &str, username: &str, password: &str, role: loa::domain::user::Role) {
    let pool = loa::storage::open_pool(url, 1).unwrap();
    let hash = loa::auth::hash(password).unwrap();
    loa::storage::users::create(
        &mut pool.get().unwrap(),
        username,
        username,
        &hash,
        role,
        loa::storage::utc_now(),
    )
    .unwrap();
}

/// A program from Debian's packages (in `/usr/sbin` for a service).
pub(super) fn system_program(name: &str) -> String {
    ["/usr/sbin", "/usr/bin"]
        .into_iter()
        .map(|dir| format!("{dir}/{name}"))
        .find(|p| Path::new(p).is_file())
        .unwrap_or_else(|| name.to_owned())
}

/// Both servers, started at the same moment on the same empty site: the
/// first start migrates and imports under a lock while the other waits.
fn two_servers(db: &PgDatabase, dir: &Path) -> (Server, Server) {
    let env = [
        (
            "LOA_CONTENT",
            common::site_dir().to_string_lossy().into_owned(),
        ),
        ("LOA_TRUSTED_PROXIES", "127.0.0.1".to_owned()),
        ("LOA_DRAIN_SECONDS", "0".to_owned()),
        ("LOA_BASE_URL", "http://loa.test".to_owned()),
    ];
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let url = db.url();
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(|| Server::start(&url, &dir.join("a"), &env));
        let b = s.spawn(|| Server::start(&url, &dir.join("b"), &env));
        (a.join().unwrap(), b.join().unwrap())
    });
    (a, b)
}

/// The stored comment with `content`, if any: (id, status).
pub(super) fn stored(url: &str, content: &str) -> Option<(i32, String)> {
    use loa::storage::schema::comments;
    let pool = loa::storage::open_pool(url, 1).unwrap();
    comments::table
        .filter(comments::content.eq(content))
        .select((comments::id, comments::status))
        .first(&mut pool.get().unwrap())
        .optional()
        .unwrap()
}

/// The comment form of the article, filled in; (action, fields).
pub(super) fn comment_form(page: &Reply, content: &str) -> (String, Vec<(String, String)>) {
    let token = page
        .attr("form.comment-form input[name=csrf_token]", "value")
        .expect("token");
    let action = page
        .attr("form.comment-form", "action")
        .unwrap_or_else(|| format!("{ARTICLE}/comments"));
    let fields = [
        ("content", content),
        ("author_name", "Nguyễn Văn An"),
        ("author_email", "an@example.vn"),
        ("author_url", ""),
        ("parent_id", ""),
        ("csrf_token", &token),
        ("loa_website", ""),
        ("consent", "1"),
    ];
    (
        action,
        fields
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    )
}

/// A staff member signed in at `addr`, and the admin's form token.
pub(super) fn sign_in(addr: &str, username: &str, password: &str) -> (Browser, String) {
    let mut staff = Browser::new(addr);
    let login = staff.get("/admin/login").unwrap();
    let token = login.attr("input[name=csrf_token]", "value").unwrap();
    let signed_in = staff
        .post(
            "/admin/login",
            &[
                ("username", username),
                ("password", password),
                ("csrf_token", &token),
            ],
        )
        .unwrap();
    assert_eq!(signed_in.status, 303, "{}", signed_in.body);
    let admin = staff.get("/admin").unwrap();
    let token = admin.attr("input[name=csrf_token]", "value").unwrap();
    (staff, token)
}

/// The moderator [`prepare`] made signs in at `addr` and approves
/// comment `id`.
pub(super) fn approve(addr: &str, id: i32) {
    let (mut moderator, token) = sign_in(addr, "kiemduyet", "mat-khau-kiem-duyet");
    let approved = moderator
        .post(
            &format!("/admin/comments/{id}/approve"),
            &[("csrf_token", &token)],
        )
        .unwrap();
    assert_eq!(approved.status, 303, "{}", approved.body);
}

pub(super) fn pairs(fields: &[(String, String)]) -> Vec<(&str, &str)> {
    fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

#[test]
fn a_comment_through_the_balancer_approved_on_the_other_server_shows_on_both() {
    let Some(db) = PgDatabase::empty() else {
        eprintln!("PostgreSQL only (several servers): skipped on SQLite");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    prepare(&db.url());
    let (a, b) = two_servers(&db, dir.path());
    // Started together on an empty site, they imported its content once.
    {
        let pool = loa::storage::open_pool(&db.url(), 1).unwrap();
        let n = loa::storage::entries::count_all(&mut pool.get().unwrap()).unwrap();
        let mut files = 0;
        let pages_dir = common::site_dir().join("pages");
        for e in walk(&common::site_dir()) {
            files += usize::from(
                e.extension().is_some_and(|x| x == "md")
                    && !e.ends_with("README.md")
                    && !e.starts_with(&pages_dir),
            );
        }
        assert_eq!(n as usize, files, "entries after two simultaneous starts");
        let pages = loa::storage::pages::all(&mut pool.get().unwrap()).unwrap();
        assert_eq!(pages.len(), 4, "pages after two simultaneous starts");
    }
    let lb = Balancer::start(dir.path(), &[("a", &a.addr), ("b", &b.addr)]);

    // A citizen reads the article through the balancer and comments.
    let mut citizen = Browser::new(&lb.addr);
    let page = citizen.get(ARTICLE).expect("the balancer answers");
    assert_eq!(page.status, 200);
    let served_by = page
        .header("X-Loa-Server")
        .expect("haproxy names the server")
        .to_owned();
    std::thread::sleep(Duration::from_millis(1100)); // the form's time trap
    let content = "Xin hỏi thủ tục đăng ký biểu diễn nghệ thuật nộp ở đâu?";
    let (action, fields) = comment_form(&page, content);
    let posted = citizen.post(&action, &pairs(&fields)).unwrap();
    assert_eq!(posted.status, 303, "{}", posted.body);
    let (id, status) = stored(&db.url(), content).expect("stored");
    assert_eq!(status, "pending");

    // Readers on both servers have the page cached, without the comment.
    let mut readers = [Browser::new(&a.addr), Browser::new(&b.addr)];
    for r in &mut readers {
        let p = r.get(ARTICLE).unwrap();
        assert!(!p.body.contains(content));
    }

    // The moderator works on the server the citizen did not use.
    let other = if served_by == "a" { &b } else { &a };
    approve(&other.addr, id);
    let at = Instant::now();
    assert_eq!(stored(&db.url(), content).unwrap().1, "approved");

    // Both servers show it: the approving one at once, the other when the
    // change log's NOTIFY reaches it.
    let deadline = at + Duration::from_secs(30);
    for (name, r) in ["a", "b"].iter().zip(&mut readers) {
        loop {
            if r.get(ARTICLE).is_some_and(|p| p.body.contains(content)) {
                eprintln!(
                    "server {name} shows the approved comment after {:?}",
                    at.elapsed()
                );
                break;
            }
            assert!(Instant::now() < deadline, "server {name} never showed it");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    drop(lb);
}

#[test]
fn a_server_killed_during_a_stream_of_comments_loses_none_that_were_acknowledged() {
    let Some(db) = PgDatabase::empty() else {
        eprintln!("PostgreSQL only (several servers): skipped on SQLite");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    prepare(&db.url());
    let (mut a, b) = two_servers(&db, dir.path());
    let lb = Balancer::start(dir.path(), &[("a", &a.addr), ("b", &b.addr)]);
    let mut citizen = Browser::new(&lb.addr);
    let page = citizen.get(ARTICLE).unwrap();
    std::thread::sleep(Duration::from_millis(1100));
    let (action, mut fields) = comment_form(&page, "");
    let mut results = Vec::new();
    let mut killed_at = None;
    for i in 0..60 {
        if i == 15 {
            a.child.kill().unwrap(); // SIGKILL: no drain, no goodbye
            a.child.wait().unwrap(); // gone for good before the next post
            killed_at = Some(Instant::now());
        }
        // Sixty citizens, each from an address and a mailbox of their own
        // (one person posting this fast would be told to wait).
        let content = format!("Góp ý số {i} về cải cách hành chính tại bộ phận một cửa.");
        fields[0].1 = content.clone();
        fields[2].1 = format!("ban-doc-{i}@example.vn");
        citizen.forwarded_for = Some(format!("198.51.100.{}", i + 1));
        let reply = citizen.post(&action, &pairs(&fields));
        let by = reply
            .as_ref()
            .and_then(|r| r.header("X-Loa-Server"))
            .unwrap_or_default()
            .to_owned();
        results.push((content, reply.map(|r| r.status), Instant::now(), by));
    }
    let killed_at = killed_at.unwrap();
    // Both servers took posts until one died; only the survivor after.
    assert!(results[..15].iter().any(|r| r.3 == "a"), "a took no post");
    assert!(
        results[15..].iter().all(|r| r.3 == "b"),
        "a dead server answered"
    );
    for (content, status, _, _) in &results {
        if *status == Some(303) {
            assert!(
                stored(&db.url(), content).is_some(),
                "acknowledged but lost: {content}"
            );
        }
    }
    let failed: Vec<_> = results.iter().filter(|r| r.1 != Some(303)).collect();
    match (failed.first(), failed.last()) {
        (Some(first), Some(last)) => eprintln!(
            "{} of {} posts failed, from {:?} to {:?} after the kill",
            failed.len(),
            results.len(),
            first.2.duration_since(killed_at),
            last.2.duration_since(killed_at)
        ),
        _ => eprintln!("no post failed: the balancer retried refused connections on the survivor"),
    }
    // The survivor takes the stream: the last posts all went through.
    assert!(
        results[50..].iter().all(|r| r.1 == Some(303)),
        "{:?}",
        results.iter().map(|r| r.1).collect::<Vec<_>>()
    );
    drop(lb);
    drop(b);
}

/// Every file below `dir`.
fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let path = e.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

//! A shared cache in front of loa, for real: Debian's nginx with
//! `proxy_cache` (the README's sample configuration) before one `loa
//! serve` with `shared_cache_seconds` set, both on loopback, started here
//! and stopped by pid. On the suite's database: a SQLite file, or the
//! PostgreSQL cluster when the suite runs there.
//!
//! What a department sees: readers get the article from nginx's cache
//! (`X-Cache-Status: HIT`), a citizen comments with the form of that cached
//! page, sees their comment awaiting moderation (the proxy steps aside for
//! them), and once a moderator approves it every reader sees it when the
//! cached copy's configured lifetime has passed.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::balancer::{
    Browser, approve, comment_form, free_port, pairs, prepare, stored, system_program,
};
use super::servers::Server;
use crate::common;

const ARTICLE: &str =
    "/articles/so-vhtt-ha-noi-tang-cuong-thong-tin-tuyen-truyen-ve-cai-cach-hanh-chinh";
/// The lifetime a shared cache may keep a page (`shared_cache_seconds`).
const SHARED_SECONDS: u64 = 2;

/// The README's nginx configuration around `upstream`, listening on
/// `listen`, with every path it writes under `dir`.
pub fn nginx_config(dir: &Path, listen: &str, upstream: &str) -> String {
    let d = dir.display();
    // Root (as in CI) would hand the cache to `nobody`, who cannot enter
    // a temporary folder; the test's nginx keeps the user it started as.
    let user = if is_root() { "user root;\n" } else { "" };
    format!(
        "{user}daemon off;\nmaster_process off;\npid {d}/nginx.pid;\n\
         error_log {d}/nginx-error.log warn;\n\
         events {{ worker_connections 256; }}\n\
         http {{\n  access_log off;\n  client_body_temp_path {d}/body;\n  \
         proxy_temp_path {d}/proxy;\n  fastcgi_temp_path {d}/fastcgi;\n  \
         uwsgi_temp_path {d}/uwsgi;\n  scgi_temp_path {d}/scgi;\n{}\n  \
         server {{\n    listen {listen};\n    location / {{\n      proxy_pass http://{upstream};\n{}\n    }}\n  }}\n}}\n",
        indent(
            &HTTP_PART.replace("/var/cache/nginx/loa", &format!("{d}/cache")),
            2
        ),
        indent(LOCATION_PART, 6),
    )
}

/// In the `http` block (README, "Several servers"): where the cache lives,
/// and which requests are personal (a signed-in staff member, a browser
/// with a comment awaiting moderation or a notice to show).
const HTTP_PART: &str = "\
proxy_cache_path /var/cache/nginx/loa keys_zone=loa:10m max_size=1g inactive=1h;
map $cookie_loa_session$cookie_loa_pending$cookie_loa_flash $loa_personal {
    \"\"      0;
    default 1;
}";

/// In the `location` that passes to loa.
const LOCATION_PART: &str = "\
proxy_set_header Host $host;
proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
proxy_cache loa;
proxy_cache_bypass $loa_personal;
proxy_no_cache $loa_personal;
proxy_cache_revalidate on;
proxy_cache_lock on;
proxy_cache_use_stale error timeout updating http_500 http_502 http_503 http_504;
proxy_cache_background_update on;
add_header X-Cache-Status $upstream_cache_status always;";

fn indent(text: &str, by: usize) -> String {
    text.lines()
        .map(|l| format!("{}{l}", " ".repeat(by)))
        .collect::<Vec<_>>()
        .join("\n")
}

fn is_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

/// Debian's nginx, one process, killed when dropped.
struct Nginx {
    child: Child,
    addr: String,
}

impl Nginx {
    fn start(dir: &Path, upstream: &str) -> Self {
        let addr = format!("127.0.0.1:{}", free_port());
        std::fs::create_dir_all(dir).unwrap();
        let file = dir.join("nginx.conf");
        std::fs::write(&file, nginx_config(dir, &addr, upstream)).unwrap();
        let child = Command::new(system_program("nginx"))
            .arg("-p")
            .arg(dir)
            .arg("-e")
            .arg(dir.join("nginx-error.log"))
            .arg("-c")
            .arg(&file)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start nginx (Debian's nginx; cargo xtask test installs it)");
        let mut nginx = Self { child, addr };
        let deadline = Instant::now() + Duration::from_secs(60);
        while super::servers::get(&nginx.addr, "/healthz").map(|r| r.0) != Some(200) {
            if let Ok(Some(status)) = nginx.child.try_wait() {
                panic!(
                    "nginx stopped at start ({status}): {}",
                    std::fs::read_to_string(dir.join("nginx-error.log")).unwrap_or_default()
                );
            }
            assert!(Instant::now() < deadline, "nginx did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        nginx
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn readers_get_the_article_from_nginxs_cache_and_an_approved_comment_still_shows() {
    let dir = tempfile::tempdir().unwrap();
    let (_pg, url) = common::server_database(dir.path());
    prepare(&url);
    let content = common::site_dir().to_string_lossy().into_owned();
    let shared = SHARED_SECONDS.to_string();
    let server = Server::start(
        &url,
        &dir.path().join("loa"),
        &[
            ("LOA_CONTENT", content.as_str()),
            ("LOA_TRUSTED_PROXIES", "127.0.0.1"),
            ("LOA_BASE_URL", "http://loa.test"),
            ("LOA_SHARED_CACHE_SECONDS", shared.as_str()),
        ],
    );
    let proxy = Nginx::start(&dir.path().join("nginx"), &server.addr);

    // The first reader fills nginx's cache; the next ones are served from
    // it, the same bytes, comment form and all.
    let mut first = Browser::new(&proxy.addr);
    let filled = first.get(ARTICLE).expect("nginx answers");
    assert_eq!(filled.status, 200, "{}", filled.body);
    assert_eq!(filled.header("X-Cache-Status"), Some("MISS"));
    let mut citizen = Browser::new(&proxy.addr);
    let page = citizen.get(ARTICLE).unwrap();
    assert_eq!(page.header("X-Cache-Status"), Some("HIT"));
    assert_eq!(page.body, filled.body);
    assert!(citizen.cookies.is_empty(), "a cached page sets no cookie");

    // A citizen comments with the form of the cached page.
    std::thread::sleep(Duration::from_millis(1100)); // the form's time trap
    let text = "Xin hỏi bộ phận một cửa của Sở làm việc cả sáng thứ Bảy không?";
    let (action, fields) = comment_form(&page, text);
    let posted = citizen.post(&action, &pairs(&fields)).unwrap();
    assert_eq!(posted.status, 303, "{}", posted.body);
    let (id, status) = stored(&url, text).expect("stored");
    assert_eq!(status, "pending");
    // Its author now has a comment awaiting moderation: nginx steps aside
    // and loa shows it to them.
    let own = citizen.get(ARTICLE).unwrap();
    assert_eq!(own.header("X-Cache-Status"), Some("BYPASS"));
    assert!(own.body.contains(text), "the author sees their comment");
    // Nobody else does.
    let mut reader = Browser::new(&proxy.addr);
    let other = reader.get(ARTICLE).unwrap();
    assert_eq!(other.header("X-Cache-Status"), Some("HIT"));
    assert!(!other.body.contains(text));

    // A moderator, through the same proxy (signed in: never cached),
    // approves it. Readers see it once the cached copy is older than its
    // configured lifetime (nginx then revalidates with loa).
    approve(&proxy.addr, id);
    let at = Instant::now();
    let deadline = at + Duration::from_secs(30 * SHARED_SECONDS);
    let mut statuses = Vec::new();
    loop {
        let p = reader.get(ARTICLE).unwrap();
        statuses.push(p.header("X-Cache-Status").unwrap_or("-").to_owned());
        if p.body.contains(text) {
            break;
        }
        assert!(Instant::now() < deadline, "never shown: {statuses:?}");
        std::thread::sleep(Duration::from_millis(100));
    }
    eprintln!(
        "the approved comment showed through nginx after {:?} (s-maxage {SHARED_SECONDS} s); \
         cache statuses meanwhile: {statuses:?}",
        at.elapsed()
    );
    // Until then the readers were served from the cache, not from loa.
    assert!(
        statuses.iter().filter(|s| *s == "HIT").count() >= 2,
        "{statuses:?}"
    );
    drop(proxy);
    drop(server);
}

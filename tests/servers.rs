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
        while get(&server.addr, "/healthz").is_none() {
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

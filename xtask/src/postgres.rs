//! A throwaway PostgreSQL cluster for the test suite: `initdb` into a
//! temporary folder, `pg_ctl start` on a free loopback port (and a socket
//! in the same folder, so it never meets the machine's own server), and
//! `pg_ctl stop` then a kill of its pid when dropped.
//!
//! As root the server runs as the `postgres` user (PostgreSQL refuses
//! root); otherwise as whoever runs the tests.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub struct Cluster {
    bin: PathBuf,
    dir: PathBuf,
    port: u16,
    as_postgres: bool,
}

/// The newest installed server's programs (`/usr/lib/postgresql/N/bin`,
/// where Debian's `postgresql` package puts them).
pub fn server_bin() -> Option<PathBuf> {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| {
            let e = e.ok()?;
            let n: u32 = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").is_file().then_some((n, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}

impl Cluster {
    pub fn start(root: bool) -> Result<Self, String> {
        let bin = server_bin().ok_or("no PostgreSQL server programs in /usr/lib/postgresql")?;
        let dir = std::env::temp_dir().join(format!("loa-test-pg-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| format!("no free port: {e}"))?
            .port();
        let cluster = Self {
            bin,
            dir,
            port,
            as_postgres: root,
        };
        if root {
            cluster.run(
                Command::new("chown")
                    .args(["-R", "postgres:postgres"])
                    .arg(&cluster.dir),
            )?;
        }
        let data = cluster.dir.join("data");
        cluster.run(
            cluster
                .server_command("initdb")
                .args(["--auth=trust", "--username=postgres", "--encoding=UTF8"])
                .args(["--locale=C.UTF-8", "-D"])
                .arg(&data)
                .stdout(Stdio::null()),
        )?;
        // Durability buys nothing in a cluster deleted after the run.
        let options = format!(
            "-c listen_addresses=127.0.0.1 -p {port} -k {} -c fsync=off \
             -c synchronous_commit=off -c full_page_writes=off -c max_connections=200",
            cluster.dir.display()
        );
        cluster.run(
            cluster
                .server_command("pg_ctl")
                .args(["start", "-w", "-t", "60", "-D"])
                .arg(&data)
                .arg("-l")
                .arg(cluster.dir.join("server.log"))
                .args(["-o", &options])
                .stdout(Stdio::null()),
        )?;
        Ok(cluster)
    }

    /// The URL the tests read from `LOA_TEST_POSTGRES`.
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}", self.port)
    }

    fn server_command(&self, program: &str) -> Command {
        let path = self.bin.join(program);
        if self.as_postgres {
            let mut cmd = Command::new("runuser");
            cmd.args(["-u", "postgres", "--"]).arg(path);
            cmd
        } else {
            Command::new(path)
        }
    }

    /// Runs `cmd`; a failure comes with the server's log.
    fn run(&self, cmd: &mut Command) -> Result<(), String> {
        crate::run(cmd).map_err(|e| {
            let log = std::fs::read_to_string(self.dir.join("server.log")).unwrap_or_default();
            format!("{e}\n{log}")
        })
    }

    fn pid(&self) -> Option<String> {
        let pidfile = self.dir.join("data/postmaster.pid");
        let text = std::fs::read_to_string(pidfile).ok()?;
        text.lines().next().map(str::to_owned)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let pid = self.pid();
        let data = self.dir.join("data");
        let _ = self
            .server_command("pg_ctl")
            .args(["stop", "-m", "fast", "-w", "-t", "30", "-D"])
            .arg(&data)
            .stdout(Stdio::null())
            .status();
        if let Some(pid) = pid.filter(|_| Path::new(&data).join("postmaster.pid").exists()) {
            let _ = Command::new("kill").args(["-9", &pid]).status();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

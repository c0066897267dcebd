//! `cargo xtask`: loa's own commands, after the cargo-xtask convention
//! (the alias is in `.cargo/config.toml`).
//!
//! - `cargo xtask test [ARGS]`: installs what the test suite needs when it
//!   is missing (Debian's packages, [`NEEDS`]; programs from crates.io,
//!   [`TOOLS`], built into `target/tools`), runs `cargo test --locked ARGS` (SQLite),
//!   then starts a throwaway PostgreSQL cluster ([`postgres::Cluster`]) and
//!   runs the integration tests again against it
//!   (`LOA_TEST_POSTGRES`), and stops it. `LOA_XTASK_POSTGRES=0` skips the
//!   second run.
//! - `cargo xtask install`: only the first half.
//!
//! Installing takes Debian's `apt-get` and root. Without them the command
//! says which packages to install and stops before testing, so a missing
//! browser is one clear message instead of six failed tests.

use std::env;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

mod postgres;

/// Something the suite needs from the system, and the package that
/// provides it.
struct Need {
    check: Check,
    /// The Debian package to install when the check fails.
    package: &'static str,
    /// What needs it (printed when it is missing).
    why: &'static str,
}

/// How to tell whether a need is met.
enum Check {
    /// A program on `PATH`, or at the path a variable names (the tests
    /// read the same variable).
    Program {
        name: &'static str,
        var: Option<&'static str>,
    },
    /// A font family `fc-list` lists (case ignored).
    Font(&'static str),
    /// PostgreSQL's server programs (`initdb`, `pg_ctl`), which Debian
    /// keeps off `PATH`.
    PostgresServer,
}

/// What the test suite needs. A new service (PostgreSQL, say) is one more
/// line: its program and its package.
const NEEDS: &[Need] = &[
    Need {
        check: Check::Program {
            name: "chromium",
            var: Some("LOA_CHROMIUM"),
        },
        package: "chromium",
        why: "the browser tests and the staff's PDFs",
    },
    Need {
        check: Check::Program {
            name: "chromedriver",
            var: Some("LOA_CHROMEDRIVER"),
        },
        package: "chromium-driver",
        why: "the browser tests drive Chromium through it",
    },
    Need {
        check: Check::Program {
            name: "pdftotext",
            var: None,
        },
        package: "poppler-utils",
        why: "the browser tests read the printed PDFs",
    },
    Need {
        check: Check::Program {
            name: "pdfinfo",
            var: None,
        },
        package: "poppler-utils",
        why: "the browser tests count the printed pages",
    },
    Need {
        check: Check::Program {
            name: "pdftoppm",
            var: None,
        },
        package: "poppler-utils",
        why: "the browser tests decode the printed QR code",
    },
    Need {
        check: Check::PostgresServer,
        package: "postgresql",
        why: "the integration tests run a second time on a throwaway PostgreSQL cluster",
    },
    Need {
        check: Check::Program {
            name: "haproxy",
            var: None,
        },
        package: "haproxy",
        why: "the several-servers tests put two loa servers behind it",
    },
    Need {
        check: Check::Program {
            name: "nginx",
            var: None,
        },
        package: "nginx",
        why: "a shared cache (proxy_cache) in front of loa in the tests",
    },
    Need {
        check: Check::Font("Liberation"),
        package: "fonts-liberation",
        why: "the printed pages' fonts, so PDFs lay out as in CI",
    },
];

fn main() -> ExitCode {
    let mut args = env::args_os().skip(1);
    let command = args.next();
    let rest: Vec<OsString> = args.collect();
    let result = match command.as_ref().and_then(|c| c.to_str()) {
        Some("test") => install().and_then(|()| test(&rest)),
        Some("install") if rest.is_empty() => install().map(|()| ExitCode::SUCCESS),
        _ => {
            eprintln!(
                "usage: cargo xtask test [ARGS]   install what the tests need, then `cargo test --locked ARGS`\n       \
                 cargo xtask install       only install what the tests need"
            );
            return ExitCode::from(2);
        }
    };
    result.unwrap_or_else(|message| {
        eprintln!("xtask: {message}");
        ExitCode::FAILURE
    })
}

/// A program from crates.io that the tests run, built with `cargo
/// install` into `target/tools` (beside the build output: never
/// committed, gone with `cargo clean`).
struct Tool {
    krate: &'static str,
    /// Exact: the newest that builds with this toolchain.
    version: &'static str,
    features: &'static str,
    why: &'static str,
}

const TOOLS: &[Tool] = &[Tool {
    krate: "s3s-fs",
    // 0.15 and later need Rust 1.96.
    version: "0.14.1",
    features: "binary",
    why: "the tests keep uploads in a real S3 server (tests/bucket.rs)",
}];

/// Where the tools live: `target/tools/bin/<name>` (the tests look there).
fn tools_root() -> PathBuf {
    workspace_root().join("target").join("tools")
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap_or(Path::new("."))
        .to_owned()
}

/// Installs what the tests need: Debian's packages, then the tools.
fn install() -> Result<(), String> {
    install_packages()?;
    install_tools()
}

/// Builds the tools that are missing.
fn install_tools() -> Result<(), String> {
    let cargo = env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let root = tools_root();
    for tool in TOOLS {
        if root.join("bin").join(tool.krate).is_file() {
            continue;
        }
        eprintln!(
            "xtask: building {} {} from crates.io ({}) into {}",
            tool.krate,
            tool.version,
            tool.why,
            root.display()
        );
        // `--debug`: a test server needs no optimizing, and building
        // without it takes about half the time on two cores.
        run(Command::new(&cargo)
            .args(["install", "--locked", "--quiet", "--debug", "--root"])
            .arg(&root)
            .args(["--version", &format!("={}", tool.version)])
            .args(["--features", tool.features, tool.krate]))?;
    }
    Ok(())
}

/// Installs the packages of the needs that are not met.
fn install_packages() -> Result<(), String> {
    let missing: Vec<&Need> = NEEDS.iter().filter(|n| !n.check.met()).collect();
    if missing.is_empty() {
        return Ok(());
    }
    let mut packages: Vec<&str> = Vec::new();
    for need in &missing {
        if !packages.contains(&need.package) {
            packages.push(need.package);
        }
    }
    for need in &missing {
        eprintln!(
            "xtask: {} is missing ({}): package {}",
            need.check, need.why, need.package
        );
    }
    let list = packages.join(" ");
    if find_program("apt-get").is_none() {
        return Err(format!(
            "no apt-get here: install the equivalent of these Debian packages, then run this again: {list}"
        ));
    }
    if !is_root() {
        return Err(format!(
            "installing needs root: run `sudo apt-get install {list}` (or this command as root), then run this again"
        ));
    }
    eprintln!("xtask: installing {list}");
    run(apt().args(["update", "-qq"]))?;
    // dpkg's progress lines say nothing a failure would not; errors
    // still reach stderr.
    run(apt()
        .args(["install", "-y", "-qq", "-o", "DPkg::Lock::Timeout=900"])
        .args(&packages)
        .stdout(Stdio::null()))?;
    let still: Vec<String> = NEEDS
        .iter()
        .filter(|n| !n.check.met())
        .map(|n| n.check.to_string())
        .collect();
    if still.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "still missing after installing: {}",
            still.join(", ")
        ))
    }
}

fn apt() -> Command {
    let mut cmd = Command::new("apt-get");
    cmd.env("DEBIAN_FRONTEND", "noninteractive");
    cmd
}

/// The suite on SQLite, then the integration tests on PostgreSQL.
fn test(args: &[OsString]) -> Result<ExitCode, String> {
    let sqlite = cargo_test(args, None)?;
    if sqlite != ExitCode::SUCCESS || env::var("LOA_XTASK_POSTGRES").is_ok_and(|v| v == "0") {
        return Ok(sqlite);
    }
    // Only the integration tests open sites; unit tests need no database.
    let picks_targets = args.iter().any(|a| {
        let a = a.to_string_lossy();
        [
            "--test",
            "--lib",
            "--bins",
            "--bin",
            "--doc",
            "--benches",
            "--examples",
        ]
        .iter()
        .any(|t| a == *t || a.starts_with(&format!("{t}=")))
    });
    let mut pg_args: Vec<OsString> = Vec::new();
    if !picks_targets {
        pg_args.extend(["--test".into(), "integration".into()]);
    }
    pg_args.extend(args.iter().cloned());
    let cluster = postgres::Cluster::start(is_root())?;
    eprintln!("xtask: integration tests on PostgreSQL ({})", cluster.url());
    let result = cargo_test(&pg_args, Some(&cluster.url()));
    drop(cluster);
    result
}

/// `cargo test --locked` with the caller's arguments, in the workspace's
/// root, with the cargo that runs this; on PostgreSQL when `pg` is given.
fn cargo_test(args: &[OsString], pg: Option<&str>) -> Result<ExitCode, String> {
    let cargo = env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let root = workspace_root();
    // `--locked` is always given; twice would be refused.
    let args = args.iter().filter(|a| a.as_os_str() != "--locked");
    let mut cmd = Command::new(&cargo);
    cmd.args(["test", "--locked"]).args(args).current_dir(&root);
    match pg {
        Some(url) => cmd.env("LOA_TEST_POSTGRES", url),
        None => cmd.env_remove("LOA_TEST_POSTGRES"),
    };
    let status = cmd
        .status()
        .map_err(|e| format!("cannot run {}: {e}", cargo.to_string_lossy()))?;
    Ok(match status.code() {
        Some(0) => ExitCode::SUCCESS,
        Some(code) => ExitCode::from(u8::try_from(code).unwrap_or(1)),
        None => ExitCode::FAILURE,
    })
}

fn run(cmd: &mut Command) -> Result<(), String> {
    let status = cmd
        .status()
        .map_err(|e| format!("cannot run {cmd:?}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{cmd:?} failed ({status})"))
    }
}

impl Check {
    fn met(&self) -> bool {
        match self {
            Check::Program { name, var } => {
                var.and_then(env::var_os)
                    .is_some_and(|path| Path::new(&path).is_file())
                    || find_program(name).is_some()
            }
            Check::Font(family) => Command::new("fc-list").output().is_ok_and(|out| {
                String::from_utf8_lossy(&out.stdout)
                    .to_lowercase()
                    .contains(&family.to_lowercase())
            }),
            Check::PostgresServer => postgres::server_bin().is_some(),
        }
    }
}

impl std::fmt::Display for Check {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Check::Program { name, .. } => write!(f, "`{name}`"),
            Check::Font(family) => write!(f, "the {family} fonts"),
            Check::PostgresServer => write!(f, "PostgreSQL's server"),
        }
    }
}

/// The program's path on `PATH`, if any.
fn find_program(name: &str) -> Option<PathBuf> {
    env::split_paths(&env::var_os("PATH")?)
        .map(|dir| dir.join(name))
        .find(|path| path.is_file())
}

/// Whether this process runs as root (effective uid 0).
fn is_root() -> bool {
    if let Ok(status) = std::fs::read_to_string("/proc/self/status") {
        // "Uid:  real  effective  saved  filesystem"
        if let Some(uid) = status
            .lines()
            .find_map(|l| l.strip_prefix("Uid:"))
            .and_then(|ids| ids.split_whitespace().nth(1))
        {
            return uid == "0";
        }
    }
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).trim() == "0")
}

//! PDF files of print pages, made by headless Chromium's `--print-to-pdf`
//! when the machine has it (Debian's `chromium`; the `chromium` setting or
//! `LOA_CHROMIUM` names another binary). Chromium lays out CSS paged media
//! (A4, the tri-fold's landscape named page) exactly as a reader's browser
//! prints it, which no Rust PDF crate does; without it the editor is told
//! to print from the browser instead.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How long Chromium may take for one file.
pub const TIMEOUT: Duration = Duration::from_secs(60);

/// The Chromium binary to use (`chromium` in the configuration, else
/// Debian's `/usr/bin/chromium`), if it is there.
pub fn chromium(configured: Option<&Path>) -> Option<PathBuf> {
    let path = configured
        .map(Path::to_owned)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    path.is_file().then_some(path)
}

/// Why no PDF came out.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("io: {0}")]
    Io(#[from] std::io::Error),
    #[error("chromium took longer than {0:?}")]
    Timeout(Duration),
    #[error("chromium failed: {0}")]
    Failed(String),
}

/// Prints `html` (a whole page; its `<base href>` says where its styles and
/// images come from) to PDF with `chromium`. Blocking: run it off the async
/// executor.
pub fn print(chromium: &Path, html: &[u8], timeout: Duration) -> Result<Vec<u8>, PdfError> {
    let dir = tempfile::tempdir()?;
    let page = dir.path().join("page.html");
    let out = dir.path().join("out.pdf");
    std::fs::write(&page, html)?;
    let mut child = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-pdf-header-footer",
            "--run-all-compositor-stages-before-draw",
        ])
        .arg(format!(
            "--user-data-dir={}",
            dir.path().join("profile").display()
        ))
        .arg(format!("--print-to-pdf={}", out.display()))
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        // A file, not a pipe: Chromium may log more than a pipe holds.
        .stderr(std::fs::File::create(dir.path().join("chromium.log"))?)
        .spawn()?;
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if started.elapsed() > timeout {
            let _ = child.kill();
            let _ = child.wait();
            return Err(PdfError::Timeout(timeout));
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let pdf = std::fs::read(&out).unwrap_or_default();
    if !status.success() || !pdf.starts_with(b"%PDF") {
        let err = std::fs::read_to_string(dir.path().join("chromium.log")).unwrap_or_default();
        let err: String = err.lines().rev().take(5).collect::<Vec<_>>().join(" | ");
        return Err(PdfError::Failed(format!("{status}: {}", err.trim())));
    }
    Ok(pdf)
}

/// Where this server answers locally (`http://127.0.0.1:8080` for a
/// `0.0.0.0:8080` bind): what the PDF's page loads its styles and images
/// from.
pub fn local_origin(bind: &str) -> String {
    let addr = bind
        .replacen("0.0.0.0:", "127.0.0.1:", 1)
        .replacen("[::]:", "[::1]:", 1);
    format!("http://{addr}/")
}

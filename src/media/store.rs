//! Media files: `uploads/YYYY/MM/<content hash>.<ext>` and the
//! derivatives beside it (`<hash>-640.jpg`, `<hash>-640.webp`); documents
//! under `uploads/files/YYYY/MM/`. The uploader's file name never becomes
//! a path. Every file is written to a hidden temporary file in its folder
//! and renamed into place only once all of an upload's files are written,
//! so a refused or failed upload leaves nothing behind and a half-written
//! file is never served. In a bucket ([`Uploads::Bucket`]) objects appear
//! whole, and an upload's are removed again if one of them fails.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Condvar, Mutex};

use chrono::NaiveDateTime;
use sha2::{Digest, Sha256};

use super::documents::{self, DocKind};
use super::images::{self, Checked, Format, Limits, Refusal, Rendition};
use super::uploads::Uploads;

/// The content-hash part of a name: 12 bytes of SHA-256, in hex.
pub fn hash_name(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .take(12)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `YYYY/MM/<hash>.<ext>`: where an image uploaded at `when` is stored.
pub fn image_path(when: NaiveDateTime, hash: &str, format: Format) -> String {
    format!("{}/{hash}.{}", when.format("%Y/%m"), format.ext())
}

/// `files/YYYY/MM/<hash>.<ext>`: where a document is stored.
pub fn document_path(when: NaiveDateTime, hash: &str, kind: DocKind) -> String {
    format!("files/{}/{hash}.{}", when.format("%Y/%m"), kind.ext())
}

/// The path of one rendition of the image stored at `path`.
pub fn rendition_path(path: &str, suffix: Option<u32>, format: Format) -> String {
    let stem = path.rsplit_once('.').map_or(path, |(s, _)| s);
    match suffix {
        Some(w) => format!("{stem}-{w}.{}", format.ext()),
        None => format!("{stem}.{}", format.ext()),
    }
}

/// Why storing failed: the file was refused, or the disk failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(transparent)]
    Refused(#[from] Refusal),
    #[error(transparent)]
    Encode(#[from] images::EncodeError),
    #[error("writing media: {0}")]
    Io(#[from] io::Error),
}

/// An image as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredImage {
    /// `YYYY/MM/<hash>.<ext>`, under `uploads/`.
    pub path: String,
    pub hash: String,
    pub format: Format,
    /// Upright size of the full image.
    pub width: u32,
    pub height: u32,
    /// Bytes of every file written for it.
    pub bytes: u64,
}

/// Checks `bytes` (uploaded as `name`) and computes every rendition,
/// without writing anything yet. CPU-heavy and blocking: run it off the
/// executor. At most one image per core is processed at a time (a 12 MP
/// photo needs about 200 MB while it is decoded); others wait their turn.
pub fn prepare(name: &str, bytes: &[u8], limits: &Limits) -> Result<Prepared, StoreError> {
    let format = images::precheck(name, bytes, limits)?;
    let _turn = Turn::take();
    let checked = images::decode(format, bytes, limits)?;
    Ok(Prepared::from_checked(hash_name(bytes), checked)?)
}

/// A turn at the image processing, one per core; given back on drop.
struct Turn;

static TURNS: (Mutex<usize>, Condvar) = (Mutex::new(0), Condvar::new());

impl Turn {
    fn take() -> Turn {
        let max = std::thread::available_parallelism().map_or(2, |n| n.get());
        let (lock, cv) = &TURNS;
        let mut busy = lock.lock().unwrap_or_else(|e| e.into_inner());
        while *busy >= max {
            busy = cv.wait(busy).unwrap_or_else(|e| e.into_inner());
        }
        *busy += 1;
        Turn
    }
}

impl Drop for Turn {
    fn drop(&mut self) {
        let (lock, cv) = &TURNS;
        let mut busy = lock.lock().unwrap_or_else(|e| e.into_inner());
        *busy = busy.saturating_sub(1);
        cv.notify_one();
    }
}

/// An image checked and re-encoded, ready to write.
pub struct Prepared {
    pub hash: String,
    pub format: Format,
    pub width: u32,
    pub height: u32,
    pub renditions: Vec<Rendition>,
}

impl Prepared {
    pub fn from_checked(hash: String, checked: Checked) -> Result<Self, images::EncodeError> {
        Ok(Prepared {
            hash,
            format: checked.format,
            width: checked.width(),
            height: checked.height(),
            renditions: images::derive(&checked)?,
        })
    }

    /// Writes every rendition at `path` (all or none).
    pub fn write(&self, uploads: &Uploads, path: &str) -> io::Result<StoredImage> {
        let files: Vec<(String, &[u8])> = self
            .renditions
            .iter()
            .map(|r| (rendition_path(path, r.suffix, r.format), r.bytes.as_slice()))
            .collect();
        uploads.write_all(&files)?;
        Ok(StoredImage {
            path: path.to_owned(),
            hash: self.hash.clone(),
            format: self.format,
            width: self.width,
            height: self.height,
            bytes: files.iter().map(|(_, b)| b.len() as u64).sum(),
        })
    }
}

/// Writes `files` (paths under the folder `uploads`) to temporary files,
/// then renames them all into place; on any failure removes what it wrote.
pub(super) fn write_all(uploads: &Path, files: &[(String, &[u8])]) -> io::Result<()> {
    let mut temps: Vec<(PathBuf, PathBuf)> = Vec::with_capacity(files.len());
    let result = (|| {
        for (rel, bytes) in files {
            let dest = uploads.join(rel);
            let dir = dest.parent().unwrap_or(uploads);
            std::fs::create_dir_all(dir)?;
            let name = dest
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let tmp = dir.join(temp_name(&name));
            temps.push((tmp.clone(), dest));
            std::fs::write(&tmp, bytes)?;
        }
        for (tmp, dest) in &temps {
            std::fs::rename(tmp, dest)?;
        }
        Ok(())
    })();
    if result.is_err() {
        for (tmp, _) in &temps {
            let _ = std::fs::remove_file(tmp);
        }
    }
    result
}

/// A hidden temporary name for `name` that no other writer picks: the
/// host's name, the process id and a counter, so servers sharing one
/// uploads folder (NFS) never write to the same temporary file, nor do
/// two uploads of the same image in one process.
fn temp_name(name: &str) -> String {
    use std::sync::OnceLock;
    use std::sync::atomic::{AtomicU64, Ordering};
    static HOST: OnceLock<String> = OnceLock::new();
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let host = HOST.get_or_init(|| {
        let raw = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default();
        let clean: String = raw
            .trim()
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        if clean.is_empty() {
            "host".into()
        } else {
            clean
        }
    });
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    format!(".{name}.{host}.{}.{n}.part", std::process::id())
}

/// Every file that belongs to the image stored at `path` (it and its
/// derivatives), whether present or not.
pub fn files_of(path: &str, format: Format) -> Vec<String> {
    let mut formats = vec![format];
    if format.gets_webp() {
        formats.push(Format::WebP);
    }
    let mut out = Vec::new();
    for f in formats {
        out.push(rendition_path(path, None, f));
        for w in images::WIDTHS {
            out.push(rendition_path(path, Some(w), f));
        }
    }
    out
}

/// Removes the image stored at `path` and its derivatives.
pub fn remove_image(uploads: &Uploads, path: &str, format: Format) -> io::Result<()> {
    for rel in files_of(path, format) {
        uploads.remove(&rel)?;
    }
    Ok(())
}

/// Re-makes the derivatives of the image stored at `path` from the stored
/// full-size file (after the widths or encoders change).
pub fn regenerate(uploads: &Uploads, path: &str) -> Result<StoredImage, StoreError> {
    let bytes = uploads.read(path)?;
    let (_, format) = crate::domain::image::parse_path(path).ok_or(Refusal::NotAllowed)?;
    // Stale derivatives of widths no longer made go first.
    for rel in files_of(path, format).into_iter().skip(1) {
        let _ = uploads.remove(&rel);
    }
    let _turn = Turn::take();
    let checked = images::decode(format, &bytes, &Limits::default())?;
    let hash = path
        .rsplit('/')
        .next()
        .and_then(|n| n.split('.').next())
        .unwrap_or_default()
        .to_owned();
    let prepared = Prepared::from_checked(hash, checked)?;
    Ok(prepared.write(uploads, path)?)
}

/// Checks a document and writes it; returns its kind, path and size.
pub fn store_document(
    uploads: &Uploads,
    name: &str,
    bytes: &[u8],
    when: NaiveDateTime,
) -> Result<(DocKind, String), StoreError> {
    let kind = documents::check(name, bytes)?;
    let path = document_path(when, &hash_name(bytes), kind);
    if !uploads.exists(&path)? {
        uploads.write_all(&[(path.clone(), bytes)])?;
    }
    Ok((kind, path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporary_names_differ_by_host_process_and_write() {
        let a = temp_name("anh.webp");
        let b = temp_name("anh.webp");
        assert_ne!(a, b);
        assert!(a.starts_with(".anh.webp.") && a.ends_with(".part"), "{a}");
        assert!(a.contains(&format!(".{}.", std::process::id())), "{a}");
        let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default();
        let host: String = host
            .trim()
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        if !host.is_empty() {
            assert!(a.contains(&format!(".{host}.")), "{a}");
        }
    }
}

//! `loa media regenerate`: makes every library image's derivatives again
//! from its stored full-size file (after the widths or the encoders
//! change), registers featured images stored before the library existed,
//! and renders again the bodies that show library images (their `srcset`
//! lists the widths).

use std::path::Path;

use chrono::NaiveDateTime;
use diesel::SqliteConnection;
use indicatif::{ProgressBar, ProgressStyle};

use super::{images, responsive, store};
use crate::storage::media as library;

/// What a regeneration did.
#[derive(Debug, Default)]
pub struct Report {
    pub images: usize,
    pub registered: usize,
    pub bodies: usize,
    /// Paths that failed, with the reason.
    pub failed: Vec<(String, String)>,
}

/// Regenerates everything; shows a progress bar when `progress`.
pub fn regenerate_all(
    conn: &mut SqliteConnection,
    uploads: &Path,
    now: NaiveDateTime,
    progress: bool,
) -> diesel::QueryResult<Report> {
    let mut report = Report::default();
    for (path, alt, caption) in library::unregistered_featured(conn)? {
        match register(conn, uploads, &path, &alt, &caption, now) {
            Ok(()) => report.registered += 1,
            Err(e) => report.failed.push((path, e)),
        }
    }
    let paths = library::all_paths(conn)?;
    let bar = if progress {
        let bar = ProgressBar::new(paths.len() as u64);
        bar.set_style(
            ProgressStyle::with_template("{bar:40} {pos}/{len} {eta} {wide_msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar
    } else {
        ProgressBar::hidden()
    };
    for path in paths {
        bar.set_message(path.clone());
        match store::regenerate(uploads, &path) {
            Ok(_) => report.images += 1,
            Err(e) => report.failed.push((path, e.to_string())),
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    for (id, md) in library::bodies_using_media(conn)? {
        let html = super::render_body(conn, &md)?;
        library::set_body_html(conn, id, html.as_str())?;
        report.bodies += 1;
    }
    Ok(report)
}

/// Adds a featured image stored before the library to it.
fn register(
    conn: &mut SqliteConnection,
    uploads: &Path,
    path: &str,
    alt: &str,
    caption: &str,
    now: NaiveDateTime,
) -> Result<(), String> {
    let (stem, format) = responsive::parse_path(path).ok_or("not a library path")?;
    let bytes = std::fs::read(uploads.join(path)).map_err(|e| e.to_string())?;
    let checked =
        images::decode(format, &bytes, &images::Limits::default()).map_err(|e| e.to_string())?;
    let hash = stem.rsplit('/').next().unwrap_or(stem);
    let name = path.rsplit('/').next().unwrap_or(path);
    let (row, _) = library::insert(
        conn,
        &library::NewMedia {
            hash,
            path,
            format: format.as_str(),
            width: checked.width() as i32,
            height: checked.height() as i32,
            size_bytes: i32::try_from(bytes.len()).unwrap_or(i32::MAX),
            original_name: name,
            alt,
            caption,
            search_text: library::search_text(alt, caption, name),
            uploaded_by: "regenerate",
            created_at: now,
        },
    )
    .map_err(|e| e.to_string())?;
    // Its entries now count as using it.
    library::link_featured(conn, row.id, path).map_err(|e| e.to_string())
}

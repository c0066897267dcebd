//! The media library's writes that span files and rows: registering an
//! image already written under `uploads/` (an upload, an imported image,
//! a featured image from before the library), and `loa media regenerate`.

use crate::media::uploads::Uploads;
use crate::storage::Db;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use indicatif::{ProgressBar, ProgressStyle};

use super::entries;
use crate::domain::image::parse_path;
use crate::media::images;
use crate::media::store::{self, StoredImage};
use crate::storage::media::{self as library, Media, NewMedia};

/// Who adds an image to the library, and its words.
#[derive(Debug, Clone, Copy)]
pub struct Registration<'a> {
    /// The file's name as it arrived (searchable in the library).
    pub original_name: &'a str,
    pub alt: &'a str,
    pub caption: &'a str,
    /// A username, or `import`, `regenerate`.
    pub by: &'a str,
    pub now: NaiveDateTime,
}

/// Adds an image written under `uploads/` to the library, once: the same
/// bytes (by hash) give back the row there already. Entries whose
/// featured image it is count as using it. Says whether the row is new.
pub fn register(
    conn: &mut Db,
    stored: &StoredImage,
    r: Registration<'_>,
) -> QueryResult<(Media, bool)> {
    crate::storage::write(conn, |conn| {
        let (row, new) = library::insert(
            conn,
            &NewMedia {
                hash: &stored.hash,
                path: &stored.path,
                format: stored.format.as_str(),
                width: i32::try_from(stored.width).unwrap_or(i32::MAX),
                height: i32::try_from(stored.height).unwrap_or(i32::MAX),
                size_bytes: i32::try_from(stored.bytes).unwrap_or(i32::MAX),
                original_name: r.original_name,
                alt: r.alt,
                caption: r.caption,
                search_text: library::search_text(r.alt, r.caption, r.original_name),
                uploaded_by: r.by,
                created_at: r.now,
            },
        )?;
        library::link_featured(conn, row.id, &stored.path)?;
        Ok((row, new))
    })
}

/// What a regeneration did.
#[derive(Debug, Default)]
pub struct Report {
    pub images: usize,
    pub registered: usize,
    pub bodies: usize,
    /// Paths that failed, with the reason.
    pub failed: Vec<(String, String)>,
}

/// Makes every library image's derivatives again from its stored
/// full-size file (after the widths or the encoders change), registers
/// featured images stored before the library existed, and renders again,
/// through the save path's [`entries::rerender`], the bodies that show
/// library images (their `srcset` lists the widths). Shows a progress bar
/// when `progress`.
pub fn regenerate_all(
    conn: &mut Db,
    uploads: &Uploads,
    now: NaiveDateTime,
    progress: bool,
) -> QueryResult<Report> {
    let mut report = Report::default();
    for (path, alt, caption) in library::unregistered_featured(conn)? {
        match register_existing(conn, uploads, &path, &alt, &caption, now) {
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
    for id in library::entries_using_media(conn)? {
        entries::rerender(conn, id)?;
        report.bodies += 1;
    }
    Ok(report)
}

/// Adds a featured image stored before the library to it.
fn register_existing(
    conn: &mut Db,
    uploads: &Uploads,
    path: &str,
    alt: &str,
    caption: &str,
    now: NaiveDateTime,
) -> Result<(), String> {
    let (stem, format) = parse_path(path).ok_or("not a library path")?;
    let bytes = uploads.read(path).map_err(|e| e.to_string())?;
    let checked =
        images::decode(format, &bytes, &images::Limits::default()).map_err(|e| e.to_string())?;
    let stored = StoredImage {
        path: path.to_owned(),
        hash: stem.rsplit('/').next().unwrap_or(stem).to_owned(),
        format,
        width: checked.width(),
        height: checked.height(),
        bytes: bytes.len() as u64,
    };
    let name = path.rsplit('/').next().unwrap_or(path);
    register(
        conn,
        &stored,
        Registration {
            original_name: name,
            alt,
            caption,
            by: "regenerate",
            now,
        },
    )
    .map(|_| ())
    .map_err(|e| e.to_string())
}

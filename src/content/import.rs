//! `loa import DIR`: site identity, categories and entries from files,
//! idempotent by slug (re-importing unchanged files changes nothing).

use crate::storage::Db;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono_tz::Tz;
use indicatif::{ProgressBar, ProgressStyle};
use serde::Deserialize;
use walkdir::WalkDir;

use super::files::{self, ContentFile};
use crate::domain::entry::EntryKind;
use crate::domain::slug;
use crate::media::uploads::Uploads;
use crate::media::{images, store};
use crate::service::entries::{self as save_path, Save, SaveError, Saved, Saver};
use crate::service::media::{self as library, Registration};
use crate::storage::categories::{self, CategoryData};
use crate::storage::entries::{self, Clash, EntryData};
use crate::storage::media as media_store;
use crate::storage::settings;

/// What an import did.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Report {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub categories: usize,
    /// Records of `documents.toml` created or changed.
    pub documents: usize,
    /// Pages (`pages/`) created or changed.
    pub pages: usize,
    /// Translations (`*.en.md`) created or changed.
    pub translations: usize,
    /// Files that could not be imported, with the reason.
    pub failed: Vec<(PathBuf, String)>,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{0} is not a folder")]
    NotAFolder(PathBuf),
    #[error("{0}: {1}")]
    File(PathBuf, String),
    #[error("database: {0}")]
    Db(#[from] diesel::result::Error),
}

/// Where imported media go, and the zone of dates written without offset.
pub struct Target<'a> {
    pub uploads: &'a Uploads,
    pub tz: Tz,
    pub now: chrono::NaiveDateTime,
    pub progress: bool,
}

/// `documents.toml`: the document registry, `[[document]]` tables.
#[derive(Deserialize)]
struct DocumentsFile {
    #[serde(default)]
    document: Vec<crate::domain::document::DocumentInput>,
}

#[derive(Deserialize)]
struct CategoriesFile {
    #[serde(default)]
    category: Vec<CategoryData>,
}

/// Imports everything under `dir`.
pub fn import_dir(conn: &mut Db, dir: &Path, target: &Target) -> Result<Report, ImportError> {
    if !dir.is_dir() {
        return Err(ImportError::NotAFolder(dir.to_owned()));
    }
    let mut report = Report::default();

    let site = dir.join("site.toml");
    if site.is_file() {
        let text = read(&site)?;
        let table: BTreeMap<String, String> = toml::from_str(&text)
            .map_err(|e| ImportError::File(site.clone(), e.message().to_owned()))?;
        for (k, v) in table {
            settings::set(conn, &format!("{}{k}", settings::SITE_PREFIX), &v)?;
        }
    }

    let cats = dir.join("categories.toml");
    if cats.is_file() {
        let text = read(&cats)?;
        let file: CategoriesFile = toml::from_str(&text)
            .map_err(|e| ImportError::File(cats.clone(), e.message().to_owned()))?;
        for (i, mut c) in file.category.into_iter().enumerate() {
            if !slug::is_valid(&c.slug) {
                report.failed.push((
                    cats.clone(),
                    format!("category slug {:?} is not a valid slug", c.slug),
                ));
                continue;
            }
            if c.position == 0 {
                c.position = i as i32 + 1;
            }
            categories::upsert(conn, &c)?;
            report.categories += 1;
        }
    }

    let docs = dir.join("documents.toml");
    if docs.is_file() {
        let text = read(&docs)?;
        let file: DocumentsFile = toml::from_str(&text)
            .map_err(|e| ImportError::File(docs.clone(), e.message().to_owned()))?;
        for d in file.document {
            match crate::domain::document::validate(&d) {
                Ok(valid) => {
                    let saved = crate::service::documents::save_by_slug(conn, &valid, target.now)?;
                    if !matches!(saved, crate::storage::documents::Saved::Unchanged(_)) {
                        report.documents += 1;
                    }
                }
                Err(problems) => report.failed.push((
                    docs.clone(),
                    format!(
                        "document {:?}: bad {}",
                        d.number,
                        problems.iter().map(|p| p.0).collect::<Vec<_>>().join(", ")
                    ),
                )),
            }
        }
    }

    // Pages have their own front matter and are imported after entries.
    let pages_dir = dir.join(super::pages::FOLDER);
    let mut paths: Vec<PathBuf> = WalkDir::new(dir)
        .follow_links(false)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .filter(|p| {
            p.extension().is_some_and(|x| x == "md")
                && !p
                    .file_name()
                    .is_some_and(|n| n.eq_ignore_ascii_case("README.md"))
        })
        .collect();
    paths.sort();
    // Translations (`x.en.md`) come after their originals.
    let (translated, paths): (Vec<PathBuf>, Vec<PathBuf>) = paths
        .into_iter()
        .partition(|p| super::translations::original_of(p).is_some());
    let paths: Vec<PathBuf> = paths
        .into_iter()
        .filter(|p| !p.starts_with(&pages_dir))
        .collect();

    let bar = if target.progress {
        let bar = ProgressBar::new(paths.len() as u64);
        bar.set_style(
            ProgressStyle::with_template("{bar:40} {pos}/{len} {wide_msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar
    } else {
        ProgressBar::hidden()
    };

    // Bulletins list other entries; link them once every entry exists.
    let mut bulletins: Vec<(PathBuf, i32, Vec<String>)> = Vec::new();
    // Two files must not claim one slug, or each run would swap them.
    let mut seen: BTreeMap<String, PathBuf> = BTreeMap::new();
    for path in &paths {
        bar.set_message(path.display().to_string());
        match import_file(conn, path, target, &mut seen) {
            Ok((saved, items)) => {
                match saved {
                    Saved::Created(_) => report.created += 1,
                    Saved::Updated(_) => report.updated += 1,
                    Saved::Unchanged(_) => report.unchanged += 1,
                }
                if let Some(items) = items {
                    bulletins.push((path.clone(), saved.id(), items));
                }
            }
            Err(message) => report.failed.push((path.clone(), message)),
        }
        bar.inc(1);
    }
    bar.finish_and_clear();

    for (path, bulletin_id, slugs) in bulletins {
        let mut ids = Vec::with_capacity(slugs.len());
        for s in &slugs {
            match entries::find_by_slug(conn, s)? {
                Some(e) => ids.push(e.id),
                None => report.failed.push((
                    path.clone(),
                    format!("bulletin lists {s:?}, which is not an entry"),
                )),
            }
        }
        save_path::set_items(conn, bulletin_id, &ids)?;
    }

    if pages_dir.is_dir() {
        let by = Saver {
            name: "import",
            now: target.now,
        };
        let pages = super::pages::import(conn, &pages_dir, by)?;
        report.pages = pages.saved;
        report.failed.extend(pages.failed);
    }

    let by = Saver {
        name: "import",
        now: target.now,
    };
    for path in translated {
        let Some((original_file, lang)) = super::translations::original_of(&path) else {
            continue;
        };
        let original = if path.starts_with(&pages_dir) {
            super::pages::page_of_file(conn, &original_file)?
                .map(crate::storage::translations::Original::Page)
        } else {
            match seen.iter().find(|(_, p)| **p == original_file) {
                Some((slug, _)) => entries::find_by_slug(conn, slug)?
                    .map(|e| crate::storage::translations::Original::Entry(e.id)),
                None => None,
            }
        };
        let Some(original) = original else {
            report.failed.push((
                path.clone(),
                format!(
                    "a translation of {}, which is not imported",
                    original_file.display()
                ),
            ));
            continue;
        };
        match super::translations::import_one(conn, &path, original, lang, by)? {
            Ok(Saved::Unchanged(_)) => {}
            Ok(_) => report.translations += 1,
            Err(why) => report.failed.push((path, why)),
        }
    }
    Ok(report)
}

fn read(path: &Path) -> Result<String, ImportError> {
    std::fs::read_to_string(path).map_err(|e| ImportError::File(path.to_owned(), e.to_string()))
}

/// Imports one file; returns how it was saved and, for a bulletin, the
/// slugs of its items.
fn import_file(
    conn: &mut Db,
    path: &Path,
    target: &Target,
    seen: &mut BTreeMap<String, PathBuf>,
) -> Result<(Saved, Option<Vec<String>>), String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let ContentFile { front, body } = files::parse(&text).map_err(|e| e.to_string())?;
    let kind = front
        .kind
        .or_else(|| kind_from_folder(path))
        .ok_or("no `kind` (article, bulletin or leaflet) and the folder does not say")?;
    if front.title.trim().is_empty() {
        return Err("`title` is empty".into());
    }
    let slug = match &front.slug {
        Some(s) if slug::is_valid(s) => s.clone(),
        Some(s) => {
            return Err(format!(
                "slug {s:?} must be lower-case ASCII letters, digits and single hyphens"
            ));
        }
        None => slug::slugify_or(&front.title, kind.as_str()),
    };
    if let Some(other) = seen.get(&slug) {
        return Err(format!(
            "slug {slug:?} is already used by {}",
            other.display()
        ));
    }
    seen.insert(slug.clone(), path.to_owned());
    let category_id = match &front.category {
        Some(c) => Some(
            categories::find_by_slug(conn, c)
                .map_err(|e| e.to_string())?
                .ok_or_else(|| format!("category {c:?} is not in categories.toml"))?
                .id,
        ),
        None => None,
    };
    let publish_at = front
        .published_at
        .as_ref()
        .map(|d| files::to_utc(d, target.tz))
        .transpose()
        .map_err(|e| e.to_string())?;
    if front.status == crate::domain::entry::Status::Published && publish_at.is_none() {
        return Err("status = \"published\" needs published_at (when it becomes public)".into());
    }
    let image = match &front.image {
        Some(meta) => {
            let src = path.parent().unwrap_or(Path::new(".")).join(&meta.src);
            Some(store_image(
                conn,
                &src,
                meta,
                target.uploads,
                publish_at.unwrap_or(target.now),
            )?)
        }
        None => None,
    };
    let (series, number, year, items) = match (&front.bulletin, kind) {
        (Some(b), EntryKind::Bulletin) => (
            Some(b.series.clone()),
            Some(b.number),
            Some(b.year),
            Some(b.entries.clone()),
        ),
        (Some(_), _) => return Err("[bulletin] is only for kind = \"bulletin\"".into()),
        (None, _) => (None, None, None, None),
    };
    let leaflet_format = match (&front.leaflet, kind) {
        (Some(l), EntryKind::Leaflet) => Some(l.format.as_str().to_owned()),
        (Some(_), _) => return Err("[leaflet] is only for kind = \"leaflet\"".into()),
        (None, _) => None,
    };
    let data = EntryData {
        kind,
        slug,
        title: front.title.trim().to_owned(),
        summary: front.summary.trim().to_owned(),
        // Rendered by the save path.
        body_html: String::new(),
        body_md: body,
        byline: front.byline.trim().to_owned(),
        category_id,
        image_path: image.as_ref().map(|i| i.path.clone()),
        image_alt: front
            .image
            .as_ref()
            .map(|i| i.alt.clone())
            .unwrap_or_default(),
        image_caption: front
            .image
            .as_ref()
            .map(|i| i.caption.clone())
            .unwrap_or_default(),
        image_width: image.as_ref().map(|i| i.width),
        image_height: image.as_ref().map(|i| i.height),
        comments_open: front.comments_open,
        featured: front.featured,
        status: front.status,
        publish_at,
        bulletin_series: series,
        bulletin_number: number,
        bulletin_year: year,
        leaflet_format,
    };
    let updated_at = front
        .updated_at
        .as_ref()
        .map(|d| files::to_utc(d, target.tz))
        .transpose()
        .map_err(|e| e.to_string())?;
    // The content's own date, not the moment of import.
    let changed = updated_at.or(publish_at).unwrap_or(target.now);
    let save = Save {
        data,
        tags: &front.tags,
        items: None,
        by: Saver {
            name: "import",
            now: changed,
        },
    };
    let saved = save_path::save(conn, save_path::Target::BySlug, save).map_err(|e| match e {
        SaveError::Clash(Clash::BulletinNumber) => {
            "another bulletin already has this series, year and number".to_owned()
        }
        other => other.to_string(),
    })?;
    Ok((saved, items))
}

fn kind_from_folder(path: &Path) -> Option<EntryKind> {
    let folder = path.parent()?.file_name()?.to_str()?;
    EntryKind::from_path_segment(folder)
}

/// Stores an image through the media library: checked and re-encoded
/// like an upload, under `uploads/YYYY/MM/<content hash>.<ext>` with its
/// derivatives, once (the same bytes always get the same name, and a file
/// already in the library is reused), with the front matter's alt text
/// and caption as the library's.
fn store_image(
    conn: &mut Db,
    src: &Path,
    meta: &files::ImageMeta,
    uploads: &Uploads,
    when: chrono::NaiveDateTime,
) -> Result<media_store::Media, String> {
    let bytes = std::fs::read(src).map_err(|e| format!("image {}: {e}", src.display()))?;
    // A file exported by loa is named after its library hash already (its
    // bytes are the re-encoded ones): it keeps that name, so an export
    // imported elsewhere gives the same paths.
    let hash = src
        .file_stem()
        .and_then(|s| s.to_str())
        .filter(|s| s.len() == 24 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
        .map(str::to_owned)
        .unwrap_or_else(|| store::hash_name(&bytes));
    if let Some(existing) = media_store::find_by_hash(conn, &hash).map_err(|e| e.to_string())? {
        return Ok(existing);
    }
    let name = src
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let refused = |e: store::StoreError| format!("image {}: {e}", src.display());
    let prepared = store::prepare(&name, &bytes, &images::Limits::default()).map_err(refused)?;
    let path = store::image_path(when, &hash, prepared.format);
    let stored = prepared
        .write(uploads, &path)
        .map_err(|e| format!("image {}: {e}", src.display()))?;
    let (row, _) = library::register(
        conn,
        &stored,
        Registration {
            original_name: &name,
            alt: &meta.alt,
            caption: &meta.caption,
            by: "import",
            now: when,
        },
    )
    .map_err(|e| e.to_string())?;
    Ok(row)
}

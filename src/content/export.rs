//! `loa export DIR`: every entry back to files that import to the same
//! entries (site identity, categories, the document registry, Markdown
//! files, their images).

use crate::storage::Db;
use std::collections::BTreeMap;
use std::path::Path;

use chrono_tz::Tz;
use indicatif::ProgressBar;
use serde::Serialize;

use super::files::{self, BulletinMeta, ContentFile, FrontMatter, ImageMeta, LeafletMeta};
use crate::domain::entry::EntryKind;
use crate::media::uploads::Uploads;
use crate::storage::categories::{self, CategoryData};
use crate::storage::{entries, settings, tags};

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("{0}: {1}")]
    Io(String, std::io::Error),
    #[error("database: {0}")]
    Db(#[from] diesel::result::Error),
    #[error("cannot write TOML: {0}")]
    Toml(#[from] toml::ser::Error),
}

/// One record of `documents.toml`, in the file's own key names.
#[derive(Serialize)]
struct DocumentRecord {
    #[serde(rename = "type")]
    doc_type: String,
    number: String,
    issuer: String,
    issued_on: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    effective_on: String,
    status: String,
    #[serde(rename = "abstract")]
    abstract_text: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    file: String,
}

#[derive(Serialize)]
struct DocumentsFile {
    document: Vec<DocumentRecord>,
}

#[derive(Serialize)]
struct CategoriesFile {
    category: Vec<CategoryData>,
}

pub(super) fn write(path: &Path, text: &str) -> Result<(), ExportError> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| ExportError::Io(dir.display().to_string(), e))?;
    }
    std::fs::write(path, text).map_err(|e| ExportError::Io(path.display().to_string(), e))
}

/// Writes every entry under `dir`; returns how many.
pub fn export_dir(
    conn: &mut Db,
    dir: &Path,
    uploads: &Uploads,
    tz: Tz,
    progress: bool,
) -> Result<usize, ExportError> {
    let site: BTreeMap<String, String> = settings::with_prefix(conn, settings::SITE_PREFIX)?
        .into_iter()
        .map(|(k, v)| (k[settings::SITE_PREFIX.len()..].to_owned(), v))
        .collect();
    write(&dir.join("site.toml"), &toml::to_string(&site)?)?;
    let cats = categories::all(conn)?;
    let file = CategoriesFile {
        category: cats
            .iter()
            .map(|c| CategoryData {
                slug: c.slug.clone(),
                name: c.name.clone(),
                description: c.description.clone(),
                position: c.position,
            })
            .collect(),
    };
    write(&dir.join("categories.toml"), &toml::to_string(&file)?)?;
    let cat_slug: BTreeMap<i32, String> = cats.into_iter().map(|c| (c.id, c.slug)).collect();

    // The registry, oldest first (as an editor would add to the file).
    let mut docs = crate::storage::documents::all(conn)?;
    docs.reverse();
    if !docs.is_empty() {
        let file = DocumentsFile {
            document: docs
                .into_iter()
                .map(|d| DocumentRecord {
                    doc_type: d.doc_type,
                    number: d.number,
                    issuer: d.issuer,
                    issued_on: d.issued_on.to_string(),
                    effective_on: d.effective_on.map(|e| e.to_string()).unwrap_or_default(),
                    status: d.status.as_str().to_owned(),
                    abstract_text: d.abstract_text,
                    file: d.file_path.unwrap_or_default(),
                })
                .collect(),
        };
        write(&dir.join("documents.toml"), &toml::to_string(&file)?)?;
    }

    let all = entries::all(conn)?;
    let bar = if progress {
        ProgressBar::new(all.len() as u64)
    } else {
        ProgressBar::hidden()
    };
    for e in &all {
        let folder = e.kind.path_segment();
        let image = match &e.image_path {
            Some(p) => {
                let name = Path::new(p)
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let dest = dir.join("media").join(&name);
                if let Some(parent) = dest.parent() {
                    std::fs::create_dir_all(parent)
                        .map_err(|err| ExportError::Io(parent.display().to_string(), err))?;
                }
                let bytes = uploads
                    .read(p)
                    .map_err(|err| ExportError::Io(p.clone(), err))?;
                std::fs::write(&dest, bytes)
                    .map_err(|err| ExportError::Io(dest.display().to_string(), err))?;
                Some(ImageMeta {
                    src: format!("../media/{name}"),
                    alt: e.image_alt.clone(),
                    caption: e.image_caption.clone(),
                })
            }
            None => None,
        };
        let bulletin = match (
            e.kind,
            &e.bulletin_series,
            e.bulletin_number,
            e.bulletin_year,
        ) {
            (EntryKind::Bulletin, Some(series), Some(number), Some(year)) => Some(BulletinMeta {
                series: series.clone(),
                number,
                year,
                entries: entries::bulletin_item_slugs(conn, e.id)?,
            }),
            _ => None,
        };
        let front = FrontMatter {
            kind: Some(e.kind),
            title: e.title.clone(),
            slug: Some(e.slug.clone()),
            summary: e.summary.clone(),
            byline: e.byline.clone(),
            category: e.category_id.and_then(|id| cat_slug.get(&id).cloned()),
            tags: tags::names_for_entry(conn, e.id)?,
            status: e.status,
            published_at: e.publish_at.map(|t| files::from_utc(t, tz)),
            updated_at: (Some(e.updated_at) != e.publish_at)
                .then(|| files::from_utc(e.updated_at, tz)),
            comments_open: e.comments_open,
            featured: e.featured,
            image,
            bulletin,
            leaflet: e.leaflet_format().map(|format| LeafletMeta { format }),
        };
        let text = files::render(&ContentFile {
            front,
            body: e.body_md.clone(),
        })?;
        write(&dir.join(folder).join(format!("{}.md", e.slug)), &text)?;
        bar.inc(1);
    }
    bar.finish_and_clear();
    for (kind, slug, t) in crate::storage::translations::all_of_entries(conn)? {
        let folder = kind
            .parse::<EntryKind>()
            .map_or("articles", EntryKind::path_segment);
        write(
            &dir.join(folder).join(format!("{slug}.{}.md", t.lang)),
            &super::translations::render(&t, Vec::new())?,
        )?;
    }
    // The department's pages, beside the entries (not counted as entries).
    super::pages::export(conn, &dir.join(super::pages::FOLDER))?;
    Ok(all.len())
}

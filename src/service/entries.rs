//! The one save path for an entry. Every writer (the editor, restore,
//! import, tests) goes through [`save`]: it renders the body, derives
//! everything that follows from the entry (tags, revision, old-slug
//! redirect, bulletin items, search row, cited document numbers, media
//! uses) and writes it all in one transaction. What is derived is
//! refreshed by [`refresh`] when its source changes elsewhere (a category
//! or tag renamed, the index rebuilt, library images regenerated).

use crate::storage::Db;
use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::index;
pub use crate::domain::Saved;
use crate::domain::entry::is_public;
use crate::domain::slug;
use crate::render::{SafeHtml, doclinks, markdown};
use crate::storage::entries::{self, Clash, Entry, EntryData};
use crate::storage::revisions::Revision;
use crate::storage::{documents, media, redirects, revisions, tags};

/// The revision snapshot: the entry's fields plus its tag names.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    #[serde(flatten)]
    pub data: EntryData,
    pub tags: Vec<String>,
}

/// The fields a revision saved; `None` if its JSON no longer parses.
pub fn snapshot_of(revision: &Revision) -> Option<Snapshot> {
    serde_json::from_str(&revision.snapshot).ok()
}

/// Who saves, and when.
#[derive(Debug, Clone, Copy)]
pub struct Saver<'a> {
    pub name: &'a str,
    pub now: NaiveDateTime,
}

/// Which entry a save writes.
#[derive(Debug, Clone, Copy)]
pub enum Target {
    /// A new entry, written by this account (none for imports).
    New { author_id: Option<i32> },
    /// Entry `id`, if it is still at `version` (the version the form
    /// started from); otherwise [`SaveError::Conflict`].
    Existing { id: i32, version: i32 },
    /// The entry with the data's slug, created when there is none (import
    /// and export use slugs as identity).
    BySlug,
}

/// What a save writes. `data.body_html` is ignored: the body is rendered
/// from `data.body_md` here.
#[derive(Debug, Clone)]
pub struct Save<'a> {
    pub data: EntryData,
    pub tags: &'a [String],
    /// A bulletin's items, in order (`None` leaves them as they are).
    pub items: Option<&'a [i32]>,
    pub by: Saver<'a>,
}

/// Why a save wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum SaveError {
    /// Someone else saved the entry since the form was opened: the entry
    /// as it is now.
    #[error("entry changed since version {expected}")]
    Conflict { expected: i32, current: Box<Entry> },
    /// Another entry took the slug or the bulletin's number meanwhile.
    #[error("unique key taken: {0:?}")]
    Clash(Clash),
    #[error(transparent)]
    Db(#[from] diesel::result::Error),
}

/// Saves an entry: renders its body, then in one write transaction writes
/// the row, its tags, an old-slug redirect, a revision, the bulletin's
/// items, its search row, the document numbers it cites and the library
/// images it shows. A save that changes nothing writes nothing (which
/// makes imports idempotent), bulletin items aside.
pub fn save(conn: &mut Db, target: Target, save: Save<'_>) -> Result<Saved, SaveError> {
    let mut data = save.data;
    data.body_html = render_body(conn, &data.body_md)?.into_string();
    let tags = tag_set(save.tags);
    let result = crate::storage::write(conn, |conn| {
        let existing = match target {
            Target::New { .. } => None,
            Target::BySlug => entries::find_by_slug(conn, &data.slug)?,
            Target::Existing { id, version } => {
                let current = entries::find(conn, id)?;
                if current.version != version {
                    return Err(SaveError::Conflict {
                        expected: version,
                        current: Box::new(current),
                    });
                }
                Some(current)
            }
        };
        let author_id = match target {
            Target::New { author_id } => author_id,
            _ => None,
        };
        let saved = write(conn, existing, &data, tags, author_id, save.by)?;
        if let Some(items) = save.items {
            entries::set_bulletin_items(conn, saved.id(), items)?;
        }
        Ok(saved)
    });
    result.map_err(|e| match e {
        SaveError::Db(db) => match entries::clash(&db) {
            Some(c) => SaveError::Clash(c),
            None => SaveError::Db(db),
        },
        other => other,
    })
}

/// Creates the entry with `data.slug`, or updates it: [`save`] with
/// [`Target::BySlug`], as imports and tests use it.
pub fn save_by_slug(
    conn: &mut Db,
    data: &EntryData,
    tags: &[String],
    saved_by: &str,
    now: NaiveDateTime,
) -> Result<Saved, SaveError> {
    let save = Save {
        data: data.clone(),
        tags,
        items: None,
        by: Saver {
            name: saved_by,
            now,
        },
    };
    self::save(conn, Target::BySlug, save)
}

/// Replaces a bulletin's items (an import links them once every entry
/// exists), in one transaction.
pub fn set_items(conn: &mut Db, bulletin_id: i32, ids: &[i32]) -> QueryResult<()> {
    crate::storage::write(conn, |conn| {
        entries::set_bulletin_items(conn, bulletin_id, ids)
    })
}

/// Tags are a set, listed in Vietnamese order (as `tags::names_for_entry`
/// gives them back, so that an unchanged save compares equal).
fn tag_set(tag_names: &[String]) -> Vec<String> {
    let mut tags: Vec<String> = tag_names
        .iter()
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
        .collect();
    slug::sort_names(&mut tags, |t| t);
    tags.dedup();
    tags
}

/// Writes `data` over `existing` (or as a new entry) with everything
/// derived from it, inside the caller's transaction.
fn write(
    conn: &mut Db,
    existing: Option<Entry>,
    data: &EntryData,
    tags: Vec<String>,
    author_id: Option<i32>,
    by: Saver,
) -> Result<Saved, SaveError> {
    let snapshot = Snapshot {
        data: data.clone(),
        tags,
    };
    let (saved, version) = match existing {
        Some(existing) => {
            let current = Snapshot {
                data: existing.data(),
                tags: tags::names_for_entry(conn, existing.id)?,
            };
            if current == snapshot {
                return Ok(Saved::Unchanged(existing.id));
            }
            if existing.slug != data.slug && is_public(existing.status, existing.publish_at, by.now)
            {
                // Links to the old address keep working (301).
                redirects::add(conn, &existing.slug, existing.id)?;
            }
            let version = existing.version + 1;
            entries::update_row(conn, existing.id, data, version, by.now)?;
            (Saved::Updated(existing.id), version)
        }
        None => (
            Saved::Created(entries::insert(conn, data, author_id, by.now)?),
            1,
        ),
    };
    let id = saved.id();
    // The live slug is nobody's old address any more.
    redirects::remove(conn, &data.slug)?;
    tags::set_for_entry(conn, id, &snapshot.tags)?;
    let json = serde_json::to_string(&snapshot)
        .map_err(|e| diesel::result::Error::SerializationError(Box::new(e)))?;
    revisions::record(conn, id, &json, by.name, by.now, version)?;
    derive(conn, id, data, &snapshot.tags)?;
    Ok(saved)
}

/// Writes what follows from an entry's fields: its search row, the
/// document numbers its text cites, and the library images it shows.
fn derive(conn: &mut Db, id: i32, data: &EntryData, tag_names: &[String]) -> QueryResult<()> {
    index::index(conn, id, data, tag_names)?;
    documents::set_citations(conn, id, &cited_numbers(data))?;
    media::sync_uses(conn, id, data.image_path.as_deref(), &data.body_md)
}

/// Derives again what follows from entry `id` (after a category or tag it
/// names changed, or the index is rebuilt). Nothing happens for an id
/// that no longer exists.
pub fn refresh(conn: &mut Db, id: i32) -> QueryResult<()> {
    let Some(entry) = entries::find(conn, id).optional()? else {
        return index::unindex(conn, id);
    };
    let tag_names = tags::names_for_entry(conn, id)?;
    derive(conn, id, &entry.data(), &tag_names)
}

/// Renders entry `id`'s body again (new image sizes, a new renderer) and
/// refreshes what derives from it. No new version: the text the editor
/// wrote has not changed. Says whether the stored HTML changed.
pub fn rerender(conn: &mut Db, id: i32) -> QueryResult<bool> {
    crate::storage::write(conn, |conn| {
        let entry = entries::find(conn, id)?;
        let html = render_body(conn, &entry.body_md)?.into_string();
        let changed = html != entry.body_html;
        if changed {
            entries::set_body_html(conn, id, &html)?;
        }
        let mut data = entry.data();
        data.body_html = html;
        let tag_names = tags::names_for_entry(conn, id)?;
        derive(conn, id, &data, &tag_names)?;
        Ok(changed)
    })
}

/// Renders an entry body: library images become `<picture>`/`srcset`
/// with their stored width and height, and the document numbers it cites
/// that are in the registry become links to their records (pages print
/// the stored body as it is: no scan of its text per request).
pub fn render_body(conn: &mut Db, md: &str) -> QueryResult<SafeHtml> {
    let paths = markdown::image_paths(md);
    let sizes = if paths.is_empty() {
        Default::default()
    } else {
        media::dimensions(conn, &paths)?
    };
    let html = markdown::render_with(md, &sizes);
    let numbers = doclinks::linkable_numbers(html.as_str());
    if numbers.is_empty() {
        return Ok(html);
    }
    let targets: HashMap<String, String> = documents::slugs_for_numbers(conn, &numbers)?
        .into_iter()
        .map(|(number, slug)| (number, document_url(&slug)))
        .collect();
    Ok(doclinks::link(&html, &targets))
}

/// The address of the registry record with `slug`.
pub fn document_url(slug: &str) -> String {
    format!("/documents/{slug}")
}

/// The document numbers an entry's text cites: those that would link in
/// its body (not inside links or code), and those in its summary.
pub fn cited_numbers(data: &EntryData) -> Vec<String> {
    doclinks::cited(&data.body_html, &data.summary)
}

//! The one save path for pages: the body rendered once (as for entries,
//! with library images and document links), the tree path kept for the
//! page and everything below it, every path a page leaves answered with a
//! 301, and a revision per save, in one write transaction.

use crate::storage::Db;

use super::entries::{Saver, render_body};
pub use crate::domain::Saved;
use crate::domain::page::{Contact, ValidPage, path_under};
use crate::storage::pages::{self, Page, PageData};

/// Which page a save writes.
#[derive(Debug, Clone, Copy)]
pub enum Target {
    New,
    /// Page `id`, if it is still at `version` (the form's).
    Existing {
        id: i32,
        version: i32,
    },
    /// The page at the data's path, created when there is none (import).
    ByPath,
}

/// Why a save wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum PageError {
    /// Someone saved the page since the form was opened: it as it is now.
    #[error("page changed since version {expected}")]
    Conflict { expected: i32, current: Box<Page> },
    /// Another page has this path (same slug under the same parent).
    #[error("path taken")]
    PathTaken,
    /// The parent does not exist, or is the page itself or below it.
    #[error("parent invalid")]
    Parent,
    /// The page has subpages (delete them or move them first).
    #[error("page has subpages")]
    HasChildren,
    #[error(transparent)]
    Db(#[from] diesel::result::Error),
}

/// The contact list as stored.
pub fn contacts_json(contacts: &[Contact]) -> String {
    serde_json::to_string(contacts).unwrap_or_else(|_| "[]".into())
}

/// The contact list of a stored page (an unreadable one reads as none).
pub fn contacts_of(page: &Page) -> Vec<Contact> {
    serde_json::from_str(&page.contacts).unwrap_or_default()
}

/// The page as the form and a revision hold it.
pub fn valid_of(page: &Page) -> ValidPage {
    ValidPage {
        title: page.title.clone(),
        slug: page.slug.clone(),
        parent_id: page.parent_id,
        position: page.position,
        summary: page.summary.clone(),
        body_md: page.body_md.clone(),
        contacts: contacts_of(page),
        status: page.status,
    }
}

/// Saves a page. A save that changes nothing writes nothing.
pub fn save(
    conn: &mut Db,
    target: Target,
    page: &ValidPage,
    by: Saver<'_>,
) -> Result<Saved, PageError> {
    let body_html = render_body(conn, &page.body_md)?.into_string();
    crate::storage::write(conn, |conn| {
        let parent = match page.parent_id {
            Some(id) => Some(pages::find(conn, id).map_err(|e| match e {
                diesel::result::Error::NotFound => PageError::Parent,
                e => PageError::Db(e),
            })?),
            None => None,
        };
        let path = path_under(parent.as_ref().map(|p| p.path.as_str()), &page.slug);
        let existing = match target {
            Target::New => None,
            Target::ByPath => pages::find_by_path(conn, &path)?,
            Target::Existing { id, version } => {
                let current = pages::find(conn, id)?;
                if current.version != version {
                    return Err(PageError::Conflict {
                        expected: version,
                        current: Box::new(current),
                    });
                }
                Some(current)
            }
        };
        if let (Some(old), Some(parent)) = (&existing, &parent)
            && (parent.id == old.id || parent.path.starts_with(&format!("{}/", old.path)))
        {
            return Err(PageError::Parent);
        }
        if let Some(other) = pages::find_by_path(conn, &path)?
            && existing.as_ref().map(|e| e.id) != Some(other.id)
        {
            return Err(PageError::PathTaken);
        }
        let data = PageData {
            parent_id: page.parent_id,
            position: page.position,
            slug: page.slug.clone(),
            path: path.clone(),
            title: page.title.clone(),
            summary: page.summary.clone(),
            body_md: page.body_md.clone(),
            body_html: body_html.clone(),
            contacts: contacts_json(&page.contacts),
            status: page.status,
        };
        let snapshot = serde_json::to_string(page)
            .map_err(|e| PageError::Db(diesel::result::Error::SerializationError(Box::new(e))))?;
        let (saved, version) = match &existing {
            Some(old) if old.data() == data => return Ok(Saved::Unchanged(old.id)),
            Some(old) => {
                let version = pages::update(conn, old.id, &data, by.now)?;
                if old.path != path {
                    moved(conn, old, &path)?;
                }
                (Saved::Updated(old.id), version)
            }
            None => (Saved::Created(pages::insert(conn, &data, by.now)?), 1),
        };
        pages::remove_redirect(conn, &path)?;
        pages::record_revision(conn, saved.id(), &snapshot, by.name, version, by.now)?;
        Ok(saved)
    })
}

/// Page `old` now lives at `path`: its old path and those of every page
/// below it redirect to where each one is now.
fn moved(conn: &mut Db, old: &Page, path: &str) -> Result<(), PageError> {
    pages::add_redirect(conn, &old.path, old.id)?;
    for below in pages::descendants(conn, &old.path)? {
        let new_path = format!("{path}{}", &below.path[old.path.len()..]);
        if pages::find_by_path(conn, &new_path)?.is_some() {
            return Err(PageError::PathTaken);
        }
        pages::set_path(conn, below.id, &new_path)?;
        pages::add_redirect(conn, &below.path, below.id)?;
        pages::remove_redirect(conn, &new_path)?;
    }
    Ok(())
}

/// Saves revision `revision` of page `id` again as its newest version.
/// `None` when there is no such revision.
pub fn restore(
    conn: &mut Db,
    id: i32,
    revision: i32,
    by: Saver<'_>,
) -> Result<Option<Saved>, PageError> {
    let Some(rev) = pages::revision(conn, id, revision)? else {
        return Ok(None);
    };
    let Ok(page) = serde_json::from_str::<ValidPage>(&rev.snapshot) else {
        return Ok(None);
    };
    let current = pages::find(conn, id)?;
    let target = Target::Existing {
        id,
        version: current.version,
    };
    save(conn, target, &page, by).map(Some)
}

/// Deletes page `id`, refused while it has subpages. Returns the page.
pub fn delete(conn: &mut Db, id: i32) -> Result<Page, PageError> {
    crate::storage::write(conn, |conn| {
        let page = pages::find(conn, id)?;
        if pages::has_children(conn, id)? {
            return Err(PageError::HasChildren);
        }
        pages::delete(conn, id)?;
        Ok(page)
    })
}

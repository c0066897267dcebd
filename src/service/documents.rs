//! The document registry's writes, with what follows from them: entry,
//! page and translation bodies are stored with their document numbers
//! linked, so adding, renumbering or deleting a record renders again
//! every one that cites a number concerned (entries through their save
//! path, [`entries::rerender`]). Their pages leave the page cache by the
//! change log, as for any edit.

use crate::storage::Db;
use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::entries;
use crate::domain::document::ValidDocument;
use crate::storage::documents::{self, Duplicate, Saved};

/// Creates a record, or updates record `id`, and relinks the entries
/// citing its number (its old one too, when it changed). Refuses a second
/// record with the same type, number and year.
pub fn save(
    conn: &mut Db,
    id: Option<i32>,
    doc: &ValidDocument,
    now: NaiveDateTime,
) -> QueryResult<Result<Saved, Duplicate>> {
    crate::storage::write(conn, |conn| {
        let before = id.map(|id| documents::find(conn, id)).transpose()?;
        let saved = documents::save(conn, id, doc, now)?;
        if saved.is_ok() {
            let old = before.as_ref().map(|d| d.number.as_str());
            relink(conn, &[Some(doc.number.as_str()), old])?;
        }
        Ok(saved)
    })
}

/// Creates or updates the record with this type, number and year (import:
/// the slug is its identity), relinking what cites it when it changed.
pub fn save_by_slug(conn: &mut Db, doc: &ValidDocument, now: NaiveDateTime) -> QueryResult<Saved> {
    crate::storage::write(conn, |conn| {
        let saved = documents::save_by_slug(conn, doc, now)?;
        if !matches!(saved, Saved::Unchanged(_)) {
            relink(conn, &[Some(doc.number.as_str())])?;
        }
        Ok(saved)
    })
}

/// Deletes record `id`; the entries citing its number lose the link (or
/// link to another record of that number). Returns the record deleted.
pub fn delete(conn: &mut Db, id: i32) -> QueryResult<documents::Document> {
    crate::storage::write(conn, |conn| {
        let doc = documents::find(conn, id)?;
        documents::delete(conn, id)?;
        relink(conn, &[Some(doc.number.as_str())])?;
        Ok(doc)
    })
}

/// Renders again every entry, page and translation citing one of
/// `numbers`. (Entries are found by their citations; pages and
/// translations, which are few, by their Markdown.)
fn relink(conn: &mut Db, numbers: &[Option<&str>]) -> QueryResult<()> {
    let numbers: Vec<&str> = numbers.iter().flatten().copied().collect();
    for id in documents::citing_entries(conn, &numbers)? {
        entries::rerender(conn, id)?;
    }
    for (id, md, html) in crate::storage::pages::citing(conn, &numbers)? {
        let fresh = entries::render_body(conn, &md)?.into_string();
        if fresh != html {
            crate::storage::pages::set_body_html(conn, id, &fresh)?;
        }
    }
    for (id, md, html) in crate::storage::translations::citing(conn, &numbers)? {
        let fresh = entries::render_body(conn, &md)?.into_string();
        if fresh != html {
            crate::storage::translations::set_body_html(conn, id, &fresh)?;
        }
    }
    Ok(())
}

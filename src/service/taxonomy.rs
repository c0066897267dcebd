//! Categories and tags change under entries that name them: each change
//! and the refresh of those entries' search rows (searching for the new
//! name finds them) happen in one transaction.

use crate::storage::Db;
use diesel::prelude::*;

use super::entries::refresh;
use crate::storage::categories::{self, Category, CategoryData};
use crate::storage::tags::{self, Tag};

/// Renames or re-describes category `id`.
pub fn update_category(conn: &mut Db, id: i32, data: &CategoryData) -> QueryResult<Category> {
    crate::storage::write(conn, |conn| {
        let c = categories::update(conn, id, data)?;
        for entry in categories::entry_ids(conn, id)? {
            refresh(conn, entry)?;
        }
        Ok(c)
    })
}

/// Deletes category `id`; its entries (the admin allows none) keep going
/// without it.
pub fn delete_category(conn: &mut Db, id: i32) -> QueryResult<bool> {
    crate::storage::write(conn, |conn| {
        let ids = categories::entry_ids(conn, id)?;
        let deleted = categories::delete(conn, id)?;
        for entry in ids {
            refresh(conn, entry)?;
        }
        Ok(deleted)
    })
}

/// Gives tag `id` a new name; returns the tag as it was.
pub fn rename_tag(conn: &mut Db, id: i32, name: &str) -> QueryResult<Tag> {
    crate::storage::write(conn, |conn| {
        let before = tags::find(conn, id)?;
        tags::rename(conn, id, name)?;
        for entry in tags::entries_with(conn, id)? {
            refresh(conn, entry)?;
        }
        Ok(before)
    })
}

/// Deletes tag `id` from every entry; returns the tag as it was.
pub fn delete_tag(conn: &mut Db, id: i32) -> QueryResult<Tag> {
    crate::storage::write(conn, |conn| {
        let before = tags::find(conn, id)?;
        let uses = tags::entries_with(conn, id)?;
        tags::delete(conn, id)?;
        for entry in uses {
            refresh(conn, entry)?;
        }
        Ok(before)
    })
}

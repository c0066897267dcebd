//! Tags: created on first use from their Vietnamese name.

use diesel::prelude::*;
use serde::Serialize;

use super::schema::{entry_tags, tags};
use crate::domain::slug;

#[derive(Debug, Clone, Queryable, Selectable, Serialize, PartialEq)]
#[diesel(table_name = tags, check_for_backend(diesel::sqlite::Sqlite))]
pub struct Tag {
    pub id: i32,
    pub slug: String,
    pub name: String,
}

pub fn find_by_slug(conn: &mut SqliteConnection, slug: &str) -> QueryResult<Option<Tag>> {
    tags::table
        .filter(tags::slug.eq(slug))
        .select(Tag::as_select())
        .first(conn)
        .optional()
}

/// The tag named `name` (matched by slug), created when missing.
pub fn ensure(conn: &mut SqliteConnection, name: &str) -> QueryResult<Tag> {
    let name = name.trim();
    let slug = slug::slugify_or(name, "the");
    if let Some(tag) = find_by_slug(conn, &slug)? {
        return Ok(tag);
    }
    diesel::insert_into(tags::table)
        .values((tags::slug.eq(&slug), tags::name.eq(name)))
        .returning(Tag::as_returning())
        .get_result(conn)
}

/// Names of an entry's tags, in the order they sort on its page.
pub fn names_for_entry(conn: &mut SqliteConnection, entry_id: i32) -> QueryResult<Vec<String>> {
    let mut names: Vec<String> = tags::table
        .inner_join(entry_tags::table)
        .filter(entry_tags::entry_id.eq(entry_id))
        .select(tags::name)
        .load(conn)?;
    crate::domain::slug::sort_names(&mut names, |n| n);
    Ok(names)
}

/// Replaces an entry's tags with those named (blank and repeated names skipped).
pub fn set_for_entry(
    conn: &mut SqliteConnection,
    entry_id: i32,
    names: &[String],
) -> QueryResult<()> {
    diesel::delete(entry_tags::table.filter(entry_tags::entry_id.eq(entry_id))).execute(conn)?;
    let mut ids = Vec::new();
    for name in names.iter().filter(|n| !n.trim().is_empty()) {
        let id = ensure(conn, name)?.id;
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    let rows: Vec<_> = ids
        .into_iter()
        .map(|tag_id| {
            (
                entry_tags::entry_id.eq(entry_id),
                entry_tags::tag_id.eq(tag_id),
            )
        })
        .collect();
    diesel::insert_into(entry_tags::table)
        .values(&rows)
        .execute(conn)?;
    Ok(())
}

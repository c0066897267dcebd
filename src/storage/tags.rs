//! Tags: created on first use from their Vietnamese name.

use super::Db;
use diesel::prelude::*;
use serde::Serialize;

use super::schema::{entry_tags, tags};
use crate::domain::slug;

#[derive(Debug, Clone, Queryable, Selectable, Serialize, PartialEq)]
#[diesel(table_name = tags, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct Tag {
    pub id: i32,
    pub slug: String,
    pub name: String,
}

pub fn find(conn: &mut Db, id: i32) -> QueryResult<Tag> {
    tags::table.find(id).select(Tag::as_select()).first(conn)
}

pub fn find_by_slug(conn: &mut Db, slug: &str) -> QueryResult<Option<Tag>> {
    tags::table
        .filter(tags::slug.eq(slug))
        .select(Tag::as_select())
        .first(conn)
        .optional()
}

/// The tag named `name` (matched by slug), created when missing.
pub fn ensure(conn: &mut Db, name: &str) -> QueryResult<Tag> {
    let name = name.trim();
    let slug = slug::slugify_or(name, "the");
    if let Some(tag) = find_by_slug(conn, &slug)? {
        return Ok(tag);
    }
    each_backend!(conn, |c| diesel::insert_into(tags::table)
        .values((tags::slug.eq(&slug), tags::name.eq(name)))
        .returning(Tag::as_returning())
        .get_result(c))
}

/// Names of an entry's tags, in the order they sort on its page.
pub fn names_for_entry(conn: &mut Db, entry_id: i32) -> QueryResult<Vec<String>> {
    let mut names: Vec<String> = tags::table
        .inner_join(entry_tags::table)
        .filter(entry_tags::entry_id.eq(entry_id))
        .select(tags::name)
        .load(conn)?;
    slug::sort_names(&mut names, |n| n);
    Ok(names)
}

/// Replaces an entry's tags with those named (blank and repeated names skipped).
pub fn set_for_entry(conn: &mut Db, entry_id: i32, names: &[String]) -> QueryResult<()> {
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
    each_backend!(conn, |c| diesel::insert_into(entry_tags::table)
        .values(&rows)
        .execute(c))?;
    Ok(())
}

/// Tags of an entry, for its page, in Vietnamese order.
pub fn for_entry(conn: &mut Db, entry_id: i32) -> QueryResult<Vec<Tag>> {
    let mut tags: Vec<Tag> = each_backend!(conn, |c| tags::table
        .inner_join(entry_tags::table)
        .filter(entry_tags::entry_id.eq(entry_id))
        .select(Tag::as_select())
        .load(c))?;
    slug::sort_names(&mut tags, |t| &t.name);
    Ok(tags)
}

/// A tag with how many entries (in any state) carry it.
#[derive(Debug, Clone, Queryable, Serialize)]
pub struct TagUse {
    pub id: i32,
    pub slug: String,
    pub name: String,
    pub uses: i64,
}

/// Every tag with its number of entries, by name.
pub fn all_with_counts(conn: &mut Db) -> QueryResult<Vec<TagUse>> {
    tags::table
        .left_join(entry_tags::table)
        .group_by((tags::id, tags::slug, tags::name))
        .select((
            tags::id,
            tags::slug,
            tags::name,
            diesel::dsl::count(entry_tags::entry_id.nullable()),
        ))
        .order(tags::name)
        .load(conn)
}

/// The tags of public entries at `now`, each with how many public
/// entries carry it, by name (a tag only drafts carry stays unknown).
pub fn public_with_counts(conn: &mut Db, now: chrono::NaiveDateTime) -> QueryResult<Vec<TagUse>> {
    let mut found: Vec<TagUse> = tags::table
        .inner_join(entry_tags::table)
        .filter(entry_tags::public_at.le(now))
        .group_by((tags::id, tags::slug, tags::name))
        .select((
            tags::id,
            tags::slug,
            tags::name,
            diesel::dsl::count(entry_tags::entry_id),
        ))
        .load(conn)?;
    slug::sort_names(&mut found, |t| &t.name);
    Ok(found)
}

/// Entries that carry tag `id`.
pub fn entries_with(conn: &mut Db, id: i32) -> QueryResult<Vec<i32>> {
    entry_tags::table
        .filter(entry_tags::tag_id.eq(id))
        .select(entry_tags::entry_id)
        .load(conn)
}

/// Gives tag `id` a new name (its slug, the address, stays).
pub fn rename(conn: &mut Db, id: i32, name: &str) -> QueryResult<()> {
    diesel::update(tags::table.find(id))
        .set(tags::name.eq(name))
        .execute(conn)?;
    Ok(())
}

/// Deletes tag `id`; the entries that carried it keep going without it.
pub fn delete(conn: &mut Db, id: i32) -> QueryResult<bool> {
    diesel::delete(tags::table.find(id))
        .execute(conn)
        .map(|n| n == 1)
}

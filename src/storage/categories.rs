//! Categories: the site's sections, in navigation order.

use super::Db;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::schema::categories;

#[derive(Debug, Clone, Queryable, Selectable, Serialize, PartialEq)]
#[diesel(table_name = categories, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct Category {
    pub id: i32,
    pub slug: String,
    pub name: String,
    pub description: String,
    pub position: i32,
}

#[derive(Debug, Clone, Insertable, AsChangeset, Deserialize, Serialize, PartialEq)]
#[diesel(table_name = categories)]
pub struct CategoryData {
    pub slug: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub position: i32,
}

/// Every category in navigation order: by position, then by name in
/// Vietnamese order ([`crate::domain::slug::sort_names`]; SQLite's byte
/// order would put *Chính* before *Cải*).
pub fn all(conn: &mut Db) -> QueryResult<Vec<Category>> {
    let mut all: Vec<Category> = each_backend!(conn, |c| categories::table
        .order((categories::position, categories::name))
        .select(Category::as_select())
        .load(c))?;
    // Read on every page: sorted again only when two share a position.
    if all.windows(2).any(|w| w[0].position == w[1].position) {
        crate::domain::slug::sort_names(&mut all, |c| &c.name);
        all.sort_by_key(|c| c.position);
    }
    Ok(all)
}

pub fn find_by_slug(conn: &mut Db, slug: &str) -> QueryResult<Option<Category>> {
    categories::table
        .filter(categories::slug.eq(slug))
        .select(Category::as_select())
        .first(conn)
        .optional()
}

pub fn find(conn: &mut Db, id: i32) -> QueryResult<Category> {
    categories::table
        .find(id)
        .select(Category::as_select())
        .first(conn)
}

/// Creates or updates the category with `data.slug`.
pub fn upsert(conn: &mut Db, data: &CategoryData) -> QueryResult<Category> {
    each_backend!(conn, |c| diesel::insert_into(categories::table)
        .values(data)
        .on_conflict(categories::slug)
        .do_update()
        .set(data)
        .returning(Category::as_returning())
        .get_result(c))
}

/// Renames or re-describes a category (`service::taxonomy` keeps its
/// entries' search rows in step).
pub fn update(conn: &mut Db, id: i32, data: &CategoryData) -> QueryResult<Category> {
    each_backend!(conn, |c| diesel::update(categories::table.find(id))
        .set(data)
        .returning(Category::as_returning())
        .get_result(c))
}

/// The entries (in any state) filed under category `id`.
pub fn entry_ids(conn: &mut Db, id: i32) -> QueryResult<Vec<i32>> {
    use super::schema::entries::dsl as e;
    e::entries
        .filter(e::category_id.eq(id))
        .select(e::id)
        .load(conn)
}

/// How many entries (in any state) are filed under category `id`.
pub fn entry_count(conn: &mut Db, id: i32) -> QueryResult<i64> {
    use super::schema::entries::dsl as e;
    e::entries
        .filter(e::category_id.eq(id))
        .count()
        .get_result(conn)
}

/// Deletes a category; its entries keep going, without a category (the
/// admin refuses while it has any: see [`entry_count`]).
pub fn delete(conn: &mut Db, id: i32) -> QueryResult<bool> {
    diesel::delete(categories::table.find(id))
        .execute(conn)
        .map(|n| n == 1)
}

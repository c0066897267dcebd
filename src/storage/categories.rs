//! Categories: the site's sections, in navigation order.

use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::schema::categories;

#[derive(Debug, Clone, Queryable, Selectable, Serialize, PartialEq)]
#[diesel(table_name = categories, check_for_backend(diesel::sqlite::Sqlite))]
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

/// Every category in navigation order.
pub fn all(conn: &mut SqliteConnection) -> QueryResult<Vec<Category>> {
    categories::table
        .order((categories::position, categories::name))
        .select(Category::as_select())
        .load(conn)
}

pub fn find_by_slug(conn: &mut SqliteConnection, slug: &str) -> QueryResult<Option<Category>> {
    categories::table
        .filter(categories::slug.eq(slug))
        .select(Category::as_select())
        .first(conn)
        .optional()
}

pub fn find(conn: &mut SqliteConnection, id: i32) -> QueryResult<Category> {
    categories::table
        .find(id)
        .select(Category::as_select())
        .first(conn)
}

/// Creates or updates the category with `data.slug`.
pub fn upsert(conn: &mut SqliteConnection, data: &CategoryData) -> QueryResult<Category> {
    diesel::insert_into(categories::table)
        .values(data)
        .on_conflict(categories::slug)
        .do_update()
        .set(data)
        .returning(Category::as_returning())
        .get_result(conn)
}

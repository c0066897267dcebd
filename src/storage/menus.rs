//! The header and footer menus' items (migration `menus`).

use super::Db;
use diesel::prelude::*;

use super::schema::menu_items;

/// A menu item as stored (`domain::menu::Target::parse` reads `target`
/// and `url`).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = menu_items, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct MenuItem {
    pub id: i32,
    pub menu: String,
    pub parent_id: Option<i32>,
    pub position: i32,
    pub label: String,
    pub target: String,
    pub url: String,
}

/// The fields a save writes.
#[derive(Debug, Clone, Insertable, AsChangeset)]
#[diesel(table_name = menu_items, treat_none_as_null = true)]
pub struct ItemData {
    pub menu: String,
    pub parent_id: Option<i32>,
    pub position: i32,
    pub label: String,
    pub target: String,
    pub url: String,
}

/// Every item of both menus, in order.
pub fn all(conn: &mut Db) -> QueryResult<Vec<MenuItem>> {
    menu_items::table
        .order((menu_items::menu, menu_items::position, menu_items::id))
        .select(MenuItem::as_select())
        .load(conn)
}

pub fn find(conn: &mut Db, id: i32) -> QueryResult<Option<MenuItem>> {
    menu_items::table
        .find(id)
        .select(MenuItem::as_select())
        .first(conn)
        .optional()
}

pub fn has_children(conn: &mut Db, id: i32) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        menu_items::table.filter(menu_items::parent_id.eq(id)),
    ))
    .get_result(conn)
}

pub fn insert(conn: &mut Db, data: &ItemData) -> QueryResult<i32> {
    diesel::insert_into(menu_items::table)
        .values(data)
        .returning(menu_items::id)
        .get_result(conn)
}

pub fn update(conn: &mut Db, id: i32, data: &ItemData) -> QueryResult<usize> {
    diesel::update(menu_items::table.find(id))
        .set(data)
        .execute(conn)
}

/// Deletes item `id` and its submenu.
pub fn delete(conn: &mut Db, id: i32) -> QueryResult<usize> {
    diesel::delete(menu_items::table.find(id)).execute(conn)
}

//! Staff accounts.

use super::Db;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use super::schema::users;
use crate::domain::user::Role;

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = users, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct User {
    pub id: i32,
    pub username: String,
    pub display_name: String,
    #[serde(skip)]
    pub password_hash: String,
    #[diesel(deserialize_as = String)]
    pub role: Role,
    pub disabled: bool,
    #[serde(skip)]
    pub session_version: i32,
    pub created_at: NaiveDateTime,
    /// The language the person reads the admin in (`''`: the site's).
    pub language: String,
}

impl User {
    /// The name shown in bylines and the admin.
    pub fn shown_name(&self) -> &str {
        if self.display_name.is_empty() {
            &self.username
        } else {
            &self.display_name
        }
    }
}

pub fn find(conn: &mut Db, id: i32) -> QueryResult<Option<User>> {
    users::table
        .find(id)
        .select(User::as_select())
        .first(conn)
        .optional()
}

pub fn find_by_username(conn: &mut Db, username: &str) -> QueryResult<Option<User>> {
    users::table
        .filter(users::username.eq(username))
        .select(User::as_select())
        .first(conn)
        .optional()
}

pub fn all(conn: &mut Db) -> QueryResult<Vec<User>> {
    users::table
        .order(users::username)
        .select(User::as_select())
        .load(conn)
}

pub fn count(conn: &mut Db) -> QueryResult<i64> {
    users::table.count().get_result(conn)
}

pub fn create(
    conn: &mut Db,
    username: &str,
    display_name: &str,
    password_hash: &str,
    role: Role,
    now: NaiveDateTime,
) -> QueryResult<User> {
    each_backend!(conn, |c| diesel::insert_into(users::table)
        .values((
            users::username.eq(username),
            users::display_name.eq(display_name),
            users::password_hash.eq(password_hash),
            users::role.eq(role.as_str()),
            users::created_at.eq(now),
        ))
        .returning(User::as_returning())
        .get_result(c))
}

pub fn set_role(conn: &mut Db, id: i32, role: Role) -> QueryResult<bool> {
    diesel::update(users::table.find(id))
        .set((
            users::role.eq(role.as_str()),
            users::session_version.eq(users::session_version + 1),
        ))
        .execute(conn)
        .map(|n| n == 1)
}

/// A new password ends every session of the account.
pub fn set_password(conn: &mut Db, id: i32, hash: &str) -> QueryResult<bool> {
    diesel::update(users::table.find(id))
        .set((
            users::password_hash.eq(hash),
            users::session_version.eq(users::session_version + 1),
        ))
        .execute(conn)
        .map(|n| n == 1)
}

/// Disabling ends every session of the account at once.
pub fn set_disabled(conn: &mut Db, id: i32, disabled: bool) -> QueryResult<bool> {
    diesel::update(users::table.find(id))
        .set((
            users::disabled.eq(disabled),
            users::session_version.eq(users::session_version + 1),
        ))
        .execute(conn)
        .map(|n| n == 1)
}

/// Ends every session of the account (logout).
pub fn end_sessions(conn: &mut Db, id: i32) -> QueryResult<()> {
    diesel::update(users::table.find(id))
        .set(users::session_version.eq(users::session_version + 1))
        .execute(conn)?;
    Ok(())
}

/// Sets the language account `id` reads the admin in (`''`: the site's).
pub fn set_language(conn: &mut Db, id: i32, language: &str) -> QueryResult<()> {
    diesel::update(users::table.find(id))
        .set(users::language.eq(language))
        .execute(conn)?;
    Ok(())
}

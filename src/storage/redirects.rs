//! Old slugs of published entries, answered with a 301 to the current one.

use super::Db;
use diesel::prelude::*;

use super::schema::slug_redirects;

pub fn add(conn: &mut Db, old_slug: &str, entry_id: i32) -> QueryResult<()> {
    each_backend!(conn, |c| diesel::insert_into(slug_redirects::table)
        .values((
            slug_redirects::old_slug.eq(old_slug),
            slug_redirects::entry_id.eq(entry_id),
        ))
        .on_conflict(slug_redirects::old_slug)
        .do_update()
        .set(slug_redirects::entry_id.eq(entry_id))
        .execute(c))?;
    Ok(())
}

pub fn remove(conn: &mut Db, old_slug: &str) -> QueryResult<()> {
    diesel::delete(slug_redirects::table.find(old_slug)).execute(conn)?;
    Ok(())
}

pub fn target(conn: &mut Db, old_slug: &str) -> QueryResult<Option<i32>> {
    slug_redirects::table
        .find(old_slug)
        .select(slug_redirects::entry_id)
        .first(conn)
        .optional()
}

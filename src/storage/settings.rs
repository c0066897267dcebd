//! Site settings as key/value rows: site identity imported from
//! `content/site.toml`, and the signing key shared by every server.

use super::Db;
use diesel::prelude::*;

use super::schema::settings;

pub const SECRET_KEY: &str = "secret_key";

/// Prefix of site-identity keys in the settings table.
pub const SITE_PREFIX: &str = "site.";

/// The theme an admin picked (`/admin/theme`); wins over `theme` in the
/// configuration once set.
pub const THEME: &str = "theme";

/// The languages besides the site's own that readers may choose, as an
/// admin set them (`/admin/theme`): `en`, or empty for none. Absent: every
/// language of `domain::translation::LANGUAGES`.
pub const LANGUAGES: &str = "languages";

pub fn get(conn: &mut Db, key: &str) -> QueryResult<Option<String>> {
    each_backend!(conn, |c| settings::table
        .find(key)
        .select(settings::value)
        .first(c))
    .optional()
}

pub fn set(conn: &mut Db, key: &str, value: &str) -> QueryResult<()> {
    each_backend!(conn, |c| diesel::insert_into(settings::table)
        .values((settings::key.eq(key), settings::value.eq(value)))
        .on_conflict(settings::key)
        .do_update()
        .set(settings::value.eq(value))
        .execute(c))?;
    Ok(())
}

pub fn remove(conn: &mut Db, key: &str) -> QueryResult<()> {
    diesel::delete(settings::table.find(key)).execute(conn)?;
    Ok(())
}

/// Every setting whose key starts with `prefix`, sorted by key.
pub fn with_prefix(conn: &mut Db, prefix: &str) -> QueryResult<Vec<(String, String)>> {
    each_backend!(conn, |c| settings::table
        .filter(settings::key.like(format!("{prefix}%")))
        .order(settings::key)
        .load(c))
}

/// The stored value of `key`, or `make()` stored now — atomically, so two
/// servers starting together agree on one value.
pub fn get_or_init(conn: &mut Db, key: &str, make: impl FnOnce() -> String) -> QueryResult<String> {
    super::write(conn, |conn| {
        if let Some(v) = get(conn, key)? {
            return Ok(v);
        }
        let v = make();
        set(conn, key, &v)?;
        Ok(v)
    })
}

const RULES_KEY: &str = "comments.rules";

/// The comment moderation rules (defaults until an admin changes them).
pub fn moderation_rules(conn: &mut Db) -> QueryResult<crate::domain::moderation::Rules> {
    Ok(get(conn, RULES_KEY)?
        .and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or_default())
}

pub fn save_moderation_rules(
    conn: &mut Db,
    rules: &crate::domain::moderation::Rules,
) -> QueryResult<()> {
    let json = serde_json::to_string(rules)
        .map_err(|e| diesel::result::Error::SerializationError(Box::new(e)))?;
    set(conn, RULES_KEY, &json)
}

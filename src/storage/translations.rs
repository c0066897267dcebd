//! Translations of entries and pages (see the migration `translations`):
//! one row per original and language. What makes one public — published,
//! and its original public — is decided here for entries (one join) and by
//! the caller for pages (a page's ancestors count: `web::public::pages`).

use super::Db;
use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{entries, translations};
use crate::domain::entry::EntryKind;
use crate::domain::page::PageStatus;

/// What a translation translates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Original {
    Entry(i32),
    Page(i32),
}

impl Original {
    /// `entry` or `page`, for the audit log and addresses.
    pub fn kind(self) -> &'static str {
        match self {
            Original::Entry(_) => "entry",
            Original::Page(_) => "page",
        }
    }

    pub fn id(self) -> i32 {
        match self {
            Original::Entry(id) | Original::Page(id) => id,
        }
    }
}

/// A translation as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = translations, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct Translation {
    pub id: i32,
    pub entry_id: Option<i32>,
    pub page_id: Option<i32>,
    pub lang: String,
    pub title: String,
    pub summary: String,
    pub body_md: String,
    pub body_html: String,
    /// JSON, as `pages.contacts` (pages only; `[]` otherwise).
    pub contacts: String,
    /// The entry's featured image in this language ('' when not given).
    pub image_alt: String,
    pub image_caption: String,
    #[diesel(deserialize_as = String)]
    pub status: PageStatus,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// The fields a save writes.
#[derive(Debug, Clone, PartialEq, Eq, Insertable, AsChangeset)]
#[diesel(table_name = translations)]
pub struct TranslationData {
    pub title: String,
    pub summary: String,
    pub body_md: String,
    pub body_html: String,
    pub contacts: String,
    pub image_alt: String,
    pub image_caption: String,
    #[diesel(serialize_as = String)]
    pub status: PageStatus,
    /// Title, summary and body folded to words: ` word word … `.
    pub words: String,
}

/// A published translation in brief, for the pages that link to it.
#[derive(Debug, Clone, Queryable)]
pub struct Brief {
    pub entry_id: Option<i32>,
    pub page_id: Option<i32>,
    pub lang: String,
    pub title: String,
    pub summary: String,
}

/// A translated entry or page as lists show it: the original's id and
/// the translation's words.
#[derive(Debug, Clone, Queryable)]
pub struct Listed {
    pub id: i32,
    pub title: String,
    pub summary: String,
    /// The entry's image described in the language ('' when not given).
    pub image_alt: String,
}

/// `original`'s translation into `lang`, whatever its state.
pub fn find(conn: &mut Db, original: Original, lang: &str) -> QueryResult<Option<Translation>> {
    let q = translations::table
        .filter(translations::lang.eq(lang))
        .select(Translation::as_select())
        .into_boxed();
    let q = match original {
        Original::Entry(id) => q.filter(translations::entry_id.eq(id)),
        Original::Page(id) => q.filter(translations::page_id.eq(id)),
    };
    q.first(conn).optional()
}

/// Every translation of `original`, in any state (the admin's list).
pub fn of(conn: &mut Db, original: Original) -> QueryResult<Vec<Translation>> {
    let q = translations::table
        .select(Translation::as_select())
        .order(translations::lang)
        .into_boxed();
    match original {
        Original::Entry(id) => q.filter(translations::entry_id.eq(id)),
        Original::Page(id) => q.filter(translations::page_id.eq(id)),
    }
    .load(conn)
}

/// Every published translation, in brief (few: read once per cache
/// generation into the shared page data).
pub fn published(conn: &mut Db) -> QueryResult<Vec<Brief>> {
    translations::table
        .filter(translations::status.eq(PageStatus::Published.as_str()))
        .select((
            translations::entry_id,
            translations::page_id,
            translations::lang,
            translations::title,
            translations::summary,
        ))
        .order(translations::id)
        .load(conn)
}

/// The kinds of entry with a published translation into each language
/// whose original is published or scheduled (the other language's
/// navigation lists only those kinds; a draft's translation does not
/// count).
pub fn translated_kinds(conn: &mut Db) -> QueryResult<Vec<(String, String)>> {
    translations::table
        .inner_join(entries::table)
        .filter(translations::status.eq(PageStatus::Published.as_str()))
        .filter(entries::public_at.is_not_null())
        .select((translations::lang, entries::kind))
        .distinct()
        .load(conn)
}

/// A new translation; its id.
pub fn insert(
    conn: &mut Db,
    original: Original,
    lang: &str,
    data: &TranslationData,
    now: NaiveDateTime,
) -> QueryResult<i32> {
    let (entry_id, page_id) = match original {
        Original::Entry(id) => (Some(id), None),
        Original::Page(id) => (None, Some(id)),
    };
    diesel::insert_into(translations::table)
        .values((
            data.clone(),
            translations::entry_id.eq(entry_id),
            translations::page_id.eq(page_id),
            translations::lang.eq(lang),
            translations::created_at.eq(now),
            translations::updated_at.eq(now),
        ))
        .returning(translations::id)
        .get_result(conn)
}

/// Writes `data` over translation `id` if it is still at `version`;
/// false when someone saved it since.
pub fn update(
    conn: &mut Db,
    id: i32,
    version: i32,
    data: &TranslationData,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let n = diesel::update(
        translations::table
            .filter(translations::id.eq(id))
            .filter(translations::version.eq(version)),
    )
    .set((
        data.clone(),
        translations::version.eq(version + 1),
        translations::updated_at.eq(now),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

pub fn delete(conn: &mut Db, id: i32) -> QueryResult<usize> {
    diesel::delete(translations::table.filter(translations::id.eq(id))).execute(conn)
}

/// A public entry's translation into `lang`, found by the original's
/// kind and slug (`/en/articles/{slug}`): the original's id and the
/// translation, both public at `now`.
pub fn public_entry(
    conn: &mut Db,
    lang: &str,
    kind: EntryKind,
    slug: &str,
    now: NaiveDateTime,
) -> QueryResult<Option<(i32, Translation)>> {
    translations::table
        .inner_join(entries::table)
        .filter(translations::lang.eq(lang))
        .filter(translations::status.eq(PageStatus::Published.as_str()))
        .filter(entries::kind.eq(kind.as_str()))
        .filter(entries::slug.eq(slug))
        .filter(entries::public_at.le(now))
        .select((entries::id, Translation::as_select()))
        .first(conn)
        .optional()
}

/// The newest `limit` public entries translated into `lang`: the
/// originals' ids, with the translations (the language's feed).
pub fn latest_public(
    conn: &mut Db,
    lang: &str,
    now: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<(i32, Translation)>> {
    translations::table
        .inner_join(entries::table)
        .filter(translations::lang.eq(lang))
        .filter(translations::status.eq(PageStatus::Published.as_str()))
        .filter(entries::public_at.le(now))
        .order((entries::public_at.desc(), entries::id.desc()))
        .select((entries::id, Translation::as_select()))
        .limit(limit)
        .load(conn)
}

/// One page of the public entries translated into `lang` (of `kind`, or
/// all), newest first; and how many there are in all.
pub fn public_entries(
    conn: &mut Db,
    lang: &str,
    kind: Option<EntryKind>,
    now: NaiveDateTime,
    offset: i64,
    limit: i64,
) -> QueryResult<(Vec<Listed>, i64)> {
    let matching = || {
        let q = translations::table
            .inner_join(entries::table)
            .filter(translations::lang.eq(lang))
            .filter(translations::status.eq(PageStatus::Published.as_str()))
            .filter(entries::public_at.le(now))
            .into_boxed();
        match kind {
            Some(k) => q.filter(entries::kind.eq(k.as_str())),
            None => q,
        }
    };
    let total = matching().count().get_result(conn)?;
    let rows = matching()
        .order((entries::public_at.desc(), entries::id.desc()))
        .select((
            entries::id,
            translations::title,
            translations::summary,
            translations::image_alt,
        ))
        .offset(offset)
        .limit(limit)
        .load(conn)?;
    Ok((rows, total))
}

/// The public entries translated into any language, for the sitemap:
/// (language, the original's kind and slug, the translation's last change).
pub fn sitemap_entries(
    conn: &mut Db,
    now: NaiveDateTime,
) -> QueryResult<Vec<(String, String, String, NaiveDateTime)>> {
    translations::table
        .inner_join(entries::table)
        .filter(translations::status.eq(PageStatus::Published.as_str()))
        .filter(entries::public_at.le(now))
        .select((
            translations::lang,
            entries::kind,
            entries::slug,
            translations::updated_at,
        ))
        .order(translations::id)
        .load(conn)
}

/// The published translations into `lang` whose words begin with every
/// one of `words` (folded), newest first, at most `limit`: entries whose
/// original is public, and pages whose publicness the caller checks.
pub fn search(
    conn: &mut Db,
    lang: &str,
    words: &[String],
    now: NaiveDateTime,
    limit: i64,
) -> QueryResult<(Vec<Listed>, Vec<Listed>)> {
    if words.is_empty() {
        return Ok(Default::default());
    }
    let patterns: Vec<String> = words
        .iter()
        .map(|w| super::like_literal(w, "% ", "%"))
        .collect();
    let mut found = translations::table
        .filter(translations::lang.eq(lang))
        .filter(translations::status.eq(PageStatus::Published.as_str()))
        .into_boxed();
    for p in &patterns {
        found = found.filter(translations::words.like(p.clone()).escape('\\'));
    }
    let pages = found
        .filter(translations::page_id.is_not_null())
        .select((
            translations::page_id.assume_not_null(),
            translations::title,
            translations::summary,
            translations::image_alt,
        ))
        .order(translations::id)
        .limit(limit)
        .load(conn)?;
    let mut found = translations::table
        .inner_join(entries::table)
        .filter(translations::lang.eq(lang))
        .filter(translations::status.eq(PageStatus::Published.as_str()))
        .filter(entries::public_at.le(now))
        .into_boxed();
    for p in patterns {
        found = found.filter(translations::words.like(p).escape('\\'));
    }
    let entries = found
        .order((entries::public_at.desc(), entries::id.desc()))
        .select((
            entries::id,
            translations::title,
            translations::summary,
            translations::image_alt,
        ))
        .limit(limit)
        .load(conn)?;
    Ok((entries, pages))
}

/// Every translation of an entry, with the original's kind and slug, as
/// the content files name them (`articles/{slug}.en.md`): export.
pub fn all_of_entries(conn: &mut Db) -> QueryResult<Vec<(String, String, Translation)>> {
    translations::table
        .inner_join(entries::table)
        .select((entries::kind, entries::slug, Translation::as_select()))
        .order(translations::id)
        .load(conn)
}

/// Every translation of a page, with the page's path: export.
pub fn all_of_pages(conn: &mut Db) -> QueryResult<Vec<(String, Translation)>> {
    use super::schema::pages;
    translations::table
        .inner_join(pages::table)
        .select((pages::path, Translation::as_select()))
        .order(translations::id)
        .load(conn)
}

/// The translations whose Markdown holds one of `numbers` (document
/// numbers): id, body, rendered body. Translations are few: a scan.
pub fn citing(conn: &mut Db, numbers: &[&str]) -> QueryResult<Vec<(i32, String, String)>> {
    if numbers.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = translations::table.into_boxed();
    for n in numbers {
        q = q.or_filter(
            translations::body_md
                .like(super::like_literal(n, "%", "%"))
                .escape('\\'),
        );
    }
    q.select((
        translations::id,
        translations::body_md,
        translations::body_html,
    ))
    .load(conn)
}

/// Stores translation `id`'s body rendered again (its Markdown unchanged:
/// no new version).
pub fn set_body_html(conn: &mut Db, id: i32, html: &str) -> QueryResult<()> {
    diesel::update(translations::table.find(id))
        .set(translations::body_html.eq(html))
        .execute(conn)?;
    Ok(())
}

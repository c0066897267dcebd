//! The media library: stored images, their alt text and caption, which
//! entries use them; and entries' attachments.

use super::Db;
use std::collections::{BTreeSet, HashMap};

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use super::schema::{attachments, documents, entries, media, media_uses, pages, translations};
use crate::domain::image::LIBRARY_URL;
use crate::domain::slug;

#[derive(Debug, Clone, Queryable, Selectable, Serialize, PartialEq)]
#[diesel(table_name = media, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct Media {
    pub id: i32,
    pub hash: String,
    pub path: String,
    pub format: String,
    pub width: i32,
    pub height: i32,
    pub size_bytes: i32,
    pub original_name: String,
    pub alt: String,
    pub caption: String,
    pub uploaded_by: String,
    pub created_at: NaiveDateTime,
}

/// A new library image.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = media)]
pub struct NewMedia<'a> {
    pub hash: &'a str,
    pub path: &'a str,
    pub format: &'a str,
    pub width: i32,
    pub height: i32,
    pub size_bytes: i32,
    pub original_name: &'a str,
    pub alt: &'a str,
    pub caption: &'a str,
    pub search_text: String,
    pub uploaded_by: &'a str,
    pub created_at: NaiveDateTime,
}

/// What the library's search matches: alt, caption and file name, folded.
pub fn search_text(alt: &str, caption: &str, name: &str) -> String {
    slug::fold(&format!("{alt} {caption} {name}"))
}

pub fn find(conn: &mut Db, id: i32) -> QueryResult<Media> {
    media::table.find(id).select(Media::as_select()).first(conn)
}

pub fn find_by_hash(conn: &mut Db, hash: &str) -> QueryResult<Option<Media>> {
    media::table
        .filter(media::hash.eq(hash))
        .select(Media::as_select())
        .first(conn)
        .optional()
}

pub fn find_by_path(conn: &mut Db, path: &str) -> QueryResult<Option<Media>> {
    media::table
        .filter(media::path.eq(path))
        .select(Media::as_select())
        .first(conn)
        .optional()
}

/// Adds an image; if its hash is already there (the same file uploaded
/// twice, or at once from two tabs), returns the existing row and `false`.
pub fn insert(conn: &mut Db, new: &NewMedia) -> QueryResult<(Media, bool)> {
    super::write(conn, |conn| {
        if let Some(m) = find_by_hash(conn, new.hash)? {
            return Ok((m, false));
        }
        let m = each_backend!(conn, |c| diesel::insert_into(media::table)
            .values(new)
            .returning(Media::as_returning())
            .get_result(c))?;
        Ok((m, true))
    })
}

/// One page of the library, newest first: matching `text` (folded) if
/// given, only images no entry uses if `unused`. Returns the page and the
/// total.
pub fn list(
    conn: &mut Db,
    text: Option<&str>,
    unused: bool,
    offset: i64,
    limit: i64,
) -> QueryResult<(Vec<Media>, i64)> {
    let filtered = || {
        let mut q = media::table.into_boxed();
        if let Some(t) = text.map(slug::fold).filter(|t| !t.trim().is_empty()) {
            for word in t.split_whitespace() {
                let pattern = super::like_literal(word, "%", "%");
                q = q.filter(media::search_text.like(pattern).escape('\\'));
            }
        }
        if unused {
            q = q.filter(diesel::dsl::not(diesel::dsl::exists(
                media_uses::table.filter(media_uses::media_id.eq(media::id)),
            )));
        }
        q
    };
    let total = filtered().count().get_result(conn)?;
    let rows = filtered()
        .order((media::created_at.desc(), media::id.desc()))
        .offset(offset)
        .limit(limit)
        .select(Media::as_select())
        .load(conn)?;
    Ok((rows, total))
}

/// Sets an image's alt text and caption.
pub fn set_text(conn: &mut Db, id: i32, alt: &str, caption: &str) -> QueryResult<Media> {
    let m = find(conn, id)?;
    each_backend!(conn, |c| diesel::update(media::table.find(id))
        .set((
            media::alt.eq(alt),
            media::caption.eq(caption),
            media::search_text.eq(search_text(alt, caption, &m.original_name)),
        ))
        .returning(Media::as_returning())
        .get_result(c))
}

/// An entry that uses an image.
#[derive(Debug, Clone, Queryable, Serialize)]
pub struct Use {
    pub entry_id: i32,
    pub title: String,
    pub slug: String,
}

/// The entries that use image `id`.
pub fn uses(conn: &mut Db, id: i32) -> QueryResult<Vec<Use>> {
    media_uses::table
        .inner_join(entries::table)
        .filter(media_uses::media_id.eq(id))
        .order(entries::id)
        .select((entries::id, entries::title, entries::slug))
        .load(conn)
}

/// How many entries use each of `ids`.
pub fn use_counts(conn: &mut Db, ids: &[i32]) -> QueryResult<HashMap<i32, i64>> {
    let rows: Vec<(i32, i64)> = media_uses::table
        .filter(media_uses::media_id.eq_any(ids))
        .group_by(media_uses::media_id)
        .select((media_uses::media_id, diesel::dsl::count_star()))
        .load(conn)?;
    Ok(rows.into_iter().collect())
}

/// Deletes image `id` unless an entry, a page or a translation uses it;
/// returns the deleted row, or the entries in the way (none listed when
/// only pages or translations are).
pub fn delete_unused(conn: &mut Db, id: i32) -> QueryResult<Result<Media, Vec<Use>>> {
    super::write(conn, |conn| {
        let m = find(conn, id)?;
        let users = uses(conn, id)?;
        if !users.is_empty() {
            return Ok(Err(users));
        }
        // The department's pages and the translations are not in
        // `media_uses` (it is keyed by entry): their bodies are few, and
        // searched for the image's address here.
        let pattern = super::like_literal(&m.path, "%/uploads/", "%");
        let in_pages: i64 = pages::table
            .filter(pages::body_md.like(&pattern).escape('\\'))
            .count()
            .get_result(conn)?;
        let in_translations: i64 = translations::table
            .filter(translations::body_md.like(&pattern).escape('\\'))
            .count()
            .get_result(conn)?;
        if in_pages + in_translations > 0 {
            return Ok(Err(Vec::new()));
        }
        diesel::delete(media::table.find(id)).execute(conn)?;
        Ok(Ok(m))
    })
}

/// The library paths an entry shows: its featured image and every
/// `/uploads/…` image its Markdown points at.
pub fn referenced_paths(image_path: Option<&str>, body_md: &str) -> BTreeSet<String> {
    let mut out: BTreeSet<String> = LIBRARY_URL
        .captures_iter(body_md)
        .filter_map(|c| c.get(1).map(|m| m.as_str().to_owned()))
        .collect();
    if let Some(p) = image_path {
        out.insert(p.to_owned());
    }
    out
}

/// Records which library images entry `entry_id` uses (called by the
/// entries' write path, in its transaction).
pub fn sync_uses(
    conn: &mut Db,
    entry_id: i32,
    image_path: Option<&str>,
    body_md: &str,
) -> QueryResult<()> {
    let paths = referenced_paths(image_path, body_md);
    diesel::delete(media_uses::table.filter(media_uses::entry_id.eq(entry_id))).execute(conn)?;
    if paths.is_empty() {
        return Ok(());
    }
    let ids: Vec<i32> = media::table
        .filter(media::path.eq_any(&paths))
        .select(media::id)
        .load(conn)?;
    let rows: Vec<_> = ids
        .into_iter()
        .map(|m| {
            (
                media_uses::media_id.eq(m),
                media_uses::entry_id.eq(entry_id),
            )
        })
        .collect();
    each_backend!(conn, |c| diesel::insert_into(media_uses::table)
        .values(&rows)
        .execute(c))?;
    Ok(())
}

/// Width and height of the library images among `paths`.
pub fn dimensions(
    conn: &mut Db,
    paths: &BTreeSet<String>,
) -> QueryResult<HashMap<String, (u32, u32)>> {
    let rows: Vec<(String, i32, i32)> = media::table
        .filter(media::path.eq_any(paths))
        .select((media::path, media::width, media::height))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(p, w, h)| (p, (w.max(0) as u32, h.max(0) as u32)))
        .collect())
}

/// Every library image's path, oldest first (for `loa media regenerate`).
pub fn all_paths(conn: &mut Db) -> QueryResult<Vec<String>> {
    media::table.order(media::id).select(media::path).load(conn)
}

/// Featured images of entries that are not in the library (stored before
/// it existed): path, width, height, alt, caption.
pub fn unregistered_featured(conn: &mut Db) -> QueryResult<Vec<(String, String, String)>> {
    let rows: Vec<(Option<String>, String, String)> = entries::table
        .filter(entries::image_path.is_not_null())
        .filter(diesel::dsl::not(diesel::dsl::exists(
            media::table.filter(media::path.nullable().eq(entries::image_path)),
        )))
        .select((
            entries::image_path,
            entries::image_alt,
            entries::image_caption,
        ))
        .distinct()
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(p, a, c)| p.map(|p| (p, a, c)))
        .collect())
}

/// Images with alt text, newest first: what the editor offers as a
/// featured image.
pub fn choosable(conn: &mut Db, limit: i64) -> QueryResult<Vec<Media>> {
    media::table
        .filter(media::alt.ne(""))
        .order((media::created_at.desc(), media::id.desc()))
        .limit(limit)
        .select(Media::as_select())
        .load(conn)
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize, PartialEq)]
#[diesel(table_name = attachments, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct Attachment {
    pub id: i32,
    pub entry_id: i32,
    pub path: String,
    pub title: String,
    pub mime: String,
    pub size_bytes: i32,
    pub position: i32,
}

/// An entry's attachments, in order.
pub fn attachments_of(conn: &mut Db, entry_id: i32) -> QueryResult<Vec<Attachment>> {
    each_backend!(conn, |c| attachments::table
        .filter(attachments::entry_id.eq(entry_id))
        .order((attachments::position, attachments::id))
        .select(Attachment::as_select())
        .load(c))
}

/// Attaches a stored document to an entry, last in its list.
pub fn attach(
    conn: &mut Db,
    entry_id: i32,
    path: &str,
    title: &str,
    mime: &str,
    size_bytes: i32,
) -> QueryResult<Attachment> {
    super::write(conn, |conn| {
        let last: Option<i32> = attachments::table
            .filter(attachments::entry_id.eq(entry_id))
            .select(diesel::dsl::max(attachments::position))
            .first(conn)?;
        each_backend!(conn, |c| diesel::insert_into(attachments::table)
            .values((
                attachments::entry_id.eq(entry_id),
                attachments::path.eq(path),
                attachments::title.eq(title),
                attachments::mime.eq(mime),
                attachments::size_bytes.eq(size_bytes),
                attachments::position.eq(last.unwrap_or(0) + 1),
            ))
            .returning(Attachment::as_returning())
            .get_result(c))
    })
}

/// Removes attachment `id` of entry `entry_id`; returns it, and whether
/// its file is still attached elsewhere.
pub fn detach(conn: &mut Db, entry_id: i32, id: i32) -> QueryResult<(Attachment, bool)> {
    super::write(conn, |conn| {
        let a = attachments::table
            .filter(attachments::id.eq(id))
            .filter(attachments::entry_id.eq(entry_id))
            .select(Attachment::as_select())
            .first(conn)?;
        diesel::delete(attachments::table.find(id)).execute(conn)?;
        let still: i64 = attachments::table
            .filter(attachments::path.eq(&a.path))
            .count()
            .get_result(conn)?;
        // A registry record may offer the same file for download.
        let registered: i64 = documents::table
            .filter(documents::file_path.eq(&a.path))
            .count()
            .get_result(conn)?;
        Ok((a, still + registered > 0))
    })
}

/// Every stored document file, once each, newest first: what a registry
/// record may offer for download.
pub fn document_files(conn: &mut Db) -> QueryResult<Vec<Attachment>> {
    let mut all: Vec<Attachment> = attachments::table
        .order(attachments::id.desc())
        .select(Attachment::as_select())
        .load(conn)?;
    let mut seen = BTreeSet::new();
    all.retain(|a| seen.insert(a.path.clone()));
    Ok(all)
}

/// The attachment stored at `path` (for its download name).
pub fn attachment_by_path(conn: &mut Db, path: &str) -> QueryResult<Option<Attachment>> {
    attachments::table
        .filter(attachments::path.eq(path))
        .order(attachments::id)
        .select(Attachment::as_select())
        .first(conn)
        .optional()
}

/// The entries that show library images (rendered again after the
/// derivative widths change).
pub fn entries_using_media(conn: &mut Db) -> QueryResult<Vec<i32>> {
    entries::table
        .filter(diesel::dsl::exists(
            media_uses::table.filter(media_uses::entry_id.eq(entries::id)),
        ))
        .order(entries::id)
        .select(entries::id)
        .load(conn)
}

/// Records that the entries whose featured image is `path` use image
/// `media_id` (for images registered after those entries were saved).
pub fn link_featured(conn: &mut Db, media_id: i32, path: &str) -> QueryResult<()> {
    let ids: Vec<i32> = entries::table
        .filter(entries::image_path.eq(path))
        .select(entries::id)
        .load(conn)?;
    let rows: Vec<_> = ids
        .into_iter()
        .map(|e| {
            (
                media_uses::media_id.eq(media_id),
                media_uses::entry_id.eq(e),
            )
        })
        .collect();
    each_backend!(conn, |c| diesel::insert_into(media_uses::table)
        .values(&rows)
        .on_conflict_do_nothing()
        .execute(c))?;
    Ok(())
}

//! Pages, their revisions and the paths they left (see the migration
//! `pages`). The tree's rules — paths kept for descendants, old paths
//! redirected — are `service::pages`'s.

use super::Db;
use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{page_redirects, page_revisions, pages};
use crate::domain::page::PageStatus;

/// A page as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = pages, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct Page {
    pub id: i32,
    pub parent_id: Option<i32>,
    pub position: i32,
    pub slug: String,
    pub path: String,
    pub title: String,
    pub summary: String,
    pub body_md: String,
    pub body_html: String,
    /// JSON: `[{name, position, phone, email}]`.
    pub contacts: String,
    #[diesel(deserialize_as = String)]
    pub status: PageStatus,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A page in the tree: what lists and navigation need.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = pages, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct Node {
    pub id: i32,
    pub parent_id: Option<i32>,
    pub position: i32,
    pub path: String,
    pub title: String,
    pub summary: String,
    #[diesel(deserialize_as = String)]
    pub status: PageStatus,
    pub updated_at: NaiveDateTime,
}

/// The fields a save writes.
#[derive(Debug, Clone, PartialEq, Eq, Insertable, AsChangeset)]
#[diesel(table_name = pages, treat_none_as_null = true)]
pub struct PageData {
    pub parent_id: Option<i32>,
    pub position: i32,
    pub slug: String,
    pub path: String,
    pub title: String,
    pub summary: String,
    pub body_md: String,
    pub body_html: String,
    pub contacts: String,
    #[diesel(serialize_as = String)]
    pub status: PageStatus,
}

impl Page {
    /// The fields as a save would write them.
    pub fn data(&self) -> PageData {
        PageData {
            parent_id: self.parent_id,
            position: self.position,
            slug: self.slug.clone(),
            path: self.path.clone(),
            title: self.title.clone(),
            summary: self.summary.clone(),
            body_md: self.body_md.clone(),
            body_html: self.body_html.clone(),
            contacts: self.contacts.clone(),
            status: self.status,
        }
    }
}

pub fn find(conn: &mut Db, id: i32) -> QueryResult<Page> {
    pages::table.find(id).select(Page::as_select()).first(conn)
}

pub fn find_by_path(conn: &mut Db, path: &str) -> QueryResult<Option<Page>> {
    pages::table
        .filter(pages::path.eq(path))
        .select(Page::as_select())
        .first(conn)
        .optional()
}

/// The pages at `paths` (a page's ancestors and itself), in no order.
pub fn at_paths(conn: &mut Db, paths: &[&str]) -> QueryResult<Vec<Node>> {
    pages::table
        .filter(pages::path.eq_any(paths))
        .select(Node::as_select())
        .load(conn)
}

/// Every page, parents' order first (the admin tree, the sitemap, the
/// navigation): children by position, then id.
pub fn all(conn: &mut Db) -> QueryResult<Vec<Node>> {
    pages::table
        .order((pages::position, pages::id))
        .select(Node::as_select())
        .load(conn)
}

/// The Markdown bodies of the published pages, by id (what search reads
/// besides their titles and summaries).
pub fn published_bodies(conn: &mut Db) -> QueryResult<Vec<(i32, String)>> {
    pages::table
        .filter(pages::status.eq(PageStatus::Published.as_str()))
        .select((pages::id, pages::body_md))
        .load(conn)
}

/// The published children of page `id`, in order.
pub fn published_children(conn: &mut Db, id: i32) -> QueryResult<Vec<Node>> {
    pages::table
        .filter(pages::parent_id.eq(id))
        .filter(pages::status.eq(PageStatus::Published.as_str()))
        .order((pages::position, pages::id))
        .select(Node::as_select())
        .load(conn)
}

/// The pages below `path`, at any depth.
pub fn descendants(conn: &mut Db, path: &str) -> QueryResult<Vec<Node>> {
    // Slugs are [a-z0-9-]: nothing in a path is a LIKE wildcard.
    pages::table
        .filter(pages::path.like(format!("{path}/%")))
        .select(Node::as_select())
        .load(conn)
}

pub fn has_children(conn: &mut Db, id: i32) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        pages::table.filter(pages::parent_id.eq(id)),
    ))
    .get_result(conn)
}

pub fn insert(conn: &mut Db, data: &PageData, now: NaiveDateTime) -> QueryResult<i32> {
    diesel::insert_into(pages::table)
        .values((
            data.clone(),
            pages::version.eq(1),
            pages::created_at.eq(now),
            pages::updated_at.eq(now),
        ))
        .returning(pages::id)
        .get_result(conn)
}

/// Writes page `id`'s fields as its next version; returns that version.
pub fn update(conn: &mut Db, id: i32, data: &PageData, now: NaiveDateTime) -> QueryResult<i32> {
    diesel::update(pages::table.find(id))
        .set((
            data.clone(),
            pages::version.eq(pages::version + 1),
            pages::updated_at.eq(now),
        ))
        .returning(pages::version)
        .get_result(conn)
}

pub fn set_path(conn: &mut Db, id: i32, path: &str) -> QueryResult<()> {
    diesel::update(pages::table.find(id))
        .set(pages::path.eq(path))
        .execute(conn)?;
    Ok(())
}

pub fn delete(conn: &mut Db, id: i32) -> QueryResult<()> {
    diesel::delete(pages::table.find(id)).execute(conn)?;
    Ok(())
}

/// Answers `old_path` with page `id` from now on.
pub fn add_redirect(conn: &mut Db, old_path: &str, id: i32) -> QueryResult<()> {
    each_backend!(conn, |c| diesel::insert_into(page_redirects::table)
        .values((
            page_redirects::old_path.eq(old_path),
            page_redirects::page_id.eq(id),
        ))
        .on_conflict(page_redirects::old_path)
        .do_update()
        .set(page_redirects::page_id.eq(id))
        .execute(c))?;
    Ok(())
}

/// A live page took `path`: it no longer redirects.
pub fn remove_redirect(conn: &mut Db, path: &str) -> QueryResult<()> {
    diesel::delete(page_redirects::table.find(path)).execute(conn)?;
    Ok(())
}

/// Where `old_path` leads now: the page's id, path and status.
pub fn redirect_target(
    conn: &mut Db,
    old_path: &str,
) -> QueryResult<Option<(i32, String, PageStatus)>> {
    let found: Option<(i32, String, String)> = page_redirects::table
        .inner_join(pages::table)
        .filter(page_redirects::old_path.eq(old_path))
        .select((pages::id, pages::path, pages::status))
        .first(conn)
        .optional()?;
    Ok(found.and_then(|(id, path, status)| Some((id, path, status.parse().ok()?))))
}

/// A saved version of a page.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = page_revisions, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct PageRevision {
    pub id: i32,
    pub page_id: i32,
    pub snapshot: String,
    pub saved_by: String,
    pub version: i32,
    pub created_at: NaiveDateTime,
}

pub fn record_revision(
    conn: &mut Db,
    page_id: i32,
    snapshot: &str,
    saved_by: &str,
    version: i32,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(page_revisions::table)
        .values((
            page_revisions::page_id.eq(page_id),
            page_revisions::snapshot.eq(snapshot),
            page_revisions::saved_by.eq(saved_by),
            page_revisions::version.eq(version),
            page_revisions::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// A page's revisions, newest first.
pub fn revisions(conn: &mut Db, page_id: i32) -> QueryResult<Vec<PageRevision>> {
    page_revisions::table
        .filter(page_revisions::page_id.eq(page_id))
        .order(page_revisions::id.desc())
        .select(PageRevision::as_select())
        .load(conn)
}

pub fn revision(conn: &mut Db, page_id: i32, id: i32) -> QueryResult<Option<PageRevision>> {
    page_revisions::table
        .filter(page_revisions::page_id.eq(page_id))
        .filter(page_revisions::id.eq(id))
        .select(PageRevision::as_select())
        .first(conn)
        .optional()
}

/// The pages whose Markdown holds one of `numbers` (document numbers):
/// id, body, rendered body. Pages are few: a scan.
pub fn citing(conn: &mut Db, numbers: &[&str]) -> QueryResult<Vec<(i32, String, String)>> {
    if numbers.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = pages::table.into_boxed();
    for n in numbers {
        q = q.or_filter(
            pages::body_md
                .like(super::like_literal(n, "%", "%"))
                .escape('\\'),
        );
    }
    q.select((pages::id, pages::body_md, pages::body_html))
        .load(conn)
}

/// Stores page `id`'s body rendered again (its Markdown unchanged: no new
/// version, no revision).
pub fn set_body_html(conn: &mut Db, id: i32, html: &str) -> QueryResult<()> {
    diesel::update(pages::table.find(id))
        .set(pages::body_html.eq(html))
        .execute(conn)?;
    Ok(())
}

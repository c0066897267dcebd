//! Entries of every kind: page-shaped public reads, and the row writes
//! that `service::entries` (the one save path) puts together in one
//! transaction.

use std::sync::LazyLock;

use super::Db;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{Integer, Text, Timestamp};
use serde::{Deserialize, Serialize};

pub use super::cards::EntryCard;
use super::schema::{bulletin_items, categories, entries, entry_tags, slug_redirects};
use crate::domain::entry::{EntryKind, LeafletFormat, Status};

/// A whole entry row.
#[derive(Debug, Clone, Queryable, Selectable, Identifiable, Serialize)]
#[diesel(table_name = entries, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct Entry {
    pub id: i32,
    #[diesel(deserialize_as = String)]
    pub kind: EntryKind,
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub body_md: String,
    pub body_html: String,
    pub byline: String,
    pub category_id: Option<i32>,
    pub image_path: Option<String>,
    pub image_alt: String,
    pub image_caption: String,
    pub image_width: Option<i32>,
    pub image_height: Option<i32>,
    pub comments_open: bool,
    pub featured: bool,
    #[diesel(deserialize_as = String)]
    pub status: Status,
    pub publish_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub bulletin_series: Option<String>,
    pub bulletin_number: Option<i32>,
    pub bulletin_year: Option<i32>,
    pub leaflet_format: Option<String>,
    pub author_id: Option<i32>,
    pub version: i32,
}

impl Entry {
    pub fn leaflet_format(&self) -> Option<LeafletFormat> {
        self.leaflet_format.as_deref().and_then(|f| f.parse().ok())
    }

    /// The editable fields, as a save would write them back.
    pub fn data(&self) -> EntryData {
        EntryData {
            kind: self.kind,
            slug: self.slug.clone(),
            title: self.title.clone(),
            summary: self.summary.clone(),
            body_md: self.body_md.clone(),
            body_html: self.body_html.clone(),
            byline: self.byline.clone(),
            category_id: self.category_id,
            image_path: self.image_path.clone(),
            image_alt: self.image_alt.clone(),
            image_caption: self.image_caption.clone(),
            image_width: self.image_width,
            image_height: self.image_height,
            comments_open: self.comments_open,
            featured: self.featured,
            status: self.status,
            publish_at: self.publish_at,
            bulletin_series: self.bulletin_series.clone(),
            bulletin_number: self.bulletin_number,
            bulletin_year: self.bulletin_year,
            leaflet_format: self.leaflet_format.clone(),
        }
    }
}

/// Every editable field of an entry: what a save writes and a revision keeps.
#[derive(Debug, Clone, PartialEq, Insertable, AsChangeset, Serialize, Deserialize)]
#[diesel(table_name = entries, treat_none_as_null = true)]
pub struct EntryData {
    #[diesel(serialize_as = String)]
    pub kind: EntryKind,
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub body_md: String,
    pub body_html: String,
    pub byline: String,
    pub category_id: Option<i32>,
    pub image_path: Option<String>,
    pub image_alt: String,
    pub image_caption: String,
    pub image_width: Option<i32>,
    pub image_height: Option<i32>,
    pub comments_open: bool,
    pub featured: bool,
    #[diesel(serialize_as = String)]
    pub status: Status,
    pub publish_at: Option<NaiveDateTime>,
    pub bulletin_series: Option<String>,
    pub bulletin_number: Option<i32>,
    pub bulletin_year: Option<i32>,
    pub leaflet_format: Option<String>,
}

/// Which public entries a listing shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Filter {
    pub kind: Option<EntryKind>,
    pub category_id: Option<i32>,
    pub tag_id: Option<i32>,
    pub featured: bool,
}

/// The visibility rule of `domain::entry::is_public`, in SQL: `public_at`
/// holds the publish time of published and scheduled entries (NULL for
/// the others), kept by [`write`], so one indexed range does it.
macro_rules! public {
    ($now:expr) => {
        entries::public_at.le($now)
    };
}

/// Whether entry `id` is public at `now` (it may have been unpublished or
/// deleted since its page was read).
pub fn is_public_now(conn: &mut Db, id: i32, now: NaiveDateTime) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        entries::table
            .filter(entries::id.eq(id))
            .filter(public!(now)),
    ))
    .get_result(conn)
}

/// `public_at` for an entry in `status` published at `publish_at`.
pub fn public_at(status: Status, publish_at: Option<NaiveDateTime>) -> Option<NaiveDateTime> {
    matches!(status, Status::Published | Status::Scheduled)
        .then_some(publish_at)
        .flatten()
}

macro_rules! card_columns {
    () => {
        (
            entries::id,
            entries::kind,
            entries::slug,
            entries::title,
            entries::summary,
            entries::byline,
            entries::publish_at,
            entries::image_path,
            entries::image_alt,
            entries::image_width,
            entries::image_height,
            entries::category_id,
            categories::slug.nullable(),
            categories::name.nullable(),
        )
    };
}

/// Entries matching `filter`, whatever their visibility, as a boxed query
/// for the backend the caller's connection has: a macro, so that hot
/// reads can run it on the connection inside [`Db`] (`each_backend!`)
/// and skip the multi-backend's per-query SQL building.
macro_rules! matching {
    ($filter:expr) => {{
        let filter: Filter = $filter;
        let mut q = entries::table.into_boxed();
        if let Some(kind) = filter.kind {
            q = q.filter(entries::kind.eq(kind.as_str()));
        }
        if let Some(cat) = filter.category_id {
            q = q.filter(entries::category_id.eq(cat));
        }
        if let Some(tag) = filter.tag_id {
            q = q.filter(
                entries::id.eq_any(
                    entry_tags::table
                        .filter(entry_tags::tag_id.eq(tag))
                        .select(entry_tags::entry_id),
                ),
            );
        }
        if filter.featured {
            q = q.filter(entries::featured.eq(true));
        }
        q
    }};
}

/// [`matching!`] and public at `now`.
macro_rules! filtered {
    ($filter:expr, $now:expr $(,)?) => {
        matching!($filter).filter(public!($now))
    };
}

/// A tag's public entries (as `entry_tags` rows), newest first.
macro_rules! tag_ordered {
    ($tag:expr, $now:expr) => {
        entry_tags::table
            .filter(entry_tags::tag_id.eq($tag))
            .filter(entry_tags::public_at.le($now))
            .order((entry_tags::public_at.desc(), entry_tags::entry_id.desc()))
            .into_boxed()
    };
}

/// Entries of the boxed query `q` at or after `key` in listing order.
macro_rules! from_key {
    ($q:expr, $key:expr) => {{
        let (at, id): ListingKey = $key;
        $q.filter(entries::public_at.le(at))
            .filter(diesel::dsl::not(
                entries::public_at.eq(at).and(entries::id.gt(id)),
            ))
    }};
}

/// Bulletins by year and number, whatever day each went online (a handful
/// a year: sorting them costs nothing).
macro_rules! bulletins_in_order {
    ($filter:expr, $now:expr) => {
        filtered!($filter, $now)
            .left_join(categories::table)
            .select(card_columns!())
            .order((
                entries::bulletin_year.desc(),
                entries::bulletin_number.desc(),
                entries::public_at.desc(),
                entries::id.desc(),
            ))
    };
}

/// One page of public entries, newest first (bulletins: by year and
/// number, newest issue first), and how many there are in all.
///
/// Deep pages stay cheap: the key (`public_at`, `id`) of the page's first
/// entry is found by walking the listing's index alone, and the page is
/// read from that key (keyset), so skipped entries cost an index step, not
/// a row fetch and a category join each. A tag's listing walks the
/// `entry_tags (tag_id, public_at, entry_id)` index the same way.
pub fn list_public(
    conn: &mut Db,
    filter: Filter,
    now: NaiveDateTime,
    offset: i64,
    limit: i64,
) -> QueryResult<(Vec<EntryCard>, i64)> {
    list_public_from(conn, filter, now, offset, limit, None)
}

/// A listing's order: publish time, then id, newest first.
pub type ListingKey = (NaiveDateTime, i32);

/// Every `every`-th key of a listing (at offsets 0, `every`, 2·`every`…),
/// read from its index alone: where deep pages start (see
/// [`list_public_from`]).
pub fn listing_anchors(
    conn: &mut Db,
    filter: Filter,
    now: NaiveDateTime,
    every: i64,
) -> QueryResult<Vec<ListingKey>> {
    let keys: Vec<(Option<NaiveDateTime>, i32)> = match only_tag(filter) {
        Some(tag) => each_backend!(conn, |c| tag_ordered!(tag, now)
            .select((entry_tags::public_at, entry_tags::entry_id))
            .load(c))?,
        None => each_backend!(conn, |c| filtered!(filter, now)
            .select((entries::public_at, entries::id))
            .order((entries::public_at.desc(), entries::id.desc()))
            .load(c))?,
    };
    Ok(keys
        .into_iter()
        .step_by(every.max(1) as usize)
        .filter_map(|(at, id)| Some((at?, id)))
        .collect())
}

/// [`list_public`], starting from the nearest of `anchors` (keys every
/// `n` entries, from [`listing_anchors`]) at or before `offset`, so a
/// page costs at most `n` index steps however deep it is.
pub fn list_public_from(
    conn: &mut Db,
    filter: Filter,
    now: NaiveDateTime,
    offset: i64,
    limit: i64,
    anchors: Option<(&[ListingKey], i64)>,
) -> QueryResult<(Vec<EntryCard>, i64)> {
    let (start, skip) = match anchors {
        Some((keys, every)) if every > 0 => match keys.get((offset / every) as usize) {
            Some(key) => (Some(*key), offset % every),
            None => (None, offset),
        },
        _ => (None, offset),
    };
    let total = count_listing(conn, filter, now)?;
    if is_bulletins(filter) {
        let cards = each_backend!(conn, |c| bulletins_in_order!(filter, now)
            .offset(offset)
            .limit(limit)
            .load(c))?;
        return Ok((cards, total));
    }
    if let Some(tag) = only_tag(filter) {
        // As below: from a key, one upper bound only.
        let ids: Vec<i32> = each_backend!(conn, |c| {
            let mut q = tag_ordered!(tag, start.map_or(now, |(at, _)| at));
            if let Some((at, id)) = start {
                q = q.filter(diesel::dsl::not(
                    entry_tags::public_at
                        .eq(at)
                        .and(entry_tags::entry_id.gt(id)),
                ));
            }
            q.select(entry_tags::entry_id)
                .offset(skip)
                .limit(limit)
                .load(c)
        })?;
        return Ok((cards_in_order(conn, &ids)?, total));
    }
    // From a key, `public_at <= key` already means public: a second upper
    // bound on the same column would let SQLite walk from `now` instead.
    let first: Option<(Option<NaiveDateTime>, i32)> = each_backend!(conn, |c| {
        let q = match start {
            Some(key) => from_key!(matching!(filter), key),
            None => filtered!(filter, now),
        };
        q.select((entries::public_at, entries::id))
            .order((entries::public_at.desc(), entries::id.desc()))
            .offset(skip)
            .first(c)
            .optional()
    })?;
    let Some((Some(at), id)) = first else {
        return Ok((Vec::new(), total));
    };
    let cards = each_backend!(conn, |c| from_key!(matching!(filter), (at, id))
        .left_join(categories::table)
        .select(card_columns!())
        .order((entries::public_at.desc(), entries::id.desc()))
        .limit(limit)
        .load(c))?;
    Ok((cards, total))
}

/// One page of the entries matching `filter` that went public from
/// `since` up to `until` (both inclusive), newest first, and how many
/// there are: the API's date range. Without `since`, the listing itself
/// ([`list_public`] at `until`).
pub fn list_public_between(
    conn: &mut Db,
    filter: Filter,
    since: Option<NaiveDateTime>,
    until: NaiveDateTime,
    offset: i64,
    limit: i64,
) -> QueryResult<(Vec<EntryCard>, i64)> {
    let Some(since) = since else {
        return list_public(conn, filter, until, offset, limit);
    };
    let total: i64 = each_backend!(conn, |c| filtered!(filter, until)
        .filter(entries::public_at.ge(since))
        .count()
        .get_result(c))?;
    if total == 0 {
        return Ok((Vec::new(), 0));
    }
    let cards = each_backend!(conn, |c| filtered!(filter, until)
        .filter(entries::public_at.ge(since))
        .left_join(categories::table)
        .select(card_columns!())
        .order((entries::public_at.desc(), entries::id.desc()))
        .offset(offset)
        .limit(limit)
        .load(c))?;
    Ok((cards, total))
}

/// How many public entries each category holds at `now`.
pub fn public_per_category(conn: &mut Db, now: NaiveDateTime) -> QueryResult<Vec<(i32, i64)>> {
    let rows: Vec<(Option<i32>, i64)> = entries::table
        .filter(public!(now))
        .filter(entries::category_id.is_not_null())
        .group_by(entries::category_id)
        .select((entries::category_id, diesel::dsl::count_star()))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(cat, n)| Some((cat?, n)))
        .collect())
}

/// How many public entries a listing holds at `now`: the count the
/// triggers keep (entries published or scheduled) less those scheduled for
/// later, a short index range. Listings with several filters count.
fn count_listing(conn: &mut Db, filter: Filter, now: NaiveDateTime) -> QueryResult<i64> {
    use super::schema::listing_counts;
    let (scope, key) = match filter {
        Filter {
            kind: None,
            category_id: None,
            tag_id: None,
            featured,
        } => (if featured { "featured" } else { "all" }, String::new()),
        Filter {
            kind: Some(kind),
            category_id: None,
            tag_id: None,
            featured: false,
        } => ("kind", kind.as_str().to_owned()),
        Filter {
            kind: None,
            category_id: Some(cat),
            tag_id: None,
            featured: false,
        } => ("category", cat.to_string()),
        _ => match only_tag(filter) {
            Some(tag) => ("tag", tag.to_string()),
            None => {
                return each_backend!(conn, |c| filtered!(filter, now).count().get_result(c));
            }
        },
    };
    let kept: i64 = each_backend!(conn, |c| listing_counts::table
        .find((scope, key.as_str()))
        .select(listing_counts::n)
        .first(c)
        .optional())?
    .unwrap_or(0);
    let later: i64 = match only_tag(filter) {
        Some(tag) => each_backend!(conn, |c| entry_tags::table
            .filter(entry_tags::tag_id.eq(tag))
            .filter(entry_tags::public_at.gt(now))
            .count()
            .get_result(c))?,
        None => each_backend!(conn, |c| matching!(filter)
            .filter(entries::public_at.gt(now))
            .count()
            .get_result(c))?,
    };
    Ok(kept - later)
}

/// The bulletins' listing: issues by year and number.
fn is_bulletins(filter: Filter) -> bool {
    filter
        == Filter {
            kind: Some(EntryKind::Bulletin),
            ..Filter::default()
        }
}

/// The tag of a listing that filters by a tag and nothing else.
fn only_tag(filter: Filter) -> Option<i32> {
    match filter {
        Filter {
            tag_id: Some(tag),
            kind: None,
            category_id: None,
            featured: false,
        } => Some(tag),
        _ => None,
    }
}

/// The cards of `ids`, in that order.
pub fn cards_in_order(conn: &mut Db, ids: &[i32]) -> QueryResult<Vec<EntryCard>> {
    let mut cards: Vec<EntryCard> = each_backend!(conn, |c| entries::table
        .left_join(categories::table)
        .filter(super::prepared::in_list(entries::id, ids))
        .select(card_columns!())
        .load(c))?;
    cards.sort_by_key(|c| ids.iter().position(|i| *i == c.id));
    Ok(cards)
}

/// The newest `limit` public entries matching `filter`.
pub fn latest_public(
    conn: &mut Db,
    filter: Filter,
    now: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<EntryCard>> {
    each_backend!(conn, |c| filtered!(filter, now)
        .left_join(categories::table)
        .select(card_columns!())
        .order((entries::public_at.desc(), entries::id.desc()))
        .limit(limit)
        .load(c))
}

/// Public entries related to `entry_id`: in its category or sharing a tag
/// (of `tag_ids`, the entry's own) with it, newest first.
///
/// Read as one short ordered index range per source (the category, each
/// of the entry's tags) and merged here, rather than as one query that
/// would sort every entry of the category and the tags.
pub fn related_public(
    conn: &mut Db,
    entry_id: i32,
    category_id: Option<i32>,
    tag_ids: &[i32],
    now: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<EntryCard>> {
    let mut keys: Vec<(NaiveDateTime, i32)> = Vec::new();
    if let Some(cat) = category_id {
        let rows: Vec<(Option<NaiveDateTime>, i32)> = each_backend!(conn, |c| filtered!(
            Filter {
                category_id: Some(cat),
                ..Filter::default()
            },
            now,
        )
        .filter(entries::id.ne(entry_id))
        .select((entries::public_at, entries::id))
        .order((entries::public_at.desc(), entries::id.desc()))
        .limit(limit)
        .load(c))?;
        keys.extend(rows.into_iter().filter_map(|(at, id)| Some((at?, id))));
    }
    for &tag in tag_ids {
        let rows: Vec<(Option<NaiveDateTime>, i32)> =
            each_backend!(conn, |c| tag_ordered!(tag, now)
                .filter(entry_tags::entry_id.ne(entry_id))
                .select((entry_tags::public_at, entry_tags::entry_id))
                .limit(limit)
                .load(c))?;
        keys.extend(rows.into_iter().filter_map(|(at, id)| Some((at?, id))));
    }
    keys.sort_unstable_by(|a, b| b.cmp(a));
    keys.dedup();
    let ids: Vec<i32> = keys
        .into_iter()
        .map(|(_, id)| id)
        .take(limit.max(0) as usize)
        .collect();
    cards_in_order(conn, &ids)
}

/// The newest `limit` public entries in full, with their category's name
/// (feeds).
pub fn latest_public_full(
    conn: &mut Db,
    filter: Filter,
    now: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<(Entry, Option<String>)>> {
    filtered!(filter, now)
        .left_join(categories::table)
        .select((Entry::as_select(), categories::name.nullable()))
        .order((entries::public_at.desc(), entries::id.desc()))
        .limit(limit)
        .load(conn)
}

/// Entries `ids`, whole, in that order (those that exist).
pub fn in_order(conn: &mut Db, ids: &[i32]) -> QueryResult<Vec<Entry>> {
    let mut found: Vec<Entry> = each_backend!(conn, |c| entries::table
        .filter(super::prepared::in_list(entries::id, ids))
        .select(Entry::as_select())
        .load(c))?;
    found.sort_by_key(|e| ids.iter().position(|i| *i == e.id));
    Ok(found)
}

/// What a sitemap lists of an entry.
#[derive(Debug, Clone, Queryable)]
pub struct SitemapRow {
    pub id: i32,
    #[diesel(deserialize_as = String)]
    pub kind: EntryKind,
    pub slug: String,
    pub publish_at: Option<NaiveDateTime>,
    pub updated_at: NaiveDateTime,
}

/// How many entries are public.
pub fn count_public(conn: &mut Db, now: NaiveDateTime) -> QueryResult<i64> {
    filtered!(Filter::default(), now).count().get_result(conn)
}

/// Public entries in a stable order (oldest id first), a slice at a time.
pub fn sitemap_rows(
    conn: &mut Db,
    now: NaiveDateTime,
    offset: i64,
    limit: i64,
) -> QueryResult<Vec<SitemapRow>> {
    filtered!(Filter::default(), now)
        .select((
            entries::id,
            entries::kind,
            entries::slug,
            entries::publish_at,
            entries::updated_at,
        ))
        .order(entries::id)
        .offset(offset)
        .limit(limit)
        .load(conn)
}

/// The newest `per_category` public entries of every category, in one query
/// that walks each category's index (no scan of all entries). SQLite
/// runs the `IN (… LIMIT)` once per category; PostgreSQL cannot turn a
/// subquery with a `LIMIT` into a join and ran it once per category *and
/// entry* (7 s on 100,000 entries), so it is asked with `LATERAL`, which
/// SQLite lacks. The placeholders are PostgreSQL's `$1`, `$2`; SQLite
/// reads them as named parameters numbered in order of first appearance,
/// so they must appear in order.
pub fn latest_per_category(
    conn: &mut Db,
    now: NaiveDateTime,
    per_category: i32,
) -> QueryResult<Vec<EntryCard>> {
    const COLUMNS: &str = "e.id, e.kind AS kind_name, e.slug, e.title, e.summary, e.byline, \
         e.publish_at, e.image_path, e.image_alt, e.image_width, e.image_height, e.category_id, \
         c.slug AS category_slug, c.name AS category_name";
    const NEWEST: &str = "WHERE x.category_id = c.id AND x.public_at <= $1 \
         ORDER BY x.public_at DESC, x.id DESC LIMIT $2";
    const ORDER: &str = "ORDER BY c.position, c.name, e.public_at DESC, e.id DESC";
    static SQLITE: LazyLock<String> = LazyLock::new(|| {
        format!(
            "SELECT {COLUMNS} FROM categories c \
             JOIN entries e ON e.id IN (SELECT x.id FROM entries x {NEWEST}) {ORDER}"
        )
    });
    static PG: LazyLock<String> = LazyLock::new(|| {
        format!(
            "SELECT {COLUMNS} FROM categories c \
             CROSS JOIN LATERAL (SELECT x.* FROM entries x {NEWEST}) e {ORDER}"
        )
    });
    let sql: &'static str = if conn.is_postgres() { &PG } else { &SQLITE };
    each_backend!(conn, |c| super::prepared::fixed(
        diesel::sql_query(sql)
            .bind::<Timestamp, _>(now)
            .bind::<Integer, _>(per_category),
    )
    .load(c))
}

/// A public entry of `kind` by slug, with its category.
pub fn find_public(
    conn: &mut Db,
    kind: EntryKind,
    slug: &str,
    now: NaiveDateTime,
) -> QueryResult<Option<Entry>> {
    each_backend!(conn, |c| entries::table
        .filter(entries::kind.eq(kind.as_str()))
        .filter(entries::slug.eq(slug))
        .filter(public!(now))
        .select(Entry::as_select())
        .first(c))
    .optional()
}

/// Any entry by slug, whatever its state (for import and the admin).
pub fn find_by_slug(conn: &mut Db, slug: &str) -> QueryResult<Option<Entry>> {
    entries::table
        .filter(entries::slug.eq(slug))
        .select(Entry::as_select())
        .first(conn)
        .optional()
}

/// Any entry by id.
pub fn find(conn: &mut Db, id: i32) -> QueryResult<Entry> {
    entries::table
        .find(id)
        .select(Entry::as_select())
        .first(conn)
}

/// Every entry, oldest first (export).
pub fn all(conn: &mut Db) -> QueryResult<Vec<Entry>> {
    entries::table
        .select(Entry::as_select())
        .order(entries::id)
        .load(conn)
}

/// Whether some other entry already uses `slug`.
pub fn slug_taken(conn: &mut Db, slug: &str, except: Option<i32>) -> QueryResult<bool> {
    // Ids start at 1: `id <> 0` excludes nothing.
    let q = entries::table
        .filter(entries::slug.eq(slug))
        .filter(entries::id.ne(except.unwrap_or(0)));
    diesel::select(diesel::dsl::exists(q)).get_result(conn)
}

/// The public entries a bulletin gathers, in the bulletin's order.
pub fn bulletin_items_public(
    conn: &mut Db,
    bulletin_id: i32,
    now: NaiveDateTime,
) -> QueryResult<Vec<EntryCard>> {
    each_backend!(conn, |c| bulletin_items::table
        .inner_join(entries::table.on(entries::id.eq(bulletin_items::entry_id)))
        .left_join(categories::table.on(categories::id.nullable().eq(entries::category_id)))
        .filter(bulletin_items::bulletin_id.eq(bulletin_id))
        .filter(public!(now))
        .order(bulletin_items::position)
        .select(card_columns!())
        .load(c))
}

/// The public entries a bulletin gathers, whole, in the bulletin's order
/// (the printed issue carries their text).
pub fn bulletin_entries_public(
    conn: &mut Db,
    bulletin_id: i32,
    now: NaiveDateTime,
) -> QueryResult<Vec<Entry>> {
    bulletin_items::table
        .inner_join(entries::table.on(entries::id.eq(bulletin_items::entry_id)))
        .filter(bulletin_items::bulletin_id.eq(bulletin_id))
        .filter(public!(now))
        .order(bulletin_items::position)
        .select(Entry::as_select())
        .load(conn)
}

/// Slugs of every entry a bulletin gathers, in order, public or not (export).
pub fn bulletin_item_slugs(conn: &mut Db, bulletin_id: i32) -> QueryResult<Vec<String>> {
    bulletin_items::table
        .inner_join(entries::table.on(entries::id.eq(bulletin_items::entry_id)))
        .filter(bulletin_items::bulletin_id.eq(bulletin_id))
        .order(bulletin_items::position)
        .select(entries::slug)
        .load(conn)
}

/// Replaces a bulletin's items with `entry_ids`, in that order: the
/// delete and the insert in one transaction (a savepoint inside the
/// caller's), so a failure leaves the previous items in place.
pub fn set_bulletin_items(conn: &mut Db, bulletin_id: i32, entry_ids: &[i32]) -> QueryResult<()> {
    conn.transaction(|conn| {
        diesel::delete(bulletin_items::table.filter(bulletin_items::bulletin_id.eq(bulletin_id)))
            .execute(conn)?;
        let rows: Vec<_> = entry_ids
            .iter()
            .enumerate()
            .map(|(i, id)| {
                (
                    bulletin_items::bulletin_id.eq(bulletin_id),
                    bulletin_items::entry_id.eq(*id),
                    bulletin_items::position.eq(i as i32),
                )
            })
            .collect();
        each_backend!(conn, |c| diesel::insert_into(bulletin_items::table)
            .values(&rows)
            .execute(c))?;
        Ok(())
    })
}

/// Inserts a new entry row; its `public_at` follows its state and time.
pub fn insert(
    conn: &mut Db,
    data: &EntryData,
    author_id: Option<i32>,
    now: NaiveDateTime,
) -> QueryResult<i32> {
    diesel::insert_into(entries::table)
        .values((
            data.clone(),
            entries::created_at.eq(now),
            entries::updated_at.eq(now),
            entries::author_id.eq(author_id),
            entries::public_at.eq(public_at(data.status, data.publish_at)),
        ))
        .returning(entries::id)
        .get_result(conn)
}

/// Writes an entry row's fields as `version`; its `public_at` follows its
/// state and time.
pub fn update_row(
    conn: &mut Db,
    id: i32,
    data: &EntryData,
    version: i32,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(entries::table.find(id))
        .set((
            data.clone(),
            entries::updated_at.eq(now),
            entries::version.eq(version),
            entries::public_at.eq(public_at(data.status, data.publish_at)),
        ))
        .execute(conn)?;
    Ok(())
}

/// Stores a body rendered again (new image sizes, new renderer) without a
/// new version: the text the editor wrote has not changed.
pub fn set_body_html(conn: &mut Db, id: i32, html: &str) -> QueryResult<()> {
    diesel::update(entries::table.find(id))
        .set(entries::body_html.eq(html))
        .execute(conn)?;
    Ok(())
}

/// Which unique key a failed save ran into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clash {
    /// Another entry has the slug.
    Slug,
    /// Another bulletin has the series, year and number.
    BulletinNumber,
}

/// The unique key `e` names, if it is a unique violation on `entries`.
/// SQLite names the columns in its message (`UNIQUE constraint failed:
/// entries.slug`); a server database names the constraint.
pub fn clash(e: &diesel::result::Error) -> Option<Clash> {
    use diesel::result::{DatabaseErrorKind, Error};
    let Error::DatabaseError(DatabaseErrorKind::UniqueViolation, info) = e else {
        return None;
    };
    let named = info.constraint_name().unwrap_or(info.message());
    if named.contains("bulletin_number") {
        Some(Clash::BulletinNumber)
    } else if named.contains("entries.slug") || named.contains("entries_slug") {
        Some(Clash::Slug)
    } else {
        None
    }
}

/// Public entries whose text cites document number `number`, newest first.
pub fn citing_public(
    conn: &mut Db,
    number: &str,
    now: NaiveDateTime,
) -> QueryResult<Vec<EntryCard>> {
    use super::schema::entry_citations;
    entry_citations::table
        .inner_join(entries::table.on(entries::id.eq(entry_citations::entry_id)))
        .left_join(categories::table.on(categories::id.nullable().eq(entries::category_id)))
        .filter(entry_citations::number.eq(number))
        .filter(public!(now))
        .order((entries::public_at.desc(), entries::id.desc()))
        .select(card_columns!())
        .load(conn)
}

/// Deletes an entry for good (its revisions, tags and comments go with it).
pub fn delete(conn: &mut Db, id: i32) -> QueryResult<bool> {
    diesel::delete(entries::table.find(id))
        .execute(conn)
        .map(|n| n == 1)
}

/// The entry an old slug now answers for.
pub fn find_by_old_slug(conn: &mut Db, old: &str) -> QueryResult<Option<Entry>> {
    slug_redirects::table
        .inner_join(entries::table.on(entries::id.eq(slug_redirects::entry_id)))
        .filter(slug_redirects::old_slug.eq(old))
        .select(Entry::as_select())
        .first(conn)
        .optional()
}

/// How many entries there are, in any state.
pub fn count_all(conn: &mut Db) -> QueryResult<i64> {
    entries::table.count().get_result(conn)
}

/// Which entries the admin list shows.
#[derive(Debug, Clone, Default)]
pub struct AdminFilter {
    pub kind: Option<EntryKind>,
    pub status: Option<Status>,
    pub category_id: Option<i32>,
    pub author_id: Option<i32>,
    /// Part of the title or slug.
    pub text: Option<String>,
}

/// An entry as the admin list shows it.
#[derive(Debug, Clone, Queryable, Serialize)]
pub struct AdminRow {
    pub id: i32,
    #[diesel(deserialize_as = String)]
    pub kind: EntryKind,
    pub slug: String,
    pub title: String,
    #[diesel(deserialize_as = String)]
    pub status: Status,
    pub publish_at: Option<NaiveDateTime>,
    pub updated_at: NaiveDateTime,
    pub author_id: Option<i32>,
    pub category_name: Option<String>,
    pub author_name: Option<String>,
}

fn admin_filtered(f: &AdminFilter) -> entries::BoxedQuery<'static, super::Backend> {
    let mut q = entries::table.into_boxed();
    if let Some(k) = f.kind {
        q = q.filter(entries::kind.eq(k.as_str()));
    }
    if let Some(s) = f.status {
        q = q.filter(entries::status.eq(s.as_str()));
    }
    if let Some(c) = f.category_id {
        q = q.filter(entries::category_id.eq(c));
    }
    if let Some(a) = f.author_id {
        q = q.filter(entries::author_id.eq(a));
    }
    if let Some(text) = f.text.as_deref().filter(|t| !t.trim().is_empty()) {
        let pattern = format!(
            "%{}%",
            text.trim()
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        );
        q = q.filter(
            super::prepared::ci_like(entries::title, pattern.clone())
                .or(super::prepared::ci_like(entries::slug, pattern)),
        );
    }
    q
}

/// A page of entries for the admin, most recently changed first.
pub fn admin_list(
    conn: &mut Db,
    filter: &AdminFilter,
    offset: i64,
    limit: i64,
) -> QueryResult<(Vec<AdminRow>, i64)> {
    use super::schema::users;
    let total = admin_filtered(filter).count().get_result(conn)?;
    let rows = admin_filtered(filter)
        .left_join(categories::table)
        .left_join(users::table)
        .select((
            entries::id,
            entries::kind,
            entries::slug,
            entries::title,
            entries::status,
            entries::publish_at,
            entries::updated_at,
            entries::author_id,
            categories::name.nullable(),
            users::username.nullable(),
        ))
        .order((entries::updated_at.desc(), entries::id.desc()))
        .offset(offset)
        .limit(limit)
        .load(conn)?;
    Ok((rows, total))
}

/// How many entries are in each state.
pub fn count_by_status(conn: &mut Db) -> QueryResult<Vec<(String, i64)>> {
    entries::table
        .group_by(entries::status)
        .select((entries::status, diesel::dsl::count_star()))
        .load(conn)
}

/// Public entries to choose from for a bulletin: id, slug, title.
pub fn public_choices(
    conn: &mut Db,
    now: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<(i32, String, String)>> {
    filtered!(Filter::default(), now)
        .select((entries::id, entries::slug, entries::title))
        .order((entries::public_at.desc(), entries::id.desc()))
        .limit(limit)
        .load(conn)
}

/// SQLite's plan for the exact queries a public listing runs (page 3 of
/// `list_public`, recorded as they run, values inlined): one line per
/// step, e.g. `SEARCH entries USING INDEX entries_kind_public (...)`. For
/// tests that guard against full scans as the site grows. PostgreSQL
/// plans its own way: there the list is empty.
pub fn explain_listing(
    conn: &mut Db,
    filter: Filter,
    now: NaiveDateTime,
) -> QueryResult<Vec<String>> {
    use diesel::connection::{Instrumentation, InstrumentationEvent};
    use std::sync::{Arc, Mutex};
    if conn.is_postgres() {
        return Ok(Vec::new());
    }
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = seen.clone();
    conn.set_instrumentation(move |event: InstrumentationEvent<'_>| {
        if let InstrumentationEvent::StartQuery { query, .. } = event {
            record.lock().expect("not poisoned").push(query.to_string());
        }
    });
    let ran = list_public(conn, filter, now, 20, 10);
    conn.set_instrumentation(None::<Box<dyn Instrumentation>>);
    ran?;
    let sqls = std::mem::take(&mut *seen.lock().expect("not poisoned"));
    let mut plans = Vec::new();
    for sql in sqls {
        plans.extend(explain(conn, &inline_binds(&sql))?);
    }
    Ok(plans)
}

/// `EXPLAIN QUERY PLAN` details for a complete SQL statement.
pub fn explain(conn: &mut Db, sql: &str) -> QueryResult<Vec<String>> {
    #[derive(QueryableByName)]
    struct Step {
        #[diesel(sql_type = Text)]
        detail: String,
    }
    let steps: Vec<Step> = diesel::sql_query(format!("EXPLAIN QUERY PLAN {sql}")).load(conn)?;
    Ok(steps.into_iter().map(|s| s.detail).collect())
}

/// Turns diesel's `debug_query` output (`… ? … -- binds: [..]`) into one
/// SQL statement with the values written in (strings and times quoted).
fn inline_binds(debug: &str) -> String {
    let (sql, binds) = debug.split_once(" -- binds: ").unwrap_or((debug, "[]"));
    let binds = binds.trim().trim_start_matches('[').trim_end_matches(']');
    let mut values = Vec::new();
    let mut current = String::new();
    let mut in_string = false;
    for ch in binds.chars() {
        match ch {
            '"' => {
                in_string = !in_string;
                current.push(ch);
            }
            ',' if !in_string => values.push(std::mem::take(&mut current)),
            _ => current.push(ch),
        }
    }
    if !current.trim().is_empty() {
        values.push(current);
    }
    let literal = |v: &str| -> String {
        let v = v.trim();
        if let Some(s) = v.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
            format!("'{}'", s.replace('\'', "''"))
        } else if v.contains('T') && v.contains(':') {
            // A NaiveDateTime, stored as 'YYYY-MM-DD HH:MM:SS'.
            format!("'{}'", v.replace('T', " "))
        } else {
            v.to_owned()
        }
    };
    let mut out = String::with_capacity(sql.len());
    let mut values = values.iter();
    for ch in sql.chars() {
        if ch == '?' {
            out.push_str(
                &values
                    .next()
                    .map(|v| literal(v))
                    .unwrap_or_else(|| "NULL".into()),
            );
        } else {
            out.push(ch);
        }
    }
    out
}

/// Every entry's id, in any state, in id order (the index rebuild).
pub fn all_ids(conn: &mut Db) -> QueryResult<Vec<i32>> {
    entries::table
        .select(entries::id)
        .order(entries::id)
        .load(conn)
}

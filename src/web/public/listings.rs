//! Paginated listings: by kind, by category, by tag.

use crate::storage::Db;
use std::borrow::Cow;
use std::sync::Arc;

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;

use super::{html, kind_of, page_param};
use crate::error::AppError;
use crate::storage::entries::{self, Filter};
use crate::storage::{categories, tags};
use crate::web::AppState;
use crate::web::cache::ANCHOR_EVERY;
use crate::web::db;
use crate::web::pages::{self, Base, Common};
use crate::web::views::{CardView, Link, Pagination};

/// What a listing shows above its entries.
struct Heading {
    title: String,
    description: String,
    /// Message key of the listing's kind ("listing_category", …).
    kind_key: &'static str,
    /// The listing's own Atom feed (categories have one).
    feed: Option<String>,
}

/// `listings/listing.html`: a page of a kind's, a category's or a tag's
/// public entries.
#[derive(Serialize)]
pub(super) struct ListingPage<'a> {
    #[serde(flatten)]
    pub common: Common<'a>,
    /// The listing's name: the kind's plural, the category's or tag's name.
    pub title: &'a str,
    /// The kind's or category's description (empty for tags).
    pub description: &'a str,
    /// Message key of what is listed: `listing_kind`, `listing_category`
    /// or `listing_tag` (`t[listing_kind]` prints it).
    pub listing_kind: &'static str,
    /// This page's entries, newest first.
    pub entries: Vec<CardView>,
    /// Where this page is among the listing's pages.
    pub pagination: Pagination,
}

async fn listing(
    state: web::Data<AppState>,
    req: HttpRequest,
    heading: impl FnOnce(&mut Db) -> Result<(Filter, Heading), AppError> + Send + 'static,
) -> Result<HttpResponse, AppError> {
    let page = page_param(&req)?;
    let per_page = state.config.per_page;
    let now = state.now();
    let shared = state.clone();
    let (base, heading, cards, total): (Base, Heading, _, i64) = db::run(&state, move |conn| {
        let (filter, heading) = heading(conn)?;
        let offset = i64::from(page - 1) * i64::from(per_page);
        // Deep pages start from the listing's anchors (read once per
        // change), so page 5,000 costs what page 1 does.
        let anchors = match offset >= ANCHOR_EVERY {
            false => None,
            true => Some(match shared.cache.anchors(filter) {
                Some(keys) => keys,
                None => {
                    let generation = shared.cache.generation();
                    let keys = Arc::new(entries::listing_anchors(conn, filter, now, ANCHOR_EVERY)?);
                    shared.cache.keep_anchors(filter, generation, keys.clone());
                    keys
                }
            }),
        };
        let (cards, total) = entries::list_public_from(
            conn,
            filter,
            now,
            offset,
            i64::from(per_page),
            anchors.as_deref().map(|k| (k.as_slice(), ANCHOR_EVERY)),
        )?;
        Ok((
            pages::shared_base(conn, &shared.cache)?,
            heading,
            cards,
            total,
        ))
    })
    .await?;
    let pagination = Pagination::new(req.path(), page, per_page, total);
    // Past the last page; or a tag only drafts use (its name is not public).
    if page > pagination.pages || (total == 0 && heading.kind_key == "listing_tag") {
        return Err(AppError::NotFound);
    }
    let trail = [
        Link {
            name: state.theme.message("home"),
            url: "/".into(),
        },
        Link {
            name: heading.title.clone(),
            url: req.path().to_owned(),
        },
    ];
    let mut common = Common::new(&state, &req, base);
    // A kind's listing has a version in a language that kind is
    // translated into (`/en/articles`); its first pages are the pair.
    if heading.kind_key == "listing_kind"
        && page == 1
        && let Ok(kind) = kind_of(&req)
        && common
            .base
            .translations
            .on
            .iter()
            .any(|l| common.base.translations.kinds(l).contains(&kind))
    {
        common.versions(&state, req.path());
    }
    common.json_ld = Some(crate::web::seo::site_graph(&common, "", Some(&trail)));
    common.meta_title = Cow::Borrowed(&heading.title);
    if !heading.description.is_empty() {
        common.meta_description = Cow::Borrowed(&heading.description);
    }
    common.category_feed = heading.feed.clone();
    if page > 1 {
        common.canonical_url = format!("{}{}?page={page}", common.origin, req.path());
    }
    let view = ListingPage {
        common,
        title: &heading.title,
        description: &heading.description,
        listing_kind: heading.kind_key,
        entries: CardView::list(cards, state.config.tz()),
        pagination,
    };
    Ok(html(
        &state,
        state.theme.render_view("listings/listing.html", &view)?,
    ))
}

pub async fn by_kind(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let kind = kind_of(&req)?;
    let title = state
        .theme
        .message(&format!("kind_{}_plural", kind.as_str()));
    let description = state
        .theme
        .message(&format!("kind_{}_description", kind.as_str()));
    listing(state, req, move |_| {
        Ok((
            Filter {
                kind: Some(kind),
                ..Default::default()
            },
            Heading {
                title,
                description,
                kind_key: "listing_kind",
                feed: None,
            },
        ))
    })
    .await
}

pub async fn by_category(
    state: web::Data<AppState>,
    req: HttpRequest,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let slug = slug.into_inner();
    listing(state, req, move |conn| {
        let c = categories::find_by_slug(conn, &slug)?.ok_or(AppError::NotFound)?;
        Ok((
            Filter {
                category_id: Some(c.id),
                ..Default::default()
            },
            Heading {
                title: c.name,
                description: c.description,
                kind_key: "listing_category",
                feed: Some(format!("/categories/{}/feed.xml", c.slug)),
            },
        ))
    })
    .await
}

pub async fn by_tag(
    state: web::Data<AppState>,
    req: HttpRequest,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let slug = slug.into_inner();
    listing(state, req, move |conn| {
        let t = tags::find_by_slug(conn, &slug)?.ok_or(AppError::NotFound)?;
        Ok((
            Filter {
                tag_id: Some(t.id),
                ..Default::default()
            },
            Heading {
                title: t.name,
                description: String::new(),
                kind_key: "listing_tag",
                feed: None,
            },
        ))
    })
    .await
}

//! Paginated listings: by kind, by category, by tag.

use std::sync::Arc;

use actix_web::{HttpRequest, HttpResponse, web};

use super::{html, kind_of, page_param};
use crate::error::AppError;
use crate::storage::entries::{self, Filter};
use crate::storage::{categories, tags};
use crate::web::AppState;
use crate::web::cache::ANCHOR_EVERY;
use crate::web::db;
use crate::web::pages::{self, Base};
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

async fn listing(
    state: web::Data<AppState>,
    req: HttpRequest,
    heading: impl FnOnce(&mut diesel::SqliteConnection) -> Result<(Filter, Heading), AppError>
    + Send
    + 'static,
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
        Ok((pages::load_base(conn)?, heading, cards, total))
    })
    .await?;
    let pagination = Pagination::new(req.path(), page, per_page, total);
    // Past the last page; or a tag only drafts use (its name is not public).
    if page > pagination.pages || (total == 0 && heading.kind_key == "listing_tag") {
        return Err(AppError::NotFound);
    }
    let origin = pages::origin(&state, &req);
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
    let mut ctx = pages::context(&state, &req, base);
    ctx.insert(
        "json_ld",
        &crate::web::seo::site_graph(&origin, "", Some(&trail)),
    );
    ctx.insert("meta_title", &heading.title);
    if !heading.description.is_empty() {
        ctx.insert("meta_description", &heading.description);
    }
    if let Some(feed) = &heading.feed {
        ctx.insert("category_feed", feed);
    }
    if page > 1 {
        let origin = pages::origin(&state, &req);
        ctx.insert(
            "canonical_url",
            &format!("{origin}{}?page={page}", req.path()),
        );
    }
    ctx.insert("title", &heading.title);
    ctx.insert("description", &heading.description);
    ctx.insert("listing_kind", heading.kind_key);
    ctx.insert("entries", &CardView::list(cards, state.config.tz()));
    ctx.insert("pagination", &pagination);
    Ok(html(state.theme.render("listings/listing.html", ctx)?))
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

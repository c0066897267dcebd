//! One entry's page: the body, its bulletin items, related entries, the
//! approved comments (plus this browser's own pending ones) and the form.

use actix_web::cookie::Cookie;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::NaiveDateTime;
use diesel::SqliteConnection;

use super::{kind_of, query};
use crate::domain::comment;
use crate::domain::entry::EntryKind;
use crate::error::AppError;
use crate::storage::categories::{self, Category};
use crate::storage::comments::{self as comment_store, Comment};
use crate::storage::entries::{self, Entry, EntryCard};
use crate::storage::tags::Tag;
use crate::web::AppState;
use crate::web::cookies;
use crate::web::db;
use crate::web::forms::{CommentFormView, ReplyTo};
use crate::web::pages::{self, Base};
use crate::web::views::{self, CardView, EntryView};

/// Replies nest this deep; deeper ones line up at the last level.
const THREAD_DEPTH: usize = 4;
const RELATED: i64 = 5;

/// Everything an entry page shows, read in one blocking task.
pub(super) struct EntryPage {
    base: Base,
    pub entry: Entry,
    category: Option<Category>,
    tags: Vec<Tag>,
    related: Vec<EntryCard>,
    items: Vec<EntryCard>,
    comments: Vec<Comment>,
    pub reply_to: Option<Comment>,
}

/// Reads the public entry `kind`/`slug` with all it shows; 404 when it is
/// not public.
pub(super) fn load(
    conn: &mut SqliteConnection,
    kind: EntryKind,
    slug: &str,
    now: NaiveDateTime,
    pending_ids: &[i32],
    reply_to: Option<i32>,
) -> Result<EntryPage, AppError> {
    let entry = entries::find_public(conn, kind, slug, now)?.ok_or(AppError::NotFound)?;
    let category = entry
        .category_id
        .map(|id| categories::find(conn, id))
        .transpose()?;
    let tags = entries::tags_of(conn, entry.id)?;
    let related = entries::related_public(conn, entry.id, entry.category_id, now, RELATED)?;
    let items = if kind == EntryKind::Bulletin {
        entries::bulletin_items_public(conn, entry.id, now)?
    } else {
        Vec::new()
    };
    let mut comments = comment_store::approved_for_entry(conn, entry.id)?;
    comments.extend(comment_store::pending_among(conn, entry.id, pending_ids)?);
    comments.sort_by_key(|c| (c.created_at, c.id));
    let reply_to = match reply_to {
        Some(id) => comment_store::find(conn, id)?
            .filter(|c| c.entry_id == entry.id && c.status == comment::CommentStatus::Approved),
        None => None,
    };
    Ok(EntryPage {
        base: pages::load_base(conn)?,
        entry,
        category,
        tags,
        related,
        items,
        comments,
        reply_to,
    })
}

/// Renders an entry page with `form` in the state given (fresh, or coming
/// back with errors); sets the browser-id cookie when the browser has none.
pub(super) fn respond(
    state: &AppState,
    req: &HttpRequest,
    page: EntryPage,
    mut form: CommentFormView,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let tz = state.config.tz();
    let (browser_id, new_cookie) = match cookies::browser_id(req) {
        Some(id) => (id, None),
        None => {
            let c = cookies::new_browser_id(state.config.is_https());
            (c.value().to_owned(), Some(c))
        }
    };
    form.token = state.keys.comment_token(
        page.entry.id,
        state.now().and_utc().timestamp(),
        &browser_id,
    );
    if form.reply_to.is_none() {
        form.reply_to = page.reply_to.as_ref().map(|c| ReplyTo {
            id: c.id,
            author_name: c.author_name.clone(),
        });
    }
    if let Some(r) = &form.reply_to {
        form.values.parent_id = r.id.to_string();
    }
    form.build_fields();
    let flash = flash_comment(req);
    let approved = page
        .comments
        .iter()
        .filter(|c| c.status == comment::CommentStatus::Approved)
        .count();
    let has_pending = page.comments.len() > approved;
    let threads = views::flatten(views::thread_views(
        comment::thread(page.comments, THREAD_DEPTH),
        tz,
    ));
    let entry = EntryView::new(page.entry, page.category, page.tags, tz);

    let origin = pages::origin(state, req);
    let mut trail = vec![views::Link {
        name: state.theme.message("home"),
        url: "/".into(),
    }];
    trail.push(match &entry.category {
        Some(c) => c.clone(),
        None => views::Link {
            name: state
                .theme
                .message(&format!("kind_{}_plural", entry.kind.as_str())),
            url: format!("/{}", entry.kind.path_segment()),
        },
    });
    trail.push(views::Link {
        name: entry.title.clone(),
        url: entry.url.clone(),
    });
    let publisher = page
        .base
        .site
        .get("publisher")
        .or_else(|| page.base.site.get("name"))
        .cloned()
        .unwrap_or_default();
    let json_ld = crate::web::seo::entry_graph(&origin, &publisher, &entry, &trail);
    let mut ctx = pages::context(state, req, page.base);
    ctx.insert("canonical_url", &format!("{origin}{}", entry.url));
    ctx.insert("json_ld", &json_ld);
    ctx.insert("meta_title", &entry.title);
    if !entry.summary.is_empty() {
        ctx.insert("meta_description", &entry.summary);
    }
    ctx.insert("og_type", "article");
    if let Some(img) = &entry.image {
        ctx.insert("og_image", &format!("{origin}{}", img.url));
        ctx.insert("og_image_alt", &img.alt);
    }
    ctx.insert("entry", &entry);
    ctx.insert("items", &CardView::list(page.items, tz));
    ctx.insert("related", &CardView::list(page.related, tz));
    ctx.insert("comments", &threads);
    ctx.insert("comment_count", &approved);
    ctx.insert("has_pending", &has_pending);
    ctx.insert("flash_comment", &flash);
    ctx.insert("form", &form);
    let template = format!("entries/{}.html", entry.kind.as_str());
    let body = state.theme.render(&template, &ctx)?;

    let mut res = HttpResponse::build(status);
    res.content_type("text/html; charset=utf-8");
    // Pages with a form token or someone's pending comment are personal.
    res.insert_header(("Cache-Control", "private, no-cache"));
    if let Some(c) = new_cookie {
        res.cookie(c);
    }
    if flash.is_some() {
        res.cookie(cookies::clear_flash(state.config.is_https()));
    }
    Ok(res.body(body))
}

/// The id of the comment this browser just posted, from the flash cookie.
fn flash_comment(req: &HttpRequest) -> Option<i32> {
    req.cookie(cookies::FLASH).and_then(|c: Cookie| {
        c.value()
            .strip_prefix("comment_pending:")
            .and_then(|v| v.parse().ok())
    })
}

pub async fn show(
    state: web::Data<AppState>,
    req: HttpRequest,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let kind = kind_of(&req)?;
    let reply_to = query(&req)?
        .get("replytocom")
        .and_then(|v| v.parse::<i32>().ok());
    let pending = cookies::pending_ids(&req, &state.keys);
    let now = state.now();
    let slug = slug.into_inner();
    let old = slug.clone();
    let loaded = db::run(&state, move |conn| {
        load(conn, kind, &slug, now, &pending, reply_to)
    })
    .await;
    let page = match loaded {
        Err(AppError::NotFound) => {
            // An address the entry had before its slug changed: 301.
            let moved = db::run(&state, move |conn| {
                Ok(entries::find_by_old_slug(conn, &old)?)
            })
            .await?;
            return match moved {
                Some(e) if crate::domain::entry::is_public(e.status, e.publish_at, now) => {
                    Ok(HttpResponse::MovedPermanently()
                        .insert_header(("Location", e.kind.entry_path(&e.slug)))
                        .finish())
                }
                _ => Err(AppError::NotFound),
            };
        }
        other => other?,
    };
    let action = format!("{}/comments", kind.entry_path(&page.entry.slug));
    let form = CommentFormView::new(action, String::new());
    respond(&state, &req, page, form, StatusCode::OK)
}

//! One entry's page: the body, its bulletin items, related entries, the
//! approved comments (plus this browser's own pending ones) and the form.

use crate::storage::Db;
use std::borrow::Cow;

use actix_web::cookie::Cookie;
use actix_web::http::StatusCode;
use actix_web::{HttpMessage, HttpRequest, HttpResponse, web};
use chrono::NaiveDateTime;
use serde::Serialize;

use super::{kind_of, query};
use crate::domain::comment;
use crate::domain::entry::EntryKind;
use crate::domain::moderation::{self, Rules};
use crate::error::AppError;
use crate::render::SafeHtml;
use crate::storage::categories::Category;
use crate::storage::comments::{self as comment_store, Comment, CommentKey};
use crate::storage::entries::{self, Entry, EntryCard};
use crate::storage::settings;
use crate::storage::tags::{self, Tag};
use crate::web::AppState;
use crate::web::cache;
use crate::web::cookies;
use crate::web::db;
use crate::web::forms::{CommentFormView, ReplyTo};
use crate::web::pages::{self, Base, Common};
use crate::web::session::Staff;
use crate::web::tokens;
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
    attachments: Vec<crate::storage::media::Attachment>,
    /// The comments of the page of threads shown (with this browser's own
    /// pending ones, or every pending one for a moderator).
    comments: Vec<Comment>,
    /// Approved comments in all, whether any shown is pending, the page of
    /// threads shown and how many pages there are.
    approved: usize,
    has_pending: bool,
    pub comment_page: usize,
    comment_pages: usize,
    pub reply_to: Option<Comment>,
    rules: Rules,
    /// Document number → record address, for the numbers the summary
    /// cites (the body is stored linked).
    doc_links: std::collections::HashMap<String, String>,
    /// The rating form coming back with errors (else a fresh one).
    pub rating: Option<crate::web::forms::RatingFormView>,
}

/// Reads the public entry `kind`/`slug` with all it shows, comments from
/// page `comment_page` of its threads; 404 when it is not public.
#[allow(clippy::too_many_arguments)]
pub(super) fn load(
    conn: &mut Db,
    cache: &crate::web::cache::PageCache,
    kind: EntryKind,
    slug: &str,
    now: NaiveDateTime,
    pending_ids: &[i32],
    reply_to: Option<i32>,
    moderator: bool,
    comment_page: usize,
) -> Result<EntryPage, AppError> {
    let entry = entries::find_public(conn, kind, slug, now)?.ok_or(AppError::NotFound)?;
    let base = pages::shared_base(conn, cache)?;
    let category = entry.category_id.and_then(|id| base.category(id));
    let tags = tags::for_entry(conn, entry.id)?;
    let tag_ids: Vec<i32> = tags.iter().map(|t| t.id).collect();
    let related =
        entries::related_public(conn, entry.id, entry.category_id, &tag_ids, now, RELATED)?;
    let items = if kind == EntryKind::Bulletin {
        entries::bulletin_items_public(conn, entry.id, now)?
    } else {
        Vec::new()
    };
    let attachments = crate::storage::media::attachments_of(conn, entry.id)?;
    let rules = settings::moderation_rules(conn)?;
    // Moderators see every pending comment in place, to act on it.
    let pending = if moderator {
        comment_store::pending_for_entry(conn, entry.id)?
    } else {
        comment_store::pending_among(conn, entry.id, pending_ids)?
    };
    // Long threads come a page of top-level comments (with their replies)
    // at a time: the page is worked out from where each comment sits, and
    // only its comments are read in full (an entry may have thousands).
    let (approved, threads) = threads_of(conn, entry.id, &pending)?;
    let per_page = rules.per_page.max(1) as usize;
    let comment_pages = threads.len().div_ceil(per_page).max(1);
    let comment_page = comment_page.clamp(1, comment_pages);
    let mut shown = Vec::new();
    for t in threads
        .iter()
        .skip((comment_page - 1) * per_page)
        .take(per_page)
    {
        thread_ids(t, &mut shown);
    }
    let mut comments = comment_store::approved_among(conn, entry.id, &shown)?;
    let has_pending = pending.iter().any(|c| shown.contains(&c.id));
    comments.extend(pending.into_iter().filter(|c| shown.contains(&c.id)));
    comments.sort_by_key(|c| (c.created_at, c.id));
    let reply_to = match reply_to {
        Some(id) => comment_store::find(conn, id)?
            .filter(|c| c.entry_id == entry.id && c.status == comment::CommentStatus::Approved),
        None => None,
    };
    // The body is stored with its links; the summary (plain text) is linked
    // here, when it can hold a number at all.
    let doc_links = if entry.summary.contains('/') {
        super::print::links_for(crate::storage::documents::cited_by(conn, entry.id)?)
    } else {
        Default::default()
    };
    Ok(EntryPage {
        rating: None,
        base,
        doc_links,
        entry,
        category,
        tags,
        related,
        items,
        attachments,
        comments,
        approved,
        has_pending,
        comment_page,
        comment_pages,
        reply_to,
        rules,
    })
}

/// How many approved comments an entry has, and its threads (approved
/// comments and `pending` ones) as keys, oldest first.
fn threads_of(
    conn: &mut Db,
    entry_id: i32,
    pending: &[Comment],
) -> Result<(usize, Vec<comment::Thread<CommentKey>>), AppError> {
    let mut keys = comment_store::approved_keys(conn, entry_id)?;
    let approved = keys.len();
    keys.extend(pending.iter().map(CommentKey::of));
    keys.sort_by_key(|k| (k.created_at, k.id));
    Ok((approved, comment::thread(keys, THREAD_DEPTH)))
}

/// The page of threads that shows comment `id` to a browser whose own
/// pending comments are `pending_ids` (1 when it is not shown at all).
pub(super) fn page_of(
    conn: &mut Db,
    entry_id: i32,
    pending_ids: &[i32],
    id: i32,
    per_page: u32,
) -> Result<usize, AppError> {
    let pending = comment_store::pending_among(conn, entry_id, pending_ids)?;
    let (_, threads) = threads_of(conn, entry_id, &pending)?;
    let mut ids = Vec::new();
    let at = threads.iter().position(|t| {
        ids.clear();
        thread_ids(t, &mut ids);
        ids.contains(&id)
    });
    Ok(at.map_or(1, |i| i / per_page.max(1) as usize + 1))
}

/// The ids of a thread's comments, replies included.
fn thread_ids(t: &comment::Thread<CommentKey>, out: &mut Vec<i32>) {
    out.push(t.comment.id);
    for r in &t.replies {
        thread_ids(r, out);
    }
}

/// `entries/entry.html`: an entry's page with its comments and the
/// comment form, rendered as `entries/{kind}.html`, which extend it.
#[derive(Serialize)]
struct EntryPageView<'a> {
    #[serde(flatten)]
    common: Common<'a>,
    /// The entry.
    entry: &'a EntryView,
    /// The summary as HTML, its document numbers linked (print with `| safe`).
    summary_html: SafeHtml,
    /// The page's absolute address (for print and the QR code).
    online_url: &'a str,
    /// A QR code to `online_url` as inline SVG (`is string` to test it;
    /// print with `| safe`).
    qr: Option<SafeHtml>,
    /// A bulletin's public entries, in the order (else empty).
    items: Vec<CardView>,
    /// The files attached to the entry.
    attachments: Vec<views::AttachmentView>,
    /// Related public entries (same category or tags).
    related: Vec<CardView>,
    /// The shown page of comment threads, in reading order (see
    /// `FlatComment`): approved comments, plus this browser's own pending
    /// ones (every pending one for a moderator).
    comments: Vec<views::FlatComment>,
    /// How many approved comments the entry has.
    comment_count: usize,
    /// Whether a pending comment is among those shown.
    has_pending: bool,
    /// The id of the comment this browser just posted (from the flash
    /// cookie), or null.
    flash_comment: Option<i32>,
    /// Whether that comment was approved at once (else it awaits moderation).
    flash_approved: bool,
    /// Whether the entry takes comments now (open, and not past the deadline).
    accepts_comments: bool,
    /// For how many days commenters' network addresses are kept.
    ip_days: String,
    /// How many pages of comment threads there are, and the one shown.
    comment_pages: usize,
    comment_page: usize,
    /// Whether the reader moderates comments (signed-in staff who may).
    moderator: bool,
    /// The moderator's form token for moderation buttons (moderators only).
    #[serde(skip_serializing_if = "Option::is_none")]
    csrf_token: Option<&'a str>,
    /// The comment form: values, errors, token.
    form: &'a CommentFormView,
    /// The rating form ("Thông tin này có hữu ích không?").
    rating: crate::web::forms::RatingFormView,
}

/// Renders an entry page with `form` in the state given (fresh, or coming
/// back with errors); sets the browser-id cookie when the browser has none.
pub(super) fn respond(
    state: &AppState,
    req: &HttpRequest,
    page: EntryPage,
    mut form: CommentFormView,
    status: StatusCode,
    moderator: Option<&Staff>,
) -> Result<HttpResponse, AppError> {
    let tz = state.config.tz();
    // Rendered for the page cache: the token (and the browser-id cookie)
    // are put in per request when the page is served. Unless a shared
    // cache keeps the page: then it is the same bytes for every anonymous
    // reader, its token bound to no browser.
    let filling = req.extensions().get::<cache::Filling>().is_some();
    let shared = state.config.shared_cache_seconds > 0
        && status == StatusCode::OK
        && moderator.is_none()
        && cache::anonymous(req);
    let mut new_cookie = None;
    if shared {
        form.token = state.keys.comment_token(
            page.entry.id,
            state.now().and_utc().timestamp(),
            tokens::SHARED,
        );
    } else if filling {
        form.token = state.cache.placeholder().to_owned();
    } else {
        let browser_id = match cookies::browser_id(req) {
            Some(id) => id,
            None => {
                let c = cookies::new_browser_id(state.config.is_https());
                let id = c.value().to_owned();
                new_cookie = Some(c);
                id
            }
        };
        form.token = state.keys.comment_token(
            page.entry.id,
            state.now().and_utc().timestamp(),
            &browser_id,
        );
    }
    let shows: Vec<i32> = page
        .related
        .iter()
        .chain(&page.items)
        .map(|c| c.id)
        .collect();
    let entry_id = page.entry.id;
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
    let accepts = moderation::accepts_comments(
        page.entry.comments_open,
        page.entry.publish_at,
        &page.rules,
        state.now(),
    );
    // The page's threads, whole: threading them again gives what the
    // page was chosen from.
    let mut threads = views::flatten(views::thread_views(
        comment::thread(page.comments, THREAD_DEPTH),
        tz,
        &views::mask_notes(&state.theme),
    ));
    if moderator.is_some() {
        let messages = state.theme.messages();
        for c in threads.iter_mut().filter(|c| !c.comment.held_by.is_empty()) {
            c.comment.held_by = views::held_reason(&messages, &c.comment.held_by);
        }
    }
    let rating = match page.rating {
        Some(r) => r,
        None => super::ratings::form(
            state,
            req,
            crate::storage::ratings::Target::Entry(entry_id),
            &page.entry.kind.entry_path(&page.entry.slug),
        ),
    };
    let entry = EntryView::new(page.entry, page.category, page.tags, tz);
    let summary_html = crate::render::doclinks::link_text(&entry.summary, &page.doc_links);

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
    let json_ld =
        crate::web::seo::entry_graph(&origin, &state.config.language, &publisher, &entry, &trail);
    let translations = page.base.translations.clone();
    let mut common = Common::new(state, req, page.base);
    if translations
        .on
        .iter()
        .any(|l| translations.entry(entry_id, l).is_some())
    {
        common.versions(state, &entry.url);
    }
    let online_url = format!("{origin}{}", entry.url);
    common.canonical_url.clone_from(&online_url);
    common.json_ld = Some(json_ld);
    common.meta_title = Cow::Borrowed(&entry.title);
    if !entry.summary.is_empty() {
        common.meta_description = Cow::Borrowed(&entry.summary);
    }
    common.og_type = "article";
    if let Some(img) = &entry.image {
        common.og_image = Some(format!("{origin}{}", img.url));
        common.og_image_alt = Some(&img.alt);
    }
    let view = EntryPageView {
        common,
        // Printed from the browser, the page carries a QR code to itself.
        qr: crate::render::qr::svg(&online_url, &state.theme.message("print_qr_label")),
        online_url: &online_url,
        summary_html,
        entry: &entry,
        items: CardView::list(page.items, tz),
        attachments: page
            .attachments
            .iter()
            .map(views::AttachmentView::from_row)
            .collect(),
        related: CardView::list(page.related, tz),
        comments: threads,
        comment_count: page.approved,
        has_pending: page.has_pending,
        flash_comment: flash.map(|f| f.0),
        flash_approved: flash.is_some_and(|f| f.1),
        accepts_comments: accepts,
        ip_days: page.rules.keep_ip_days.to_string(),
        comment_pages: page.comment_pages,
        comment_page: page.comment_page,
        moderator: moderator.is_some(),
        csrf_token: moderator.map(|staff| staff.csrf.as_str()),
        form: &form,
        rating,
    };
    let template = format!("entries/{}.html", entry.kind.as_str());
    let body = state.theme.render_view(&template, &view)?;

    let mut res = HttpResponse::build(status);
    res.content_type("text/html; charset=utf-8");
    // Pages with a browser's form token or its pending comment are
    // personal; a shared page is checked again by browsers each time.
    if shared {
        res.insert_header(("Cache-Control", state.config.public_cache_control(0)));
    } else {
        res.insert_header(("Cache-Control", "private, no-cache"));
    }
    if let Some(c) = new_cookie {
        res.cookie(c);
    }
    if flash.is_some() || super::ratings::just_saved(req) {
        res.cookie(cookies::clear_flash(state.config.is_https()));
    }
    let mut res = res.body(body);
    if filling {
        res.extensions_mut()
            .insert(cache::EntryPage { entry_id, shows });
    }
    Ok(res)
}

/// The comment this browser just posted, and whether it was approved at
/// once, from the flash cookie.
fn flash_comment(req: &HttpRequest) -> Option<(i32, bool)> {
    req.cookie(cookies::FLASH).and_then(|c: Cookie| {
        let v = c.value();
        let (approved, id) = match v.strip_prefix("comment_approved:") {
            Some(id) => (true, id),
            None => (false, v.strip_prefix("comment_pending:")?),
        };
        id.parse().ok().map(|id| (id, approved))
    })
}

/// `path` on page of threads `n` (`?cpage=n`; plain for the first): an
/// entry's address, or its `/comments` for the form, which keeps the page
/// it was sent from so that a form with an error comes back on it.
pub(super) fn at_comment_page(path: &str, n: usize) -> String {
    match n {
        1 => path.to_owned(),
        n => format!("{path}?cpage={n}"),
    }
}

/// `?cpage=N` of a long thread (1 when missing or not a number).
pub(super) fn comment_page(req: &HttpRequest) -> usize {
    super::query(req)
        .ok()
        .and_then(|q| q.get("cpage").and_then(|p| p.parse().ok()))
        .unwrap_or(1)
}

pub async fn show(
    state: web::Data<AppState>,
    req: HttpRequest,
    slug: web::Path<String>,
    staff: Option<Staff>,
) -> Result<HttpResponse, AppError> {
    let moderator = staff.filter(|s| s.role().moderates());
    let is_moderator = moderator.is_some();
    let kind = kind_of(&req)?;
    let reply_to = query(&req)?
        .get("replytocom")
        .and_then(|v| v.parse::<i32>().ok());
    let pending = cookies::pending_ids(&req, &state.keys);
    let now = state.now();
    let slug = slug.into_inner();
    let old = slug.clone();
    let cpage = comment_page(&req);
    let shared = state.clone();
    let loaded = db::run(&state, move |conn| {
        load(
            conn,
            &shared.cache,
            kind,
            &slug,
            now,
            &pending,
            reply_to,
            is_moderator,
            cpage,
        )
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
    let action = at_comment_page(
        &format!("{}/comments", kind.entry_path(&page.entry.slug)),
        page.comment_page,
    );
    let form = CommentFormView::new(action, String::new());
    respond(&state, &req, page, form, StatusCode::OK, moderator.as_ref())
}

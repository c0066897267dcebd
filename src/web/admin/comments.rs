//! `/admin/comments`: the moderation queue (moderators, editors, admins),
//! official replies, and the moderation rules (admins).

use crate::storage::Db;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{NaiveDate, NaiveDateTime};
use serde::Serialize;

use super::{AdminBase, Fields, change, field, page_view, see_other};
use crate::domain::comment::CommentStatus;
use crate::domain::deadline::{self, OnTime};
use crate::domain::entry::EntryKind;
use crate::domain::moderation::{NUMBER_RANGES, Rules};
use crate::error::AppError;
use crate::render::comment_text;
use crate::render::dates::{ShownTime, show};
use crate::storage::comments::{self as store, NewComment, QueueFilter};
use crate::storage::settings;
use crate::web::session::Staff;
use crate::web::views::Pagination;
use crate::web::{AppState, cookies, db, pages};

const PER_PAGE: u32 = 30;

#[derive(Serialize)]
struct Row {
    id: i32,
    status: CommentStatus,
    author_name: String,
    author_email: String,
    author_url: Option<String>,
    ip: Option<String>,
    content: String,
    held_by: String,
    official: bool,
    parent_id: Option<i32>,
    created: ShownTime,
    overdue: bool,
    entry_title: String,
    entry_url: String,
}

/// `/admin/comments?status=pending&order=newest|oldest&entry=ID&q=…&page=N`
pub async fn list(
    state: web::Data<AppState>,
    req: HttpRequest,
    staff: Staff,
) -> Result<HttpResponse, AppError> {
    staff.require(staff.role().moderates())?;
    let q = crate::web::public::query(&req)?;
    let status: CommentStatus = q
        .get("status")
        .and_then(|s| s.parse().ok())
        .unwrap_or(CommentStatus::Pending);
    let page_no = crate::web::public::page_param(&req)?;
    let filter = QueueFilter {
        status: Some(status),
        entry_id: q.get("entry").and_then(|e| e.parse().ok()),
        text: q.get("q").cloned(),
        oldest_first: q.get("order").map(String::as_str) == Some("oldest"),
    };
    let f = filter.clone();
    let (base, (rows, total), rules) = db::run(&state, move |conn| {
        let offset = i64::from(page_no - 1) * i64::from(PER_PAGE);
        Ok((
            pages::load_base(conn)?,
            store::queue(conn, &f, offset, i64::from(PER_PAGE))?,
            settings::moderation_rules(conn)?,
        ))
    })
    .await?;
    let tz = state.config.tz();
    let now = state.now();
    let messages = staff.theme(&state).messages();
    let rows: Vec<Row> = rows
        .into_iter()
        .map(|r| {
            let c = r.comment;
            let kind: EntryKind = r.entry_kind.parse().unwrap_or(EntryKind::Article);
            Row {
                overdue: c.status == CommentStatus::Pending
                    && deadline::is_overdue(c.created_at, rules.deadline_days, tz, now),
                id: c.id,
                status: c.status,
                author_name: c.author_name,
                author_email: c.author_email,
                author_url: c.author_url,
                ip: c.ip,
                content: c.content,
                held_by: crate::web::views::held_reason(&messages, &c.held_by),
                official: c.official,
                parent_id: c.parent_id,
                created: show(c.created_at, tz),
                entry_title: r.entry_title,
                entry_url: kind.entry_path(&r.entry_slug),
            }
        })
        .collect();
    let mut link = format!("/admin/comments?status={}", status.as_str());
    for key in ["order", "entry", "q"] {
        if let Some(v) = q.get(key).filter(|v| !v.is_empty()) {
            link.push_str(&format!(
                "&{key}={}",
                url::form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>()
            ));
        }
    }
    let notice = req
        .cookie(cookies::FLASH)
        .and_then(|c| notice(staff.theme(&state), c.value()));
    let has_notice = notice.is_some();
    let view = QueuePage {
        admin: AdminBase::new(&state, &req, base, &staff),
        rows,
        total,
        status,
        filter: &q,
        back: format!("{}?{}", req.path(), req.query_string()),
        pagination: Pagination::with_query(&link, page_no, PER_PAGE, total),
        notice,
    };
    let mut res = page_view(
        staff.theme(&state),
        "admin/comments/queue.html",
        &view,
        StatusCode::OK,
    )?;
    if has_notice {
        let _ = res.add_cookie(&cookies::clear_flash(state.config.is_https()));
    }
    Ok(res)
}

/// Where to return after an action: the queue or an entry page only.
fn safe_back(back: &str) -> &str {
    let inside = back.starts_with("/admin/comments")
        || EntryKind::ALL
            .iter()
            .any(|k| back.starts_with(&format!("/{}/", k.path_segment())));
    if inside && !back.starts_with("//") && !back.contains('\\') {
        back
    } else {
        "/admin/comments"
    }
}

/// The moderation actions [`apply`] knows.
const ACTIONS: [&str; 6] = ["approve", "unapprove", "restore", "spam", "trash", "delete"];

/// Forgets the network addresses of comments older than the rules keep
/// them (`keep_ip_days`).
///
/// This runs on writes only — when a comment is stored
/// (`web::public::comments`), when moderation acts on comments here — and
/// hourly in `loa serve`, never on a page that only reads: a `GET` of the
/// queue writes nothing, so it needs no write lock and cannot fail on a
/// busy database. The hourly run keeps the promise on a quiet site.
pub fn forget_old_addresses(conn: &mut Db, now: NaiveDateTime) -> Result<usize, AppError> {
    match settings::moderation_rules(conn)?.forget_addresses_before(now) {
        Some(before) => Ok(store::forget_addresses(conn, before)?),
        None => Ok(0),
    }
}

/// Applies `action` to `ids`; returns how many changed. Old addresses
/// are forgotten with it ([`forget_old_addresses`]).
fn apply(
    conn: &mut Db,
    ids: &[i32],
    action: &str,
    who: &str,
    now: NaiveDateTime,
) -> Result<usize, AppError> {
    forget_old_addresses(conn, now)?;
    Ok(match action {
        "approve" => store::set_status(conn, ids, CommentStatus::Approved, who, now)?,
        // Back in the queue: not handled any more, the deadline runs again.
        "unapprove" | "restore" => store::set_status(conn, ids, CommentStatus::Pending, who, now)?,
        "spam" => store::set_status(conn, ids, CommentStatus::Spam, who, now)?,
        "trash" => store::set_status(conn, ids, CommentStatus::Trash, who, now)?,
        "delete" => store::delete_for_good(conn, ids)?,
        _ => return Err(AppError::BadRequest("error_400_text")),
    })
}

/// `POST /admin/comments/{id}/{action}`
pub async fn act(
    state: web::Data<AppState>,
    req: HttpRequest,
    staff: Staff,
    path: web::Path<(i32, String)>,
    form: Fields,
) -> Result<HttpResponse, AppError> {
    let (id, action) = path.into_inner();
    let back = safe_back(field(&form, "back")).to_owned();
    let now = state.now();
    let done = change(
        &state,
        &req,
        &staff,
        field(&form, "csrf_token"),
        staff.role().moderates(),
        move |conn, audit| {
            store::find(conn, id)?.ok_or(AppError::NotFound)?;
            let n = apply(conn, &[id], &action, audit.who(), now)?;
            audit.record(
                conn,
                &format!("comment.{action}"),
                &id.to_string(),
                &n.to_string(),
            )?;
            Ok((action, n))
        },
    )
    .await?;
    Ok(moderated(&state, &back, Done::Moved(&done.0, done.1)))
}

/// What a moderation action did, for the queue's notice.
enum Done<'a> {
    /// `action` (one of [`ACTIONS`]) changed `n` comments.
    Moved(&'a str, usize),
    /// The bulk form was sent with no comment ticked.
    NoneTicked,
}

/// The redirect after a moderation action; back in the queue (its own
/// address, not a page under it), a notice says what was done
/// (`moderated_<action>` with `{n}`) or that nothing was ticked, through
/// the flash cookie, read once by [`list`].
fn moderated(state: &AppState, back: &str, done: Done) -> HttpResponse {
    let mut res = see_other(back);
    if back.split('?').next() == Some("/admin/comments") {
        let value = match done {
            Done::Moved(action, n) => format!("moderated:{action}:{n}"),
            Done::NoneTicked => "moderated:none".to_owned(),
        };
        // The action is one of ACTIONS: a plain word, a valid cookie value.
        let _ = res.add_cookie(&cookies::flash(value, state.config.is_https()));
    }
    res
}

/// The queue's notice for a flash cookie set by [`moderated`].
fn notice(theme: &crate::render::templates::Theme, flash: &str) -> Option<String> {
    let done = flash.strip_prefix("moderated:")?;
    let messages = theme.messages();
    match done.split_once(':') {
        Some((action, n)) => Some(
            messages
                .get(&format!("moderated_{action}"))?
                .replace("{n}", n),
        ),
        None => messages.get("moderated_none").cloned(),
    }
}

/// `POST /admin/comments/bulk`: `action` and repeated `id` fields.
pub async fn bulk(
    state: web::Data<AppState>,
    req: HttpRequest,
    staff: Staff,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let value = |name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    };
    staff.check_csrf(&state, value("csrf_token"))?;
    staff.require(staff.role().moderates())?;
    let ids: Vec<i32> = form
        .iter()
        .filter(|(k, _)| k == "id")
        .filter_map(|(_, v)| v.parse().ok())
        .collect();
    let action = value("action").to_owned();
    if !ACTIONS.contains(&action.as_str()) {
        return Err(AppError::BadRequest("error_400_text"));
    }
    let back = safe_back(value("back")).to_owned();
    let now = state.now();
    let auditor = super::auditor(&state, &req, &staff);
    if ids.is_empty() {
        return Ok(moderated(&state, &back, Done::NoneTicked));
    }
    let n = {
        let action = action.clone();
        db::run(&state, move |conn| {
            let n = apply(conn, &ids, &action, auditor.who(), now)?;
            let list = ids.iter().map(i32::to_string).collect::<Vec<_>>().join(",");
            auditor.record(
                conn,
                &format!("comment.bulk.{action}"),
                &list,
                &n.to_string(),
            )?;
            Ok(n)
        })
        .await?
    };
    Ok(moderated(&state, &back, Done::Moved(&action, n)))
}

/// `GET /admin/comments/{id}/reply`: the official reply form.
pub async fn reply_form(
    state: web::Data<AppState>,
    req: HttpRequest,
    staff: Staff,
    id: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    staff.require(staff.role().moderates())?;
    reply_page(
        &state,
        &req,
        &staff,
        id.into_inner(),
        String::new(),
        None,
        StatusCode::OK,
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn reply_page(
    state: &web::Data<AppState>,
    req: &HttpRequest,
    staff: &Staff,
    id: i32,
    text: String,
    error: Option<String>,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let (base, c, e) = db::run(state, move |conn| {
        let c = store::find(conn, id)?.ok_or(AppError::NotFound)?;
        let e = crate::storage::entries::find(conn, c.entry_id)?;
        Ok((pages::load_base(conn)?, c, e))
    })
    .await?;
    let view = ReplyPage {
        admin: AdminBase::new(state, req, base, staff),
        comment_id: id,
        comment_author: &c.author_name,
        comment_content: &c.content,
        comment_status: c.status,
        entry_title: &e.title,
        entry_url: e.kind.entry_path(&e.slug),
        text: &text,
        error: error.as_deref(),
    };
    page_view(
        staff.theme(state),
        "admin/comments/reply.html",
        &view,
        status,
    )
}

/// `POST /admin/comments/{id}/reply`: published at once, in the
/// department's name, threaded under the comment (which is approved too).
pub async fn reply(
    state: web::Data<AppState>,
    req: HttpRequest,
    staff: Staff,
    id: web::Path<i32>,
    form: Fields,
) -> Result<HttpResponse, AppError> {
    staff.check_csrf(&state, field(&form, "csrf_token"))?;
    staff.require(staff.role().moderates())?;
    let id = id.into_inner();
    let text = field(&form, "content")
        .replace("\r\n", "\n")
        .trim()
        .to_owned();
    if text.is_empty() || text.chars().count() > crate::domain::comment::CONTENT_MAX {
        let key = if text.is_empty() {
            "comment_content_required"
        } else {
            "comment_content_too_long"
        };
        let message = staff.theme(&state).message(key);
        return reply_page(
            &state,
            &req,
            &staff,
            id,
            text,
            Some(message),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let now = state.now();
    let auditor = super::auditor(&state, &req, &staff);
    let url = db::run(&state, move |conn| {
        let parent = store::find(conn, id)?.ok_or(AppError::NotFound)?;
        let e = crate::storage::entries::find(conn, parent.entry_id)?;
        let name = settings::get(conn, &format!("{}publisher", crate::web::SITE_PREFIX))?
            .or(settings::get(
                conn,
                &format!("{}name", crate::web::SITE_PREFIX),
            )?)
            .unwrap_or_else(|| auditor.who().to_owned());
        match parent.status {
            // Spam and trash are not answered in public.
            CommentStatus::Spam | CommentStatus::Trash => return Err(AppError::Forbidden),
            CommentStatus::Pending => {
                store::set_status(conn, &[id], CommentStatus::Approved, auditor.who(), now)?;
            }
            CommentStatus::Approved => {}
        }
        let new_id = store::insert(
            conn,
            &NewComment {
                entry_id: parent.entry_id,
                parent_id: Some(id),
                author_name: name,
                author_email: format!("{}@staff", auditor.who()),
                author_url: None,
                content_html: comment_text::to_html(&text).into_string(),
                content: text,
                status: CommentStatus::Approved,
                held_by: String::new(),
                ip: None,
                user_agent: String::new(),
                created_at: now,
                official: true,
                handled_at: Some(now),
                handled_by: auditor.who().to_owned(),
            },
        )?;
        forget_old_addresses(conn, now)?;
        auditor.record(conn, "comment.reply", &id.to_string(), "")?;
        Ok(format!("{}#comment-{new_id}", e.kind.entry_path(&e.slug)))
    })
    .await?;
    Ok(see_other(&url))
}

#[derive(Serialize)]
struct NumberField {
    name: &'static str,
    value: String,
    /// What is wrong with the value typed ("" when nothing).
    problem: String,
    /// The values allowed (0 means "off" where it is allowed), as text
    /// for the form's attributes and message.
    min: String,
    max: String,
}

/// The numeric settings as the form shows them (typed values kept, and
/// the allowed range said for those in `errors`).
fn numbers(
    theme: &crate::render::templates::Theme,
    rules: &Rules,
    typed: Option<&Fields>,
    errors: &[String],
) -> Vec<NumberField> {
    let message = theme.message("admin_setting_number");
    let json = serde_json::to_value(rules).unwrap_or_default();
    NUMBER_RANGES
        .into_iter()
        .map(|range| (range.name, range.min, range.max))
        .map(|(name, min, max)| NumberField {
            name,
            min: min.to_string(),
            max: max.to_string(),
            value: match typed {
                Some(f) => field(f, name).to_owned(),
                None => json[name].to_string(),
            },
            problem: if errors.iter().any(|e| e == name) {
                message
                    .replace("{min}", &min.to_string())
                    .replace("{max}", &max.to_string())
            } else {
                String::new()
            },
        })
        .collect()
}

/// `GET /admin/comments/settings` (admins).
pub async fn settings_form(
    state: web::Data<AppState>,
    req: HttpRequest,
    staff: Staff,
) -> Result<HttpResponse, AppError> {
    staff.require(staff.role().administers())?;
    let (base, rules) = db::run(&state, |conn| {
        Ok((pages::load_base(conn)?, settings::moderation_rules(conn)?))
    })
    .await?;
    let view = SettingsPage {
        admin: AdminBase::new(&state, &req, base, &staff),
        numbers: numbers(staff.theme(&state), &rules, None, &[]),
        rules: &rules,
        saved: req.query_string().contains("saved=1"),
        errors: &[],
    };
    page_view(
        staff.theme(&state),
        "admin/comments/settings.html",
        &view,
        StatusCode::OK,
    )
}

/// `POST /admin/comments/settings` (admins).
pub async fn save_settings(
    state: web::Data<AppState>,
    req: HttpRequest,
    staff: Staff,
    form: Fields,
) -> Result<HttpResponse, AppError> {
    staff.check_csrf(&state, field(&form, "csrf_token"))?;
    staff.require(staff.role().administers())?;
    let (rules, errors) = Rules::from_form(|name| form.get(name).map(String::as_str));
    let errors: Vec<String> = errors.into_iter().map(str::to_owned).collect();
    if !errors.is_empty() {
        let base = db::run(&state, |conn| Ok(pages::load_base(conn)?)).await?;
        let view = SettingsPage {
            admin: AdminBase::new(&state, &req, base, &staff),
            numbers: numbers(staff.theme(&state), &rules, Some(&form), &errors),
            rules: &rules,
            saved: false,
            errors: &errors,
        };
        return page_view(
            staff.theme(&state),
            "admin/comments/settings.html",
            &view,
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    let auditor = super::auditor(&state, &req, &staff);
    db::run(&state, move |conn| {
        settings::save_moderation_rules(conn, &rules)?;
        auditor.record(conn, "settings.comments", "", "")
    })
    .await?;
    Ok(see_other("/admin/comments/settings?saved=1"))
}

/// The on-time figure for `from`..`to` (local dates, inclusive).
pub async fn figure(
    state: &web::Data<AppState>,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<(OnTime, Rules), AppError> {
    let tz = state.config.tz();
    let (a, b) = deadline::period_bounds(from, to, tz);
    let now = state.now();
    let (rows, rules) = db::run(state, move |conn| {
        Ok((
            store::received_between(conn, a, b)?,
            settings::moderation_rules(conn)?,
        ))
    })
    .await?;
    Ok((
        deadline::on_time(&rows, rules.deadline_days, tz, now),
        rules,
    ))
}

/// `admin/comments/queue.html`: the moderation queue, a state at a time.
#[derive(Serialize)]
struct QueuePage<'a> {
    #[serde(flatten)]
    admin: AdminBase<'a>,
    /// This page's comments, with their entry and whether they are overdue.
    rows: Vec<Row>,
    /// How many comments the filter matches in all.
    total: i64,
    /// The state shown: `pending`, `approved`, `spam`, `trash`.
    status: CommentStatus,
    /// The query string's filters as given (`q`, `entry`, `order`).
    filter: &'a std::collections::HashMap<String, String>,
    /// This page's own address, where actions return.
    back: String,
    /// Where this page is among the queue's pages.
    pagination: Pagination,
    /// What the last action did, in the theme's words, or null.
    notice: Option<String>,
}

/// `admin/comments/reply.html`: an official reply to a comment.
#[derive(Serialize)]
struct ReplyPage<'a> {
    #[serde(flatten)]
    admin: AdminBase<'a>,
    /// The comment answered: its id, author, text (as typed) and state.
    comment_id: i32,
    comment_author: &'a str,
    comment_content: &'a str,
    comment_status: CommentStatus,
    /// The entry it was posted on, and its public address.
    entry_title: &'a str,
    entry_url: String,
    /// The reply as typed (kept when the form comes back).
    text: &'a str,
    /// What is wrong with the reply, or null.
    error: Option<&'a str>,
}

/// `admin/comments/settings.html`: the moderation rules.
#[derive(Serialize)]
struct SettingsPage<'a> {
    #[serde(flatten)]
    admin: AdminBase<'a>,
    /// The numeric rules as fields: name, value, allowed range, problem.
    numbers: Vec<NumberField>,
    /// The rules (for the check box and the word lists).
    rules: &'a Rules,
    /// Whether the rules were just saved.
    saved: bool,
    /// The names of the fields out of range.
    errors: &'a [String],
}

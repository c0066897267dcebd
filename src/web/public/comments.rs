//! `POST {entry}/comments`: store a valid comment as pending; send an invalid
//! one back (422) with every typed value and a message at each bad field.

use crate::storage::Db;
use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};

use super::entry::{self, respond};
use super::kind_of;
use crate::domain::comment::{self, CommentStatus, FieldError};
use crate::domain::moderation;
use crate::error::AppError;
use crate::render::comment_text;
use crate::storage::comments::{self as store, NewComment};
use crate::storage::settings;
use crate::web::AppState;
use crate::web::cookies;
use crate::web::db;
use crate::web::forms::{CommentFormView, CommentPost};
use crate::web::tokens;

/// What the rules decided about a post.
enum Outcome {
    /// Stored as pending: its id and the page of threads that shows it.
    Pending(i32, usize),
    /// Approved by the rules (a known commenter, when allowed): its id and
    /// the page of threads that shows it.
    Approved(i32, usize),
    /// Too soon after the last one, or too many from one address (429).
    TooMany(Vec<FieldError>),
    /// The honeypot was filled: kept as spam for moderators, nothing shown.
    Trapped,
    /// Sent back with these problems.
    Invalid(Vec<FieldError>),
}

/// `GET {entry}/comments`: the form lives on the entry page.
pub async fn to_form(req: HttpRequest, slug: web::Path<String>) -> Result<HttpResponse, AppError> {
    super::to_entry_form(&req, &slug, "respond")
}

pub async fn post(
    state: web::Data<AppState>,
    req: HttpRequest,
    slug: web::Path<String>,
    form: web::Form<CommentPost>,
) -> Result<HttpResponse, AppError> {
    let kind = kind_of(&req)?;
    let post = form.into_inner();
    let now = state.now();
    let slug = slug.into_inner();
    // The peer's address, or the client's behind a trusted proxy.
    let ip = crate::web::client_ip(&req, &state.config);
    let user_agent: String = req
        .headers()
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .chars()
        .take(500)
        .collect();
    let browser = cookies::browser_id(&req);
    let pending = cookies::pending_ids(&req, &state.keys);
    let input = post.input.clone();
    let trapped = !post.loa_website.trim().is_empty();
    let consented = !post.consent.trim().is_empty();
    let reply_to = input.parent_id.trim().parse::<i32>().ok();
    // The page of threads the form was sent from (see `at_comment_page`).
    let cpage = entry::comment_page(&req);
    let st = state.clone();

    // The page is read first, outside the write lock (a form with errors
    // comes back on it, on the page of threads it was sent from); then one
    // write transaction from the checks to the insert: a double click
    // cannot slip a second copy past the duplicate and 15-second rules.
    // Reading the page under the lock held every other writer for its
    // dozen statements.
    let (page, outcome) = db::run(&state, move |conn| {
        let page = entry::load(
            conn, &st.cache, kind, &slug, now, &pending, reply_to, false, cpage,
        )?;
        let outcome = crate::storage::write(conn, |conn| {
            // The page was read before the lock: the entry may have been
            // unpublished or deleted since (a 404, as for its page).
            if !crate::storage::entries::is_public_now(conn, page.entry.id, now)? {
                return Err(AppError::NotFound);
            }
            decide(
                conn, &st, &page, now, &pending, post, browser, ip, user_agent, trapped, consented,
            )
        })?;
        Ok::<_, AppError>((page, outcome))
    })
    .await?;
    respond_to(&state, &req, kind, input, consented, page, outcome)
}

/// The checks, the rules and the insert, inside one transaction.
#[allow(clippy::too_many_arguments)]
fn decide(
    conn: &mut Db,
    st: &web::Data<AppState>,
    page: &entry::EntryPage,
    now: chrono::NaiveDateTime,
    pending: &[i32],
    post: CommentPost,
    browser: Option<String>,
    ip: Option<String>,
    user_agent: String,
    trapped: bool,
    consented: bool,
) -> Result<Outcome, AppError> {
    {
        let rules = settings::moderation_rules(conn)?;
        let notes = crate::web::views::mask_notes(&st.theme);
        let entry_id = page.entry.id;
        let mut errors = Vec::new();
        if !moderation::accepts_comments(
            page.entry.comments_open,
            page.entry.publish_at,
            &rules,
            now,
        ) {
            errors.push(FieldError {
                field: "form",
                key: "comment_closed",
            });
        }
        // Bound to this browser, or from a page every reader shares.
        let check = |b: &str| {
            st.keys
                .check_comment_token(&post.csrf_token, entry_id, b, now.and_utc().timestamp())
                .ok()
        };
        let issued = browser
            .as_deref()
            .and_then(check)
            .or_else(|| check(tokens::SHARED));
        if issued.is_none() {
            errors.push(FieldError {
                field: "form",
                key: "comment_token_invalid",
            });
        }
        let validated = comment::validate(&post.input);
        match &validated {
            Err(field_errors) => errors.extend(field_errors.iter().cloned()),
            // A reply must answer an approved comment on this same entry.
            Ok(v) if v.parent_id.is_some() && page.reply_to.is_none() => errors.push(FieldError {
                field: "parent_id",
                key: "comment_parent_invalid",
            }),
            Ok(_) => {}
        }
        if !consented {
            errors.push(FieldError {
                field: "consent",
                key: "comment_consent_required",
            });
        }
        let valid = match validated {
            Ok(v) if errors.is_empty() => v,
            _ => return Ok(Outcome::Invalid(errors)),
        };
        if trapped {
            store::insert(
                conn,
                &new_comment(
                    entry_id,
                    &valid,
                    CommentStatus::Spam,
                    "honeypot",
                    ip,
                    user_agent,
                    now,
                    &notes,
                ),
            )?;
            return Ok(Outcome::Trapped);
        }
        // The same person again within seconds, or too many from one address.
        let last = store::last_from(conn, ip.as_deref(), &valid.author_email)?;
        let recent =
            last.is_some_and(|t| now - t < chrono::Duration::seconds(moderation::REPEAT_SECONDS));
        let flood = match &ip {
            Some(ip) => {
                store::count_from_ip(conn, ip, now - chrono::Duration::hours(1))? >= rules.per_hour
            }
            None => false,
        };
        if recent || flood {
            let key = if recent {
                "comment_too_soon"
            } else {
                "comment_too_many"
            };
            return Ok(Outcome::TooMany(vec![FieldError { field: "form", key }]));
        }
        if store::is_duplicate(conn, entry_id, &valid.author_email, &valid.content)? {
            return Ok(Outcome::Invalid(vec![FieldError {
                field: "content",
                key: "comment_duplicate",
            }]));
        }
        let too_fast = issued.is_some_and(|t| now.and_utc().timestamp() - t < rules.min_seconds);
        let known = store::is_known(conn, &valid.author_name, &valid.author_email)?;
        let candidate = moderation::Candidate {
            content: &valid.content,
            name: &valid.author_name,
            email: &valid.author_email,
            url: valid.author_url.as_deref().unwrap_or(""),
            ip: ip.as_deref().unwrap_or(""),
        };
        let (status, held_by) = match moderation::judge(&rules, &candidate, known, too_fast) {
            moderation::Verdict::Refuse(key) => {
                return Ok(Outcome::Invalid(vec![FieldError {
                    field: "content",
                    key,
                }]));
            }
            moderation::Verdict::Approve => (CommentStatus::Approved, String::from("auto")),
            moderation::Verdict::Hold(reason) => (CommentStatus::Pending, reason),
        };
        // A write: old addresses are forgotten with it (see
        // `admin::comments::forget_old_addresses`).
        if let Some(before) = rules.forget_addresses_before(now) {
            store::forget_addresses(conn, before)?;
        }
        let mut new = new_comment(
            entry_id, &valid, status, &held_by, ip, user_agent, now, &notes,
        );
        if status == CommentStatus::Approved {
            new.handled_at = Some(now);
            new.handled_by = "auto".into();
        }
        let id = store::insert(conn, &new)?;
        // The commenter is sent to the page of threads that shows the
        // new comment: the last for a new thread, its thread's for a reply.
        let mut shown = pending.to_vec();
        if status == CommentStatus::Pending {
            shown.push(id);
        }
        let at = entry::page_of(conn, entry_id, &shown, id, rules.per_page)?;
        Ok(if status == CommentStatus::Approved {
            Outcome::Approved(id, at)
        } else {
            Outcome::Pending(id, at)
        })
    }
}

/// The answer to a post: 303 to the entry, or the form again.
fn respond_to(
    state: &web::Data<AppState>,
    req: &HttpRequest,
    kind: crate::domain::entry::EntryKind,
    input: comment::CommentInput,
    consented: bool,
    page: entry::EntryPage,
    outcome: Outcome,
) -> Result<HttpResponse, AppError> {
    let entry_url = kind.entry_path(&page.entry.slug);
    let secure = state.config.is_https();
    match outcome {
        Outcome::Pending(id, at) => Ok(HttpResponse::SeeOther()
            .insert_header((header::LOCATION, entry::at_comment_page(&entry_url, at)))
            .cookie(cookies::with_pending(req, &state.keys, id, secure))
            .cookie(cookies::flash(format!("comment_pending:{id}"), secure))
            .finish()),
        Outcome::Approved(id, at) => Ok(HttpResponse::SeeOther()
            .insert_header((header::LOCATION, entry::at_comment_page(&entry_url, at)))
            .cookie(cookies::flash(format!("comment_approved:{id}"), secure))
            .finish()),
        Outcome::Trapped => Ok(HttpResponse::SeeOther()
            .insert_header((header::LOCATION, entry_url))
            .finish()),
        Outcome::Invalid(errors) | Outcome::TooMany(errors) => {
            let status = if errors
                .iter()
                .any(|e| matches!(e.key, "comment_too_soon" | "comment_too_many"))
            {
                StatusCode::TOO_MANY_REQUESTS
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            let mut form = CommentFormView::new(
                entry::at_comment_page(&format!("{entry_url}/comments"), page.comment_page),
                String::new(),
            );
            for e in &errors {
                form.add_error(&state.theme, e);
            }
            form.values = input;
            form.consent = consented;
            // A reply target that is gone: the comment goes back as a new one.
            if errors.iter().any(|e| e.field == "parent_id") {
                form.values.parent_id.clear();
            }
            respond(state, req, page, form, status, None)
        }
    }
}

#[expect(clippy::too_many_arguments)]
fn new_comment(
    entry_id: i32,
    valid: &comment::ValidComment,
    status: CommentStatus,
    held_by: &str,
    ip: Option<String>,
    user_agent: String,
    now: chrono::NaiveDateTime,
    notes: &moderation::MaskNotes,
) -> NewComment {
    NewComment {
        entry_id,
        parent_id: valid.parent_id,
        // Shown publicly: personal numbers and addresses masked; the
        // original text is kept for staff.
        content_html: comment_text::to_html(&moderation::mask_personal(&valid.content, notes))
            .into_string(),
        content: valid.content.clone(),
        author_name: valid.author_name.clone(),
        author_email: valid.author_email.clone(),
        author_url: valid.author_url.clone(),
        status,
        held_by: held_by.to_owned(),
        ip,
        user_agent,
        created_at: now,
        official: false,
        handled_at: None,
        handled_by: String::new(),
    }
}

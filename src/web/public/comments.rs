//! `POST {entry}/comments`: store a valid comment as pending; send an invalid
//! one back (422) with every typed value and a message at each bad field.

use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};

use super::entry::{self, respond};
use super::kind_of;
use crate::domain::comment::{self, CommentStatus, FieldError};
use crate::error::AppError;
use crate::render::comment_text;
use crate::storage::comments::{self as store, NewComment};
use crate::web::AppState;
use crate::web::cookies;
use crate::web::db;
use crate::web::forms::{CommentFormView, CommentPost};

/// What the rules decided about a post.
enum Outcome {
    /// Stored as pending: its id.
    Pending(i32),
    /// The honeypot was filled: kept as spam for moderators, nothing shown.
    Trapped,
    /// Sent back with these problems.
    Invalid(Vec<FieldError>),
}

/// `GET {entry}/comments`: the form lives on the entry page.
pub async fn to_form(req: HttpRequest, slug: web::Path<String>) -> Result<HttpResponse, AppError> {
    let kind = kind_of(&req)?;
    if !crate::domain::slug::is_valid(&slug) {
        return Err(AppError::NotFound);
    }
    Ok(HttpResponse::SeeOther()
        .insert_header((
            header::LOCATION,
            format!("{}#respond", kind.entry_path(&slug)),
        ))
        .finish())
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
    // The peer's address: X-Forwarded-For is anyone's to write. (Behind a
    // proxy this is the proxy; trusted-proxy handling comes with issue 4.)
    let ip = req.peer_addr().map(|a| a.ip().to_string());
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
    let reply_to = input.parent_id.trim().parse::<i32>().ok();
    let st = state.clone();

    let (page, outcome) = db::run(&state, move |conn| {
        let page = entry::load(conn, kind, &slug, now, &pending, reply_to)?;
        let entry_id = page.entry.id;
        let mut errors = Vec::new();
        if !page.entry.comments_open {
            errors.push(FieldError {
                field: "form",
                key: "comment_closed",
            });
        }
        let token_valid = browser.is_some_and(|b| {
            st.keys
                .check_comment_token(&post.csrf_token, entry_id, &b, now.and_utc().timestamp())
                .is_ok()
        });
        if !token_valid {
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
        let valid = match validated {
            Ok(v) if errors.is_empty() => v,
            _ => return Ok((page, Outcome::Invalid(errors))),
        };
        let (status, held_by) = if trapped {
            (CommentStatus::Spam, "honeypot")
        } else {
            (CommentStatus::Pending, "")
        };
        let id = store::insert(
            conn,
            &NewComment {
                entry_id,
                parent_id: valid.parent_id,
                content_html: comment_text::to_html(&valid.content).into_string(),
                content: valid.content,
                author_name: valid.author_name,
                author_email: valid.author_email,
                author_url: valid.author_url,
                status,
                held_by: held_by.to_owned(),
                ip,
                user_agent,
                created_at: now,
            },
        )?;
        Ok((
            page,
            if trapped {
                Outcome::Trapped
            } else {
                Outcome::Pending(id)
            },
        ))
    })
    .await?;

    let entry_url = kind.entry_path(&page.entry.slug);
    let secure = state.config.is_https();
    match outcome {
        Outcome::Pending(id) => Ok(HttpResponse::SeeOther()
            .insert_header((header::LOCATION, entry_url))
            .cookie(cookies::with_pending(&req, &state.keys, id, secure))
            .cookie(cookies::flash(format!("comment_pending:{id}"), secure))
            .finish()),
        Outcome::Trapped => Ok(HttpResponse::SeeOther()
            .insert_header((header::LOCATION, entry_url))
            .finish()),
        Outcome::Invalid(errors) => {
            let mut form = CommentFormView::new(format!("{entry_url}/comments"), String::new());
            for e in &errors {
                form.add_error(&state.theme, e);
            }
            form.values = input;
            // A reply target that is gone: the comment goes back as a new one.
            if errors.iter().any(|e| e.field == "parent_id") {
                form.values.parent_id.clear();
            }
            respond(&state, &req, page, form, StatusCode::UNPROCESSABLE_ENTITY)
        }
    }
}

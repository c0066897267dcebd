//! `/admin/login` and `/admin/logout`.
//!
//! A wrong username and a wrong password get the same answer in the same
//! time. Failures are counted per account and per address: from the third
//! the answer is slowed down, from the fifth within 15 minutes sign-in is
//! refused for 15 minutes (429), with a message that says so.

use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;

use super::{Fields, audit, change, field, see_other};
use crate::auth;
use crate::error::AppError;
use crate::storage::{throttle, users};
use crate::web::pages::Common;
use crate::web::session::{self, Staff};
use crate::web::{AppState, cookies, db, pages};

fn login_subject(browser: &str) -> String {
    format!("login|{browser}")
}

/// Where to go after signing in: only paths inside the admin.
fn safe_next(next: &str) -> &str {
    if next.starts_with("/admin")
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.contains(char::is_control)
    {
        next
    } else {
        "/admin"
    }
}

/// `admin/login.html`: the sign-in form (no one is signed in: it gets the
/// public pages' common part, not the admin's).
#[derive(Serialize)]
struct LoginPage<'a> {
    #[serde(flatten)]
    common: Common<'a>,
    /// The form's anti-forgery token, bound to this browser.
    csrf_token: String,
    /// The name typed, kept when the form comes back.
    username: &'a str,
    /// Where to go after signing in (a path inside `/admin`).
    next: &'a str,
    /// What went wrong, in the theme's words, or null.
    error: Option<String>,
    /// The field the error is about (`username`, `password`), or empty.
    error_at: &'a str,
}

async fn render(
    state: &web::Data<AppState>,
    req: &HttpRequest,
    username: &str,
    next: &str,
    error: Option<String>,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    render_at(state, req, username, next, error, "", status).await
}

/// [`render`] with the error about field `error_at` (shown there too;
/// other errors lead to the name field).
async fn render_at(
    state: &web::Data<AppState>,
    req: &HttpRequest,
    username: &str,
    next: &str,
    error: Option<String>,
    error_at: &str,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let base = db::run(state, |conn| Ok(pages::load_base(conn)?)).await?;
    let (browser, new_cookie) = match cookies::browser_id(req) {
        Some(id) => (id, None),
        None => {
            let c = cookies::new_browser_id(state.config.is_https());
            (c.value().to_owned(), Some(c))
        }
    };
    let view = LoginPage {
        common: Common::new(state, req, base),
        csrf_token: state.keys.form_token(&login_subject(&browser)),
        username,
        next: safe_next(next),
        error,
        error_at,
    };
    let mut res = HttpResponse::build(status);
    res.content_type("text/html; charset=utf-8")
        .insert_header(("Cache-Control", "no-store"));
    if let Some(c) = new_cookie {
        res.cookie(c);
    }
    Ok(res.body(state.theme.render_view("admin/login.html", &view)?))
}

pub async fn form(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, AppError> {
    let next =
        web::Query::<std::collections::HashMap<String, String>>::from_query(req.query_string())
            .ok()
            .and_then(|q| q.get("next").cloned())
            .unwrap_or_default();
    render(&state, &req, "", &next, None, StatusCode::OK).await
}

pub async fn submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: Fields,
) -> Result<HttpResponse, AppError> {
    let username = field(&form, "username").trim().to_lowercase();
    let password = field(&form, "password").to_owned();
    let next = field(&form, "next").to_owned();
    let token_ok = cookies::browser_id(&req).is_some_and(|b| {
        state
            .keys
            .check_form_token(&login_subject(&b), field(&form, "csrf_token"))
    });
    if !token_ok {
        let message = state.theme.message("login_token_invalid");
        return render(
            &state,
            &req,
            &username,
            &next,
            Some(message),
            StatusCode::FORBIDDEN,
        )
        .await;
    }
    // A field left empty is said to be empty: not a failed attempt.
    let missing = match (username.is_empty(), password.is_empty()) {
        (true, true) => Some(("login_fields_required", "username")),
        (true, false) => Some(("login_username_required", "username")),
        (false, true) => Some(("login_password_required", "password")),
        (false, false) => None,
    };
    if let Some((key, at)) = missing {
        let message = state.theme.message(key);
        return render_at(
            &state,
            &req,
            &username,
            &next,
            Some(message),
            at,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let ip = crate::web::client_ip(&req, &state.config).unwrap_or_default();
    let keys = vec![format!("user:{username}"), format!("ip:{ip}")];
    let now = state.now();
    let k = keys.clone();
    // The attempt is counted (and the lock checked) before argon2 runs.
    let attempt = db::run(&state, move |conn| {
        Ok(throttle::begin_attempt(conn, &k, now)?)
    })
    .await?;
    let failures = match attempt {
        Ok(n) => n,
        Err(until) => {
            let minutes = ((until - now).num_seconds() + 59) / 60;
            let message = state
                .theme
                .message("login_locked")
                .replace("{minutes}", &minutes.to_string());
            return render(
                &state,
                &req,
                &username,
                &next,
                Some(message),
                StatusCode::TOO_MANY_REQUESTS,
            )
            .await;
        }
    };
    let name = username.clone();
    let user = db::run(&state, move |conn| {
        Ok(users::find_by_username(conn, &name)?)
    })
    .await?;
    // argon2 is slow on purpose: off the async executor.
    // The same work whether the account exists, is disabled or not.
    let verified = web::block(move || match user {
        Some(u) if !u.disabled => auth::verify(&password, &u.password_hash).then_some(u),
        _ => {
            auth::verify_nothing(&password);
            None
        }
    })
    .await?;
    let st = state.clone();
    let ip = super::client_ip(&state, &req);
    match verified {
        Some(user) => {
            let k = keys.clone();
            let who = user.username.clone();
            db::run(&state, move |conn| {
                throttle::clear(conn, &k)?;
                audit(conn, &st, &ip, &who, "login", &who, "")
            })
            .await?;
            Ok(HttpResponse::SeeOther()
                .insert_header(("Location", safe_next(&next).to_owned()))
                .cookie(session::start(&state, &user))
                .finish())
        }
        None => {
            let who = username.clone();
            db::run(&state, move |conn| {
                audit(
                    conn,
                    &st,
                    &ip,
                    "",
                    "login.failed",
                    &who,
                    &format!("{failures}"),
                )
            })
            .await?;
            if failures >= 3 {
                // Slower answers from the third failure on.
                let wait = 500 * u64::from((failures - 2).min(4) as u32);
                actix_web::rt::time::sleep(Duration::from_millis(wait)).await;
            }
            let message = if failures >= throttle::LOCK_AFTER {
                state
                    .theme
                    .message("login_locked")
                    .replace("{minutes}", &throttle::LOCK_MINUTES.to_string())
            } else {
                state.theme.message("login_failed")
            };
            let status = if failures >= throttle::LOCK_AFTER {
                StatusCode::TOO_MANY_REQUESTS
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            render(&state, &req, &username, &next, Some(message), status).await
        }
    }
}

/// Ends every session of the account (this browser's and any other).
pub async fn logout(
    state: web::Data<AppState>,
    req: HttpRequest,
    staff: Staff,
    form: Fields,
) -> Result<HttpResponse, AppError> {
    let id = staff.user.id;
    // Every role may sign out; the token is still required.
    change(
        &state,
        &req,
        &staff,
        field(&form, "csrf_token"),
        true,
        move |conn, audit| {
            crate::storage::users::end_sessions(conn, id)?;
            audit.record(conn, "logout", audit.who(), "")
        },
    )
    .await?;
    let mut res = see_other("/admin/login");
    res.add_cookie(&session::end(&state))
        .map_err(AppError::internal)?;
    Ok(res)
}

/// `POST /admin/language`: the language this person reads the admin in
/// (`language`, one the theme speaks; empty for the site's), then back to
/// `back` (an admin page).
pub async fn language(
    state: web::Data<AppState>,
    req: HttpRequest,
    staff: Staff,
    form: Fields,
) -> Result<HttpResponse, AppError> {
    let chosen = field(&form, "language").to_owned();
    if !chosen.is_empty() && !state.languages().contains(&chosen.as_str()) {
        return Err(AppError::BadRequest("error_400_text"));
    }
    let chosen = if chosen == state.config.language {
        String::new()
    } else {
        chosen
    };
    let id = staff.user.id;
    change(
        &state,
        &req,
        &staff,
        field(&form, "csrf_token"),
        true,
        move |conn, _| Ok(crate::storage::users::set_language(conn, id, &chosen)?),
    )
    .await?;
    let back = field(&form, "back");
    let back =
        if back.starts_with("/admin") && !back.contains(|c: char| c.is_control() || c == '\\') {
            back
        } else {
            "/admin"
        };
    Ok(see_other(back))
}

//! "Thông tin này có hữu ích không?": the rating form under each entry
//! (`POST {entry path}/rating`) and each page (`POST {page path}/rating`).
//!
//! - **No JavaScript**: a form of radio buttons and a text box; a valid
//!   answer is a 303 back to the page (`#danh-gia`), which thanks the
//!   reader once (the flash cookie); an invalid one comes back (422) with
//!   the choice and the text kept and a message at each field.
//! - **One answer per browser**, which it may change: the browser-id
//!   cookie (made here when missing) names the answer, kept as an HMAC.
//! - **No personal data**: no name or address is asked; the client's
//!   address is kept only as an HMAC, to limit answers per address
//!   (`domain::rating::PER_HOUR`, then 429).
//! - **Forgery**: the page is the same for every reader (the cache keeps
//!   it), so the form's token is bound to the entry or page and the time,
//!   not to a browser; a POST another site makes is refused by its
//!   `Origin` (or `Sec-Fetch-Site`) before anything is read.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::entry;
use super::kind_of;
use crate::domain::rating::{self, RatingInput};
use crate::error::AppError;
use crate::storage::ratings::{self as store, Target};
use crate::web::cookies;
use crate::web::db;
use crate::web::forms::RatingFormView;
use crate::web::{AppState, pages};

/// Where the form sits on its page.
pub const ANCHOR: &str = "danh-gia";
/// The flash that thanks the reader.
const SAVED: &str = "rating_saved";

/// The form as posted.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct RatingPost {
    pub score: String,
    pub comment: String,
    pub csrf_token: String,
}

fn target_key(target: Target) -> String {
    match target {
        Target::Entry(id) => format!("entry:{id}"),
        Target::Page(id) => format!("page:{id}"),
    }
}

/// A fresh form for `target` on the page at `page_url`, thanking the
/// reader when they have just answered.
pub fn form(state: &AppState, req: &HttpRequest, target: Target, page_url: &str) -> RatingFormView {
    let token = state
        .keys
        .rating_token(&target_key(target), state.now().and_utc().timestamp());
    let mut view = RatingFormView::new(format!("{page_url}/rating"), token);
    view.saved = just_saved(req);
    view
}

/// Whether the flash says this browser has just answered.
pub fn just_saved(req: &HttpRequest) -> bool {
    req.cookie(cookies::FLASH)
        .is_some_and(|c| c.value() == SAVED)
}

/// Whether the POST comes from another site: its `Origin` is not this
/// site's, or the browser says so (`Sec-Fetch-Site: cross-site`).
pub(super) fn cross_site(state: &AppState, req: &HttpRequest) -> bool {
    let header = |name| req.headers().get(name).and_then(|v| v.to_str().ok());
    if header("sec-fetch-site") == Some("cross-site") {
        return true;
    }
    match header(header::ORIGIN.as_str()) {
        None => false,
        Some(origin) => {
            let ours = pages::origin(state, req);
            let host = |o: &str| o.split("://").nth(1).map(str::to_owned);
            origin == "null" || host(origin) != host(&ours)
        }
    }
}

/// What became of an answer.
pub enum Outcome {
    /// Stored: the 303 back to the page.
    Saved(HttpResponse),
    /// Sent back on its page with this status.
    Refused(RatingFormView, StatusCode),
}

/// Checks and keeps an answer about `target`, posted from the page at
/// `page_url`.
pub async fn submit(
    state: &web::Data<AppState>,
    req: &HttpRequest,
    target: Target,
    page_url: &str,
    post: RatingPost,
) -> Result<Outcome, AppError> {
    if cross_site(state, req) {
        return Err(AppError::Forbidden);
    }
    let now = state.now();
    let input = RatingInput {
        score: post.score.clone(),
        comment: post.comment.clone(),
    };
    // The page's language: an English page's form comes back in English.
    let theme =
        super::translated_language(state, req.path()).map_or(&state.theme, |l| state.theme_in(l));
    let mut view = form(state, req, target, page_url);
    view.saved = false;
    view.choose(&input.score);
    view.comment = input.comment.clone();
    let token_ok = state
        .keys
        .check_rating_token(
            &post.csrf_token,
            &target_key(target),
            now.and_utc().timestamp(),
        )
        .is_ok();
    let valid = rating::validate(&input);
    if !token_ok || valid.is_err() {
        if !token_ok {
            view.add_error(
                theme,
                &crate::domain::comment::FieldError {
                    field: "form",
                    key: "rating_token_invalid",
                },
            );
        }
        for e in valid.as_ref().err().into_iter().flatten() {
            view.add_error(theme, e);
        }
        return Ok(Outcome::Refused(view, StatusCode::UNPROCESSABLE_ENTITY));
    }
    let Ok(answer) = valid else {
        return Err(AppError::internal("checked above"));
    };
    let address = crate::web::client_ip(req, &state.config)
        .map(|ip| state.keys.pseudonym("address", &ip))
        .unwrap_or_default();
    let (browser, new_cookie) = match cookies::browser_id(req) {
        Some(b) => (b, None),
        None => {
            let c = cookies::new_browser_id(state.config.is_https());
            (c.value().to_owned(), Some(c))
        }
    };
    let browser = state.keys.pseudonym("browser", &browser);
    let kept = db::run(state, move |conn| {
        if !address.is_empty()
            && store::count_from(conn, &address, now - chrono::Duration::hours(1))?
                >= rating::PER_HOUR
        {
            return Ok(false);
        }
        store::save(conn, target, &browser, &address, &answer, now)?;
        Ok(true)
    })
    .await?;
    if !kept {
        view.add_error(
            theme,
            &crate::domain::comment::FieldError {
                field: "form",
                key: "rating_too_many",
            },
        );
        return Ok(Outcome::Refused(view, StatusCode::TOO_MANY_REQUESTS));
    }
    let secure = state.config.is_https();
    let mut res = HttpResponse::SeeOther();
    res.insert_header((header::LOCATION, format!("{page_url}#{ANCHOR}")))
        .cookie(cookies::flash(SAVED.to_owned(), secure));
    if let Some(c) = new_cookie {
        res.cookie(c);
    }
    Ok(Outcome::Saved(res.finish()))
}

/// `GET {entry}/rating`: the form lives on the entry page.
pub async fn to_form(req: HttpRequest, slug: web::Path<String>) -> Result<HttpResponse, AppError> {
    super::to_entry_form(&req, &slug, ANCHOR)
}

/// `POST {entry}/rating`.
pub async fn post_entry(
    state: web::Data<AppState>,
    req: HttpRequest,
    slug: web::Path<String>,
    form: web::Form<RatingPost>,
) -> Result<HttpResponse, AppError> {
    let kind = kind_of(&req)?;
    let slug = slug.into_inner();
    let now = state.now();
    let st = state.clone();
    let pending = cookies::pending_ids(&req, &state.keys);
    let page = db::run(&state, move |conn| {
        entry::load(conn, &st.cache, kind, &slug, now, &pending, None, false, 1)
    })
    .await?;
    let url = kind.entry_path(&page.entry.slug);
    match submit(
        &state,
        &req,
        Target::Entry(page.entry.id),
        &url,
        form.into_inner(),
    )
    .await?
    {
        Outcome::Saved(res) => Ok(res),
        Outcome::Refused(view, status) => {
            let mut page = page;
            page.rating = Some(view);
            let comments =
                crate::web::forms::CommentFormView::new(format!("{url}/comments"), String::new());
            entry::respond(&state, &req, page, comments, status, None)
        }
    }
}

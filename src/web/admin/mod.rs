//! The staff side under `/admin`: sign-in, dashboard, entries and their
//! workflow and revisions, categories and tags, the media library and
//! attachments, users, the audit log.
//!
//! Every handler takes a [`Staff`] (signed in, account enabled, session
//! current) and checks the role for its action on the server; every POST
//! checks `csrf_token` before it changes anything.

mod audit;
mod categories;
mod comments;
mod dashboard;
mod documents;
mod entries;
mod login;
mod media;
mod menus;
mod pages;
mod print;
mod questions;
mod ratings;
mod theme;
mod translations;
mod users;

use crate::storage::Db;
use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;

use super::AppState;
use super::pages::{Base, Common};
use super::session::Staff;
use crate::error::AppError;
use crate::storage;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin", web::get().to(dashboard::show))
        .route("/admin/login", web::get().to(login::form))
        .route("/admin/login", web::post().to(login::submit))
        .route("/admin/logout", web::post().to(login::logout))
        .route("/admin/entries", web::get().to(entries::list))
        .route("/admin/entries/new", web::get().to(entries::new))
        .route("/admin/entries/new", web::post().to(entries::create))
        .route("/admin/entries/{id}/edit", web::get().to(entries::edit))
        .route("/admin/entries/{id}/edit", web::post().to(entries::save))
        .route(
            "/admin/entries/{id}/delete",
            web::post().to(entries::delete),
        )
        .route(
            "/admin/entries/{id}/revisions",
            web::get().to(entries::revisions),
        )
        .route(
            "/admin/entries/{id}/revisions/diff",
            web::get().to(entries::diff),
        )
        .route(
            "/admin/entries/{id}/revisions/{rev}/restore",
            web::post().to(entries::restore),
        )
        .route("/admin/entries/{id}/print.pdf", web::get().to(print::pdf))
        .route("/admin/preview", web::post().to(entries::preview))
        .route("/admin/documents", web::get().to(documents::list))
        .route("/admin/documents/new", web::get().to(documents::new))
        .route("/admin/documents/new", web::post().to(documents::create))
        .route("/admin/documents/{id}/edit", web::get().to(documents::edit))
        .route(
            "/admin/documents/{id}/edit",
            web::post().to(documents::update),
        )
        .route(
            "/admin/documents/{id}/delete",
            web::post().to(documents::delete),
        )
        .route(
            "/admin/entries/{id}/attachments",
            web::post().to(entries::attach),
        )
        .route(
            "/admin/entries/{id}/attachments/{att}/delete",
            web::post().to(entries::detach),
        )
        .route("/admin/language", web::post().to(login::language))
        .route("/admin/theme", web::get().to(theme::show))
        .route("/admin/theme", web::post().to(theme::save))
        .route("/admin/menus", web::get().to(menus::show))
        .route("/admin/menus", web::post().to(menus::create))
        .route("/admin/menus/{id}", web::post().to(menus::update))
        .route(
            "/admin/translations/{original}/{id}/{lang}",
            web::get().to(translations::edit),
        )
        .route(
            "/admin/translations/{original}/{id}/{lang}",
            web::post().to(translations::save),
        )
        .route(
            "/admin/translations/{original}/{id}/{lang}/delete",
            web::post().to(translations::delete),
        )
        .route("/admin/languages", web::post().to(theme::languages))
        .route("/admin/pages", web::get().to(pages::list))
        .route("/admin/pages/new", web::get().to(pages::new))
        .route("/admin/pages/new", web::post().to(pages::create))
        .route("/admin/pages/{id}/edit", web::get().to(pages::edit))
        .route("/admin/pages/{id}/edit", web::post().to(pages::update))
        .route("/admin/pages/{id}/delete", web::post().to(pages::delete))
        .route(
            "/admin/pages/{id}/revisions/{rev}/restore",
            web::post().to(pages::restore),
        )
        .route("/admin/media", web::get().to(media::library))
        .route("/admin/media", web::post().to(media::upload))
        .route("/admin/media/{id}", web::get().to(media::show_one))
        .route("/admin/media/{id}", web::post().to(media::save))
        .route("/admin/media/{id}/delete", web::post().to(media::delete))
        .route("/admin/categories", web::get().to(categories::list))
        .route("/admin/categories", web::post().to(categories::create))
        .route("/admin/categories/{id}", web::post().to(categories::update))
        .route(
            "/admin/categories/{id}/delete",
            web::post().to(categories::delete),
        )
        .route("/admin/tags", web::get().to(categories::tags))
        .route("/admin/tags/{id}", web::post().to(categories::rename_tag))
        .route(
            "/admin/tags/{id}/delete",
            web::post().to(categories::delete_tag),
        )
        .route("/admin/users", web::get().to(users::list))
        .route("/admin/users", web::post().to(users::create))
        .route("/admin/users/{id}", web::post().to(users::update))
        .route("/admin/audit", web::get().to(audit::list))
        .route("/admin/questions", web::get().to(questions::list))
        .route(
            "/admin/questions/settings",
            web::post().to(questions::save_settings),
        )
        .route("/admin/questions/{id}", web::get().to(questions::edit))
        .route(
            "/admin/questions/{id}/{action}",
            web::post().to(questions::act),
        )
        .route("/admin/ratings", web::get().to(ratings::overview))
        .route("/admin/ratings.csv", web::get().to(ratings::csv))
        .route("/admin/ratings/{what}/{id}", web::get().to(ratings::detail))
        .route("/admin/comments", web::get().to(comments::list))
        .route("/admin/comments/bulk", web::post().to(comments::bulk))
        .route(
            "/admin/comments/settings",
            web::get().to(comments::settings_form),
        )
        .route(
            "/admin/comments/settings",
            web::post().to(comments::save_settings),
        )
        .route(
            "/admin/comments/{id}/reply",
            web::get().to(comments::reply_form),
        )
        .route(
            "/admin/comments/{id}/reply",
            web::post().to(comments::reply),
        )
        .route(
            "/admin/comments/{id}/{action}",
            web::post().to(comments::act),
        );
}

/// A posted form as name → value (repeated names keep the last).
type Fields = web::Form<HashMap<String, String>>;

fn field<'a>(f: &'a HashMap<String, String>, name: &str) -> &'a str {
    f.get(name).map(String::as_str).unwrap_or("")
}

/// What every admin page receives (`admin/base.html`'s variables): the
/// public pages' [`Common`] part, the signed-in person, their form token,
/// and what their role may open. Page contexts hold it as
/// `#[serde(flatten)] admin`.
#[derive(Serialize)]
pub(crate) struct AdminBase<'a> {
    #[serde(flatten)]
    pub common: Common<'a>,
    /// The signed-in person: `staff.user` (`username`, `display_name`,
    /// `role`…) and `staff.comment_counts` (comments per state, for the
    /// navigation).
    pub staff: &'a Staff,
    /// The anti-forgery token every state-changing form sends as `csrf_token`.
    pub csrf_token: &'a str,
    /// Whether the role writes entries (author and up).
    pub can_write: bool,
    /// Whether the role edits everyone's entries, categories and tags
    /// (editor and up).
    pub can_edit_all: bool,
    /// Whether the role moderates comments.
    pub can_moderate: bool,
    /// Whether the role manages users and reads the audit log (admin).
    pub can_administer: bool,
    /// The languages the admin can be read in, as `(code, name)` (each
    /// language's own name), for the language choice.
    pub languages: Vec<(&'a str, String)>,
}

impl<'a> AdminBase<'a> {
    pub fn new(state: &'a AppState, req: &'a HttpRequest, base: Base, staff: &'a Staff) -> Self {
        let role = staff.role();
        let mut common = Common::new(state, req, base);
        common.lang = staff.language(state);
        let languages = state
            .languages()
            .into_iter()
            .map(|l| (l, state.theme_in(l).message("language_name")))
            .collect();
        AdminBase {
            languages,
            common,
            staff,
            csrf_token: &staff.csrf,
            can_write: role.writes(),
            can_edit_all: role.edits_all(),
            can_moderate: role.moderates(),
            can_administer: role.administers(),
        }
    }
}

/// An admin page rendered from its typed context: never cached, and
/// allowed the admin's own script (the live preview) — public pages allow
/// none.
fn page_view(
    theme: &crate::render::templates::Theme,
    template: &str,
    view: &impl Serialize,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let body = theme.render_view(template, view)?;
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header(("Cache-Control", "no-store"))
        .insert_header((
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; script-src 'self'; object-src 'none'; \
             base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
        ))
        .body(body))
}

/// 303 to `to` (after a successful POST).
fn see_other(to: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((actix_web::http::header::LOCATION, to.to_owned()))
        .finish()
}

/// Who is making a change, when, from where: records audit events.
pub(crate) struct Auditor {
    state: web::Data<AppState>,
    ip: Option<String>,
    who: String,
}

impl Auditor {
    /// Records `action` on `target` by the signed-in person.
    fn record(
        &self,
        conn: &mut Db,
        action: &str,
        target: &str,
        detail: &str,
    ) -> Result<(), AppError> {
        audit(
            conn,
            &self.state,
            &self.ip,
            &self.who,
            action,
            target,
            detail,
        )
    }

    fn who(&self) -> &str {
        &self.who
    }
}

/// The [`Auditor`] for a change `staff` makes (for handlers that check the
/// token and role themselves because they validate before writing).
fn auditor(state: &web::Data<AppState>, req: &HttpRequest, staff: &Staff) -> Auditor {
    Auditor {
        state: state.clone(),
        ip: client_ip(state, req),
        who: staff.user.username.clone(),
    }
}

/// A state change by staff: the session's `csrf_token` and the role are
/// checked first (403, nothing changed), then `f` runs off the executor
/// with an [`Auditor`].
async fn change<T, F>(
    state: &web::Data<AppState>,
    req: &HttpRequest,
    staff: &Staff,
    token: &str,
    allowed: bool,
    f: F,
) -> Result<T, AppError>
where
    T: Send + 'static,
    F: FnOnce(&mut Db, &Auditor) -> Result<T, AppError> + Send + 'static,
{
    staff.check_csrf(state, token)?;
    staff.require(allowed)?;
    let auditor = auditor(state, req, staff);
    super::db::run(state, move |conn| f(conn, &auditor)).await
}

/// The client's address, for the audit log and sign-in throttling.
fn client_ip(state: &AppState, req: &HttpRequest) -> Option<String> {
    crate::web::client_ip(req, &state.config)
}

/// Records an audit event (who, what, from where).
fn audit(
    conn: &mut Db,
    state: &AppState,
    ip: &Option<String>,
    who: &str,
    action: &str,
    target: &str,
    detail: &str,
) -> Result<(), AppError> {
    storage::audit::record(
        conn,
        state.now(),
        who,
        action,
        target,
        detail,
        ip.as_deref(),
    )?;
    Ok(())
}

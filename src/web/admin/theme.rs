//! The site's theme (admins): the themes under `themes/`, the one in
//! use, and switching to another without a restart. The choice is a
//! setting: its change-log entry drops every cached page and makes every
//! server sharing the database load the theme (`AppState::follow_theme`).
//! Audited.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;

use super::{AdminBase, Fields, field, page_view, see_other};
use crate::error::AppError;
use crate::storage::settings;
use crate::web::session::Staff;
use crate::web::{AppState, db};

/// A theme the admin may choose.
#[derive(Serialize)]
struct Choice {
    /// The folder's name (`default`, `tuong-phan`).
    name: String,
    /// From `theme.toml`; the folder's name when it has none.
    title: String,
    description: String,
    current: bool,
}

/// `admin/theme.html`
#[derive(Serialize)]
struct ThemePage<'a> {
    #[serde(flatten)]
    admin: AdminBase<'a>,
    themes: Vec<Choice>,
    /// Whether the theme was just changed.
    saved: bool,
}

fn choices(state: &AppState) -> Vec<Choice> {
    let current = state.theme.name();
    crate::render::templates::themes(&state.config.themes)
        .into_iter()
        .map(|name| {
            let about =
                crate::render::templates::about(&state.config.themes, &name).unwrap_or_default();
            Choice {
                title: if about.title.is_empty() {
                    name.clone()
                } else {
                    about.title
                },
                description: about.description,
                current: name == current,
                name,
            }
        })
        .collect()
}

/// `GET /admin/theme`
pub async fn show(
    state: web::Data<AppState>,
    req: HttpRequest,
    staff: Staff,
) -> Result<HttpResponse, AppError> {
    staff.require(staff.role().administers())?;
    let base = db::run(&state, |conn| Ok(crate::web::pages::load_base(conn)?)).await?;
    let view = ThemePage {
        themes: choices(&state),
        saved: crate::web::public::query(&req)?.contains_key("saved"),
        admin: AdminBase::new(&state, &req, base, &staff),
    };
    page_view(
        staff.theme(&state),
        "admin/theme.html",
        &view,
        StatusCode::OK,
    )
}

/// `POST /admin/theme`: `theme`, one of the folders under `themes/`.
pub async fn save(
    state: web::Data<AppState>,
    req: HttpRequest,
    staff: Staff,
    form: Fields,
) -> Result<HttpResponse, AppError> {
    let chosen = field(&form, "theme").to_owned();
    let allowed = staff.role().administers();
    let known = crate::render::templates::themes(&state.config.themes).contains(&chosen);
    // A theme that does not load (a template error, a catalogue missing)
    // is refused before it is saved: no server is left to fail on it.
    let loads = allowed
        && known
        && match state.check_theme(&chosen) {
            Ok(()) => true,
            Err(e) => {
                tracing::warn!("theme {chosen:?} does not load: {e}");
                false
            }
        };
    let from = state.theme.name();
    super::change(
        &state,
        &req,
        &staff,
        field(&form, "csrf_token"),
        allowed,
        move |conn, auditor| {
            if !known {
                return Err(AppError::BadRequest("error_400_text"));
            }
            if !loads {
                return Err(AppError::Conflict("admin_theme_broken"));
            }
            settings::set(conn, settings::THEME, &chosen)?;
            auditor.record(conn, "theme.change", &chosen, &from)
        },
    )
    .await?;
    Ok(see_other("/admin/theme?saved=1"))
}

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

/// A language readers may be offered besides the site's.
#[derive(Serialize)]
struct LanguageChoice {
    /// `en`
    lang: &'static str,
    /// Its name in the admin's language.
    name: String,
    /// Whether readers are offered it now.
    on: bool,
}

/// `admin/theme.html`: the theme, and the languages readers are offered.
#[derive(Serialize)]
struct ThemePage<'a> {
    #[serde(flatten)]
    admin: AdminBase<'a>,
    themes: Vec<Choice>,
    /// The languages besides the site's, each with a checkbox.
    languages: Vec<LanguageChoice>,
    /// `theme` or `languages`: what was just changed (else null).
    saved: Option<&'static str>,
}

/// The themes, named in `lang` (the admin's language) where their
/// `theme.toml` says how.
fn choices(state: &AppState, lang: &str) -> Vec<Choice> {
    let current = state.theme.name();
    crate::render::templates::themes(&state.config.themes)
        .into_iter()
        .map(|name| {
            let about =
                crate::render::templates::about(&state.config.themes, &name).unwrap_or_default();
            let (title, description) = about.in_language(lang);
            Choice {
                title: if title.is_empty() {
                    name.clone()
                } else {
                    title
                },
                description,
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
    let theme = staff.theme(&state);
    let languages = crate::domain::translation::LANGUAGES
        .iter()
        .filter(|l| state.other_languages.contains_key(**l))
        .map(|lang| LanguageChoice {
            lang,
            name: theme.message(&format!("admin_language_{lang}")),
            on: base.translations.is_on(lang),
        })
        .collect();
    let query = crate::web::public::query(&req)?;
    let view = ThemePage {
        themes: choices(&state, staff.language(&state)),
        languages,
        saved: match query.get("saved").map(String::as_str) {
            Some("languages") => Some("languages"),
            Some(_) => Some("theme"),
            None => None,
        },
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

/// `POST /admin/languages`: `language_en=on` for each language readers
/// are offered (unchecked: not in the form). The site's own language is
/// always on.
pub async fn languages(
    state: web::Data<AppState>,
    req: HttpRequest,
    staff: Staff,
    form: Fields,
) -> Result<HttpResponse, AppError> {
    let on: Vec<&str> = crate::domain::translation::LANGUAGES
        .iter()
        .copied()
        .filter(|l| form.contains_key(&format!("language_{l}")))
        .collect();
    let value = on.join(",");
    super::change(
        &state,
        &req,
        &staff,
        field(&form, "csrf_token"),
        staff.role().administers(),
        move |conn, auditor| {
            settings::set(conn, settings::LANGUAGES, &value)?;
            auditor.record(conn, "languages.change", &value, "")
        },
    )
    .await?;
    Ok(see_other("/admin/theme?saved=languages"))
}

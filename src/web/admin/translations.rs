//! Translations, staff side (editors and admins): an entry's or a page's
//! version in another language — its title, summary, body, the image's
//! words (entries) or the contact list (pages), draft or published —
//! written beside the original, saved, and deleted. Every change is
//! audited; readers see it at once (the change log drops cached pages).

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;

use super::{AdminBase, Fields, field, page_view, see_other};
use crate::domain::page::{PageStatus, Problem, contacts_text};
use crate::domain::translation::{self, LANGUAGES, TranslationInput};
use crate::error::AppError;
use crate::service::entries::Saver;
use crate::service::translations::{self as save_path, TranslationError};
use crate::storage::Db;
use crate::storage::translations::{self as store, Original, Translation};
use crate::web::languages::localized;
use crate::web::session::Staff;
use crate::web::{AppState, db};

/// The original as the form shows it.
struct OriginalInfo {
    title: String,
    /// Its admin form.
    edit_url: String,
    /// Its public address (whether or not it is public now).
    path: String,
    /// An entry's featured image's words in the site's language (none
    /// for pages and entries without an image).
    image: Option<(String, String)>,
}

fn about(conn: &mut Db, original: Original) -> Result<OriginalInfo, AppError> {
    Ok(match original {
        Original::Entry(id) => {
            let e = crate::storage::entries::find(conn, id)?;
            OriginalInfo {
                edit_url: format!("/admin/entries/{id}/edit"),
                path: e.kind.entry_path(&e.slug),
                image: e
                    .image_path
                    .is_some()
                    .then_some((e.image_alt, e.image_caption)),
                title: e.title,
            }
        }
        Original::Page(id) => {
            let p = crate::storage::pages::find(conn, id)?;
            OriginalInfo {
                edit_url: format!("/admin/pages/{id}/edit"),
                path: crate::web::public::pages::url(&p.path),
                image: None,
                title: p.title,
            }
        }
    })
}

/// A link from an original's form to its translation into a language.
#[derive(Debug, Serialize)]
pub struct TranslationLink {
    /// `en`
    pub lang: String,
    /// The language's name in the admin's language.
    pub name: String,
    /// The translation's form.
    pub url: String,
    /// `draft` or `published`; null when there is none yet.
    pub status: Option<&'static str>,
}

/// The translation links for `original`'s form (every language a
/// translation may be in that the theme speaks).
pub fn links(
    conn: &mut Db,
    state: &AppState,
    staff: &Staff,
    original: Original,
) -> diesel::QueryResult<Vec<TranslationLink>> {
    let existing = store::of(conn, original)?;
    Ok(LANGUAGES
        .iter()
        .filter(|l| state.other_languages.contains_key(**l))
        .map(|lang| TranslationLink {
            lang: (*lang).to_owned(),
            name: staff
                .theme(state)
                .message(&format!("admin_language_{lang}")),
            url: form_url(original, lang),
            status: existing
                .iter()
                .find(|t| t.lang == *lang)
                .map(|t| t.status.as_str()),
        })
        .collect())
}

fn form_url(original: Original, lang: &str) -> String {
    format!(
        "/admin/translations/{}/{}/{lang}",
        original.kind(),
        original.id()
    )
}

/// `admin/translations/edit.html`: an entry's or a page's translation.
#[derive(Serialize)]
struct EditPage<'a> {
    #[serde(flatten)]
    admin: AdminBase<'a>,
    /// The message beside each field with a problem, by field name.
    field_errors: HashMap<&'static str, String>,
    /// Every problem in form order, as (field name, message) pairs.
    errors: Vec<(&'static str, String)>,
    /// The form's values: `title`, `summary`, `body_md`, `contacts`,
    /// `image_alt`, `image_caption`, `status`.
    values: &'a TranslationInput,
    /// `entry` or `page`.
    original_kind: &'static str,
    /// The original's title, its admin form and its public address.
    original_title: String,
    original_edit_url: String,
    original_url: String,
    /// The original image's words, to translate (entries with an image;
    /// else absent).
    #[serde(skip_serializing_if = "Option::is_none")]
    original_image_alt: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    original_image_caption: Option<String>,
    /// The translation's language (`en`) and its name; the original's
    /// language (the site's, `vi`).
    lang: &'a str,
    original_lang: &'a str,
    language_name: String,
    /// Where the form posts, and where deleting posts.
    action: String,
    /// The translation's public address (shown once it is published and
    /// the original is public).
    public_url: String,
    /// Whether the translation exists (it can be deleted).
    exists: bool,
    /// The version the form started from (0 for a new one).
    version: i32,
    /// `draft`, `published` (`page_status_<status>` names them).
    statuses: [&'static str; 2],
    /// Whether it was just saved.
    saved: bool,
}

/// `{original}/{id}/{lang}` of the request: `entry`/`page`, a number, a
/// language a translation may be in.
fn target(path: &(String, i32, String)) -> Result<(Original, &'static str), AppError> {
    let original = match path.0.as_str() {
        "entry" => Original::Entry(path.1),
        "page" => Original::Page(path.1),
        _ => return Err(AppError::NotFound),
    };
    let lang = LANGUAGES
        .iter()
        .copied()
        .find(|l| *l == path.2)
        .ok_or(AppError::NotFound)?;
    Ok((original, lang))
}

fn input_of(t: &Translation) -> TranslationInput {
    TranslationInput {
        title: t.title.clone(),
        summary: t.summary.clone(),
        body_md: t.body_md.clone(),
        contacts: contacts_text(&serde_json::from_str::<Vec<_>>(&t.contacts).unwrap_or_default()),
        image_alt: t.image_alt.clone(),
        image_caption: t.image_caption.clone(),
        status: t.status.as_str().to_owned(),
    }
}

fn input_from(f: &HashMap<String, String>) -> TranslationInput {
    TranslationInput {
        title: field(f, "title").to_owned(),
        summary: field(f, "summary").replace("\r\n", "\n"),
        body_md: field(f, "body_md").replace("\r\n", "\n"),
        contacts: field(f, "contacts").replace("\r\n", "\n"),
        image_alt: field(f, "image_alt").to_owned(),
        image_caption: field(f, "image_caption").to_owned(),
        status: field(f, "status").to_owned(),
    }
}

/// The form: fresh (`values` None: the stored translation, or an empty
/// draft), or as typed with its problems.
async fn form(
    state: &web::Data<AppState>,
    req: &HttpRequest,
    staff: &Staff,
    (original, lang): (Original, &'static str),
    typed: Option<(TranslationInput, i32)>,
    problems: Vec<Problem>,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let (base, about, stored) = db::run(state, move |conn| {
        let about = about(conn, original)?;
        let stored = store::find(conn, original, lang)?;
        Ok((crate::web::pages::load_base(conn)?, about, stored))
    })
    .await?;
    let exists = stored.is_some();
    let (values, version) = match (typed, &stored) {
        (Some(typed), _) => typed,
        (None, Some(t)) => (input_of(t), t.version),
        (None, None) => (
            TranslationInput {
                status: PageStatus::Draft.as_str().into(),
                ..Default::default()
            },
            0,
        ),
    };
    let theme = staff.theme(state);
    let message = |p: &Problem| {
        let text = theme.message(p.key);
        match p.line {
            Some(line) => text.replace("{line}", &line.to_string()),
            None => text,
        }
    };
    let view = EditPage {
        admin: AdminBase::new(state, req, base, staff),
        field_errors: problems.iter().map(|p| (p.field, message(p))).collect(),
        errors: problems.iter().map(|p| (p.field, message(p))).collect(),
        values: &values,
        original_kind: original.kind(),
        original_title: about.title,
        original_edit_url: about.edit_url,
        public_url: localized(lang, &about.path),
        original_url: about.path,
        original_image_alt: about.image.as_ref().map(|i| i.0.clone()),
        original_image_caption: about.image.map(|i| i.1),
        lang,
        original_lang: &state.config.language,
        language_name: theme.message(&format!("admin_language_{lang}")),
        action: form_url(original, lang),
        exists,
        version,
        statuses: PageStatus::ALL.map(PageStatus::as_str),
        saved: crate::web::public::query(req)?.contains_key("saved"),
    };
    page_view(theme, "admin/translations/edit.html", &view, status)
}

/// `GET /admin/translations/{entry|page}/{id}/{lang}`
pub async fn edit(
    state: web::Data<AppState>,
    req: HttpRequest,
    staff: Staff,
    path: web::Path<(String, i32, String)>,
) -> Result<HttpResponse, AppError> {
    staff.require(staff.role().edits_all())?;
    let target = target(&path)?;
    form(
        &state,
        &req,
        &staff,
        target,
        None,
        Vec::new(),
        StatusCode::OK,
    )
    .await
}

/// `POST /admin/translations/{entry|page}/{id}/{lang}`: 422 with what
/// was typed when a field is wrong; 409 with it, and the version saved
/// meanwhile, when someone else saved first.
pub async fn save(
    state: web::Data<AppState>,
    req: HttpRequest,
    staff: Staff,
    path: web::Path<(String, i32, String)>,
    form_data: Fields,
) -> Result<HttpResponse, AppError> {
    staff.check_csrf(&state, field(&form_data, "csrf_token"))?;
    staff.require(staff.role().edits_all())?;
    let (original, lang) = target(&path)?;
    let input = input_from(&form_data);
    let version: i32 = field(&form_data, "version").parse().unwrap_or(0);
    let valid = match translation::validate(&input) {
        Ok(v) => v,
        Err(problems) => {
            return form(
                &state,
                &req,
                &staff,
                (original, lang),
                Some((input, version)),
                problems,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    let auditor = super::auditor(&state, &req, &staff);
    let now = state.now();
    let saved = db::run(&state, move |conn| {
        let by = Saver {
            name: auditor.who(),
            now,
        };
        let saved = save_path::save(conn, original, lang, Some(version), &valid, by);
        if let Ok(s) = &saved
            && !matches!(s, crate::domain::Saved::Unchanged(_))
        {
            auditor.record(
                conn,
                "translation.save",
                &format!("{}:{}:{lang}", original.kind(), original.id()),
                &valid.title,
            )?;
        }
        Ok(saved)
    })
    .await?;
    match saved {
        Ok(_) => Ok(see_other(&format!("{}?saved", form_url(original, lang)))),
        Err(TranslationError::Conflict { current, .. }) => {
            form(
                &state,
                &req,
                &staff,
                (original, lang),
                Some((input, current.version)),
                vec![Problem::at("title", "translation_conflict")],
                StatusCode::CONFLICT,
            )
            .await
        }
        // Deleted while it was being edited: saving again makes it anew.
        Err(TranslationError::Gone(_)) => {
            form(
                &state,
                &req,
                &staff,
                (original, lang),
                Some((input, 0)),
                vec![Problem::at("title", "translation_gone")],
                StatusCode::CONFLICT,
            )
            .await
        }
        Err(TranslationError::NoOriginal) => Err(AppError::NotFound),
        Err(TranslationError::Db(e)) => Err(e.into()),
    }
}

/// `POST /admin/translations/{entry|page}/{id}/{lang}/delete`
pub async fn delete(
    state: web::Data<AppState>,
    req: HttpRequest,
    staff: Staff,
    path: web::Path<(String, i32, String)>,
    form_data: Fields,
) -> Result<HttpResponse, AppError> {
    let (original, lang) = target(&path)?;
    let allowed = staff.role().edits_all();
    let back = db::run(&state, move |conn| Ok(about(conn, original)?.edit_url)).await?;
    super::change(
        &state,
        &req,
        &staff,
        field(&form_data, "csrf_token"),
        allowed,
        move |conn, auditor| {
            let t = store::find(conn, original, lang)?.ok_or(AppError::NotFound)?;
            store::delete(conn, t.id)?;
            auditor.record(
                conn,
                "translation.delete",
                &format!("{}:{}:{lang}", original.kind(), original.id()),
                &t.title,
            )
        },
    )
    .await?;
    Ok(see_other(&back))
}

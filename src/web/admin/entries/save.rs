//! Saving the editor: a new entry, a save or a workflow move, delete.
//! The move is checked by the rule that chose the buttons
//! (`domain::workflow`), the fields by `domain::entry_form`, and the
//! entry written through the one save path (`service::entries`).

use crate::storage::Db;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use diesel::OptionalExtension;
use serde::Serialize;

use super::super::{Fields, change, field, page_view, see_other};
use super::form::{ConflictView, EditorState, Values, editor};
use super::load;
use super::revisions::{diff_lines, snapshot_text};
use crate::domain::entry::{EntryKind, Status};
use crate::domain::entry_form::{self, Problem};
use crate::domain::user::may_edit;
use crate::domain::workflow::{self, Action};
use crate::error::AppError;
use crate::render::dates::show;
use crate::render::markdown;
use crate::service::entries::{self as save_path, Save, SaveError, Saver, Target, snapshot_of};
use crate::storage::entries::{self, Clash, Entry, EntryData};
use crate::storage::{categories, media, revisions};
use crate::web::pages::{self, Common};
use crate::web::session::Staff;
use crate::web::{AppState, db};

/// `POST /admin/entries/new`
pub async fn create(
    state: web::Data<AppState>,
    req: HttpRequest,
    staff: Option<Staff>,
    form: Fields,
) -> Result<HttpResponse, AppError> {
    let Some(staff) = staff else {
        return expired(&state, &req, &form).await;
    };
    if let Some(res) = check_token(&state, &req, &staff, &form).await {
        return res;
    }
    staff.require(staff.role().writes())?;
    let values = Values::from_form(&form);
    let kind: EntryKind = values
        .kind
        .parse()
        .map_err(|_| AppError::BadRequest("error_400_text"))?;
    let now = state.now();
    let tz = state.config.tz();
    let Some(action) = requested(&form)? else {
        let es = EditorState {
            preview: Some(markdown::render(&values.body_md)),
            ..EditorState::new(kind, None)
        };
        return editor(&state, &req, &staff, values, es, StatusCode::OK).await;
    };
    if let Err(refused) = workflow::check(staff.role(), true, Status::Draft, action) {
        let es = EditorState::new(kind, None);
        return refuse(&state, &req, &staff, values, es, refused).await;
    }
    let wanted = entry_form::parse_local(&values.publish_at, tz);
    let status = action.target(Status::Draft, wanted, now);
    let v = values.clone();
    let auditor = super::super::auditor(&state, &req, &staff);
    let author = staff.user.id;
    let outcome = db::run(&state, move |conn| {
        let (data, items) = match checked(conn, &v, kind, None, status, tz, now)? {
            Ok(ok) => ok,
            Err(problems) => return Ok(Err(problems)),
        };
        let slug = data.slug.clone();
        let save = Save {
            data,
            tags: &v.tag_list(),
            items: (kind == EntryKind::Bulletin).then_some(&items[..]),
            by: Saver {
                name: auditor.who(),
                now,
            },
        };
        let id = match save_path::save(
            conn,
            Target::New {
                author_id: Some(author),
            },
            save,
        ) {
            Ok(saved) => saved.id(),
            Err(SaveError::Clash(c)) => return Ok(Err(vec![clash_problem(c)])),
            Err(e) => return Err(e.into()),
        };
        auditor.record(conn, "entry.create", &slug, status.as_str())?;
        if matches!(status, Status::Published | Status::Scheduled) {
            auditor.record(conn, "entry.publish", &slug, status.as_str())?;
        }
        Ok(Ok(id))
    })
    .await?;
    match outcome {
        Ok(id) => Ok(see_other(&format!("/admin/entries/{id}/edit?saved=1"))),
        Err(problems) => {
            let es = EditorState {
                errors: problems,
                ..EditorState::new(kind, None)
            };
            editor(
                &state,
                &req,
                &staff,
                values,
                es,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

/// The move the pressed button asks for; `None` for a preview. A button
/// that names no action is a malformed form (400).
fn requested(form: &Fields) -> Result<Option<Action>, AppError> {
    match field(form, "action") {
        "preview" => Ok(None),
        a => a
            .parse()
            .map(Some)
            .map_err(|_| AppError::BadRequest("error_400_text")),
    }
}

/// A move the workflow refuses: forbidden for the role (403), or not a
/// move from the entry's state (409, the editor back with the typed text
/// and the reason beside the buttons). Nothing is written.
async fn refuse(
    state: &web::Data<AppState>,
    req: &HttpRequest,
    staff: &Staff,
    values: Values,
    es: EditorState,
    refused: workflow::Refused,
) -> Result<HttpResponse, AppError> {
    match refused {
        workflow::Refused::Role => Err(AppError::Forbidden),
        workflow::Refused::State(key) => {
            let es = EditorState {
                errors: vec![("actions", key)],
                ..es
            };
            editor(state, req, staff, values, es, StatusCode::CONFLICT).await
        }
    }
}

/// The field a unique key that a save ran into belongs to.
fn clash_problem(c: Clash) -> Problem {
    match c {
        Clash::Slug => ("slug", "entry_slug_taken"),
        Clash::BulletinNumber => ("bulletin_number", "bulletin_number_taken"),
    }
}

/// The database's answers to the editor's checks.
struct Lookup<'c> {
    conn: &'c mut Db,
    /// The entry being edited: its own slug is not "taken".
    editing: Option<i32>,
}

impl entry_form::Lookup for Lookup<'_> {
    type Error = diesel::result::Error;
    fn slug_taken(&mut self, slug: &str) -> Result<bool, Self::Error> {
        entries::slug_taken(self.conn, slug, self.editing)
    }
    fn category_exists(&mut self, id: i32) -> Result<bool, Self::Error> {
        Ok(categories::find(self.conn, id).optional()?.is_some())
    }
    fn entry_id(&mut self, slug: &str) -> Result<Option<i32>, Self::Error> {
        Ok(entries::find_by_slug(self.conn, slug)?.map(|e| e.id))
    }
    fn image(&mut self, path: &str) -> Result<Option<entry_form::Image>, Self::Error> {
        Ok(
            media::find_by_path(self.conn, path)?.map(|m| entry_form::Image {
                path: m.path,
                width: m.width,
                height: m.height,
                alt: m.alt,
                caption: m.caption,
            }),
        )
    }
}

/// The data to save and a bulletin's item ids, or the problems to show.
type Checked = Result<(EntryData, Vec<i32>), Vec<Problem>>;

/// Checks the values by the domain's rules against the database; builds
/// the data to save (its body rendered by the save path) and a bulletin's
/// item ids. `existing` is the entry being edited (None for a new one).
fn checked(
    conn: &mut Db,
    v: &Values,
    kind: EntryKind,
    existing: Option<&Entry>,
    status: Status,
    tz: chrono_tz::Tz,
    now: chrono::NaiveDateTime,
) -> Result<Checked, AppError> {
    let item_slugs = v.item_slugs();
    let form = entry_form::Form {
        title: &v.title,
        slug: &v.slug,
        summary: &v.summary,
        category_id: &v.category_id,
        publish_at: &v.publish_at,
        image_media: &v.image_media,
        image_alt: &v.image_alt,
        image_caption: &v.image_caption,
        bulletin_series: &v.bulletin_series,
        bulletin_number: &v.bulletin_number,
        bulletin_year: &v.bulletin_year,
        item_slugs: &item_slugs,
        leaflet_format: &v.leaflet_format,
        body_image_without_alt: markdown::library_image_without_alt(&v.body_md),
    };
    let editing = existing.map(|e| entry_form::Editing {
        id: e.id,
        image: (e.image_path.as_deref(), e.image_width, e.image_height),
    });
    let mut db = Lookup {
        conn,
        editing: existing.map(|e| e.id),
    };
    let c = match entry_form::check(&form, kind, editing, status, tz, now, &mut db)? {
        Ok(c) => c,
        Err(problems) => return Ok(Err(problems)),
    };
    let data = EntryData {
        kind,
        slug: c.slug,
        title: c.title,
        summary: c.summary,
        body_md: v.body_md.clone(),
        // Rendered by the save path.
        body_html: String::new(),
        byline: v.byline.trim().to_owned(),
        category_id: c.category_id,
        image_path: c.image_path,
        image_alt: c.image_alt,
        image_caption: c.image_caption,
        image_width: c.image_width,
        image_height: c.image_height,
        comments_open: v.comments_open,
        featured: v.featured,
        status,
        publish_at: c.publish_at,
        bulletin_series: c.bulletin_series,
        bulletin_number: c.bulletin_number,
        bulletin_year: c.bulletin_year,
        leaflet_format: c.leaflet_format,
    };
    Ok(Ok((data, c.items)))
}

/// An editor form sent after the session ended (expired, or signed out
/// elsewhere): nothing is saved (403), but the text comes back to copy,
/// with a link to sign in again in another tab.
async fn expired(
    state: &web::Data<AppState>,
    req: &HttpRequest,
    form: &Fields,
) -> Result<HttpResponse, AppError> {
    if !from_this_site(state, req) {
        return Err(AppError::SessionEnded(crate::web::session::form_page(req)));
    }
    kept(state, req, form, None).await
}

/// Whether the browser says the form was sent from this site's own pages
/// (`Sec-Fetch-Site`, else `Origin`, else `Referer`): only then is the
/// text it carries shown back as the person's own, since a page on
/// another site can send any text to this address.
fn from_this_site(state: &AppState, req: &HttpRequest) -> bool {
    use actix_web::http::header;
    let headers = req.headers();
    let value = |name| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = value(header::HeaderName::from_static("sec-fetch-site")) {
        return site == "same-origin";
    }
    let origin = pages::origin(state, req);
    if let Some(o) = value(header::ORIGIN) {
        return o == origin;
    }
    value(header::REFERER)
        .and_then(|r| r.strip_prefix(origin.as_str()))
        .is_some_and(|rest| rest.starts_with('/'))
}

/// `admin/expired.html`: an editor form that could not be saved, its text
/// shown back read-only. The session is not trusted here, so the page gets
/// `base.html`'s fields, not `admin/base.html`'s.
#[derive(Serialize)]
struct ExpiredPage<'a> {
    #[serde(flatten)]
    common: Common<'a>,
    /// What was typed, as the editor's `values` (`title`, `summary`,
    /// `body_md`, `tags`…).
    values: Values,
    /// The editor's address, to open it afresh in another tab, when the
    /// form was older than the session (absent when the session ended).
    #[serde(skip_serializing_if = "Option::is_none")]
    reopen_url: Option<&'a str>,
}

/// The text of an editor form that cannot be saved, shown read-only (403)
/// so that nothing typed is lost: after the session ended, or (with
/// `reopen`, the editor's address) when its token is not the session's —
/// a page opened before signing in again. Only for forms sent from this
/// site ([`from_this_site`]), and never as a live form.
async fn kept(
    state: &web::Data<AppState>,
    req: &HttpRequest,
    form: &Fields,
    reopen: Option<String>,
) -> Result<HttpResponse, AppError> {
    let base = db::run(state, |conn| Ok(pages::load_base(conn)?)).await?;
    let view = ExpiredPage {
        common: Common::new(state, req, base),
        values: Values::from_form(form),
        reopen_url: reopen.as_deref(),
    };
    page_view(
        &state.theme,
        "admin/expired.html",
        &view,
        StatusCode::FORBIDDEN,
    )
}

/// Checks the form's token; a stale one gives the typed text back.
async fn check_token(
    state: &web::Data<AppState>,
    req: &HttpRequest,
    staff: &Staff,
    form: &Fields,
) -> Option<Result<HttpResponse, AppError>> {
    let token = field(form, "csrf_token");
    match staff.check_csrf(state, token) {
        Ok(()) => None,
        // No token at all is no editor page of ours: nothing to give back.
        Err(e) if token.is_empty() || !from_this_site(state, req) => Some(Err(e)),
        Err(_) => {
            let reopen = match req.path() {
                "/admin/entries/new" => format!(
                    "/admin/entries/new?kind={}",
                    field(form, "kind")
                        .parse::<EntryKind>()
                        .unwrap_or(EntryKind::Article)
                        .as_str()
                ),
                path => path.to_owned(),
            };
            Some(kept(state, req, form, Some(reopen)).await)
        }
    }
}

/// `POST /admin/entries/{id}/edit`: save, or a workflow move, or preview.
pub async fn save(
    state: web::Data<AppState>,
    req: HttpRequest,
    staff: Option<Staff>,
    id: web::Path<i32>,
    form: Fields,
) -> Result<HttpResponse, AppError> {
    let Some(staff) = staff else {
        return expired(&state, &req, &form).await;
    };
    if let Some(res) = check_token(&state, &req, &staff, &form).await {
        return res;
    }
    let id = id.into_inner();
    let (e, _, _) = load(&state, id).await?;
    let own = e.author_id == Some(staff.user.id);
    let values = Values::from_form(&form);
    if !may_edit(staff.role(), own, e.status) {
        if !staff.role().writes() {
            return Err(AppError::Forbidden);
        }
        // Typically: an editor published it while its author was typing.
        // Nothing typed is lost: the text comes back, without buttons.
        let es = EditorState {
            locked: true,
            ..EditorState::new(e.kind, Some(e))
        };
        return editor(&state, &req, &staff, values, es, StatusCode::FORBIDDEN).await;
    }
    let now = state.now();
    let tz = state.config.tz();
    let Some(action) = requested(&form)? else {
        let es = EditorState {
            preview: Some(markdown::render(&values.body_md)),
            ..EditorState::new(e.kind, Some(e))
        };
        return editor(&state, &req, &staff, values, es, StatusCode::OK).await;
    };
    if let Err(refused) = workflow::check(staff.role(), own, e.status, action) {
        let es = EditorState::new(e.kind, Some(e));
        return refuse(&state, &req, &staff, values, es, refused).await;
    }
    let wanted = entry_form::parse_local(&values.publish_at, tz);
    let status = action.target(e.status, wanted, now);
    let expected: i32 = values
        .version
        .parse()
        .map_err(|_| AppError::BadRequest("error_400_text"))?;
    let v = values.clone();
    let auditor = super::super::auditor(&state, &req, &staff);
    let kind = e.kind;
    let before = e.clone();
    enum Outcome {
        Saved,
        Invalid(Vec<Problem>),
        Conflict(Box<Entry>, Option<ConflictView>),
    }
    let t = staff.theme(&state).messages();
    let outcome = db::run(&state, move |conn| {
        let (data, items) = match checked(conn, &v, kind, Some(&before), status, tz, now)? {
            Ok(ok) => ok,
            Err(problems) => return Ok(Outcome::Invalid(problems)),
        };
        let slug = data.slug.clone();
        let save = Save {
            data,
            tags: &v.tag_list(),
            items: (kind == EntryKind::Bulletin).then_some(&items[..]),
            by: Saver {
                name: auditor.who(),
                now,
            },
        };
        let target = Target::Existing {
            id,
            version: expected,
        };
        match save_path::save(conn, target, save) {
            Ok(_) => {}
            Err(SaveError::Conflict { current, .. }) => {
                // What changed between the version this form started from
                // and the one saved meanwhile.
                let then = revisions::at_version(conn, id, expected)?.and_then(|r| snapshot_of(&r));
                let latest = revisions::at_version(conn, id, current.version)?;
                let view = latest.map(|rev| ConflictView {
                    by: rev.saved_by.clone(),
                    at: show(rev.created_at, tz),
                    changes: diff_lines(
                        &then.map(|s| snapshot_text(&s, &t)).unwrap_or_default(),
                        &snapshot_of(&rev)
                            .map(|s| snapshot_text(&s, &t))
                            .unwrap_or_default(),
                    ),
                });
                return Ok(Outcome::Conflict(current, view));
            }
            Err(SaveError::Clash(c)) => return Ok(Outcome::Invalid(vec![clash_problem(c)])),
            Err(e) => return Err(e.into()),
        }
        if status != before.status {
            let action = match status {
                Status::Published | Status::Scheduled => "entry.publish",
                Status::Archived => "entry.archive",
                Status::InReview => "entry.submit",
                Status::Draft => "entry.unpublish",
            };
            auditor.record(
                conn,
                action,
                &slug,
                &format!("{} → {}", before.status.as_str(), status.as_str()),
            )?;
        }
        Ok(Outcome::Saved)
    })
    .await?;
    match outcome {
        Outcome::Saved => Ok(see_other(&format!("/admin/entries/{id}/edit?saved=1"))),
        Outcome::Invalid(problems) => {
            let es = EditorState {
                errors: problems,
                ..EditorState::new(e.kind, Some(e))
            };
            editor(
                &state,
                &req,
                &staff,
                values,
                es,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Outcome::Conflict(current, view) => {
            // Keep what this person typed; the form now carries the newest
            // version, so saving again overwrites knowingly.
            let mut values = values;
            values.version = current.version.to_string();
            let es = EditorState {
                conflict: view,
                ..EditorState::new(current.kind, Some(*current))
            };
            editor(&state, &req, &staff, values, es, StatusCode::CONFLICT).await
        }
    }
}

/// `POST /admin/entries/{id}/delete` (editors and admins).
pub async fn delete(
    state: web::Data<AppState>,
    req: HttpRequest,
    staff: Staff,
    id: web::Path<i32>,
    form: Fields,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    change(
        &state,
        &req,
        &staff,
        field(&form, "csrf_token"),
        staff.role().edits_all(),
        move |conn, audit| {
            let e = entries::find(conn, id)?;
            entries::delete(conn, id)?;
            audit.record(conn, "entry.delete", &e.slug, &e.title)
        },
    )
    .await?;
    Ok(see_other("/admin/entries"))
}

impl From<SaveError> for AppError {
    fn from(e: SaveError) -> Self {
        match e {
            SaveError::Db(e) => e.into(),
            other => AppError::internal(other),
        }
    }
}

//! The editor page: every field of every kind as typed, the buttons of
//! the moves the person may make, problems at their fields, a conflict's
//! changes, attachments; and the live preview.

use std::collections::{BTreeMap, HashMap};

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::TimeZone;
use serde::Serialize;

use super::super::media::MediaCard;
use super::super::{AdminBase, Fields, field, page_view};
use super::load;
use super::revisions::DiffLine;
use crate::domain::entry::{EntryKind, Status, effective_status};
use crate::domain::entry_form::Problem;
use crate::domain::user::may_edit;
use crate::domain::workflow::{self, Action};
use crate::error::AppError;
use crate::render::SafeHtml;
use crate::render::dates::{ShownTime, show};
use crate::service::entries::render_body;
use crate::storage::categories;
use crate::storage::entries::{self, Entry};
use crate::web::session::Staff;
use crate::web::{AppState, db, pages};

/// What the editor shows and sends back: every field as typed.
#[derive(Debug, Clone, Default, Serialize)]
pub(super) struct Values {
    pub(super) kind: String,
    pub(super) title: String,
    pub(super) slug: String,
    pub(super) summary: String,
    pub(super) body_md: String,
    pub(super) byline: String,
    pub(super) category_id: String,
    pub(super) tags: String,
    pub(super) comments_open: bool,
    pub(super) featured: bool,
    pub(super) publish_at: String,
    /// The featured image's library path (`2026/11/ab….jpg`), or empty.
    pub(super) image_media: String,
    pub(super) image_alt: String,
    pub(super) image_caption: String,
    pub(super) bulletin_series: String,
    pub(super) bulletin_number: String,
    pub(super) bulletin_year: String,
    pub(super) bulletin_entries: String,
    pub(super) leaflet_format: String,
    pub(super) version: String,
}

impl Values {
    pub(super) fn from_form(f: &HashMap<String, String>) -> Self {
        let s = |n: &str| field(f, n).to_owned();
        Values {
            kind: s("kind"),
            title: s("title"),
            slug: s("slug"),
            summary: s("summary"),
            body_md: s("body_md").replace("\r\n", "\n"),
            byline: s("byline"),
            category_id: s("category_id"),
            tags: s("tags"),
            comments_open: f.contains_key("comments_open"),
            featured: f.contains_key("featured"),
            publish_at: s("publish_at"),
            image_media: s("image_media"),
            image_alt: s("image_alt"),
            image_caption: s("image_caption"),
            bulletin_series: s("bulletin_series"),
            bulletin_number: s("bulletin_number"),
            bulletin_year: s("bulletin_year"),
            bulletin_entries: with_chosen(&s("bulletin_entries").replace("\r\n", "\n"), f),
            leaflet_format: s("leaflet_format"),
            version: s("version"),
        }
    }

    pub(super) fn from_entry(
        e: &Entry,
        tag_names: &[String],
        items: &[String],
        tz: chrono_tz::Tz,
    ) -> Self {
        Values {
            kind: e.kind.as_str().into(),
            title: e.title.clone(),
            slug: e.slug.clone(),
            summary: e.summary.clone(),
            body_md: e.body_md.clone(),
            byline: e.byline.clone(),
            category_id: e.category_id.map(|c| c.to_string()).unwrap_or_default(),
            tags: tag_names.join(", "),
            comments_open: e.comments_open,
            featured: e.featured,
            publish_at: e
                .publish_at
                .map(|t| {
                    tz.from_utc_datetime(&t)
                        .format("%Y-%m-%dT%H:%M")
                        .to_string()
                })
                .unwrap_or_default(),
            image_media: e.image_path.clone().unwrap_or_default(),
            image_alt: e.image_alt.clone(),
            image_caption: e.image_caption.clone(),
            bulletin_series: e.bulletin_series.clone().unwrap_or_default(),
            bulletin_number: e.bulletin_number.map(|n| n.to_string()).unwrap_or_default(),
            bulletin_year: e.bulletin_year.map(|n| n.to_string()).unwrap_or_default(),
            bulletin_entries: items.join("\n"),
            leaflet_format: e.leaflet_format.clone().unwrap_or_default(),
            version: e.version.to_string(),
        }
    }

    pub(super) fn tag_list(&self) -> Vec<String> {
        self.tags
            .split([',', ';'])
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty())
            .collect()
    }

    pub(super) fn item_slugs(&self) -> Vec<String> {
        self.bulletin_entries
            .lines()
            .map(|l| {
                l.trim()
                    .trim_start_matches('/')
                    .rsplit('/')
                    .next()
                    .unwrap_or("")
                    .to_owned()
            })
            .filter(|l| !l.is_empty())
            .collect()
    }
}

/// The bulletin's list of entries with the published entries ticked in the
/// chooser (`add_item_N` = slug, N its place in the chooser) added at the
/// end, in the chooser's order, each once. The editor then orders the lines.
pub(super) fn with_chosen(list: &str, f: &HashMap<String, String>) -> String {
    let mut chosen: Vec<(usize, &str)> = f
        .iter()
        .filter_map(|(k, v)| {
            let n = k.strip_prefix("add_item_")?.parse().ok()?;
            Some((n, v.trim()))
        })
        .filter(|(_, slug)| !slug.is_empty())
        .collect();
    chosen.sort();
    let mut lines: Vec<String> = list
        .lines()
        .map(str::to_owned)
        .filter(|l| !l.trim().is_empty())
        .collect();
    for (_, slug) in chosen {
        let listed = lines
            .iter()
            .any(|l| l.trim().trim_start_matches('/').rsplit('/').next() == Some(slug));
        if !listed {
            lines.push(slug.to_owned());
        }
    }
    lines.join("\n")
}

/// A problem with the form, for the summary atop it.
#[derive(Serialize)]
pub(super) struct ErrorLine {
    /// The field it is about (the id the summary links to).
    pub(super) field: &'static str,
    /// What is wrong, in the theme's words.
    pub(super) message: String,
}

/// Someone else saved the entry while the person typed.
#[derive(Serialize)]
pub(super) struct ConflictView {
    /// Who saved (their user name).
    pub(super) by: String,
    /// When.
    pub(super) at: ShownTime,
    /// What their save changed, line by line.
    pub(super) changes: Vec<DiffLine>,
}

/// `admin/entries/edit.html`: the editor, for a new entry or a stored one.
#[derive(Serialize)]
struct EditPage<'a> {
    #[serde(flatten)]
    admin: AdminBase<'a>,
    /// Every field as typed or stored: `kind`, `title`, `slug`, `summary`,
    /// `body_md`, `byline`, `category_id`, `tags` (comma-separated),
    /// `comments_open`, `featured`, `publish_at` (`YYYY-MM-DDTHH:MM`),
    /// `image_media` (the featured image's library path), `image_alt`,
    /// `image_caption`, `bulletin_series`, `bulletin_number`,
    /// `bulletin_year`, `bulletin_entries` (a slug a line), `leaflet_format`,
    /// `version` (the stored version the form was opened at).
    values: &'a Values,
    /// The entry's kind (`article`, `bulletin`, `leaflet`).
    kind: EntryKind,
    /// Whether the entry is new (not stored yet).
    is_new: bool,
    /// A stored entry's id (absent for a new one).
    #[serde(skip_serializing_if = "Option::is_none")]
    entry_id: Option<i32>,
    /// A stored entry's state as of now (absent for a new one).
    #[serde(skip_serializing_if = "Option::is_none")]
    entry_status: Option<Status>,
    /// A stored entry's public address (absent for a new one).
    #[serde(skip_serializing_if = "Option::is_none")]
    entry_url: Option<String>,
    /// When a stored entry was last saved, a `ShownTime` (absent for a
    /// new one).
    #[serde(skip_serializing_if = "Option::is_none")]
    entry_updated: Option<ShownTime>,
    /// Every problem in form order, for the summary: `field`, `message`.
    errors: &'a [ErrorLine],
    /// The message beside each field with a problem, by field name.
    field_errors: BTreeMap<&'static str, &'a str>,
    /// Every category (`id`, `name`…), for the category field.
    categories_all: &'a [categories::Category],
    /// Public entries a bulletin may list, newest first, each an
    /// `[id, slug, title]` triple.
    choices: &'a [(i32, String, String)],
    /// The workflow's moves the person may make from the entry's state
    /// (`save`, `submit`, `withdraw`, `publish`, `unpublish`, `archive`),
    /// a button each; empty when `locked`.
    actions: Vec<Action>,
    /// The person may no longer change the entry (its state moved on while
    /// they typed): their text is shown, with no buttons.
    locked: bool,
    /// The body as it will read (HTML), after a preview; else null.
    preview: Option<&'a SafeHtml>,
    /// Someone else's save since the form was opened (`by`, `at`,
    /// `changes`: lines with `tag` and `text`), or null.
    conflict: Option<&'a ConflictView>,
    /// Whether the entry was just saved.
    saved: bool,
    /// The leaflet formats (`leaflet_format_<format>` names them).
    formats: &'static [&'static str],
    /// The library's images that have alt text (`MediaCard`s), to insert
    /// or feature.
    images: &'a [MediaCard],
    /// A stored entry's attachments (`AttachmentView`s).
    attachments: Vec<crate::web::views::AttachmentView>,
    /// Why the last attachment was refused, or null.
    attachment_error: Option<String>,
    /// Links to the entry's translation into each other language (`lang`,
    /// `name`, `url`, `status` or null); empty for a new entry or staff
    /// who may not translate.
    translations: Vec<crate::web::admin::translations::TranslationLink>,
}

/// Everything the editor page needs besides the values.
pub(super) struct EditorState {
    pub(super) entry: Option<Entry>,
    pub(super) kind: EntryKind,
    pub(super) errors: Vec<Problem>,
    pub(super) preview: Option<SafeHtml>,
    pub(super) conflict: Option<ConflictView>,
    pub(super) saved: bool,
    /// The person may no longer change this entry (its state moved on
    /// while they typed): their text is shown, with no buttons.
    pub(super) locked: bool,
    /// Why an attachment was refused (a message key).
    pub(super) attachment_error: Option<&'static str>,
}

pub(super) async fn editor(
    state: &web::Data<AppState>,
    req: &HttpRequest,
    staff: &Staff,
    values: Values,
    es: EditorState,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let now = state.now();
    let tz = state.config.tz();
    let entry_id = es.entry.as_ref().map(|e| e.id);
    let translates = staff.role().edits_all();
    let (shared, who) = (state.clone(), staff.clone());
    let (base, cats, choices, images, attachments, translations) = db::run(state, move |conn| {
        let translations = match entry_id {
            Some(id) if translates => crate::web::admin::translations::links(
                conn,
                &shared,
                &who,
                crate::storage::translations::Original::Entry(id),
            )?,
            _ => Vec::new(),
        };
        Ok((
            pages::load_base(conn)?,
            categories::all(conn)?,
            entries::public_choices(conn, now, 200)?,
            super::super::media::choosable(conn, tz)?,
            match entry_id {
                Some(id) => crate::storage::media::attachments_of(conn, id)?,
                None => Vec::new(),
            },
            translations,
        ))
    })
    .await?;
    let role = staff.role();
    let own = es
        .entry
        .as_ref()
        .is_none_or(|e| e.author_id == Some(staff.user.id));
    let current = es.entry.as_ref().map_or(Status::Draft, |e| e.status);
    let actions = workflow::allowed(role, own, current);
    let errors: Vec<ErrorLine> = es
        .errors
        .iter()
        .map(|(f, key)| ErrorLine {
            field: f,
            message: staff.theme(state).message(key),
        })
        .collect();
    let e = es.entry.as_ref();
    let view = EditPage {
        admin: AdminBase::new(state, req, base, staff),
        values: &values,
        kind: es.kind,
        is_new: e.is_none(),
        entry_id: e.map(|e| e.id),
        entry_status: e.map(|e| effective_status(e.status, e.publish_at, now)),
        entry_url: e.map(|e| e.kind.entry_path(&e.slug)),
        entry_updated: e.map(|e| show(e.updated_at, tz)),
        field_errors: errors
            .iter()
            .map(|e| (e.field, e.message.as_str()))
            .collect(),
        errors: &errors,
        categories_all: &cats,
        choices: &choices,
        actions: if es.locked { Vec::new() } else { actions },
        locked: es.locked,
        preview: es.preview.as_ref(),
        conflict: es.conflict.as_ref(),
        saved: es.saved,
        formats: &["a4", "a4-duplex", "trifold"],
        images: &images,
        attachments: attachments
            .iter()
            .map(crate::web::views::AttachmentView::from_row)
            .collect(),
        attachment_error: es.attachment_error.map(|k| staff.theme(state).message(k)),
        translations,
    };
    page_view(staff.theme(state), "admin/entries/edit.html", &view, status)
}

impl EditorState {
    /// The editor for `entry` (None: a new one of `kind`), nothing to report.
    pub(super) fn new(kind: EntryKind, entry: Option<Entry>) -> Self {
        Self {
            entry,
            kind,
            errors: vec![],
            preview: None,
            conflict: None,
            saved: false,
            locked: false,
            attachment_error: None,
        }
    }
}

pub(super) fn kind_param(req: &HttpRequest) -> EntryKind {
    web::Query::<HashMap<String, String>>::from_query(req.query_string())
        .ok()
        .and_then(|q| q.get("kind").and_then(|k| k.parse().ok()))
        .unwrap_or(EntryKind::Article)
}

/// `GET /admin/entries/new?kind=…`
pub async fn new(
    state: web::Data<AppState>,
    req: HttpRequest,
    staff: Staff,
) -> Result<HttpResponse, AppError> {
    staff.require(staff.role().writes())?;
    let kind = kind_param(&req);
    let values = Values {
        kind: kind.as_str().into(),
        byline: staff.user.shown_name().to_owned(),
        comments_open: kind != EntryKind::Leaflet,
        leaflet_format: "trifold".into(),
        bulletin_year: chrono::Datelike::year(&state.now()).to_string(),
        ..Default::default()
    };
    let es = EditorState::new(kind, None);
    editor(&state, &req, &staff, values, es, StatusCode::OK).await
}

/// `GET /admin/entries/{id}/edit`
pub async fn edit(
    state: web::Data<AppState>,
    req: HttpRequest,
    staff: Staff,
    id: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    let (e, t, items) = load(&state, id.into_inner()).await?;
    staff.require(may_edit(
        staff.role(),
        e.author_id == Some(staff.user.id),
        e.status,
    ))?;
    let values = Values::from_entry(&e, &t, &items, state.config.tz());
    let saved = req.query_string().contains("saved=1");
    let es = EditorState {
        saved,
        ..EditorState::new(e.kind, Some(e))
    };
    editor(&state, &req, &staff, values, es, StatusCode::OK).await
}

/// `POST /admin/preview`: the body as it will read (the live preview).
pub async fn preview(
    state: web::Data<AppState>,
    staff: Staff,
    form: Fields,
) -> Result<HttpResponse, AppError> {
    staff.check_csrf(&state, field(&form, "csrf_token"))?;
    staff.require(staff.role().writes())?;
    let md = field(&form, "body_md").to_owned();
    let html = db::run(&state, move |conn| Ok(render_body(conn, &md)?)).await?;
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header(("Cache-Control", "no-store"))
        .body(html.into_string()))
}

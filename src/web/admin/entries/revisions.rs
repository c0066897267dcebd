//! An entry's revisions: the list, the diff of two, and restoring one.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;

use super::super::{AdminBase, Fields, change, field, page_view, see_other};
use crate::error::AppError;
use crate::render::dates::{ShownTime, show};
use crate::render::templates::Messages;
use crate::service::entries::{self as save_path, Save, Saver, Snapshot, Target, snapshot_of};
use crate::storage::{entries, revisions};
use crate::web::session::Staff;
use crate::web::{AppState, db, pages};

/// A line of a comparison.
#[derive(Serialize, Clone)]
pub(super) struct DiffLine {
    /// `ins` (only in the newer text), `del` (only in the older) or `same`.
    tag: &'static str,
    /// The line, without its line break.
    text: String,
}

/// The parts of an entry a person edits, as lines to compare, each
/// labelled from the catalogue (`diff_*`).
pub(super) fn snapshot_text(s: &Snapshot, t: &Messages) -> String {
    let d = &s.data;
    let label = |key: &str| t.get(key).map_or(key, String::as_str).to_owned();
    format!(
        "{}: {}\n{}: {}\n{}: {}\n{}: {}\n{}: {}\n{}: {}\n\n{}\n",
        label("diff_title"),
        d.title,
        label("diff_slug"),
        d.slug,
        label("diff_status"),
        d.status.as_str(),
        label("diff_summary"),
        d.summary,
        label("diff_byline"),
        d.byline,
        label("diff_tags"),
        s.tags.join(", "),
        d.body_md
    )
}

pub(super) fn diff_lines(old: &str, new: &str) -> Vec<DiffLine> {
    similar::TextDiff::from_lines(old, new)
        .iter_all_changes()
        .map(|c| DiffLine {
            tag: match c.tag() {
                similar::ChangeTag::Insert => "ins",
                similar::ChangeTag::Delete => "del",
                similar::ChangeTag::Equal => "same",
            },
            text: c.value().trim_end_matches('\n').to_owned(),
        })
        .collect()
}

/// A revision as the pages list it.
#[derive(Serialize)]
struct RevisionView<'a> {
    id: i32,
    version: i32,
    /// Who saved it (their user name).
    by: &'a str,
    /// When.
    at: ShownTime,
}

impl<'a> RevisionView<'a> {
    fn new(r: &'a revisions::Revision, tz: chrono_tz::Tz) -> Self {
        RevisionView {
            id: r.id,
            version: r.version,
            by: &r.saved_by,
            at: show(r.created_at, tz),
        }
    }
}

/// `admin/entries/revisions.html`: an entry's saved versions, to compare
/// two of them or restore one.
#[derive(Serialize)]
struct RevisionsPage<'a> {
    #[serde(flatten)]
    admin: AdminBase<'a>,
    /// The entry's id.
    entry_id: i32,
    /// The entry's title as it is now.
    entry_title: &'a str,
    /// Its revisions, newest first: `id`, `version`, `by` (who saved it),
    /// `at` (`ShownTime`).
    revisions: Vec<RevisionView<'a>>,
}

/// `admin/entries/diff.html`: what changed between two revisions of an
/// entry, line by line.
#[derive(Serialize)]
struct DiffPage<'a> {
    #[serde(flatten)]
    admin: AdminBase<'a>,
    /// The entry's id.
    entry_id: i32,
    /// The entry's title as it is now.
    entry_title: &'a str,
    /// The revision compared from (`?from=`): `id`, `version`, `by`, `at`.
    from: RevisionView<'a>,
    /// The revision compared to (`?to=`), alike.
    to: RevisionView<'a>,
    /// The compared text's lines: `tag` (`ins`, `del` or `same`) and `text`.
    lines: Vec<DiffLine>,
}

/// `GET /admin/entries/{id}/revisions`
pub async fn revisions(
    state: web::Data<AppState>,
    req: HttpRequest,
    staff: Staff,
    id: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    staff.require(staff.role().edits_all())?;
    let id = id.into_inner();
    let (base, e, revs) = db::run(&state, move |conn| {
        Ok((
            pages::load_base(conn)?,
            entries::find(conn, id)?,
            revisions::for_entry(conn, id)?,
        ))
    })
    .await?;
    let tz = state.config.tz();
    let view = RevisionsPage {
        admin: AdminBase::new(&state, &req, base, &staff),
        entry_id: id,
        entry_title: &e.title,
        revisions: revs.iter().map(|r| RevisionView::new(r, tz)).collect(),
    };
    page_view(
        staff.theme(&state),
        "admin/entries/revisions.html",
        &view,
        StatusCode::OK,
    )
}

/// `GET /admin/entries/{id}/revisions/diff?from=A&to=B`
pub async fn diff(
    state: web::Data<AppState>,
    req: HttpRequest,
    staff: Staff,
    id: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    staff.require(staff.role().edits_all())?;
    let id = id.into_inner();
    let q = web::Query::<HashMap<String, String>>::from_query(req.query_string())
        .map_err(|_| AppError::BadRequest("error_400_text"))?;
    let rev = |name: &str| {
        q.get(name)
            .and_then(|v| v.parse::<i32>().ok())
            .ok_or(AppError::BadRequest("error_400_text"))
    };
    let (from, to) = (rev("from")?, rev("to")?);
    let (base, e, a, b) = db::run(&state, move |conn| {
        Ok((
            pages::load_base(conn)?,
            entries::find(conn, id)?,
            revisions::find(conn, id, from)?.ok_or(AppError::NotFound)?,
            revisions::find(conn, id, to)?.ok_or(AppError::NotFound)?,
        ))
    })
    .await?;
    let t = staff.theme(&state).messages();
    let text = |r: &revisions::Revision| {
        snapshot_of(r)
            .map(|s| snapshot_text(&s, &t))
            .unwrap_or_default()
    };
    let tz = state.config.tz();
    let view = DiffPage {
        admin: AdminBase::new(&state, &req, base, &staff),
        entry_id: id,
        entry_title: &e.title,
        from: RevisionView::new(&a, tz),
        to: RevisionView::new(&b, tz),
        lines: diff_lines(&text(&a), &text(&b)),
    };
    page_view(
        staff.theme(&state),
        "admin/entries/diff.html",
        &view,
        StatusCode::OK,
    )
}

/// `POST /admin/entries/{id}/revisions/{rev}/restore`: the revision's
/// content comes back as a new revision; state, date and address stay.
pub async fn restore(
    state: web::Data<AppState>,
    req: HttpRequest,
    staff: Staff,
    path: web::Path<(i32, i32)>,
    form: Fields,
) -> Result<HttpResponse, AppError> {
    let (id, rev) = path.into_inner();
    let now = state.now();
    change(
        &state,
        &req,
        &staff,
        field(&form, "csrf_token"),
        staff.role().edits_all(),
        move |conn, audit| {
            let who = audit.who().to_owned();
            let current = entries::find(conn, id)?;
            let snap = revisions::find(conn, id, rev)?
                .and_then(|r| snapshot_of(&r))
                .ok_or(AppError::NotFound)?;
            // The revision's words come back; everything else stays as it is
            // now (state, date, address, category, options, image, bulletin).
            let mut data = current.data();
            data.title = snap.data.title;
            data.summary = snap.data.summary;
            data.body_md = snap.data.body_md;
            data.byline = snap.data.byline;
            data.image_alt = snap.data.image_alt;
            data.image_caption = snap.data.image_caption;
            let save = Save {
                data,
                tags: &snap.tags,
                items: None,
                by: Saver { name: &who, now },
            };
            let target = Target::Existing {
                id,
                version: current.version,
            };
            save_path::save(conn, target, save)?;
            audit.record(
                conn,
                "entry.restore",
                &current.slug,
                &format!("revision {rev}"),
            )
        },
    )
    .await?;
    Ok(see_other(&format!("/admin/entries/{id}/edit?saved=1")))
}

//! The department's pages, staff side (editors and admins): the tree,
//! adding and editing a page (its parent, order, contact list), its
//! revisions and restoring one, deleting a page without subpages. Every
//! change is audited; readers see it at once (the change log drops the
//! cached pages).

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;

use super::{AdminBase, Fields, field, page_view, see_other};
use crate::domain::page::{self, PageInput, PageStatus, Problem, contacts_text};
use crate::error::AppError;
use crate::render::dates::{self, ShownTime};
use crate::service::entries::Saver;
use crate::service::pages::{self as save_path, PageError, Target};
use crate::storage::pages::{self, Node};
use crate::web::session::Staff;
use crate::web::{AppState, db};

/// A page in the admin's tree.
#[derive(Serialize)]
struct TreeRow {
    id: i32,
    title: String,
    url: String,
    /// 0 for a top-level page, 1 below it, …
    depth: usize,
    status: &'static str,
    updated: ShownTime,
}

/// `admin/pages/list.html`: every page as a tree.
#[derive(Serialize)]
struct ListPage<'a> {
    #[serde(flatten)]
    admin: AdminBase<'a>,
    /// The pages, each after its parent (`id`, `title`, `url`, `depth`,
    /// `status`, `updated`).
    pages: Vec<TreeRow>,
    /// A notice: `saved`, `deleted` or `restored`.
    notice: Option<&'static str>,
}

/// A choice of parent in the form.
#[derive(Serialize)]
struct ParentChoice {
    id: i32,
    /// The title, indented by its depth.
    label: String,
}

/// A revision in the form's list.
#[derive(Serialize)]
struct RevisionRow {
    id: i32,
    version: i32,
    saved_by: String,
    created: ShownTime,
}

/// `admin/pages/edit.html`: a page's form, new or to edit.
#[derive(Serialize)]
struct EditPage<'a> {
    #[serde(flatten)]
    admin: AdminBase<'a>,
    /// The message beside each field with a problem, by field name.
    field_errors: HashMap<&'static str, String>,
    /// Every problem in form order, as (field name, message) pairs.
    errors: Vec<(&'static str, String)>,
    /// The form's values: `title`, `slug`, `parent_id`, `position`,
    /// `summary`, `body_md`, `contacts` (one per line, `|` between
    /// fields), `status`.
    values: &'a PageInput,
    /// The page's id when editing, null for a new one.
    page_id: Option<i32>,
    /// The version the form started from (sent back as `version`).
    version: i32,
    /// The page's public address, when editing.
    url: Option<String>,
    /// Pages that may be the parent (not the page itself nor below it).
    parents: Vec<ParentChoice>,
    /// `draft`, `published` (`page_status_<status>` names them).
    statuses: [&'static str; 2],
    /// The page's revisions, newest first.
    revisions: Vec<RevisionRow>,
    /// Links to the page's translation into each other language (`lang`,
    /// `name`, `url`, `status` or null); empty for a new page.
    translations: Vec<super::translations::TranslationLink>,
}

/// Orders `nodes` as a tree: each page after its parent, with its depth.
pub(super) fn tree(nodes: Vec<Node>) -> Vec<(Node, usize)> {
    fn walk(parent: Option<i32>, depth: usize, nodes: &[Node], out: &mut Vec<(Node, usize)>) {
        for n in nodes.iter().filter(|n| n.parent_id == parent) {
            out.push((n.clone(), depth));
            walk(Some(n.id), depth + 1, nodes, out);
        }
    }
    let mut out = Vec::with_capacity(nodes.len());
    walk(None, 0, &nodes, &mut out);
    out
}

/// `GET /admin/pages`
pub async fn list(
    state: web::Data<AppState>,
    req: HttpRequest,
    staff: Staff,
) -> Result<HttpResponse, AppError> {
    staff.require(staff.role().edits_all())?;
    let (base, nodes) = db::run(&state, |conn| {
        Ok((crate::web::pages::load_base(conn)?, pages::all(conn)?))
    })
    .await?;
    let tz = state.config.tz();
    let rows = tree(nodes)
        .into_iter()
        .map(|(n, depth)| TreeRow {
            id: n.id,
            url: crate::web::public::pages::url(&n.path),
            title: n.title,
            depth,
            status: n.status.as_str(),
            updated: dates::show(n.updated_at, tz),
        })
        .collect();
    let notice = crate::web::public::query(&req)?.get("done").and_then(|d| {
        ["saved", "deleted", "restored"]
            .into_iter()
            .find(|n| n == d)
    });
    let view = ListPage {
        admin: AdminBase::new(&state, &req, base, &staff),
        pages: rows,
        notice,
    };
    page_view(
        staff.theme(&state),
        "admin/pages/list.html",
        &view,
        StatusCode::OK,
    )
}

fn input_from(f: &HashMap<String, String>) -> PageInput {
    PageInput {
        title: field(f, "title").to_owned(),
        slug: field(f, "slug").trim().to_owned(),
        parent_id: field(f, "parent_id").to_owned(),
        position: field(f, "position").to_owned(),
        summary: field(f, "summary").replace("\r\n", "\n"),
        body_md: field(f, "body_md").replace("\r\n", "\n"),
        contacts: field(f, "contacts").replace("\r\n", "\n"),
        status: field(f, "status").to_owned(),
    }
}

fn input_of(p: &pages::Page) -> PageInput {
    PageInput {
        title: p.title.clone(),
        slug: p.slug.clone(),
        parent_id: p.parent_id.map(|i| i.to_string()).unwrap_or_default(),
        position: p.position.to_string(),
        summary: p.summary.clone(),
        body_md: p.body_md.clone(),
        contacts: contacts_text(&save_path::contacts_of(p)),
        status: p.status.as_str().to_owned(),
    }
}

/// The form, fresh or with what was typed and its problems, for page
/// `id` (none for a new one) at `version`.
async fn form(
    state: &web::Data<AppState>,
    req: &HttpRequest,
    staff: &Staff,
    (id, version): (Option<i32>, i32),
    values: PageInput,
    problems: Vec<Problem>,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let (shared, who) = (state.clone(), staff.clone());
    let (base, nodes, revisions, translations) = db::run(state, move |conn| {
        let (revisions, translations) = match id {
            Some(id) => (
                pages::revisions(conn, id)?,
                super::translations::links(
                    conn,
                    &shared,
                    &who,
                    crate::storage::translations::Original::Page(id),
                )?,
            ),
            None => Default::default(),
        };
        Ok((
            crate::web::pages::load_base(conn)?,
            pages::all(conn)?,
            revisions,
            translations,
        ))
    })
    .await?;
    let own_path = id.and_then(|id| nodes.iter().find(|n| n.id == id).map(|n| n.path.clone()));
    let below = |n: &Node| match &own_path {
        Some(own) => n.path == *own || n.path.starts_with(&format!("{own}/")),
        None => false,
    };
    let parents = tree(nodes)
        .into_iter()
        .filter(|(n, _)| !below(n))
        .map(|(n, depth)| ParentChoice {
            id: n.id,
            label: format!("{}{}", "— ".repeat(depth), n.title),
        })
        .collect();
    let theme = staff.theme(state);
    let message = |p: &Problem| {
        let text = theme.message(p.key);
        match p.line {
            Some(line) => text.replace("{line}", &line.to_string()),
            None => text,
        }
    };
    let tz = state.config.tz();
    let view = EditPage {
        admin: AdminBase::new(state, req, base, staff),
        field_errors: problems.iter().map(|p| (p.field, message(p))).collect(),
        errors: problems.iter().map(|p| (p.field, message(p))).collect(),
        values: &values,
        page_id: id,
        version,
        url: own_path.map(|p| crate::web::public::pages::url(&p)),
        parents,
        statuses: PageStatus::ALL.map(PageStatus::as_str),
        revisions: revisions
            .into_iter()
            .map(|r| RevisionRow {
                id: r.id,
                version: r.version,
                saved_by: r.saved_by,
                created: dates::show(r.created_at, tz),
            })
            .collect(),
        translations,
    };
    page_view(staff.theme(state), "admin/pages/edit.html", &view, status)
}

/// `GET /admin/pages/new`
pub async fn new(
    state: web::Data<AppState>,
    req: HttpRequest,
    staff: Staff,
) -> Result<HttpResponse, AppError> {
    staff.require(staff.role().edits_all())?;
    let values = PageInput {
        status: PageStatus::Draft.as_str().into(),
        parent_id: crate::web::public::query(&req)?
            .remove("parent")
            .unwrap_or_default(),
        ..Default::default()
    };
    form(
        &state,
        &req,
        &staff,
        (None, 0),
        values,
        Vec::new(),
        StatusCode::OK,
    )
    .await
}

/// `GET /admin/pages/{id}/edit`
pub async fn edit(
    state: web::Data<AppState>,
    req: HttpRequest,
    staff: Staff,
    id: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    staff.require(staff.role().edits_all())?;
    let id = id.into_inner();
    let page = db::run(&state, move |conn| Ok(pages::find(conn, id)?)).await?;
    let version = page.version;
    form(
        &state,
        &req,
        &staff,
        (Some(id), version),
        input_of(&page),
        Vec::new(),
        StatusCode::OK,
    )
    .await
}

/// `POST /admin/pages/new` and `POST /admin/pages/{id}/edit`.
async fn save(
    state: web::Data<AppState>,
    req: HttpRequest,
    staff: Staff,
    id: Option<i32>,
    form_data: Fields,
) -> Result<HttpResponse, AppError> {
    staff.check_csrf(&state, field(&form_data, "csrf_token"))?;
    staff.require(staff.role().edits_all())?;
    let input = input_from(&form_data);
    let version: i32 = field(&form_data, "version").parse().unwrap_or(0);
    // A refused form keeps what was typed; after a conflict it carries
    // the version saved meanwhile, so that saving again is a choice made
    // knowingly (the message says so).
    let refuse = |problems: Vec<Problem>, status, version: i32| {
        form(
            &state,
            &req,
            &staff,
            (id, version),
            input.clone(),
            problems,
            status,
        )
    };
    let valid = match page::validate(&input) {
        Ok(v) => v,
        Err(problems) => {
            return refuse(problems, StatusCode::UNPROCESSABLE_ENTITY, version).await;
        }
    };
    let target = match id {
        Some(id) => Target::Existing { id, version },
        None => Target::New,
    };
    let auditor = super::auditor(&state, &req, &staff);
    let now = state.now();
    let saved = db::run(&state, move |conn| {
        let by = Saver {
            name: auditor.who(),
            now,
        };
        let saved = save_path::save(conn, target, &valid, by);
        if let Ok(s) = &saved {
            let action = if id.is_some() {
                "page.update"
            } else {
                "page.create"
            };
            auditor.record(conn, action, &s.id().to_string(), &valid.title)?;
        }
        Ok(saved)
    })
    .await?;
    let (problem, status, version) = match saved {
        Ok(_) => return Ok(see_other("/admin/pages?done=saved")),
        Err(PageError::PathTaken) => (
            Problem::at("slug", "page_path_taken"),
            StatusCode::UNPROCESSABLE_ENTITY,
            version,
        ),
        Err(PageError::Parent) => (
            Problem::at("parent_id", "page_parent_invalid"),
            StatusCode::UNPROCESSABLE_ENTITY,
            version,
        ),
        Err(PageError::Conflict { current, .. }) => (
            Problem::at("title", "page_conflict"),
            StatusCode::CONFLICT,
            current.version,
        ),
        Err(PageError::HasChildren) => return Err(AppError::internal("save: has children")),
        Err(PageError::Db(e)) => return Err(e.into()),
    };
    refuse(vec![problem], status, version).await
}

pub async fn create(
    state: web::Data<AppState>,
    req: HttpRequest,
    staff: Staff,
    form_data: Fields,
) -> Result<HttpResponse, AppError> {
    save(state, req, staff, None, form_data).await
}

pub async fn update(
    state: web::Data<AppState>,
    req: HttpRequest,
    staff: Staff,
    id: web::Path<i32>,
    form_data: Fields,
) -> Result<HttpResponse, AppError> {
    save(state, req, staff, Some(id.into_inner()), form_data).await
}

/// `POST /admin/pages/{id}/delete`: refused (409) while it has subpages.
pub async fn delete(
    state: web::Data<AppState>,
    req: HttpRequest,
    staff: Staff,
    id: web::Path<i32>,
    form_data: Fields,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let allowed = staff.role().edits_all();
    super::change(
        &state,
        &req,
        &staff,
        field(&form_data, "csrf_token"),
        allowed,
        move |conn, auditor| match save_path::delete(conn, id) {
            Ok(page) => {
                auditor.record(conn, "page.delete", &id.to_string(), &page.title)?;
                Ok(())
            }
            Err(PageError::HasChildren) => Err(AppError::Conflict("page_has_children")),
            Err(PageError::Db(e)) => Err(e.into()),
            Err(e) => Err(AppError::internal(e)),
        },
    )
    .await?;
    Ok(see_other("/admin/pages?done=deleted"))
}

/// `POST /admin/pages/{id}/revisions/{rev}/restore`
pub async fn restore(
    state: web::Data<AppState>,
    req: HttpRequest,
    staff: Staff,
    path: web::Path<(i32, i32)>,
    form_data: Fields,
) -> Result<HttpResponse, AppError> {
    let (id, rev) = path.into_inner();
    let allowed = staff.role().edits_all();
    let now = state.now();
    super::change(
        &state,
        &req,
        &staff,
        field(&form_data, "csrf_token"),
        allowed,
        move |conn, auditor| {
            let by = Saver {
                name: auditor.who(),
                now,
            };
            match save_path::restore(conn, id, rev, by) {
                Ok(Some(_)) => {
                    auditor.record(conn, "page.restore", &id.to_string(), &rev.to_string())?;
                    Ok(())
                }
                Ok(None) => Err(AppError::NotFound),
                Err(PageError::PathTaken | PageError::Parent) => {
                    Err(AppError::Conflict("page_restore_refused"))
                }
                Err(PageError::Db(e)) => Err(e.into()),
                Err(e) => Err(AppError::internal(e)),
            }
        },
    )
    .await?;
    Ok(see_other("/admin/pages?done=restored"))
}

//! The entries list: filtered by kind, state, category, author and text;
//! authors see their own.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;

use super::super::{AdminBase, page_view};
use crate::domain::entry::{EntryKind, Status, effective_status};
use crate::domain::user::may_edit;
use crate::error::AppError;
use crate::render::dates::{ShownTime, show};
use crate::storage::entries::{self, AdminFilter};
use crate::storage::{categories, users};
use crate::web::session::Staff;
use crate::web::views::Pagination;
use crate::web::{AppState, db, pages};

const PER_PAGE: u32 = 25;

/// An entry as the list shows it.
#[derive(Serialize)]
struct Row {
    #[serde(flatten)]
    row: entries::AdminRow,
    /// Its state as of now (a scheduled entry whose time has come is
    /// `published`).
    status_now: Status,
    updated: ShownTime,
    /// Its publication time, when it has one.
    published: Option<ShownTime>,
    /// Whether the person may open it in the editor.
    editable: bool,
}

/// `admin/entries/list.html`: the entries the filters match, a page at a
/// time, and the filters' form.
#[derive(Serialize)]
struct ListPage<'a> {
    #[serde(flatten)]
    admin: AdminBase<'a>,
    /// This page's entries, most recently updated first: `id`, `kind`,
    /// `slug`, `title`, `status` (as stored), `status_now`,
    /// `category_name`, `author_name` (or null), `updated`, `published`
    /// (`ShownTime`s, `published` null without a date), `editable`.
    rows: Vec<Row>,
    /// Entries the filters match in all.
    total: i64,
    /// The page links, keeping the filters.
    pagination: Pagination,
    /// The query's filters as given (`kind`, `status`, `category`,
    /// `author`, `q`; a filter not set is absent).
    filter: &'a HashMap<String, String>,
    /// Every category (`id`, `name`…), for the category filter.
    categories_all: &'a [categories::Category],
    /// Every account (`id`, `username`…), for the author filter.
    people: &'a [users::User],
    /// Every entry state, in the workflow's order.
    statuses: &'static [Status],
    /// Every entry kind.
    kinds_all: &'static [EntryKind],
}

/// `/admin/entries?kind=&status=&category=&author=&q=&page=`
pub async fn list(
    state: web::Data<AppState>,
    req: HttpRequest,
    staff: Staff,
) -> Result<HttpResponse, AppError> {
    staff.require(staff.role().writes())?;
    let q = crate::web::public::query(&req)?;
    let page_no = crate::web::public::page_param(&req)?;
    let filter = AdminFilter {
        kind: q.get("kind").and_then(|k| k.parse().ok()),
        status: q.get("status").and_then(|s| s.parse().ok()),
        category_id: q.get("category").and_then(|c| c.parse().ok()),
        // Authors see their own entries only.
        author_id: if staff.role().edits_all() {
            q.get("author").and_then(|a| a.parse().ok())
        } else {
            Some(staff.user.id)
        },
        text: q.get("q").cloned(),
    };
    let f = filter.clone();
    let (base, (rows, total), cats, people) = db::run(&state, move |conn| {
        let offset = i64::from(page_no - 1) * i64::from(PER_PAGE);
        Ok((
            pages::load_base(conn)?,
            entries::admin_list(conn, &f, offset, i64::from(PER_PAGE))?,
            categories::all(conn)?,
            users::all(conn)?,
        ))
    })
    .await?;
    let tz = state.config.tz();
    let now = state.now();
    let rows: Vec<Row> = rows
        .into_iter()
        .map(|row| Row {
            status_now: effective_status(row.status, row.publish_at, now),
            updated: show(row.updated_at, tz),
            published: row.publish_at.map(|t| show(t, tz)),
            editable: may_edit(
                staff.role(),
                row.author_id == Some(staff.user.id),
                row.status,
            ),
            row,
        })
        .collect();
    // Page links keep the filters.
    let mut link = String::from("/admin/entries?");
    for (k, v) in &q {
        if k != "page" && !v.is_empty() {
            link.push_str(&format!(
                "{}={}&",
                k,
                url::form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>()
            ));
        }
    }
    let link = link.trim_end_matches(['&', '?']).to_owned();
    let pagination = if link.contains('?') {
        Pagination::with_query(&link, page_no, PER_PAGE, total)
    } else {
        Pagination::new(&link, page_no, PER_PAGE, total)
    };
    let view = ListPage {
        admin: AdminBase::new(&state, &req, base, &staff),
        rows,
        total,
        pagination,
        filter: &q,
        categories_all: &cats,
        people: &people,
        statuses: &Status::ALL,
        kinds_all: &EntryKind::ALL,
    };
    page_view(
        staff.theme(&state),
        "admin/entries/list.html",
        &view,
        StatusCode::OK,
    )
}

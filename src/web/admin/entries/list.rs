//! The entries list: filtered by kind, state, category, author and text;
//! authors see their own.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;

use super::super::{context, page};
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

#[derive(Serialize)]
struct Row {
    #[serde(flatten)]
    row: entries::AdminRow,
    status_now: Status,
    updated: ShownTime,
    published: Option<ShownTime>,
    editable: bool,
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
    let mut ctx = context(&state, &req, base, &staff);
    ctx.insert("rows", &rows);
    ctx.insert("total", &total);
    ctx.insert("pagination", &pagination);
    ctx.insert("filter", &q);
    ctx.insert("categories_all", &cats);
    ctx.insert("people", &people);
    ctx.insert("statuses", &Status::ALL);
    ctx.insert("kinds_all", &EntryKind::ALL);
    page(&state, "admin/entries/list.html", &ctx, StatusCode::OK)
}

//! `/admin/audit` (admins only): sign-ins, failures, publishing, role
//! changes, deletions — newest first.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;

use super::{context, page};
use crate::error::AppError;
use crate::render::dates::{ShownTime, show};
use crate::storage::audit::{self, Event};
use crate::web::session::Staff;
use crate::web::views::Pagination;
use crate::web::{AppState, db, pages};

const PER_PAGE: u32 = 50;

#[derive(Serialize)]
struct EventView {
    #[serde(flatten)]
    event: Event,
    when: ShownTime,
}

pub async fn list(
    state: web::Data<AppState>,
    req: HttpRequest,
    staff: Staff,
) -> Result<HttpResponse, AppError> {
    staff.require(staff.role().administers())?;
    let page_no = crate::web::public::page_param(&req)?;
    let (base, (events, total)) = db::run(&state, move |conn| {
        let offset = i64::from(page_no - 1) * i64::from(PER_PAGE);
        Ok((
            pages::load_base(conn)?,
            audit::page(conn, offset, i64::from(PER_PAGE))?,
        ))
    })
    .await?;
    let tz = state.config.tz();
    let events: Vec<EventView> = events
        .into_iter()
        .map(|e| EventView {
            when: show(e.at, tz),
            event: e,
        })
        .collect();
    let pagination = Pagination::new("/admin/audit", page_no, PER_PAGE, total);
    // Past the last page: 404, as the public listings answer.
    if page_no > pagination.pages {
        return Err(AppError::NotFound);
    }
    let mut ctx = context(&state, &req, base, &staff);
    ctx.insert("events", &events);
    ctx.insert("pagination", &pagination);
    page(&state, "admin/audit.html", &ctx, StatusCode::OK)
}

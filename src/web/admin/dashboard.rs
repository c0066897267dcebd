//! `/admin`: what needs doing, by role.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use std::collections::BTreeMap;

use super::{context, page};
use crate::error::AppError;
use crate::storage::entries;
use crate::web::session::Staff;
use crate::web::{AppState, db, pages};

pub async fn show(
    state: web::Data<AppState>,
    req: HttpRequest,
    staff: Staff,
) -> Result<HttpResponse, AppError> {
    let (base, counts) = db::run(&state, |conn| {
        let counts: BTreeMap<String, i64> = entries::count_by_status(conn)?.into_iter().collect();
        Ok((pages::load_base(conn)?, counts))
    })
    .await?;
    let mut ctx = context(&state, &req, base, &staff);
    ctx.insert("counts", &counts);
    page(&state, "admin/dashboard.html", &ctx, StatusCode::OK)
}

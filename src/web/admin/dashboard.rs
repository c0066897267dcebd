//! `/admin`: what needs doing, by role — entries by state for writers; for
//! moderators the department's on-time figure for a period
//! (`?from=YYYY-MM-DD&to=YYYY-MM-DD`, default the last 30 days).

use std::collections::{BTreeMap, HashMap};

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{NaiveDate, TimeZone};

use super::{comments, context, page};
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
    if staff.role().moderates() {
        let q = web::Query::<HashMap<String, String>>::from_query(req.query_string())
            .map(web::Query::into_inner)
            .unwrap_or_default();
        let today = state
            .config
            .tz()
            .from_utc_datetime(&state.now())
            .date_naive();
        let date = |k: &str| {
            q.get(k)
                .and_then(|v| NaiveDate::parse_from_str(v, "%Y-%m-%d").ok())
        };
        let (from, to) = crate::domain::deadline::period(date("from"), date("to"), today);
        let (figure, rules) = comments::figure(&state, from, to).await?;
        ctx.insert("figure", &figure);
        ctx.insert("deadline_days", &rules.deadline_days);
        ctx.insert("period_from", &from.format("%Y-%m-%d").to_string());
        ctx.insert("period_to", &to.format("%Y-%m-%d").to_string());
    }
    page(&state, "admin/dashboard.html", &ctx, StatusCode::OK)
}

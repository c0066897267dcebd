//! `/admin`: what needs doing, by role — entries by state for writers; for
//! moderators the department's on-time figure for a period
//! (`?from=YYYY-MM-DD&to=YYYY-MM-DD`, default the last 30 days).

use std::collections::{BTreeMap, HashMap};

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{NaiveDate, TimeZone};
use serde::Serialize;

use super::{AdminBase, comments, page_view};
use crate::error::AppError;
use crate::storage::entries;
use crate::web::session::Staff;
use crate::web::{AppState, db, pages};

/// `admin/dashboard.html`: what needs doing.
#[derive(Serialize)]
struct DashboardPage<'a> {
    #[serde(flatten)]
    admin: AdminBase<'a>,
    /// Entries per state (`draft`, `in_review`, …); a state with none is
    /// missing (`| default(value=0)`).
    counts: BTreeMap<String, i64>,
    /// The on-time figure's fields, for moderators only (absent otherwise).
    #[serde(flatten)]
    moderation: Option<Period>,
    /// For editors and admins: recently rated entries with the lowest
    /// average (answers of the last 30 days, at least 3): `title`, `url`
    /// (their answers' page), `figures` (`count`, `average`, `satisfied`).
    lowest_rated: Vec<LowRated>,
    /// For moderators and up: citizens' questions still to handle and the
    /// on-time figure of the last 12 months (as `/hoi-dap` reports it).
    questions: Option<QuestionsFigure>,
}

#[derive(Serialize)]
struct QuestionsFigure {
    open: i64,
    figure: crate::domain::deadline::OnTime,
}

#[derive(Serialize)]
struct LowRated {
    title: String,
    url: String,
    figures: super::ratings::Figures,
}

/// The department's on-time figure for a period (moderators).
#[derive(Serialize)]
struct Period {
    /// Comments answered on time, late and still waiting in the period.
    figure: crate::domain::deadline::OnTime,
    /// Working days within which a comment should be handled.
    deadline_days: u32,
    /// The period, `YYYY-MM-DD`, for the form's date fields (shown to
    /// people through the `date` filter).
    period_from: String,
    period_to: String,
}

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
    let lowest_rated = if staff.role().edits_all() {
        super::ratings::lowest(&state, staff.theme(&state))
            .await?
            .into_iter()
            .map(|(title, url, figures)| LowRated {
                title,
                url,
                figures,
            })
            .collect()
    } else {
        Vec::new()
    };
    let questions = if staff.role().moderates() {
        let now = state.now();
        let (counts, timing) = db::run(&state, move |conn| {
            Ok((
                crate::storage::questions::count_by_status(conn)?,
                crate::storage::questions::timing(conn, now - chrono::Duration::days(365), now)?,
            ))
        })
        .await?;
        let open = counts
            .iter()
            .filter(|(s, _)| {
                s.parse::<crate::domain::question::QuestionStatus>()
                    .is_ok_and(|s| !s.is_closed())
            })
            .map(|(_, n)| n)
            .sum();
        Some(QuestionsFigure {
            open,
            figure: crate::domain::deadline::on_time_by(&timing, now),
        })
    } else {
        None
    };
    let mut view = DashboardPage {
        questions,
        admin: AdminBase::new(&state, &req, base, &staff),
        counts,
        moderation: None,
        lowest_rated,
    };
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
        view.moderation = Some(Period {
            figure,
            deadline_days: rules.deadline_days,
            period_from: from.format("%Y-%m-%d").to_string(),
            period_to: to.format("%Y-%m-%d").to_string(),
        });
    }
    page_view(
        staff.theme(&state),
        "admin/dashboard.html",
        &view,
        StatusCode::OK,
    )
}

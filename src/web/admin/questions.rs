//! `/admin/questions`: the queue of citizens' questions (Hỏi – Đáp).
//!
//! Moderators, editors and admins see the queue, assign a question to a
//! member of staff who handles comments, write the answer (Markdown) or
//! refuse it with a reason the asker reads; an editor (or admin) approves
//! the answer, which publishes it with the question, or takes it back.
//! Every step is audited. Admins set the topics and the deadline in
//! working days (`/admin/questions/settings`).

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;

use super::{AdminBase, Fields, auditor, field, page_view, see_other};
use crate::domain::deadline;
use crate::domain::question::{self, Action, QuestionStatus};
use crate::error::AppError;
use crate::render::SafeHtml;
use crate::render::dates::{ShownTime, show};
use crate::storage::questions::{self as store, Change, Question};
use crate::storage::{settings, users};
use crate::web::public::questions::{self as public, DEADLINE_DAYS, TOPICS};
use crate::web::session::Staff;
use crate::web::{AppState, db, pages};

/// A question in the queue.
#[derive(Serialize)]
struct Row {
    id: i32,
    topic: String,
    /// The first words of the question.
    excerpt: String,
    status: &'static str,
    assignee: Option<String>,
    asked: ShownTime,
    due: ShownTime,
    /// Still open and past its deadline.
    overdue: bool,
}

/// A state to filter the queue by.
#[derive(Serialize)]
struct StateTab {
    /// `open` (new, assigned, answered), a state, or `all`.
    value: &'static str,
    count: i64,
    selected: bool,
}

/// `admin/questions/list.html`.
#[derive(Serialize)]
struct ListPage<'a> {
    #[serde(flatten)]
    admin: AdminBase<'a>,
    tabs: Vec<StateTab>,
    rows: Vec<Row>,
    /// The on-time figure of the last 12 months.
    figure: deadline::OnTime,
    /// The settings (admins change them): the deadline and the topics,
    /// one per line; with a message at a refused field.
    deadline_days: String,
    topics: String,
    settings_error: Option<String>,
}

/// `admin/questions/edit.html`: one question and what may be done to it.
#[derive(Serialize)]
struct EditPage<'a> {
    #[serde(flatten)]
    admin: AdminBase<'a>,
    id: i32,
    topic: String,
    status: &'static str,
    /// The asker, for staff only.
    name: String,
    email: String,
    phone: String,
    question_html: SafeHtml,
    /// As the public will read it (personal numbers masked).
    question_public_html: SafeHtml,
    asked: ShownTime,
    due: ShownTime,
    overdue: bool,
    /// Who has it (user id), and the staff it may go to: `id`, `name`.
    assignee_id: Option<i32>,
    staff_choices: Vec<(i32, String)>,
    /// The answer as typed, and as it will show.
    answer_md: String,
    answer_html: SafeHtml,
    answered_by: String,
    approved_by: String,
    refusal: String,
    /// The public page, once published.
    public_url: Option<String>,
    /// What the person may do now.
    can_answer: bool,
    can_approve: bool,
    can_unpublish: bool,
    can_refuse: bool,
    /// A refused step: its message, at `error_field` (`answer_md`,
    /// `refusal`, `assignee_id` or `form`).
    error: Option<String>,
    error_field: &'static str,
}

fn excerpt(text: &str) -> String {
    let cut: String = text.chars().take(140).collect();
    if text.chars().count() > 140 {
        format!("{}…", cut.trim_end())
    } else {
        cut
    }
}

/// `GET /admin/questions?status=…`.
pub async fn list(
    state: web::Data<AppState>,
    req: HttpRequest,
    staff: Staff,
) -> Result<HttpResponse, AppError> {
    staff.require(staff.role().moderates())?;
    let wanted = crate::web::public::query(&req)?
        .get("status")
        .cloned()
        .unwrap_or_else(|| "open".to_owned());
    let status: Option<QuestionStatus> = match wanted.as_str() {
        "open" | "all" => None,
        s => Some(
            s.parse()
                .map_err(|_| AppError::BadRequest("error_400_text"))?,
        ),
    };
    let now = state.now();
    let (base, rows, counts, timing, (topics, days)) = db::run(&state, move |conn| {
        Ok((
            pages::load_base(conn)?,
            store::queue(conn, status, 500)?,
            store::count_by_status(conn)?,
            store::timing(conn, now - chrono::Duration::days(365), now)?,
            public::rules(conn)?,
        ))
    })
    .await?;
    render_list(
        &state,
        &req,
        &staff,
        &wanted,
        base,
        rows,
        counts,
        timing,
        topics.join("\n"),
        days.to_string(),
        None,
        StatusCode::OK,
    )
}

#[allow(clippy::too_many_arguments)]
fn render_list(
    state: &AppState,
    req: &HttpRequest,
    staff: &Staff,
    wanted: &str,
    base: pages::Base,
    rows: Vec<(Question, Option<String>)>,
    counts: Vec<(String, i64)>,
    timing: Vec<(chrono::NaiveDateTime, Option<chrono::NaiveDateTime>)>,
    topics: String,
    deadline_days: String,
    settings_error: Option<String>,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let now = state.now();
    let tz = state.config.tz();
    let counts: HashMap<String, i64> = counts.into_iter().collect();
    let count = |s: QuestionStatus| counts.get(s.as_str()).copied().unwrap_or(0);
    let open = [
        QuestionStatus::New,
        QuestionStatus::Assigned,
        QuestionStatus::Answered,
    ];
    let mut tabs = vec![StateTab {
        value: "open",
        count: open.iter().map(|s| count(*s)).sum(),
        selected: wanted == "open",
    }];
    tabs.extend(QuestionStatus::ALL.iter().map(|s| StateTab {
        value: s.as_str(),
        count: count(*s),
        selected: wanted == s.as_str(),
    }));
    tabs.push(StateTab {
        value: "all",
        count: counts.values().sum(),
        selected: wanted == "all",
    });
    let rows = rows
        .into_iter()
        .filter(|(q, _)| wanted != "open" || !q.status().is_closed())
        .map(|(q, assignee)| Row {
            overdue: !q.status().is_closed() && now > q.due_at,
            id: q.id,
            excerpt: excerpt(&q.question),
            status: q.status().as_str(),
            assignee,
            asked: show(q.created_at, tz),
            due: show(q.due_at, tz),
            topic: q.topic,
        })
        .collect();
    let view = ListPage {
        admin: AdminBase::new(state, req, base, staff),
        tabs,
        rows,
        figure: deadline::on_time_by(&timing, now),
        deadline_days,
        topics,
        settings_error,
    };
    page_view(
        staff.theme(state),
        "admin/questions/list.html",
        &view,
        status,
    )
}

/// `POST /admin/questions/settings` (admins): the deadline and topics.
pub async fn save_settings(
    state: web::Data<AppState>,
    req: HttpRequest,
    staff: Staff,
    form: Fields,
) -> Result<HttpResponse, AppError> {
    staff.check_csrf(&state, field(&form, "csrf_token"))?;
    staff.require(staff.role().administers())?;
    let days_raw = field(&form, "deadline_days").trim().to_owned();
    let topics_raw = field(&form, "topics").replace("\r\n", "\n");
    let days = days_raw
        .parse::<u32>()
        .ok()
        .filter(|d| (1..=60).contains(d));
    let topics = question::topics(Some(&topics_raw));
    let Some(days) = days else {
        let now = state.now();
        let wanted = "open".to_owned();
        let (base, rows, counts, timing) = db::run(&state, move |conn| {
            Ok((
                pages::load_base(conn)?,
                store::queue(conn, None, 500)?,
                store::count_by_status(conn)?,
                store::timing(conn, now - chrono::Duration::days(365), now)?,
            ))
        })
        .await?;
        let message = staff.theme(&state).message("questions_deadline_invalid");
        return render_list(
            &state,
            &req,
            &staff,
            &wanted,
            base,
            rows,
            counts,
            timing,
            topics_raw,
            days_raw,
            Some(message),
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    };
    let auditor = auditor(&state, &req, &staff);
    db::run(&state, move |conn| {
        settings::set(conn, DEADLINE_DAYS, &days.to_string())?;
        settings::set(conn, TOPICS, &topics.join("\n"))?;
        auditor.record(
            conn,
            "questions.settings",
            "questions",
            &format!("{days} days"),
        )?;
        Ok(())
    })
    .await?;
    Ok(see_other("/admin/questions"))
}

/// Staff a question may be assigned to: enabled, and handling comments.
fn assignable(all: Vec<users::User>) -> Vec<(i32, String)> {
    all.into_iter()
        .filter(|u| !u.disabled && u.role.moderates())
        .map(|u| {
            let name = if u.display_name.is_empty() {
                u.username
            } else {
                format!("{} ({})", u.display_name, u.username)
            };
            (u.id, name)
        })
        .collect()
}

/// `GET /admin/questions/{id}`.
pub async fn edit(
    state: web::Data<AppState>,
    req: HttpRequest,
    staff: Staff,
    id: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    staff.require(staff.role().moderates())?;
    let id = id.into_inner();
    render_edit(&state, &req, &staff, id, None, StatusCode::OK).await
}

/// A step refused: the message and where it goes, and what was typed.
struct Refused {
    key: &'static str,
    field: &'static str,
    answer_md: Option<String>,
    refusal: Option<String>,
}

async fn render_edit(
    state: &web::Data<AppState>,
    req: &HttpRequest,
    staff: &Staff,
    id: i32,
    refused: Option<Refused>,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let (base, q, all) = db::run(state, move |conn| {
        Ok((
            pages::load_base(conn)?,
            store::find(conn, id)?.ok_or(AppError::NotFound)?,
            users::all(conn)?,
        ))
    })
    .await?;
    let tz = state.config.tz();
    let now = state.now();
    let s = q.status();
    let theme = staff.theme(state);
    let (answer_md, refusal, error, error_field) = match refused {
        Some(r) => (
            r.answer_md.unwrap_or_else(|| q.answer_md.clone()),
            r.refusal.unwrap_or_else(|| q.refusal.clone()),
            Some(theme.message(r.key)),
            r.field,
        ),
        None => (q.answer_md.clone(), q.refusal.clone(), None, ""),
    };
    let editor = staff.role().edits_all();
    let view = EditPage {
        admin: AdminBase::new(state, req, base, staff),
        id: q.id,
        status: s.as_str(),
        name: q.name.clone(),
        email: q.email.clone(),
        phone: q.phone.clone(),
        question_html: crate::render::comment_text::to_html_without_links(&q.question),
        question_public_html: crate::render::comment_text::to_html_without_links(
            &q.question_public,
        ),
        asked: show(q.created_at, tz),
        due: show(q.due_at, tz),
        overdue: !s.is_closed() && now > q.due_at,
        assignee_id: q.assignee_id,
        staff_choices: assignable(all),
        answer_html: SafeHtml::trusted(q.answer_html.clone()),
        answer_md,
        answered_by: q.answered_by.clone(),
        approved_by: q.approved_by.clone(),
        refusal,
        public_url: (s == QuestionStatus::Published).then(|| public::url(q.id)),
        can_answer: question::next(s, Action::Answer).is_some(),
        can_approve: editor && question::next(s, Action::Publish).is_some(),
        can_unpublish: editor && question::next(s, Action::Unpublish).is_some(),
        can_refuse: question::next(s, Action::Refuse).is_some(),
        error,
        error_field,
        topic: q.topic,
    };
    page_view(theme, "admin/questions/edit.html", &view, status)
}

/// `POST /admin/questions/{id}/{action}`: `assign`, `answer`, `publish`,
/// `unpublish` or `refuse`.
pub async fn act(
    state: web::Data<AppState>,
    req: HttpRequest,
    staff: Staff,
    path: web::Path<(i32, String)>,
    form: Fields,
) -> Result<HttpResponse, AppError> {
    let (id, action) = path.into_inner();
    let action = match action.as_str() {
        "assign" => Action::Assign,
        "answer" => Action::Answer,
        "publish" => Action::Publish,
        "unpublish" => Action::Unpublish,
        "refuse" => Action::Refuse,
        _ => return Err(AppError::NotFound),
    };
    staff.check_csrf(&state, field(&form, "csrf_token"))?;
    let role = staff.role();
    staff.require(match action {
        Action::Publish | Action::Unpublish => role.edits_all(),
        _ => role.moderates(),
    })?;
    let now = state.now();
    let who = staff.user.username.clone();
    let answer_md = field(&form, "answer_md")
        .replace("\r\n", "\n")
        .trim()
        .to_owned();
    let refusal = field(&form, "refusal").trim().to_owned();
    let assignee: Option<i32> = field(&form, "assignee_id").trim().parse().ok();
    let refused = |field, key| Refused {
        key,
        field,
        answer_md: Some(answer_md.clone()),
        refusal: Some(refusal.clone()),
    };
    let refuse = |field, key| Some(refused(field, key));
    // What the form lacks, before anything is read.
    let missing = match action {
        Action::Answer if answer_md.is_empty() => refuse("answer_md", "questions_answer_required"),
        Action::Answer if answer_md.chars().count() > question::ANSWER_MAX => {
            refuse("answer_md", "questions_answer_too_long")
        }
        Action::Refuse if refusal.is_empty() => refuse("refusal", "questions_refusal_required"),
        Action::Assign if assignee.is_none() => {
            refuse("assignee_id", "questions_assignee_required")
        }
        _ => None,
    };
    if let Some(r) = missing {
        return render_edit(
            &state,
            &req,
            &staff,
            id,
            Some(r),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let auditor = auditor(&state, &req, &staff);
    let answer = answer_md.clone();
    let reason = refusal.clone();
    let outcome = db::run(&state, move |conn| {
        let q = store::find(conn, id)?.ok_or(AppError::NotFound)?;
        let Some(to) = question::next(q.status(), action) else {
            return Ok(Err("questions_step_refused"));
        };
        let mut change = Change {
            status: Some(to.as_str().to_owned()),
            updated_at: Some(now),
            ..Change::default()
        };
        let detail;
        match action {
            Action::Assign => {
                let ok = users::all(conn)?
                    .into_iter()
                    .any(|u| Some(u.id) == assignee && !u.disabled && u.role.moderates());
                if !ok {
                    return Ok(Err("questions_assignee_required"));
                }
                change.assignee_id = Some(assignee);
                detail = format!("user {}", assignee.unwrap_or_default());
            }
            Action::Answer => {
                change.answer_html = Some(crate::render::markdown::render(&answer).into_string());
                change.answer_md = Some(answer);
                change.answered_by = Some(who.clone());
                change.answered_at = Some(Some(now));
                detail = String::new();
            }
            Action::Publish => {
                change.approved_by = Some(who.clone());
                change.published_at = Some(Some(now));
                change.closed_at = Some(Some(q.closed_at.unwrap_or(now)));
                change.words = Some(format!(
                    " {} ",
                    crate::domain::search::tokens(&crate::domain::slug::fold(&format!(
                        "{} {} {}",
                        q.topic, q.question_public, q.answer_md
                    )))
                    .join(" ")
                ));
                detail = String::new();
            }
            Action::Unpublish => {
                change.published_at = Some(None);
                change.words = Some(String::new());
                detail = String::new();
            }
            Action::Refuse => {
                change.refusal = Some(reason);
                change.closed_at = Some(Some(now));
                detail = String::new();
            }
        }
        store::update(conn, id, &change)?;
        auditor.record(
            conn,
            &format!("question.{}", to.as_str()),
            &format!("question {id}"),
            &detail,
        )?;
        Ok(Ok(to))
    })
    .await?;
    match outcome {
        Ok(to) => {
            public::notify(id, to);
            Ok(see_other(&format!("/admin/questions/{id}")))
        }
        Err(key) => {
            let field = if key == "questions_assignee_required" {
                "assignee_id"
            } else {
                "form"
            };
            let status = if field == "form" {
                StatusCode::CONFLICT
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            render_edit(&state, &req, &staff, id, Some(refused(field, key)), status).await
        }
    }
}

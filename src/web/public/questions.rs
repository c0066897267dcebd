//! Hỏi – Đáp (`/hoi-dap`): a citizen asks, staff answer, an editor
//! approves, and the question (personal numbers masked, no name) is
//! published with its answer, filed by topic and searchable.
//!
//! - The form follows the comment form's rules: GOV.UK-style errors, 422
//!   with every typed value kept, consent required, a honeypot, a form
//!   token bound to the form and the time (its age is the time trap),
//!   other sites' posts refused by origin, a limit per address
//!   (`domain::question::PER_HOUR`, then 429), the same question twice
//!   refused.
//! - The asker gets a **private link** (`/hoi-dap/theo-doi/{key}`) to
//!   follow the question's state: shown once after sending (there is no
//!   mail server to send it; `notify` is where mail would go). Only an
//!   HMAC of the key is stored.
//! - The page reports the **on-time figure**: the share of the last 12
//!   months' questions answered (published or refused with a reason)
//!   within their deadline.

use std::borrow::Cow;
use std::collections::BTreeMap;

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;

use super::{page_param, query};
use crate::domain::comment::FieldError;
use crate::domain::deadline::{self, OnTime};
use crate::domain::question::{self, QuestionInput, QuestionStatus};
use crate::error::AppError;
use crate::render::SafeHtml;
use crate::render::dates::{ShownTime, show};
use crate::storage::questions::{self as store, NewQuestion, Question};
use crate::storage::settings;
use crate::web::cookies;
use crate::web::db;
use crate::web::forms::ErrorView;
use crate::web::pages::{self, Common};
use crate::web::views::Pagination;
use crate::web::{AppState, tokens};

/// Questions per page of the public list.
const PER_PAGE: u32 = 10;
/// The setting naming the topics (one per line) and the deadline.
pub const TOPICS: &str = "questions.topics";
pub const DEADLINE_DAYS: &str = "questions.deadline_days";
/// The honeypot's name.
const HONEYPOT: &str = "loa_website";
/// The form token's subject.
const FORM: &str = "question";
/// The flash after sending.
const SENT: &str = "question_sent";

/// The topics offered and the deadline in working days, from the settings.
pub fn rules(conn: &mut crate::storage::Db) -> diesel::QueryResult<(Vec<String>, u32)> {
    let topics = question::topics(settings::get(conn, TOPICS)?.as_deref());
    let days = settings::get(conn, DEADLINE_DAYS)?
        .and_then(|d| d.parse().ok())
        .unwrap_or(question::DEFAULT_DEADLINE_DAYS);
    Ok((topics, days))
}

/// Where the asker, and one day a mail server, hear of a question's
/// progress. There is no mail server: the asker follows the private
/// link; this only logs, and is the one place to send mail from.
pub fn notify(question_id: i32, status: QuestionStatus) {
    tracing::info!(
        question = question_id,
        status = status.as_str(),
        "question changed"
    );
}

/// The form as a template sees it.
#[derive(Debug, Clone, Serialize, Default)]
pub struct QuestionFormView {
    pub values: QuestionInput,
    pub consent: bool,
    /// Every problem, for the summary.
    pub errors: Vec<ErrorView>,
    /// The message beside each field that has one (`name`, `email`,
    /// `phone`, `topic`, `question`, `consent`).
    pub field_errors: BTreeMap<&'static str, String>,
    /// Problems with the form as a whole.
    pub form_errors: Vec<String>,
    pub token: String,
    pub honeypot: &'static str,
}

impl QuestionFormView {
    fn add_error(&mut self, theme: &crate::render::templates::Theme, e: &FieldError) {
        let message = theme.message(e.key);
        let target = match e.field {
            f @ ("name" | "email" | "phone" | "topic" | "question" | "consent") => {
                self.field_errors
                    .entry(f)
                    .or_insert_with(|| message.clone());
                f
            }
            _ => {
                self.form_errors.push(message.clone());
                "question-form-errors"
            }
        };
        self.errors.push(ErrorView { target, message });
    }
}

/// A published question as the public reads it.
#[derive(Serialize)]
pub struct PublishedView {
    pub id: i32,
    pub url: String,
    pub topic: String,
    /// The question, personal numbers masked, as paragraphs (safe HTML).
    pub question_html: SafeHtml,
    /// The first words of the question, for lists.
    pub excerpt: String,
    pub answer_html: SafeHtml,
    pub asked: ShownTime,
    pub answered: Option<ShownTime>,
}

impl PublishedView {
    pub fn new(q: Question, tz: chrono_tz::Tz) -> Self {
        let excerpt: String = q.question_public.chars().take(200).collect();
        let excerpt = if q.question_public.chars().count() > 200 {
            format!("{}…", excerpt.trim_end())
        } else {
            excerpt
        };
        Self {
            url: url(q.id),
            id: q.id,
            topic: q.topic,
            question_html: crate::render::comment_text::to_html_without_links(&q.question_public),
            excerpt,
            answer_html: SafeHtml::trusted(q.answer_html),
            asked: show(q.created_at, tz),
            answered: q.published_at.map(|t| show(t, tz)),
        }
    }
}

/// A published question's address.
pub fn url(id: i32) -> String {
    format!("/hoi-dap/{id}")
}

/// A topic to filter by.
#[derive(Serialize)]
struct TopicChoice {
    name: String,
    /// Published questions in it.
    count: i64,
    selected: bool,
}

/// `questions/index.html`.
#[derive(Serialize)]
struct IndexPage<'a> {
    #[serde(flatten)]
    common: Common<'a>,
    form: QuestionFormView,
    /// The topics to ask under (the form's `<select>`).
    topics: Vec<String>,
    /// The topics with published questions, to filter the list by.
    topic_choices: Vec<TopicChoice>,
    /// The topic and words the list is filtered by ('' when none).
    topic: String,
    q: String,
    /// This page of published questions, newest answer first.
    published: Vec<PublishedView>,
    total: i64,
    pagination: Pagination,
    /// The last 12 months' on-time figure, and the deadline in working days.
    figure: OnTime,
    deadline_days: u32,
}

/// The list's filters, checked.
struct Filters {
    topic: String,
    q: String,
    page: u32,
}

fn filters(req: &HttpRequest) -> Result<Filters, AppError> {
    let params = query(req)?;
    let get = |k: &str| {
        params
            .get(k)
            .map(|v| v.trim().to_owned())
            .unwrap_or_default()
    };
    Ok(Filters {
        topic: get("topic"),
        q: get("q").chars().take(256).collect(),
        page: page_param(req)?,
    })
}

/// Renders `/hoi-dap` with `form` (fresh, or with errors) and `status`.
async fn index_page(
    state: &web::Data<AppState>,
    req: &HttpRequest,
    mut form: QuestionFormView,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let f = filters(req)?;
    let now = state.now();
    let tz = state.config.tz();
    let words = crate::domain::search::tokens(&crate::domain::slug::fold(&f.q));
    let topic = (!f.topic.is_empty()).then(|| f.topic.clone());
    let offset = i64::from(f.page - 1) * i64::from(PER_PAGE);
    let shared = state.clone();
    let (base, (topics, days), (rows, total), counts, timing) = db::run(state, move |conn| {
        let (from, to) = (now - chrono::Duration::days(365), now);
        Ok((
            pages::shared_base(conn, &shared.cache)?,
            rules(conn)?,
            store::published(conn, topic.as_deref(), &words, offset, i64::from(PER_PAGE))?,
            store::published_topics(conn)?,
            store::timing(conn, from, to)?,
        ))
    })
    .await?;
    let mut link = String::from("/hoi-dap");
    let kept: Vec<(&str, &str)> = [("topic", f.topic.as_str()), ("q", f.q.as_str())]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .collect();
    if !kept.is_empty() {
        link.push('?');
        link.push_str(
            &url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(&kept)
                .finish(),
        );
    }
    let pagination = if kept.is_empty() {
        Pagination::new(&link, f.page, PER_PAGE, total)
    } else {
        Pagination::with_query(&link, f.page, PER_PAGE, total)
    };
    if f.page > pagination.pages {
        return Err(AppError::NotFound);
    }
    if form.token.is_empty() {
        form.token = state.keys.rating_token(FORM, now.and_utc().timestamp());
    }
    form.honeypot = HONEYPOT;
    let theme = &state.theme;
    let mut common = Common::new(state, req, base);
    common.meta_title = Cow::Owned(theme.message("questions_title"));
    common.meta_description = Cow::Owned(theme.message("questions_description"));
    let topic_choices = topics
        .iter()
        .filter_map(|t| {
            let count = counts.iter().find(|(n, _)| n == t).map(|(_, c)| *c)?;
            Some(TopicChoice {
                selected: *t == f.topic,
                name: t.clone(),
                count,
            })
        })
        .collect();
    let view = IndexPage {
        common,
        form,
        topics,
        topic_choices,
        topic: f.topic,
        q: f.q,
        published: rows
            .into_iter()
            .map(|q| PublishedView::new(q, tz))
            .collect(),
        total,
        pagination,
        figure: deadline::on_time_by(&timing, now),
        deadline_days: days,
    };
    let body = theme.render_view("questions/index.html", &view)?;
    let mut res = HttpResponse::build(status);
    res.content_type("text/html; charset=utf-8");
    if status == StatusCode::OK {
        res.insert_header((header::CACHE_CONTROL, state.config.public_cache_control(60)));
    } else {
        res.insert_header((header::CACHE_CONTROL, "private, no-store"));
    }
    Ok(res.body(body))
}

/// `GET /hoi-dap`: the form, the published questions, the figure.
pub async fn index(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, AppError> {
    index_page(&state, &req, QuestionFormView::default(), StatusCode::OK).await
}

/// `POST /hoi-dap`: a question.
pub async fn ask(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: web::Form<std::collections::HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let fields = form.into_inner();
    let field = |k: &str| fields.get(k).cloned().unwrap_or_default();
    let input = QuestionInput {
        name: field("name"),
        email: field("email"),
        phone: field("phone"),
        topic: field("topic"),
        question: field("question"),
    };
    let consented = !field("consent").trim().is_empty();
    let token = field("csrf_token");
    if super::ratings::cross_site(&state, &req) {
        return Err(AppError::Forbidden);
    }
    let trapped = !field(HONEYPOT).trim().is_empty();
    let now = state.now();
    let mut view = QuestionFormView {
        values: input.clone(),
        consent: consented,
        token: token.clone(),
        ..Default::default()
    };
    let issued = state
        .keys
        .check_rating_token(&token, FORM, now.and_utc().timestamp());
    let address = crate::web::client_ip(&req, &state.config)
        .map(|ip| state.keys.pseudonym("address", &ip))
        .unwrap_or_default();
    let notes = crate::web::views::mask_notes(&state.theme);
    let tz = state.config.tz();
    let secret = tokens::random_secret();
    let follow_key = state.keys.pseudonym("follow", &secret);
    let outcome = db::run(&state, move |conn| {
        let (topics, days) = rules(conn)?;
        let mut errors = Vec::new();
        let valid = question::validate(&input, &topics);
        if let Err(e) = &valid {
            errors.extend(e.iter().cloned());
        }
        if !consented {
            errors.push(FieldError {
                field: "consent",
                key: "question_consent_required",
            });
        }
        let min_seconds = settings::moderation_rules(conn)?.min_seconds;
        match issued {
            Err(_) => errors.push(FieldError {
                field: "form",
                key: "question_token_invalid",
            }),
            Ok(at) if now.and_utc().timestamp() - at < min_seconds && !trapped => {
                errors.push(FieldError {
                    field: "form",
                    key: "question_too_fast",
                })
            }
            Ok(_) => {}
        }
        let valid = match valid {
            Ok(v) if errors.is_empty() => v,
            _ => return Ok(Err((errors, StatusCode::UNPROCESSABLE_ENTITY))),
        };
        if trapped {
            return Ok(Ok(None));
        }
        if !address.is_empty()
            && store::count_from(conn, &address, now - chrono::Duration::hours(1))?
                >= question::PER_HOUR
        {
            let e = FieldError {
                field: "form",
                key: "question_too_many",
            };
            return Ok(Err((vec![e], StatusCode::TOO_MANY_REQUESTS)));
        }
        if store::is_duplicate(conn, &valid.email, &valid.question)? {
            let e = FieldError {
                field: "question",
                key: "question_duplicate",
            };
            return Ok(Err((vec![e], StatusCode::UNPROCESSABLE_ENTITY)));
        }
        let public = crate::domain::moderation::mask_personal(&valid.question, &notes);
        let id = store::insert(
            conn,
            &NewQuestion {
                topic: valid.topic,
                name: valid.name,
                email: valid.email,
                phone: valid.phone,
                question: valid.question,
                question_public: public,
                due_at: deadline::due(now, days, tz),
                follow_key,
                address,
                created_at: now,
                updated_at: now,
            },
        )?;
        Ok(Ok(Some(id)))
    })
    .await?;
    match outcome {
        // The honeypot: as if sent, nothing kept.
        Ok(None) => Ok(HttpResponse::SeeOther()
            .insert_header((header::LOCATION, "/hoi-dap"))
            .finish()),
        Ok(Some(id)) => {
            notify(id, QuestionStatus::New);
            Ok(HttpResponse::SeeOther()
                .insert_header((header::LOCATION, follow_url(&secret)))
                .cookie(cookies::flash(SENT.to_owned(), state.config.is_https()))
                .finish())
        }
        Err((errors, status)) => {
            for e in &errors {
                view.add_error(&state.theme, e);
            }
            // A fresh token: the old one may be the problem.
            view.token = String::new();
            index_page(&state, &req, view, status).await
        }
    }
}

/// The asker's private link.
pub fn follow_url(secret: &str) -> String {
    format!("/hoi-dap/theo-doi/{secret}")
}

/// `questions/follow.html`: the asker's own view of their question.
#[derive(Serialize)]
struct FollowPage<'a> {
    #[serde(flatten)]
    common: Common<'a>,
    /// Just sent (the flash): the page says to keep its address.
    just_sent: bool,
    /// This page's address, to copy.
    follow_url: String,
    topic: String,
    /// The question as sent (the asker's own, unmasked).
    question_html: SafeHtml,
    /// `new`, `assigned`, `answered`, `published` or `refused`.
    status: &'static str,
    asked: ShownTime,
    due: ShownTime,
    /// Published: the answer and its public address.
    answer_html: Option<SafeHtml>,
    public_url: Option<String>,
    /// Refused: the reason.
    refusal: String,
}

/// `GET /hoi-dap/theo-doi/{key}`.
pub async fn follow(
    state: web::Data<AppState>,
    req: HttpRequest,
    key: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let secret = key.into_inner();
    if secret.len() > 64 {
        return Err(AppError::NotFound);
    }
    let follow_key = state.keys.pseudonym("follow", &secret);
    let shared = state.clone();
    let (base, q) = db::run(&state, move |conn| {
        let q = store::find_by_follow_key(conn, &follow_key)?.ok_or(AppError::NotFound)?;
        Ok((pages::shared_base(conn, &shared.cache)?, q))
    })
    .await?;
    let tz = state.config.tz();
    let status = q.status();
    let just_sent = req
        .cookie(cookies::FLASH)
        .is_some_and(|c| c.value() == SENT);
    let mut common = Common::new(&state, &req, base);
    common.meta_title = Cow::Owned(state.theme.message("questions_follow_title"));
    let origin = common.origin.clone();
    let view = FollowPage {
        common,
        just_sent,
        follow_url: format!("{origin}{}", follow_url(&secret)),
        question_html: crate::render::comment_text::to_html_without_links(&q.question),
        status: status.as_str(),
        asked: show(q.created_at, tz),
        due: show(q.due_at, tz),
        answer_html: (status == QuestionStatus::Published)
            .then(|| SafeHtml::trusted(q.answer_html.clone())),
        public_url: (status == QuestionStatus::Published).then(|| url(q.id)),
        refusal: if status == QuestionStatus::Refused {
            q.refusal.clone()
        } else {
            String::new()
        },
        topic: q.topic,
    };
    let body = state.theme.render_view("questions/follow.html", &view)?;
    let mut res = HttpResponse::Ok();
    res.content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .insert_header(("X-Robots-Tag", "noindex"))
        .insert_header((header::REFERRER_POLICY, "no-referrer"));
    if just_sent {
        res.cookie(cookies::clear_flash(state.config.is_https()));
    }
    Ok(res.body(body))
}

/// `questions/show.html`: one published question and its answer.
#[derive(Serialize)]
struct ShowPage<'a> {
    #[serde(flatten)]
    common: Common<'a>,
    question: PublishedView,
}

/// `GET /hoi-dap/{id}`.
pub async fn show_one(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let shared = state.clone();
    let (base, q) = db::run(&state, move |conn| {
        let q = store::find(conn, id)?
            .filter(|q| q.status() == QuestionStatus::Published)
            .ok_or(AppError::NotFound)?;
        Ok((pages::shared_base(conn, &shared.cache)?, q))
    })
    .await?;
    let view = PublishedView::new(q, state.config.tz());
    let mut common = Common::new(&state, &req, base);
    common.meta_title = Cow::Owned(format!(
        "{} – {}",
        state.theme.message("questions_title"),
        view.topic
    ));
    common.meta_description = Cow::Owned(view.excerpt.clone());
    let page = ShowPage {
        common,
        question: view,
    };
    Ok(super::html(
        &state,
        state.theme.render_view("questions/show.html", &page)?,
    ))
}

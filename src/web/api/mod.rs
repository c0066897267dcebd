//! The read-only JSON API (`/api/v1/…`) and its OpenAPI 3.1 document
//! (`/api/openapi.json`): entries, pages, categories, tags, the document
//! registry, published questions and answers, and search, as open data
//! (Circular 22/2023/TT-BTTTT).
//!
//! - **Only what readers see.** Every answer is built from the same public
//!   reads as the pages: no draft, scheduled entry or unpublished page
//!   ever appears, and a tag only drafts carry stays unknown.
//! - **Stable shapes.** Field names are the OpenAPI document's
//!   (`openapi.json`, beside this file); every field is always present
//!   (`null` when empty). Times are UTC, RFC 3339; URLs are absolute.
//! - **Lists** carry `items`, `page`, `per_page`, `total` and `pages`, and
//!   a `Link` header (`first`, `prev`, `next`, `last`).
//! - **Caching**: answers are `Cache-Control: public` JSON, so the page
//!   cache keeps them like pages (dropped by the same change log) and the
//!   `conditional` layer gives them a strong `ETag` and `304`.
//! - **Errors** are `application/problem+json` (RFC 9457) with the reason
//!   in `detail`, from the message catalogue, and the `parameter` at
//!   fault: a filter that does not parse is a `400`, never a `500`.
//! - **CORS**: any origin may `GET`; preflights are answered here.
//! - **Rate limit** per client address ([`limit`]), before the cache.

mod resources;

use std::net::IpAddr;
use std::num::NonZeroU32;

use actix_web::body::{BoxBody, EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{Method, StatusCode, header};
use actix_web::middleware::{self, Next};
use actix_web::{Error, HttpRequest, HttpResponse, ResponseError, web};
use chrono::NaiveDateTime;
use serde::Serialize;

use super::AppState;
use crate::error::AppError;

/// Where the API lives.
pub const PREFIX: &str = "/api/";

/// The OpenAPI document, served as it is written.
const OPENAPI: &str = include_str!("openapi.json");

/// The longest `q`, as the site's search box.
const MAX_QUERY_CHARS: usize = 256;

/// Items per page when `per_page` is not given, and at most.
const PER_PAGE: u32 = 20;
const MAX_PER_PAGE: u32 = 100;

/// Browsers may keep an answer this long (the page cache keeps it until
/// something it shows changes).
const BROWSER_SECS: u32 = 60;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/api/openapi.json", web::get().to(openapi))
        .service(
            web::scope("/api/v1")
                .wrap(middleware::from_fn(problems))
                .service(web::resource("").get(resources::index))
                .service(web::resource("/").get(resources::index))
                .service(web::resource("/entries").get(resources::entries))
                .service(web::resource("/entries/{slug}").get(resources::entry))
                .service(web::resource("/search").get(resources::search))
                .service(web::resource("/pages").get(resources::pages))
                .service(web::resource("/pages/{path:.+}").get(resources::page))
                .service(web::resource("/categories").get(resources::categories))
                .service(web::resource("/tags").get(resources::tags))
                .service(web::resource("/documents").get(resources::documents))
                .service(web::resource("/documents/{slug}").get(resources::document))
                .service(web::resource("/questions").get(resources::questions))
                .service(web::resource("/questions/{id}").get(resources::question))
                .default_service(web::to(not_found)),
        );
}

async fn openapi(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .insert_header((
            header::CACHE_CONTROL,
            state.config.public_cache_control(BROWSER_SECS),
        ))
        .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"))
        .body(OPENAPI)
}

async fn not_found() -> Result<HttpResponse, Problem> {
    Err(Problem::new(StatusCode::NOT_FOUND, "api_not_found"))
}

/// A refused request, as `application/problem+json`.
#[derive(Debug)]
pub struct Problem {
    status: StatusCode,
    /// Message key of the reason.
    key: &'static str,
    /// The query parameter at fault.
    parameter: Option<String>,
}

impl Problem {
    fn new(status: StatusCode, key: &'static str) -> Self {
        Self {
            status,
            key,
            parameter: None,
        }
    }

    /// A `404` for a filter naming what does not exist.
    fn missing(name: &str, key: &'static str) -> Self {
        Self {
            status: StatusCode::NOT_FOUND,
            key,
            parameter: Some(name.to_owned()),
        }
    }

    /// A `400` for query parameter `name`.
    fn bad(name: &str, key: &'static str) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            key,
            parameter: Some(name.to_owned()),
        }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.status, self.key)
    }
}

impl ResponseError for Problem {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    /// Empty: [`problems`] writes the body, in the site's language.
    fn error_response(&self) -> HttpResponse {
        HttpResponse::build(self.status).finish()
    }
}

impl From<AppError> for Problem {
    fn from(e: AppError) -> Self {
        match e {
            AppError::NotFound => Problem::new(StatusCode::NOT_FOUND, "api_not_found"),
            AppError::Busy => Problem::new(StatusCode::SERVICE_UNAVAILABLE, "error_503_text"),
            AppError::BadRequest(key) => Problem::new(StatusCode::BAD_REQUEST, key),
            other => {
                tracing::error!(cause = %other.log_text(), "internal error in the API");
                Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "error_500_text")
            }
        }
    }
}

/// `problem+json` body.
#[derive(Serialize)]
struct ProblemBody<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    title: &'a str,
    status: u16,
    detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    parameter: Option<&'a str>,
}

/// A problem answer for `status` with the reason `key`.
pub(super) fn problem(state: &AppState, status: StatusCode, key: &str) -> HttpResponse {
    problem_response(state, status, key, None)
}

fn problem_response(
    state: &AppState,
    status: StatusCode,
    key: &str,
    parameter: Option<&str>,
) -> HttpResponse {
    let body = ProblemBody {
        kind: "about:blank",
        title: status.canonical_reason().unwrap_or("Error"),
        status: status.as_u16(),
        detail: state.theme.message(key),
        parameter,
    };
    let mut res = HttpResponse::build(status);
    res.content_type("application/problem+json")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"));
    res.body(serde_json::to_string(&body).unwrap_or_default())
}

/// Every error answer under `/api/v1` becomes a problem document (its own
/// response, so the themed error pages leave it alone): a [`Problem`]'s
/// reason, or the generic one for its status (a `405`, say).
async fn problems(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody, BoxBody>>, Error> {
    let res = next.call(req).await?;
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return Ok(res.map_into_left_body());
    }
    let (key, parameter) = match res.response().error().and_then(|e| e.as_error::<Problem>()) {
        Some(p) => (p.key, p.parameter.clone()),
        None => (
            match status.as_u16() {
                404 => "api_not_found",
                405 => "api_method",
                s if s >= 500 => "error_500_text",
                _ => "error_400_text",
            },
            None,
        ),
    };
    let (req, res) = res.into_parts();
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return Ok(ServiceResponse::new(req, res).map_into_left_body());
    };
    let mut out = problem_response(&state, status, key, parameter.as_deref());
    if status == StatusCode::METHOD_NOT_ALLOWED {
        out.headers_mut().insert(
            header::ALLOW,
            header::HeaderValue::from_static("GET, HEAD, OPTIONS"),
        );
    }
    Ok(ServiceResponse::new(req, out).map_into_right_body())
}

/// The per-address limit on API requests (`api_per_minute`), kept in this
/// server's memory: a count another server does not need. With several
/// servers each keeps its own, so an address may make that many per
/// server; a load balancer's own limit covers the sum.
pub struct Limiter {
    limiter: governor::DefaultKeyedRateLimiter<IpAddr>,
    checks: std::sync::atomic::AtomicU32,
}

impl Limiter {
    /// `per_minute` requests a minute, in bursts of as many; `None` for 0.
    pub fn new(per_minute: u32) -> Option<Self> {
        let quota = governor::Quota::per_minute(NonZeroU32::new(per_minute)?);
        Some(Self {
            limiter: governor::RateLimiter::keyed(quota),
            checks: Default::default(),
        })
    }

    /// `Ok`, or how many seconds to wait.
    fn check(&self, address: IpAddr) -> Result<(), u64> {
        // Addresses that have been quiet for a while are forgotten now
        // and then, so the map does not grow with every visitor.
        if self
            .checks
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            .is_multiple_of(4096)
        {
            self.limiter.retain_recent();
        }
        self.limiter.check_key(&address).map_err(|wait| {
            use governor::clock::Clock;
            let now = governor::clock::DefaultClock::default().now();
            wait.wait_time_from(now).as_secs() + 1
        })
    }
}

/// In front of everything for `/api/…` (the page cache included, so a
/// cached answer counts too): answers CORS preflights, refuses a client
/// over its limit with `429` and `Retry-After`, and marks every answer
/// as readable from any origin.
pub async fn limit(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody, BoxBody>>, Error> {
    if !req.path().starts_with(PREFIX) {
        return Ok(next.call(req).await?.map_into_left_body());
    }
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return Ok(next.call(req).await?.map_into_left_body());
    };
    if req.method() == Method::OPTIONS {
        let mut res = HttpResponse::NoContent();
        res.insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"))
            .insert_header((header::ACCESS_CONTROL_ALLOW_METHODS, "GET, HEAD, OPTIONS"))
            .insert_header((
                header::ACCESS_CONTROL_ALLOW_HEADERS,
                "Accept, If-None-Match, If-Modified-Since",
            ))
            .insert_header((header::ACCESS_CONTROL_MAX_AGE, "86400"));
        let mut res = res.finish();
        super::secure(res.headers_mut());
        return Ok(req.into_response(res).map_into_right_body());
    }
    if let Some(limiter) = &state.api_limiter
        && let Some(address) =
            super::client_ip(req.request(), &state.config).and_then(|a| a.parse::<IpAddr>().ok())
        && let Err(wait) = limiter.check(address)
    {
        let mut res = problem_response(&state, StatusCode::TOO_MANY_REQUESTS, "api_too_many", None);
        res.headers_mut()
            .insert(header::RETRY_AFTER, header::HeaderValue::from(wait));
        super::secure(res.headers_mut());
        return Ok(req.into_response(res).map_into_right_body());
    }
    let mut res = next.call(req).await?;
    let headers = res.headers_mut();
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        header::HeaderValue::from_static("*"),
    );
    headers.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        header::HeaderValue::from_static("Link, ETag, Retry-After"),
    );
    Ok(res.map_into_left_body())
}

/// The query string, checked: only `allowed` names, each at most once;
/// and the free-text names given blank.
struct Params(Vec<(String, String)>, Vec<String>);

/// Parameters whose values are free text (words, names, slugs).
const FREE_TEXT: [&str; 6] = ["q", "type", "issuer", "category", "tag", "topic"];

impl Params {
    fn of(req: &HttpRequest, allowed: &[&str]) -> Result<Self, Problem> {
        let mut seen: Vec<(String, String)> = Vec::new();
        let mut blank = Vec::new();
        for (name, value) in url::form_urlencoded::parse(req.query_string().as_bytes()) {
            if !allowed.contains(&name.as_ref()) {
                return Err(Problem::bad(&name, "api_unknown_parameter"));
            }
            if seen.iter().any(|(n, _)| *n == name) {
                return Err(Problem::bad(&name, "api_repeated_parameter"));
            }
            // In free text, control characters are never meant (and
            // PostgreSQL refuses a NUL): dropped, as from the site's forms.
            // Other values keep them, and fail to parse.
            if name == "q" && value.chars().count() > MAX_QUERY_CHARS {
                return Err(Problem::bad("q", "api_q_too_long"));
            }
            let value = if FREE_TEXT.contains(&name.as_ref()) {
                if value.trim().is_empty() {
                    blank.push(name.to_string());
                }
                value.chars().filter(|c| !c.is_control()).collect()
            } else {
                value.into_owned()
            };
            seen.push((name.into_owned(), value.trim().to_owned()));
        }
        Ok(Self(seen, blank))
    }

    /// Whether `name` is given with something besides spaces (control
    /// characters count: they are dropped after this is known).
    fn given(&self, name: &str) -> bool {
        self.0.iter().any(|(n, _)| n == name) && !self.1.iter().any(|n| n == name)
    }

    /// The value of `name`, when given (free text: and not empty; an
    /// empty number, date or choice is given, and does not parse).
    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty() || !FREE_TEXT.contains(&name))
    }

    /// `name` parsed, or a `400` naming it.
    fn parse<T: std::str::FromStr>(
        &self,
        name: &str,
        key: &'static str,
    ) -> Result<Option<T>, Problem> {
        self.get(name)
            .map(|v| v.parse().map_err(|_| Problem::bad(name, key)))
            .transpose()
    }

    /// `page` and `per_page`.
    fn paging(&self) -> Result<Paging, Problem> {
        let page: u32 = self.parse("page", "api_not_a_number")?.unwrap_or(1);
        if !(1..=1_000_000).contains(&page) {
            return Err(Problem::bad("page", "api_page_range"));
        }
        let per_page: u32 = self
            .parse("per_page", "api_not_a_number")?
            .unwrap_or(PER_PAGE);
        if !(1..=MAX_PER_PAGE).contains(&per_page) {
            return Err(Problem::bad("per_page", "api_per_page_range"));
        }
        Ok(Paging { page, per_page })
    }

    /// The given parameters other than `page`, to carry into page links.
    fn kept(&self) -> Vec<(&str, &str)> {
        self.0
            .iter()
            .filter(|(n, v)| n != "page" && !v.is_empty())
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect()
    }
}

#[derive(Debug, Clone, Copy)]
struct Paging {
    page: u32,
    per_page: u32,
}

impl Paging {
    fn offset(self) -> i64 {
        i64::from(self.page - 1) * i64::from(self.per_page)
    }

    fn limit(self) -> i64 {
        i64::from(self.per_page)
    }
}

/// A page of a list, and what its kind of list adds (`E`).
#[derive(Serialize)]
struct Listed<T, E> {
    items: Vec<T>,
    page: u32,
    per_page: u32,
    /// How many match in all (search: at most the ranked matches).
    total: i64,
    pages: i64,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    extra: Option<E>,
}

/// A list's answer: the page, with its `Link` header.
fn listed<T: Serialize, E: Serialize>(
    state: &AppState,
    req: &HttpRequest,
    params: &Params,
    paging: Paging,
    total: i64,
    items: Vec<T>,
    extra: Option<E>,
) -> Result<HttpResponse, Problem> {
    let pages = (total.max(0) + i64::from(paging.per_page) - 1) / i64::from(paging.per_page);
    let origin = super::pages::origin(state, req);
    let kept = params.kept();
    let link = |page: i64, rel: &str| {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        query.extend_pairs(&kept);
        if page > 1 {
            query.append_pair("page", &page.to_string());
        }
        let query = query.finish();
        let sep = if query.is_empty() { "" } else { "?" };
        format!("<{origin}{}{sep}{query}>; rel=\"{rel}\"", req.path())
    };
    let page = i64::from(paging.page);
    let mut links = vec![link(1, "first")];
    if page > 1 && pages > 0 {
        links.push(link((page - 1).min(pages), "prev"));
    }
    if page < pages {
        links.push(link(page + 1, "next"));
    }
    links.push(link(pages.max(1), "last"));
    let mut res = json(
        state,
        &Listed {
            items,
            page: paging.page,
            per_page: paging.per_page,
            total,
            pages,
            extra,
        },
    )?;
    res.headers_mut().insert(
        header::LINK,
        header::HeaderValue::from_str(&links.join(", "))
            .map_err(|_| Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "error_500_text"))?,
    );
    Ok(res)
}

/// A JSON answer that caches may keep.
fn json<T: Serialize>(state: &AppState, value: &T) -> Result<HttpResponse, Problem> {
    let body = serde_json::to_vec(value).map_err(|e| Problem::from(AppError::internal(e)))?;
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .insert_header((
            header::CACHE_CONTROL,
            state.config.public_cache_control(BROWSER_SECS),
        ))
        .body(body))
}

/// A stored UTC time as RFC 3339.
fn rfc3339(t: NaiveDateTime) -> String {
    t.and_utc()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

//! HTTP: application state, routes, middleware, handlers.

mod admin;
mod api;
pub mod cache;
#[cfg(test)]
mod contract;
mod cookies;
mod db;
pub mod forms;
mod health;
pub(crate) mod languages;
mod multipart;
mod pages;
mod pdf;
pub(crate) mod public;
mod seo;
pub mod session;
mod static_files;
pub mod tokens;
mod views;

pub use pages::SITE_PREFIX;

use std::sync::Arc;

use actix_web::body::{BodySize, BoxBody, EitherBody, MessageBody};
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::{self, Next};
use actix_web::{App, Error, HttpResponse, web};
use chrono::NaiveDateTime;

use crate::config::Config;
use crate::error::AppError;
use crate::render::templates::{Theme, ThemeError, ThemeSource};
use crate::storage::{self, Pool};

/// Where "now" comes from: the system clock, or a test's.
pub type Clock = Arc<dyn Fn() -> NaiveDateTime + Send + Sync>;

/// Everything a request needs; shared by all workers, holding no state that
/// another server would have to see (sessions and forms live in signed
/// cookies, everything else in the database).
pub struct AppState {
    pub config: Config,
    pub pool: Pool,
    /// The theme in the site's language (`config.language`).
    pub theme: Theme,
    /// The theme in each other language it has a catalogue for
    /// (`messages/<language>.toml`): what staff may read the admin in.
    pub other_languages: std::collections::BTreeMap<String, Theme>,
    pub keys: tokens::Keys,
    pub clock: Clock,
    /// URLs per sitemap file (the protocol's limit; tests lower it).
    pub sitemap_max: usize,
    /// Rendered public pages for anonymous readers (see [`cache`]).
    pub cache: cache::PageCache,
    /// What an uploaded image may be (tests lower the byte limit).
    pub media_limits: crate::media::images::Limits,
    /// Set on SIGTERM: `/readyz` fails while pages are still served.
    pub draining: std::sync::atomic::AtomicBool,
    /// Where uploaded files live (a folder or a bucket).
    pub uploads: crate::media::uploads::Uploads,
    /// Requests to the JSON API per address (none with `api_per_minute = 0`).
    pub api_limiter: Option<api::Limiter>,
}

/// The load balancer's probes: never cached, never in the request log.
pub const PROBES: [&str; 2] = ["/healthz", "/readyz"];

impl AppState {
    /// Loads the theme and the signing key (from config, or made once and
    /// kept in the database).
    pub fn new(config: Config, pool: Pool) -> Result<Self, StateError> {
        // The theme an admin picked, while it is still there.
        let picked = {
            let mut conn = pool.get()?;
            storage::settings::get(&mut conn, storage::settings::THEME)?
        };
        let load = |theme: &str, language: &str| {
            Theme::load(ThemeSource {
                themes_dir: config.themes.clone(),
                theme: theme.to_owned(),
                language: language.to_owned(),
                reload: config.dev_reload,
            })
        };
        // A picked theme that no longer loads (edited, removed) must not
        // keep the site from starting: the configured one serves instead.
        let picked = picked
            .filter(|t| crate::render::templates::themes(&config.themes).contains(t))
            .and_then(|t| match load(&t, &config.language) {
                Ok(theme) => Some((t, theme)),
                Err(e) => {
                    tracing::error!("theme {t:?} (picked in the admin) does not load: {e}");
                    None
                }
            });
        let (theme_name, theme) = match picked {
            Some(loaded) => loaded,
            None => (config.theme.clone(), load(&config.theme, &config.language)?),
        };
        let mut other_languages = std::collections::BTreeMap::new();
        for language in crate::render::templates::languages(&config.themes, &theme_name) {
            if language != config.language {
                let loaded = load(&theme_name, &language)?;
                other_languages.insert(language, loaded);
            }
        }
        let (seen, horizon) = {
            let mut conn = pool.get()?;
            (
                storage::changes::last_id(&mut conn)?,
                storage::changes::next_publication(&mut conn, storage::utc_now())?,
            )
        };
        // Templates re-read on every request would be hidden by the cache.
        let mib = if config.dev_reload {
            0
        } else {
            config.page_cache_mib
        };
        let cache = cache::PageCache::new(mib, seen, horizon);
        let secret = match &config.secret {
            Some(s) if s.len() >= 32 => s.clone(),
            Some(_) => return Err(StateError::ShortSecret),
            None => {
                let mut conn = pool.get()?;
                storage::settings::get_or_init(
                    &mut conn,
                    storage::settings::SECRET_KEY,
                    tokens::random_secret,
                )?
            }
        };
        let uploads = crate::media::uploads::Uploads::open(&config.uploads)?;
        Ok(Self {
            api_limiter: api::Limiter::new(config.api_per_minute),
            other_languages,
            uploads,
            keys: tokens::Keys::new(secret.as_bytes()),
            config,
            pool,
            theme,
            clock: Arc::new(storage::utc_now),
            sitemap_max: 50_000,
            cache,
            media_limits: Default::default(),
            draining: Default::default(),
        })
    }

    /// Replaces the clock (tests).
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// Changes how often the page cache reads the change log (tests).
    pub fn with_cache_sync(mut self, every: std::time::Duration) -> Self {
        self.cache = self.cache.with_sync_every(every);
        self
    }

    /// Changes how many URLs one sitemap file holds (tests).
    pub fn with_sitemap_max(mut self, max: usize) -> Self {
        self.sitemap_max = max.max(10);
        self
    }

    /// Changes the upload limits (tests).
    pub fn with_media_limits(mut self, limits: crate::media::images::Limits) -> Self {
        self.media_limits = limits;
        self
    }

    pub fn now(&self) -> NaiveDateTime {
        (self.clock)()
    }

    /// Theme `name` in every language, loaded and checked, not yet in use.
    fn prepare_theme(
        &self,
        name: &str,
    ) -> Result<Vec<crate::render::templates::Prepared>, ThemeError> {
        std::iter::once(&self.theme)
            .chain(self.other_languages.values())
            .map(|t| t.prepare(name))
            .collect()
    }

    /// Whether theme `name` loads in every language this site speaks (what
    /// the admin may pick).
    pub fn check_theme(&self, name: &str) -> Result<(), ThemeError> {
        self.prepare_theme(name).map(|_| ())
    }

    /// Serves theme `name` from now on, in every language, or (when it
    /// does not load in one of them) in none; then drops every cached
    /// page, which pages rendered meanwhile in the old theme may have
    /// filled.
    pub fn switch_theme(&self, name: &str) -> Result<(), ThemeError> {
        let prepared = self.prepare_theme(name)?;
        for (theme, ready) in std::iter::once(&self.theme)
            .chain(self.other_languages.values())
            .zip(prepared)
        {
            theme.install(ready);
        }
        self.cache.clear();
        Ok(())
    }

    /// Follows the theme an admin picked (on this server or another):
    /// called when the change log says something site-wide changed.
    pub fn follow_theme(&self, conn: &mut storage::Db) -> diesel::QueryResult<()> {
        let Some(picked) = storage::settings::get(conn, storage::settings::THEME)? else {
            return Ok(());
        };
        if picked != self.theme.name()
            && crate::render::templates::themes(&self.config.themes).contains(&picked)
        {
            match self.switch_theme(&picked) {
                Ok(()) => tracing::info!("theme {picked:?} in use"),
                Err(e) => tracing::error!("cannot switch to theme {picked:?}: {e}"),
            }
        }
        Ok(())
    }

    /// The theme in `language`, or in the site's when it has none.
    pub fn theme_in(&self, language: &str) -> &Theme {
        self.other_languages.get(language).unwrap_or(&self.theme)
    }

    /// The languages the interface speaks: the site's first.
    pub fn languages(&self) -> Vec<&str> {
        std::iter::once(self.config.language.as_str())
            .chain(self.other_languages.keys().map(String::as_str))
            .collect()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error(transparent)]
    Theme(#[from] ThemeError),
    #[error("secret must be at least 32 characters")]
    ShortSecret,
    #[error("database: {0}")]
    Pool(#[from] diesel::r2d2::PoolError),
    #[error("database: {0}")]
    Query(#[from] diesel::result::Error),
    #[error(transparent)]
    Uploads(#[from] crate::media::uploads::OpenError),
}

/// The client's address: the peer's, or — when the peer is a trusted
/// proxy — the nearest untrusted address in `X-Forwarded-For` (read from
/// the right, since only the proxies' own entries can be believed).
pub fn client_ip(req: &actix_web::HttpRequest, config: &Config) -> Option<String> {
    let peer = req.peer_addr()?.ip();
    if !config.trusted_proxies.contains(&peer) {
        return Some(peer.to_string());
    }
    let forwarded: Vec<std::net::IpAddr> = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|a| a.trim().parse().ok())
        .collect();
    let client = forwarded
        .iter()
        .rev()
        .find(|a| !config.trusted_proxies.contains(a))
        .copied()
        .unwrap_or(peer);
    Some(client.to_string())
}

/// Largest form body accepted. Far above a 5,000-character comment (about
/// 45 KB percent-encoded), so a comment that is too long is read and sent
/// back with its text and a message, not refused unread.
const FORM_LIMIT: usize = 1024 * 1024;

/// Headers every answer carries.
const SECURITY_HEADERS: [(header::HeaderName, &str); 4] = [
    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    (header::REFERRER_POLICY, "strict-origin-when-cross-origin"),
    (header::X_FRAME_OPTIONS, "SAMEORIGIN"),
    (
        header::CONTENT_SECURITY_POLICY,
        "default-src 'self'; img-src 'self' data:; script-src 'none'; object-src 'none'; \
         base-uri 'none'; form-action 'self'; frame-ancestors 'self'",
    ),
];

/// Adds [`SECURITY_HEADERS`] to an answer made outside the middleware
/// that normally adds them.
fn secure(headers: &mut header::HeaderMap) {
    for (name, value) in &SECURITY_HEADERS {
        if !headers.contains_key(name) {
            headers.insert(name.clone(), header::HeaderValue::from_static(value));
        }
    }
}

/// The application, shared by `serve` and the tests.
pub fn build_app(
    state: web::Data<AppState>,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = Error,
        InitError = (),
    >,
> {
    App::new()
        .app_data(state)
        .app_data(web::FormConfig::default().limit(FORM_LIMIT).error_handler(
            |err, req| match err {
                actix_web::error::UrlencodedError::Overflow { .. } => AppError::TooLarge.into(),
                // A state change without its csrf_token is refused with
                // 403 (SPEC); a body that is not a form carries none.
                _ if req.path().starts_with("/admin/") => AppError::StaleForm.into(),
                _ => AppError::BadRequest("error_400_text").into(),
            },
        ))
        .app_data(
            web::QueryConfig::default()
                .error_handler(|_, _| AppError::BadRequest("error_400_text").into()),
        )
        .app_data(web::PathConfig::default().error_handler(|_, _| AppError::NotFound.into()))
        .wrap(middleware::from_fn(refuse_nul))
        .wrap(middleware::from_fn(error_pages))
        // Inside compression: cached pages carry their own encoding.
        .wrap(middleware::from_fn(cache::middleware))
        .wrap(middleware::Compress::default())
        // Outside compression: each encoding gets its own strong ETag.
        .wrap(middleware::from_fn(conditional))
        .wrap(
            SECURITY_HEADERS
                .iter()
                .fold(middleware::DefaultHeaders::new(), |d, (name, value)| {
                    d.add((name.clone(), *value))
                }),
        )
        // Cached pages for anonymous readers are answered first, with the
        // security headers above but none of the other layers.
        .wrap(middleware::from_fn(cache::hit))
        // The API's rate limit and CORS, before the cache answers.
        .wrap(middleware::from_fn(api::limit))
        // The request log costs a formatted line per request even when its
        // level is off: only wrapped when it will be written.
        .wrap(middleware::Condition::new(
            tracing::enabled!(target: "loa::http", tracing::Level::INFO),
            PROBES.iter().fold(
                middleware::Logger::new("%r %s %b %Dms").log_target("loa::http"),
                |log, path| log.exclude(*path),
            ),
        ))
        .route(PROBES[0], web::get().to(health::live))
        .route(PROBES[1], web::get().to(health::ready))
        .route("/static/{file:.*}", web::get().to(static_files::asset))
        .route("/uploads/{path:.*}", web::get().to(static_files::upload))
        .configure(admin::routes)
        .configure(api::routes)
        .configure(public::routes)
        // The department's pages live at their tree paths: whatever no
        // route above answers (a GET that is no page is the 404).
        .default_service(web::to(public::pages::show))
}

/// A request whose address holds a NUL byte (`%00`) is a 400 before
/// anything reads it: no address of the site has one, and PostgreSQL
/// refuses text that does (a 500 otherwise, wherever the value reaches
/// a query).
async fn refuse_nul(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody, BoxBody>>, Error> {
    let uri = req.uri();
    let has_nul = |s: &str| {
        s.as_bytes()
            .windows(3)
            .any(|w| w[0] == b'%' && w[1] == b'0' && w[2] == b'0')
    };
    // The API drops control characters from its parameters itself.
    let api = req.path().starts_with(api::PREFIX);
    if has_nul(uri.path()) || (!api && uri.query().is_some_and(has_nul)) {
        if api && let Some(state) = req.app_data::<web::Data<AppState>>() {
            let res = api::problem(
                state,
                actix_web::http::StatusCode::BAD_REQUEST,
                "error_400_text",
            );
            return Ok(req.into_response(res).map_into_right_body());
        }
        return Ok(req
            .error_response(AppError::BadRequest("error_400_text"))
            .map_into_right_body());
    }
    Ok(next.call(req).await?.map_into_left_body())
}

/// Replaces the empty body of every error response with the theme's page
/// for its status (404, 403, 400, 500…), in Vietnamese.
async fn error_pages(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody, BoxBody>>, Error> {
    let res = next.call(req).await?;
    let status = res.status();
    let app_error = res
        .response()
        .error()
        .and_then(|e| e.as_error::<AppError>())
        .map(|e| (e.message_key(), e.sign_in_again()));
    let is_error = status.is_client_error() || status.is_server_error();
    let empty = matches!(
        res.response().body().size(),
        BodySize::None | BodySize::Sized(0)
    );
    let (key, sign_in) = match app_error {
        Some(found) if is_error => found,
        // Errors raised outside our handlers (actix's own 405, say) get
        // the generic page for their status.
        _ if is_error && empty => (generic_key(status.as_u16()), None),
        _ => return Ok(res.map_into_left_body()),
    };
    let (req, res) = res.into_parts();
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return Ok(ServiceResponse::new(req, res).map_into_left_body());
    };
    let html = pages::error_page(&state, &req, status, key, sign_in.as_deref()).await;
    let mut out = HttpResponse::build(status);
    out.content_type("text/html; charset=utf-8");
    out.insert_header((header::CACHE_CONTROL, "no-store"));
    for (name, value) in res.headers() {
        if name == header::ALLOW || name == header::RETRY_AFTER {
            out.insert_header((name.clone(), value.clone()));
        }
    }
    Ok(ServiceResponse::new(req, out.body(html)).map_into_right_body())
}

/// HEAD is answered as GET without the body (monitors and link checkers
/// use it; actix routes only what is registered): the request goes down
/// the chain as a GET, and its answer comes back with the GET's headers,
/// `Content-Length` included, and no body. Then [`validators`].
async fn conditional(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<BoxBody, BoxBody>>, Error> {
    let mut req = req;
    let is_head = req.method() == actix_web::http::Method::HEAD;
    if is_head {
        req.head_mut().method = actix_web::http::Method::GET;
    }
    let res = validators(next.call(req).await?).await?;
    if is_head {
        return Ok(res.map_body(|_, body| EitherBody::right(BoxBody::new(Headless(body.size())))));
    }
    Ok(res)
}

/// The body of an answer to HEAD: the size the GET's body has (the
/// server writes it as `Content-Length`, or as chunked when the GET
/// streams), and no bytes.
struct Headless(BodySize);

impl MessageBody for Headless {
    type Error = std::convert::Infallible;

    fn size(&self) -> BodySize {
        self.0
    }

    fn poll_next(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<actix_web::web::Bytes, Self::Error>>> {
        std::task::Poll::Ready(None)
    }
}

/// Strong `ETag`s and `304 Not Modified` for shared public responses
/// (those marked `Cache-Control: public` without their own validator):
/// home, listings, search, feeds, sitemaps. Pages personal to a browser
/// (entry pages with a form token) are `private` and left alone.
async fn validators<B: MessageBody + 'static>(
    res: ServiceResponse<B>,
) -> Result<ServiceResponse<EitherBody<BoxBody, BoxBody>>, Error> {
    let shared = res.request().method() == actix_web::http::Method::GET
        && res.status() == actix_web::http::StatusCode::OK
        && !res.headers().contains_key(header::ETAG)
        && !res.headers().contains_key(header::SET_COOKIE)
        && res
            .headers()
            .get(header::CACHE_CONTROL)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("public"));
    if !shared {
        return Ok(res.map_body(|_, b| EitherBody::left(b.boxed())));
    }
    let (req, res) = res.into_parts();
    let (head, body) = res.into_parts();
    let bytes = actix_web::body::to_bytes(body)
        .await
        .map_err(|_| actix_web::error::ErrorInternalServerError("reading the response"))?;
    use sha2::Digest;
    let etag = format!("\"{}\"", cache::hex16(&sha2::Sha256::digest(&bytes)));
    if cache::not_modified(&req, &etag, None) {
        let mut not_modified = HttpResponse::NotModified();
        not_modified.insert_header((header::ETAG, etag));
        for name in [
            header::CACHE_CONTROL,
            header::VARY,
            header::CONTENT_ENCODING,
        ] {
            if let Some(v) = head.headers().get(&name) {
                not_modified.insert_header((name, v.clone()));
            }
        }
        return Ok(ServiceResponse::new(req, not_modified.finish()).map_into_right_body());
    }
    let mut res = head.set_body(BoxBody::new(bytes));
    res.headers_mut().insert(
        header::ETAG,
        header::HeaderValue::from_str(&etag).map_err(actix_web::error::ErrorInternalServerError)?,
    );
    Ok(ServiceResponse::new(req, res).map_into_left_body())
}

fn generic_key(status: u16) -> &'static str {
    match status {
        404 => "error_404_text",
        403 => "error_403_text",
        405 => "error_405_text",
        413 => "error_413_text",
        s if s >= 500 => "error_500_text",
        _ => "error_400_text",
    }
}

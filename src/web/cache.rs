//! The page cache: public pages rendered once, compressed once, and served
//! from memory to anonymous readers until something they show changes.
//!
//! - **What is cached**: `200` answers to `GET` that the handler marked
//!   shareable (`Cache-Control: public`: home, listings, feeds, sitemaps,
//!   search) and entry pages (which mark themselves with [`EntryPage`]).
//!   Signed-in staff, and a browser that has a comment awaiting moderation
//!   or a notice to show, bypass the cache: their pages differ.
//! - **The form token**: an entry page carries a comment token bound to the
//!   browser and the second it was shown. The page is rendered once with a
//!   placeholder; each answer splices in a fresh token. Its gzip copy is
//!   kept as two deflate streams (before and after the token) joined per
//!   request around a stored block, so it is not compressed again.
//! - **Invalidation**: database triggers log every change that a public
//!   page shows (`storage::changes`). The cache reads the log after each
//!   local write (before answering it) and at most once a second otherwise,
//!   so a change made by another server, the CLI or the importer is seen
//!   within a second. An entry change drops that entry's page, pages that
//!   show it, and every listing; an approved comment drops its entry's
//!   page; category, tag and setting changes drop everything. The time of
//!   the next scheduled publication is read with the log, and the cache is
//!   emptied when it comes, so scheduled entries appear on time.
//! - **Memory**: bounded by bytes (identity, gzip and brotli copies
//!   counted), with `quick_cache`'s scan-resistant eviction.
//! - **Time**: every moment the cache weighs (when the log was read, a
//!   page's age, its `Last-Modified`) comes from the state's clock
//!   ([`AppState::now`]), so a test moves it by setting its clock. A clock
//!   that goes back (the system's, corrected) makes the log due and
//!   pages stale, never the reverse.

use crate::storage::Db;
use std::collections::HashMap;
use std::io::Write;
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use actix_web::body::{BoxBody, EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::web::{self, Bytes};
use actix_web::{Error, HttpMessage, HttpResponse};
use chrono::NaiveDateTime;
use diesel::QueryResult;

use super::{AppState, cookies, session};
use crate::storage::changes::{self, Change};
use crate::storage::entries::{Filter, ListingKey};

/// How often a server reads the change log when it has not written itself.
pub const SYNC_EVERY: Duration = Duration::from_secs(1);
/// Pages older than this are rebuilt anyway (the year in the footer, the
/// comment-closing rule that depends on the date).
const MAX_AGE: Duration = Duration::from_secs(600);
/// More unread changes than this: empty the cache rather than read them.
const MAX_CHANGES: i64 = 1000;

/// Set on a request the cache would like to keep the answer of; an entry
/// handler then renders the comment token as [`PageCache::placeholder`].
#[derive(Clone, Copy)]
pub struct Filling;

/// Set by the entry handler on a page rendered for the cache: which entry
/// the form token is for, and which entries the page shows.
pub struct EntryPage {
    pub entry_id: i32,
    pub shows: Vec<i32>,
}

/// What a cached page depends on.
#[derive(Debug)]
enum Deps {
    /// A listing, feed or sitemap: any entry change.
    Listing,
    /// An entry page: its entry, its comments, the entries it shows.
    Entry { id: i32, shows: Vec<i32> },
}

struct Page {
    content_type: HeaderValue,
    cache_control: HeaderValue,
    /// An API list's `Link` header (its other pages).
    link: Option<HeaderValue>,
    deps: Deps,
    /// The body; for an entry page, split where the token goes.
    head: Bytes,
    tail: Option<Bytes>,
    gzip: Gzip,
    /// Brotli copy (shareable pages only).
    brotli: Option<Bytes>,
    /// Digest of the body (without the token), for ETags.
    digest: String,
    last_modified: SystemTime,
    /// When it was built (ms on the state's clock).
    built: i64,
}

/// The gzip copy: whole, or in two deflate streams around the token.
enum Gzip {
    Whole(Bytes),
    Split {
        head: Bytes,
        tail: Bytes,
        head_crc: crc32fast::Hasher,
        tail_crc: crc32fast::Hasher,
        /// Length of the page without the token.
        total: u64,
    },
}

impl Page {
    fn weight(&self) -> u64 {
        let gzip = match &self.gzip {
            Gzip::Whole(b) => b.len(),
            Gzip::Split { head, tail, .. } => head.len() + tail.len(),
        };
        (self.head.len()
            + self.tail.as_ref().map_or(0, Bytes::len)
            + gzip
            + self.brotli.as_ref().map_or(0, Bytes::len)
            + 512) as u64
    }

    /// Whether it is younger than [`MAX_AGE`] at `now` (ms).
    fn fresh(&self, now: i64) -> bool {
        now.checked_sub(self.built)
            .is_some_and(|age| (0..MAX_AGE.as_millis() as i64).contains(&age))
    }

    fn shows(&self, entry: i32) -> bool {
        match &self.deps {
            Deps::Listing => true,
            Deps::Entry { id, shows } => *id == entry || shows.contains(&entry),
        }
    }
}

#[derive(Clone)]
struct ByBytes;

impl quick_cache::Weighter<String, Arc<Page>> for ByBytes {
    fn weight(&self, _key: &String, page: &Arc<Page>) -> u64 {
        page.weight()
    }
}

/// The cache itself; one per server, in [`AppState`].
pub struct PageCache {
    pages: Option<quick_cache::sync::Cache<String, Arc<Page>, ByBytes>>,
    placeholder: String,
    /// Id of the last change read from the log.
    seen: AtomicI32,
    /// When the log was last read (ms on the state's clock; 0 before the
    /// first request, which reads it).
    synced_ms: AtomicI64,
    /// How often to read it ([`SYNC_EVERY`]).
    sync_every_ms: u64,
    syncing: AtomicBool,
    /// When the next scheduled entry goes public (Unix seconds; MAX: none).
    horizon: AtomicI64,
    /// Bumped by every invalidation, so a page built from data read before
    /// it is not kept.
    generation: AtomicU64,
    /// Every [`ANCHOR_EVERY`]-th key of the listings read deep, with the
    /// generation they were read at: deep pages start from them.
    anchors: Mutex<HashMap<Filter, Anchors>>,
    /// The site's identity and navigation (`pages::Base`) as read at a
    /// generation: every public page shows them, and they change rarely.
    base: Mutex<Option<(u64, super::pages::Base)>>,
}

/// A listing's anchors and the generation they were read at.
type Anchors = (u64, Arc<Vec<ListingKey>>);

/// Entries between two anchors of a listing: a page costs at most this many
/// index steps, however deep it is.
pub const ANCHOR_EVERY: i64 = 500;

impl PageCache {
    /// A cache of `mib` MiB (none when 0) that has read the log up to
    /// `seen`.
    pub fn new(mib: u32, seen: i32, horizon: Option<NaiveDateTime>) -> Self {
        let bytes = u64::from(mib) * 1024 * 1024;
        let pages = (bytes > 0).then(|| {
            quick_cache::sync::Cache::with_weighter((bytes / 16_384) as usize + 16, bytes, ByBytes)
        });
        Self {
            pages,
            placeholder: format!("loa-token-{}", super::tokens::random_secret()),
            seen: AtomicI32::new(seen),
            synced_ms: AtomicI64::new(0),
            sync_every_ms: SYNC_EVERY.as_millis() as u64,
            syncing: AtomicBool::new(false),
            horizon: AtomicI64::new(horizon_secs(horizon)),
            generation: AtomicU64::new(0),
            anchors: Mutex::new(HashMap::new()),
            base: Mutex::new(None),
        }
    }

    /// Reads the change log this often instead (tests that write to the
    /// database directly use zero: every request reads it).
    pub fn with_sync_every(mut self, every: Duration) -> Self {
        self.sync_every_ms = every.as_millis() as u64;
        self
    }

    /// What an entry page rendered for the cache holds in place of its
    /// comment token.
    pub fn placeholder(&self) -> &str {
        &self.placeholder
    }

    /// Pages held and bytes used (for the benchmark and logs).
    pub fn usage(&self) -> (usize, u64) {
        self.pages
            .as_ref()
            .map_or((0, 0), |p| (p.len(), p.weight()))
    }

    /// Drops what `changes` make stale.
    fn apply(&self, changes: &[Change]) {
        if changes.is_empty() {
            return;
        }
        self.generation.fetch_add(1, Ordering::SeqCst);
        let Some(pages) = &self.pages else { return };
        if changes.contains(&Change::Site) {
            pages.clear();
            return;
        }
        pages.retain(|_, page| {
            !changes.iter().any(|c| match *c {
                Change::Entry(e) => page.shows(e),
                Change::Comments(e) => matches!(page.deps, Deps::Entry { id, .. } if id == e),
                Change::Site => true,
            })
        });
    }

    /// Empties the cache (a theme reload, a scheduled entry going public).
    pub fn clear(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        if let Some(pages) = &self.pages {
            pages.clear();
        }
    }

    /// The current generation: it moves with every change read from the
    /// log (whether or not pages are kept).
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// Where the deep pages of `filter` start, if known since the last
    /// change.
    pub fn anchors(&self, filter: Filter) -> Option<Arc<Vec<ListingKey>>> {
        let now = self.generation();
        let anchors = self.anchors.lock().ok()?;
        anchors
            .get(&filter)
            .filter(|(g, _)| *g == now)
            .map(|(_, keys)| keys.clone())
    }

    /// Keeps `keys`, read at `generation`, as the anchors of `filter`.
    pub fn keep_anchors(&self, filter: Filter, generation: u64, keys: Arc<Vec<ListingKey>>) {
        if let Ok(mut anchors) = self.anchors.lock() {
            anchors.retain(|_, (g, _)| *g == generation);
            if self.generation() == generation {
                anchors.insert(filter, (generation, keys));
            }
        }
    }

    /// The site's identity and navigation kept since the last change.
    pub fn base(&self) -> Option<super::pages::Base> {
        let now = self.generation();
        let base = self.base.lock().ok()?;
        base.as_ref()
            .filter(|(g, _)| *g == now)
            .map(|(_, b)| b.clone())
    }

    /// Keeps `base`, read at `generation` (not if a change came since).
    pub fn keep_base(&self, generation: u64, base: &super::pages::Base) {
        if let Ok(mut kept) = self.base.lock()
            && self.generation() == generation
        {
            *kept = Some((generation, base.clone()));
        }
    }

    /// Whether the log should be read at `now`: a scheduled entry's time
    /// has come, or [`SYNC_EVERY`] has passed since the last read (or the
    /// clock went back past it).
    fn due(&self, now: NaiveDateTime) -> bool {
        let since = millis(now).saturating_sub(self.synced_ms.load(Ordering::Relaxed));
        now.and_utc().timestamp() >= self.horizon.load(Ordering::Relaxed)
            || since < 0
            || since as u64 >= self.sync_every_ms
    }
}

/// A moment of the state's clock in ms since the Unix epoch.
fn millis(t: NaiveDateTime) -> i64 {
    t.and_utc().timestamp_millis()
}

fn horizon_secs(at: Option<NaiveDateTime>) -> i64 {
    at.map_or(i64::MAX, |t| t.and_utc().timestamp())
}

impl PageCache {
    /// Reads the change log on `conn` and drops what it makes stale; `now`
    /// decides whether a scheduled entry has gone public.
    /// Returns whether something site-wide changed (a `site` change, or
    /// the whole cache dropped).
    pub fn read_log(&self, conn: &mut Db, now: NaiveDateTime) -> QueryResult<bool> {
        let seen = self.seen.load(Ordering::Acquire);
        let first = changes::first_id(conn)?;
        let rows = changes::since(conn, seen, MAX_CHANGES)?;
        let horizon = changes::next_publication(conn, now)?;
        let passed = now.and_utc().timestamp() >= self.horizon.load(Ordering::Acquire);
        let missed = first.is_some_and(|f| f > seen + 1) || rows.len() as i64 >= MAX_CHANGES;
        let site_wide = missed || rows.iter().any(|(_, c)| matches!(c, Change::Site));
        if passed || missed {
            self.clear();
        } else {
            let list: Vec<Change> = rows.iter().map(|(_, c)| *c).collect();
            self.apply(&list);
        }
        if let Some((last, _)) = rows.last() {
            self.seen.fetch_max(*last, Ordering::AcqRel);
        }
        self.horizon.store(horizon_secs(horizon), Ordering::Release);
        Ok(site_wide)
    }
}

/// On PostgreSQL: a thread that reads the change log as soon as another
/// server (or the CLI) commits a change, instead of at this server's next
/// poll. Listening has begun when this returns (unless the database could
/// not be reached: then the thread keeps trying). It reconnects after an
/// error, and ends with the state.
pub fn listen(state: &web::Data<AppState>) {
    let crate::storage::pool::Location::Postgres(url) =
        crate::storage::pool::Location::parse(&state.config.database)
    else {
        return;
    };
    let weak = Arc::downgrade(&state.clone().into_inner());
    let mut first = Some(changes::Listener::open(&url));
    std::thread::spawn(move || {
        loop {
            match first
                .take()
                .unwrap_or_else(|| changes::Listener::open(&url))
            {
                Ok(mut listener) => loop {
                    let heard = match listener.wait(Duration::from_secs(10)) {
                        Ok(heard) => heard,
                        Err(e) => {
                            tracing::warn!("page cache: change notifications lost: {e}");
                            break;
                        }
                    };
                    let Some(state) = weak.upgrade() else { return };
                    if heard {
                        let read = state
                            .pool
                            .get()
                            .map_err(|e| e.to_string())
                            .and_then(|mut c| {
                                let mut read = || -> QueryResult<()> {
                                    if state.cache.read_log(&mut c, state.now())? {
                                        state.follow_theme(&mut c)?;
                                    }
                                    Ok(())
                                };
                                read().map_err(|e| e.to_string())
                            });
                        if let Err(e) = read {
                            tracing::warn!("page cache: cannot read the change log: {e}");
                        }
                    }
                },
                Err(e) => tracing::warn!("page cache: cannot listen for changes: {e}"),
            }
            if weak.strong_count() == 0 {
                return;
            }
            std::thread::sleep(Duration::from_secs(1));
        }
    });
}

/// Reads the change log (see [`PageCache::read_log`]) when it is due, or
/// at once when `force`d (after this server's own writes).
pub async fn sync(state: &web::Data<AppState>, force: bool) {
    sync_at(state, force, state.now()).await;
}

/// [`sync`] at `now` (the caller has read the clock already).
async fn sync_at(state: &web::Data<AppState>, force: bool, now: NaiveDateTime) {
    let cache = &state.cache;
    if !force && !cache.due(now) {
        return;
    }
    // One reader at a time; the others serve what is cached meanwhile.
    if !force && cache.syncing.swap(true, Ordering::AcqRel) {
        return;
    }
    let shared = state.clone();
    let read = super::db::run(state, move |conn| {
        if shared.cache.read_log(conn, now)? {
            shared.follow_theme(conn)?;
        }
        Ok(())
    })
    .await;
    cache.synced_ms.store(millis(now), Ordering::Release);
    cache.syncing.store(false, Ordering::Release);
    if let Err(e) = read {
        tracing::warn!("page cache: cannot read the change log: {e}");
        cache.clear();
    }
}

/// Whether this request may be answered from (and fill) the cache: it
/// carries none of the cookies that make a page personal (a shared cache
/// in front of loa must bypass itself for the same cookies: README).
pub(crate) fn anonymous(req: &actix_web::HttpRequest) -> bool {
    req.cookie(session::COOKIE).is_none()
        && req.cookie(cookies::PENDING).is_none()
        && req.cookie(cookies::FLASH).is_none()
}

fn key(state: &AppState, req: &ServiceRequest) -> String {
    let mut key = String::with_capacity(64);
    // Without base_url, absolute links are built from the Host header:
    // pages are kept per host, read exactly as the page read it (a
    // forwarding header must not file one host's page under another's).
    if state.config.base_url.is_none() {
        key.push_str(super::pages::request_host(req.request()));
    }
    key.push_str(req.path());
    if !req.query_string().is_empty() {
        key.push('?');
        key.push_str(req.query_string());
    }
    key
}

/// The outermost layer: an anonymous reader's GET for a page that is
/// cached is answered here, before the compression, ETag and error-page
/// layers, which such an answer does not need (together they cost about a
/// tenth of the cached page's throughput). Everything else goes on through
/// the whole chain, where [`middleware`] fills the cache.
pub async fn hit(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody, BoxBody>>, Error> {
    if req.method() == Method::GET
        && let Some(state) = req.app_data::<web::Data<AppState>>().cloned()
        && state.cache.pages.is_some()
        && cacheable(&req)
    {
        let now = state.now();
        sync_at(&state, false, now).await;
        let found = state.cache.pages.as_ref().and_then(|pages| {
            pages
                .get(&key(&state, &req))
                .filter(|page| page.fresh(millis(now)))
                // Entry pages have no brotli copy: a client that takes
                // brotli but not gzip has them compressed per request by
                // the whole chain.
                .filter(|page| page.tail.is_none() || accepted(req.request()) != (true, false))
        });
        if let Some(page) = found {
            let mut res = serve(&state, req.request(), &page);
            super::secure(res.headers_mut());
            return Ok(req.into_response(res).map_into_right_body());
        }
    }
    Ok(next.call(req).await?.map_into_left_body())
}

/// Whether this request may be answered from (and fill) the cache: an
/// anonymous reader's, for a rendered page (files such as theme assets and
/// uploads are served from disk with their own long-lived headers).
fn cacheable(req: &ServiceRequest) -> bool {
    anonymous(req.request())
        && !req.path().starts_with("/static/")
        && !req.path().starts_with("/uploads/")
        && !super::PROBES.contains(&req.path())
}

/// The middleware: answers from the cache, fills it, and reads the change
/// log after every write.
pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<BoxBody, BoxBody>>, Error> {
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return Ok(next
            .call(req)
            .await?
            .map_into_boxed_body()
            .map_into_left_body());
    };
    if req.method() != Method::GET {
        let res = next.call(req).await?;
        // The write (if any) is committed; pages it made stale go before
        // the answer does, so the next page this browser loads is current.
        sync(&state, true).await;
        return Ok(res.map_into_boxed_body().map_into_left_body());
    }
    let now = state.now();
    sync_at(&state, false, now).await;
    let Some(pages) = state.cache.pages.as_ref().filter(|_| cacheable(&req)) else {
        return Ok(next
            .call(req)
            .await?
            .map_into_boxed_body()
            .map_into_left_body());
    };
    let key = key(&state, &req);
    if let Some(page) = pages.get(&key) {
        if page.fresh(millis(now)) {
            let res = serve(&state, req.request(), &page);
            return Ok(req.into_response(res).map_into_right_body());
        }
        pages.remove(&key);
    }
    // One request builds a missing page; the others that want it meanwhile
    // wait for it (a burst of readers on a new article costs one render
    // and one compression, not one each).
    let guard = match pages.get_value_or_guard_async(&key).await {
        Ok(page) => {
            let res = serve(&state, req.request(), &page);
            return Ok(req.into_response(res).map_into_right_body());
        }
        Err(guard) => guard,
    };

    let generation = state.cache.generation.load(Ordering::SeqCst);
    req.extensions_mut().insert(Filling);
    let res = next.call(req).await?;
    let shared = res
        .headers()
        .get(header::CACHE_CONTROL)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("public"));
    let mut res = res;
    let entry = res.response_mut().extensions_mut().remove::<EntryPage>();
    // An entry page rendered with the placeholder must go through
    // `serve` (which puts the token in), so it is always kept.
    let keep = res.status() == StatusCode::OK
        && !res.headers().contains_key(header::CONTENT_ENCODING)
        && (entry.is_some()
            || (shared
                && is_page(res.headers())
                && !res.headers().contains_key(header::SET_COOKIE)));
    if !keep {
        return Ok(res.map_into_boxed_body().map_into_left_body());
    }
    let (req, res) = res.into_parts();
    let (head, body) = res.into_parts();
    let bytes = actix_web::body::to_bytes(body)
        .await
        .map_err(|_| actix_web::error::ErrorInternalServerError("reading the response"))?;
    let content_type = head
        .headers()
        .get(header::CONTENT_TYPE)
        .cloned()
        .unwrap_or_else(|| HeaderValue::from_static("text/html; charset=utf-8"));
    let cache_control = head
        .headers()
        .get(header::CACHE_CONTROL)
        .cloned()
        .unwrap_or_else(|| HeaderValue::from_static("private, no-cache"));
    let link = head.headers().get(header::LINK).cloned();
    let placeholder = state.cache.placeholder.clone();
    let page = Arc::new(
        web::block(move || {
            let mut page = build(bytes, content_type, cache_control, entry, &placeholder, now);
            page.link = link;
            page
        })
        .await
        .map_err(actix_web::error::ErrorInternalServerError)?,
    );
    // Kept only if nothing changed while it was being built.
    if state.cache.generation.load(Ordering::SeqCst) == generation {
        let _ = guard.insert(page.clone());
    }
    let res = serve(&state, &req, &page);
    Ok(ServiceResponse::new(req, res).map_into_right_body())
}

/// Whether a response is a rendered page (HTML, XML, text, JSON), not a
/// file such as an image.
fn is_page(headers: &header::HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("text/") || ct.contains("xml") || ct.contains("json"))
}

/// Makes a cached page from a rendered answer: splits an entry page at its
/// placeholder and compresses once.
fn build(
    body: Bytes,
    content_type: HeaderValue,
    cache_control: HeaderValue,
    entry: Option<EntryPage>,
    placeholder: &str,
    now: NaiveDateTime,
) -> Page {
    use sha2::Digest;
    let digest = hex16(&sha2::Sha256::digest(&body));
    let (deps, head, tail) = match entry {
        Some(e) => {
            let deps = Deps::Entry {
                id: e.entry_id,
                shows: e.shows,
            };
            match find(&body, placeholder.as_bytes()) {
                Some(at) => {
                    let head = body.slice(..at);
                    let tail = body.slice(at + placeholder.len()..);
                    (deps, head, Some(tail))
                }
                // No comment form (comments closed, or a theme without
                // one): no token, the same bytes for every reader, kept
                // whole like a listing but dropped with its entry.
                None => (deps, body, None),
            }
        }
        None => (Deps::Listing, body, None),
    };
    let (gzip, brotli) = match &tail {
        Some(tail) => {
            let mut head_crc = crc32fast::Hasher::new();
            head_crc.update(&head);
            let mut tail_crc = crc32fast::Hasher::new();
            tail_crc.update(tail);
            let total = (head.len() + tail.len()) as u64;
            let gzip = Gzip::Split {
                head: deflate(&head, false),
                tail: deflate(tail, true),
                head_crc,
                tail_crc,
                total,
            };
            (gzip, None)
        }
        None => (Gzip::Whole(gzip_whole(&head)), Some(brotli_whole(&head))),
    };
    Page {
        content_type,
        cache_control,
        link: None,
        deps,
        head,
        tail,
        gzip,
        brotli,
        digest,
        last_modified: SystemTime::from(now.and_utc()),
        built: millis(now),
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The first 16 bytes of a digest in hex (ETags).
pub(super) fn hex16(digest: &[u8]) -> String {
    digest.iter().take(16).map(|b| format!("{b:02x}")).collect()
}

/// Raw deflate of `data`: ending the stream (`last`), or with a sync flush
/// so more blocks can follow on a byte boundary.
fn deflate(data: &[u8], last: bool) -> Bytes {
    let mut enc = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
    let _ = enc.write_all(data);
    if last {
        return enc.finish().map(Bytes::from).unwrap_or_default();
    }
    let _ = enc.flush();
    Bytes::from(enc.get_ref().clone())
}

fn gzip_whole(data: &[u8]) -> Bytes {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let _ = enc.write_all(data);
    enc.finish().map(Bytes::from).unwrap_or_default()
}

fn brotli_whole(data: &[u8]) -> Bytes {
    let mut out = Vec::with_capacity(data.len() / 4);
    // A window no larger than the page: the encoder's tables grow with it,
    // and several pages may be compressed at once.
    let lgwin = (usize::BITS - data.len().max(1).leading_zeros()).clamp(16, 22) as i32;
    // Quality 4. Qualities 5 to 9 allocate about 17 MB of hash tables
    // whatever the window, even for a 24 KB page (which took loa's memory
    // from 54 to 71 MiB for a moment), and take 8 ms; 4 takes 1.5 MB and
    // under a millisecond, for output 5 % larger than 6's. (11 is 11 %
    // smaller than 6 in 3 MB but takes 20 ms a page: too much for a
    // crawler walking deep listings past the cache.)
    let params = brotli::enc::BrotliEncoderParams {
        quality: 4,
        lgwin,
        size_hint: data.len(),
        ..Default::default()
    };
    let _ = brotli::BrotliCompress(&mut &data[..], &mut out, &params);
    Bytes::from(out)
}

/// The gzip member for `head`, `token`, `tail`: the cached deflate
/// streams joined by a stored block holding the token.
fn gzip_spliced(
    head: &Bytes,
    tail: &Bytes,
    head_crc: &crc32fast::Hasher,
    tail_crc: &crc32fast::Hasher,
    total: u64,
    token: &[u8],
) -> Vec<u8> {
    let mut out = Vec::with_capacity(head.len() + tail.len() + token.len() + 32);
    // Header: magic, deflate, no flags, no time, no extra flags, OS unknown.
    out.extend_from_slice(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
    out.extend_from_slice(head);
    // A stored block (not final): header bits 000 padded to a byte, then
    // LEN and its complement.
    let len = token.len() as u16;
    out.push(0);
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(&(!len).to_le_bytes());
    out.extend_from_slice(token);
    out.extend_from_slice(tail);
    let mut crc = head_crc.clone();
    let mut token_crc = crc32fast::Hasher::new();
    token_crc.update(token);
    crc.combine(&token_crc);
    crc.combine(tail_crc);
    out.extend_from_slice(&crc.finalize().to_le_bytes());
    // ISIZE: the length modulo 2^32.
    let size = (total + token.len() as u64) as u32;
    out.extend_from_slice(&size.to_le_bytes());
    out
}

#[derive(Clone, Copy, PartialEq)]
enum Coding {
    Brotli,
    Gzip,
    Identity,
}

/// The best coding the client accepts (`q=0` refuses one).
fn accepted(req: &actix_web::HttpRequest) -> (bool, bool) {
    let Some(value) = req
        .headers()
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
    else {
        return (false, false);
    };
    let (mut br, mut gzip) = (false, false);
    for part in value.split(',') {
        let mut bits = part.split(';');
        let name = bits.next().unwrap_or("").trim().to_ascii_lowercase();
        let refused = bits.any(|p| {
            p.trim()
                .strip_prefix("q=")
                .and_then(|q| q.trim().parse::<f32>().ok())
                .is_some_and(|q| q <= 0.0)
        });
        match name.as_str() {
            "br" => br = !refused,
            "gzip" | "x-gzip" => gzip = !refused,
            "*" => {
                br |= !refused;
                gzip |= !refused;
            }
            _ => {}
        }
    }
    (br, gzip)
}

/// Answers from a cached page: the token spliced in for an entry page,
/// the encoding the client takes, `304` when its copy is current.
fn serve(state: &AppState, req: &actix_web::HttpRequest, page: &Page) -> HttpResponse {
    let (br, gzip) = accepted(req);
    let coding = match (&page.tail, br, gzip) {
        (None, true, _) if page.brotli.is_some() => Coding::Brotli,
        (_, _, true) => Coding::Gzip,
        _ => Coding::Identity,
    };
    let suffix = match coding {
        Coding::Brotli => "-br",
        Coding::Gzip => "-gz",
        Coding::Identity => "",
    };

    let mut res = HttpResponse::Ok();
    res.insert_header((header::CONTENT_TYPE, page.content_type.clone()));
    res.insert_header((header::CACHE_CONTROL, page.cache_control.clone()));
    res.insert_header((header::VARY, "Accept-Encoding"));
    if let Some(link) = &page.link {
        res.insert_header((header::LINK, link.clone()));
    }

    let Some(tail) = &page.tail else {
        // A shared page: the same bytes for everyone.
        let etag = format!("\"{}{suffix}\"", page.digest);
        let modified = header::HttpDate::from(page.last_modified);
        res.insert_header((header::ETAG, etag.clone()));
        res.insert_header((header::LAST_MODIFIED, modified));
        if coding != Coding::Identity {
            res.insert_header((
                header::CONTENT_ENCODING,
                if coding == Coding::Brotli {
                    "br"
                } else {
                    "gzip"
                },
            ));
        }
        if not_modified(req, &etag, Some(page.last_modified)) {
            return with_status(res, StatusCode::NOT_MODIFIED);
        }
        let body = match (coding, &page.gzip) {
            (Coding::Brotli, _) => page.brotli.clone().unwrap_or_default(),
            (Coding::Gzip, Gzip::Whole(b)) => b.clone(),
            _ => page.head.clone(),
        };
        return res.body(body);
    };

    // An entry page: this browser's token, shown now.
    let Deps::Entry { id, .. } = page.deps else {
        return res.body(page.head.clone());
    };
    let (browser, new_cookie) = match cookies::browser_id(req) {
        Some(b) => (b, None),
        None => {
            let c = cookies::new_browser_id(state.config.is_https());
            (c.value().to_owned(), Some(c))
        }
    };
    let issued = state.now().and_utc().timestamp();
    let token = state.keys.comment_token(id, issued, &browser);
    // The browser may keep its copy while its token is young: the ETag
    // names the page, the day the token was issued, and the browser.
    // (The browser's own id, shortened: the ETag only goes back to it.)
    let who: String = browser.chars().take(8).collect();
    let etag = format!("\"{}-{}-{who}{suffix}\"", page.digest, issued / 86_400);
    res.insert_header((header::ETAG, etag.clone()));
    if let Some(c) = new_cookie {
        res.cookie(c);
    }
    if coding == Coding::Gzip {
        res.insert_header((header::CONTENT_ENCODING, "gzip"));
    }
    if not_modified(req, &etag, None) {
        return with_status(res, StatusCode::NOT_MODIFIED);
    }
    match (&page.gzip, coding) {
        (
            Gzip::Split {
                head,
                tail: gz_tail,
                head_crc,
                tail_crc,
                total,
            },
            Coding::Gzip,
        ) => res.body(gzip_spliced(
            head,
            gz_tail,
            head_crc,
            tail_crc,
            *total,
            token.as_bytes(),
        )),
        _ => res.body(Pieces([
            page.head.clone(),
            Bytes::from(token),
            tail.clone(),
        ])),
    }
}

/// An entry page sent as its cached bytes around this browser's token,
/// three pieces that share the cached copy instead of copying it.
struct Pieces([Bytes; 3]);

impl MessageBody for Pieces {
    type Error = std::convert::Infallible;

    fn size(&self) -> actix_web::body::BodySize {
        actix_web::body::BodySize::Sized(self.0.iter().map(|b| b.len() as u64).sum())
    }

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<Bytes, Self::Error>>> {
        let next = self
            .0
            .iter_mut()
            .find(|b| !b.is_empty())
            .map(std::mem::take);
        std::task::Poll::Ready(next.map(Ok))
    }
}

fn with_status(mut res: actix_web::HttpResponseBuilder, status: StatusCode) -> HttpResponse {
    res.status(status);
    res.finish()
}

/// `If-None-Match` (or, without it, `If-Modified-Since`) says the
/// client's copy is current.
pub(super) fn not_modified(
    req: &actix_web::HttpRequest,
    etag: &str,
    modified: Option<SystemTime>,
) -> bool {
    if let Some(wanted) = req.headers().get(header::IF_NONE_MATCH) {
        return wanted
            .to_str()
            .is_ok_and(|w| w.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    }
    let (Some(modified), Some(since)) = (
        modified,
        req.headers()
            .get(header::IF_MODIFIED_SINCE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<header::HttpDate>().ok()),
    ) else {
        return false;
    };
    // HTTP dates have whole seconds.
    let secs = |t: SystemTime| {
        t.duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    };
    secs(modified) <= secs(SystemTime::from(since))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn a_spliced_gzip_member_decompresses_to_the_whole_page() {
        let head = "<html><body>".repeat(200) + "<input value=\"";
        let tail = "\"></form>".to_owned() + &"<p>chân trang</p>".repeat(300);
        let mut hc = crc32fast::Hasher::new();
        hc.update(head.as_bytes());
        let mut tc = crc32fast::Hasher::new();
        tc.update(tail.as_bytes());
        let gz = gzip_spliced(
            &deflate(head.as_bytes(), false),
            &deflate(tail.as_bytes(), true),
            &hc,
            &tc,
            (head.len() + tail.len()) as u64,
            b"1700000000.token-value",
        );
        let mut out = String::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_string(&mut out)
            .unwrap();
        assert_eq!(out, format!("{head}1700000000.token-value{tail}"));
    }

    #[test]
    fn accept_encoding_honours_q_zero() {
        let req = |v: &str| {
            actix_web::test::TestRequest::default()
                .insert_header((header::ACCEPT_ENCODING, v))
                .to_http_request()
        };
        assert!(accepted(&req("gzip, deflate, br")) == (true, true));
        assert!(accepted(&req("gzip;q=1.0, br;q=0")) == (false, true));
        assert!(accepted(&req("identity")) == (false, false));
    }
}

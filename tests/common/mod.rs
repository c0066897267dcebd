//! Shared test scaffolding: a site on a fresh database (a SQLite file in a
//! temporary folder, or, when `LOA_TEST_POSTGRES` names a PostgreSQL
//! server, a database of its own there), a client that keeps cookies like
//! a browser, entry builders, and HTML helpers.
#![allow(dead_code)] // each test file uses a different part of this module

use loa::storage::Db;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use actix_http::Request;
use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::{test, web};
use chrono::NaiveDateTime;
use loa::config::Config;
use loa::content::import;
use loa::domain::entry::{EntryKind, Status};
use loa::render::markdown;
use loa::render::templates::{Theme, ThemeSource};
use loa::storage::{self, entries::EntryData};
use loa::{AppState, build_app};
use scraper::{Html, Selector};
use tempfile::TempDir;

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The tests' own site (`tests/fixtures/site`): the entries, categories
/// and documents the tests count and name. The shipped `content/` may
/// change freely; only `content_files::the_shipped_content_imports_cleanly`
/// reads it.
pub fn site_dir() -> PathBuf {
    repo().join("tests/fixtures/site")
}

/// The default theme's message `key`, as pages show it: assertions compare
/// with the catalogue (`themes/default/messages/vi.toml`), not with a
/// copy of its wording. Panics on a key the catalogue lacks.
pub fn msg(key: &str) -> String {
    static THEME: OnceLock<Theme> = OnceLock::new();
    let theme = THEME.get_or_init(|| {
        Theme::load(ThemeSource {
            themes_dir: repo().join("themes"),
            theme: "default".into(),
            language: "vi".into(),
            reload: false,
        })
        .expect("default theme")
    });
    theme
        .messages()
        .get(key)
        .unwrap_or_else(|| panic!("no message `{key}` in the catalogue"))
        .clone()
}

/// A moment as the database stores it (UTC).
pub fn utc(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").expect("test time")
}

/// A site with its own database, uploads folder and settable clock.
pub struct TestSite {
    pub dir: TempDir,
    pub state: web::Data<AppState>,
    clock: Arc<Mutex<NaiveDateTime>>,
    /// The site's PostgreSQL database, dropped with the site.
    _pg: Option<PgDatabase>,
}

/// The PostgreSQL server the suite runs against: `LOA_TEST_POSTGRES`, a
/// URL without a database name (`postgres://postgres@127.0.0.1:5433`)
/// whose role may create databases. `cargo xtask test` starts a throwaway
/// cluster and runs the integration tests a second time with it set.
pub fn postgres() -> Option<String> {
    std::env::var("LOA_TEST_POSTGRES")
        .ok()
        .filter(|url| !url.is_empty())
        .map(|url| url.trim_end_matches('/').to_owned())
}

/// Whether this run's sites are on PostgreSQL. Tests of what only one
/// backend has (SQLite's WAL, its query plans, `loa backup`'s file copy)
/// return early on the other, saying so.
pub fn on_postgres() -> bool {
    postgres().is_some()
}

/// For tests of what only SQLite has (its WAL, its query plans, the file
/// copy of `loa backup`): true, after saying so, when this run is on
/// PostgreSQL, and the test then returns.
pub fn sqlite_only(what: &str) -> bool {
    let skip = on_postgres();
    if skip {
        eprintln!("SQLite only ({what}): skipped on PostgreSQL");
    }
    skip
}

/// A database for a real `loa serve` process: a PostgreSQL database of its
/// own when the suite runs there (kept while the first value lives), else
/// a SQLite file in `dir`.
pub fn server_database(dir: &Path) -> (Option<PgDatabase>, String) {
    match PgDatabase::empty() {
        Some(db) => {
            let url = db.url();
            (Some(db), url)
        }
        None => (None, dir.join("loa.db").to_string_lossy().into_owned()),
    }
}

/// A database of one test on the PostgreSQL server, copied from a
/// template migrated once per test process (a copy takes milliseconds,
/// the migrations a second).
pub struct PgDatabase {
    server: String,
    name: String,
}

impl PgDatabase {
    /// A new, empty (not migrated) database on the test server, dropped
    /// with the value; None when this run is not on PostgreSQL.
    pub fn empty() -> Option<Self> {
        use diesel::{Connection, RunQueryDsl};
        use std::sync::atomic::{AtomicUsize, Ordering};
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let server = postgres()?;
        let name = format!(
            "loa_empty_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let mut admin = diesel::PgConnection::establish(&format!("{server}/postgres"))
            .expect("the test PostgreSQL server (LOA_TEST_POSTGRES)");
        diesel::sql_query(format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .expect("create a database");
        Some(Self { server, name })
    }

    fn create(server: &str) -> Self {
        use diesel::{Connection, RunQueryDsl};
        use std::sync::atomic::{AtomicUsize, Ordering};
        static TEMPLATE: OnceLock<String> = OnceLock::new();
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let admin = || {
            diesel::PgConnection::establish(&format!("{server}/postgres"))
                .expect("the test PostgreSQL server (LOA_TEST_POSTGRES)")
        };
        let pid = std::process::id();
        let template = TEMPLATE.get_or_init(|| {
            let name = format!("loa_template_{pid}");
            diesel::sql_query(format!("DROP DATABASE IF EXISTS {name}"))
                .execute(&mut admin())
                .expect("drop an old template");
            diesel::sql_query(format!("CREATE DATABASE {name}"))
                .execute(&mut admin())
                .expect("create the template");
            // Migrated, then closed: a template must have no connections.
            drop(storage::open_pool(&format!("{server}/{name}"), 1).expect("migrate the template"));
            name
        });
        let name = format!("loa_test_{pid}_{}", NEXT.fetch_add(1, Ordering::Relaxed));
        diesel::sql_query(format!("CREATE DATABASE {name} TEMPLATE {template}"))
            .execute(&mut admin())
            .expect("create a test database");
        Self {
            server: server.to_owned(),
            name,
        }
    }

    pub fn url(&self) -> String {
        format!("{}/{}", self.server, self.name)
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        use diesel::{Connection, RunQueryDsl};
        if let Ok(mut admin) = diesel::PgConnection::establish(&format!("{}/postgres", self.server))
        {
            let _ = diesel::sql_query(format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ))
            .execute(&mut admin);
        }
    }
}

impl TestSite {
    /// An empty site (no entries), the clock at 2026-01-01 00:00 UTC.
    pub fn new() -> Self {
        Self::with_config(|_| {})
    }

    pub fn with_config(adjust: impl FnOnce(&mut Config)) -> Self {
        Self::build(adjust, |s| s)
    }

    /// A site whose config and state the test adjusts.
    pub fn build(
        adjust: impl FnOnce(&mut Config),
        state_fn: impl FnOnce(AppState) -> AppState,
    ) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let pg = postgres().map(|server| PgDatabase::create(&server));
        let mut config = Config {
            database: match &pg {
                Some(db) => db.url(),
                None => dir.path().join("loa.db").to_string_lossy().into_owned(),
            },
            uploads: dir.path().join("uploads"),
            themes: repo().join("themes"),
            content: site_dir(),
            ..Config::default()
        };
        adjust(&mut config);
        std::fs::create_dir_all(&config.uploads).expect("uploads dir");
        let pool = storage::open_pool(&config.database, 4).expect("pool");
        let clock = Arc::new(Mutex::new(utc("2026-01-01 00:00:00")));
        let c = clock.clone();
        // Tests write to the database directly, as another server or the
        // CLI would; reading the page cache's change log on every request
        // (instead of every second) makes such writes visible at once.
        let state = state_fn(
            AppState::new(config, pool)
                .expect("state")
                .with_clock(Arc::new(move || *c.lock().unwrap()))
                .with_cache_sync(std::time::Duration::ZERO),
        );
        Self {
            dir,
            state: web::Data::new(state),
            clock,
            _pg: pg,
        }
    }

    /// A site with the test site ([`site_dir`]) imported.
    pub fn with_content() -> Self {
        let site = Self::new();
        let report = site.import(&site_dir());
        assert!(report.failed.is_empty(), "{:?}", report.failed);
        // As `serve` does: the content is in before the first request.
        site.state
            .cache
            .read_log(&mut site.conn(), site.now())
            .expect("change log");
        site
    }

    pub fn import(&self, dir: &Path) -> import::Report {
        import::import_dir(
            &mut self.conn(),
            dir,
            &import::Target {
                uploads: &self.state.uploads,
                tz: self.state.config.tz(),
                now: self.now(),
                progress: false,
            },
        )
        .expect("import")
    }

    /// Creates a staff account; returns its id.
    pub fn add_user(&self, name: &str, role: loa::domain::user::Role, password: &str) -> i32 {
        let hash = loa::auth::hash(password).expect("hash");
        storage::users::create(&mut self.conn(), name, "", &hash, role, self.now())
            .expect("user")
            .id
    }

    pub fn conn(&self) -> storage::Conn {
        self.state.pool.get().expect("connection")
    }

    pub fn now(&self) -> NaiveDateTime {
        *self.clock.lock().unwrap()
    }

    pub fn set_now(&self, t: NaiveDateTime) {
        *self.clock.lock().unwrap() = t;
    }

    pub async fn client(
        &self,
    ) -> Client<
        impl Service<Request, Response = ServiceResponse<impl MessageBody>, Error = actix_web::Error>,
    > {
        Client {
            app: test::init_service(build_app(self.state.clone())).await,
            cookies: BTreeMap::new(),
        }
    }
}

/// A browser stand-in: sends requests to the app and keeps its cookies.
pub struct Client<S> {
    app: S,
    pub cookies: BTreeMap<String, String>,
}

/// A response, read whole.
/// A response whose body is kept as bytes.
pub struct RawPage {
    pub status: StatusCode,
    pub headers: actix_web::http::header::HeaderMap,
    pub body: actix_web::web::Bytes,
}

pub struct Page {
    pub status: StatusCode,
    pub headers: actix_web::http::header::HeaderMap,
    pub body: String,
    /// The body as sent (PDF files and other binary answers).
    pub bytes: Vec<u8>,
}

impl Page {
    pub fn html(&self) -> Html {
        Html::parse_document(&self.body)
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }

    /// Text of every element matching `css`, whitespace folded.
    pub fn texts(&self, css: &str) -> Vec<String> {
        let sel = Selector::parse(css).expect("selector");
        self.html()
            .select(&sel)
            .map(|e| fold(&e.text().collect::<String>()))
            .collect()
    }

    pub fn text(&self, css: &str) -> String {
        self.texts(css).into_iter().next().unwrap_or_default()
    }

    /// Attribute `attr` of the first element matching `css`.
    pub fn attr(&self, css: &str, attr: &str) -> Option<String> {
        let sel = Selector::parse(css).expect("selector");
        self.html()
            .select(&sel)
            .next()
            .and_then(|e| e.value().attr(attr))
            .map(str::to_owned)
    }

    pub fn count(&self, css: &str) -> usize {
        let sel = Selector::parse(css).expect("selector");
        self.html().select(&sel).count()
    }

    /// The form's hidden anti-forgery token: on an entry page the comment
    /// form's (the rating form, above it, has its own).
    pub fn token(&self) -> String {
        self.attr("form.comment-form input[name=csrf_token]", "value")
            .or_else(|| self.attr("input[name=csrf_token]", "value"))
            .expect("form has a token")
    }
}

/// Folds runs of whitespace (including no-break spaces) to one space.
pub fn fold(s: &str) -> String {
    s.split(|c: char| c.is_whitespace() || c == '\u{a0}')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

impl<S, B> Client<S>
where
    S: Service<Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    fn cookie_header(&self) -> Option<String> {
        (!self.cookies.is_empty()).then(|| {
            self.cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; ")
        })
    }

    /// Sends a request built by the test (extra headers, other methods).
    pub async fn send_with(&mut self, req: test::TestRequest) -> Page {
        self.send(req).await
    }

    async fn send(&mut self, mut req: test::TestRequest) -> Page {
        if let Some(c) = self.cookie_header() {
            req = req.insert_header(("cookie", c));
        }
        let res = test::call_service(&self.app, req.to_request()).await;
        for c in res.response().cookies() {
            let removed = c.max_age().is_some_and(|a| a.is_zero() || a.is_negative());
            if removed || c.value().is_empty() {
                self.cookies.remove(c.name());
            } else {
                self.cookies
                    .insert(c.name().to_owned(), c.value().to_owned());
            }
        }
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = test::read_body(res).await;
        Page {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            bytes: bytes.to_vec(),
        }
    }

    /// Like `send_with`, keeping the body's bytes as sent (compressed).
    pub async fn send_raw(&mut self, mut req: test::TestRequest) -> RawPage {
        if let Some(c) = self.cookie_header() {
            req = req.insert_header(("cookie", c));
        }
        let res = test::call_service(&self.app, req.to_request()).await;
        let status = res.status();
        let headers = res.headers().clone();
        RawPage {
            status,
            headers,
            body: test::read_body(res).await,
        }
    }

    pub async fn get(&mut self, path: &str) -> Page {
        self.send(test::TestRequest::get().uri(path)).await
    }

    pub async fn post_form(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        self.post_form_with(path, fields, &[]).await
    }

    /// A form POST with extra headers (a `Referer`, say).
    pub async fn post_form_with(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        headers: &[(&str, &str)],
    ) -> Page {
        let body = serde_urlencoded::to_string(fields).expect("form encoding");
        let mut req = test::TestRequest::post()
            .uri(path)
            .insert_header(("content-type", "application/x-www-form-urlencoded"))
            .set_payload(body);
        for &(name, value) in headers {
            req = req.insert_header((name.to_owned(), value.to_owned()));
        }
        self.send(req).await
    }

    /// A form POST from a given client address (per-address rules).
    pub async fn post_form_from(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        addr: &str,
    ) -> Page {
        let body = serde_urlencoded::to_string(fields).expect("form encoding");
        self.send(
            test::TestRequest::post()
                .uri(path)
                .peer_addr(addr.parse().expect("socket address"))
                .insert_header(("content-type", "application/x-www-form-urlencoded"))
                .set_payload(body),
        )
        .await
    }

    pub async fn post_raw(&mut self, path: &str, content_type: &str, body: Vec<u8>) -> Page {
        self.send(
            test::TestRequest::post()
                .uri(path)
                .insert_header(("content-type", content_type))
                .set_payload(body),
        )
        .await
    }

    /// Signs in through the login form; returns the response.
    pub async fn login(&mut self, username: &str, password: &str) -> Page {
        let form = self.get("/admin/login").await;
        let token = form.token();
        self.post_form(
            "/admin/login",
            &[
                ("username", username),
                ("password", password),
                ("csrf_token", &token),
            ],
        )
        .await
    }

    /// The anti-forgery token of the signed-in session (from the dashboard).
    pub async fn admin_token(&mut self) -> String {
        self.get("/admin").await.token()
    }

    /// GET `path` as a browser revalidating its copy (`If-None-Match`).
    pub async fn revalidate(&mut self, path: &str, etag: &str) -> Page {
        self.send(
            test::TestRequest::get()
                .uri(path)
                .insert_header(("if-none-match", etag)),
        )
        .await
    }

    /// Opens entry `id`'s editor, sets `changes` on its form (`action`
    /// included) and posts it back, as an editor does.
    pub async fn edit_entry(&mut self, id: i32, changes: &[(&str, &str)]) -> Page {
        let path = format!("/admin/entries/{id}/edit");
        let mut fields = edit_fields(&self.get(&path).await);
        for (name, value) in changes {
            set(&mut fields, name, value);
        }
        self.post_form(&path, &as_refs(&fields)).await
    }

    /// Forgets every cookie: another reader on another device.
    pub fn forget(&mut self) {
        self.cookies.clear();
    }
}

/// The id of the reference article (`TestSite::with_content`).
pub fn reference_id(site: &TestSite) -> i32 {
    loa::storage::entries::find_by_slug(
        &mut site.conn(),
        "so-vhtt-ha-noi-tang-cuong-thong-tin-tuyen-truyen-ve-cai-cach-hanh-chinh",
    )
    .unwrap()
    .unwrap()
    .id
}

/// Builds an entry for a test and saves it through the real write path.
pub struct EntryBuilder {
    pub data: EntryData,
    pub tags: Vec<String>,
}

pub fn entry(kind: EntryKind, title: &str) -> EntryBuilder {
    let slug = loa::domain::slug::slugify(title);
    EntryBuilder {
        data: EntryData {
            kind,
            slug,
            title: title.to_owned(),
            summary: format!("Tóm tắt: {title}"),
            body_md: format!("Nội dung của {title}."),
            body_html: String::new(),
            byline: "Phương Uyên".into(),
            category_id: None,
            image_path: None,
            image_alt: String::new(),
            image_caption: String::new(),
            image_width: None,
            image_height: None,
            comments_open: true,
            featured: false,
            status: Status::Published,
            publish_at: Some(utc("2025-06-01 08:00:00")),
            bulletin_series: None,
            bulletin_number: None,
            bulletin_year: None,
            leaflet_format: None,
        },
        tags: Vec::new(),
    }
}

impl EntryBuilder {
    pub fn status(mut self, s: Status) -> Self {
        self.data.status = s;
        self
    }
    pub fn at(mut self, t: &str) -> Self {
        self.data.publish_at = Some(utc(t));
        self
    }
    pub fn body(mut self, md: &str) -> Self {
        self.data.body_md = md.to_owned();
        self
    }
    pub fn category(mut self, id: i32) -> Self {
        self.data.category_id = Some(id);
        self
    }
    pub fn tags(mut self, tags: &[&str]) -> Self {
        self.tags = tags.iter().map(|t| t.to_string()).collect();
        self
    }
    pub fn comments_closed(mut self) -> Self {
        self.data.comments_open = false;
        self
    }
    /// Saves it; returns the id and its public path.
    pub fn save(mut self, conn: &mut Db) -> (i32, String) {
        self.save_ref(conn)
    }

    /// Saves it and keeps the builder, to change and save again.
    pub fn save_ref(&mut self, conn: &mut Db) -> (i32, String) {
        self.data.body_html = markdown::render(&self.data.body_md).into_string();
        let saved = loa::service::entries::save_by_slug(
            conn,
            &self.data,
            &self.tags,
            "test",
            utc("2025-06-01 08:00:00"),
        )
        .expect("save entry");
        (saved.id(), self.data.kind.entry_path(&self.data.slug))
    }
}

pub fn category(conn: &mut Db, slug: &str, name: &str) -> i32 {
    storage::categories::upsert(
        conn,
        &storage::categories::CategoryData {
            slug: slug.into(),
            name: name.into(),
            description: String::new(),
            position: 0,
        },
    )
    .expect("category")
    .id
}

/// A complete editor form for a new article.
pub fn article_form<'a>(
    token: &'a str,
    title: &'a str,
    action: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("csrf_token", token),
        ("kind", "article"),
        ("title", title),
        ("slug", ""),
        ("summary", "Tóm tắt bài."),
        ("body_md", "## Mục một\n\nNội dung bài viết."),
        ("byline", "Phương Uyên"),
        ("category_id", ""),
        ("tags", "Cải cách hành chính, Số hóa"),
        ("publish_at", ""),
        ("comments_open", "1"),
        ("action", action),
    ]
}

/// The editor form of an existing entry, as the page fills it in.
pub fn edit_fields(page: &Page) -> Vec<(String, String)> {
    let html = page.html();
    let mut out = Vec::new();
    let inputs = scraper::Selector::parse(
        "form.entry-form input, form.entry-form textarea, form.entry-form select",
    )
    .unwrap();
    for el in html.select(&inputs) {
        let v = el.value();
        let Some(name) = v.attr("name") else { continue };
        let value = match v.name() {
            "textarea" => el.text().collect::<String>(),
            "select" => {
                let opt = scraper::Selector::parse("option[selected]").unwrap();
                el.select(&opt)
                    .next()
                    .and_then(|o| o.value().attr("value"))
                    .unwrap_or("")
                    .to_owned()
            }
            _ if v.attr("type") == Some("checkbox") => {
                if v.attr("checked").is_none() {
                    continue;
                }
                v.attr("value").unwrap_or("1").to_owned()
            }
            _ => v.attr("value").unwrap_or("").to_owned(),
        };
        out.push((name.to_owned(), value));
    }
    out
}

pub fn set(fields: &mut Vec<(String, String)>, name: &str, value: &str) {
    match fields.iter_mut().find(|(k, _)| k == name) {
        Some(f) => f.1 = value.to_owned(),
        None => fields.push((name.to_owned(), value.to_owned())),
    }
}

pub fn as_refs(fields: &[(String, String)]) -> Vec<(&str, &str)> {
    fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

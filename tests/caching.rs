//! Caching (issue 7): the in-memory page cache and how it is kept current
//! (publishing, editing, unpublishing, approved comments, category
//! renames, writes by another server), who bypasses it, strong ETags and
//! 304s, compressed copies identical to the page, content-hashed theme
//! assets cached for a year, HEAD answered.

use crate::common;

use std::io::Read;

use actix_web::http::StatusCode;
use common::{Client, Page, TestSite, article_form, entry};
use loa::domain::entry::EntryKind;
use loa::domain::user::Role;

const PW: &str = "mat-khau-du-dai";
const ARTICLE: &str =
    "/articles/so-vhtt-ha-noi-tang-cuong-thong-tin-tuyen-truyen-ve-cai-cach-hanh-chinh";

#[actix_web::test]
async fn shared_pages_revalidate_with_a_strong_etag() {
    // The change log read every second, as in production.
    let site = TestSite::build(|_| {}, |s| s.with_cache_sync(loa::web::cache::SYNC_EVERY));
    site.import(&common::site_dir());
    site.state
        .cache
        .read_log(&mut site.conn(), site.now())
        .unwrap();
    let mut c = site.client().await;
    for path in [
        "/",
        "/articles",
        "/categories/tin-nganh",
        "/feed.xml",
        "/sitemap.xml",
        "/search?q=hanh+chinh",
    ] {
        let first = c.get(path).await;
        let etag = first
            .header("etag")
            .unwrap_or_else(|| panic!("{path} has no ETag"));
        assert!(
            etag.starts_with('"') && !etag.starts_with("W/"),
            "{path}: strong: {etag}"
        );
        let again = c.revalidate(path, &etag).await;
        assert_eq!(again.status, StatusCode::NOT_MODIFIED, "{path}");
        assert!(again.body.is_empty());
        assert_eq!(again.header("etag"), Some(etag));
    }
    // Without If-None-Match, If-Modified-Since is honoured.
    let home = c.get("/").await;
    let modified = home.header("last-modified").expect("Last-Modified");
    let again = c
        .send_with(
            actix_web::test::TestRequest::get()
                .uri("/")
                .insert_header(("if-modified-since", modified.as_str())),
        )
        .await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    // Something new is published by another writer (the CLI, another
    // server on the same database): within a second every server's cached
    // home page is dropped and the validator changes.
    let before = home.header("etag");
    entry(EntryKind::Article, "Tin mới nhất hôm nay")
        .at("2025-12-31 00:00:00")
        .save(&mut site.conn());
    // A second passes on the site's clock (the cache reads no other).
    site.set_now(site.now() + chrono::Duration::milliseconds(1100));
    let after = c.get("/").await;
    assert_ne!(after.header("etag"), before);
    assert!(after.body.contains("Tin mới nhất hôm nay"));
}

#[actix_web::test]
async fn each_encoding_has_its_own_validator_and_the_content_survives() {
    let site = TestSite::with_content();
    let mut c = site.client().await;
    let plain = c.get("/articles").await;
    let gz = c
        .send_with(
            actix_web::test::TestRequest::get()
                .uri("/articles")
                .insert_header(("accept-encoding", "gzip")),
        )
        .await;
    assert_eq!(gz.header("content-encoding").as_deref(), Some("gzip"));
    assert_ne!(gz.header("etag"), plain.header("etag"));
    assert!(
        gz.header("vary")
            .unwrap_or_default()
            .to_lowercase()
            .contains("accept-encoding")
    );
}

#[actix_web::test]
async fn entry_pages_are_cached_but_each_browser_gets_its_own_token() {
    let site = TestSite::with_content();
    let mut a = site.client().await;
    let mut b = site.client().await;
    let pa = a.get(ARTICLE).await;
    let pb = b.get(ARTICLE).await;
    // Personal (the token), so not for shared caches.
    assert_eq!(
        pa.header("cache-control").as_deref(),
        Some("private, no-cache")
    );
    assert!(a.cookies.contains_key("loa_fid") && b.cookies.contains_key("loa_fid"));
    assert_ne!(pa.token(), pb.token(), "one token per browser");
    assert_eq!(without_token(&pa), without_token(&pb), "the same page");
    assert_ne!(pa.header("etag"), pb.header("etag"));
    // Each browser revalidates its own copy.
    let etag = pa.header("etag").expect("ETag");
    let again = a.revalidate(ARTICLE, &etag).await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    // The token from the cached page is accepted: b's comment is received.
    site.set_now(site.now() + chrono::Duration::seconds(20));
    let posted = comment(&mut b, &pb.token()).await;
    assert_eq!(posted.status, StatusCode::SEE_OTHER, "{}", posted.body);
    // a's token is not b's.
    site.set_now(site.now() + chrono::Duration::seconds(20));
    let refused = comment(&mut b, &pa.token()).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[actix_web::test]
async fn with_a_shared_cache_an_entry_page_is_the_same_bytes_for_every_reader() {
    let site = TestSite::build(
        |c| {
            c.shared_cache_seconds = 30;
            c.page_cache_mib = 0; // what loa renders, not its own cache
        },
        |s| s,
    );
    site.import(&common::site_dir());
    let mut a = site.client().await;
    let mut b = site.client().await;
    let pa = a.get(ARTICLE).await;
    let pb = b.get(ARTICLE).await;
    // A cache in front may keep it 30 s; browsers check it each time.
    assert_eq!(
        pa.header("cache-control").as_deref(),
        Some("public, max-age=0, s-maxage=30")
    );
    assert_eq!(
        pa.body, pb.body,
        "one page for everyone, its token included"
    );
    assert!(
        pa.header("set-cookie").is_none(),
        "a shared page sets no cookie"
    );
    assert!(a.cookies.is_empty());
    // Listings carry the same shared lifetime.
    assert_eq!(
        a.get("/articles").await.header("cache-control").as_deref(),
        Some("public, max-age=60, s-maxage=30")
    );
    // A citizen with no cookie at all comments with the shared token.
    site.set_now(site.now() + chrono::Duration::seconds(20));
    let posted = comment(&mut b, &pb.token()).await;
    assert_eq!(posted.status, StatusCode::SEE_OTHER, "{}", posted.body);
    // Now b has a comment awaiting moderation: its page is its own.
    let own = b.get(ARTICLE).await;
    assert_eq!(
        own.header("cache-control").as_deref(),
        Some("private, no-cache")
    );
    assert!(
        own.body
            .contains("Xin hỏi thủ tục đăng ký biểu diễn nghệ thuật.")
    );
    assert!(!a.get(ARTICLE).await.body.contains("Xin hỏi thủ tục"));
    // The shared token is for this entry only.
    let other = id_at(&site, ARTICLE) + 1;
    let forged = site.state.keys.comment_token(
        other,
        site.now().and_utc().timestamp(),
        loa::web::tokens::SHARED,
    );
    let mut c = site.client().await;
    let refused = comment(&mut c, &forged).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Signed-in staff never get the shared page.
    site.add_user("bientap", Role::Editor, PW);
    let mut staff = site.client().await;
    staff.login("bientap", PW).await;
    let theirs = staff.get(ARTICLE).await;
    assert_eq!(
        theirs.header("cache-control").as_deref(),
        Some("private, no-cache")
    );
}

#[actix_web::test]
async fn loas_own_cache_keeps_the_shared_entry_page_whole() {
    let site = TestSite::build(|c| c.shared_cache_seconds = 30, |s| s);
    site.import(&common::site_dir());
    let mut a = site.client().await;
    let mut b = site.client().await;
    let pa = a.get(ARTICLE).await;
    let pb = b.get(ARTICLE).await;
    assert_eq!(pa.body, pb.body);
    // One validator for everyone, so a shared cache can revalidate.
    let etag = pa.header("etag").expect("ETag");
    assert_eq!(pb.header("etag").as_deref(), Some(etag.as_str()));
    assert_eq!(
        b.revalidate(ARTICLE, &etag).await.status,
        StatusCode::NOT_MODIFIED
    );
    let br = a
        .send_raw(
            actix_web::test::TestRequest::get()
                .uri(ARTICLE)
                .insert_header(("accept-encoding", "br")),
        )
        .await;
    assert_eq!(
        br.headers
            .get("content-encoding")
            .and_then(|v| v.to_str().ok()),
        Some("br")
    );
    assert_eq!(unbrotli(&br.body), pa.body);
}

/// The page with its comment token blanked out.
fn without_token(page: &Page) -> String {
    page.body.replace(&page.token(), "")
}

async fn comment<S, B>(c: &mut Client<S>, token: &str) -> Page
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    c.post_form(
        &format!("{ARTICLE}/comments"),
        &[
            ("content", "Xin hỏi thủ tục đăng ký biểu diễn nghệ thuật."),
            ("author_name", "Trần Thị Bình"),
            ("author_email", "binh@example.vn"),
            ("author_url", ""),
            ("parent_id", ""),
            ("csrf_token", token),
            ("loa_website", ""),
            ("consent", "1"),
        ],
    )
    .await
}

/// The id of the entry at `path` (`/articles/<slug>` and the like).
fn id_at(site: &TestSite, path: &str) -> i32 {
    let slug = path.rsplit('/').next().unwrap_or_default();
    loa::storage::entries::find_by_slug(&mut site.conn(), slug)
        .unwrap()
        .unwrap()
        .id
}

fn gunzip(bytes: &[u8]) -> String {
    let mut out = String::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_string(&mut out)
        .expect("valid gzip");
    out
}

fn unbrotli(bytes: &[u8]) -> String {
    let mut out = Vec::new();
    brotli::Decompressor::new(bytes, 4096)
        .read_to_end(&mut out)
        .expect("valid brotli");
    String::from_utf8(out).expect("UTF-8")
}

#[actix_web::test]
async fn compressed_copies_are_the_same_page() {
    let site = TestSite::with_content();
    let mut c = site.client().await;
    for path in ["/", "/articles", "/feed.xml", ARTICLE] {
        let plain = c.get(path).await;
        assert_eq!(plain.status, StatusCode::OK, "{path}");
        assert_eq!(plain.header("content-encoding"), None);
        for (coding, decode) in [("gzip", gunzip as fn(&[u8]) -> String), ("br", unbrotli)] {
            let res = c
                .send_raw(
                    actix_web::test::TestRequest::get()
                        .uri(path)
                        .insert_header(("accept-encoding", coding)),
                )
                .await;
            let used = res
                .headers
                .get("content-encoding")
                .map(|v| v.to_str().unwrap().to_owned());
            assert_eq!(used.as_deref(), Some(coding), "{path}");
            let text = match used.as_deref() {
                Some("gzip") => gunzip(&res.body),
                Some(_) => decode(&res.body),
                None => String::from_utf8(res.body.to_vec()).unwrap(),
            };
            if path == ARTICLE {
                let token = Page {
                    status: StatusCode::OK,
                    headers: Default::default(),
                    body: text.clone(),
                    bytes: Default::default(),
                }
                .token();
                assert_eq!(
                    text.replace(&token, ""),
                    without_token(&plain),
                    "{path} {coding}"
                );
            } else {
                assert_eq!(text, plain.body, "{path} {coding}");
            }
        }
        let both = c
            .send_raw(
                actix_web::test::TestRequest::get()
                    .uri(path)
                    .insert_header(("accept-encoding", "gzip, deflate, br")),
            )
            .await;
        let used = both
            .headers
            .get("content-encoding")
            .unwrap()
            .to_str()
            .unwrap();
        assert_eq!(used, if path == ARTICLE { "gzip" } else { "br" }, "{path}");
    }
}

#[actix_web::test]
async fn publishing_editing_and_unpublishing_show_at_once() {
    let site = TestSite::with_content();
    site.add_user("bientap", Role::Editor, PW);
    let mut editor = site.client().await;
    editor.login("bientap", PW).await;
    let mut reader = site.client().await;
    let home = reader.get("/").await;
    assert!(!home.body.contains("Lịch tiếp công dân tháng Giêng"));
    reader.get("/articles").await;
    reader.get(ARTICLE).await;
    assert!(site.state.cache.usage().0 >= 3, "pages are kept");

    // Publish: the new article is on the cached home page and listing.
    let token = editor.admin_token().await;
    let res = editor
        .post_form(
            "/admin/entries/new",
            &article_form(&token, "Lịch tiếp công dân tháng Giêng", "publish"),
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert!(
        reader
            .get("/")
            .await
            .body
            .contains("Lịch tiếp công dân tháng Giêng")
    );
    assert!(
        reader
            .get("/articles")
            .await
            .body
            .contains("Lịch tiếp công dân tháng Giêng")
    );

    // Edit: the new title is on the entry's cached page and in listings.
    let id = id_at(&site, ARTICLE);
    let res = editor
        .edit_entry(
            id,
            &[
                (
                    "title",
                    "Tăng cường tuyên truyền cải cách hành chính năm 2026",
                ),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(
        reader.get(ARTICLE).await.text("h1"),
        "Tăng cường tuyên truyền cải cách hành chính năm 2026"
    );
    assert!(
        reader
            .get("/")
            .await
            .body
            .contains("Tăng cường tuyên truyền cải cách hành chính năm 2026")
    );

    // Unpublish: gone from its address and from the listings.
    let res = editor.edit_entry(id, &[("action", "unpublish")]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(reader.get(ARTICLE).await.status, StatusCode::NOT_FOUND);
    assert!(
        !reader
            .get("/articles")
            .await
            .body
            .contains("Tăng cường tuyên truyền cải cách")
    );
}

#[actix_web::test]
async fn an_approved_comment_shows_on_the_cached_page() {
    let site = TestSite::with_content();
    site.add_user("kiemduyet", Role::Moderator, PW);
    let mut writer = site.client().await;
    let mut reader = site.client().await;
    reader.get(ARTICLE).await;
    let page = writer.get(ARTICLE).await;
    site.set_now(site.now() + chrono::Duration::seconds(20));
    assert_eq!(
        comment(&mut writer, &page.token()).await.status,
        StatusCode::SEE_OTHER
    );
    // Awaiting moderation: the writer sees it (bypassing the cache), other
    // readers do not.
    assert!(
        writer
            .get(ARTICLE)
            .await
            .body
            .contains("Xin hỏi thủ tục đăng ký")
    );
    assert!(
        !reader
            .get(ARTICLE)
            .await
            .body
            .contains("Xin hỏi thủ tục đăng ký")
    );

    let mut moderator = site.client().await;
    moderator.login("kiemduyet", PW).await;
    // Staff bypass the cache: the moderator sees the pending comment in
    // place, with the buttons to act on it.
    let seen = moderator.get(ARTICLE).await;
    assert!(seen.body.contains("Xin hỏi thủ tục đăng ký"));
    let id = seen
        .attr("form[action$='/approve']", "action")
        .expect("approve button on the page");
    let token = moderator.admin_token().await;
    let res = moderator
        .post_form(&id, &[("csrf_token", &token), ("back", ARTICLE)])
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert!(
        reader
            .get(ARTICLE)
            .await
            .body
            .contains("Xin hỏi thủ tục đăng ký")
    );
}

/// An entry whose comments are closed has no form and so no token: its
/// page is the same for every reader and is kept whole (it used to be
/// rendered again for every reader, slower than with no cache at all),
/// and still leaves the cache when its entry changes.
#[actix_web::test]
async fn a_page_without_a_comment_form_is_kept_and_follows_its_entry() {
    const LEAFLET: &str = "/leaflets/chi-tieu-cai-cach-hanh-chinh-2022-to-gap";
    let site = TestSite::with_content();
    site.add_user("bientap", Role::Editor, PW);
    let mut reader = site.client().await;
    let first = reader.get(LEAFLET).await;
    assert_eq!(first.status, StatusCode::OK);
    assert!(first.attr("form[action$='/comments']", "action").is_none());
    let held = site.state.cache.usage().0;
    assert!(held >= 1, "the leaflet's page is kept");
    let etag = first.header("etag").expect("a kept page has an ETag");
    let again = reader.revalidate(LEAFLET, &etag).await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    // Another reader gets the same bytes from the cache.
    let mut other = site.client().await;
    assert_eq!(other.get(LEAFLET).await.body, first.body);
    assert_eq!(site.state.cache.usage().0, held, "built once");

    // An edit shows at once.
    let mut editor = site.client().await;
    editor.login("bientap", PW).await;
    let res = editor
        .edit_entry(
            id_at(&site, LEAFLET),
            &[
                ("title", "Tờ gấp chỉ tiêu cải cách hành chính, bản mới"),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let after = reader.get(LEAFLET).await;
    assert_eq!(
        after.text("h1"),
        "Tờ gấp chỉ tiêu cải cách hành chính, bản mới"
    );
    assert_ne!(after.header("etag"), Some(etag));
}

#[actix_web::test]
async fn a_category_rename_shows_on_every_cached_page() {
    let site = TestSite::with_content();
    site.add_user("bientap", Role::Editor, PW);
    let mut editor = site.client().await;
    editor.login("bientap", PW).await;
    let mut reader = site.client().await;
    for path in ["/", ARTICLE, "/articles"] {
        assert!(reader.get(path).await.body.contains("Tin ngành"), "{path}");
    }
    let cat = loa::storage::categories::find_by_slug(&mut site.conn(), "tin-nganh")
        .unwrap()
        .unwrap();
    let token = editor.admin_token().await;
    editor
        .post_form(
            &format!("/admin/categories/{}", cat.id),
            &[
                ("csrf_token", token.as_str()),
                ("name", "Tin hoạt động ngành"),
                ("description", ""),
                ("position", "1"),
            ],
        )
        .await;
    for path in ["/", ARTICLE, "/articles"] {
        assert!(
            reader.get(path).await.body.contains("Tin hoạt động ngành"),
            "{path}"
        );
    }
}

/// Public pages keep the site's name and navigation between changes
/// instead of reading them for every page: with no page cache at all, a
/// change made elsewhere (the CLI, another server) still shows on the
/// next page once the change log is read.
#[actix_web::test]
async fn the_site_name_and_navigation_follow_changes_without_a_page_cache() {
    let site = TestSite::with_config(|c| c.page_cache_mib = 0);
    let report = site.import(&common::site_dir());
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    let mut reader = site.client().await;
    for path in ["/", ARTICLE, "/articles", "/search?q=van+hoa"] {
        assert!(reader.get(path).await.body.contains("Tin ngành"), "{path}");
    }
    {
        use diesel::RunQueryDsl;
        let conn = &mut site.conn();
        let cat = loa::storage::categories::find_by_slug(conn, "tin-nganh")
            .unwrap()
            .unwrap();
        diesel::sql_query("UPDATE categories SET name = 'Tin hoạt động ngành' WHERE id = $1")
            .bind::<diesel::sql_types::Integer, _>(cat.id)
            .execute(conn)
            .unwrap();
        loa::storage::settings::set(conn, "site.name", "Cổng thông tin thử nghiệm").unwrap();
    }
    for path in ["/", ARTICLE, "/articles", "/search?q=van+hoa"] {
        let page = reader.get(path).await;
        assert!(page.body.contains("Tin hoạt động ngành"), "{path}");
        assert!(page.body.contains("Cổng thông tin thử nghiệm"), "{path}");
    }
}

#[actix_web::test]
async fn theme_assets_are_fingerprinted_and_cached_for_a_year() {
    let site = TestSite::with_content();
    let mut c = site.client().await;
    let home = c.get("/").await;
    let css = home.attr("link[rel=stylesheet]", "href").unwrap();
    assert!(
        css.starts_with("/static/site.")
            && css.ends_with(".css")
            && css.len() > "/static/site.css".len(),
        "{css}"
    );
    let res = c.get(&css).await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(
        res.header("cache-control").as_deref(),
        Some("public, max-age=31536000, immutable")
    );
    assert!(res.header("content-type").unwrap().starts_with("text/css"));
    let real =
        std::fs::read_to_string(common::repo().join("themes/default/static/site.css")).unwrap();
    assert_eq!(res.body, real);
    // Plain names still work (feeds and JSON-LD link the logo), briefly cached.
    let logo = c.get("/static/logo.png").await;
    assert_eq!(
        logo.header("cache-control").as_deref(),
        Some("public, max-age=3600")
    );
    // A stale or made-up fingerprint, or a path outside the theme: 404.
    for bad in [
        "/static/site.0000000000.css",
        "/static/../Cargo.toml",
        "/static/%2e%2e/Cargo.toml",
    ] {
        assert_eq!(c.get(bad).await.status, StatusCode::NOT_FOUND, "{bad}");
    }
}

#[actix_web::test]
async fn head_is_answered_like_get_without_a_body() {
    let site = TestSite::with_content();
    let mut c = site.client().await;
    let res = c
        .send_with(
            actix_web::test::TestRequest::default()
                .method(actix_web::http::Method::HEAD)
                .uri("/articles"),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.body.is_empty());
    assert!(res.header("content-type").unwrap().starts_with("text/html"));
    let missing = c
        .send_with(
            actix_web::test::TestRequest::default()
                .method(actix_web::http::Method::HEAD)
                .uri("/khong-co"),
        )
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

/// What a server sends on the wire for `method path` (HTTP/1.1, the
/// connection closed after): the lower-cased header lines and the bytes
/// after them.
async fn on_the_wire(
    origin: std::net::SocketAddr,
    method: &str,
    path: &str,
) -> (Vec<String>, Vec<u8>) {
    let request =
        format!("{method} {path} HTTP/1.1\r\nHost: {origin}\r\nConnection: close\r\n\r\n");
    let raw = actix_web::rt::task::spawn_blocking(move || {
        use std::io::Write;
        let mut stream = std::net::TcpStream::connect(origin).unwrap();
        stream
            .set_read_timeout(Some(std::time::Duration::from_secs(30)))
            .unwrap();
        stream.write_all(request.as_bytes()).unwrap();
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).unwrap();
        raw
    })
    .await
    .unwrap();
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete head");
    let head = String::from_utf8_lossy(&raw[..end]).to_lowercase();
    (
        head.lines().map(str::to_owned).collect(),
        raw[end + 4..].to_vec(),
    )
}

fn content_length(head: &[String]) -> Option<usize> {
    head.iter()
        .find_map(|l| l.strip_prefix("content-length:"))
        .map(|v| v.trim().parse().expect("a number"))
}

/// A HEAD answer says the length its GET has (or none), and sends no
/// body: rendered for it, filled into the page cache by it, and served
/// from the cache.
#[actix_web::test]
async fn head_carries_the_length_of_get_and_no_body() {
    for cache_mib in [0, 64] {
        let site = TestSite::with_config(|c| c.page_cache_mib = cache_mib);
        site.import(&common::site_dir());
        site.state
            .cache
            .read_log(&mut site.conn(), site.now())
            .unwrap();
        let state = site.state.clone();
        let server =
            actix_web::HttpServer::new(move || loa::build_app(actix_web::web::Data::clone(&state)))
                .workers(1)
                .bind("127.0.0.1:0")
                .unwrap();
        let origin = server.addrs()[0];
        let server = server.run();
        let handle = server.handle();
        actix_web::rt::spawn(server);
        for path in [ARTICLE, "/articles"] {
            // Twice: the first fills the cache (when there is one), the
            // second is served from it.
            for round in ["first", "second"] {
                let (head, body) = on_the_wire(origin, "HEAD", path).await;
                let (get_head, get_body) = on_the_wire(origin, "GET", path).await;
                let what = format!("{path}, cache {cache_mib} MiB, {round} HEAD");
                assert!(head[0].starts_with("http/1.1 200"), "{what}: {head:?}");
                assert!(body.is_empty(), "{what}: HEAD sent a body");
                assert!(!get_body.is_empty(), "{what}: GET has a body");
                assert_eq!(content_length(&get_head), Some(get_body.len()), "{what}");
                if let Some(length) = content_length(&head) {
                    assert_eq!(length, get_body.len(), "{what}: the GET's length");
                }
            }
        }
        handle.stop(false).await;
    }
}

/// The reference article (with its comments) and its stylesheets come to
/// well under 30 KB compressed, with nothing fetched from another site.
#[actix_web::test]
async fn the_reference_article_is_lean() {
    let site = TestSite::with_content();
    let mut c = site.client().await;
    let page = c.get(ARTICLE).await;
    let gzip = |path: &str| {
        actix_web::test::TestRequest::get()
            .uri(path)
            .insert_header(("accept-encoding", "gzip"))
    };
    let html = c.send_raw(gzip(ARTICLE)).await;
    let mut total = html.body.len();
    let html_doc = page.html();
    let links = scraper::Selector::parse("link[href], script[src], img[src]").unwrap();
    for el in html_doc.select(&links) {
        let url = el
            .value()
            .attr("href")
            .or(el.value().attr("src"))
            .unwrap_or_default();
        // Links that are fetched (not canonical or feed addresses) stay
        // on this site.
        let fetched = el.value().name() != "link"
            || matches!(
                el.value().attr("rel"),
                Some("stylesheet" | "icon" | "preload")
            );
        assert!(
            !fetched || (!url.starts_with("http") && !url.starts_with("//")),
            "third-party request: {url}"
        );
        if el.value().attr("rel") == Some("stylesheet") {
            let css = c.send_raw(gzip(url)).await;
            assert_eq!(css.status, StatusCode::OK, "{url}");
            total += css.body.len();
        }
    }
    assert!(
        total < 30 * 1024,
        "{total} bytes of HTML and CSS, compressed"
    );
}

/// Photos are already compressed: they are sent as they are, while
/// stylesheets are compressed.
#[actix_web::test]
async fn images_are_not_compressed_again() {
    let site = TestSite::with_content();
    let mut c = site.client().await;
    let page = c.get(ARTICLE).await;
    let img = page
        .attr("meta[property='og:image']", "content")
        .expect("the reference article has a picture");
    let path = img.trim_start_matches("http://localhost");
    let res = c
        .send_raw(
            actix_web::test::TestRequest::get()
                .uri(path)
                .insert_header(("accept-encoding", "gzip, br")),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{path}");
    assert!(
        res.headers
            .get("content-type")
            .is_some_and(|v| v.to_str().unwrap().starts_with("image/")),
        "{path}"
    );
    assert_eq!(res.headers.get("content-encoding"), None, "{path}");
}

/// With the change log read once a second (as in production), an entry
/// scheduled for later appears on the cached home page at its time, with
/// nobody acting then.
#[actix_web::test]
async fn a_scheduled_entry_appears_on_cached_pages_on_time() {
    let site = TestSite::build(|_| {}, |s| s.with_cache_sync(loa::web::cache::SYNC_EVERY));
    site.add_user("bientap", Role::Editor, PW);
    site.set_now(common::utc("2026-03-01 01:00:00")); // 08:00 in Hanoi
    let mut editor = site.client().await;
    editor.login("bientap", PW).await;
    let token = editor.admin_token().await;
    let mut form = article_form(&token, "Lịch tiếp công dân tháng Ba", "publish");
    form.iter_mut().find(|(k, _)| *k == "publish_at").unwrap().1 = "2026-03-01T09:30";
    let res = editor.post_form("/admin/entries/new", &form).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let mut reader = site.client().await;
    for _ in 0..2 {
        assert!(
            !reader
                .get("/")
                .await
                .body
                .contains("Lịch tiếp công dân tháng Ba")
        );
    }
    site.set_now(common::utc("2026-03-01 02:30:00"));
    assert!(
        reader
            .get("/")
            .await
            .body
            .contains("Lịch tiếp công dân tháng Ba")
    );
}

#[actix_web::test]
async fn a_forwarded_host_cannot_file_its_page_under_the_real_host() {
    // Without base_url, pages carry absolute links to the request's Host.
    let site = TestSite::with_content();
    let mut c = site.client().await;
    let attack = c
        .send_with(
            actix_web::test::TestRequest::get()
                .uri("/")
                .insert_header(("host", "evil.example"))
                .insert_header(("x-forwarded-host", "loa.example"))
                .insert_header(("forwarded", "host=loa.example")),
        )
        .await;
    assert_eq!(attack.status, StatusCode::OK);
    assert!(attack.body.contains("http://evil.example/"));
    for _ in 0..2 {
        let home = c
            .send_with(
                actix_web::test::TestRequest::get()
                    .uri("/")
                    .insert_header(("host", "loa.example")),
            )
            .await;
        assert_eq!(home.status, StatusCode::OK);
        assert!(!home.body.contains("evil.example"), "{}", home.body);
        assert!(home.body.contains("http://loa.example/"));
    }
}

/// On PostgreSQL another server's change reaches this server's page cache
/// when it commits (the change log's `NOTIFY`), not at the next poll: here
/// the poll is an hour away, so only the notification can drop the page.
#[actix_web::test]
async fn on_postgresql_a_change_made_elsewhere_drops_the_cached_page_at_once() {
    use diesel::prelude::*;
    use loa::storage::schema::entries;
    if !common::on_postgres() {
        eprintln!("PostgreSQL only (LISTEN/NOTIFY): skipped on SQLite, where the poll serves");
        return;
    }
    let site = TestSite::build(
        |_| {},
        |s| s.with_cache_sync(std::time::Duration::from_secs(3600)),
    );
    site.import(&common::site_dir());
    site.state
        .cache
        .read_log(&mut site.conn(), site.now())
        .unwrap();
    loa::web::cache::listen(&site.state);
    let mut c = site.client().await;
    let before = c.get(ARTICLE).await;
    assert_eq!(before.status, StatusCode::OK);
    assert!(!before.body.contains("Tiêu đề sửa ở máy chủ khác"));
    // Another server (or the CLI) edits the title: a write this server
    // does not see, committed on its own connection.
    diesel::update(entries::table.filter(entries::slug.eq(ARTICLE.rsplit('/').next().unwrap())))
        .set(entries::title.eq("Tiêu đề sửa ở máy chủ khác"))
        .execute(&mut site.conn())
        .unwrap();
    // A bound only so that a lost notification fails instead of hanging;
    // how fast it comes is the load test's business.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        if c.get(ARTICLE)
            .await
            .body
            .contains("Tiêu đề sửa ở máy chủ khác")
        {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the cached page outlived the change"
        );
        actix_web::rt::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

//! HTTP caching (first part of issue 7): strong ETags and 304s on shared
//! public responses, one validator per encoding, private entry pages left
//! alone, content-hashed theme assets cached for a year, HEAD answered.

mod common;

use actix_web::http::StatusCode;
use common::{TestSite, entry};
use loa::domain::entry::EntryKind;

#[actix_web::test]
async fn shared_pages_revalidate_with_a_strong_etag() {
    let site = TestSite::with_content();
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
        let again = c
            .send_with(
                actix_web::test::TestRequest::get()
                    .uri(path)
                    .insert_header(("if-none-match", etag.as_str())),
            )
            .await;
        assert_eq!(again.status, StatusCode::NOT_MODIFIED, "{path}");
        assert!(again.body.is_empty());
        assert_eq!(again.header("etag"), Some(etag));
    }
    // Something new is published: the home page's validator changes.
    let before = c.get("/").await.header("etag");
    entry(EntryKind::Article, "Tin mới nhất hôm nay")
        .at("2025-12-31 00:00:00")
        .save(&mut site.conn());
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
async fn pages_personal_to_a_browser_are_not_shared() {
    let site = TestSite::with_content();
    let mut c = site.client().await;
    let page = c
        .get("/articles/so-vhtt-ha-noi-tang-cuong-thong-tin-tuyen-truyen-ve-cai-cach-hanh-chinh")
        .await;
    assert_eq!(
        page.header("cache-control").as_deref(),
        Some("private, no-cache")
    );
    assert_eq!(
        page.header("etag"),
        None,
        "the form token makes it personal"
    );
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

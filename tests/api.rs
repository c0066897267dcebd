//! Issue #19, open data: the read-only JSON API under `/api/v1` — only
//! public content, filters that refuse what does not parse (400 with the
//! reason), pages with `Link` headers, ETags and 304, CORS, a per-address
//! limit — and every answer checked against the OpenAPI document that
//! `/api/openapi.json` serves, with a JSON Schema validator.

use crate::common;

use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use common::{TestSite, entry, msg};
use loa::domain::entry::{EntryKind, Status};
use serde_json::Value;

const REFERENCE: &str = "so-vhtt-ha-noi-tang-cuong-thong-tin-tuyen-truyen-ve-cai-cach-hanh-chinh";

fn json(page: &common::Page) -> Value {
    serde_json::from_str(&page.body).unwrap_or_else(|e| panic!("{e}: {}", page.body))
}

/// The slugs of a list's items.
fn slugs(body: &Value) -> Vec<String> {
    body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["slug"].as_str().expect("slug").to_owned())
        .collect()
}

#[actix_web::test]
async fn entries_are_listed_filtered_and_fetched_and_drafts_never_appear() {
    let site = TestSite::with_content();
    entry(EntryKind::Article, "Bản nháp chưa duyệt về cải cách")
        .status(Status::Draft)
        .tags(&["Thẻ chỉ bản nháp có"])
        .save(&mut site.conn());
    entry(EntryKind::Article, "Bài hẹn giờ về cải cách")
        .status(Status::Scheduled)
        .at("2026-06-01 00:00:00")
        .save(&mut site.conn());
    let mut c = site.client().await;

    let all = c.get("/api/v1/entries").await;
    assert_eq!(all.status, StatusCode::OK);
    assert!(
        all.header("content-type")
            .unwrap()
            .starts_with("application/json")
    );
    let body = json(&all);
    assert_eq!(body["total"], 5, "the five public entries of the test site");
    let listed = slugs(&body);
    assert!(listed.contains(&REFERENCE.to_owned()));
    assert!(
        !listed
            .iter()
            .any(|s| s.starts_with("ban-nhap") || s.starts_with("bai-hen-gio"))
    );
    let first = &body["items"][0];
    assert!(
        first["url"].as_str().unwrap().starts_with("http://"),
        "absolute URLs"
    );

    // Pages of two, linked in the `Link` header with the filters kept.
    let p1 = c.get("/api/v1/entries?per_page=2&kind=article").await;
    let body = json(&p1);
    assert_eq!(
        (body["total"].as_i64(), body["pages"].as_i64()),
        (Some(3), Some(2))
    );
    let link = p1.header("link").expect("Link header");
    assert!(
        link.contains("per_page=2") && link.contains("kind=article"),
        "{link}"
    );
    assert!(link.contains("page=2>; rel=\"next\""), "{link}");
    let p2 = json(
        &c.get("/api/v1/entries?per_page=2&kind=article&page=2")
            .await,
    );
    assert_eq!(slugs(&p2).len(), 1);
    assert!(slugs(&p2).iter().all(|s| !slugs(&body).contains(s)));

    // Kind, category, tag, dates and words.
    let leaflets = json(&c.get("/api/v1/entries?kind=leaflet").await);
    assert_eq!(leaflets["items"][0]["kind"], "leaflet");
    assert_eq!(leaflets["total"], 1);
    let news = json(&c.get("/api/v1/entries?category=tin-nganh").await);
    assert_eq!(slugs(&news), vec![REFERENCE]);
    let tagged = json(&c.get("/api/v1/entries?tag=chinh-quyen-so").await);
    assert_eq!(slugs(&tagged), vec![REFERENCE]);
    // The reference went online on 5 April 2022 at 10:00 in Hanoi.
    let day = json(&c.get("/api/v1/entries?from=2022-04-05&to=2022-04-05").await);
    assert!(slugs(&day).contains(&REFERENCE.to_owned()), "{day}");
    let after = json(
        &c.get("/api/v1/entries?from=2022-04-05T10:00:01%2B07:00")
            .await,
    );
    assert!(!slugs(&after).contains(&REFERENCE.to_owned()));
    let words = json(
        &c.get("/api/v1/entries?q=tang+cuong+thong+tin&kind=article")
            .await,
    );
    assert_eq!(slugs(&words)[0], REFERENCE);
    let nothing = json(&c.get("/api/v1/entries?q=ban+nhap+chua+duyet").await);
    assert_eq!(nothing["total"], 0, "a draft is not found by its words");

    // One entry, whole: body, tags, the registry's document it cites.
    let one = c.get(&format!("/api/v1/entries/{REFERENCE}")).await;
    assert_eq!(one.status, StatusCode::OK);
    let one = json(&one);
    assert_eq!(one["category"]["slug"], "tin-nganh");
    assert!(one["body_html"].as_str().unwrap().contains("<p>"));
    assert!(
        one["image"]["caption"]
            .as_str()
            .unwrap()
            .starts_with("Đăng tải")
    );
    let numbers: Vec<&str> = one["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["number"].as_str().unwrap())
        .collect();
    assert!(numbers.contains(&"171/KH-SVHTT"), "{numbers:?}");
    let bulletin = json(
        &c.get("/api/v1/entries/ban-tin-cai-cach-hanh-chinh-so-1-2022")
            .await,
    );
    assert!(!bulletin["bulletin"]["items"].as_array().unwrap().is_empty());

    // A draft and a scheduled entry are as absent as a slug never used.
    for slug in [
        "ban-nhap-chua-duyet-ve-cai-cach",
        "bai-hen-gio-ve-cai-cach",
        "khong-co",
    ] {
        let gone = c.get(&format!("/api/v1/entries/{slug}")).await;
        assert_eq!(gone.status, StatusCode::NOT_FOUND, "{slug}");
        assert_eq!(
            gone.header("content-type").as_deref(),
            Some("application/problem+json")
        );
        assert_eq!(json(&gone)["detail"], msg("api_not_found"));
    }
    // Nor does a tag only the draft carries.
    let tags = json(&c.get("/api/v1/tags").await);
    let names: Vec<&str> = tags["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"Chính quyền số"));
    assert!(!names.contains(&"Thẻ chỉ bản nháp có"), "{names:?}");

    // Once the scheduled time comes, it is listed.
    site.set_now(common::utc("2026-06-01 00:00:01"));
    let later = json(&c.get("/api/v1/entries?kind=article").await);
    assert!(slugs(&later).contains(&"bai-hen-gio-ve-cai-cach".to_owned()));
}

#[actix_web::test]
async fn pages_categories_and_the_registry_are_served_without_drafts() {
    let site = TestSite::with_content();
    let mut c = site.client().await;

    let pages = json(&c.get("/api/v1/pages").await);
    let paths: Vec<&str> = pages["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["path"].as_str().unwrap())
        .collect();
    assert!(paths.contains(&"gioi-thieu/co-cau-to-chuc"), "{paths:?}");
    assert!(!paths.contains(&"du-thao"), "a draft page is not listed");
    let child = pages["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["path"] == "gioi-thieu/co-cau-to-chuc")
        .unwrap();
    assert_eq!(child["parent"], "gioi-thieu");

    let page = c.get("/api/v1/pages/gioi-thieu/co-cau-to-chuc").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(json(&page)["title"], "Cơ cấu tổ chức");
    let parent = json(&c.get("/api/v1/pages/gioi-thieu").await);
    assert_eq!(parent["children"][0]["path"], "gioi-thieu/co-cau-to-chuc");
    assert_eq!(
        c.get("/api/v1/pages/du-thao").await.status,
        StatusCode::NOT_FOUND
    );

    let cats = json(&c.get("/api/v1/categories").await);
    let first = &cats["items"][0];
    assert_eq!(first["slug"], "tin-nganh");
    assert_eq!(first["entries"], 1);
    assert!(
        first["feed_url"]
            .as_str()
            .unwrap()
            .ends_with("/categories/tin-nganh/feed.xml")
    );

    let docs = json(&c.get("/api/v1/documents?q=171%2FKH-SVHTT").await);
    assert_eq!(docs["items"][0]["number"], "171/KH-SVHTT");
    let slug = docs["items"][0]["slug"].as_str().unwrap().to_owned();
    let in_force = json(&c.get("/api/v1/documents?status=in_force&year=2022").await);
    assert!(in_force["total"].as_i64().unwrap() >= 1);
    let doc = json(&c.get(&format!("/api/v1/documents/{slug}")).await);
    let citing: Vec<&str> = doc["cited_by"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["slug"].as_str().unwrap())
        .collect();
    assert!(citing.contains(&REFERENCE), "{citing:?}");

    let found = json(&c.get("/api/v1/search?q=co+cau+to+chuc").await);
    assert!(
        found["site_pages"][0]["url"]
            .as_str()
            .unwrap()
            .ends_with("/gioi-thieu/co-cau-to-chuc")
    );
    let hits = json(&c.get("/api/v1/search?q=cai+cach+hanh+chinh").await);
    assert!(hits["total"].as_i64().unwrap() >= 3);
    assert!(!hits["items"][0]["snippet"].as_str().unwrap().is_empty());
}

#[actix_web::test]
async fn a_request_that_does_not_parse_gets_a_4xx_with_its_reason_never_a_5xx() {
    let site = TestSite::with_content();
    let mut c = site.client().await;
    let long = format!("/api/v1/documents?q={}", "a".repeat(257));
    let cases = [
        (
            "/api/v1/entries?per_page=0",
            "per_page",
            "api_per_page_range",
        ),
        (
            "/api/v1/entries?per_page=101",
            "per_page",
            "api_per_page_range",
        ),
        ("/api/v1/entries?page=abc", "page", "api_not_a_number"),
        ("/api/v1/entries?page=-1", "page", "api_not_a_number"),
        ("/api/v1/entries?from=2022-13-01", "from", "api_not_a_date"),
        ("/api/v1/entries?to=hom-qua", "to", "api_not_a_date"),
        (
            "/api/v1/entries?from=2022-05-01&to=2022-04-01",
            "from",
            "api_range_reversed",
        ),
        ("/api/v1/entries?kind=video", "kind", "api_unknown_kind"),
        ("/api/v1/entries?kind=", "kind", "api_unknown_kind"),
        ("/api/v1/entries?to=", "to", "api_not_a_date"),
        (
            "/api/v1/entries?status=draft",
            "status",
            "api_unknown_parameter",
        ),
        (
            "/api/v1/entries?kind=article&kind=leaflet",
            "kind",
            "api_repeated_parameter",
        ),
        ("/api/v1/search", "q", "api_q_required"),
        ("/api/v1/search?q=%20%20", "q", "api_q_required"),
        (long.as_str(), "q", "api_q_too_long"),
        ("/api/v1/documents?year=hai-nghin", "year", "api_not_a_year"),
        ("/api/v1/documents?year=20222", "year", "api_not_a_year"),
        (
            "/api/v1/documents?status=dang-soan",
            "status",
            "api_unknown_status",
        ),
        ("/api/v1/categories?page=2", "page", "api_unknown_parameter"),
    ];
    for (path, parameter, key) in cases {
        let page = c.get(path).await;
        assert_eq!(
            page.status,
            StatusCode::BAD_REQUEST,
            "{path}: {}",
            page.body
        );
        assert_eq!(
            page.header("content-type").as_deref(),
            Some("application/problem+json"),
            "{path}"
        );
        let body = json(&page);
        assert_eq!(body["parameter"], parameter, "{path}");
        assert_eq!(body["detail"], msg(key), "{path}");
        assert_eq!(body["status"], 400);
    }
    // A filter naming a category or tag that does not exist: 404, named.
    for (path, parameter, key) in [
        (
            "/api/v1/entries?category=khong-co",
            "category",
            "api_unknown_category",
        ),
        ("/api/v1/entries?tag=khong-co", "tag", "api_unknown_tag"),
        (
            "/api/v1/search?q=x&category=khong-co",
            "category",
            "api_unknown_category",
        ),
    ] {
        let page = c.get(path).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{path}");
        let body = json(&page);
        assert_eq!(body["parameter"], parameter, "{path}");
        assert_eq!(body["detail"], msg(key), "{path}");
    }
    // Words that hold nothing to search for find nothing; they are no error.
    for path in ["/api/v1/entries?q=%22%22", "/api/v1/search?q=%1B"] {
        let empty = c.get(path).await;
        assert_eq!(empty.status, StatusCode::OK, "{path}");
        assert_eq!(json(&empty)["total"], 0, "{path}");
    }
    // Control characters in a parameter are dropped, never sent to the
    // database (PostgreSQL refuses a NUL).
    let nul = c
        .get("/api/v1/documents?issuer=S%E1%BB%9F%00&type=%1B&q=a%00b")
        .await;
    assert_eq!(nul.status, StatusCode::OK, "{}", nul.body);

    let unknown = c.get("/api/v1/khong-co").await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(json(&unknown)["detail"], msg("api_not_found"));
    let write = c.post_form("/api/v1/entries", &[("title", "x")]).await;
    assert_eq!(write.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(json(&write)["detail"], msg("api_method"));
    // Percent-encoding that is not UTF-8, and a path that is not one.
    for path in ["/api/v1/entries?q=%FF%FE", "/api/v1/pages/%2e%2e/etc"] {
        let page = c.get(path).await;
        assert!(
            page.status.is_success() || page.status.is_client_error(),
            "{path}: {}",
            page.status
        );
    }
    // A NUL byte in an address is refused before it reaches a query, on
    // the site's pages too.
    for path in [
        "/api/v1/entries/%00",
        "/articles/%00",
        "/search?q=%00",
        "/documents/x%00",
    ] {
        assert_eq!(c.get(path).await.status, StatusCode::BAD_REQUEST, "{path}");
    }
}

#[actix_web::test]
async fn answers_carry_etags_and_cors_follow_changes_and_are_limited_per_address() {
    let site = TestSite::with_config(|c| c.api_per_minute = 30);
    site.import(&common::site_dir());
    let mut c = site.client().await;

    let first = c.get("/api/v1/entries").await;
    assert_eq!(
        first.header("access-control-allow-origin").as_deref(),
        Some("*")
    );
    assert!(first.header("cache-control").unwrap().starts_with("public"));
    let etag = first.header("etag").expect("ETag");
    let again = c.revalidate("/api/v1/entries", &etag).await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    // A second read comes from the page cache: same bytes, same Link.
    let cached = c.get("/api/v1/entries?per_page=1").await;
    let cached_again = c.get("/api/v1/entries?per_page=1").await;
    assert_eq!(cached.body, cached_again.body);
    assert_eq!(cached.header("link"), cached_again.header("link"));
    assert!(cached_again.header("link").is_some());

    // A preflight for a conditional request from another origin.
    let preflight = c
        .send_with(
            TestRequest::default()
                .method(actix_web::http::Method::OPTIONS)
                .uri("/api/v1/entries")
                .insert_header(("origin", "https://data.example.vn"))
                .insert_header(("access-control-request-method", "GET"))
                .insert_header(("access-control-request-headers", "if-none-match")),
        )
        .await;
    assert_eq!(preflight.status, StatusCode::NO_CONTENT);
    assert!(
        preflight
            .header("access-control-allow-headers")
            .unwrap()
            .contains("If-None-Match")
    );

    // A new entry shows at once: the change log drops the kept answers.
    entry(EntryKind::Article, "Tin mới cho dữ liệu mở").save(&mut site.conn());
    let fresh = c.revalidate("/api/v1/entries", &etag).await;
    assert_eq!(fresh.status, StatusCode::OK);
    assert!(slugs(&json(&fresh)).contains(&"tin-moi-cho-du-lieu-mo".to_owned()));

    // The limit: 30 a minute from one address (in one burst), then 429.
    let from = |ip: &str| {
        TestRequest::get()
            .uri("/api/v1/categories")
            .peer_addr(format!("{ip}:40000").parse().unwrap())
    };
    let mut refused = None;
    for n in 0..40 {
        let page = c.send_with(from("203.0.113.7")).await;
        if page.status == StatusCode::TOO_MANY_REQUESTS {
            refused = Some((n, page));
            break;
        }
        assert_eq!(page.status, StatusCode::OK);
    }
    let (n, page) = refused.expect("refused within 40 requests");
    assert_eq!(n, 30, "the 31st request is the first refused");
    assert!(page.header("retry-after").unwrap().parse::<u64>().unwrap() >= 1);
    assert_eq!(json(&page)["detail"], msg("api_too_many"));
    // Another address is not held back; the site's pages are not limited.
    assert_eq!(
        c.send_with(from("203.0.113.8")).await.status,
        StatusCode::OK
    );
    let page = c
        .send_with(
            TestRequest::get()
                .uri("/")
                .peer_addr("203.0.113.7:40000".parse().unwrap()),
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
}

/// Validates `instance` against the schema the OpenAPI document gives
/// for `path`'s answer with `status` (its `$ref`s resolved in the
/// document's components).
pub(crate) fn check_against(doc: &Value, path: &str, status: &str, instance: &Value) {
    let op = &doc["paths"][path]["get"];
    let mut response = &op["responses"][status];
    if let Some(r) = response["$ref"].as_str() {
        let name = r.rsplit('/').next().unwrap();
        response = &doc["components"]["responses"][name];
    }
    let content = response["content"].as_object().expect("content");
    let (_, media) = content.iter().next().expect("a media type");
    let schema = serde_json::json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "components": doc["components"],
        "allOf": [media["schema"]],
    });
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the document's schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(
        errors.is_empty(),
        "{path} {status}: {errors:#?}\n{instance:#}"
    );
}

#[actix_web::test]
async fn every_answer_matches_the_openapi_document() {
    let site = TestSite::with_content();
    let mut c = site.client().await;
    let served = c.get("/api/openapi.json").await;
    assert_eq!(served.status, StatusCode::OK);
    let doc = json(&served);
    assert_eq!(doc["openapi"], "3.1.0");
    let slug = json(&c.get("/api/v1/documents").await)["items"][0]["slug"]
        .as_str()
        .unwrap()
        .to_owned();
    let answers = [
        ("/", "/api/v1/".to_owned()),
        ("/entries", "/api/v1/entries?per_page=100".to_owned()),
        (
            "/entries",
            "/api/v1/entries?q=cai+cach&from=2022-01-01".to_owned(),
        ),
        ("/entries/{slug}", format!("/api/v1/entries/{REFERENCE}")),
        (
            "/entries/{slug}",
            "/api/v1/entries/ban-tin-cai-cach-hanh-chinh-so-1-2022".to_owned(),
        ),
        (
            "/entries/{slug}",
            "/api/v1/entries/chi-tieu-cai-cach-hanh-chinh-2022-to-gap".to_owned(),
        ),
        ("/search", "/api/v1/search?q=lien+he".to_owned()),
        ("/search", "/api/v1/search?q=cai+cach".to_owned()),
        ("/pages", "/api/v1/pages".to_owned()),
        ("/pages/{path}", "/api/v1/pages/gioi-thieu".to_owned()),
        ("/pages/{path}", "/api/v1/pages/lien-he".to_owned()),
        ("/categories", "/api/v1/categories".to_owned()),
        ("/tags", "/api/v1/tags".to_owned()),
        ("/documents", "/api/v1/documents".to_owned()),
        ("/documents/{slug}", format!("/api/v1/documents/{slug}")),
        (
            "/questions",
            "/api/v1/questions?topic=Gia+%C4%91%C3%ACnh".to_owned(),
        ),
    ];
    for (path, url) in answers {
        let page = c.get(&url).await;
        assert_eq!(page.status, StatusCode::OK, "{url}");
        check_against(&doc, path, "200", &json(&page));
    }
    let errors = [
        ("/entries", "/api/v1/entries?per_page=x", "400"),
        ("/entries/{slug}", "/api/v1/entries/khong-co", "404"),
        ("/pages/{path}", "/api/v1/pages/du-thao", "404"),
    ];
    for (path, url, status) in errors {
        let page = c.get(url).await;
        assert_eq!(page.status.as_str(), status, "{url}");
        check_against(&doc, path, status, &json(&page));
    }
}

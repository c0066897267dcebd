//! The public site end to end: the reference article, listings, visibility
//! of drafts, error pages, the theme fallback, and Markdown safety.

use crate::common;

use actix_web::http::StatusCode;
use common::{TestSite, category, entry, fold, msg, repo};
use loa::domain::entry::{EntryKind, Status};

const REFERENCE: &str =
    "/articles/so-vhtt-ha-noi-tang-cuong-thong-tin-tuyen-truyen-ve-cai-cach-hanh-chinh";

/// The seed's body paragraphs: everything between the title and the byline,
/// except the photo caption.
fn reference_paragraphs() -> (String, Vec<String>) {
    let text =
        std::fs::read_to_string(repo().join("tests/fixtures/reference-article.txt")).unwrap();
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let title = lines[1].to_owned();
    let byline = lines.iter().position(|l| *l == "Phương Uyên").unwrap();
    let paragraphs = lines[2..byline]
        .iter()
        .filter(|l| !l.starts_with("Đăng tải thông tin cấp phép"))
        .map(|l| fold(l))
        .collect();
    (title, paragraphs)
}

#[actix_web::test]
async fn reference_article_reads_in_full_with_its_metadata() {
    let site = TestSite::with_content();
    let mut c = site.client().await;
    let page = c.get(REFERENCE).await;
    assert_eq!(page.status, StatusCode::OK);

    let (title, paragraphs) = reference_paragraphs();
    assert_eq!(page.text("h1"), title);
    assert!(page.text("title").starts_with(&title));
    let article = page.text("article.entry");
    for p in &paragraphs {
        assert!(article.contains(p.as_str()), "missing paragraph: {p}");
    }
    assert_eq!(page.text(".kicker a"), "Tin ngành");
    assert_eq!(
        page.attr(".kicker a", "href").as_deref(),
        Some("/categories/tin-nganh")
    );
    assert_eq!(page.text(".byline"), "Phương Uyên");
    // 2022-04-05 10:00 in Hanoi, as dd/mm/yyyy HH:MM.
    assert_eq!(page.text(".entry-header time"), "05/04/2022 10:00");
    assert_eq!(
        page.attr(".entry-header time", "datetime").as_deref(),
        Some("2022-04-05T10:00:00+07:00")
    );
    assert_eq!(
        page.text("figure.featured figcaption"),
        "Đăng tải thông tin cấp phép trên Cổng Thông tin điện tử Sở Văn hóa và Thể thao Hà Nội"
    );
    let img = page.attr("figure.featured img", "src").unwrap();
    assert!(img.starts_with("/uploads/"), "{img}");
    assert_eq!(
        page.attr("figure.featured img", "width").as_deref(),
        Some("1600")
    );
    assert!(
        page.texts(".breadcrumbs li")
            .contains(&"Tin ngành".to_owned())
    );
    assert_eq!(page.attr("html", "lang").as_deref(), Some("vi"));

    // The image it points at is served.
    let img_res = c.get(&img).await;
    assert_eq!(img_res.status, StatusCode::OK);
    assert_eq!(
        img_res.header("content-type").as_deref(),
        Some("image/jpeg")
    );
}

#[actix_web::test]
async fn pages_make_no_third_party_requests_and_need_no_script() {
    let site = TestSite::with_content();
    let mut c = site.client().await;
    for path in ["/", REFERENCE, "/articles", "/nope"] {
        let page = c.get(path).await;
        // Only JSON-LD data blocks, which browsers do not run.
        let sel = scraper::Selector::parse("script").unwrap();
        for s in page.html().select(&sel) {
            assert_eq!(
                s.value().attr("type"),
                Some("application/ld+json"),
                "{path} has a script"
            );
        }
        for (css, attr) in [("link", "href"), ("img", "src")] {
            let sel = scraper::Selector::parse(css).unwrap();
            for e in page.html().select(&sel) {
                let url = e.value().attr(attr).unwrap_or("");
                // Addresses for search engines, not requests: the
                // canonical address and the versions in other languages.
                if e.value().attr("rel") == Some("canonical")
                    || e.value().attr("hreflang").is_some()
                {
                    continue;
                }
                assert!(url.starts_with('/'), "{path}: {css} loads {url}");
            }
        }
    }
}

#[actix_web::test]
async fn bulletin_lists_its_entries_in_order_and_leaflet_shows() {
    let site = TestSite::with_content();
    let mut c = site.client().await;
    let page = c
        .get("/bulletins/ban-tin-cai-cach-hanh-chinh-so-1-2022")
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let items = page.texts(".toc li > a");
    assert_eq!(items.len(), 3, "{items:?}");
    assert_eq!(
        items[0],
        "Sở VHTT Hà Nội tăng cường thông tin, tuyên truyền về cải cách hành chính"
    );
    assert!(
        page.text(".kicker").contains("Số 1/2022"),
        "{}",
        page.text(".kicker")
    );

    let leaflet = c
        .get("/leaflets/chi-tieu-cai-cach-hanh-chinh-2022-to-gap")
        .await;
    assert_eq!(leaflet.status, StatusCode::OK);
    assert!(
        leaflet
            .text(".kicker")
            .contains(&msg("leaflet_format_trifold"))
    );
    // Comments are closed on the leaflet: no form, a notice instead.
    assert_eq!(leaflet.count("form.comment-form"), 0);
    assert_eq!(leaflet.text(".comments-closed"), msg("comments_closed"));
}

#[actix_web::test]
async fn home_shows_featured_latest_and_category_blocks() {
    let site = TestSite::with_content();
    let mut c = site.client().await;
    let page = c.get("/").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.texts(".featured-list .card-title")
            .iter()
            .any(|t| t.starts_with("Sở VHTT Hà Nội"))
    );
    let blocks = page.texts(".category-block .block-title");
    assert!(blocks.contains(&"Tin ngành".to_owned()), "{blocks:?}");
    assert!(
        blocks.contains(&"Cải cách hành chính".to_owned()),
        "{blocks:?}"
    );
    let nav = page.texts(".nav-bar a");
    assert!(
        nav.contains(&"Tin ngành".to_owned()) && nav.contains(&msg("kind_bulletin_plural")),
        "{nav:?}"
    );
}

/// Categories that share a position in the menu come in Vietnamese
/// order: *Cải cách* before *Chính quyền*, which byte order reverses.
#[actix_web::test]
async fn categories_with_the_same_position_are_in_vietnamese_order() {
    let site = TestSite::new();
    {
        let conn = &mut site.conn();
        category(conn, "chinh-quyen-so", "Chính quyền số");
        category(conn, "van-hoa", "Văn hóa");
        category(conn, "cai-cach", "Cải cách hành chính");
    }
    let mut c = site.client().await;
    let nav = c.get("/").await.texts(".nav-bar a");
    let cats: Vec<&str> = nav
        .iter()
        .map(String::as_str)
        .filter(|n| ["Chính quyền số", "Văn hóa", "Cải cách hành chính"].contains(n))
        .collect();
    assert_eq!(cats, ["Cải cách hành chính", "Chính quyền số", "Văn hóa"]);
}

#[actix_web::test]
async fn listings_paginate_and_refuse_bad_page_numbers() {
    let site = TestSite::new();
    {
        let conn = &mut site.conn();
        let cat = category(conn, "tin-nganh", "Tin ngành");
        for i in 1..=23 {
            entry(EntryKind::Article, &format!("Bài số {i:02}"))
                .at(&format!("2025-05-{i:02} 08:00:00"))
                .category(cat)
                .tags(&["Chuyển đổi số"])
                .save(conn);
        }
    }
    let mut c = site.client().await;
    let p1 = c.get("/articles").await;
    assert_eq!(p1.status, StatusCode::OK);
    let titles = p1.texts(".card-title");
    assert_eq!(titles.len(), 10);
    assert_eq!(titles[0], "Bài số 23", "newest first");
    assert_eq!(
        p1.attr("a[rel=next]", "href").as_deref(),
        Some("/articles?page=2")
    );

    let p3 = c.get("/articles?page=3").await;
    assert_eq!(
        p3.texts(".card-title"),
        vec!["Bài số 03", "Bài số 02", "Bài số 01"]
    );
    assert_eq!(
        p3.attr("a[rel=prev]", "href").as_deref(),
        Some("/articles?page=2")
    );
    assert!(p3.text("title").contains("Trang 3"));

    assert_eq!(
        c.get("/articles?page=4").await.status,
        StatusCode::NOT_FOUND
    );
    for bad in ["abc", "-1", "0", "1.5", "99999999999"] {
        let page = c.get(&format!("/articles?page={bad}")).await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "page={bad}");
        assert!(page.body.contains(&msg("error_page_param")), "page={bad}");
    }
    assert_eq!(
        c.get("/articles?page=%ZZ").await.status,
        StatusCode::BAD_REQUEST
    );

    let cat = c.get("/categories/tin-nganh?page=2").await;
    assert_eq!(cat.texts(".card-title").len(), 10);
    let tag = c.get("/tags/chuyen-doi-so?page=3").await;
    assert_eq!(tag.texts(".card-title").len(), 3);
    assert_eq!(
        c.get("/categories/khong-co").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(c.get("/tags/khong-co").await.status, StatusCode::NOT_FOUND);
}

#[actix_web::test]
async fn drafts_and_future_entries_are_404_and_never_listed() {
    let site = TestSite::new();
    site.set_now(common::utc("2025-06-10 00:00:00"));
    let mut hidden = Vec::new();
    {
        let conn = &mut site.conn();
        for (i, status) in [
            Status::Draft,
            Status::InReview,
            Status::Scheduled,
            Status::Archived,
        ]
        .into_iter()
        .enumerate()
        {
            // A scheduled entry is hidden until its time (here, in 2030).
            hidden.push(
                entry(EntryKind::Article, &format!("Bản nháp {i}"))
                    .status(status)
                    .at("2030-01-01 00:00:00")
                    .save(conn),
            );
        }
        hidden.push(
            entry(EntryKind::Bulletin, "Bản tin tương lai")
                .at("2025-07-01 00:00:00")
                .save(conn),
        );
        hidden.push(
            entry(EntryKind::Leaflet, "Tờ rơi chưa đăng")
                .status(Status::Draft)
                .save(conn),
        );
        entry(EntryKind::Article, "Bài đã đăng").save(conn);
    }
    let mut c = site.client().await;
    for (_, path) in &hidden {
        let page = c.get(path).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{path}");
        assert!(
            page.body.contains(&msg("error_404_title")),
            "{path} is not the themed 404"
        );
        let comment = c
            .post_form(&format!("{path}/comments"), &[("content", "x")])
            .await;
        assert_eq!(comment.status, StatusCode::NOT_FOUND, "{path}/comments");
    }
    for path in ["/", "/articles", "/bulletins", "/leaflets"] {
        let body = c.get(path).await.body;
        assert!(
            !body.contains("Bản nháp")
                && !body.contains("tương lai")
                && !body.contains("chưa đăng"),
            "{path}"
        );
    }
    assert!(c.get("/articles").await.body.contains("Bài đã đăng"));

    // The future bulletin appears once its time has come, with no restart.
    site.set_now(common::utc("2025-07-01 00:00:00"));
    assert_eq!(c.get(&hidden[4].1).await.status, StatusCode::OK);
    // An entry of one kind is not served under another kind's path.
    assert_eq!(
        c.get("/leaflets/bai-da-dang").await.status,
        StatusCode::NOT_FOUND
    );
}

#[actix_web::test]
async fn unknown_paths_get_the_vietnamese_404_page() {
    let site = TestSite::with_content();
    let mut c = site.client().await;
    for path in [
        "/khong-ton-tai",
        "/articles/khong-ton-tai",
        "/articles/a/b/c",
        "/uploads/none.jpg",
        "/static/none.css",
    ] {
        let page = c.get(path).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(page.text("h1"), msg("error_404_title"), "{path}");
        assert_eq!(page.attr("a.button", "href").as_deref(), Some("/"));
        // The 404 still has the site's navigation.
        assert!(page.texts(".nav-bar a").contains(&"Tin ngành".to_owned()));
    }
    let wrong_method = c.post_form("/", &[]).await;
    assert_eq!(wrong_method.status, StatusCode::NOT_FOUND);
}

#[actix_web::test]
async fn markdown_cannot_inject_script() {
    let site = TestSite::new();
    let path = entry(EntryKind::Article, "Bài có mã độc")
        .body(
            "Xin chào <script>alert('x')</script>\n\n[bấm](javascript:alert(1))\n\n\
             <img src=\"x.png\" onerror=\"alert(2)\">\n\n<a href=\"/a\" onclick=\"alert(3)\">a</a>\n\n\
             <iframe src=\"https://evil.example\"></iframe>\n\n## Mục tiêu",
        )
        .save(&mut site.conn())
        .1;
    let mut c = site.client().await;
    let page = c.get(&path).await;
    assert_eq!(page.status, StatusCode::OK);
    let body = page
        .html()
        .select(&scraper::Selector::parse(".entry-body").unwrap())
        .next()
        .unwrap()
        .html();
    for bad in [
        "<script",
        "javascript:",
        "onerror",
        "onclick",
        "<iframe",
        "alert(",
    ] {
        assert!(!body.contains(bad), "{bad} in {body}");
    }
    assert!(
        body.contains(r#"<h2 id="muc-tieu">Mục tiêu</h2>"#),
        "{body}"
    );
}

#[actix_web::test]
async fn a_theme_without_a_template_falls_back_to_the_default() {
    let themes = tempfile::tempdir().unwrap();
    let own = themes.path().join("tet/templates");
    std::fs::create_dir_all(&own).unwrap();
    std::fs::write(
        own.join("home.html"),
        "<!DOCTYPE html><title>Tết</title><p>Chúc mừng năm mới {{ site.name }}</p>",
    )
    .unwrap();
    // The default theme is copied beside it, as a deployment would have it.
    let copy = |from: &std::path::Path, to: &std::path::Path| {
        for e in walkdir::WalkDir::new(from) {
            let e = e.unwrap();
            let dest = to.join(e.path().strip_prefix(from).unwrap());
            if e.file_type().is_dir() {
                std::fs::create_dir_all(&dest).unwrap();
            } else {
                std::fs::copy(e.path(), &dest).unwrap();
            }
        }
    };
    copy(
        &repo().join("themes/default"),
        &themes.path().join("default"),
    );
    let dir = themes.path().to_owned();
    let site = TestSite::with_config(|c| {
        c.themes = dir;
        c.theme = "tet".into();
    });
    site.import(&common::site_dir());
    let mut c = site.client().await;
    let home = c.get("/").await;
    assert!(
        home.body
            .contains("Chúc mừng năm mới Sở Văn hóa và Thể thao Hà Nội"),
        "{}",
        home.body
    );
    let article = c.get(REFERENCE).await;
    assert_eq!(article.status, StatusCode::OK);
    assert_eq!(article.text("#reply-title"), msg("comment_form_heading"));
}

#[actix_web::test]
async fn security_headers_are_sent() {
    let site = TestSite::with_content();
    let mut c = site.client().await;
    // The first answers are rendered; the second of each comes from the
    // page cache, answered before the other layers.
    for path in [REFERENCE, "/", REFERENCE, "/"] {
        let page = c.get(path).await;
        assert_eq!(
            page.header("x-content-type-options").as_deref(),
            Some("nosniff"),
            "{path}"
        );
        assert_eq!(
            page.header("x-frame-options").as_deref(),
            Some("SAMEORIGIN"),
            "{path}"
        );
        assert!(
            page.header("content-security-policy")
                .is_some_and(|csp| csp.contains("script-src 'none'")),
            "{path}"
        );
    }
}

#[actix_web::test]
async fn a_route_used_with_the_wrong_method_gets_the_themed_405() {
    let site = TestSite::with_content();
    let mut c = site.client().await;
    let page = c.post_form("/articles", &[]).await;
    assert_eq!(page.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(page.text("h1"), msg("error_405_title"));
}

#[actix_web::test]
async fn pages_send_a_strict_content_security_policy_and_their_own_canonical() {
    let site = TestSite::with_content();
    {
        let conn = &mut site.conn();
        for i in 1..=12 {
            entry(EntryKind::Article, &format!("Tin {i}")).save(conn);
        }
    }
    let mut c = site.client().await;
    let page = c.get(REFERENCE).await;
    let csp = page.header("content-security-policy").unwrap();
    assert!(
        csp.contains("script-src 'none'") && csp.contains("form-action 'self'"),
        "{csp}"
    );
    assert!(
        page.attr("link[rel=canonical]", "href")
            .unwrap()
            .ends_with(REFERENCE)
    );
    let p2 = c.get("/articles?page=2").await;
    assert!(
        p2.attr("link[rel=canonical]", "href")
            .unwrap()
            .ends_with("/articles?page=2")
    );
    // A forged X-Forwarded-Host does not reach the canonical link.
    let forged = c
        .send_with(
            actix_web::test::TestRequest::get()
                .uri(REFERENCE)
                .insert_header(("x-forwarded-host", "evil.example")),
        )
        .await;
    assert!(!forged.body.contains("evil.example"));
}

#[actix_web::test]
async fn a_tag_only_drafts_use_is_not_public() {
    let site = TestSite::new();
    entry(EntryKind::Article, "Nháp có từ khóa")
        .status(Status::Draft)
        .tags(&["Bí mật"])
        .save(&mut site.conn());
    let mut c = site.client().await;
    assert_eq!(c.get("/tags/bi-mat").await.status, StatusCode::NOT_FOUND);
}

#[actix_web::test]
async fn entry_bodies_cannot_take_the_ids_the_page_uses() {
    let site = TestSite::new();
    let path = entry(EntryKind::Article, "Bài có tiêu đề trùng")
        .body("## Content\n\n<p id=\"respond\">x</p>\n\n<div id=\"comment-1\">y</div>")
        .save(&mut site.conn())
        .1;
    let mut c = site.client().await;
    let page = c.get(&path).await;
    assert_eq!(page.count("#content"), 1, "only the comment box");
    assert_eq!(page.count("#respond"), 1, "only the form");
    assert_eq!(page.count("#comment-1"), 0);
    assert_eq!(page.count("h2#content-2"), 1);
}

/// Page 60 of the articles starts from a kept anchor; when an article is
/// published, every page shifts by one, anchors included.
#[actix_web::test]
async fn deep_listing_pages_follow_publishing() {
    let site = TestSite::new();
    loa::content::corpus::generate(&mut site.conn(), 1_100, 3, |_| {}).unwrap();
    let mut c = site.client().await;
    let titles = |p: &common::Page| p.texts(".card-title");
    let p59 = titles(&c.get("/articles?page=59").await);
    let p60 = titles(&c.get("/articles?page=60").await);
    assert_eq!(p60.len(), 10);
    assert!(p59.iter().all(|t| !p60.contains(t)));
    entry(EntryKind::Article, "Tin mới đăng hôm nay")
        .at("2025-12-31 23:00:00")
        .save(&mut site.conn());
    let shifted = titles(&c.get("/articles?page=60").await);
    assert_eq!(shifted[0], p59[9], "the last of page 59 moves to page 60");
    assert_eq!(shifted[1..], p60[..9]);
}

//! What feed readers, search engines and link previews see: Atom feeds,
//! sitemaps (and the index past 50,000 URLs), robots.txt, and every page's
//! title, description, canonical link, OpenGraph tags and JSON-LD.

use crate::common;

use std::collections::HashSet;

use actix_web::http::StatusCode;
use common::{TestSite, entry, msg};
use loa::domain::entry::{EntryKind, Status};
use serde_json::Value;

const REFERENCE: &str =
    "/articles/so-vhtt-ha-noi-tang-cuong-thong-tin-tuyen-truyen-ve-cai-cach-hanh-chinh";
const ATOM: &str = "http://www.w3.org/2005/Atom";

fn atom_entries(xml: &str) -> Vec<(String, String, String)> {
    let doc = roxmltree::Document::parse(xml).expect("feed is well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().namespace(), Some(ATOM));
    root.children()
        .filter(|n| n.has_tag_name((ATOM, "entry")))
        .map(|e| {
            let text = |name: &str| {
                e.children()
                    .find(|c| c.has_tag_name((ATOM, name)))
                    .and_then(|c| c.text())
                    .unwrap_or("")
                    .to_owned()
            };
            (text("title"), text("id"), text("content"))
        })
        .collect()
}

#[actix_web::test]
async fn the_site_feed_lists_public_entries_with_absolute_links_and_full_content() {
    let site = TestSite::build(
        |c| c.base_url = Some("https://vhtt.hanoi.gov.vn".into()),
        |s| s,
    );
    site.import(&common::site_dir());
    entry(EntryKind::Article, "Bản nháp bí mật")
        .status(Status::Draft)
        .save(&mut site.conn());
    let mut c = site.client().await;
    let res = c.get("/feed.xml").await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(
        res.header("content-type").as_deref(),
        Some("application/atom+xml; charset=utf-8")
    );
    let entries = atom_entries(&res.body);
    assert_eq!(entries.len(), 5);
    assert_eq!(
        entries[0].0, "Tờ gấp: 10 chỉ tiêu cải cách hành chính năm 2022",
        "newest first"
    );
    assert!(entries.iter().all(|e| e.0 != "Bản nháp bí mật"));
    let reference = entries
        .iter()
        .find(|e| e.1.ends_with(REFERENCE))
        .expect("reference article in feed");
    assert_eq!(reference.1, format!("https://vhtt.hanoi.gov.vn{REFERENCE}"));
    // Full, cleaned content with absolute image and link URLs.
    assert!(reference.2.contains("Các hoạt động được triển khai"));
    assert!(
        reference
            .2
            .contains(r#"src="https://vhtt.hanoi.gov.vn/uploads/"#),
        "{}",
        &reference.2[..300]
    );
    assert!(!reference.2.contains("src=\"/"));
    let doc = roxmltree::Document::parse(&res.body).unwrap();
    let updated = doc
        .descendants()
        .find(|n| n.has_tag_name((ATOM, "updated")))
        .unwrap()
        .text()
        .unwrap();
    assert!(
        chrono::DateTime::parse_from_rfc3339(updated).is_ok(),
        "{updated}"
    );
    let self_link = doc
        .descendants()
        .find(|n| n.has_tag_name((ATOM, "link")) && n.attribute("rel") == Some("self"))
        .unwrap();
    assert_eq!(
        self_link.attribute("href"),
        Some("https://vhtt.hanoi.gov.vn/feed.xml")
    );
}

#[actix_web::test]
async fn category_feeds_hold_their_category_and_are_advertised() {
    let site = TestSite::with_content();
    let mut c = site.client().await;
    let res = c.get("/categories/cai-cach-hanh-chinh/feed.xml").await;
    assert_eq!(res.status, StatusCode::OK);
    let entries = atom_entries(&res.body);
    assert_eq!(entries.len(), 4);
    assert!(
        entries.iter().all(|e| !e.1.ends_with(REFERENCE)),
        "the reference article is in Tin ngành"
    );
    assert_eq!(
        c.get("/categories/khong-co/feed.xml").await.status,
        StatusCode::NOT_FOUND
    );
    let home = c.get("/").await;
    assert_eq!(
        home.attr("link[rel=alternate][type='application/atom+xml']", "href")
            .as_deref(),
        Some("/feed.xml")
    );
    let cat = c.get("/categories/cai-cach-hanh-chinh").await;
    let feeds: Vec<String> = {
        let sel = scraper::Selector::parse("link[rel=alternate]").unwrap();
        cat.html()
            .select(&sel)
            .filter_map(|l| l.value().attr("href").map(str::to_owned))
            .collect()
    };
    assert_eq!(
        feeds,
        vec!["/feed.xml", "/categories/cai-cach-hanh-chinh/feed.xml"]
    );
}

fn locs(xml: &str) -> Vec<(String, Option<String>)> {
    let doc = roxmltree::Document::parse(xml).expect("sitemap is well-formed XML");
    doc.descendants()
        .filter(|n| n.tag_name().name() == "url" || n.tag_name().name() == "sitemap")
        .map(|u| {
            let child = |name: &str| {
                u.children()
                    .find(|c| c.tag_name().name() == name)
                    .and_then(|c| c.text())
                    .map(str::to_owned)
            };
            (child("loc").unwrap(), child("lastmod"))
        })
        .collect()
}

#[actix_web::test]
async fn the_sitemap_lists_every_public_page_with_lastmod() {
    let site = TestSite::with_content();
    entry(EntryKind::Article, "Bản nháp")
        .status(Status::Draft)
        .save(&mut site.conn());
    let mut c = site.client().await;
    let res = c.get("/sitemap.xml").await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(
        res.body
            .contains("<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\"")
    );
    let urls = locs(&res.body);
    let reference = urls
        .iter()
        .find(|(l, _)| l.ends_with(REFERENCE))
        .expect("reference in sitemap");
    assert!(
        reference.0.starts_with("http://"),
        "absolute: {}",
        reference.0
    );
    assert_eq!(reference.1.as_deref(), Some("2022-04-05T03:00:00Z"));
    assert!(
        urls.iter()
            .any(|(l, _)| l.ends_with("/categories/tin-nganh"))
    );
    assert!(!urls.iter().any(|(l, _)| l.ends_with("/ban-nhap")));
    assert!(urls.iter().any(|(l, _)| l.ends_with("/documents")));
    assert!(
        urls.iter()
            .any(|(l, _)| l.ends_with("/documents/ke-hoach-171-kh-svhtt-2022"))
    );
    let page = urls
        .iter()
        .find(|(l, _)| l.ends_with("/gioi-thieu/co-cau-to-chuc"))
        .expect("a page below another in the sitemap");
    assert!(page.1.is_some(), "pages have lastmod");
    assert!(!urls.iter().any(|(l, _)| l.ends_with("/du-thao")));
    assert_eq!(
        urls.len(),
        8 + 2 + 3 + 5,
        "home, 3 kinds, 4 categories, the registry and its record, 3 public pages, 5 entries"
    );
}

#[actix_web::test]
async fn past_the_limit_the_sitemap_becomes_an_index_of_parts() {
    let site = TestSite::build(|_| {}, |s| s.with_sitemap_max(10));
    {
        let conn = &mut site.conn();
        loa::storage::categories::upsert(
            conn,
            &loa::storage::categories::CategoryData {
                slug: "a".into(),
                name: "A".into(),
                description: String::new(),
                position: 1,
            },
        )
        .unwrap();
        for i in 0..25 {
            entry(EntryKind::Article, &format!("Tin số {i}")).save(conn);
        }
        entry(EntryKind::Article, "Nháp")
            .status(Status::Draft)
            .save(conn);
    }
    let mut c = site.client().await;
    let index = c.get("/sitemap.xml").await;
    assert!(index.body.contains("<sitemapindex"), "{}", index.body);
    let parts = locs(&index.body);
    // 6 fixed pages (home, 3 kinds, a category, the registry) + 25
    // entries = 31 URLs, 10 a part.
    assert_eq!(parts.len(), 4);
    let mut seen = HashSet::new();
    for (loc, _) in &parts {
        let path = loc.split_once("://").unwrap().1.split_once('/').unwrap().1;
        let part = c.get(&format!("/{path}")).await;
        assert_eq!(part.status, StatusCode::OK, "{loc}");
        let urls = locs(&part.body);
        assert!(urls.len() <= 10);
        for (u, _) in urls {
            assert!(seen.insert(u.clone()), "{u} listed twice");
        }
    }
    assert_eq!(seen.len(), 31, "every public URL exactly once");
    assert_eq!(c.get("/sitemaps/5.xml").await.status, StatusCode::NOT_FOUND);
    assert_eq!(c.get("/sitemaps/x.xml").await.status, StatusCode::NOT_FOUND);
    assert_eq!(c.get("/sitemaps/0.xml").await.status, StatusCode::NOT_FOUND);
}

#[actix_web::test]
async fn robots_txt_points_to_the_sitemap_and_keeps_out_of_admin() {
    let site = TestSite::build(
        |c| c.base_url = Some("https://vhtt.hanoi.gov.vn/".into()),
        |s| s,
    );
    let mut c = site.client().await;
    let res = c.get("/robots.txt").await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(
        res.header("content-type")
            .unwrap()
            .starts_with("text/plain")
    );
    assert!(res.body.lines().any(|l| l == "Disallow: /admin"));
    assert!(
        res.body
            .lines()
            .any(|l| l == "Sitemap: https://vhtt.hanoi.gov.vn/sitemap.xml")
    );
}

fn json_ld(page: &common::Page) -> Value {
    let sel = scraper::Selector::parse("script[type='application/ld+json']").unwrap();
    let text: String = page
        .html()
        .select(&sel)
        .next()
        .expect("JSON-LD")
        .text()
        .collect();
    serde_json::from_str(&text).expect("JSON-LD parses")
}

#[actix_web::test]
async fn entry_pages_describe_themselves_as_news_articles() {
    let site = TestSite::build(
        |c| c.base_url = Some("https://vhtt.hanoi.gov.vn".into()),
        |s| s,
    );
    site.import(&common::site_dir());
    let mut c = site.client().await;
    let page = c.get(REFERENCE).await;
    let url = format!("https://vhtt.hanoi.gov.vn{REFERENCE}");
    assert_eq!(page.attr("link[rel=canonical]", "href"), Some(url.clone()));
    assert_eq!(
        page.attr("meta[property='og:type']", "content").as_deref(),
        Some("article")
    );
    assert_eq!(
        page.attr("meta[property='og:url']", "content"),
        Some(url.clone())
    );
    assert_eq!(
        page.attr("meta[property='og:title']", "content").as_deref(),
        Some("Sở VHTT Hà Nội tăng cường thông tin, tuyên truyền về cải cách hành chính")
    );
    let description = page.attr("meta[name=description]", "content").unwrap();
    assert!(description.starts_with("Sở Văn hóa và Thể thao đã ban hành Kế hoạch số 171/KH-SVHTT"));
    assert_eq!(
        page.attr("meta[property='og:description']", "content"),
        Some(description)
    );
    let image = page.attr("meta[property='og:image']", "content").unwrap();
    assert!(
        image.starts_with("https://vhtt.hanoi.gov.vn/uploads/"),
        "{image}"
    );
    assert_eq!(
        page.attr("meta[name='twitter:card']", "content").as_deref(),
        Some("summary_large_image")
    );

    let ld = json_ld(&page);
    assert_eq!(ld["@context"], "https://schema.org");
    let graph = ld["@graph"].as_array().unwrap();
    let article = graph
        .iter()
        .find(|n| n["@type"] == "NewsArticle")
        .expect("NewsArticle");
    assert_eq!(
        article["headline"],
        "Sở VHTT Hà Nội tăng cường thông tin, tuyên truyền về cải cách hành chính"
    );
    assert_eq!(article["datePublished"], "2022-04-05T10:00:00+07:00");
    assert_eq!(article["dateModified"], "2022-04-05T10:00:00+07:00");
    assert_eq!(article["author"]["name"], "Phương Uyên");
    assert_eq!(
        article["publisher"]["name"],
        "Sở Văn hóa và Thể thao Hà Nội"
    );
    assert_eq!(article["image"][0], Value::String(image));
    assert_eq!(article["mainEntityOfPage"], Value::String(url.clone()));
    assert_eq!(article["url"], Value::String(url.clone()));
    assert_eq!(article["@id"], Value::String(format!("{url}#article")));
    assert_eq!(article["inLanguage"], "vi");
    assert_eq!(article["articleSection"], "Tin ngành");
    assert_eq!(
        article["keywords"],
        // In the order the page lists the tags: Vietnamese, C before CH.
        serde_json::json!([
            "Cải cách hành chính",
            "Chính quyền số",
            "Kế hoạch 171/KH-SVHTT"
        ])
    );
    assert!(
        article["description"]
            .as_str()
            .unwrap()
            .starts_with("Sở Văn hóa và Thể thao đã ban hành Kế hoạch số 171/KH-SVHTT")
    );
    assert_eq!(
        article["publisher"]["logo"]["url"],
        "https://vhtt.hanoi.gov.vn/static/logo.png"
    );
    let crumbs = graph
        .iter()
        .find(|n| n["@type"] == "BreadcrumbList")
        .expect("BreadcrumbList");
    let names: Vec<&str> = crumbs["itemListElement"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            msg("home").as_str(),
            "Tin ngành",
            "Sở VHTT Hà Nội tăng cường thông tin, tuyên truyền về cải cách hành chính"
        ]
    );
    assert_eq!(crumbs["itemListElement"][2]["item"], Value::String(url));
    // The publisher's logo exists.
    assert_eq!(c.get("/static/logo.png").await.status, StatusCode::OK);
}

#[actix_web::test]
async fn every_public_page_has_a_unique_title_a_description_and_lang() {
    let site = TestSite::with_content();
    let mut c = site.client().await;
    let pages = [
        "/",
        REFERENCE,
        "/articles",
        "/bulletins",
        "/leaflets",
        "/categories/tin-nganh",
        "/categories/cai-cach-hanh-chinh",
        "/tags/cai-cach-hanh-chinh",
        "/bulletins/ban-tin-cai-cach-hanh-chinh-so-1-2022",
        "/leaflets/chi-tieu-cai-cach-hanh-chinh-2022-to-gap",
        "/search?q=hanh+chinh",
    ];
    let mut titles = HashSet::new();
    for path in pages {
        let page = c.get(path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        let title = page.text("title");
        assert!(
            titles.insert(title.clone()),
            "{path}: title {title:?} used twice"
        );
        let description = page
            .attr("meta[name=description]", "content")
            .unwrap_or_default();
        assert!(
            description.len() > 20,
            "{path}: description {description:?}"
        );
        assert_eq!(page.attr("html", "lang").as_deref(), Some("vi"), "{path}");
        assert!(page.attr("link[rel=canonical]", "href").is_some(), "{path}");
        assert!(
            page.attr("meta[property='og:title']", "content").is_some(),
            "{path}"
        );
    }
    let home = c.get("/").await;
    assert_eq!(json_ld(&home)["@type"], "WebSite");
    let listing = c.get("/categories/tin-nganh").await;
    assert_eq!(json_ld(&listing)["@graph"][0]["@type"], "BreadcrumbList");
}

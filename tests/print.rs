//! Issue #8: print pages. Every entry kind has `/…/{slug}/print` with a QR
//! code (decoded here) to its absolute online address; a tri-fold leaflet
//! prints six panels in folding order; a bulletin prints as one document
//! in the editor's order.

use crate::common;

use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use common::{TestSite, entry, msg};
use loa::domain::entry::{EntryKind, Status};

const REFERENCE: &str =
    "/articles/so-vhtt-ha-noi-tang-cuong-thong-tin-tuyen-truyen-ve-cai-cach-hanh-chinh";
const LEAFLET: &str = "/leaflets/chi-tieu-cai-cach-hanh-chinh-2022-to-gap";
const BULLETIN: &str = "/bulletins/ban-tin-cai-cach-hanh-chinh-so-1-2022";

/// Decodes the first inline QR code (`<svg class="qr">`) of `html`: the
/// SVG's dark runs (drawn as `M{x} {y}h{n}v1h-{n}z`)
/// are painted into a bitmap, which `rqrr` reads like a camera would.
fn decode_qr(html: &str) -> String {
    let start = html.find("<svg class=\"qr\"").expect("an inline QR code");
    let svg = &html[start..start + html[start..].find("</svg>").expect("svg end")];
    let size: usize = regex::Regex::new(r#"viewBox="0 0 (\d+) \d+""#)
        .unwrap()
        .captures(svg)
        .expect("viewBox")[1]
        .parse()
        .unwrap();
    let d = regex::Regex::new(r#"<path[^>]* d="([^"]+)""#)
        .unwrap()
        .captures(svg)
        .expect("path")[1]
        .to_owned();
    const SCALE: usize = 6;
    let w = size * SCALE;
    let mut pixels = vec![255u8; w * w];
    let rect = regex::Regex::new(r"M(\d+) (\d+)h(\d+)v(\d+)").unwrap();
    let mut dark = 0;
    for c in rect.captures_iter(&d) {
        let n = |i: usize| c[i].parse::<usize>().unwrap();
        let (x, y, rw, rh) = (n(1), n(2), n(3), n(4));
        for py in y * SCALE..(y + rh) * SCALE {
            for px in x * SCALE..(x + rw) * SCALE {
                pixels[py * w + px] = 0;
            }
        }
        dark += 1;
    }
    assert!(dark > 50, "the SVG draws the modules");
    let mut img = rqrr::PreparedImage::prepare_from_greyscale(w, w, |x, y| pixels[y * w + x]);
    let grids = img.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code found");
    grids[0].decode().expect("decodes").1
}

#[actix_web::test]
async fn the_reference_article_prints_with_a_qr_code_to_its_absolute_url() {
    let site = TestSite::build(
        |c| c.base_url = Some("https://sovhtt.hanoi.gov.vn".into()),
        |s| s,
    );
    let report = site.import(&common::site_dir());
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    let mut c = site.client().await;
    let page = c.get(&format!("{REFERENCE}/print")).await;
    assert_eq!(page.status, StatusCode::OK);
    let url = format!("https://sovhtt.hanoi.gov.vn{REFERENCE}");
    assert_eq!(decode_qr(&page.body), url);
    assert_eq!(
        page.text("h1"),
        "Sở VHTT Hà Nội tăng cường thông tin, tuyên truyền về cải cách hành chính"
    );
    // A clean document: no navigation, no form; the site, the address, the
    // date of printing.
    assert_eq!(page.count("form, nav.site-nav, .comments"), 0);
    assert!(
        page.text(".print-masthead")
            .contains("Sở Văn hóa và Thể thao")
    );
    assert_eq!(page.text(".print-url"), url);
    assert!(page.attr("time[datetime]", "datetime").is_some());
    // The dates on paper are the entry's own (publication, last change),
    // so a page kept in a cache prints the same as a fresh one.
    assert_eq!(page.texts(".print-facts time")[0], "05/04/2022 10:00");
    assert!(
        page.text(".entry-body")
            .contains("cải cách thủ tục hành chính")
    );
    assert_eq!(page.attr("link[rel=canonical]", "href"), Some(url.clone()));
    // The plan the summary cites links to its record by its full address,
    // which the print stylesheet writes out on paper.
    assert_eq!(
        page.attr(".sapo a.doc-ref", "href").as_deref(),
        Some("https://sovhtt.hanoi.gov.vn/documents/ke-hoach-171-kh-svhtt-2022")
    );

    // The entry page itself carries the same code for printing from the
    // browser, and links to its print page.
    let entry_page = c.get(REFERENCE).await;
    assert_eq!(decode_qr(&entry_page.body), url);
    assert_eq!(
        entry_page.attr(".entry-tools a", "href"),
        Some(format!("{REFERENCE}/print"))
    );
}

#[actix_web::test]
async fn without_base_url_the_qr_code_uses_the_requests_host() {
    let site = TestSite::with_content();
    let mut c = site.client().await;
    let page = c
        .send_with(
            TestRequest::get()
                .uri(&format!("{LEAFLET}/print"))
                .insert_header(("host", "cong.example.vn:8080")),
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(
        decode_qr(&page.body),
        format!("http://cong.example.vn:8080{LEAFLET}")
    );
}

#[actix_web::test]
async fn every_kind_has_a_print_page_and_drafts_have_none() {
    let site = TestSite::with_content();
    let mut c = site.client().await;
    for path in [REFERENCE, LEAFLET, BULLETIN] {
        let page = c.get(&format!("{path}/print")).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert!(decode_qr(&page.body).ends_with(path), "{path}");
        assert_eq!(
            page.header("cache-control").as_deref(),
            Some("public, max-age=60")
        );
    }
    let (_, draft) = entry(EntryKind::Article, "Bản nháp chưa đăng")
        .status(Status::Draft)
        .save(&mut site.conn());
    assert_eq!(
        c.get(&format!("{draft}/print")).await.status,
        StatusCode::NOT_FOUND
    );
    // The print page of a leaflet listed as an article is not found either.
    assert_eq!(
        c.get("/articles/chi-tieu-cai-cach-hanh-chinh-2022-to-gap/print")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

/// The panel numbers of each printed side, left to right.
fn sides(page: &common::Page) -> Vec<(String, Vec<String>)> {
    let html = page.html();
    let sheet = scraper::Selector::parse("section.sheet").unwrap();
    let panel = scraper::Selector::parse(".panel").unwrap();
    html.select(&sheet)
        .map(|s| {
            (
                s.value().attr("data-side").unwrap().to_owned(),
                s.select(&panel)
                    .map(|p| p.value().attr("data-panel").unwrap().to_owned())
                    .collect(),
            )
        })
        .collect()
}

#[actix_web::test]
async fn a_trifold_places_six_panels_in_folding_order() {
    let site = TestSite::with_content();
    let mut c = site.client().await;
    let page = c.get(&format!("{LEAFLET}/print")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(
        sides(&page),
        vec![
            ("outside".into(), vec!["5".into(), "6".into(), "1".into()]),
            ("inside".into(), vec!["2".into(), "3".into(), "4".into()]),
        ]
    );
    // Panel 1 is the cover; the sections follow in reading order; the QR
    // code is on the back cover, panel 6.
    let panel = |n: u32| page.text(&format!(".panel[data-panel=\"{n}\"]"));
    assert!(panel(1).contains("Tờ gấp: 10 chỉ tiêu cải cách hành chính năm 2022"));
    assert!(panel(2).starts_with("Hài lòng và đúng hạn"));
    assert!(panel(3).starts_with("Dịch vụ công trực tuyến và thanh toán"));
    assert!(panel(4).starts_with("Số hóa và đơn giản hóa"));
    assert!(panel(5).starts_with("Con người: bồi dưỡng và quy tắc ứng xử"));
    assert!(panel(6).starts_with("Liên hệ"));
    assert_eq!(page.count(".panel[data-panel=\"6\"] svg.qr"), 1);
    assert_eq!(page.count("svg.qr"), 1);
    assert!(
        page.body
            .contains("class=\"print-page print-leaflet leaflet-trifold\"")
    );
}

#[actix_web::test]
async fn one_page_and_front_back_leaflets_keep_their_format() {
    let site = TestSite::new();
    let body = "## Mặt một\n\nA\n\n---\n\n## Mặt hai\n\nB\n\n---\n\nC";
    let mut one = entry(EntryKind::Leaflet, "Tờ rơi một trang").body(body);
    one.data.leaflet_format = Some("a4".into());
    let (_, one_path) = one.save(&mut site.conn());
    let mut two = entry(EntryKind::Leaflet, "Tờ rơi hai mặt").body(body);
    two.data.leaflet_format = Some("a4-duplex".into());
    let (_, two_path) = two.save(&mut site.conn());
    let mut c = site.client().await;

    let page = c.get(&format!("{one_path}/print")).await;
    assert_eq!(sides(&page), vec![("front".into(), vec!["1".into()])]);
    assert_eq!(page.count(".panel .entry-body"), 3);

    let page = c.get(&format!("{two_path}/print")).await;
    assert_eq!(
        sides(&page),
        vec![
            ("front".into(), vec!["1".into()]),
            ("back".into(), vec!["2".into()])
        ]
    );
    assert!(page.text(".sheet-front").contains("Mặt một"));
    assert!(!page.text(".sheet-front").contains("Mặt hai"));
    assert!(page.text(".sheet-back").contains("Mặt hai"));
    assert_eq!(page.count(".sheet-back svg.qr"), 1);
}

#[actix_web::test]
async fn a_bulletin_prints_as_one_document_in_the_chosen_order() {
    let site = TestSite::new();
    let mut conn = site.conn();
    let (a, _) = entry(EntryKind::Article, "Bài thứ nhất theo ngày")
        .at("2025-01-01 08:00:00")
        .body("### Mục tiêu\n\nThân bài một.")
        .save(&mut conn);
    let (b, _) = entry(EntryKind::Article, "Bài thứ hai theo ngày")
        .at("2025-02-01 08:00:00")
        .body("### Mục tiêu\n\nThân bài hai.")
        .save(&mut conn);
    let (hidden, _) = entry(EntryKind::Article, "Bài chưa đăng")
        .status(Status::Draft)
        .save(&mut conn);
    let mut issue = entry(EntryKind::Bulletin, "Bản tin số 3").body("Lời ban biên tập.");
    issue.data.bulletin_series = Some("Bản tin Cải cách hành chính".into());
    issue.data.bulletin_number = Some(3);
    issue.data.bulletin_year = Some(2025);
    let (id, path) = issue.save(&mut conn);
    // The editor's order: the newer one first; a draft among them is left out.
    loa::storage::entries::set_bulletin_items(&mut conn, id, &[b, hidden, a]).unwrap();
    drop(conn);

    let mut c = site.client().await;
    let page = c.get(&format!("{path}/print")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(
        page.texts(".toc li"),
        vec!["Bài thứ hai theo ngày", "Bài thứ nhất theo ngày"]
    );
    assert_eq!(
        page.texts(".bulletin-item h2"),
        vec!["Bài thứ hai theo ngày", "Bài thứ nhất theo ngày"]
    );
    assert_eq!(
        page.texts(".bulletin-item .entry-body p"),
        vec!["Thân bài hai.", "Thân bài một."]
    );
    // Both entries have a "Mục tiêu" heading; on one page their ids differ.
    assert_eq!(page.count("#b1-muc-tieu"), 1);
    assert_eq!(page.count("#b2-muc-tieu"), 1);
    assert_eq!(page.count("#muc-tieu"), 0);
    assert_eq!(page.attr(".toc a", "href").as_deref(), Some("#item-1"));
    assert!(
        page.text(".kicker")
            .contains("Bản tin Cải cách hành chính · Số 3/2025")
    );
    assert!(
        page.text(".print-bulletin > .entry-body")
            .contains("Lời ban biên tập.")
    );
    assert!(!page.body.contains("Bài chưa đăng"));
}

#[actix_web::test]
async fn bulletins_are_listed_by_year_and_number() {
    let site = TestSite::new();
    let mut conn = site.conn();
    // Put online out of order: issue 2/2024 last, issue 1/2025 first.
    for (number, year, at) in [
        (1, 2025, "2025-01-10 08:00:00"),
        (1, 2024, "2025-02-10 08:00:00"),
        (3, 2024, "2025-03-10 08:00:00"),
        (2, 2024, "2025-04-10 08:00:00"),
    ] {
        let mut b = entry(EntryKind::Bulletin, &format!("Bản tin số {number}/{year}")).at(at);
        b.data.bulletin_series = Some("Bản tin Cải cách hành chính".into());
        b.data.bulletin_number = Some(number);
        b.data.bulletin_year = Some(year);
        b.save(&mut conn);
    }
    drop(conn);
    let mut c = site.client().await;
    let page = c.get("/bulletins").await;
    assert_eq!(
        page.texts(".card-title a"),
        vec![
            "Bản tin số 1/2025",
            "Bản tin số 3/2024",
            "Bản tin số 2/2024",
            "Bản tin số 1/2024"
        ]
    );
}

#[actix_web::test]
async fn without_chromium_the_pdf_download_says_how_to_print_instead() {
    let site = TestSite::with_config(|c| c.chromium = Some("/khong/co/chromium".into()));
    assert!(site.import(&common::site_dir()).failed.is_empty());
    site.add_user("tacgia", loa::domain::user::Role::Author, "mat-khau-du-dai");
    site.add_user(
        "bientap",
        loa::domain::user::Role::Editor,
        "mat-khau-du-dai",
    );
    let id = loa::storage::entries::find_by_slug(
        &mut site.conn(),
        "chi-tieu-cai-cach-hanh-chinh-2022-to-gap",
    )
    .unwrap()
    .unwrap()
    .id;
    let path = format!("/admin/entries/{id}/print.pdf");
    let mut c = site.client().await;
    // An author may not print someone else's leaflet.
    c.login("tacgia", "mat-khau-du-dai").await;
    assert_eq!(c.get(&path).await.status, StatusCode::FORBIDDEN);
    c.forget();
    c.login("bientap", "mat-khau-du-dai").await;
    let page = c.get(&path).await;
    assert_eq!(page.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        page.text("main").contains(&msg("print_pdf_unavailable")),
        "{}",
        page.body
    );
    assert_eq!(
        page.attr("main a[href$='/print']", "href").as_deref(),
        Some(&*format!("{LEAFLET}/print"))
    );
    // The editor's page for the leaflet offers the download.
    let edit = c.get(&format!("/admin/entries/{id}/edit")).await;
    assert_eq!(edit.count(&format!("a[href='{path}']")), 1);
}

#[actix_web::test]
async fn an_editor_builds_an_issue_by_ticking_published_entries_then_ordering_them() {
    let site = TestSite::with_content();
    site.add_user(
        "bientap",
        loa::domain::user::Role::Editor,
        "mat-khau-du-dai",
    );
    let mut c = site.client().await;
    c.login("bientap", "mat-khau-du-dai").await;
    let form = c.get("/admin/entries/new?kind=bulletin").await;
    let token = form.token();
    // The chooser lists published entries; the editor ticks two of them.
    let html = form.html();
    let boxes = scraper::Selector::parse("fieldset.choices input[type=checkbox]").unwrap();
    let choices: Vec<(String, String)> = html
        .select(&boxes)
        .map(|b| {
            (
                b.value().attr("name").unwrap().to_owned(),
                b.value().attr("value").unwrap().to_owned(),
            )
        })
        .collect();
    let pick = |slug: &str| {
        choices
            .iter()
            .find(|(_, v)| v == slug)
            .unwrap_or_else(|| panic!("{slug} offered"))
            .clone()
    };
    let reference = pick("so-vhtt-ha-noi-tang-cuong-thong-tin-tuyen-truyen-ve-cai-cach-hanh-chinh");
    let targets = pick("chi-tieu-cai-cach-hanh-chinh-nam-2022-cua-so-van-hoa-va-the-thao");
    let fields = vec![
        ("csrf_token", token.as_str()),
        ("kind", "bulletin"),
        ("title", "Bản tin Cải cách hành chính số 2/2022"),
        ("summary", "Số thứ hai."),
        ("body_md", "Lời ban biên tập: số này điểm lại các chỉ tiêu."),
        ("bulletin_series", "Bản tin Cải cách hành chính"),
        ("bulletin_number", "2"),
        ("bulletin_year", "2022"),
        ("bulletin_entries", ""),
        (reference.0.as_str(), reference.1.as_str()),
        (targets.0.as_str(), targets.1.as_str()),
        ("action", "publish"),
    ];
    let saved = c.post_form("/admin/entries/new", &fields).await;
    assert_eq!(
        saved.status,
        StatusCode::SEE_OTHER,
        "{}",
        saved.text(".error-summary")
    );
    let edit_url = saved.header("location").unwrap();
    let path = "/bulletins/ban-tin-cai-cach-hanh-chinh-so-2-2022";
    let page = c.get(path).await;
    let ticked_order = page.texts(".toc li > a");
    assert_eq!(ticked_order.len(), 2);
    assert!(page.text(".entry-body").contains("Lời ban biên tập"));

    // The editor swaps the two lines: the contents follow, on screen and in
    // print.
    let edit = c.get(&edit_url).await;
    let listed = edit.text("#bulletin_entries");
    let lines: Vec<&str> = listed.split(' ').collect();
    assert_eq!(lines.len(), 2, "{listed}");
    let mut fields: Vec<(String, String)> = {
        let html = edit.html();
        let sel = scraper::Selector::parse(
            "form.entry-form input:not([type=checkbox]), form.entry-form textarea, form.entry-form select",
        )
        .unwrap();
        html.select(&sel)
            .filter_map(|e| {
                let name = e.value().attr("name")?.to_owned();
                let value = match e.value().name() {
                    "textarea" => e.text().collect(),
                    "select" => e
                        .select(&scraper::Selector::parse("option[selected]").unwrap())
                        .next()
                        .and_then(|o| o.value().attr("value"))
                        .unwrap_or("")
                        .to_owned(),
                    _ => e.value().attr("value").unwrap_or("").to_owned(),
                };
                Some((name, value))
            })
            .collect()
    };
    for f in fields.iter_mut() {
        if f.0 == "bulletin_entries" {
            f.1 = format!("{}\n{}", lines[1], lines[0]);
        }
    }
    fields.push(("action".into(), "save".into()));
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let saved = c.post_form(&edit_url, &fields).await;
    assert_eq!(
        saved.status,
        StatusCode::SEE_OTHER,
        "{}",
        saved.text(".error-summary")
    );
    let reordered = c.get(path).await.texts(".toc li > a");
    assert_eq!(
        reordered,
        vec![ticked_order[1].clone(), ticked_order[0].clone()]
    );
    let print = c.get(&format!("{path}/print")).await;
    assert_eq!(print.texts(".toc li"), reordered);

    // Another issue numbered 2/2022 in the same series is refused, with the
    // message at the number and what was typed kept.
    let token = c.admin_token().await;
    let dup = c
        .post_form(
            "/admin/entries/new",
            &[
                ("csrf_token", token.as_str()),
                ("kind", "bulletin"),
                ("title", "Bản tin trùng số"),
                ("body_md", "Lời ban biên tập của số trùng."),
                ("bulletin_series", "Bản tin Cải cách hành chính"),
                ("bulletin_number", "2"),
                ("bulletin_year", "2022"),
                ("bulletin_entries", ""),
                ("action", "publish"),
            ],
        )
        .await;
    assert_eq!(dup.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        dup.text("#bulletin_number-error"),
        "Lỗi: Ấn phẩm này đã có một số mang số và năm này"
    );
    assert_eq!(dup.text("#body_md"), "Lời ban biên tập của số trùng.");
    assert_eq!(dup.attr("#bulletin_number", "value").as_deref(), Some("2"));
}

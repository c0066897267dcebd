//! Issue #8: the document registry. `/documents` searches by number and by
//! abstract words with or without diacritics and filters by type, issuer,
//! year and status; a record lists the entries citing it; a number written
//! in an entry links to its record only while the record exists; staff
//! manage records with the usual token, role and audit rules.

use crate::common;

use actix_web::http::StatusCode;
use common::{TestSite, entry, msg};
use loa::domain::document::{DocumentInput, validate};
use loa::domain::entry::EntryKind;
use loa::domain::user::Role;
use loa::storage::documents;

const PW: &str = "mat-khau-du-dai";
const PLAN: &str = "/documents/ke-hoach-171-kh-svhtt-2022";
const REFERENCE: &str =
    "/articles/so-vhtt-ha-noi-tang-cuong-thong-tin-tuyen-truyen-ve-cai-cach-hanh-chinh";

fn add(
    site: &TestSite,
    doc_type: &str,
    number: &str,
    issuer: &str,
    date: &str,
    status: &str,
    abs: &str,
) {
    let valid = validate(&DocumentInput {
        doc_type: doc_type.into(),
        number: number.into(),
        issuer: issuer.into(),
        issued_on: date.into(),
        status: status.into(),
        abstract_text: abs.into(),
        ..Default::default()
    })
    .expect("valid document");
    documents::save(&mut site.conn(), None, &valid, site.now())
        .unwrap()
        .expect("not a duplicate");
}

/// A registry of four documents besides the reference plan.
fn registry() -> TestSite {
    let site = TestSite::with_content();
    add(
        &site,
        "Quyết định",
        "25/QĐ-UBND",
        "Ủy ban nhân dân thành phố Hà Nội",
        "2021-01-05",
        "replaced",
        "Ban hành Quy tắc ứng xử nơi công cộng trên địa bàn thành phố",
    );
    add(
        &site,
        "Kế hoạch",
        "12/KH-SVHTT",
        "Sở Văn hóa và Thể thao Hà Nội",
        "2023-02-10",
        "in_force",
        "Đẩy mạnh chuyển đổi số trong hoạt động của Sở",
    );
    add(
        &site,
        "Thông báo",
        "7/TB-SVHTT",
        "Sở Văn hóa và Thể thao Hà Nội",
        "2022-06-01",
        "expired",
        "Lịch tiếp công dân quý III năm 2022",
    );
    site
}

/// The numbers listed on a `/documents` page, in order.
async fn listed<S, B>(c: &mut common::Client<S>, query: &str) -> Vec<String>
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    let page = c.get(&format!("/documents{query}")).await;
    assert_eq!(page.status, StatusCode::OK, "{query}");
    page.texts("table.documents tbody tr td:first-child")
}

#[actix_web::test]
async fn the_reference_plan_is_in_the_registry_and_lists_the_entries_citing_it() {
    let site = TestSite::with_content();
    let mut c = site.client().await;
    let page = c.get(PLAN).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.text("h1"), "Kế hoạch số 171/KH-SVHTT ngày 29/3/2022");
    let facts = page.text(".document-facts");
    for expected in [
        "Sở Văn hóa và Thể thao Hà Nội",
        &msg("document_status_in_force"),
        "29/03/2022",
        "171/KH-SVHTT",
    ] {
        assert!(facts.contains(expected), "{expected} in {facts}");
    }
    let citing: Vec<String> = page.texts(".document-citing .card-title a");
    assert!(
        citing.contains(
            &"Sở VHTT Hà Nội tăng cường thông tin, tuyên truyền về cải cách hành chính".to_owned()
        ),
        "{citing:?}"
    );
    assert!(citing.iter().any(|t| t.starts_with("Tờ gấp")), "{citing:?}");
    // Search engines read it as a legal document in force.
    let json: serde_json::Value =
        serde_json::from_str(&page.text("script[type='application/ld+json']")).unwrap();
    let doc = &json["@graph"][0];
    assert_eq!(doc["@type"], "Legislation");
    assert_eq!(doc["legislationIdentifier"], "171/KH-SVHTT");
    assert_eq!(doc["legislationDate"], "2022-03-29");
    assert_eq!(doc["legislationLegalForce"], "https://schema.org/InForce");
    assert_eq!(listed(&mut c, "").await, vec!["Kế hoạch 171/KH-SVHTT"]);
    // The reference article's summary names the plan: it links to it.
    let article = c.get(REFERENCE).await;
    assert_eq!(
        article.attr(".sapo a.doc-ref", "href").as_deref(),
        Some(PLAN)
    );
}

#[actix_web::test]
async fn search_finds_by_number_and_by_abstract_words_with_or_without_marks() {
    let site = registry();
    let mut c = site.client().await;
    assert_eq!(
        listed(&mut c, "?q=171/KH-SVHTT").await,
        vec!["Kế hoạch 171/KH-SVHTT"]
    );
    assert_eq!(
        listed(&mut c, "?q=25%2FQ%C4%90-UBND").await,
        vec!["Quyết định 25/QĐ-UBND"]
    );
    assert_eq!(
        listed(&mut c, "?q=25%2FQD-UBND").await,
        vec!["Quyết định 25/QĐ-UBND"]
    );
    for q in ["chuyển đổi số", "chuyen doi so", "CHUYEN DOI"] {
        assert_eq!(
            listed(
                &mut c,
                &format!(
                    "?q={}",
                    url::form_urlencoded::byte_serialize(q.as_bytes()).collect::<String>()
                )
            )
            .await,
            vec!["Kế hoạch 12/KH-SVHTT"],
            "{q}"
        );
    }
    // `đ` folds to `d`: "Đẩy mạnh" is found as "day manh".
    assert_eq!(
        listed(&mut c, "?q=day+manh").await,
        vec!["Kế hoạch 12/KH-SVHTT"]
    );
    assert_eq!(
        listed(&mut c, "?q=ung+xu+noi+cong+cong").await,
        vec!["Quyết định 25/QĐ-UBND"]
    );
    let none = c.get("/documents?q=khong+co+van+ban+nay").await;
    assert_eq!(none.count("table.documents"), 0);
    assert_eq!(none.text("#results-title"), msg("documents_none"));
}

#[actix_web::test]
async fn filters_narrow_by_type_issuer_year_and_status() {
    let site = registry();
    let mut c = site.client().await;
    assert_eq!(
        listed(&mut c, "").await,
        vec![
            "Kế hoạch 12/KH-SVHTT",
            "Thông báo 7/TB-SVHTT",
            "Kế hoạch 171/KH-SVHTT",
            "Quyết định 25/QĐ-UBND"
        ],
        "newest first"
    );
    assert_eq!(
        listed(&mut c, "?type=K%E1%BA%BF+ho%E1%BA%A1ch").await,
        vec!["Kế hoạch 12/KH-SVHTT", "Kế hoạch 171/KH-SVHTT"]
    );
    assert_eq!(
        listed(
            &mut c,
            "?issuer=%E1%BB%A6y+ban+nh%C3%A2n+d%C3%A2n+th%C3%A0nh+ph%E1%BB%91+H%C3%A0+N%E1%BB%99i"
        )
        .await,
        vec!["Quyết định 25/QĐ-UBND"]
    );
    assert_eq!(
        listed(&mut c, "?year=2022").await,
        vec!["Thông báo 7/TB-SVHTT", "Kế hoạch 171/KH-SVHTT"]
    );
    assert_eq!(
        listed(&mut c, "?status=expired").await,
        vec!["Thông báo 7/TB-SVHTT"]
    );
    assert_eq!(
        listed(&mut c, "?year=2022&status=in_force&q=tuyen+truyen").await,
        vec!["Kế hoạch 171/KH-SVHTT"]
    );
    // The form offers the values in use and keeps the chosen ones.
    let page = c.get("/documents?year=2022&status=expired").await;
    assert_eq!(
        page.attr("#year option[selected]", "value").as_deref(),
        Some("2022")
    );
    assert_eq!(
        page.attr("#status option[selected]", "value").as_deref(),
        Some("expired")
    );
    assert_eq!(
        page.texts("#year option"),
        [msg("search_all").as_str(), "2023", "2022", "2021"]
    );
    assert_eq!(
        c.get("/documents?status=valid").await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        c.get("/documents?year=abc").await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        c.get("/documents/khong-co").await.status,
        StatusCode::NOT_FOUND
    );
}

#[actix_web::test]
async fn a_number_links_only_while_its_document_is_in_the_registry() {
    let site = TestSite::with_content();
    site.add_user("bientap", Role::Editor, PW);
    let (entry_id, path) = entry(EntryKind::Article, "Triển khai các văn bản mới")
        .body(
            "Theo Kế hoạch số 171/KH-SVHTT và Quyết định số 99/QĐ-SVHTT.\n\n\
             Không đổi trong mã: `171/KH-SVHTT`; nhưng [171/KH-SVHTT](https://vanban.example.vn) giữ liên kết cũ.",
        )
        .save(&mut site.conn());
    let mut c = site.client().await;
    let links = |page: &common::Page| -> Vec<(String, String)> {
        let html = page.html();
        let sel = scraper::Selector::parse(".entry-body a").unwrap();
        html.select(&sel)
            .map(|a| {
                (
                    a.text().collect(),
                    a.value().attr("href").unwrap().to_owned(),
                )
            })
            .collect()
    };
    let page = c.get(&path).await;
    assert_eq!(
        links(&page),
        vec![
            ("171/KH-SVHTT".to_owned(), PLAN.to_owned()),
            (
                "171/KH-SVHTT".to_owned(),
                "https://vanban.example.vn".to_owned()
            ),
        ],
        "only the registered number links, and not inside code or another link"
    );

    // An editor adds the decision: its number starts linking at once, and
    // its record lists the entry without the entry being saved again.
    c.login("bientap", PW).await;
    let token = c.admin_token().await;
    let form = |token: &str, number: &str| {
        vec![
            ("csrf_token", token.to_owned()),
            ("doc_type", "Quyết định".to_owned()),
            ("number", number.to_owned()),
            ("issuer", "Sở Văn hóa và Thể thao Hà Nội".to_owned()),
            ("issued_on", "15/4/2022".to_owned()),
            ("effective_on", "".to_owned()),
            ("status", "in_force".to_owned()),
            (
                "abstract_text",
                "Thành lập tổ tuyên truyền cải cách hành chính".to_owned(),
            ),
            ("file_path", "van-ban/99-qd-svhtt.pdf".to_owned()),
        ]
    };
    // The file offered is one of the stored attachments, never a typed
    // path: anything else is refused at the field, the rest kept.
    let mut typed = form(&token, "99/QĐ-SVHTT");
    typed.last_mut().unwrap().1 = "van-ban/khong-co.pdf".into();
    let typed: Vec<(&str, &str)> = typed.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let refused = c.post_form("/admin/documents/new", &typed).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .text("#file_path-error")
            .contains(&msg("admin_document_file_unknown"))
    );
    assert_eq!(
        refused.attr("#number", "value").as_deref(),
        Some("99/QĐ-SVHTT")
    );
    // Attached to the entry (the media library checks the file), it is
    // offered in the form's list.
    loa::storage::media::attach(
        &mut site.conn(),
        entry_id,
        "van-ban/99-qd-svhtt.pdf",
        "Quyết định 99/QĐ-SVHTT",
        "application/pdf",
        48_000,
    )
    .unwrap();
    let offered = c.get("/admin/documents/new").await;
    assert!(
        offered
            .texts("#file_path option")
            .contains(&"Quyết định 99/QĐ-SVHTT (PDF, 47 KB)".to_owned()),
        "{:?}",
        offered.texts("#file_path option")
    );
    let fields = form(&token, "99/QĐ-SVHTT");
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let saved = c.post_form("/admin/documents/new", &fields).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let decision = "/documents/quyet-dinh-99-qd-svhtt-2022";
    let page = c.get(&path).await;
    assert_eq!(
        links(&page)[1],
        ("99/QĐ-SVHTT".to_owned(), decision.to_owned())
    );
    // Made once, when the registry changed: the stored body carries it.
    let stored = |site: &TestSite| {
        loa::storage::entries::find(&mut site.conn(), entry_id)
            .unwrap()
            .body_html
    };
    assert!(stored(&site).contains(&format!("href=\"{decision}\"")));
    let record = c.get(decision).await;
    assert_eq!(
        record.texts(".document-citing .card-title a"),
        vec!["Triển khai các văn bản mới"]
    );
    assert_eq!(
        record
            .attr(".document-facts a[download]", "href")
            .as_deref(),
        Some("/uploads/van-ban/99-qd-svhtt.pdf")
    );
    // Named by its format and size, not by the stored file's name.
    assert_eq!(
        record.text(".document-facts a[download]"),
        "Tải về (PDF, 47 KB)"
    );

    // The same number again in the same year is refused, with the message
    // at the field and what was typed kept.
    let dup = c.post_form("/admin/documents/new", &fields).await;
    assert_eq!(dup.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        dup.text("#number-error"),
        "Lỗi: Đã có văn bản cùng loại, số và năm này"
    );
    assert_eq!(dup.attr("#number", "value").as_deref(), Some("99/QĐ-SVHTT"));

    // Detached from the entry, the file stays the record's: its form
    // still offers it, chosen, and saving the record keeps it.
    let attachment = loa::storage::media::attachments_of(&mut site.conn(), entry_id)
        .unwrap()
        .into_iter()
        .find(|a| a.path == "van-ban/99-qd-svhtt.pdf")
        .unwrap();
    loa::storage::media::detach(&mut site.conn(), entry_id, attachment.id).unwrap();
    let decision_id = documents::find_by_slug(&mut site.conn(), "quyet-dinh-99-qd-svhtt-2022")
        .unwrap()
        .unwrap()
        .id;
    let edit = format!("/admin/documents/{decision_id}/edit");
    let again = c.get(&edit).await;
    assert!(
        again
            .text("#file_path option[selected]")
            .starts_with("99-qd-svhtt.pdf (tệp hiện tại"),
        "{:?}",
        again.texts("#file_path option")
    );
    assert_eq!(
        c.post_form(&edit, &fields).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        documents::find(&mut site.conn(), decision_id)
            .unwrap()
            .file_path
            .as_deref(),
        Some("van-ban/99-qd-svhtt.pdf")
    );
    let record = c.get(decision).await;
    assert_eq!(record.status, StatusCode::OK);
    assert_eq!(record.text(".document-facts a[download]"), "Tải về (PDF)");

    // The plan leaves the registry: its number stops linking.
    let plan_id = documents::find_by_slug(&mut site.conn(), "ke-hoach-171-kh-svhtt-2022")
        .unwrap()
        .unwrap()
        .id;
    let del = c
        .post_form(
            &format!("/admin/documents/{plan_id}/delete"),
            &[("csrf_token", &token)],
        )
        .await;
    assert_eq!(del.status, StatusCode::SEE_OTHER);
    let page = c.get(&path).await;
    assert_eq!(
        links(&page)
            .iter()
            .map(|l| l.0.as_str())
            .collect::<Vec<_>>(),
        vec!["99/QĐ-SVHTT", "171/KH-SVHTT"],
        "{:?}",
        links(&page)
    );
    assert_eq!(links(&page)[1].1, "https://vanban.example.vn");
    assert_eq!(c.get(PLAN).await.status, StatusCode::NOT_FOUND);
    assert!(!stored(&site).contains(PLAN));

    let (events, _) = loa::storage::audit::page(&mut site.conn(), 0, 10).unwrap();
    let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
    assert!(
        actions.starts_with(&["document.delete", "document.update", "document.create"]),
        "{actions:?}"
    );
    // Renumbered, the decision no longer matches the entry's text: the
    // link goes, and comes back with the number.
    let renumber = |number: &'static str| {
        let mut f = form(&token, number);
        f.last_mut().unwrap().1 = String::new();
        f
    };
    for (number, linked) in [("98/QĐ-SVHTT", false), ("99/QĐ-SVHTT", true)] {
        let fields = renumber(number);
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        assert_eq!(
            c.post_form(&edit, &fields).await.status,
            StatusCode::SEE_OTHER
        );
        let page = c.get(&path).await;
        assert_eq!(
            links(&page).iter().any(|l| l.0 == "99/QĐ-SVHTT"),
            linked,
            "{number}: {:?}",
            links(&page)
        );
    }
}

#[actix_web::test]
async fn document_changes_need_a_token_and_an_editor_and_bad_input_comes_back() {
    let site = TestSite::with_content();
    site.add_user("tacgia", Role::Author, PW);
    site.add_user("bientap", Role::Editor, PW);
    let mut c = site.client().await;
    c.login("tacgia", PW).await;
    assert_eq!(
        c.get("/admin/documents").await.status,
        StatusCode::FORBIDDEN
    );
    let token = c.admin_token().await;
    let fields = [
        ("csrf_token", token.as_str()),
        ("doc_type", "Kế hoạch"),
        ("number", "5/KH-SVHTT"),
        ("issuer", "Sở"),
        ("issued_on", "1/1/2024"),
        ("status", "in_force"),
        ("abstract_text", "Thử"),
    ];
    assert_eq!(
        c.post_form("/admin/documents/new", &fields).await.status,
        StatusCode::FORBIDDEN
    );
    c.forget();
    c.login("bientap", PW).await;
    // Without the session's token: 403, nothing stored.
    assert_eq!(
        c.post_form("/admin/documents/new", &fields).await.status,
        StatusCode::FORBIDDEN
    );
    let token = c.admin_token().await;
    let bad = [
        ("csrf_token", token.as_str()),
        ("doc_type", "Kế hoạch"),
        ("number", "KH năm nay"),
        ("issuer", "Sở Văn hóa và Thể thao Hà Nội"),
        ("issued_on", "31/2/2024"),
        ("status", "in_force"),
        (
            "abstract_text",
            "Tuyên truyền về cải cách hành chính năm 2024",
        ),
    ];
    let page = c.post_form("/admin/documents/new", &bad).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(page.texts(".error-summary li a").len(), 2);
    assert_eq!(
        page.attr("#number", "aria-invalid").as_deref(),
        Some("true")
    );
    assert!(page.text("#issued_on-error").contains("29/3/2022"));
    assert_eq!(
        page.text("#abstract_text"),
        "Tuyên truyền về cải cách hành chính năm 2024"
    );
    assert_eq!(documents::all(&mut site.conn()).unwrap().len(), 1);
}

#[actix_web::test]
async fn the_registry_exports_and_imports_again_unchanged() {
    let site = registry();
    let out = tempfile::tempdir().unwrap();
    loa::content::export::export_dir(
        &mut site.conn(),
        out.path(),
        &site.state.uploads,
        site.state.config.tz(),
        false,
    )
    .unwrap();
    let text = std::fs::read_to_string(out.path().join("documents.toml")).unwrap();
    assert!(text.contains("number = \"171/KH-SVHTT\""), "{text}");
    let fields = |site: &TestSite| -> Vec<String> {
        documents::all(&mut site.conn())
            .unwrap()
            .into_iter()
            .map(|d| {
                format!(
                    "{} {} {} {} {:?} {} {} {:?}",
                    d.slug,
                    d.doc_type,
                    d.number,
                    d.issued_on,
                    d.effective_on,
                    d.status.as_str(),
                    d.abstract_text,
                    d.file_path
                )
            })
            .collect()
    };
    let copy = TestSite::new();
    let report = copy.import(out.path());
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    assert_eq!(report.documents, 4);
    assert_eq!(fields(&copy), fields(&site));
    assert_eq!(site.import(out.path()).documents, 0, "nothing changes");
}

#[actix_web::test]
async fn pages_and_translations_link_a_number_from_the_moment_it_is_registered() {
    let site = TestSite::with_content();
    let by = loa::service::entries::Saver {
        name: "test",
        now: site.now(),
    };
    let body = "Thực hiện Quyết định số 99/QĐ-SVHTT của Sở.";
    let page = loa::domain::page::validate(&loa::domain::page::PageInput {
        title: "Văn bản chỉ đạo".into(),
        body_md: body.into(),
        status: "published".into(),
        ..Default::default()
    })
    .unwrap();
    let page_id = loa::service::pages::save(
        &mut site.conn(),
        loa::service::pages::Target::New,
        &page,
        by,
    )
    .unwrap()
    .id();
    let translation =
        loa::domain::translation::validate(&loa::domain::translation::TranslationInput {
            title: "Guiding documents".into(),
            body_md: "Under Decision No. 99/QĐ-SVHTT.".into(),
            status: "published".into(),
            ..Default::default()
        })
        .unwrap();
    loa::service::translations::save(
        &mut site.conn(),
        loa::storage::translations::Original::Page(page_id),
        "en",
        None,
        &translation,
        by,
    )
    .unwrap();
    let mut c = site.client().await;
    let decision = "/documents/quyet-dinh-99-qd-svhtt-2022";
    let linked = |page: &common::Page| page.attr(".entry-body a[href^='/documents/']", "href");
    assert_eq!(
        linked(&c.get("/van-ban-chi-dao").await),
        None,
        "not registered yet"
    );

    let valid = validate(&DocumentInput {
        doc_type: "Quyết định".into(),
        number: "99/QĐ-SVHTT".into(),
        issuer: "Sở Văn hóa và Thể thao Hà Nội".into(),
        issued_on: "15/4/2022".into(),
        status: "in_force".into(),
        abstract_text: "Thành lập tổ tuyên truyền".into(),
        ..Default::default()
    })
    .unwrap();
    let id = loa::service::documents::save(&mut site.conn(), None, &valid, site.now())
        .unwrap()
        .unwrap()
        .id();
    loa::web::cache::sync(&site.state, true).await;
    assert_eq!(
        linked(&c.get("/van-ban-chi-dao").await).as_deref(),
        Some(decision)
    );
    assert_eq!(
        linked(&c.get("/en/van-ban-chi-dao").await).as_deref(),
        Some(decision)
    );
    // Deleted from the registry: no link left pointing at a 404.
    loa::service::documents::delete(&mut site.conn(), id).unwrap();
    loa::web::cache::sync(&site.state, true).await;
    assert_eq!(linked(&c.get("/van-ban-chi-dao").await), None);
    assert_eq!(linked(&c.get("/en/van-ban-chi-dao").await), None);
}

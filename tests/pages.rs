//! Issue #17, pages: the department's own pages at their tree paths, with
//! contact lists and subpages; drafts (and pages under drafts) hidden;
//! editors create, move, rename and restore them, old addresses answer
//! 301; a slug that would shadow a fixed path is refused at the field;
//! the pages are in the footer, the sitemap, and export and import.

use crate::common;

use actix_web::http::StatusCode;
use common::{TestSite, as_refs, edit_fields, msg, set};
use loa::domain::user::Role;
use loa::storage::pages;

const PW: &str = "mat-khau-du-dai";

/// Attribute `attr` of every element matching `css`.
fn attrs(page: &common::Page, css: &str, attr: &str) -> Vec<String> {
    let sel = scraper::Selector::parse(css).unwrap();
    page.html()
        .select(&sel)
        .filter_map(|e| e.value().attr(attr).map(str::to_owned))
        .collect()
}

fn page_id(site: &TestSite, path: &str) -> i32 {
    pages::find_by_path(&mut site.conn(), path)
        .unwrap()
        .unwrap_or_else(|| panic!("no page at {path}"))
        .id
}

/// A new page's form, as an editor fills it in.
fn new_page<'a>(
    token: &'a str,
    title: &'a str,
    slug: &'a str,
    parent: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("csrf_token", token),
        ("version", "0"),
        ("title", title),
        ("slug", slug),
        ("parent_id", parent),
        ("position", "5"),
        ("summary", "Tóm tắt của trang."),
        ("body_md", "## Mục một\n\nNội dung **trang**."),
        ("contacts", ""),
        ("status", "published"),
    ]
}

#[actix_web::test]
async fn a_page_is_shown_at_its_tree_path_with_its_contacts_and_subpages() {
    let site = TestSite::with_content();
    let mut c = site.client().await;

    let child = c.get("/gioi-thieu/co-cau-to-chuc").await;
    assert_eq!(child.status, StatusCode::OK);
    assert_eq!(child.text("h1"), "Cơ cấu tổ chức");
    assert_eq!(
        child.texts(".breadcrumbs li"),
        vec!["Trang chủ", "Giới thiệu", "Cơ cấu tổ chức"]
    );
    assert_eq!(
        child
            .attr(".breadcrumbs li:nth-child(2) a", "href")
            .as_deref(),
        Some("/gioi-thieu")
    );
    // Pages take no comments.
    assert_eq!(child.count("form[action$='/comments']"), 0);

    let parent = c.get("/gioi-thieu").await;
    assert_eq!(parent.status, StatusCode::OK);
    assert_eq!(parent.text(".entry-body h2"), "Vị trí và chức năng");
    assert_eq!(parent.texts(".page-children a"), vec!["Cơ cấu tổ chức"]);
    // A trailing slash leads to the page's one address.
    let slash = c.get("/gioi-thieu/").await;
    assert_eq!(slash.status, StatusCode::MOVED_PERMANENTLY);
    assert_eq!(slash.header("location").as_deref(), Some("/gioi-thieu"));

    let contacts = c.get("/lien-he").await;
    assert_eq!(contacts.status, StatusCode::OK);
    assert_eq!(
        contacts.texts("table.contacts tbody th"),
        vec!["Văn phòng Sở", "Bộ phận Một cửa"]
    );
    assert_eq!(
        contacts
            .attr(
                "table.contacts tbody tr:first-child a[href^='tel:']",
                "href"
            )
            .as_deref(),
        Some("tel:02438253505")
    );
    assert_eq!(
        contacts
            .attr(
                "table.contacts tbody tr:nth-child(2) a[href^='tel:']",
                "href"
            )
            .as_deref(),
        Some("tel:+842438253505")
    );
    assert_eq!(
        contacts
            .attr("table.contacts a[href^='mailto:']", "href")
            .as_deref(),
        Some("mailto:vanphong@example.vn")
    );

    // Every page's footer leads to the published top-level pages, in order.
    let home = c.get("/").await;
    assert_eq!(home.texts(".footer-pages a"), vec!["Giới thiệu", "Liên hệ"]);

    // The sitemap lists the public pages, not the draft.
    let sitemap = c.get("/sitemap.xml").await;
    let body = &sitemap.body;
    for path in [
        "/gioi-thieu</loc>",
        "/gioi-thieu/co-cau-to-chuc</loc>",
        "/lien-he</loc>",
    ] {
        assert!(body.contains(path), "{path} in the sitemap");
    }
    assert!(!body.contains("/du-thao"), "no draft in the sitemap");
}

#[actix_web::test]
async fn drafts_and_the_pages_below_them_are_not_found() {
    let site = TestSite::with_content();
    site.add_user("bientap", Role::Editor, PW);
    let mut c = site.client().await;
    assert_eq!(c.get("/du-thao").await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        c.get("/khong-co-trang-nay").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        c.get("/gioi-thieu/khong-co").await.status,
        StatusCode::NOT_FOUND
    );
    // Cached while public…
    assert_eq!(
        c.get("/gioi-thieu/co-cau-to-chuc").await.status,
        StatusCode::OK
    );

    // The child is renamed (its old address redirects)…
    c.login("bientap", PW).await;
    let child = page_id(&site, "gioi-thieu/co-cau-to-chuc");
    let path = format!("/admin/pages/{child}/edit");
    let mut fields = edit_fields(&c.get(&path).await);
    set(&mut fields, "slug", "to-chuc");
    assert_eq!(
        c.post_form(&path, &as_refs(&fields)).await.status,
        StatusCode::SEE_OTHER
    );
    // …then the parent goes back to draft: both leave the site at once.
    let id = page_id(&site, "gioi-thieu");
    let path = format!("/admin/pages/{id}/edit");
    let mut fields = edit_fields(&c.get(&path).await);
    set(&mut fields, "status", "draft");
    let saved = c.post_form(&path, &as_refs(&fields)).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    c.forget();
    assert_eq!(c.get("/gioi-thieu").await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        c.get("/gioi-thieu/to-chuc").await.status,
        StatusCode::NOT_FOUND,
        "a published page under a draft is not public"
    );
    assert_eq!(
        c.get("/gioi-thieu/co-cau-to-chuc").await.status,
        StatusCode::NOT_FOUND,
        "nor is its old address a redirect to it"
    );
    let home = c.get("/").await;
    assert_eq!(home.texts(".footer-pages a"), vec!["Liên hệ"]);
}

#[actix_web::test]
async fn an_editor_adds_a_subpage_and_readers_see_it_at_once() {
    let site = TestSite::with_content();
    site.add_user("bientap", Role::Editor, PW);
    let mut c = site.client().await;
    // A reader has the parent in the page cache.
    assert!(c.get("/gioi-thieu").await.texts(".page-children a").len() == 1);

    c.login("bientap", PW).await;
    let token = c.admin_token().await;
    let parent = page_id(&site, "gioi-thieu").to_string();
    let form = c.get(&format!("/admin/pages/new?parent={parent}")).await;
    assert_eq!(
        form.attr("#parent_id option[selected]", "value"),
        Some(parent.clone()),
        "the form starts under the page it was opened from"
    );
    let created = c
        .post_form(
            "/admin/pages/new",
            &new_page(&token, "Chức năng, nhiệm vụ", "", &parent),
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER);

    c.forget();
    let page = c.get("/gioi-thieu/chuc-nang-nhiem-vu").await;
    assert_eq!(page.status, StatusCode::OK, "the slug comes from the title");
    assert_eq!(page.text(".entry-body strong"), "trang");
    let parent_page = c.get("/gioi-thieu").await;
    assert_eq!(
        parent_page.texts(".page-children a"),
        vec!["Cơ cấu tổ chức", "Chức năng, nhiệm vụ"],
        "in order, and the cached parent was dropped"
    );
    let (audit, _) = loa::storage::audit::page(&mut site.conn(), 0, 10).unwrap();
    assert!(audit.iter().any(|a| a.action == "page.create"), "audited");
}

#[actix_web::test]
async fn renaming_or_moving_a_page_keeps_the_old_addresses_as_301() {
    let site = TestSite::with_content();
    site.add_user("bientap", Role::Editor, PW);
    let mut c = site.client().await;
    c.login("bientap", PW).await;

    // Rename the parent: it and its child move, their old paths redirect.
    let id = page_id(&site, "gioi-thieu");
    let path = format!("/admin/pages/{id}/edit");
    let mut fields = edit_fields(&c.get(&path).await);
    set(&mut fields, "slug", "ve-so");
    assert_eq!(
        c.post_form(&path, &as_refs(&fields)).await.status,
        StatusCode::SEE_OTHER
    );
    c.forget();
    for (old, new) in [
        ("/gioi-thieu", "/ve-so"),
        ("/gioi-thieu/co-cau-to-chuc", "/ve-so/co-cau-to-chuc"),
    ] {
        let moved = c.get(old).await;
        assert_eq!(moved.status, StatusCode::MOVED_PERMANENTLY, "{old}");
        assert_eq!(moved.header("location").as_deref(), Some(new), "{old}");
        assert_eq!(c.get(new).await.status, StatusCode::OK, "{new}");
    }

    // Move the child under "Liên hệ": its first and second paths both lead
    // to where it is now.
    c.login("bientap", PW).await;
    let child = page_id(&site, "ve-so/co-cau-to-chuc");
    let path = format!("/admin/pages/{child}/edit");
    let mut fields = edit_fields(&c.get(&path).await);
    set(
        &mut fields,
        "parent_id",
        &page_id(&site, "lien-he").to_string(),
    );
    assert_eq!(
        c.post_form(&path, &as_refs(&fields)).await.status,
        StatusCode::SEE_OTHER
    );
    c.forget();
    for old in ["/gioi-thieu/co-cau-to-chuc", "/ve-so/co-cau-to-chuc"] {
        let moved = c.get(old).await;
        assert_eq!(moved.status, StatusCode::MOVED_PERMANENTLY, "{old}");
        assert_eq!(
            moved.header("location").as_deref(),
            Some("/lien-he/co-cau-to-chuc")
        );
    }

    // The seed file of the renamed page, imported again, does not make a
    // second page at the old address: it says where the page went.
    let again = site.import(&common::site_dir());
    assert_eq!(again.pages, 0);
    assert!(
        again
            .failed
            .iter()
            .any(|(p, why)| p.ends_with("gioi-thieu.md") && why.contains("/ve-so")),
        "{:?}",
        again.failed
    );

    // A new page may take an old address: the page wins over the redirect.
    c.login("bientap", PW).await;
    let token = c.admin_token().await;
    let created = c
        .post_form(
            "/admin/pages/new",
            &new_page(&token, "Giới thiệu chung", "gioi-thieu", ""),
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER);
    c.forget();
    let taken = c.get("/gioi-thieu").await;
    assert_eq!(taken.status, StatusCode::OK);
    assert_eq!(taken.text("h1"), "Giới thiệu chung");
}

#[actix_web::test]
async fn a_bad_page_form_comes_back_with_each_problem_at_its_field_and_everything_typed() {
    let site = TestSite::with_content();
    site.add_user("bientap", Role::Editor, PW);
    let mut c = site.client().await;
    c.login("bientap", PW).await;
    let token = c.admin_token().await;

    // A top-level slug that is one of the site's fixed paths.
    let mut typed = new_page(&token, "Tin tức của Sở", "articles", "");
    let contacts = "Văn phòng | Chánh Văn phòng | 024 3825 3505 | vp@example.vn\nPhòng Tổ chức | | gọi tổng đài";
    typed.retain(|(k, _)| *k != "contacts");
    typed.push(("contacts", contacts));
    let refused = c.post_form("/admin/pages/new", &typed).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .text("#slug-error")
            .contains(&msg("page_slug_reserved"))
    );
    assert!(
        refused
            .text("#contacts-error")
            .contains(&msg("page_contact_invalid").replace("{line}", "2")),
        "the bad line is named"
    );
    assert_eq!(
        attrs(&refused, ".error-summary a", "href"),
        vec!["#slug", "#contacts"],
        "the summary links to each field"
    );
    assert_eq!(
        refused.attr("#title", "value").as_deref(),
        Some("Tin tức của Sở")
    );
    assert_eq!(refused.attr("#slug", "value").as_deref(), Some("articles"));
    assert_eq!(refused.text("#contacts"), common::fold(contacts));
    assert_eq!(refused.text("#body_md"), "## Mục một Nội dung **trang**.");
    assert_eq!(
        c.get("/articles").await.status,
        StatusCode::OK,
        "the listing still answers"
    );

    // Below another page the same slug shadows nothing.
    let parent = page_id(&site, "gioi-thieu").to_string();
    let ok = c
        .post_form(
            "/admin/pages/new",
            &new_page(&token, "Tin tức của Sở", "articles", &parent),
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);

    // A path another page has.
    let twice = c
        .post_form(
            "/admin/pages/new",
            &new_page(&token, "Liên hệ", "lien-he", ""),
        )
        .await;
    assert_eq!(twice.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(twice.text("#slug-error").contains(&msg("page_path_taken")));

    // A page cannot go under itself or a page below it.
    let id = page_id(&site, "gioi-thieu");
    let child = page_id(&site, "gioi-thieu/co-cau-to-chuc");
    let path = format!("/admin/pages/{id}/edit");
    let form = c.get(&path).await;
    let offered = attrs(&form, "#parent_id option", "value");
    assert!(!offered.contains(&child.to_string()), "{offered:?}");
    assert!(!offered.contains(&id.to_string()), "{offered:?}");
    let mut fields = edit_fields(&form);
    set(&mut fields, "parent_id", &child.to_string());
    let cycle = c.post_form(&path, &as_refs(&fields)).await;
    assert_eq!(cycle.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        cycle
            .text("#parent_id-error")
            .contains(&msg("page_parent_invalid"))
    );
}

#[actix_web::test]
async fn two_editors_on_one_page_do_not_overwrite_each_other() {
    let site = TestSite::with_content();
    site.add_user("bientap", Role::Editor, PW);
    let mut a = site.client().await;
    a.login("bientap", PW).await;
    let id = page_id(&site, "lien-he");
    let path = format!("/admin/pages/{id}/edit");
    let first = edit_fields(&a.get(&path).await);
    let mut second = first.clone();
    let mut first = first;
    set(&mut first, "title", "Liên hệ với Sở");
    assert_eq!(
        a.post_form(&path, &as_refs(&first)).await.status,
        StatusCode::SEE_OTHER
    );
    set(&mut second, "summary", "Một tóm tắt khác.");
    let late = a.post_form(&path, &as_refs(&second)).await;
    assert_eq!(late.status, StatusCode::CONFLICT);
    assert_eq!(
        late.text("#summary"),
        "Một tóm tắt khác.",
        "what was typed is kept"
    );
    assert_eq!(
        pages::find(&mut site.conn(), id).unwrap().title,
        "Liên hệ với Sở",
        "the first save stands"
    );
    // Saving the kept form again is a choice made knowingly: it goes through.
    let again = a.post_form(&path, &as_refs(&edit_fields(&late))).await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    let page = pages::find(&mut site.conn(), id).unwrap();
    assert_eq!(page.summary, "Một tóm tắt khác.");
}

#[actix_web::test]
async fn every_save_keeps_a_revision_and_an_old_one_can_be_restored() {
    let site = TestSite::with_content();
    site.add_user("bientap", Role::Editor, PW);
    let mut c = site.client().await;
    c.login("bientap", PW).await;
    let id = page_id(&site, "lien-he");
    let path = format!("/admin/pages/{id}/edit");
    let mut fields = edit_fields(&c.get(&path).await);
    set(&mut fields, "body_md", "Địa chỉ mới của Sở.");
    set(&mut fields, "contacts", "Văn phòng Sở | | 024 3825 3505");
    assert_eq!(
        c.post_form(&path, &as_refs(&fields)).await.status,
        StatusCode::SEE_OTHER
    );
    // Saving it unchanged writes nothing.
    let fields = edit_fields(&c.get(&path).await);
    assert_eq!(
        c.post_form(&path, &as_refs(&fields)).await.status,
        StatusCode::SEE_OTHER
    );
    let revisions = pages::revisions(&mut site.conn(), id).unwrap();
    assert_eq!(revisions.len(), 2, "the import's and the edit's");

    c.forget();
    let edited = c.get("/lien-he").await;
    assert_eq!(edited.text(".entry-body"), "Địa chỉ mới của Sở.");
    assert_eq!(edited.count("table.contacts tbody tr"), 1);

    c.login("bientap", PW).await;
    let token = c.admin_token().await;
    let first = revisions.last().unwrap().id;
    let restored = c
        .post_form(
            &format!("/admin/pages/{id}/revisions/{first}/restore"),
            &[("csrf_token", &token)],
        )
        .await;
    assert_eq!(restored.status, StatusCode::SEE_OTHER);
    c.forget();
    let back = c.get("/lien-he").await;
    assert_eq!(back.text(".entry-body"), "Địa chỉ và điện thoại của Sở.");
    assert_eq!(back.count("table.contacts tbody tr"), 2);
    assert_eq!(pages::revisions(&mut site.conn(), id).unwrap().len(), 3);
}

#[actix_web::test]
async fn a_page_with_subpages_is_not_deleted_and_a_leaf_is() {
    let site = TestSite::with_content();
    site.add_user("bientap", Role::Editor, PW);
    let mut c = site.client().await;
    c.login("bientap", PW).await;
    let token = c.admin_token().await;
    let parent = page_id(&site, "gioi-thieu");
    let refused = c
        .post_form(
            &format!("/admin/pages/{parent}/delete"),
            &[("csrf_token", &token)],
        )
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert!(refused.text("main").contains(&msg("page_has_children")));
    assert!(
        pages::find_by_path(&mut site.conn(), "gioi-thieu")
            .unwrap()
            .is_some()
    );

    let child = page_id(&site, "gioi-thieu/co-cau-to-chuc");
    let deleted = c
        .post_form(
            &format!("/admin/pages/{child}/delete"),
            &[("csrf_token", &token)],
        )
        .await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER);
    c.forget();
    assert_eq!(
        c.get("/gioi-thieu/co-cau-to-chuc").await.status,
        StatusCode::NOT_FOUND
    );
    assert!(
        c.get("/gioi-thieu")
            .await
            .texts(".page-children a")
            .is_empty()
    );
}

#[actix_web::test]
async fn pages_change_only_with_an_editor_and_the_token() {
    let site = TestSite::with_content();
    site.add_user("tacgia", Role::Author, PW);
    site.add_user("bientap", Role::Editor, PW);
    let id = page_id(&site, "lien-he");
    let mut c = site.client().await;
    // No session at all: to the sign-in page, nothing changed.
    let anonymous = c
        .post_form(&format!("/admin/pages/{id}/delete"), &[("csrf_token", "x")])
        .await;
    assert!(anonymous.status.is_redirection() || anonymous.status == StatusCode::FORBIDDEN);

    c.login("tacgia", PW).await;
    assert_eq!(c.get("/admin/pages").await.status, StatusCode::FORBIDDEN);
    let token = c.admin_token().await;
    let author = c
        .post_form(
            "/admin/pages/new",
            &new_page(&token, "Trang của tác giả", "", ""),
        )
        .await;
    assert_eq!(author.status, StatusCode::FORBIDDEN);

    c.login("bientap", PW).await;
    let forged = c
        .post_form(
            &format!("/admin/pages/{id}/delete"),
            &[("csrf_token", "gia-mao")],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(
        pages::find_by_path(&mut site.conn(), "lien-he")
            .unwrap()
            .is_some()
    );
    assert!(
        pages::find_by_path(&mut site.conn(), "trang-cua-tac-gia")
            .unwrap()
            .is_none()
    );
}

#[test]
fn pages_export_and_import_to_the_same_tree_and_again_change_nothing() {
    let site = TestSite::with_content();
    let report = site.import(&common::site_dir());
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    assert_eq!(report.pages, 0, "the same files again change nothing");

    let dir = tempfile::tempdir().unwrap();
    loa::content::export::export_dir(
        &mut site.conn(),
        dir.path(),
        &site.state.uploads,
        site.state.config.tz(),
        false,
    )
    .unwrap();
    assert!(
        dir.path()
            .join("pages/gioi-thieu/co-cau-to-chuc.md")
            .is_file()
    );
    let copy = TestSite::new();
    let imported = copy.import(dir.path());
    assert!(imported.failed.is_empty(), "{:?}", imported.failed);
    assert_eq!(imported.pages, 4);
    let tree = |s: &TestSite| -> Vec<(String, String, String, String)> {
        let conn = &mut s.conn();
        let mut all: Vec<_> = pages::all(conn)
            .unwrap()
            .into_iter()
            .map(|n| {
                let p = pages::find(conn, n.id).unwrap();
                (p.path, p.title, p.body_html, p.contacts)
            })
            .collect();
        all.sort();
        all
    };
    assert_eq!(tree(&copy), tree(&site));
}

#[test]
fn a_page_file_with_a_missing_parent_is_reported_and_the_rest_imported() {
    let site = TestSite::new();
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("pages")).unwrap();
    std::fs::write(
        dir.path().join("pages/mo-coi.md"),
        "+++\ntitle = \"Mồ côi\"\nparent = \"khong-co\"\nstatus = \"published\"\n+++\nx\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("pages/admin.md"),
        "+++\ntitle = \"Quản trị\"\nslug = \"admin\"\nstatus = \"published\"\n+++\nx\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("pages/lien-he.md"),
        "+++\ntitle = \"Liên hệ\"\nstatus = \"published\"\n+++\nx\n",
    )
    .unwrap();
    let report = site.import(dir.path());
    assert_eq!(report.pages, 1);
    let failed: Vec<String> = report
        .failed
        .iter()
        .map(|(p, why)| format!("{}: {why}", p.file_name().unwrap().to_string_lossy()))
        .collect();
    assert_eq!(failed.len(), 2, "{failed:?}");
    assert!(
        failed
            .iter()
            .any(|f| f.starts_with("mo-coi.md") && f.contains("khong-co")),
        "{failed:?}"
    );
    assert!(
        failed
            .iter()
            .any(|f| f.starts_with("admin.md") && f.contains("slug")),
        "{failed:?}"
    );
}

#[actix_web::test]
async fn a_search_lists_the_pages_whose_title_summary_or_body_hold_its_words() {
    let site = TestSite::with_content();
    let mut c = site.client().await;
    let found = c.get("/search?q=co+cau+to+chuc").await;
    assert_eq!(found.status, StatusCode::OK);
    assert_eq!(
        found.texts(".search-pages .card-title a"),
        vec!["Cơ cấu tổ chức"]
    );
    assert_eq!(
        found.attr(".search-pages a", "href").as_deref(),
        Some("/gioi-thieu/co-cau-to-chuc")
    );
    // Without accents, by the summary's words too.
    let by_summary = c.get("/search?q=nhiem+vu").await;
    assert_eq!(
        by_summary.texts(".search-pages .card-title a"),
        vec!["Giới thiệu"]
    );
    // By the body's words, after the pages whose title or summary answer.
    let by_body = c.get("/search?q=co+quan+chuyen+mon").await;
    assert_eq!(
        by_body.texts(".search-pages .card-title a"),
        vec!["Giới thiệu"]
    );
    // Never a draft, by any of its words; not on a search narrowed to a kind.
    assert_eq!(
        c.get("/search?q=chua+cong+bo").await.count(".search-pages"),
        0
    );
    assert_eq!(
        c.get("/search?q=trang+dang+soan")
            .await
            .count(".search-pages"),
        0
    );
    assert_eq!(
        c.get("/search?q=lien+he&kind=article")
            .await
            .count(".search-pages"),
        0
    );
    assert_eq!(
        c.get("/search?q=lien+he").await.texts(".search-pages a"),
        vec!["Liên hệ"]
    );
}

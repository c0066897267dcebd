//! Issue #17, menus: admins edit the header and footer menus (items in
//! order, one level of submenu, leading to a category, a page, a kind,
//! the registry or another address); readers see them at once; on phones
//! the header menu is a disclosure that needs no JavaScript.

use crate::common;

use actix_web::http::StatusCode;
use common::{TestSite, msg};
use loa::domain::user::Role;

const PW: &str = "mat-khau-du-dai";

fn page_id(site: &TestSite, path: &str) -> String {
    loa::storage::pages::find_by_path(&mut site.conn(), path)
        .unwrap()
        .expect("page")
        .id
        .to_string()
}

fn category_id(site: &TestSite, slug: &str) -> String {
    loa::storage::categories::all(&mut site.conn())
        .unwrap()
        .into_iter()
        .find(|c| c.slug == slug)
        .expect("category")
        .id
        .to_string()
}

/// The id of the menu item labelled `label`.
fn item_id(site: &TestSite, label: &str) -> String {
    loa::storage::menus::all(&mut site.conn())
        .unwrap()
        .into_iter()
        .find(|i| i.label == label)
        .expect("item")
        .id
        .to_string()
}

fn item<'a>(
    token: &'a str,
    menu: &'a str,
    label: &'a str,
    target: &'a str,
    url: &'a str,
    parent: &'a str,
    position: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("csrf_token", token),
        ("menu", menu),
        ("label", label),
        ("target", target),
        ("url", url),
        ("parent_id", parent),
        ("position", position),
    ]
}

#[actix_web::test]
async fn with_no_menu_the_header_shows_the_categories_and_the_footer_the_pages() {
    let site = TestSite::with_content();
    let mut c = site.client().await;
    let home = c.get("/").await;
    let bar = home.texts(".nav-bar > li > a");
    assert_eq!(bar.first().map(String::as_str), Some("Trang chủ"));
    assert!(bar.contains(&"Tin ngành".to_owned()), "{bar:?}");
    // The same links in the phone's disclosure, which opens without script.
    assert_eq!(home.text(".nav-disclosure summary"), msg("nav_menu"));
    assert_eq!(home.texts(".nav-disclosure a"), bar);
    assert_eq!(home.texts(".footer-pages a"), vec!["Giới thiệu", "Liên hệ"]);
}

#[actix_web::test]
async fn an_admin_builds_the_header_menu_with_a_submenu_and_readers_see_it_at_once() {
    let site = TestSite::with_content();
    site.add_user("quantri", Role::Admin, PW);
    let mut c = site.client().await;
    // A reader has the home page cached with the default menu.
    assert!(
        c.get("/")
            .await
            .texts(".nav-bar a")
            .contains(&"Tin ngành".to_owned())
    );

    c.login("quantri", PW).await;
    let token = c.admin_token().await;
    let about = format!("page:{}", page_id(&site, "gioi-thieu"));
    let org = format!("page:{}", page_id(&site, "gioi-thieu/co-cau-to-chuc"));
    let news = format!("category:{}", category_id(&site, "tin-nganh"));
    for form in [
        item(&token, "header", "Giới thiệu", &about, "", "", "1"),
        item(
            &token,
            "header",
            "Dịch vụ công",
            "url",
            "https://dichvucong.gov.vn",
            "",
            "3",
        ),
        item(&token, "header", "Tin ngành", &news, "", "", "2"),
        item(&token, "header", "Tờ gấp", "kind:leaflet", "", "", "4"),
    ] {
        let saved = c.post_form("/admin/menus", &form).await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER);
    }
    let parent = item_id(&site, "Giới thiệu");
    let saved = c
        .post_form(
            "/admin/menus",
            &item(&token, "header", "Cơ cấu tổ chức", &org, "", &parent, "1"),
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);

    c.forget();
    let home = c.get("/").await;
    assert_eq!(
        home.texts(".nav-bar > li > a"),
        vec!["Giới thiệu", "Tin ngành", "Dịch vụ công", "Tờ gấp"],
        "in order, and the cached page was dropped"
    );
    assert_eq!(home.texts(".nav-bar .has-sub ul a"), vec!["Cơ cấu tổ chức"]);
    assert_eq!(
        home.attr(".nav-bar .has-sub ul a", "href").as_deref(),
        Some("/gioi-thieu/co-cau-to-chuc")
    );
    assert_eq!(
        home.attr(".nav-bar a[href^='https']", "href").as_deref(),
        Some("https://dichvucong.gov.vn")
    );
    assert_eq!(
        home.attr(".nav-bar li:nth-child(4) a", "href").as_deref(),
        Some("/leaflets")
    );
    assert_eq!(
        home.texts(".nav-disclosure a"),
        home.texts(".nav-bar a"),
        "the phone's menu holds the same links"
    );
    let page = c.get("/gioi-thieu/co-cau-to-chuc").await;
    assert_eq!(
        page.attr(".nav-bar .has-sub ul a[aria-current='page']", "href")
            .as_deref(),
        Some("/gioi-thieu/co-cau-to-chuc"),
        "the current page is marked"
    );

    // Deleting the top item deletes its submenu.
    c.login("quantri", PW).await;
    let token = c.admin_token().await;
    let deleted = c
        .post_form(
            &format!("/admin/menus/{parent}"),
            &[("csrf_token", token.as_str()), ("action", "delete")],
        )
        .await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER);
    c.forget();
    let home = c.get("/").await;
    assert_eq!(
        home.texts(".nav-bar > li > a"),
        vec!["Tin ngành", "Dịch vụ công", "Tờ gấp"]
    );
    assert_eq!(home.count(".nav-bar .has-sub"), 0);
    let (audit, _) = loa::storage::audit::page(&mut site.conn(), 0, 20).unwrap();
    assert_eq!(
        audit.iter().filter(|a| a.action == "menu.create").count(),
        5
    );
    assert_eq!(
        audit.iter().filter(|a| a.action == "menu.delete").count(),
        1
    );
}

#[actix_web::test]
async fn the_footer_menu_replaces_the_pages_and_an_item_whose_page_is_not_public_is_left_out() {
    let site = TestSite::with_content();
    site.add_user("quantri", Role::Admin, PW);
    let mut c = site.client().await;
    c.login("quantri", PW).await;
    let token = c.admin_token().await;
    let contact = format!("page:{}", page_id(&site, "lien-he"));
    for form in [
        item(&token, "footer", "Liên hệ với Sở", &contact, "", "", "1"),
        item(&token, "footer", "Văn bản", "documents", "", "", "2"),
        item(&token, "footer", "Hỏi – Đáp", "url", "/hoi-dap", "", "3"),
    ] {
        assert_eq!(
            c.post_form("/admin/menus", &form).await.status,
            StatusCode::SEE_OTHER
        );
    }
    c.forget();
    let home = c.get("/").await;
    assert_eq!(
        home.texts(".footer-pages a"),
        vec!["Liên hệ với Sở", "Văn bản", "Hỏi – Đáp"]
    );

    // The page goes back to draft: its item leaves the menu, and the
    // admin is told why.
    let id: i32 = page_id(&site, "lien-he").parse().unwrap();
    let mut conn = site.conn();
    let page = loa::storage::pages::find(&mut conn, id).unwrap();
    let mut valid = loa::service::pages::valid_of(&page);
    valid.status = loa::domain::page::PageStatus::Draft;
    loa::service::pages::save(
        &mut conn,
        loa::service::pages::Target::Existing {
            id,
            version: page.version,
        },
        &valid,
        loa::service::entries::Saver {
            name: "test",
            now: site.now(),
        },
    )
    .unwrap();
    drop(conn);
    site.state
        .cache
        .read_log(&mut site.conn(), site.now())
        .unwrap();
    assert_eq!(
        c.get("/").await.texts(".footer-pages a"),
        vec!["Văn bản", "Hỏi – Đáp"]
    );
    c.login("quantri", PW).await;
    let admin = c.get("/admin/menus").await;
    assert!(
        admin
            .text(".menu-item .warning")
            .contains(&msg("menu_missing"))
    );
}

#[actix_web::test]
async fn a_bad_menu_item_comes_back_with_its_problem_and_what_was_typed() {
    let site = TestSite::with_content();
    site.add_user("quantri", Role::Admin, PW);
    let mut c = site.client().await;
    c.login("quantri", PW).await;
    let token = c.admin_token().await;
    let refused = c
        .post_form(
            "/admin/menus",
            &item(
                &token,
                "header",
                "Trang lạ",
                "url",
                "javascript:alert(1)",
                "",
                "1",
            ),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .text("#url-new-header-error")
            .contains(&msg("menu_target_invalid"))
    );
    assert_eq!(
        refused.attr(".error-summary a", "href").as_deref(),
        Some("#url-new-header")
    );
    assert_eq!(
        refused.attr("#label-new-header", "value").as_deref(),
        Some("Trang lạ")
    );
    assert_eq!(
        refused.attr("#url-new-header", "value").as_deref(),
        Some("javascript:alert(1)")
    );
    assert!(
        loa::storage::menus::all(&mut site.conn())
            .unwrap()
            .is_empty()
    );

    // One level of submenu: an item cannot go under an item that is
    // itself in a submenu.
    let form = item(&token, "header", "Giới thiệu", "home", "", "", "1");
    assert_eq!(
        c.post_form("/admin/menus", &form).await.status,
        StatusCode::SEE_OTHER
    );
    let top = item_id(&site, "Giới thiệu");
    let saved = c
        .post_form(
            "/admin/menus",
            &item(&token, "header", "Con", "documents", "", &top, "1"),
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let child = item_id(&site, "Con");
    let deeper = c
        .post_form(
            "/admin/menus",
            &item(&token, "header", "Cháu", "documents", "", &child, "1"),
        )
        .await;
    assert_eq!(deeper.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        deeper
            .text("#parent_id-new-header-error")
            .contains(&msg("menu_parent_invalid"))
    );
    // Nor under the other menu's items.
    let other = c
        .post_form(
            "/admin/menus",
            &item(&token, "footer", "Khác", "documents", "", &top, "1"),
        )
        .await;
    assert_eq!(other.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[actix_web::test]
async fn only_an_admin_with_the_token_edits_the_menus() {
    let site = TestSite::with_content();
    site.add_user("bientap", Role::Editor, PW);
    site.add_user("quantri", Role::Admin, PW);
    let mut c = site.client().await;
    c.login("bientap", PW).await;
    assert_eq!(c.get("/admin/menus").await.status, StatusCode::FORBIDDEN);
    let token = c.admin_token().await;
    let editor = c
        .post_form(
            "/admin/menus",
            &item(&token, "header", "Trang chủ", "home", "", "", "1"),
        )
        .await;
    assert_eq!(editor.status, StatusCode::FORBIDDEN);
    c.login("quantri", PW).await;
    let forged = c
        .post_form(
            "/admin/menus",
            &item("gia-mao", "header", "Trang chủ", "home", "", "", "1"),
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(
        loa::storage::menus::all(&mut site.conn())
            .unwrap()
            .is_empty()
    );
}

//! Issue #17, a second theme: admins switch the site's theme without a
//! restart; every reader gets it at once (the cached pages are dropped),
//! another server on the same database follows, a restart keeps it, and
//! the change is audited.

use crate::common;

use actix_web::http::StatusCode;
use actix_web::web;
use common::TestSite;
use loa::domain::user::Role;
use loa::web::AppState;

const PW: &str = "mat-khau-du-dai";

#[actix_web::test]
async fn an_admin_switches_the_theme_and_every_reader_and_server_follows() {
    let site = TestSite::with_content();
    site.add_user("quantri", Role::Admin, PW);
    site.add_user("bientap", Role::Editor, PW);
    // A second server on the same database.
    let other =
        web::Data::new(AppState::new(site.state.config.clone(), site.state.pool.clone()).unwrap());
    let mut c = site.client().await;
    let before = c.get("/lien-he").await;
    assert_eq!(
        before.count("link[href*='/static/theme.']"),
        0,
        "the default has no theme.css"
    );

    c.login("bientap", PW).await;
    assert_eq!(c.get("/admin/theme").await.status, StatusCode::FORBIDDEN);

    c.login("quantri", PW).await;
    let form = c.get("/admin/theme").await;
    let offered: Vec<String> = {
        let sel = scraper::Selector::parse("input[name=theme]").unwrap();
        form.html()
            .select(&sel)
            .filter_map(|e| e.value().attr("value").map(str::to_owned))
            .collect()
    };
    assert_eq!(offered, vec!["default", "tuong-phan"]);
    assert_eq!(
        form.attr("input[name=theme][checked]", "value").as_deref(),
        Some("default")
    );
    let token = form.token();
    let unknown = c
        .post_form(
            "/admin/theme",
            &[("csrf_token", &token), ("theme", "../default")],
        )
        .await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    let forged = c
        .post_form(
            "/admin/theme",
            &[("csrf_token", "x"), ("theme", "tuong-phan")],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(site.state.theme.name(), "default");

    let switched = c
        .post_form(
            "/admin/theme",
            &[("csrf_token", &token), ("theme", "tuong-phan")],
        )
        .await;
    assert_eq!(switched.status, StatusCode::SEE_OTHER);
    assert_eq!(
        site.state.theme.name(),
        "tuong-phan",
        "this server, at once"
    );

    c.forget();
    let after = c.get("/lien-he").await;
    let css = after
        .attr("link[href*='/static/theme.']", "href")
        .expect("the theme's stylesheet, on the page the cache held");
    let sheet = c.get(&css).await;
    assert_eq!(sheet.status, StatusCode::OK);
    assert!(
        sheet.body.contains("--gold: #ffd500"),
        "the high-contrast sheet"
    );
    assert_eq!(
        after.count("table.contacts tbody tr"),
        before.count("table.contacts tbody tr"),
        "the same page, restyled"
    );

    // The other server follows when it reads the change log.
    assert_eq!(other.theme.name(), "default");
    loa::web::cache::sync(&other, true).await;
    assert_eq!(other.theme.name(), "tuong-phan");
    // A restart keeps the admin's choice.
    let restarted = AppState::new(site.state.config.clone(), site.state.pool.clone()).unwrap();
    assert_eq!(restarted.theme.name(), "tuong-phan");

    let (audit, _) = loa::storage::audit::page(&mut site.conn(), 0, 5).unwrap();
    assert!(
        audit.iter().any(|a| a.action == "theme.change"
            && a.target == "tuong-phan"
            && a.detail == "default")
    );
    // An admin reading the admin in English sees the themes named in
    // English where their theme.toml says how.
    c.login("quantri", PW).await;
    let token = c.admin_token().await;
    c.post_form(
        "/admin/language",
        &[("csrf_token", &token), ("language", "en")],
    )
    .await;
    let english = c.get("/admin/theme").await;
    assert!(
        english
            .text("label[for=theme-tuong-phan]")
            .starts_with("High contrast, large type"),
        "{}",
        english.text("label[for=theme-tuong-phan]")
    );
}

#[actix_web::test]
async fn a_theme_that_does_not_load_is_refused_and_the_current_one_stays() {
    let themes = tempfile::tempdir().unwrap();
    let copied = std::process::Command::new("cp")
        .arg("-r")
        .arg(common::repo().join("themes/default"))
        .arg(themes.path())
        .status()
        .unwrap();
    assert!(copied.success());
    let broken = themes.path().join("hong/templates");
    std::fs::create_dir_all(&broken).unwrap();
    std::fs::write(broken.join("base.html"), "{% if %}").unwrap();
    let dir = themes.path().to_owned();
    let site = TestSite::with_config(move |c| c.themes = dir);
    site.add_user("quantri", Role::Admin, PW);
    let mut c = site.client().await;
    c.login("quantri", PW).await;
    let token = c.admin_token().await;
    let refused = c
        .post_form("/admin/theme", &[("csrf_token", &token), ("theme", "hong")])
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert!(
        refused
            .text("main")
            .contains(&common::msg("admin_theme_broken"))
    );
    assert_eq!(site.state.theme.name(), "default");
    assert_eq!(
        loa::storage::settings::get(&mut site.conn(), loa::storage::settings::THEME).unwrap(),
        None,
        "nothing saved for a restart to fail on"
    );
    assert_eq!(c.get("/").await.status, StatusCode::OK);
    // A saved theme that stops loading (edited on disk since) does not
    // stop a restart: the configured theme serves.
    loa::storage::settings::set(&mut site.conn(), loa::storage::settings::THEME, "hong").unwrap();
    let restarted = AppState::new(site.state.config.clone(), site.state.pool.clone()).unwrap();
    assert_eq!(restarted.theme.name(), "default");
}

/// Copies the shipped themes into a temporary folder, for tests that add
/// their own beside them.
fn shipped_themes() -> tempfile::TempDir {
    let themes = tempfile::tempdir().unwrap();
    for name in ["default", "tuong-phan"] {
        let copied = std::process::Command::new("cp")
            .arg("-r")
            .arg(common::repo().join("themes").join(name))
            .arg(themes.path())
            .status()
            .unwrap();
        assert!(copied.success());
    }
    themes
}

#[actix_web::test]
async fn a_child_theme_changes_only_what_it_names_and_keeps_its_parents_look() {
    let themes = shipped_themes();
    let child = themes.path().join("mau-so");
    std::fs::create_dir_all(child.join("templates/errors")).unwrap();
    std::fs::create_dir_all(child.join("messages")).unwrap();
    std::fs::create_dir_all(child.join("static")).unwrap();
    std::fs::write(
        child.join("theme.toml"),
        "title = \"Sở: màu riêng\"\nparent = \"tuong-phan\"\n",
    )
    .unwrap();
    std::fs::write(
        child.join("messages/vi.toml"),
        "footer_powered = \"Cổng thông tin của Sở, chạy trên loa.\"\n",
    )
    .unwrap();
    std::fs::write(
        child.join("templates/errors/404.html"),
        "{% extends \"errors/error.html\" %}\n{% block title %}Không có trang này · {{ site.name }}{% endblock title %}\n",
    )
    .unwrap();
    std::fs::write(
        child.join("static/theme.css"),
        ":root { --so-mau: #7a0019; }\n",
    )
    .unwrap();
    std::fs::write(
        child.join("static/logo.svg"),
        "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
    )
    .unwrap();
    // A theme that names itself as its parent, and one whose parent is missing.
    for (name, parent) in [("vong", "vong"), ("mo-coi", "khong-co")] {
        std::fs::create_dir_all(themes.path().join(name)).unwrap();
        std::fs::write(
            themes.path().join(name).join("theme.toml"),
            format!("parent = \"{parent}\"\n"),
        )
        .unwrap();
    }
    let dir = themes.path().to_owned();
    let site = TestSite::with_config(move |c| c.themes = dir);
    let report = site.import(&common::site_dir());
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    site.add_user("quantri", Role::Admin, PW);
    let mut c = site.client().await;
    c.login("quantri", PW).await;
    let form = c.get("/admin/theme").await;
    assert!(
        form.text("main").contains("Sở: màu riêng"),
        "named from its theme.toml"
    );
    let token = form.token();
    for broken in ["vong", "mo-coi"] {
        let refused = c
            .post_form("/admin/theme", &[("csrf_token", &token), ("theme", broken)])
            .await;
        assert_eq!(refused.status, StatusCode::CONFLICT, "{broken}");
    }
    assert_eq!(site.state.theme.name(), "default");

    let switched = c
        .post_form(
            "/admin/theme",
            &[("csrf_token", &token), ("theme", "mau-so")],
        )
        .await;
    assert_eq!(switched.status, StatusCode::SEE_OTHER);
    c.forget();
    let page = c.get("/lien-he").await;
    assert_eq!(page.status, StatusCode::OK);
    let sheets: Vec<String> = {
        let sel = scraper::Selector::parse("link[rel=stylesheet][href*='/static/theme.']").unwrap();
        page.html()
            .select(&sel)
            .filter_map(|e| e.value().attr("href").map(str::to_owned))
            .collect()
    };
    assert_eq!(
        sheets.len(),
        2,
        "the parent's sheet, then the child's: {sheets:?}"
    );
    let parent_sheet = c.get(&sheets[0]).await;
    assert!(
        parent_sheet.body.contains("--gold: #ffd500"),
        "tuong-phan's first"
    );
    let own_sheet = c.get(&sheets[1]).await;
    assert!(
        own_sheet.body.contains("--so-mau"),
        "the child's last, so it wins"
    );
    assert!(
        page.text("footer")
            .contains("Cổng thông tin của Sở, chạy trên loa."),
        "the child's message"
    );
    assert!(
        page.text("footer").contains(&common::msg("footer_contact")),
        "other messages from the ancestors"
    );
    assert!(
        page.count("table.contacts tbody tr") > 0,
        "templates it lacks come from default"
    );
    assert_eq!(
        c.get("/static/logo.svg").await.status,
        StatusCode::OK,
        "its own files are served"
    );
    let missing = c.get("/khong-co-trang-nay").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(
        missing.text("title").starts_with("Không có trang này"),
        "its own 404 template: {}",
        missing.text("title")
    );
}

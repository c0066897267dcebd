//! Issue #17, the English interface: the theme's English catalogue is
//! complete (the catalogue test checks every key), and a staff member can
//! read the admin in English — labels, messages and dates — while the
//! public site and other staff keep Vietnamese.

use crate::common;

use actix_web::http::StatusCode;
use common::{TestSite, msg};
use loa::domain::user::Role;

const PW: &str = "mat-khau-du-dai";

/// A message of the English catalogue.
fn msg_en(key: &str) -> String {
    let path = common::repo().join("themes/default/messages/en.toml");
    let all: std::collections::BTreeMap<String, String> =
        toml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    all.get(key)
        .unwrap_or_else(|| panic!("no `{key}` in en.toml"))
        .clone()
}

#[actix_web::test]
async fn a_staff_member_reads_the_admin_in_english() {
    let site = TestSite::with_content();
    site.add_user("bientap", Role::Editor, PW);
    site.add_user("bientap2", Role::Editor, PW);
    let mut c = site.client().await;
    c.login("bientap", PW).await;
    let token = c.admin_token().await;
    let before = c.get("/admin/pages").await;
    assert_eq!(before.attr("html", "lang").as_deref(), Some("vi"));
    assert_eq!(
        before.texts("#admin-language option"),
        vec!["Tiếng Việt", "English"],
        "each language named in itself"
    );

    let chosen = c
        .post_form(
            "/admin/language",
            &[
                ("csrf_token", &token),
                ("language", "en"),
                ("back", "/admin/pages"),
            ],
        )
        .await;
    assert_eq!(chosen.status, StatusCode::SEE_OTHER);
    assert_eq!(chosen.header("location").as_deref(), Some("/admin/pages"));

    let list = c.get("/admin/pages").await;
    assert_eq!(list.attr("html", "lang").as_deref(), Some("en"));
    assert_eq!(list.text("h1"), msg_en("admin_pages"));
    let updated = list.text("table.admin-table tbody tr td:nth-child(4)");
    let months = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    assert!(
        months.iter().any(|m| updated.contains(m)),
        "dates in English: {updated}"
    );
    // A refused form says why in English, at the field.
    let token = c.admin_token().await;
    let refused = c
        .post_form(
            "/admin/pages/new",
            &[
                ("csrf_token", token.as_str()),
                ("title", "News"),
                ("slug", "articles"),
                ("status", "published"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .text("#slug-error")
            .contains(&msg_en("page_slug_reserved"))
    );

    // The public site, and the other editor, keep Vietnamese.
    let public = c.get("/lien-he").await;
    assert_eq!(public.attr("html", "lang").as_deref(), Some("vi"));
    assert_eq!(public.text(".breadcrumbs li"), msg("home"));
    let mut other = site.client().await;
    other.login("bientap2", PW).await;
    let theirs = other.get("/admin/pages").await;
    assert_eq!(theirs.text("h1"), msg("admin_pages"));

    // Back to Vietnamese; a language the theme does not speak is refused.
    let token = c.admin_token().await;
    let bad = c
        .post_form(
            "/admin/language",
            &[("csrf_token", &token), ("language", "fr")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let back = c
        .post_form(
            "/admin/language",
            &[("csrf_token", &token), ("language", "vi")],
        )
        .await;
    assert_eq!(back.header("location").as_deref(), Some("/admin"));
    assert_eq!(c.get("/admin/pages").await.text("h1"), msg("admin_pages"));
    // Without the token nothing changes.
    let forged = c
        .post_form(
            "/admin/language",
            &[("csrf_token", "x"), ("language", "en")],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(
        c.get("/admin/pages").await.attr("html", "lang").as_deref(),
        Some("vi")
    );
}

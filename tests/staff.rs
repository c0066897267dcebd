//! The staff side: sign-in and its throttling, sessions, CSRF, roles,
//! the editorial workflow, scheduled publishing, slug redirects,
//! revisions, concurrent edits, validation, backups and the audit log.

use crate::common;
use loa::storage::Db;

use actix_web::http::StatusCode;
use common::{TestSite, article_form, as_refs, edit_fields, entry, msg, set, utc};
use diesel::prelude::*;
use loa::domain::entry::{EntryKind, Status};
use loa::domain::user::Role;
use loa::storage::entries;

const PW: &str = "mat-khau-du-dai";

fn entry_by_slug(site: &TestSite, slug: &str) -> Option<entries::Entry> {
    entries::find_by_slug(&mut site.conn(), slug).unwrap()
}

fn audit_actions(site: &TestSite) -> Vec<String> {
    use loa::storage::schema::audit_log::dsl::*;
    audit_log
        .order(id)
        .select(action)
        .load(&mut *site.conn())
        .unwrap()
}

/// What a browser sends with a form from the site's own pages.
const SAME_SITE: (&str, &str) = ("sec-fetch-site", "same-origin");

#[actix_web::test]
async fn sign_in_sets_a_safe_session_cookie_and_logout_ends_it() {
    let site = TestSite::new();
    site.add_user("bientap", Role::Editor, PW);
    let mut c = site.client().await;
    let to_login = c.get("/admin/entries?kind=article").await;
    assert_eq!(to_login.status, StatusCode::SEE_OTHER);
    assert_eq!(
        to_login.header("location").as_deref(),
        Some("/admin/login?next=%2Fadmin%2Fentries%3Fkind%3Darticle")
    );

    let form = c.get("/admin/login?next=/admin/entries").await;
    assert_eq!(
        form.attr("input[name=username]", "autocomplete").as_deref(),
        Some("username")
    );
    let token = form.token();
    let res = c
        .post_form(
            "/admin/login",
            &[
                ("username", "bientap"),
                ("password", PW),
                ("csrf_token", &token),
                ("next", "/admin/entries"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(res.header("location").as_deref(), Some("/admin/entries"));
    let cookie = res
        .headers
        .get_all("set-cookie")
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("loa_session="))
        .unwrap()
        .to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert!(!cookie.contains("Secure"), "plain http without base_url");
    let first = c.cookies["loa_session"].clone();
    assert_eq!(c.get("/admin").await.status, StatusCode::OK);

    // Signing in again rotates the session.
    c.login("bientap", PW).await;
    assert_ne!(c.cookies["loa_session"], first);

    // Logout needs the token; then the session is over, here and for copies.
    let stolen = c.cookies["loa_session"].clone();
    let token = c.admin_token().await;
    assert_eq!(
        c.post_form("/admin/logout", &[]).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        c.post_form("/admin/logout", &[("csrf_token", &token)])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(c.get("/admin").await.status, StatusCode::SEE_OTHER);
    c.cookies.insert("loa_session".into(), stolen);
    assert_eq!(
        c.get("/admin").await.status,
        StatusCode::SEE_OTHER,
        "a copied cookie is dead too"
    );
    // Only paths inside the admin are followed after sign-in.
    let token = c.get("/admin/login").await.token();
    let res = c
        .post_form(
            "/admin/login",
            &[
                ("username", "bientap"),
                ("password", PW),
                ("csrf_token", &token),
                ("next", "https://evil.example/"),
            ],
        )
        .await;
    assert_eq!(res.header("location").as_deref(), Some("/admin"));
}

#[actix_web::test]
async fn https_sites_mark_the_session_cookie_secure() {
    let site = TestSite::build(
        |c| c.base_url = Some("https://vhtt.hanoi.gov.vn".into()),
        |s| s,
    );
    site.add_user("bientap", Role::Editor, PW);
    let mut c = site.client().await;
    let res = c.login("bientap", PW).await;
    let cookie = res
        .headers
        .get_all("set-cookie")
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("loa_session="))
        .unwrap()
        .to_owned();
    assert!(cookie.contains("Secure"), "{cookie}");
}

/// An empty field is named as empty, leads to itself, and is not counted
/// as a failed sign-in.
#[actix_web::test]
async fn empty_sign_in_fields_are_named_not_counted_as_failures() {
    let site = TestSite::new();
    site.add_user("bientap", Role::Editor, PW);
    let mut c = site.client().await;
    for (name, pass, says, at) in [
        ("", "", msg("login_fields_required"), "#username"),
        ("", PW, msg("login_username_required"), "#username"),
        ("bientap", "", msg("login_password_required"), "#password"),
    ] {
        let res = c.login(name, pass).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{says}");
        assert_eq!(res.text(".error-summary li"), says);
        assert_eq!(res.attr(".error-summary a", "href").as_deref(), Some(at));
        // Marked at the field as well.
        let field = format!("{at}[aria-invalid=true]");
        assert_eq!(res.count(&field), 1, "{says}");
        assert!(res.text(&format!("{at}-error")).contains(&says));
    }
    for _ in 0..5 {
        c.login("bientap", "").await;
    }
    assert!(!audit_actions(&site).contains(&"login.failed".to_owned()));
    assert_eq!(c.login("bientap", PW).await.status, StatusCode::SEE_OTHER);
}

#[actix_web::test]
async fn wrong_names_and_passwords_look_alike_and_repeated_failures_lock() {
    let site = TestSite::new();
    site.add_user("bientap", Role::Editor, PW);
    let mut c = site.client().await;
    let unknown = c.login("khongco", PW).await;
    let wrong = c.login("bientap", "sai-mat-khau-roi").await;
    assert_eq!(unknown.status, wrong.status);
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        unknown.text(".error-summary li"),
        wrong.text(".error-summary li")
    );
    assert_eq!(wrong.text(".error-summary li"), msg("login_failed"));
    assert_eq!(
        wrong.attr("input[name=username]", "value").as_deref(),
        Some("bientap"),
        "the name stays typed"
    );
    for _ in 0..3 {
        c.login("bientap", "sai-mat-khau-roi").await;
    }
    // Five failures in the window: refused for a while, even with the right password.
    let locked = c.login("bientap", PW).await;
    assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        locked
            .text(".error-summary")
            .contains("thử lại sau 15 phút"),
        "{}",
        locked.text(".error-summary")
    );
    site.set_now(site.now() + chrono::Duration::minutes(16));
    assert_eq!(c.login("bientap", PW).await.status, StatusCode::SEE_OTHER);
    let actions = audit_actions(&site);
    assert!(actions.iter().filter(|a| *a == "login.failed").count() >= 5);
    assert!(actions.contains(&"login".to_owned()));
}

#[actix_web::test]
async fn one_address_trying_many_accounts_is_locked_too() {
    let site = TestSite::new();
    site.add_user("bientap", Role::Editor, PW);
    let mut c = site.client().await;
    for name in ["a1", "b2", "c3", "d4", "e5"] {
        c.login(name, "doan-bua-mot-mat-khau").await;
    }
    assert_eq!(
        c.login("bientap", PW).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[actix_web::test]
async fn state_changes_without_a_valid_token_are_refused_and_change_nothing() {
    let site = TestSite::new();
    site.add_user("bientap", Role::Editor, PW);
    site.add_user("khac", Role::Editor, PW);
    let mut other = site.client().await;
    other.login("khac", PW).await;
    let foreign = other.admin_token().await;
    let mut c = site.client().await;
    c.login("bientap", PW).await;
    for (what, token) in [
        ("missing", ""),
        ("wrong", "AAAA"),
        ("another session's", foreign.as_str()),
    ] {
        let res = c
            .post_form(
                "/admin/entries/new",
                &article_form(token, "Bài giả mạo", "publish"),
            )
            .await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{what}");
        // The themed 403 says what to do: reload the form and send again
        // (a form sent from another site, or with no token, is no editor
        // page whose text should come back).
        assert_eq!(
            res.text("h1"),
            msg("error_stale_form_title"),
            "{what}: themed 403"
        );
        assert_eq!(res.count("#body_md"), 0, "{what}: forged text not shown");
    }
    // A body that is no form at all carries no token either: 403 too.
    for path in [
        "/admin/comments/1/approve",
        "/admin/comments/bulk",
        "/admin/logout",
    ] {
        let res = c.post_raw(path, "text/plain", Vec::new()).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{path}");
    }
    // Without a session at all: 403 too (not a redirect), nothing written.
    let token = c.admin_token().await;
    let mut anonymous = site.client().await;
    assert_eq!(
        anonymous
            .post_form(
                "/admin/entries/new",
                &article_form(&token, "Bài giả mạo", "publish")
            )
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert!(entry_by_slug(&site, "bai-gia-mao").is_none());
    assert_eq!(
        c.post_form("/admin/categories", &[("name", "Mới"), ("csrf_token", "x")])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert!(
        loa::storage::categories::all(&mut site.conn())
            .unwrap()
            .is_empty()
    );
}

#[actix_web::test]
async fn each_role_may_do_its_job_and_nothing_else() {
    let site = TestSite::new();
    let author = site.add_user("tacgia", Role::Author, PW);
    site.add_user("kiemduyet", Role::Moderator, PW);
    site.add_user("bientap", Role::Editor, PW);
    site.add_user("quantri", Role::Admin, PW);
    let (others_draft, _) = entry(EntryKind::Article, "Bản nháp của người khác")
        .status(Status::Draft)
        .save(&mut site.conn());

    // (path, author, moderator, editor, admin) → may open
    let pages = [
        ("/admin", true, true, true, true),
        ("/admin/entries", true, false, true, true),
        ("/admin/entries/new", true, false, true, true),
        ("/admin/categories", false, false, true, true),
        ("/admin/tags", false, false, true, true),
        ("/admin/users", false, false, false, true),
        ("/admin/audit", false, false, false, true),
    ];
    for (i, name) in ["tacgia", "kiemduyet", "bientap", "quantri"]
        .iter()
        .enumerate()
    {
        let mut c = site.client().await;
        assert_eq!(
            c.login(name, PW).await.status,
            StatusCode::SEE_OTHER,
            "{name} signs in"
        );
        for (path, a, m, e, ad) in pages {
            let allowed = [a, m, e, ad][i];
            let status = c.get(path).await.status;
            assert_eq!(
                status,
                if allowed {
                    StatusCode::OK
                } else {
                    StatusCode::FORBIDDEN
                },
                "{name} GET {path}"
            );
        }
        let others = c
            .get(&format!("/admin/entries/{others_draft}/edit"))
            .await
            .status;
        assert_eq!(
            others,
            if i >= 2 {
                StatusCode::OK
            } else {
                StatusCode::FORBIDDEN
            },
            "{name} opens someone else's draft"
        );
        // Publishing straight away: editors and admins only.
        let token = c.admin_token().await;
        let title = format!("Bài đăng ngay của {name}");
        let res = c
            .post_form(
                "/admin/entries/new",
                &article_form(&token, &title, "publish"),
            )
            .await;
        assert_eq!(
            res.status == StatusCode::SEE_OTHER,
            i >= 2,
            "{name} publishes: {}",
            res.status
        );
    }

    // The author's own work: write, submit, but not publish.
    let mut c = site.client().await;
    c.login("tacgia", PW).await;
    let token = c.admin_token().await;
    let res = c
        .post_form(
            "/admin/entries/new",
            &article_form(&token, "Bài của tác giả", "save"),
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let mine = entry_by_slug(&site, "bai-cua-tac-gia").unwrap();
    assert_eq!((mine.status, mine.author_id), (Status::Draft, Some(author)));
    let edit = c.get(&format!("/admin/entries/{}/edit", mine.id)).await;
    assert!(
        edit.count("button[value=publish]") == 0,
        "no publish button for authors"
    );
    let mut fields = edit_fields(&edit);
    set(&mut fields, "action", "publish");
    assert_eq!(
        c.post_form(
            &format!("/admin/entries/{}/edit", mine.id),
            &as_refs(&fields)
        )
        .await
        .status,
        StatusCode::FORBIDDEN,
        "hidden buttons are not the control"
    );
    set(&mut fields, "action", "submit");
    assert_eq!(
        c.post_form(
            &format!("/admin/entries/{}/edit", mine.id),
            &as_refs(&fields)
        )
        .await
        .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        entry_by_slug(&site, "bai-cua-tac-gia").unwrap().status,
        Status::InReview
    );
    assert_eq!(
        c.post_form(
            &format!("/admin/entries/{others_draft}/delete"),
            &[("csrf_token", &token)]
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
}

#[actix_web::test]
async fn disabling_an_account_ends_its_sessions_at_once() {
    let site = TestSite::new();
    site.add_user("quantri", Role::Admin, PW);
    let editor = site.add_user("bientap", Role::Editor, PW);
    let mut ed = site.client().await;
    ed.login("bientap", PW).await;
    assert_eq!(ed.get("/admin/entries").await.status, StatusCode::OK);
    let mut admin = site.client().await;
    admin.login("quantri", PW).await;
    let token = admin.admin_token().await;
    let res = admin
        .post_form(
            &format!("/admin/users/{editor}"),
            &[("csrf_token", &token), ("do", "disable")],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(
        ed.get("/admin/entries").await.status,
        StatusCode::SEE_OTHER,
        "sent to sign in"
    );
    assert_eq!(
        ed.login("bientap", PW).await.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "and cannot sign in"
    );
    // An admin cannot lock themselves out.
    let me = loa::storage::users::find_by_username(&mut site.conn(), "quantri")
        .unwrap()
        .unwrap()
        .id;
    let res = admin
        .post_form(
            &format!("/admin/users/{me}"),
            &[("csrf_token", &token), ("do", "disable")],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Role changes from the browser, and the audit log has them.
    admin
        .post_form(
            &format!("/admin/users/{editor}"),
            &[("csrf_token", &token), ("do", "enable")],
        )
        .await;
    admin
        .post_form(
            &format!("/admin/users/{editor}"),
            &[("csrf_token", &token), ("do", "role"), ("role", "author")],
        )
        .await;
    let u = loa::storage::users::find(&mut site.conn(), editor)
        .unwrap()
        .unwrap();
    assert_eq!((u.role, u.disabled), (Role::Author, false));
    let log = admin.get("/admin/audit").await;
    for action in ["user.disable", "user.enable", "user.role"] {
        assert!(log.body.contains(action), "{action} not in the audit log");
    }
    // Each action is said in words, its code beside it.
    let said = log.texts("tbody td:nth-child(3)");
    for words in ["Khóa tài khoản user.disable", "Đổi vai trò user.role"] {
        assert!(said.iter().any(|s| s == words), "{words}: {said:?}");
    }
    // Past its last page the log answers 404, not an empty table.
    assert_eq!(
        admin.get("/admin/audit?page=50").await.status,
        StatusCode::NOT_FOUND
    );
}

#[actix_web::test]
async fn admins_create_accounts_from_the_browser_with_clear_refusals() {
    let site = TestSite::new();
    site.add_user("quantri", Role::Admin, PW);
    let mut c = site.client().await;
    c.login("quantri", PW).await;
    let token = c.admin_token().await;
    let bad = c
        .post_form(
            "/admin/users",
            &[
                ("csrf_token", &token),
                ("username", "Biên Tập"),
                ("display_name", "Chị Hoa"),
                ("role", "editor"),
                ("password", PW),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        bad.attr("#new-display", "value").as_deref(),
        Some("Chị Hoa"),
        "values kept"
    );
    let short = c
        .post_form(
            "/admin/users",
            &[
                ("csrf_token", &token),
                ("username", "hoa"),
                ("role", "editor"),
                ("password", "ngan"),
            ],
        )
        .await;
    assert!(
        short
            .text(".error-summary")
            .contains(&msg("password_too_short"))
    );
    let ok = c
        .post_form(
            "/admin/users",
            &[
                ("csrf_token", &token),
                ("username", "hoa"),
                ("role", "editor"),
                ("password", PW),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    let mut hoa = site.client().await;
    assert_eq!(hoa.login("hoa", PW).await.status, StatusCode::SEE_OTHER);
    // A new password from the admin ends Hoa's session.
    let id = loa::storage::users::find_by_username(&mut site.conn(), "hoa")
        .unwrap()
        .unwrap()
        .id;
    c.post_form(
        &format!("/admin/users/{id}"),
        &[
            ("csrf_token", &token),
            ("do", "password"),
            ("password", "mat-khau-moi-hoan-toan"),
        ],
    )
    .await;
    assert_eq!(hoa.get("/admin").await.status, StatusCode::SEE_OTHER);
    assert_eq!(
        hoa.login("hoa", "mat-khau-moi-hoan-toan").await.status,
        StatusCode::SEE_OTHER
    );
}

#[actix_web::test]
async fn a_scheduled_entry_goes_public_at_its_time_without_anyone_acting() {
    let site = TestSite::new();
    site.add_user("bientap", Role::Editor, PW);
    site.set_now(utc("2026-03-01 01:00:00")); // 08:00 in Hanoi
    let mut c = site.client().await;
    c.login("bientap", PW).await;
    let token = c.admin_token().await;
    let mut form = article_form(&token, "Thông báo lịch tiếp dân tháng 3", "publish");
    form.iter_mut().find(|(k, _)| *k == "publish_at").unwrap().1 = "2026-03-01T09:30";
    assert_eq!(
        c.post_form("/admin/entries/new", &form).await.status,
        StatusCode::SEE_OTHER
    );
    let e = entry_by_slug(&site, "thong-bao-lich-tiep-dan-thang-3").unwrap();
    assert_eq!(e.status, Status::Scheduled);
    assert_eq!(e.publish_at, Some(utc("2026-03-01 02:30:00")));
    let mut reader = site.client().await;
    assert_eq!(
        reader
            .get("/articles/thong-bao-lich-tiep-dan-thang-3")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert!(
        !reader
            .get("/")
            .await
            .body
            .contains("Thông báo lịch tiếp dân")
    );
    site.set_now(utc("2026-03-01 02:30:00"));
    assert_eq!(
        reader
            .get("/articles/thong-bao-lich-tiep-dan-thang-3")
            .await
            .status,
        StatusCode::OK
    );
    assert!(
        reader
            .get("/")
            .await
            .body
            .contains("Thông báo lịch tiếp dân tháng 3")
    );
    let found = reader.get("/search?q=tiep+dan").await;
    assert!(
        found
            .texts(".search-results .card-title")
            .contains(&"Thông báo lịch tiếp dân tháng 3".to_owned())
    );
    assert!(audit_actions(&site).contains(&"entry.publish".to_owned()));
}

#[actix_web::test]
async fn a_changed_slug_keeps_the_old_address_working() {
    let site = TestSite::new();
    site.add_user("bientap", Role::Editor, PW);
    let (id, old) = entry(EntryKind::Article, "Tên cũ của bài").save(&mut site.conn());
    let mut c = site.client().await;
    c.login("bientap", PW).await;
    let mut fields = edit_fields(&c.get(&format!("/admin/entries/{id}/edit")).await);
    set(&mut fields, "slug", "ten-moi-cua-bai");
    set(&mut fields, "action", "save");
    assert_eq!(
        c.post_form(&format!("/admin/entries/{id}/edit"), &as_refs(&fields))
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    let mut reader = site.client().await;
    let moved = reader.get(&old).await;
    assert_eq!(moved.status, StatusCode::MOVED_PERMANENTLY);
    assert_eq!(
        moved.header("location").as_deref(),
        Some("/articles/ten-moi-cua-bai")
    );
    assert_eq!(
        reader.get("/articles/ten-moi-cua-bai").await.status,
        StatusCode::OK
    );
}

#[actix_web::test]
async fn an_invalid_edit_comes_back_with_everything_typed() {
    let site = TestSite::new();
    site.add_user("bientap", Role::Editor, PW);
    entry(EntryKind::Article, "Bài đã có").save(&mut site.conn());
    let mut c = site.client().await;
    c.login("bientap", PW).await;
    let token = c.admin_token().await;
    let mut form = article_form(&token, "", "save");
    for (k, v) in form.iter_mut() {
        match *k {
            "slug" => *v = "bai-da-co",
            "publish_at" => *v = "ngày mai",
            "summary" => *v = "Sa-pô tôi đã gõ.",
            "body_md" => *v = "Thân bài tôi đã viết rất lâu.",
            _ => {}
        }
    }
    let res = c.post_form("/admin/entries/new", &form).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let problems = res.texts(".error-summary li");
    assert_eq!(problems.len(), 3, "{problems:?}");
    assert_eq!(
        res.attr(".error-summary a", "href").as_deref(),
        Some("#title")
    );
    assert_eq!(res.attr("#title", "aria-invalid").as_deref(), Some("true"));
    assert_eq!(res.attr("#slug", "value").as_deref(), Some("bai-da-co"));
    assert!(res.text("#slug-error").contains(&msg("entry_slug_taken")));
    assert_eq!(
        res.attr("#publish_at", "value").as_deref(),
        Some("ngày mai")
    );
    assert_eq!(res.text("#summary"), "Sa-pô tôi đã gõ.");
    assert_eq!(res.text("#body_md"), "Thân bài tôi đã viết rất lâu.");
    assert_eq!(
        res.attr("#tags", "value").as_deref(),
        Some("Cải cách hành chính, Số hóa")
    );
}

#[actix_web::test]
async fn two_editors_saving_one_entry_do_not_silently_overwrite() {
    let site = TestSite::new();
    site.add_user("an", Role::Editor, PW);
    site.add_user("binh", Role::Editor, PW);
    let (id, _) = entry(EntryKind::Article, "Bài dùng chung")
        .body("Đoạn gốc.")
        .save(&mut site.conn());
    let mut a = site.client().await;
    let mut b = site.client().await;
    a.login("an", PW).await;
    b.login("binh", PW).await;
    let mut fa = edit_fields(&a.get(&format!("/admin/entries/{id}/edit")).await);
    let mut fb = edit_fields(&b.get(&format!("/admin/entries/{id}/edit")).await);
    set(&mut fa, "body_md", "Đoạn An sửa.");
    set(&mut fa, "action", "save");
    assert_eq!(
        a.post_form(&format!("/admin/entries/{id}/edit"), &as_refs(&fa))
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    set(&mut fb, "body_md", "Đoạn Bình sửa.");
    set(&mut fb, "action", "save");
    let conflict = b
        .post_form(&format!("/admin/entries/{id}/edit"), &as_refs(&fb))
        .await;
    assert_eq!(conflict.status, StatusCode::CONFLICT);
    assert!(
        conflict.text(".conflict").contains("an đã lưu bài này"),
        "{}",
        conflict.text(".conflict")
    );
    assert!(
        conflict
            .texts(".conflict del")
            .contains(&"Đoạn gốc.".to_owned())
    );
    assert!(
        conflict
            .texts(".conflict ins")
            .contains(&"Đoạn An sửa.".to_owned())
    );
    assert_eq!(
        conflict.text("#body_md"),
        "Đoạn Bình sửa.",
        "what Bình typed is kept"
    );
    assert_eq!(
        entry_by_slug(&site, "bai-dung-chung").unwrap().body_md,
        "Đoạn An sửa."
    );
    // Saving again, knowingly, goes through.
    let again = edit_fields(&conflict);
    let mut again = again;
    set(&mut again, "action", "save");
    assert_eq!(
        b.post_form(&format!("/admin/entries/{id}/edit"), &as_refs(&again))
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        entry_by_slug(&site, "bai-dung-chung").unwrap().body_md,
        "Đoạn Bình sửa."
    );
}

#[actix_web::test]
async fn revisions_show_a_readable_diff_and_restore_makes_a_new_one() {
    let site = TestSite::new();
    site.add_user("bientap", Role::Editor, PW);
    let (id, _) = entry(EntryKind::Article, "Bài có lịch sử")
        .body("Bản một.")
        .save(&mut site.conn());
    let mut c = site.client().await;
    c.login("bientap", PW).await;
    for body in ["Bản hai.", "Bản ba."] {
        let mut f = edit_fields(&c.get(&format!("/admin/entries/{id}/edit")).await);
        set(&mut f, "body_md", body);
        set(&mut f, "action", "save");
        assert_eq!(
            c.post_form(&format!("/admin/entries/{id}/edit"), &as_refs(&f))
                .await
                .status,
            StatusCode::SEE_OTHER
        );
    }
    let list = c.get(&format!("/admin/entries/{id}/revisions")).await;
    let revs: Vec<String> = {
        let sel = scraper::Selector::parse("input[name=to]").unwrap();
        list.html()
            .select(&sel)
            .filter_map(|i| i.value().attr("value").map(str::to_owned))
            .collect()
    };
    assert_eq!(revs.len(), 3);
    let (newest, oldest) = (&revs[0], &revs[2]);
    let diff = c
        .get(&format!(
            "/admin/entries/{id}/revisions/diff?from={oldest}&to={newest}"
        ))
        .await;
    assert_eq!(diff.status, StatusCode::OK);
    assert_eq!(diff.texts("del"), vec!["Bản một."]);
    assert_eq!(diff.texts("ins"), vec!["Bản ba."]);
    let token = c.admin_token().await;
    let res = c
        .post_form(
            &format!("/admin/entries/{id}/revisions/{oldest}/restore"),
            &[("csrf_token", &token)],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(
        entry_by_slug(&site, "bai-co-lich-su").unwrap().body_md,
        "Bản một."
    );
    assert_eq!(
        loa::storage::revisions::for_entry(&mut site.conn(), id)
            .unwrap()
            .len(),
        4,
        "restoring keeps a revision"
    );
    assert_eq!(
        c.get(&format!("/admin/entries/{id}/revisions/diff?from=x&to=1"))
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
}

#[actix_web::test]
async fn preview_renders_without_saving_and_bulletins_keep_their_order() {
    let site = TestSite::with_content();
    site.add_user("bientap", Role::Editor, PW);
    let mut c = site.client().await;
    c.login("bientap", PW).await;
    let token = c.admin_token().await;
    let mut form = article_form(&token, "Bài xem trước", "preview");
    form.iter_mut().find(|(k, _)| *k == "body_md").unwrap().1 = "**Đậm** <script>x()</script>";
    let res = c.post_form("/admin/entries/new", &form).await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.body.contains("<strong>Đậm</strong>"));
    assert!(
        !res.html()
            .select(&scraper::Selector::parse("#live-preview script").unwrap())
            .any(|_| true)
    );
    assert!(
        entry_by_slug(&site, "bai-xem-truoc").is_none(),
        "preview saves nothing"
    );
    let live = c
        .post_form(
            "/admin/preview",
            &[("csrf_token", &token), ("body_md", "## Tiêu đề")],
        )
        .await;
    assert_eq!(live.body, "<h2 id=\"tieu-de\">Tiêu đề</h2>\n");

    // A bulletin: number, year, ordered entries; a second issue with the
    // same number is refused with a message.
    let bulletin = |number: &'static str, items: &'static str, token: &'static str| {
        vec![
            ("csrf_token", token),
            ("kind", "bulletin"),
            ("title", "Bản tin thử"),
            ("bulletin_series", "Bản tin Cải cách hành chính"),
            ("bulletin_number", number),
            ("bulletin_year", "2022"),
            ("bulletin_entries", items),
            ("action", "publish"),
        ]
    };
    let token: &'static str = Box::leak(token.into_boxed_str());
    let items = "tuyen-truyen-quy-tac-ung-xu-noi-cong-cong\n/articles/so-vhtt-ha-noi-tang-cuong-thong-tin-tuyen-truyen-ve-cai-cach-hanh-chinh";
    assert_eq!(
        c.post_form("/admin/entries/new", &bulletin("2", items, token))
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    let page = c.get("/bulletins/ban-tin-thu").await;
    assert_eq!(
        page.texts(".toc li > a")[0],
        "Đẩy mạnh tuyên truyền trực quan về các quy tắc ứng xử trong cải cách hành chính"
    );
    let dup = c
        .post_form("/admin/entries/new", &bulletin("1", items, token))
        .await;
    assert_eq!(dup.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        dup.text("#bulletin_number-error")
            .contains(&msg("bulletin_number_taken")),
        "{}",
        dup.text(".error-summary")
    );
    assert_eq!(dup.text("#bulletin_entries"), items.replace('\n', " "));
}

#[actix_web::test]
async fn categories_and_tags_are_managed_from_the_admin() {
    let site = TestSite::with_content();
    site.add_user("bientap", Role::Editor, PW);
    let mut c = site.client().await;
    c.login("bientap", PW).await;
    let token = c.admin_token().await;
    assert_eq!(
        c.post_form(
            "/admin/categories",
            &[("csrf_token", &token), ("name", "Thể thao quần chúng")]
        )
        .await
        .status,
        StatusCode::SEE_OTHER
    );
    assert!(
        loa::storage::categories::find_by_slug(&mut site.conn(), "the-thao-quan-chung")
            .unwrap()
            .is_some()
    );
    let empty = c
        .post_form(
            "/admin/categories",
            &[("csrf_token", &token), ("name", " ")],
        )
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Renaming re-indexes: the new name is searchable at once.
    let cat = loa::storage::categories::find_by_slug(&mut site.conn(), "tin-nganh")
        .unwrap()
        .unwrap();
    c.post_form(
        &format!("/admin/categories/{}", cat.id),
        &[
            ("csrf_token", &token),
            ("name", "Tin hoạt động ngành"),
            ("description", ""),
            ("position", "1"),
        ],
    )
    .await;
    assert!(
        c.get("/search?q=hoat+dong+nganh")
            .await
            .body
            .contains("Sở VHTT Hà Nội")
    );
    assert_eq!(
        c.get("/categories/tin-nganh").await.text("h1"),
        "Tin hoạt động ngành"
    );
    let tags = c.get("/admin/tags").await;
    assert!(tags.body.contains("Cải cách hành chính"));

    // A second section of the same name, or a place that is no number,
    // comes back at the row, as typed, and changes nothing.
    let other = loa::storage::categories::find_by_slug(&mut site.conn(), "the-thao-quan-chung")
        .unwrap()
        .unwrap();
    let row = format!("/admin/categories/{}", other.id);
    for (name, position, says) in [
        ("tin hoat dong nganh", "2", msg("category_name_taken")),
        ("Thể thao", "abc", msg("category_position_invalid")),
    ] {
        let res = c
            .post_form(
                &row,
                &[
                    ("csrf_token", &token),
                    ("name", name),
                    ("description", ""),
                    ("position", position),
                ],
            )
            .await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{says}");
        assert!(res.text(".error-summary").contains(&says), "{says}");
        assert_eq!(
            res.attr(&format!("#name-{}", other.id), "value").as_deref(),
            Some(name)
        );
    }
    assert_eq!(
        loa::storage::categories::find(&mut site.conn(), other.id)
            .unwrap()
            .name,
        "Thể thao quần chúng"
    );

    // A section that still files entries is not deleted; an empty one is.
    let refused = c
        .post_form(
            &format!("/admin/categories/{}/delete", cat.id),
            &[("csrf_token", &token)],
        )
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert!(
        refused
            .text(".error-summary")
            .contains(msg("category_in_use").split("{n}").next().unwrap())
    );
    assert_eq!(c.get("/categories/tin-nganh").await.status, StatusCode::OK);
    let emptied = c
        .post_form(&format!("{row}/delete"), &[("csrf_token", &token)])
        .await;
    assert_eq!(emptied.status, StatusCode::SEE_OTHER);
    assert!(
        loa::storage::categories::find_by_slug(&mut site.conn(), "the-thao-quan-chung")
            .unwrap()
            .is_none()
    );
}

#[test]
fn a_backup_taken_during_writes_is_consistent() {
    let site = TestSite::with_content();
    if common::on_postgres() {
        // PostgreSQL has pg_dump for that; loa says so instead of copying.
        let refused = loa::storage::pool::backup(&mut site.conn(), &site.dir.path().join("x.db"))
            .unwrap_err()
            .to_string();
        assert!(refused.contains("pg_dump"), "{refused}");
        return;
    }
    let pool = site.state.pool.clone();
    let writer = std::thread::spawn(move || {
        let conn = &mut pool.get().unwrap();
        for i in 0..200 {
            let mut b = common::entry(
                EntryKind::Article,
                &format!("Bài ghi trong lúc sao lưu {i}"),
            );
            b.save_ref(conn);
        }
    });
    let dest = site.dir.path().join("backups/loa-copy.db");
    loa::storage::pool::backup(&mut site.conn(), &dest).unwrap();
    writer.join().unwrap();
    let mut copy = Db::Sqlite(diesel::SqliteConnection::establish(dest.to_str().unwrap()).unwrap());
    #[derive(QueryableByName)]
    struct Check {
        #[diesel(sql_type = diesel::sql_types::Text)]
        integrity_check: String,
    }
    let check: Check = diesel::sql_query("PRAGMA integrity_check")
        .get_result(&mut copy)
        .unwrap();
    assert_eq!(check.integrity_check, "ok");
    let n = entries::count_all(&mut copy).unwrap();
    assert!((5..=205).contains(&n), "{n}");
    // The copy opens as a site of its own.
    let reopened = loa::storage::open_pool(&dest.to_string_lossy(), 1).unwrap();
    assert!(
        entries::find_by_slug(
            &mut reopened.get().unwrap(),
            "so-vhtt-ha-noi-tang-cuong-thong-tin-tuyen-truyen-ve-cai-cach-hanh-chinh"
        )
        .unwrap()
        .is_some()
    );
}

#[actix_web::test]
async fn an_author_whose_entry_was_published_meanwhile_keeps_the_text() {
    let site = TestSite::new();
    site.add_user("tacgia", Role::Author, PW);
    site.add_user("bientap", Role::Editor, PW);
    let mut a = site.client().await;
    a.login("tacgia", PW).await;
    let token = a.admin_token().await;
    a.post_form(
        "/admin/entries/new",
        &article_form(&token, "Bài đang viết", "submit"),
    )
    .await;
    let id = entry_by_slug(&site, "bai-dang-viet").unwrap().id;
    let mut fields = edit_fields(&a.get(&format!("/admin/entries/{id}/edit")).await);
    // Meanwhile the editor publishes it.
    let mut e = site.client().await;
    e.login("bientap", PW).await;
    let mut ef = edit_fields(&e.get(&format!("/admin/entries/{id}/edit")).await);
    set(&mut ef, "action", "publish");
    assert_eq!(
        e.post_form(&format!("/admin/entries/{id}/edit"), &as_refs(&ef))
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    // The author's next save is refused, but nothing typed is lost.
    set(&mut fields, "body_md", "Đoạn tôi vừa viết thêm.");
    set(&mut fields, "action", "withdraw");
    let res = a
        .post_form(&format!("/admin/entries/{id}/edit"), &as_refs(&fields))
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert_eq!(res.text("#body_md"), "Đoạn tôi vừa viết thêm.");
    assert!(res.text(".conflict").contains(&msg("admin_locked_title")));
    assert_eq!(res.count(".form-actions button[value=save]"), 0);
    assert_eq!(
        entry_by_slug(&site, "bai-dang-viet").unwrap().status,
        Status::Published
    );
}

#[actix_web::test]
async fn a_failed_category_or_tag_rename_keeps_what_was_typed() {
    let site = TestSite::with_content();
    site.add_user("bientap", Role::Editor, PW);
    let mut c = site.client().await;
    c.login("bientap", PW).await;
    let token = c.admin_token().await;
    let cat = loa::storage::categories::find_by_slug(&mut site.conn(), "thong-bao")
        .unwrap()
        .unwrap();
    let res = c
        .post_form(
            &format!("/admin/categories/{}", cat.id),
            &[
                ("csrf_token", &token),
                ("name", " "),
                ("description", "Mô tả mới tôi vừa gõ"),
                ("position", "7"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        res.attr(".error-summary a", "href"),
        Some(format!("#name-{}", cat.id))
    );
    assert_eq!(
        res.attr(&format!("#desc-{}", cat.id), "value").as_deref(),
        Some("Mô tả mới tôi vừa gõ")
    );
    assert_eq!(
        res.attr(&format!("#pos-{}", cat.id), "value").as_deref(),
        Some("7")
    );
    assert_eq!(
        res.attr(&format!("#name-{}", cat.id), "aria-invalid")
            .as_deref(),
        Some("true")
    );
    let tag = loa::storage::tags::find_by_slug(&mut site.conn(), "ban-tin")
        .unwrap()
        .unwrap();
    let res = c
        .post_form(
            &format!("/admin/tags/{}", tag.id),
            &[("csrf_token", &token), ("name", "")],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        res.attr(".error-summary a", "href"),
        Some(format!("#tag-{}", tag.id))
    );
    // Nothing changed.
    assert_eq!(
        loa::storage::categories::find(&mut site.conn(), cat.id)
            .unwrap()
            .name,
        "Thông báo"
    );
}

#[actix_web::test]
async fn an_expired_session_does_not_lose_the_article_being_written() {
    let site = TestSite::new();
    site.add_user("bientap", Role::Editor, PW);
    let mut c = site.client().await;
    c.login("bientap", PW).await;
    let token = c.admin_token().await;
    // Thirteen hours later the session is over, the editor presses save.
    site.set_now(site.now() + chrono::Duration::hours(13));
    let mut form = article_form(&token, "Bài viết dài suốt buổi chiều", "save");
    form.iter_mut().find(|(k, _)| *k == "body_md").unwrap().1 = "Ba trang nội dung quý giá.";
    // Sent from another site, the text is not shown back as the editor's.
    let foreign = c.post_form("/admin/entries/new", &form).await;
    assert_eq!(foreign.status, StatusCode::FORBIDDEN);
    assert_eq!(foreign.count("#body_md"), 0);
    let res = c
        .post_form_with("/admin/entries/new", &form, &[SAME_SITE])
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert_eq!(res.text("#body_md"), "Ba trang nội dung quý giá.");
    assert_eq!(
        res.attr("#title", "value").as_deref(),
        Some("Bài viết dài suốt buổi chiều")
    );
    assert!(res.text("h1").contains(&msg("error_session_title")));
    assert!(
        entry_by_slug(&site, "bai-viet-dai-suot-buoi-chieu").is_none(),
        "nothing saved without a session"
    );
}

/// An editor page opened before signing out and in again carries the old
/// session's token: saving it is refused, but the text comes back, with a
/// link to open the editor afresh.
#[actix_web::test]
async fn an_editor_form_older_than_the_session_keeps_its_text() {
    let site = TestSite::new();
    site.add_user("bientap", Role::Editor, PW);
    let mut c = site.client().await;
    c.login("bientap", PW).await;
    let old = c.admin_token().await;
    c.forget();
    c.login("bientap", PW).await;
    let mut form = article_form(&old, "Bài viết quan trọng", "save");
    form.iter_mut().find(|(k, _)| *k == "body_md").unwrap().1 = "Đoạn văn vừa gõ xong.";
    // Only a form sent from the site's own pages has its text shown back.
    let foreign = c
        .post_form_with(
            "/admin/entries/new",
            &form,
            &[("sec-fetch-site", "cross-site")],
        )
        .await;
    assert_eq!(foreign.status, StatusCode::FORBIDDEN);
    assert_eq!(foreign.text("h1"), msg("error_stale_form_title"));
    let res = c
        .post_form_with(
            "/admin/entries/new",
            &form,
            &[("origin", "http://localhost")],
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert_eq!(res.text("#body_md"), "Đoạn văn vừa gõ xong.");
    assert_eq!(
        res.attr("#title", "value").as_deref(),
        Some("Bài viết quan trọng")
    );
    assert!(res.text("h1").contains(&msg("error_stale_form_title")));
    let reopen = res.attr("a.button", "href").unwrap();
    assert_eq!(reopen, "/admin/entries/new?kind=article");
    assert_eq!(c.get(&reopen).await.status, StatusCode::OK);
    assert!(entry_by_slug(&site, "bai-viet-quan-trong").is_none());
}

#[actix_web::test]
async fn a_form_sent_after_the_session_ended_says_so_and_leads_back_to_its_page() {
    let site = TestSite::new();
    site.add_user("bientap", Role::Editor, PW);
    let mut c = site.client().await;
    c.login("bientap", PW).await;
    let token = c.admin_token().await;
    let category = [("name", "Chuyên mục mới"), ("csrf_token", token.as_str())];

    // A token from a page opened before signing in again: reload, resend.
    let stale = c
        .post_form(
            "/admin/categories",
            &[("name", "Cũ"), ("csrf_token", "1.khong-phai")],
        )
        .await;
    assert_eq!(stale.status, StatusCode::FORBIDDEN);
    assert_eq!(stale.text("h1"), msg("error_stale_form_title"));

    // Thirteen hours later the session is over; the form is refused with
    // the reason and a way to sign in again, back on the same page.
    site.set_now(site.now() + chrono::Duration::hours(13));
    let from = |referer: &'static str| [("referer", referer)];
    let res = c
        .post_form_with(
            "/admin/categories",
            &category,
            &from("http://localhost/admin/categories?sort=name"),
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert_eq!(res.text("h1"), msg("error_session_title"));
    assert!(res.text("main").contains(&msg("error_session_text")));
    assert_eq!(
        res.attr(".error-page a.button", "href").as_deref(),
        Some("/admin/login?next=%2Fadmin%2Fcategories%3Fsort%3Dname")
    );
    assert!(
        loa::storage::categories::all(&mut site.conn())
            .unwrap()
            .is_empty(),
        "nothing changed without a session"
    );

    // A referer off the staff pages leads to the dashboard instead.
    for referer in [
        "https://example.com/admin/../phishing",
        "http://localhost/tin-tuc",
    ] {
        let res = c
            .post_form_with("/admin/categories", &category, &from(referer))
            .await;
        assert_eq!(
            res.attr(".error-page a.button", "href").as_deref(),
            Some("/admin/login?next=%2Fadmin"),
            "{referer}"
        );
    }
}

/// The POST is checked by the rule that shows the buttons: an editor may
/// make every move of the workflow, but no one archives or unpublishes a
/// draft. Such a request (a hand-made form, a stale page) is a conflict
/// with the entry's state: the editor comes back with the text as typed
/// and the reason, and nothing changes.
#[actix_web::test]
async fn moves_the_workflow_does_not_have_are_refused_with_the_reason() {
    let site = TestSite::new();
    site.add_user("bientap", Role::Editor, PW);
    let (draft, _) = entry(EntryKind::Article, "Bản nháp chờ sửa")
        .status(Status::Draft)
        .save(&mut site.conn());
    let mut c = site.client().await;
    c.login("bientap", PW).await;
    let edit = c.get(&format!("/admin/entries/{draft}/edit")).await;
    assert_eq!(edit.count("button[value=archive]"), 0, "no archive button");
    assert_eq!(edit.count("button[value=unpublish]"), 0);
    let mut fields = edit_fields(&edit);
    set(&mut fields, "title", "Tiêu đề đang gõ dở");
    for (action, reason) in [
        ("archive", "entry_move_archive_refused"),
        ("unpublish", "entry_move_unpublish_refused"),
        ("withdraw", "entry_move_withdraw_refused"),
    ] {
        set(&mut fields, "action", action);
        let res = c
            .post_form(&format!("/admin/entries/{draft}/edit"), &as_refs(&fields))
            .await;
        assert_eq!(res.status, StatusCode::CONFLICT, "{action}");
        assert!(
            res.text(".error-summary")
                .contains(&site.state.theme.message(reason)),
            "{action}: {}",
            res.text(".error-summary")
        );
        assert_eq!(
            res.attr("#title", "value").as_deref(),
            Some("Tiêu đề đang gõ dở"),
            "the typed text stays"
        );
    }
    set(&mut fields, "action", "vanish");
    let res = c
        .post_form(&format!("/admin/entries/{draft}/edit"), &as_refs(&fields))
        .await;
    assert_eq!(
        res.status,
        StatusCode::BAD_REQUEST,
        "an action that is none"
    );
    let e = entries::find(&mut site.conn(), draft).unwrap();
    assert_eq!(
        (e.status, e.title.as_str(), e.version),
        (Status::Draft, "Bản nháp chờ sửa", 1)
    );
    // The moves it has still work.
    set(&mut fields, "action", "submit");
    let res = c
        .post_form(&format!("/admin/entries/{draft}/edit"), &as_refs(&fields))
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(
        entries::find(&mut site.conn(), draft).unwrap().status,
        Status::InReview
    );
}

//! Comment moderation: every rule that holds or refuses, the queue and its
//! actions (single and bulk), permissions and CSRF, official replies,
//! one-click moderation on the page, personal-data masking, address
//! retention, and the department's on-time figure over a controlled clock.

use crate::common;

use actix_web::http::StatusCode;
use common::{Client, Page, TestSite, msg, reference_id, utc};
use diesel::prelude::*;
use loa::domain::comment::CommentStatus;
use loa::domain::moderation::Rules;
use loa::domain::user::Role;
use loa::storage::comments::{self as store, Comment};

const REFERENCE: &str =
    "/articles/so-vhtt-ha-noi-tang-cuong-thong-tin-tuyen-truyen-ve-cai-cach-hanh-chinh";
const PW: &str = "mat-khau-du-dai";

fn comments(site: &TestSite) -> Vec<Comment> {
    use loa::storage::schema::comments::dsl::*;
    comments
        .order(id)
        .select(Comment::as_select())
        .load(&mut *site.conn())
        .unwrap()
}

fn set_rules(site: &TestSite, change: impl FnOnce(&mut Rules)) {
    let conn = &mut site.conn();
    let mut rules = loa::storage::settings::moderation_rules(conn).unwrap();
    change(&mut rules);
    loa::storage::settings::save_moderation_rules(conn, &rules).unwrap();
}

/// Opens the entry page `path`, waits like a person (the clock moves
/// 20 s), and sends its form with `fields` over a complete, valid one.
async fn post<S, B>(
    c: &mut Client<S>,
    site: &TestSite,
    path: &str,
    fields: &[(&str, &str)],
    addr: &str,
) -> Page
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    let page = c.get(path).await;
    let token = page.token();
    // Sent where the page's form sends it (a closed entry has none).
    let action = page
        .attr("form.comment-form", "action")
        .unwrap_or_else(|| format!("{path}/comments"));
    site.set_now(site.now() + chrono::Duration::seconds(20));
    let mut form: Vec<(&str, &str)> = vec![
        ("content", "Xin hỏi về thủ tục cấp phép biểu diễn."),
        ("author_name", "Nguyễn Văn An"),
        ("author_email", "an@example.vn"),
        ("author_url", ""),
        ("parent_id", ""),
        ("csrf_token", &token),
        ("loa_website", ""),
        ("consent", "1"),
    ];
    for (k, v) in fields {
        match form.iter_mut().find(|(name, _)| name == k) {
            Some(f) => f.1 = v,
            None => form.push((k, v)),
        }
    }
    c.post_form_from(&action, &form, addr).await
}

const ADDR: &str = "203.0.113.7:40000";

#[actix_web::test]
async fn first_timers_wait_and_known_commenters_pass_only_if_allowed() {
    let site = TestSite::with_content();
    let mut c = site.client().await;
    assert_eq!(
        post(&mut c, &site, REFERENCE, &[], ADDR).await.status,
        StatusCode::SEE_OTHER
    );
    let first = comments(&site).remove(0);
    assert_eq!(
        (first.status, first.held_by.as_str()),
        (CommentStatus::Pending, "first_time")
    );
    store::set_status(
        &mut site.conn(),
        &[first.id],
        CommentStatus::Approved,
        "test",
        site.now(),
    )
    .unwrap();

    post(
        &mut c,
        &site,
        REFERENCE,
        &[("content", "Câu hỏi thứ hai.")],
        ADDR,
    )
    .await;
    let second = comments(&site).pop().unwrap();
    assert_eq!(
        (second.status, second.held_by.as_str()),
        (CommentStatus::Pending, "moderation"),
        "held by default"
    );

    set_rules(&site, |r| r.auto_approve_known = true);
    let res = post(
        &mut c,
        &site,
        REFERENCE,
        &[("content", "Câu hỏi thứ ba.")],
        ADDR,
    )
    .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let third = comments(&site).pop().unwrap();
    assert_eq!(third.status, CommentStatus::Approved);
    assert!(third.handled_at.is_some());
    let page = c.get(REFERENCE).await;
    assert!(page.text(".notice").contains(&msg("comment_published")));
    // The same email under another name is not the known commenter.
    post(
        &mut c,
        &site,
        REFERENCE,
        &[("content", "Tên khác."), ("author_name", "Người khác")],
        ADDR,
    )
    .await;
    assert_eq!(comments(&site).pop().unwrap().held_by, "first_time");
}

#[actix_web::test]
async fn comments_with_many_links_are_held() {
    let site = TestSite::with_content();
    set_rules(&site, |r| r.auto_approve_known = true);
    let mut c = site.client().await;
    post(&mut c, &site, REFERENCE, &[], ADDR).await;
    let id = comments(&site)[0].id;
    store::set_status(
        &mut site.conn(),
        &[id],
        CommentStatus::Approved,
        "test",
        site.now(),
    )
    .unwrap();
    post(
        &mut c,
        &site,
        REFERENCE,
        &[("content", "Xem https://a.vn và www.b.vn")],
        ADDR,
    )
    .await;
    let held = comments(&site).pop().unwrap();
    assert_eq!(
        (held.status, held.held_by.as_str()),
        (CommentStatus::Pending, "links:2")
    );
    // The moderator reads why, in Vietnamese, in the queue and in place.
    site.add_user("kiemduyet", Role::Moderator, PW);
    let mut m = site.client().await;
    m.login("kiemduyet", PW).await;
    let queue = m.get("/admin/comments?status=pending").await;
    assert!(
        queue
            .texts(".held")
            .contains(&"Giữ lại vì: có 2 liên kết".to_owned()),
        "{:?}",
        queue.texts(".held")
    );
    let page = m.get(REFERENCE).await;
    assert!(page.text(".comment-awaiting").contains("(có 2 liên kết)"));
    set_rules(&site, |r| r.max_links = 3);
    post(
        &mut c,
        &site,
        REFERENCE,
        &[("content", "Lại https://a.vn và www.b.vn")],
        ADDR,
    )
    .await;
    let approved = comments(&site).pop().unwrap();
    assert_eq!(
        (approved.status, approved.held_by.as_str()),
        (CommentStatus::Approved, "auto")
    );
    // Nothing held it, so the queue gives no reason for it.
    let listed = m.get("/admin/comments?status=approved").await;
    let item = format!("#c-{} .held", approved.id);
    assert_eq!(listed.count(&item), 0, "{:?}", listed.texts(".held"));
}

#[actix_web::test]
async fn hold_and_refuse_words_match_any_field_with_or_without_accents() {
    let site = TestSite::with_content();
    set_rules(&site, |r| {
        r.hold_words = "khiếu nại\n".into();
        r.refuse_words = "lua dao\ncasino.example".into();
    });
    let mut c = site.client().await;
    post(
        &mut c,
        &site,
        REFERENCE,
        &[("content", "Tôi muốn KHIEU NAI về việc này.")],
        ADDR,
    )
    .await;
    assert_eq!(
        comments(&site).pop().unwrap().held_by,
        "hold_word:khiếu nại"
    );
    for (field, value) in [
        ("content", "Trang này LỪA ĐẢO"),
        ("author_name", "Lừa Đảo"),
        ("author_url", "https://casino.example/x"),
    ] {
        let res = post(&mut c, &site, REFERENCE, &[(field, value)], ADDR).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{field}");
        assert!(
            res.text(".error-summary")
                .contains(&msg("comment_refused_words")),
            "{field}"
        );
        let kept = if field == "content" {
            res.text("textarea[name=content]")
        } else {
            res.attr(&format!("input[name={field}]"), "value").unwrap()
        };
        assert_eq!(kept, value, "{field} kept");
    }
    set_rules(&site, |r| r.refuse_words = "203.0.113.7".into());
    let res = post(
        &mut c,
        &site,
        REFERENCE,
        &[("content", "Từ địa chỉ bị chặn.")],
        ADDR,
    )
    .await;
    assert_eq!(
        res.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "matched against the address"
    );
    assert_eq!(comments(&site).len(), 1);
}

#[actix_web::test]
async fn posting_again_within_15_seconds_gets_429_and_keeps_the_text() {
    let site = TestSite::with_content();
    let mut c = site.client().await;
    post(&mut c, &site, REFERENCE, &[], ADDR).await;
    let token = c.get(REFERENCE).await.token();
    site.set_now(site.now() + chrono::Duration::seconds(5));
    let form = [
        ("content", "Gửi ngay lần nữa."),
        ("author_name", "Nguyễn Văn An"),
        ("author_email", "an@example.vn"),
        ("csrf_token", token.as_str()),
        ("consent", "1"),
    ];
    let res = c
        .post_form_from(&format!("{REFERENCE}/comments"), &form, ADDR)
        .await;
    assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        res.text(".error-summary")
            .contains(&msg("comment_too_soon"))
    );
    assert_eq!(res.text("textarea[name=content]"), "Gửi ngay lần nữa.");
    assert_eq!(comments(&site).len(), 1);
    site.set_now(site.now() + chrono::Duration::seconds(11));
    let again = c
        .post_form_from(&format!("{REFERENCE}/comments"), &form, ADDR)
        .await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
}

#[actix_web::test]
async fn one_address_is_limited_per_hour() {
    let site = TestSite::with_content();
    set_rules(&site, |r| r.per_hour = 2);
    let mut c = site.client().await;
    for i in 0..2 {
        let email = format!("nguoi{i}@example.vn");
        let text = format!("Ý kiến {i}");
        assert_eq!(
            post(
                &mut c,
                &site,
                REFERENCE,
                &[("author_email", &email), ("content", &text)],
                ADDR
            )
            .await
            .status,
            StatusCode::SEE_OTHER
        );
    }
    let third = post(
        &mut c,
        &site,
        REFERENCE,
        &[
            ("author_email", "nguoi3@example.vn"),
            ("content", "Ý kiến 3"),
        ],
        ADDR,
    )
    .await;
    assert_eq!(third.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        third
            .text(".error-summary")
            .contains(&msg("comment_too_many"))
    );
    // Another address is not affected.
    let other = post(
        &mut c,
        &site,
        REFERENCE,
        &[
            ("author_email", "nguoi4@example.vn"),
            ("content", "Ý kiến 4"),
        ],
        "198.51.100.1:1",
    )
    .await;
    assert_eq!(other.status, StatusCode::SEE_OTHER);
}

#[actix_web::test]
async fn an_exact_duplicate_is_refused_with_a_message() {
    let site = TestSite::with_content();
    let mut c = site.client().await;
    post(&mut c, &site, REFERENCE, &[], ADDR).await;
    let dup = post(&mut c, &site, REFERENCE, &[], ADDR).await;
    assert_eq!(dup.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        dup.text("#content-error")
            .contains(&msg("comment_duplicate"))
    );
    assert_eq!(comments(&site).len(), 1);
}

#[actix_web::test]
async fn posts_faster_than_a_person_are_held_and_marked() {
    let site = TestSite::with_content();
    let mut c = site.client().await;
    let token = c.get(REFERENCE).await.token();
    let res = c
        .post_form_from(
            &format!("{REFERENCE}/comments"),
            &[
                ("content", "Máy gửi."),
                ("author_name", "Bot"),
                ("author_email", "bot@example.vn"),
                ("csrf_token", &token),
                ("consent", "1"),
            ],
            ADDR,
        )
        .await;
    assert_eq!(
        res.status,
        StatusCode::SEE_OTHER,
        "answered like any other post"
    );
    assert_eq!(comments(&site)[0].held_by, "too_fast");
}

#[actix_web::test]
async fn a_page_of_threads_keeps_its_replies_and_reads_only_its_comments() {
    let site = TestSite::with_content();
    let reference = reference_id(&site);
    let mut minute = 0;
    let mut approve = |name: &str, parent: Option<i32>| {
        minute += 1;
        approved_at(
            &site,
            reference,
            name,
            parent,
            site.now() + chrono::Duration::minutes(minute),
        )
    };
    // Three threads; the second has a reply, and a reply to the reply
    // written after the third thread began.
    approve("An", None);
    let binh = approve("Bình", None);
    let reply = approve("Cường", Some(binh));
    approve("Dung", None);
    approve("Giang", Some(reply));
    set_rules(&site, |r| r.per_page = 1);
    let mut c = site.client().await;
    let p2 = c.get(&format!("{REFERENCE}?cpage=2")).await;
    assert_eq!(
        p2.texts(".comment-author"),
        vec!["Bình", "Cường", "Giang"],
        "the whole second thread, replies in place"
    );
    assert_eq!(p2.text("#comments-title"), "5 bình luận");
    let p3 = c.get(&format!("{REFERENCE}?cpage=3")).await;
    assert_eq!(p3.texts(".comment-author"), vec!["Dung"]);
}

/// Approves comment `id` as a moderator would.
fn approve(site: &TestSite, id: i32) {
    store::set_status(
        &mut site.conn(),
        &[id],
        CommentStatus::Approved,
        "t",
        site.now(),
    )
    .unwrap();
}

/// Stores an approved comment on `entry_id` written at `at`.
fn approved_at(
    site: &TestSite,
    entry_id: i32,
    name: &str,
    parent: Option<i32>,
    at: chrono::NaiveDateTime,
) -> i32 {
    let mut c = new(entry_id, name, "Nội dung", at);
    c.parent_id = parent;
    let id = store::insert(&mut site.conn(), &c).unwrap();
    approve(site, id);
    id
}

#[actix_web::test]
async fn on_a_long_thread_commenters_land_on_the_page_that_shows_their_comment() {
    let site = TestSite::with_content();
    let reference = reference_id(&site);
    let hours_ago = |h| site.now() - chrono::Duration::hours(h);
    let an = approved_at(&site, reference, "An", None, hours_ago(2));
    let binh = approved_at(&site, reference, "Bình", None, hours_ago(1));
    set_rules(&site, |r| r.per_page = 1);
    let mut c = site.client().await;

    // A new thread comes last: the third page, where the notice's link
    // finds it.
    let res = post(&mut c, &site, REFERENCE, &[], ADDR).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let to = res.header("location").unwrap();
    assert_eq!(to, format!("{REFERENCE}?cpage=3"));
    let mine = comments(&site).last().unwrap().id;
    let landed = c.get(&to).await;
    assert_eq!(landed.count(&format!("#comment-{mine}")), 1);
    assert_eq!(
        landed.attr(".notice a", "href"),
        Some(format!("#comment-{mine}"))
    );

    // A reply lands on its thread's page: An's, the first.
    let parent = an.to_string();
    let res = post(
        &mut c,
        &site,
        REFERENCE,
        &[("parent_id", &parent), ("content", "Xin bổ sung thêm.")],
        ADDR,
    )
    .await;
    assert_eq!(res.header("location").as_deref(), Some(REFERENCE));

    // A form with an error sent from page 2 comes back on page 2.
    let p2 = c.get(&format!("{REFERENCE}?cpage=2")).await;
    let action = p2.attr("form.comment-form", "action").unwrap();
    assert_eq!(action, format!("{REFERENCE}/comments?cpage=2"));
    // Its reply link keeps the page, so the thread stays in view.
    let reply = p2.attr(".comment-reply a", "href").unwrap();
    assert_eq!(
        reply,
        format!("{REFERENCE}?cpage=2&replytocom={binh}#respond")
    );
    let replying = c.get(reply.trim_end_matches("#respond")).await;
    assert_eq!(replying.texts(".comment-author"), vec!["Bình"]);
    assert!(replying.text("#reply-title").contains("Bình"));
    let bad = post(
        &mut c,
        &site,
        &format!("{REFERENCE}?cpage=2"),
        &[("content", "")],
        ADDR,
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.texts(".comment-author"), vec!["Bình"]);
    assert_eq!(bad.attr("form.comment-form", "action"), Some(action));
}

#[actix_web::test]
async fn comments_close_by_age_and_long_threads_are_paginated() {
    let site = TestSite::with_content();
    let reference = reference_id(&site);
    for i in 1..=5 {
        approved_at(
            &site,
            reference,
            &format!("Người {i}"),
            None,
            site.now() + chrono::Duration::minutes(i),
        );
    }
    set_rules(&site, |r| r.per_page = 2);
    let mut c = site.client().await;
    let p1 = c.get(REFERENCE).await;
    assert_eq!(p1.texts(".comment-author"), vec!["Người 1", "Người 2"]);
    assert_eq!(p1.text("#comments-title"), "5 bình luận");
    let p3 = c.get(&format!("{REFERENCE}?cpage=3")).await;
    assert_eq!(p3.texts(".comment-author"), vec!["Người 5"]);
    assert_eq!(
        c.get(&format!("{REFERENCE}?cpage=99"))
            .await
            .texts(".comment-author"),
        vec!["Người 5"]
    );

    // Published in 2022: with a 30-day limit, comments are closed — also
    // for someone who opened the form before the setting changed.
    let token = c.get(REFERENCE).await.token();
    set_rules(&site, |r| r.close_after_days = 30);
    let page = c.get(REFERENCE).await;
    assert_eq!(page.count("form.comment-form"), 0);
    assert_eq!(page.text(".comments-closed"), msg("comments_closed"));
    site.set_now(site.now() + chrono::Duration::seconds(20));
    let form = [
        ("content", "Xin hỏi về thủ tục cấp phép biểu diễn."),
        ("author_name", "Nguyễn Văn An"),
        ("author_email", "an@example.vn"),
        ("csrf_token", token.as_str()),
        ("consent", "1"),
    ];
    let res = c
        .post_form_from(&format!("{REFERENCE}/comments"), &form, ADDR)
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.text("#comment-form-errors")
            .contains(&msg("comment_closed"))
    );
    assert_eq!(
        res.text("textarea[name=content]"),
        "Xin hỏi về thủ tục cấp phép biểu diễn."
    );
}

fn new(entry_id: i32, name: &str, text: &str, at: chrono::NaiveDateTime) -> store::NewComment {
    store::NewComment {
        entry_id,
        parent_id: None,
        author_name: name.into(),
        author_email: format!("{}@example.vn", loa::domain::slug::slugify(name)),
        author_url: None,
        content_html: loa::render::comment_text::to_html(&loa::domain::moderation::mask_personal(
            text,
            &loa::domain::moderation::MaskNotes {
                phone: "[số điện thoại đã ẩn]".into(),
                id_number: "[số giấy tờ đã ẩn]".into(),
                email: "[email đã ẩn]".into(),
            },
        ))
        .into_string(),
        content: text.into(),
        status: CommentStatus::Pending,
        held_by: "first_time".into(),
        ip: Some("203.0.113.9".into()),
        user_agent: String::new(),
        created_at: at,
        official: false,
        handled_at: None,
        handled_by: String::new(),
    }
}

#[actix_web::test]
async fn personal_data_is_masked_publicly_and_kept_for_staff() {
    let site = TestSite::with_content();
    site.add_user("kiemduyet", Role::Moderator, PW);
    let mut c = site.client().await;
    let text = "Liên hệ tôi: 0912 345 678, CCCD 001203004567, email hoa@example.vn. Mở lúc 8 giờ.";
    post(
        &mut c,
        &site,
        REFERENCE,
        &[("content", text), ("author_url", "https://hoa.example.vn")],
        ADDR,
    )
    .await;
    // The author's own pending view: masked, no links, no web address.
    let mine = c.get(REFERENCE).await;
    let shown = mine.text(".comment-pending .comment-content");
    assert!(
        shown.contains("[số điện thoại đã ẩn]")
            && shown.contains("[số giấy tờ đã ẩn]")
            && shown.contains("[email đã ẩn]"),
        "{shown}"
    );
    assert!(!mine.body.contains("345 678") && !mine.body.contains("hoa@example.vn"));
    assert_eq!(
        mine.count(".comment-pending a"),
        0,
        "no links while pending"
    );
    // Approved: the public sees it masked.
    let id = comments(&site)[0].id;
    approve(&site, id);
    c.forget();
    let public = c.get(REFERENCE).await;
    assert!(
        public
            .text(".comment-content")
            .contains("[số điện thoại đã ẩn]")
    );
    assert!(!public.body.contains("001203004567"));
    assert!(public.text(".comment-content").contains("Mở lúc 8 giờ."));
    // Staff see the original in the queue.
    c.login("kiemduyet", PW).await;
    let queue = c.get("/admin/comments?status=approved").await;
    assert!(queue.text(".queue-content").contains("0912 345 678"));
    assert!(queue.text(".queue-meta").contains("an@example.vn"));
}

#[actix_web::test]
async fn addresses_are_forgotten_after_the_set_time() {
    let site = TestSite::with_content();
    set_rules(&site, |r| r.keep_ip_days = 30);
    let reference = reference_id(&site);
    let old = store::insert(
        &mut site.conn(),
        &new(
            reference,
            "Cũ",
            "Bình luận cũ",
            site.now() - chrono::Duration::days(40),
        ),
    )
    .unwrap();
    let mut c = site.client().await;
    post(&mut c, &site, REFERENCE, &[], ADDR).await;
    let all = comments(&site);
    assert_eq!(all.iter().find(|c| c.id == old).unwrap().ip, None);
    assert_eq!(all.last().unwrap().ip.as_deref(), Some("203.0.113.7"));
}

/// Issue 15: a page that only reads writes nothing. Opening the queue
/// leaves an old comment's address in place; a moderation action (a
/// write) forgets it.
#[actix_web::test]
async fn opening_the_queue_forgets_no_address_a_moderation_action_does() {
    let site = TestSite::with_content();
    site.add_user("kiemduyet", Role::Moderator, PW);
    set_rules(&site, |r| r.keep_ip_days = 30);
    let reference = reference_id(&site);
    let old = store::insert(
        &mut site.conn(),
        &new(
            reference,
            "Cũ",
            "Bình luận cũ",
            site.now() - chrono::Duration::days(40),
        ),
    )
    .unwrap();
    let recent = store::insert(
        &mut site.conn(),
        &new(reference, "Mới", "Bình luận mới", site.now()),
    )
    .unwrap();
    // Every column of every comment, as text (rows have no `PartialEq`).
    let rows = || format!("{:?}", comments(&site));
    let before = rows();
    let mut c = site.client().await;
    c.login("kiemduyet", PW).await;
    for status in ["pending", "approved"] {
        let queue = c.get(&format!("/admin/comments?status={status}")).await;
        assert_eq!(queue.status, StatusCode::OK);
    }
    assert_eq!(rows(), before, "the GET changed no row");
    assert_eq!(
        comments(&site)
            .iter()
            .find(|c| c.id == old)
            .unwrap()
            .ip
            .as_deref(),
        Some("203.0.113.9")
    );
    let token = c.admin_token().await;
    let res = c
        .post_form(
            &format!("/admin/comments/{recent}/approve"),
            &[("csrf_token", &token)],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let after = comments(&site);
    assert_eq!(after.iter().find(|c| c.id == old).unwrap().ip, None);
    assert_eq!(
        after.iter().find(|c| c.id == recent).unwrap().ip.as_deref(),
        Some("203.0.113.9"),
        "a recent address is kept"
    );
}

async fn queue_ids<S, B>(c: &mut Client<S>, status: &str) -> Vec<i32>
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    let page = c.get(&format!("/admin/comments?status={status}")).await;
    let sel = scraper::Selector::parse(".queue-item input[name=id]").unwrap();
    page.html()
        .select(&sel)
        .filter_map(|i| i.value().attr("value").and_then(|v| v.parse().ok()))
        .collect()
}

#[actix_web::test]
async fn the_queue_moves_comments_one_at_a_time_and_in_bulk() {
    let site = TestSite::with_content();
    site.add_user("kiemduyet", Role::Moderator, PW);
    let reference = reference_id(&site);
    let ids: Vec<i32> = (1..=4)
        .map(|i| {
            store::insert(
                &mut site.conn(),
                &new(
                    reference,
                    &format!("Người {i}"),
                    &format!("Nội dung {i}"),
                    site.now() + chrono::Duration::minutes(i),
                ),
            )
            .unwrap()
        })
        .collect();
    let mut c = site.client().await;
    c.login("kiemduyet", PW).await;
    assert_eq!(
        queue_ids(&mut c, "pending").await,
        vec![ids[3], ids[2], ids[1], ids[0]],
        "newest first"
    );
    let oldest = c.get("/admin/comments?status=pending&order=oldest").await;
    assert_eq!(oldest.texts(".queue-meta strong")[0], "Người 1");
    let found = c.get("/admin/comments?status=pending&q=dung+3").await;
    assert_eq!(found.texts(".queue-meta strong"), vec!["Người 3"]);
    // Typed in capitals, found all the same (on PostgreSQL too, whose LIKE
    // minds case).
    let shouted = c.get("/admin/comments?status=pending&q=DUNG+3").await;
    assert_eq!(shouted.texts(".queue-meta strong"), vec!["Người 3"]);
    let dash = c.get("/admin").await;
    assert_eq!(
        dash.text(".admin-nav .count"),
        "4",
        "pending count in the navigation"
    );

    let token = c.admin_token().await;
    let back = "/admin/comments?status=pending";
    // Without the token nothing changes.
    assert_eq!(
        c.post_form(
            &format!("/admin/comments/{}/approve", ids[0]),
            &[("back", back)]
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(comments(&site)[0].status, CommentStatus::Pending);
    let res = c
        .post_form(
            &format!("/admin/comments/{}/approve", ids[0]),
            &[("csrf_token", &token), ("back", back)],
        )
        .await;
    assert_eq!(
        (res.status, res.header("location").as_deref()),
        (StatusCode::SEE_OTHER, Some(back))
    );
    // Back in the queue, it says what was done, once.
    assert_eq!(c.get(back).await.text(".notice"), "Đã duyệt 1 bình luận.");
    assert_eq!(c.get(back).await.count(".notice"), 0);
    c.post_form(
        &format!("/admin/comments/{}/spam", ids[1]),
        &[("csrf_token", &token)],
    )
    .await;
    c.post_form(
        &format!("/admin/comments/{}/trash", ids[2]),
        &[("csrf_token", &token)],
    )
    .await;
    let states: Vec<CommentStatus> = comments(&site).iter().map(|c| c.status).collect();
    assert_eq!(
        states,
        [
            CommentStatus::Approved,
            CommentStatus::Spam,
            CommentStatus::Trash,
            CommentStatus::Pending
        ]
    );
    assert_eq!(comments(&site)[0].handled_by, "kiemduyet");
    // Restore and delete for good (only from spam or trash).
    c.post_form(
        &format!("/admin/comments/{}/restore", ids[1]),
        &[("csrf_token", &token)],
    )
    .await;
    assert_eq!(comments(&site)[1].status, CommentStatus::Pending);
    c.post_form(
        &format!("/admin/comments/{}/delete", ids[3]),
        &[("csrf_token", &token)],
    )
    .await;
    assert_eq!(
        comments(&site).len(),
        4,
        "a pending comment is not deleted for good"
    );
    c.post_form(
        &format!("/admin/comments/{}/delete", ids[2]),
        &[("csrf_token", &token)],
    )
    .await;
    assert_eq!(comments(&site).len(), 3);
    // Bulk: approve both pending ones at once.
    let bulk = [
        ("csrf_token", token.as_str()),
        ("action", "approve"),
        ("id", &ids[1].to_string()),
        ("id", &ids[3].to_string()),
        ("back", back),
    ];
    let bulk: Vec<(&str, &str)> = bulk.iter().map(|(k, v)| (*k, *v)).collect();
    assert_eq!(
        c.post_form("/admin/comments/bulk", &bulk).await.status,
        StatusCode::SEE_OTHER
    );
    assert!(
        comments(&site)
            .iter()
            .all(|c| c.status == CommentStatus::Approved)
    );
    assert_eq!(c.get(back).await.text(".notice"), "Đã duyệt 2 bình luận.");
    // An action with no comment ticked says so instead of nothing.
    c.post_form(
        "/admin/comments/bulk",
        &[("csrf_token", &token), ("action", "trash"), ("back", back)],
    )
    .await;
    assert!(
        c.get(back)
            .await
            .text(".notice")
            .starts_with(&msg("moderated_none"))
    );
    // An action the queue does not offer is refused, ticked or not.
    let bogus = c
        .post_form(
            "/admin/comments/bulk",
            &[
                ("csrf_token", &token),
                ("action", "x;Domain=a.vn"),
                ("back", back),
            ],
        )
        .await;
    assert_eq!(bogus.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        c.post_form("/admin/comments/1/fly", &[("csrf_token", &token)])
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    let log = loa::storage::audit::page(&mut site.conn(), 0, 50)
        .unwrap()
        .0;
    assert!(log.iter().any(|e| e.action == "comment.bulk.approve"));
}

#[actix_web::test]
async fn moderators_moderate_and_nothing_more_authors_not_at_all() {
    let site = TestSite::with_content();
    site.add_user("kiemduyet", Role::Moderator, PW);
    site.add_user("tacgia", Role::Author, PW);
    let mut m = site.client().await;
    m.login("kiemduyet", PW).await;
    assert_eq!(m.get("/admin/comments").await.status, StatusCode::OK);
    assert_eq!(m.get("/admin/entries").await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        m.get("/admin/entries/1/edit").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        m.get("/admin/comments/settings").await.status,
        StatusCode::FORBIDDEN,
        "settings are for admins"
    );
    let mut a = site.client().await;
    a.login("tacgia", PW).await;
    assert_eq!(a.get("/admin/comments").await.status, StatusCode::FORBIDDEN);
    let token = a.admin_token().await;
    assert_eq!(
        a.post_form("/admin/comments/1/approve", &[("csrf_token", &token)])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}

#[actix_web::test]
async fn official_replies_publish_at_once_marked_and_threaded() {
    let site = TestSite::with_content();
    site.add_user("kiemduyet", Role::Moderator, PW);
    let mut reader = site.client().await;
    post(
        &mut reader,
        &site,
        REFERENCE,
        &[("content", "Khi nào có kết quả?")],
        ADDR,
    )
    .await;
    let question = comments(&site)[0].id;
    let mut m = site.client().await;
    m.login("kiemduyet", PW).await;
    // In place on the entry page: the pending comment with its buttons.
    let page = m.get(REFERENCE).await;
    assert_eq!(
        page.count(&format!("#comment-{question} form.moderate button")),
        3
    );
    let form = m.get(&format!("/admin/comments/{question}/reply")).await;
    assert!(form.text(".quoted").contains("Khi nào có kết quả?"));
    let token = form.token();
    let empty = m
        .post_form(
            &format!("/admin/comments/{question}/reply"),
            &[("csrf_token", &token), ("content", " ")],
        )
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    let res = m
        .post_form(
            &format!("/admin/comments/{question}/reply"),
            &[
                ("csrf_token", &token),
                ("content", "Sở sẽ công bố trong tháng 5."),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let all = comments(&site);
    assert_eq!(
        all[0].status,
        CommentStatus::Approved,
        "replying approves the question"
    );
    assert!(
        all[1].official
            && all[1].status == CommentStatus::Approved
            && all[1].parent_id == Some(question)
    );
    let mut anyone = site.client().await;
    let public = anyone.get(REFERENCE).await;
    let reply = public.text(&format!(
        "#comment-{question} > ol.comment-replies > .comment-official"
    ));
    assert!(
        reply.contains(&msg("comment_official")) && reply.contains("Sở sẽ công bố trong tháng 5."),
        "{reply}"
    );
    assert!(
        public
            .text(".comment-official .comment-author")
            .contains("Sở Văn hóa và Thể thao Hà Nội")
    );
    assert!(!public.body.contains("@staff"));
}

#[actix_web::test]
async fn one_click_moderation_on_the_entry_page_returns_there() {
    let site = TestSite::with_content();
    site.add_user("bientap", Role::Editor, PW);
    let mut reader = site.client().await;
    post(&mut reader, &site, REFERENCE, &[], ADDR).await;
    let id = comments(&site)[0].id;
    let mut e = site.client().await;
    e.login("bientap", PW).await;
    let page = e.get(REFERENCE).await;
    let token = page
        .attr(
            &format!("#comment-{id} form.moderate input[name=csrf_token]"),
            "value",
        )
        .unwrap();
    let back = page
        .attr(
            &format!("#comment-{id} form.moderate input[name=back]"),
            "value",
        )
        .unwrap();
    let res = e
        .post_form(
            &format!("/admin/comments/{id}/approve"),
            &[("csrf_token", &token), ("back", &back)],
        )
        .await;
    assert_eq!(
        res.header("location"),
        Some(format!("{REFERENCE}#comment-{id}"))
    );
    assert_eq!(comments(&site)[0].status, CommentStatus::Approved);
    // A `back` pointing elsewhere is not followed.
    let res = e
        .post_form(
            &format!("/admin/comments/{id}/spam"),
            &[("csrf_token", &token), ("back", "https://evil.example/")],
        )
        .await;
    assert_eq!(res.header("location").as_deref(), Some("/admin/comments"));
}

#[actix_web::test]
async fn the_on_time_figure_counts_working_days_over_a_period() {
    let site = TestSite::with_content();
    site.add_user("kiemduyet", Role::Moderator, PW);
    let reference = reference_id(&site);
    // Friday 6 Nov 2026, 10:00 Hanoi: due Tuesday 10 Nov 10:00 (2 working days).
    let friday = utc("2026-11-06 03:00:00");
    let on_time =
        store::insert(&mut site.conn(), &new(reference, "Đúng hạn", "a", friday)).unwrap();
    let late = store::insert(&mut site.conn(), &new(reference, "Trễ", "b", friday)).unwrap();
    let _overdue =
        store::insert(&mut site.conn(), &new(reference, "Quá hạn", "c", friday)).unwrap();
    let _outside = store::insert(
        &mut site.conn(),
        &new(reference, "Ngoài kỳ", "d", utc("2026-10-01 03:00:00")),
    )
    .unwrap();
    store::set_status(
        &mut site.conn(),
        &[on_time],
        CommentStatus::Approved,
        "m",
        utc("2026-11-09 09:00:00"),
    )
    .unwrap();
    store::set_status(
        &mut site.conn(),
        &[late],
        CommentStatus::Trash,
        "m",
        utc("2026-11-11 03:00:00"),
    )
    .unwrap();
    site.set_now(utc("2026-11-12 03:00:00"));
    let mut m = site.client().await;
    m.login("kiemduyet", PW).await;
    let dash = m.get("/admin?from=2026-11-01&to=2026-11-30").await;
    assert_eq!(dash.text("#fig-received"), "3");
    assert_eq!(dash.text("#fig-on-time"), "1");
    assert_eq!(dash.text("#fig-late"), "1");
    assert_eq!(dash.text("#fig-overdue"), "1");
    assert_eq!(dash.text("#fig-share"), "33%");
    // The period, in the catalogue's date format.
    assert!(
        dash.text("section[aria-labelledby=comments-title] h3")
            .ends_with("01/11/2026 – 30/11/2026"),
        "{}",
        dash.text("section[aria-labelledby=comments-title] h3")
    );
    // The overdue one stands out in the queue.
    let queue = m.get("/admin/comments?status=pending").await;
    assert_eq!(
        queue.count(".queue-item.overdue"),
        2,
        "both pending, past their deadline"
    );
}

#[actix_web::test]
async fn admins_change_the_rules_and_bad_numbers_come_back() {
    let site = TestSite::with_content();
    site.add_user("quantri", Role::Admin, PW);
    let mut a = site.client().await;
    a.login("quantri", PW).await;
    let token = a.admin_token().await;
    let fields = |links: &'static str| {
        vec![
            ("csrf_token", token.clone()),
            ("max_links", links.to_owned()),
            ("min_seconds", "3".into()),
            ("per_hour", "20".into()),
            ("close_after_days", "0".into()),
            ("per_page", "50".into()),
            ("deadline_days", "3".into()),
            ("keep_ip_days", "90".into()),
            ("hold_words", "khiếu nại".into()),
            ("refuse_words", "".into()),
            ("auto_approve_known", "1".into()),
        ]
    };
    let bad: Vec<(&str, String)> = fields("nhiều");
    let bad: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let res = a.post_form("/admin/comments/settings", &bad).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.attr("#max_links", "value").as_deref(), Some("nhiều"));
    assert_eq!(res.text("#hold_words"), "khiếu nại");
    assert_eq!(
        res.text("#max_links-error"),
        "Lỗi: Nhập một số nguyên từ 0 đến 100"
    );
    // Zero comments a page, or zero days to answer, is said to be out of
    // range, not quietly saved as 1.
    let mut zero: Vec<(&str, String)> = fields("4");
    for (k, v) in zero.iter_mut() {
        if *k == "per_page" || *k == "deadline_days" {
            *v = "0".into();
        }
    }
    let zero: Vec<(&str, &str)> = zero.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let res = a.post_form("/admin/comments/settings", &zero).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.count("[aria-invalid=true]"), 2);
    assert!(res.text("#per_page-error").contains("từ 1 đến 1000"));
    assert_eq!(res.attr("#deadline_days", "value").as_deref(), Some("0"));
    let good: Vec<(&str, String)> = fields("4");
    let good: Vec<(&str, &str)> = good.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(
        a.post_form("/admin/comments/settings", &good).await.status,
        StatusCode::SEE_OTHER
    );
    let rules = loa::storage::settings::moderation_rules(&mut site.conn()).unwrap();
    assert_eq!(
        (
            rules.max_links,
            rules.deadline_days,
            rules.auto_approve_known
        ),
        (4, 3, true)
    );
    assert_eq!(rules.hold_words, "khiếu nại");
}

#[actix_web::test]
async fn behind_a_trusted_proxy_the_forwarded_address_counts() {
    for (trusted, expected) in [(true, "198.51.100.9"), (false, "127.0.0.1")] {
        let site = TestSite::build(
            |c| {
                if trusted {
                    c.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
                }
            },
            |s| s,
        );
        site.import(&common::site_dir());
        let mut c = site.client().await;
        let token = c.get(REFERENCE).await.token();
        site.set_now(site.now() + chrono::Duration::seconds(20));
        let body = serde_urlencoded::to_string([
            ("content", "Qua máy chủ trung gian."),
            ("author_name", "An"),
            ("author_email", "an@example.vn"),
            ("csrf_token", token.as_str()),
            ("consent", "1"),
        ])
        .unwrap();
        let res = c
            .send_with(
                actix_web::test::TestRequest::post()
                    .uri(&format!("{REFERENCE}/comments"))
                    .peer_addr("127.0.0.1:5000".parse().unwrap())
                    // A client may send its own header; the proxy appends the real peer.
                    .insert_header(("x-forwarded-for", "10.9.9.9, 198.51.100.9"))
                    .insert_header(("content-type", "application/x-www-form-urlencoded"))
                    .set_payload(body),
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER);
        assert_eq!(
            comments(&site)[0].ip.as_deref(),
            Some(expected),
            "trusted: {trusted}"
        );
    }
}

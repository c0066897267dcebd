//! The comment form: its fields as SPEC gives them, pending storage, every
//! invalid case coming back with what was typed, threading, and privacy.

use crate::common;

use actix_web::http::StatusCode;
use common::{Client, Page, TestSite, entry, msg, reference_id};
use diesel::prelude::*;
use loa::domain::comment::CommentStatus;
use loa::domain::entry::EntryKind;
use loa::storage::comments::{self as store, NewComment};

const REFERENCE: &str =
    "/articles/so-vhtt-ha-noi-tang-cuong-thong-tin-tuyen-truyen-ve-cai-cach-hanh-chinh";

fn all_comments(site: &TestSite) -> Vec<store::Comment> {
    use loa::storage::schema::comments::dsl::*;
    comments
        .order(id)
        .select(store::Comment::as_select())
        .load(&mut *site.conn())
        .unwrap()
}

/// Stores a comment straight away in `status` (as a moderator would leave it).
fn stored(
    site: &TestSite,
    entry_id: i32,
    parent: Option<i32>,
    name: &str,
    text: &str,
    status: CommentStatus,
) -> i32 {
    store::insert(
        &mut site.conn(),
        &NewComment {
            entry_id,
            parent_id: parent,
            author_name: name.into(),
            author_email: format!("{}@example.vn", loa::domain::slug::slugify(name)),
            author_url: None,
            content: text.into(),
            content_html: loa::render::comment_text::to_html(text).into_string(),
            status,
            held_by: String::new(),
            ip: None,
            user_agent: String::new(),
            created_at: site.now(),
            official: false,
            handled_at: None,
            handled_by: String::new(),
        },
    )
    .unwrap()
}

/// Form fields as name/value pairs.
type Form<'a> = Vec<(&'a str, &'a str)>;

/// A complete, valid form as a person fills it in, with the page's token.
fn valid(token: &str) -> Form<'_> {
    vec![
        (
            "content",
            "Đề nghị Sở công khai tiến độ số hóa hồ sơ.\nXin cảm ơn.",
        ),
        ("author_name", "Nguyễn Thị Hoa"),
        ("author_email", "hoa.nguyen@example.vn"),
        ("author_url", ""),
        ("parent_id", ""),
        ("csrf_token", token),
        ("loa_website", ""),
        ("consent", "1"),
    ]
}

fn with<'a>(
    mut form: Vec<(&'a str, &'a str)>,
    name: &str,
    value: &'a str,
) -> Vec<(&'a str, &'a str)> {
    form.iter_mut().find(|(k, _)| *k == name).expect("field").1 = value;
    form
}

async fn open_form<S, B>(c: &mut Client<S>) -> String
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    let page = c.get(REFERENCE).await;
    assert_eq!(page.status, StatusCode::OK);
    page.token()
}

/// The value each visible field shows.
fn shown_values(page: &Page) -> Vec<String> {
    vec![
        // A textarea's text is folded by `text`; compare folded.
        page.text("textarea[name=content]"),
        page.attr("input[name=author_name]", "value")
            .unwrap_or_default(),
        page.attr("input[name=author_email]", "value")
            .unwrap_or_default(),
        page.attr("input[name=author_url]", "value")
            .unwrap_or_default(),
    ]
}

#[actix_web::test]
async fn the_form_has_the_fields_labels_and_texts_of_the_spec() {
    let site = TestSite::with_content();
    let mut c = site.client().await;
    let page = c.get(REFERENCE).await;
    assert_eq!(page.text("#respond h2"), msg("comment_form_heading"));
    assert_eq!(
        page.text(".comment-notes"),
        "Email của bạn sẽ không được hiển thị công khai. Các trường bắt buộc được đánh dấu *"
    );
    for (name, tag, label, required) in [
        ("content", "textarea", "Bình luận *", true),
        ("author_name", "input", "Tên *", true),
        ("author_email", "input", "Email *", true),
        ("author_url", "input", "Trang web", false),
    ] {
        let field = format!("{tag}[name={name}]");
        let id = page
            .attr(&field, "id")
            .unwrap_or_else(|| panic!("{name} missing"));
        assert_eq!(page.text(&format!("label[for={id}]")), label, "{name}");
        assert_eq!(
            page.attr(&field, "required").is_some(),
            required,
            "{name} required"
        );
    }
    assert_eq!(
        page.attr("input[name=author_email]", "type").as_deref(),
        Some("email")
    );
    assert_eq!(
        page.attr("input[name=parent_id]", "type").as_deref(),
        Some("hidden")
    );
    assert!(!page.token().is_empty());
    assert_eq!(
        page.text("form.comment-form button[type=submit]"),
        msg("comment_submit")
    );
    assert_eq!(
        page.attr("form.comment-form", "method").as_deref(),
        Some("post")
    );
    assert_eq!(
        page.attr("form.comment-form", "action"),
        Some(format!("{REFERENCE}/comments"))
    );
    // The honeypot is there for bots but out of people's way.
    assert_eq!(
        page.attr("input[name=loa_website]", "tabindex").as_deref(),
        Some("-1")
    );
    assert_eq!(page.count(".hp input[name=loa_website]"), 1);
}

#[actix_web::test]
async fn a_valid_comment_is_stored_pending_and_shown_only_to_its_author() {
    let site = TestSite::with_content();
    let mut c = site.client().await;
    let token = open_form(&mut c).await;
    let res = c
        .post_form(&format!("{REFERENCE}/comments"), &valid(&token))
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(res.header("location").as_deref(), Some(REFERENCE));

    let saved = all_comments(&site);
    assert_eq!(saved.len(), 1);
    assert_eq!(saved[0].status, CommentStatus::Pending);
    assert_eq!(saved[0].author_name, "Nguyễn Thị Hoa");
    assert_eq!(
        saved[0].content,
        "Đề nghị Sở công khai tiến độ số hóa hồ sơ.\nXin cảm ơn."
    );

    // The author sees it, marked as awaiting moderation, and a notice.
    let mine = c.get(REFERENCE).await;
    assert!(
        mine.text(".notice").contains(&msg("comment_posted")),
        "{}",
        mine.text(".notice")
    );
    let pending = mine.text(&format!("#comment-{}", saved[0].id));
    assert!(pending.contains(&msg("comment_awaiting")), "{pending}");
    assert!(pending.contains("Đề nghị Sở công khai tiến độ số hóa hồ sơ."));
    // The notice is shown once; the pending comment stays visible to them.
    let again = c.get(REFERENCE).await;
    assert_eq!(again.count(".notice"), 0);
    assert_eq!(again.count(".comment-pending"), 1);

    // Nobody else sees it.
    c.forget();
    let other = c.get(REFERENCE).await;
    assert!(!other.body.contains("Đề nghị Sở công khai"));
    assert_eq!(other.count(".comment"), 0);
}

#[actix_web::test]
async fn each_invalid_form_comes_back_422_with_every_value_kept() {
    let site = TestSite::with_content();
    let mut c = site.client().await;
    let token = open_form(&mut c).await;
    let long = "ạ".repeat(5001);
    // (what, form, field at fault, part of its message)
    let cases: Vec<(&str, Form, &str, String)> = vec![
        (
            "missing name",
            with(valid(&token), "author_name", "  "),
            "author_name",
            msg("comment_name_required"),
        ),
        (
            "missing email",
            with(valid(&token), "author_email", ""),
            "author_email",
            msg("comment_email_required"),
        ),
        (
            "bad email",
            with(valid(&token), "author_email", "hoa@@example"),
            "author_email",
            msg("comment_email_invalid"),
        ),
        (
            "empty comment",
            with(valid(&token), "content", " \n "),
            "content",
            msg("comment_content_required"),
        ),
        (
            "too long",
            with(valid(&token), "content", &long),
            "content",
            msg("comment_content_too_long"),
        ),
        (
            "bad url",
            with(valid(&token), "author_url", "javascript:alert(1)"),
            "author_url",
            msg("comment_url_invalid"),
        ),
        (
            "long name",
            with(valid(&token), "author_name", &long[..303]),
            "author_name",
            msg("comment_name_too_long"),
        ),
    ];
    for (what, form, field, message) in cases {
        let page = c.post_form(&format!("{REFERENCE}/comments"), &form).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{what}");
        // Summary first, each problem a link to its field.
        assert_eq!(
            page.text(".error-summary h3"),
            msg("error_summary_title"),
            "{what}"
        );
        assert_eq!(
            page.attr(".error-summary a", "href"),
            Some(format!("#{field}")),
            "{what}"
        );
        assert!(page.attr(".error-summary", "autofocus").is_some(), "{what}");
        // The message again beside the field, tied to it.
        let error_id = format!("{field}-error");
        assert!(
            page.text(&format!("#{error_id}")).contains(&message),
            "{what}: {}",
            page.text(&format!("#{error_id}"))
        );
        let described = page
            .attr(&format!("[name={field}]"), "aria-describedby")
            .unwrap_or_default();
        assert!(
            described.split(' ').any(|d| d == error_id),
            "{what}: {described}"
        );
        assert_eq!(
            page.attr(&format!("[name={field}]"), "aria-invalid")
                .as_deref(),
            Some("true"),
            "{what}"
        );
        // Nothing typed is lost.
        let typed: Vec<String> = ["content", "author_name", "author_email", "author_url"]
            .iter()
            .map(|f| form.iter().find(|(k, _)| k == f).unwrap().1.to_owned())
            .map(|v| {
                if v.contains('\n') {
                    common::fold(&v)
                } else {
                    v
                }
            })
            .collect();
        assert_eq!(shown_values(&page), typed, "{what}");
        assert!(
            page.text("title").starts_with(&msg("error_prefix")),
            "{what}"
        );
    }
    assert!(all_comments(&site).is_empty(), "nothing invalid is stored");
}

#[actix_web::test]
async fn every_problem_is_reported_at_once() {
    let site = TestSite::with_content();
    let mut c = site.client().await;
    let token = open_form(&mut c).await;
    let page = c
        .post_form(
            &format!("{REFERENCE}/comments"),
            &[
                ("content", ""),
                ("author_name", ""),
                ("author_email", "x"),
                ("author_url", "ftp://x"),
                ("csrf_token", &token),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    let links: Vec<String> = page.texts(".error-summary li");
    assert_eq!(links.len(), 5, "{links:?}");
    assert_eq!(page.count("[aria-invalid=true]"), 5);
    assert_eq!(
        page.attr("input[name=author_url]", "value").as_deref(),
        Some("ftp://x")
    );
}

#[actix_web::test]
async fn forged_missing_or_foreign_tokens_are_refused_with_values_kept() {
    let site = TestSite::with_content();
    let mut c = site.client().await;
    let token = open_form(&mut c).await;
    let other_entry_token = c
        .get("/articles/tuyen-truyen-quy-tac-ung-xu-noi-cong-cong")
        .await
        .token();
    for (what, t) in [
        ("forged", "1700000000.AAAA"),
        ("missing", ""),
        ("other entry", other_entry_token.as_str()),
    ] {
        let page = c
            .post_form(
                &format!("{REFERENCE}/comments"),
                &with(valid(&token), "csrf_token", t),
            )
            .await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{what}");
        assert!(
            page.text("#comment-form-errors")
                .contains(&msg("comment_token_invalid")),
            "{what}"
        );
        assert_eq!(
            page.attr(".error-summary a", "href").as_deref(),
            Some("#comment-form-errors")
        );
        assert_eq!(
            page.attr("input[name=author_email]", "value").as_deref(),
            Some("hoa.nguyen@example.vn")
        );
        // A fresh token comes with the form, so sending again works (a
        // while later, and not the same text twice: those rules have tests
        // of their own in moderation.rs).
        site.set_now(site.now() + chrono::Duration::seconds(20));
        let text = format!("Ý kiến về thủ tục ({what})");
        let retry = c
            .post_form(
                &format!("{REFERENCE}/comments"),
                &with(valid(&page.token()), "content", &text),
            )
            .await;
        assert_eq!(retry.status, StatusCode::SEE_OTHER, "{what}: retry");
    }
    // A post from another site carries no cookie: its token cannot match.
    let mut stranger = site.client().await;
    let page = stranger
        .post_form(&format!("{REFERENCE}/comments"), &valid(&token))
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(all_comments(&site).len(), 3);
}

#[actix_web::test]
async fn an_expired_form_is_refused_and_the_text_kept() {
    let site = TestSite::with_content();
    let mut c = site.client().await;
    let token = open_form(&mut c).await;
    site.set_now(site.now() + chrono::Duration::days(3));
    let page = c
        .post_form(&format!("{REFERENCE}/comments"), &valid(&token))
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.text("textarea[name=content]")
            .contains("Đề nghị Sở công khai")
    );
}

#[actix_web::test]
async fn the_honeypot_keeps_bots_out_of_the_queue_and_off_the_page() {
    let site = TestSite::with_content();
    let mut c = site.client().await;
    let token = open_form(&mut c).await;
    let res = c
        .post_form(
            &format!("{REFERENCE}/comments"),
            &with(valid(&token), "loa_website", "http://spam.example"),
        )
        .await;
    // The documented refusal: the bot is told nothing (303), the comment is
    // kept as spam with the rule that caught it, and nobody sees it.
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let saved = all_comments(&site);
    assert_eq!(saved.len(), 1);
    assert_eq!(saved[0].status, CommentStatus::Spam);
    assert_eq!(saved[0].held_by, "honeypot");
    let page = c.get(REFERENCE).await;
    assert_eq!(page.count(".comment"), 0);
}

#[actix_web::test]
async fn replies_need_an_approved_parent_on_the_same_entry() {
    let site = TestSite::with_content();
    let reference = reference_id(&site);
    let other = loa::storage::entries::find_by_slug(
        &mut site.conn(),
        "tuyen-truyen-quy-tac-ung-xu-noi-cong-cong",
    )
    .unwrap()
    .unwrap()
    .id;
    let approved_here = stored(
        &site,
        reference,
        None,
        "Trần Văn Bình",
        "Rất hữu ích.",
        CommentStatus::Approved,
    );
    let pending_here = stored(
        &site,
        reference,
        None,
        "Lê Thị Cúc",
        "Chưa duyệt.",
        CommentStatus::Pending,
    );
    let approved_elsewhere = stored(
        &site,
        other,
        None,
        "Phạm Minh",
        "Ở bài khác.",
        CommentStatus::Approved,
    );
    let mut c = site.client().await;
    let token = open_form(&mut c).await;
    let pending_s = pending_here.to_string();
    let elsewhere_s = approved_elsewhere.to_string();
    for (what, parent) in [
        ("unknown", "999999"),
        ("pending", pending_s.as_str()),
        ("foreign", elsewhere_s.as_str()),
        ("not a number", "abc"),
    ] {
        let page = c
            .post_form(
                &format!("{REFERENCE}/comments"),
                &with(valid(&token), "parent_id", parent),
            )
            .await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{what}");
        assert!(
            page.text("#comment-form-errors")
                .contains(&msg("comment_parent_invalid")),
            "{what}"
        );
        assert!(
            page.text("textarea[name=content]").contains("Đề nghị Sở"),
            "{what}"
        );
        // Sent again, it becomes a new top-level comment.
        assert_eq!(
            page.attr("input[name=parent_id]", "value").as_deref(),
            Some(""),
            "{what}"
        );
    }
    // A reply to an approved comment here is accepted and threads under it.
    let reply_page = c
        .get(&format!("{REFERENCE}?replytocom={approved_here}"))
        .await;
    assert_eq!(reply_page.text("#reply-title"), "Trả lời Trần Văn Bình");
    assert_eq!(
        reply_page.attr(".cancel-reply a", "href"),
        Some(format!("{REFERENCE}#respond"))
    );
    assert_eq!(
        reply_page.attr("input[name=parent_id]", "value"),
        Some(approved_here.to_string())
    );
    let res = c
        .post_form(
            &format!("{REFERENCE}/comments"),
            &with(
                valid(&reply_page.token()),
                "parent_id",
                &approved_here.to_string(),
            ),
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let reply = all_comments(&site).into_iter().last().unwrap();
    assert_eq!(reply.parent_id, Some(approved_here));
    let page = c.get(REFERENCE).await;
    assert_eq!(
        page.count(&format!(
            "#comment-{approved_here} > ol.comment-replies > #comment-{}",
            reply.id
        )),
        1
    );
}

#[actix_web::test]
async fn approved_comments_thread_with_name_and_date_but_never_the_email() {
    let site = TestSite::with_content();
    site.set_now(common::utc("2026-01-02 03:04:00"));
    let reference = reference_id(&site);
    let a = stored(
        &site,
        reference,
        None,
        "Trần Văn Bình",
        "Câu hỏi về <b>hồ sơ</b>\nDòng hai https://dichvucong.gov.vn",
        CommentStatus::Approved,
    );
    let b = stored(
        &site,
        reference,
        Some(a),
        "Lê Thị Cúc",
        "Trả lời anh Bình.",
        CommentStatus::Approved,
    );
    let _deep = stored(
        &site,
        reference,
        Some(b),
        "Đỗ Hùng",
        "Tiếp nối.",
        CommentStatus::Approved,
    );
    stored(
        &site,
        reference,
        None,
        "Kẻ rác",
        "spam",
        CommentStatus::Spam,
    );
    stored(
        &site,
        reference,
        None,
        "Thùng rác",
        "trash",
        CommentStatus::Trash,
    );
    stored(
        &site,
        reference,
        None,
        "Chờ duyệt",
        "pending",
        CommentStatus::Pending,
    );
    let mut c = site.client().await;
    let page = c.get(REFERENCE).await;
    assert_eq!(page.text("#comments-title"), "3 bình luận");
    assert_eq!(page.count(".comment"), 3);
    assert_eq!(page.text(&format!("#comment-{a}-author")), "Trần Văn Bình");
    assert_eq!(
        page.text(&format!("#comment-{a} > article time")),
        "02/01/2026 10:04"
    );
    assert_eq!(
        page.count(&format!("#comment-{a} > ol.comment-replies > #comment-{b}")),
        1
    );
    let html = page.body.clone();
    assert!(
        html.contains("Câu hỏi về &lt;b&gt;hồ sơ&lt;/b&gt;<br>"),
        "comments are escaped, breaks kept"
    );
    assert!(html.contains(r#"<a href="https://dichvucong.gov.vn" rel="nofollow ugc noopener">"#));
    for hidden in ["spam", "trash", "Chờ duyệt"] {
        assert!(!page.text("#comments").contains(hidden), "{hidden} shown");
    }
    // No email address of any commenter in any public page.
    for path in [
        "/",
        REFERENCE,
        "/articles",
        "/categories/tin-nganh",
        "/tags/cai-cach-hanh-chinh",
    ] {
        let body = c.get(path).await.body;
        assert!(
            !body.contains("@example.vn"),
            "an email address leaks on {path}"
        );
    }
}

#[actix_web::test]
async fn closed_comments_show_no_form_and_refuse_posts_keeping_the_text() {
    let site = TestSite::new();
    let (_, path) = entry(EntryKind::Article, "Bài đóng bình luận").save(&mut site.conn());
    let mut c = site.client().await;
    let token = c.get(&path).await.token();
    diesel::update(loa::storage::schema::entries::table)
        .set(loa::storage::schema::entries::comments_open.eq(false))
        .execute(&mut *site.conn())
        .unwrap();
    let page = c.get(&path).await;
    assert_eq!(page.count("form.comment-form"), 0);
    let refused = c
        .post_form(&format!("{path}/comments"), &valid(&token))
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains(&msg("comment_closed")));
    assert!(all_comments(&site).is_empty());
}

#[actix_web::test]
async fn opening_the_comments_address_leads_back_to_the_form() {
    let site = TestSite::with_content();
    let mut c = site.client().await;
    let page = c.get(&format!("{REFERENCE}/comments")).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(
        page.header("location"),
        Some(format!("{REFERENCE}#respond"))
    );
}

#[actix_web::test]
async fn decomposed_vietnamese_is_stored_composed() {
    use unicode_normalization::UnicodeNormalization;
    let site = TestSite::with_content();
    let mut c = site.client().await;
    let token = open_form(&mut c).await;
    let nfd_name: String = "Nguyễn Thị Hoa".nfd().collect();
    let res = c
        .post_form(
            &format!("{REFERENCE}/comments"),
            &with(valid(&token), "author_name", &nfd_name),
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(all_comments(&site)[0].author_name, "Nguyễn Thị Hoa");
}

#[actix_web::test]
async fn malformed_and_oversized_posts_are_4xx_not_errors() {
    let site = TestSite::with_content();
    let mut c = site.client().await;
    let token = open_form(&mut c).await;
    let path = format!("{REFERENCE}/comments");
    let bad = c
        .post_raw(
            &path,
            "application/x-www-form-urlencoded",
            b"content=%ZZ&author_name=%".to_vec(),
        )
        .await;
    assert!(bad.status.is_client_error(), "{}", bad.status);
    // A long paste is read and sent back with its text, not refused unread.
    let pasted = "Ý kiến đóng góp về thủ tục. ".repeat(3000);
    let long = c
        .post_form(&path, &with(valid(&token), "content", &pasted))
        .await;
    assert_eq!(long.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        long.text("#content-error")
            .contains(&msg("comment_content_too_long"))
    );
    assert_eq!(long.text("textarea[name=content]"), common::fold(&pasted));
    assert!(
        long.attr("textarea[name=content]", "maxlength").is_none(),
        "no silent truncation"
    );
    // Only a body no form could produce is refused unread.
    let huge = format!("content={}&csrf_token={token}", "a".repeat(2 * 1024 * 1024));
    let big = c
        .post_raw(
            &path,
            "application/x-www-form-urlencoded",
            huge.into_bytes(),
        )
        .await;
    assert_eq!(big.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(big.body.contains(&msg("error_413_text")));
    let json = c.post_raw(&path, "application/json", b"{}".to_vec()).await;
    assert!(json.status.is_client_error(), "{}", json.status);
    // Fields that are missing altogether are reported like empty ones.
    let empty = c.post_form(&path, &[("csrf_token", &token)]).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(empty.count("[aria-invalid=true]"), 4);
}

/// Bytes that are not UTF-8 (a broken client, a wrong encoding) would be
/// stored as "�": the form comes back asking to type the text again, and
/// nothing is stored.
#[actix_web::test]
async fn garbled_text_is_refused_not_stored_as_question_marks() {
    let site = TestSite::with_content();
    let mut c = site.client().await;
    let token = open_form(&mut c).await;
    let path = format!("{REFERENCE}/comments");
    let body = format!(
        "content=%FF%FE&author_name=%C3%28&author_email=a%40b.vn&consent=1&csrf_token={token}"
    );
    let res = c
        .post_raw(
            &path,
            "application/x-www-form-urlencoded",
            body.into_bytes(),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text("#content-error").contains(&msg("comment_garbled")));
    assert!(
        res.text("#author_name-error")
            .contains(&msg("comment_garbled"))
    );
    assert!(all_comments(&site).is_empty());
}

//! Issue #19, Hỏi – Đáp: a citizen asks at `/hoi-dap` (the comment form's
//! rules: 422 with every value kept, consent, anti-spam, a limit per
//! address), follows the question through a private link, staff assign,
//! answer and (editors) approve it; the published question hides personal
//! data, is filed by topic and searchable; the on-time figure shows in
//! public and in the admin.

use crate::common;

use actix_web::http::StatusCode;
use common::{TestSite, msg};
use loa::domain::user::Role;
use loa::storage::questions;

const PW: &str = "mat-khau-du-dai";

/// The form's fields, filled in as a citizen does.
fn filled<'a>(token: &'a str, question: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("name", "Trần Văn Cường"),
        ("email", "cuong@example.vn"),
        ("phone", "0912 345 678"),
        ("topic", "Thủ tục hành chính"),
        ("question", question),
        ("consent", "1"),
        ("csrf_token", token),
    ]
}

/// Opens `/hoi-dap` and lets the time trap pass; the form's token.
macro_rules! open_form {
    ($site:expr, $c:expr) => {{
        let token = $c.get("/hoi-dap").await.token();
        $site.set_now($site.now() + chrono::Duration::seconds(30));
        token
    }};
}

#[actix_web::test]
async fn a_citizen_asks_follows_and_reads_the_published_answer_without_personal_data() {
    let site = TestSite::with_content();
    site.add_user("canbo", Role::Moderator, PW);
    site.add_user("lanhdao", Role::Editor, PW);
    let mut citizen = site.client().await;
    // Found from every page's navigation.
    let home = citizen.get("/").await;
    assert!(
        home.count("nav a[href='/hoi-dap']") >= 1,
        "a link to /hoi-dap"
    );
    let page = citizen.get("/hoi-dap").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.text("h1"), msg("questions_title"));
    for name in ["name", "email", "phone", "topic", "question", "consent"] {
        assert_eq!(
            page.count(&format!("form.comment-form [name={name}]")),
            1,
            "{name}"
        );
    }
    let token = open_form!(site, citizen);
    let asked = "Xin hỏi hồ sơ cấp phép biểu diễn nghệ thuật gồm những gì? Số của tôi 0987654321.";
    let sent = citizen.post_form("/hoi-dap", &filled(&token, asked)).await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER);
    let follow = sent.header("location").unwrap();
    assert!(follow.starts_with("/hoi-dap/theo-doi/"), "{follow}");

    // The private page: the address to keep, the state, the question.
    let mine = citizen.get(&follow).await;
    assert_eq!(mine.status, StatusCode::OK);
    assert!(mine.text(".notice").contains(&msg("questions_sent")));
    assert!(mine.text(".follow-link").ends_with(&follow));
    assert_eq!(mine.text("#q-state"), msg("question_state_new"));
    assert_eq!(
        mine.header("cache-control").as_deref(),
        Some("private, no-store")
    );
    assert_eq!(
        citizen.get("/hoi-dap/theo-doi/khong-dung").await.status,
        StatusCode::NOT_FOUND
    );
    // Nothing is public yet.
    let id = questions::queue(&mut site.conn(), None, 10).unwrap()[0]
        .0
        .id;
    assert_eq!(
        citizen.get(&format!("/hoi-dap/{id}")).await.status,
        StatusCode::NOT_FOUND
    );

    // A moderator assigns it to themself and answers.
    let mut staff = site.client().await;
    staff.login("canbo", PW).await;
    let queue = staff.get("/admin/questions").await;
    assert!(queue.text("table").contains("Xin hỏi hồ sơ cấp phép"));
    let csrf = staff.admin_token().await;
    let me = loa::storage::users::find_by_username(&mut site.conn(), "canbo")
        .unwrap()
        .unwrap()
        .id;
    let assigned = staff
        .post_form(
            &format!("/admin/questions/{id}/assign"),
            &[("csrf_token", &csrf), ("assignee_id", &me.to_string())],
        )
        .await;
    assert_eq!(assigned.status, StatusCode::SEE_OTHER);
    assert_eq!(
        citizen.get(&follow).await.text("#q-state"),
        msg("question_state_assigned")
    );
    let answer = "Hồ sơ gồm **đơn đề nghị** và kịch bản chương trình.";
    staff
        .post_form(
            &format!("/admin/questions/{id}/answer"),
            &[("csrf_token", &csrf), ("answer_md", answer)],
        )
        .await;
    // A moderator may not approve: an editor does.
    let refused = staff
        .post_form(
            &format!("/admin/questions/{id}/publish"),
            &[("csrf_token", &csrf)],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(
        citizen.get(&follow).await.text("#q-state"),
        msg("question_state_answered")
    );
    let mut editor = site.client().await;
    editor.login("lanhdao", PW).await;
    let csrf = editor.admin_token().await;
    let published = editor
        .post_form(
            &format!("/admin/questions/{id}/publish"),
            &[("csrf_token", &csrf)],
        )
        .await;
    assert_eq!(published.status, StatusCode::SEE_OTHER);

    // Public: the question masked, no name, email or phone; the answer.
    let public = citizen.get(&format!("/hoi-dap/{id}")).await;
    assert_eq!(public.status, StatusCode::OK);
    let text = public.text("article.qa");
    assert!(text.contains("Xin hỏi hồ sơ cấp phép"));
    assert!(text.contains(&msg("mask_phone")), "{text}");
    for private in [
        "0987654321",
        "Trần Văn Cường",
        "cuong@example.vn",
        "0912 345 678",
    ] {
        assert!(!public.body.contains(private), "{private} is shown");
    }
    assert!(
        public
            .html()
            .select(&scraper::Selector::parse("article.qa strong").unwrap())
            .next()
            .is_some()
    );
    // Listed, filed by topic and found by its words without accents.
    let list = citizen.get("/hoi-dap").await;
    assert_eq!(list.count(".qa-list li"), 1);
    let by_topic = citizen
        .get("/hoi-dap?topic=Th%E1%BB%A7+t%E1%BB%A5c+h%C3%A0nh+ch%C3%ADnh")
        .await;
    assert_eq!(by_topic.count(".qa-list li"), 1);
    let other = citizen.get("/hoi-dap?topic=Gia+%C4%91%C3%ACnh").await;
    assert_eq!(other.count(".qa-list li"), 0);
    let found = citizen.get("/hoi-dap?q=kich+ban+chuong+trinh").await;
    assert_eq!(found.count(".qa-list li"), 1, "found by the answer's words");
    assert_eq!(
        citizen
            .get("/hoi-dap?q=khong+co+dau")
            .await
            .count(".qa-list li"),
        0
    );
    // The asker's page shows the answer and the public link.
    let mine = citizen.get(&follow).await;
    assert_eq!(mine.text("#q-state"), msg("question_state_published"));
    assert!(
        mine.text(".comment-official")
            .contains("kịch bản chương trình")
    );
    // On time: the one question was answered within its deadline.
    assert_eq!(list.text("#q-on-time"), "1");
    assert_eq!(list.text("#q-share"), "100%");
    // The API serves it, without personal data.
    let api = citizen.get("/api/v1/questions").await;
    assert_eq!(api.status, StatusCode::OK);
    assert!(api.body.contains("kịch bản chương trình"));
    assert!(!api.body.contains("cuong@example.vn") && !api.body.contains("0987654321"));
    let doc: serde_json::Value =
        serde_json::from_str(&citizen.get("/api/openapi.json").await.body).unwrap();
    assert!(doc["paths"]["/questions/{id}"]["get"].is_object());
    let one = citizen.get(&format!("/api/v1/questions/{id}")).await;
    assert_eq!(one.status, StatusCode::OK);
    let one: serde_json::Value = serde_json::from_str(&one.body).unwrap();
    assert_eq!(one["topic"], "Thủ tục hành chính");
    assert!(
        one["answer_html"]
            .as_str()
            .unwrap()
            .contains("<strong>đơn đề nghị</strong>")
    );
    crate::api::check_against(&doc, "/questions/{id}", "200", &one);
}

#[actix_web::test]
async fn a_question_that_breaks_a_rule_comes_back_with_every_value_in_place() {
    let site = TestSite::with_content();
    let mut c = site.client().await;
    let token = open_form!(site, c);
    let mut fields = filled(&token, "Câu hỏi về lễ hội");
    fields.retain(|f| f.0 != "consent");
    fields.iter_mut().for_each(|f| {
        if f.0 == "email" {
            f.1 = "cuong@";
        }
    });
    let page = c.post_form("/hoi-dap", &fields).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    let summary = page.text(".error-summary");
    assert!(summary.contains(&msg("question_email_invalid")));
    assert!(summary.contains(&msg("question_consent_required")));
    assert_eq!(
        page.attr("#name", "value").as_deref(),
        Some("Trần Văn Cường")
    );
    assert_eq!(page.attr("#email", "value").as_deref(), Some("cuong@"));
    assert_eq!(
        page.attr("#phone", "value").as_deref(),
        Some("0912 345 678")
    );
    assert_eq!(page.text("#question"), "Câu hỏi về lễ hội");
    assert!(
        page.attr("#topic option[selected]", "value")
            .is_some_and(|v| v == "Thủ tục hành chính")
    );
    assert_eq!(page.attr("#email", "aria-invalid").as_deref(), Some("true"));
    // No topic, a phone that is not one, an unknown topic.
    let bad = [
        ("topic", "", "question_topic_required"),
        ("phone", "gọi tôi", "question_phone_invalid"),
        ("topic", "Bóng đá", "question_topic_invalid"),
    ];
    for (name, value, key) in bad {
        let mut f = filled(&token, "Câu hỏi khác");
        f.iter_mut()
            .filter(|f| f.0 == name)
            .for_each(|f| f.1 = value);
        let page = c.post_form("/hoi-dap", &f).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{key}");
        assert!(page.text(".error-summary").contains(&msg(key)), "{key}");
    }
    // Sent at once after the page opened (a bot): refused, text kept.
    // (The page's own token may come from the page cache, issued
    // earlier: a token issued this second stands for a fresh page.)
    let fresh = site
        .state
        .keys
        .rating_token("question", site.now().and_utc().timestamp());
    let page = c.post_form("/hoi-dap", &filled(&fresh, "Nhanh quá")).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.text("#question-form-errors")
            .contains(&msg("question_too_fast"))
    );
    assert_eq!(page.text("#question"), "Nhanh quá");
    // The honeypot: looks sent, nothing kept.
    let mut trap = filled(&token, "Mua thuốc giá rẻ");
    trap.push(("loa_website", "http://spam.example"));
    assert_eq!(
        c.post_form("/hoi-dap", &trap).await.status,
        StatusCode::SEE_OTHER
    );
    assert!(
        questions::queue(&mut site.conn(), None, 10)
            .unwrap()
            .is_empty()
    );
    // Another site's form is refused.
    let forged = c
        .post_form_with(
            "/hoi-dap",
            &filled(&token, "Giả mạo"),
            &[("origin", "https://evil.example")],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);

    // The same question twice is refused; five an hour per address.
    let first = c
        .post_form_from(
            "/hoi-dap",
            &filled(&token, "Câu hỏi số 1"),
            "192.0.2.5:1000",
        )
        .await;
    assert_eq!(first.status, StatusCode::SEE_OTHER);
    let again = c
        .post_form_from(
            "/hoi-dap",
            &filled(&token, "Câu hỏi số 1"),
            "192.0.2.5:1000",
        )
        .await;
    assert!(
        again
            .text(".error-summary")
            .contains(&msg("question_duplicate"))
    );
    for n in 2..=loa::domain::question::PER_HOUR {
        let q = format!("Câu hỏi số {n}");
        let page = c
            .post_form_from("/hoi-dap", &filled(&token, &q), "192.0.2.5:1000")
            .await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{n}");
    }
    let over = c
        .post_form_from("/hoi-dap", &filled(&token, "Một câu nữa"), "192.0.2.5:1000")
        .await;
    assert_eq!(over.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(over.text("#question"), "Một câu nữa");
}

#[actix_web::test]
async fn staff_work_the_queue_with_deadlines_refusals_and_settings() {
    let site = TestSite::with_content();
    site.add_user("canbo", Role::Moderator, PW);
    site.add_user("tacgia", Role::Author, PW);
    site.add_user("quantri", Role::Admin, PW);
    let mut citizen = site.client().await;
    let token = open_form!(site, citizen);
    let sent = citizen
        .post_form(
            "/hoi-dap",
            &filled(&token, "Câu hỏi không thuộc thẩm quyền"),
        )
        .await;
    let follow = sent.header("location").unwrap();
    let id = questions::queue(&mut site.conn(), None, 10).unwrap()[0]
        .0
        .id;

    let mut author = site.client().await;
    author.login("tacgia", PW).await;
    assert_eq!(
        author.get("/admin/questions").await.status,
        StatusCode::FORBIDDEN
    );

    let mut staff = site.client().await;
    staff.login("canbo", PW).await;
    let csrf = staff.admin_token().await;
    // Refusing needs a reason; an empty answer is refused with the message.
    let page = staff
        .post_form(
            &format!("/admin/questions/{id}/refuse"),
            &[("csrf_token", &csrf), ("refusal", " ")],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.text("#refusal-error")
            .contains(&msg("questions_refusal_required"))
    );
    let page = staff
        .post_form(
            &format!("/admin/questions/{id}/answer"),
            &[("csrf_token", &csrf), ("answer_md", "")],
        )
        .await;
    assert!(
        page.text("#answer_md-error")
            .contains(&msg("questions_answer_required"))
    );
    // Without the token nothing changes.
    let forged = staff
        .post_form(
            &format!("/admin/questions/{id}/refuse"),
            &[("refusal", "x")],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let reason =
        "Câu hỏi thuộc thẩm quyền của UBND quận; bạn vui lòng liên hệ bộ phận một cửa quận.";
    let done = staff
        .post_form(
            &format!("/admin/questions/{id}/refuse"),
            &[("csrf_token", &csrf), ("refusal", reason)],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert!(citizen.get(&follow).await.text("main").contains(reason));
    // A refused question cannot be published: 409 with the reason.
    let page = staff
        .post_form(
            &format!("/admin/questions/{id}/answer"),
            &[("csrf_token", &csrf), ("answer_md", "Muộn")],
        )
        .await;
    assert_eq!(page.status, StatusCode::CONFLICT);
    let audit = loa::storage::audit::page(&mut site.conn(), 0, 20)
        .unwrap()
        .0;
    assert!(
        audit.iter().any(|a| a.action == "question.refused"),
        "audited"
    );

    // A question past its deadline shows as overdue and lowers the figure.
    site.set_now(site.now() + chrono::Duration::seconds(30));
    let token = citizen.get("/hoi-dap").await.token();
    site.set_now(site.now() + chrono::Duration::seconds(30));
    let second = citizen
        .post_form("/hoi-dap", &filled(&token, "Câu hỏi chưa ai trả lời"))
        .await;
    assert_eq!(second.status, StatusCode::SEE_OTHER, "{}", second.body);
    site.set_now(site.now() + chrono::Duration::days(30));
    // (A month later the session has ended: sign in again.)
    staff.login("canbo", PW).await;
    let queue = staff.get("/admin/questions").await;
    assert_eq!(queue.count("tr.overdue"), 1);
    let dashboard = staff.get("/admin").await;
    assert_eq!(dashboard.text("#questions-open"), "1");
    assert_eq!(dashboard.text("#questions-share"), "50%");
    let public = citizen.get("/hoi-dap").await;
    assert_eq!(public.text("#q-received"), "2");
    assert_eq!(
        public.text("#q-share"),
        "50%",
        "one handled on time (refused with a reason), one overdue"
    );

    // Admins set the deadline and topics; a bad deadline comes back.
    let mut admin = site.client().await;
    admin.login("quantri", PW).await;
    let csrf = admin.admin_token().await;
    let bad = admin
        .post_form(
            "/admin/questions/settings",
            &[
                ("csrf_token", &csrf),
                ("deadline_days", "0"),
                ("topics", "Di sản\nThể thao"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body.contains(">Di sản\nThể thao</textarea>"),
        "the topics typed are kept"
    );
    let ok = admin
        .post_form(
            "/admin/questions/settings",
            &[
                ("csrf_token", &csrf),
                ("deadline_days", "5"),
                ("topics", "Di sản\nThể thao"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    let form = citizen.get("/hoi-dap").await;
    assert_eq!(
        form.texts("#topic option").len(),
        3,
        "the choice and two topics"
    );
    assert!(form.text(".sapo").contains(" 5 "));
    let csrf = staff.admin_token().await;
    let moderator_settings = staff
        .post_form(
            "/admin/questions/settings",
            &[("csrf_token", &csrf), ("deadline_days", "9")],
        )
        .await;
    assert_eq!(moderator_settings.status, StatusCode::FORBIDDEN);
}

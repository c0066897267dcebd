//! Issue #19, satisfaction: "Thông tin này có hữu ích không?" under each
//! entry and page — answered without JavaScript, one answer per browser
//! (which it may change), refused with its reason and the typed text kept,
//! limited per address, no personal data — and the admin's figures, trend
//! chart, CSV and the dashboard's lowest-rated list.

use crate::common;

use actix_web::http::StatusCode;
use common::{TestSite, entry, msg, reference_id};
use loa::domain::entry::{EntryKind, Status};
use loa::domain::rating::ValidRating;
use loa::domain::user::Role;
use loa::storage::ratings::{self, Target};

const PW: &str = "mat-khau-du-dai";
const ARTICLE: &str =
    "/articles/so-vhtt-ha-noi-tang-cuong-thong-tin-tuyen-truyen-ve-cai-cach-hanh-chinh";

/// The rating form's token on `page`.
fn rating_token(page: &common::Page) -> String {
    page.attr("form.rating-form input[name=csrf_token]", "value")
        .expect("a rating form with its token")
}

fn scores(site: &TestSite) -> Vec<(i32, String)> {
    let mut all: Vec<(i32, String)> = ratings::all(&mut site.conn())
        .unwrap()
        .into_iter()
        .map(|a| (a.score, a.comment))
        .collect();
    all.sort();
    all
}

#[actix_web::test]
async fn a_reader_rates_an_entry_without_javascript_and_may_change_the_answer() {
    let site = TestSite::with_content();
    let mut c = site.client().await;
    let page = c.get(ARTICLE).await;
    assert_eq!(page.text("#rating-title"), msg("rating_question"));
    assert_eq!(
        page.attr("form.rating-form", "action").as_deref(),
        Some(format!("{ARTICLE}/rating").as_str())
    );
    assert_eq!(
        page.count("form.rating-form input[type=radio][name=score]"),
        5
    );
    assert!(page.text("label[for=score-5]").contains(&msg("rating_5")));
    let token = rating_token(&page);

    let sent = c
        .post_form(
            &format!("{ARTICLE}/rating"),
            &[
                ("score", "4"),
                ("comment", "Rõ ràng, dễ hiểu."),
                ("csrf_token", &token),
            ],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER);
    assert_eq!(
        sent.header("location").as_deref(),
        Some(format!("{ARTICLE}#danh-gia").as_str())
    );
    let thanked = c.get(ARTICLE).await;
    assert!(
        thanked
            .text("#danh-gia .notice")
            .contains(&msg("rating_thanks"))
    );
    // Once: the next view of the page is the plain form again.
    assert_eq!(c.get(ARTICLE).await.count("#danh-gia .notice"), 0);
    assert_eq!(scores(&site), [(4, "Rõ ràng, dễ hiểu.".to_owned())]);

    // The same browser answers again: its answer changes, no second one.
    c.post_form(
        &format!("{ARTICLE}/rating"),
        &[("score", "2"), ("csrf_token", &token)],
    )
    .await;
    assert_eq!(scores(&site), [(2, String::new())]);

    // Another browser's answer is its own.
    let mut other = site.client().await;
    let sent = other
        .post_form(
            &format!("{ARTICLE}/rating"),
            &[("score", "5"), ("csrf_token", &token)],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER);
    assert_eq!(scores(&site), [(2, String::new()), (5, String::new())]);
    // Nothing personal is kept: the browser and the address are one-way names.
    let stored = ratings::all(&mut site.conn()).unwrap();
    assert!(
        stored
            .iter()
            .all(|a| a.entry_id == Some(reference_id(&site)))
    );
}

#[actix_web::test]
async fn an_answer_that_breaks_a_rule_comes_back_with_its_reason_and_what_was_typed() {
    let site = TestSite::with_content();
    let mut c = site.client().await;
    let token = rating_token(&c.get(ARTICLE).await);
    let path = format!("{ARTICLE}/rating");
    let cases: [(&[(&str, &str)], &str); 4] = [
        (
            &[("score", "9"), ("comment", "Điểm lạ")],
            "rating_score_invalid",
        ),
        (&[("comment", "Quên chọn mức")], "rating_score_required"),
        (
            &[("score", "-1"), ("comment", "Âm")],
            "rating_score_invalid",
        ),
        (
            &[("score", "3"), ("comment", "Hết hạn")],
            "rating_token_invalid",
        ),
    ];
    for (fields, key) in cases {
        let mut fields = fields.to_vec();
        if key != "rating_token_invalid" {
            fields.push(("csrf_token", &token));
        } else {
            fields.push(("csrf_token", "1700000000.gia-mao"));
        }
        let page = c.post_form(&path, &fields).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{key}");
        assert!(
            page.text("#danh-gia .error-summary").contains(&msg(key)),
            "{key}"
        );
        let typed = fields.iter().find(|f| f.0 == "comment").unwrap().1;
        assert_eq!(
            page.text("#rating_comment"),
            typed,
            "{key}: the comment is kept"
        );
    }
    // A comment too long keeps the chosen score.
    let long = "ý".repeat(501);
    let page = c
        .post_form(
            &path,
            &[("score", "3"), ("comment", &long), ("csrf_token", &token)],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        page.text("#rating_comment-error")
            .trim_start_matches(&msg("error_prefix"))
            .trim(),
        msg("rating_comment_too_long")
    );
    assert!(page.attr("#score-3", "checked").is_some());
    assert_eq!(
        page.attr("#rating_comment", "aria-invalid").as_deref(),
        Some("true")
    );

    // Another site's form is refused before anything is read.
    let forged = c
        .post_form_with(
            &path,
            &[("score", "1"), ("csrf_token", &token)],
            &[("origin", "https://evil.example")],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    // A draft takes no answer.
    let (_, draft) = entry(EntryKind::Article, "Bản nháp đánh giá")
        .status(Status::Draft)
        .save(&mut site.conn());
    let page = c
        .post_form(
            &format!("{draft}/rating"),
            &[("score", "5"), ("csrf_token", &token)],
        )
        .await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(scores(&site).is_empty(), "nothing was stored");
}

#[actix_web::test]
async fn a_page_takes_answers_too_and_one_address_is_limited() {
    let site = TestSite::with_content();
    let mut c = site.client().await;
    let page = c.get("/lien-he").await;
    assert_eq!(
        page.attr("form.rating-form", "action").as_deref(),
        Some("/lien-he/rating")
    );
    let token = rating_token(&page);
    let sent = c
        .post_form("/lien-he/rating", &[("score", "5"), ("csrf_token", &token)])
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER);
    assert_eq!(
        sent.header("location").as_deref(),
        Some("/lien-he#danh-gia")
    );
    let thanked = c.get("/lien-he").await;
    assert!(
        thanked
            .text("#danh-gia .notice")
            .contains(&msg("rating_thanks"))
    );
    let stored = ratings::all(&mut site.conn()).unwrap();
    assert_eq!(stored.len(), 1, "one answer");
    assert!(stored[0].page_id.is_some() && stored[0].entry_id.is_none());
    // A bad answer on a page comes back on the page.
    let bad = c
        .post_form("/lien-he/rating", &[("csrf_token", &token)])
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text("h1").contains("Liên hệ"));
    assert_eq!(
        c.post_form("/khong-co/rating", &[("score", "5")])
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // The English page's form is in English, and comes back in English.
    let page_id = loa::storage::pages::find_by_path(&mut site.conn(), "lien-he")
        .unwrap()
        .unwrap()
        .id;
    let valid = loa::domain::translation::validate(&loa::domain::translation::TranslationInput {
        title: "Contact".into(),
        body_md: "Opening hours.".into(),
        status: "published".into(),
        ..Default::default()
    })
    .unwrap();
    loa::service::translations::save(
        &mut site.conn(),
        loa::storage::translations::Original::Page(page_id),
        "en",
        None,
        &valid,
        loa::service::entries::Saver {
            name: "test",
            now: site.now(),
        },
    )
    .unwrap();
    let english = c.get("/en/lien-he").await;
    assert_eq!(
        english.text("#rating-title"),
        "Was this information useful?"
    );
    let en_token = rating_token(&english);
    let bad = c
        .post_form("/en/lien-he/rating", &[("csrf_token", &en_token)])
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.text("#score-error")
            .contains("Choose how useful this was.")
    );
    let sent = c
        .post_form(
            "/en/lien-he/rating",
            &[("score", "4"), ("csrf_token", &en_token)],
        )
        .await;
    assert_eq!(
        sent.header("location").as_deref(),
        Some("/en/lien-he#danh-gia")
    );

    // Many browsers behind one address: PER_HOUR answers, then 429.
    let limit = loa::domain::rating::PER_HOUR as usize;
    let mut refused = None;
    for n in 0..limit + 2 {
        let mut browser = site.client().await;
        let page = browser
            .post_form_from(
                "/lien-he/rating",
                &[("score", "4"), ("csrf_token", &token)],
                "198.51.100.9:5000",
            )
            .await;
        if page.status == StatusCode::TOO_MANY_REQUESTS {
            assert!(
                page.text("#rating-form-errors")
                    .contains(&msg("rating_too_many"))
            );
            refused = Some(n);
            break;
        }
        assert_eq!(page.status, StatusCode::SEE_OTHER);
    }
    assert_eq!(refused, Some(limit), "the answer after {limit} is refused");
    let mut elsewhere = site.client().await;
    let page = elsewhere
        .post_form_from(
            "/lien-he/rating",
            &[("score", "4"), ("csrf_token", &token)],
            "198.51.100.10:5000",
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
}

#[actix_web::test]
async fn editors_read_the_figures_the_trend_and_the_csv_and_other_roles_may_not() {
    let site = TestSite::with_content();
    let article = reference_id(&site);
    let (other, _) = entry(EntryKind::Article, "Tin ít hữu ích").save(&mut site.conn());
    let now = site.now();
    let answer = |score: i32, comment: &str| ValidRating {
        score,
        comment: comment.to_owned(),
    };
    {
        let mut conn = site.conn();
        for (i, s) in [5, 5, 4, 4, 2].into_iter().enumerate() {
            let comment = if i == 4 {
                "=HYPERLINK(\"x\") khó hiểu"
            } else {
                ""
            };
            ratings::save(
                &mut conn,
                Target::Entry(article),
                &format!("b{i}"),
                "a",
                &answer(s, comment),
                now,
            )
            .unwrap();
        }
        for (i, s) in [1, 2, 1].into_iter().enumerate() {
            ratings::save(
                &mut conn,
                Target::Entry(other),
                &format!("c{i}"),
                "a",
                &answer(s, "Thiếu số điện thoại"),
                now,
            )
            .unwrap();
        }
    }
    site.add_user("bientap", Role::Editor, PW);
    site.add_user("tacgia", Role::Author, PW);
    site.add_user("kiemduyet", Role::Moderator, PW);

    let mut editor = site.client().await;
    editor.login("bientap", PW).await;
    let page = editor.get("/admin/ratings").await;
    assert_eq!(page.status, StatusCode::OK);
    let figures = page.texts("#site-title + .figures dd");
    // 8 answers, average (5+5+4+4+2+1+2+1)/8 = 3.0, satisfied 4 of 8.
    assert_eq!(figures, ["8", "3,0 / 5", "50,0 %"]);
    assert_eq!(
        page.count(".chart-box svg[role=img] rect"),
        4,
        "one part per score given this week (1, 2, 4 and 5)"
    );
    // Lowest average first.
    let rows = page.texts("#rows-title + table tbody td:first-child a");
    assert_eq!(
        rows,
        [
            "Tin ít hữu ích",
            "Sở VHTT Hà Nội tăng cường thông tin, tuyên truyền về cải cách hành chính"
        ]
    );
    assert!(
        page.text(".rating-comments")
            .contains("Thiếu số điện thoại")
    );
    // Per category: the reference article is the only rated one in Tin ngành.
    let cat = loa::storage::categories::find_by_slug(&mut site.conn(), "tin-nganh")
        .unwrap()
        .unwrap()
        .id;
    let category = editor
        .get(&format!("/admin/ratings/categories/{cat}"))
        .await;
    assert_eq!(category.status, StatusCode::OK);
    assert_eq!(category.texts(".figures dd")[0], "5");
    assert_eq!(
        category.count(".chart-box svg rect"),
        3,
        "scores 5, 4 and 2 this week"
    );
    assert!(category.text(".rating-comments").contains("HYPERLINK"));
    let detail = editor.get(&format!("/admin/ratings/entries/{other}")).await;
    assert_eq!(detail.status, StatusCode::OK);
    assert_eq!(detail.texts(".figures dd")[0], "3");

    let csv = editor.get("/admin/ratings.csv").await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.header("content-type").unwrap().starts_with("text/csv"));
    let lines: Vec<&str> = csv.body.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(lines[0], "id,kind,title,url,score,comment,created,updated");
    assert_eq!(lines.len(), 9);
    assert!(
        lines
            .iter()
            .any(|l| l.contains("\"'=HYPERLINK(\"\"x\"\") khó hiểu\"")),
        "formulas are not run: {lines:?}"
    );

    // The dashboard names the lowest rated entry of the last 30 days.
    let dashboard = editor.get("/admin").await;
    assert_eq!(
        dashboard.texts("#ratings-title + table tbody a")[0],
        "Tin ít hữu ích"
    );

    for who in ["tacgia", "kiemduyet"] {
        let mut c = site.client().await;
        c.login(who, PW).await;
        for path in [
            "/admin/ratings",
            "/admin/ratings.csv",
            &format!("/admin/ratings/entries/{article}"),
        ] {
            assert_eq!(
                c.get(path).await.status,
                StatusCode::FORBIDDEN,
                "{who} {path}"
            );
        }
    }
    let mut reader = site.client().await;
    assert_eq!(
        reader.get("/admin/ratings.csv").await.status,
        StatusCode::SEE_OTHER
    );
}

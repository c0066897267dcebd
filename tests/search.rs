//! Vietnamese full-text search: accents or not, either way round; phrases,
//! prefixes, document numbers; FTS syntax typed by readers; drafts never
//! found; the index following every save and delete; snippets that keep the
//! original text; filters and ranking.

use crate::common;
use loa::storage::Db;

use actix_web::http::StatusCode;
use common::{TestSite, category, entry, msg};
use diesel::prelude::*;
use loa::domain::entry::{EntryKind, Status};

const REFERENCE: &str =
    "/articles/so-vhtt-ha-noi-tang-cuong-thong-tin-tuyen-truyen-ve-cai-cach-hanh-chinh";

fn enc(q: &str) -> String {
    url::form_urlencoded::byte_serialize(q.as_bytes()).collect()
}

/// The result links of a search, in order.
async fn found<S, B>(c: &mut common::Client<S>, query: &str) -> Vec<String>
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    let page = c.get(&format!("/search?{query}")).await;
    assert_eq!(page.status, StatusCode::OK, "{query}");
    let sel = scraper::Selector::parse(".search-results .card-title a").unwrap();
    page.html()
        .select(&sel)
        .filter_map(|a| a.value().attr("href").map(str::to_owned))
        .collect()
}

#[actix_web::test]
async fn accents_are_optional_both_ways() {
    let site = TestSite::with_content();
    let mut c = site.client().await;
    for q in [
        "cai cach hanh chinh",
        "cải cách hành chính",
        "CẢI CÁCH HÀNH CHÍNH",
        "dang tai",
        "Đăng tải",
        "ĐĂNG TẢI",
        "Ha Noi",
        "Hà Nội",
        "phuong uyen",
    ] {
        let hits = found(&mut c, &format!("q={}", enc(q))).await;
        assert!(
            hits.contains(&REFERENCE.to_owned()),
            "{q:?} does not find the reference article: {hits:?}"
        );
    }
    // Text typed without accents in an entry is found by a query with them.
    entry(EntryKind::Article, "Thong bao khong dau")
        .body("Lich tiep dan thang muoi")
        .save(&mut site.conn());
    let hits = found(&mut c, &format!("q={}", enc("lịch tiếp dân"))).await;
    assert_eq!(hits, vec!["/articles/thong-bao-khong-dau"]);
}

#[actix_web::test]
async fn phrases_prefixes_and_document_numbers() {
    let site = TestSite::with_content();
    let mut c = site.client().await;
    // A phrase must be adjacent; the same words apart are not enough.
    {
        let conn = &mut site.conn();
        entry(EntryKind::Article, "Một bài")
            .body("Thủ tục một cửa liên thông tại quận.")
            .save(conn);
        entry(EntryKind::Article, "Hai bài")
            .body("Một lần đến cửa hàng, không liên thông.")
            .save(conn);
    }
    let phrase = found(&mut c, &format!("q={}", enc("\"một cửa liên thông\""))).await;
    assert!(
        phrase.contains(&"/articles/mot-bai".to_owned()),
        "{phrase:?}"
    );
    assert!(
        !phrase.contains(&"/articles/hai-bai".to_owned()),
        "{phrase:?}"
    );
    // The last word matches as a prefix while typing.
    let typing = found(&mut c, &format!("q={}", enc("tuyên truy"))).await;
    assert!(typing.contains(&REFERENCE.to_owned()), "{typing:?}");
    // …but not once a space says the word is finished.
    assert!(
        found(&mut c, &format!("q={}", enc("tuyên truy ")))
            .await
            .is_empty()
    );
    // A document number, as typed.
    let doc = found(&mut c, &format!("q={}", enc("171/KH-SVHTT"))).await;
    assert!(doc.contains(&REFERENCE.to_owned()), "{doc:?}");
    assert!(
        found(&mut c, &format!("q={}", enc("172/KH-SVHTT")))
            .await
            .is_empty()
    );
}

#[actix_web::test]
async fn fts_syntax_long_and_empty_queries_never_fail() {
    let site = TestSite::with_content();
    let mut c = site.client().await;
    let long = "cải cách ".repeat(1250);
    assert!(long.chars().count() >= 10_000);
    for q in [
        "\"",
        "*",
        "NEAR",
        "(",
        ":",
        ")",
        "\"\"",
        "a\"b",
        "NEAR(cải cách)",
        "title:cải",
        "-cải",
        "cải OR",
        "AND",
        "^",
        "{title}",
        long.as_str(),
        "",
        "   ",
    ] {
        let page = c.get(&format!("/search?q={}", enc(q))).await;
        assert_eq!(
            page.status,
            StatusCode::OK,
            "{:?}",
            q.chars().take(30).collect::<String>()
        );
        // What was typed goes back into the box, escaped.
        if q.len() < 100 && !q.trim().is_empty() {
            assert_eq!(page.attr("#q", "value").as_deref(), Some(q), "{q:?}");
        }
    }
    let empty = c.get("/search").await;
    assert_eq!(empty.count(".search-results"), 0);
    assert_eq!(empty.count("form.search-form"), 1);
    assert_eq!(
        c.get("/search?q=a&page=x").await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        c.get("/search?q=c%E1%BA%A3i&page=99").await.status,
        StatusCode::NOT_FOUND
    );
}

#[actix_web::test]
async fn only_public_entries_are_found_and_the_index_follows_every_change() {
    let site = TestSite::new();
    site.set_now(common::utc("2025-06-10 00:00:00"));
    let mut c = site.client().await;
    let q = format!("q={}", enc("chuyển đổi số"));
    let mut draft = entry(EntryKind::Article, "Chuyển đổi số ở phường").status(Status::Draft);
    draft.save_ref(&mut site.conn());
    entry(EntryKind::Article, "Chuyển đổi số tương lai")
        .at("2025-12-01 00:00:00")
        .save(&mut site.conn());
    assert!(
        found(&mut c, &q).await.is_empty(),
        "drafts and future entries are never found"
    );

    // Publish: found at once.
    draft.data.status = Status::Published;
    draft.save_ref(&mut site.conn());
    assert_eq!(
        found(&mut c, &q).await,
        vec!["/articles/chuyen-doi-so-o-phuong"]
    );
    // Edit: the new words are found, the old ones are not.
    draft.data.title = "Số hóa hồ sơ ở phường".into();
    draft.data.body_md = "Phường số hóa hồ sơ một cửa.".into();
    draft.data.summary = "Tin phường.".into();
    draft.save_ref(&mut site.conn());
    assert!(found(&mut c, &q).await.is_empty());
    assert_eq!(
        found(&mut c, &format!("q={}", enc("số hóa hồ sơ"))).await,
        vec!["/articles/chuyen-doi-so-o-phuong"]
    );
    // As a phrase too (on PostgreSQL, through the word pairs).
    let phrase = enc("\"hóa hồ sơ\"");
    assert_eq!(
        found(&mut c, &format!("q={phrase}")).await,
        vec!["/articles/chuyen-doi-so-o-phuong"]
    );
    // Another kind and category: the filters follow.
    let moved = category(&mut site.conn(), "so-hoa", "Số hóa");
    draft.data.kind = EntryKind::Leaflet;
    draft.data.category_id = Some(moved);
    draft.save_ref(&mut site.conn());
    let hoso = enc("số hóa hồ sơ");
    assert_eq!(
        found(&mut c, &format!("q={hoso}&kind=leaflet&category=so-hoa")).await,
        vec!["/leaflets/chuyen-doi-so-o-phuong"]
    );
    assert!(
        found(&mut c, &format!("q={hoso}&kind=article"))
            .await
            .is_empty()
    );
    // Unpublish: gone.
    draft.data.status = Status::Archived;
    draft.save_ref(&mut site.conn());
    assert!(
        found(&mut c, &format!("q={}", enc("số hóa hồ sơ")))
            .await
            .is_empty()
    );
    assert!(found(&mut c, &format!("q={phrase}")).await.is_empty());
    // The future entry appears when its time comes.
    site.set_now(common::utc("2025-12-01 00:00:00"));
    assert_eq!(
        found(&mut c, &q).await,
        vec!["/articles/chuyen-doi-so-tuong-lai"]
    );
    // Delete: gone.
    let future = format!("q={}", enc("\"đổi số tương lai\""));
    assert_eq!(
        found(&mut c, &future).await,
        vec!["/articles/chuyen-doi-so-tuong-lai"]
    );
    diesel::delete(loa::storage::schema::entries::table)
        .execute(&mut *site.conn())
        .unwrap();
    assert!(found(&mut c, &q).await.is_empty());
    assert!(found(&mut c, &future).await.is_empty());
}

#[actix_web::test]
async fn snippets_keep_the_original_vietnamese_and_mark_matches() {
    let site = TestSite::with_content();
    let mut c = site.client().await;
    let page = c.get(&format!("/search?q={}", enc("dang tai"))).await;
    let marks = page.texts(".search-results mark");
    assert!(
        marks.contains(&"Đăng".to_owned()) && marks.contains(&"tải".to_owned()),
        "{marks:?}"
    );
    let page = c
        .get(&format!("/search?q={}", enc("thu tuc hanh chinh")))
        .await;
    let marks = page.texts(".search-results .card-summary mark");
    for word in ["thủ", "tục", "hành", "chính"] {
        assert!(
            marks.contains(&word.to_owned()),
            "{word} not marked in {marks:?}"
        );
    }
    assert!(
        !page.text(".search-results").contains("thu tuc"),
        "no folded text is shown"
    );
}

#[actix_web::test]
async fn title_matches_rank_first_then_newest_and_filters_narrow() {
    let site = TestSite::new();
    {
        let conn = &mut site.conn();
        let a = category(conn, "a", "Chuyên mục A");
        let b = category(conn, "b", "Chuyên mục B");
        entry(EntryKind::Article, "Tin cũ")
            .body("Nói về dịch vụ công trực tuyến.")
            .at("2025-01-01 00:00:00")
            .category(a)
            .save(conn);
        entry(EntryKind::Article, "Tin mới")
            .body("Cũng nói về dịch vụ công.")
            .at("2025-05-01 00:00:00")
            .category(b)
            .save(conn);
        entry(EntryKind::Leaflet, "Dịch vụ công trực tuyến")
            .at("2024-01-01 00:00:00")
            .category(a)
            .save(conn);
    }
    let mut c = site.client().await;
    let q = enc("dich vu cong");
    assert_eq!(
        found(&mut c, &format!("q={q}")).await,
        vec![
            "/leaflets/dich-vu-cong-truc-tuyen",
            "/articles/tin-moi",
            "/articles/tin-cu"
        ]
    );
    assert_eq!(
        found(&mut c, &format!("q={q}&kind=article")).await,
        vec!["/articles/tin-moi", "/articles/tin-cu"]
    );
    assert_eq!(
        found(&mut c, &format!("q={q}&category=a&kind=article")).await,
        vec!["/articles/tin-cu"]
    );
    // Filters that name nothing known are ignored rather than refused.
    assert_eq!(
        found(&mut c, &format!("q={q}&kind=poem&category=zzz"))
            .await
            .len(),
        3
    );
    let page = c.get(&format!("/search?q={q}&kind=leaflet")).await;
    assert_eq!(
        page.attr("#kind option[selected]", "value").as_deref(),
        Some("leaflet")
    );
    assert!(page.text("#results-title").contains("Tìm thấy 1 kết quả"));
}

#[actix_web::test]
async fn results_paginate_keeping_the_query() {
    let site = TestSite::new();
    {
        let conn = &mut site.conn();
        for i in 1..=12 {
            entry(EntryKind::Article, &format!("Văn hóa giao tiếp {i:02}"))
                .at(&format!("2025-03-{i:02} 00:00:00"))
                .save(conn);
        }
    }
    let mut c = site.client().await;
    let p1 = c.get(&format!("/search?q={}", enc("văn hóa"))).await;
    assert_eq!(p1.texts(".search-results .card-title").len(), 10);
    let next = p1.attr("a[rel=next]", "href").unwrap();
    assert_eq!(next, "/search?q=v%C4%83n+h%C3%B3a&page=2");
    let p2 = c.get(&next).await;
    assert_eq!(p2.texts(".search-results .card-title").len(), 2);
}

#[test]
fn reindex_rebuilds_the_index() {
    let site = TestSite::with_content();
    let conn = &mut site.conn();
    diesel::sql_query("DELETE FROM search_index")
        .execute(conn)
        .unwrap();
    // A row no entry accounts for (left by an older version): the rebuild
    // clears it. (PostgreSQL's index rows reference their entry: none can
    // be left over, so the stand-in there is a row for an entry's id with
    // a word the entry does not hold.)
    let (insert, stale_sql) = if common::on_postgres() {
        (
            "INSERT INTO search_index (id, doc, pairs, kind, public_at) \
             SELECT min(id), to_tsvector('simple', 'zzyzx'), '', 'article', '2000-01-01' \
             FROM entries ON CONFLICT (id) DO UPDATE SET doc = EXCLUDED.doc",
            "SELECT id AS n FROM search_index WHERE doc @@ to_tsquery('simple', 'zzyzx')",
        )
    } else {
        (
            "INSERT INTO search_index (rowid, title) VALUES (99999, 'zzyzx')",
            "SELECT rowid AS n FROM search_index WHERE search_index MATCH 'zzyzx'",
        )
    };
    diesel::sql_query(insert).execute(conn).unwrap();
    let stale = || diesel::sql_query(stale_sql);
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Integer)]
        #[allow(dead_code)]
        n: i32,
    }
    assert_eq!(stale().load::<Row>(conn).unwrap().len(), 1);
    let mut calls = 0;
    let n = loa::service::search::reindex_all(conn, |_, _| calls += 1).unwrap();
    assert_eq!(n, 5);
    assert!(calls >= 1);
    assert!(loa::service::search::is_current(conn).unwrap());
    assert_eq!(stale().load::<Row>(conn).unwrap().len(), 0);
    let (hits, total) = loa::storage::search::search(
        conn,
        &loa::domain::search::Query::parse("cải cách"),
        Default::default(),
        site.now(),
        0,
        10,
    )
    .unwrap();
    assert_eq!(total, 5);
    assert_eq!(hits.len(), 5);
}

/// A second server started on a database whose index is being rebuilt
/// serves at once instead of rebuilding it again; a rebuild that stopped
/// sending batches (its server died) is taken over.
#[test]
fn a_running_rebuild_is_left_alone_and_a_dead_one_taken_over() {
    use loa::service::search::{REBUILD_KEY, Reindex, reindex_unless_running};
    use loa::storage::settings;
    let site = TestSite::with_content();
    let conn = &mut site.conn();
    let now = chrono::Utc::now().timestamp();
    diesel::sql_query("DELETE FROM search_index")
        .execute(conn)
        .unwrap();
    let found = |conn: &mut Db| {
        loa::storage::search::search(
            conn,
            &loa::domain::search::Query::parse("cải cách"),
            Default::default(),
            site.now(),
            0,
            10,
        )
        .unwrap()
        .1
    };

    settings::set(conn, REBUILD_KEY, &(now - 5).to_string()).unwrap();
    let r = reindex_unless_running(conn, true, |_, _| {}).unwrap();
    assert_eq!(r, Reindex::Elsewhere(now - 5));
    assert_eq!(found(conn), 0, "the index was left to the other server");

    settings::set(conn, REBUILD_KEY, &(now - 3600).to_string()).unwrap();
    let r = reindex_unless_running(conn, true, |_, _| {}).unwrap();
    assert_eq!(r, Reindex::Done(5));
    assert_eq!(found(conn), 5);
    // Finished, the rebuild no longer counts as running, and a server
    // that waited for it finds the index current: nothing to do.
    assert_eq!(settings::get(conn, REBUILD_KEY).unwrap(), None);
    assert!(loa::service::search::is_current(conn).unwrap());
    let r = reindex_unless_running(conn, false, |_, _| {}).unwrap();
    assert_eq!(r, Reindex::Current);
    assert_eq!(found(conn), 5);
}

/// A query with no word in it (a quote, a star, an emoji) answers that
/// nothing was found and says why; a query longer than the box allows is
/// cut to its 256 characters.
#[actix_web::test]
async fn queries_without_words_or_too_long_still_get_an_answer() {
    let site = TestSite::with_content();
    let mut c = site.client().await;
    for q in ["\"", "*", "(", "%", "😀"] {
        let page = c.get(&format!("/search?q={}", enc(q))).await;
        assert_eq!(page.status, StatusCode::OK, "{q}");
        assert_eq!(page.text("#results-title"), msg("search_none"), "{q}");
        assert!(
            page.text(".search-results")
                .contains(&msg("search_no_words")),
            "{q}"
        );
    }
    let long = "cải cách ".repeat(100);
    let page = c.get(&format!("/search?q={}", enc(&long))).await;
    assert_eq!(page.status, StatusCode::OK);
    let kept = page.attr("#q", "value").unwrap();
    assert_eq!(kept.chars().count(), 256);
    assert!(long.starts_with(&kept));
}

/// Search ranks at most `RANKED` matches (the newest). A query with fewer
/// matches finds exactly what ranking every match finds, in the same
/// order: title matches first, then bm25, then the newest.
#[test]
fn ranking_the_candidates_finds_what_ranking_everything_finds() {
    use loa::storage::search::{RANKED, SearchFilter, search};
    if common::on_postgres() {
        // The reference ranking below is FTS5's bm25, written in SQL.
        eprintln!("SQLite only: skipped on PostgreSQL");
        return;
    }
    let site = TestSite::new();
    let conn = &mut site.conn();
    loa::content::corpus::generate(conn, 1500, 7, |_| {}).unwrap();
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Integer)]
        id: i32,
    }
    // The ranking before candidates: every match, ranked in SQL.
    let everything = |conn: &mut Db, fts: &str, kind: Option<&str>| {
        diesel::sql_query(
            "SELECT s.rowid AS id FROM search_index s CROSS JOIN entries e ON e.id = s.rowid \
             WHERE search_index MATCH ?1 AND e.public_at <= ?2 AND (?4 = '' OR e.kind = ?4) \
             ORDER BY (s.rowid IN (SELECT rowid FROM search_index WHERE search_index MATCH ?3)) DESC, \
                      bm25(search_index, 10.0, 4.0, 1.0, 2.0, 3.0, 2.0), e.public_at DESC, e.id DESC",
        )
        .bind::<diesel::sql_types::Text, _>(fts)
        .bind::<diesel::sql_types::Timestamp, _>(site.now())
        .bind::<diesel::sql_types::Text, _>(format!("{{title}} : ({fts})"))
        .bind::<diesel::sql_types::Text, _>(kind.unwrap_or(""))
        .load::<Row>(conn)
        .unwrap()
        .into_iter()
        .map(|r| r.id)
        .collect::<Vec<_>>()
    };
    let mut compared = 0;
    for (q, kind) in [
        ("thu tuc", None),
        ("sipas", None),
        ("dang tai", None),
        ("cai cach", Some(EntryKind::Leaflet)),
        ("171/KH-SVHTT", None),
        ("\"hanh chinh\" ha", None),
    ] {
        let query = loa::domain::search::Query::parse(q);
        let fts = query.fts();
        let expected = everything(conn, &fts, kind.map(|k| k.as_str()));
        let filter = SearchFilter {
            kind,
            ..SearchFilter::default()
        };
        let (hits, total) = search(conn, &query, filter, site.now(), 0, RANKED).unwrap();
        if expected.len() as i64 > RANKED {
            assert_eq!(total, RANKED + 1, "{q}");
            continue;
        }
        let ids: Vec<i32> = hits.iter().map(|h| h.card.id).collect();
        assert_eq!(total, expected.len() as i64, "{q}");
        assert_eq!(ids, expected, "{q}");
        // A page from the middle is the same slice.
        let (page, _) = search(conn, &query, filter, site.now(), 10, 10).unwrap();
        let ids: Vec<i32> = page.iter().map(|h| h.card.id).collect();
        assert_eq!(
            ids,
            expected
                .iter()
                .skip(10)
                .take(10)
                .copied()
                .collect::<Vec<_>>()
        );
        compared += 1;
    }
    assert!(compared >= 4, "most queries have fewer matches than RANKED");
}

/// A query matching more than `RANKED` entries says "more than 1.000"
/// rather than a count it did not make, and pages through the ranked
/// ones; its title matches still come first.
#[actix_web::test]
async fn broad_queries_say_more_than_a_thousand() {
    let site = TestSite::new();
    loa::content::corpus::generate(&mut site.conn(), 2000, 7, |_| {}).unwrap();
    let mut c = site.client().await;
    let q = enc("cai cach");
    let p1 = c.get(&format!("/search?q={q}")).await;
    assert_eq!(p1.status, StatusCode::OK);
    assert!(
        p1.text("#results-title").contains(&format!(
            "{} 1.000 {}",
            msg("search_found_more"),
            msg("search_results")
        )),
        "{}",
        p1.text("#results-title")
    );
    assert!(
        p1.text(".search-results")
            .contains(&msg("search_more_hint"))
    );
    let titles = p1.texts(".search-results .card-title");
    assert_eq!(titles.len(), 10);
    // The entries whose title matches lead the page.
    let in_title: Vec<bool> = titles
        .iter()
        .map(|t| {
            let words = loa::domain::search::tokens(&loa::domain::slug::fold(t));
            words.iter().any(|w| w == "cai") && words.iter().any(|w| w.starts_with("cach"))
        })
        .collect();
    assert!(in_title[0], "{titles:?}");
    assert!(in_title.windows(2).all(|w| w[0] || !w[1]), "{titles:?}");
    let last = c.get(&format!("/search?q={q}&page=100")).await;
    assert_eq!(last.texts(".search-results .card-title").len(), 10);
    assert_eq!(last.attr("a[rel=next]", "href"), None);
    assert_eq!(
        c.get(&format!("/search?q={q}&page=101")).await.status,
        StatusCode::NOT_FOUND
    );
}

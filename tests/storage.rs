//! Storage functions on a real SQLite file: visibility in SQL, listings,
//! per-category blocks, revisions, and the pragmas the pool sets.

use crate::common;
use loa::storage::Db;

use common::{TestSite, category, entry, utc};
use diesel::prelude::*;
use diesel::sql_types::{Integer, Text};
use loa::domain::entry::{EntryKind, Status};
use loa::service::entries as save_path;
use loa::storage::entries::{self, Filter};
use loa::storage::{revisions, settings};

#[derive(QueryableByName)]
struct Pragma {
    #[diesel(sql_type = Text)]
    journal_mode: String,
}

#[derive(QueryableByName)]
struct Fk {
    #[diesel(sql_type = Integer)]
    foreign_keys: i32,
}

#[test]
fn the_database_runs_in_wal_with_foreign_keys() {
    if common::sqlite_only("PRAGMA journal_mode") {
        return;
    }
    let site = TestSite::new();
    let conn = &mut site.conn();
    let mode: Pragma = diesel::sql_query("PRAGMA journal_mode")
        .get_result(conn)
        .unwrap();
    assert_eq!(mode.journal_mode, "wal");
    let fk: Fk = diesel::sql_query("PRAGMA foreign_keys")
        .get_result(conn)
        .unwrap();
    assert_eq!(fk.foreign_keys, 1);
}

#[test]
fn public_listings_apply_the_visibility_rule_and_filters() {
    let site = TestSite::new();
    let conn = &mut site.conn();
    let cat = category(conn, "thong-bao", "Thông báo");
    entry(EntryKind::Article, "Công khai")
        .category(cat)
        .tags(&["Dịch vụ công"])
        .save(conn);
    entry(EntryKind::Article, "Nháp")
        .status(Status::Draft)
        .category(cat)
        .save(conn);
    entry(EntryKind::Article, "Hẹn giờ")
        .at("2030-01-01 00:00:00")
        .category(cat)
        .save(conn);
    entry(EntryKind::Leaflet, "Tờ rơi").save(conn);
    let now = utc("2026-01-01 00:00:00");

    let (all, total) = entries::list_public(conn, Filter::default(), now, 0, 10).unwrap();
    assert_eq!(total, 2);
    assert_eq!(
        all.iter().map(|c| c.title.as_str()).collect::<Vec<_>>(),
        ["Tờ rơi", "Công khai"]
    );
    let (in_cat, n) = entries::list_public(
        conn,
        Filter {
            category_id: Some(cat),
            ..Default::default()
        },
        now,
        0,
        10,
    )
    .unwrap();
    assert_eq!(
        (n, in_cat[0].category_name.as_deref()),
        (1, Some("Thông báo"))
    );
    let tag = loa::storage::tags::find_by_slug(conn, "dich-vu-cong")
        .unwrap()
        .unwrap();
    let (tagged, _) = entries::list_public(
        conn,
        Filter {
            tag_id: Some(tag.id),
            ..Default::default()
        },
        now,
        0,
        10,
    )
    .unwrap();
    assert_eq!(tagged.len(), 1);
    let (leaflets, _) = entries::list_public(
        conn,
        Filter {
            kind: Some(EntryKind::Leaflet),
            ..Default::default()
        },
        now,
        0,
        10,
    )
    .unwrap();
    assert_eq!(leaflets[0].kind(), EntryKind::Leaflet);
    assert!(
        entries::find_public(conn, EntryKind::Article, "nhap", now)
            .unwrap()
            .is_none()
    );
    assert!(
        entries::find_public(conn, EntryKind::Article, "hen-gio", now)
            .unwrap()
            .is_none()
    );
    assert!(
        entries::find_public(
            conn,
            EntryKind::Article,
            "hen-gio",
            utc("2030-01-01 00:00:00")
        )
        .unwrap()
        .is_some()
    );
}

#[test]
fn per_category_blocks_take_the_newest_few_of_each() {
    let site = TestSite::new();
    let conn = &mut site.conn();
    let a = category(conn, "a", "A");
    let b = category(conn, "b", "B");
    for i in 1..=6 {
        entry(EntryKind::Article, &format!("A{i}"))
            .category(a)
            .at(&format!("2025-01-0{i} 00:00:00"))
            .save(conn);
    }
    entry(EntryKind::Article, "B1").category(b).save(conn);
    entry(EntryKind::Article, "B nháp")
        .category(b)
        .status(Status::Draft)
        .save(conn);
    let blocks = entries::latest_per_category(conn, utc("2026-01-01 00:00:00"), 4).unwrap();
    let titles: Vec<_> = blocks.iter().map(|c| c.title.as_str()).collect();
    assert_eq!(titles, ["A6", "A5", "A4", "A3", "B1"]);
}

#[test]
fn every_save_that_changes_something_keeps_a_revision() {
    let site = TestSite::new();
    let conn = &mut site.conn();
    let mut b = entry(EntryKind::Article, "Bài viết");
    b.data.body_html = "<p>Một</p>".into();
    let now = utc("2026-01-01 00:00:00");
    let id = save_path::save_by_slug(conn, &b.data, &[], "an", now)
        .unwrap()
        .id();
    assert!(matches!(
        save_path::save_by_slug(conn, &b.data, &[], "an", now).unwrap(),
        save_path::Saved::Unchanged(_)
    ));
    b.data.body_md = "Hai".into();
    assert!(matches!(
        save_path::save_by_slug(conn, &b.data, &["Mới".into()], "binh", now).unwrap(),
        save_path::Saved::Updated(_)
    ));
    let revs = revisions::for_entry(conn, id).unwrap();
    assert_eq!(revs.len(), 2);
    assert_eq!(revs[0].saved_by, "binh", "newest first");
    let snap = save_path::snapshot_of(&revs[0]).unwrap();
    assert_eq!(snap.data.body_md, "Hai");
    assert_eq!(snap.tags, vec!["Mới".to_owned()]);
}

#[test]
fn the_signing_key_is_made_once_and_shared() {
    let site = TestSite::new();
    let conn = &mut site.conn();
    let first = settings::get(conn, settings::SECRET_KEY)
        .unwrap()
        .expect("made at start");
    assert!(first.len() >= 32);
    let again = settings::get_or_init(conn, settings::SECRET_KEY, || "other".into()).unwrap();
    assert_eq!(again, first);
}

#[test]
fn related_entries_share_the_category_or_a_tag() {
    let site = TestSite::new();
    let conn = &mut site.conn();
    let a = category(conn, "a", "A");
    let b = category(conn, "b", "B");
    let (me, _) = entry(EntryKind::Article, "Bài gốc")
        .category(a)
        .tags(&["Số hóa"])
        .save(conn);
    entry(EntryKind::Article, "Cùng chuyên mục")
        .category(a)
        .at("2025-01-01 00:00:00")
        .save(conn);
    entry(EntryKind::Leaflet, "Cùng từ khóa")
        .category(b)
        .tags(&["Số hóa"])
        .at("2025-02-01 00:00:00")
        .save(conn);
    entry(EntryKind::Article, "Không liên quan")
        .category(b)
        .tags(&["Khác"])
        .save(conn);
    entry(EntryKind::Article, "Nháp cùng chuyên mục")
        .category(a)
        .status(Status::Draft)
        .save(conn);
    let tags: Vec<i32> = loa::storage::tags::for_entry(conn, me)
        .unwrap()
        .iter()
        .map(|t| t.id)
        .collect();
    let related =
        entries::related_public(conn, me, Some(a), &tags, utc("2026-01-01 00:00:00"), 5).unwrap();
    let titles: Vec<_> = related.iter().map(|c| c.title.as_str()).collect();
    assert_eq!(titles, ["Cùng từ khóa", "Cùng chuyên mục"]);
}

#[test]
fn the_benchmark_corpus_generates_searchable_public_entries() {
    let site = TestSite::new();
    let conn = &mut site.conn();
    let mut calls = 0;
    loa::content::corpus::generate(conn, 120, 7, |_| calls += 1).unwrap();
    assert_eq!(calls, 1);
    assert_eq!(entries::count_all(conn).unwrap(), 120);
    let now = utc("2030-01-01 00:00:00");
    assert_eq!(entries::count_public(conn, now).unwrap(), 120);
    let q = loa::domain::search::Query::parse("hanh chinh");
    let (_, total) =
        loa::storage::search::search(conn, &q, Default::default(), now, 0, 10).unwrap();
    assert!(total > 10, "{total}");
}

/// No full scans, and no sorting: the indexes on `public_at` (and on
/// `entry_tags (tag_id, public_at, entry_id)` for tag pages) give rows
/// already in date order.
#[test]
fn public_listings_use_indexes_not_full_scans() {
    if common::sqlite_only("EXPLAIN QUERY PLAN") {
        return;
    }
    let site = TestSite::new();
    let conn = &mut site.conn();
    let cat = category(conn, "a", "A");
    entry(EntryKind::Article, "Có từ khóa")
        .category(cat)
        .tags(&["Số hóa"])
        .save(conn);
    let tag = loa::storage::tags::find_by_slug(conn, "so-hoa")
        .unwrap()
        .unwrap();
    let now = utc("2026-01-01 00:00:00");
    for (what, filter) in [
        ("all", Filter::default()),
        (
            "kind",
            Filter {
                kind: Some(EntryKind::Article),
                ..Default::default()
            },
        ),
        (
            "bulletins",
            Filter {
                kind: Some(EntryKind::Bulletin),
                ..Default::default()
            },
        ),
        (
            "category",
            Filter {
                category_id: Some(cat),
                ..Default::default()
            },
        ),
        (
            "tag",
            Filter {
                tag_id: Some(tag.id),
                ..Default::default()
            },
        ),
        (
            "featured",
            Filter {
                featured: true,
                ..Default::default()
            },
        ),
    ] {
        let plan = entries::explain_listing(conn, filter, now).unwrap();
        assert!(!plan.is_empty(), "{what}: no plan");
        for step in &plan {
            // A scan of entries would read every row as the site grows.
            assert!(
                !step.starts_with("SCAN entries") || step.contains("USING"),
                "{what}: full scan in {plan:?}"
            );
        }
        assert!(
            plan.iter().any(|s| s.contains("USING INDEX")
                || s.contains("USING COVERING INDEX")
                || s.contains("PRIMARY KEY")),
            "{what}: {plan:?}"
        );
        // Bulletins are listed by year and number: a sort, of a handful of
        // issues a year.
        assert!(
            what == "bulletins" || !plan.iter().any(|s| s.contains("TEMP B-TREE")),
            "{what}: sorts rows: {plan:?}"
        );
    }
}

/// Pages read from the key of their first entry (keyset) hold exactly
/// what an offset would give: every entry once, in order, ties on the
/// publish time broken by id, on plain and tag listings alike.
#[test]
fn deep_pages_follow_one_another_without_gaps_or_repeats() {
    let site = TestSite::new();
    let conn = &mut site.conn();
    let mut expected = Vec::new();
    for i in 0..23 {
        // Groups of three share a publish time.
        let at = format!("2025-03-{:02} 08:00:00", 1 + i / 3);
        let (id, _) = entry(EntryKind::Article, &format!("Tin số {i}"))
            .tags(&["Số hóa"])
            .at(&at)
            .save(conn);
        expected.push((at, id));
    }
    expected.sort_by(|a, b| b.cmp(a));
    let expected: Vec<i32> = expected.into_iter().map(|(_, id)| id).collect();
    let tag = loa::storage::tags::find_by_slug(conn, "so-hoa")
        .unwrap()
        .unwrap();
    let now = utc("2026-01-01 00:00:00");
    for filter in [
        Filter::default(),
        Filter {
            tag_id: Some(tag.id),
            ..Default::default()
        },
    ] {
        let mut seen = Vec::new();
        for offset in [0, 10, 20, 30] {
            let (page, total) = entries::list_public(conn, filter, now, offset, 10).unwrap();
            assert_eq!(total, 23);
            seen.extend(page.iter().map(|c| c.id));
        }
        assert_eq!(seen, expected, "{filter:?}");
        // Started from anchors every 4 entries: the same pages.
        let anchors = entries::listing_anchors(conn, filter, now, 4).unwrap();
        assert_eq!(anchors.len(), 6);
        for offset in 0..23 {
            let (page, _) =
                entries::list_public_from(conn, filter, now, offset, 3, Some((&anchors, 4)))
                    .unwrap();
            let ids: Vec<i32> = page.iter().map(|c| c.id).collect();
            let end = (offset as usize + 3).min(23);
            assert_eq!(
                ids,
                expected[offset as usize..end],
                "{filter:?} at {offset}"
            );
        }
    }
}

/// The kept counts (migration 10) agree with the entries a listing really
/// holds through publishing, scheduling, moving between categories,
/// retagging, unpublishing and deleting.
#[test]
fn listing_counts_follow_every_change() {
    let site = TestSite::new();
    let conn = &mut site.conn();
    let a = category(conn, "a", "A");
    let b = category(conn, "b", "B");
    let now = utc("2026-01-01 00:00:00");
    let check = |conn: &mut Db, when: &str| {
        let tags: Vec<i32> = ["so-hoa", "mot-cua"]
            .iter()
            .filter_map(|s| loa::storage::tags::find_by_slug(conn, s).unwrap())
            .map(|t| t.id)
            .collect();
        let mut filters = vec![
            Filter::default(),
            Filter {
                featured: true,
                ..Default::default()
            },
        ];
        for kind in [EntryKind::Article, EntryKind::Leaflet] {
            filters.push(Filter {
                kind: Some(kind),
                ..Default::default()
            });
        }
        for cat in [a, b] {
            filters.push(Filter {
                category_id: Some(cat),
                ..Default::default()
            });
        }
        for tag in tags {
            filters.push(Filter {
                tag_id: Some(tag),
                ..Default::default()
            });
        }
        for filter in filters {
            let (cards, total) = entries::list_public(conn, filter, now, 0, 1000).unwrap();
            assert_eq!(total, cards.len() as i64, "{when}: {filter:?}");
        }
    };
    let mut one = entry(EntryKind::Article, "Một")
        .category(a)
        .tags(&["Số hóa"]);
    one.data.featured = true;
    let (one_id, _) = one.save_ref(conn);
    entry(EntryKind::Leaflet, "Hai")
        .category(b)
        .tags(&["Số hóa", "Một cửa"])
        .save(conn);
    entry(EntryKind::Article, "Sau này")
        .category(a)
        .tags(&["Một cửa"])
        .at("2026-06-01 00:00:00")
        .save(conn);
    entry(EntryKind::Article, "Nháp")
        .category(a)
        .status(Status::Draft)
        .save(conn);
    check(conn, "created");
    one.data.category_id = Some(b);
    one.tags = vec!["Một cửa".into()];
    one.save_ref(conn);
    check(conn, "moved and retagged");
    one.data.status = Status::Draft;
    one.save_ref(conn);
    check(conn, "unpublished");
    one.data.status = Status::Published;
    one.save_ref(conn);
    entries::delete(conn, one_id).unwrap();
    check(conn, "deleted");
}

/// Forgetting expired addresses runs at every comment posted: it reads
/// only the comments that still hold an address.
#[test]
fn forgetting_addresses_reads_only_comments_that_hold_one() {
    if common::sqlite_only("EXPLAIN QUERY PLAN") {
        return;
    }
    let site = TestSite::new();
    let conn = &mut site.conn();
    let plan = entries::explain(
        conn,
        "UPDATE comments SET ip = NULL WHERE created_at < '2026-01-01 00:00:00' AND ip IS NOT NULL",
    )
    .unwrap();
    assert!(
        plan.iter().any(|s| s.contains("comments_with_ip")),
        "{plan:?}"
    );
}

/// A save through the one save path, by "an" at a fixed time.
fn save_new<'a>(
    data: loa::storage::entries::EntryData,
    tags: &'a [String],
    items: Option<&'a [i32]>,
) -> save_path::Save<'a> {
    save_path::Save {
        data,
        tags,
        items,
        by: save_path::Saver {
            name: "an",
            now: utc("2026-01-01 00:00:00"),
        },
    }
}

/// A bulletin's items are written in its save's transaction: a save that
/// fails half-way (an item deleted while the editor typed) leaves the
/// bulletin and its items as they were.
#[test]
fn a_bulletin_save_that_fails_midway_leaves_its_items_in_place() {
    let site = TestSite::new();
    let conn = &mut site.conn();
    let (a, _) = entry(EntryKind::Article, "Bài một").save(conn);
    let (b, _) = entry(EntryKind::Article, "Bài hai").save(conn);
    let mut issue = entry(EntryKind::Bulletin, "Bản tin văn hóa số 12");
    issue.data.bulletin_series = Some("Bản tin văn hóa".into());
    issue.data.bulletin_number = Some(12);
    issue.data.bulletin_year = Some(2026);
    let id = save_path::save(
        conn,
        save_path::Target::New { author_id: None },
        save_new(issue.data.clone(), &[], Some(&[a, b])),
    )
    .unwrap()
    .id();
    assert_eq!(
        entries::bulletin_item_slugs(conn, id).unwrap(),
        ["bai-mot", "bai-hai"]
    );
    let mut changed = issue.data.clone();
    changed.title = "Bản tin văn hóa số 12 (sửa)".into();
    let gone = b + 1000;
    let failed = save_path::save(
        conn,
        save_path::Target::Existing { id, version: 1 },
        save_new(changed, &[], Some(&[b, gone])),
    );
    assert!(
        matches!(failed, Err(save_path::SaveError::Db(_))),
        "{failed:?}"
    );
    assert_eq!(
        entries::bulletin_item_slugs(conn, id).unwrap(),
        ["bai-mot", "bai-hai"],
        "the previous items stay"
    );
    let now = entries::find(conn, id).unwrap();
    assert_eq!(
        now.title, "Bản tin văn hóa số 12",
        "nor is the rest written"
    );
    assert_eq!(now.version, 1);
    assert_eq!(revisions::for_entry(conn, id).unwrap().len(), 1);
}

/// Two people saving entries with one slug at once: the second save is
/// told that the slug is taken (at the slug field), not that a bulletin
/// number is, and nothing of it is written.
#[test]
fn a_slug_taken_meanwhile_is_a_slug_clash() {
    let site = TestSite::new();
    let conn = &mut site.conn();
    entry(EntryKind::Article, "Cải cách hành chính").save(conn);
    let mut second = entry(EntryKind::Leaflet, "Cải cách hành chính");
    second.data.leaflet_format = Some("trifold".into());
    let before = entries::count_all(conn).unwrap();
    let r = save_path::save(
        conn,
        save_path::Target::New { author_id: None },
        save_new(second.data, &[], None),
    );
    assert!(
        matches!(r, Err(save_path::SaveError::Clash(entries::Clash::Slug))),
        "{r:?}"
    );
    assert_eq!(entries::count_all(conn).unwrap(), before);
    let mut issue = entry(EntryKind::Bulletin, "Bản tin số 1");
    issue.data.bulletin_series = Some("Bản tin".into());
    issue.data.bulletin_number = Some(1);
    issue.data.bulletin_year = Some(2026);
    issue.save_ref(conn);
    issue.data.slug = "ban-tin-so-1-ban-sao".into();
    let r = save_path::save(
        conn,
        save_path::Target::New { author_id: None },
        save_new(issue.data, &[], None),
    );
    assert!(
        matches!(
            r,
            Err(save_path::SaveError::Clash(entries::Clash::BulletinNumber))
        ),
        "{r:?}"
    );
}

/// Renaming a tag or a category re-derives its entries' search rows
/// through the save path, in the same transaction.
#[test]
fn renamed_tags_and_categories_are_found_by_their_new_names() {
    let site = TestSite::new();
    let conn = &mut site.conn();
    let cat = category(conn, "tin-nganh", "Tin ngành");
    let (id, _) = entry(EntryKind::Article, "Hội nghị")
        .category(cat)
        .tags(&["Chuyển đổi"])
        .save(conn);
    let found = |conn: &mut Db, q: &str| {
        loa::storage::search::search(
            conn,
            &loa::domain::search::Query::parse(q),
            Default::default(),
            utc("2026-01-01 00:00:00"),
            0,
            10,
        )
        .unwrap()
        .0
        .iter()
        .map(|h| h.card.id)
        .collect::<Vec<_>>()
    };
    assert!(found(conn, "thong tin dien tu").is_empty());
    let tag = loa::storage::tags::for_entry(conn, id).unwrap()[0].id;
    loa::service::taxonomy::rename_tag(conn, tag, "Thông tin điện tử").unwrap();
    assert_eq!(found(conn, "thong tin dien tu"), [id]);
    let data = loa::storage::categories::CategoryData {
        slug: "tin-nganh".into(),
        name: "Văn hóa cơ sở".into(),
        description: String::new(),
        position: 1,
    };
    loa::service::taxonomy::update_category(conn, cat, &data).unwrap();
    assert_eq!(found(conn, "van hoa co so"), [id]);
    loa::service::taxonomy::delete_tag(conn, tag).unwrap();
    assert!(found(conn, "thong tin dien tu").is_empty());
}

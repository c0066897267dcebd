//! Content import and export: idempotent by slug, round-tripping, clear
//! refusals of bad files, and the `loa` command line that drives them.

use crate::common;

use std::path::Path;
use std::process::Command;

use common::{TestSite, repo};
use loa::storage::{entries, revisions, tags};

/// Every entry with its tags and bulletin items, in a comparable form.
fn snapshot(site: &TestSite) -> Vec<(entries::EntryData, Vec<String>, Vec<String>)> {
    let conn = &mut site.conn();
    let mut all: Vec<_> = entries::all(conn)
        .unwrap()
        .into_iter()
        .map(|e| {
            let tags = tags::names_for_entry(conn, e.id).unwrap();
            let items = entries::bulletin_item_slugs(conn, e.id).unwrap();
            let mut data = e.data();
            // Category ids differ between databases; compare by slug.
            data.category_id = data
                .category_id
                .map(|id| loa::storage::categories::find(conn, id).unwrap().slug.len() as i32);
            (data, tags, items)
        })
        .collect();
    all.sort_by(|a, b| a.0.slug.cmp(&b.0.slug));
    all
}

#[test]
fn seed_content_imports_every_kind() {
    let site = TestSite::with_content();
    let conn = &mut site.conn();
    let all = entries::all(conn).unwrap();
    let kinds: Vec<_> = all.iter().map(|e| e.kind.as_str()).collect();
    for kind in ["article", "bulletin", "leaflet"] {
        assert!(kinds.contains(&kind), "no {kind} in {kinds:?}");
    }
    let reference = entries::find_by_slug(
        conn,
        "so-vhtt-ha-noi-tang-cuong-thong-tin-tuyen-truyen-ve-cai-cach-hanh-chinh",
    )
    .unwrap()
    .unwrap();
    assert_eq!(reference.byline, "Phương Uyên");
    assert!(
        reference
            .body_html
            .starts_with("<p>Các hoạt động được triển khai"),
        "rendered at import"
    );
    let image = reference.image_path.expect("featured image");
    assert!(
        site.state.config.uploads.join(&image).is_file(),
        "image copied into uploads"
    );
    assert_eq!(revisions::for_entry(conn, reference.id).unwrap().len(), 1);
}

/// The one test that reads the shipped `content/` (every other test uses
/// the fixture site, so editing `content/` breaks no count): it imports
/// cleanly, every kind in it, and a second import changes nothing.
#[test]
fn the_shipped_content_imports_cleanly() {
    let site = TestSite::new();
    let report = site.import(&repo().join("content"));
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    assert!(report.created > 0, "{report:?}");
    assert!(report.pages >= 3, "the department's pages: {report:?}");
    let again = site.import(&repo().join("content"));
    assert!(again.failed.is_empty(), "{:?}", again.failed);
    assert_eq!(
        (again.created, again.updated, again.pages),
        (0, 0, 0),
        "{again:?}"
    );
}

#[test]
fn importing_the_same_files_again_changes_nothing() {
    let site = TestSite::with_content();
    let before = snapshot(&site);
    let report = site.import(&common::site_dir());
    assert_eq!((report.created, report.updated), (0, 0));
    assert_eq!(report.unchanged, before.len());
    assert_eq!(snapshot(&site), before);
    // No new revision for an unchanged save.
    let conn = &mut site.conn();
    for e in entries::all(conn).unwrap() {
        assert_eq!(
            revisions::for_entry(conn, e.id).unwrap().len(),
            1,
            "{}",
            e.slug
        );
    }
}

#[test]
fn a_changed_file_updates_its_entry_and_keeps_a_revision() {
    let site = TestSite::new();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("articles/thong-bao.md");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    let write = |title: &str| {
        std::fs::write(&file, format!("+++\ntitle = \"{title}\"\nstatus = \"published\"\npublished_at = 2025-01-02T08:00:00+07:00\n+++\nNội dung.\n")).unwrap()
    };
    write("Thông báo lịch tiếp dân");
    assert_eq!(site.import(dir.path()).created, 1);
    let slug = "thong-bao-lich-tiep-dan";
    write("Thông báo lịch tiếp dân");
    assert_eq!(site.import(dir.path()).unchanged, 1);
    // The slug comes from the title, so a new title is a new entry; give it
    // the old slug to update in place.
    std::fs::write(&file, format!("+++\ntitle = \"Thông báo lịch tiếp công dân\"\nslug = \"{slug}\"\nstatus = \"published\"\npublished_at = 2025-01-03\n+++\nNội dung mới.\n")).unwrap();
    let report = site.import(dir.path());
    assert_eq!(report.updated, 1, "{report:?}");
    let conn = &mut site.conn();
    let e = entries::find_by_slug(conn, slug).unwrap().unwrap();
    assert_eq!(e.title, "Thông báo lịch tiếp công dân");
    assert_eq!(e.body_html, "<p>Nội dung mới.</p>\n");
    assert_eq!(revisions::for_entry(conn, e.id).unwrap().len(), 2);
}

#[test]
fn bad_files_are_reported_by_name_and_the_rest_imported() {
    let site = TestSite::new();
    let dir = tempfile::tempdir().unwrap();
    let w = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    w("articles/ok.md", "+++\ntitle = \"Bài tốt\"\n+++\nA\n");
    w("articles/no-front.md", "# Không có front matter\n");
    w(
        "articles/bad-key.md",
        "+++\ntitle = \"x\"\ncolour = \"đỏ\"\n+++\n",
    );
    w(
        "articles/bad-slug.md",
        "+++\ntitle = \"x\"\nslug = \"../../etc\"\n+++\n",
    );
    w(
        "articles/bad-category.md",
        "+++\ntitle = \"x\"\ncategory = \"khong-co\"\n+++\n",
    );
    w(
        "articles/missing-image.md",
        "+++\ntitle = \"y\"\n[image]\nsrc = \"nope.jpg\"\n+++\n",
    );
    w("notes/what.md", "+++\ntitle = \"Không rõ loại\"\n+++\n");
    let report = site.import(dir.path());
    assert_eq!(report.created, 1);
    let failed: Vec<String> = report
        .failed
        .iter()
        .map(|(p, why)| format!("{}: {why}", p.file_name().unwrap().to_string_lossy()))
        .collect();
    assert_eq!(failed.len(), 6, "{failed:#?}");
    for expected in [
        "no-front.md",
        "colour",
        "bad-slug.md",
        "khong-co",
        "nope.jpg",
        "what.md: no `kind`",
    ] {
        assert!(
            failed.iter().any(|f| f.contains(expected)),
            "{expected} not in {failed:#?}"
        );
    }
}

#[test]
fn export_then_import_gives_the_same_entries() {
    let site = TestSite::with_content();
    let out = tempfile::tempdir().unwrap();
    let n = loa::content::export::export_dir(
        &mut site.conn(),
        out.path(),
        &site.state.uploads,
        site.state.config.tz(),
        false,
    )
    .unwrap();
    assert_eq!(n, snapshot(&site).len());
    assert!(out.path().join("site.toml").is_file());
    assert!(out.path().join("categories.toml").is_file());

    let copy = TestSite::new();
    let report = copy.import(out.path());
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    assert_eq!(snapshot(&copy), snapshot(&site));
    // And importing the export into the original changes nothing.
    let again = site.import(out.path());
    assert_eq!(again.unchanged, n, "{again:?}");
}

fn loa(db: &Path, uploads: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_loa"))
        .args(["--database", db.to_str().unwrap()])
        .args(args)
        .env("LOA_UPLOADS", uploads)
        .env("RUST_LOG", "warn")
        .current_dir(repo())
        .output()
        .expect("run loa")
}

#[test]
fn the_command_line_migrates_imports_and_exports() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sub/loa.db");
    let uploads = dir.path().join("uploads");

    let help = Command::new(env!("CARGO_BIN_EXE_loa"))
        .arg("--help")
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    for cmd in [
        "serve",
        "migrate",
        "import",
        "export",
        "--database",
        "--config",
    ] {
        assert!(help.contains(cmd), "--help lacks {cmd}");
    }

    let out = loa(&db, &uploads, &["migrate"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(db.is_file(), "migrate creates the database and its folder");

    let out = loa(&db, &uploads, &["import", "tests/fixtures/site"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("5 created"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let again = loa(&db, &uploads, &["import", "tests/fixtures/site"]);
    assert!(String::from_utf8_lossy(&again.stdout).contains("0 created, 0 updated, 5 unchanged"));

    let export = dir.path().join("export");
    let out = loa(&db, &uploads, &["export", export.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(export.join("articles/so-vhtt-ha-noi-tang-cuong-thong-tin-tuyen-truyen-ve-cai-cach-hanh-chinh.md").is_file());
    assert!(
        export
            .join("leaflets/chi-tieu-cai-cach-hanh-chinh-2022-to-gap.md")
            .is_file()
    );

    let bad = loa(&db, &uploads, &["import", "no-such-folder"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("no-such-folder is not a folder"));

    let bad_config = Command::new(env!("CARGO_BIN_EXE_loa"))
        .args(["migrate"])
        .env("LOA_TIMEZONE", "Mars/Olympus")
        .env("LOA_DATABASE", dir.path().join("x.db"))
        .output()
        .unwrap();
    assert!(!bad_config.status.success());
    assert!(String::from_utf8_lossy(&bad_config.stderr).contains("Mars/Olympus"));
}

#[test]
fn two_files_cannot_share_a_slug_and_published_entries_need_a_date() {
    let site = TestSite::new();
    let dir = tempfile::tempdir().unwrap();
    let w = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    w("articles/same-a.md", "+++\ntitle = \"Trùng tên\"\n+++\nA\n");
    w("articles/same-b.md", "+++\ntitle = \"Trùng tên\"\n+++\nB\n");
    w(
        "articles/undated.md",
        "+++\ntitle = \"Chưa có ngày\"\nstatus = \"published\"\n+++\n",
    );
    let report = site.import(dir.path());
    assert_eq!(report.created, 1);
    let failed: Vec<String> = report
        .failed
        .iter()
        .map(|(p, why)| format!("{}: {why}", p.display()))
        .collect();
    assert_eq!(failed.len(), 2, "{failed:#?}");
    assert!(
        failed[0].contains("same-b.md: slug \"trung-ten\" is already used by")
            && failed[0].contains("same-a.md")
    );
    assert!(failed[1].contains("undated.md: status = \"published\" needs published_at"));
    // The same again: still one entry, unchanged, not swapped.
    let again = site.import(dir.path());
    assert_eq!((again.created, again.updated, again.unchanged), (0, 0, 1));
}

#[test]
fn the_same_image_is_stored_once_whatever_the_dates() {
    let site = TestSite::new();
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("articles")).unwrap();
    std::fs::create_dir_all(dir.path().join("media")).unwrap();
    std::fs::copy(
        common::site_dir().join("media/dang-tai-thong-tin-cap-phep.jpg"),
        dir.path().join("media/a.jpg"),
    )
    .unwrap();
    for (slug, date) in [("mot", "2022-01-05"), ("hai", "2024-07-01")] {
        std::fs::write(
            dir.path().join(format!("articles/{slug}.md")),
            format!("+++\ntitle = \"{slug}\"\nslug = \"{slug}\"\nstatus = \"published\"\npublished_at = {date}\n[image]\nsrc = \"../media/a.jpg\"\n+++\n"),
        )
        .unwrap();
    }
    site.import(dir.path());
    let conn = &mut site.conn();
    let a = entries::find_by_slug(conn, "mot")
        .unwrap()
        .unwrap()
        .image_path;
    let b = entries::find_by_slug(conn, "hai")
        .unwrap()
        .unwrap()
        .image_path;
    assert_eq!(a, b);
    // Files import in name order: "hai" first, and "mot" reuses its file.
    // Folders are by UTC month: 1 July 00:00 in Hanoi is 30 June UTC.
    assert!(a.unwrap().starts_with("2024/06/"), "{b:?}");
    // One image stored (its WebP copy and derivatives sit beside it,
    // named after it).
    let files: Vec<_> = walkdir::WalkDir::new(&site.state.config.uploads)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter(|e| {
            let n = e.file_name().to_string_lossy();
            !n.contains('-') && n.ends_with(".jpg")
        })
        .collect();
    assert_eq!(files.len(), 1);
}

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

const REFERENCE: &str =
    "/articles/so-vhtt-ha-noi-tang-cuong-thong-tin-tuyen-truyen-ve-cai-cach-hanh-chinh";

/// Saves `original`'s English translation through the one save path.
fn translate(
    site: &TestSite,
    original: loa::storage::translations::Original,
    title: &str,
    body: &str,
    status: &str,
    contacts: &str,
) {
    let valid = loa::domain::translation::validate(&loa::domain::translation::TranslationInput {
        title: title.into(),
        summary: format!("{title}: the summary"),
        body_md: body.into(),
        contacts: contacts.into(),
        status: status.into(),
        ..Default::default()
    })
    .unwrap();
    loa::service::translations::save(
        &mut site.conn(),
        original,
        "en",
        None,
        &valid,
        loa::service::entries::Saver {
            name: "test",
            now: site.now(),
        },
    )
    .unwrap();
}

/// The `hreflang` alternates of a page, as (language, path) pairs.
fn alternates(page: &common::Page) -> Vec<(String, String)> {
    let sel = scraper::Selector::parse("link[rel=alternate][hreflang]").unwrap();
    page.html()
        .select(&sel)
        .map(|e| {
            let href = e.value().attr("href").unwrap_or("");
            let path = href.find("//").map_or(href, |i| {
                let rest = &href[i + 2..];
                rest.find('/').map_or("/", |j| &rest[j..])
            });
            (
                e.value().attr("hreflang").unwrap_or("").to_owned(),
                path.to_owned(),
            )
        })
        .collect()
}

#[actix_web::test]
async fn the_english_site_shows_translations_linked_both_ways_with_symmetric_hreflang() {
    use loa::storage::translations::Original;
    let site = TestSite::with_content();
    let article = common::reference_id(&site);
    translate(
        &site,
        Original::Entry(article),
        "Hanoi steps up information on administrative reform",
        "Plan No. 171/KH-SVHTT sets the targets.",
        "published",
        "",
    );
    let contact_page = loa::storage::pages::find_by_path(&mut site.conn(), "lien-he")
        .unwrap()
        .unwrap()
        .id;
    translate(
        &site,
        Original::Page(contact_page),
        "Contact",
        "The Department's address and telephone.",
        "published",
        "Office of the Department | Receives documents | 024 3825 3505 | vanphong@example.vn",
    );
    let about = loa::storage::pages::find_by_path(&mut site.conn(), "gioi-thieu")
        .unwrap()
        .unwrap()
        .id;
    translate(
        &site,
        Original::Page(about),
        "About us",
        "Draft.",
        "draft",
        "",
    );
    site.state
        .cache
        .read_log(&mut site.conn(), site.now())
        .unwrap();
    let mut c = site.client().await;

    // The Vietnamese article and its translation point at each other.
    let vi = c.get(REFERENCE).await;
    let en_path = format!("/en{REFERENCE}");
    let pair = vec![
        ("vi".to_owned(), REFERENCE.to_owned()),
        ("en".to_owned(), en_path.clone()),
    ];
    assert_eq!(alternates(&vi), pair);
    assert_eq!(vi.attr("a.language-switch", "href"), Some(en_path.clone()));
    assert_eq!(vi.attr("a.language-switch", "lang").as_deref(), Some("en"));
    assert_eq!(vi.text("a.language-switch"), "English");

    let en = c.get(&en_path).await;
    assert_eq!(en.status, StatusCode::OK);
    assert_eq!(en.attr("html", "lang").as_deref(), Some("en"));
    assert_eq!(alternates(&en), pair, "the same pair from the other side");
    assert_eq!(
        en.attr("a.language-switch", "href"),
        Some(REFERENCE.to_owned())
    );
    assert_eq!(en.text("a.language-switch"), "Tiếng Việt");
    assert_eq!(
        en.text("h1"),
        "Hanoi steps up information on administrative reform"
    );
    assert!(
        en.text(".entry-body").contains("Plan No. 171/KH-SVHTT"),
        "the translated body"
    );
    assert_eq!(
        en.attr(".entry-body a[href^='/documents/']", "href")
            .as_deref(),
        Some("/documents/ke-hoach-171-kh-svhtt-2022"),
        "document numbers are linked at save, as in the original"
    );
    assert!(
        en.text(".entry-header time").contains("April 2022"),
        "dates in English: {}",
        en.text(".entry-header time")
    );
    assert_eq!(
        en.count("form[action$='/comments']"),
        0,
        "comments on the original only"
    );
    assert_eq!(
        en.attr(".translation-note a", "href").as_deref(),
        Some(REFERENCE)
    );
    assert_eq!(
        en.attr("figure.featured img", "lang").as_deref(),
        Some("vi"),
        "an image described only in Vietnamese says so"
    );

    // An entry without a translation: no alternates, the switch leads to
    // the English home page.
    let other = c
        .get("/articles/tuyen-truyen-quy-tac-ung-xu-noi-cong-cong")
        .await;
    assert!(alternates(&other).is_empty());
    assert_eq!(
        other.attr("a.language-switch", "href").as_deref(),
        Some("/en/")
    );
    assert_eq!(
        c.get("/en/articles/tuyen-truyen-quy-tac-ung-xu-noi-cong-cong")
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // The English home and listing hold the translation only.
    let home = c.get("/en/").await;
    assert_eq!(home.attr("html", "lang").as_deref(), Some("en"));
    assert_eq!(
        home.texts(".card-title a"),
        vec!["Hanoi steps up information on administrative reform"]
    );
    assert_eq!(
        home.texts(".page-links a"),
        vec!["Contact"],
        "a draft translation is not listed"
    );
    assert_eq!(
        alternates(&home),
        vec![("vi".into(), "/".into()), ("en".into(), "/en/".into())]
    );
    assert_eq!(
        c.get("/en").await.header("location").as_deref(),
        Some("/en/")
    );
    let listing = c.get("/en/articles").await;
    assert_eq!(listing.count(".card-list li"), 1);
    assert_eq!(
        c.get("/en/leaflets?page=2").await.status,
        StatusCode::NOT_FOUND
    );

    // Pages: the contact list in English, with its links; a draft
    // translation is a 404 and the Vietnamese page does not point at it.
    let contact = c.get("/en/lien-he").await;
    assert_eq!(contact.status, StatusCode::OK);
    assert_eq!(contact.text("h1"), "Contact");
    assert_eq!(
        contact
            .attr("table.contacts a[href^='tel:']", "href")
            .as_deref(),
        Some("tel:02438253505")
    );
    assert!(
        contact
            .text("table.contacts")
            .contains("Receives documents")
    );
    let vi_contact = c.get("/lien-he").await;
    assert_eq!(
        alternates(&vi_contact),
        vec![
            ("vi".into(), "/lien-he".into()),
            ("en".into(), "/en/lien-he".into())
        ]
    );
    assert_eq!(c.get("/en/gioi-thieu").await.status, StatusCode::NOT_FOUND);
    assert!(alternates(&c.get("/gioi-thieu").await).is_empty());
    assert_eq!(
        c.get("/en/du-thao").await.status,
        StatusCode::NOT_FOUND,
        "a draft page has no public translation"
    );
    // A renamed page's old English address leads to the new one when the
    // page is translated, and is a 404 when it is not.
    for (path, new_slug) in [("lien-he", "lien-he-so"), ("gioi-thieu", "gioi-thieu-so")] {
        let page = loa::storage::pages::find_by_path(&mut site.conn(), path)
            .unwrap()
            .unwrap();
        let mut renamed = loa::service::pages::valid_of(&page);
        renamed.slug = new_slug.into();
        loa::service::pages::save(
            &mut site.conn(),
            loa::service::pages::Target::Existing {
                id: page.id,
                version: page.version,
            },
            &renamed,
            loa::service::entries::Saver {
                name: "test",
                now: site.now(),
            },
        )
        .unwrap();
    }
    loa::web::cache::sync(&site.state, true).await;
    assert_eq!(
        c.get("/en/lien-he").await.header("location").as_deref(),
        Some("/en/lien-he-so")
    );
    assert_eq!(
        c.get("/en/gioi-thieu").await.status,
        StatusCode::NOT_FOUND,
        "no redirect to a page with no English version"
    );
    assert_eq!(
        c.get("/gioi-thieu").await.header("location").as_deref(),
        Some("/gioi-thieu-so")
    );
    // A missing page of the English site says so in English.
    let missing = c.get("/en/khong-co-trang-nay").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.attr("html", "lang").as_deref(), Some("en"));
    assert!(
        missing.text("h1").contains(&msg_en("error_404_title")),
        "{}",
        missing.text("h1")
    );

    // Search finds English words, accents and case aside.
    let found = c.get("/en/search?q=ADMINISTRATIVE+ref").await;
    assert_eq!(
        found.texts(".search-results .card-title a"),
        vec!["Hanoi steps up information on administrative reform"]
    );
    let found = c.get("/en/search?q=telephone").await;
    assert_eq!(found.texts(".search-pages a"), vec!["Contact"]);
    assert_eq!(
        c.get("/en/search?q=cai+cach")
            .await
            .count(".search-results .card"),
        0
    );

    // The English feed and the sitemap.
    let feed = c.get("/en/feed.xml").await;
    assert!(
        feed.body
            .contains("<title>Hanoi steps up information on administrative reform</title>")
    );
    assert!(feed.body.contains(&format!("{en_path}</id>")));
    let sitemap = c.get("/sitemap.xml").await;
    assert!(sitemap.body.contains(&format!("{en_path}</loc>")));
    assert!(sitemap.body.contains(&format!(
        "hreflang=\"en\" href=\"http://localhost{en_path}\""
    )));
    assert!(
        !sitemap.body.contains("/en/gioi-thieu"),
        "a draft translation is not listed"
    );

    // Unpublishing the original takes the translation with it, at once
    // (the page cache holds the English page until the change is read).
    site.add_user("bientap", Role::Editor, PW);
    let mut editor = site.client().await;
    editor.login("bientap", PW).await;
    let res = editor.edit_entry(article, &[("action", "unpublish")]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    loa::web::cache::sync(&site.state, true).await;
    assert_eq!(c.get(&en_path).await.status, StatusCode::NOT_FOUND);
    let home = c.get("/en/").await;
    assert_eq!(home.count(".card-title a"), 0);
    assert_eq!(
        home.count(".nav-bar a[href='/en/articles']"),
        0,
        "a draft's translation does not make its kind a listing in English"
    );
    assert!(alternates(&c.get("/articles").await).is_empty());

    // An admin turns English off: its pages are 404s and the switch goes.
    site.add_user("quantri", Role::Admin, PW);
    let mut admin = site.client().await;
    admin.login("quantri", PW).await;
    let form = admin.get("/admin/theme").await;
    assert_eq!(
        form.count("input[name=language_en][checked]"),
        1,
        "on by default"
    );
    let token = form.token();
    let forged = editor
        .post_form("/admin/languages", &[("csrf_token", &token)])
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "an editor may not");
    let off = admin
        .post_form("/admin/languages", &[("csrf_token", &token)])
        .await;
    assert_eq!(off.status, StatusCode::SEE_OTHER);
    loa::web::cache::sync(&site.state, true).await;
    assert_eq!(c.get("/en/").await.status, StatusCode::NOT_FOUND);
    assert_eq!(c.get("/en/lien-he-so").await.status, StatusCode::NOT_FOUND);
    assert_eq!(c.get("/en/feed.xml").await.status, StatusCode::NOT_FOUND);
    let vi_contact = c.get("/lien-he-so").await;
    assert_eq!(vi_contact.count("a.language-switch"), 0);
    assert!(alternates(&vi_contact).is_empty());
    assert!(!c.get("/sitemap.xml").await.body.contains("/en/"));
    let on = admin
        .post_form(
            "/admin/languages",
            &[("csrf_token", &token), ("language_en", "on")],
        )
        .await;
    assert_eq!(on.status, StatusCode::SEE_OTHER);
    loa::web::cache::sync(&site.state, true).await;
    assert_eq!(c.get("/en/lien-he-so").await.status, StatusCode::OK);
    let (audit, _) = loa::storage::audit::page(&mut site.conn(), 0, 5).unwrap();
    assert!(
        audit
            .iter()
            .any(|a| a.action == "languages.change" && a.target.is_empty())
    );
}

#[actix_web::test]
async fn editors_translate_entries_and_pages_in_the_admin_and_nothing_typed_is_lost() {
    let site = TestSite::with_content();
    site.add_user("bientap", Role::Editor, PW);
    site.add_user("tacgia", Role::Author, PW);
    let article = common::reference_id(&site);
    let mut c = site.client().await;
    c.login("tacgia", PW).await;
    let path = format!("/admin/translations/entry/{article}/en");
    assert_eq!(c.get(&path).await.status, StatusCode::FORBIDDEN);

    c.login("bientap", PW).await;
    let editor = c.get(&format!("/admin/entries/{article}/edit")).await;
    assert_eq!(
        editor.attr(&format!("a[href='{path}']"), "href").as_deref(),
        Some(path.as_str()),
        "the entry's form links to its translation"
    );
    let form = c.get(&path).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(
        !form.text("#image_alt-hint span[lang=vi]").is_empty(),
        "the original image's words, to translate"
    );
    let token = form.token();
    // No title: 422, every typed value in place.
    let refused = c
        .post_form(
            &path,
            &[
                ("csrf_token", &token),
                ("version", "0"),
                ("title", " "),
                ("summary", "A summary typed once"),
                ("body_md", "A body typed once."),
                ("image_alt", "A laptop showing the portal"),
                ("status", "published"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused.text("#summary"), "A summary typed once");
    assert_eq!(refused.text("#body_md"), "A body typed once.");
    assert_eq!(refused.text("#image_alt"), "A laptop showing the portal");
    assert!(
        refused
            .text(".error-summary")
            .contains(&msg("page_title_required"))
    );
    let forged = c
        .post_form(
            &path,
            &[("csrf_token", "x"), ("title", "T"), ("status", "draft")],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);

    let fields = [
        ("csrf_token", token.as_str()),
        ("version", "0"),
        ("title", "Reform news in English"),
        ("summary", "In short."),
        ("body_md", "## Targets\n\nSatisfaction of at least 90%."),
        ("image_alt", "A laptop showing the portal"),
        ("status", "published"),
    ];
    let saved = c.post_form(&path, &fields).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    loa::web::cache::sync(&site.state, true).await;
    let public = c.get(&format!("/en{REFERENCE}")).await;
    assert_eq!(public.text("h1"), "Reform news in English");
    assert_eq!(
        public.attr("figure.featured img", "alt").as_deref(),
        Some("A laptop showing the portal")
    );
    assert_eq!(
        public.count("figure.featured img[lang]"),
        0,
        "described in English"
    );
    // A second editor's form opened before that save is refused (409)
    // with its text kept, and carries the new version.
    let stale = c.post_form(&path, &fields).await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert_eq!(
        stale.attr("input[name=version]", "value").as_deref(),
        Some("1")
    );
    assert_eq!(
        stale.attr("#title", "value").as_deref(),
        Some("Reform news in English")
    );

    // A page's translation: a contact line that does not parse is refused
    // with its line number.
    let contact = loa::storage::pages::find_by_path(&mut site.conn(), "lien-he")
        .unwrap()
        .unwrap()
        .id;
    let page_path = format!("/admin/translations/page/{contact}/en");
    let bad = c
        .post_form(
            &page_path,
            &[
                ("csrf_token", &token),
                ("version", "0"),
                ("title", "Contact"),
                (
                    "contacts",
                    "Office | Documents | 024 3825 3505\nDesk | | not a phone",
                ),
                ("status", "published"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.text("#contacts-error").contains('2'),
        "{}",
        bad.text("#contacts-error")
    );
    assert!(bad.text("#contacts").contains("not a phone"));

    // Deleting it takes the English page away; audited.
    let deleted = c
        .post_form(&format!("{path}/delete"), &[("csrf_token", &token)])
        .await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER);
    loa::web::cache::sync(&site.state, true).await;
    assert_eq!(
        c.get(&format!("/en{REFERENCE}")).await.status,
        StatusCode::NOT_FOUND
    );
    // A form opened before the delete: 409, the text kept, and saving
    // again makes the translation anew.
    let mut opened_before = fields;
    opened_before[1] = ("version", "1");
    let orphan = c.post_form(&path, &opened_before).await;
    assert_eq!(orphan.status, StatusCode::CONFLICT);
    assert_eq!(
        orphan.attr("#title", "value").as_deref(),
        Some("Reform news in English")
    );
    assert_eq!(
        orphan.attr("input[name=version]", "value").as_deref(),
        Some("0")
    );
    let (audit, _) = loa::storage::audit::page(&mut site.conn(), 0, 10).unwrap();
    let target = format!("entry:{article}:en");
    assert!(
        audit
            .iter()
            .any(|a| a.action == "translation.save" && a.target == target)
    );
    assert!(
        audit
            .iter()
            .any(|a| a.action == "translation.delete" && a.target == target)
    );
    assert_eq!(
        c.get("/admin/translations/entry/999999/en").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        c.get(&format!("/admin/translations/entry/{article}/fr"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[actix_web::test]
async fn translations_come_and_go_with_the_content_files() {
    let site = TestSite::new();
    let dir = tempfile::tempdir().unwrap();
    let copied = std::process::Command::new("cp")
        .arg("-r")
        .arg(format!("{}/.", common::site_dir().display()))
        .arg(dir.path())
        .status()
        .unwrap();
    assert!(copied.success());
    std::fs::write(
        dir.path().join("pages/lien-he.en.md"),
        "+++\ntitle = \"Contact\"\nstatus = \"published\"\n\n[[contacts]]\nname = \"Office\"\nphone = \"024 3825 3505\"\n+++\n\nThe address.\n",
    )
    .unwrap();
    std::fs::write(
        dir.path()
            .join("articles/so-vhtt-ha-noi-tang-cuong-thong-tin-tuyen-truyen-ve-cai-cach-hanh-chinh.en.md"),
        "+++\ntitle = \"Reform news\"\nstatus = \"published\"\n\n[image]\nalt = \"A laptop\"\n+++\n\nThe body.\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("articles/khong-co.en.md"),
        "+++\ntitle = \"Orphan\"\n+++\n",
    )
    .unwrap();
    let report = site.import(dir.path());
    assert_eq!(report.translations, 2);
    assert_eq!(report.failed.len(), 1, "{:?}", report.failed);
    assert!(
        report.failed[0].1.contains("khong-co.md"),
        "{:?}",
        report.failed
    );
    let again = site.import(dir.path());
    assert_eq!(again.translations, 0, "importing again changes nothing");

    let out = tempfile::tempdir().unwrap();
    loa::content::export::export_dir(
        &mut site.conn(),
        out.path(),
        &site.state.uploads,
        site.state.config.tz(),
        false,
    )
    .unwrap();
    let page = std::fs::read_to_string(out.path().join("pages/lien-he.en.md")).unwrap();
    assert!(page.contains("title = \"Contact\"") && page.contains("The address."));
    let entry = std::fs::read_to_string(out.path().join(
        "articles/so-vhtt-ha-noi-tang-cuong-thong-tin-tuyen-truyen-ve-cai-cach-hanh-chinh.en.md",
    ))
    .unwrap();
    assert!(entry.contains("alt = \"A laptop\""));
    // The export imports into a new site as it was.
    let other = TestSite::new();
    let report = other.import(out.path());
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    assert_eq!(report.translations, 2);
}

//! In real headless Chromium (driven through chromedriver): a reader opens
//! the reference article, sends the comment form without an email, sees the
//! error beside the Email field with everything else still typed, fixes
//! it, sends again and sees the awaiting-moderation notice. The print
//! pages (issue #8) are printed to PDF by Chromium's own `--print-to-pdf`
//! and read back with poppler (`pdfinfo`, `pdftotext`, `pdftoppm`); the
//! QR code is decoded from the printed page's pixels.
//!
//! Needs Debian's `chromium`, `chromium-driver` and `poppler-utils`;
//! `.ci/run` installs them.
//! Set `LOA_CHROMEDRIVER` / `LOA_CHROMIUM` to use other binaries.

use crate::common;

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use actix_web::{HttpServer, web};
use common::{TestSite, msg};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

const REFERENCE: &str =
    "/articles/so-vhtt-ha-noi-tang-cuong-thong-tin-tuyen-truyen-ve-cai-cach-hanh-chinh";

/// chromedriver, stopped when dropped.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn browser() -> (Driver, Client) {
    let driver_bin =
        std::env::var("LOA_CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
    let chromium = std::env::var("LOA_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    assert!(
        std::path::Path::new(&driver_bin).exists() && std::path::Path::new(&chromium).exists(),
        "browser tests need {chromium} and {driver_bin}: apt-get install chromium chromium-driver (.ci/run does this)"
    );
    let port = free_port();
    let driver = Driver(
        Command::new(&driver_bin)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver"),
    );
    let profile = tempfile::tempdir().unwrap().keep();
    let caps = json!({
        "goog:chromeOptions": {
            "binary": chromium,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--window-size=412,915",
                format!("--user-data-dir={}", profile.display()),
            ]
        }
    });
    let caps = caps.as_object().unwrap().clone();
    let url = format!("http://127.0.0.1:{port}");
    // chromedriver takes a moment to listen.
    let mut last = None;
    for _ in 0..100 {
        match ClientBuilder::rustls()
            .unwrap()
            .capabilities(caps.clone())
            .connect(&url)
            .await
        {
            Ok(client) => return (driver, client),
            Err(e) => last = Some(e),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("cannot reach chromedriver: {last:?}");
}

/// Serves `site` on a free loopback port; returns its origin.
fn serve(site: &TestSite) -> String {
    let state = site.state.clone();
    let server = HttpServer::new(move || loa::build_app(web::Data::clone(&state)))
        .workers(1)
        .bind("127.0.0.1:0")
        .unwrap();
    let addr = server.addrs()[0];
    actix_web::rt::spawn(server.run());
    format!("http://{addr}")
}

/// Types `text` into the field with id `id`.
async fn fill(c: &Client, id: &str, text: &str) {
    c.find(Locator::Id(id))
        .await
        .unwrap()
        .send_keys(text)
        .await
        .unwrap();
}

/// Clicks the element `at`.
async fn click(c: &Client, at: Locator<'_>) {
    c.find(at).await.unwrap().click().await.unwrap();
}

/// Clicks `at` once it is on the page and can take a click, waiting
/// through a page being replaced (a few seconds at most).
async fn click_when_ready(c: &Client, at: Locator<'_>) {
    for _ in 0..50 {
        if let Ok(el) = c.find(at).await
            && el.click().await.is_ok()
        {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("{at:?} never became clickable");
}

async fn value(c: &Client, css: &str) -> String {
    c.find(Locator::Css(css))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default()
}

#[actix_web::test]
async fn a_reader_fixes_a_missing_email_and_sees_the_pending_notice() {
    let site = TestSite::with_content();
    let origin = serve(&site);
    let (_driver, c) = browser().await;

    c.goto(&format!("{origin}{REFERENCE}")).await.unwrap();
    let h1 = c
        .find(Locator::Css("h1"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(
        h1,
        "Sở VHTT Hà Nội tăng cường thông tin, tuyên truyền về cải cách hành chính"
    );

    fill(&c, "content", "Xin hỏi bao giờ có kết quả số hóa hồ sơ?").await;
    fill(&c, "author_name", "Nguyễn Văn An").await;
    fill(&c, "author_url", "https://an.example.vn").await;
    click(&c, Locator::Id("consent")).await;
    click(&c, Locator::Css("form.comment-form button[type=submit]")).await;

    // The page comes back with the error summary, focused, and the message
    // beside the Email field; everything typed is still there.
    let summary = c
        .wait()
        .for_element(Locator::Css(".error-summary"))
        .await
        .unwrap();
    assert!(
        summary
            .text()
            .await
            .unwrap()
            .contains(&msg("comment_email_required"))
    );
    let focused = c.active_element().await.unwrap();
    assert_eq!(
        focused.attr("class").await.unwrap().as_deref(),
        Some("error-summary")
    );
    let error = c.find(Locator::Id("author_email-error")).await.unwrap();
    assert!(error.is_displayed().await.unwrap());
    assert!(
        error
            .text()
            .await
            .unwrap()
            .contains(&msg("comment_email_required"))
    );
    let email = c.find(Locator::Id("author_email")).await.unwrap();
    assert_eq!(
        email.attr("aria-invalid").await.unwrap().as_deref(),
        Some("true")
    );
    assert_eq!(
        value(&c, "#content").await,
        "Xin hỏi bao giờ có kết quả số hóa hồ sơ?"
    );
    assert_eq!(value(&c, "#author_name").await, "Nguyễn Văn An");
    assert_eq!(value(&c, "#author_url").await, "https://an.example.vn");

    // The summary's link takes the reader to the field.
    click(&c, Locator::Css(".error-summary a")).await;
    email.send_keys("an.nguyen@example.vn").await.unwrap();
    click(&c, Locator::Css("form.comment-form button[type=submit]")).await;

    let notice = c.wait().for_element(Locator::Css(".notice")).await.unwrap();
    assert!(
        notice
            .text()
            .await
            .unwrap()
            .contains(&msg("comment_posted"))
    );
    let pending = c.find(Locator::Css(".comment-pending")).await.unwrap();
    let text = pending.text().await.unwrap();
    assert!(text.contains(&msg("comment_awaiting")), "{text}");
    assert!(
        text.contains("Xin hỏi bao giờ có kết quả số hóa hồ sơ?"),
        "{text}"
    );
    assert!(
        !text.contains("an.nguyen@example.vn"),
        "the email is never shown"
    );
    let url = c.current_url().await.unwrap();
    assert_eq!(url.path(), REFERENCE);

    if let Ok(dir) = std::env::var("LOA_SCREENSHOTS") {
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            format!("{dir}/pending-comment.png"),
            c.screenshot().await.unwrap(),
        )
        .unwrap();
    }
    c.close().await.unwrap();
}

async fn sign_in(c: &Client, origin: &str, name: &str, password: &str) {
    c.goto(&format!("{origin}/admin/login")).await.unwrap();
    fill(c, "username", name).await;
    fill(c, "password", password).await;
    click(c, Locator::Css("form button[type=submit]")).await;
    c.wait()
        .for_element(Locator::Css(".admin-logout"))
        .await
        .unwrap();
}

async fn sign_out(c: &Client) {
    click(c, Locator::Css(".admin-logout button")).await;
    c.wait().for_element(Locator::Id("username")).await.unwrap();
}

#[actix_web::test]
async fn an_author_drafts_an_editor_publishes_and_a_reader_sees_it() {
    use loa::domain::user::Role;
    let site = TestSite::with_content();
    site.add_user("tacgia", Role::Author, "mat-khau-tac-gia");
    site.add_user("bientap", Role::Editor, "mat-khau-bien-tap");
    let origin = serve(&site);
    let (_driver, c) = browser().await;

    // The author writes a draft and submits it for review.
    sign_in(&c, &origin, "tacgia", "mat-khau-tac-gia").await;
    c.goto(&format!("{origin}/admin/entries/new?kind=article"))
        .await
        .unwrap();
    fill(&c, "title", "Phường Hàng Trống số hóa hồ sơ một cửa").await;
    fill(&c, "summary", "Người dân nộp hồ sơ trực tuyến.").await;
    fill(
        &c,
        "body_md",
        "## Kết quả\n\nĐã có **120** hồ sơ được số hóa.",
    )
    .await;
    let publish_buttons = c
        .find_all(Locator::Css("button[value=publish]"))
        .await
        .unwrap();
    assert!(publish_buttons.is_empty(), "authors cannot publish");
    click(&c, Locator::Css("button[value=submit]")).await;
    // Only the page after saving has the "saved" notice; the form page had
    // a status badge too, which would go stale under our feet.
    c.wait().for_element(Locator::Css(".notice")).await.unwrap();
    let state = c.find(Locator::Css(".entry-state .status")).await.unwrap();
    assert_eq!(state.text().await.unwrap(), msg("status_in_review"));
    sign_out(&c).await;

    // The editor finds it in review, previews it, publishes.
    sign_in(&c, &origin, "bientap", "mat-khau-bien-tap").await;
    c.goto(&format!("{origin}/admin/entries?status=in_review"))
        .await
        .unwrap();
    click(
        &c,
        Locator::LinkText("Phường Hàng Trống số hóa hồ sơ một cửa"),
    )
    .await;
    c.wait()
        .for_element(Locator::Css("button[value=preview]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let preview = c
        .wait()
        .for_element(Locator::Css("#live-preview strong"))
        .await
        .unwrap();
    assert_eq!(preview.text().await.unwrap(), "120");
    click(&c, Locator::Css("button[value=publish]")).await;
    // Only the page after saving has the "saved" notice; the form page had
    // a status badge too, which would go stale under our feet.
    c.wait().for_element(Locator::Css(".notice")).await.unwrap();
    let state = c.find(Locator::Css(".entry-state .status")).await.unwrap();
    assert_eq!(state.text().await.unwrap(), msg("status_published"));
    sign_out(&c).await;

    // A reader sees it on the home page and reads it.
    c.goto(&format!("{origin}/")).await.unwrap();
    click(
        &c,
        Locator::LinkText("Phường Hàng Trống số hóa hồ sơ một cửa"),
    )
    .await;
    let h1 = c.wait().for_element(Locator::Css("h1")).await.unwrap();
    assert_eq!(
        h1.text().await.unwrap(),
        "Phường Hàng Trống số hóa hồ sơ một cửa"
    );
    let heading = c.find(Locator::Css(".entry-body h2")).await.unwrap();
    assert_eq!(heading.text().await.unwrap(), "Kết quả");
    c.close().await.unwrap();
}

#[actix_web::test]
async fn a_moderator_replies_officially_and_the_reader_sees_both() {
    use loa::domain::user::Role;
    let site = TestSite::with_content();
    site.add_user("kiemduyet", Role::Moderator, "mat-khau-kiem-duyet");
    let origin = serve(&site);
    let (_driver, c) = browser().await;

    // A citizen posts a question.
    c.goto(&format!("{origin}{REFERENCE}")).await.unwrap();
    fill(&c, "content", "Khi nào Sở công bố kết quả số hóa?").await;
    fill(&c, "author_name", "Trần Thị Bình").await;
    fill(&c, "author_email", "binh@example.vn").await;
    click(&c, Locator::Id("consent")).await;
    // Readers take a moment to write; the clock moves past the minimum time.
    site.set_now(site.now() + chrono::Duration::seconds(30));
    click(&c, Locator::Css("form.comment-form button[type=submit]")).await;
    c.wait().for_element(Locator::Css(".notice")).await.unwrap();

    // The moderator finds it in the queue and replies officially.
    sign_in(&c, &origin, "kiemduyet", "mat-khau-kiem-duyet").await;
    c.goto(&format!("{origin}/admin/comments")).await.unwrap();
    let queued = c.find(Locator::Css(".queue-content")).await.unwrap();
    assert!(
        queued
            .text()
            .await
            .unwrap()
            .contains("Khi nào Sở công bố kết quả số hóa?")
    );
    click(&c, Locator::LinkText(&msg("moderate_reply"))).await;
    c.wait()
        .for_element(Locator::Css("textarea#content"))
        .await
        .unwrap()
        .send_keys("Sở sẽ công bố kết quả trong tháng 5.")
        .await
        .unwrap();
    click(&c, Locator::Css("form button[type=submit]:not(.secondary)")).await;
    c.wait()
        .for_element(Locator::Css(".comment-official"))
        .await
        .unwrap();
    c.goto(&format!("{origin}/admin")).await.unwrap();
    sign_out(&c).await;

    // A reader sees the question and, under it, the official reply.
    c.goto(&format!("{origin}{REFERENCE}")).await.unwrap();
    let question = c
        .find(Locator::Css(".comment-list > .comment"))
        .await
        .unwrap();
    assert!(
        question
            .text()
            .await
            .unwrap()
            .contains("Khi nào Sở công bố kết quả số hóa?")
    );
    let reply = c
        .find(Locator::Css(
            ".comment-list > .comment > .comment-replies > .comment-official",
        ))
        .await
        .unwrap();
    let text = reply.text().await.unwrap();
    assert!(
        text.contains(&msg("comment_official"))
            && text.contains("Sở sẽ công bố kết quả trong tháng 5."),
        "{text}"
    );
    c.close().await.unwrap();
}

/// Runs a command without blocking the test's runtime (which serves the
/// site the command may be reading); returns its standard output.
async fn run(program: &str, args: &[&str]) -> String {
    let out = tokio::process::Command::new(program)
        .args(args)
        .output()
        .await
        .unwrap_or_else(|e| panic!("{program}: {e} (apt-get install poppler-utils chromium)"));
    assert!(
        out.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Prints `url` to PDF with Chromium's own `--print-to-pdf`, as an editor
/// or a reader's browser would.
async fn print_to_pdf(url: &str, pdf: &std::path::Path) {
    let chromium = std::env::var("LOA_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let profile = tempfile::tempdir().unwrap();
    let args = [
        "--headless".to_owned(),
        "--no-sandbox".into(),
        "--disable-gpu".into(),
        "--disable-dev-shm-usage".into(),
        "--no-first-run".into(),
        "--disable-background-networking".into(),
        "--disable-component-update".into(),
        "--disable-sync".into(),
        "--no-pdf-header-footer".into(),
        format!("--user-data-dir={}", profile.path().display()),
        format!("--print-to-pdf={}", pdf.display()),
        url.to_owned(),
    ];
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    run(&chromium, &args).await;
}

/// Page count and page size (points) from `pdfinfo`.
async fn pdf_pages(pdf: &std::path::Path) -> (usize, String) {
    let info = run("pdfinfo", &[pdf.to_str().unwrap()]).await;
    let field = |name: &str| {
        info.lines()
            .find_map(|l| l.strip_prefix(name))
            .unwrap_or_default()
            .trim()
            .to_owned()
    };
    (field("Pages:").parse().unwrap(), field("Page size:"))
}

/// The PDF's text, whitespace folded.
async fn pdf_text(pdf: &std::path::Path) -> String {
    common::fold(&run("pdftotext", &["-enc", "UTF-8", pdf.to_str().unwrap(), "-"]).await)
}

/// Page `n` of the PDF as a PNG at `dpi`; also kept under
/// `target/print-pages/` to look at.
async fn pdf_png(pdf: &std::path::Path, n: usize, dpi: u32, keep_as: &str) -> std::path::PathBuf {
    let kept = common::repo().join("target/print-pages");
    std::fs::create_dir_all(&kept).unwrap();
    let stem = kept.join(keep_as);
    let n = n.to_string();
    let dpi = dpi.to_string();
    run(
        "pdftoppm",
        &[
            "-png",
            "-singlefile",
            "-f",
            &n,
            "-l",
            &n,
            "-r",
            &dpi,
            pdf.to_str().unwrap(),
            stem.to_str().unwrap(),
        ],
    )
    .await;
    stem.with_extension("png")
}

/// Reads the QR code printed on a page image, as a phone would.
fn read_qr(png: &std::path::Path) -> String {
    let img = image::open(png).unwrap().to_luma8();
    let (w, h) = (img.width() as usize, img.height() as usize);
    let mut prepared = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| {
        img.get_pixel(x as u32, y as u32).0[0]
    });
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code on {}", png.display());
    grids[0].decode().unwrap().1
}

#[actix_web::test]
async fn the_reference_article_and_a_leaflet_print_to_pdf() {
    let site = TestSite::with_content();
    let origin = serve(&site);
    let dir = tempfile::tempdir().unwrap();

    // The article's print page: A4, its text, the online address, and a
    // QR code that reads back as that address from the printed page.
    let pdf = dir.path().join("article.pdf");
    print_to_pdf(&format!("{origin}{REFERENCE}/print"), &pdf).await;
    let (pages, size) = pdf_pages(&pdf).await;
    assert!((1..=4).contains(&pages), "{pages} pages");
    assert!(
        size.contains("(A4)") && size.starts_with("59"),
        "portrait A4: {size}"
    );
    let text = pdf_text(&pdf).await;
    for expected in [
        "Sở VHTT Hà Nội tăng cường thông tin, tuyên truyền về cải cách hành chính",
        "Kế hoạch số 171/KH-SVHTT",
        "Phương Uyên",
        "Sở Văn hóa và Thể thao Hà Nội",
    ] {
        assert!(text.contains(expected), "{expected:?} in {text}");
    }
    assert!(
        !text.contains(&msg("comment_submit")),
        "no comment form on paper"
    );
    let last = pdf_png(&pdf, pages, 300, "article-last").await;
    assert_eq!(read_qr(&last), format!("{origin}{REFERENCE}"));
    pdf_png(&pdf, 1, 60, "article").await;

    // The entry page itself, printed by the browser with the print
    // stylesheet: no navigation or form, the QR code at the end.
    let pdf = dir.path().join("entry.pdf");
    print_to_pdf(&format!("{origin}{REFERENCE}"), &pdf).await;
    let text = pdf_text(&pdf).await;
    assert!(text.contains("Kế hoạch số 171/KH-SVHTT"));
    assert!(
        !text.contains(&msg("comment_submit")) && !text.contains(&msg("search")),
        "{text}"
    );
    let (pages, _) = pdf_pages(&pdf).await;
    let last = pdf_png(&pdf, pages, 300, "entry-last").await;
    assert_eq!(read_qr(&last), format!("{origin}{REFERENCE}"));

    // The tri-fold leaflet: one landscape A4 sheet, two sides; the outside
    // reads inside flap, back cover (with the QR code), front cover.
    let leaflet = "/leaflets/chi-tieu-cai-cach-hanh-chinh-2022-to-gap";
    let pdf = dir.path().join("leaflet.pdf");
    print_to_pdf(&format!("{origin}{leaflet}/print"), &pdf).await;
    let (pages, size) = pdf_pages(&pdf).await;
    assert_eq!(pages, 2, "two sides of one sheet");
    assert!(
        size.contains("(A4)") && size.starts_with("84"),
        "landscape A4: {size}"
    );
    // Each third of each side, cropped by pdftotext, holds its panel.
    let third = |page: u32, col: u32| {
        let pdf = pdf.clone();
        async move {
            let (page, x) = (page.to_string(), (col * 281).to_string());
            common::fold(
                &run(
                    "pdftotext",
                    &[
                        "-f", &page, "-l", &page, "-x", &x, "-y", "0", "-W", "280", "-H", "595",
                    ]
                    .into_iter()
                    .chain([pdf.to_str().unwrap(), "-"])
                    .collect::<Vec<_>>(),
                )
                .await,
            )
        }
    };
    let expected = [
        (
            1,
            ["Con người: bồi dưỡng", "Liên hệ", "Tờ gấp: 10 chỉ tiêu"],
        ),
        (
            2,
            [
                "Hài lòng và đúng hạn",
                "Dịch vụ công trực tuyến",
                "Số hóa và đơn giản hóa",
            ],
        ),
    ];
    for (page, columns) in expected {
        for (col, heading) in columns.into_iter().enumerate() {
            let text = third(page, col as u32).await;
            assert!(
                text.starts_with(heading) || text.contains(heading),
                "side {page}, third {col}: {heading:?} in {text:?}"
            );
            for (other, h) in columns.into_iter().enumerate() {
                if other != col {
                    assert!(
                        !text.contains(h),
                        "side {page}, third {col} holds only its panel: {text:?}"
                    );
                }
            }
        }
    }
    let front = pdf_png(&pdf, 1, 300, "leaflet-outside-full").await;
    assert_eq!(read_qr(&front), format!("{origin}{leaflet}"));
    pdf_png(&pdf, 1, 60, "leaflet-outside").await;
    pdf_png(&pdf, 2, 60, "leaflet-inside").await;
}

#[actix_web::test]
async fn an_editor_downloads_a_leaflet_as_pdf_for_the_print_shop() {
    // The server answers on the address the configuration names, which is
    // where the PDF's page loads its styles from.
    let port = free_port();
    let site = TestSite::with_config(|c| c.bind = format!("127.0.0.1:{port}"));
    assert!(site.import(&common::site_dir()).failed.is_empty());
    let state = site.state.clone();
    let server = HttpServer::new(move || loa::build_app(web::Data::clone(&state)))
        .workers(1)
        .bind(("127.0.0.1", port))
        .unwrap();
    actix_web::rt::spawn(server.run());
    site.add_user(
        "bientap",
        loa::domain::user::Role::Editor,
        "mat-khau-du-dai",
    );
    let id = loa::storage::entries::find_by_slug(
        &mut site.conn(),
        "chi-tieu-cai-cach-hanh-chinh-2022-to-gap",
    )
    .unwrap()
    .unwrap()
    .id;

    let mut c = site.client().await;
    let path = format!("/admin/entries/{id}/print.pdf");
    assert_eq!(c.get(&path).await.status.as_u16(), 303, "staff only");
    c.login("bientap", "mat-khau-du-dai").await;
    let res = c.get(&path).await;
    assert_eq!(res.status.as_u16(), 200, "{}", res.body);
    assert_eq!(
        res.header("content-type").as_deref(),
        Some("application/pdf")
    );
    assert_eq!(
        res.header("content-disposition").as_deref(),
        Some("attachment; filename=\"chi-tieu-cai-cach-hanh-chinh-2022-to-gap.pdf\"")
    );
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("download.pdf");
    std::fs::write(&pdf, &res.bytes).unwrap();
    let (pages, size) = pdf_pages(&pdf).await;
    assert_eq!(
        pages, 2,
        "the theme's styles were applied: one landscape sheet"
    );
    assert!(size.starts_with("84"), "{size}");
    assert!(
        pdf_text(&pdf)
            .await
            .contains("10 chỉ tiêu cải cách hành chính năm 2022")
    );
}

#[actix_web::test]
async fn an_editor_uploads_describes_and_inserts_an_image_and_the_reader_gets_srcset() {
    use loa::domain::user::Role;
    let site = TestSite::with_content();
    site.add_user("bientap", Role::Editor, "mat-khau-bien-tap");
    let origin = serve(&site);
    let (_driver, c) = browser().await;
    // A photo as a camera would hand it over, made here.
    let dir = tempfile::tempdir().unwrap();
    let photo = dir.path().join("hoi-nghi-cchc.jpg");
    image::DynamicImage::ImageRgb8(image::RgbImage::from_fn(1000, 500, |x, y| {
        image::Rgb([(x / 4) as u8, (y / 2) as u8, 140])
    }))
    .save(&photo)
    .unwrap();

    // Upload: the script sends it with a progress bar, then shows the library.
    sign_in(&c, &origin, "bientap", "mat-khau-bien-tap").await;
    c.goto(&format!("{origin}/admin/media")).await.unwrap();
    c.find(Locator::Id("files"))
        .await
        .unwrap()
        .send_keys(photo.to_str().unwrap())
        .await
        .unwrap();
    click(&c, Locator::Css("#media-upload button[type=submit]")).await;
    // The new image is the one still without alt text. The script shows
    // the library again once the upload is done: click when that page is
    // ready (the old one may still be there, about to go).
    click_when_ready(&c, Locator::Css(".media-card:has(.status-draft) a")).await;

    // Alt text, then the Markdown to insert appears.
    c.wait().for_element(Locator::Id("alt")).await.unwrap();
    fill(&c, "alt", "Hội nghị triển khai cải cách hành chính tại Sở").await;
    click(
        &c,
        Locator::Css("form[action^='/admin/media/']:not([action$='/delete']) button[type=submit]"),
    )
    .await;
    c.wait()
        .for_element(Locator::Css("input.markdown-snippet"))
        .await
        .unwrap();

    // A new entry: the image goes in with the "Chèn" button, then publish.
    c.goto(&format!("{origin}/admin/entries/new?kind=article"))
        .await
        .unwrap();
    fill(&c, "title", "Hội nghị cải cách hành chính").await;
    fill(&c, "body_md", "Sở tổ chức hội nghị.").await;
    // The editor's buttons stick to the bottom of a phone screen: scroll
    // the panel up to the middle first, as a person would.
    for css in ["#insert-images summary", "button.insert-image"] {
        c.execute(
            "document.querySelector(arguments[0]).scrollIntoView({block: 'center'});",
            vec![json!(css)],
        )
        .await
        .unwrap();
        click(&c, Locator::Css(css)).await;
    }
    let body = value(&c, "#body_md").await;
    assert!(
        body.contains("![Hội nghị triển khai cải cách hành chính tại Sở](/uploads/"),
        "{body}"
    );
    click(&c, Locator::Css("button[value=publish]")).await;
    c.wait().for_element(Locator::Css(".notice")).await.unwrap();
    sign_out(&c).await;

    // The reader's phone loads a derivative chosen from srcset.
    c.goto(&format!("{origin}/articles/hoi-nghi-cai-cach-hanh-chinh"))
        .await
        .unwrap();
    let img = c.find(Locator::Css(".entry-body img")).await.unwrap();
    let srcset = img.attr("srcset").await.unwrap().unwrap_or_default();
    assert!(srcset.contains("-640.jpg 640w"), "{srcset}");
    let mut loaded = String::new();
    for _ in 0..50 {
        let v = c
            .execute(
                "var i = document.querySelector('.entry-body img'); i.scrollIntoView();\
                 return i.complete && i.naturalWidth > 0 ? i.currentSrc : '';",
                vec![],
            )
            .await
            .unwrap();
        loaded = v.as_str().unwrap_or_default().to_owned();
        if !loaded.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Chromium takes the WebP source, sized for the phone's screen.
    let webp = c
        .find(Locator::Css(".entry-body picture source"))
        .await
        .unwrap()
        .attr("srcset")
        .await
        .unwrap()
        .unwrap_or_default();
    let path = loaded.trim_start_matches(&origin);
    assert!(
        webp.split(", ").any(|c| c.split(' ').next() == Some(path)),
        "{loaded} not from {webp}"
    );
    assert!(path.ends_with(".webp") && path.contains('-'), "{path}");
    c.close().await.unwrap();
}

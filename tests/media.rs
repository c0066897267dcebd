//! Issue #5, media: uploads are checked and refused with a reason, stored
//! once, re-encoded without metadata, turned upright and resized; library
//! images become `srcset` in bodies and featured images; attachments
//! download safely. Every image is made here, in the test.

use crate::common;

use std::io::Cursor;
use std::path::Path;

use actix_web::http::StatusCode;
use common::{TestSite, msg};
use image::{DynamicImage, ImageFormat, Rgb, RgbImage};
use loa::domain::user::Role;
use loa::media::images::Limits;

const PW: &str = "mat-khau-du-dai";

fn picture(w: u32, h: u32) -> DynamicImage {
    DynamicImage::ImageRgb8(RgbImage::from_fn(w, h, |x, y| {
        Rgb([(x * 255 / w) as u8, (y * 255 / h) as u8, 120])
    }))
}

fn encoded(img: &DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut buf = Vec::new();
    let img = if format == ImageFormat::Gif || format == ImageFormat::WebP {
        DynamicImage::ImageRgba8(img.to_rgba8())
    } else {
        img.clone()
    };
    img.write_to(&mut Cursor::new(&mut buf), format)
        .expect("encode test image");
    buf
}

fn jpeg(w: u32, h: u32) -> Vec<u8> {
    encoded(&picture(w, h), ImageFormat::Jpeg)
}

/// Words an EXIF block carries that must not survive an upload.
const SECRET: &[u8] = b"LOA-GPS-21.0285N-105.8542E";

/// A JPEG with an EXIF APP1 segment built by hand: orientation, an image
/// description (the secret) and a GPS IFD with a latitude reference.
fn with_exif(jpeg: &[u8], orientation: u16) -> Vec<u8> {
    let mut tiff: Vec<u8> = b"II*\0".to_vec();
    tiff.extend(8u32.to_le_bytes());
    // IFD0: 3 entries (2 + 3*12 + 4 = 42 bytes), then the description.
    let desc_at = 8 + 2 + 3 * 12 + 4;
    let gps_at = desc_at + SECRET.len() as u32 + 1;
    let entry = |tag: u16, kind: u16, count: u32, value: u32| {
        let mut e = tag.to_le_bytes().to_vec();
        e.extend(kind.to_le_bytes());
        e.extend(count.to_le_bytes());
        e.extend(value.to_le_bytes());
        e
    };
    tiff.extend(3u16.to_le_bytes());
    tiff.extend(entry(0x010E, 2, SECRET.len() as u32 + 1, desc_at));
    tiff.extend(entry(0x0112, 3, 1, u32::from(orientation)));
    tiff.extend(entry(0x8825, 4, 1, gps_at));
    tiff.extend(0u32.to_le_bytes());
    tiff.extend(SECRET);
    tiff.push(0);
    // GPS IFD: version 2.2, latitude reference "N".
    tiff.extend(2u16.to_le_bytes());
    tiff.extend(entry(0x0000, 1, 4, u32::from_le_bytes([2, 2, 0, 0])));
    tiff.extend(entry(0x0001, 2, 2, u32::from_le_bytes([b'N', 0, 0, 0])));
    tiff.extend(0u32.to_le_bytes());
    let mut app1 = vec![0xFF, 0xE1];
    app1.extend(((2 + 6 + tiff.len()) as u16).to_be_bytes());
    app1.extend(b"Exif\0\0");
    app1.extend(tiff);
    let mut out = jpeg[..2].to_vec();
    out.extend(app1);
    out.extend(&jpeg[2..]);
    out
}

/// A `multipart/form-data` body: text fields, then files.
fn multipart(fields: &[(&str, &str)], files: &[(&str, &str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "----loa-test-boundary-7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    for (field, filename, bytes) in files {
        body.extend(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend(*bytes);
        body.extend(b"\r\n");
    }
    body.extend(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// Every file under `dir`, as paths relative to it, sorted.
fn files_in(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            e.path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    v.sort();
    v
}

fn media_rows(site: &TestSite) -> Vec<loa::storage::media::Media> {
    loa::storage::media::list(&mut site.conn(), None, false, 0, 1000)
        .unwrap()
        .0
}

macro_rules! editor {
    ($site:expr, $c:ident) => {
        $site.add_user("bientap", Role::Editor, PW);
        let mut $c = $site.client().await;
        assert_eq!($c.login("bientap", PW).await.status, StatusCode::SEE_OTHER);
    };
}

async fn upload<S, B>(c: &mut common::Client<S>, files: &[(&str, &[u8])]) -> common::Page
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    let token = c.get("/admin/media").await.token();
    let files: Vec<(&str, &str, &[u8])> = files.iter().map(|(n, b)| ("files", *n, *b)).collect();
    let (ct, body) = multipart(&[("csrf_token", &token)], &files);
    c.post_raw("/admin/media", &ct, body).await
}

fn decode(path: &Path) -> DynamicImage {
    image::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[actix_web::test]
async fn each_allowed_format_is_accepted_and_resized_to_the_widths() {
    let site = TestSite::new();
    editor!(site, c);
    let photo = jpeg(1000, 500);
    let graphic = encoded(&picture(700, 350), ImageFormat::Png);
    let webp = encoded(&picture(400, 200), ImageFormat::WebP);
    let gif = encoded(&picture(330, 110), ImageFormat::Gif);
    let page = upload(
        &mut c,
        &[
            ("Ảnh hội nghị.JPEG", &photo),
            ("so-do.png", &graphic),
            ("bieu-do.webp", &webp),
            ("hoat-hinh.gif", &gif),
        ],
    )
    .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(
        page.count(".upload-results li.upload-ok"),
        4,
        "{}",
        page.body
    );
    let rows = media_rows(&site);
    assert_eq!(rows.len(), 4);
    let uploads = &site.state.config.uploads;
    let by_format = |f: &str| rows.iter().find(|m| m.format == f).unwrap().clone();

    // The photo: the full image and every narrower width, JPEG and WebP.
    let m = by_format("jpeg");
    assert_eq!((m.width, m.height), (1000, 500));
    assert!(
        m.path.starts_with("2026/01/") && m.path.ends_with(".jpg"),
        "{}",
        m.path
    );
    let stem = m.path.trim_end_matches(".jpg");
    for (w, h) in [(320, 160), (480, 240), (640, 320), (800, 400), (960, 480)] {
        for ext in ["jpg", "webp"] {
            let img = decode(&uploads.join(format!("{stem}-{w}.{ext}")));
            assert_eq!((img.width(), img.height()), (w, h), "{ext}");
        }
    }
    assert!(
        !uploads.join(format!("{stem}-1280.jpg")).exists(),
        "never upscaled"
    );
    // Lossy WebP for photos: smaller than the JPEG at the same width.
    let size = |f: String| std::fs::metadata(uploads.join(f)).unwrap().len();
    assert!(size(format!("{stem}-800.webp")) < size(format!("{stem}-800.jpg")));

    // Graphics: their own format plus lossless WebP.
    let m = by_format("png");
    let stem = m.path.trim_end_matches(".png");
    for f in [
        format!("{stem}.png"),
        format!("{stem}-320.png"),
        format!("{stem}-640.png"),
        format!("{stem}.webp"),
        format!("{stem}-320.webp"),
        format!("{stem}-640.webp"),
    ] {
        assert!(uploads.join(&f).is_file(), "{f}");
    }
    let m = by_format("gif");
    let stem = m.path.trim_end_matches(".gif");
    assert_eq!(
        decode(&uploads.join(format!("{stem}-320.gif"))).width(),
        320
    );
    assert!(uploads.join(format!("{stem}-320.webp")).is_file());
    let m = by_format("webp");
    let stem = m.path.trim_end_matches(".webp");
    assert_eq!(
        decode(&uploads.join(format!("{stem}-320.webp"))).height(),
        160
    );

    // Files are served with their type and cached for a year.
    let served = c.get(&format!("/uploads/{}", by_format("jpeg").path)).await;
    assert_eq!(served.status, StatusCode::OK);
    assert_eq!(served.header("content-type").as_deref(), Some("image/jpeg"));
    assert_eq!(
        served.header("cache-control").as_deref(),
        Some("public, max-age=31536000, immutable")
    );
    // The uploader's file name appears only as a label.
    assert!(files_in(uploads).iter().all(|f| !f.contains("hội")));
    assert!(page.body.contains("Ảnh hội nghị.JPEG"));
}

#[actix_web::test]
async fn metadata_is_stripped_and_orientation_applied() {
    let site = TestSite::new();
    editor!(site, c);
    // Left half red, right half blue; EXIF says "rotate 90° clockwise".
    let img = DynamicImage::ImageRgb8(RgbImage::from_fn(400, 200, |x, _| {
        if x < 200 {
            Rgb([220, 20, 20])
        } else {
            Rgb([20, 20, 220])
        }
    }));
    let bytes = with_exif(&encoded(&img, ImageFormat::Jpeg), 6);
    assert!(bytes.windows(SECRET.len()).any(|w| w == SECRET));
    let page = upload(&mut c, &[("dien-thoai.jpg", &bytes)]).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let m = &media_rows(&site)[0];
    assert_eq!((m.width, m.height), (200, 400), "turned upright");
    let uploads = &site.state.config.uploads;
    let stored = files_in(uploads);
    assert_eq!(stored.len(), 2, "{stored:?}"); // 200 wide: JPEG and WebP only
    for f in &stored {
        let b = std::fs::read(uploads.join(f)).unwrap();
        assert!(!b.windows(SECRET.len()).any(|w| w == SECRET), "{f}");
        assert!(!b.windows(4).any(|w| w == b"Exif"), "{f} keeps EXIF");
        if f.ends_with(".jpg") {
            // Image data and its tables only: no APP1 (EXIF/XMP) segment.
            assert!(!b.windows(2).any(|w| w == [0xFF, 0xE1]), "{f} has APP1");
        } else {
            assert!(!b.windows(4).any(|w| w == b"EXIF" || w == b"XMP "), "{f}");
        }
    }
    let upright = decode(&uploads.join(&m.path)).to_rgb8();
    let top = upright.get_pixel(100, 50);
    let bottom = upright.get_pixel(100, 350);
    assert!(top[0] > 150 && top[2] < 100, "red on top: {top:?}");
    assert!(bottom[2] > 150 && bottom[0] < 100, "blue below: {bottom:?}");
}

/// A PNG whose header claims `w`×`h` pixels, with no pixel data to speak of.
fn png_claiming(w: u32, h: u32) -> Vec<u8> {
    fn chunk(kind: &[u8], data: &[u8]) -> Vec<u8> {
        let mut c = (data.len() as u32).to_be_bytes().to_vec();
        c.extend(kind);
        c.extend(data);
        let mut crc_input = kind.to_vec();
        crc_input.extend(data);
        c.extend(crc32(&crc_input).to_be_bytes());
        c
    }
    let mut ihdr = w.to_be_bytes().to_vec();
    ihdr.extend(h.to_be_bytes());
    ihdr.extend([8, 2, 0, 0, 0]);
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend(chunk(b"IHDR", &ihdr));
    png.extend(chunk(
        b"IDAT",
        &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
    ));
    png.extend(chunk(b"IEND", &[]));
    png
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[actix_web::test]
async fn dangerous_files_are_refused_with_their_reason_and_nothing_is_kept() {
    let site = TestSite::build(
        |_| {},
        |s| {
            s.with_media_limits(Limits {
                max_bytes: 200_000,
                ..Limits::default()
            })
        },
    );
    editor!(site, c);
    let good = jpeg(64, 32);
    let truncated = good[..good.len() / 2].to_vec();
    let html = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
        .to_vec();
    let svg = br#"<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#.to_vec();
    let mut polyglot = encoded(&picture(16, 16), ImageFormat::Gif);
    polyglot.pop();
    polyglot.extend(b"<script>alert(1)</script>;");
    let oversized = {
        // Noise does not compress: well over the 200 KB limit.
        let mut state = 12345u32;
        let img = RgbImage::from_fn(600, 400, |_, _| {
            state = state.wrapping_mul(1_103_515_245).wrapping_add(12345);
            Rgb([(state >> 16) as u8, (state >> 8) as u8, state as u8])
        });
        encoded(&DynamicImage::ImageRgb8(img), ImageFormat::Png)
    };
    assert!(oversized.len() > 200_000);
    let cases: Vec<(&str, Vec<u8>, String)> = vec![
        (
            "bom.png",
            png_claiming(100_000, 100_000),
            msg("media_refused_dimensions"),
        ),
        ("cat-cut.jpg", truncated, msg("media_refused_truncated")),
        ("trang.jpg", html, msg("media_refused_not_image")),
        ("hinh.svg", svg.clone(), msg("media_refused_svg")),
        ("hinh.png", svg, msg("media_refused_svg")),
        ("hai-mat.gif", polyglot, msg("media_refused_polyglot")),
        ("qua-lon.png", oversized, msg("media_refused_too_large")),
        (
            "../../etc/anh.jpg",
            good.clone(),
            msg("media_refused_bad_name"),
        ),
        ("anh.png", good, msg("media_refused_mismatch")),
    ];
    for (name, bytes, reason) in &cases {
        let page = upload(&mut c, &[(name, bytes)]).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{name}");
        let result = page.text(".upload-results li.upload-refused");
        assert!(result.contains(name), "{name}: {result}");
        assert!(result.contains(reason), "{name}: {result}");
        // The error summary links to it, for keyboard and screen readers.
        assert!(page.text(".error-summary").contains(reason), "{name}");
    }
    assert_eq!(files_in(&site.state.config.uploads), Vec::<String>::new());
    assert!(media_rows(&site).is_empty());
    // In a batch, the good file is kept and the bad one reported.
    let page = upload(
        &mut c,
        &[("tot.jpg", &jpeg(50, 50)), ("xau.jpg", b"GIF89a")],
    )
    .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(page.count(".upload-results li.upload-ok"), 1);
    assert_eq!(page.count(".upload-results li.upload-refused"), 1);
    assert_eq!(media_rows(&site).len(), 1);
}

#[actix_web::test]
async fn uploads_need_the_token_and_a_writing_role() {
    let site = TestSite::new();
    site.add_user("kiemduyet", Role::Moderator, PW);
    editor!(site, c);
    let (ct, body) = multipart(
        &[("csrf_token", "gia-mao")],
        &[("files", "a.jpg", &jpeg(20, 20))],
    );
    assert_eq!(
        c.post_raw("/admin/media", &ct, body).await.status,
        StatusCode::FORBIDDEN
    );
    let mut m = site.client().await;
    m.login("kiemduyet", PW).await;
    let token = m.admin_token().await;
    let (ct, body) = multipart(
        &[("csrf_token", &token)],
        &[("files", "a.jpg", &jpeg(20, 20))],
    );
    assert_eq!(
        m.post_raw("/admin/media", &ct, body).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(files_in(&site.state.config.uploads), Vec::<String>::new());
}

#[actix_web::test]
async fn the_same_file_uploaded_twice_is_stored_once() {
    let site = TestSite::new();
    editor!(site, c);
    let bytes = jpeg(700, 300);
    let first = upload(&mut c, &[("a.jpg", &bytes)]).await;
    assert_eq!(first.status, StatusCode::OK);
    let files = files_in(&site.state.config.uploads);
    let again = upload(&mut c, &[("ban-sao.jpg", &bytes)]).await;
    assert_eq!(again.status, StatusCode::OK);
    assert!(
        again
            .text(".upload-results")
            .contains(&msg("media_duplicate")),
        "{}",
        again.text(".upload-results")
    );
    assert_eq!(media_rows(&site).len(), 1);
    assert_eq!(files_in(&site.state.config.uploads), files);
}

#[actix_web::test]
async fn a_library_image_in_markdown_becomes_srcset_and_cannot_be_deleted_while_used() {
    let site = TestSite::new();
    editor!(site, c);
    upload(&mut c, &[("hoi-nghi.jpg", &jpeg(1000, 500))]).await;
    let m = media_rows(&site).remove(0);
    // Alt text first: without it the library offers no Markdown to insert.
    let detail = c.get(&format!("/admin/media/{}", m.id)).await;
    assert_eq!(detail.count("input.markdown-snippet"), 0);
    let token = detail.token();
    let saved = c
        .post_form(
            &format!("/admin/media/{}", m.id),
            &[
                ("csrf_token", &token),
                ("alt", "Hội nghị triển khai Kế hoạch 171"),
                ("caption", "Ảnh: Văn phòng Sở"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let detail = c.get(&format!("/admin/media/{}", m.id)).await;
    let md = detail
        .attr("input.markdown-snippet", "value")
        .expect("markdown to insert");
    assert_eq!(
        md,
        format!("![Hội nghị triển khai Kế hoạch 171](/uploads/{})", m.path)
    );

    let token = c.admin_token().await;
    let body = format!("Mở đầu.\n\n{md}\n\nKết thúc.");
    let res = c
        .post_form(
            "/admin/entries/new",
            &[
                ("csrf_token", &token),
                ("kind", "article"),
                ("title", "Bài có ảnh"),
                ("body_md", &body),
                ("action", "publish"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let page = c.get("/articles/bai-co-anh").await;
    assert_eq!(page.status, StatusCode::OK);
    let srcset = page.attr(".entry-body img", "srcset").expect("srcset");
    let stem = m.path.trim_end_matches(".jpg");
    assert_eq!(
        srcset,
        format!(
            "/uploads/{stem}-320.jpg 320w, /uploads/{stem}-480.jpg 480w, /uploads/{stem}-640.jpg 640w, /uploads/{stem}-800.jpg 800w, /uploads/{stem}-960.jpg 960w, /uploads/{} 1000w",
            m.path
        )
    );
    assert!(page.attr(".entry-body img", "sizes").is_some());
    assert_eq!(
        page.attr(".entry-body img", "width").as_deref(),
        Some("1000")
    );
    assert_eq!(
        page.attr(".entry-body img", "height").as_deref(),
        Some("500")
    );
    assert_eq!(
        page.attr(".entry-body img", "loading").as_deref(),
        Some("lazy")
    );
    let webp = page
        .attr(".entry-body picture source", "srcset")
        .expect("a WebP source");
    assert_eq!(
        page.attr(".entry-body picture source", "type").as_deref(),
        Some("image/webp")
    );
    for candidate in srcset.split(", ").chain(webp.split(", ")) {
        let url = candidate.split(' ').next().unwrap();
        assert_eq!(c.get(url).await.status, StatusCode::OK, "{url}");
    }

    // The library knows who uses it, lists it as used, refuses to delete it.
    let detail = c.get(&format!("/admin/media/{}", m.id)).await;
    assert_eq!(detail.text("#uses li"), "Bài có ảnh");
    assert_eq!(
        detail.count("button.danger"),
        0,
        "no delete button while used"
    );
    let unused = c.get("/admin/media?unused=1").await;
    assert_eq!(unused.count(".media-card"), 0);
    let token = detail.token();
    let refused = c
        .post_form(
            &format!("/admin/media/{}/delete", m.id),
            &[("csrf_token", &token)],
        )
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert!(refused.text("#uses").contains(&msg("media_in_use")));
    assert!(site.state.config.uploads.join(&m.path).is_file());
    // Search finds it by its Vietnamese alt text, with or without marks.
    let found = c.get("/admin/media?q=hoi+nghi").await;
    assert_eq!(found.count(".media-card"), 1);
}

#[actix_web::test]
async fn an_unused_image_is_deleted_with_all_its_files() {
    let site = TestSite::new();
    editor!(site, c);
    upload(
        &mut c,
        &[("a.png", &encoded(&picture(700, 100), ImageFormat::Png))],
    )
    .await;
    let m = media_rows(&site).remove(0);
    assert_eq!(c.get("/admin/media?unused=1").await.count(".media-card"), 1);
    let token = c.admin_token().await;
    let res = c
        .post_form(
            &format!("/admin/media/{}/delete", m.id),
            &[("csrf_token", &token)],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert!(media_rows(&site).is_empty());
    assert_eq!(files_in(&site.state.config.uploads), Vec::<String>::new());
    let audit = loa::storage::audit::page(&mut site.conn(), 0, 10)
        .unwrap()
        .0;
    let actions: Vec<&str> = audit.iter().map(|e| e.action.as_str()).collect();
    assert!(actions.contains(&"media.upload") && actions.contains(&"media.delete"));
}

#[actix_web::test]
async fn the_reference_article_shows_its_featured_image_responsively_with_its_caption() {
    let site = TestSite::with_content();
    let mut c = site.client().await;
    let page = c
        .get("/articles/so-vhtt-ha-noi-tang-cuong-thong-tin-tuyen-truyen-ve-cai-cach-hanh-chinh")
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let srcset = page.attr(".featured img", "srcset").expect("srcset");
    assert_eq!(srcset.matches("w, ").count(), 6, "{srcset}"); // 320…1280 + 1600
    assert!(page.attr(".featured picture source", "srcset").is_some());
    assert_eq!(page.attr(".featured img", "width").as_deref(), Some("1600"));
    assert_eq!(page.attr(".featured img", "height").as_deref(), Some("900"));
    assert!(page.attr(".featured img", "sizes").is_some());
    // Above the fold: not lazy.
    assert_eq!(page.attr(".featured img", "loading"), None);
    assert_eq!(
        page.text(".featured figcaption"),
        "Đăng tải thông tin cấp phép trên Cổng Thông tin điện tử Sở Văn hóa và Thể thao Hà Nội"
    );
    let src = page.attr(".featured img", "src").unwrap();
    assert!(src.ends_with("-960.jpg"), "{src}");
    assert_eq!(c.get(&src).await.status, StatusCode::OK);
    // Listings offer the card sizes too.
    let home = c.get("/").await;
    assert!(home.attr("img.card-image", "srcset").is_some(), "home card");
    // The first featured image is fetched first; plain lists show none.
    assert_eq!(
        home.attr(
            ".featured-list li:first-child img.card-image",
            "fetchpriority"
        )
        .as_deref(),
        Some("high")
    );
    assert_eq!(home.count(".latest-block img, .category-block img"), 0);
    // A listing's cards carry their images, titled one level under its h1.
    let list = c.get("/articles").await;
    assert!(list.count(".card-list img.card-image") >= 1);
    assert_eq!(
        list.count(".card-list h2.card-title"),
        list.count(".card-list .card-title")
    );
}

#[actix_web::test]
async fn attachments_are_listed_and_download_under_a_safe_name() {
    let site = TestSite::new();
    editor!(site, c);
    let token = c.admin_token().await;
    let res = c
        .post_form(
            "/admin/entries/new",
            &[
                ("csrf_token", &token),
                ("kind", "article"),
                ("title", "Kế hoạch tuyên truyền"),
                ("body_md", "Toàn văn kế hoạch đính kèm."),
                ("action", "publish"),
            ],
        )
        .await;
    let edit = res.header("location").unwrap();
    let id: i32 = edit.split('/').nth(3).unwrap().parse().unwrap();
    let pdf = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n".to_vec();
    let (ct, body) = multipart(
        &[
            ("csrf_token", &token),
            ("title", "Kế hoạch số 171/KH-SVHTT"),
        ],
        &[("file", "ke-hoach.pdf", &pdf)],
    );
    let res = c
        .post_raw(&format!("/admin/entries/{id}/attachments"), &ct, body)
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);

    let page = c.get("/articles/ke-hoach-tuyen-truyen").await;
    assert_eq!(page.text(".attachments h2"), msg("attachments_title"));
    assert_eq!(
        page.text(".attachments li"),
        "Kế hoạch số 171/KH-SVHTT (PDF, 1 KB)"
    );
    let url = page.attr(".attachments a", "href").unwrap();
    let file = c.get(&url).await;
    assert_eq!(file.status, StatusCode::OK);
    assert_eq!(
        file.header("content-type").as_deref(),
        Some("application/pdf")
    );
    let cd = file.header("content-disposition").unwrap();
    assert!(cd.starts_with("attachment;"), "{cd}");
    assert!(
        !cd.contains('/') || cd.contains("filename*=UTF-8''"),
        "{cd}"
    );
    assert!(
        cd.contains("filename=\"ke-hoach-so-171-kh-svhtt.pdf\""),
        "{cd}"
    );

    // A page disguised as a PDF is refused beside the form; nothing kept.
    let before = files_in(&site.state.config.uploads);
    let (ct, body) = multipart(
        &[("csrf_token", &token)],
        &[("file", "ke-hoach.pdf", b"<html><script>x()</script></html>")],
    );
    let res = c
        .post_raw(&format!("/admin/entries/{id}/attachments"), &ct, body)
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.text("#attachment-file-error")
            .contains(&msg("media_refused_not_image"))
    );
    assert_eq!(files_in(&site.state.config.uploads), before);

    // Removing it takes it off the page.
    let edit = c.get(&format!("/admin/entries/{id}/edit")).await;
    let action = edit
        .attr("#attachments form.inline-form", "action")
        .unwrap();
    let res = c.post_form(&action, &[("csrf_token", &token)]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let page = c.get("/articles/ke-hoach-tuyen-truyen").await;
    assert_eq!(page.count(".attachments"), 0);
    assert_eq!(c.get(&url).await.status, StatusCode::NOT_FOUND);
}

#[actix_web::test]
async fn only_library_names_are_served_from_uploads() {
    let site = TestSite::new();
    std::fs::write(site.state.config.uploads.join("ghi-chu.html"), "<script>").unwrap();
    let mut c = site.client().await;
    for path in [
        "/uploads/ghi-chu.html",
        "/uploads/",
        "/uploads/../loa.db",
        "/uploads/2026/01/.x.part",
        // A library name with no file: the file is the page, so a 404
        // (issue 15: elsewhere a missing file is a server fault, a 500).
        "/uploads/2026/01/0123456789abcdef01234567.jpg",
        "/uploads/files/2026/01/0123456789abcdef01234567.pdf",
    ] {
        assert_eq!(c.get(path).await.status, StatusCode::NOT_FOUND, "{path}");
    }
}

#[test]
fn regenerate_makes_missing_derivatives_again_and_adopts_old_featured_images() {
    let site = TestSite::with_content();
    let uploads = site.state.config.uploads.clone();
    let conn = &mut site.conn();
    let path = media_rows(&site).remove(0).path;
    let stem = path.trim_end_matches(".jpg");
    let lost = uploads.join(format!("{stem}-800.webp"));
    std::fs::remove_file(&lost).unwrap();
    // A featured image stored before the library existed: not in it.
    diesel::RunQueryDsl::execute(diesel::sql_query("DELETE FROM media"), conn).unwrap();
    let report =
        loa::service::media::regenerate_all(conn, &site.state.uploads, site.now(), false).unwrap();
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    assert_eq!((report.registered, report.images), (1, 1));
    assert!(lost.is_file());
    let m = media_rows(&site).remove(0);
    assert_eq!(
        (m.path.as_str(), m.width, m.height),
        (path.as_str(), 1600, 900)
    );
    assert_eq!(
        loa::storage::media::uses(conn, m.id).unwrap().len(),
        1,
        "the reference article uses it"
    );
}

#[actix_web::test]
async fn a_library_image_without_alt_text_cannot_be_saved() {
    let site = TestSite::new();
    editor!(site, c);
    upload(&mut c, &[("a.jpg", &jpeg(400, 200))]).await;
    let m = media_rows(&site).remove(0);
    let token = c.admin_token().await;
    let body = format!("Mở đầu.\n\n![](/uploads/{})", m.path);
    let res = c
        .post_form(
            "/admin/entries/new",
            &[
                ("csrf_token", &token),
                ("kind", "article"),
                ("title", "Ảnh không mô tả"),
                ("body_md", &body),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.text("#body_md-error")
            .contains(&msg("media_body_alt_required"))
    );
    assert_eq!(res.text("#body_md"), common::fold(&body));
}

#[actix_web::test]
async fn the_upload_script_gets_one_json_result_per_file() {
    let site = TestSite::new();
    editor!(site, c);
    let token = c.get("/admin/media").await.token();
    let send = |bytes: Vec<u8>, name: &'static str, token: String| {
        let (ct, body) = multipart(&[("csrf_token", &token)], &[("files", name, &bytes)]);
        actix_web::test::TestRequest::post()
            .uri("/admin/media")
            .insert_header(("content-type", ct))
            .insert_header(("accept", "application/json"))
            .set_payload(body)
    };
    let ok = c
        .send_with(send(jpeg(500, 250), "anh.jpg", token.clone()))
        .await;
    assert_eq!(ok.status, StatusCode::OK);
    let v: serde_json::Value = serde_json::from_str(&ok.body).unwrap();
    let r = &v["results"][0];
    assert_eq!(r["ok"], true);
    assert_eq!(r["name"], "anh.jpg");
    assert_eq!(r["message"], msg("media_stored"));
    assert!(
        r["media"]["url"]
            .as_str()
            .unwrap()
            .starts_with("/uploads/2026/01/")
    );
    let bad = c
        .send_with(send(b"<svg onload=alert(1)>".to_vec(), "x.svg", token))
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let v: serde_json::Value = serde_json::from_str(&bad.body).unwrap();
    assert_eq!(v["results"][0]["ok"], false);
    assert!(v["results"][0]["message"].as_str().unwrap().contains("SVG"));
}

/// Sending the upload form without choosing a file says so at the file
/// field, without a stray colon where a file name would be.
#[actix_web::test]
async fn an_upload_without_a_file_points_at_the_file_field() {
    let site = TestSite::new();
    editor!(site, c);
    let page = upload(&mut c, &[]).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(page.text(".error-summary li"), msg("media_no_file"));
    assert_eq!(
        page.attr(".error-summary li a", "href").as_deref(),
        Some("#files")
    );
    assert_eq!(page.text(".upload-results li"), msg("media_no_file"));
    assert_eq!(page.attr("#files", "aria-invalid").as_deref(), Some("true"));
    // A fresh library page marks nothing.
    let fresh = c.get("/admin/media").await;
    assert_eq!(fresh.attr("#files", "aria-invalid"), None);
}

#[actix_web::test]
async fn an_image_a_page_or_a_translation_shows_cannot_be_deleted() {
    let site = TestSite::with_content();
    editor!(site, c);
    upload(
        &mut c,
        &[
            ("a.png", &encoded(&picture(700, 100), ImageFormat::Png)),
            ("b.png", &encoded(&picture(701, 100), ImageFormat::Png)),
        ],
    )
    .await;
    let named = |name: &str| {
        media_rows(&site)
            .into_iter()
            .find(|m| m.original_name == name)
            .expect("the upload")
    };
    let (a, b) = (named("a.png"), named("b.png"));
    let by = loa::service::entries::Saver {
        name: "test",
        now: site.now(),
    };
    let page = loa::domain::page::validate(&loa::domain::page::PageInput {
        title: "Ảnh".into(),
        body_md: format!("![Một bức ảnh](/uploads/{})", a.path),
        status: "draft".into(),
        ..Default::default()
    })
    .unwrap();
    loa::service::pages::save(
        &mut site.conn(),
        loa::service::pages::Target::New,
        &page,
        by,
    )
    .unwrap();
    let translation =
        loa::domain::translation::validate(&loa::domain::translation::TranslationInput {
            title: "A picture".into(),
            body_md: format!("![A picture](/uploads/{})", b.path),
            status: "draft".into(),
            ..Default::default()
        })
        .unwrap();
    loa::service::translations::save(
        &mut site.conn(),
        loa::storage::translations::Original::Entry(common::reference_id(&site)),
        "en",
        None,
        &translation,
        by,
    )
    .unwrap();
    let token = c.admin_token().await;
    for (m, what) in [(&a, "a page"), (&b, "a translation")] {
        let refused = c
            .post_form(
                &format!("/admin/media/{}/delete", m.id),
                &[("csrf_token", &token)],
            )
            .await;
        assert_eq!(refused.status, StatusCode::CONFLICT, "used by {what}");
        assert!(
            media_rows(&site).iter().any(|r| r.id == m.id),
            "the image {what} shows is kept"
        );
    }
}

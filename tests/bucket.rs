//! Uploads in S3-compatible object storage, for real: `s3s-fs` from
//! crates.io (an S3 server over a folder; `cargo xtask install` builds it
//! into `target/tools`) on loopback, and two `loa serve` processes with
//! `uploads = "s3://loa-media/site"` on the suite's database (a SQLite
//! file, or PostgreSQL when the suite runs there), all started here and
//! stopped by pid.
//!
//! What a department sees: the seed's images land in the bucket, not on
//! a server's disk; an image an editor uploads on one server is served by
//! the other; a deleted image is gone from the bucket; wrong credentials
//! stop loa at once with a message naming the bucket.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::balancer::{Browser, add_staff, free_port, sign_in};
use super::servers::Server;
use crate::common;

const ARTICLE: &str =
    "/articles/so-vhtt-ha-noi-tang-cuong-thong-tin-tuyen-truyen-ve-cai-cach-hanh-chinh";
const KEY_ID: &str = "loa-test-key";
const SECRET: &str = "loa-test-secret-for-the-bucket";
const BUCKET: &str = "loa-media";

/// `s3s-fs` serving `root` (a bucket is a folder in it), killed when
/// dropped.
struct S3Server {
    child: Child,
    endpoint: String,
    root: PathBuf,
}

impl S3Server {
    fn start(root: &Path) -> Self {
        std::fs::create_dir_all(root.join(BUCKET)).unwrap();
        let port = free_port();
        let program = std::env::var("LOA_S3S_FS")
            .map(PathBuf::from)
            .unwrap_or_else(|_| common::repo().join("target/tools/bin/s3s-fs"));
        let child = Command::new(&program)
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .args(["--access-key", KEY_ID, "--secret-key", SECRET])
            .arg(root)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "start {} ({e}): `cargo xtask install` builds it",
                    program.display()
                )
            });
        let server = Self {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
            root: root.to_owned(),
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "s3s-fs did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        server
    }

    /// The stored object at `key` under the site's prefix, read from the
    /// server's own folder.
    fn object(&self, key: &str) -> Option<Vec<u8>> {
        std::fs::read(self.root.join(BUCKET).join("site").join(key)).ok()
    }

    /// Every object key under the site's prefix.
    fn keys(&self) -> Vec<String> {
        let base = self.root.join(BUCKET).join("site");
        let mut out: Vec<String> = walkdir::WalkDir::new(&base)
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
            .map(|e| {
                e.path()
                    .strip_prefix(&base)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        out.sort();
        out
    }

    /// The variables loa reads for the bucket.
    fn env(&self, secret: &str) -> Vec<(&'static str, String)> {
        vec![
            ("LOA_UPLOADS", format!("s3://{BUCKET}/site")),
            ("AWS_ACCESS_KEY_ID", KEY_ID.to_owned()),
            ("AWS_SECRET_ACCESS_KEY", secret.to_owned()),
            ("AWS_ENDPOINT_URL", self.endpoint.clone()),
            ("AWS_ALLOW_HTTP", "true".to_owned()),
            ("AWS_REGION", "us-east-1".to_owned()),
        ]
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A JPEG of `w`×`h` drawn here.
fn jpeg(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        image::Rgb([(x * 255 / w) as u8, (y * 255 / h) as u8, 90])
    });
    let mut out = Vec::new();
    image::DynamicImage::ImageRgb8(img)
        .write_to(
            &mut std::io::Cursor::new(&mut out),
            image::ImageFormat::Jpeg,
        )
        .unwrap();
    out
}

/// A `multipart/form-data` body: `fields`, then one file.
fn multipart(fields: &[(&str, &str)], file: (&str, &str, &[u8])) -> (String, Vec<u8>) {
    let boundary = "loa-test-boundary-7f3a";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    let (field, name, bytes) = file;
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{name}\"\r\n\
             Content-Type: image/jpeg\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[test]
fn uploads_in_a_bucket_are_shared_by_every_server() {
    let dir = tempfile::tempdir().unwrap();
    let s3 = S3Server::start(&dir.path().join("s3"));
    let (_pg, url) = common::server_database(dir.path());
    add_staff(
        &url,
        "bientap",
        "mat-khau-bien-tap",
        loa::domain::user::Role::Editor,
    );
    let content = common::site_dir().to_string_lossy().into_owned();
    let mut env = s3.env(SECRET);
    env.push(("LOA_CONTENT", content));
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    // Server A imports the seed (its image goes through the media
    // pipeline into the bucket); server B starts on the imported site.
    let a = Server::start(&url, &dir.path().join("a"), &env);
    let b = Server::start(&url, &dir.path().join("b"), &env);
    let keys = s3.keys();
    assert!(
        keys.iter().any(|k| k.ends_with(".jpg")) && keys.iter().any(|k| k.ends_with("-640.webp")),
        "the seed image and its derivatives are in the bucket: {keys:?}"
    );
    for server in ["a", "b"] {
        let local = dir.path().join(server).join("uploads");
        let files = walkdir::WalkDir::new(&local)
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
            .count();
        assert_eq!(files, 0, "nothing stored on server {server}'s disk");
    }

    // Both serve the article's image from the bucket, byte for byte.
    let mut reader = Browser::new(&b.addr);
    let page = reader.get(ARTICLE).unwrap();
    let src = page
        .attr("article img", "src")
        .expect("the article shows its image");
    let key = src.strip_prefix("/uploads/").expect("an upload").to_owned();
    let stored = s3.object(&key).expect("in the bucket");
    for server in [&a, &b] {
        let mut r = Browser::new(&server.addr);
        let img = r.get(&src).unwrap();
        assert_eq!(img.status, 200);
        assert_eq!(img.header("Content-Type"), Some("image/jpeg"));
        assert_eq!(img.bytes, stored);
        assert!(
            img.header("Cache-Control")
                .is_some_and(|c| c.contains("immutable"))
        );
        // A browser's copy is current: the name is the content's hash.
        let etag = img.header("ETag").expect("ETag").to_owned();
        let again = r
            .exchange("GET", &src, None, b"", &[("If-None-Match", &etag)])
            .unwrap();
        assert_eq!(again.status, 304);
    }
    // A name the library never made is not fetched from the bucket.
    assert_eq!(reader.get("/uploads/../secret.txt").unwrap().status, 404);
    let missing = key.replace(".jpg", "-9999.jpg");
    assert_eq!(
        reader.get(&format!("/uploads/{missing}")).unwrap().status,
        404
    );

    // An editor uploads a photo on server A; server B serves it.
    let (mut editor, token) = sign_in(&a.addr, "bientap", "mat-khau-bien-tap");
    let photo = jpeg(900, 600);
    let (content_type, body) = multipart(
        &[("csrf_token", &token)],
        ("files", "le-hoi-pho-co.jpg", &photo),
    );
    let uploaded = editor
        .exchange(
            "POST",
            "/admin/media",
            Some(&content_type),
            &body,
            &[("Accept", "application/json")],
        )
        .unwrap();
    assert_eq!(uploaded.status, 200, "{}", uploaded.body);
    let json: serde_json::Value = serde_json::from_str(&uploaded.body).unwrap();
    let media = &json["results"][0]["media"];
    let new_url = media["url"].as_str().expect("the stored image's address");
    let id = media["id"].as_i64().unwrap();
    let served = Browser::new(&b.addr).get(new_url).unwrap();
    assert_eq!(served.status, 200);
    assert_eq!(
        served.bytes,
        s3.object(new_url.strip_prefix("/uploads/").unwrap())
            .unwrap()
    );
    let decoded = image::load_from_memory(&served.bytes).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (900, 600));

    // Deleted on B: its objects leave the bucket, and A answers 404.
    let (mut other, token) = sign_in(&b.addr, "bientap", "mat-khau-bien-tap");
    let stem = new_url
        .strip_prefix("/uploads/")
        .unwrap()
        .trim_end_matches(".jpg")
        .to_owned();
    assert!(s3.keys().iter().filter(|k| k.starts_with(&stem)).count() > 1);
    let deleted = other
        .post(
            &format!("/admin/media/{id}/delete"),
            &[("csrf_token", &token)],
        )
        .unwrap();
    assert_eq!(deleted.status, 303, "{}", deleted.body);
    assert_eq!(
        s3.keys()
            .iter()
            .filter(|k| k.starts_with(&stem))
            .collect::<Vec<_>>(),
        Vec::<&String>::new()
    );
    assert_eq!(Browser::new(&a.addr).get(new_url).unwrap().status, 404);
    drop((a, b));
}

#[test]
fn wrong_bucket_credentials_stop_loa_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let s3 = S3Server::start(&dir.path().join("s3"));
    let db = dir.path().join("loa.db");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_loa"));
    cmd.arg("--database")
        .arg(&db)
        .args(["import", "tests/fixtures/site"])
        .current_dir(common::repo());
    for (k, v) in s3.env("not-the-secret") {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(stderr.contains("s3://loa-media/site"), "{stderr}");
    assert!(s3.keys().is_empty(), "nothing stored");
}

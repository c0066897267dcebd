//! Theme assets under `/static/` and media under `/uploads/`.
//!
//! Theme files are addressed by content hash (`/static/site.<hash>.css`,
//! printed by templates through `asset["site.css"]`) and served as
//! immutable for a year; plain names (`/static/logo.png`, linked from
//! JSON-LD and feeds) are still served, cached for an hour. Only files the
//! theme has are served: a request names a key, never a path.

use std::sync::LazyLock;

use actix_files::NamedFile;
use actix_web::http::header::{
    CACHE_CONTROL, Charset, ContentDisposition, DispositionParam, DispositionType, ExtendedValue,
    HeaderValue,
};
use actix_web::{HttpRequest, HttpResponse, web};
use regex::Regex;

use super::AppState;
use crate::error::AppError;
use crate::media::uploads::Uploads;

/// `GET /static/{file}`
pub async fn asset(
    state: web::Data<AppState>,
    req: HttpRequest,
    file: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let assets = state.theme.assets();
    let (path, cache) = match (
        assets.hashed.get(file.as_str()),
        assets.plain.get(file.as_str()),
    ) {
        (Some(p), _) => (p.clone(), "public, max-age=31536000, immutable"),
        (None, Some(p)) => (p.clone(), "public, max-age=3600"),
        (None, None) => return Err(AppError::NotFound),
    };
    // Listed by the theme but gone from disk (a theme edited while it
    // runs): the file is the page, so a 404.
    let mut res = NamedFile::open_async(&path)
        .await
        .map_err(AppError::missing_page)?
        .use_etag(true)
        .use_last_modified(true)
        .into_response(&req);
    res.headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static(cache));
    Ok(res)
}

/// `GET /uploads/{path}`: library images, their derivatives and attached
/// documents. Only names the library makes are served (a content hash,
/// an optional width, a known extension): never a directory listing, a
/// hidden or temporary file, or anything else that lands in the folder.
/// The names change when the content does, so every file is immutable for
/// a year. Images are shown inline; documents download, under their title.
pub async fn upload(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let path = path.into_inner();
    let (mime, document) = served_type(&path).ok_or(AppError::NotFound)?;
    let disposition = if document {
        let p = path.clone();
        let title = super::db::run(&state, move |conn| {
            Ok(crate::storage::media::attachment_by_path(conn, &p)?.map(|a| a.title))
        })
        .await?;
        let ext = path.rsplit('.').next().unwrap_or("");
        let name = download_name(title.as_deref().unwrap_or("tai-lieu"), ext);
        ContentDisposition {
            disposition: DispositionType::Attachment,
            parameters: vec![
                DispositionParam::Filename(
                    crate::domain::slug::slugify_or(&name, "tai-lieu") + "." + ext,
                ),
                DispositionParam::FilenameExt(ExtendedValue {
                    charset: Charset::Ext("UTF-8".to_owned()),
                    language_tag: None,
                    value: format!("{name}.{ext}").into_bytes(),
                }),
            ],
        }
    } else {
        ContentDisposition {
            disposition: DispositionType::Inline,
            parameters: vec![],
        }
    };
    let mut res = match &state.uploads {
        Uploads::Folder(dir) => {
            // No such file is a missing page (404); a file that cannot be
            // read (permissions, a disk error) is a server fault (500).
            NamedFile::open_async(dir.join(&path))
                .await
                .map_err(AppError::missing_page)?
                .set_content_type(mime)
                .use_etag(true)
                .use_last_modified(true)
                .prefer_utf8(false)
                .set_content_disposition(disposition)
                .into_response(&req)
        }
        Uploads::Bucket(_) => from_bucket(&state.uploads, &req, &path, mime, disposition).await?,
    };
    res.headers_mut().insert(
        CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    Ok(res)
}

/// A file from the uploads bucket, passed through. Its name is its
/// content's hash, so the name is its validator: a browser's copy is
/// always current (`304`).
async fn from_bucket(
    uploads: &Uploads,
    req: &HttpRequest,
    path: &str,
    mime: actix_web::mime::Mime,
    disposition: ContentDisposition,
) -> Result<HttpResponse, AppError> {
    let etag = format!("\"{}\"", path.replace('/', "-"));
    let current = req
        .headers()
        .get(actix_web::http::header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag));
    let mut res = if current {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    res.insert_header((actix_web::http::header::ETAG, etag))
        .insert_header((actix_web::http::header::CONTENT_DISPOSITION, disposition));
    if current {
        return Ok(res.finish());
    }
    let bytes = uploads
        .fetch(path)
        .await
        .map_err(AppError::from)?
        .ok_or(AppError::NotFound)?;
    Ok(res.content_type(mime).body(bytes))
}

/// The content type of a file the library may serve, and whether it is a
/// document; `None` for any other path.
fn served_type(path: &str) -> Option<(actix_web::mime::Mime, bool)> {
    use crate::media::documents::DocKind;
    use crate::media::images::Format;
    static IMAGE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^\d{4}/\d{2}/[0-9a-f]{24}(?:-\d{2,4})?\.(jpg|png|webp|gif)$")
            .expect("image path pattern")
    });
    static DOCUMENT: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^files/\d{4}/\d{2}/[0-9a-f]{24}\.(pdf|docx|xlsx|odt)$")
            .expect("document path pattern")
    });
    if let Some(c) = IMAGE.captures(path) {
        let f = Format::from_ext(c.get(1)?.as_str())?;
        return Some((f.mime().parse().ok()?, false));
    }
    let c = DOCUMENT.captures(path)?;
    let k = DocKind::from_ext(c.get(1)?.as_str())?;
    Some((k.mime().parse().ok()?, true))
}

/// A download's file name from an attachment's title: no path separators,
/// quotes or control characters, at most 100 characters.
fn download_name(title: &str, ext: &str) -> String {
    let clean: String = title
        .chars()
        .map(|c| match c {
            '/' | '\\' | '"' | ':' | '*' | '?' | '<' | '>' | '|' => '-',
            c if c.is_control() => ' ',
            c => c,
        })
        .take(100)
        .collect();
    let clean = clean.trim().trim_start_matches('.').to_owned();
    let suffix = format!(".{ext}");
    let clean = clean.strip_suffix(&suffix).unwrap_or(&clean).to_owned();
    if clean.is_empty() {
        "tai-lieu".to_owned()
    } else {
        clean
    }
}

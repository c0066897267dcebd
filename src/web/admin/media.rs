//! The media library (`/admin/media`): upload (one file or a batch, each
//! reported by name), search, alt text and caption, which entries use an
//! image, unused images, delete (refused while in use); and entries'
//! attachments.
//!
//! Writes that change what a public page shows go through
//! [`attach`] and [`detach`] (an entry's attachment list). Library images
//! themselves never change a public page: alt text and caption here are
//! what the editor copies into an entry; delete is refused while any
//! entry uses the image.

use crate::storage::Db;
use std::collections::{BTreeMap, HashMap};

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;

use super::{AdminBase, Auditor, Fields, change, field, page_view, see_other};
use crate::error::AppError;
use crate::media::images::{self, Format, Refusal};
use crate::media::store;
use crate::render::dates::{ShownTime, show};
use crate::service::media::{Registration, register};
use crate::storage::media::{self as library, Media};
use crate::web::multipart::{self, UploadedFile};
use crate::web::session::Staff;
use crate::web::views::Pagination;
use crate::web::{AppState, db, pages};

const PER_PAGE: u32 = 48;
/// Files in one upload request, at most.
const BATCH: usize = 50;
/// One upload request's bytes, at most, in per-file limits (the form is
/// held in memory until checked; the script sends one file per request).
const REQUEST_FILES: usize = 5;

/// A library image as the admin pages show it.
#[derive(Serialize)]
pub(super) struct MediaCard {
    id: i32,
    url: String,
    thumb: String,
    width: i32,
    height: i32,
    alt: String,
    caption: String,
    name: String,
    /// In bytes; printed with the `filesize` filter.
    size: u64,
    uses: i64,
    created: ShownTime,
    /// What to paste into a body (only when there is alt text).
    markdown: Option<String>,
    path: String,
}

pub(super) fn card(m: &Media, uses: i64, tz: chrono_tz::Tz) -> MediaCard {
    let url = format!("/uploads/{}", m.path);
    let thumb = if m.width > 320 {
        let f = Format::parse(&m.format).unwrap_or(Format::Jpeg);
        format!("/uploads/{}", store::rendition_path(&m.path, Some(320), f))
    } else {
        url.clone()
    };
    MediaCard {
        id: m.id,
        markdown: (!m.alt.trim().is_empty())
            .then(|| format!("![{}]({url})", m.alt.replace(['[', ']'], ""))),
        url,
        thumb,
        width: m.width,
        height: m.height,
        alt: m.alt.clone(),
        caption: m.caption.clone(),
        name: m.original_name.clone(),
        size: m.size_bytes.max(0) as u64,
        uses,
        created: show(m.created_at, tz),
        path: m.path.clone(),
    }
}

/// What happened to one uploaded file.
#[derive(Serialize)]
struct UploadResult {
    name: String,
    ok: bool,
    duplicate: bool,
    message: String,
    media: Option<MediaCard>,
}

/// `admin/media/library.html`: the image library and the upload form.
#[derive(Serialize)]
struct LibraryPage<'a> {
    #[serde(flatten)]
    admin: AdminBase<'a>,
    /// This page's images, newest first (see `MediaCard`).
    media: Vec<MediaCard>,
    /// How many images match in all.
    total: i64,
    /// The text searched for.
    q: &'a str,
    /// Whether only images no entry uses are shown.
    unused: bool,
    /// Where this page is among the library's pages.
    pagination: Pagination,
    /// What happened to each file of an upload without script (empty
    /// otherwise): `name`, `ok`, `duplicate`, `message`, `media`.
    results: Vec<UploadResult>,
    /// How many of `results` were refused.
    refused: usize,
    /// The largest upload, in MB.
    max_mb: usize,
    /// The widths derivatives are made at.
    widths: &'static [u32],
}

/// `admin/media/show.html`: one image, its texts, uses and derivatives.
#[derive(Serialize)]
struct ImagePage<'a> {
    #[serde(flatten)]
    admin: AdminBase<'a>,
    /// The image (see `MediaCard`).
    m: MediaCard,
    /// The alternative text and caption (as typed, when sent back).
    alt: &'a str,
    caption: &'a str,
    /// The entries that show it.
    uses: &'a [library::Use],
    /// Its files: `url`, `width`, `label` (the format).
    renditions: Vec<Rendition>,
    /// Whether its texts were just saved.
    saved: bool,
    /// Every problem, as `field` and `message`.
    errors: Vec<BTreeMap<&'static str, String>>,
    /// The message beside each field with a problem, by field name.
    field_errors: HashMap<&'static str, String>,
}

/// `GET /admin/media?q=&unused=1&page=`
pub async fn library(
    state: web::Data<AppState>,
    req: HttpRequest,
    staff: Staff,
) -> Result<HttpResponse, AppError> {
    staff.require(staff.role().writes())?;
    render_library(&state, &req, &staff, Vec::new(), StatusCode::OK).await
}

async fn render_library(
    state: &web::Data<AppState>,
    req: &HttpRequest,
    staff: &Staff,
    results: Vec<UploadResult>,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let q = crate::web::public::query(req)?;
    let page_no = crate::web::public::page_param(req)?;
    let text = q.get("q").cloned().unwrap_or_default();
    let unused = q.get("unused").is_some_and(|v| v == "1");
    let t = text.clone();
    let (base, (rows, total), counts) = db::run(state, move |conn| {
        let offset = i64::from(page_no - 1) * i64::from(PER_PAGE);
        let (rows, total) = library::list(conn, Some(&t), unused, offset, i64::from(PER_PAGE))?;
        let ids: Vec<i32> = rows.iter().map(|m| m.id).collect();
        let counts = library::use_counts(conn, &ids)?;
        Ok((pages::load_base(conn)?, (rows, total), counts))
    })
    .await?;
    let tz = state.config.tz();
    let cards: Vec<MediaCard> = rows
        .iter()
        .map(|m| card(m, counts.get(&m.id).copied().unwrap_or(0), tz))
        .collect();
    let mut link = String::from("/admin/media?");
    if !text.is_empty() {
        link.push_str(&format!(
            "q={}&",
            url::form_urlencoded::byte_serialize(text.as_bytes()).collect::<String>()
        ));
    }
    if unused {
        link.push_str("unused=1&");
    }
    let link = link.trim_end_matches(['&', '?']).to_owned();
    let pagination = if link.contains('?') {
        Pagination::with_query(&link, page_no, PER_PAGE, total)
    } else {
        Pagination::new(&link, page_no, PER_PAGE, total)
    };
    let view = LibraryPage {
        admin: AdminBase::new(state, req, base, staff),
        media: cards,
        total,
        q: &text,
        unused,
        pagination,
        refused: results.iter().filter(|r| !r.ok).count(),
        results,
        max_mb: state.media_limits.max_bytes / (1024 * 1024),
        widths: &images::WIDTHS,
    };
    page_view(
        staff.theme(state),
        "admin/media/library.html",
        &view,
        status,
    )
}

/// Whether the client asked for JSON (the upload script does).
fn wants_json(req: &HttpRequest) -> bool {
    req.headers()
        .get(actix_web::http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"))
}

/// `POST /admin/media`: a multipart form with `csrf_token` and one or more
/// `files`. Each file is checked, re-encoded and stored on its own; the
/// answer lists what happened to each (422 when any was refused).
pub async fn upload(
    state: web::Data<AppState>,
    req: HttpRequest,
    staff: Option<Staff>,
    payload: Multipart,
) -> Result<HttpResponse, AppError> {
    let staff = staff.ok_or(AppError::Forbidden)?;
    let limits = state.media_limits;
    let total = limits
        .max_bytes
        .saturating_mul(REQUEST_FILES)
        .saturating_add(1 << 20);
    let form = multipart::read(payload, limits.max_bytes, total).await?;
    staff.check_csrf(&state, form.field("csrf_token"))?;
    staff.require(staff.role().writes())?;
    if form.files.len() > BATCH {
        return Err(AppError::TooLarge);
    }
    let auditor = super::auditor(&state, &req, &staff);
    let auditor = std::sync::Arc::new(auditor);
    let mut results = Vec::with_capacity(form.files.len());
    for file in form.files.into_iter().filter(|f| f.field == "files") {
        results.push(store_one(&state, staff.theme(&state), auditor.clone(), file).await?);
    }
    if results.is_empty() {
        results.push(UploadResult {
            name: String::new(),
            ok: false,
            duplicate: false,
            message: staff.theme(&state).message("media_no_file"),
            media: None,
        });
    }
    let status = if results.iter().all(|r| r.ok) {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    if wants_json(&req) {
        return Ok(HttpResponse::build(status)
            .insert_header(("Cache-Control", "no-store"))
            .json(serde_json::json!({ "results": results })));
    }
    render_library(&state, &req, &staff, results, status).await
}

/// Checks and stores one uploaded file: cheap checks first, the library
/// asked whether it already has these bytes, then decoding and the
/// derivatives off the executor, then the files, then the row.
async fn store_one(
    state: &web::Data<AppState>,
    theme: &crate::render::templates::Theme,
    auditor: std::sync::Arc<Auditor>,
    file: UploadedFile,
) -> Result<UploadResult, AppError> {
    let tz = state.config.tz();
    let refused = |r: Refusal, name: String| UploadResult {
        name,
        ok: false,
        duplicate: false,
        message: theme.message(r.message_key()),
        media: None,
    };
    if file.too_large {
        return Ok(refused(Refusal::TooLarge, file.name));
    }
    let limits = state.media_limits;
    if let Err(r) = images::precheck(&file.name, &file.bytes, &limits) {
        return Ok(refused(r, file.name));
    }
    let (name, bytes) = (file.name, file.bytes);
    let hash = store::hash_name(&bytes);
    let h = hash.clone();
    if let Some(m) = db::run(state, move |conn| Ok(library::find_by_hash(conn, &h)?)).await? {
        return Ok(UploadResult {
            name,
            ok: true,
            duplicate: true,
            message: theme.message("media_duplicate"),
            media: Some(card(&m, 0, tz)),
        });
    }
    let uploads = state.uploads.clone();
    let now = state.now();
    let n = name.clone();
    let stored = web::block(move || -> Result<_, store::StoreError> {
        let prepared = store::prepare(&n, &bytes, &limits)?;
        let path = store::image_path(now, &prepared.hash, prepared.format);
        Ok(prepared.write(&uploads, &path)?)
    })
    .await?;
    let stored = match stored {
        Ok(s) => s,
        Err(store::StoreError::Refused(r)) => return Ok(refused(r, name)),
        Err(e) => return Err(AppError::internal(e)),
    };
    let n = name.clone();
    let (m, new) = db::run(state, move |conn| {
        let registration = Registration {
            original_name: &n,
            alt: "",
            caption: "",
            by: auditor.who(),
            now,
        };
        let row = register(conn, &stored, registration)?;
        if row.1 {
            auditor.record(conn, "media.upload", &stored.path, &n)?;
        }
        Ok(row)
    })
    .await?;
    Ok(UploadResult {
        name,
        ok: true,
        duplicate: !new,
        message: theme.message(if new {
            "media_stored"
        } else {
            "media_duplicate"
        }),
        media: Some(card(&m, 0, tz)),
    })
}

#[derive(Serialize)]
struct Rendition {
    url: String,
    width: u32,
    label: String,
}

/// `GET /admin/media/{id}`
pub async fn show_one(
    state: web::Data<AppState>,
    req: HttpRequest,
    staff: Staff,
    id: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    staff.require(staff.role().writes())?;
    let saved = req.query_string().contains("saved=1");
    detail(
        &state,
        &req,
        &staff,
        id.into_inner(),
        Detail {
            saved,
            ..Detail::default()
        },
        StatusCode::OK,
    )
    .await
}

#[derive(Default)]
struct Detail {
    saved: bool,
    /// Alt and caption as typed, when sent back with errors.
    typed: Option<(String, String)>,
    errors: Vec<(&'static str, &'static str)>,
}

async fn detail(
    state: &web::Data<AppState>,
    req: &HttpRequest,
    staff: &Staff,
    id: i32,
    d: Detail,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let (base, m, uses) = db::run(state, move |conn| {
        Ok((
            pages::load_base(conn)?,
            library::find(conn, id)?,
            library::uses(conn, id)?,
        ))
    })
    .await?;
    let tz = state.config.tz();
    let format = Format::parse(&m.format).unwrap_or(Format::Jpeg);
    let mut renditions: Vec<Rendition> = Vec::new();
    let mut formats = vec![format];
    if format.gets_webp() {
        formats.push(Format::WebP);
    }
    for f in formats {
        for w in images::widths_for(m.width.max(0) as u32) {
            renditions.push(Rendition {
                url: format!("/uploads/{}", store::rendition_path(&m.path, Some(w), f)),
                width: w,
                label: f.ext().to_uppercase(),
            });
        }
        renditions.push(Rendition {
            url: format!("/uploads/{}", store::rendition_path(&m.path, None, f)),
            width: m.width.max(0) as u32,
            label: f.ext().to_uppercase(),
        });
    }
    let (alt, caption) = d
        .typed
        .clone()
        .unwrap_or((m.alt.clone(), m.caption.clone()));
    let errors: Vec<BTreeMap<&str, String>> = d
        .errors
        .iter()
        .map(|(f, key)| {
            BTreeMap::from([
                ("field", (*f).to_owned()),
                ("message", staff.theme(state).message(key)),
            ])
        })
        .collect();
    let field_errors: HashMap<&str, String> = d
        .errors
        .iter()
        .map(|(f, key)| (*f, staff.theme(state).message(key)))
        .collect();
    let view = ImagePage {
        admin: AdminBase::new(state, req, base, staff),
        m: card(&m, uses.len() as i64, tz),
        alt: &alt,
        caption: &caption,
        uses: &uses,
        renditions,
        saved: d.saved,
        errors,
        field_errors,
    };
    page_view(staff.theme(state), "admin/media/show.html", &view, status)
}

/// `POST /admin/media/{id}`: alt text and caption.
pub async fn save(
    state: web::Data<AppState>,
    req: HttpRequest,
    staff: Staff,
    id: web::Path<i32>,
    form: Fields,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    staff.check_csrf(&state, field(&form, "csrf_token"))?;
    staff.require(staff.role().writes())?;
    let alt = field(&form, "alt").trim().to_owned();
    let caption = field(&form, "caption").trim().to_owned();
    let mut errors = Vec::new();
    if alt.chars().count() > 300 {
        errors.push(("alt", "media_alt_too_long"));
    }
    if caption.chars().count() > 500 {
        errors.push(("caption", "media_caption_too_long"));
    }
    if !errors.is_empty() {
        let d = Detail {
            typed: Some((alt, caption)),
            errors,
            ..Detail::default()
        };
        return detail(
            &state,
            &req,
            &staff,
            id,
            d,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    change(
        &state,
        &req,
        &staff,
        field(&form, "csrf_token"),
        true,
        move |conn, audit| {
            let m = library::set_text(conn, id, &alt, &caption)?;
            audit.record(conn, "media.describe", &m.path, &alt)
        },
    )
    .await?;
    Ok(see_other(&format!("/admin/media/{id}?saved=1")))
}

/// `POST /admin/media/{id}/delete` (editors and admins): refused (409)
/// while an entry uses the image.
pub async fn delete(
    state: web::Data<AppState>,
    req: HttpRequest,
    staff: Staff,
    id: web::Path<i32>,
    form: Fields,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let outcome = change(
        &state,
        &req,
        &staff,
        field(&form, "csrf_token"),
        staff.role().edits_all(),
        move |conn, audit| {
            let out = library::delete_unused(conn, id)?;
            if let Ok(m) = &out {
                audit.record(conn, "media.delete", &m.path, &m.original_name)?;
            }
            Ok(out)
        },
    )
    .await?;
    match outcome {
        Ok(m) => {
            let uploads = state.uploads.clone();
            let format = Format::parse(&m.format).unwrap_or(Format::Jpeg);
            let removed =
                web::block(move || store::remove_image(&uploads, &m.path, format)).await?;
            if let Err(e) = removed {
                tracing::warn!("media {id}: files not all removed: {e}");
            }
            Ok(see_other("/admin/media?deleted=1"))
        }
        Err(_) => {
            let d = Detail {
                errors: vec![("uses", "media_in_use")],
                ..Detail::default()
            };
            detail(&state, &req, &staff, id, d, StatusCode::CONFLICT).await
        }
    }
}

/// The library's images with alt text that the editor offers, newest
/// first, as cards.
pub(super) fn choosable(conn: &mut Db, tz: chrono_tz::Tz) -> Result<Vec<MediaCard>, AppError> {
    Ok(library::choosable(conn, 60)?
        .iter()
        .map(|m| card(m, 0, tz))
        .collect())
}

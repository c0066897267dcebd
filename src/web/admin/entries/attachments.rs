//! An entry's attachments: documents uploaded to it, shown on its page.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use actix_multipart::Multipart;

use super::super::{Fields, auditor, change, field, see_other};
use super::form::{EditorState, Values, editor};
use super::load;
use crate::domain::user::may_edit;
use crate::error::AppError;
use crate::media::documents::{self, DocKind};
use crate::media::images::Refusal;
use crate::media::store;
use crate::storage::entries;
use crate::storage::media as library;
use crate::web::session::Staff;
use crate::web::{AppState, db, multipart};

/// The editor of entry `id` with an attachment refused (422): the form
/// shows the entry as saved, and the reason beside the attachment form.
async fn attachment_refused(
    state: &web::Data<AppState>,
    req: &HttpRequest,
    staff: &Staff,
    id: i32,
    key: &'static str,
) -> Result<HttpResponse, AppError> {
    let (e, t, items) = load(state, id).await?;
    let values = Values::from_entry(&e, &t, &items, state.config.tz());
    let es = EditorState {
        attachment_error: Some(key),
        ..EditorState::new(e.kind, Some(e))
    };
    editor(
        state,
        req,
        staff,
        values,
        es,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}

/// `POST /admin/entries/{id}/attachments`: a multipart form with
/// `csrf_token`, `title` and `file`. Changes the entry's public page.
pub async fn attach(
    state: web::Data<AppState>,
    req: HttpRequest,
    staff: Option<Staff>,
    id: web::Path<i32>,
    payload: Multipart,
) -> Result<HttpResponse, AppError> {
    let staff = staff.ok_or(AppError::Forbidden)?;
    let id = id.into_inner();
    let form = multipart::read(
        payload,
        documents::MAX_BYTES,
        documents::MAX_BYTES + (1 << 20),
    )
    .await?;
    staff.check_csrf(&state, form.field("csrf_token"))?;
    let entry = db::run(&state, move |conn| Ok(entries::find(conn, id)?)).await?;
    staff.require(may_edit(
        staff.role(),
        entry.author_id == Some(staff.user.id),
        entry.status,
    ))?;
    let Some(file) = form.files.into_iter().find(|f| f.field == "file") else {
        return attachment_refused(&state, &req, &staff, id, "media_no_file").await;
    };
    if file.too_large {
        return attachment_refused(&state, &req, &staff, id, Refusal::TooLarge.message_key()).await;
    }
    let title = match form.fields.get("title").map(|t| t.trim()) {
        Some(t) if !t.is_empty() => t.chars().take(200).collect::<String>(),
        _ => file
            .name
            .rsplit_once('.')
            .map_or(file.name.as_str(), |(s, _)| s)
            .chars()
            .take(200)
            .collect(),
    };
    let uploads = state.uploads.clone();
    let now = state.now();
    let size = file.bytes.len();
    let stored =
        web::block(move || store::store_document(&uploads, &file.name, &file.bytes, now)).await?;
    let (kind, path): (DocKind, String) = match stored {
        Ok(ok) => ok,
        Err(store::StoreError::Refused(r)) => {
            return attachment_refused(&state, &req, &staff, id, r.message_key()).await;
        }
        Err(e) => return Err(AppError::internal(e)),
    };
    let auditor = auditor(&state, &req, &staff);
    db::run(&state, move |conn| {
        library::attach(conn, id, &path, &title, kind.mime(), size as i32)?;
        auditor.record(conn, "attachment.add", &entry.slug, &title)
    })
    .await?;
    Ok(see_other(&format!("/admin/entries/{id}/edit#attachments")))
}

/// `POST /admin/entries/{id}/attachments/{att}/delete`. Changes the
/// entry's public page.
pub async fn detach(
    state: web::Data<AppState>,
    req: HttpRequest,
    staff: Staff,
    path: web::Path<(i32, i32)>,
    form: Fields,
) -> Result<HttpResponse, AppError> {
    let (id, att) = path.into_inner();
    let entry = db::run(&state, move |conn| Ok(entries::find(conn, id)?)).await?;
    let allowed = may_edit(
        staff.role(),
        entry.author_id == Some(staff.user.id),
        entry.status,
    );
    let (a, still) = change(
        &state,
        &req,
        &staff,
        field(&form, "csrf_token"),
        allowed,
        move |conn, audit| {
            let out = library::detach(conn, id, att)?;
            audit.record(conn, "attachment.remove", &entry.slug, &out.0.title)?;
            Ok(out)
        },
    )
    .await?;
    if !still {
        let uploads = state.uploads.clone();
        let _ = web::block(move || uploads.remove(&a.path)).await?;
    }
    Ok(see_other(&format!("/admin/entries/{id}/edit#attachments")))
}

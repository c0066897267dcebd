//! The document registry's staff side (editors and admins): the list,
//! adding, editing and deleting records. Every change is audited; the
//! public pages (`/documents`, the record, and every entry page whose text
//! cites the number) show it at once.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;

use super::{AdminBase, Fields, field, page_view, see_other};
use crate::domain::document::{self, DocStatus, DocumentInput, TYPED_DATE};
use crate::error::AppError;
use crate::storage::documents::{self, Document, Duplicate};
use crate::web::public::documents::DocumentView;
use crate::web::session::Staff;
use crate::web::{AppState, db, pages};

/// A stored document file the record may offer for download.
#[derive(Serialize)]
struct FileChoice {
    path: String,
    label: String,
}

#[derive(Serialize)]
struct Row {
    id: i32,
    #[serde(flatten)]
    view: DocumentView,
}

/// `admin/documents/list.html`: every record.
#[derive(Serialize)]
struct ListPage<'a> {
    #[serde(flatten)]
    admin: AdminBase<'a>,
    /// The records: `id` and the public view's fields (`number`,
    /// `doc_type`, `issuer`, `issued_on`, `status`, `url`…).
    documents: Vec<Row>,
    /// Whether a record was just saved or deleted.
    saved: bool,
}

/// `admin/documents/edit.html`: a record's form, new or to edit.
#[derive(Serialize)]
struct EditPage<'a> {
    #[serde(flatten)]
    admin: AdminBase<'a>,
    /// The stored document files the record may offer (`path`, `label`).
    files: Vec<FileChoice>,
    /// The message beside each field with a problem, by field name.
    field_errors: HashMap<&'static str, String>,
    /// Every problem in form order, as (field name, message) pairs.
    errors: Vec<(&'static str, String)>,
    /// The form's values: `doc_type`, `number`, `issuer`, `issued_on`,
    /// `effective_on` (`DD/MM/YYYY`), `status`, `abstract_text`, `file_path`.
    values: &'a DocumentInput,
    /// The record's id when editing, null for a new one.
    document_id: Option<i32>,
    /// The statuses a record may have (`document_status_<status>` names them).
    statuses: [&'static str; 4],
}

fn input_of(d: &Document) -> DocumentInput {
    DocumentInput {
        doc_type: d.doc_type.clone(),
        number: d.number.clone(),
        issuer: d.issuer.clone(),
        issued_on: d.issued_on.format(TYPED_DATE).to_string(),
        effective_on: d
            .effective_on
            .map(|e| e.format(TYPED_DATE).to_string())
            .unwrap_or_default(),
        status: d.status.as_str().to_owned(),
        abstract_text: d.abstract_text.clone(),
        file_path: d.file_path.clone().unwrap_or_default(),
    }
}

fn input_from(f: &HashMap<String, String>) -> DocumentInput {
    DocumentInput {
        doc_type: field(f, "doc_type").to_owned(),
        number: field(f, "number").to_owned(),
        issuer: field(f, "issuer").to_owned(),
        issued_on: field(f, "issued_on").to_owned(),
        effective_on: field(f, "effective_on").to_owned(),
        status: field(f, "status").to_owned(),
        abstract_text: field(f, "abstract_text").replace("\r\n", "\n"),
        file_path: field(f, "file_path").to_owned(),
    }
}

/// `GET /admin/documents`: every record, and the form for a new one.
pub async fn list(
    state: web::Data<AppState>,
    req: HttpRequest,
    staff: Staff,
) -> Result<HttpResponse, AppError> {
    staff.require(staff.role().edits_all())?;
    let (base, rows) = db::run(&state, |conn| {
        Ok((pages::load_base(conn)?, documents::all(conn)?))
    })
    .await?;
    let rows: Vec<Row> = rows
        .into_iter()
        .map(|d| Row {
            id: d.id,
            view: DocumentView::new(d),
        })
        .collect();
    let view = ListPage {
        saved: crate::web::public::query(&req)?.contains_key("saved"),
        admin: AdminBase::new(&state, &req, base, &staff),
        documents: rows,
    };
    page_view(
        staff.theme(&state),
        "admin/documents/list.html",
        &view,
        StatusCode::OK,
    )
}

/// The form, fresh or with what was typed and its problems.
async fn form(
    state: &web::Data<AppState>,
    req: &HttpRequest,
    staff: &Staff,
    id: Option<i32>,
    values: DocumentInput,
    problems: Vec<(&'static str, &'static str)>,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let (base, files, current) = db::run(state, move |conn| {
        // The record's own file stays a choice even when it is no longer
        // attached to any entry (the record keeps serving it).
        let current = match id {
            Some(id) => documents::find(conn, id)?.file_path,
            None => None,
        };
        Ok((
            pages::load_base(conn)?,
            crate::storage::media::document_files(conn)?,
            current,
        ))
    })
    .await?;
    let detached = current.filter(|c| !files.iter().any(|a| &a.path == c));
    let mut files: Vec<FileChoice> = files
        .into_iter()
        .map(|a| FileChoice {
            label: format!(
                "{} ({}, {})",
                a.title,
                a.path.rsplit('.').next().unwrap_or("").to_uppercase(),
                state
                    .theme
                    .file_size(u64::try_from(a.size_bytes).unwrap_or(0))
            ),
            path: a.path,
        })
        .collect();
    if let Some(path) = detached {
        let name = path.rsplit('/').next().unwrap_or(&path).to_owned();
        files.insert(
            0,
            FileChoice {
                label: format!(
                    "{name} ({})",
                    staff.theme(state).message("admin_document_file_current")
                ),
                path,
            },
        );
    }
    let field_errors: HashMap<&str, String> = problems
        .iter()
        .map(|(f, key)| (*f, staff.theme(state).message(key)))
        .collect();
    let summary: Vec<(&str, String)> = problems
        .iter()
        .map(|(f, key)| (*f, staff.theme(state).message(key)))
        .collect();
    let view = EditPage {
        admin: AdminBase::new(state, req, base, staff),
        files,
        field_errors,
        errors: summary,
        values: &values,
        document_id: id,
        statuses: DocStatus::ALL.map(DocStatus::as_str),
    };
    page_view(
        staff.theme(state),
        "admin/documents/edit.html",
        &view,
        status,
    )
}

/// `GET /admin/documents/new`
pub async fn new(
    state: web::Data<AppState>,
    req: HttpRequest,
    staff: Staff,
) -> Result<HttpResponse, AppError> {
    staff.require(staff.role().edits_all())?;
    let values = DocumentInput {
        status: DocStatus::InForce.as_str().into(),
        ..Default::default()
    };
    form(
        &state,
        &req,
        &staff,
        None,
        values,
        Vec::new(),
        StatusCode::OK,
    )
    .await
}

/// `GET /admin/documents/{id}/edit`
pub async fn edit(
    state: web::Data<AppState>,
    req: HttpRequest,
    staff: Staff,
    id: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    staff.require(staff.role().edits_all())?;
    let id = id.into_inner();
    let doc = db::run(&state, move |conn| Ok(documents::find(conn, id)?)).await?;
    form(
        &state,
        &req,
        &staff,
        Some(id),
        input_of(&doc),
        Vec::new(),
        StatusCode::OK,
    )
    .await
}

/// `POST /admin/documents/new` and `POST /admin/documents/{id}/edit`.
async fn save(
    state: web::Data<AppState>,
    req: HttpRequest,
    staff: Staff,
    id: Option<i32>,
    form_data: Fields,
) -> Result<HttpResponse, AppError> {
    staff.check_csrf(&state, field(&form_data, "csrf_token"))?;
    staff.require(staff.role().edits_all())?;
    let input = input_from(&form_data);
    // The file is one of the stored attachments (uploaded on an entry,
    // checked by content there), never a typed path.
    let file = input.file_path.clone();
    let known = file.is_empty()
        || db::run(&state, move |conn| {
            Ok(
                crate::storage::media::attachment_by_path(conn, &file)?.is_some()
                    || match id {
                        // The file the record already has, attached or not.
                        Some(id) => documents::find(conn, id)?.file_path.as_deref() == Some(&file),
                        None => false,
                    },
            )
        })
        .await?;
    let checked = document::validate(&input).and_then(|v| match known {
        true => Ok(v),
        false => Err(vec![("file_path", "admin_document_file_unknown")]),
    });
    let valid = match checked {
        Ok(v) => v,
        Err(problems) => {
            return form(
                &state,
                &req,
                &staff,
                id,
                input,
                problems,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    let auditor = super::auditor(&state, &req, &staff);
    let now = state.now();
    let saved = db::run(&state, move |conn| {
        let saved = crate::service::documents::save(conn, id, &valid, now)?;
        if let Ok(s) = saved {
            let action = if id.is_some() {
                "document.update"
            } else {
                "document.create"
            };
            auditor.record(conn, action, &s.id().to_string(), &valid.number)?;
        }
        Ok(saved)
    })
    .await?;
    match saved {
        Ok(_) => Ok(see_other("/admin/documents?saved=1")),
        Err(Duplicate) => {
            form(
                &state,
                &req,
                &staff,
                id,
                input,
                vec![("number", "document_taken")],
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

pub async fn create(
    state: web::Data<AppState>,
    req: HttpRequest,
    staff: Staff,
    form_data: Fields,
) -> Result<HttpResponse, AppError> {
    save(state, req, staff, None, form_data).await
}

pub async fn update(
    state: web::Data<AppState>,
    req: HttpRequest,
    staff: Staff,
    id: web::Path<i32>,
    form_data: Fields,
) -> Result<HttpResponse, AppError> {
    save(state, req, staff, Some(id.into_inner()), form_data).await
}

/// `POST /admin/documents/{id}/delete`
pub async fn delete(
    state: web::Data<AppState>,
    req: HttpRequest,
    staff: Staff,
    id: web::Path<i32>,
    form_data: Fields,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let allowed = staff.role().edits_all();
    super::change(
        &state,
        &req,
        &staff,
        field(&form_data, "csrf_token"),
        allowed,
        move |conn, auditor| {
            let doc = crate::service::documents::delete(conn, id)?;
            auditor.record(conn, "document.delete", &id.to_string(), &doc.number)?;
            Ok(())
        },
    )
    .await?;
    Ok(see_other("/admin/documents"))
}

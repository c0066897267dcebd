//! `GET /admin/entries/{id}/print.pdf`: an entry's print page as a PDF for
//! the print shop (any state, so a leaflet can go to print before it is
//! published). Staff only: each file starts a Chromium, which the public
//! must not be able to do at will.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;

use super::{AdminBase, page_view};
use crate::error::AppError;
use crate::storage::entries;
use crate::web::public::print;
use crate::web::session::Staff;
use crate::web::{AppState, db, pages, pdf};

/// `admin/pdf.html`: why no PDF was made, with the print page instead.
#[derive(Serialize)]
struct PdfPage<'a> {
    #[serde(flatten)]
    admin: AdminBase<'a>,
    /// What went wrong, in the theme's words.
    message: String,
    /// The entry's print page, to print from the browser instead.
    print_url: String,
}

pub async fn pdf(
    state: web::Data<AppState>,
    req: HttpRequest,
    staff: Staff,
    id: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    staff.require(staff.role().writes())?;
    let id = id.into_inner();
    let now = state.now();
    let (loaded, base) = db::run(&state, move |conn| {
        let entry = entries::find(conn, id)?;
        let base = pages::load_base(conn)?;
        Ok((print::load(conn, entry, now)?, base))
    })
    .await?;
    let own = loaded.entry.author_id == Some(staff.user.id);
    staff.require(staff.role().edits_all() || own)?;
    let Some(chromium) = pdf::chromium(state.config.chromium.as_deref()) else {
        let view = PdfPage {
            admin: AdminBase::new(&state, &req, base, &staff),
            message: staff.theme(&state).message("print_pdf_unavailable"),
            print_url: format!("{}/print", loaded.entry.kind.entry_path(&loaded.entry.slug)),
        };
        return page_view(
            staff.theme(&state),
            "admin/pdf.html",
            &view,
            StatusCode::SERVICE_UNAVAILABLE,
        );
    };
    let slug = loaded.entry.slug.clone();
    let print_url = format!("{}/print", loaded.entry.kind.entry_path(&slug));
    let origin = pdf::local_origin(&state.config.bind);
    let html = print::render(&state, &req, loaded, Some(&origin))?;
    match web::block(move || pdf::print(&chromium, &html, pdf::TIMEOUT)).await? {
        Ok(bytes) => Ok(HttpResponse::Ok()
            .content_type("application/pdf")
            .insert_header(("Cache-Control", "no-store"))
            .insert_header((
                "Content-Disposition",
                format!("attachment; filename=\"{slug}.pdf\""),
            ))
            .body(bytes)),
        Err(e) => {
            tracing::error!(error = %crate::error::chain(&e), entry = id, "PDF failed");
            let view = PdfPage {
                admin: AdminBase::new(&state, &req, base, &staff),
                message: staff.theme(&state).message("print_pdf_failed"),
                print_url,
            };
            page_view(
                staff.theme(&state),
                "admin/pdf.html",
                &view,
                StatusCode::SERVICE_UNAVAILABLE,
            )
        }
    }
}

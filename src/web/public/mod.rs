//! Pages readers see: home, entries, listings, and the comment form's POST.

mod comments;
pub(crate) mod documents;
mod entry;
mod feeds;
mod home;
mod listings;
pub(crate) mod pages;
pub(crate) mod print;
pub(crate) mod questions;
mod ratings;
mod search;
mod translated;

use std::collections::HashMap;

use actix_web::{HttpRequest, HttpResponse, web};

use crate::domain::entry::EntryKind;
use crate::error::AppError;
use crate::web::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(home::home));
    translated::routes(cfg);
    for kind in EntryKind::ALL {
        let seg = kind.path_segment();
        cfg.service(
            web::resource(format!("/{seg}"))
                .app_data(kind)
                .route(web::get().to(listings::by_kind)),
        )
        .service(
            web::resource(format!("/{seg}/{{slug}}"))
                .app_data(kind)
                .route(web::get().to(entry::show)),
        )
        .service(
            web::resource(format!("/{seg}/{{slug}}/print"))
                .app_data(kind)
                .route(web::get().to(print::show_print)),
        )
        .service(
            web::resource(format!("/{seg}/{{slug}}/comments"))
                .app_data(kind)
                .route(web::post().to(comments::post))
                // After a 422 the address bar shows this URL; opening it
                // again leads back to the form.
                .route(web::get().to(comments::to_form)),
        )
        .service(
            web::resource(format!("/{seg}/{{slug}}/rating"))
                .app_data(kind)
                .route(web::post().to(ratings::post_entry))
                .route(web::get().to(ratings::to_form)),
        );
    }
    cfg.route("/categories/{slug}", web::get().to(listings::by_category))
        .route("/tags/{slug}", web::get().to(listings::by_tag))
        .route("/search", web::get().to(search::search))
        .route("/hoi-dap", web::get().to(questions::index))
        .route("/hoi-dap", web::post().to(questions::ask))
        .route("/hoi-dap/theo-doi/{key}", web::get().to(questions::follow))
        .route("/hoi-dap/{id}", web::get().to(questions::show_one))
        .route("/documents", web::get().to(documents::list))
        .route("/documents/{slug}", web::get().to(documents::show))
        .route("/feed.xml", web::get().to(feeds::site_feed))
        .route(
            "/categories/{slug}/feed.xml",
            web::get().to(feeds::category_feed),
        )
        .route("/sitemap.xml", web::get().to(feeds::sitemap))
        .route("/sitemaps/{n}", web::get().to(feeds::sitemap_part))
        .route("/robots.txt", web::get().to(feeds::robots));
}

/// The language of a path under `/{lang}/` that the site may be read in
/// (`/en/…`), for pages outside this module (error pages).
pub(crate) fn translated_language(state: &AppState, path: &str) -> Option<&'static str> {
    translated::language_of(state, path)
}

/// `GET {entry}/{form}` (the address bar after a form came back with
/// errors): 303 to the form, which lives on the entry page at `#anchor`.
fn to_entry_form(req: &HttpRequest, slug: &str, anchor: &str) -> Result<HttpResponse, AppError> {
    let kind = kind_of(req)?;
    if !crate::domain::slug::is_valid(slug) {
        return Err(AppError::NotFound);
    }
    Ok(HttpResponse::SeeOther()
        .insert_header((
            actix_web::http::header::LOCATION,
            format!("{}#{anchor}", kind.entry_path(slug)),
        ))
        .finish())
}

/// The entry kind a resource was registered for.
fn kind_of(req: &HttpRequest) -> Result<EntryKind, AppError> {
    req.app_data::<EntryKind>()
        .copied()
        .ok_or_else(|| AppError::internal("route without kind"))
}

/// Query parameters as a map; a malformed query string is a 400.
pub(crate) fn query(req: &HttpRequest) -> Result<HashMap<String, String>, AppError> {
    web::Query::<HashMap<String, String>>::from_query(req.query_string())
        .map(web::Query::into_inner)
        .map_err(|_| AppError::BadRequest("error_400_text"))
}

/// `?page=N`: missing means 1; anything but a whole number from 1 up is a 400.
pub(crate) fn page_param(req: &HttpRequest) -> Result<u32, AppError> {
    match query(req)?.get("page").map(String::as_str) {
        None | Some("") => Ok(1),
        Some(raw) => match raw.parse::<u32>() {
            Ok(n) if (1..=1_000_000).contains(&n) => Ok(n),
            _ => Err(AppError::BadRequest("error_page_param")),
        },
    }
}

/// A rendered page, with a short cache lifetime.
fn html(state: &AppState, body: Vec<u8>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header(("Cache-Control", state.config.public_cache_control(60)))
        .body(body)
}

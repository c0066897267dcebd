//! Theme assets under `/static/` and media under `/uploads/`.

use actix_files::Files;
use actix_web::web;

use super::AppState;

/// `/static/…` from the active theme, then the default theme.
pub fn service(state: &web::Data<AppState>) -> Files {
    let mut dirs = state.theme.static_dirs().into_iter();
    let first = dirs
        .next()
        .unwrap_or_else(|| "themes/default/static".into());
    let mut files = Files::new("/static", first)
        .use_etag(true)
        .use_last_modified(true);
    if let Some(fallback) = dirs.next() {
        files = files.default_handler(Files::new("/static", fallback).use_etag(true));
    }
    files
}

/// `/uploads/…`: never a directory listing, never hidden files.
pub fn uploads(state: &web::Data<AppState>) -> Files {
    Files::new("/uploads", state.config.uploads.clone())
        .use_etag(true)
        .use_last_modified(true)
}

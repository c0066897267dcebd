//! Probes for a load balancer: `/healthz` (the process answers) and
//! `/readyz` (it should be sent readers: not shutting down, the database
//! reachable and migrated). Plain text, `Cache-Control: no-store`, never
//! in the page cache nor the request log (`web::PROBES`).
//!
//! On SIGTERM `serve` marks the state as draining: `/readyz` answers 503
//! at once while pages are still served, so the balancer takes the server
//! out before it stops listening (see `drain_seconds`).

use std::sync::atomic::Ordering;

use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use actix_web::{HttpResponse, HttpResponseBuilder, http::StatusCode, web};

use super::{AppState, db};
use crate::storage::pool::is_migrated;

fn plain(status: StatusCode, text: &'static str) -> HttpResponse {
    HttpResponseBuilder::new(status)
        .insert_header((CACHE_CONTROL, "no-store"))
        .insert_header((CONTENT_TYPE, "text/plain; charset=utf-8"))
        .body(text)
}

/// The process is up and answering.
pub async fn live() -> HttpResponse {
    plain(StatusCode::OK, "ok\n")
}

/// Ready for readers, or 503 with the reason.
pub async fn ready(state: web::Data<AppState>) -> HttpResponse {
    if state.draining.load(Ordering::Relaxed) {
        return plain(StatusCode::SERVICE_UNAVAILABLE, "shutting down\n");
    }
    match db::run(&state, |conn| Ok(is_migrated(conn))).await {
        Ok(true) => plain(StatusCode::OK, "ready\n"),
        Ok(false) => plain(StatusCode::SERVICE_UNAVAILABLE, "database not migrated\n"),
        Err(e) => {
            tracing::warn!("readiness: {e}");
            plain(StatusCode::SERVICE_UNAVAILABLE, "database unreachable\n")
        }
    }
}

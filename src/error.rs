//! `AppError`: what a request can fail with, and its HTTP status.
//!
//! Handlers return `Result<_, AppError>`; the `error_pages` middleware in
//! `web` turns each error into the theme's page for its status. Causes of
//! 5xx errors are logged, never shown.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("forbidden")]
    Forbidden,
    /// Staff pages without a session: to the sign-in page, then back here.
    #[error("sign-in required")]
    LoginRequired(String),
    /// A staff form sent after the session ended (it expired, or the
    /// person signed out elsewhere): refused, and the page says so and
    /// offers to sign in again, back at `String` (the form's page).
    #[error("session ended")]
    SessionEnded(String),
    /// A staff form whose anti-forgery token is not this session's (a page
    /// left open from before signing in again): reload it and send again.
    #[error("stale form")]
    StaleForm,
    /// A malformed request; the message key says what was wrong.
    #[error("bad request: {0}")]
    BadRequest(&'static str),
    #[error("payload too large")]
    TooLarge,
    #[error("busy")]
    Busy,
    #[error("internal: {0}")]
    Internal(String),
}

/// The sign-in page, leading back to `next` afterwards.
fn login_url(next: &str) -> String {
    let next: String = url::form_urlencoded::byte_serialize(next.as_bytes()).collect();
    format!("/admin/login?next={next}")
}

impl AppError {
    /// Where the error page offers to sign in again, if it does.
    pub fn sign_in_again(&self) -> Option<String> {
        match self {
            AppError::SessionEnded(next) => Some(login_url(next)),
            _ => None,
        }
    }

    /// Message key of the theme's explanation for this error.
    pub fn message_key(&self) -> &'static str {
        match self {
            AppError::NotFound => "error_404_text",
            AppError::Forbidden => "error_403_text",
            AppError::LoginRequired(_) => "error_403_text",
            AppError::SessionEnded(_) => "error_session_text",
            AppError::StaleForm => "error_stale_form_text",
            AppError::BadRequest(key) => key,
            AppError::TooLarge => "error_413_text",
            AppError::Busy => "error_503_text",
            AppError::Internal(_) => "error_500_text",
        }
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Forbidden | AppError::SessionEnded(_) | AppError::StaleForm => {
                StatusCode::FORBIDDEN
            }
            AppError::LoginRequired(_) => StatusCode::SEE_OTHER,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Busy => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let AppError::Internal(cause) = self {
            tracing::error!(%cause, "internal error");
        }
        if let AppError::LoginRequired(next) = self {
            return HttpResponse::SeeOther()
                .insert_header((actix_web::http::header::LOCATION, login_url(next)))
                .finish();
        }
        // The body is replaced by the theme's page in `web::error_pages`.
        HttpResponse::build(self.status_code()).finish()
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(e: diesel::result::Error) -> Self {
        match e {
            diesel::result::Error::NotFound => AppError::NotFound,
            diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::Unknown,
                ref info,
            ) if info.message().contains("locked") || info.message().contains("busy") => {
                AppError::Busy
            }
            other => AppError::Internal(format!("database: {other}")),
        }
    }
}

impl From<diesel::r2d2::PoolError> for AppError {
    fn from(e: diesel::r2d2::PoolError) -> Self {
        tracing::warn!(error = %e, "no database connection available");
        AppError::Busy
    }
}

impl From<actix_web::error::BlockingError> for AppError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        AppError::Internal(format!("blocking task: {e}"))
    }
}

impl From<crate::render::templates::ThemeError> for AppError {
    fn from(e: crate::render::templates::ThemeError) -> Self {
        AppError::Internal(format!("theme: {}", chain(&e)))
    }
}

impl From<std::io::Error> for AppError {
    fn from(e: std::io::Error) -> Self {
        match e.kind() {
            std::io::ErrorKind::NotFound => AppError::NotFound,
            _ => AppError::Internal(format!("io: {e}")),
        }
    }
}

/// An error and all its causes on one line (Tera hides the useful part in
/// its sources).
pub fn chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

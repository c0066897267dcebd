//! `AppError`: what a request can fail with, and its HTTP status.
//!
//! Handlers return `Result<_, AppError>`; the `error_pages` middleware in
//! `web` turns each error into the theme's page for its status. Causes of
//! 5xx errors are logged, never shown: `Internal` keeps the error it came
//! from, and the log line has its whole chain of sources.

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
    /// A request the state of things refuses (deleting a page that has
    /// subpages); the message key says why.
    #[error("conflict: {0}")]
    Conflict(&'static str),
    #[error("payload too large")]
    TooLarge,
    #[error("busy")]
    Busy,
    /// Anything else: a 500 whose cause (with its sources) is logged.
    #[error("internal error")]
    Internal(#[source] Cause),
}

/// What caused an internal error: the error itself, kept with its sources.
pub type Cause = Box<dyn std::error::Error + Send + Sync>;

/// The sign-in page, leading back to `next` afterwards.
fn login_url(next: &str) -> String {
    let next: String = url::form_urlencoded::byte_serialize(next.as_bytes()).collect();
    format!("/admin/login?next={next}")
}

impl AppError {
    /// An internal error caused by `cause` (an error, or a message saying
    /// what went wrong).
    pub fn internal(cause: impl Into<Cause>) -> Self {
        AppError::Internal(cause.into())
    }

    /// A missing file as a missing page (404): only where the file *is*
    /// the page asked for (a static file, an upload). Any other I/O error,
    /// and a missing file anywhere else, is an internal error.
    pub fn missing_page(e: std::io::Error) -> Self {
        match e.kind() {
            std::io::ErrorKind::NotFound => AppError::NotFound,
            _ => AppError::from(e),
        }
    }

    /// What the log says of a 500: the error and each of its sources.
    pub fn log_text(&self) -> String {
        chain(self)
    }

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
            AppError::BadRequest(key) | AppError::Conflict(key) => key,
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
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Busy => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let AppError::Internal(_) = self {
            tracing::error!(cause = %self.log_text(), "internal error");
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
            other => AppError::Internal(Box::new(other)),
        }
    }
}

impl From<diesel::r2d2::PoolError> for AppError {
    /// No connection within the pool's timeout: the database is busy (503);
    /// the cause is logged here, since a 503 is not an internal error.
    fn from(e: diesel::r2d2::PoolError) -> Self {
        tracing::warn!(error = %chain(&e), "no database connection available");
        AppError::Busy
    }
}

impl From<actix_web::error::BlockingError> for AppError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        AppError::Internal(Box::new(e))
    }
}

impl From<crate::render::templates::ThemeError> for AppError {
    fn from(e: crate::render::templates::ThemeError) -> Self {
        AppError::Internal(Box::new(e))
    }
}

impl From<std::io::Error> for AppError {
    /// Every I/O error is internal, a missing file included: a 404 is
    /// chosen explicitly where a file is the page ([`AppError::missing_page`]).
    fn from(e: std::io::Error) -> Self {
        AppError::Internal(Box::new(e))
    }
}

/// An error and all its causes on one line, `: ` between them (Tera hides
/// the useful part in its sources).
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

#[cfg(test)]
mod tests {
    use super::*;

    /// An error with a source, as Tera's and diesel's are.
    #[derive(Debug, thiserror::Error)]
    #[error("outer")]
    struct Outer(#[source] std::io::Error);

    #[test]
    fn an_internal_error_logs_its_whole_chain() {
        let io = std::io::Error::other("disk on fire");
        let e = AppError::internal(Outer(io));
        assert_eq!(e.status_code(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(e.log_text(), "internal error: outer: disk on fire");
        assert!(
            std::error::Error::source(&e).is_some(),
            "the cause is kept as the source"
        );
    }

    #[test]
    fn database_and_theme_errors_keep_their_message() {
        let db = AppError::from(diesel::result::Error::QueryBuilderError(
            "bad query text".into(),
        ));
        assert!(
            db.log_text().contains("bad query text"),
            "{}",
            db.log_text()
        );
        let theme = AppError::from(crate::render::templates::ThemeError::Tera(
            tera::Error::chain("rendering x.html", tera::Error::msg("no field `y`")),
        ));
        assert!(
            theme.log_text().contains("no field `y`"),
            "{}",
            theme.log_text()
        );
        assert_eq!(
            AppError::from(diesel::result::Error::NotFound).status_code(),
            StatusCode::NOT_FOUND
        );
    }

    #[test]
    fn a_missing_file_is_a_404_only_where_it_is_the_page() {
        let missing = || std::io::Error::from(std::io::ErrorKind::NotFound);
        let internal = AppError::from(missing());
        assert_eq!(internal.status_code(), StatusCode::INTERNAL_SERVER_ERROR);
        assert!(
            internal.log_text().contains("not found"),
            "{}",
            internal.log_text()
        );
        assert_eq!(
            AppError::missing_page(missing()).status_code(),
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            AppError::missing_page(std::io::Error::from(std::io::ErrorKind::PermissionDenied))
                .status_code(),
            StatusCode::INTERNAL_SERVER_ERROR
        );
    }
}

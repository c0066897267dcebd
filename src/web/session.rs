//! Staff sessions: a private (encrypted and signed) cookie holding the user
//! id, the account's session version, a random nonce and the sign-in time.
//! Nothing is kept on the server, so any server can check any session; a
//! disabled account, a new password or a logout bumps the account's
//! session version, which ends its sessions at once.

use std::future::Future;
use std::pin::Pin;

use actix_web::cookie::{Cookie, CookieJar, SameSite, time::Duration};
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use serde::Serialize;

use super::AppState;
use super::db;
use crate::domain::user::Role;
use crate::error::AppError;
use crate::storage::users::{self, User};

pub const COOKIE: &str = "loa_session";
/// A session lasts a working day.
pub const MAX_AGE_HOURS: i64 = 12;

/// What the session cookie says.
#[derive(Debug, Clone, PartialEq)]
pub struct Claims {
    pub user_id: i32,
    pub version: i32,
    pub nonce: String,
    pub issued_at: i64,
}

impl Claims {
    fn encode(&self) -> String {
        format!(
            "{}.{}.{}.{}",
            self.user_id, self.version, self.nonce, self.issued_at
        )
    }

    fn decode(s: &str) -> Option<Self> {
        let mut parts = s.splitn(4, '.');
        Some(Claims {
            user_id: parts.next()?.parse().ok()?,
            version: parts.next()?.parse().ok()?,
            nonce: parts.next()?.to_owned(),
            issued_at: parts.next()?.parse().ok()?,
        })
    }
}

/// A new session cookie for `user` (a fresh nonce: rotated at every sign-in).
pub fn start(state: &AppState, user: &User) -> Cookie<'static> {
    let claims = Claims {
        user_id: user.id,
        version: user.session_version,
        nonce: super::tokens::random_secret(),
        issued_at: state.now().and_utc().timestamp(),
    };
    let mut jar = CookieJar::new();
    let cookie = Cookie::build(COOKIE, claims.encode())
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.config.is_https())
        .max_age(Duration::hours(MAX_AGE_HOURS))
        .finish();
    jar.private_mut(state.keys.cookie_key()).add(cookie);
    jar.get(COOKIE)
        .cloned()
        .unwrap_or_else(|| Cookie::new(COOKIE, ""))
}

/// The cookie that ends the session in this browser.
pub fn end(state: &AppState) -> Cookie<'static> {
    let mut c = Cookie::build(COOKIE, "")
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.config.is_https())
        .finish();
    c.make_removal();
    c
}

/// The claims of the request's session cookie, if it is genuine.
pub fn claims(req: &HttpRequest, state: &AppState) -> Option<Claims> {
    let raw = req.cookie(COOKIE)?;
    let mut jar = CookieJar::new();
    jar.add_original(raw);
    let c = jar.private(state.keys.cookie_key()).get(COOKIE)?;
    Claims::decode(c.value())
}

/// A signed-in staff member, checked against the database on every request.
#[derive(Debug, Clone, Serialize)]
pub struct Staff {
    pub user: User,
    /// The anti-forgery token every state-changing form carries.
    pub csrf: String,
    /// Comments per moderation state, for the admin navigation (moderators).
    pub comment_counts: std::collections::BTreeMap<String, i64>,
    #[serde(skip)]
    nonce: String,
}

impl Staff {
    pub fn role(&self) -> Role {
        self.user.role
    }

    /// The language this person reads the admin in: their choice when the
    /// theme speaks it, else the site's.
    pub fn language<'a>(&'a self, state: &'a AppState) -> &'a str {
        match self.user.language.as_str() {
            "" => &state.config.language,
            chosen if state.other_languages.contains_key(chosen) => chosen,
            _ => &state.config.language,
        }
    }

    /// The theme in [`Staff::language`]: what admin pages render with.
    pub fn theme<'a>(&self, state: &'a AppState) -> &'a crate::render::templates::Theme {
        state.theme_in(&self.user.language)
    }

    /// Refuses (403, "reload the page") a state change whose `csrf_token`
    /// is not this session's.
    pub fn check_csrf(&self, state: &AppState, token: &str) -> Result<(), AppError> {
        if state
            .keys
            .check_form_token(&format!("admin|{}", self.nonce), token)
        {
            Ok(())
        } else {
            Err(AppError::StaleForm)
        }
    }

    /// 403 unless `allowed`.
    pub fn require(&self, allowed: bool) -> Result<(), AppError> {
        if allowed {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }
}

impl FromRequest for Staff {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let state = req
                .app_data::<web::Data<AppState>>()
                .cloned()
                .ok_or_else(|| AppError::internal("no app state"))?;
            // Pages send people to sign in; state changes are refused, with
            // a page that says the session ended and offers to sign in
            // again, back at the page the form was on.
            let refuse = || {
                if req.method() == actix_web::http::Method::GET {
                    let next = match req.query_string() {
                        "" => req.path().to_owned(),
                        q => format!("{}?{q}", req.path()),
                    };
                    AppError::LoginRequired(next)
                } else {
                    AppError::SessionEnded(form_page(&req))
                }
            };
            let claims = claims(&req, &state).ok_or_else(refuse)?;
            let now = state.now().and_utc().timestamp();
            if now - claims.issued_at > MAX_AGE_HOURS * 3600 || claims.issued_at > now + 60 {
                return Err(refuse());
            }
            let id = claims.user_id;
            let (user, counts) = db::run(&state, move |conn| {
                let user = users::find(conn, id)?;
                let counts = match &user {
                    Some(u) if u.role.moderates() => {
                        crate::storage::comments::count_by_status(conn)?
                            .into_iter()
                            .collect()
                    }
                    _ => Default::default(),
                };
                Ok((user, counts))
            })
            .await?;
            match user {
                Some(user) if !user.disabled && user.session_version == claims.version => {
                    Ok(Staff {
                        comment_counts: counts,
                        csrf: state.keys.form_token(&format!("admin|{}", claims.nonce)),
                        nonce: claims.nonce,
                        user,
                    })
                }
                _ => Err(refuse()),
            }
        })
    }
}

/// The staff page a form was sent from (the path of its `Referer`, when
/// that is an `/admin` page), else the dashboard. Only the path is kept,
/// so signing in again never leads off the site.
pub(crate) fn form_page(req: &HttpRequest) -> String {
    req.headers()
        .get(actix_web::http::header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| url::Url::parse(r).ok())
        .map(|u| match u.query() {
            Some(q) => format!("{}?{q}", u.path()),
            None => u.path().to_owned(),
        })
        .filter(|p| p.starts_with("/admin") && !p.starts_with("/admin/login"))
        .unwrap_or_else(|| "/admin".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claims_round_trip() {
        let c = Claims {
            user_id: 3,
            version: 7,
            nonce: "abc_-XYZ".into(),
            issued_at: 1_700_000_000,
        };
        assert_eq!(Claims::decode(&c.encode()), Some(c));
        assert_eq!(Claims::decode("3.x.abc.1"), None);
    }
}

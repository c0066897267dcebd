//! The reader's own cookies, all first-party, HttpOnly and SameSite=Lax:
//! `loa_fid` (random browser id that form tokens are bound to),
//! `loa_pending` (signed list of this browser's comments awaiting
//! moderation) and `loa_flash` (one-shot notice after posting).

use actix_web::HttpRequest;
use actix_web::cookie::{Cookie, CookieJar, SameSite, time::Duration};

use super::tokens::{Keys, random_secret};

pub const BROWSER_ID: &str = "loa_fid";
pub const PENDING: &str = "loa_pending";
pub const FLASH: &str = "loa_flash";
/// How many pending comment ids a browser remembers.
const PENDING_MAX: usize = 20;

fn base(name: &'static str, value: String, secure: bool) -> Cookie<'static> {
    Cookie::build(name, value)
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .finish()
}

/// The browser id from the request, if it sent a sane one.
pub fn browser_id(req: &HttpRequest) -> Option<String> {
    req.cookie(BROWSER_ID)
        .map(|c| c.value().to_owned())
        .filter(|v| {
            (20..=64).contains(&v.len())
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

/// A new browser-id cookie (kept a year).
pub fn new_browser_id(secure: bool) -> Cookie<'static> {
    let mut c = base(BROWSER_ID, random_secret(), secure);
    c.set_max_age(Duration::days(365));
    c
}

/// Ids of this browser's pending comments (signature checked).
pub fn pending_ids(req: &HttpRequest, keys: &Keys) -> Vec<i32> {
    let Some(raw) = req.cookie(PENDING) else {
        return Vec::new();
    };
    let mut jar = CookieJar::new();
    jar.add_original(raw);
    jar.signed(keys.cookie_key())
        .get(PENDING)
        .map(|c| {
            c.value()
                .split(',')
                .filter_map(|s| s.parse().ok())
                .collect()
        })
        .unwrap_or_default()
}

/// The signed pending cookie with `id` added (oldest forgotten first).
pub fn with_pending(req: &HttpRequest, keys: &Keys, id: i32, secure: bool) -> Cookie<'static> {
    let mut ids = pending_ids(req, keys);
    ids.retain(|x| *x != id);
    ids.push(id);
    if ids.len() > PENDING_MAX {
        ids.drain(..ids.len() - PENDING_MAX);
    }
    let value = ids.iter().map(i32::to_string).collect::<Vec<_>>().join(",");
    let mut jar = CookieJar::new();
    let mut c = base(PENDING, value, secure);
    c.set_max_age(Duration::days(30));
    jar.signed_mut(keys.cookie_key()).add(c);
    jar.get(PENDING)
        .cloned()
        .unwrap_or_else(|| base(PENDING, String::new(), secure))
}

/// A one-shot notice for the next page view.
pub fn flash(value: String, secure: bool) -> Cookie<'static> {
    let mut c = base(FLASH, value, secure);
    c.set_max_age(Duration::minutes(10));
    c
}

/// The cookie that removes the flash once shown.
pub fn clear_flash(secure: bool) -> Cookie<'static> {
    let mut c = base(FLASH, String::new(), secure);
    c.make_removal();
    c
}

//! Signing: the comment form's anti-forgery token and the cookie key.
//!
//! The token is `{issued_at}.{mac}` with
//! `mac = HMAC-SHA256(key, "comment|{entry}|{issued_at}|{browser}")`, where
//! `browser` is a random id kept in the `loa_fid` cookie (SameSite=Lax). A
//! post from another site lacks the cookie, so its token cannot match; no
//! server-side session is needed, so any server can check any token.

use actix_web::cookie::Key;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::{Digest, Sha256, Sha512};

type HmacSha256 = Hmac<Sha256>;

/// The "browser" of a token on a page a shared cache keeps (the
/// `shared_cache_seconds` setting): the same for every reader, and never a
/// real browser id (those are 20 to 64 characters). Forgery across sites
/// gains nothing there: an anonymous comment carries no one's authority,
/// and the staff's session cookie (SameSite=Lax) is not sent with another
/// site's POST. What such a token still proves is that the poster fetched
/// the page, and when it was rendered (the form's time trap counts from
/// then, so it catches fewer bots behind a shared cache).
pub const SHARED: &str = "";

/// How long a rendered comment form stays valid.
pub const FORM_TOKEN_TTL_SECS: i64 = 2 * 24 * 3600;

/// Keys derived from the site secret.
pub struct Keys {
    /// HMAC keyed once: cloned per token rather than keyed again (which
    /// would hash the key's two pads on every page served).
    mac: HmacSha256,
    cookie_key: Key,
}

impl Keys {
    pub fn new(secret: &[u8]) -> Self {
        let mut mac = Sha256::new();
        mac.update(b"loa form tokens\0");
        mac.update(secret);
        let cookie: [u8; 64] = {
            let mut h = Sha512::new();
            h.update(b"loa cookies\0");
            h.update(secret);
            h.finalize().into()
        };
        Self {
            mac: HmacSha256::new_from_slice(&mac.finalize()).expect("HMAC takes any key length"),
            cookie_key: Key::from(&cookie),
        }
    }

    pub fn cookie_key(&self) -> &Key {
        &self.cookie_key
    }

    fn mac(&self, parts: &[&str]) -> HmacSha256 {
        let mut mac = self.mac.clone();
        for (i, p) in parts.iter().enumerate() {
            if i > 0 {
                mac.update(b"|");
            }
            mac.update(p.as_bytes());
        }
        mac
    }

    /// A token for the comment form of `entry_id`, shown at `issued_at`
    /// (Unix seconds) to the browser `browser_id`.
    pub fn comment_token(&self, entry_id: i32, issued_at: i64, browser_id: &str) -> String {
        let mac = self
            .mac(&[
                "comment",
                &entry_id.to_string(),
                &issued_at.to_string(),
                browser_id,
            ])
            .finalize()
            .into_bytes();
        format!("{issued_at}.{}", URL_SAFE_NO_PAD.encode(mac))
    }

    /// Checks a token; returns when it was issued.
    pub fn check_comment_token(
        &self,
        token: &str,
        entry_id: i32,
        browser_id: &str,
        now: i64,
    ) -> Result<i64, TokenError> {
        let (ts, mac) = token.split_once('.').ok_or(TokenError::Malformed)?;
        let issued_at: i64 = ts.parse().map_err(|_| TokenError::Malformed)?;
        let mac = URL_SAFE_NO_PAD
            .decode(mac)
            .map_err(|_| TokenError::Malformed)?;
        self.mac(&["comment", &entry_id.to_string(), ts, browser_id])
            .verify_slice(&mac)
            .map_err(|_| TokenError::Forged)?;
        if issued_at > now + 60 || now - issued_at > FORM_TOKEN_TTL_SECS {
            return Err(TokenError::Expired);
        }
        Ok(issued_at)
    }
}

impl Keys {
    /// A token for the rating form of `target` (`entry:7`, `page:3`),
    /// shown at `issued_at`: bound to the form and the time, not to a
    /// browser, since the page is the same for every reader (the cache
    /// keeps it). The POST's origin is checked as well
    /// (`web::public::ratings`).
    pub fn rating_token(&self, target: &str, issued_at: i64) -> String {
        let mac = self
            .mac(&["rating", target, &issued_at.to_string()])
            .finalize()
            .into_bytes();
        format!("{issued_at}.{}", URL_SAFE_NO_PAD.encode(mac))
    }

    /// Checks a [`Keys::rating_token`].
    pub fn check_rating_token(
        &self,
        token: &str,
        target: &str,
        now: i64,
    ) -> Result<i64, TokenError> {
        let (ts, mac) = token.split_once('.').ok_or(TokenError::Malformed)?;
        let issued_at: i64 = ts.parse().map_err(|_| TokenError::Malformed)?;
        let mac = URL_SAFE_NO_PAD
            .decode(mac)
            .map_err(|_| TokenError::Malformed)?;
        self.mac(&["rating", target, ts])
            .verify_slice(&mac)
            .map_err(|_| TokenError::Forged)?;
        if issued_at > now + 60 || now - issued_at > FORM_TOKEN_TTL_SECS {
            return Err(TokenError::Expired);
        }
        Ok(issued_at)
    }

    /// A one-way name for `value` (a browser id, a client address) under
    /// `purpose`: what ratings keep instead of the value itself.
    pub fn pseudonym(&self, purpose: &str, value: &str) -> String {
        let mac = self
            .mac(&["pseudonym", purpose, value])
            .finalize()
            .into_bytes();
        URL_SAFE_NO_PAD.encode(&mac[..16])
    }

    /// A token for forms shown to `subject` ("login|{browser}" before
    /// sign-in, "admin|{session nonce}" after): the same for the whole
    /// session, so several tabs work.
    pub fn form_token(&self, subject: &str) -> String {
        URL_SAFE_NO_PAD.encode(self.mac(&["form", subject]).finalize().into_bytes())
    }

    /// Checks a [`Keys::form_token`] in constant time.
    pub fn check_form_token(&self, subject: &str, token: &str) -> bool {
        URL_SAFE_NO_PAD
            .decode(token)
            .is_ok_and(|mac| self.mac(&["form", subject]).verify_slice(&mac).is_ok())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("malformed token")]
    Malformed,
    #[error("token does not match")]
    Forged,
    #[error("token expired")]
    Expired,
}

/// 32 random bytes, URL-safe base64: a site secret or a browser id.
pub fn random_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rating_tokens_bind_the_form_and_time() {
        let keys = Keys::new(b"0123456789abcdef0123456789abcdef");
        let t = keys.rating_token("entry:7", 1_000);
        assert_eq!(keys.check_rating_token(&t, "entry:7", 1_010), Ok(1_000));
        assert_eq!(
            keys.check_rating_token(&t, "page:7", 1_010),
            Err(TokenError::Forged)
        );
        assert_eq!(
            keys.check_rating_token(&t, "entry:7", 1_000 + FORM_TOKEN_TTL_SECS + 1),
            Err(TokenError::Expired)
        );
        assert_ne!(
            keys.pseudonym("browser", "a"),
            keys.pseudonym("address", "a")
        );
    }

    #[test]
    fn tokens_bind_entry_browser_and_time() {
        let keys = Keys::new(b"0123456789abcdef0123456789abcdef");
        let t = keys.comment_token(7, 1_000, "browser-a");
        assert_eq!(
            keys.check_comment_token(&t, 7, "browser-a", 1_010),
            Ok(1_000)
        );
        assert_eq!(
            keys.check_comment_token(&t, 8, "browser-a", 1_010),
            Err(TokenError::Forged)
        );
        assert_eq!(
            keys.check_comment_token(&t, 7, "browser-b", 1_010),
            Err(TokenError::Forged)
        );
        assert_eq!(
            keys.check_comment_token(&t, 7, "browser-a", 1_000 + FORM_TOKEN_TTL_SECS + 1),
            Err(TokenError::Expired)
        );
        assert_eq!(
            keys.check_comment_token("nonsense", 7, "browser-a", 1_010),
            Err(TokenError::Malformed)
        );
        let other = Keys::new(b"another secret, also 32 bytes long");
        assert_eq!(
            other.check_comment_token(&t, 7, "browser-a", 1_010),
            Err(TokenError::Forged)
        );
    }
}

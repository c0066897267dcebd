//! Turning stored text into HTML that is safe to show: Markdown bodies
//! (once, at save), comment text, and the theme's templates. No database,
//! no HTTP.

pub mod comment_text;
pub mod dates;
pub mod doclinks;
pub mod markdown;
pub mod qr;
pub mod responsive;
pub mod sanitize;
pub mod templates;

pub use sanitize::SafeHtml;

/// `text` with each ASCII byte that `entity` names replaced by what it
/// returns; the runs between are copied whole. Shared by the template
/// escape and the JSON-LD's `<script>` escape, both on every page's path.
pub(crate) fn replace_ascii(text: &str, entity: impl Fn(u8) -> Option<&'static str>) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 16);
    let mut plain = 0;
    for (i, b) in text.bytes().enumerate() {
        if !b.is_ascii() {
            continue;
        }
        if let Some(e) = entity(b) {
            // An ASCII byte is always on a character boundary.
            out.push_str(&text[plain..i]);
            out.push_str(e);
            plain = i + 1;
        }
    }
    out.push_str(&text[plain..]);
    out
}

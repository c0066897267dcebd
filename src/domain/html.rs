//! The one HTML escaper: text made safe to print inside an element or a
//! quoted attribute. It lives in `domain` so that every layer may use it
//! (`render` for templates and comment text, `media` for `<picture>`
//! markup, `web` for feeds).

/// `text` with each ASCII byte that `entity` names replaced by what it
/// returns; the runs between are copied whole. This is the engine of
/// [`escape`] (on every page's path: Tera calls it for every value it
/// prints) and of the JSON-LD's `<script>` escape.
pub fn replace_ascii(text: &str, entity: impl Fn(u8) -> Option<&'static str>) -> String {
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

/// The entity for each of the five characters that matter in HTML text
/// and quoted attributes; `None` for every other byte. (Tera's default
/// also escapes `/`, which bloats every URL for no safety gain.)
pub fn entity(b: u8) -> Option<&'static str> {
    match b {
        b'&' => Some("&amp;"),
        b'<' => Some("&lt;"),
        b'>' => Some("&gt;"),
        b'"' => Some("&quot;"),
        b'\'' => Some("&#39;"),
        _ => None,
    }
}

/// `text` safe inside an HTML element or a quoted attribute.
pub fn escape(text: &str) -> String {
    replace_ascii(text, entity)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_five_are_replaced_and_vietnamese_text_is_kept() {
        assert_eq!(
            escape("Đường <b>\"số 1\"</b> & 'Hà Nội'"),
            "Đường &lt;b&gt;&quot;số 1&quot;&lt;/b&gt; &amp; &#39;Hà Nội&#39;"
        );
        assert_eq!(escape(""), "");
        assert_eq!(escape("<"), "&lt;");
        assert_eq!(escape("a/b?c=1;d"), "a/b?c=1;d", "URLs stay as they are");
        assert_eq!(escape("&amp;"), "&amp;amp;", "escaped again, never skipped");
    }

    #[test]
    fn runs_around_multibyte_characters_are_copied_whole() {
        assert_eq!(escape("ệ<ệ"), "ệ&lt;ệ");
        assert_eq!(escape("<ữ>"), "&lt;ữ&gt;");
        assert_eq!(escape("Ủy ban"), "Ủy ban");
    }

    #[test]
    fn replace_ascii_takes_any_table() {
        let json = |b| match b {
            b'<' => Some("\\u003c"),
            _ => None,
        };
        assert_eq!(replace_ascii("a</script>ố", json), "a\\u003c/script>ố");
        let breaks = |b| if b == b'\n' { Some("<br>") } else { entity(b) };
        assert_eq!(replace_ascii("a&\nb", breaks), "a&amp;<br>b");
    }
}

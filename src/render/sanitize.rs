//! `SafeHtml`: HTML that went through ammonia's explicit allow-list (or was
//! built from escaped text). Templates print only this type unescaped.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

/// HTML that is safe to print unescaped.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SafeHtml(String);

impl SafeHtml {
    /// Cleans untrusted HTML with the body allow-list.
    pub fn clean(html: &str) -> Self {
        SafeHtml(BODY.clean(html).to_string())
    }

    /// Wraps HTML that is already safe: stored output of [`SafeHtml::clean`],
    /// or markup this crate built from escaped text.
    pub(crate) fn trusted(html: String) -> Self {
        SafeHtml(html)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// Ids the page itself uses (landmarks, the comment form, its fields):
/// an entry body may not take them, or links and labels would point into
/// the body. Heading ids avoid them; other body ids using them are dropped.
pub const RESERVED_IDS: &[&str] = &[
    "main",
    "comments",
    "comments-title",
    "respond",
    "reply-title",
    "content",
    "author_name",
    "author_email",
    "author_url",
    "comment-form-errors",
    "error-summary-title",
    "related",
    "related-title",
    "site-q",
    "q",
    "kind",
    "category",
    "results-title",
    "contents-title",
];

/// The allow-list for entry bodies: structure, emphasis, links, images,
/// tables and footnotes; no scripts, styles, forms, frames or event handlers.
static BODY: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let tags: HashSet<&str> = [
        "a",
        "abbr",
        "b",
        "blockquote",
        "br",
        "caption",
        "code",
        "dd",
        "del",
        "div",
        "dl",
        "dt",
        "em",
        "figcaption",
        "figure",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "i",
        "img",
        "li",
        "ol",
        "p",
        "picture",
        "pre",
        "s",
        "section",
        "source",
        "strong",
        "sub",
        "sup",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "u",
        "ul",
    ]
    .into();
    let mut tag_attributes: HashMap<&str, HashSet<&str>> = HashMap::new();
    tag_attributes.insert("a", ["href", "title", "id"].into());
    tag_attributes.insert(
        "img",
        [
            "src", "alt", "title", "width", "height", "loading", "decoding", "srcset", "sizes",
        ]
        .into(),
    );
    tag_attributes.insert("source", ["srcset", "sizes", "type"].into());
    tag_attributes.insert("abbr", ["title"].into());
    tag_attributes.insert("ol", ["start"].into());
    tag_attributes.insert("th", ["colspan", "rowspan", "scope"].into());
    tag_attributes.insert("td", ["colspan", "rowspan"].into());
    for h in ["h2", "h3", "h4", "h5", "h6"] {
        tag_attributes.insert(h, ["id"].into());
    }
    tag_attributes.insert("div", ["id"].into());
    tag_attributes.insert("sup", ["id"].into());
    tag_attributes.insert("li", ["id"].into());
    let mut classes: HashMap<&str, HashSet<&str>> = HashMap::new();
    classes.insert("div", ["footnote-definition"].into());
    classes.insert(
        "sup",
        ["footnote-reference", "footnote-definition-label"].into(),
    );
    classes.insert("a", ["heading-anchor"].into());
    let mut b = ammonia::Builder::empty();
    b.tags(tags)
        .tag_attributes(tag_attributes)
        .allowed_classes(classes)
        .url_schemes(["http", "https", "mailto", "tel"].into())
        .url_relative(ammonia::UrlRelative::PassThrough)
        .link_rel(Some("noopener"))
        .attribute_filter(|element, attr, value| {
            let allowed = match attr {
                "id" => !(RESERVED_IDS.contains(&value) || value.starts_with("comment-")),
                // Responsive images only point at the media library's files.
                "srcset" => super::responsive::is_library_srcset(value),
                "sizes" => value
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b" (),.:-".contains(&b)),
                "type" if element == "source" => {
                    matches!(
                        value,
                        "image/webp" | "image/jpeg" | "image/png" | "image/gif"
                    )
                }
                _ => true,
            };
            allowed.then_some(value.into())
        })
        .strip_comments(true);
    b
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_handlers_and_javascript_urls_are_removed() {
        let dirty = r#"<p onclick="x()">Hi<script>alert(1)</script></p>
<a href="javascript:alert(1)">a</a><img src=x onerror="alert(1)">
<iframe src="https://evil.example"></iframe><style>p{}</style>"#;
        let clean = SafeHtml::clean(dirty).into_string();
        for bad in [
            "script",
            "onclick",
            "javascript:",
            "onerror",
            "iframe",
            "style",
            "alert",
        ] {
            assert!(!clean.contains(bad), "{bad} in {clean}");
        }
        assert!(clean.contains("<p>Hi</p>"), "{clean}");
    }

    #[test]
    fn body_ids_cannot_take_the_page_s_own() {
        let clean = SafeHtml::clean(
            r#"<div id="content">x</div><h2 id="respond">y</h2><h2 id="ok">z</h2>"#,
        )
        .into_string();
        assert!(
            !clean.contains(r#"id="content""#) && !clean.contains(r#"id="respond""#),
            "{clean}"
        );
        assert!(clean.contains(r#"id="ok""#), "{clean}");
    }

    #[test]
    fn ordinary_markup_survives() {
        let html = r#"<h2 id="muc-tieu">Mục tiêu</h2><p><a href="/articles/x">x</a></p><table><tbody><tr><td>1</td></tr></tbody></table>"#;
        let clean = SafeHtml::clean(html).into_string();
        assert!(clean.contains(r#"<h2 id="muc-tieu">"#), "{clean}");
        assert!(clean.contains(r#"href="/articles/x""#), "{clean}");
        assert!(clean.contains("<td>1</td>"), "{clean}");
    }
}

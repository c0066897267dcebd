//! Document numbers in entry text become links to the registry.
//!
//! Vietnamese official documents carry a number and symbol such as
//! `171/KH-SVHTT` or `42/2022/NĐ-CP`. An entry's body is linked when it is
//! rendered, at save (`service::entries::render_body`), and stored so; when
//! the registry changes, the entries citing the numbers concerned are
//! rendered again through the save path (`service::documents`). A summary
//! (plain text) is linked when its page is built. This pass only touches
//! text between tags, never inside `<a>`, `<code>` or `<pre>`; the text of
//! its own links (`class="doc-ref"`) still counts as cited.

use std::collections::HashMap;

use super::SafeHtml;
use super::templates::escape;
use crate::domain::document::{number_matches, numbers_in};

/// The class of the links this module makes.
const DOC_REF: &str = "class=\"doc-ref\"";

/// Elements whose text is never linked.
const SKIP: &[&str] = &["a", "code", "pre", "script", "style", "textarea"];

/// A piece of HTML: a tag (with its name, lower-cased, and whether it
/// closes) or text.
enum Piece<'a> {
    Tag {
        raw: &'a str,
        name: String,
        closing: bool,
    },
    Text(&'a str),
}

fn pieces(html: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut rest = html;
    while !rest.is_empty() {
        match rest.find('<') {
            Some(0) => {
                // Stored HTML comes out of ammonia: every `<` in text is
                // escaped, so a `<` always starts a tag. A `>` may sit in a
                // quoted attribute value (a link's title), so quotes count.
                let end = tag_end(rest);
                let raw = &rest[..end];
                let inner = raw.trim_start_matches('<').trim_start_matches('/');
                let name: String = inner
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric())
                    .collect::<String>()
                    .to_ascii_lowercase();
                out.push(Piece::Tag {
                    raw,
                    name,
                    closing: raw.starts_with("</"),
                });
                rest = &rest[end..];
            }
            Some(i) => {
                out.push(Piece::Text(&rest[..i]));
                rest = &rest[i..];
            }
            None => {
                out.push(Piece::Text(rest));
                rest = "";
            }
        }
    }
    out
}

/// The length of the tag `html` starts with, up to and including its `>`
/// outside quotes (all of `html` when it never closes).
fn tag_end(html: &str) -> usize {
    let mut quote = None;
    for (i, c) in html.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '>') => return i + 1,
            _ => {}
        }
    }
    html.len()
}

/// The document numbers in the text of `html` that a link may be put on
/// (outside links and code).
pub fn linkable_numbers(html: &str) -> Vec<String> {
    let mut text = String::new();
    walk(html, |t, linkable| {
        if linkable {
            text.push_str(t);
            text.push('\n');
        }
    });
    numbers_in(&text)
}

/// Calls `f` with every text piece and whether it may carry links. The
/// text of a link this module made (`class="doc-ref"`) counts as linkable:
/// a stored body keeps citing the numbers it links.
fn walk<'a>(html: &'a str, mut f: impl FnMut(&'a str, bool)) {
    let mut skip_depth = 0usize;
    // Links do not nest: one flag tells whether the open `<a>` is ours.
    let mut in_doc_ref = false;
    for piece in pieces(html) {
        match piece {
            Piece::Tag { raw, name, closing } => {
                if name == "a" && !closing && raw.contains(DOC_REF) {
                    in_doc_ref = true;
                } else if name == "a" && closing && in_doc_ref {
                    in_doc_ref = false;
                } else if SKIP.contains(&name.as_str()) {
                    if closing {
                        skip_depth = skip_depth.saturating_sub(1);
                    } else {
                        skip_depth += 1;
                    }
                }
            }
            Piece::Text(t) => f(t, skip_depth == 0),
        }
    }
}

/// Plain `text` (a summary) escaped, with its known numbers linked.
pub fn link_text(text: &str, targets: &HashMap<String, String>) -> SafeHtml {
    link(&SafeHtml::trusted(escape(text)), targets)
}

/// The numbers an entry cites: in its body (where they may link) and in
/// its summary.
pub fn cited(body_html: &str, summary: &str) -> Vec<String> {
    let mut numbers = linkable_numbers(body_html);
    for n in numbers_in(summary) {
        if !numbers.contains(&n) {
            numbers.push(n);
        }
    }
    numbers
}

/// `html` with every number found in `targets` (number → URL of its
/// record) made into a link; text inside links and code stays as it is.
pub fn link(html: &SafeHtml, targets: &HashMap<String, String>) -> SafeHtml {
    if targets.is_empty() {
        return html.clone();
    }
    let src = html.as_str();
    let mut out = String::with_capacity(src.len() + 64 * targets.len());
    let mut skip_depth = 0usize;
    for piece in pieces(src) {
        match piece {
            Piece::Tag { raw, name, closing } => {
                if SKIP.contains(&name.as_str()) {
                    if closing {
                        skip_depth = skip_depth.saturating_sub(1);
                    } else {
                        skip_depth += 1;
                    }
                }
                out.push_str(raw);
            }
            Piece::Text(t) if skip_depth > 0 => out.push_str(t),
            Piece::Text(t) => {
                let mut last = 0;
                for m in number_matches(t) {
                    let Some(url) = targets.get(m.as_str()) else {
                        continue;
                    };
                    out.push_str(&t[last..m.start()]);
                    out.push_str("<a ");
                    out.push_str(DOC_REF);
                    out.push_str(" href=\"");
                    out.push_str(&escape(url));
                    out.push_str("\">");
                    out.push_str(m.as_str());
                    out.push_str("</a>");
                    last = m.end();
                }
                out.push_str(&t[last..]);
            }
        }
    }
    // Numbers are capitals, digits, `/` and `-`; URLs are escaped.
    SafeHtml::trusted(out)
}

/// `html` (a stored body) with the addresses of its registry links made
/// absolute under `origin`: on paper a link is its printed address.
pub fn absolute(html: &SafeHtml, origin: &str) -> SafeHtml {
    let relative = format!("{DOC_REF} href=\"/");
    if !html.as_str().contains(&relative) {
        return html.clone();
    }
    let absolute = format!("{DOC_REF} href=\"{}/", escape(origin.trim_end_matches('/')));
    SafeHtml::trusted(html.as_str().replace(&relative, &absolute))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn targets() -> HashMap<String, String> {
        HashMap::from([(
            "171/KH-SVHTT".to_owned(),
            "/documents/ke-hoach-171-kh-svhtt-2022".to_owned(),
        )])
    }

    #[test]
    fn links_known_numbers_in_text_only() {
        let html = SafeHtml::trusted(
            "<p>Theo 171/KH-SVHTT và 99/KH-X.</p><p><a href=\"/x\">171/KH-SVHTT</a> <code>171/KH-SVHTT</code></p><h2 id=\"k-171\">171/KH-SVHTT</h2>".into(),
        );
        let out = link(&html, &targets());
        assert_eq!(
            out.as_str(),
            "<p>Theo <a class=\"doc-ref\" href=\"/documents/ke-hoach-171-kh-svhtt-2022\">171/KH-SVHTT</a> và 99/KH-X.</p>\
             <p><a href=\"/x\">171/KH-SVHTT</a> <code>171/KH-SVHTT</code></p>\
             <h2 id=\"k-171\"><a class=\"doc-ref\" href=\"/documents/ke-hoach-171-kh-svhtt-2022\">171/KH-SVHTT</a></h2>"
        );
        assert_eq!(
            linkable_numbers(html.as_str()),
            vec!["171/KH-SVHTT", "99/KH-X"]
        );
    }

    #[test]
    fn a_quoted_angle_bracket_does_not_end_a_tag() {
        let html = SafeHtml::trusted(
            "<p><a href=\"/x\" title=\"a>171/KH-SVHTT\">x</a> 171/KH-SVHTT</p>".into(),
        );
        assert_eq!(
            link(&html, &targets()).as_str(),
            "<p><a href=\"/x\" title=\"a>171/KH-SVHTT\">x</a> \
             <a class=\"doc-ref\" href=\"/documents/ke-hoach-171-kh-svhtt-2022\">171/KH-SVHTT</a></p>"
        );
    }

    #[test]
    fn a_linked_body_still_cites_its_numbers_and_is_not_linked_twice() {
        let html =
            SafeHtml::trusted("<p>Theo 171/KH-SVHTT.</p><p><a href=\"/x\">5/QĐ-UB</a></p>".into());
        let linked = link(&html, &targets());
        assert_eq!(cited(linked.as_str(), ""), vec!["171/KH-SVHTT"]);
        assert_eq!(link(&linked, &targets()), linked);
    }

    #[test]
    fn printed_links_are_absolute() {
        let html = SafeHtml::trusted("<p>Theo 171/KH-SVHTT.</p><p><a href=\"/x\">x</a></p>".into());
        let linked = link(&html, &targets());
        assert_eq!(
            absolute(&linked, "https://svhtt.example").as_str(),
            "<p>Theo <a class=\"doc-ref\" href=\"https://svhtt.example/documents/ke-hoach-171-kh-svhtt-2022\">171/KH-SVHTT</a>.</p><p><a href=\"/x\">x</a></p>"
        );
        assert_eq!(absolute(&html, "https://svhtt.example"), html);
    }

    #[test]
    fn nothing_changes_without_targets() {
        let html = SafeHtml::trusted("<p>171/KH-SVHTT</p>".into());
        assert_eq!(link(&html, &HashMap::new()), html);
    }
}

//! A comment's plain text as HTML: escaped, line breaks kept, web addresses
//! made into `rel="nofollow ugc"` links.

use linkify::{LinkFinder, LinkKind};

use super::SafeHtml;
use crate::domain::html;

/// `s` escaped (`domain::html`), its line breaks kept as `<br>`.
fn escape(s: &str, out: &mut String) {
    out.push_str(&html::replace_ascii(s, |b| match b {
        b'\n' => Some("<br>\n"),
        b => html::entity(b),
    }));
}

/// Paragraphs from blank lines, `<br>` for single breaks, linked URLs.
pub fn to_html(text: &str) -> SafeHtml {
    render(text, true)
}

/// The same without links: how a pending comment shows to its author, so a
/// held comment cannot be used to show anyone a link.
pub fn to_html_without_links(text: &str) -> SafeHtml {
    render(text, false)
}

fn render(text: &str, links: bool) -> SafeHtml {
    let mut finder = LinkFinder::new();
    finder.kinds(&[LinkKind::Url]);
    let mut out = String::with_capacity(text.len() + 16);
    let normalised = text.replace("\r\n", "\n");
    for para in normalised
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        out.push_str("<p>");
        if links {
            for span in finder.spans(para) {
                match span.kind() {
                    Some(LinkKind::Url)
                        if span.as_str().starts_with("http://")
                            || span.as_str().starts_with("https://") =>
                    {
                        out.push_str("<a href=\"");
                        escape(span.as_str(), &mut out);
                        out.push_str("\" rel=\"nofollow ugc noopener\">");
                        escape(span.as_str(), &mut out);
                        out.push_str("</a>");
                    }
                    _ => escape(span.as_str(), &mut out),
                }
            }
        } else {
            escape(para, &mut out);
        }
        out.push_str("</p>");
    }
    SafeHtml::trusted(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_breaks_kept() {
        let html = to_html("<b>Xin chào</b>\nDòng 2\n\nĐoạn 2").into_string();
        assert_eq!(
            html,
            "<p>&lt;b&gt;Xin chào&lt;/b&gt;<br>\nDòng 2</p><p>Đoạn 2</p>"
        );
    }

    #[test]
    fn urls_become_nofollow_links_and_only_http() {
        let html =
            to_html("Xem https://hanoi.gov.vn/a?b=1&c=\"2\" và javascript:alert(1)").into_string();
        assert!(
            html.contains(
                r#"<a href="https://hanoi.gov.vn/a?b=1&amp;c=" rel="nofollow ugc noopener">"#
            ),
            "{html}"
        );
        assert!(!html.contains("href=\"javascript"), "{html}");
    }

    #[test]
    fn pending_view_has_no_links() {
        let html = to_html_without_links("spam https://spam.example").into_string();
        assert!(!html.contains("<a"), "{html}");
        assert!(html.contains("https://spam.example"), "{html}");
    }
}

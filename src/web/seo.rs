//! Structured data for search engines and link previews: JSON-LD
//! (`NewsArticle`, `BreadcrumbList`, `WebSite`), printed inside
//! `<script type="application/ld+json">`.

use serde_json::{Value, json};

use super::views::{EntryView, Link};
use crate::render::SafeHtml;

/// JSON safe inside a `<script>` element: `<`, `>` and `&` are written as
/// `\u003c`…, so no string in it can close the element. (They occur only
/// inside JSON strings, where the escapes mean the same characters.)
pub fn script_json(value: &Value) -> SafeHtml {
    let text = value.to_string();
    SafeHtml::trusted(
        text.replace('<', "\\u003c")
            .replace('>', "\\u003e")
            .replace('&', "\\u0026"),
    )
}

/// `BreadcrumbList` for `trail` (absolute URLs from `origin`).
pub fn breadcrumbs(origin: &str, trail: &[Link]) -> Value {
    json!({
        "@type": "BreadcrumbList",
        "itemListElement": trail.iter().enumerate().map(|(i, l)| json!({
            "@type": "ListItem",
            "position": i + 1,
            "name": l.name,
            "item": format!("{origin}{}", l.url),
        })).collect::<Vec<_>>(),
    })
}

/// The publisher, as schema.org wants it on a `NewsArticle`.
fn publisher(origin: &str, name: &str) -> Value {
    json!({
        "@type": "GovernmentOrganization",
        "name": name,
        "url": format!("{origin}/"),
        "logo": { "@type": "ImageObject", "url": format!("{origin}/static/logo.png") },
    })
}

/// `NewsArticle` and `BreadcrumbList` for an entry page.
pub fn entry_graph(origin: &str, publisher_name: &str, e: &EntryView, trail: &[Link]) -> SafeHtml {
    let url = format!("{origin}{}", e.url);
    let mut article = json!({
        "@type": "NewsArticle",
        "@id": format!("{url}#article"),
        "mainEntityOfPage": url,
        "url": url,
        "headline": e.title,
        "description": e.summary,
        "inLanguage": "vi",
        "dateModified": e.updated.iso,
        "author": { "@type": "Person", "name": if e.byline.is_empty() { publisher_name } else { &e.byline } },
        "publisher": publisher(origin, publisher_name),
    });
    if let Some(p) = &e.published {
        article["datePublished"] = json!(p.iso);
    }
    if let Some(img) = &e.image {
        article["image"] = json!([format!("{origin}{}", img.url)]);
    }
    if let Some(c) = &e.category {
        article["articleSection"] = json!(c.name);
    }
    if !e.tags.is_empty() {
        article["keywords"] = json!(e.tags.iter().map(|t| t.name.as_str()).collect::<Vec<_>>());
    }
    script_json(&json!({
        "@context": "https://schema.org",
        "@graph": [article, breadcrumbs(origin, trail)],
    }))
}

/// `WebSite` (home) with its search action, or a listing's breadcrumbs.
pub fn site_graph(origin: &str, name: &str, trail: Option<&[Link]>) -> SafeHtml {
    let value = match trail {
        Some(trail) => {
            json!({ "@context": "https://schema.org", "@graph": [breadcrumbs(origin, trail)] })
        }
        None => json!({
            "@context": "https://schema.org",
            "@type": "WebSite",
            "name": name,
            "url": format!("{origin}/"),
            "inLanguage": "vi",
            "potentialAction": {
                "@type": "SearchAction",
                "target": format!("{origin}/search?q={{search_term_string}}"),
                "query-input": "required name=search_term_string",
            },
        }),
    };
    script_json(&value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_cannot_close_the_script_element() {
        let v = json!({ "headline": "</script><script>alert(1)</script> & <!--" });
        let out = script_json(&v).into_string();
        assert!(!out.contains('<') && !out.contains('>'), "{out}");
        let back: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(
            back["headline"],
            "</script><script>alert(1)</script> & <!--"
        );
    }
}

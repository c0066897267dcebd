//! Structured data for search engines and link previews: JSON-LD
//! (`NewsArticle`, `BreadcrumbList`, `WebSite`), printed inside
//! `<script type="application/ld+json">`.

use serde::Serialize;
use serde_json::json;

use super::pages::Common;
use super::views::{EntryView, Link};
use crate::render::SafeHtml;

/// JSON safe inside a `<script>` element: `<`, `>` and `&` are written as
/// `\u003c`…, so no string in it can close the element. (They occur only
/// inside JSON strings, where the escapes mean the same characters.)
pub fn script_json(value: &impl Serialize) -> SafeHtml {
    let text = serde_json::to_string(value).unwrap_or_default();
    SafeHtml::trusted(crate::domain::html::replace_ascii(&text, |b| match b {
        b'<' => Some("\\u003c"),
        b'>' => Some("\\u003e"),
        b'&' => Some("\\u0026"),
        _ => None,
    }))
}

/// A schema.org `@graph` of two nodes.
#[derive(Serialize)]
struct Graph<A, B> {
    #[serde(rename = "@context")]
    context: &'static str,
    #[serde(rename = "@graph")]
    graph: (A, B),
}

/// schema.org `BreadcrumbList`.
#[derive(Serialize)]
pub struct Breadcrumbs<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    #[serde(rename = "itemListElement")]
    items: Vec<Crumb<'a>>,
}

#[derive(Serialize)]
struct Crumb<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    position: usize,
    name: &'a str,
    item: String,
}

/// `BreadcrumbList` for `trail` (absolute URLs from `origin`).
pub fn breadcrumbs<'a>(origin: &str, trail: &'a [Link]) -> Breadcrumbs<'a> {
    Breadcrumbs {
        kind: "BreadcrumbList",
        items: trail
            .iter()
            .enumerate()
            .map(|(i, l)| Crumb {
                kind: "ListItem",
                position: i + 1,
                name: &l.name,
                item: format!("{origin}{}", l.url),
            })
            .collect(),
    }
}

/// A schema.org node with just a type and a name (the author).
#[derive(Serialize)]
struct Named<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    name: &'a str,
}

/// The publisher, as schema.org wants it on a `NewsArticle`.
#[derive(Serialize)]
struct Publisher<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    name: &'a str,
    url: String,
    logo: Logo,
}

#[derive(Serialize)]
struct Logo {
    #[serde(rename = "@type")]
    kind: &'static str,
    url: String,
}

/// schema.org `NewsArticle`, written straight to JSON (an entry page
/// builds one on every uncached view).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct NewsArticle<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    #[serde(rename = "@id")]
    id: String,
    main_entity_of_page: &'a str,
    url: &'a str,
    headline: &'a str,
    description: &'a str,
    in_language: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    date_published: Option<&'a str>,
    date_modified: &'a str,
    author: Named<'a>,
    publisher: Publisher<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    image: Option<[String; 1]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    article_section: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    keywords: Vec<&'a str>,
}

/// `NewsArticle` and `BreadcrumbList` for an entry page in `lang`.
pub fn entry_graph<'a>(
    origin: &str,
    lang: &'a str,
    publisher_name: &'a str,
    e: &EntryView,
    trail: &[Link],
) -> SafeHtml {
    let url = format!("{origin}{}", e.url);
    let article = NewsArticle {
        kind: "NewsArticle",
        id: format!("{url}#article"),
        main_entity_of_page: &url,
        url: &url,
        headline: &e.title,
        description: &e.summary,
        in_language: lang,
        date_published: e.published.as_ref().map(|p| p.iso.as_str()),
        date_modified: &e.updated.iso,
        author: Named {
            kind: "Person",
            name: if e.byline.is_empty() {
                publisher_name
            } else {
                &e.byline
            },
        },
        publisher: Publisher {
            kind: "GovernmentOrganization",
            name: publisher_name,
            url: format!("{origin}/"),
            logo: Logo {
                kind: "ImageObject",
                url: format!("{origin}/static/logo.png"),
            },
        },
        image: e.image.as_ref().map(|img| [format!("{origin}{}", img.url)]),
        article_section: e.category.as_ref().map(|c| c.name.as_str()),
        keywords: e.tags.iter().map(|t| t.name.as_str()).collect(),
    };
    script_json(&Graph {
        context: "https://schema.org",
        graph: (article, breadcrumbs(origin, trail)),
    })
}

/// `WebSite` (a home page, in the page's language, with its search
/// action), or a listing's breadcrumbs.
pub fn site_graph(common: &Common<'_>, name: &str, trail: Option<&[Link]>) -> SafeHtml {
    let origin = common.origin.as_str();
    let value = match trail {
        Some(trail) => {
            json!({ "@context": "https://schema.org", "@graph": [breadcrumbs(origin, trail)] })
        }
        None => json!({
            "@context": "https://schema.org",
            "@type": "WebSite",
            "name": name,
            "url": format!("{origin}{}", common.home_url),
            "inLanguage": common.lang,
            "potentialAction": {
                "@type": "SearchAction",
                "target": format!("{origin}{}?q={{search_term_string}}", common.search_url),
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
        let back: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(
            back["headline"],
            "</script><script>alert(1)</script> & <!--"
        );
    }
}

//! What machines read: Atom feeds, sitemaps and robots.txt.

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::NaiveDateTime;
use serde::Serialize;

use crate::error::AppError;
use crate::storage::entries::{self, Filter};
use crate::storage::{categories, settings};
use std::sync::Arc;

use crate::web::AppState;
use crate::web::db;
use crate::web::languages::{Alternate, Translations, localized};
use crate::web::pages::{self, SITE_PREFIX};
use crate::web::views::category_url;

/// Entries in a feed.
const FEED_SIZE: i64 = 20;

/// An entry in a feed.
#[derive(Serialize)]
struct FeedEntry {
    /// The entry's absolute address (also its Atom id).
    url: String,
    title: String,
    summary: String,
    /// The featured image and the body as HTML, links made absolute
    /// (escaped by the template: Atom's `type="html"`).
    content: String,
    /// The byline, else the publisher.
    author: String,
    /// RFC 3339 times.
    published: String,
    updated: String,
    /// The category's name, if any.
    category: Option<String>,
}

/// A feed's own data.
#[derive(Serialize)]
struct Feed {
    /// The site's name (with the category's before it, for a category).
    title: String,
    /// The category's or the site's description.
    subtitle: String,
    /// The feed's own absolute address (also its Atom id, `id`).
    self_url: String,
    /// The page the feed follows: the home page or the category.
    alternate_url: String,
    id: String,
    /// The latest entry's update time (RFC 3339).
    updated: String,
    /// The publisher.
    author: String,
    /// The latest 20 public entries, newest first.
    entries: Vec<FeedEntry>,
}

/// `feeds/atom.xml`: the site's or a category's Atom feed.
#[derive(Serialize)]
struct AtomView<'a> {
    /// The feed.
    feed: Feed,
    /// The interface language (`vi`), for `xml:lang`.
    lang: &'a str,
}

/// Makes the root-relative links and images of cleaned HTML absolute.
pub fn absolutize(html: &str, origin: &str) -> String {
    html.replace("href=\"/", &format!("href=\"{origin}/"))
        .replace("src=\"/", &format!("src=\"{origin}/"))
        // Undo for protocol-relative URLs, which were absolute already.
        .replace(&format!("href=\"{origin}//"), "href=\"//")
        .replace(&format!("src=\"{origin}//"), "src=\"//")
}

fn rfc3339(t: NaiveDateTime) -> String {
    t.and_utc()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Which feed: the site's, a category's, or the site's in another language.
enum Which {
    Site,
    Category(String),
    Language(&'static str),
}

async fn feed(
    state: web::Data<AppState>,
    req: HttpRequest,
    which: Which,
) -> Result<HttpResponse, AppError> {
    let now = state.now();
    let lang = match which {
        Which::Language(lang) => Some(lang),
        _ => None,
    };
    let shared = state.clone();
    let (mut site, category, rows, on) = db::run(&state, move |conn| {
        let site: std::collections::BTreeMap<String, String> =
            settings::with_prefix(conn, SITE_PREFIX)?
                .into_iter()
                .map(|(k, v)| (k[SITE_PREFIX.len()..].to_owned(), v))
                .collect();
        let category = match &which {
            Which::Category(slug) => {
                Some(categories::find_by_slug(conn, slug)?.ok_or(AppError::NotFound)?)
            }
            _ => None,
        };
        let (rows, on) = match which {
            // The translation's words in the original's place.
            Which::Language(lang) => {
                let on = pages::shared_base(conn, &shared.cache)?
                    .translations
                    .is_on(lang);
                let found =
                    crate::storage::translations::latest_public(conn, lang, now, FEED_SIZE)?;
                let ids: Vec<i32> = found.iter().map(|(id, _)| *id).collect();
                let mut by_id: std::collections::HashMap<i32, _> = found.into_iter().collect();
                let rows = entries::in_order(conn, &ids)?
                    .into_iter()
                    .filter_map(|mut e| {
                        let t = by_id.remove(&e.id)?;
                        super::translated::lay_over(&mut e, t);
                        Some((e, None))
                    })
                    .collect();
                (rows, on)
            }
            _ => {
                let filter = Filter {
                    category_id: category.as_ref().map(|c| c.id),
                    ..Default::default()
                };
                (
                    entries::latest_public_full(conn, filter, now, FEED_SIZE)?,
                    true,
                )
            }
        };
        Ok((site, category, rows, on))
    })
    .await?;
    if !on {
        return Err(AppError::NotFound);
    }
    if let Some(lang) = lang {
        crate::web::languages::site_in(&mut site, lang);
    }
    let at = |path: String| match lang {
        Some(lang) => localized(lang, &path),
        None => path,
    };
    let origin = pages::origin(&state, &req);
    let site_name = site.get("name").cloned().unwrap_or_else(|| "loa".into());
    let publisher = site
        .get("publisher")
        .cloned()
        .unwrap_or_else(|| site_name.clone());
    let entries: Vec<FeedEntry> = rows
        .into_iter()
        .map(|(e, c)| {
            let published = e.publish_at.unwrap_or(e.created_at);
            let url = format!("{origin}{}", at(e.kind.entry_path(&e.slug)));
            let mut content = String::new();
            if let Some(path) = &e.image_path {
                content.push_str(&format!(
                    "<figure><img src=\"/uploads/{path}\" alt=\"{}\"><figcaption>{}</figcaption></figure>",
                    crate::domain::html::escape(&e.image_alt),
                    crate::domain::html::escape(&e.image_caption)
                ));
            }
            content.push_str(&e.body_html);
            FeedEntry {
                title: e.title,
                summary: e.summary,
                content: absolutize(&content, &origin),
                author: if e.byline.is_empty() { publisher.clone() } else { e.byline },
                published: rfc3339(published),
                updated: rfc3339(e.updated_at.max(published)),
                category: c,
                url,
            }
        })
        .collect();
    let (title, path) = match (&category, lang) {
        (Some(c), _) => (format!("{} – {site_name}", c.name), category_url(&c.slug)),
        (None, Some(lang)) => (site_name.clone(), format!("/{lang}")),
        (None, None) => (site_name.clone(), String::new()),
    };
    let updated = entries
        .iter()
        .map(|e| e.updated.clone())
        .max()
        .unwrap_or_else(|| rfc3339(now));
    let feed = Feed {
        title,
        subtitle: category
            .map(|c| c.description)
            .unwrap_or_else(|| site.get("description").cloned().unwrap_or_default()),
        self_url: format!("{origin}{path}/feed.xml"),
        alternate_url: format!(
            "{origin}{}",
            match (path.is_empty(), lang) {
                (true, _) => "/".to_owned(),
                (false, Some(_)) => format!("{path}/"),
                (false, None) => path.clone(),
            }
        ),
        id: format!("{origin}{path}/feed.xml"),
        updated,
        author: publisher,
        entries,
    };
    let view = AtomView {
        feed,
        lang: lang.unwrap_or(&state.config.language),
    };
    Ok(HttpResponse::Ok()
        .content_type("application/atom+xml; charset=utf-8")
        .insert_header(("Cache-Control", state.config.public_cache_control(300)))
        .body(state.theme.render_view("feeds/atom.xml", &view)?))
}

/// `/feed.xml`: the latest public entries of the whole site.
pub async fn site_feed(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    feed(state, req, Which::Site).await
}

/// `/en/feed.xml`: the latest public entries translated into the language.
pub async fn language_feed(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let lang = super::translated::language_of(&state, req.path()).ok_or(AppError::NotFound)?;
    feed(state, req, Which::Language(lang)).await
}

/// `/categories/{slug}/feed.xml`.
pub async fn category_feed(
    state: web::Data<AppState>,
    req: HttpRequest,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    feed(state, req, Which::Category(slug.into_inner())).await
}

/// An address in a sitemap (or a sitemap in an index).
#[derive(Serialize)]
struct UrlEntry {
    /// The absolute address.
    loc: String,
    /// When it last changed (RFC 3339), for entries.
    lastmod: Option<String>,
    /// The address's versions in each language, itself included
    /// (`<xhtml:link rel="alternate" hreflang>`); empty when it has none.
    alternates: Vec<Alternate>,
}

/// `sitemaps/urlset.xml`: a sitemap.
#[derive(Serialize)]
struct UrlsetView {
    /// The addresses it lists.
    urls: Vec<UrlEntry>,
}

/// `sitemaps/index.xml`: the index of sitemaps, for sites with more
/// addresses than one sitemap holds.
#[derive(Serialize)]
struct IndexView {
    /// The sitemaps (`/sitemaps/N.xml`).
    sitemaps: Vec<UrlEntry>,
}

/// Pages every sitemap starts with: home, the kind listings, categories,
/// the document registry and its records, the department's public pages
/// (a few hundred at most), and every page in another language (the
/// translations: few), each with its versions.
fn fixed_urls(
    origin: &str,
    site_lang: &str,
    cats: &[categories::Category],
    documents: &[String],
    site_pages: &[crate::storage::pages::Node],
    translated: &[(String, String, String, NaiveDateTime)],
    tr: &Translations,
) -> Vec<UrlEntry> {
    let kinds = crate::domain::entry::EntryKind::ALL;
    // (path, lastmod, languages it is in besides the site's)
    let offered: Vec<String> = tr.on.iter().filter(|l| tr.offered(l)).cloned().collect();
    let mut paths: Vec<(String, Option<String>, Vec<String>)> =
        vec![("/".to_owned(), None, offered)];
    paths.extend(kinds.iter().map(|k| {
        let langs = tr
            .on
            .iter()
            .filter(|l| tr.kinds(l).contains(k))
            .cloned()
            .collect();
        (format!("/{}", k.path_segment()), None, langs)
    }));
    paths.extend(
        cats.iter()
            .map(|c| (category_url(&c.slug), None, Vec::new())),
    );
    paths.push(("/documents".to_owned(), None, Vec::new()));
    paths.extend(
        documents
            .iter()
            .map(|slug| (super::documents::document_url(slug), None, Vec::new())),
    );
    paths.extend(super::pages::public_nodes(site_pages).map(|n| {
        let langs = tr
            .on
            .iter()
            .filter(|l| tr.page(n.id, l).is_some())
            .cloned()
            .collect();
        (
            super::pages::url(&n.path),
            Some(rfc3339(n.updated_at)),
            langs,
        )
    }));
    let mut urls = Vec::new();
    for (path, lastmod, langs) in paths {
        let alternates = versions(origin, site_lang, &path, &langs);
        for lang in &langs {
            urls.push(UrlEntry {
                loc: format!("{origin}{}", localized(lang, &path)),
                lastmod: lastmod.clone(),
                alternates: alternates.clone(),
            });
        }
        urls.push(UrlEntry {
            loc: format!("{origin}{path}"),
            lastmod,
            alternates,
        });
    }
    for (lang, kind, slug, changed) in translated {
        let Ok(kind) = kind.parse::<crate::domain::entry::EntryKind>() else {
            continue;
        };
        if !tr.is_on(lang) {
            continue;
        }
        let path = kind.entry_path(slug);
        urls.push(UrlEntry {
            loc: format!("{origin}{}", localized(lang, &path)),
            lastmod: Some(rfc3339(*changed)),
            alternates: versions(origin, site_lang, &path, std::slice::from_ref(lang)),
        });
    }
    urls
}

/// `path`'s versions (in `site_lang`, and in `langs`), absolute; none
/// when it has no other.
fn versions(origin: &str, site_lang: &str, path: &str, langs: &[String]) -> Vec<Alternate> {
    if langs.is_empty() {
        return Vec::new();
    }
    std::iter::once(Alternate {
        lang: site_lang.to_owned(),
        url: format!("{origin}{path}"),
    })
    .chain(langs.iter().map(|l| Alternate {
        lang: l.clone(),
        url: format!("{origin}{}", localized(l, path)),
    }))
    .collect()
}

fn xml(state: &AppState, body: Vec<u8>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/xml; charset=utf-8")
        .insert_header(("Cache-Control", state.config.public_cache_control(3600)))
        .body(body)
}

/// `/sitemap.xml`: every public page with `lastmod`; once there are more
/// URLs than one sitemap may hold (50,000), an index of `/sitemaps/N.xml`.
pub async fn sitemap(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let now = state.now();
    let max = state.sitemap_max as i64;
    let origin = pages::origin(&state, &req);
    let (tr, fixed, total) = fixed_part(&state, origin.clone()).await?;
    let all = fixed.len() as i64 + total;
    if all <= max {
        let rows = db::run(&state, move |conn| {
            Ok(entries::sitemap_rows(conn, now, 0, max)?)
        })
        .await?;
        let mut urls = fixed;
        urls.extend(
            rows.into_iter()
                .map(|r| url_entry(&origin, &state.config.language, r, &tr)),
        );
        return Ok(xml(
            &state,
            state
                .theme
                .render_view("sitemaps/urlset.xml", &UrlsetView { urls })?,
        ));
    }
    // Part 1 holds the fixed pages and the first entries; the rest follow.
    // Translations are few; were there more of them than a sitemap holds,
    // part 1 would hold only the fixed addresses.
    let first = (max - fixed.len() as i64).max(0);
    let parts = 1 + (total - first + max - 1).max(0) / max;
    let sitemaps: Vec<UrlEntry> = (1..=parts)
        .map(|n| UrlEntry {
            loc: format!("{origin}/sitemaps/{n}.xml"),
            lastmod: None,
            alternates: Vec::new(),
        })
        .collect();
    Ok(xml(
        &state,
        state
            .theme
            .render_view("sitemaps/index.xml", &IndexView { sitemaps })?,
    ))
}

fn url_entry(origin: &str, site_lang: &str, r: entries::SitemapRow, tr: &Translations) -> UrlEntry {
    let changed = r.publish_at.map_or(r.updated_at, |p| r.updated_at.max(p));
    let path = r.kind.entry_path(&r.slug);
    let langs: Vec<String> = tr
        .on
        .iter()
        .filter(|l| tr.entry(r.id, l).is_some())
        .cloned()
        .collect();
    UrlEntry {
        loc: format!("{origin}{path}"),
        lastmod: Some(rfc3339(changed)),
        alternates: versions(origin, site_lang, &path, &langs),
    }
}

/// What every sitemap's first part lists ([`fixed_urls`]), what is
/// translated, and how many public entries there are.
async fn fixed_part(
    state: &web::Data<AppState>,
    origin: String,
) -> Result<(Arc<Translations>, Vec<UrlEntry>, i64), AppError> {
    let now = state.now();
    let shared = state.clone();
    db::run(state, move |conn| {
        let tr = pages::shared_base(conn, &shared.cache)?.translations;
        let urls = fixed_urls(
            &origin,
            &shared.config.language,
            &categories::all(conn)?,
            &crate::storage::documents::slugs(conn)?,
            &crate::storage::pages::all(conn)?,
            &crate::storage::translations::sitemap_entries(conn, now)?,
            &tr,
        );
        Ok((tr, urls, entries::count_public(conn, now)?))
    })
    .await
}

/// `/sitemaps/{n}.xml`: one part of a sitemap index.
pub async fn sitemap_part(
    state: web::Data<AppState>,
    req: HttpRequest,
    n: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let n: i64 = n
        .strip_suffix(".xml")
        .and_then(|n| n.parse().ok())
        .filter(|n| *n >= 1)
        .ok_or(AppError::NotFound)?;
    let now = state.now();
    let max = state.sitemap_max as i64;
    let origin = pages::origin(&state, &req);
    let (tr, fixed, _) = fixed_part(&state, origin.clone()).await?;
    // Translations are few; were there more of them than a sitemap holds,
    // part 1 would hold only the fixed addresses.
    let first = (max - fixed.len() as i64).max(0);
    let (offset, limit) = if n == 1 {
        (0, first)
    } else {
        (first + (n - 2) * max, max)
    };
    let rows = db::run(&state, move |conn| {
        Ok(entries::sitemap_rows(conn, now, offset, limit)?)
    })
    .await?;
    if rows.is_empty() && n > 1 {
        return Err(AppError::NotFound);
    }
    let mut urls: Vec<UrlEntry> = Vec::with_capacity(rows.len() + fixed.len());
    if n == 1 {
        urls.extend(fixed);
    }
    urls.extend(
        rows.into_iter()
            .map(|r| url_entry(&origin, &state.config.language, r, &tr)),
    );
    Ok(xml(
        &state,
        state
            .theme
            .render_view("sitemaps/urlset.xml", &UrlsetView { urls })?,
    ))
}

/// `/robots.txt`: everything but the admin, and where the sitemap is.
pub async fn robots(state: web::Data<AppState>, req: HttpRequest) -> HttpResponse {
    let origin = pages::origin(&state, &req);
    HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .insert_header(("Cache-Control", state.config.public_cache_control(3600)))
        .body(format!(
            "User-agent: *\nDisallow: /admin\nDisallow: /search\nDisallow: /hoi-dap/theo-doi/\n\nSitemap: {origin}/sitemap.xml\n"
        ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_links_become_absolute() {
        let html = r#"<a href="/articles/x">x</a><img src="/uploads/a.jpg"><a href="//cdn.example/y">y</a><a href="https://a.vn/">z</a>"#;
        assert_eq!(
            absolutize(html, "https://so.hanoi.gov.vn"),
            r#"<a href="https://so.hanoi.gov.vn/articles/x">x</a><img src="https://so.hanoi.gov.vn/uploads/a.jpg"><a href="//cdn.example/y">y</a><a href="https://a.vn/">z</a>"#
        );
    }
}

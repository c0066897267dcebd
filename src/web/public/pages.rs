//! The department's own pages at their tree paths
//! (`/gioi-thieu/co-cau-to-chuc`): any GET no other route answers comes
//! here. A page is public when it and every page above it are published;
//! a path a page left answers 301 to where the page is now.

use std::borrow::Cow;

use actix_web::http::{Method, StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;

use super::html;
use crate::domain::page::{PageStatus, is_page_path, path_prefixes};
use crate::error::AppError;
use crate::render::dates::{self, ShownTime};
use crate::storage::pages::{self, Node, Page};
use crate::web::AppState;
use crate::web::db;
use crate::web::languages::localized;
use crate::web::pages::{self as common_pages, Common};
use crate::web::views::Link;

/// One row of a page's contact list.
#[derive(Serialize)]
struct ContactView {
    name: String,
    position: String,
    phone: String,
    /// The phone for a `tel:` link (digits, a leading `+`).
    tel: String,
    email: String,
}

/// `pages/page.html`
#[derive(Serialize)]
struct PagePage<'a> {
    #[serde(flatten)]
    common: Common<'a>,
    /// `title`, `summary`, `body_html` (safe), `url`, `updated`.
    page: PageView<'a>,
    /// Home, the pages above, and this one.
    trail: Vec<Link>,
    /// The page's contact list (`name`, `position`, `phone`, `tel`, `email`).
    contacts: Vec<ContactView>,
    /// The published pages below this one, in order.
    children: Vec<Link>,
    /// The rating form ("Thông tin này có hữu ích không?").
    rating: crate::web::forms::RatingFormView,
}

#[derive(Serialize)]
struct PageView<'a> {
    title: &'a str,
    summary: &'a str,
    body_html: &'a str,
    url: String,
    updated: ShownTime,
}

/// What a path leads to.
enum Found {
    /// The page, the pages above it, its published children, and its
    /// translation when the path is under a language's prefix.
    Page(
        Box<Page>,
        Vec<Node>,
        Vec<Node>,
        Option<super::translated::TranslatedPage>,
    ),
    MovedTo(String),
}

/// The page's address.
pub fn url(path: &str) -> String {
    format!("/{path}")
}

/// The public pages among `nodes` (every page): published, under
/// published parents.
pub fn public_nodes(nodes: &[Node]) -> impl Iterator<Item = &Node> {
    let published: std::collections::HashSet<&str> = nodes
        .iter()
        .filter(|n| n.status == PageStatus::Published)
        .map(|n| n.path.as_str())
        .collect();
    nodes
        .iter()
        .filter(move |n| path_prefixes(&n.path).iter().all(|a| published.contains(a)))
}

/// The default service: a page at the request's path, or the 404; a
/// POST to `{page path}/rating` is an answer to its rating form.
pub async fn show(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let rating = if req.method() == Method::POST {
        let form: std::collections::HashMap<String, String> =
            url::form_urlencoded::parse(&body).into_owned().collect();
        let posted = |k: &str| form.get(k).cloned().unwrap_or_default();
        let post = super::ratings::RatingPost {
            score: posted("score"),
            comment: posted("comment"),
            csrf_token: posted("csrf_token"),
        };
        Some(post)
    } else if req.method() == Method::GET {
        None
    } else {
        return Err(AppError::NotFound);
    };
    let raw = req.path().trim_start_matches('/');
    let raw = match &rating {
        Some(_) => raw.strip_suffix("/rating").ok_or(AppError::NotFound)?,
        None => raw,
    };
    let (path, slash) = match raw.strip_suffix('/') {
        Some(p) => (p.to_owned(), true),
        None => (raw.to_owned(), false),
    };
    // `/en/gioi-thieu`: the page's translation.
    let (lang, path) = match path.split_once('/') {
        Some((first, rest)) => match super::translated::language_of(&state, first) {
            Some(lang) => (Some(lang), rest.to_owned()),
            None => (None, path),
        },
        None => (None, path),
    };
    if !is_page_path(&path) {
        return Err(AppError::NotFound);
    }
    let shared = state.clone();
    let (base, found) = db::run(&state, move |conn| {
        // The pages above `path`, when every one of them is published.
        let public_ancestors = |conn: &mut crate::storage::Db, path: &str| {
            let above: Vec<&str> = path_prefixes(path)
                .into_iter()
                .filter(|p| *p != path)
                .collect();
            let ancestors = pages::at_paths(conn, &above)?;
            let public = ancestors.len() == above.len()
                && ancestors.iter().all(|a| a.status == PageStatus::Published);
            Ok::<_, diesel::result::Error>(public.then_some(ancestors))
        };
        let found = match pages::find_by_path(conn, &path)? {
            Some(page) if page.status == PageStatus::Published => {
                let ancestors = public_ancestors(conn, &path)?.ok_or(AppError::NotFound)?;
                let children = pages::published_children(conn, page.id)?;
                let translation = match lang {
                    Some(lang) => Some(
                        super::translated::page_translation(conn, page.id, lang)?
                            .ok_or(AppError::NotFound)?,
                    ),
                    None => None,
                };
                Found::Page(Box::new(page), ancestors, children, translation)
            }
            Some(_) => return Err(AppError::NotFound),
            // A path a page left leads where it is now, if that is public
            // (a 301 to a 404 would tell a draft's address).
            None => match pages::redirect_target(conn, &path)? {
                Some((_, to, PageStatus::Published)) if public_ancestors(conn, &to)?.is_some() => {
                    Found::MovedTo(to)
                }
                _ => return Err(AppError::NotFound),
            },
        };
        Ok((common_pages::shared_base(conn, &shared.cache)?, found))
    })
    .await?;
    let at = |path: &str| match lang {
        Some(lang) => localized(lang, &url(path)),
        None => url(path),
    };
    if let Some(lang) = lang
        && !base.translations.is_on(lang)
    {
        return Err(AppError::NotFound);
    }
    let (mut page, mut ancestors, children, translation) = match found {
        // Under a language's prefix, only to a page translated into it.
        Found::MovedTo(to) if lang.is_some_and(|l| !base.translations.path_translated(&to, l)) => {
            return Err(AppError::NotFound);
        }
        Found::MovedTo(_) if rating.is_some() => return Err(AppError::NotFound),
        Found::MovedTo(to) => return Ok(moved(&at(&to))),
        Found::Page(page, ..) if slash => return Ok(moved(&at(&page.path))),
        Found::Page(page, ancestors, children, translation) => {
            (page, ancestors, children, translation)
        }
    };
    let site_path = url(&page.path);
    let target = crate::storage::ratings::Target::Page(page.id);
    let (rating, status) = match rating {
        None => (
            super::ratings::form(&state, &req, target, &at(&page.path)),
            StatusCode::OK,
        ),
        Some(post) => {
            match super::ratings::submit(&state, &req, target, &at(&page.path), post).await? {
                super::ratings::Outcome::Saved(res) => return Ok(res),
                super::ratings::Outcome::Refused(view, status) => (view, status),
            }
        }
    };
    if let Some(t) = translation {
        page.title = t.title;
        page.summary = t.summary;
        page.body_html = t.body_html;
        // A translation without its own contact list shows the original's
        // (names and numbers do not change with the language).
        if t.contacts != "[]" && !t.contacts.is_empty() {
            page.contacts = t.contacts;
        }
    }
    ancestors.sort_by_key(|a| a.path.len());
    let theme = match lang {
        Some(lang) => state.theme_in(lang),
        None => &state.theme,
    };
    // In another language, the pages above and below that are translated.
    let link = |n: &Node| match lang {
        Some(lang) => base.translations.page(n.id, lang).map(|t| Link {
            name: t.title.clone(),
            url: at(&n.path),
        }),
        None => Some(Link {
            name: n.title.clone(),
            url: url(&n.path),
        }),
    };
    let trail: Vec<Link> = std::iter::once(Link {
        name: theme.message("home"),
        url: lang.map_or_else(|| "/".to_owned(), |l| localized(l, "/")),
    })
    .chain(ancestors.iter().filter_map(link))
    .chain(std::iter::once(Link {
        name: page.title.clone(),
        url: at(&page.path),
    }))
    .collect();
    let children: Vec<Link> = children.iter().filter_map(link).collect();
    let translated = base
        .translations
        .on
        .iter()
        .any(|l| base.translations.page(page.id, l).is_some());
    let contacts = crate::service::pages::contacts_of(&page)
        .into_iter()
        .map(|c| ContactView {
            tel: c.tel(),
            name: c.name,
            position: c.position,
            phone: c.phone,
            email: c.email,
        })
        .collect();
    let mut common = match lang {
        Some(lang) => Common::in_language(&state, &req, base, lang),
        None => Common::new(&state, &req, base),
    };
    if lang.is_some() || translated {
        common.versions(&state, &site_path);
    }
    common.meta_title = Cow::Borrowed(&page.title);
    if !page.summary.is_empty() {
        common.meta_description = Cow::Borrowed(&page.summary);
    }
    common.json_ld = Some(crate::web::seo::script_json(&serde_json::json!({
        "@context": "https://schema.org",
        "@graph": [
            {
                "@type": "WebPage",
                "@id": format!("{}{}", common.origin, at(&page.path)),
                "url": format!("{}{}", common.origin, at(&page.path)),
                "name": page.title,
                "description": page.summary,
                "inLanguage": common.lang,
                "dateModified": format!("{}Z", page.updated_at.format("%Y-%m-%dT%H:%M:%S")),
            },
            crate::web::seo::breadcrumbs(&common.origin, &trail),
        ],
    })));
    let view = PagePage {
        page: PageView {
            title: &page.title,
            summary: &page.summary,
            body_html: &page.body_html,
            url: at(&page.path),
            updated: dates::show(page.updated_at, state.config.tz()),
        },
        children,
        trail,
        contacts,
        common,
        rating,
    };
    let body = theme.render_view("pages/page.html", &view)?;
    // The thanks after an answer, or the form sent back, are this
    // browser's: not for a shared cache.
    if status != StatusCode::OK || view.rating.saved {
        let mut res = HttpResponse::build(status);
        res.content_type("text/html; charset=utf-8")
            .insert_header((header::CACHE_CONTROL, "private, no-store"));
        if view.rating.saved {
            res.cookie(crate::web::cookies::clear_flash(state.config.is_https()));
        }
        return Ok(res.body(body));
    }
    Ok(html(&state, body))
}

/// A permanent redirect to a page's address.
fn moved(to: &str) -> HttpResponse {
    HttpResponse::MovedPermanently()
        .insert_header((header::LOCATION, to))
        .finish()
}

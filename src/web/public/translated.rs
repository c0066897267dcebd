//! The site in another language (`/en/…`, SPEC): its home page, listings
//! by kind, entries, pages and search, made of the published translations
//! of public entries and pages, in that language's interface. Each page
//! links to its original (`hreflang` and the language switch), and the
//! original to it. A language an admin turned off is a 404 throughout.
//!
//! Translated entries take no comments: the comment form and its rules
//! are the original's, and the page links to it.

use std::borrow::Cow;

use actix_web::http::header;
use actix_web::{HttpMessage, HttpRequest, HttpResponse, web};
use serde::Serialize;

use super::{html, kind_of, page_param, query};
use crate::domain::entry::EntryKind;
use crate::domain::translation::LANGUAGES;
use crate::error::AppError;
use crate::render::templates::Theme;
use crate::storage::entries::{self, EntryCard};
use crate::storage::translations::{self, Translation};
use crate::web::AppState;
use crate::web::cache;
use crate::web::db;
use crate::web::languages::localized;
use crate::web::pages::{self, Base, Common};
use crate::web::views::{CardView, EntryView, Link, Pagination};

const HOME_LATEST: i64 = 10;
const SEARCH_LIMIT: i64 = 50;

/// The language of a request under `/{lang}/`, when it is one the site
/// may be read in and its theme speaks.
pub fn language_of(state: &AppState, path: &str) -> Option<&'static str> {
    let first = path.trim_start_matches('/').split('/').next()?;
    LANGUAGES
        .iter()
        .copied()
        .find(|l| *l == first && state.other_languages.contains_key(*l))
}

/// The language a route was registered for; 404 when an admin turned it
/// off (known from `base`).
fn language(state: &AppState, req: &HttpRequest, base: &Base) -> Result<&'static str, AppError> {
    language_of(state, req.path())
        .filter(|l| base.translations.is_on(l))
        .ok_or(AppError::NotFound)
}

/// Cards for `rows`, in that order, from the originals' cards: addresses under
/// the language's prefix, no category (its name is the site language's).
/// An image without text in the language is shown as decorative (`alt=""`):
/// the card's title, next to it, says what the entry is.
fn cards(
    conn: &mut crate::storage::Db,
    lang: &str,
    rows: Vec<translations::Listed>,
    tz: chrono_tz::Tz,
) -> diesel::QueryResult<Vec<CardView>> {
    let ids: Vec<i32> = rows.iter().map(|r| r.id).collect();
    let originals: Vec<EntryCard> = entries::cards_in_order(conn, &ids)?;
    let mut words: std::collections::HashMap<i32, translations::Listed> =
        rows.into_iter().map(|r| (r.id, r)).collect();
    Ok(originals
        .into_iter()
        .filter_map(|card| Some((words.remove(&card.id)?, card)))
        .map(|(t, card)| {
            let mut view = CardView::new(card, tz);
            view.url = localized(lang, &view.url);
            view.title = t.title;
            view.summary = t.summary;
            view.category = None;
            if let Some(image) = &mut view.image {
                image.alt = t.image_alt;
            }
            view
        })
        .collect())
}

/// `translations/home.html`: the home page of the site in another language.
#[derive(Serialize)]
struct HomePage<'a> {
    #[serde(flatten)]
    common: Common<'a>,
    /// The latest public entries translated into the language, newest first.
    latest: Vec<CardView>,
    /// The top-level pages translated into it, in order.
    pages: Vec<Link>,
}

/// `GET /en`: to `/en/`.
pub async fn to_home(req: HttpRequest) -> HttpResponse {
    HttpResponse::MovedPermanently()
        .insert_header((header::LOCATION, format!("{}/", req.path())))
        .finish()
}

/// `GET /en/`
pub async fn home(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, AppError> {
    let lang = language_of(&state, req.path()).ok_or(AppError::NotFound)?;
    let now = state.now();
    let tz = state.config.tz();
    let shared = state.clone();
    let (base, latest) = db::run(&state, move |conn| {
        let base = pages::shared_base(conn, &shared.cache)?;
        let (rows, _) = translations::public_entries(conn, lang, None, now, 0, HOME_LATEST)?;
        Ok((base, cards(conn, lang, rows, tz)?))
    })
    .await?;
    language(&state, &req, &base)?;
    let pages = base.translations.page_links(lang, None);
    let mut common = Common::in_language(&state, &req, base, lang);
    common.versions(&state, "/");
    let name = common.base.site.get("name").map_or("", String::as_str);
    common.json_ld = Some(crate::web::seo::site_graph(&common, name, None));
    let view = HomePage {
        common,
        latest,
        pages,
    };
    let theme = state.theme_in(lang);
    Ok(html(
        &state,
        theme.render_view("translations/home.html", &view)?,
    ))
}

/// `GET /en/articles` (and the other kinds): the kind's public entries
/// translated into the language, newest first, `?page=N`.
pub async fn listing(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let lang = language_of(&state, req.path()).ok_or(AppError::NotFound)?;
    let kind = kind_of(&req)?;
    let page = page_param(&req)?;
    let per_page = state.config.per_page;
    let now = state.now();
    let tz = state.config.tz();
    let shared = state.clone();
    let (base, entries, total) = db::run(&state, move |conn| {
        let base = pages::shared_base(conn, &shared.cache)?;
        let offset = i64::from(page - 1) * i64::from(per_page);
        let (rows, total) =
            translations::public_entries(conn, lang, Some(kind), now, offset, per_page.into())?;
        Ok((base, cards(conn, lang, rows, tz)?, total))
    })
    .await?;
    language(&state, &req, &base)?;
    let pagination = Pagination::new(req.path(), page, per_page, total);
    if page > pagination.pages {
        return Err(AppError::NotFound);
    }
    let theme = state.theme_in(lang);
    let title = theme.message(&format!("kind_{}_plural", kind.as_str()));
    let description = theme.message(&format!("kind_{}_description", kind.as_str()));
    let translated = base.translations.kinds(lang).contains(&kind);
    let mut common = Common::in_language(&state, &req, base, lang);
    if translated && page == 1 {
        common.versions(&state, &format!("/{}", kind.path_segment()));
    }
    let trail = [
        Link {
            name: theme.message("home"),
            url: common.home_url.clone(),
        },
        Link {
            name: title.clone(),
            url: req.path().to_owned(),
        },
    ];
    common.json_ld = Some(crate::web::seo::site_graph(&common, "", Some(&trail)));
    common.meta_title = Cow::Owned(title.clone());
    common.meta_description = Cow::Owned(description.clone());
    if page > 1 {
        common.canonical_url = format!("{}{}?page={page}", common.origin, req.path());
    }
    let view = super::listings::ListingPage {
        common,
        title: &title,
        description: &description,
        listing_kind: "listing_kind",
        entries,
        pagination,
    };
    Ok(html(
        &state,
        theme.render_view("listings/listing.html", &view)?,
    ))
}

/// `translations/entry.html`: an entry in another language.
#[derive(Serialize)]
struct EntryPage<'a> {
    #[serde(flatten)]
    common: Common<'a>,
    /// The entry with the translation's title, summary, body, and the
    /// image's words the translation gives (else the original's).
    entry: &'a EntryView,
    /// The language of the image's alternative text, and of its caption:
    /// the page's, or the site's when the translation gives none.
    image_lang: &'a str,
    caption_lang: &'a str,
    /// The original's address (comments are taken there).
    original_url: String,
    /// The original's language (`vi`) and its name (`Tiếng Việt`).
    original_lang: &'a str,
    original_language: String,
}

/// `GET /en/articles/{slug}` (and the other kinds).
pub async fn entry(
    state: web::Data<AppState>,
    req: HttpRequest,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let lang = language_of(&state, req.path()).ok_or(AppError::NotFound)?;
    let kind = kind_of(&req)?;
    let now = state.now();
    let slug = slug.into_inner();
    let shared = state.clone();
    let (base, found) = db::run(&state, move |conn| {
        let base = pages::shared_base(conn, &shared.cache)?;
        let found = match translations::public_entry(conn, lang, kind, &slug, now)? {
            Some((id, t)) => Some((entries::find(conn, id)?, t)),
            None => None,
        };
        Ok((base, found))
    })
    .await?;
    language(&state, &req, &base)?;
    let (original, t) = found.ok_or(AppError::NotFound)?;
    let entry_id = original.id;
    let original_url = kind.entry_path(&original.slug);
    let (view_entry, image_lang, caption_lang) = translated_view(original, t, lang, &state);
    let mut common = Common::in_language(&state, &req, base, lang);
    common.versions(&state, &original_url);
    let origin = common.origin.clone();
    let trail = [
        Link {
            name: state.theme_in(lang).message("home"),
            url: common.home_url.clone(),
        },
        Link {
            name: state
                .theme_in(lang)
                .message(&format!("kind_{}_plural", kind.as_str())),
            url: format!("/{lang}/{}", kind.path_segment()),
        },
        Link {
            name: view_entry.title.clone(),
            url: view_entry.url.clone(),
        },
    ];
    let publisher = common
        .base
        .site
        .get("publisher")
        .or_else(|| common.base.site.get("name"))
        .cloned()
        .unwrap_or_default();
    common.json_ld = Some(crate::web::seo::entry_graph(
        &origin,
        lang,
        &publisher,
        &view_entry,
        &trail,
    ));
    common.canonical_url = format!("{origin}{}", view_entry.url);
    common.meta_title = Cow::Borrowed(&view_entry.title);
    if !view_entry.summary.is_empty() {
        common.meta_description = Cow::Borrowed(&view_entry.summary);
    }
    common.og_type = "article";
    if let Some(img) = &view_entry.image {
        common.og_image = Some(format!("{origin}{}", img.url));
        common.og_image_alt = Some(&img.alt);
    }
    let view = EntryPage {
        common,
        entry: &view_entry,
        image_lang,
        caption_lang,
        original_url,
        original_lang: &state.config.language,
        original_language: state.theme.message("language_name"),
    };
    let body = state
        .theme_in(lang)
        .render_view("translations/entry.html", &view)?;
    let mut res = html(&state, body);
    if req.extensions().get::<cache::Filling>().is_some() {
        res.extensions_mut().insert(cache::EntryPage {
            entry_id,
            shows: Vec::new(),
        });
    }
    Ok(res)
}

/// Lays translation `t` over its original `e`: its title, summary and
/// body, each of the image's words it gives, and its last change when
/// later than the original's. Returns whether the
/// image's alternative text and its caption are the translation's.
pub(super) fn lay_over(e: &mut entries::Entry, t: Translation) -> (bool, bool) {
    e.updated_at = e.updated_at.max(t.updated_at);
    e.title = t.title;
    e.summary = t.summary;
    e.body_html = t.body_html;
    let alt = !t.image_alt.is_empty();
    if alt {
        e.image_alt = t.image_alt;
    }
    let caption = !t.image_caption.is_empty();
    if caption {
        e.image_caption = t.image_caption;
    }
    (alt, caption)
}

/// The original's view with the translation's words, and the languages
/// of the image's alternative text and caption (`lang` where the
/// translation gives them, else the site's).
fn translated_view<'s>(
    mut original: entries::Entry,
    t: Translation,
    lang: &'s str,
    state: &'s AppState,
) -> (EntryView, &'s str, &'s str) {
    let (alt, caption) = lay_over(&mut original, t);
    let mut view = EntryView::new(original, None, Vec::new(), state.config.tz());
    view.url = localized(lang, &view.url);
    let of = |translated: bool| {
        if translated {
            lang
        } else {
            state.config.language.as_str()
        }
    };
    (view, of(alt), of(caption))
}

/// A page of the site in another language: `/en/{page path}` (from the
/// router's default service, `super::pages::show`).
pub(super) struct TranslatedPage {
    pub title: String,
    pub summary: String,
    pub body_html: String,
    pub contacts: String,
}

/// Reads page `id`'s translation into `lang`, if published.
pub(super) fn page_translation(
    conn: &mut crate::storage::Db,
    id: i32,
    lang: &str,
) -> diesel::QueryResult<Option<TranslatedPage>> {
    Ok(
        translations::find(conn, translations::Original::Page(id), lang)?
            .filter(|t| t.status == crate::domain::page::PageStatus::Published)
            .map(|t| TranslatedPage {
                title: t.title,
                summary: t.summary,
                body_html: t.body_html,
                contacts: t.contacts,
            }),
    )
}

/// `translations/search.html`: search of the site in another language.
#[derive(Serialize)]
struct SearchPage<'a> {
    #[serde(flatten)]
    common: Common<'a>,
    /// What was typed.
    q: String,
    /// The pages whose translation holds every word, then the entries,
    /// newest first (up to 50 each).
    pages: Vec<Link>,
    entries: Vec<CardView>,
}

/// `GET /en/search?q=…`: translations whose title, summary or body hold
/// words beginning with every word typed (accents and case ignored).
pub async fn search(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let lang = language_of(&state, req.path()).ok_or(AppError::NotFound)?;
    let q: String = query(&req)?
        .get("q")
        .map(|q| {
            q.chars()
                .take(crate::domain::search::MAX_QUERY_CHARS)
                .collect()
        })
        .unwrap_or_default();
    let words = crate::domain::search::tokens(&crate::domain::slug::fold(&q));
    let now = state.now();
    let tz = state.config.tz();
    let shared = state.clone();
    let (base, found_pages, entries) = db::run(&state, move |conn| {
        let base = pages::shared_base(conn, &shared.cache)?;
        let (rows, found_pages) = translations::search(conn, lang, &words, now, SEARCH_LIMIT)?;
        Ok((base, found_pages, cards(conn, lang, rows, tz)?))
    })
    .await?;
    language(&state, &req, &base)?;
    let found_pages: Vec<Link> = found_pages
        .into_iter()
        .filter_map(|t| {
            Some(Link {
                url: localized(
                    lang,
                    &super::pages::url(base.translations.public_page(t.id)?),
                ),
                name: t.title,
            })
        })
        .collect();
    let mut common = Common::in_language(&state, &req, base, lang);
    if !q.is_empty() {
        common.meta_title = Cow::Owned(q.clone());
    }
    let view = SearchPage {
        common,
        q,
        pages: found_pages,
        entries,
    };
    let theme: &Theme = state.theme_in(lang);
    Ok(html(
        &state,
        theme.render_view("translations/search.html", &view)?,
    ))
}

/// The routes of the site in each other language: `/{lang}`, its home,
/// search, feed, and the kinds' listings and entries (its pages come through
/// the default service).
pub fn routes(cfg: &mut web::ServiceConfig) {
    for lang in LANGUAGES {
        cfg.route(&format!("/{lang}"), web::get().to(to_home))
            .route(&format!("/{lang}/"), web::get().to(home))
            .route(&format!("/{lang}/search"), web::get().to(search))
            .route(
                &format!("/{lang}/feed.xml"),
                web::get().to(super::feeds::language_feed),
            );
        for kind in EntryKind::ALL {
            let seg = kind.path_segment();
            cfg.service(
                web::resource(format!("/{lang}/{seg}"))
                    .app_data(kind)
                    .route(web::get().to(listing)),
            )
            .service(
                web::resource(format!("/{lang}/{seg}/{{slug}}"))
                    .app_data(kind)
                    .route(web::get().to(entry)),
            );
        }
    }
}

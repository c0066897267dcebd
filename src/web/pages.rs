//! What every page shares: the site's identity, the category navigation,
//! the page's own URL; and the themed error page.

use crate::storage::Db;
use std::borrow::Cow;
use std::collections::BTreeMap;

use actix_web::HttpRequest;
use actix_web::http::StatusCode;
use actix_web::web;
use serde::Serialize;

use super::AppState;
pub use super::views::Link;
use super::views::category_url;
use crate::domain::entry::EntryKind;
use crate::domain::menu;
use crate::render::SafeHtml;
use crate::render::templates::FALLBACK_ERROR_PAGE;
use crate::storage::{categories, settings};

/// Site identity and navigation, read once per page.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Base {
    /// `site.name`, `site.tagline`, `site.description`, `site.publisher`,
    /// `site.address`, `site.phone`, `site.email`: the site's identity, as
    /// set in `content/site.toml` (any key may be missing).
    pub site: BTreeMap<String, String>,
    /// The categories, in their order, for the navigation.
    pub categories: Vec<Link>,
    /// The published top-level pages (`/gioi-thieu`…), in their order,
    /// for the footer when its menu is empty.
    pub site_pages: Vec<Link>,
    /// The public pages, for search (a search for `lien he` lists
    /// *Liên hệ* above the entries): few, so matched in memory. Shared,
    /// not copied, by every page built from the kept `Base`.
    #[serde(skip)]
    pub page_search: std::sync::Arc<Vec<PageCard>>,
    /// The header menu admins edit (`/admin/menus`), empty when they have
    /// not: the theme then shows its default navigation.
    pub header_menu: Vec<MenuLink>,
    /// The footer menu, likewise.
    pub footer_menu: Vec<MenuLink>,
    /// The categories as stored, for pages that show one of them (saves
    /// reading it again).
    #[serde(skip)]
    pub sections: Vec<categories::Category>,
    /// What is translated, and the languages that are on.
    #[serde(skip)]
    pub translations: std::sync::Arc<super::languages::Translations>,
}

impl Base {
    /// The public pages a search for `q` lists above the entries (at most
    /// five): those whose title and summary hold every word, then those
    /// whose body does.
    pub fn pages_answering(&self, q: &str) -> Vec<PageCard> {
        let words = crate::domain::search::tokens(&crate::domain::slug::fold(q));
        let answers = |tokens: &[String]| crate::domain::page::answers(&words, tokens);
        self.page_search
            .iter()
            .filter(|p| answers(&p.tokens))
            .chain(
                self.page_search
                    .iter()
                    .filter(|p| !answers(&p.tokens) && answers(&p.body_tokens)),
            )
            .take(5)
            .cloned()
            .collect()
    }

    /// Category `id`, from those read for the navigation.
    pub fn category(&self, id: i32) -> Option<categories::Category> {
        self.sections.iter().find(|c| c.id == id).cloned()
    }
}

pub use crate::storage::settings::SITE_PREFIX;

pub fn load_base(conn: &mut Db) -> diesel::QueryResult<Base> {
    let site = settings::with_prefix(conn, SITE_PREFIX)?
        .into_iter()
        .map(|(k, v)| (k[SITE_PREFIX.len()..].to_owned(), v))
        .collect();
    let sections = categories::all(conn)?;
    let categories = sections
        .iter()
        .map(|c| Link {
            url: category_url(&c.slug),
            name: c.name.clone(),
        })
        .collect();
    let nodes = crate::storage::pages::all(conn)?;
    let public: Vec<&crate::storage::pages::Node> =
        super::public::pages::public_nodes(&nodes).collect();
    let site_pages = public
        .iter()
        .filter(|n| n.parent_id.is_none())
        .map(|n| Link {
            url: super::public::pages::url(&n.path),
            name: n.title.clone(),
        })
        .collect();
    let mut bodies: std::collections::HashMap<i32, String> =
        crate::storage::pages::published_bodies(conn)?
            .into_iter()
            .collect();
    let words = |text: &str| {
        let mut tokens = crate::domain::search::tokens(&crate::domain::slug::fold(text));
        tokens.sort_unstable();
        tokens.dedup();
        tokens
    };
    let page_search = public
        .iter()
        .map(|n| PageCard {
            url: super::public::pages::url(&n.path),
            title: n.title.clone(),
            summary: n.summary.clone(),
            tokens: words(&format!("{} {}", n.title, n.summary)),
            body_tokens: words(&bodies.remove(&n.id).unwrap_or_default()),
        })
        .collect::<Vec<_>>()
        .into();
    let languages = settings::get(conn, settings::LANGUAGES)?;
    let translations = std::sync::Arc::new(super::languages::load(
        conn,
        public
            .iter()
            .map(|n| (n.id, n.parent_id, n.path.clone()))
            .collect(),
        languages,
    )?);
    let items = crate::storage::menus::all(conn)?;
    let (header_menu, footer_menu) = if items.is_empty() {
        Default::default()
    } else {
        let pages: BTreeMap<i32, String> = public
            .iter()
            .map(|n| (n.id, super::public::pages::url(&n.path)))
            .collect();
        let resolve = |target: &menu::Target| -> Option<String> {
            Some(match target {
                menu::Target::Home => "/".to_owned(),
                menu::Target::Documents => "/documents".to_owned(),
                menu::Target::Kind(k) => format!("/{}", k.path_segment()),
                menu::Target::Category(id) => {
                    category_url(&sections.iter().find(|c| c.id == *id)?.slug)
                }
                menu::Target::Page(id) => pages.get(id)?.clone(),
                menu::Target::Url(url) => url.clone(),
            })
        };
        (
            menu_links(&items, menu::Menu::Header, &resolve),
            menu_links(&items, menu::Menu::Footer, &resolve),
        )
    };
    Ok(Base {
        site,
        categories,
        site_pages,
        page_search,
        header_menu,
        footer_menu,
        sections,
        translations,
    })
}

impl Base {
    /// The shared data as a page in `lang` (not the site's language) shows
    /// it: the site's identity in that language where `site.toml` gives it
    /// (`name_en`, `tagline_en`…), its translated pages in the footer, and
    /// a header menu of its home, the kinds of entry translated into it
    /// and its top-level pages (the menus admins edit are the site
    /// language's).
    pub fn in_language(mut self, lang: &str, theme: &crate::render::templates::Theme) -> Base {
        super::languages::site_in(&mut self.site, lang);
        let pages = self.translations.page_links(lang, None);
        let home = super::languages::localized(lang, "/");
        let mut header = vec![MenuLink {
            name: theme.message("home"),
            url: home,
            children: Vec::new(),
        }];
        for kind in self.translations.kinds(lang) {
            header.push(MenuLink {
                name: theme.message(&format!("kind_{}_plural", kind.as_str())),
                url: format!("/{lang}/{}", kind.path_segment()),
                children: Vec::new(),
            });
        }
        header.extend(pages.iter().map(|p| MenuLink {
            name: p.name.clone(),
            url: p.url.clone(),
            children: Vec::new(),
        }));
        self.header_menu = header;
        self.footer_menu = Vec::new();
        self.site_pages = pages;
        self.categories = Vec::new();
        self.page_search = Default::default();
        self
    }
}

/// A public page as search lists it.
#[derive(Debug, Clone, Serialize)]
pub struct PageCard {
    pub url: String,
    pub title: String,
    pub summary: String,
    /// Its title and summary, folded, as words (sorted, each once).
    #[serde(skip)]
    pub tokens: Vec<String>,
    /// Its body's words, likewise.
    #[serde(skip)]
    pub body_tokens: Vec<String>,
}

/// A menu item as pages show it: its submenu, if any, in `children`.
#[derive(Debug, Clone, Serialize)]
pub struct MenuLink {
    pub name: String,
    pub url: String,
    pub children: Vec<Link>,
}

/// `menu`'s items whose target still exists (a deleted category, a page
/// deleted or not public, leave theirs out, and their submenus with them).
fn menu_links(
    items: &[crate::storage::menus::MenuItem],
    which: menu::Menu,
    resolve: &dyn Fn(&menu::Target) -> Option<String>,
) -> Vec<MenuLink> {
    let target = |i: &crate::storage::menus::MenuItem| {
        menu::Target::parse(&i.target, &i.url).and_then(|t| resolve(&t))
    };
    let ours = items.iter().filter(|i| i.menu == which.as_str());
    ours.clone()
        .filter(|i| i.parent_id.is_none())
        .filter_map(|top| {
            Some(MenuLink {
                url: target(top)?,
                name: top.label.clone(),
                children: ours
                    .clone()
                    .filter(|i| i.parent_id == Some(top.id))
                    .filter_map(|i| {
                        Some(Link {
                            url: target(i)?,
                            name: i.label.clone(),
                        })
                    })
                    .collect(),
            })
        })
        .collect()
}

/// [`load_base`] for the public pages: the copy `cache` keeps until the
/// next change read from the log (settings and categories log one), so
/// a page sends two statements fewer to the database. The staff pages
/// read it fresh.
pub fn shared_base(conn: &mut Db, cache: &super::cache::PageCache) -> diesel::QueryResult<Base> {
    if let Some(base) = cache.base() {
        return Ok(base);
    }
    let generation = cache.generation();
    let base = load_base(conn)?;
    cache.keep_base(generation, &base);
    Ok(base)
}

/// A link to the listing of one kind of entry, for the navigation.
#[derive(Debug, Serialize)]
pub struct KindNav {
    /// `article`, `bulletin`, `leaflet`.
    pub kind: EntryKind,
    /// `/articles`, …
    pub url: String,
}

/// What every page receives (`base.html`'s variables): the site, its
/// navigation, the page's address and its head metadata. Page contexts
/// hold it as `#[serde(flatten)] common`, so templates see its fields at
/// the top level.
#[derive(Debug, Serialize)]
pub struct Common<'a> {
    /// `https://host/path` of the page: what search engines should index.
    pub canonical_url: String,
    /// `https://host`, for absolute links.
    pub origin: String,
    /// The request's path (`/articles`), to mark the current navigation link.
    pub path: &'a str,
    /// The interface language (`vi`), for `<html lang>`.
    pub lang: &'a str,
    /// The page's title for `<meta>` and social cards (the site's name
    /// unless the page has its own).
    pub meta_title: Cow<'a, str>,
    /// The page's description (the site's, unless the page has its own).
    pub meta_description: Cow<'a, str>,
    /// Open Graph type: `website`, or `article` on entry pages.
    pub og_type: &'static str,
    /// Absolute URL of the page's image for social cards (entry pages
    /// with a featured image only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub og_image: Option<String>,
    /// The alternative text of `og_image`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub og_image_alt: Option<&'a str>,
    /// Structured data (schema.org JSON-LD) for the page, ready to print
    /// with `| safe` (test it with `is defined`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub json_ld: Option<SafeHtml>,
    /// A category listing's own Atom feed (`/categories/{slug}/feed.xml`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category_feed: Option<String>,
    /// `site` and `categories` (see [`Base`]).
    #[serde(flatten)]
    pub base: Base,
    /// The listings by kind, for the navigation.
    pub kinds: Vec<KindNav>,
    /// The home page, the search and the Atom feed of the page's language
    /// (`/`, `/search`, `/feed.xml`; `/en/`, `/en/search`, `/en/feed.xml`).
    pub home_url: String,
    pub search_url: String,
    pub feed_url: String,
    /// The page's versions in each language, itself included, for
    /// `<link rel="alternate" hreflang>`: empty when it has no other.
    pub alternates: Vec<super::languages::Alternate>,
    /// The link to the other language: the page's translation, else that
    /// language's home page; absent when no other language is on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language_switch: Option<super::languages::LanguageLink>,
    /// The current year in the site's time zone (for the footer).
    pub year: i32,
}

impl<'a> Common<'a> {
    /// What `state`'s site shows on the page `req` asks for.
    pub fn new(state: &'a AppState, req: &'a HttpRequest, base: Base) -> Self {
        let path = req.path();
        let origin = origin(state, req);
        // Head metadata; pages with their own title, summary or image override.
        let meta_title = Cow::Owned(
            base.site
                .get("name")
                .cloned()
                .unwrap_or_else(|| "loa".into()),
        );
        let meta_description =
            Cow::Owned(base.site.get("description").cloned().unwrap_or_default());
        let kinds = EntryKind::ALL
            .into_iter()
            .map(|kind| KindNav {
                kind,
                url: format!("/{}", kind.path_segment()),
            })
            .collect();
        let local = chrono::TimeZone::from_utc_datetime(&state.config.tz(), &state.now());
        // To the other language's home page, unless the page has a version
        // in it (`Common::versions`).
        let language_switch = base
            .translations
            .on
            .iter()
            .find(|l| base.translations.offered(l) && state.other_languages.contains_key(*l))
            .map(|lang| super::languages::LanguageLink {
                name: state.theme_in(lang).message("language_name"),
                url: super::languages::localized(lang, "/"),
                lang: lang.clone(),
            });
        Common {
            home_url: "/".into(),
            search_url: "/search".into(),
            feed_url: "/feed.xml".into(),
            alternates: Vec::new(),
            language_switch,
            canonical_url: format!("{origin}{path}"),
            origin,
            path,
            lang: &state.config.language,
            meta_title,
            meta_description,
            og_type: "website",
            og_image: None,
            og_image_alt: None,
            json_ld: None,
            category_feed: None,
            base,
            kinds,
            year: chrono::Datelike::year(&local),
        }
    }
}

impl<'a> Common<'a> {
    /// What a page of the site in `lang` (another language than the
    /// site's: `en`) shows around it, in that language.
    pub fn in_language(
        state: &'a AppState,
        req: &'a HttpRequest,
        base: Base,
        lang: &'a str,
    ) -> Self {
        let theme = state.theme_in(lang);
        let base = base.in_language(lang, theme);
        let kinds = base
            .translations
            .kinds(lang)
            .iter()
            .map(|kind| KindNav {
                kind: *kind,
                url: format!("/{lang}/{}", kind.path_segment()),
            })
            .collect();
        // `Common::new` reads the title and description from the site's
        // identity, already in `lang`.
        let mut common = Common::new(state, req, base);
        common.lang = lang;
        common.kinds = kinds;
        common.home_url = super::languages::localized(lang, "/");
        common.search_url = format!("/{lang}/search");
        common.feed_url = format!("/{lang}/feed.xml");
        common.language_switch = Some(super::languages::LanguageLink {
            lang: state.config.language.clone(),
            name: state.theme.message("language_name"),
            url: "/".into(),
        });
        common
    }

    /// The page has a version in each language: `site_path` in the site's
    /// (`/articles/x`) and the same under the other's prefix. Sets the
    /// `hreflang` alternates and points the language switch at the other
    /// version.
    pub fn versions(&mut self, state: &AppState, site_path: &str) {
        let site_lang = state.config.language.as_str();
        let other = if self.lang == site_lang {
            match &self.language_switch {
                Some(switch) => switch.lang.clone(),
                None => return,
            }
        } else {
            self.lang.to_owned()
        };
        let other_path = super::languages::localized(&other, site_path);
        self.alternates = vec![
            super::languages::Alternate {
                lang: site_lang.to_owned(),
                url: format!("{}{site_path}", self.origin),
            },
            super::languages::Alternate {
                url: format!("{}{other_path}", self.origin),
                lang: other,
            },
        ];
        if let Some(switch) = &mut self.language_switch {
            switch.url = if self.lang == site_lang {
                other_path
            } else {
                site_path.to_owned()
            };
        }
    }
}

/// `https://host` for absolute links: the configured base URL, else the
/// request's own scheme and host.
pub fn origin(state: &AppState, req: &HttpRequest) -> String {
    match &state.config.base_url {
        Some(base) => base.trim_end_matches('/').to_owned(),
        None => format!("http://{}", request_host(req)),
    }
}

/// Without `base_url`, the host links are built for: the `Host` header
/// (not `X-Forwarded-*`, which any client can send), or `localhost` when
/// it is missing or not a plain host name. The page cache keys pages by
/// the same value. Production sites set `base_url`.
pub fn request_host(req: &HttpRequest) -> &str {
    req.headers()
        .get(actix_web::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
        })
        .unwrap_or("localhost")
}

/// `errors/error.html`: the page for an error status (rendered as
/// `errors/{status}.html` where the theme has one, which extend it).
#[derive(Serialize)]
pub struct ErrorView<'a> {
    #[serde(flatten)]
    pub common: Common<'a>,
    /// The HTTP status: 404, 403, 500…
    pub status: u16,
    /// The page's heading: the error's own title, else its status's.
    pub title: String,
    /// What went wrong and what to do, in the theme's words.
    pub message: String,
    /// Where to sign in again, when a staff session ended (else absent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sign_in_url: Option<&'a str>,
}

/// The theme's page for an error status, with a link to sign in again
/// when `sign_in` is given; never fails (falls back to a built-in page if
/// the theme or the database cannot help).
pub async fn error_page(
    state: &web::Data<AppState>,
    req: &HttpRequest,
    status: StatusCode,
    key: &str,
    sign_in: Option<&str>,
) -> Vec<u8> {
    // The copy the page cache keeps: a 404 from a scanner costs no more
    // statements than a page.
    let shared = state.clone();
    let base = super::db::run(state, move |conn| Ok(shared_base(conn, &shared.cache)?))
        .await
        .unwrap_or_default();
    // A page of the site in another language (`/en/…`) errs in it.
    let lang = super::public::translated_language(state, req.path())
        .filter(|l| base.translations.is_on(l));
    let theme = lang.map_or(&state.theme, |l| state.theme_in(l));
    let messages = theme.messages();
    // A title of the error's own (`error_session_title` beside
    // `error_session_text`), else the status's.
    let title = key
        .strip_suffix("_text")
        .and_then(|k| messages.get(&format!("{k}_title")))
        .or_else(|| messages.get(&format!("error_{}_title", status.as_u16())))
        .or_else(|| messages.get("error_title"))
        .cloned()
        .unwrap_or_default();
    let view = ErrorView {
        common: match lang {
            Some(lang) => Common::in_language(state, req, base, lang),
            None => Common::new(state, req, base),
        },
        status: status.as_u16(),
        message: theme.message(key),
        sign_in_url: sign_in,
        title,
    };
    let specific = format!("errors/{}.html", status.as_u16());
    theme
        .render_view(&specific, &view)
        .or_else(|_| theme.render_view("errors/error.html", &view))
        .unwrap_or_else(|e| {
            tracing::error!(error = %crate::error::chain(&e), "error template failed");
            FALLBACK_ERROR_PAGE.as_bytes().to_vec()
        })
}

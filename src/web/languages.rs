//! The site in other languages (English under `/en`, SPEC): which are
//! on, what is translated, and the links between the versions of a page
//! (`hreflang` alternates and the language switch).
//!
//! What is translated is read once per cache generation into the shared
//! page data ([`super::pages::Base`]): translations are few, and any change
//! to one, or to the `languages` setting, drops every cached page.

use std::collections::HashMap;

use serde::Serialize;

use crate::domain::entry::EntryKind;
use crate::storage::Db;
use crate::storage::translations;

pub use super::views::Link;

/// A published translation's words, for links to it.
#[derive(Debug, Clone)]
pub struct Translated {
    pub title: String,
    pub summary: String,
}

/// The published translations and the languages that are on.
#[derive(Debug, Clone, Default)]
pub struct Translations {
    /// The languages besides the site's that readers may choose.
    pub on: Vec<String>,
    entries: HashMap<(i32, String), Translated>,
    pages: HashMap<(i32, String), Translated>,
    /// Per language, the kinds of entry that have a translation in it.
    kinds: HashMap<String, Vec<EntryKind>>,
    /// The public pages in tree order: id, parent, path.
    public_pages: Vec<(i32, Option<i32>, String)>,
}

/// Reads what is translated. `public_pages` are the site's public pages
/// in tree order (id, parent, path), `setting` the `languages` setting.
pub fn load(
    conn: &mut Db,
    public_pages: Vec<(i32, Option<i32>, String)>,
    setting: Option<String>,
) -> diesel::QueryResult<Translations> {
    let on = match setting {
        Some(list) => list
            .split([',', ' '])
            .filter(|l| crate::domain::translation::is_language(l))
            .map(str::to_owned)
            .collect(),
        None => crate::domain::translation::LANGUAGES
            .iter()
            .map(|l| (*l).to_owned())
            .collect(),
    };
    let mut entries = HashMap::new();
    let mut pages = HashMap::new();
    for b in translations::published(conn)? {
        let words = Translated {
            title: b.title,
            summary: b.summary,
        };
        match (b.entry_id, b.page_id) {
            (Some(id), _) => entries.insert((id, b.lang), words),
            (None, Some(id)) => pages.insert((id, b.lang), words),
            (None, None) => None,
        };
    }
    let mut kinds: HashMap<String, Vec<EntryKind>> = HashMap::new();
    for (lang, kind) in translations::translated_kinds(conn)? {
        if let Ok(kind) = kind.parse() {
            kinds.entry(lang).or_default().push(kind);
        }
    }
    for list in kinds.values_mut() {
        list.sort_by_key(|k| EntryKind::ALL.iter().position(|a| a == k));
    }
    Ok(Translations {
        on,
        entries,
        pages,
        kinds,
        public_pages,
    })
}

impl Translations {
    /// Whether readers may read the site in `lang` (not the site's own).
    pub fn is_on(&self, lang: &str) -> bool {
        self.on.iter().any(|l| l == lang)
    }

    /// Whether readers are offered `lang`: it is on, and something public
    /// is translated into it (a site with nothing in English does not
    /// point readers at an empty English home page).
    pub fn offered(&self, lang: &str) -> bool {
        self.is_on(lang)
            && (!self.kinds(lang).is_empty()
                || self
                    .public_pages
                    .iter()
                    .any(|(id, _, _)| self.pages.contains_key(&(*id, lang.to_owned()))))
    }

    /// Entry `id`'s published translation into `lang`, if `lang` is on.
    pub fn entry(&self, id: i32, lang: &str) -> Option<&Translated> {
        self.is_on(lang)
            .then(|| self.entries.get(&(id, lang.to_owned())))
            .flatten()
    }

    /// Page `id`'s published translation into `lang`, if the page is
    /// public and `lang` is on.
    pub fn page(&self, id: i32, lang: &str) -> Option<&Translated> {
        self.public_page(id)?;
        self.is_on(lang)
            .then(|| self.pages.get(&(id, lang.to_owned())))
            .flatten()
    }

    /// Whether the public page at `path` has a published translation
    /// into `lang` (and `lang` is on).
    pub fn path_translated(&self, path: &str, lang: &str) -> bool {
        self.public_pages
            .iter()
            .find(|(_, _, p)| p == path)
            .is_some_and(|(id, _, _)| self.page(*id, lang).is_some())
    }

    /// The path of public page `id`.
    pub fn public_page(&self, id: i32) -> Option<&str> {
        self.public_pages
            .iter()
            .find(|(p, _, _)| *p == id)
            .map(|(_, _, path)| path.as_str())
    }

    /// The public pages under `parent` (top-level: `None`) translated into
    /// `lang`, in order, as links to their translations.
    pub fn page_links(&self, lang: &str, parent: Option<i32>) -> Vec<Link> {
        self.public_pages
            .iter()
            .filter(|(_, p, _)| *p == parent)
            .filter_map(|(id, _, path)| {
                Some(Link {
                    name: self.page(*id, lang)?.title.clone(),
                    url: localized(lang, &super::public::pages::url(path)),
                })
            })
            .collect()
    }

    /// The kinds of entry translated into `lang`.
    pub fn kinds(&self, lang: &str) -> &[EntryKind] {
        self.kinds.get(lang).map_or(&[], Vec::as_slice)
    }
}

/// `path` (a path of the site in its own language) in `lang`'s version:
/// `/` → `/en/`, `/articles/x` → `/en/articles/x`.
pub fn localized(lang: &str, path: &str) -> String {
    match path {
        "/" => format!("/{lang}/"),
        _ => format!("/{lang}{path}"),
    }
}

/// The site's identity (`site.toml`'s keys) in `lang`: a key with
/// `_{lang}` (`name_en`) replaces the key without it.
pub fn site_in(site: &mut std::collections::BTreeMap<String, String>, lang: &str) {
    let suffix = format!("_{lang}");
    let own: Vec<(String, String)> = site
        .iter()
        .filter_map(|(k, v)| Some((k.strip_suffix(&suffix)?.to_owned(), v.clone())))
        .collect();
    site.extend(own);
}

/// One version of a page, for `<link rel="alternate" hreflang>`.
#[derive(Debug, Clone, Serialize)]
pub struct Alternate {
    /// `vi`, `en`.
    pub lang: String,
    /// Its absolute address.
    pub url: String,
}

/// The link to the page in the other language: its translation, or that
/// language's home page.
#[derive(Debug, Clone, Serialize)]
pub struct LanguageLink {
    /// The language it leads to (`en`), for `lang` and `hreflang`.
    pub lang: String,
    /// The language's name in itself (`English`, `Tiếng Việt`).
    pub name: String,
    pub url: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_move_under_the_language_prefix() {
        assert_eq!(localized("en", "/"), "/en/");
        assert_eq!(localized("en", "/articles/x"), "/en/articles/x");
        assert_eq!(localized("en", "/gioi-thieu"), "/en/gioi-thieu");
    }

    #[test]
    fn only_public_pages_of_languages_that_are_on_are_linked() {
        let mut t = Translations {
            on: vec!["en".into()],
            public_pages: vec![(1, None, "gioi-thieu".into()), (3, None, "lien-he".into())],
            ..Default::default()
        };
        for id in [1, 2] {
            t.pages.insert(
                (id, "en".into()),
                Translated {
                    title: format!("Page {id}"),
                    summary: String::new(),
                },
            );
        }
        let links = t.page_links("en", None);
        assert_eq!(
            links.len(),
            1,
            "page 2 is not public, page 3 not translated"
        );
        assert_eq!(links[0].url, "/en/gioi-thieu");
        assert!(t.page(2, "en").is_none());
        t.on.clear();
        assert!(t.page(1, "en").is_none(), "English off");
    }
}

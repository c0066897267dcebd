//! Translations as content files: beside the original's file, the same
//! name with the language before `.md` — `articles/{slug}.en.md`,
//! `pages/gioi-thieu.en.md`. Front matter `title`, `summary`, `status`,
//! for a page `[[contacts]]`, for an entry `[image]` (`alt`, `caption`);
//! everything else (slug, kind, category, dates, parent, order) is the
//! original's. Imported after the originals, idempotent.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::files::{self, ParseError};
use crate::domain::page::{Contact, PageStatus, contact_is_valid};
use crate::domain::translation::{self, LANGUAGES, TranslationInput};
use crate::service::entries::Saver;
use crate::service::translations::{self as save_path, Saved, TranslationError};
use crate::storage::Db;
use crate::storage::translations::{Original, Translation};

/// A translation file's front matter.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TranslationFront {
    pub title: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub summary: String,
    #[serde(default = "draft")]
    pub status: PageStatus,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contacts: Vec<Contact>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<ImageWords>,
}

/// An entry's featured image described in the translation's language.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ImageWords {
    #[serde(default)]
    pub alt: String,
    #[serde(default)]
    pub caption: String,
}

fn draft() -> PageStatus {
    PageStatus::Draft
}

/// `Some((original's file, language))` when `path` is a translation file
/// (`x.en.md` → `x.md`, `en`).
pub fn original_of(path: &Path) -> Option<(PathBuf, &'static str)> {
    let name = path.file_name()?.to_str()?;
    let stem = name.strip_suffix(".md")?;
    LANGUAGES.iter().find_map(|lang| {
        let base = stem.strip_suffix(&format!(".{lang}"))?;
        (!base.is_empty()).then(|| (path.with_file_name(format!("{base}.md")), *lang))
    })
}

/// Parses a translation file.
pub fn parse(text: &str) -> Result<(TranslationFront, String), ParseError> {
    let (front, body) = files::split(text)?;
    let front = toml::from_str(front).map_err(|e| ParseError::Toml(e.message().to_owned()))?;
    Ok((front, body))
}

/// A translation file's text.
pub fn render(t: &Translation, contacts: Vec<Contact>) -> Result<String, toml::ser::Error> {
    let front = TranslationFront {
        title: t.title.clone(),
        summary: t.summary.clone(),
        status: t.status,
        contacts,
        image: (!t.image_alt.is_empty() || !t.image_caption.is_empty()).then(|| ImageWords {
            alt: t.image_alt.clone(),
            caption: t.image_caption.clone(),
        }),
    };
    Ok(format!(
        "+++\n{}+++\n\n{}\n",
        toml::to_string(&front)?,
        t.body_md
    ))
}

/// Imports translation file `path` of `original` into `lang`: `Ok` with
/// how it was saved, `Err` with why not.
pub fn import_one(
    conn: &mut Db,
    path: &Path,
    original: Original,
    lang: &str,
    by: Saver<'_>,
) -> diesel::QueryResult<Result<Saved, String>> {
    let parsed = std::fs::read_to_string(path)
        .map_err(|e| e.to_string())
        .and_then(|text| parse(&text).map_err(|e| e.to_string()));
    let (front, body) = match parsed {
        Ok(p) => p,
        Err(why) => return Ok(Err(why)),
    };
    if let Some(bad) = front.contacts.iter().position(|c| !contact_is_valid(c)) {
        return Ok(Err(format!("contact {} is not valid", bad + 1)));
    }
    let image = front.image.clone();
    let input = TranslationInput {
        title: front.title.clone(),
        summary: front.summary.clone(),
        body_md: body,
        contacts: String::new(),
        image_alt: image.as_ref().map(|i| i.alt.clone()).unwrap_or_default(),
        image_caption: image.map(|i| i.caption).unwrap_or_default(),
        status: front.status.as_str().to_owned(),
    };
    let mut valid = match translation::validate(&input) {
        Ok(v) => v,
        Err(problems) => {
            let fields: Vec<&str> = problems.iter().map(|p| p.field).collect();
            return Ok(Err(format!("bad {}", fields.join(", "))));
        }
    };
    valid.contacts = front.contacts;
    match save_path::save(conn, original, lang, None, &valid, by) {
        Ok(saved) => Ok(Ok(saved)),
        Err(TranslationError::Db(e)) => Err(e),
        Err(e) => Ok(Err(e.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn translation_files_name_their_original() {
        assert_eq!(
            original_of(Path::new("pages/gioi-thieu.en.md")),
            Some((PathBuf::from("pages/gioi-thieu.md"), "en"))
        );
        assert_eq!(original_of(Path::new("pages/gioi-thieu.md")), None);
        assert_eq!(original_of(Path::new("articles/.en.md")), None);
        assert_eq!(original_of(Path::new("articles/x.fr.md")), None);
    }
}

//! The one save path for translations: the body rendered once (as for
//! entries and pages: library images, document links), the search words
//! folded at save, in one write transaction.

use crate::storage::Db;
use diesel::OptionalExtension;

use super::entries::{Saver, render_body};
pub use crate::domain::Saved;
use crate::domain::translation::{ValidTranslation, words};
use crate::storage::translations::{self, Original, Translation, TranslationData};

/// Why a save wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum TranslationError {
    /// Someone saved the translation since the form was opened: it as it
    /// is now.
    #[error("translation changed since version {expected}")]
    Conflict {
        expected: i32,
        current: Box<Translation>,
    },
    /// The entry or page it translates is gone.
    #[error("original not found")]
    NoOriginal,
    /// The translation the form was opened on was deleted since.
    #[error("translation deleted since version {0}")]
    Gone(i32),
    #[error(transparent)]
    Db(#[from] diesel::result::Error),
}

/// Which version a save expects to replace: `None` writes over whatever
/// is there (import), `Some(0)` expects none yet (a new one from the
/// admin), `Some(v)` expects version `v`.
pub type Expected = Option<i32>;

/// Saves `original`'s translation into `lang`. A save that changes
/// nothing writes nothing.
pub fn save(
    conn: &mut Db,
    original: Original,
    lang: &str,
    expected: Expected,
    t: &ValidTranslation,
    by: Saver<'_>,
) -> Result<Saved, TranslationError> {
    let body_html = render_body(conn, &t.body_md)?.into_string();
    let data = TranslationData {
        title: t.title.clone(),
        summary: t.summary.clone(),
        body_md: t.body_md.clone(),
        body_html,
        contacts: super::pages::contacts_json(&t.contacts),
        image_alt: t.image_alt.clone(),
        image_caption: t.image_caption.clone(),
        status: t.status,
        words: words(&t.title, &t.summary, &t.body_md),
    };
    crate::storage::write(conn, |conn| {
        let exists = match original {
            Original::Entry(id) => crate::storage::entries::find(conn, id)
                .optional()?
                .is_some(),
            Original::Page(id) => crate::storage::pages::find(conn, id).optional()?.is_some(),
        };
        if !exists {
            return Err(TranslationError::NoOriginal);
        }
        let current = translations::find(conn, original, lang)?;
        let conflict = |current: Option<Translation>| match current {
            Some(c) => TranslationError::Conflict {
                expected: expected.unwrap_or_default(),
                current: Box::new(c),
            },
            None => TranslationError::Gone(expected.unwrap_or_default()),
        };
        match (current, expected) {
            (Some(c), Some(v)) if c.version != v => Err(conflict(Some(c))),
            (Some(c), _) if same(&c, &data) => Ok(Saved::Unchanged(c.id)),
            (Some(c), _) => {
                if translations::update(conn, c.id, c.version, &data, by.now)? {
                    Ok(Saved::Updated(c.id))
                } else {
                    Err(conflict(translations::find(conn, original, lang)?))
                }
            }
            (None, Some(v)) if v > 0 => Err(conflict(None)),
            (None, _) => Ok(Saved::Created(translations::insert(
                conn, original, lang, &data, by.now,
            )?)),
        }
    })
}

/// Whether stored `c` already holds `data`.
fn same(c: &Translation, data: &TranslationData) -> bool {
    c.title == data.title
        && c.summary == data.summary
        && c.body_md == data.body_md
        && c.body_html == data.body_html
        && c.contacts == data.contacts
        && c.image_alt == data.image_alt
        && c.image_caption == data.image_caption
        && c.status == data.status
}

//! Work that spans tables, above `storage` and below `web` and `content`:
//! the one save path for entries and everything derived from them.
//!
//! - [`entries`]: an entry's save: the body rendered, its tags, revision,
//!   old-slug redirect, bulletin items, search row, cited document numbers
//!   and media uses, all in one transaction; and the refresh of what is
//!   derived when something it derives from changes.
//! - [`index`]: an entry's row in the search index.
//! - [`search`]: the index's rebuild (claimed, in batches, through the
//!   same derivation as a save).
//! - [`taxonomy`]: renaming and deleting categories and tags, with their
//!   entries' search rows kept in step.
//! - [`documents`]: the registry's writes, relinking the entries that
//!   cite a number whose record changed.
//! - [`media`]: registering a stored image in the library (uploads,
//!   imports and regeneration alike) and `loa media regenerate`.

pub mod documents;
pub mod entries;
pub mod index;
pub mod media;
pub mod pages;
pub mod search;
pub mod taxonomy;
pub mod translations;

//! Content files: Markdown with TOML front matter (`+++`), imported into
//! and exported from the database. See `content/README.md` for the format.

pub mod corpus;
pub mod export;
pub mod files;
pub mod import;
pub mod pages;
pub mod translations;

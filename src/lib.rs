//! loa: a public news CMS for a government department's reform news.
//!
//! - [`domain`]: rules (entry states, comment rules, slugs), no I/O.
//! - [`storage`]: SQLite through diesel; all SQL lives here, one leaf
//!   module per table.
//! - [`service`]: work across tables: the one save path for entries and
//!   what derives from them.
//! - [`render`]: Markdown, sanitising, comment text, dates, the theme.
//! - [`media`]: image checks, derivatives, responsive markup, documents.
//! - [`content`]: import and export of Markdown files with TOML front matter.
//! - [`web`]: actix-web handlers, thin: extract, call storage, render.
//! - [`config`], [`error`]: settings and the request error type.

pub mod auth;
pub mod config;
pub mod content;
pub mod domain;
pub mod error;
pub mod media;
pub mod render;
pub mod service;
pub mod storage;
pub mod web;

#[cfg(test)]
mod layers;

pub use web::{AppState, build_app};

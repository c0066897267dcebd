//! The integration tests, as one binary: each module was a file of its
//! own, and fourteen binaries each linked the whole of loa and its
//! dependencies again. Run one module with `cargo test --test integration
//! staff::`, one test by its name.

mod common;

mod api;
mod balancer;
mod browser;
mod bucket;
mod caching;
mod comments;
mod content_files;
mod discovery;
mod documents;
mod languages;
mod media;
mod menus;
mod moderation;
mod pages;
mod prepared;
mod print;
mod proxy_cache;
mod public_site;
mod questions;
mod ratings;
mod search;
mod servers;
mod staff;
mod storage;
mod themes;

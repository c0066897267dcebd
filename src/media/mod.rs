//! Media: uploaded images and attached documents.
//!
//! - [`images`]: checks an uploaded image under explicit limits, orients
//!   it, strips its metadata and makes the resized derivatives. Pure: bytes
//!   in, bytes out.
//! - [`documents`]: checks an attached document (PDF, DOCX, XLSX, ODT) by
//!   its content, not its name.
//! - [`responsive`]: the `srcset` / `<picture>` markup for a library image,
//!   shared by templates (featured images) and Markdown bodies.
//! - [`store`]: files under `uploads/` by year/month with content-hash
//!   names, written to a temporary file and renamed only when complete.
//! - [`regenerate`]: `loa media regenerate`, derivatives made again.
//! - [`render_body`]: Markdown rendered with the library's image sizes,
//!   the one place where the pure renderer meets the database.

pub mod documents;
pub mod images;
pub mod regenerate;
pub mod responsive;
pub mod store;

use diesel::SqliteConnection;

use crate::render::{SafeHtml, markdown};

/// Renders an entry body, library images becoming `<picture>`/`srcset`
/// with their stored width and height.
pub fn render_body(conn: &mut SqliteConnection, md: &str) -> diesel::QueryResult<SafeHtml> {
    let paths = markdown::image_paths(md);
    let sizes = if paths.is_empty() {
        Default::default()
    } else {
        crate::storage::media::dimensions(conn, &paths)?
    };
    Ok(markdown::render_with(md, &sizes))
}

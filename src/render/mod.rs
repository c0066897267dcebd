//! Turning stored text into HTML that is safe to show: Markdown bodies
//! (once, at save), comment text, and the theme's templates. No database,
//! no HTTP.

pub mod chart;
pub mod comment_text;
pub mod dates;
pub mod doclinks;
pub mod markdown;
pub mod numbers;
pub mod qr;
pub mod responsive;
pub mod sanitize;
pub mod sizes;
pub mod templates;

pub use sanitize::SafeHtml;

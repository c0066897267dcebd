//! Library images as rules: the formats accepted, the derivative widths,
//! and the stored path (`YYYY/MM/<hash>.<ext>`) that says which files an
//! image has. Pure; `media` encodes the files, `render::responsive` writes
//! the markup.

use std::sync::LazyLock;

use regex::Regex;
use serde::Serialize;

/// Widths of the derivatives, in pixels. Only those narrower than the
/// original are made. Steps of at most 1.5× up to 960, so a phone gets a
/// file close to what it shows (412 px × 1.75 density, less the margins,
/// needs 665: 800 rather than 960).
pub const WIDTHS: [u32; 7] = [320, 480, 640, 800, 960, 1280, 1920];

/// The formats accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Jpeg,
    Png,
    WebP,
    Gif,
}

impl Format {
    pub const ALL: [Format; 4] = [Format::Jpeg, Format::Png, Format::WebP, Format::Gif];

    /// The name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Jpeg => "jpeg",
            Format::Png => "png",
            Format::WebP => "webp",
            Format::Gif => "gif",
        }
    }

    pub fn parse(s: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.as_str() == s)
    }

    /// The extension files of this format are stored with.
    pub fn ext(self) -> &'static str {
        match self {
            Format::Jpeg => "jpg",
            Format::Png => "png",
            Format::WebP => "webp",
            Format::Gif => "gif",
        }
    }

    pub fn mime(self) -> &'static str {
        match self {
            Format::Jpeg => "image/jpeg",
            Format::Png => "image/png",
            Format::WebP => "image/webp",
            Format::Gif => "image/gif",
        }
    }

    /// The format an uploaded name claims (`.jpeg` and `.jpg` alike).
    pub fn from_ext(ext: &str) -> Option<Format> {
        match ext.to_ascii_lowercase().as_str() {
            "jpg" | "jpeg" | "jfif" => Some(Format::Jpeg),
            "png" => Some(Format::Png),
            "webp" => Some(Format::WebP),
            "gif" => Some(Format::Gif),
            _ => None,
        }
    }

    /// Whether a WebP copy is made next to this format's files (every
    /// format but WebP itself, which is already that).
    pub fn gets_webp(self) -> bool {
        self != Format::WebP
    }

    /// Whether this format's images are graphics (lossless WebP) rather
    /// than photos (lossy WebP).
    pub fn is_graphic(self) -> bool {
        matches!(self, Format::Png | Format::Gif)
    }
}

/// The derivative widths for an original `width` pixels wide.
pub fn widths_for(width: u32) -> impl Iterator<Item = u32> {
    WIDTHS.into_iter().filter(move |w| *w < width)
}

/// The height of a derivative `w` wide of a `width`×`height` image.
pub fn scaled_height(width: u32, height: u32, w: u32) -> u32 {
    ((u64::from(height) * u64::from(w) + u64::from(width) / 2) / u64::from(width)).max(1) as u32
}

/// A library image's stored path: `YYYY/MM/<24 hex>.<ext>`.
static LIBRARY_PATH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(\d{4}/\d{2}/[0-9a-f]{24})\.(jpg|png|webp|gif)$").expect("library path pattern")
});

/// `/uploads/<library path>` anywhere in a text (Markdown bodies).
pub static LIBRARY_URL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"/uploads/(\d{4}/\d{2}/[0-9a-f]{24}\.(?:jpg|png|webp|gif))\b")
        .expect("library url pattern")
});

/// A library path split into its stem (`2026/11/abc…`) and format.
pub fn parse_path(path: &str) -> Option<(&str, Format)> {
    let c = LIBRARY_PATH.captures(path)?;
    let stem = c.get(1)?.as_str();
    let format = Format::from_ext(c.get(2)?.as_str())?;
    Some((stem, format))
}

/// The library path an URL points at (`/uploads/2026/11/abc….jpg`), if any.
pub fn library_path(url: &str) -> Option<&str> {
    let path = url.strip_prefix("/uploads/")?;
    parse_path(path).map(|_| path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn library_paths_name_their_format() {
        let p = "2026/11/0123456789abcdef01234567.jpg";
        assert_eq!(
            parse_path(p),
            Some(("2026/11/0123456789abcdef01234567", Format::Jpeg))
        );
        assert_eq!(library_path(&format!("/uploads/{p}")), Some(p));
        assert_eq!(parse_path("2026/11/x.jpg"), None);
        assert_eq!(library_path("/static/logo.png"), None);
        assert_eq!(widths_for(700).collect::<Vec<_>>(), [320, 480, 640]);
    }
}

//! Responsive markup for library images: which files exist for an image
//! (from its stored path and size alone, so pages need no extra query,
//! by the rules of [`crate::domain::image`]), its `srcset`, and the
//! `<picture>` written into Markdown bodies.

use std::sync::LazyLock;

use regex::Regex;
use serde::Serialize;

use crate::domain::html::escape;
use crate::domain::image::{Format, WIDTHS, parse_path, widths_for};

/// `sizes` for an image in an entry's column (`--measure: 44rem`; below
/// that, the screen less the page's 1rem margins).
pub const SIZES_BODY: &str = "(min-width: 46rem) 44rem, calc(100vw - 2rem)";
/// `sizes` for a card's image in a listing.
pub const SIZES_CARD: &str = "(min-width: 60rem) 22rem, 100vw";

/// The fallback `src`: what a browser without `srcset` gets.
const FALLBACK_WIDTH: u32 = 960;

/// What a page needs to show a library image at the right size.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Responsive {
    pub src: String,
    pub srcset: String,
    /// WebP candidates (none when the image is a WebP already).
    pub webp_srcset: Option<String>,
    pub width: u32,
    pub height: u32,
}

/// The files served for the image stored at `path`, `width`×`height`.
pub fn responsive(path: &str, width: u32, height: u32) -> Option<Responsive> {
    let (stem, format) = parse_path(path)?;
    if width == 0 || height == 0 {
        return None;
    }
    let candidates = |f: Format| -> Vec<(u32, String)> {
        let mut v: Vec<(u32, String)> = widths_for(width)
            .map(|w| (w, format!("/uploads/{stem}-{w}.{}", f.ext())))
            .collect();
        // The full-size file, unless a camera original far wider than any
        // screen needs (then the widest derivative is the largest offer).
        if width <= WIDTHS[WIDTHS.len() - 1] {
            v.push((width, format!("/uploads/{stem}.{}", f.ext())));
        }
        v
    };
    let set = |v: &[(u32, String)]| {
        v.iter()
            .map(|(w, u)| format!("{u} {w}w"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let main = candidates(format);
    let src = main
        .iter()
        .rev()
        .find(|(w, _)| *w <= FALLBACK_WIDTH)
        .or(main.first())
        .map(|(_, u)| u.clone())?;
    Some(Responsive {
        src,
        srcset: set(&main),
        webp_srcset: format.gets_webp().then(|| set(&candidates(Format::WebP))),
        width,
        height,
    })
}

/// `<picture>` (or a plain `<img>` with `srcset` when there is one format)
/// with width and height, so the page keeps its layout while it loads.
pub fn picture_html(r: &Responsive, alt: &str, title: &str, sizes: &str, lazy: bool) -> String {
    let loading = if lazy {
        r#" loading="lazy" decoding="async""#
    } else {
        ""
    };
    let title = if title.is_empty() {
        String::new()
    } else {
        format!(r#" title="{}""#, escape(title))
    };
    let img = format!(
        r#"<img src="{}" srcset="{}" sizes="{sizes}" width="{}" height="{}" alt="{}"{title}{loading}>"#,
        r.src,
        r.srcset,
        r.width,
        r.height,
        escape(alt)
    );
    match &r.webp_srcset {
        Some(webp) => format!(
            r#"<picture><source type="image/webp" srcset="{webp}" sizes="{sizes}">{img}</picture>"#
        ),
        None => img,
    }
}

/// Whether `value` is a `srcset` made by this module (only library files,
/// each with a width): the sanitizer lets no other `srcset` through.
pub fn is_library_srcset(value: &str) -> bool {
    static ITEM: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"^/uploads/\d{4}/\d{2}/[0-9a-f]{24}(?:-\d{2,4})?\.(?:jpg|png|webp|gif) \d{1,5}w$",
        )
        .expect("srcset item pattern")
    });
    !value.is_empty() && value.split(", ").all(|i| ITEM.is_match(i))
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: &str = "2026/11/0123456789abcdef01234567.jpg";

    #[test]
    fn a_photo_gets_every_narrower_width_and_itself() {
        let r = responsive(P, 1000, 500).unwrap();
        assert_eq!(
            r.srcset,
            "/uploads/2026/11/0123456789abcdef01234567-320.jpg 320w, \
             /uploads/2026/11/0123456789abcdef01234567-480.jpg 480w, \
             /uploads/2026/11/0123456789abcdef01234567-640.jpg 640w, \
             /uploads/2026/11/0123456789abcdef01234567-800.jpg 800w, \
             /uploads/2026/11/0123456789abcdef01234567-960.jpg 960w, \
             /uploads/2026/11/0123456789abcdef01234567.jpg 1000w"
        );
        assert_eq!(r.src, "/uploads/2026/11/0123456789abcdef01234567-960.jpg");
        let webp = r.webp_srcset.as_deref().unwrap_or_default();
        assert!(
            webp.ends_with("0123456789abcdef01234567.webp 1000w"),
            "{webp}"
        );
        let already = responsive("2026/11/0123456789abcdef01234567.webp", 500, 100).unwrap();
        assert!(already.webp_srcset.is_none());
        assert!(is_library_srcset(&r.srcset));
        assert!(!is_library_srcset("https://evil.example/x.jpg 1w"));
        assert!(!is_library_srcset("javascript:alert(1) 1w"));
    }

    #[test]
    fn a_camera_original_is_not_offered_whole() {
        let r = responsive(P, 4000, 3000).unwrap();
        assert!(!r.srcset.contains(".jpg 4000w"), "{}", r.srcset);
        assert!(r.srcset.ends_with("-1920.jpg 1920w"), "{}", r.srcset);
    }

    #[test]
    fn graphics_get_a_webp_source() {
        let r = responsive("2026/11/0123456789abcdef01234567.png", 300, 100).unwrap();
        let html = picture_html(&r, "Sơ đồ \"quy trình\"", "", SIZES_BODY, true);
        assert!(
            html.starts_with(r#"<picture><source type="image/webp""#),
            "{html}"
        );
        assert!(
            html.contains(r#"alt="Sơ đồ &quot;quy trình&quot;""#),
            "{html}"
        );
        assert!(html.contains(r#"width="300" height="100""#), "{html}");
        assert!(html.contains(r#"loading="lazy""#), "{html}");
    }
}

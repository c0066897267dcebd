//! QR codes for print pages: the `qrcode` crate encodes the URL; the SVG is
//! drawn here, one path step per run of dark modules, and pages embed it
//! inline (no image request, sharp at any print resolution).
//!
//! Encoding tries all eight mask patterns to pick the most legible, which
//! costs more than rendering the rest of an entry page; a code depends only
//! on its URL and label, so the most recent ones are kept (bounded) and
//! reused by every page that prints them.

use std::fmt::Write;
use std::sync::{Arc, OnceLock};

use qrcode::{Color, EcLevel, QrCode};

use super::SafeHtml;
use crate::render::templates::escape;

/// How many codes are kept: far more than the entries a surge of readers
/// reads at once, and about 3 KB each.
const KEPT: usize = 512;

/// (URL, label) → the SVG, or `None` for a URL too long to encode.
type Made = quick_cache::sync::Cache<(String, String), Option<Arc<str>>>;

/// The QR code for `url` as an inline `<svg>` element, one unit per module
/// with the standard four-module quiet zone. `label` becomes its accessible
/// name. `None` when the URL is too long for a QR code.
pub fn svg(url: &str, label: &str) -> Option<SafeHtml> {
    static MADE: OnceLock<Made> = OnceLock::new();
    let made = MADE.get_or_init(|| Made::new(KEPT));
    let key = (url.to_owned(), label.to_owned());
    let svg = match made.get(&key) {
        Some(svg) => svg,
        None => {
            let svg = draw(url, label).map(Arc::from);
            made.insert(key, svg.clone());
            svg
        }
    };
    svg.map(|s| SafeHtml::trusted(s.to_string()))
}

fn draw(url: &str, label: &str) -> Option<String> {
    // Medium error correction survives a smudged or folded print.
    let code = QrCode::with_error_correction_level(url.as_bytes(), EcLevel::M).ok()?;
    const QUIET: usize = 4;
    let modules = code.width();
    let size = modules + 2 * QUIET;
    let mut svg = format!(
        "<svg class=\"qr\" role=\"img\" aria-label=\"{}\" xmlns=\"http://www.w3.org/2000/svg\" \
         width=\"{size}\" height=\"{size}\" viewBox=\"0 0 {size} {size}\" \
         shape-rendering=\"crispEdges\"><rect width=\"{size}\" height=\"{size}\" fill=\"#fff\"/>\
         <path fill=\"#000\" d=\"",
        escape(label)
    );
    let colors = code.to_colors();
    for (y, row) in colors.chunks(modules).enumerate() {
        let mut x = 0;
        while x < modules {
            if row[x] == Color::Light {
                x += 1;
                continue;
            }
            let run = row[x..].iter().take_while(|c| **c == Color::Dark).count();
            let _ = write!(svg, "M{} {}h{run}v1h-{run}z", x + QUIET, y + QUIET);
            x += run;
        }
    }
    svg.push_str("\"/></svg>");
    Some(svg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_inline_svg_without_prolog_with_a_label() {
        let s = svg("https://example.gov.vn/leaflets/a?b=1&c=2", "Mã QR \"x\"").unwrap();
        let s = s.as_str();
        assert!(s.starts_with("<svg class=\"qr\" role=\"img\" aria-label=\"Mã QR &quot;x&quot;\""));
        assert!(!s.contains("<?xml"));
        assert!(s.contains("<path"));
        assert!(s.ends_with("</svg>"));
    }
}

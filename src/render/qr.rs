//! QR codes for print pages: the `qrcode` crate encodes the URL and draws
//! it as SVG, which pages embed inline (no image request, sharp at any
//! print resolution).

use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};

use super::SafeHtml;
use crate::render::templates::escape;

/// The QR code for `url` as an inline `<svg>` element, one unit per module
/// with the standard four-module quiet zone. `label` becomes its accessible
/// name. `None` when the URL is too long for a QR code.
pub fn svg(url: &str, label: &str) -> Option<SafeHtml> {
    // Medium error correction survives a smudged or folded print.
    let code = QrCode::with_error_correction_level(url.as_bytes(), EcLevel::M).ok()?;
    let image = code
        .render::<svg::Color>()
        .module_dimensions(1, 1)
        .dark_color(svg::Color("#000"))
        .light_color(svg::Color("#fff"))
        .build();
    // The crate writes a standalone file; inside HTML the XML prolog is not
    // allowed, and the element needs a class and an accessible name.
    let start = image.find("<svg")?;
    let element = &image[start..];
    let attrs = format!(
        "<svg class=\"qr\" role=\"img\" aria-label=\"{}\"",
        escape(label)
    );
    Some(SafeHtml::trusted(element.replacen("<svg", &attrs, 1)))
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

//! Checking an uploaded image and making what is served from it.
//!
//! [`check`] refuses, with a reason, anything that is not plainly a JPEG,
//! PNG, WebP or GIF of a sane size: a name that tries to be a path, an SVG
//! (it can carry script), bytes that do not match the name, HTML or script
//! hidden in the file (a polyglot), a file cut short, or a header claiming
//! more pixels than the limits allow (a decompression bomb is refused from
//! its header, before anything is decoded). Decoding runs under the image
//! crate's own limits too.
//!
//! [`derive`] turns the checked image into what is served: the picture
//! turned upright by its EXIF orientation, re-encoded (so no EXIF, GPS or
//! other metadata survives), at full size and at each of [`WIDTHS`] below
//! it, never upscaled, in its own format and in WebP. Photos (JPEG, WebP)
//! get lossy WebP at [`WEBP_QUALITY`] through libwebp (the `webp` crate):
//! the image crate's own WebP encoder is lossless only, and lossless WebP
//! of a photo is several times larger than the JPEG (README, "Media", has
//! the figures). Graphics (PNG, GIF) get lossless WebP, which keeps text
//! and edges sharp and is smaller than the PNG.

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::imageops::FilterType;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader};

pub use crate::domain::image::{Format, WIDTHS, scaled_height, widths_for};

/// JPEG quality of re-encoded photos.
pub const JPEG_QUALITY: u8 = 82;

/// Lossy WebP quality of photos (libwebp's scale).
pub const WEBP_QUALITY: f32 = 78.0;

/// What an upload may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Size of the uploaded file.
    pub max_bytes: usize,
    /// Width and height, each.
    pub max_side: u32,
    /// Width × height.
    pub max_pixels: u64,
    /// Memory the decoder may allocate.
    pub max_alloc: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_bytes: 20 * 1024 * 1024,
            max_side: 12_000,
            max_pixels: 50_000_000,
            max_alloc: 512 * 1024 * 1024,
        }
    }
}

fn image_format(f: Format) -> ImageFormat {
    match f {
        Format::Jpeg => ImageFormat::Jpeg,
        Format::Png => ImageFormat::Png,
        Format::WebP => ImageFormat::WebP,
        Format::Gif => ImageFormat::Gif,
    }
}

fn from_image_format(f: ImageFormat) -> Option<Format> {
    match f {
        ImageFormat::Jpeg => Some(Format::Jpeg),
        ImageFormat::Png => Some(Format::Png),
        ImageFormat::WebP => Some(Format::WebP),
        ImageFormat::Gif => Some(Format::Gif),
        _ => None,
    }
}

/// Why an upload was refused. Each has a message key in the theme's
/// catalogue (`media_refused_*`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("empty file")]
    Empty,
    #[error("file larger than the limit")]
    TooLarge,
    #[error("file name is not a plain name")]
    BadName,
    #[error("SVG is not accepted")]
    Svg,
    #[error("extension not accepted")]
    NotAllowed,
    #[error("not an image")]
    NotAnImage,
    #[error("content does not match the name")]
    Mismatch,
    #[error("HTML or script inside the file")]
    Polyglot,
    #[error("file is cut short")]
    Truncated,
    #[error("{0}×{1} pixels is beyond the limits")]
    Dimensions(u32, u32),
    #[error("could not be decoded: {0}")]
    Corrupt(String),
}

impl Refusal {
    /// The catalogue key of the message shown to the editor.
    pub fn message_key(&self) -> &'static str {
        match self {
            Refusal::Empty => "media_refused_empty",
            Refusal::TooLarge => "media_refused_too_large",
            Refusal::BadName => "media_refused_bad_name",
            Refusal::Svg => "media_refused_svg",
            Refusal::NotAllowed => "media_refused_type",
            Refusal::NotAnImage => "media_refused_not_image",
            Refusal::Mismatch => "media_refused_mismatch",
            Refusal::Polyglot => "media_refused_polyglot",
            Refusal::Truncated => "media_refused_truncated",
            Refusal::Dimensions(..) => "media_refused_dimensions",
            Refusal::Corrupt(_) => "media_refused_corrupt",
        }
    }
}

/// An image that passed every check, decoded and turned upright.
pub struct Checked {
    pub format: Format,
    pub image: DynamicImage,
}

impl Checked {
    pub fn width(&self) -> u32 {
        self.image.width()
    }
    pub fn height(&self) -> u32 {
        self.image.height()
    }
}

/// A file name as the uploader's browser sent it must be a plain name:
/// no folders, no `..`, no control characters. (It never becomes a path
/// anyway; a name like that is a sign of an attack, so it is refused.)
pub fn plain_name(name: &str) -> Result<&str, Refusal> {
    let bad = name.is_empty()
        || name.len() > 255
        || name.contains(['/', '\\', ':'])
        || name.contains("..")
        || name.starts_with('.')
        || name.chars().any(char::is_control);
    if bad { Err(Refusal::BadName) } else { Ok(name) }
}

/// The extension of a plain name, lower-cased.
pub fn extension(name: &str) -> Option<String> {
    name.rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .filter(|e| !e.is_empty())
}

/// Markers of HTML, SVG or script. Found anywhere in an image file they
/// make it a polyglot: a browser or another program could read it as a
/// page. (Compressed image data matching one by chance is vanishingly
/// unlikely: each is at least 5 bytes, compared without case.)
const MARKERS: [&[u8]; 8] = [
    b"<script",
    b"<html",
    b"<svg",
    b"<?php",
    b"<!doctype",
    b"<iframe",
    b"<body",
    b"javascript:",
];

fn contains_marker(bytes: &[u8]) -> bool {
    MARKERS
        .iter()
        .any(|m| bytes.windows(m.len()).any(|w| w.eq_ignore_ascii_case(m)))
}

/// Text that looks like markup (an SVG or HTML file under any name).
fn looks_like_markup(bytes: &[u8]) -> bool {
    let start = bytes
        .strip_prefix(b"\xEF\xBB\xBF".as_slice())
        .unwrap_or(bytes);
    let first = start.iter().find(|b| !b.is_ascii_whitespace());
    first == Some(&b'<')
}

fn is_svg(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(4096)];
    looks_like_markup(bytes) && head.windows(4).any(|w| w.eq_ignore_ascii_case(b"<svg"))
}

/// Whether the file ends where its format says it ends (a cut-off upload
/// or a truncated file is refused rather than shown half grey).
fn complete(format: Format, bytes: &[u8]) -> bool {
    match format {
        Format::Jpeg => {
            // End Of Image, allowing the zero padding some cameras add.
            let end = bytes.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
            bytes[..end].ends_with(&[0xFF, 0xD9])
        }
        Format::Png => bytes.len() >= 12 && &bytes[bytes.len() - 8..bytes.len() - 4] == b"IEND",
        Format::Gif => bytes.last() == Some(&0x3B),
        Format::WebP => {
            bytes.len() >= 12 && {
                let declared = u32::from_le_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]);
                declared as usize + 8 <= bytes.len()
            }
        }
    }
}

/// Checks an upload named `name` (as the browser sent it) and decodes it.
pub fn check(name: &str, bytes: &[u8], limits: &Limits) -> Result<Checked, Refusal> {
    let format = precheck(name, bytes, limits)?;
    decode(format, bytes, limits)
}

/// Every check that does not decode pixels: size, name, type, markers,
/// completeness. Returns the format the bytes are.
pub fn precheck(name: &str, bytes: &[u8], limits: &Limits) -> Result<Format, Refusal> {
    if bytes.is_empty() {
        return Err(Refusal::Empty);
    }
    if bytes.len() > limits.max_bytes {
        return Err(Refusal::TooLarge);
    }
    let name = plain_name(name)?;
    let ext = extension(name).unwrap_or_default();
    if ext == "svg" || ext == "svgz" || is_svg(bytes) {
        return Err(Refusal::Svg);
    }
    let claimed = Format::from_ext(&ext).ok_or(Refusal::NotAllowed)?;
    if looks_like_markup(bytes) {
        return Err(Refusal::NotAnImage);
    }
    let actual = image::guess_format(bytes)
        .ok()
        .and_then(from_image_format)
        .ok_or(Refusal::NotAnImage)?;
    if actual != claimed {
        return Err(Refusal::Mismatch);
    }
    if contains_marker(bytes) {
        return Err(Refusal::Polyglot);
    }
    if !complete(actual, bytes) {
        return Err(Refusal::Truncated);
    }
    Ok(actual)
}

/// Decodes bytes already known to be `format`, under `limits`, and turns
/// the picture upright. Also used to regenerate derivatives from a stored
/// original.
pub fn decode(format: Format, bytes: &[u8], limits: &Limits) -> Result<Checked, Refusal> {
    let corrupt = |e: image::ImageError| Refusal::Corrupt(e.to_string());
    // The header first: a bomb claims its size before its pixels.
    let (w, h) = ImageReader::with_format(Cursor::new(bytes), image_format(format))
        .into_dimensions()
        .map_err(corrupt)?;
    if w == 0
        || h == 0
        || w > limits.max_side
        || h > limits.max_side
        || u64::from(w) * u64::from(h) > limits.max_pixels
    {
        return Err(Refusal::Dimensions(w, h));
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), image_format(format));
    let mut lim = image::Limits::default();
    lim.max_image_width = Some(limits.max_side);
    lim.max_image_height = Some(limits.max_side);
    lim.max_alloc = Some(limits.max_alloc);
    reader.limits(lim);
    let mut decoder = reader.into_decoder().map_err(corrupt)?;
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut image = DynamicImage::from_decoder(decoder).map_err(corrupt)?;
    image.apply_orientation(orientation);
    Ok(Checked { format, image })
}

/// One file made from an upload.
#[derive(Debug, Clone)]
pub struct Rendition {
    /// `None` for the full-size image, else the derivative's width (the
    /// `-640` in `abc-640.jpg`).
    pub suffix: Option<u32>,
    pub width: u32,
    pub height: u32,
    pub format: Format,
    pub bytes: Vec<u8>,
}

#[derive(Debug, thiserror::Error)]
#[error("encoding failed: {0}")]
pub struct EncodeError(#[from] image::ImageError);

/// Everything served from `checked`: the full-size image and each
/// derivative, in its format (and lossless WebP for graphics).
pub fn derive(checked: &Checked) -> Result<Vec<Rendition>, EncodeError> {
    let format = checked.format;
    let img = &checked.image;
    let (w0, h0) = (img.width(), img.height());
    let mut out = Vec::new();
    let lossless = format.is_graphic();
    let mut push = |suffix, img: &DynamicImage| -> Result<(), EncodeError> {
        let mut formats = vec![format];
        if format.gets_webp() {
            formats.push(Format::WebP);
        }
        for f in formats {
            let bytes = if f == Format::WebP {
                encode_webp(img, lossless)
            } else {
                encode(img, f)?
            };
            out.push(Rendition {
                suffix,
                width: img.width(),
                height: img.height(),
                format: f,
                bytes,
            });
        }
        Ok(())
    };
    push(None, img)?;
    // Largest first, each made from the one before: far fewer pixels to
    // filter than resizing the original every time, and as sharp.
    let widths: Vec<u32> = widths_for(w0).collect();
    let mut source: Option<DynamicImage> = None;
    for &w in widths.iter().rev() {
        let h = scaled_height(w0, h0, w);
        let from = source.as_ref().unwrap_or(img);
        let resized = from.resize_exact(w, h, FilterType::CatmullRom);
        push(Some(w), &resized)?;
        source = Some(resized);
    }
    Ok(out)
}

/// Encodes `img` as WebP with libwebp: lossy for photos, lossless for
/// graphics. No metadata is written.
pub fn encode_webp(img: &DynamicImage, lossless: bool) -> Vec<u8> {
    let (w, h) = (img.width(), img.height());
    if img.color().has_alpha() {
        let rgba = img.to_rgba8();
        let enc = webp::Encoder::from_rgba(rgba.as_raw(), w, h);
        if lossless {
            enc.encode_lossless().to_vec()
        } else {
            enc.encode(WEBP_QUALITY).to_vec()
        }
    } else {
        let rgb = img.to_rgb8();
        let enc = webp::Encoder::from_rgb(rgb.as_raw(), w, h);
        if lossless {
            enc.encode_lossless().to_vec()
        } else {
            enc.encode(WEBP_QUALITY).to_vec()
        }
    }
}

/// Encodes `img` as `format`, writing no metadata (WebP through the image
/// crate is lossless; [`encode_webp`] is what derivatives use).
pub fn encode(img: &DynamicImage, format: Format) -> Result<Vec<u8>, EncodeError> {
    let mut buf = Vec::new();
    match format {
        Format::Jpeg => {
            let rgb = img.to_rgb8();
            JpegEncoder::new_with_quality(&mut buf, JPEG_QUALITY).encode_image(&rgb)?;
        }
        Format::Png => {
            img.write_to(&mut Cursor::new(&mut buf), ImageFormat::Png)?;
        }
        Format::WebP => {
            let rgba = DynamicImage::ImageRgba8(img.to_rgba8());
            rgba.write_to(&mut Cursor::new(&mut buf), ImageFormat::WebP)?;
        }
        Format::Gif => {
            let rgba = DynamicImage::ImageRgba8(img.to_rgba8());
            rgba.write_to(&mut Cursor::new(&mut buf), ImageFormat::Gif)?;
        }
    }
    Ok(buf)
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{Rgb, RgbImage};

    fn jpeg(w: u32, h: u32) -> Vec<u8> {
        let img = RgbImage::from_fn(w, h, |x, y| Rgb([(x % 256) as u8, (y % 256) as u8, 90]));
        encode(&DynamicImage::ImageRgb8(img), Format::Jpeg).unwrap()
    }

    #[test]
    fn names_that_try_to_be_paths_are_refused() {
        for bad in [
            "../x.jpg",
            "a/b.jpg",
            "a\\b.jpg",
            "..",
            ".htaccess",
            "x\0.jpg",
            "",
        ] {
            assert_eq!(plain_name(bad), Err(Refusal::BadName), "{bad:?}");
        }
        assert_eq!(plain_name("ảnh hội nghị.jpg"), Ok("ảnh hội nghị.jpg"));
    }

    #[test]
    fn a_jpeg_passes_and_a_cut_one_does_not() {
        let bytes = jpeg(64, 48);
        let ok = check("a.jpeg", &bytes, &Limits::default()).unwrap();
        assert_eq!((ok.width(), ok.height(), ok.format), (64, 48, Format::Jpeg));
        let cut = &bytes[..bytes.len() / 2];
        assert_eq!(
            check("a.jpg", cut, &Limits::default()).err(),
            Some(Refusal::Truncated)
        );
        assert_eq!(
            check("a.png", &bytes, &Limits::default()).err(),
            Some(Refusal::Mismatch)
        );
    }

    #[test]
    fn derivatives_are_never_upscaled() {
        let c = check("a.jpg", &jpeg(700, 350), &Limits::default()).unwrap();
        let r = derive(&c).unwrap();
        let sizes: Vec<(Option<u32>, u32, u32)> =
            r.iter().map(|r| (r.suffix, r.width, r.height)).collect();
        assert_eq!(
            sizes,
            vec![
                (None, 700, 350),
                (None, 700, 350),
                (Some(640), 640, 320),
                (Some(640), 640, 320),
                (Some(480), 480, 240),
                (Some(480), 480, 240),
                (Some(320), 320, 160),
                (Some(320), 320, 160)
            ]
        );
        let webp = &r[1];
        assert_eq!(webp.format, Format::WebP);
        assert!(webp.bytes.starts_with(b"RIFF") && &webp.bytes[8..12] == b"WEBP");
    }
}

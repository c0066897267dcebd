//! Processing a 12-megapixel camera JPEG (4000×3000) into everything an
//! upload stores: the checks, decoding under limits, EXIF orientation,
//! the re-encoded full image and the 320/640/960/1280/1920 derivatives.
//!
//!     cargo bench --bench media
//!     LOA_BENCH_RUNS=5 cargo bench --bench media
//!
//! The photo is generated (smooth gradients plus fine noise, so it
//! compresses like a real one). Also prints the size of each derivative as
//! JPEG and as lossy WebP, and what lossless WebP (the image crate's only
//! WebP encoder) would weigh at the same width: the figures behind the
//! WebP choice in README.

use std::io::Cursor;
use std::time::{Duration, Instant};

use image::codecs::jpeg::JpegEncoder;
use image::{DynamicImage, ImageFormat, Rgb, RgbImage};
use loa::media::images::{self, Format, Limits};
use loa::media::store;

fn camera_photo(w: u32, h: u32) -> Vec<u8> {
    let mut seed = 0x2545_f491u32;
    let img = RgbImage::from_fn(w, h, |x, y| {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        let noise = (seed % 24) as i32 - 12;
        let fx = x as f32 / w as f32;
        let fy = y as f32 / h as f32;
        let r = 90.0 + 120.0 * fx + 30.0 * (fy * 9.0).sin();
        let g = 110.0 + 80.0 * fy + 25.0 * (fx * 13.0).cos();
        let b = 160.0 - 90.0 * fx * fy;
        let c = |v: f32| (v as i32 + noise).clamp(0, 255) as u8;
        Rgb([c(r), c(g), c(b)])
    });
    let mut buf = Vec::new();
    JpegEncoder::new_with_quality(&mut buf, 92)
        .encode_image(&img)
        .expect("encode the test photo");
    buf
}

fn main() {
    let runs: usize = std::env::var("LOA_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    let photo = camera_photo(4000, 3000);
    println!(
        "12 MP JPEG: 4000×3000, {:.1} MB",
        photo.len() as f64 / 1_048_576.0
    );
    let limits = Limits::default();
    let mut times: Vec<Duration> = Vec::new();
    let mut last = None;
    for _ in 0..runs {
        let t = Instant::now();
        let prepared = store::prepare("may-anh.jpg", &photo, &limits).expect("accepted");
        times.push(t.elapsed());
        last = Some(prepared);
    }
    times.sort();
    println!(
        "check + decode + orient + full size + 5 derivatives: median {:.0} ms, best {:.0} ms ({} runs, one core)",
        times[times.len() / 2].as_secs_f64() * 1e3,
        times[0].as_secs_f64() * 1e3,
        runs
    );
    let prepared = last.expect("ran");
    let total: usize = prepared.renditions.iter().map(|r| r.bytes.len()).sum();
    println!(
        "stored: {} files, {:.1} MB in all",
        prepared.renditions.len(),
        total as f64 / 1_048_576.0
    );
    println!(
        "{:>6} {:>10} {:>12} {:>15}",
        "width", "JPEG q82", "WebP q78", "lossless WebP"
    );
    let jpegs = prepared
        .renditions
        .iter()
        .filter(|r| r.format == Format::Jpeg);
    for r in jpegs {
        let lossy = prepared
            .renditions
            .iter()
            .find(|x| x.format == Format::WebP && x.suffix == r.suffix)
            .map_or(0, |x| x.bytes.len());
        // Lossless only for the widths a phone loads (it is slow on 4000 px).
        let lossless = if r.width <= 960 {
            let img =
                image::load_from_memory_with_format(&r.bytes, ImageFormat::Jpeg).expect("decode");
            format!(
                "{} KB",
                images::encode(&DynamicImage::ImageRgb8(img.to_rgb8()), Format::WebP)
                    .expect("webp")
                    .len()
                    / 1024
            )
        } else {
            "-".to_owned()
        };
        println!(
            "{:>6} {:>7} KB {:>9} KB {:>15}",
            r.width,
            r.bytes.len() / 1024,
            lossy / 1024,
            lossless
        );
    }
    // A graphic (flat colours, text-like edges), where WebP pays off.
    let graphic = RgbImage::from_fn(1280, 720, |x, y| {
        if (x / 64 + y / 48) % 2 == 0 {
            Rgb([196, 30, 58])
        } else {
            Rgb([250, 248, 240])
        }
    });
    let g = DynamicImage::ImageRgb8(graphic);
    let mut png = Vec::new();
    g.write_to(&mut Cursor::new(&mut png), ImageFormat::Png)
        .expect("png");
    let webp = images::encode_webp(&g, true);
    println!(
        "graphic 1280×720: PNG {} KB, lossless WebP {} KB",
        png.len() / 1024,
        webp.len() / 1024
    );
}

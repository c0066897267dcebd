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

/// A reproducible random number stream (xorshift).
struct Rng(u32);

/// One octave of noise and its amplitude.
type Octave = (Box<dyn Fn(u32, u32) -> f32>, f32);

impl Rng {
    fn next(&mut self) -> f32 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 17;
        self.0 ^= self.0 << 5;
        (self.0 % 10_000) as f32 / 10_000.0
    }
}

/// Value noise: random values on a grid `cell` pixels apart, smoothly
/// interpolated; summed over several cell sizes it has detail at every
/// scale, as a photo has (foliage, faces, text on signs), so derivatives
/// compress like a photo's and not like a gradient's.
fn octave(rng: &mut Rng, w: u32, h: u32, cell: u32) -> impl Fn(u32, u32) -> f32 + use<> {
    let gw = (w / cell + 2) as usize;
    let gh = (h / cell + 2) as usize;
    let grid: Vec<f32> = (0..gw * gh).map(|_| rng.next()).collect();
    move |x, y| {
        let fx = x as f32 / cell as f32;
        let fy = y as f32 / cell as f32;
        let (ix, iy) = (fx as usize, fy as usize);
        let (tx, ty) = (fx.fract(), fy.fract());
        let (sx, sy) = (tx * tx * (3.0 - 2.0 * tx), ty * ty * (3.0 - 2.0 * ty));
        let at = |i: usize, j: usize| grid[j * gw + i];
        let top = at(ix, iy) + (at(ix + 1, iy) - at(ix, iy)) * sx;
        let bottom = at(ix, iy + 1) + (at(ix + 1, iy + 1) - at(ix, iy + 1)) * sx;
        top + (bottom - top) * sy
    }
}

fn camera_photo(w: u32, h: u32) -> Vec<u8> {
    let mut rng = Rng(0x2545_f491);
    let octaves: Vec<Octave> = [(600, 90.0), (150, 60.0), (40, 40.0), (9, 28.0), (3, 16.0)]
        .into_iter()
        .map(|(cell, amp)| {
            let f: Box<dyn Fn(u32, u32) -> f32> = Box::new(octave(&mut rng, w, h, cell));
            (f, amp)
        })
        .collect();
    let mut grain = Rng(0x1234_5678);
    let img = RgbImage::from_fn(w, h, |x, y| {
        let v: f32 = octaves.iter().map(|(f, a)| (f(x, y) - 0.5) * a).sum();
        let n = (grain.next() - 0.5) * 10.0;
        let fx = x as f32 / w as f32;
        let c = |base: f32| (base + v + n).clamp(0.0, 255.0) as u8;
        Rgb([c(120.0 + 40.0 * fx), c(125.0), c(110.0 + 30.0 * (1.0 - fx))])
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
        "check + decode + orient + full size + {} widths, JPEG and WebP: median {:.0} ms, best {:.0} ms ({} runs, one thread)",
        images::WIDTHS.len(),
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
    // A graphic: a bar chart with thin grid lines and labels-like marks,
    // where lossless WebP pays off against PNG.
    let mut marks = Rng(7);
    let graphic = RgbImage::from_fn(1280, 720, |x, y| {
        let bar = (x / 160) as f32;
        let height = 100.0 + 60.0 * bar;
        if y % 60 == 0 || x % 160 == 0 {
            Rgb([200, 200, 200])
        } else if (x % 160) > 30 && (x % 160) < 130 && (720 - y) as f32 <= height {
            Rgb([196, 30 + (bar as u8) * 20, 58])
        } else if y < 40 && marks.next() < 0.3 {
            Rgb([29, 29, 31])
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
        "graphic 1280×720: PNG {:.1} KB, lossless WebP {:.1} KB",
        png.len() as f64 / 1024.0,
        webp.len() as f64 / 1024.0
    );
}

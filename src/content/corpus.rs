//! A generated corpus for benchmarks: many entries of realistic Vietnamese
//! text (words drawn from the reference article), categories and tags,
//! reproducible from a seed. Not used by the site itself.

use crate::storage::Db;
use crate::storage::each_backend;
use chrono::{Duration, NaiveDate};
use diesel::prelude::*;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};

use crate::domain::entry::{EntryKind, Status};
use crate::storage::categories::{self, CategoryData};
use crate::storage::entries::EntryData;
use crate::storage::schema::{comments, entries, entry_tags};
use crate::storage::tags;

const SOURCE: &str = include_str!("../../tests/fixtures/reference-article.txt");

const CATEGORIES: [(&str, &str); 6] = [
    ("tin-nganh", "Tin ngành"),
    ("cai-cach-hanh-chinh", "Cải cách hành chính"),
    ("thong-bao", "Thông báo"),
    ("van-ban", "Văn bản – Chính sách"),
    ("van-hoa", "Văn hóa"),
    ("the-thao", "Thể thao"),
];

const TAGS: [&str; 12] = [
    "Cải cách hành chính",
    "Chính quyền số",
    "Dịch vụ công",
    "Một cửa",
    "Văn hóa giao tiếp",
    "Thủ tục hành chính",
    "Chuyển đổi số",
    "Quy tắc ứng xử",
    "PAPI",
    "SIPAS",
    "PCI",
    "Hà Nội",
];

/// Changes whenever the same seed gives different rows, so that a corpus
/// saved by an earlier build (benches/load.rs keeps one) is made again.
/// 2: 20,000 commenters instead of five.
pub const VERSION: u32 = 2;

/// Generates `n` published entries (with slugs `tin-0`, `tin-1`, …) over
/// the last ten years, a quarter of them with approved comments;
/// `progress(done)` is called after each batch.
pub fn generate(
    conn: &mut Db,
    n: usize,
    seed: u64,
    mut progress: impl FnMut(usize),
) -> QueryResult<()> {
    let words: Vec<&str> = SOURCE
        .split(|c: char| c.is_whitespace() || ",.;:“”()".contains(c))
        .filter(|w| w.chars().count() > 1)
        .collect();
    let mut rng = StdRng::seed_from_u64(seed);
    let mut cats = Vec::new();
    for (i, (slug, name)) in CATEGORIES.iter().enumerate() {
        cats.push(
            categories::upsert(
                conn,
                &CategoryData {
                    slug: (*slug).into(),
                    name: (*name).into(),
                    description: String::new(),
                    position: i as i32 + 1,
                },
            )?
            .id,
        );
    }
    let mut tag_ids = Vec::new();
    for t in TAGS {
        tag_ids.push(tags::ensure(conn, t)?.id);
    }
    let start = NaiveDate::from_ymd_opt(2016, 1, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .unwrap_or_default();
    let span_minutes = 10 * 365 * 24 * 60;
    let sentence = |rng: &mut StdRng, len: std::ops::Range<usize>| -> String {
        let len = rng.random_range(len);
        let s: Vec<&str> = (0..len)
            .map(|_| *words.choose(rng).unwrap_or(&"tin"))
            .collect();
        let mut text = s.join(" ");
        if let Some(c) = text.chars().next() {
            text = c.to_uppercase().collect::<String>() + &text[c.len_utf8()..];
        }
        text
    };
    const BATCH: usize = 500;
    let mut done = 0;
    while done < n {
        let size = BATCH.min(n - done);
        crate::storage::write(conn, |conn| {
            let mut rows = Vec::with_capacity(size);
            for i in done..done + size {
                let kind = match rng.random_range(0..20) {
                    0 => EntryKind::Bulletin,
                    1 => EntryKind::Leaflet,
                    _ => EntryKind::Article,
                };
                let paragraphs: Vec<String> = (0..rng.random_range(2..4))
                    .map(|_| format!("{}.", sentence(&mut rng, 40..70)))
                    .collect();
                let body_md = paragraphs.join("\n\n");
                let at = start + Duration::minutes(rng.random_range(0..span_minutes));
                rows.push(EntryData {
                    kind,
                    slug: format!("tin-{i}"),
                    title: sentence(&mut rng, 8..14),
                    summary: format!("{}.", sentence(&mut rng, 20..35)),
                    // Rendered, with its links, by the save path below.
                    body_html: String::new(),
                    body_md,
                    byline: ["Phương Uyên", "Văn phòng Sở", "Minh Châu", "Thu Hà"][i % 4].into(),
                    category_id: cats.choose(&mut rng).copied(),
                    image_path: None,
                    image_alt: String::new(),
                    image_caption: String::new(),
                    image_width: None,
                    image_height: None,
                    comments_open: true,
                    featured: rng.random_range(0..50) == 0,
                    status: Status::Published,
                    publish_at: Some(at),
                    bulletin_series: None,
                    bulletin_number: None,
                    bulletin_year: None,
                    leaflet_format: None,
                });
            }
            let values = rows
                .iter()
                .map(|r| {
                    (
                        r.clone(),
                        entries::created_at.eq(r.publish_at.unwrap_or(start)),
                        entries::updated_at.eq(r.publish_at.unwrap_or(start)),
                        entries::public_at
                            .eq(crate::storage::entries::public_at(r.status, r.publish_at)),
                    )
                })
                .collect::<Vec<_>>();
            let ids: Vec<i32> = each_backend!(conn, |c| diesel::insert_into(entries::table)
                .values(values)
                .returning(entries::id)
                .get_results(c))?;
            let links: Vec<_> = ids
                .iter()
                .flat_map(|id| {
                    let mut chosen: Vec<i32> =
                        tag_ids.choose_multiple(&mut rng, 2).copied().collect();
                    chosen.dedup();
                    chosen
                        .into_iter()
                        .map(move |t| (entry_tags::entry_id.eq(*id), entry_tags::tag_id.eq(t)))
                })
                .collect();
            each_backend!(conn, |c| diesel::insert_into(entry_tags::table)
                .values(&links)
                .execute(c))?;
            // A quarter of the entries have one to five approved comments.
            let mut talk = Vec::new();
            for (id, row) in ids.iter().zip(&rows) {
                if rng.random_range(0..4) != 0 {
                    continue;
                }
                for k in 0..rng.random_range(1..6) {
                    let content = format!("{}?", sentence(&mut rng, 10..30));
                    let at = row.publish_at.unwrap_or(start) + Duration::hours(k + 1);
                    talk.push((
                        comments::entry_id.eq(*id),
                        comments::author_name
                            .eq(["Nguyễn Văn An", "Trần Thị Bình", "Lê Minh"][k as usize % 3]),
                        // Many commenters, as on a real site, each with a
                        // few comments: 20,000 addresses, picked from the
                        // entry and the comment's place without drawing
                        // from `rng` (the text stays what it was).
                        comments::author_email.eq(format!(
                            "ban-doc-{}@example.vn",
                            (i64::from(*id) * 7919 + k * 104_729) % 20_000
                        )),
                        comments::content_html
                            .eq(crate::render::comment_text::to_html(&content).into_string()),
                        comments::content.eq(content),
                        comments::status.eq("approved"),
                        comments::created_at.eq(at),
                    ));
                }
            }
            each_backend!(conn, |c| diesel::insert_into(comments::table)
                .values(&talk)
                .execute(c))?;
            for id in ids {
                crate::service::entries::rerender(conn, id)?;
            }
            QueryResult::Ok(())
        })?;
        done += size;
        progress(done);
    }
    crate::service::search::mark_current(conn)
}

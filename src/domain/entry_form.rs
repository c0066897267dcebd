//! What the entry editor sends, checked: the rules of an entry's fields,
//! free of I/O. What only the database knows (whether a slug is taken, a
//! category or image exists, which entry a slug names) is asked through
//! [`Lookup`]; the web layer answers it from storage.

use chrono::{NaiveDateTime, TimeZone};

use super::entry::{EntryKind, LeafletFormat, Status};
use super::slug;

/// A problem with one field: its name and a message key.
pub type Problem = (&'static str, &'static str);

/// Longest title, in characters.
pub const TITLE_MAX: usize = 300;
/// Longest summary (sapo), in characters.
pub const SUMMARY_MAX: usize = 1000;
/// Bulletin years accepted.
pub const YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;

/// The editor's fields as typed.
#[derive(Debug, Clone, Copy, Default)]
pub struct Form<'a> {
    pub title: &'a str,
    pub slug: &'a str,
    pub summary: &'a str,
    pub category_id: &'a str,
    pub publish_at: &'a str,
    /// The featured image's library path, or empty.
    pub image_media: &'a str,
    pub image_alt: &'a str,
    pub image_caption: &'a str,
    pub bulletin_series: &'a str,
    pub bulletin_number: &'a str,
    pub bulletin_year: &'a str,
    /// The slugs of a bulletin's entries, in order.
    pub item_slugs: &'a [String],
    pub leaflet_format: &'a str,
    /// Whether the body shows a library image without alt text (the
    /// renderer tells).
    pub body_image_without_alt: bool,
}

/// A library image as the editor may choose it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Image {
    pub path: String,
    pub width: i32,
    pub height: i32,
    pub alt: String,
    pub caption: String,
}

/// What the checks ask of the database.
pub trait Lookup {
    type Error;
    /// Whether another entry than the one edited has `slug`.
    fn slug_taken(&mut self, slug: &str) -> Result<bool, Self::Error>;
    fn category_exists(&mut self, id: i32) -> Result<bool, Self::Error>;
    /// The id of the entry with `slug`.
    fn entry_id(&mut self, slug: &str) -> Result<Option<i32>, Self::Error>;
    fn image(&mut self, path: &str) -> Result<Option<Image>, Self::Error>;
}

/// The entry being edited, as far as the checks need it.
#[derive(Debug, Clone, Copy)]
pub struct Editing<'a> {
    pub id: i32,
    /// Its featured image now: path, width, height.
    pub image: (Option<&'a str>, Option<i32>, Option<i32>),
}

/// The checked fields, ready to save.
#[derive(Debug, Clone, PartialEq)]
pub struct Checked {
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub category_id: Option<i32>,
    pub publish_at: Option<NaiveDateTime>,
    pub image_path: Option<String>,
    pub image_width: Option<i32>,
    pub image_height: Option<i32>,
    pub image_alt: String,
    pub image_caption: String,
    pub bulletin_series: Option<String>,
    pub bulletin_number: Option<i32>,
    pub bulletin_year: Option<i32>,
    /// A bulletin's entries, by id, in order.
    pub items: Vec<i32>,
    pub leaflet_format: Option<String>,
}

/// Checks an entry of `kind` moving to `status` (`editing` it, or a new
/// one). A published or scheduled entry without a time gets `now`. Every
/// problem is reported, each at its field.
pub fn check<L: Lookup>(
    form: &Form<'_>,
    kind: EntryKind,
    editing: Option<Editing<'_>>,
    status: Status,
    tz: chrono_tz::Tz,
    now: NaiveDateTime,
    db: &mut L,
) -> Result<Result<Checked, Vec<Problem>>, L::Error> {
    let mut problems: Vec<Problem> = Vec::new();
    let title = form.title.trim();
    if title.is_empty() {
        problems.push(("title", "entry_title_required"));
    } else if title.chars().count() > TITLE_MAX {
        problems.push(("title", "entry_title_too_long"));
    }
    let slug = if form.slug.trim().is_empty() {
        let base = slug::slugify_or(title, kind.as_str());
        let mut failed = None;
        let s = slug::unique(&base, |s| match db.slug_taken(s) {
            Ok(taken) => taken,
            Err(e) => {
                // Stop looking: the error is reported below.
                failed.get_or_insert(e);
                false
            }
        });
        if let Some(e) = failed {
            return Err(e);
        }
        s
    } else {
        let s = form.slug.trim().to_owned();
        if !slug::is_valid(&s) {
            problems.push(("slug", "entry_slug_invalid"));
        } else if db.slug_taken(&s)? {
            problems.push(("slug", "entry_slug_taken"));
        }
        s
    };
    if form.summary.chars().count() > SUMMARY_MAX {
        problems.push(("summary", "entry_summary_too_long"));
    }
    let category_id = match form.category_id.trim() {
        "" => None,
        c => match c.parse::<i32>() {
            Ok(id) if db.category_exists(id)? => Some(id),
            _ => {
                problems.push(("category_id", "entry_category_unknown"));
                None
            }
        },
    };
    let mut publish_at = match form.publish_at.trim() {
        "" => None,
        s => match parse_local(s, tz) {
            Some(t) => Some(t),
            None => {
                problems.push(("publish_at", "entry_date_invalid"));
                None
            }
        },
    };
    if matches!(status, Status::Published | Status::Scheduled) && publish_at.is_none() {
        publish_at = Some(now);
    }
    let (mut series, mut number, mut year, mut items) = (None, None, None, Vec::new());
    if kind == EntryKind::Bulletin {
        if form.bulletin_series.trim().is_empty() {
            problems.push(("bulletin_series", "bulletin_series_required"));
        }
        series = Some(form.bulletin_series.trim().to_owned());
        match form.bulletin_number.trim().parse::<i32>() {
            Ok(n) if n >= 1 => number = Some(n),
            _ => problems.push(("bulletin_number", "bulletin_number_invalid")),
        }
        match form.bulletin_year.trim().parse::<i32>() {
            Ok(y) if YEARS.contains(&y) => year = Some(y),
            _ => problems.push(("bulletin_year", "bulletin_year_invalid")),
        }
        for s in form.item_slugs {
            match db.entry_id(s)? {
                // Listed twice: once is enough.
                Some(id) if items.contains(&id) => {}
                Some(id) if Some(id) != editing.map(|e| e.id) => items.push(id),
                _ => {
                    problems.push(("bulletin_entries", "bulletin_entry_unknown"));
                    break;
                }
            }
        }
    }
    let leaflet_format = if kind == EntryKind::Leaflet {
        match form.leaflet_format.parse::<LeafletFormat>() {
            Ok(f) => Some(f.as_str().to_owned()),
            Err(_) => {
                problems.push(("leaflet_format", "leaflet_format_invalid"));
                None
            }
        }
    } else {
        None
    };
    // The featured image: kept as it was, or one from the library (whose
    // alt text and caption fill the entry's when those are empty).
    let mut image_alt = form.image_alt.trim().to_owned();
    let mut image_caption = form.image_caption.trim().to_owned();
    let chosen = form.image_media.trim();
    let (image_path, image_width, image_height) = match editing.map(|e| e.image) {
        _ if chosen.is_empty() => (None, None, None),
        Some((Some(path), w, h)) if path == chosen => (Some(path.to_owned()), w, h),
        _ => match db.image(chosen)? {
            Some(m) => {
                if image_alt.is_empty() {
                    image_alt = m.alt;
                }
                if image_caption.is_empty() {
                    image_caption = m.caption;
                }
                (Some(m.path), Some(m.width), Some(m.height))
            }
            None => {
                problems.push(("image_media", "media_unknown"));
                (None, None, None)
            }
        },
    };
    if image_path.is_some() && image_alt.is_empty() {
        problems.push(("image_alt", "media_alt_required"));
    }
    if form.body_image_without_alt {
        problems.push(("body_md", "media_body_alt_required"));
    }
    if !problems.is_empty() {
        return Ok(Err(problems));
    }
    Ok(Ok(Checked {
        slug,
        title: title.to_owned(),
        summary: form.summary.trim().to_owned(),
        category_id,
        publish_at,
        image_path,
        image_width,
        image_height,
        image_alt,
        image_caption,
        bulletin_series: series,
        bulletin_number: number,
        bulletin_year: year,
        items,
        leaflet_format,
    }))
}

/// Parses a publish time typed in the site's zone to UTC: as browsers send a
/// `datetime-local` field (`2026-11-27T10:00`), or as a person types it
/// where the browser shows a plain text box: `27/11/2026 10:00` (the
/// Vietnamese order the error message asks for), `27-11-2026 10:00`,
/// `2026-11-27 10:00`, seconds optional.
pub fn parse_local(s: &str, tz: chrono_tz::Tz) -> Option<NaiveDateTime> {
    const FORMATS: [&str; 8] = [
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%d/%m/%Y %H:%M",
        "%d/%m/%Y %H:%M:%S",
        "%d-%m-%Y %H:%M",
        "%d-%m-%Y %H:%M:%S",
    ];
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    let local = FORMATS
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(&s, f).ok())?;
    tz.from_local_datetime(&local)
        .earliest()
        .map(|t| t.naive_utc())
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::convert::Infallible;

    use super::*;

    /// A database of a few rows.
    #[derive(Default)]
    struct Fake {
        slugs: HashMap<String, i32>,
        categories: Vec<i32>,
        images: Vec<Image>,
    }

    impl Lookup for Fake {
        type Error = Infallible;
        fn slug_taken(&mut self, slug: &str) -> Result<bool, Infallible> {
            Ok(self.slugs.contains_key(slug))
        }
        fn category_exists(&mut self, id: i32) -> Result<bool, Infallible> {
            Ok(self.categories.contains(&id))
        }
        fn entry_id(&mut self, slug: &str) -> Result<Option<i32>, Infallible> {
            Ok(self.slugs.get(slug).copied())
        }
        fn image(&mut self, path: &str) -> Result<Option<Image>, Infallible> {
            Ok(self.images.iter().find(|i| i.path == path).cloned())
        }
    }

    const TZ: chrono_tz::Tz = chrono_tz::Asia::Ho_Chi_Minh;

    fn now() -> NaiveDateTime {
        NaiveDateTime::parse_from_str("2026-12-02 03:00", "%Y-%m-%d %H:%M").unwrap()
    }

    fn run(form: Form<'_>, kind: EntryKind, db: &mut Fake) -> Result<Checked, Vec<Problem>> {
        let Ok(r) = check(&form, kind, None, Status::Draft, TZ, now(), db);
        r
    }

    #[test]
    fn a_title_is_all_an_article_needs_and_gives_its_slug() {
        let mut db = Fake::default();
        db.slugs.insert("cai-cach-hanh-chinh".into(), 1);
        let form = Form {
            title: " Cải cách hành chính ",
            ..Form::default()
        };
        let c = run(form, EntryKind::Article, &mut db).unwrap();
        assert_eq!(c.title, "Cải cách hành chính");
        assert_eq!(c.slug, "cai-cach-hanh-chinh-2");
        assert_eq!(c.publish_at, None);
    }

    #[test]
    fn every_problem_is_reported_at_its_field() {
        let mut db = Fake::default();
        db.slugs.insert("da-co".into(), 7);
        let long = "x".repeat(TITLE_MAX + 1);
        let summary = "y".repeat(SUMMARY_MAX + 1);
        let form = Form {
            title: &long,
            slug: "da-co",
            summary: &summary,
            category_id: "9",
            publish_at: "mai",
            image_media: "2026/11/none.jpg",
            body_image_without_alt: true,
            ..Form::default()
        };
        let problems = run(form, EntryKind::Article, &mut db).unwrap_err();
        assert_eq!(
            problems,
            [
                ("title", "entry_title_too_long"),
                ("slug", "entry_slug_taken"),
                ("summary", "entry_summary_too_long"),
                ("category_id", "entry_category_unknown"),
                ("publish_at", "entry_date_invalid"),
                ("image_media", "media_unknown"),
                ("body_md", "media_body_alt_required"),
            ]
        );
        let bad = Form {
            slug: "Có Dấu",
            ..Form::default()
        };
        let problems = run(bad, EntryKind::Article, &mut db).unwrap_err();
        assert!(problems.contains(&("title", "entry_title_required")));
        assert!(problems.contains(&("slug", "entry_slug_invalid")));
    }

    #[test]
    fn a_bulletin_needs_its_series_number_year_and_known_entries() {
        let mut db = Fake::default();
        db.slugs.insert("bai-mot".into(), 3);
        let items = vec!["bai-mot".to_owned(), "khong-co".to_owned()];
        let form = Form {
            title: "Bản tin số 12",
            bulletin_number: "0",
            bulletin_year: "1999",
            item_slugs: &items,
            ..Form::default()
        };
        let problems = run(form, EntryKind::Bulletin, &mut db).unwrap_err();
        assert_eq!(
            problems,
            [
                ("bulletin_series", "bulletin_series_required"),
                ("bulletin_number", "bulletin_number_invalid"),
                ("bulletin_year", "bulletin_year_invalid"),
                ("bulletin_entries", "bulletin_entry_unknown"),
            ]
        );
        let items = vec!["bai-mot".to_owned(), "bai-mot".to_owned()];
        let form = Form {
            title: "Bản tin số 12",
            bulletin_series: "Bản tin văn hóa",
            bulletin_number: "12",
            bulletin_year: "2026",
            item_slugs: &items,
            ..Form::default()
        };
        let c = run(form, EntryKind::Bulletin, &mut db).unwrap();
        assert_eq!((c.bulletin_number, c.bulletin_year), (Some(12), Some(2026)));
        assert_eq!(c.items, [3]);
    }

    #[test]
    fn a_library_image_lends_its_words_and_a_published_entry_its_time() {
        let mut db = Fake::default();
        db.images.push(Image {
            path: "2026/11/0123456789abcdef01234567.jpg".into(),
            width: 1200,
            height: 800,
            alt: "Hội nghị".into(),
            caption: "Ảnh: Sở".into(),
        });
        let form = Form {
            title: "Tin",
            image_media: "2026/11/0123456789abcdef01234567.jpg",
            ..Form::default()
        };
        let Ok(r) = check(
            &form,
            EntryKind::Article,
            None,
            Status::Published,
            TZ,
            now(),
            &mut db,
        );
        let c = r.unwrap();
        assert_eq!(
            (c.image_alt.as_str(), c.image_width),
            ("Hội nghị", Some(1200))
        );
        assert_eq!(c.publish_at, Some(now()));
        let form = Form {
            title: "Tin",
            leaflet_format: "a5",
            ..Form::default()
        };
        let problems = run(form, EntryKind::Leaflet, &mut db).unwrap_err();
        assert_eq!(problems, [("leaflet_format", "leaflet_format_invalid")]);
    }

    #[test]
    fn publish_times_are_read_as_browsers_send_them_and_as_people_type_them() {
        let tz = chrono_tz::Asia::Ho_Chi_Minh;
        let utc = |s| chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
        for typed in [
            "2026-11-27T10:00",
            "2026-11-27T10:00:00",
            "2026-11-27 10:00",
            "27/11/2026 10:00",
            " 27/11/2026   10:00 ",
            "27-11-2026 10:00:00",
        ] {
            assert_eq!(
                parse_local(typed, tz),
                Some(utc("2026-11-27 03:00")),
                "{typed}"
            );
        }
        assert_eq!(
            parse_local("1/12/2026 8:05", tz),
            Some(utc("2026-12-01 01:05"))
        );
        for bad in ["", "27/11/2026", "31/02/2026 10:00", "10:00", "ngày mai"] {
            assert_eq!(parse_local(bad, tz), None, "{bad}");
        }
    }
}

//! One content file: TOML front matter between `+++` lines, then Markdown.

use chrono::{NaiveDateTime, TimeZone};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::domain::entry::{EntryKind, LeafletFormat, Status};

/// The front matter keys (documented in `content/README.md`).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FrontMatter {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<EntryKind>,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slug: Option<String>,
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub byline: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default = "draft")]
    pub status: Status,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published_at: Option<toml::value::Datetime>,
    /// When the content last changed, if after `published_at`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<toml::value::Datetime>,
    #[serde(default = "yes")]
    pub comments_open: bool,
    #[serde(default)]
    pub featured: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<ImageMeta>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bulletin: Option<BulletinMeta>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leaflet: Option<LeafletMeta>,
}

fn draft() -> Status {
    Status::Draft
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ImageMeta {
    /// Path of the image file, relative to the Markdown file.
    pub src: String,
    #[serde(default)]
    pub alt: String,
    #[serde(default)]
    pub caption: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct BulletinMeta {
    pub series: String,
    pub number: i32,
    pub year: i32,
    /// Slugs of the entries the issue gathers, in order.
    #[serde(default)]
    pub entries: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LeafletMeta {
    pub format: LeafletFormat,
}

/// A parsed content file.
#[derive(Debug, Clone, PartialEq)]
pub struct ContentFile {
    pub front: FrontMatter,
    pub body: String,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ParseError {
    #[error("the file must start with a line `+++`, then TOML front matter, then `+++`")]
    NoFrontMatter,
    #[error("front matter: {0}")]
    Toml(String),
    #[error("published_at: {0}")]
    Date(String),
}

/// Splits and parses a content file.
pub fn parse(text: &str) -> Result<ContentFile, ParseError> {
    let (front, body) = split(text)?;
    let front: FrontMatter =
        toml::from_str(front).map_err(|e| ParseError::Toml(e.message().to_owned()))?;
    Ok(ContentFile { front, body })
}

/// A content file's front matter (the TOML between the `+++` lines) and
/// its body, without its surrounding blank lines.
pub fn split(text: &str) -> Result<(&str, String), ParseError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let rest = text
        .strip_prefix("+++\n")
        .or_else(|| text.strip_prefix("+++\r\n"))
        .ok_or(ParseError::NoFrontMatter)?;
    let end = rest
        .find("\n+++\n")
        .map(|i| (i, i + 5))
        .or_else(|| rest.find("\n+++\r\n").map(|i| (i, i + 6)))
        .or_else(|| rest.strip_suffix("\n+++").map(|r| (r.len(), rest.len())))
        .ok_or(ParseError::NoFrontMatter)?;
    let body = rest[end.1..]
        .replace("\r\n", "\n")
        .trim_matches('\n')
        .to_owned();
    Ok((&rest[..end.0], body))
}

/// Writes a content file back out.
pub fn render(file: &ContentFile) -> Result<String, toml::ser::Error> {
    let front = toml::to_string(&file.front)?;
    Ok(format!("+++\n{front}+++\n\n{}\n", file.body))
}

/// A front-matter date as UTC: an offset date-time as given; a local
/// date-time or a bare date in the site's zone.
pub fn to_utc(dt: &toml::value::Datetime, tz: Tz) -> Result<NaiveDateTime, ParseError> {
    let bad = || ParseError::Date(dt.to_string());
    let date = dt.date.ok_or_else(bad)?;
    let naive_date =
        chrono::NaiveDate::from_ymd_opt(date.year.into(), date.month.into(), date.day.into())
            .ok_or_else(bad)?;
    let time = dt
        .time
        .map(|t| chrono::NaiveTime::from_hms_opt(t.hour.into(), t.minute.into(), t.second.into()))
        .unwrap_or(chrono::NaiveTime::from_hms_opt(0, 0, 0))
        .ok_or_else(bad)?;
    let local = naive_date.and_time(time);
    match dt.offset {
        Some(toml::value::Offset::Z) => Ok(local),
        Some(toml::value::Offset::Custom { minutes }) => {
            Ok(local - chrono::Duration::minutes(minutes.into()))
        }
        None => tz
            .from_local_datetime(&local)
            .earliest()
            .map(|t| t.naive_utc())
            .ok_or_else(bad),
    }
}

/// A UTC time as a front-matter date in the site's zone, with its offset.
pub fn from_utc(utc: NaiveDateTime, tz: Tz) -> toml::value::Datetime {
    let local = tz.from_utc_datetime(&utc);
    let text = local.to_rfc3339_opts(chrono::SecondsFormat::Secs, false);
    text.parse().unwrap_or(toml::value::Datetime {
        date: None,
        time: None,
        offset: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "+++\ntitle = \"Tờ gấp\"\nstatus = \"published\"\npublished_at = 2022-04-05T10:00:00+07:00\n\n[leaflet]\nformat = \"trifold\"\n+++\n\n## Một\n\nNội dung.\n";

    #[test]
    fn parses_front_matter_and_body() {
        let f = parse(SAMPLE).unwrap();
        assert_eq!(f.front.title, "Tờ gấp");
        assert_eq!(f.front.status, Status::Published);
        assert!(f.front.comments_open);
        assert_eq!(
            f.front.leaflet.as_ref().unwrap().format,
            LeafletFormat::Trifold
        );
        assert_eq!(f.body, "## Một\n\nNội dung.");
    }

    #[test]
    fn dates_convert_to_utc_and_back() {
        let tz = chrono_tz::Asia::Ho_Chi_Minh;
        let f = parse(SAMPLE).unwrap();
        let utc = to_utc(f.front.published_at.as_ref().unwrap(), tz).unwrap();
        assert_eq!(utc.to_string(), "2022-04-05 03:00:00");
        let back = from_utc(utc, tz);
        assert_eq!(back.to_string(), "2022-04-05T10:00:00+07:00");
        let local: toml::value::Datetime = "2022-04-05T10:00:00".parse().unwrap();
        assert_eq!(to_utc(&local, tz).unwrap(), utc);
    }

    #[test]
    fn render_round_trips() {
        let f = parse(SAMPLE).unwrap();
        assert_eq!(parse(&render(&f).unwrap()).unwrap(), f);
    }

    #[test]
    fn refuses_files_without_front_matter_or_with_unknown_keys() {
        assert_eq!(parse("# Tiêu đề"), Err(ParseError::NoFrontMatter));
        assert!(matches!(
            parse("+++\ntitle = \"x\"\ncolour = 1\n+++\n"),
            Err(ParseError::Toml(_))
        ));
    }
}

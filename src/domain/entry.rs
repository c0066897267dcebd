//! Entry kinds, editorial states and the rule for what readers may see.

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

/// The three kinds of entry; each has its own URL prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    Article,
    Bulletin,
    Leaflet,
}

impl EntryKind {
    pub const ALL: [EntryKind; 3] = [Self::Article, Self::Bulletin, Self::Leaflet];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Article => "article",
            Self::Bulletin => "bulletin",
            Self::Leaflet => "leaflet",
        }
    }

    /// First path segment of this kind's public URLs (`/articles/...`).
    pub fn path_segment(self) -> &'static str {
        match self {
            Self::Article => "articles",
            Self::Bulletin => "bulletins",
            Self::Leaflet => "leaflets",
        }
    }

    pub fn from_path_segment(segment: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.path_segment() == segment)
    }

    /// Public path of an entry of this kind.
    pub fn entry_path(self, slug: &str) -> String {
        format!("/{}/{}", self.path_segment(), slug)
    }
}

impl fmt::Display for EntryKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for EntryKind {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| UnknownValue(s.to_owned()))
    }
}

/// Editorial state: `draft` → `in_review` → `scheduled` | `published` → `archived`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Draft,
    InReview,
    Scheduled,
    Published,
    Archived,
}

impl Status {
    pub const ALL: [Status; 5] = [
        Self::Draft,
        Self::InReview,
        Self::Scheduled,
        Self::Published,
        Self::Archived,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::InReview => "in_review",
            Self::Scheduled => "scheduled",
            Self::Published => "published",
            Self::Archived => "archived",
        }
    }
}

impl FromStr for Status {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| UnknownValue(s.to_owned()))
    }
}

/// A stored string that names no known variant.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown value {0:?}")]
pub struct UnknownValue(pub String);

/// How a leaflet is laid out for print.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LeafletFormat {
    /// One A4 page.
    A4,
    /// Two A4 pages, front and back.
    A4Duplex,
    /// One A4 sheet folded in three: six panels.
    Trifold,
}

impl LeafletFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::A4 => "a4",
            Self::A4Duplex => "a4-duplex",
            Self::Trifold => "trifold",
        }
    }
}

impl FromStr for LeafletFormat {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [Self::A4, Self::A4Duplex, Self::Trifold]
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| UnknownValue(s.to_owned()))
    }
}

/// Whether readers may see an entry in `status` published at `publish_at`.
///
/// The one rule of visibility: published or scheduled, and its time has
/// come — so a scheduled entry goes public at its time with nobody acting.
/// The storage layer applies the same predicate in SQL
/// (`storage::entries::public!`).
pub fn is_public(status: Status, publish_at: Option<NaiveDateTime>, now: NaiveDateTime) -> bool {
    matches!(status, Status::Published | Status::Scheduled) && publish_at.is_some_and(|t| t <= now)
}

/// The state readers would see: a scheduled entry whose time has come is,
/// in effect, published.
pub fn effective_status(
    status: Status,
    publish_at: Option<NaiveDateTime>,
    now: NaiveDateTime,
) -> Status {
    match status {
        Status::Scheduled if publish_at.is_some_and(|t| t <= now) => Status::Published,
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn at(h: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2022, 4, 5)
            .unwrap()
            .and_hms_opt(h, 0, 0)
            .unwrap()
    }

    #[test]
    fn only_published_entries_whose_time_has_come_are_public() {
        assert!(is_public(Status::Published, Some(at(9)), at(10)));
        assert!(is_public(Status::Published, Some(at(10)), at(10)));
        assert!(!is_public(Status::Published, Some(at(11)), at(10)));
        assert!(!is_public(Status::Published, None, at(10)));
        assert!(
            is_public(Status::Scheduled, Some(at(10)), at(10)),
            "scheduled, time come"
        );
        assert!(!is_public(Status::Scheduled, Some(at(11)), at(10)));
        for s in [Status::Draft, Status::InReview, Status::Archived] {
            assert!(!is_public(s, Some(at(9)), at(10)), "{s:?}");
        }
    }

    #[test]
    fn kinds_round_trip_through_strings_and_paths() {
        for k in EntryKind::ALL {
            assert_eq!(k.as_str().parse::<EntryKind>(), Ok(k));
            assert_eq!(EntryKind::from_path_segment(k.path_segment()), Some(k));
        }
        assert_eq!(EntryKind::Article.entry_path("a-b"), "/articles/a-b");
        assert!("page".parse::<EntryKind>().is_err());
    }
}

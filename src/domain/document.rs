//! Official documents in the registry (Decree 42/2022/NĐ-CP asks portals
//! to publish them): their legal status, and the rules for a record.

use std::str::FromStr;
use std::sync::LazyLock;

use chrono::NaiveDate;
use regex::Regex;
use serde::{Deserialize, Serialize};

use super::entry::UnknownValue;
use super::slug;

/// A number and symbol: digits, an optional `/year`, then a symbol of
/// capitals, digits and hyphens (`171/KH-SVHTT`, `42/2022/NĐ-CP`,
/// `01/2024/TT-BVHTTDL`). Standing alone: see [`number_matches`].
static NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\d{1,6}(?:/\d{4})?/[A-ZĐ][A-ZĐ0-9]*(?:-[A-ZĐ0-9]+)*").expect("valid regex")
});

/// The document numbers in `text`, each standing alone (no letter or digit
/// right before or after it: `171/KH-SVHTT` but not `x171/KH` or
/// `171/KHx`).
///
/// The pattern has no `\b`: a Unicode word boundary makes the regex crate
/// leave its fast automaton for a backtracker on any non-ASCII text, which
/// Vietnamese always is (a quarter of an uncached entry page's time went
/// there when numbers were linked per request). The neighbours are checked
/// here instead, on the few candidates the pattern finds.
pub fn number_matches(text: &str) -> impl Iterator<Item = regex::Match<'_>> {
    let word = |c: char| c.is_alphanumeric() || c == '_';
    NUMBER.find_iter(text).filter(move |m| {
        !text[..m.start()].chars().next_back().is_some_and(word)
            && !text[m.end()..].chars().next().is_some_and(word)
    })
}

/// The document numbers written in `text` (plain text or HTML), in order
/// of first appearance, each once.
pub fn numbers_in(text: &str) -> Vec<String> {
    let mut seen = Vec::new();
    for m in number_matches(text) {
        if !seen.iter().any(|s: &String| s == m.as_str()) {
            seen.push(m.as_str().to_owned());
        }
    }
    seen
}

/// Whether a document still applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocStatus {
    InForce,
    Amended,
    Replaced,
    Expired,
}

impl DocStatus {
    pub const ALL: [DocStatus; 4] = [
        DocStatus::InForce,
        DocStatus::Amended,
        DocStatus::Replaced,
        DocStatus::Expired,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::InForce => "in_force",
            Self::Amended => "amended",
            Self::Replaced => "replaced",
            Self::Expired => "expired",
        }
    }
}

impl FromStr for DocStatus {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| UnknownValue(s.to_owned()))
    }
}

/// The address of a document's record: its type, number and year
/// (`ke-hoach-171-kh-svhtt-2022`). Numbers start again every year, so the
/// year keeps two documents with the same number apart.
pub fn slug_for(doc_type: &str, number: &str, issued_on: NaiveDate) -> String {
    use chrono::Datelike;
    slug::slugify_or(
        &format!("{doc_type} {number} {}", issued_on.year()),
        "van-ban",
    )
}

/// What an editor typed for a document, before it is checked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DocumentInput {
    #[serde(alias = "type")]
    pub doc_type: String,
    pub number: String,
    pub issuer: String,
    pub issued_on: String,
    pub effective_on: String,
    pub status: String,
    #[serde(alias = "abstract")]
    pub abstract_text: String,
    #[serde(alias = "file")]
    pub file_path: String,
}

/// A checked document, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidDocument {
    pub doc_type: String,
    pub number: String,
    pub issuer: String,
    pub issued_on: NaiveDate,
    pub effective_on: Option<NaiveDate>,
    pub status: DocStatus,
    pub abstract_text: String,
    pub file_path: Option<String>,
}

/// How a date is typed in the document form (`29/3/2022`, `29/03/2022`),
/// and how the form shows a stored one: the form's data format, which
/// [`parse_date`] reads, not a display format (pages print dates in the
/// theme's format).
pub const TYPED_DATE: &str = "%d/%m/%Y";

/// `29/3/2022`, `29/03/2022` or `2022-03-29`.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(s, TYPED_DATE))
        .ok()
}

/// Checks a document; problems are (field, message key) pairs.
pub fn validate(input: &DocumentInput) -> Result<ValidDocument, Vec<(&'static str, &'static str)>> {
    let mut problems = Vec::new();
    let text = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let doc_type = text(&input.doc_type);
    if doc_type.is_empty() || doc_type.chars().count() > 100 {
        problems.push(("doc_type", "document_type_required"));
    }
    let number = input.number.trim().to_owned();
    let numbers = numbers_in(&number);
    if numbers.len() != 1 || numbers[0] != number {
        problems.push(("number", "document_number_invalid"));
    }
    let issuer = text(&input.issuer);
    if issuer.is_empty() || issuer.chars().count() > 200 {
        problems.push(("issuer", "document_issuer_required"));
    }
    let issued_on = parse_date(&input.issued_on);
    if issued_on.is_none() {
        problems.push(("issued_on", "document_date_invalid"));
    }
    let effective_on = if input.effective_on.trim().is_empty() {
        None
    } else {
        let d = parse_date(&input.effective_on);
        if d.is_none() {
            problems.push(("effective_on", "document_date_invalid"));
        }
        d
    };
    let status = input.status.parse::<DocStatus>().ok();
    if status.is_none() {
        problems.push(("status", "document_status_invalid"));
    }
    let abstract_text = input.abstract_text.trim().to_owned();
    if abstract_text.is_empty() || abstract_text.chars().count() > 2000 {
        problems.push(("abstract_text", "document_abstract_required"));
    }
    let file_path = input.file_path.trim();
    let file_ok = file_path.is_empty()
        || (!file_path.contains("..")
            && !file_path.starts_with('/')
            && file_path
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c)));
    if !file_ok {
        problems.push(("file_path", "document_file_invalid"));
    }
    match (issued_on, status) {
        (Some(issued_on), Some(status)) if problems.is_empty() => Ok(ValidDocument {
            doc_type,
            number,
            issuer,
            issued_on,
            effective_on,
            status,
            abstract_text,
            file_path: (!file_path.is_empty()).then(|| file_path.to_owned()),
        }),
        _ => Err(problems),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> DocumentInput {
        DocumentInput {
            doc_type: "Kế hoạch".into(),
            number: "171/KH-SVHTT".into(),
            issuer: "Sở Văn hóa và Thể thao Hà Nội".into(),
            issued_on: "29/3/2022".into(),
            status: "in_force".into(),
            abstract_text: "Cải cách hành chính năm 2022".into(),
            ..Default::default()
        }
    }

    #[test]
    fn numbers_stand_alone() {
        assert_eq!(
            numbers_in("Quyết định 123/QĐ, số171/KH-A, 171/KHx và x171/KH; (5/2024/TT-BVHTTDL)"),
            vec!["123/QĐ", "5/2024/TT-BVHTTDL"]
        );
        assert!(
            numbers_in("1234567/KH-SVHTT").is_empty(),
            "at most six digits"
        );
    }

    #[test]
    fn finds_numbers_of_several_shapes() {
        assert_eq!(
            numbers_in("Theo Kế hoạch số 171/KH-SVHTT và Nghị định 42/2022/NĐ-CP, 171/KH-SVHTT."),
            vec!["171/KH-SVHTT", "42/2022/NĐ-CP"]
        );
        assert!(numbers_in("ngày 29/3/2022, tỷ lệ 1/2, trang 3/Ab").is_empty());
    }

    #[test]
    fn a_plan_is_valid_and_gets_a_yearly_slug() {
        let d = validate(&input()).unwrap();
        assert_eq!(d.issued_on, NaiveDate::from_ymd_opt(2022, 3, 29).unwrap());
        assert_eq!(
            slug_for(&d.doc_type, &d.number, d.issued_on),
            "ke-hoach-171-kh-svhtt-2022"
        );
    }

    #[test]
    fn bad_fields_are_named() {
        let mut i = input();
        i.number = "KH 171".into();
        i.issued_on = "31/2/2022".into();
        i.status = "valid".into();
        i.file_path = "../secret".into();
        let fields: Vec<_> = validate(&i).unwrap_err().into_iter().map(|p| p.0).collect();
        assert_eq!(fields, vec!["number", "issued_on", "status", "file_path"]);
    }
}

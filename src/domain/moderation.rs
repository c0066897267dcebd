//! The rules that hold or refuse a comment, and what staff may not see of a
//! commenter when the comment is shown publicly. No I/O: the caller gives
//! the settings and the commenter's history.

use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Serialize};

use super::slug::fold;

/// The moderation settings (kept in the settings table, edited in the admin).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Rules {
    /// A commenter with an earlier approved comment (same name and email)
    /// is approved without waiting. Off by default: every comment is read.
    pub auto_approve_known: bool,
    /// Comments with this many links or more are held.
    pub max_links: usize,
    /// Words that hold a comment for moderation (one per line).
    pub hold_words: String,
    /// Words that refuse a comment outright (one per line).
    pub refuse_words: String,
    /// Comments close this many days after publishing (0: never).
    pub close_after_days: u32,
    /// Top-level comments per page of a long thread.
    pub per_page: u32,
    /// Seconds the form must have been shown before a post counts as a
    /// person's (faster posts are held and marked).
    pub min_seconds: i64,
    /// Posts one address may make per hour.
    pub per_hour: i64,
    /// Working days within which a comment should be handled.
    pub deadline_days: u32,
    /// Days a commenter's address is kept (0: forever).
    pub keep_ip_days: u32,
}

impl Default for Rules {
    fn default() -> Self {
        Self {
            auto_approve_known: false,
            max_links: 2,
            hold_words: String::new(),
            refuse_words: String::new(),
            close_after_days: 0,
            per_page: 50,
            min_seconds: 3,
            per_hour: 20,
            deadline_days: 2,
            keep_ip_days: 90,
        }
    }
}

/// A numeric setting and the values it may take (0 means "off" where it
/// is allowed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Range {
    pub name: &'static str,
    pub min: i64,
    pub max: i64,
}

impl Range {
    /// The number typed, when it is a whole number within the range
    /// (spaces around it ignored).
    pub fn check(&self, typed: &str) -> Option<i64> {
        typed
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|n| (self.min..=self.max).contains(n))
    }
}

/// The numeric settings, in the form's order, with their ranges.
pub const NUMBER_RANGES: [Range; 7] = [
    Range {
        name: "max_links",
        min: 0,
        max: 100,
    },
    Range {
        name: "min_seconds",
        min: 0,
        max: 600,
    },
    Range {
        name: "per_hour",
        min: 1,
        max: 10_000,
    },
    Range {
        name: "close_after_days",
        min: 0,
        max: 36500,
    },
    Range {
        name: "per_page",
        min: 1,
        max: 1000,
    },
    Range {
        name: "deadline_days",
        min: 1,
        max: 365,
    },
    Range {
        name: "keep_ip_days",
        min: 0,
        max: 36500,
    },
];

impl Rules {
    /// The rules as an admin typed them: `field(name)` is a field of the
    /// form, `None` when the form lacks it (an unticked box). A number out
    /// of its range is reported, never silently moved into range: the
    /// names of those come back (each set to its minimum meanwhile), and
    /// the rules are saved only when there are none.
    pub fn from_form<'a>(field: impl Fn(&str) -> Option<&'a str>) -> (Rules, Vec<&'static str>) {
        let mut errors = Vec::new();
        let mut number = |name: &'static str| -> i64 {
            let range = NUMBER_RANGES
                .iter()
                .find(|r| r.name == name)
                .copied()
                .unwrap_or(Range {
                    name,
                    min: 0,
                    max: 0,
                });
            match range.check(field(name).unwrap_or("")) {
                Some(n) => n,
                None => {
                    errors.push(name);
                    range.min
                }
            }
        };
        let max_links = number("max_links") as usize;
        let close_after_days = number("close_after_days") as u32;
        let per_page = number("per_page") as u32;
        let min_seconds = number("min_seconds");
        let per_hour = number("per_hour");
        let deadline_days = number("deadline_days") as u32;
        let keep_ip_days = number("keep_ip_days") as u32;
        let words = |name: &str| field(name).unwrap_or("").replace("\r\n", "\n");
        let rules = Rules {
            auto_approve_known: field("auto_approve_known").is_some(),
            max_links,
            hold_words: words("hold_words"),
            refuse_words: words("refuse_words"),
            close_after_days,
            per_page,
            min_seconds,
            per_hour,
            deadline_days,
            keep_ip_days,
        };
        (rules, errors)
    }

    /// Addresses of comments received before this are forgotten at `now`;
    /// `None` when addresses are kept forever (`keep_ip_days` 0).
    pub fn forget_addresses_before(
        &self,
        now: chrono::NaiveDateTime,
    ) -> Option<chrono::NaiveDateTime> {
        (self.keep_ip_days > 0).then(|| now - chrono::Duration::days(i64::from(self.keep_ip_days)))
    }
}

/// The same person posting again within this many seconds is asked to wait.
pub const REPEAT_SECONDS: i64 = 15;

/// Whether an entry takes comments now: open by hand, and not past the
/// automatic closing age.
pub fn accepts_comments(
    open: bool,
    published: Option<chrono::NaiveDateTime>,
    rules: &Rules,
    now: chrono::NaiveDateTime,
) -> bool {
    open && (rules.close_after_days == 0
        || published
            .is_none_or(|p| now - p < chrono::Duration::days(i64::from(rules.close_after_days))))
}

/// What the rules say about a comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Shown at once.
    Approve,
    /// Waits for a person; the reason is shown to moderators.
    Hold(String),
    /// Not accepted; the message key says why.
    Refuse(&'static str),
}

/// The fields the word lists are matched against.
pub struct Candidate<'a> {
    pub content: &'a str,
    pub name: &'a str,
    pub email: &'a str,
    pub url: &'a str,
    pub ip: &'a str,
}

/// The first word of `list` (one per line) found in any field, matched
/// as whole words (so `lon` does not catch *long*) and without regard to
/// case or Vietnamese diacritics (so `khieu nai` catches *khiếu nại*).
/// Accent-free matching also means `cac` catches *các*: list phrases
/// specific enough for that (see the README).
pub fn matching_word<'l>(list: &'l str, c: &Candidate) -> Option<&'l str> {
    let haystack = fold(&format!(
        "{}\n{}\n{}\n{}\n{}",
        c.content, c.name, c.email, c.url, c.ip
    ));
    let is_word = |ch: char| ch.is_alphanumeric();
    list.lines()
        .map(str::trim)
        .filter(|w| !w.is_empty())
        .find(|w| {
            let needle = fold(w);
            haystack.match_indices(&needle).any(|(at, m)| {
                let before = haystack[..at].chars().next_back();
                let after = haystack[at + m.len()..].chars().next();
                let starts =
                    needle.starts_with(|ch: char| !is_word(ch)) || !before.is_some_and(is_word);
                let ends = needle.ends_with(|ch: char| !is_word(ch)) || !after.is_some_and(is_word);
                starts && ends
            })
        })
}

/// How many web links a text holds.
pub fn count_links(text: &str) -> usize {
    static LINK: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?i)\b(?:https?://|www\.)\S+").expect("valid regex"));
    LINK.find_iter(text).count()
}

/// Applies the rules, in WordPress's order: refuse words, then the hold
/// rules, then whether the commenter is known.
pub fn judge(rules: &Rules, c: &Candidate, known: bool, too_fast: bool) -> Verdict {
    if matching_word(&rules.refuse_words, c).is_some() {
        return Verdict::Refuse("comment_refused_words");
    }
    if too_fast {
        return Verdict::Hold("too_fast".into());
    }
    let links = count_links(c.content);
    if rules.max_links > 0 && links >= rules.max_links {
        return Verdict::Hold(format!("links:{links}"));
    }
    if let Some(w) = matching_word(&rules.hold_words, c) {
        return Verdict::Hold(format!("hold_word:{w}"));
    }
    if !known {
        return Verdict::Hold("first_time".into());
    }
    if rules.auto_approve_known {
        Verdict::Approve
    } else {
        Verdict::Hold("moderation".into())
    }
}

/// The notes that stand in for masked personal data, in the reader's
/// language (the caller takes them from the theme's catalogue:
/// `mask_phone`, `mask_id_number`, `mask_email`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MaskNotes {
    pub phone: String,
    pub id_number: String,
    pub email: String,
}

/// The comment text as the public sees it: phone numbers, 9- and 12-digit
/// ID numbers and email addresses replaced by a note (the original is kept
/// for staff).
pub fn mask_personal(text: &str, notes: &MaskNotes) -> String {
    static EMAIL: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+").expect("valid regex"));
    // Vietnamese phone numbers: 0, +84, (+84) or 84, then 9 or 10 digits
    // (mobiles and landlines) in groups separated by spaces, dots or dashes.
    static PHONE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?:\(\+84\)\s?|\+84[\s.\-]?|\b84|\b0)\d{1,4}(?:[\s.\-]?\d{2,4}){1,4}\b")
            .expect("valid regex")
    });
    // Dates such as 05-03-2024 are not phone numbers.
    static DATE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\d{1,2}[\-/.]\d{1,2}[\-/.]\d{2,4}").expect("valid regex"));
    let phone = |caps: &regex::Captures| -> String {
        let m = &caps[0];
        let digits: String = m.chars().filter(char::is_ascii_digit).collect();
        let national = match digits.strip_prefix("84") {
            Some(rest) if !m.starts_with('0') => rest,
            _ => digits.strip_prefix('0').unwrap_or(&digits),
        };
        if (9..=10).contains(&national.len()) && !DATE.is_match(m) {
            notes.phone.clone()
        } else {
            m.to_owned()
        }
    };
    // ID card numbers: 9 (CMND) or 12 (CCCD) digits.
    static ID: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\b(?:\d{12}|\d{9})\b").expect("valid regex"));
    let t = EMAIL.replace_all(text, regex::NoExpand(&notes.email));
    let t = PHONE.replace_all(&t, phone);
    ID.replace_all(&t, regex::NoExpand(&notes.id_number))
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The notes of the default theme's catalogue.
    fn notes() -> MaskNotes {
        MaskNotes {
            phone: "[số điện thoại đã ẩn]".into(),
            id_number: "[số giấy tờ đã ẩn]".into(),
            email: "[email đã ẩn]".into(),
        }
    }

    fn cand(content: &str) -> Candidate<'_> {
        Candidate {
            content,
            name: "An",
            email: "an@example.vn",
            url: "",
            ip: "10.0.0.1",
        }
    }

    #[test]
    fn number_ranges_take_their_edges_and_refuse_beyond() {
        let deadline = NUMBER_RANGES
            .iter()
            .find(|r| r.name == "deadline_days")
            .unwrap();
        assert_eq!(deadline.check("1"), Some(1), "lowest");
        assert_eq!(
            deadline.check(" 365 "),
            Some(365),
            "highest, spaces ignored"
        );
        assert_eq!(deadline.check("10"), Some(10));
        assert_eq!(deadline.check("0"), None, "below");
        assert_eq!(deadline.check("366"), None, "above");
        assert_eq!(deadline.check("2.5"), None, "not whole");
        assert_eq!(deadline.check(""), None, "empty");
        let links = NUMBER_RANGES
            .iter()
            .find(|r| r.name == "max_links")
            .unwrap();
        assert_eq!(links.check("0"), Some(0), "0 turns the rule off");
        assert_eq!(links.check("-1"), None);
    }

    #[test]
    fn every_number_of_the_rules_has_a_range_that_holds_its_default() {
        let defaults = serde_json::to_value(Rules::default()).unwrap();
        for r in NUMBER_RANGES {
            let n = defaults[r.name]
                .as_i64()
                .unwrap_or_else(|| panic!("{}", r.name));
            assert!((r.min..=r.max).contains(&n), "{}", r.name);
        }
    }

    #[test]
    fn rules_from_a_form_keep_what_was_typed_and_name_what_is_out_of_range() {
        let form = |values: &'static [(&'static str, &'static str)]| {
            move |name: &str| values.iter().find(|(k, _)| *k == name).map(|(_, v)| *v)
        };
        let all: &[(&str, &str)] = &[
            ("max_links", "3"),
            ("min_seconds", "0"),
            ("per_hour", "10000"),
            ("close_after_days", "14"),
            ("per_page", "20"),
            ("deadline_days", "5"),
            ("keep_ip_days", "30"),
            ("hold_words", "a\r\nb"),
            ("auto_approve_known", "on"),
        ];
        let (rules, errors) = Rules::from_form(form(all));
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(
            (
                rules.max_links,
                rules.per_hour,
                rules.deadline_days,
                rules.keep_ip_days
            ),
            (3, 10_000, 5, 30)
        );
        assert_eq!(rules.hold_words, "a\nb");
        assert!(rules.auto_approve_known);
        let (rules, errors) = Rules::from_form(form(&[
            ("max_links", "101"),
            ("min_seconds", "0"),
            ("per_hour", "0"),
            ("close_after_days", "0"),
            ("per_page", "1"),
            ("deadline_days", "1"),
            ("keep_ip_days", "0"),
        ]));
        assert_eq!(errors, vec!["max_links", "per_hour"]);
        assert!(!rules.auto_approve_known, "an unticked box is off");
    }

    #[test]
    fn addresses_are_forgotten_after_the_days_set_or_never() {
        let now = chrono::NaiveDate::from_ymd_opt(2026, 12, 2)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap();
        let mut r = Rules {
            keep_ip_days: 30,
            ..Rules::default()
        };
        assert_eq!(
            r.forget_addresses_before(now),
            Some(now - chrono::Duration::days(30))
        );
        r.keep_ip_days = 0;
        assert_eq!(r.forget_addresses_before(now), None);
    }

    #[test]
    fn masking_notes_come_from_the_caller() {
        let en = MaskNotes {
            phone: "[phone hidden]".into(),
            id_number: "[ID hidden]".into(),
            email: "[email hidden $1]".into(),
        };
        assert_eq!(
            mask_personal("0912 345 678, 001203004567, a@b.vn", &en),
            "[phone hidden], [ID hidden], [email hidden $1]",
            "used as written, `$` included"
        );
    }

    #[test]
    fn words_match_with_or_without_accents_in_any_field() {
        let c = Candidate {
            content: "Mua thuốc giá rẻ",
            name: "Bán Hàng",
            email: "x@y.vn",
            url: "",
            ip: "1.2.3.4",
        };
        assert_eq!(matching_word("thuoc gia re", &c), Some("thuoc gia re"));
        assert_eq!(matching_word("BÁN HÀNG", &c), Some("BÁN HÀNG"));
        assert_eq!(matching_word("1.2.3.4", &c), Some("1.2.3.4"));
        assert_eq!(matching_word("casino\n\n", &c), None);
    }

    #[test]
    fn the_rules_in_order() {
        let mut r = Rules::default();
        assert_eq!(
            judge(&r, &cand("Xin chào"), false, false),
            Verdict::Hold("first_time".into())
        );
        assert_eq!(
            judge(&r, &cand("Xin chào"), true, false),
            Verdict::Hold("moderation".into())
        );
        r.auto_approve_known = true;
        assert_eq!(judge(&r, &cand("Xin chào"), true, false), Verdict::Approve);
        assert_eq!(
            judge(&r, &cand("a http://x.vn b https://y.vn"), true, false),
            Verdict::Hold("links:2".into())
        );
        assert_eq!(
            judge(&r, &cand("một http://x.vn"), true, false),
            Verdict::Approve
        );
        r.hold_words = "khiếu nại".into();
        assert_eq!(
            judge(&r, &cand("Tôi muốn khieu nai"), true, false),
            Verdict::Hold("hold_word:khiếu nại".into())
        );
        r.refuse_words = "lừa đảo".into();
        assert_eq!(
            judge(&r, &cand("trang LUA DAO"), true, false),
            Verdict::Refuse("comment_refused_words")
        );
        assert_eq!(
            judge(&r, &cand("Xin chào"), true, true),
            Verdict::Hold("too_fast".into())
        );
    }

    #[test]
    fn words_match_whole_words_only() {
        let c = cand("Một con đường dài, lương thấp");
        assert_eq!(matching_word("duong", &c), Some("duong"));
        assert_eq!(matching_word("uong", &c), None, "not inside a word");
        assert_eq!(matching_word("luong thap", &c), Some("luong thap"));
        assert_eq!(matching_word("con duong dai,", &c), Some("con duong dai,"));
    }

    #[test]
    fn landlines_international_forms_and_dates() {
        for phone in [
            "024 3825 1234",
            "028-3829-5555",
            "(+84) 912 345 678",
            "84912345678",
            "0912.345.678",
        ] {
            assert_eq!(
                mask_personal(&format!("gọi {phone} nhé"), &notes()),
                "gọi [số điện thoại đã ẩn] nhé",
                "{phone}"
            );
        }
        for plain in [
            "05-03-2024 08:30",
            "năm 2022",
            "100.000 đồng",
            "số 171/KH-SVHTT",
            "29/3/2022",
        ] {
            assert_eq!(mask_personal(plain, &notes()), plain, "{plain}");
        }
    }

    #[test]
    fn personal_numbers_and_addresses_are_masked() {
        let t = "Gọi 0912 345 678 hoặc +84 912.345.678, CCCD 001203004567, CMND 012345678, mail an.nguyen@example.vn. Năm 2022, 100%.";
        let m = mask_personal(t, &notes());
        assert!(
            !m.contains("345") && !m.contains("4567") && !m.contains("example"),
            "{m}"
        );
        assert!(
            m.contains("[số điện thoại đã ẩn]")
                && m.contains("[số giấy tờ đã ẩn]")
                && m.contains("[email đã ẩn]"),
            "{m}"
        );
        assert!(m.contains("Năm 2022, 100%."), "ordinary numbers stay: {m}");
    }
}

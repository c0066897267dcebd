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

/// The comment text as the public sees it: phone numbers, 9- and 12-digit
/// ID numbers and email addresses replaced by a note (the original is kept
/// for staff).
pub fn mask_personal(text: &str) -> String {
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
            "[số điện thoại đã ẩn]".to_owned()
        } else {
            m.to_owned()
        }
    };
    // ID card numbers: 9 (CMND) or 12 (CCCD) digits.
    static ID: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\b(?:\d{12}|\d{9})\b").expect("valid regex"));
    let t = EMAIL.replace_all(text, "[email đã ẩn]");
    let t = PHONE.replace_all(&t, phone);
    ID.replace_all(&t, "[số giấy tờ đã ẩn]").into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

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
                mask_personal(&format!("gọi {phone} nhé")),
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
            assert_eq!(mask_personal(plain), plain, "{plain}");
        }
    }

    #[test]
    fn personal_numbers_and_addresses_are_masked() {
        let t = "Gọi 0912 345 678 hoặc +84 912.345.678, CCCD 001203004567, CMND 012345678, mail an.nguyen@example.vn. Năm 2022, 100%.";
        let m = mask_personal(t);
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

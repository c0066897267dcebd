//! Citizen comments: the form's rules, moderation states and threading.
//!
//! Validation reports message *keys* (looked up in the theme's message
//! catalogue), so the rules stay free of any one language.

use std::collections::HashMap;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

use super::entry::UnknownValue;

pub const CONTENT_MAX: usize = 5000;
pub const NAME_MAX: usize = 100;
pub const EMAIL_MAX: usize = 254;
pub const URL_MAX: usize = 2000;

/// Moderation state; only `approved` comments are public.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommentStatus {
    Pending,
    Approved,
    Spam,
    Trash,
}

impl CommentStatus {
    pub const ALL: [CommentStatus; 4] = [Self::Pending, Self::Approved, Self::Spam, Self::Trash];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Approved => "approved",
            Self::Spam => "spam",
            Self::Trash => "trash",
        }
    }
}

impl FromStr for CommentStatus {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| UnknownValue(s.to_owned()))
    }
}

/// What a person typed into the comment form, exactly as sent.
///
/// Every field is a plain string so that whatever arrives can be shown back.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct CommentInput {
    pub content: String,
    pub author_name: String,
    pub author_email: String,
    pub author_url: String,
    pub parent_id: String,
}

/// A problem with one field: the field's `name` attribute and a message key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: &'static str,
    pub key: &'static str,
}

/// A comment that passed the form's rules, ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidComment {
    pub content: String,
    pub author_name: String,
    pub author_email: String,
    pub author_url: Option<String>,
    pub parent_id: Option<i32>,
}

/// Checks the form's rules (SPEC "Comment form"), in the order the fields
/// appear, and returns every problem at once.
///
/// Whether `parent_id` names an approved comment on the same entry needs the
/// database; the caller checks that after this.
pub fn validate(input: &CommentInput) -> Result<ValidComment, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut fail = |field, key| errors.push(FieldError { field, key });

    // Vietnamese keyboards may send decomposed accents (Unikey's "Unicode
    // tổ hợp"): compose first, so lengths count letters. Browsers send CRLF.
    // Control characters other than line breaks and tabs are invisible and
    // never meant (a NUL would also fail on PostgreSQL): dropped.
    let nfc = |s: &str| -> String {
        s.nfc()
            .filter(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t'))
            .collect()
    };
    let content = nfc(&input.content).replace("\r\n", "\n").trim().to_owned();
    // U+FFFD is what form decoding puts where the bytes sent were not
    // UTF-8 (a broken client or encoding): garbled text is not stored.
    if content.is_empty() {
        fail("content", "comment_content_required");
    } else if content.contains(char::REPLACEMENT_CHARACTER) {
        fail("content", "comment_garbled");
    } else if content.chars().count() > CONTENT_MAX {
        fail("content", "comment_content_too_long");
    }

    let name = collapse_spaces(&nfc(&input.author_name));
    if name.is_empty() {
        fail("author_name", "comment_name_required");
    } else if name.contains(char::REPLACEMENT_CHARACTER) {
        fail("author_name", "comment_garbled");
    } else if name.chars().count() > NAME_MAX {
        fail("author_name", "comment_name_too_long");
    }

    let email = input.author_email.trim().to_owned();
    if email.is_empty() {
        fail("author_email", "comment_email_required");
    } else if !is_email(&email) {
        fail("author_email", "comment_email_invalid");
    }

    let url = input.author_url.trim();
    let author_url = if url.is_empty() {
        None
    } else if let Some(normalised) = web_url(url) {
        Some(normalised)
    } else {
        fail("author_url", "comment_url_invalid");
        None
    };

    let parent = input.parent_id.trim();
    let parent_id = if parent.is_empty() {
        None
    } else {
        match parent.parse::<i32>() {
            Ok(id) if id > 0 => Some(id),
            _ => {
                fail("parent_id", "comment_parent_invalid");
                None
            }
        }
    };

    if errors.is_empty() {
        Ok(ValidComment {
            content,
            author_name: name,
            author_email: email,
            author_url,
            parent_id,
        })
    } else {
        Err(errors)
    }
}

pub fn collapse_spaces(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A deliverable-looking address: `local@domain.tld`, within RFC 5321 sizes.
pub fn is_email(s: &str) -> bool {
    if s.len() > EMAIL_MAX || s.chars().any(char::is_whitespace) {
        return false;
    }
    let Ok(addr) = s.parse::<email_address::EmailAddress>() else {
        return false;
    };
    // email_address accepts `a@b` and IP literals; readers' addresses have a
    // dotted domain name.
    let domain = addr.domain();
    domain.contains('.')
        && !domain.starts_with('[')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
}

/// An absolute `http`/`https` URL with a host, normalised; anything else is
/// refused (no `javascript:`, no relative paths).
pub fn web_url(s: &str) -> Option<String> {
    if s.len() > URL_MAX {
        return None;
    }
    let url = url::Url::parse(s).ok()?;
    let ok =
        matches!(url.scheme(), "http" | "https") && url.host_str().is_some_and(|h| !h.is_empty());
    ok.then(|| url.to_string())
}

/// One comment and the replies under it.
#[derive(Debug, Clone, Serialize)]
pub struct Thread<C> {
    #[serde(flatten)]
    pub comment: C,
    pub replies: Vec<Thread<C>>,
}

/// Anything that sits in a thread.
pub trait Threaded {
    fn id(&self) -> i32;
    fn parent_id(&self) -> Option<i32>;
}

/// Builds threads from comments in display order (oldest first).
///
/// A reply whose parent is not in `comments` (not approved, say) is shown at
/// the top level rather than lost. Replies nest at most `max_depth` deep;
/// deeper ones join the deepest level, as WordPress does.
pub fn thread<C: Threaded>(comments: Vec<C>, max_depth: usize) -> Vec<Thread<C>> {
    let ids: std::collections::HashSet<i32> = comments.iter().map(Threaded::id).collect();
    let mut children: HashMap<Option<i32>, Vec<C>> = HashMap::new();
    for c in comments {
        let parent = c.parent_id().filter(|p| ids.contains(p) && *p != c.id());
        children.entry(parent).or_default().push(c);
    }
    fn build<C: Threaded>(
        parent: Option<i32>,
        depth: usize,
        max_depth: usize,
        children: &mut HashMap<Option<i32>, Vec<C>>,
    ) -> Vec<Thread<C>> {
        let mine = children.remove(&parent).unwrap_or_default();
        let mut out = Vec::with_capacity(mine.len());
        for comment in mine {
            let id = comment.id();
            if depth + 2 >= max_depth {
                // Flatten everything below into this level, in order.
                let mut flat = Vec::new();
                collect(Some(id), children, &mut flat);
                out.push(Thread {
                    comment,
                    replies: flat
                        .into_iter()
                        .map(|c| Thread {
                            comment: c,
                            replies: Vec::new(),
                        })
                        .collect(),
                });
            } else {
                let replies = build(Some(id), depth + 1, max_depth, children);
                out.push(Thread { comment, replies });
            }
        }
        out
    }
    fn collect<C: Threaded>(
        parent: Option<i32>,
        children: &mut HashMap<Option<i32>, Vec<C>>,
        out: &mut Vec<C>,
    ) {
        for c in children.remove(&parent).unwrap_or_default() {
            let id = c.id();
            out.push(c);
            collect(Some(id), children, out);
        }
    }
    let mut roots = build(None, 0, max_depth.max(2), &mut children);
    // Anything left over sits in a cycle; show it rather than drop it.
    let mut rest: Vec<C> = children.into_values().flatten().collect();
    rest.sort_by_key(Threaded::id);
    roots.extend(rest.into_iter().map(|c| Thread {
        comment: c,
        replies: Vec::new(),
    }));
    roots
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> CommentInput {
        CommentInput {
            content: "Xin cảm ơn Sở.".into(),
            author_name: "Nguyễn Văn An".into(),
            author_email: "an@example.vn".into(),
            author_url: String::new(),
            parent_id: String::new(),
        }
    }

    fn keys(input: &CommentInput) -> Vec<(&'static str, &'static str)> {
        validate(input)
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|e| (e.field, e.key))
            .collect()
    }

    #[test]
    fn a_complete_form_is_valid() {
        let ok = validate(&input()).unwrap();
        assert_eq!(ok.author_name, "Nguyễn Văn An");
        assert_eq!(ok.author_url, None);
    }

    #[test]
    fn invisible_control_characters_are_dropped_and_line_breaks_kept() {
        let ok = validate(&CommentInput {
            content: "Dòng một\u{0}\r\nDòng\u{7} hai".into(),
            author_name: "An\u{0}".into(),
            ..input()
        })
        .unwrap();
        assert_eq!(ok.content, "Dòng một\nDòng hai");
        assert_eq!(ok.author_name, "An");
    }

    #[test]
    fn each_required_field_is_reported() {
        let empty = CommentInput {
            content: "   ".into(),
            ..Default::default()
        };
        assert_eq!(
            keys(&empty),
            vec![
                ("content", "comment_content_required"),
                ("author_name", "comment_name_required"),
                ("author_email", "comment_email_required"),
            ]
        );
    }

    #[test]
    fn lengths_are_counted_in_characters() {
        let mut i = input();
        i.content = "ệ".repeat(CONTENT_MAX);
        assert!(validate(&i).is_ok());
        i.content.push('ệ');
        assert_eq!(keys(&i), vec![("content", "comment_content_too_long")]);
        let mut i = input();
        i.author_name = "Ư".repeat(NAME_MAX + 1);
        assert_eq!(keys(&i), vec![("author_name", "comment_name_too_long")]);
    }

    #[test]
    fn decomposed_accents_count_as_one_letter() {
        let mut i = input();
        let nfd: String = "ệ".nfd().collect();
        assert_eq!(nfd.chars().count(), 3);
        i.content = nfd.repeat(CONTENT_MAX);
        let ok = validate(&i).unwrap();
        assert_eq!(ok.content, "ệ".repeat(CONTENT_MAX), "stored composed");
    }

    #[test]
    fn emails() {
        for good in ["an@example.vn", "nguyen.van+an@so.hanoi.gov.vn"] {
            assert!(is_email(good), "{good}");
        }
        for bad in [
            "an",
            "an@",
            "@x.vn",
            "an@localhost",
            "an @x.vn",
            "an@[127.0.0.1]",
            "an@x.vn.",
        ] {
            assert!(!is_email(bad), "{bad}");
        }
    }

    #[test]
    fn urls_must_be_absolute_http() {
        assert_eq!(
            web_url("https://hanoi.gov.vn").as_deref(),
            Some("https://hanoi.gov.vn/")
        );
        for bad in [
            "javascript:alert(1)",
            "ftp://x.vn",
            "example.vn",
            "http://",
            "/path",
        ] {
            assert_eq!(web_url(bad), None, "{bad}");
        }
        let mut i = input();
        i.author_url = "javascript:alert(1)".into();
        assert_eq!(keys(&i), vec![("author_url", "comment_url_invalid")]);
    }

    #[test]
    fn parent_must_be_a_positive_number() {
        let mut i = input();
        i.parent_id = "7".into();
        assert_eq!(validate(&i).unwrap().parent_id, Some(7));
        for bad in ["x", "-1", "0", "1.5"] {
            i.parent_id = bad.into();
            assert_eq!(
                keys(&i),
                vec![("parent_id", "comment_parent_invalid")],
                "{bad}"
            );
        }
    }

    #[derive(Debug, Clone, Serialize)]
    struct C(i32, Option<i32>);
    impl Threaded for C {
        fn id(&self) -> i32 {
            self.0
        }
        fn parent_id(&self) -> Option<i32> {
            self.1
        }
    }

    fn shape(t: &[Thread<C>]) -> String {
        t.iter()
            .map(|n| {
                if n.replies.is_empty() {
                    n.comment.0.to_string()
                } else {
                    format!("{}({})", n.comment.0, shape(&n.replies))
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn threads_nest_and_keep_order() {
        let cs = vec![
            C(1, None),
            C(2, Some(1)),
            C(3, None),
            C(4, Some(2)),
            C(5, Some(1)),
        ];
        assert_eq!(shape(&thread(cs, 5)), "1(2(4) 5) 3");
    }

    #[test]
    fn deep_replies_flatten_and_orphans_surface() {
        let cs = vec![
            C(1, None),
            C(2, Some(1)),
            C(3, Some(2)),
            C(4, Some(3)),
            C(6, Some(99)),
        ];
        assert_eq!(shape(&thread(cs, 2)), "1(2 3 4) 6");
    }
}

//! Pages (trang): the department's own information — functions and tasks,
//! organisation, contacts (Decree 42/2022/NĐ-CP) — as a tree shown at its
//! paths (`/gioi-thieu/co-cau-to-chuc`). The field rules of the page form
//! and the import, and the contact list's text form.

use serde::{Deserialize, Serialize};

use super::comment::is_email;
use super::entry::UnknownValue;
use super::slug;

/// A page is a draft (staff only) or published.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PageStatus {
    Draft,
    Published,
}

impl PageStatus {
    pub const ALL: [PageStatus; 2] = [PageStatus::Draft, PageStatus::Published];

    pub fn as_str(self) -> &'static str {
        match self {
            PageStatus::Draft => "draft",
            PageStatus::Published => "published",
        }
    }
}

impl std::str::FromStr for PageStatus {
    type Err = UnknownValue;

    fn from_str(s: &str) -> Result<Self, UnknownValue> {
        PageStatus::ALL
            .into_iter()
            .find(|p| p.as_str() == s)
            .ok_or_else(|| UnknownValue(s.to_owned()))
    }
}

/// First path segments that belong to the site itself (SPEC, Public URLs,
/// and the admin): a top-level page may not take one, or it would shadow
/// (or be shadowed by) a fixed path.
pub const RESERVED: [&str; 20] = [
    "admin",
    "api",
    "articles",
    "bulletins",
    "leaflets",
    "categories",
    "tags",
    "documents",
    "search",
    "feed",
    "sitemaps",
    "uploads",
    "static",
    "en",
    "vi",
    "hoi-dap",
    "healthz",
    "readyz",
    "print",
    "comments",
];

/// One officer or desk of a page's contact list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    pub name: String,
    #[serde(default)]
    pub position: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub email: String,
}

impl Contact {
    /// The phone as a `tel:` address: its digits, and a leading `+`.
    pub fn tel(&self) -> String {
        let plus = self.phone.trim_start().starts_with('+');
        let digits: String = self.phone.chars().filter(char::is_ascii_digit).collect();
        if plus { format!("+{digits}") } else { digits }
    }
}

/// Whether `phone` is a phone number as people write one: digits with
/// spaces, dots, dashes, brackets and a leading `+`, 6 to 15 digits.
pub fn is_phone(phone: &str) -> bool {
    let rest = phone.strip_prefix('+').unwrap_or(phone);
    let digits = rest.chars().filter(char::is_ascii_digit).count();
    (6..=15).contains(&digits)
        && phone.len() <= 30
        && rest
            .chars()
            .all(|c| c.is_ascii_digit() || " .-()".contains(c))
}

/// The separator of the contact list's text form.
pub const CONTACT_SEPARATOR: char = '|';

/// The contact list as the form shows it: one per line,
/// `name | position | phone | email`.
pub fn contacts_text(contacts: &[Contact]) -> String {
    contacts
        .iter()
        .map(|c| {
            let fields = [&c.name, &c.position, &c.phone, &c.email];
            let mut line = fields.map(|f| f.as_str()).join(" | ");
            while line.ends_with(" | ") {
                line.truncate(line.len() - 3);
            }
            line
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Reads the contact list's text form. Blank lines are skipped; a line
/// with a problem is reported by its number (from 1).
pub fn parse_contacts(text: &str) -> Result<Vec<Contact>, usize> {
    let mut contacts = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let mut fields = line.split(CONTACT_SEPARATOR).map(|f| f.trim().to_owned());
        let contact = Contact {
            name: fields.next().unwrap_or_default(),
            position: fields.next().unwrap_or_default(),
            phone: fields.next().unwrap_or_default(),
            email: fields.next().unwrap_or_default(),
        };
        if fields.next().is_some() || !contact_is_valid(&contact) {
            return Err(i + 1);
        }
        contacts.push(contact);
    }
    Ok(contacts)
}

/// A contact has a name (up to 200 characters), and its phone and email,
/// when given, are a phone number and an address.
pub fn contact_is_valid(c: &Contact) -> bool {
    !c.name.trim().is_empty()
        && c.name.chars().count() <= 200
        && c.position.chars().count() <= 200
        && (c.phone.is_empty() || is_phone(&c.phone))
        && (c.email.is_empty() || is_email(&c.email))
}

/// The page form as typed (all text, so that it comes back as it was).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PageInput {
    pub title: String,
    pub slug: String,
    pub parent_id: String,
    pub position: String,
    pub summary: String,
    pub body_md: String,
    /// The contact list's text form ([`contacts_text`]).
    pub contacts: String,
    pub status: String,
}

/// A page's fields once checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidPage {
    pub title: String,
    pub slug: String,
    pub parent_id: Option<i32>,
    pub position: i32,
    pub summary: String,
    pub body_md: String,
    pub contacts: Vec<Contact>,
    pub status: PageStatus,
}

/// A problem with one field: its name, the message key, and for the
/// contact list the line concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Problem {
    pub field: &'static str,
    pub key: &'static str,
    pub line: Option<usize>,
}

impl Problem {
    pub fn at(field: &'static str, key: &'static str) -> Self {
        Problem {
            field,
            key,
            line: None,
        }
    }
}

/// Checks the page form. The slug, when left empty, comes from the title;
/// the parent's existence and the tree's shape are the database's to
/// check (`service::pages`).
pub fn validate(input: &PageInput) -> Result<ValidPage, Vec<Problem>> {
    let mut problems = Vec::new();
    let title = input.title.split_whitespace().collect::<Vec<_>>().join(" ");
    if title.is_empty() || title.chars().count() > 200 {
        problems.push(Problem::at("title", "page_title_required"));
    }
    let parent_id = match input.parent_id.trim() {
        "" => None,
        raw => match raw.parse::<i32>() {
            Ok(id) if id > 0 => Some(id),
            _ => {
                problems.push(Problem::at("parent_id", "page_parent_invalid"));
                None
            }
        },
    };
    let slug = match input.slug.trim() {
        "" => slug::slugify(&title),
        typed => typed.to_owned(),
    };
    if !title.is_empty() {
        if !slug::is_valid(&slug) {
            problems.push(Problem::at("slug", "page_slug_invalid"));
        } else if parent_id.is_none() && RESERVED.contains(&slug.as_str()) {
            problems.push(Problem::at("slug", "page_slug_reserved"));
        }
    }
    let position = match input.position.trim() {
        "" => 0,
        raw => raw.parse::<i32>().unwrap_or_else(|_| {
            problems.push(Problem::at("position", "page_position_invalid"));
            0
        }),
    };
    let (summary, contacts, status) = check_shared(
        &input.summary,
        &input.contacts,
        &input.status,
        &mut problems,
    );
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(ValidPage {
        title,
        slug,
        parent_id,
        position,
        summary,
        body_md: input.body_md.replace("\r\n", "\n").trim().to_owned(),
        contacts,
        status,
    })
}

/// The summary, contact list and status as a page form and a
/// translation form both check them; problems go to `problems`.
pub(crate) fn check_shared(
    summary: &str,
    contacts: &str,
    status: &str,
    problems: &mut Vec<Problem>,
) -> (String, Vec<Contact>, PageStatus) {
    let summary = summary.trim().to_owned();
    if summary.chars().count() > 500 {
        problems.push(Problem::at("summary", "page_summary_too_long"));
    }
    let contacts = parse_contacts(contacts).unwrap_or_else(|line| {
        problems.push(Problem {
            field: "contacts",
            key: "page_contact_invalid",
            line: Some(line),
        });
        Vec::new()
    });
    let status = status.parse::<PageStatus>().unwrap_or_else(|_| {
        problems.push(Problem::at("status", "page_status_invalid"));
        PageStatus::Draft
    });
    (summary, contacts, status)
}

/// A page's path below its parent's (`None` for a top-level page).
pub fn path_under(parent_path: Option<&str>, slug: &str) -> String {
    match parent_path {
        Some(parent) => format!("{parent}/{slug}"),
        None => slug.to_owned(),
    }
}

/// The paths of a path's ancestors and itself, shortest first:
/// `a/b/c` gives `a`, `a/b`, `a/b/c`.
pub fn path_prefixes(path: &str) -> Vec<&str> {
    path.match_indices('/')
        .map(|(i, _)| &path[..i])
        .chain(std::iter::once(path))
        .collect()
}

/// Whether a page whose title and summary fold to `page_tokens` answers
/// a search for `query_tokens` (both folded, `domain::search::tokens`):
/// every word of the query begins a word of the page, as a search for
/// `co cau` finds *Cơ cấu tổ chức*.
pub fn answers(query_tokens: &[String], page_tokens: &[String]) -> bool {
    !query_tokens.is_empty()
        && query_tokens
            .iter()
            .all(|q| page_tokens.iter().any(|p| p.starts_with(q.as_str())))
}

/// Whether a request path could be a page's: segments that are slugs.
pub fn is_page_path(path: &str) -> bool {
    !path.is_empty() && path.split('/').all(slug::is_valid)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(title: &str) -> PageInput {
        PageInput {
            title: title.into(),
            status: "published".into(),
            ..Default::default()
        }
    }

    #[test]
    fn the_slug_comes_from_the_vietnamese_title() {
        let page = validate(&input("Cơ cấu tổ chức")).unwrap();
        assert_eq!(page.slug, "co-cau-to-chuc");
        assert_eq!(page.parent_id, None);
    }

    #[test]
    fn a_top_level_page_may_not_take_a_fixed_path() {
        let mut typed = input("Tin tức");
        typed.slug = "articles".into();
        let problems = validate(&typed).unwrap_err();
        assert_eq!(problems, vec![Problem::at("slug", "page_slug_reserved")]);
        // Below another page the same slug shadows nothing.
        typed.parent_id = "3".into();
        assert_eq!(validate(&typed).unwrap().slug, "articles");
    }

    #[test]
    fn contacts_are_read_line_by_line_and_a_bad_line_is_named() {
        let text = "Văn phòng Sở | Tiếp nhận văn bản | 024 3825 3505 | vanphong@example.gov.vn\n\n\
                    Bộ phận Một cửa | | +84 24 3825 3505";
        let contacts = parse_contacts(text).unwrap();
        assert_eq!(contacts.len(), 2);
        assert_eq!(contacts[0].tel(), "02438253505");
        assert_eq!(contacts[1].tel(), "+842438253505");
        assert_eq!(contacts[1].email, "");
        assert_eq!(
            parse_contacts(&contacts_text(&contacts)).unwrap(),
            contacts,
            "the text form reads back as it was"
        );
        assert_eq!(parse_contacts("Văn phòng | | gọi tổng đài"), Err(1));
        assert_eq!(parse_contacts("A | | 024 3825 3505\n | Chức vụ"), Err(2));
        assert_eq!(parse_contacts("A | b | 0243 | x@example.vn | thừa"), Err(1));
    }

    #[test]
    fn phones_are_written_as_people_write_them() {
        for ok in [
            "024 3825 3505",
            "(024) 3825.3505",
            "+84 24 3825 3505",
            "0912-345-678",
        ] {
            assert!(is_phone(ok), "{ok}");
        }
        for bad in [
            "12345",
            "024 3825 3505 ext 12",
            "++84 243825",
            "tel:0243825",
        ] {
            assert!(!is_phone(bad), "{bad}");
        }
    }

    #[test]
    fn a_page_answers_a_search_by_the_words_of_its_title_and_summary() {
        let page = super::super::search::tokens(&super::super::slug::fold("Cơ cấu tổ chức của Sở"));
        let q = |s: &str| super::super::search::tokens(&super::super::slug::fold(s));
        assert!(answers(&q("co cau"), &page));
        assert!(answers(&q("Tổ chức"), &page));
        assert!(answers(&q("to chu"), &page), "a word's beginning");
        assert!(!answers(&q("co cau lien he"), &page), "every word");
        assert!(!answers(&q(""), &page));
    }

    #[test]
    fn a_path_lists_its_ancestors() {
        assert_eq!(path_prefixes("a/b/c"), vec!["a", "a/b", "a/b/c"]);
        assert_eq!(path_prefixes("a"), vec!["a"]);
        assert!(is_page_path("gioi-thieu/co-cau-to-chuc"));
        assert!(!is_page_path("gioi-thieu//x"));
        assert!(!is_page_path("Gioi-Thieu"));
    }
}

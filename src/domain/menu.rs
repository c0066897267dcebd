//! The header and footer menus admins edit: items in order, one level of
//! submenu, each leading to the home page, a category, a page, a kind's
//! listing, the document registry or another address.

use super::entry::EntryKind;
use super::page::Problem;

/// Which menu an item is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Menu {
    Header,
    Footer,
}

impl Menu {
    pub const ALL: [Menu; 2] = [Menu::Header, Menu::Footer];

    pub fn as_str(self) -> &'static str {
        match self {
            Menu::Header => "header",
            Menu::Footer => "footer",
        }
    }

    pub fn parse(s: &str) -> Option<Menu> {
        Menu::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

/// Where an item leads. Stored as text: `home`, `documents`,
/// `kind:bulletin`, `category:3`, `page:7`, `url` (the address is in the
/// item's `url`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Home,
    Documents,
    Kind(EntryKind),
    Category(i32),
    Page(i32),
    Url(String),
}

impl Target {
    /// The stored form: the target text and the address.
    pub fn stored(&self) -> (String, String) {
        match self {
            Target::Home => ("home".into(), String::new()),
            Target::Documents => ("documents".into(), String::new()),
            Target::Kind(k) => (format!("kind:{}", k.as_str()), String::new()),
            Target::Category(id) => (format!("category:{id}"), String::new()),
            Target::Page(id) => (format!("page:{id}"), String::new()),
            Target::Url(url) => ("url".into(), url.clone()),
        }
    }

    /// Reads the stored (or typed) form; `None` when it is not one.
    pub fn parse(target: &str, url: &str) -> Option<Target> {
        let id = |s: &str| s.parse::<i32>().ok().filter(|i| *i > 0);
        match target.split_once(':') {
            None => match target {
                "home" => Some(Target::Home),
                "documents" => Some(Target::Documents),
                "url" => address(url).map(Target::Url),
                _ => None,
            },
            Some(("kind", k)) => EntryKind::ALL
                .into_iter()
                .find(|x| x.as_str() == k)
                .map(Target::Kind),
            Some(("category", i)) => id(i).map(Target::Category),
            Some(("page", i)) => id(i).map(Target::Page),
            Some(_) => None,
        }
    }
}

/// An address a menu may lead to: a path on this site (`/hoi-dap`) or an
/// `http(s)` address elsewhere (`https://dichvucong.gov.vn`).
pub fn address(url: &str) -> Option<String> {
    let url = url.trim();
    // Browsers read `/\host` as `//host`: another site.
    if url.contains(|c: char| c == '\\' || c.is_control()) {
        return None;
    }
    let ok = if url.starts_with('/') {
        !url.starts_with("//") && !url.contains(char::is_whitespace)
    } else {
        url::Url::parse(url)
            .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
    };
    (ok && url.len() <= 500).then(|| url.to_owned())
}

/// A menu item's form as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ItemInput {
    pub label: String,
    /// `home`, `documents`, `kind:…`, `category:ID`, `page:ID` or `url`.
    pub target: String,
    pub url: String,
    pub parent_id: String,
    pub position: String,
}

/// A menu item once checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidItem {
    pub label: String,
    pub target: Target,
    pub parent_id: Option<i32>,
    pub position: i32,
}

/// Checks an item's fields. Whether the parent is a top-level item of
/// the same menu is the caller's to check against the stored items.
pub fn validate(input: &ItemInput) -> Result<ValidItem, Vec<Problem>> {
    let mut problems = Vec::new();
    let label = input.label.split_whitespace().collect::<Vec<_>>().join(" ");
    if label.is_empty() || label.chars().count() > 60 {
        problems.push(Problem::at("label", "menu_label_required"));
    }
    let target = Target::parse(input.target.trim(), &input.url);
    if target.is_none() {
        let field = if input.target.trim() == "url" {
            "url"
        } else {
            "target"
        };
        problems.push(Problem::at(field, "menu_target_invalid"));
    }
    let parent_id = match input.parent_id.trim() {
        "" => None,
        raw => match raw.parse::<i32>() {
            Ok(id) if id > 0 => Some(id),
            _ => {
                problems.push(Problem::at("parent_id", "menu_parent_invalid"));
                None
            }
        },
    };
    let position = match input.position.trim() {
        "" => 0,
        raw => raw.parse::<i32>().unwrap_or_else(|_| {
            problems.push(Problem::at("position", "page_position_invalid"));
            0
        }),
    };
    match target {
        Some(target) if problems.is_empty() => Ok(ValidItem {
            label,
            target,
            parent_id,
            position,
        }),
        _ => Err(problems),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_read_back_as_stored() {
        for t in [
            Target::Home,
            Target::Documents,
            Target::Kind(EntryKind::Leaflet),
            Target::Category(3),
            Target::Page(7),
            Target::Url("https://dichvucong.gov.vn".into()),
            Target::Url("/hoi-dap".into()),
        ] {
            let (target, url) = t.stored();
            assert_eq!(Target::parse(&target, &url), Some(t));
        }
        assert_eq!(Target::parse("page:x", ""), None);
        assert_eq!(Target::parse("kind:page", ""), None);
    }

    #[test]
    fn an_address_is_a_local_path_or_a_web_address() {
        assert!(address("/gioi-thieu").is_some());
        assert!(address("https://dichvucong.hanoi.gov.vn/").is_some());
        for bad in [
            "javascript:alert(1)",
            "//evil.example",
            "dichvucong.gov.vn",
            "ftp://x.vn",
            "",
        ] {
            assert_eq!(address(bad), None, "{bad}");
        }
    }

    #[test]
    fn an_item_needs_a_label_and_a_target() {
        let problems = validate(&ItemInput {
            target: "url".into(),
            url: "javascript:alert(1)".into(),
            ..Default::default()
        })
        .unwrap_err();
        let fields: Vec<&str> = problems.iter().map(|p| p.field).collect();
        assert_eq!(fields, vec!["label", "url"]);
        let item = validate(&ItemInput {
            label: "  Giới   thiệu ".into(),
            target: "page:2".into(),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(item.label, "Giới thiệu");
        assert_eq!(item.target, Target::Page(2));
    }
}

//! Pages as content files: `content/pages/**/*.md`, TOML front matter
//! (`title`, `slug`, `parent` — the parent's path —, `order`, `status`,
//! `summary`, `[[contacts]]`) and a Markdown body. Imported by path
//! (idempotent), parents before their children; exported to
//! `pages/{path}.md`.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use walkdir::WalkDir;

use super::files::{self, ParseError};
use crate::domain::page::{self, Contact, PageInput, PageStatus, contact_is_valid};
use crate::service::entries::Saver;
use crate::service::pages::{self as save_path, PageError, Saved, Target};
use crate::storage::Db;
use crate::storage::pages;

/// The folder of page files inside a content folder.
pub const FOLDER: &str = "pages";

/// A page file's front matter.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PageFront {
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slug: Option<String>,
    /// The parent page's path (`gioi-thieu`), none for a top-level page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    #[serde(default)]
    pub order: i32,
    #[serde(default = "draft")]
    pub status: PageStatus,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub summary: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contacts: Vec<Contact>,
}

fn draft() -> PageStatus {
    PageStatus::Draft
}

/// What importing the pages did.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct PagesReport {
    /// Pages created or changed.
    pub saved: usize,
    pub unchanged: usize,
    pub failed: Vec<(PathBuf, String)>,
}

/// Parses a page file.
pub fn parse(text: &str) -> Result<(PageFront, String), ParseError> {
    let (front, body) = files::split(text)?;
    let front: PageFront =
        toml::from_str(front).map_err(|e| ParseError::Toml(e.message().to_owned()))?;
    Ok((front, body))
}

/// A page file's text.
pub fn render(front: &PageFront, body: &str) -> Result<String, toml::ser::Error> {
    Ok(format!("+++\n{}+++\n\n{body}\n", toml::to_string(front)?))
}

/// Imports every page file under `dir` (the `pages` folder).
pub fn import(conn: &mut Db, dir: &Path, by: Saver<'_>) -> diesel::QueryResult<PagesReport> {
    let mut report = PagesReport::default();
    let mut found: Vec<(PathBuf, PageFront, String)> = Vec::new();
    let mut paths: Vec<PathBuf> = WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .filter(|p| {
            p.extension().is_some_and(|x| x == "md")
                && !p
                    .file_name()
                    .is_some_and(|n| n.eq_ignore_ascii_case("README.md"))
                // Translations (`x.en.md`) are imported after the pages.
                && super::translations::original_of(p).is_none()
        })
        .collect();
    paths.sort();
    for path in paths {
        let parsed = std::fs::read_to_string(&path)
            .map_err(|e| e.to_string())
            .and_then(|text| parse(&text).map_err(|e| e.to_string()));
        match parsed {
            Ok((front, body)) => found.push((path, front, body)),
            Err(why) => report.failed.push((path, why)),
        }
    }
    // Parents first: a page's depth is its parent's path's.
    found.sort_by_key(|(_, front, _)| front.parent.as_deref().map_or(0, |p| p.split('/').count()));
    for (path, front, body) in found {
        match import_one(conn, &front, body, by)? {
            Ok(Saved::Unchanged(_)) => report.unchanged += 1,
            Ok(_) => report.saved += 1,
            Err(why) => report.failed.push((path, why)),
        }
    }
    Ok(report)
}

fn import_one(
    conn: &mut Db,
    front: &PageFront,
    body: String,
    by: Saver<'_>,
) -> diesel::QueryResult<Result<Saved, String>> {
    let parent_id = match &front.parent {
        Some(parent) => match pages::find_by_path(conn, parent)? {
            Some(p) => Some(p.id),
            None => return Ok(Err(format!("parent {parent:?} is not a page"))),
        },
        None => None,
    };
    let input = PageInput {
        title: front.title.clone(),
        slug: front.slug.clone().unwrap_or_default(),
        parent_id: parent_id.map(|i| i.to_string()).unwrap_or_default(),
        position: front.order.to_string(),
        summary: front.summary.clone(),
        body_md: body,
        contacts: String::new(),
        status: front.status.as_str().to_owned(),
    };
    let mut valid = match page::validate(&input) {
        Ok(v) => v,
        Err(problems) => {
            let fields: Vec<&str> = problems.iter().map(|p| p.field).collect();
            return Ok(Err(format!("bad {}", fields.join(", "))));
        }
    };
    if let Some(bad) = front.contacts.iter().position(|c| !contact_is_valid(c)) {
        return Ok(Err(format!("contact {} is not valid", bad + 1)));
    }
    valid.contacts = front.contacts.clone();
    // A page an editor moved or renamed since: importing the file again
    // would make a second page at its old address.
    let parent_path = front.parent.as_deref();
    let path = page::path_under(parent_path, &valid.slug);
    if pages::find_by_path(conn, &path)?.is_none()
        && let Some((_, now_at, _)) = pages::redirect_target(conn, &path)?
    {
        return Ok(Err(format!(
            "the page at /{path} was moved to /{now_at} in the admin; \
             change `slug` or `parent` in this file to follow it"
        )));
    }
    match save_path::save(conn, Target::ByPath, &valid, by) {
        Ok(saved) => Ok(Ok(saved)),
        Err(PageError::Db(e)) => Err(e),
        Err(e) => Ok(Err(e.to_string())),
    }
}

/// The page that page file `path` describes, if it is imported.
pub fn page_of_file(conn: &mut Db, path: &Path) -> diesel::QueryResult<Option<i32>> {
    let Ok(Ok((front, _))) = std::fs::read_to_string(path).map(|text| parse(&text)) else {
        return Ok(None);
    };
    let slug = front
        .slug
        .clone()
        .unwrap_or_else(|| crate::domain::slug::slugify(&front.title));
    let at = page::path_under(front.parent.as_deref(), &slug);
    Ok(pages::find_by_path(conn, &at)?.map(|p| p.id))
}

/// Writes every page to `dir/{path}.md`, and its translations to
/// `dir/{path}.{lang}.md`; returns how many pages.
pub fn export(conn: &mut Db, dir: &Path) -> Result<usize, super::export::ExportError> {
    let nodes = pages::all(conn)?;
    for node in &nodes {
        let page = pages::find(conn, node.id)?;
        let parent = page
            .parent_id
            .and_then(|id| nodes.iter().find(|n| n.id == id))
            .map(|n| n.path.clone());
        let front = PageFront {
            title: page.title.clone(),
            slug: Some(page.slug.clone()),
            parent,
            order: page.position,
            status: page.status,
            summary: page.summary.clone(),
            contacts: save_path::contacts_of(&page),
        };
        super::export::write(
            &dir.join(format!("{}.md", page.path)),
            &render(&front, &page.body_md)?,
        )?;
    }
    for (path, t) in crate::storage::translations::all_of_pages(conn)? {
        let contacts = serde_json::from_str(&t.contacts).unwrap_or_default();
        super::export::write(
            &dir.join(format!("{path}.{}.md", t.lang)),
            &super::translations::render(&t, contacts)?,
        )?;
    }
    Ok(nodes.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_file_reads_and_writes_back() {
        let text = "+++\ntitle = \"Liên hệ\"\nslug = \"lien-he\"\norder = 2\nstatus = \"published\"\n\n\
                    [[contacts]]\nname = \"Văn phòng Sở\"\nphone = \"024 3825 3505\"\n+++\n\nNội dung.\n";
        let (front, body) = parse(text).unwrap();
        assert_eq!(front.status, PageStatus::Published);
        assert_eq!(front.contacts[0].phone, "024 3825 3505");
        assert_eq!(body, "Nội dung.");
        let again = render(&front, &body).unwrap();
        assert_eq!(parse(&again).unwrap(), (front, body));
    }

    #[test]
    fn unknown_keys_are_refused() {
        assert!(parse("+++\ntitle = \"x\"\nkind = \"article\"\n+++\n").is_err());
    }
}

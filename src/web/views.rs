//! What templates receive: plain serialisable structs built from rows,
//! never rows or connections.

use chrono_tz::Tz;
use serde::Serialize;

use crate::domain::comment::Thread;
use crate::domain::entry::EntryKind;
use crate::domain::moderation::MaskNotes;
use crate::render::SafeHtml;
use crate::render::comment_text;
use crate::render::dates::{ShownTime, show};
use crate::storage::categories::Category;
use crate::storage::comments::Comment;
use crate::storage::entries::{Entry, EntryCard};
use crate::storage::tags::Tag;

/// A named link: a category, a tag, a breadcrumb.
#[derive(Debug, Clone, Serialize)]
pub struct Link {
    /// What the reader sees.
    pub name: String,
    /// Where it leads (a path on the site).
    pub url: String,
}

/// An entry's featured image.
#[derive(Debug, Clone, Serialize)]
pub struct ImageView {
    /// The stored file (`/uploads/…`).
    pub url: String,
    /// Its alternative text.
    pub alt: String,
    /// Its caption (empty on cards).
    pub caption: String,
    /// Its size in pixels, when known.
    pub width: Option<i32>,
    pub height: Option<i32>,
    /// Sizes to choose from, for a library image (its derivatives).
    pub responsive: Option<crate::render::responsive::Responsive>,
    /// `sizes` for an entry page's column and for a card in a listing.
    pub sizes_entry: &'static str,
    pub sizes_card: &'static str,
}

fn image(
    path: Option<&str>,
    alt: &str,
    caption: &str,
    w: Option<i32>,
    h: Option<i32>,
) -> Option<ImageView> {
    path.map(|p| ImageView {
        url: format!("/uploads/{p}"),
        alt: alt.to_owned(),
        caption: caption.to_owned(),
        width: w,
        height: h,
        responsive: match (w, h) {
            (Some(w), Some(h)) if w > 0 && h > 0 => {
                crate::render::responsive::responsive(p, w as u32, h as u32)
            }
            _ => None,
        },
        sizes_entry: crate::render::responsive::SIZES_BODY,
        sizes_card: crate::render::responsive::SIZES_CARD,
    })
}

/// An entry in a list.
#[derive(Debug, Clone, Serialize)]
pub struct CardView {
    /// `article`, `bulletin` or `leaflet`.
    pub kind: EntryKind,
    /// The entry's page.
    pub url: String,
    pub title: String,
    pub summary: String,
    pub byline: String,
    /// When it was published (or null).
    pub published: Option<ShownTime>,
    /// Its category, if any.
    pub category: Option<Link>,
    /// Its featured image, if any.
    pub image: Option<ImageView>,
}

pub fn category_url(slug: &str) -> String {
    format!("/categories/{slug}")
}

pub fn tag_url(slug: &str) -> String {
    format!("/tags/{slug}")
}

impl CardView {
    pub fn new(c: EntryCard, tz: Tz) -> Self {
        Self {
            kind: c.kind(),
            url: c.kind().entry_path(&c.slug),
            published: c.publish_at.map(|t| show(t, tz)),
            category: c
                .category_slug
                .zip(c.category_name)
                .map(|(slug, name)| Link {
                    url: category_url(&slug),
                    name,
                }),
            image: image(
                c.image_path.as_deref(),
                &c.image_alt,
                "",
                c.image_width,
                c.image_height,
            ),
            title: c.title,
            summary: c.summary,
            byline: c.byline,
        }
    }

    pub fn list(cards: Vec<EntryCard>, tz: Tz) -> Vec<Self> {
        cards.into_iter().map(|c| Self::new(c, tz)).collect()
    }
}

/// A bulletin's issue identity.
#[derive(Debug, Clone, Serialize)]
pub struct BulletinView {
    pub series: String,
    pub number: i32,
    pub year: i32,
}

/// One entry's page.
#[derive(Debug, Clone, Serialize)]
pub struct EntryView {
    pub id: i32,
    /// `article`, `bulletin` or `leaflet`.
    pub kind: EntryKind,
    /// The entry's page.
    pub url: String,
    pub title: String,
    pub summary: String,
    /// The body, rendered and cleaned when it was saved (print with `| safe`).
    pub body_html: SafeHtml,
    pub byline: String,
    /// When it was published, and last changed.
    pub published: Option<ShownTime>,
    pub updated: ShownTime,
    pub category: Option<Link>,
    pub tags: Vec<Link>,
    pub image: Option<ImageView>,
    /// Whether its comments are open (the deadline aside).
    pub comments_open: bool,
    /// A bulletin's issue: series, number, year.
    pub bulletin: Option<BulletinView>,
    /// A leaflet's print format: `a4`, `a4-duplex`, `trifold`.
    pub leaflet_format: Option<&'static str>,
}

impl EntryView {
    pub fn new(e: Entry, category: Option<Category>, tags: Vec<Tag>, tz: Tz) -> Self {
        let bulletin = match (e.kind, e.bulletin_number, e.bulletin_year) {
            (EntryKind::Bulletin, Some(number), Some(year)) => Some(BulletinView {
                series: e.bulletin_series.clone().unwrap_or_default(),
                number,
                year,
            }),
            _ => None,
        };
        Self {
            id: e.id,
            kind: e.kind,
            url: e.kind.entry_path(&e.slug),
            published: e.publish_at.map(|t| show(t, tz)),
            updated: show(e.updated_at, tz),
            category: category.map(|c| Link {
                url: category_url(&c.slug),
                name: c.name,
            }),
            tags: tags
                .into_iter()
                .map(|t| Link {
                    url: tag_url(&t.slug),
                    name: t.name,
                })
                .collect(),
            image: image(
                e.image_path.as_deref(),
                &e.image_alt,
                &e.image_caption,
                e.image_width,
                e.image_height,
            ),
            comments_open: e.comments_open,
            bulletin,
            leaflet_format: e.leaflet_format().map(|f| f.as_str()),
            body_html: SafeHtml::trusted(e.body_html),
            title: e.title,
            summary: e.summary,
            byline: e.byline,
        }
    }
}

/// A comment as readers see it: never the email address.
#[derive(Debug, Clone, Serialize)]
pub struct CommentView {
    pub id: i32,
    pub author_name: String,
    pub author_url: Option<String>,
    pub created: ShownTime,
    pub content_html: SafeHtml,
    /// Awaiting moderation: shown only to the browser that posted it
    /// (and to moderators), without links.
    pub pending: bool,
    /// A reply in the department's name.
    pub official: bool,
    /// Why a rule held it (moderators see this).
    pub held_by: String,
}

/// The notes that stand in for masked personal data, from the theme's
/// catalogue (see `domain::moderation::mask_personal`).
pub fn mask_notes(theme: &crate::render::templates::Theme) -> MaskNotes {
    MaskNotes {
        phone: theme.message("mask_phone"),
        id_number: theme.message("mask_id_number"),
        email: theme.message("mask_email"),
    }
}

impl CommentView {
    pub fn new(c: Comment, tz: Tz, notes: &MaskNotes) -> Self {
        let pending = c.status != crate::domain::comment::CommentStatus::Approved;
        Self {
            id: c.id,
            author_url: if pending { None } else { c.author_url },
            created: show(c.created_at, tz),
            content_html: if pending {
                comment_text::to_html_without_links(&crate::domain::moderation::mask_personal(
                    &c.content, notes,
                ))
            } else {
                SafeHtml::trusted(c.content_html)
            },
            pending,
            official: c.official,
            held_by: c.held_by,
            author_name: c.author_name,
        }
    }
}

/// Maps every comment of a thread to its view.
pub fn thread_views(
    threads: Vec<Thread<Comment>>,
    tz: Tz,
    notes: &MaskNotes,
) -> Vec<Thread<CommentView>> {
    threads
        .into_iter()
        .map(|t| Thread {
            comment: CommentView::new(t.comment, tz, notes),
            replies: thread_views(t.replies, tz, notes),
        })
        .collect()
}

/// A comment in reading order, with the markup needed to nest it: the
/// template opens a reply list after a comment with replies and closes
/// `close` lists after the last reply of a branch. (Flat, because Tera's
/// recursive macros do not work across template inheritance.)
#[derive(Debug, Clone, Serialize)]
pub struct FlatComment {
    #[serde(flatten)]
    pub comment: CommentView,
    pub depth: usize,
    pub has_replies: bool,
    pub close: usize,
}

/// Why a rule held a comment (`domain::moderation::judge`'s reason, as
/// stored in `held_by`), in the theme's words: `held_<reason>`, with
/// `{n}` (links) or `{word}` (hold words) filled in. A reason the catalogue
/// has no message for is shown as stored.
pub fn held_reason(messages: &crate::render::templates::Messages, code: &str) -> String {
    let (reason, arg) = code.split_once(':').unwrap_or((code, ""));
    match messages.get(&format!("held_{reason}")) {
        Some(m) => m.replace("{n}", arg).replace("{word}", arg),
        None => code.to_owned(),
    }
}

/// Threads in reading order (see [`FlatComment`]).
pub fn flatten(threads: Vec<Thread<CommentView>>) -> Vec<FlatComment> {
    fn walk(nodes: Vec<Thread<CommentView>>, depth: usize, out: &mut Vec<FlatComment>) {
        for node in nodes {
            let has_replies = !node.replies.is_empty();
            out.push(FlatComment {
                comment: node.comment,
                depth,
                has_replies,
                close: 0,
            });
            if has_replies {
                walk(node.replies, depth + 1, out);
                if let Some(last) = out.last_mut() {
                    last.close += 1;
                }
            }
        }
    }
    let mut out = Vec::new();
    walk(threads, 0, &mut out);
    out
}

/// Page links for a listing.
#[derive(Debug, Clone, Serialize)]
pub struct Pagination {
    pub page: u32,
    pub pages: u32,
    pub total: i64,
    pub prev_url: Option<String>,
    pub next_url: Option<String>,
}

impl Pagination {
    pub fn new(base: &str, page: u32, per_page: u32, total: i64) -> Self {
        Self::build(base, '?', page, per_page, total)
    }

    /// For a `base` that already has a query string (`/search?q=…`).
    pub fn with_query(base: &str, page: u32, per_page: u32, total: i64) -> Self {
        Self::build(base, '&', page, per_page, total)
    }

    fn build(base: &str, sep: char, page: u32, per_page: u32, total: i64) -> Self {
        let pages = (total.max(0) as u64).div_ceil(per_page as u64).max(1) as u32;
        let url = |p: u32| {
            if p == 1 {
                base.to_owned()
            } else {
                format!("{base}{sep}page={p}")
            }
        };
        Self {
            page,
            pages,
            total,
            prev_url: (page > 1).then(|| url(page - 1)),
            next_url: (page < pages).then(|| url(page + 1)),
        }
    }
}

/// An attachment as the editor and the public page list it.
#[derive(Debug, Clone, Serialize)]
pub struct AttachmentView {
    pub id: i32,
    pub url: String,
    pub title: String,
    pub kind: String,
    /// In bytes; printed with the `filesize` filter (`47 KB`).
    pub size: u64,
}

impl AttachmentView {
    pub fn from_row(a: &crate::storage::media::Attachment) -> Self {
        let kind = crate::media::documents::DocKind::from_mime(&a.mime)
            .map(|k| k.ext().to_uppercase())
            .unwrap_or_default();
        AttachmentView {
            id: a.id,
            url: format!("/uploads/{}", a.path),
            title: a.title.clone(),
            kind,
            size: a.size_bytes.max(0) as u64,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pagination_links() {
        let p = Pagination::new("/articles", 1, 10, 25);
        assert_eq!(
            (p.pages, p.prev_url.as_deref(), p.next_url.as_deref()),
            (3, None, Some("/articles?page=2"))
        );
        let p = Pagination::new("/articles", 2, 10, 25);
        assert_eq!(p.prev_url.as_deref(), Some("/articles"));
        let p = Pagination::new("/articles", 1, 10, 0);
        assert_eq!((p.pages, p.next_url), (1, None));
    }
}

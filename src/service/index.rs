//! An entry's row in the search index: the folded text of its fields,
//! its category's name and its tags (written by the save path).

use crate::storage::Db;
use diesel::prelude::*;

use crate::domain::entry::Status;
use crate::domain::slug::fold;
use crate::render::markdown;
use crate::storage::categories;
use crate::storage::entries::{self as store_entries, EntryData};
use crate::storage::search::{self as store, Document};

/// Writes entry `id`'s row (or removes it when the entry is not published
/// or scheduled: whether its time has come is checked when searching).
pub(super) fn index(
    conn: &mut Db,
    id: i32,
    data: &EntryData,
    tag_names: &[String],
) -> QueryResult<()> {
    if !matches!(data.status, Status::Published | Status::Scheduled) {
        return unindex(conn, id);
    }
    let Some(public_at) = store_entries::public_at(data.status, data.publish_at) else {
        return unindex(conn, id);
    };
    let category = match data.category_id {
        Some(c) => categories::find(conn, c)?.name,
        None => String::new(),
    };
    let doc = Document {
        title: fold(&data.title),
        summary: fold(&data.summary),
        body: fold(&searchable_body(
            &data.image_caption,
            &data.image_alt,
            &data.body_md,
        )),
        category: fold(&category),
        tags: fold(&tag_names.join(" ")),
        byline: fold(&data.byline),
        kind: data.kind,
        category_id: data.category_id,
        public_at,
    };
    store::put(conn, id, &doc)
}

/// Drops entry `id` from the index.
pub(super) fn unindex(conn: &mut Db, id: i32) -> QueryResult<()> {
    store::remove(conn, id)
}

/// The text searched as an entry's body (and cut into snippets): the photo
/// caption and description, then the body as plain text.
pub fn searchable_body(caption: &str, alt: &str, body_md: &str) -> String {
    let mut text = String::new();
    for part in [caption, alt] {
        if !part.trim().is_empty() {
            text.push_str(part.trim());
            text.push_str("\n\n");
        }
    }
    text.push_str(&markdown::plain_text(body_md));
    text
}

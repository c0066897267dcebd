//! Page-shaped rows shared by the table modules that list entries
//! (listings, search): a leaf, like `schema`, that any of them may use.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{Integer, Nullable, Text, Timestamp};
use serde::Serialize;

use crate::domain::entry::EntryKind;

/// An entry as listings show it, with its category.
#[derive(Debug, Clone, Queryable, QueryableByName, Serialize)]
pub struct EntryCard {
    #[diesel(sql_type = Integer)]
    pub id: i32,
    /// The kind's name; see [`EntryCard::kind`].
    #[diesel(sql_type = Text)]
    pub kind_name: String,
    #[diesel(sql_type = Text)]
    pub slug: String,
    #[diesel(sql_type = Text)]
    pub title: String,
    #[diesel(sql_type = Text)]
    pub summary: String,
    #[diesel(sql_type = Text)]
    pub byline: String,
    #[diesel(sql_type = Nullable<Timestamp>)]
    pub publish_at: Option<NaiveDateTime>,
    #[diesel(sql_type = Nullable<Text>)]
    pub image_path: Option<String>,
    #[diesel(sql_type = Text)]
    pub image_alt: String,
    #[diesel(sql_type = Nullable<Integer>)]
    pub image_width: Option<i32>,
    #[diesel(sql_type = Nullable<Integer>)]
    pub image_height: Option<i32>,
    #[diesel(sql_type = Nullable<Integer>)]
    pub category_id: Option<i32>,
    #[diesel(sql_type = Nullable<Text>)]
    pub category_slug: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub category_name: Option<String>,
}

impl EntryCard {
    pub fn kind(&self) -> EntryKind {
        // The column's CHECK constraint admits only known kinds.
        self.kind_name.parse().unwrap_or(EntryKind::Article)
    }
}

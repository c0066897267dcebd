//! Rules of the newsroom, free of I/O: entry kinds and states, comment rules
//! and threading, comment deadlines and the on-time figure, Vietnamese slugs
//! and search folding. No actix, diesel or tera here.

pub mod comment;
pub mod deadline;
pub mod document;
pub mod entry;
pub mod entry_form;
pub mod html;
pub mod image;
pub mod leaflet;
pub mod menu;
pub mod moderation;
pub mod page;
pub mod question;
pub mod rating;
pub mod search;
pub mod slug;
pub mod translation;
pub mod user;
pub mod workflow;

/// What a save did: created, changed, or found nothing to change (which
/// makes imports idempotent). Each carries the row's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Saved {
    Created(i32),
    Updated(i32),
    Unchanged(i32),
}

impl Saved {
    pub fn id(self) -> i32 {
        match self {
            Saved::Created(id) | Saved::Updated(id) | Saved::Unchanged(id) => id,
        }
    }
}

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
pub mod moderation;
pub mod search;
pub mod slug;
pub mod user;
pub mod workflow;

//! Rules of the newsroom, free of I/O: entry kinds and states, comment rules
//! and threading, Vietnamese slugs. No actix, diesel or tera here.

pub mod comment;
pub mod entry;
pub mod slug;

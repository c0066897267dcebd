//! Entries in the admin, by job: the filtered [`list`], the editor
//! [`form`] (every field of every kind, preview), [`save`] (new entries,
//! saves and the workflow's moves, delete), [`revisions`] (diffs and
//! restore) and [`attachments`].

mod attachments;
mod form;
mod list;
mod revisions;
mod save;

use actix_web::web;

pub use attachments::{attach, detach};
pub use form::{edit, new, preview};
pub use list::list;
pub use revisions::{diff, restore, revisions};
pub use save::{create, delete, save};

use crate::error::AppError;
use crate::storage::entries::{self, Entry};
use crate::storage::tags;
use crate::web::{AppState, db};

/// An entry with its tag names and its bulletin items' slugs.
async fn load(
    state: &web::Data<AppState>,
    id: i32,
) -> Result<(Entry, Vec<String>, Vec<String>), AppError> {
    db::run(state, move |conn| {
        let e = entries::find(conn, id)?;
        let t = tags::names_for_entry(conn, id)?;
        let items = entries::bulletin_item_slugs(conn, id)?;
        Ok((e, t, items))
    })
    .await
}

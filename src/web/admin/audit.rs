//! `/admin/audit` (admins only): sign-ins, failures, publishing, role
//! changes, deletions — newest first.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;

use super::{AdminBase, page_view};
use crate::error::AppError;
use crate::render::dates::{ShownTime, show};
use crate::storage::audit::{self, Event};
use crate::web::session::Staff;
use crate::web::views::Pagination;
use crate::web::{AppState, db, pages};

const PER_PAGE: u32 = 50;

/// An audit event: its stored fields (`username`, `action`, `target`,
/// `detail`, `ip`) and these.
#[derive(Serialize)]
struct EventView {
    #[serde(flatten)]
    event: Event,
    /// When it happened, in the site's time zone.
    when: ShownTime,
    /// The action in words (`audit_<action>` messages, dots as `_`); a
    /// code without a message is shown as stored.
    action_text: String,
}

/// `admin/audit.html`: a page of the audit log, newest first.
#[derive(Serialize)]
struct AuditPage<'a> {
    #[serde(flatten)]
    admin: AdminBase<'a>,
    /// This page's events.
    events: Vec<EventView>,
    /// Where this page is among the log's pages.
    pagination: Pagination,
}

/// `comment.bulk.approve` → "Duyệt bình luận (hàng loạt)", `user.role` →
/// "Đổi vai trò".
fn action_text(messages: &crate::render::templates::Messages, action: &str) -> String {
    let say = |code: &str| messages.get(&format!("audit_{}", code.replace('.', "_")));
    if let Some(text) = say(action) {
        return text.clone();
    }
    match (
        action.strip_prefix("comment.bulk."),
        messages.get("audit_bulk"),
    ) {
        (Some(one), Some(bulk)) => match say(&format!("comment.{one}")) {
            Some(text) => format!("{text} ({bulk})"),
            None => action.to_owned(),
        },
        _ => action.to_owned(),
    }
}

pub async fn list(
    state: web::Data<AppState>,
    req: HttpRequest,
    staff: Staff,
) -> Result<HttpResponse, AppError> {
    staff.require(staff.role().administers())?;
    let page_no = crate::web::public::page_param(&req)?;
    let (base, (events, total)) = db::run(&state, move |conn| {
        let offset = i64::from(page_no - 1) * i64::from(PER_PAGE);
        Ok((
            pages::load_base(conn)?,
            audit::page(conn, offset, i64::from(PER_PAGE))?,
        ))
    })
    .await?;
    let tz = state.config.tz();
    let messages = staff.theme(&state).messages();
    let events: Vec<EventView> = events
        .into_iter()
        .map(|e| EventView {
            when: show(e.at, tz),
            action_text: action_text(&messages, &e.action),
            event: e,
        })
        .collect();
    let pagination = Pagination::new("/admin/audit", page_no, PER_PAGE, total);
    // Past the last page: 404, as the public listings answer.
    if page_no > pagination.pages {
        return Err(AppError::NotFound);
    }
    let view = AuditPage {
        admin: AdminBase::new(&state, &req, base, &staff),
        events,
        pagination,
    };
    page_view(
        staff.theme(&state),
        "admin/audit.html",
        &view,
        StatusCode::OK,
    )
}

#[cfg(test)]
mod tests {
    use super::action_text;

    #[test]
    fn actions_are_said_in_words_bulk_ones_too_and_unknown_ones_as_stored() {
        let messages = [
            ("audit_user_role", "Đổi vai trò"),
            ("audit_comment_approve", "Duyệt bình luận"),
            ("audit_bulk", "hàng loạt"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        assert_eq!(action_text(&messages, "user.role"), "Đổi vai trò");
        assert_eq!(
            action_text(&messages, "comment.bulk.approve"),
            "Duyệt bình luận (hàng loạt)"
        );
        assert_eq!(
            action_text(&messages, "comment.bulk.fly"),
            "comment.bulk.fly"
        );
        assert_eq!(action_text(&messages, "entry.teleport"), "entry.teleport");
    }
}

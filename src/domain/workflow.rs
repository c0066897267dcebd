//! The editorial workflow: the actions an editor's buttons ask for, the
//! moves each state allows, and who may make them. The editor shows the
//! buttons [`allowed`] gives, and a POST is checked by [`check`], the same
//! rule, so a hidden button is never the only control.
//!
//! The SPEC's flow is `draft → in_review → scheduled | published →
//! archived`. From each state:
//!
//! | from        | save | submit | withdraw | publish | unpublish | archive |
//! |-------------|------|--------|----------|---------|-----------|---------|
//! | draft       | ✓    | ✓      |          | ✓       |           |         |
//! | in_review   | ✓    |        | ✓        | ✓       |           |         |
//! | scheduled   | ✓    |        |          | ✓       | ✓         | ✓       |
//! | published   | ✓    |        |          | ✓       | ✓         | ✓       |
//! | archived    | ✓    |        |          | ✓       |           |         |
//!
//! Editors and admins make every move in the table. Authors, on their own
//! entries only, save and submit a draft and withdraw one in review.
//! Moderators make none.

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDateTime;
use serde::Serialize;

use super::entry::{Status, UnknownValue};
use super::user::Role;

/// What an editor's button asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Keep the changes; the state stays.
    Save,
    /// A draft goes to review.
    Submit,
    /// An entry in review goes back to draft.
    Withdraw,
    /// Published now, or scheduled when its publish time is still to come.
    Publish,
    /// Back to draft: readers no longer see it.
    Unpublish,
    /// Kept, out of the listings.
    Archive,
}

impl Action {
    pub const ALL: [Action; 6] = [
        Self::Save,
        Self::Submit,
        Self::Withdraw,
        Self::Publish,
        Self::Unpublish,
        Self::Archive,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Save => "save",
            Self::Submit => "submit",
            Self::Withdraw => "withdraw",
            Self::Publish => "publish",
            Self::Unpublish => "unpublish",
            Self::Archive => "archive",
        }
    }

    /// The state this action moves an entry in `from` to.
    pub fn target(
        self,
        from: Status,
        publish_at: Option<NaiveDateTime>,
        now: NaiveDateTime,
    ) -> Status {
        match self {
            Self::Save => from,
            Self::Submit => Status::InReview,
            Self::Withdraw | Self::Unpublish => Status::Draft,
            Self::Publish if publish_at.is_some_and(|t| t > now) => Status::Scheduled,
            Self::Publish => Status::Published,
            Self::Archive => Status::Archived,
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Action {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|a| a.as_str() == s)
            .ok_or_else(|| UnknownValue(s.to_owned()))
    }
}

/// The actions that apply to an entry in `from`, whoever asks (the table
/// above).
pub fn moves_from(from: Status) -> &'static [Action] {
    use Action::*;
    match from {
        Status::Draft => &[Save, Submit, Publish],
        Status::InReview => &[Save, Withdraw, Publish],
        Status::Scheduled | Status::Published => &[Save, Publish, Unpublish, Archive],
        Status::Archived => &[Save, Publish],
    }
}

/// Whether `role` may ever ask for `action` on an entry in `from` (written
/// by the user when `own`), leaving aside whether the state allows it.
fn role_may(role: Role, own: bool, from: Status, action: Action) -> bool {
    if role.edits_all() {
        return true;
    }
    role == Role::Author
        && own
        && matches!(
            (from, action),
            (Status::Draft, Action::Save | Action::Submit) | (Status::InReview, Action::Withdraw)
        )
}

/// The buttons the editor shows: the moves from `from` that `role` may make.
pub fn allowed(role: Role, own: bool, from: Status) -> Vec<Action> {
    moves_from(from)
        .iter()
        .copied()
        .filter(|a| role_may(role, own, from, *a))
        .collect()
}

/// Why a move is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// The role may not make it (an author publishing): forbidden.
    Role,
    /// No one makes it from this state (archiving a draft): a conflict
    /// with the entry's state; the message key says why.
    State(&'static str),
}

/// Checks a requested move by the rule that chose the buttons.
pub fn check(role: Role, own: bool, from: Status, action: Action) -> Result<(), Refused> {
    if !role_may(role, own, from, action) {
        return Err(Refused::Role);
    }
    if !moves_from(from).contains(&action) {
        return Err(Refused::State(match action {
            Action::Submit => "entry_move_submit_refused",
            Action::Withdraw => "entry_move_withdraw_refused",
            Action::Unpublish => "entry_move_unpublish_refused",
            Action::Archive => "entry_move_archive_refused",
            // Every state allows these; kept total for a future state.
            Action::Save | Action::Publish => "entry_move_refused",
        }));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use Status::*;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    #[test]
    fn every_action_round_trips_its_name() {
        for a in Action::ALL {
            assert_eq!(a.as_str().parse::<Action>().unwrap(), a);
        }
        assert!("preview".parse::<Action>().is_err());
    }

    #[test]
    fn publishing_schedules_when_the_time_is_still_to_come() {
        let now = at("2026-12-02 10:00");
        let later = Some(at("2026-12-03 08:00"));
        assert_eq!(Action::Publish.target(Draft, later, now), Scheduled);
        assert_eq!(Action::Publish.target(Draft, None, now), Published);
        assert_eq!(Action::Publish.target(InReview, Some(now), now), Published);
        assert_eq!(Action::Save.target(Scheduled, None, now), Scheduled);
        assert_eq!(Action::Archive.target(Published, None, now), Archived);
        assert_eq!(Action::Withdraw.target(InReview, None, now), Draft);
    }

    #[test]
    fn a_draft_is_not_archived_nor_unpublished() {
        for role in [Role::Editor, Role::Admin] {
            assert_eq!(
                check(role, false, Draft, Action::Archive),
                Err(Refused::State("entry_move_archive_refused"))
            );
            assert!(check(role, false, Draft, Action::Unpublish).is_err());
            assert!(check(role, false, Archived, Action::Archive).is_err());
            assert!(check(role, false, Published, Action::Submit).is_err());
            assert_eq!(check(role, false, Published, Action::Archive), Ok(()));
            assert_eq!(check(role, false, InReview, Action::Publish), Ok(()));
        }
    }

    #[test]
    fn authors_keep_to_their_own_drafts() {
        let a = Role::Author;
        assert_eq!(allowed(a, true, Draft), [Action::Save, Action::Submit]);
        assert_eq!(allowed(a, true, InReview), [Action::Withdraw]);
        assert!(allowed(a, true, Published).is_empty());
        assert!(allowed(a, false, Draft).is_empty());
        assert_eq!(check(a, true, Draft, Action::Publish), Err(Refused::Role));
        assert_eq!(check(a, false, Draft, Action::Submit), Err(Refused::Role));
        assert_eq!(check(a, true, InReview, Action::Withdraw), Ok(()));
    }

    #[test]
    fn the_buttons_are_the_moves_the_check_lets_through() {
        for role in Role::ALL {
            for own in [true, false] {
                for from in Status::ALL {
                    let shown = allowed(role, own, from);
                    for a in Action::ALL {
                        assert_eq!(
                            shown.contains(&a),
                            check(role, own, from, a).is_ok(),
                            "{role} {from:?} {a}"
                        );
                    }
                }
            }
        }
        assert!(allowed(Role::Moderator, true, Draft).is_empty());
    }
}

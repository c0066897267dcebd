//! Staff roles and what each may do (the workflow's moves are in
//! [`super::workflow`]).
//!
//! | role      | may                                                        |
//! |-----------|------------------------------------------------------------|
//! | author    | write own drafts, submit them for review                   |
//! | moderator | review comments                                            |
//! | editor    | everything on entries, categories, tags, media; moderate   |
//! | admin     | everything, plus users, settings, the audit log            |

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::entry::{Status, UnknownValue};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Author,
    Moderator,
    Editor,
    Admin,
}

impl Role {
    pub const ALL: [Role; 4] = [Self::Author, Self::Moderator, Self::Editor, Self::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Author => "author",
            Self::Moderator => "moderator",
            Self::Editor => "editor",
            Self::Admin => "admin",
        }
    }

    /// Writes entries (authors only their own drafts).
    pub fn writes(self) -> bool {
        matches!(self, Self::Author | Self::Editor | Self::Admin)
    }

    /// Edits any entry, publishes, schedules, archives; manages categories.
    pub fn edits_all(self) -> bool {
        matches!(self, Self::Editor | Self::Admin)
    }

    /// Reviews comments.
    pub fn moderates(self) -> bool {
        matches!(self, Self::Moderator | Self::Editor | Self::Admin)
    }

    /// Manages users and reads the audit log.
    pub fn administers(self) -> bool {
        self == Self::Admin
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| UnknownValue(s.to_owned()))
    }
}

/// Whether `role` may open the editor on an entry in `status`.
pub fn may_edit(role: Role, own: bool, status: Status) -> bool {
    role.edits_all()
        || (role == Role::Author && own && matches!(status, Status::Draft | Status::InReview))
}

/// Shortest password accepted.
pub const PASSWORD_MIN: usize = 10;

/// Why a password is refused, as a message key; `None` when acceptable.
pub fn password_problem(password: &str, username: &str) -> Option<&'static str> {
    if password.chars().count() < PASSWORD_MIN {
        Some("password_too_short")
    } else if password.eq_ignore_ascii_case(username) {
        Some("password_is_username")
    } else {
        None
    }
}

/// A username: 3–40 of lower-case letters, digits, `.`, `_`, `-`.
pub fn username_ok(name: &str) -> bool {
    (3..=40).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use Status::*;

    #[test]
    fn only_authors_own_drafts_and_editors_open_the_editor() {
        assert!(may_edit(Role::Author, true, Draft));
        assert!(!may_edit(Role::Author, true, Published));
        assert!(!may_edit(Role::Author, false, Draft));
        assert!(may_edit(Role::Editor, false, Archived));
        assert!(!may_edit(Role::Moderator, true, Draft));
    }

    #[test]
    fn passwords_and_usernames() {
        assert_eq!(password_problem("ngắn", "an"), Some("password_too_short"));
        assert_eq!(
            password_problem("phuonguyen", "phuonguyen"),
            Some("password_is_username")
        );
        assert_eq!(password_problem("Mùa thu Hà Nội 2022", "an"), None);
        assert!(username_ok("phuong.uyen"));
        assert!(!username_ok("Phương"));
        assert!(!username_ok("ab"));
    }
}

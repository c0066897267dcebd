//! Conversions that let row structs hold the domain's enums while the
//! database stores their lower-case names (`#[diesel(deserialize_as =
//! String)]` / `serialize_as`), keeping diesel out of `domain`.

use crate::domain::comment::CommentStatus;
use crate::domain::document::DocStatus;
use crate::domain::entry::{EntryKind, LeafletFormat, Status, UnknownValue};
use crate::domain::page::PageStatus;
use crate::domain::user::Role;

macro_rules! text_enum {
    ($($ty:ty),*) => {$(
        impl TryFrom<String> for $ty {
            type Error = UnknownValue;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                s.parse()
            }
        }
        impl From<$ty> for String {
            fn from(v: $ty) -> String {
                v.as_str().to_owned()
            }
        }
    )*};
}

text_enum!(
    EntryKind,
    Status,
    CommentStatus,
    LeafletFormat,
    Role,
    DocStatus,
    PageStatus
);

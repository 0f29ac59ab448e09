//! m3ter's list shape.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Page<T> {
    pub data: Vec<T>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    /// How many records a `modifiedSince` listing brings in all, on its first page only, so a
    /// sync can say "n of total". Not in m3ter's API, whose clients ignore it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<u64>,
}

/// Page sizes the API accepts, and its default.
pub const PAGE_SIZE_MIN: u32 = 1;
pub const PAGE_SIZE_MAX: u32 = 200;
pub const PAGE_SIZE_DEFAULT: u32 = 50;
/// The longest `search=` text a list takes: longer is no one's search, only a costly scan.
pub const SEARCH_MAX_CHARS: usize = 200;

/// What a deleted record leaves in a `modifiedSince` feed: its id, the mark, and when. No
/// personal data: a client needs nothing more to remove the record from its cache.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Tombstone {
    pub id: Uuid,
    pub deleted: bool,
    pub dt_last_modified: Option<DateTime<Utc>>,
}

/// A record that may be a deletion's tombstone.
pub trait MaybeDeleted {
    /// The tombstone to send in the record's place, if it was deleted.
    fn tombstone(&self) -> Option<Tombstone>;
}

impl MaybeDeleted for crate::Invitation {
    fn tombstone(&self) -> Option<Tombstone> {
        tombstone_if(self.deleted, self.id, self.dt_last_modified)
    }
}

/// Events are never deleted.
impl MaybeDeleted for crate::AuditEvent {
    fn tombstone(&self) -> Option<Tombstone> {
        None
    }
}

impl MaybeDeleted for crate::User {
    fn tombstone(&self) -> Option<Tombstone> {
        tombstone_if(self.deleted, self.id, self.dt_last_modified)
    }
}

fn tombstone_if(
    deleted: Option<bool>,
    id: Uuid,
    dt_last_modified: Option<DateTime<Utc>>,
) -> Option<Tombstone> {
    (deleted == Some(true)).then_some(Tombstone {
        id,
        deleted: true,
        dt_last_modified,
    })
}

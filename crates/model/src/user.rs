//! Members of an organisation.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// Active ⇄ Inactive; deletion is final and leaves only a tombstone for sync.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
pub enum UserStatus {
    Active,
    Inactive,
}

impl UserStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "Active",
            Self::Inactive => "Inactive",
        }
    }

    pub fn can_inactivate(self) -> bool {
        self == Self::Active
    }
    pub fn can_reactivate(self) -> bool {
        self == Self::Inactive
    }

    /// What a member reads as at `now`: past the end of their access an Active member is
    /// Inactive everywhere, with nothing rewritten (as a Pending invitation past its expiry
    /// reads as Expired).
    pub fn effective(self, dt_end_access: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Self {
        match dt_end_access {
            Some(end) if end <= now => Self::Inactive,
            _ => self,
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Active, Self::Inactive]
            .into_iter()
            .find(|s| s.as_str().eq_ignore_ascii_case(text))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct User {
    pub id: Uuid,
    #[serde(default)]
    pub version: Option<i64>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub first_name: Option<String>,
    #[serde(default)]
    pub last_name: Option<String>,
    #[serde(default)]
    pub contact_number: Option<String>,
    #[serde(default)]
    pub status: Option<UserStatus>,
    #[serde(default)]
    pub permission_policy_ids: Option<Vec<Uuid>>,
    #[serde(default)]
    pub dt_end_access: Option<DateTime<Utc>>,
    #[serde(default)]
    pub business_id: Option<Uuid>,
    #[serde(default)]
    pub app_id: Option<Uuid>,
    #[serde(default)]
    pub subscription_id: Option<Uuid>,
    #[serde(default)]
    pub role_id: Option<Uuid>,
    #[serde(default)]
    pub dt_created: Option<DateTime<Utc>>,
    #[serde(default)]
    pub dt_last_modified: Option<DateTime<Utc>>,
    #[serde(default)]
    pub created_by: Option<String>,
    #[serde(default)]
    pub last_modified_by: Option<String>,
    /// Who `createdBy` names (a service user's or a person's name): filled in by the client
    /// from the names it has cached, never sent by the server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by_name: Option<String>,
    /// Who `lastModifiedBy` names, as `createdByName`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified_by_name: Option<String>,
    /// Only in `modifiedSince` listings: the user was deleted (a tombstone).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted: Option<bool>,
}

/// `PUT /users/{id}`: policies and access end date, guarded by `version`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UserUpdate {
    pub version: i64,
    /// Left out, as m3ter's clients do when they change only the access end: kept as is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permission_policy_ids: Option<Vec<Uuid>>,
    #[serde(default)]
    pub dt_end_access: Option<DateTime<Utc>>,
}

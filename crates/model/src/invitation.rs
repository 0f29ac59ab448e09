//! Invitations: the read shape, the create request, the edit request and the status rules.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// Pending → Accepted | Declined | Expired (by time) | Revoked; Expired → Pending (resend).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
pub enum InvitationStatus {
    Pending,
    Accepted,
    Declined,
    Expired,
    Revoked,
}

impl InvitationStatus {
    pub const ALL: [InvitationStatus; 5] = [
        Self::Pending,
        Self::Accepted,
        Self::Declined,
        Self::Expired,
        Self::Revoked,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "Pending",
            Self::Accepted => "Accepted",
            Self::Declined => "Declined",
            Self::Expired => "Expired",
            Self::Revoked => "Revoked",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str().eq_ignore_ascii_case(text))
    }

    /// The status a reader sees: a Pending invitation past its expiry is Expired at once,
    /// without waiting for any background job.
    pub fn effective(self, dt_expiry: DateTime<Utc>, now: DateTime<Utc>) -> Self {
        if self == Self::Pending && dt_expiry <= now {
            Self::Expired
        } else {
            self
        }
    }

    /// What m3ter's own API lets a client know: it has no status field.
    pub fn derive_from_m3ter(
        accepted: Option<bool>,
        dt_expiry: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Self {
        match (accepted, dt_expiry) {
            (Some(true), _) => Self::Accepted,
            (_, Some(expiry)) if expiry <= now => Self::Expired,
            _ => Self::Pending,
        }
    }

    pub fn can_edit(self) -> bool {
        matches!(self, Self::Pending | Self::Expired)
    }
    pub fn can_resend(self) -> bool {
        matches!(self, Self::Pending | Self::Expired)
    }
    pub fn can_revoke(self) -> bool {
        self == Self::Pending
    }
    pub fn can_delete(self) -> bool {
        self != Self::Accepted
    }
}

/// Where the invitation e-mail is: waiting (or retrying after a failure, with the error),
/// delivered, or given up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum DeliveryStatus {
    Queued,
    Sent,
    Failed,
}

impl DeliveryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Sent => "sent",
            Self::Failed => "failed",
        }
    }
}

/// An invitation as read from the API. Every field but `id` is optional because m3ter's own
/// API may omit them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Invitation {
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
    pub permission_policy_ids: Option<Vec<Uuid>>,
    #[serde(default)]
    pub dt_end_access: Option<DateTime<Utc>>,
    #[serde(default)]
    pub dt_expiry: Option<DateTime<Utc>>,
    #[serde(default)]
    pub inviting_principal_id: Option<Uuid>,
    #[serde(default)]
    pub accepted: Option<bool>,
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
    #[serde(default)]
    pub status: Option<InvitationStatus>,
    #[serde(default)]
    pub existing_user: Option<bool>,
    /// m3ter's name for `existingUser`: the invitee already has an account.
    #[serde(default)]
    pub m3ter_user: Option<bool>,
    #[serde(default)]
    pub business_id: Option<Uuid>,
    #[serde(default)]
    pub app_id: Option<Uuid>,
    #[serde(default)]
    pub subscription_id: Option<Uuid>,
    #[serde(default)]
    pub role_id: Option<Uuid>,
    #[serde(default)]
    pub dt_last_sent: Option<DateTime<Utc>>,
    #[serde(default)]
    pub send_count: Option<i64>,
    #[serde(default)]
    pub delivery_status: Option<DeliveryStatus>,
    /// The last delivery error, while retrying or after giving up.
    #[serde(default)]
    pub delivery_error: Option<String>,
    /// Only in `modifiedSince` listings: the invitation was deleted (a tombstone).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted: Option<bool>,
}

impl Invitation {
    /// The status to show: the server's when it sends one, else derived as m3ter clients must.
    pub fn status_at(&self, now: DateTime<Utc>) -> InvitationStatus {
        match (self.status, self.dt_expiry) {
            (Some(status), Some(expiry)) => status.effective(expiry, now),
            (Some(status), None) => status,
            (None, expiry) => InvitationStatus::derive_from_m3ter(self.accepted, expiry, now),
        }
    }
}

/// `POST /invitations`. Names and contact number are required for a new person and optional
/// for an existing user.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NewInvitation {
    pub email: String,
    #[serde(default)]
    pub first_name: Option<String>,
    #[serde(default)]
    pub last_name: Option<String>,
    #[serde(default)]
    pub contact_number: Option<String>,
    #[serde(default)]
    pub permission_policy_ids: Vec<Uuid>,
    #[serde(default)]
    pub dt_end_access: Option<DateTime<Utc>>,
    /// Defaults to 30 days from now.
    #[serde(default)]
    pub dt_expiry: Option<DateTime<Utc>>,
    /// The invitee already has an account. m3ter's API calls it `m3terUser`, which is taken
    /// as the same field.
    #[serde(default, alias = "m3terUser")]
    pub existing_user: bool,
    #[serde(default)]
    pub business_id: Option<Uuid>,
    #[serde(default)]
    pub app_id: Option<Uuid>,
    #[serde(default)]
    pub subscription_id: Option<Uuid>,
    #[serde(default)]
    pub role_id: Option<Uuid>,
}

/// `PUT /invitations/{id}`: replaces the editable fields. The e-mail is not editable (a new
/// address is a new invitation); `dtExpiry` may be left out to keep it, and an Expired
/// invitation gets a new expiry only through resend.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InvitationUpdate {
    pub version: i64,
    #[serde(default)]
    pub first_name: Option<String>,
    #[serde(default)]
    pub last_name: Option<String>,
    #[serde(default)]
    pub contact_number: Option<String>,
    #[serde(default)]
    pub permission_policy_ids: Vec<Uuid>,
    #[serde(default)]
    pub dt_end_access: Option<DateTime<Utc>>,
    #[serde(default)]
    pub dt_expiry: Option<DateTime<Utc>>,
    #[serde(default)]
    pub business_id: Option<Uuid>,
    #[serde(default)]
    pub app_id: Option<Uuid>,
    #[serde(default)]
    pub subscription_id: Option<Uuid>,
    #[serde(default)]
    pub role_id: Option<Uuid>,
}

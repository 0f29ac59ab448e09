//! "My invitations": a Pending invitation addressed to the signed-in person's account, in any
//! organisation, as `GET /account/invitations` lists it and the desktop's bell shows it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AccountInvitation {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub organization_name: String,
    /// Who sent it, as the invitation e-mail names them.
    pub invited_by: String,
    pub app: Option<String>,
    pub subscription: Option<String>,
    pub role: Option<String>,
    /// The permission policies the membership will have, by name.
    pub permission_policies: Vec<String>,
    pub dt_expiry: DateTime<Utc>,
    pub dt_end_access: Option<DateTime<Utc>>,
}

/// What accepting or declining one did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AccountInvitationOutcome {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub organization_name: String,
    /// `Accepted` or `Declined`.
    pub status: crate::InvitationStatus,
}

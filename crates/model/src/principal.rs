//! `GET /me`: who the caller is and what it may do, so a client can hide what it may not.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::permission::Permission;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Me {
    pub principal_id: Uuid,
    pub name: String,
    pub organization_id: Uuid,
    pub organization_name: String,
    pub permission_policy_ids: Vec<Uuid>,
    /// Every permission the principal holds, from [`Permission::ALL`].
    pub permissions: Vec<Permission>,
}

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

/// `GET /users/me`, in m3ter's shape (the organisation and the service user calling), with
/// the fields of [`Me`] beside them for clients of the extended API.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UsersMe {
    pub organization: MeOrganization,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_user: Option<MeServiceUser>,
    #[serde(flatten)]
    pub me: Me,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MeOrganization {
    pub id: Uuid,
    pub org_id: Uuid,
    pub organization_name: String,
    pub version: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MeServiceUser {
    pub id: Uuid,
    pub name: String,
    pub version: i64,
}

/// A service user as m3ter's `GET /serviceusers` lists it: who a `createdBy` id names.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ServiceUser {
    pub id: Uuid,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub version: Option<i64>,
    #[serde(default)]
    pub dt_created: Option<chrono::DateTime<chrono::Utc>>,
}

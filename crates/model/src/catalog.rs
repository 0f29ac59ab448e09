//! The placement catalogue: business → app → subscription (with seats) and role.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Business {
    pub id: Uuid,
    #[serde(default)]
    pub name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct App {
    pub id: Uuid,
    #[serde(default)]
    pub business_id: Option<Uuid>,
    #[serde(default)]
    pub name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Subscription {
    pub id: Uuid,
    #[serde(default)]
    pub business_id: Option<Uuid>,
    #[serde(default)]
    pub app_id: Option<Uuid>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub seats: Option<Seats>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Role {
    pub id: Uuid,
    #[serde(default)]
    pub app_id: Option<Uuid>,
    #[serde(default)]
    pub name: Option<String>,
}

/// Active members and Pending, unexpired invitations placed in a subscription use its seats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Seats {
    pub limit: i64,
    pub used: i64,
    pub pending: i64,
    pub available: i64,
}

impl Seats {
    pub fn new(limit: i64, used: i64, pending: i64) -> Self {
        Self {
            limit,
            used,
            pending,
            available: (limit - used - pending).max(0),
        }
    }
}

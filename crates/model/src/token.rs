//! The OAuth2 token response: client credentials (a service user), or the authorization
//! code and refresh grants of a person, which also carry the next refresh token.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TokenResponse {
    pub access_token: String,
    pub token_type: String,
    pub expires_in: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    /// For a person: the organisation the sign-in is for (the one they chose on the page).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<uuid::Uuid>,
}

//! The one error body every endpoint answers with.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::validate::FieldError;

/// `{"message"}` is m3ter's error shape; `code`, `field`, `permission` and `errors` extend it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ErrorBody {
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// For a 403: the permission that is missing, as `action on resource`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permission: Option<String>,
    /// For a validation failure: every invalid field, not only the first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// For a conflict with another record (a live invitation for the same e-mail): its id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conflicting_id: Option<uuid::Uuid>,
}

impl ErrorBody {
    pub fn new(message: impl Into<String>, code: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            code: Some(code.into()),
            field: None,
            permission: None,
            errors: Vec::new(),
            conflicting_id: None,
        }
    }
}

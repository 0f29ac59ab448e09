//! The one error shape every command answers with: `{kind, message, field?, ...}`, so the UI
//! can put a message next to its field, name a missing permission, or link a conflict.

use invitedesk_client::api::ApiError;
use invitedesk_client::cache::CacheError;
use invitedesk_client::creds::CredsError;
use invitedesk_client::session::SessionError;
use invitedesk_client::sync::SyncError;
use invitedesk_model::FieldError;
use serde::Serialize;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CommandError {
    /// offline, unauthorized, forbidden, notFound, conflict, validation, rateLimited,
    /// unsupported, server, keyring, cache, noProfile, cancelled.
    pub kind: &'static str,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permission: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conflicting_id: Option<Uuid>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

pub type CommandResult<T> = Result<T, CommandError>;

impl CommandError {
    pub fn new(kind: &'static str, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            field: None,
            code: None,
            permission: None,
            conflicting_id: None,
            errors: Vec::new(),
        }
    }

    pub fn no_profile() -> Self {
        Self::new(
            "noProfile",
            "No connection profile is open: add or choose one first",
        )
    }

    fn invalid(errors: Vec<FieldError>) -> Self {
        let message = match errors.len() {
            1 => errors[0].message.clone(),
            n => format!("{n} fields need attention"),
        };
        Self {
            field: errors.first().map(|e| e.field.clone()),
            errors,
            ..Self::new("validation", message)
        }
    }
}

impl From<ApiError> for CommandError {
    fn from(error: ApiError) -> Self {
        let message = error.to_string();
        match error {
            ApiError::Offline(_) => {
                Self::new("offline", "The server cannot be reached: you are offline")
            }
            ApiError::Unauthorized(_) => Self::new("unauthorized", message),
            ApiError::Forbidden { permission } => Self {
                permission: Some(permission),
                ..Self::new("forbidden", message)
            },
            ApiError::NotFound => Self::new("notFound", "It no longer exists on the server"),
            ApiError::Conflict {
                code,
                message,
                conflicting_id,
            } => Self {
                code: Some(code),
                conflicting_id,
                ..Self::new("conflict", message)
            },
            ApiError::Validation {
                field,
                rule,
                message,
                errors,
            } => Self {
                field: Some(field).filter(|f| !f.is_empty()),
                code: Some(rule),
                errors,
                ..Self::new("validation", message)
            },
            ApiError::RateLimited { .. } => Self::new("rateLimited", message),
            ApiError::Unsupported(_) => Self::new("unsupported", message),
            ApiError::Server(_) => Self::new("server", message),
        }
    }
}

impl From<CacheError> for CommandError {
    fn from(error: CacheError) -> Self {
        Self::new("cache", error.to_string())
    }
}

impl From<CredsError> for CommandError {
    fn from(error: CredsError) -> Self {
        Self::new("keyring", error.to_string())
    }
}

impl From<SyncError> for CommandError {
    fn from(error: SyncError) -> Self {
        match error {
            SyncError::Api(e) => e.into(),
            SyncError::Cache(e) => e.into(),
        }
    }
}

impl From<SessionError> for CommandError {
    fn from(error: SessionError) -> Self {
        match error {
            SessionError::Api(e) => e.into(),
            SessionError::Cache(e) => e.into(),
            SessionError::Sync(e) => e.into(),
            SessionError::Creds(e) => e.into(),
            SessionError::Invalid(errors) => Self::invalid(errors),
        }
    }
}

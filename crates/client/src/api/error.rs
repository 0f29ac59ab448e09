//! The one error enum of the API client: what the UI needs to tell the user, not HTTP details.

use invitedesk_model::{ErrorBody, FieldError};
use reqwest::StatusCode;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ApiError {
    /// The server could not be reached (no network, server down, timed out).
    #[error("offline: {0}")]
    Offline(String),
    /// The credentials were refused.
    #[error("the credentials were refused: {0}")]
    Unauthorized(String),
    /// The principal lacks a permission, named as `action on resource`.
    #[error("missing permission: {permission}")]
    Forbidden { permission: String },
    #[error("not found")]
    NotFound,
    /// The request conflicts with the current state (`code`: seats_exhausted, version_conflict,
    /// invitation_exists, invalid_status, already_member, …).
    #[error("{message}")]
    Conflict {
        code: String,
        message: String,
        conflicting_id: Option<Uuid>,
    },
    /// A field breaks a rule; `errors` lists every broken rule when the server said so.
    #[error("{message}")]
    Validation {
        field: String,
        rule: String,
        message: String,
        errors: Vec<FieldError>,
    },
    /// Too many requests; the server asked to wait this many seconds.
    #[error("rate limited: try again in {retry_after_secs} s")]
    RateLimited { retry_after_secs: u64 },
    /// The API does not offer this action (an m3ter-only API has no resend, for example).
    #[error("not supported by this API: {0}")]
    Unsupported(&'static str),
    /// The server failed, or answered something this client cannot read.
    #[error("server error: {0}")]
    Server(String),
}

impl ApiError {
    /// A rule broken on this side, before anything was sent.
    pub fn invalid_field(error: FieldError) -> Self {
        ApiError::Validation {
            field: error.field.clone(),
            rule: error.rule.code(),
            message: error.message.clone(),
            errors: vec![error],
        }
    }

    /// Maps a non-success answer with its `{message, code, field}` body.
    pub fn from_answer(status: StatusCode, body: &str, retry_after_secs: Option<u64>) -> Self {
        let parsed: Option<ErrorBody> = serde_json::from_str(body).ok();
        let message = parsed
            .as_ref()
            .map(|b| b.message.clone())
            .unwrap_or_else(|| body.chars().take(200).collect());
        let code = parsed
            .as_ref()
            .and_then(|b| b.code.clone())
            .unwrap_or_default();
        match status {
            StatusCode::UNAUTHORIZED => ApiError::Unauthorized(message),
            StatusCode::FORBIDDEN => ApiError::Forbidden {
                permission: parsed.and_then(|b| b.permission).unwrap_or(message),
            },
            StatusCode::NOT_FOUND => ApiError::NotFound,
            StatusCode::CONFLICT => ApiError::Conflict {
                code,
                message,
                conflicting_id: parsed.and_then(|b| b.conflicting_id),
            },
            StatusCode::TOO_MANY_REQUESTS => ApiError::RateLimited {
                retry_after_secs: retry_after_secs.unwrap_or(1),
            },
            s if s.is_client_error() => {
                let (field, errors) = parsed
                    .map(|b| (b.field.unwrap_or_default(), b.errors))
                    .unwrap_or_default();
                ApiError::Validation {
                    field,
                    rule: code,
                    message,
                    errors,
                }
            }
            s => ApiError::Server(format!("{s}: {message}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_map_to_what_the_ui_needs() {
        let forbidden = ApiError::from_answer(
            StatusCode::FORBIDDEN,
            r#"{"message":"missing permission: x","code":"forbidden","permission":"config:create on config:orgUserInvitation/*"}"#,
            None,
        );
        assert_eq!(
            forbidden,
            ApiError::Forbidden {
                permission: "config:create on config:orgUserInvitation/*".into()
            }
        );
        let invalid = ApiError::from_answer(
            StatusCode::BAD_REQUEST,
            r#"{"message":"email must be one address","code":"invalid_email","field":"email"}"#,
            None,
        );
        assert!(
            matches!(invalid, ApiError::Validation { ref field, ref rule, .. } if field == "email" && rule == "invalid_email")
        );
        assert_eq!(
            ApiError::from_answer(StatusCode::BAD_GATEWAY, "<html>", None),
            ApiError::Server("502 Bad Gateway: <html>".into())
        );
    }
}

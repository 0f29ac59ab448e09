//! The one error shape every command answers with: `{kind, message, field?, ...}`, so the UI
//! can put a message next to its field, name a missing permission, or link a conflict.

use invitedesk_client::api::ApiError;
use invitedesk_client::cache::CacheError;
use invitedesk_client::creds::CredsError;
use invitedesk_client::import::ImportError;
use invitedesk_client::session::SessionError;
use invitedesk_client::sync::SyncError;
use invitedesk_model::FieldError;
use serde::Serialize;
use uuid::Uuid;

/// What went wrong, as the UI switches on it (`kind` in the JSON, camelCase).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ErrorKind {
    /// The server cannot be reached.
    Offline,
    /// The credentials were refused.
    Unauthorized,
    /// The principal lacks `permission`.
    Forbidden,
    /// The record (or profile) does not exist.
    NotFound,
    /// The server refused it against the state of things: `code` says which rule, and
    /// `conflictingId` names the record in the way.
    Conflict,
    /// Input broke a rule: `errors` names every field.
    Validation,
    RateLimited,
    /// The API does not offer it (m3ter's own API).
    Unsupported,
    /// The server failed.
    Server,
    /// The OS keyring refused or has no entry.
    Keyring,
    /// The local cache or a local file failed.
    Cache,
    /// No connection profile is open.
    NoProfile,
}

impl ErrorKind {
    pub const ALL: [ErrorKind; 12] = [
        Self::Offline,
        Self::Unauthorized,
        Self::Forbidden,
        Self::NotFound,
        Self::Conflict,
        Self::Validation,
        Self::RateLimited,
        Self::Unsupported,
        Self::Server,
        Self::Keyring,
        Self::Cache,
        Self::NoProfile,
    ];
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CommandError {
    pub kind: ErrorKind,
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
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
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
            ErrorKind::NoProfile,
            "No connection profile is open: add or choose one first",
        )
    }

    fn invalid(errors: Vec<FieldError>) -> Self {
        let errors: Vec<FieldError> = errors.into_iter().map(readable).collect();
        let message = match errors.len() {
            1 => errors[0].message.clone(),
            n => format!("{n} fields need attention"),
        };
        Self {
            field: errors.first().map(|e| e.field.clone()),
            errors,
            ..Self::new(ErrorKind::Validation, message)
        }
    }
}

/// What each wire field is called on screen.
const FIELD_LABELS: [(&str, &str); 16] = [
    ("email", "E-mail"),
    ("firstName", "First name"),
    ("lastName", "Last name"),
    ("contactNumber", "Contact number"),
    ("permissionPolicyIds", "Permission policies"),
    ("dtEndAccess", "Access end"),
    ("dtExpiry", "Expiry"),
    ("businessId", "Business"),
    ("appId", "App"),
    ("subscriptionId", "Subscription"),
    ("roleId", "Role"),
    ("baseUrl", "API address"),
    ("orgId", "Organisation id"),
    ("accessKeyId", "Access key id"),
    ("apiSecret", "API secret"),
    ("version", "Version"),
];

/// A rule's message with its wire field names as the screen names them ("firstName is
/// required" reads "First name is required"); the rule itself is the model's, unchanged.
pub fn in_words(message: &str) -> String {
    let words: Vec<String> = message
        .split(' ')
        .enumerate()
        .map(|(at, word)| {
            let bare = word.trim_end_matches([',', '.', ':', ';']);
            match FIELD_LABELS.iter().find(|(wire, _)| *wire == bare) {
                Some((_, label)) => {
                    let label = match at {
                        0 => (*label).to_owned(),
                        _ => lower_first(label),
                    };
                    format!("{label}{}", &word[bare.len()..])
                }
                None => word.to_owned(),
            }
        })
        .collect();
    upper_first(&words.join(" "))
}

fn upper_first(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

fn lower_first(label: &str) -> String {
    // "E-mail" and "API address" keep their capitals mid-sentence.
    if label.starts_with("E-") || label.starts_with("API") {
        return label.to_owned();
    }
    let mut chars = label.chars();
    chars
        .next()
        .map(|c| c.to_lowercase().chain(chars).collect())
        .unwrap_or_default()
}

/// A field error as the UI shows it: the model's rule, in words.
pub fn readable(error: FieldError) -> FieldError {
    FieldError {
        message: in_words(&error.message),
        ..error
    }
}

impl From<ApiError> for CommandError {
    fn from(error: ApiError) -> Self {
        let message = error.to_string();
        match error {
            ApiError::Offline(_) => Self::new(
                ErrorKind::Offline,
                "The server cannot be reached: you are offline",
            ),
            ApiError::Unauthorized(_) => Self::new(ErrorKind::Unauthorized, message),
            ApiError::Forbidden { permission } => Self {
                permission: Some(permission),
                ..Self::new(ErrorKind::Forbidden, message)
            },
            ApiError::NotFound => {
                Self::new(ErrorKind::NotFound, "It no longer exists on the server")
            }
            ApiError::Conflict {
                code,
                message,
                conflicting_id,
            } => Self {
                code: Some(code),
                conflicting_id,
                ..Self::new(ErrorKind::Conflict, message)
            },
            ApiError::Validation {
                field,
                rule,
                message,
                errors,
            } => Self {
                field: Some(field).filter(|f| !f.is_empty()),
                code: Some(rule),
                errors: errors.into_iter().map(readable).collect(),
                ..Self::new(ErrorKind::Validation, in_words(&message))
            },
            ApiError::RateLimited { .. } => Self::new(ErrorKind::RateLimited, message),
            ApiError::Unsupported(_) => Self::new(ErrorKind::Unsupported, message),
            ApiError::Server(_) => Self::new(ErrorKind::Server, message),
        }
    }
}

/// A file that cannot be imported at all: its reason, at the file (a row's problem is that
/// row's, in the preview).
impl From<ImportError> for CommandError {
    fn from(error: ImportError) -> Self {
        Self {
            field: Some("file".into()),
            ..Self::new(ErrorKind::Validation, upper_first(&error.to_string()))
        }
    }
}

impl From<CacheError> for CommandError {
    fn from(error: CacheError) -> Self {
        Self::new(ErrorKind::Cache, error.to_string())
    }
}

impl From<CredsError> for CommandError {
    fn from(error: CredsError) -> Self {
        Self::new(ErrorKind::Keyring, error.to_string())
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The UI switches on these strings (ui/api.js): they change only with it.
    #[test]
    fn the_kinds_json_is_pinned() {
        let names: Vec<String> = ErrorKind::ALL
            .iter()
            .map(|k| {
                serde_json::to_value(k)
                    .unwrap()
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect();
        assert_eq!(
            names,
            [
                "offline",
                "unauthorized",
                "forbidden",
                "notFound",
                "conflict",
                "validation",
                "rateLimited",
                "unsupported",
                "server",
                "keyring",
                "cache",
                "noProfile"
            ]
        );
    }

    #[test]
    fn field_names_read_as_the_screen_names_them() {
        assert_eq!(
            in_words("firstName is required for a new person"),
            "First name is required for a new person"
        );
        assert_eq!(
            in_words("appId needs businessId as well"),
            "App needs business as well"
        );
        assert_eq!(
            in_words("choose at least one permission policy"),
            "Choose at least one permission policy"
        );
        assert_eq!(
            in_words("email must be one bare address like name@example.com"),
            "E-mail must be one bare address like name@example.com"
        );
    }

    #[test]
    fn an_error_reads_as_kind_message_and_only_the_parts_it_has() {
        let error = CommandError {
            permission: Some("config:create on config:orgUserInvitation/*".into()),
            ..CommandError::new(ErrorKind::Forbidden, "no")
        };
        assert_eq!(
            serde_json::to_value(&error).unwrap(),
            serde_json::json!({
                "kind": "forbidden",
                "message": "no",
                "permission": "config:create on config:orgUserInvitation/*"
            })
        );
    }
}

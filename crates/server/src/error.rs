//! The server's one error type. Each variant is mapped to its HTTP status once, in
//! `http::error`.

use invitedesk_model::{FieldError, Permission};
use uuid::Uuid;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// 400: the request breaks a domain rule; every broken rule is listed.
    #[error("{}", .0.first().map(|e| e.message.as_str()).unwrap_or("invalid request"))]
    Validation(Vec<FieldError>),
    /// 400: a malformed parameter or body.
    #[error("{message}")]
    BadRequest {
        code: &'static str,
        message: String,
        field: Option<&'static str>,
    },
    /// 401: no valid credentials.
    #[error("{0}")]
    Unauthorized(&'static str),
    /// 403: the principal lacks a permission.
    #[error("missing permission: {}", .0.describe())]
    Forbidden(Permission),
    /// 404: nothing of that kind with that id in the caller's organisation.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// 409: the request conflicts with the current state.
    #[error("{message}")]
    Conflict {
        code: &'static str,
        message: String,
        conflicting_id: Option<Uuid>,
    },
    /// 413: the body is over the limit.
    #[error("request body is larger than the limit")]
    PayloadTooLarge,
    /// 415: the body is not JSON (or a form, where one is accepted).
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// 422: an Idempotency-Key reused with a different request.
    #[error("this Idempotency-Key was already used with a different request")]
    IdempotencyKeyReused,
    /// 429: too many sends; retry after the given seconds.
    #[error("{what}: try again in {retry_after_secs} s")]
    RateLimited {
        what: &'static str,
        retry_after_secs: u64,
    },
    /// 500: logged in full, answered without detail.
    #[error("internal error")]
    Internal(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn invalid_status(what: &str, status: &str, action: &str) -> Self {
        Error::Conflict {
            code: "invalid_status",
            message: format!("cannot {action} a {status} {what}"),
            conflicting_id: None,
        }
    }

    pub fn stale_version() -> Self {
        Error::Conflict {
            code: "version_conflict",
            message: "someone else changed this record: reload it and try again".into(),
            conflicting_id: None,
        }
    }

    /// Another request changed the same thing at the same moment (on another instance, say)
    /// and the database refused the second: nothing was written, and trying again is safe.
    pub fn concurrent_change() -> Self {
        Error::Conflict {
            code: "concurrent_change",
            message: "this was changed by another request at the same moment: try again".into(),
            conflicting_id: None,
        }
    }

    pub fn field(error: FieldError) -> Self {
        Error::Validation(vec![error])
    }
}

impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Self {
        Error::Internal(format!("json: {e}"))
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::Internal(format!("io: {e}"))
    }
}

//! How each `Error` answers over HTTP: the status and the `{"message","code","field"}` body.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use invitedesk_model::ErrorBody;

use crate::error::Error;

impl Error {
    pub fn status(&self) -> StatusCode {
        match self {
            Error::Validation(_) | Error::BadRequest { .. } => StatusCode::BAD_REQUEST,
            Error::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Error::Forbidden(_) => StatusCode::FORBIDDEN,
            Error::NotFound(_) => StatusCode::NOT_FOUND,
            Error::Conflict { .. } => StatusCode::CONFLICT,
            Error::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Error::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Error::IdempotencyKeyReused => StatusCode::UNPROCESSABLE_ENTITY,
            Error::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn body(&self) -> ErrorBody {
        let code = match self {
            Error::Validation(errors) => errors.first().map(|e| e.rule.code()).unwrap_or_default(),
            Error::BadRequest { code, .. } | Error::Conflict { code, .. } => (*code).to_owned(),
            Error::Unauthorized(_) => "unauthorized".into(),
            Error::Forbidden(_) => "forbidden".into(),
            Error::NotFound(_) => "not_found".into(),
            Error::PayloadTooLarge => "payload_too_large".into(),
            Error::UnsupportedMediaType(_) => "unsupported_media_type".into(),
            Error::IdempotencyKeyReused => "idempotency_key_reused".into(),
            Error::RateLimited { .. } => "rate_limited".into(),
            Error::Internal(_) => "internal".into(),
        };
        let mut body = ErrorBody::new(self.to_string(), code);
        match self {
            Error::Validation(errors) => {
                body.field = errors.first().map(|e| e.field.clone());
                body.errors = errors.clone();
            }
            Error::BadRequest { field, .. } => body.field = field.map(str::to_owned),
            Error::Forbidden(permission) => body.permission = Some(permission.describe()),
            Error::Conflict { conflicting_id, .. } => body.conflicting_id = *conflicting_id,
            _ => {}
        }
        body
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        if let Error::Internal(detail) = &self {
            tracing::error!(%detail, "request failed");
        }
        let mut response = (self.status(), Json(self.body())).into_response();
        if let Error::RateLimited {
            retry_after_secs, ..
        } = self
        {
            if let Ok(value) = HeaderValue::from_str(&retry_after_secs.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
        }
        if response.status() == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use invitedesk_model::validate::Rule;
    use invitedesk_model::{FieldError, Permission};

    /// The JSON clients switch on: pinned, so a change to it is a deliberate one.
    #[test]
    fn error_bodies_keep_their_shape() {
        let forbidden =
            serde_json::to_value(Error::Forbidden(Permission::CreateInvitation).body()).unwrap();
        assert_eq!(
            forbidden,
            serde_json::json!({
                "message": "missing permission: config:create on config:orgUserInvitation/*",
                "code": "forbidden",
                "permission": "config:create on config:orgUserInvitation/*"
            })
        );
        let invalid = Error::field(FieldError::new("email", Rule::InvalidEmail, "bad e-mail"));
        let body = serde_json::to_value(invalid.body()).unwrap();
        assert_eq!(body["code"], "invalid_email");
        assert_eq!(body["field"], "email");
        assert_eq!(body["errors"][0]["rule"], "invalid_email");
        assert_eq!(
            Error::NotFound("invitation").status(),
            StatusCode::NOT_FOUND
        );
    }
}

//! `POST /oauth/token`: OAuth2 client credentials, as m3ter's API takes them.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::Json;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use invitedesk_model::{ErrorBody, TokenResponse};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::auth;
use crate::error::{Error, Result};
use crate::AppState;

/// The body, as a form or as JSON. Credentials normally come in HTTP Basic; `client_id` and
/// `client_secret` in the body are accepted too, as RFC 6749 allows.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct TokenRequest {
    grant_type: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
}

#[utoipa::path(post, path = "/oauth/token", tag = "auth",
    request_body(content = TokenRequest, content_type = "application/x-www-form-urlencoded"),
    responses((status = 200, body = TokenResponse), (status = "4XX", body = ErrorBody)))]
pub async fn token(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<TokenResponse>> {
    let request = parse_body(&headers, &body)?;
    if request.grant_type.as_deref() != Some("client_credentials") {
        return Err(Error::BadRequest {
            code: "unsupported_grant_type",
            message: "grant_type must be client_credentials".into(),
            field: Some("grant_type"),
        });
    }
    let (key_id, secret) = basic_credentials(&headers)
        .or_else(|| Some((request.client_id?, request.client_secret?)))
        .ok_or(Error::Unauthorized(
            "client credentials are required (HTTP Basic accessKeyId:apiSecret)",
        ))?;
    let token = auth::issue_token(&state, &key_id, &secret).await?;
    Ok(Json(TokenResponse {
        access_token: token,
        token_type: "Bearer".into(),
        expires_in: state.config.token_ttl_secs,
    }))
}

fn parse_body(headers: &HeaderMap, body: &Bytes) -> Result<TokenRequest> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let invalid = |e: String| Error::BadRequest {
        code: "invalid_body",
        message: e,
        field: None,
    };
    if content_type.starts_with("application/json") {
        serde_json::from_slice(body)
            .map_err(|e| invalid(format!("the body is not valid JSON: {e}")))
    } else if content_type.starts_with("application/x-www-form-urlencoded") || body.is_empty() {
        serde_urlencoded::from_bytes(body)
            .map_err(|e| invalid(format!("the body is not a valid form: {e}")))
    } else {
        Err(Error::UnsupportedMediaType(
            "the body must be a form (application/x-www-form-urlencoded) or JSON".into(),
        ))
    }
}

fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    Some((id.to_owned(), secret.to_owned()))
}

//! `POST /oauth/token` (OAuth2 client credentials, as m3ter's API takes them) and
//! `POST /oauth/revoke` (RFC 7009). Every answer is `no-store` (RFC 6749 §5.1).

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use invitedesk_model::{ErrorBody, TokenResponse};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::auth;
use crate::error::{Error, Result};
use crate::http::client_address::ClientAddress;
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
    ClientAddress(client): ClientAddress,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    no_store(issue(&state, client, &headers, &body).await)
}

async fn issue(
    state: &AppState,
    client: std::net::IpAddr,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<Json<TokenResponse>> {
    let request: TokenRequest = parse_body(headers, body)?;
    if request.grant_type.as_deref() != Some("client_credentials") {
        return Err(Error::BadRequest {
            code: "unsupported_grant_type",
            message: "grant_type must be client_credentials".into(),
            field: Some("grant_type"),
        });
    }
    let (key_id, secret) = client_credentials(headers, request.client_id, request.client_secret)
        .ok_or(Error::Unauthorized(
            "client credentials are required (HTTP Basic accessKeyId:apiSecret)",
        ))?;
    let token = auth::issue_token(state, client, &key_id, &secret).await?;
    Ok(Json(TokenResponse {
        access_token: token,
        token_type: "Bearer".into(),
        expires_in: state.config.token_ttl_secs,
    }))
}

/// The body of a revocation request (RFC 7009 §2.1), as a form or as JSON.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct RevokeRequest {
    /// The access token to end.
    token: Option<String>,
    /// Only `access_token` is known; any other hint is ignored, as the RFC allows (so it is
    /// described here and never read).
    #[allow(dead_code)]
    token_type_hint: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
}

/// Ends an access token at once. A client that authenticates (HTTP Basic, or `client_id` and
/// `client_secret`) may end only its own tokens; without credentials, holding the token is
/// the proof. An unknown or already ended token is answered 200 too (RFC 7009 §2.2).
#[utoipa::path(post, path = "/oauth/revoke", tag = "auth",
    request_body(content = RevokeRequest, content_type = "application/x-www-form-urlencoded"),
    responses((status = 200, description = "The token no longer works"), (status = "4XX", body = ErrorBody)))]
pub async fn revoke(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    no_store(end_token(&state, client, &headers, &body).await)
}

async fn end_token(
    state: &AppState,
    client: std::net::IpAddr,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<Json<serde_json::Value>> {
    let request: RevokeRequest = parse_body(headers, body)?;
    let token = request
        .token
        .filter(|t| !t.is_empty())
        .ok_or(Error::BadRequest {
            code: "invalid_request",
            message: "token is required".into(),
            field: Some("token"),
        })?;
    let principal = match client_credentials(headers, request.client_id, request.client_secret) {
        Some((key_id, secret)) => Some(
            auth::authenticate_client(state, client, &key_id, &secret)
                .await?
                .0,
        ),
        None => None,
    };
    auth::revoke_token(state, &token, principal).await?;
    Ok(Json(serde_json::json!({})))
}

/// Answers that carry or concern tokens are never cached, by the client or anything between.
fn no_store(answer: Result<impl IntoResponse>) -> Response {
    let mut response = answer.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}

/// HTTP Basic first, else `client_id` and `client_secret` from the body, as RFC 6749 allows.
fn client_credentials(
    headers: &HeaderMap,
    client_id: Option<String>,
    client_secret: Option<String>,
) -> Option<(String, String)> {
    basic_credentials(headers).or_else(|| Some((client_id?, client_secret?)))
}

fn parse_body<T: serde::de::DeserializeOwned>(headers: &HeaderMap, body: &Bytes) -> Result<T> {
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

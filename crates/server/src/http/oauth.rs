//! `POST /oauth/token`: client credentials for service users (as m3ter's API takes them), and
//! for people signed in through their browser the authorization code with its PKCE verifier
//! and the rotating refresh token; `POST /oauth/revoke` (RFC 7009) for any of the tokens.
//! Every answer is `no-store` (RFC 6749 §5.1).

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
use crate::http::sign_in_pages::request::DESKTOP_CLIENT_ID;
use crate::store::audit::RequestSource;
use crate::store::sessions;
use crate::AppState;

/// The body, as a form or as JSON. Credentials normally come in HTTP Basic; `client_id` and
/// `client_secret` in the body are accepted too, as RFC 6749 allows.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct TokenRequest {
    grant_type: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
    /// `authorization_code`: the code, the redirect URI it was asked with, the PKCE verifier.
    code: Option<String>,
    redirect_uri: Option<String>,
    code_verifier: Option<String>,
    /// `refresh_token`.
    refresh_token: Option<String>,
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
    match request.grant_type.as_deref() {
        Some("client_credentials") => {}
        Some("authorization_code") => return exchange_code(state, request).await,
        Some("refresh_token") => return refresh(state, request).await,
        _ => {
            return Err(Error::BadRequest {
                code: "unsupported_grant_type",
                message:
                    "grant_type must be client_credentials, authorization_code or refresh_token"
                        .into(),
                field: Some("grant_type"),
            })
        }
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
        refresh_token: None,
        organization_id: None,
    }))
}

fn required(value: Option<String>, field: &'static str) -> Result<String> {
    value.filter(|v| !v.is_empty()).ok_or(Error::BadRequest {
        code: "invalid_request",
        message: format!("{field} is required"),
        field: Some(field),
    })
}

/// The public client named in the body: the desktop app, which has no secret (RFC 8252 §8.4).
fn public_client(client_id: Option<String>) -> Result<String> {
    let client_id = required(client_id, "client_id")?;
    if client_id != DESKTOP_CLIENT_ID {
        return Err(Error::Unauthorized("unknown client_id"));
    }
    Ok(client_id)
}

fn person_tokens(pair: sessions::TokenPair) -> Json<TokenResponse> {
    Json(TokenResponse {
        access_token: pair.access_token,
        token_type: "Bearer".into(),
        expires_in: pair.expires_in,
        refresh_token: Some(pair.refresh_token),
        organization_id: Some(pair.org_id),
    })
}

async fn exchange_code(state: &AppState, request: TokenRequest) -> Result<Json<TokenResponse>> {
    let client_id = public_client(request.client_id)?;
    let code = required(request.code, "code")?;
    let redirect_uri = required(request.redirect_uri, "redirect_uri")?;
    let verifier = required(request.code_verifier, "code_verifier")?;
    let (now, ttl) = (state.clock.now(), state.config.person_token_ttl_secs);
    let granted = state
        .db
        .write(move |tx| {
            sessions::redeem_code(tx, &code, &client_id, &redirect_uri, &verifier, now, ttl)
        })
        .await?;
    // A replayed code ended its family: no instance may go on trusting those tokens.
    if granted.is_err() {
        state.callers.invalidate_all();
    }
    Ok(person_tokens(granted?))
}

async fn refresh(state: &AppState, request: TokenRequest) -> Result<Json<TokenResponse>> {
    let client_id = public_client(request.client_id)?;
    let token = required(request.refresh_token, "refresh_token")?;
    let (now, ttl) = (state.clock.now(), state.config.person_token_ttl_secs);
    let granted = state
        .db
        .write(move |tx| sessions::rotate(tx, &token, &client_id, now, ttl))
        .await?;
    // Rotation retires the family's previous access token; reuse ends them all.
    state.callers.invalidate_all();
    Ok(person_tokens(granted?))
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
    source: RequestSource,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    no_store(end_token(&state, client, source, &headers, &body).await)
}

async fn end_token(
    state: &AppState,
    client: std::net::IpAddr,
    source: RequestSource,
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
    auth::revoke_token(state, &token, principal.clone(), source.clone()).await?;
    // A person's refresh or access token (never with a service user's credentials) ends the
    // whole sign-in it came from.
    if principal.is_none() {
        let (person, clock) = (token.clone(), state.clock.clone());
        if state
            .db
            .write(move |tx| sessions::revoke(tx, &person, &clock, &source))
            .await?
        {
            state.callers.invalidate_all();
        }
    }
    Ok(Json(serde_json::json!({})))
}

/// Answers that carry or concern tokens are never cached, by the client or anything between.
/// An error carries RFC 6749's `error` and `error_description` beside the API's `message`
/// and `code`, so that OAuth libraries read it too.
fn no_store(answer: Result<impl IntoResponse>) -> Response {
    let mut response = match answer {
        Ok(ok) => ok.into_response(),
        Err(error) => with_oauth_error(error),
    };
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

fn with_oauth_error(error: Error) -> Response {
    let (code, field, oauth_error) = match &error {
        Error::BadRequest { code, field, .. } => (*code, *field, *code),
        Error::Unauthorized(_) => ("unauthorized", None, "invalid_client"),
        _ => return error.into_response(),
    };
    let description = error.to_string();
    let status = error.into_response().status();
    let mut body = ErrorBody::new(description.clone(), code);
    body.field = field.map(str::to_owned);
    let mut json = serde_json::to_value(body).unwrap_or_default();
    json["error"] = oauth_error.into();
    json["error_description"] = description.into();
    (status, Json(json)).into_response()
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

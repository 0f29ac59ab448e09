//! The m3ter-only mode (`--m3ter-only`): the server answers as m3ter's own public API does, so
//! a client's fallbacks (derived statuses, actions reported unsupported) are tested against a
//! real server. It is a layer over the full API, not a second implementation: it hides the
//! routes m3ter lacks and strips the fields it does not send.

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{Method, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::error::Error;
use crate::AppState;

/// Fields of an invitation that only the extended API sends.
const INVITATION_EXTENSIONS: [&str; 10] = [
    "status",
    "existingUser",
    "businessId",
    "appId",
    "subscriptionId",
    "roleId",
    "dtLastSent",
    "sendCount",
    "deliveryStatus",
    "deliveryError",
];

/// Requests m3ter's public API has no answer for: the extended who-am-I (m3ter's own is
/// `/users/me`), resend, revoke, editing an invitation, and the batch create.
fn extension_route(method: &Method, path: &str) -> bool {
    (path.ends_with("/me") && !path.ends_with("/users/me"))
        || path.ends_with("/resend")
        || path.ends_with("/revoke")
        || path.ends_with("/invitations/batch")
        || (method == Method::PUT && path.contains("/invitations/"))
}

/// The request without `modifiedSince`, which m3ter does not know: lists come newest first.
fn without_modified_since(mut request: Request) -> Request {
    let Some(query) = request.uri().query() else {
        return request;
    };
    let kept: Vec<&str> = query
        .split('&')
        .filter(|pair| !pair.starts_with("modifiedSince="))
        .collect();
    let path_and_query = match kept.is_empty() {
        true => request.uri().path().to_owned(),
        false => format!("{}?{}", request.uri().path(), kept.join("&")),
    };
    if let Ok(uri) = path_and_query.parse::<Uri>() {
        *request.uri_mut() = uri;
    }
    request
}

pub async fn layer(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if !state.config.m3ter_only || !request.uri().path().starts_with("/organizations/") {
        return next.run(request).await;
    }
    if extension_route(request.method(), request.uri().path()) {
        return Error::NotFound("route").into_response();
    }
    let request = without_modified_since(request);
    let path = request.uri().path().to_owned();
    let response = next.run(request).await;
    let (parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, usize::MAX).await else {
        return Error::Internal("m3ter-only: unreadable answer".into()).into_response();
    };
    let Ok(mut json) = serde_json::from_slice::<Value>(&bytes) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    if path.contains("/invitations") {
        for_each_record(&mut json, |record| {
            for field in INVITATION_EXTENSIONS {
                record.remove(field);
            }
        });
    }
    if path.contains("/subscriptions") {
        for_each_record(&mut json, |record| {
            record.remove("seats");
        });
    }
    let mut parts = parts;
    parts.headers.remove(axum::http::header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(json.to_string()))
}

/// Calls `strip` on the answer's record, or on each record of a list or page.
fn for_each_record(json: &mut Value, mut strip: impl FnMut(&mut serde_json::Map<String, Value>)) {
    let records: Vec<&mut Value> = match json {
        Value::Array(items) => items.iter_mut().collect(),
        Value::Object(object) if object.contains_key("data") => match object.get_mut("data") {
            Some(Value::Array(items)) => items.iter_mut().collect(),
            _ => Vec::new(),
        },
        other => vec![other],
    };
    for record in records {
        if let Value::Object(fields) = record {
            strip(fields);
        }
    }
}

//! axum's extractors with their rejections turned into the API's own error bodies, so a
//! malformed body, query or path gets a clear 4xx in the usual shape.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::FromRequest;
use axum::extract::FromRequestParts;
use axum::http::StatusCode;

use crate::error::Error;

#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(Error))]
pub struct AppJson<T>(pub T);

#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(Error))]
pub struct AppQuery<T>(pub T);

#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(Error))]
pub struct AppPath<T>(pub T);

impl From<JsonRejection> for Error {
    fn from(rejection: JsonRejection) -> Self {
        match rejection.status() {
            StatusCode::PAYLOAD_TOO_LARGE => Error::PayloadTooLarge,
            StatusCode::UNSUPPORTED_MEDIA_TYPE => Error::UnsupportedMediaType(
                "the body must be JSON (Content-Type: application/json)".into(),
            ),
            _ => Error::BadRequest {
                code: "invalid_json",
                message: format!(
                    "the body is not valid for this request: {}",
                    rejection.body_text()
                ),
                field: None,
            },
        }
    }
}

impl From<QueryRejection> for Error {
    fn from(rejection: QueryRejection) -> Self {
        Error::BadRequest {
            code: "invalid_query",
            message: rejection.body_text(),
            field: None,
        }
    }
}

impl From<PathRejection> for Error {
    fn from(_: PathRejection) -> Self {
        // An id that is not a UUID names nothing.
        Error::NotFound("record")
    }
}

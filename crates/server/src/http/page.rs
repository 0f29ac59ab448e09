//! List pages as JSON responses.

use axum::http::header;
use axum::response::{IntoResponse, Response};
use invitedesk_model::Page;
use serde::Serialize;

use crate::error::Error;

/// A list page written into one buffer sized for it: axum's `Json` grows a small buffer piece
/// by piece, which cost about a fifth of a 200-row page.
pub struct PageJson<T>(pub Page<T>);

/// Enough for a typical record's JSON, so a page is written without regrowing the buffer.
const BYTES_PER_RECORD: usize = 768;

impl<T: Serialize> IntoResponse for PageJson<T> {
    fn into_response(self) -> Response {
        let mut body = Vec::with_capacity(256 + self.0.data.len() * BYTES_PER_RECORD);
        match serde_json::to_writer(&mut body, &self.0) {
            Ok(()) => ([(header::CONTENT_TYPE, "application/json")], body).into_response(),
            Err(e) => Error::Internal(format!("list page: {e}")).into_response(),
        }
    }
}

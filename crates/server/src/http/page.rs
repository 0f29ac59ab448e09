//! List pages as JSON responses.

use axum::http::header;
use axum::response::{IntoResponse, Response};
use invitedesk_model::page::{MaybeDeleted, Tombstone};
use invitedesk_model::Page;
use serde::{Serialize, Serializer};

use crate::error::Error;

/// A list page written into one buffer sized for it (axum's `Json` grows a small buffer piece
/// by piece, which cost about a fifth of a 200-row page), each deleted record as its
/// tombstone alone.
pub struct PageJson<T>(pub Page<T>);

/// Enough for a typical record's JSON, so a page is written without regrowing the buffer.
const BYTES_PER_RECORD: usize = 768;

/// One record of a page, or its tombstone.
struct Listed<'a, T>(&'a T);

impl<T: Serialize + MaybeDeleted> Serialize for Listed<'_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0.tombstone() {
            Some(tombstone) => tombstone.serialize(serializer),
            None => self.0.serialize(serializer),
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase", bound = "T: Serialize + MaybeDeleted")]
struct ListedPage<'a, T> {
    data: Vec<Listed<'a, T>>,
    #[serde(skip_serializing_if = "no_token")]
    next_token: &'a Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    total: Option<u64>,
}

fn no_token(token: &&Option<String>) -> bool {
    token.is_none()
}

impl<T: Serialize + MaybeDeleted> IntoResponse for PageJson<T> {
    fn into_response(self) -> Response {
        let mut body = Vec::with_capacity(256 + self.0.data.len() * BYTES_PER_RECORD);
        let page = ListedPage {
            data: self.0.data.iter().map(Listed).collect(),
            next_token: &self.0.next_token,
            total: self.0.total,
        };
        match serde_json::to_writer(&mut body, &page) {
            Ok(()) => ([(header::CONTENT_TYPE, "application/json")], body).into_response(),
            Err(e) => Error::Internal(format!("list page: {e}")).into_response(),
        }
    }
}

/// A deleted record's answer: its tombstone alone.
pub fn tombstone_of(record: &impl MaybeDeleted) -> crate::error::Result<Tombstone> {
    record
        .tombstone()
        .ok_or_else(|| Error::Internal("a deleted record without its deletion mark".into()))
}

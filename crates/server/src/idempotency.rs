//! `Idempotency-Key` on POSTs: the first answer is stored in the same transaction as the
//! change it describes, so a retry after a lost reply gets that answer and writes nothing.

use crate::db::Conn;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::auth::Caller;
use crate::db::micros;
use crate::error::{Error, Result};
use crate::AppState;

pub const HEADER: &str = "Idempotency-Key";
const MAX_KEY_CHARS: usize = 255;

/// The optional `Idempotency-Key` header of a request.
#[derive(Debug, Clone, Default)]
pub struct IdempotencyKey(Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for IdempotencyKey {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self> {
        let Some(value) = parts.headers.get(HEADER) else {
            return Ok(Self(None));
        };
        Self::parse(value.to_str().unwrap_or(""), HEADER)
    }
}

impl IdempotencyKey {
    /// A key as sent in `field` (the header, or a batch item's `idempotencyKey`).
    pub fn parse(text: &str, field: &'static str) -> Result<Self> {
        let key = text.trim();
        let visible = key.bytes().all(|b| b.is_ascii_graphic() || b == b' ');
        if key.is_empty() || key.len() > MAX_KEY_CHARS || !visible {
            return Err(Error::BadRequest {
                code: "invalid_idempotency_key",
                message: format!("{field} must be 1 to {MAX_KEY_CHARS} visible ASCII characters"),
                field: Some(field),
            });
        }
        Ok(Self(Some(key.to_owned())))
    }
}

/// Whose keys these are: a key is only ever matched against the same principal's.
pub type Owner = (String, String);

pub fn owner_of(caller: &Caller) -> Owner {
    (caller.org_id.to_string(), caller.principal_id.to_string())
}

pub fn request_hash(request: impl Serialize) -> Result<Vec<u8>> {
    Ok(Sha256::digest(serde_json::to_vec(&request)?).to_vec())
}

/// Runs `work` in one write transaction, at most once per key. `request` identifies what was
/// asked (route, ids, body): the same key with a different request is refused with 422. Only
/// successful answers are kept: a refused request wrote nothing, so its key stays free.
pub async fn once<T, F>(
    state: &AppState,
    caller: &Caller,
    key: IdempotencyKey,
    request: impl Serialize,
    work: F,
) -> Result<Response>
where
    T: Serialize,
    F: FnOnce(&Conn) -> Result<T> + Send + 'static,
{
    let request_hash = request_hash(request)?;
    let owner = owner_of(caller);
    let now = micros(state.clock.now());
    let (status, body) = state
        .db
        .write(move |tx| answer_once(tx, &owner, key, &request_hash, now, work))
        .await?;
    Ok(json_response(status, body))
}

/// Inside a write transaction: the stored answer for `key`, or `work`'s, stored with it.
pub fn answer_once<T, F>(
    tx: &Conn,
    owner: &Owner,
    key: IdempotencyKey,
    request_hash: &[u8],
    now: i64,
    work: F,
) -> Result<(i64, String)>
where
    T: Serialize,
    F: FnOnce(&Conn) -> Result<T>,
{
    let Some(key) = key.0 else {
        return Ok((200, serde_json::to_string(&work(tx)?)?));
    };
    // The same key sent to two instances at once: the second waits here, then finds the
    // first's answer.
    tx.lock(&format!("idempotency {} {} {key}", owner.0, owner.1))?;
    if let Some((stored_hash, status, body)) = stored_answer(tx, owner, &key)? {
        if stored_hash != request_hash {
            return Err(Error::IdempotencyKeyReused);
        }
        return Ok((status, body));
    }
    let body = serde_json::to_string(&work(tx)?)?;
    tx.prepare_cached(
        "INSERT INTO idempotency_keys (org_id, principal_id, key, request_hash, status, body, dt_created)
         VALUES (?, ?, ?, ?, 200, ?, ?)",
    )?
    .execute((&owner.0, &owner.1, &key, request_hash, &body, now))?;
    Ok((200, body))
}

fn stored_answer(
    conn: &Conn,
    owner: &(String, String),
    key: &str,
) -> Result<Option<(Vec<u8>, i64, String)>> {
    let mut statement = conn.prepare_cached(
        "SELECT request_hash, status, body FROM idempotency_keys
         WHERE org_id = ? AND principal_id = ? AND key = ?",
    )?;
    statement.query_opt((&owner.0, &owner.1, key), |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?))
    })
}

fn json_response(status: i64, body: String) -> Response {
    let status = u16::try_from(status)
        .ok()
        .and_then(|s| StatusCode::from_u16(s).ok())
        .unwrap_or(StatusCode::OK);
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

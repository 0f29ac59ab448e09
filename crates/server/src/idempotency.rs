//! `Idempotency-Key` on POSTs: the first answer is stored in the same transaction as the
//! change it describes, so a retry after a lost reply gets that answer and writes nothing.

use std::future::Future;
use std::pin::Pin;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::SqliteConnection;

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
        let key = value.to_str().ok().map(str::trim).unwrap_or("");
        if key.is_empty() || key.len() > MAX_KEY_CHARS {
            return Err(Error::BadRequest {
                code: "invalid_idempotency_key",
                message: format!("{HEADER} must be 1 to {MAX_KEY_CHARS} visible ASCII characters"),
                field: Some(HEADER),
            });
        }
        Ok(Self(Some(key.to_owned())))
    }
}

pub type WriteFuture<'t, T> = Pin<Box<dyn Future<Output = Result<T>> + Send + 't>>;

/// Runs `work` in one write transaction, at most once per key. `request` identifies what was
/// asked (route, ids, body): the same key with a different request is refused with 422.
pub async fn once<T, F>(
    state: &AppState,
    caller: &Caller,
    key: IdempotencyKey,
    request: impl Serialize,
    work: F,
) -> Result<Response>
where
    T: Serialize,
    F: for<'t> FnOnce(&'t mut SqliteConnection) -> WriteFuture<'t, T>,
{
    let request_hash = Sha256::digest(serde_json::to_vec(&request)?).to_vec();
    let mut tx = state.db.begin_write().await?;
    if let Some(key) = &key.0 {
        if let Some(stored) = stored_answer(&mut tx, caller, key).await? {
            if stored.request_hash != request_hash {
                return Err(Error::IdempotencyKeyReused);
            }
            return Ok(json_response(stored.status, stored.body));
        }
    }
    let body = serde_json::to_string(&work(&mut tx).await?)?;
    if let Some(key) = &key.0 {
        sqlx::query(
            "INSERT INTO idempotency_keys (org_id, principal_id, key, request_hash, status, body, dt_created)
             VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(caller.org_id.to_string())
        .bind(caller.principal_id.to_string())
        .bind(key)
        .bind(&request_hash)
        .bind(200_i64)
        .bind(&body)
        .bind(micros(state.clock.now()))
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(json_response(200, body))
}

#[derive(sqlx::FromRow)]
struct StoredAnswer {
    request_hash: Vec<u8>,
    status: i64,
    body: String,
}

async fn stored_answer(
    conn: &mut SqliteConnection,
    caller: &Caller,
    key: &str,
) -> Result<Option<StoredAnswer>> {
    Ok(sqlx::query_as(
        "SELECT request_hash, status, body FROM idempotency_keys
         WHERE org_id = ? AND principal_id = ? AND key = ?",
    )
    .bind(caller.org_id.to_string())
    .bind(caller.principal_id.to_string())
    .bind(key)
    .fetch_optional(&mut *conn)
    .await?)
}

fn json_response(status: i64, body: String) -> Response {
    let status = u16::try_from(status)
        .ok()
        .and_then(|s| StatusCode::from_u16(s).ok())
        .unwrap_or(StatusCode::OK);
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

//! `POST /organizations/{orgId}/invitations/batch`: up to 100 invitations in one request.
//! Each item is created exactly as `POST /invitations` would create it, in its own
//! transaction (its seat, the one-live-invitation rule and the sending limits checked
//! atomically with its write), under its own `Idempotency-Key`; a refused item refuses only
//! itself, and its answer says why with the status and body it would have had alone.

use axum::extract::State;
use axum::Json;
use invitedesk_model::{
    validate, BatchAnswer, BatchItem, BatchResult, Invitation, InvitationBatch, Permission,
    BATCH_MAX_ITEMS,
};

use crate::auth::Caller;
use crate::db::micros;
use crate::error::{Error, Result};
use crate::http::extract::AppJson;
use crate::idempotency::{self, IdempotencyKey};
use crate::store::invitations;
use crate::AppState;

const KEY_FIELD: &str = "idempotencyKey";

/// Creates each item and answers each; the mail of every item made is sent as usual.
#[utoipa::path(post, path = "/organizations/{orgId}/invitations/batch", tag = "invitations",
    params(("orgId" = uuid::Uuid, Path)),
    request_body = InvitationBatch,
    responses((status = 200, body = BatchAnswer), (status = "4XX", body = invitedesk_model::ErrorBody)))]
pub async fn create_batch(
    caller: Caller,
    State(state): State<AppState>,
    AppJson(batch): AppJson<InvitationBatch>,
) -> Result<Json<BatchAnswer>> {
    caller.require(Permission::CreateInvitation)?;
    ensure_size(&batch)?;
    let mut results = Vec::with_capacity(batch.items.len());
    for (index, item) in batch.items.into_iter().enumerate() {
        let result = match create_one(&state, &caller, item).await {
            Ok(invitation) => BatchResult {
                index,
                status: 200,
                invitation: Some(invitation),
                error: None,
                retry_after_secs: None,
            },
            // A failure of the server's own is the whole request's: the items before it are
            // kept under their keys, so the client's retry answers them without a second write.
            Err(e @ Error::Internal(_)) => return Err(e),
            Err(e) => BatchResult {
                index,
                status: e.status().as_u16(),
                invitation: None,
                error: Some(e.body()),
                retry_after_secs: match e {
                    Error::RateLimited {
                        retry_after_secs, ..
                    } => Some(retry_after_secs),
                    _ => None,
                },
            },
        };
        results.push(result);
    }
    state.mail_queued.notify_one();
    Ok(Json(BatchAnswer { results }))
}

fn ensure_size(batch: &InvitationBatch) -> Result<()> {
    if batch.items.is_empty() || batch.items.len() > BATCH_MAX_ITEMS {
        return Err(Error::BadRequest {
            code: "invalid_batch_size",
            message: format!(
                "items must hold 1 to {BATCH_MAX_ITEMS} invitations; this batch has {}",
                batch.items.len()
            ),
            field: Some("items"),
        });
    }
    Ok(())
}

/// One item, as `POST /invitations` with its key would make it: the same request hash, so an
/// item and a single create under one key are one request.
async fn create_one(state: &AppState, caller: &Caller, item: BatchItem) -> Result<Invitation> {
    let key = match item.idempotency_key.as_deref() {
        Some(text) => IdempotencyKey::parse(text, KEY_FIELD)?,
        None => IdempotencyKey::default(),
    };
    let request = item.invitation;
    let valid = validate::new_invitation(&request, state.clock.now()).map_err(Error::Validation)?;
    let request_hash = idempotency::request_hash(("create", &request))?;
    let owner = idempotency::owner_of(caller);
    let now = micros(state.clock.now());
    let (who, st) = (caller.clone(), state.clone());
    let (_, body) = state
        .db
        .write(move |tx| {
            idempotency::answer_once(tx, &owner, key, &request_hash, now, |tx| {
                invitations::create(tx, &who, valid, &st.clock, &st.limits, &st.public_url)
            })
        })
        .await?;
    Ok(serde_json::from_str(&body)?)
}

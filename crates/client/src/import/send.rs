//! Sending an import's rows: in batches of up to 100 where the API has the batch create, one
//! request per row with bounded concurrency where it does not (m3ter's), honouring the
//! server's `Retry-After`. Each row goes under a key derived from the profile, the file's
//! content and the row, so running the same file again answers the rows already created
//! instead of creating them twice.

use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::stream::{self, StreamExt};
use invitedesk_model::{BatchItem, Invitation, NewInvitation, BATCH_MAX_ITEMS};
use serde::Serialize;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::preview::{Preview, PreviewRow, RowCheck};
use crate::api::{ApiClient, ApiError};
use crate::bulk::{Cancel, CONCURRENCY};

/// A batch's body stays under this, below the server's default 64 KiB body limit.
const BATCH_MAX_BYTES: usize = 56 * 1024;
/// Rounds of waiting out a sending limit before the rows still refused are reported.
const RATE_LIMIT_ROUNDS: u32 = 5;
/// The longest single wait for a sending limit; a longer one is reported, retryable.
const RATE_LIMIT_MAX_WAIT: Duration = Duration::from_secs(60);

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ToSend {
    pub index: usize,
    pub row: u64,
    pub email: String,
    pub key: String,
    pub invitation: NewInvitation,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum RowOutcome {
    /// `earlier`: made by an earlier run of the same file, answered again now.
    #[serde(rename_all = "camelCase")]
    Created {
        invitation_id: Uuid,
        earlier: bool,
    },
    /// Someone with this e-mail is already invited (`existing_id`), or is a member.
    #[serde(rename_all = "camelCase")]
    Skipped {
        reason: String,
        existing_id: Option<Uuid>,
        member_id: Option<Uuid>,
        first_row: Option<u64>,
    },
    RefusedSeats {
        message: String,
    },
    Invalid {
        field: String,
        message: String,
    },
    Failed {
        message: String,
        retryable: bool,
    },
    /// Not sent: the import was cancelled first.
    Cancelled,
}

impl RowOutcome {
    pub fn label(&self) -> &'static str {
        match self {
            RowOutcome::Created { .. } => "created",
            RowOutcome::Skipped { .. } => "skipped",
            RowOutcome::RefusedSeats { .. } => "refused: seats",
            RowOutcome::Invalid { .. } => "invalid",
            RowOutcome::Failed { .. } => "failed",
            RowOutcome::Cancelled => "cancelled",
        }
    }

    fn detail(&self) -> String {
        match self {
            RowOutcome::Created { invitation_id, .. } => invitation_id.to_string(),
            RowOutcome::Skipped { reason, .. } => reason.clone(),
            RowOutcome::RefusedSeats { message } => message.clone(),
            RowOutcome::Invalid { field, message } => format!("{field}: {message}"),
            RowOutcome::Failed { message, .. } => message.clone(),
            RowOutcome::Cancelled => String::new(),
        }
    }

    fn of(answer: Result<Invitation, ApiError>, started: DateTime<Utc>) -> Self {
        match answer {
            Ok(made) => RowOutcome::Created {
                invitation_id: made.id,
                earlier: made
                    .dt_created
                    .is_some_and(|t| t < started - chrono::Duration::seconds(5)),
            },
            Err(e) => Self::of_error(e),
        }
    }

    fn of_error(error: ApiError) -> Self {
        match error {
            ApiError::Conflict {
                code,
                message,
                conflicting_id,
            } => match code.as_str() {
                "invitation_exists" => RowOutcome::Skipped {
                    reason: message,
                    existing_id: conflicting_id,
                    member_id: None,
                    first_row: None,
                },
                "already_member" => RowOutcome::Skipped {
                    reason: message,
                    existing_id: None,
                    member_id: conflicting_id,
                    first_row: None,
                },
                "seats_exhausted" => RowOutcome::RefusedSeats { message },
                _ => RowOutcome::Failed {
                    message,
                    retryable: true,
                },
            },
            ApiError::Validation { field, message, .. } => RowOutcome::Invalid { field, message },
            e @ (ApiError::Offline(_) | ApiError::Server(_) | ApiError::RateLimited { .. }) => {
                RowOutcome::Failed {
                    message: e.to_string(),
                    retryable: true,
                }
            }
            e => RowOutcome::Failed {
                message: e.to_string(),
                retryable: false,
            },
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SentRow {
    pub index: usize,
    pub row: u64,
    pub email: String,
    pub outcome: RowOutcome,
    /// The invitation made (or answered again), for the cache.
    #[serde(skip)]
    pub invitation: Option<Invitation>,
}

/// The row's Idempotency-Key: the same profile, file and row always make the same key.
pub fn row_key(profile_id: &str, file: &[u8], row: u64) -> String {
    let file_digest = Sha256::digest(file);
    let mut key = Sha256::new();
    key.update(b"invitedesk-import\0");
    key.update(profile_id.as_bytes());
    key.update(b"\0");
    key.update(file_digest);
    key.update(row.to_be_bytes());
    let hex: String = key.finalize().iter().map(|b| format!("{b:02x}")).collect();
    format!("import-{}", &hex[..40])
}

/// Sends every row; `progress(done, total)` as rows are answered. Rows not started when
/// `cancel` is set come back `Cancelled`.
pub async fn send_rows(
    api: &ApiClient,
    rows: Vec<ToSend>,
    cancel: &Cancel,
    mut progress: impl FnMut(usize, usize),
) -> Vec<SentRow> {
    let started = api.server_now();
    let total = rows.len();
    let mut sent = Vec::with_capacity(total);
    let mut singles = Vec::new();
    let mut chunks = batches(rows).into_iter();
    while let Some(chunk) = chunks.next() {
        if cancel.is_cancelled() {
            sent.extend(
                chunk
                    .into_iter()
                    .map(|r| answered(r, RowOutcome::Cancelled)),
            );
            continue;
        }
        match send_batch(api, chunk, cancel, started).await {
            Ok(answered) => sent.extend(answered),
            // An API without the batch (m3ter's): every row left goes alone.
            Err(NoBatch(chunk)) => {
                singles = chunk.into_iter().chain(chunks.flatten()).collect();
                break;
            }
        }
        progress(sent.len(), total);
    }
    let runs = singles.into_iter().map(|row| async move {
        if cancel.is_cancelled() {
            return answered(row, RowOutcome::Cancelled);
        }
        let answer = api.create_invitation_keyed(&row.invitation, &row.key).await;
        answered_with(row, answer, started)
    });
    let mut finished = stream::iter(runs).buffer_unordered(CONCURRENCY);
    while let Some(row) = finished.next().await {
        sent.push(row);
        progress(sent.len(), total);
    }
    sent.sort_by_key(|r| r.index);
    sent
}

/// The API has no batch create: the rows come back unsent.
struct NoBatch(Vec<ToSend>);

fn answered(row: ToSend, outcome: RowOutcome) -> SentRow {
    SentRow {
        index: row.index,
        row: row.row,
        email: row.email,
        outcome,
        invitation: None,
    }
}

fn answered_with(
    row: ToSend,
    answer: Result<Invitation, ApiError>,
    started: DateTime<Utc>,
) -> SentRow {
    let invitation = answer.as_ref().ok().cloned();
    SentRow {
        invitation,
        ..answered(row, RowOutcome::of(answer, started))
    }
}

/// The rows the preview found ready, each with its key.
pub fn ready_rows(preview: &Preview, profile_id: &str, file: &[u8]) -> Vec<ToSend> {
    (preview.rows.iter())
        .filter(|r| r.check == RowCheck::Ready)
        .filter_map(|r| {
            Some(ToSend {
                index: r.index,
                row: r.row,
                email: r.email.clone(),
                key: row_key(profile_id, file, r.row),
                invitation: r.invitation.clone()?,
            })
        })
        .collect()
}

/// Every row of the file with its outcome: those sent as the server answered, the others as
/// the preview judged them.
pub fn every_outcome(preview: &Preview, sent: Vec<SentRow>) -> Vec<SentRow> {
    let mut all = sent;
    let answered: std::collections::HashSet<usize> = all.iter().map(|r| r.index).collect();
    for row in preview.rows.iter().filter(|r| !answered.contains(&r.index)) {
        all.push(SentRow {
            index: row.index,
            row: row.row,
            email: row.email.clone(),
            outcome: judged(row),
            invitation: None,
        });
    }
    all.sort_by_key(|r| r.index);
    all
}

fn judged(row: &PreviewRow) -> RowOutcome {
    match &row.check {
        RowCheck::Duplicate {
            existing_id,
            first_row,
        } => RowOutcome::Skipped {
            reason: match first_row {
                Some(first) => format!("the same e-mail as row {first}"),
                None => "already has a pending invitation".into(),
            },
            existing_id: *existing_id,
            member_id: None,
            first_row: *first_row,
        },
        RowCheck::Member { user_id } => RowOutcome::Skipped {
            reason: "already a member".into(),
            existing_id: None,
            member_id: Some(*user_id),
            first_row: None,
        },
        RowCheck::Invalid | RowCheck::Ready => match row.problems.first() {
            Some(p) => RowOutcome::Invalid {
                field: p.column.clone(),
                message: p.message.clone(),
            },
            None => RowOutcome::Cancelled,
        },
    }
}

/// Rows in batches of at most 100 items and `BATCH_MAX_BYTES` of JSON.
fn batches(rows: Vec<ToSend>) -> Vec<Vec<ToSend>> {
    let mut batches: Vec<Vec<ToSend>> = Vec::new();
    let mut bytes = 0;
    for row in rows {
        let size = serde_json::to_vec(&row.invitation).map_or(1024, |j| j.len() + 96);
        let full = batches
            .last()
            .is_none_or(|b| b.len() == BATCH_MAX_ITEMS || bytes + size > BATCH_MAX_BYTES);
        if full {
            batches.push(Vec::new());
            bytes = 0;
        }
        bytes += size;
        if let Some(batch) = batches.last_mut() {
            batch.push(row);
        }
    }
    batches
}

/// One batch, its items refused by a sending limit sent again once it allows (a few rounds).
async fn send_batch(
    api: &ApiClient,
    rows: Vec<ToSend>,
    cancel: &Cancel,
    started: DateTime<Utc>,
) -> Result<Vec<SentRow>, NoBatch> {
    let mut done = Vec::with_capacity(rows.len());
    let mut waiting = rows;
    for round in 1..=RATE_LIMIT_ROUNDS {
        let items: Vec<BatchItem> = waiting
            .iter()
            .map(|r| BatchItem {
                idempotency_key: Some(r.key.clone()),
                invitation: r.invitation.clone(),
            })
            .collect();
        let answers = match api.create_invitations_batch(&items).await {
            Ok(answers) => answers,
            Err(ApiError::Unsupported(_) | ApiError::NotFound) if done.is_empty() => {
                return Err(NoBatch(waiting))
            }
            Err(e) => {
                let outcome = RowOutcome::of_error(e);
                done.extend(waiting.into_iter().map(|r| answered(r, outcome.clone())));
                return Ok(done);
            }
        };
        let mut limited = Vec::new();
        let mut wait = 0;
        for (row, answer) in waiting.into_iter().zip(answers) {
            match answer {
                Err(ApiError::RateLimited { retry_after_secs }) if round < RATE_LIMIT_ROUNDS => {
                    wait = wait.max(retry_after_secs);
                    limited.push(row);
                }
                answer => done.push(answered_with(row, answer, started)),
            }
        }
        if limited.is_empty() {
            return Ok(done);
        }
        let wait = Duration::from_secs(wait.max(1));
        if wait > RATE_LIMIT_MAX_WAIT || !wait_unless_cancelled(wait, cancel).await {
            let outcome = RowOutcome::of_error(ApiError::RateLimited {
                retry_after_secs: wait.as_secs(),
            });
            done.extend(limited.into_iter().map(|r| answered(r, outcome.clone())));
            return Ok(done);
        }
        waiting = limited;
    }
    Ok(done)
}

/// Sleeps `wait` in short steps; false when cancelled meanwhile.
async fn wait_unless_cancelled(wait: Duration, cancel: &Cancel) -> bool {
    let step = Duration::from_millis(100);
    let mut left = wait;
    while !left.is_zero() {
        if cancel.is_cancelled() {
            return false;
        }
        let now = left.min(step);
        tokio::time::sleep(now).await;
        left -= now;
    }
    true
}

/// Every row's outcome as CSV, formulas neutralised.
pub fn outcomes_csv(rows: &[SentRow]) -> crate::cache::Result<Vec<u8>> {
    let mut out = Vec::new();
    let lines = rows.iter().map(|r| {
        [
            r.row.to_string(),
            r.email.clone(),
            r.outcome.label().to_owned(),
            r.outcome.detail(),
        ]
    });
    crate::queries::write_csv(&mut out, ["row", "email", "outcome", "detail"], lines)?;
    Ok(out)
}

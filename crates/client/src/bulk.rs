//! Acting on many records at once: each row's action run with bounded concurrency, its own
//! result (done / not allowed for its status / failed with the reason), progress as rows
//! finish, and a cancel that stops starting new rows (those already sent finish).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use futures::stream::{self, StreamExt};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::capabilities::{Action, Subject};
use crate::session::Session;

/// How many requests a bulk action keeps in flight: enough to hide latency, few enough to
/// stay under the server's limits for one principal.
pub const CONCURRENCY: usize = 4;

/// Shared between the running job and whoever may stop it.
#[derive(Debug, Clone, Default)]
pub struct Cancel(Arc<AtomicBool>);

impl Cancel {
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// A record to act on, with the status the cache has for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Target {
    pub id: Uuid,
    pub email: String,
    pub subject: Subject,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Outcome {
    Done,
    NotAllowed {
        reason: String,
    },
    Failed {
        reason: String,
    },
    /// Cancelled before it was started: nothing was sent for it.
    Cancelled,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RowResult {
    pub id: Uuid,
    pub email: String,
    pub outcome: Outcome,
}

/// The targets among `ids` for `action`, with their cached statuses: users for the user
/// actions, invitations for the others.
pub fn targets(
    cache: &crate::cache::Cache,
    action: Action,
    ids: &[Uuid],
    now: chrono::DateTime<chrono::Utc>,
) -> crate::cache::Result<Vec<Target>> {
    let on_users = matches!(
        action,
        Action::Inactivate | Action::Reactivate | Action::DeleteUser | Action::EditUser
    );
    Ok(match on_users {
        true => crate::queries::user_statuses(cache, ids, now)?
            .into_iter()
            .map(|(id, email, status)| Target {
                id,
                email,
                subject: Subject::User(status),
            })
            .collect(),
        false => crate::queries::invitation_statuses(cache, ids, now)?
            .into_iter()
            .map(|(id, email, status)| Target {
                id,
                email,
                subject: Subject::Invitation(status),
            })
            .collect(),
    })
}

/// Why `action` cannot run on a record of `subject`'s status, if it cannot.
pub fn refusal(action: Action, subject: Subject) -> Option<String> {
    if subject.actions().contains(&action) {
        return None;
    }
    Some(match subject {
        Subject::Invitation(s) => format!("not allowed: the invitation is {}", s.as_str()),
        Subject::User(s) => format!("not allowed: the user is {}", s.as_str()),
        Subject::Toolbar => "not allowed here".to_owned(),
    })
}

/// Runs `action` on every target, `progress(done, total)` after each; results in the
/// targets' order.
pub async fn run(
    session: &Session,
    action: Action,
    targets: Vec<Target>,
    cancel: &Cancel,
    mut progress: impl FnMut(usize, usize),
) -> Vec<RowResult> {
    let total = targets.len();
    let runs = targets
        .into_iter()
        .enumerate()
        .map(|(i, target)| async move {
            let outcome = match refusal(action, target.subject) {
                Some(reason) => Outcome::NotAllowed { reason },
                None if cancel.is_cancelled() => Outcome::Cancelled,
                None => match act(session, action, target.id).await {
                    Ok(()) => Outcome::Done,
                    Err(e) => Outcome::Failed {
                        reason: e.to_string(),
                    },
                },
            };
            let result = RowResult {
                id: target.id,
                email: target.email,
                outcome,
            };
            (i, result)
        });
    let mut finished = stream::iter(runs).buffer_unordered(CONCURRENCY);
    let mut results: Vec<Option<RowResult>> = vec![None; total];
    let mut done = 0;
    while let Some((i, result)) = finished.next().await {
        results[i] = Some(result);
        done += 1;
        progress(done, total);
    }
    results.into_iter().flatten().collect()
}

async fn act(session: &Session, action: Action, id: Uuid) -> crate::session::Result<()> {
    match action {
        Action::Resend => session.resend(id).await.map(drop),
        Action::Revoke => session.revoke(id).await.map(drop),
        Action::DeleteInvitation => session.delete_invitation(id).await,
        Action::Inactivate => session.inactivate(id).await.map(drop),
        Action::Reactivate => session.reactivate(id).await.map(drop),
        Action::DeleteUser => session.delete_user(id).await,
        other => Err(crate::session::SessionError::Api(
            crate::api::ApiError::Unsupported(bulk_unsupported(other)),
        )),
    }
}

fn bulk_unsupported(action: Action) -> &'static str {
    match action {
        Action::Invite => "invite in bulk: use an import",
        _ => "this action in bulk",
    }
}

/// The results as CSV (e-mail, id, outcome, reason), formulas neutralised.
pub fn results_csv(action: Action, results: &[RowResult]) -> crate::cache::Result<Vec<u8>> {
    let mut out = Vec::new();
    let rows = results.iter().map(|r| {
        let (outcome, reason) = match &r.outcome {
            Outcome::Done => ("done", String::new()),
            Outcome::NotAllowed { reason } => ("not allowed", reason.clone()),
            Outcome::Failed { reason } => ("failed", reason.clone()),
            Outcome::Cancelled => ("cancelled", String::new()),
        };
        let action = serde_json::to_value(action)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        [
            r.email.clone(),
            r.id.to_string(),
            action,
            outcome.into(),
            reason,
        ]
    });
    crate::queries::write_csv(
        &mut out,
        ["email", "id", "action", "outcome", "reason"],
        rows,
    )?;
    Ok(out)
}

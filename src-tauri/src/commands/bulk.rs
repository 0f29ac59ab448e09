//! Acting on many at once: the rows picked (or every row the filter shows), each acted on with
//! its own result, progress as `job-progress` events (`job: "bulk"`), cancellable with
//! `cancel_job`, the results kept for export.

use invitedesk_client::bulk::{self, Outcome, RowResult};
use invitedesk_client::capabilities::Action;
use serde::Serialize;
use tauri::{AppHandle, Runtime, State};
use uuid::Uuid;

use crate::commands::catalog::with_cache;
use crate::commands::job::{self, JobResults};
use crate::error::{CommandError, CommandResult, ErrorKind};
use crate::state::AppState;
use invitedesk_client::queries::SELECT_ALL_MAX;

/// Every row's result, and the counts the summary line gives.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BulkAnswer {
    pub results: Vec<RowResult>,
    pub done: usize,
    pub not_allowed: usize,
    pub failed: usize,
    pub cancelled: usize,
}

impl BulkAnswer {
    fn of(results: Vec<RowResult>) -> Self {
        let count =
            |wanted: fn(&Outcome) -> bool| results.iter().filter(|r| wanted(&r.outcome)).count();
        Self {
            done: count(|o| matches!(o, Outcome::Done)),
            not_allowed: count(|o| matches!(o, Outcome::NotAllowed { .. })),
            failed: count(|o| matches!(o, Outcome::Failed { .. })),
            cancelled: count(|o| matches!(o, Outcome::Cancelled)),
            results,
        }
    }
}

/// Runs `action` on every record of `ids` (invitations, or users for the user actions), each
/// judged by the status the cache shows for it now.
#[tauri::command]
pub async fn bulk_run<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    action: Action,
    ids: Vec<Uuid>,
) -> CommandResult<BulkAnswer> {
    if ids.len() > SELECT_ALL_MAX as usize {
        return Err(CommandError {
            field: Some("ids".into()),
            ..CommandError::new(
                ErrorKind::Validation,
                format!("A bulk action takes at most {SELECT_ALL_MAX} records at once: narrow the filter"),
            )
        });
    }
    let active = state.active().await?;
    let targets = with_cache(&state, |c, now| bulk::targets(c, action, &ids, now)).await?;
    let running = job::begin(&state)?;
    let results = bulk::run(
        &active.session,
        action,
        targets,
        &running.cancel,
        |done, total| job::progress(&app, "bulk", done, total),
    )
    .await;
    drop(running);
    job::keep_results(
        &state,
        JobResults {
            file_name: "bulk-results.csv",
            csv: bulk::results_csv(action, &results)?,
            rows: results.len() as u64,
        },
    );
    Ok(BulkAnswer::of(results))
}

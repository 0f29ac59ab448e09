//! The one long job that may run at a time (an import being sent, a bulk action): its progress
//! as events, its cancel, and its results kept for export once it ends.

use invitedesk_client::bulk::Cancel;
use serde::Serialize;
use tauri::{AppHandle, Emitter, Runtime, State};

use crate::commands::export::{save_bytes, Exported};
use crate::error::{CommandError, CommandResult, ErrorKind};
use crate::state::{lock, AppState};

pub const PROGRESS_EVENT: &str = "job-progress";

/// What the progress bar shows: `done` of `total` rows answered.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JobProgress {
    pub job: &'static str,
    pub done: usize,
    pub total: usize,
}

/// A finished job's results as CSV, and the file name offered for them.
#[derive(Debug, Clone)]
pub struct JobResults {
    pub file_name: &'static str,
    pub csv: Vec<u8>,
    pub rows: u64,
}

/// The running job: while it lives no other starts, and dropping it (however the job ends)
/// frees the slot.
pub struct RunningJob<'a> {
    state: &'a AppState,
    pub cancel: Cancel,
}

impl Drop for RunningJob<'_> {
    fn drop(&mut self) {
        *lock(&self.state.job) = None;
    }
}

/// Takes the job slot, or says what holds it.
pub fn begin(state: &AppState) -> CommandResult<RunningJob<'_>> {
    let mut slot = lock(&state.job);
    if slot.is_some() {
        return Err(CommandError::new(
            ErrorKind::Conflict,
            "An import or a bulk action is already running: wait for it to finish, or cancel it",
        ));
    }
    let cancel = Cancel::default();
    *slot = Some(cancel.clone());
    Ok(RunningJob { state, cancel })
}

/// Publishes progress; the UI's bar follows it.
pub fn progress<R: Runtime>(app: &AppHandle<R>, job: &'static str, done: usize, total: usize) {
    crate::memory::note_activity();
    let _ = app.emit(PROGRESS_EVENT, JobProgress { job, done, total });
}

/// Keeps a finished job's results for "Export results".
pub fn keep_results(state: &AppState, results: JobResults) {
    *lock(&state.job_results) = Some(results);
}

/// Stops the running job from starting more rows; rows already sent finish and are reported.
/// True when a job was running.
#[tauri::command]
pub fn cancel_job(state: State<'_, AppState>) -> bool {
    match lock(&state.job).as_ref() {
        Some(cancel) => {
            cancel.cancel();
            true
        }
        None => false,
    }
}

/// Saves the last finished job's results as CSV where the person chooses. None when cancelled.
#[tauri::command]
pub async fn export_job_results<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> CommandResult<Option<Exported>> {
    let Some(results) = lock(&state.job_results).clone() else {
        return Err(CommandError::new(
            ErrorKind::NotFound,
            "No results to export: run an import or a bulk action first",
        ));
    };
    save_bytes(&app, results.file_name, &results.csv, results.rows)
}

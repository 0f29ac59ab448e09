//! "Import…": a CSV picked in the system's dialog, its columns mapped, every row previewed
//! against the rules and the cache, and the ready rows sent, each with its outcome. The file
//! stays loaded (read once, so the keys derived from its content match what was previewed)
//! until another is opened or it is reloaded after a fix.

use std::io::Read;
use std::path::{Path, PathBuf};

use invitedesk_client::import::{
    self, csv_file::MAX_BYTES, Field, Mapping, Preview, SentRow, Table,
};
use serde::Serialize;
use tauri::{AppHandle, Runtime, State};
use tauri_plugin_dialog::DialogExt;

use crate::commands::export::{save_bytes, Exported};
use crate::commands::job::{self, JobResults};
use crate::error::{CommandError, CommandResult, ErrorKind};
use crate::state::{lock, AppState};

/// A file read for import, and the preview last made of it (for the profile it was made for).
pub struct LoadedImport {
    path: PathBuf,
    bytes: Vec<u8>,
    table: Table,
    preview: Option<(String, Preview)>,
}

/// What the dialog shows of a file just read: enough to map its columns.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportFile {
    pub name: String,
    pub rows: usize,
    pub headers: Vec<String>,
    pub delimiter: char,
    /// The columns recognised by their header.
    pub mapping: Mapping,
    /// Headers no field is known by: the mapping step shows when any is left, or no e-mail.
    pub unmapped: Vec<String>,
    pub fields: Vec<FieldChoice>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldChoice {
    pub field: Field,
    pub title: &'static str,
}

/// Every row of the file with its outcome, and the counts the summary line gives.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportSent {
    pub rows: Vec<SentRow>,
    pub created: usize,
    pub not_created: usize,
}

/// Where the file comes from: the path `INVITEDESK_IMPORT_FILE` names, without asking (for
/// scripted use and the end-to-end tests, which cannot reach a native dialog through
/// WebDriver); otherwise the system's own open dialog. None when the person cancels.
fn which_file<R: Runtime>(app: &AppHandle<R>) -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("INVITEDESK_IMPORT_FILE") {
        return Some(PathBuf::from(path));
    }
    app.dialog()
        .file()
        .add_filter("CSV", &["csv", "txt"])
        .blocking_pick_file()
        .and_then(|p| p.into_path().ok())
}

/// Reads at most one byte past the limit, so a huge file is refused without being loaded.
fn read_limited(path: &Path) -> CommandResult<Vec<u8>> {
    let unreadable =
        |e: std::io::Error| CommandError::new(ErrorKind::Cache, format!("{}: {e}", path.display()));
    let file = std::fs::File::open(path).map_err(unreadable)?;
    let mut bytes = Vec::new();
    file.take(MAX_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(unreadable)?;
    Ok(bytes)
}

fn load(path: PathBuf) -> CommandResult<(LoadedImport, ImportFile)> {
    let bytes = read_limited(&path)?;
    let table = import::read_table(&bytes)?;
    let mapping = import::guess_mapping(&table.headers);
    let unmapped = (table.headers.iter().enumerate())
        .filter(|(i, _)| !mapping.values().any(|m| m == i))
        .map(|(_, h)| h.clone())
        .collect();
    let file = ImportFile {
        name: (path.file_name())
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        rows: table.rows.len(),
        headers: table.headers.clone(),
        delimiter: table.delimiter,
        mapping,
        unmapped,
        fields: (Field::ALL.iter())
            .map(|&field| FieldChoice {
                field,
                title: field.title(),
            })
            .collect(),
    };
    let loaded = LoadedImport {
        path,
        bytes,
        table,
        preview: None,
    };
    Ok((loaded, file))
}

/// Opens a CSV (the system's dialog) and reads it. None when the person cancels.
#[tauri::command]
pub async fn import_open_file<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> CommandResult<Option<ImportFile>> {
    let Some(path) = which_file(&app) else {
        return Ok(None);
    };
    let (loaded, file) = load(path)?;
    *lock(&state.import) = Some(loaded);
    Ok(Some(file))
}

/// Reads the open file again, after the person fixed it in their spreadsheet.
#[tauri::command]
pub async fn import_reload(state: State<'_, AppState>) -> CommandResult<ImportFile> {
    let path = (lock(&state.import).as_ref())
        .map(|l| l.path.clone())
        .ok_or_else(nothing_open)?;
    match load(path) {
        Ok((loaded, file)) => {
            *lock(&state.import) = Some(loaded);
            Ok(file)
        }
        // The preview was of the file as it was: nothing is sent from it now.
        Err(e) => {
            if let Some(loaded) = lock(&state.import).as_mut() {
                loaded.preview = None;
            }
            Err(e)
        }
    }
}

fn nothing_open() -> CommandError {
    CommandError::new(
        ErrorKind::NotFound,
        "No file is open for import: choose Import… first",
    )
}

/// Checks every row under `mapping` against the rules and the open profile's cache.
#[tauri::command]
pub async fn import_preview(
    state: State<'_, AppState>,
    mapping: Mapping,
    utc_offset_minutes: i32,
) -> CommandResult<Preview> {
    let active = state.active().await?;
    let now = active.session.api.server_now();
    let mut slot = lock(&state.import);
    let loaded = slot.as_mut().ok_or_else(nothing_open)?;
    let preview = {
        let cache = (active.session.cache.lock()).unwrap_or_else(|poisoned| poisoned.into_inner());
        let catalog = cache.catalog()?;
        let known = import::KnownPeople::from_cache(&cache, now)?;
        import::preview(
            &loaded.table,
            &mapping,
            &catalog,
            &known,
            now,
            utc_offset_minutes,
        )?
    };
    let preview = in_words(preview);
    loaded.preview = Some((active.profile.id.clone(), preview.clone()));
    Ok(preview)
}

/// The rules' messages as the screen words them ("dtEndAccess must be…" reads "Access end
/// must be…"), as the invite form shows them.
fn in_words(mut preview: Preview) -> Preview {
    for problem in preview.rows.iter_mut().flat_map(|r| r.problems.iter_mut()) {
        problem.message = crate::error::in_words(&problem.message);
    }
    preview
}

/// Sends the rows the last preview found ready; progress as `job-progress` events
/// (`job: "import"`), cancellable with `cancel_job`. Answers every row's outcome.
#[tauri::command]
pub async fn import_send<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> CommandResult<ImportSent> {
    let active = state.active().await?;
    let (bytes, preview) =
        {
            let slot = lock(&state.import);
            let loaded = slot.as_ref().ok_or_else(nothing_open)?;
            match &loaded.preview {
                Some((profile, preview)) if *profile == active.profile.id => {
                    (loaded.bytes.clone(), preview.clone())
                }
                _ => return Err(CommandError::new(
                    ErrorKind::Validation,
                    "Preview the file for this profile first: nothing is sent without a preview",
                )),
            }
        };
    let running = job::begin(&state)?;
    let rows = import::ready_rows(&preview, &active.profile.id, &bytes);
    let sent = import::send_rows(&active.session.api, rows, &running.cancel, |done, total| {
        job::progress(&app, "import", done, total)
    })
    .await;
    drop(running);
    remember_created(&active.session, &sent)?;
    let mut rows = import::every_outcome(&preview, sent);
    for row in &mut rows {
        if let import::RowOutcome::Invalid { message, .. } = &mut row.outcome {
            *message = crate::error::in_words(message);
        }
    }
    job::keep_results(
        &state,
        JobResults {
            file_name: "import-results.csv",
            csv: import::outcomes_csv(&rows)?,
            rows: rows.len() as u64,
        },
    );
    let created = (rows.iter())
        .filter(|r| matches!(r.outcome, import::RowOutcome::Created { .. }))
        .count();
    crate::background::sync_soon(&app);
    Ok(ImportSent {
        not_created: rows.len() - created,
        created,
        rows,
    })
}

/// The invitations made go into the cache at once, so the tables and a second preview of the
/// same file see them before the next sync.
fn remember_created(
    session: &invitedesk_client::session::Session,
    sent: &[SentRow],
) -> CommandResult<()> {
    let mut cache = (session.cache.lock()).unwrap_or_else(|poisoned| poisoned.into_inner());
    for invitation in sent.iter().filter_map(|r| r.invitation.as_ref()) {
        cache.put_invitation(invitation)?;
    }
    Ok(())
}

/// Saves the template: the columns an import reads, with one example row.
#[tauri::command]
pub async fn save_import_template<R: Runtime>(
    app: AppHandle<R>,
) -> CommandResult<Option<Exported>> {
    save_bytes(
        &app,
        "invitations-template.csv",
        import::template_csv().as_bytes(),
        1,
    )
}

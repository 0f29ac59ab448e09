//! Connection profiles: test, save (secret to the keyring), edit, select and remove from this
//! computer.

use invitedesk_client::api::{ApiClient, Connection};
use invitedesk_client::creds;
use tauri::{AppHandle, Runtime, State};
use uuid::Uuid;

use crate::background;
use crate::commands::sync::CapabilitySummary;
use crate::error::{CommandError, CommandResult, ErrorKind};
use crate::profiles::{Profile, ProfileDraft, Profiles};
use crate::state::{lock, AppState, SyncStatus};

#[tauri::command]
pub fn profiles(state: State<'_, AppState>) -> Profiles {
    lock(&state.profiles).clone()
}

/// Signs in with the draft's credentials and reads `GET /me`; nothing is saved. Editing a
/// profile may leave the secret empty: the saved one is tried then.
#[tauri::command]
pub async fn test_connection(
    state: State<'_, AppState>,
    draft: ProfileDraft,
    id: Option<String>,
) -> CommandResult<CapabilitySummary> {
    let saved = match id.as_deref() {
        Some(id) if draft.api_secret.trim().is_empty() => {
            let id = lock(&state.profiles).known(id)?;
            Some(state.secret(id.as_str())?)
        }
        _ => None,
    };
    let profile = draft.check(String::new(), saved.is_none())?;
    let api = ApiClient::new(Connection {
        base_url: profile.base_url,
        org_id: profile.org_id,
        access_key_id: profile.access_key_id,
        api_secret: saved.unwrap_or_else(|| draft.api_secret.clone()),
    })?;
    Ok((&api.capabilities().await?).into())
}

/// Saves a new profile (the secret to the OS keyring, the rest to the store) and selects it.
#[tauri::command]
pub async fn save_profile<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    draft: ProfileDraft,
) -> CommandResult<Profile> {
    let profile = draft.check(Uuid::new_v4().to_string(), true)?;
    creds::store_secret(&profile.id, &draft.api_secret)?;
    {
        let mut profiles = lock(&state.profiles);
        profiles.put(profile.clone());
        profiles.save(&app)?;
    }
    select(&app, &state, &profile.id).await?;
    Ok(profile)
}

/// Changes a profile's name, address or keys. A new secret replaces the old one in the
/// keyring; an empty one keeps it. The open profile is reopened with what changed.
#[tauri::command]
pub async fn update_profile<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    id: String,
    draft: ProfileDraft,
) -> CommandResult<Profiles> {
    let id = lock(&state.profiles).known(&id)?;
    let profile = draft.check(id.as_str().to_owned(), false)?;
    let secret = draft.api_secret.trim();
    if !secret.is_empty() {
        let mut memory = lock(&state.memory_secrets);
        match memory.get_mut(id.as_str()) {
            // The demo's throwaway secret, where no keyring runs.
            Some(kept) => *kept = secret.to_owned(),
            None => creds::store_secret(id.as_str(), secret)?,
        }
    }
    let profiles = {
        let mut profiles = lock(&state.profiles);
        profiles.put(profile);
        profiles.save(&app)?;
        profiles.clone()
    };
    if profiles.selected.as_deref() == Some(id.as_str()) {
        select(&app, &state, id.as_str()).await?;
    }
    Ok(profiles)
}

/// Opens the profile's cache (its tables show at once) and syncs in the background.
pub async fn select<R: Runtime>(
    app: &AppHandle<R>,
    state: &AppState,
    id: &str,
) -> CommandResult<()> {
    let profile = lock(&state.profiles)
        .get(id)
        .cloned()
        .ok_or_else(|| CommandError::new(ErrorKind::NotFound, "No such profile"))?;
    let active = std::sync::Arc::new(state.open(&profile)?);
    let last_synced = active
        .session
        .cache
        .lock()
        .ok()
        .and_then(|c| {
            c.sync_state(invitedesk_client::cache::List::Invitations)
                .ok()
        })
        .and_then(|s| s.last_success);
    *state.active.write().await = Some(active);
    *lock(&state.capabilities) = None;
    state.update_status(|status| {
        *status = SyncStatus {
            seq: status.seq,
            profile_id: Some(profile.id.clone()),
            last_synced,
            online: true,
            ..Default::default()
        }
    });
    {
        let mut profiles = lock(&state.profiles);
        profiles.selected = Some(profile.id.clone());
        profiles.save(app)?;
    }
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let _ = background::sync_once(&app).await;
    });
    Ok(())
}

#[tauri::command]
pub async fn select_profile<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    id: String,
) -> CommandResult<()> {
    let id = lock(&state.profiles).known(&id)?;
    select(&app, &state, id.as_str()).await
}

/// Removes the profile from this computer: its saved secret (keyring entry) and its cached
/// data. Nothing on the server changes.
#[tauri::command]
pub async fn remove_profile<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    id: String,
) -> CommandResult<Profiles> {
    let id = lock(&state.profiles).known(&id)?;
    let active = state
        .active
        .write()
        .await
        .take_if(|a| a.profile.id == id.as_str());
    lock(&state.memory_secrets).remove(id.as_str());
    match active.and_then(std::sync::Arc::into_inner) {
        Some(active) => active.session.sign_out(id.as_str())?,
        None => {
            match creds::delete_secret(id.as_str()) {
                Ok(()) | Err(creds::CredsError::NotFound) => {}
                Err(e) => return Err(e.into()),
            }
            let cache = state.cache_path(&id);
            if let Some(folder) = cache.parent() {
                let _ = std::fs::remove_dir_all(folder);
            }
        }
    }
    let profiles = {
        let mut profiles = lock(&state.profiles);
        profiles.remove(id.as_str());
        profiles.save(&app)?;
        profiles.clone()
    };
    if let Some(next) = profiles.selected.clone() {
        select(&app, &state, &next).await?;
    }
    Ok(profiles)
}

//! Connection profiles: test, save (secret to the keyring), select, rename, sign out; and the
//! sync status and "Sync now".

use invitedesk_client::api::{ApiClient, Connection};
use invitedesk_client::capabilities::{Action, Allowed, Capabilities};
use invitedesk_client::creds;
use serde::Serialize;
use tauri::{AppHandle, Runtime, State};
use uuid::Uuid;

use crate::background;
use crate::error::{CommandError, CommandResult};
use crate::profiles::{Profile, ProfileDraft, Profiles};
use crate::state::{lock, AppState, SyncStatus};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    pub version: &'static str,
    pub demo: bool,
}

#[tauri::command]
pub fn app_info(state: State<'_, AppState>) -> AppInfo {
    AppInfo {
        version: env!("CARGO_PKG_VERSION"),
        demo: state.demo,
    }
}

#[tauri::command]
pub fn profiles(state: State<'_, AppState>) -> Profiles {
    lock(&state.profiles).clone()
}

/// Who the credentials sign in as and what they may do.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CapabilitySummary {
    pub principal: Option<String>,
    pub organization: Option<String>,
    /// False against an m3ter-only API.
    pub extended: bool,
    pub actions: Vec<(Action, Allowed)>,
}

impl From<&Capabilities> for CapabilitySummary {
    fn from(capabilities: &Capabilities) -> Self {
        Self {
            principal: capabilities.me.as_ref().map(|m| m.name.clone()),
            organization: capabilities
                .me
                .as_ref()
                .map(|m| m.organization_name.clone()),
            extended: capabilities.is_extended(),
            actions: capabilities.all(),
        }
    }
}

/// Signs in with the draft's credentials and reads `GET /me`; nothing is saved.
#[tauri::command]
pub async fn test_connection(draft: ProfileDraft) -> CommandResult<CapabilitySummary> {
    let profile = draft.check(String::new())?;
    let api = ApiClient::new(Connection {
        base_url: profile.base_url,
        org_id: profile.org_id,
        access_key_id: profile.access_key_id,
        api_secret: draft.api_secret.clone(),
    })?;
    Ok((&api.capabilities().await?).into())
}

/// Saves the profile (the secret to the OS keyring, the rest to the store) and selects it.
#[tauri::command]
pub async fn save_profile<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    draft: ProfileDraft,
) -> CommandResult<Profile> {
    let profile = draft.check(Uuid::new_v4().to_string())?;
    creds::store_secret(&profile.id, &draft.api_secret)?;
    {
        let mut profiles = lock(&state.profiles);
        profiles.put(profile.clone());
        profiles.save(&app)?;
    }
    select(&app, &state, &profile.id).await?;
    Ok(profile)
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
        .ok_or_else(|| CommandError::new("notFound", "No such profile"))?;
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
    *lock(&state.status) = SyncStatus {
        profile_id: Some(profile.id.clone()),
        last_synced,
        online: true,
        ..Default::default()
    };
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

#[tauri::command]
pub fn rename_profile<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    id: String,
    name: String,
) -> CommandResult<Profiles> {
    let name = name.trim();
    if name.is_empty() {
        return Err(CommandError {
            field: Some("name".into()),
            ..CommandError::new("validation", "A name is required")
        });
    }
    let mut profiles = lock(&state.profiles);
    let id = profiles.known(&id)?;
    let mut profile = profiles
        .get(id.as_str())
        .cloned()
        .ok_or_else(|| CommandError::new("notFound", "No such profile"))?;
    profile.name = name.to_owned();
    profiles.put(profile);
    profiles.save(&app)?;
    Ok(profiles.clone())
}

/// Forgets the profile on this computer: its keyring entry and its cache.
#[tauri::command]
pub async fn sign_out<R: Runtime>(
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
            creds::delete_secret(id.as_str())?;
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

#[tauri::command]
pub fn status(state: State<'_, AppState>) -> SyncStatus {
    lock(&state.status).clone()
}

#[tauri::command]
pub async fn sync_now<R: Runtime>(app: AppHandle<R>) -> CommandResult<SyncStatus> {
    background::sync_once(&app).await
}

/// What the principal may do: from the server when online, else as last seen.
#[tauri::command]
pub async fn capabilities(state: State<'_, AppState>) -> CommandResult<CapabilitySummary> {
    let active = state.active().await?;
    match active.session.capabilities().await {
        Ok(capabilities) => Ok((&capabilities).into()),
        Err(_) => {
            let me = active
                .session
                .cache
                .lock()
                .ok()
                .and_then(|c| c.principal().ok().flatten());
            Ok((&Capabilities { me }).into())
        }
    }
}

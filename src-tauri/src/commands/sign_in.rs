//! People sign in as themselves: "Sign in with your browser" opens the server's sign-in page
//! in the system browser (or the command `BROWSER` names, as the convention goes), waits for
//! the redirect on a loopback port, and keeps the refresh token in the OS keyring, the access
//! token in memory only. The link is also sent to the window, to copy when no browser opens.
//! "Sign out" revokes the sign-in at the server, then forgets it; the cache stays readable.

use std::time::Duration;

use invitedesk_client::browser_sign_in::BrowserSignIn;
use invitedesk_client::creds;
use tauri::{AppHandle, Emitter, Runtime, State};
use uuid::Uuid;

use crate::commands::profiles::select;
use crate::error::{CommandError, CommandResult, ErrorKind};
use crate::profiles::{Profile, ProfileDraft, ProfileKind};
use crate::state::{lock, AppState};

/// How long the app waits for the person to finish in their browser.
const SIGN_IN_WITHIN: Duration = Duration::from_secs(300);

/// Opens `url` in the browser `BROWSER` names, else the system's default one.
fn open_in_browser<R: Runtime>(app: &AppHandle<R>, url: &str) -> Result<(), String> {
    if let Some(browser) = std::env::var_os("BROWSER").filter(|b| !b.is_empty()) {
        return std::process::Command::new(browser)
            .arg(url)
            .spawn()
            .map(drop)
            .map_err(|e| e.to_string());
    }
    use tauri_plugin_opener::OpenerExt;
    app.opener()
        .open_url(url, None::<&str>)
        .map_err(|e| e.to_string())
}

/// The profile to sign in: a saved person's (signing in again), or a new one from the draft.
fn profile_to_sign_in(
    state: &AppState,
    draft: &ProfileDraft,
    id: Option<String>,
) -> CommandResult<Profile> {
    match id {
        Some(id) => {
            let id = lock(&state.profiles).known(&id)?;
            let profile = lock(&state.profiles).get(id.as_str()).cloned();
            profile
                .filter(|p| p.kind == ProfileKind::Person)
                .ok_or_else(|| {
                    CommandError::new(
                        ErrorKind::Validation,
                        "This profile signs in with a service user's key, not a browser",
                    )
                })
        }
        None => {
            let draft = ProfileDraft {
                kind: ProfileKind::Person,
                ..draft.clone()
            };
            draft.check(Uuid::new_v4().to_string(), false)
        }
    }
}

/// Signs a person in through their browser, saves (or refreshes) their profile and opens it.
#[tauri::command]
pub async fn sign_in_with_browser<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    draft: ProfileDraft,
    id: Option<String>,
) -> CommandResult<Profile> {
    let mut profile = profile_to_sign_in(&state, &draft, id)?;
    let org = Some(profile.org_id).filter(|o| !o.is_nil());
    let sign_in = BrowserSignIn::start(&profile.base_url, org).await?;
    let _ = app.emit("sign-in-link", &sign_in.authorize_url);
    if let Err(error) = open_in_browser(&app, &sign_in.authorize_url) {
        tracing::warn!(%error, "no browser opened: the window offers the link to copy");
    }
    let tokens = sign_in.finish(SIGN_IN_WITHIN).await?;
    let refresh = tokens.refresh_token.clone().ok_or_else(|| {
        CommandError::new(
            ErrorKind::Server,
            "The server signed you in but gave no refresh token",
        )
    })?;
    creds::store_secret(&profile.id, &refresh)?;
    if let Some(org) = tokens.organization_id {
        profile.org_id = org;
    }
    {
        let mut profiles = lock(&state.profiles);
        profiles.put(profile.clone());
        profiles.save(&app)?;
    }
    lock(&state.fresh_sign_ins).insert(profile.id.clone(), tokens);
    select(&app, &state, &profile.id).await?;
    Ok(profile)
}

/// Ends the open person's sign-in: at the server first (every token of it stops working),
/// then here. Offline, it is forgotten here all the same, and the answer says the server
/// could not be told. The profile and its cache stay, to read offline or sign in again.
#[tauri::command]
pub async fn sign_out<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> CommandResult<String> {
    let active = state.active().await?;
    if active.profile.kind != ProfileKind::Person {
        return Err(CommandError::new(
            ErrorKind::Validation,
            "A service user's profile has no sign-in to end: remove the profile instead",
        ));
    }
    let told = active.session.api.revoke_sign_in().await;
    match creds::delete_secret(&active.profile.id) {
        Ok(()) | Err(creds::CredsError::NotFound) => {}
        Err(e) => return Err(e.into()),
    }
    lock(&state.memory_secrets).remove(&active.profile.id);
    let id = active.profile.id.clone();
    drop(active);
    select(&app, &state, &id).await?;
    Ok(match told {
        Ok(()) => "Signed out. Sign in again to sync; the cached lists stay readable.".into(),
        Err(_) => "Signed out on this computer. The server could not be told (offline): the sign-in ends there when its refresh token expires.".into(),
    })
}

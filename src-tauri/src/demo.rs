//! `--demo`: the reference server runs inside the app on a loopback port with demo data, and a
//! "Demo" profile signs in to it as the demo organisation's administrator. Its secret is rotated
//! by the server at every start; it goes to the OS keyring, or to memory when none runs.

use invitedesk_client::creds;
use invitedesk_server::{demo, start as start_server, Config, RunningServer};
use tauri::{AppHandle, Manager, Runtime};

use crate::error::{CommandError, CommandResult, ErrorKind};
use crate::profiles::Profile;
use crate::state::{lock, AppState};

pub const PROFILE_ID: &str = "demo";

/// Keeps the embedded server running for as long as the app does.
pub struct DemoServer(pub std::sync::Mutex<Option<RunningServer>>);

pub async fn start<R: Runtime>(app: &AppHandle<R>) -> CommandResult<()> {
    let state = app.state::<AppState>();
    let db = state.data_dir.join("demo-server").join("server.db");
    if let Some(folder) = db.parent() {
        std::fs::create_dir_all(folder)
            .map_err(|e| CommandError::new(ErrorKind::Server, e.to_string()))?;
    }
    let fresh = !db.exists();
    let server = start_server(Config::for_database(db))
        .await
        .map_err(|e| CommandError::new(ErrorKind::Server, format!("demo server: {e}")))?;
    let credentials = demo::seed(&server.state, &server.base_url())
        .await
        .map_err(|e| CommandError::new(ErrorKind::Server, format!("demo data: {e}")))?;
    let org = &credentials.organizations[0];
    // For the launch bench: a fresh demo with this many more invitations.
    let bulk = std::env::var("INVITEDESK_DEMO_BULK")
        .ok()
        .and_then(|n| n.parse().ok());
    if let Some(count) = bulk.filter(|_| fresh) {
        demo::bulk_invitations(&server.state, org.org_id, count)
            .await
            .map_err(|e| CommandError::new(ErrorKind::Server, format!("demo bulk: {e}")))?;
    }
    let admin = &org.principals["admin"];
    if creds::store_secret(PROFILE_ID, &admin.api_secret).is_err() {
        tracing::warn!("no OS keyring: the demo's secret is kept in memory for this run");
        lock(&state.memory_secrets).insert(PROFILE_ID.into(), admin.api_secret.clone());
    }
    let profile = Profile {
        id: PROFILE_ID.into(),
        name: format!("Demo: {}", org.name),
        base_url: server.base_url(),
        org_id: org.org_id,
        access_key_id: admin.access_key_id.clone(),
        kind: crate::profiles::ProfileKind::ServiceUser,
    };
    {
        let mut profiles = lock(&state.profiles);
        profiles.put(profile);
        profiles.selected = Some(PROFILE_ID.into());
        profiles.save(app)?;
    }
    app.manage(DemoServer(std::sync::Mutex::new(Some(server))));
    Ok(())
}

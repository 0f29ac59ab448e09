//! What the app holds while it runs: the profiles, the open session of the selected profile,
//! and where syncing stands (which the header shows).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use invitedesk_client::api::{ApiClient, Connection, PersonGrant};
use invitedesk_client::capabilities::Capabilities;
use invitedesk_client::creds::{self, CredsError};
use invitedesk_client::session::Session;
use serde::Serialize;
use tokio::sync::RwLock;

use crate::error::{CommandError, CommandResult, ErrorKind};
use crate::profiles::{Profile, ProfileId, ProfileKind, Profiles};
use invitedesk_model::TokenResponse;

/// The selected profile, signed in.
pub struct Active {
    pub profile: Profile,
    pub session: Session,
}

/// Where syncing stands, for the header.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncStatus {
    /// Grows with every change: the UI hears a status both as events and as command answers,
    /// which may arrive out of order, and keeps the newest (a snapshot taken mid-sync must not
    /// overwrite the sync's end).
    pub seq: u64,
    pub profile_id: Option<String>,
    pub online: bool,
    pub offline_since: Option<DateTime<Utc>>,
    pub last_synced: Option<DateTime<Utc>>,
    pub syncing: bool,
    /// Records applied so far in the running sync, and of which list.
    pub done: u64,
    /// How many the running sync brings in that list, when the server says.
    pub total: Option<u64>,
    pub list: Option<&'static str>,
    pub last_error: Option<String>,
    /// The server's clock less this computer's, in milliseconds: the UI dates defaults and
    /// "expires in" from the server's time, as the server will judge them.
    pub clock_offset_ms: i64,
}

pub struct AppState {
    /// Where each profile's cache lives: `<data_dir>/profiles/<id>/cache.db`.
    pub data_dir: PathBuf,
    pub profiles: Mutex<Profiles>,
    pub active: RwLock<Option<Arc<Active>>>,
    pub status: Mutex<SyncStatus>,
    /// What the open profile's principal may do, as last read from the server this run.
    pub capabilities: Mutex<Option<Capabilities>>,
    /// One sync at a time.
    pub syncing: tokio::sync::Mutex<()>,
    /// The demo's throwaway secrets when no OS keyring runs: memory only, never a file.
    pub memory_secrets: Mutex<HashMap<String, String>>,
    /// What a browser sign-in just answered, for the session it opens: its access token
    /// serves until it nears expiry (memory only, taken once).
    pub fresh_sign_ins: Mutex<HashMap<String, TokenResponse>>,
    pub demo: bool,
    /// The CSV open for import, and its last preview.
    pub import: Mutex<Option<crate::commands::import::LoadedImport>>,
    /// The running import or bulk action's cancel, while one runs.
    pub job: Mutex<Option<invitedesk_client::bulk::Cancel>>,
    /// The last finished job's results, for export.
    pub job_results: Mutex<Option<crate::commands::job::JobResults>>,
}

impl AppState {
    pub fn new(data_dir: PathBuf, demo: bool) -> Self {
        Self {
            data_dir,
            profiles: Mutex::new(Profiles::default()),
            active: RwLock::new(None),
            status: Mutex::new(SyncStatus::default()),
            capabilities: Mutex::new(None),
            syncing: tokio::sync::Mutex::new(()),
            memory_secrets: Mutex::new(HashMap::new()),
            fresh_sign_ins: Mutex::new(HashMap::new()),
            demo,
            import: Mutex::new(None),
            job: Mutex::new(None),
            job_results: Mutex::new(None),
        }
    }

    /// Changes the status (its `seq` grows) and answers the status after.
    pub fn update_status(&self, change: impl FnOnce(&mut SyncStatus)) -> SyncStatus {
        let mut status = lock(&self.status);
        change(&mut status);
        status.seq += 1;
        status.clone()
    }

    pub fn cache_path(&self, profile_id: &ProfileId) -> PathBuf {
        self.data_dir
            .join("profiles")
            .join(profile_id.as_str())
            .join("cache.db")
    }

    pub fn secret(&self, profile_id: &str) -> CommandResult<String> {
        if let Some(secret) = lock(&self.memory_secrets).get(profile_id) {
            return Ok(secret.clone());
        }
        creds::load_secret(profile_id).map_err(|e| match e {
            CredsError::NotFound => CommandError::new(
                ErrorKind::Keyring,
                "This profile's API secret is not in the system keyring: open Profiles, choose Edit on this profile and enter the secret again",
            ),
            other => other.into(),
        })
    }

    /// Opens the profile's session (its cache, and a client that signs in on first use).
    pub fn open(&self, profile: &Profile) -> CommandResult<Active> {
        let api = match profile.kind {
            ProfileKind::ServiceUser => ApiClient::new(Connection {
                base_url: profile.base_url.clone(),
                org_id: profile.org_id,
                access_key_id: profile.access_key_id.clone(),
                api_secret: self.secret(&profile.id)?,
            })?,
            ProfileKind::Person => self.person_client(profile)?,
        };
        let session = Session::open(api, &self.cache_path(&ProfileId::parse(&profile.id)?))?;
        Ok(Active {
            profile: profile.clone(),
            session,
        })
    }

    /// A person's client. Signed out (no refresh token in the keyring), it still opens: the
    /// cache reads offline, and the first call answers that the sign-in has ended.
    fn person_client(&self, profile: &Profile) -> CommandResult<ApiClient> {
        let refresh = self.secret(&profile.id).unwrap_or_default();
        let id = profile.id.clone();
        let grant = PersonGrant::new(refresh, move |next| {
            if let Err(error) = creds::store_secret(&id, next) {
                tracing::warn!(%error, "the rotated refresh token could not be kept: sign in again next time");
            }
        });
        let fresh = lock(&self.fresh_sign_ins).remove(&profile.id);
        Ok(ApiClient::for_person(
            &profile.base_url,
            profile.org_id,
            grant,
            fresh.as_ref(),
        )?)
    }

    pub async fn active(&self) -> CommandResult<Arc<Active>> {
        self.active
            .read()
            .await
            .clone()
            .ok_or_else(CommandError::no_profile)
    }
}

pub fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

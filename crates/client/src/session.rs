//! A signed-in connection profile: its API client and its cache together. Every write goes to
//! the server first and its answer is written into the cache at once, so the tables show it
//! before the next sync; signing out removes the keyring entry and the cache file.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use invitedesk_model::{FieldError, Invitation, InvitationUpdate, User, UserUpdate};
use uuid::Uuid;

use crate::api::{ApiClient, ApiError};
use crate::cache::{Cache, CacheError, Catalog};
use crate::capabilities::Capabilities;
use crate::creds::{self, CredsError};
use crate::edit::{self, InvitationEdit, UserEdit};
use crate::invite::{self, InviteForm};
use crate::sync::{self, Progress, SharedCache, SyncError, SyncReport};

#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error(transparent)]
    Api(#[from] ApiError),
    #[error(transparent)]
    Cache(#[from] CacheError),
    #[error(transparent)]
    Sync(#[from] SyncError),
    #[error(transparent)]
    Creds(#[from] CredsError),
    /// The form broke these rules; nothing was sent.
    #[error("{} field(s) are invalid", .0.len())]
    Invalid(Vec<FieldError>),
}

impl SessionError {
    /// The server could not be reached, however deep in a sync or a call that was found.
    pub fn is_offline(&self) -> bool {
        matches!(
            self,
            SessionError::Api(ApiError::Offline(_))
                | SessionError::Sync(SyncError::Api(ApiError::Offline(_)))
        )
    }
}

pub type Result<T, E = SessionError> = std::result::Result<T, E>;

pub struct Session {
    pub api: ApiClient,
    pub cache: SharedCache,
    cache_path: PathBuf,
}

impl Session {
    pub fn open(api: ApiClient, cache_path: &Path) -> Result<Self> {
        let cache = Arc::new(Mutex::new(Cache::open(cache_path)?));
        Ok(Self {
            api,
            cache,
            cache_path: cache_path.to_owned(),
        })
    }

    fn cache(&self) -> std::sync::MutexGuard<'_, Cache> {
        self.cache
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Syncs, then rebuilds the search index if anything changed, so the first keystroke in
    /// a search box after a sync does not pay for it.
    pub async fn sync(&self, progress: impl FnMut(Progress)) -> Result<SyncReport> {
        let report = sync::sync(&self.api, &self.cache, progress).await?;
        if report.invitations > 0 || report.users > 0 {
            crate::queries::warm_search(&self.cache())?;
        }
        Ok(report)
    }

    /// For when the app goes idle: the cache's log folded into its file, and the memory its
    /// queries hold beyond what searching needs handed back.
    pub fn tidy(&self) -> Result<()> {
        Ok(self.cache().tidy()?)
    }

    /// Reads `GET /me` (or learns the API is m3ter's own) and keeps the answer for offline use.
    pub async fn capabilities(&self) -> Result<Capabilities> {
        let capabilities = self.api.capabilities().await?;
        if let Some(me) = &capabilities.me {
            self.cache().put_principal(me, self.api.server_now())?;
        }
        Ok(capabilities)
    }

    /// Reloads the policies, the placement catalogue (with seat figures) and the service
    /// users' names into the cache.
    pub async fn sync_catalog(&self) -> Result<Catalog> {
        let mut catalog = Catalog {
            policies: self.api.permission_policies().await?,
            businesses: self.api.businesses().await?,
            service_users: self.service_users().await?,
            ..Default::default()
        };
        for business in &catalog.businesses {
            catalog.apps.extend(self.api.apps(business.id).await?);
        }
        for app in &catalog.apps {
            catalog
                .subscriptions
                .extend(self.api.subscriptions(app.id).await?);
            catalog.roles.extend(self.api.roles(app.id).await?);
        }
        self.cache().replace_catalog(&catalog)?;
        Ok(catalog)
    }

    /// The service users' names; a principal that may not list them keeps what is cached
    /// (names are a courtesy: the tables fall back to short ids).
    async fn service_users(&self) -> Result<Vec<invitedesk_model::ServiceUser>> {
        match self.api.service_users().await {
            Ok(found) => Ok(found),
            Err(ApiError::Offline(e)) => Err(ApiError::Offline(e).into()),
            Err(_) => Ok(self.cache().catalog()?.service_users),
        }
    }

    /// Checks the form against every rule and the cached catalogue, then sends it once: the
    /// client's Idempotency-Key makes its retries safe.
    /// Every rule the form breaks now (none: it can be sent), as the UI shows them.
    pub fn check_invite(&self, form: &InviteForm) -> Result<Vec<FieldError>> {
        let catalog = self.cache().catalog()?;
        Ok(invite::build(form, &catalog, self.api.server_now())
            .err()
            .unwrap_or_default())
    }

    pub async fn invite(&self, form: &InviteForm) -> Result<Invitation> {
        let catalog = self.cache().catalog()?;
        let invitation =
            invite::build(form, &catalog, self.api.server_now()).map_err(SessionError::Invalid)?;
        let created = self.api.create_invitation(&invitation).await?;
        self.cache().put_invitation(&created)?;
        Ok(created)
    }

    pub async fn resend(&self, id: Uuid) -> Result<Invitation> {
        let answer = self.api.resend_invitation(id).await?;
        self.cache().put_invitation(&answer)?;
        Ok(answer)
    }

    pub async fn revoke(&self, id: Uuid) -> Result<Invitation> {
        let answer = self.api.revoke_invitation(id).await?;
        self.cache().put_invitation(&answer)?;
        Ok(answer)
    }

    /// The edit dialog's fields, checked as the invite form is, then sent with their version.
    pub async fn edit_invitation(&self, id: Uuid, edit: &InvitationEdit) -> Result<Invitation> {
        let catalog = self.cache().catalog()?;
        let update = edit::invitation_update(edit, &catalog, self.api.server_now())
            .map_err(SessionError::Invalid)?;
        self.update_invitation(id, &update).await
    }

    /// Sends an update as it is (the rules are the server's to judge).
    pub async fn update_invitation(
        &self,
        id: Uuid,
        update: &InvitationUpdate,
    ) -> Result<Invitation> {
        let answer = self.api.update_invitation(id, update).await?;
        self.cache().put_invitation(&answer)?;
        Ok(answer)
    }

    pub async fn delete_invitation(&self, id: Uuid) -> Result<()> {
        let mut answer = self.api.delete_invitation(id).await?;
        answer.deleted = Some(true);
        self.cache().put_invitation(&answer)?;
        Ok(())
    }

    pub async fn edit_user(&self, id: Uuid, edit: &UserEdit) -> Result<User> {
        let catalog = self.cache().catalog()?;
        let update = edit::user_update(edit, &catalog, self.api.server_now())
            .map_err(SessionError::Invalid)?;
        self.update_user(id, &update).await
    }

    pub async fn update_user(&self, id: Uuid, update: &UserUpdate) -> Result<User> {
        let answer = self.api.update_user(id, update).await?;
        self.cache().put_user(&answer)?;
        Ok(answer)
    }

    pub async fn inactivate(&self, id: Uuid) -> Result<User> {
        let answer = self.api.inactivate_user(id).await?;
        self.cache().put_user(&answer)?;
        Ok(answer)
    }

    pub async fn reactivate(&self, id: Uuid) -> Result<User> {
        let answer = self.api.reactivate_user(id).await?;
        self.cache().put_user(&answer)?;
        Ok(answer)
    }

    pub async fn delete_user(&self, id: Uuid) -> Result<()> {
        let mut answer = self.api.delete_user(id).await?;
        answer.deleted = Some(true);
        self.cache().put_user(&answer)?;
        Ok(())
    }

    /// Forgets the profile on this machine: its secret in the OS keyring and its cache file.
    /// A keyring that already had no entry is not an error: the goal is that none remains.
    pub fn sign_out(self, profile_id: &str) -> Result<()> {
        match creds::delete_secret(profile_id) {
            Ok(()) | Err(CredsError::NotFound) => {}
            Err(e) => return Err(e.into()),
        }
        self.cache().wipe()?;
        let path = self.cache_path.clone();
        drop(self);
        for suffix in ["", "-wal", "-shm"] {
            let file = PathBuf::from(format!("{}{suffix}", path.display()));
            match std::fs::remove_file(&file) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    return Err(CacheError::Io(e).into())
                }
                _ => {}
            }
        }
        Ok(())
    }
}

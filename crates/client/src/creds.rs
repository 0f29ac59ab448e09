//! Each connection profile's API secret, in the operating system's keyring: the macOS
//! Keychain, the Windows Credential Manager, or on Linux the Secret Service (persistent, the
//! default) or the kernel's keyutils (memory only, lost at reboot: for headless machines, chosen
//! with `INVITEDESK_KEYRING=keyutils`). Never a file; a missing or locked keyring is an error
//! that says so.

use std::sync::Once;

const SERVICE: &str = "InviteDesk";

/// Which Linux store holds the secrets; elsewhere the platform's own store is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinuxStore {
    SecretService,
    KernelKeyutils,
}

impl LinuxStore {
    /// `INVITEDESK_KEYRING=keyutils` picks the kernel store; anything else the Secret Service.
    pub fn from_env() -> Self {
        match std::env::var("INVITEDESK_KEYRING").as_deref() {
            Ok("keyutils") => LinuxStore::KernelKeyutils,
            _ => LinuxStore::SecretService,
        }
    }
}

static CHOSEN: Once = Once::new();

/// Names the store explicitly, once per process: with both Linux stores compiled in, keyring's
/// own default would be a combination of the two.
pub fn use_store(store: LinuxStore) {
    CHOSEN.call_once(|| {
        #[cfg(target_os = "linux")]
        keyring::set_default_credential_builder(match store {
            LinuxStore::SecretService => keyring::secret_service::default_credential_builder(),
            LinuxStore::KernelKeyutils => keyring::keyutils::default_credential_builder(),
        });
        #[cfg(not(target_os = "linux"))]
        let _ = store;
    });
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CredsError {
    /// Nothing is stored for this profile (never saved, or signed out).
    #[error("no secret is stored for this profile")]
    NotFound,
    /// The keyring cannot be used: none running, locked, or access refused.
    #[error("the system keyring is not available: {0}")]
    Unavailable(String),
}

fn entry(profile_id: &str) -> Result<keyring::Entry, CredsError> {
    use_store(LinuxStore::from_env());
    keyring::Entry::new(SERVICE, profile_id).map_err(map_error)
}

fn map_error(error: keyring::Error) -> CredsError {
    match error {
        keyring::Error::NoEntry => CredsError::NotFound,
        other => CredsError::Unavailable(other.to_string()),
    }
}

pub fn store_secret(profile_id: &str, secret: &str) -> Result<(), CredsError> {
    entry(profile_id)?
        .set_password(secret)
        .map_err(|e| match e {
            // keyutils answers so when the process has no session keyring to write to.
            keyring::Error::NoEntry => {
                CredsError::Unavailable("the keyring has nowhere to keep the secret".into())
            }
            other => map_error(other),
        })
}

pub fn load_secret(profile_id: &str) -> Result<String, CredsError> {
    entry(profile_id)?.get_password().map_err(map_error)
}

/// Forgets the profile's secret; forgetting one that is not there is not an error.
pub fn delete_secret(profile_id: &str) -> Result<(), CredsError> {
    match entry(profile_id)?.delete_credential() {
        Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
        Err(other) => Err(map_error(other)),
    }
}

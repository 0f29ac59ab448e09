//! Each connection profile's API secret, in the operating system's keyring: the macOS
//! Keychain, the Windows Credential Manager, or the Secret Service on Linux. Never a file; a
//! missing or locked keyring is an error that says so.

const SERVICE: &str = "InviteDesk";

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
    keyring::Entry::new(SERVICE, profile_id).map_err(map_error)
}

fn map_error(error: keyring::Error) -> CredsError {
    match error {
        keyring::Error::NoEntry => CredsError::NotFound,
        other => CredsError::Unavailable(other.to_string()),
    }
}

pub fn store_secret(profile_id: &str, secret: &str) -> Result<(), CredsError> {
    entry(profile_id)?.set_password(secret).map_err(map_error)
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

//! Human passwords: argon2, the slow hash made for low-entropy secrets people choose. Run off
//! the async threads, since one hash takes tens of milliseconds by design. Machine secrets are
//! random and checked with a plain digest instead (`auth`).

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

use crate::error::{Error, Result};

/// Hashes running at once. Each takes ~19 MiB and a core for tens of milliseconds, so a flood
/// of sign-ins from many addresses must queue here rather than exhaust memory (the blocking
/// pool would otherwise run hundreds side by side).
static HASHING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(4);

/// The argon2 hash (PHC string) of a new password.
pub async fn hash(password: String) -> Result<String> {
    let _turn = HASHING
        .acquire()
        .await
        .map_err(|e| Error::Internal(format!("argon2 queue: {e}")))?;
    tokio::task::spawn_blocking(move || hash_now(&password))
        .await
        .map_err(|e| Error::Internal(format!("argon2 task: {e}")))?
}

pub fn hash_now(password: &str) -> Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::Internal(format!("argon2: {e}")))
}

/// Whether `password` matches the stored PHC string; a malformed one matches nothing.
pub async fn verify(password: String, stored: String) -> bool {
    let Ok(_turn) = HASHING.acquire().await else {
        return false;
    };
    tokio::task::spawn_blocking(move || verify_now(&password, &stored))
        .await
        .unwrap_or(false)
}

pub fn verify_now(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

//! The kernel's keyutils store, for headless Linux: scripts/test runs the tests inside a fresh
//! session keyring (`keyctl session -`), which this store writes to.

use invitedesk_client::creds::{
    delete_secret, load_secret, store_secret, use_store, CredsError, LinuxStore,
};

#[test]
fn a_secret_is_stored_read_and_deleted_in_the_kernel_keyring() {
    // Its own test binary, so choosing the store for the process touches no other test.
    use_store(LinuxStore::KernelKeyutils);
    let profile = format!("test-profile-{}", uuid::Uuid::new_v4());
    store_secret(&profile, "kernel-held").expect("a session keyring (run through scripts/test)");
    assert_eq!(load_secret(&profile).unwrap(), "kernel-held");
    delete_secret(&profile).unwrap();
    assert_eq!(load_secret(&profile).unwrap_err(), CredsError::NotFound);
}

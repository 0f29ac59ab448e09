//! The secret in the real OS keyring: scripts/test runs the tests inside a D-Bus session with
//! an unlocked gnome-keyring (the Secret Service), as a desktop session would have.

use invitedesk_client::creds::{delete_secret, load_secret, store_secret, CredsError};

#[test]
fn a_secret_is_stored_read_and_deleted_in_the_system_keyring() {
    let profile = format!("test-profile-{}", uuid::Uuid::new_v4());
    store_secret(&profile, "s3cret-value")
        .expect("a Secret Service is running (run the tests through scripts/test)");
    assert_eq!(load_secret(&profile).unwrap(), "s3cret-value");
    store_secret(&profile, "rotated").unwrap();
    assert_eq!(load_secret(&profile).unwrap(), "rotated");
    delete_secret(&profile).unwrap();
    assert_eq!(load_secret(&profile).unwrap_err(), CredsError::NotFound);
    delete_secret(&profile).expect("deleting twice is fine");
}

//! With no keyring to talk to, the answer is a clear error, never a panic and never a file.

use invitedesk_client::creds::{load_secret, store_secret, CredsError};

#[test]
fn without_a_keyring_the_error_says_so() {
    // This test binary runs alone in its process, so pointing D-Bus nowhere touches no other test.
    std::env::set_var(
        "DBUS_SESSION_BUS_ADDRESS",
        "unix:path=/nonexistent/invitedesk-test-bus",
    );
    let profile = "test-profile-no-keyring";
    assert!(matches!(
        store_secret(profile, "x"),
        Err(CredsError::Unavailable(_))
    ));
    assert!(matches!(
        load_secret(profile),
        Err(CredsError::Unavailable(_))
    ));
}

//! Story 14, the app on the desktop: About shows the version; a second launch hands over to
//! the open window and exits; the window opens again at the size it was left; the log file
//! holds the app's events and no secret.

use std::time::Duration;

use crate::helpers::table_filled;
use crate::stage::{play, Given};

#[tokio::test]
async fn about_one_instance_a_remembered_window_and_a_log_without_secrets() {
    play("s14-desktop", Given::SignedIn("admin"), |s| {
        Box::pin(async move {
            table_filled(s).await;
            s.click("#about-button").await;
            s.until_text(
                "#about-version",
                &format!("Version {}", env!("CARGO_PKG_VERSION")),
            )
            .await;
            let folder = s.text("#about-log-folder").await;
            assert!(folder.ends_with("logs"), "{folder}");
            s.click("#about-close").await;

            // A second launch: it hands over to this window and exits at once.
            let again = s.launch_again(&[]).await;
            assert!(
                again.status.success(),
                "the second launch exits 0: {again:?}"
            );
            s.until_text("#notice", "InviteDesk is already open").await;

            // The window's size, kept when it is resized and back after a restart.
            s.window.set_window_size(1000, 700).await.unwrap();
            let resized = s
                .eval("return [window.outerWidth, window.outerHeight]")
                .await;
            tokio::time::sleep(Duration::from_secs(1)).await;
            s.restart_app().await;
            table_filled(s).await;
            let restored = s
                .eval("return [window.outerWidth, window.outerHeight]")
                .await;
            assert_eq!(
                restored, resized,
                "the window opens at the size it was left"
            );
            assert_ne!(restored[0], 1280, "not the default size");

            let logs = s.dir.path().join("data/com.invitedesk.console/logs");
            let mut text = String::new();
            for file in std::fs::read_dir(&logs).expect("a log folder").flatten() {
                text.push_str(&std::fs::read_to_string(file.path()).unwrap_or_default());
            }
            assert!(text.contains("InviteDesk started"), "the log: {text}");
            let secret = &s.credentials("admin").api_secret;
            assert!(!text.contains(secret.as_str()), "no secret in the log");
        })
    })
    .await;
}

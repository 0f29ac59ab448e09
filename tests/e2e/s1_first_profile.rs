//! Story 1: a new administrator adds a profile with the admin's credentials, tests the
//! connection, saves, and sees the invitations table filled from the server.

use crate::helpers::{api_as, invitations_on_server, table_filled};
use crate::stage::{play, Given};

#[tokio::test]
async fn a_new_administrator_adds_a_profile_and_sees_the_invitations() {
    play("s1-first-profile", Given::NoProfile, |s| {
        Box::pin(async move {
            s.until_text("#notice", "Add a connection profile").await;
            let admin = s.credentials("admin");
            let (key, secret) = (admin.access_key_id.clone(), admin.api_secret.clone());
            s.type_into("#pf-name", "Acme Robotics").await;
            s.type_into("#pf-baseUrl", &s.base_url()).await;
            s.type_into("#pf-orgId", &s.org_id().to_string()).await;
            s.type_into("#pf-accessKeyId", &key).await;
            s.type_into("#pf-apiSecret", &secret).await;
            s.click("#pf-test").await;
            let tested = s.until_text("#pf-result", "Signed in as").await;
            assert!(tested.contains("Every action is allowed"), "{tested}");
            s.screenshot("connection-tested").await;

            s.click("#profile-form button[type=submit]").await;
            table_filled(s).await;
            let on_server = invitations_on_server(&api_as(s, "admin")).await;
            let count = format!("{} invitations", on_server.len());
            s.until_text("#invitation-count", &count).await;
            let pending = on_server
                .iter()
                .filter(|i| i.status_at(chrono::Utc::now()) == invitedesk_model::InvitationStatus::Pending)
                .count();
            s.until_text("#status-filters", &format!("Pending ({pending})"))
                .await;
            let shown = s.rows("#invitation-table").await.join("\n");
            let newest = on_server
                .iter()
                .max_by_key(|i| i.dt_created)
                .and_then(|i| i.email.clone())
                .unwrap();
            assert!(shown.contains(&newest), "{newest} not in\n{shown}");
            s.screenshot("invitations-table").await;

            // Readable at 200 % zoom (Ctrl + twice over, through the same zoom command): nothing
            // runs off the side, the toolbar and the table's main columns stay on screen.
            s.invoke("plugin:webview|set_webview_zoom", serde_json::json!({ "value": 2.0 }))
                .await
                .expect("the window may zoom itself");
            s.until("the page at 200 %", "window.innerWidth <= 660").await;
            let fits = s
                .eval(
                    "const inside = (e) => { const r = e.getBoundingClientRect(); return r.width > 0 && r.left >= 0 && r.right <= window.innerWidth; };
                     return document.documentElement.scrollWidth <= window.innerWidth
                       && ['invite-button', 'invitation-search', 'sync-button'].every(id => inside(document.getElementById(id)))
                       && [...document.querySelectorAll('#invitation-head [role=columnheader]')].filter(h => h.offsetParent).every(inside);",
                )
                .await;
            assert_eq!(fits, serde_json::json!(true), "something is cut off at 200 %");
            s.screenshot("zoom-200").await;

            // The secret went to the keyring, not into the app's files, and those files (the
            // profile store, the cache) are the user's alone.
            let data = s.dir.path().join("data/com.invitedesk.console");
            let mode = |path: &std::path::Path| {
                use std::os::unix::fs::PermissionsExt;
                std::fs::metadata(path).unwrap().permissions().mode() & 0o777
            };
            assert_eq!(mode(&data), 0o700, "the app's data folder");
            let files = walk(&data);
            assert!(files.iter().any(|f| f.ends_with("profiles.json")), "{files:?}");
            for file in files {
                let bytes = std::fs::read(&file).unwrap_or_default();
                assert!(
                    !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                    "the secret is in {}",
                    file.display()
                );
                assert_eq!(mode(&file) & 0o077, 0, "{} is readable by others", file.display());
            }
        })
    })
    .await;
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}

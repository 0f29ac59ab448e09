//! Story 8, a conflict: an administrator edits a user's policies while the same user is changed
//! through the API. Saving says someone else changed it; reloading brings their version with
//! this administrator's change on top; saving that keeps both. Nothing is lost.

use invitedesk_model::{UserStatus, UserUpdate};
use serde_json::json;

use crate::helpers::{api_as, users_on_server};
use crate::stage::{play, Given};

#[tokio::test]
async fn a_concurrent_change_is_reported_and_reloaded_without_losing_either() {
    play("s8-conflict", Given::SignedIn("admin"), |s| {
        Box::pin(async move {
            let api = api_as(s, "admin");
            let policies = api.permission_policies().await.unwrap();
            let user = users_on_server(&api)
                .await
                .into_iter()
                .find(|u| {
                    u.status == Some(UserStatus::Active)
                        && u.permission_policy_ids.as_ref().is_some_and(|p| p.len() == 1)
                })
                .expect("an active member with one policy");
            let email = user.email.clone().unwrap();
            let held = user.permission_policy_ids.clone().unwrap()[0];
            let [mine, theirs] = [0, 1].map(|n| {
                policies
                    .iter()
                    .filter(|p| p.id != held)
                    .nth(n)
                    .expect("two more policies")
                    .clone()
            });

            s.click("#tab-users").await;
            s.type_into("#user-search", &email).await;
            s.open_row("#user-table", &email).await;
            s.click("#details-actions button[data-action=editUser]").await;
            s.until("the edit dialog", "document.getElementById('edit-dialog').open")
                .await;
            let (mine_name, theirs_name) = (mine.name.clone().unwrap(), theirs.name.clone().unwrap());
            tick(s, &mine_name).await;

            // Meanwhile, someone else gives the same user another policy.
            api.update_user(
                user.id,
                &UserUpdate {
                    version: user.version.unwrap(),
                    permission_policy_ids: Some(vec![held, theirs.id]),
                    dt_end_access: user.dt_end_access,
                },
            )
            .await
            .unwrap();

            s.click("#edit-save").await;
            s.until_text("#edit-message", "Someone else changed it").await;
            s.screenshot("conflict").await;
            s.click("#edit-reload").await;
            s.until_text("#edit-message", "with your changes to policies on top")
                .await;
            for name in [&mine_name, &theirs_name] {
                let ticked = s
                    .eval(&format!(
                        "return [...document.querySelectorAll('#ef-policies label')].some(l => l.innerText.trim() === {name:?} && l.querySelector('input').checked)"
                    ))
                    .await;
                assert_eq!(ticked, json!(true), "{name} is not ticked after the reload");
            }
            s.click("#edit-save").await;
            s.until_text("#notice", &format!("Saved {email}")).await;

            let saved = api.user(user.id).await.unwrap();
            let mut ids = saved.permission_policy_ids.unwrap();
            ids.sort();
            let mut expected = vec![held, mine.id, theirs.id];
            expected.sort();
            assert_eq!(ids, expected, "both changes kept");
        })
    })
    .await;
}

async fn tick(s: &crate::stage::Stage, policy: &str) {
    s.eval(&format!(
        "[...document.querySelectorAll('#ef-policies label')].find(l => l.innerText.trim() === {policy:?}).querySelector('input').click()"
    ))
    .await;
}

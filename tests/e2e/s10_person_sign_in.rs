//! Story 10: a person signs in as themselves. They add a profile with "Sign in with your
//! browser" (the API address only: nothing secret typed into the app), the app opens the
//! sign-in page in the system browser (here a real headless chromium the test drives), they
//! sign in and choose Acme Robotics, and the app shows who is signed in. They invite someone
//! and see their own name in Created by. Then their password is reset elsewhere: the next sync
//! says the sign-in has ended and offers to sign in again, while the cached table stays.

use fantoccini::Locator;

use crate::chromium::{headless_browser, sign_in_on_the_page};
use crate::helpers::{
    fill_new_person, open_invite_form, send_invite, table_filled, Person, TELEMETRY_TEAM,
};
use crate::stage::{play, Given};

const NEWCOMER: Person = Person {
    first: "Radia",
    last: "Perlman",
    email: "radia.perlman.s10@acme.example",
    phone: "+44 7700 900412",
};

#[tokio::test]
async fn a_person_signs_in_with_their_browser_and_is_asked_again_after_a_reset() {
    play("s10-person-sign-in", Given::NoProfile, |s| {
        Box::pin(async move {
            s.until_text("#notice", "Add a connection profile").await;
            s.click("#pf-kind input[value=person]").await;
            s.until(
                "the key fields hidden",
                "document.getElementById('pf-accessKeyId').closest('.field').hidden",
            )
            .await;
            s.type_into("#pf-name", "Me at Acme").await;
            s.type_into("#pf-baseUrl", &s.base_url()).await;
            s.click("#pf-save").await;
            s.until_text("#pf-result", "Waiting for you to sign in")
                .await;
            let link = s.opened_in_browser().await;
            assert!(link.contains("code_challenge_method=S256"), "{link}");
            s.until(
                "the link offered to copy",
                "!document.getElementById('pf-link').hidden",
            )
            .await;
            s.screenshot("waiting-for-the-browser").await;

            let (browser, _kept) = headless_browser("800,900").await;
            browser.goto(&link).await.unwrap();
            let (email, password) = (s.demo.person.email.clone(), s.demo.person.password.clone());
            sign_in_on_the_page(&browser, &email, &password).await;
            // The demo person belongs to both demo organisations: the page asks which.
            browser
                .wait()
                .for_element(Locator::XPath(
                    "//button[normalize-space()='Acme Robotics']",
                ))
                .await
                .unwrap()
                .click()
                .await
                .unwrap();
            browser
                .wait()
                .for_element(Locator::XPath("//*[contains(., 'You are signed in')]"))
                .await
                .unwrap();
            let _ = browser.close().await;

            table_filled(s).await;
            s.until_text("#signed-in-as", "Signed in as Ada Lovelace")
                .await;
            s.screenshot("signed-in-as-a-person").await;
            no_file_holds_the_refresh_token(s.dir.path());

            open_invite_form(s).await;
            fill_new_person(s, &NEWCOMER, TELEMETRY_TEAM).await;
            send_invite(s, NEWCOMER.email).await;
            s.open_row("#invitation-table", NEWCOMER.email).await;
            s.until_text("#details-fields", "Ada Lovelace").await;

            // Elsewhere, the password is reset: every sign-in of the account ends.
            let state = &s.server().state;
            let email = s.demo.person.email.clone();
            let hash =
                invitedesk_server::password::hash_now("a new password, set elsewhere").unwrap();
            state
                .db
                .write(move |tx| {
                    let account: String =
                        tx.query_row("SELECT id FROM accounts WHERE email = ?", [email], |r| {
                            r.get(0)
                        })?;
                    let account = uuid::Uuid::parse_str(&account).unwrap();
                    invitedesk_server::store::password_resets::set_password(tx, account, &hash)
                })
                .await
                .unwrap();
            state.callers.invalidate_all();
            s.click("#sync-button").await;
            s.until(
                "Sign in again offered",
                "!document.getElementById('sign-in-again').hidden",
            )
            .await;
            s.until_text("#notice", "Your sign-in has ended").await;
            assert!(
                s.rows("#invitation-table")
                    .await
                    .join("\n")
                    .contains(NEWCOMER.email),
                "the cache stays readable"
            );
            s.screenshot("sign-in-again").await;
        })
    })
    .await;
}

/// The refresh token is in the keyring and nowhere else: not in the profiles, the cache, the
/// logs, nor any other file of the stage (the server's database included).
fn no_file_holds_the_refresh_token(stage: &std::path::Path) {
    let profiles: serde_json::Value = serde_json::from_slice(
        &std::fs::read(stage.join("data/com.invitedesk.console/profiles.json")).unwrap(),
    )
    .unwrap();
    let id = profiles["profiles"]["selected"].as_str().unwrap();
    let token =
        invitedesk_client::creds::load_secret(id).expect("the refresh token in the keyring");
    let mut folders = vec![stage.to_owned()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                folders.push(path);
            } else if let Ok(bytes) = std::fs::read(&path) {
                assert!(
                    !String::from_utf8_lossy(&bytes).contains(&token),
                    "the refresh token is in {}",
                    path.display()
                );
            }
        }
    }
}

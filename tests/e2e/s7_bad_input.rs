//! Story 7, bad input in the invite form: an invalid e-mail, missing names for a new person, an
//! expiry in the past, no policy. Each error is shown at its field, and nothing is sent: the
//! server's count of invitations is unchanged, through the window and through a forced call.

use serde_json::json;

use crate::helpers::{api_as, invitations_on_server, open_invite_form, table_filled};
use crate::stage::{play, Given};

#[tokio::test]
async fn every_broken_rule_is_shown_at_its_field_and_nothing_is_sent() {
    play("s7-bad-input", Given::SignedIn("admin"), |s| {
        Box::pin(async move {
            let api = api_as(s, "admin");
            let before = invitations_on_server(&api).await.len();
            table_filled(s).await;
            open_invite_form(s).await;
            s.type_into("#if-email", "not-an-email").await;
            s.type_into("#if-contactNumber", "+44 7700 900555").await;
            let yesterday = (chrono::Utc::now() - chrono::Duration::days(1))
                .format("%Y-%m-%d")
                .to_string();
            s.set_value("#if-expires", &yesterday).await;
            s.click("#invite-send").await;
            s.until_text("#invite-message", "Some fields need attention").await;
            for (field, input) in [
                ("email", Some("#if-email")),
                ("firstName", Some("#if-firstName")),
                ("lastName", Some("#if-lastName")),
                ("dtExpiry", Some("#if-expires")),
                ("permissionPolicyIds", None),
            ] {
                let error = s.text(&format!("#if-{field}-error")).await;
                assert!(!error.trim().is_empty(), "no error shown at {field}");
                if let Some(input) = input {
                    let invalid = s
                        .eval(&format!(
                            "return document.querySelector({input:?}).getAttribute('aria-invalid')"
                        ))
                        .await;
                    assert_eq!(invalid, "true", "{input} is not marked invalid");
                }
            }
            let email_error = s.text("#if-email-error").await;
            assert!(email_error.to_lowercase().contains("e-mail"), "{email_error}");
            assert!(s.text("#if-contactNumber-error").await.trim().is_empty());
            s.screenshot("errors-at-fields").await;

            // The same form forced past the page's checks: the app's own rules refuse it, each
            // field named, before any request.
            let refused = s
                .invoke(
                    "invite",
                    json!({ "form": {
                        "existingUser": false, "email": "not-an-email", "firstName": "", "lastName": "",
                        "contactNumber": "+44 7700 900555", "permissionPolicyIds": [],
                        "accessEnd": "", "expires": yesterday,
                    }}),
                )
                .await
                .unwrap_err();
            let fields: Vec<String> = refused["errors"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|e| e["field"].as_str().map(str::to_owned))
                .collect();
            for field in ["email", "firstName", "lastName", "dtExpiry", "permissionPolicyIds"] {
                assert!(fields.iter().any(|f| f == field), "{field} not named: {refused}");
            }
            assert_eq!(invitations_on_server(&api).await.len(), before, "nothing was sent");
        })
    })
    .await;
}

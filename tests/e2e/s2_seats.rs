//! Story 2: the administrator invites a new person into a subscription with one free seat. The
//! seat panel shows the seat, the invitation appears as Pending, the panel then shows the
//! subscription full, and a second invite into it is refused with the seats message.

use serde_json::json;

use crate::helpers::{
    api_as, fill_new_person, invitations_on_server, open_invite_form, place, send_invite,
    table_filled, Person, TELEMETRY_TEAM,
};
use crate::stage::{play, Given};

const LIN: Person = Person {
    first: "Lin",
    last: "Nakamura",
    email: "lin.nakamura@acme.example",
    phone: "+44 7700 900311",
};

#[tokio::test]
async fn the_last_free_seat_is_taken_and_the_next_invite_is_refused() {
    play("s2-seats", Given::SignedIn("admin"), |s| {
        Box::pin(async move {
            table_filled(s).await;
            open_invite_form(s).await;
            fill_new_person(s, &LIN, TELEMETRY_TEAM).await;
            let panel = s.until_text("#seat-panel", "Only 1 seat left").await;
            assert!(panel.contains("free 1 · limit 3"), "{panel}");
            s.screenshot("invite-form-seat-panel").await;
            send_invite(s, LIN.email).await;

            s.until(
                "the new invitation selected in the table, Pending",
                &format!(
                    "[...document.querySelectorAll('#invitation-table .vt-row.selected')].some(r => r.innerText.includes({:?}) && r.innerText.includes('Pending'))",
                    LIN.email
                ),
            )
            .await;
            let api = api_as(s, "admin");
            let on_server = invitations_on_server(&api).await;
            assert_eq!(
                on_server.iter().filter(|i| i.email.as_deref() == Some(LIN.email)).count(),
                1,
                "one invitation, sent once"
            );

            s.click("#details-close").await;
            open_invite_form(s).await;
            place(s, TELEMETRY_TEAM).await;
            s.until_text("#seat-panel", "No seat is free").await;
            s.until("Send to be disabled", "document.getElementById('invite-send').disabled")
                .await;
            s.screenshot("subscription-full").await;

            // Past the disabled button, straight through the IPC: the server refuses it.
            let catalog = s.invoke("catalog", json!({ "refresh": true })).await.unwrap();
            let id_of = |list: &str, name: &str| {
                catalog[list]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|x| x["name"] == name)
                    .map(|x| x["id"].clone())
                    .unwrap()
            };
            let refused = s
                .invoke(
                    "invite",
                    json!({ "form": {
                        "existingUser": false, "email": "second@acme.example",
                        "firstName": "Second", "lastName": "Person", "contactNumber": "+44 7700 900312",
                        "permissionPolicyIds": [catalog["policies"][0]["id"]],
                        "accessEnd": "", "expires": "",
                        "businessId": id_of("businesses", "Acme Labs"), "appId": id_of("apps", "Telemetry"),
                        "subscriptionId": id_of("subscriptions", "Telemetry Team"), "roleId": id_of("roles", "Engineer"),
                    }}),
                )
                .await
                .unwrap_err();
            let message = refused["message"].as_str().unwrap_or_default().to_lowercase();
            assert!(message.contains("seat"), "{refused}");
            assert_eq!(
                invitations_on_server(&api).await.len(),
                on_server.len(),
                "nothing more was created"
            );
        })
    })
    .await;
}

//! Story 9, an administrator's everyday console: who created each invitation reads as a name;
//! the undelivered show at a glance; an invitation's placement and access end are edited on
//! the administrator's own calendar; someone known here is invited again through the picker;
//! the tabs and a dialog are worked from the keyboard alone; and the profile is edited, a new
//! secret replacing the old one in the keyring.

use chrono::{Local, Timelike};
use fantoccini::key::Key;
use invitedesk_model::InvitationStatus;
use serde_json::json;

use crate::helpers::{api_as, invitations_on_server, table_filled};
use crate::stage::{play, Given, Stage};

/// The e-mail of a Pending invitation on the server, and its id.
async fn a_pending_invitation(s: &Stage, skip: usize) -> (String, uuid::Uuid) {
    let pending = invitations_on_server(&api_as(s, "admin"))
        .await
        .into_iter()
        .filter(|i| i.status_at(chrono::Utc::now()) == InvitationStatus::Pending)
        .nth(skip)
        .expect("pending invitations in the demo data");
    (pending.email.unwrap(), pending.id)
}

/// Syncs now and waits for it to finish.
async fn synced(s: &Stage) {
    s.click("#sync-button").await;
    s.until_text("#connectivity-badge", "Online").await;
}

async fn names_and_the_toolbar(s: &Stage) {
    s.until(
        "a Created by cell showing the service user's name",
        "[...document.querySelectorAll('#invitation-table .vt-row .col-createdBy')].some(c => c.textContent === 'admin')",
    )
    .await;
    let toolbar = s
        .eval(
            "const bar = document.getElementById('invitation-toolbar');
             const button = document.getElementById('invite-button');
             return { width: window.innerWidth, oneLine: bar.offsetHeight < 2 * button.offsetHeight };",
        )
        .await;
    assert_eq!(toolbar["oneLine"], true, "the toolbar wraps: {toolbar}");
}

/// The mail server refused one invitation's e-mail until the server gave up on it.
async fn undelivered(s: &Stage) {
    let (email, _) = a_pending_invitation(s, 0).await;
    let stamp = chrono::Utc::now().timestamp_micros();
    let address = email.clone();
    s.server()
        .state
        .db
        .write(move |c| {
            c.execute(
                "UPDATE invitations SET delivery_status = 'failed',
                   delivery_error = '550 5.1.1 mailbox unavailable', version = version + 1,
                   dt_last_modified = ?1 WHERE email = ?2",
                (stamp, address),
            )?;
            Ok(())
        })
        .await
        .unwrap();
    synced(s).await;
    s.click("#delivery-filter").await;
    s.until(
        "only the undelivered invitation",
        &format!(
            "(rows => rows.length === 1 && rows[0].innerText.includes({email:?}) && rows[0].querySelector('.col-delivery').title.includes('550'))([...document.querySelectorAll('#invitation-table .vt-row')])"
        ),
    )
    .await;
    s.screenshot("delivery-failed").await;
    s.click("#delivery-filter").await;
}

/// Edits a Pending invitation's subscription and access end; the server holds the end of the
/// chosen day on this computer's clock.
async fn edit_placement_and_access_end(s: &Stage) {
    let (email, id) = a_pending_invitation(s, 1).await;
    s.type_into("#invitation-search", &email).await;
    s.open_row("#invitation-table", &email).await;
    s.click("#details-actions button[data-action=editInvitation]")
        .await;
    s.until(
        "the edit dialog",
        "document.getElementById('edit-dialog').open",
    )
    .await;
    let chosen = (Local::now() + chrono::Duration::days(40)).date_naive();
    s.set_value("#ef-accessEnd", &chosen.format("%Y-%m-%d").to_string())
        .await;
    s.choose("#ef-businessId", "Acme Retail").await;
    s.choose("#ef-appId", "Storefront").await;
    s.choose("#ef-subscriptionId", "Storefront Pro").await;
    s.until_text("#ef-seat-panel", "seats free").await;
    s.choose("#ef-roleId", "Editor").await;
    s.click("#edit-save").await;
    s.until_text("#notice", &format!("Saved {email}")).await;
    let saved = api_as(s, "admin").invitation(id).await.unwrap();
    let end = saved
        .dt_end_access
        .expect("an access end")
        .with_timezone(&Local);
    assert_eq!(end.date_naive(), chosen, "the day chosen is the day stored");
    assert_eq!(
        (end.hour(), end.minute()),
        (23, 59),
        "access lasts through that day"
    );
    let subscriptions = api_as(s, "admin").all_subscriptions().await.unwrap();
    let pro = subscriptions
        .iter()
        .find(|x| x.name.as_deref() == Some("Storefront Pro"))
        .unwrap();
    assert_eq!(saved.subscription_id, Some(pro.id));
    s.click("#details-close").await;
    s.set_value("#invitation-search", "").await;
}

/// From the tabs to a dialog and back without the mouse.
async fn keyboard_only(s: &Stage) {
    s.eval("document.getElementById('tab-invitations').focus(); return true;")
        .await;
    s.press(Key::Right.into()).await;
    s.until("the users tab, selected and focused", "document.activeElement.id === 'tab-users' && !document.getElementById('view-users').hidden").await;
    s.press(Key::Right.into()).await;
    s.until("the seats tab", "document.activeElement.id === 'tab-seats' && !document.getElementById('view-seats').hidden").await;
    s.until_text("#seats", "limit").await;
    s.screenshot("seats").await;
    s.press(Key::Home.into()).await;
    s.until("the invitations tab", "document.activeElement.id === 'tab-invitations' && !document.getElementById('view-invitations').hidden").await;
    s.press('/').await;
    s.until(
        "the search box focused by /",
        "document.activeElement.id === 'invitation-search'",
    )
    .await;
    s.press(Key::Tab.into()).await;
    s.until(
        "Invite user focused",
        "document.activeElement.id === 'invite-button'",
    )
    .await;
    s.press(Key::Enter.into()).await;
    s.until(
        "the invite dialog, focus on the e-mail",
        "document.getElementById('invite-dialog').open && document.activeElement.id === 'if-email'",
    )
    .await;
    for key in "not-an-address".chars() {
        s.press(key).await;
    }
    s.until_text("#if-email-error", "E-mail").await;
    let described = s
        .eval("return document.getElementById('if-email').getAttribute('aria-describedby')")
        .await;
    assert_eq!(described, json!("if-email-error"));
    s.press(Key::Escape.into()).await;
    s.until("focus back on Invite user", "!document.getElementById('invite-dialog').open && document.activeElement.id === 'invite-button'").await;
}

/// Someone whose invitation was revoked is offered again; a member never is.
async fn invite_someone_known(s: &Stage) {
    let (email, id) = a_pending_invitation(s, 2).await;
    api_as(s, "admin").revoke_invitation(id).await.unwrap();
    synced(s).await;
    s.click("#invite-button").await;
    s.until(
        "the invite form",
        "document.getElementById('invite-dialog').open",
    )
    .await;
    s.click("input[name=kind][value=existing]").await;
    s.type_into("#if-existing", &email[..email.find('@').unwrap()])
        .await;
    s.until_text("#if-existing-list", "invitation revoked")
        .await;
    s.screenshot("existing-user-picker").await;
    s.click("#if-existing-list button.candidate").await;
    let filled = s
        .eval("return document.getElementById('if-email').value")
        .await;
    assert_eq!(filled, json!(email));
    let member = crate::helpers::users_on_server(&api_as(s, "admin")).await[0]
        .email
        .clone()
        .unwrap();
    s.type_into("#if-existing", &member).await;
    s.until_text("#if-existing-list", "Nobody known here matches")
        .await;
    s.click("#if-policies input[type=checkbox]").await;
    s.click("#invite-send").await;
    s.until_text("#notice", &format!("Invitation sent to {email}"))
        .await;
    let again = invitations_on_server(&api_as(s, "admin")).await;
    assert!(
        again
            .iter()
            .any(|i| i.email.as_deref() == Some(email.as_str())
                && i.status_at(chrono::Utc::now()) == InvitationStatus::Pending
                && i.existing_user == Some(true)),
        "a new Pending invitation as an existing user"
    );
}

/// Renames the profile; a wrong secret replaces the saved one (the server refuses it), and
/// the right one put back signs in again.
async fn edit_the_profile(s: &Stage) {
    s.click("#tab-profiles").await;
    s.click("#profile-list button.edit-profile").await;
    s.type_into("#pf-name", "Acme, edited").await;
    s.click("#pf-save").await;
    s.until(
        "the header's profile picker to show the new name",
        "document.getElementById('profile-select').selectedOptions[0]?.text === 'Acme, edited'",
    )
    .await;
    s.click("#profile-list button.edit-profile").await;
    s.type_into("#pf-apiSecret", "a-wrong-secret").await;
    s.click("#pf-save").await;
    s.until_text("#pf-result", "replaced the old one").await;
    s.click("#sync-button").await;
    s.until_text("#notice", "refused this profile's access key or secret")
        .await;
    let secret = s.credentials("admin").api_secret.clone();
    s.click("#profile-list button.edit-profile").await;
    s.type_into("#pf-apiSecret", &secret).await;
    s.click("#pf-save").await;
    synced(s).await;
    s.screenshot("profile-edited").await;
}

#[tokio::test]
async fn an_administrator_works_by_name_filter_calendar_picker_keyboard_and_profile() {
    play("s9-everyday", Given::SignedIn("admin"), |s| {
        Box::pin(async move {
            table_filled(s).await;
            names_and_the_toolbar(s).await;
            undelivered(s).await;
            edit_placement_and_access_end(s).await;
            keyboard_only(s).await;
            invite_someone_known(s).await;
            edit_the_profile(s).await;
        })
    })
    .await;
}

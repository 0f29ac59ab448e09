use invitedesk_model::Invitation;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::spawn_app;

#[tokio::test]
async fn another_organisations_records_do_not_exist_for_a_caller() {
    let app = spawn_app().await;
    let acme = app.admin().await;
    let globex = app.session(1, "admin").await;
    let acme_invitation: Invitation = acme.invitations("?status=Pending").await.data[0].clone();
    let id = acme_invitation.id;

    // Through its own organisation's path: the id is not there.
    globex
        .get(&format!("/invitations/{id}"))
        .await
        .expect_error(StatusCode::NOT_FOUND, "not_found");
    globex
        .action(&format!("/invitations/{id}/revoke"))
        .await
        .expect_error(StatusCode::NOT_FOUND, "not_found");
    globex
        .delete(&format!("/invitations/{id}"))
        .await
        .expect_error(StatusCode::NOT_FOUND, "not_found");

    // Through the other organisation's path: the organisation is not there either.
    let mut trespasser = globex.clone();
    trespasser.org_id = acme.org_id;
    for answer in [
        trespasser.get("/invitations").await,
        trespasser.get(&format!("/invitations/{id}")).await,
        trespasser
            .action(&format!("/invitations/{id}/resend"))
            .await,
        trespasser
            .put(&format!("/invitations/{id}"), &json!({"version": 1}))
            .await,
        trespasser.get("/users").await,
        trespasser.get("/subscriptions").await,
    ] {
        answer.expect_error(StatusCode::NOT_FOUND, "not_found");
    }
    let unchanged: Invitation = acme.get(&format!("/invitations/{id}")).await.ok();
    assert_eq!(unchanged, acme_invitation);
}

#[tokio::test]
async fn lists_show_only_the_callers_organisation() {
    let app = spawn_app().await;
    let acme = app.admin().await.all_invitations("").await;
    let globex = app.session(1, "admin").await.all_invitations("").await;
    // Each organisation's own people, and a person invited to both (the demo's Grace Hopper
    // is invited to Globex) as two invitations, one in each.
    let domain = |i: &Invitation| {
        i.email
            .as_deref()
            .unwrap()
            .rsplit('@')
            .next()
            .unwrap()
            .to_owned()
    };
    assert!(acme.iter().all(|i| domain(i) != "globex.example"));
    assert!(globex.iter().all(|i| domain(i) != "acme.example"));
    assert!(acme.iter().any(|i| domain(i) == "acme.example"));
    assert!(globex.iter().any(|i| domain(i) == "globex.example"));
    let acme_ids: std::collections::HashSet<_> = acme.iter().map(|i| i.id).collect();
    assert!(globex.iter().all(|i| !acme_ids.contains(&i.id)));
}

use invitedesk_model::{App, Business, Page, PermissionPolicy, Role, Subscription};
use reqwest::StatusCode;

use crate::helpers::spawn_app;

#[tokio::test]
async fn the_placement_catalogue_cascades_from_business_to_roles_and_seats() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let businesses: Page<Business> = admin.get("/businesses").await.ok();
    let retail = businesses
        .data
        .iter()
        .find(|b| b.name.as_deref() == Some("Acme Retail"))
        .unwrap();
    let apps: Page<App> = admin
        .get(&format!("/businesses/{}/apps", retail.id))
        .await
        .ok();
    assert_eq!(apps.data.len(), 1);
    let storefront = &apps.data[0];
    assert_eq!(storefront.business_id, Some(retail.id));
    let roles: Page<Role> = admin
        .get(&format!("/apps/{}/roles", storefront.id))
        .await
        .ok();
    let names: Vec<_> = roles
        .data
        .iter()
        .filter_map(|r| r.name.as_deref())
        .collect();
    assert_eq!(names, vec!["Admin", "Editor", "Viewer"]);
    let subscriptions: Page<Subscription> = admin
        .get(&format!("/apps/{}/subscriptions", storefront.id))
        .await
        .ok();
    let lite = subscriptions
        .data
        .iter()
        .find(|s| s.name.as_deref() == Some("Storefront Lite"))
        .unwrap();
    let seats = lite.seats.unwrap();
    assert_eq!(
        (seats.limit, seats.used, seats.pending, seats.available),
        (2, 2, 0, 0)
    );
    let one: Subscription = admin.get(&format!("/subscriptions/{}", lite.id)).await.ok();
    assert_eq!(&one, lite);
}

#[tokio::test]
async fn another_organisations_catalogue_is_not_found() {
    let app = spawn_app().await;
    let acme = app.admin().await;
    let globex = app.session(1, "admin").await;
    let business = acme.get("/businesses").await.ok::<Page<Business>>().data[0].id;
    globex
        .get(&format!("/businesses/{business}/apps"))
        .await
        .expect_error(StatusCode::NOT_FOUND, "not_found");
    let subscription = acme.subscription("Storefront Pro").await;
    globex
        .get(&format!("/subscriptions/{}", subscription.id))
        .await
        .expect_error(StatusCode::NOT_FOUND, "not_found");
    globex
        .get(&format!("/apps/{}/roles", subscription.app_id.unwrap()))
        .await
        .expect_error(StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn every_organisation_has_the_three_managed_policies() {
    let app = spawn_app().await;
    let policies: Page<PermissionPolicy> = app.admin().await.get("/permissionpolicies").await.ok();
    let managed: Vec<_> = policies
        .data
        .iter()
        .filter(|p| p.managed == Some(true))
        .filter_map(|p| p.name.as_deref())
        .collect();
    assert_eq!(managed, vec!["Administrator", "Helpdesk", "Read only"]);
    assert!(policies
        .data
        .iter()
        .all(|p| !p.permission_policy.is_empty()));
}

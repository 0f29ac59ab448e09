use invitedesk_model::Invitation;
use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::helpers::spawn_app_with;

#[tokio::test]
async fn malformed_requests_get_a_clear_4xx_in_the_error_shape() {
    let app = spawn_app_with(|c| c.max_body_bytes = 2048).await;
    let admin = app.admin().await;
    let url = admin.url("/invitations");
    let token = admin.token.clone();
    let send = |request: reqwest::RequestBuilder| {
        let token = token.clone();
        async move {
            let response = request.bearer_auth(&token).send().await.unwrap();
            let status = response.status();
            (
                status,
                response.json::<Value>().await.unwrap_or(Value::Null),
            )
        }
    };
    let cases = [
        (
            app.http
                .post(&url)
                .header("content-type", "application/json")
                .body("{\"email\":"),
            StatusCode::BAD_REQUEST,
            "invalid_json",
        ),
        (
            app.http
                .post(&url)
                .header("content-type", "application/json")
                .body("{\"email\": 5}"),
            StatusCode::BAD_REQUEST,
            "invalid_json",
        ),
        (
            app.http
                .post(&url)
                .header("content-type", "text/plain")
                .body("{}"),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        ),
        (
            app.http
                .post(&url)
                .header("content-type", "application/json")
                .body(format!("{{\"email\":\"{}\"}}", "a".repeat(5000))),
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
        ),
        (
            app.http.get(admin.url("/invitations?pageSize=many")),
            StatusCode::BAD_REQUEST,
            "invalid_query",
        ),
        (
            app.http.get(admin.url("/invitations/not-a-uuid")),
            StatusCode::NOT_FOUND,
            "not_found",
        ),
        (
            app.http.get(admin.url("/no-such-thing")),
            StatusCode::NOT_FOUND,
            "not_found",
        ),
        (
            app.http.patch(admin.url("/invitations")),
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
        ),
        (
            app.http
                .post(&url)
                .header("Idempotency-Key", "k".repeat(300))
                .json(&serde_json::json!({})),
            StatusCode::BAD_REQUEST,
            "invalid_idempotency_key",
        ),
    ];
    for (request, status, code) in cases {
        let (got, body) = send(request).await;
        assert_eq!(
            (got, body["code"].as_str().unwrap_or("")),
            (status, code),
            "{body}"
        );
        assert!(body["message"].is_string());
    }
}

#[tokio::test]
async fn sending_to_one_recipient_too_often_is_429_with_retry_after() {
    let app = spawn_app_with(|c| c.recipient_sends_per_hour = 2).await;
    let admin = app.admin().await;
    let created: Invitation = admin
        .invite(&admin.new_person("often@example.com").await)
        .await
        .ok();
    let resend = format!("/invitations/{}/resend", created.id);
    admin.action(&resend).await.ok::<Invitation>();
    let answer = admin.action(&resend).await;
    let retry_after: u64 = answer.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry_after >= 1);
    answer.expect_error(StatusCode::TOO_MANY_REQUESTS, "rate_limited");
    let current: Invitation = admin
        .get(&format!("/invitations/{}", created.id))
        .await
        .ok();
    assert_eq!(
        current.send_count,
        Some(2),
        "the refused resend changed nothing"
    );
}

#[tokio::test]
async fn an_organisation_sending_too_fast_is_429() {
    let app = spawn_app_with(|c| c.org_sends_per_minute = 3).await;
    let admin = app.admin().await;
    for i in 0..3 {
        admin
            .invite(&admin.new_person(&format!("fast{i}@example.com")).await)
            .await
            .ok::<Invitation>();
    }
    admin
        .invite(&admin.new_person("fast3@example.com").await)
        .await
        .expect_error(StatusCode::TOO_MANY_REQUESTS, "rate_limited");
    assert!(admin.all_invitations("?search=fast3").await.is_empty());
}

#[tokio::test]
async fn the_openapi_document_describes_every_route() {
    let app = spawn_app_with(|_| {}).await;
    let doc = app.openapi().await;
    let paths = doc["paths"].as_object().unwrap();
    let expected = [
        ("/oauth/token", "post"),
        ("/oauth/revoke", "post"),
        ("/organizations/{orgId}/me", "get"),
        ("/organizations/{orgId}/users/me", "get"),
        ("/organizations/{orgId}/permissionpolicies/{id}", "get"),
        ("/organizations/{orgId}/invitations", "get"),
        ("/organizations/{orgId}/invitations", "post"),
        ("/organizations/{orgId}/invitations/{id}", "get"),
        ("/organizations/{orgId}/invitations/{id}", "put"),
        ("/organizations/{orgId}/invitations/{id}", "delete"),
        ("/organizations/{orgId}/invitations/{id}/resend", "post"),
        ("/organizations/{orgId}/invitations/{id}/revoke", "post"),
        ("/organizations/{orgId}/users", "get"),
        ("/organizations/{orgId}/users/{id}", "put"),
        ("/organizations/{orgId}/users/{id}/inactivate", "post"),
        ("/organizations/{orgId}/users/{id}/reactivate", "post"),
        ("/organizations/{orgId}/users/{id}", "delete"),
        ("/organizations/{orgId}/permissionpolicies", "get"),
        ("/organizations/{orgId}/businesses", "get"),
        ("/organizations/{orgId}/businesses/{id}/apps", "get"),
        ("/organizations/{orgId}/apps/{id}/subscriptions", "get"),
        ("/organizations/{orgId}/apps/{id}/roles", "get"),
        ("/organizations/{orgId}/subscriptions", "get"),
    ];
    for (path, method) in expected {
        assert!(
            paths.get(path).and_then(|p| p.get(method)).is_some(),
            "{method} {path} is documented"
        );
    }
    assert!(doc["components"]["schemas"]["Invitation"].is_object());
    // Every documented path answers (with 401 here, not 404), so the document cannot list a
    // route the server lacks.
    for path in paths.keys().filter(|p| p.starts_with("/organizations")) {
        let url = format!(
            "{}{}",
            app.base_url(),
            path.replace("{orgId}", &app.org_id(0).to_string())
                .replace("{id}", &uuid::Uuid::nil().to_string())
        );
        let method = paths[path]
            .as_object()
            .unwrap()
            .keys()
            .next()
            .unwrap()
            .to_uppercase();
        let status = app
            .http
            .request(Method::from_bytes(method.as_bytes()).unwrap(), url)
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{method} {path}");
    }
}

#[tokio::test]
async fn list_filters_are_bounded_and_never_fail_the_server() {
    let app = spawn_app_with(|_| {}).await;
    let admin = app.admin().await;
    // Repeats collapse: two thousand copies of one status are one status.
    let repeated = vec!["Pending"; 2_000].join(",");
    for list in ["invitations", "users"] {
        let status = if list == "users" { "Active" } else { "Pending" };
        let repeated = repeated.replace("Pending", status);
        let answer = admin.get(&format!("/{list}?status={repeated}")).await;
        assert_eq!(answer.status, StatusCode::OK, "{list}: {}", answer.body);
        let unknown = admin
            .get(&format!("/{list}?status={status},Bogus"))
            .await
            .expect_error(StatusCode::BAD_REQUEST, "invalid_status");
        assert_eq!(unknown["field"], "status");
        assert!(unknown["message"].as_str().unwrap().contains("Bogus"));
        let long = "x".repeat(201);
        let too_long = admin
            .get(&format!("/{list}?search={long}"))
            .await
            .expect_error(StatusCode::BAD_REQUEST, "search_too_long");
        assert_eq!(too_long["field"], "search");
        // Long enough for the trigram index, which a NUL would cut short.
        for hostile in ["abc%00def", "abcd%0A", "%00%00%00"] {
            let refused = admin
                .get(&format!("/{list}?search={hostile}"))
                .await
                .expect_error(StatusCode::BAD_REQUEST, "forbidden_character");
            assert_eq!(refused["field"], "search", "{hostile}");
        }
        let longest = "x".repeat(200);
        assert_eq!(
            admin.get(&format!("/{list}?search={longest}")).await.status,
            StatusCode::OK
        );
    }
    let pending = admin.invitations(&format!("?status={repeated}")).await.data;
    assert!(pending
        .iter()
        .all(|i| i.status == Some(invitedesk_model::InvitationStatus::Pending)));
}

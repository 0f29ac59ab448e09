//! The API client against the real reference server on loopback.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use invitedesk_client::api::{ListQuery, RetryPolicy};
use invitedesk_client::{ApiClient, ApiError, Connection};
use invitedesk_model::{InvitationStatus, NewInvitation};
use invitedesk_server::demo::{self, DemoCredentials};
use invitedesk_server::{start, Config, RunningServer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

struct Server {
    running: RunningServer,
    demo: DemoCredentials,
    _dir: tempfile::TempDir,
}

async fn server() -> Server {
    let dir = tempfile::tempdir().unwrap();
    let running = start(Config::for_tests(dir.path().join("server.db")))
        .await
        .unwrap();
    let demo = demo::seed(&running.state, &running.base_url())
        .await
        .unwrap();
    Server {
        running,
        demo,
        _dir: dir,
    }
}

fn quick() -> RetryPolicy {
    RetryPolicy {
        attempts: 3,
        backoff: Duration::from_millis(20),
        max_wait: Duration::from_secs(2),
        timeout: Duration::from_secs(5),
    }
}

fn client(server: &Server, base_url: &str, who: &str) -> ApiClient {
    let org = &server.demo.organizations[0];
    let principal = &org.principals[who];
    let connection = Connection {
        base_url: base_url.to_owned(),
        org_id: org.org_id,
        access_key_id: principal.access_key_id.clone(),
        api_secret: principal.api_secret.clone(),
    };
    ApiClient::with_policy(connection, quick()).unwrap()
}

async fn new_person(client: &ApiClient, email: &str) -> NewInvitation {
    let policies = client.permission_policies().await.unwrap();
    NewInvitation {
        email: email.into(),
        first_name: Some("Client".into()),
        last_name: Some("Test".into()),
        contact_number: Some("+1 555 0100".into()),
        permission_policy_ids: vec![
            policies
                .iter()
                .find(|p| p.name.as_deref() == Some("Read only"))
                .unwrap()
                .id,
        ],
        ..Default::default()
    }
}

#[tokio::test]
async fn the_client_fetches_a_token_on_demand_and_reads_and_writes() {
    let server = server().await;
    let api = client(&server, &server.running.base_url(), "admin");
    let me = api.me().await.unwrap();
    assert_eq!(me.organization_name, "Acme Robotics");
    let pending = api
        .list_invitations(&ListQuery::invitations(&[InvitationStatus::Pending]))
        .await
        .unwrap();
    assert!(!pending.data.is_empty());
    assert!(pending
        .data
        .iter()
        .all(|i| i.status == Some(InvitationStatus::Pending)));
    let created = api
        .create_invitation(&new_person(&api, "client@example.com").await)
        .await
        .unwrap();
    assert_eq!(
        api.invitation(created.id).await.unwrap().email.as_deref(),
        Some("client@example.com")
    );
    let found = api
        .list_invitations(&ListQuery {
            search: Some("client@".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(found.data.len(), 1);
    assert_eq!(
        api.revoke_invitation(created.id).await.unwrap().status,
        Some(InvitationStatus::Revoked)
    );
    assert_eq!(api.all_subscriptions().await.unwrap().len(), 3);
}

#[tokio::test]
async fn an_expired_token_is_renewed_without_the_caller_noticing() {
    let server = server().await;
    let api = client(&server, &server.running.base_url(), "admin");
    api.me().await.unwrap();
    server
        .running
        .state
        .clock
        .advance(chrono::Duration::hours(2));
    assert_eq!(
        api.me().await.unwrap().name,
        "admin",
        "the 401 led to one new token, then success"
    );
}

#[tokio::test]
async fn failures_come_back_as_what_the_ui_must_say() {
    let server = server().await;
    let admin = client(&server, &server.running.base_url(), "admin");
    let readonly = client(&server, &server.running.base_url(), "readonly");
    let request = new_person(&admin, "who@example.com").await;
    assert_eq!(
        readonly.create_invitation(&request).await.unwrap_err(),
        ApiError::Forbidden {
            permission: "config:create on config:orgUserInvitation/*".into()
        }
    );
    let invalid = NewInvitation {
        email: "not an address".into(),
        ..request.clone()
    };
    match admin.create_invitation(&invalid).await.unwrap_err() {
        ApiError::Validation { field, rule, .. } => {
            assert_eq!((field.as_str(), rule.as_str()), ("email", "invalid_email"))
        }
        other => panic!("{other:?}"),
    }
    let lite = admin
        .all_subscriptions()
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.name.as_deref() == Some("Storefront Lite"))
        .unwrap();
    let full = NewInvitation {
        business_id: lite.business_id,
        app_id: lite.app_id,
        subscription_id: Some(lite.id),
        ..request.clone()
    };
    assert!(
        matches!(admin.create_invitation(&full).await.unwrap_err(), ApiError::Conflict { code, .. } if code == "seats_exhausted")
    );
    assert_eq!(
        admin.invitation(uuid::Uuid::new_v4()).await.unwrap_err(),
        ApiError::NotFound
    );
    let wrong = ApiClient::with_policy(
        Connection {
            api_secret: "wrong".into(),
            ..admin.connection().clone()
        },
        quick(),
    )
    .unwrap();
    assert!(matches!(
        wrong.me().await.unwrap_err(),
        ApiError::Unauthorized(_)
    ));
}

#[tokio::test]
async fn with_the_server_stopped_calls_fail_as_offline() {
    let server = server().await;
    let api = client(&server, &server.running.base_url(), "admin");
    api.me().await.unwrap();
    let Server { running, .. } = server;
    running.stop().await;
    assert!(matches!(api.me().await.unwrap_err(), ApiError::Offline(_)));
}

#[tokio::test]
async fn a_long_retry_after_is_reported_not_waited_out() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::for_tests(dir.path().join("server.db"));
    config.recipient_sends_per_hour = 1;
    let running = start(config).await.unwrap();
    let demo = demo::seed(&running.state, &running.base_url())
        .await
        .unwrap();
    let server = Server {
        running,
        demo,
        _dir: dir,
    };
    let api = client(&server, &server.running.base_url(), "admin");
    let created = api
        .create_invitation(&new_person(&api, "limit@example.com").await)
        .await
        .unwrap();
    let started = std::time::Instant::now();
    match api.resend_invitation(created.id).await.unwrap_err() {
        ApiError::RateLimited { retry_after_secs } => {
            assert!(retry_after_secs > 60, "{retry_after_secs}")
        }
        other => panic!("{other:?}"),
    }
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "no hour-long wait"
    );
}

/// Forwards bytes both ways, but swallows the answer to the first invitation POST and cuts the
/// connection, as a network failing right after the server committed would.
async fn lossy_proxy(upstream: std::net::SocketAddr) -> (String, Arc<AtomicBool>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let cut_done = Arc::new(AtomicBool::new(false));
    let reported = cut_done.clone();
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let server = TcpStream::connect(upstream).await.unwrap();
            tokio::spawn(relay(client, server, cut_done.clone()));
        }
    });
    (format!("http://{address}"), reported)
}

async fn relay(client: TcpStream, server: TcpStream, cut_done: Arc<AtomicBool>) {
    let (mut from_client, mut to_client) = client.into_split();
    let (mut from_server, mut to_server) = server.into_split();
    let armed = Arc::new(AtomicBool::new(false));
    let arming = armed.clone();
    let cut = cut_done.clone();
    let upstream = tokio::spawn(async move {
        let mut buffer = vec![0u8; 64 * 1024];
        while let Ok(n) = from_client.read(&mut buffer).await {
            if n == 0 {
                break;
            }
            let text = String::from_utf8_lossy(&buffer[..n]);
            if !cut.load(Ordering::SeqCst)
                && text.starts_with("POST /organizations/")
                && text.contains("/invitations HTTP")
            {
                arming.store(true, Ordering::SeqCst);
            }
            if to_server.write_all(&buffer[..n]).await.is_err() {
                break;
            }
        }
    });
    let mut buffer = vec![0u8; 64 * 1024];
    while let Ok(n) = from_server.read(&mut buffer).await {
        if n == 0 {
            break;
        }
        if armed.load(Ordering::SeqCst) && !cut_done.swap(true, Ordering::SeqCst) {
            break; // the reply is lost and the connection dropped
        }
        if to_client.write_all(&buffer[..n]).await.is_err() {
            break;
        }
    }
    upstream.abort();
}

#[tokio::test]
async fn a_retry_after_a_lost_reply_creates_exactly_one_invitation() {
    let server = server().await;
    let (proxy, cut) = lossy_proxy(server.running.addr).await;
    let api = client(&server, &proxy, "admin");
    let request = new_person(&api, "once@example.com").await;
    let created = api
        .create_invitation(&request)
        .await
        .expect("the retry gets the first answer");
    assert!(
        cut.load(Ordering::SeqCst),
        "the first reply really was lost"
    );
    let direct = client(&server, &server.running.base_url(), "admin");
    let found = direct
        .list_invitations(&ListQuery {
            search: Some("once@".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        found.data.len(),
        1,
        "one invitation, however often the request was sent"
    );
    assert_eq!(found.data[0].id, created.id);
}

/// What the faulty front has seen: each invitation POST's Idempotency-Key, in order.
type Seen = Arc<std::sync::Mutex<Vec<String>>>;

/// A front on loopback that answers the first invitation POST with 503 and the second with 429
/// (`Retry-After: 1`), and forwards everything else, and the third POST, to the real server.
async fn faulty_front(upstream: String) -> (String, Seen) {
    use axum::body::{to_bytes, Body};
    use axum::extract::Request;
    use axum::http::StatusCode;
    use axum::response::{IntoResponse, Response};

    let seen: Seen = Arc::default();
    let log = seen.clone();
    let http = reqwest::Client::new();
    let forward = move |request: Request| {
        let (http, upstream, log) = (http.clone(), upstream.clone(), log.clone());
        async move {
            let (parts, body) = request.into_parts();
            let path = parts
                .uri
                .path_and_query()
                .map(|p| p.as_str())
                .unwrap_or("/");
            if parts.method == "POST" && path.ends_with("/invitations") {
                let key = parts.headers["idempotency-key"]
                    .to_str()
                    .unwrap()
                    .to_owned();
                let attempt = {
                    let mut log = log.lock().unwrap();
                    log.push(key);
                    log.len()
                };
                match attempt {
                    1 => return (StatusCode::SERVICE_UNAVAILABLE, "busy").into_response(),
                    2 => {
                        return (
                            StatusCode::TOO_MANY_REQUESTS,
                            [("retry-after", "1")],
                            "slow down",
                        )
                            .into_response()
                    }
                    _ => {}
                }
            }
            let mut outbound = http.request(parts.method.clone(), format!("{upstream}{path}"));
            for (name, value) in &parts.headers {
                if name != "host" {
                    outbound = outbound.header(name, value);
                }
            }
            let body = to_bytes(body, usize::MAX).await.unwrap();
            let answer = outbound.body(body).send().await.unwrap();
            let mut response = Response::builder().status(answer.status());
            for (name, value) in answer.headers() {
                response = response.header(name, value);
            }
            response
                .body(Body::from(answer.bytes().await.unwrap()))
                .unwrap()
        }
    };
    let app = axum::Router::new().fallback(forward);
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{address}"), seen)
}

#[tokio::test]
async fn a_503_then_a_429_are_waited_out_with_the_same_idempotency_key() {
    let server = server().await;
    let (front, seen) = faulty_front(server.running.base_url()).await;
    let api = client(&server, &front, "admin");
    let request = new_person(&api, "patient@example.com").await;
    let started = std::time::Instant::now();
    let created = api.create_invitation(&request).await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "the 429's Retry-After was honoured"
    );
    let keys = seen.lock().unwrap().clone();
    assert_eq!(keys.len(), 3, "503, 429, then through: {keys:?}");
    assert!(keys.iter().all(|k| *k == keys[0]), "one key for one action");
    let direct = client(&server, &server.running.base_url(), "admin");
    assert_eq!(
        direct.invitation(created.id).await.unwrap().email,
        created.email
    );
}

#[tokio::test]
async fn an_api_address_that_is_not_safe_is_refused_before_anything_is_sent() {
    for address in [
        "http://localhost.evil.example",
        "http://127.0.0.1@evil.example",
        "http://api.example.com",
        "https://user:secret@api.example.com",
    ] {
        let refused = invitedesk_client::ApiClient::new(invitedesk_client::Connection {
            base_url: address.into(),
            org_id: uuid::Uuid::nil(),
            access_key_id: "key".into(),
            api_secret: "secret".into(),
        });
        match refused {
            Err(ApiError::Validation { field, .. }) => assert_eq!(field, "baseUrl", "{address}"),
            Err(other) => panic!("{address}: {other}"),
            Ok(_) => panic!("{address} was accepted"),
        }
    }
}

//! What the client's integration tests share: a real server on loopback with the demo data,
//! and a client signed in as the demo organisation's administrator.

use std::path::Path;
use std::time::Duration;

use invitedesk_client::api::{ListQuery, RetryPolicy};
use invitedesk_client::{ApiClient, Connection};
use invitedesk_model::Invitation;
use invitedesk_server::{demo, start, Config, RunningServer};

/// A server with its SQLite file in `dir` (answering as m3ter's API if `m3ter_only`), and an
/// administrator's client that gives up quickly, so offline tests stay short.
#[allow(dead_code)] // not every test file that includes this module needs it
pub async fn demo_server(dir: &Path, m3ter_only: bool) -> (RunningServer, ApiClient) {
    let (server, demo) = demo_server_and_credentials(dir, m3ter_only).await;
    let api = client_of(&server, &demo.organizations[0], "admin");
    (server, api)
}

/// A server with the demo data, and every demo credential.
#[allow(dead_code)] // not every test file that includes this module needs them all
pub async fn demo_server_and_credentials(
    dir: &Path,
    m3ter_only: bool,
) -> (RunningServer, demo::DemoCredentials) {
    demo_server_configured(dir, |c| c.m3ter_only = m3ter_only).await
}

/// The same, with the server's configuration changed by `configure` first.
#[allow(dead_code)]
pub async fn demo_server_configured(
    dir: &Path,
    configure: impl FnOnce(&mut Config),
) -> (RunningServer, demo::DemoCredentials) {
    let mut config = Config::for_tests(dir.join("server.db"));
    configure(&mut config);
    let server = start(config).await.unwrap();
    let demo = demo::seed(&server.state, &server.base_url()).await.unwrap();
    (server, demo)
}

/// A client signed in as the organisation's `principal` (`admin`, `helpdesk`, `readonly`).
pub fn client_of(
    server: &RunningServer,
    org: &demo::DemoOrganization,
    principal: &str,
) -> ApiClient {
    let credentials = &org.principals[principal];
    let connection = Connection {
        base_url: server.base_url(),
        org_id: org.org_id,
        access_key_id: credentials.access_key_id.clone(),
        api_secret: credentials.api_secret.clone(),
    };
    let policy = RetryPolicy {
        attempts: 2,
        backoff: Duration::from_millis(10),
        ..Default::default()
    };
    ApiClient::with_policy(connection, policy).unwrap()
}

/// Every invitation the server holds, page by page.
#[allow(dead_code)] // not every test file that includes this module lists them
pub async fn all_invitations(api: &ApiClient) -> Vec<Invitation> {
    let mut all = Vec::new();
    let mut next = None;
    loop {
        let page = api
            .list_invitations(&ListQuery {
                page_size: Some(200),
                next_token: next,
                ..Default::default()
            })
            .await
            .unwrap();
        all.extend(page.data);
        match page.next_token {
            Some(token) => next = Some(token),
            None => return all,
        }
    }
}

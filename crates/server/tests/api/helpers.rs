//! `spawn_app` starts a real server on a free loopback port with its own SQLite file and the
//! demo data, and hands the test sessions that speak to it as each demo principal.

use invitedesk_model::{
    DeliveryStatus, Invitation, NewInvitation, Page, PermissionPolicy, Subscription, TokenResponse,
    User,
};
use invitedesk_server::demo::{self, DemoCredentials};
use invitedesk_server::{start, Config, RunningServer};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde_json::Value;
use uuid::Uuid;

pub struct TestApp {
    pub server: RunningServer,
    pub demo: DemoCredentials,
    pub http: reqwest::Client,
    /// The folder holding the server's database (and its `mail/` folder).
    pub dir: tempfile::TempDir,
}

/// What the tests' requests say they are: the audit trail records it.
pub const TEST_USER_AGENT: &str = "invitedesk-api-tests/1";

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

pub async fn spawn_app_with(configure: impl FnOnce(&mut Config)) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let db_path = dir.path().join("server.db");
    let mut config = Config::for_tests(db_path.clone());
    configure(&mut config);
    let server = start(config).await.expect("server starts");
    let demo = demo::seed(&server.state, &server.base_url())
        .await
        .expect("demo seed");
    TestApp {
        server,
        demo,
        http: reqwest::Client::builder()
            .user_agent(TEST_USER_AGENT)
            .build()
            .expect("http client"),
        dir,
    }
}

impl TestApp {
    pub fn base_url(&self) -> String {
        self.server.base_url()
    }

    pub fn org_id(&self, org: usize) -> Uuid {
        self.demo.organizations[org].org_id
    }

    pub async fn token(&self, org: usize, who: &str) -> String {
        let p = &self.demo.organizations[org].principals[who];
        let response = self
            .http
            .post(format!("{}/oauth/token", self.base_url()))
            .basic_auth(&p.access_key_id, Some(&p.api_secret))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "token for {who}");
        response.json::<TokenResponse>().await.unwrap().access_token
    }

    /// A session of the demo principal `who` ("admin", "helpdesk", "readonly") of organisation
    /// `org` (0 or 1).
    pub async fn session(&self, org: usize, who: &str) -> Session {
        Session {
            http: self.http.clone(),
            base: self.base_url(),
            org_id: self.org_id(org),
            token: self.token(org, who).await,
        }
    }

    /// The newest `.eml` the server wrote (with no SMTP host set), as text. File names start
    /// with the zero-padded outbox id, so the last in name order is the newest.
    pub fn newest_mail(&self) -> String {
        let newest = std::fs::read_dir(self.dir.path().join("mail"))
            .expect("a mail folder")
            .map(|f| f.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "eml"))
            .max()
            .expect("a delivered mail");
        std::fs::read_to_string(newest).unwrap()
    }

    /// The one number `sql` answers, read from the server's own database (either backend).
    pub async fn sql_count(&self, sql: &str) -> i64 {
        let sql = sql.to_owned();
        self.server
            .state
            .db
            .read(move |c| c.query_row(&sql, (), |r| r.get(0)))
            .await
            .unwrap()
    }

    /// Runs `sql` on the server's database, as another process or a repair by hand would.
    pub async fn sql_execute(&self, sql: &str) {
        let sql = sql.to_owned();
        self.server
            .state
            .db
            .write(move |c| c.execute_batch(&sql))
            .await
            .unwrap();
    }

    pub fn is_postgres(&self) -> bool {
        self.server.state.db.is_postgres()
    }

    pub async fn admin(&self) -> Session {
        self.session(0, "admin").await
    }

    /// The server's own OpenAPI document.
    pub async fn openapi(&self) -> Value {
        self.http
            .get(format!("{}/openapi.json", self.base_url()))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }
}

#[derive(Clone)]
pub struct Session {
    pub http: reqwest::Client,
    pub base: String,
    pub org_id: Uuid,
    pub token: String,
}

/// An answer: its status and JSON body (Null when it had none).
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub body: Value,
    pub headers: reqwest::header::HeaderMap,
}

impl Answer {
    pub fn ok<T: DeserializeOwned>(self) -> T {
        assert_eq!(
            self.status,
            StatusCode::OK,
            "expected 200, got {}: {}",
            self.status,
            self.body
        );
        serde_json::from_value(self.body).expect("body of the expected type")
    }

    pub fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or("")
    }

    pub fn expect_error(self, status: StatusCode, code: &str) -> Value {
        assert_eq!(self.status, status, "body: {}", self.body);
        assert_eq!(self.code(), code, "body: {}", self.body);
        assert!(
            self.body["message"].as_str().is_some_and(|m| !m.is_empty()),
            "message: {}",
            self.body
        );
        self.body
    }
}

impl Session {
    /// `path` is below `/organizations/{orgId}`.
    pub fn url(&self, path: &str) -> String {
        format!("{}/organizations/{}{path}", self.base, self.org_id)
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        key: Option<&str>,
    ) -> Answer {
        let mut request = self
            .http
            .request(method, self.url(path))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(body);
        }
        if let Some(key) = key {
            request = request.header("Idempotency-Key", key);
        }
        let response = request.send().await.expect("request reaches the server");
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Answer {
            status,
            body,
            headers,
        }
    }

    pub async fn get(&self, path: &str) -> Answer {
        self.call(Method::GET, path, None, None).await
    }
    pub async fn post(&self, path: &str, body: &Value) -> Answer {
        self.call(Method::POST, path, Some(body), None).await
    }
    pub async fn put(&self, path: &str, body: &Value) -> Answer {
        self.call(Method::PUT, path, Some(body), None).await
    }
    pub async fn delete(&self, path: &str) -> Answer {
        self.call(Method::DELETE, path, None, None).await
    }
    pub async fn action(&self, path: &str) -> Answer {
        self.call(Method::POST, path, None, None).await
    }

    pub async fn invite(&self, invitation: &NewInvitation) -> Answer {
        self.post("/invitations", &serde_json::to_value(invitation).unwrap())
            .await
    }

    pub async fn policy_id(&self, name: &str) -> Uuid {
        let page: Page<PermissionPolicy> = self.get("/permissionpolicies").await.ok();
        page.data
            .into_iter()
            .find(|p| p.name.as_deref() == Some(name))
            .expect("policy")
            .id
    }

    pub async fn subscription(&self, name: &str) -> Subscription {
        let page: Page<Subscription> = self.get("/subscriptions").await.ok();
        page.data
            .into_iter()
            .find(|s| s.name.as_deref() == Some(name))
            .expect("subscription")
    }

    pub async fn invitations(&self, query: &str) -> Page<Invitation> {
        self.get(&format!("/invitations{query}")).await.ok()
    }

    pub async fn all_invitations(&self, query: &str) -> Vec<Invitation> {
        let mut all = Vec::new();
        let mut next: Option<String> = None;
        loop {
            let separator = if query.is_empty() { "?" } else { "&" };
            let token = next
                .map(|t| format!("{separator}nextToken={t}"))
                .unwrap_or_default();
            let page = self.invitations(&format!("{query}{token}")).await;
            all.extend(page.data);
            match page.next_token {
                Some(t) => next = Some(t),
                None => return all,
            }
        }
    }

    /// The invitation once its e-mail has been delivered (waits up to 15 s).
    pub async fn delivered(&self, id: Uuid) -> Invitation {
        for _ in 0..300 {
            let invitation: Invitation = self.get(&format!("/invitations/{id}")).await.ok();
            if invitation.delivery_status == Some(DeliveryStatus::Sent) {
                return invitation;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("invitation {id} was not delivered");
    }

    pub async fn users(&self, query: &str) -> Page<User> {
        self.get(&format!("/users{query}")).await.ok()
    }

    /// A valid new-person invitation for `email`, with the Read only policy.
    pub async fn new_person(&self, email: &str) -> NewInvitation {
        NewInvitation {
            email: email.into(),
            first_name: Some("Test".into()),
            last_name: Some("Person".into()),
            contact_number: Some("+1 555 0100".into()),
            permission_policy_ids: vec![self.policy_id("Read only").await],
            ..Default::default()
        }
    }

    /// The same, placed in the named subscription (with its app and business).
    pub async fn placed(&self, email: &str, subscription: &str) -> NewInvitation {
        let s = self.subscription(subscription).await;
        NewInvitation {
            business_id: s.business_id,
            app_id: s.app_id,
            subscription_id: Some(s.id),
            ..self.new_person(email).await
        }
    }
}

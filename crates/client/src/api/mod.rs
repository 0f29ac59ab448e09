//! The typed HTTP client of the Access API: a client-credentials token fetched on demand and
//! refreshed before it expires (and once on a 401), an Idempotency-Key per logical write reused
//! on every retry, retries with back-off for connection errors, 5xx and 429 (honouring
//! Retry-After), timeouts, and every failure mapped to `ApiError`.

mod base_url;
mod error;

use std::time::Duration;

use chrono::{DateTime, Utc};

use invitedesk_model::{
    AccountInvitation, AccountInvitationOutcome, App, AuditEvent, BatchAnswer, BatchItem,
    BatchResult, Business, Invitation, InvitationBatch, InvitationStatus, InvitationUpdate, Me,
    NewInvitation, Page, PermissionPolicy, Role, ServiceUser, Subscription, TokenResponse, User,
    UserStatus, UserUpdate,
};
use reqwest::{header, Method, StatusCode};
use serde::de::DeserializeOwned;
use tokio::sync::Mutex;
use tokio::time::Instant;
use uuid::Uuid;

pub use base_url::check_base_url;
pub use error::ApiError;

use crate::capabilities::Capabilities;

/// A record as typed, and the JSON text it was read from: the cache stores the text, so
/// nothing the server sent is lost and nothing is serialised again.
#[derive(Debug, Clone)]
pub struct Received<T> {
    pub value: T,
    pub json: Box<serde_json::value::RawValue>,
}

impl<'de, T: DeserializeOwned> serde::Deserialize<'de> for Received<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let json = Box::<serde_json::value::RawValue>::deserialize(deserializer)?;
        let value = serde_json::from_str(json.get()).map_err(serde::de::Error::custom)?;
        Ok(Self { value, json })
    }
}

pub type Result<T, E = ApiError> = std::result::Result<T, E>;

/// What a person is told when their sign-in can no longer be refreshed.
pub const SIGN_IN_ENDED: &str =
    "your sign-in has ended (a password reset, or a membership that ended): sign in again";

/// Where and as whom to connect. The secret is held only in memory; `Debug` never shows it.
#[derive(Clone)]
pub struct Connection {
    pub base_url: String,
    pub org_id: Uuid,
    pub access_key_id: String,
    pub api_secret: String,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("base_url", &self.base_url)
            .field("org_id", &self.org_id)
            .field("access_key_id", &self.access_key_id)
            .field("api_secret", &"<hidden>")
            .finish()
    }
}

/// How hard to try before giving up.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Tries in all, the first included.
    pub attempts: u32,
    /// The first wait; each further one doubles.
    pub backoff: Duration,
    /// A Retry-After longer than this is reported as `RateLimited` rather than waited out.
    pub max_wait: Duration,
    /// For one request, connection to last byte.
    pub timeout: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            attempts: 4,
            backoff: Duration::from_millis(250),
            max_wait: Duration::from_secs(10),
            timeout: Duration::from_secs(20),
        }
    }
}

struct Token {
    value: String,
    refresh_at: Instant,
}

/// Which invitations or users to list.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    pub page_size: Option<u32>,
    pub next_token: Option<String>,
    pub statuses: Vec<String>,
    pub search: Option<String>,
    pub modified_since: Option<chrono::DateTime<chrono::Utc>>,
    /// Asks the extended API for `total`, the changes from `modified_since` on in all.
    pub include_total: bool,
}

impl ListQuery {
    pub fn invitations(statuses: &[InvitationStatus]) -> Self {
        Self {
            statuses: statuses.iter().map(|s| s.as_str().to_owned()).collect(),
            ..Self::default()
        }
    }

    pub fn users(statuses: &[UserStatus]) -> Self {
        Self {
            statuses: statuses.iter().map(|s| s.as_str().to_owned()).collect(),
            ..Self::default()
        }
    }

    fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = Vec::new();
        if let Some(size) = self.page_size {
            pairs.push(("pageSize", size.to_string()));
        }
        if let Some(token) = &self.next_token {
            pairs.push(("nextToken", token.clone()));
        }
        if !self.statuses.is_empty() {
            pairs.push(("status", self.statuses.join(",")));
        }
        if let Some(search) = &self.search {
            pairs.push(("search", search.clone()));
        }
        if let Some(since) = self.modified_since {
            pairs.push((
                "modifiedSince",
                since.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
            ));
        }
        if self.include_total {
            pairs.push(("includeTotal", "true".into()));
        }
        pairs
    }
}

/// One request: what to send, and the key that makes retrying it safe.
struct Call<'a> {
    method: Method,
    path: String,
    query: Vec<(&'static str, String)>,
    body: Option<&'a (dyn erased_body::Body + Sync)>,
    idempotency_key: Option<String>,
    /// The path is the account's (`/account/…`), not under the profile's organisation.
    of_account: bool,
}

/// Lets `Call` carry any serialisable body without being generic.
mod erased_body {
    pub trait Body {
        fn to_json(&self) -> serde_json::Result<serde_json::Value>;
    }
    impl<T: serde::Serialize> Body for T {
        fn to_json(&self) -> serde_json::Result<serde_json::Value> {
            serde_json::to_value(self)
        }
    }
}

/// A person's refresh token, rotated by every refresh: `keep` is told each new one (to put it
/// in the keyring) before it is used.
pub struct PersonGrant {
    refresh_token: std::sync::Mutex<String>,
    keep: Box<dyn Fn(&str) + Send + Sync>,
}

impl PersonGrant {
    pub fn new(refresh_token: String, keep: impl Fn(&str) + Send + Sync + 'static) -> Self {
        Self {
            refresh_token: std::sync::Mutex::new(refresh_token),
            keep: Box::new(keep),
        }
    }

    fn current(&self) -> String {
        self.refresh_token
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    fn rotate(&self, next: &str) {
        (self.keep)(next);
        *self.refresh_token.lock().unwrap_or_else(|p| p.into_inner()) = next.to_owned();
    }
}

pub struct ApiClient {
    http: reqwest::Client,
    connection: Connection,
    /// Set for a person signed in through their browser; a service user has its key instead.
    person: Option<PersonGrant>,
    token: Mutex<Option<Token>>,
    policy: RetryPolicy,
    /// Learnt from `GET /me` by `capabilities`: false against an m3ter-only API, whose
    /// missing actions then answer `Unsupported` without a request.
    extended: std::sync::atomic::AtomicBool,
    /// The server's clock less this computer's, in milliseconds, from the `Date` header of
    /// its latest answer.
    clock_offset_ms: std::sync::atomic::AtomicI64,
}

impl ApiClient {
    pub fn new(connection: Connection) -> Result<Self> {
        Self::with_policy(connection, RetryPolicy::default())
    }

    /// Refuses an address `check_base_url` refuses: every session, however it was configured
    /// (a profile saved by an older version, a script's environment), is checked again here.
    pub fn with_policy(mut connection: Connection, policy: RetryPolicy) -> Result<Self> {
        connection.base_url =
            check_base_url(&connection.base_url).map_err(ApiError::invalid_field)?;
        let http = reqwest::Client::builder()
            .timeout(policy.timeout)
            .connect_timeout(Duration::from_secs(5))
            .user_agent(concat!("InviteDesk/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ApiError::Server(format!("http client: {e}")))?;
        Ok(Self {
            http,
            connection,
            person: None,
            extended: std::sync::atomic::AtomicBool::new(true),
            clock_offset_ms: std::sync::atomic::AtomicI64::new(0),
            token: Mutex::new(None),
            policy,
        })
    }

    pub fn connection(&self) -> &Connection {
        &self.connection
    }

    /// A client acting as a person: `grant` refreshes its access, and `signed_in` (the answer
    /// of the sign-in itself) is used until it nears its expiry.
    pub fn for_person(
        base_url: &str,
        org_id: Uuid,
        grant: PersonGrant,
        signed_in: Option<&TokenResponse>,
    ) -> Result<Self> {
        let connection = Connection {
            base_url: base_url.to_owned(),
            org_id,
            access_key_id: String::new(),
            api_secret: String::new(),
        };
        let mut client = Self::new(connection)?;
        client.person = Some(grant);
        if let Some(tokens) = signed_in {
            let lifetime = Duration::from_secs(tokens.expires_in);
            let margin = (lifetime / 10).min(Duration::from_secs(60));
            client.token = Mutex::new(Some(Token {
                value: tokens.access_token.clone(),
                refresh_at: Instant::now() + lifetime - margin,
            }));
        }
        Ok(client)
    }

    pub fn is_person(&self) -> bool {
        self.person.is_some()
    }

    /// Signs the person out at the server: their refresh token, and with it every token of
    /// this sign-in, stops working. An unreachable server is reported, not hidden.
    pub async fn revoke_sign_in(&self) -> Result<()> {
        let Some(grant) = &self.person else {
            return Ok(());
        };
        let url = format!(
            "{}/oauth/revoke",
            self.connection.base_url.trim_end_matches('/')
        );
        let response = self
            .http
            .post(&url)
            .form(&[
                ("token", grant.current()),
                ("token_type_hint", "refresh_token".into()),
            ])
            .send()
            .await
            .map_err(|e| ApiError::Offline(e.to_string()))?;
        match response.status().is_success() {
            true => Ok(()),
            false => Err(ApiError::Server(format!(
                "revocation answered {}",
                response.status()
            ))),
        }
    }

    /// The time on the server's clock: what decides that an invitation has expired and where
    /// a default expiry falls, so a computer whose clock is off shows and sends what the
    /// server would.
    pub fn server_now(&self) -> DateTime<Utc> {
        Utc::now() + self.clock_offset()
    }

    pub fn clock_offset(&self) -> chrono::Duration {
        chrono::Duration::milliseconds(
            self.clock_offset_ms
                .load(std::sync::atomic::Ordering::Relaxed),
        )
    }

    /// Learns the server's clock from an answer's `Date` header. It has whole seconds, so
    /// half a second is added to land in the middle of the second it names.
    fn note_server_time(&self, response: &reqwest::Response) {
        let Some(date) = response
            .headers()
            .get(header::DATE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| DateTime::parse_from_rfc2822(v).ok())
        else {
            return;
        };
        let offset = date.with_timezone(&Utc) + chrono::Duration::milliseconds(500) - Utc::now();
        self.clock_offset_ms.store(
            offset.num_milliseconds(),
            std::sync::atomic::Ordering::Relaxed,
        );
    }

    /// A token that is good for a while yet, fetched when there is none or it is near expiry.
    async fn bearer(&self, renew: bool) -> Result<String> {
        let mut token = self.token.lock().await;
        if let Some(current) = token
            .as_ref()
            .filter(|t| !renew && t.refresh_at > Instant::now())
        {
            return Ok(current.value.clone());
        }
        let fetched = self.fetch_token().await?;
        // Renew a tenth of the lifetime early (at most a minute), so no call carries a token
        // that expires on the way.
        let lifetime = Duration::from_secs(fetched.expires_in);
        let margin = (lifetime / 10).min(Duration::from_secs(60));
        let value = fetched.access_token;
        *token = Some(Token {
            value: value.clone(),
            refresh_at: Instant::now() + lifetime - margin,
        });
        Ok(value)
    }

    /// A person's new access token from their refresh token, which the server rotates. A
    /// refused refresh means the sign-in has ended (password reset, membership ended).
    async fn refresh_person(&self, grant: &PersonGrant) -> Result<TokenResponse> {
        let url = format!(
            "{}/oauth/token",
            self.connection.base_url.trim_end_matches('/')
        );
        let response = self
            .http
            .post(&url)
            .form(&[
                ("grant_type", "refresh_token"),
                ("client_id", invitedesk_model::pkce::DESKTOP_CLIENT_ID),
                ("refresh_token", &grant.current()),
            ])
            .send()
            .await
            .map_err(|e| ApiError::Offline(e.to_string()))?;
        self.note_server_time(&response);
        let status = response.status();
        if status.is_server_error() {
            return Err(ApiError::Server(format!("token refresh answered {status}")));
        }
        if !status.is_success() {
            return Err(ApiError::Unauthorized(SIGN_IN_ENDED.into()));
        }
        let tokens: TokenResponse = response
            .json()
            .await
            .map_err(|e| ApiError::Server(format!("token answer: {e}")))?;
        if let Some(next) = &tokens.refresh_token {
            grant.rotate(next);
        }
        Ok(tokens)
    }

    async fn fetch_token(&self) -> Result<TokenResponse> {
        if let Some(grant) = &self.person {
            return self.refresh_person(grant).await;
        }
        let c = &self.connection;
        let url = format!("{}/oauth/token", c.base_url.trim_end_matches('/'));
        let mut attempt = 0;
        loop {
            attempt += 1;
            let sent = self
                .http
                .post(&url)
                .basic_auth(&c.access_key_id, Some(&c.api_secret))
                .form(&[("grant_type", "client_credentials")])
                .send()
                .await;
            match sent {
                Err(e) if attempt < self.policy.attempts => {
                    tracing::debug!(error = %e, attempt, "token request failed; retrying");
                    tokio::time::sleep(self.backoff(attempt)).await;
                }
                Err(e) => return Err(ApiError::Offline(e.to_string())),
                Ok(response) if response.status().is_success() => {
                    self.note_server_time(&response);
                    return response
                        .json()
                        .await
                        .map_err(|e| ApiError::Server(format!("token answer: {e}")));
                }
                Ok(response)
                    if response.status().is_server_error() && attempt < self.policy.attempts =>
                {
                    tokio::time::sleep(self.backoff(attempt)).await;
                }
                Ok(response) => {
                    let status = response.status();
                    let body = response.text().await.unwrap_or_default();
                    return Err(ApiError::from_answer(status, &body, None));
                }
            }
        }
    }

    fn backoff(&self, attempt: u32) -> Duration {
        self.policy.backoff * 2u32.saturating_pow(attempt.saturating_sub(1))
    }

    async fn send<T: DeserializeOwned>(&self, call: Call<'_>) -> Result<T> {
        let base = self.connection.base_url.trim_end_matches('/');
        let url = match call.of_account {
            true => format!("{base}{}", call.path),
            false => format!(
                "{base}/organizations/{}{}",
                self.connection.org_id, call.path
            ),
        };
        let body = call
            .body
            .map(|b| b.to_json())
            .transpose()
            .map_err(|e| ApiError::Server(format!("request body: {e}")))?;
        let (mut attempt, mut renewed) = (0, false);
        loop {
            attempt += 1;
            let token = self.bearer(false).await?;
            let mut request = self
                .http
                .request(call.method.clone(), &url)
                .bearer_auth(&token)
                .query(&call.query);
            if let Some(body) = &body {
                request = request.json(body);
            }
            if let Some(key) = &call.idempotency_key {
                request = request.header("Idempotency-Key", key);
            }
            let response = match request.send().await {
                Ok(response) => response,
                Err(e) if attempt < self.policy.attempts => {
                    tracing::debug!(error = %e, attempt, "request failed; retrying with the same key");
                    tokio::time::sleep(self.backoff(attempt)).await;
                    continue;
                }
                Err(e) => return Err(ApiError::Offline(e.to_string())),
            };
            self.note_server_time(&response);
            let status = response.status();
            if status.is_success() {
                return response
                    .json()
                    .await
                    .map_err(|e| ApiError::Server(format!("answer of {}: {e}", call.path)));
            }
            let retry_after = response
                .headers()
                .get(header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok());
            let text = response.text().await.unwrap_or_default();
            let may_retry = attempt < self.policy.attempts;
            match status {
                StatusCode::UNAUTHORIZED if !renewed => {
                    // The token may have expired or been revoked early: fetch a new one, once.
                    renewed = true;
                    attempt -= 1;
                    self.bearer(true).await?;
                }
                StatusCode::TOO_MANY_REQUESTS
                    if may_retry
                        && retry_after
                            .is_some_and(|s| Duration::from_secs(s) <= self.policy.max_wait) =>
                {
                    tokio::time::sleep(Duration::from_secs(retry_after.unwrap_or(1))).await;
                }
                s if s.is_server_error() && may_retry => {
                    tokio::time::sleep(self.backoff(attempt)).await
                }
                _ => return Err(ApiError::from_answer(status, &text, retry_after)),
            }
        }
    }

    fn get(path: String) -> Call<'static> {
        Call {
            method: Method::GET,
            path,
            query: Vec::new(),
            body: None,
            idempotency_key: None,
            of_account: false,
        }
    }

    /// A POST with a new Idempotency-Key: one logical action, however often it is retried.
    fn post(path: String) -> Call<'static> {
        Call {
            method: Method::POST,
            path,
            query: Vec::new(),
            body: None,
            idempotency_key: Some(Uuid::new_v4().to_string()),
            of_account: false,
        }
    }

    pub async fn me(&self) -> Result<Me> {
        self.send(Self::get("/me".into())).await
    }

    /// Who the principal is and what it may do; an API without `/me` is m3ter's own, and
    /// from then on its missing actions answer `Unsupported` here.
    pub async fn capabilities(&self) -> Result<Capabilities> {
        let capabilities = match self.me().await {
            Ok(me) => Capabilities::extended(me),
            Err(ApiError::NotFound) => Capabilities::m3ter_only(),
            Err(e) => return Err(e),
        };
        self.extended.store(
            capabilities.is_extended(),
            std::sync::atomic::Ordering::Relaxed,
        );
        Ok(capabilities)
    }

    pub fn is_extended(&self) -> bool {
        self.extended.load(std::sync::atomic::Ordering::Relaxed)
    }

    fn supports(&self, action: &'static str) -> Result<()> {
        match self.is_extended() {
            true => Ok(()),
            false => Err(ApiError::Unsupported(action)),
        }
    }

    pub async fn list_invitations(&self, query: &ListQuery) -> Result<Page<Invitation>> {
        self.send(Call {
            query: query.pairs(),
            ..Self::get("/invitations".into())
        })
        .await
    }

    /// A page of invitations each with the JSON the server sent, which the cache keeps as is.
    pub async fn list_invitations_received(
        &self,
        query: &ListQuery,
    ) -> Result<Page<Received<Invitation>>> {
        self.send(Call {
            query: query.pairs(),
            ..Self::get("/invitations".into())
        })
        .await
    }

    /// A page of the organisation's audit trail, each event with the JSON the server sent.
    pub async fn list_audit_events_received(
        &self,
        query: &ListQuery,
    ) -> Result<Page<Received<AuditEvent>>> {
        self.supports("the audit trail")?;
        self.send(Call {
            query: query.pairs(),
            ..Self::get("/auditlog".into())
        })
        .await
    }

    /// The Pending invitations addressed to the signed-in person, in every organisation.
    pub async fn account_invitations(&self) -> Result<Vec<AccountInvitation>> {
        self.supports("invitations to your account")?;
        self.send(Call {
            of_account: true,
            ..Self::get("/account/invitations".into())
        })
        .await
    }

    /// Accepts (`accept`) or declines one of `account_invitations`.
    pub async fn answer_account_invitation(
        &self,
        id: Uuid,
        accept: bool,
    ) -> Result<AccountInvitationOutcome> {
        self.supports("invitations to your account")?;
        let answer = if accept { "accept" } else { "decline" };
        self.send(Call {
            of_account: true,
            ..Self::post(format!("/account/invitations/{id}/{answer}"))
        })
        .await
    }

    pub async fn invitation(&self, id: Uuid) -> Result<Invitation> {
        self.send(Self::get(format!("/invitations/{id}"))).await
    }

    pub async fn create_invitation(&self, invitation: &NewInvitation) -> Result<Invitation> {
        self.send(Call {
            body: Some(invitation),
            ..Self::post("/invitations".into())
        })
        .await
    }

    /// Creates under the caller's key: an import's row keeps its key across runs of the file,
    /// so a row already created is answered, not made twice.
    pub async fn create_invitation_keyed(
        &self,
        invitation: &NewInvitation,
        key: &str,
    ) -> Result<Invitation> {
        self.send(Call {
            body: Some(invitation),
            idempotency_key: Some(key.to_owned()),
            ..Self::post("/invitations".into())
        })
        .await
    }

    /// Up to `BATCH_MAX_ITEMS` at once (the extended API only), each item's own outcome in
    /// order, mapped as if it had been sent alone.
    pub async fn create_invitations_batch(
        &self,
        items: &[BatchItem],
    ) -> Result<Vec<Result<Invitation>>> {
        self.supports("batch create")?;
        let batch = InvitationBatch {
            items: items.to_vec(),
        };
        let answer: BatchAnswer = self
            .send(Call {
                body: Some(&batch),
                ..Self::post("/invitations/batch".into())
            })
            .await?;
        if answer.results.len() != items.len() {
            return Err(ApiError::Server(format!(
                "the batch answered {} of {} items",
                answer.results.len(),
                items.len()
            )));
        }
        Ok(answer.results.into_iter().map(batch_outcome).collect())
    }

    pub async fn update_invitation(
        &self,
        id: Uuid,
        update: &InvitationUpdate,
    ) -> Result<Invitation> {
        self.supports("edit invitation")?;
        let call = Call {
            method: Method::PUT,
            body: Some(update),
            ..Self::get(format!("/invitations/{id}"))
        };
        self.send(call).await
    }

    pub async fn resend_invitation(&self, id: Uuid) -> Result<Invitation> {
        self.supports("resend")?;
        self.send(Self::post(format!("/invitations/{id}/resend")))
            .await
    }

    pub async fn revoke_invitation(&self, id: Uuid) -> Result<Invitation> {
        self.supports("revoke")?;
        self.send(Self::post(format!("/invitations/{id}/revoke")))
            .await
    }

    pub async fn delete_invitation(&self, id: Uuid) -> Result<Invitation> {
        self.send(Call {
            method: Method::DELETE,
            ..Self::get(format!("/invitations/{id}"))
        })
        .await
    }

    pub async fn list_users(&self, query: &ListQuery) -> Result<Page<User>> {
        self.send(Call {
            query: query.pairs(),
            ..Self::get("/users".into())
        })
        .await
    }

    /// A page of users each with the JSON the server sent, which the cache keeps as is.
    pub async fn list_users_received(&self, query: &ListQuery) -> Result<Page<Received<User>>> {
        self.send(Call {
            query: query.pairs(),
            ..Self::get("/users".into())
        })
        .await
    }

    pub async fn user(&self, id: Uuid) -> Result<User> {
        self.send(Self::get(format!("/users/{id}"))).await
    }

    pub async fn update_user(&self, id: Uuid, update: &UserUpdate) -> Result<User> {
        self.send(Call {
            method: Method::PUT,
            body: Some(update),
            ..Self::get(format!("/users/{id}"))
        })
        .await
    }

    pub async fn inactivate_user(&self, id: Uuid) -> Result<User> {
        self.send(Self::post(format!("/users/{id}/inactivate")))
            .await
    }

    pub async fn reactivate_user(&self, id: Uuid) -> Result<User> {
        self.send(Self::post(format!("/users/{id}/reactivate")))
            .await
    }

    pub async fn delete_user(&self, id: Uuid) -> Result<User> {
        self.send(Call {
            method: Method::DELETE,
            ..Self::get(format!("/users/{id}"))
        })
        .await
    }

    pub async fn permission_policies(&self) -> Result<Vec<PermissionPolicy>> {
        self.whole("/permissionpolicies".into()).await
    }

    /// The organisation's service users, for the names behind `createdBy` ids (m3ter has it
    /// too, behind a permission a principal may lack).
    pub async fn service_users(&self) -> Result<Vec<ServiceUser>> {
        self.whole("/serviceusers".into()).await
    }

    pub async fn businesses(&self) -> Result<Vec<Business>> {
        self.whole("/businesses".into()).await
    }

    pub async fn apps(&self, business_id: Uuid) -> Result<Vec<App>> {
        self.whole(format!("/businesses/{business_id}/apps")).await
    }

    pub async fn subscriptions(&self, app_id: Uuid) -> Result<Vec<Subscription>> {
        self.whole(format!("/apps/{app_id}/subscriptions")).await
    }

    pub async fn roles(&self, app_id: Uuid) -> Result<Vec<Role>> {
        self.whole(format!("/apps/{app_id}/roles")).await
    }

    /// Every subscription of the organisation with its seats.
    pub async fn all_subscriptions(&self) -> Result<Vec<Subscription>> {
        self.whole("/subscriptions".into()).await
    }

    /// Every item of a list, following `nextToken`.
    async fn whole<T: DeserializeOwned>(&self, path: String) -> Result<Vec<T>> {
        let mut items = Vec::new();
        let mut next: Option<String> = None;
        loop {
            let query = next.iter().map(|t| ("nextToken", t.clone())).collect();
            let page: Page<T> = self
                .send(Call {
                    query,
                    ..Self::get(path.clone())
                })
                .await?;
            items.extend(page.data);
            match page.next_token {
                Some(token) => next = Some(token),
                None => return Ok(items),
            }
        }
    }
}

/// One batch item's answer, as the error its status and body would have made alone.
fn batch_outcome(result: BatchResult) -> Result<Invitation> {
    match (result.invitation, result.error) {
        (Some(invitation), _) if result.status == 200 => Ok(invitation),
        (_, error) => {
            let body = error
                .map(|e| serde_json::to_string(&e).unwrap_or_default())
                .unwrap_or_default();
            let status = StatusCode::from_u16(result.status).unwrap_or(StatusCode::BAD_GATEWAY);
            Err(ApiError::from_answer(
                status,
                &body,
                result.retry_after_secs,
            ))
        }
    }
}

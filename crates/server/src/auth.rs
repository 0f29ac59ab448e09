//! Who is calling: client-credentials token issue, and the bearer-token extractor that turns
//! a request into a `Caller` scoped to the organisation in its path.

use std::collections::HashMap;
use std::net::IpAddr;

use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::request::Parts;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::Duration;
use invitedesk_model::{Permission, PermissionStatement};
use rand::RngCore;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::db::{self, micros};
use crate::error::{Error, Result};
use crate::password;
use crate::store::audit::RequestSource;
use crate::AppState;

/// Who holds a token: a machine with a key, or a person signed in through their browser.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrincipalKind {
    ServiceUser,
    /// `principal_id` is then the membership (the users row), acting by its policies.
    Person,
}

/// A service user, or a person through their membership, acting in its own organisation, with
/// the statements of its policies.
#[derive(Debug, Clone)]
pub struct Caller {
    pub principal_id: Uuid,
    pub kind: PrincipalKind,
    /// The person's account (their e-mail and password), for a person.
    pub account_id: Option<Uuid>,
    pub name: String,
    pub org_id: Uuid,
    pub policy_ids: Vec<Uuid>,
    pub statements: Vec<PermissionStatement>,
    /// Where this request came from, for the audit trail: set per request, never cached.
    pub source: RequestSource,
}

impl Caller {
    pub fn require(&self, permission: Permission) -> Result<()> {
        if permission.is_granted_by(&self.statements) {
            Ok(())
        } else {
            Err(Error::Forbidden(permission))
        }
    }

    pub fn permissions(&self) -> Vec<Permission> {
        Permission::ALL
            .into_iter()
            .filter(|p| p.is_granted_by(&self.statements))
            .collect()
    }

    /// What `createdBy` and `lastModifiedBy` record.
    pub fn audit_name(&self) -> String {
        self.principal_id.to_string()
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self> {
        let token = bearer_token(parts).ok_or(Error::Unauthorized("a Bearer token is required"))?;
        let mut caller = caller_for_token(state, token).await?;
        caller.source = request_source(parts, state);
        // Another organisation's records do not exist for this caller: 404, never 403, so
        // that ids cannot be probed across tenants.
        let path = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|_| Error::NotFound("organization"))?;
        let params: HashMap<&str, &str> = path.iter().collect();
        if let Some(org) = params.get("orgId") {
            if Uuid::parse_str(org).ok() != Some(caller.org_id) {
                return Err(Error::NotFound("organization"));
            }
        }
        Ok(caller)
    }
}

/// The client's address (as the limiters see it) and user agent.
pub fn request_source(parts: &Parts, state: &AppState) -> RequestSource {
    let address = crate::http::client_address::of_request(parts, state);
    let user_agent = parts
        .headers
        .get(axum::http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok());
    RequestSource::new(address, user_agent)
}

impl FromRequestParts<AppState> for RequestSource {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> std::result::Result<Self, Self::Rejection> {
        Ok(request_source(parts, state))
    }
}

fn bearer_token(parts: &Parts) -> Option<&str> {
    let value = parts
        .headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
}

/// Recently seen tokens and their callers, so that most requests skip the database for
/// authentication. A token's own expiry is still checked on every use; a revocation or a
/// removed principal on another instance is seen once the entry lives out `CALLER_CACHE_TTL`.
pub type CallerCache = moka::sync::Cache<Vec<u8>, (Caller, i64)>;

pub fn caller_cache() -> CallerCache {
    moka::sync::Cache::builder()
        .max_capacity(10_000)
        .time_to_live(CALLER_CACHE_TTL)
        .build()
}

/// How long a caller is trusted without asking the database: a token revoked, or a service
/// user removed, on any instance is refused by every instance within this time.
pub const CALLER_CACHE_TTL: std::time::Duration = std::time::Duration::from_millis(500);

struct TokenRow {
    /// The token's expiry, or the end of the person's access if that comes first.
    dt_expires: i64,
    principal_id: String,
    account_id: Option<String>,
    name: String,
    org_id: String,
    permission_policy_ids: String,
    /// A JSON array of each policy's statement array.
    statements: String,
}

impl db::FromRow for TokenRow {
    fn from_row(r: &crate::db::Row) -> Result<Self> {
        Ok(Self {
            dt_expires: r.get("dt_expires")?,
            principal_id: r.get("principal_id")?,
            account_id: r.get("account_id")?,
            name: r.get("name")?,
            org_id: r.get("org_id")?,
            permission_policy_ids: r.get("permission_policy_ids")?,
            statements: r.get("statements")?,
        })
    }
}

async fn caller_for_token(state: &AppState, token: &str) -> Result<Caller> {
    let now = micros(state.clock.now());
    let hash = token_hash(token);
    let expired = || Error::Unauthorized("the access token is unknown or has expired");
    if let Some((caller, expires)) = state.callers.get(&hash) {
        return if expires > now {
            Ok(caller)
        } else {
            Err(expired())
        };
    }
    let key = hash.clone();
    let row: Option<TokenRow> = state
        .db
        .read(move |conn| token_row(conn, &key, now))
        .await?;
    let row = row.ok_or_else(expired)?;
    let per_policy: Vec<Vec<PermissionStatement>> = serde_json::from_str(&row.statements)?;
    let caller = Caller {
        principal_id: db::uuid(&row.principal_id)?,
        kind: match row.account_id {
            Some(_) => PrincipalKind::Person,
            None => PrincipalKind::ServiceUser,
        },
        account_id: row.account_id.as_deref().map(db::uuid).transpose()?,
        name: row.name,
        org_id: db::uuid(&row.org_id)?,
        policy_ids: db::id_list(&row.permission_policy_ids)?,
        statements: per_policy.into_iter().flatten().collect(),
        source: RequestSource::default(),
    };
    state.callers.insert(hash, (caller.clone(), row.dt_expires));
    Ok(caller)
}

/// The caller a token stands for: a service user's, else a person's, whose membership must be
/// Active, not deleted and within its access (checked here, so that its end is felt at once).
fn token_row(conn: &db::Conn, hash: &[u8], now: i64) -> Result<Option<TokenRow>> {
    let statements = |ids: &str| {
        let policies = conn.ids_in(ids);
        match conn.is_postgres() {
            true => format!(
                "(SELECT COALESCE(json_agg(p.statements::json), '[]')::text
                  FROM permission_policies p WHERE p.id IN {policies})"
            ),
            false => format!(
                "(SELECT json_group_array(json(p.statements))
                  FROM permission_policies p WHERE p.id IN {policies})"
            ),
        }
    };
    let service_user = db::optional(
        conn,
        &format!(
            "SELECT t.dt_expires, s.id AS principal_id, NULL AS account_id, s.name, s.org_id,
                s.permission_policy_ids, {} AS statements
             FROM access_tokens t JOIN service_users s ON s.id = t.principal_id
             WHERE t.token_hash = ? AND t.dt_expires > ?",
            statements("s.permission_policy_ids")
        ),
        (hash, now),
    )?;
    if service_user.is_some() {
        return Ok(service_user);
    }
    db::optional(
        conn,
        &format!(
            "SELECT CASE WHEN u.dt_end_access IS NOT NULL AND u.dt_end_access < t.dt_expires
                    THEN u.dt_end_access ELSE t.dt_expires END AS dt_expires,
                u.id AS principal_id, a.id AS account_id,
                TRIM(COALESCE(u.first_name, '') || ' ' || COALESCE(u.last_name, '')) AS name,
                u.org_id, u.permission_policy_ids, {} AS statements
             FROM person_tokens t JOIN users u ON u.id = t.user_id
               JOIN accounts a ON a.email = u.email
             WHERE t.token_hash = ?1 AND t.dt_expires > ?2 AND u.deleted = 0
               AND u.status = 'Active' AND (u.dt_end_access IS NULL OR u.dt_end_access > ?2)",
            statements("u.permission_policy_ids")
        ),
        (hash, now),
    )
}

pub fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// 32 random bytes, base64url: unguessable, so a plain SHA-256 suffices to store it.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// How a service user's API secret is stored. The secret is 32 random bytes, so a plain
/// SHA-256 is as strong as argon2 against guessing (as GitHub and Stripe store API keys), and
/// it costs microseconds: a flood of wrong secrets cannot tie up the machine.
pub fn hash_secret(secret: &str) -> String {
    format!(
        "{SECRET_DIGEST_PREFIX}{}",
        URL_SAFE_NO_PAD.encode(token_hash(secret))
    )
}

const SECRET_DIGEST_PREFIX: &str = "sha256$";

/// Whether `secret` is the one whose digest (the part after the prefix) is stored.
fn digest_matches(secret: &str, digest: &str) -> bool {
    let expected = URL_SAFE_NO_PAD.encode(token_hash(secret));
    // Compared whole, never stopping at the first difference an attacker could time.
    expected.len() == digest.len()
        && expected
            .bytes()
            .zip(digest.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

/// Checks a client's credentials and issues a token.
pub async fn issue_token(
    state: &AppState,
    client: IpAddr,
    access_key_id: &str,
    secret: &str,
) -> Result<String> {
    let (principal_id, org_id) = authenticate_client(state, client, access_key_id, secret).await?;
    let token = random_token();
    let now = state.clock.now();
    let expires = now + Duration::seconds(state.config.token_ttl_secs as i64);
    let hash = token_hash(&token);
    state
        .db
        .write(move |tx| {
            tx.prepare_cached("DELETE FROM access_tokens WHERE principal_id = ? AND dt_expires <= ?")?
                .execute((&principal_id, micros(now)))?;
            tx.prepare_cached(
                "INSERT INTO access_tokens (token_hash, principal_id, org_id, dt_expires) VALUES (?, ?, ?, ?)",
            )?
            .execute((hash, &principal_id, &org_id, micros(expires)))?;
            Ok(())
        })
        .await?;
    Ok(token)
}

/// The service user (id, organisation) whose key id and secret these are, if any.
async fn verify_client(
    state: &AppState,
    access_key_id: &str,
    secret: &str,
) -> Result<Option<(String, String)>> {
    if access_key_id.len() > ACCESS_KEY_ID_MAX_BYTES {
        return Ok(None);
    }
    let key_id = access_key_id.to_owned();
    let row: Option<(String, String, String)> = state
        .db
        .read(move |conn| {
            let mut statement = conn.prepare_cached(
                "SELECT id, org_id, secret_hash FROM service_users WHERE access_key_id = ?",
            )?;
            statement.query_opt([key_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        })
        .await?;
    let Some((id, org, stored)) = row else {
        // An unknown key id costs a digest too, so timing tells little about which exist.
        let _ = digest_matches(secret, "");
        return Ok(None);
    };
    let matched = match stored.strip_prefix(SECRET_DIGEST_PREFIX) {
        Some(digest) => digest_matches(secret, digest),
        // Written before secrets were digests: argon2, queued with the other slow hashes.
        None => password::verify(secret.to_owned(), stored).await,
    };
    Ok(matched.then_some((id, org)))
}

/// Longer than any key id this server gives out; such a request is not looked up at all.
const ACCESS_KEY_ID_MAX_BYTES: usize = 128;

/// Ends a token at once (RFC 7009). With `principal`, only a token of that principal is
/// ended, as a client may revoke only its own. An unknown or already ended token is no error.
pub async fn revoke_token(
    state: &AppState,
    token: &str,
    principal: Option<String>,
    source: RequestSource,
) -> Result<()> {
    let hash = token_hash(token);
    let (key, clock) = (hash.clone(), state.clock.clone());
    state
        .db
        .write(move |tx| {
            let ended: Option<(String, String)> = tx
                .prepare_cached(
                    "DELETE FROM access_tokens WHERE token_hash = ?1 AND (CAST(?2 AS TEXT) IS NULL OR principal_id = ?2)
                     RETURNING principal_id, org_id",
                )?
                .query_opt((key, principal), |r| Ok((r.get(0)?, r.get(1)?)))?;
            match ended {
                Some((principal, org)) => note_token_revoked(tx, &principal, &org, &clock, &source),
                None => Ok(()),
            }
        })
        .await?;
    state.callers.invalidate(&hash);
    Ok(())
}

/// A service user's token ended, as that service user's own act (holding the token, or
/// its credentials, is what revoking takes).
fn note_token_revoked(
    conn: &db::Conn,
    principal: &str,
    org: &str,
    clock: &crate::clock::Clock,
    source: &RequestSource,
) -> Result<()> {
    let name: String = conn
        .prepare_cached("SELECT name FROM service_users WHERE id = ?")?
        .query_row([principal], |r| r.get(0))?;
    let id = db::uuid(principal)?;
    let event = crate::store::audit::Event {
        org_id: db::uuid(org)?,
        actor: crate::store::audit::Actor {
            id: Some(id),
            kind: "serviceUser",
            name,
        },
        action: invitedesk_model::AuditAction::TokenRevoked,
        target: crate::store::audit::Target {
            id: Some(id),
            email: None,
        },
        source,
        changes: Vec::new(),
    };
    crate::store::audit::append(conn, clock, event)
}

/// The service user (id, organisation) these client credentials name. Failures are counted
/// per client address and per access key id, and a caller over either limit is refused
/// before anything is looked up or hashed.
pub async fn authenticate_client(
    state: &AppState,
    client: IpAddr,
    access_key_id: &str,
    secret: &str,
) -> Result<(String, String)> {
    if let Err(refused) = state.auth_failures.refuse_if_blocked(client, access_key_id) {
        // A refused client waits for its answer: a flood's connections then sit idle instead
        // of spinning, and cost the server next to nothing.
        tokio::time::sleep(crate::rate_limit::REFUSAL_DELAY).await;
        return Err(refused);
    }
    match verify_client(state, access_key_id, secret).await? {
        Some(principal) => Ok(principal),
        None => {
            state.auth_failures.note_failure(client, access_key_id);
            Err(Error::Unauthorized("invalid client credentials"))
        }
    }
}

//! A person's sessions: single-use authorization codes bound to the client, the redirect URI
//! and the PKCE challenge (RFC 7636, S256 only); refresh tokens rotated on every use, whose
//! reuse ends their whole family; and the short-lived access tokens of a membership. Only
//! hashes are stored.

use chrono::{DateTime, Duration, Utc};
use invitedesk_model::{pkce, AuditAction};
use uuid::Uuid;

use crate::auth::{random_token, token_hash};
use crate::clock::Clock;
use crate::db::{self, micros, Conn};
use crate::error::{Error, Result};
use crate::store::audit::{self, RequestSource};

/// How long an authorization code may wait to be exchanged.
pub const CODE_TTL_SECS: i64 = 60;
/// How long a refresh token lives unused; each use gives a new one.
pub const REFRESH_TTL_DAYS: i64 = 30;

/// What a code was issued for, checked again when it is exchanged.
pub struct CodeRequest<'a> {
    pub client_id: &'a str,
    pub redirect_uri: &'a str,
    pub code_challenge: &'a str,
    pub user_id: Uuid,
}

/// A new access token and the refresh token that follows it.
pub struct TokenPair {
    pub access_token: String,
    pub refresh_token: String,
    pub expires_in: u64,
    /// The membership's organisation.
    pub org_id: Uuid,
}

/// A grant refused: kept apart from a failure of the database, because what the refusal
/// wrote (a code used up, a family ended) must be committed, not rolled back.
pub type Granted = std::result::Result<TokenPair, Error>;

/// The answer for a code or refresh token that cannot be used (RFC 6749 §5.2).
fn invalid_grant(reason: &str) -> Error {
    Error::BadRequest {
        code: "invalid_grant",
        message: reason.to_owned(),
        field: None,
    }
}

pub fn issue_code(conn: &Conn, request: &CodeRequest, now: DateTime<Utc>) -> Result<String> {
    let code = random_token();
    conn.prepare_cached(
        "INSERT INTO oauth_codes (code_hash, client_id, redirect_uri, code_challenge, user_id,
            family_id, dt_expires)
         VALUES (?, ?, ?, ?, ?, ?, ?)",
    )?
    .execute((
        token_hash(&code),
        request.client_id,
        request.redirect_uri,
        request.code_challenge,
        request.user_id.to_string(),
        Uuid::new_v4().to_string(),
        micros(now + Duration::seconds(CODE_TTL_SECS)),
    ))?;
    Ok(code)
}

/// Exchanges a code for tokens. A code works once: any attempt, right or wrong, uses it up,
/// and a second attempt also ends the tokens the first one gave.
pub fn redeem_code(
    conn: &Conn,
    code: &str,
    client_id: &str,
    redirect_uri: &str,
    verifier: &str,
    now: DateTime<Utc>,
    access_ttl_secs: u64,
) -> Result<Granted> {
    type Found = (String, String, String, String, String, i64, i64);
    let found: Option<Found> = conn
        .prepare_cached(
            "UPDATE oauth_codes SET used = used + 1 WHERE code_hash = ?
             RETURNING client_id, redirect_uri, code_challenge, user_id, family_id, dt_expires, used",
        )?
        .query_opt([token_hash(code)], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
            ))
        })?;
    let Some((client, redirect, challenge, user_id, family, expires, used)) = found else {
        return Ok(Err(invalid_grant("the authorization code is unknown")));
    };
    if used > 1 {
        end_family(conn, &family)?;
        return Ok(Err(invalid_grant(
            "the authorization code was used already",
        )));
    }
    if expires <= micros(now) {
        return Ok(Err(invalid_grant("the authorization code has expired")));
    }
    if client != client_id || redirect != redirect_uri {
        return Ok(Err(invalid_grant(
            "the authorization code was issued to another client or redirect_uri",
        )));
    }
    if !pkce::verifier_matches(verifier, &challenge) {
        return Ok(Err(invalid_grant(
            "code_verifier does not match the code_challenge",
        )));
    }
    let Some(membership) = member_account(conn, db::uuid(&user_id)?, now)? else {
        return Ok(Err(invalid_grant("the membership has ended")));
    };
    issue_pair(conn, &membership, client_id, &family, now, access_ttl_secs).map(Ok)
}

/// The account and organisation of a membership that may act now: not deleted, Active,
/// access not ended.
pub fn member_account(
    conn: &Conn,
    user_id: Uuid,
    now: DateTime<Utc>,
) -> Result<Option<Membership>> {
    let found: Option<(String, String)> = conn
        .prepare_cached(
            "SELECT a.id, u.org_id FROM users u JOIN accounts a ON a.email = u.email
             WHERE u.id = ? AND u.deleted = 0 AND u.status = 'Active'
               AND (u.dt_end_access IS NULL OR u.dt_end_access > ?)",
        )?
        .query_opt((user_id.to_string(), micros(now)), |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
    found
        .map(|(account, org)| {
            Ok(Membership {
                user_id,
                account_id: db::uuid(&account)?,
                org_id: db::uuid(&org)?,
            })
        })
        .transpose()
}

/// Who a token acts as.
pub struct Membership {
    pub user_id: Uuid,
    pub account_id: Uuid,
    pub org_id: Uuid,
}

fn issue_pair(
    conn: &Conn,
    membership: &Membership,
    client_id: &str,
    family: &str,
    now: DateTime<Utc>,
    access_ttl_secs: u64,
) -> Result<TokenPair> {
    let (access, refresh) = (random_token(), random_token());
    conn.prepare_cached(
        "INSERT INTO person_tokens (token_hash, user_id, family_id, dt_expires) VALUES (?, ?, ?, ?)",
    )?
    .execute((
        token_hash(&access),
        membership.user_id.to_string(),
        family,
        micros(now + Duration::seconds(access_ttl_secs as i64)),
    ))?;
    conn.prepare_cached(
        "INSERT INTO refresh_tokens (token_hash, family_id, user_id, account_id, client_id, dt_expires)
         VALUES (?, ?, ?, ?, ?, ?)",
    )?
    .execute((
        token_hash(&refresh),
        family,
        membership.user_id.to_string(),
        membership.account_id.to_string(),
        client_id,
        micros(now + Duration::days(REFRESH_TTL_DAYS)),
    ))?;
    Ok(TokenPair {
        access_token: access,
        refresh_token: refresh,
        expires_in: access_ttl_secs,
        org_id: membership.org_id,
    })
}

/// Gives a new pair for a refresh token and retires it. A retired token presented again means
/// two parties hold the family (RFC 6819 §5.2.2.3): every token of the family ends.
pub fn rotate(
    conn: &Conn,
    refresh_token: &str,
    client_id: &str,
    now: DateTime<Utc>,
    access_ttl_secs: u64,
) -> Result<Granted> {
    let unknown = || {
        Ok(Err(invalid_grant(
            "the refresh token is unknown or has ended",
        )))
    };
    let hash = token_hash(refresh_token);
    let family: Option<String> = conn
        .prepare_cached("SELECT family_id FROM refresh_tokens WHERE token_hash = ?")?
        .query_opt([&hash], |r| r.get(0))?;
    let Some(family) = family else {
        return unknown();
    };
    // Two rotations of one family at once (two instances) take turns.
    conn.lock(&format!("refresh family {family}"))?;
    type Found = (String, String, i64, Option<i64>);
    let found: Option<Found> = conn
        .prepare_cached(
            "SELECT user_id, client_id, dt_expires, dt_rotated FROM refresh_tokens
             WHERE token_hash = ?",
        )?
        .query_opt([&hash], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })?;
    let Some((user_id, client, expires, rotated)) = found else {
        return unknown();
    };
    if rotated.is_some() {
        end_family(conn, &family)?;
        return Ok(Err(invalid_grant(
            "the refresh token was used already: every session from that sign-in has ended",
        )));
    }
    if expires <= micros(now) || client != client_id {
        return unknown();
    }
    let Some(membership) = member_account(conn, db::uuid(&user_id)?, now)? else {
        end_family(conn, &family)?;
        return Ok(Err(invalid_grant("the membership has ended")));
    };
    conn.prepare_cached("UPDATE refresh_tokens SET dt_rotated = ? WHERE token_hash = ?")?
        .execute((micros(now), &hash))?;
    // Only the newest access token of a family stays usable.
    conn.prepare_cached("DELETE FROM person_tokens WHERE family_id = ?")?
        .execute([&family])?;
    issue_pair(conn, &membership, client_id, &family, now, access_ttl_secs).map(Ok)
}

/// Ends the family a refresh token or a person's access token belongs to; answers whether
/// the token was one.
pub fn revoke(conn: &Conn, token: &str, clock: &Clock, source: &RequestSource) -> Result<bool> {
    let hash = token_hash(token);
    let family: Option<(String, String)> = conn
        .prepare_cached(
            "SELECT family_id, user_id FROM refresh_tokens WHERE token_hash = ?1
             UNION SELECT family_id, user_id FROM person_tokens WHERE token_hash = ?1",
        )?
        .query_opt([hash], |r| Ok((r.get(0)?, r.get(1)?)))?;
    let Some((family, user_id)) = family else {
        return Ok(false);
    };
    end_family(conn, &family)?;
    let event = audit::member_event(conn, db::uuid(&user_id)?, AuditAction::TokenRevoked, source)?;
    audit::append(conn, clock, event)?;
    Ok(true)
}

fn end_family(conn: &Conn, family: &str) -> Result<()> {
    conn.prepare_cached("DELETE FROM person_tokens WHERE family_id = ?")?
        .execute([family])?;
    conn.prepare_cached("DELETE FROM refresh_tokens WHERE family_id = ?")?
        .execute([family])?;
    Ok(())
}

/// Ends every session of a membership (inactivated, deleted).
pub fn end_for_member(conn: &Conn, user_id: Uuid) -> Result<()> {
    let id = user_id.to_string();
    conn.prepare_cached("DELETE FROM person_tokens WHERE user_id = ?")?
        .execute([&id])?;
    conn.prepare_cached("DELETE FROM refresh_tokens WHERE user_id = ?")?
        .execute([&id])?;
    conn.prepare_cached("DELETE FROM oauth_codes WHERE user_id = ?")?
        .execute([&id])?;
    Ok(())
}

/// Ends every session of an account, in every organisation (its password was reset).
pub fn end_for_account(conn: &Conn, account_id: Uuid) -> Result<()> {
    let id = account_id.to_string();
    conn.prepare_cached(
        "DELETE FROM person_tokens WHERE family_id IN
            (SELECT family_id FROM refresh_tokens WHERE account_id = ?)",
    )?
    .execute([&id])?;
    conn.prepare_cached("DELETE FROM refresh_tokens WHERE account_id = ?")?
        .execute([&id])?;
    Ok(())
}

/// Forgets what can no longer be used.
pub fn forget_expired(conn: &Conn, now: DateTime<Utc>) -> Result<()> {
    let now = micros(now);
    conn.execute("DELETE FROM oauth_codes WHERE dt_expires <= ?", [now])?;
    conn.execute("DELETE FROM person_tokens WHERE dt_expires <= ?", [now])?;
    conn.execute("DELETE FROM refresh_tokens WHERE dt_expires <= ?", [now])?;
    Ok(())
}

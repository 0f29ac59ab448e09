//! What the sign-in pages ask of the database: the account behind an e-mail, and the
//! organisations it may act in now (its memberships that are Active, not deleted and whose
//! access has not ended).

use chrono::{DateTime, Utc};
use invitedesk_model::{AuditAction, FieldChange};
use uuid::Uuid;

use crate::auth::Caller;
use crate::clock::Clock;
use crate::db::{self, micros, Conn};
use crate::error::Result;
use crate::store::audit::{self, Actor, Event, RequestSource, Target, MEMBER_NAME};

pub struct Account {
    pub id: Uuid,
    pub password_hash: String,
    /// A confirmed TOTP secret: this account signs in with a second factor.
    pub totp_secret: Option<Vec<u8>>,
}

/// `email` as the model's rules write it (`validate::email`).
pub fn account_by_email(conn: &Conn, email: &str) -> Result<Option<Account>> {
    let found: Option<(String, String, Option<Vec<u8>>)> = conn
        .prepare_cached("SELECT id, password_hash, totp_secret FROM accounts WHERE email = ?")?
        .query_opt([email], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    found
        .map(|(id, password_hash, totp_secret)| {
            Ok(Account {
                id: db::uuid(&id)?,
                password_hash,
                totp_secret,
            })
        })
        .transpose()
}

pub fn account_totp_secret(conn: &Conn, account_id: Uuid) -> Result<Option<Vec<u8>>> {
    let secret: Option<Option<Vec<u8>>> = conn
        .prepare_cached("SELECT totp_secret FROM accounts WHERE id = ?")?
        .query_opt([account_id.to_string()], |r| r.get(0))?;
    Ok(secret.flatten())
}

/// One organisation a person may sign in to.
#[derive(Debug, Clone)]
pub struct Membership {
    pub user_id: Uuid,
    pub org_id: Uuid,
    pub organization: String,
    pub requires_second_factor: bool,
}

pub fn memberships(conn: &Conn, account_id: Uuid, now: DateTime<Utc>) -> Result<Vec<Membership>> {
    let rows: Vec<(String, String, String, i64)> = conn.query(
        "SELECT u.id, o.id, o.name, o.require_second_factor
         FROM accounts a JOIN users u ON u.email = a.email JOIN organizations o ON o.id = u.org_id
         WHERE a.id = ? AND u.deleted = 0 AND u.status = 'Active'
           AND (u.dt_end_access IS NULL OR u.dt_end_access > ?)
         ORDER BY o.name, o.id",
        (account_id.to_string(), micros(now)),
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
    )?;
    rows.into_iter()
        .map(|(user, org, organization, required)| {
            Ok(Membership {
                user_id: db::uuid(&user)?,
                org_id: db::uuid(&org)?,
                organization,
                requires_second_factor: required != 0,
            })
        })
        .collect()
}

/// Whether an organisation's members must sign in with a second factor.
pub fn set_second_factor_required(
    conn: &Conn,
    caller: &Caller,
    required: bool,
    clock: &Clock,
) -> Result<()> {
    let org = caller.org_id.to_string();
    let was: Option<i64> = conn
        .prepare_cached("SELECT require_second_factor FROM organizations WHERE id = ?")?
        .query_opt([&org], |r| r.get(0))?;
    conn.prepare_cached("UPDATE organizations SET require_second_factor = ? WHERE id = ?")?
        .execute((i64::from(required), &org))?;
    let change = FieldChange {
        field: "requireSecondFactor".into(),
        old: was.map(|w| w != 0).into(),
        new: required.into(),
    };
    let event = Event::by(
        caller,
        AuditAction::OrganizationSecurityUpdated,
        caller.org_id,
        None,
    );
    audit::append(conn, clock, event.with_changes(vec![change]))
}

/// A sign-in that reached its organisation, in that organisation's audit trail, as the
/// member it signed in as.
pub fn note_signed_in(
    conn: &Conn,
    user_id: Uuid,
    clock: &Clock,
    source: &RequestSource,
) -> Result<()> {
    let event = audit::member_event(conn, user_id, AuditAction::SignInSucceeded, source)?;
    audit::append(conn, clock, event)
}

/// A wrong password or second-factor code for a known account, in the audit trail of every
/// organisation it is a member of (an unknown e-mail belongs to no organisation: only the
/// limiters see it).
pub fn note_failed_sign_in(
    conn: &Conn,
    account_id: Uuid,
    clock: &Clock,
    source: &RequestSource,
) -> Result<()> {
    let members: Vec<(String, String, String, String)> = conn.query(
        &format!(
            "SELECT u.id, u.org_id, a.email, {MEMBER_NAME} FROM accounts a
               JOIN users u ON u.email = a.email WHERE a.id = ? AND u.deleted = 0"
        ),
        [account_id.to_string()],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
    )?;
    for (user_id, org_id, email, name) in members {
        let user_id = db::uuid(&user_id)?;
        let event = Event {
            org_id: db::uuid(&org_id)?,
            actor: Actor::member(user_id, &email, name),
            action: AuditAction::SignInFailed,
            target: Target {
                id: Some(user_id),
                email: Some(email),
            },
            source,
            changes: Vec::new(),
        };
        audit::append(conn, clock, event)?;
    }
    Ok(())
}

//! The invitee's side: opening an invite link, the one-time code sent to a new person's
//! mobile number, accepting (which makes the person a member) and declining.

use crate::db::Conn;
use chrono::{DateTime, Utc};
use invitedesk_model::validate::Placement;
use invitedesk_model::{AuditAction, FieldChange, InvitationStatus, User, UserStatus};
use uuid::Uuid;

use crate::clock::Clock;
use crate::db::{self, micros};
use crate::error::Result;
use crate::mail::compose::InvitationFacts;
use crate::store::audit::{self, changes_between, Actor, Event, RequestSource, Target};
use crate::store::otp::{self, CodeCheck};
use crate::store::{attempts, invitations, seats, users};
/// Who the invitee's changes are recorded as.
const INVITEE: &str = "invitee";

/// A live invitation, as its invitee sees it.
pub struct OpenInvitation {
    pub id: Uuid,
    pub org_id: Uuid,
    pub facts: InvitationFacts,
    pub last_name: Option<String>,
    pub policies: Vec<String>,
    /// An account with this e-mail exists: the invitee accepts by signing in.
    pub account: Option<(Uuid, String)>,
    /// Wrong codes or passwords this invitation still takes; at 0 it is locked until resent.
    pub failures_left: i64,
}

impl OpenInvitation {
    pub fn locked(&self) -> bool {
        self.failures_left == 0
    }
}

/// The Pending, unexpired invitation whose link carries this token. Unknown, used, revoked
/// and expired tokens all come back as None, so they all get the same answer.
pub fn open(conn: &Conn, token_hash: &[u8], now: DateTime<Utc>) -> Result<Option<OpenInvitation>> {
    open_by(conn, Link::Token(token_hash), now)
}

/// How an invitee reaches their invitation: the link's token, or, signed in to the account
/// it was sent to, its id (`GET /account/invitations`).
#[derive(Clone, Copy)]
pub enum Link<'a> {
    Token(&'a [u8]),
    Account { invitation: Uuid, email: &'a str },
}

pub fn open_by(conn: &Conn, link: Link, now: DateTime<Utc>) -> Result<Option<OpenInvitation>> {
    const COLUMNS: &str = "SELECT id, org_id, status, dt_expiry, last_name, email FROM invitations";
    let (sql, params) = match link {
        Link::Token(hash) => (
            format!("{COLUMNS} WHERE token_hash = ? AND deleted = 0"),
            vec![crate::db::Value::Blob(hash.to_vec())],
        ),
        Link::Account { invitation, email } => (
            format!("{COLUMNS} WHERE id = ? AND email = ? AND deleted = 0"),
            vec![
                crate::db::Value::Text(invitation.to_string()),
                crate::db::Value::Text(email.to_owned()),
            ],
        ),
    };
    let found: Option<(String, String, String, i64, Option<String>, String)> =
        conn.prepare_cached(&sql)?.query_opt(params, |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        })?;
    let Some((id, org_id, status, expiry, last_name, email)) = found else {
        return Ok(None);
    };
    let live = InvitationStatus::parse(&status)
        .map(|s| {
            s.effective(db::time(expiry).unwrap_or_default(), now) == InvitationStatus::Pending
        })
        .unwrap_or(false);
    if !live {
        return Ok(None);
    }
    let id = db::uuid(&id)?;
    let sql = format!(
        "SELECT p.name FROM permission_policies p, invitations i
         WHERE i.id = ? AND p.id IN {} ORDER BY p.name",
        conn.ids_in("i.permission_policy_ids")
    );
    let policies = conn.query(&sql, [id.to_string()], |r| r.get(0))?;
    let account: Option<(String, String)> = conn
        .prepare_cached("SELECT id, password_hash FROM accounts WHERE email = ?")?
        .query_opt([&email], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(Some(OpenInvitation {
        id,
        org_id: db::uuid(&org_id)?,
        facts: InvitationFacts::load(conn, id)?,
        last_name,
        policies,
        account: account
            .map(|(a, hash)| Ok::<_, crate::Error>((db::uuid(&a)?, hash)))
            .transpose()?,
        failures_left: attempts::invitation_failures_left(conn, id)?,
    }))
}

/// Who is accepting.
pub enum Acceptor {
    /// A new person, with the code sent to their mobile and their password's argon2 hash.
    NewPerson {
        first_name: String,
        last_name: String,
        mobile: String,
        code: String,
        password_hash: String,
    },
    /// Someone who already has an account and signed in to it.
    Account(Uuid),
}

#[derive(Debug, PartialEq, Eq)]
pub enum Acceptance {
    Accepted,
    /// The link is no longer live.
    Invalid,
    /// Too many wrong codes or passwords: locked until an administrator resends it.
    Locked,
    WrongCode {
        attempts_left: i64,
    },
    /// The code expired, was used up, or was sent to another number: ask for a new one.
    NewCodeNeeded,
    /// The subscription's seats ran out since the invitation was sent.
    SeatsGone,
    /// An account with this e-mail exists: sign in instead.
    AccountExists,
    AlreadyMember,
}

/// The invitation behind `link`, held for this transaction (`invitations::lock`) and read
/// again once held, since an administrator may have changed it meanwhile.
fn open_for_change(conn: &Conn, link: Link, now: DateTime<Utc>) -> Result<Option<OpenInvitation>> {
    let Some(found) = open_by(conn, link, now)? else {
        return Ok(None);
    };
    if !conn.is_postgres() {
        return Ok(Some(found));
    }
    invitations::lock(conn, found.id)?;
    open_by(conn, link, now)
}

/// Accepts in one transaction: the person becomes an Active member with the invitation's
/// policies, access end and placement (its pending seat becomes a used one), the invitation
/// becomes Accepted and its link stops working. A wrong code is counted even though nothing
/// else changes, so the caller commits every outcome.
pub fn accept(
    conn: &Conn,
    link: Link,
    who: Acceptor,
    clock: &Clock,
    source: &RequestSource,
) -> Result<Acceptance> {
    let now = clock.now();
    let Some(open) = open_for_change(conn, link, now)? else {
        return Ok(Acceptance::Invalid);
    };
    if open.locked() {
        return Ok(Acceptance::Locked);
    }
    let invitation = InvitationTerms::load(conn, open.id)?;
    let member: Option<i64> = conn
        .prepare_cached("SELECT 1 FROM users WHERE org_id = ? AND email = ? AND deleted = 0")?
        .query_opt((open.org_id.to_string(), &invitation.email), |r| r.get(0))?;
    if member.is_some() {
        return Ok(Acceptance::AlreadyMember);
    }
    if let Some(subscription) = invitation.placement.subscription_id {
        // This invitation is one of the pending seats; the seats must still hold it.
        let (_, seats) = seats::of_subscription(conn, subscription, now)?;
        if seats.used + seats.pending > seats.limit {
            return Ok(Acceptance::SeatsGone);
        }
    }
    let (first_name, last_name, mobile) = match who {
        Acceptor::Account(account) => {
            attempts::clear_account_failures(conn, account)?;
            let names: (String, String, String) = conn
                .prepare_cached("SELECT first_name, last_name, mobile FROM accounts WHERE id = ?")?
                .query_row([account.to_string()], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                })?;
            names
        }
        Acceptor::NewPerson {
            first_name,
            last_name,
            mobile,
            code,
            password_hash,
        } => {
            if open.account.is_some() {
                return Ok(Acceptance::AccountExists);
            }
            if let Some(refused) = check_code(conn, open.id, &mobile, &code, now)? {
                return Ok(refused);
            }
            conn.prepare_cached(
                "INSERT INTO accounts (id, email, first_name, last_name, mobile, password_hash, dt_created)
                 VALUES (?, ?, ?, ?, ?, ?, ?)",
            )?
            .execute((
                Uuid::new_v4().to_string(),
                &invitation.email,
                &first_name,
                &last_name,
                &mobile,
                &password_hash,
                micros(now),
            ))?;
            (first_name, last_name, mobile)
        }
    };
    let member = users::insert(
        conn,
        users::UserInsert {
            org_id: open.org_id,
            email: invitation.email.clone(),
            first_name: Some(first_name),
            last_name: Some(last_name),
            contact_number: Some(mobile),
            status: UserStatus::Active,
            permission_policy_ids: invitation.policy_ids,
            dt_end_access: invitation.dt_end_access,
            placement: invitation.placement,
            created_by: invitation.inviter,
            created: now,
            stamp: conn.stamp(clock, open.org_id)?,
        },
    )?;
    note_new_member(conn, &open, &member, clock, source)?;
    end(conn, &open, InvitationStatus::Accepted, clock, source)?;
    Ok(Acceptance::Accepted)
}

/// None when the code is right; else why not. A wrong code counts against the code and
/// against the invitation, which a new code does not reset.
fn check_code(
    conn: &Conn,
    invitation_id: Uuid,
    mobile: &str,
    code: &str,
    now: DateTime<Utc>,
) -> Result<Option<Acceptance>> {
    match otp::check(conn, invitation_id, mobile, code, now)? {
        CodeCheck::Right => Ok(None),
        CodeCheck::NewCodeNeeded => Ok(Some(Acceptance::NewCodeNeeded)),
        CodeCheck::Wrong { attempts_left } => {
            let invitation_left = attempts::note_invitation_failure(conn, invitation_id)?;
            Ok(Some(match invitation_left {
                0 => Acceptance::Locked,
                left => Acceptance::WrongCode {
                    attempts_left: attempts_left.min(left),
                },
            }))
        }
    }
}

/// Declines: the invitation is Declined, its seat freed, its link dead.
pub fn decline(
    conn: &Conn,
    link: Link,
    clock: &Clock,
    source: &RequestSource,
) -> Result<Acceptance> {
    match open_for_change(conn, link, clock.now())? {
        None => Ok(Acceptance::Invalid),
        Some(open) => {
            end(conn, &open, InvitationStatus::Declined, clock, source)?;
            Ok(Acceptance::Accepted)
        }
    }
}

/// A one-time code sent for the invitation, as the invitee asked (never the code itself).
pub fn note_code_requested(
    conn: &Conn,
    org_id: Uuid,
    invitation_id: Uuid,
    email: &str,
    clock: &Clock,
    source: &RequestSource,
) -> Result<()> {
    let event = Event {
        org_id,
        actor: Actor::invitee(invitation_id, email),
        action: AuditAction::InvitationCodeRequested,
        target: Target {
            id: Some(invitation_id),
            email: Some(email.to_owned()),
        },
        source,
        changes: Vec::new(),
    };
    audit::append(conn, clock, event)
}

/// The membership an accepted invitation made, as the invitee's own change.
fn note_new_member(
    conn: &Conn,
    open: &OpenInvitation,
    member: &User,
    clock: &Clock,
    source: &RequestSource,
) -> Result<()> {
    let event = Event {
        org_id: open.org_id,
        actor: Actor::invitee(open.id, &open.facts.email),
        action: AuditAction::UserCreated,
        target: Target {
            id: Some(member.id),
            email: member.email.clone(),
        },
        source,
        changes: changes_between(None::<&User>, member)?,
    };
    audit::append(conn, clock, event)
}

fn end(
    conn: &Conn,
    open: &OpenInvitation,
    status: InvitationStatus,
    clock: &Clock,
    source: &RequestSource,
) -> Result<()> {
    conn.prepare_cached(
        "UPDATE invitations SET status = ?, token_hash = NULL, version = version + 1,
            dt_last_modified = ?, last_modified_by = ?
         WHERE id = ?",
    )?
    .execute((
        status.as_str(),
        micros(conn.stamp(clock, open.org_id)?),
        INVITEE,
        open.id.to_string(),
    ))?;
    conn.prepare_cached("DELETE FROM one_time_codes WHERE invitation_id = ?")?
        .execute([open.id.to_string()])?;
    let action = match status {
        InvitationStatus::Accepted => AuditAction::InvitationAccepted,
        _ => AuditAction::InvitationDeclined,
    };
    let event = Event {
        org_id: open.org_id,
        actor: Actor::invitee(open.id, &open.facts.email),
        action,
        target: Target {
            id: Some(open.id),
            email: Some(open.facts.email.clone()),
        },
        source,
        changes: vec![FieldChange {
            field: "status".into(),
            old: InvitationStatus::Pending.as_str().into(),
            new: status.as_str().into(),
        }],
    };
    audit::append(conn, clock, event)
}

/// What an accepted invitation grants.
struct InvitationTerms {
    email: String,
    inviter: String,
    policy_ids: Vec<Uuid>,
    dt_end_access: Option<DateTime<Utc>>,
    placement: Placement,
}

impl InvitationTerms {
    fn load(conn: &Conn, id: Uuid) -> Result<Self> {
        let row: (String, String, String, Option<i64>, [Option<String>; 4]) = conn
            .prepare_cached(
                "SELECT email, inviting_principal_id, permission_policy_ids, dt_end_access,
                        business_id, app_id, subscription_id, role_id
                 FROM invitations WHERE id = ?",
            )?
            .query_row([id.to_string()], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    [r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?],
                ))
            })?;
        let (email, inviter, policies, end, [business, app, subscription, role]) = row;
        Ok(Self {
            email,
            inviter,
            policy_ids: db::id_list(&policies)?,
            dt_end_access: db::opt_time(end)?,
            placement: Placement {
                business_id: db::opt_uuid(business.as_deref())?,
                app_id: db::opt_uuid(app.as_deref())?,
                subscription_id: db::opt_uuid(subscription.as_deref())?,
                role_id: db::opt_uuid(role.as_deref())?,
            },
        })
    }
}

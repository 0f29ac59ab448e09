//! "My invitations": the Pending invitations addressed to a signed-in person's account in
//! every organisation, and accepting or declining them with the invitee page's own rules
//! (`acceptance`), the session standing in for the link and the code.

use invitedesk_model::{AccountInvitation, AccountInvitationOutcome, InvitationStatus};
use uuid::Uuid;

use crate::clock::Clock;
use crate::db::{self, micros, Conn};
use crate::error::{Error, Result};
use crate::store::acceptance::{self, Acceptance, Acceptor, Link, OpenInvitation};
use crate::store::audit::RequestSource;

/// The account's e-mail, as invitations are addressed.
fn email_of(conn: &Conn, account_id: Uuid) -> Result<String> {
    conn.prepare_cached("SELECT email FROM accounts WHERE id = ?")?
        .query_opt([account_id.to_string()], |r| r.get(0))?
        .ok_or(Error::Unauthorized("the account no longer exists"))
}

/// Pending (and not expired) invitations for the account, soonest to expire first.
pub fn list(conn: &Conn, account_id: Uuid, clock: &Clock) -> Result<Vec<AccountInvitation>> {
    let (email, now) = (email_of(conn, account_id)?, clock.now());
    let ids: Vec<String> = conn
        .prepare_cached(
            "SELECT id FROM invitations WHERE email = ? AND status = 'Pending' AND deleted = 0
               AND dt_expiry > ? ORDER BY dt_expiry, id LIMIT 200",
        )?
        .query_map((&email, micros(now)), |r| r.get(0))?;
    let mut listed = Vec::with_capacity(ids.len());
    for id in ids {
        let link = Link::Account {
            invitation: db::uuid(&id)?,
            email: &email,
        };
        if let Some(open) = acceptance::open_by(conn, link, now)? {
            listed.push(wire(open));
        }
    }
    Ok(listed)
}

fn wire(open: OpenInvitation) -> AccountInvitation {
    let facts = open.facts;
    AccountInvitation {
        id: open.id,
        organization_id: open.org_id,
        organization_name: facts.organization,
        invited_by: facts.inviter,
        app: facts.app,
        subscription: facts.subscription,
        role: facts.role,
        permission_policies: open.policies,
        dt_expiry: facts.dt_expiry,
        dt_end_access: facts.dt_end_access,
    }
}

/// Accepts (`accept` true) or declines one of the account's invitations in this transaction.
pub fn answer(
    conn: &Conn,
    account_id: Uuid,
    invitation: Uuid,
    accept: bool,
    clock: &Clock,
    source: &RequestSource,
) -> Result<AccountInvitationOutcome> {
    let email = email_of(conn, account_id)?;
    let link = Link::Account {
        invitation,
        email: &email,
    };
    let Some(open) = acceptance::open_by(conn, link, clock.now())? else {
        return Err(Error::NotFound("invitation"));
    };
    let (outcome, status) = match accept {
        true => (
            acceptance::accept(conn, link, Acceptor::Account(account_id), clock, source)?,
            InvitationStatus::Accepted,
        ),
        false => (
            acceptance::decline(conn, link, clock, source)?,
            InvitationStatus::Declined,
        ),
    };
    match outcome {
        Acceptance::Accepted => Ok(AccountInvitationOutcome {
            id: invitation,
            organization_id: open.org_id,
            organization_name: open.facts.organization,
            status,
        }),
        Acceptance::SeatsGone => Err(conflict(
            "seats_exhausted",
            "the subscription has no free seat left for this invitation: ask its administrator",
        )),
        Acceptance::AlreadyMember => Err(conflict(
            "already_member",
            "you are already a member of this organisation",
        )),
        Acceptance::Locked => Err(conflict(
            "invitation_locked",
            "this invitation is locked after too many wrong attempts: ask for it to be resent",
        )),
        _ => Err(Error::NotFound("invitation")),
    }
}

fn conflict(code: &'static str, message: &str) -> Error {
    Error::Conflict {
        code,
        message: message.to_owned(),
        conflicting_id: None,
    }
}

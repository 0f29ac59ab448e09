//! Invitations: reads, and every change with the rules that guard it (one live invitation per
//! e-mail, seats, status transitions, versions).

use crate::db::{Conn, Row};
use chrono::{DateTime, Duration, Utc};
use invitedesk_model::validate::{
    Placement, ValidInvitationUpdate, ValidNewInvitation, EXPIRY_DEFAULT_DAYS,
};
use invitedesk_model::{AuditAction, Invitation, InvitationStatus, Page};
use uuid::Uuid;

use crate::auth::{random_token, token_hash, Caller};
use crate::clock::Clock;
use crate::db::{self, id_text, micros, FromRow, Sql};
use crate::error::{Error, Result};
use crate::mail::compose::{self, InvitationFacts};
use crate::mail::outbox;
use crate::rate_limit::SendLimits;
use crate::store::audit::{self, changes_between, Event};
use crate::store::paging::{self, ListParams, Pageable};
use crate::store::{catalog, policies, principal_names, seats};

#[derive(Debug, Clone)]
pub struct InvitationRow {
    id: String,
    version: i64,
    email: String,
    first_name: Option<String>,
    last_name: Option<String>,
    contact_number: Option<String>,
    permission_policy_ids: String,
    dt_end_access: Option<i64>,
    dt_expiry: i64,
    inviting_principal_id: String,
    status: String,
    existing_user: bool,
    business_id: Option<String>,
    app_id: Option<String>,
    subscription_id: Option<String>,
    role_id: Option<String>,
    dt_last_sent: Option<i64>,
    send_count: i64,
    dt_created: i64,
    dt_last_modified: i64,
    created_by: String,
    last_modified_by: String,
    deleted: bool,
    delivery_status: Option<String>,
    delivery_error: Option<String>,
}

impl InvitationRow {
    /// The table's columns in `SELECT *` order: rows are read by position, since looking a
    /// column up by name on every row was most of the cost of a list page.
    pub const COLUMNS: [&'static str; 29] = [
        "id",
        "org_id",
        "version",
        "email",
        "first_name",
        "last_name",
        "contact_number",
        "permission_policy_ids",
        "dt_end_access",
        "dt_expiry",
        "inviting_principal_id",
        "status",
        "existing_user",
        "business_id",
        "app_id",
        "subscription_id",
        "role_id",
        "dt_last_sent",
        "send_count",
        "dt_created",
        "dt_last_modified",
        "created_by",
        "last_modified_by",
        "deleted",
        "search_text",
        "token_hash",
        "delivery_status",
        "delivery_error",
        "failed_attempts",
    ];
}

impl FromRow for InvitationRow {
    fn from_row(r: &Row) -> Result<Self> {
        Ok(Self {
            id: r.get(0)?,
            version: r.get(2)?,
            email: r.get(3)?,
            first_name: r.get(4)?,
            last_name: r.get(5)?,
            contact_number: r.get(6)?,
            permission_policy_ids: r.get(7)?,
            dt_end_access: r.get(8)?,
            dt_expiry: r.get(9)?,
            inviting_principal_id: r.get(10)?,
            status: r.get(11)?,
            existing_user: r.get(12)?,
            business_id: r.get(13)?,
            app_id: r.get(14)?,
            subscription_id: r.get(15)?,
            role_id: r.get(16)?,
            dt_last_sent: r.get(17)?,
            send_count: r.get(18)?,
            dt_created: r.get(19)?,
            dt_last_modified: r.get(20)?,
            created_by: r.get(21)?,
            last_modified_by: r.get(22)?,
            deleted: r.get(23)?,
            delivery_status: r.get(26)?,
            delivery_error: r.get(27)?,
        })
    }
}

impl Pageable for InvitationRow {
    fn created_micros(&self) -> i64 {
        self.dt_created
    }
    fn modified_micros(&self) -> i64 {
        self.dt_last_modified
    }
    fn id_text(&self) -> &str {
        &self.id
    }
}

impl InvitationRow {
    /// The status a reader sees now: Pending past its expiry reads as Expired.
    pub fn status(&self, now: DateTime<Utc>) -> Result<InvitationStatus> {
        let stored = InvitationStatus::parse(&self.status)
            .ok_or_else(|| Error::Internal(format!("stored status {:?}", self.status)))?;
        Ok(stored.effective(db::time(self.dt_expiry)?, now))
    }

    pub fn subscription_id(&self) -> Result<Option<Uuid>> {
        db::opt_uuid(self.subscription_id.as_deref())
    }

    pub fn into_wire(self, now: DateTime<Utc>) -> Result<Invitation> {
        let status = self.status(now)?;
        Ok(Invitation {
            id: db::uuid(&self.id)?,
            version: Some(self.version),
            accepted: Some(status == InvitationStatus::Accepted),
            status: Some(status),
            permission_policy_ids: Some(db::id_list(&self.permission_policy_ids)?),
            dt_end_access: db::opt_time(self.dt_end_access)?,
            dt_expiry: Some(db::time(self.dt_expiry)?),
            inviting_principal_id: Some(db::uuid(&self.inviting_principal_id)?),
            existing_user: Some(self.existing_user),
            m3ter_user: Some(self.existing_user),
            business_id: db::opt_uuid(self.business_id.as_deref())?,
            app_id: db::opt_uuid(self.app_id.as_deref())?,
            subscription_id: db::opt_uuid(self.subscription_id.as_deref())?,
            role_id: db::opt_uuid(self.role_id.as_deref())?,
            dt_last_sent: db::opt_time(self.dt_last_sent)?,
            send_count: Some(self.send_count),
            dt_created: Some(db::time(self.dt_created)?),
            dt_last_modified: Some(db::time(self.dt_last_modified)?),
            deleted: self.deleted.then_some(true),
            delivery_status: self
                .delivery_status
                .as_deref()
                .and_then(|s| serde_json::from_value(s.into()).ok()),
            delivery_error: self.delivery_error,
            email: Some(self.email),
            first_name: self.first_name,
            last_name: self.last_name,
            contact_number: self.contact_number,
            created_by: Some(self.created_by),
            last_modified_by: Some(self.last_modified_by),
            created_by_name: None,
            last_modified_by_name: None,
        })
    }
}

pub fn list(
    conn: &Conn,
    org_id: Uuid,
    params: &ListParams,
    clock: &Clock,
) -> Result<Page<Invitation>> {
    let now = clock.now();
    let statuses = params.statuses(InvitationStatus::parse)?;
    let (rows, next_token, total) = paging::page_of::<InvitationRow>(
        conn,
        "invitations",
        org_id,
        params,
        clock,
        status_conditions(&statuses, now),
    )?;
    let mut data: Vec<Invitation> = rows
        .into_iter()
        .map(|r| r.into_wire(now))
        .collect::<Result<_>>()?;
    principal_names::name_authors(conn, org_id, &mut data)?;
    Ok(Page {
        data,
        next_token,
        total,
    })
}

/// One condition per status. Pending and Expired are told apart by the expiry time, not only
/// by the stored status, so Expired is two: written down, or Pending past its expiry.
fn status_conditions(statuses: &[InvitationStatus], now: DateTime<Utc>) -> Vec<Sql> {
    let mut conditions = Vec::new();
    for status in statuses {
        match status {
            InvitationStatus::Pending => {
                // `+`: walked in the list's order on the status index, not looked up by
                // expiry (nearly every Pending row is live, so a page fills at once).
                let mut c = Sql::new(" AND status = 'Pending' AND +dt_expiry > ");
                c.bind(micros(now));
                conditions.push(c);
            }
            InvitationStatus::Expired => {
                conditions.push(Sql::new(" AND status = 'Expired'"));
                let mut c = Sql::new(" AND status = 'Pending' AND dt_expiry <= ");
                c.bind(micros(now));
                conditions.push(c);
            }
            other => {
                let mut c = Sql::new(" AND status = ");
                c.bind(other.as_str().to_owned());
                conditions.push(c);
            }
        }
    }
    conditions
}

pub fn get(conn: &Conn, org_id: Uuid, id: Uuid, now: DateTime<Utc>) -> Result<Invitation> {
    named(conn, org_id, row(conn, org_id, id)?.into_wire(now)?)
}

/// One record with its authors' names.
fn named(conn: &Conn, org_id: Uuid, record: Invitation) -> Result<Invitation> {
    let mut records = [record];
    principal_names::name_authors(conn, org_id, &mut records)?;
    let [record] = records;
    Ok(record)
}

/// Holds the invitation until this transaction ends, so that changes to it from several
/// instances run one after another, each seeing the last (see `Conn::lock`). Taken before
/// the e-mail's and the seats' locks, always in that order.
pub fn lock(conn: &Conn, id: Uuid) -> Result<()> {
    conn.lock(&format!("invitation {id}"))
}

fn row(conn: &Conn, org_id: Uuid, id: Uuid) -> Result<InvitationRow> {
    let sql = "SELECT * FROM invitations WHERE id = ? AND org_id = ? AND deleted = 0";
    db::optional(conn, sql, (id.to_string(), org_id.to_string()))?
        .ok_or(Error::NotFound("invitation"))
}

/// A new invitation's stored values; also used to seed demo data.
pub struct InvitationInsert {
    pub org_id: Uuid,
    pub invitation: ValidNewInvitation,
    pub status: InvitationStatus,
    pub principal_id: Uuid,
    pub created: DateTime<Utc>,
    pub stamp: DateTime<Utc>,
    pub dt_last_sent: Option<DateTime<Utc>>,
    /// The hash of the invite link's token; none for an invitation with no live link.
    pub token_hash: Option<Vec<u8>>,
    /// `queued` when its e-mail is queued in the same transaction.
    pub delivery_status: Option<&'static str>,
}

pub fn insert(conn: &Conn, new: InvitationInsert) -> Result<InvitationRow> {
    let v = &new.invitation;
    let by = new.principal_id.to_string();
    let p = &v.placement;
    db::returning(
        conn,
        "INSERT INTO invitations (id, org_id, email, first_name, last_name, contact_number,
            permission_policy_ids, dt_end_access, dt_expiry, inviting_principal_id, status,
            existing_user, business_id, app_id, subscription_id, role_id, dt_last_sent, send_count,
            dt_created, dt_last_modified, created_by, last_modified_by, search_text, token_hash,
            delivery_status)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?20, 1, ?17, ?18, ?10, ?10, ?19, ?21, ?22)
         RETURNING *",
        crate::params![
            // Time-ordered, so a new invitation's id, and its events' record id in the audit
            // trail, go at the end of their indexes rather than somewhere inside them.
            Uuid::now_v7().to_string(),
            new.org_id.to_string(),
            v.email,
            v.first_name,
            v.last_name,
            v.contact_number,
            db::id_list_json(&v.permission_policy_ids),
            v.dt_end_access.map(micros),
            micros(v.dt_expiry),
            by,
            new.status.as_str(),
            v.existing_user,
            id_text(p.business_id),
            id_text(p.app_id),
            id_text(p.subscription_id),
            id_text(p.role_id),
            micros(new.created),
            micros(new.stamp),
            db::search_text(&v.email, v.first_name.as_deref(), v.last_name.as_deref()),
            new.dt_last_sent.map(micros),
            new.token_hash,
            new.delivery_status,
        ],
    )
}

/// Creates an invitation after every check: the policies and placement exist, the person is
/// not a member already, no other invitation for the e-mail is live, a seat is free, and the
/// send limits allow it.
pub fn create(
    conn: &Conn,
    caller: &Caller,
    invitation: ValidNewInvitation,
    clock: &Clock,
    limits: &SendLimits,
    public_url: &str,
) -> Result<Invitation> {
    let now = clock.now();
    ensure_references_exist(
        conn,
        caller.org_id,
        &invitation.permission_policy_ids,
        &invitation.placement,
    )?;
    ensure_email_free(conn, caller.org_id, &invitation.email, None, now)?;
    if let Some(subscription) = invitation.placement.subscription_id {
        seats::ensure_free_seat(conn, subscription, now)?;
    }
    limits.check(conn, caller.org_id, &invitation.email, now)?;
    let token = random_token();
    let insert = InvitationInsert {
        org_id: caller.org_id,
        invitation,
        status: InvitationStatus::Pending,
        principal_id: caller.principal_id,
        created: now,
        stamp: conn.stamp(clock, caller.org_id)?,
        dt_last_sent: None,
        token_hash: Some(token_hash(&token)),
        delivery_status: Some("queued"),
    };
    let created = self::insert(conn, insert)?;
    let id = db::uuid(&created.id)?;
    queue_invitation_mail(conn, caller.org_id, id, &token, public_url, now)?;
    // The caller made it: their name, with no lookup on the busiest write.
    let mut created = created.into_wire(now)?;
    created.created_by_name = Some(caller.name.clone());
    created.last_modified_by_name = Some(caller.name.clone());
    let changes = changes_between(None::<&Invitation>, &created)?;
    let event = Event::by(
        caller,
        AuditAction::InvitationCreated,
        id,
        created.email.as_deref(),
    );
    audit::append(conn, clock, event.with_changes(changes))?;
    Ok(created)
}

/// Queues the invitation e-mail, its link carrying `token` (which is stored only hashed). The
/// caller marks the invitation's delivery as queued in the write it makes anyway.
fn queue_invitation_mail(
    conn: &Conn,
    org_id: Uuid,
    id: Uuid,
    token: &str,
    public_url: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let facts = InvitationFacts::load(conn, id)?;
    let mail = compose::invitation(&facts, &format!("{public_url}/invite/{token}"))?;
    outbox::enqueue(conn, org_id, Some(id), &mail, now)
}

/// The policies and placement an invitation names must exist in the organisation.
fn ensure_references_exist(
    conn: &Conn,
    org_id: Uuid,
    policy_ids: &[Uuid],
    placement: &Placement,
) -> Result<()> {
    policies::ensure_exist(conn, org_id, policy_ids)?;
    catalog::ensure_placement(conn, org_id, placement)
}

/// One live invitation per e-mail, and none for a member. A Pending row past its expiry is
/// first written down as Expired, so the database's unique index on live invitations agrees
/// with what readers see. `except` is the invitation being resent.
fn ensure_email_free(
    conn: &Conn,
    org_id: Uuid,
    email: &str,
    except: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<()> {
    conn.lock(&format!("email {org_id} {email}"))?;
    let (member, live, live_expiry): (Option<String>, Option<String>, Option<i64>) = conn
        .prepare_cached(
            "SELECT (SELECT id FROM users WHERE org_id = ?1 AND email = ?2 AND deleted = 0), i.id, i.dt_expiry
             FROM (SELECT 1) AS one LEFT JOIN invitations i
               ON i.org_id = ?1 AND i.email = ?2 AND i.status = 'Pending' AND i.deleted = 0",
        )?
        .query_row((org_id.to_string(), email), |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    if let Some(member) = member {
        return Err(Error::Conflict {
            code: "already_member",
            message: format!("{email} is already a member of this organisation"),
            conflicting_id: Some(db::uuid(&member)?),
        });
    }
    let (Some(live), Some(expiry)) = (live, live_expiry) else {
        return Ok(());
    };
    let live_id = db::uuid(&live)?;
    if Some(live_id) == except {
        return Ok(());
    }
    if expiry > micros(now) {
        return Err(Error::Conflict {
            code: "invitation_exists",
            message: format!("{email} already has a pending invitation ({live_id})"),
            conflicting_id: Some(live_id),
        });
    }
    conn.prepare_cached("UPDATE invitations SET status = 'Expired' WHERE id = ?")?
        .execute([live])?;
    Ok(())
}

/// Edits a Pending or Expired invitation at the version the editor saw.
pub fn update(
    conn: &Conn,
    caller: &Caller,
    id: Uuid,
    edit: impl FnOnce(bool, bool) -> Result<ValidInvitationUpdate>,
    clock: &Clock,
) -> Result<Invitation> {
    let now = clock.now();
    lock(conn, id)?;
    let current = row(conn, caller.org_id, id)?;
    let status = current.status(now)?;
    let edit = edit(current.existing_user, status == InvitationStatus::Expired)?;
    if edit.version != current.version {
        return Err(Error::stale_version());
    }
    if !status.can_edit() {
        return Err(Error::invalid_status("invitation", status.as_str(), "edit"));
    }
    ensure_references_exist(
        conn,
        caller.org_id,
        &edit.permission_policy_ids,
        &edit.placement,
    )?;
    let moves_to_new_subscription = edit.placement.subscription_id.is_some()
        && edit.placement.subscription_id != current.subscription_id()?;
    if status == InvitationStatus::Pending && moves_to_new_subscription {
        if let Some(subscription) = edit.placement.subscription_id {
            seats::ensure_free_seat(conn, subscription, now)?;
        }
    }
    let dt_expiry = edit.dt_expiry.map(micros).unwrap_or(current.dt_expiry);
    let Placement {
        business_id,
        app_id,
        subscription_id,
        role_id,
    } = edit.placement;
    let updated: InvitationRow = db::returning(
        conn,
        "UPDATE invitations SET first_name = ?, last_name = ?, contact_number = ?,
            permission_policy_ids = ?, dt_end_access = ?, dt_expiry = ?, business_id = ?,
            app_id = ?, subscription_id = ?, role_id = ?, version = version + 1,
            dt_last_modified = ?, last_modified_by = ?, search_text = ?
         WHERE id = ? RETURNING *",
        crate::params![
            edit.first_name,
            edit.last_name,
            edit.contact_number,
            db::id_list_json(&edit.permission_policy_ids),
            edit.dt_end_access.map(micros),
            dt_expiry,
            id_text(business_id),
            id_text(app_id),
            id_text(subscription_id),
            id_text(role_id),
            micros(conn.stamp(clock, caller.org_id)?),
            caller.audit_name(),
            db::search_text(
                &current.email,
                edit.first_name.as_deref(),
                edit.last_name.as_deref()
            ),
            id.to_string(),
        ],
    )?;
    let (before, after) = (current.into_wire(now)?, updated.into_wire(now)?);
    let event = Event::by(
        caller,
        AuditAction::InvitationUpdated,
        id,
        after.email.as_deref(),
    );
    audit::append(conn, clock, event.with_diff(&before, &after)?)?;
    named(conn, caller.org_id, after)
}

/// Sends again with a new expiry (30 days from now). An Expired invitation becomes Pending
/// again, so it must pass the checks a new one would: no other live invitation, a free seat.
pub fn resend(
    conn: &Conn,
    caller: &Caller,
    id: Uuid,
    clock: &Clock,
    limits: &SendLimits,
    public_url: &str,
) -> Result<Invitation> {
    let now = clock.now();
    lock(conn, id)?;
    let current = row(conn, caller.org_id, id)?;
    let status = current.status(now)?;
    if !status.can_resend() {
        return Err(Error::invalid_status(
            "invitation",
            status.as_str(),
            "resend",
        ));
    }
    if status == InvitationStatus::Expired {
        ensure_email_free(conn, caller.org_id, &current.email, Some(id), now)?;
        if let Some(subscription) = current.subscription_id()? {
            seats::ensure_free_seat(conn, subscription, now)?;
        }
    }
    limits.check(conn, caller.org_id, &current.email, now)?;
    let token = random_token();
    conn.prepare_cached(
        "UPDATE invitations SET status = 'Pending', dt_expiry = ?, token_hash = ?,
            send_count = send_count + 1, version = version + 1, dt_last_modified = ?,
            last_modified_by = ?, failed_attempts = 0, delivery_status = 'queued',
            delivery_error = NULL
         WHERE id = ?",
    )?
    .execute((
        micros(now + Duration::days(EXPIRY_DEFAULT_DAYS)),
        token_hash(&token),
        micros(conn.stamp(clock, caller.org_id)?),
        caller.audit_name(),
        id.to_string(),
    ))?;
    // A resend is the administrator's answer to a locked link: a fresh start for its codes.
    conn.prepare_cached("DELETE FROM one_time_codes WHERE invitation_id = ?")?
        .execute([id.to_string()])?;
    queue_invitation_mail(conn, caller.org_id, id, &token, public_url, now)?;
    let (before, after) = (
        current.into_wire(now)?,
        row(conn, caller.org_id, id)?.into_wire(now)?,
    );
    let event = Event::by(
        caller,
        AuditAction::InvitationResent,
        id,
        after.email.as_deref(),
    );
    audit::append(conn, clock, event.with_diff(&before, &after)?)?;
    named(conn, caller.org_id, after)
}

/// Revokes a Pending invitation: its link stops working and its seat is freed.
pub fn revoke(conn: &Conn, caller: &Caller, id: Uuid, clock: &Clock) -> Result<Invitation> {
    let now = clock.now();
    lock(conn, id)?;
    let current = row(conn, caller.org_id, id)?;
    let status = current.status(now)?;
    if !status.can_revoke() {
        return Err(Error::invalid_status(
            "invitation",
            status.as_str(),
            "revoke",
        ));
    }
    let revoked = set_status(conn, caller, id, InvitationStatus::Revoked, clock)?.into_wire(now)?;
    let changes = changes_between(Some(&current.into_wire(now)?), &revoked)?;
    let event = Event::by(
        caller,
        AuditAction::InvitationRevoked,
        id,
        revoked.email.as_deref(),
    );
    audit::append(conn, clock, event.with_changes(changes))?;
    named(conn, caller.org_id, revoked)
}

pub fn set_status(
    conn: &Conn,
    caller: &Caller,
    id: Uuid,
    status: InvitationStatus,
    clock: &Clock,
) -> Result<InvitationRow> {
    db::returning(
        conn,
        "UPDATE invitations SET status = ?, token_hash = NULL, version = version + 1,
            dt_last_modified = ?, last_modified_by = ?
         WHERE id = ? RETURNING *",
        (
            status.as_str(),
            micros(conn.stamp(clock, caller.org_id)?),
            caller.audit_name(),
            id.to_string(),
        ),
    )
}

/// Deletes a non-accepted invitation, keeping a tombstone for incremental sync.
pub fn delete(conn: &Conn, caller: &Caller, id: Uuid, clock: &Clock) -> Result<Invitation> {
    let now = clock.now();
    lock(conn, id)?;
    let current = row(conn, caller.org_id, id)?;
    let status = current.status(now)?;
    if !status.can_delete() {
        return Err(Error::invalid_status(
            "invitation",
            status.as_str(),
            "delete",
        ));
    }
    // What stays is what a tombstone carries: the personal data goes with the record, from
    // the row, its codes and any mail still waiting.
    let deleted: InvitationRow = db::returning(
        conn,
        "UPDATE invitations SET deleted = 1, token_hash = NULL, version = version + 1, dt_last_modified = ?,
            last_modified_by = ?, email = '', first_name = NULL, last_name = NULL,
            contact_number = NULL, search_text = '', delivery_error = NULL
         WHERE id = ? RETURNING *",
        (micros(conn.stamp(clock, caller.org_id)?), caller.audit_name(), id.to_string()),
    )?;
    conn.prepare_cached("DELETE FROM one_time_codes WHERE invitation_id = ?")?
        .execute([id.to_string()])?;
    conn.prepare_cached("DELETE FROM outbox WHERE invitation_id = ?")?
        .execute([id.to_string()])?;
    conn.prepare_cached("DELETE FROM code_sends WHERE invitation_id = ?")?
        .execute([id.to_string()])?;
    // The trail keeps that it happened and who did it, not whom it was for.
    let status_change = vec![invitedesk_model::FieldChange {
        field: "status".into(),
        old: status.as_str().into(),
        new: serde_json::Value::Null,
    }];
    audit::erase_personal_data(conn, caller.org_id, id)?;
    let event = Event::by(caller, AuditAction::InvitationDeleted, id, None);
    audit::append(conn, clock, event.with_changes(status_change))?;
    deleted.into_wire(now)
}

//! Invitations: reads, and every change with the rules that guard it (one live invitation per
//! e-mail, seats, status transitions, versions).

use chrono::{DateTime, Duration, Utc};
use invitedesk_model::validate::{
    Placement, ValidInvitationUpdate, ValidNewInvitation, EXPIRY_DEFAULT_DAYS,
};
use invitedesk_model::{Invitation, InvitationStatus, Page};
use sqlx::{QueryBuilder, Sqlite, SqliteConnection, SqlitePool};
use uuid::Uuid;

use crate::auth::Caller;
use crate::clock::Clock;
use crate::db::{self, micros};
use crate::error::{Error, Result};
use crate::rate_limit::SendLimits;
use crate::store::paging::{self, ListParams, Pageable};
use crate::store::{catalog, policies, seats};

#[derive(Debug, sqlx::FromRow)]
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
            business_id: db::opt_uuid(self.business_id.as_deref())?,
            app_id: db::opt_uuid(self.app_id.as_deref())?,
            subscription_id: db::opt_uuid(self.subscription_id.as_deref())?,
            role_id: db::opt_uuid(self.role_id.as_deref())?,
            dt_last_sent: db::opt_time(self.dt_last_sent)?,
            send_count: Some(self.send_count),
            dt_created: Some(db::time(self.dt_created)?),
            dt_last_modified: Some(db::time(self.dt_last_modified)?),
            deleted: self.deleted.then_some(true),
            email: Some(self.email),
            first_name: self.first_name,
            last_name: self.last_name,
            contact_number: self.contact_number,
            created_by: Some(self.created_by),
            last_modified_by: Some(self.last_modified_by),
        })
    }
}

pub async fn list(
    pool: &SqlitePool,
    org_id: Uuid,
    params: &ListParams,
    now: DateTime<Utc>,
) -> Result<Page<Invitation>> {
    let statuses = params.statuses(InvitationStatus::parse)?;
    let (rows, next_token) =
        paging::page_of::<InvitationRow>(pool, "invitations", org_id, params, |q| {
            push_status_filter(q, &statuses, now)
        })
        .await?;
    let data = rows
        .into_iter()
        .map(|r| r.into_wire(now))
        .collect::<Result<_>>()?;
    Ok(Page { data, next_token })
}

/// Pending and Expired are told apart by the expiry time, not only by the stored status.
fn push_status_filter(
    query: &mut QueryBuilder<'_, Sqlite>,
    statuses: &[InvitationStatus],
    now: DateTime<Utc>,
) {
    if statuses.is_empty() {
        return;
    }
    query.push(" AND (");
    for (i, status) in statuses.iter().enumerate() {
        if i > 0 {
            query.push(" OR ");
        }
        match status {
            InvitationStatus::Pending => {
                query
                    .push("(status = 'Pending' AND dt_expiry > ")
                    .push_bind(micros(now))
                    .push(")");
            }
            InvitationStatus::Expired => {
                query.push("(status = 'Expired' OR (status = 'Pending' AND dt_expiry <= ");
                query.push_bind(micros(now)).push("))");
            }
            other => {
                query.push("status = ").push_bind(other.as_str());
            }
        }
    }
    query.push(")");
}

pub async fn get(
    pool: &SqlitePool,
    org_id: Uuid,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<Invitation> {
    let mut conn = pool.acquire().await?;
    row(&mut conn, org_id, id).await?.into_wire(now)
}

async fn row(conn: &mut SqliteConnection, org_id: Uuid, id: Uuid) -> Result<InvitationRow> {
    sqlx::query_as("SELECT * FROM invitations WHERE id = ? AND org_id = ? AND deleted = 0")
        .bind(id.to_string())
        .bind(org_id.to_string())
        .fetch_optional(&mut *conn)
        .await?
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
}

pub async fn insert(conn: &mut SqliteConnection, new: InvitationInsert) -> Result<InvitationRow> {
    let v = &new.invitation;
    let by = new.principal_id.to_string();
    let id = |id: Option<Uuid>| id.map(|i| i.to_string());
    Ok(sqlx::query_as(
        "INSERT INTO invitations (id, org_id, email, first_name, last_name, contact_number,
            permission_policy_ids, dt_end_access, dt_expiry, inviting_principal_id, status,
            existing_user, business_id, app_id, subscription_id, role_id, dt_last_sent, send_count,
            dt_created, dt_last_modified, created_by, last_modified_by, search_text)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?)
         RETURNING *",
    )
    .bind(Uuid::new_v4().to_string())
    .bind(new.org_id.to_string())
    .bind(&v.email)
    .bind(&v.first_name)
    .bind(&v.last_name)
    .bind(&v.contact_number)
    .bind(db::id_list_json(&v.permission_policy_ids))
    .bind(v.dt_end_access.map(micros))
    .bind(micros(v.dt_expiry))
    .bind(&by)
    .bind(new.status.as_str())
    .bind(v.existing_user)
    .bind(id(v.placement.business_id))
    .bind(id(v.placement.app_id))
    .bind(id(v.placement.subscription_id))
    .bind(id(v.placement.role_id))
    .bind(micros(new.created))
    .bind(micros(new.created))
    .bind(micros(new.stamp))
    .bind(&by)
    .bind(&by)
    .bind(db::search_text(
        &v.email,
        v.first_name.as_deref(),
        v.last_name.as_deref(),
    ))
    .fetch_one(&mut *conn)
    .await?)
}

/// Creates an invitation after every check: the policies and placement exist, the person is
/// not a member already, no other invitation for the e-mail is live, a seat is free, and the
/// send limits allow it.
pub async fn create(
    conn: &mut SqliteConnection,
    read: &SqlitePool,
    caller: &Caller,
    invitation: ValidNewInvitation,
    clock: &Clock,
    limits: &SendLimits,
) -> Result<Invitation> {
    let now = clock.now();
    ensure_references_exist(
        read,
        caller.org_id,
        &invitation.permission_policy_ids,
        &invitation.placement,
    )
    .await?;
    ensure_email_free(conn, caller.org_id, &invitation.email, None, now).await?;
    if let Some(subscription) = invitation.placement.subscription_id {
        seats::ensure_free_seat(conn, subscription, now).await?;
    }
    limits.check(caller.org_id, &invitation.email)?;
    let insert = InvitationInsert {
        org_id: caller.org_id,
        invitation,
        status: InvitationStatus::Pending,
        principal_id: caller.principal_id,
        created: now,
        stamp: clock.stamp(),
    };
    self::insert(conn, insert).await?.into_wire(now)
}

/// The policies and placement an invitation names must exist in the organisation. Neither can
/// change through the API, so this reads outside the write transaction and keeps the single
/// writer's work short.
async fn ensure_references_exist(
    read: &SqlitePool,
    org_id: Uuid,
    policy_ids: &[Uuid],
    placement: &Placement,
) -> Result<()> {
    let mut conn = read.acquire().await?;
    policies::ensure_exist(&mut conn, org_id, policy_ids).await?;
    catalog::ensure_placement(&mut conn, org_id, placement).await
}

/// One live invitation per e-mail, and none for a member. A Pending row past its expiry is
/// first written down as Expired, so the database's unique index on live invitations agrees
/// with what readers see. `except` is the invitation being resent.
async fn ensure_email_free(
    conn: &mut SqliteConnection,
    org_id: Uuid,
    email: &str,
    except: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<()> {
    let (member, live, live_expiry): (Option<String>, Option<String>, Option<i64>) = sqlx::query_as(
        "SELECT (SELECT id FROM users WHERE org_id = ?1 AND email = ?2 AND deleted = 0), i.id, i.dt_expiry
         FROM (SELECT 1) LEFT JOIN invitations i
           ON i.org_id = ?1 AND i.email = ?2 AND i.status = 'Pending' AND i.deleted = 0",
    )
    .bind(org_id.to_string())
    .bind(email)
    .fetch_one(&mut *conn)
    .await?;
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
    sqlx::query("UPDATE invitations SET status = 'Expired' WHERE id = ?")
        .bind(live)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Edits a Pending or Expired invitation at the version the editor saw.
pub async fn update(
    conn: &mut SqliteConnection,
    read: &SqlitePool,
    caller: &Caller,
    id: Uuid,
    edit: impl FnOnce(bool, bool) -> Result<ValidInvitationUpdate>,
    clock: &Clock,
) -> Result<Invitation> {
    let now = clock.now();
    let current = row(conn, caller.org_id, id).await?;
    let status = current.status(now)?;
    let edit = edit(current.existing_user, status == InvitationStatus::Expired)?;
    if edit.version != current.version {
        return Err(Error::stale_version());
    }
    if !status.can_edit() {
        return Err(Error::invalid_status("invitation", status.as_str(), "edit"));
    }
    ensure_references_exist(
        read,
        caller.org_id,
        &edit.permission_policy_ids,
        &edit.placement,
    )
    .await?;
    let moves_to_new_subscription = edit.placement.subscription_id.is_some()
        && edit.placement.subscription_id != current.subscription_id()?;
    if status == InvitationStatus::Pending && moves_to_new_subscription {
        if let Some(subscription) = edit.placement.subscription_id {
            seats::ensure_free_seat(conn, subscription, now).await?;
        }
    }
    let dt_expiry = edit.dt_expiry.map(micros).unwrap_or(current.dt_expiry);
    let Placement {
        business_id,
        app_id,
        subscription_id,
        role_id,
    } = edit.placement;
    let text = |id: Option<Uuid>| id.map(|i| i.to_string());
    let updated: InvitationRow = sqlx::query_as(
        "UPDATE invitations SET first_name = ?, last_name = ?, contact_number = ?,
            permission_policy_ids = ?, dt_end_access = ?, dt_expiry = ?, business_id = ?,
            app_id = ?, subscription_id = ?, role_id = ?, version = version + 1,
            dt_last_modified = ?, last_modified_by = ?, search_text = ?
         WHERE id = ? RETURNING *",
    )
    .bind(&edit.first_name)
    .bind(&edit.last_name)
    .bind(&edit.contact_number)
    .bind(db::id_list_json(&edit.permission_policy_ids))
    .bind(edit.dt_end_access.map(micros))
    .bind(dt_expiry)
    .bind(text(business_id))
    .bind(text(app_id))
    .bind(text(subscription_id))
    .bind(text(role_id))
    .bind(micros(clock.stamp()))
    .bind(caller.audit_name())
    .bind(db::search_text(
        &current.email,
        edit.first_name.as_deref(),
        edit.last_name.as_deref(),
    ))
    .bind(id.to_string())
    .fetch_one(&mut *conn)
    .await?;
    updated.into_wire(now)
}

/// Sends again with a new expiry (30 days from now). An Expired invitation becomes Pending
/// again, so it must pass the checks a new one would: no other live invitation, a free seat.
pub async fn resend(
    conn: &mut SqliteConnection,
    caller: &Caller,
    id: Uuid,
    clock: &Clock,
    limits: &SendLimits,
) -> Result<Invitation> {
    let now = clock.now();
    let current = row(conn, caller.org_id, id).await?;
    let status = current.status(now)?;
    if !status.can_resend() {
        return Err(Error::invalid_status(
            "invitation",
            status.as_str(),
            "resend",
        ));
    }
    if status == InvitationStatus::Expired {
        ensure_email_free(conn, caller.org_id, &current.email, Some(id), now).await?;
        if let Some(subscription) = current.subscription_id()? {
            seats::ensure_free_seat(conn, subscription, now).await?;
        }
    }
    limits.check(caller.org_id, &current.email)?;
    let updated: InvitationRow = sqlx::query_as(
        "UPDATE invitations SET status = 'Pending', dt_expiry = ?, dt_last_sent = ?,
            send_count = send_count + 1, version = version + 1, dt_last_modified = ?,
            last_modified_by = ?
         WHERE id = ? RETURNING *",
    )
    .bind(micros(now + Duration::days(EXPIRY_DEFAULT_DAYS)))
    .bind(micros(now))
    .bind(micros(clock.stamp()))
    .bind(caller.audit_name())
    .bind(id.to_string())
    .fetch_one(&mut *conn)
    .await?;
    updated.into_wire(now)
}

/// Revokes a Pending invitation: its link stops working and its seat is freed.
pub async fn revoke(
    conn: &mut SqliteConnection,
    caller: &Caller,
    id: Uuid,
    clock: &Clock,
) -> Result<Invitation> {
    let now = clock.now();
    let current = row(conn, caller.org_id, id).await?;
    let status = current.status(now)?;
    if !status.can_revoke() {
        return Err(Error::invalid_status(
            "invitation",
            status.as_str(),
            "revoke",
        ));
    }
    set_status(conn, caller, id, InvitationStatus::Revoked, clock)
        .await?
        .into_wire(now)
}

pub async fn set_status(
    conn: &mut SqliteConnection,
    caller: &Caller,
    id: Uuid,
    status: InvitationStatus,
    clock: &Clock,
) -> Result<InvitationRow> {
    Ok(sqlx::query_as(
        "UPDATE invitations SET status = ?, version = version + 1, dt_last_modified = ?,
            last_modified_by = ?
         WHERE id = ? RETURNING *",
    )
    .bind(status.as_str())
    .bind(micros(clock.stamp()))
    .bind(caller.audit_name())
    .bind(id.to_string())
    .fetch_one(&mut *conn)
    .await?)
}

/// Deletes a non-accepted invitation, keeping a tombstone for incremental sync.
pub async fn delete(
    conn: &mut SqliteConnection,
    caller: &Caller,
    id: Uuid,
    clock: &Clock,
) -> Result<Invitation> {
    let now = clock.now();
    let current = row(conn, caller.org_id, id).await?;
    let status = current.status(now)?;
    if !status.can_delete() {
        return Err(Error::invalid_status(
            "invitation",
            status.as_str(),
            "delete",
        ));
    }
    let deleted: InvitationRow = sqlx::query_as(
        "UPDATE invitations SET deleted = 1, version = version + 1, dt_last_modified = ?,
            last_modified_by = ?
         WHERE id = ? RETURNING *",
    )
    .bind(micros(clock.stamp()))
    .bind(caller.audit_name())
    .bind(id.to_string())
    .fetch_one(&mut *conn)
    .await?;
    deleted.into_wire(now)
}

//! Members of an organisation and their access lifecycle: Active ⇄ Inactive, deletion final.

use crate::db::{Conn, Row};
use chrono::{DateTime, Utc};
use invitedesk_model::validate::Placement;
use invitedesk_model::{AuditAction, FieldChange, Page, User, UserStatus, UserUpdate};
use uuid::Uuid;

use crate::auth::Caller;
use crate::clock::Clock;
use crate::db::{self, id_text, micros, FromRow, Sql};
use crate::error::{Error, Result};
use crate::mail::{compose, outbox};
use crate::store::audit::{self, Event};
use crate::store::paging::{self, ListParams, Pageable};
use crate::store::{policies, principal_names, seats, sessions};

#[derive(Debug)]
pub struct UserRow {
    id: String,
    version: i64,
    email: String,
    first_name: Option<String>,
    last_name: Option<String>,
    contact_number: Option<String>,
    status: String,
    permission_policy_ids: String,
    dt_end_access: Option<i64>,
    business_id: Option<String>,
    app_id: Option<String>,
    subscription_id: Option<String>,
    role_id: Option<String>,
    dt_created: i64,
    dt_last_modified: i64,
    created_by: String,
    last_modified_by: String,
    deleted: bool,
}

impl UserRow {
    /// The table's columns in `SELECT *` order: rows are read by position, since looking a
    /// column up by name on every row was most of the cost of a list page.
    pub const COLUMNS: [&'static str; 20] = [
        "id",
        "org_id",
        "version",
        "email",
        "first_name",
        "last_name",
        "contact_number",
        "status",
        "permission_policy_ids",
        "dt_end_access",
        "business_id",
        "app_id",
        "subscription_id",
        "role_id",
        "dt_created",
        "dt_last_modified",
        "created_by",
        "last_modified_by",
        "deleted",
        "search_text",
    ];
}

impl FromRow for UserRow {
    fn from_row(r: &Row) -> Result<Self> {
        Ok(Self {
            id: r.get(0)?,
            version: r.get(2)?,
            email: r.get(3)?,
            first_name: r.get(4)?,
            last_name: r.get(5)?,
            contact_number: r.get(6)?,
            status: r.get(7)?,
            permission_policy_ids: r.get(8)?,
            dt_end_access: r.get(9)?,
            business_id: r.get(10)?,
            app_id: r.get(11)?,
            subscription_id: r.get(12)?,
            role_id: r.get(13)?,
            dt_created: r.get(14)?,
            dt_last_modified: r.get(15)?,
            created_by: r.get(16)?,
            last_modified_by: r.get(17)?,
            deleted: r.get(18)?,
        })
    }
}

impl Pageable for UserRow {
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

impl UserRow {
    /// The status as stored, before the end of access is taken into account.
    fn stored_status(&self) -> Result<UserStatus> {
        UserStatus::parse(&self.status)
            .ok_or_else(|| Error::Internal(format!("stored status {:?}", self.status)))
    }

    fn status(&self, now: DateTime<Utc>) -> Result<UserStatus> {
        Ok(self
            .stored_status()?
            .effective(db::opt_time(self.dt_end_access)?, now))
    }

    fn into_wire(self, now: DateTime<Utc>) -> Result<User> {
        Ok(User {
            id: db::uuid(&self.id)?,
            version: Some(self.version),
            status: Some(self.status(now)?),
            permission_policy_ids: Some(db::id_list(&self.permission_policy_ids)?),
            dt_end_access: db::opt_time(self.dt_end_access)?,
            business_id: db::opt_uuid(self.business_id.as_deref())?,
            app_id: db::opt_uuid(self.app_id.as_deref())?,
            subscription_id: db::opt_uuid(self.subscription_id.as_deref())?,
            role_id: db::opt_uuid(self.role_id.as_deref())?,
            dt_created: Some(db::time(self.dt_created)?),
            dt_last_modified: Some(db::time(self.dt_last_modified)?),
            deleted: self.deleted.then_some(true),
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

pub fn list(conn: &Conn, org_id: Uuid, params: &ListParams, clock: &Clock) -> Result<Page<User>> {
    let now = clock.now();
    let statuses = params.statuses(UserStatus::parse)?;
    let (rows, next_token, total) = paging::page_of::<UserRow>(
        conn,
        "users",
        org_id,
        params,
        clock,
        status_conditions(&statuses, now),
    )?;
    let mut data: Vec<User> = rows
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

/// One condition per status. Active and Inactive are told apart by the end of access too, so
/// Inactive is two: written down, or Active past the end of access.
fn status_conditions(statuses: &[UserStatus], now: DateTime<Utc>) -> Vec<Sql> {
    let mut conditions = Vec::new();
    for status in statuses {
        match status {
            UserStatus::Active => {
                let mut c = Sql::new(
                    " AND status = 'Active' AND (dt_end_access IS NULL OR dt_end_access > ",
                );
                c.bind(micros(now));
                c.push(")");
                conditions.push(c);
            }
            UserStatus::Inactive => {
                conditions.push(Sql::new(" AND status = 'Inactive'"));
                let mut c = Sql::new(" AND status = 'Active' AND dt_end_access <= ");
                c.bind(micros(now));
                conditions.push(c);
            }
        }
    }
    conditions
}

pub fn get(conn: &Conn, org_id: Uuid, id: Uuid, now: DateTime<Utc>) -> Result<User> {
    named(conn, org_id, row(conn, org_id, id)?.into_wire(now)?)
}

/// One record with its authors' names.
fn named(conn: &Conn, org_id: Uuid, record: User) -> Result<User> {
    let mut records = [record];
    principal_names::name_authors(conn, org_id, &mut records)?;
    let [record] = records;
    Ok(record)
}

/// Holds the member until this transaction ends (see `invitations::lock`).
fn lock(conn: &Conn, id: Uuid) -> Result<()> {
    conn.lock(&format!("user {id}"))
}

fn row(conn: &Conn, org_id: Uuid, id: Uuid) -> Result<UserRow> {
    let sql = "SELECT * FROM users WHERE id = ? AND org_id = ? AND deleted = 0";
    db::optional(conn, sql, (id.to_string(), org_id.to_string()))?.ok_or(Error::NotFound("user"))
}

/// A new member's stored values: made when an invitation is accepted, and by the demo seed.
pub struct UserInsert {
    pub org_id: Uuid,
    pub email: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub contact_number: Option<String>,
    pub status: UserStatus,
    pub permission_policy_ids: Vec<Uuid>,
    pub dt_end_access: Option<DateTime<Utc>>,
    pub placement: Placement,
    pub created_by: String,
    pub created: DateTime<Utc>,
    pub stamp: DateTime<Utc>,
}

pub fn insert(conn: &Conn, new: UserInsert) -> Result<User> {
    let p = &new.placement;
    let row: UserRow = db::returning(
        conn,
        "INSERT INTO users (id, org_id, email, first_name, last_name, contact_number, status,
            permission_policy_ids, dt_end_access, business_id, app_id, subscription_id, role_id,
            dt_created, dt_last_modified, created_by, last_modified_by, search_text)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?16, ?17)
         RETURNING *",
        crate::params![
            // Time-ordered, as invitations' ids are (`invitations::insert`).
            Uuid::now_v7().to_string(),
            new.org_id.to_string(),
            new.email,
            new.first_name,
            new.last_name,
            new.contact_number,
            new.status.as_str(),
            db::id_list_json(&new.permission_policy_ids),
            new.dt_end_access.map(micros),
            id_text(p.business_id),
            id_text(p.app_id),
            id_text(p.subscription_id),
            id_text(p.role_id),
            micros(new.created),
            micros(new.stamp),
            new.created_by,
            db::search_text(
                &new.email,
                new.first_name.as_deref(),
                new.last_name.as_deref()
            ),
        ],
    )?;
    row.into_wire(new.created)
}

/// Changes policies and access end date at the version the editor saw.
pub fn update(
    conn: &Conn,
    caller: &Caller,
    id: Uuid,
    edit: &UserUpdate,
    clock: &Clock,
) -> Result<User> {
    lock(conn, id)?;
    let current = row(conn, caller.org_id, id)?;
    if edit.version != current.version {
        return Err(Error::stale_version());
    }
    let policy_ids = match &edit.permission_policy_ids {
        Some(ids) => {
            policies::ensure_exist(conn, caller.org_id, ids)?;
            db::id_list_json(ids)
        }
        None => current.permission_policy_ids.clone(),
    };
    let updated: UserRow = db::returning(
        conn,
        "UPDATE users SET permission_policy_ids = ?, dt_end_access = ?, version = version + 1,
            dt_last_modified = ?, last_modified_by = ?
         WHERE id = ? RETURNING *",
        (
            policy_ids,
            edit.dt_end_access.map(micros),
            micros(conn.stamp(clock, caller.org_id)?),
            caller.audit_name(),
            id.to_string(),
        ),
    )?;
    let now = clock.now();
    let (before, after) = (current.into_wire(now)?, updated.into_wire(now)?);
    let event = Event::by(caller, AuditAction::UserUpdated, id, after.email.as_deref());
    audit::append(conn, clock, event.with_diff(&before, &after)?)?;
    named(conn, caller.org_id, after)
}

/// Moves a user from one status to the other. Reactivation takes a seat again, so it needs a
/// free one, and tells the person by e-mail.
pub fn set_status(
    conn: &Conn,
    caller: &Caller,
    id: Uuid,
    to: UserStatus,
    clock: &Clock,
    public_url: &str,
) -> Result<User> {
    lock(conn, id)?;
    let now = clock.now();
    let current = row(conn, caller.org_id, id)?;
    let from = current.status(now)?;
    let action = match to {
        UserStatus::Active => "reactivate",
        UserStatus::Inactive => "inactivate",
    };
    let allowed = match to {
        UserStatus::Active => from.can_reactivate(),
        UserStatus::Inactive => from.can_inactivate(),
    };
    if !allowed {
        return Err(Error::invalid_status("user", from.as_str(), action));
    }
    if to == UserStatus::Active {
        if let Some(subscription) = db::opt_uuid(current.subscription_id.as_deref())? {
            seats::ensure_free_seat(conn, subscription, clock.now())?;
        }
    }
    // Reactivating a member whose access had ended gives it back with no end: otherwise they
    // would still read as Inactive.
    let updated: UserRow = db::returning(
        conn,
        "UPDATE users SET status = ?1, version = version + 1, dt_last_modified = ?2, last_modified_by = ?3,
            dt_end_access = CASE WHEN ?1 = 'Active' AND dt_end_access <= ?5 THEN NULL ELSE dt_end_access END
         WHERE id = ?4 RETURNING *",
        (to.as_str(), micros(conn.stamp(clock, caller.org_id)?), caller.audit_name(), id.to_string(), micros(now)),
    )?;
    match to {
        UserStatus::Active => {
            queue_access_restored(conn, caller.org_id, &updated, clock, public_url)?
        }
        UserStatus::Inactive => sessions::end_for_member(conn, id)?,
    }
    let (before, after) = (current.into_wire(now)?, updated.into_wire(now)?);
    let action = match to {
        UserStatus::Active => AuditAction::UserReactivated,
        UserStatus::Inactive => AuditAction::UserInactivated,
    };
    let event = Event::by(caller, action, id, after.email.as_deref());
    audit::append(conn, clock, event.with_diff(&before, &after)?)?;
    named(conn, caller.org_id, after)
}

fn queue_access_restored(
    conn: &Conn,
    org_id: Uuid,
    user: &UserRow,
    clock: &Clock,
    public_url: &str,
) -> Result<()> {
    let organization: String = conn
        .prepare_cached("SELECT name FROM organizations WHERE id = ?")?
        .query_row([org_id.to_string()], |r| r.get(0))?;
    let mail = compose::access_restored(
        &user.email,
        user.first_name.as_deref(),
        &organization,
        public_url,
    )?;
    outbox::enqueue(conn, org_id, None, &mail, clock.now())
}

/// Deletion is final; the row stays as a tombstone for incremental sync.
pub fn delete(conn: &Conn, caller: &Caller, id: Uuid, clock: &Clock) -> Result<User> {
    lock(conn, id)?;
    let current = row(conn, caller.org_id, id)?;
    // Mail about this membership that has not gone yet goes with it.
    conn.prepare_cached(
        "DELETE FROM outbox WHERE org_id = ? AND recipient = ? AND invitation_id IS NULL",
    )?
    .execute((caller.org_id.to_string(), &current.email))?;
    // What stays is what a tombstone carries.
    let deleted: UserRow = db::returning(
        conn,
        "UPDATE users SET deleted = 1, version = version + 1, dt_last_modified = ?, last_modified_by = ?,
            email = '', first_name = NULL, last_name = NULL, contact_number = NULL, search_text = ''
         WHERE id = ? RETURNING *",
        (micros(conn.stamp(clock, caller.org_id)?), caller.audit_name(), id.to_string()),
    )?;
    sessions::end_for_member(conn, id)?;
    let status_change = vec![FieldChange {
        field: "status".into(),
        old: current.status(clock.now())?.as_str().into(),
        new: serde_json::Value::Null,
    }];
    audit::erase_personal_data(conn, caller.org_id, id)?;
    let event = Event::by(caller, AuditAction::UserDeleted, id, None);
    audit::append(conn, clock, event.with_changes(status_change))?;
    deleted.into_wire(clock.now())
}

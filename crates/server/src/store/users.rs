//! Members of an organisation and their access lifecycle: Active ⇄ Inactive, deletion final.

use chrono::{DateTime, Utc};
use invitedesk_model::validate::Placement;
use invitedesk_model::{Page, User, UserStatus, UserUpdate};
use sqlx::{QueryBuilder, Sqlite, SqliteConnection, SqlitePool};
use uuid::Uuid;

use crate::auth::Caller;
use crate::clock::Clock;
use crate::db::{self, micros};
use crate::error::{Error, Result};
use crate::store::paging::{self, ListParams, Pageable};
use crate::store::{policies, seats};

#[derive(Debug, sqlx::FromRow)]
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
    fn status(&self) -> Result<UserStatus> {
        UserStatus::parse(&self.status)
            .ok_or_else(|| Error::Internal(format!("stored status {:?}", self.status)))
    }

    fn into_wire(self) -> Result<User> {
        Ok(User {
            id: db::uuid(&self.id)?,
            version: Some(self.version),
            status: Some(self.status()?),
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
        })
    }
}

pub async fn list(pool: &SqlitePool, org_id: Uuid, params: &ListParams) -> Result<Page<User>> {
    let statuses = params.statuses(UserStatus::parse)?;
    let (rows, next_token) = paging::page_of::<UserRow>(pool, "users", org_id, params, |q| {
        push_status_filter(q, &statuses)
    })
    .await?;
    let data = rows
        .into_iter()
        .map(UserRow::into_wire)
        .collect::<Result<_>>()?;
    Ok(Page { data, next_token })
}

fn push_status_filter(query: &mut QueryBuilder<'_, Sqlite>, statuses: &[UserStatus]) {
    if statuses.is_empty() {
        return;
    }
    query.push(" AND status IN (");
    let mut list = query.separated(", ");
    for status in statuses {
        list.push_bind(status.as_str());
    }
    query.push(")");
}

pub async fn get(pool: &SqlitePool, org_id: Uuid, id: Uuid) -> Result<User> {
    let mut conn = pool.acquire().await?;
    row(&mut conn, org_id, id).await?.into_wire()
}

async fn row(conn: &mut SqliteConnection, org_id: Uuid, id: Uuid) -> Result<UserRow> {
    sqlx::query_as("SELECT * FROM users WHERE id = ? AND org_id = ? AND deleted = 0")
        .bind(id.to_string())
        .bind(org_id.to_string())
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(Error::NotFound("user"))
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

pub async fn insert(conn: &mut SqliteConnection, new: UserInsert) -> Result<User> {
    let id = |id: Option<Uuid>| id.map(|i| i.to_string());
    let row: UserRow = sqlx::query_as(
        "INSERT INTO users (id, org_id, email, first_name, last_name, contact_number, status,
            permission_policy_ids, dt_end_access, business_id, app_id, subscription_id, role_id,
            dt_created, dt_last_modified, created_by, last_modified_by, search_text)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *",
    )
    .bind(Uuid::new_v4().to_string())
    .bind(new.org_id.to_string())
    .bind(&new.email)
    .bind(&new.first_name)
    .bind(&new.last_name)
    .bind(&new.contact_number)
    .bind(new.status.as_str())
    .bind(db::id_list_json(&new.permission_policy_ids))
    .bind(new.dt_end_access.map(micros))
    .bind(id(new.placement.business_id))
    .bind(id(new.placement.app_id))
    .bind(id(new.placement.subscription_id))
    .bind(id(new.placement.role_id))
    .bind(micros(new.created))
    .bind(micros(new.stamp))
    .bind(&new.created_by)
    .bind(&new.created_by)
    .bind(db::search_text(
        &new.email,
        new.first_name.as_deref(),
        new.last_name.as_deref(),
    ))
    .fetch_one(&mut *conn)
    .await?;
    row.into_wire()
}

/// Changes policies and access end date at the version the editor saw.
pub async fn update(
    conn: &mut SqliteConnection,
    caller: &Caller,
    id: Uuid,
    edit: &UserUpdate,
    clock: &Clock,
) -> Result<User> {
    let current = row(conn, caller.org_id, id).await?;
    if edit.version != current.version {
        return Err(Error::stale_version());
    }
    policies::ensure_exist(conn, caller.org_id, &edit.permission_policy_ids).await?;
    let updated: UserRow = sqlx::query_as(
        "UPDATE users SET permission_policy_ids = ?, dt_end_access = ?, version = version + 1,
            dt_last_modified = ?, last_modified_by = ?
         WHERE id = ? RETURNING *",
    )
    .bind(db::id_list_json(&edit.permission_policy_ids))
    .bind(edit.dt_end_access.map(micros))
    .bind(micros(clock.stamp()))
    .bind(caller.audit_name())
    .bind(id.to_string())
    .fetch_one(&mut *conn)
    .await?;
    updated.into_wire()
}

/// Moves a user from one status to the other. Reactivation takes a seat again, so it needs a
/// free one.
pub async fn set_status(
    conn: &mut SqliteConnection,
    caller: &Caller,
    id: Uuid,
    to: UserStatus,
    clock: &Clock,
) -> Result<User> {
    let current = row(conn, caller.org_id, id).await?;
    let from = current.status()?;
    let action = match to {
        UserStatus::Active => "reactivate",
        UserStatus::Inactive => "inactivate",
    };
    if from == to {
        return Err(Error::invalid_status("user", from.as_str(), action));
    }
    if to == UserStatus::Active {
        if let Some(subscription) = db::opt_uuid(current.subscription_id.as_deref())? {
            seats::ensure_free_seat(conn, subscription, clock.now()).await?;
        }
    }
    let updated: UserRow = sqlx::query_as(
        "UPDATE users SET status = ?, version = version + 1, dt_last_modified = ?, last_modified_by = ?
         WHERE id = ? RETURNING *",
    )
    .bind(to.as_str())
    .bind(micros(clock.stamp()))
    .bind(caller.audit_name())
    .bind(id.to_string())
    .fetch_one(&mut *conn)
    .await?;
    updated.into_wire()
}

/// Deletion is final; the row stays as a tombstone for incremental sync.
pub async fn delete(
    conn: &mut SqliteConnection,
    caller: &Caller,
    id: Uuid,
    clock: &Clock,
) -> Result<User> {
    row(conn, caller.org_id, id).await?;
    let deleted: UserRow = sqlx::query_as(
        "UPDATE users SET deleted = 1, version = version + 1, dt_last_modified = ?, last_modified_by = ?
         WHERE id = ? RETURNING *",
    )
    .bind(micros(clock.stamp()))
    .bind(caller.audit_name())
    .bind(id.to_string())
    .fetch_one(&mut *conn)
    .await?;
    deleted.into_wire()
}

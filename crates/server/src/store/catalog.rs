//! The placement catalogue: businesses, their apps, and each app's subscriptions and roles.

use chrono::{DateTime, Utc};
use invitedesk_model::validate::{Placement, Rule};
use invitedesk_model::{App, Business, FieldError, Role, Seats, Subscription};
use sqlx::{QueryBuilder, Sqlite, SqliteConnection, SqlitePool};
use uuid::Uuid;

use crate::db;
use crate::error::{Error, Result};
use crate::store::seats::push_seat_counts;

pub async fn businesses(pool: &SqlitePool, org_id: Uuid) -> Result<Vec<Business>> {
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT id, name FROM businesses WHERE org_id = ? ORDER BY name")
            .bind(org_id.to_string())
            .fetch_all(pool)
            .await?;
    rows.into_iter()
        .map(|(id, name)| {
            Ok(Business {
                id: db::uuid(&id)?,
                name: Some(name),
            })
        })
        .collect()
}

/// The apps of one business; 404 when the business is not this organisation's.
pub async fn apps(pool: &SqlitePool, org_id: Uuid, business_id: Uuid) -> Result<Vec<App>> {
    ensure_owned(pool, "businesses", "business", org_id, business_id).await?;
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT id, name FROM apps WHERE business_id = ? ORDER BY name")
            .bind(business_id.to_string())
            .fetch_all(pool)
            .await?;
    rows.into_iter()
        .map(|(id, name)| {
            Ok(App {
                id: db::uuid(&id)?,
                business_id: Some(business_id),
                name: Some(name),
            })
        })
        .collect()
}

pub async fn roles(pool: &SqlitePool, org_id: Uuid, app_id: Uuid) -> Result<Vec<Role>> {
    ensure_owned(pool, "apps", "app", org_id, app_id).await?;
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT id, name FROM roles WHERE app_id = ? ORDER BY name")
            .bind(app_id.to_string())
            .fetch_all(pool)
            .await?;
    rows.into_iter()
        .map(|(id, name)| {
            Ok(Role {
                id: db::uuid(&id)?,
                app_id: Some(app_id),
                name: Some(name),
            })
        })
        .collect()
}

/// Which subscriptions to list.
pub enum SubscriptionScope {
    Organization,
    App(Uuid),
    One(Uuid),
}

/// Subscriptions with their seat figures, as of `now`.
pub async fn subscriptions(
    pool: &SqlitePool,
    org_id: Uuid,
    scope: SubscriptionScope,
    now: DateTime<Utc>,
) -> Result<Vec<Subscription>> {
    if let SubscriptionScope::App(app_id) = scope {
        ensure_owned(pool, "apps", "app", org_id, app_id).await?;
    }
    let mut query =
        QueryBuilder::<Sqlite>::new("SELECT s.id, s.name, s.app_id, a.business_id, s.seat_limit, ");
    push_seat_counts(&mut query, now);
    query.push(" FROM subscriptions s JOIN apps a ON a.id = s.app_id WHERE s.org_id = ");
    query.push_bind(org_id.to_string());
    match scope {
        SubscriptionScope::Organization => {}
        SubscriptionScope::App(app_id) => {
            query.push(" AND s.app_id = ").push_bind(app_id.to_string());
        }
        SubscriptionScope::One(id) => {
            query.push(" AND s.id = ").push_bind(id.to_string());
        }
    }
    query.push(" ORDER BY a.business_id, s.app_id, s.name");
    let rows: Vec<(String, String, String, String, i64, i64, i64)> =
        query.build_query_as().fetch_all(pool).await?;
    rows.into_iter()
        .map(|(id, name, app_id, business_id, limit, used, pending)| {
            Ok(Subscription {
                id: db::uuid(&id)?,
                business_id: Some(db::uuid(&business_id)?),
                app_id: Some(db::uuid(&app_id)?),
                name: Some(name),
                seats: Some(Seats::new(limit, used, pending)),
            })
        })
        .collect()
}

async fn ensure_owned(
    pool: &SqlitePool,
    table: &'static str,
    what: &'static str,
    org_id: Uuid,
    id: Uuid,
) -> Result<()> {
    let found: Option<(i64,)> = sqlx::query_as(&format!(
        "SELECT 1 FROM {table} WHERE id = ? AND org_id = ?"
    ))
    .bind(id.to_string())
    .bind(org_id.to_string())
    .fetch_optional(pool)
    .await?;
    found.map(|_| ()).ok_or(Error::NotFound(what))
}

/// Each id of a placement must exist in the organisation and sit under the one above it.
pub async fn ensure_placement(
    conn: &mut SqliteConnection,
    org_id: Uuid,
    p: &Placement,
) -> Result<()> {
    let parent_of = |table: &'static str, parent_column: &'static str| {
        format!("SELECT {parent_column} FROM {table} WHERE id = ? AND org_id = ?")
    };
    let checks = [
        (
            "businessId",
            p.business_id,
            parent_of("businesses", "id"),
            p.business_id,
            "business",
        ),
        (
            "appId",
            p.app_id,
            parent_of("apps", "business_id"),
            p.business_id,
            "app of that business",
        ),
        (
            "subscriptionId",
            p.subscription_id,
            parent_of("subscriptions", "app_id"),
            p.app_id,
            "subscription of that app",
        ),
        (
            "roleId",
            p.role_id,
            parent_of("roles", "app_id"),
            p.app_id,
            "role of that app",
        ),
    ];
    for (field, id, sql, expected_parent, what) in checks {
        let Some(id) = id else { continue };
        let parent: Option<(String,)> = sqlx::query_as(&sql)
            .bind(id.to_string())
            .bind(org_id.to_string())
            .fetch_optional(&mut *conn)
            .await?;
        let matches =
            parent.is_some_and(|(parent,)| Some(parent) == expected_parent.map(|e| e.to_string()));
        if !matches {
            return Err(Error::field(FieldError::new(
                field,
                Rule::Unknown,
                format!("{field} {id} is not a {what} in this organisation"),
            )));
        }
    }
    Ok(())
}

pub async fn insert(
    conn: &mut SqliteConnection,
    table: &'static str,
    org_id: Uuid,
    parent: Option<(&'static str, Uuid)>,
    name: &str,
    seat_limit: Option<i64>,
) -> Result<Uuid> {
    let id = Uuid::new_v4();
    let mut query = QueryBuilder::<Sqlite>::new(format!("INSERT INTO {table} (id, org_id, name"));
    if let Some((column, _)) = parent {
        query.push(format!(", {column}"));
    }
    if seat_limit.is_some() {
        query.push(", seat_limit");
    }
    query.push(") VALUES (").push_bind(id.to_string());
    query
        .push(", ")
        .push_bind(org_id.to_string())
        .push(", ")
        .push_bind(name.to_owned());
    if let Some((_, parent_id)) = parent {
        query.push(", ").push_bind(parent_id.to_string());
    }
    if let Some(limit) = seat_limit {
        query.push(", ").push_bind(limit);
    }
    query.push(")");
    query.build().execute(&mut *conn).await?;
    Ok(id)
}

//! The placement catalogue: businesses, their apps, and each app's subscriptions and roles.

use crate::db::Conn;
use chrono::{DateTime, Utc};
use invitedesk_model::validate::{Placement, Rule};
use invitedesk_model::{App, Business, FieldError, Role, Seats, Subscription};
use uuid::Uuid;

use crate::db::{self, micros, Sql};
use crate::error::{Error, Result};
use crate::store::seats::SEAT_COUNTS;

/// `(id, name)` of the rows of `table` whose `column` is `value`, by name.
fn names(conn: &Conn, table: &str, column: &str, value: Uuid) -> Result<Vec<(Uuid, String)>> {
    let sql = format!("SELECT id, name FROM {table} WHERE {column} = ? ORDER BY name");
    let mut statement = conn.prepare_cached(&sql)?;
    let rows = statement.query_map([value.to_string()], |r| {
        Ok((r.get::<String>(0)?, r.get(1)?))
    })?;
    rows.into_iter()
        .map(|(id, name)| Ok((db::uuid(&id)?, name)))
        .collect()
}

pub fn businesses(conn: &Conn, org_id: Uuid) -> Result<Vec<Business>> {
    let rows = names(conn, "businesses", "org_id", org_id)?;
    Ok(rows
        .into_iter()
        .map(|(id, name)| Business {
            id,
            name: Some(name),
        })
        .collect())
}

/// The apps of one business; 404 when the business is not this organisation's.
pub fn apps(conn: &Conn, org_id: Uuid, business_id: Uuid) -> Result<Vec<App>> {
    ensure_owned(conn, "businesses", "business", org_id, business_id)?;
    let rows = names(conn, "apps", "business_id", business_id)?;
    Ok(rows
        .into_iter()
        .map(|(id, name)| App {
            id,
            business_id: Some(business_id),
            name: Some(name),
        })
        .collect())
}

pub fn roles(conn: &Conn, org_id: Uuid, app_id: Uuid) -> Result<Vec<Role>> {
    ensure_owned(conn, "apps", "app", org_id, app_id)?;
    let rows = names(conn, "roles", "app_id", app_id)?;
    Ok(rows
        .into_iter()
        .map(|(id, name)| Role {
            id,
            app_id: Some(app_id),
            name: Some(name),
        })
        .collect())
}

/// Which subscriptions to list.
pub enum SubscriptionScope {
    Organization,
    App(Uuid),
    One(Uuid),
}

/// Subscriptions with their seat figures, as of `now`.
pub fn subscriptions(
    conn: &Conn,
    org_id: Uuid,
    scope: SubscriptionScope,
    now: DateTime<Utc>,
) -> Result<Vec<Subscription>> {
    if let SubscriptionScope::App(app_id) = scope {
        ensure_owned(conn, "apps", "app", org_id, app_id)?;
    }
    let mut query = Sql::new(&format!(
        "SELECT s.id, s.name, s.app_id, a.business_id, s.seat_limit, {SEAT_COUNTS}
         FROM subscriptions s JOIN apps a ON a.id = s.app_id WHERE s.org_id = "
    ));
    // SEAT_COUNTS's own parameter, ?1, comes before those bound after it.
    query.with_param(micros(now));
    query.bind(org_id.to_string());
    match scope {
        SubscriptionScope::Organization => {}
        SubscriptionScope::App(app_id) => {
            query.push(" AND s.app_id = ").bind(app_id.to_string());
        }
        SubscriptionScope::One(id) => {
            query.push(" AND s.id = ").bind(id.to_string());
        }
    }
    query.push(" ORDER BY a.business_id, s.app_id, s.name");
    let rows = query.query(conn, |r| {
        Ok((
            r.get::<String>(0)?,
            r.get::<String>(1)?,
            r.get::<String>(2)?,
            r.get::<String>(3)?,
            Seats::new(r.get(4)?, r.get(5)?, r.get(6)?),
        ))
    })?;
    rows.into_iter()
        .map(|(id, name, app_id, business_id, seats)| {
            Ok(Subscription {
                id: db::uuid(&id)?,
                business_id: Some(db::uuid(&business_id)?),
                app_id: Some(db::uuid(&app_id)?),
                name: Some(name),
                seats: Some(seats),
            })
        })
        .collect()
}

fn ensure_owned(
    conn: &Conn,
    table: &str,
    what: &'static str,
    org_id: Uuid,
    id: Uuid,
) -> Result<()> {
    let sql = format!("SELECT 1 FROM {table} WHERE id = ? AND org_id = ?");
    let found: Option<i64> = conn
        .prepare_cached(&sql)?
        .query_opt([id.to_string(), org_id.to_string()], |r| r.get(0))?;
    found.map(|_| ()).ok_or(Error::NotFound(what))
}

/// Each id of a placement must exist in the organisation and sit under the one above it.
pub fn ensure_placement(conn: &Conn, org_id: Uuid, p: &Placement) -> Result<()> {
    let checks = [
        (
            "businessId",
            p.business_id,
            "businesses",
            "id",
            p.business_id,
            "business",
        ),
        (
            "appId",
            p.app_id,
            "apps",
            "business_id",
            p.business_id,
            "app of that business",
        ),
        (
            "subscriptionId",
            p.subscription_id,
            "subscriptions",
            "app_id",
            p.app_id,
            "subscription of that app",
        ),
        (
            "roleId",
            p.role_id,
            "roles",
            "app_id",
            p.app_id,
            "role of that app",
        ),
    ];
    for (field, id, table, parent_column, expected_parent, what) in checks {
        let Some(id) = id else { continue };
        let sql = format!("SELECT {parent_column} FROM {table} WHERE id = ? AND org_id = ?");
        let parent: Option<String> = conn
            .prepare_cached(&sql)?
            .query_opt([id.to_string(), org_id.to_string()], |r| r.get(0))?;
        if parent.is_none() || parent != db::id_text(expected_parent) {
            return Err(Error::field(FieldError::new(
                field,
                Rule::Unknown,
                format!("{field} {id} is not a {what} in this organisation"),
            )));
        }
    }
    Ok(())
}

/// Adds a catalogue entry (demo data); `parent` is its parent column and id.
pub fn insert(
    conn: &Conn,
    table: &'static str,
    org_id: Uuid,
    parent: Option<(&'static str, Uuid)>,
    name: &str,
    seat_limit: Option<i64>,
) -> Result<Uuid> {
    let id = Uuid::new_v4();
    let mut columns = String::from("id, org_id, name");
    let mut values = Sql::default();
    values
        .bind(id.to_string())
        .push(", ")
        .bind(org_id.to_string())
        .push(", ")
        .bind(name.to_owned());
    if let Some((column, parent_id)) = parent {
        columns.push_str(&format!(", {column}"));
        values.push(", ").bind(parent_id.to_string());
    }
    if let Some(limit) = seat_limit {
        columns.push_str(", seat_limit");
        values.push(", ").bind(limit);
    }
    let mut insert = Sql::new(&format!("INSERT INTO {table} ({columns}) VALUES ("));
    insert.append(values).push(")");
    insert.execute(conn)?;
    Ok(id)
}

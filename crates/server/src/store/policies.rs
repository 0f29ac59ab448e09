//! Permission policies of an organisation.

use crate::db::Conn;
use invitedesk_model::validate::Rule;
use invitedesk_model::{FieldError, PermissionPolicy, PermissionStatement};
use uuid::Uuid;

use crate::db::{self, Sql};
use crate::error::{Error, Result};

pub fn list(conn: &Conn, org_id: Uuid) -> Result<Vec<PermissionPolicy>> {
    select(conn, org_id, None)
}

/// One policy of this organisation; another organisation's is not found, as no policy is.
pub fn get(conn: &Conn, org_id: Uuid, id: Uuid) -> Result<PermissionPolicy> {
    select(conn, org_id, Some(id))?
        .pop()
        .ok_or(Error::NotFound("permission policy"))
}

fn select(conn: &Conn, org_id: Uuid, id: Option<Uuid>) -> Result<Vec<PermissionPolicy>> {
    let mut statement = conn.prepare_cached(
        "SELECT id, version, name, managed, statements FROM permission_policies
         WHERE org_id = ?1 AND (CAST(?2 AS TEXT) IS NULL OR id = ?2) ORDER BY managed DESC, name",
    )?;
    let rows = statement.query_map((org_id.to_string(), id.map(|i| i.to_string())), |r| {
        Ok((
            r.get::<String>(0)?,
            r.get(1)?,
            r.get(2)?,
            r.get(3)?,
            r.get::<String>(4)?,
        ))
    })?;
    let mut policies = Vec::new();
    for row in rows {
        let (id, version, name, managed, statements) = row;
        policies.push(PermissionPolicy {
            id: db::uuid(&id)?,
            version: Some(version),
            name: Some(name),
            managed: Some(managed),
            permission_policy: serde_json::from_str(&statements)?,
        });
    }
    Ok(policies)
}

/// Every id must name a policy of this organisation.
pub fn ensure_exist(conn: &Conn, org_id: Uuid, ids: &[Uuid]) -> Result<()> {
    let mut query = Sql::new("SELECT id FROM permission_policies WHERE org_id = ");
    query
        .bind(org_id.to_string())
        .push(" AND id IN (")
        .bind_list(ids.iter().map(Uuid::to_string))
        .push(")");
    let found = query.query(conn, |r| r.get::<String>(0))?;
    match ids.iter().find(|id| !found.contains(&id.to_string())) {
        None => Ok(()),
        Some(id) => Err(Error::field(FieldError::new(
            "permissionPolicyIds",
            Rule::Unknown,
            format!("permission policy {id} does not exist in this organisation"),
        ))),
    }
}

pub fn insert(
    conn: &Conn,
    org_id: Uuid,
    name: &str,
    managed: bool,
    statements: &[PermissionStatement],
    now_micros: i64,
) -> Result<Uuid> {
    let id = Uuid::new_v4();
    conn.prepare_cached(
        "INSERT INTO permission_policies (id, org_id, name, managed, statements, dt_created, dt_last_modified)
         VALUES (?, ?, ?, ?, ?, ?, ?)",
    )?
    .execute((id.to_string(), org_id.to_string(), name, managed, serde_json::to_string(statements)?, now_micros, now_micros))?;
    Ok(id)
}

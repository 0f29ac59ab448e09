//! Permission policies of an organisation.

use invitedesk_model::validate::Rule;
use invitedesk_model::{FieldError, PermissionPolicy, PermissionStatement};
use sqlx::{QueryBuilder, Sqlite, SqliteConnection, SqlitePool};
use uuid::Uuid;

use crate::db;
use crate::error::{Error, Result};

#[derive(sqlx::FromRow)]
struct PolicyRow {
    id: String,
    version: i64,
    name: String,
    managed: bool,
    statements: String,
}

pub async fn list(pool: &SqlitePool, org_id: Uuid) -> Result<Vec<PermissionPolicy>> {
    let rows: Vec<PolicyRow> = sqlx::query_as(
        "SELECT id, version, name, managed, statements FROM permission_policies
         WHERE org_id = ? ORDER BY managed DESC, name",
    )
    .bind(org_id.to_string())
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(PermissionPolicy {
                id: db::uuid(&r.id)?,
                version: Some(r.version),
                name: Some(r.name),
                managed: Some(r.managed),
                permission_policy: serde_json::from_str(&r.statements)?,
            })
        })
        .collect()
}

/// Every id must name a policy of this organisation.
pub async fn ensure_exist(conn: &mut SqliteConnection, org_id: Uuid, ids: &[Uuid]) -> Result<()> {
    let mut query =
        QueryBuilder::<Sqlite>::new("SELECT id FROM permission_policies WHERE org_id = ");
    query.push_bind(org_id.to_string()).push(" AND id IN (");
    let mut list = query.separated(", ");
    for id in ids {
        list.push_bind(id.to_string());
    }
    query.push(")");
    let found: Vec<(String,)> = query.build_query_as().fetch_all(&mut *conn).await?;
    let unknown = ids
        .iter()
        .find(|id| !found.iter().any(|(f,)| *f == id.to_string()));
    match unknown {
        None => Ok(()),
        Some(id) => Err(Error::field(FieldError::new(
            "permissionPolicyIds",
            Rule::Unknown,
            format!("permission policy {id} does not exist in this organisation"),
        ))),
    }
}

pub async fn insert(
    conn: &mut SqliteConnection,
    org_id: Uuid,
    name: &str,
    managed: bool,
    statements: &[PermissionStatement],
    now_micros: i64,
) -> Result<Uuid> {
    let id = Uuid::new_v4();
    sqlx::query(
        "INSERT INTO permission_policies (id, org_id, name, managed, statements, dt_created, dt_last_modified)
         VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(id.to_string())
    .bind(org_id.to_string())
    .bind(name)
    .bind(managed)
    .bind(serde_json::to_string(statements)?)
    .bind(now_micros)
    .bind(now_micros)
    .execute(&mut *conn)
    .await?;
    Ok(id)
}

//! An organisation's service users, as names: who a record's `createdBy` id is.

use crate::db::Conn;
use invitedesk_model::ServiceUser;
use uuid::Uuid;

use crate::db;
use crate::error::Result;

pub fn list(conn: &Conn, org_id: Uuid) -> Result<Vec<ServiceUser>> {
    let mut statement = conn.prepare_cached(
        "SELECT id, name, dt_created FROM service_users WHERE org_id = ? ORDER BY name, id",
    )?;
    let rows = statement.query_map([org_id.to_string()], |r| {
        Ok((r.get::<String>(0)?, r.get::<String>(1)?, r.get::<i64>(2)?))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, name, created) = row;
        out.push(ServiceUser {
            id: db::uuid(&id)?,
            name: Some(name),
            version: Some(1),
            dt_created: chrono::DateTime::from_timestamp_micros(created),
        });
    }
    Ok(out)
}

//! Who `createdBy` and `lastModifiedBy` name, in words: a service user's name, or a member's
//! first and last name (a person acts as their membership). Looked up once per answer for
//! every id in it, so a page costs one query more, whatever its size.

use std::collections::{BTreeSet, HashMap};

use invitedesk_model::{Invitation, User};
use uuid::Uuid;

use crate::db::{Conn, Sql};
use crate::error::Result;

fn names(conn: &Conn, org_id: Uuid, ids: BTreeSet<String>) -> Result<HashMap<String, String>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let mut sql = Sql::new("SELECT id, name FROM service_users WHERE org_id = ");
    sql.bind(org_id.to_string());
    sql.push(" AND id IN (")
        .bind_list(ids.iter().cloned())
        .push(")");
    sql.push(
        " UNION ALL SELECT id, TRIM(COALESCE(first_name, '') || ' ' || COALESCE(last_name, ''))
          FROM users WHERE deleted = 0 AND org_id = ",
    );
    sql.bind(org_id.to_string());
    sql.push(" AND id IN (")
        .bind_list(ids.iter().cloned())
        .push(")");
    let rows: Vec<(String, String)> = sql.query(conn, |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows
        .into_iter()
        .filter(|(_, name)| !name.is_empty())
        .collect())
}

/// A record that says who made and who last changed it.
pub trait Authored {
    fn authors(&self) -> [&Option<String>; 2];
    fn set_author_names(&mut self, created_by: Option<String>, last_modified_by: Option<String>);
}

impl Authored for Invitation {
    fn authors(&self) -> [&Option<String>; 2] {
        [&self.created_by, &self.last_modified_by]
    }
    fn set_author_names(&mut self, created_by: Option<String>, last_modified_by: Option<String>) {
        self.created_by_name = created_by;
        self.last_modified_by_name = last_modified_by;
    }
}

impl Authored for User {
    fn authors(&self) -> [&Option<String>; 2] {
        [&self.created_by, &self.last_modified_by]
    }
    fn set_author_names(&mut self, created_by: Option<String>, last_modified_by: Option<String>) {
        self.created_by_name = created_by;
        self.last_modified_by_name = last_modified_by;
    }
}

/// Fills in `createdByName` and `lastModifiedByName` of each record.
pub fn name_authors<T: Authored>(conn: &Conn, org_id: Uuid, records: &mut [T]) -> Result<()> {
    let ids = records
        .iter()
        .flat_map(|r| r.authors().map(Option::clone))
        .flatten()
        .collect();
    let names = names(conn, org_id, ids)?;
    let name_of = |id: &Option<String>| id.as_ref().and_then(|id| names.get(id).cloned());
    for record in records {
        let [created, modified] = record.authors().map(name_of);
        record.set_author_names(created, modified);
    }
    Ok(())
}

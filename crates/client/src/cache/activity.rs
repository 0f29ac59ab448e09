//! The audit trail's rows in the cache, and "my invitations" with the ids already announced.

use chrono::{DateTime, Utc};
use invitedesk_model::{AccountInvitation, AuditEvent};
use rusqlite::{params, Connection};
use uuid::Uuid;

use super::{compress, decompress, Cache, List, Result, StoredRow};

/// An audit event as the cache stores it: the columns the Activity tab filters on, and the
/// compressed JSON.
#[derive(Debug, Clone)]
pub struct ActivityRow {
    id: [u8; 16],
    action: String,
    dt_created: i64,
    actor_id: Option<String>,
    actor_name: String,
    record_type: String,
    record_id: Option<[u8; 16]>,
    record_email: Option<String>,
    search_text: String,
    dt_last_modified: Option<i64>,
    record: Vec<u8>,
}

impl ActivityRow {
    /// `json` is the event as the server sent it.
    pub fn new(event: &AuditEvent, json: &str) -> Self {
        Self {
            id: *event.id.as_bytes(),
            action: event.action.clone(),
            dt_created: event.dt_created.timestamp_micros(),
            actor_id: event.actor_id.map(|id| id.to_string()),
            actor_name: event.actor_name.clone(),
            record_type: event.record_type.clone(),
            record_id: event.record_id.map(|id| *id.as_bytes()),
            // Lower-cased here, so the e-mail filter compares on its index.
            record_email: event.record_email.as_deref().map(str::to_lowercase),
            search_text: search_text(event),
            dt_last_modified: event.dt_last_modified.map(|t| t.timestamp_micros()),
            record: compress(json),
        }
    }
}

/// What the Activity tab's search box finds an event by: who, what, whose e-mail. Kept short:
/// a search scans a million of these.
pub fn search_text(event: &AuditEvent) -> String {
    format!(
        "{} {} {}",
        event.actor_name,
        event.action,
        event.record_email.as_deref().unwrap_or("")
    )
    .to_lowercase()
}

impl StoredRow for ActivityRow {
    fn write(&self, conn: &Connection, _list: List) -> Result<()> {
        conn.prepare_cached(
            "INSERT OR REPLACE INTO activity (rowid, id, status, dt_created, actor_id, actor_name,
                record_type, record_id, record_email, search_text, dt_last_modified)
             VALUES ((SELECT rowid FROM activity WHERE id = ?1), ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8,
                ?9, ?10)",
        )?
        .execute(params![
            &self.id[..],
            self.action,
            self.dt_created,
            self.actor_id,
            self.actor_name,
            self.record_type,
            self.record_id.as_ref().map(|id| &id[..]),
            self.record_email,
            self.search_text,
            self.dt_last_modified,
        ])?;
        let rowid = conn.last_insert_rowid();
        conn.prepare_cached(
            "INSERT OR REPLACE INTO activity_records (rowid, record) VALUES (?, ?)",
        )?
        .execute(params![rowid, self.record])?;
        Ok(())
    }
}

/// Erases what the cached trail holds of a record whose tombstone just arrived, as the server
/// erased its own copy in the deletion: the feed never sends an event twice. Each event once,
/// though an invitee's answer has their invitation as both its actor and its record.
pub(super) fn erase_personal_data(conn: &Connection, deleted: Uuid) -> Result<()> {
    let stored: Vec<Vec<u8>> = conn
        .prepare_cached(
            "SELECT r.record FROM activity a JOIN activity_records r ON r.rowid = a.rowid
              WHERE a.record_id = ?1
             UNION
             SELECT r.record FROM activity a JOIN activity_records r ON r.rowid = a.rowid
              WHERE a.actor_id = ?2",
        )?
        .query_map(params![&deleted.as_bytes()[..], deleted.to_string()], |r| {
            r.get(0)
        })?
        .collect::<rusqlite::Result<_>>()?;
    for record in stored {
        let mut event: AuditEvent = serde_json::from_slice(&decompress(&record)?)?;
        if event.erase_personal_data(deleted) {
            let json = serde_json::to_string(&event)?;
            ActivityRow::new(&event, &json).write(conn, List::Activity)?;
        }
    }
    Ok(())
}

impl Cache {
    /// Replaces the person's invitations with `invitations` in one transaction, and answers
    /// those never announced before, now marked announced: each gets one notification, however
    /// often it is synced or the app restarted.
    pub fn replace_account_invitations(
        &mut self,
        invitations: &[AccountInvitation],
        now: DateTime<Utc>,
    ) -> Result<Vec<AccountInvitation>> {
        let tx = self.conn.transaction()?;
        tx.execute("DELETE FROM account_invitations", [])?;
        let mut fresh = Vec::new();
        for invitation in invitations {
            let id = invitation.id.as_bytes();
            tx.prepare_cached("INSERT INTO account_invitations (id, record) VALUES (?, ?)")?
                .execute(params![&id[..], serde_json::to_string(invitation)?])?;
            let announced = tx
                .prepare_cached(
                    "INSERT OR IGNORE INTO announced_invitations (id, dt_announced) VALUES (?, ?)",
                )?
                .execute(params![&id[..], now.timestamp_micros()])?;
            if announced == 1 {
                fresh.push(invitation.clone());
            }
        }
        tx.commit()?;
        Ok(fresh)
    }

    /// The person's Pending invitations as last synced, soonest to expire first.
    pub fn account_invitations(&self) -> Result<Vec<AccountInvitation>> {
        let mut statement = self
            .conn
            .prepare_cached("SELECT record FROM account_invitations")?;
        let records = statement.query_map([], |r| r.get::<_, String>(0))?;
        let mut all: Vec<AccountInvitation> = records
            .map(|record| Ok(serde_json::from_str(&record?)?))
            .collect::<Result<_>>()?;
        all.sort_by_key(|i| (i.dt_expiry, i.id));
        Ok(all)
    }

    /// Takes one answered invitation off the bell at once, before the next sync.
    pub fn forget_account_invitation(&mut self, id: uuid::Uuid) -> Result<()> {
        self.conn.execute(
            "DELETE FROM account_invitations WHERE id = ?",
            [&id.as_bytes()[..]],
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn invitation(n: u128, organization: &str) -> AccountInvitation {
        AccountInvitation {
            id: uuid::Uuid::from_u128(n),
            organization_id: uuid::Uuid::from_u128(1000 + n),
            organization_name: organization.into(),
            invited_by: "admin".into(),
            app: None,
            subscription: None,
            role: None,
            permission_policies: vec![],
            dt_expiry: Utc::now() + chrono::Duration::days(n as i64),
            dt_end_access: None,
        }
    }

    #[test]
    fn each_invitation_is_announced_once_however_often_it_is_synced_or_reopened() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cache.db");
        let (globex, initech) = (invitation(1, "Globex"), invitation(2, "Initech"));
        let mut cache = Cache::open(&path).unwrap();
        let fresh = cache
            .replace_account_invitations(std::slice::from_ref(&globex), Utc::now())
            .unwrap();
        assert_eq!(fresh, vec![globex.clone()]);
        let again = cache
            .replace_account_invitations(std::slice::from_ref(&globex), Utc::now())
            .unwrap();
        assert!(again.is_empty(), "already announced");
        drop(cache);
        let mut cache = Cache::open(&path).unwrap();
        let both = [initech.clone(), globex.clone()];
        let fresh = cache
            .replace_account_invitations(&both, Utc::now())
            .unwrap();
        assert_eq!(
            fresh,
            vec![initech.clone()],
            "only the new one, after a restart too"
        );
        assert_eq!(
            cache.account_invitations().unwrap(),
            vec![globex.clone(), initech]
        );
        cache.forget_account_invitation(globex.id).unwrap();
        assert_eq!(cache.account_invitations().unwrap().len(), 1);
        cache.replace_account_invitations(&[], Utc::now()).unwrap();
        assert!(
            cache.account_invitations().unwrap().is_empty(),
            "answered elsewhere: gone"
        );
    }
}

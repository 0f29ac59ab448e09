//! The cache: one SQLite file per connection profile holding the invitations and users the
//! tables show, and where each list's sync stands. Every batch of changes is one transaction,
//! so a process killed mid-sync leaves it consistent.

use std::path::Path;

use chrono::{DateTime, Utc};
use invitedesk_model::search::search_text;
use invitedesk_model::{Invitation, InvitationStatus, User};
use rusqlite::{params, Connection, OptionalExtension, Transaction};

const MIGRATIONS: [&str; 1] = [include_str!("../../migrations/0001_cache.sql")];

#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    #[error("cache database: {0}")]
    Database(#[from] rusqlite::Error),
    #[error("cache record: {0}")]
    Record(#[from] serde_json::Error),
    #[error("cache file: {0}")]
    Io(#[from] std::io::Error),
}

pub type Result<T, E = CacheError> = std::result::Result<T, E>;

/// Which synced list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum List {
    Invitations,
    Users,
}

impl List {
    fn key(self) -> &'static str {
        match self {
            List::Invitations => "invitations",
            List::Users => "users",
        }
    }
}

/// Where a list's sync stands.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SyncState {
    /// The last modification time applied; the next sync asks for what came after.
    pub cursor: Option<DateTime<Utc>>,
    pub full_sync_done: Option<DateTime<Utc>>,
    pub last_success: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
}

pub struct Cache {
    conn: Connection,
}

fn micros(time: Option<DateTime<Utc>>) -> Option<i64> {
    time.map(|t| t.timestamp_micros())
}

fn time(micros: Option<i64>) -> Option<DateTime<Utc>> {
    micros.and_then(DateTime::from_timestamp_micros)
}

fn name_of(first: Option<&str>, last: Option<&str>) -> String {
    [first, last]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ")
}

impl Cache {
    pub fn open(path: &Path) -> Result<Self> {
        if let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(folder)?;
        }
        let mut conn = Connection::open(path)?;
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;",
        )?;
        let applied: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        let tx = conn.transaction()?;
        for (number, sql) in (1..).zip(MIGRATIONS).skip(applied as usize) {
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", number)?;
        }
        tx.commit()?;
        Ok(Self { conn })
    }

    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    /// Applies a batch from the server, tombstones included, and moves the list's cursor to
    /// `cursor`, all in one transaction.
    pub fn apply_invitations(
        &mut self,
        batch: &[Invitation],
        cursor: Option<DateTime<Utc>>,
    ) -> Result<()> {
        let tx = self.conn.transaction()?;
        for invitation in batch {
            put_invitation(&tx, invitation)?;
        }
        advance(&tx, List::Invitations, cursor)?;
        tx.commit()?;
        Ok(())
    }

    pub fn apply_users(&mut self, batch: &[User], cursor: Option<DateTime<Utc>>) -> Result<()> {
        let tx = self.conn.transaction()?;
        for user in batch {
            put_user(&tx, user)?;
        }
        advance(&tx, List::Users, cursor)?;
        tx.commit()?;
        Ok(())
    }

    /// Writes one answer of the server at once (after an invite, a resend, …), so the tables
    /// show it before the next sync. The cursor stays: the sync will see the change again.
    pub fn put_invitation(&mut self, invitation: &Invitation) -> Result<()> {
        put_invitation(&self.conn, invitation)
    }

    pub fn put_user(&mut self, user: &User) -> Result<()> {
        put_user(&self.conn, user)
    }

    pub fn sync_state(&self, list: List) -> Result<SyncState> {
        let row = self
            .conn
            .query_row(
                "SELECT cursor, dt_full_sync, dt_last_success, last_error FROM sync_state WHERE list = ?",
                [list.key()],
                |r| Ok(SyncState { cursor: time(r.get(0)?), full_sync_done: time(r.get(1)?), last_success: time(r.get(2)?), last_error: r.get(3)? }),
            )
            .optional()?;
        Ok(row.unwrap_or_default())
    }

    pub fn record_outcome(
        &mut self,
        list: List,
        outcome: std::result::Result<bool, &str>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let now = now.timestamp_micros();
        match outcome {
            Ok(full) => self.conn.execute(
                "INSERT INTO sync_state (list, dt_last_success, dt_full_sync) VALUES (?1, ?2, CASE WHEN ?3 THEN ?2 END)
                 ON CONFLICT(list) DO UPDATE SET dt_last_success = ?2, last_error = NULL,
                   dt_full_sync = CASE WHEN ?3 THEN ?2 ELSE dt_full_sync END",
                params![list.key(), now, full],
            )?,
            Err(error) => self.conn.execute(
                "INSERT INTO sync_state (list, last_error) VALUES (?1, ?2)
                 ON CONFLICT(list) DO UPDATE SET last_error = ?2",
                params![list.key(), error],
            )?,
        };
        Ok(())
    }

    /// Every cached row of `list`, and its sync state: a sign-out calls this.
    pub fn wipe(&mut self) -> Result<()> {
        self.conn
            .execute_batch("DELETE FROM invitations; DELETE FROM users; DELETE FROM sync_state;")?;
        Ok(())
    }
}

fn put_invitation(conn: &Connection, invitation: &Invitation) -> Result<()> {
    if invitation.deleted == Some(true) {
        conn.prepare_cached("DELETE FROM invitations WHERE id = ?")?
            .execute([invitation.id.to_string()])?;
        return Ok(());
    }
    let email = invitation.email.clone().unwrap_or_default();
    let name = name_of(
        invitation.first_name.as_deref(),
        invitation.last_name.as_deref(),
    );
    // An m3ter API sends no status: keep what can be derived from what it does send.
    let status = invitation.status.unwrap_or_else(|| {
        InvitationStatus::derive_from_m3ter(invitation.accepted, None, Utc::now())
    });
    conn.prepare_cached(
        "INSERT OR REPLACE INTO invitations (id, email, name, status, dt_expiry, dt_end_access, dt_created,
            dt_last_modified, dt_last_sent, search_text, record)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )?
    .execute(params![
        invitation.id.to_string(),
        email,
        name,
        status.as_str(),
        micros(invitation.dt_expiry),
        micros(invitation.dt_end_access),
        micros(invitation.dt_created),
        micros(invitation.dt_last_modified),
        micros(invitation.dt_last_sent),
        search_text(&email, invitation.first_name.as_deref(), invitation.last_name.as_deref()),
        serde_json::to_string(invitation)?,
    ])?;
    Ok(())
}

fn put_user(conn: &Connection, user: &User) -> Result<()> {
    if user.deleted == Some(true) {
        conn.prepare_cached("DELETE FROM users WHERE id = ?")?
            .execute([user.id.to_string()])?;
        return Ok(());
    }
    let email = user.email.clone().unwrap_or_default();
    let name = name_of(user.first_name.as_deref(), user.last_name.as_deref());
    let status = user.status.map(|s| s.as_str()).unwrap_or("Active");
    conn.prepare_cached(
        "INSERT OR REPLACE INTO users (id, email, name, status, dt_end_access, dt_created, dt_last_modified,
            search_text, record)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )?
    .execute(params![
        user.id.to_string(),
        email,
        name,
        status,
        micros(user.dt_end_access),
        micros(user.dt_created),
        micros(user.dt_last_modified),
        search_text(&email, user.first_name.as_deref(), user.last_name.as_deref()),
        serde_json::to_string(user)?,
    ])?;
    Ok(())
}

fn advance(tx: &Transaction, list: List, cursor: Option<DateTime<Utc>>) -> Result<()> {
    if let Some(cursor) = micros(cursor) {
        tx.execute(
            "INSERT INTO sync_state (list, cursor) VALUES (?1, ?2)
             ON CONFLICT(list) DO UPDATE SET cursor = max(coalesce(cursor, 0), ?2)",
            params![list.key(), cursor],
        )?;
    }
    Ok(())
}

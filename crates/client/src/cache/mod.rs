//! The cache: one SQLite file per connection profile holding the invitations and users the
//! tables show, and where each list's sync stands. Every batch of changes is one transaction,
//! so a process killed mid-sync leaves it consistent.

use std::path::Path;

use chrono::{DateTime, Utc};
use invitedesk_model::search::search_text;
use invitedesk_model::{
    App, Business, Invitation, InvitationStatus, Me, PermissionPolicy, Role, ServiceUser,
    Subscription, User,
};
use rusqlite::{params, Connection, OptionalExtension, Transaction};

mod activity;
mod search;
pub use activity::ActivityRow;
use search::SearchIndex;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::cell::RefCell;
use std::collections::HashMap;
use uuid::Uuid;

const MIGRATIONS: [&str; 3] = [
    include_str!("../../migrations/0001_cache.sql"),
    include_str!("../../migrations/0002_delivery_and_names.sql"),
    include_str!("../../migrations/0003_activity.sql"),
];

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

/// SQLite's page cache between syncs: small, since the app's idle memory is budgeted and the
/// OS keeps the file's pages anyway.
const IDLE_CACHE: &str = "PRAGMA cache_size = -4096;";

/// During a sync: 32 MiB holds the id index of 100k rows, so random-order inserts into it do
/// not re-read pages from the file.
const SYNC_CACHE: &str = "PRAGMA cache_size = -32768;";

/// The catalogue's kind for service users' names.
const SERVICE_USER: &str = "serviceUser";

/// Which synced list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum List {
    Invitations,
    Users,
    /// The audit trail.
    Activity,
}

impl List {
    fn key(self) -> &'static str {
        match self {
            List::Invitations => "invitations",
            List::Users => "users",
            List::Activity => "activity",
        }
    }

    /// The list's indexes for the table queries: newest first, and e-mail prefix (the
    /// trail's: newest first, by record, by actor). Dropped for a first, full sync into an
    /// empty table and built once at its end, which costs a fraction of keeping them up to
    /// date row by row.
    fn indexes(self) -> &'static [(&'static str, &'static str)] {
        match self {
            List::Invitations => &[
                ("invitations_created", "invitations(dt_created DESC)"),
                ("invitations_email", "invitations(email)"),
            ],
            List::Users => &[
                ("users_created", "users(dt_created DESC)"),
                ("users_email", "users(email)"),
            ],
            List::Activity => &[
                ("activity_created", "activity(dt_created DESC)"),
                ("activity_record", "activity(record_id, dt_created)"),
                ("activity_actor", "activity(actor_id, dt_created DESC)"),
                ("activity_action", "activity(status, dt_created DESC)"),
                ("activity_email", "activity(record_email, dt_created)"),
            ],
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

/// What `Cache::remembered` keeps, by key.
type Memo = HashMap<String, std::sync::Arc<dyn std::any::Any + Send + Sync>>;

pub struct Cache {
    conn: Connection,
    /// Counts writes, so an in-memory search index knows when it is stale.
    generation: u64,
    search: RefCell<HashMap<&'static str, SearchIndex>>,
    /// Principals' names already looked up, and the write generation they were read at (a
    /// member's name may change with the rows; the catalogue's clears them itself): a window
    /// or an export names the same few principals on every row.
    names: RefCell<(u64, HashMap<String, Option<String>>)>,
    /// Counts and positions already worked out, by query, and the write generation they were
    /// taken at: a table scrolled or refreshed asks the same total again and again, and over
    /// a million events a count is the slowest part of a window.
    memo: RefCell<(u64, Memo)>,
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

/// The cache holds an organisation's people: its folder and file are the user's alone (0700
/// and 0600 on Unix; SQLite gives its `-wal` and `-shm` files the file's mode). Existing
/// ones are tightened too.
fn owner_only(path: &Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
        if let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(folder)?;
            std::fs::set_permissions(folder, std::fs::Permissions::from_mode(0o700))?;
        }
        options.mode(0o600);
        options.open(path)?;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
    }
    #[cfg(not(unix))]
    {
        if let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(folder)?;
        }
        options.open(path).map(drop)
    }
}

impl Cache {
    pub fn open(path: &Path) -> Result<Self> {
        owner_only(path)?;
        let mut conn = Connection::open(path)?;
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;
             PRAGMA wal_autocheckpoint = 16384;",
        )?;
        conn.execute_batch(IDLE_CACHE)?;
        let applied: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        let tx = conn.transaction()?;
        for (number, sql) in (1..).zip(MIGRATIONS).skip(applied as usize) {
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", number)?;
        }
        tx.commit()?;
        rusqlite::vtab::array::load_module(&conn)?;
        let mut cache = Self {
            conn,
            generation: 0,
            search: RefCell::new(HashMap::new()),
            names: RefCell::new((0, HashMap::new())),
            memo: RefCell::new((0, HashMap::new())),
        };
        // A sync killed during its first, full pass leaves the indexes to be built.
        cache.build_indexes(List::Invitations)?;
        cache.build_indexes(List::Users)?;
        cache.build_indexes(List::Activity)?;
        Ok(cache)
    }

    /// Drops the list's query indexes if its table is empty, before a first, full sync.
    /// Removes every row of `list` whose id is not in `ids`: after a full refresh from an API
    /// that sends no tombstones.
    pub fn retain_only(&mut self, list: List, ids: &[Uuid]) -> Result<()> {
        self.generation += 1;
        let tx = self.conn.transaction()?;
        tx.execute_batch(
            "CREATE TEMP TABLE IF NOT EXISTS seen (id BLOB PRIMARY KEY); DELETE FROM seen;",
        )?;
        {
            let mut insert = tx.prepare_cached("INSERT OR IGNORE INTO seen (id) VALUES (?)")?;
            for id in ids {
                insert.execute([id.as_bytes()])?;
            }
        }
        tx.execute(
            &format!(
                "DELETE FROM {} WHERE id NOT IN (SELECT id FROM seen)",
                list.key()
            ),
            [],
        )?;
        tx.execute("DELETE FROM seen", [])?;
        tx.commit()?;
        Ok(())
    }

    pub fn drop_indexes_if_empty(&self, list: List) -> Result<()> {
        let empty: bool = self.conn.query_row(
            &format!("SELECT NOT EXISTS (SELECT 1 FROM {})", list.key()),
            [],
            |r| r.get(0),
        )?;
        if empty {
            for (name, _) in list.indexes() {
                self.conn
                    .execute(&format!("DROP INDEX IF EXISTS {name}"), [])?;
            }
        }
        Ok(())
    }

    pub fn build_indexes(&mut self, list: List) -> Result<()> {
        for (name, on) in list.indexes() {
            self.conn
                .execute(&format!("CREATE INDEX IF NOT EXISTS {name} ON {on}"), [])?;
        }
        Ok(())
    }

    /// A larger page cache for the duration of a sync.
    pub fn begin_sync(&self) -> Result<()> {
        Ok(self.conn.execute_batch(SYNC_CACHE)?)
    }

    /// Back to the idle page cache, its memory handed back.
    pub fn end_sync(&self) -> Result<()> {
        Ok(self
            .conn
            .execute_batch(&format!("{IDLE_CACHE} PRAGMA shrink_memory;"))?)
    }

    /// For when the app goes idle: moves the write-ahead log into the database file and
    /// empties it, and hands back the page cache's memory (the file's pages stay in the OS's
    /// cache, so the next query reads them from there). A sync leaves up to 64 MiB of log
    /// behind, which every later open would otherwise have to index before its first read.
    pub fn tidy(&self) -> Result<()> {
        Ok(self
            .conn
            .execute_batch("PRAGMA wal_checkpoint(TRUNCATE); PRAGMA shrink_memory;")?)
    }

    /// Rowids of `table` whose search text contains `needle` and whose stored status and
    /// expiry (`expiry`: a column or `NULL`) pass `keep`, from the in-memory index, which is
    /// rebuilt first if the cache changed since it was built.
    pub fn search(
        &self,
        table: &'static str,
        expiry: &str,
        needle: &str,
        keep: impl Fn(&str, Option<i64>) -> bool,
    ) -> Result<Vec<i64>> {
        self.with_search_index(table, expiry, |index| index.matches(needle, keep))
    }

    /// As `search`, each rowid with the value of the `time` column the index keeps beside it.
    pub fn search_with_times(
        &self,
        table: &'static str,
        time: &str,
        needle: &str,
        keep: impl Fn(&str, Option<i64>) -> bool,
    ) -> Result<Vec<(i64, Option<i64>)>> {
        self.with_search_index(table, time, |index| index.matches_with_times(needle, keep))
    }

    fn with_search_index<T>(
        &self,
        table: &'static str,
        expiry: &str,
        read: impl FnOnce(&SearchIndex) -> T,
    ) -> Result<T> {
        let mut indexes = self.search.borrow_mut();
        let stale =
            !matches!(indexes.get(table), Some(index) if index.generation == self.generation);
        if stale {
            let index = SearchIndex::build(&self.conn, table, expiry, self.generation)?;
            indexes.insert(table, index);
        }
        Ok(read(&indexes[table]))
    }

    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    /// What `key` names (a count, a table's positions), from memory while nothing was
    /// written since it was worked out, else from `work`.
    pub fn remembered<T: Send + Sync + 'static>(
        &self,
        key: String,
        work: impl FnOnce() -> Result<T>,
    ) -> Result<std::sync::Arc<T>> {
        let mut memo = self.memo.borrow_mut();
        if memo.0 != self.generation {
            *memo = (self.generation, HashMap::new());
        }
        if let Some(known) = memo
            .1
            .get(&key)
            .and_then(|k| k.clone().downcast::<T>().ok())
        {
            return Ok(known);
        }
        let done = std::sync::Arc::new(work()?);
        memo.1.insert(key, done.clone());
        Ok(done)
    }

    /// Applies a batch from the server, tombstones included, and moves the list's cursor to
    /// `cursor`, all in one transaction.
    pub fn apply<R: StoredRow>(
        &mut self,
        list: List,
        rows: &[R],
        cursor: Option<DateTime<Utc>>,
    ) -> Result<()> {
        self.generation += 1;
        let tx = self.conn.transaction()?;
        for row in rows {
            row.write(&tx, list)?;
        }
        advance(&tx, list, cursor)?;
        tx.commit()?;
        Ok(())
    }

    /// Writes one answer of the server at once (after an invite, a resend, …), so the tables
    /// show it before the next sync. The cursor stays: the sync will see the change again.
    pub fn put_invitation(&mut self, invitation: &Invitation) -> Result<()> {
        self.generation += 1;
        let json = serde_json::to_string(invitation)?;
        write_row(
            &self.conn,
            List::Invitations,
            &CachedRow::invitation(invitation, &json),
        )
    }

    pub fn put_user(&mut self, user: &User) -> Result<()> {
        self.generation += 1;
        let json = serde_json::to_string(user)?;
        write_row(&self.conn, List::Users, &CachedRow::user(user, &json))
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

    /// Replaces the placement catalogue and the policies, all in one transaction.
    pub fn replace_catalog(&mut self, catalog: &Catalog) -> Result<()> {
        // New service users' names: the search index stays, the names are read again.
        self.names.get_mut().1.clear();
        let tx = self.conn.transaction()?;
        tx.execute("DELETE FROM catalog", [])?;
        for policy in &catalog.policies {
            put_catalog_entry(
                &tx,
                "policy",
                &policy.id,
                None,
                policy.name.as_deref(),
                policy,
            )?;
        }
        for business in &catalog.businesses {
            put_catalog_entry(
                &tx,
                "business",
                &business.id,
                None,
                business.name.as_deref(),
                business,
            )?;
        }
        for app in &catalog.apps {
            put_catalog_entry(
                &tx,
                "app",
                &app.id,
                app.business_id,
                app.name.as_deref(),
                app,
            )?;
        }
        for sub in &catalog.subscriptions {
            put_catalog_entry(
                &tx,
                "subscription",
                &sub.id,
                sub.app_id,
                sub.name.as_deref(),
                sub,
            )?;
        }
        for role in &catalog.roles {
            put_catalog_entry(
                &tx,
                "role",
                &role.id,
                role.app_id,
                role.name.as_deref(),
                role,
            )?;
        }
        for principal in &catalog.service_users {
            put_catalog_entry(
                &tx,
                SERVICE_USER,
                &principal.id,
                None,
                principal.name.as_deref(),
                principal,
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The cached catalogue, each list in name order.
    pub fn catalog(&self) -> Result<Catalog> {
        Ok(Catalog {
            policies: self.catalog_entries("policy")?,
            businesses: self.catalog_entries("business")?,
            apps: self.catalog_entries("app")?,
            subscriptions: self.catalog_entries("subscription")?,
            roles: self.catalog_entries("role")?,
            service_users: self.catalog_entries(SERVICE_USER)?,
        })
    }

    /// The name of the principal an audit id (`createdBy`, `lastModifiedBy`) names: a cached
    /// service user, else a cached member (a person); None when neither is known here.
    pub fn principal_name(&self, id: &str) -> Result<Option<String>> {
        let mut names = self.names.borrow_mut();
        if names.0 != self.generation {
            *names = (self.generation, HashMap::new());
        }
        if let Some(known) = names.1.get(id) {
            return Ok(known.clone());
        }
        let found = self.look_up_name(id)?;
        names.1.insert(id.to_owned(), found.clone());
        Ok(found)
    }

    fn look_up_name(&self, id: &str) -> Result<Option<String>> {
        let service_user: Option<String> = self
            .conn
            .prepare_cached("SELECT name FROM catalog WHERE kind = ?1 AND id = ?2")?
            .query_row(params![SERVICE_USER, id], |r| r.get(0))
            .optional()?;
        if service_user.is_some() {
            return Ok(service_user);
        }
        let Ok(uuid) = Uuid::parse_str(id) else {
            return Ok(None);
        };
        Ok(self
            .conn
            .prepare_cached("SELECT coalesce(nullif(name, ''), email) FROM users WHERE id = ?")?
            .query_row([&uuid.as_bytes()[..]], |r| r.get(0))
            .optional()?)
    }

    fn catalog_entries<T: DeserializeOwned>(&self, kind: &str) -> Result<Vec<T>> {
        let mut statement = self
            .conn
            .prepare_cached("SELECT record FROM catalog WHERE kind = ? ORDER BY name, id")?;
        let records = statement.query_map([kind], |r| r.get::<_, String>(0))?;
        records
            .map(|record| Ok(serde_json::from_str(&record?)?))
            .collect()
    }

    pub fn put_principal(&mut self, me: &Me, now: DateTime<Utc>) -> Result<()> {
        self.conn.execute(
            "INSERT OR REPLACE INTO principal (only_row, record, dt_fetched) VALUES (1, ?, ?)",
            params![serde_json::to_string(me)?, now.timestamp_micros()],
        )?;
        Ok(())
    }

    /// The principal as last read from the server, if ever.
    pub fn principal(&self) -> Result<Option<Me>> {
        let record: Option<String> = self
            .conn
            .query_row("SELECT record FROM principal", [], |r| r.get(0))
            .optional()?;
        Ok(record.map(|r| serde_json::from_str(&r)).transpose()?)
    }

    /// Every row of `list` and where its sync stood: for a list the principal may no longer
    /// read.
    pub fn forget(&mut self, list: List) -> Result<()> {
        self.generation += 1;
        let tx = self.conn.transaction()?;
        tx.execute(&format!("DELETE FROM {}", list.key()), [])?;
        tx.execute("DELETE FROM sync_state WHERE list = ?", [list.key()])?;
        tx.commit()?;
        Ok(())
    }

    /// Every cached row and sync state: a sign-out calls this before the file is removed.
    pub fn wipe(&mut self) -> Result<()> {
        self.generation += 1;
        self.conn.execute_batch(
            "BEGIN; DELETE FROM invitations; DELETE FROM users; DELETE FROM catalog;
             DELETE FROM principal; DELETE FROM sync_state; DELETE FROM activity;
             DELETE FROM account_invitations; DELETE FROM announced_invitations; COMMIT;",
        )?;
        Ok(())
    }
}

/// The placement catalogue and the permission policies, as the invite form needs them.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Catalog {
    pub policies: Vec<PermissionPolicy>,
    pub businesses: Vec<Business>,
    pub apps: Vec<App>,
    pub subscriptions: Vec<Subscription>,
    pub roles: Vec<Role>,
    /// Who the `createdBy` ids of service users name.
    pub service_users: Vec<ServiceUser>,
}

fn put_catalog_entry(
    conn: &Connection,
    kind: &str,
    id: &Uuid,
    parent_id: Option<Uuid>,
    name: Option<&str>,
    record: &impl Serialize,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT OR REPLACE INTO catalog (kind, id, parent_id, name, record) VALUES (?, ?, ?, ?, ?)",
    )?
    .execute(params![
        kind,
        id.to_string(),
        parent_id.map(|p| p.to_string()),
        name.unwrap_or_default(),
        serde_json::to_string(record)?,
    ])?;
    Ok(())
}

/// A record as the cache stores it: its narrow columns and its compressed JSON. Made on the
/// fetching side of a sync, so the writing thread, which is the slower, only writes.
#[derive(Debug, Clone)]
pub struct CachedRow {
    id: [u8; 16],
    deleted: bool,
    status: &'static str,
    dt_expiry: Option<i64>,
    search_text: String,
    email: String,
    name: String,
    dt_end_access: Option<i64>,
    dt_created: Option<i64>,
    dt_last_modified: Option<i64>,
    dt_last_sent: Option<i64>,
    /// `queued`, `sent` or `failed`: the invitation e-mail's state.
    delivery: Option<&'static str>,
    record: Vec<u8>,
}

impl CachedRow {
    /// `json` is the invitation as the server sent it.
    pub fn invitation(invitation: &Invitation, json: &str) -> Self {
        let (first, last) = (
            invitation.first_name.as_deref(),
            invitation.last_name.as_deref(),
        );
        let email = invitation.email.clone().unwrap_or_default();
        // An m3ter API sends no status: keep what can be derived from what it does send; the
        // queries tell Expired from Pending by the expiry time.
        let status = invitation.status.unwrap_or_else(|| {
            InvitationStatus::derive_from_m3ter(invitation.accepted, None, Utc::now())
        });
        Self {
            id: *invitation.id.as_bytes(),
            deleted: invitation.deleted == Some(true),
            status: status.as_str(),
            dt_expiry: micros(invitation.dt_expiry),
            search_text: search_text(&email, first, last),
            name: name_of(first, last),
            email,
            dt_end_access: micros(invitation.dt_end_access),
            dt_created: micros(invitation.dt_created),
            dt_last_modified: micros(invitation.dt_last_modified),
            dt_last_sent: micros(invitation.dt_last_sent),
            delivery: invitation.delivery_status.map(|d| d.as_str()),
            record: compress(json),
        }
    }

    /// `json` is the user as the server sent it.
    pub fn user(user: &User, json: &str) -> Self {
        let (first, last) = (user.first_name.as_deref(), user.last_name.as_deref());
        let email = user.email.clone().unwrap_or_default();
        Self {
            id: *user.id.as_bytes(),
            deleted: user.deleted == Some(true),
            status: user.status.map(|s| s.as_str()).unwrap_or("Active"),
            dt_expiry: None,
            search_text: search_text(&email, first, last),
            name: name_of(first, last),
            email,
            dt_end_access: micros(user.dt_end_access),
            dt_created: micros(user.dt_created),
            dt_last_modified: micros(user.dt_last_modified),
            dt_last_sent: None,
            delivery: None,
            record: compress(json),
        }
    }
}

/// A row a sync writes into its list's tables.
pub trait StoredRow: Send + 'static {
    fn write(&self, conn: &Connection, list: List) -> Result<()>;
}

impl StoredRow for CachedRow {
    fn write(&self, conn: &Connection, list: List) -> Result<()> {
        write_row(conn, list, self)
    }
}

/// Writes a row (a tombstone deletes it, and its record by trigger). `INSERT OR REPLACE` keeps
/// an existing row's rowid (found by id), so its record is replaced in place under it.
fn write_row(conn: &Connection, list: List, row: &CachedRow) -> Result<()> {
    if row.deleted {
        conn.prepare_cached(&format!("DELETE FROM {} WHERE id = ?", list.key()))?
            .execute([&row.id[..]])?;
        return activity::erase_personal_data(conn, uuid::Uuid::from_bytes(row.id));
    }
    let (insert, records) = match list {
        List::Invitations => (
            "INSERT OR REPLACE INTO invitations (rowid, id, status, dt_expiry, search_text,
                email, name, dt_end_access, dt_created, dt_last_modified, dt_last_sent, delivery)
             VALUES ((SELECT rowid FROM invitations WHERE id = ?1), ?1, ?2, ?3, ?4, ?5, ?6, ?7,
                ?8, ?9, ?10, ?11)",
            "invitation_records",
        ),
        List::Activity => {
            return Err(CacheError::Io(std::io::Error::other(
                "an invitation or a user is not an audit event",
            )))
        }
        List::Users => (
            "INSERT OR REPLACE INTO users (rowid, id, status, dt_expiry, search_text, email, name,
                dt_end_access, dt_created, dt_last_modified, dt_last_sent, delivery)
             VALUES ((SELECT rowid FROM users WHERE id = ?1), ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8,
                ?9, ?10, ?11)",
            "user_records",
        ),
    };
    conn.prepare_cached(insert)?.execute(params![
        &row.id[..],
        row.status,
        row.dt_expiry,
        row.search_text,
        row.email,
        row.name,
        row.dt_end_access,
        row.dt_created,
        row.dt_last_modified,
        row.dt_last_sent,
        row.delivery,
    ])?;
    let rowid = conn.last_insert_rowid();
    conn.prepare_cached(&format!(
        "INSERT OR REPLACE INTO {records} (rowid, record) VALUES (?, ?)"
    ))?
    .execute(params![rowid, row.record])?;
    Ok(())
}

/// Records are kept LZ4-compressed: their JSON shrinks to about a third, so the cache file,
/// and the bytes a sync writes (into the WAL, then the checkpoint), shrink with it.
pub(crate) fn compress(record: &str) -> Vec<u8> {
    lz4_flex::compress_prepend_size(record.as_bytes())
}

/// A record as `compress` stored it.
pub fn decompress(stored: &[u8]) -> Result<Vec<u8>> {
    lz4_flex::decompress_size_prepended(stored)
        .map_err(|e| CacheError::Io(std::io::Error::new(std::io::ErrorKind::InvalidData, e)))
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

//! The SQLite database: one writer thread that runs each write transaction whole, a pool of
//! read-only connections used from blocking tasks, migrations, and the conversions between
//! stored and wire values.

use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use r2d2_sqlite::SqliteConnectionManager;
use rusqlite::types::Value;
use rusqlite::{Connection, OpenFlags, Row, Transaction, TransactionBehavior};
use tokio::sync::oneshot;
use uuid::Uuid;

use crate::error::{Error, Result};

const MIGRATIONS: [&str; 5] = [
    include_str!("../migrations/0001_schema.sql"),
    include_str!("../migrations/0002_mail.sql"),
    include_str!("../migrations/0003_accounts.sql"),
    include_str!("../migrations/0004_sync_order.sql"),
    include_str!("../migrations/0005_hardening.sql"),
];

type WriteJob = Box<dyn FnOnce(&mut Connection) + Send>;

/// SQLite admits one writer at a time, so the server has exactly one: a thread that owns the
/// write connection and runs each transaction from start to commit in one go. Writes queue
/// fairly instead of spinning on SQLITE_BUSY, every check-then-write inside a transaction is
/// atomic (seats, one live invitation per e-mail), and a whole transaction costs one hop
/// between threads rather than one per statement.
#[derive(Clone)]
pub struct Db {
    readers: r2d2::Pool<SqliteConnectionManager>,
    writer: mpsc::Sender<WriteJob>,
    /// When the last write finished, in `monotonic_millis`.
    last_write: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

/// Milliseconds since the process first asked.
fn monotonic_millis() -> u64 {
    static START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    START
        .get_or_init(std::time::Instant::now)
        .elapsed()
        .as_millis() as u64
}

impl Db {
    pub fn open(path: &Path) -> Result<Self> {
        // A folder the server makes for its database is its own; one that exists (a data
        // directory, the working directory) is left as it is.
        if let Some(folder) = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty() && !p.exists())
        {
            crate::files::owner_only_folder(folder)?;
        }
        crate::files::owner_only_file(path)?;
        let mut write = Connection::open(path)?;
        write.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;
             PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;
             PRAGMA secure_delete = ON;",
        )?;
        write.set_prepared_statement_cache_capacity(64);
        migrate(&mut write)?;
        let (writer, jobs) = mpsc::channel::<WriteJob>();
        let last_write = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(monotonic_millis()));
        let written = last_write.clone();
        std::thread::Builder::new()
            .name("db-writer".into())
            .spawn(move || {
                for job in jobs {
                    job(&mut write);
                    written.store(monotonic_millis(), std::sync::atomic::Ordering::Relaxed);
                }
            })?;
        let manager = SqliteConnectionManager::file(path)
            .with_flags(OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
            .with_init(|c| {
                c.set_prepared_statement_cache_capacity(64);
                // Pages mapped rather than copied in by read(2): list pages read many rows.
                c.execute_batch("PRAGMA busy_timeout = 10000; PRAGMA mmap_size = 268435456;")
            });
        let readers = r2d2::Pool::builder()
            .max_size(8)
            .connection_timeout(Duration::from_secs(10))
            .build(manager)
            .map_err(|e| Error::Internal(format!("read pool: {e}")))?;
        Ok(Self {
            readers,
            writer,
            last_write,
        })
    }

    /// Runs `work` on a read-only connection, off the async threads.
    pub async fn read<T, F>(&self, work: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T> + Send + 'static,
    {
        let readers = self.readers.clone();
        tokio::task::spawn_blocking(move || {
            let conn = readers
                .get()
                .map_err(|e| Error::Internal(format!("read pool: {e}")))?;
            work(&conn)
        })
        .await
        .map_err(|e| Error::Internal(format!("read task: {e}")))?
    }

    /// Runs `work` in one write transaction: committed if it returns Ok, rolled back if not.
    pub async fn write<T, F>(&self, work: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction) -> Result<T> + Send + 'static,
    {
        self.on_writer(move |conn| in_transaction(conn, work)).await
    }

    /// Copies the write-ahead log into the database and empties it, so that erased content
    /// (overwritten in the database, with `secure_delete`) leaves no older copy in the log. It
    /// waits for every reader, so it is run only when the server is idle.
    /// It gives up at once rather than hold writes behind a reader: false then, and the
    /// caller tries again at its next idle moment.
    pub async fn checkpoint(&self) -> Result<bool> {
        self.on_writer(|conn| {
            conn.busy_timeout(Duration::from_millis(50))?;
            let busy: rusqlite::Result<i64> =
                conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0));
            conn.busy_timeout(Duration::from_secs(10))?;
            Ok(busy? == 0)
        })
        .await
    }

    /// Copies what it can of the log into the database without waiting for any reader.
    pub async fn checkpoint_passive(&self) -> Result<()> {
        self.on_writer(|conn| Ok(conn.execute_batch("PRAGMA wal_checkpoint(PASSIVE);")?))
            .await
    }

    /// How long since the last write transaction finished.
    pub fn idle_for(&self) -> Duration {
        let last = self.last_write.load(std::sync::atomic::Ordering::Relaxed);
        let now = monotonic_millis();
        Duration::from_millis(now.saturating_sub(last))
    }

    async fn on_writer<T, F>(&self, work: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T> + Send + 'static,
    {
        let (answer, answered) = oneshot::channel();
        let job: WriteJob = Box::new(move |conn| {
            let _ = answer.send(work(conn));
        });
        let stopped = || Error::Internal("the database writer has stopped".into());
        self.writer.send(job).map_err(|_| stopped())?;
        answered.await.map_err(|_| stopped())?
    }
}

fn in_transaction<T>(
    conn: &mut Connection,
    work: impl FnOnce(&Transaction) -> Result<T>,
) -> Result<T> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let value = work(&tx)?;
    tx.commit()?;
    Ok(value)
}

/// Applies the numbered files of `migrations/` not yet applied, tracked in `user_version`.
fn migrate(conn: &mut Connection) -> Result<()> {
    let applied: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let tx = conn.transaction()?;
    for (number, sql) in (1..).zip(MIGRATIONS).skip(applied as usize) {
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", number)?;
    }
    tx.commit()?;
    Ok(())
}

/// A row type read with `SELECT *`.
pub trait FromRow: Sized {
    fn from_row(row: &Row) -> rusqlite::Result<Self>;
}

/// SQL text with its parameters, for queries whose shape depends on the request.
#[derive(Default)]
pub struct Sql {
    text: String,
    params: Vec<Value>,
}

impl Sql {
    pub fn new(text: &str) -> Self {
        Self {
            text: text.to_owned(),
            params: Vec::new(),
        }
    }

    pub fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Appends a `?` and its value.
    pub fn bind(&mut self, value: impl Into<Value>) -> &mut Self {
        self.text.push('?');
        self.params.push(value.into());
        self
    }

    /// Adds a value for a numbered parameter (`?1`) already in the text.
    pub fn with_param(&mut self, value: impl Into<Value>) -> &mut Self {
        self.params.push(value.into());
        self
    }

    pub fn append(&mut self, other: Sql) -> &mut Self {
        self.text.push_str(&other.text);
        self.params.extend(other.params);
        self
    }

    /// Appends `?, ?, …` for each value.
    pub fn bind_list<V: Into<Value>>(&mut self, values: impl IntoIterator<Item = V>) -> &mut Self {
        for (i, value) in values.into_iter().enumerate() {
            if i > 0 {
                self.text.push_str(", ");
            }
            self.bind(value);
        }
        self
    }

    pub fn query<T>(
        &self,
        conn: &Connection,
        map: impl FnMut(&Row) -> rusqlite::Result<T>,
    ) -> Result<Vec<T>> {
        let mut statement = conn.prepare_cached(&self.text)?;
        let rows = statement.query_map(rusqlite::params_from_iter(self.params.iter()), map)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn execute(&self, conn: &Connection) -> Result<usize> {
        let mut statement = conn.prepare_cached(&self.text)?;
        Ok(statement.execute(rusqlite::params_from_iter(self.params.iter()))?)
    }
}

/// The first row of `sql` mapped by `FromRow`, if any.
pub fn optional<T: FromRow>(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
) -> Result<Option<T>> {
    let mut statement = conn.prepare_cached(sql)?;
    let mut rows = statement.query(params)?;
    match rows.next()? {
        Some(row) => Ok(Some(T::from_row(row)?)),
        None => Ok(None),
    }
}

/// The row of an `INSERT … RETURNING *` or `UPDATE … RETURNING *`.
pub fn returning<T: FromRow>(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
) -> Result<T> {
    optional(conn, sql, params)?.ok_or_else(|| Error::Internal("statement returned no row".into()))
}

pub fn micros(time: DateTime<Utc>) -> i64 {
    time.timestamp_micros()
}

pub fn time(micros: i64) -> Result<DateTime<Utc>> {
    DateTime::from_timestamp_micros(micros)
        .ok_or_else(|| Error::Internal(format!("stored time out of range: {micros}")))
}

pub fn opt_time(micros: Option<i64>) -> Result<Option<DateTime<Utc>>> {
    micros.map(time).transpose()
}

pub fn uuid(text: &str) -> Result<Uuid> {
    Uuid::parse_str(text).map_err(|e| Error::Internal(format!("stored id {text:?}: {e}")))
}

pub fn opt_uuid(text: Option<&str>) -> Result<Option<Uuid>> {
    text.map(uuid).transpose()
}

/// How an optional id is stored.
pub fn id_text(id: Option<Uuid>) -> Option<String> {
    id.map(|i| i.to_string())
}

pub fn id_list(json: &str) -> Result<Vec<Uuid>> {
    Ok(serde_json::from_str(json)?)
}

pub fn id_list_json(ids: &[Uuid]) -> String {
    serde_json::to_string(ids).unwrap_or_else(|_| "[]".into())
}

pub use invitedesk_model::search::{like_pattern, search_text};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::invitations::InvitationRow;
    use crate::store::users::UserRow;

    fn stored_columns(conn: &Connection, table: &str) -> Vec<String> {
        let statement = conn.prepare(&format!("SELECT * FROM {table}")).unwrap();
        statement
            .column_names()
            .into_iter()
            .map(String::from)
            .collect()
    }

    /// Rows are read by position: the migrations must leave the columns where they expect.
    #[test]
    fn stored_columns_are_in_the_order_rows_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = Connection::open(dir.path().join("order.db")).unwrap();
        migrate(&mut conn).unwrap();
        assert_eq!(stored_columns(&conn, "invitations"), InvitationRow::COLUMNS);
        assert_eq!(stored_columns(&conn, "users"), UserRow::COLUMNS);
    }
}

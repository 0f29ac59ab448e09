//! The SQLite database: a pool of readers and a single writer, and the conversions between
//! stored and wire values.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool, Transaction};
use uuid::Uuid;

use crate::error::{Error, Result};

/// SQLite admits one writer at a time. Giving writes a pool of exactly one connection queues
/// them fairly in the process instead of letting them spin on SQLITE_BUSY, and makes every
/// check-then-write inside a write transaction atomic (seats, one live invitation per e-mail).
#[derive(Clone)]
pub struct Db {
    pub read: SqlitePool,
    write: SqlitePool,
}

pub type WriteTx = Transaction<'static, Sqlite>;

impl Db {
    pub async fn open(path: &Path) -> Result<Self> {
        let options = SqliteConnectOptions::from_str("sqlite:")?
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            // Readers share the OS page cache through a memory map instead of copying pages
            // in with a read() per page whenever the writer has changed the file.
            .pragma("mmap_size", "268435456");
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options.clone())
            .await?;
        sqlx::migrate!("./migrations").run(&write).await?;
        let read = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options.read_only(true))
            .await?;
        Ok(Self { read, write })
    }

    pub async fn begin_write(&self) -> Result<WriteTx> {
        Ok(self.write.begin().await?)
    }

    pub async fn close(&self) {
        self.read.close().await;
        self.write.close().await;
    }
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

pub fn id_list(json: &str) -> Result<Vec<Uuid>> {
    Ok(serde_json::from_str(json)?)
}

pub fn id_list_json(ids: &[Uuid]) -> String {
    serde_json::to_string(ids).unwrap_or_else(|_| "[]".into())
}

/// What `search=` matches against: e-mail and name, lower-cased, in one column.
pub fn search_text(email: &str, first_name: Option<&str>, last_name: Option<&str>) -> String {
    format!(
        "{email} {} {}",
        first_name.unwrap_or(""),
        last_name.unwrap_or("")
    )
    .to_lowercase()
}

/// `search=` as a LIKE pattern that matches the text anywhere, with LIKE's wildcards escaped.
pub fn like_pattern(search: &str) -> String {
    let mut pattern = String::from("%");
    for c in search.trim().to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

//! The database, on either backend: SQLite (embedded, the default: one file, one writer) or
//! PostgreSQL (any number of instances on one database). The store is written once over
//! `Conn`; this module opens the backend the URL names, runs reads and write transactions
//! off the async threads, and converts between stored and wire values.

mod conn;
pub mod postgres;
pub mod sqlite;
mod value;

use std::path::PathBuf;
use std::time::Duration;

use chrono::{DateTime, Utc};
use uuid::Uuid;

pub use self::conn::{optional, returning, Conn, FromRow, Sql, Statement};
pub use self::value::{FromValue, Params, Row, RowIndex, ToValue, Value};
use crate::error::{Error, Result};

/// Where the data lives, from `--database-url`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// `sqlite:<path>`, or a bare path.
    Sqlite(PathBuf),
    /// `postgres://…` or `postgresql://…`, as libpq reads it.
    Postgres(String),
}

impl DatabaseUrl {
    pub fn parse(url: &str) -> Result<Self, String> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Self::Postgres(url.to_owned()));
        }
        let path = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"));
        match path {
            Some("") => Err("sqlite: needs a file path, as in sqlite:invitedesk.db".into()),
            Some(path) => Ok(Self::Sqlite(PathBuf::from(path))),
            None if url.contains("://") => Err(format!(
                "{:?} is neither sqlite:<path> nor postgres://…",
                url.split("://").next().unwrap_or_default()
            )),
            None => Ok(Self::Sqlite(PathBuf::from(url))),
        }
    }
}

#[derive(Clone)]
pub enum Db {
    Sqlite(sqlite::SqliteDb),
    Postgres(postgres::PostgresDb),
}

impl Db {
    /// Opens (and migrates) the database. `connections` bounds a PostgreSQL pool.
    pub async fn open(url: &DatabaseUrl, connections: u32) -> Result<Self> {
        match url.clone() {
            DatabaseUrl::Sqlite(path) => Ok(Self::Sqlite(sqlite::SqliteDb::open(&path)?)),
            DatabaseUrl::Postgres(url) => {
                let opened = tokio::task::spawn_blocking(move || {
                    postgres::PostgresDb::open(&url, connections)
                })
                .await
                .map_err(|e| Error::Internal(format!("open task: {e}")))??;
                Ok(Self::Postgres(opened))
            }
        }
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self, Self::Postgres(_))
    }

    /// Runs `work` outside any transaction (each PostgreSQL statement sees what had
    /// committed when it started), off the async threads.
    pub async fn read<T, F>(&self, work: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Conn) -> Result<T> + Send + 'static,
    {
        match self {
            Self::Sqlite(db) => db.read(work).await,
            Self::Postgres(db) => db.read(work).await,
        }
    }

    /// Runs `work` in one write transaction: committed if it returns Ok, rolled back if not.
    pub async fn write<T, F>(&self, work: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Conn) -> Result<T> + Send + 'static,
    {
        match self {
            Self::Sqlite(db) => db.write(work).await,
            Self::Postgres(db) => db.write(work).await,
        }
    }

    /// SQLite only: empties the write-ahead log (see `SqliteDb::checkpoint`). PostgreSQL
    /// manages its own log: true.
    pub async fn checkpoint(&self) -> Result<bool> {
        match self {
            Self::Sqlite(db) => db.checkpoint().await,
            Self::Postgres(_) => Ok(true),
        }
    }

    pub async fn checkpoint_passive(&self) -> Result<()> {
        match self {
            Self::Sqlite(db) => db.checkpoint_passive().await,
            Self::Postgres(_) => Ok(()),
        }
    }

    /// How long since this process's last write transaction finished (SQLite only; zero on
    /// PostgreSQL, where no maintenance waits for a pause).
    pub fn idle_for(&self) -> Duration {
        match self {
            Self::Sqlite(db) => db.idle_for(),
            Self::Postgres(_) => Duration::ZERO,
        }
    }
}

/// A schema migrated by a newer server is one this server cannot read or write safely.
fn refuse_newer_schema(applied: i64, known: usize) -> Result<()> {
    if applied > known as i64 {
        return Err(Error::Internal(format!(
            "the database's schema is at version {applied}, newer than this server knows \
             ({known}): run the newer server, or restore a backup made for this one"
        )));
    }
    Ok(())
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
mod url_tests {
    use super::DatabaseUrl;
    use std::path::PathBuf;

    #[test]
    fn database_urls_name_their_backend() {
        let sqlite = |p: &str| Ok(DatabaseUrl::Sqlite(PathBuf::from(p)));
        assert_eq!(DatabaseUrl::parse("sqlite:data/x.db"), sqlite("data/x.db"));
        assert_eq!(
            DatabaseUrl::parse("sqlite:///abs/x.db"),
            sqlite("/abs/x.db")
        );
        assert_eq!(DatabaseUrl::parse("invitedesk.db"), sqlite("invitedesk.db"));
        let pg = "postgres://u@localhost:5432/invitedesk";
        assert_eq!(DatabaseUrl::parse(pg), Ok(DatabaseUrl::Postgres(pg.into())));
        assert!(DatabaseUrl::parse("mysql://x")
            .unwrap_err()
            .contains("mysql"));
        assert!(DatabaseUrl::parse("sqlite:").is_err());
    }
}

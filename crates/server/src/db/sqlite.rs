//! The embedded backend: one SQLite file, one writer thread that runs each write transaction
//! whole, and a pool of read-only connections used from blocking tasks.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc};
use std::time::Duration;

use r2d2_sqlite::SqliteConnectionManager;
use rusqlite::types::{Value as SqliteValue, ValueRef};
use rusqlite::{Connection, OpenFlags};
use tokio::sync::oneshot;

use super::conn::Conn;
use super::value::{Row, Value};
use crate::error::{Error, Result};

/// The numbered files of `migrations/sqlite/`, applied in order; `user_version` says how many.
const MIGRATIONS: [&str; 9] = [
    include_str!("../../migrations/sqlite/0001_schema.sql"),
    include_str!("../../migrations/sqlite/0002_mail.sql"),
    include_str!("../../migrations/sqlite/0003_accounts.sql"),
    include_str!("../../migrations/sqlite/0004_sync_order.sql"),
    include_str!("../../migrations/sqlite/0005_hardening.sql"),
    include_str!("../../migrations/sqlite/0006_scale.sql"),
    include_str!("../../migrations/sqlite/0007_people.sql"),
    include_str!("../../migrations/sqlite/0008_audit.sql"),
    include_str!("../../migrations/sqlite/0009_lean_audit.sql"),
];

/// What the writer thread is handed.
enum WriteJob {
    /// One write transaction's work. Run inside a savepoint of a commit it may share with the
    /// transactions queued behind it; answers how it went and what to tell its caller once
    /// that commit is known.
    Transaction(TransactionWork),
    /// Work that must run outside any transaction (a checkpoint).
    Alone(Box<dyn FnOnce(&mut Connection) + Send>),
}

/// A transaction's work done: whether it succeeded (kept) or is to be rolled back, and the
/// answer to give once the shared commit has succeeded (`Ok`) or failed (`Err`, its message).
struct Outcome {
    kept: bool,
    answer: Box<dyn FnOnce(std::result::Result<(), String>) + Send>,
}

/// At most this many queued transactions share one commit: enough to write the pages they all
/// touch (the ends of the time-ordered indexes, the tables' last pages) once instead of once
/// each, few enough that the first in a group waits little for the last.
const MOST_PER_COMMIT: usize = 32;

/// SQLite admits one writer at a time, so the server has exactly one: a thread that owns the
/// write connection and runs each transaction from start to end in one go. Writes queue
/// fairly instead of spinning on SQLITE_BUSY, every check-then-write inside a transaction is
/// atomic (seats, one live invitation per e-mail), and a whole transaction costs one hop
/// between threads rather than one per statement. Transactions queued together share one
/// commit (group commit), each in its own savepoint: one that fails is rolled back alone, and
/// none is answered before the commit that makes it durable and visible.
#[derive(Clone)]
pub struct SqliteDb {
    readers: r2d2::Pool<SqliteConnectionManager>,
    writer: mpsc::Sender<WriteJob>,
    /// When the last write finished, in `monotonic_millis`.
    last_write: Arc<AtomicU64>,
}

/// Milliseconds since the process first asked.
fn monotonic_millis() -> u64 {
    static START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    START
        .get_or_init(std::time::Instant::now)
        .elapsed()
        .as_millis() as u64
}

impl SqliteDb {
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
        // `temp_store = MEMORY` keeps each write's savepoint journal in memory: on a file, a
        // group's journal outgrew its memory spill and every page it touched went through
        // write(2) once more (creates ~20 % faster, BENCHMARKS.md 2026-12-04).
        write.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;
             PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;
             PRAGMA secure_delete = ON; PRAGMA temp_store = MEMORY;",
        )?;
        write.set_prepared_statement_cache_capacity(64);
        migrate(&mut write)?;
        let (writer, jobs) = mpsc::channel::<WriteJob>();
        let last_write = Arc::new(AtomicU64::new(monotonic_millis()));
        let written = last_write.clone();
        std::thread::Builder::new()
            .name("db-writer".into())
            .spawn(move || {
                let mut next = jobs.recv().ok();
                while let Some(job) = next.take() {
                    match job {
                        WriteJob::Alone(work) => {
                            let alone = std::panic::AssertUnwindSafe(|| work(&mut write));
                            if std::panic::catch_unwind(alone).is_err() {
                                tracing::error!("a database job outside a transaction panicked");
                            }
                        }
                        WriteJob::Transaction(first) => {
                            let mut group = vec![first];
                            while group.len() < MOST_PER_COMMIT {
                                match jobs.try_recv() {
                                    Ok(WriteJob::Transaction(more)) => group.push(more),
                                    Ok(alone) => {
                                        next = Some(alone);
                                        break;
                                    }
                                    Err(_) => break,
                                }
                            }
                            commit_together(&mut write, group);
                        }
                    }
                    written.store(monotonic_millis(), Ordering::Relaxed);
                    if next.is_none() {
                        next = jobs.recv().ok();
                    }
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

    pub async fn read<T, F>(&self, work: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Conn) -> Result<T> + Send + 'static,
    {
        let readers = self.readers.clone();
        tokio::task::spawn_blocking(move || {
            let conn = readers
                .get()
                .map_err(|e| Error::Internal(format!("read pool: {e}")))?;
            work(&Conn::sqlite(&conn))
        })
        .await
        .map_err(|e| Error::Internal(format!("read task: {e}")))?
    }

    pub async fn write<T, F>(&self, work: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Conn) -> Result<T> + Send + 'static,
    {
        let (answer, answered) = oneshot::channel();
        let job = WriteJob::Transaction(Box::new(move |conn| {
            let value = work(&Conn::sqlite(conn));
            Outcome {
                kept: value.is_ok(),
                answer: Box::new(move |committed| {
                    let _ = answer.send(match committed {
                        Ok(()) => value,
                        Err(why) => value.and(Err(Error::Internal(why))),
                    });
                }),
            }
        }));
        self.send(job, answered).await
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
                conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", (), |r| r.get(0));
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

    pub fn idle_for(&self) -> Duration {
        let last = self.last_write.load(Ordering::Relaxed);
        Duration::from_millis(monotonic_millis().saturating_sub(last))
    }

    async fn on_writer<T, F>(&self, work: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T> + Send + 'static,
    {
        let (answer, answered) = oneshot::channel();
        let job = WriteJob::Alone(Box::new(move |conn| {
            let _ = answer.send(work(conn));
        }));
        self.send(job, answered).await
    }

    async fn send<T>(&self, job: WriteJob, answered: oneshot::Receiver<Result<T>>) -> Result<T> {
        let stopped = || Error::Internal("the database writer did not run this write".into());
        self.writer.send(job).map_err(|_| stopped())?;
        answered.await.map_err(|_| stopped())?
    }
}

/// Runs `group` in one transaction, each in a savepoint of its own, and answers each once the
/// commit is known: one that failed was rolled back to its savepoint and gets its own error;
/// if the commit fails, every one is told so. A write that could not even be started is
/// dropped, and its caller told it was not run.
fn commit_together(conn: &mut Connection, group: Vec<TransactionWork>) {
    if let Err(e) = conn.execute_batch("BEGIN IMMEDIATE") {
        tracing::error!(error = %e, "could not begin a write transaction");
        return;
    }
    let mut outcomes = Vec::with_capacity(group.len());
    for work in group {
        match in_savepoint(conn, work) {
            Ok(outcome) => outcomes.push(outcome),
            Err((outcome, why)) => {
                let _ = conn.execute_batch("ROLLBACK");
                outcomes.extend(outcome);
                return answer_all(outcomes, Err(why));
            }
        }
    }
    let committed = conn
        .execute_batch("COMMIT")
        .map_err(|e| format!("the write could not be committed: {e}"));
    if committed.is_err() {
        let _ = conn.execute_batch("ROLLBACK");
    }
    answer_all(outcomes, committed);
}

type TransactionWork = Box<dyn FnOnce(&Connection) -> Outcome + Send>;

/// Runs one transaction's work in a savepoint, kept or rolled back as it turned out. Err when
/// the savepoint itself failed, which leaves the whole transaction in doubt.
fn in_savepoint(
    conn: &Connection,
    work: TransactionWork,
) -> std::result::Result<Outcome, (Option<Outcome>, String)> {
    conn.execute_batch("SAVEPOINT write")
        .map_err(|e| (None, format!("could not begin a write: {e}")))?;
    // A write that panics (a bug) is rolled back alone, and its caller told it was not run:
    // the writer goes on serving the others rather than stopping every write for good.
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(conn)))
        .unwrap_or_else(|_| Outcome {
            kept: false,
            answer: Box::new(|_| ()),
        });
    let end = match outcome.kept {
        true => "RELEASE write",
        false => "ROLLBACK TO write; RELEASE write",
    };
    match conn.execute_batch(end) {
        Ok(()) => Ok(outcome),
        Err(e) => Err((Some(outcome), format!("could not end a write: {e}"))),
    }
}

fn answer_all(outcomes: Vec<Outcome>, committed: std::result::Result<(), String>) {
    for outcome in outcomes {
        (outcome.answer)(committed.clone());
    }
}

/// Applies the numbered migrations not yet applied, tracked in `user_version`; refuses a
/// database written by a newer server, whose schema this one cannot know.
pub(super) fn migrate(conn: &mut Connection) -> Result<()> {
    let applied: i64 = conn.query_row("PRAGMA user_version", (), |r| r.get(0))?;
    super::refuse_newer_schema(applied, MIGRATIONS.len())?;
    let tx = conn.transaction()?;
    for (number, sql) in (1..).zip(MIGRATIONS).skip(applied as usize) {
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", number)?;
    }
    tx.commit()?;
    Ok(())
}

fn bind(params: &[Value]) -> impl Iterator<Item = SqliteValue> + '_ {
    params.iter().map(|v| match v {
        Value::Null => SqliteValue::Null,
        Value::Integer(i) => SqliteValue::Integer(*i),
        Value::Real(r) => SqliteValue::Real(*r),
        Value::Text(t) => SqliteValue::Text(t.clone()),
        Value::Blob(b) => SqliteValue::Blob(b.clone()),
    })
}

fn value(column: ValueRef) -> Result<Value> {
    Ok(match column {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::Integer(i),
        ValueRef::Real(r) => Value::Real(r),
        ValueRef::Text(t) => Value::Text(
            std::str::from_utf8(t)
                .map_err(|e| Error::Internal(format!("stored text: {e}")))?
                .to_owned(),
        ),
        ValueRef::Blob(b) => Value::Blob(b.to_vec()),
    })
}

pub(super) fn query(conn: &Connection, sql: &str, params: &[Value]) -> Result<Vec<Row>> {
    let mut statement = conn.prepare_cached(sql)?;
    let names: Arc<[String]> = statement
        .column_names()
        .into_iter()
        .map(String::from)
        .collect();
    let width = names.len();
    let mut rows = statement.query(rusqlite::params_from_iter(bind(params)))?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let values = (0..width)
            .map(|i| value(row.get_ref(i)?))
            .collect::<Result<_>>()?;
        out.push(Row::new(names.clone(), values));
    }
    Ok(out)
}

pub(super) fn execute(conn: &Connection, sql: &str, params: &[Value]) -> Result<usize> {
    let mut statement = conn.prepare_cached(sql)?;
    Ok(statement.execute(rusqlite::params_from_iter(bind(params)))?)
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        if let rusqlite::Error::SqliteFailure(f, _) = &e {
            if f.code == rusqlite::ErrorCode::ConstraintViolation
                && f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
            {
                return Error::concurrent_change();
            }
        }
        Error::Internal(format!("database: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Writes queued together share commits, yet each stays its own transaction: one that
    /// fails (or panics) leaves nothing behind and gets its own error, the others are kept
    /// and answered.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn transactions_sharing_a_commit_succeed_and_fail_each_on_its_own() {
        let folder = tempfile::tempdir().unwrap();
        let db = SqliteDb::open(&folder.path().join("db.sqlite")).unwrap();
        let writes = (0..200).map(|i| {
            let db = db.clone();
            tokio::spawn(async move {
                db.write(move |conn| {
                    conn.execute(
                        "INSERT INTO organizations (id, name, dt_created) VALUES (?, ?, 0)",
                        (format!("org-{i}"), format!("Org {i}")),
                    )?;
                    match i % 5 {
                        0 => Err(Error::NotFound("a reason of its own")),
                        _ => Ok(i),
                    }
                })
                .await
            })
        });
        let answers = futures::future::join_all(writes).await;
        for (i, answer) in answers.into_iter().enumerate() {
            match answer.unwrap() {
                Ok(value) => assert_eq!(value, i, "each write gets its own answer"),
                Err(e) => {
                    assert_eq!(i % 5, 0, "write {i} failed: {e}");
                    assert!(matches!(e, Error::NotFound(_)), "its own error: {e}");
                }
            }
        }
        let panicked = db
            .write(|_| -> Result<()> { panic!("a bug in one write") })
            .await;
        assert!(
            panicked.is_err(),
            "a write that panics is answered with an error"
        );
        let after = db.write(|_| Ok("still writing")).await.unwrap();
        assert_eq!(after, "still writing", "and the writer serves the next one");
        let kept: Vec<String> = db
            .read(|conn| {
                conn.query(
                    "SELECT id FROM organizations WHERE id LIKE 'org-%' ORDER BY id",
                    (),
                    |r| r.get(0),
                )
            })
            .await
            .unwrap();
        let expected: std::collections::BTreeSet<String> = (0..200)
            .filter(|i| i % 5 != 0)
            .map(|i| format!("org-{i}"))
            .collect();
        assert_eq!(
            kept.into_iter().collect::<std::collections::BTreeSet<_>>(),
            expected
        );
    }
}

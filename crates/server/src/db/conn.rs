//! A connection of either backend, as the store sees it: statements with `?` parameters
//! (written once, translated for PostgreSQL), rows of `Value`s, and the few things that
//! differ by backend (locks, modification stamps, the sync horizon) behind one name each.

use std::cell::{Cell, RefCell};

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::postgres::{Pool, Session};
use super::value::{Params, Row, ToValue, Value};
use crate::clock::Clock;
use crate::error::{Error, Result};

pub struct Conn<'a> {
    backend: Backend<'a>,
    /// The last modification stamp this PostgreSQL transaction handed out.
    last_stamp: Cell<Option<i64>>,
    /// The organisations whose feed-writer lock this PostgreSQL transaction holds.
    writing_for: RefCell<Vec<Uuid>>,
}

enum Backend<'a> {
    Sqlite(&'a rusqlite::Connection),
    /// The session, and the pool for writes apart from its transaction (`autonomous`).
    Postgres(RefCell<&'a mut Session>, Option<&'a Pool>),
}

impl<'a> Conn<'a> {
    pub(super) fn sqlite(conn: &'a rusqlite::Connection) -> Self {
        Self {
            backend: Backend::Sqlite(conn),
            last_stamp: Cell::new(None),
            writing_for: RefCell::new(Vec::new()),
        }
    }

    pub(super) fn postgres(session: &'a mut Session, apart: Option<&'a Pool>) -> Self {
        Self {
            backend: Backend::Postgres(RefCell::new(session), apart),
            last_stamp: Cell::new(None),
            writing_for: RefCell::new(Vec::new()),
        }
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self.backend, Backend::Postgres(..))
    }

    /// Every row of `sql`, each mapped by `map`.
    pub fn query<T>(
        &self,
        sql: &str,
        params: impl Params,
        map: impl FnMut(&Row) -> Result<T>,
    ) -> Result<Vec<T>> {
        let params = params.into_values();
        let rows = match &self.backend {
            Backend::Sqlite(c) => super::sqlite::query(c, sql, &params)?,
            Backend::Postgres(s, _) => s.borrow_mut().query(sql, &params)?,
        };
        rows.iter().map(map).collect()
    }

    /// How many rows `sql` changed.
    pub fn execute(&self, sql: &str, params: impl Params) -> Result<usize> {
        let params = params.into_values();
        match &self.backend {
            Backend::Sqlite(c) => super::sqlite::execute(c, sql, &params),
            Backend::Postgres(s, _) => s.borrow_mut().execute(sql, &params),
        }
    }

    /// Several statements without parameters.
    pub fn execute_batch(&self, sql: &str) -> Result<()> {
        match &self.backend {
            Backend::Sqlite(c) => Ok(c.execute_batch(sql)?),
            Backend::Postgres(s, _) => s.borrow_mut().batch(sql),
        }
    }

    /// The first row of `sql`, if there is one.
    pub fn query_opt<T>(
        &self,
        sql: &str,
        params: impl Params,
        map: impl FnOnce(&Row) -> Result<T>,
    ) -> Result<Option<T>> {
        let params = params.into_values();
        let rows = match &self.backend {
            Backend::Sqlite(c) => super::sqlite::query(c, sql, &params)?,
            Backend::Postgres(s, _) => s.borrow_mut().query(sql, &params)?,
        };
        rows.first().map(map).transpose()
    }

    /// The first row of `sql`; its absence is the server's own mistake.
    pub fn query_row<T>(
        &self,
        sql: &str,
        params: impl Params,
        map: impl FnOnce(&Row) -> Result<T>,
    ) -> Result<T> {
        self.query_opt(sql, params, map)?
            .ok_or_else(|| Error::Internal("statement returned no row".into()))
    }

    /// `sql`, to run once or many times (both backends cache what they prepare).
    pub fn prepare_cached<'c>(&'c self, sql: &'c str) -> Result<Statement<'c, 'a>> {
        Ok(Statement { conn: self, sql })
    }

    /// Holds `key` until this transaction ends, so that writes which check then change the
    /// same thing (a subscription's seats, an e-mail's live invitation, an idempotency key)
    /// run one after another on every instance. SQLite has one writer, so it holds already.
    pub fn lock(&self, key: &str) -> Result<()> {
        if self.is_postgres() {
            self.execute(
                "SELECT pg_advisory_xact_lock(hashtextextended(?, 0))",
                [key],
            )?;
        }
        Ok(())
    }

    /// A subquery of the ids in `json_array` (a column holding a JSON array of ids, as
    /// policy lists are stored), in this backend's JSON functions.
    pub fn ids_in(&self, json_array: &str) -> String {
        match self.is_postgres() {
            true => format!("(SELECT json_array_elements_text(({json_array})::json))"),
            false => format!("(SELECT value FROM json_each({json_array}))"),
        }
    }

    /// Runs `work` apart from this transaction, each statement committed at once without
    /// waiting for the disk: for counters that must hold across instances (send limits)
    /// without holding a lock until the surrounding change commits, and whose loss in a crash
    /// costs nothing. On SQLite (one writer, nothing to wait for) it is part of this
    /// transaction.
    pub fn autonomous<T>(&self, work: impl FnOnce(&Conn) -> Result<T>) -> Result<T> {
        match &self.backend {
            Backend::Sqlite(_) | Backend::Postgres(_, None) => work(self),
            Backend::Postgres(_, Some(pool)) => super::postgres::apart(pool, work),
        }
    }

    /// A modification time for a record of `org_id` written in this transaction, later than
    /// any the transaction handed out before. On SQLite the one writer's clock orders them; on
    /// PostgreSQL it is the database's clock (the same for every instance), read after this
    /// transaction has declared itself a writer of the organisation (see `sync_horizon`).
    pub fn stamp(&self, clock: &Clock, org_id: Uuid) -> Result<DateTime<Utc>> {
        if !self.is_postgres() {
            return Ok(clock.stamp());
        }
        let next = self.last_stamp.get().map(|last| last + 1);
        let micros = match self.writing_for.borrow().contains(&org_id) {
            true => next,
            false => None,
        };
        let micros = match micros {
            Some(micros) => micros,
            None => {
                let db_now = self.declare_writer(org_id)? + clock.offset_micros();
                next.map_or(db_now, |next| next.max(db_now))
            }
        };
        self.last_stamp.set(Some(micros));
        super::time(micros)
    }

    /// Takes the organisation's feed-writer lock (shared: writers never wait on each other)
    /// until this transaction ends, and then reads the database's clock, so that every stamp
    /// this transaction gives the organisation is later than the moment others can see it.
    fn declare_writer(&self, org_id: Uuid) -> Result<i64> {
        let db_now = self.query_row(
            "WITH writer AS MATERIALIZED (
                SELECT pg_advisory_xact_lock_shared(?, ?)
             )
             SELECT CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000000 AS BIGINT) FROM writer",
            (FEED_WRITER_LOCK_CLASS, feed_lock_key(org_id)),
            |r| r.get(0),
        )?;
        self.writing_for.borrow_mut().push(org_id);
        Ok(db_now)
    }

    /// The modification time below which every change to `org_id`'s records has committed:
    /// the feed of changes (`modifiedSince`) serves only what is older, so a transaction that
    /// commits late (on another instance) is never skipped by a client that already read past
    /// it. None when everything visible is complete (SQLite: its one writer stamps in commit
    /// order). Only the organisation's own writers hold it back, so a long transaction in one
    /// tenant never delays another's feed.
    /// Read in a statement of its own, before the page, so that whatever had committed when it
    /// was read is visible to the page.
    pub fn sync_horizon(&self, clock: &Clock, org_id: Uuid) -> Result<Option<i64>> {
        if !self.is_postgres() {
            return Ok(None);
        }
        // Writes are short (milliseconds): waiting a little for those that began before this
        // request lets it see every change committed before it was asked, rather than leave
        // the newest for the next sync.
        let started = std::time::Instant::now();
        let mut asked_at = None;
        loop {
            // The clock is read before the locks are (the lateral subquery depends on it):
            // a writer that declares itself after the scan reads the clock later still, so
            // its stamps fall after the horizon.
            let (now, horizon): (i64, i64) = self.query_row(
                "SELECT CAST(EXTRACT(EPOCH FROM asked.now) * 1000000 AS BIGINT),
                        CAST(EXTRACT(EPOCH FROM LEAST(asked.now,
                            COALESCE(writers.oldest, 'infinity'))) * 1000000 AS BIGINT)
                   FROM (SELECT clock_timestamp() AS now OFFSET 0) AS asked
                  CROSS JOIN LATERAL (
                        SELECT min(a.xact_start) AS oldest
                          FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
                         WHERE asked.now IS NOT NULL
                           AND l.locktype = 'advisory' AND l.objsubid = 2 AND l.granted
                           AND CAST(l.classid AS BIGINT) = ? AND CAST(l.objid AS BIGINT) = ?
                           AND l.pid <> pg_backend_pid()) AS writers",
                (FEED_WRITER_LOCK_CLASS, feed_lock_key(org_id) as u32),
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            let asked_at = *asked_at.get_or_insert(now);
            if horizon >= asked_at || started.elapsed() >= HORIZON_WAIT {
                return Ok(Some(horizon + clock.offset_micros()));
            }
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
    }
}

/// The first key of the advisory lock an organisation's writers share (`declare_writer`);
/// the second is `feed_lock_key`. Distinct from `lock`'s one-key locks, which PostgreSQL
/// keeps apart (`objsubid` 1 against 2).
const FEED_WRITER_LOCK_CLASS: i32 = 0x1D_FEED;

/// An organisation's 32-bit key: two organisations sharing one only wait for each other.
fn feed_lock_key(org_id: Uuid) -> i32 {
    let bytes = org_id.as_bytes();
    i32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]])
}

/// The longest a feed request waits for transactions that began before it to end. They last
/// milliseconds, but a loaded machine (CI, two cores) saw a delivery's record outlast 250 ms.
const HORIZON_WAIT: std::time::Duration = std::time::Duration::from_secs(1);

/// A statement and the connection it runs on.
pub struct Statement<'c, 'a> {
    conn: &'c Conn<'a>,
    sql: &'c str,
}

impl Statement<'_, '_> {
    pub fn execute(&mut self, params: impl Params) -> Result<usize> {
        self.conn.execute(self.sql, params)
    }

    pub fn query_row<T>(
        &mut self,
        params: impl Params,
        map: impl FnOnce(&Row) -> Result<T>,
    ) -> Result<T> {
        self.conn.query_row(self.sql, params, map)
    }

    pub fn query_opt<T>(
        &mut self,
        params: impl Params,
        map: impl FnOnce(&Row) -> Result<T>,
    ) -> Result<Option<T>> {
        self.conn.query_opt(self.sql, params, map)
    }

    pub fn query_map<T>(
        &mut self,
        params: impl Params,
        map: impl FnMut(&Row) -> Result<T>,
    ) -> Result<Vec<T>> {
        self.conn.query(self.sql, params, map)
    }
}

/// A row type read with `SELECT *`.
pub trait FromRow: Sized {
    fn from_row(row: &Row) -> Result<Self>;
}

/// SQL text with its parameters, for queries whose shape depends on the request.
#[derive(Default, Clone)]
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
    pub fn bind(&mut self, value: impl ToValue) -> &mut Self {
        self.text.push('?');
        self.params.push(value.to_value());
        self
    }

    /// Adds a value for a numbered parameter (`?1`) already in the text.
    pub fn with_param(&mut self, value: impl ToValue) -> &mut Self {
        self.params.push(value.to_value());
        self
    }

    pub fn append(&mut self, other: Sql) -> &mut Self {
        self.text.push_str(&other.text);
        self.params.extend(other.params);
        self
    }

    /// Appends `?, ?, …` for each value.
    pub fn bind_list<V: ToValue>(&mut self, values: impl IntoIterator<Item = V>) -> &mut Self {
        for (i, value) in values.into_iter().enumerate() {
            if i > 0 {
                self.text.push_str(", ");
            }
            self.bind(value);
        }
        self
    }

    pub fn query<T>(&self, conn: &Conn, map: impl FnMut(&Row) -> Result<T>) -> Result<Vec<T>> {
        conn.query(&self.text, self.params.clone(), map)
    }

    pub fn execute(&self, conn: &Conn) -> Result<usize> {
        conn.execute(&self.text, self.params.clone())
    }
}

/// The first row of `sql` mapped by `FromRow`, if any.
pub fn optional<T: FromRow>(conn: &Conn, sql: &str, params: impl Params) -> Result<Option<T>> {
    conn.query_opt(sql, params, T::from_row)
}

/// The row of an `INSERT … RETURNING *` or `UPDATE … RETURNING *`.
pub fn returning<T: FromRow>(conn: &Conn, sql: &str, params: impl Params) -> Result<T> {
    optional(conn, sql, params)?.ok_or_else(|| Error::Internal("statement returned no row".into()))
}

//! A connection of either backend, as the store sees it: statements with `?` parameters
//! (written once, translated for PostgreSQL), rows of `Value`s, and the few things that
//! differ by backend (locks, modification stamps, the sync horizon) behind one name each.

use std::cell::{Cell, RefCell};

use chrono::{DateTime, Utc};

use super::postgres::{Pool, Session};
use super::value::{Params, Row, ToValue, Value};
use crate::clock::Clock;
use crate::error::{Error, Result};

pub struct Conn<'a> {
    backend: Backend<'a>,
    /// The last modification stamp this PostgreSQL transaction handed out.
    last_stamp: Cell<Option<i64>>,
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
        }
    }

    pub(super) fn postgres(session: &'a mut Session, apart: Option<&'a Pool>) -> Self {
        Self {
            backend: Backend::Postgres(RefCell::new(session), apart),
            last_stamp: Cell::new(None),
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

    /// A modification time for a record written in this transaction, later than any the
    /// transaction handed out before. On SQLite the one writer's clock orders them; on
    /// PostgreSQL it is the database's clock (the same for every instance), read inside the
    /// transaction, so it is never earlier than the transaction's start (see `sync_horizon`).
    pub fn stamp(&self, clock: &Clock) -> Result<DateTime<Utc>> {
        if !self.is_postgres() {
            return Ok(clock.stamp());
        }
        let micros = match self.last_stamp.get() {
            Some(last) => last + 1,
            None => {
                let db_now: i64 = self.query_row(
                    "SELECT CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000000 AS BIGINT)",
                    (),
                    |r| r.get(0),
                )?;
                db_now + clock.offset_micros()
            }
        };
        self.last_stamp.set(Some(micros));
        super::time(micros)
    }

    /// The modification time below which every change has committed: the feed of changes
    /// (`modifiedSince`) serves only what is older, so a transaction that commits late (on
    /// another instance) is never skipped by a client that already read past it. None when
    /// everything visible is complete (SQLite: its one writer stamps in commit order).
    /// Read in a statement of its own, before the page, so that whatever had committed when it
    /// was read is visible to the page.
    pub fn sync_horizon(&self, clock: &Clock) -> Result<Option<i64>> {
        if !self.is_postgres() {
            return Ok(None);
        }
        // Transactions in flight are short (milliseconds): waiting a little for those that
        // began before this request lets it see every change committed before it was asked,
        // rather than leave the newest for the next sync.
        let started = std::time::Instant::now();
        let mut asked_at = None;
        loop {
            let (now, horizon): (i64, i64) = self.query_row(
                "SELECT CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000000 AS BIGINT),
                        CAST(EXTRACT(EPOCH FROM LEAST(clock_timestamp(),
                            COALESCE(min(xact_start), 'infinity'))) * 1000000 AS BIGINT)
                   FROM pg_stat_activity
                  WHERE datname = current_database() AND pid <> pg_backend_pid()
                    AND backend_type = 'client backend' AND xact_start IS NOT NULL",
                (),
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

/// The longest a feed request waits for transactions that began before it to end.
const HORIZON_WAIT: std::time::Duration = std::time::Duration::from_millis(250);

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

//! The backend for several instances: PostgreSQL through the synchronous `postgres` client
//! (the blocking face of `tokio-postgres`), pooled by r2d2 and used from blocking tasks exactly
//! as SQLite is, so that the store's functions stay plain functions over one `Conn`. Each
//! write is one `READ COMMITTED` transaction; what SQLite's single writer made atomic is
//! made so here by row constraints and `Conn::lock`.

use std::collections::HashMap;
use std::error::Error as StdError;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use bytes::BytesMut;
use postgres::error::SqlState;
use postgres::types::{to_sql_checked, IsNull, ToSql, Type};
use postgres::NoTls;

use super::conn::Conn;
use super::value::{Row, Value};
use crate::error::{Error, Result};

/// The numbered files of `migrations/postgres/`, applied in order and recorded in
/// `schema_migrations`.
const MIGRATIONS: [&str; 4] = [
    include_str!("../../migrations/postgres/0001_schema.sql"),
    include_str!("../../migrations/postgres/0002_people.sql"),
    include_str!("../../migrations/postgres/0003_audit.sql"),
    include_str!("../../migrations/postgres/0004_lean_audit.sql"),
];

/// Statements kept prepared per connection; the list's dynamic filters make a few dozen.
const PREPARED_PER_CONNECTION: usize = 256;

/// Any key, so that instances starting together migrate one at a time.
const MIGRATION_LOCK: i64 = 0x1D_E5_C0_01;

/// One pooled connection and the statements prepared on it.
pub struct Session {
    /// Always Some until dropped (see `Drop`).
    connection: Option<postgres::Client>,
    prepared: HashMap<String, postgres::Statement>,
}

impl Session {
    fn client(&mut self) -> &mut postgres::Client {
        self.connection
            .as_mut()
            .expect("a session's connection lives as long as the session")
    }
}

/// The synchronous client closes its connection by blocking on its runtime, which panics on
/// a thread that drives async tasks (a pool is dropped wherever the server's state is): the
/// connection is closed on a thread of its own instead.
impl Drop for Session {
    fn drop(&mut self) {
        if let Some(client) = self.connection.take() {
            let _ = std::thread::Builder::new()
                .name("db-close".into())
                .spawn(move || drop(client));
        }
    }
}

pub(super) struct Manager {
    config: postgres::Config,
}

impl r2d2::ManageConnection for Manager {
    type Connection = Session;
    type Error = postgres::Error;

    fn connect(&self) -> std::result::Result<Session, postgres::Error> {
        Ok(Session {
            connection: Some(self.config.connect(NoTls)?),
            prepared: HashMap::new(),
        })
    }

    fn is_valid(&self, session: &mut Session) -> std::result::Result<(), postgres::Error> {
        session.client().simple_query("").map(|_| ())
    }

    fn has_broken(&self, session: &mut Session) -> bool {
        session
            .connection
            .as_ref()
            .is_none_or(postgres::Client::is_closed)
    }
}

pub(super) type Pool = r2d2::Pool<Manager>;

#[derive(Clone)]
pub struct PostgresDb {
    pool: Pool,
    /// A few connections for `Conn::autonomous`, apart from `pool` so that a write waiting
    /// for one never waits on another write.
    apart: Pool,
}

impl PostgresDb {
    /// Connects, migrates and keeps a pool of up to `connections`. Blocking: called from a
    /// blocking task, since the synchronous client runs its own small runtime.
    pub fn open(url: &str, connections: u32) -> Result<Self> {
        let mut config = postgres::Config::from_str(url)
            .map_err(|e| Error::Internal(format!("database URL: {e}")))?;
        if config.get_application_name().is_none() {
            config.application_name("invitedesk-server");
        }
        config.connect_timeout(Duration::from_secs(10));
        let pool = |size: u32, config: &postgres::Config| {
            r2d2::Pool::builder()
                .max_size(size)
                .min_idle(Some(1))
                .connection_timeout(Duration::from_secs(10))
                .build(Manager {
                    config: config.clone(),
                })
                .map_err(|e| Error::Internal(format!("database pool: {e}")))
        };
        let main = pool(connections.max(2), &config)?;
        // Counters committed apart lose nothing that matters in a crash: their connections
        // do not wait for the disk.
        config.options("-c synchronous_commit=off");
        let db = Self {
            pool: main,
            apart: pool(4, &config)?,
        };
        db.migrate()?;
        Ok(db)
    }

    fn session(&self) -> Result<r2d2::PooledConnection<Manager>> {
        session(&self.pool)
    }

    pub async fn read<T, F>(&self, work: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Conn) -> Result<T> + Send + 'static,
    {
        let db = self.clone();
        tokio::task::spawn_blocking(move || {
            let mut session = db.session()?;
            work(&Conn::postgres(&mut session, None))
        })
        .await
        .map_err(|e| Error::Internal(format!("read task: {e}")))?
    }

    pub async fn write<T, F>(&self, work: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Conn) -> Result<T> + Send + 'static,
    {
        let db = self.clone();
        tokio::task::spawn_blocking(move || {
            let mut session = db.session()?;
            in_transaction(&mut session, "BEGIN", Some(&db.apart), work)
        })
        .await
        .map_err(|e| Error::Internal(format!("write task: {e}")))?
    }

    /// Applies the migrations not yet recorded, one instance at a time; refuses a schema
    /// written by a newer server.
    fn migrate(&self) -> Result<()> {
        let mut session = self.session()?;
        let client = session.client();
        client.execute("SELECT pg_advisory_lock($1)", &[&MIGRATION_LOCK])?;
        let migrated = migrate_locked(client);
        client.execute("SELECT pg_advisory_unlock($1)", &[&MIGRATION_LOCK])?;
        migrated
    }
}

/// Makes a new, empty database on the server `admin_url` connects to, and answers its URL.
/// For tests: each gets its own database, as each gets its own SQLite file. Runs on a thread
/// of its own, since callers may be inside an async runtime.
pub fn throwaway_database(admin_url: &str) -> Result<String> {
    let admin = admin_url.to_owned();
    std::thread::spawn(move || -> Result<String> {
        let name = format!("invitedesk_test_{}", uuid::Uuid::new_v4().simple());
        let mut client = postgres::Config::from_str(&admin)
            .map_err(|e| Error::Internal(format!("database URL: {e}")))?
            .connect(NoTls)?;
        client.batch_execute(&format!("CREATE DATABASE {name}"))?;
        let (base, _) = admin
            .rsplit_once('/')
            .ok_or_else(|| Error::Internal("the URL names no database".into()))?;
        Ok(format!("{base}/{name}"))
    })
    .join()
    .map_err(|_| Error::Internal("the database thread panicked".into()))?
}

fn session(pool: &Pool) -> Result<r2d2::PooledConnection<Manager>> {
    pool.get()
        .map_err(|e| Error::Internal(format!("database pool: {e}")))
}

fn in_transaction<T>(
    session: &mut Session,
    begin: &str,
    apart: Option<&Pool>,
    work: impl FnOnce(&Conn) -> Result<T>,
) -> Result<T> {
    session.batch(begin)?;
    let done = work(&Conn::postgres(session, apart));
    match done {
        Ok(value) => session.batch("COMMIT").map(|_| value),
        Err(e) => {
            // A connection whose rollback fails is closed, so the pool drops it.
            let _ = session.batch("ROLLBACK");
            Err(e)
        }
    }
}

/// `work` on a connection of `pool`, each statement committed by itself without waiting for
/// the disk (see `Conn::autonomous`).
pub(super) fn apart<T>(pool: &Pool, work: impl FnOnce(&Conn) -> Result<T>) -> Result<T> {
    let mut session = session(pool)?;
    work(&Conn::postgres(&mut session, None))
}

fn migrate_locked(client: &mut postgres::Client) -> Result<()> {
    client.batch_execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             version    BIGINT PRIMARY KEY,
             dt_applied TIMESTAMPTZ NOT NULL DEFAULT now()
         )",
    )?;
    let applied: i64 = client
        .query_one(
            "SELECT COALESCE(max(version), 0) FROM schema_migrations",
            &[],
        )?
        .get(0);
    super::refuse_newer_schema(applied, MIGRATIONS.len())?;
    for (number, sql) in (1_i64..).zip(MIGRATIONS).skip(applied as usize) {
        let mut tx = client.transaction()?;
        tx.batch_execute(sql)?;
        tx.execute(
            "INSERT INTO schema_migrations (version) VALUES ($1)",
            &[&number],
        )?;
        tx.commit()?;
    }
    Ok(())
}

impl Session {
    fn prepared(&mut self, sql: &str) -> Result<postgres::Statement> {
        if let Some(statement) = self.prepared.get(sql) {
            return Ok(statement.clone());
        }
        let statement = self.client().prepare(&numbered_parameters(sql))?;
        if self.prepared.len() >= PREPARED_PER_CONNECTION {
            self.prepared.clear();
        }
        self.prepared.insert(sql.to_owned(), statement.clone());
        Ok(statement)
    }

    pub(super) fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>> {
        let statement = self.prepared(sql)?;
        let rows = self.client().query(&statement, &as_params(params))?;
        let names: Arc<[String]> = statement
            .columns()
            .iter()
            .map(|c| c.name().to_owned())
            .collect();
        rows.iter()
            .map(|row| {
                let values = statement
                    .columns()
                    .iter()
                    .enumerate()
                    .map(|(i, column)| value(row, i, column.type_()))
                    .collect::<Result<_>>()?;
                Ok(Row::new(names.clone(), values))
            })
            .collect()
    }

    pub(super) fn execute(&mut self, sql: &str, params: &[Value]) -> Result<usize> {
        let statement = self.prepared(sql)?;
        let changed = self.client().execute(&statement, &as_params(params))?;
        Ok(changed as usize)
    }

    pub(super) fn batch(&mut self, sql: &str) -> Result<()> {
        Ok(self.client().batch_execute(sql)?)
    }
}

fn as_params(params: &[Value]) -> Vec<&(dyn ToSql + Sync)> {
    params.iter().map(|p| p as &(dyn ToSql + Sync)).collect()
}

/// The store writes SQLite's `?` and `?N` parameters; PostgreSQL numbers them `$N`. A bare
/// `?` is one more than the highest number so far, as in SQLite. Quoted text is left alone.
pub fn numbered_parameters(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 16);
    let mut chars = sql.chars().peekable();
    let (mut quoted, mut highest) = (false, 0_u32);
    while let Some(c) = chars.next() {
        if quoted {
            quoted = c != '\'';
            out.push(c);
            continue;
        }
        match c {
            '\'' => {
                quoted = true;
                out.push(c);
            }
            '?' => {
                let mut number = 0_u32;
                let mut has_digits = false;
                while let Some(digit) = chars.peek().and_then(|d| d.to_digit(10)) {
                    number = number.saturating_mul(10).saturating_add(digit);
                    has_digits = true;
                    chars.next();
                }
                let number = if has_digits { number } else { highest + 1 };
                highest = highest.max(number);
                out.push('$');
                out.push_str(&number.to_string());
            }
            other => out.push(other),
        }
    }
    out
}

/// A value bound to whatever type PostgreSQL inferred for its parameter.
impl ToSql for Value {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut BytesMut,
    ) -> std::result::Result<IsNull, Box<dyn StdError + Sync + Send>> {
        match self {
            Value::Null => Ok(IsNull::Yes),
            Value::Integer(i) => match *ty {
                Type::INT2 => i16::try_from(*i)?.to_sql(ty, out),
                Type::INT4 => i32::try_from(*i)?.to_sql(ty, out),
                Type::BOOL => (*i != 0).to_sql(ty, out),
                Type::FLOAT8 => (*i as f64).to_sql(ty, out),
                Type::TEXT | Type::VARCHAR => i.to_string().to_sql(ty, out),
                _ => i.to_sql(ty, out),
            },
            Value::Real(r) => match *ty {
                Type::FLOAT4 => (*r as f32).to_sql(ty, out),
                _ => r.to_sql(ty, out),
            },
            Value::Text(t) => t.as_str().to_sql(ty, out),
            Value::Blob(b) => b.as_slice().to_sql(ty, out),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

fn value(row: &postgres::Row, i: usize, ty: &Type) -> Result<Value> {
    fn or_null<T>(v: Option<T>, f: impl FnOnce(T) -> Value) -> Value {
        v.map_or(Value::Null, f)
    }
    Ok(match *ty {
        Type::INT8 => or_null(row.try_get::<_, Option<i64>>(i)?, Value::Integer),
        Type::INT4 => or_null(row.try_get::<_, Option<i32>>(i)?, |v| {
            Value::Integer(v.into())
        }),
        Type::INT2 => or_null(row.try_get::<_, Option<i16>>(i)?, |v| {
            Value::Integer(v.into())
        }),
        Type::BOOL => or_null(row.try_get::<_, Option<bool>>(i)?, |v| {
            Value::Integer(v.into())
        }),
        Type::FLOAT8 => or_null(row.try_get::<_, Option<f64>>(i)?, Value::Real),
        Type::FLOAT4 => or_null(row.try_get::<_, Option<f32>>(i)?, |v| Value::Real(v.into())),
        Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME => {
            or_null(row.try_get::<_, Option<String>>(i)?, Value::Text)
        }
        Type::BYTEA => or_null(row.try_get::<_, Option<Vec<u8>>>(i)?, Value::Blob),
        ref other => {
            return Err(Error::Internal(format!(
                "column {i} is of type {other}, which the store does not read (CAST it)"
            )))
        }
    })
}

impl From<postgres::Error> for Error {
    fn from(e: postgres::Error) -> Self {
        let racing = [
            SqlState::UNIQUE_VIOLATION,
            SqlState::T_R_SERIALIZATION_FAILURE,
            SqlState::T_R_DEADLOCK_DETECTED,
        ];
        if e.code().is_some_and(|code| racing.contains(code)) {
            return Error::concurrent_change();
        }
        match e.as_db_error() {
            Some(db) => Error::Internal(format!(
                "database: {} ({}){}",
                db.message(),
                db.code().code(),
                db.where_().map(|w| format!(" at {w}")).unwrap_or_default()
            )),
            None => Error::Internal(format!("database: {e}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::numbered_parameters;

    #[test]
    fn parameters_are_numbered_as_sqlite_numbers_them() {
        assert_eq!(
            numbered_parameters("a = ? AND b = ?2 AND c = ? AND d = ?1"),
            "a = $1 AND b = $2 AND c = $3 AND d = $1"
        );
        assert_eq!(
            numbered_parameters("x LIKE '%?%' ESCAPE '\\' AND y = ?"),
            "x LIKE '%?%' ESCAPE '\\' AND y = $1"
        );
        assert_eq!(numbered_parameters("'it''s ?' || ?"), "'it''s ?' || $1");
    }
}

//! The tables' reads, all from the cache, online or offline: a window of invitations (status
//! filter, substring search, sort by any column, offset and limit) with its total, counts per
//! status, select-all ids, invite candidates, and CSV export of the current filter.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;

use chrono::{DateTime, Utc};
use invitedesk_model::{DeliveryStatus, Invitation, InvitationStatus, User, UserStatus};
use rusqlite::types::Value;
use rusqlite::OptionalExtension;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::cache::{decompress, Cache, CacheError};

type Result<T> = std::result::Result<T, CacheError>;

/// The status an invitation row shows now: Pending past its expiry is Expired, without a sync.
const INVITATION_STATUS: &str =
    "CASE WHEN status = 'Pending' AND dt_expiry IS NOT NULL AND dt_expiry <= :now THEN 'Expired' ELSE status END";
/// Past the end of their access an Active member shows as Inactive, as the server answers,
/// with no change to sync.
const USER_STATUS: &str =
    "CASE WHEN status = 'Active' AND dt_end_access IS NOT NULL AND dt_end_access <= :now THEN 'Inactive' ELSE status END";

/// What the window functions need to know of a cached list.
pub trait Table {
    /// The wire type kept in the records table.
    type Record: DeserializeOwned;
    type Status: Copy;
    type Column: Copy;
    const ROWS: &'static str;
    const RECORDS: &'static str;
    /// SQL for the status a row shows now (may use `:now`).
    const STATUS: &'static str;
    fn status_name(status: Self::Status) -> &'static str;
    /// SQL true for rows showing `status` now, cheapest test first.
    fn status_condition(status: Self::Status) -> &'static str;
    /// The column holding a time that changes the status shown (an invitation's expiry turns
    /// Pending into Expired, a member's end of access Active into Inactive), or `NULL`.
    const EXPIRY: &'static str;
    /// The status a row shows now, from its stored status and expiry (as `STATUS` does in SQL).
    fn shown_status(stored: &str, expiry: Option<i64>, now: i64) -> &str {
        let _ = (expiry, now);
        stored
    }
    fn column(column: Self::Column) -> &'static str;
    /// Sets the record's status to the one shown now.
    fn with_status(record: &mut Self::Record, status: &str);
    /// Fills in who its `createdBy` and `lastModifiedBy` ids name, from `name_of`.
    fn with_names(
        record: &mut Self::Record,
        name_of: impl Fn(&str) -> Result<Option<String>>,
    ) -> Result<()>;
}

/// Who `id` names, if it is set and known.
fn named(
    id: &Option<String>,
    name_of: &impl Fn(&str) -> Result<Option<String>>,
) -> Result<Option<String>> {
    id.as_deref().map(name_of).transpose().map(Option::flatten)
}

pub struct Invitations;
pub struct Users;

impl Table for Invitations {
    type Record = Invitation;
    type Status = InvitationStatus;
    type Column = SortColumn;
    const ROWS: &'static str = "invitations";
    const RECORDS: &'static str = "invitation_records";
    const STATUS: &'static str = INVITATION_STATUS;
    const EXPIRY: &'static str = "dt_expiry";
    fn shown_status(stored: &str, expiry: Option<i64>, now: i64) -> &str {
        match (stored, expiry) {
            ("Pending", Some(expiry)) if expiry <= now => "Expired",
            _ => stored,
        }
    }
    fn status_name(status: InvitationStatus) -> &'static str {
        status.as_str()
    }
    fn status_condition(status: InvitationStatus) -> &'static str {
        match status {
            InvitationStatus::Pending => {
                "(status = 'Pending' AND (dt_expiry IS NULL OR dt_expiry > :now))"
            }
            InvitationStatus::Expired => {
                "(status = 'Expired' OR (status = 'Pending' AND dt_expiry <= :now))"
            }
            InvitationStatus::Accepted => "status = 'Accepted'",
            InvitationStatus::Declined => "status = 'Declined'",
            InvitationStatus::Revoked => "status = 'Revoked'",
        }
    }
    fn column(column: SortColumn) -> &'static str {
        match column {
            SortColumn::Email => "email",
            SortColumn::Name => "name",
            SortColumn::Status => INVITATION_STATUS,
            SortColumn::AccessEnd => "dt_end_access",
            SortColumn::Expires => "dt_expiry",
            SortColumn::LastSent => "dt_last_sent",
            SortColumn::Created => "dt_created",
        }
    }
    fn with_status(record: &mut Invitation, status: &str) {
        record.status = InvitationStatus::parse(status).or(record.status);
    }
    fn with_names(
        record: &mut Invitation,
        name_of: impl Fn(&str) -> Result<Option<String>>,
    ) -> Result<()> {
        // The cache's names first (they follow renames); else what the server said.
        record.created_by_name =
            named(&record.created_by, &name_of)?.or(record.created_by_name.take());
        record.last_modified_by_name =
            named(&record.last_modified_by, &name_of)?.or(record.last_modified_by_name.take());
        Ok(())
    }
}

impl Table for Users {
    type Record = User;
    type Status = UserStatus;
    type Column = UserSortColumn;
    const ROWS: &'static str = "users";
    const RECORDS: &'static str = "user_records";
    const STATUS: &'static str = USER_STATUS;
    const EXPIRY: &'static str = "dt_end_access";
    fn shown_status(stored: &str, end_of_access: Option<i64>, now: i64) -> &str {
        match (stored, end_of_access) {
            ("Active", Some(end)) if end <= now => "Inactive",
            _ => stored,
        }
    }
    fn status_name(status: UserStatus) -> &'static str {
        status.as_str()
    }
    fn status_condition(status: UserStatus) -> &'static str {
        match status {
            UserStatus::Active => {
                "(status = 'Active' AND (dt_end_access IS NULL OR dt_end_access > :now))"
            }
            UserStatus::Inactive => {
                "(status = 'Inactive' OR (status = 'Active' AND dt_end_access <= :now))"
            }
        }
    }
    fn column(column: UserSortColumn) -> &'static str {
        match column {
            UserSortColumn::Email => "email",
            UserSortColumn::Name => "name",
            UserSortColumn::Status => USER_STATUS,
            UserSortColumn::AccessEnd => "dt_end_access",
            UserSortColumn::Created => "dt_created",
        }
    }
    fn with_status(record: &mut User, status: &str) {
        record.status = UserStatus::parse(status).or(record.status);
    }
    fn with_names(
        record: &mut User,
        name_of: impl Fn(&str) -> Result<Option<String>>,
    ) -> Result<()> {
        // The cache's names first (they follow renames); else what the server said.
        record.created_by_name =
            named(&record.created_by, &name_of)?.or(record.created_by_name.take());
        record.last_modified_by_name =
            named(&record.last_modified_by, &name_of)?.or(record.last_modified_by_name.take());
        Ok(())
    }
}

/// The invitations table's sortable columns.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum SortColumn {
    Email,
    Name,
    Status,
    AccessEnd,
    Expires,
    LastSent,
    #[default]
    Created,
}

/// The users table's sortable columns.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum UserSortColumn {
    Email,
    Name,
    Status,
    AccessEnd,
    #[default]
    Created,
}

/// Which rows a table shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Window<S = InvitationStatus, C = SortColumn> {
    /// Empty means every status.
    #[serde(default = "Vec::new")]
    pub statuses: Vec<S>,
    pub search: Option<String>,
    /// Only invitations whose e-mail is in this state ("Delivery failed"); users have none.
    #[serde(default)]
    pub delivery: Option<DeliveryStatus>,
    pub sort: C,
    pub descending: bool,
    pub offset: u32,
    pub limit: u32,
}

// By hand: a derive would ask for `S: Default`, which a status has no reason to be.
impl<S, C: Default> Default for Window<S, C> {
    fn default() -> Self {
        Self {
            statuses: Vec::new(),
            search: None,
            delivery: None,
            sort: C::default(),
            descending: false,
            offset: 0,
            limit: 100,
        }
    }
}

pub type UserWindow = Window<UserStatus, UserSortColumn>;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WindowRows<R = Invitation> {
    pub rows: Vec<R>,
    /// Rows matching the filter, beyond this window too.
    pub total: u64,
}

/// The WHERE clause of a window and its named parameters.
fn filter<T: Table>(
    window: &Window<T::Status, T::Column>,
    now: DateTime<Utc>,
) -> (String, Vec<(String, Value)>) {
    let mut clauses = vec!["1 = 1".to_owned()];
    let mut params: Vec<(String, Value)> =
        vec![(":now".into(), Value::Integer(now.timestamp_micros()))];
    if !window.statuses.is_empty() {
        let conditions: Vec<&str> = window
            .statuses
            .iter()
            .map(|s| T::status_condition(*s))
            .collect();
        clauses.push(format!("({})", conditions.join(" OR ")));
    }
    if let Some(delivery) = window.delivery {
        clauses.push("delivery = :delivery".into());
        params.push((":delivery".into(), Value::Text(delivery.as_str().into())));
    }
    (clauses.join(" AND "), params)
}

fn searched(search: Option<&str>) -> Option<&str> {
    search.map(str::trim).filter(|s| !s.is_empty())
}

/// The parameters `sql` names (a count without a status filter does not use `:now`).
fn as_refs<'a>(
    sql: &str,
    params: &'a [(String, Value)],
) -> Vec<(&'a str, &'a dyn rusqlite::ToSql)> {
    params
        .iter()
        .filter(|(name, _)| sql.contains(name.as_str()))
        .map(|(name, value)| (name.as_str(), value as &dyn rusqlite::ToSql))
        .collect()
}

pub fn invitation_window(cache: &Cache, window: &Window, now: DateTime<Utc>) -> Result<WindowRows> {
    window_of::<Invitations>(cache, window, now)
}

pub fn user_window(
    cache: &Cache,
    window: &UserWindow,
    now: DateTime<Utc>,
) -> Result<WindowRows<User>> {
    window_of::<Users>(cache, window, now)
}

/// One window of a list. Without a search it walks the sort column's index, checking the
/// status on the way, and counts apart. With a search the matches come from the cache's
/// in-memory search index, and SQLite sorts only those rows.
pub fn window_of<T: Table>(
    cache: &Cache,
    window: &Window<T::Status, T::Column>,
    now: DateTime<Utc>,
) -> Result<WindowRows<T::Record>> {
    if let Some(search) = searched(window.search.as_deref()) {
        return searched_window::<T>(cache, window, search, now);
    }
    let (clause, mut params) = filter::<T>(window, now);
    let direction = if window.descending { "DESC" } else { "ASC" };
    let sql = format!(
        "SELECT rowid, {status} FROM {rows} WHERE {clause}
         ORDER BY {column} {direction} NULLS LAST, id {direction} LIMIT :limit OFFSET :offset",
        status = T::STATUS,
        rows = T::ROWS,
        column = T::column(window.sort),
    );
    params.push((":limit".into(), Value::Integer(i64::from(window.limit))));
    params.push((":offset".into(), Value::Integer(i64::from(window.offset))));
    let conn = cache.connection();
    let found: Vec<(i64, String)> = conn
        .prepare_cached(&sql)?
        .query_map(as_refs(&sql, &params).as_slice(), |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let total = count::<T>(conn, &clause, &params)?;
    let rows = found
        .into_iter()
        .map(|(rowid, status)| record::<T>(cache, rowid, &status))
        .collect::<Result<_>>()?;
    Ok(WindowRows { rows, total })
}

/// Builds the in-memory search indexes now (after a sync changed something), so the first
/// keystroke in a search box does not pay for them.
pub fn warm_search(cache: &Cache) -> Result<()> {
    cache.search(Invitations::ROWS, Invitations::EXPIRY, "", |_, _| false)?;
    cache.search(Users::ROWS, Users::EXPIRY, "", |_, _| false)?;
    Ok(())
}

/// A searched window: the matching rowids from memory, then one query that sorts just those
/// (`+column` keeps SQLite from walking the sort index instead).
fn searched_window<T: Table>(
    cache: &Cache,
    window: &Window<T::Status, T::Column>,
    search: &str,
    now: DateTime<Utc>,
) -> Result<WindowRows<T::Record>> {
    let wanted: Vec<&str> = window.statuses.iter().map(|s| T::status_name(*s)).collect();
    let now_micros = now.timestamp_micros();
    let matches = cache.search(T::ROWS, T::EXPIRY, search, |stored, expiry| {
        wanted.is_empty() || wanted.contains(&T::shown_status(stored, expiry, now_micros))
    })?;
    let mut total = matches.len() as u64;
    let ids: std::rc::Rc<Vec<Value>> =
        std::rc::Rc::new(matches.into_iter().map(Value::Integer).collect());
    let delivery = window.delivery.map(|d| d.as_str());
    let delivered = match delivery {
        Some(_) => "AND delivery = :delivery",
        None => "",
    };
    if delivery.is_some() {
        let sql = format!(
            "SELECT count(*) FROM {} WHERE rowid IN rarray(:ids) {delivered}",
            T::ROWS
        );
        let counted: i64 = cache.connection().prepare_cached(&sql)?.query_row(
            rusqlite::named_params! {":ids": ids, ":delivery": delivery},
            |r| r.get(0),
        )?;
        total = counted as u64;
    }
    let direction = if window.descending { "DESC" } else { "ASC" };
    let sql = format!(
        "SELECT rowid, {status} FROM {rows} WHERE rowid IN rarray(:ids) {delivered}
         ORDER BY +({column}) {direction} NULLS LAST, id {direction} LIMIT :limit OFFSET :offset",
        status = T::STATUS,
        rows = T::ROWS,
        column = T::column(window.sort),
    );
    let params: [(&str, &dyn rusqlite::ToSql); 5] = [
        (":now", &now_micros),
        (":ids", &ids),
        (":delivery", &delivery),
        (":limit", &window.limit),
        (":offset", &window.offset),
    ];
    let named: Vec<(&str, &dyn rusqlite::ToSql)> = params
        .into_iter()
        .filter(|(name, _)| sql.contains(name))
        .collect();
    let conn = cache.connection();
    let found: Vec<(i64, String)> = conn
        .prepare_cached(&sql)?
        .query_map(named.as_slice(), |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let rows = found
        .into_iter()
        .map(|(rowid, status)| record::<T>(cache, rowid, &status))
        .collect::<Result<_>>()?;
    Ok(WindowRows { rows, total })
}

fn count<T: Table>(
    conn: &rusqlite::Connection,
    clause: &str,
    params: &[(String, Value)],
) -> Result<u64> {
    let sql = format!("SELECT count(*) FROM {} WHERE {clause}", T::ROWS);
    let total: i64 = conn
        .prepare_cached(&sql)?
        .query_row(as_refs(&sql, params).as_slice(), |r| r.get(0))?;
    Ok(total as u64)
}

fn record<T: Table>(cache: &Cache, rowid: i64, status: &str) -> Result<T::Record> {
    let sql = format!("SELECT record FROM {} WHERE rowid = ?", T::RECORDS);
    let stored: Vec<u8> = cache
        .connection()
        .prepare_cached(&sql)?
        .query_row([rowid], |r| r.get(0))?;
    let mut record: T::Record = serde_json::from_slice(&decompress(&stored)?)?;
    T::with_status(&mut record, status);
    T::with_names(&mut record, |id| cache.principal_name(id))?;
    Ok(record)
}

/// How many cached invitations are in each status now (for the tabs).
pub fn counts_by_status(cache: &Cache, now: DateTime<Utc>) -> Result<BTreeMap<&'static str, u64>> {
    let sql = format!("SELECT {INVITATION_STATUS} AS s, count(*) FROM invitations GROUP BY s");
    let mut statement = cache.connection().prepare_cached(&sql)?;
    let mut counts: BTreeMap<&'static str, u64> = InvitationStatus::ALL
        .iter()
        .map(|s| (s.as_str(), 0))
        .collect();
    let rows = statement.query_map(&[(":now", &now.timestamp_micros())], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
    })?;
    for row in rows {
        let (status, count) = row?;
        if let Some(known) = InvitationStatus::parse(&status) {
            counts.insert(known.as_str(), count as u64);
        }
    }
    Ok(counts)
}

/// How many cached users are in each status (for the users table's tabs).
pub fn user_counts_by_status(
    cache: &Cache,
    now: DateTime<Utc>,
) -> Result<BTreeMap<&'static str, u64>> {
    let mut counts: BTreeMap<&'static str, u64> = [UserStatus::Active, UserStatus::Inactive]
        .iter()
        .map(|s| (s.as_str(), 0))
        .collect();
    let mut statement = cache.connection().prepare_cached(&format!(
        "SELECT {USER_STATUS} AS shown, count(*) FROM users GROUP BY shown"
    ))?;
    let rows = statement.query_map(&[(":now", &now.timestamp_micros())], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
    })?;
    for row in rows {
        let (status, count) = row?;
        if let Some(known) = UserStatus::parse(&status) {
            counts.insert(known.as_str(), count as u64);
        }
    }
    Ok(counts)
}

/// The most ids "select all" takes: a bulk action over more is a job for an import.
pub const SELECT_ALL_MAX: u32 = 10_000;

/// The ids of every invitation the window's filter shows (its offset and limit ignored), up
/// to [`SELECT_ALL_MAX`]: what "select all" ticks, rows not drawn yet included.
pub fn invitation_ids(
    cache: &Cache,
    window: &Window,
    now: DateTime<Utc>,
) -> Result<Vec<uuid::Uuid>> {
    ids_of::<Invitations>(cache, window, now)
}

/// The same for the users' table.
pub fn user_ids(cache: &Cache, window: &UserWindow, now: DateTime<Utc>) -> Result<Vec<uuid::Uuid>> {
    ids_of::<Users>(cache, window, now)
}

fn ids_of<T: Table>(
    cache: &Cache,
    window: &Window<T::Status, T::Column>,
    now: DateTime<Utc>,
) -> Result<Vec<uuid::Uuid>>
where
    Window<T::Status, T::Column>: Clone,
    T::Record: Identified,
{
    let all = Window {
        limit: SELECT_ALL_MAX,
        offset: 0,
        ..window.clone()
    };
    Ok(window_of::<T>(cache, &all, now)?
        .rows
        .iter()
        .map(Identified::id)
        .collect())
}

/// A record with an id, whichever list it is from.
pub trait Identified {
    fn id(&self) -> uuid::Uuid;
}

impl Identified for invitedesk_model::Invitation {
    fn id(&self) -> uuid::Uuid {
        self.id
    }
}

impl Identified for invitedesk_model::User {
    fn id(&self) -> uuid::Uuid {
        self.id
    }
}

/// Each cached invitation of `ids` with its e-mail and the status it shows now, in the order
/// asked (ids not cached are left out): what a bulk action judges each row by.
pub fn invitation_statuses(
    cache: &Cache,
    ids: &[uuid::Uuid],
    now: DateTime<Utc>,
) -> Result<Vec<(uuid::Uuid, String, InvitationStatus)>> {
    let found = id_statuses(cache, Invitations::ROWS, Invitations::STATUS, ids, now)?;
    Ok(in_order(ids, found, InvitationStatus::parse))
}

/// The same for cached users.
pub fn user_statuses(
    cache: &Cache,
    ids: &[uuid::Uuid],
    now: DateTime<Utc>,
) -> Result<Vec<(uuid::Uuid, String, UserStatus)>> {
    let found = id_statuses(cache, Users::ROWS, Users::STATUS, ids, now)?;
    Ok(in_order(ids, found, UserStatus::parse))
}

fn id_statuses(
    cache: &Cache,
    rows: &str,
    status: &str,
    ids: &[uuid::Uuid],
    now: DateTime<Utc>,
) -> Result<HashMap<uuid::Uuid, (String, String)>> {
    let wanted: std::rc::Rc<Vec<Value>> = std::rc::Rc::new(
        ids.iter()
            .map(|id| Value::Blob(id.as_bytes().to_vec()))
            .collect(),
    );
    let sql = format!("SELECT id, email, {status} FROM {rows} WHERE id IN rarray(:ids)");
    let mut statement = cache.connection().prepare_cached(&sql)?;
    let found = statement.query_map(
        rusqlite::named_params! {":ids": wanted, ":now": now.timestamp_micros()},
        |r| {
            Ok((
                r.get::<_, Vec<u8>>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        },
    )?;
    let mut by_id = HashMap::new();
    for row in found {
        let (id, email, status) = row?;
        if let Ok(id) = uuid::Uuid::from_slice(&id) {
            by_id.insert(id, (email, status));
        }
    }
    Ok(by_id)
}

fn in_order<S>(
    ids: &[uuid::Uuid],
    mut found: HashMap<uuid::Uuid, (String, String)>,
    parse: impl Fn(&str) -> Option<S>,
) -> Vec<(uuid::Uuid, String, S)> {
    ids.iter()
        .filter_map(|id| {
            let (email, status) = found.remove(id)?;
            Some((*id, email, parse(&status)?))
        })
        .collect()
}

/// Someone the organisation knows who is not a member now: whom "invite an existing user"
/// offers. `reason` is why they are known: their last invitation's status (`Accepted` for a
/// former member, whose membership has since gone).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Candidate {
    pub email: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub reason: InvitationStatus,
}

/// Up to `limit` people to invite again, by e-mail or name: the last invitation of each
/// address that has no member and no live (Pending) invitation now.
pub fn invite_candidates(
    cache: &Cache,
    search: &str,
    limit: u32,
    now: DateTime<Utc>,
) -> Result<Vec<Candidate>> {
    let now_micros = now.timestamp_micros();
    let matching: Option<std::rc::Rc<Vec<Value>>> = match searched(Some(search)) {
        None => None,
        Some(needle) => Some(std::rc::Rc::new(
            cache
                .search(Invitations::ROWS, Invitations::EXPIRY, needle, |_, _| true)?
                .into_iter()
                .map(Value::Integer)
                .collect(),
        )),
    };
    let within = match matching {
        Some(_) => "i.rowid IN rarray(:ids) AND",
        None => "",
    };
    let sql = format!(
        "SELECT i.rowid, {INVITATION_STATUS} FROM invitations i
         WHERE {within} NOT EXISTS (SELECT 1 FROM users u WHERE u.email = i.email)
           AND NOT EXISTS (SELECT 1 FROM invitations p WHERE p.email = i.email
                AND p.status = 'Pending' AND (p.dt_expiry IS NULL OR p.dt_expiry > :now))
           AND NOT EXISTS (SELECT 1 FROM invitations later WHERE later.email = i.email
                AND later.dt_created > i.dt_created)
         ORDER BY i.dt_created DESC, i.id LIMIT :limit"
    );
    let conn = cache.connection();
    let mut statement = conn.prepare_cached(&sql)?;
    let ids = matching.unwrap_or_default();
    let params: [(&str, &dyn rusqlite::ToSql); 3] =
        [(":now", &now_micros), (":ids", &ids), (":limit", &limit)];
    let named: Vec<(&str, &dyn rusqlite::ToSql)> = params
        .into_iter()
        .filter(|(name, _)| sql.contains(name))
        .collect();
    let found: Vec<(i64, String)> = statement
        .query_map(named.as_slice(), |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    found
        .into_iter()
        .map(|(rowid, status)| {
            let invitation = record::<Invitations>(cache, rowid, &status)?;
            Ok(Candidate {
                email: invitation.email.unwrap_or_default(),
                first_name: invitation.first_name,
                last_name: invitation.last_name,
                reason: invitation.status.unwrap_or(InvitationStatus::Expired),
            })
        })
        .collect()
}

/// The member with this e-mail, if cached: what "open the user" of an accepted invitation
/// shows (an organisation has one member per e-mail). Uses the e-mail index.
pub fn user_by_email(cache: &Cache, email: &str) -> Result<Option<User>> {
    let (exact, lower) = (email.trim(), email.trim().to_lowercase());
    let sql = format!(
        "SELECT rowid, {status} FROM users WHERE email = ?1 OR email = ?2 LIMIT 1",
        status = Users::STATUS
    );
    let conn = cache.connection();
    let found: Option<(i64, String)> = conn
        .prepare_cached(&sql)?
        .query_row((exact, &lower), |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    found
        .map(|(rowid, status)| record::<Users>(cache, rowid, &status))
        .transpose()
}

/// A spreadsheet would run a cell that starts like a formula; a leading quote keeps it text.
fn neutralised(cell: String) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell
    }
}

/// Every row of the window's filter and sort (its offset and limit ignored).
fn everything<S: Clone, C: Clone>(window: &Window<S, C>) -> Window<S, C> {
    Window {
        offset: 0,
        limit: u32::MAX,
        ..window.clone()
    }
}

fn date(time: Option<DateTime<Utc>>) -> String {
    time.map(|t| t.to_rfc3339()).unwrap_or_default()
}

fn text(value: &Option<String>) -> String {
    value.clone().unwrap_or_default()
}

/// Writes `header` and `rows` as RFC 4180 CSV, every cell neutralised; answers how many rows.
pub(crate) fn write_csv<const N: usize>(
    out: impl Write,
    header: [&str; N],
    rows: impl Iterator<Item = [String; N]>,
) -> Result<u64> {
    let mut csv = csv::Writer::from_writer(out);
    let failed = |e: csv::Error| CacheError::Io(std::io::Error::other(e));
    csv.write_record(header).map_err(failed)?;
    let mut written = 0;
    for row in rows {
        csv.write_record(row.map(neutralised)).map_err(failed)?;
        written += 1;
    }
    csv.flush()?;
    Ok(written)
}

/// The invitations of the window's filter, in its order, as CSV; answers how many rows.
pub fn export_invitations_csv(
    cache: &Cache,
    window: &Window,
    now: DateTime<Utc>,
    out: impl Write,
) -> Result<u64> {
    let rows = invitation_window(cache, &everything(window), now)?.rows;
    let header = [
        "E-mail",
        "First name",
        "Last name",
        "Status",
        "Access end",
        "Expires",
        "Last sent",
        "Delivery",
        "Created",
        "Created by",
    ];
    let cells = rows.iter().map(|i| {
        [
            text(&i.email),
            text(&i.first_name),
            text(&i.last_name),
            i.status.map(|s| s.as_str().to_owned()).unwrap_or_default(),
            date(i.dt_end_access),
            date(i.dt_expiry),
            date(i.dt_last_sent),
            i.delivery_status
                .map(|d| d.as_str().to_owned())
                .unwrap_or_default(),
            date(i.dt_created),
            i.created_by_name
                .clone()
                .or(i.created_by.clone())
                .unwrap_or_default(),
        ]
    });
    write_csv(out, header, cells)
}

/// The users of the window's filter, in its order, as CSV; answers how many rows.
pub fn export_users_csv(
    cache: &Cache,
    window: &UserWindow,
    now: DateTime<Utc>,
    out: impl Write,
) -> Result<u64> {
    let rows = user_window(cache, &everything(window), now)?.rows;
    let header = [
        "E-mail",
        "First name",
        "Last name",
        "Status",
        "Access end",
        "Created",
        "Created by",
    ];
    let cells = rows.iter().map(|u| {
        [
            text(&u.email),
            text(&u.first_name),
            text(&u.last_name),
            u.status.map(|s| s.as_str().to_owned()).unwrap_or_default(),
            date(u.dt_end_access),
            date(u.dt_created),
            u.created_by_name
                .clone()
                .or(u.created_by.clone())
                .unwrap_or_default(),
        ]
    });
    write_csv(out, header, cells)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_member_past_the_end_of_access_shows_and_counts_as_inactive_offline() {
        let dir = tempfile::tempdir().unwrap();
        let mut cache = Cache::open(&dir.path().join("cache.db")).unwrap();
        let now = Utc::now();
        let member: User = serde_json::from_value(serde_json::json!({
            "id": uuid::Uuid::new_v4(),
            "email": "leaving@example.com",
            "status": "Active",
            "dtEndAccess": now + chrono::Duration::hours(1),
            "dtCreated": now,
            "dtLastModified": now,
        }))
        .unwrap();
        cache.put_user(&member).unwrap();
        let shown = |status: UserStatus, at: DateTime<Utc>| {
            let window = UserWindow {
                statuses: vec![status],
                limit: 10,
                ..Default::default()
            };
            user_window(&cache, &window, at).unwrap().rows
        };
        assert_eq!(shown(UserStatus::Active, now).len(), 1);
        let later = now + chrono::Duration::hours(2);
        assert!(shown(UserStatus::Active, later).is_empty());
        let inactive = shown(UserStatus::Inactive, later);
        assert_eq!(inactive[0].status, Some(UserStatus::Inactive));
        assert_eq!(user_counts_by_status(&cache, later).unwrap()["Inactive"], 1);
        assert_eq!(user_counts_by_status(&cache, now).unwrap()["Active"], 1);
    }

    #[test]
    fn cells_that_look_like_formulas_stay_text() {
        assert_eq!(
            neutralised("=HYPERLINK(\"x\")".into()),
            "'=HYPERLINK(\"x\")"
        );
        assert_eq!(neutralised("+1 555".into()), "'+1 555");
        assert_eq!(neutralised("@SUM(A1)".into()), "'@SUM(A1)");
        assert_eq!(neutralised("ada@example.com".into()), "ada@example.com");
    }
}

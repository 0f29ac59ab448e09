//! The tables' reads, all from the cache, online or offline: a window of invitations (status
//! filter, substring search, sort by any column, offset and limit) with its total, counts per
//! status, find by e-mail prefix, and CSV export of the current filter.

use std::collections::BTreeMap;
use std::io::Write;

use chrono::{DateTime, Utc};
use invitedesk_model::search::like_pattern;
use invitedesk_model::{Invitation, InvitationStatus};
use rusqlite::types::Value;

use crate::cache::{Cache, CacheError};

type Result<T> = std::result::Result<T, CacheError>;

/// The status a row shows now: Pending past its expiry is Expired, without a sync.
const EFFECTIVE_STATUS: &str =
    "CASE WHEN status = 'Pending' AND dt_expiry IS NOT NULL AND dt_expiry <= :now THEN 'Expired' ELSE status END";

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
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

impl SortColumn {
    fn sql(self) -> &'static str {
        match self {
            SortColumn::Email => "email",
            SortColumn::Name => "name",
            SortColumn::Status => "effective_status",
            // The others are plain columns, so SQLite can walk an index for them.
            SortColumn::AccessEnd => "dt_end_access",
            SortColumn::Expires => "dt_expiry",
            SortColumn::LastSent => "dt_last_sent",
            SortColumn::Created => "dt_created",
        }
    }
}

/// Which rows a table shows.
#[derive(Debug, Clone, Default)]
pub struct Window {
    /// None means every status.
    pub statuses: Vec<InvitationStatus>,
    pub search: Option<String>,
    pub sort: SortColumn,
    pub descending: bool,
    pub offset: u32,
    pub limit: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct WindowRows {
    pub rows: Vec<Invitation>,
    /// Rows matching the filter, beyond this window too.
    pub total: u64,
}

/// The WHERE clause of a window and its named parameters.
fn filter(window: &Window, now: DateTime<Utc>) -> (String, Vec<(String, Value)>) {
    let mut clauses = vec!["1 = 1".to_owned()];
    let mut params: Vec<(String, Value)> =
        vec![(":now".into(), Value::Integer(now.timestamp_micros()))];
    if !window.statuses.is_empty() {
        let names: Vec<String> = (0..window.statuses.len())
            .map(|i| format!(":s{i}"))
            .collect();
        clauses.push(format!("({EFFECTIVE_STATUS}) IN ({})", names.join(", ")));
        for (name, status) in names.into_iter().zip(&window.statuses) {
            params.push((name, Value::Text(status.as_str().into())));
        }
    }
    if let Some(search) = window
        .search
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        clauses.push("search_text LIKE :search ESCAPE '\\'".into());
        params.push((":search".into(), Value::Text(like_pattern(search))));
    }
    (clauses.join(" AND "), params)
}

fn with_status(record: &str, status: &str) -> Result<Invitation> {
    let mut invitation: Invitation = serde_json::from_str(record)?;
    invitation.status = InvitationStatus::parse(status);
    Ok(invitation)
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
    let (clause, mut params) = filter(window, now);
    let conn = cache.connection();
    let count = format!("SELECT count(*) FROM invitations WHERE {clause}");
    let total: i64 = conn
        .prepare_cached(&count)?
        .query_row(as_refs(&count, &params).as_slice(), |r| r.get(0))?;
    let direction = if window.descending { "DESC" } else { "ASC" };
    let sql = format!(
        "SELECT record, {EFFECTIVE_STATUS} AS effective_status FROM invitations WHERE {clause}
         ORDER BY {} {direction} NULLS LAST, id {direction} LIMIT :limit OFFSET :offset",
        window.sort.sql()
    );
    params.push((":limit".into(), Value::Integer(i64::from(window.limit))));
    params.push((":offset".into(), Value::Integer(i64::from(window.offset))));
    let mut statement = conn.prepare_cached(&sql)?;
    let mut rows = Vec::new();
    let mut cursor = statement.query(as_refs(&sql, &params).as_slice())?;
    while let Some(row) = cursor.next()? {
        rows.push(with_status(
            &row.get::<_, String>(0)?,
            &row.get::<_, String>(1)?,
        )?);
    }
    Ok(WindowRows {
        rows,
        total: total as u64,
    })
}

/// How many cached invitations are in each status now (for the tabs).
pub fn counts_by_status(cache: &Cache, now: DateTime<Utc>) -> Result<BTreeMap<&'static str, u64>> {
    let sql = format!("SELECT {EFFECTIVE_STATUS} AS s, count(*) FROM invitations GROUP BY s");
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

/// Invitations whose e-mail starts with `prefix`, for the helpdesk's search box; uses the
/// e-mail index, so it stays instant over 100k rows.
pub fn find_by_email_prefix(
    cache: &Cache,
    prefix: &str,
    limit: u32,
    now: DateTime<Utc>,
) -> Result<Vec<Invitation>> {
    let prefix = prefix.trim().to_lowercase();
    let sql = format!(
        "SELECT record, {EFFECTIVE_STATUS} FROM invitations
         WHERE email >= :from AND email < :to ORDER BY email, dt_created DESC LIMIT :limit"
    );
    let mut statement = cache.connection().prepare_cached(&sql)?;
    let upper = format!("{prefix}\u{10FFFF}");
    let params: [(&str, &dyn rusqlite::ToSql); 4] = [
        (":now", &now.timestamp_micros()),
        (":from", &prefix),
        (":to", &upper),
        (":limit", &limit),
    ];
    let mut cursor = statement.query(params.as_slice())?;
    let mut found = Vec::new();
    while let Some(row) = cursor.next()? {
        found.push(with_status(
            &row.get::<_, String>(0)?,
            &row.get::<_, String>(1)?,
        )?);
    }
    Ok(found)
}

/// A spreadsheet would run a cell that starts like a formula; a leading quote keeps it text.
fn neutralised(cell: String) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell
    }
}

/// Writes every row of the window's filter (its offset and limit ignored) as RFC 4180 CSV;
/// answers how many rows.
pub fn export_csv(
    cache: &Cache,
    window: &Window,
    now: DateTime<Utc>,
    out: impl Write,
) -> Result<u64> {
    let everything = Window {
        offset: 0,
        limit: u32::MAX,
        ..window.clone()
    };
    let rows = invitation_window(cache, &everything, now)?.rows;
    let mut csv = csv::Writer::from_writer(out);
    let failed = |e: csv::Error| CacheError::Io(std::io::Error::other(e));
    csv.write_record([
        "E-mail",
        "First name",
        "Last name",
        "Status",
        "Access end",
        "Expires",
        "Last sent",
        "Created",
        "Created by",
    ])
    .map_err(failed)?;
    let date = |d: Option<DateTime<Utc>>| d.map(|d| d.to_rfc3339()).unwrap_or_default();
    for i in &rows {
        let record = [
            i.email.clone().unwrap_or_default(),
            i.first_name.clone().unwrap_or_default(),
            i.last_name.clone().unwrap_or_default(),
            i.status.map(|s| s.as_str().to_owned()).unwrap_or_default(),
            date(i.dt_end_access),
            date(i.dt_expiry),
            date(i.dt_last_sent),
            date(i.dt_created),
            i.created_by.clone().unwrap_or_default(),
        ];
        csv.write_record(record.map(neutralised)).map_err(failed)?;
    }
    csv.flush()?;
    Ok(rows.len() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

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

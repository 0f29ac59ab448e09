//! The Activity tab's reads, all from the cache, online or offline: a window of the audit
//! trail (filtered by actor, action, record, e-mail and time, searched, newest first) with its
//! total, the actors to filter by, a record's own history, and CSV export of the filter.

use std::io::Write;

use chrono::{DateTime, Utc};
use invitedesk_model::AuditEvent;
use rusqlite::types::Value;
use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::cache::{decompress, Cache, CacheError};
use crate::history;
use crate::queries::{write_csv, WindowRows};

type Result<T> = std::result::Result<T, CacheError>;

/// What the Activity tab shows: its filters, search, and the rows on screen.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ActivityFilter {
    pub actor_id: Option<String>,
    pub action: Option<String>,
    pub record_id: Option<Uuid>,
    /// The record's e-mail, exactly (case aside).
    pub email: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub search: Option<String>,
    pub offset: u32,
    pub limit: u32,
}

/// An event as the table shows it: the event, and what changed in plain words.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ActivityEntry {
    #[serde(flatten)]
    pub event: AuditEvent,
    /// "First name: Ada → Adah; Access end: (none) → 2027-01-31"
    pub changed: String,
}

/// Someone who appears in the trail, for the actor filter.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Actor {
    pub id: String,
    pub name: String,
}

/// The WHERE clause for `filter`'s conditions and its parameters, each on an index.
fn conditions(filter: &ActivityFilter) -> (String, Vec<(&'static str, Value)>) {
    let mut clauses = vec!["1 = 1"];
    let mut params = Vec::new();
    if let Some(actor) = filter.actor_id.as_deref().filter(|a| !a.is_empty()) {
        clauses.push("actor_id = :actor");
        params.push((":actor", Value::Text(actor.to_owned())));
    }
    if let Some(action) = filter.action.as_deref().filter(|a| !a.is_empty()) {
        clauses.push("status = :action");
        params.push((":action", Value::Text(action.to_owned())));
    }
    if let Some(id) = filter.record_id {
        clauses.push("record_id = :record");
        params.push((":record", Value::Blob(id.as_bytes().to_vec())));
    }
    if let Some(email) = filter
        .email
        .as_deref()
        .map(str::trim)
        .filter(|e| !e.is_empty())
    {
        // Stored lower-cased (`ActivityRow`), so the index answers.
        clauses.push("record_email = :email");
        params.push((":email", Value::Text(email.to_lowercase())));
    }
    if let Some(from) = filter.from {
        clauses.push("dt_created >= :from");
        params.push((":from", Value::Integer(from.timestamp_micros())));
    }
    if let Some(to) = filter.to {
        clauses.push("dt_created < :to");
        params.push((":to", Value::Integer(to.timestamp_micros())));
    }
    (clauses.join(" AND "), params)
}

fn refs<'a>(params: &'a [(&'static str, Value)]) -> Vec<(&'a str, &'a dyn rusqlite::ToSql)> {
    params
        .iter()
        .map(|(name, value)| (*name, value as &dyn rusqlite::ToSql))
        .collect()
}

/// One window of the trail, newest first, and how many events match in all. A search takes
/// its matches from the cache's in-memory index (the action filter applied on the way) and,
/// with no other filter, orders them there too; otherwise SQLite filters and orders only
/// those. Totals, and the positions a deep window starts from, are worked out once per write
/// to the cache.
pub fn activity_window(
    cache: &Cache,
    filter: &ActivityFilter,
) -> Result<WindowRows<ActivityEntry>> {
    let (mut clause, params) = conditions(filter);
    let search = filter
        .search
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let Some(needle) = search else {
        return window_where(cache, &clause, params, filter);
    };
    let action = filter.action.as_deref().filter(|a| !a.is_empty());
    let mut matches = cache.search_with_times("activity", "dt_created", needle, |stored, _| {
        action.is_none_or(|a| a == stored)
    })?;
    if params.is_empty() {
        return newest_of(cache, &mut matches, filter);
    }
    let ids: Vec<Value> = matches
        .into_iter()
        .map(|(rowid, _)| Value::Integer(rowid))
        .collect();
    let ids = std::rc::Rc::new(ids);
    clause.push_str(" AND rowid IN rarray(:ids)");
    let mut bound = refs(&params);
    bound.push((":ids", &ids as &dyn rusqlite::ToSql));
    let total = count(cache.connection(), &clause, &bound)?;
    let rows = rows_where(cache, &clause, &bound, filter.offset, filter)?;
    Ok(WindowRows { rows, total })
}

/// The window of `matches` (rowid, time) newest first, sorted here.
fn newest_of(
    cache: &Cache,
    matches: &mut [(i64, Option<i64>)],
    filter: &ActivityFilter,
) -> Result<WindowRows<ActivityEntry>> {
    matches.sort_unstable_by_key(|&(rowid, time)| std::cmp::Reverse((time, rowid)));
    let rows = matches
        .iter()
        .skip(filter.offset as usize)
        .take(filter.limit.max(1) as usize)
        .map(|(rowid, _)| entry(cache, *rowid))
        .collect::<Result<_>>()?;
    Ok(WindowRows {
        rows,
        total: matches.len() as u64,
    })
}

/// Every this many rows of a filter's order, the row's place is remembered (`mark`), so a
/// window deep in the list walks at most this many rows past a place already known.
const STRIDE: u32 = 5_000;

/// The places found so far in one filter's order: the `k`th is row `k * STRIDE`'s time and
/// rowid.
type Marks = std::sync::Mutex<std::collections::BTreeMap<u32, (i64, i64)>>;

/// `clause` narrowed to the rows at or after `mark` in the order.
fn from_mark(clause: &str) -> String {
    format!(
        "{clause} AND dt_created <= :mark_time AND (dt_created < :mark_time OR rowid <= :mark_row)"
    )
}

/// Row `k * STRIDE` of the filter's order (None past its end), walked to from the nearest
/// place before it already known, and remembered.
fn mark(
    cache: &Cache,
    key: &str,
    clause: &str,
    bound: &[(&str, &dyn rusqlite::ToSql)],
    k: u32,
) -> Result<Option<(i64, i64)>> {
    let marks = cache.remembered(format!("marks {key}"), || Ok(Marks::default()))?;
    let mut marks = marks
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(known) = marks.get(&k) {
        return Ok(Some(*known));
    }
    let before = marks.range(..k).next_back().map(|(j, m)| (*j, *m));
    let (sql, start, skip) = match before {
        Some((j, mark)) => (from_mark(clause), Some(mark), (k - j) * STRIDE),
        None => (clause.to_owned(), None, k * STRIDE),
    };
    let values = start.map(|(time, rowid)| [Value::Integer(time), Value::Integer(rowid)]);
    let skip = Value::Integer(i64::from(skip));
    let mut all = bound.to_vec();
    if let Some([time, rowid]) = &values {
        all.push((":mark_time", time));
        all.push((":mark_row", rowid));
    }
    all.push((":skip", &skip));
    let found: Option<(i64, i64)> = cache
        .connection()
        .prepare_cached(&format!(
            "SELECT dt_created, rowid FROM activity WHERE {sql}
             ORDER BY dt_created DESC, rowid DESC LIMIT 1 OFFSET :skip"
        ))?
        .query_row(all.as_slice(), |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    if let Some(place) = found {
        marks.insert(k, place);
    }
    Ok(found)
}

fn window_where(
    cache: &Cache,
    clause: &str,
    params: Vec<(&'static str, Value)>,
    filter: &ActivityFilter,
) -> Result<WindowRows<ActivityEntry>> {
    let conn = cache.connection();
    let bound = refs(&params);
    let key = format!("activity {clause} {params:?}");
    let total = *cache.remembered(format!("count {key}"), || count(conn, clause, &bound))?;
    if filter.offset < STRIDE {
        let rows = rows_where(cache, clause, &bound, filter.offset, filter)?;
        return Ok(WindowRows { rows, total });
    }
    let Some((time, rowid)) = mark(cache, &key, clause, &bound, filter.offset / STRIDE)? else {
        return Ok(WindowRows {
            rows: Vec::new(),
            total,
        });
    };
    let place = [Value::Integer(time), Value::Integer(rowid)];
    let mut bound = bound;
    bound.push((":mark_time", &place[0]));
    bound.push((":mark_row", &place[1]));
    let rows = rows_where(
        cache,
        &from_mark(clause),
        &bound,
        filter.offset % STRIDE,
        filter,
    )?;
    Ok(WindowRows { rows, total })
}

/// The window's events of `clause`, newest first, from `offset` on.
fn rows_where(
    cache: &Cache,
    clause: &str,
    bound: &[(&str, &dyn rusqlite::ToSql)],
    offset: u32,
    filter: &ActivityFilter,
) -> Result<Vec<ActivityEntry>> {
    let limit = Value::Integer(i64::from(filter.limit.max(1)));
    let offset = Value::Integer(i64::from(offset));
    let mut bound = bound.to_vec();
    bound.push((":limit", &limit));
    bound.push((":offset", &offset));
    // By rowid within a time: the time index holds it, so it serves the order as it is.
    let rowids: Vec<i64> = cache
        .connection()
        .prepare_cached(&format!(
            "SELECT rowid FROM activity WHERE {clause}
             ORDER BY dt_created DESC, rowid DESC LIMIT :limit OFFSET :offset"
        ))?
        .query_map(bound.as_slice(), |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    rowids
        .into_iter()
        .map(|rowid| entry(cache, rowid))
        .collect()
}

fn count(
    conn: &rusqlite::Connection,
    clause: &str,
    bound: &[(&str, &dyn rusqlite::ToSql)],
) -> Result<u64> {
    let total: i64 = conn
        .prepare_cached(&format!("SELECT count(*) FROM activity WHERE {clause}"))?
        .query_row(bound, |r| r.get(0))?;
    Ok(total as u64)
}

fn event(cache: &Cache, rowid: i64) -> Result<AuditEvent> {
    let stored: Vec<u8> = cache
        .connection()
        .prepare_cached("SELECT record FROM activity_records WHERE rowid = ?")?
        .query_row([rowid], |r| r.get(0))?;
    Ok(serde_json::from_slice(&decompress(&stored)?)?)
}

fn entry(cache: &Cache, rowid: i64) -> Result<ActivityEntry> {
    let event = event(cache, rowid)?;
    Ok(ActivityEntry {
        changed: history::changes_in_words(&event.changes),
        event,
    })
}

/// Everyone who acted in the cached trail, by name.
pub fn activity_actors(cache: &Cache) -> Result<Vec<Actor>> {
    let mut statement = cache.connection().prepare_cached(
        "SELECT actor_id, max(actor_name) FROM activity WHERE actor_id IS NOT NULL
          GROUP BY actor_id ORDER BY 2 COLLATE NOCASE",
    )?;
    let actors = statement.query_map([], |r| {
        Ok(Actor {
            id: r.get(0)?,
            name: r.get(1)?,
        })
    })?;
    Ok(actors.collect::<rusqlite::Result<_>>()?)
}

/// The record's own history, oldest first, each event in plain words on the person's clock
/// (`offset_minutes` from UTC). A member's history begins with the invitations that brought
/// them in (the same e-mail).
pub fn record_history(
    cache: &Cache,
    record_id: Uuid,
    email: Option<&str>,
    offset_minutes: i32,
) -> Result<Vec<String>> {
    let email = email.map(str::trim).filter(|e| !e.is_empty());
    let mut statement = cache.connection().prepare_cached(
        "SELECT rowid FROM activity WHERE record_id = :id
         UNION
         SELECT rowid FROM activity WHERE :email IS NOT NULL AND record_type = 'invitation'
            AND record_email = lower(:email)",
    )?;
    let rowids: Vec<i64> = statement
        .query_map(
            rusqlite::named_params! { ":id": &record_id.as_bytes()[..], ":email": email },
            |r| r.get(0),
        )?
        .collect::<rusqlite::Result<_>>()?;
    let mut events = rowids
        .into_iter()
        .map(|rowid| event(cache, rowid))
        .collect::<Result<Vec<_>>>()?;
    events.sort_by_key(|e| (e.dt_created, e.id));
    Ok(events
        .iter()
        .map(|e| history::in_words(e, offset_minutes))
        .collect())
}

/// The events of the filter, newest first, as CSV; answers how many rows.
pub fn export_activity_csv(cache: &Cache, filter: &ActivityFilter, out: impl Write) -> Result<u64> {
    let everything = ActivityFilter {
        offset: 0,
        limit: u32::MAX,
        ..filter.clone()
    };
    let rows = activity_window(cache, &everything)?.rows;
    let header = [
        "Time",
        "Who",
        "Actor kind",
        "Action",
        "Record type",
        "Record",
        "E-mail",
        "What changed",
        "Address",
        "App",
    ];
    write_csv(
        out,
        header,
        rows.into_iter().map(|row| {
            let e = row.event;
            [
                e.dt_created.to_rfc3339(),
                e.actor_name,
                e.actor_kind,
                e.action,
                e.record_type,
                e.record_id.map(|id| id.to_string()).unwrap_or_default(),
                e.record_email.unwrap_or_default(),
                row.changed,
                e.client_address.unwrap_or_default(),
                e.user_agent.unwrap_or_default(),
            ]
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cache::{ActivityRow, List};
    use chrono::TimeZone;

    /// `n` events, several to a microsecond (so order ties break on rowid), every third a
    /// resend.
    fn cache_with(n: usize) -> (tempfile::TempDir, Cache) {
        let dir = tempfile::tempdir().unwrap();
        let mut cache = Cache::open(&dir.path().join("cache.db")).unwrap();
        let start = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let rows: Vec<ActivityRow> = (0..n)
            .map(|i| {
                let at = start + chrono::Duration::microseconds((i / 3) as i64);
                let event = AuditEvent {
                    id: Uuid::from_u128(i as u128 + 1),
                    dt_created: at,
                    dt_last_modified: Some(at),
                    actor_id: None,
                    actor_kind: "person".into(),
                    actor_name: "Ada".into(),
                    action: if i % 3 == 0 {
                        "invitation.resent"
                    } else {
                        "invitation.updated"
                    }
                    .into(),
                    record_type: "invitation".into(),
                    record_id: None,
                    record_email: Some(format!("p{i}@example.com")),
                    client_address: None,
                    user_agent: None,
                    changes: vec![],
                };
                ActivityRow::new(&event, &serde_json::to_string(&event).unwrap())
            })
            .collect();
        cache.apply(List::Activity, &rows, None).unwrap();
        (dir, cache)
    }

    fn ids(window: &WindowRows<ActivityEntry>) -> Vec<Uuid> {
        window.rows.iter().map(|r| r.event.id).collect()
    }

    /// The window as one plain query would answer it: the order every path must keep.
    fn plain(cache: &Cache, action: Option<&str>, offset: u32, limit: u32) -> Vec<Uuid> {
        let mut statement = cache
            .connection()
            .prepare(
                "SELECT id FROM activity WHERE (?1 IS NULL OR status = ?1)
                 ORDER BY dt_created DESC, rowid DESC LIMIT ?2 OFFSET ?3",
            )
            .unwrap();
        statement
            .query_map(rusqlite::params![action, limit, offset], |r| {
                r.get::<_, Vec<u8>>(0)
            })
            .unwrap()
            .map(|id| Uuid::from_slice(&id.unwrap()).unwrap())
            .collect()
    }

    #[test]
    fn a_deep_window_starts_from_a_remembered_place_and_matches_a_plain_offset() {
        let (_dir, cache) = cache_with(12_345);
        for offset in [0, 4_999, 5_000, 7_777, 12_300, 12_345] {
            let filter = ActivityFilter {
                offset,
                limit: 100,
                ..Default::default()
            };
            let window = activity_window(&cache, &filter).unwrap();
            assert_eq!(window.total, 12_345);
            assert_eq!(
                ids(&window),
                plain(&cache, None, offset, 100),
                "offset {offset}"
            );
        }
        let resent = ActivityFilter {
            action: Some("invitation.resent".into()),
            offset: 3_000,
            limit: 50,
            ..Default::default()
        };
        let window = activity_window(&cache, &resent).unwrap();
        assert_eq!(window.total, 4_115);
        assert_eq!(
            ids(&window),
            plain(&cache, Some("invitation.resent"), 3_000, 50)
        );
    }

    #[test]
    fn a_searched_window_is_ordered_as_the_unsearched_one() {
        let (_dir, cache) = cache_with(9_000);
        // The first window, one inside, the last (short) and one past the end.
        for offset in [0, 1_000, 2_950, 3_000] {
            let searched = ActivityFilter {
                search: Some("RESENT".into()),
                offset,
                limit: 100,
                ..Default::default()
            };
            let window = activity_window(&cache, &searched).unwrap();
            assert_eq!(window.total, 3_000);
            assert_eq!(
                ids(&window),
                plain(&cache, Some("invitation.resent"), offset, 100),
                "offset {offset}"
            );
        }
    }
}

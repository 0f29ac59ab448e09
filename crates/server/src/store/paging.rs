//! List parameters shared by invitations and users: m3ter's `pageSize`/`nextToken` keyset
//! paging, newest first, or modification order for incremental sync (`modifiedSince`).

use crate::db::Conn;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};
use invitedesk_model::page::{PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX, PAGE_SIZE_MIN, SEARCH_MAX_CHARS};
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;
use uuid::Uuid;

use crate::clock::Clock;
use crate::db::{micros, FromRow, Sql};
use crate::error::{Error, Result};
use crate::store::search;

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// 1–200, default 50.
    pub page_size: Option<u32>,
    /// From the previous page's `nextToken`.
    pub next_token: Option<String>,
    /// One status or several, comma-separated.
    pub status: Option<String>,
    /// Case-insensitive text found anywhere in the e-mail or name.
    pub search: Option<String>,
    /// Changes strictly after this time, oldest first, deleted records included as
    /// tombstones; pass the last `dtLastModified` seen.
    pub modified_since: Option<DateTime<Utc>>,
    /// With `modifiedSince`: also answer `total`, how many changes there are from there in
    /// all (a sync's "n of total"). Asked once per sync, since it counts them.
    pub include_total: Option<bool>,
}

/// Where the previous page stopped: the sort key and id of its last row.
#[derive(Debug, Serialize, Deserialize)]
struct Cursor {
    /// true when paging in modification order.
    m: bool,
    k: i64,
    id: String,
}

/// A row that can be paged: its creation and modification stamps and id.
pub trait Pageable {
    /// The column the newest-first pages are ordered by; `created_micros` is its value.
    const NEWEST_FIRST_BY: &'static str = "dt_created";

    fn created_micros(&self) -> i64;
    fn modified_micros(&self) -> i64;
    fn id_text(&self) -> &str;
}

impl ListParams {
    pub fn page_size(&self) -> Result<u32> {
        let size = self.page_size.unwrap_or(PAGE_SIZE_DEFAULT);
        if (PAGE_SIZE_MIN..=PAGE_SIZE_MAX).contains(&size) {
            Ok(size)
        } else {
            Err(Error::BadRequest {
                code: "invalid_page_size",
                message: format!("pageSize must be from {PAGE_SIZE_MIN} to {PAGE_SIZE_MAX}"),
                field: Some("pageSize"),
            })
        }
    }

    /// The comma-separated `status=` values, each parsed by `parse`; repeats collapse, so the
    /// filter never holds more than the statuses there are.
    pub fn statuses<T: PartialEq>(&self, parse: impl Fn(&str) -> Option<T>) -> Result<Vec<T>> {
        let Some(list) = self.status.as_deref() else {
            return Ok(Vec::new());
        };
        let mut statuses = Vec::new();
        for name in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let status = parse(name).ok_or_else(|| Error::BadRequest {
                code: "invalid_status",
                message: format!("status {:?} is not one this list knows", shortened(name)),
                field: Some("status"),
            })?;
            if !statuses.contains(&status) {
                statuses.push(status);
            }
        }
        Ok(statuses)
    }

    /// The `search=` text, if any: at most `SEARCH_MAX_CHARS`, and no character that no
    /// stored text holds (a NUL would also end SQLite's full-text query and PostgreSQL's text).
    pub fn search(&self) -> Result<Option<&str>> {
        let Some(search) = self.search.as_deref().filter(|s| !s.trim().is_empty()) else {
            return Ok(None);
        };
        invitedesk_model::validate::clean_text("search", search).map_err(Error::field)?;
        if search.chars().count() > SEARCH_MAX_CHARS {
            return Err(Error::BadRequest {
                code: "search_too_long",
                message: format!("search must be at most {SEARCH_MAX_CHARS} characters"),
                field: Some("search"),
            });
        }
        Ok(Some(search))
    }

    fn cursor(&self) -> Result<Option<Cursor>> {
        let Some(token) = self.next_token.as_deref() else {
            return Ok(None);
        };
        let invalid = || Error::BadRequest {
            code: "invalid_next_token",
            message: "nextToken is not one this server gave out".into(),
            field: Some("nextToken"),
        };
        let bytes = URL_SAFE_NO_PAD.decode(token).map_err(|_| invalid())?;
        let cursor: Cursor = serde_json::from_slice(&bytes).map_err(|_| invalid())?;
        if cursor.m != self.modified_since.is_some() {
            return Err(invalid());
        }
        Ok(Some(cursor))
    }
}

/// One page of `table` for `org_id`. `statuses` holds one condition per status asked for
/// (each starting with ` AND`; invitations derive Expired from time, so it takes two): with
/// several, each walks its own index in the list's order for a page of its own, and the
/// pages are merged, so that a filter of rare statuses never reads the organisation's rows.
///
/// The feed's last page is read again while a change committed at or past its horizon: a
/// record updated between the horizon's reading and the page's would otherwise be missing
/// from both sides of it (its old version gone, its new one too new), so a client would see
/// it only on its next sync. A few tries: under a steady stream of changes the newest are
/// always left for the next sync, which is what a feed promises.
pub fn page_of<R: FromRow + Pageable>(
    conn: &Conn,
    table: &'static str,
    org_id: Uuid,
    params: &ListParams,
    clock: &Clock,
    statuses: Vec<Sql>,
) -> Result<(Vec<R>, Option<String>, Option<u64>)> {
    let mut tries = 1;
    loop {
        let horizon = match params.modified_since {
            Some(_) => conn.sync_horizon(clock, org_id)?,
            None => None,
        };
        let (rows, next, total) = page_below(conn, table, org_id, params, &statuses, horizon)?;
        let settled = match horizon {
            Some(horizon) if next.is_none() && tries < LAST_PAGE_TRIES => {
                !changed_at_or_after(conn, table, org_id, horizon)?
            }
            _ => true,
        };
        if settled {
            return Ok((rows, next, total));
        }
        tries += 1;
    }
}

/// How often the feed's last page is read at most (see `page_of`).
const LAST_PAGE_TRIES: u32 = 3;

/// Whether a change to `org_id`'s `table` that a page below `horizon` left out is visible now.
fn changed_at_or_after(
    conn: &Conn,
    table: &'static str,
    org_id: Uuid,
    horizon: i64,
) -> Result<bool> {
    let sql = format!("SELECT 1 FROM {table} WHERE org_id = ?1 AND dt_last_modified >= ?2 LIMIT 1");
    let found = conn.query_opt(&sql, (org_id.to_string(), horizon), |r| r.get::<i64>(0))?;
    Ok(found.is_some())
}

/// One page whose feed, if asked, stops short of `horizon`.
fn page_below<R: FromRow + Pageable>(
    conn: &Conn,
    table: &'static str,
    org_id: Uuid,
    params: &ListParams,
    statuses: &[Sql],
    horizon: Option<i64>,
) -> Result<(Vec<R>, Option<String>, Option<u64>)> {
    let page_size = params.page_size()?;
    let total = match (params.modified_since, params.include_total) {
        (Some(since), Some(true)) => Some(changes_since(conn, table, org_id, since, horizon)?),
        _ => None,
    };
    let page = Page {
        table,
        org_id,
        params,
        cursor: params.cursor()?,
        horizon,
        search: match params.search()? {
            Some(text) => Some(search::plan(conn, table, text)?),
            None => None,
        },
        limit: i64::from(page_size) + 1,
        newest_first_by: R::NEWEST_FIRST_BY,
    };
    let query = match statuses {
        [] => page.query(None),
        [one] => page.query(Some(one)),
        several => {
            let mut merged = Sql::new("");
            for (i, status) in several.iter().enumerate() {
                if i > 0 {
                    merged.push(" UNION ALL ");
                }
                merged
                    .push("SELECT * FROM (")
                    .append(page.query(Some(status)))
                    .push(&format!(") AS status{i}"));
            }
            merged.push(&page.order()).push(" LIMIT ").bind(page.limit);
            merged
        }
    };
    let mut rows = query.query(conn, R::from_row)?;
    let next = if rows.len() > page_size as usize {
        rows.truncate(page_size as usize);
        rows.last()
            .map(|last| next_token(last, params.modified_since.is_some()))
    } else {
        None
    };
    Ok((rows, next, total))
}

/// What one page asks, apart from its status.
struct Page<'a> {
    table: &'static str,
    org_id: Uuid,
    params: &'a ListParams,
    cursor: Option<Cursor>,
    horizon: Option<i64>,
    search: Option<search::SearchPlan>,
    limit: i64,
    newest_first_by: &'static str,
}

impl Page<'_> {
    fn order(&self) -> String {
        match self.params.modified_since {
            Some(_) => " ORDER BY dt_last_modified ASC, id ASC".into(),
            None => format!(" ORDER BY {} DESC, id DESC", self.newest_first_by),
        }
    }

    /// The page's query, narrowed to `status` if given.
    fn query(&self, status: Option<&Sql>) -> Sql {
        let table = self.table;
        let mut query = Sql::new(&format!("SELECT {table}.* FROM "));
        match &self.search {
            Some(plan) => plan.push_from(&mut query, table),
            None => {
                query.push(table);
            }
        }
        query.push(" WHERE org_id = ").bind(self.org_id.to_string());
        match self.params.modified_since {
            Some(since) => {
                query.push(" AND dt_last_modified > ").bind(micros(since));
                if let Some(horizon) = self.horizon {
                    query.push(" AND dt_last_modified < ").bind(horizon);
                }
                if let Some(c) = &self.cursor {
                    query
                        .push(" AND (dt_last_modified, id) > (")
                        .bind(c.k)
                        .push(", ")
                        .bind(c.id.clone())
                        .push(")");
                }
            }
            None => {
                query.push(" AND deleted = 0");
                if let Some(c) = &self.cursor {
                    query
                        .push(&format!(" AND ({}, id) < (", self.newest_first_by))
                        .bind(c.k)
                        .push(", ")
                        .bind(c.id.clone())
                        .push(")");
                }
            }
        }
        if let Some(status) = status {
            query.append(status.clone());
        }
        if let Some(plan) = &self.search {
            plan.push_filter(&mut query);
        }
        query.push(&self.order()).push(" LIMIT ").bind(self.limit);
        query
    }
}

/// How many records of `table` changed after `since` (tombstones too): what a sync from there
/// will bring. Counted on the same index the feed walks.
fn changes_since(
    conn: &Conn,
    table: &'static str,
    org_id: Uuid,
    since: DateTime<Utc>,
    horizon: Option<i64>,
) -> Result<u64> {
    let sql = format!(
        "SELECT count(*) FROM {table} WHERE org_id = ?1 AND dt_last_modified > ?2
           AND dt_last_modified < ?3"
    );
    let before = horizon.unwrap_or(i64::MAX);
    let count: i64 = conn
        .prepare_cached(&sql)?
        .query_row((org_id.to_string(), micros(since), before), |r| r.get(0))?;
    Ok(count as u64)
}

/// An echo of a bad value, cut short so an error never repeats a huge parameter back.
fn shortened(value: &str) -> String {
    value.chars().take(40).collect()
}

fn next_token(last: &impl Pageable, by_modification: bool) -> String {
    let k = if by_modification {
        last.modified_micros()
    } else {
        last.created_micros()
    };
    let cursor = Cursor {
        m: by_modification,
        k,
        id: last.id_text().to_owned(),
    };
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(&cursor).unwrap_or_default())
}

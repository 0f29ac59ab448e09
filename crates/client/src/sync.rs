//! Sync: every list is fetched in modification order from the list's cursor (the epoch for the
//! first, full sync), each page applied with the cursor in one transaction. So a sync killed at
//! any point leaves the cache consistent, and the next one resumes where it stopped; with
//! nothing changed, a sync is one request per list.

use std::future::Future;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use invitedesk_model::{Invitation, Page, User};
use uuid::Uuid;

use crate::api::{ApiClient, ApiError, ListQuery, Received};
use crate::cache::{Cache, CacheError, List};

pub const PAGE_SIZE: u32 = 200;

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Api(#[from] ApiError),
    #[error(transparent)]
    Cache(#[from] CacheError),
}

/// How far a sync has come: items applied so far in this list (the API gives no total).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub list: List,
    pub done: u64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SyncReport {
    pub invitations: u64,
    pub users: u64,
    /// This was the first, full sync of at least one list.
    pub full: bool,
}

/// A record that carries its id and modification time.
trait Modified {
    fn modified(&self) -> Option<DateTime<Utc>>;
    fn id(&self) -> Uuid;
}

impl<T: Modified> Modified for Received<T> {
    fn modified(&self) -> Option<DateTime<Utc>> {
        self.value.modified()
    }
    fn id(&self) -> Uuid {
        self.value.id()
    }
}

impl Modified for Invitation {
    fn modified(&self) -> Option<DateTime<Utc>> {
        self.dt_last_modified
    }
    fn id(&self) -> Uuid {
        self.id
    }
}

impl Modified for User {
    fn modified(&self) -> Option<DateTime<Utc>> {
        self.dt_last_modified
    }
    fn id(&self) -> Uuid {
        self.id
    }
}

/// The cache as the app shares it between its sync task and its table reads.
pub type SharedCache = Arc<Mutex<Cache>>;

/// Pages fetched before they are applied together in one transaction: fewer, larger commits
/// write each index page to the WAL once per group rather than once per page.
const PAGES_PER_BATCH: usize = 25;

pub async fn sync(
    api: &ApiClient,
    cache: &SharedCache,
    mut progress: impl FnMut(Progress),
) -> Result<SyncReport, SyncError> {
    lock(cache).begin_sync()?;
    let report = sync_lists(api, cache, &mut progress).await;
    lock(cache).end_sync()?;
    report
}

async fn sync_lists(
    api: &ApiClient,
    cache: &SharedCache,
    mut progress: impl FnMut(Progress),
) -> Result<SyncReport, SyncError> {
    let mut report = SyncReport::default();
    let (invitations, full) = sync_list(
        cache,
        List::Invitations,
        api.is_extended(),
        |query| async move { api.list_invitations_received(&query).await },
        Cache::apply_invitations,
        &mut progress,
    )
    .await?;
    report.invitations = invitations;
    report.full |= full;
    let (users, full) = sync_list(
        cache,
        List::Users,
        api.is_extended(),
        |query| async move { api.list_users_received(&query).await },
        Cache::apply_users,
        &mut progress,
    )
    .await?;
    report.users = users;
    report.full |= full;
    Ok(report)
}

fn lock(cache: &Mutex<Cache>) -> std::sync::MutexGuard<'_, Cache> {
    cache
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

type Apply<T> = fn(&mut Cache, &[T], Option<DateTime<Utc>>) -> Result<(), CacheError>;

/// Records fetched and not yet applied, with the cursor they bring the list to.
struct Batch<T> {
    records: Vec<T>,
    cursor: Option<DateTime<Utc>>,
}

/// Syncs one list from its cursor; a first, full sync into an empty table builds the query
/// indexes once at the end.
async fn sync_list<T, Fetch, Fut>(
    cache: &SharedCache,
    list: List,
    incremental: bool,
    fetch: Fetch,
    apply: Apply<T>,
    progress: &mut impl FnMut(Progress),
) -> Result<(u64, bool), SyncError>
where
    T: Modified + Send + 'static,
    Fetch: Fn(ListQuery) -> Fut,
    Fut: Future<Output = Result<Page<T>, ApiError>>,
{
    let state = lock(cache).sync_state(list)?;
    let full = state.full_sync_done.is_none() || !incremental;
    if full {
        lock(cache).drop_indexes_if_empty(list)?;
    }
    let outcome = match incremental {
        true => fetch_and_apply(cache, list, state.cursor, fetch, apply, progress).await,
        false => refresh(cache, list, fetch, apply, progress).await,
    };
    lock(cache).build_indexes(list)?;
    let done = outcome?;
    lock(cache).record_outcome(list, Ok(full), Utc::now())?;
    Ok((done, full))
}

/// Every page from `cursor` on, applied; the number of records applied. Fetches batch N+1
/// while batch N is written into the cache on a blocking thread, so a full sync costs little
/// more than its download.
async fn fetch_and_apply<T, Fetch, Fut>(
    cache: &SharedCache,
    list: List,
    cursor: Option<DateTime<Utc>>,
    fetch: Fetch,
    apply: Apply<T>,
    progress: &mut impl FnMut(Progress),
) -> Result<u64, SyncError>
where
    T: Modified + Send + 'static,
    Fetch: Fn(ListQuery) -> Fut,
    Fut: Future<Output = Result<Page<T>, ApiError>>,
{
    let mut next = Some(cursor.unwrap_or(DateTime::UNIX_EPOCH));
    let mut ready: Option<Batch<T>> = None;
    let mut done = 0;
    loop {
        let fetching = fetch_batch(&fetch, next);
        let applying = apply_batch(cache, apply, ready.take());
        let (fetched, applied) = tokio::join!(fetching, applying);
        let applied = applied?;
        if applied > 0 {
            done += applied;
            progress(Progress { list, done });
        }
        match fetched {
            Ok((batch, more)) => {
                next = more;
                if batch.records.is_empty() && next.is_none() {
                    break;
                }
                ready = Some(batch);
            }
            Err(e) => {
                lock(cache).record_outcome(list, Err(&e.to_string()), Utc::now())?;
                return Err(e.into());
            }
        }
    }
    Ok(done)
}

/// Against an API without incremental sync (m3ter's): every page, newest first, each applied
/// in its own transaction, then what the server no longer has is removed.
async fn refresh<T, Fetch, Fut>(
    cache: &SharedCache,
    list: List,
    fetch: Fetch,
    apply: Apply<T>,
    progress: &mut impl FnMut(Progress),
) -> Result<u64, SyncError>
where
    T: Modified + Send + 'static,
    Fetch: Fn(ListQuery) -> Fut,
    Fut: Future<Output = Result<Page<T>, ApiError>>,
{
    let (mut seen, mut next_token) = (Vec::new(), None);
    loop {
        let query = ListQuery {
            page_size: Some(PAGE_SIZE),
            next_token: next_token.take(),
            ..Default::default()
        };
        let page = match fetch(query).await {
            Ok(page) => page,
            Err(e) => {
                lock(cache).record_outcome(list, Err(&e.to_string()), Utc::now())?;
                return Err(e.into());
            }
        };
        seen.extend(page.data.iter().map(Modified::id));
        apply(&mut lock(cache), &page.data, None)?;
        progress(Progress {
            list,
            done: seen.len() as u64,
        });
        match page.next_token {
            Some(token) => next_token = Some(token),
            None => break,
        }
    }
    lock(cache).retain_only(list, &seen)?;
    Ok(seen.len() as u64)
}

/// Up to `PAGES_PER_BATCH` pages from `cursor` on, and the cursor to go on from, if there is
/// more.
async fn fetch_batch<T, Fetch, Fut>(
    fetch: &Fetch,
    cursor: Option<DateTime<Utc>>,
) -> Result<(Batch<T>, Option<DateTime<Utc>>), ApiError>
where
    T: Modified,
    Fetch: Fn(ListQuery) -> Fut,
    Fut: Future<Output = Result<Page<T>, ApiError>>,
{
    let mut batch = Batch {
        records: Vec::new(),
        cursor: None,
    };
    let mut next = cursor;
    for _ in 0..PAGES_PER_BATCH {
        let Some(since) = next else { break };
        let page = fetch(ListQuery {
            page_size: Some(PAGE_SIZE),
            modified_since: Some(since),
            ..Default::default()
        })
        .await?;
        let last = page.data.iter().rev().find_map(Modified::modified);
        batch.records.extend(page.data);
        batch.cursor = last.or(batch.cursor);
        next = match (page.next_token, last) {
            (Some(_), Some(last)) => Some(last),
            _ => None,
        };
    }
    Ok((batch, next))
}

/// Writes `batch` and its cursor in one transaction off the async threads; the number applied.
async fn apply_batch<T: Send + 'static>(
    cache: &SharedCache,
    apply: Apply<T>,
    batch: Option<Batch<T>>,
) -> Result<u64, SyncError> {
    let Some(batch) = batch else { return Ok(0) };
    let cache = Arc::clone(cache);
    let applied = batch.records.len() as u64;
    tokio::task::spawn_blocking(move || apply(&mut lock(&cache), &batch.records, batch.cursor))
        .await
        .map_err(|e| CacheError::Io(std::io::Error::other(e)))??;
    Ok(applied)
}

//! Sync: every list is fetched in modification order from the list's cursor (the epoch for the
//! first, full sync), each page applied with the cursor in one transaction. So a sync killed at
//! any point leaves the cache consistent, and the next one resumes where it stopped; with
//! nothing changed, a sync is one request per list.

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use invitedesk_model::{AccountInvitation, AuditEvent, Invitation, Page, User};
use uuid::Uuid;

use crate::api::{ApiClient, ApiError, ListQuery, Received};
use crate::cache::{ActivityRow, Cache, CacheError, CachedRow, List, StoredRow};

pub const PAGE_SIZE: u32 = 200;

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Api(#[from] ApiError),
    #[error(transparent)]
    Cache(#[from] CacheError),
}

/// How far a sync has come: records applied so far in this list, and how many it brings in
/// all when the API says (the extended API does; m3ter's does not).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub list: List,
    pub done: u64,
    pub total: Option<u64>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct SyncReport {
    pub invitations: u64,
    pub users: u64,
    /// Audit events applied (none when the principal may not read the trail).
    pub activity: u64,
    /// This was the first, full sync of at least one list.
    pub full: bool,
    /// A person's invitations to other organisations seen for the first time: each is
    /// announced once.
    pub new_account_invitations: Vec<AccountInvitation>,
}

/// A synced record: its id and modification time.
trait Synced {
    fn modified(&self) -> Option<DateTime<Utc>>;
    fn id(&self) -> Uuid;
}

impl<T: Synced> Synced for Received<T> {
    fn modified(&self) -> Option<DateTime<Utc>> {
        self.value.modified()
    }
    fn id(&self) -> Uuid {
        self.value.id()
    }
}

impl Synced for Invitation {
    fn modified(&self) -> Option<DateTime<Utc>> {
        self.dt_last_modified
    }
    fn id(&self) -> Uuid {
        self.id
    }
}

impl Synced for AuditEvent {
    fn modified(&self) -> Option<DateTime<Utc>> {
        self.dt_last_modified
    }
    fn id(&self) -> Uuid {
        self.id
    }
}

impl Synced for User {
    fn modified(&self) -> Option<DateTime<Utc>> {
        self.dt_last_modified
    }
    fn id(&self) -> Uuid {
        self.id
    }
}

/// The cache as the app shares it between its sync task and its table reads.
pub type SharedCache = Arc<Mutex<Cache>>;

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
        |i: &Received<Invitation>| CachedRow::invitation(&i.value, i.json.get()),
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
        |u: &Received<User>| CachedRow::user(&u.value, u.json.get()),
        &mut progress,
    )
    .await?;
    report.users = users;
    report.full |= full;
    if api.is_extended() {
        let (activity, full) = sync_trail(api, cache, &mut progress).await?;
        report.activity = activity;
        report.full |= full;
    }
    if api.is_person() && api.is_extended() {
        report.new_account_invitations = sync_my_invitations(api, cache).await?;
    }
    Ok(report)
}

/// The organisation's audit trail, for a principal allowed to read it; for one refused (now
/// or no longer allowed), nothing of it stays here.
async fn sync_trail(
    api: &ApiClient,
    cache: &SharedCache,
    progress: &mut impl FnMut(Progress),
) -> Result<(u64, bool), SyncError> {
    let trail = sync_list(
        cache,
        List::Activity,
        true,
        |query| async move { api.list_audit_events_received(&query).await },
        |e: &Received<AuditEvent>| ActivityRow::new(&e.value, e.json.get()),
        progress,
    )
    .await;
    match trail {
        Err(SyncError::Api(ApiError::Forbidden { .. })) => {
            lock(cache).forget(List::Activity)?;
            Ok((0, false))
        }
        other => other,
    }
}

/// The signed-in person's invitations to other organisations, replaced whole; answers those
/// seen for the first time.
async fn sync_my_invitations(
    api: &ApiClient,
    cache: &SharedCache,
) -> Result<Vec<AccountInvitation>, SyncError> {
    let mine = api.account_invitations().await?;
    Ok(lock(cache).replace_account_invitations(&mine, Utc::now())?)
}

fn lock(cache: &Mutex<Cache>) -> std::sync::MutexGuard<'_, Cache> {
    cache
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Turns a received record into the row the cache stores.
type Prepare<T, R> = fn(&T) -> R;

/// Records fetched and not yet written, with the cursor they bring the list to.
struct Batch<T> {
    records: Vec<T>,
    cursor: Option<DateTime<Utc>>,
}

/// Syncs one list from its cursor; a first, full sync into an empty table builds the query
/// indexes once at the end.
async fn sync_list<T, R, Fetch, Fut>(
    cache: &SharedCache,
    list: List,
    incremental: bool,
    fetch: Fetch,
    prepare: Prepare<T, R>,
    progress: &mut impl FnMut(Progress),
) -> Result<(u64, bool), SyncError>
where
    T: Synced + Send + 'static,
    R: StoredRow,
    Fetch: Fn(ListQuery) -> Fut,
    Fut: Future<Output = Result<Page<T>, ApiError>>,
{
    let state = lock(cache).sync_state(list)?;
    let full = state.full_sync_done.is_none() || !incremental;
    if full {
        lock(cache).drop_indexes_if_empty(list)?;
    }
    let outcome = match incremental {
        true => fetch_and_apply(cache, list, state.cursor, fetch, prepare, progress).await,
        false => refresh(cache, list, fetch, prepare, progress).await,
    };
    lock(cache).build_indexes(list)?;
    let done = outcome?;
    lock(cache).record_outcome(list, Ok(full), Utc::now())?;
    Ok((done, full))
}

/// Every page from `cursor` on, applied; the number of records applied. Pages go through a
/// channel to a blocking thread that writes whatever has arrived (up to `ROWS_PER_COMMIT`) in
/// one transaction with its cursor, so fetching never waits for writing, nor writing for
/// fetching, and a full sync costs little more than its download.
async fn fetch_and_apply<T, R, Fetch, Fut>(
    cache: &SharedCache,
    list: List,
    cursor: Option<DateTime<Utc>>,
    fetch: Fetch,
    prepare: Prepare<T, R>,
    progress: &mut impl FnMut(Progress),
) -> Result<u64, SyncError>
where
    T: Synced + Send + 'static,
    R: StoredRow,
    Fetch: Fn(ListQuery) -> Fut,
    Fut: Future<Output = Result<Page<T>, ApiError>>,
{
    let (pages, arriving) = tokio::sync::mpsc::channel::<Batch<T>>(PAGES_IN_FLIGHT);
    let applied = Arc::new(AtomicU64::new(0));
    let writer = {
        let (cache, applied) = (Arc::clone(cache), Arc::clone(&applied));
        tokio::task::spawn_blocking(move || {
            write_arriving(&cache, list, prepare, arriving, &applied)
        })
    };
    let mut since = cursor.unwrap_or(DateTime::UNIX_EPOCH);
    let (mut total, mut first) = (None, true);
    let fetched: Result<(), ApiError> = async {
        loop {
            let page = fetch(ListQuery {
                page_size: Some(PAGE_SIZE),
                modified_since: Some(since),
                // Counted once, on the first page: the later ones only page on.
                include_total: first,
                ..Default::default()
            })
            .await?;
            if std::mem::take(&mut first) {
                total = page.total;
            }
            let last = page.data.iter().rev().find_map(Synced::modified);
            let more = page.next_token.is_some() && last.is_some();
            let batch = Batch {
                records: page.data,
                cursor: last,
            };
            if pages.send(batch).await.is_err() {
                return Ok(()); // the writer stopped on an error: it is reported below
            }
            progress(Progress {
                list,
                done: applied.load(Ordering::Relaxed),
                total,
            });
            match (more, last) {
                (true, Some(last)) => since = last,
                _ => return Ok(()),
            }
        }
    }
    .await;
    drop(pages);
    let written = writer
        .await
        .map_err(|e| CacheError::Io(std::io::Error::other(e)))?;
    if let Err(e) = fetched {
        lock(cache).record_outcome(list, Err(&e.to_string()), Utc::now())?;
        return Err(e.into());
    }
    let done = written?;
    progress(Progress {
        list,
        done,
        total: Some(done),
    });
    Ok(done)
}

/// Pages fetched ahead of the writer at most: bounds the memory a slow disk can make a sync use.
const PAGES_IN_FLIGHT: usize = 100;

/// Records written in one transaction at most.
const ROWS_PER_COMMIT: usize = 10_000;

/// The writer's side: takes the first page waiting, and every other one already there up to
/// `ROWS_PER_COMMIT`, and applies them with the last cursor in one transaction; until the
/// fetching side is done. Answers how many records it wrote.
fn write_arriving<T, R: StoredRow>(
    cache: &Mutex<Cache>,
    list: List,
    prepare: Prepare<T, R>,
    mut arriving: tokio::sync::mpsc::Receiver<Batch<T>>,
    applied: &AtomicU64,
) -> Result<u64, SyncError> {
    while let Some(first) = arriving.blocking_recv() {
        let mut group = first;
        while group.records.len() < ROWS_PER_COMMIT {
            let Ok(more) = arriving.try_recv() else { break };
            group.records.extend(more.records);
            group.cursor = more.cursor.or(group.cursor);
        }
        // Prepared here, outside the cache's lock: the fetching side has the server to share
        // its core with.
        let rows: Vec<R> = group.records.iter().map(prepare).collect();
        lock(cache).apply(list, &rows, group.cursor)?;
        applied.fetch_add(rows.len() as u64, Ordering::Relaxed);
    }
    Ok(applied.load(Ordering::Relaxed))
}

/// Against an API without incremental sync (m3ter's): every page, newest first, each applied
/// in its own transaction, then what the server no longer has is removed.
async fn refresh<T, R, Fetch, Fut>(
    cache: &SharedCache,
    list: List,
    fetch: Fetch,
    prepare: Prepare<T, R>,
    progress: &mut impl FnMut(Progress),
) -> Result<u64, SyncError>
where
    T: Synced + Send + 'static,
    R: StoredRow,
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
        seen.extend(page.data.iter().map(Synced::id));
        let rows: Vec<R> = page.data.iter().map(prepare).collect();
        lock(cache).apply(list, &rows, None)?;
        progress(Progress {
            list,
            done: seen.len() as u64,
            total: None,
        });
        match page.next_token {
            Some(token) => next_token = Some(token),
            None => break,
        }
    }
    lock(cache).retain_only(list, &seen)?;
    Ok(seen.len() as u64)
}

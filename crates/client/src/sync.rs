//! Sync: every list is fetched in modification order from the list's cursor (the epoch for the
//! first, full sync), each page applied with the cursor in one transaction. So a sync killed at
//! any point leaves the cache consistent, and the next one resumes where it stopped; with
//! nothing changed, a sync is one request per list.

use std::future::Future;
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use invitedesk_model::{Invitation, Page, User};

use crate::api::{ApiClient, ApiError, ListQuery};
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

/// A record that carries its modification time.
trait Modified {
    fn modified(&self) -> Option<DateTime<Utc>>;
}

impl Modified for Invitation {
    fn modified(&self) -> Option<DateTime<Utc>> {
        self.dt_last_modified
    }
}

impl Modified for User {
    fn modified(&self) -> Option<DateTime<Utc>> {
        self.dt_last_modified
    }
}

pub async fn sync(
    api: &ApiClient,
    cache: &Mutex<Cache>,
    mut progress: impl FnMut(Progress),
) -> Result<SyncReport, SyncError> {
    let mut report = SyncReport::default();
    let (invitations, full) = sync_list(
        cache,
        List::Invitations,
        |query| async move { api.list_invitations(&query).await },
        |c, batch, cursor| c.apply_invitations(batch, cursor),
        &mut progress,
    )
    .await?;
    report.invitations = invitations;
    report.full |= full;
    let (users, full) = sync_list(
        cache,
        List::Users,
        |query| async move { api.list_users(&query).await },
        |c, batch, cursor| c.apply_users(batch, cursor),
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

async fn sync_list<T, Fetch, Fut>(
    cache: &Mutex<Cache>,
    list: List,
    fetch: Fetch,
    apply: impl Fn(&mut Cache, &[T], Option<DateTime<Utc>>) -> Result<(), CacheError>,
    progress: &mut impl FnMut(Progress),
) -> Result<(u64, bool), SyncError>
where
    T: Modified,
    Fetch: Fn(ListQuery) -> Fut,
    Fut: Future<Output = Result<Page<T>, ApiError>>,
{
    let state = lock(cache).sync_state(list)?;
    let full = state.full_sync_done.is_none();
    let mut cursor = state.cursor.unwrap_or(DateTime::UNIX_EPOCH);
    let mut done = 0;
    loop {
        let query = ListQuery {
            page_size: Some(PAGE_SIZE),
            modified_since: Some(cursor),
            ..Default::default()
        };
        let page = match fetch(query).await {
            Ok(page) => page,
            Err(e) => {
                lock(cache).record_outcome(list, Err(&e.to_string()), Utc::now())?;
                return Err(e.into());
            }
        };
        let last = page.data.iter().rev().find_map(Modified::modified);
        apply(&mut lock(cache), &page.data, last)?;
        done += page.data.len() as u64;
        progress(Progress { list, done });
        match (page.next_token, last) {
            (Some(_), Some(last)) => cursor = last,
            _ => break,
        }
    }
    lock(cache).record_outcome(list, Ok(full), Utc::now())?;
    Ok((done, full))
}

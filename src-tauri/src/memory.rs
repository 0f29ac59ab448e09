//! Idle memory. A sync, a search or a page of rows leaves freed memory behind that the
//! allocator keeps for later (glibc keeps it per thread arena), a warm SQLite page cache and a
//! write-ahead log. Once the app has been quiet for a moment, the cache is tidied (its log
//! folded into the file, its pages handed back) and the heap trimmed: the app then sits at the
//! memory its state needs, not at the high-water mark of its last piece of work.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use tauri::{AppHandle, Manager, Runtime};

use crate::state::AppState;

/// How long without a command or a sync counts as idle.
pub const QUIET: Duration = Duration::from_secs(2);
/// How often the idle check runs.
const CHECK_EVERY: Duration = Duration::from_millis(500);

/// When the app last did something, if it has not been quiet since.
#[derive(Debug, Default)]
pub struct Activity {
    since_release: Mutex<Option<Instant>>,
}

impl Activity {
    pub const fn new() -> Self {
        Self {
            since_release: Mutex::new(None),
        }
    }

    /// Notes work done at `now`.
    pub fn note(&self, now: Instant) {
        *self.lock() = Some(now);
    }

    /// Whether the app has been quiet for `QUIET` since it last did something and its memory
    /// is still to be handed back; answering yes counts the release as done.
    pub fn take_quiet(&self, now: Instant) -> bool {
        let mut last = self.lock();
        match *last {
            Some(at) if now.saturating_duration_since(at) >= QUIET => {
                *last = None;
                true
            }
            _ => false,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Instant>> {
        self.since_release
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The process's activity: the allocator's heap is the process's, so this is too.
pub static ACTIVITY: Activity = Activity::new();

/// Called for every command and every status a sync publishes.
pub fn note_activity() {
    ACTIVITY.note(Instant::now());
}

/// Hands memory back each time the app falls quiet, for as long as it runs.
pub fn start<R: Runtime>(app: AppHandle<R>) {
    note_activity();
    tauri::async_runtime::spawn(async move {
        loop {
            tokio::time::sleep(CHECK_EVERY).await;
            if ACTIVITY.take_quiet(Instant::now()) {
                release(&app).await;
            }
        }
    });
}

async fn release<R: Runtime>(app: &AppHandle<R>) {
    let state = app.state::<AppState>();
    let active = state.active.read().await.clone();
    // Folding a large log into the file takes a while: off the async workers.
    let _ = tauri::async_runtime::spawn_blocking(move || {
        if let Some(active) = active {
            if let Err(e) = active.session.tidy() {
                tracing::debug!(error = %e, "the cache could not be tidied");
            }
        }
        trim_heap();
    })
    .await;
    crate::launch::trace("idle memory released");
}

/// A fixed trim threshold for glibc's allocator, set before any thread starts. By default the
/// threshold grows with the largest block freed (a sync frees several MiB at once), and a
/// thread's arena then keeps that much free memory at its top for good: `malloc_trim` does not
/// reach the top of a thread's arena, only the main one's. Measured with 100k invitations
/// cached: the app process idles at ~92 MiB with this, ~100 MiB without.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn tune_allocator() {
    const TRIM_THRESHOLD: libc::c_int = 1 << 20;
    // SAFETY: mallopt only sets a tunable of the allocator; called before any other thread.
    unsafe {
        libc::mallopt(libc::M_TRIM_THRESHOLD, TRIM_THRESHOLD);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn tune_allocator() {}

/// Returns the allocator's free pages, in every arena, to the system.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn trim_heap() {
    // SAFETY: malloc_trim only walks the allocator's own free lists; it has no preconditions.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Other allocators (macOS, Windows, musl) hand free pages back by themselves.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn trim_heap() {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quiet_only_after_the_quiet_period_and_only_once() {
        let activity = Activity::new();
        let t0 = Instant::now();
        assert!(
            !activity.take_quiet(t0),
            "nothing done yet: nothing to release"
        );
        activity.note(t0);
        assert!(!activity.take_quiet(t0 + QUIET / 2), "still busy");
        assert!(activity.take_quiet(t0 + QUIET));
        assert!(!activity.take_quiet(t0 + QUIET * 3), "already released");
    }

    #[test]
    fn new_work_postpones_the_release() {
        let activity = Activity::new();
        let t0 = Instant::now();
        activity.note(t0);
        activity.note(t0 + QUIET);
        assert!(!activity.take_quiet(t0 + QUIET + QUIET / 2));
        assert!(activity.take_quiet(t0 + QUIET * 2));
    }

    #[test]
    fn trimming_the_heap_leaves_live_memory_intact() {
        let kept: Vec<u64> = (0..100_000).collect();
        drop((0..1_000_000).map(|i| i * 2).collect::<Vec<u64>>());
        trim_heap();
        assert_eq!(kept.iter().sum::<u64>(), 4_999_950_000);
    }
}

//! The InviteDesk reference Access API: m3ter-compatible invitations over HTTP, on SQLite.
//! `start` runs it in-process (the binary, the tests and the desktop demo all use it).

pub mod auth;
pub mod clock;
pub mod config;
pub mod db;
pub mod demo;
pub mod error;
pub mod files;
pub mod http;
pub mod idempotency;
pub mod mail;
pub mod password;
pub mod rate_limit;
pub mod second_factor;
pub mod sms;
pub mod store;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::{oneshot, Notify};
use tokio::task::JoinHandle;

pub use crate::clock::Clock;
pub use crate::config::Config;
use crate::db::{micros, Db};
pub use crate::error::{Error, Result};
use crate::rate_limit::{AuthFailures, PageLimiter, SendLimits};

/// What every handler shares. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub clock: Arc<Clock>,
    pub config: Arc<Config>,
    pub limits: Arc<SendLimits>,
    pub callers: auth::CallerCache,
    pub mailer: Arc<mail::Mailer>,
    /// Woken after a change that queued mail, so delivery starts at once.
    pub mail_queued: Arc<Notify>,
    pub sms: Arc<sms::SmsSender>,
    /// Limits requests to the invitee's pages per client address.
    pub page_limiter: Arc<PageLimiter>,
    /// Limits failed client authentication per address and per access key id.
    pub auth_failures: Arc<AuthFailures>,
    /// Signs and checks the CSRF tokens of the server's forms.
    pub csrf: Arc<http::csrf::Csrf>,
    /// Seals what the sign-in pages carry from one step to the next.
    pub sealer: Arc<http::sealed::Sealer>,
    /// The base of accept links, from configuration (never from a request).
    pub public_url: Arc<str>,
}

/// A server listening on its address until `stop` is called or it is dropped.
pub struct RunningServer {
    pub addr: SocketAddr,
    pub state: AppState,
    shutdown: Option<oneshot::Sender<()>>,
    task: JoinHandle<std::io::Result<()>>,
}

impl RunningServer {
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting, lets requests in flight finish, and closes the database.
    pub async fn stop(mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        let _ = (&mut self.task).await;
    }

    /// Runs until the server ends by itself (it does so only on an I/O error).
    pub async fn wait(&mut self) -> Result<()> {
        match (&mut self.task).await {
            Ok(result) => Ok(result?),
            Err(e) => Err(Error::Internal(format!("server task: {e}"))),
        }
    }
}

pub async fn start(config: Config) -> Result<RunningServer> {
    let db = Db::open(&config.database(), config.database_connections).await?;
    let clock = Clock::default();
    clock.resume_after(latest_stamp(&db).await?);
    let listener = TcpListener::bind(config.listen).await?;
    let addr = listener.local_addr()?;
    let public_url = config
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{addr}"));
    let csrf_key = db
        .write(|tx| store::server_keys::get_or_make(tx, "csrf"))
        .await?;
    let sealing_key = db
        .write(|tx| store::server_keys::get_or_make(tx, "sealed"))
        .await?;
    let state = AppState {
        csrf: Arc::new(http::csrf::Csrf::new(csrf_key, &public_url)),
        sealer: Arc::new(http::sealed::Sealer::new(sealing_key)),
        db,
        clock: Arc::new(clock),
        limits: Arc::new(SendLimits::new(&config)),
        callers: auth::caller_cache(),
        mailer: Arc::new(mail::Mailer::from_config(&config)?),
        mail_queued: Arc::new(Notify::new()),
        sms: Arc::new(sms::SmsSender::from_config(&config)?),
        page_limiter: Arc::new(PageLimiter::new(&config)),
        auth_failures: Arc::new(AuthFailures::new(&config)),
        public_url: public_url.trim_end_matches('/').into(),
        config: Arc::new(config),
    };
    let (shutdown, stopped) = oneshot::channel::<()>();
    let app = http::router(state.clone());
    let background = state.clone();
    let task = tokio::spawn(async move {
        let maintenance = tokio::spawn(run_maintenance(background.clone()));
        let delivery = tokio::spawn(mail::outbox::run(background));
        let served = axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async move {
            let _ = stopped.await;
        })
        .await;
        maintenance.abort();
        delivery.abort();
        served
    });
    Ok(RunningServer {
        addr,
        state,
        shutdown: Some(shutdown),
        task,
    })
}

/// Modification stamps must keep rising across restarts.
async fn latest_stamp(db: &Db) -> Result<i64> {
    db.read(|c| {
        let latest: Option<i64> = c.query_row(
            "SELECT max(m) FROM (SELECT max(dt_last_modified) AS m FROM invitations
                                 UNION ALL SELECT max(dt_last_modified) FROM users) AS latest",
            (),
            |r| r.get(0),
        )?;
        Ok(latest.unwrap_or(0))
    })
    .await
}

/// Forgets what has expired (access tokens, idempotency keys older than a day, idle limits),
/// purges what is past its retention, and empties the write-ahead log once writes pause.
async fn run_maintenance(state: AppState) {
    let mut every = tokio::time::interval(Duration::from_secs(60));
    loop {
        every.tick().await;
        // Judged before this round's own purge, which is a write too.
        let writes_paused = state.db.idle_for() >= IDLE_BEFORE_FULL_CHECKPOINT;
        if let Err(e) = forget_expired(&state).await {
            tracing::warn!(error = %e, "maintenance failed");
        }
        state.page_limiter.forget_idle();
        state.auth_failures.forget_idle();
        if writes_paused {
            match state.db.checkpoint().await {
                Ok(true) => {}
                Ok(false) => tracing::debug!("checkpoint deferred: a read is in progress"),
                Err(e) => tracing::warn!(error = %e, "checkpoint failed"),
            }
        }
    }
}

/// A full checkpoint waits for every reader; it runs only after writes have paused this long.
const IDLE_BEFORE_FULL_CHECKPOINT: Duration = Duration::from_secs(5);

pub async fn forget_expired(state: &AppState) -> Result<()> {
    let now = state.clock.now();
    let day_ago = micros(now - chrono::Duration::days(1));
    let outbox_cutoff =
        micros(now - chrono::Duration::days(i64::from(state.config.outbox_retention_days)));
    let account_cutoff =
        micros(now - chrono::Duration::days(i64::from(state.config.account_retention_days)));
    let audit_cutoff = match state.config.audit_retention_days {
        0 => None,
        days => Some(micros(now - chrono::Duration::days(i64::from(days)))),
    };
    state
        .db
        .write(move |tx| {
            tx.execute(
                "DELETE FROM access_tokens WHERE dt_expires <= ?",
                [micros(now)],
            )?;
            tx.execute(
                "DELETE FROM idempotency_keys WHERE dt_created <= ?",
                [day_ago],
            )?;
            store::sessions::forget_expired(tx, now)?;
            store::password_resets::forget_expired(tx, now)?;
            // Kept as long as an invitation can live, for its "3 numbers ever" limit.
            let codes_cutoff =
                micros(now - chrono::Duration::days(invitedesk_model::validate::EXPIRY_MAX_DAYS));
            tx.execute("DELETE FROM code_sends WHERE dt_sent <= ?", [codes_cutoff])?;
            tx.execute(
                "DELETE FROM outbox WHERE status <> 'queued' AND dt_created <= ?",
                [outbox_cutoff],
            )?;
            store::retention::purge_orphaned_accounts(tx, micros(now), account_cutoff)?;
            rate_limit::forget_old_sends(tx, now)?;
            if let Some(cutoff) = audit_cutoff {
                store::audit::purge_older_than(tx, cutoff)?;
            }
            Ok(())
        })
        .await
}

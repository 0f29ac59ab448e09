//! Command-line flags and their environment variables.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;

/// The InviteDesk reference Access API server (m3ter-compatible core).
#[derive(Debug, Clone, Parser)]
#[command(name = "invitedesk-server", version, about)]
pub struct Config {
    /// SQLite database file; created with its schema if missing.
    #[arg(long = "db", env = "INVITEDESK_DB", default_value = "invitedesk.db")]
    pub db: PathBuf,

    /// Address to listen on; port 0 picks a free port (the chosen address is printed).
    #[arg(long, env = "INVITEDESK_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,

    /// Seed demo organisations into an empty database and print their credentials as one
    /// JSON line on stdout. Refused on a non-loopback address.
    #[arg(long, env = "INVITEDESK_DEMO")]
    pub demo: bool,

    /// Lifetime of an access token, in seconds.
    #[arg(long, env = "INVITEDESK_TOKEN_TTL_SECS", default_value_t = 3600)]
    pub token_ttl_secs: u64,

    /// Invitations an organisation may send (create or resend) per minute.
    #[arg(long, env = "INVITEDESK_ORG_SENDS_PER_MINUTE", default_value_t = 600)]
    pub org_sends_per_minute: u32,

    /// Invitation e-mails one recipient may be sent per hour.
    #[arg(
        long,
        env = "INVITEDESK_RECIPIENT_SENDS_PER_HOUR",
        default_value_t = 10
    )]
    pub recipient_sends_per_hour: u32,

    /// Largest request body accepted, in bytes.
    #[arg(long, env = "INVITEDESK_MAX_BODY_BYTES", default_value_t = 64 * 1024)]
    pub max_body_bytes: usize,

    /// Log as JSON lines instead of text.
    #[arg(long, env = "INVITEDESK_LOG_JSON")]
    pub log_json: bool,
}

impl Config {
    /// A configuration for tests and embedding: the given database, a free loopback port.
    pub fn for_database(db: PathBuf) -> Self {
        Self::parse_from(["invitedesk-server", "--listen", "127.0.0.1:0"]).with_db(db)
    }

    fn with_db(mut self, db: PathBuf) -> Self {
        self.db = db;
        self
    }
}

//! Command-line flags and their environment variables.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, ValueEnum};
use ipnet::IpNet;

use crate::db::DatabaseUrl;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SmtpSecurity {
    /// Plain SMTP (only for a relay on the same machine or network).
    None,
    /// Upgrade to TLS with STARTTLS, refusing to go on without it.
    Starttls,
    /// TLS from the first byte (SMTPS, usually port 465).
    Tls,
}

/// The InviteDesk reference Access API server (m3ter-compatible core).
#[derive(Debug, Clone, Parser)]
#[command(name = "invitedesk-server", version, about)]
pub struct Config {
    /// SQLite database file; created with its schema if missing. `--database-url` overrides.
    #[arg(long = "db", env = "INVITEDESK_DB", default_value = "invitedesk.db")]
    pub db: PathBuf,

    /// Where the data lives: `sqlite:<path>` (embedded, one instance) or
    /// `postgres://user@host/database` (any number of instances on one database). Default:
    /// the SQLite file of `--db`.
    #[arg(long, env = "INVITEDESK_DATABASE_URL", hide_env_values = true, value_parser = DatabaseUrl::parse)]
    pub database_url: Option<DatabaseUrl>,

    /// Connections each instance keeps to PostgreSQL at most.
    #[arg(long, env = "INVITEDESK_DATABASE_CONNECTIONS", default_value_t = 16)]
    pub database_connections: u32,

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

    /// Lifetime of a person's access token, in seconds; the app refreshes it before then.
    #[arg(long, env = "INVITEDESK_PERSON_TOKEN_TTL_SECS", default_value_t = 900)]
    pub person_token_ttl_secs: u64,

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

    /// Failed client authentications (wrong secret or unknown key) one client address may
    /// make per minute before it is refused with 429 for a while; an IPv6 client counts per /64.
    #[arg(
        long,
        env = "INVITEDESK_AUTH_FAILURES_PER_MINUTE_PER_ADDRESS",
        default_value_t = 30
    )]
    pub auth_failures_per_minute_per_address: u32,

    /// Failed client authentications per minute for one access key id, from anywhere.
    #[arg(
        long,
        env = "INVITEDESK_AUTH_FAILURES_PER_MINUTE_PER_KEY",
        default_value_t = 10
    )]
    pub auth_failures_per_minute_per_key: u32,

    /// Requests to the invitee's pages one client address may make per minute.
    #[arg(
        long,
        env = "INVITEDESK_PAGE_REQUESTS_PER_MINUTE",
        default_value_t = 60
    )]
    pub page_requests_per_minute: u32,

    /// A reverse proxy whose `Forwarded` / `X-Forwarded-For` headers are believed, as a CIDR
    /// (`10.0.0.0/8`) or one address; repeat for several. Without it those headers are
    /// ignored and every limit keys on the connecting address.
    #[arg(long = "trusted-proxy", env = "INVITEDESK_TRUSTED_PROXIES", value_delimiter = ',', value_parser = parse_network)]
    pub trusted_proxies: Vec<IpNet>,

    /// One-time codes an organisation may send per hour, over all its invitations (the SMS
    /// bill); beyond it the invitee's page says to try later.
    #[arg(long, env = "INVITEDESK_ORG_SMS_PER_HOUR", default_value_t = 200)]
    pub org_sms_per_hour: u32,

    /// Days an account with no membership and no Pending invitation is kept before it is
    /// purged.
    #[arg(long, env = "INVITEDESK_ACCOUNT_RETENTION_DAYS", default_value_t = 30)]
    pub account_retention_days: u32,

    /// Days a delivered or abandoned e-mail's outbox row (recipient, subject, outcome) is kept.
    #[arg(long, env = "INVITEDESK_OUTBOX_RETENTION_DAYS", default_value_t = 30)]
    pub outbox_retention_days: u32,

    /// Days audit events are kept; 0 keeps them for ever. Purged with the other expired rows.
    #[arg(long, env = "INVITEDESK_AUDIT_RETENTION_DAYS", default_value_t = 400)]
    pub audit_retention_days: u32,

    /// Largest request body accepted, in bytes.
    #[arg(long, env = "INVITEDESK_MAX_BODY_BYTES", default_value_t = 64 * 1024)]
    pub max_body_bytes: usize,

    /// Base URL of the accept links in e-mails, e.g. https://access.example.com. Never taken
    /// from a request's Host header. Default: the address the server listens on.
    #[arg(long, env = "INVITEDESK_PUBLIC_URL")]
    pub public_url: Option<String>,

    /// SMTP server host. Without it, each e-mail is written as an .eml file into --mail-dir.
    #[arg(long, env = "INVITEDESK_SMTP_HOST")]
    pub smtp_host: Option<String>,

    /// SMTP server port.
    #[arg(long, env = "INVITEDESK_SMTP_PORT", default_value_t = 587)]
    pub smtp_port: u16,

    /// How the SMTP connection is secured.
    #[arg(long, env = "INVITEDESK_SMTP_SECURITY", value_enum, default_value_t = SmtpSecurity::Starttls)]
    pub smtp_security: SmtpSecurity,

    /// SMTP user name, if the server requires one.
    #[arg(long, env = "INVITEDESK_SMTP_USERNAME")]
    pub smtp_username: Option<String>,

    /// SMTP password; prefer the environment variable, since a flag is visible to other users
    /// of the machine.
    #[arg(long, env = "INVITEDESK_SMTP_PASSWORD", hide_env_values = true)]
    pub smtp_password: Option<String>,

    /// The From address of invitation e-mails.
    #[arg(
        long,
        env = "INVITEDESK_MAIL_FROM",
        default_value = "InviteDesk <invitations@invitedesk.localhost>"
    )]
    pub mail_from: String,

    /// Folder for .eml files when no SMTP host is set. Default: `mail/` beside the database.
    #[arg(long, env = "INVITEDESK_MAIL_DIR")]
    pub mail_dir: Option<PathBuf>,

    /// Where one-time codes are sent: a webhook that takes `{"to", "message"}` as JSON, the
    /// way SMS gateways are called. Without it, codes are written to `sms/` in the mail folder.
    #[arg(long, env = "INVITEDESK_SMS_WEBHOOK_URL")]
    pub sms_webhook_url: Option<String>,

    /// Seconds a message being delivered is left to its instance before another instance
    /// takes it over (the instance stopped mid-delivery). Longer than one SMTP attempt can take.
    #[arg(long, env = "INVITEDESK_MAIL_LEASE_SECS", default_value_t = 300)]
    pub mail_lease_secs: u64,

    /// Log as JSON lines instead of text.
    #[arg(long, env = "INVITEDESK_LOG_JSON")]
    pub log_json: bool,

    /// Answer as m3ter's own public API does, for testing clients against it: invitations
    /// without the extension fields (status, placement, delivery), subscriptions without
    /// seats, and no /me, /resend or /revoke.
    #[arg(long, env = "INVITEDESK_M3TER_ONLY")]
    pub m3ter_only: bool,
}

impl Config {
    /// A configuration for tests and embedding: the given database, a free loopback port.
    pub fn for_database(db: PathBuf) -> Self {
        Self::parse_from(["invitedesk-server", "--listen", "127.0.0.1:0"]).with_db(db)
    }

    /// `for_database`, or, when `INVITEDESK_TEST_DATABASE_URL` names a PostgreSQL server
    /// (`postgres://user:password@host:port/postgres`), a new empty database made on it for
    /// this one caller: how the same tests run on both backends.
    pub fn for_tests(db: PathBuf) -> Self {
        let mut config = Self::for_database(db);
        if let Ok(admin) = std::env::var(TEST_DATABASE_URL) {
            let url = crate::db::postgres::throwaway_database(&admin)
                .unwrap_or_else(|e| panic!("{TEST_DATABASE_URL}: {e}"));
            config.database_url = Some(DatabaseUrl::Postgres(url));
        }
        config
    }

    fn with_db(mut self, db: PathBuf) -> Self {
        self.db = db;
        self
    }

    /// The database this server uses.
    pub fn database(&self) -> DatabaseUrl {
        self.database_url
            .clone()
            .unwrap_or_else(|| DatabaseUrl::Sqlite(self.db.clone()))
    }

    /// Where .eml files go when no SMTP host is set.
    pub fn mail_folder(&self) -> PathBuf {
        self.mail_dir.clone().unwrap_or_else(|| {
            let beside = self.db.parent().filter(|p| !p.as_os_str().is_empty());
            beside
                .map(|p| p.join("mail"))
                .unwrap_or_else(|| PathBuf::from("mail"))
        })
    }
}

/// Names the PostgreSQL server on which `Config::for_tests` makes each test its database.
pub const TEST_DATABASE_URL: &str = "INVITEDESK_TEST_DATABASE_URL";

/// A CIDR, or a single address as its own /32 or /128.
fn parse_network(text: &str) -> Result<IpNet, String> {
    text.parse::<IpNet>()
        .or_else(|_| text.parse::<std::net::IpAddr>().map(IpNet::from))
        .map_err(|_| format!("{text:?} is neither a CIDR like 10.0.0.0/8 nor an IP address"))
}

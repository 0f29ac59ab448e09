//! `invitedesk-server`: runs the reference Access API until interrupted.

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use invitedesk_server::{demo, start, Config};
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> ExitCode {
    let config = Config::parse();
    init_logging(&config);
    if config.demo && !config.listen.ip().is_loopback() {
        eprintln!(
            "error: --demo prints credentials and is allowed only on a loopback address, not {}",
            config.listen
        );
        return ExitCode::from(2);
    }
    match run(config).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(config: Config) -> invitedesk_server::Result<()> {
    let demo_mode = config.demo;
    let mut server = start(config).await?;
    if demo_mode {
        let credentials = demo::seed(&server.state, &server.base_url()).await?;
        // The first line on stdout, for scripts and tests; logs go to stderr.
        let mut out = std::io::stdout().lock();
        writeln!(out, "{}", serde_json::to_string(&credentials)?)?;
        out.flush()?;
    }
    tracing::info!(address = %server.addr, "listening");
    let ended_by_itself = tokio::select! {
        _ = tokio::signal::ctrl_c() => None,
        outcome = server.wait() => Some(outcome),
    };
    match ended_by_itself {
        Some(outcome) => outcome,
        None => {
            tracing::info!("stopping");
            server.stop().await;
            Ok(())
        }
    }
}

fn init_logging(config: &Config) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if config.log_json {
        logs.json().init();
    } else {
        logs.init();
    }
}

//! `invitedesk-sync CACHE_FILE`: syncs one cache from the command line, for scripts and for
//! the test that kills a sync half-way. The connection comes from INVITEDESK_BASE_URL,
//! INVITEDESK_ORG_ID, INVITEDESK_ACCESS_KEY_ID and INVITEDESK_API_SECRET. Prints a line per
//! page applied (`progress LIST DONE`) and, at the end, `synced INVITATIONS USERS`.

use std::io::Write;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use invitedesk_client::sync::sync;
use invitedesk_client::{ApiClient, Cache, Connection};

fn variable(name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| format!("{name} is not set"))
}

async fn run() -> Result<(), String> {
    let path = std::env::args()
        .nth(1)
        .ok_or("usage: invitedesk-sync CACHE_FILE")?;
    let connection = Connection {
        base_url: variable("INVITEDESK_BASE_URL")?,
        org_id: variable("INVITEDESK_ORG_ID")?
            .parse()
            .map_err(|e| format!("INVITEDESK_ORG_ID: {e}"))?,
        access_key_id: variable("INVITEDESK_ACCESS_KEY_ID")?,
        api_secret: variable("INVITEDESK_API_SECRET")?,
    };
    let api = ApiClient::new(connection).map_err(|e| e.to_string())?;
    let cache = Arc::new(Mutex::new(
        Cache::open(std::path::Path::new(&path)).map_err(|e| e.to_string())?,
    ));
    let report = sync(&api, &cache, |p| {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "progress {:?} {}", p.list, p.done);
        let _ = out.flush();
    })
    .await
    .map_err(|e| e.to_string())?;
    println!("synced {} {}", report.invitations, report.users);
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

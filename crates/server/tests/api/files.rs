//! Files and folders the server makes are readable by their owner only.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use crate::accept::{invited_through_mail_file, MOBILE};
use crate::helpers::spawn_app;

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

#[tokio::test]
async fn the_database_mail_and_codes_are_the_owners_alone() {
    let app = spawn_app().await;
    let mut invitee = invited_through_mail_file(&app, "private@example.com").await;
    invitee
        .post(
            "code",
            &[
                ("first_name", "Pri"),
                ("last_name", "Vate"),
                ("mobile", MOBILE),
            ],
        )
        .await;
    let dir = app.dir.path();
    // The SQLite files; PostgreSQL keeps its data in its own cluster, under its own owner.
    let database_files = match app.is_postgres() {
        true => vec![],
        false => vec!["server.db", "server.db-wal", "server.db-shm"],
    };
    for file in database_files {
        assert_eq!(mode(&dir.join(file)), 0o600, "{file}");
    }
    for folder in ["mail", "mail/sms"] {
        assert_eq!(mode(&dir.join(folder)), 0o700, "{folder}");
    }
    let written: Vec<_> = ["mail", "mail/sms"]
        .iter()
        .flat_map(|f| std::fs::read_dir(dir.join(f)).unwrap())
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    assert!(written.len() >= 2, "an e-mail and a code file");
    for file in written {
        assert_eq!(mode(&file), 0o600, "{}", file.display());
    }
}

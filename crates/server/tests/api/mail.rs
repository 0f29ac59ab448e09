use std::time::Duration;

use invitedesk_model::{DeliveryStatus, Invitation};
use invitedesk_server::config::SmtpSecurity;

use crate::helpers::{spawn_app_with, TestApp};
use crate::smtp_sink::{decoded, invite_token, SmtpSink};

const PUBLIC_URL: &str = "https://access.example.test";

async fn app_mailing_to(port: u16) -> TestApp {
    spawn_app_with(|c| {
        c.smtp_host = Some("127.0.0.1".into());
        c.smtp_port = port;
        c.smtp_security = SmtpSecurity::None;
        c.public_url = Some(PUBLIC_URL.into());
    })
    .await
}

#[tokio::test]
async fn the_invitation_email_reaches_the_smtp_server_with_everything_the_invitee_needs() {
    let sink = SmtpSink::start().await;
    let app = app_mailing_to(sink.port).await;
    let admin = app.admin().await;
    let mut request = admin.placed("grace@example.com", "Telemetry Team").await;
    request.role_id = {
        let roles: invitedesk_model::Page<invitedesk_model::Role> = admin
            .get(&format!("/apps/{}/roles", request.app_id.unwrap()))
            .await
            .ok();
        roles
            .data
            .iter()
            .find(|r| r.name.as_deref() == Some("Analyst"))
            .map(|r| r.id)
    };
    let created: Invitation = admin.invite(&request).await.ok();
    assert_eq!(created.delivery_status, Some(DeliveryStatus::Queued));

    let message = decoded(&sink.wait_for(1).await.remove(0));
    assert!(message.contains("To: grace@example.com"), "{message}");
    assert!(
        message.contains("Subject: admin invites you to join Acme Robotics"),
        "{message}"
    );
    assert!(
        message.contains("multipart/alternative") && message.contains("text/html"),
        "plain and HTML parts"
    );
    for expected in [
        "Telemetry Team",
        "Analyst",
        &created.dt_expiry.unwrap().format("%-d %B %Y").to_string(),
    ] {
        assert!(message.contains(expected), "mentions {expected}: {message}");
    }
    let token = invite_token(&message);
    assert_eq!(token.len(), 43, "32 random bytes, base64url");
    assert!(message.contains(&format!("{PUBLIC_URL}/invite/{token}")));

    let delivered = admin.delivered(created.id).await;
    assert!(delivered.dt_last_sent.is_some());
    assert_eq!(delivered.delivery_error, None);
    assert_eq!(
        delivered.version, created.version,
        "delivery is not an edit"
    );
}

#[tokio::test]
async fn smtp_down_at_creation_then_up_delivers_the_mail_exactly_once() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let app = app_mailing_to(port).await;
    let admin = app.admin().await;
    let created: Invitation = admin
        .invite(&admin.new_person("patient@example.com").await)
        .await
        .ok();

    let mut failed = None;
    for _ in 0..200 {
        let now: Invitation = admin
            .get(&format!("/invitations/{}", created.id))
            .await
            .ok();
        if now.delivery_error.is_some() {
            failed = Some(now);
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let failed = failed.expect("a failed attempt is recorded");
    assert_eq!(
        failed.delivery_status,
        Some(DeliveryStatus::Queued),
        "still queued for a retry"
    );

    let sink = SmtpSink::start_on(port).await;
    let messages = sink.wait_for(1).await;
    assert!(messages[0].contains("To: patient@example.com"));
    let delivered = admin.delivered(created.id).await;
    assert_eq!(delivered.delivery_error, None);
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(sink.messages().len(), 1, "exactly once");
}

#[tokio::test]
async fn resend_sends_a_new_link_and_tokens_are_stored_only_as_hashes() {
    let sink = SmtpSink::start().await;
    let app = app_mailing_to(sink.port).await;
    let admin = app.admin().await;
    let created: Invitation = admin
        .invite(&admin.new_person("twice@example.com").await)
        .await
        .ok();
    let first = invite_token(&sink.wait_for(1).await[0]);
    admin
        .action(&format!("/invitations/{}/resend", created.id))
        .await
        .ok::<Invitation>();
    let second = invite_token(&sink.wait_for(2).await[1]);
    assert_ne!(first, second, "resend rotates the token");

    admin.delivered(created.id).await;
    // The outbox holds a message, link included, only until it is delivered; then its body is
    // erased and overwritten, so no token is left in the database files.
    let files = ["server.db", "server.db-wal"].map(|f| app.dir.path().join(f));
    let anywhere = |token: &str| {
        files.iter().any(|f| {
            let bytes = std::fs::read(f).unwrap_or_default();
            bytes.windows(token.len()).any(|w| w == token.as_bytes())
        })
    };
    for _ in 0..100 {
        if !anywhere(&first) && !anywhere(&second) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("a token is still stored in plain text");
}

#[tokio::test]
async fn the_link_comes_from_configuration_never_from_the_host_header() {
    let sink = SmtpSink::start().await;
    let app = app_mailing_to(sink.port).await;
    let admin = app.admin().await;
    let request = admin.new_person("host@example.com").await;
    let response = app
        .http
        .post(admin.url("/invitations"))
        .bearer_auth(&admin.token)
        .header("Host", "evil.example")
        .json(&request)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let message = decoded(&sink.wait_for(1).await.remove(0));
    assert!(message.contains(&format!("{PUBLIC_URL}/invite/")));
    assert!(!message.contains("evil.example"));
}

#[tokio::test]
async fn without_smtp_each_mail_is_an_eml_file_beside_the_database() {
    let app = spawn_app_with(|_| {}).await;
    let admin = app.admin().await;
    let created: Invitation = admin
        .invite(&admin.new_person("offline@example.com").await)
        .await
        .ok();
    admin.delivered(created.id).await;
    let folder = app.dir.path().join("mail");
    let files: Vec<_> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|f| f.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "eml"))
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let message = decoded(&std::fs::read_to_string(&files[0]).unwrap());
    assert!(message.contains("To: offline@example.com"));
    assert!(message.contains(&format!(
        "{}/invite/{}",
        app.base_url(),
        invite_token(&message)
    )));
}

#[tokio::test]
async fn reactivating_a_member_tells_them_by_email() {
    let sink = SmtpSink::start().await;
    let app = app_mailing_to(sink.port).await;
    let admin = app.admin().await;
    let user = admin.users("?status=Inactive").await.data[0].clone();
    admin
        .action(&format!("/users/{}/reactivate", user.id))
        .await
        .ok::<invitedesk_model::User>();
    let message = decoded(&sink.wait_for(1).await.remove(0));
    assert!(
        message.contains(&format!("To: {}", user.email.unwrap())),
        "{message}"
    );
    assert!(
        message.contains("Subject: Your access to Acme Robotics is restored"),
        "{message}"
    );
    admin
        .action(&format!("/users/{}/inactivate", user.id))
        .await
        .ok::<invitedesk_model::User>();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(sink.messages().len(), 1, "inactivation sends nothing");
}

#[tokio::test]
async fn a_failed_write_after_a_successful_send_never_sends_the_message_twice() {
    let sink = SmtpSink::start().await;
    let app = app_mailing_to(sink.port).await;
    // The record of a successful send fails, as a full disk or a broken database would make it.
    let (fail, repair) = match app.is_postgres() {
        true => (
            "CREATE FUNCTION fail_sent() RETURNS trigger LANGUAGE plpgsql AS
               $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$;
             CREATE TRIGGER fail_sent_record BEFORE UPDATE OF status ON outbox
               FOR EACH ROW WHEN (NEW.status = 'sent') EXECUTE FUNCTION fail_sent();",
            "DROP TRIGGER fail_sent_record ON outbox",
        ),
        false => (
            "CREATE TRIGGER fail_sent_record BEFORE UPDATE OF status ON outbox
             WHEN NEW.status = 'sent' BEGIN SELECT RAISE(ABORT, 'injected failure'); END;",
            "DROP TRIGGER fail_sent_record",
        ),
    };
    app.sql_execute(fail).await;
    let admin = app.admin().await;
    let created: Invitation = admin
        .invite(&admin.new_person("once@example.com").await)
        .await
        .ok();
    sink.wait_for(1).await;
    // The delivery task keeps failing to record it for a few rounds of retries.
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert_eq!(
        sink.messages().len(),
        1,
        "sent once, however often the record failed"
    );
    app.sql_execute(repair).await;
    let delivered = admin.delivered(created.id).await;
    assert_eq!(delivered.delivery_status, Some(DeliveryStatus::Sent));
    assert_eq!(sink.messages().len(), 1);
}

#[tokio::test]
async fn a_long_read_never_holds_writes_behind_a_checkpoint() {
    let sink = SmtpSink::start().await;
    let app = app_mailing_to(sink.port).await;
    let admin = app.admin().await;
    // A reader that stays in the middle of a transaction: a full checkpoint would wait for it.
    let reader = OpenRead::hold(&app);
    for n in 0..3 {
        let started = std::time::Instant::now();
        let created: Invitation = admin
            .invite(&admin.new_person(&format!("busy{n}@example.com")).await)
            .await
            .ok();
        admin.delivered(created.id).await;
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "a write waited {:?} behind the reader",
            started.elapsed()
        );
    }
    drop(reader);
}

/// A reader of the server's database held in the middle of a transaction, on its own
/// connection (another process, as far as the server can tell), until dropped.
struct OpenRead(Option<std::sync::mpsc::Sender<()>>);

impl OpenRead {
    fn hold(app: &crate::helpers::TestApp) -> Self {
        let (stop, stopped) = std::sync::mpsc::channel::<()>();
        let (held, holding) = std::sync::mpsc::channel::<()>();
        let database = app.server.state.config.database();
        std::thread::spawn(move || match database {
            invitedesk_server::db::DatabaseUrl::Sqlite(path) => {
                let reader = rusqlite::Connection::open(path).unwrap();
                reader.execute_batch("BEGIN").unwrap();
                let _: i64 = reader
                    .query_row("SELECT count(*) FROM invitations", [], |r| r.get(0))
                    .unwrap();
                held.send(()).unwrap();
                let _ = stopped.recv();
            }
            invitedesk_server::db::DatabaseUrl::Postgres(url) => {
                let mut reader = postgres::Client::connect(&url, postgres::NoTls).unwrap();
                reader
                    .batch_execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
                    .unwrap();
                reader
                    .query_one("SELECT count(*) FROM invitations", &[])
                    .unwrap();
                held.send(()).unwrap();
                let _ = stopped.recv();
            }
        });
        holding.recv().unwrap();
        Self(Some(stop))
    }
}

impl Drop for OpenRead {
    fn drop(&mut self) {
        drop(self.0.take());
    }
}

//! Several instances on one PostgreSQL database: two `invitedesk-server` processes, each with
//! its own pools, caches and delivery task, must behave as one server. Run when
//! `INVITEDESK_TEST_DATABASE_URL` names a PostgreSQL server (`scripts/with-postgres`); on the
//! SQLite run they say so and pass, since one SQLite file has one writing process.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use futures::future::join_all;
use invitedesk_model::{Invitation, NewInvitation, Page, Subscription};
use invitedesk_server::config::TEST_DATABASE_URL;
use invitedesk_server::demo::DemoCredentials;
use reqwest::{Method, StatusCode};
use uuid::Uuid;

use crate::helpers::{Session, TestApp};
use crate::smtp_sink::SmtpSink;

/// A database made for this test on the PostgreSQL server the run names, if any.
fn shared_database() -> Option<String> {
    let admin = std::env::var(TEST_DATABASE_URL).ok()?;
    Some(invitedesk_server::db::postgres::throwaway_database(&admin).expect("a test database"))
}

macro_rules! postgres_or_skip {
    () => {
        match shared_database() {
            Some(url) => url,
            None => {
                eprintln!("skipped: several instances need {TEST_DATABASE_URL} (PostgreSQL)");
                return;
            }
        }
    };
}

/// One server process, its logs in a file (a full pipe would block it).
struct Instance {
    child: Child,
    base: String,
    /// Kept open for as long as the instance writes to it.
    _logs: tempfile::NamedTempFile,
}

impl Instance {
    fn start(database: &str, args: &[&str]) -> (Self, Option<DemoCredentials>) {
        let logs = tempfile::NamedTempFile::new().unwrap();
        let mail = tempfile::tempdir().unwrap().keep();
        let child = Command::new(env!("CARGO_BIN_EXE_invitedesk-server"))
            .args([
                "--listen",
                "127.0.0.1:0",
                "--log-json",
                "--database-url",
                database,
            ])
            .arg("--mail-dir")
            .arg(&mail)
            .args(args)
            .env("RUST_LOG", "info")
            .stdout(Stdio::piped())
            .stderr(logs.reopen().unwrap())
            .spawn()
            .expect("the server binary starts");
        // Made at once, so that a panic below still ends the process (`Drop`).
        let mut instance = Self {
            child,
            base: String::new(),
            _logs: logs,
        };
        let demo = args.contains(&"--demo").then(|| {
            let mut line = String::new();
            std::io::BufRead::read_line(
                &mut std::io::BufReader::new(instance.child.stdout.as_mut().unwrap()),
                &mut line,
            )
            .unwrap();
            serde_json::from_str(&line).unwrap_or_else(|e| panic!("credentials ({e}): {line}"))
        });
        instance.base = format!("http://{}", listening_address(&instance._logs));
        (instance, demo)
    }

    fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    async fn session(&self, demo: &DemoCredentials, who: &str) -> Session {
        let org = &demo.organizations[0];
        let p = &org.principals[who];
        let http = reqwest::Client::new();
        let token: serde_json::Value = http
            .post(format!("{}/oauth/token", self.base))
            .basic_auth(&p.access_key_id, Some(&p.api_secret))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        Session {
            http,
            base: self.base.clone(),
            org_id: org.org_id,
            token: token["access_token"].as_str().unwrap().to_owned(),
        }
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The address the instance logs once it listens.
fn listening_address(logs: &tempfile::NamedTempFile) -> String {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(30) {
        let text = std::fs::read_to_string(logs.path()).unwrap_or_default();
        let logged = text
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .find(|l| l["fields"]["message"] == "listening");
        if let Some(line) = logged {
            return line["fields"]["address"].as_str().unwrap().to_owned();
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!(
        "the instance did not start: {}",
        std::fs::read_to_string(logs.path()).unwrap()
    );
}

/// Two instances on `database`, the first having seeded the demo data.
async fn two_instances(database: &str, args: &[&str]) -> (Instance, Instance, DemoCredentials) {
    let mut first_args = vec!["--demo"];
    first_args.extend_from_slice(args);
    let (first, demo) = Instance::start(database, &first_args);
    let (second, _) = Instance::start(database, args);
    (first, second, demo.unwrap())
}

fn smtp_args(sink: &SmtpSink) -> Vec<String> {
    let port = sink.port.to_string();
    [
        "--smtp-host",
        "127.0.0.1",
        "--smtp-security",
        "none",
        "--smtp-port",
        &port,
    ]
    .map(String::from)
    .to_vec()
}

fn strs(args: &[String]) -> Vec<&str> {
    args.iter().map(String::as_str).collect()
}

/// Leaves exactly `free` seats in the named subscription, whatever the demo data holds.
async fn leave_free_seats(admin: &Session, database: &str, name: &str, free: i64) -> Subscription {
    let s = admin.subscription(name).await;
    let seats = s.seats.expect("the extended API shows seats");
    let limit = seats.limit - seats.available + free;
    sql(
        database,
        &format!(
            "UPDATE subscriptions SET seat_limit = {limit} WHERE id = '{}'",
            s.id
        ),
    )
    .await;
    admin.subscription(name).await
}

/// Runs `statement` on `database` on a connection of its own.
async fn sql(database: &str, statement: &str) {
    let (url, statement) = (database.to_owned(), statement.to_owned());
    tokio::task::spawn_blocking(move || {
        let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
        client.batch_execute(&statement).unwrap();
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn fifty_concurrent_invites_for_three_free_seats_over_two_instances_make_three() {
    let database = postgres_or_skip!();
    let (a, b, demo) = two_instances(&database, &[]).await;
    let (on_a, on_b) = (
        a.session(&demo, "admin").await,
        b.session(&demo, "admin").await,
    );
    let subscription = leave_free_seats(&on_a, &database, "Storefront Pro", 3).await;
    assert_eq!(subscription.seats.unwrap().available, 3);
    let mut requests: Vec<(usize, NewInvitation)> = Vec::new();
    for n in 0..50 {
        requests.push((
            n % 2,
            on_a.placed(&format!("race{n}@example.com"), "Storefront Pro")
                .await,
        ));
    }
    let answers = join_all(requests.iter().map(|(which, invitation)| {
        let session = if *which == 0 { &on_a } else { &on_b };
        session.invite(invitation)
    }))
    .await;
    let created = answers
        .iter()
        .filter(|a| a.status == StatusCode::OK)
        .count();
    let refused = answers
        .iter()
        .filter(|a| a.status == StatusCode::CONFLICT && a.body["code"] == "seats_exhausted")
        .count();
    assert_eq!(
        (created, refused),
        (3, 47),
        "{:?}",
        answers.iter().map(|a| a.status).collect::<Vec<_>>()
    );
    let seats = on_b.subscription("Storefront Pro").await.seats.unwrap();
    assert_eq!(
        (
            seats.available,
            seats.pending - subscription_pending(&subscription)
        ),
        (0, 3)
    );
}

fn subscription_pending(s: &Subscription) -> i64 {
    s.seats.as_ref().unwrap().pending
}

#[tokio::test]
async fn one_idempotency_key_sent_to_two_instances_at_once_makes_one_invitation() {
    let database = postgres_or_skip!();
    let (a, b, demo) = two_instances(&database, &[]).await;
    let (on_a, on_b) = (
        a.session(&demo, "admin").await,
        b.session(&demo, "admin").await,
    );
    for round in 0..10 {
        let invitation = on_a.new_person(&format!("twice{round}@example.com")).await;
        let key = format!("race-{round}-{}", Uuid::new_v4());
        let body = serde_json::to_value(&invitation).unwrap();
        let (first, second) = tokio::join!(
            on_a.call(Method::POST, "/invitations", Some(&body), Some(&key)),
            on_b.call(Method::POST, "/invitations", Some(&body), Some(&key))
        );
        assert_eq!(
            (first.status, second.status),
            (StatusCode::OK, StatusCode::OK),
            "{first:?} {second:?}"
        );
        assert_eq!(
            first.body["id"], second.body["id"],
            "both answers name one invitation"
        );
        let found: Page<Invitation> = on_b
            .get(&format!("/invitations?search=twice{round}@"))
            .await
            .ok();
        assert_eq!(found.data.len(), 1, "round {round}");
    }
}

#[tokio::test]
async fn every_instance_delivers_and_no_message_is_sent_twice() {
    let database = postgres_or_skip!();
    let sink = SmtpSink::start().await;
    let smtp = smtp_args(&sink);
    let (a, b, demo) = two_instances(&database, &strs(&smtp)).await;
    let (on_a, on_b) = (
        a.session(&demo, "admin").await,
        b.session(&demo, "admin").await,
    );
    let mut invitations = Vec::new();
    for n in 0..30 {
        invitations.push(on_a.new_person(&format!("mail{n}@example.com")).await);
    }
    join_all(invitations.iter().enumerate().map(|(n, invitation)| {
        let session = if n % 2 == 0 { &on_a } else { &on_b };
        session.invite(invitation)
    }))
    .await;
    sink.wait_for(30).await;
    // Both instances poll every second: time enough for a second delivery, were there one.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let mut recipients: Vec<String> = sink
        .messages()
        .iter()
        .filter_map(|m| {
            m.lines()
                .find(|l| l.starts_with("To:"))
                .map(|l| l.to_ascii_lowercase())
        })
        .collect();
    let all = recipients.len();
    recipients.sort();
    recipients.dedup();
    assert_eq!(
        (all, recipients.len()),
        (30, 30),
        "each of 30 delivered exactly once"
    );
}

#[tokio::test]
async fn a_message_claimed_by_an_instance_that_dies_is_delivered_once_by_another() {
    let database = postgres_or_skip!();
    // The first instance's mail server takes the connection and never answers: it is stuck
    // mid-delivery, its lease held, when it is killed.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let silent_port = silent.local_addr().unwrap().port().to_string();
    let held = tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((stream, _)) = silent.accept().await {
            open.push(stream);
        }
    });
    let stuck = [
        "--demo",
        "--smtp-host",
        "127.0.0.1",
        "--smtp-security",
        "none",
        "--smtp-port",
        &silent_port,
        "--mail-lease-secs",
        "3",
    ];
    let (a, demo) = Instance::start(&database, &stuck);
    let demo = demo.unwrap();
    let on_a = a.session(&demo, "admin").await;
    let created: Invitation = on_a
        .invite(&on_a.new_person("orphan@example.com").await)
        .await
        .ok();
    // Claimed: the message is waiting on the silent server.
    tokio::time::sleep(Duration::from_millis(800)).await;
    a.kill();

    let sink = SmtpSink::start().await;
    let smtp = smtp_args(&sink);
    let (b, _) = Instance::start(&database, &strs(&smtp));
    let on_b = b.session(&demo, "admin").await;
    let started = Instant::now();
    let delivered = sink.wait_for(1).await;
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "taken over only once the dead instance's lease ran out"
    );
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(sink.messages().len(), 1, "delivered once");
    assert!(delivered[0].contains("orphan@example.com"));
    let invitation: Invitation = on_b.get(&format!("/invitations/{}", created.id)).await.ok();
    assert_eq!(
        invitation.delivery_status,
        Some(invitedesk_model::DeliveryStatus::Sent)
    );
    held.abort();
}

#[tokio::test]
async fn a_token_revoked_on_one_instance_is_refused_by_the_other_within_a_second() {
    let database = postgres_or_skip!();
    let (a, b, demo) = two_instances(&database, &[]).await;
    let on_a = a.session(&demo, "admin").await;
    let mut on_b = Session {
        http: on_a.http.clone(),
        base: b.base.clone(),
        org_id: on_a.org_id,
        token: on_a.token.clone(),
    };
    async fn me(s: &Session) -> StatusCode {
        s.get("/invitations?pageSize=1").await.status
    }
    assert_eq!(
        me(&on_b).await,
        StatusCode::OK,
        "the other instance knows the token"
    );
    let org = &demo.organizations[0].principals["admin"];
    let revoked = on_a
        .http
        .post(format!("{}/oauth/revoke", a.base))
        .basic_auth(&org.access_key_id, Some(&org.api_secret))
        .form(&[("token", on_a.token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), StatusCode::OK);
    let at = Instant::now();
    while me(&on_b).await == StatusCode::OK {
        assert!(
            at.elapsed() < Duration::from_secs(1),
            "still accepted after {:?}",
            at.elapsed()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(me(&on_b).await, StatusCode::UNAUTHORIZED);

    // A principal removed from the database (by another tool, say) is refused the same way.
    on_b = b.session(&demo, "helpdesk").await;
    assert_eq!(me(&on_b).await, StatusCode::OK);
    let helpdesk = &demo.organizations[0].principals["helpdesk"].access_key_id;
    sql(
        &database,
        &format!(
            "DELETE FROM access_tokens WHERE principal_id IN
               (SELECT id FROM service_users WHERE access_key_id = '{helpdesk}');
             DELETE FROM service_users WHERE access_key_id = '{helpdesk}';"
        ),
    )
    .await;
    let at = Instant::now();
    while me(&on_b).await == StatusCode::OK {
        assert!(
            at.elapsed() < Duration::from_secs(1),
            "still accepted after {:?}",
            at.elapsed()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The late-commit gap: a change stamped earlier but committed later must still reach a
/// client that has already read the later-stamped one. Two write transactions on two
/// connections are interleaved by hand; the feed (`modifiedSince`, as the desktop syncs)
/// must hold back the later stamp until the earlier transaction is done.
#[tokio::test]
async fn a_change_committed_late_on_another_connection_is_never_skipped_by_the_feed() {
    if std::env::var(TEST_DATABASE_URL).is_err() {
        eprintln!("skipped: interleaved transactions need {TEST_DATABASE_URL} (PostgreSQL)");
        return;
    }
    let app = crate::helpers::spawn_app().await;
    let admin = app.admin().await;
    let early: Invitation = admin
        .invite(&admin.new_person("early@example.com").await)
        .await
        .ok();
    let late: Invitation = admin
        .invite(&admin.new_person("late@example.com").await)
        .await
        .ok();
    let mut cursor = newest_stamp(&admin).await;

    // Transaction 1 stamps `early` first, then waits, uncommitted.
    let (go_on, wait) = std::sync::mpsc::channel::<()>();
    let (stamped, has_stamped) = tokio::sync::oneshot::channel::<()>();
    let first = touch(&app, admin.org_id, early.id, move || {
        let _ = stamped.send(());
        let _ = wait.recv();
    });
    has_stamped.await.unwrap();
    // Transaction 2 stamps `late` after it, and commits at once.
    touch(&app, admin.org_id, late.id, || {}).await.unwrap();

    let mut seen = sync_from(&admin, &mut cursor).await;
    go_on.send(()).unwrap();
    first.await.unwrap();
    seen.extend(sync_from(&admin, &mut cursor).await);
    assert!(seen.contains(&late.id), "the later change arrives");
    assert!(
        seen.contains(&early.id),
        "the change committed late is not skipped: the feed held the later one back until then"
    );
}

/// The feed waits only for its own organisation's writers: a write held open in another
/// tenant neither delays it nor hides a change committed just before it was asked.
#[tokio::test]
async fn a_write_held_open_in_another_organisation_never_holds_back_the_feed() {
    if std::env::var(TEST_DATABASE_URL).is_err() {
        eprintln!("skipped: interleaved transactions need {TEST_DATABASE_URL} (PostgreSQL)");
        return;
    }
    let app = crate::helpers::spawn_app().await;
    let (admin, other) = (app.admin().await, app.session(1, "admin").await);
    let elsewhere: Invitation = other
        .invite(&other.new_person("elsewhere@example.com").await)
        .await
        .ok();
    let mut cursor = newest_stamp(&admin).await;

    let (go_on, wait) = std::sync::mpsc::channel::<()>();
    let (stamped, has_stamped) = tokio::sync::oneshot::channel::<()>();
    let held = touch(&app, other.org_id, elsewhere.id, move || {
        let _ = stamped.send(());
        let _ = wait.recv();
    });
    has_stamped.await.unwrap();
    let fresh: Invitation = admin
        .invite(&admin.new_person("fresh@example.com").await)
        .await
        .ok();
    let asked = Instant::now();
    let seen = sync_from(&admin, &mut cursor).await;
    let waited = asked.elapsed();
    go_on.send(()).unwrap();
    held.await.unwrap();
    assert!(
        seen.contains(&fresh.id),
        "the change committed before the sync arrives"
    );
    assert!(
        waited < Duration::from_millis(500),
        "the feed waited {waited:?} for another organisation's transaction"
    );
}

/// A record changed while the feed is read is in it, old or new: its update committing between
/// the horizon's reading and the page's must not hide it from a sync (the delivery task
/// updates an invitation moments after its creation, just when a client syncs).
#[tokio::test]
async fn a_record_updated_while_the_feed_is_read_is_never_missing_from_it() {
    if std::env::var(TEST_DATABASE_URL).is_err() {
        eprintln!("skipped: interleaved transactions need {TEST_DATABASE_URL} (PostgreSQL)");
        return;
    }
    let app = crate::helpers::spawn_app().await;
    let admin = app.admin().await;
    let mut ids = Vec::new();
    for i in 0..10 {
        let invitation: Invitation = admin
            .invite(&admin.new_person(&format!("churn{i}@example.com")).await)
            .await
            .ok();
        ids.push(invitation.id);
    }
    for round in 0..120 {
        // Two updates, the second started a moment into the sync, so that now and then one
        // commits while the feed stands between its horizon and its page.
        let touched = ids[round % ids.len()];
        let update = touch(&app, admin.org_id, touched, || {});
        let (db, clock) = (app.server.state.db.clone(), app.server.state.clock.clone());
        let (org, later) = (admin.org_id, ids[(round + 3) % ids.len()]);
        let delayed = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_micros(300 * (round as u64 % 10))).await;
            touch_with(db, clock, org, later, || {}).await.unwrap();
        });
        let mut cursor = "1970-01-01T00:00:00+00:00".to_owned();
        let seen = sync_from(&admin, &mut cursor).await;
        update.await.unwrap();
        delayed.await.unwrap();
        for id in &ids {
            assert!(
                seen.contains(id),
                "round {round}: {id} missing from a full sync"
            );
        }
    }
}

/// Edits the invitation's name in a write transaction of the test app's own server, calling
/// `between` after the row is stamped and before the transaction commits.
fn touch(
    app: &TestApp,
    org_id: Uuid,
    id: Uuid,
    between: impl FnOnce() + Send + 'static,
) -> tokio::task::JoinHandle<()> {
    let (db, clock) = (app.server.state.db.clone(), app.server.state.clock.clone());
    touch_with(db, clock, org_id, id, between)
}

fn touch_with(
    db: invitedesk_server::db::Db,
    clock: std::sync::Arc<invitedesk_server::clock::Clock>,
    org_id: Uuid,
    id: Uuid,
    between: impl FnOnce() + Send + 'static,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        db.write(move |tx| {
            let stamp = tx.stamp(&clock, org_id)?.timestamp_micros();
            tx.execute(
                "UPDATE invitations SET first_name = 'Touched', dt_last_modified = ? WHERE id = ?",
                (stamp, id.to_string()),
            )?;
            between();
            Ok(())
        })
        .await
        .unwrap()
    })
}

async fn newest_stamp(admin: &Session) -> String {
    let page: Page<Invitation> = admin.get("/invitations?pageSize=1").await.ok();
    page.data[0].dt_last_modified.unwrap().to_rfc3339()
}

/// Everything the feed has after `cursor`, as a client pages through it; moves the cursor
/// to the last change seen.
async fn sync_from(admin: &Session, cursor: &mut String) -> Vec<Uuid> {
    let mut seen = Vec::new();
    let mut next: Option<String> = None;
    loop {
        let mut path = format!(
            "/invitations?pageSize=200&modifiedSince={}",
            urlencode(cursor)
        );
        if let Some(token) = &next {
            path.push_str(&format!("&nextToken={token}"));
        }
        let page: Page<Invitation> = admin.get(&path).await.ok();
        for invitation in &page.data {
            seen.push(invitation.id);
            *cursor = invitation.dt_last_modified.unwrap().to_rfc3339();
        }
        match page.next_token {
            Some(token) => next = Some(token),
            None => return seen,
        }
    }
}

fn urlencode(text: &str) -> String {
    text.replace('+', "%2B").replace(':', "%3A")
}

//! The `invitedesk-server` binary as a script or a newcomer runs it.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};

use serde_json::Value;

/// A running server whose logs go to a file, so a chatty log level never blocks it on a full pipe.
struct Server {
    child: Child,
    logs: tempfile::NamedTempFile,
}

fn server(args: &[&str], env: &[(&str, &str)]) -> Server {
    let logs = tempfile::NamedTempFile::new().unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_invitedesk-server"));
    command
        .args(args)
        .stdout(Stdio::piped())
        .stderr(logs.reopen().unwrap());
    for (key, value) in env {
        command.env(key, value);
    }
    Server {
        child: command.spawn().expect("server binary starts"),
        logs,
    }
}

fn first_line(server: &mut Server) -> Value {
    let mut line = String::new();
    BufReader::new(server.child.stdout.as_mut().unwrap())
        .read_line(&mut line)
        .unwrap();
    serde_json::from_str(&line).unwrap_or_else(|e| panic!("first line is JSON ({e}): {line}"))
}

/// `invitedesk-server --demo` on a free loopback port, logging everything, and its first line.
fn demo_logging_at_trace(db: &std::path::Path) -> (Server, Value) {
    let mut child = server(
        &["--demo", "--listen", "127.0.0.1:0"],
        &[
            ("INVITEDESK_DB", db.to_str().unwrap()),
            ("RUST_LOG", "trace"),
        ],
    );
    let demo = first_line(&mut child);
    (child, demo)
}

/// The demo principal's secret, and an access token fetched with it.
async fn sign_in(http: &reqwest::Client, base: &str, principal: &Value) -> (String, String) {
    let secret = principal["apiSecret"].as_str().unwrap().to_owned();
    let token: Value = http
        .post(format!("{base}/oauth/token"))
        .basic_auth(principal["accessKeyId"].as_str().unwrap(), Some(&secret))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    (secret, token["access_token"].as_str().unwrap().to_owned())
}

fn stop(mut server: Server) -> String {
    // SIGINT, as Ctrl-C would, so the server shuts down by itself.
    let _ = Command::new("kill")
        .args(["-INT", &server.child.id().to_string()])
        .status();
    let status = server.child.wait().unwrap();
    let mut logs = String::new();
    server
        .logs
        .reopen()
        .unwrap()
        .read_to_string(&mut logs)
        .unwrap();
    assert!(status.success(), "stopped cleanly: {status}; logs:\n{logs}");
    logs
}

#[tokio::test]
async fn demo_mode_prints_credentials_that_work_and_logs_no_secret() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let (child, demo) = demo_logging_at_trace(&db);
    let base = demo["baseUrl"].as_str().unwrap().to_owned();
    assert_eq!(demo["organizations"].as_array().unwrap().len(), 2);
    let org = &demo["organizations"][0];
    let admin = &org["principals"]["admin"];
    let http = reqwest::Client::new();
    let (secret, token) = sign_in(&http, &base, admin).await;
    let invitations = http
        .get(format!(
            "{base}/organizations/{}/invitations",
            org["orgId"].as_str().unwrap()
        ))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(invitations.status(), 200);
    let logs = stop(child);
    assert!(logs.contains("/invitations"), "requests are logged");
    assert!(logs.contains("request_id"), "with their request id");
    assert!(!logs.contains(&secret), "the API secret is never logged");
    assert!(!logs.contains(&token), "the access token is never logged");

    // A second start keeps the data and gives new secrets; the old ones stop working.
    let mut child = server(
        &[
            "--demo",
            "--listen",
            "127.0.0.1:0",
            "--db",
            db.to_str().unwrap(),
        ],
        &[],
    );
    let again = first_line(&mut child);
    assert_eq!(again["organizations"][0]["orgId"], org["orgId"]);
    assert_ne!(
        again["organizations"][0]["principals"]["admin"]["apiSecret"]
            .as_str()
            .unwrap(),
        secret
    );
    let base = again["baseUrl"].as_str().unwrap();
    let old = http
        .post(format!("{base}/oauth/token"))
        .basic_auth(admin["accessKeyId"].as_str().unwrap(), Some(&secret))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(old.status(), 401);
    stop(child);
}

#[test]
fn demo_mode_is_refused_off_loopback() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("x.db");
    let output = Command::new(env!("CARGO_BIN_EXE_invitedesk-server"))
        .args([
            "--demo",
            "--listen",
            "0.0.0.0:0",
            "--db",
            db.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("loopback"));
    assert!(output.stdout.is_empty(), "no credentials printed");
}

#[test]
fn help_documents_every_flag_and_its_environment_variable() {
    let output = Command::new(env!("CARGO_BIN_EXE_invitedesk-server"))
        .arg("--help")
        .output()
        .unwrap();
    let help = String::from_utf8(output.stdout).unwrap();
    for flag in [
        "--db",
        "--listen",
        "--demo",
        "--token-ttl-secs",
        "--org-sends-per-minute",
        "--recipient-sends-per-hour",
        "--max-body-bytes",
        "--log-json",
    ] {
        assert!(help.contains(flag), "{flag} in --help");
    }
    for variable in ["INVITEDESK_DB", "INVITEDESK_LISTEN", "INVITEDESK_DEMO"] {
        assert!(help.contains(variable), "{variable} in --help");
    }
}

/// Follows an invitation from its e-mail to an accepted account through a server logging at
/// trace level, and answers every secret it handed out or was given on the way.
async fn invitee_journey(base: &str, org: &Value, mail_dir: &std::path::Path) -> Vec<String> {
    let admin = &org["principals"]["admin"];
    let http = reqwest::Client::new();
    let (secret, token) = sign_in(&http, base, admin).await;
    let org_url = format!("{base}/organizations/{}", org["orgId"].as_str().unwrap());
    let policies: Value = http
        .get(format!("{org_url}/permissionpolicies"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let created = http
        .post(format!("{org_url}/invitations"))
        .bearer_auth(&token)
        .json(&serde_json::json!({
            "email": "traced@example.com", "firstName": "Tra", "lastName": "Ced",
            "contactNumber": "+44 7700 900777",
            "permissionPolicyIds": [policies["data"][0]["id"]],
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 200);
    let mail = wait_for_file(mail_dir, "eml").await;
    let invite = crate::smtp_sink::invite_token(&mail);
    let page = http
        .get(format!("{base}/invite/{invite}"))
        .send()
        .await
        .unwrap();
    let cookie = page.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let html = page.text().await.unwrap();
    let csrf = html
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let mobile = "+44 7700 900777";
    let post = |action: &str, fields: Vec<(&str, String)>| {
        let mut form = vec![("csrf", csrf.clone())];
        form.extend(fields);
        http.post(format!("{base}/invite/{invite}/{action}"))
            .header("cookie", &cookie)
            .form(&form)
            .send()
    };
    let names = || {
        vec![
            ("first_name", "Tra".to_owned()),
            ("last_name", "Ced".to_owned()),
            ("mobile", mobile.to_owned()),
        ]
    };
    assert_eq!(post("code", names()).await.unwrap().status(), 200);
    let sms = wait_for_file(&mail_dir.join("sms"), "txt").await;
    let code = sms.lines().last().unwrap()[..6].to_owned();
    let password = "a private passphrase nobody logs".to_owned();
    let mut fields = names();
    fields.extend([("code", code.clone()), ("password", password.clone())]);
    let accepted = post("accept", fields).await.unwrap();
    assert_eq!(accepted.status(), 200, "{}", accepted.text().await.unwrap());
    vec![secret, token, invite, code, password, csrf, cookie]
}

/// The content of the first file with this extension to appear in `folder`.
async fn wait_for_file(folder: &std::path::Path, extension: &str) -> String {
    for _ in 0..200 {
        let found = std::fs::read_dir(folder).ok().and_then(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .find(|p| p.extension().is_some_and(|e| e == extension))
        });
        if let Some(path) = found {
            return std::fs::read_to_string(path).unwrap();
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("no .{extension} file in {}", folder.display());
}

#[tokio::test]
async fn no_token_code_password_or_link_reaches_the_log_even_at_trace_level() {
    let dir = tempfile::tempdir().unwrap();
    let (child, demo) = demo_logging_at_trace(&dir.path().join("traced.db"));
    let base = demo["baseUrl"].as_str().unwrap().to_owned();
    let secrets = invitee_journey(&base, &demo["organizations"][0], &dir.path().join("mail")).await;
    let logs = stop(child);
    assert!(
        logs.contains("/invite/{token}"),
        "the route's template is logged"
    );
    for secret in secrets {
        let value = secret.split_once('=').map_or(secret.as_str(), |(_, v)| v);
        assert!(!logs.contains(value), "{value:?} reached the log");
    }
}

/// The hidden fields of a page's forms, as a browser would post them back.
fn hidden_fields(html: &str) -> Vec<(String, String)> {
    html.split("<input type=\"hidden\" ")
        .skip(1)
        .filter_map(|tag| {
            let name = tag.split("name=\"").nth(1)?.split('"').next()?;
            let value = tag.split("value=\"").nth(1)?.split('"').next()?;
            Some((name.to_owned(), value.to_owned()))
        })
        .collect()
}

/// What a person's sign-in through the pages carries, from the demo's `person`: the password,
/// the code, the verifier, the access and refresh tokens (before and after a refresh).
async fn person_journey(base: &str, person: &Value) -> Vec<String> {
    use base64::Engine;
    use sha2::Digest;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let verifier = "a-verifier-of-enough-length-for-rfc-7636-0123456789".to_owned();
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(sha2::Sha256::digest(verifier.as_bytes()));
    let redirect = "http://127.0.0.1:53682/callback";
    let page = http
        .get(format!("{base}/oauth/authorize"))
        .query(&[
            ("response_type", "code"),
            ("client_id", "invitedesk-desktop"),
            ("redirect_uri", redirect),
            ("state", "s"),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
        ])
        .send()
        .await
        .unwrap();
    let cookie = page.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let html = page.text().await.unwrap();
    let mut form = hidden_fields(&html);
    let password = person["password"].as_str().unwrap().to_owned();
    form.push(("email".into(), person["email"].as_str().unwrap().into()));
    form.push(("password".into(), password.clone()));
    let answer = http
        .post(format!("{base}/oauth/authorize"))
        .header("cookie", cookie.clone())
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(
        answer.status(),
        200,
        "the choice of organisation (a member of both)"
    );
    let html = answer.text().await.unwrap();
    // The first organisation's form: its hidden fields choose it.
    let chosen = hidden_fields(html.split("<form").nth(1).unwrap());
    let back = http
        .post(format!("{base}/oauth/authorize/organization"))
        .header("cookie", cookie.clone())
        .form(&chosen)
        .send()
        .await
        .unwrap();
    let location = back.headers()["location"].to_str().unwrap().to_owned();
    let code = url::Url::parse(&location)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "code")
        .unwrap()
        .1
        .into_owned();
    let tokens: Value = http
        .post(format!("{base}/oauth/token"))
        .form(&[
            ("grant_type", "authorization_code"),
            ("client_id", "invitedesk-desktop"),
            ("code", &code),
            ("redirect_uri", redirect),
            ("code_verifier", &verifier),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let refresh = tokens["refresh_token"].as_str().unwrap().to_owned();
    let rotated: Value = http
        .post(format!("{base}/oauth/token"))
        .form(&[
            ("grant_type", "refresh_token"),
            ("client_id", "invitedesk-desktop"),
            ("refresh_token", &refresh),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    vec![
        password,
        code,
        verifier,
        tokens["access_token"].as_str().unwrap().to_owned(),
        refresh,
        rotated["access_token"].as_str().unwrap().to_owned(),
        rotated["refresh_token"].as_str().unwrap().to_owned(),
    ]
}

#[tokio::test]
async fn no_password_code_or_token_of_a_person_reaches_the_log_or_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("people.db");
    let (child, demo) = demo_logging_at_trace(&db);
    let base = demo["baseUrl"].as_str().unwrap().to_owned();
    let secrets = person_journey(&base, &demo["person"]).await;
    let logs = stop(child);
    let mut stored = Vec::new();
    for file in std::fs::read_dir(dir.path()).unwrap() {
        let path = file.unwrap().path();
        if path.to_string_lossy().contains("people.db") {
            stored.extend(std::fs::read(&path).unwrap());
        }
    }
    let stored = String::from_utf8_lossy(&stored);
    assert!(logs.contains("/oauth/token"), "the requests were logged");
    for secret in secrets {
        assert!(!logs.contains(&secret), "{secret:?} reached the log");
        assert!(
            !stored.contains(&secret),
            "{secret:?} is in the database in the clear"
        );
    }
}

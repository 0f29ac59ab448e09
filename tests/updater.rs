//! Signed updates, as the app's updater plugin sees them: version N finds version N+1 on a
//! static server on loopback (a `latest.json` and an artifact, as `scripts/release` writes
//! them), refuses an artifact whose bytes do not match the signature, and accepts the genuine
//! one. The key pair is made here, as `tauri signer generate` makes one (minisign).
//! Installing a downloaded `.deb` is the bundle smoke test's (`scripts/smoke-bundles`).

use std::io::Cursor;
use std::sync::Arc;

use base64::Engine;
use tauri_plugin_updater::UpdaterExt;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const GENUINE: &[u8] = b"InviteDesk 9.9.9 as a package, the bytes the release signed";

struct Keys {
    pubkey: String,
    keypair: minisign::KeyPair,
}

fn keys() -> Keys {
    let keypair = minisign::KeyPair::generate_unencrypted_keypair().unwrap();
    let text = keypair.pk.to_box().unwrap().into_string();
    Keys {
        pubkey: base64::engine::general_purpose::STANDARD.encode(text),
        keypair,
    }
}

/// The signature `tauri signer sign` writes: the minisign signature file, base64.
fn signature(keys: &Keys, bytes: &[u8]) -> String {
    let signed = minisign::sign(
        Some(&keys.keypair.pk),
        &keys.keypair.sk,
        Cursor::new(bytes),
        Some("InviteDesk 9.9.9"),
        Some("signature from tauri secret key"),
    )
    .unwrap();
    base64::engine::general_purpose::STANDARD.encode(signed.to_string())
}

/// Serves the files `files(address)` names (path, body) over plain HTTP on loopback, as a
/// release's static host would; answers the address.
async fn static_server(files: impl FnOnce(&str) -> Vec<(String, Vec<u8>)>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    let files = Arc::new(files(&address));
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let files = files.clone();
            tokio::spawn(async move {
                let mut request = vec![0; 8192];
                let read = socket.read(&mut request).await.unwrap_or(0);
                let request = String::from_utf8_lossy(&request[..read]);
                let path = request.split_whitespace().nth(1).unwrap_or("/").to_owned();
                let found = files.iter().find(|(p, _)| *p == path);
                let (status, body) = match found {
                    Some((_, body)) => ("200 OK", body.clone()),
                    None => ("404 Not Found", Vec::new()),
                };
                let head = format!(
                    "HTTP/1.1 {status}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                    body.len()
                );
                let _ = socket.write_all(head.as_bytes()).await;
                let _ = socket.write_all(&body).await;
            });
        }
    });
    address
}

fn manifest(version: &str, url: &str, signature: &str) -> Vec<u8> {
    serde_json::json!({
        "version": version,
        "notes": "Faster imports.",
        "pub_date": "2026-12-03T10:00:00Z",
        "platforms": {
            "linux-x86_64": { "signature": signature, "url": url },
            "linux-x86_64-deb": { "signature": signature, "url": url },
        }
    })
    .to_string()
    .into_bytes()
}

/// An app whose updater trusts `pubkey`, as tauri.conf.json's `plugins.updater` sets it.
fn app_with(pubkey: &str) -> tauri::App<tauri::test::MockRuntime> {
    let mut context = tauri::test::mock_context(tauri::test::noop_assets());
    context.config_mut().plugins.0.insert(
        "updater".into(),
        serde_json::json!({ "pubkey": pubkey, "endpoints": [], "dangerousInsecureTransportProtocol": true }),
    );
    tauri::test::mock_builder()
        .plugin(tauri_plugin_updater::Builder::new().build())
        .build(context)
        .unwrap()
}

async fn check(
    app: &tauri::App<tauri::test::MockRuntime>,
    url: String,
) -> Option<tauri_plugin_updater::Update> {
    app.handle()
        .updater_builder()
        .endpoints(vec![url.parse().unwrap()])
        .unwrap()
        .build()
        .unwrap()
        .check()
        .await
        .unwrap()
}

#[tokio::test]
async fn the_next_version_is_found_a_tampered_artifact_refused_and_the_genuine_one_accepted() {
    let keys = keys();
    let signed = signature(&keys, GENUINE);
    let mut tampered = GENUINE.to_vec();
    tampered[0] ^= 1;
    let server = static_server(|base| {
        vec![
            ("/genuine.deb".into(), GENUINE.to_vec()),
            ("/tampered.deb".into(), tampered),
            (
                "/latest.json".into(),
                manifest("9.9.9", &format!("{base}/genuine.deb"), &signed),
            ),
            (
                "/tampered.json".into(),
                manifest("9.9.9", &format!("{base}/tampered.deb"), &signed),
            ),
        ]
    })
    .await;
    let app = app_with(&keys.pubkey);
    let current = app.handle().package_info().version.to_string();
    assert_ne!(current, "9.9.9");

    let update = check(&app, format!("{server}/tampered.json"))
        .await
        .expect("9.9.9 is found");
    let refused = update.download(|_, _| {}, || {}).await;
    assert!(
        matches!(refused, Err(tauri_plugin_updater::Error::Minisign(_))),
        "a tampered artifact is refused: {refused:?}"
    );

    let update = check(&app, format!("{server}/latest.json"))
        .await
        .expect("9.9.9 is found");
    assert_eq!(update.version, "9.9.9");
    assert_eq!(update.current_version, current);
    assert_eq!(update.body.as_deref(), Some("Faster imports."));
    let bytes = update
        .download(|_, _| {}, || {})
        .await
        .expect("the genuine artifact");
    assert_eq!(bytes, GENUINE);
}

#[tokio::test]
async fn a_signature_by_another_key_is_refused_and_the_same_version_is_no_update() {
    let ours = keys();
    let theirs = keys();
    let forged = signature(&theirs, GENUINE);
    let app = app_with(&ours.pubkey);
    let current = app.handle().package_info().version.to_string();
    let server = static_server(|base| {
        vec![
            ("/genuine.deb".into(), GENUINE.to_vec()),
            (
                "/forged.json".into(),
                manifest("9.9.9", &format!("{base}/genuine.deb"), &forged),
            ),
            (
                "/same.json".into(),
                manifest(&current, &format!("{base}/genuine.deb"), &forged),
            ),
        ]
    })
    .await;
    let update = check(&app, format!("{server}/forged.json")).await.unwrap();
    assert!(
        update.download(|_, _| {}, || {}).await.is_err(),
        "another key's signature"
    );
    assert!(
        check(&app, format!("{server}/same.json")).await.is_none(),
        "no newer version"
    );
}

//! The app's commands on Tauri's mock runtime, against the real reference server on loopback:
//! through the IPC and the window's capability, as the UI calls them.

use invitedesk_app::profiles::{Profile, Profiles};
use invitedesk_app::state::{lock, AppState};
use serde_json::{json, Value};
use tauri::test::{get_ipc_response, mock_builder, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::{Manager, WebviewWindowBuilder};

struct World {
    app: tauri::App<tauri::test::MockRuntime>,
    window: tauri::WebviewWindow<tauri::test::MockRuntime>,
    _server: invitedesk_server::RunningServer,
    _dir: tempfile::TempDir,
}

fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let (server, credentials) = tauri::async_runtime::block_on(async {
        let config = invitedesk_server::Config::for_database(dir.path().join("server.db"));
        let server = invitedesk_server::start(config).await.unwrap();
        let credentials = invitedesk_server::demo::seed(&server.state, &server.base_url())
            .await
            .unwrap();
        (server, credentials)
    });
    let org = &credentials.organizations[0];
    let admin = &org.principals["admin"];
    let state = AppState::new(dir.path().join("app"), false);
    *lock(&state.profiles) = Profiles {
        profiles: vec![Profile {
            id: "test".into(),
            name: "Test".into(),
            base_url: server.base_url(),
            org_id: org.org_id,
            access_key_id: admin.access_key_id.clone(),
        }],
        selected: None,
    };
    // Memory, not the keyring: this test is about the commands, the keyring has its own.
    lock(&state.memory_secrets).insert("test".into(), admin.api_secret.clone());
    let app = invitedesk_app::builder(mock_builder())
        .manage(state)
        .build(tauri::generate_context!())
        .unwrap();
    let window = WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .unwrap();
    World {
        app,
        window,
        _server: server,
        _dir: dir,
    }
}

fn call(world: &World, cmd: &str, body: Value) -> Result<Value, Value> {
    let request = InvokeRequest {
        cmd: cmd.into(),
        callback: tauri::ipc::CallbackFn(0),
        error: tauri::ipc::CallbackFn(1),
        url: "tauri://localhost".parse().unwrap(),
        body: tauri::ipc::InvokeBody::Json(body),
        headers: Default::default(),
        invoke_key: INVOKE_KEY.to_string(),
    };
    get_ipc_response(&world.window, request).map(|b| b.deserialize::<Value>().unwrap())
}

#[test]
fn a_profile_opens_syncs_and_serves_its_tables_from_the_cache() {
    let w = world();
    call(&w, "select_profile", json!({"id": "test"})).unwrap();
    let status = call(&w, "sync_now", json!({})).unwrap();
    assert_eq!(status["online"], true, "{status}");
    let counts = call(&w, "invitation_counts", json!({})).unwrap();
    assert!(counts["Pending"].as_u64().unwrap() > 0, "{counts}");
    let window = json!({"window": {"statuses": ["Pending"], "search": null, "sort": "email",
        "descending": false, "offset": 0, "limit": 50}});
    let rows = call(&w, "invitation_window", window).unwrap();
    assert_eq!(rows["total"], counts["Pending"]);
    assert!(rows["rows"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["status"] == "Pending"));
    let found = call(&w, "find_by_email", json!({"prefix": "ada"})).unwrap();
    assert!(found
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["email"].as_str().unwrap().starts_with("ada")));
}

#[test]
fn an_invalid_invite_answers_every_field_and_a_secret_never_comes_back() {
    let w = world();
    call(&w, "select_profile", json!({"id": "test"})).unwrap();
    let error = call(&w, "invite", json!({"form": {"email": "nope"}})).unwrap_err();
    assert_eq!(error["kind"], "validation", "{error}");
    let fields: Vec<&str> = error["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    for field in [
        "email",
        "firstName",
        "lastName",
        "contactNumber",
        "permissionPolicyIds",
    ] {
        assert!(fields.contains(&field), "{field} in {fields:?}");
    }
    let profiles = call(&w, "profiles", json!({})).unwrap().to_string();
    let secret = lock(&w.app.state::<AppState>().memory_secrets)["test"].clone();
    assert!(
        !profiles.contains(&secret),
        "the secret stays on the Rust side"
    );
}

#[test]
fn without_a_profile_a_table_read_says_so() {
    let w = world();
    let error = call(&w, "invitation_counts", json!({})).unwrap_err();
    assert_eq!(error["kind"], "noProfile");
}

#[test]
fn the_window_cannot_reach_the_store_or_the_file_dialog_itself() {
    let w = world();
    for cmd in [
        "plugin:store|load",
        "plugin:dialog|save",
        "plugin:store|get",
    ] {
        let refused = call(&w, cmd, json!({"path": "profiles.json", "key": "profiles"}));
        assert!(refused.is_err(), "{cmd} should be refused: {refused:?}");
    }
}

#[test]
fn sign_out_takes_only_the_id_of_a_profile_and_removes_nothing_else() {
    let w = world();
    call(&w, "select_profile", json!({"id": "test"})).unwrap();
    let outside = w._dir.path().join("victim");
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(outside.join("keep.txt"), "mine").unwrap();
    let absolute = outside.join("cache.db").display().to_string();
    for id in [
        "../../victim",
        absolute.as_str(),
        "../x",
        "",
        "test/../../victim",
    ] {
        let refused = call(&w, "sign_out", json!({ "id": id })).unwrap_err();
        assert_eq!(refused["kind"], "notFound", "{id}: {refused}");
        assert_eq!(refused["field"], "id", "{id}: {refused}");
        assert!(outside.join("keep.txt").exists(), "{id} removed a folder");
    }
    let profiles = lock(&w.app.state::<AppState>().profiles).clone();
    assert_eq!(
        profiles.profiles.len(),
        1,
        "the real profile is still there"
    );
    let cache = w._dir.path().join("app/profiles/test/cache.db");
    assert!(cache.exists(), "the real profile's cache is still there");
    for command in ["select_profile", "rename_profile"] {
        let refused = call(&w, command, json!({"id": "../test", "name": "x"})).unwrap_err();
        assert_eq!(refused["kind"], "notFound", "{command}: {refused}");
    }
}

#[test]
fn an_address_that_is_not_safe_is_refused_on_test_and_on_save() {
    let w = world();
    for address in [
        "http://localhost.evil.example",
        "http://127.0.0.1@evil.example",
    ] {
        let draft = json!({"draft": {"name": "Evil", "baseUrl": address,
            "orgId": uuid::Uuid::nil().to_string(), "accessKeyId": "key", "apiSecret": "secret"}});
        for command in ["test_connection", "save_profile"] {
            let refused = call(&w, command, draft.clone()).unwrap_err();
            assert_eq!(
                refused["kind"], "validation",
                "{command} {address}: {refused}"
            );
            assert_eq!(
                refused["field"], "baseUrl",
                "{command} {address}: {refused}"
            );
        }
    }
}

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
        let config = invitedesk_server::Config::for_tests(dir.path().join("server.db"));
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
            kind: invitedesk_app::profiles::ProfileKind::ServiceUser,
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
    // Who created each row reads as a name, from the service users synced with the catalogue.
    let first = &rows["rows"][0];
    assert!(first["createdBy"].is_string(), "{first}");
    assert_eq!(first["createdByName"], "admin", "{first}");
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
fn remove_profile_takes_only_the_id_of_a_profile_and_removes_nothing_else() {
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
        let refused = call(&w, "remove_profile", json!({ "id": id })).unwrap_err();
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
    for command in ["select_profile", "update_profile"] {
        let refused = call(&w, command, json!({"id": "../test", "draft": {}})).unwrap_err();
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

/// The window may call exactly the commands of `commands/list.rs`: no more (a permission left
/// behind), no fewer (a command the UI could not reach).
#[test]
fn the_windows_capability_grants_exactly_the_listed_commands() {
    let file = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/src-tauri/capabilities/main-window.json"
    );
    let capability: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    let mut granted: Vec<String> = capability["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p.as_str())
        .filter_map(|p| p.strip_prefix("allow-"))
        .map(str::to_owned)
        .collect();
    let mut listed: Vec<String> = invitedesk_app::commands::ALL
        .iter()
        .map(|c| c.replace('_', "-"))
        .collect();
    granted.sort();
    listed.sort();
    assert_eq!(granted, listed);
}

#[test]
fn the_rules_the_ui_draws_with_are_the_models() {
    use invitedesk_model::validate::{EXPIRY_DEFAULT_DAYS, NAME_MAX_CHARS};
    let w = world();
    let rules = call(&w, "rules", json!({})).unwrap();
    assert_eq!(rules["limits"]["nameMaxChars"], NAME_MAX_CHARS);
    assert_eq!(rules["limits"]["expiryDefaultDays"], EXPIRY_DEFAULT_DAYS);
    assert_eq!(rules["invitationStatuses"][0], "Pending");
    call(&w, "select_profile", json!({"id": "test"})).unwrap();
    // The invite form's messages are the model's, in words: one name too long by one.
    let long = "x".repeat(NAME_MAX_CHARS + 1);
    let errors = call(
        &w,
        "check_invite",
        json!({"form": {"email": "ada@example.com", "firstName": long, "lastName": "L",
            "contactNumber": "+44 20", "permissionPolicyIds": []}}),
    )
    .unwrap();
    let first_name = errors
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["field"] == "firstName")
        .unwrap();
    assert_eq!(
        first_name["message"],
        format!("First name must be at most {NAME_MAX_CHARS} characters")
    );
    let offers = call(&w, "offers", json!({"subject": {"invitation": "Accepted"}})).unwrap();
    assert_eq!(offers[0]["action"], "openUser", "{offers}");
    let toolbar = call(&w, "offers", json!({"subject": "toolbar"})).unwrap();
    assert_eq!(toolbar[0]["action"], "invite", "{toolbar}");
    assert_eq!(toolbar[0]["enabled"], true, "{toolbar}");
}

/// Every listed command is one the UI calls (through ui/api.js, its only caller), and the UI
/// calls no other: no dead command, no call the window would be refused.
#[test]
fn the_ui_calls_exactly_the_listed_commands() {
    let api = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/ui/api.js")).unwrap();
    let mut called: Vec<&str> = api
        .split("call(\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .collect();
    called.sort();
    called.dedup();
    let mut listed = invitedesk_app::commands::ALL.to_vec();
    listed.sort();
    assert_eq!(called, listed);
}

/// Bulk actions and imports as a tampered page could call them: too many ids, a send with
/// nothing previewed, and rows judged from the cache before anything is sent.
#[test]
fn bulk_and_import_commands_refuse_what_they_cannot_do() {
    let w = world();
    call(&w, "select_profile", json!({"id": "test"})).unwrap();
    call(&w, "sync_now", json!({})).unwrap();
    let too_many: Vec<String> = (0..10_001)
        .map(|_| uuid::Uuid::new_v4().to_string())
        .collect();
    let error = call(&w, "bulk_run", json!({"action": "revoke", "ids": too_many})).unwrap_err();
    assert_eq!(error["kind"], "validation", "{error}");
    assert_eq!(error["field"], "ids", "{error}");

    let error = call(&w, "import_send", json!({})).unwrap_err();
    assert_eq!(error["kind"], "notFound", "{error}");
    let error = call(
        &w,
        "import_preview",
        json!({"mapping": {"email": 0}, "utcOffsetMinutes": 0}),
    )
    .unwrap_err();
    assert_eq!(error["kind"], "notFound", "{error}");

    let accepted = call(
        &w,
        "invitation_ids",
        json!({"window": {"statuses": ["Accepted"], "search": null, "sort": "email",
            "descending": false, "offset": 0, "limit": 0}}),
    )
    .unwrap();
    let ids = accepted.as_array().unwrap().clone();
    assert!(!ids.is_empty());
    let answer = call(&w, "bulk_run", json!({"action": "revoke", "ids": ids})).unwrap();
    assert_eq!(answer["notAllowed"], ids.len(), "{answer}");
    assert_eq!(answer["done"], 0, "{answer}");
    assert_eq!(
        answer["results"][0]["outcome"]["reason"],
        "not allowed: the invitation is Accepted"
    );
    let users = call(
        &w,
        "user_ids",
        json!({"window": {"statuses": [], "search": null, "sort": "created",
            "descending": true, "offset": 0, "limit": 0}}),
    )
    .unwrap();
    assert!(!users.as_array().unwrap().is_empty(), "{users}");
}

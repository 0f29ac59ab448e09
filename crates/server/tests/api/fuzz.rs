//! Every operation of `/openapi.json`, called with generated hostile input (path ids, query
//! parameters and bodies from proptest strategies): the server answers every one with a
//! documented status, 2xx or 4xx, and never a 5xx.

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config as RunnerConfig, TestRunner};
use reqwest::Method;
use serde_json::{json, Map, Value};

use crate::helpers::spawn_app_with;

const CASES_PER_OPERATION: usize = 40;

/// Text an attacker would try: anything at all, or the shapes that break naive code.
fn hostile_text() -> impl Strategy<Value = String> {
    prop_oneof![
        ".{0,40}",
        "[\\x00-\\x7f]{0,300}",
        Just("../../etc/passwd".to_owned()),
        Just("%00%0d%0a".to_owned()),
        Just("Pending,".repeat(500)),
        Just("x".repeat(5_000)),
        Just("00000000-0000-0000-0000-000000000000".to_owned()),
        Just("9999-12-31T23:59:59Z".to_owned()),
        Just("-1".to_owned()),
        Just("18446744073709551616".to_owned()),
        Just("'; DROP TABLE invitations; --".to_owned()),
        Just("Someone <victim@example.com>".to_owned()),
    ]
}

fn hostile_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|n| json!(n)),
        hostile_text().prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::vec((hostile_text(), inner), 0..6)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect())),
        ]
    })
}

/// An object with the schema's own property names, each holding hostile JSON: it gets past
/// the JSON shape to the rules behind it.
fn body_for(properties: Vec<String>) -> impl Strategy<Value = Value> {
    let fields = proptest::collection::vec(hostile_json(), properties.len());
    prop_oneof![
        hostile_json(),
        fields.prop_map(move |values| {
            Value::Object(
                properties
                    .iter()
                    .cloned()
                    .zip(values)
                    .collect::<Map<String, Value>>(),
            )
        }),
    ]
}

struct Operation {
    method: Method,
    path: String,
    query: Vec<String>,
    properties: Option<Vec<String>>,
}

/// The request body's property names, following one `$ref`.
fn body_properties(doc: &Value, operation: &Value) -> Option<Vec<String>> {
    let content = operation.get("requestBody")?.get("content")?;
    let schema = content.as_object()?.values().next()?.get("schema")?;
    let schema = match schema.get("$ref").and_then(Value::as_str) {
        Some(reference) => {
            let name = reference.rsplit('/').next()?;
            &doc["components"]["schemas"][name]
        }
        None => schema,
    };
    Some(
        schema
            .get("properties")
            .and_then(Value::as_object)
            .map(|p| p.keys().cloned().collect())
            .unwrap_or_default(),
    )
}

fn operations(doc: &Value) -> Vec<Operation> {
    let mut found = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("path item") {
            let Ok(method) = method.to_uppercase().parse::<Method>() else {
                continue;
            };
            let query = operation["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|p| p["in"] == "query")
                .filter_map(|p| p["name"].as_str().map(str::to_owned))
                .collect();
            found.push(Operation {
                method,
                path: path.clone(),
                query,
                properties: body_properties(doc, operation),
            });
        }
    }
    found
}

fn sample<S: Strategy>(runner: &mut TestRunner, strategy: &S) -> S::Value {
    strategy.new_tree(runner).expect("a value").current()
}

/// Percent-encoded, so that every byte reaches the server as the attacker meant it.
fn encoded(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn no_generated_input_to_any_operation_gets_a_5xx() {
    // Failed sign-ins would soon be answered after a deliberate delay: lift that limit here,
    // where speed matters and the limiter has tests of its own.
    let app = spawn_app_with(|c| {
        c.auth_failures_per_minute_per_address = u32::MAX;
        c.auth_failures_per_minute_per_key = u32::MAX;
    })
    .await;
    let admin = app.admin().await;
    let doc = app.openapi().await;
    let operations = operations(&doc);
    assert!(operations.len() >= 20, "{} operations", operations.len());
    let mut runner = TestRunner::new(RunnerConfig::default());
    let mut failures = Vec::new();
    for operation in &operations {
        for case in 0..CASES_PER_OPERATION {
            let mut path = operation.path.clone();
            while let Some(start) = path.find('{') {
                let end = path[start..]
                    .find('}')
                    .map(|e| start + e + 1)
                    .unwrap_or(path.len());
                let name = &path[start + 1..end - 1];
                // The caller's own organisation half the time, so the handler itself is reached.
                let value = if name == "orgId" && case % 2 == 0 {
                    admin.org_id.to_string()
                } else {
                    sample(&mut runner, &hostile_text())
                };
                path.replace_range(start..end, &encoded(&value));
            }
            let mut url = format!("{}{path}", app.base_url());
            let mut pairs = Vec::new();
            for name in &operation.query {
                if sample(&mut runner, &any::<bool>()) {
                    let value = sample(&mut runner, &hostile_text());
                    pairs.push(format!("{name}={}", encoded(&value)));
                }
            }
            if !pairs.is_empty() {
                url = format!("{url}?{}", pairs.join("&"));
            }
            let mut request = app.http.request(operation.method.clone(), &url);
            if case % 5 != 4 {
                request = request.bearer_auth(&admin.token);
            }
            if let Some(properties) = &operation.properties {
                let body = sample(&mut runner, &body_for(properties.clone()));
                request = match case % 3 {
                    0 => request
                        .header("content-type", "application/x-www-form-urlencoded")
                        .body(body.to_string()),
                    _ => request.json(&body),
                };
                if case % 4 == 0 {
                    let key: String = sample(&mut runner, &"[ -~]{0,300}");
                    request = request.header("Idempotency-Key", key);
                }
            }
            let response = request.send().await.expect("the server answers");
            let status = response.status();
            if !(status.is_success() || status.is_client_error()) {
                let body = response.text().await.unwrap_or_default();
                failures.push(format!("{} {url} -> {status}: {body}", operation.method));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[tokio::test]
async fn no_generated_input_to_the_invitee_pages_gets_a_5xx() {
    let app = spawn_app_with(|c| c.page_requests_per_minute = 100_000).await;
    let mut invitee = crate::accept::invited_through_mail_file(&app, "fuzzed@example.com").await;
    let mut runner = TestRunner::new(RunnerConfig::default());
    let mut failures = Vec::new();
    let fields = ["first_name", "last_name", "mobile", "code", "password"];
    for case in 0..200 {
        let action = ["code", "accept", "decline", "nothing"][case % 4];
        let mut form: Vec<(&str, String)> = Vec::new();
        for field in fields {
            if sample(&mut runner, &any::<bool>()) {
                form.push((field, sample(&mut runner, &hostile_text())));
            }
        }
        // Mostly the page's own CSRF field, so the handlers behind it are reached.
        let csrf = match case % 5 {
            0 => sample(&mut runner, &hostile_text()),
            _ => invitee.csrf.clone(),
        };
        form.push(("csrf", csrf));
        let token = match case % 7 {
            0 => encoded(&sample(&mut runner, &hostile_text())),
            _ => invitee.token.clone(),
        };
        let mut request = app
            .http
            .post(format!("{}/invite/{token}/{action}", app.base_url()))
            .form(&form);
        if let Some(cookie) = &invitee.cookie {
            request = request.header("cookie", cookie);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        if status.is_server_error() {
            failures.push(format!("{action} {form:?} -> {status}"));
        }
        if case % 50 == 49 {
            // Declines end the link now and then: a fresh one keeps the cases reaching a
            // live invitation.
            invitee = crate::accept::invited_through_mail_file(
                &app,
                &format!("fuzzed{case}@example.com"),
            )
            .await;
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

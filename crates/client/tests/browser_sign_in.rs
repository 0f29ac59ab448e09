//! A person signs in through their browser against the real server: the app's loopback
//! listener and PKCE exchange, the browser played by an HTTP client that follows the sign-in
//! page's form and redirect as a browser would; then the client acts as that person, refreshes
//! (keeping each rotated refresh token), and after a sign-out is told to sign in again.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use invitedesk_client::api::{ListQuery, PersonGrant, SIGN_IN_ENDED};
use invitedesk_client::browser_sign_in::BrowserSignIn;
use invitedesk_client::{ApiClient, ApiError};
use invitedesk_server::{demo, start, Config};

fn hidden_fields(html: &str) -> Vec<(String, String)> {
    html.split("<input type=\"hidden\" ")
        .skip(1)
        .filter_map(|tag| {
            let name = tag.split("name=\"").nth(1)?.split('"').next()?;
            let value = tag.split("value=\"").nth(1)?.split('"').next()?;
            Some((name.to_owned(), value.replace("&amp;", "&")))
        })
        .collect()
}

/// What a browser does with the sign-in page: open it, fill in the form, follow the redirect.
async fn browse(authorize_url: &str, email: &str, password: &str) {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let page = http.get(authorize_url).send().await.unwrap();
    let cookie = page.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let html = page.text().await.unwrap();
    let mut form = hidden_fields(&html);
    form.push(("email".into(), email.into()));
    form.push(("password".into(), password.into()));
    let base = authorize_url.split("/oauth/").next().unwrap();
    let answer = http
        .post(format!("{base}/oauth/authorize"))
        .header("cookie", cookie)
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 303, "{}", answer.text().await.unwrap());
    let back = answer.headers()["location"].to_str().unwrap().to_owned();
    let landed = reqwest::get(back).await.unwrap();
    assert!(landed.text().await.unwrap().contains("You are signed in"));
}

#[tokio::test]
async fn a_person_signs_in_with_their_browser_acts_refreshes_and_signs_out() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(Config::for_tests(dir.path().join("server.db")))
        .await
        .unwrap();
    let demo = demo::seed(&server.state, &server.base_url()).await.unwrap();
    let org = demo.organizations[0].org_id;

    let sign_in = BrowserSignIn::start(&server.base_url(), Some(org))
        .await
        .unwrap();
    assert!(sign_in.authorize_url.contains("code_challenge_method=S256"));
    let url = sign_in.authorize_url.clone();
    let (email, password) = (demo.person.email.clone(), demo.person.password.clone());
    let browser = tokio::spawn(async move { browse(&url, &email, &password).await });
    let tokens = sign_in.finish(Duration::from_secs(20)).await.unwrap();
    browser.await.unwrap();
    let first_refresh = tokens.refresh_token.clone().unwrap();

    let kept: Arc<Mutex<Vec<String>>> = Arc::default();
    let keep = kept.clone();
    let grant = PersonGrant::new(first_refresh.clone(), move |next| {
        keep.lock().unwrap().push(next.to_owned())
    });
    let api = ApiClient::for_person(&server.base_url(), org, grant, Some(&tokens)).unwrap();
    let me = api.capabilities().await.unwrap().me.unwrap();
    assert_eq!(me.name, "Ada Lovelace");
    assert!(api.list_invitations(&ListQuery::default()).await.is_ok());

    // The access token ends on the server's side: the client refreshes and keeps the new token.
    server.state.clock.advance(chrono::Duration::seconds(3600));
    assert!(api.list_invitations(&ListQuery::default()).await.is_ok());
    let rotated = kept.lock().unwrap().clone();
    assert_eq!(rotated.len(), 1);
    assert_ne!(rotated[0], first_refresh);

    api.revoke_sign_in().await.unwrap();
    server.state.clock.advance(chrono::Duration::seconds(3600));
    match api.list_invitations(&ListQuery::default()).await {
        Err(ApiError::Unauthorized(message)) => assert_eq!(message, SIGN_IN_ENDED),
        other => panic!("expected the sign-in to have ended, got {other:?}"),
    }
}

#[tokio::test]
async fn a_redirect_with_another_state_is_refused() {
    let sign_in = BrowserSignIn::start("http://127.0.0.1:9", None)
        .await
        .unwrap();
    let redirect: url::Url = sign_in
        .authorize_url
        .parse::<url::Url>()
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "redirect_uri")
        .unwrap()
        .1
        .parse()
        .unwrap();
    let forged = format!("{redirect}?code=stolen&state=not-ours");
    tokio::spawn(async move {
        let _ = reqwest::get(forged).await;
    });
    let refused = sign_in.finish(Duration::from_secs(10)).await;
    assert!(
        matches!(refused, Err(ApiError::Unauthorized(_))),
        "{refused:?}"
    );
}

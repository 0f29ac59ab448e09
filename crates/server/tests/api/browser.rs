//! The accept page in a real headless browser: Debian's chromium, driven through chromedriver
//! over WebDriver, as an invitee on a phone or a laptop would use it.

use std::time::Duration;

use fantoccini::Locator;
use invitedesk_model::{Invitation, InvitationStatus};

use crate::chromium::{headless_browser, sign_in_on_the_page};
use crate::helpers::spawn_app_with;
use crate::smtp_sink::decoded;

#[tokio::test]
async fn an_invitee_accepts_in_a_real_browser() {
    let app = spawn_app_with(|_| {}).await;
    let admin = app.admin().await;
    let created: Invitation = admin
        .invite(&admin.placed("browser@example.com", "Storefront Pro").await)
        .await
        .ok();
    admin.delivered(created.id).await;
    let mail = app.newest_mail();
    let message = decoded(&mail);
    let start = message
        .find(&format!("{}/invite/", app.base_url()))
        .unwrap();
    let link: String = message[start..]
        .chars()
        .take_while(|c| !c.is_whitespace() && *c != '"')
        .collect();

    let (browser, _kept) = headless_browser("400,900").await;

    browser.goto(&link).await.unwrap();
    let heading = browser
        .find(Locator::Css("h1"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(heading, "Join Acme Robotics");
    browser
        .find(Locator::Id("mobile"))
        .await
        .unwrap()
        .send_keys("+44 7700 900456")
        .await
        .unwrap();
    browser
        .find(Locator::Css("form[action$='/code'] button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    browser
        .wait()
        .for_element(Locator::Id("code"))
        .await
        .unwrap();
    save_screenshot(&browser, "accept-code-form").await;
    let texts = std::fs::read_to_string(app.dir.path().join("mail/sms/447700900456.txt")).unwrap();
    let code = &texts.lines().last().unwrap()[..6];
    browser
        .find(Locator::Id("code"))
        .await
        .unwrap()
        .send_keys(code)
        .await
        .unwrap();
    browser
        .find(Locator::Id("password"))
        .await
        .unwrap()
        .send_keys("a quiet meadow at dawn")
        .await
        .unwrap();
    browser
        .find(Locator::Css("form[action$='/accept'] button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let welcome = match browser
        .wait()
        .for_element(Locator::XPath("//h1[starts-with(., 'Welcome')]"))
        .await
    {
        Ok(found) => found,
        // Say what the page showed, so that a red run can be understood without rerunning it.
        Err(e) => panic!(
            "no welcome ({e}); the page showed:\n{}",
            browser.source().await.unwrap_or_default()
        ),
    };
    assert_eq!(welcome.text().await.unwrap(), "Welcome to Acme Robotics");
    save_screenshot(&browser, "accept-welcome").await;
    browser.close().await.unwrap();

    let invitation: Invitation = admin
        .get(&format!("/invitations/{}", created.id))
        .await
        .ok();
    assert_eq!(invitation.status, Some(InvitationStatus::Accepted));
}

/// Keeps what the browser showed under target/tmp, to look at after a run.
async fn save_screenshot(browser: &fantoccini::Client, name: &str) {
    let shot = browser.screenshot().await.unwrap();
    std::fs::create_dir_all(env!("CARGO_TARGET_TMPDIR")).unwrap();
    std::fs::write(format!("{}/{name}.png", env!("CARGO_TARGET_TMPDIR")), shot).unwrap();
}

/// The sign-in page in a real browser: its CSP's `form-action` must let the browser follow
/// the redirect back to the app's loopback address (browsers check redirects after a form
/// post against it), and the app must get the code.
#[tokio::test]
async fn a_person_signs_in_in_a_real_browser_and_the_redirect_reaches_the_app() {
    use base64::Engine;
    use sha2::Digest;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let app = spawn_app_with(|_| {}).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let redirect = format!(
        "http://127.0.0.1:{}/callback",
        listener.local_addr().unwrap().port()
    );
    let app_side = tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.unwrap();
        let mut request = vec![0u8; 4096];
        let read = stream.read(&mut request).await.unwrap();
        let _ = stream
            .write_all(
                b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\nConnection: close\r\n\r\nsigned in",
            )
            .await;
        String::from_utf8_lossy(&request[..read]).into_owned()
    });
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(
        b"a-verifier-of-enough-length-for-rfc-7636-0123456789",
    ));
    let org = app.org_id(0);
    let authorize = format!(
        "{}/oauth/authorize?response_type=code&client_id=invitedesk-desktop&redirect_uri={}&state=xyz&code_challenge={challenge}&code_challenge_method=S256&org={org}",
        app.base_url(),
        url::form_urlencoded::byte_serialize(redirect.as_bytes()).collect::<String>()
    );
    let (browser, _kept) = headless_browser("800,900").await;
    browser.goto(&authorize).await.unwrap();
    sign_in_on_the_page(&browser, &app.demo.person.email, &app.demo.person.password).await;
    let request = match tokio::time::timeout(Duration::from_secs(20), app_side).await {
        Ok(request) => request.unwrap(),
        Err(_) => panic!(
            "the browser did not come back to the app; it shows {} :\n{}",
            browser.current_url().await.unwrap(),
            browser.source().await.unwrap()
        ),
    };
    assert!(request.starts_with("GET /callback?code="), "{request}");
    assert!(request.contains("state=xyz"), "{request}");
    let _ = browser.close().await;
}

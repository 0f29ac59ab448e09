//! The accept page in a real headless browser: Debian's chromium, driven through chromedriver
//! over WebDriver, as an invitee on a phone or a laptop would use it.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{ClientBuilder, Locator};
use invitedesk_model::{Invitation, InvitationStatus};
use serde_json::json;

use crate::helpers::spawn_app_with;
use crate::smtp_sink::decoded;

struct ChromeDriver {
    child: Child,
    url: String,
}

impl Drop for ChromeDriver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn chromedriver() -> ChromeDriver {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver is installed (scripts/install-deps installs chromium-driver)");
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    ChromeDriver {
        child,
        url: format!("http://127.0.0.1:{port}"),
    }
}

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

    let driver = chromedriver().await;
    let profile = tempfile::tempdir().unwrap();
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": "/usr/bin/chromium",
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--window-size=400,900", format!("--user-data-dir={}", profile.path().display())],
        }),
    );
    // More than one TLS backend is linked into the tests; the WebDriver client needs one chosen.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let browser = ClientBuilder::rustls()
        .expect("a TLS provider")
        .capabilities(capabilities)
        .connect(&driver.url)
        .await
        .expect("a browser session");

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

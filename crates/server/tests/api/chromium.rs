//! A real headless browser for tests: Debian's chromium, driven through chromedriver over
//! WebDriver. Shared by the server's page tests and the desktop's stories (which include this
//! file by path).

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

pub struct ChromeDriver {
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

/// What keeps the browser alive: its driver and its profile folder.
pub struct Kept {
    _driver: ChromeDriver,
    _profile: tempfile::TempDir,
}

/// A fresh headless chromium with a window of `size` ("width,height"), and what keeps it.
pub async fn headless_browser(size: &str) -> (Client, Kept) {
    let driver = chromedriver().await;
    let profile = tempfile::tempdir().unwrap();
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": "/usr/bin/chromium",
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     format!("--window-size={size}"), format!("--user-data-dir={}", profile.path().display())],
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
    (
        browser,
        Kept {
            _driver: driver,
            _profile: profile,
        },
    )
}

/// Fills the sign-in page's e-mail and password and submits it, as a person would.
pub async fn sign_in_on_the_page(browser: &Client, email: &str, password: &str) {
    for (field, value) in [("email", email), ("password", password)] {
        browser
            .find(Locator::Id(field))
            .await
            .unwrap()
            .send_keys(value)
            .await
            .unwrap();
    }
    browser
        .find(Locator::Css("form button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

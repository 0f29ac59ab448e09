//! What every story runs on: the reference server on loopback (SQLite file, demo data, its mail
//! to a real SMTP conversation), an X server of its own (Xvfb), tauri-driver with WebKitWebDriver
//! launching the app's debug binary, and a WebDriver session on its window. One story at a time:
//! two WebKit windows on two cores would make the timings of both meaningless.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use futures::future::BoxFuture;
use futures::FutureExt;
use invitedesk_server::demo::{ClientCredentials, DemoCredentials};
use invitedesk_server::{Config, RunningServer};
use serde_json::{json, Value};
use tokio::sync::{Mutex, MutexGuard};

use crate::smtp_sink::SmtpSink;

static ONE_AT_A_TIME: Mutex<()> = Mutex::const_new(());

/// How long a story waits for the window to show something before it calls that a failure.
const PATIENCE: Duration = Duration::from_secs(30);

/// Who is signed in when the window opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Given {
    /// A first run: no profile at all.
    NoProfile,
    /// A saved profile of one of the demo organisation's service users (`admin`, `helpdesk`,
    /// `readonly`), its secret in the keyring, selected.
    SignedIn(&'static str),
}

pub struct Stage {
    pub name: &'static str,
    pub server: Option<RunningServer>,
    config: Config,
    pub sink: SmtpSink,
    pub demo: DemoCredentials,
    pub dir: tempfile::TempDir,
    pub window: Client,
    display: Child,
    display_name: String,
    driver: Child,
    driver_port: u16,
    _turn: MutexGuard<'static, ()>,
}

/// Runs one story on a fresh stage. When it fails, the window's screenshot and text are printed
/// first, so that a red run can be understood without running it again.
pub async fn play<F>(name: &'static str, given: Given, story: F)
where
    F: for<'a> FnOnce(&'a mut Stage) -> BoxFuture<'a, ()>,
{
    let mut stage = Stage::open(name, given).await;
    let outcome = std::panic::AssertUnwindSafe(story(&mut stage))
        .catch_unwind()
        .await;
    if outcome.is_err() {
        stage.report_failure().await;
    }
    let _ = stage.window.clone().close().await;
    if let Some(server) = stage.server.take() {
        server.stop().await;
    }
    drop(stage);
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}

impl Stage {
    async fn open(name: &'static str, given: Given) -> Stage {
        let turn = ONE_AT_A_TIME.lock().await;
        // The in-process server's logs, when RUST_LOG asks (tower_http=debug: every request).
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
            .with_writer(std::io::stderr)
            .try_init();
        // More than one TLS backend is linked into the tests; the WebDriver client needs one.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let dir = tempfile::tempdir().expect("a temporary folder");
        let sink = SmtpSink::start().await;
        let mut config = Config::for_tests(dir.path().join("server.db"));
        config.smtp_host = Some("127.0.0.1".into());
        config.smtp_port = sink.port;
        config.smtp_security = invitedesk_server::config::SmtpSecurity::None;
        config.mail_dir = Some(dir.path().join("mail"));
        let server = invitedesk_server::start(config.clone())
            .await
            .expect("the reference server starts");
        // A restart (the offline story) comes back on the same address.
        config.listen = server.addr;
        let demo = invitedesk_server::demo::seed(&server.state, &server.base_url())
            .await
            .expect("demo data");
        let app_data = dir.path().join("data/com.invitedesk.console");
        std::fs::create_dir_all(&app_data).unwrap();
        if let Given::SignedIn(who) = given {
            given_profile(&app_data, name, who, &server.base_url(), &demo);
        }
        let (display, display_name) = start_display();
        let (driver, port) = start_driver(dir.path(), &display_name).await;
        let window = connect(port).await;
        Stage {
            name,
            server: Some(server),
            config,
            sink,
            demo,
            dir,
            window,
            display,
            display_name,
            driver,
            driver_port: port,
            _turn: turn,
        }
    }

    /// The address the app last asked the system browser to open, once it has.
    pub async fn opened_in_browser(&self) -> String {
        let file = self.dir.path().join("browser-opened");
        let start = Instant::now();
        loop {
            if let Some(last) = std::fs::read_to_string(&file)
                .ok()
                .and_then(|text| text.lines().last().map(str::to_owned))
            {
                return last;
            }
            assert!(start.elapsed() < PATIENCE, "the app opened no browser");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.config.listen)
    }

    pub fn credentials(&self, who: &str) -> &ClientCredentials {
        &self.demo.organizations[0].principals[who]
    }

    pub fn org_id(&self) -> uuid::Uuid {
        self.demo.organizations[0].org_id
    }

    /// The server goes away, as a network would.
    pub async fn stop_server(&mut self) {
        if let Some(server) = self.server.take() {
            server.stop().await;
        }
    }

    /// The server comes back on the same address with the same data.
    pub async fn start_server(&mut self) {
        self.server = Some(
            invitedesk_server::start(self.config.clone())
                .await
                .expect("the reference server starts again"),
        );
    }

    pub fn server(&self) -> &RunningServer {
        self.server.as_ref().expect("the server is running")
    }

    /// Keeps what the window shows now as `target/tmp/e2e/<story>-<moment>.png`;
    /// `scripts/screenshots` copies the README's from there. Taken from the X display
    /// (ImageMagick's `import`), as a person would see it: WebKitWebDriver's own screenshot
    /// command never answers on these machines.
    pub async fn screenshot(&self, moment: &str) -> PathBuf {
        let path = shots_dir().join(format!("{}-{moment}.png", self.name));
        // The frame after the last change, not the one before it.
        tokio::time::sleep(Duration::from_millis(300)).await;
        let taken = Command::new("import")
            .args([
                "-display",
                &self.display_name,
                "-window",
                "root",
                "-crop",
                "1280x820+0+0",
            ])
            .arg(&path)
            .status()
            .expect("ImageMagick's import is installed (scripts/install-deps)");
        assert!(
            taken.success(),
            "import could not capture {}",
            self.display_name
        );
        path
    }

    async fn report_failure(&self) {
        let path = shots_dir().join(format!("{}-FAILED.png", self.name));
        let taken = Command::new("import")
            .args(["-display", &self.display_name, "-window", "root"])
            .arg(&path)
            .status()
            .is_ok_and(|s| s.success());
        let path = if taken {
            path.display().to_string()
        } else {
            "no screenshot".to_owned()
        };
        let text = tokio::time::timeout(Duration::from_secs(10), self.page_text())
            .await
            .unwrap_or_else(|_| "(the page did not answer)".into());
        let driver_log =
            std::fs::read_to_string(self.dir.path().join("tauri-driver.log")).unwrap_or_default();
        let tail: Vec<&str> = driver_log.lines().rev().take(15).collect();
        eprintln!(
            "\n=== story {} failed; the window showed ({path}):\n{text}\n=== tauri-driver's last lines:\n{}\n===\n",
            self.name,
            tail.into_iter().rev().collect::<Vec<_>>().join("\n")
        );
    }

    // ---- reading and driving the window ------------------------------------------------

    pub async fn page_text(&self) -> String {
        match self
            .window
            .execute("return document.body.innerText", vec![])
            .await
        {
            Ok(text) => text.as_str().unwrap_or_default().to_owned(),
            Err(e) => format!("(the page could not be read: {e})"),
        }
    }

    pub async fn eval(&self, script: &str) -> Value {
        self.window
            .execute(script, vec![])
            .await
            .unwrap_or_else(|e| panic!("the script failed: {e}\n{script}"))
    }

    /// Waits until `condition` (a JavaScript expression) holds; `what` says it in words.
    pub async fn until(&self, what: &str, condition: &str) {
        let script = format!("return Boolean({condition})");
        let start = Instant::now();
        loop {
            match tokio::time::timeout(Duration::from_secs(5), self.window.execute(&script, vec![]))
                .await
            {
                Ok(Ok(Value::Bool(true))) => return,
                Ok(Ok(_)) => {}
                Ok(Err(e)) => eprintln!("[{}] script error: {e}", self.name),
                Err(_) => eprintln!("[{}] script took over 5 s", self.name),
            }
            assert!(
                start.elapsed() < PATIENCE,
                "waited {}s for {what}",
                PATIENCE.as_secs()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until the element's text contains `expected`, and answers the whole text.
    pub async fn until_text(&self, css: &str, expected: &str) -> String {
        let condition = format!(
            "(document.querySelector({css:?})?.innerText ?? '').includes({expected:?})",
            css = css,
            expected = expected
        );
        self.until(&format!("{css} to say {expected:?}"), &condition)
            .await;
        self.text(css).await
    }

    pub async fn text(&self, css: &str) -> String {
        self.element(css).await.text().await.unwrap_or_default()
    }

    pub async fn element(&self, css: &str) -> fantoccini::elements::Element {
        self.window
            .wait()
            .at_most(PATIENCE)
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no {css} in the window: {e}"))
    }

    /// Clicks `css` once it is shown, enabled and taking clicks (the page is inert until the UI
    /// is wired, which comes just after the first rows).
    pub async fn click(&self, css: &str) {
        self.until(
            &format!("{css} to be shown, enabled and taking clicks"),
            &format!("(e => e && !e.disabled && e.offsetParent !== null && !e.closest('[inert]'))(document.querySelector({css:?}))"),
        )
        .await;
        self.element(css)
            .await
            .click()
            .await
            .unwrap_or_else(|e| panic!("{css} could not be clicked: {e}"));
    }

    /// Types into a field the way a person does, key by key, after emptying it.
    pub async fn type_into(&self, css: &str, text: &str) {
        let field = self.element(css).await;
        field.clear().await.unwrap();
        field
            .send_keys(text)
            .await
            .unwrap_or_else(|e| panic!("could not type into {css}: {e}"));
    }

    /// Presses and releases one key on whatever has the focus, as a keyboard does.
    pub async fn press(&self, key: char) {
        use fantoccini::actions::{InputSource, KeyAction, KeyActions};
        let keys = KeyActions::new("keyboard".into())
            .then(KeyAction::Down { value: key })
            .then(KeyAction::Up { value: key });
        self.window
            .perform_actions(keys)
            .await
            .unwrap_or_else(|e| panic!("could not press {key:?}: {e}"));
    }

    /// Sets a field WebDriver cannot type into portably (date pickers, selects by value), and
    /// tells the page as its own events would.
    pub async fn set_value(&self, css: &str, value: &str) {
        self.window
            .execute(
                "const [css, value] = arguments; const e = document.querySelector(css);
                 e.value = value;
                 e.dispatchEvent(new Event('input', { bubbles: true }));
                 e.dispatchEvent(new Event('change', { bubbles: true }));",
                vec![json!(css), json!(value)],
            )
            .await
            .unwrap_or_else(|e| panic!("could not set {css}: {e}"));
    }

    /// Chooses the option whose label starts with `label` in a select.
    pub async fn choose(&self, css: &str, label: &str) {
        self.until(
            &format!("{label:?} among the choices of {css}"),
            &format!(
                "[...document.querySelector({css:?})?.options ?? []].some(o => o.text.startsWith({label:?}))"
            ),
        )
        .await;
        self.window
            .execute(
                "const [css, label] = arguments; const e = document.querySelector(css);
                 e.value = [...e.options].find(o => o.text.startsWith(label)).value;
                 e.dispatchEvent(new Event('change', { bubbles: true }));",
                vec![json!(css), json!(label)],
            )
            .await
            .unwrap();
    }

    /// The texts of the rows a virtual table has drawn.
    pub async fn rows(&self, table: &str) -> Vec<String> {
        let found = self
            .window
            .execute(
                "return [...document.querySelectorAll(arguments[0] + ' .vt-row')].map(r => r.innerText)",
                vec![json!(table)],
            )
            .await
            .unwrap();
        serde_json::from_value(found).unwrap_or_default()
    }

    /// Clicks the first drawn row of `table` whose text contains `needle`.
    pub async fn open_row(&self, table: &str, needle: &str) {
        self.until(
            &format!("a row with {needle:?} in {table}"),
            &format!(
                "[...document.querySelectorAll('{table} .vt-row')].some(r => r.innerText.includes({needle:?}))"
            ),
        )
        .await;
        self.window
            .execute(
                "const [table, needle] = arguments;
                 [...document.querySelectorAll(table + ' .vt-row')].find(r => r.innerText.includes(needle)).click();",
                vec![json!(table), json!(needle)],
            )
            .await
            .unwrap();
        self.until(
            "the details panel",
            "!document.getElementById('details').hidden",
        )
        .await;
    }

    /// Quits the app (its WebDriver session ends) and starts it again on the same data.
    pub async fn restart_app(&mut self) {
        let _ = self.window.clone().close().await;
        // The first process must be gone, or the new one would hand over to it and exit.
        tokio::time::sleep(Duration::from_secs(2)).await;
        self.window = connect(self.driver_port).await;
    }

    /// Launches the app's binary a second time, as a person would, with the first one's
    /// display and folders; answers how it ended (waited for up to 20 s).
    pub async fn launch_again(&self, args: &[&str]) -> std::process::Output {
        let dir = self.dir.path();
        let run = tokio::process::Command::new(env!("CARGO_BIN_EXE_invitedesk"))
            .args(args)
            .env("DISPLAY", &self.display_name)
            .env("XDG_DATA_HOME", dir.join("data"))
            .env("XDG_CONFIG_HOME", dir.join("config"))
            .env("XDG_CACHE_HOME", dir.join("cache"))
            .env("WEBKIT_DISABLE_DMABUF_RENDERER", "1")
            .kill_on_drop(true)
            .output();
        tokio::time::timeout(Duration::from_secs(20), run)
            .await
            .expect("the second launch ended within 20 s")
            .expect("the app's binary ran")
    }

    /// Calls an app command straight through the IPC, as a tampered page could: the answer, or
    /// the error the command gave.
    pub async fn invoke(&self, command: &str, args: Value) -> Result<Value, Value> {
        let answer = self
            .window
            .execute_async(
                "const [command, args, done] = arguments;
                 window.__TAURI_INTERNALS__.invoke(command, args)
                   .then(ok => done({ ok }), error => done({ error }));",
                vec![json!(command), args],
            )
            .await
            .expect("the page ran the call");
        match answer.get("error") {
            Some(error) => Err(error.clone()),
            None => Ok(answer["ok"].clone()),
        }
    }
}

impl Drop for Stage {
    fn drop(&mut self) {
        stop_group(&mut self.driver);
        let _ = self.display.kill();
        let _ = self.display.wait();
    }
}

fn shots_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("e2e");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The profile as the app itself saves it: the store plugin's JSON file, the secret in the
/// keyring of this D-Bus session (`scripts/test` runs the tests inside one).
fn given_profile(app_data: &Path, story: &str, who: &str, base_url: &str, demo: &DemoCredentials) {
    let org = &demo.organizations[0];
    let credentials = &org.principals[who];
    let id = format!("{story}-{who}");
    invitedesk_client::creds::store_secret(&id, &credentials.api_secret)
        .expect("the keyring takes the secret (run under scripts/test's D-Bus session)");
    let profiles = json!({ "profiles": {
        "profiles": [{
            "id": id, "name": format!("Acme {who}"), "baseUrl": base_url,
            "orgId": org.org_id, "accessKeyId": credentials.access_key_id,
        }],
        "selected": id,
    }});
    std::fs::write(
        app_data.join("profiles.json"),
        serde_json::to_vec(&profiles).unwrap(),
    )
    .unwrap();
}

/// An Xvfb of the story's own, on the first free display from :140.
fn start_display() -> (Child, String) {
    let number = (140..400)
        .find(|n| {
            !Path::new(&format!("/tmp/.X11-unix/X{n}")).exists()
                && !Path::new(&format!("/tmp/.X{n}-lock")).exists()
        })
        .expect("a free X display");
    let name = format!(":{number}");
    let child = Command::new("Xvfb")
        .args([&name, "-screen", "0", "1280x860x24", "-nolisten", "tcp"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("Xvfb is installed (scripts/install-deps installs xvfb)");
    let socket = format!("/tmp/.X11-unix/X{number}");
    let start = Instant::now();
    while !Path::new(&socket).exists() {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "Xvfb {name} did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    (child, name)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// tauri-driver (and under it WebKitWebDriver, and under that the app) in a process group of
/// their own, with the story's own data folders, so that nothing outlives the story.
async fn start_driver(dir: &Path, display: &str) -> (Child, u16) {
    use std::os::unix::process::CommandExt;
    let (port, native_port) = (free_port(), free_port());
    let log = std::fs::File::create(dir.join("tauri-driver.log")).unwrap();
    // The app's "system browser": a command that writes down what it was asked to open, for
    // a story to open in a real browser of its own (`Stage::opened_in_browser`).
    let browser = dir.join("browser");
    std::fs::write(
        &browser,
        format!(
            "#!/bin/sh\nprintf '%s\\n' \"$1\" >> '{}'\n",
            dir.join("browser-opened").display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(
        &browser,
        std::os::unix::fs::PermissionsExt::from_mode(0o700),
    )
    .unwrap();
    let child = Command::new("tauri-driver")
        .args([
            "--port",
            &port.to_string(),
            "--native-port",
            &native_port.to_string(),
        ])
        .env("DISPLAY", display)
        .env("XDG_DATA_HOME", dir.join("data"))
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .env("XDG_CACHE_HOME", dir.join("cache"))
        .env("INVITEDESK_EXPORT_DIR", dir.join("exports"))
        .env("INVITEDESK_IMPORT_FILE", dir.join("import.csv"))
        .env("WEBKIT_DISABLE_DMABUF_RENDERER", "1")
        .env("BROWSER", &browser)
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .process_group(0)
        .spawn()
        .expect("tauri-driver is installed (scripts/install-deps: cargo install tauri-driver)");
    let start = Instant::now();
    while tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .is_err()
    {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "tauri-driver did not listen"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    (child, port)
}

async fn connect(port: u16) -> Client {
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "tauri:options".into(),
        json!({ "application": env!("CARGO_BIN_EXE_invitedesk") }),
    );
    // tauri-driver listens before the WebKitWebDriver behind it is ready: on a cold machine
    // its first session request can be dropped half-way. A few tries with a pause between.
    let mut tries = 0;
    loop {
        tries += 1;
        let session = ClientBuilder::rustls()
            .expect("a TLS provider")
            .capabilities(capabilities.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await;
        match session {
            Ok(client) => return client,
            Err(e) if tries < 4 => {
                eprintln!("WebDriver session not made yet ({e}); trying again");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
            Err(e) => panic!("a WebDriver session on the app's window: {e}"),
        }
    }
}

/// Stops a process group (TERM, then KILL after 5 s) without needing a `kill` program.
fn stop_group(child: &mut Child) {
    let group = -(child.id() as libc::pid_t);
    // SAFETY: kill(2) on a process group this test started; no memory is shared with it.
    unsafe { libc::kill(group, libc::SIGTERM) };
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(5) {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    // SAFETY: as above.
    unsafe { libc::kill(group, libc::SIGKILL) };
    let _ = child.wait();
}

//! Launch timing for the benches: the process notes when it started, and the page says when
//! it has what it came for on screen (the cached rows, or for the blank yardstick, itself).

use std::sync::OnceLock;
use std::time::Instant;

static STARTED: OnceLock<Instant> = OnceLock::new();

/// Called first thing in `main`.
pub fn started() {
    STARTED.get_or_init(Instant::now);
}

/// Prints `READY <what> <ms since start>` once, when the first page says it is on screen; the
/// benches read it.
pub fn ready(what: &str) {
    static PRINTED: OnceLock<()> = OnceLock::new();
    if PRINTED.set(()).is_ok() {
        let since = STARTED.get().map(|s| s.elapsed().as_secs_f64() * 1e3);
        let what: String = what
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .take(20)
            .collect();
        println!("READY {what} {:.1}", since.unwrap_or(f64::NAN));
    }
}

/// Whether `INVITEDESK_LAUNCH_TRACE` is set (read once).
pub fn tracing() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("INVITEDESK_LAUNCH_TRACE").is_some())
}

/// With `INVITEDESK_LAUNCH_TRACE` set, prints `TRACE <label> <ms since start>`: where a launch
/// spends its time.
pub fn trace(label: &str) {
    if tracing() {
        let since = STARTED.get().map(|s| s.elapsed().as_secs_f64() * 1e3);
        println!("TRACE {label} {:.1}", since.unwrap_or(f64::NAN));
    }
}

/// The launch bench's yardstick (`--blank`): an empty page that says it is on screen after its
/// first frame, as the app's page does with its rows. Served from here, not from ui/, so it is
/// no part of the shipped bundle; it exists only in a window opened with `--blank`.
pub const BLANK_PATH: &str = "/launch-yardstick.html";
const BLANK_PAGE: &str = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>InviteDesk</title></head><body><script>requestAnimationFrame(() => window.__TAURI__.core.invoke(\"mark_ready\", { what: \"blank\" }));</script></body></html>";

/// Answers the yardstick's request (which ui/ has no file for) with the blank page. Its one
/// inline script is its own: the bundle's CSP, which refuses inline scripts, is not sent.
pub fn serve_blank(
    request: &tauri::http::Request<Vec<u8>>,
    response: &mut tauri::http::Response<std::borrow::Cow<'static, [u8]>>,
) {
    if request.uri().path() != BLANK_PATH {
        return;
    }
    let mut page = tauri::http::Response::new(std::borrow::Cow::Borrowed(BLANK_PAGE.as_bytes()));
    page.headers_mut().insert(
        tauri::http::header::CONTENT_TYPE,
        tauri::http::HeaderValue::from_static("text/html"),
    );
    *response = page;
}

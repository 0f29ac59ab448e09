//! A person signs in through their own browser (OAuth 2.0 for native apps, RFC 8252): the app
//! listens on a loopback port, opens the server's sign-in page with a PKCE challenge (S256)
//! and a random `state`, takes the one redirect that comes back, checks its `state`, and
//! exchanges the code with the verifier. Nothing secret is ever typed into the app. Opening
//! the browser is the caller's (the desktop uses its opener; a test drives a real one).

use std::time::Duration;

use invitedesk_model::pkce::{self, DESKTOP_CLIENT_ID, DESKTOP_REDIRECT_PATH};
use invitedesk_model::TokenResponse;
use rand::RngCore;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use uuid::Uuid;

use crate::api::{check_base_url, ApiError};

/// The longest request line and headers the loopback listener reads.
const MAX_REQUEST_BYTES: usize = 8 * 1024;

pub struct BrowserSignIn {
    listener: TcpListener,
    base_url: String,
    redirect_uri: String,
    verifier: String,
    state: String,
    /// The page to open in the browser (or to copy, when no browser opens).
    pub authorize_url: String,
}

/// What the redirect carried.
#[derive(Debug, PartialEq)]
enum Redirect {
    Code(String),
    Refused(String),
    /// Not the redirect (a favicon, a stray request): answered and waited past.
    Other,
}

fn random_url_safe(bytes: usize) -> String {
    use base64::Engine;
    let mut raw = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut raw);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw)
}

impl BrowserSignIn {
    /// Listens on a free loopback port and builds the sign-in address; `org` names the
    /// organisation when the profile knows it.
    pub async fn start(base_url: &str, org: Option<Uuid>) -> Result<Self, ApiError> {
        let base_url = check_base_url(base_url).map_err(ApiError::invalid_field)?;
        let listener = TcpListener::bind(("127.0.0.1", 0))
            .await
            .map_err(|e| ApiError::Server(format!("loopback listener: {e}")))?;
        let port = listener
            .local_addr()
            .map_err(|e| ApiError::Server(format!("loopback listener: {e}")))?
            .port();
        let redirect_uri = format!("http://127.0.0.1:{port}{DESKTOP_REDIRECT_PATH}");
        let (verifier, state) = (random_url_safe(48), random_url_safe(24));
        let mut url = url::Url::parse(&format!(
            "{}/oauth/authorize",
            base_url.trim_end_matches('/')
        ))
        .map_err(|e| ApiError::Server(format!("sign-in address: {e}")))?;
        url.query_pairs_mut()
            .append_pair("response_type", "code")
            .append_pair("client_id", DESKTOP_CLIENT_ID)
            .append_pair("redirect_uri", &redirect_uri)
            .append_pair("state", &state)
            .append_pair("code_challenge", &pkce::challenge_of(&verifier))
            .append_pair("code_challenge_method", "S256");
        if let Some(org) = org {
            url.query_pairs_mut().append_pair("org", &org.to_string());
        }
        Ok(Self {
            listener,
            base_url,
            redirect_uri,
            verifier,
            state,
            authorize_url: url.into(),
        })
    }

    /// Waits (at most `within`) for the browser to come back, then exchanges the code.
    pub async fn finish(self, within: Duration) -> Result<TokenResponse, ApiError> {
        let code = tokio::time::timeout(within, self.wait_for_code())
            .await
            .map_err(|_| ApiError::Unauthorized("the sign-in was not finished in time".into()))??;
        exchange_code(&self.base_url, &code, &self.redirect_uri, &self.verifier).await
    }

    async fn wait_for_code(&self) -> Result<String, ApiError> {
        loop {
            let (mut stream, _) = self
                .listener
                .accept()
                .await
                .map_err(|e| ApiError::Server(format!("loopback listener: {e}")))?;
            let mut buffer = vec![0u8; MAX_REQUEST_BYTES];
            let read = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut buffer))
                .await
                .unwrap_or(Ok(0))
                .unwrap_or(0);
            let request = String::from_utf8_lossy(&buffer[..read]);
            let redirect = parse_redirect(&request, &self.state);
            let page = match &redirect {
                Redirect::Code(_) => {
                    "You are signed in. You can close this tab and go back to InviteDesk."
                }
                Redirect::Refused(_) => {
                    "The sign-in did not complete. Go back to InviteDesk to try again."
                }
                Redirect::Other => "Not found.",
            };
            let status = if redirect == Redirect::Other {
                "404 Not Found"
            } else {
                "200 OK"
            };
            let body = format!("<!DOCTYPE html><html lang=\"en\"><meta charset=\"utf-8\"><title>InviteDesk</title><p>{page}</p></html>");
            let answer = format!(
                "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Security-Policy: default-src 'none'\r\nCache-Control: no-store\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(answer.as_bytes()).await;
            let _ = stream.shutdown().await;
            match redirect {
                Redirect::Code(code) => return Ok(code),
                Redirect::Refused(reason) => return Err(ApiError::Unauthorized(reason)),
                Redirect::Other => continue,
            }
        }
    }
}

/// The code from `GET /callback?code=…&state=…`, if `state` is ours; a refusal if the server
/// sent an error or the state does not match (a forged redirect).
fn parse_redirect(request: &str, expected_state: &str) -> Redirect {
    let Some(target) = request
        .lines()
        .next()
        .and_then(|line| line.strip_prefix("GET "))
        .and_then(|rest| rest.split(' ').next())
    else {
        return Redirect::Other;
    };
    let Ok(url) = url::Url::parse(&format!("http://127.0.0.1{target}")) else {
        return Redirect::Other;
    };
    if url.path() != DESKTOP_REDIRECT_PATH {
        return Redirect::Other;
    }
    let param = |name: &str| {
        url.query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    };
    if param("state").as_deref() != Some(expected_state) {
        return Redirect::Refused("the sign-in answer did not match this sign-in (state)".into());
    }
    if let Some(error) = param("error") {
        let description = param("error_description").unwrap_or_default();
        return Redirect::Refused(format!(
            "the server refused the sign-in: {error} {description}"
        ));
    }
    match param("code") {
        Some(code) if !code.is_empty() => Redirect::Code(code),
        _ => Redirect::Refused("the sign-in answer carried no code".into()),
    }
}

async fn exchange_code(
    base_url: &str,
    code: &str,
    redirect_uri: &str,
    verifier: &str,
) -> Result<TokenResponse, ApiError> {
    let response = reqwest::Client::new()
        .post(format!("{}/oauth/token", base_url.trim_end_matches('/')))
        .form(&[
            ("grant_type", "authorization_code"),
            ("client_id", DESKTOP_CLIENT_ID),
            ("code", code),
            ("redirect_uri", redirect_uri),
            ("code_verifier", verifier),
        ])
        .send()
        .await
        .map_err(|e| ApiError::Offline(e.to_string()))?;
    let status = response.status();
    let body = response.text().await.unwrap_or_default();
    if !status.is_success() {
        return Err(ApiError::Unauthorized(format!(
            "the sign-in code was refused: {}",
            ApiError::from_answer(status, &body, None)
        )));
    }
    serde_json::from_str(&body).map_err(|e| ApiError::Server(format!("token answer: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_callback_with_our_state_gives_a_code() {
        let ours = "GET /callback?code=abc&state=s1 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
        assert_eq!(parse_redirect(ours, "s1"), Redirect::Code("abc".into()));
        let forged = "GET /callback?code=abc&state=other HTTP/1.1\r\n\r\n";
        assert!(matches!(parse_redirect(forged, "s1"), Redirect::Refused(_)));
        let refused = "GET /callback?error=access_denied&state=s1 HTTP/1.1\r\n\r\n";
        assert!(matches!(
            parse_redirect(refused, "s1"),
            Redirect::Refused(_)
        ));
        assert_eq!(
            parse_redirect("GET /favicon.ico HTTP/1.1\r\n\r\n", "s1"),
            Redirect::Other
        );
        assert_eq!(
            parse_redirect("POST /callback HTTP/1.1\r\n\r\n", "s1"),
            Redirect::Other
        );
        assert_eq!(parse_redirect("", "s1"), Redirect::Other);
    }
}

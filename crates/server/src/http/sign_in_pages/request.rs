//! The authorization request of OAuth 2.0 for native apps (RFC 8252) with PKCE (RFC 7636), as
//! `GET /oauth/authorize` receives it and the sign-in forms carry it from step to step, and
//! its checks: a registered public client, a loopback redirect URI that matches the
//! registration in everything but the port (§7.3), a `state`, an S256 challenge.

use serde::{Deserialize, Serialize};
use url::Url;

pub use invitedesk_model::pkce::DESKTOP_CLIENT_ID;
/// Its registered redirect URIs; any port is accepted on them (RFC 8252 §7.3).
const DESKTOP_REDIRECTS: [&str; 2] = ["http://127.0.0.1/callback", "http://[::1]/callback"];
const STATE_MAX_CHARS: usize = 512;

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct AuthorizeRequest {
    pub response_type: String,
    pub client_id: String,
    pub redirect_uri: String,
    pub state: String,
    pub code_challenge: String,
    pub code_challenge_method: String,
    /// The organisation to sign in to, when the app knows it (a profile names it).
    pub org: String,
}

/// Why a request cannot go on. Only the first kind may be told to the redirect URI: with an
/// unknown client or a redirect URI not registered, nothing is sent anywhere (no open redirect).
#[derive(Debug, PartialEq)]
pub enum Refusal {
    /// Shown on the page itself.
    NotRedirectable(&'static str),
    /// Sent back to the app: `error` and `error_description` on its redirect URI.
    Redirect {
        error: &'static str,
        description: &'static str,
    },
}

impl AuthorizeRequest {
    /// The redirect URI, checked against the client's registration.
    pub fn redirect(&self) -> Result<Url, Refusal> {
        if self.client_id != DESKTOP_CLIENT_ID {
            return Err(Refusal::NotRedirectable(
                "The application asking you to sign in is not known to this server.",
            ));
        }
        registered_loopback(&self.redirect_uri).ok_or(Refusal::NotRedirectable(
            "The application asked to be sent somewhere this server does not allow.",
        ))
    }

    /// Every check, in the order RFC 6749 §4.1.2.1 gives them.
    pub fn check(&self) -> Result<Url, Refusal> {
        let redirect = self.redirect()?;
        let refuse = |error, description| Err(Refusal::Redirect { error, description });
        if self.response_type != "code" {
            return refuse("unsupported_response_type", "response_type must be code");
        }
        if self.state.is_empty() || self.state.chars().count() > STATE_MAX_CHARS {
            return refuse(
                "invalid_request",
                "state is required (at most 512 characters)",
            );
        }
        if self.code_challenge_method != "S256" {
            return refuse("invalid_request", "code_challenge_method must be S256");
        }
        if !is_s256_challenge(&self.code_challenge) {
            return refuse(
                "invalid_request",
                "code_challenge must be BASE64URL(SHA256(code_verifier)): 43 characters",
            );
        }
        Ok(redirect)
    }

    /// Where the browser goes back to the app, with `params` and the request's `state`.
    pub fn back_to_app(&self, redirect: &Url, params: &[(&str, &str)]) -> String {
        let mut url = redirect.clone();
        {
            let mut query = url.query_pairs_mut();
            for (name, value) in params {
                query.append_pair(name, value);
            }
            if !self.state.is_empty() {
                query.append_pair("state", &self.state);
            }
        }
        url.into()
    }
}

/// The URI, if it is a registered one with only the port changed (or none given).
fn registered_loopback(uri: &str) -> Option<Url> {
    let url = Url::parse(uri).ok()?;
    let plain = url.username().is_empty()
        && url.password().is_none()
        && url.query().is_none()
        && url.fragment().is_none();
    let mut portless = url.clone();
    portless.set_port(None).ok()?;
    (plain && DESKTOP_REDIRECTS.contains(&portless.as_str())).then_some(url)
}

fn is_s256_challenge(challenge: &str) -> bool {
    challenge.len() == 43
        && challenge
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The origin of a redirect URI, for the page's `form-action`.
pub fn origin(url: &Url) -> String {
    url.origin().ascii_serialization()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(redirect_uri: &str) -> AuthorizeRequest {
        AuthorizeRequest {
            response_type: "code".into(),
            client_id: DESKTOP_CLIENT_ID.into(),
            redirect_uri: redirect_uri.into(),
            state: "s".into(),
            code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM".into(),
            code_challenge_method: "S256".into(),
            org: String::new(),
        }
    }

    #[test]
    fn any_port_on_the_registered_loopback_path_is_accepted() {
        for uri in [
            "http://127.0.0.1:49152/callback",
            "http://127.0.0.1/callback",
            "http://[::1]:8765/callback",
        ] {
            assert!(request(uri).check().is_ok(), "{uri}");
        }
    }

    #[test]
    fn anything_else_is_refused_without_redirecting() {
        for uri in [
            "http://localhost:49152/callback",
            "https://127.0.0.1:49152/callback",
            "http://127.0.0.1:49152/callback/../evil",
            "http://127.0.0.1:49152/other",
            "http://127.0.0.1:49152/callback?next=https://evil.example",
            "http://127.0.0.1:49152/callback#x",
            "http://user@127.0.0.1:49152/callback",
            "http://127.0.0.1.evil.example/callback",
            "https://evil.example/callback",
            "//evil.example/callback",
            "",
        ] {
            assert!(
                matches!(request(uri).check(), Err(Refusal::NotRedirectable(_))),
                "{uri}"
            );
        }
        let mut other_client = request("http://127.0.0.1:1/callback");
        other_client.client_id = "someone-else".into();
        assert!(matches!(
            other_client.check(),
            Err(Refusal::NotRedirectable(_))
        ));
    }

    #[test]
    fn a_plain_challenge_or_no_state_goes_back_to_the_app_as_invalid_request() {
        let mut plain = request("http://127.0.0.1:1/callback");
        plain.code_challenge_method = "plain".into();
        assert!(matches!(
            plain.check(),
            Err(Refusal::Redirect {
                error: "invalid_request",
                ..
            })
        ));
        let mut stateless = request("http://127.0.0.1:1/callback");
        stateless.state.clear();
        assert!(matches!(
            stateless.check(),
            Err(Refusal::Redirect {
                error: "invalid_request",
                ..
            })
        ));
    }
}

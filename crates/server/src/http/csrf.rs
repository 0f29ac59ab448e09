//! CSRF protection for the server's own HTML forms (double-submit, signed): the cookie holds a
//! random value, and the form's hidden field its HMAC under a key only the server has, bound to
//! the page's scope (here, the invitation's link). Someone who can plant a cookie still cannot
//! make a field that matches it, and a field from one invitation does not work on another.
//! When the public URL is https the cookie is `__Host-` prefixed and `Secure`, so no sibling
//! sub-domain can set or overwrite it.

use axum::http::{header, HeaderMap, HeaderValue};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::auth::random_token;

type HmacSha256 = Hmac<Sha256>;

pub struct Csrf {
    key: Vec<u8>,
    secure: bool,
}

/// A page's CSRF state: the cookie's value and whether it must be set on the response.
pub struct CsrfVisit {
    nonce: String,
    new_cookie: bool,
}

impl Csrf {
    pub fn new(key: Vec<u8>, public_url: &str) -> Self {
        Self {
            key,
            secure: public_url.starts_with("https://"),
        }
    }

    pub fn cookie_name(&self) -> &'static str {
        if self.secure {
            "__Host-invite_csrf"
        } else {
            "invite_csrf"
        }
    }

    /// The visit's cookie if it brought a well-formed one, else a fresh value to set.
    pub fn visit(&self, headers: &HeaderMap) -> CsrfVisit {
        match self.cookie(headers) {
            Some(nonce) => CsrfVisit {
                nonce,
                new_cookie: false,
            },
            None => CsrfVisit {
                nonce: random_token(),
                new_cookie: true,
            },
        }
    }

    /// The hidden field's value for this visit and scope.
    pub fn field(&self, visit: &CsrfVisit, scope: &str) -> String {
        URL_SAFE_NO_PAD.encode(self.mac(&visit.nonce, scope).finalize().into_bytes())
    }

    /// Whether a posted field matches the visit's cookie for this scope (compared in
    /// constant time). A visit without a cookie never matches.
    pub fn verify(&self, visit: &CsrfVisit, scope: &str, field: &str) -> bool {
        let Ok(posted) = URL_SAFE_NO_PAD.decode(field) else {
            return false;
        };
        !visit.new_cookie && self.mac(&visit.nonce, scope).verify_slice(&posted).is_ok()
    }

    /// The `Set-Cookie` header a visit needs, if any.
    pub fn set_cookie(&self, visit: &CsrfVisit) -> Option<HeaderValue> {
        if !visit.new_cookie {
            return None;
        }
        let cookie = if self.secure {
            format!(
                "{}={}; Path=/; Secure; HttpOnly; SameSite=Strict",
                self.cookie_name(),
                visit.nonce
            )
        } else {
            format!(
                "{}={}; Path=/; HttpOnly; SameSite=Strict",
                self.cookie_name(),
                visit.nonce
            )
        };
        HeaderValue::from_str(&cookie).ok()
    }

    fn cookie(&self, headers: &HeaderMap) -> Option<String> {
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(name, _)| *name == self.cookie_name())
            .map(|(_, value)| value.to_owned())
            .filter(|value| URL_SAFE_NO_PAD.decode(value).is_ok_and(|b| b.len() == 32))
    }

    fn mac(&self, nonce: &str, scope: &str) -> HmacSha256 {
        let mut mac = HmacSha256::new_from_slice(&self.key).unwrap_or_else(|_| {
            // HMAC takes a key of any length; this cannot happen.
            unreachable!("HMAC key of any length")
        });
        mac.update(b"invitedesk-csrf\0");
        mac.update(nonce.as_bytes());
        mac.update(b"\0");
        mac.update(scope.as_bytes());
        mac
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_cookie(csrf: &Csrf, value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        let cookie = format!("{}={value}", csrf.cookie_name());
        headers.insert(header::COOKIE, HeaderValue::from_str(&cookie).unwrap());
        headers
    }

    #[test]
    fn a_field_matches_only_its_cookie_scope_and_server_key() {
        let csrf = Csrf::new(b"server key one".to_vec(), "http://127.0.0.1:8080");
        let nonce = random_token();
        let visit = csrf.visit(&with_cookie(&csrf, &nonce));
        let field = csrf.field(&visit, "invitation-a");
        assert!(csrf.verify(&visit, "invitation-a", &field));
        assert!(!csrf.verify(&visit, "invitation-b", &field));
        // The cookie's own value, as a naive double-submit would take it, is no field.
        assert!(!csrf.verify(&visit, "invitation-a", &nonce));
        let other_server = Csrf::new(b"server key two".to_vec(), "http://127.0.0.1:8080");
        let elsewhere = other_server.visit(&with_cookie(&other_server, &nonce));
        assert!(!other_server.verify(&elsewhere, "invitation-a", &field));
    }

    #[test]
    fn over_https_the_cookie_is_host_prefixed_and_secure() {
        let csrf = Csrf::new(b"k".to_vec(), "https://access.example.com");
        let cookie = csrf.set_cookie(&csrf.visit(&HeaderMap::new())).unwrap();
        let cookie = cookie.to_str().unwrap();
        assert!(cookie.starts_with("__Host-invite_csrf="), "{cookie}");
        assert!(
            cookie.contains("; Secure") && cookie.contains("; Path=/;"),
            "{cookie}"
        );
        assert!(!cookie.contains("Domain"), "{cookie}");
    }
}

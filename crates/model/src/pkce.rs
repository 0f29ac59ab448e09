//! PKCE (RFC 7636), S256 only: the rule that the desktop's verifier and the server's check
//! must agree on, written once.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};

/// The OAuth client the desktop app is registered as: public (no secret), loopback redirect.
pub const DESKTOP_CLIENT_ID: &str = "invitedesk-desktop";
/// The path of its loopback redirect URI; the port is whatever it listens on.
pub const DESKTOP_REDIRECT_PATH: &str = "/callback";

/// BASE64URL(SHA256(verifier)).
pub fn challenge_of(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// A verifier as §4.1 allows: 43 to 128 unreserved characters.
pub fn is_valid_verifier(verifier: &str) -> bool {
    (43..=128).contains(&verifier.len())
        && verifier
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
}

/// Whether `verifier` answers `challenge`, compared whole (never stopping at a difference).
pub fn verifier_matches(verifier: &str, challenge: &str) -> bool {
    let computed = challenge_of(verifier);
    is_valid_verifier(verifier)
        && computed.len() == challenge.len()
        && computed
            .bytes()
            .zip(challenge.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rfc_7636_example_matches() {
        // Appendix B of RFC 7636.
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        assert_eq!(
            challenge_of(verifier),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        assert!(verifier_matches(
            verifier,
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        ));
        assert!(!verifier_matches(
            verifier,
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cN"
        ));
        assert!(!verifier_matches("short", &challenge_of("short")));
    }
}

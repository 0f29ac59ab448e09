//! The second factor: TOTP (RFC 6238: SHA-1, 6 digits, 30-second steps, one step of skew
//! either way, as every authenticator app reads an `otpauth://` URI) through `totp-rs`, its
//! QR code as inline SVG through `qrcode`, and one-time recovery codes. No storage here.

use qrcode::render::svg;
use qrcode::QrCode;
use rand::{Rng, RngCore};
use totp_rs::{Algorithm, Secret, TOTP};

use crate::error::{Error, Result};

const STEP_SECS: u64 = 30;
const DIGITS: usize = 6;
const ISSUER: &str = "InviteDesk";
pub const RECOVERY_CODES: usize = 10;

/// 160 random bits, the length RFC 4226 recommends.
pub fn new_secret() -> Vec<u8> {
    let mut secret = vec![0u8; 20];
    rand::rngs::OsRng.fill_bytes(&mut secret);
    secret
}

/// The secret as an authenticator app takes it typed in: base32, no padding.
pub fn secret_text(secret: &[u8]) -> String {
    match Secret::Raw(secret.to_vec()).to_encoded() {
        Secret::Encoded(text) => text,
        Secret::Raw(_) => unreachable!("to_encoded answers Encoded"),
    }
}

/// The `otpauth://` URI the QR code carries.
pub fn otpauth_uri(secret: &[u8], email: &str) -> String {
    let label: String =
        url::form_urlencoded::byte_serialize(format!("{ISSUER}:{email}").as_bytes()).collect();
    format!(
        "otpauth://totp/{label}?secret={}&issuer={ISSUER}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECS}",
        secret_text(secret)
    )
}

/// The QR code of `uri` as an SVG element, drawn without script or style.
pub fn qr_svg(uri: &str) -> Result<String> {
    let code = QrCode::new(uri.as_bytes()).map_err(|e| Error::Internal(format!("QR code: {e}")))?;
    Ok(code
        .render::<svg::Color>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build())
}

fn totp(secret: &[u8]) -> Result<TOTP> {
    TOTP::new(Algorithm::SHA1, DIGITS, 0, STEP_SECS, secret.to_vec())
        .map_err(|e| Error::Internal(format!("TOTP: {e}")))
}

/// The 30-second step whose code `code` is (this one, or one either side), if any: the
/// caller refuses a step already used, so a code cannot be replayed.
pub fn matching_step(secret: &[u8], code: &str, unix_secs: u64) -> Result<Option<u64>> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != DIGITS || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(None);
    }
    let totp = totp(secret)?;
    let now = unix_secs / STEP_SECS;
    Ok([now.saturating_sub(1), now, now + 1]
        .into_iter()
        .find(|step| constant_time_eq(&totp.generate(step * STEP_SECS), &code)))
}

/// The code for `unix_secs`: what an authenticator shows (for tests and the enrolment check).
pub fn code_at(secret: &[u8], unix_secs: u64) -> Result<String> {
    Ok(totp(secret)?.generate(unix_secs))
}

fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Ten codes of ten characters from an alphabet without look-alikes, grouped for reading.
pub fn recovery_codes() -> Vec<String> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut rng = rand::rngs::OsRng;
    (0..RECOVERY_CODES)
        .map(|_| {
            let raw: String = (0..10)
                .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
                .collect();
            format!("{}-{}", &raw[..5], &raw[5..])
        })
        .collect()
}

/// A recovery code as typed: case, spaces and dashes do not matter.
pub fn normalized_recovery_code(code: &str) -> String {
    code.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rfc_6238_sha1_vector_matches() {
        // RFC 6238 appendix B, SHA-1, T = 59: 94287082 (8 digits); its last 6 are ours.
        let secret = b"12345678901234567890";
        assert_eq!(code_at(secret, 59).unwrap(), "287082");
        assert_eq!(matching_step(secret, "287082", 59).unwrap(), Some(1));
        assert_eq!(
            matching_step(secret, "287082", 59 + 30).unwrap(),
            Some(1),
            "one step late"
        );
        assert_eq!(
            matching_step(secret, "287082", 59 + 90).unwrap(),
            None,
            "too late"
        );
        assert_eq!(matching_step(secret, "28708", 59).unwrap(), None);
    }

    #[test]
    fn the_uri_names_the_issuer_and_the_account() {
        let uri = otpauth_uri(&[0; 20], "ada@example.com");
        assert!(uri.starts_with("otpauth://totp/InviteDesk%3Aada%40example.com?secret=AAAAAAAA"));
        assert!(
            qr_svg(&uri).unwrap().starts_with("<?xml") || qr_svg(&uri).unwrap().contains("<svg")
        );
    }

    #[test]
    fn recovery_codes_are_distinct_and_typed_loosely() {
        let codes = recovery_codes();
        let distinct: std::collections::HashSet<_> = codes.iter().collect();
        assert_eq!(distinct.len(), RECOVERY_CODES);
        assert_eq!(normalized_recovery_code(" AbCdE-fGhJk "), "abcdefghjk");
    }
}

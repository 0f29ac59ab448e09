//! Values the server hands to a browser and must find unchanged when they come back (the
//! sign-in pages' progress from one step to the next): the value, its expiry and an HMAC over
//! both and a scope, under a key kept in the database so every instance opens what another
//! sealed. Sealed, not secret: nothing confidential goes in.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

pub struct Sealer {
    key: Vec<u8>,
}

impl Sealer {
    pub fn new(key: Vec<u8>) -> Self {
        Self { key }
    }

    fn mac(&self, scope: &str, body: &str) -> HmacSha256 {
        let mut mac = HmacSha256::new_from_slice(&self.key).expect("HMAC takes any key length");
        mac.update(scope.as_bytes());
        mac.update(b"\n");
        mac.update(body.as_bytes());
        mac
    }

    /// `value` (which must hold no `.`), valid until `expires` (Unix seconds), for `scope`.
    pub fn seal(&self, scope: &str, value: &str, expires: i64) -> String {
        let body = format!("{}.{expires}", URL_SAFE_NO_PAD.encode(value));
        let tag = URL_SAFE_NO_PAD.encode(self.mac(scope, &body).finalize().into_bytes());
        format!("{body}.{tag}")
    }

    /// The value, if `sealed` was made by `seal` for `scope` and has not expired at `now`.
    pub fn open(&self, scope: &str, sealed: &str, now: i64) -> Option<String> {
        let (body, tag) = sealed.rsplit_once('.')?;
        let tag = URL_SAFE_NO_PAD.decode(tag).ok()?;
        self.mac(scope, body).verify_slice(&tag).ok()?;
        let (value, expires) = body.split_once('.')?;
        if expires.parse::<i64>().ok()? <= now {
            return None;
        }
        String::from_utf8(URL_SAFE_NO_PAD.decode(value).ok()?).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_value_opens_only_unchanged_in_its_scope_and_time() {
        let sealer = Sealer::new(vec![7; 32]);
        let sealed = sealer.seal("sign-in", "account 1", 100);
        assert_eq!(
            sealer.open("sign-in", &sealed, 99).as_deref(),
            Some("account 1")
        );
        assert_eq!(sealer.open("sign-in", &sealed, 100), None, "expired");
        assert_eq!(sealer.open("reset", &sealed, 99), None, "another scope");
        let forged = sealed.replacen(
            &URL_SAFE_NO_PAD.encode("account 1"),
            &URL_SAFE_NO_PAD.encode("account 2"),
            1,
        );
        assert_eq!(sealer.open("sign-in", &forged, 99), None, "changed");
        assert_eq!(
            Sealer::new(vec![8; 32]).open("sign-in", &sealed, 99),
            None,
            "another key"
        );
    }
}

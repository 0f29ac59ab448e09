//! Which API addresses a profile may use. Parsed as a URL, never matched as text: `https`
//! anywhere; plain `http` only to this computer (a loopback IP, or exactly `localhost`), so
//! that no secret crosses a network in the clear; never with a user name or password in it
//! (`http://127.0.0.1@evil.example` is evil.example), nor a query or fragment.

use invitedesk_model::{FieldError, Rule};
use url::{Host, Url};

const FIELD: &str = "baseUrl";

/// The address in its normal form (no trailing slash), or why it may not be used.
pub fn check_base_url(text: &str) -> Result<String, FieldError> {
    let refuse = |message: &str| Err(FieldError::new(FIELD, Rule::Unknown, message));
    let Ok(url) = Url::parse(text.trim()) else {
        return refuse("The API address must be a URL like https://api.example.com");
    };
    if !url.username().is_empty() || url.password().is_some() {
        return refuse("The API address must not hold a user name or password");
    }
    if url.query().is_some() || url.fragment().is_some() {
        return refuse("The API address must not hold a query (?…) or a fragment (#…)");
    }
    let this_computer = match url.host() {
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        Some(Host::Domain(name)) => name == "localhost",
        None => return refuse("The API address must name a server"),
    };
    match url.scheme() {
        "https" => {}
        "http" if this_computer => {}
        "http" => {
            return refuse(
                "The API address must start with https:// (plain http only on this computer)",
            )
        }
        _ => return refuse("The API address must start with https://"),
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_is_only_for_this_computer() {
        for good in [
            "https://api.example.com",
            "https://api.example.com/v1/",
            "http://127.0.0.1:8080",
            "http://127.5.6.7",
            "http://localhost:3000/",
            "http://[::1]:8080",
        ] {
            assert!(check_base_url(good).is_ok(), "{good}");
        }
        for bad in [
            "http://localhost.evil.example",
            "http://127.0.0.1.evil.example",
            "http://127.0.0.1@evil.example",
            "https://user:pass@api.example.com",
            "http://localhost@evil.example:8080",
            "http://api.example.com",
            "http://[::1].evil.example",
            "ftp://api.example.com",
            "https://api.example.com/?next=http://x",
            "file:///etc/passwd",
            "not a url",
            "",
        ] {
            let error = check_base_url(bad).expect_err(bad);
            assert_eq!(error.field, "baseUrl", "{bad}");
        }
    }

    #[test]
    fn the_address_comes_back_in_its_normal_form() {
        assert_eq!(
            check_base_url(" HTTPS://API.Example.COM/ ").unwrap(),
            "https://api.example.com"
        );
        assert_eq!(
            check_base_url("http://localhost:8080/").unwrap(),
            "http://localhost:8080"
        );
    }
}

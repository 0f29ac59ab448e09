//! The headers every server-rendered page carries, as one layer: a strict CSP (no script at
//! all), no framing, no sniffing, no referrer (the invite token is in the URL) and no caching.

use axum::http::{header, HeaderValue};
use axum::response::Response;

const CSP: &str = "default-src 'none'; style-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The policy for a page whose forms may also lead to `origin` (after a redirect).
pub fn csp_with_form_target(origin: &str) -> String {
    CSP.replace(
        "form-action 'self'",
        &format!("form-action 'self' {origin}"),
    )
}

pub async fn for_pages(mut response: Response) -> Response {
    let headers = response.headers_mut();
    // A page may widen only where its forms may lead (the sign-in page's loopback redirect).
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        );
    }
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

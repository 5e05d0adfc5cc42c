//! The console's session cookie and its checks against cross-site requests.

use axum::http::{header, HeaderMap, HeaderValue};
use civique_api::staff::{limits, StaffMember};

/// An open session: its cookie's token, who it is, and the token its forms carry.
pub struct Session {
    pub token: String,
    pub member: StaffMember,
    pub csrf: String,
}

/// The session cookie: `HttpOnly` (no script reads it), `SameSite=Strict` (no other site's
/// page sends it), `Secure` over HTTPS, for the console's paths only.
pub struct Cookie;

const NAME: &str = "civique_console";

impl Cookie {
    /// The session token the request's cookie carries.
    pub fn token(headers: &HeaderMap) -> Option<String> {
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(name, _)| *name == NAME)
            .map(|(_, token)| token.to_owned())
            .filter(|token| !token.is_empty() && token.bytes().all(|b| b.is_ascii_hexdigit()))
    }

    /// The header that opens a session with `token`.
    pub fn open(
        token: &str,
        secure: bool,
    ) -> Result<HeaderValue, axum::http::header::InvalidHeaderValue> {
        HeaderValue::from_str(&format!(
            "{NAME}={token}; Path=/console; Max-Age={}; HttpOnly; SameSite=Strict{}",
            u64::from(limits::SESSION_HOURS) * 3600,
            if secure { "; Secure" } else { "" }
        ))
    }

    /// The header that removes the cookie.
    pub fn cleared() -> HeaderValue {
        HeaderValue::from_static(
            "civique_console=; Path=/console; Max-Age=0; HttpOnly; SameSite=Strict",
        )
    }
}

/// The address of the endpoint as the browser reached it, for links and code given to
/// others (an invitation, a widget's embedding code).
pub fn base_url(headers: &HeaderMap) -> String {
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let scheme = if over_https(headers) { "https" } else { "http" };
    format!("{scheme}://{host}")
}

/// Whether the request came over HTTPS, to the endpoint or to the proxy in front of it.
pub fn over_https(headers: &HeaderMap) -> bool {
    let said = |name: &str, https: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.to_ascii_lowercase().starts_with(https))
    };
    said("x-forwarded-proto", "https") || said("origin", "https://")
}

/// Whether a form was sent from the console's own pages: a browser names the page's origin,
/// whose host must be the one asked. (A request without `Origin` comes from no browser
/// page; the CSRF token still guards it.)
pub fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN) else {
        return true;
    };
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    let origin_host = origin
        .to_str()
        .ok()
        .and_then(|o| o.split_once("://"))
        .map(|(_, host)| host);
    matches!((origin_host, host), (Some(a), Some(b)) if a.eq_ignore_ascii_case(b))
}

/// Whether two secrets are equal, in a time that does not depend on where they differ.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && !a.is_empty()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |diff, (x, y)| diff | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn the_cookie_is_found_among_others_and_must_be_hex() {
        let h = headers(&[("cookie", "a=1; civique_console=00ff; b=2")]);
        assert_eq!(Cookie::token(&h).as_deref(), Some("00ff"));
        assert_eq!(
            Cookie::token(&headers(&[("cookie", "civique_console=<x>")])),
            None
        );
        assert_eq!(Cookie::token(&HeaderMap::new()), None);
        let open = Cookie::open("00ff", true).unwrap();
        let open = open.to_str().unwrap();
        for part in ["HttpOnly", "SameSite=Strict", "Secure", "Path=/console"] {
            assert!(open.contains(part), "{open}");
        }
        assert!(!Cookie::open("00ff", false)
            .unwrap()
            .to_str()
            .unwrap()
            .contains("Secure"));
    }

    #[test]
    fn only_the_consoles_own_origin_passes() {
        let ok = headers(&[
            ("origin", "https://civique.town.fr"),
            ("host", "civique.town.fr"),
        ]);
        assert!(same_origin(&ok));
        let other = headers(&[
            ("origin", "https://evil.example"),
            ("host", "civique.town.fr"),
        ]);
        assert!(!same_origin(&other));
        assert!(!same_origin(&headers(&[
            ("origin", "null"),
            ("host", "civique.town.fr")
        ])));
        assert!(same_origin(&headers(&[("host", "civique.town.fr")])));
        assert!(over_https(&headers(&[("x-forwarded-proto", "https")])));
        assert!(!over_https(&headers(&[(
            "origin",
            "http://127.0.0.1:8787"
        )])));
        assert!(same_secret("abc", "abc") && !same_secret("abc", "abd") && !same_secret("", ""));
    }
}

//! The request a script builds: `new Request(url, init)` and the header
//! list the browser puts on the wire.

use serde::{Deserialize, Serialize};

use super::browser::{Quirks, WireOrder};
use crate::headers;

/// A request's mode (`RequestInit.mode`).
///
/// <https://fetch.spec.whatwg.org/#concept-request-mode>
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    /// `cors`, the default for `fetch()`: cross-origin responses need the
    /// server's permission.
    #[default]
    Cors,
    /// `no-cors`: cross-origin responses are opaque; only safelisted
    /// methods and headers may be used.
    NoCors,
    /// `same-origin`: a cross-origin URL is a network error.
    SameOrigin,
}

/// A request's credentials mode (`RequestInit.credentials`).
///
/// <https://fetch.spec.whatwg.org/#concept-request-credentials-mode>
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Credentials {
    /// `omit`: never send or store cookies.
    Omit,
    /// `same-origin`, the default: cookies only for same-origin URLs.
    #[default]
    SameOrigin,
    /// `include`: cookies everywhere; the server must answer with its exact
    /// origin and `Access-Control-Allow-Credentials: true`.
    Include,
}

impl Credentials {
    /// Whether the mode is `include`, the only one the CORS checks look at.
    pub fn is_include(self) -> bool {
        self == Credentials::Include
    }
}

/// Why `fetch()` threw before anything was sent (a `TypeError` in the page).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Thrown {
    /// The method is not a token.
    BadMethod,
    /// `CONNECT`, `TRACE` or `TRACK`.
    ForbiddenMethod,
    /// A method other than `GET`, `HEAD`, `POST` in `no-cors` mode.
    NoCorsMethod,
    /// A body on a `GET` or `HEAD`.
    BodyWithGetOrHead,
    /// A header name that is not a token or a value with NUL, CR or LF.
    BadHeader,
}

/// A request as `new Request()` leaves it: method normalized, headers
/// validated and filtered by the headers guard.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ScriptRequest {
    /// The normalized method (`delete` → `DELETE`, `patch` stays).
    pub(crate) method: String,
    /// The script's headers that survived the guard, values trimmed, in
    /// the order set.
    pub(crate) headers: Vec<(String, String)>,
    /// Whether the request has a body.
    pub(crate) has_body: bool,
}

/// HTTP whitespace: <https://fetch.spec.whatwg.org/#http-whitespace>.
fn is_http_whitespace(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | ' ')
}

/// <https://fetch.spec.whatwg.org/#no-cors-safelisted-request-header-name>
fn is_no_cors_safelisted_name(name: &str) -> bool {
    [
        "accept",
        "accept-language",
        "content-language",
        "content-type",
    ]
    .iter()
    .any(|n| name.eq_ignore_ascii_case(n))
}

/// <https://fetch.spec.whatwg.org/#dom-request>: the steps of the `Request`
/// constructor that can throw or drop headers.
pub(crate) fn construct(
    method: &str,
    script_headers: &[(String, String)],
    mode: super::Mode,
    has_body: bool,
    quirks: &Quirks,
) -> Result<ScriptRequest, Thrown> {
    // Request constructor, step 25: method must be a method (a token) and
    // not forbidden; then normalized.
    if !headers::is_token(method.as_bytes()) {
        return Err(Thrown::BadMethod);
    }
    if headers::is_forbidden_method(method) {
        return Err(Thrown::ForbiddenMethod);
    }
    let method = headers::normalize_method(method).into_owned();
    // Step 30: no-cors requires a CORS-safelisted method.
    if mode == Mode::NoCors && !headers::is_cors_safelisted_method(&method) {
        return Err(Thrown::NoCorsMethod);
    }
    // Step 35: a body with GET or HEAD throws.
    if has_body && (method == "GET" || method == "HEAD") {
        return Err(Thrown::BodyWithGetOrHead);
    }
    // Step 32-33: fill the headers with guard "request" or
    // "request-no-cors" (Headers: append).
    let mut out: Vec<(String, String)> = Vec::with_capacity(script_headers.len());
    for (name, value) in script_headers {
        // Append, step 1: normalize the value.
        let value = value.trim_matches(is_http_whitespace);
        // Append, step 2: name must be a header name, value a header value.
        if !headers::is_token(name.as_bytes())
            || value.bytes().any(|b| matches!(b, 0 | b'\n' | b'\r'))
        {
            return Err(Thrown::BadHeader);
        }
        // Headers "validate", step 3: guard "request" and a forbidden
        // request-header: return (silently dropped).
        if headers::is_forbidden_request_header(name, value.as_bytes()) {
            continue;
        }
        // Chromium: `User-Agent` is forbidden too (crbug 571722).
        if quirks.user_agent_forbidden && name.eq_ignore_ascii_case("user-agent") {
            continue;
        }
        // Append, step 3: guard "request-no-cors" keeps only no-CORS-
        // safelisted request-headers.
        if mode == Mode::NoCors
            && !(is_no_cors_safelisted_name(name)
                && headers::is_cors_safelisted_request_header(name, value.as_bytes()))
        {
            continue;
        }
        out.push((name.clone(), value.to_owned()));
    }
    Ok(ScriptRequest {
        method,
        headers: out,
        has_body,
    })
}

/// Duplicate names combined with `, ` into the first occurrence (keeping
/// its name's case), in order of first occurrence.
pub(crate) fn combine(headers: &[(String, String)]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::with_capacity(headers.len());
    for (name, value) in headers {
        match out.iter_mut().find(|(n, _)| n.eq_ignore_ascii_case(name)) {
            Some((_, v)) => {
                v.push_str(", ");
                v.push_str(value);
            }
            None => out.push((name.clone(), value.clone())),
        }
    }
    out
}

/// <https://fetch.spec.whatwg.org/#cors-unsafe-request-header-names> of
/// the request's headers, as the browser computes them.
pub(crate) fn unsafe_names(headers: &[(String, String)], quirks: &Quirks) -> Vec<String> {
    if headers.is_empty() {
        return Vec::new();
    }
    if quirks.combine_request_headers {
        // Chromium: Blink combines duplicates before the network service
        // applies the safelist to each (combined) value.
        let combined = combine(headers);
        headers::cors_unsafe_request_header_names(
            combined.iter().map(|(n, v)| (n.as_str(), v.as_bytes())),
        )
    } else {
        headers::cors_unsafe_request_header_names(
            headers.iter().map(|(n, v)| (n.as_str(), v.as_bytes())),
        )
    }
}

/// The CORS-relevant headers of an actual request as they go on the wire:
/// the script's headers, `Accept` and `Origin`, in the browser's order.
pub(crate) fn wire_headers(
    headers: &[(String, String)],
    origin: Option<&str>,
    quirks: &Quirks,
) -> Vec<(String, String)> {
    let mut combined = combine(headers);
    let has_accept = combined
        .iter()
        .any(|(n, _)| n.eq_ignore_ascii_case("accept"));
    let mut out = Vec::with_capacity(combined.len() + 2);
    match quirks.wire {
        WireOrder::Chromium => {
            // Blink's FetchHeaderList is ordered by name, case-insensitively;
            // `Accept: */*` is added after the script's headers when absent.
            combined.sort_by(|a, b| {
                a.0.bytes()
                    .map(|c| c.to_ascii_lowercase())
                    .cmp(b.0.bytes().map(|c| c.to_ascii_lowercase()))
            });
            out.extend(combined);
            if !has_accept {
                out.push(("Accept".to_owned(), "*/*".to_owned()));
            }
        }
        WireOrder::Firefox => {
            // Firefox: the default `Accept` slot comes first (the script's
            // value replaces it in place), then the script's headers.
            if let Some(i) = combined
                .iter()
                .position(|(n, _)| n.eq_ignore_ascii_case("accept"))
            {
                out.push(combined.remove(i));
            } else {
                out.push(("Accept".to_owned(), "*/*".to_owned()));
            }
            out.extend(combined);
        }
    }
    if let Some(origin) = origin {
        out.push(("Origin".to_owned(), origin.to_owned()));
    }
    out
}

/// <https://fetch.spec.whatwg.org/#cors-preflight-fetch-0>, steps 1-4: the
/// preflight's headers (`Accept`, `Access-Control-Request-Method`,
/// `Access-Control-Request-Headers` when there are unsafe names, `Origin`).
pub(crate) fn preflight_headers(
    method: &str,
    unsafe_names: &[String],
    origin: &str,
) -> Vec<(String, String)> {
    let mut out = Vec::with_capacity(4);
    // Step 2: `Accept: */*`.
    out.push(("Accept".to_owned(), "*/*".to_owned()));
    // Step 3: `Access-Control-Request-Method`: the request's method.
    out.push((
        "Access-Control-Request-Method".to_owned(),
        method.to_owned(),
    ));
    // Step 4-5: the CORS-unsafe names joined with `,` (not combined: no
    // space).
    if !unsafe_names.is_empty() {
        out.push((
            "Access-Control-Request-Headers".to_owned(),
            unsafe_names.join(","),
        ));
    }
    out.push(("Origin".to_owned(), origin.to_owned()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fetch::Browser;

    fn h(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn forbidden_method_throws_and_methods_normalize() {
        let q = Browser::Chrome.quirks();
        assert_eq!(
            construct("TRACE", &[], Mode::Cors, false, q),
            Err(Thrown::ForbiddenMethod)
        );
        assert_eq!(
            construct("bad method", &[], Mode::Cors, false, q),
            Err(Thrown::BadMethod)
        );
        assert_eq!(
            construct("delete", &[], Mode::Cors, false, q)
                .unwrap()
                .method,
            "DELETE"
        );
        assert_eq!(
            construct("patch", &[], Mode::Cors, false, q)
                .unwrap()
                .method,
            "patch"
        );
        assert_eq!(
            construct("PUT", &[], Mode::NoCors, false, q),
            Err(Thrown::NoCorsMethod)
        );
        assert_eq!(
            construct("GET", &[], Mode::Cors, true, q),
            Err(Thrown::BodyWithGetOrHead)
        );
    }

    #[test]
    fn user_agent_is_dropped_by_chrome_only() {
        let hs = h(&[("User-Agent", "bot"), ("Cookie", "a=b")]);
        let c = construct("GET", &hs, Mode::Cors, false, Browser::Chrome.quirks()).unwrap();
        assert!(c.headers.is_empty());
        let f = construct("GET", &hs, Mode::Cors, false, Browser::Firefox.quirks()).unwrap();
        assert_eq!(f.headers, h(&[("User-Agent", "bot")]));
    }

    #[test]
    fn no_cors_guard_keeps_only_safelisted() {
        let hs = h(&[
            ("X-A", "1"),
            ("Content-Type", "application/json"),
            ("Accept", "x"),
        ]);
        let r = construct("GET", &hs, Mode::NoCors, false, Browser::Chrome.quirks()).unwrap();
        assert_eq!(r.headers, h(&[("Accept", "x")]));
    }

    #[test]
    fn chrome_wire_order_sorts_script_headers_then_accept_then_origin() {
        let hs = h(&[("X-B", "2"), ("Content-Type", "a/b"), ("x-b", "3")]);
        let w = wire_headers(&hs, Some("http://a"), Browser::Chrome.quirks());
        assert_eq!(
            w,
            h(&[
                ("Content-Type", "a/b"),
                ("X-B", "2, 3"),
                ("Accept", "*/*"),
                ("Origin", "http://a")
            ])
        );
    }

    #[test]
    fn preflight_headers_join_without_space() {
        let p = preflight_headers("PUT", &["a".into(), "b".into()], "null");
        assert_eq!(
            p[2],
            ("Access-Control-Request-Headers".into(), "a,b".into())
        );
        assert_eq!(p[3], ("Origin".into(), "null".into()));
    }
}

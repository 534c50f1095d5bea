//! The request a script makes: `fetch(url, init)` as data, and the steps
//! of the `Request` constructor that can throw or drop headers.
//!
//! <https://fetch.spec.whatwg.org/#dom-request>

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use super::browser::Quirks;
use super::failure::TypeError;
use crate::headers;
use crate::headers::eq_ci;

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

/// A request's redirect mode (`RequestInit.redirect`).
///
/// <https://fetch.spec.whatwg.org/#concept-request-redirect-mode>
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RedirectMode {
    /// `follow`, the default: redirects are followed (up to 20).
    #[default]
    Follow,
    /// `error`: a redirect is a network error.
    Error,
    /// `manual`: the redirect is returned as an opaque-redirect response.
    Manual,
}

/// What the script passes as `body`, as far as the browser's headers care.
///
/// <https://fetch.spec.whatwg.org/#concept-bodyinit-extract>
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Body {
    /// A string: `Content-Type: text/plain;charset=UTF-8` unless the script
    /// set one. `len` is its length in bytes (UTF-8).
    Text {
        /// Length in bytes.
        len: u64,
    },
    /// `URLSearchParams`: `Content-Type:
    /// application/x-www-form-urlencoded;charset=UTF-8` unless the script
    /// set one.
    UrlSearchParams {
        /// Length in bytes.
        len: u64,
    },
    /// An `ArrayBuffer`, a typed array or a `Blob` without a type: no
    /// `Content-Type` of its own.
    Bytes {
        /// Length in bytes.
        len: u64,
    },
}

impl Body {
    /// A string body.
    pub fn text(s: &str) -> Body {
        Body::Text {
            len: s.len() as u64,
        }
    }

    /// The body's length in bytes.
    pub fn len(&self) -> u64 {
        match self {
            Body::Text { len } | Body::UrlSearchParams { len } | Body::Bytes { len } => *len,
        }
    }

    /// Whether the body is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Extract a body, step "type": the `Content-Type` the body brings.
    fn content_type(&self) -> Option<&'static str> {
        match self {
            Body::Text { .. } => Some("text/plain;charset=UTF-8"),
            Body::UrlSearchParams { .. } => Some("application/x-www-form-urlencoded;charset=UTF-8"),
            Body::Bytes { .. } => None,
        }
    }
}

/// A `fetch()` call: what the script wrote, before the browser looks at it.
///
/// Built with [`Request::new`] and the builder methods; each later call of
/// a setter overrides the earlier one, except [`Request::header`], which
/// appends (as `Headers.append` does).
///
/// ```
/// use corsica::fetch::{Body, Credentials, Request};
///
/// let request = Request::new("PUT", "https://api.example/items/1")
///     .header("Content-Type", "application/json")
///     .body(Body::text("{}"))
///     .credentials(Credentials::Include);
/// assert_eq!(request.method(), "PUT");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    method: String,
    url: String,
    /// The URL parsed once with its origin, when it is absolute (a relative
    /// one is resolved against the page when the fetch starts).
    absolute: Option<Absolute>,
    headers: Vec<(String, String)>,
    body: Option<Body>,
    mode: Mode,
    credentials: Credentials,
    redirect: RedirectMode,
}

impl Request {
    /// `fetch(url, {method})`: the method as the script writes it (`patch`
    /// stays `patch`), the URL as written (resolved against the page's URL
    /// when the fetch starts).
    pub fn new(method: impl Into<String>, url: impl Into<String>) -> Request {
        Request::with_parsed_url(method.into(), url.into(), None)
    }

    /// [`Request::new`], for a caller that may have parsed `url` already
    /// (the simulator, whose request URLs are nearly always one of its
    /// routes'): `parsed` is `url::Url::parse(&url)` when it did, else the
    /// URL is parsed here.
    pub(crate) fn with_parsed_url(
        method: String,
        url: String,
        parsed: Option<url::Url>,
    ) -> Request {
        debug_assert!(parsed.is_none() || parsed == url::Url::parse(&url).ok());
        let parsed = parsed.or_else(|| url::Url::parse(&url).ok());
        let absolute = parsed.map(|url| Absolute {
            origin: crate::origin::Origin::of_parsed(&url),
            host: super::wire::host_header(&url),
            url,
        });
        Request {
            method,
            url,
            absolute,
            headers: Vec::new(),
            body: None,
            mode: Mode::Cors,
            credentials: Credentials::SameOrigin,
            redirect: RedirectMode::Follow,
        }
    }

    /// `fetch(url)`: a `GET`.
    pub fn get(url: impl Into<String>) -> Request {
        Request::new("GET", url)
    }

    /// Appends a header the script sets.
    #[must_use]
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Request {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Replaces every header the script sets.
    #[must_use]
    pub fn headers(mut self, headers: Vec<(String, String)>) -> Request {
        self.headers = headers;
        self
    }

    /// The body.
    #[must_use]
    pub fn body(mut self, body: Body) -> Request {
        self.body = Some(body);
        self
    }

    /// The mode (default `cors`).
    #[must_use]
    pub fn mode(mut self, mode: Mode) -> Request {
        self.mode = mode;
        self
    }

    /// The credentials mode (default `same-origin`).
    #[must_use]
    pub fn credentials(mut self, credentials: Credentials) -> Request {
        self.credentials = credentials;
        self
    }

    /// The redirect mode (default `follow`).
    #[must_use]
    pub fn redirect(mut self, redirect: RedirectMode) -> Request {
        self.redirect = redirect;
        self
    }

    /// The method as written.
    pub fn method(&self) -> &str {
        &self.method
    }

    /// The URL as written.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The URL parsed, its origin and `Host`, when it is absolute.
    pub(crate) fn absolute(&self) -> Option<&Absolute> {
        self.absolute.as_ref()
    }

    /// The headers as set, in order.
    pub fn header_list(&self) -> &[(String, String)] {
        &self.headers
    }

    /// The body, if any.
    pub fn body_kind(&self) -> Option<&Body> {
        self.body.as_ref()
    }

    /// The mode.
    pub fn request_mode(&self) -> Mode {
        self.mode
    }

    /// The credentials mode.
    pub fn credentials_mode(&self) -> Credentials {
        self.credentials
    }

    /// The redirect mode.
    pub fn redirect_mode(&self) -> RedirectMode {
        self.redirect
    }
}

/// An absolute request URL, parsed once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Absolute {
    pub(crate) url: url::Url,
    pub(crate) origin: crate::origin::Origin,
    pub(crate) host: bytes::Bytes,
}

/// A request header: name as the script wrote it, value (one character per
/// byte), borrowed from the [`Request`] until a combination changes it.
pub(crate) type Hdr<'a> = (&'a str, Cow<'a, str>);

/// A request as `new Request()` leaves it: method normalized, headers
/// validated and filtered by the headers guard.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Constructed<'a> {
    /// The normalized method (`delete` → `DELETE`, `patch` stays).
    pub(crate) method: Cow<'a, str>,
    /// The script's headers that survived the guard, values trimmed, in
    /// the order set; a body's `Content-Type` appended.
    pub(crate) headers: Vec<Hdr<'a>>,
}

/// HTTP whitespace: <https://fetch.spec.whatwg.org/#http-whitespace>.
fn is_http_whitespace(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | ' ')
}

/// <https://fetch.spec.whatwg.org/#dom-request>: the steps of the `Request`
/// constructor that can throw or drop headers.
pub(crate) fn construct<'a>(
    request: &'a Request,
    quirks: &Quirks,
) -> Result<Constructed<'a>, TypeError> {
    let method = request.method.as_str();
    // Request constructor, step 25: method must be a method (a token) and
    // not forbidden; then normalized.
    if !headers::is_token(method.as_bytes()) {
        return Err(TypeError::InvalidMethod);
    }
    if headers::is_forbidden_method(method) {
        return Err(TypeError::ForbiddenMethod);
    }
    let method = headers::normalize_method(method);
    // Step 30: no-cors requires a CORS-safelisted method.
    if request.mode == Mode::NoCors && !headers::is_cors_safelisted_method(&method) {
        return Err(TypeError::NoCorsMethod);
    }
    // Step 35: a body with GET or HEAD throws.
    if request.body.is_some() && (method == "GET" || method == "HEAD") {
        return Err(TypeError::BodyWithGetOrHead);
    }
    // Step 32-33: fill the headers with guard "request" or
    // "request-no-cors" (Headers: append).
    let mut out: Vec<Hdr<'a>> =
        Vec::with_capacity(request.headers.len() + usize::from(request.body.is_some()));
    for (name, value) in &request.headers {
        // Append, step 1: normalize the value.
        let value = value.trim_matches(is_http_whitespace);
        // Append, step 2: name must be a header name, value a header value
        // (WebIDL: a ByteString, so nothing beyond U+00FF).
        if !headers::is_token(name.as_bytes())
            || value.bytes().any(|b| matches!(b, b'\0' | b'\n' | b'\r'))
            || (!value.is_ascii() && value.chars().any(|c| c > '\u{ff}'))
        {
            return Err(TypeError::InvalidHeader);
        }
        let bytes = value_bytes(value);
        // Headers "validate", step 3: guard "request" and a forbidden
        // request-header: return (silently dropped).
        if headers::is_forbidden_request_header(name, &bytes) {
            continue;
        }
        // Chromium: `User-Agent` is forbidden too (crbug 571722).
        if quirks.request.user_agent_forbidden && eq_ci(name, "user-agent") {
            continue;
        }
        // Append, step 3: guard "request-no-cors" keeps only no-CORS-
        // safelisted request-headers.
        if request.mode == Mode::NoCors
            && !headers::is_no_cors_safelisted_request_header(name, &bytes)
        {
            continue;
        }
        out.push((name.as_str(), Cow::Borrowed(value)));
    }
    // Step 36-37 (extract a body): the body's type, unless the script set
    // a `Content-Type`.
    if let Some(ct) = request.body.as_ref().and_then(Body::content_type)
        && !out.iter().any(|(n, _)| eq_ci(n, "content-type"))
    {
        out.push(("Content-Type", Cow::Borrowed(ct)));
    }
    Ok(Constructed {
        method,
        headers: out,
    })
}

/// What the browser makes of a script's request before sending it: the
/// method as normalized and the CORS-unsafe header names (lowercase,
/// sorted), or the `TypeError` `fetch()` throws.
pub(crate) fn script_facts(
    request: &Request,
    quirks: &Quirks,
) -> Result<(String, Vec<String>), TypeError> {
    let constructed = construct(request, quirks)?;
    let names = unsafe_names(&constructed.headers, quirks);
    Ok((constructed.method.into_owned(), names))
}

/// Up to this many headers, duplicates are found by comparing every pair;
/// beyond, through a hash map, so a script with thousands of headers costs
/// linear time.
const SMALL: usize = 16;

/// Duplicate names combined with `, ` into the first occurrence (keeping
/// its name's case), in order of first occurrence.
pub(crate) fn combine<'a>(headers: &[Hdr<'a>]) -> Vec<Hdr<'a>> {
    let mut out: Vec<Hdr<'a>> = Vec::with_capacity(headers.len());
    let mut index: HashMap<String, usize> = HashMap::new();
    for (name, value) in headers {
        let at = if headers.len() <= SMALL {
            out.iter().position(|(n, _)| eq_ci(n, name))
        } else {
            let key = name.to_ascii_lowercase();
            match index.get(&key) {
                Some(&i) => Some(i),
                None => {
                    index.insert(key, out.len());
                    None
                }
            }
        };
        match at {
            Some(i) => {
                let v = out[i].1.to_mut();
                v.push_str(", ");
                v.push_str(value);
            }
            None => out.push((name, value.clone())),
        }
    }
    out
}

/// Whether two headers share a name.
fn has_duplicates(headers: &[Hdr<'_>]) -> bool {
    if headers.len() <= SMALL {
        return headers
            .iter()
            .enumerate()
            .any(|(i, (n, _))| headers[..i].iter().any(|(m, _)| eq_ci(m, n)));
    }
    let mut seen = HashSet::with_capacity(headers.len());
    !headers
        .iter()
        .all(|(n, _)| seen.insert(n.to_ascii_lowercase()))
}

/// <https://fetch.spec.whatwg.org/#cors-unsafe-request-header-names> of
/// the request's headers, as the browser computes them.
pub(crate) fn unsafe_names(headers: &[Hdr<'_>], quirks: &Quirks) -> Vec<String> {
    if headers.is_empty() {
        return Vec::new();
    }
    let mut names = unsafe_names_of(headers, quirks);
    if quirks.request.range_unit_case_sensitive
        && headers
            .iter()
            .any(|(n, v)| eq_ci(n, "range") && !v.starts_with("bytes"))
        && !names.iter().any(|n| n == "range")
    {
        names.push("range".to_owned());
        names.sort_unstable();
    }
    names
}

/// A header value's bytes: borrowed when it is ASCII (the common case).
fn value_bytes(v: &str) -> Cow<'_, [u8]> {
    if v.is_ascii() {
        Cow::Borrowed(v.as_bytes())
    } else {
        Cow::Owned(headers::wire_bytes(v))
    }
}

fn unsafe_names_of(headers: &[Hdr<'_>], quirks: &Quirks) -> Vec<String> {
    if !quirks.request.unsafe_names_spec_set {
        // Observed in Firefox ESR 153: each header checked alone, no
        // 1024-byte total, duplicates kept (`x-custom,x-custom`).
        let mut names: Vec<String> = headers
            .iter()
            .filter(|(n, v)| !headers::is_cors_safelisted_request_header(n, &value_bytes(v)))
            .map(|(n, _)| n.to_ascii_lowercase())
            .collect();
        names.sort_unstable();
        return names;
    }
    if quirks.request.combine_duplicates && has_duplicates(headers) {
        // Chromium: Blink combines duplicates before the network service
        // applies the safelist to each (combined) value.
        let combined = combine(headers);
        headers::cors_unsafe_names_of(combined.iter().map(|(n, v)| (*n, value_bytes(v))))
    } else {
        headers::cors_unsafe_names_of(headers.iter().map(|(n, v)| (*n, value_bytes(v))))
    }
}

/// Chromium's order of a request's headers: Blink's header map (see
/// `header_map`) over the script's headers (their names; duplicates
/// combined) and the `User-Agent` (`None` in the list). Fixed when the request is
/// made: a redirect only removes entries (`net::HttpRequestHeaders` keeps
/// its order; observed in Chromium 156 on a fresh random holdout, where
/// the header named in a preflight error after a redirect that dropped
/// `Authorization` was the first in the original order).
pub(crate) fn header_map_order<'a>(headers: &[Hdr<'a>]) -> Vec<Option<&'a str>> {
    let mut order = Vec::with_capacity(headers.len() + 1);
    // The names `combine` keeps: each name as first set, in that order
    // (on the stack for a request of a few headers, as nearly all are).
    if headers.len() <= SMALL {
        let mut buf = [""; SMALL];
        let mut len = 0;
        for (name, _) in headers {
            if !buf[..len].iter().any(|n| eq_ci(n, name)) {
                buf[len] = name;
                len += 1;
            }
        }
        let names = &buf[..len];
        super::header_map::visit_order(names, true, |i| order.push(names.get(i).copied()));
    } else {
        let mut names: Vec<&'a str> = Vec::with_capacity(headers.len());
        let mut seen = HashSet::with_capacity(headers.len());
        for (name, _) in headers {
            if seen.insert(name.to_ascii_lowercase()) {
                names.push(name);
            }
        }
        super::header_map::visit_order(&names, true, |i| order.push(names.get(i).copied()));
    }
    order
}

/// WebCore's `HTTPHeaderMap` order of a request's headers (WebKit, so
/// Safari too): the names WebCore knows first, then the others, each group
/// in the order set, each name once in its first spelling. WebCore's
/// `validateCrossOriginHeaders` walks the headers in this order.
pub(crate) fn webkit_map_order<'a>(headers: &[Hdr<'a>]) -> Vec<Option<&'a str>> {
    let combined = combine(headers);
    let known = combined
        .iter()
        .filter(|(n, _)| super::header_names::webcore(n).is_some());
    let other = combined
        .iter()
        .filter(|(n, _)| super::header_names::webcore(n).is_none());
    known.chain(other).map(|(n, _)| Some(*n)).collect()
}

/// How WebKit's header map holds the header `lowercase` of `headers`:
/// WebCore's spelling for a name it knows (`accept` → `Accept`), the
/// script's first spelling otherwise.
pub(crate) fn webkit_held_name(headers: &[Hdr<'_>], lowercase: &str) -> String {
    if let Some(known) = super::header_names::webcore(lowercase) {
        return known.to_owned();
    }
    headers
        .iter()
        .find(|(n, _)| eq_ci(n, lowercase))
        .map_or_else(|| lowercase.to_owned(), |(n, _)| (*n).to_owned())
}

/// `unsafe_names` in the order `map_order` gives: the order in which the
/// network service's `PreflightResult::EnsureAllowedCrossOriginHeaders`
/// walks them and reports the first one the preflight did not allow
/// (observed in Chromium 156 on random holdout cases: `accept` and
/// `accept-language` both missing, the error names `accept-language`).
/// Names the map does not hold stay at the end, sorted.
pub(crate) fn in_map_order(map_order: &[Option<&str>], unsafe_names: &[String]) -> Vec<String> {
    if map_order.len() <= SMALL && unsafe_names.len() <= SMALL {
        // The unsafe names are lowercase: a name of the map matches one
        // when they are equal ignoring ASCII case.
        let mut out: Vec<String> = Vec::with_capacity(unsafe_names.len());
        for n in map_order.iter().flatten() {
            if let Some(u) = unsafe_names.iter().find(|u| eq_ci(u, n)) {
                out.push(u.clone());
            }
        }
        let placed = out.len();
        for n in unsafe_names {
            if !out[..placed].contains(n) {
                out.push(n.clone());
            }
        }
        return out;
    }
    let wanted: HashSet<&str> = unsafe_names.iter().map(String::as_str).collect();
    let mut out: Vec<String> = map_order
        .iter()
        .flatten()
        .map(|n| n.to_ascii_lowercase())
        .filter(|n| wanted.contains(n.as_str()))
        .collect();
    let placed: HashSet<String> = out.iter().cloned().collect();
    for n in unsafe_names {
        if !placed.contains(n) {
            out.push(n.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fetch::Browser;

    fn req(method: &str, hs: &[(&str, &str)]) -> Request {
        let mut r = Request::new(method, "http://api.test/");
        for (n, v) in hs {
            r = r.header(*n, *v);
        }
        r
    }

    fn b<'a>(hs: &'a [(&'a str, &'a str)]) -> Vec<Hdr<'a>> {
        hs.iter().map(|(n, v)| (*n, Cow::Borrowed(*v))).collect()
    }

    #[test]
    fn forbidden_method_throws_and_methods_normalize() {
        let q = Browser::Chrome.quirks();
        assert_eq!(
            construct(&req("TRACE", &[]), q),
            Err(TypeError::ForbiddenMethod)
        );
        assert_eq!(
            construct(&req("bad method", &[]), q),
            Err(TypeError::InvalidMethod)
        );
        assert_eq!(construct(&req("delete", &[]), q).unwrap().method, "DELETE");
        assert_eq!(construct(&req("patch", &[]), q).unwrap().method, "patch");
        assert_eq!(
            construct(&req("PUT", &[]).mode(Mode::NoCors), q),
            Err(TypeError::NoCorsMethod)
        );
        assert_eq!(
            construct(&req("GET", &[]).body(Body::text("x")), q),
            Err(TypeError::BodyWithGetOrHead)
        );
    }

    #[test]
    fn header_values_are_byte_strings() {
        let q = Browser::Chrome.quirks();
        assert!(construct(&req("GET", &[("X-A", "caf\u{e9}")]), q).is_ok());
        assert_eq!(
            construct(&req("GET", &[("X-A", "\u{2192}")]), q),
            Err(TypeError::InvalidHeader)
        );
        assert_eq!(
            construct(&req("GET", &[("X-A", "a\nb")]), q),
            Err(TypeError::InvalidHeader)
        );
    }

    #[test]
    fn user_agent_is_dropped_by_chrome_only() {
        let r = req("GET", &[("User-Agent", "bot"), ("Cookie", "a=b")]);
        let c = construct(&r, Browser::Chrome.quirks()).unwrap();
        assert!(c.headers.is_empty());
        let f = construct(&r, Browser::Firefox.quirks()).unwrap();
        assert_eq!(f.headers, b(&[("User-Agent", "bot")]));
    }

    #[test]
    fn no_cors_guard_keeps_only_safelisted() {
        let r = req(
            "GET",
            &[
                ("X-A", "1"),
                ("Content-Type", "application/json"),
                ("Accept", "x"),
            ],
        )
        .mode(Mode::NoCors);
        let c = construct(&r, Browser::Chrome.quirks()).unwrap();
        assert_eq!(c.headers, b(&[("Accept", "x")]));
    }

    #[test]
    fn bodies_bring_their_content_type() {
        let q = Browser::Chrome.quirks();
        let text = req("POST", &[]).body(Body::text("x"));
        let c = construct(&text, q).unwrap();
        assert_eq!(
            c.headers,
            b(&[("Content-Type", "text/plain;charset=UTF-8")])
        );
        let bytes = req("POST", &[]).body(Body::Bytes { len: 3 });
        let c = construct(&bytes, q).unwrap();
        assert!(c.headers.is_empty());
        let r = req("POST", &[("content-type", "a/b")]).body(Body::UrlSearchParams { len: 1 });
        let c = construct(&r, q).unwrap();
        assert_eq!(c.headers, b(&[("content-type", "a/b")]));
    }

    #[test]
    fn unsafe_names_per_browser() {
        let hs = [("X-A", "1"), ("x-a", "2"), ("Range", "BYTES=0-")];
        assert_eq!(
            unsafe_names(&b(&hs), Browser::Chrome.quirks()),
            ["range", "x-a"]
        );
        assert_eq!(
            unsafe_names(&b(&hs), Browser::Firefox.quirks()),
            ["range", "x-a", "x-a"]
        );
        assert_eq!(unsafe_names(&b(&hs), Browser::Spec.quirks()), ["x-a"]);
    }

    #[test]
    fn header_map_order_is_the_same_for_few_lines_and_many() {
        let names: Vec<String> = (0..10).map(|i| format!("X-N{i}")).collect();
        let few: Vec<Hdr<'_>> = names
            .iter()
            .map(|n| (n.as_str(), Cow::Borrowed("v")))
            .collect();
        // The same names, each set twice (the second time in another
        // case): more lines than the stack path takes, the same map.
        let upper: Vec<String> = names.iter().map(|n| n.to_uppercase()).collect();
        let many: Vec<Hdr<'_>> = few
            .iter()
            .cloned()
            .chain(upper.iter().map(|n| (n.as_str(), Cow::Borrowed("w"))))
            .collect();
        assert!(many.len() > SMALL);
        let order = header_map_order(&few);
        assert_eq!(order.len(), 11);
        assert_eq!(header_map_order(&many), order);
    }

    #[test]
    fn many_headers_combine_in_linear_time_with_the_same_result() {
        let names: Vec<String> = (0..5000).map(|i| format!("X-H{}", i % 2500)).collect();
        let hs: Vec<Hdr<'_>> = names
            .iter()
            .map(|n| (n.as_str(), Cow::Borrowed("v")))
            .collect();
        let c = combine(&hs);
        assert_eq!(c.len(), 2500);
        assert_eq!(c[0], ("X-H0", Cow::Borrowed("v, v")));
        assert!(has_duplicates(&hs));
        assert!(!has_duplicates(&hs[..2500]));
    }
}

//! The request a script builds: `new Request(url, init)` and the header
//! list the browser puts on the wire.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use super::browser::{Quirks, WireOrder};
use super::case::WireHeader;
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

/// A request header: name and value, borrowed from the case until a
/// combination or a redirect changes them.
pub(crate) type Hdr<'a> = (&'a str, Cow<'a, str>);

/// A request as `new Request()` leaves it: method normalized, headers
/// validated and filtered by the headers guard.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ScriptRequest<'a> {
    /// The normalized method (`delete` → `DELETE`, `patch` stays).
    pub(crate) method: Cow<'a, str>,
    /// The script's headers that survived the guard, values trimmed, in
    /// the order set.
    pub(crate) headers: Vec<Hdr<'a>>,
    /// Whether the request has a body.
    pub(crate) has_body: bool,
}

/// HTTP whitespace: <https://fetch.spec.whatwg.org/#http-whitespace>.
fn is_http_whitespace(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | ' ')
}

/// <https://fetch.spec.whatwg.org/#dom-request>: the steps of the `Request`
/// constructor that can throw or drop headers.
pub(crate) fn construct<'a>(
    method: &'a str,
    script_headers: &'a [(String, String)],
    mode: super::Mode,
    has_body: bool,
    quirks: &Quirks,
) -> Result<ScriptRequest<'a>, Thrown> {
    // Request constructor, step 25: method must be a method (a token) and
    // not forbidden; then normalized.
    if !headers::is_token(method.as_bytes()) {
        return Err(Thrown::BadMethod);
    }
    if headers::is_forbidden_method(method) {
        return Err(Thrown::ForbiddenMethod);
    }
    let method = headers::normalize_method(method);
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
    let mut out: Vec<Hdr<'a>> = Vec::with_capacity(script_headers.len() + 1);
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
            && !(headers::is_no_cors_safelisted_request_header_name(name)
                && headers::is_cors_safelisted_request_header(name, value.as_bytes()))
        {
            continue;
        }
        out.push((name.as_str(), Cow::Borrowed(value)));
    }
    // Step 36-37 (extract a body): a string body without a script-set
    // `Content-Type` gets `text/plain;charset=UTF-8`.
    if has_body
        && !out
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case("content-type"))
    {
        out.push(("Content-Type", Cow::Borrowed("text/plain;charset=UTF-8")));
    }
    Ok(ScriptRequest {
        method,
        headers: out,
        has_body,
    })
}

/// Duplicate names combined with `, ` into the first occurrence (keeping
/// its name's case), in order of first occurrence.
pub(crate) fn combine<'a>(headers: &[Hdr<'a>]) -> Vec<Hdr<'a>> {
    let mut out: Vec<Hdr<'a>> = Vec::with_capacity(headers.len());
    for (name, value) in headers {
        match out.iter_mut().find(|(n, _)| n.eq_ignore_ascii_case(name)) {
            Some((_, v)) => {
                let v = v.to_mut();
                v.push_str(", ");
                v.push_str(value);
            }
            None => out.push((name, value.clone())),
        }
    }
    out
}

/// <https://fetch.spec.whatwg.org/#cors-unsafe-request-header-names> of
/// the request's headers, as the browser computes them.
pub(crate) fn unsafe_names(headers: &[Hdr<'_>], quirks: &Quirks) -> Vec<String> {
    if headers.is_empty() {
        return Vec::new();
    }
    let mut names = unsafe_names_of(headers, quirks);
    if quirks.range_unit_case_sensitive
        && headers
            .iter()
            .any(|(n, v)| n.eq_ignore_ascii_case("range") && !v.starts_with("bytes"))
        && !names.iter().any(|n| n == "range")
    {
        names.push("range".to_owned());
        names.sort_unstable();
    }
    names
}

/// `unsafe_names` in Chromium's header map order (see `header_map`):
/// the order of `net::HttpRequestHeaders`, in which the network service's
/// `PreflightResult::EnsureAllowedCrossOriginHeaders` walks the unsafe
/// names and reports the first one the preflight did not allow (observed
/// in Chromium 156 on random holdout cases: `accept` and `accept-language`
/// both missing, the error names `accept-language`). Names the headers do
/// not carry stay at the end, sorted.
pub(crate) fn in_header_map_order(headers: &[Hdr<'_>], unsafe_names: &[String]) -> Vec<String> {
    let combined = combine(headers);
    let names: Vec<&str> = combined.iter().map(|(n, _)| *n).collect();
    let mut out: Vec<String> = super::header_map::order(&names)
        .into_iter()
        .map(|i| names[i].to_ascii_lowercase())
        .filter(|n| unsafe_names.contains(n))
        .collect();
    for n in unsafe_names {
        if !out.contains(n) {
            out.push(n.clone());
        }
    }
    out
}

fn unsafe_names_of(headers: &[Hdr<'_>], quirks: &Quirks) -> Vec<String> {
    if !quirks.unsafe_names_spec_set {
        // Observed in Firefox ESR 153: each header checked alone, no
        // 1024-byte total, duplicates kept (`x-custom,x-custom`).
        let mut names: Vec<String> = headers
            .iter()
            .filter(|(n, v)| !headers::is_cors_safelisted_request_header(n, v.as_bytes()))
            .map(|(n, _)| n.to_ascii_lowercase())
            .collect();
        names.sort_unstable();
        return names;
    }
    let has_duplicates = headers
        .iter()
        .enumerate()
        .any(|(i, (n, _))| headers[..i].iter().any(|(m, _)| m.eq_ignore_ascii_case(n)));
    if quirks.combine_request_headers && has_duplicates {
        // Chromium: Blink combines duplicates before the network service
        // applies the safelist to each (combined) value.
        let combined = combine(headers);
        headers::cors_unsafe_request_header_names(combined.iter().map(|(n, v)| (*n, v.as_bytes())))
    } else {
        headers::cors_unsafe_request_header_names(headers.iter().map(|(n, v)| (*n, v.as_bytes())))
    }
}

/// What the wire needs besides the request's own headers.
#[derive(Clone, Copy, Debug)]
pub(crate) struct WireContext<'a> {
    /// Every header name the script set (lowercased), kept or dropped: the
    /// browser's own headers of these names show in `sent`.
    pub(crate) named: &'a [String],
    /// `Host`: the URL's host and explicit port.
    pub(crate) host: &'a str,
    /// `Referer`: the page's origin and `/` (strict-origin-when-cross-origin).
    pub(crate) referrer: &'a str,
    /// The body's length, if there is a body.
    pub(crate) body_len: Option<usize>,
    /// Whether this request follows a redirect.
    pub(crate) redirected: bool,
    /// The request's method (normalized) on this hop.
    pub(crate) method: &'a str,
    /// Chromium: the length of a complete entity with a validator that the
    /// HTTP cache holds for this URL (see `http_cache`).
    pub(crate) cached_len: Option<u64>,
}

impl WireContext<'_> {
    fn named(&self, name: &str) -> bool {
        self.named.iter().any(|n| n == name)
    }
}

fn push(out: &mut Vec<WireHeader>, name: &'static str, value: &str) {
    out.push((Cow::Borrowed(name), Cow::Owned(value.to_owned())));
}

fn push_static(out: &mut Vec<WireHeader>, name: &'static str, value: &'static str) {
    out.push((Cow::Borrowed(name), Cow::Borrowed(value)));
}

fn owned((name, value): (String, String)) -> WireHeader {
    (Cow::Owned(name), Cow::Owned(value))
}

/// Chromium moves a `Range` it can parse to after `Origin` and
/// re-serializes it (`BYTES =1-2` → `bytes=1-2`), as observed in Chromium
/// 156 (net's single `HttpByteRange`); `None` when it cannot parse it (the
/// header then stays where the script put it, as written).
fn chromium_range(value: &str) -> Option<String> {
    let parse = || -> Option<String> {
        let (unit, spec) = value.split_once('=')?;
        if !unit.trim().eq_ignore_ascii_case("bytes") {
            return None;
        }
        let (first, last) = spec.split_once('-')?;
        let (first, last) = (first.trim(), last.trim());
        let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if (first.is_empty() && last.is_empty()) || !digits(first) || !digits(last) {
            return None;
        }
        if let (Ok(a), Ok(b)) = (first.parse::<u64>(), last.parse::<u64>())
            && a > b
        {
            return None;
        }
        Some(format!("bytes={first}-{last}"))
    };
    parse()
}

/// net `HttpByteRange::ComputeBounds` over a cached entity of `len` bytes:
/// `bytes=a-b` becomes `bytes=a-min(b, len - 1)`, an open end becomes
/// `len - 1`, a suffix `-n` the last `n` bytes. A range the entity cannot
/// satisfy is left as it is (not observed).
fn clamp_range(range: &str, len: u64) -> String {
    let clamp = || -> Option<String> {
        let (first, last) = range.strip_prefix("bytes=")?.split_once('-')?;
        let end = len.checked_sub(1)?;
        let (a, b) = if first.is_empty() {
            let n: u64 = last.parse().ok()?;
            (len.saturating_sub(n), end)
        } else {
            let a: u64 = first.parse().ok()?;
            let b = if last.is_empty() {
                end
            } else {
                last.parse::<u64>().ok()?.min(end)
            };
            (a, b)
        };
        (a <= b).then(|| format!("bytes={a}-{b}"))
    };
    clamp().unwrap_or_else(|| range.to_owned())
}

/// The CORS-relevant headers of an actual request as they go on the wire
/// (the script's headers, `Accept`, `Origin`, and the browser's own headers
/// the script named), in the browser's order.
pub(crate) fn wire_headers(
    headers: &[Hdr<'_>],
    origin: Option<&str>,
    quirks: &Quirks,
    ctx: &WireContext<'_>,
) -> Vec<WireHeader> {
    let mut script = combine(headers);
    if quirks.duplicate_header_replaces {
        // Firefox: a later `Content-Type` replaces the earlier one.
        if let Some((n, v)) = headers
            .iter()
            .rev()
            .find(|(n, _)| n.eq_ignore_ascii_case("content-type"))
        {
            for h in script
                .iter_mut()
                .filter(|(sn, _)| sn.eq_ignore_ascii_case(n))
            {
                h.1.clone_from(v);
            }
        }
    }
    if quirks.header_map_order && script.len() > 1 {
        // Blink's header map order (see `header_map`).
        let names: Vec<&str> = script.iter().map(|(n, _)| *n).collect();
        let order = super::header_map::order(&names);
        let mut slots: Vec<Option<Hdr<'_>>> = script.into_iter().map(Some).collect();
        script = order.into_iter().filter_map(|i| slots[i].take()).collect();
    }
    let mut script: Vec<(String, String)> = script
        .into_iter()
        .map(|(n, v)| (n.to_owned(), v.into_owned()))
        .collect();
    // The body's default `Content-Type` shows only if the script named one.
    if !ctx.named("content-type") {
        script.retain(|(n, _)| !n.eq_ignore_ascii_case("content-type"));
    }
    let take = |script: &mut Vec<(String, String)>, name: &str| {
        script
            .iter()
            .position(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|i| script.remove(i))
    };
    let d = quirks.wire_defaults;
    let mut out = Vec::with_capacity(script.len() + 3);
    if ctx.named("host") {
        push(&mut out, "Host", ctx.host);
    }
    match quirks.wire {
        WireOrder::Chromium => {
            if ctx.named("connection") {
                push_static(&mut out, "Connection", "keep-alive");
            }
            if let (true, Some(len)) = (ctx.named("content-length"), ctx.body_len) {
                push(&mut out, "Content-Length", &len.to_string());
            }
            let ua = take(&mut script, "user-agent");
            if ctx.named("user-agent") {
                out.push(ua.map_or_else(
                    || (Cow::Borrowed("User-Agent"), Cow::Borrowed(d.user_agent)),
                    owned,
                ));
            }
            // Chromium's HTTP cache (`HttpCache::Transaction::SetRequest`)
            // takes a parsable `Range` off a GET and adds it back, re-
            // serialized, when it builds the network request: it then comes
            // after `Origin`. On any other method the cache passes the
            // headers through (observed in Chromium 156 on random holdout
            // cases: a POST's `Range: bytes=10-` stays in the header map
            // order).
            let range = script
                .iter()
                .position(|(n, v)| {
                    ctx.method == "GET"
                        && n.eq_ignore_ascii_case("range")
                        && chromium_range(v).is_some()
                })
                .map(|i| script.remove(i));
            let has_accept = script.iter().any(|(n, _)| n.eq_ignore_ascii_case("accept"));
            let has_accept_language = script
                .iter()
                .any(|(n, _)| n.eq_ignore_ascii_case("accept-language"));
            out.extend(script.into_iter().map(owned));
            if !has_accept {
                push_static(&mut out, "Accept", "*/*");
            }
            if let Some(origin) = origin {
                push(&mut out, "Origin", origin);
            }
            if let Some((name, value)) = range {
                let value = chromium_range(&value)
                    .map(|v| match ctx.cached_len {
                        Some(len) => clamp_range(&v, len),
                        None => v,
                    })
                    .unwrap_or(value);
                out.push(owned((name, value)));
            }
            if ctx.named("referer") {
                push(&mut out, "Referer", ctx.referrer);
            }
            if ctx.named("accept-encoding") {
                push_static(&mut out, "Accept-Encoding", d.accept_encoding);
            }
            if !has_accept_language && ctx.named("accept-language") {
                push_static(&mut out, "Accept-Language", d.accept_language);
            }
        }
        WireOrder::Firefox => {
            // The default slots, the script's value replacing the default.
            for (name, default) in [
                ("User-Agent", d.user_agent),
                ("Accept", "*/*"),
                ("Accept-Language", d.accept_language),
                ("Accept-Encoding", d.accept_encoding),
            ] {
                match take(&mut script, name) {
                    Some((_, v)) => out.push((Cow::Borrowed(name), Cow::Owned(v))),
                    None if name == "Accept" || ctx.named(&name.to_ascii_lowercase()) => {
                        push_static(&mut out, name, default)
                    }
                    None => {}
                }
            }
            // Observed in Firefox ESR 153: on the channel that follows a
            // redirect, `Origin` comes before the script's headers.
            // (The body's `Content-Type` travels with the upload stream and
            // stays ahead of it; without a body, a script's `Content-Type`
            // is an ordinary header and comes after `Origin`, observed on
            // random holdout cases.)
            let (early, late) = if ctx.redirected {
                (origin, None)
            } else {
                (None, origin)
            };
            if early.is_some()
                && ctx.body_len.is_some()
                && let Some(ct) = take(&mut script, "content-type")
            {
                out.push(owned(ct));
            }
            if let Some(origin) = early {
                push(&mut out, "Origin", origin);
            }
            out.extend(script.into_iter().map(owned));
            if ctx.named("referer") {
                push(&mut out, "Referer", ctx.referrer);
            }
            if let Some(origin) = late {
                push(&mut out, "Origin", origin);
            }
            if ctx.named("connection") {
                push_static(&mut out, "Connection", "keep-alive");
            }
        }
    }
    out
}

/// <https://fetch.spec.whatwg.org/#cors-preflight-fetch-0>, steps 1-4: the
/// preflight's headers (`Accept`, `Access-Control-Request-Method`,
/// `Access-Control-Request-Headers` when there are unsafe names, `Origin`),
/// with the browser's own headers the script named.
pub(crate) fn preflight_headers(
    method: &str,
    unsafe_names: &[String],
    origin: &str,
    quirks: &Quirks,
    ctx: &WireContext<'_>,
) -> Vec<WireHeader> {
    let d = quirks.wire_defaults;
    let mut out = Vec::with_capacity(4);
    if ctx.named("host") {
        push(&mut out, "Host", ctx.host);
    }
    if quirks.wire == WireOrder::Chromium && ctx.named("connection") {
        push_static(&mut out, "Connection", "keep-alive");
    }
    if quirks.wire == WireOrder::Firefox && ctx.named("user-agent") {
        push_static(&mut out, "User-Agent", d.user_agent);
    }
    // Step 2: `Accept: */*`.
    push_static(&mut out, "Accept", "*/*");
    if quirks.wire == WireOrder::Firefox {
        if ctx.named("accept-language") {
            push_static(&mut out, "Accept-Language", d.accept_language);
        }
        if ctx.named("accept-encoding") {
            push_static(&mut out, "Accept-Encoding", d.accept_encoding);
        }
    }
    // Step 3: `Access-Control-Request-Method`: the request's method.
    push(&mut out, "Access-Control-Request-Method", method);
    // Step 4-5: the CORS-unsafe names joined with `,` (not combined: no
    // space).
    if !unsafe_names.is_empty() {
        out.push((
            Cow::Borrowed("Access-Control-Request-Headers"),
            Cow::Owned(unsafe_names.join(",")),
        ));
    }
    match quirks.wire {
        WireOrder::Chromium => {
            push(&mut out, "Origin", origin);
            if ctx.named("user-agent") {
                push_static(&mut out, "User-Agent", d.user_agent);
            }
            if ctx.named("referer") {
                push(&mut out, "Referer", ctx.referrer);
            }
            if ctx.named("accept-encoding") {
                push_static(&mut out, "Accept-Encoding", d.accept_encoding);
            }
            if ctx.named("accept-language") {
                push_static(&mut out, "Accept-Language", d.accept_language);
            }
        }
        WireOrder::Firefox => {
            if ctx.named("referer") {
                push(&mut out, "Referer", ctx.referrer);
            }
            push(&mut out, "Origin", origin);
            if ctx.named("connection") {
                push_static(&mut out, "Connection", "keep-alive");
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fetch::Browser;

    fn s(w: Vec<WireHeader>) -> Vec<(String, String)> {
        w.into_iter()
            .map(|(n, v)| (n.into_owned(), v.into_owned()))
            .collect()
    }

    fn b(hs: &[(String, String)]) -> Vec<Hdr<'_>> {
        hs.iter()
            .map(|(n, v)| (n.as_str(), Cow::Borrowed(v.as_str())))
            .collect()
    }

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
        assert_eq!(f.headers, b(&h(&[("User-Agent", "bot")])));
    }

    #[test]
    fn no_cors_guard_keeps_only_safelisted() {
        let hs = h(&[
            ("X-A", "1"),
            ("Content-Type", "application/json"),
            ("Accept", "x"),
        ]);
        let r = construct("GET", &hs, Mode::NoCors, false, Browser::Chrome.quirks()).unwrap();
        assert_eq!(r.headers, b(&h(&[("Accept", "x")])));
    }

    fn ctx(named: &[String]) -> WireContext<'_> {
        WireContext {
            named,
            host: "api.test:8002",
            referrer: "http://app.test:8001/",
            body_len: None,
            redirected: false,
            method: "GET",
            cached_len: None,
        }
    }

    #[test]
    fn cached_entity_clamps_range() {
        assert_eq!(clamp_range("bytes=0-99", 2), "bytes=0-1");
        assert_eq!(clamp_range("bytes=1-", 2), "bytes=1-1");
        assert_eq!(clamp_range("bytes=-5", 2), "bytes=0-1");
        assert_eq!(clamp_range("bytes=5-9", 2), "bytes=5-9");
        assert_eq!(clamp_range("bytes=0-0", 2), "bytes=0-0");
    }

    fn names(hs: &[(String, String)]) -> Vec<String> {
        hs.iter().map(|(n, _)| n.to_ascii_lowercase()).collect()
    }

    #[test]
    fn chrome_wire_order_is_header_map_order_then_accept_then_origin() {
        let hs = h(&[
            ("X-B", "2"),
            ("Content-Type", "a/b"),
            ("x-b", "3"),
            ("Accept-Language", "fr"),
        ]);
        let named = names(&hs);
        let w = s(wire_headers(
            &b(&hs),
            Some("http://a"),
            Browser::Chrome.quirks(),
            &ctx(&named),
        ));
        assert_eq!(
            w,
            h(&[
                ("Accept-Language", "fr"),
                ("Content-Type", "a/b"),
                ("X-B", "2, 3"),
                ("Accept", "*/*"),
                ("Origin", "http://a")
            ])
        );
    }

    #[test]
    fn firefox_wire_order_puts_accept_slots_first() {
        let hs = h(&[("X-B", "2"), ("ACCEPT", "x/y"), ("Accept-Language", "fr")]);
        let named = names(&hs);
        let w = s(wire_headers(
            &b(&hs),
            Some("http://a"),
            Browser::Firefox.quirks(),
            &ctx(&named),
        ));
        assert_eq!(
            w,
            h(&[
                ("Accept", "x/y"),
                ("Accept-Language", "fr"),
                ("X-B", "2"),
                ("Origin", "http://a")
            ])
        );
        let redirected = WireContext {
            redirected: true,
            ..ctx(&named)
        };
        let w = s(wire_headers(
            &b(&hs),
            Some("null"),
            Browser::Firefox.quirks(),
            &redirected,
        ));
        assert_eq!(w[2], ("Origin".to_owned(), "null".to_owned()));
    }

    #[test]
    fn browser_headers_show_when_named() {
        let named = vec!["user-agent".to_string(), "range".to_string()];
        let hs = h(&[("Range", "BYTES = 1-2")]);
        let w = s(wire_headers(
            &b(&hs),
            Some("o"),
            Browser::Chrome.quirks(),
            &ctx(&named),
        ));
        assert_eq!(w[0].0, "User-Agent");
        assert_eq!(
            w.last().unwrap(),
            &("Range".to_string(), "bytes=1-2".to_string())
        );
        // An unparsable range stays where the script put it, as written.
        let hs = h(&[("Range", "bytes=0-1,2-3")]);
        let w = s(wire_headers(
            &b(&hs),
            Some("o"),
            Browser::Chrome.quirks(),
            &ctx(&named),
        ));
        assert_eq!(w[1], ("Range".to_string(), "bytes=0-1,2-3".to_string()));
    }

    #[test]
    fn body_default_content_type_shows_only_when_named() {
        let r = construct("POST", &[], Mode::Cors, true, Browser::Chrome.quirks()).unwrap();
        assert_eq!(r.headers[0].1, "text/plain;charset=UTF-8");
        let w = s(wire_headers(
            &r.headers,
            Some("o"),
            Browser::Chrome.quirks(),
            &ctx(&[]),
        ));
        assert_eq!(w, h(&[("Accept", "*/*"), ("Origin", "o")]));
    }

    #[test]
    fn unsafe_names_per_browser() {
        let hs = h(&[("X-A", "1"), ("x-a", "2"), ("Range", "BYTES=0-")]);
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
    fn preflight_headers_join_without_space() {
        let p = s(preflight_headers(
            "PUT",
            &["a".into(), "b".into()],
            "null",
            Browser::Chrome.quirks(),
            &ctx(&[]),
        ));
        assert_eq!(
            p[2],
            ("Access-Control-Request-Headers".into(), "a,b".into())
        );
        assert_eq!(p[3], ("Origin".into(), "null".into()));
    }
}

//! The requests as they go on the wire: every header, its bytes, in the
//! browser's order.
//!
//! Observed in Chromium 156 and Firefox ESR 153 over HTTP/1.1 on `http:`
//! URLs: the conformance runner's server logs every header of every request
//! (`conformance/answers/wire.*.jsonl`), and the tests of this crate compare
//! these lists with it whole. Over `https:` both browsers add headers this
//! model does not send (`Sec-Fetch-*`, Chromium's client hints), since no
//! recording exists to place them.

use std::borrow::Cow;

use bytes::Bytes;

use super::browser::{ConditionalRequest, Quirks, WireOrder};
use super::request::{Hdr, combine};
use crate::headers;
use crate::headers::eq_ci;

/// A header as it goes on the wire: the name as the browser writes it, and
/// the value's bytes.
pub(crate) type WireHeader = (Cow<'static, str>, Bytes);

/// WebKit: where `Origin` sits among `Origin`, `Referer` and `Accept` on
/// the request, which depends on how the request got its `Origin`
/// (observed in WebKitGTK 2.50, `conformance/webkit-findings.md` §2.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum OriginSlot {
    /// `Origin`, `Referer`, `Accept`: a CORS request from the start (WebCore
    /// sets `Origin` when it makes the request).
    First,
    /// `Referer`, `Accept`, `Origin`: a same-origin or `no-cors` request
    /// (the network process adds `Origin` last).
    Last,
    /// `Accept`, `Origin`, `Referer`: after a redirect hop that changed the
    /// `Origin` (`RedirectQuirks::restores_first_headers`).
    AfterAccept,
}

/// What the wire needs besides the request's own headers.
#[derive(Clone, Debug)]
pub(crate) struct HopContext<'a> {
    /// `Host`: the URL's host and explicit port.
    pub(crate) host: &'a Bytes,
    /// Whether the URL is `https:`.
    pub(crate) secure: bool,
    /// `Referer`, if one is sent.
    pub(crate) referrer: Option<&'a Bytes>,
    /// The browser's `User-Agent`.
    pub(crate) user_agent: &'a Bytes,
    /// The browser's default `Accept-Language`.
    pub(crate) accept_language: &'a Bytes,
    /// The body's length, if there is a body.
    pub(crate) body_len: Option<u64>,
    /// Whether this request follows a redirect.
    pub(crate) redirected: bool,
    /// The request's method (normalized) on this hop.
    pub(crate) method: &'a str,
    /// Chromium: a complete entity with a validator that the HTTP cache
    /// holds for this URL (see `http_cache`).
    pub(crate) cached: Option<&'a super::http_cache::Entity>,
    /// The `Cookie` the browser attaches, if any.
    pub(crate) cookie: Option<Bytes>,
    /// Whether the script set a conditional header (`If-None-Match`, ...).
    pub(crate) conditional: bool,
    /// Whether the request is a CORS request (its `Origin` comes from the
    /// CORS protocol, not from the method).
    pub(crate) cors: bool,
    /// Chromium: the order of the script's headers and `User-Agent`, fixed
    /// when the request was made (see `request::header_map_order`).
    pub(crate) map_order: Option<&'a [Option<&'a str>]>,
    /// WebKit: where `Origin` goes.
    pub(crate) origin_slot: OriginSlot,
}

/// <https://fetch.spec.whatwg.org/#http-network-or-cache-fetch>, the
/// step on conditional headers: a request with one is not served from the
/// cache.
pub(crate) fn is_conditional(headers: &[Hdr<'_>]) -> bool {
    headers.iter().any(|(n, _)| {
        [
            "if-modified-since",
            "if-none-match",
            "if-unmodified-since",
            "if-match",
            "if-range",
        ]
        .iter()
        .any(|c| eq_ci(n, c))
    })
}

/// The cache headers a conditional request gets: where Chromium puts its
/// own (after `Connection`), and what the standard's "no-store" cache mode
/// appends at the end (Firefox).
fn conditional_early(quirks: &Quirks, ctx: &HopContext<'_>) -> Option<WireHeader> {
    (ctx.conditional && quirks.wire.conditional == ConditionalRequest::MaxAgeZero)
        .then(|| fixed("Cache-Control", "max-age=0"))
}

/// WebKit: the same two after `User-Agent` (request only).
fn conditional_after_user_agent(quirks: &Quirks, ctx: &HopContext<'_>) -> [Option<WireHeader>; 2] {
    if ctx.conditional && quirks.wire.conditional == ConditionalRequest::NoCacheAfterUserAgent {
        [
            Some(fixed("Pragma", "no-cache")),
            Some(fixed("Cache-Control", "no-cache")),
        ]
    } else {
        [None, None]
    }
}

fn conditional_late(quirks: &Quirks, ctx: &HopContext<'_>) -> [Option<WireHeader>; 2] {
    if ctx.conditional && quirks.wire.conditional == ConditionalRequest::NoCacheLast {
        [
            Some(fixed("Pragma", "no-cache")),
            Some(fixed("Cache-Control", "no-cache")),
        ]
    } else {
        [None, None]
    }
}

/// `Host`: the URL's host and its port unless it is the default.
pub(crate) fn host_header(url: &url::Url) -> Bytes {
    let host = url.host_str().unwrap_or_default();
    let mut value = String::with_capacity(host.len() + 6);
    value.push_str(host);
    if let Some(p) = url.port() {
        value.push(':');
        crate::origin::push_port(&mut value, p);
    }
    Bytes::from(value)
}

fn text(value: &str) -> Bytes {
    if value.is_ascii() {
        Bytes::copy_from_slice(value.as_bytes())
    } else {
        Bytes::from(headers::wire_bytes(value))
    }
}

fn owned(name: &str, value: &str) -> WireHeader {
    (Cow::Owned(name.to_owned()), text(value))
}

fn fixed(name: &'static str, value: &'static str) -> WireHeader {
    (Cow::Borrowed(name), Bytes::from_static(value.as_bytes()))
}

fn dynamic(name: &'static str, value: &str) -> WireHeader {
    (Cow::Borrowed(name), text(value))
}

/// The script's headers as the browser hands them on: duplicates combined
/// with `, ` (Firefox: a later `Content-Type` replaces the earlier one).
fn script_headers<'h>(headers: &[Hdr<'h>], quirks: &Quirks) -> Vec<Hdr<'h>> {
    let mut script = combine(headers);
    if quirks.wire.duplicate_content_type_replaces
        && let Some((_, last)) = headers.iter().rev().find(|(n, _)| eq_ci(n, "content-type"))
    {
        for h in script.iter_mut().filter(|(n, _)| eq_ci(n, "content-type")) {
            h.1.clone_from(last);
        }
    }
    script
}

fn take<'h>(script: &mut Vec<Hdr<'h>>, name: &str) -> Option<Hdr<'h>> {
    script
        .iter()
        .position(|(n, _)| eq_ci(n, name))
        .map(|i| script.remove(i))
}

/// The headers of an actual request, in the browser's order. `origin` is
/// the `Origin` value when one is sent.
pub(crate) fn request_headers(
    headers: &[Hdr<'_>],
    origin: Option<&Bytes>,
    quirks: &Quirks,
    ctx: &HopContext<'_>,
) -> Vec<WireHeader> {
    let mut script = script_headers(headers, quirks);
    let mut out: Vec<WireHeader> = Vec::with_capacity(script.len() + 10);
    out.push((Cow::Borrowed("Host"), ctx.host.clone()));
    // HTTP-network-or-cache fetch: a request with `Range` asks for the
    // bytes as stored (`Accept-Encoding: identity`), observed in both.
    let accept_encoding = if script.iter().any(|(n, _)| eq_ci(n, "range")) {
        "identity"
    } else if ctx.secure {
        quirks.wire.accept_encoding_https
    } else {
        quirks.wire.accept_encoding_http
    };
    // HTTP-network-or-cache fetch: the body's length, and `0` for a `POST`
    // or `PUT` without a body (observed in both).
    let body_length = ctx.body_len.map(|len| {
        (
            Cow::Borrowed("Content-Length"),
            Bytes::from(len.to_string()),
        )
    });
    let zero_length = (ctx.body_len.is_none() && matches!(ctx.method, "POST" | "PUT"))
        .then(|| fixed("Content-Length", "0"));
    if quirks.wire.order == WireOrder::Webkit {
        out.clear();
        webkit_request(
            script,
            origin,
            body_length,
            zero_length,
            quirks,
            ctx,
            &mut out,
        );
        return out;
    }
    match quirks.wire.order {
        WireOrder::Chromium => {
            out.push(fixed("Connection", "keep-alive"));
            out.extend(conditional_early(quirks, ctx));
            out.extend(body_length);
            out.extend(zero_length);
            // Chromium's HTTP cache (`HttpCache::Transaction::SetRequest`)
            // takes a parsable `Range` off a GET and adds it back, re-
            // serialized, when it builds the network request: it then goes
            // last. On any other method the cache passes the headers through
            // (observed in Chromium 156 on random holdout cases: a POST's
            // `Range: bytes=10-` stays in the header map order).
            let range = script
                .iter()
                .position(|(n, v)| {
                    ctx.method == "GET" && eq_ci(n, "range") && chromium_range(v).is_some()
                })
                .map(|i| script.remove(i));
            let has_accept = script.iter().any(|(n, _)| eq_ci(n, "accept"));
            let has_accept_language = script.iter().any(|(n, _)| eq_ci(n, "accept-language"));
            // Blink's header map holds the script's headers and the
            // `User-Agent`; the network stack sends them in its order.
            let user_agent = (Cow::Borrowed("User-Agent"), ctx.user_agent.clone());
            match ctx.map_order {
                Some(order) => {
                    for name in order {
                        let Some(name) = name else {
                            out.push(user_agent.clone());
                            continue;
                        };
                        if let Some((n, v)) = take(&mut script, name) {
                            out.push(owned(n, &v));
                        }
                    }
                    // Anything the order does not name (none in practice).
                    out.extend(script.into_iter().map(|(n, v)| owned(n, &v)));
                }
                None => {
                    // The standard: the user agent's own header first.
                    out.push(user_agent);
                    out.extend(script.into_iter().map(|(n, v)| owned(n, &v)));
                }
            }
            if !has_accept {
                out.push(fixed("Accept", "*/*"));
            }
            if let Some(origin) = origin {
                out.push((Cow::Borrowed("Origin"), origin.clone()));
            }
            if let Some(referrer) = ctx.referrer {
                out.push((Cow::Borrowed("Referer"), referrer.clone()));
            }
            out.push(fixed("Accept-Encoding", accept_encoding));
            if !has_accept_language {
                out.push((
                    Cow::Borrowed("Accept-Language"),
                    ctx.accept_language.clone(),
                ));
            }
            if let Some(cookie) = &ctx.cookie {
                out.push((Cow::Borrowed("Cookie"), cookie.clone()));
            }
            if let Some((name, value)) = range {
                let value = chromium_range(&value)
                    .map(|v| match ctx.cached {
                        Some(entity) => clamp_range(&v, entity.len),
                        None => v,
                    })
                    .unwrap_or_else(|| value.into_owned());
                out.push(owned(name, &value));
                if let Some(entity) = ctx.cached {
                    out.extend(entity.validators());
                }
            }
        }
        WireOrder::Firefox => {
            // The default slots, the script's value replacing the default.
            let ua = take(&mut script, "user-agent");
            out.push(match ua {
                Some((_, v)) => dynamic("User-Agent", &v),
                None => (Cow::Borrowed("User-Agent"), ctx.user_agent.clone()),
            });
            out.push(match take(&mut script, "accept") {
                Some((_, v)) => dynamic("Accept", &v),
                None => fixed("Accept", "*/*"),
            });
            out.push(match take(&mut script, "accept-language") {
                Some((_, v)) => dynamic("Accept-Language", &v),
                None => (
                    Cow::Borrowed("Accept-Language"),
                    ctx.accept_language.clone(),
                ),
            });
            out.push(fixed("Accept-Encoding", accept_encoding));
            let origin = origin.map(|o| (Cow::Borrowed("Origin"), o.clone()));
            let referrer = ctx.referrer.map(|r| (Cow::Borrowed("Referer"), r.clone()));
            if ctx.redirected {
                // Observed in Firefox ESR 153: on the channel that follows a
                // redirect, the upload stream's `Content-Type` and
                // `Content-Length` come first. A CORS request's `Origin` (set
                // by the CORS listener on the new channel) then comes before
                // the script's headers and `Referer` after them; a
                // same-origin `POST`'s `Origin` stays last. Without a body, a
                // script's `Content-Type` is an ordinary header (observed on
                // random holdout cases).
                if body_length.is_some()
                    && let Some((n, v)) = take(&mut script, "content-type")
                {
                    out.push(owned(n, &v));
                }
                out.extend(body_length);
                if ctx.cors {
                    out.extend(origin);
                    out.extend(script.into_iter().map(|(n, v)| owned(n, &v)));
                    out.extend(referrer);
                } else {
                    out.extend(script.into_iter().map(|(n, v)| owned(n, &v)));
                    out.extend(referrer);
                    out.extend(origin);
                }
            } else {
                out.extend(referrer);
                out.extend(script.into_iter().map(|(n, v)| owned(n, &v)));
                out.extend(body_length);
                out.extend(origin);
            }
            out.push(fixed("Connection", "keep-alive"));
            if let Some(cookie) = &ctx.cookie {
                out.push((Cow::Borrowed("Cookie"), cookie.clone()));
            }
            out.push(fixed("Priority", "u=4"));
            // Observed in Firefox ESR 153: the `0` of a `POST` or `PUT`
            // without a body comes last.
            out.extend(zero_length);
        }
        WireOrder::Webkit => {}
    }
    out.extend(conditional_late(quirks, ctx).into_iter().flatten());
    out
}

/// WebKit's request on the wire, as WebKitGTK 2.50 sends it (libsoup 3.2):
/// WebCore's header map goes to libsoup in map order, and libsoup writes
/// the names it knows (in its own spelling) before the others. So: the
/// script's headers libsoup knows (WebCore-known names first, each group
/// in the order set) with the body's `Content-Type` among them; `Origin`,
/// `Referer` and `Accept: */*` in the order `ctx.origin_slot` says;
/// `User-Agent`; the conditional `Pragma` and `Cache-Control`; `Accept-
/// Encoding: identity` before the body length when there is a `Range`;
/// `Content-Length`; libsoup's `Accept-Encoding`, `Accept-Language`,
/// `Connection: Keep-Alive`, `Host`; the `Content-Length: 0` of a bodyless
/// `POST` or `PUT`; the cookie jar's `Cookie`; then the script's other
/// headers in the order set, as spelled.
fn webkit_request(
    script: Vec<Hdr<'_>>,
    origin: Option<&Bytes>,
    body_length: Option<WireHeader>,
    zero_length: Option<WireHeader>,
    quirks: &Quirks,
    ctx: &HopContext<'_>,
    out: &mut Vec<WireHeader>,
) {
    use super::header_names::{libsoup, webcore};
    let has = |name: &str| script.iter().any(|(n, _)| eq_ci(n, name));
    let (has_accept, has_range) = (has("accept"), has("range"));
    let (has_user_agent, has_accept_language) = (has("user-agent"), has("accept-language"));
    // WebCore's map: the names it knows first; libsoup's: the names it
    // knows first, in its spelling.
    let mut known: Vec<(&'static str, &Cow<'_, str>)> = Vec::with_capacity(script.len());
    for pass in [true, false] {
        for (n, v) in &script {
            if webcore(n).is_some() == pass
                && let Some(spelled) = libsoup(n)
            {
                known.push((spelled, v));
            }
        }
    }
    out.extend(known.into_iter().map(|(n, v)| dynamic(n, v)));
    let accept = (!has_accept).then(|| fixed("Accept", "*/*"));
    let origin = origin.map(|o| (Cow::Borrowed("Origin"), o.clone()));
    let referrer = ctx.referrer.map(|r| (Cow::Borrowed("Referer"), r.clone()));
    match ctx.origin_slot {
        OriginSlot::First => {
            out.extend(origin);
            out.extend(referrer);
            out.extend(accept);
        }
        OriginSlot::Last => {
            out.extend(referrer);
            out.extend(accept);
            out.extend(origin);
        }
        OriginSlot::AfterAccept => {
            out.extend(accept);
            out.extend(origin);
            out.extend(referrer);
        }
    }
    if !has_user_agent {
        out.push((Cow::Borrowed("User-Agent"), ctx.user_agent.clone()));
    }
    out.extend(
        conditional_after_user_agent(quirks, ctx)
            .into_iter()
            .flatten(),
    );
    let encoding = if ctx.secure {
        quirks.wire.accept_encoding_https
    } else {
        quirks.wire.accept_encoding_http
    };
    if has_range {
        // WebKit asks for the bytes as stored before libsoup sets the body.
        out.push(fixed("Accept-Encoding", "identity"));
        out.extend(body_length);
    } else {
        out.extend(body_length);
        out.push(fixed("Accept-Encoding", encoding));
    }
    if !has_accept_language {
        out.push((
            Cow::Borrowed("Accept-Language"),
            ctx.accept_language.clone(),
        ));
    }
    out.push(fixed("Connection", "Keep-Alive"));
    out.push((Cow::Borrowed("Host"), ctx.host.clone()));
    out.extend(zero_length);
    if let Some(cookie) = &ctx.cookie {
        out.push((Cow::Borrowed("Cookie"), cookie.clone()));
    }
    out.extend(
        script
            .iter()
            .filter(|(n, _)| libsoup(n).is_none())
            .map(|(n, v)| owned(webcore(n).unwrap_or(n), v)),
    );
}

/// <https://fetch.spec.whatwg.org/#cors-preflight-fetch-0>, steps 1-4: the
/// preflight (`Accept: */*`, `Access-Control-Request-Method`,
/// `Access-Control-Request-Headers` when there are unsafe names, `Origin`)
/// with the browser's own headers, in its order. No cookies: a preflight
/// never carries credentials.
pub(crate) fn preflight_headers(
    method: &str,
    unsafe_names: &[String],
    origin: &Bytes,
    quirks: &Quirks,
    ctx: &HopContext<'_>,
) -> Vec<WireHeader> {
    let accept_encoding = if ctx.secure {
        quirks.wire.accept_encoding_https
    } else {
        quirks.wire.accept_encoding_http
    };
    let mut out = Vec::with_capacity(12);
    out.push((Cow::Borrowed("Host"), ctx.host.clone()));
    // Step 4-5: the CORS-unsafe names joined with `,` (not combined: no
    // space).
    let acrh = (!unsafe_names.is_empty()).then(|| {
        (
            Cow::Borrowed("Access-Control-Request-Headers"),
            Bytes::from(unsafe_names.join(",")),
        )
    });
    match quirks.wire.order {
        WireOrder::Webkit => {
            // WebCore `createAccessControlPreflightRequest`: `Origin`,
            // `Access-Control-Request-Method`, `Referer`,
            // `Access-Control-Request-Headers`; then the network process's
            // `User-Agent` (the request's) and `Accept`, and libsoup's own.
            out.clear();
            out.push((Cow::Borrowed("Origin"), origin.clone()));
            out.push(dynamic("Access-Control-Request-Method", method));
            if let Some(referrer) = ctx.referrer {
                out.push((Cow::Borrowed("Referer"), referrer.clone()));
            }
            out.extend(acrh);
            out.push((Cow::Borrowed("User-Agent"), ctx.user_agent.clone()));
            out.push(fixed("Accept", "*/*"));
            out.push(fixed("Accept-Encoding", accept_encoding));
            out.push((
                Cow::Borrowed("Accept-Language"),
                ctx.accept_language.clone(),
            ));
            out.push(fixed("Connection", "Keep-Alive"));
            out.push((Cow::Borrowed("Host"), ctx.host.clone()));
            return out;
        }
        WireOrder::Chromium => {
            out.push(fixed("Connection", "keep-alive"));
            out.extend(conditional_early(quirks, ctx));
            // Step 2: `Accept: */*`.
            out.push(fixed("Accept", "*/*"));
            // Step 3: `Access-Control-Request-Method`: the request's method.
            out.push(dynamic("Access-Control-Request-Method", method));
            out.extend(acrh);
            out.push((Cow::Borrowed("Origin"), origin.clone()));
            out.push((Cow::Borrowed("User-Agent"), ctx.user_agent.clone()));
            // Observed in Chromium 156: the network service marks its own
            // preflight even on plain `http:`, where the actual request
            // carries no `Sec-Fetch-*`.
            out.push(fixed("Sec-Fetch-Mode", "cors"));
            if let Some(referrer) = ctx.referrer {
                out.push((Cow::Borrowed("Referer"), referrer.clone()));
            }
            out.push(fixed("Accept-Encoding", accept_encoding));
            out.push((
                Cow::Borrowed("Accept-Language"),
                ctx.accept_language.clone(),
            ));
        }
        WireOrder::Firefox => {
            out.push((Cow::Borrowed("User-Agent"), ctx.user_agent.clone()));
            out.push(fixed("Accept", "*/*"));
            out.push((
                Cow::Borrowed("Accept-Language"),
                ctx.accept_language.clone(),
            ));
            out.push(fixed("Accept-Encoding", accept_encoding));
            out.push(dynamic("Access-Control-Request-Method", method));
            out.extend(acrh);
            if let Some(referrer) = ctx.referrer {
                out.push((Cow::Borrowed("Referer"), referrer.clone()));
            }
            out.push((Cow::Borrowed("Origin"), origin.clone()));
            out.push(fixed("Connection", "keep-alive"));
            out.push(fixed("Priority", "u=4"));
        }
    }
    out.extend(conditional_late(quirks, ctx).into_iter().flatten());
    out
}

/// Chromium re-serializes a `Range` it can parse (`BYTES =1-2` →
/// `bytes=1-2`), as observed in Chromium 156 (net's single
/// `HttpByteRange`); `None` when it cannot parse it (the header then stays
/// where the script put it, as written).
fn chromium_range(value: &str) -> Option<String> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fetch::Browser;

    #[test]
    fn cached_entity_clamps_range() {
        assert_eq!(clamp_range("bytes=0-99", 2), "bytes=0-1");
        assert_eq!(clamp_range("bytes=1-", 2), "bytes=1-1");
        assert_eq!(clamp_range("bytes=-5", 2), "bytes=0-1");
        assert_eq!(clamp_range("bytes=5-9", 2), "bytes=5-9");
        assert_eq!(clamp_range("bytes=0-0", 2), "bytes=0-0");
    }

    #[test]
    fn chromium_reserializes_ranges_it_parses() {
        assert_eq!(chromium_range("BYTES = 1-2").as_deref(), Some("bytes=1-2"));
        assert_eq!(chromium_range("bytes=0-1,2-3"), None);
        assert_eq!(chromium_range("bytes=5-1"), None);
    }

    static HOST: Bytes = Bytes::from_static(b"api.test:8002");
    static REFERRER: Bytes = Bytes::from_static(b"http://app.test:8001/");

    fn ctx<'a>(ua: &'a Bytes, al: &'a Bytes) -> HopContext<'a> {
        HopContext {
            host: &HOST,
            secure: false,
            referrer: Some(&REFERRER),
            user_agent: ua,
            accept_language: al,
            body_len: None,
            redirected: false,
            method: "GET",
            cached: None,
            cookie: None,
            conditional: false,
            cors: true,
            map_order: None,
            origin_slot: OriginSlot::First,
        }
    }

    fn names(w: &[WireHeader]) -> Vec<&str> {
        w.iter().map(|(n, _)| &**n).collect()
    }

    #[test]
    fn preflights_carry_every_browser_header() {
        let (ua, al) = (Bytes::from_static(b"UA"), Bytes::from_static(b"en"));
        let origin = Bytes::from_static(b"http://app.test:8001");
        let names_of = |b: Browser| {
            let p = preflight_headers(
                "PUT",
                &["x-a".into(), "x-b".into()],
                &origin,
                b.quirks(),
                &ctx(&ua, &al),
            );
            assert_eq!(
                p.iter()
                    .find(|(n, _)| n == "Access-Control-Request-Headers")
                    .map(|(_, v)| v.clone()),
                Some(Bytes::from_static(b"x-a,x-b"))
            );
            names(&p).into_iter().map(str::to_owned).collect::<Vec<_>>()
        };
        assert_eq!(
            names_of(Browser::Chrome),
            [
                "Host",
                "Connection",
                "Accept",
                "Access-Control-Request-Method",
                "Access-Control-Request-Headers",
                "Origin",
                "User-Agent",
                "Sec-Fetch-Mode",
                "Referer",
                "Accept-Encoding",
                "Accept-Language"
            ]
        );
        assert_eq!(
            names_of(Browser::Firefox),
            [
                "Host",
                "User-Agent",
                "Accept",
                "Accept-Language",
                "Accept-Encoding",
                "Access-Control-Request-Method",
                "Access-Control-Request-Headers",
                "Referer",
                "Origin",
                "Connection",
                "Priority"
            ]
        );
    }
}

//! One `fetch()` from start to finish: main fetch, HTTP fetch, the
//! preflight, the CORS check and every redirect hop.
//!
//! <https://fetch.spec.whatwg.org/#main-fetch>

use std::borrow::Cow;

use url::Url;

use super::browser::Quirks;
use super::cache::{Lookup, PreflightCache};
use super::case::{Answer, Outcome, PreparedCase, PreparedRequest, Route, Sent, route_key};
use super::cors_check::{cors_check, get};
use super::http_cache::HttpCache;
use super::preflight::{self, PreflightFor, PreflightResponse};
use super::redirect::{self, Hop, RedirectFrom};
use super::request::{self, WireContext, construct};
use super::{Browser, CaseRequest, Mode};
use crate::explain::{Failure, MessageContext, Reason};
use crate::origin::Origin;

/// What a readable (or opaque) response gives the script.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Read {
    pub(crate) outcome: Outcome,
    pub(crate) status: u16,
    pub(crate) exposed: Vec<String>,
}

/// The end of one fetch.
#[derive(Clone, Debug)]
pub(crate) struct Done {
    pub(crate) preflight: bool,
    pub(crate) result: Result<Read, Failure>,
    pub(crate) sent: Vec<Sent>,
    /// The URL of the request that failed (for messages).
    pub(crate) url: String,
}

impl Done {
    /// Records the URL a failure names, unless a more specific one was set.
    fn fail_at(&mut self, url: &Url) {
        if self.url.is_empty() {
            self.url = url.as_str().to_owned();
        }
    }
}

/// A response as the server gives it.
struct Resp<'c> {
    status: u16,
    headers: &'c [(String, String)],
}

const NO_HEADERS: &[(String, String)] = &[];

fn respond<'c>(route: Option<&Route<'c>>, preflight: bool) -> Resp<'c> {
    match route {
        None => Resp {
            status: 404,
            headers: NO_HEADERS,
        },
        Some(route) => {
            let answer = if preflight {
                route.endpoint.preflight.as_ref()
            } else {
                route.endpoint.response.as_ref()
            };
            match answer {
                Some(a) => Resp {
                    status: a.status,
                    headers: &a.headers,
                },
                None => Resp {
                    status: if preflight { 405 } else { 404 },
                    headers: NO_HEADERS,
                },
            }
        }
    }
}

/// The `Location` of a redirect response, if it is one.
fn location(resp: &Resp<'_>, quirks: &Quirks) -> Option<String> {
    if !redirect::is_redirect_status(resp.status) {
        return None;
    }
    get(resp.headers, "location")
        .filter(|l| quirks.empty_location_redirects || !l.is_empty())
        .map(Cow::into_owned)
}

/// Whether the page sees a `Content-Length` the case does not list: the
/// runner adds one when the case gives none and the status may carry a
/// body.
fn adds_content_length(resp: &Resp<'_>) -> bool {
    let may_have_body =
        !(100..200).contains(&resp.status) && resp.status != 204 && resp.status != 304;
    may_have_body
        && !resp
            .headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case("content-length"))
}

fn origin_of<'p>(route: Option<&'p Route<'_>>, url: &Url) -> Cow<'p, Origin> {
    match route {
        Some(r) => Cow::Borrowed(&r.origin),
        None => Cow::Owned(Origin::of_url(url.as_str()).unwrap_or(Origin::Opaque)),
    }
}

static OPAQUE: Origin = Origin::Opaque;

/// The method for `sent`, without allocating for the common ones.
fn static_method(method: &str) -> Cow<'static, str> {
    const COMMON: [&str; 7] = ["GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH"];
    match COMMON.iter().find(|m| **m == method) {
        Some(m) => Cow::Borrowed(m),
        None => Cow::Owned(method.to_owned()),
    }
}

/// The request's CORS-unsafe names, from `cache` or computed into it.
fn unsafe_now<'c>(
    cache: &'c mut Option<Vec<String>>,
    headers: &[request::Hdr<'_>],
    quirks: &Quirks,
) -> &'c [String] {
    cache.get_or_insert_with(|| request::unsafe_names(headers, quirks))
}

/// Runs one request of a case.
pub(crate) fn fetch(
    pc: &PreparedCase<'_>,
    cache: &mut PreflightCache,
    http: &mut HttpCache,
    now_ms: u64,
    req: &CaseRequest,
    pre: &PreparedRequest,
    quirks: &Quirks,
) -> Done {
    let mut done = Done {
        preflight: false,
        result: Err(Failure::new(Reason::NetworkError, false, None)),
        sent: Vec::new(),
        url: String::new(),
    };
    // Request constructor, step 5: parse the URL (done once, when the case
    // was prepared); user-info throws.
    let Some(parsed) = &pre.url else {
        done.url.clone_from(&req.url);
        return done;
    };
    let mut url: Cow<'_, Url> = Cow::Borrowed(parsed);
    if !url.username().is_empty() || url.password().is_some() {
        return done;
    }
    // Scheme fetch: only HTTP(S) reaches the network here.
    if !matches!(url.scheme(), "http" | "https") {
        return done;
    }
    let script = match construct(
        &req.method,
        &req.headers,
        req.mode,
        req.body.is_some(),
        quirks,
    ) {
        Ok(s) => s,
        Err(_) => return done,
    };
    let mut method = script.method;
    let mut headers = script.headers;
    let mut has_body = script.has_body;
    let include = req.credentials.is_include();
    let page_origin: &Origin = pc.page_origin.as_ref().unwrap_or(&OPAQUE);
    let mut tainted = false;
    let mut cors_tainting = false;
    let mut opaque_tainting = false;
    let mut redirects: u32 = 0;
    let mut key: Cow<'_, str> = Cow::Borrowed(&pre.key);
    let mut route = pc.routes.get(&*key);
    let mut hop_origin = origin_of(route, &url);
    // Every name the script set, for the browser's own headers in `sent`.
    let named: &[String] = &pre.named;
    let referrer: &str = &pc.referrer;
    // The CORS-unsafe names, computed when first needed and again only
    // after a redirect removed headers.
    let mut unsafe_cache: Option<Vec<String>> = None;
    // Chromium: `Origin: null` set by the network stack on a redirect (see
    // `Quirks::net_origin_null_on_cross_origin_hop`).
    let mut net_null_origin = false;
    // Firefox (see `Quirks::preflight_sticky_across_redirects`): the load
    // info keeps the unsafe header names from the start, and
    // `nsCORSListenerProxy::CheckPreflightNeeded` preflights a cross-origin
    // hop while that list is non-empty or the current method is unsafe;
    // once a hop needed a preflight, the replacement channels inherit it.
    // A same-origin `DELETE` turned into a cross-origin `GET` by a 303
    // therefore goes without one (observed in Firefox ESR 153 on random
    // holdout cases), while a cross-origin `PUT` turned into `GET` is
    // preflighted again.
    let initial_unsafe = quirks.preflight_sticky_across_redirects
        && !unsafe_now(&mut unsafe_cache, &headers, quirks).is_empty();
    let mut sticky_preflight = false;

    loop {
        let origin_s: &str = if tainted { "null" } else { &pc.page_origin_s };
        // Main fetch, step 12.
        let same_origin = page_origin.is_same_origin(&hop_origin);
        let basic = same_origin && !cors_tainting && !opaque_tainting;
        if !basic {
            match req.mode {
                // "request's mode is same-origin": network error.
                Mode::SameOrigin => {
                    // Blink refuses the first URL with a console message;
                    // after a redirect it is a plain network error (observed
                    // in Chromium 156).
                    let reason = if redirects == 0 {
                        Reason::SameOriginModeCrossOrigin
                    } else {
                        Reason::DisallowedByMode
                    };
                    done.result = Err(Failure::new(reason, false, None));
                    done.fail_at(&url);
                    return done;
                }
                // "request's mode is no-cors": opaque.
                Mode::NoCors => opaque_tainting = true,
                // Otherwise: cors (with or without preflight).
                Mode::Cors => cors_tainting = true,
            }
        }
        // `Host` shows only when the script named it.
        let host = if named.iter().any(|n| n == "host") {
            match url.port() {
                Some(p) => format!("{}:{p}", url.host_str().unwrap_or_default()),
                None => url.host_str().unwrap_or_default().to_owned(),
            }
        } else {
            String::new()
        };
        let wire = WireContext {
            named,
            host: &host,
            referrer,
            body_len: if has_body {
                req.body.as_ref().map(String::len)
            } else {
                None
            },
            redirected: redirects > 0,
            method: &method,
            cached_len: if quirks.http_cache_implicitly_fresh {
                http.entity_len(&key)
            } else {
                None
            },
        };
        if cors_tainting {
            let unsafe_names: &[String] = unsafe_now(&mut unsafe_cache, &headers, quirks);
            // HTTP fetch, step 4.1: a preflight unless the cache matches.
            let needed = preflight::is_needed(&method, unsafe_names)
                || (redirects > 0 && (sticky_preflight || initial_unsafe));
            sticky_preflight |= needed && quirks.preflight_sticky_across_redirects;
            if needed {
                // Firefox preflights with the untainted origin.
                let preflight_origin: &str = if quirks.preflight_ignores_taint {
                    &pc.page_origin_s
                } else {
                    origin_s
                };
                let lookup = Lookup {
                    origin: preflight_origin,
                    url: &key,
                    include,
                    method: &method,
                    unsafe_names,
                    now_ms,
                };
                if !cache.allows(&lookup, quirks) {
                    done.preflight = true;
                    let check_order = (quirks.header_map_order && unsafe_names.len() > 1)
                        .then(|| request::in_header_map_order(&headers, unsafe_names));
                    done.sent.push(Sent {
                        method: Cow::Borrowed("OPTIONS"),
                        url: key.clone().into_owned(),
                        headers: request::preflight_headers(
                            &method,
                            unsafe_names,
                            preflight_origin,
                            quirks,
                            &wire,
                        ),
                    });
                    let resp = respond(route, true);
                    let is_redirect = location(&resp, quirks).is_some();
                    let checked = preflight::check(
                        PreflightResponse {
                            status: resp.status,
                            headers: resp.headers,
                            is_redirect,
                        },
                        PreflightFor {
                            method: &method,
                            unsafe_names,
                            check_order: check_order.as_deref(),
                            include,
                            origin: preflight_origin,
                        },
                        quirks,
                    );
                    match checked {
                        // Chromium keeps no entry for a long URL.
                        Ok(grant) => {
                            if quirks.cache_max_url_len.is_none_or(|max| key.len() < max) {
                                cache.store(&lookup, grant, quirks);
                            }
                        }
                        Err(failure) => {
                            // Fetch: a failed preflight clears the entries.
                            cache.clear(preflight_origin, &key);
                            done.result = Err(failure);
                            done.fail_at(&url);
                            return done;
                        }
                    }
                }
            }
        }
        // strict-origin-when-cross-origin: the full page URL to its own
        // origin, the origin elsewhere.
        let wire = WireContext {
            referrer: if same_origin { &pc.page_url } else { referrer },
            ..wire
        };
        // Append a request `Origin` header: CORS requests, and any request
        // whose method is neither GET nor HEAD.
        let send_origin = cors_tainting || (method != "GET" && method != "HEAD");
        // HTTP-network-or-cache fetch: a fresh stored response does not go
        // on the wire (see `Quirks::http_cache_implicitly_fresh`).
        let from_cache = quirks.http_cache_implicitly_fresh && http.serves(&method, &key);
        if !from_cache {
            done.sent.push(Sent {
                method: static_method(&method),
                url: key.clone().into_owned(),
                headers: request::wire_headers(
                    &headers,
                    send_origin.then_some(if net_null_origin { "null" } else { origin_s }),
                    quirks,
                    &wire,
                ),
            });
        }
        let resp = respond(route, false);
        if quirks.http_cache_implicitly_fresh {
            let body_len = route
                .and_then(|r| r.endpoint.response.as_ref())
                .and_then(|a| a.body.as_ref())
                .map_or(0, String::len);
            http.store(&method, &key, resp.status, resp.headers, body_len);
        }
        if resp.status == 407 && quirks.status_407_is_network_error {
            done.result = Err(Failure::new(Reason::NetworkError, false, Some(407)));
            done.fail_at(&url);
            return done;
        }
        // HTTP fetch, step 4.3-4.4: the CORS check applies to every
        // response of a CORS request, redirects included.
        if cors_tainting && let Err(reason) = cors_check(resp.headers, origin_s, include, quirks) {
            if quirks.cors_failure_clears_cache {
                // Firefox `nsCORSListenerProxy::OnStartRequest`.
                cache.clear(origin_s, &key);
            }
            done.result = Err(Failure::new(reason, false, Some(resp.status)));
            done.fail_at(&url);
            return done;
        }
        if let Some(loc) = location(&resp, quirks) {
            // HTTP-redirect fetch.
            // A network error the CORS listener sees (Firefox logs "CORS
            // request did not succeed") only on a CORS request.
            let refused = if cors_tainting {
                Reason::RedirectFailed
            } else {
                Reason::NetworkError
            };
            // Resolved once per case for the common case (no fragment).
            let next = match route.and_then(|r| r.location.as_ref()) {
                Some(pre)
                    if url.fragment().is_none()
                        && url.username().is_empty()
                        && url.password().is_none() =>
                {
                    Some(pre.clone())
                }
                _ => redirect::location_url(&url, &loc),
            };
            let Some(next) = next else {
                done.result = Err(Failure::new(refused, false, Some(resp.status)));
                done.fail_at(&url);
                return done;
            };
            let next_key = route_key(&next);
            let next_route = pc.routes.get(&next_key);
            let next_origin = origin_of(next_route, &next);
            let from = RedirectFrom {
                status: resp.status,
                current_origin: &hop_origin,
                page_origin,
                mode: req.mode,
                cors_tainting,
            };
            let before = headers.len();
            let hop = Hop {
                method: &mut method,
                headers: &mut headers,
                has_body: &mut has_body,
                tainted: &mut tainted,
                count: &mut redirects,
            };
            let followed = redirect::follow(&from, &next, &next_origin, hop, quirks);
            if headers.len() != before {
                unsafe_cache = None;
            }
            if let Err(mut reason) = followed {
                if reason == Reason::RedirectFailed || reason == Reason::NetworkError {
                    reason = refused.clone();
                }
                if reason == Reason::CorsDisabledScheme {
                    // Chromium quotes the target URL: the loader has moved on.
                    done.url = next.as_str().to_owned();
                }
                done.result = Err(Failure::new(reason, false, Some(resp.status)));
                done.fail_at(&url);
                return done;
            }
            // Chromium's network stack rewrites a present `Origin` to `null`
            // on any cross-origin hop it follows itself (`RedirectUtil::
            // UpdateHttpRequest`); CORS requests restart and set `Origin`
            // from the taint instead, so this shows only in no-cors mode.
            if quirks.net_origin_null_on_cross_origin_hop
                && req.mode == Mode::NoCors
                && method != "GET"
                && method != "HEAD"
                && !hop_origin.is_same_origin(&next_origin)
            {
                net_null_origin = true;
            }
            url = Cow::Owned(next);
            key = Cow::Owned(next_key);
            hop_origin = next_origin;
            route = next_route;
            continue;
        }
        // The final response.
        done.result = Ok(if opaque_tainting {
            Read {
                outcome: Outcome::Opaque,
                status: 0,
                exposed: Vec::new(),
            }
        } else {
            let extra = adds_content_length(&resp);
            Read {
                outcome: Outcome::Ok,
                status: resp.status,
                exposed: if cors_tainting {
                    super::expose::cors(resp.headers, extra, include, quirks)
                } else {
                    super::expose::basic(resp.headers, extra)
                },
            }
        });
        done.fail_at(&url);
        return done;
    }
}

/// Turns the end of a fetch into the answer line.
pub(crate) fn answer(
    pc: &PreparedCase<'_>,
    index: usize,
    browser: Browser,
    pre: &PreparedRequest,
    req: &CaseRequest,
    done: Done,
) -> Answer {
    let (outcome, status, exposed, error, message) = match done.result {
        Ok(read) => (read.outcome, Some(read.status), read.exposed, None, None),
        Err(failure) => {
            let ctx = MessageContext {
                url: &done.url,
                initial_url: pre.url.as_ref().map_or(req.url.as_str(), Url::as_str),
                origin: &pc.page_origin_s,
                page_url: &pc.page_url,
            };
            let (error, message) = match browser {
                Browser::Chrome | Browser::Spec => (
                    failure.chrome_error().map(str::to_owned),
                    failure.chrome_message(&ctx),
                ),
                Browser::Firefox => (
                    failure.firefox_reason().map(str::to_owned),
                    failure.firefox_message(&ctx),
                ),
            };
            (Outcome::Blocked, None, Vec::new(), error, message)
        }
    };
    Answer {
        id: pc.case.id.clone(),
        index,
        browser,
        preflight: done.preflight,
        outcome,
        status,
        exposed,
        error,
        message,
        sent: done.sent,
    }
}

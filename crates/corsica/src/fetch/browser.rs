//! Which browser the model follows, and where Chromium, Firefox and the
//! Fetch Standard differ: one struct of named knobs per algorithm, one
//! constant per browser.
//!
//! The algorithms in the sibling modules read these knobs and nothing else
//! to decide between behaviours; each knob says what each browser does and
//! where that was seen. The knobs are crate-private: a caller picks a
//! [`Browser`], never a mixture no real browser has.

use std::fmt;
use std::str::FromStr;

/// Which browser the model follows where browsers differ.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Browser {
    /// Chromium (as observed in Chromium 156).
    #[default]
    Chrome,
    /// Firefox (as observed in Firefox ESR 153).
    Firefox,
    /// WebKit: Safari's engine, as observed in WebKitGTK 2.50 (the GTK port
    /// shares WebCore's and the network process's CORS code with Safari;
    /// the knobs say which behaviours are the GTK port's own, from its
    /// libsoup network stack). Also accepted as `safari`.
    Webkit,
    /// The Fetch Standard, where the browsers depart from it. Failures use
    /// Chromium's reason names and console wording, since the standard has
    /// none of its own.
    Spec,
}

impl Browser {
    /// Every browser the model knows, in a stable order.
    pub const ALL: [Browser; 4] = [
        Browser::Chrome,
        Browser::Firefox,
        Browser::Webkit,
        Browser::Spec,
    ];

    /// The name used in the case format and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Browser::Chrome => "chrome",
            Browser::Firefox => "firefox",
            Browser::Webkit => "webkit",
            Browser::Spec => "spec",
        }
    }

    /// The behaviour knobs of this browser.
    pub(crate) fn quirks(self) -> &'static Quirks {
        match self {
            Browser::Chrome => &CHROME,
            Browser::Firefox => &FIREFOX,
            Browser::Webkit => &WEBKIT,
            Browser::Spec => &SPEC,
        }
    }

    /// The `User-Agent` a desktop build of this browser on Linux sends (the
    /// default of [`BrowserState::new`](super::BrowserState::new)).
    pub fn default_user_agent(self) -> &'static str {
        match self {
            Browser::Chrome | Browser::Spec => {
                "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) \
                 Chrome/156.0.0.0 Safari/537.36"
            }
            Browser::Firefox => {
                "Mozilla/5.0 (X11; Linux x86_64; rv:153.0) Gecko/20100101 Firefox/153.0"
            }
            // Observed from WebKitGTK 2.50.6 on Linux (the GTK port's
            // `WebKitSettings` default; Safari on macOS sends its own).
            Browser::Webkit => {
                "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/605.1.15 (KHTML, like Gecko) \
                 Version/60.5 Safari/605.1.15"
            }
        }
    }

    /// The `Accept-Language` a fresh profile of this browser sends in an
    /// `en-US` locale.
    pub fn default_accept_language(self) -> &'static str {
        match self {
            Browser::Chrome | Browser::Spec => "en-US,en;q=0.9",
            Browser::Firefox => "en-US,en;q=0.5",
            // libsoup sends the languages the application gives WebKitGTK
            // (`webkit_web_context_set_preferred_languages`), here `en-US`
            // alone, as observed.
            Browser::Webkit => "en-US",
        }
    }
}

impl fmt::Display for Browser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Occurs when a browser name is not one the model knows.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown browser {0:?}; use chrome, firefox, webkit (or safari) or spec")]
pub struct UnknownBrowser(pub String);

impl FromStr for Browser {
    type Err = UnknownBrowser;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "chrome" | "chromium" | "edge" => Ok(Browser::Chrome),
            "firefox" => Ok(Browser::Firefox),
            "webkit" | "safari" => Ok(Browser::Webkit),
            "spec" => Ok(Browser::Spec),
            other => Err(UnknownBrowser(crate::shorten::shorten(other).to_string())),
        }
    }
}

/// The behaviour knobs of one browser, grouped by the algorithm they
/// change.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Quirks {
    pub(crate) request: RequestQuirks,
    pub(crate) wire: WireQuirks,
    pub(crate) cors: CorsQuirks,
    pub(crate) preflight: PreflightQuirks,
    pub(crate) cache: CacheQuirks,
    pub(crate) redirect: RedirectQuirks,
    pub(crate) expose: ExposeParse,
    pub(crate) network: NetworkQuirks,
}

/// The `Request` constructor and the CORS-unsafe request-header names.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RequestQuirks {
    /// Whether a script-set `User-Agent` is dropped like a forbidden header
    /// (Chromium, crbug 571722) rather than sent (Firefox, standard), where
    /// it is not safelisted and so forces a preflight.
    pub(crate) user_agent_forbidden: bool,
    /// Whether duplicate request headers are combined (`, `) before the
    /// safelist is applied (Chromium's `HTTPHeaderMap`), rather than checked
    /// one by one (standard).
    pub(crate) combine_duplicates: bool,
    /// Whether a `Range` value must start with lowercase `bytes` to be
    /// safelisted. Observed in Chromium 156 and Firefox ESR 153 (`BYTES=0-`
    /// is preflighted); the Fetch Standard matches the unit
    /// case-insensitively.
    pub(crate) range_unit_case_sensitive: bool,
    /// Whether the CORS-unsafe names are the standard's set (1024-byte
    /// total, deduplicated). Observed in Firefox ESR 153: no total, and
    /// duplicates stay (`Access-Control-Request-Headers: x-custom,x-custom`).
    pub(crate) unsafe_names_spec_set: bool,
}

/// How the request and the preflight look on the wire.
#[derive(Clone, Copy, Debug)]
pub(crate) struct WireQuirks {
    /// Header order and combination.
    pub(crate) order: WireOrder,
    /// Whether the script's headers go on the wire in Blink's
    /// `HTTPHeaderMap` hash-table order (Chromium 156, see `header_map`)
    /// rather than in the order set (the standard's header list).
    pub(crate) header_map_order: bool,
    /// Observed in Firefox ESR 153: a second `Content-Type` replaces the
    /// first on the wire (other duplicates are combined with `, `).
    pub(crate) duplicate_content_type_replaces: bool,
    /// `Accept-Encoding` on `http:` URLs.
    pub(crate) accept_encoding_http: &'static str,
    /// `Accept-Encoding` on `https:` URLs (Chromium and Firefox add Brotli
    /// and Zstandard only over TLS).
    pub(crate) accept_encoding_https: &'static str,
    /// What a script's conditional header (`If-None-Match`, ...) adds to
    /// the request and to its preflight.
    pub(crate) conditional: ConditionalRequest,
}

/// The headers a request carrying a script's conditional header
/// (`If-Modified-Since`, `If-None-Match`, `If-Unmodified-Since`,
/// `If-Match`, `If-Range`) gets, on the request and on its preflight.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ConditionalRequest {
    /// Observed in Chromium 156: `Cache-Control: max-age=0` right after
    /// `Connection` (the HTTP cache validates: `VALIDATE_CACHE`).
    MaxAgeZero,
    /// Fetch: HTTP-network-or-cache fetch: the cache mode becomes
    /// "no-store", so `Pragma: no-cache` and `Cache-Control: no-cache`;
    /// observed in Firefox ESR 153 at the end of the request.
    NoCacheLast,
    /// The same two headers right after `User-Agent`, before libsoup's own
    /// headers: observed in WebKitGTK 2.50 (WebKit's network process adds
    /// them to its header map; libsoup appends its headers after).
    NoCacheAfterUserAgent,
}

/// The CORS check.
#[derive(Clone, Copy, Debug)]
pub(crate) struct CorsQuirks {
    /// The order of checks and the classification of a failure.
    pub(crate) acao_order: AcaoOrder,
    /// Observed in WebKitGTK 2.50 (WebKit's network process, so Safari
    /// too): with `credentials: "same-origin"`, a fetch that starts on the
    /// page's own origin and is redirected away checks every cross-origin
    /// redirect response as if credentials were included (exact
    /// `Access-Control-Allow-Origin` and `Access-Control-Allow-Credentials:
    /// true` needed), while its preflights and its final response are
    /// checked without: the credentials policy the `NetworkLoadChecker`
    /// computed for the same-origin start is still in force when it checks
    /// the redirects. Chromium, Firefox and the standard check every
    /// response of such a fetch without credentials.
    pub(crate) credentialed_redirects_after_same_origin_start: bool,
}

/// When a preflight is sent, and its check.
#[derive(Clone, Copy, Debug)]
pub(crate) struct PreflightQuirks {
    /// How a redirected preflight fails.
    pub(crate) redirect: PreflightRedirect,
    /// Parse order of the preflight's allow lists.
    pub(crate) parse: PreflightParse,
    /// Whether `Access-Control-Allow-Headers: *` covers `Authorization` on
    /// an uncredentialed request. Chromium 156 and Firefox ESR 153: yes
    /// (Chromium only raises a DevTools deprecation issue; Firefox logs a
    /// warning); the Fetch Standard: no.
    pub(crate) authorization_under_wildcard: bool,
    /// Largest `Access-Control-Max-Age` honoured, in seconds: Chromium 7200,
    /// Firefox 86400; the standard leaves it to the user agent (7200 here).
    pub(crate) max_age_cap_s: u64,
    /// What a non-numeric `Access-Control-Max-Age` does.
    pub(crate) invalid_max_age: InvalidMaxAge,
    /// Observed in Firefox ESR 153: once a cross-origin hop needed a
    /// preflight, every later CORS hop preflights again, even when the
    /// method became GET; and a request whose headers were unsafe at the
    /// start preflights every cross-origin hop even after those headers
    /// were removed. A request that needed no preflight on its first
    /// cross-origin hop (e.g. a same-origin `DELETE` turned into a `GET`)
    /// decides again from its current method. Chromium and the standard
    /// decide again from the request as it is now.
    pub(crate) sticky_across_redirects: bool,
    /// Observed in Firefox ESR 153: after a redirect taints the origin, the
    /// preflight still carries (and is checked against) the page's own
    /// origin; only the actual request says `Origin: null`.
    pub(crate) ignores_taint: bool,
    /// Observed in Firefox ESR 153 on a fresh random holdout: a preflight
    /// to a URL on the page's own origin (sent only because of
    /// `sticky_across_redirects`) skips the CORS check; a 405 without
    /// `Access-Control-Allow-Origin` fails as "CORS preflight response did
    /// not succeed", not as a missing header. The preflight channel's
    /// `nsCORSListenerProxy` starts with `mHasBeenCrossSite` false for a
    /// same-origin URL, and `CheckRequestApproved` returns early then.
    pub(crate) same_origin_skips_cors_check: bool,
    /// WebCore `validatePreflightResponse` (WebKit, so Safari too): a
    /// status outside 200-299 fails first ("Preflight response is not
    /// successful"), before `Access-Control-Allow-Origin` is looked at; a
    /// redirect answer is such a status. Chromium, Firefox and the standard
    /// run the CORS check first.
    pub(crate) status_first: bool,
    /// WebKit's `NetworkLoadChecker` (so Safari too) keeps the request's
    /// original header list (`m_originalRequestHeaders`) for every CORS
    /// decision of the fetch: whether a hop needs a preflight, its
    /// `Access-Control-Request-Headers`, the preflight-cache lookup and the
    /// preflight's header check use the headers the script set, even after
    /// a redirect removed `Authorization` or a 303 removed the body's
    /// `Content-Type` (observed in WebKitGTK 2.50). Chromium, Firefox and
    /// the standard use the request's headers as they are now.
    pub(crate) original_headers: bool,
    /// WebCore `CrossOriginPreflightResultCacheItem::create` (so Safari
    /// too) quotes the whole `Access-Control-Allow-Methods` or
    /// `-Headers` value when one item is not a token, so the failure
    /// carries the whole value; Chromium and Firefox name the item.
    pub(crate) quotes_whole_list: bool,
    /// WebCore `validateCrossOriginHeaders` (so Safari too) walks the
    /// request's `HTTPHeaderMap`, names WebCore knows first (in the order
    /// set), then the others (in the order set), and reports the first one
    /// the preflight does not allow as the map holds it: WebCore's
    /// spelling for the names it knows (`accept` → `Accept`), the script's
    /// for the others (`X-API-Key`). Observed in WebKitGTK 2.50. Chromium
    /// reports a lowercase name in its own order, Firefox and the standard
    /// the first in sorted order.
    pub(crate) names_as_held: bool,
    /// WebKit's `NetworkCORSPreflightChecker` (so Safari too) sends the
    /// request's `User-Agent` on the preflight: the script's, when it set
    /// one (observed in WebKitGTK 2.50, `odd-user-agent-*`). Firefox's
    /// preflight carries the browser's own.
    pub(crate) script_user_agent: bool,
    /// WebKit's `NetworkCORSPreflightChecker` copies the request's
    /// `Referer` onto the preflight (WebCore
    /// `createAccessControlPreflightRequest`; `NetworkLoadChecker` has a
    /// "FIXME: We should set the request referrer according the referrer
    /// policy" for redirects), so a preflight at a redirect hop carries the
    /// `Referer` the previous request went with: the page's full URL after
    /// a same-origin hop (observed in WebKitGTK 2.50's full wire logs,
    /// `random-20261129-192`, `random-7-116`), though the request that
    /// follows it says only the page's origin. Chromium, Firefox and the
    /// standard apply the referrer policy to each preflight.
    pub(crate) referrer_from_previous_hop: bool,
}

/// The CORS-preflight cache.
#[derive(Clone, Copy, Debug)]
pub(crate) struct CacheQuirks {
    /// How a successful preflight updates the cache.
    pub(crate) update: CacheUpdate,
    /// Whether credentialed entries serve uncredentialed requests.
    pub(crate) credentials: CacheCredentials,
    /// When the cache honours a cached `*` method or header name.
    pub(crate) wildcards: CacheWildcards,
    /// Whether a cached `*` covers `Authorization`. Chromium applies the
    /// standard's rule on cache lookups even though the preflight check
    /// itself does not, so such a request preflights every time.
    pub(crate) authorization_under_wildcard: bool,
    /// Firefox: a cache hit skips the method check only for `GET` and
    /// `POST` (a `HEAD` needs a cached `HEAD`). Chromium and the standard
    /// treat every safelisted method as allowed.
    pub(crate) head_needs_entry: bool,
    /// Whether a failed CORS check on any response of a URL removes that
    /// URL's cache entries (Firefox `nsCORSListenerProxy::OnStartRequest`).
    /// The standard and Chromium only drop what a failed preflight would
    /// have created.
    pub(crate) cors_failure_clears: bool,
    /// URLs this long or longer are not put in the preflight cache
    /// (Chromium `PreflightCache`: 1024, observed in Chromium 156).
    pub(crate) max_url_len: Option<usize>,
    /// WebCore `CrossOriginPreflightResultCache::canSkipPreflight` (so
    /// Safari too): a lookup that finds the (origin, URL) entry but cannot
    /// use it (expired, uncredentialed for a credentialed request, method or
    /// header not covered) removes it.
    pub(crate) miss_evicts: bool,
    /// WebCore `validatePreflightResponse` (so Safari too) stores the
    /// preflight's result in the cache before it checks the method and the
    /// headers, so a preflight that fails on them still fills the cache:
    /// observed in WebKitGTK 2.50 (`cache-second-method-not-listed`: the
    /// `PUT` entry a failed `DELETE` preflight stored serves the next
    /// `PUT`). Chromium, Firefox and the standard store only a passed
    /// preflight.
    pub(crate) stores_failed_match: bool,
}

/// HTTP-redirect fetch.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RedirectQuirks {
    /// Whether a redirect to a `Location` with a username or password fails
    /// even where the CORS rules allow it (same-origin and `no-cors`
    /// requests). Observed in Chromium 156: a plain network error, no CORS
    /// message. Firefox ESR 153 and the standard follow it.
    pub(crate) credentials_always_fail: bool,
    /// What a redirect to a URL that is not HTTP(S) does.
    pub(crate) non_http: NonHttpRedirect,
    /// What a redirect status with an empty `Location` does.
    pub(crate) empty_location: EmptyLocation,
    /// Chromium's network stack (`RedirectUtil::UpdateHttpRequest`) sets a
    /// present `Origin` to `null` on every cross-origin redirect it follows
    /// itself, i.e. in `no-cors` mode, even from the page's own origin
    /// where the standard's taint rule keeps the origin. Read from
    /// Chromium's source; no conformance case has exercised it yet.
    pub(crate) net_origin_null_on_cross_origin_hop: bool,
    /// The GTK port's `NetworkDataTaskSoup::shouldRedirectAsGET` (libsoup
    /// ports only, not Safari): a `DELETE` redirected to another origin
    /// becomes a `GET` without a body, whatever the redirect status
    /// (observed in WebKitGTK 2.50, a 308: `random-7-71`).
    pub(crate) delete_becomes_get_cross_origin: bool,
    /// WebKit's `NetworkLoadChecker::checkCORSRedirectedRequest` (so Safari
    /// too): at a redirect hop where the request's `Origin` changes (the
    /// first CORS-checked hop of a fetch that started on the page's own
    /// origin, or the hop that taints the origin), the request gets the
    /// first request's headers back (the script's and the body's
    /// `Content-Type`, less an `Authorization` a redirect removed), and
    /// `Accept`, `Origin`, `Referer` are set again in that order. Observed
    /// in WebKitGTK 2.50 (`random-20261129-25`, `random-7-17`). When that
    /// hop itself turns the request into a `GET`, the body's headers go
    /// again (WebCore `ResourceRequestBase::redirectAsGETIfNeeded`;
    /// `random-20261130-77`).
    pub(crate) restores_first_headers: bool,
    /// WebKit: an `Origin` sent on an earlier hop stays on a request
    /// redirected to the same origin, even a `GET` (the redirect copies the
    /// headers; observed in WebKitGTK 2.50, `random-20261129-25`), and is
    /// removed from one redirected to another origin: the GTK port's
    /// `NetworkDataTaskSoup::continueHTTPRedirection` (and WebCore's
    /// `ResourceRequestBase::redirectedRequest`, which the other ports'
    /// network layers use, so Safari too) clears `Origin` and
    /// `Authorization` on a cross-origin redirect. A CORS request gets
    /// `Origin` back from the `NetworkLoadChecker`; a `no-cors` `POST`
    /// turned into a `GET` goes on without one (observed:
    /// `random-20261129-39`, `random-7-200`). The standard sets `Origin`
    /// again from the method and mode at each hop (none for a `no-cors`
    /// `GET` either).
    pub(crate) origin_persists: bool,
    /// WebKit's `NetworkLoadChecker::checkRedirection` (so Safari too):
    /// the 21st redirect fails with its own console line ("Load cannot
    /// follow more than 20 redirections") in every mode. Chromium logs
    /// nothing; Firefox reports it on CORS requests only.
    pub(crate) limit_reported: bool,
}

/// The network layer below Fetch: the HTTP cache and response limits.
#[derive(Clone, Copy, Debug)]
pub(crate) struct NetworkQuirks {
    /// Whether a 407 answer to a request not made through a proxy is a
    /// network error before any CORS check. Observed in Chromium 156
    /// (`ERR_UNEXPECTED_PROXY_AUTH`), with no CORS message.
    pub(crate) status_407_is_network_error: bool,
    /// Which answers the HTTP cache serves again without a request.
    pub(crate) http_cache: HttpCacheModel,
    /// Whether cookies go to (and come from) sites other than the page's.
    /// Chromium 156: no (third-party cookies are blocked, and cookies
    /// without `SameSite` are `Lax`); Firefox ESR 153: yes, in a jar
    /// partitioned by the page's site (Total Cookie Protection), so a site
    /// gets back the cookies it set under this page (both observed in the
    /// runner's wire logs).
    pub(crate) third_party_cookies: bool,
    /// The largest response head accepted, in bytes (names, values and
    /// four bytes of framing per line). Chromium: `kMaxHeadersSize`, 256
    /// KiB (`ERR_RESPONSE_HEADERS_TOO_BIG`); Firefox: 1 MiB
    /// (`network.http.max_response_header_size`); the standard sets none
    /// (1 MiB here, so hostile input stays bounded).
    pub(crate) max_response_head_bytes: usize,
}

/// The order in which the CORS check examines `Access-Control-Allow-Origin`
/// and `Access-Control-Allow-Credentials`, which decides the error reported
/// when several things are wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum AcaoOrder {
    /// Chromium `cors.cc` `CheckAccess`: lines joined with `, `; `*` first
    /// (wildcard error under `include`), then absent, then a mismatch is
    /// classified: contains space or comma → multiple values, `null` →
    /// mismatch, not a valid URL → invalid value, else mismatch; then
    /// `Access-Control-Allow-Credentials`. The Fetch Standard's CORS check
    /// accepts and rejects exactly the same responses, so `spec` uses it too.
    Chromium,
    /// Firefox `nsCORSListenerProxy::CheckRequestApproved`: more than one
    /// header line → multiple; absent → missing (with the status code);
    /// `*` under credentials → not supported; any other difference →
    /// "does not match"; then `Access-Control-Allow-Credentials`.
    Firefox,
    /// WebCore `passesAccessControlCheck` (so Safari too): the value is
    /// every line joined with `, ` (libsoup matches names without regard
    /// to case), compared as a string: `*` without credentials passes; the
    /// serialized origin goes on to `Access-Control-Allow-Credentials`;
    /// otherwise `*` is the wildcard error, a value with a comma "more than
    /// one origin", anything else (absent, empty, `null`, another origin)
    /// "not allowed".
    Webkit,
}

/// How a redirected preflight fails.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PreflightRedirect {
    /// Chromium: any redirect answer to a preflight is
    /// `PreflightDisallowedRedirect`, before any header is looked at.
    FailFirst,
    /// Firefox: the redirect response passes the CORS check first (the
    /// preflight channel is itself CORS-wrapped), then
    /// `CORSExternalRedirectNotAllowed`.
    CorsCheckFirst,
    /// Fetch Standard: a preflight is fetched without following redirects,
    /// so a 3xx is simply not an ok status (after the CORS check).
    NotOkStatus,
}

/// When the preflight's `Access-Control-Allow-Methods` and
/// `Access-Control-Allow-Headers` are parsed relative to the method check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PreflightParse {
    /// Chromium and the Fetch Standard: parse both lists, then match the
    /// method, then the headers. A bad `Access-Control-Allow-Headers` wins
    /// over a disallowed method.
    BothThenMatch,
    /// Firefox: parse and match methods, then parse and match headers.
    MethodsFirst,
}

/// What an `Access-Control-Max-Age` that is not a number does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum InvalidMaxAge {
    /// Chromium and the Fetch Standard: use the 5 second default. A negative
    /// number is 0 (Chromium).
    DefaultFiveSeconds,
    /// Firefox: only ASCII digits are accepted; anything else (and 0)
    /// leaves the cache untouched.
    NotCached,
}

/// How a successful preflight updates the cache.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CacheUpdate {
    /// Chromium: one result per (origin, URL); a new preflight replaces the
    /// previous result, methods and headers alike.
    Replace,
    /// Firefox and the Fetch Standard: one expiry per method and per header
    /// name; a new preflight adds to (or refreshes) the existing ones.
    Merge,
}

/// How credentialed and uncredentialed entries share the cache.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CacheCredentials {
    /// Chromium and the Fetch Standard: an entry made for an `include`
    /// request serves any request; an uncredentialed one serves only
    /// requests that are not `include`.
    CredentialedServesAll,
    /// Firefox: the credentials flag is part of the cache key; the two
    /// kinds of entries never serve each other.
    SeparateEntries,
}

/// How `Access-Control-Expose-Headers` is parsed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ExposeParse {
    /// Firefox (`InternalHeaders::CORSHeaders`): the first item that is not
    /// a token empties the list (a `*` seen before it still counts).
    ClearOnInvalid,
    /// Fetch Standard, and Chromium 156 as observed: extract header list
    /// values; any item that is not a token makes the whole list fail
    /// (nothing exposed beyond the safelist).
    Strict,
}

/// How the request headers appear on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum WireOrder {
    /// Observed in Chromium 156: `Host`, `Connection`, `Content-Length`,
    /// `User-Agent`, then the script's headers (header map order,
    /// duplicates combined with `, `; its `Accept-Language` first), then
    /// `Accept: */*` unless the script set one, `Origin`, the script's
    /// `Range` (re-serialized), `Referer`, `Accept-Encoding`, the default
    /// `Accept-Language`. Preflight: `Host`, `Connection`, `Accept`,
    /// `Access-Control-Request-*`, `Origin`, then `User-Agent`, `Referer`,
    /// `Accept-Encoding`, `Accept-Language`.
    Chromium,
    /// Observed in Firefox ESR 153: `Host`, `User-Agent`, `Accept`,
    /// `Accept-Language`, `Accept-Encoding` (the script's value replacing
    /// the default in its slot), then the script's other headers in the
    /// order set, then `Referer`, `Origin`, `Connection`.
    Firefox,
    /// Observed in WebKitGTK 2.50 (see `wire::webkit_request`). WebCore's
    /// `HTTPHeaderMap` keeps the names it knows before the others, and the
    /// GTK port's libsoup writes the names it knows (in its
    /// `SoupHeaderName` table) before the others, each list in the order
    /// set: the script's headers libsoup knows (spelled its way), the
    /// body's `Content-Type`, `Origin`/`Referer`/`Accept` (in an order that
    /// depends on how the request got its `Origin`), `User-Agent`,
    /// `Content-Length`, `Accept-Encoding`, `Accept-Language`, `Connection:
    /// Keep-Alive`, `Host`, then the script's other headers. Preflight:
    /// `Origin`, `Access-Control-Request-Method`, `Referer`,
    /// `Access-Control-Request-Headers` (WebCore
    /// `createAccessControlPreflightRequest`), then `User-Agent`, `Accept`
    /// and libsoup's. The order and spelling are the GTK port's (Safari's
    /// CFNetwork has its own); the request WebCore builds is Safari's too.
    Webkit,
}

/// What a redirect to a URL that is not HTTP(S) does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum NonHttpRedirect {
    /// Observed in Chromium 156: `data:`, `about:`, `file:`, `blob:` and
    /// `filesystem:` targets are refused by the network stack (no CORS
    /// error); any other scheme (`ftp:`, `javascript:`) reaches the CORS
    /// loader and fails with `CorsDisabledScheme`, quoting the target URL.
    Chromium,
    /// Observed in Firefox ESR 153: `ftp:` and `about:` targets fail with
    /// `CORSRequestNotHttp` quoting the target URL; `data:`, `javascript:`
    /// and `file:` with `CORSDidNotSucceed` (status `(null)`) quoting the
    /// URL that redirected.
    Firefox,
    /// Fetch Standard: a network error.
    NetworkError,
    /// Observed in WebKitGTK 2.50: `ftp:` fails in the network layer
    /// (WebKit's `NetworkLoad`: "FTP URLs are disabled"); any other scheme
    /// fails the CORS redirect check ("not allowed to follow a cross-origin
    /// CORS redirection with non CORS scheme"), quoting the target URL,
    /// even from the page's own origin.
    Webkit,
}

/// What a redirect status with an empty `Location` does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum EmptyLocation {
    /// Observed in Firefox ESR 153, and what the URL parser gives the
    /// standard: a redirect to the same URL, so it loops to the redirect
    /// limit.
    Follow,
    /// Observed in Chromium 156: not a redirect; the response is final.
    Final,
    /// Observed in WebKitGTK 2.50: a network error, with no console line.
    NetworkError,
}

/// When a cached `*` in `Access-Control-Allow-Methods` or `-Headers`
/// covers another method or header name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CacheWildcards {
    /// Firefox's `nsPreflightCache::CacheEntry::CheckRequest` compares
    /// tokens literally, so a `*` never answers from the cache.
    Never,
    /// Chromium and the Fetch Standard: when the entry was made without
    /// credentials.
    EntryUncredentialed,
    /// WebCore `CrossOriginPreflightResultCacheItem::allowsRequest` (so
    /// Safari too): when the request looking the entry up is made without
    /// credentials.
    RequestUncredentialed,
}

/// Which answers the browser's HTTP cache serves again without sending the
/// request (the part of the HTTP cache that changes what CORS sees).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum HttpCacheModel {
    /// Nothing is served from the cache (Firefox ESR 153 sent every
    /// request of the corpus again; the standard leaves heuristic
    /// freshness optional).
    Off,
    /// Observed in Chromium 156 (random holdout cases): the HTTP cache
    /// keeps a `GET`'s 300/301/308/410 answer without caching headers as
    /// fresh for ever (net `GetFreshnessLifetimes`), so a later `GET` of
    /// the same URL does not go on the wire; the cached response is checked
    /// and followed as usual. The same cache clamps a later `GET`'s `Range`
    /// to the length of a complete `200` it holds with a validator.
    Chromium,
    /// WebKit's network cache (so Safari too): 301 and 410 answers without
    /// caching headers are fresh for a year (WebCore
    /// `computeFreshnessLifetimeForHTTPFamily`), 308 is not; the cache is
    /// consulted only for the fetch's first URL (`NetworkResourceLoader::
    /// start`; the redirects are followed by the network load), after the
    /// preflight. The cached redirect is checked again, pass or fail.
    /// Observed in WebKitGTK 2.50 (`random-20261129-196`, `random-7-110`;
    /// not replayed: `random-20261129-157`, a 308).
    Webkit,
}

/// Chromium 156.
static CHROME: Quirks = Quirks {
    request: RequestQuirks {
        user_agent_forbidden: true,
        combine_duplicates: true,
        range_unit_case_sensitive: true,
        unsafe_names_spec_set: true,
    },
    wire: WireQuirks {
        order: WireOrder::Chromium,
        header_map_order: true,
        duplicate_content_type_replaces: false,
        accept_encoding_http: "gzip, deflate",
        accept_encoding_https: "gzip, deflate, br, zstd",
        conditional: ConditionalRequest::MaxAgeZero,
    },
    cors: CorsQuirks {
        acao_order: AcaoOrder::Chromium,
        credentialed_redirects_after_same_origin_start: false,
    },
    preflight: PreflightQuirks {
        redirect: PreflightRedirect::FailFirst,
        parse: PreflightParse::BothThenMatch,
        authorization_under_wildcard: true,
        max_age_cap_s: 7200,
        invalid_max_age: InvalidMaxAge::DefaultFiveSeconds,
        sticky_across_redirects: false,
        ignores_taint: false,
        same_origin_skips_cors_check: false,
        status_first: false,
        original_headers: false,
        quotes_whole_list: false,
        names_as_held: false,
        script_user_agent: false,
        referrer_from_previous_hop: false,
    },
    cache: CacheQuirks {
        update: CacheUpdate::Replace,
        credentials: CacheCredentials::CredentialedServesAll,
        wildcards: CacheWildcards::EntryUncredentialed,
        authorization_under_wildcard: false,
        head_needs_entry: false,
        cors_failure_clears: false,
        max_url_len: Some(1024),
        miss_evicts: false,
        stores_failed_match: false,
    },
    redirect: RedirectQuirks {
        credentials_always_fail: true,
        non_http: NonHttpRedirect::Chromium,
        empty_location: EmptyLocation::Final,
        net_origin_null_on_cross_origin_hop: true,
        delete_becomes_get_cross_origin: false,
        restores_first_headers: false,
        origin_persists: false,
        limit_reported: false,
    },
    // Observed in Chromium 156: an `Access-Control-Expose-Headers` with an
    // item that is not a token exposes nothing beyond the safelist (the
    // network service parses it as the standard does; older Blink was
    // lenient).
    expose: ExposeParse::Strict,
    network: NetworkQuirks {
        status_407_is_network_error: true,
        http_cache: HttpCacheModel::Chromium,
        third_party_cookies: false,
        max_response_head_bytes: 256 * 1024,
    },
};

/// Firefox ESR 153.
static FIREFOX: Quirks = Quirks {
    request: RequestQuirks {
        user_agent_forbidden: false,
        combine_duplicates: false,
        range_unit_case_sensitive: true,
        unsafe_names_spec_set: false,
    },
    wire: WireQuirks {
        order: WireOrder::Firefox,
        header_map_order: false,
        duplicate_content_type_replaces: true,
        accept_encoding_http: "gzip, deflate",
        accept_encoding_https: "gzip, deflate, br, zstd",
        conditional: ConditionalRequest::NoCacheLast,
    },
    cors: CorsQuirks {
        acao_order: AcaoOrder::Firefox,
        credentialed_redirects_after_same_origin_start: false,
    },
    preflight: PreflightQuirks {
        redirect: PreflightRedirect::CorsCheckFirst,
        parse: PreflightParse::MethodsFirst,
        authorization_under_wildcard: true,
        max_age_cap_s: 86400,
        invalid_max_age: InvalidMaxAge::NotCached,
        sticky_across_redirects: true,
        ignores_taint: true,
        same_origin_skips_cors_check: true,
        status_first: false,
        original_headers: false,
        quotes_whole_list: false,
        names_as_held: false,
        script_user_agent: false,
        referrer_from_previous_hop: false,
    },
    cache: CacheQuirks {
        update: CacheUpdate::Merge,
        credentials: CacheCredentials::SeparateEntries,
        wildcards: CacheWildcards::Never,
        authorization_under_wildcard: true,
        head_needs_entry: true,
        cors_failure_clears: true,
        max_url_len: None,
        miss_evicts: false,
        stores_failed_match: false,
    },
    redirect: RedirectQuirks {
        credentials_always_fail: false,
        non_http: NonHttpRedirect::Firefox,
        empty_location: EmptyLocation::Follow,
        net_origin_null_on_cross_origin_hop: false,
        delete_becomes_get_cross_origin: false,
        restores_first_headers: false,
        origin_persists: false,
        limit_reported: false,
    },
    expose: ExposeParse::ClearOnInvalid,
    network: NetworkQuirks {
        status_407_is_network_error: false,
        http_cache: HttpCacheModel::Off,
        third_party_cookies: true,
        max_response_head_bytes: 1024 * 1024,
    },
};

/// WebKit, as observed in WebKitGTK 2.50.6 (libsoup 3.2): every knob that
/// is not the standard's says whether it is WebCore's (and so Safari's) or
/// the GTK port's. Findings: `conformance/webkit-findings.md`.
static WEBKIT: Quirks = Quirks {
    request: RequestQuirks {
        // WebCore's forbidden list has no `User-Agent`: the script's goes
        // out, is not safelisted, and is preflighted (and the preflight
        // carries it too).
        user_agent_forbidden: false,
        // WebCore's `HTTPHeaderMap` combines a repeated name; the safelist
        // sees the combined value (two `text/plain` → not safelisted).
        combine_duplicates: true,
        // WebCore's range parser compares `bytes=` ignoring ASCII case:
        // `Range: Bytes=0-10` goes without preflight.
        range_unit_case_sensitive: false,
        // WebCore `isCORSSafelistedRequestHeader` and the 1,024-byte total
        // (observed: `trigger-header-*-1024`).
        unsafe_names_spec_set: true,
    },
    wire: WireQuirks {
        // GTK port (libsoup's two header lists); Safari's CFNetwork has its
        // own order.
        order: WireOrder::Webkit,
        header_map_order: false,
        // WebCore's `HTTPHeaderMap` combines a second `Content-Type`.
        duplicate_content_type_replaces: false,
        // libsoup's content decoder (GTK port); Safari adds `br`. Not
        // observed over `https:`.
        accept_encoding_http: "gzip, deflate",
        accept_encoding_https: "gzip, deflate",
        // WebKit's network process (so Safari too); the slot after
        // `User-Agent` is libsoup's order.
        conditional: ConditionalRequest::NoCacheAfterUserAgent,
    },
    cors: CorsQuirks {
        // WebCore `passesAccessControlCheck` (Safari too).
        acao_order: AcaoOrder::Webkit,
        // WebKit's `NetworkLoadChecker` (Safari too).
        credentialed_redirects_after_same_origin_start: true,
    },
    preflight: PreflightQuirks {
        // A redirect answer to a preflight is a status outside 200-299,
        // reported before anything else (`status_first`).
        redirect: PreflightRedirect::NotOkStatus,
        // `CrossOriginPreflightResultCacheItem::create` parses both lists
        // before `validateMethodAndHeaders` matches them.
        parse: PreflightParse::BothThenMatch,
        // `validateCrossOriginHeaders` has no special case: `*` covers
        // `Authorization` for a request without credentials.
        authorization_under_wildcard: true,
        // `maxPreflightCacheTimeout`.
        max_age_cap_s: 600,
        // `parseAccessControlMaxAge`: `parseInteger<int64_t>` (`+60` and
        // `060` are 60); unparsable or absent → 5 s; 0 and negative values
        // leave an entry that is never usable.
        invalid_max_age: InvalidMaxAge::DefaultFiveSeconds,
        // `NetworkLoadChecker::checkCORSRequest`: once a step of the fetch
        // went through `checkCORSRequestWithPreflight` (`m_isSimpleRequest`
        // false, even when the cache answered), every later CORS hop
        // preflights; otherwise a hop preflights when its method or the
        // original headers are not simple.
        sticky_across_redirects: true,
        // The preflight carries the tainted `null` origin, as the request.
        ignores_taint: false,
        same_origin_skips_cors_check: false,
        // The five below are WebCore's or WebKit's network process's, so
        // Safari's too (see each field).
        status_first: true,
        original_headers: true,
        quotes_whole_list: true,
        names_as_held: true,
        script_user_agent: true,
        // WebKit's network process (Safari too); the full-URL value itself
        // follows the request's referrer.
        referrer_from_previous_hop: true,
    },
    cache: CacheQuirks {
        // `CrossOriginPreflightResultCache::appendEntry`: one entry per
        // (session, origin, URL), replaced whole.
        update: CacheUpdate::Replace,
        // `allowsRequest`: an entry made without credentials does not serve
        // a credentialed request; a credentialed one serves both.
        credentials: CacheCredentials::CredentialedServesAll,
        // WebCore `CrossOriginPreflightResultCacheItem::allowsRequest`
        // (Safari too), like the preflight check itself: a cached `*`
        // covers `Authorization` (observed: `cache-star-acah-authorization-twice`).
        wildcards: CacheWildcards::RequestUncredentialed,
        authorization_under_wildcard: true,
        head_needs_entry: false,
        cors_failure_clears: false,
        // No URL length limit (`cache-long-url-1100-chars-twice`).
        max_url_len: None,
        // WebCore `CrossOriginPreflightResultCache` (Safari too).
        miss_evicts: true,
        stores_failed_match: true,
    },
    redirect: RedirectQuirks {
        // Userinfo in a same-origin or no-cors redirect is followed.
        credentials_always_fail: false,
        // WebKit's `NetworkLoadChecker` and `NetworkLoad` (Safari too).
        non_http: NonHttpRedirect::Webkit,
        // Observed in WebKitGTK; the layer (WebCore's URL parsing or the
        // soup layer) was not pinned down.
        empty_location: EmptyLocation::NetworkError,
        net_origin_null_on_cross_origin_hop: false,
        // GTK port only (`NetworkDataTaskSoup::shouldRedirectAsGET`).
        delete_becomes_get_cross_origin: true,
        // WebKit's `NetworkLoadChecker` (Safari too).
        restores_first_headers: true,
        // The network layer: GTK's soup layer, WebCore's
        // `redirectedRequest` elsewhere (see the field).
        origin_persists: true,
        // WebKit's `NetworkLoadChecker` (Safari too).
        limit_reported: true,
    },
    // Observed: `exposed` equals Chromium's on every corpus line.
    expose: ExposeParse::Strict,
    network: NetworkQuirks {
        // Observed: a 407 from the origin server is handed to the script.
        status_407_is_network_error: false,
        http_cache: HttpCacheModel::Webkit,
        // WebKitGTK's default cookie policy accepts no third-party cookies
        // (`WEBKIT_COOKIE_POLICY_ACCEPT_NO_THIRD_PARTY`); Safari's ITP
        // blocks them too.
        third_party_cookies: false,
        // libsoup reads a head of any size it can buffer; not observed. The
        // model keeps 1 MiB so hostile input stays bounded.
        max_response_head_bytes: 1024 * 1024,
    },
};

/// The Fetch Standard (wire details as Chromium, which has no choice to make
/// there that the standard constrains).
static SPEC: Quirks = Quirks {
    request: RequestQuirks {
        user_agent_forbidden: false,
        combine_duplicates: false,
        range_unit_case_sensitive: false,
        unsafe_names_spec_set: true,
    },
    wire: WireQuirks {
        order: WireOrder::Chromium,
        header_map_order: false,
        duplicate_content_type_replaces: false,
        accept_encoding_http: "gzip, deflate",
        accept_encoding_https: "gzip, deflate, br, zstd",
        conditional: ConditionalRequest::NoCacheLast,
    },
    cors: CorsQuirks {
        acao_order: AcaoOrder::Chromium,
        credentialed_redirects_after_same_origin_start: false,
    },
    preflight: PreflightQuirks {
        redirect: PreflightRedirect::NotOkStatus,
        parse: PreflightParse::BothThenMatch,
        authorization_under_wildcard: false,
        max_age_cap_s: 7200,
        invalid_max_age: InvalidMaxAge::DefaultFiveSeconds,
        sticky_across_redirects: false,
        ignores_taint: false,
        same_origin_skips_cors_check: false,
        status_first: false,
        original_headers: false,
        quotes_whole_list: false,
        names_as_held: false,
        script_user_agent: false,
        referrer_from_previous_hop: false,
    },
    cache: CacheQuirks {
        update: CacheUpdate::Merge,
        credentials: CacheCredentials::CredentialedServesAll,
        wildcards: CacheWildcards::EntryUncredentialed,
        authorization_under_wildcard: false,
        head_needs_entry: false,
        cors_failure_clears: false,
        max_url_len: None,
        miss_evicts: false,
        stores_failed_match: false,
    },
    redirect: RedirectQuirks {
        credentials_always_fail: false,
        non_http: NonHttpRedirect::NetworkError,
        empty_location: EmptyLocation::Follow,
        net_origin_null_on_cross_origin_hop: false,
        delete_becomes_get_cross_origin: false,
        restores_first_headers: false,
        origin_persists: false,
        limit_reported: false,
    },
    expose: ExposeParse::Strict,
    network: NetworkQuirks {
        status_407_is_network_error: false,
        http_cache: HttpCacheModel::Off,
        third_party_cookies: true,
        max_response_head_bytes: 1024 * 1024,
    },
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for b in Browser::ALL {
            assert_eq!(b.as_str().parse::<Browser>(), Ok(b));
            assert_eq!(b.to_string(), b.as_str());
        }
        assert_eq!("chromium".parse::<Browser>(), Ok(Browser::Chrome));
        assert_eq!("safari".parse::<Browser>(), Ok(Browser::Webkit));
        assert!("netscape".parse::<Browser>().is_err());
    }
}

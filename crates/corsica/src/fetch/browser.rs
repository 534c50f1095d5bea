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
    /// The Fetch Standard, where the browsers depart from it. Failures use
    /// Chromium's reason names and console wording, since the standard has
    /// none of its own.
    Spec,
}

impl Browser {
    /// Every browser the model knows, in a stable order.
    pub const ALL: [Browser; 3] = [Browser::Chrome, Browser::Firefox, Browser::Spec];

    /// The name used in the case format and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Browser::Chrome => "chrome",
            Browser::Firefox => "firefox",
            Browser::Spec => "spec",
        }
    }

    /// The behaviour knobs of this browser.
    pub(crate) fn quirks(self) -> &'static Quirks {
        match self {
            Browser::Chrome => &CHROME,
            Browser::Firefox => &FIREFOX,
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
        }
    }

    /// The `Accept-Language` a fresh profile of this browser sends in an
    /// `en-US` locale.
    pub fn default_accept_language(self) -> &'static str {
        match self {
            Browser::Chrome | Browser::Spec => "en-US,en;q=0.9",
            Browser::Firefox => "en-US,en;q=0.5",
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
#[error("unknown browser {0:?}; use chrome, firefox or spec")]
pub struct UnknownBrowser(pub String);

impl FromStr for Browser {
    type Err = UnknownBrowser;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "chrome" | "chromium" | "edge" => Ok(Browser::Chrome),
            "firefox" => Ok(Browser::Firefox),
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
}

/// The CORS check.
#[derive(Clone, Copy, Debug)]
pub(crate) struct CorsQuirks {
    /// The order of checks and the classification of a failure.
    pub(crate) acao_order: AcaoOrder,
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
}

/// The CORS-preflight cache.
#[derive(Clone, Copy, Debug)]
pub(crate) struct CacheQuirks {
    /// How a successful preflight updates the cache.
    pub(crate) update: CacheUpdate,
    /// Whether credentialed entries serve uncredentialed requests.
    pub(crate) credentials: CacheCredentials,
    /// Whether the cache honours a cached `*` method or header name.
    /// Firefox's `nsPreflightCache::CacheEntry::CheckRequest` compares
    /// tokens literally, so a `*` never answers from the cache.
    pub(crate) wildcards: bool,
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
    /// Whether a redirect status with an empty `Location` is a redirect
    /// (to the same URL, so it loops to the redirect limit): observed in
    /// Firefox ESR 153, and what the URL parser gives the standard.
    /// Chromium treats it as a final response.
    pub(crate) empty_location_redirects: bool,
    /// Chromium's network stack (`RedirectUtil::UpdateHttpRequest`) sets a
    /// present `Origin` to `null` on every cross-origin redirect it follows
    /// itself, i.e. in `no-cors` mode, even from the page's own origin
    /// where the standard's taint rule keeps the origin. Read from
    /// Chromium's source; no conformance case has exercised it yet.
    pub(crate) net_origin_null_on_cross_origin_hop: bool,
}

/// The network layer below Fetch: the HTTP cache and response limits.
#[derive(Clone, Copy, Debug)]
pub(crate) struct NetworkQuirks {
    /// Whether a 407 answer to a request not made through a proxy is a
    /// network error before any CORS check. Observed in Chromium 156
    /// (`ERR_UNEXPECTED_PROXY_AUTH`), with no CORS message.
    pub(crate) status_407_is_network_error: bool,
    /// Observed in Chromium 156 (random holdout cases): the HTTP cache
    /// keeps a `GET`'s 300/301/308/410 answer without caching headers as
    /// fresh for ever (net `GetFreshnessLifetimes`), so a later `GET` of
    /// the same URL does not go on the wire; the cached response is checked
    /// and followed as usual. Firefox ESR 153 sent those requests again.
    /// The same cache clamps a later `GET`'s `Range` to the length of a
    /// complete `200` it holds with a validator.
    pub(crate) http_cache_implicitly_fresh: bool,
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
    },
    cache: CacheQuirks {
        update: CacheUpdate::Replace,
        credentials: CacheCredentials::CredentialedServesAll,
        wildcards: true,
        authorization_under_wildcard: false,
        head_needs_entry: false,
        cors_failure_clears: false,
        max_url_len: Some(1024),
    },
    redirect: RedirectQuirks {
        credentials_always_fail: true,
        non_http: NonHttpRedirect::Chromium,
        empty_location_redirects: false,
        net_origin_null_on_cross_origin_hop: true,
    },
    // Observed in Chromium 156: an `Access-Control-Expose-Headers` with an
    // item that is not a token exposes nothing beyond the safelist (the
    // network service parses it as the standard does; older Blink was
    // lenient).
    expose: ExposeParse::Strict,
    network: NetworkQuirks {
        status_407_is_network_error: true,
        http_cache_implicitly_fresh: true,
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
    },
    cache: CacheQuirks {
        update: CacheUpdate::Merge,
        credentials: CacheCredentials::SeparateEntries,
        wildcards: false,
        authorization_under_wildcard: true,
        head_needs_entry: true,
        cors_failure_clears: true,
        max_url_len: None,
    },
    redirect: RedirectQuirks {
        credentials_always_fail: false,
        non_http: NonHttpRedirect::Firefox,
        empty_location_redirects: true,
        net_origin_null_on_cross_origin_hop: false,
    },
    expose: ExposeParse::ClearOnInvalid,
    network: NetworkQuirks {
        status_407_is_network_error: false,
        http_cache_implicitly_fresh: false,
        third_party_cookies: true,
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
    },
    cache: CacheQuirks {
        update: CacheUpdate::Merge,
        credentials: CacheCredentials::CredentialedServesAll,
        wildcards: true,
        authorization_under_wildcard: false,
        head_needs_entry: false,
        cors_failure_clears: false,
        max_url_len: None,
    },
    redirect: RedirectQuirks {
        credentials_always_fail: false,
        non_http: NonHttpRedirect::NetworkError,
        empty_location_redirects: true,
        net_origin_null_on_cross_origin_hop: false,
    },
    expose: ExposeParse::Strict,
    network: NetworkQuirks {
        status_407_is_network_error: false,
        http_cache_implicitly_fresh: false,
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
        assert!("netscape".parse::<Browser>().is_err());
    }
}

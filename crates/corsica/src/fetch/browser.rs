//! Where Chromium, Firefox and the Fetch Standard differ: one struct of
//! named knobs, one constant per browser.
//!
//! The algorithms in the sibling modules read these knobs and nothing else
//! to decide between behaviours; each knob says what each browser does and
//! where that was seen.

/// The order in which the CORS check examines `Access-Control-Allow-Origin`
/// and `Access-Control-Allow-Credentials`, which decides the error reported
/// when several things are wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AcaoOrder {
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
pub enum PreflightRedirect {
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
pub enum PreflightParse {
    /// Chromium and the Fetch Standard: parse both lists, then match the
    /// method, then the headers. A bad `Access-Control-Allow-Headers` wins
    /// over a disallowed method.
    BothThenMatch,
    /// Firefox: parse and match methods, then parse and match headers.
    MethodsFirst,
}

/// What an `Access-Control-Max-Age` that is not a number does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InvalidMaxAge {
    /// Chromium and the Fetch Standard: use the 5 second default. A negative
    /// number is 0 (Chromium).
    DefaultFiveSeconds,
    /// Firefox: only ASCII digits are accepted; anything else (and 0)
    /// leaves the cache untouched.
    NotCached,
}

/// How a successful preflight updates the cache.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CacheUpdate {
    /// Chromium: one result per (origin, URL); a new preflight replaces the
    /// previous result, methods and headers alike.
    Replace,
    /// Firefox and the Fetch Standard: one expiry per method and per header
    /// name; a new preflight adds to (or refreshes) the existing ones.
    Merge,
}

/// How credentialed and uncredentialed entries share the cache.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CacheCredentials {
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
pub enum ExposeParse {
    /// Firefox (`InternalHeaders::CORSHeaders`): the first item that is not
    /// a token empties the list (a `*` seen before it still counts).
    ClearOnInvalid,
    /// Fetch Standard, and Chromium 156 as observed: extract header list
    /// values; any item that is not a token makes the whole list fail
    /// (nothing exposed beyond the safelist).
    Strict,
}

/// How the request headers appear on the wire (the `sent` field).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WireOrder {
    /// Observed in Chromium 156: `Host`, `Connection`, `User-Agent`, then
    /// the script's `Accept-Language`, then the script's other headers in
    /// the order set (duplicates combined with `, `), then `Accept: */*`
    /// unless the script set one, `Origin`, the script's `Range`
    /// (re-serialized), `Referer`, `Accept-Encoding`, the default
    /// `Accept-Language`. Preflight: `Accept`, `Access-Control-Request-*`,
    /// `Origin`, then `User-Agent`, `Referer`, `Accept-Encoding`,
    /// `Accept-Language`.
    Chromium,
    /// Observed in Firefox ESR 153: `Host`, `User-Agent`, `Accept`,
    /// `Accept-Language`, `Accept-Encoding` (the script's value replacing
    /// the default in its slot), then the script's other headers in the
    /// order set, then `Referer`, `Origin`, `Connection`.
    Firefox,
}

/// What a redirect to a URL that is not HTTP(S) does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NonHttpRedirect {
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

/// Headers the browser itself puts on the wire, which show in `sent` only
/// when the script named them too (the script's own value was dropped as
/// forbidden, or never replaces the browser's).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WireDefaults {
    /// The `User-Agent` value.
    pub user_agent: &'static str,
    /// The default `Accept-Language` value.
    pub accept_language: &'static str,
    /// The `Accept-Encoding` value on `http:`.
    pub accept_encoding: &'static str,
}

/// The behaviour knobs of one browser.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quirks {
    /// The CORS check's order of checks and error classification.
    pub acao_order: AcaoOrder,
    /// How a redirected preflight fails.
    pub preflight_redirect: PreflightRedirect,
    /// Parse order of the preflight's allow lists.
    pub preflight_parse: PreflightParse,
    /// Whether `Access-Control-Allow-Headers: *` covers `Authorization` on
    /// an uncredentialed request. Chromium 156 and Firefox ESR 153: yes
    /// (Chromium only raises a DevTools deprecation issue; Firefox logs a
    /// warning); the Fetch Standard: no.
    pub authorization_under_wildcard: bool,
    /// Whether a cached `*` covers `Authorization`. Chromium applies the
    /// standard's rule on cache lookups even though the preflight check
    /// itself does not, so such a request preflights every time.
    pub cache_authorization_under_wildcard: bool,
    /// Largest `Access-Control-Max-Age` honoured, in seconds: Chromium 7200,
    /// Firefox 86400; the standard leaves it to the user agent (7200 here).
    pub max_age_cap_s: u64,
    /// What a non-numeric `Access-Control-Max-Age` does.
    pub invalid_max_age: InvalidMaxAge,
    /// How a successful preflight updates the cache.
    pub cache_update: CacheUpdate,
    /// Whether credentialed entries serve uncredentialed requests.
    pub cache_credentials: CacheCredentials,
    /// Whether the cache honours a cached `*` method or header name.
    /// Firefox's `nsPreflightCache::CacheEntry::CheckRequest` compares
    /// tokens literally, so a `*` never answers from the cache.
    pub cache_wildcards: bool,
    /// Firefox: a cache hit skips the method check only for `GET` and
    /// `POST` (a `HEAD` needs a cached `HEAD`). Chromium and the standard
    /// treat every safelisted method as allowed.
    pub cache_head_needs_entry: bool,
    /// Whether a failed CORS check on any response of a URL removes that
    /// URL's cache entries (Firefox `nsCORSListenerProxy::OnStartRequest`).
    /// The standard and Chromium only drop what a failed preflight would
    /// have created.
    pub cors_failure_clears_cache: bool,
    /// Whether a script-set `User-Agent` is dropped like a forbidden header
    /// (Chromium, crbug 571722) rather than sent (Firefox, standard), where
    /// it is not safelisted and so forces a preflight.
    pub user_agent_forbidden: bool,
    /// Whether duplicate request headers are combined (`, `) before the
    /// safelist is applied (Chromium's `HTTPHeaderMap`), rather than checked
    /// one by one (standard).
    pub combine_request_headers: bool,
    /// How `Access-Control-Expose-Headers` is parsed.
    pub expose_parse: ExposeParse,
    /// Header order and combination on the wire.
    pub wire: WireOrder,
    /// Header values the browser sends on its own.
    pub wire_defaults: WireDefaults,
    /// URLs this long or longer are not put in the preflight cache
    /// (Chromium `PreflightCache`: 1024, observed in Chromium 156).
    pub cache_max_url_len: Option<usize>,
    /// Whether a redirect to a `Location` with a username or password fails
    /// even where the CORS rules allow it (same-origin and `no-cors`
    /// requests). Observed in Chromium 156: a plain network error, no CORS
    /// message. Firefox ESR 153 and the standard follow it.
    pub redirect_credentials_always_fail: bool,
    /// Whether a 407 answer to a request not made through a proxy is a
    /// network error before any CORS check. Observed in Chromium 156
    /// (`ERR_UNEXPECTED_PROXY_AUTH`), with no CORS message.
    pub status_407_is_network_error: bool,
    /// What a redirect to a URL that is not HTTP(S) does.
    pub non_http_redirect: NonHttpRedirect,
    /// Whether a `Range` value must start with lowercase `bytes` to be
    /// safelisted. Observed in Chromium 156 and Firefox ESR 153 (`BYTES=0-`
    /// is preflighted); the Fetch Standard matches the unit
    /// case-insensitively.
    pub range_unit_case_sensitive: bool,
    /// Observed in Firefox ESR 153: once a cross-origin hop needed a
    /// preflight, every later CORS hop preflights again, even when the
    /// method became GET; and a request whose headers were unsafe at the
    /// start preflights every cross-origin hop even after those headers
    /// were removed. A request that needed no preflight on its first
    /// cross-origin hop (e.g. a same-origin `DELETE` turned into a `GET`)
    /// decides again from its current method. Chromium and the standard
    /// decide again from the request as it is now.
    pub preflight_sticky_across_redirects: bool,
    /// Observed in Firefox ESR 153: after a redirect taints the origin, the
    /// preflight still carries (and is checked against) the page's own
    /// origin; only the actual request says `Origin: null`.
    pub preflight_ignores_taint: bool,
    /// Observed in Firefox ESR 153: a second `Content-Type` replaces the
    /// first on the wire (other duplicates are combined with `, `).
    pub duplicate_header_replaces: bool,
    /// Whether the CORS-unsafe names are the standard's set (1024-byte
    /// total, deduplicated). Observed in Firefox ESR 153: no total, and
    /// duplicates stay (`Access-Control-Request-Headers: x-custom,x-custom`).
    pub unsafe_names_spec_set: bool,
    /// Whether a redirect status with an empty `Location` is a redirect
    /// (to the same URL, so it loops to the redirect limit): observed in
    /// Firefox ESR 153, and what the URL parser gives the standard.
    /// Chromium treats it as a final response.
    pub empty_location_redirects: bool,
    /// Whether the script's headers go on the wire in Blink's
    /// `HTTPHeaderMap` hash-table order (Chromium 156, see `header_map`)
    /// rather than in the order set (the standard's header list).
    pub header_map_order: bool,
    /// Chromium's network stack (`RedirectUtil::UpdateHttpRequest`) sets a
    /// present `Origin` to `null` on every cross-origin redirect it follows
    /// itself, i.e. in `no-cors` mode, even from the page's own origin
    /// where the standard's taint rule keeps the origin. Read from
    /// Chromium's source; no conformance case has exercised it yet.
    pub net_origin_null_on_cross_origin_hop: bool,
    /// Observed in Chromium 156 (random holdout cases): the HTTP cache
    /// keeps a `GET`'s 300/301/308/410 answer without caching headers as
    /// fresh for ever (net `GetFreshnessLifetimes`), so a later `GET` of
    /// the same URL in the case does not go on the wire; the cached
    /// response is checked and followed as usual. Firefox ESR 153 sent
    /// those requests again. The same cache clamps a later `GET`'s `Range`
    /// to the length of a complete `200` it holds with a validator.
    pub http_cache_implicitly_fresh: bool,
}

/// Chromium 156.
pub(crate) static CHROME: Quirks = Quirks {
    acao_order: AcaoOrder::Chromium,
    preflight_redirect: PreflightRedirect::FailFirst,
    preflight_parse: PreflightParse::BothThenMatch,
    authorization_under_wildcard: true,
    cache_authorization_under_wildcard: false,
    max_age_cap_s: 7200,
    invalid_max_age: InvalidMaxAge::DefaultFiveSeconds,
    cache_update: CacheUpdate::Replace,
    cache_credentials: CacheCredentials::CredentialedServesAll,
    cache_wildcards: true,
    cache_head_needs_entry: false,
    cors_failure_clears_cache: false,
    user_agent_forbidden: true,
    combine_request_headers: true,
    // Observed in Chromium 156: an `Access-Control-Expose-Headers` with an
    // item that is not a token exposes nothing beyond the safelist (the
    // network service parses it as the standard does; older Blink was
    // lenient).
    expose_parse: ExposeParse::Strict,
    wire: WireOrder::Chromium,
    wire_defaults: WireDefaults {
        user_agent: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) \
                     HeadlessChrome/156.0.0.0 Safari/537.36",
        accept_language: "en-US,en;q=0.9",
        accept_encoding: "gzip, deflate",
    },
    cache_max_url_len: Some(1024),
    redirect_credentials_always_fail: true,
    status_407_is_network_error: true,
    non_http_redirect: NonHttpRedirect::Chromium,
    range_unit_case_sensitive: true,
    preflight_sticky_across_redirects: false,
    preflight_ignores_taint: false,
    duplicate_header_replaces: false,
    unsafe_names_spec_set: true,
    empty_location_redirects: false,
    header_map_order: true,
    net_origin_null_on_cross_origin_hop: true,
    http_cache_implicitly_fresh: true,
};

/// Firefox ESR 153.
pub(crate) static FIREFOX: Quirks = Quirks {
    acao_order: AcaoOrder::Firefox,
    preflight_redirect: PreflightRedirect::CorsCheckFirst,
    preflight_parse: PreflightParse::MethodsFirst,
    authorization_under_wildcard: true,
    cache_authorization_under_wildcard: true,
    max_age_cap_s: 86400,
    invalid_max_age: InvalidMaxAge::NotCached,
    cache_update: CacheUpdate::Merge,
    cache_credentials: CacheCredentials::SeparateEntries,
    cache_wildcards: false,
    cache_head_needs_entry: true,
    cors_failure_clears_cache: true,
    user_agent_forbidden: false,
    combine_request_headers: false,
    expose_parse: ExposeParse::ClearOnInvalid,
    wire: WireOrder::Firefox,
    wire_defaults: WireDefaults {
        user_agent: "Mozilla/5.0 (X11; Linux x86_64; rv:153.0) Gecko/20100101 Firefox/153.0",
        accept_language: "en-US,en;q=0.9",
        accept_encoding: "gzip, deflate",
    },
    cache_max_url_len: None,
    redirect_credentials_always_fail: false,
    status_407_is_network_error: false,
    non_http_redirect: NonHttpRedirect::Firefox,
    range_unit_case_sensitive: true,
    preflight_sticky_across_redirects: true,
    preflight_ignores_taint: true,
    duplicate_header_replaces: true,
    unsafe_names_spec_set: false,
    empty_location_redirects: true,
    header_map_order: false,
    net_origin_null_on_cross_origin_hop: false,
    http_cache_implicitly_fresh: false,
};

/// The Fetch Standard (wire details as Chromium, which has no choice to make
/// there that the standard constrains).
pub(crate) static SPEC: Quirks = Quirks {
    acao_order: AcaoOrder::Chromium,
    preflight_redirect: PreflightRedirect::NotOkStatus,
    preflight_parse: PreflightParse::BothThenMatch,
    authorization_under_wildcard: false,
    cache_authorization_under_wildcard: false,
    max_age_cap_s: 7200,
    invalid_max_age: InvalidMaxAge::DefaultFiveSeconds,
    cache_update: CacheUpdate::Merge,
    cache_credentials: CacheCredentials::CredentialedServesAll,
    cache_wildcards: true,
    cache_head_needs_entry: false,
    cors_failure_clears_cache: false,
    user_agent_forbidden: false,
    combine_request_headers: false,
    expose_parse: ExposeParse::Strict,
    wire: WireOrder::Chromium,
    wire_defaults: CHROME.wire_defaults,
    cache_max_url_len: None,
    redirect_credentials_always_fail: false,
    status_407_is_network_error: false,
    non_http_redirect: NonHttpRedirect::NetworkError,
    range_unit_case_sensitive: false,
    preflight_sticky_across_redirects: false,
    preflight_ignores_taint: false,
    duplicate_header_replaces: false,
    unsafe_names_spec_set: true,
    empty_location_redirects: true,
    header_map_order: false,
    net_origin_null_on_cross_origin_hop: false,
    http_cache_implicitly_fresh: false,
};

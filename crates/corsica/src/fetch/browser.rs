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
    /// Chromium (Blink `ParseAccessControlExposeHeadersAllowList`): split on
    /// commas, trim, keep every non-empty item, no token check.
    Lenient,
    /// Firefox (`InternalHeaders::CORSHeaders`): the first item that is not
    /// a token empties the list (a `*` seen before it still counts).
    ClearOnInvalid,
    /// Fetch Standard: extract header list values; any item that is not a
    /// token makes the whole list fail (nothing exposed beyond the
    /// safelist).
    Strict,
}

/// How the request headers appear on the wire (the `sent` field).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WireOrder {
    /// Chromium: the script's headers (Blink keeps them sorted by name,
    /// case-insensitively, with duplicates combined with `, `), then
    /// `Accept: */*` unless the script set one, then `Origin`.
    Chromium,
    /// Firefox: `Accept` first, then the script's headers in the order set,
    /// then `Origin`.
    Firefox,
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
    expose_parse: ExposeParse::Lenient,
    wire: WireOrder::Chromium,
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
};

//! The CORS preflight: when one is needed and whether its response lets
//! the actual request go.
//!
//! <https://fetch.spec.whatwg.org/#cors-preflight-fetch-0>

use std::collections::HashSet;

use super::browser::{InvalidMaxAge, PreflightParse, PreflightRedirect, Quirks};
use super::cors_check::cors_check;
use super::failure::{Failure, Reason};
use super::response::{Known, ResponseHead};
use crate::headers;

/// <https://fetch.spec.whatwg.org/#main-fetch>, step 12 ("cors-with-
/// preflight"): a CORS request needs a preflight when its method is not
/// CORS-safelisted or it has CORS-unsafe headers (fetch() always sets the
/// unsafe-request flag).
pub(super) fn is_needed(method: &str, unsafe_names: &[String]) -> bool {
    !headers::is_cors_safelisted_method(method) || !unsafe_names.is_empty()
}

/// What a successful preflight allows, for the cache.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Grant {
    /// `Access-Control-Allow-Methods` items, as sent.
    pub(crate) methods: Vec<String>,
    /// `Access-Control-Allow-Headers` items, lowercased.
    pub(crate) headers: Vec<String>,
    /// How long the browser may reuse it, in seconds; `None`: not cached.
    pub(crate) max_age_s: Option<u64>,
}

/// The request a preflight is for.
#[derive(Clone, Copy, Debug)]
pub(crate) struct PreflightFor<'a> {
    /// The (normalized) method.
    pub(crate) method: &'a str,
    /// Its CORS-unsafe header names, lowercased and sorted.
    pub(crate) unsafe_names: &'a [String],
    /// The same names in the order the browser checks them against
    /// `Access-Control-Allow-Headers`, when that is not sorted (Chromium:
    /// see `request::in_header_map_order`); the first one not allowed is
    /// the one the error names.
    pub(crate) check_order: Option<&'a [String]>,
    /// Whether its credentials mode is `include`.
    pub(crate) include: bool,
    /// Its serialized origin (`null` once tainted).
    pub(crate) origin: &'a str,
    /// Whether the preflight's URL is on the page's own origin.
    pub(crate) same_origin: bool,
}

/// The preflight response.
#[derive(Clone, Copy, Debug)]
pub(crate) struct PreflightResponse<'a, 'h> {
    /// Its head.
    pub(crate) head: &'a ResponseHead<'h>,
    /// Whether it is a redirect (a redirect status with a `Location`).
    pub(crate) is_redirect: bool,
}

/// Extract header list values of an allow list: Chromium and the standard
/// use "get, decode, and split" (quotes respected), Firefox's tokenizer
/// splits on every comma; either way an item holding a `"` is not a token
/// and fails, so [`headers::parse_token_list`] decides the same. Only the
/// reported item can differ, and only Firefox prints it.
/// WebCore's `parseAccessControlAllowList` (items trimmed, empty ones
/// skipped, every other one a token) decides the same too; WebKit quotes
/// the whole value (`PreflightQuirks::quotes_whole_list`).
fn parse_allow_list(value: Option<&str>, quirks: &Quirks) -> Result<Vec<String>, String> {
    let Some(value) = value else {
        return Ok(Vec::new());
    };
    headers::parse_token_list(value)
        .map(|items| items.into_iter().map(str::to_owned).collect())
        .map_err(|token| {
            if quirks.preflight.quotes_whole_list {
                value.to_owned()
            } else {
                token.to_owned()
            }
        })
}

/// The methods and header names a preflight's answer listed, each list
/// empty when absent or unparseable: what a fix must keep when it adds
/// the one the request needed (`explain::Fix`).
pub(crate) fn listed(head: &ResponseHead<'_>, quirks: &Quirks) -> Listed {
    let list =
        |known| parse_allow_list(head.get_known(known).as_deref(), quirks).unwrap_or_default();
    Listed {
        methods: list(Known::AllowMethods),
        headers: list(Known::AllowHeaders),
    }
}

/// What a failing preflight's answer allowed, as the server sent it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Listed {
    /// `Access-Control-Allow-Methods` items.
    pub(crate) methods: Vec<String>,
    /// `Access-Control-Allow-Headers` items.
    pub(crate) headers: Vec<String>,
}

/// What the preflight's answer grants, when both allow lists parse:
/// WebCore stores it in the cache before it checks the method and the
/// headers (`CacheQuirks::stores_failed_match`).
pub(crate) fn grant_of(head: &ResponseHead<'_>, quirks: &Quirks) -> Option<Grant> {
    let methods = parse_allow_list(head.get_known(Known::AllowMethods).as_deref(), quirks).ok()?;
    let headers = parse_allow_list(head.get_known(Known::AllowHeaders).as_deref(), quirks).ok()?;
    Some(Grant {
        methods,
        headers: headers
            .into_iter()
            .map(|mut h| {
                h.make_ascii_lowercase();
                h
            })
            .collect(),
        max_age_s: max_age(head, quirks),
    })
}

/// Fetch: CORS-preflight fetch, step 7.4-7.7: the method is allowed when
/// listed (case-sensitively), safelisted, or covered by `*` without
/// credentials.
pub(crate) fn method_allowed(methods: &[String], method: &str, include: bool) -> bool {
    methods.iter().any(|m| m == method)
        || headers::is_cors_safelisted_method(method)
        || (!include && methods.iter().any(|m| m == "*"))
}

/// Fetch: CORS-preflight fetch, steps 7.8-7.9: the first header name the
/// list does not allow. `allowed` is lowercased; a long list is looked up
/// through a set, so a hostile `Access-Control-Allow-Headers` costs linear
/// time.
pub(crate) fn first_disallowed_header<'n>(
    allowed: &[String],
    names: &'n [String],
    include: bool,
    authorization_under_wildcard: bool,
) -> Option<&'n str> {
    let star = !include && allowed.iter().any(|h| h == "*");
    let set: Option<HashSet<&str>> =
        (allowed.len() * names.len() > 256).then(|| allowed.iter().map(String::as_str).collect());
    names
        .iter()
        .find(|name| {
            let listed = match &set {
                Some(set) => set.contains(name.as_str()),
                None => allowed.iter().any(|h| h == *name),
            };
            if listed {
                return false;
            }
            if star {
                // Step 7.8: `*` never covers a CORS non-wildcard request-header
                // name (`Authorization`) in the standard; Chromium 156 and
                // Firefox ESR 153 let it.
                return headers::is_cors_non_wildcard_request_header_name(name)
                    && !authorization_under_wildcard;
            }
            true
        })
        .map(String::as_str)
}

/// Parses `Access-Control-Max-Age` into seconds to cache, or `None`.
pub(crate) fn max_age(head: &ResponseHead<'_>, quirks: &Quirks) -> Option<u64> {
    let value = head.get_known(Known::MaxAge);
    match quirks.preflight.invalid_max_age {
        InvalidMaxAge::DefaultFiveSeconds => {
            // Chromium `ParseAccessControlMaxAge` / Fetch step 7.10: absent or
            // unparsable → 5 s; negative → 0; capped.
            let Some(value) = value else { return Some(5) };
            let Some(seconds) = parse_i64(&value) else {
                return Some(5);
            };
            Some(if seconds < 0 {
                0
            } else {
                (seconds as u64).min(quirks.preflight.max_age_cap_s)
            })
        }
        InvalidMaxAge::NotCached => {
            // Firefox `AddResultToCache`: empty → 5 s; digits only, capped as
            // they accumulate; anything else, or 0, is not cached.
            let value = value.unwrap_or_default();
            if value.is_empty() {
                return Some(5);
            }
            let mut age: u64 = 0;
            for b in value.bytes() {
                if !b.is_ascii_digit() {
                    return None;
                }
                age = (age * 10 + u64::from(b - b'0')).min(quirks.preflight.max_age_cap_s);
            }
            (age > 0).then_some(age)
        }
    }
}

/// `base::StringToInt64`: an optional sign and digits, nothing else, no
/// overflow.
fn parse_i64(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse::<i64>().ok()
}

/// Fetch: CORS-preflight fetch, step 7, in the browser's order of checks.
pub(crate) fn check(
    resp: PreflightResponse<'_, '_>,
    req: PreflightFor<'_>,
    quirks: &Quirks,
) -> Result<Grant, Failure> {
    let status = resp.head.status();
    let fail = |reason| Failure::new(reason, true, Some(status));
    // WebKit: the status before anything else.
    if quirks.preflight.status_first && !(200..=299).contains(&status) {
        return Err(fail(Reason::PreflightInvalidStatus));
    }
    // Chromium: a redirect fails before any header is read.
    if resp.is_redirect && quirks.preflight.redirect == PreflightRedirect::FailFirst {
        return Err(fail(Reason::PreflightDisallowedRedirect));
    }
    // Step 7.1: a CORS check (with the actual request's credentials mode)...
    if !(req.same_origin && quirks.preflight.same_origin_skips_cors_check) {
        cors_check(resp.head, req.origin, req.include, quirks).map_err(fail)?;
    }
    // Firefox: the CORS-checked redirect is then refused.
    if resp.is_redirect && quirks.preflight.redirect == PreflightRedirect::CorsCheckFirst {
        return Err(fail(Reason::PreflightDisallowedRedirect));
    }
    // ...and an ok status.
    if !(200..=299).contains(&status) {
        return Err(fail(Reason::PreflightInvalidStatus));
    }
    let acam = resp.head.get_known(Known::AllowMethods);
    let acah = resp.head.get_known(Known::AllowHeaders);
    let (methods, allowed_headers) = match quirks.preflight.parse {
        PreflightParse::BothThenMatch => {
            // Step 7.2: extract both lists; failure → network error.
            let methods = parse_allow_list(acam.as_deref(), quirks)
                .map_err(|token| fail(Reason::InvalidAllowMethods { token }))?;
            let hs = parse_allow_list(acah.as_deref(), quirks)
                .map_err(|token| fail(Reason::InvalidAllowHeaders { token }))?;
            // Step 7.4-7.5: the method.
            if !method_allowed(&methods, req.method, req.include) {
                return Err(fail(Reason::MethodDisallowed {
                    method: req.method.to_owned(),
                }));
            }
            (methods, hs)
        }
        PreflightParse::MethodsFirst => {
            // Firefox `CheckPreflightRequestApproved`: methods parsed and
            // matched before the headers are parsed.
            let methods = parse_allow_list(acam.as_deref(), quirks)
                .map_err(|token| fail(Reason::InvalidAllowMethods { token }))?;
            if !method_allowed(&methods, req.method, req.include) {
                return Err(fail(Reason::MethodDisallowed {
                    method: req.method.to_owned(),
                }));
            }
            let hs = parse_allow_list(acah.as_deref(), quirks)
                .map_err(|token| fail(Reason::InvalidAllowHeaders { token }))?;
            (methods, hs)
        }
    };
    // Step 7.6-7.9: the headers (names are compared lowercase).
    let allowed_headers: Vec<String> = allowed_headers
        .into_iter()
        .map(|mut h| {
            h.make_ascii_lowercase();
            h
        })
        .collect();
    if let Some(name) = first_disallowed_header(
        &allowed_headers,
        req.check_order.unwrap_or(req.unsafe_names),
        req.include,
        quirks.preflight.authorization_under_wildcard,
    ) {
        return Err(fail(Reason::HeaderDisallowed {
            name: name.to_owned(),
        }));
    }
    // Step 7.10: max-age.
    Ok(Grant {
        methods,
        headers: allowed_headers,
        max_age_s: max_age(resp.head, quirks),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fetch::Browser;
    use crate::fetch::test_support::{head, hs};

    const O: &str = "http://app.test:8001";

    fn run(
        b: Browser,
        pairs: &[(&str, &str)],
        status: u16,
        method: &str,
        names: &[&str],
        include: bool,
    ) -> Result<Grant, Reason> {
        let h = head(status, pairs);
        let names: Vec<String> = names.iter().map(|s| s.to_string()).collect();
        check(
            PreflightResponse {
                head: &h,
                is_redirect: false,
            },
            PreflightFor {
                method,
                unsafe_names: &names,
                check_order: None,
                include,
                origin: O,
                same_origin: false,
            },
            b.quirks(),
        )
        .map_err(|f| f.reason)
    }

    #[test]
    fn need_follows_method_and_headers() {
        assert!(!is_needed("POST", &[]));
        assert!(is_needed("PUT", &[]));
        assert!(is_needed("patch", &[]));
        assert!(is_needed("GET", &["x-a".into()]));
    }

    #[test]
    fn acao_is_checked_before_status() {
        assert_eq!(
            run(Browser::Chrome, &[], 404, "PUT", &[], false),
            Err(Reason::MissingAllowOriginHeader)
        );
        assert_eq!(
            run(
                Browser::Chrome,
                &[("Access-Control-Allow-Origin", "*")],
                404,
                "PUT",
                &[],
                false
            ),
            Err(Reason::PreflightInvalidStatus)
        );
    }

    #[test]
    fn parse_order_differs() {
        let pairs = [
            ("Access-Control-Allow-Origin", "*"),
            ("Access-Control-Allow-Methods", "GET"),
            ("Access-Control-Allow-Headers", "a b"),
        ];
        assert_eq!(
            run(Browser::Chrome, &pairs, 204, "PUT", &[], false),
            Err(Reason::InvalidAllowHeaders {
                token: "a b".into()
            })
        );
        assert_eq!(
            run(Browser::Firefox, &pairs, 204, "PUT", &[], false),
            Err(Reason::MethodDisallowed {
                method: "PUT".into()
            })
        );
    }

    #[test]
    fn methods_are_case_sensitive_and_star_needs_no_credentials() {
        let p = [
            ("Access-Control-Allow-Origin", O),
            ("Access-Control-Allow-Methods", "PATCH"),
            ("Access-Control-Allow-Credentials", "true"),
        ];
        assert_eq!(
            run(Browser::Chrome, &p, 204, "patch", &[], false),
            Err(Reason::MethodDisallowed {
                method: "patch".into()
            })
        );
        let p = [
            ("Access-Control-Allow-Origin", O),
            ("Access-Control-Allow-Methods", "*"),
            ("Access-Control-Allow-Credentials", "true"),
        ];
        assert!(run(Browser::Chrome, &p, 204, "PUT", &[], false).is_ok());
        assert_eq!(
            run(Browser::Chrome, &p, 204, "PUT", &[], true),
            Err(Reason::MethodDisallowed {
                method: "PUT".into()
            })
        );
    }

    #[test]
    fn authorization_under_star() {
        let p = [
            ("Access-Control-Allow-Origin", "*"),
            ("Access-Control-Allow-Headers", "*"),
        ];
        assert!(run(Browser::Chrome, &p, 200, "GET", &["authorization"], false).is_ok());
        assert!(run(Browser::Firefox, &p, 200, "GET", &["authorization"], false).is_ok());
        assert_eq!(
            run(
                Browser::Spec,
                &p,
                200,
                "GET",
                &["authorization", "x-a"],
                false
            ),
            Err(Reason::HeaderDisallowed {
                name: "authorization".into()
            })
        );
    }

    #[test]
    fn lists_tolerate_empty_items() {
        let p = [
            ("Access-Control-Allow-Origin", "*"),
            ("Access-Control-Allow-Methods", ",,PUT,GET"),
            ("Access-Control-Allow-Headers", ",y-lol,x-print, ,,,y-print"),
        ];
        assert!(
            run(
                Browser::Chrome,
                &p,
                200,
                "PUT",
                &["x-print", "y-print"],
                false
            )
            .is_ok()
        );
        assert!(
            run(
                Browser::Firefox,
                &p,
                200,
                "PUT",
                &["x-print", "y-print"],
                false
            )
            .is_ok()
        );
    }

    #[test]
    fn max_age_per_browser() {
        let c = Browser::Chrome.quirks();
        let f = Browser::Firefox.quirks();
        let m = |v: &str, q| max_age(&hs(&[("Access-Control-Max-Age", v)]), q);
        assert_eq!(max_age(&hs(&[]), c), Some(5));
        assert_eq!(max_age(&hs(&[]), f), Some(5));
        assert_eq!(m("100000", c), Some(7200));
        assert_eq!(m("100000", f), Some(86400));
        assert_eq!(m("abc", c), Some(5));
        assert_eq!(m("abc", f), None);
        assert_eq!(m("-1", c), Some(0));
        assert_eq!(m("-1", f), None);
        assert_eq!(m("0", f), None);
        assert_eq!(m("1.5", c), Some(5));
    }
}

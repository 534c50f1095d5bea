//! The CORS preflight: when one is needed and whether its response lets
//! the actual request go.
//!
//! <https://fetch.spec.whatwg.org/#cors-preflight-fetch-0>

use super::browser::{InvalidMaxAge, PreflightParse, PreflightRedirect, Quirks};
use super::cors_check::{cors_check, get};
use crate::explain::{Failure, Reason};
use crate::headers;

/// <https://fetch.spec.whatwg.org/#main-fetch>, step 12 ("cors-with-
/// preflight"): a CORS request needs a preflight when its method is not
/// CORS-safelisted or it has CORS-unsafe headers (fetch() always sets the
/// unsafe-request flag).
pub fn is_needed(method: &str, unsafe_names: &[String]) -> bool {
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
}

/// The preflight response.
#[derive(Clone, Copy, Debug)]
pub(crate) struct PreflightResponse<'a> {
    /// Its status.
    pub(crate) status: u16,
    /// Its headers, in order.
    pub(crate) headers: &'a [(String, String)],
    /// Whether it is a redirect (a redirect status with a `Location`).
    pub(crate) is_redirect: bool,
}

/// Splits an allow list: Chromium and the standard use "get, decode, and
/// split" (quotes respected); Firefox's tokenizer splits on every comma.
/// Empty items are skipped; the first item that is not a token is the
/// error.
fn parse_allow_list(value: Option<&str>) -> Result<Vec<String>, String> {
    let Some(value) = value else {
        return Ok(Vec::new());
    };
    // Chromium and the standard split outside quoted strings ("get, decode,
    // and split"), Firefox on every comma. Either way an item holding a `"`
    // is not a token and fails, so the plain split decides the same; only
    // the reported item can differ, and only Firefox prints it.
    let mut out = Vec::new();
    for item in value.split(',') {
        let item = item.trim_matches(|c| c == ' ' || c == '\t');
        if item.is_empty() {
            continue;
        }
        if !headers::is_token(item.as_bytes()) {
            return Err(item.to_owned());
        }
        out.push(item.to_owned());
    }
    Ok(out)
}

/// <https://fetch.spec.whatwg.org/#cors-non-wildcard-request-header-name>:
/// `Authorization`, the one name `*` never covers in the standard.
pub(crate) fn is_non_wildcard_name(name: &str) -> bool {
    name.eq_ignore_ascii_case("authorization")
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
/// list does not allow.
pub(crate) fn first_disallowed_header<'n>(
    allowed: &[String],
    names: &'n [String],
    include: bool,
    authorization_under_wildcard: bool,
) -> Option<&'n str> {
    let star = !include && allowed.iter().any(|h| h == "*");
    names
        .iter()
        .find(|name| {
            let listed = allowed.iter().any(|h| h.eq_ignore_ascii_case(name));
            if listed {
                return false;
            }
            if star {
                // Step 7.8: `*` never covers a CORS non-wildcard request-header
                // name (`Authorization`) in the standard; Chromium 156 and
                // Firefox ESR 153 let it.
                return is_non_wildcard_name(name) && !authorization_under_wildcard;
            }
            true
        })
        .map(String::as_str)
}

/// Parses `Access-Control-Max-Age` into seconds to cache, or `None`.
pub(crate) fn max_age(headers: &[(String, String)], quirks: &Quirks) -> Option<u64> {
    let value = get(headers, "access-control-max-age");
    match quirks.invalid_max_age {
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
                (seconds as u64).min(quirks.max_age_cap_s)
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
                age = (age * 10 + u64::from(b - b'0')).min(quirks.max_age_cap_s);
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
    resp: PreflightResponse<'_>,
    req: PreflightFor<'_>,
    quirks: &Quirks,
) -> Result<Grant, Failure> {
    let fail = |reason| Failure::new(reason, true, Some(resp.status));
    // Chromium: a redirect fails before any header is read.
    if resp.is_redirect && quirks.preflight_redirect == PreflightRedirect::FailFirst {
        return Err(fail(Reason::PreflightDisallowedRedirect));
    }
    // Step 7.1: a CORS check (with the actual request's credentials mode)...
    cors_check(resp.headers, req.origin, req.include, quirks).map_err(fail)?;
    // Firefox: the CORS-checked redirect is then refused.
    if resp.is_redirect && quirks.preflight_redirect == PreflightRedirect::CorsCheckFirst {
        return Err(fail(Reason::PreflightDisallowedRedirect));
    }
    // ...and an ok status.
    if !(200..=299).contains(&resp.status) {
        return Err(fail(Reason::PreflightInvalidStatus));
    }
    let acam = get(resp.headers, "access-control-allow-methods");
    let acah = get(resp.headers, "access-control-allow-headers");
    let (methods, allowed_headers) = match quirks.preflight_parse {
        PreflightParse::BothThenMatch => {
            // Step 7.2: extract both lists; failure → network error.
            let methods = parse_allow_list(acam.as_deref())
                .map_err(|token| fail(Reason::InvalidAllowMethods { token }))?;
            let hs = parse_allow_list(acah.as_deref())
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
            let methods = parse_allow_list(acam.as_deref())
                .map_err(|token| fail(Reason::InvalidAllowMethods { token }))?;
            if !method_allowed(&methods, req.method, req.include) {
                return Err(fail(Reason::MethodDisallowed {
                    method: req.method.to_owned(),
                }));
            }
            let hs = parse_allow_list(acah.as_deref())
                .map_err(|token| fail(Reason::InvalidAllowHeaders { token }))?;
            (methods, hs)
        }
    };
    // Step 7.6-7.9: the headers.
    if let Some(name) = first_disallowed_header(
        &allowed_headers,
        req.check_order.unwrap_or(req.unsafe_names),
        req.include,
        quirks.authorization_under_wildcard,
    ) {
        return Err(fail(Reason::HeaderDisallowed {
            name: name.to_owned(),
        }));
    }
    // Step 7.10: max-age.
    Ok(Grant {
        methods,
        headers: allowed_headers
            .into_iter()
            .map(|mut h| {
                h.make_ascii_lowercase();
                h
            })
            .collect(),
        max_age_s: max_age(resp.headers, quirks),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fetch::Browser;
    use crate::fetch::test_support::hs;

    const O: &str = "http://app.test:8001";

    fn run(
        b: Browser,
        pairs: &[(&str, &str)],
        status: u16,
        method: &str,
        names: &[&str],
        include: bool,
    ) -> Result<Grant, Reason> {
        let h = hs(pairs);
        let names: Vec<String> = names.iter().map(|s| s.to_string()).collect();
        check(
            PreflightResponse {
                status,
                headers: &h,
                is_redirect: false,
            },
            PreflightFor {
                method,
                unsafe_names: &names,
                check_order: None,
                include,
                origin: O,
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
        assert_eq!(max_age(&[], c), Some(5));
        assert_eq!(max_age(&[], f), Some(5));
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

//! Bounded checking of `Access-Control-Request-Headers` against the allowed
//! request headers.
//!
//! Browsers send one line of lowercase, sorted, unique names joined by `,`
//! without spaces (Fetch: CORS-preflight fetch, step 5). Other shapes (split
//! lines from proxies, spaces, uppercase) are accepted within fixed bounds, so
//! a hostile value costs a length check, not a scan: rs/cors #170 and
//! go-chi/cors #36 spent milliseconds and megabytes on a 1 MiB value of
//! commas.

use http::HeaderValue;

use super::decision::Rejection;
use crate::headers;

/// Most bytes of `Access-Control-Request-Headers` (all lines together) a
/// preflight may carry. Longer values are rejected before being scanned.
/// 4096 bytes hold well over a hundred real header names.
pub const MAX_REQUEST_HEADERS_BYTES: usize = 4096;

/// Most `Access-Control-Request-Headers` lines a preflight may carry.
/// Browsers send one; proxies sometimes split it. Iteration stops at the
/// line after this many, and the preflight is rejected.
pub const MAX_REQUEST_HEADERS_LINES: usize = 8;

/// Most empty elements (`a,,b`, a trailing `,`) tolerated in
/// `Access-Control-Request-Headers`, all lines together.
pub const MAX_EMPTY_ELEMENTS: usize = 16;

/// The allowed request-header names, compiled.
#[derive(Clone, Debug)]
pub(crate) struct AllowedHeaders {
    /// Lowercase, sorted, unique names.
    names: Vec<Box<str>>,
    /// `request_headers` contains `*`: every name but `authorization`,
    /// unless listed.
    any: bool,
    /// `authorization` is listed.
    authorization: bool,
}

impl AllowedHeaders {
    /// `names` must already be valid, lowercase header names.
    pub(crate) fn new(names: &[String], any: bool) -> AllowedHeaders {
        let mut names: Vec<Box<str>> = names.iter().map(|n| n.as_str().into()).collect();
        names.sort();
        names.dedup();
        let authorization = names.iter().any(|n| &**n == "authorization");
        AllowedHeaders {
            names,
            any,
            authorization,
        }
    }

    /// Whether one name (already known to be a token) is allowed.
    fn allows(&self, name: &[u8]) -> bool {
        if self.any {
            // Fetch: CORS-preflight fetch, step 7.6: a `*` in
            // Access-Control-Allow-Headers never covers `Authorization`.
            return self.authorization || !name.eq_ignore_ascii_case(b"authorization");
        }
        // Browsers send lowercase names (Fetch: CORS-preflight fetch, step
        // 5), so a plain byte comparison finds them; other shapes fall back
        // to an ASCII-case-insensitive binary search over the lowercase
        // names, without lowercasing the request's bytes into a buffer.
        self.names
            .binary_search_by(|probe| probe.as_bytes().cmp(name))
            .is_ok()
            || self
                .names
                .binary_search_by(|probe| cmp_lowercase(probe.as_bytes(), name))
                .is_ok()
    }

    /// Checks every name of every `Access-Control-Request-Headers` line.
    /// Cost: O(1) for too many lines or too many bytes, otherwise linear in
    /// the value's length (at most [`MAX_REQUEST_HEADERS_BYTES`]) times
    /// log of the number of allowed names.
    pub(crate) fn check<'a, I, F>(&self, lines: F) -> Result<(), Rejection<'a>>
    where
        F: Fn() -> I,
        I: Iterator<Item = &'a HeaderValue>,
    {
        // The bounds first, before reading any value: at most
        // MAX_REQUEST_HEADERS_LINES + 1 steps whatever the request holds.
        let mut total = 0usize;
        for (i, line) in lines().enumerate() {
            if i == MAX_REQUEST_HEADERS_LINES {
                return Err(Rejection::TooManyRequestHeaderLines);
            }
            total += line.len();
            if total > MAX_REQUEST_HEADERS_BYTES {
                return Err(Rejection::RequestHeadersTooLong);
            }
        }
        let mut empty = 0usize;
        for line in lines() {
            for element in line.as_bytes().split(|&b| b == b',') {
                let name = trim_ows(element);
                if name.is_empty() {
                    empty += 1;
                    if empty > MAX_EMPTY_ELEMENTS {
                        return Err(Rejection::MalformedRequestHeaders);
                    }
                    continue;
                }
                if !headers::is_token(name) {
                    return Err(Rejection::MalformedRequestHeaders);
                }
                if !self.allows(name) {
                    // A token is ASCII, so this cannot fail.
                    let name = std::str::from_utf8(name).unwrap_or("");
                    if name.eq_ignore_ascii_case("authorization") {
                        return Err(Rejection::AuthorizationNotAllowed);
                    }
                    return Err(Rejection::HeaderNotAllowed { name });
                }
            }
        }
        Ok(())
    }
}

/// Compares a lowercase name with arbitrary-case bytes as if both were
/// lowercase.
fn cmp_lowercase(lower: &[u8], other: &[u8]) -> std::cmp::Ordering {
    let n = lower.len().min(other.len());
    for i in 0..n {
        let o = other[i].to_ascii_lowercase();
        match lower[i].cmp(&o) {
            std::cmp::Ordering::Equal => {}
            ord => return ord,
        }
    }
    lower.len().cmp(&other.len())
}

/// Trims HTTP optional whitespace (SP and HTAB) from both ends.
fn trim_ows(mut s: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = s {
        s = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = s {
        s = rest;
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allowed(names: &[&str], any: bool) -> AllowedHeaders {
        let names: Vec<String> = names.iter().map(|s| s.to_string()).collect();
        AllowedHeaders::new(&names, any)
    }

    fn check<'a>(a: &AllowedHeaders, lines: &'a [HeaderValue]) -> Result<(), Rejection<'a>> {
        a.check(|| lines.iter())
    }

    fn v(s: &str) -> HeaderValue {
        HeaderValue::from_str(s).unwrap()
    }

    #[test]
    fn browser_shape_and_other_shapes() {
        let a = allowed(&["authorization", "content-type", "x-request-id"], false);
        assert_eq!(check(&a, &[v("authorization,content-type")]), Ok(()));
        assert_eq!(check(&a, &[v(" Content-Type ,\tAUTHORIZATION")]), Ok(()));
        assert_eq!(check(&a, &[v("content-type"), v("x-request-id")]), Ok(()));
        assert_eq!(check(&a, &[v("content-type,")]), Ok(()));
        assert_eq!(check(&a, &[]), Ok(()));
        assert_eq!(check(&a, &[v("")]), Ok(()));
        assert_eq!(
            check(&a, &[v("content-type,x-other")]),
            Err(Rejection::HeaderNotAllowed { name: "x-other" })
        );
        // Prefixes and extensions of allowed names are different names.
        assert_eq!(
            check(&a, &[v("content-typ")]),
            Err(Rejection::HeaderNotAllowed {
                name: "content-typ"
            })
        );
        assert_eq!(
            check(&a, &[v("content-types")]),
            Err(Rejection::HeaderNotAllowed {
                name: "content-types"
            })
        );
        assert_eq!(
            check(&a, &[v("content type")]),
            Err(Rejection::MalformedRequestHeaders)
        );
        assert_eq!(
            check(&a, &[v("a;b")]),
            Err(Rejection::MalformedRequestHeaders)
        );
    }

    #[test]
    fn star_never_covers_authorization() {
        let a = allowed(&[], true);
        assert_eq!(check(&a, &[v("x-anything,content-type")]), Ok(()));
        assert_eq!(
            check(&a, &[v("x-a,Authorization")]),
            Err(Rejection::AuthorizationNotAllowed)
        );
        let a = allowed(&["authorization"], true);
        assert_eq!(check(&a, &[v("x-a,authorization")]), Ok(()));
        let a = allowed(&["x-a"], false);
        assert_eq!(
            check(&a, &[v("authorization")]),
            Err(Rejection::AuthorizationNotAllowed)
        );
    }

    #[test]
    fn bounds() {
        let a = allowed(&["x-a"], false);
        let lines: Vec<HeaderValue> = (0..MAX_REQUEST_HEADERS_LINES).map(|_| v("x-a")).collect();
        assert_eq!(check(&a, &lines), Ok(()));
        let lines: Vec<HeaderValue> = (0..=MAX_REQUEST_HEADERS_LINES).map(|_| v("x-a")).collect();
        assert_eq!(check(&a, &lines), Err(Rejection::TooManyRequestHeaderLines));
        let long = ",".repeat(MAX_REQUEST_HEADERS_BYTES + 1);
        assert_eq!(
            check(&a, &[v(&long)]),
            Err(Rejection::RequestHeadersTooLong)
        );
        let ok = format!("x-a{}", ",".repeat(MAX_EMPTY_ELEMENTS));
        assert_eq!(check(&a, &[v(&ok)]), Ok(()));
        let bad = format!("x-a{}", ",".repeat(MAX_EMPTY_ELEMENTS + 1));
        assert_eq!(
            check(&a, &[v(&bad)]),
            Err(Rejection::MalformedRequestHeaders)
        );
        // The byte bound is over all lines together.
        let half = "x-a,".repeat(MAX_REQUEST_HEADERS_BYTES / 8);
        let mut lines = vec![v(&half), v(&half)];
        assert_eq!(
            lines.iter().map(|l| l.len()).sum::<usize>(),
            MAX_REQUEST_HEADERS_BYTES
        );
        assert_eq!(check(&a, &lines), Ok(()));
        lines.push(v("x-a,x-a"));
        assert_eq!(check(&a, &lines), Err(Rejection::RequestHeadersTooLong));
    }

    #[test]
    fn cmp_lowercase_orders_like_lowercase() {
        use std::cmp::Ordering::*;
        assert_eq!(cmp_lowercase(b"abc", b"ABC"), Equal);
        assert_eq!(cmp_lowercase(b"abc", b"ABD"), Less);
        assert_eq!(cmp_lowercase(b"abc", b"AB"), Greater);
        assert_eq!(cmp_lowercase(b"x-a", b"X-A"), Equal);
    }
}

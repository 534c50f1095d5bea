//! The part of the browser's HTTP cache that shows in `sent`: responses
//! that are fresh without any caching header, served again without going
//! on the wire.
//!
//! <https://fetch.spec.whatwg.org/#concept-http-network-or-cache-fetch>
//! (the standard leaves freshness to RFC 9111, whose heuristic freshness is
//! optional).
//!
//! Observed in Chromium 156 on random holdout cases: a repeated `GET` that
//! was answered with a 301 or 308 (no `Cache-Control`) is not sent again;
//! the cached redirect is followed, and its CORS headers checked, as if it
//! had come from the server. This is `HttpResponseHeaders::
//! GetFreshnessLifetimes` in net: 300, 301, 308 and 410 are "implicitly
//! fresh" for ever unless a caching header says otherwise. Firefox ESR 153
//! sent the same requests again in the same cases.
//!
//! It also remembers complete `200` answers that carry a validator: a later
//! `GET` with a `Range` is then a validation of the cached entity, and
//! Chromium's `PartialData` clamps the range to the entity's length
//! (observed in Chromium 156: `bytes=0-99` over a cached 2-byte body goes
//! out as `bytes=0-1`, with `If-None-Match`).

use std::collections::{HashMap, HashSet};

use super::cors_check::get;

/// The URLs whose `GET` response the cache holds, fresh; and the lengths
/// of the complete, validatable ones.
#[derive(Clone, Debug, Default)]
pub(crate) struct HttpCache {
    fresh: HashSet<String>,
    validatable: HashMap<String, u64>,
}

/// Whether net treats a response with `status` and `headers` as fresh for
/// ever. Any `Cache-Control`, `Pragma`, `Expires` or `Vary` header makes
/// this `false`: the model does not compute lifetimes from them, and
/// `false` only means "sent again", which is what a stale entry does.
fn implicitly_fresh(status: u16, headers: &[(String, String)]) -> bool {
    matches!(status, 300 | 301 | 308 | 410)
        && ["cache-control", "pragma", "expires", "vary"]
            .iter()
            .all(|name| get(headers, name).is_none())
}

impl HttpCache {
    /// Whether a `GET` of `url` is answered from the cache.
    pub(crate) fn serves(&self, method: &str, url: &str) -> bool {
        method == "GET" && self.fresh.contains(url)
    }

    /// The length of the complete entity the cache holds for `url` with a
    /// validator, if any.
    pub(crate) fn entity_len(&self, url: &str) -> Option<u64> {
        self.validatable.get(url).copied()
    }

    /// Stores the server's answer to a `GET` of `url` (`body_len`: the
    /// length of the body the server sent).
    pub(crate) fn store(
        &mut self,
        method: &str,
        url: &str,
        status: u16,
        headers: &[(String, String)],
        body_len: usize,
    ) {
        if method != "GET" {
            return;
        }
        if implicitly_fresh(status, headers) {
            self.fresh.insert(url.to_owned());
        }
        let no_store = get(headers, "cache-control")
            .is_some_and(|v| v.to_ascii_lowercase().contains("no-store"));
        let validator = get(headers, "etag").is_some() || get(headers, "last-modified").is_some();
        if status == 200 && validator && !no_store {
            let len = get(headers, "content-length")
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(body_len as u64);
            self.validatable.insert(url.to_owned(), len);
        } else {
            self.validatable.remove(url);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fetch::test_support::hs;

    #[test]
    fn permanent_redirects_are_fresh_unless_a_caching_header_says_otherwise() {
        let loc = hs(&[("Location", "/b")]);
        assert!(implicitly_fresh(301, &loc));
        assert!(implicitly_fresh(308, &loc));
        assert!(!implicitly_fresh(302, &loc));
        assert!(!implicitly_fresh(307, &loc));
        assert!(!implicitly_fresh(200, &loc));
        assert!(!implicitly_fresh(
            301,
            &hs(&[("Location", "/b"), ("Cache-Control", "no-store")])
        ));
    }

    #[test]
    fn only_get_is_stored_and_served() {
        let mut c = HttpCache::default();
        let loc = hs(&[("Location", "/b")]);
        c.store("POST", "http://a.test/x", 301, &loc, 0);
        assert!(!c.serves("GET", "http://a.test/x"));
        c.store("GET", "http://a.test/x", 301, &loc, 0);
        assert!(c.serves("GET", "http://a.test/x"));
        assert!(!c.serves("HEAD", "http://a.test/x"));
        assert!(!c.serves("GET", "http://a.test/y"));
    }

    #[test]
    fn validatable_entities_keep_their_length() {
        let mut c = HttpCache::default();
        let etag = ("ETag", "\"v1\"");
        c.store("GET", "http://a.test/x", 200, &hs(&[etag]), 2);
        assert_eq!(c.entity_len("http://a.test/x"), Some(2));
        c.store("GET", "http://a.test/y", 200, &hs(&[("X-A", "1")]), 2);
        assert_eq!(c.entity_len("http://a.test/y"), None);
        let no_store = hs(&[etag, ("Cache-Control", "no-store")]);
        c.store("GET", "http://a.test/z", 200, &no_store, 2);
        assert_eq!(c.entity_len("http://a.test/z"), None);
    }
}

//! The part of the browser's HTTP cache that changes what goes on the
//! wire: responses that are fresh without any caching header, served again
//! without a request, and complete entities a `Range` request validates.
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
//!
//! WebKit's network cache (observed in WebKitGTK 2.50, and WebCore's code,
//! so Safari too) gives 301 and 410 answers without caching headers a
//! year of freshness (`computeFreshnessLifetimeForHTTPFamily`), not 308;
//! the driver looks it up for the fetch's first URL only
//! (`HttpCacheModel::Webkit`).

use std::borrow::Cow;
use std::collections::HashMap;

use bytes::Bytes;

use super::browser::HttpCacheModel;
use super::response::{Known, ResponseHead};

/// A complete entity the cache holds with a validator.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Entity {
    /// Its length in bytes.
    pub(crate) len: u64,
    etag: Option<String>,
    last_modified: Option<String>,
}

impl Entity {
    /// The conditional headers a validation of this entity carries.
    pub(crate) fn validators(&self) -> impl Iterator<Item = super::wire::WireHeader> + '_ {
        let etag = self.etag.iter().map(|v| {
            (
                Cow::Borrowed("If-None-Match"),
                Bytes::from(crate::headers::wire_bytes(v)),
            )
        });
        let date = self.last_modified.iter().map(|v| {
            (
                Cow::Borrowed("If-Modified-Since"),
                Bytes::from(crate::headers::wire_bytes(v)),
            )
        });
        etag.chain(date)
    }
}

/// The URLs whose `GET` response the cache holds, fresh; and the complete,
/// validatable entities.
#[derive(Clone, Debug, Default)]
pub(crate) struct HttpCache {
    fresh: HashMap<String, ResponseHead<'static>>,
    validatable: HashMap<String, Entity>,
}

/// Whether net treats a response as fresh for ever. Any `Cache-Control`,
/// `Pragma`, `Expires` or `Vary` header makes this `false`: the model does
/// not compute lifetimes from them, and `false` only means "sent again",
/// which is what a stale entry does.
fn implicitly_fresh(head: &ResponseHead<'_>, model: HttpCacheModel) -> bool {
    let status = head.status();
    let permanent = match model {
        HttpCacheModel::Off => false,
        HttpCacheModel::Chromium => matches!(status, 300 | 301 | 308 | 410),
        HttpCacheModel::Webkit => matches!(status, 301 | 410),
    };
    permanent
        && [
            Known::CacheControl,
            Known::Pragma,
            Known::Expires,
            Known::Vary,
        ]
        .iter()
        .all(|k| !head.has(*k))
}

/// The most URLs either part of the cache remembers; beyond, the oldest
/// half is forgotten (the browsers evict too; the cap bounds the memory a
/// long session can take).
const MAX_ENTRIES: usize = 4096;

impl HttpCache {
    /// The fresh response to a `GET` of `url`, if the cache holds one.
    pub(crate) fn fresh(&self, method: &str, url: &str) -> Option<&ResponseHead<'static>> {
        if method != "GET" {
            return None;
        }
        self.fresh.get(url)
    }

    /// The complete entity the cache holds for `url` with a validator.
    pub(crate) fn entity(&self, url: &str) -> Option<&Entity> {
        self.validatable.get(url)
    }

    /// Stores the server's answer to a `GET` of `url`.
    pub(crate) fn store(
        &mut self,
        method: &str,
        url: &str,
        head: &ResponseHead<'_>,
        model: HttpCacheModel,
    ) {
        if method != "GET" {
            return;
        }
        if implicitly_fresh(head, model) {
            if self.fresh.len() >= MAX_ENTRIES {
                self.fresh.clear();
            }
            self.fresh.insert(url.to_owned(), head.clone().into_owned());
        }
        if model != HttpCacheModel::Chromium {
            return;
        }
        let no_store = head
            .get_known(Known::CacheControl)
            .is_some_and(|v| v.to_ascii_lowercase().contains("no-store"));
        let etag = head.get_known(Known::ETag).map(Cow::into_owned);
        let last_modified = head.get_known(Known::LastModified).map(Cow::into_owned);
        let len = head
            .get_known(Known::ContentLength)
            .and_then(|v| v.trim().parse().ok());
        match len {
            Some(len)
                if head.status() == 200
                    && !no_store
                    && (etag.is_some() || last_modified.is_some()) =>
            {
                if self.validatable.len() >= MAX_ENTRIES {
                    self.validatable.clear();
                }
                self.validatable.insert(
                    url.to_owned(),
                    Entity {
                        len,
                        etag,
                        last_modified,
                    },
                );
            }
            // (Most sessions hold no entity: no URL to hash then.)
            _ if !self.validatable.is_empty() => {
                self.validatable.remove(url);
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(status: u16, hs: &[(&'static str, &'static str)]) -> ResponseHead<'static> {
        let mut h = ResponseHead::new(status);
        for (n, v) in hs {
            h.push(*n, *v);
        }
        h
    }

    fn implicitly_fresh_chromium(head: &ResponseHead<'_>) -> bool {
        implicitly_fresh(head, HttpCacheModel::Chromium)
    }

    #[test]
    fn webkit_keeps_301_not_308() {
        let loc = [("Location", "/b")];
        assert!(implicitly_fresh(&head(301, &loc), HttpCacheModel::Webkit));
        assert!(!implicitly_fresh(&head(308, &loc), HttpCacheModel::Webkit));
        assert!(!implicitly_fresh(&head(301, &loc), HttpCacheModel::Off));
    }

    #[test]
    fn permanent_redirects_are_fresh_unless_a_caching_header_says_otherwise() {
        let loc = [("Location", "/b")];
        assert!(implicitly_fresh_chromium(&head(301, &loc)));
        assert!(implicitly_fresh_chromium(&head(308, &loc)));
        assert!(!implicitly_fresh_chromium(&head(302, &loc)));
        assert!(!implicitly_fresh_chromium(&head(307, &loc)));
        assert!(!implicitly_fresh_chromium(&head(200, &loc)));
        assert!(!implicitly_fresh_chromium(&head(
            301,
            &[("Location", "/b"), ("Cache-Control", "no-store")]
        )));
    }

    #[test]
    fn only_get_is_stored_and_served() {
        let mut c = HttpCache::default();
        let loc = head(301, &[("Location", "/b")]);
        c.store("POST", "http://a.test/x", &loc, HttpCacheModel::Chromium);
        assert!(c.fresh("GET", "http://a.test/x").is_none());
        c.store("GET", "http://a.test/x", &loc, HttpCacheModel::Chromium);
        assert_eq!(c.fresh("GET", "http://a.test/x"), Some(&loc));
        assert!(c.fresh("HEAD", "http://a.test/x").is_none());
        assert!(c.fresh("GET", "http://a.test/y").is_none());
    }

    #[test]
    fn validatable_entities_keep_their_length_and_validators() {
        let mut c = HttpCache::default();
        let etag = ("ETag", "\"v1\"");
        c.store(
            "GET",
            "http://a.test/x",
            &head(200, &[etag, ("Content-Length", "2")]),
            HttpCacheModel::Chromium,
        );
        let e = c.entity("http://a.test/x").unwrap();
        assert_eq!(e.len, 2);
        assert_eq!(
            e.validators().map(|(n, _)| n).collect::<Vec<_>>(),
            ["If-None-Match"]
        );
        c.store(
            "GET",
            "http://a.test/y",
            &head(200, &[("Content-Length", "2")]),
            HttpCacheModel::Chromium,
        );
        assert!(c.entity("http://a.test/y").is_none());
        let no_store = [etag, ("Content-Length", "2"), ("Cache-Control", "no-store")];
        c.store(
            "GET",
            "http://a.test/z",
            &head(200, &no_store),
            HttpCacheModel::Chromium,
        );
        assert!(c.entity("http://a.test/z").is_none());
    }
}

//! The CORS-preflight cache.
//!
//! <https://fetch.spec.whatwg.org/#concept-cache>
//!
//! Time is milliseconds since the start of the case, passed in; the cache
//! reads no clock. An item is live while `now < expiry` (both browsers
//! treat an entry as expired once its expiry time is reached).

use super::browser::{CacheCredentials, CacheUpdate, Quirks};
use super::preflight::Grant;
use crate::headers;

#[derive(Clone, Debug)]
struct Item {
    token: String,
    expiry_ms: u64,
}

#[derive(Clone, Debug)]
struct Entry {
    /// When the entry itself (as opposed to its items) expires.
    expiry_ms: u64,
    origin: String,
    url: String,
    credentials: bool,
    methods: Vec<Item>,
    headers: Vec<Item>,
}

/// One page's preflight cache.
#[derive(Clone, Debug, Default)]
pub(crate) struct PreflightCache {
    entries: Vec<Entry>,
}

/// What a lookup is for.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Lookup<'a> {
    /// The serialized request origin.
    pub(crate) origin: &'a str,
    /// The request URL.
    pub(crate) url: &'a str,
    /// Whether the request's credentials mode is `include`.
    pub(crate) include: bool,
    /// The request method.
    pub(crate) method: &'a str,
    /// Its CORS-unsafe header names.
    pub(crate) unsafe_names: &'a [String],
    /// Now, in milliseconds.
    pub(crate) now_ms: u64,
}

fn upsert(items: &mut Vec<Item>, token: &str, expiry_ms: u64, case_insensitive: bool) {
    let found = items.iter_mut().find(|i| {
        if case_insensitive {
            i.token.eq_ignore_ascii_case(token)
        } else {
            i.token == token
        }
    });
    match found {
        Some(i) => i.expiry_ms = expiry_ms,
        None => items.push(Item {
            token: token.to_owned(),
            expiry_ms,
        }),
    }
}

impl PreflightCache {
    /// Entries a request may use.
    fn usable<'s>(
        &'s self,
        l: &'s Lookup<'_>,
        quirks: &'s Quirks,
    ) -> impl Iterator<Item = &'s Entry> {
        self.entries.iter().filter(move |e| {
            e.origin == l.origin
                && e.url == l.url
                && match quirks.cache_credentials {
                    // Fetch: cache entry match: a credentialed entry serves
                    // any request, an uncredentialed one only requests that
                    // do not include credentials.
                    CacheCredentials::CredentialedServesAll => e.credentials || !l.include,
                    // Firefox: the credentials flag is part of the key.
                    CacheCredentials::SeparateEntries => e.credentials == l.include,
                }
        })
    }

    /// <https://fetch.spec.whatwg.org/#http-fetch>, step 4.1: whether the
    /// cache lets the request skip its preflight.
    pub(crate) fn allows(&self, l: &Lookup<'_>, quirks: &Quirks) -> bool {
        let now = l.now_ms;
        let live = |i: &&Item| i.expiry_ms > now;
        // Both browsers first look the entry up: no live entry, no skip.
        if !self.usable(l, quirks).any(|e| e.expiry_ms > now) {
            return false;
        }
        // Method cache entry match.
        let method_exempt = if quirks.cache_head_needs_entry {
            // Firefox `CacheEntry::CheckRequest`: only GET and POST skip.
            l.method == "GET" || l.method == "POST"
        } else {
            headers::is_cors_safelisted_method(l.method)
        };
        let method_ok = method_exempt
            || self.usable(l, quirks).any(|e| {
                e.methods.iter().filter(live).any(|i| {
                    i.token == l.method
                        || (quirks.cache_wildcards && i.token == "*" && !e.credentials)
                })
            });
        if !method_ok {
            return false;
        }
        // Header-name cache entry match, for every unsafe name.
        l.unsafe_names.iter().all(|name| {
            self.usable(l, quirks).any(|e| {
                e.headers.iter().filter(live).any(|i| {
                    i.token.eq_ignore_ascii_case(name)
                        || (quirks.cache_wildcards
                            && i.token == "*"
                            && !e.credentials
                            && (quirks.cache_authorization_under_wildcard
                                || !super::preflight::is_non_wildcard_name(name)))
                })
            })
        })
    }

    /// Fetch: CORS-preflight fetch, step 7.11-7.12: record a successful
    /// preflight.
    pub(crate) fn store(&mut self, l: &Lookup<'_>, grant: Grant, quirks: &Quirks) {
        let Some(max_age_s) = grant.max_age_s else {
            return;
        };
        let expiry_ms = l.now_ms.saturating_add(max_age_s.saturating_mul(1000));
        match quirks.cache_update {
            CacheUpdate::Replace => {
                // Chromium `PreflightCache::AppendEntry`: one result per
                // (origin, URL), replaced whole (even by a max-age of 0).
                self.entries
                    .retain(|e| !(e.origin == l.origin && e.url == l.url));
                let item = |token: String| Item { token, expiry_ms };
                self.entries.push(Entry {
                    expiry_ms,
                    origin: l.origin.to_owned(),
                    url: l.url.to_owned(),
                    credentials: l.include,
                    methods: grant.methods.into_iter().map(item).collect(),
                    headers: grant.headers.into_iter().map(item).collect(),
                });
            }
            CacheUpdate::Merge => {
                let idx = match self.entries.iter().position(|e| {
                    e.origin == l.origin && e.url == l.url && e.credentials == l.include
                }) {
                    Some(i) => i,
                    None => {
                        self.entries.push(Entry {
                            expiry_ms,
                            origin: l.origin.to_owned(),
                            url: l.url.to_owned(),
                            credentials: l.include,
                            methods: Vec::new(),
                            headers: Vec::new(),
                        });
                        self.entries.len() - 1
                    }
                };
                let e = &mut self.entries[idx];
                e.expiry_ms = e.expiry_ms.max(expiry_ms);
                for m in &grant.methods {
                    upsert(&mut e.methods, m, expiry_ms, false);
                }
                for h in &grant.headers {
                    upsert(&mut e.headers, h, expiry_ms, true);
                }
            }
        }
    }

    /// Fetch: "clear cache entries": drop every entry for (origin, URL).
    pub(crate) fn clear(&mut self, origin: &str, url: &str) {
        self.entries
            .retain(|e| !(e.origin == origin && e.url == url));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fetch::Browser;

    fn grant(methods: &[&str], hs: &[&str], max_age_s: Option<u64>) -> Grant {
        Grant {
            methods: methods.iter().map(|s| s.to_string()).collect(),
            headers: hs.iter().map(|s| s.to_string()).collect(),
            max_age_s,
        }
    }

    fn lookup<'a>(method: &'a str, names: &'a [String], include: bool, now_ms: u64) -> Lookup<'a> {
        Lookup {
            origin: "o",
            url: "u",
            include,
            method,
            unsafe_names: names,
            now_ms,
        }
    }

    #[test]
    fn expiry_is_exclusive() {
        let q = Browser::Chrome.quirks();
        let mut c = PreflightCache::default();
        c.store(
            &lookup("PUT", &[], false, 0),
            grant(&["PUT"], &[], Some(5)),
            q,
        );
        assert!(c.allows(&lookup("PUT", &[], false, 4999), q));
        assert!(!c.allows(&lookup("PUT", &[], false, 5000), q));
    }

    #[test]
    fn chrome_replaces_firefox_merges() {
        for (b, put_after_delete) in [
            (Browser::Chrome, false),
            (Browser::Firefox, true),
            (Browser::Spec, true),
        ] {
            let q = b.quirks();
            let mut c = PreflightCache::default();
            c.store(
                &lookup("PUT", &[], false, 0),
                grant(&["PUT"], &[], Some(60)),
                q,
            );
            c.store(
                &lookup("DELETE", &[], false, 0),
                grant(&["DELETE"], &[], Some(60)),
                q,
            );
            assert_eq!(
                c.allows(&lookup("PUT", &[], false, 10), q),
                put_after_delete,
                "{b}"
            );
            assert!(c.allows(&lookup("DELETE", &[], false, 10), q));
        }
    }

    #[test]
    fn credentialed_entries_serve_uncredentialed_except_in_firefox() {
        for (b, expected) in [(Browser::Chrome, true), (Browser::Firefox, false)] {
            let q = b.quirks();
            let mut c = PreflightCache::default();
            c.store(
                &lookup("PUT", &[], true, 0),
                grant(&["PUT"], &[], Some(60)),
                q,
            );
            assert_eq!(c.allows(&lookup("PUT", &[], false, 1), q), expected, "{b}");
            assert!(c.allows(&lookup("PUT", &[], true, 1), q));
        }
        let q = Browser::Chrome.quirks();
        let mut c = PreflightCache::default();
        c.store(
            &lookup("PUT", &[], false, 0),
            grant(&["PUT"], &[], Some(60)),
            q,
        );
        assert!(!c.allows(&lookup("PUT", &[], true, 1), q));
    }

    #[test]
    fn wildcards_and_authorization() {
        let names = vec!["authorization".to_string()];
        let other = vec!["x-a".to_string()];
        let q = Browser::Chrome.quirks();
        let mut c = PreflightCache::default();
        c.store(
            &lookup("PUT", &[], false, 0),
            grant(&["*"], &["*"], Some(60)),
            q,
        );
        assert!(c.allows(&lookup("PUT", &other, false, 1), q));
        assert!(!c.allows(&lookup("PUT", &names, false, 1), q));
        let q = Browser::Firefox.quirks();
        let mut c = PreflightCache::default();
        c.store(
            &lookup("PUT", &[], false, 0),
            grant(&["*"], &["*"], Some(60)),
            q,
        );
        assert!(!c.allows(&lookup("PUT", &[], false, 1), q));
        assert!(!c.allows(&lookup("POST", &other, false, 1), q));
    }

    #[test]
    fn not_cached_leaves_nothing() {
        let q = Browser::Firefox.quirks();
        let mut c = PreflightCache::default();
        c.store(&lookup("PUT", &[], false, 0), grant(&["PUT"], &[], None), q);
        assert!(!c.allows(&lookup("PUT", &[], false, 0), q));
        c.store(
            &lookup("PUT", &[], false, 0),
            grant(&["PUT"], &[], Some(60)),
            q,
        );
        c.clear("o", "u");
        assert!(!c.allows(&lookup("PUT", &[], false, 0), q));
    }
}

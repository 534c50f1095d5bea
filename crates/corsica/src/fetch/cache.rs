//! The CORS-preflight cache.
//!
//! <https://fetch.spec.whatwg.org/#concept-cache>
//!
//! Time is milliseconds on the caller's clock, passed in; the cache reads
//! no clock. An item is live while `now < expiry` (both browsers treat an
//! entry as expired once its expiry time is reached). Entries are found by
//! (origin, URL) through a hash map and items by name through hash maps, so
//! a lookup costs the same whatever a hostile preflight granted.

use std::collections::HashMap;

use super::browser::{CacheCredentials, CacheUpdate, CacheWildcards, Quirks};
use super::preflight::Grant;
use crate::headers;

#[derive(Clone, Debug, Default)]
struct Entry {
    /// When the entry itself (as opposed to its items) expires.
    expiry_ms: u64,
    origin: String,
    credentials: bool,
    /// Method → expiry (methods match case-sensitively).
    methods: HashMap<String, u64>,
    /// Lowercase header name → expiry.
    headers: HashMap<String, u64>,
}

/// The most URLs the cache holds entries for; beyond, it starts over
/// (browsers evict too: Chromium keeps 1024 entries).
const MAX_KEYS: usize = 1024;

/// One browser's preflight cache.
#[derive(Clone, Debug, Default)]
pub(crate) struct PreflightCache {
    /// URL → its entries: per origin, at most two (with and without
    /// credentials).
    entries: HashMap<String, Vec<Entry>>,
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
    /// Its CORS-unsafe header names, lowercase.
    pub(crate) unsafe_names: &'a [String],
    /// Now, in milliseconds.
    pub(crate) now_ms: u64,
}

impl PreflightCache {
    /// Entries a request may use.
    fn usable<'s>(&'s self, l: &Lookup<'s>, quirks: &'s Quirks) -> impl Iterator<Item = &'s Entry> {
        let (include, origin) = (l.include, l.origin);
        self.entries
            .get(l.url)
            .into_iter()
            .flatten()
            .filter(move |e| e.origin == origin)
            .filter(move |e| match quirks.cache.credentials {
                // Fetch: cache entry match: a credentialed entry serves any
                // request, an uncredentialed one only requests that do not
                // include credentials.
                CacheCredentials::CredentialedServesAll => e.credentials || !include,
                // Firefox: the credentials flag is part of the key.
                CacheCredentials::SeparateEntries => e.credentials == include,
            })
    }

    /// <https://fetch.spec.whatwg.org/#http-fetch>, step 4.1: whether the
    /// cache lets the request skip its preflight. WebKit removes an entry
    /// it found but could not use (`CacheQuirks::miss_evicts`).
    pub(crate) fn allows(&mut self, l: &Lookup<'_>, quirks: &Quirks) -> bool {
        if self.entries.is_empty() {
            return false;
        }
        let hit = self.matches(l, quirks);
        if !hit && quirks.cache.miss_evicts {
            self.clear(l.origin, l.url);
        }
        hit
    }

    /// Whether a usable entry covers the request.
    fn matches(&self, l: &Lookup<'_>, quirks: &Quirks) -> bool {
        let now = l.now_ms;
        let entries: Vec<&Entry> = self.usable(l, quirks).collect();
        // Both browsers first look the entry up: no live entry, no skip.
        if !entries.iter().any(|e| e.expiry_ms > now) {
            return false;
        }
        let live = |expiry: Option<&u64>| expiry.is_some_and(|&x| x > now);
        // Whether a cached `*` counts for this entry.
        let star = |e: &Entry| match quirks.cache.wildcards {
            CacheWildcards::Never => false,
            CacheWildcards::EntryUncredentialed => !e.credentials,
            CacheWildcards::RequestUncredentialed => !l.include,
        };
        // Method cache entry match.
        let method_exempt = if quirks.cache.head_needs_entry {
            // Firefox `CacheEntry::CheckRequest`: only GET and POST skip.
            l.method == "GET" || l.method == "POST"
        } else {
            headers::is_cors_safelisted_method(l.method)
        };
        let method_ok = method_exempt
            || entries
                .iter()
                .any(|e| live(e.methods.get(l.method)) || (star(e) && live(e.methods.get("*"))));
        if !method_ok {
            return false;
        }
        // Header-name cache entry match, for every unsafe name.
        l.unsafe_names.iter().all(|name| {
            entries.iter().any(|e| {
                live(e.headers.get(name.as_str()))
                    || (star(e)
                        && live(e.headers.get("*"))
                        && (quirks.cache.authorization_under_wildcard
                            || !headers::is_cors_non_wildcard_request_header_name(name)))
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
        if self.entries.len() >= MAX_KEYS && !self.entries.contains_key(l.url) {
            self.entries.clear();
        }
        let slot = self.entries.entry(l.url.to_owned()).or_default();
        match quirks.cache.update {
            CacheUpdate::Replace => {
                // Chromium `PreflightCache::AppendEntry`: one result per
                // (origin, URL), replaced whole (even by a max-age of 0).
                slot.retain(|e| e.origin != l.origin);
                slot.push(Entry {
                    expiry_ms,
                    origin: l.origin.to_owned(),
                    credentials: l.include,
                    methods: grant.methods.into_iter().map(|m| (m, expiry_ms)).collect(),
                    headers: grant.headers.into_iter().map(|h| (h, expiry_ms)).collect(),
                });
            }
            CacheUpdate::Merge => {
                let idx = match slot
                    .iter()
                    .position(|e| e.origin == l.origin && e.credentials == l.include)
                {
                    Some(i) => i,
                    None => {
                        slot.push(Entry {
                            expiry_ms,
                            origin: l.origin.to_owned(),
                            credentials: l.include,
                            ..Entry::default()
                        });
                        slot.len() - 1
                    }
                };
                let e = &mut slot[idx];
                e.expiry_ms = e.expiry_ms.max(expiry_ms);
                for m in grant.methods {
                    e.methods.insert(m, expiry_ms);
                }
                for h in grant.headers {
                    e.headers.insert(h, expiry_ms);
                }
            }
        }
    }

    /// Fetch: "clear cache entries": drop every entry for (origin, URL).
    pub(crate) fn clear(&mut self, origin: &str, url: &str) {
        if let Some(slot) = self.entries.get_mut(url) {
            slot.retain(|e| e.origin != origin);
        }
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

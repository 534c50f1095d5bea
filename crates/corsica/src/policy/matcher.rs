//! The compiled origin matcher: exact origins, subdomain wildcards and port
//! wildcards, at a cost that does not grow with the number of patterns.
//!
//! Exact patterns live in a hash map keyed by host; subdomain patterns
//! (`https://*.example.com`) in a second map keyed by the suffix after
//! `*.`. A request's host is looked up once in the first map, then once per
//! label boundary (right to left) in the second, so the work is bounded by
//! the host's length, never by the list. Matching compares the host as a
//! whole string or at a label boundary: no prefix or suffix test on the
//! serialized origin, so `https://barfoo.com` never matches `https://foo.com`
//! and `https://evilexample.com` or `https://example.com.evil.com` never
//! match `https://*.example.com` (the bugs of GHSA-vhxv-fg4m-p2w8, rs/cors'
//! `*`, and unanchored regexes elsewhere).

use std::borrow::Borrow;
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hash, Hasher};

use http::HeaderValue;

use crate::fx_hash::FxHasher;

use crate::origin::OriginRef;

/// Longest host the matcher considers (the DNS limit of 253 plus a little
/// for IPv6 brackets); longer hosts never match, at no cost.
const MAX_HOST_LEN: usize = 255;

/// Longest serialized exact pattern worth hashing: a scheme, `://`, the
/// longest host and a port.
const MAX_SERIALIZED_LEN: usize = 64 + 3 + MAX_HOST_LEN + 6;

/// Which ports an [`OriginPattern`](super::OriginPattern) allows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PortRule {
    /// No explicit port: the scheme's default.
    Default,
    /// One explicit port.
    Exact(u16),
    /// `:*`: any port, the default included.
    Any,
}

/// Port keys, ordered: no port (the default) is 0, explicit ports are
/// themselves, `:*` is 65536.
const ANY_PORT: u32 = 1 << 16;

impl PortRule {
    fn key(self) -> u32 {
        match self {
            PortRule::Default => 0,
            PortRule::Exact(p) => u32::from(p),
            PortRule::Any => ANY_PORT,
        }
    }
}

/// One entry of a policy's `origins`, as validated and compiled: what the
/// matcher compares a request's origin with. Read it through
/// [`Policy::origin_patterns`](super::Policy::origin_patterns); it is
/// re-exported as [`OriginPattern`](super::OriginPattern).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Pattern {
    /// Lowercase scheme, without `://`.
    pub(crate) scheme: Box<str>,
    /// Canonical host as browsers serialize it; for a subdomain pattern,
    /// the part after `*.`.
    pub(crate) host: Box<str>,
    /// `*.` before the host: one or more labels, the apex excluded.
    pub(crate) subdomains: bool,
    /// Port rule.
    pub(crate) port: PortRule,
}

impl Pattern {
    /// The scheme, lowercase, without `://` (`https`).
    pub fn scheme(&self) -> &str {
        &self.scheme
    }

    /// The host as browsers serialize it (lowercase, punycode, IPv6
    /// bracketed); for a subdomain pattern, the part after `*.`.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// Whether the pattern is a subdomain wildcard (`https://*.example.com`):
    /// it then matches hosts made of one or more labels, a dot and
    /// [`host`](Self::host), never the host itself. A label is one or more
    /// of `a`-`z`, `0`-`9`, `-` and `_`.
    pub fn subdomains(&self) -> bool {
        self.subdomains
    }

    /// Which ports the pattern allows.
    pub fn port(&self) -> PortRule {
        self.port
    }
}

impl std::fmt::Display for Pattern {
    /// The pattern as a policy writes it: `https://*.example.com:*`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let star = if self.subdomains { "*." } else { "" };
        write!(f, "{}://{star}{}", self.scheme, self.host)?;
        match self.port {
            PortRule::Default => Ok(()),
            PortRule::Exact(p) => write!(f, ":{p}"),
            PortRule::Any => f.write_str(":*"),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Entry {
    scheme: Box<str>,
    /// [`PortRule::key`].
    port: u32,
}

type Map = HashMap<Box<str>, Vec<Entry>, BuildHasherDefault<FxHasher>>;
type Set = HashSet<Listed, BuildHasherDefault<FxHasher>>;

/// A listed origin's serialization as a header value, found by its bytes.
#[derive(Clone, Debug)]
struct Listed(HeaderValue);

impl Borrow<[u8]> for Listed {
    fn borrow(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

// Hashed and compared as the bytes they borrow as, so that a lookup by
// `&[u8]` finds them (`Borrow`'s contract).
impl Hash for Listed {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.as_bytes().hash(state);
    }
}

impl PartialEq for Listed {
    fn eq(&self, other: &Listed) -> bool {
        self.0.as_bytes() == other.0.as_bytes()
    }
}

impl Eq for Listed {}

/// The compiled set of origin patterns (never `*`, which the policy handles
/// without a matcher).
#[derive(Clone, Debug, Default)]
pub(crate) struct OriginMatcher {
    exact: Map,
    /// The exact patterns (no wildcard), serialized as browsers send them
    /// (`https://app.example.com`, `http://localhost:8080`): a request
    /// whose `Origin` is byte-identical to one is allowed without being
    /// split (patterns are validated canonical, so such bytes always parse
    /// and match `exact`), and answered with the policy's own copy of
    /// those bytes (see [`listed`](Self::listed)).
    serialized: Set,
    /// Some exact pattern has a port wildcard (`http://localhost:*`), so
    /// `exact` must be searched even after [`listed`](Self::listed)
    /// said no.
    exact_port_wildcard: bool,
    subdomains: Map,
    /// Shortest and longest suffix in `subdomains`, to skip boundaries that
    /// cannot match.
    min_suffix: usize,
    max_suffix: usize,
}

impl OriginMatcher {
    pub(crate) fn new<I: IntoIterator<Item = Pattern>>(patterns: I) -> OriginMatcher {
        let mut m = OriginMatcher {
            min_suffix: usize::MAX,
            ..OriginMatcher::default()
        };
        for p in patterns {
            let map = if p.subdomains {
                &mut m.subdomains
            } else {
                &mut m.exact
            };
            if p.subdomains {
                m.min_suffix = m.min_suffix.min(p.host.len());
                m.max_suffix = m.max_suffix.max(p.host.len());
            }
            let serialized = match p.port {
                PortRule::Any => {
                    m.exact_port_wildcard |= !p.subdomains;
                    None
                }
                _ if p.subdomains => None,
                PortRule::Default => Some(format!("{}://{}", p.scheme, p.host)),
                PortRule::Exact(port) => Some(format!("{}://{}:{port}", p.scheme, p.host)),
            };
            // Validated patterns are visible ASCII, so the value is always
            // made; were it not, the origin would take the slow path.
            if let Some(value) = serialized.and_then(|s| HeaderValue::try_from(s).ok()) {
                m.serialized.insert(Listed(value));
            }
            map.entry(p.host).or_default().push(Entry {
                scheme: p.scheme,
                port: p.port.key(),
            });
        }
        // Sorted and unique per host, so a lookup is two binary searches
        // even when one host is listed with thousands of ports.
        for entries in m.exact.values_mut().chain(m.subdomains.values_mut()) {
            entries.sort_unstable_by(|a, b| (&a.scheme, a.port).cmp(&(&b.scheme, b.port)));
            entries.dedup();
        }
        m
    }

    /// The policy's own `Access-Control-Allow-Origin` value for an
    /// `Origin` value that is byte for byte an exact pattern: the fast path
    /// for listed origins (one hash of the value, no split). `None` says
    /// nothing: split the value and call [`matches`](Self::matches).
    ///
    /// The answer carries these bytes, equal to the request's, rather than
    /// the request's own: a server that parsed the request into a buffer
    /// it shares with the header values (hyper does) then holds no part of
    /// that buffer in the answer, and can read the connection's next
    /// request into it instead of allocating a new one (8 KiB per request
    /// in hyper; measured in the gateway: 8% fewer instructions per
    /// preflight, BENCHMARKS.md).
    #[inline]
    pub(crate) fn listed(&self, value: &[u8]) -> Option<&HeaderValue> {
        if self.serialized.is_empty() || value.len() > MAX_SERIALIZED_LEN {
            return None;
        }
        self.serialized.get(value).map(|listed| &listed.0)
    }

    /// Whether [`listed`](Self::listed) finds the value.
    #[cfg(test)]
    fn is_listed(&self, value: &[u8]) -> bool {
        self.listed(value).is_some()
    }

    /// Whether the request's origin matches a pattern (the whole search;
    /// `decide` uses [`listed`](Self::listed) then
    /// [`matches_unlisted`](Self::matches_unlisted)).
    #[cfg(test)]
    pub(crate) fn matches(&self, origin: &OriginRef<'_>) -> bool {
        self.matches_after(origin, false)
    }

    /// Whether every origin the matcher allows is one
    /// [`listed`](Self::listed) finds (no subdomain pattern, no
    /// port wildcard): then [`matches_unlisted`](Self::matches_unlisted) is
    /// always `false`, and an unlisted origin need not be split.
    #[inline]
    pub(crate) fn only_listed(&self) -> bool {
        self.subdomains.is_empty() && !self.exact_port_wildcard
    }

    /// [`matches`](Self::matches) for an origin whose value
    /// [`listed`](Self::listed) did not find: the exact map is
    /// searched only when port wildcards make it hold more than the set.
    pub(crate) fn matches_unlisted(&self, origin: &OriginRef<'_>) -> bool {
        self.matches_after(origin, !self.exact_port_wildcard)
    }

    fn matches_after(&self, origin: &OriginRef<'_>, skip_exact: bool) -> bool {
        let host = origin.host();
        if host.len() > MAX_HOST_LEN {
            return false;
        }
        if !skip_exact
            && let Some(entries) = self.exact.get(host)
            && allows(entries, origin)
        {
            return true;
        }
        if self.subdomains.is_empty() {
            return false;
        }
        // Walk label boundaries right to left: for `a.b.example.com`, look
        // up `com`, `example.com`, `b.example.com`; the part left of the
        // boundary (the subdomain labels) must be one or more valid labels.
        let bytes = host.as_bytes();
        let mut end = bytes.len();
        while let Some(dot) = bytes[..end].iter().rposition(|&b| b == b'.') {
            let suffix_len = bytes.len() - dot - 1;
            end = dot;
            if suffix_len < self.min_suffix {
                continue;
            }
            if suffix_len > self.max_suffix {
                break;
            }
            let suffix = &host[dot + 1..];
            if let Some(entries) = self.subdomains.get(suffix)
                && allows(entries, origin)
                && are_labels(&bytes[..dot])
            {
                return true;
            }
        }
        false
    }
}

fn allows(entries: &[Entry], origin: &OriginRef<'_>) -> bool {
    let find = |port: u32| {
        entries
            .binary_search_by(|e| (&*e.scheme, e.port).cmp(&(origin.scheme(), port)))
            .is_ok()
    };
    find(origin.port().map_or(0, u32::from)) || find(ANY_PORT)
}

/// One or more non-empty dot-separated labels of lowercase letters, digits,
/// `-` and `_` (which Chromium and Firefox accept in hosts).
fn are_labels(s: &[u8]) -> bool {
    !s.is_empty()
        && s.split(|&b| b == b'.').all(|label| {
            !label.is_empty()
                && label.iter().all(|&b| {
                    b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_'
                })
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pat(scheme: &str, host: &str, subdomains: bool, port: PortRule) -> Pattern {
        Pattern {
            scheme: scheme.into(),
            host: host.into(),
            subdomains,
            port,
        }
    }

    fn o(scheme: &str, host: &str, port: Option<u16>) -> OriginRef<'static> {
        let text = match port {
            Some(p) => format!("{scheme}://{host}:{p}"),
            None => format!("{scheme}://{host}"),
        };
        // Leaked: a test's few origins, borrowed for the test's length.
        OriginRef::parse(Box::leak(text.into_boxed_str()).as_bytes()).expect("a canonical origin")
    }

    #[test]
    fn exact_hosts_are_whole_strings() {
        let m = OriginMatcher::new([
            pat("https", "foo.com", false, PortRule::Default),
            pat("https", "bar.com", false, PortRule::Default),
        ]);
        assert!(m.matches(&o("https", "foo.com", None)));
        assert!(m.matches(&o("https", "bar.com", None)));
        // GHSA-vhxv-fg4m-p2w8
        assert!(!m.matches(&o("https", "barfoo.com", None)));
        assert!(!m.matches(&o("https", "foo.com.evil.com", None)));
        assert!(!m.matches(&o("https", "a.foo.com", None)));
        assert!(!m.matches(&o("http", "foo.com", None)));
        assert!(!m.matches(&o("https", "foo.com", Some(8443))));
    }

    #[test]
    fn subdomain_wildcards_need_a_label() {
        let m = OriginMatcher::new([pat("https", "example.com", true, PortRule::Default)]);
        assert!(m.matches(&o("https", "a.example.com", None)));
        assert!(m.matches(&o("https", "a.b.example.com", None)));
        assert!(m.matches(&o("https", "a_b.example.com", None)));
        assert!(!m.matches(&o("https", "example.com", None)));
        assert!(!m.matches(&o("https", "evilexample.com", None)));
        assert!(!m.matches(&o("https", "example.com.evil.com", None)));
        assert!(!m.matches(&o("https", ".example.com", None)));
        assert!(!m.matches(&o("https", "a..example.com", None)));
        assert!(!m.matches(&o("https", "a.example.com.", None)));
        // Cannot reach the matcher: no OriginRef holds a `/` in its host.
        assert!(OriginRef::parse(b"https://a/b.example.com").is_none());
        assert!(!m.matches(&o("https", "a.example.com", Some(444))));
        assert!(!m.matches(&o("http", "a.example.com", None)));
    }

    #[test]
    fn port_rules() {
        let m = OriginMatcher::new([
            pat("http", "localhost", false, PortRule::Any),
            pat("https", "api.example.com", false, PortRule::Exact(8443)),
            pat("https", "dev.test", true, PortRule::Any),
        ]);
        assert!(m.matches(&o("http", "localhost", None)));
        assert!(m.matches(&o("http", "localhost", Some(3000))));
        assert!(!m.matches(&o("https", "localhost", Some(3000))));
        assert!(m.matches(&o("https", "api.example.com", Some(8443))));
        assert!(!m.matches(&o("https", "api.example.com", None)));
        assert!(m.matches(&o("https", "x.dev.test", Some(1))));
        assert!(!m.matches(&o("https", "dev.test", Some(1))));
    }

    #[test]
    fn one_host_many_ports() {
        let mut patterns: Vec<Pattern> = (1..=3000)
            .map(|p| pat("http", "localhost", false, PortRule::Exact(p * 2)))
            .collect();
        patterns.push(pat("https", "localhost", false, PortRule::Exact(3)));
        patterns.push(pat("http", "localhost", false, PortRule::Exact(2)));
        let m = OriginMatcher::new(patterns);
        assert_eq!(m.exact["localhost"].len(), 3001);
        assert!(m.matches(&o("http", "localhost", Some(4000))));
        assert!(!m.matches(&o("http", "localhost", Some(4001))));
        assert!(!m.matches(&o("http", "localhost", None)));
        assert!(m.matches(&o("https", "localhost", Some(3))));
        assert!(!m.matches(&o("https", "localhost", Some(4))));
    }

    #[test]
    fn many_suffix_lengths_and_long_hosts() {
        let m = OriginMatcher::new([
            pat("https", "b.c", true, PortRule::Default),
            pat("https", "x.y.z.w", true, PortRule::Default),
        ]);
        assert!(m.matches(&o("https", "a.b.c", None)));
        assert!(m.matches(&o("https", "q.x.y.z.w", None)));
        assert!(!m.matches(&o("https", "y.z.w", None)));
        let long = format!("{}.b.c", "a".repeat(300));
        assert!(!m.matches(&o("https", &long, None)));
    }

    #[test]
    fn listed_origins_are_found_byte_for_byte() {
        let m = OriginMatcher::new([
            pat("https", "foo.com", false, PortRule::Default),
            pat("http", "localhost", false, PortRule::Exact(8080)),
            pat("http", "127.0.0.1", false, PortRule::Any),
            pat("https", "example.com", true, PortRule::Default),
        ]);
        assert!(m.is_listed(b"https://foo.com"));
        assert!(m.is_listed(b"http://localhost:8080"));
        // Not exact patterns, or not this form: the slow path decides.
        for v in [
            &b"http://127.0.0.1"[..],
            b"http://127.0.0.1:*",
            b"https://example.com",
            b"https://a.example.com",
            b"https://*.example.com",
            b"https://foo.com/",
            b"https://FOO.com",
            b"https://foo.com:443",
            b"http://localhost",
            b"https://barfoo.com",
            b"",
        ] {
            assert!(!m.is_listed(v), "{}", String::from_utf8_lossy(v));
        }
        // The fast path never allows what the slow path would not.
        for v in [&b"https://foo.com"[..], b"http://localhost:8080"] {
            let o = OriginRef::parse(v).unwrap();
            assert!(m.matches(&o));
        }
        let long = vec![b'a'; 1 << 20];
        assert!(!m.is_listed(&long));
        assert!(!OriginMatcher::new([]).is_listed(b"https://foo.com"));
    }

    #[test]
    fn unlisted_origins_still_match_port_and_subdomain_wildcards() {
        let m = OriginMatcher::new([
            pat("https", "foo.com", false, PortRule::Default),
            pat("http", "localhost", false, PortRule::Any),
            pat("https", "example.com", true, PortRule::Default),
        ]);
        assert!(m.matches_unlisted(&o("http", "localhost", Some(3000))));
        assert!(m.matches_unlisted(&o("https", "a.example.com", None)));
        assert!(!m.matches_unlisted(&o("https", "bar.com", None)));
        // Without port wildcards the exact map is skipped: only a value
        // that is_listed rejected reaches here, so nothing is lost.
        let m = OriginMatcher::new([pat("https", "foo.com", false, PortRule::Default)]);
        assert!(!m.exact_port_wildcard);
        assert!(m.matches(&o("https", "foo.com", None)));
        assert!(m.is_listed(b"https://foo.com"));
        assert!(!m.matches_unlisted(&o("https", "bar.com", None)));
    }
}

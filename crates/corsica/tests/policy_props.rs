//! Property tests of the policy engine:
//!
//! 1. no policy and request ever yield `Access-Control-Allow-Origin: *`
//!    together with `Access-Control-Allow-Credentials: true`;
//! 2. the compiled matcher allows exactly the origins a naive, obviously
//!    correct reference matcher allows, over generated origins that include
//!    the shapes real matchers got wrong (`barfoo.com` vs `foo.com`,
//!    `example.com.evil.com`, `evilexample.com`), uppercase, trailing dots,
//!    default ports, IPv4 and IPv6.

use corsica::origin::Origin;
use corsica::policy::{Decision, Policy, PolicyConfig};
use http::{HeaderMap, HeaderValue, Method};
use proptest::prelude::*;

const PATTERNS: &[&str] = &[
    "https://foo.com",
    "https://bar.com",
    "https://example.com",
    "https://*.example.com",
    "https://a.example.com",
    "https://*.b.example.com",
    "http://localhost:*",
    "https://example.com:8080",
    "https://*.evil.com:*",
    "http://127.0.0.1:3000",
    "http://[::1]:*",
    "https://[2001:db8::1]",
    "http://*.localhost",
    "https://xn--bcher-kva.example",
    "https://*.co.uk",
];

const PREFIXES: &[&str] = &[
    "",
    "a.",
    "a.b.",
    "x.a.b.",
    "bar",
    "evil",
    "www.",
    "_x.",
    "a-b.",
    "A.",
    ".",
    "a..",
    "xn--bcher-kva.",
    "1.",
];
const BASES: &[&str] = &[
    "foo.com",
    "bar.com",
    "example.com",
    "b.example.com",
    "example.com.evil.com",
    "evil.com",
    "co.uk",
    "localhost",
    "127.0.0.1",
    "[::1]",
    "[2001:db8::1]",
    "[2001:DB8::1]",
    "Example.com",
    "example.com.",
    "example",
    "xn--bcher-kva.example",
    "bücher.example",
];
const PORTS: &[&str] = &[
    "", ":443", ":80", ":8080", ":3000", ":0", ":65536", ":08080", ":", ":*",
];
const SCHEMES: &[&str] = &["https", "http", "HTTPS", "ws", "file"];
const SUFFIXES: &[&str] = &["", "", "", "/", "/path", "?q"];

fn origin_strategy() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => (
            prop::sample::select(SCHEMES),
            prop::sample::select(PREFIXES),
            prop::sample::select(BASES),
            prop::sample::select(PORTS),
            prop::sample::select(SUFFIXES),
        )
            .prop_map(|(s, p, b, port, suf)| format!("{s}://{p}{b}{port}{suf}")),
        1 => "[a-z:/.\\[\\]*0-9A-Z_-]{0,30}",
        1 => Just("null".to_string()),
    ]
}

/// The reference matcher: written for obviousness, not speed. An origin
/// matches a pattern when it is in canonical form (what `Origin::parse`
/// serializes it to, byte for byte), the schemes are equal, the hosts are
/// equal (exact) or the host is one or more labels (`[a-z0-9_-]+`) plus
/// `.` plus the pattern's host (subdomain wildcard), and the ports are
/// equal (absent on both, or the same number) or the pattern's port is `*`.
fn reference_allows(patterns: &[&str], origin: &str) -> bool {
    let Ok(parsed) = Origin::parse(origin) else {
        return false;
    };
    if parsed.serialize() != origin {
        return false;
    }
    let Origin::Tuple { scheme, port, .. } = &parsed else {
        return false;
    };
    let after_scheme = &origin[scheme.len() + 3..];
    let host = match port {
        Some(p) => after_scheme.strip_suffix(&format!(":{p}")).unwrap(),
        None => after_scheme,
    };
    patterns.iter().any(|pattern| {
        if *pattern == "*" {
            return true;
        }
        let (p_scheme, rest) = pattern.split_once("://").unwrap();
        let (rest, any_port) = match rest.strip_suffix(":*") {
            Some(r) => (r, true),
            None => (rest, false),
        };
        let (p_host_port, subdomains) = match rest.strip_prefix("*.") {
            Some(r) => (r, true),
            None => (rest, false),
        };
        let (p_host, p_port): (&str, Option<u16>) = if p_host_port.starts_with('[') {
            let close = p_host_port.find(']').unwrap();
            let port = p_host_port[close + 1..]
                .strip_prefix(':')
                .map(|p| p.parse().unwrap());
            (&p_host_port[..=close], port)
        } else {
            match p_host_port.split_once(':') {
                Some((h, p)) => (h, Some(p.parse().unwrap())),
                None => (p_host_port, None),
            }
        };
        let scheme_ok = p_scheme == scheme;
        let host_ok = if subdomains {
            match host.strip_suffix(&format!(".{p_host}")) {
                Some(labels) => {
                    !labels.is_empty()
                        && labels.split('.').all(|l| {
                            !l.is_empty()
                                && l.bytes().all(|b| {
                                    b.is_ascii_lowercase()
                                        || b.is_ascii_digit()
                                        || b == b'-'
                                        || b == b'_'
                                })
                        })
                }
                None => false,
            }
        } else {
            host == p_host
        };
        let port_ok = any_port || *port == p_port;
        scheme_ok && host_ok && port_ok
    })
}

fn actual(origin: &str) -> Option<HeaderMap> {
    let mut h = HeaderMap::new();
    h.insert("origin", HeaderValue::from_str(origin).ok()?);
    Some(h)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4096, ..ProptestConfig::default() })]

    #[test]
    fn matcher_agrees_with_reference(
        patterns in prop::sample::subsequence(PATTERNS, 1..6),
        origins in prop::collection::vec(origin_strategy(), 1..16),
    ) {
        let policy = Policy::new(&PolicyConfig::default().origins(patterns.iter().copied()))
            .unwrap_or_else(|e| panic!("{patterns:?}: {e}"));
        for origin in &origins {
            let Some(request) = actual(origin) else { continue };
            let ours = policy.decide(&Method::GET, &request).is_allowed();
            let reference = reference_allows(&patterns, origin);
            prop_assert_eq!(ours, reference, "patterns {:?}, origin {:?}", patterns, origin);
        }
    }
}

const ORIGIN_POOL: &[&str] = &[
    "*",
    "https://foo.com",
    "https://*.example.com",
    "http://localhost:*",
    "http://example.com",
    "https://*.github.io",
];
const METHOD_POOL: &[&str] = &["*", "GET", "PUT", "DELETE", "patch"];
const HEADER_POOL: &[&str] = &["*", "Authorization", "Content-Type", "X-Request-Id"];

fn config_strategy() -> impl Strategy<Value = PolicyConfig> {
    (
        prop::sample::subsequence(ORIGIN_POOL, 1..4),
        any::<bool>(),
        prop::sample::subsequence(METHOD_POOL, 0..3),
        prop::sample::subsequence(HEADER_POOL, 0..3),
        prop::sample::subsequence(HEADER_POOL, 0..3),
        any::<[bool; 4]>(),
    )
        .prop_map(
            |(origins, credentials, methods, request_headers, expose, flags)| {
                PolicyConfig::default()
                    .origins(origins)
                    .credentials(credentials)
                    .methods(methods)
                    .request_headers(request_headers)
                    .expose_headers(expose)
                    .private_network(flags[0])
                    .preflight_passthrough(flags[1])
                    .dangerously_allow_insecure_origins(flags[2])
                    .dangerously_allow_public_suffix_subdomains(flags[3])
            },
        )
}

fn request_strategy() -> impl Strategy<Value = (Method, Vec<(&'static str, String)>)> {
    (
        prop::sample::select(vec![
            Method::GET,
            Method::POST,
            Method::OPTIONS,
            Method::PUT,
        ]),
        prop::option::of(origin_strategy()),
        prop::option::of(prop::sample::select(vec![
            "GET", "PUT", "PATCH", "patch", "PURGE", "",
        ])),
        prop::option::of("[a-zA-Z, -]{0,40}"),
        any::<bool>(),
    )
        .prop_map(|(method, origin, acrm, acrh, pna)| {
            let mut h = Vec::new();
            if let Some(o) = origin {
                h.push(("origin", o));
            }
            if let Some(m) = acrm {
                h.push(("access-control-request-method", m.to_string()));
            }
            if let Some(v) = acrh {
                h.push(("access-control-request-headers", v));
            }
            if pna {
                h.push(("access-control-request-private-network", "true".to_string()));
            }
            (method, h)
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2048, ..ProptestConfig::default() })]

    #[test]
    fn never_star_with_credentials(
        config in config_strategy(),
        requests in prop::collection::vec(request_strategy(), 1..8),
    ) {
        let Ok(policy) = Policy::new(&config) else {
            // `*` with credentials must be one of the reasons it failed, if
            // the configuration has both.
            if config.credentials && config.origins.iter().any(|o| o == "*") {
                let e = Policy::new(&config).unwrap_err();
                prop_assert!(e.errors.iter().any(|e| e.code() == "credentialed-wildcard-origin"));
            }
            return Ok(());
        };
        for (method, pairs) in &requests {
            let mut h = HeaderMap::new();
            for (k, v) in pairs {
                if let Ok(v) = HeaderValue::from_str(v) {
                    h.append(*k, v);
                }
            }
            let d = policy.decide(method, &h);
            let acao = d.headers().get(&http::header::ACCESS_CONTROL_ALLOW_ORIGIN);
            let acac = d.headers().get(&http::header::ACCESS_CONTROL_ALLOW_CREDENTIALS);
            prop_assert!(
                !(acao.is_some_and(|v| v == "*") && acac.is_some()),
                "config {:?}, request {:?}: {:?}", config, pairs, d
            );
            // Credentials are only ever announced with an allowed origin, and
            // `*` values never go out with credentials.
            if acac.is_some() {
                prop_assert!(config.credentials && acao.is_some());
                for (name, value) in d.headers().iter() {
                    prop_assert!(value != "*", "{} = * with credentials", name);
                }
            }
            // A rejected CORS request gets nothing but Vary.
            if d.rejection().is_some() {
                prop_assert!(d.headers().iter().all(|(n, _)| n == http::header::VARY));
            }
            if let Decision::NotCors { .. } = d {
                prop_assert!(!h.contains_key("origin"));
            }
        }
    }
}

#[test]
fn reference_matcher_sanity() {
    // The reference itself must get the classic cases right, or agreement
    // proves nothing.
    let p = &[
        "https://foo.com",
        "https://bar.com",
        "https://*.example.com",
        "http://localhost:*",
    ];
    assert!(reference_allows(p, "https://foo.com"));
    assert!(!reference_allows(p, "https://barfoo.com"));
    assert!(reference_allows(p, "https://a.example.com"));
    assert!(!reference_allows(p, "https://example.com"));
    assert!(!reference_allows(p, "https://evilexample.com"));
    assert!(!reference_allows(p, "https://example.com.evil.com"));
    assert!(!reference_allows(p, "https://A.example.com"));
    assert!(!reference_allows(p, "https://foo.com:443"));
    assert!(reference_allows(p, "http://localhost:1234"));
    assert!(reference_allows(p, "http://localhost"));
    assert!(!reference_allows(p, "https://localhost"));
}

#[test]
fn matcher_agrees_with_reference_exhaustively() {
    // Every generated shape against every pattern at once, so agreement is
    // not an accident of sampling; and some must be allowed and some not.
    let policy = Policy::new(&PolicyConfig::default().origins(PATTERNS.iter().copied())).unwrap();
    let (mut allowed, mut total) = (0, 0);
    for s in SCHEMES {
        for p in PREFIXES {
            for b in BASES {
                for port in PORTS {
                    for suf in SUFFIXES {
                        let origin = format!("{s}://{p}{b}{port}{suf}");
                        let Some(request) = actual(&origin) else {
                            continue;
                        };
                        let ours = policy.decide(&Method::GET, &request).is_allowed();
                        assert_eq!(ours, reference_allows(PATTERNS, &origin), "{origin}");
                        allowed += usize::from(ours);
                        total += 1;
                    }
                }
            }
        }
    }
    assert!(allowed > 50 && allowed < total / 2, "{allowed} of {total}");
}

//! Unit tests of validation and decisions: one test per rule.

use http::{HeaderMap, HeaderValue, Method, StatusCode};

use super::*;

fn errors(toml: &str) -> Vec<PolicyError> {
    match Policy::from_toml_str(toml) {
        Ok(_) => panic!("expected errors for {toml}"),
        Err(e) => e.errors,
    }
}

fn codes(toml: &str) -> Vec<&'static str> {
    errors(toml).iter().map(PolicyError::code).collect()
}

fn origin_error(origin: &str, credentials: bool) -> PolicyError {
    let config = PolicyConfig::default()
        .origins([origin])
        .credentials(credentials);
    let e = Policy::new(&config).expect_err(origin);
    assert_eq!(e.errors.len(), 1, "{origin}: {e}");
    e.errors
        .into_iter()
        .next()
        .unwrap_or(PolicyError::NoOrigins)
}

fn policy(toml: &str) -> Policy {
    Policy::from_toml_str(toml).unwrap_or_else(|e| panic!("{e}"))
}

fn req(pairs: &[(&str, &str)]) -> HeaderMap {
    let mut h = HeaderMap::new();
    for (k, v) in pairs {
        h.append(
            http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
            HeaderValue::from_bytes(v.as_bytes()).unwrap(),
        );
    }
    h
}

fn names(d: &Decision<'_>) -> Vec<(String, String)> {
    d.headers()
        .iter()
        .map(|(n, v)| (n.as_str().to_string(), v.to_str().unwrap().to_string()))
        .collect()
}

fn get<'a>(d: &'a Decision<'a>, name: &str) -> Option<&'a str> {
    d.headers()
        .iter()
        .find(|(n, _)| n.as_str() == name)
        .map(|(_, v)| v.to_str().unwrap())
}

// ---------------------------------------------------------------- validation

#[test]
fn issue_example_is_valid() {
    let p = policy(
        r#"
origins = ["https://myapp.com", "https://*.example.com", "http://localhost:*"]
credentials = true
methods = ["GET", "POST", "PUT", "DELETE"]
request_headers = ["Authorization", "Content-Type"]
expose_headers = ["X-Request-Id"]
max_age = 86400
"#,
    );
    assert!(p.warnings().is_empty());
}

#[test]
fn empty_origins_are_rejected() {
    assert_eq!(codes("origins = []"), ["no-origins"]);
    assert_eq!(
        Policy::new(&PolicyConfig::default()).unwrap_err().errors,
        [PolicyError::NoOrigins]
    );
}

#[test]
fn null_origin_is_rejected() {
    assert!(matches!(
        origin_error("null", false),
        PolicyError::NullOrigin { .. }
    ));
    assert!(matches!(
        origin_error("NULL", false),
        PolicyError::NullOrigin { .. }
    ));
}

#[test]
fn paths_and_trailing_slashes_are_rejected_with_the_fix() {
    for (input, fix) in [
        ("https://example.com/", "https://example.com"),
        ("https://example.com/api", "https://example.com"),
        ("https://example.com?q", "https://example.com"),
        ("https://example.com#f", "https://example.com"),
        ("https://*.example.com/", "https://*.example.com"),
    ] {
        match origin_error(input, false) {
            PolicyError::OriginWithPath { suggestion, .. } => assert_eq!(suggestion, fix),
            other => panic!("{input}: {other:?}"),
        }
    }
}

#[test]
fn non_canonical_origins_name_the_canonical_form() {
    for (input, canonical, why, code) in [
        (
            "https://Example.com",
            "https://example.com",
            NonCanonical::Uppercase,
            "uppercase-origin",
        ),
        (
            "HTTPS://example.com",
            "https://example.com",
            NonCanonical::Uppercase,
            "uppercase-origin",
        ),
        (
            "https://*.Example.com",
            "https://*.example.com",
            NonCanonical::Uppercase,
            "uppercase-origin",
        ),
        (
            "https://bücher.example",
            "https://xn--bcher-kva.example",
            NonCanonical::Unicode,
            "unicode-origin",
        ),
        (
            "https://example.com:443",
            "https://example.com",
            NonCanonical::DefaultPort,
            "default-port-origin",
        ),
        (
            "http://example.com:80",
            "http://example.com",
            NonCanonical::DefaultPort,
            "default-port-origin",
        ),
        (
            "http://127.1",
            "http://127.0.0.1",
            NonCanonical::Other,
            "non-canonical-origin",
        ),
        (
            "http://localhost:08080",
            "http://localhost:8080",
            NonCanonical::Other,
            "non-canonical-origin",
        ),
        (
            "http://Localhost:*",
            "http://localhost:*",
            NonCanonical::Uppercase,
            "uppercase-origin",
        ),
    ] {
        let e = origin_error(input, false);
        assert_eq!(e.code(), code, "{input}: {e}");
        match &e {
            PolicyError::NonCanonicalOrigin {
                canonical: c,
                why: w,
                ..
            } => {
                assert_eq!((c.as_str(), *w), (canonical, why), "{input}");
                assert!(e.to_string().contains(canonical), "{e}");
            }
            other => panic!("{input}: {other:?}"),
        }
    }
}

#[test]
fn bad_ports_are_rejected() {
    for input in [
        "https://example.com:0",
        "https://example.com:65536",
        "https://example.com:99999999",
        "https://example.com:8o",
        "https://example.com:+80",
        "https://example.com:",
    ] {
        let e = origin_error(input, false);
        assert!(
            matches!(
                e,
                PolicyError::InvalidPort { .. } | PolicyError::NonCanonicalOrigin { .. }
            ),
            "{input}: {e:?}"
        );
    }
    assert!(matches!(
        origin_error("https://example.com:0", false),
        PolicyError::InvalidPort { .. }
    ));
}

#[test]
fn misplaced_wildcards_are_rejected() {
    for input in [
        "https://*example.com",
        "https://foo.*.com",
        "https://*",
        "*://example.com",
        "https://ex*ample.com",
        "https://example.com:8*",
        "https://*.*.example.com",
        "https://*.127.0.0.1",
        "https://*.[::1]",
    ] {
        let e = origin_error(input, false);
        assert!(
            matches!(
                e,
                PolicyError::InvalidWildcard { .. } | PolicyError::InvalidOrigin { .. }
            ),
            "{input}: {e:?}"
        );
    }
    assert_eq!(
        origin_error("https://*example.com", false).code(),
        "invalid-wildcard"
    );
}

#[test]
fn garbage_origins_are_rejected() {
    for input in [
        "example.com",
        "https://",
        "https://user@example.com",
        "https://exa mple.com",
        "",
        "https://[::1",
    ] {
        let e = origin_error(input, false);
        assert!(
            matches!(
                e,
                PolicyError::InvalidOrigin { .. } | PolicyError::OriginWithPath { .. }
            ),
            "{input}: {e:?}"
        );
    }
    // `file:///tmp` is a file origin: say so, not "drop the path" (which
    // suggested the useless `file://`).
    assert!(matches!(
        origin_error("file:///tmp", false),
        PolicyError::UnsupportedScheme { .. }
    ));
    assert!(matches!(
        origin_error("file://host", false),
        PolicyError::UnsupportedScheme { .. }
    ));
}

#[test]
fn wildcard_origin_with_credentials_is_rejected() {
    assert_eq!(
        codes("origins = [\"*\"]\ncredentials = true"),
        ["credentialed-wildcard-origin"]
    );
    let p = policy("origins = [\"*\", \"https://a.com\"]");
    assert_eq!(p.warnings(), [PolicyWarning::RedundantOrigins { count: 1 }]);
    assert!(
        p.warnings()[0]
            .to_string()
            .contains("the other entry is redundant")
    );
    let p = policy("origins = [\"*\", \"https://a.com\", \"https://b.com\"]");
    assert!(
        p.warnings()[0]
            .to_string()
            .contains("the other 2 entries are redundant")
    );
}

#[test]
fn insecure_origins_with_credentials_need_the_opt_in() {
    let e = origin_error("http://example.com", true);
    assert_eq!(e.code(), "insecure-credentialed-origin");
    assert!(e.to_string().contains("dangerously_allow_insecure_origins"));
    assert!(matches!(
        origin_error("http://*.example.com", true),
        PolicyError::InsecureCredentialedOrigin { .. }
    ));
    assert!(matches!(
        origin_error("ws://example.com", true),
        PolicyError::InsecureCredentialedOrigin { .. }
    ));
    // Without credentials, fine.
    policy("origins = [\"http://example.com\"]");
    // Loopback counts as secure.
    for ok in [
        "http://localhost:*",
        "http://127.0.0.1:8080",
        "http://[::1]:3000",
        "http://app.localhost",
        "http://*.localhost:*",
    ] {
        let p = Policy::new(&PolicyConfig::default().origins([ok]).credentials(true));
        assert!(p.is_ok(), "{ok}: {:?}", p.err());
    }
    // The opt-in turns the error into a warning.
    let p = policy(
        "origins = [\"http://example.com\"]\ncredentials = true\ndangerously_allow_insecure_origins = true",
    );
    assert_eq!(
        p.warnings(),
        [PolicyWarning::InsecureCredentialedOrigin {
            value: "http://example.com".into()
        }]
    );
    assert_eq!(p.warnings()[0].code(), "insecure-credentialed-origin");
}

#[test]
fn public_suffix_wildcards_with_credentials_need_the_opt_in() {
    for (input, suffix) in [
        ("https://*.github.io", "github.io"),
        ("https://*.co.uk", "co.uk"),
        ("https://*.com", "com"),
    ] {
        match origin_error(input, true) {
            PolicyError::PublicSuffixWildcard { suffix: s, .. } => assert_eq!(s, suffix),
            other => panic!("{input}: {other:?}"),
        }
    }
    // Not a public suffix itself: fine.
    policy(
        "origins = [\"https://*.myapp.github.io\", \"https://*.example.co.uk\"]\ncredentials = true",
    );
    // Without credentials: fine.
    policy("origins = [\"https://*.github.io\"]");
    let p = policy(
        "origins = [\"https://*.github.io\"]\ncredentials = true\ndangerously_allow_public_suffix_subdomains = true",
    );
    assert!(
        matches!(&p.warnings()[0], PolicyWarning::PublicSuffixWildcard { suffix, .. } if suffix == "github.io")
    );
}

#[test]
fn unused_dangerous_options_are_warned_about() {
    let p = policy(
        "origins = [\"https://a.com\"]\ndangerously_allow_insecure_origins = true\ndangerously_allow_public_suffix_subdomains = true",
    );
    let codes: Vec<_> = p.warnings().iter().map(|w| (w.code(), w.field())).collect();
    assert_eq!(
        codes,
        [
            (
                "unused-dangerous-option",
                "dangerously_allow_insecure_origins"
            ),
            (
                "unused-dangerous-option",
                "dangerously_allow_public_suffix_subdomains"
            )
        ]
    );
}

#[test]
fn methods_are_validated() {
    assert_eq!(
        codes(
            "origins = [\"https://a.com\"]\nmethods = [\"CONNECT\", \"trace\", \"TRACK\", \"GET POST\", \"\"]"
        ),
        [
            "forbidden-method",
            "forbidden-method",
            "forbidden-method",
            "invalid-method",
            "invalid-method"
        ]
    );
    assert_eq!(
        codes("origins = [\"https://a.com\"]\ncredentials = true\nmethods = [\"*\"]"),
        ["credentialed-wildcard-method"]
    );
    policy("origins = [\"https://a.com\"]\nmethods = [\"*\"]");
}

#[test]
fn header_names_are_validated() {
    assert_eq!(
        codes(
            "origins = [\"https://a.com\"]\nrequest_headers = [\"Cookie\", \"sec-foo\", \"Proxy-Authorization\", \"Access-Control-Allow-Origin\", \"x y\", \"Origin\"]"
        ),
        [
            "forbidden-request-header",
            "forbidden-request-header",
            "forbidden-request-header",
            "forbidden-request-header",
            "invalid-header-name",
            "forbidden-request-header"
        ]
    );
    assert_eq!(
        codes(
            "origins = [\"https://a.com\"]\nexpose_headers = [\"Set-Cookie\", \"set-cookie2\", \"Origin\", \"Access-Control-Allow-Origin\", \"x:y\"]"
        ),
        [
            "forbidden-expose-header",
            "forbidden-expose-header",
            "forbidden-expose-header",
            "forbidden-expose-header",
            "invalid-header-name"
        ]
    );
    let e = errors("origins = [\"https://a.com\"]\nexpose_headers = [\"x:y\"]");
    assert_eq!(e[0].field(), "expose_headers");
    assert_eq!(
        codes(
            "origins = [\"https://a.com\"]\ncredentials = true\nrequest_headers = [\"*\"]\nexpose_headers = [\"*\"]"
        ),
        [
            "credentialed-wildcard-request-headers",
            "credentialed-wildcard-expose-headers"
        ]
    );
}

#[test]
fn max_age_and_statuses_are_validated() {
    assert_eq!(
        codes("origins = [\"https://a.com\"]\nmax_age = 86401"),
        ["max-age-out-of-range"]
    );
    assert_eq!(
        codes("origins = [\"https://a.com\"]\nmax_age = -1"),
        ["max-age-out-of-range"]
    );
    policy("origins = [\"https://a.com\"]\nmax_age = 0");
    policy("origins = [\"https://a.com\"]\nmax_age = 86400");
    assert_eq!(
        codes("origins = [\"https://a.com\"]\npreflight_status = 301"),
        ["invalid-preflight-status"]
    );
    assert_eq!(
        codes("origins = [\"https://a.com\"]\npreflight_status = 404"),
        ["invalid-preflight-status"]
    );
    assert_eq!(
        codes("origins = [\"https://a.com\"]\nrejected_preflight_status = 302"),
        ["invalid-rejected-preflight-status"]
    );
    policy(
        "origins = [\"https://a.com\"]\npreflight_status = 200\nrejected_preflight_status = 400",
    );
}

#[test]
fn every_error_is_reported_at_once() {
    let e = Policy::from_toml_str(
        r#"
origins = ["null", "https://Example.com/", "https://example.com:443", "http://evil.com", "*", "https://*.co.uk"]
credentials = true
methods = ["TRACE", "*"]
request_headers = ["*", "Cookie"]
expose_headers = ["Set-Cookie"]
max_age = 100000
preflight_status = 500
"#,
    )
    .unwrap_err();
    let codes: Vec<_> = e.errors.iter().map(|e| e.code()).collect();
    assert_eq!(
        codes,
        [
            "null-origin",
            "origin-with-path",
            "default-port-origin",
            "insecure-credentialed-origin",
            "credentialed-wildcard-origin",
            "public-suffix-wildcard",
            "forbidden-method",
            "credentialed-wildcard-method",
            "credentialed-wildcard-request-headers",
            "forbidden-request-header",
            "forbidden-expose-header",
            "max-age-out-of-range",
            "invalid-preflight-status",
        ]
    );
    let text = e.to_string();
    assert!(
        text.starts_with("invalid CORS policy (13 errors):"),
        "{text}"
    );
    for err in &e.errors {
        assert!(!err.to_string().ends_with('.'), "{err}");
        assert!(!err.field().is_empty(), "{err:?}");
    }
    assert!(
        e.warnings
            .contains(&PolicyWarning::RedundantOrigins { count: 5 })
    );
}

// ---------------------------------------------------------------- issue 6

/// Issue 6: an unknown key hid every other error. All of them are reported
/// now, the unknown key first, with the key it most likely means.
#[test]
fn issue6_unknown_key_hides_no_other_error() {
    let e = Policy::from_toml_str(
        r#"
allowed_origins = ["https://app.com"]
origins = ["*", "https://app.com/", "http://app.com", "https://*.github.io"]
credentials = true
"#,
    )
    .unwrap_err();
    let codes: Vec<_> = e.errors.iter().map(PolicyError::code).collect();
    assert_eq!(
        codes,
        [
            "unknown-key",
            "credentialed-wildcard-origin",
            "origin-with-path",
            "insecure-credentialed-origin",
            "public-suffix-wildcard",
        ]
    );
    assert_eq!(
        e.errors[0].to_string(),
        "line 2, column 1: unknown key `allowed_origins`; did you mean `origins`?"
    );
    assert_eq!(e.warnings, [PolicyWarning::RedundantOrigins { count: 3 }]);
    // PolicyConfig alone still refuses the file, with the file's errors only.
    let e = PolicyConfig::from_toml_str("allowed_origins = []\norigins = [\"*\"]").unwrap_err();
    assert_eq!(e.errors.len(), 1);
}

/// Issue 6: a value of the wrong type hides nothing either, and says
/// nothing false about its key (`origins = 5` is not "no origins").
#[test]
fn issue6_wrong_types_hide_no_other_error() {
    assert_eq!(
        codes("origins = [\"https://a.com/\"]\ncredentials = \"yes\"\nmethods = [\"TRACE\"]\n"),
        ["wrong-type", "origin-with-path", "forbidden-method"]
    );
    assert_eq!(
        codes("origins = \"https://a.com\"\nmax_age = -1\n"),
        ["wrong-type", "max-age-out-of-range"]
    );
    // The opt-in could not be read: its absence is not held against the file.
    assert_eq!(
        codes(
            "origins = [\"http://a.com\"]\ncredentials = true\ndangerously_allow_insecure_origins = \"yes\"\n"
        ),
        ["wrong-type"]
    );
}

/// Issue 6: a 1 MB origin gave a 1 MB error line. Every message quotes
/// user input shortened.
#[test]
fn issue6_huge_input_gives_short_messages() {
    let huge = format!("https://{}.com/", "a".repeat(1 << 20));
    let toml = format!(
        "origins = [{huge:?}, \"{}\", \"http://{}.com\"]\ncredentials = true\nmethods = [{:?}]\nrequest_headers = [{:?}]\n{} = 1\n",
        "h".repeat(1 << 20),
        "b".repeat(1 << 20),
        format!("GE T{}", "x".repeat(1 << 20)),
        format!("X {}", "y".repeat(1 << 20)),
        "k".repeat(1 << 20),
    );
    let e = Policy::from_toml_str(&toml).unwrap_err();
    assert_eq!(
        e.errors.len(),
        6,
        "{:?}",
        e.errors.iter().map(PolicyError::code).collect::<Vec<_>>()
    );
    for err in &e.errors {
        let text = err.to_string();
        assert!(
            text.len() < 400,
            "{} is {} bytes: {}",
            err.code(),
            text.len(),
            &text[..400]
        );
        assert!(text.contains("characters)"), "{text}");
    }
    let long_method = "Q".repeat(1 << 20);
    let p = policy("origins = [\"https://a.com\"]");
    let h = req(&[
        ("origin", "https://a.com"),
        ("access-control-request-method", &long_method),
    ]);
    let d = p.decide(&Method::OPTIONS, &h);
    let text = d.rejection().unwrap().to_string();
    assert!(text.len() < 300, "{}", text.len());
}

/// Issue 6: `methods = ["patch"]` allows only scripts that write `patch`
/// (browsers upper-case six methods only): warned, with the fix.
#[test]
fn issue6_lowercase_method_is_warned_about() {
    let p = policy("origins = [\"https://a.com\"]\nmethods = [\"patch\", \"delete\", \"Get\"]");
    assert_eq!(
        p.warnings(),
        [PolicyWarning::LowercaseMethod {
            value: "patch".into(),
            suggestion: "PATCH".into()
        }]
    );
    let text = p.warnings()[0].to_string();
    assert!(text.contains("write `PATCH`"), "{text}");
    assert_eq!(p.warnings()[0].field(), "methods");
    // Both listed: the lowercase one is meant.
    assert!(
        policy("origins = [\"https://a.com\"]\nmethods = [\"PATCH\", \"patch\"]")
            .warnings()
            .is_empty()
    );
    assert!(
        policy("origins = [\"https://a.com\"]\nmethods = [\"mkcol\", \"MKCOL\"]")
            .warnings()
            .is_empty()
    );
}

/// Issue 6: duplicate origins, methods and headers are warned about.
#[test]
fn issue6_duplicates_are_warned_about() {
    let p = policy(
        r#"
origins = ["https://a.com", "https://b.com", "https://a.com"]
methods = ["GET", "PUT", "get", "PUT"]
request_headers = ["X-A", "x-a"]
expose_headers = ["X-B", "X-B"]
"#,
    );
    let warned: Vec<_> = p.warnings().iter().map(PolicyWarning::code).collect();
    assert_eq!(
        warned,
        [
            "duplicate-origin",
            "duplicate-method",
            "duplicate-method",
            "duplicate-header",
            "duplicate-header",
        ]
    );
    let texts: Vec<String> = p.warnings().iter().map(ToString::to_string).collect();
    assert_eq!(
        texts[1],
        "method `get` is the same as `GET`, listed before it (browsers upper-case it); remove the repeat"
    );
    assert_eq!(
        texts[3],
        "`x-a` in request_headers is the same header as `X-A`, listed before it (header names are case-insensitive); remove the repeat"
    );
    assert_eq!(p.warnings()[3].field(), "request_headers");
    // A repeated invalid origin is one error, not two.
    assert_eq!(
        codes("origins = [\"https://a.com/\", \"https://a.com/\"]"),
        ["origin-with-path"]
    );
}

#[test]
fn legacy_private_network_is_warned_about() {
    let p = policy("origins = [\"https://a.com\"]\nprivate_network = true");
    assert_eq!(p.warnings(), [PolicyWarning::LegacyPrivateNetworkAccess]);
}

// ----------------------------------------------------------------- decisions

const STRICT: &str = r#"
origins = ["https://myapp.com", "https://*.example.com", "http://localhost:*"]
credentials = true
methods = ["GET", "POST", "PUT", "DELETE", "PATCH"]
request_headers = ["Authorization", "Content-Type", "X-Request-Id"]
expose_headers = ["X-Request-Id"]
max_age = 600
"#;

#[test]
fn no_origin_is_not_cors_but_varies_on_origin() {
    let p = policy(STRICT);
    let h = req(&[]);
    let d = p.decide(&Method::GET, &h);
    assert!(matches!(d, Decision::NotCors { .. }));
    assert_eq!(names(&d), [("vary".into(), "Origin".into())]);
    assert!(!d.is_cors() && d.status().is_none() && d.rejection().is_none() && d.forwards());
    // An OPTIONS with ACRM but no Origin is not a preflight.
    let h = req(&[("access-control-request-method", "PUT")]);
    assert!(matches!(
        p.decide(&Method::OPTIONS, &h),
        Decision::NotCors { .. }
    ));
    // With `*` and no credentials nothing depends on Origin.
    let any = policy("origins = [\"*\"]");
    assert!(any.decide(&Method::GET, &req(&[])).headers().is_empty());
}

#[test]
fn allowed_actual_request() {
    let p = policy(STRICT);
    let h = req(&[("origin", "https://api.example.com")]);
    let d = p.decide(&Method::POST, &h);
    assert!(matches!(
        d,
        Decision::Actual {
            rejection: None,
            ..
        }
    ));
    assert_eq!(
        names(&d),
        [
            (
                "access-control-allow-origin".into(),
                "https://api.example.com".into()
            ),
            ("access-control-allow-credentials".into(), "true".into()),
            (
                "access-control-expose-headers".into(),
                "x-request-id".into()
            ),
            ("vary".into(), "Origin".into()),
        ]
    );
    assert!(d.is_allowed() && !d.is_preflight() && d.forwards());
    // OPTIONS without ACRM is an actual request.
    let d = p.decide(&Method::OPTIONS, &h);
    assert!(matches!(
        d,
        Decision::Actual {
            rejection: None,
            ..
        }
    ));
}

#[test]
fn disallowed_actual_request_gets_only_vary() {
    let p = policy(STRICT);
    // Exact origins only: an unlisted origin is never split, only checked
    // (`OriginMatcher::only_listed`); the reasons must be the same.
    let exact = policy(r#"origins = ["https://myapp.com"]"#);
    assert!(exact.matcher.only_listed() && !p.matcher.only_listed());
    for (origin, why) in [
        ("https://evil.com", Rejection::OriginNotAllowed),
        ("https://example.com", Rejection::OriginNotAllowed),
        ("https://evilexample.com", Rejection::OriginNotAllowed),
        ("https://example.com.evil.com", Rejection::OriginNotAllowed),
        ("https://myapp.com.evil.com", Rejection::OriginNotAllowed),
        ("http://myapp.com", Rejection::OriginNotAllowed),
        ("https://myapp.com:8443", Rejection::OriginNotAllowed),
        ("null", Rejection::NullOrigin),
        ("https://MYAPP.com", Rejection::MalformedOrigin),
        ("https://myapp.com/", Rejection::MalformedOrigin),
        ("https://myapp.com:443", Rejection::MalformedOrigin),
        ("garbage", Rejection::MalformedOrigin),
    ] {
        let h = req(&[("origin", origin)]);
        for p in [&p, &exact] {
            let d = p.decide(&Method::GET, &h);
            assert_eq!(d.rejection(), Some(&why), "{origin}");
            assert_eq!(names(&d), [("vary".into(), "Origin".into())], "{origin}");
            assert!(d.forwards() && !d.is_allowed());
        }
    }
    // Two Origin lines.
    let h = req(&[
        ("origin", "https://myapp.com"),
        ("origin", "https://myapp.com"),
    ]);
    assert_eq!(
        p.decide(&Method::GET, &h).rejection(),
        Some(&Rejection::MalformedOrigin)
    );
}

#[test]
fn allowed_preflight() {
    let p = policy(STRICT);
    let h = req(&[
        ("origin", "http://localhost:5173"),
        ("access-control-request-method", "PUT"),
        (
            "access-control-request-headers",
            "authorization,content-type",
        ),
    ]);
    let d = p.decide(&Method::OPTIONS, &h);
    assert_eq!(d.status(), Some(StatusCode::NO_CONTENT));
    assert!(d.is_preflight() && d.is_allowed() && !d.forwards());
    assert_eq!(
        names(&d),
        [
            (
                "access-control-allow-origin".into(),
                "http://localhost:5173".into()
            ),
            ("access-control-allow-credentials".into(), "true".into()),
            (
                "access-control-allow-methods".into(),
                "GET, POST, PUT, DELETE, PATCH".into()
            ),
            (
                "access-control-allow-headers".into(),
                "authorization, content-type, x-request-id".into()
            ),
            ("access-control-max-age".into(), "600".into()),
            (
                "vary".into(),
                "Origin, Access-Control-Request-Method, Access-Control-Request-Headers".into()
            ),
        ]
    );
}

#[test]
fn preflight_method_rules() {
    let p = policy(STRICT);
    let check = |m: &str| {
        let h = req(&[
            ("origin", "https://myapp.com"),
            ("access-control-request-method", m),
        ]);
        p.decide(&Method::OPTIONS, &h).rejection().map(|r| r.code())
    };
    assert_eq!(check("PUT"), None);
    assert_eq!(check("GET"), None);
    assert_eq!(check("HEAD"), None); // safelisted, though not listed
    // Byte-exact: browsers send `patch` as written.
    assert_eq!(check("patch"), Some("method-not-allowed"));
    assert_eq!(check("OPTIONS"), Some("method-not-allowed"));
    assert_eq!(check("get"), Some("method-not-allowed"));
    assert_eq!(check("P UT"), Some("malformed-method"));
    assert_eq!(check(""), Some("malformed-method"));
    let h = req(&[
        ("origin", "https://myapp.com"),
        ("access-control-request-method", "PUT"),
        ("access-control-request-method", "PUT"),
    ]);
    assert_eq!(
        p.decide(&Method::OPTIONS, &h).rejection(),
        Some(&Rejection::MalformedMethod)
    );
    let h = req(&[
        ("origin", "https://myapp.com"),
        ("access-control-request-method", "PURGE"),
    ]);
    let d = p.decide(&Method::OPTIONS, &h);
    assert_eq!(
        d.rejection(),
        Some(&Rejection::MethodNotAllowed { method: "PURGE" })
    );
    // `methods = ["delete"]` is normalized to what browsers send.
    let q = policy("origins = [\"https://a.com\"]\nmethods = [\"delete\"]");
    let h = req(&[
        ("origin", "https://a.com"),
        ("access-control-request-method", "DELETE"),
    ]);
    assert!(q.decide(&Method::OPTIONS, &h).is_allowed());
    // `*` allows any method (without credentials) and sends `*`.
    let q = policy("origins = [\"https://a.com\"]\nmethods = [\"*\"]");
    let h = req(&[
        ("origin", "https://a.com"),
        ("access-control-request-method", "PURGE"),
    ]);
    let d = q.decide(&Method::OPTIONS, &h);
    assert!(d.is_allowed());
    assert_eq!(get(&d, "access-control-allow-methods"), Some("*"));
}

#[test]
fn rejected_preflight_gets_status_and_only_vary() {
    let p = policy(STRICT);
    for (pairs, code) in [
        (
            vec![
                ("origin", "https://evil.com"),
                ("access-control-request-method", "PUT"),
            ],
            "origin-not-allowed",
        ),
        (
            vec![("origin", "null"), ("access-control-request-method", "PUT")],
            "null-origin",
        ),
        (
            vec![
                ("origin", "https://myapp.com"),
                ("access-control-request-method", "PUT"),
                ("access-control-request-headers", "x-other"),
            ],
            "header-not-allowed",
        ),
        (
            vec![
                ("origin", "https://myapp.com"),
                ("access-control-request-method", "PUT"),
                ("access-control-request-private-network", "true"),
            ],
            "private-network-not-allowed",
        ),
    ] {
        let h = req(&pairs);
        let d = p.decide(&Method::OPTIONS, &h);
        assert!(matches!(d, Decision::PreflightRejected { .. }), "{pairs:?}");
        assert_eq!(d.status(), Some(StatusCode::FORBIDDEN));
        assert_eq!(d.rejection().map(|r| r.code()), Some(code));
        assert_eq!(
            names(&d),
            [(
                "vary".into(),
                "Origin, Access-Control-Request-Method, Access-Control-Request-Headers".into()
            )]
        );
    }
    let q = policy(
        "origins = [\"https://a.com\"]\nrejected_preflight_status = 400\npreflight_status = 200",
    );
    let h = req(&[
        ("origin", "https://b.com"),
        ("access-control-request-method", "PUT"),
    ]);
    assert_eq!(
        q.decide(&Method::OPTIONS, &h).status(),
        Some(StatusCode::BAD_REQUEST)
    );
    let h = req(&[
        ("origin", "https://a.com"),
        ("access-control-request-method", "PUT"),
    ]);
    assert_eq!(
        q.decide(&Method::OPTIONS, &h).status(),
        Some(StatusCode::BAD_REQUEST)
    );
    let h = req(&[
        ("origin", "https://a.com"),
        ("access-control-request-method", "POST"),
    ]);
    assert_eq!(
        q.decide(&Method::OPTIONS, &h).status(),
        Some(StatusCode::OK)
    );
}

#[test]
fn any_origin_without_credentials() {
    let p = policy(
        "origins = [\"*\"]\nrequest_headers = [\"*\"]\nexpose_headers = [\"*\"]\nmethods = [\"*\"]",
    );
    let h = req(&[("origin", "https://anything.test")]);
    let d = p.decide(&Method::GET, &h);
    assert_eq!(
        names(&d),
        [
            ("access-control-allow-origin".into(), "*".into()),
            ("access-control-expose-headers".into(), "*".into()),
        ]
    );
    // `null` is fine under `*`.
    let h = req(&[("origin", "null")]);
    assert!(p.decide(&Method::GET, &h).is_allowed());
    let h = req(&[
        ("origin", "https://x.test"),
        ("access-control-request-method", "PURGE"),
        ("access-control-request-headers", "x-a,x-b"),
    ]);
    let d = p.decide(&Method::OPTIONS, &h);
    assert!(d.is_allowed());
    assert_eq!(get(&d, "access-control-allow-headers"), Some("*"));
    assert_eq!(
        get(&d, "vary"),
        Some("Access-Control-Request-Method, Access-Control-Request-Headers")
    );
    assert_eq!(get(&d, "access-control-allow-credentials"), None);
    // `*` never covers Authorization.
    let h = req(&[
        ("origin", "https://x.test"),
        ("access-control-request-method", "GET"),
        ("access-control-request-headers", "authorization"),
    ]);
    assert_eq!(
        p.decide(&Method::OPTIONS, &h).rejection(),
        Some(&Rejection::AuthorizationNotAllowed)
    );
    let q = policy("origins = [\"*\"]\nrequest_headers = [\"*\", \"Authorization\"]");
    let d = q.decide(&Method::OPTIONS, &h);
    assert!(d.is_allowed());
    assert_eq!(
        get(&d, "access-control-allow-headers"),
        Some("*, authorization")
    );
}

#[test]
fn private_network_opt_in() {
    let p = policy("origins = [\"https://a.com\"]\nprivate_network = true");
    let h = req(&[
        ("origin", "https://a.com"),
        ("access-control-request-method", "GET"),
        ("access-control-request-private-network", "true"),
    ]);
    let d = p.decide(&Method::OPTIONS, &h);
    assert_eq!(
        get(&d, "access-control-allow-private-network"),
        Some("true")
    );
    assert_eq!(
        get(&d, "vary"),
        Some(
            "Origin, Access-Control-Request-Method, Access-Control-Request-Headers, Access-Control-Request-Private-Network"
        )
    );
    let h = req(&[
        ("origin", "https://a.com"),
        ("access-control-request-method", "GET"),
    ]);
    assert_eq!(
        get(
            &p.decide(&Method::OPTIONS, &h),
            "access-control-allow-private-network"
        ),
        None
    );
}

/// The private-network request header is found whether the request has
/// few names (scanned) or many (looked up by hash), and its absence too.
#[test]
fn private_network_is_found_among_few_or_many_names() {
    let allowing = policy("origins = [\"https://a.com\"]\nprivate_network = true");
    let refusing = policy("origins = [\"https://a.com\"]");
    for extra in [0, 15, 16, 40] {
        let fillers: Vec<(String, String)> = (0..extra)
            .map(|i| (format!("x-filler-{i}"), "1".to_owned()))
            .collect();
        for pna in [false, true] {
            let mut pairs: Vec<(&str, &str)> = vec![
                ("origin", "https://a.com"),
                ("access-control-request-method", "GET"),
            ];
            pairs.extend(fillers.iter().map(|(k, v)| (k.as_str(), v.as_str())));
            if pna {
                pairs.push(("access-control-request-private-network", "true"));
            }
            let h = req(&pairs);
            let allowed = allowing.decide(&Method::OPTIONS, &h);
            assert!(allowed.is_allowed(), "{extra} names, pna {pna}");
            assert_eq!(
                get(&allowed, "access-control-allow-private-network"),
                pna.then_some("true"),
                "{extra} names"
            );
            let refused = refusing.decide(&Method::OPTIONS, &h);
            assert_eq!(
                refused.rejection().map(|r| r.code()),
                pna.then_some("private-network-not-allowed"),
                "{extra} names"
            );
        }
    }
}

#[test]
fn passthrough_forwards_preflights() {
    let p = policy("origins = [\"https://a.com\"]\npreflight_passthrough = true");
    let h = req(&[
        ("origin", "https://a.com"),
        ("access-control-request-method", "GET"),
    ]);
    let d = p.decide(&Method::OPTIONS, &h);
    assert!(matches!(
        d,
        Decision::PreflightPassthrough {
            rejection: None,
            ..
        }
    ));
    assert!(d.forwards() && d.is_preflight() && d.status().is_none());
    assert_eq!(
        get(&d, "access-control-allow-origin"),
        Some("https://a.com")
    );
    let h = req(&[
        ("origin", "https://b.com"),
        ("access-control-request-method", "GET"),
    ]);
    let d = p.decide(&Method::OPTIONS, &h);
    assert_eq!(d.rejection(), Some(&Rejection::OriginNotAllowed));
    assert!(d.forwards());
    assert_eq!(names(&d).len(), 1);
}

#[test]
fn never_star_with_credentials() {
    let p = policy(STRICT);
    for origin in [
        "https://myapp.com",
        "https://a.example.com",
        "http://localhost",
    ] {
        let h = req(&[("origin", origin), ("access-control-request-method", "PUT")]);
        for m in [Method::GET, Method::OPTIONS] {
            let d = p.decide(&m, &h);
            assert_eq!(get(&d, "access-control-allow-origin"), Some(origin));
            assert_eq!(get(&d, "access-control-allow-credentials"), Some("true"));
        }
    }
}

#[test]
fn apply_to_sets_headers_on_an_error_response() {
    let p = policy(STRICT);
    let h = req(&[("origin", "https://myapp.com")]);
    let d = p.decide(&Method::GET, &h);
    let mut response = HeaderMap::new();
    response.insert("vary", HeaderValue::from_static("Accept-Encoding"));
    d.headers().apply_to(&mut response);
    assert_eq!(response["access-control-allow-origin"], "https://myapp.com");
    assert_eq!(response["vary"], "Accept-Encoding, Origin");
}

#[test]
fn decide_parts_is_decide() {
    let p = policy(STRICT);
    let (parts, ()) = http::Request::builder()
        .method("OPTIONS")
        .header("origin", "https://myapp.com")
        .header("access-control-request-method", "DELETE")
        .body(())
        .unwrap()
        .into_parts();
    let d = p.decide_parts(&parts);
    assert_eq!(d, p.decide(&parts.method, &parts.headers));
    assert!(d.is_allowed());
}

#[test]
fn origin_patterns_are_the_validated_entries_in_order() {
    let p = policy(
        r#"origins = ["https://myapp.com", "https://*.example.com", "http://localhost:*",
                      "https://myapp.com", "https://[::1]:8443", "https://*.dev.test:*"]"#,
    );
    assert!(!p.allows_any_origin());
    let shown: Vec<String> = p.origin_patterns().iter().map(|o| o.to_string()).collect();
    assert_eq!(
        shown,
        [
            "https://myapp.com",
            "https://*.example.com",
            "http://localhost:*",
            "https://[::1]:8443",
            "https://*.dev.test:*"
        ]
    );
    let wildcard = &p.origin_patterns()[1];
    assert_eq!(
        (wildcard.scheme(), wildcard.host(), wildcard.subdomains()),
        ("https", "example.com", true)
    );
    assert_eq!(wildcard.port(), PortRule::Default);
    assert_eq!(p.origin_patterns()[2].port(), PortRule::Any);
    assert_eq!(p.origin_patterns()[3].port(), PortRule::Exact(8443));
    assert_eq!(p.origin_patterns()[3].host(), "[::1]");

    let any = policy(r#"origins = ["*"]"#);
    assert!(any.allows_any_origin());
    assert!(any.origin_patterns().is_empty());
}

/// Issue 7: long lists cost linear time. 6,000 entries per list, half of
/// them repeated, validate through sets (not the quadratic scans they
/// replaced); each repeat is one warning naming its first spelling.
#[test]
fn long_lists_with_repeats_validate_in_one_pass() {
    const N: usize = 3_000;
    let mut config = PolicyConfig {
        origins: (0..N)
            .flat_map(|i| {
                let o = format!("https://app{i}.example.com");
                [o.clone(), o]
            })
            .collect(),
        methods: (0..N)
            .flat_map(|i| [format!("M{i}"), format!("M{i}")])
            .collect(),
        request_headers: (0..N)
            .flat_map(|i| [format!("x-h{i}"), format!("X-H{i}")])
            .collect(),
        expose_headers: (0..N)
            .flat_map(|i| [format!("x-e{i}"), format!("X-E{i}")])
            .collect(),
        ..PolicyConfig::default()
    };
    let p = Policy::new(&config).expect("valid");
    assert_eq!(p.origin_patterns().len(), N);
    let dupes = |code: &str| p.warnings().iter().filter(|w| w.code() == code).count();
    assert_eq!(dupes("duplicate-method"), N);
    assert_eq!(dupes("duplicate-header"), 2 * N);
    let first = p
        .warnings()
        .iter()
        .find(|w| w.code() == "duplicate-header")
        .unwrap()
        .to_string();
    assert!(first.contains("X-H0") && first.contains("x-h0"), "{first}");

    // Lowercase methods are checked against the set too.
    config.methods = (0..N).map(|i| format!("m{i}")).collect();
    let p = Policy::new(&config).expect("valid");
    assert_eq!(
        p.warnings()
            .iter()
            .filter(|w| w.code() == "lowercase-method")
            .count(),
        N
    );
}

#[test]
fn a_listed_origin_is_answered_with_the_policys_bytes_a_pattern_with_the_requests() {
    // A listed origin's answer holds none of the request's bytes (a server
    // can then reuse the buffer it parsed the request into); an origin
    // found by a pattern can only be reflected. Either way the value is the
    // request's `Origin`, byte for byte.
    let p = policy(
        r#"origins = ["https://a.com", "https://*.b.com", "http://localhost:*"]
           methods = ["PUT"]"#,
    );
    for (origin, reflected) in [
        ("https://a.com", false),
        ("https://x.b.com", true),
        ("http://localhost:3000", true),
    ] {
        for method in [Method::GET, Method::OPTIONS] {
            let h = req(&[("origin", origin), ("access-control-request-method", "PUT")]);
            let d = p.decide(&method, &h);
            let sent = d
                .headers()
                .get(&http::header::ACCESS_CONTROL_ALLOW_ORIGIN)
                .unwrap_or_else(|| panic!("{origin} {method}: not allowed"));
            assert_eq!(sent.as_bytes(), origin.as_bytes(), "{origin} {method}");
            let shares = std::ptr::eq(sent.as_bytes().as_ptr(), h["origin"].as_bytes().as_ptr());
            assert_eq!(shares, reflected, "{origin} {method}");
        }
    }
}

#[test]
fn policy_text_over_the_limit_is_refused_before_it_is_parsed() {
    use super::MAX_POLICY_BYTES;
    // A valid policy padded with a comment to one byte over the limit.
    let mut text = String::from("origins = [\"https://a.com\"]\n#");
    text.push_str(&"x".repeat(MAX_POLICY_BYTES + 1 - text.len()));
    assert_eq!(text.len(), MAX_POLICY_BYTES + 1);
    let errors = Policy::from_toml_str(&text).unwrap_err().errors;
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].code(), "policy-too-large");
    assert!(
        errors[0].to_string().contains("longer than 16777216 bytes"),
        "{}",
        errors[0]
    );
    // At the limit it is read.
    text.pop();
    assert!(Policy::from_toml_str(&text).is_ok());
}

/// `decide` reads a preflight's CORS headers in one pass when it has few
/// lines and by name when it has many (`CorsHeaders::find`): the two must
/// decide alike, duplicates and all. Each request is decided as it is and
/// padded with 20 other lines (past the scan's 16), before and after its
/// own.
#[test]
fn a_preflight_is_decided_alike_with_few_lines_and_many() {
    let strict = policy(
        "origins = [\"https://a.com\"]\nmethods = [\"PUT\"]\nrequest_headers = [\"x-a\", \"x-b\"]\nprivate_network = true",
    );
    let closed = policy("origins = [\"https://a.com\"]\nmethods = [\"PUT\"]");
    let o = ("origin", "https://a.com");
    let m = ("access-control-request-method", "PUT");
    let cases: Vec<Vec<(&str, &str)>> = vec![
        vec![o, m],
        vec![m],
        vec![o],
        vec![o, ("origin", "https://a.com"), m],
        vec![o, m, ("access-control-request-method", "PUT")],
        vec![o, ("access-control-request-method", "DELETE")],
        vec![o, m, ("access-control-request-headers", "x-a")],
        vec![
            o,
            m,
            ("access-control-request-headers", "x-a"),
            ("access-control-request-headers", "x-b"),
        ],
        vec![
            o,
            m,
            ("access-control-request-headers", "x-a"),
            ("access-control-request-headers", "x-c"),
        ],
        vec![o, m, ("access-control-request-private-network", "true")],
        vec![o, m, ("access-control-request-private-network", "false")],
        vec![("origin", "https://b.com"), m],
    ];
    let filler: Vec<String> = (0..20).map(|i| format!("x-filler-{i}")).collect();
    for p in [&strict, &closed] {
        for method in [Method::OPTIONS, Method::GET] {
            for case in &cases {
                let few = req(case);
                assert!(few.len() <= 16);
                let mut padded: Vec<(&str, &str)> =
                    filler[..10].iter().map(|n| (n.as_str(), "1")).collect();
                padded.extend(case.iter().copied());
                padded.extend(filler[10..].iter().map(|n| (n.as_str(), "1")));
                let many = req(&padded);
                assert!(many.len() > 16);
                let (a, b) = (p.decide(&method, &few), p.decide(&method, &many));
                assert_eq!(
                    (a.status(), a.is_preflight(), names(&a)),
                    (b.status(), b.is_preflight(), names(&b)),
                    "{method} {case:?}"
                );
                assert_eq!(
                    a.rejection().map(|r| r.code()),
                    b.rejection().map(|r| r.code()),
                    "{method} {case:?}"
                );
            }
        }
    }
}

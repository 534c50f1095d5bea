//! `PolicyConfig::from_toml_str` and `Policy::new`, and
//! `Policy::from_toml_str`, on arbitrary text: no panic; every error has a
//! code, a field and a message; both paths agree when the file reads; a
//! policy that builds never pairs `*` with credentials.
#![no_main]

use corsica::policy::{Policy, PolicyConfig};
use http::{HeaderMap, HeaderValue, Method};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    // The whole-file path reports every error at once; it agrees with the
    // two-step path whenever the file itself reads.
    let whole = Policy::from_toml_str(text);
    if let Err(e) = &whole {
        assert!(!e.errors.is_empty());
        for err in &e.errors {
            assert!(!err.code().is_empty() && !err.to_string().is_empty());
        }
    }
    if let Ok(config) = PolicyConfig::from_toml_str(text) {
        match (&whole, Policy::new(&config)) {
            (Ok(a), Ok(b)) => assert_eq!(a.warnings(), b.warnings()),
            (Err(a), Err(b)) => assert_eq!(a, &b),
            _ => panic!("Policy::from_toml_str and Policy::new disagree"),
        }
    }
    let config = match PolicyConfig::from_toml_str(text) {
        Ok(c) => c,
        Err(e) => {
            assert!(!e.errors.is_empty());
            for err in &e.errors {
                assert!(!err.code().is_empty());
                let _ = err.field();
                assert!(!err.to_string().is_empty());
            }
            return;
        }
    };
    match Policy::new(&config) {
        Ok(policy) => {
            for w in policy.warnings() {
                assert!(!w.code().is_empty() && !w.to_string().is_empty());
            }
            let mut h = HeaderMap::new();
            h.insert("origin", HeaderValue::from_static("https://example.com"));
            h.insert("access-control-request-method", HeaderValue::from_static("PUT"));
            for m in [Method::GET, Method::OPTIONS] {
                let d = policy.decide(&m, &h);
                let star = d.headers().get(&http::header::ACCESS_CONTROL_ALLOW_ORIGIN).is_some_and(|v| v == "*");
                let creds = d.headers().get(&http::header::ACCESS_CONTROL_ALLOW_CREDENTIALS).is_some();
                assert!(!(star && creds));
            }
        }
        Err(e) => {
            assert!(!e.errors.is_empty());
            for err in &e.errors {
                assert!(!err.code().is_empty() && !err.field().is_empty() || err.code() == "invalid-toml" || err.code() == "unknown-key");
                assert!(!err.to_string().is_empty());
            }
        }
    }
});

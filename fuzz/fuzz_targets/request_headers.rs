//! `Policy::decide` on a preflight with arbitrary
//! `Access-Control-Request-Headers` bytes split into arbitrary lines: no
//! panic, a bounded result, and the bounds enforced.
#![no_main]

use std::sync::LazyLock;

use corsica::policy::{
    MAX_REQUEST_HEADERS_BYTES, MAX_REQUEST_HEADERS_LINES, Policy, PolicyConfig, Rejection,
};
use http::{HeaderMap, HeaderValue, Method};
use libfuzzer_sys::fuzz_target;

static LISTED: LazyLock<Policy> = LazyLock::new(|| {
    Policy::new(
        &PolicyConfig::default()
            .origins(["https://example.com"])
            .methods(["PUT"])
            .request_headers(["authorization", "content-type", "x-request-id", "x-a"]),
    )
    .unwrap()
});
static ANY: LazyLock<Policy> = LazyLock::new(|| {
    Policy::new(&PolicyConfig::default().origins(["*"]).methods(["*"]).request_headers(["*"])).unwrap()
});

fuzz_target!(|data: &[u8]| {
    let Some((&split, rest)) = data.split_first() else { return };
    // The first byte picks how many lines the rest is cut into.
    let lines = usize::from(split % 16) + 1;
    let mut headers = HeaderMap::new();
    headers.insert("origin", HeaderValue::from_static("https://example.com"));
    headers.insert("access-control-request-method", HeaderValue::from_static("PUT"));
    let chunk = rest.len().div_ceil(lines).max(1);
    let mut total = 0;
    let mut count = 0;
    for part in rest.chunks(chunk) {
        if let Ok(v) = HeaderValue::from_bytes(part) {
            total += v.len();
            count += 1;
            headers.append("access-control-request-headers", v);
        }
    }
    for policy in [&*LISTED, &*ANY] {
        let d = policy.decide(&Method::OPTIONS, &headers);
        assert!(d.is_preflight());
        match d.rejection() {
            None => {
                assert!(count <= MAX_REQUEST_HEADERS_LINES && total <= MAX_REQUEST_HEADERS_BYTES);
                assert!(d.headers().iter().count() >= 2);
            }
            Some(Rejection::HeaderNotAllowed { name }) => {
                assert!(!name.is_empty() && name.len() <= total);
            }
            Some(_) => {}
        }
        // The bounds are checked before any value is read.
        if count > MAX_REQUEST_HEADERS_LINES || total > MAX_REQUEST_HEADERS_BYTES {
            assert!(matches!(
                d.rejection(),
                Some(Rejection::TooManyRequestHeaderLines | Rejection::RequestHeadersTooLong)
            ));
        }
    }
});

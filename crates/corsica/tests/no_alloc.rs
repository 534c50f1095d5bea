//! `Policy::decide` does not allocate on the allowed paths (nor on the
//! rejected ones we check here): a counting global allocator proves it.
//!
//! The allocator counts per thread, so the test harness's other threads do
//! not disturb the count.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use corsica::policy::Policy;
use http::{HeaderMap, HeaderValue, Method};

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

struct Counting;

// SAFETY: a `#[global_allocator]` must implement the unsafe `GlobalAlloc`
// trait; this one forwards every call to the system allocator unchanged and
// only bumps a thread-local counter (a const-initialized `Cell`, which never
// allocates itself).
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations() -> usize {
    ALLOCATIONS.with(Cell::get)
}

fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
    let mut h = HeaderMap::new();
    for (k, v) in pairs {
        h.append(*k, HeaderValue::from_static(v));
    }
    h
}

/// Runs `decide` with the allocation counter around it only (the request
/// was built before) and returns how many allocations it made.
fn count(policy: &Policy, method: &Method, request: &HeaderMap, allowed: bool) -> usize {
    let before = allocations();
    let decision = policy.decide(method, request);
    let is_allowed = decision.is_allowed();
    let n = allocations() - before;
    assert_eq!(is_allowed, allowed, "{decision:?}");
    n
}

const CREDENTIALED: &str = r#"
origins = ["https://myapp.com", "https://*.example.com", "http://localhost:*"]
credentials = true
methods = ["GET", "POST", "PUT", "DELETE"]
request_headers = ["Authorization", "Content-Type", "X-Request-Id"]
expose_headers = ["X-Request-Id"]
max_age = 86400
"#;

const ANY: &str = r#"
origins = ["*"]
methods = ["*"]
request_headers = ["*"]
expose_headers = ["*"]
"#;

#[test]
fn decide_allocates_nothing() {
    let credentialed = Policy::from_toml_str(CREDENTIALED).unwrap();
    let any = Policy::from_toml_str(ANY).unwrap();
    let many = Policy::new(
        &corsica::policy::PolicyConfig::default()
            .origins((0..1000).map(|i| format!("https://{i:03}.example.com"))),
    )
    .unwrap();

    let pna = Policy::from_toml_str(
        "origins = [\"http://localhost:*\"]\nprivate_network = true\npreflight_passthrough = true",
    )
    .unwrap();

    let cases: Vec<(&Policy, Method, HeaderMap, bool)> = vec![
        // legacy Private Network Access, forwarded preflight
        (
            &pna,
            Method::OPTIONS,
            headers(&[
                ("origin", "http://localhost:3000"),
                ("access-control-request-method", "GET"),
                ("access-control-request-private-network", "true"),
            ]),
            true,
        ),
        // exact, actual
        (
            &credentialed,
            Method::GET,
            headers(&[("origin", "https://myapp.com")]),
            true,
        ),
        // wildcard subdomain, actual
        (
            &credentialed,
            Method::POST,
            headers(&[("origin", "https://a.b.example.com")]),
            true,
        ),
        // port wildcard, actual
        (
            &credentialed,
            Method::GET,
            headers(&[("origin", "http://localhost:5173")]),
            true,
        ),
        // exact, preflight with headers
        (
            &credentialed,
            Method::OPTIONS,
            headers(&[
                ("origin", "https://myapp.com"),
                ("access-control-request-method", "PUT"),
                (
                    "access-control-request-headers",
                    "authorization,content-type,x-request-id",
                ),
            ]),
            true,
        ),
        // wildcard subdomain, preflight, odd but valid ACRH shape
        (
            &credentialed,
            Method::OPTIONS,
            headers(&[
                ("origin", "https://api.example.com"),
                ("access-control-request-method", "DELETE"),
                (
                    "access-control-request-headers",
                    " Content-Type , X-Request-Id",
                ),
                ("access-control-request-headers", "authorization"),
            ]),
            true,
        ),
        // `*`, actual and preflight
        (
            &any,
            Method::GET,
            headers(&[("origin", "https://anything.test")]),
            true,
        ),
        (
            &any,
            Method::OPTIONS,
            headers(&[
                ("origin", "https://anything.test"),
                ("access-control-request-method", "PURGE"),
                ("access-control-request-headers", "x-a,x-b"),
            ]),
            true,
        ),
        // 1,000 origins
        (
            &many,
            Method::GET,
            headers(&[("origin", "https://999.example.com")]),
            true,
        ),
        (
            &many,
            Method::OPTIONS,
            headers(&[
                ("origin", "https://500.example.com"),
                ("access-control-request-method", "POST"),
            ]),
            true,
        ),
        // not CORS
        (&credentialed, Method::GET, headers(&[]), false),
        // rejected: origin, method, header, hostile ACRH
        (
            &credentialed,
            Method::GET,
            headers(&[("origin", "https://evil.com")]),
            false,
        ),
        (
            &credentialed,
            Method::OPTIONS,
            headers(&[
                ("origin", "https://myapp.com"),
                ("access-control-request-method", "PATCH"),
            ]),
            false,
        ),
        (
            &credentialed,
            Method::OPTIONS,
            headers(&[
                ("origin", "https://myapp.com"),
                ("access-control-request-method", "PUT"),
                ("access-control-request-headers", "x-evil"),
            ]),
            false,
        ),
    ];
    // Warm up thread-locals and lazy statics once outside the count.
    for (policy, method, request, _) in &cases {
        let _ = policy.decide(method, request);
    }
    for (i, (policy, method, request, allowed)) in cases.iter().enumerate() {
        assert_eq!(
            count(policy, method, request, *allowed),
            0,
            "case {i}: {request:?}"
        );
    }

    // The counter works: building a HeaderMap allocates.
    let before = allocations();
    let h = headers(&[("origin", "https://myapp.com")]);
    assert!(allocations() > before);
    drop(h);
}

//! Benchmark of `Policy::decide`, and of tower-http's `CorsLayer` (the Rust
//! peer) on the comparable cases.
//!
//! Run: `cargo bench -p corsica --bench decide`. Case names follow
//! jub0bs/cors-benchmarks: `<origins>/<request>/<outcome>`, where origins is
//! `one` (`https://example.com`), `two` (two ~253-byte hosts differing only
//! in the first label), `multiple` (9 patterns with subdomain and port
//! wildcards), `many` (1,000 origins `https://NNN.example.com`), `many10k`
//! (10,000 origins `https://NNNNN.example.com`) and `all` (`*`).
//!
//! - `corsica_decide`: `decide` alone (what a middleware calls per request).
//! - `corsica_decide_apply`: `decide` then `apply_to` on a fresh response
//!   `HeaderMap`: the same work tower-http's service does per request.
//! - `tower_http`: `Cors<S>::call` on an inner service that answers at once,
//!   polled by hand with a no-op waker (no runtime); building the request is
//!   outside the timed region.

use std::convert::Infallible;
use std::future::{Future, Ready, ready};
use std::sync::LazyLock;
use std::task::{Context, Poll, Waker};

use corsica::policy::{Policy, PolicyConfig};
use divan::{Bencher, black_box};
use http::header::{AUTHORIZATION, CONTENT_TYPE};
use http::{HeaderMap, HeaderValue, Method, Request, Response};
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_layer::Layer;
use tower_service::Service;

#[global_allocator]
static ALLOC: divan::AllocProfiler = divan::AllocProfiler::system();

mod scenarios;
use scenarios::{long_host, origins};

fn main() {
    divan::main();
}

struct Setup {
    policy: Policy,
    /// `None` where tower-http has no comparable configuration (patterns).
    tower: Option<CorsLayer>,
}

fn setup(origins: Vec<String>) -> Setup {
    let config = PolicyConfig::default()
        .origins(origins.iter().cloned())
        .methods(["GET", "POST", "PUT", "DELETE"])
        .request_headers(if origins == ["*"] {
            vec!["*"]
        } else {
            vec!["Authorization", "Content-Type"]
        });
    let policy = Policy::new(&config).unwrap_or_else(|e| panic!("{e}"));
    let base = CorsLayer::new()
        .allow_methods([Method::GET, Method::POST, Method::PUT, Method::DELETE])
        .allow_headers([AUTHORIZATION, CONTENT_TYPE]);
    let tower = if origins == ["*"] {
        Some(base.allow_origin(AllowOrigin::any()))
    } else if origins.iter().any(|o| o.contains('*')) {
        None
    } else {
        Some(base.allow_origin(AllowOrigin::list(
            origins.iter().map(|o| HeaderValue::from_str(o).unwrap()),
        )))
    };
    Setup { policy, tower }
}

static ONE: LazyLock<Setup> = LazyLock::new(|| setup(origins("one")));
static TWO: LazyLock<Setup> = LazyLock::new(|| setup(origins("two")));
static MULTIPLE: LazyLock<Setup> = LazyLock::new(|| setup(origins("multiple")));
static MANY: LazyLock<Setup> = LazyLock::new(|| setup(origins("many")));
static MANY10K: LazyLock<Setup> = LazyLock::new(|| setup(origins("many10k")));
static ALL: LazyLock<Setup> = LazyLock::new(|| setup(origins("all")));

const CASES: &[&str] = &[
    "one/actual/allowed",
    "one/actual/disallowed",
    "one/preflight/allowed",
    "one/preflight/allowed_acrh",
    "one/preflight/disallowed",
    "two/actual/allowed",
    "two/preflight/allowed",
    "two/preflight/disallowed",
    "multiple/actual/allowed",
    "multiple/preflight/allowed",
    "multiple/preflight/disallowed",
    "many/actual/allowed",
    "many/preflight/allowed",
    "many/preflight/disallowed",
    "many10k/actual/allowed",
    "many10k/preflight/allowed",
    "many10k/preflight/disallowed",
    "all/actual/allowed",
    "all/preflight/allowed",
    "all/preflight/evil_acrh_1kib_commas",
    "all/preflight/evil_acrh_1mib_commas",
    "all/preflight/evil_acrh_1000_lines",
    "one/preflight/evil_acrh_1mib_commas",
    "one/preflight/evil_acrh_1000_lines",
];

/// Cases tower-http can run: everything but the wildcard patterns.
const TOWER_CASES: &[&str] = &[
    "one/actual/allowed",
    "one/actual/disallowed",
    "one/preflight/allowed",
    "one/preflight/allowed_acrh",
    "one/preflight/disallowed",
    "two/actual/allowed",
    "two/preflight/allowed",
    "two/preflight/disallowed",
    "many/actual/allowed",
    "many/preflight/allowed",
    "many/preflight/disallowed",
    "many10k/actual/allowed",
    "many10k/preflight/allowed",
    "many10k/preflight/disallowed",
    "all/actual/allowed",
    "all/preflight/allowed",
    "all/preflight/evil_acrh_1kib_commas",
    "all/preflight/evil_acrh_1mib_commas",
    "all/preflight/evil_acrh_1000_lines",
];

struct Case {
    setup: &'static Setup,
    method: Method,
    headers: HeaderMap,
    allowed: bool,
}

fn case(name: &str) -> Case {
    let mut parts = name.split('/');
    let (origins, request, outcome) = (
        parts.next().unwrap(),
        parts.next().unwrap(),
        parts.next().unwrap(),
    );
    let (setup, allowed_origin): (&'static Setup, String) = match origins {
        "one" => (&ONE, "https://example.com".into()),
        "two" => (&TWO, format!("https://{}", long_host('z'))),
        "multiple" => (&MULTIPLE, "https://deep.sub.example.com".into()),
        "many" => (&MANY, "https://999.example.com".into()),
        "many10k" => (&MANY10K, "https://09999.example.com".into()),
        "all" => (&ALL, "https://example.com".into()),
        _ => unreachable!("{name}"),
    };
    let origin = match outcome {
        "disallowed" if origins == "two" => format!("https://{}", long_host('y')),
        "disallowed" => "https://evil.example.org".into(),
        _ => allowed_origin,
    };
    let mut headers = HeaderMap::new();
    headers.insert("origin", HeaderValue::from_str(&origin).unwrap());
    let method = if request == "preflight" {
        headers.insert(
            "access-control-request-method",
            HeaderValue::from_static("PUT"),
        );
        match outcome {
            "allowed_acrh" => {
                headers.insert(
                    "access-control-request-headers",
                    HeaderValue::from_static("authorization,content-type"),
                );
            }
            "evil_acrh_1kib_commas" => {
                headers.insert(
                    "access-control-request-headers",
                    HeaderValue::from_str(&",".repeat(1024)).unwrap(),
                );
            }
            "evil_acrh_1mib_commas" => {
                headers.insert(
                    "access-control-request-headers",
                    HeaderValue::from_str(&",".repeat(1 << 20)).unwrap(),
                );
            }
            "evil_acrh_1000_lines" => {
                for _ in 0..1000 {
                    headers.append(
                        "access-control-request-headers",
                        HeaderValue::from_static("content-type"),
                    );
                }
            }
            _ => {}
        }
        Method::OPTIONS
    } else {
        Method::GET
    };
    let allowed = matches!(outcome, "allowed" | "allowed_acrh");
    Case {
        setup,
        method,
        headers,
        allowed,
    }
}

#[divan::bench(args = CASES)]
fn corsica_decide(bencher: Bencher, name: &str) {
    let c = case(name);
    assert_eq!(
        c.setup.policy.decide(&c.method, &c.headers).is_allowed(),
        c.allowed,
        "{name}"
    );
    bencher.bench_local(|| {
        let d = c
            .setup
            .policy
            .decide(black_box(&c.method), black_box(&c.headers));
        black_box(d.status());
        d
    });
}

/// `OriginRef::parse` alone (the hot-path split of the `Origin` value),
/// to see what part of `decide` it is.
#[divan::bench(args = ["one", "two"])]
fn origin_ref_parse(bencher: Bencher, which: &str) {
    let value = match which {
        "one" => "https://example.com".to_string(),
        _ => format!("https://{}", long_host('z')),
    };
    bencher.bench_local(|| corsica::origin::OriginRef::parse(black_box(value.as_bytes())));
}

#[divan::bench(args = CASES)]
fn corsica_decide_apply(bencher: Bencher, name: &str) {
    let c = case(name);
    bencher.bench_local(|| {
        let d = c
            .setup
            .policy
            .decide(black_box(&c.method), black_box(&c.headers));
        let mut response = HeaderMap::new();
        d.headers().apply_to(&mut response);
        response
    });
}

#[derive(Clone, Copy)]
struct Inner;

impl Service<Request<()>> for Inner {
    type Response = Response<()>;
    type Error = Infallible;
    type Future = Ready<Result<Response<()>, Infallible>>;
    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }
    fn call(&mut self, _: Request<()>) -> Self::Future {
        ready(Ok(Response::new(())))
    }
}

#[divan::bench(args = TOWER_CASES)]
fn tower_http(bencher: Bencher, name: &str) {
    let c = case(name);
    let layer = c.setup.tower.as_ref().expect("tower-http setup");
    let mut service = layer.layer(Inner);
    let mut cx = Context::from_waker(Waker::noop());
    assert!(service.poll_ready(&mut cx).is_ready());
    let request = || {
        let mut r = Request::new(());
        *r.method_mut() = c.method.clone();
        *r.headers_mut() = c.headers.clone();
        r
    };
    bencher.with_inputs(request).bench_local_values(|req| {
        let mut cx = Context::from_waker(Waker::noop());
        let future = std::pin::pin!(service.call(req));
        match future.poll(&mut cx) {
            Poll::Ready(Ok(response)) => response,
            Poll::Ready(Err(e)) => match e {},
            Poll::Pending => unreachable!("the inner service is ready at once"),
        }
    });
}

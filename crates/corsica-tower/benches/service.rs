//! The whole middleware call, corsica-tower against tower-http's
//! `CorsLayer` and actix-cors, with the same policy, in the scenarios of
//! jub0bs/cors-benchmarks.
//!
//! Run: `cargo bench -p corsica-tower --features bench-actix --bench service`
//! (without the feature, the actix-cors rows are left out and actix-web is
//! not built).
//!
//! - Each library wraps a trivial inner service that answers 200 at once:
//!   for tower, `Response::new(Some(request))`; for actix,
//!   `request.into_response(HttpResponse::Ok().finish())`. Both hand the
//!   request back inside the response, so an actual request is dropped
//!   with the output, outside the timed region. A preflight the middleware
//!   answers itself is dropped inside its call by corsica and tower-http
//!   (the tower `Service` consumes the request), while actix keeps it in the
//!   response: the `request_drop` rows measure what that drop costs.
//! - Requests are built per iteration outside the timed region
//!   (`with_inputs`), with header values that share their bytes (as hyper's
//!   and actix's parsers make them), identical for every library; outputs
//!   are dropped outside the timed region too.
//! - Futures are polled by hand with a no-op waker: no runtime in the loop.
//! - Allocations are counted by divan's `AllocProfiler` in the timed region.
//!
//! Scenarios (`<origins>/<request>/<outcome>`): `one` = `https://example.com`;
//! `two` = two 253-byte hosts differing in the first label; `multiple` = 9
//! patterns with subdomain and port wildcards (corsica only: the peers have
//! no patterns); `many` = 1,000 origins; `many10k` = 10,000 origins (the
//! request is the last one); `all` = `*`. Actual = `GET`; preflight =
//! `OPTIONS` + `Access-Control-Request-Method: PUT` (`allowed_acrh` adds
//! `authorization,content-type`); disallowed = `https://evil.example.org`;
//! hostile ACRH: 1,024 commas, 1 MiB of commas, 1,000 lines.

use std::convert::Infallible;
use std::future::{Future, Ready, ready};
use std::pin::pin;
use std::sync::LazyLock;
use std::task::{Context, Poll, Waker};

#[cfg(feature = "bench-actix")]
use actix_web::dev::{Service as _, ServiceRequest, ServiceResponse, Transform as _};
use corsica::policy::PolicyConfig;
use divan::{Bencher, black_box};
use http::header::{AUTHORIZATION, CONTENT_TYPE};
use http::{HeaderMap, HeaderValue, Method, Request, Response};
use tower_layer::Layer;
use tower_service::Service;

#[global_allocator]
static ALLOC: divan::AllocProfiler = divan::AllocProfiler::system();

fn main() {
    divan::main();
}

fn long_host(first: char) -> String {
    // 63 + 1 + 63 + 1 + 63 + 1 + 57 + 1 + 3 = 253 bytes.
    format!(
        "{}.{}.{}.{}.com",
        first.to_string().repeat(63),
        "b".repeat(63),
        "c".repeat(63),
        "d".repeat(57)
    )
}

/// A `&'static str` made once (header values that share their bytes).
fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

struct Setup {
    corsica: corsica_tower::CorsLayer,
    /// `None` where the peers have no comparable configuration (patterns).
    tower: Option<tower_http::cors::CorsLayer>,
}

const METHODS: [&str; 4] = ["GET", "POST", "PUT", "DELETE"];

fn setup(origins: &'static [String]) -> Setup {
    let all = origins == ["*"];
    let config = PolicyConfig::default()
        .origins(origins.iter().cloned())
        .methods(METHODS)
        .request_headers(if all {
            vec!["*"]
        } else {
            vec!["Authorization", "Content-Type"]
        });
    let corsica = corsica_tower::CorsLayer::from_config(&config).unwrap_or_else(|e| panic!("{e}"));
    let patterns = origins.iter().any(|o| o.contains('*')) && !all;
    let tower = (!patterns).then(|| {
        use tower_http::cors::{AllowHeaders, AllowOrigin};
        let base = tower_http::cors::CorsLayer::new().allow_methods([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::DELETE,
        ]);
        if all {
            base.allow_origin(AllowOrigin::any())
                .allow_headers(AllowHeaders::any())
        } else {
            base.allow_origin(AllowOrigin::list(
                origins.iter().map(|o| HeaderValue::from_str(o).unwrap()),
            ))
            .allow_headers([AUTHORIZATION, CONTENT_TYPE])
        }
    });
    Setup { corsica, tower }
}

#[cfg(feature = "bench-actix")]
/// The actix-cors equivalent (built on the bench thread: a `Cors` is not
/// `Sync`).
fn actix_policy(origins: &[String]) -> actix_cors::Cors {
    use actix_web::http::header;
    let base = actix_cors::Cors::default().allowed_methods(METHODS);
    if origins == ["*"] {
        base.allow_any_origin().send_wildcard().allow_any_header()
    } else {
        origins
            .iter()
            .fold(base, |c, o| c.allowed_origin(o))
            .allowed_headers([header::AUTHORIZATION, header::CONTENT_TYPE])
    }
}

macro_rules! origins {
    ($name:ident, $e:expr) => {
        static $name: LazyLock<Vec<String>> = LazyLock::new(|| $e);
    };
}
origins!(ONE_O, vec!["https://example.com".into()]);
origins!(
    TWO_O,
    vec![
        format!("https://{}", long_host('a')),
        format!("https://{}", long_host('z')),
    ]
);
origins!(
    MULTIPLE_O,
    [
        "https://example.com",
        "https://*.example.com",
        "http://localhost:*",
        "https://*.foo.org:*",
        "https://api.bar.net:8443",
        "https://*.a.b.c.dev",
        "http://127.0.0.1:*",
        "https://x.y.z",
        "https://*.qux.io",
    ]
    .map(String::from)
    .to_vec()
);
origins!(
    MANY_O,
    (0..1000)
        .map(|i| format!("https://{i:03}.example.com"))
        .collect()
);
origins!(
    MANY10K_O,
    (0..10_000)
        .map(|i| format!("https://{i:05}.example.com"))
        .collect()
);
origins!(ALL_O, vec!["*".into()]);

static ONE: LazyLock<Setup> = LazyLock::new(|| setup(&ONE_O));
static TWO: LazyLock<Setup> = LazyLock::new(|| setup(&TWO_O));
static MULTIPLE: LazyLock<Setup> = LazyLock::new(|| setup(&MULTIPLE_O));
static MANY: LazyLock<Setup> = LazyLock::new(|| setup(&MANY_O));
static MANY10K: LazyLock<Setup> = LazyLock::new(|| setup(&MANY10K_O));
static ALL: LazyLock<Setup> = LazyLock::new(|| setup(&ALL_O));

const CASES: &[&str] = &[
    "one/actual/allowed",
    "one/actual/disallowed",
    "one/preflight/allowed",
    "one/preflight/allowed_acrh",
    "one/preflight/disallowed",
    "one/preflight/evil_acrh_1kib_commas",
    "one/preflight/evil_acrh_1mib_commas",
    "one/preflight/evil_acrh_1000_lines",
    "two/actual/allowed",
    "two/actual/disallowed",
    "two/preflight/allowed",
    "two/preflight/disallowed",
    "multiple/actual/allowed",
    "multiple/preflight/allowed",
    "multiple/preflight/disallowed",
    "many/actual/allowed",
    "many/actual/disallowed",
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

/// Cases the peers can run: everything but the wildcard patterns.
const PEER_CASES: &[&str] = &[
    "one/actual/allowed",
    "one/actual/disallowed",
    "one/preflight/allowed",
    "one/preflight/allowed_acrh",
    "one/preflight/disallowed",
    "one/preflight/evil_acrh_1kib_commas",
    "one/preflight/evil_acrh_1mib_commas",
    "one/preflight/evil_acrh_1000_lines",
    "two/actual/allowed",
    "two/actual/disallowed",
    "two/preflight/allowed",
    "two/preflight/disallowed",
    "many/actual/allowed",
    "many/actual/disallowed",
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
    /// The origin list (actix-cors is built per benchmark from it).
    #[cfg_attr(not(feature = "bench-actix"), allow(dead_code))]
    origins: &'static [String],
    method: Method,
    /// Header lines, values `'static` so every library's request shares them.
    headers: Vec<(&'static str, &'static str)>,
    allowed: bool,
}

static COMMAS_1K: LazyLock<&'static str> = LazyLock::new(|| leak(",".repeat(1024)));
static COMMAS_1M: LazyLock<&'static str> = LazyLock::new(|| leak(",".repeat(1 << 20)));

fn case(name: &str) -> Case {
    let mut parts = name.split('/');
    let (origins, request, outcome) = (
        parts.next().unwrap(),
        parts.next().unwrap(),
        parts.next().unwrap(),
    );
    let (setup, list, allowed_origin): (&'static Setup, &'static [String], String) = match origins {
        "one" => (&ONE, &ONE_O, "https://example.com".into()),
        "two" => (&TWO, &TWO_O, format!("https://{}", long_host('z'))),
        "multiple" => (
            &MULTIPLE,
            &MULTIPLE_O,
            "https://deep.sub.example.com".into(),
        ),
        "many" => (&MANY, &MANY_O, "https://999.example.com".into()),
        "many10k" => (&MANY10K, &MANY10K_O, "https://09999.example.com".into()),
        "all" => (&ALL, &ALL_O, "https://example.com".into()),
        _ => unreachable!("{name}"),
    };
    let origin = match outcome {
        "disallowed" if origins == "two" => format!("https://{}", long_host('y')),
        "disallowed" => "https://evil.example.org".into(),
        _ => allowed_origin,
    };
    let mut headers = vec![("origin", leak(origin))];
    let method = if request == "preflight" {
        headers.push(("access-control-request-method", "PUT"));
        let acrh = "access-control-request-headers";
        match outcome {
            "allowed_acrh" => headers.push((acrh, "authorization,content-type")),
            "evil_acrh_1kib_commas" => headers.push((acrh, *COMMAS_1K)),
            "evil_acrh_1mib_commas" => headers.push((acrh, *COMMAS_1M)),
            "evil_acrh_1000_lines" => {
                headers.extend(std::iter::repeat_n((acrh, "content-type"), 1000))
            }
            _ => {}
        }
        Method::OPTIONS
    } else {
        Method::GET
    };
    Case {
        setup,
        origins: list,
        method,
        headers,
        allowed: matches!(outcome, "allowed" | "allowed_acrh"),
    }
}

impl Case {
    fn request(&self) -> Request<()> {
        let mut map = HeaderMap::with_capacity(self.headers.len());
        for (n, v) in &self.headers {
            map.append(*n, HeaderValue::from_static(v));
        }
        let mut r = Request::new(());
        *r.method_mut() = self.method.clone();
        *r.headers_mut() = map;
        r
    }

    #[cfg(feature = "bench-actix")]
    fn actix_request(&self) -> ServiceRequest {
        use actix_web::http::header::HeaderValue as AHeaderValue;
        let method = actix_web::http::Method::from_bytes(self.method.as_str().as_bytes()).unwrap();
        let mut t = actix_web::test::TestRequest::default().method(method);
        for (n, v) in &self.headers {
            t = t.append_header((*n, AHeaderValue::from_static(v)));
        }
        t.to_srv_request()
    }
}

/// The inner tower service: 200 at once, handing the request back in the
/// body so that its drop is not timed.
#[derive(Clone, Copy)]
struct Inner;

impl Service<Request<()>> for Inner {
    type Response = Response<Option<Request<()>>>;
    type Error = Infallible;
    type Future = Ready<Result<Self::Response, Infallible>>;
    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }
    fn call(&mut self, request: Request<()>) -> Self::Future {
        ready(Ok(Response::new(Some(request))))
    }
}

fn poll_now<F: Future>(future: F) -> F::Output {
    let mut cx = Context::from_waker(Waker::noop());
    match pin!(future).poll(&mut cx) {
        Poll::Ready(output) => output,
        Poll::Pending => unreachable!("every future here is ready at once"),
    }
}

fn bench_tower<S>(bencher: Bencher, c: &Case, mut service: S)
where
    S: Service<Request<()>, Response = Response<Option<Request<()>>>, Error = Infallible>,
{
    let mut cx = Context::from_waker(Waker::noop());
    assert!(service.poll_ready(&mut cx).is_ready());
    bencher
        .with_inputs(|| c.request())
        .bench_local_values(|request| match poll_now(service.call(request)) {
            Ok(response) => response,
            Err(e) => match e {},
        });
}

#[divan::bench(args = CASES)]
fn corsica_tower(bencher: Bencher, name: &str) {
    let c = case(name);
    let mut service = c.setup.corsica.layer(Inner);
    // The decision is the one expected.
    let response = poll_now(service.call(c.request())).unwrap();
    let has_acao = response
        .headers()
        .contains_key("access-control-allow-origin");
    assert_eq!(has_acao, c.allowed, "{name}");
    bench_tower(bencher, &c, service);
}

#[divan::bench(args = PEER_CASES)]
fn tower_http(bencher: Bencher, name: &str) {
    let c = case(name);
    let layer = c.setup.tower.as_ref().expect("tower-http setup");
    bench_tower(bencher, &c, layer.layer(Inner));
}

#[cfg(feature = "bench-actix")]
#[divan::bench(args = PEER_CASES)]
fn actix_cors(bencher: Bencher, name: &str) {
    let c = case(name);
    let inner = actix_web::dev::fn_service(|request: ServiceRequest| async move {
        Ok::<ServiceResponse, actix_web::Error>(
            request.into_response(actix_web::HttpResponse::Ok().finish()),
        )
    });
    let middleware =
        poll_now(actix_policy(c.origins).new_transform(inner)).expect("actix-cors setup");
    // actix's test requests need its system (a thread-local runtime).
    let system = actix_web::rt::System::new();
    system.block_on(async {
        bencher
            .with_inputs(|| c.actix_request())
            .bench_local_values(|request| poll_now(middleware.call(request)));
    });
}

/// The engine alone in the same harness: `decide` on the request, then
/// `apply_to` on a fresh response `HeaderMap` (what the middleware adds to
/// that: the policy load, the owned headers, the futures).
#[divan::bench(args = CASES)]
fn engine_decide_apply(bencher: Bencher, name: &str) {
    let c = case(name);
    let policy = c.setup.corsica.handle().policy();
    bencher
        .with_inputs(|| c.request())
        .bench_local_refs(|request| {
            let decision = policy.decide(request.method(), request.headers());
            let mut response = Response::new(());
            decision.headers().apply_to(response.headers_mut());
            response
        });
}

/// The floor of this harness for any middleware: a service that forwards
/// the request and sets one static header on the response (no decision).
#[derive(Clone, Copy)]
struct Floor<S>(S);

impl<S> Service<Request<()>> for Floor<S>
where
    S: Service<Request<()>, Response = Response<Option<Request<()>>>, Error = Infallible>,
    S::Future: Future<Output = Result<Response<Option<Request<()>>>, Infallible>> + Unpin,
{
    type Response = Response<Option<Request<()>>>;
    type Error = Infallible;
    type Future = FloorFuture<S::Future>;
    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.0.poll_ready(cx)
    }
    fn call(&mut self, request: Request<()>) -> Self::Future {
        FloorFuture(self.0.call(request))
    }
}

struct FloorFuture<F>(F);

impl<F> Future for FloorFuture<F>
where
    F: Future<Output = Result<Response<Option<Request<()>>>, Infallible>> + Unpin,
{
    type Output = F::Output;
    fn poll(mut self: std::pin::Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let mut response = std::task::ready!(std::pin::Pin::new(&mut self.0).poll(cx))?;
        response
            .headers_mut()
            .insert(http::header::VARY, HeaderValue::from_static("Origin"));
        Poll::Ready(Ok(response))
    }
}

#[divan::bench(args = ["one/actual/allowed", "one/preflight/allowed"])]
fn harness_floor(bencher: Bencher, name: &str) {
    let c = case(name);
    bench_tower(bencher, &c, Floor(Inner));
}

/// What dropping each request costs, for the preflights that tower
/// middlewares answer themselves (and so drop inside their call).
#[divan::bench(args = CASES)]
fn request_drop(bencher: Bencher, name: &str) {
    let c = case(name);
    bencher
        .with_inputs(|| c.request())
        .bench_local_values(|request| drop(black_box(request)));
}

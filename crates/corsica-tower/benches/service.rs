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

#[path = "cases/mod.rs"]
mod cases;

use std::convert::Infallible;
use std::future::Future;
use std::task::{Context, Poll, Waker};

#[cfg(feature = "bench-actix")]
use actix_web::dev::{Service as _, Transform as _};
#[cfg(feature = "bench-actix")]
use cases::poll_now;
use cases::{CASES, Case, Inner, PEER_CASES, TowerResponse, case, tower_call};
use divan::{Bencher, black_box};
use http::{HeaderValue, Request, Response};
use tower_layer::Layer;
use tower_service::Service;

#[global_allocator]
static ALLOC: divan::AllocProfiler = divan::AllocProfiler::system();

fn main() {
    // Every row, every library, the same 32 calls per sample (the command
    // line can still change it). Left to calibrate, divan sometimes timed
    // actix-cors's rows one call per sample, which this VM's timer
    // (about 100 ns precision) cannot resolve.
    divan::Divan::default()
        .sample_size(32)
        .config_with_args()
        .main();
}

/// What is timed: the call alone (the output dropped after the timed
/// region), or the call and the drop of everything it returned.
#[derive(Clone, Copy, PartialEq)]
enum Timed {
    Call,
    CallAndDrops,
}

fn bench_tower<S>(bencher: Bencher, c: &Case, mut service: S, timed: Timed)
where
    S: Service<Request<()>, Response = TowerResponse, Error = Infallible>,
{
    let mut cx = Context::from_waker(Waker::noop());
    assert!(service.poll_ready(&mut cx).is_ready());
    let bencher = bencher.with_inputs(|| c.request());
    match timed {
        Timed::Call => bencher.bench_local_values(|request| tower_call(&mut service, request)),
        Timed::CallAndDrops => {
            bencher.bench_local_values(|request| drop(tower_call(&mut service, request)))
        }
    }
}

#[divan::bench(args = CASES)]
fn corsica_tower(bencher: Bencher, name: &str) {
    let c = case(name);
    let mut service = c.setup.corsica.layer(Inner);
    // The decision is the one expected.
    let response = tower_call(&mut service, c.request());
    let has_acao = response
        .headers()
        .contains_key("access-control-allow-origin");
    assert_eq!(has_acao, c.allowed, "{name}");
    bench_tower(bencher, &c, service, Timed::Call);
}

#[divan::bench(args = PEER_CASES)]
fn tower_http(bencher: Bencher, name: &str) {
    let c = case(name);
    let layer = c.setup.tower.as_ref().expect("tower-http setup");
    bench_tower(bencher, &c, layer.layer(Inner), Timed::Call);
}

#[cfg(feature = "bench-actix")]
#[divan::bench(args = PEER_CASES)]
fn actix_cors(bencher: Bencher, name: &str) {
    bench_actix(bencher, name, Timed::Call);
}

#[cfg(feature = "bench-actix")]
fn bench_actix(bencher: Bencher, name: &str, timed: Timed) {
    let c = case(name);
    let middleware = poll_now(cases::actix_policy(c.origins).new_transform(cases::actix_inner()))
        .expect("actix-cors setup");
    // actix's test requests need its system (a thread-local runtime).
    let system = actix_web::rt::System::new();
    system.block_on(async {
        // The same work as corsica-tower's on an actual request, allowed
        // or not: actix-cors 0.7 calls the application (its
        // `block_on_origin_mismatch` is off unless set) and adds its
        // headers to the application's answer (200 here; actix-cors's own
        // refusal would be a 400).
        if !c.preflight {
            let response = poll_now(middleware.call(c.actix_request()))
                .unwrap_or_else(|e| panic!("{name}: actix-cors failed: {e}"));
            assert_eq!(
                response.status().as_u16(),
                200,
                "{name}: actix-cors answered without calling the application"
            );
        }
        let bencher = bencher.with_inputs(|| c.actix_request());
        match timed {
            Timed::Call => bencher.bench_local_values(|request| poll_now(middleware.call(request))),
            Timed::CallAndDrops => {
                bencher.bench_local_values(|request| drop(poll_now(middleware.call(request))))
            }
        }
    });
}

// The same calls, each followed by the drop of its output, in the timed
// region: everything a server pays per request, wherever each library
// drops the request. A tower middleware that answers a preflight drops the
// request inside its call; actix-cors keeps it in its response and drops
// it (clearing its header map into actix's request pool) with the
// response. Timing the drops too is the comparison that is fair to both.

#[divan::bench(args = CASES)]
fn corsica_tower_with_drops(bencher: Bencher, name: &str) {
    let c = case(name);
    bench_tower(
        bencher,
        &c,
        c.setup.corsica.layer(Inner),
        Timed::CallAndDrops,
    );
}

#[divan::bench(args = PEER_CASES)]
fn tower_http_with_drops(bencher: Bencher, name: &str) {
    let c = case(name);
    let layer = c.setup.tower.as_ref().expect("tower-http setup");
    bench_tower(bencher, &c, layer.layer(Inner), Timed::CallAndDrops);
}

#[cfg(feature = "bench-actix")]
#[divan::bench(args = PEER_CASES)]
fn actix_cors_with_drops(bencher: Bencher, name: &str) {
    bench_actix(bencher, name, Timed::CallAndDrops);
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
    bench_tower(bencher, &c, Floor(Inner), Timed::Call);
}

/// The same floor for actix-web: a middleware that forwards the request and
/// sets one static header on the response. actix-web pools its request and
/// response heads (header maps included), so its floor is not tower's: the
/// difference is the frameworks', not the CORS middlewares'.
#[cfg(feature = "bench-actix")]
struct ActixFloor<S> {
    inner: S,
}

#[cfg(feature = "bench-actix")]
impl<S> actix_web::dev::Service<actix_web::dev::ServiceRequest> for ActixFloor<S>
where
    S: actix_web::dev::Service<
            actix_web::dev::ServiceRequest,
            Response = actix_web::dev::ServiceResponse,
            Error = actix_web::Error,
        >,
{
    type Response = actix_web::dev::ServiceResponse;
    type Error = actix_web::Error;
    type Future = ActixFloorFuture<S::Future>;
    actix_web::dev::forward_ready!(inner);
    fn call(&self, request: actix_web::dev::ServiceRequest) -> Self::Future {
        ActixFloorFuture {
            inner: self.inner.call(request),
        }
    }
}

#[cfg(feature = "bench-actix")]
pin_project_lite::pin_project! {
    struct ActixFloorFuture<F> {
        #[pin]
        inner: F,
    }
}

#[cfg(feature = "bench-actix")]
impl<F> Future for ActixFloorFuture<F>
where
    F: Future<Output = Result<actix_web::dev::ServiceResponse, actix_web::Error>>,
{
    type Output = F::Output;
    fn poll(self: std::pin::Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let mut response = std::task::ready!(self.project().inner.poll(cx))?;
        response.headers_mut().insert(
            actix_web::http::header::VARY,
            actix_web::http::header::HeaderValue::from_static("Origin"),
        );
        Poll::Ready(Ok(response))
    }
}

#[cfg(feature = "bench-actix")]
#[divan::bench(args = ["one/actual/allowed", "one/preflight/allowed"])]
fn harness_floor_actix(bencher: Bencher, name: &str) {
    let c = case(name);
    let middleware = ActixFloor {
        inner: cases::actix_inner(),
    };
    let system = actix_web::rt::System::new();
    system.block_on(async {
        bencher
            .with_inputs(|| c.actix_request())
            .bench_local_values(|request| poll_now(middleware.call(request)));
    });
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

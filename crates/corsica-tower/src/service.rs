//! [`Cors`]: the service. It asks [`Policy::decide`] and does what the
//! decision says; it decides nothing itself.

use std::ops::Deref;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use arc_swap::ArcSwap;
use arc_swap::cache::Cache;
use std::task::{Context, Poll};

use corsica::policy::{Decision, Policy, REJECTION_HEADER};
use http::{Request, Response};
use tower_service::Service;

use crate::PolicyHandle;
use crate::future::ResponseFuture;
use crate::handle::Shared;

/// The service made by [`CorsLayer`](crate::CorsLayer). Per request:
///
/// 1. [`Policy::decide`] on the request's method and headers;
/// 2. a preflight the decision answers here (allowed or rejected) gets its
///    status and headers with an empty body, and the inner service never
///    sees it: a router that would answer `OPTIONS` with 405 or 404 does not
///    break preflights;
/// 3. anything else (non-CORS requests, actual CORS requests, `OPTIONS`
///    without `Access-Control-Request-Method`, preflights when the policy
///    sets `preflight_passthrough`) goes to the inner service, and the
///    decision's headers are added to whatever response comes back, 4xx
///    and 5xx included, with `Vary` merged into the application's own;
/// 4. a rejection is reported through `tracing` (target `corsica_tower`,
///    level INFO, fields `code`, `reason`, `origin`, `method`, `preflight`),
///    and with debugging on, the response carries `corsica-rejection`.
///
/// A panic in the inner service unwinds through this service; to turn it
/// into a 500 that still carries the CORS headers, put tower-http's
/// `CatchPanicLayer` *inside* this layer (see the crate documentation).
///
/// ```
/// use axum::{Router, body::Body, routing::get};
/// use http::{Request, StatusCode};
/// use tower::ServiceExt;
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let cors = corsica_tower::CorsLayer::from_toml_str(r#"
///     origins = ["https://app.example.com"]
///     methods = ["GET", "PUT"]
/// "#).unwrap();
/// // The router has no OPTIONS route: it would answer 405.
/// let app = Router::new().route("/items", get(|| async { "[]" })).layer(cors);
///
/// let preflight = Request::options("/items")
///     .header("origin", "https://app.example.com")
///     .header("access-control-request-method", "PUT")
///     .body(Body::empty())
///     .unwrap();
/// let response = app.oneshot(preflight).await.unwrap();
/// assert_eq!(response.status(), StatusCode::NO_CONTENT);
/// assert_eq!(response.headers()["access-control-allow-origin"], "https://app.example.com");
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct Cors<S> {
    inner: S,
    shared: Arc<Shared>,
    /// This service's copy of the current policy, checked against the
    /// shared one on each call (one pointer comparison) and refreshed when
    /// a reload replaced it.
    policy: Cache<PolicySlot, Arc<Policy>>,
    observer: Option<Observer>,
}

/// The shared policy slot, as [`Cache`] wants it.
#[derive(Clone, Debug)]
struct PolicySlot(Arc<Shared>);

impl Deref for PolicySlot {
    type Target = ArcSwap<Policy>;

    fn deref(&self) -> &ArcSwap<Policy> {
        &self.0.policy
    }
}

/// What [`CorsLayer::on_decision`](crate::CorsLayer::on_decision) calls.
#[derive(Clone)]
pub(crate) struct Observer(pub(crate) Arc<dyn Fn(&Decision<'_>) + Send + Sync>);

impl std::fmt::Debug for Observer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Observer(..)")
    }
}

impl<S> Cors<S> {
    pub(crate) fn from_shared(
        inner: S,
        shared: Arc<Shared>,
        observer: Option<Observer>,
    ) -> Cors<S> {
        Cors {
            inner,
            policy: Cache::new(PolicySlot(shared.clone())),
            shared,
            observer,
        }
    }

    /// A handle to replace the policy or switch debugging while serving
    /// (the same as the layer's).
    ///
    /// ```
    /// use tower_layer::Layer;
    /// let layer = corsica_tower::CorsLayer::from_toml_str(r#"origins = ["https://a.com"]"#)?;
    /// let service = layer.layer(tower::service_fn(|_: http::Request<()>| async {
    ///     Ok::<_, std::convert::Infallible>(http::Response::new(()))
    /// }));
    /// service.handle().set_debug(true);
    /// assert!(layer.handle().debug());
    /// # Ok::<(), corsica_tower::BuildError>(())
    /// ```
    pub fn handle(&self) -> PolicyHandle {
        PolicyHandle {
            shared: self.shared.clone(),
        }
    }

    /// The wrapped service.
    ///
    /// ```
    /// use tower_layer::Layer;
    /// let layer = corsica_tower::CorsLayer::from_toml_str(r#"origins = ["https://a.com"]"#)?;
    /// let service = layer.layer(42);
    /// assert_eq!(*service.get_ref(), 42);
    /// assert_eq!(service.into_inner(), 42);
    /// # Ok::<(), corsica_tower::BuildError>(())
    /// ```
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// The wrapped service, mutably.
    ///
    /// ```
    /// use tower_layer::Layer;
    /// let layer = corsica_tower::CorsLayer::from_toml_str(r#"origins = ["https://a.com"]"#)?;
    /// let mut service = layer.layer(41);
    /// *service.get_mut() += 1;
    /// assert_eq!(*service.get_ref(), 42);
    /// # Ok::<(), corsica_tower::BuildError>(())
    /// ```
    pub fn get_mut(&mut self) -> &mut S {
        &mut self.inner
    }

    /// Unwraps the inner service.
    ///
    /// ```
    /// use tower_layer::Layer;
    /// let layer = corsica_tower::CorsLayer::from_toml_str(r#"origins = ["https://a.com"]"#)?;
    /// assert_eq!(layer.layer("inner").into_inner(), "inner");
    /// # Ok::<(), corsica_tower::BuildError>(())
    /// ```
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for Cors<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
    ResBody: Default,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future, ResBody>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<ReqBody>) -> Self::Future {
        let Cors {
            inner,
            shared,
            policy,
            observer,
        } = self;
        let policy = policy.load();
        let decision = policy.decide(request.method(), request.headers());
        if let Some(observer) = observer {
            (observer.0)(&decision);
        }
        if shared.shadow.load(Ordering::Relaxed) {
            // Shadow mode: report, change nothing.
            report_shadow(shared, &decision, &request);
            return ResponseFuture::untouched(inner.call(request));
        }
        // An allowed request without `trace_allowed` reports nothing; the
        // rest is out of line (instruction cache).
        let explanation = if decision.rejection().is_none()
            && !(decision.is_cors() && shared.trace_allowed.load(Ordering::Relaxed))
        {
            None
        } else {
            report(shared, &decision, &request)
        };
        match decision.status() {
            Some(status) => {
                // Answered here. When the request's header map has room
                // for the answer's headers, they go into it, emptied: the
                // request is dropped here anyway, and reusing its storage
                // saves the two allocations and two frees of a new map,
                // which cost more than the CORS work of a preflight. (hyper
                // parses each request into the map of the connection's
                // previous response, so in a server the map then lives on
                // with no allocation at all.) A map too small would have
                // to grow, which costs more than a new one.
                let answer = decision.headers();
                let needed = answer.iter().count() + usize::from(explanation.is_some());
                let mut response = Response::new(ResBody::default());
                *response.status_mut() = status;
                if request.headers().capacity() >= needed {
                    // The values are cloned first (shared bytes: no copy),
                    // since the decision borrows that map.
                    let answer = answer.into_owned();
                    let mut map = request.into_parts().0.headers;
                    map.clear();
                    answer.apply_to(&mut map);
                    *response.headers_mut() = map;
                } else {
                    answer.apply_to(response.headers_mut());
                }
                if let Some(explanation) = explanation {
                    response
                        .headers_mut()
                        .insert(REJECTION_HEADER.clone(), explanation);
                }
                ResponseFuture::answered(response)
            }
            None => {
                let headers = decision.headers().into_owned();
                ResponseFuture::inner(inner.call(request), headers, explanation)
            }
        }
    }
}

/// Reports a decision taken in shadow mode: what would be rejected
/// (and, with `trace_allowed`, what would be allowed).
#[inline(never)]
fn report_shadow<B>(shared: &Shared, decision: &Decision<'_>, request: &Request<B>) {
    match decision.rejection() {
        Some(rejection) => tracing::info!(
            target: "corsica_tower",
            code = rejection.code(),
            reason = %rejection,
            origin = ?request.headers().get(http::header::ORIGIN),
            method = %request.method(),
            preflight = decision.is_preflight(),
            shadow = true,
            "CORS request would be rejected (shadow mode: passed on unchanged)"
        ),
        None => {
            if decision.is_cors() && shared.trace_allowed.load(Ordering::Relaxed) {
                tracing::info!(
                    target: "corsica_tower",
                    origin = ?request.headers().get(http::header::ORIGIN),
                    method = %request.method(),
                    preflight = decision.is_preflight(),
                    shadow = true,
                    "CORS request would be allowed (shadow mode: passed on unchanged)"
                );
            }
        }
    }
}

/// Reports the decision through `tracing`; returns the debug header's
/// value when debugging is on and the request is rejected.
#[inline(never)]
fn report<B>(
    shared: &Shared,
    decision: &Decision<'_>,
    request: &Request<B>,
) -> Option<http::HeaderValue> {
    match decision.rejection() {
        Some(rejection) => {
            tracing::info!(
                target: "corsica_tower",
                code = rejection.code(),
                reason = %rejection,
                origin = ?request.headers().get(http::header::ORIGIN),
                method = %request.method(),
                preflight = decision.is_preflight(),
                "CORS request rejected"
            );
            shared
                .debug
                .load(Ordering::Relaxed)
                .then(|| rejection.header_value())
        }
        None => {
            if decision.is_cors() && shared.trace_allowed.load(Ordering::Relaxed) {
                tracing::info!(
                    target: "corsica_tower",
                    origin = ?request.headers().get(http::header::ORIGIN),
                    method = %request.method(),
                    preflight = decision.is_preflight(),
                    "CORS request allowed"
                );
            }
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use std::convert::Infallible;
    use std::future::Future;
    use std::pin::pin;
    use std::task::{Context, Poll, Waker};

    use http::{HeaderMap, Method, Request, Response, StatusCode};
    use tower_layer::Layer;
    use tower_service::Service;

    use crate::CorsLayer;

    /// Calls the layer on `request` and returns its own answer's headers.
    fn answer(layer: &CorsLayer, request: Request<()>) -> (StatusCode, HeaderMap) {
        let mut service = layer.layer(tower::service_fn(|_: Request<()>| async {
            Ok::<_, Infallible>(Response::new(()))
        }));
        let future = service.call(request);
        assert!(future.is_answered());
        let Poll::Ready(Ok(response)) = pin!(future).poll(&mut Context::from_waker(Waker::noop()))
        else {
            unreachable!("an answered future is ready at once");
        };
        (response.status(), response.headers().clone())
    }

    /// A preflight as a browser sends it (its map has room for the answer,
    /// which is then written into it), or a bare one in a map holding only
    /// its two lines (the answer gets a new map).
    fn preflight(origin: &str, browser_like: bool) -> Request<()> {
        let lines: &[(&str, &str)] = if browser_like {
            &[
                ("host", "api.example"),
                ("origin", origin),
                ("access-control-request-method", "PUT"),
                ("access-control-request-headers", "content-type"),
                ("cookie", "session=secret"),
                ("user-agent", "test"),
                ("accept", "*/*"),
                ("sec-fetch-mode", "cors"),
            ]
        } else {
            &[("origin", origin), ("access-control-request-method", "PUT")]
        };
        let mut headers = HeaderMap::with_capacity(lines.len());
        for (name, value) in lines {
            headers.append(*name, value.parse().unwrap());
        }
        let mut request = Request::new(());
        *request.method_mut() = Method::OPTIONS;
        *request.headers_mut() = headers;
        request
    }

    /// The answer is the same whether it reuses the request's map or not,
    /// and nothing of the request is left in it.
    #[test]
    fn a_preflight_answer_carries_only_its_own_headers() {
        let layer = CorsLayer::from_toml_str(
            r#"
            origins = ["https://a.com"]
            methods = ["GET", "PUT"]
            request_headers = ["content-type"]
            credentials = true
            max_age = 600
            "#,
        )
        .unwrap();
        for debug in [false, true] {
            let layer = layer.clone().debug(debug);
            for origin in ["https://a.com", "https://evil.com"] {
                let (status, reused) = answer(&layer, preflight(origin, true));
                let (bare_status, bare) = answer(&layer, preflight(origin, false));
                assert_eq!(status, bare_status, "{origin}");
                let names = |h: &HeaderMap| {
                    let mut n: Vec<String> = h.keys().map(|k| k.to_string()).collect();
                    n.sort();
                    n
                };
                let expected: &[&str] = match (origin, debug) {
                    ("https://a.com", _) => &[
                        "access-control-allow-credentials",
                        "access-control-allow-headers",
                        "access-control-allow-methods",
                        "access-control-allow-origin",
                        "access-control-max-age",
                        "vary",
                    ],
                    (_, false) => &["vary"],
                    (_, true) => &["corsica-rejection", "vary"],
                };
                assert_eq!(names(&reused), expected, "{origin}, debug {debug}");
                // The bare request has no `Access-Control-Request-Headers`:
                // only that answer line may differ.
                for name in expected {
                    if *name != "access-control-allow-headers" && *name != "corsica-rejection" {
                        assert_eq!(
                            reused.get_all(*name).iter().collect::<Vec<_>>(),
                            bare.get_all(*name).iter().collect::<Vec<_>>(),
                            "{name}"
                        );
                    }
                }
                assert_eq!(reused.len(), expected.len(), "one line each");
            }
        }
    }
}

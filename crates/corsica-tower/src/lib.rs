//! CORS for tower, axum, hyper and tonic, decided by corsica's engine.
//!
//! [`CorsLayer`] wraps a corsica [`Policy`](corsica::policy::Policy): a
//! policy validated when the layer is built (every mistake reported at once,
//! never a panic), compiled into an origin matcher whose cost does not grow
//! with the number of origins. Per request the service calls
//! [`Policy::decide`](corsica::policy::Policy::decide) and does what it says;
//! no CORS rule is written in this crate.
//!
//! ```
//! use axum::{Router, routing::get};
//! use corsica_tower::CorsLayer;
//!
//! # fn main() -> Result<(), corsica_tower::BuildError> {
//! let cors = CorsLayer::from_toml_str(r#"
//!     origins = ["https://app.example.com", "https://*.example.com", "http://localhost:*"]
//!     credentials = true
//!     methods = ["GET", "POST", "PUT", "DELETE"]
//!     request_headers = ["Authorization", "Content-Type"]
//!     expose_headers = ["X-Request-Id"]
//!     max_age = 7200
//! "#)?;
//! let app: Router = Router::new()
//!     .route("/items", get(|| async { "[]" }))
//!     .layer(cors);
//! # let _ = app; Ok(()) }
//! ```
//!
//! Also: [`CorsLayer::from_config`] (the builder form),
//! [`CorsLayer::from_file`], [`CorsLayer::from_env`] (TOML in an environment
//! variable).
//!
//! # What the layer does
//!
//! - **Preflights are answered before your service.** A router with no
//!   `OPTIONS` route (axum answers 405) never sees them. An `OPTIONS` request
//!   that is not a preflight (no `Access-Control-Request-Method`) reaches
//!   your service; with `preflight_passthrough = true` preflights do too,
//!   and the CORS headers are added to your answer.
//! - **CORS headers on every response**, 4xx and 5xx included, so the
//!   browser shows your error rather than a CORS error. `Vary` is merged
//!   into your service's own, without duplicates (also when layers are
//!   stacked), and left alone when it is `*`.
//! - **Rejections are reported through `tracing`**: target `corsica_tower`,
//!   level INFO, the stable `code` (`origin-not-allowed`,
//!   `header-not-allowed`, ...) and the `reason`. Allowed requests are
//!   reported only after [`CorsLayer::trace_allowed`].
//! - **Debugging**: [`CorsLayer::debug`] (or [`PolicyHandle::set_debug`] at
//!   run time) adds `corsica-rejection: CODE: WHY` to rejected responses.
//! - **Shadow mode**: [`CorsLayer::shadow`] decides and reports every
//!   request ("would be rejected") and changes none, for putting a policy
//!   in front of a live API that still answers CORS itself.
//! - **Metrics**: [`CorsLayer::on_decision`] sees every decision (allowed,
//!   rejected and why), for counters per outcome and reason.
//! - **Reloading**: [`CorsLayer::handle`] returns a [`PolicyHandle`] that
//!   swaps the policy atomically (an `arc-swap`), for origin lists kept in
//!   a database or a file; requests in flight are not disturbed.
//!
//! # Panics in handlers: stacking with `CatchPanicLayer`
//!
//! A panic in your handler unwinds through this layer. tower-http's
//! `CatchPanicLayer` turns it into a 500; put it **inside** the CORS layer
//! (added before it, with axum's `.layer` calls, or after it in a
//! `ServiceBuilder`) so the 500 passes through the CORS layer and gets its
//! headers, and the browser shows "500" instead of a CORS error:
//!
//! ```
//! use axum::{Router, routing::get};
//! use tower::ServiceBuilder;
//! use tower_http::catch_panic::CatchPanicLayer;
//! # let cors = corsica_tower::CorsLayer::from_toml_str(r#"origins = ["https://a.com"]"#).unwrap();
//!
//! // axum: the last `.layer` is the outermost.
//! let app: Router = Router::new()
//!     .route("/", get(|| async { "ok" }))
//!     .layer(CatchPanicLayer::new())
//!     .layer(cors.clone());
//!
//! // tower: the first layer of a ServiceBuilder is the outermost.
//! let stack = ServiceBuilder::new().layer(cors).layer(CatchPanicLayer::new());
//! # let _ = (app, stack);
//! ```
//!
//! The other order (`CatchPanicLayer` outside) makes a 500 without CORS
//! headers: the test `panic_turned_500_carries_cors_headers_only_when_catch_panic_is_inside`
//! shows both.
//!
//! # Per-route policies
//!
//! Different routers can carry different layers (`Router::nest` or
//! `Router::merge` of routers each with its own `.layer(cors)`), or one
//! route group can use `Router::route_layer`. With `route_layer` the layer
//! still wraps axum's 405 answer for the route's other methods, so
//! preflights to that route are answered; a path with no route at all
//! (404) is not wrapped: give the whole router a layer for that. Two CORS
//! layers stacked on one request both apply their headers to actual
//! requests (`Vary` merged once) and the outer one answers preflights:
//! prefer one policy per route.
//!
//! # hyper and tonic
//!
//! The service works with any `http` request and response whose body is
//! `Default`: hyper 1.x through `hyper_util::service::TowerToHyperService`,
//! and tonic (gRPC-Web through `tonic_web`). See the crate's `examples/`:
//! `cargo run -p corsica-tower --example axum`, `--example hyper`,
//! `--example tonic_grpc_web`.
#![forbid(unsafe_code)]
#![warn(missing_docs, unreachable_pub)]

mod error;
mod future;
mod handle;
mod layer;
mod service;

pub use error::BuildError;
pub use future::ResponseFuture;
pub use handle::PolicyHandle;
pub use layer::CorsLayer;
pub use service::Cors;

/// The engine's policy types, re-exported for convenience.
pub use corsica::policy::{Policy, PolicyConfig, REJECTION_HEADER};

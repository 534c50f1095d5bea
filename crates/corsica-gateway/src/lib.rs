//! A CORS gateway: a reverse proxy that puts a validated corsica policy in
//! front of any HTTP API, per route, with no change to the API.
//!
//! Each route (a host and a path prefix) has an upstream and a policy. The
//! gateway answers preflights itself and streams every other request to
//! the upstream and its answer back, with the policy's headers added to
//! every answer: the upstream's 4xx and 5xx, and the gateway's own 502
//! (upstream refused or reset), 504 (upstream too slow) and 431 (headers
//! too large), whose bodies say what went wrong. The CORS work is
//! corsica-tower's [`CorsLayer`](corsica_tower::CorsLayer) around a
//! forwarding service: one middleware for the library and the gateway.
//!
//! ```no_run
//! use corsica_gateway::{ConfigSource, Gateway, GatewayConfig, GatewayOptions};
//!
//! # async fn f() -> Result<(), Box<dyn std::error::Error>> {
//! let path = std::path::PathBuf::from("gateway.toml");
//! // Every mistake at once, policies checked by the engine.
//! let config = GatewayConfig::load(&path)?;
//! let options = GatewayOptions {
//!     source: ConfigSource::File(path),
//!     watch_files: true, // reload when the file or a policy file changes
//!     signals: true,     // SIGHUP reloads, SIGTERM drains and stops
//!     ..GatewayOptions::default()
//! };
//! let gateway = Gateway::bind(config, options).await?;
//! gateway.run().await;
//! # Ok(()) }
//! ```
//!
//! What else it does:
//!
//! - **Hot reload** ([`GatewayHandle::reload`], SIGHUP, file changes): a
//!   valid configuration takes over atomically, requests in flight finish
//!   under the old one; an invalid one is refused with every error logged.
//! - **Shadow mode** per route: decide and log what would be rejected,
//!   change nothing (for moving a live API's CORS handling here).
//! - **Debug mode**: the `corsica-rejection` header on rejected answers and
//!   every decision logged.
//! - **Admin listener**: `/metrics` (Prometheus), `/healthz`, `/readyz`,
//!   `/status`, `POST /reload`.
//! - **Limits**: request head size, header read, idle, upstream connect and
//!   answer timeouts, graceful shutdown; HTTP/1.1 and HTTP/2 (h2c) on both
//!   sides.
//! - **The demo** ([`demo`]): an echo API, the gateway in front of it, and
//!   the playground page on another origin.
#![forbid(unsafe_code)]
#![warn(missing_docs, unreachable_pub)]

mod admin;
mod body;
pub mod config;
pub mod demo;
mod head_timer;
mod metrics;
mod proxy;
mod router;
mod server;
mod upstream;
mod watch;

pub use body::Body;
pub use config::{ConfigError, ConfigErrors, GatewayConfig, Limits, Route};
pub use server::{ConfigSource, Gateway, GatewayHandle, GatewayOptions, Overrides, StartError};

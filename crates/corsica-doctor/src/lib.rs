//! corsica's tools for real servers and the stacks people run.
//!
//! - [`check`] (feature `net`, on by default): send a live endpoint exactly
//!   what Chrome or Firefox would (the preflight when one is due, then the
//!   request, redirects followed as Fetch does) over tokio, hyper and
//!   rustls, feed every answer to the engine's browser model, and report
//!   the timeline, the verdict with the browser's console message, the
//!   cause, the fix (in a corsica policy and, through [`export`], in a
//!   stack), and findings (an error without CORS headers, no `OPTIONS`
//!   handler, a per-origin answer without `Vary: Origin`, unexposed
//!   headers, origins let in that should not be).
//! - [`audit`] (feature `net`): probe live endpoints for CORS
//!   misconfigurations (every class of `corsica::audit`, with GET and
//!   preflights, a random probe label per run), many at once under a
//!   bound on requests in flight and a per-host rate limit; findings with
//!   severity, evidence and fix, as JSON Lines or SARIF.
//! - [`why`]: a console line pasted from Chrome, Edge or Firefox read back
//!   into its failure, and the request it describes, to check it for real.
//! - [`har`]: a DevTools export read as a stream and replayed through the
//!   browser model: every cross-origin request the browser blocked, why,
//!   and the fix.
//! - [`export`]: a validated corsica [`Policy`] as working configuration
//!   for nginx, Caddy, Express, Django, Flask, FastAPI, axum or Spring,
//!   correct where the usual snippets are wrong; a policy a stack cannot
//!   express exactly is refused, not approximated.
//!
//! None of them decides anything about CORS: the engine (`corsica`) does,
//! and the doctor only translates and does I/O. `examples/check.rs` runs a
//! check, reads its console line back, and says the fix in Express.
//!
//! ```
//! use corsica::Policy;
//! use corsica_doctor::export::{export, ExportOptions, Stack};
//!
//! let policy = Policy::from_toml_str(r#"
//!     origins = ["https://myapp.com", "https://*.example.com"]
//!     credentials = true
//!     methods = ["GET", "POST", "PUT"]
//!     request_headers = ["Content-Type"]
//! "#).unwrap();
//! let nginx = export(&policy, Stack::Nginx, &ExportOptions::default()).unwrap();
//! assert!(nginx.contains(r#""~^(?:https://myapp\.com|https://(?:[a-z0-9_-]+\.)+example\.com)$""#));
//! ```
//!
//! [`Policy`]: corsica::Policy
#![forbid(unsafe_code)]
#![warn(missing_docs, unreachable_pub)]

#[cfg(feature = "net")]
pub mod audit;
#[cfg(feature = "net")]
pub mod check;
pub mod export;
pub mod har;
pub mod why;

//! corsica's tools for real servers and the stacks people run.
//!
//! Today: [`export`], which writes a validated corsica [`Policy`] as working
//! configuration for nginx, Caddy, Express, Django, Flask, FastAPI, axum or
//! Spring, correct where the usual snippets are wrong, and refuses a policy a
//! stack cannot express exactly instead of approximating it.
//!
//! The other doctor tools will sit beside it as sibling modules: `check`
//! (probe a live endpoint exactly as a browser would), `why` (read a pasted
//! console message back into its reason), `har` (replay a DevTools export)
//! and `audit` (probe an endpoint for misconfigurations). None of them
//! decides anything about CORS: the engine (`corsica`) does, and the doctor
//! only translates and does I/O.
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
pub mod check;
pub mod export;
pub mod har;
pub mod why;

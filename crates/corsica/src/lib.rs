//! CORS, both sides.
//!
//! `corsica` is a sans-I/O engine: it opens no sockets, starts no runtime,
//! reads no clock and prints nothing. It knows
//!
//! - the **server** side: a [`PolicyConfig`] a person writes is validated into
//!   a [`Policy`] that decides, for each request, what to answer
//!   ([`Policy::decide`]);
//! - the **browser** side: the Fetch Standard's CORS algorithms as Chromium
//!   and Firefox implement them (the `fetch` and `explain` modules).
//!
//! Every face of corsica (the tower middleware, the gateway, the doctor and
//! the `corsica` CLI) calls this crate and decides nothing on its own.
#![forbid(unsafe_code)]
#![warn(missing_docs, unreachable_pub)]

pub mod audit;
pub mod explain;
pub mod fetch;
mod fx_hash;
pub mod headers;
pub mod origin;
pub mod policy;
pub mod shorten;
pub mod simulate;

pub use origin::{AddressSpace, Host, Origin, OriginError, OriginRef};
pub use policy::{Decision, Policy, PolicyConfig};

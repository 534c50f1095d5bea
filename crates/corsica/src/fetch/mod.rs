//! The browser side: what Chromium, Firefox or the Fetch Standard do with a
//! cross-origin `fetch()`, one exchange at a time.
//!
//! A [`Fetch`] is a state machine in the style of rustls and quinn-proto:
//! it opens no socket and reads no clock. The caller starts it from a
//! [`Page`] and the script's [`Request`], asks what to send next (a
//! [`Transmit`]: the preflight, the request, a redirect hop, byte for byte
//! as the browser sends it), hands back each [`ResponseHead`] as received,
//! and ends with an [`Outcome`]: a [`Readable`] response, or a [`Blocked`]
//! fetch whose [`Reason`] [`crate::explain`] turns into each browser's
//! console line, a plain cause and the fix. A [`BrowserState`] the caller
//! owns carries the preflight cache and the HTTP cache from one fetch to
//! the next.
//!
//! Inside, the model walks the Fetch Standard's algorithms: whether a
//! preflight is needed and what it looks like, the preflight check, the
//! CORS check, redirects and the tainted origin, the preflight cache, and
//! which response headers become readable. Where Chromium or Firefox depart
//! from the standard or from each other, the [`Browser`] selects the
//! behaviour; every such difference is a named knob, documented where it is
//! defined (`browser.rs`), with where it was observed.
//!
//! ```
//! use std::time::Duration;
//! use corsica::fetch::{Browser, BrowserState, Fetch, Outcome, Page, Request, ResponseHead};
//!
//! let page = Page::new("https://app.example/")?;
//! let request = Request::get("https://api.example/data");
//! let mut state = BrowserState::new(Browser::Firefox);
//! let mut fetch = Fetch::new(&page, &request);
//! while let Some(transmit) = fetch.poll_transmit(&mut state, Duration::ZERO) {
//!     // Send `transmit` for real; here the server forgets CORS.
//!     let head = ResponseHead::new(200);
//!     fetch.handle_response(&mut state, Duration::ZERO, &head);
//! }
//! let Outcome::Blocked(blocked) = fetch.finish() else { unreachable!() };
//! assert_eq!(blocked.error_code(), Some("CORSMissingAllowOrigin"));
//! # Ok::<(), corsica::fetch::PageError>(())
//! ```
//!
//! References: <https://fetch.spec.whatwg.org/#http-cors-protocol>,
//! [MDN: CORS](https://developer.mozilla.org/en-US/docs/Web/HTTP/Guides/CORS).

// Layered: each file uses only the ones listed before it.
mod browser;
mod cache;
mod cors_check;
mod driver;
mod expose;
mod failure;
mod header_map;
mod http_cache;
mod outcome;
mod preflight;
mod redirect;
mod request;
mod response;
mod state;
mod transmit;
mod wire;

pub use browser::{Browser, UnknownBrowser};
pub use driver::Fetch;
pub use failure::{Failure, Reason, TypeError};
pub use outcome::{Blocked, Outcome, Readable, ResponseType};
pub(crate) use request::script_facts;
pub use request::{Body, Credentials, Mode, RedirectMode, Request};
pub use response::ResponseHead;
pub use state::{BrowserState, Page, PageError};
pub use transmit::{Transmit, TransmitKind, WireError};

/// Helpers shared by the unit tests of the fetch modules.
#[cfg(test)]
mod test_support {
    use super::ResponseHead;

    /// A 200 response head with these headers.
    pub(super) fn hs(pairs: &[(&str, &str)]) -> ResponseHead<'static> {
        head(200, pairs)
    }

    /// A response head with this status and these headers.
    pub(super) fn head(status: u16, pairs: &[(&str, &str)]) -> ResponseHead<'static> {
        let mut h = ResponseHead::new(status);
        for (n, v) in pairs {
            h.push(n.to_string(), v.to_string());
        }
        h
    }
}

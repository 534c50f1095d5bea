//! The browser side: what Chromium, Firefox or the Fetch Standard do with a
//! cross-origin `fetch()`.
//!
//! Given the page's origin, the requests a script makes (method, headers,
//! mode, credentials) and what the server answers at each URL, the model
//! walks the Fetch Standard's algorithms: whether a preflight is needed
//! and what it looks like, the preflight check, the CORS check, redirects
//! and the tainted origin, the preflight cache, and which response headers
//! become readable. Where Chromium or Firefox depart from the standard or
//! from each other, a [`Browser`] selects the behaviour; every such
//! difference is a named knob of [`Quirks`], documented where it is
//! defined.
//!
//! The model is sans-I/O and reads no clock: time advances only through
//! each request's `delay_ms`.
//!
//! ```
//! use corsica::fetch::{simulate_case, Browser, Case};
//!
//! let case: Case = serde_json::from_str(r#"{
//!   "id": "get-no-acao", "origin": "http://app.test:8001",
//!   "server": {"http://api.test:8002/x": {"response": {"status": 200, "headers": []}}},
//!   "requests": [{"url": "http://api.test:8002/x", "method": "GET", "headers": [],
//!                 "mode": "cors", "credentials": "same-origin"}]
//! }"#).unwrap();
//! let answers = simulate_case(&case, Browser::Chrome);
//! assert_eq!(answers[0].error.as_deref(), Some("MissingAllowOriginHeader"));
//! ```
//!
//! References: <https://fetch.spec.whatwg.org/#http-cors-protocol>,
//! [MDN: CORS](https://developer.mozilla.org/en-US/docs/Web/HTTP/Guides/CORS).

mod browser;
mod cache;
mod case;
mod cors_check;
mod expose;
mod header_map;
mod http_cache;
mod preflight;
mod redirect;
mod request;
mod walk;

/// Helpers shared by the unit tests of the fetch modules.
#[cfg(test)]
mod test_support {
    /// Owned header pairs from literals.
    pub(super) fn hs(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect()
    }
}

use std::fmt;
use std::str::FromStr;

pub use browser::{
    AcaoOrder, CacheCredentials, CacheUpdate, ExposeParse, InvalidMaxAge, NonHttpRedirect,
    PreflightParse, PreflightRedirect, Quirks, WireDefaults, WireOrder,
};
pub use case::{
    Answer, Case, CaseRequest, Endpoint, Outcome, PAGE_PATH, PreparedCase, Sent, ServerAnswer,
    WireHeader, simulate_case, simulate_prepared,
};
pub use preflight::is_needed as is_preflight_needed;
pub use request::{Credentials, Mode};

/// Which browser the model follows where browsers differ.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Browser {
    /// Chromium (as observed in Chromium 156).
    #[default]
    Chrome,
    /// Firefox (as observed in Firefox ESR 153).
    Firefox,
    /// The Fetch Standard, where the browsers depart from it. Failures use
    /// Chromium's reason names and console wording, since the standard has
    /// none of its own.
    Spec,
}

impl Browser {
    /// The name used in the case format and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Browser::Chrome => "chrome",
            Browser::Firefox => "firefox",
            Browser::Spec => "spec",
        }
    }

    /// The behaviour knobs of this browser.
    pub fn quirks(self) -> &'static Quirks {
        match self {
            Browser::Chrome => &browser::CHROME,
            Browser::Firefox => &browser::FIREFOX,
            Browser::Spec => &browser::SPEC,
        }
    }
}

impl fmt::Display for Browser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Occurs when a browser name is not `chrome`, `firefox` or `spec`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown browser {0:?}; use chrome, firefox or spec")]
pub struct UnknownBrowser(pub String);

impl FromStr for Browser {
    type Err = UnknownBrowser;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "chrome" | "chromium" => Ok(Browser::Chrome),
            "firefox" => Ok(Browser::Firefox),
            "spec" => Ok(Browser::Spec),
            other => Err(UnknownBrowser(other.to_owned())),
        }
    }
}

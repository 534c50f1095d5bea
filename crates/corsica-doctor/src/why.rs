//! `corsica why`: a console message pasted from Chrome, Edge or Firefox,
//! read back into the failure it reports.
//!
//! Recognition is the engine's ([`corsica::explain::recognize`], built from
//! its own message templates). This module adds what `--check` needs: the
//! request the message describes, to send it again for real.
//!
//! ```
//! use corsica_doctor::why::{recognize, Given};
//!
//! let seen = recognize(
//!     "Access to fetch at 'https://api.example/x' from origin 'https://app.example' has been \
//!      blocked by CORS policy: Request header field x-api-key is not allowed by \
//!      Access-Control-Allow-Headers in preflight response.",
//! )
//! .unwrap();
//! assert_eq!(seen.error_code(), Some("HeaderDisallowedByPreflightResponse"));
//! # #[cfg(feature = "net")] {
//! let request = corsica_doctor::why::check_request(&seen, &Given::default()).unwrap();
//! assert_eq!(request.url, "https://api.example/x");
//! assert_eq!(request.headers, [("x-api-key".to_owned(), "corsica:check".to_owned())]);
//! # }
//! ```

pub use corsica::explain::{Recognized, RequestFacts, Unrecognized, recognize};
use corsica::fetch::Browser;

/// What the person knows about the request besides the message: flags
/// that fill in (or override) what the message does not say.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Given {
    /// The page's origin (Firefox's messages never name it).
    pub origin: Option<String>,
    /// The method the script used.
    pub method: Option<String>,
    /// Headers the script set.
    pub headers: Vec<(String, String)>,
    /// Whether the script sent credentials.
    pub credentials: bool,
    /// The body the script sent.
    pub body: Option<String>,
    /// The browser, when not the message's (Edge for a Chromium message).
    pub browser: Option<Browser>,
}

/// A value for a header the message names as not allowed: one no
/// safelist admits, so the request needs the preflight the message is
/// about (`application/json` for `Content-Type`, as scripts send).
pub fn unsafe_value(name: &str) -> String {
    let value = if name.eq_ignore_ascii_case("content-type") {
        "application/json"
    } else {
        "corsica:check"
    };
    debug_assert!(!corsica::headers::is_cors_safelisted_request_header(
        name,
        value.as_bytes()
    ));
    value.to_owned()
}

/// The request the message describes, to check: the URL the script
/// fetched, the page's origin, the method and header it quotes,
/// credentials when the failure implies them, the browser that printed
/// it; `given` fills in the rest (and wins where both say).
#[cfg(feature = "net")]
pub fn check_request(
    seen: &Recognized,
    given: &Given,
) -> Result<crate::check::CheckRequest, String> {
    let origin = given.origin.as_deref().or(seen.origin()).ok_or_else(|| {
        "the message does not name the page's origin (Firefox's never do): give it with \
             --origin"
            .to_owned()
    })?;
    let mut request = crate::check::CheckRequest::new(seen.initial_url(), origin);
    request.method = given
        .method
        .as_deref()
        .or(seen.method())
        .unwrap_or("GET")
        .to_owned();
    request.headers = given.headers.clone();
    if let Some(name) = seen.header()
        && !request
            .headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case(name))
    {
        request.headers.push((name.to_owned(), unsafe_value(name)));
    }
    request.credentials = given.credentials || seen.implies_credentials();
    request.body = given.body.clone();
    request.browser = given.browser.unwrap_or(seen.browser());
    Ok(request)
}

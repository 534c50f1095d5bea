//! Why a cross-origin request failed, said the way each browser says it.
//!
//! A [`Failure`] names the rule that failed ([`Reason`]) with the values a
//! message needs. From it come Chromium's DevTools `CorsError` name and its
//! failed parameter, Firefox's reason name (the MDN slug of its
//! `security.properties` key) and parameter, the exact console line each
//! browser prints, and a plain-language cause.
//!
//! ```
//! use corsica::explain::{Failure, MessageContext, Reason};
//!
//! let failure = Failure::new(Reason::MissingAllowOriginHeader, false, Some(200));
//! let ctx = MessageContext {
//!     url: "http://api.test:8002/x",
//!     initial_url: "http://api.test:8002/x",
//!     origin: "http://app.test:8001",
//!     page_url: "http://app.test:8001/",
//! };
//! assert_eq!(failure.chrome_error(), Some("MissingAllowOriginHeader"));
//! assert_eq!(failure.firefox_reason(), Some("CORSMissingAllowOrigin"));
//! assert!(failure.chrome_message(&ctx).unwrap().ends_with(
//!     "No 'Access-Control-Allow-Origin' header is present on the requested resource."));
//! ```
//!
//! References: Chromium `services/network/public/mojom/cors.mojom` and
//! `third_party/blink/renderer/platform/loader/cors/cors_error_string.cc`;
//! Firefox `dom/locales/en-US/chrome/security/security.properties`;
//! [MDN: CORS errors](https://developer.mozilla.org/en-US/docs/Web/HTTP/Guides/CORS/Errors).

mod chrome;
mod firefox;

/// The rule a request broke, with the values the messages quote.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Reason {
    /// Occurs when a `same-origin` mode request names a cross-origin URL
    /// (`fetch()` fails before sending anything).
    SameOriginModeCrossOrigin,
    /// Occurs when a `same-origin` mode request is redirected to another
    /// origin (the failure names the URL redirected to).
    DisallowedByMode,
    /// Occurs when `Access-Control-Allow-Origin` is `*` and the request's
    /// credentials mode is `include`.
    WildcardOriginNotAllowed,
    /// Occurs when the response has no `Access-Control-Allow-Origin`.
    MissingAllowOriginHeader,
    /// Occurs when `Access-Control-Allow-Origin` holds more than one value:
    /// a comma or space in the value (Chromium) or more than one header
    /// line (Firefox). `value` is every line joined with `, `.
    MultipleAllowOriginValues {
        /// The header's value, lines joined with `, `.
        value: String,
    },
    /// Occurs when `Access-Control-Allow-Origin` is neither `*`, `null` nor
    /// a URL (Chromium's classification; Firefox calls it a mismatch).
    InvalidAllowOriginValue {
        /// The header's value.
        value: String,
    },
    /// Occurs when `Access-Control-Allow-Origin` names another origin.
    AllowOriginMismatch {
        /// The header's value.
        value: String,
    },
    /// Occurs when a credentialed request's response lacks
    /// `Access-Control-Allow-Credentials: true`.
    InvalidAllowCredentials {
        /// The header's value, empty when absent.
        value: String,
    },
    /// Occurs when the preflight's status is not in 200-299.
    PreflightInvalidStatus,
    /// Occurs when the preflight is answered with a redirect.
    PreflightDisallowedRedirect,
    /// Occurs when `Access-Control-Allow-Methods` has an item that is not a
    /// token.
    InvalidAllowMethods {
        /// The first offending item.
        token: String,
    },
    /// Occurs when `Access-Control-Allow-Headers` has an item that is not a
    /// token.
    InvalidAllowHeaders {
        /// The first offending item.
        token: String,
    },
    /// Occurs when the preflight does not allow the request's method.
    MethodDisallowed {
        /// The method as sent.
        method: String,
    },
    /// Occurs when the preflight does not allow one of the request's
    /// headers.
    HeaderDisallowed {
        /// The header name, lowercased.
        name: String,
    },
    /// Occurs when a redirect's `Location` carries a username or password.
    RedirectContainsCredentials,
    /// Occurs when a CORS request is redirected to a URL whose scheme CORS
    /// does not support (`ftp:`, `javascript:`).
    CorsDisabledScheme,
    /// Occurs when the network layer refuses to follow a redirect (Firefox
    /// reports it as "CORS request did not succeed"; Chromium logs no CORS
    /// message).
    RedirectFailed,
    /// Occurs on a network error that no CORS rule explains (too many
    /// redirects, a bad `Location`, a URL scheme fetch() cannot load); the
    /// browsers log no CORS message.
    NetworkError,
}

/// A failed request: the broken rule, whether it was the preflight's
/// response that broke it, and that response's status.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Failure {
    /// The rule that failed.
    pub reason: Reason,
    /// Whether the failing response answered the preflight.
    pub preflight: bool,
    /// The failing response's status, when there was a response.
    pub status: Option<u16>,
}

/// What the console messages quote besides the failure itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MessageContext<'a> {
    /// The URL of the request that failed (the last hop of a redirect
    /// chain), serialized.
    pub url: &'a str,
    /// The URL the script fetched.
    pub initial_url: &'a str,
    /// The page's origin, serialized.
    pub origin: &'a str,
    /// The page's URL.
    pub page_url: &'a str,
}

impl Failure {
    /// A failure of `reason` on the preflight (`preflight`) or another
    /// response, whose status was `status`.
    pub fn new(reason: Reason, preflight: bool, status: Option<u16>) -> Failure {
        Failure {
            reason,
            preflight,
            status,
        }
    }

    /// Chromium's DevTools `CorsError` name (`cors.mojom`, without the `k`),
    /// or `None` when Chromium reports no CORS error.
    pub fn chrome_error(&self) -> Option<&'static str> {
        chrome::error_name(self)
    }

    /// Chromium's failed parameter (`CorsErrorStatus::failed_parameter`),
    /// empty when the error has none.
    pub fn chrome_failed_parameter(&self) -> &str {
        chrome::failed_parameter(self)
    }

    /// The line Chromium prints in the console for a `fetch()`, or `None`
    /// when it prints no CORS message.
    pub fn chrome_message(&self, ctx: &MessageContext<'_>) -> Option<String> {
        chrome::message(self, ctx)
    }

    /// Firefox's reason name (`CORSMissingAllowOrigin`, ...), or `None`
    /// when Firefox reports no CORS reason.
    pub fn firefox_reason(&self) -> Option<&'static str> {
        firefox::reason_name(self)
    }

    /// Firefox's message parameter (`%2$S`), if the message has one.
    pub fn firefox_parameter(&self) -> Option<String> {
        firefox::parameter(self)
    }

    /// The line Firefox prints in the console, or `None` when it prints no
    /// CORS message.
    pub fn firefox_message(&self, ctx: &MessageContext<'_>) -> Option<String> {
        firefox::message(self, ctx)
    }

    /// What went wrong, in plain words, and what the server must change.
    pub fn cause(&self) -> String {
        let on = if self.preflight {
            "the preflight (OPTIONS) response"
        } else {
            "the response"
        };
        match &self.reason {
            Reason::SameOriginModeCrossOrigin => {
                "the request's mode is same-origin but the URL is on another origin; use mode \
                 cors (the default) and let the server allow the page's origin"
                    .to_owned()
            }
            Reason::DisallowedByMode => {
                "the request's mode is same-origin but the server redirected it to another \
                 origin"
                    .to_owned()
            }
            Reason::WildcardOriginNotAllowed => format!(
                "{on} allows any origin with `Access-Control-Allow-Origin: *`, which browsers \
                 refuse for requests with credentials; the server must echo the page's origin \
                 and send `Access-Control-Allow-Credentials: true`"
            ),
            Reason::MissingAllowOriginHeader => format!(
                "{on} has no `Access-Control-Allow-Origin` header; the server must send one \
                 naming the page's origin (or `*` for requests without credentials)"
            ),
            Reason::MultipleAllowOriginValues { value } => format!(
                "{on} gives several origins in `Access-Control-Allow-Origin` ({value:?}); the \
                 header must hold exactly one origin: echo the request's `Origin` when it is \
                 allowed"
            ),
            Reason::InvalidAllowOriginValue { value } => format!(
                "{on} has `Access-Control-Allow-Origin: {value}`, which is not an origin; send \
                 the page's origin exactly (scheme, host and port, no path)"
            ),
            Reason::AllowOriginMismatch { value } => format!(
                "{on} allows origin {value:?}, which is not the page's origin; the value must \
                 equal the request's `Origin` byte for byte (scheme, host, port, no trailing \
                 slash)"
            ),
            Reason::InvalidAllowCredentials { value } => format!(
                "{on} has `Access-Control-Allow-Credentials: {value}`; a request with \
                 credentials needs exactly `true`"
            ),
            Reason::PreflightInvalidStatus => format!(
                "the preflight (OPTIONS) response has status {}; the server must answer \
                 preflights with a 2xx status (usually 204)",
                self.status
                    .map_or_else(|| "none".to_owned(), |s| s.to_string())
            ),
            Reason::PreflightDisallowedRedirect => {
                "the preflight (OPTIONS) request was redirected, which browsers never follow; \
                 answer the preflight at the URL the page requests"
                    .to_owned()
            }
            Reason::InvalidAllowMethods { token } => format!(
                "`Access-Control-Allow-Methods` in the preflight response contains {token:?}, \
                 which is not a method name; list methods separated by commas"
            ),
            Reason::InvalidAllowHeaders { token } => format!(
                "`Access-Control-Allow-Headers` in the preflight response contains {token:?}, \
                 which is not a header name; list header names separated by commas"
            ),
            Reason::MethodDisallowed { method } => format!(
                "the preflight response does not allow method {method}; add it to \
                 `Access-Control-Allow-Methods` (methods match case-sensitively)"
            ),
            Reason::HeaderDisallowed { name } => format!(
                "the preflight response does not allow request header {name}; add it to \
                 `Access-Control-Allow-Headers`"
            ),
            Reason::RedirectContainsCredentials => {
                "a redirect sent the request to a URL with a username or password, which \
                 browsers refuse for cross-origin requests"
                    .to_owned()
            }
            Reason::CorsDisabledScheme => {
                "a redirect sent the request to a URL that is not http or https; CORS \
                 requests can only go to http(s) URLs"
                    .to_owned()
            }
            Reason::RedirectFailed => {
                "the browser refused to follow a redirect (to a data:, javascript: or file: \
                 URL); redirect to an http(s) URL"
                    .to_owned()
            }
            Reason::NetworkError => {
                "the request failed before any CORS rule applied (too many redirects, a bad \
                 redirect location or an unsupported URL)"
                    .to_owned()
            }
        }
    }
}

/// The bytes a header value puts on the wire: Latin-1 for characters up
/// to U+00FF, UTF-8 for the rest.
pub(crate) fn wire_bytes(value: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(value.len());
    for c in value.chars() {
        match u8::try_from(u32::from(c)) {
            Ok(b) => out.push(b),
            Err(_) => out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const CTX: MessageContext<'static> = MessageContext {
        url: "http://api.test:8002/b",
        initial_url: "http://api.test:8002/a",
        origin: "http://app.test:8001",
        page_url: "http://app.test:8001/",
    };

    #[test]
    fn chrome_names_follow_preflight_flag() {
        let f = Failure::new(Reason::WildcardOriginNotAllowed, true, Some(204));
        assert_eq!(f.chrome_error(), Some("PreflightWildcardOriginNotAllowed"));
        let f = Failure::new(Reason::WildcardOriginNotAllowed, false, Some(200));
        assert_eq!(f.chrome_error(), Some("WildcardOriginNotAllowed"));
        assert_eq!(f.firefox_reason(), Some("CORSNotSupportingCredentials"));
    }

    #[test]
    fn chrome_message_names_the_redirect_chain() {
        let f = Failure::new(Reason::MissingAllowOriginHeader, false, Some(302));
        assert_eq!(
            f.chrome_message(&CTX).unwrap(),
            "Access to fetch at 'http://api.test:8002/b' (redirected from \
             'http://api.test:8002/a') from origin 'http://app.test:8001' has been blocked by \
             CORS policy: No 'Access-Control-Allow-Origin' header is present on the requested \
             resource."
        );
    }

    #[test]
    fn firefox_message_quotes_status_and_values() {
        let f = Failure::new(Reason::MissingAllowOriginHeader, false, Some(200));
        assert_eq!(
            f.firefox_message(&CTX).unwrap(),
            "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote \
             resource at http://api.test:8002/b. (Reason: CORS header \
             \u{2018}Access-Control-Allow-Origin\u{2019} missing). Status code: 200."
        );
        let f = Failure::new(Reason::WildcardOriginNotAllowed, false, Some(200));
        assert!(
            f.firefox_message(&CTX)
                .unwrap()
                .contains("remote resource at \u{2018}http://api.test:8002/b\u{2019}. (Reason")
        );
    }

    #[test]
    fn network_errors_have_no_cors_message() {
        let f = Failure::new(Reason::NetworkError, false, None);
        assert_eq!(f.chrome_error(), None);
        assert_eq!(f.chrome_message(&CTX), None);
        assert_eq!(f.firefox_message(&CTX), None);
        assert!(!f.cause().is_empty());
    }
}

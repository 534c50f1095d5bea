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
mod findings;
mod firefox;
mod fix;
mod recognize;

pub use crate::fetch::{Blocked, Browser, Failure, Reason, TypeError};
pub use findings::{
    Finding, OtherOrigin, is_per_origin, not_exposed, response_findings, varies_on_origin,
    vary_finding,
};
pub use fix::{Fix, policy_allowing};
pub use recognize::{
    MAX_MESSAGE_BYTES, Recognized, RequestFacts, Slot, Template, Unrecognized, recognize, templates,
};

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

impl Blocked {
    /// What this failure's console messages quote.
    pub fn message_context(&self) -> MessageContext<'_> {
        MessageContext {
            url: &self.url,
            initial_url: &self.initial_url,
            origin: &self.page_origin,
            page_url: &self.page_url,
        }
    }

    /// The browser's own name for the failure: Chromium's DevTools
    /// `CorsError` (`MissingAllowOriginHeader`), Firefox's reason
    /// (`CORSMissingAllowOrigin`); `None` when the browser reports no CORS
    /// error (a network error, a `TypeError`).
    pub fn error_code(&self) -> Option<&'static str> {
        match self.browser {
            Browser::Firefox => self.failure.firefox_reason(),
            _ => self.failure.chrome_error(),
        }
    }

    /// The browser's failed parameter (Chromium's `failed_parameter`,
    /// Firefox's message parameter), when the error has one.
    pub fn failed_parameter(&self) -> Option<String> {
        match self.browser {
            Browser::Firefox => self.failure.firefox_parameter(),
            _ => Some(self.failure.chrome_failed_parameter().to_owned()).filter(|p| !p.is_empty()),
        }
    }

    /// The first line the browser prints in the console for the failure,
    /// byte for byte, or `None` when it prints none.
    pub fn console_message(&self) -> Option<String> {
        let ctx = self.message_context();
        match self.browser {
            Browser::Firefox => self.failure.firefox_message(&ctx),
            _ => self.failure.chrome_message(&ctx),
        }
    }

    /// What went wrong, in plain words.
    pub fn cause(&self) -> String {
        self.failure.cause()
    }

    /// What to change: the header and value the server must send, and how
    /// to say it in a corsica policy.
    pub fn fix(&self) -> Fix {
        fix::fix(self)
    }
}

impl Failure {
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
            Reason::TypeError(e) => format!(
                "fetch() threw a TypeError before sending anything: {}",
                e.describe()
            ),
            Reason::RequestFailed => {
                "the request did not complete (the connection failed or the response head was \
                 too large); no CORS rule was checked"
                    .to_owned()
            }
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
                "{on} gives several origins in `Access-Control-Allow-Origin`{}; the header must \
                 hold exactly one origin: echo the request's `Origin` when it is allowed",
                quoted(value)
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
            Reason::InvalidAllowCredentials { value } if value.is_empty() => format!(
                "{on} lacks `Access-Control-Allow-Credentials: true`, which a request with \
                 credentials needs (exactly `true`)"
            ),
            Reason::InvalidAllowCredentials { value } => format!(
                "{on} has `Access-Control-Allow-Credentials: {value}`; a request with \
                 credentials needs exactly `true`"
            ),
            Reason::PreflightInvalidStatus => format!(
                "the preflight (OPTIONS) response has {}; the server must answer preflights \
                 with a 2xx status (usually 204)",
                self.status.map_or_else(
                    || "a status outside 200-299".to_owned(),
                    |s| format!("status {s}")
                )
            ),
            Reason::PreflightDisallowedRedirect => {
                "the preflight (OPTIONS) request was redirected, which browsers never follow; \
                 answer the preflight at the URL the page requests"
                    .to_owned()
            }
            Reason::InvalidAllowMethods { token } => format!(
                "`Access-Control-Allow-Methods` in the preflight response contains {}, which is \
                 not a method name; list methods separated by commas",
                item(token)
            ),
            Reason::InvalidAllowHeaders { token } => format!(
                "`Access-Control-Allow-Headers` in the preflight response contains {}, which is \
                 not a header name; list header names separated by commas",
                item(token)
            ),
            Reason::MethodDisallowed { method } => format!(
                "the preflight response does not allow {}; add it to \
                 `Access-Control-Allow-Methods` (methods match case-sensitively)",
                if method.is_empty() {
                    "the request's method".to_owned()
                } else {
                    format!("method {method}")
                }
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

/// ` ("value")` after a noun, or nothing when the message did not quote
/// the value.
fn quoted(value: &str) -> String {
    if value.is_empty() {
        String::new()
    } else {
        format!(" ({value:?})")
    }
}

/// An offending list item, or a stand-in when the message did not quote it.
fn item(token: &str) -> String {
    if token.is_empty() {
        "an item".to_owned()
    } else {
        format!("{token:?}")
    }
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

//! Why a fetch failed: the rule that broke, as plain data.
//!
//! These are the model's core results. How each browser words them (its
//! DevTools error name, its console line) and what to do about them are
//! presentations of these types, in [`crate::explain`].

/// The rule a request broke, with the values a message needs.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Reason {
    /// Occurs when `fetch()` throws a `TypeError` before anything is sent.
    TypeError(TypeError),
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
        /// What the browser quotes: the first offending item (Chromium,
        /// Firefox, the standard), the whole header value (WebKit).
        token: String,
    },
    /// Occurs when `Access-Control-Allow-Headers` has an item that is not a
    /// token.
    InvalidAllowHeaders {
        /// What the browser quotes: the first offending item (Chromium,
        /// Firefox, the standard), the whole header value (WebKit).
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
        /// The header name as the browser reports it: lowercased
        /// (Chromium, Firefox, the standard), or as WebKit's header map
        /// holds it (its spelling for names it knows, `Authorization`; the
        /// script's for others, `X-API-Key`).
        name: String,
    },
    /// Occurs when a redirect's `Location` carries a username or password.
    RedirectContainsCredentials,
    /// Occurs when a CORS request is redirected to a URL whose scheme CORS
    /// does not support (`ftp:`, `javascript:`).
    CorsDisabledScheme,
    /// Occurs when the network layer refuses to follow a redirect (Firefox
    /// reports it as "CORS request did not succeed"; Chromium logs no CORS
    /// message). In WebKit this is only the redirect limit: the 21st
    /// redirect ("Load cannot follow more than 20 redirections").
    RedirectFailed,
    /// Occurs when the request could not be completed at all: the caller
    /// reported a transport failure (refused, reset, timed out, TLS) or the
    /// response head was over the browser's size limit. Firefox reports it
    /// on a CORS request as "CORS request did not succeed"; Chromium logs
    /// only its net error.
    RequestFailed,
    /// Occurs on a network error that no CORS rule explains (too many
    /// redirects, a bad `Location`, a URL scheme fetch() cannot load, a
    /// redirect under `redirect: "error"`); the browsers log no CORS
    /// message.
    NetworkError,
}

/// Why `fetch()` threw before anything went on the wire (a `TypeError` in
/// the page).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TypeError {
    /// The URL does not parse against the page's URL.
    InvalidUrl,
    /// The URL carries a username or password.
    UrlWithCredentials,
    /// The URL's scheme is not one `fetch()` loads over the network.
    UnsupportedScheme,
    /// The method is not a token.
    InvalidMethod,
    /// `CONNECT`, `TRACE` or `TRACK`.
    ForbiddenMethod,
    /// A method other than `GET`, `HEAD`, `POST` in `no-cors` mode.
    NoCorsMethod,
    /// A body on a `GET` or `HEAD`.
    BodyWithGetOrHead,
    /// A header name that is not a token or a value with NUL, CR or LF.
    InvalidHeader,
}

impl TypeError {
    /// What the script did wrong, in plain words.
    pub fn describe(self) -> &'static str {
        match self {
            TypeError::InvalidUrl => "the URL does not parse",
            TypeError::UrlWithCredentials => {
                "the URL includes a username or password, which fetch() refuses"
            }
            TypeError::UnsupportedScheme => "the URL's scheme is not http or https",
            TypeError::InvalidMethod => "the method is not a valid HTTP method name",
            TypeError::ForbiddenMethod => {
                "the method is CONNECT, TRACE or TRACK, which fetch() refuses"
            }
            TypeError::NoCorsMethod => {
                "mode no-cors allows only GET, HEAD and POST; use mode cors for other methods"
            }
            TypeError::BodyWithGetOrHead => "a GET or HEAD request cannot have a body",
            TypeError::InvalidHeader => {
                "a header name is not a token, or a value holds NUL, CR or LF"
            }
        }
    }
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
    /// Whether the failure stopped a redirect: the failing response was a
    /// redirect the browser checked before following it, or the redirect's
    /// target was refused. WebKit words these failures as "Cross-origin
    /// redirection to <target> denied by Cross-Origin Resource Sharing
    /// policy: <reason>".
    pub redirect: bool,
}

impl Failure {
    /// A failure of `reason` on the preflight (`preflight`) or another
    /// response, whose status was `status`.
    pub fn new(reason: Reason, preflight: bool, status: Option<u16>) -> Failure {
        Failure {
            reason,
            preflight,
            status,
            redirect: false,
        }
    }

    /// The same failure, marked as stopping a redirect.
    #[must_use]
    pub fn on_redirect(mut self) -> Failure {
        self.redirect = true;
        self
    }
}

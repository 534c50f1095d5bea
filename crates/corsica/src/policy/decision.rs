//! What [`Policy::decide`](super::Policy::decide) returns: [`Decision`],
//! the [`ResponseHeaders`] to add, and the typed [`Rejection`] reason.

use std::fmt;

use http::StatusCode;

use crate::shorten::shorten;
use http::header::{self, HeaderMap, HeaderName, HeaderValue};

/// `Access-Control-Allow-Private-Network` (legacy Private Network Access).
pub(crate) static ACCESS_CONTROL_ALLOW_PRIVATE_NETWORK: HeaderName =
    HeaderName::from_static("access-control-allow-private-network");
/// `Access-Control-Request-Private-Network` (legacy Private Network Access).
pub(crate) static ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK: HeaderName =
    HeaderName::from_static("access-control-request-private-network");

static ACAO: HeaderName = header::ACCESS_CONTROL_ALLOW_ORIGIN;
static ACAC: HeaderName = header::ACCESS_CONTROL_ALLOW_CREDENTIALS;
static ACAM: HeaderName = header::ACCESS_CONTROL_ALLOW_METHODS;
static ACAH: HeaderName = header::ACCESS_CONTROL_ALLOW_HEADERS;
static ACMA: HeaderName = header::ACCESS_CONTROL_MAX_AGE;
static ACEH: HeaderName = header::ACCESS_CONTROL_EXPOSE_HEADERS;
static VARY: HeaderName = header::VARY;

/// Why a CORS request is not allowed. For logs, metrics and debugging:
/// browsers are told nothing more than the missing headers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Rejection<'a> {
    /// Occurs when the `Origin` is `null` (sandboxed documents, `file:`
    /// pages, some redirects), which a policy never allows.
    NullOrigin,
    /// Occurs when the `Origin` is not an origin in the canonical form
    /// browsers send, or there are several `Origin` lines.
    MalformedOrigin,
    /// Occurs when the origin matches no pattern of the policy.
    OriginNotAllowed,
    /// Occurs when `Access-Control-Request-Method` is not a method token or
    /// appears more than once.
    MalformedMethod,
    /// Occurs when the preflight asks for a method the policy does not list.
    MethodNotAllowed {
        /// The method asked for.
        method: &'a str,
    },
    /// Occurs when the preflight asks for a request header the policy does
    /// not list.
    HeaderNotAllowed {
        /// The header name, as the request wrote it.
        name: &'a str,
    },
    /// Occurs when the preflight asks for `Authorization` and the policy
    /// does not list it (`*` never covers it).
    AuthorizationNotAllowed,
    /// Occurs when an `Access-Control-Request-Headers` element is not a
    /// header name, or there are more than
    /// [`MAX_EMPTY_ELEMENTS`](super::MAX_EMPTY_ELEMENTS) empty ones.
    MalformedRequestHeaders,
    /// Occurs when `Access-Control-Request-Headers` is longer than
    /// [`MAX_REQUEST_HEADERS_BYTES`](super::MAX_REQUEST_HEADERS_BYTES).
    RequestHeadersTooLong,
    /// Occurs when there are more than
    /// [`MAX_REQUEST_HEADERS_LINES`](super::MAX_REQUEST_HEADERS_LINES)
    /// `Access-Control-Request-Headers` lines.
    TooManyRequestHeaderLines,
    /// Occurs when the preflight carries
    /// `Access-Control-Request-Private-Network: true` and the policy does
    /// not set `private_network`.
    PrivateNetworkNotAllowed,
}

impl Rejection<'_> {
    /// A stable, kebab-case identifier of the reason.
    pub fn code(&self) -> &'static str {
        match self {
            Rejection::NullOrigin => "null-origin",
            Rejection::MalformedOrigin => "malformed-origin",
            Rejection::OriginNotAllowed => "origin-not-allowed",
            Rejection::MalformedMethod => "malformed-method",
            Rejection::MethodNotAllowed { .. } => "method-not-allowed",
            Rejection::HeaderNotAllowed { .. } => "header-not-allowed",
            Rejection::AuthorizationNotAllowed => "authorization-not-allowed",
            Rejection::MalformedRequestHeaders => "malformed-request-headers",
            Rejection::RequestHeadersTooLong => "request-headers-too-long",
            Rejection::TooManyRequestHeaderLines => "too-many-request-header-lines",
            Rejection::PrivateNetworkNotAllowed => "private-network-not-allowed",
        }
    }
}

impl fmt::Display for Rejection<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rejection::NullOrigin => f.write_str("origin `null` is never allowed"),
            Rejection::MalformedOrigin => {
                f.write_str("the Origin header is not a single origin in canonical form")
            }
            Rejection::OriginNotAllowed => {
                f.write_str("the origin is not in the policy's origins; add it if it should be allowed")
            }
            Rejection::MalformedMethod => {
                f.write_str("Access-Control-Request-Method is not a single method name")
            }
            Rejection::MethodNotAllowed { method } => write!(
                f,
                "method `{}` is not in the policy's methods (compared case-sensitively); add it if it should be allowed",
                shorten(method)
            ),
            Rejection::HeaderNotAllowed { name } => write!(
                f,
                "request header `{}` is not in the policy's request_headers; add it if it should be allowed",
                shorten(name)
            ),
            Rejection::AuthorizationNotAllowed => f.write_str(
                "request header `authorization` is not in the policy's request_headers (`*` never covers it); list it by name",
            ),
            Rejection::MalformedRequestHeaders => {
                f.write_str("Access-Control-Request-Headers is not a list of header names")
            }
            Rejection::RequestHeadersTooLong => write!(
                f,
                "Access-Control-Request-Headers is longer than {} bytes",
                super::MAX_REQUEST_HEADERS_BYTES
            ),
            Rejection::TooManyRequestHeaderLines => write!(
                f,
                "more than {} Access-Control-Request-Headers lines",
                super::MAX_REQUEST_HEADERS_LINES
            ),
            Rejection::PrivateNetworkNotAllowed => f.write_str(
                "the preflight asks for private network access and the policy does not set private_network",
            ),
        }
    }
}

/// The CORS headers to add to a response, borrowed from the [`Policy`]'s
/// precomputed values and the request's own `Origin`.
///
/// [`Policy`]: super::Policy
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[must_use]
pub struct ResponseHeaders<'a> {
    pub(crate) allow_origin: Option<&'a HeaderValue>,
    pub(crate) allow_credentials: Option<&'a HeaderValue>,
    pub(crate) allow_methods: Option<&'a HeaderValue>,
    pub(crate) allow_headers: Option<&'a HeaderValue>,
    pub(crate) max_age: Option<&'a HeaderValue>,
    pub(crate) allow_private_network: Option<&'a HeaderValue>,
    pub(crate) expose_headers: Option<&'a HeaderValue>,
    pub(crate) vary: Option<&'a HeaderValue>,
}

impl<'a> ResponseHeaders<'a> {
    /// The headers, in a stable order: `Access-Control-Allow-Origin`,
    /// `-Allow-Credentials`, `-Allow-Methods`, `-Allow-Headers`, `-Max-Age`,
    /// `-Allow-Private-Network`, `-Expose-Headers`, `Vary`.
    pub fn iter(&self) -> impl Iterator<Item = (&'static HeaderName, &'a HeaderValue)> + '_ {
        [
            (&ACAO, self.allow_origin),
            (&ACAC, self.allow_credentials),
            (&ACAM, self.allow_methods),
            (&ACAH, self.allow_headers),
            (&ACMA, self.max_age),
            (
                &ACCESS_CONTROL_ALLOW_PRIVATE_NETWORK,
                self.allow_private_network,
            ),
            (&ACEH, self.expose_headers),
            (&VARY, self.vary),
        ]
        .into_iter()
        .filter_map(|(n, v)| v.map(|v| (n, v)))
    }

    /// Whether there is nothing to add.
    pub fn is_empty(&self) -> bool {
        self.iter().next().is_none()
    }

    /// The value to send for one header, if any.
    pub fn get(&self, name: &HeaderName) -> Option<&'a HeaderValue> {
        self.iter().find(|(n, _)| *n == name).map(|(_, v)| v)
    }

    /// Sets these headers on a response: each CORS header replaces any value
    /// already there; `Vary` is merged with an existing `Vary` into one line,
    /// without duplicate names (and left alone if it is `*`).
    pub fn apply_to(&self, headers: &mut HeaderMap) {
        for (name, value) in self.iter() {
            if name == VARY {
                merge_vary(headers, value);
            } else {
                headers.insert(name.clone(), value.clone());
            }
        }
    }
}

/// Merges our `Vary` names into the response's `Vary` lines.
fn merge_vary(headers: &mut HeaderMap, ours: &HeaderValue) {
    let existing: Vec<&[u8]> = headers
        .get_all(&VARY)
        .iter()
        .flat_map(|v| v.as_bytes().split(|&b| b == b','))
        .map(trim)
        .filter(|t| !t.is_empty())
        .collect();
    if existing.is_empty() {
        headers.insert(VARY.clone(), ours.clone());
        return;
    }
    if existing.iter().any(|t| *t == b"*") {
        return;
    }
    let missing: Vec<&[u8]> = ours
        .as_bytes()
        .split(|&b| b == b',')
        .map(trim)
        .filter(|t| !t.is_empty() && !existing.iter().any(|e| e.eq_ignore_ascii_case(t)))
        .collect();
    if missing.is_empty() && headers.get_all(&VARY).iter().count() == 1 {
        return;
    }
    let mut merged: Vec<u8> = Vec::new();
    let mut seen: Vec<&[u8]> = Vec::new();
    for t in existing.iter().chain(missing.iter()) {
        if seen.iter().any(|s| s.eq_ignore_ascii_case(t)) {
            continue;
        }
        if !merged.is_empty() {
            merged.extend_from_slice(b", ");
        }
        merged.extend_from_slice(t);
        seen.push(t);
    }
    // Every byte came from a valid header value, joined by ", ".
    if let Ok(value) = HeaderValue::from_bytes(&merged) {
        headers.insert(VARY.clone(), value);
    }
}

fn trim(s: &[u8]) -> &[u8] {
    s.trim_ascii()
}

/// What to do with one request, decided by
/// [`Policy::decide`](super::Policy::decide).
///
/// - [`NotCors`](Decision::NotCors): no `Origin`; pass the request on and
///   add [`headers`](Decision::headers) (at most `Vary`) to the response.
/// - [`Actual`](Decision::Actual): a CORS request that is not a preflight;
///   pass it on and add the headers to whatever response it gets, errors
///   included. A disallowed origin gets only `Vary` (the browser then
///   withholds the response from the script).
/// - [`Preflight`](Decision::Preflight): answer here with
///   [`status`](Decision::status), the headers and an empty body.
/// - [`PreflightRejected`](Decision::PreflightRejected): answer here with
///   the rejected status and only `Vary`.
/// - [`PreflightPassthrough`](Decision::PreflightPassthrough): the policy
///   forwards preflights; pass it on and add the headers to the answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[must_use]
pub enum Decision<'a> {
    /// Not a CORS request (no `Origin` header).
    NotCors {
        /// Headers to add to the response.
        headers: ResponseHeaders<'a>,
    },
    /// A CORS request that is not a preflight.
    Actual {
        /// Headers to add to the response.
        headers: ResponseHeaders<'a>,
        /// Why the origin is not allowed, if it is not.
        rejection: Option<Rejection<'a>>,
    },
    /// An allowed preflight, to answer here.
    Preflight {
        /// The status to answer with.
        status: StatusCode,
        /// The headers to answer with.
        headers: ResponseHeaders<'a>,
    },
    /// A rejected preflight, to answer here.
    PreflightRejected {
        /// The status to answer with.
        status: StatusCode,
        /// The headers to answer with (`Vary` only).
        headers: ResponseHeaders<'a>,
        /// Why.
        rejection: Rejection<'a>,
    },
    /// A preflight to forward to the application (`preflight_passthrough`).
    PreflightPassthrough {
        /// Headers to add to the application's answer (`Vary` only when
        /// rejected).
        headers: ResponseHeaders<'a>,
        /// Why the preflight would be rejected, if it would.
        rejection: Option<Rejection<'a>>,
    },
}

impl<'a> Decision<'a> {
    /// The status to answer with, when the answer is made here (a preflight
    /// answered or rejected); `None` when the request goes on.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Decision::Preflight { status, .. } | Decision::PreflightRejected { status, .. } => {
                Some(*status)
            }
            _ => None,
        }
    }

    /// The headers to add to the response, whether it is made here or by the
    /// application (error responses included).
    pub fn headers(&self) -> &ResponseHeaders<'a> {
        match self {
            Decision::NotCors { headers }
            | Decision::Actual { headers, .. }
            | Decision::Preflight { headers, .. }
            | Decision::PreflightRejected { headers, .. }
            | Decision::PreflightPassthrough { headers, .. } => headers,
        }
    }

    /// Why the request is not allowed, if it is a CORS request that is not.
    pub fn rejection(&self) -> Option<&Rejection<'a>> {
        match self {
            Decision::Actual { rejection, .. }
            | Decision::PreflightPassthrough { rejection, .. } => rejection.as_ref(),
            Decision::PreflightRejected { rejection, .. } => Some(rejection),
            Decision::NotCors { .. } | Decision::Preflight { .. } => None,
        }
    }

    /// Whether the request is a CORS preflight.
    pub fn is_preflight(&self) -> bool {
        matches!(
            self,
            Decision::Preflight { .. }
                | Decision::PreflightRejected { .. }
                | Decision::PreflightPassthrough { .. }
        )
    }

    /// Whether the request is a CORS request (it has an `Origin`).
    pub fn is_cors(&self) -> bool {
        !matches!(self, Decision::NotCors { .. })
    }

    /// Whether the request is a CORS request the policy allows.
    pub fn is_allowed(&self) -> bool {
        self.is_cors() && self.rejection().is_none()
    }

    /// Whether the request goes on to the application (everything but a
    /// preflight answered or rejected here).
    pub fn forwards(&self) -> bool {
        self.status().is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vary(headers: &HeaderMap) -> Vec<&str> {
        headers
            .get_all(&VARY)
            .iter()
            .map(|v| v.to_str().unwrap())
            .collect()
    }

    #[test]
    fn apply_to_merges_vary_without_duplicates() {
        let ours = HeaderValue::from_static("Origin, Access-Control-Request-Method");
        let origin = HeaderValue::from_static("https://a.com");
        let rh = ResponseHeaders {
            allow_origin: Some(&origin),
            vary: Some(&ours),
            ..Default::default()
        };

        let mut h = HeaderMap::new();
        rh.apply_to(&mut h);
        assert_eq!(vary(&h), ["Origin, Access-Control-Request-Method"]);
        assert_eq!(h[&ACAO], "https://a.com");

        let mut h = HeaderMap::new();
        h.insert(
            VARY.clone(),
            HeaderValue::from_static("accept-encoding, origin"),
        );
        h.insert(ACAO.clone(), HeaderValue::from_static("https://other.com"));
        rh.apply_to(&mut h);
        assert_eq!(
            vary(&h),
            ["accept-encoding, origin, Access-Control-Request-Method"]
        );
        assert_eq!(h[&ACAO], "https://a.com");

        // Applying twice changes nothing (stacked layers, tower-http #598).
        rh.apply_to(&mut h);
        assert_eq!(
            vary(&h),
            ["accept-encoding, origin, Access-Control-Request-Method"]
        );

        let mut h = HeaderMap::new();
        h.append(VARY.clone(), HeaderValue::from_static("Accept"));
        h.append(VARY.clone(), HeaderValue::from_static("Origin"));
        rh.apply_to(&mut h);
        assert_eq!(vary(&h), ["Accept, Origin, Access-Control-Request-Method"]);

        let mut h = HeaderMap::new();
        h.insert(VARY.clone(), HeaderValue::from_static("*"));
        rh.apply_to(&mut h);
        assert_eq!(vary(&h), ["*"]);
    }

    #[test]
    fn iter_order_is_stable() {
        let v = HeaderValue::from_static("x");
        let rh = ResponseHeaders {
            vary: Some(&v),
            allow_origin: Some(&v),
            expose_headers: Some(&v),
            allow_credentials: Some(&v),
            ..Default::default()
        };
        let names: Vec<&str> = rh.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "access-control-allow-origin",
                "access-control-allow-credentials",
                "access-control-expose-headers",
                "vary"
            ]
        );
        assert!(ResponseHeaders::default().is_empty());
        assert_eq!(rh.get(&VARY), Some(&v));
    }

    #[test]
    fn rejection_codes_and_messages() {
        let r = Rejection::HeaderNotAllowed { name: "x-foo" };
        assert_eq!(r.code(), "header-not-allowed");
        assert!(r.to_string().contains("`x-foo`"));
        assert_eq!(
            Rejection::MethodNotAllowed { method: "PATCH" }.code(),
            "method-not-allowed"
        );
    }
}

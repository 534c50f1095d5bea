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

/// `Corsica-Rejection`: a debugging header a middleware may add to the
/// response of a rejected request, holding
/// [`Rejection::header_value`]. Not a CORS header: browsers ignore it, and
/// the developer reads it in the network panel next to the console error.
pub static REJECTION_HEADER: HeaderName = HeaderName::from_static("corsica-rejection");

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

impl Rejection<'_> {
    /// The value of [`REJECTION_HEADER`]: the [`code`](Self::code), `: `,
    /// then the message (`origin-not-allowed: the origin is not in the
    /// policy's origins; add it if it should be allowed`). Allocates; meant
    /// for a debug switch, not every rejection.
    ///
    /// ```
    /// use corsica::policy::Rejection;
    /// let v = Rejection::MethodNotAllowed { method: "PATCH" }.header_value();
    /// assert!(v.to_str().unwrap().starts_with("method-not-allowed: method `PATCH`"));
    /// ```
    pub fn header_value(&self) -> HeaderValue {
        // The message is ASCII text plus names from the request that were
        // checked as tokens, so it is a valid value; the code alone is the
        // (unreachable) fallback.
        HeaderValue::try_from(format!("{}: {self}", self.code()))
            .unwrap_or_else(|_| HeaderValue::from_static(self.code()))
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

/// The header names of [`ResponseHeaders`] slots, in their stable order.
static NAMES: [&HeaderName; 8] = [
    &ACAO,
    &ACAC,
    &ACAM,
    &ACAH,
    &ACMA,
    &ACCESS_CONTROL_ALLOW_PRIVATE_NETWORK,
    &ACEH,
    &VARY,
];

impl<'a> ResponseHeaders<'a> {
    /// The values in the order of [`NAMES`].
    fn slots(&self) -> [Option<&'a HeaderValue>; 8] {
        [
            self.allow_origin,
            self.allow_credentials,
            self.allow_methods,
            self.allow_headers,
            self.max_age,
            self.allow_private_network,
            self.expose_headers,
            self.vary,
        ]
    }

    /// The headers, in a stable order: `Access-Control-Allow-Origin`,
    /// `-Allow-Credentials`, `-Allow-Methods`, `-Allow-Headers`, `-Max-Age`,
    /// `-Allow-Private-Network`, `-Expose-Headers`, `Vary`.
    pub fn iter(&self) -> impl Iterator<Item = (&'static HeaderName, &'a HeaderValue)> + '_ {
        NAMES
            .into_iter()
            .zip(self.slots())
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
        if headers.is_empty() {
            // A new answer's map: nothing to replace and no `Vary` to
            // merge with, so each line is appended (the code path hyper's
            // parser already runs for every request, instead of a second
            // one for inserts: fewer instruction-cache lines per request).
            for (name, value) in self.iter() {
                headers.append(name.clone(), value.clone());
            }
            return;
        }
        for (name, value) in self.iter() {
            if name == VARY {
                merge_vary(headers, value.clone());
            } else {
                headers.insert(name.clone(), value.clone());
            }
        }
    }

    /// The same headers, owned: for a middleware that must keep them while
    /// the application answers (the [`Policy`] and the request are gone by
    /// then). Cloning a [`HeaderValue`] copies no bytes: the values are
    /// shared with the policy and the request.
    ///
    /// ```
    /// use corsica::policy::Policy;
    /// use http::{HeaderMap, HeaderValue, Method};
    ///
    /// let policy = Policy::from_toml_str(r#"origins = ["https://a.com"]"#).unwrap();
    /// let mut request = HeaderMap::new();
    /// request.insert("origin", HeaderValue::from_static("https://a.com"));
    /// let owned = policy.decide(&Method::GET, &request).headers().into_owned();
    /// drop((policy, request));
    ///
    /// let mut response = HeaderMap::new();
    /// owned.apply_to(&mut response);
    /// assert_eq!(response["access-control-allow-origin"], "https://a.com");
    /// assert_eq!(response["vary"], "Origin");
    /// ```
    ///
    /// [`Policy`]: super::Policy
    #[inline]
    pub fn into_owned(self) -> OwnedResponseHeaders {
        // Slot by slot (not `slots().map(..)`, which goes through a
        // generic `try_map` and costs several times more on this path).
        OwnedResponseHeaders {
            values: [
                self.allow_origin.cloned(),
                self.allow_credentials.cloned(),
                self.allow_methods.cloned(),
                self.allow_headers.cloned(),
                self.max_age.cloned(),
                self.allow_private_network.cloned(),
                self.expose_headers.cloned(),
                self.vary.cloned(),
            ],
        }
    }
}

/// [`ResponseHeaders`] that own their values (see
/// [`ResponseHeaders::into_owned`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[must_use]
pub struct OwnedResponseHeaders {
    values: [Option<HeaderValue>; 8],
}

impl OwnedResponseHeaders {
    /// The headers, in the order of [`ResponseHeaders::iter`].
    pub fn iter(&self) -> impl Iterator<Item = (&'static HeaderName, &HeaderValue)> + '_ {
        NAMES
            .into_iter()
            .zip(&self.values)
            .filter_map(|(n, v)| v.as_ref().map(|v| (n, v)))
    }

    /// Whether there is nothing to add.
    pub fn is_empty(&self) -> bool {
        self.values.iter().all(Option::is_none)
    }

    /// Sets these headers on a response, as [`ResponseHeaders::apply_to`]
    /// does, moving the values in.
    #[inline]
    pub fn apply_to(self, headers: &mut HeaderMap) {
        if headers.is_empty() {
            // As in `ResponseHeaders::apply_to`.
            for (name, value) in NAMES.into_iter().zip(self.values) {
                if let Some(value) = value {
                    headers.append(name.clone(), value);
                }
            }
            return;
        }
        for (name, value) in NAMES.into_iter().zip(self.values) {
            let Some(value) = value else { continue };
            if name == VARY {
                merge_vary(headers, value);
            } else {
                headers.insert(name.clone(), value);
            }
        }
    }
}

/// The names of every `Vary` line, trimmed, empty elements skipped.
fn vary_names(headers: &HeaderMap) -> impl Iterator<Item = &[u8]> {
    headers
        .get_all(&VARY)
        .iter()
        .flat_map(|v| v.as_bytes().split(|&b| b == b','))
        .map(<[u8]>::trim_ascii)
        .filter(|t| !t.is_empty())
}

/// Merges our `Vary` names into the response's `Vary` lines (RFC 9110,
/// section 12.5.5: a list of field names, or `*`).
///
/// - no `Vary` yet: ours is inserted as is (no allocation);
/// - a `*` anywhere: the response already varies on everything; left alone;
/// - every name of ours already there, on one line (a stacked layer, an
///   application that set `Vary: Origin`): left alone (no allocation);
/// - otherwise one line: the existing names, then ours that are missing,
///   each once, compared case-insensitively (one allocation).
fn merge_vary(headers: &mut HeaderMap, ours: HeaderValue) {
    // One lookup on the common path (no `Vary` yet).
    if let header::Entry::Vacant(slot) = headers.entry(&VARY) {
        slot.insert(ours);
        return;
    }
    merge_vary_lines(headers, ours);
}

/// [`merge_vary`] when the response has `Vary` lines already: out of line,
/// so that the common path's code stays small (instruction cache).
#[inline(never)]
fn merge_vary_lines(headers: &mut HeaderMap, ours: HeaderValue) {
    let mut lines = headers.get_all(&VARY).iter();
    lines.next();
    let one_line = lines.next().is_none();
    if vary_names(headers).any(|t| t == b"*") {
        return;
    }
    let has = |name: &[u8]| vary_names(headers).any(|e| e.eq_ignore_ascii_case(name));
    let mut our_names = ours
        .as_bytes()
        .split(|&b| b == b',')
        .map(<[u8]>::trim_ascii)
        .filter(|t| !t.is_empty());
    if one_line && our_names.all(has) {
        return;
    }
    let existing: usize = headers.get_all(&VARY).iter().map(|v| v.len() + 2).sum();
    let mut merged: Vec<u8> = Vec::with_capacity(existing + ours.len());
    let theirs = vary_names(headers);
    let ours_all = ours
        .as_bytes()
        .split(|&b| b == b',')
        .map(<[u8]>::trim_ascii)
        .filter(|t| !t.is_empty());
    for name in theirs.chain(ours_all) {
        let seen = merged
            .split(|&b| b == b',')
            .map(<[u8]>::trim_ascii)
            .any(|s| s.eq_ignore_ascii_case(name));
        if seen {
            continue;
        }
        if !merged.is_empty() {
            merged.extend_from_slice(b", ");
        }
        merged.extend_from_slice(name);
    }
    // Every byte came from a valid header value, joined by ", ".
    if let Ok(value) = HeaderValue::try_from(merged) {
        headers.insert(VARY.clone(), value);
    }
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
    fn merge_vary_edge_cases() {
        let ours = HeaderValue::from_static("Origin, Access-Control-Request-Method");
        let rh = ResponseHeaders {
            vary: Some(&ours),
            ..Default::default()
        };
        let run = |lines: &[&'static str]| {
            let mut h = HeaderMap::new();
            for l in lines {
                h.append(VARY.clone(), HeaderValue::from_static(l));
            }
            rh.apply_to(&mut h);
            vary(&h).iter().map(|s| s.to_string()).collect::<Vec<_>>()
        };
        // `*` on any line, in any position, wins.
        assert_eq!(run(&["Accept", "*"]), ["Accept", "*"]);
        assert_eq!(run(&["accept, *"]), ["accept, *"]);
        // Every name present, on one line, in another case: untouched.
        assert_eq!(
            run(&["access-control-request-method, ORIGIN"]),
            ["access-control-request-method, ORIGIN"]
        );
        // Every name present, over two lines: joined into one.
        assert_eq!(
            run(&["Origin", "Access-Control-Request-Method"]),
            ["Origin, Access-Control-Request-Method"]
        );
        // Duplicates among the existing lines are folded once we rewrite.
        assert_eq!(
            run(&["Accept, accept", "Origin"]),
            ["Accept, Origin, Access-Control-Request-Method"]
        );
        // Empty elements and spaces are dropped.
        assert_eq!(
            run(&[" , Accept ,, "]),
            ["Accept, Origin, Access-Control-Request-Method"]
        );
        // An empty Vary line counts as a line with no names.
        assert_eq!(run(&[""]), ["Origin, Access-Control-Request-Method"]);
    }

    #[test]
    fn owned_headers_apply_like_borrowed_ones() {
        let ours = HeaderValue::from_static("Origin");
        let origin = HeaderValue::from_static("https://a.com");
        let cred = HeaderValue::from_static("true");
        let rh = ResponseHeaders {
            allow_origin: Some(&origin),
            allow_credentials: Some(&cred),
            vary: Some(&ours),
            ..Default::default()
        };
        let owned = rh.into_owned();
        assert_eq!(
            owned.iter().collect::<Vec<_>>(),
            rh.iter().collect::<Vec<_>>()
        );
        assert!(!owned.is_empty());
        assert!(ResponseHeaders::default().into_owned().is_empty());
        for start in [
            &[][..],
            &["accept-encoding"][..],
            &["*"][..],
            &["Origin"][..],
        ] {
            let mut a = HeaderMap::new();
            for l in start {
                a.append(VARY.clone(), HeaderValue::from_static(l));
            }
            a.insert(ACAO.clone(), HeaderValue::from_static("https://b.com"));
            let mut b = a.clone();
            rh.apply_to(&mut a);
            owned.clone().apply_to(&mut b);
            assert_eq!(a, b, "{start:?}");
        }
    }

    #[test]
    fn rejection_header_value_is_code_then_message() {
        let cases = [
            Rejection::OriginNotAllowed,
            Rejection::NullOrigin,
            Rejection::HeaderNotAllowed { name: "x-foo" },
            Rejection::MethodNotAllowed { method: "PATCH" },
            Rejection::RequestHeadersTooLong,
            Rejection::TooManyRequestHeaderLines,
        ];
        for r in cases {
            let v = r.header_value();
            assert_eq!(v.to_str().unwrap(), format!("{}: {r}", r.code()));
        }
        assert_eq!(REJECTION_HEADER.as_str(), "corsica-rejection");
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

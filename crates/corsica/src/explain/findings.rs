//! What is worth fixing in a server's answers besides the browser's
//! verdict: an error answered without CORS headers, no handler for
//! preflights, a per-origin `Access-Control-Allow-Origin` without
//! `Vary: Origin`, headers a script cannot read, origins allowed that
//! should not be.
//!
//! The faces that see real answers (`corsica check`, `corsica har`) call
//! these rules; none of them restates one.
//!
//! ```
//! use corsica::explain::{response_findings, Finding};
//! use corsica::fetch::ResponseHead;
//!
//! let head = ResponseHead::new(500);
//! assert_eq!(
//!     response_findings(false, &head),
//!     [Finding::ErrorWithoutCors { status: 500, preflight: false }]
//! );
//! ```

use std::fmt;

use crate::fetch::{Readable, ResponseHead, ResponseType};
use crate::headers;

/// Something to fix in a server's answers.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Finding {
    /// Occurs when an answer with an error status (4xx or 5xx) carries no
    /// `Access-Control-Allow-Origin`: the page sees a CORS error instead of
    /// the server's error.
    ErrorWithoutCors {
        /// The status.
        status: u16,
        /// Whether it answered the preflight.
        preflight: bool,
    },
    /// Occurs when the preflight is answered 404, 405 or 501: nothing at
    /// the URL answers `OPTIONS`.
    NoPreflightHandler {
        /// The status.
        status: u16,
    },
    /// Occurs when `Access-Control-Allow-Origin` depends on the request's
    /// `Origin` but `Vary` does not name `Origin`: a cache may serve the
    /// answer to another origin.
    VaryMissingOrigin {
        /// The `Access-Control-Allow-Origin` value.
        allow_origin: String,
    },
    /// Occurs when a readable response carries headers the script cannot
    /// read (not safelisted, not in `Access-Control-Expose-Headers`).
    NotExposed {
        /// The names, lowercase and sorted.
        names: Vec<String>,
    },
    /// Occurs when the server lets a page on an origin it should not trust
    /// read its answer (found by asking again from that origin).
    AllowsOrigin {
        /// The origin the answer was allowed for.
        origin: String,
        /// What kind of origin it is.
        kind: OtherOrigin,
        /// Whether credentials were included (and allowed).
        credentials: bool,
    },
}

/// An origin a check asks from, besides the page's own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum OtherOrigin {
    /// An origin nobody configures (`https://corsica-probe.invalid`): a
    /// server that allows it allows every origin.
    Arbitrary,
    /// The page's host with a domain appended
    /// (`https://app.example.com.corsica-probe.invalid`): an origin match
    /// not anchored at its end.
    SuffixLookalike,
    /// The page's registrable domain with a prefix
    /// (`https://corsica-probe-example.com`): an origin match not anchored
    /// at its start, or an `endsWith` without the dot.
    PrefixLookalike,
    /// `null`: sandboxed iframes, `file:` pages and some redirects send it,
    /// and anyone can make a page that does.
    Null,
}

impl Finding {
    /// A stable identifier (`error-without-cors`, ...).
    pub fn code(&self) -> &'static str {
        match self {
            Finding::ErrorWithoutCors { .. } => "error-without-cors",
            Finding::NoPreflightHandler { .. } => "no-preflight-handler",
            Finding::VaryMissingOrigin { .. } => "vary-missing-origin",
            Finding::NotExposed { .. } => "not-exposed",
            Finding::AllowsOrigin { kind, .. } => match kind {
                OtherOrigin::Arbitrary => "allows-any-origin",
                OtherOrigin::SuffixLookalike | OtherOrigin::PrefixLookalike => {
                    "allows-lookalike-origin"
                }
                OtherOrigin::Null => "allows-null-origin",
            },
        }
    }

    /// Whether it lets other sites read what they should not (rather than
    /// breaking the page or its caches).
    pub fn is_security(&self) -> bool {
        matches!(self, Finding::AllowsOrigin { .. })
    }
}

impl fmt::Display for Finding {
    /// What is wrong and what to do, in plain words.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Finding::ErrorWithoutCors { status, preflight } => {
                let what = if *preflight {
                    "the preflight"
                } else {
                    "the request"
                };
                write!(
                    f,
                    "the server failed: it answered {what} with {status} and no CORS headers, \
                     so the page sees a CORS error instead of the error; fix that error first, \
                     and add CORS headers to error responses (in nginx, `add_header ... \
                     always`; elsewhere, the CORS layer before the error handler)"
                )
            }
            Finding::NoPreflightHandler { status } => write!(
                f,
                "the preflight was answered {status}: nothing at this URL answers OPTIONS; \
                 let the CORS layer answer preflights before routing and authentication \
                 (or add an OPTIONS route that answers 204 with the CORS headers)"
            ),
            Finding::VaryMissingOrigin { allow_origin } => write!(
                f,
                "`Access-Control-Allow-Origin: {allow_origin}` depends on the request's Origin \
                 but `Vary` does not name Origin: a browser or CDN cache can serve this answer \
                 to a page on another origin, which the browser then blocks; send \
                 `Vary: Origin` on every answer, allowed or not"
            ),
            Finding::NotExposed { names } => write!(
                f,
                "the response carries {} that the script cannot read; list the ones it needs \
                 in `Access-Control-Expose-Headers` (policy: expose_headers = [{}])",
                names.join(", "),
                names
                    .iter()
                    .map(|n| format!("\"{n}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Finding::AllowsOrigin {
                origin,
                kind,
                credentials,
            } => {
                let why = match kind {
                    OtherOrigin::Arbitrary => {
                        "an origin made up for this check: the server allows (or reflects) \
                         any Origin"
                    }
                    OtherOrigin::SuffixLookalike => {
                        "a lookalike of the page's origin with a domain appended: the origin \
                         match is not anchored at its end (a regex without `$`, a \
                         `startsWith`)"
                    }
                    OtherOrigin::PrefixLookalike => {
                        "a lookalike of the page's domain with a prefix: the origin match is \
                         not anchored at its start (a regex without `^`, an `endsWith` \
                         without the dot)"
                    }
                    OtherOrigin::Null => {
                        "the origin of sandboxed iframes and `file:` pages, which any site \
                         can make a page send"
                    }
                };
                let risk = if *credentials {
                    "with credentials: a page there can read your users' data"
                } else {
                    "a page there can read these answers"
                };
                write!(
                    f,
                    "the server allowed {origin}, {why}; {risk}; list the allowed origins \
                     exactly (a corsica policy does, and `corsica export` writes it for your \
                     stack)"
                )
            }
        }
    }
}

/// The findings one answer shows by itself: an error without CORS headers
/// (on the request, or a 5xx on the preflight), or a preflight no handler
/// answered.
pub fn response_findings(preflight: bool, head: &ResponseHead<'_>) -> Vec<Finding> {
    let status = head.status();
    let has_acao = head.get("access-control-allow-origin").is_some();
    let mut out = Vec::new();
    if preflight && matches!(status, 404 | 405 | 501) {
        out.push(Finding::NoPreflightHandler { status });
    } else if status >= 400 && !has_acao && (!preflight || status >= 500) {
        // A 4xx on a preflight is how servers reject one (corsica answers
        // 403): the browser's verdict says enough.
        out.push(Finding::ErrorWithoutCors { status, preflight });
    }
    out
}

/// Whether an answer's `Access-Control-Allow-Origin` depends on the
/// request's origin: it names an origin (not `*`) and either `other`, the
/// answer to the same request from another origin, says something else, or
/// without `other` the value is the request's own origin echoed.
///
/// <https://fetch.spec.whatwg.org/#cors-protocol-and-http-caches>
pub fn is_per_origin(
    head: &ResponseHead<'_>,
    request_origin: &str,
    other: Option<&ResponseHead<'_>>,
) -> bool {
    let Some(acao) = head.get("access-control-allow-origin") else {
        return false;
    };
    if acao == "*" {
        return false;
    }
    match other {
        Some(other) => other.get("access-control-allow-origin") != Some(acao),
        None => acao == request_origin,
    }
}

/// Whether `Vary` names `Origin` (or is `*`).
pub fn varies_on_origin(head: &ResponseHead<'_>) -> bool {
    head.get("vary").is_some_and(|v| {
        v.split(',')
            .map(headers::trim_tab_or_space)
            .any(|t| t == "*" || t.eq_ignore_ascii_case("origin"))
    })
}

/// The `Vary` finding for an answer to a request (preflight answers are
/// not stored by HTTP caches): see [`is_per_origin`] for `other`.
pub fn vary_finding(
    preflight: bool,
    head: &ResponseHead<'_>,
    request_origin: &str,
    other: Option<&ResponseHead<'_>>,
) -> Option<Finding> {
    if preflight || !is_per_origin(head, request_origin, other) || varies_on_origin(head) {
        return None;
    }
    Some(Finding::VaryMissingOrigin {
        allow_origin: head
            .get("access-control-allow-origin")
            .unwrap_or_default()
            .into_owned(),
    })
}

/// Response headers a script rarely reads: transport, caching-proxy and
/// security-policy headers the browser itself acts on.
const BROWSER_ONLY: &[&str] = &[
    "accept-ranges",
    "age",
    "alt-svc",
    "connection",
    "content-encoding",
    "content-security-policy",
    "content-security-policy-report-only",
    "cross-origin-embedder-policy",
    "cross-origin-opener-policy",
    "cross-origin-resource-policy",
    "date",
    "keep-alive",
    "nel",
    "permissions-policy",
    "proxy-connection",
    "referrer-policy",
    "report-to",
    "reporting-endpoints",
    "server",
    "server-timing",
    "strict-transport-security",
    "timing-allow-origin",
    "transfer-encoding",
    "vary",
    "via",
    "x-content-type-options",
    "x-frame-options",
    "x-powered-by",
    "x-xss-protection",
];

/// The headers of a readable CORS response the script cannot read and
/// might want: not safelisted, not exposed, not `Set-Cookie` (never
/// readable), not a CORS header, not one the browser alone acts on.
pub fn not_exposed(head: &ResponseHead<'_>, readable: &Readable) -> Option<Finding> {
    if readable.response_type != ResponseType::Cors {
        return None;
    }
    let mut names: Vec<String> = head
        .iter()
        .map(|(n, _)| n.to_ascii_lowercase())
        .filter(|n| {
            !headers::is_forbidden_response_header_name(n)
                && !n.starts_with("access-control-")
                && !BROWSER_ONLY.contains(&n.as_str())
                && !readable.exposed.iter().any(|e| e == n)
        })
        .collect();
    names.sort_unstable();
    names.dedup();
    (!names.is_empty()).then_some(Finding::NotExposed { names })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(status: u16, pairs: &[(&str, &str)]) -> ResponseHead<'static> {
        let mut h = ResponseHead::new(status);
        for (n, v) in pairs {
            h.push(n.to_string(), v.to_string());
        }
        h
    }

    #[test]
    fn errors_and_missing_handlers() {
        assert_eq!(
            response_findings(false, &head(502, &[])),
            [Finding::ErrorWithoutCors {
                status: 502,
                preflight: false
            }]
        );
        assert!(
            response_findings(false, &head(500, &[("Access-Control-Allow-Origin", "*")]))
                .is_empty()
        );
        assert!(response_findings(false, &head(200, &[])).is_empty());
        assert_eq!(
            response_findings(true, &head(405, &[])),
            [Finding::NoPreflightHandler { status: 405 }]
        );
        // A rejected preflight is the browser's verdict, not a failure.
        assert!(response_findings(true, &head(403, &[])).is_empty());
        assert_eq!(
            response_findings(true, &head(503, &[]))[0].code(),
            "error-without-cors"
        );
    }

    #[test]
    fn vary_is_needed_only_for_per_origin_answers() {
        let echo = head(200, &[("Access-Control-Allow-Origin", "https://a.example")]);
        assert!(vary_finding(false, &echo, "https://a.example", None).is_some());
        assert!(vary_finding(true, &echo, "https://a.example", None).is_none());
        // A static origin, the same for everyone: no Vary needed.
        assert!(vary_finding(false, &echo, "https://b.example", None).is_none());
        assert!(vary_finding(false, &echo, "https://b.example", Some(&head(200, &[]))).is_some());
        assert!(vary_finding(false, &echo, "https://a.example", Some(&echo)).is_none());
        let star = head(200, &[("Access-Control-Allow-Origin", "*")]);
        assert!(vary_finding(false, &star, "https://a.example", None).is_none());
        for vary in ["Origin", "accept-encoding, ORIGIN", "*"] {
            let mut h = echo.clone();
            h.push("Vary", vary);
            assert!(
                vary_finding(false, &h, "https://a.example", None).is_none(),
                "{vary}"
            );
        }
        let mut h = echo.clone();
        h.push("Vary", "Origin-Agent");
        assert!(vary_finding(false, &h, "https://a.example", None).is_some());
    }

    #[test]
    fn unexposed_headers_are_named() {
        let h = head(
            200,
            &[
                ("Content-Type", "text/plain"),
                ("X-Request-Id", "1"),
                ("X-Total", "3"),
                ("Set-Cookie", "a=1"),
                ("Date", "x"),
                ("Access-Control-Allow-Origin", "*"),
            ],
        );
        let readable = Readable {
            response_type: ResponseType::Cors,
            status: 200,
            exposed: vec!["content-type".into(), "x-total".into()],
            url: String::new(),
            redirected: false,
        };
        assert_eq!(
            not_exposed(&h, &readable),
            Some(Finding::NotExposed {
                names: vec!["x-request-id".into()]
            })
        );
        let basic = Readable {
            response_type: ResponseType::Basic,
            ..readable
        };
        assert_eq!(not_exposed(&h, &basic), None);
    }

    #[test]
    fn messages_say_what_to_do() {
        let f = Finding::ErrorWithoutCors {
            status: 500,
            preflight: false,
        };
        assert!(f.to_string().starts_with("the server failed"));
        assert!(
            f.to_string()
                .contains("add CORS headers to error responses")
        );
        let f = Finding::AllowsOrigin {
            origin: "https://corsica-probe.invalid".into(),
            kind: OtherOrigin::Arbitrary,
            credentials: true,
        };
        assert_eq!(f.code(), "allows-any-origin");
        assert!(f.is_security());
        assert!(f.to_string().contains("your users' data"));
    }
}

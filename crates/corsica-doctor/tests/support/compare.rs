//! The one comparison of a live answer with what the policy decides.
//!
//! `corsica check` (a prober that behaves exactly like a browser) will
//! replace this: the tests call [`compare`] only, so swapping it is one
//! function.
//!
//! What is compared is what a browser reads, for the request sent:
//! - on a CORS request: `Access-Control-Allow-Origin`, exactly; and where
//!   the policy sends it, `Access-Control-Allow-Credentials` (without
//!   `Access-Control-Allow-Origin` a browser never reads it);
//! - on a preflight the server answers: the status class (2xx or not);
//!   on an allowed preflight, whether `Access-Control-Allow-Methods` and
//!   `-Allow-Headers` cover what was asked (for a request without
//!   credentials, and for a credentialed one when the policy allows
//!   credentials: `*` is a wildcard only in the former),
//!   `Access-Control-Max-Age`, and
//!   `Access-Control-Allow-Private-Network`;
//! - on an allowed actual request: the names in
//!   `Access-Control-Expose-Headers`;
//! - on every answer: `Vary` naming `Origin` wherever the policy's does.
//!
//! Not compared, because browsers never act on them: headers beyond these
//! (an `Access-Control-Allow-Credentials` next to no `-Allow-Origin`, an
//! `-Expose-Headers` on a preflight), the exact status code within a class,
//! the exact lists in `-Allow-Methods` and `-Allow-Headers` beyond what was
//! asked, extra `Vary` names, and CORS headers on an answer to a request
//! without `Origin`.

use corsica::Policy;
use corsica::headers;
use http::{HeaderMap, HeaderName, HeaderValue, Method};

use super::http::{Request, Response};

/// The differences between `got` and what `policy` decides for `request`,
/// one line each; empty when they agree.
pub fn compare(policy: &Policy, request: &Request, got: &Response) -> Vec<String> {
    let mut headers_in = HeaderMap::new();
    for (name, value) in &request.headers {
        headers_in.append(
            HeaderName::from_bytes(name.as_bytes()).expect("test header names are valid"),
            HeaderValue::from_str(value).expect("test header values are valid"),
        );
    }
    let method = Method::from_bytes(request.method.as_bytes()).expect("test methods are valid");
    let decision = policy.decide(&method, &headers_in);
    let want = decision.headers();
    let want_get = |name: &str| -> Option<String> {
        want.iter()
            .find(|(n, _)| n.as_str() == name)
            .map(|(_, v)| v.to_str().unwrap_or_default().to_owned())
    };
    let mut diffs = Vec::new();
    let mut differ = |what: &str, want: &dyn std::fmt::Debug, got: &dyn std::fmt::Debug| {
        diffs.push(format!("{what}: policy {want:?}, server {got:?}"));
    };

    if decision.is_cors() {
        let acao = want_get("access-control-allow-origin");
        let got_acao = got.get("access-control-allow-origin");
        if acao != got_acao {
            differ("Access-Control-Allow-Origin", &acao, &got_acao);
        }
        if acao.is_some() {
            let acac = want_get("access-control-allow-credentials");
            let got_acac = got.get("access-control-allow-credentials");
            if acac != got_acac {
                differ("Access-Control-Allow-Credentials", &acac, &got_acac);
            }
        }
    }

    if decision.is_preflight() {
        if let Some(status) = decision.status() {
            let (want_class, got_class) = (status.as_u16() / 100, got.status / 100);
            if want_class != got_class {
                differ("preflight status class", &status.as_u16(), &got.status);
            }
        }
        if decision.rejection().is_none() {
            let asked_method = request
                .header("access-control-request-method")
                .unwrap_or("");
            let asked_headers: Vec<String> = request
                .header("access-control-request-headers")
                .map(|v| {
                    v.split(',')
                        .map(|n| n.trim().to_ascii_lowercase())
                        .filter(|n| !n.is_empty())
                        .collect()
                })
                .unwrap_or_default();
            // A credentialed request can only pass when the policy sends
            // `Access-Control-Allow-Credentials: true`; browsers check that
            // before the methods and headers.
            let credentials =
                want_get("access-control-allow-credentials").as_deref() == Some("true");
            for include in [false, true] {
                if include && !credentials {
                    continue;
                }
                let mode = if include {
                    "with credentials"
                } else {
                    "without credentials"
                };
                let w = method_covered(
                    want_get("access-control-allow-methods"),
                    asked_method,
                    include,
                );
                let g = method_covered(
                    got.get("access-control-allow-methods"),
                    asked_method,
                    include,
                );
                if w != g {
                    differ(
                        &format!("Access-Control-Allow-Methods covers {asked_method} {mode}"),
                        &w,
                        &(g, got.get("access-control-allow-methods")),
                    );
                }
                let w = headers_covered(
                    want_get("access-control-allow-headers"),
                    &asked_headers,
                    include,
                );
                let g = headers_covered(
                    got.get("access-control-allow-headers"),
                    &asked_headers,
                    include,
                );
                if w != g {
                    differ(
                        &format!("Access-Control-Allow-Headers covers {asked_headers:?} {mode}"),
                        &w,
                        &(g, got.get("access-control-allow-headers")),
                    );
                }
            }
            for name in [
                "access-control-max-age",
                "access-control-allow-private-network",
            ] {
                let (w, g) = (want_get(name), got.get(name));
                if w != g {
                    differ(name, &w, &g);
                }
            }
        }
    } else if decision.is_allowed() {
        let names = |v: Option<String>| -> Vec<String> {
            let mut names: Vec<String> = v
                .unwrap_or_default()
                .split(',')
                .map(|n| n.trim().to_ascii_lowercase())
                .filter(|n| !n.is_empty())
                .collect();
            names.sort();
            names.dedup();
            names
        };
        let (w, g) = (
            names(want_get("access-control-expose-headers")),
            names(got.get("access-control-expose-headers")),
        );
        if w != g {
            differ("Access-Control-Expose-Headers", &w, &g);
        }
    }

    let names_origin = |v: &str| {
        v.split(',')
            .any(|n| n.trim().eq_ignore_ascii_case("origin"))
    };
    if want_get("vary").is_some_and(|v| names_origin(&v)) && !got.all("vary").any(names_origin) {
        differ("Vary names Origin", &want_get("vary"), &got.get("vary"));
    }
    diffs
}

/// Fetch: CORS-preflight fetch, step 7.5, on the answer's
/// `Access-Control-Allow-Methods`.
fn method_covered(value: Option<String>, method: &str, include: bool) -> bool {
    if headers::is_cors_safelisted_method(method) {
        return true;
    }
    let Some(value) = value else { return false };
    let Ok(methods) = headers::parse_token_list(&value) else {
        return false;
    };
    methods.contains(&method) || (!include && methods.contains(&"*"))
}

/// Fetch: CORS-preflight fetch, step 7.6, on the answer's
/// `Access-Control-Allow-Headers`.
fn headers_covered(value: Option<String>, asked: &[String], include: bool) -> bool {
    if asked.is_empty() {
        return true;
    }
    let Some(value) = value else { return false };
    let Ok(names) = headers::parse_token_list(&value) else {
        return false;
    };
    let listed = |n: &str| names.iter().any(|m| m.eq_ignore_ascii_case(n));
    let star = !include && names.contains(&"*");
    asked
        .iter()
        .all(|n| listed(n) || (star && !headers::is_cors_non_wildcard_request_header_name(n)))
}

//! The comparison of a live server with what the policy decides.
//!
//! [`check_against_policy`] is the one the tests use: `corsica check`
//! sends the script's request to the real server, and again to the policy
//! standing in for it (`corsica::simulate::answer_with_policy`) in front
//! of the same application: each transmit gets the real server's answer
//! with its CORS headers taken off (`Access-Control-*`, and `Origin` and
//! `Access-Control-Request-*` in `Vary`), and the policy's put on. Everything the browser concludes must be the same:
//! the outcome, the status and readable headers, the error and the console
//! message, the findings (`Vary`, errors without CORS headers, ...), and
//! what the probes from other origins got. (Not `vary` among the readable
//! headers: see [`conclusions`].)
//!
//! [`compare`] looks at raw answers, for what no browser sends and so
//! `check` cannot: a Private Network Access preflight, and a request
//! without `Origin` (whose `Vary` still matters to caches). It compares:
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

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::time::Duration;

use bytes::Bytes;
use corsica::Policy;
use corsica::fetch::{ResponseHead, Transmit};
use corsica::headers;
use corsica::simulate::answer_with_policy;
use corsica_doctor::check::{
    CheckRequest, HttpTransport, Report, Transport, TransportError, Verdict, check_with,
};
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

/// The real server's answers, kept for the stand-in: a transmit answered
/// once is not sent twice.
type Seen = Rc<RefCell<HashMap<String, ResponseHead<'static>>>>;

fn key(tx: &Transmit) -> String {
    let mut k = format!("{} {}", tx.method(), tx.url());
    for (n, v) in tx.headers() {
        k.push_str(&format!("\n{n}: {}", String::from_utf8_lossy(v)));
    }
    k
}

/// The network, remembering what it answered.
struct Recording {
    net: HttpTransport,
    seen: Seen,
}

impl Transport for Recording {
    async fn send(
        &mut self,
        tx: &Transmit,
        body: Option<&Bytes>,
    ) -> Result<ResponseHead<'static>, TransportError> {
        let head = self.net.send(tx, body).await?;
        self.seen.borrow_mut().insert(key(tx), head.clone());
        Ok(head)
    }
}

/// The policy in front of the real server's application: the real answer
/// without its CORS headers, with the policy's.
struct StandIn<'p> {
    policy: &'p Policy,
    net: HttpTransport,
    seen: Seen,
}

impl Transport for StandIn<'_> {
    async fn send(
        &mut self,
        tx: &Transmit,
        body: Option<&Bytes>,
    ) -> Result<ResponseHead<'static>, TransportError> {
        let known = self.seen.borrow().get(&key(tx)).cloned();
        let real = match known {
            Some(head) => head,
            None => self.net.send(tx, body).await?,
        };
        // The application's answer: the real one without what a CORS
        // layer adds (`Access-Control-*`, and the names it adds to `Vary`).
        let mut app = ResponseHead::new(real.status());
        for (n, v) in real.iter() {
            let lower = n.to_ascii_lowercase();
            if lower.starts_with("access-control-") {
                continue;
            }
            if lower == "vary" {
                let kept: Vec<&str> = v
                    .split(',')
                    .map(str::trim)
                    .filter(|t| {
                        !t.is_empty()
                            && !t.eq_ignore_ascii_case("origin")
                            && !t
                                .to_ascii_lowercase()
                                .starts_with("access-control-request-")
                    })
                    .collect();
                if !kept.is_empty() {
                    app.push(n.to_owned(), kept.join(", "));
                }
                continue;
            }
            app.push(n.to_owned(), v.to_owned());
        }
        Ok(answer_with_policy(self.policy, tx, &app))
    }
}

/// What a browser concludes, in one line per part, for comparison.
fn conclusions(r: &Report) -> Vec<String> {
    let v = &r.verdict;
    // `vary` is readable with `expose_headers = ["*"]`: a stack that sends
    // `Vary: Origin` where the policy needs none (django-cors-headers and
    // Starlette do, with `*`) differs there, harmlessly (it only splits
    // caches).
    let (status, exposed) = match v {
        Verdict::Allowed(a) => (
            Some(a.status),
            a.exposed
                .iter()
                .filter(|n| *n != "vary")
                .cloned()
                .collect::<Vec<_>>(),
        ),
        _ => (None, Vec::new()),
    };
    let mut out = vec![
        format!("outcome {:?}", v.outcome()),
        format!("preflight {}", r.preflighted()),
        format!("status {status:?}"),
        format!("exposed {exposed:?}"),
        format!("error {:?}", v.error_code()),
        format!("message {:?}", v.message()),
        format!(
            "findings {:?}",
            r.findings.iter().map(|f| f.to_string()).collect::<Vec<_>>()
        ),
    ];
    for p in &r.probes {
        out.push(format!("probe {} allowed {}", p.origin, p.allowed));
    }
    out
}

fn timeline(r: &Report) -> String {
    let mut s = String::new();
    for e in &r.exchanges {
        s.push_str(&format!("      > {} {}\n", e.method, e.url));
        for (n, v) in &e.sent {
            let l = n.to_ascii_lowercase();
            if l == "origin" || l.starts_with("access-control-") {
                s.push_str(&format!("      >   {n}: {v}\n"));
            }
        }
        match &e.answer {
            Ok(h) => {
                s.push_str(&format!("      < {}\n", h.status()));
                for (n, v) in h.iter() {
                    let l = n.to_ascii_lowercase();
                    if l.starts_with("access-control-") || l == "vary" {
                        s.push_str(&format!("      <   {n}: {v}\n"));
                    }
                }
            }
            Err(err) => s.push_str(&format!("      < {err}\n")),
        }
    }
    s
}

/// Checks `request` against the server at `addr` and against `policy`
/// standing in for it; the parts of what the browser concludes that
/// differ, one line each (empty when they agree).
pub fn check_against_policy(
    rt: &tokio::runtime::Runtime,
    policy: &Policy,
    request: &CheckRequest,
) -> Vec<String> {
    let seen: Seen = Rc::default();
    let timeout = Duration::from_secs(20);
    let mut real = Recording {
        net: HttpTransport::new(timeout, false),
        seen: seen.clone(),
    };
    let mut standin = StandIn {
        policy,
        net: HttpTransport::new(timeout, false),
        seen,
    };
    let (got, want) = rt.block_on(async {
        let got = check_with(request, &mut real).await;
        let want = check_with(request, &mut standin).await;
        (got, want)
    });
    let (got, want) = (got.expect("a valid check"), want.expect("a valid check"));
    let (g, w) = (conclusions(&got), conclusions(&want));
    let mut diffs = Vec::new();
    for (a, b) in g.iter().zip(&w) {
        if a != b {
            diffs.push(format!("server: {a}\n    policy: {b}"));
        }
    }
    if g.len() != w.len() {
        diffs.push(format!("probes: server {g:?}, policy {w:?}"));
    }
    if !diffs.is_empty() {
        diffs.push(format!(
            "the server's exchanges:\n{}    the policy's:\n{}",
            timeline(&got),
            timeline(&want)
        ));
    }
    diffs
}

/// A check of `request`, against the server only.
pub fn check(rt: &tokio::runtime::Runtime, request: &CheckRequest) -> Report {
    let mut net = HttpTransport::new(Duration::from_secs(20), false);
    rt.block_on(check_with(request, &mut net))
        .expect("a valid check")
}

/// A runtime for checks.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

//! `corsica check`: send a live endpoint exactly what a browser would, and
//! say what the browser does with the answers.
//!
//! The browser is the engine's: [`corsica::fetch::Fetch`] decides whether a
//! preflight goes first, writes every request byte for byte, follows
//! redirects, and judges each answer. This module only moves bytes (through
//! a [`Transport`]: the network, or anything standing in for a server) and
//! gathers what the engine says: the [`Verdict`], the [`Finding`]s about
//! the answers, and, when the answers name one origin, what a few other
//! origins are let read (probes).
//!
//! ```no_run
//! use std::time::Duration;
//! use corsica_doctor::check::{check, CheckRequest};
//!
//! let mut request = CheckRequest::new("https://api.example.com/items", "https://app.example.com");
//! request.method = "PUT".into();
//! request.headers.push(("Content-Type".into(), "application/json".into()));
//! let report = check(&request, Duration::from_secs(10), false)?;
//! println!("{:?}", report.verdict.error_code());
//! # Ok::<(), corsica_doctor::check::CheckError>(())
//! ```

mod transport;

use std::time::{Duration, Instant};

use bytes::Bytes;
use corsica::Origin;
use corsica::explain::{self, Finding, OtherOrigin};
use corsica::fetch::{
    Blocked, Body, Browser, BrowserState, Credentials, Fetch, Outcome, Page, Readable, Request,
    ResponseHead, ResponseType, TransmitKind,
};
use corsica::policy::{Policy, PolicyConfig};
use corsica::simulate::CaseOutcome;
use serde_json::{Value, json};

use crate::export::{ExportOptions, Stack, export};

pub use transport::{HttpTransport, Transport, TransportError};

/// What to check: the URL, the page's origin, and the request its script
/// makes, in one browser.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckRequest {
    /// The URL the script fetches (absolute, http or https).
    pub url: String,
    /// The page's origin (`https://app.example.com`), or `null`.
    pub origin: String,
    /// The method as the script writes it (`patch` stays `patch`).
    pub method: String,
    /// The headers the script sets, in order.
    pub headers: Vec<(String, String)>,
    /// Whether the script sends credentials (`credentials: "include"`).
    pub credentials: bool,
    /// The body the script sends, if any (a string: `text/plain` unless a
    /// `Content-Type` header says otherwise).
    pub body: Option<String>,
    /// The browser to behave as.
    pub browser: Browser,
    /// Whether to ask again from other origins (an arbitrary one,
    /// lookalikes, `null`) when an answer names the page's origin.
    pub probes: bool,
}

impl CheckRequest {
    /// A `GET` of `url` from a page on `origin`, in Chrome, with probes.
    pub fn new(url: impl Into<String>, origin: impl Into<String>) -> CheckRequest {
        CheckRequest {
            url: url.into(),
            origin: origin.into(),
            method: "GET".to_owned(),
            headers: Vec::new(),
            credentials: false,
            body: None,
            browser: Browser::Chrome,
            probes: true,
        }
    }

    /// The script's request, for the engine.
    pub fn fetch_request(&self) -> Request {
        let mut request = Request::new(self.method.clone(), self.url.clone())
            .headers(self.headers.clone())
            .credentials(if self.credentials {
                Credentials::Include
            } else {
                Credentials::SameOrigin
            });
        if let Some(body) = &self.body {
            request = request.body(Body::text(body));
        }
        request
    }
}

/// Why nothing was checked: the input is not usable.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CheckError {
    /// Occurs when the page's origin is not an origin.
    #[error(
        "origin {value:?} is not an origin ({detail}); write it like https://app.example.com \
         (scheme, host and port, no path), or null"
    )]
    InvalidOrigin {
        /// The origin given.
        value: String,
        /// What is wrong.
        detail: String,
    },
    /// Occurs when the URL is not an absolute http(s) URL.
    #[error("{value:?} is not an absolute http(s) URL; write it like https://api.example.com/path")]
    InvalidUrl {
        /// The URL given.
        value: String,
    },
    /// Occurs when the async runtime cannot start.
    #[error("cannot start the network runtime: {0}")]
    Runtime(String),
}

/// One request that went out, and its answer.
#[derive(Clone, Debug)]
pub struct Exchange {
    /// The preflight, or the request (or one of its redirect hops).
    pub kind: TransmitKind,
    /// The method.
    pub method: String,
    /// The URL.
    pub url: String,
    /// Every header sent, in order (values as text, one character per
    /// byte).
    pub sent: Vec<(String, String)>,
    /// The answer's head, or why there was none.
    pub answer: Result<ResponseHead<'static>, TransportError>,
    /// How long the answer took.
    pub elapsed: Duration,
}

impl Exchange {
    /// Whether this was the preflight.
    pub fn is_preflight(&self) -> bool {
        self.kind == TransmitKind::Preflight
    }

    /// The answer's status, when there was one.
    pub fn status(&self) -> Option<u16> {
        self.answer.as_ref().ok().map(ResponseHead::status)
    }
}

/// What the browser does with the answers.
#[derive(Clone, Debug)]
pub enum Verdict {
    /// The script can read the response.
    Allowed(Readable),
    /// The browser blocks it (or `fetch()` threw before sending anything).
    Blocked(Blocked),
    /// A request got no answer (DNS, connection, TLS, timeout): nothing
    /// about CORS was learned. `blocked` is what the browser shows.
    Unreachable {
        /// Why there was no answer.
        error: TransportError,
        /// The failure as the browser reports it.
        blocked: Blocked,
    },
}

impl Verdict {
    /// The outcome in `corsica simulate`'s terms.
    pub fn outcome(&self) -> CaseOutcome {
        match self {
            Verdict::Allowed(r)
                if matches!(
                    r.response_type,
                    ResponseType::Opaque | ResponseType::OpaqueRedirect
                ) =>
            {
                CaseOutcome::Opaque
            }
            Verdict::Allowed(_) => CaseOutcome::Ok,
            Verdict::Blocked(_) | Verdict::Unreachable { .. } => CaseOutcome::Blocked,
        }
    }

    /// The failure, when the fetch failed.
    pub fn blocked(&self) -> Option<&Blocked> {
        match self {
            Verdict::Allowed(_) => None,
            Verdict::Blocked(b) | Verdict::Unreachable { blocked: b, .. } => Some(b),
        }
    }

    /// The browser's error name, as `corsica simulate` writes it.
    pub fn error_code(&self) -> Option<&'static str> {
        self.blocked().and_then(Blocked::error_code)
    }

    /// The browser's console message, as `corsica simulate` writes it.
    pub fn message(&self) -> Option<String> {
        self.blocked().and_then(Blocked::console_message)
    }

    /// The exit status: 0 allowed, 1 blocked, 2 could not check.
    pub fn exit_code(&self) -> u8 {
        match self {
            Verdict::Allowed(_) => 0,
            Verdict::Blocked(_) => 1,
            Verdict::Unreachable { .. } => 2,
        }
    }
}

/// The same request from another origin.
#[derive(Clone, Debug)]
pub struct Probe {
    /// What kind of origin.
    pub kind: OtherOrigin,
    /// The origin asked from.
    pub origin: String,
    /// Whether the browser let the page read the answer.
    pub allowed: bool,
    /// What went out and came back.
    pub exchanges: Vec<Exchange>,
}

/// Everything a check found.
#[derive(Clone, Debug)]
pub struct Report {
    /// What was checked.
    pub request: CheckRequest,
    /// The exchanges, in order: the preflight if any, the request, its
    /// redirect hops.
    pub exchanges: Vec<Exchange>,
    /// What the browser does.
    pub verdict: Verdict,
    /// What else to fix.
    pub findings: Vec<Finding>,
    /// The same request from other origins.
    pub probes: Vec<Probe>,
}

/// The page a check behaves as: `origin`'s root.
fn page_for(origin: &str) -> Result<Page, CheckError> {
    if origin == "null" {
        return Ok(Page::with_origin(Origin::new_opaque(), "null"));
    }
    let parsed = Origin::parse(origin).map_err(|e| CheckError::InvalidOrigin {
        value: origin.to_owned(),
        detail: e.to_string(),
    })?;
    let serialized = parsed.serialize();
    Page::new(&format!("{serialized}/")).map_err(|e| CheckError::InvalidOrigin {
        value: origin.to_owned(),
        detail: e.to_string(),
    })
}

/// Checks `request` over the network: a current-thread runtime, each
/// request given `timeout`, any certificate accepted with `insecure`.
pub fn check(
    request: &CheckRequest,
    timeout: Duration,
    insecure: bool,
) -> Result<Report, CheckError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CheckError::Runtime(e.to_string()))?;
    let mut transport = HttpTransport::new(timeout, insecure);
    runtime.block_on(check_with(request, &mut transport))
}

/// What one fetch did.
struct Driven {
    exchanges: Vec<Exchange>,
    outcome: Outcome,
    unreachable: Option<TransportError>,
}

/// The most requests one fetch may send (the engine stops redirects at
/// 20; a preflight per hop doubles that).
const MAX_EXCHANGES: usize = 48;

/// Drives one fetch of `request` from `page` through `transport`.
async fn drive<T: Transport>(
    page: &Page,
    request: &Request,
    browser: Browser,
    body: Option<&Bytes>,
    transport: &mut T,
) -> Driven {
    let start = Instant::now();
    let mut state = BrowserState::new(browser);
    let mut fetch = Fetch::new(page, request);
    let mut exchanges = Vec::new();
    let mut unreachable = None;
    while let Some(tx) = fetch.poll_transmit(&mut state, start.elapsed()) {
        if exchanges.len() >= MAX_EXCHANGES {
            break;
        }
        let sent_at = Instant::now();
        let answer = transport.send(&tx, body).await;
        let now = start.elapsed();
        match &answer {
            Ok(head) => fetch.handle_response(&mut state, now, head),
            Err(e) => {
                fetch.handle_error(&mut state, now);
                unreachable = Some(e.clone());
            }
        }
        exchanges.push(Exchange {
            kind: tx.kind(),
            method: tx.method().to_string(),
            url: tx.url().to_string(),
            sent: tx
                .headers()
                .map(|(n, v)| {
                    (
                        n.to_owned(),
                        corsica::headers::isomorphic_decode(v).into_owned(),
                    )
                })
                .collect(),
            answer,
            elapsed: sent_at.elapsed(),
        });
    }
    Driven {
        exchanges,
        outcome: fetch.finish(),
        unreachable,
    }
}

/// Checks `request` through `transport` (the network, or a stand-in).
pub async fn check_with<T: Transport>(
    request: &CheckRequest,
    transport: &mut T,
) -> Result<Report, CheckError> {
    let page = page_for(&request.origin)?;
    match url::Url::parse(&request.url) {
        Ok(u) if matches!(u.scheme(), "http" | "https") => {}
        _ => {
            return Err(CheckError::InvalidUrl {
                value: request.url.clone(),
            });
        }
    }
    let fetch_request = request.fetch_request();
    let body = request.body.as_ref().map(|b| Bytes::from(b.clone()));
    let driven = drive(
        &page,
        &fetch_request,
        request.browser,
        body.as_ref(),
        transport,
    )
    .await;

    let verdict = match (driven.outcome, driven.unreachable) {
        (Outcome::Readable(r), _) => Verdict::Allowed(r),
        (Outcome::Blocked(b), Some(error)) => Verdict::Unreachable { error, blocked: b },
        (Outcome::Blocked(b), None) => Verdict::Blocked(b),
    };

    // Other origins, when an answer names one.
    let names_an_origin = driven.exchanges.iter().any(|e| {
        e.answer.as_ref().ok().is_some_and(|h| {
            h.get("access-control-allow-origin")
                .is_some_and(|v| v.trim() != "*")
        })
    });
    let mut probes = Vec::new();
    if request.probes && names_an_origin {
        for (kind, origin) in probe_origins(page.origin()) {
            let Ok(probe_page) = page_for(&origin) else {
                continue;
            };
            let d = drive(
                &probe_page,
                &fetch_request,
                request.browser,
                body.as_ref(),
                transport,
            )
            .await;
            probes.push(Probe {
                kind,
                origin,
                allowed: matches!(d.outcome, Outcome::Readable(_)),
                exchanges: d.exchanges,
            });
        }
    }

    let findings = findings(
        request,
        page.origin_str(),
        &driven.exchanges,
        &verdict,
        &probes,
    );
    Ok(Report {
        request: request.clone(),
        exchanges: driven.exchanges,
        verdict,
        findings,
        probes,
    })
}

/// The origins a probe asks from: one nobody configures, the page's host
/// with a domain appended, its registrable domain with a prefix, and
/// `null`. Names under `.invalid`, which can never be registered, where
/// possible.
fn probe_origins(page: &Origin) -> Vec<(OtherOrigin, String)> {
    let (Some(scheme), Some(host)) = (page.scheme(), page.host()) else {
        return Vec::new();
    };
    let host = host.to_string();
    let port = page.port().map(|p| format!(":{p}")).unwrap_or_default();
    let mut out = vec![(
        OtherOrigin::Arbitrary,
        format!("{scheme}://corsica-probe.invalid{port}"),
    )];
    if !host.starts_with('[') {
        out.push((
            OtherOrigin::SuffixLookalike,
            format!("{scheme}://{host}.corsica-probe.invalid{port}"),
        ));
        let domain = page.registrable_domain().unwrap_or(&host).to_owned();
        out.push((
            OtherOrigin::PrefixLookalike,
            format!("{scheme}://corsica-probe-{domain}{port}"),
        ));
    }
    out.push((OtherOrigin::Null, "null".to_owned()));
    out
}

/// The findings of a check: each answer's own, `Vary`, unexposed headers,
/// and the probes that got through.
fn findings(
    request: &CheckRequest,
    origin: &str,
    exchanges: &[Exchange],
    verdict: &Verdict,
    probes: &[Probe],
) -> Vec<Finding> {
    let mut out: Vec<Finding> = Vec::new();
    let mut push = |f: Finding| {
        if !out.contains(&f) {
            out.push(f);
        }
    };
    for e in exchanges {
        if let Ok(head) = &e.answer {
            for f in explain::response_findings(e.is_preflight(), head) {
                push(f);
            }
        }
    }
    // The last answer to the request itself, and the same from the
    // arbitrary origin, to tell a per-origin answer from a static one.
    let last = |xs: &[Exchange]| {
        xs.iter()
            .rev()
            .find(|e| !e.is_preflight())
            .and_then(|e| e.answer.as_ref().ok())
            .cloned()
    };
    if let Some(head) = last(exchanges) {
        let other = probes
            .iter()
            .find(|p| p.kind == OtherOrigin::Arbitrary)
            .and_then(|p| last(&p.exchanges));
        if let Some(f) = explain::vary_finding(false, &head, origin, other.as_ref()) {
            push(f);
        }
        if let Verdict::Allowed(readable) = verdict
            && let Some(f) = explain::not_exposed(&head, readable)
        {
            push(f);
        }
    }
    let arbitrary = probes
        .iter()
        .any(|p| p.kind == OtherOrigin::Arbitrary && p.allowed);
    for p in probes.iter().filter(|p| p.allowed) {
        // Without credentials, letting any origin read is what a public
        // API does; a lookalike or `null` let in while a stranger is not
        // shows a broken origin match either way.
        let report = match p.kind {
            OtherOrigin::Arbitrary => request.credentials,
            _ => !arbitrary || request.credentials,
        };
        if report {
            push(Finding::AllowsOrigin {
                origin: p.origin.clone(),
                kind: p.kind,
                credentials: request.credentials,
            });
        }
    }
    out
}

/// How to say the fix in a stack: the policy that lets the request
/// through, and `corsica export`'s configuration for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StackFix {
    /// The stack.
    pub stack: Stack,
    /// The policy (TOML), or why no policy can allow the request.
    pub policy: Result<String, String>,
    /// The stack's configuration, or why it cannot be written.
    pub config: Result<String, String>,
}

impl Report {
    /// Whether a preflight went out.
    pub fn preflighted(&self) -> bool {
        self.exchanges.iter().any(Exchange::is_preflight)
    }

    /// The response headers the page cannot read (a `not-exposed`
    /// finding).
    fn unexposed(&self) -> Vec<String> {
        self.findings
            .iter()
            .find_map(|f| match f {
                Finding::NotExposed { names } => Some(names.clone()),
                _ => None,
            })
            .unwrap_or_default()
    }

    /// The smallest policy that lets this request through (and exposes
    /// the headers found unexposed), validated.
    pub fn allowing_policy(&self) -> Result<PolicyConfig, String> {
        let origin = if self.request.origin == "null" {
            Origin::new_opaque()
        } else {
            Origin::parse(&self.request.origin).map_err(|e| e.to_string())?
        };
        let config = explain::policy_allowing(
            &origin,
            &self.request.fetch_request(),
            self.request.browser,
            &self.unexposed(),
        )
        .ok_or_else(|| {
            if origin.is_opaque() {
                "no policy should allow the origin null: sandboxed iframes, file: pages and \
                 cross-origin redirects send it, and any site can; serve the page from a real \
                 origin, or call the final URL directly"
                    .to_owned()
            } else {
                "fetch() throws on this request before sending it: fix the script".to_owned()
            }
        })?;
        if let Err(errors) = Policy::new(&config) {
            return Err(format!(
                "corsica refuses the policy that would allow it: {}",
                errors
                    .errors
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; ")
            ));
        }
        Ok(config)
    }

    /// Whether there is something to fix: a block, or a finding.
    pub fn needs_fix(&self) -> bool {
        !matches!(self.verdict, Verdict::Allowed(_)) || !self.findings.is_empty()
    }

    /// The fix said in `stack`: the allowing policy, exported.
    pub fn stack_fix(&self, stack: Stack) -> StackFix {
        let config = self.allowing_policy();
        let policy = config.as_ref().map(policy_toml).map_err(Clone::clone);
        let exported = match &config {
            Ok(c) => match Policy::new(c) {
                Ok(p) => export(&p, stack, &ExportOptions::default()).map_err(|e| e.to_string()),
                Err(e) => Err(e.to_string()),
            },
            Err(e) => Err(e.clone()),
        };
        StackFix {
            stack,
            policy,
            config: exported,
        }
    }

    /// The report as JSON: `exchanges`, the `verdict` (with the `outcome`,
    /// `error` and `message` of `corsica simulate`'s answers), `findings`,
    /// `probes`, and with `stack` the fix said in it.
    pub fn to_json(&self, stack: Option<Stack>) -> Value {
        let verdict = &self.verdict;
        let (status, exposed) = match verdict {
            Verdict::Allowed(r) => (Some(r.status), r.exposed.clone()),
            _ => (None, Vec::new()),
        };
        let fix = verdict.blocked().map(|b| {
            let f = b.fix();
            json!({
                "header": f.header.map(|(n, v)| [n.to_owned(), v]),
                "also": f.also.iter().map(|(n, v)| [(*n).to_owned(), v.clone()]).collect::<Vec<_>>(),
                "policy": f.policy,
                "summary": f.summary,
            })
        });
        let mut out = json!({
            "url": self.request.url,
            "origin": self.request.origin,
            "browser": self.request.browser,
            "request": {
                "method": self.request.method,
                "headers": self.request.headers,
                "credentials": self.request.credentials,
                "body": self.request.body.is_some(),
            },
            "exchanges": self.exchanges.iter().map(exchange_json).collect::<Vec<_>>(),
            "verdict": {
                "outcome": verdict.outcome(),
                "preflight": self.preflighted(),
                "status": status,
                "exposed": exposed,
                "error": verdict.error_code(),
                "message": verdict.message(),
                "cause": verdict.blocked().map(Blocked::cause),
                "fix": fix,
                "unreachable": match verdict {
                    Verdict::Unreachable { error, .. } => Some(error.to_string()),
                    _ => None,
                },
            },
            "findings": self.findings.iter().map(|f| json!({
                "code": f.code(),
                "security": f.is_security(),
                "message": f.to_string(),
            })).collect::<Vec<_>>(),
            "probes": self.probes.iter().map(|p| json!({
                "kind": probe_kind(p.kind),
                "origin": p.origin,
                "allowed": p.allowed,
            })).collect::<Vec<_>>(),
        });
        if let Some(stack) = stack
            && self.needs_fix()
        {
            let fix = self.stack_fix(stack);
            out["stack"] = json!({
                "name": stack.name(),
                "policy": fix.policy.as_ref().ok(),
                "config": fix.config.as_ref().ok(),
                "error": fix.config.as_ref().err(),
            });
        }
        out
    }
}

/// The name of a probe's kind in JSON.
pub fn probe_kind(kind: OtherOrigin) -> &'static str {
    match kind {
        OtherOrigin::Arbitrary => "arbitrary",
        OtherOrigin::SuffixLookalike => "suffix-lookalike",
        OtherOrigin::PrefixLookalike => "prefix-lookalike",
        OtherOrigin::Null => "null",
        _ => "other",
    }
}

fn exchange_json(e: &Exchange) -> Value {
    let (status, headers, error) = match &e.answer {
        Ok(h) => (
            Some(h.status()),
            Some(
                h.iter()
                    .map(|(n, v)| [n.to_owned(), v.to_owned()])
                    .collect::<Vec<_>>(),
            ),
            None,
        ),
        Err(err) => (None, None, Some(err.to_string())),
    };
    json!({
        "kind": if e.is_preflight() { "preflight" } else { "request" },
        "method": e.method,
        "url": e.url,
        "sent": e.sent,
        "status": status,
        "headers": headers,
        "error": error,
        "ms": u64::try_from(e.elapsed.as_millis()).unwrap_or(u64::MAX),
    })
}

/// The keys of `config` that differ from the defaults, as TOML (the
/// origins always).
pub fn policy_toml(config: &PolicyConfig) -> String {
    let list = |items: &[String]| {
        toml::Value::Array(items.iter().cloned().map(toml::Value::String).collect()).to_string()
    };
    let defaults = PolicyConfig::default();
    let mut out = format!("origins = {}\n", list(&config.origins));
    if config.credentials {
        out.push_str("credentials = true\n");
    }
    if config.methods != defaults.methods {
        out.push_str(&format!("methods = {}\n", list(&config.methods)));
    }
    if !config.request_headers.is_empty() {
        out.push_str(&format!(
            "request_headers = {}\n",
            list(&config.request_headers)
        ));
    }
    if !config.expose_headers.is_empty() {
        out.push_str(&format!(
            "expose_headers = {}\n",
            list(&config.expose_headers)
        ));
    }
    out
}

/// The response headers worth showing in a timeline: CORS, `Vary`,
/// `Location`, and what a script can read by default.
pub fn is_cors_relevant_response_header(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n.starts_with("access-control-") || n == "vary" || n == "location"
}

/// The request headers worth showing in a timeline: `Origin`,
/// `Access-Control-Request-*`, and the ones the script set.
pub fn is_cors_relevant_request_header(name: &str, request: &CheckRequest) -> bool {
    let n = name.to_ascii_lowercase();
    n == "origin"
        || n.starts_with("access-control-request-")
        || n == "cookie"
        || request
            .headers
            .iter()
            .any(|(h, _)| h.eq_ignore_ascii_case(&n))
        || (request.body.is_some() && n == "content-type")
}

#[cfg(test)]
mod tests;

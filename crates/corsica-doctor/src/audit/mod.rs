//! `corsica audit`: probe live endpoints for CORS misconfigurations.
//!
//! What to send and what the answers mean is the engine's
//! ([`corsica::audit`]): a [`Plan`] per URL lists the probes (origins
//! derived from the trusted origins and the URL's host, with a random label
//! per run), and [`Plan::judge`] reads the answers into findings with their
//! class, severity and fix. This module does the I/O: many URLs at once
//! under a bound on requests in flight, a per-host rate limit, timeouts and
//! retries, kept-alive connections; and it keeps each finding's evidence
//! (the request sent and the response's headers) for the report, JSON
//! Lines or SARIF.
//!
//! ```no_run
//! use corsica_doctor::audit::{audit, AuditOptions};
//!
//! let mut options = AuditOptions::default();
//! options.origins.push("https://app.example.com".parse()?);
//! let reports = audit(&["https://api.example.com/me".to_owned()], &options, |_| {})?;
//! for finding in &reports[0].findings {
//!     println!("{} {} {}", finding.severity, finding.class, finding.detail);
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod client;

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use corsica::Origin;
use corsica::audit::{Class, Label, Plan, Probe, Severity};
use corsica::fetch::ResponseHead;
use serde_json::{Value, json};
use tokio::sync::Semaphore;

use crate::check::TransportError;
use client::{Client, Outgoing, authority};

/// How to audit.
#[derive(Clone, Debug)]
pub struct AuditOptions {
    /// Origins the endpoints are known to trust (the site's front ends);
    /// probes are derived from them and from each URL's own origin.
    pub origins: Vec<Origin>,
    /// Headers sent with every probe (cookies, `Authorization`), in order.
    /// `Origin`, `Host` and `Access-Control-Request-*` are the probes' own
    /// and are not taken from here.
    pub headers: Vec<(String, String)>,
    /// The most requests in flight at once.
    pub concurrency: usize,
    /// The most requests per second to one host (`host:port`); `None`
    /// sends as fast as `concurrency` allows.
    pub rate: Option<f64>,
    /// How long one request may take (connection, TLS, answer).
    pub timeout: Duration,
    /// How many times a request that got no answer (connection refused or
    /// reset, timeout) is sent again, with a growing pause.
    pub retries: u32,
    /// Whether to accept any TLS certificate.
    pub insecure: bool,
    /// The probe label; `None` draws a random one for the run.
    pub label: Option<Label>,
}

impl Default for AuditOptions {
    /// No trusted origins or headers, 32 requests in flight, 50 requests
    /// per second per host, 10 s timeout, 2 retries.
    fn default() -> AuditOptions {
        AuditOptions {
            origins: Vec::new(),
            headers: Vec::new(),
            concurrency: 32,
            rate: Some(50.0),
            timeout: Duration::from_secs(10),
            retries: 2,
            insecure: false,
            label: None,
        }
    }
}

/// Why the audit could not run at all.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AuditError {
    /// Occurs when the async runtime cannot start.
    #[error("cannot start the network runtime: {0}")]
    Runtime(String),
}

/// A request sent and the answer's head: what a finding rests on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Evidence {
    /// `GET` or `OPTIONS`.
    pub method: String,
    /// The URL.
    pub url: String,
    /// The header lines sent, in order (bytes beyond ASCII as UTF-8 text,
    /// lossily).
    pub request: Vec<(String, String)>,
    /// The answer's status.
    pub status: u16,
    /// The answer's header lines, as received.
    pub response: Vec<(String, String)>,
}

/// A misconfiguration of one URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditFinding {
    /// The URL.
    pub url: String,
    /// What kind.
    pub class: Class,
    /// How bad.
    pub severity: Severity,
    /// The `Origin` the probe sent.
    pub probe: String,
    /// Whether the probe was a preflight.
    pub preflight: bool,
    /// Whether the answer let the probe's origin read with credentials.
    pub credentials: bool,
    /// What the answer said.
    pub detail: String,
    /// What to do.
    pub fix: &'static str,
    /// The request and the answer.
    pub evidence: Evidence,
    /// Other probe origins whose answers show the same.
    pub also: Vec<String>,
}

/// What the audit of one URL found.
#[derive(Clone, Debug)]
pub struct TargetReport {
    /// The URL.
    pub url: String,
    /// Every misconfiguration found, most severe first.
    pub findings: Vec<AuditFinding>,
    /// Probes sent.
    pub probes: usize,
    /// Probes answered.
    pub answered: usize,
    /// Why probes got no answer (each reason once), or why the URL could
    /// not be audited.
    pub errors: Vec<String>,
}

impl TargetReport {
    /// Whether nothing at all was learned (no probe answered).
    pub fn failed(&self) -> bool {
        self.answered == 0
    }

    /// The most severe finding's severity.
    pub fn worst(&self) -> Option<Severity> {
        self.findings.iter().map(|f| f.severity).max()
    }
}

/// What every task shares.
struct Shared {
    client: Client,
    requests: Semaphore,
    interval: Option<Duration>,
    next_slot: Mutex<HashMap<String, Instant>>,
    headers: Vec<(String, Vec<u8>)>,
    retries: u32,
    origins: Vec<Origin>,
    label: Label,
}

/// A random seed for the run's label: the standard library's per-process
/// random hash keys and the clock.
fn random_seed() -> u64 {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    RandomState::new().hash_one(nanos)
}

/// Audits `urls` (each reported through `on_done` as it completes, and
/// all returned in the given order).
pub fn audit(
    urls: &[String],
    options: &AuditOptions,
    mut on_done: impl FnMut(&TargetReport),
) -> Result<Vec<TargetReport>, AuditError> {
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get().min(4));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads)
        .enable_all()
        .build()
        .map_err(|e| AuditError::Runtime(e.to_string()))?;
    let label = options
        .label
        .clone()
        .unwrap_or_else(|| Label::from_seed(random_seed()));
    let reserved = [
        "origin",
        "host",
        "access-control-request-method",
        "access-control-request-headers",
    ];
    let shared = Arc::new(Shared {
        client: Client::new(options.timeout, options.insecure),
        requests: Semaphore::new(options.concurrency.max(1)),
        interval: options
            .rate
            .filter(|r| *r > 0.0 && r.is_finite())
            .map(|r| Duration::from_secs_f64(1.0 / r)),
        next_slot: Mutex::new(HashMap::new()),
        headers: options
            .headers
            .iter()
            .filter(|(n, _)| !reserved.contains(&n.to_ascii_lowercase().as_str()))
            .map(|(n, v)| (n.clone(), v.as_bytes().to_vec()))
            .collect(),
        retries: options.retries,
        origins: options.origins.clone(),
        label,
    });
    runtime.block_on(async move {
        let mut set = tokio::task::JoinSet::new();
        for (i, url) in urls.iter().enumerate() {
            let shared = shared.clone();
            let url = url.clone();
            set.spawn(async move { (i, audit_one(shared, url).await) });
        }
        let mut out: Vec<Option<TargetReport>> = vec![None; urls.len()];
        while let Some(joined) = set.join_next().await {
            if let Ok((i, report)) = joined {
                on_done(&report);
                out[i] = Some(report);
            }
        }
        Ok(out.into_iter().flatten().collect())
    })
}

/// Waits for this host's next free slot under the rate limit.
async fn pace(shared: &Shared, host: &str) {
    let Some(interval) = shared.interval else {
        return;
    };
    let at = {
        let mut slots = shared.next_slot.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        let slot = slots.entry(host.to_owned()).or_insert(now);
        let at = (*slot).max(now);
        *slot = at + interval;
        at
    };
    tokio::time::sleep_until(at.into()).await;
}

/// Sends one probe, again on no answer.
async fn send_probe(
    shared: &Shared,
    out: &Outgoing,
) -> Result<ResponseHead<'static>, TransportError> {
    let host = authority(&out.url);
    let mut attempt = 0;
    loop {
        pace(shared, &host).await;
        let result = {
            let _permit = shared.requests.acquire().await;
            shared.client.send(out).await
        };
        match result {
            Err(
                TransportError::Connect { .. }
                | TransportError::Timeout { .. }
                | TransportError::Http { .. },
            ) if attempt < shared.retries => {
                attempt += 1;
                tokio::time::sleep(Duration::from_millis(100 << attempt.min(6))).await;
            }
            other => return other,
        }
    }
}

/// The request for `probe`: the probe's headers, then the user's.
fn outgoing(shared: &Shared, url: &url::Url, probe: &Probe) -> Outgoing {
    let mut headers: Vec<(String, Vec<u8>)> = vec![
        (
            "User-Agent".to_owned(),
            concat!("corsica-audit/", env!("CARGO_PKG_VERSION"))
                .as_bytes()
                .to_vec(),
        ),
        ("Accept".to_owned(), b"*/*".to_vec()),
        ("Cache-Control".to_owned(), b"no-cache".to_vec()),
    ];
    for (n, v) in probe.headers() {
        headers.push((n.to_owned(), v.as_bytes().to_vec()));
    }
    headers.extend(shared.headers.iter().cloned());
    Outgoing {
        method: if probe.preflight.is_some() {
            http::Method::OPTIONS
        } else {
            http::Method::GET
        },
        url: url.clone(),
        headers,
    }
}

async fn audit_one(shared: Arc<Shared>, url: String) -> TargetReport {
    let mut report = TargetReport {
        url: url.clone(),
        findings: Vec::new(),
        probes: 0,
        answered: 0,
        errors: Vec::new(),
    };
    let plan = match Plan::new(&url, &shared.origins, &shared.label) {
        Ok(p) => p,
        Err(e) => {
            report.errors.push(e.to_string());
            return report;
        }
    };
    let Ok(parsed) = url::Url::parse(&url) else {
        report.errors.push(format!("{url:?} is not a URL"));
        return report;
    };
    let outs: Vec<Outgoing> = plan
        .probes()
        .iter()
        .map(|p| outgoing(&shared, &parsed, p))
        .collect();
    report.probes = outs.len();
    let mut set = tokio::task::JoinSet::new();
    for (i, out) in outs.iter().cloned().enumerate() {
        let shared = shared.clone();
        set.spawn(async move { (i, send_probe(&shared, &out).await) });
    }
    let mut answers: Vec<Option<ResponseHead<'static>>> = vec![None; outs.len()];
    while let Some(joined) = set.join_next().await {
        match joined {
            Ok((i, Ok(head))) => answers[i] = Some(head),
            Ok((_, Err(e))) => {
                let e = e.to_string();
                if !report.errors.contains(&e) {
                    report.errors.push(e);
                }
            }
            Err(e) => report.errors.push(e.to_string()),
        }
    }
    report.answered = answers.iter().flatten().count();
    let probes = plan.probes();
    for f in plan.judge(&answers) {
        let Some(head) = &answers[f.probe] else {
            continue;
        };
        let out = &outs[f.probe];
        report.findings.push(AuditFinding {
            url: url.clone(),
            class: f.class,
            severity: f.severity,
            probe: probes[f.probe].origin.clone(),
            preflight: probes[f.probe].preflight.is_some(),
            credentials: f.credentials,
            detail: f.detail,
            fix: f.class.fix(),
            evidence: Evidence {
                method: out.method.to_string(),
                url: url.clone(),
                request: out
                    .headers
                    .iter()
                    .map(|(n, v)| (n.clone(), String::from_utf8_lossy(v).into_owned()))
                    .collect(),
                status: head.status(),
                response: head
                    .iter()
                    .map(|(n, v)| (n.to_owned(), v.to_owned()))
                    .collect(),
            },
            also: f.also.iter().map(|&i| probes[i].origin.clone()).collect(),
        });
    }
    report
        .findings
        .sort_by(|a, b| b.severity.cmp(&a.severity).then(a.class.cmp(&b.class)));
    report
}

impl AuditFinding {
    /// The finding as one JSON object (a line of `--json`).
    pub fn to_json(&self) -> Value {
        let pairs =
            |v: &[(String, String)]| -> Value { v.iter().map(|(n, v)| json!([n, v])).collect() };
        json!({
            "url": self.url,
            "class": self.class.name(),
            "severity": self.severity.as_str(),
            "title": self.class.title(),
            "probe": self.probe,
            "preflight": self.preflight,
            "credentials": self.credentials,
            "detail": self.detail,
            "fix": self.fix,
            "evidence": {
                "request": {
                    "method": self.evidence.method,
                    "url": self.evidence.url,
                    "headers": pairs(&self.evidence.request),
                },
                "response": {
                    "status": self.evidence.status,
                    "headers": pairs(&self.evidence.response),
                },
            },
            "also": self.also,
        })
    }
}

/// GitHub's `security-severity` score for a severity (0 to 10).
fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Info => "0.0",
        Severity::Low => "3.0",
        Severity::Medium => "5.5",
        Severity::High => "8.0",
        Severity::Critical => "9.5",
    }
}

/// The reports as one SARIF 2.1.0 log, for code-scanning dashboards: a
/// rule per class, a result per finding located at its URL.
pub fn sarif(reports: &[TargetReport]) -> Value {
    let rules: Vec<Value> = Class::ALL
        .iter()
        .map(|c| {
            json!({
                "id": c.name(),
                "name": c.name(),
                "shortDescription": { "text": c.title() },
                "help": { "text": c.fix() },
                "properties": { "tags": ["security", "cors", "CWE-942"] },
            })
        })
        .collect();
    let results: Vec<Value> = reports
        .iter()
        .flat_map(|r| &r.findings)
        .map(|f| {
            let level = match f.severity {
                Severity::Info => "note",
                Severity::Low | Severity::Medium => "warning",
                Severity::High | Severity::Critical => "error",
            };
            json!({
                "ruleId": f.class.name(),
                "ruleIndex": Class::ALL.iter().position(|c| *c == f.class),
                "level": level,
                "message": { "text": format!("{}: {}. {}", f.class.title(), f.detail, f.fix) },
                "locations": [{
                    "physicalLocation": { "artifactLocation": { "uri": f.url } }
                }],
                "properties": {
                    "severity": f.severity.as_str(),
                    "security-severity": security_severity(f.severity),
                    "probe": f.probe,
                    "evidence": f.to_json()["evidence"].clone(),
                },
            })
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "corsica",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/corsica-rs/corsica",
                "rules": rules,
            }},
            "results": results,
        }],
    })
}

/// The cross-origin endpoints of a HAR (each URL once, without its
/// fragment, in the export's order) and the page origins that called them
/// (trusted origins for the audit).
pub fn har_targets(file: &crate::har::HarFile) -> (Vec<String>, Vec<Origin>) {
    let report = crate::har::analyze(file, &crate::har::HarOptions::default());
    let mut urls: Vec<String> = Vec::new();
    let mut origins: Vec<Origin> = Vec::new();
    for r in &report.requests {
        let url = r.url.split('#').next().unwrap_or_default().to_owned();
        if !urls.contains(&url) {
            urls.push(url);
        }
        if let Ok(o) = Origin::parse(&r.origin)
            && !o.is_opaque()
            && !origins.contains(&o)
        {
            origins.push(o);
        }
    }
    (urls, origins)
}

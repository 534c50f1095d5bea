//! Counters and histograms, rendered in the Prometheus text format on the
//! admin listener's `/metrics`.
//!
//! Per route: requests by kind (`preflight`, `actual`, `non_cors`) and
//! outcome (`allowed`, `rejected`, `passed`), rejections by reason (the
//! engine's code), responses by status class, upstream errors by kind,
//! and the upstream latency (time to the response head) as a histogram.
//! Each request is counted with a few relaxed atomic additions; the
//! per-reason map takes a lock only on rejections.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use corsica::policy::{Decision, Rejection};

/// Upper bounds of the latency histogram's buckets, in seconds.
const BUCKETS: [f64; 14] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

const KINDS: [&str; 3] = ["preflight", "actual", "non_cors"];
const OUTCOMES: [&str; 3] = ["allowed", "rejected", "passed"];

/// What went wrong talking to an upstream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum UpstreamError {
    /// The connection was refused or could not be made (502).
    Connect,
    /// The upstream closed or reset the connection before answering (502).
    Closed,
    /// No answer within the timeout (504).
    Timeout,
    /// The body broke off after the head was sent (the client sees the
    /// connection close).
    Body,
}

impl UpstreamError {
    const ALL: [UpstreamError; 4] = [
        UpstreamError::Connect,
        UpstreamError::Closed,
        UpstreamError::Timeout,
        UpstreamError::Body,
    ];

    fn label(self) -> &'static str {
        match self {
            UpstreamError::Connect => "connect",
            UpstreamError::Closed => "closed",
            UpstreamError::Timeout => "timeout",
            UpstreamError::Body => "body",
        }
    }
}

/// The counters of one route.
#[derive(Debug, Default)]
pub(crate) struct RouteMetrics {
    requests: [[AtomicU64; 3]; 3],
    shadow_requests: [[AtomicU64; 3]; 3],
    rejections: Mutex<BTreeMap<(&'static str, bool), u64>>,
    statuses: [AtomicU64; 5],
    upstream_errors: [AtomicU64; 4],
    latency_buckets: [AtomicU64; BUCKETS.len()],
    latency_sum_micros: AtomicU64,
    latency_count: AtomicU64,
}

impl RouteMetrics {
    /// Counts a decision of the CORS layer (`shadow`: the route only
    /// reports).
    pub(crate) fn observe_decision(&self, decision: &Decision<'_>, shadow: bool) {
        let kind = if decision.is_preflight() {
            0
        } else if decision.is_cors() {
            1
        } else {
            2
        };
        let rejection = decision.rejection();
        let outcome = match (kind, rejection) {
            (2, _) => 2,
            (_, Some(_)) => 1,
            (_, None) => 0,
        };
        let table = if shadow {
            &self.shadow_requests
        } else {
            &self.requests
        };
        table[kind][outcome].fetch_add(1, Ordering::Relaxed);
        if let Some(r) = rejection {
            self.count_rejection(r, shadow);
        }
    }

    /// Counts a rejection by its reason: out of line, so that an allowed
    /// request's path stays small (instruction cache).
    #[inline(never)]
    fn count_rejection(&self, rejection: &Rejection<'_>, shadow: bool) {
        let mut map = self.rejections.lock().unwrap_or_else(|e| e.into_inner());
        *map.entry((rejection.code(), shadow)).or_default() += 1;
    }

    /// Counts a response status sent to the client.
    pub(crate) fn observe_status(&self, status: u16) {
        let class = (status / 100).clamp(1, 5) as usize - 1;
        self.statuses[class].fetch_add(1, Ordering::Relaxed);
    }

    /// Counts an upstream failure.
    pub(crate) fn upstream_error(&self, kind: UpstreamError) {
        let i = UpstreamError::ALL
            .iter()
            .position(|k| *k == kind)
            .unwrap_or(0);
        self.upstream_errors[i].fetch_add(1, Ordering::Relaxed);
    }

    /// Records the time the upstream took to send its response head.
    pub(crate) fn observe_latency(&self, latency: Duration) {
        let secs = latency.as_secs_f64();
        if let Some(i) = BUCKETS.iter().position(|b| secs <= *b) {
            self.latency_buckets[i].fetch_add(1, Ordering::Relaxed);
        }
        self.latency_sum_micros
            .fetch_add(latency.as_micros() as u64, Ordering::Relaxed);
        self.latency_count.fetch_add(1, Ordering::Relaxed);
    }
}

/// Every counter of a gateway process. Routes keep their counters across
/// reloads (by name).
#[derive(Debug, Default)]
pub(crate) struct Metrics {
    routes: Mutex<BTreeMap<String, Arc<RouteMetrics>>>,
    reloads_ok: AtomicU64,
    reloads_failed: AtomicU64,
    pub(crate) in_flight: AtomicI64,
    pub(crate) connections: AtomicI64,
    pub(crate) unrouted: AtomicU64,
    generation: AtomicU64,
}

impl Metrics {
    /// The counters of route `name`, made on first use.
    pub(crate) fn route(&self, name: &str) -> Arc<RouteMetrics> {
        let mut routes = self.routes.lock().unwrap_or_else(|e| e.into_inner());
        routes.entry(name.to_owned()).or_default().clone()
    }

    /// Counts a reload.
    pub(crate) fn reloaded(&self, ok: bool, generation: u64) {
        if ok {
            self.reloads_ok.fetch_add(1, Ordering::Relaxed);
            self.generation.store(generation, Ordering::Relaxed);
        } else {
            self.reloads_failed.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// The Prometheus text exposition of every counter.
    pub(crate) fn render(&self) -> String {
        let mut out = String::with_capacity(4096);
        let routes: Vec<(String, Arc<RouteMetrics>)> = self
            .routes
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();

        header(
            &mut out,
            "corsica_gateway_requests_total",
            "counter",
            "Requests by route, kind (preflight, actual, non_cors), CORS outcome and mode (enforce, or shadow: decided but not applied).",
        );
        for (name, m) in &routes {
            for (mode, table) in [("enforce", &m.requests), ("shadow", &m.shadow_requests)] {
                for (k, kind) in KINDS.iter().enumerate() {
                    for (o, outcome) in OUTCOMES.iter().enumerate() {
                        let n = table[k][o].load(Ordering::Relaxed);
                        if n > 0 || (mode == "enforce" && (k, o) == (1, 0)) {
                            let _ = writeln!(
                                out,
                                "corsica_gateway_requests_total{{route=\"{name}\",kind=\"{kind}\",outcome=\"{outcome}\",mode=\"{mode}\"}} {n}"
                            );
                        }
                    }
                }
            }
        }

        header(
            &mut out,
            "corsica_gateway_rejections_total",
            "counter",
            "CORS requests the policy rejects (or would reject, mode=shadow), by route and reason code.",
        );
        for (name, m) in &routes {
            let map = m.rejections.lock().unwrap_or_else(|e| e.into_inner());
            for ((reason, shadow), n) in map.iter() {
                let mode = if *shadow { "shadow" } else { "enforce" };
                let _ = writeln!(
                    out,
                    "corsica_gateway_rejections_total{{route=\"{name}\",reason=\"{reason}\",mode=\"{mode}\"}} {n}"
                );
            }
        }

        header(
            &mut out,
            "corsica_gateway_responses_total",
            "counter",
            "Responses sent to clients, by route and status class.",
        );
        for (name, m) in &routes {
            for (i, class) in ["1xx", "2xx", "3xx", "4xx", "5xx"].iter().enumerate() {
                let _ = writeln!(
                    out,
                    "corsica_gateway_responses_total{{route=\"{name}\",status=\"{class}\"}} {}",
                    m.statuses[i].load(Ordering::Relaxed)
                );
            }
        }

        header(
            &mut out,
            "corsica_gateway_upstream_errors_total",
            "counter",
            "Upstream failures by route and kind: connect (502), closed before answering (502), timeout (504), body broken off after the head.",
        );
        for (name, m) in &routes {
            for (i, kind) in UpstreamError::ALL.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "corsica_gateway_upstream_errors_total{{route=\"{name}\",error=\"{}\"}} {}",
                    kind.label(),
                    m.upstream_errors[i].load(Ordering::Relaxed)
                );
            }
        }

        header(
            &mut out,
            "corsica_gateway_upstream_latency_seconds",
            "histogram",
            "Time from forwarding a request to receiving the upstream's response head, by route.",
        );
        for (name, m) in &routes {
            let mut cumulative = 0;
            for (i, bound) in BUCKETS.iter().enumerate() {
                cumulative += m.latency_buckets[i].load(Ordering::Relaxed);
                let _ = writeln!(
                    out,
                    "corsica_gateway_upstream_latency_seconds_bucket{{route=\"{name}\",le=\"{bound}\"}} {cumulative}"
                );
            }
            let count = m.latency_count.load(Ordering::Relaxed);
            let _ = writeln!(
                out,
                "corsica_gateway_upstream_latency_seconds_bucket{{route=\"{name}\",le=\"+Inf\"}} {count}"
            );
            let _ = writeln!(
                out,
                "corsica_gateway_upstream_latency_seconds_sum{{route=\"{name}\"}} {}",
                m.latency_sum_micros.load(Ordering::Relaxed) as f64 / 1e6
            );
            let _ = writeln!(
                out,
                "corsica_gateway_upstream_latency_seconds_count{{route=\"{name}\"}} {count}"
            );
        }

        header(
            &mut out,
            "corsica_gateway_unrouted_requests_total",
            "counter",
            "Requests no route matched (answered 404).",
        );
        let _ = writeln!(
            out,
            "corsica_gateway_unrouted_requests_total {}",
            self.unrouted.load(Ordering::Relaxed)
        );
        header(
            &mut out,
            "corsica_gateway_reloads_total",
            "counter",
            "Configuration reloads by result (an invalid configuration is refused and the old one kept).",
        );
        let _ = writeln!(
            out,
            "corsica_gateway_reloads_total{{result=\"ok\"}} {}",
            self.reloads_ok.load(Ordering::Relaxed)
        );
        let _ = writeln!(
            out,
            "corsica_gateway_reloads_total{{result=\"error\"}} {}",
            self.reloads_failed.load(Ordering::Relaxed)
        );
        header(
            &mut out,
            "corsica_gateway_config_generation",
            "gauge",
            "The configuration in force: 1 at start, plus one per successful reload.",
        );
        let _ = writeln!(
            out,
            "corsica_gateway_config_generation {}",
            self.generation.load(Ordering::Relaxed).max(1)
        );
        header(
            &mut out,
            "corsica_gateway_in_flight_requests",
            "gauge",
            "Requests being served (until their response head is sent).",
        );
        let _ = writeln!(
            out,
            "corsica_gateway_in_flight_requests {}",
            self.in_flight.load(Ordering::Relaxed)
        );
        header(
            &mut out,
            "corsica_gateway_open_connections",
            "gauge",
            "Client connections open on the API listeners.",
        );
        let _ = writeln!(
            out,
            "corsica_gateway_open_connections {}",
            self.connections.load(Ordering::Relaxed)
        );
        out
    }
}

fn header(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

#[cfg(test)]
mod tests {
    use super::*;
    use corsica::policy::Policy;
    use http::{HeaderMap, HeaderValue, Method};

    #[test]
    fn decisions_are_counted_by_kind_outcome_and_reason() {
        let metrics = Metrics::default();
        let route = metrics.route("api");
        let policy = Policy::from_toml_str(r#"origins = ["https://a.com"]"#).unwrap();
        let mut h = HeaderMap::new();
        route.observe_decision(&policy.decide(&Method::GET, &h), false);
        h.insert("origin", HeaderValue::from_static("https://b.com"));
        route.observe_decision(&policy.decide(&Method::GET, &h), false);
        route.observe_decision(&policy.decide(&Method::GET, &h), true);
        h.insert(
            "access-control-request-method",
            HeaderValue::from_static("PUT"),
        );
        h.insert("origin", HeaderValue::from_static("https://a.com"));
        route.observe_decision(&policy.decide(&Method::OPTIONS, &h), false);
        route.observe_latency(Duration::from_millis(3));
        route.observe_status(204);
        route.upstream_error(UpstreamError::Timeout);
        let text = metrics.render();
        for line in [
            r#"corsica_gateway_requests_total{route="api",kind="non_cors",outcome="passed",mode="enforce"} 1"#,
            r#"corsica_gateway_requests_total{route="api",kind="actual",outcome="rejected",mode="enforce"} 1"#,
            r#"corsica_gateway_requests_total{route="api",kind="actual",outcome="rejected",mode="shadow"} 1"#,
            r#"corsica_gateway_requests_total{route="api",kind="preflight",outcome="rejected",mode="enforce"} 1"#,
            r#"corsica_gateway_rejections_total{route="api",reason="origin-not-allowed",mode="enforce"} 1"#,
            r#"corsica_gateway_rejections_total{route="api",reason="origin-not-allowed",mode="shadow"} 1"#,
            r#"corsica_gateway_rejections_total{route="api",reason="method-not-allowed",mode="enforce"} 1"#,
            r#"corsica_gateway_upstream_latency_seconds_bucket{route="api",le="0.0025"} 0"#,
            r#"corsica_gateway_upstream_latency_seconds_bucket{route="api",le="0.005"} 1"#,
            r#"corsica_gateway_upstream_latency_seconds_count{route="api"} 1"#,
            r#"corsica_gateway_responses_total{route="api",status="2xx"} 1"#,
            r#"corsica_gateway_upstream_errors_total{route="api",error="timeout"} 1"#,
        ] {
            assert!(text.lines().any(|l| l == line), "missing {line} in\n{text}");
        }
        // Every sample line is `name{labels} value` or `name value`.
        for l in text.lines().filter(|l| !l.starts_with('#')) {
            let value = l.rsplit(' ').next().unwrap();
            assert!(value.parse::<f64>().is_ok(), "bad sample {l}");
        }
    }
}

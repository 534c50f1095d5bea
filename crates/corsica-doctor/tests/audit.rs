//! `corsica audit` against a corpus of misconfigured endpoints on a local
//! server: every class is found where it is present, and nothing is
//! reported where the configuration is correct.

#[path = "corpus/mod.rs"]
mod corpus;

use std::collections::BTreeSet;
use std::time::Duration;

use corsica::Origin;
use corsica::audit::{Class, Severity};
use corsica_doctor::audit::{AuditOptions, TargetReport, audit, sarif};

fn options() -> AuditOptions {
    AuditOptions {
        origins: vec![Origin::parse(corpus::TRUSTED).unwrap()],
        rate: None,
        timeout: Duration::from_secs(10),
        ..AuditOptions::default()
    }
}

fn classes(r: &TargetReport) -> BTreeSet<&'static str> {
    r.findings.iter().map(|f| f.class.name()).collect()
}

#[test]
fn every_class_is_found_where_present_and_nothing_where_correct() {
    let addr = corpus::start();
    let urls: Vec<String> = corpus::ENDPOINTS
        .iter()
        .map(|(name, _)| format!("http://{addr}/api/{name}"))
        .collect();
    let mut seen = 0;
    let reports = audit(&urls, &options(), |_| seen += 1).unwrap();
    assert_eq!(seen, urls.len());
    assert_eq!(reports.len(), urls.len());
    let mut covered = BTreeSet::new();
    for ((name, want), report) in corpus::ENDPOINTS.iter().zip(&reports) {
        assert_eq!(report.url, format!("http://{addr}/api/{name}"));
        assert!(report.errors.is_empty(), "{name}: {:?}", report.errors);
        assert_eq!(report.answered, report.probes, "{name}");
        let want: BTreeSet<&str> = want.iter().copied().collect();
        assert_eq!(classes(report), want, "{name}: {:#?}", report.findings);
        covered.extend(want);
        if name.starts_with("correct") {
            assert!(
                report.worst().is_none_or(|s| s == Severity::Info),
                "{name}: {:?}",
                report.findings
            );
        }
        for f in &report.findings {
            // The evidence is the probe's own exchange.
            assert!(
                f.evidence
                    .request
                    .iter()
                    .any(|(n, v)| n == "Origin" && *v == f.probe),
                "{name}: {f:?}"
            );
            assert!(!f.evidence.response.is_empty(), "{name}: {f:?}");
            assert_eq!(f.fix, f.class.fix());
        }
    }
    let all: BTreeSet<&str> = Class::ALL.iter().map(|c| c.name()).collect();
    assert_eq!(covered, all, "the corpus covers every class");

    // Severities: credentials raise, `*` stays informational.
    let find = |name: &str| {
        let i = corpus::ENDPOINTS
            .iter()
            .position(|(n, _)| *n == name)
            .unwrap();
        &reports[i].findings[0]
    };
    assert_eq!(find("reflect").severity, Severity::Critical);
    assert!(find("reflect").credentials);
    assert_eq!(find("prefix").severity, Severity::High);
    assert_eq!(find("wildcard").severity, Severity::Info);
    assert_eq!(find("crlf").severity, Severity::High);
    assert!(find("reflect-preflight-only").preflight);
    let crlf = find("crlf");
    assert!(
        crlf.evidence
            .response
            .iter()
            .any(|(n, _)| n.starts_with("x-corsica-"))
    );

    // JSON lines and SARIF carry every finding.
    let f = &find("reflect");
    let line = f.to_json();
    for key in ["url", "class", "severity", "probe", "evidence", "fix"] {
        assert!(line.get(key).is_some(), "{key}");
    }
    assert_eq!(line["class"], "reflected-origin");
    assert_eq!(line["severity"], "critical");
    let log = sarif(&reports);
    let results = log["runs"][0]["results"].as_array().unwrap();
    let total: usize = reports.iter().map(|r| r.findings.len()).sum();
    assert_eq!(results.len(), total);
    assert_eq!(
        log["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .unwrap()
            .len(),
        16
    );
}

#[test]
fn labels_differ_between_runs_and_headers_are_sent() {
    let addr = corpus::start();
    let urls = vec![format!("http://{addr}/reflect")];
    let mut opts = options();
    opts.headers = vec![
        ("Cookie".into(), "session=abc".into()),
        ("Origin".into(), "https://ignored.example".into()),
    ];
    let a = audit(&urls, &opts, |_| {}).unwrap();
    let b = audit(&urls, &opts, |_| {}).unwrap();
    assert_ne!(a[0].findings[0].probe, b[0].findings[0].probe);
    let sent = &a[0].findings[0].evidence.request;
    assert!(sent.contains(&("Cookie".into(), "session=abc".into())));
    assert_eq!(
        sent.iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case("origin"))
            .count(),
        1
    );
}

#[test]
fn unreachable_and_invalid_targets_are_reported_not_fatal() {
    // A port nothing listens on (bound, then closed).
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut opts = options();
    opts.retries = 1;
    let urls = vec![
        format!("http://127.0.0.1:{port}/x"),
        "ftp://example.com/".to_owned(),
    ];
    let reports = audit(&urls, &opts, |_| {}).unwrap();
    assert!(reports[0].failed());
    assert!(
        reports[0].errors[0].contains("cannot connect"),
        "{:?}",
        reports[0].errors
    );
    assert!(reports[1].failed());
    assert!(reports[1].errors[0].contains("not an absolute http(s) URL"));
}

#[test]
fn the_rate_limit_paces_one_host() {
    let addr = corpus::start();
    let urls = vec![format!("http://{addr}/correct-exact")];
    let mut opts = options();
    opts.rate = Some(400.0);
    let start = std::time::Instant::now();
    let reports = audit(&urls, &opts, |_| {}).unwrap();
    let probes = reports[0].probes;
    // n requests at 400/s take at least (n - 1) / 400 s.
    let floor = Duration::from_secs_f64((probes - 1) as f64 / 400.0);
    assert!(
        start.elapsed() >= floor,
        "{:?} < {floor:?}",
        start.elapsed()
    );
    assert!(reports[0].findings.is_empty());
}

#[test]
fn a_har_gives_its_cross_origin_endpoints_and_the_page_origin() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/har/failing-page.har");
    let file = corsica_doctor::har::read(std::fs::File::open(path).unwrap());
    let (urls, origins) = corsica_doctor::audit::har_targets(&file);
    assert_eq!(origins, [Origin::parse("http://app.test:8001").unwrap()]);
    // Every API endpoint once, none of the page's own requests.
    assert!(
        urls.iter().all(|u| u.starts_with("http://api.test:8002/")),
        "{urls:?}"
    );
    let unique: BTreeSet<&String> = urls.iter().collect();
    assert_eq!(unique.len(), urls.len());
    for path in [
        "/credentials-ok",
        "/no-acao",
        "/put-json",
        "/star-credentials",
    ] {
        assert!(
            urls.contains(&format!("http://api.test:8002{path}")),
            "{path}: {urls:?}"
        );
    }
}

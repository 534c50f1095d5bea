//! `corsica audit` against servers it was not written against: the real
//! nginx, Express and Django running the broken configurations of the
//! export tests (`tests/export_live.rs`), and the configurations `corsica
//! export` writes for what their authors meant. The peers come from
//! `scripts/install-peers` (scripts/test runs it).

mod support;

use std::collections::BTreeSet;
use std::time::Duration;

use corsica::Origin;
use corsica::Policy;
use corsica::audit::Severity;
use corsica_doctor::audit::{AuditOptions, TargetReport, audit};
use corsica_doctor::export::Stack;

use support::servers;

fn run(url: &str, trusted: &str) -> TargetReport {
    let options = AuditOptions {
        origins: vec![Origin::parse(trusted).unwrap()],
        rate: None,
        timeout: Duration::from_secs(10),
        ..AuditOptions::default()
    };
    let mut reports = audit(&[url.to_owned()], &options, |_| {}).unwrap();
    let report = reports.remove(0);
    assert!(report.errors.is_empty(), "{url}: {:?}", report.errors);
    report
}

fn classes(r: &TargetReport) -> BTreeSet<&'static str> {
    r.findings.iter().map(|f| f.class.name()).collect()
}

fn policy(toml: &str) -> Policy {
    Policy::from_toml_str(toml).unwrap()
}

/// The seed's nginx snippet sends one static origin everywhere and loses
/// it on preflights: broken for the page, but it lets no other origin in,
/// so there is nothing for an audit to find.
#[test]
fn nginx_static_origin_snippet_lets_no_one_else_in() {
    let upstream = support::http::Upstream::start();
    let url = upstream.url();
    let server = servers::nginx(|port| {
        format!(
            "server {{
    listen 127.0.0.1:{port};
    location / {{
        add_header 'Access-Control-Allow-Origin' 'https://myapp.com';
        add_header 'Access-Control-Allow-Methods' 'GET, POST, OPTIONS';
        add_header 'Access-Control-Allow-Headers' 'Authorization, Content-Type';
        if ($request_method = 'OPTIONS') {{
            add_header 'Access-Control-Max-Age' 86400;
            return 204;
        }}
        proxy_pass {url};
    }}
}}
"
        )
    });
    let report = run(&format!("http://{}/", server.addr), "https://myapp.com");
    assert!(report.findings.is_empty(), "{:#?}", report.findings);
}

/// Express `cors({origin: true, credentials: true})` echoes every origin
/// with credentials: reflected-origin, critical; the export of what was
/// meant, nothing.
#[test]
fn express_origin_true_is_a_critical_reflection() {
    let server = servers::express(
        "module.exports = require('cors')({ origin: true, credentials: true });\n",
    );
    let report = run(&format!("http://{}/", server.addr), "https://myapp.com");
    assert_eq!(
        classes(&report),
        BTreeSet::from(["reflected-origin"]),
        "{:#?}",
        report.findings
    );
    assert_eq!(report.findings[0].severity, Severity::Critical);

    let meant = policy("origins = [\"https://myapp.com\"]\ncredentials = true");
    let fixed = support::start(Stack::Express, &meant).unwrap();
    let report = run(
        &format!("http://{}/", fixed.server.addr),
        "https://myapp.com",
    );
    assert!(report.findings.is_empty(), "{:#?}", report.findings);
}

/// django-cors-headers' `re.match` anchors only the start:
/// `^https://.*\.example\.com` lets `https://app.example.com.<label>.com`
/// in, with credentials (an unanchored end: the prefix and substring
/// probes get through, the substring one being the broader, it is the one
/// named), and every subdomain. The export of `https://*.example.com`
/// leaves only the subdomains, as meant.
#[test]
fn django_unanchored_regex_lets_lookalikes_in() {
    let server = servers::python_app(
        "django_app.py",
        "CORS_ALLOWED_ORIGIN_REGEXES = [r\"^https://.*\\.example\\.com\"]\nCORS_ALLOW_CREDENTIALS = True\n",
    );
    let report = run(
        &format!("http://{}/", server.addr),
        "https://app.example.com",
    );
    let found = classes(&report);
    assert!(
        found.contains("substring-match") || found.contains("prefix-match"),
        "{:#?}\n{}",
        report.findings,
        server.log()
    );
    assert!(found.contains("any-subdomain"), "{found:?}");
    assert!(found.len() <= 3, "{found:?}");
    assert_eq!(report.worst(), Some(Severity::High));

    let meant = policy("origins = [\"https://*.example.com\"]\ncredentials = true");
    let fixed = support::start(Stack::Django, &meant).unwrap();
    let report = run(
        &format!("http://{}/", fixed.server.addr),
        "https://app.example.com",
    );
    assert_eq!(
        classes(&report),
        BTreeSet::from(["any-subdomain"]),
        "{:#?}",
        report.findings
    );
}
